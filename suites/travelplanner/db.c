/* db.c: loads the sandbox CSV files with the official pandas semantics and
 * builds the city, flight-number and route indexes. Pure in-memory after
 * tp_db_open; never writes. */
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pyre.h"

static const TpIndexList empty_list = {NULL, 0};

/* ---- loading helpers ------------------------------------------------- */

static int load_table(const char *dir, const char *rel, CsvTable *t, Err *err) {
    char *path = fs_join(dir, rel);
    if (!path) return err_set(err, IM_IO, "out of memory");
    int rc = IM_OK;
    if (!fs_exists(path))
        rc = err_set(err, IM_IO, "cannot open %s: No such file (run `imagine data fetch` or pass --data DIR)", path);
    else
        rc = csv_load(path, t, err);
    /* every file of the package ends with an end of line: one that does not
     * was cut off, maybe inside its last row (pandas would take that row) */
    if (!rc && !t->ends_with_eol) {
        rc = err_set(err, IM_IO, "%s:%d: the last line has no end of line: the file looks truncated "
                     "(run `imagine data check`, then `imagine data fetch`)", path, t->rows ? t->line[t->rows - 1] : 1);
        csv_free(t);
    }
    free(path);
    return rc;
}

/* Columns this table must have; returns their indexes in cols. */
static int need_cols(const CsvTable *t, const char *file, const char *const *names, int *cols, Err *err) {
    for (int i = 0; names[i]; i++) {
        cols[i] = csv_col(t, names[i]);
        if (cols[i] < 0) return err_set(err, IM_IO, "%s: missing column '%s' in the header", file, names[i]);
    }
    return IM_OK;
}

/* A numeric cell of a kept row; pandas would fail the same way if a
 * column it does arithmetic on held text. */
static int num_cell(const CsvTable *t, int r, int c, const char *file, double *out, Err *err) {
    const char *s = csv_cell(t, r, c);
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    while (*end == ' ') end++;
    if (end == s || *end || errno)
        return err_set(err, IM_IO, "%s:%d: column '%s' holds '%s', expected a number", file, t->line[r], t->header[c], s);
    return IM_OK;
}

/* Builds city -> rows lists for one table (rows in file order). */
static int index_by_city(StrMap *map, TpIndexList **lists, const char *const *city_of, int n) {
    int nlists = 0;
    int *count = calloc((size_t)n + 1, sizeof *count), *which = malloc(((size_t)n + 1) * sizeof *which);
    if (!count || !which) { free(count), free(which); return -1; }
    for (int i = 0; i < n; i++) {
        int ins;
        int *slot = strmap_upsert(map, city_of[i], nlists, &ins);
        if (ins) nlists++;
        which[i] = *slot;
        count[*slot]++;
    }
    TpIndexList *l = calloc((size_t)nlists + 1, sizeof *l);
    int *pool = malloc(((size_t)n + 1) * sizeof *pool);
    if (!l || !pool) { free(count), free(which), free(l), free(pool); return -1; }
    int off = 0;
    for (int k = 0; k < nlists; k++) l[k].idx = pool + off, off += count[k];
    for (int i = 0; i < n; i++) l[which[i]].idx[l[which[i]].n++] = i;
    l[0].idx = pool; /* l[0] owns the pool, also when there is no row */
    free(count), free(which);
    *lists = l;
    return 0;
}

static const char *const *gather_city(const void *rows, size_t stride, size_t city_off, int n) {
    const char **v = malloc(((size_t)n + 1) * sizeof *v);
    if (!v) return NULL;
    for (int i = 0; i < n; i++) v[i] = *(const char *const *)((const char *)rows + (size_t)i * stride + city_off);
    return v;
}

static int build_city_index(StrMap *map, TpIndexList **lists, const void *rows, size_t stride, size_t city_off, int n,
                            Err *err) {
    const char *const *cities = gather_city(rows, stride, city_off, n);
    int bad = !cities || index_by_city(map, lists, cities, n);
    free((void *)cities);
    return bad ? err_set(err, IM_IO, "out of memory building the database index") : IM_OK;
}

