/* hfcsv.c: Hugging Face CSV split -> the suite's JSONL (see hfcsv.h).
 * A recursive-descent reader of Python literals that writes JSON as it
 * goes, and the row layout of queries/SPLIT.jsonl. */
#include "hfcsv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* ---- JSON output as json.dumps(ensure_ascii=False) --------------------- */

static void json_str(Buf *b, const char *s, size_t n) {
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\b': buf_puts(b, "\\b"); break;
        case '\f': buf_puts(b, "\\f"); break;
        default:
            if (c < 0x20) buf_printf(b, "\\u%04x", c);
            else buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

/* ---- Python literals --------------------------------------------------- */

typedef struct Py {
    const char *s, *p, *what;
    Err *err;
    int depth;
} Py;

static int py_fail(Py *y, const char *why) {
    return err_set(y->err, IM_IO, "%s: not a Python literal at byte %ld: %s", y->what, (long)(y->p - y->s), why);
}

static void py_blank(Py *y) {
    while (*y->p == ' ' || *y->p == '\t' || *y->p == '\n' || *y->p == '\r') y->p++;
}

static int hexval(const char *p, int n, uint32_t *v) {
    *v = 0;
    for (int i = 0; i < n; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        *v = *v * 16 + (uint32_t)d;
    }
    return 0;
}

/* A quoted string (' or ", with Python's escapes) decoded into raw UTF-8. */
static int py_string(Py *y, Buf *raw) {
    char q = *y->p++;
    for (;;) {
        char c = *y->p;
        if (!c) return py_fail(y, "unterminated string");
        if (c == q) { y->p++; return IM_OK; }
        if (c != '\\') { buf_putc(raw, c); y->p++; continue; }
        char e = y->p[1];
        y->p += 2;
        uint32_t cp;
        switch (e) {
        case '\\': buf_putc(raw, '\\'); break;
        case '\'': buf_putc(raw, '\''); break;
        case '"': buf_putc(raw, '"'); break;
        case 'n': buf_putc(raw, '\n'); break;
        case 't': buf_putc(raw, '\t'); break;
        case 'r': buf_putc(raw, '\r'); break;
        case 'b': buf_putc(raw, '\b'); break;
        case 'f': buf_putc(raw, '\f'); break;
        case 'v': buf_putc(raw, '\v'); break;
        case 'a': buf_putc(raw, '\a'); break;
        case '\n': break; /* line continuation */
        case 'x': case 'u': case 'U': {
            int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            if (hexval(y->p, n, &cp) || cp > 0x10FFFF) return py_fail(y, "bad \\x, \\u or \\U escape");
            y->p += n;
            buf_put_utf8(raw, cp);
            break;
        }
        default:
            if (e >= '0' && e <= '7') { /* octal, up to 3 digits */
                cp = (uint32_t)(e - '0');
                for (int i = 0; i < 2 && *y->p >= '0' && *y->p <= '7'; i++) cp = cp * 8 + (uint32_t)(*y->p++ - '0');
                buf_put_utf8(raw, cp);
            } else {
                if (!e) return py_fail(y, "unterminated string");
                buf_putc(raw, '\\'), buf_putc(raw, e); /* Python keeps unknown escapes */
            }
        }
    }
}

static int py_value(Py *y, Buf *out);

/* Items up to `close`, separated by commas (a trailing comma allowed);
 * dict: key ': ' value pairs. */
static int py_seq(Py *y, Buf *out, char close, int dict) {
    y->p++;
    buf_putc(out, dict ? '{' : '[');
    int first = 1;
    for (;;) {
        py_blank(y);
        if (*y->p == close) { y->p++; break; }
        if (!first) {
            if (*y->p != ',') return py_fail(y, "expected ',' between items");
            y->p++;
            py_blank(y);
            if (*y->p == close) { y->p++; break; }
            buf_puts(out, ", ");
        }
        first = 0;
        if (dict) {
            if (*y->p != '\'' && *y->p != '"') return py_fail(y, "expected a string key");
            Buf k;
            buf_init(&k);
            int rc = py_string(y, &k);
            if (!rc) json_str(out, k.data ? k.data : "", k.len);
            buf_free(&k);
            if (rc) return rc;
            py_blank(y);
            if (*y->p != ':') return py_fail(y, "expected ':' after a key");
            y->p++;
            buf_puts(out, ": ");
        }
        int rc = py_value(y, out);
        if (rc) return rc;
    }
    buf_putc(out, dict ? '}' : ']');
    return IM_OK;
}

static int py_value(Py *y, Buf *out) {
    py_blank(y);
    if (++y->depth > 200) return py_fail(y, "nested too deeply");
    int rc = IM_OK;
    char c = *y->p;
    if (c == '[') rc = py_seq(y, out, ']', 0);
    else if (c == '(') rc = py_seq(y, out, ')', 0);
    else if (c == '{') rc = py_seq(y, out, '}', 1);
    else if (c == '\'' || c == '"') {
        Buf raw;
        buf_init(&raw);
        rc = py_string(y, &raw);
        if (!rc) json_str(out, raw.data ? raw.data : "", raw.len);
        buf_free(&raw);
    } else if (!strncmp(y->p, "None", 4)) y->p += 4, buf_puts(out, "null");
    else if (!strncmp(y->p, "True", 4)) y->p += 4, buf_puts(out, "true");
    else if (!strncmp(y->p, "False", 5)) y->p += 5, buf_puts(out, "false");
    else if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
        const char *b = y->p;
        if (*y->p == '-' || *y->p == '+') y->p++;
        size_t n = strspn(y->p, "0123456789.eE+-");
        if (!n) return py_fail(y, "expected a number");
        y->p += n;
        buf_append(out, *b == '+' ? b + 1 : b, (size_t)(y->p - b) - (*b == '+'));
    } else rc = py_fail(y, c ? "unexpected character" : "unexpected end");
    y->depth--;
    return rc;
}

