/* parse.c: model text -> plan JSON array. Three readers in order of
 * preference (fenced JSON, bare JSON, the day-by-day text format); the
 * first that finds a plan wins, else the most informative failure is
 * reported with its line and column. Pure: no I/O, no globals. */
#include "parse.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

/* The fields of a day, as the submission spells them, and the labels of
 * the text format that name them. */
static const char *const FIELDS[] = {"current_city", "transportation", "breakfast", "attraction", "lunch", "dinner", "accommodation"};
enum { NFIELDS = 7 };

static void line_col(const char *text, const char *at, int *line, int *col) {
    *line = 1, *col = 1;
    for (const char *p = text; p < at && *p; p++) {
        if (*p == '\n') (*line)++, *col = 1;
        else (*col)++;
    }
}

/* ---- JSON --------------------------------------------------------------- */

/* "Current City" / "current-city" / "CurrentCity"? -> "current_city"; "days" -> "day". */
static char *norm_key(const char *k) {
    size_t n = strlen(k);
    char *s = malloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        s[j++] = (c == ' ' || c == '-') ? '_' : (char)tolower(c);
    }
    s[j] = 0;
    if (!strcmp(s, "days")) strcpy(s, "day");
    else if (!strcmp(s, "attractions")) strcpy(s, "attraction");
    else if (!strcmp(s, "accommodations")) strcpy(s, "accommodation");
    return s;
}

static int looks_like_day(const cJSON *d) {
    if (!cJSON_IsObject(d)) return 0;
    if (!d->child) return 1; /* {} padding is kept as written */
    int known = 0;
    for (const cJSON *it = d->child; it; it = it->next) {
        char *k = norm_key(it->string);
        for (int f = 0; f < NFIELDS; f++) known += !strcmp(k, FIELDS[f]);
        free(k);
    }
    return known > 0;
}

/* The plan array inside a parsed value, or NULL. */
static const cJSON *plan_of(const cJSON *v) {
    if (cJSON_IsObject(v)) {
        for (const cJSON *it = v->child; it; it = it->next)
            if (!strcmp(it->string, "plan") || !strcmp(it->string, "Plan")) return plan_of(it);
        return NULL;
    }
    if (!cJSON_IsArray(v) || !v->child) return NULL;
    for (const cJSON *d = v->child; d; d = d->next)
        if (!looks_like_day(d)) return NULL;
    return v;
}