int tp_db_index(TpDb *db, Err *err) {
    int rc = build_city_index(&db->acc_by_city, &db->acc_lists, db->acc, sizeof *db->acc,
                              offsetof(TpAccommodation, city), db->n_acc, err);
    if (!rc) rc = build_city_index(&db->rest_by_city, &db->rest_lists, db->rest, sizeof *db->rest,
                                   offsetof(TpRestaurant, city), db->n_rest, err);
    if (!rc) rc = build_city_index(&db->attr_by_city, &db->attr_lists, db->attr, sizeof *db->attr,
                                   offsetof(TpAttraction, city), db->n_attr, err);
    if (rc) return rc;
    db->flight_next = malloc(((size_t)db->n_flight + 1) * sizeof(int));
    if (!db->flight_next) return err_set(err, IM_IO, "out of memory building the database index");
    /* number -> chain of rows in file order: insert from the back. */
    for (int i = db->n_flight - 1; i >= 0; i--) {
        int ins;
        int *slot = strmap_upsert(&db->flight_by_number, db->flight[i].number, i, &ins);
        db->flight_next[i] = ins ? -1 : *slot;
        *slot = i;
    }
    return IM_OK;
}

void tp_db_index_free(TpDb *db) {
    TpIndexList *lists[3] = {db->acc_lists, db->rest_lists, db->attr_lists};
    for (int i = 0; i < 3; i++) {
        if (lists[i]) free(lists[i][0].idx);
        free(lists[i]);
    }
    strmap_free(&db->acc_by_city), strmap_free(&db->rest_by_city), strmap_free(&db->attr_by_city);
    strmap_free(&db->flight_by_number), strmap_free(&db->dist_by_pair), strmap_free(&db->city_state);
    free(db->flight_next);
}

/* ---- the tables ------------------------------------------------------ */

static int load_accommodations(TpDb *db, Err *err) {
    const char *file = "database/accommodations/clean_accommodations_2022.csv";
    static const char *const names[] = {"NAME", "room type", "price", "minimum nights", "review rate number",
                                        "house_rules", "maximum occupancy", "city", NULL};
    int c[8], rc = load_table(db->dir, file, &db->acc_csv, err);
    if (rc || (rc = need_cols(&db->acc_csv, file, names, c, err))) return rc;
    CsvTable *t = &db->acc_csv;
    db->acc = calloc((size_t)t->rows + 1, sizeof *db->acc);
    if (!db->acc) return err_set(err, IM_IO, "out of memory");
    for (int r = 0; r < t->rows; r++) {
        if (csv_row_has_na(t, r)) continue; /* dropna() */
        TpAccommodation *a = &db->acc[db->n_acc];
        a->name = csv_cell(t, r, c[0]), a->room_type = csv_cell(t, r, c[1]);
        a->house_rules = csv_cell(t, r, c[5]), a->city = csv_cell(t, r, c[7]);
        if ((rc = num_cell(t, r, c[2], file, &a->price, err)) || (rc = num_cell(t, r, c[3], file, &a->minimum_nights, err)) ||
            (rc = num_cell(t, r, c[4], file, &a->review_rate, err)) ||
            (rc = num_cell(t, r, c[6], file, &a->maximum_occupancy, err)))
            return rc;
        db->n_acc++;
    }
    return IM_OK;
}

static int load_restaurants(TpDb *db, Err *err) {
    const char *file = "database/restaurants/clean_restaurant_2022.csv";
    static const char *const names[] = {"Name", "City", "Cuisines", "Average Cost", "Aggregate Rating", NULL};
    int c[5], rc = load_table(db->dir, file, &db->rest_csv, err);
    if (rc || (rc = need_cols(&db->rest_csv, file, names, c, err))) return rc;
    CsvTable *t = &db->rest_csv;
    db->rest = calloc((size_t)t->rows + 1, sizeof *db->rest);
    if (!db->rest) return err_set(err, IM_IO, "out of memory");
    for (int r = 0; r < t->rows; r++) {
        if (csv_row_has_na(t, r)) continue;
        TpRestaurant *x = &db->rest[db->n_rest];
        x->name = csv_cell(t, r, c[0]), x->city = csv_cell(t, r, c[1]), x->cuisines = csv_cell(t, r, c[2]);
        if ((rc = num_cell(t, r, c[3], file, &x->average_cost, err)) || (rc = num_cell(t, r, c[4], file, &x->rating, err)))
            return rc;
        db->n_rest++;
    }
    return IM_OK;
}

