/* answers.c: reading PlanBench answer files and judging them
 * (pb_answers.h). cJSON for the file; extraction and validation are
 * pb_extract / pb_validate. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "pb_answers.h"

static char *xdup(const char *s) {
    char *r = strdup(s ? s : "");
    if (!r) abort();
    return r;
}

/* "['a', "b"]" -> steps; returns 0 when s is not a Python list literal. */
static int py_list(const char *s, char ***steps, int *n) {
    const char *p = s;
    while (*p == ' ' || *p == '\n' || *p == '\t') p++;
    if (*p != '[') return 0;
    p++;
    int cap = 0;
    *steps = NULL;
    *n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == ',') p++;
        if (*p == ']') return 1;
        if (*p != '\'' && *p != '"') goto bad;
        char q = *p++;
        Buf b;
        buf_init(&b);
        buf_puts(&b, "");
        while (*p && *p != q) {
            if (*p == '\\' && p[1]) {
                p++;
                buf_putc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
            } else {
                buf_putc(&b, *p);
            }
            p++;
        }
        if (*p != q) {
            buf_free(&b);
            goto bad;
        }
        p++;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *steps = realloc(*steps, (size_t)cap * sizeof **steps);
            if (!*steps) abort();
        }
        (*steps)[(*n)++] = buf_take(&b);
    }
bad:
    for (int i = 0; i < *n; i++) free((*steps)[i]);
    free(*steps);
    *steps = NULL;
    *n = 0;
    return 0;
}

static char *join_lines(char **steps, int n) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        buf_puts(&b, steps[i]);
        buf_putc(&b, '\n');
    }
    return buf_take(&b);
}

void pb_answers_free(PbAnswers *s) {
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        PbAnswer *a = &s->a[i];
        free(a->raw);
        free(a->translation);
        free(a->stored);
        for (int k = 0; k < a->nstored; k++) free(a->stored_steps[k]);
        free(a->stored_steps);
    }
    free(s->a);
    free(s->path);
    free(s->domain);
    free(s->prompt_type);
    free(s->engine);
    free(s->task);
    free(s);
}

/* ---- a streaming JSON reader: decodes only the fields we use and skips
 * the rest (the prompts, "query", are most of a results file) ---- */
typedef struct Jr {
    const char *p, *end, *base, *path;
    Err *err;
} Jr;

static int jr_fail(Jr *r, const char *what) {
    return err_set(r->err, IM_IO, "%s: not valid JSON at byte %ld: %s", r->path, (long)(r->p - r->base), what);
}

static void jr_ws(Jr *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r')) r->p++;
}

static int jr_peek(Jr *r) {
    jr_ws(r);
    return r->p < r->end ? (unsigned char)*r->p : -1;
}

static int hex4(const char *p, unsigned *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        *v <<= 4;
        if (c >= '0' && c <= '9') *v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') *v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') *v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    return 1;
}

static void put_utf8(Buf *b, unsigned cp) {
    char t[4];
    if (cp < 0x80) buf_putc(b, (char)cp);
    else if (cp < 0x800) t[0] = (char)(0xC0 | (cp >> 6)), t[1] = (char)(0x80 | (cp & 0x3F)), buf_append(b, t, 2);
    else if (cp < 0x10000)
        t[0] = (char)(0xE0 | (cp >> 12)), t[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), t[2] = (char)(0x80 | (cp & 0x3F)), buf_append(b, t, 3);
    else
        t[0] = (char)(0xF0 | (cp >> 18)), t[1] = (char)(0x80 | ((cp >> 12) & 0x3F)), t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        t[3] = (char)(0x80 | (cp & 0x3F)), buf_append(b, t, 4);
}

