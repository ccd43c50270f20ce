/* reference.c: builds the sole-planning reference information and prints
 * it in the official JSON and text forms (see reference.h). The text form
 * reproduces pandas' DataFrame.to_string(index=False) (right-justified
 * columns, one space apart, floats as "%.6f" with common trailing zeros
 * trimmed) and Python's str() of the list. The last section parses both
 * forms back into a restricted TpDb (TpRefView) for sole planning. Pure;
 * no I/O. */
#include "reference.h"
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

/* ---- columns of the official tools' views ------------------------------ */

static const CsvTable *csv_of(const TpDb *db, TpRefKind k) {
    switch (k) {
    case TP_REF_ATTR: return &db->attr_csv;
    case TP_REF_REST: return &db->rest_csv;
    case TP_REF_ACC: return &db->acc_csv;
    default: return &db->flight_csv;
    }
}

/* pandas' dtype of a numeric column: int64 when every cell is an integer
 * literal and none is NA, float64 otherwise. */
static int col_is_int(const CsvTable *t, const char *header) {
    int c = csv_col(t, header);
    if (c < 0) return 0;
    for (int r = 0; r < t->rows; r++) {
        if (csv_na(t, r, c)) return 0;
        const char *s = csv_cell(t, r, c);
        if (*s == '+' || *s == '-') s++;
        if (!*s) return 0;
        for (; *s; s++)
            if (*s < '0' || *s > '9') return 0;
    }
    return 1;
}

/* The value of column c of a row: a string or a number. */
static const char *cell(const TpDb *db, TpRefKind k, int row, int c, double *x) {
    *x = 0;
    switch (k) {
    case TP_REF_ATTR: {
        const TpAttraction *a = &db->attr[row];
        const char *s[] = {a->name, NULL, NULL, a->address, a->phone, a->website, a->city};
        if (c == 1) *x = a->latitude;
        if (c == 2) *x = a->longitude;
        return s[c];
    }
    case TP_REF_REST: {
        const TpRestaurant *r = &db->rest[row];
        const char *s[] = {r->name, NULL, r->cuisines, NULL, r->city};
        if (c == 1) *x = r->average_cost;
        if (c == 3) *x = r->rating;
        return s[c];
    }
    case TP_REF_ACC: {
        const TpAccommodation *a = &db->acc[row];
        const char *s[] = {a->name, NULL, a->room_type, a->house_rules, NULL, NULL, NULL, a->city};
        double v[] = {0, a->price, 0, 0, a->minimum_nights, a->maximum_occupancy, a->review_rate, 0};
        *x = v[c];
        return s[c];
    }
    default: {
        const TpFlight *f = &db->flight[row];
        const char *s[] = {f->number, NULL, f->dep_time, f->arr_time, f->elapsed, f->date, f->origin, f->dest, NULL};
        if (c == 1) *x = f->price;
        if (c == 8) *x = f->distance;
        return s[c];
    }
    }
}

/* ---- building ---------------------------------------------------------- */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Buf b;
    buf_init(&b);
    char tmp[2048];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_puts(&b, tmp);
    return buf_take(&b);
}