static char *plan_json_of(const cJSON *plan) {
    cJSON *out = cJSON_CreateArray();
    for (const cJSON *d = plan->child; d; d = d->next) {
        cJSON *o = cJSON_CreateObject();
        for (const cJSON *it = d->child; it; it = it->next) {
            char *k = norm_key(it->string);
            cJSON_DeleteItemFromObjectCaseSensitive(o, k);
            cJSON_AddItemToObject(o, k, cJSON_Duplicate(it, 1));
            free(k);
        }
        cJSON_AddItemToArray(out, o);
    }
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

typedef struct Failure {
    char msg[600];
    int rank; /* higher is more informative */
} Failure;

static void fail_at(Failure *f, int rank, const char *text, const char *at, const char *fmt, const char *what) {
    if (rank < f->rank) return;
    int line, col;
    line_col(text, at, &line, &col);
    char ctx[48];
    size_t k = 0;
    for (const char *p = at; *p && *p != '\n' && k < 40; p++) ctx[k++] = *p;
    ctx[k] = 0;
    char head[400];
    snprintf(head, sizeof head, fmt, what);
    snprintf(f->msg, sizeof f->msg, "%s at line %d, column %d ('%s')", head, line, col, ctx);
    f->rank = rank;
}

/* Tries to read one JSON value at p (length n); a plan or NULL. */
static char *json_plan_at(const char *text, const char *p, size_t n, Failure *f) {
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(p, n, &end, 0);
    if (!v) { /* cJSON sets end to the error's place; cJSON_GetErrorPtr is one global that other runs' threads overwrite */
        fail_at(f, 2, text, end && end >= p && end <= p + n ? end : p, "%s", "invalid JSON in the plan");
        return NULL;
    }
    const cJSON *plan = plan_of(v);
    char *s = NULL;
    if (plan) s = plan_json_of(plan);
    else fail_at(f, 1, text, p, "%s", "JSON that is not a plan (expected an array of day objects or {\"plan\": [...]})");
    cJSON_Delete(v);
    return s;
}

/* The last fenced block (``` or ```json) that holds a plan. */
static char *from_fences(const char *text, Failure *f) {
    char *best = NULL;
    const char *p = text;
    while ((p = strstr(p, "```"))) {
        const char *body = p + 3;
        while (isalnum((unsigned char)*body)) body++; /* language tag */
        const char *close = strstr(body, "```");
        if (!close) {
            fail_at(f, 1, text, p, "%s", "a code fence that is never closed");
            break;
        }
        const char *s = body;
        while (s < close && isspace((unsigned char)*s)) s++;
        if (s < close && (*s == '[' || *s == '{')) {
            char *plan = json_plan_at(text, s, (size_t)(close - s), f);
            if (plan) free(best), best = plan;
        }
        p = close + 3;
    }
    return best;
}

/* The last bare JSON plan: candidates are '[' followed by '{', and '{'
 * followed by a "plan" key. Bounded number of tries. */
static char *from_bare_json(const char *text, Failure *f) {
    char *best = NULL;
    int tries = 0;
    size_t n = strlen(text);
    for (const char *p = text; *p && tries < 400; p++) {
        if (*p != '[' && *p != '{') continue;
        const char *q = p + 1;
        while (isspace((unsigned char)*q)) q++;
        if (*p == '[' ? *q != '{' : strncmp(q, "\"plan\"", 6) != 0) continue;
        tries++;
        const char *end = NULL;
        cJSON *v = cJSON_ParseWithLengthOpts(p, n - (size_t)(p - text), &end, 0);
        if (!v) { /* end, not cJSON_GetErrorPtr: that is one global that other threads' parses overwrite */
            fail_at(f, 2, text, end && end >= p && end <= text + n ? end : p, "%s", "invalid JSON in the plan");
            continue;
        }
        const cJSON *plan = plan_of(v);
        if (plan) {
            free(best);
            best = plan_json_of(plan);
            p = end ? end - 1 : p; /* skip what was read */
        }
        cJSON_Delete(v);
    }
    return best;
}

/* ---- the day-by-day text format ----------------------------------------- */

typedef struct Line {
    const char *s; /* start */
    size_t n;      /* length without \r\n */
} Line;

/* Skips markdown decoration: spaces, '#', '*', '-', '>', '_' at the start. */
static const char *skip_deco(const char *s, const char *e) {
    while (s < e && (*s == ' ' || *s == '\t' || *s == '#' || *s == '*' || *s == '-' || *s == '>' || *s == '_')) s++;
    return s;
}

/* "Day N" at the start of a (decorated) line: returns N, else 0. */
static int day_header(const Line *l) {
    const char *e = l->s + l->n, *s = skip_deco(l->s, e);
    if (e - s < 5 || strncasecmp(s, "day", 3)) return 0;
    s += 3;
    while (s < e && *s == ' ') s++;
    if (s >= e || !isdigit((unsigned char)*s)) return 0;
    int n = 0;
    while (s < e && isdigit((unsigned char)*s) && n < 1000) n = n * 10 + (*s++ - '0');
    while (s < e && (*s == '*' || *s == ' ')) s++;
    if (s < e && *s != ':' && *s != '(' && *s != '-' && *s != ',') return 0;
    return n;
}

static const struct {
    const char *label;
    int field;
} LABELS[] = {{"current city", 0}, {"transportation", 1}, {"breakfast", 2}, {"attractions", 3}, {"attraction", 3},
              {"lunch", 4}, {"dinner", 5}, {"accommodations", 6}, {"accommodation", 6}};

/* "Label: value" (decorated): returns the field and sets the value span. */
static int field_line(const Line *l, const char **v, size_t *vn) {
    const char *e = l->s + l->n, *s = skip_deco(l->s, e);
    for (size_t i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++) {
        size_t k = strlen(LABELS[i].label);
        if ((size_t)(e - s) < k || strncasecmp(s, LABELS[i].label, k)) continue;
        const char *p = s + k;
        while (p < e && (*p == ' ' || *p == '*')) p++;
        if (p >= e || *p != ':') continue;
        p++;
        while (p < e && (*p == ' ' || *p == '\t')) p++;
        if (e - p >= 2 && p[0] == '*' && p[1] == '*') p += 2; /* "**Label:** value" */
        while (p < e && (*p == ' ' || *p == '\t')) p++;
        const char *q = e;
        while (q > p && (q[-1] == ' ' || q[-1] == '\t')) q--;
        *v = p, *vn = (size_t)(q - p);
        return LABELS[i].field;
    }
    return -1;
}

static Line *split_lines(const char *text, int *n) {
    int cap = 64;
    Line *ls = malloc((size_t)cap * sizeof *ls);
    *n = 0;
    const char *p = text;
    for (;;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        size_t vis = len;
        if (vis && p[vis - 1] == '\r') vis--;
        if (*n == cap) cap *= 2, ls = realloc(ls, (size_t)cap * sizeof *ls);
        ls[(*n)++] = (Line){p, vis};
        if (!e) break;
        p = e + 1;
    }
    return ls;
}

static void close_day(cJSON *plan, int day, char *vals[NFIELDS]) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "day", day);
    for (int f = 0; f < NFIELDS; f++) {
        cJSON_AddStringToObject(o, FIELDS[f], vals[f] && *vals[f] ? vals[f] : "-");
        free(vals[f]);
        vals[f] = NULL;
    }
    cJSON_AddItemToArray(plan, o);
}

