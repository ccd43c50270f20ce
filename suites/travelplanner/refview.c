/* refview.c: the reference information parsed back into a restricted
 * sandbox (TpRefView), for the solver's sole-planning mode: the text form
 * (a Python literal list of pandas tables) and the JSON form. Contract and
 * ownership: refview.h. */
#include "refview.h"
#include "refcols.h"

#include <cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pyfmt.h"
#include "pyre.h"

/* ---- parsing: the reference information as a restricted sandbox ------- */
/* The view is filled entry by entry (view_entry), then indexed
 * (view_index). Every string it holds is registered in v->str. */

static char *view_own(TpRefView *v, char *s) {
    if (!s) return NULL;
    if (v->n_str == v->cap_str) {
        int cap = v->cap_str ? 2 * v->cap_str : 64;
        char **t = realloc(v->str, (size_t)cap * sizeof *t);
        if (!t) return free(s), NULL;
        v->str = t, v->cap_str = cap;
    }
    return v->str[v->n_str++] = s;
}

static char *view_strn(TpRefView *v, const char *s, size_t n) {
    char *t = malloc(n + 1);
    if (!t) return NULL;
    memcpy(t, s, n), t[n] = 0;
    return view_own(v, t);
}

/* Makes room for one more element in *arr (n used, *cap allocated). */
static int grow(void **arr, int n, int *cap, size_t size) {
    if (n < *cap) return 0;
    int c = *cap ? 2 * *cap : 16;
    void *t = realloc(*arr, (size_t)c * size);
    if (!t) return -1;
    *arr = t, *cap = c;
    return 0;
}

/* What a description names: kind, city (tables) or from/to (legs), date. */
typedef struct Desc {
    TpRefKind kind;
    char *a, *b, *date; /* owned by the view */
} Desc;

static int parse_desc(TpRefView *v, const char *d, Desc *out) {
    static const struct { const char *prefix; TpRefKind kind; } k[] = {
        {"Attractions in ", TP_REF_ATTR}, {"Restaurants in ", TP_REF_REST}, {"Accommodations in ", TP_REF_ACC},
        {"Flight from ", TP_REF_FLIGHT},  {"Self-driving from ", TP_REF_DRIVE}, {"Taxi from ", TP_REF_TAXI}};
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        size_t pl = strlen(k[i].prefix);
        if (strncmp(d, k[i].prefix, pl)) continue;
        const char *rest = d + pl, *end = rest + strlen(rest);
        out->kind = k[i].kind;
        if (k[i].kind <= TP_REF_ACC) {
            out->a = view_strn(v, rest, (size_t)(end - rest));
            return out->a && *out->a ? 0 : -1;
        }
        if (k[i].kind == TP_REF_FLIGHT) {
            const char *on = NULL;
            for (const char *p = strstr(rest, " on "); p; p = strstr(p + 1, " on ")) on = p;
            if (!on) return -1;
            out->date = view_strn(v, on + 4, strlen(on + 4));
            end = on;
        }
        const char *to = strstr(rest, " to ");
        if (!to || to >= end) return -1;
        out->a = view_strn(v, rest, (size_t)(to - rest));
        out->b = view_strn(v, to + 4, (size_t)(end - to - 4));
        return out->a && out->b && (out->kind != TP_REF_FLIGHT || out->date) ? 0 : -1;
    }
    return -1;
}

/* One row of a table: s[c] the owned string of column c ('s'), x[c] its
 * number ('n'), in the column order of cols_of(kind). */
