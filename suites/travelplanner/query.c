/* query.c: loads and validates TravelPlanner query lines. */
#include "query.h"

#include <cJSON.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

const char *tp_level_name(int level) {
    static const char *const names[] = {"easy", "medium", "hard"};
    return level >= 0 && level < TP_NLEVELS ? names[level] : "?";
}

int tp_days_slot(int days) { return days == 3 ? 0 : days == 5 ? 1 : days == 7 ? 2 : -1; }

void tp_query_free(TpQuery *q) {
    if (!q) return;
    free(q->org), free(q->dest), free(q->query), free(q->json);
    free(q->house_rule), free(q->room_type), free(q->transportation);
    for (int i = 0; i < q->n_date; i++) free(q->date[i]);
    for (int i = 0; i < q->n_cuisine; i++) free(q->cuisine[i]);
    free(q->date), free(q->cuisine);
    memset(q, 0, sizeof *q);
}

void tp_queries_free(TpQuerySet *s) {
    if (!s) return;
    for (int i = 0; i < s->n; i++) tp_query_free(&s->q[i]);
    free(s->q), free(s->path), free(s);
}

#define BAD(...) (err_set(err, IM_IO, __VA_ARGS__), -1)

static int get_str(const cJSON *o, const char *key, char **out, int nullable, const char *file, int line, Err *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (nullable && (!v || cJSON_IsNull(v))) return *out = NULL, 0;
    if (!cJSON_IsString(v)) return BAD("%s:%d: field '%s' must be a string", file, line, key);
    *out = strdup(v->valuestring);
    return 0;
}

static int get_int(const cJSON *o, const char *key, long *out, const char *file, int line, Err *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble)
        return BAD("%s:%d: field '%s' must be a whole number", file, line, key);
    *out = (long)v->valuedouble;
    return 0;
}

static int get_str_list(const cJSON *v, char ***out, int *n, const char *what, const char *file, int line, Err *err) {
    if (!cJSON_IsArray(v)) return BAD("%s:%d: field '%s' must be a list of strings", file, line, what);
    int k = cJSON_GetArraySize(v);
    *out = calloc((size_t)k + 1, sizeof(char *));
    *n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, v) {
        if (!cJSON_IsString(it)) return BAD("%s:%d: field '%s' must be a list of strings", file, line, what);
        (*out)[(*n)++] = strdup(it->valuestring);
    }
    return 0;
}

static int parse_fields(const cJSON *o, const char *file, int line, TpQuery *q, Err *err) {
    long v;
    char *level = NULL;
    if (get_int(o, "idx", &v, file, line, err)) return -1;
    q->idx = (int)v;
    if (get_str(o, "org", &q->org, 0, file, line, err) || get_str(o, "dest", &q->dest, 0, file, line, err)) return -1;
    if (get_int(o, "days", &v, file, line, err)) return -1;
    q->days = (int)v;
    if (tp_days_slot(q->days) < 0) return BAD("%s:%d: field 'days' is %d, expected 3, 5 or 7", file, line, q->days);
    if (get_int(o, "visiting_city_number", &v, file, line, err)) return -1;
    q->visiting_city_number = (int)v;
    if (get_int(o, "people_number", &v, file, line, err)) return -1;
    q->people_number = (int)v;
    if (q->people_number < 1) return BAD("%s:%d: field 'people_number' must be at least 1", file, line);
    if (get_int(o, "budget", &q->budget, file, line, err)) return -1;
    if (get_str_list(cJSON_GetObjectItemCaseSensitive(o, "date"), &q->date, &q->n_date, "date", file, line, err)) return -1;
    if (get_str(o, "query", &q->query, 1, file, line, err) || get_str(o, "level", &level, 0, file, line, err)) return -1;
    q->level = !strcmp(level, "easy") ? TP_LEVEL_EASY : !strcmp(level, "medium") ? TP_LEVEL_MEDIUM
             : !strcmp(level, "hard") ? TP_LEVEL_HARD : -1;
    free(level);
    if (q->level < 0) return BAD("%s:%d: field 'level' must be easy, medium or hard", file, line);
    const cJSON *lc = cJSON_GetObjectItemCaseSensitive(o, "local_constraint");
    if (!cJSON_IsObject(lc)) return BAD("%s:%d: field 'local_constraint' must be an object", file, line);
    if (get_str(lc, "house rule", &q->house_rule, 1, file, line, err) ||
        get_str(lc, "room type", &q->room_type, 1, file, line, err) ||
        get_str(lc, "transportation", &q->transportation, 1, file, line, err))
        return err_prefix(err, "in local_constraint"), -1;
    const cJSON *cu = cJSON_GetObjectItemCaseSensitive(lc, "cuisine");
    if (cu && !cJSON_IsNull(cu)) {
        if (get_str_list(cu, &q->cuisine, &q->n_cuisine, "local_constraint.cuisine", file, line, err)) return -1;
        q->has_cuisine = q->n_cuisine > 0;
    }
    return 0;
}

