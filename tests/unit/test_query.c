/* test_query.c: query lines parse to the same fields whatever their
 * reference information holds (the parser blanks that one value before
 * decoding, so the scan must respect strings, escapes and nesting). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "query.h"

static const char *base =
    "{\"idx\": 7, \"org\": \"A\\\\\", \"dest\": \"B\\\"C\", \"days\": 3, \"visiting_city_number\": 1, "
    "\"date\": [\"2022-03-01\", \"2022-03-02\", \"2022-03-03\"], \"people_number\": 2, "
    "\"local_constraint\": {\"house rule\": null, \"cuisine\": [\"Mexican\"], \"room type\": null, "
    "\"transportation\": null, \"reference_information\": \"nested, not top-level\"}, "
    "\"budget\": 900, \"query\": \"a \\\"reference_information\\\": \\\"x\\\" in text\", \"level\": \"easy\"%s}";

static void parses(const char *extra) {
    char line[4096];
    snprintf(line, sizeof line, base, extra);
    TpQuery q;
    Err err = {0};
    int rc = tp_query_parse(line, "t.jsonl", 1, &q, &err);
    CHECK_MSG(rc == IM_OK, "extra [%s]: %s", extra, err.msg);
    if (rc) return;
    CHECK_MSG(!strcmp(q.org, "A\\") && !strcmp(q.dest, "B\"C"), "extra [%s]: org [%s] dest [%s]", extra, q.org, q.dest);
    CHECK_MSG(q.budget == 900 && q.people_number == 2 && q.n_cuisine == 1, "extra [%s]: fields", extra);
    CHECK_MSG(!strcmp(q.query, "a \"reference_information\": \"x\" in text"), "extra [%s]: query [%s]", extra, q.query);
    CHECK_MSG(!strcmp(q.json, line), "extra [%s]: the line is kept whole", extra);
    tp_query_free(&q);
}

int main(void) {
    parses("");
    parses(", \"reference_information\": \"[{'Description': 'x', 'Content': 'a \\\\\\\" b \\\\\\\\'}]\"");
    parses(", \"reference_information\" :\n \"ends with a backslash \\\\\\\\\"");
    parses(", \"reference_information\": [\"not a string\"]");
    parses(", \"reference_information\": null");
    /* a broken reference string makes the line invalid, as before */
    char line[4096];
    snprintf(line, sizeof line, base, ", \"reference_information\": \"unterminated");
    TpQuery q;
    Err err = {0};
    CHECK_MSG(tp_query_parse(line, "t.jsonl", 3, &q, &err) == IM_IO && strstr(err.msg, "t.jsonl:3"), "broken: %s", err.msg);
    printf("%s\n", check_failures ? "FAILED" : "ok");
    return check_failures != 0;
}
