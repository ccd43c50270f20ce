/* paraphrase.c: the fact check of a reworded TravelPlanner query and the
 * query line with the new text (paraphrase.h; the rules are listed there
 * and in docs/imagine.md). Pure functions over the query and the text. */
#include "paraphrase.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text read once: lower-cased, its numbers and its number words. */
typedef struct Text {
    char *lc;
    long num[256];        /* the numbers written in digits (-1: not a whole number) */
    int n_num;
    int word_num[11];     /* word_num[k]: the word for k (one..ten) occurs */
} Text;

static const char *const NUM_WORDS[] = {"", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* One number from s (at a digit): "1,900" and "1,900.00" are 1900, "2.5" is
 * -1 (not whole). *end past it. */
static long read_number(const char *s, const char **end) {
    long v = 0;
    int big = 0;
    const char *p = s;
    for (;;) {
        while (is_digit(*p)) {
            if (v > 100000000L) big = 1;
            else v = v * 10 + (*p - '0');
            p++;
        }
        if (*p == ',' && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) && !is_digit(p[4])) { p++; continue; }
        break;
    }
    if (*p == '.' && is_digit(p[1])) {
        int zeros = 1;
        for (p++; is_digit(*p); p++) zeros &= *p == '0';
        if (!zeros) big = 1;
    }
    *end = p;
    return big ? -1 : v;
}

static void text_read(Text *t, const char *text) {
    memset(t, 0, sizeof *t);
    t->lc = strdup(text);
    for (char *c = t->lc; *c; c++) *c = (char)tolower((unsigned char)*c);
    for (const char *p = t->lc; *p;) {
        if (is_digit(*p)) {
            long v = read_number(p, &p);
            if (t->n_num < (int)(sizeof t->num / sizeof *t->num)) t->num[t->n_num++] = v;
        } else if (is_alpha(*p)) {
            const char *w = p;
            while (is_alpha(*p)) p++;
            for (int k = 1; k <= 10; k++)
                if ((size_t)(p - w) == strlen(NUM_WORDS[k]) && !strncmp(w, NUM_WORDS[k], (size_t)(p - w))) t->word_num[k] = 1;
        } else p++;
    }
}

static int has_digits(const Text *t, long v) {
    for (int i = 0; i < t->n_num; i++)
        if (t->num[i] == v) return 1;
    return 0;
}

/* v written in digits, or as a word when 1..10. */
static int has_number(const Text *t, long v) { return has_digits(t, v) || (v >= 1 && v <= 10 && t->word_num[v]); }

/* needle (lower case) where a word starts: a stem ("smok" in "smoking"). */
static int has_stem(const Text *t, const char *needle) {
    for (const char *p = strstr(t->lc, needle); p; p = strstr(p + 1, needle))
        if (p == t->lc || !is_alpha(p[-1])) return 1;
    return 0;
}

/* name (any case) as whole words: "Texas", "St. Petersburg". */
static int has_name(const Text *t, const char *name) {
    size_t n = strlen(name);
    char *lc = malloc(n + 1);
    if (!lc) return 0;
    for (size_t i = 0; i <= n; i++) lc[i] = (char)tolower((unsigned char)name[i]);
    int found = 0;
    for (const char *p = strstr(t->lc, lc); p && !found; p = strstr(p + 1, lc))
        found = (p == t->lc || !is_alpha(p[-1])) && !is_alpha(p[n]);
    free(lc);
    return found;
}

static int any_stem(const Text *t, const char *const *stems) {
    for (int i = 0; stems[i]; i++)
        if (has_stem(t, stems[i])) return 1;
    return 0;
}

static char *why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *why(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s ? s : strdup("out of memory");
}

static int day_of(const char *date) { return date && strlen(date) >= 10 ? atoi(date + 8) : -1; }

static const char *const NOT_SHARED[] = {"not shared", "unshared", "non-shared", "not be shared", "no shared", "n't shared", NULL};

static char *check_constraints(const TpQuery *q, const Text *t) {
    if (q->house_rule) {
        static const char *const rules[][4] = {{"smoking", "smok", NULL}, {"parties", "part", NULL}, {"children under 10", "child", "kid", NULL},
                                               {"visitors", "visit", "guest", NULL}, {"pets", "pet", NULL}};
        for (size_t k = 0; k < sizeof rules / sizeof *rules; k++)
            if (!strcmp(q->house_rule, rules[k][0])) {
                int ok = any_stem(t, &rules[k][1]) && (k != 2 || has_digits(t, 10) || t->word_num[10]);
                if (!ok) return why("the house rule (%s) is not stated", q->house_rule);
            }
    }
    for (int i = 0; i < q->n_cuisine; i++)
        if (!has_name(t, q->cuisine[i])) return why("the cuisine %s is not named", q->cuisine[i]);
    if (q->room_type) {
        static const char *const entire[] = {"entire", "whole", NULL}, *const priv[] = {"private", NULL};
        int ok = 1;
        if (!strcmp(q->room_type, "entire room")) ok = any_stem(t, entire);
        else if (!strcmp(q->room_type, "private room")) ok = any_stem(t, priv);
        else if (!strcmp(q->room_type, "not shared room")) ok = any_stem(t, NOT_SHARED);
        else if (!strcmp(q->room_type, "shared room")) ok = has_stem(t, "shared") && !any_stem(t, NOT_SHARED);
        if (!ok) return why("the room type (%s) is not stated", q->room_type);
    }
    if (q->transportation) {
        static const char *const fly[] = {"fly", "flight", "plane", "air", NULL}, *const drive[] = {"driv", NULL};
        int ok = !strcmp(q->transportation, "no flight") ? any_stem(t, fly) : !strcmp(q->transportation, "no self-driving") ? any_stem(t, drive) : 1;
        if (!ok) return why("the transportation constraint (%s) is not stated", q->transportation);
    }
    return NULL;
}