/* A string at r->p (after whitespace); decoded into out unless out is NULL. */
static int jr_string(Jr *r, Buf *out) {
    if (jr_peek(r) != '"') return jr_fail(r, "expected a string");
    r->p++;
    for (;;) {
        const char *q = r->p;
        while (q < r->end && *q != '"' && *q != '\\') q++;
        if (out) buf_append(out, r->p, (size_t)(q - r->p));
        r->p = q;
        if (q >= r->end) return jr_fail(r, "unterminated string");
        if (*q == '"') {
            r->p++;
            if (out) buf_putc(out, 0), out->len--;
            return IM_OK;
        }
        if (q + 1 >= r->end) return jr_fail(r, "unterminated escape");
        char e = q[1];
        r->p = q + 2;
        if (e == 'u') {
            unsigned cp;
            if (r->end - r->p < 4 || !hex4(r->p, &cp)) return jr_fail(r, "bad \\u escape");
            r->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u' && hex4(r->p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    r->p += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            if (out) put_utf8(out, cp);
        } else {
            char c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'b' ? '\b' : e == 'f' ? '\f' : e;
            if (e != '"' && e != '\\' && e != '/' && e != 'n' && e != 't' && e != 'r' && e != 'b' && e != 'f')
                return jr_fail(r, "bad escape");
            if (out) buf_putc(out, c);
        }
    }
}

static int jr_skip(Jr *r, int depth);

static int jr_container(Jr *r, int depth, char close) {
    r->p++;
    if (jr_peek(r) == close) {
        r->p++;
        return IM_OK;
    }
    for (;;) {
        if (close == '}') {
            int rc = jr_string(r, NULL);
            if (rc) return rc;
            if (jr_peek(r) != ':') return jr_fail(r, "expected ':'");
            r->p++;
        }
        int rc = jr_skip(r, depth + 1);
        if (rc) return rc;
        int c = jr_peek(r);
        if (c == ',') {
            r->p++;
            continue;
        }
        if (c == close) {
            r->p++;
            return IM_OK;
        }
        return jr_fail(r, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int jr_skip(Jr *r, int depth) {
    if (depth > 200) return jr_fail(r, "nested too deeply");
    int c = jr_peek(r);
    if (c == '"') return jr_string(r, NULL);
    if (c == '{') return jr_container(r, depth, '}');
    if (c == '[') return jr_container(r, depth, ']');
    const char *b = r->p;
    while (r->p < r->end && (isalnum((unsigned char)*r->p) || *r->p == '-' || *r->p == '+' || *r->p == '.')) r->p++;
    if (r->p == b) return jr_fail(r, "expected a value");
    return IM_OK;
}

/* A scalar: kind 's' string (into *s), 'n' number, 't'/'f' booleans, 'z' null, 'a' array, 'o' object (skipped). */
typedef struct JVal {
    char kind;
    char *s;
    double num;
    char **arr;
    int narr, arr_bad;
} JVal;

static void jval_free(JVal *v) {
    free(v->s);
    for (int i = 0; i < v->narr; i++) free(v->arr[i]);
    free(v->arr);
    memset(v, 0, sizeof *v);
}

static int jr_value(Jr *r, JVal *v) {
    memset(v, 0, sizeof *v);
    int c = jr_peek(r);
    if (c == '"') {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "");
        int rc = jr_string(r, &b);
        v->kind = 's';
        v->s = buf_take(&b);
        return rc;
    }
    if (c == '[') { /* an array of strings (anything else marks it bad) */
        v->kind = 'a';
        r->p++;
        int cap = 0;
        if (jr_peek(r) == ']') {
            r->p++;
            return IM_OK;
        }
        for (;;) {
            if (jr_peek(r) == '"') {
                Buf b;
                buf_init(&b);
                buf_puts(&b, "");
                int rc = jr_string(r, &b);
                if (v->narr == cap) {
                    cap = cap ? cap * 2 : 16;
                    v->arr = realloc(v->arr, (size_t)cap * sizeof *v->arr);
                    if (!v->arr) abort();
                }
                v->arr[v->narr++] = buf_take(&b);
                if (rc) return rc;
            } else {
                v->arr_bad = 1;
                int rc = jr_skip(r, 1);
                if (rc) return rc;
            }
            int d = jr_peek(r);
            if (d == ',') {
                r->p++;
                continue;
            }
            if (d == ']') {
                r->p++;
                return IM_OK;
            }
            return jr_fail(r, "expected ',' or ']'");
        }
    }
    if (c == '{') {
        v->kind = 'o';
        return jr_skip(r, 0);
    }
    const char *b = r->p;
    int rc = jr_skip(r, 0);
    if (rc) return rc;
    size_t n = (size_t)(r->p - b);
    if (n == 4 && !strncmp(b, "true", 4)) v->kind = 't';
    else if (n == 5 && !strncmp(b, "false", 5)) v->kind = 'f';
    else if (n == 4 && !strncmp(b, "null", 4)) v->kind = 'z';
    else {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 63 ? n : 63), b);
        char *e;
        v->num = strtod(tmp, &e);
        if (*e) return jr_fail(r, "bad literal");
        v->kind = 'n';
    }
    return IM_OK;
}