static TpRefEntry *add(TpRef *r, TpRefKind kind, char *desc) {
    TpRefEntry *e = &r->e[r->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind, e->description = desc;
    return e;
}

static void city_table(const TpDb *db, TpRef *r, TpRefKind kind, const char *city) {
    static const char *const fmt[] = {"Attractions in %s", "Restaurants in %s", "Accommodations in %s"};
    static const char *const none[] = {"There is no attraction in this city.", "There is no restaurant in this city.",
                                       "There is no attraction in this city." /* sic, the official tool */};
    const TpIndexList *l = kind == TP_REF_ATTR ? tp_db_attr_in(db, city)
                           : kind == TP_REF_REST ? tp_db_rest_in(db, city)
                                                 : tp_db_acc_in(db, city);
    TpRefEntry *e = add(r, kind, xasprintf(fmt[kind], city));
    if (l->n == 0) {
        e->text = strdup(none[kind]);
        return;
    }
    e->rows = malloc((size_t)l->n * sizeof *e->rows);
    memcpy(e->rows, l->idx, (size_t)l->n * sizeof *e->rows);
    e->n_rows = l->n;
}

static void flights(const TpDb *db, TpRef *r, const TpRefLeg *g) {
    TpRefEntry *e = add(r, TP_REF_FLIGHT, xasprintf("Flight from %s to %s on %s", g->from, g->to, g->date));
    for (int i = 0; i < db->n_flight; i++) {
        const TpFlight *f = &db->flight[i];
        if (strcmp(f->origin, g->from) || strcmp(f->dest, g->to) || strcmp(f->date, g->date)) continue;
        if (!e->rows) e->rows = malloc((size_t)db->n_flight * sizeof *e->rows);
        e->rows[e->n_rows++] = i;
    }
    if (!e->n_rows) e->text = xasprintf("There is no flight from %s to %s on %s.", g->from, g->to, g->date);
}

/* GoogleDistanceMatrix.run(origin, destination, mode) of the official tools. */
static void distance(const TpDb *db, TpRef *r, const TpRefLeg *g, int taxi) {
    const char *mode = taxi ? "taxi" : "self-driving";
    TpRefEntry *e = add(r, taxi ? TP_REF_TAXI : TP_REF_DRIVE,
                        xasprintf("%s from %s to %s", taxi ? "Taxi" : "Self-driving", g->from, g->to));
    TpSpan o = tp_before_paren(tp_span(g->from)), d = tp_before_paren(tp_span(g->to));
    char key[1024];
    int row = -1;
    if (o.n + d.n + 2 <= sizeof key) {
        memcpy(key, o.p, o.n), key[o.n] = '\x1f', memcpy(key + o.n + 1, d.p, d.n), key[o.n + 1 + d.n] = 0;
        row = strmap_get(&db->dist_by_pair, key);
    }
    if (row < 0) {
        e->text = xasprintf("%s, from %.*s to %.*s, no valid information.", mode, (int)o.n, o.p, (int)d.n, d.p);
        return;
    }
    const TpDistance *x = &db->dist[row];
    long cost = 0;
    if (!x->duration || !x->distance || strstr(x->duration, "day") ||
        !tp_db_distance_cost(db, x->origin, x->dest, taxi ? 't' : 's', &cost)) {
        e->text = strdup("No valid information.");
        return;
    }
    e->text = xasprintf("%s, from %.*s to %.*s, duration: %s, distance: %s, cost: %ld", mode, (int)o.n, o.p, (int)d.n,
                        d.p, x->duration, x->distance, cost);
}

int tp_ref_build(const TpDb *db, const char *const *cities, int n_cities, const TpRefLeg *legs, int n_legs,
                 TpRef **out, Err *err) {
    *out = NULL;
    for (int i = 0; i < n_cities; i++)
        if (strlen(cities[i]) > 512) return err_set(err, IM_IO, "reference: city name %d longer than 512 bytes", i + 1);
    for (int i = 0; i < n_legs; i++)
        if (strlen(legs[i].from) > 512 || strlen(legs[i].to) > 512 || strlen(legs[i].date) > 64)
            return err_set(err, IM_IO, "reference: leg %d has a name longer than 512 bytes", i + 1);
    TpRef *r = calloc(1, sizeof *r);
    if (r) r->e = calloc((size_t)(3 * n_cities + 3 * n_legs) + 1, sizeof *r->e);
    if (!r || !r->e) {
        free(r);
        return err_set(err, IM_IO, "out of memory");
    }
    for (int i = 0; i < n_cities; i++) {
        city_table(db, r, TP_REF_ATTR, cities[i]);
        city_table(db, r, TP_REF_REST, cities[i]);
        city_table(db, r, TP_REF_ACC, cities[i]);
    }
    for (int i = 0; i < n_legs; i++) {
        flights(db, r, &legs[i]);
        distance(db, r, &legs[i], 0);
        distance(db, r, &legs[i], 1);
    }
    *out = r;
    return IM_OK;
}

int tp_ref_for_route(const TpDb *db, const TpQuery *q, const char *const *cities, int n_cities, TpRef **out,
                     Err *err) {
    *out = NULL;
    if (n_cities < 1 || n_cities > 8 || q->n_date < 1)
        return err_set(err, IM_IO, "reference: query %d: a route needs 1 to 8 cities and a date", q->idx);
    TpRefLeg legs[9];
    for (int k = 0; k <= n_cities; k++) {
        int day = k == n_cities ? q->n_date - 1 : 2 * k;
        if (day > q->n_date - 1) day = q->n_date - 1;
        legs[k].from = k == 0 ? q->org : cities[k - 1];
        legs[k].to = k == n_cities ? q->org : cities[k];
        legs[k].date = q->date[day];
    }
    return tp_ref_build(db, cities, n_cities, legs, n_cities + 1, out, err);
}

/* ---- the one builder --------------------------------------------------- */

int tp_reference_cities(const TpDb *db, const TpQuery *q, const char **out, int max) {
    if (!q->dest) return 0;
    if (q->days <= 3) {
        if (max < 1) return 0;
        out[0] = q->dest;
        return 1;
    }
    return tp_db_state_cities(db, q->dest, q->org, out, max);
}

/* The legs of the official travel days over every city of the grain. */
static int state_legs(const TpQuery *q, const char *const *c, int n, TpRefLeg **out) {
    int middle = q->days >= 7 ? 2 : q->days >= 5 ? 1 : 0, k = 0;
    TpRefLeg *legs = calloc((size_t)(2 * n + middle * n * n + 1), sizeof *legs);
    if (!legs) return -1;
    const char *last = q->date[q->n_date - 1];
    for (int i = 0; i < n; i++) legs[k++] = (TpRefLeg){q->org, c[i], q->date[0]};
    for (int m = 1; m <= middle; m++) {
        int day = 2 * m < q->n_date ? 2 * m : q->n_date - 1;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) legs[k++] = (TpRefLeg){c[i], c[j], q->date[day]};
    }
    for (int i = 0; i < n; i++) legs[k++] = (TpRefLeg){c[i], q->org, last};
    *out = legs;
    return k;
}