static int view_row(TpRefView *v, TpRefKind kind, char **s, const double *x) {
    TpDb *db = &v->db;
    switch (kind) {
    case TP_REF_ATTR: {
        if (grow((void **)&db->attr, db->n_attr, &v->cap[kind], sizeof *db->attr)) return -1;
        TpAttraction *a = &db->attr[db->n_attr++];
        a->name = s[0], a->latitude = x[1], a->longitude = x[2], a->address = s[3], a->phone = s[4];
        a->website = s[5], a->city = s[6];
        return 0;
    }
    case TP_REF_REST: {
        if (grow((void **)&db->rest, db->n_rest, &v->cap[kind], sizeof *db->rest)) return -1;
        TpRestaurant *r = &db->rest[db->n_rest++];
        r->name = s[0], r->average_cost = x[1], r->cuisines = s[2], r->rating = x[3], r->city = s[4];
        return 0;
    }
    case TP_REF_ACC: {
        if (grow((void **)&db->acc, db->n_acc, &v->cap[kind], sizeof *db->acc)) return -1;
        TpAccommodation *a = &db->acc[db->n_acc++];
        a->name = s[0], a->price = x[1], a->room_type = s[2], a->house_rules = s[3], a->minimum_nights = x[4];
        a->maximum_occupancy = x[5], a->review_rate = x[6], a->city = s[7];
        return 0;
    }
    default: {
        if (grow((void **)&db->flight, db->n_flight, &v->cap[TP_REF_FLIGHT], sizeof *db->flight)) return -1;
        TpFlight *f = &db->flight[db->n_flight++];
        f->number = s[0], f->price = x[1], f->dep_time = s[2], f->arr_time = s[3], f->elapsed = s[4];
        f->date = s[5], f->origin = s[6], f->dest = s[7], f->distance = x[8];
        return 0;
    }
    }
}

/* A self-driving or taxi line: "MODE, from A to B, duration: D, distance:
 * X, cost: C" is one distance-matrix row for (A, B) of the description;
 * any other message ("No valid information.", "..., no valid
 * information.") is none. The two modes read the same row: the first kept. */
static int view_distance(TpRefView *v, const Desc *d, const char *msg) {
    const char *du = strstr(msg, ", duration: "), *di = du ? strstr(du, ", distance: ") : NULL;
    const char *co = di ? strstr(di, ", cost: ") : NULL;
    if (!co) return 0;
    TpDb *db = &v->db;
    for (int i = 0; i < db->n_dist; i++)
        if (!strcmp(db->dist[i].origin, d->a) && !strcmp(db->dist[i].dest, d->b)) return 0;
    if (grow((void **)&db->dist, db->n_dist, &v->cap[TP_REF_DRIVE], sizeof *db->dist)) return -1;
    TpDistance *x = &db->dist[db->n_dist];
    x->origin = d->a, x->dest = d->b;
    x->duration = view_strn(v, du + 12, (size_t)(di - du - 12));
    x->distance = view_strn(v, di + 12, (size_t)(co - di - 12));
    if (!x->duration || !x->distance) return -1;
    db->n_dist++;
    return 0;
}

static int view_city(TpRefView *v, const char *city) {
    TpDb *db = &v->db;
    for (int i = 0; i < db->n_cities; i++)
        if (!strcmp(db->cities[i], city)) return 0;
    if (grow((void **)&db->cities, db->n_cities, &v->cap_cities, sizeof *db->cities)) return -1;
    db->cities[db->n_cities++] = city;
    return 0;
}

static int view_fail(Err *err, int entry, const char *desc, const char *what) {
    return err_set(err, IM_IO, "reference information: entry %d ('%.200s'): %s", entry, desc ? desc : "", what);
}

/* ---- the text form ---- */

/* Skips blanks; then one Python string literal ('...' or "...", with the
 * escapes repr() writes) into out. Returns the end, or NULL. */