int tp_pyliteral_to_json(const char *text, const char *what, Buf *out, Err *err) {
    Py y = {text, text, what, err, 0};
    int rc = py_value(&y, out);
    if (rc) return rc;
    py_blank(&y);
    return *y.p ? py_fail(&y, "text after the literal") : IM_OK;
}

/* Element k of a Python list literal, as JSON. */
static int py_list_item(const char *text, int k, const char *what, Buf *out, Err *err) {
    Buf all;
    buf_init(&all);
    Py y = {text, text, what, err, 0};
    py_blank(&y);
    if (*y.p != '[' && *y.p != '(') {
        buf_free(&all);
        return py_fail(&y, "expected a list");
    }
    y.p++;
    int rc = IM_OK;
    for (int i = 0; !rc; i++) {
        py_blank(&y);
        if (*y.p == ']' || *y.p == ')' || !*y.p) {
            rc = py_fail(&y, "the list has no element [1] (the day list)");
            break;
        }
        buf_reset(&all);
        rc = py_value(&y, &all);
        if (!rc && i == k) {
            buf_append(out, all.data, all.len);
            break;
        }
        py_blank(&y);
        if (!rc && *y.p == ',') y.p++;
    }
    buf_free(&all);
    return rc;
}

/* ---- rows -------------------------------------------------------------- */

enum { F_STR, F_INT, F_PY, F_PLAN };
static const struct {
    const char *name;
    int kind;
} fields[] = {{"org", F_STR},        {"dest", F_STR},          {"days", F_INT},   {"visiting_city_number", F_INT},
              {"date", F_PY},        {"people_number", F_INT}, {"local_constraint", F_PY}, {"budget", F_INT},
              {"query", F_STR},      {"level", F_STR},         {"annotated_plan", F_PLAN}, {"reference_information", F_STR}};
#define NFIELDS (int)(sizeof fields / sizeof fields[0])

/* "3" or pandas' "3.0" as 3. */
static int int_cell(const char *s, long *v) {
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end || d != (double)(long)d) return -1;
    *v = (long)d;
    return 0;
}

int tp_hf_csv_to_jsonl(const char *path, Buf *out, Err *err) {
    CsvTable t;
    int rc = csv_load(path, &t, err);
    if (rc) return rc;
    int col[NFIELDS];
    for (int f = 0; f < NFIELDS; f++) col[f] = csv_col(&t, fields[f].name);
    for (int f = 0; f < NFIELDS && !rc; f++)
        if (col[f] < 0 && fields[f].kind != F_PLAN && strcmp(fields[f].name, "reference_information"))
            rc = err_set(err, IM_IO, "%s: no column '%s' (not a TravelPlanner split CSV)", path, fields[f].name);
    char what[600];
    for (int r = 0; r < t.rows && !rc; r++) {
        buf_printf(out, "{\"idx\": %d", r + 1);
        for (int f = 0; f < NFIELDS && !rc; f++) {
            if (col[f] < 0) continue;
            const char *cell = csv_cell(&t, r, col[f]);
            if (!*cell && (fields[f].kind == F_PLAN || !strcmp(fields[f].name, "reference_information"))) continue;
            snprintf(what, sizeof what, "%s:%d, column '%s'", path, t.line[r], fields[f].name);
            buf_puts(out, ", "), json_str(out, fields[f].name, strlen(fields[f].name)), buf_puts(out, ": ");
            long v;
            switch (fields[f].kind) {
            case F_STR: json_str(out, cell, strlen(cell)); break;
            case F_INT:
                if (int_cell(cell, &v)) rc = err_set(err, IM_IO, "%s: expected a whole number, got '%.40s'", what, cell);
                else buf_printf(out, "%ld", v);
                break;
            case F_PY: rc = tp_pyliteral_to_json(cell, what, out, err); break;
            default: rc = py_list_item(cell, 1, what, out, err); break;
            }
        }
        buf_puts(out, "}\n");
    }
    csv_free(&t);
    return rc;
}
