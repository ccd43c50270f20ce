/* jsonreq.c: recursive-descent JSON parser into cJSON nodes (RFC 8259).
 * Each error names the line and column of the offending byte. */
#include "jsonreq.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

typedef struct P {
    const unsigned char *s, *at, *end;
    const char *name;
    Err *err;
    int depth;
} P;

static int fail(P *p, const unsigned char *where, const char *what) {
    int line = 1, col = 1;
    for (const unsigned char *q = p->s; q < where && q < p->end; q++) {
        if (*q == '\n') line++, col = 1;
        else if ((*q & 0xC0) != 0x80) col++;
    }
    return err_set(p->err, IM_USAGE, "%s is not valid JSON: line %d, column %d: %s", p->name, line, col, what);
}

static void ws(P *p) {
    while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')) p->at++;
}

static int hex4(const unsigned char *q, uint32_t *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = q[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
        if (d == 16) return 0;
        *v = *v << 4 | d;
    }
    return 1;
}

/* A string at p->at (the opening quote); its bytes go to b. */
static int string(P *p, Buf *b) {
    const unsigned char *open = p->at++;
    buf_reset(b);
    buf_append(b, "", 0);
    for (;;) {
        if (p->at >= p->end) return fail(p, open, "a string is not closed");
        unsigned char c = *p->at;
        if (c == '"') {
            p->at++;
            return IM_OK;
        }
        if (c < 0x20) return fail(p, p->at, "a control character in a string must be escaped (\\n, \\t, \\u00XX)");
        if (c >= 0x80) {
            uint32_t cp;
            int bad;
            size_t n = buf_utf8_decode((const char *)p->at, (size_t)(p->end - p->at), &cp, &bad);
            if (bad) return fail(p, p->at, "invalid UTF-8 in a string");
            buf_append(b, (const char *)p->at, n);
            p->at += n;
            continue;
        }
        if (c != '\\') {
            buf_putc(b, (char)c);
            p->at++;
            continue;
        }
        const unsigned char *esc = p->at;
        if (p->end - p->at < 2) return fail(p, esc, "a string ends inside an escape");
        char e = (char)p->at[1];
        p->at += 2;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (simple && e) {
            static const char out[] = "\"\\/\b\f\n\r\t";
            buf_putc(b, out[simple - "\"\\/bfnrt"]);
            continue;
        }
        uint32_t cp, lo;
        if (e != 'u' || p->end - p->at < 4 || !hex4(p->at, &cp)) return fail(p, esc, "an unknown escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        p->at += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(p, esc, "a lone UTF-16 low surrogate (\\uDC00-\\uDFFF without a high surrogate before it)");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (p->end - p->at < 6 || p->at[0] != '\\' || p->at[1] != 'u' || !hex4(p->at + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return fail(p, esc, "a lone UTF-16 high surrogate (\\uD800-\\uDBFF must be followed by a \\uDC00-\\uDFFF escape)");
            p->at += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        buf_put_utf8(b, cp);
    }
}

static int value(P *p, cJSON **out);

static int number(P *p, cJSON **out) {
    const unsigned char *q = p->at;
    if (q < p->end && *q == '-') q++;
    if (q >= p->end || !(*q >= '0' && *q <= '9')) return fail(p, p->at, "a value was expected (object, array, string, number, true, false or null)");
    if (*q == '0') q++;
    else
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    if (q < p->end && *q == '.') {
        if (++q >= p->end || !(*q >= '0' && *q <= '9')) return fail(p, q, "a digit must follow the decimal point");
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < p->end && (*q == 'e' || *q == 'E')) {
        if (++q < p->end && (*q == '+' || *q == '-')) q++;
        if (q >= p->end || !(*q >= '0' && *q <= '9')) return fail(p, q, "a digit must follow the exponent");
        while (q < p->end && *q >= '0' && *q <= '9') q++;
    }
    char tmp[64];
    size_t n = (size_t)(q - p->at);
    if (n >= sizeof tmp) return fail(p, p->at, "a number longer than 63 characters");
    memcpy(tmp, p->at, n), tmp[n] = 0;
    double d = strtod(tmp, NULL);
    if (!isfinite(d)) return fail(p, p->at, "a number out of range");
    p->at = q;
    *out = cJSON_CreateNumber(d);
    return IM_OK;
}

static int literal(P *p, const char *word, cJSON *(*make)(void), cJSON **out) {
    size_t n = strlen(word);
    if ((size_t)(p->end - p->at) < n || memcmp(p->at, word, n)) return fail(p, p->at, "a value was expected (object, array, string, number, true, false or null)");
    p->at += n;
    *out = make();
    return IM_OK;
}

static cJSON *make_true(void) { return cJSON_CreateTrue(); }
static cJSON *make_false(void) { return cJSON_CreateFalse(); }
static cJSON *make_null(void) { return cJSON_CreateNull(); }

/* A string node taking b's bytes; its length is kept in valuedouble (and
 * valueint), which cJSON leaves unused for strings. */
static cJSON *string_node(Buf *b) {
    size_t n = b->len;
    cJSON *s = cJSON_CreateString("");
    cJSON_free(s->valuestring);
    s->valuestring = buf_take(b);
    s->valuedouble = (double)n;
    s->valueint = n > INT32_MAX ? INT32_MAX : (int)n;
    return s;
}

/* Objects and arrays: items separated by commas, closed by `close`. */
static int container(P *p, cJSON **out) {
    int obj = *p->at == '{';
    char close = obj ? '}' : ']';
    if (++p->depth > 64) return fail(p, p->at, "nesting deeper than 64 levels");
    p->at++;
    cJSON *c = obj ? cJSON_CreateObject() : cJSON_CreateArray();
    Buf key;
    buf_init(&key);
    int rc = IM_OK, first = 1;
    for (;;) {
        ws(p);
        if (p->at < p->end && *p->at == close && first) {
            p->at++;
            break;
        }
        if (obj) {
            if (p->at >= p->end || *p->at != '"') {
                rc = fail(p, p->at, "a member name in double quotes was expected");
                break;
            }
            if ((rc = string(p, &key))) break;
            ws(p);
            if (p->at >= p->end || *p->at != ':') {
                rc = fail(p, p->at, "':' was expected after a member name");
                break;
            }
            p->at++;
        }
        cJSON *v = NULL;
        if ((rc = value(p, &v))) break;
        if (obj) cJSON_AddItemToObject(c, key.data, v);
        else cJSON_AddItemToArray(c, v);
        ws(p);
        if (p->at < p->end && *p->at == ',') {
            p->at++;
            first = 0;
            continue;
        }
        if (p->at < p->end && *p->at == close) {
            p->at++;
            break;
        }
        rc = fail(p, p->at, obj ? "',' or '}' was expected" : "',' or ']' was expected");
        break;
    }
    buf_free(&key);
    p->depth--;
    if (rc) {
        cJSON_Delete(c);
        return rc;
    }
    *out = c;
    return IM_OK;
}

static int value(P *p, cJSON **out) {
    ws(p);
    if (p->at >= p->end) return fail(p, p->at, "the text ends where a value was expected");
    switch (*p->at) {
    case '{':
    case '[': return container(p, out);
    case '"': {
        Buf b;
        buf_init(&b);
        int rc = string(p, &b);
        if (rc) {
            buf_free(&b);
            return rc;
        }
        *out = string_node(&b);
        return IM_OK;
    }
    case 't': return literal(p, "true", make_true, out);
    case 'f': return literal(p, "false", make_false, out);
    case 'n': return literal(p, "null", make_null, out);
    default: return number(p, out);
    }
}

int jreq_parse(const char *text, size_t len, const char *name, cJSON **out, Err *err) {
    P p = {.s = (const unsigned char *)text, .at = (const unsigned char *)text, .end = (const unsigned char *)text + len, .name = name, .err = err};
    *out = NULL;
    cJSON *v = NULL;
    int rc = value(&p, &v);
    if (!rc) {
        ws(&p);
        if (p.at < p.end) rc = fail(&p, p.at, "more text after the JSON value");
    }
    if (rc) {
        cJSON_Delete(v);
        return rc;
    }
    *out = v;
    return IM_OK;
}

size_t jreq_len(const cJSON *s) { return cJSON_IsString(s) && s->valuestring ? (size_t)s->valuedouble : 0; }