static int load_attractions(TpDb *db, Err *err) {
    const char *file = "database/attractions/attractions.csv";
    static const char *const names[] = {"Name", "Latitude", "Longitude", "Address", "Phone", "Website", "City", NULL};
    int c[7], rc = load_table(db->dir, file, &db->attr_csv, err);
    if (rc || (rc = need_cols(&db->attr_csv, file, names, c, err))) return rc;
    CsvTable *t = &db->attr_csv;
    db->attr = calloc((size_t)t->rows + 1, sizeof *db->attr);
    if (!db->attr) return err_set(err, IM_IO, "out of memory");
    for (int r = 0; r < t->rows; r++) {
        if (csv_row_has_na(t, r)) continue;
        TpAttraction *x = &db->attr[db->n_attr];
        x->name = csv_cell(t, r, c[0]), x->address = csv_cell(t, r, c[3]), x->phone = csv_cell(t, r, c[4]);
        x->website = csv_cell(t, r, c[5]), x->city = csv_cell(t, r, c[6]);
        if ((rc = num_cell(t, r, c[1], file, &x->latitude, err)) || (rc = num_cell(t, r, c[2], file, &x->longitude, err)))
            return rc;
        db->n_attr++;
    }
    return IM_OK;
}

static int load_flights(TpDb *db, Err *err) {
    const char *file = "database/flights/clean_Flights_2022.csv";
    static const char *const names[] = {"Flight Number", "Price", "DepTime", "ArrTime", "ActualElapsedTime",
                                        "FlightDate", "OriginCityName", "DestCityName", "Distance", NULL};
    int c[9], rc = load_table(db->dir, file, &db->flight_csv, err);
    if (rc || (rc = need_cols(&db->flight_csv, file, names, c, err))) return rc;
    CsvTable *t = &db->flight_csv;
    db->flight = calloc((size_t)t->rows + 1, sizeof *db->flight);
    if (!db->flight) return err_set(err, IM_IO, "out of memory");
    for (int r = 0; r < t->rows; r++) {
        if (csv_row_has_na(t, r)) continue;
        TpFlight *f = &db->flight[db->n_flight];
        f->number = csv_cell(t, r, c[0]), f->dep_time = csv_cell(t, r, c[2]), f->arr_time = csv_cell(t, r, c[3]);
        f->elapsed = csv_cell(t, r, c[4]), f->date = csv_cell(t, r, c[5]);
        f->origin = csv_cell(t, r, c[6]), f->dest = csv_cell(t, r, c[7]);
        if ((rc = num_cell(t, r, c[1], file, &f->price, err)) || (rc = num_cell(t, r, c[8], file, &f->distance, err)))
            return rc;
        db->n_flight++;
    }
    return IM_OK;
}

static int load_distances(TpDb *db, Err *err) {
    const char *file = "database/googleDistanceMatrix/distance.csv";
    static const char *const names[] = {"origin", "destination", "duration", "distance", NULL};
    int c[4], rc = load_table(db->dir, file, &db->dist_csv, err);
    if (rc || (rc = need_cols(&db->dist_csv, file, names, c, err))) return rc;
    CsvTable *t = &db->dist_csv;
    db->dist = calloc((size_t)t->rows + 1, sizeof *db->dist);
    size_t keylen = 0;
    for (int r = 0; r < t->rows; r++) keylen += strlen(csv_cell(t, r, c[0])) + strlen(csv_cell(t, r, c[1])) + 2;
    db->pair_keys = malloc(keylen + 1);
    if (!db->dist || !db->pair_keys) return err_set(err, IM_IO, "out of memory");
    char *k = db->pair_keys;
    for (int r = 0; r < t->rows; r++) { /* no dropna() on this table */
        TpDistance *d = &db->dist[r];
        d->origin = csv_cell(t, r, c[0]), d->dest = csv_cell(t, r, c[1]);
        d->duration = csv_na(t, r, c[2]) ? NULL : csv_cell(t, r, c[2]);
        d->distance = csv_na(t, r, c[3]) ? NULL : csv_cell(t, r, c[3]);
        /* NA origin/destination never equal a string in pandas */
        if (csv_na(t, r, c[0]) || csv_na(t, r, c[1])) continue;
        size_t lo = strlen(d->origin), ld = strlen(d->dest);
        memcpy(k, d->origin, lo), k[lo] = '\x1f', memcpy(k + lo + 1, d->dest, ld + 1);
        strmap_upsert(&db->dist_by_pair, k, r, NULL); /* keeps the first row */
        k += lo + ld + 2;
    }
    db->n_dist = t->rows;
    return IM_OK;
}

