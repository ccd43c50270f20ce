/* test_paraphrase.c [FILE...]: the fact check of a reworded TravelPlanner
 * query (suites/travelplanner/paraphrase.h), one case per rule, accepted
 * and rejected, and the query line with its new text. With FILEs (queries
 * from `imagine queries generate`, or the benchmark's train split): every
 * query's own text passes its check (the generator's phrasings state every
 * fact; so do the benchmark's train queries, written by a model). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "fsutil.h"
#include "paraphrase.h"
#include "query.h"

static const char *LINE =
    "{\"idx\": 4, \"org\": \"San Jose\", \"dest\": \"Idaho\", \"days\": 7, \"visiting_city_number\": 3, \"date\": "
    "[\"2022-03-09\", \"2022-03-10\", \"2022-03-11\", \"2022-03-12\", \"2022-03-13\", \"2022-03-14\", \"2022-03-15\"], "
    "\"people_number\": 5, \"local_constraint\": {\"house rule\": \"children under 10\", \"cuisine\": [\"Indian\", \"Chinese\"], "
    "\"room type\": \"not shared room\", \"transportation\": \"no flight\"}, \"budget\": 5700, \"query\": "
    "\"I need an itinerary from San Jose to 3 different cities of Idaho: 7 days from March 9th to March 15th, 2022, for 5 people.\", "
    "\"level\": \"hard\", \"label\": {\"feasible\": true, \"min_cost\": 4000}}";

/* A rewording that keeps every fact. */
static const char *GOOD =
    "Five of us, kids under 10 included, leave San Jose for a 7-day tour of three cities in Idaho, March 9 to March 15, 2022. "
    "We can spend $5,700 in all, want Indian and Chinese food, rooms that are not shared, and we will not fly.";

static TpQuery q;

static void verdict(const char *text, const char *want) {
    char *why = tp_paraphrase_check(&q, text);
    if (!want) CHECK_MSG(why == NULL, "[%s] rejected: %s", text, why);
    else CHECK_MSG(why && strstr(why, want), "[%s]: expected a reason with [%s], got [%s]", text, want, why ? why : "(accepted)");
    free(why);
}

/* GOOD with one substring replaced. */
static void without(const char *from, const char *to, const char *want) {
    char buf[1024];
    const char *at = strstr(GOOD, from);
    CHECK_MSG(at != NULL, "[%s] not in the good text", from);
    if (!at) return;
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
    verdict(buf, want);
}

static int check_file(const char *path) {
    TpQuerySet *set = NULL;
    Err err = {0};
    if (tp_queries_load(path, &set, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < set->n; i++) {
        char *why = tp_paraphrase_check(&set->q[i], set->q[i].query);
        if (why && bad++ < 10) fprintf(stderr, "%s: query %d's template fails its check: %s\n  %s\n", path, set->q[i].idx, why, set->q[i].query);
        free(why);
    }
    printf("%d templates of %s, %d fail their check\n", set->n, path, bad);
    tp_queries_free(set);
    return bad != 0;
}

int main(int argc, char **argv) {
    Err err = {0};
    CHECK(tp_query_parse(LINE, "t.jsonl", 1, &q, &err) == IM_OK);
    verdict(GOOD, NULL);
    without("San Jose", "San Francisco", "origin San Jose");
    without("Idaho", "Iowa", "destination Idaho");
    without("7-day", "week-long", NULL);          /* the dates say how long */
    without("7-day", "6-day", "number 6");
    without("three cities", "several cities", "cities to visit (3)");
    without("Five of us", "All of us", "people (5)");
    without("March 15", "the 16th", "dates");
    without(", 2022", "", "dates");
    without("March 9 to March 15, 2022", "Mar 9 to Mar 15, 2022", NULL); /* "Mar" is the month too */
    without("March 9 to March 15, 2022", "2022-03-09 to 2022-03-15", NULL);
    without("$5,700", "5,800 dollars", "budget (5700)");
    without("$5,700", "5700 dollars", NULL);      /* commas or not, $ or not */
    without("$5,700", "$5,700.00", NULL);
    without("in all,", "in all (about $6,000),", "amount ($6,000)");
    without("in all,", "in all over 42 meals,", "number 42");
    without("in all,", "in all over 2.5 days,", "whole number");
    without("kids under 10 included", "kids included", "house rule");
    without("kids under", "adults under", "house rule");
    without("Indian and ", "", "cuisine Indian");
    without("not shared", "private", "room type");
    without("rooms that are not shared", "shared rooms", "room type");
    without("we will not fly", "we will not drive", "transportation");
    without("we will not fly", "no planes", NULL);
    verdict("", "origin");
    /* a solo trip: a word of one */
    TpQuery solo = q;
    solo.people_number = 1;
    q = solo;
    without("Five of us", "Just me", NULL);
    without("Five of us", "A group of friends", "a group where the query has one traveller");
    q.people_number = 5;

    /* the line with its new text, in the generator's form */
    Buf b;
    buf_init(&b);
    CHECK(tp_query_retext(&q, "new \"text\"", "{\"status\": \"paraphrased\"}", &b, &err) == IM_OK);
    TpQuery r;
    CHECK_MSG(b.data && tp_query_parse(b.data, "t.jsonl", 1, &r, &err) == IM_OK, "%s", err.msg);
    if (b.data && !err.code) {
        CHECK(!strcmp(r.query, "new \"text\""));
        CHECK(strstr(b.data, "\"query\": \"new \\\"text\\\"\", \"query_template\": \"I need an itinerary from San Jose") != NULL);
        CHECK(strstr(b.data, "\"paraphrase\": {\"status\": \"paraphrased\"}, \"level\": \"hard\"") != NULL);
        tp_query_free(&r);
    }
    buf_free(&b);
    TpQuery other = q;
    other.json = "{\"query\": \"something else\"}";
    buf_init(&b);
    CHECK(tp_query_retext(&other, "x", "{}", &b, &err) == IM_IO && strstr(err.msg, "not in the form"));
    buf_free(&b);
    tp_query_free(&q);
    for (int i = 1; i < argc; i++) check_failures += check_file(argv[i]);
    return check_failures != 0;
}