static char *from_day_text(const char *text, Failure *f) {
    int n;
    Line *ls = split_lines(text, &n);
    int start = -1;
    for (int i = 0; i < n; i++)
        if (day_header(&ls[i]) == 1) start = i;
    if (start < 0) {
        fail_at(f, 0, text, text, "%s",
                "no plan found: expected a JSON plan (an array of day objects) or the day-by-day format starting 'Day 1:'");
        free(ls);
        return NULL;
    }
    cJSON *plan = cJSON_CreateArray();
    char *vals[NFIELDS] = {0};
    int day = 1, day_line = start, ok = 1;
    for (int i = start + 1; i <= n && ok; i++) {
        int dh = i < n ? day_header(&ls[i]) : -1;
        if (dh != 0) { /* next day, or the end */
            if (!vals[0]) {
                char what[64];
                snprintf(what, sizeof what, "Day %d has no 'Current City:' line", day);
                fail_at(f, 3, text, ls[day_line].s, "%s", what);
                ok = 0;
                break;
            }
            close_day(plan, day, vals);
            if (dh < 0) break;
            if (dh != day + 1) {
                char what[64];
                snprintf(what, sizeof what, "Day %d follows Day %d", dh, day);
                fail_at(f, 3, text, ls[i].s, "%s", what);
                ok = 0;
                break;
            }
            day = dh, day_line = i;
            continue;
        }
        const char *v;
        size_t vn;
        int fld = field_line(&ls[i], &v, &vn);
        if (fld >= 0 && !vals[fld]) vals[fld] = strndup(v, vn);
    }
    for (int k = 0; k < NFIELDS; k++) free(vals[k]);
    free(ls);
    char *s = ok ? cJSON_PrintUnformatted(plan) : NULL;
    cJSON_Delete(plan);
    return s;
}

/* ---- entry -------------------------------------------------------------- */

int tp_parse_plan(const char *text, char **plan_json, Err *err) {
    *plan_json = NULL;
    if (!text) text = "";
    Failure f = {.rank = -1};
    char *s = from_fences(text, &f);
    if (!s) s = from_bare_json(text, &f);
    if (!s) s = from_day_text(text, &f);
    if (s) {
        *plan_json = s;
        return IM_OK;
    }
    if (!*text) return err_set(err, IM_FAIL, "the model answered an empty text");
    return err_set(err, IM_FAIL, "%s", f.msg);
}