static const char *py_str_parse(const char *p, Buf *out) {
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
    char q = *p;
    if (q != '\'' && q != '"') return NULL;
    buf_reset(out);
    buf_append(out, "", 0);
    for (p++; *p && *p != q; p++) {
        if (*p != '\\') {
            buf_putc(out, *p);
            continue;
        }
        p++;
        unsigned c = 0;
        int hex = 0;
        switch (*p) {
        case 'n': buf_putc(out, '\n'); continue;
        case 'r': buf_putc(out, '\r'); continue;
        case 't': buf_putc(out, '\t'); continue;
        case '\\': case '\'': case '"': buf_putc(out, *p); continue;
        case 'x': hex = 2; break;
        case 'u': hex = 4; break;
        case 'U': hex = 8; break;
        case 0: return NULL;
        default: buf_putc(out, '\\'), buf_putc(out, *p); continue; /* Python keeps unknown escapes */
        }
        for (int i = 0; i < hex; i++) {
            char h = *++p;
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) return NULL;
            c = c * 16 + (unsigned)d;
        }
        char u[4];
        int n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (n == 1) u[0] = (char)c;
        if (n == 2) u[0] = (char)(0xC0 | (c >> 6)), u[1] = (char)(0x80 | (c & 0x3F));
        if (n == 3) u[0] = (char)(0xE0 | (c >> 12)), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)), u[2] = (char)(0x80 | (c & 0x3F));
        if (n == 4)
            u[0] = (char)(0xF0 | (c >> 18)), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
            u[2] = (char)(0x80 | ((c >> 6) & 0x3F)), u[3] = (char)(0x80 | (c & 0x3F));
        buf_append(out, u, (size_t)n);
    }
    return *p == q ? p + 1 : NULL;
}

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
    return p;
}

/* Byte offset of code point k of line (or of its end). */
static size_t cp_offset(const char *line, size_t k) {
    const char *p = line;
    while (k-- && *p) utf8_next(&p);
    return (size_t)(p - line);
}

static size_t cp_count(const char *s, size_t bytes) {
    const char *p = s;
    size_t n = 0;
    while ((size_t)(p - s) < bytes && *p) utf8_next(&p), n++;
    return n;
}

/* Undoes pandas_str in place: "\\t", "\\r", "\\n" back to the control
 * characters (a backslash before t, r or n in the data would read the same;
 * the sandbox has no backslash). */
static void pandas_unescape(char *s) {
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\\' && (p[1] == 't' || p[1] == 'r' || p[1] == 'n'))
            *w++ = p[1] == 't' ? '\t' : p[1] == 'r' ? '\r' : '\n', p++;
        else
            *w++ = *p;
    }
    *w = 0;
}

/* A table printed by DataFrame.to_string: column c holds the code points
 * (end[c-1], end[c]] of every line, end[c] the end of its header. */
static int text_table(TpRefView *v, TpRefKind kind, const char *content, int entry, const char *desc, Err *err) {
    if (!strncmp(content, "There is no ", 12)) return IM_OK;
    const Col *cols = cols_of(kind);
    int nc = 0;
    while (cols[nc].header) nc++;
    const char *nl = strchr(content, '\n');
    size_t hlen = nl ? (size_t)(nl - content) : strlen(content);
    char *header = strndup(content, hlen);
    if (!header) return err_set(err, IM_IO, "out of memory");
    size_t end[16], from = 0;
    for (int c = 0; c < nc; c++) {
        const char *h = strstr(header + from, cols[c].header);
        if (!h) {
            free(header);
            return view_fail(err, entry, desc, "a table whose header lacks a column of the official tool's view");
        }
        from = (size_t)(h - header) + strlen(cols[c].header);
        end[c] = cp_count(header, from);
    }
    free(header);
    int rc = IM_OK, with_index = kind == TP_REF_REST;
    char *s[16];
    double x[16];
    Buf line;
    buf_init(&line);
    for (const char *p = nl; p && !rc; p = strchr(p, '\n')) {
        p++;
        const char *e = strchr(p, '\n');
        buf_reset(&line), buf_append(&line, p, e ? (size_t)(e - p) : strlen(p));
        if (!line.len) continue;
        size_t start = 0;
        for (int c = 0; c < nc && !rc; c++) {
            size_t a = cp_offset(line.data, start), b = cp_offset(line.data, end[c]);
            if (cp_count(line.data, line.len) < end[c]) {
                rc = view_fail(err, entry, desc, "a table row shorter than its header");
                break;
            }
            const char *cellp = line.data + a;
            if (c == 0 && with_index)
                while (cellp < line.data + b && *cellp >= '0' && *cellp <= '9') cellp++;
            while (cellp < line.data + b && *cellp == ' ') cellp++;
            s[c] = NULL, x[c] = 0;
            if (cols[c].type == 's') {
                if (!(s[c] = view_strn(v, cellp, (size_t)(line.data + b - cellp)))) rc = err_set(err, IM_IO, "out of memory");
                else pandas_unescape(s[c]);
            } else {
                char num[64], *stop;
                size_t n = (size_t)(line.data + b - cellp);
                if (n >= sizeof num) n = sizeof num - 1;
                memcpy(num, cellp, n), num[n] = 0;
                x[c] = strtod(num, &stop);
                if (stop == num || *stop) rc = view_fail(err, entry, desc, "a numeric column holds text");
            }
            start = end[c];
        }
        if (!rc && view_row(v, kind, s, x)) rc = err_set(err, IM_IO, "out of memory");
    }
    buf_free(&line);
    return rc;
}