/* citySet_with_states.txt: "city<TAB>state" lines; cities and states sets. */
static int load_background(TpDb *db, Err *err) {
    const char *file = "database/background/citySet_with_states.txt";
    char *path = fs_join(db->dir, file);
    size_t len;
    int rc = path ? fs_read_file(path, &db->bg_text, &len, err) : err_set(err, IM_IO, "out of memory");
    if (rc == IM_IO && path && !fs_exists(path)) err_prefix(err, "run `imagine data fetch` or pass --data DIR");
    free(path);
    if (rc) return rc;
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++) nlines += db->bg_text[i] == '\n';
    db->city_state_val = calloc(nlines + 1, sizeof(char *));
    if (!db->city_state_val) return err_set(err, IM_IO, "out of memory");
    char *line = db->bg_text;
    int lineno = 0;
    while (line) {
        lineno++;
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (*line == 0 && !nl) break; /* a final newline */
        char *tab = strchr(line, '\t');
        if (!tab || strchr(tab + 1, '\t'))
            return err_set(err, IM_IO, "%s/%s:%d: expected 'city<TAB>state'", db->dir, file, lineno);
        *tab = 0;
        int ins;
        int *slot = strmap_upsert(&db->city_state, line, db->n_city_state, &ins);
        if (ins) db->n_city_state++;
        db->city_state_val[*slot] = tab + 1; /* dict comprehension: last wins */
        line = nl ? nl + 1 : NULL;
    }
    return IM_OK;
}

/* The distance matrix is the largest table and shares nothing with the
 * others while loading: a second thread reads it (the load is most of a
 * short `imagine eval`). */
typedef struct DistJob {
    TpDb *db;
    Err err;
    int rc;
} DistJob;

static void *load_distances_job(void *arg) {
    DistJob *j = arg;
    j->rc = load_distances(j->db, &j->err);
    return NULL;
}

int tp_db_open(const char *data_dir, TpDb **out, Err *err) {
    *out = NULL;
    if (tp_pyre_init()) return err_set(err, IM_IO, "cannot compile the evaluator's patterns (PCRE2)");
    TpDb *db = calloc(1, sizeof *db);
    if (!db) return err_set(err, IM_IO, "out of memory");
    db->dir = strdup(data_dir);
    DistJob job = {.db = db};
    pthread_t th;
    int threaded = pthread_create(&th, NULL, load_distances_job, &job) == 0;
    if (!threaded) load_distances_job(&job);
    int rc = load_accommodations(db, err);
    if (!rc) rc = load_restaurants(db, err);
    if (!rc) rc = load_attractions(db, err);
    if (!rc) rc = load_flights(db, err);
    if (!rc) rc = load_background(db, err);
    if (!rc) rc = tp_db_index(db, err);
    if (threaded) pthread_join(th, NULL);
    if (!rc && job.rc) rc = job.rc, *err = job.err;
    if (rc) {
        tp_db_close(db);
        return rc;
    }
    *out = db;
    return IM_OK;
}

void tp_db_close(TpDb *db) {
    if (!db) return;
    csv_free(&db->acc_csv), csv_free(&db->rest_csv), csv_free(&db->attr_csv);
    csv_free(&db->flight_csv), csv_free(&db->dist_csv);
    free(db->acc), free(db->rest), free(db->attr), free(db->flight), free(db->dist);
    tp_db_index_free(db);
    free(db->pair_keys), free(db->bg_text), free(db->city_state_val);
    free(db->cities), free(db->states), free(db->dir);
    free(db);
}

/* ---- lookups ---------------------------------------------------------- */

static const TpIndexList *list_in(const StrMap *m, const TpIndexList *lists, const char *city) {
    int k = strmap_get(m, city);
    return k < 0 ? &empty_list : &lists[k];
}