/* Reads one instance object into a. */
static int read_instance(Jr *r, PbAnswer *a, int index, const char *path, Err *err) {
    if (jr_peek(r) != '{') return jr_fail(r, "expected an instance object");
    r->p++;
    JVal id = {0}, llm_correct = {0}, correct = {0};
    int has_id = 0, rc = IM_OK;
    a->verdict = -1;
    if (jr_peek(r) == '}') r->p++;
    else
        for (;;) {
            Buf k;
            buf_init(&k);
            buf_puts(&k, "");
            rc = jr_string(r, &k);
            if (!rc && jr_peek(r) != ':') rc = jr_fail(r, "expected ':'");
            if (rc) {
                buf_free(&k);
                break;
            }
            r->p++;
            const char *key = k.data;
            JVal v;
            if (!strcmp(key, "instance_id")) rc = jr_value(r, &id), has_id = 1;
            else if (!strcmp(key, "llm_correct")) rc = jr_value(r, &llm_correct);
            else if (!strcmp(key, "correct")) rc = jr_value(r, &correct);
            else if (!strcmp(key, "llm_raw_response") || !strcmp(key, "raw_translation") || !strcmp(key, "extracted_llm_plan")) {
                rc = jr_value(r, &v);
                if (!rc) {
                    if (!strcmp(key, "llm_raw_response")) {
                        if (v.kind == 's') free(a->raw), a->raw = v.s, v.s = NULL;
                    } else if (!strcmp(key, "raw_translation")) {
                        if (v.kind == 's') free(a->translation), a->translation = v.s, v.s = NULL;
                    } else if (v.kind == 's') {
                        if (py_list(v.s, &a->stored_steps, &a->nstored)) {
                            a->stored = join_lines(a->stored_steps, a->nstored);
                        } else {
                            a->stored = v.s, v.s = NULL;
                            a->stored_is_text = 1;
                            pb_plan_lines(a->stored, &a->stored_steps, &a->nstored);
                        }
                    } else if (v.kind == 'a') {
                        if (v.arr_bad) rc = err_set(err, IM_IO, "%s: instances[%d]: \"extracted_llm_plan\" list holds a non-string", path, index);
                        a->stored_steps = v.arr, a->nstored = v.narr, v.arr = NULL, v.narr = 0;
                        a->stored = join_lines(a->stored_steps, a->nstored);
                    }
                }
                jval_free(&v);
            } else {
                rc = jr_skip(r, 1);
            }
            buf_free(&k);
            if (rc) break;
            int c = jr_peek(r);
            if (c == ',') {
                r->p++;
                continue;
            }
            if (c == '}') {
                r->p++;
                break;
            }
            rc = jr_fail(r, "expected ',' or '}' in an instance");
            break;
        }
    if (!rc && (!has_id || id.kind != 'n' || id.num < 1 || id.num != (double)(int)id.num))
        rc = err_set(err, IM_IO, "%s: instances[%d]: \"instance_id\" must be a positive integer", path, index);
    if (!rc) a->id = (int)id.num;
    const JVal *v = llm_correct.kind ? &llm_correct : &correct;
    if (!rc) {
        if (v->kind == 't' || v->kind == 'f') a->verdict = v->kind == 't';
        else if (v->kind == 's' && (!strcmp(v->s, "True") || !strcmp(v->s, "False"))) a->verdict = !strcmp(v->s, "True");
        else if (v->kind == 'n') a->verdict = v->num != 0;
        else if (v->kind && v->kind != 'z')
            rc = err_set(err, IM_IO, "%s: instance %d: verdict must be true/false or \"True\"/\"False\"", path, a->id);
    }
    jval_free(&id);
    jval_free(&llm_correct);
    jval_free(&correct);
    return rc;
}