static int view_index(TpRefView *v, Err *err);

/* One entry: a description and its content (text form: content is the
 * string; JSON form: records is the array, or content the message). */
static int view_entry(TpRefView *v, const char *description, const char *content, const cJSON *records, int entry,
                      Err *err);

int tp_ref_view_text(const char *text, TpRefView **out, Err *err) {
    *out = NULL;
    TpRefView *v = calloc(1, sizeof *v);
    if (!v) return err_set(err, IM_IO, "out of memory");
    Buf key, desc, content;
    buf_init(&key), buf_init(&desc), buf_init(&content);
    int rc = IM_OK, entry = 0;
    const char *p = skip_ws(text ? text : "");
    if (*p != '[') rc = err_set(err, IM_IO, "reference information: expected a Python list '[{...}, ...]'");
    else p = skip_ws(p + 1);
    while (!rc && *p != ']') {
        entry++;
        int have_d = 0, have_c = 0;
        if (*p != '{') {
            rc = view_fail(err, entry, NULL, "expected '{'");
            break;
        }
        for (p = skip_ws(p + 1); !rc && *p != '}';) {
            Buf *val;
            if (!(p = py_str_parse(p, &key)) || *(p = skip_ws(p)) != ':') {
                rc = view_fail(err, entry, NULL, "expected 'key': 'value'");
                break;
            }
            int is_d = !strcmp(key.data, "Description"), is_c = !strcmp(key.data, "Content");
            val = is_d ? &desc : &content;
            if (!(p = py_str_parse(p + 1, is_d || is_c ? val : &key))) {
                rc = view_fail(err, entry, NULL, "expected a string value");
                break;
            }
            have_d |= is_d, have_c |= is_c;
            p = skip_ws(p);
            if (*p == ',') p = skip_ws(p + 1);
            else if (*p != '}') rc = view_fail(err, entry, NULL, "expected ',' or '}'");
        }
        if (rc) break;
        if (!have_d || !have_c) {
            rc = view_fail(err, entry, NULL, "an entry needs 'Description' and 'Content'");
            break;
        }
        rc = view_entry(v, desc.data, content.data, NULL, entry, err);
        p = skip_ws(p + 1);
        if (*p == ',') p = skip_ws(p + 1);
        else if (*p != ']' && !rc) rc = view_fail(err, entry, desc.data, "expected ',' or ']' after the entry");
    }
    buf_free(&key), buf_free(&desc), buf_free(&content);
    if (!rc) rc = view_index(v, err);
    return rc ? (tp_ref_view_free(v), rc) : (*out = v, IM_OK);
}

/* ---- the JSON form ---- */