const TpIndexList *tp_db_acc_in(const TpDb *db, const char *city) { return list_in(&db->acc_by_city, db->acc_lists, city); }
const TpIndexList *tp_db_rest_in(const TpDb *db, const char *city) { return list_in(&db->rest_by_city, db->rest_lists, city); }
const TpIndexList *tp_db_attr_in(const TpDb *db, const char *city) { return list_in(&db->attr_by_city, db->attr_lists, city); }

#define FIND_FIRST(list, rows, name, count)                                 \
    do {                                                                    \
        int first = -1, cnt = 0;                                            \
        size_t nl = strlen(name);                                           \
        for (int i = 0; i < (list)->n; i++) {                               \
            const char *rn = (rows)[(list)->idx[i]].name;                   \
            if (nl == 0 || strstr(rn, name)) {                              \
                if (first < 0) first = (list)->idx[i];                      \
                cnt++;                                                      \
                if (!(count)) break;                                        \
            }                                                               \
        }                                                                   \
        if (count) *(count) = cnt;                                          \
        return first;                                                       \
    } while (0)

int tp_db_find_acc(const TpDb *db, const char *name, const char *city, int *count) {
    const TpIndexList *l = tp_db_acc_in(db, city);
    FIND_FIRST(l, db->acc, name, count);
}

int tp_db_find_rest(const TpDb *db, const char *name, const char *city) {
    const TpIndexList *l = tp_db_rest_in(db, city);
    int *count = NULL;
    FIND_FIRST(l, db->rest, name, count);
}

int tp_db_find_attr(const TpDb *db, const char *name, const char *city) {
    const TpIndexList *l = tp_db_attr_in(db, city);
    int *count = NULL;
    FIND_FIRST(l, db->attr, name, count);
}

int tp_db_find_flight(const TpDb *db, const char *number, const char *origin, const char *dest) {
    for (int i = strmap_get(&db->flight_by_number, number); i >= 0; i = db->flight_next[i]) {
        const TpFlight *f = &db->flight[i];
        if (!origin || (!strcmp(f->origin, origin) && !strcmp(f->dest, dest))) return i;
    }
    return -1;
}

int tp_db_distance_cost(const TpDb *db, const char *origin, const char *dest, char mode, long *cost) {
    TpSpan o = tp_before_paren(tp_span(origin)), d = tp_before_paren(tp_span(dest));
    char key[1024];
    if (o.n + d.n + 2 > sizeof key) return 0;
    memcpy(key, o.p, o.n), key[o.n] = '\x1f', memcpy(key + o.n + 1, d.p, d.n), key[o.n + 1 + d.n] = 0;
    int r = strmap_get(&db->dist_by_pair, key);
    if (r < 0) return 0;
    const TpDistance *x = &db->dist[r];
    if (!x->duration || !x->distance || strstr(x->duration, "day")) return 0;
    /* int(eval(distance.replace("km","").replace(",",""))) */
    char num[64];
    size_t n = 0;
    for (const char *p = x->distance; *p && n + 1 < sizeof num; p++) {
        if (p[0] == 'k' && p[1] == 'm') { p++; continue; }
        if (*p != ',') num[n++] = *p;
    }
    num[n] = 0;
    char *end;
    double km = strtod(num, &end);
    while (*end == ' ') end++;
    if (end == num || *end) return 0;
    *cost = mode == 's' ? (long)(km * 0.05) : (long)km;
    return 1;
}

int tp_db_state_cities(const TpDb *db, const char *state, const char *except, const char **out, int max) {
    /* the map's values are the order of first insertion: file order */
    int n = 0;
    const char **by = calloc((size_t)(db->n_city_state ? db->n_city_state : 1), sizeof *by);
    for (size_t s = 0; by && s < db->city_state.cap; s++) {
        const char *city = db->city_state.keys[s];
        if (city) by[db->city_state.vals[s]] = city;
    }
    for (int k = 0; by && k < db->n_city_state && n < max; k++) {
        const char *st = by[k] ? db->city_state_val[k] : NULL;
        if (st && !strcmp(st, state) && (!except || strcmp(by[k], except))) out[n++] = by[k];
    }
    free(by);
    return n;
}

const char *tp_db_city_state(const TpDb *db, const char *city) {
    int k = strmap_get(&db->city_state, city);
    return k < 0 ? NULL : db->city_state_val[k];
}