/* Every amount written with '$' is the budget; every number one of the query's. */
static char *check_figures(const TpQuery *q, const Text *t) {
    for (const char *p = strchr(t->lc, '$'); p; p = strchr(p + 1, '$')) {
        const char *s = p + 1, *e;
        while (*s == ' ') s++;
        if (is_digit(*s) && read_number(s, &e) != q->budget) return why("an amount ($%.*s) that is not the budget", (int)(e - s), s);
    }
    long allowed[64];
    int na = 0;
    allowed[na++] = q->days, allowed[na++] = q->people_number, allowed[na++] = q->visiting_city_number;
    allowed[na++] = q->budget, allowed[na++] = 2022, allowed[na++] = 3;
    if (q->house_rule && !strcmp(q->house_rule, "children under 10")) allowed[na++] = 10;
    for (int i = 0; i < q->n_date && na < 64; i++) allowed[na++] = day_of(q->date[i]);
    for (int i = 0; i < t->n_num; i++) {
        int ok = 0;
        for (int k = 0; k < na && !ok; k++) ok = t->num[i] >= 0 && t->num[i] == allowed[k];
        if (!ok) {
            if (t->num[i] < 0) return why("a figure that is not a whole number");
            return why("the number %ld is none of the query's figures", t->num[i]);
        }
    }
    return NULL;
}

char *tp_paraphrase_check(const TpQuery *q, const char *text) {
    Text t;
    text_read(&t, text ? text : "");
    char *r = NULL;
    static const char *const group[] = {"people", "persons", "travellers", "travelers", "group", "couple", "pair", "family", "friends",
                                        "adults", NULL};
    int d1 = q->n_date ? day_of(q->date[0]) : -1, d2 = q->n_date ? day_of(q->date[q->n_date - 1]) : -1;
    int month = has_name(&t, "march") || has_name(&t, "mar") || strstr(t.lc, "2022-03-") != NULL;
    if (!t.lc) r = strdup("out of memory");
    else if (!has_name(&t, q->org)) r = why("the origin %s is not named", q->org);
    else if (!has_name(&t, q->dest)) r = why("the destination %s is not named", q->dest);
    else if (q->visiting_city_number > 1 && !has_number(&t, q->visiting_city_number))
        r = why("the number of cities to visit (%d) is missing", q->visiting_city_number);
    else if (q->people_number == 1 && any_stem(&t, group)) r = why("a group where the query has one traveller");
    else if (q->people_number > 1 && !has_number(&t, q->people_number) &&
             !(q->people_number == 2 && (has_stem(&t, "couple") || has_stem(&t, "pair") || has_stem(&t, "duo"))))
        r = why("the number of people (%d) is missing", q->people_number);
    else if (!month || !has_digits(&t, 2022) || !has_number(&t, d1) || !has_number(&t, d2))
        r = why("the dates (March %d to March %d, 2022) are not all stated", d1, d2);
    else if (!has_digits(&t, q->budget)) r = why("the budget (%ld) is missing", q->budget);
    else if (!(r = check_figures(q, &t))) r = check_constraints(q, &t);
    free(t.lc);
    return r;
}

int tp_query_retext(const TpQuery *q, const char *text, const char *note_json, Buf *out, Err *err) {
    Buf key;
    buf_init(&key);
    buf_puts(&key, "\"query\": ");
    if (q->query) buf_json_str(&key, q->query);
    const char *at = q->json && q->query && key.data ? strstr(q->json, key.data) : NULL;
    if (!at) {
        buf_free(&key);
        return err_set(err, IM_IO, "query line %d (idx %d): not in the form `imagine queries generate` writes (its \"query\" field)",
                       q->line, q->idx);
    }
    buf_append(out, q->json, (size_t)(at - q->json));
    buf_puts(out, "\"query\": ");
    buf_json_str(out, text);
    buf_puts(out, ", \"query_template\": ");
    buf_json_str(out, q->query);
    buf_puts(out, ", \"paraphrase\": ");
    buf_puts(out, note_json);
    buf_puts(out, at + key.len);
    buf_free(&key);
    return IM_OK;
}