int tp_reference_info(const TpDb *db, const TpQuery *q, char **out, Err *err) {
    *out = NULL;
    cJSON *o = q->json ? cJSON_Parse(q->json) : NULL;
    const cJSON *ri = cJSON_GetObjectItemCaseSensitive(o, "reference_information");
    if (cJSON_IsString(ri) && ri->valuestring[0]) {
        *out = strdup(ri->valuestring);
        cJSON_Delete(o);
        return *out ? IM_OK : err_set(err, IM_IO, "out of memory");
    }
    cJSON_Delete(o);
    const char *cities[256];
    int n = tp_reference_cities(db, q, cities, 256);
    if (n == 0 || q->n_date < 1 || !q->org)
        return err_set(err, IM_FAIL,
                       "query %d (line %d): no reference information: the query has no reference_information field and "
                       "its destination '%s' is %s",
                       q->idx, q->line, q->dest ? q->dest : "?",
                       q->days <= 3 ? "missing" : "not a state with cities in the sandbox (citySet_with_states.txt)");
    TpRef *ref = NULL;
    int rc;
    if (q->days <= 3) rc = tp_ref_for_route(db, q, cities, 1, &ref, err);
    else {
        TpRefLeg *legs = NULL;
        int nl = state_legs(q, cities, n, &legs);
        rc = nl < 0 ? err_set(err, IM_IO, "out of memory") : tp_ref_build(db, cities, n, legs, nl, &ref, err);
        free(legs);
    }
    if (rc) return err_prefix(err, "query %d: reference information", q->idx);
    Buf b;
    buf_init(&b);
    tp_ref_text(db, ref, &b);
    tp_ref_free(ref);
    *out = buf_take(&b);
    return IM_OK;
}

void tp_ref_free(TpRef *r) {
    if (!r) return;
    for (int i = 0; i < r->n; i++) free(r->e[i].description), free(r->e[i].rows), free(r->e[i].text);
    free(r->e), free(r);
}

/* ---- Python and pandas text ------------------------------------------- */

/* Decodes one UTF-8 code point at s (invalid bytes count as themselves). */

static size_t cp_len(const char *s) {
    size_t n = 0;
    while (*s) utf8_next(&s), n++;
    return n;
}

/* Python's str.isprintable() for one code point: the Unicode categories
 * Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (but ' ') are not printable. The table
 * covers the format and space characters that occur in Latin text; the
 * sandbox holds none of the others. */
static int py_printable(unsigned c) {
    if (c < 0x20 || c == 0x7F) return 0;
    if (c < 0x7F) return 1;
    if (c <= 0xA0 || c == 0xAD) return 0;
    if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
        (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB))
        return 0;
    if ((c >= 0xD800 && c <= 0xF8FF) || c >= 0xF0000) return 0; /* surrogates, private use */
    return 1;
}

