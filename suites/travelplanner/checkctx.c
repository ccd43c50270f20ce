/* checkctx.c: Python value semantics and crash handling for the checks. */
#include "checkctx.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TpVerdict tp_pass(void) { TpVerdict v = {1, NULL}; return v; }
TpVerdict tp_none(void) { TpVerdict v = {-1, NULL}; return v; }

TpVerdict tp_failf(const char *fmt, ...) {
    Buf b;
    buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    char tmp[2048];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_puts(&b, tmp);
    TpVerdict v = {0, buf_take(&b)};
    return v;
}

TpVerdict tp_check_run(Ctx *c, TpCheckFn fn) {
    if (setjmp(c->jb)) return tp_failf("%s", c->crash);
    return fn(c);
}

_Noreturn void ctx_crash(Ctx *c, int day, const char *field, const char *what) {
    if (day > 0 && field)
        snprintf(c->crash, sizeof c->crash, "plan line %d, day %d, field '%s': %s (the official evaluator raises an error here)",
                 c->line, day, field, what);
    else if (day > 0)
        snprintf(c->crash, sizeof c->crash, "plan line %d, day %d: %s (the official evaluator raises an error here)", c->line,
                 day, what);
    else
        snprintf(c->crash, sizeof c->crash, "plan line %d: %s (the official evaluator raises an error here)", c->line, what);
    longjmp(c->jb, 1);
}

static const char *type_name(const cJSON *v) {
    if (!v) return "nothing";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "a list";
    return "an object";
}

const cJSON *ctx_day(Ctx *c, int i) {
    const cJSON *u = cJSON_GetArrayItem(c->plan, i);
    if (!cJSON_IsObject(u)) {
        char what[96];
        snprintf(what, sizeof what, "the day is %s, expected an object", type_name(u));
        ctx_crash(c, i + 1, NULL, what);
    }
    return u;
}

const cJSON *ctx_get(Ctx *c, const cJSON *unit, int i, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(unit, key);
    if (!v) ctx_crash(c, i + 1, key, "missing key");
    return v;
}

int ctx_has(const cJSON *unit, const char *key) { return cJSON_GetObjectItemCaseSensitive(unit, key) != NULL; }

int py_truthy(const cJSON *v) {
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v)) return 0;
    if (cJSON_IsTrue(v)) return 1;
    if (cJSON_IsNumber(v)) return v->valuedouble != 0;
    if (cJSON_IsString(v)) return v->valuestring[0] != 0;
    return v->child != NULL; /* list or dict */
}

int py_eq(const cJSON *v, const char *s) { return cJSON_IsString(v) && !strcmp(v->valuestring, s); }

TpSpan ctx_str(Ctx *c, const cJSON *v, int i, const char *field) {
    if (!cJSON_IsString(v)) {
        char what[96];
        snprintf(what, sizeof what, "expected a string, got %s", type_name(v));
        ctx_crash(c, i + 1, field, what);
    }
    return tp_span(v->valuestring);
}

int ctx_in(Ctx *c, TpSpan needle, const cJSON *v, int i, const char *field) {
    if (cJSON_IsString(v)) return tp_span_contains(tp_span(v->valuestring), needle.p, needle.n);
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v) {
            const char *s = cJSON_IsObject(v) ? it->string : (cJSON_IsString(it) ? it->valuestring : NULL);
            if (s && strlen(s) == needle.n && !memcmp(s, needle.p, needle.n)) return 1;
        }
        return 0;
    }
    char what[96];
    snprintf(what, sizeof what, "expected a string, got %s", type_name(v));
    ctx_crash(c, i + 1, field, what);
}

void py_str(const cJSON *v, char *out, size_t cap) {
    if (cJSON_IsString(v)) {
        snprintf(out, cap, "%s", v->valuestring);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    snprintf(out, cap, "%s", s ? s : "?");
    free(s);
}

void ctx_name_city(Ctx *c, TpSpan s, TpSpan *name, TpSpan *city) {
    if (tp_name_city(s, name, city)) return;
    if (c->log) {
        buf_append(c->log, s.p, s.n);
        buf_puts(c->log, " can not be parsed, '-' will be used instead.\n");
    }
    *name = *city = tp_span("-");
}

int span_icontains(TpSpan hay, const char *needle) {
    size_t n = strlen(needle);
    if (n > hay.n) return 0;
    for (size_t i = 0; i + n <= hay.n; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)hay.p[i + k]) == needle[k]) k++;
        if (k == n) return 1;
    }
    return 0;
}

/* Copies a span into a NUL-terminated buffer (NULL when too long: a name
 * that long matches no row of the sandbox). */
static const char *cstr(TpSpan s, char *buf, size_t cap) {
    if (s.n + 1 > cap || memchr(s.p, 0, s.n)) return NULL;
    memcpy(buf, s.p, s.n);
    buf[s.n] = 0;
    return buf;
}

int ctx_find_acc(Ctx *c, TpSpan name, TpSpan city, int *count) {
    char nb[4096], cb[1024];
    const char *n = cstr(name, nb, sizeof nb), *ci = cstr(city, cb, sizeof cb);
    if (count) *count = 0;
    return n && ci ? tp_db_find_acc(c->db, n, ci, count) : -1;
}

int ctx_find_rest(Ctx *c, TpSpan name, TpSpan city) {
    char nb[4096], cb[1024];
    const char *n = cstr(name, nb, sizeof nb), *ci = cstr(city, cb, sizeof cb);
    return n && ci ? tp_db_find_rest(c->db, n, ci) : -1;
}

int ctx_find_attr(Ctx *c, TpSpan name, TpSpan city) {
    char nb[4096], cb[1024];
    const char *n = cstr(name, nb, sizeof nb), *ci = cstr(city, cb, sizeof cb);
    return n && ci ? tp_db_find_attr(c->db, n, ci) : -1;
}

TpSpan ctx_flight_number(Ctx *c, TpSpan value, int i) {
    static const char key[] = "Flight Number: ";
    const char *p = memmem(value.p, value.n, key, sizeof key - 1);
    if (!p) ctx_crash(c, i + 1, "transportation", "no 'Flight Number: ' to split on");
    p += sizeof key - 1;
    /* [1] is the piece up to the next separator, then up to a comma */
    const char *end = value.p + value.n, *next = memmem(p, (size_t)(end - p), key, sizeof key - 1);
    if (next) end = next;
    const char *comma = memchr(p, ',', (size_t)(end - p));
    TpSpan r = {p, (size_t)((comma ? comma : end) - p)};
    return r;
}

int ctx_distance_cost(Ctx *c, TpSpan org, TpSpan dest, char mode, long *cost) {
    char ob[1024], db[1024];
    const char *o = cstr(org, ob, sizeof ob), *d = cstr(dest, db, sizeof db);
    return o && d ? tp_db_distance_cost(c->db, o, d, mode, cost) : 0;
}