static int json_table(TpRefView *v, TpRefKind kind, const cJSON *records, int entry, const char *desc, Err *err) {
    const Col *cols = cols_of(kind);
    const cJSON *rec;
    cJSON_ArrayForEach(rec, records) {
        char *s[16];
        double x[16];
        for (int c = 0; cols[c].header; c++) {
            const cJSON *it = cJSON_GetObjectItemCaseSensitive(rec, cols[c].header);
            s[c] = NULL, x[c] = 0;
            if (cols[c].type == 's' && cJSON_IsString(it)) {
                if (!(s[c] = view_strn(v, it->valuestring, strlen(it->valuestring)))) return err_set(err, IM_IO, "out of memory");
            } else if (cols[c].type == 'n' && cJSON_IsNumber(it)) {
                x[c] = it->valuedouble;
            } else {
                char what[160];
                snprintf(what, sizeof what, "a record without %s '%s'", cols[c].type == 's' ? "the string" : "the number",
                         cols[c].header);
                return view_fail(err, entry, desc, what);
            }
        }
        if (view_row(v, kind, s, x)) return err_set(err, IM_IO, "out of memory");
    }
    return IM_OK;
}

int tp_ref_view_json(const char *json, TpRefView **out, Err *err) {
    *out = NULL;
    cJSON *root = cJSON_Parse(json ? json : "");
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return err_set(err, IM_IO, "reference information: expected a JSON object {Description: content, ...}");
    }
    TpRefView *v = calloc(1, sizeof *v);
    int rc = v ? IM_OK : err_set(err, IM_IO, "out of memory"), entry = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, root) {
        if (rc) break;
        entry++;
        if (cJSON_IsString(it)) rc = view_entry(v, it->string, it->valuestring, NULL, entry, err);
        else if (cJSON_IsArray(it)) rc = view_entry(v, it->string, NULL, it, entry, err);
        else rc = view_fail(err, entry, it->string, "content must be a string or a list of records");
    }
    cJSON_Delete(root);
    if (!rc) rc = view_index(v, err);
    return rc ? (tp_ref_view_free(v), rc) : (*out = v, IM_OK);
}

/* ---- entries and indexes ---- */

static int view_entry(TpRefView *v, const char *description, const char *content, const cJSON *records, int entry,
                      Err *err) {
    Desc d;
    if (parse_desc(v, description, &d))
        return view_fail(err, entry, description,
                         "unknown description (expected 'Attractions in C', 'Restaurants in C', 'Accommodations in C', "
                         "'Flight from A to B on D', 'Self-driving from A to B' or 'Taxi from A to B')");
    if (d.kind <= TP_REF_ACC && view_city(v, d.a)) return err_set(err, IM_IO, "out of memory");
    if (d.kind == TP_REF_DRIVE || d.kind == TP_REF_TAXI) {
        if (!content) return view_fail(err, entry, description, "a distance entry's content must be a message");
        return view_distance(v, &d, content) ? err_set(err, IM_IO, "out of memory") : IM_OK;
    }
    if (records) return json_table(v, d.kind, records, entry, description, err);
    return text_table(v, d.kind, content, entry, description, err);
}

static int view_index(TpRefView *v, Err *err) {
    TpDb *db = &v->db;
    int rc = tp_db_index(db, err); /* the same indexes as the full sandbox */
    if (rc) return rc;
    for (int r = 0; r < db->n_dist; r++) {
        Buf k;
        buf_init(&k);
        buf_printf(&k, "%s\x1f%s", db->dist[r].origin, db->dist[r].dest);
        char *key = view_own(v, buf_take(&k));
        if (!key) return err_set(err, IM_IO, "out of memory");
        strmap_upsert(&db->dist_by_pair, key, r, NULL);
    }
    return IM_OK;
}

void tp_ref_view_free(TpRefView *v) {
    if (!v) return;
    TpDb *db = &v->db;
    free(db->acc), free(db->rest), free(db->attr), free(db->flight), free(db->dist);
    tp_db_index_free(db);
    free(db->cities);
    for (int i = 0; i < v->n_str; i++) free(v->str[i]);
    free(v->str), free(v);
}