void py_str_repr(Buf *out, const char *s) {
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    buf_putc(out, q);
    for (const char *p = s; *p;) {
        const char *start = p;
        unsigned c = utf8_next(&p);
        if (c == (unsigned)q || c == '\\') buf_putc(out, '\\'), buf_putc(out, (char)c);
        else if (c == '\n') buf_puts(out, "\\n");
        else if (c == '\r') buf_puts(out, "\\r");
        else if (c == '\t') buf_puts(out, "\\t");
        else if (py_printable(c)) buf_append(out, start, (size_t)(p - start));
        else if (c < 0x100) buf_printf(out, "\\x%02x", c);
        else if (c < 0x10000) buf_printf(out, "\\u%04x", c);
        else buf_printf(out, "\\U%08x", c);
    }
    buf_putc(out, q);
}

/* pprint_thing(v, escape_chars=("\t", "\r", "\n")) */
static char *pandas_str(const char *s) {
    Buf b;
    buf_init(&b);
    for (; *s; s++) {
        if (*s == '\t') buf_puts(&b, "\\t");
        else if (*s == '\r') buf_puts(&b, "\\r");
        else if (*s == '\n') buf_puts(&b, "\\n");
        else buf_putc(&b, *s);
    }
    char *r = buf_take(&b);
    return r ? r : strdup("");
}

/* pandas FloatArrayFormatter with precision 6: "%.6f" (" %.6f" with a
 * leading space when the index is printed), common trailing zeros trimmed
 * (one kept after the point); "%.6e" when a value is below 1e-6 or the
 * column is too long with values > 1e6. */
static void float_column(const double *v, int n, int lead, char **out) {
    size_t maxlen = 0;
    int small = 0, large = 0;
    for (int i = 0; i < n; i++) {
        char t[512];
        snprintf(t, sizeof t, lead ? "% .6f" : "%.6f", v[i]);
        out[i] = strdup(t);
        if (strlen(t) > maxlen) maxlen = strlen(t);
        double a = fabs(v[i]);
        small |= a < 1e-6 && a > 0;
        large |= a > 1e6;
    }
    if (small || (maxlen > 12 && large)) {
        for (int i = 0; i < n; i++) {
            char t[64];
            snprintf(t, sizeof t, lead ? "% .6e" : "%.6e", v[i]);
            free(out[i]), out[i] = strdup(t);
        }
        return;
    }
    for (;;) {
        int all0 = n > 0;
        for (int i = 0; i < n && all0; i++) all0 = out[i][strlen(out[i]) - 1] == '0';
        if (!all0) break;
        for (int i = 0; i < n; i++) out[i][strlen(out[i]) - 1] = 0;
    }
    for (int i = 0; i < n; i++) {
        size_t l = strlen(out[i]);
        if (out[i][l - 1] == '.') {
            char *t = malloc(l + 2);
            memcpy(t, out[i], l), t[l] = '0', t[l + 1] = 0;
            free(out[i]), out[i] = t;
        }
    }
}

static void pad(Buf *b, size_t n) {
    while (n--) buf_putc(b, ' ');
}

/* The CSV data row (pandas' index label) of each kept row of a table. */
static int *csv_rows(const CsvTable *t, int n) {
    int *map = malloc(((size_t)n + 1) * sizeof *map), k = 0;
    for (int r = 0; r < t->rows && k < n; r++)
        if (!csv_row_has_na(t, r)) map[k++] = r;
    return map;
}

/* DataFrame.to_string(index=...). The official restaurant tool's output
 * was printed with its index (the CSV row), the other tables without.
 * Numeric column headers get a leading space; with the index, every
 * value does too (pandas' leading_space). */