int pb_answers_parse(const char *json, size_t len, const char *path, PbAnswers **out, Err *err) {
    *out = NULL;
    Jr r = {json, json + len, json, path, err};
    if (jr_peek(&r) != '{') return jr_fail(&r, "expected the results object {\"instances\": [...]}");
    r.p++;
    PbAnswers *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->path = xdup(path);
    int rc = IM_OK, seen = 0, cap = 0;
    if (jr_peek(&r) == '}') r.p++;
    else
        for (;;) {
            Buf k;
            buf_init(&k);
            buf_puts(&k, "");
            rc = jr_string(&r, &k);
            if (!rc && jr_peek(&r) != ':') rc = jr_fail(&r, "expected ':'");
            if (rc) {
                buf_free(&k);
                break;
            }
            r.p++;
            char **hdr = !strcmp(k.data, "domain") ? &s->domain : !strcmp(k.data, "prompt_type") ? &s->prompt_type
                         : !strcmp(k.data, "engine") ? &s->engine : !strcmp(k.data, "task") ? &s->task : NULL;
            if (!strcmp(k.data, "instances")) {
                seen = 1;
                if (jr_peek(&r) != '[') rc = jr_fail(&r, "\"instances\" must be a list");
                else {
                    r.p++;
                    if (jr_peek(&r) == ']') r.p++;
                    else
                        for (;;) {
                            if (s->n == cap) {
                                cap = cap ? cap * 2 : 512;
                                s->a = realloc(s->a, (size_t)cap * sizeof *s->a);
                                if (!s->a) abort();
                            }
                            memset(&s->a[s->n], 0, sizeof s->a[0]);
                            rc = read_instance(&r, &s->a[s->n], s->n, path, err);
                            s->n++;
                            if (rc) break;
                            int c = jr_peek(&r);
                            if (c == ',') {
                                r.p++;
                                continue;
                            }
                            if (c == ']') {
                                r.p++;
                                break;
                            }
                            rc = jr_fail(&r, "expected ',' or ']' after an instance");
                            break;
                        }
                }
            } else if (hdr) {
                JVal v;
                rc = jr_value(&r, &v);
                if (!rc && v.kind == 's') free(*hdr), *hdr = v.s, v.s = NULL;
                jval_free(&v);
            } else {
                rc = jr_skip(&r, 1);
            }
            buf_free(&k);
            if (rc) break;
            int c = jr_peek(&r);
            if (c == ',') {
                r.p++;
                continue;
            }
            if (c == '}') {
                r.p++;
                break;
            }
            rc = jr_fail(&r, "expected ',' or '}'");
            break;
        }
    if (!rc && jr_peek(&r) != -1) rc = jr_fail(&r, "trailing text after the results object");
    if (!rc && !seen)
        rc = err_set(err, IM_IO, "%s: no \"instances\" list (expected the PlanBench results format: {\"instances\": [{\"instance_id\", \"llm_raw_response\", ...}]})", path);
    if (rc) {
        pb_answers_free(s);
        return rc;
    }
    *out = s;
    return IM_OK;
}

int pb_answers_load(const char *path, PbAnswers **out, Err *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return rc;
    rc = pb_answers_parse(text, len, path, out, err);
    free(text);
    return rc;
}