/* End of the JSON string starting at s[i] == '"' (index after the closing
 * quote), or 0 when it does not end. */
static size_t string_end(const char *s, size_t i, size_t n) {
    for (const char *q = s + i + 1; q < s + n; q++) {
        q = memchr(q, '"', (size_t)(s + n - q));
        if (!q) return 0;
        size_t backslashes = 0; /* an odd run of them escapes this quote */
        while (q - backslashes - 1 > s + i && q[-(ptrdiff_t)backslashes - 1] == '\\') backslashes++;
        if (backslashes % 2 == 0) return (size_t)(q - s) + 1;
    }
    return 0;
}

/* The span of the string value of a top-level key (outside every string and
 * nested value), or 0 when the key is absent or its value is not a string. */
static int top_level_string(const char *s, size_t n, const char *key, size_t *vb, size_t *ve) {
    size_t klen = strlen(key);
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        else if (c == '"') {
            size_t e = string_end(s, i, n);
            if (!e) return 0;
            int is_key = depth == 1 && e - i - 2 == klen && !memcmp(s + i + 1, key, klen);
            size_t j = e;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) j++;
            if (is_key && j < n && s[j] == ':') {
                for (j++; j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'); j++) {}
                if (j >= n || s[j] != '"' || !(e = string_end(s, j, n))) return 0;
                *vb = j, *ve = e;
                return 1;
            }
            i = e - 1;
        }
    }
    return 0;
}

/* The evaluator reads none of the (long) reference information: it is
 * parsed as null, and kept in q->json for the methods that want it. */
static cJSON *parse_without_reference(const char *text) {
    size_t n = strlen(text), b, e;
    if (!top_level_string(text, n, "reference_information", &b, &e)) return cJSON_Parse(text);
    char *copy = malloc(n + 1);
    if (!copy) return NULL;
    memcpy(copy, text, b);
    memcpy(copy + b, "null", 4);
    memcpy(copy + b + 4, text + e, n - e + 1);
    cJSON *o = cJSON_Parse(copy);
    free(copy);
    return o;
}

int tp_query_parse(const char *text, const char *file, int line, TpQuery *q, Err *err) {
    memset(q, 0, sizeof *q);
    q->line = line;
    cJSON *o = parse_without_reference(text);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_IO, "%s:%d: not a JSON object", file, line);
    }
    int bad = parse_fields(o, file, line, q, err);
    cJSON_Delete(o);
    if (bad) {
        tp_query_free(q);
        return IM_IO;
    }
    q->json = strdup(text);
    return IM_OK;
}

int tp_queries_load(const char *path, TpQuerySet **out, Err *err) {
    *out = NULL;
    char *text;
    size_t len;
    int rc = fs_read_text(path, &text, &len, err);
    if (rc) return rc;
    TpQuerySet *s = calloc(1, sizeof *s);
    size_t cap = 64;
    s->q = calloc(cap, sizeof *s->q);
    s->path = strdup(path);
    int line = 0;
    for (char *p = text; p && *p;) {
        line++;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        char *t = p;
        while (*t == ' ' || *t == '\t' || *t == '\r') t++;
        if (*t) {
            if ((size_t)s->n == cap) {
                cap *= 2;
                s->q = realloc(s->q, cap * sizeof *s->q);
            }
            rc = tp_query_parse(t, path, line, &s->q[s->n], err);
            if (rc) break;
            s->n++;
        }
        p = nl ? nl + 1 : NULL;
    }
    free(text);
    if (!rc && s->n == 0) rc = err_set(err, IM_IO, "%s: no queries in the file", path);
    if (rc) {
        tp_queries_free(s);
        return rc;
    }
    *out = s;
    return IM_OK;
}