static void table_text(const TpDb *db, const TpRefEntry *e, Buf *out) {
    const Col *cols = cols_of(e->kind);
    int with_index = e->kind == TP_REF_REST;
    int nc = 0;
    while (cols[nc].header) nc++;
    int n = e->n_rows;
    char **cellv = calloc((size_t)nc * (size_t)n + 1, sizeof *cellv);
    char *head[16];
    size_t width[16];
    double *nums = malloc(((size_t)n + 1) * sizeof *nums);
    for (int c = 0; c < nc; c++) {
        char **col = cellv + (size_t)c * n;
        Buf h;
        buf_init(&h);
        if (cols[c].type == 'n') buf_putc(&h, ' ');
        buf_puts(&h, cols[c].header);
        head[c] = buf_take(&h);
        if (cols[c].type == 'n') {
            for (int i = 0; i < n; i++) cell(db, e->kind, e->rows[i], c, &nums[i]);
            if (col_is_int(csv_of(db, e->kind), cols[c].header)) {
                for (int i = 0; i < n; i++) {
                    char t[64];
                    snprintf(t, sizeof t, with_index ? "% ld" : "%ld", (long)nums[i]);
                    col[i] = strdup(t);
                }
            } else {
                float_column(nums, n, with_index, col);
            }
        } else {
            double x;
            for (int i = 0; i < n; i++) {
                char *v = pandas_str(cell(db, e->kind, e->rows[i], c, &x));
                if (with_index) {
                    char *t = malloc(strlen(v) + 2);
                    t[0] = ' ', strcpy(t + 1, v);
                    free(v), v = t;
                }
                col[i] = v;
            }
        }
        width[c] = cp_len(head[c]);
        for (int i = 0; i < n; i++) {
            size_t l = cp_len(col[i]);
            if (l > width[c]) width[c] = l;
        }
    }
    /* the index column: labels left-justified, a blank header */
    int *label = NULL;
    size_t iw = 0;
    if (with_index) {
        int *map = csv_rows(csv_of(db, e->kind), db->n_rest);
        label = malloc(((size_t)n + 1) * sizeof *label);
        for (int i = 0; i < n; i++) {
            label[i] = map[e->rows[i]];
            char t[32];
            size_t l = (size_t)snprintf(t, sizeof t, "%d", label[i]);
            if (l > iw) iw = l;
        }
        free(map);
        pad(out, iw + 1);
    }
    for (int c = 0; c < nc; c++) {
        if (c) buf_putc(out, ' ');
        pad(out, width[c] - cp_len(head[c]));
        buf_puts(out, head[c]);
    }
    for (int i = 0; i < n; i++) {
        buf_putc(out, '\n');
        if (with_index) {
            char t[32];
            size_t l = (size_t)snprintf(t, sizeof t, "%d", label[i]);
            buf_puts(out, t);
            pad(out, iw - l + 1);
        }
        for (int c = 0; c < nc; c++) {
            const char *s = cellv[(size_t)c * n + i];
            if (c) buf_putc(out, ' ');
            pad(out, width[c] - cp_len(s));
            buf_puts(out, s);
        }
    }
    for (size_t i = 0; i < (size_t)nc * (size_t)n; i++) free(cellv[i]);
    for (int c = 0; c < nc; c++) free(head[c]);
    free(cellv), free(nums), free(label);
}

void tp_ref_entry_content(const TpDb *db, const TpRefEntry *e, Buf *out) {
    if (e->text) buf_puts(out, e->text);
    else table_text(db, e, out);
}

void tp_ref_text(const TpDb *db, const TpRef *r, Buf *out) {
    Buf content;
    buf_init(&content);
    buf_putc(out, '[');
    for (int i = 0; i < r->n; i++) {
        if (i) buf_puts(out, ", ");
        buf_puts(out, "{'Description': ");
        py_str_repr(out, r->e[i].description);
        buf_puts(out, ", 'Content': ");
        buf_reset(&content);
        tp_ref_entry_content(db, &r->e[i], &content);
        py_str_repr(out, content.data ? content.data : "");
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
    buf_free(&content);
}

/* ---- JSON form ---------------------------------------------------------- */

static void records_json(const TpDb *db, const TpRefEntry *e, Buf *out) {
    const Col *cols = cols_of(e->kind);
    int is_int[16];
    for (int c = 0; cols[c].header; c++)
        is_int[c] = cols[c].type == 'n' && col_is_int(csv_of(db, e->kind), cols[c].header);
    buf_putc(out, '[');
    for (int i = 0; i < e->n_rows; i++) {
        if (i) buf_puts(out, ", ");
        buf_putc(out, '{');
        for (int c = 0; cols[c].header; c++) {
            if (c) buf_puts(out, ", ");
            buf_json_str(out, cols[c].header);
            buf_puts(out, ": ");
            double x;
            const char *s = cell(db, e->kind, e->rows[i], c, &x);
            if (cols[c].type == 's') {
                buf_json_str(out, s);
            } else if (is_int[c]) {
                buf_printf(out, "%ld", (long)x);
            } else {
                char t[64];
                buf_puts(out, py_float_repr(x, t, sizeof t));
            }
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
}

void tp_ref_json(const TpDb *db, const TpRef *r, Buf *out) {
    buf_putc(out, '{');
    for (int i = 0; i < r->n; i++) {
        if (i) buf_puts(out, ", ");
        buf_json_str(out, r->e[i].description);
        buf_puts(out, ": ");
        if (r->e[i].text) buf_json_str(out, r->e[i].text);
        else records_json(db, &r->e[i], out);
    }
    buf_putc(out, '}');
}