static int dialects_may_differ(const char *t) {
    if (strchr(t, '*')) return 1;
    for (const char *p = t; (p = strchr(p, '[')) != NULL; p++)
        if (!strncasecmp(p, "[plan]", 6)) return 1;
    for (const char *p = t; (p = strchr(p, '#')) != NULL; p++)
        if (!strncasecmp(p, "### plan:", 9)) return 1;
    return 0;
}

static int same_as_stored(const PbAnswer *a, const PbExtracted *x) {
    if (!a->stored) return !x->ok;
    if (!x->ok) return 0;
    if (a->stored_is_text) return !strcmp(x->text, a->stored);
    if (x->nsteps != a->nstored) return 0;
    for (int i = 0; i < a->nstored; i++)
        if (strcmp(x->steps[i], a->stored_steps[i])) return 0;
    return 1;
}

int pb_answer_extraction_matches(const PbVariant *v, const PbAnswer *a, PbDialect dialect, PbExtracted *mine) {
    pb_extract(&v->x, dialect, a->raw, a->translation, mine);
    return same_as_stored(a, mine);
}

void pb_items_free(PbItem *items, int n) {
    if (!items) return;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < items[i].nsteps; k++) free(items[i].steps[k]);
        free(items[i].steps);
        free(items[i].text);
    }
    free(items);
}

/* The extractions of a file under every candidate: x[i * PB_X_COUNT + d];
 * when the rule extractors cannot differ on answer i, only slot
 * PB_X_ANALYSIS is filled and stands for all. */
typedef struct Cache {
    PbExtracted *x;
    char *shared;
    int n;
} Cache;

static const PbExtracted *cached(const Cache *c, int i, int d) {
    return &c->x[i * PB_X_COUNT + (c->shared[i] ? PB_X_ANALYSIS : d)];
}

static void cache_free(Cache *c) {
    for (int i = 0; c->x && i < c->n * PB_X_COUNT; i++) pb_extracted_free(&c->x[i]);
    free(c->x);
    free(c->shared);
}

/* Extracts every answer with every candidate extractor, picks the one that
 * agrees with more stored plans (ties: analysis, then plan-bench-md, then
 * plan-bench; translations: the current reader unless the earlier one
 * agrees more often). */
static PbDialect choose_dialect(const PbVariant *v, const PbAnswers *s, PbDialect forced, Cache *c) {
    c->n = s->n;
    c->x = calloc((size_t)(s->n ? s->n : 1) * PB_X_COUNT, sizeof *c->x);
    c->shared = calloc((size_t)(s->n ? s->n : 1), 1);
    if (!c->x || !c->shared) abort();
    int agree[PB_X_COUNT] = {0}, tr[2] = {0, 0};
    for (int i = 0; i < s->n; i++) {
        const PbAnswer *a = &s->a[i];
        if (!a->raw || !*a->raw) continue;
        PbExtracted *x = &c->x[i * PB_X_COUNT];
        if (a->translation) {
            c->shared[i] = 1;
            pb_extract(&v->x, forced != PB_X_AUTO ? forced : PB_X_ANALYSIS, a->raw, a->translation, &x[PB_X_ANALYSIS]);
            if (!a->stored || forced != PB_X_AUTO) continue;
            PbExtracted early;
            pb_extract(&v->x, PB_X_ANALYSIS | PB_X_TR_EARLY, a->raw, a->translation, &early);
            tr[0] += same_as_stored(a, &x[PB_X_ANALYSIS]);
            tr[1] += same_as_stored(a, &early);
            pb_extracted_free(&early);
            continue;
        }
        if (forced != PB_X_AUTO || v->x.kind == PB_DOM_LOGISTICS || !dialects_may_differ(a->raw)) {
            c->shared[i] = forced == PB_X_AUTO || v->x.kind == PB_DOM_LOGISTICS || !dialects_may_differ(a->raw);
            PbDialect d = c->shared[i] ? PB_X_ANALYSIS : forced;
            pb_extract(&v->x, d, a->raw, NULL, &x[d]);
            continue;
        }
        for (int d = PB_X_PLANBENCH; d < PB_X_COUNT; d++) {
            pb_extract(&v->x, (PbDialect)d, a->raw, NULL, &x[d]);
            if (a->stored) agree[d] += same_as_stored(a, &x[d]);
        }
    }
    if (forced != PB_X_AUTO) return forced;
    int best = PB_X_ANALYSIS;
    for (int d = PB_X_ANALYSIS - 1; d >= PB_X_PLANBENCH; d--)
        if (agree[d] > agree[best]) best = d;
    if (tr[1] > tr[0]) {
        best |= PB_X_TR_EARLY;
        for (int i = 0; i < s->n; i++) /* re-read the translations the earlier way */
            if (s->a[i].raw && *s->a[i].raw && s->a[i].translation) {
                PbExtracted *x = &c->x[i * PB_X_COUNT + PB_X_ANALYSIS];
                pb_extracted_free(x);
                pb_extract(&v->x, (PbDialect)best, s->a[i].raw, s->a[i].translation, x);
            }
    }
    return (PbDialect)best;
}

static void set_steps(PbItem *it, char **steps, int n) {
    it->steps = calloc((size_t)(n ? n : 1), sizeof(char *));
    if (!it->steps) abort();
    for (int k = 0; k < n; k++) it->steps[k] = xdup(steps[k]);
    it->nsteps = n;
}

int pb_answers_eval(PbVariant *v, const PbAnswers *s, int use_stored, PbDialect dialect, PbDialect *chosen, PbItem **items,
                    Err *err) {
    *items = NULL;
    Cache c = {0};
    if (!use_stored) dialect = choose_dialect(v, s, dialect, &c);
    else if (dialect == PB_X_AUTO) dialect = PB_X_ANALYSIS;
    if (chosen) *chosen = dialect;
    PbItem *out = calloc((size_t)(s->n ? s->n : 1), sizeof *out);
    if (!out) abort();
    for (int i = 0; i < s->n; i++) {
        const PbAnswer *a = &s->a[i];
        PbItem *it = &out[i];
        it->id = a->id;
        it->correct = -1;
        int has_raw = a->raw && *a->raw;
        if (use_stored ? (!has_raw && !a->stored) : !has_raw) {
            snprintf(it->reason, sizeof it->reason, "no response");
            continue;
        }
        const PbProblem *p;
        int rc = pb_variant_problem(v, a->id, &p, err);
        if (rc) {
            err_prefix(err, "%s: instance %d", s->path, a->id);
            pb_items_free(out, s->n);
            cache_free(&c);
            return rc;
        }
        const char *text = NULL;
        if (use_stored) {
            if (!a->stored) {
                it->correct = 0;
                snprintf(it->reason, sizeof it->reason, "no extracted plan stored (the authors' extractor failed on this response)");
                continue;
            }
            text = a->stored;
            set_steps(it, a->stored_steps, a->nstored);
        } else {
            const PbExtracted *x = cached(&c, i, PB_X_RULES(dialect));
            if (!x->ok) {
                it->correct = 0;
                snprintf(it->reason, sizeof it->reason, "no plan could be extracted: %s", x->why);
                continue;
            }
            text = x->text;
            set_steps(it, x->steps, x->nsteps);
        }
        it->extracted_ok = 1;
        it->text = xdup(text);
        PbVerdict vd;
        pb_validate(v->dom, p, text, &vd);
        it->correct = vd.valid;
        snprintf(it->reason, sizeof it->reason, "%s", vd.reason);
    }
    cache_free(&c);
    *items = out;
    return IM_OK;
}

void pb_item_json(const PbItem *it, Buf *out) {
    buf_printf(out, "{\"instance_id\": %d, \"correct\": %s, \"plan\": [", it->id,
               it->correct < 0 ? "null" : it->correct ? "true" : "false");
    for (int k = 0; k < it->nsteps; k++) {
        if (k) buf_puts(out, ", ");
        buf_json_str(out, it->steps[k]);
    }
    buf_puts(out, "], \"reason\": ");
    buf_json_str(out, it->reason);
    buf_putc(out, '}');
}
