/* test_optimal.c: the solver's minimum cost against an exhaustive
 * enumeration, on a small sandbox this test writes (real CSV files loaded
 * with tp_db_open).
 *
 * The enumeration is written from the checks, not from the solver: for
 * every route through the candidate cities and every set of travel days,
 * every combination of one transport option per leg (every flight of the
 * date, taxi, self-driving; the conflict rule and the query's transport
 * rule), every accommodation per night (runs of one row at least its
 * minimum nights, room type, house rule: several accommodations per stay
 * are tried), and every set of restaurants per city (three distinct ones
 * per full day, any extra ones placed on the travel days at either end,
 * three meal slots a travel day shared by the two cities; meals in the
 * origin are left out: they cost money and the official cuisine check
 * does not count them). The parts are minimised separately, which is exact
 * because, given the route and the days, they share no constraint. The
 * cheapest plan found is written out and must pass the official evaluator
 * and the strict checker at the enumerated cost.
 *
 * Then for each query: the solver's min_cost equals the enumeration's
 * minimum (or both have no plan); with the budget at that minimum the
 * solver returns a plan of that cost, with the budget one dollar under it
 * it returns none; every verdict is also checked against the independent
 * relaxation (verdict.h). Queries cover travel-day meals needed for a
 * cuisine, mixed flights and taxis, self-driving, room rules, and
 * infeasible proofs (budget, accommodation, route) and `unknown`s.
 * usage: test_optimal WORK_DIR */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check.h"
#include "buf.h"
#include "evaluate.h"
#include "fsutil.h"
#include "solver.h"
#include "strict.h"
#include "verdict.h"

/* ---- the sandbox ----------------------------------------------------------- */

static const char *const CITY_SET = "Alpha\tNorthland\nBay\tSouthland\nCove\tSouthland\nDell\tSouthland\nEcho\tEastland\n";

static const char *const ACCOMMODATIONS =
    ",NAME,room type,price,minimum nights,review rate number,house_rules,maximum occupancy,city\n"
    "0,Bay Loft,Entire home/apt,120.0,1.0,4.0,No smoking,4,Bay\n"
    "1,Bay Room,Private room,45.0,2.0,4.0,No pets & No parties,2,Bay\n"
    "2,Bay Bunk,Shared room,20.0,3.0,3.0,No visitors,1,Bay\n"
    "3,Bay Studio,Private room,38.0,1.0,3.0,No smoking,1,Bay\n"
    "4,Cove House,Entire home/apt,90.0,2.0,5.0,No children under 10,5,Cove\n"
    "5,Cove Nook,Private room,35.0,1.0,4.0,No smoking & No pets,1,Cove\n"
    "6,Cove Suite,Entire home/apt,150.0,1.0,5.0,No parties,3,Cove\n"
    "7,Dell Cabin,Private room,50.0,1.0,4.0,No parties,2,Dell\n"
    "8,Dell Barn,Entire home/apt,70.0,4.0,2.0,No smoking,6,Dell\n"
    "9,Echo Inn,Private room,60.0,1.0,3.0,No smoking,2,Echo\n"
    "10,Alpha Hotel,Private room,10.0,1.0,3.0,No smoking,2,Alpha\n";

static const char *const RESTAURANTS =
    ",Name,City,Cuisines,Average Cost,Aggregate Rating\n"
    "0,Bay Noodle,Bay,Chinese,10,4.0\n"
    "1,Bay Pasta,Bay,\"Italian, Pizza\",25,4.1\n"
    "2,Bay Taco,Bay,Mexican,12,3.9\n"
    "3,Bay Curry,Bay,Indian,30,4.4\n"
    "4,Bay Diner,Bay,American,8,3.5\n"
    "5,Bay Grill,Bay,\"American, BBQ\",9,3.8\n"
    "6,Cove Wok,Cove,\"Chinese, Thai\",14,4.2\n"
    "7,Cove Trattoria,Cove,Italian,11,4.0\n"
    "8,Cove Cantina,Cove,\"Mexican, Indian\",40,4.6\n"
    "9,Cove Cafe,Cove,Cafe,6,3.2\n"
    "10,Cove Bistro,Cove,French,18,4.3\n"
    "11,Dell Deli,Dell,American,7,3.6\n"
    "12,Dell Spice,Dell,Indian,9,4.1\n"
    "13,Dell Pizzeria,Dell,\"Pizza, Italian\",13,3.9\n"
    "14,Dell Bento,Dell,Japanese,15,4.5\n"
    "15,Alpha Eats,Alpha,\"Chinese, Italian, Mexican, Indian, Japanese, French\",1,3.0\n"
    "16,Echo Bar,Echo,Chinese,5,3.0\n";

static const char *const ATTRACTIONS =
    "Name,Latitude,Longitude,Address,Phone,Website,City\n"
    "Bay Pier,1.0,1.0,1 Pier Rd,555-0101,https://pier.example,Bay\n"
    "Bay Museum,1.0,1.0,2 Museum Rd,555-0102,https://museum.example,Bay\n"
    "Bay Park,1.0,1.0,3 Park Rd,555-0103,https://park.example,Bay\n"
    "Cove Beach,1.0,1.0,1 Beach Rd,555-0201,https://beach.example,Cove\n"
    "Cove Lighthouse,1.0,1.0,2 Light Rd,555-0202,https://light.example,Cove\n"
    "Dell Falls,1.0,1.0,1 Falls Rd,555-0301,https://falls.example,Dell\n"
    "Echo Hill,1.0,1.0,1 Hill Rd,555-0401,https://hill.example,Echo\n"
    "Alpha Tower,1.0,1.0,1 Tower Rd,555-0501,https://tower.example,Alpha\n";

static const char *const FLIGHTS =
    "Flight Number,Price,DepTime,ArrTime,ActualElapsedTime,FlightDate,OriginCityName,DestCityName,Distance\n"
    "F001,80,08:00,10:00,2 hours 0 minutes,2022-03-01,Alpha,Bay,400.0\n"
    "F002,95,13:00,15:00,2 hours 0 minutes,2022-03-01,Alpha,Bay,400.0\n"
    "F003,60,09:00,10:30,1 hours 30 minutes,2022-03-01,Alpha,Cove,300.0\n"
    "F004,85,18:00,20:00,2 hours 0 minutes,2022-03-03,Bay,Alpha,400.0\n"
    "F005,70,07:00,09:00,2 hours 0 minutes,2022-03-05,Bay,Alpha,400.0\n"
    "F006,75,12:00,13:30,1 hours 30 minutes,2022-03-05,Cove,Alpha,300.0\n"
    "F007,50,16:00,18:30,2 hours 30 minutes,2022-03-07,Dell,Alpha,500.0\n"
    "F008,30,10:00,10:40,0 hours 40 minutes,2022-03-03,Bay,Cove,50.0\n"
    "F009,25,11:00,11:40,0 hours 40 minutes,2022-03-04,Cove,Dell,60.0\n"
    "F010,55,15:00,17:30,2 hours 30 minutes,2022-03-05,Dell,Alpha,500.0\n"
    "F011,65,20:00,22:00,2 hours 0 minutes,2022-03-07,Bay,Alpha,400.0\n"
    "F012,20,09:00,09:40,0 hours 40 minutes,2022-03-02,Cove,Bay,50.0\n"
    "F013,40,09:00,09:40,0 hours 40 minutes,2022-03-03,Cove,Bay,50.0\n";

/* taxi costs the km, self-driving km x 0.05 (rounded down) */
static const char *const DISTANCES =
    "origin,destination,cost,duration,distance\n"
    "Alpha,Bay,,5 hours 0 mins,400 km\n"
    "Bay,Alpha,,5 hours 0 mins,400 km\n"
    "Alpha,Cove,,4 hours 0 mins,300 km\n"
    "Cove,Alpha,,4 hours 0 mins,300 km\n"
    "Dell,Alpha,,6 hours 0 mins,\"1,000 km\"\n"
    "Bay,Cove,,1 hour 0 mins,50 km\n"
    "Cove,Bay,,1 hour 0 mins,50 km\n"
    "Cove,Dell,,1 hour 10 mins,60 km\n"
    "Dell,Cove,,1 hour 10 mins,60 km\n"
    "Bay,Dell,,2 hours 0 mins,120 km\n"
    "Dell,Bay,,2 hours 0 mins,120 km\n"
    "Alpha,Echo,,3 hours 0 mins,200 km\n"
    "Echo,Alpha,,3 hours 0 mins,200 km\n";

static int write_file(const char *dir, const char *rel, const char *text) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "w");
    if (!f) return fprintf(stderr, "cannot write %s\n", path), -1;
    fputs(text, f);
    return fclose(f);
}

/* Seeded sandboxes: the same rows with other prices, minimum nights,
 * occupancies, room types and house rules (a 64-bit LCG: reproducible). */
static unsigned long long rng;
static int rnd(int lo, int hi) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (int)((rng >> 33) % (unsigned long long)(hi - lo + 1));
}

/* Rewrites field `col` (0-based, unquoted tables) or, with col < 0, the
 * field before the last one of every data line, through fn. */
static char *perturb(const char *csv, int ncols, const int *cols, void (*fn)(int col, Buf *out)) {
    Buf b;
    buf_init(&b);
    const char *line = strchr(csv, '\n') + 1;
    buf_append(&b, csv, (size_t)(line - csv));
    while (*line) {
        const char *nl = strchr(line, '\n');
        const char *last = nl, *prev = NULL;
        while (last > line && last[-1] != ',') last--;
        for (prev = last - 1; prev > line && prev[-1] != ','; prev--) {}
        int col = 0;
        for (const char *f = line; f < nl;) {
            const char *e = f;
            while (e < nl && *e != ',' && *e != '"') e++;
            if (*e == '"') e = strchr(strchr(e + 1, '"') + 1, ',') ? strchr(strchr(e + 1, '"') + 1, ',') : nl;
            if (e > nl) e = nl;
            int hit = 0;
            for (int k = 0; k < ncols; k++) hit |= cols[k] == col || (cols[k] < 0 && f == prev);
            if (hit) fn(cols[0] < 0 ? -1 : col, &b);
            else buf_append(&b, f, (size_t)(e - f));
            if (e < nl) buf_putc(&b, ',');
            f = e + 1, col++;
        }
        buf_putc(&b, '\n');
        line = nl + 1;
    }
    return buf_take(&b);
}

static void acc_field(int col, Buf *b) {
    static const char *const types[3] = {"Entire home/apt", "Private room", "Shared room"};
    static const char *const rules[5] = {"No smoking", "No parties", "No pets & No visitors", "No children under 10",
                                         "No smoking & No parties"};
    if (col == 2) buf_puts(b, types[rnd(0, 2)]);
    else if (col == 3) buf_printf(b, "%d.0", rnd(15, 200));
    else if (col == 4) buf_printf(b, "%d.0", rnd(1, 4));
    else if (col == 6) buf_puts(b, rules[rnd(0, 4)]);
    else buf_printf(b, "%d", rnd(1, 6));
}
static void rest_field(int col, Buf *b) { (void)col, buf_printf(b, "%d", rnd(3, 45)); }
static void flight_field(int col, Buf *b) { (void)col, buf_printf(b, "%d", rnd(15, 160)); }

static int write_sandbox(const char *dir, unsigned seed) {
    mkdir(dir, 0755);
    char *acc = NULL, *rest = NULL, *fl = NULL;
    if (seed) {
        static const int acc_cols[5] = {2, 3, 4, 6, 7}, rest_cols[1] = {-1}, fl_cols[1] = {1};
        rng = seed;
        acc = perturb(ACCOMMODATIONS, 5, acc_cols, acc_field);
        rest = perturb(RESTAURANTS, 1, rest_cols, rest_field);
        fl = perturb(FLIGHTS, 1, fl_cols, flight_field);
    }
    int rc = write_file(dir, "database/background/citySet_with_states.txt", CITY_SET) ||
             write_file(dir, "database/accommodations/clean_accommodations_2022.csv", acc ? acc : ACCOMMODATIONS) ||
             write_file(dir, "database/restaurants/clean_restaurant_2022.csv", rest ? rest : RESTAURANTS) ||
             write_file(dir, "database/attractions/attractions.csv", ATTRACTIONS) ||
             write_file(dir, "database/flights/clean_Flights_2022.csv", fl ? fl : FLIGHTS) ||
             write_file(dir, "database/googleDistanceMatrix/distance.csv", DISTANCES);
    free(acc), free(rest), free(fl);
    return rc;
}

/* ---- the enumeration ------------------------------------------------------- */

#define MAXR 16
#define MAXLEG 4

typedef struct Transport {
    double cost;
    char kind;   /* F, T, S */
    int row;     /* flight row */
} Transport;

typedef struct Best {
    double cost;
    int n, route[3], t[4];
    char city[3][64];      /* the route's cities (filled for the best plan) */
    Transport leg[MAXLEG];
    int acc[8];            /* accommodation row per night */
    int meals[3][MAXR];    /* restaurant rows per city */
    int n_meals[3], arr[3], dep[3];
} Best;

typedef struct Ctx {
    const TpDb *db;
    const TpQuery *q;
    const char *cand[8];
    int nc;
    Best cur, best;
} Ctx;

static int has_rule(const TpQuery *q, const char *rule) { return q->transportation && !strcmp(q->transportation, rule); }

/* Every option of a leg on day d (1-based). */
static int leg_options(const Ctx *x, const char *a, const char *b, int d, Transport *o, int max) {
    int n = 0;
    const TpDb *db = x->db;
    if (!has_rule(x->q, "no flight"))
        for (int i = 0; i < db->n_flight && n < max; i++) {
            const TpFlight *f = &db->flight[i];
            if (!strcmp(f->origin, a) && !strcmp(f->dest, b) && !strcmp(f->date, x->q->date[d - 1]))
                o[n].cost = f->price * x->q->people_number, o[n].kind = 'F', o[n++].row = i;
        }
    long unit;
    if (n < max && tp_db_distance_cost(db, a, b, 't', &unit))
        o[n].cost = unit * ceil(x->q->people_number / 4.0), o[n].kind = 'T', o[n++].row = -1;
    if (n < max && !has_rule(x->q, "no self-driving") && tp_db_distance_cost(db, a, b, 's', &unit))
        o[n].cost = unit * ceil(x->q->people_number / 5.0), o[n].kind = 'S', o[n++].row = -1;
    return n;
}

/* The cheapest transport of the route: every combination of options. */
static double transport(Ctx *x, const char **stops, const int *t, int legs, Transport *out) {
    Transport opt[MAXLEG][16];
    int n[MAXLEG], pick[MAXLEG] = {0};
    for (int k = 0; k < legs; k++)
        if (!(n[k] = leg_options(x, stops[k], stops[k + 1], t[k], opt[k], 16))) return INFINITY;
    double best = INFINITY;
    for (;;) {
        int has[128] = {0};
        double c = 0;
        for (int k = 0; k < legs; k++) has[(int)opt[k][pick[k]].kind] = 1, c += opt[k][pick[k]].cost;
        if (!(has['S'] && (has['F'] || has['T'])) && c < best) {
            best = c;
            for (int k = 0; k < legs; k++) out[k] = opt[k][pick[k]];
        }
        int k = 0;
        while (k < legs && ++pick[k] == n[k]) pick[k++] = 0;
        if (k == legs) break;
    }
    return best;
}

/* The cheapest accommodation of a stay: every row per night. */
static double stay(Ctx *x, const char *city, int nights, int *rows) {
    const TpIndexList *l = tp_db_acc_in(x->db, city);
    int pick[8] = {0};
    double best = INFINITY;
    if (!l->n) return best;
    for (;;) {
        double c = 0;
        int ok = 1;
        for (int k = 0; k < nights && ok; k++) {
            const TpAccommodation *a = &x->db->acc[l->idx[pick[k]]];
            int run = 1; /* the run this night belongs to */
            for (int j = k - 1; j >= 0 && pick[j] == pick[k]; j--) run++;
            for (int j = k + 1; j < nights && pick[j] == pick[k]; j++) run++;
            ok = a->maximum_occupancy > 0 && room_allowed(x->q, a) && a->minimum_nights <= run;
            c += a->price * ceil((double)x->q->people_number / a->maximum_occupancy);
        }
        if (ok && c < best) {
            best = c;
            for (int k = 0; k < nights; k++) rows[k] = l->idx[pick[k]];
        }
        int k = 0;
        while (k < nights && ++pick[k] == l->n) pick[k++] = 0;
        if (k == nights) break;
    }
    return best;
}

static int distinct_attractions(const TpDb *db, const char *city) {
    const TpIndexList *l = tp_db_attr_in(db, city);
    int n = 0;
    for (int i = 0; i < l->n; i++) {
        int dup = strchr(db->attr[l->idx[i]].name, ';') != NULL;
        for (int j = 0; j < i && !dup; j++) dup = !strcmp(db->attr[l->idx[j]].name, db->attr[l->idx[i]].name);
        n += !dup;
    }
    return n;
}

/* Travel-day slots for extras x[0..n): arrival day of city i and its
 * departure day; each travel day has three slots for the two cities. */
static int place(int n, const int *x, int *arr, int *dep) {
    int a[3] = {0};
    for (;;) {
        int ok = 1;
        for (int i = 0; i < n && ok; i++) ok = a[i] <= x[i] && x[i] - a[i] <= 3;
        for (int i = 1; i < n && ok; i++) ok = (x[i - 1] - a[i - 1]) + a[i] <= 3;
        if (ok) {
            for (int i = 0; i < n; i++) arr[i] = a[i], dep[i] = x[i] - a[i];
            return 1;
        }
        int k = 0;
        while (k < n && ++a[k] == 4) a[k++] = 0;
        if (k == n) return 0;
    }
}

/* The cheapest meals: a subset of restaurants per city. */
static double meals(Ctx *x, const int *f, Best *b) {
    int n = x->q->visiting_city_number, K = x->q->has_cuisine ? x->q->n_cuisine : 0;
    int rows[3][MAXR], nr[3];
    unsigned mask[3][MAXR];
    for (int i = 0; i < n; i++) {
        const TpIndexList *l = tp_db_rest_in(x->db, x->cand[b->route[i]]);
        nr[i] = l->n < MAXR ? l->n : MAXR;
        for (int r = 0; r < nr[i]; r++) {
            rows[i][r] = l->idx[r], mask[i][r] = 0;
            for (int k = 0; k < K; k++)
                if (strstr(x->db->rest[l->idx[r]].cuisines, x->q->cuisine[k])) mask[i][r] |= 1u << k;
        }
    }
    double best = INFINITY;
    unsigned s[3] = {0};
    for (;;) {
        double c = 0;
        unsigned cov = 0;
        int ext[3], ok = 1;
        for (int i = 0; i < n && ok; i++) {
            int cnt = 0;
            for (int r = 0; r < nr[i]; r++)
                if (s[i] >> r & 1) cnt++, c += x->db->rest[rows[i][r]].average_cost * x->q->people_number, cov |= mask[i][r];
            ext[i] = cnt - 3 * f[i];
            ok = ext[i] >= 0;
        }
        int arr[3], dep[3];
        if (ok && c < best && cov == (1u << K) - 1 && place(n, ext, arr, dep)) {
            best = c;
            for (int i = 0; i < n; i++) {
                b->n_meals[i] = 0, b->arr[i] = arr[i], b->dep[i] = dep[i];
                for (int r = 0; r < nr[i]; r++)
                    if (s[i] >> r & 1) b->meals[i][b->n_meals[i]++] = rows[i][r];
            }
        }
        int i = 0;
        while (i < n && ++s[i] == 1u << nr[i]) s[i++] = 0;
        if (i == n) break;
    }
    return best;
}

/* Travel days t[1..n-1] between 1 and days, then the parts of the plan. */
static void days_rec(Ctx *x, int k) {
    int n = x->q->visiting_city_number, D = x->q->days;
    Best *b = &x->cur;
    if (n < 1 || n > 3) return; /* TravelPlanner visits 1-3 cities (and the arrays below are sized so) */
    if (k < n) {
        for (int d = b->t[k - 1] + 1; d <= D - (n - k); d++) b->t[k] = d, days_rec(x, k + 1);
        return;
    }
    b->t[0] = 1, b->t[n] = D;
    int f[3];
    double c = 0;
    for (int i = 0; i < n; i++) {
        f[i] = b->t[i + 1] - b->t[i] - 1;
        if (distinct_attractions(x->db, x->cand[b->route[i]]) < f[i]) return;
        c += stay(x, x->cand[b->route[i]], b->t[i + 1] - b->t[i], &b->acc[b->t[i] - 1]);
    }
    const char *stops[5];
    stops[0] = x->q->org;
    for (int i = 0; i < n; i++) stops[i + 1] = x->cand[b->route[i]];
    stops[n + 1] = x->q->org;
    c += transport(x, stops, b->t, n + 1, b->leg);
    if (!isfinite(c)) return;
    c += meals(x, f, b);
    if (c < x->best.cost) x->best = *b, x->best.cost = c;
}

static void route_rec(Ctx *x, int i, unsigned used) {
    if (i >= 3 || i == x->q->visiting_city_number) { /* 1-3 cities: route[] holds 3 */
        x->cur.t[0] = 1;
        days_rec(x, 1);
        return;
    }
    for (int c = 0; c < x->nc; c++)
        if (!(used >> c & 1)) x->cur.route[i] = c, route_rec(x, i + 1, used | 1u << c);
}

static double enumerate(const TpDb *db, const TpQuery *q, Best *best) {
    Ctx x = {.db = db, .q = q};
    if (q->days <= 3) x.cand[x.nc++] = q->dest;
    else x.nc = state_cities(q->dest, q->org, x.cand, 8);
    x.best.cost = INFINITY, x.best.n = x.cur.n = q->visiting_city_number;
    if (x.nc >= q->visiting_city_number && q->visiting_city_number <= 3) route_rec(&x, 0, 0);
    *best = x.best;
    for (int i = 0; i < best->n && isfinite(best->cost); i++)
        snprintf(best->city[i], sizeof best->city[i], "%s", x.cand[best->route[i]]);
    return best->cost;
}

/* ---- the enumerated plan, written out ------------------------------------------ */

static void transport_text(const TpDb *db, const Transport *t, const char *a, const char *b, Buf *out) {
    buf_reset(out);
    if (t->kind == 'F') {
        const TpFlight *f = &db->flight[t->row];
        buf_printf(out, "Flight Number: %s, from %s to %s, Departure Time: %s, Arrival Time: %s", f->number, a, b,
                   f->dep_time, f->arr_time);
    } else {
        buf_printf(out, "%s, from %s to %s", t->kind == 'S' ? "Self-driving" : "Taxi", a, b);
    }
}

static cJSON *write_plan(const TpDb *db, const TpQuery *q, const Best *b) {
    int n = b->n, D = q->days;
    const char *slot[16][3] = {{0}};
    const char *slot_city[16][3] = {{0}};
    for (int i = 0; i < n; i++) {
        int next = 0;
        for (int d = b->t[i] + 1; d < b->t[i + 1]; d++)
            for (int m = 0; m < 3; m++) slot[d][m] = db->rest[b->meals[i][next++]].name, slot_city[d][m] = b->city[i];
        for (int k = 0; k < b->arr[i]; k++) /* arrival day: dinner first */
            slot[b->t[i]][2 - k] = db->rest[b->meals[i][next++]].name, slot_city[b->t[i]][2 - k] = b->city[i];
        for (int k = 0; k < b->dep[i]; k++) /* departure day: breakfast first */
            slot[b->t[i + 1]][k] = db->rest[b->meals[i][next++]].name, slot_city[b->t[i + 1]][k] = b->city[i];
    }
    cJSON *plan = cJSON_CreateArray();
    Buf t;
    buf_init(&t);
    static const char *const key[3] = {"breakfast", "lunch", "dinner"};
    for (int d = 1; d <= D; d++) {
        cJSON *day = cJSON_CreateObject();
        cJSON_AddNumberToObject(day, "days", d);
        int leg = -1, stay_i = 0;
        for (int k = 0; k <= n; k++)
            if (b->t[k] == d) leg = k;
        for (int i = 0; i < n; i++)
            if (b->t[i] <= d && d < b->t[i + 1]) stay_i = i;
        if (leg >= 0) {
            const char *from = leg == 0 ? q->org : b->city[leg - 1], *to = leg == n ? q->org : b->city[leg];
            buf_reset(&t), buf_printf(&t, "from %s to %s", from, to);
            cJSON_AddStringToObject(day, "current_city", t.data);
            transport_text(db, &b->leg[leg], from, to, &t);
            cJSON_AddStringToObject(day, "transportation", t.data);
        } else {
            cJSON_AddStringToObject(day, "current_city", b->city[stay_i]);
            cJSON_AddStringToObject(day, "transportation", "-");
        }
        for (int m = 0; m < 3; m++) {
            buf_reset(&t);
            if (slot[d][m]) buf_printf(&t, "%s, %s", slot[d][m], slot_city[d][m]);
            cJSON_AddStringToObject(day, key[m], slot[d][m] ? t.data : "-");
        }
        buf_reset(&t);
        if (leg < 0) { /* the k-th full day in the city: its k-th distinct attraction */
            const TpIndexList *l = tp_db_attr_in(db, b->city[stay_i]);
            buf_printf(&t, "%s, %s;", db->attr[l->idx[d - b->t[stay_i] - 1]].name, b->city[stay_i]);
        }
        cJSON_AddStringToObject(day, "attraction", leg < 0 ? t.data : "-");
        buf_reset(&t);
        if (d < D) buf_printf(&t, "%s, %s", db->acc[b->acc[d - 1]].name, db->acc[b->acc[d - 1]].city);
        cJSON_AddStringToObject(day, "accommodation", d < D ? t.data : "-");
        cJSON_AddItemToArray(plan, day);
    }
    buf_free(&t);
    return plan;
}

/* ---- the queries ------------------------------------------------------------- */

typedef struct Case {
    const char *dest;
    int days, n, people;
    long budget;
    const char *house, *room, *transport, *cuisine; /* cuisine: a JSON list or NULL */
    int expect;                                    /* -1: any status, else the status */
} Case;

static const Case CASES[] = {
    {"Bay", 3, 1, 2, 1000, NULL, NULL, NULL, NULL, SOLVER_FEASIBLE},
    /* four cuisines, one full day: a travel-day meal is needed */
    {"Bay", 3, 1, 1, 800, NULL, NULL, NULL, "[\"Chinese\", \"Italian\", \"Mexican\", \"Indian\"]", SOLVER_FEASIBLE},
    {"Bay", 3, 1, 3, 2000, "pets", "private room", NULL, NULL, -1},
    {"Bay", 3, 1, 2, 500, NULL, NULL, "no flight", "[\"American\", \"BBQ\"]", -1},
    {"Bay", 3, 1, 2, 2000, "smoking", NULL, "no self-driving", NULL, -1},
    {"Bay", 3, 1, 1, 10, NULL, NULL, NULL, NULL, SOLVER_INFEASIBLE},                 /* budget proof */
    {"Bay", 3, 1, 1, 2000, "visitors", "shared room", NULL, NULL, SOLVER_INFEASIBLE}, /* accommodation proof */
    {"Dell", 3, 1, 2, 3000, NULL, NULL, NULL, NULL, SOLVER_UNKNOWN},                  /* no way to reach Dell on day 1 */
    {"Southland", 5, 2, 2, 1500, NULL, NULL, NULL, "[\"Chinese\", \"Mexican\", \"Indian\"]", -1},
    {"Southland", 5, 2, 1, 2000, NULL, "entire room", NULL, NULL, -1},
    {"Southland", 5, 2, 4, 3000, NULL, NULL, "no self-driving", "[\"Japanese\", \"French\"]", -1},
    {"Southland", 5, 2, 3, 900, "children under 10", NULL, NULL, "[\"Cafe\"]", -1},
    {"Southland", 7, 3, 2, 3000, NULL, NULL, NULL, "[\"Chinese\", \"Italian\", \"Mexican\", \"Indian\"]", -1},
    {"Southland", 7, 3, 1, 2500, "smoking", NULL, "no flight", NULL, -1},
    {"Southland", 7, 3, 5, 4000, NULL, "not shared room", NULL, "[\"Thai\", \"Japanese\"]", -1},
    {"Eastland", 5, 2, 2, 3000, NULL, NULL, NULL, NULL, SOLVER_UNKNOWN},   /* one city + an end city: not provable */
    {"Eastland", 7, 3, 2, 3000, NULL, NULL, NULL, NULL, SOLVER_INFEASIBLE}, /* route proof */
};

static int make_query(const Case *c, int idx, long budget, TpQuery *q) {
    Buf b;
    buf_init(&b);
    buf_printf(&b, "{\"idx\": %d, \"org\": \"Alpha\", \"dest\": \"%s\", \"days\": %d, \"visiting_city_number\": %d, \"date\": [",
               idx, c->dest, c->days, c->n);
    for (int d = 0; d < c->days; d++) buf_printf(&b, "%s\"2022-03-0%d\"", d ? ", " : "", d + 1);
    buf_printf(&b, "], \"people_number\": %d, \"local_constraint\": {", c->people);
    const char *k[3] = {"house rule", "room type", "transportation"}, *v[3] = {c->house, c->room, c->transport};
    for (int i = 0; i < 3; i++) {
        buf_printf(&b, "\"%s\": ", k[i]);
        buf_printf(&b, v[i] ? "\"%s\", " : "null, ", v[i]);
    }
    buf_printf(&b, "\"cuisine\": %s}, \"budget\": %ld, \"query\": \"case %d\", \"level\": \"hard\"}", c->cuisine ? c->cuisine : "null",
               budget, idx);
    Err err = {0};
    int rc = tp_query_parse(b.data, "case", idx, q, &err);
    CHECK_MSG(rc == IM_OK, "case %d: %s", idx, err.msg);
    buf_free(&b);
    return rc;
}

static void run_case(const TpDb *db, const Case *c, int idx, int seed, Tally *t, int *travel_meals) {
    TpQuery q;
    if (make_query(c, idx, c->budget, &q)) return;
    Best best;
    double min = enumerate(db, &q, &best), got = -2;
    int st = check_verdict(db, &q, "case", t, &got);
    if (c->expect >= 0 && !seed) CHECK_MSG(st == c->expect, "case %d: status %d, expected %d", idx, st, c->expect);
    if (!seed)
        printf("case %2d: %d days to %-9s enumeration %8.2f, solver status %d, min_cost %8.2f\n", idx, c->days, c->dest,
               isfinite(min) ? min : -1.0, st, got);
    if (!isfinite(min)) {
        CHECK_MSG(st != SOLVER_FEASIBLE && got == -1, "seed %d case %d: no plan enumerated, solver status %d min_cost %.2f",
                  seed, idx, st, got);
        tp_query_free(&q);
        return;
    }
    CHECK_MSG(fabs(got - min) < 1e-6, "seed %d case %d: solver min_cost %.2f, enumeration %.2f", seed, idx, got, min);
    CHECK_MSG((st == SOLVER_FEASIBLE) == (min <= (double)q.budget), "case %d: status %d with minimum %.2f, budget %ld", idx,
              st, min, q.budget);
    for (int i = 0; i < best.n; i++) *travel_meals += best.arr[i] + best.dep[i] > 0;
    tp_query_free(&q);
    /* the enumerated plan passes both checkers at its cost; the budget at
     * the minimum gives a plan, a dollar under it none */
    long at = (long)ceil(min);
    TpQuery qa, qb;
    if (make_query(c, idx, at, &qa)) return;
    cJSON *plan = write_plan(db, &qa, &best);
    double cost = -1;
    int ok = passes_evaluator(db, &qa, plan, &cost);
    const char *why = strict_check(db, &qa, plan);
    CHECK_MSG(ok && !why && fabs(cost - min) < 1e-6, "case %d: the enumerated plan: evaluator %s ($%.2f vs $%.2f), strict: %s",
              idx, ok ? "passes" : "rejects", cost, min, why ? why : "passes");
    if (!ok || why) {
        char *s = cJSON_Print(plan);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    cJSON_Delete(plan);
    CHECK_MSG(check_verdict(db, &qa, "case at its minimum", t, NULL) == SOLVER_FEASIBLE, "case %d: no plan at budget %ld", idx,
              at);
    tp_query_free(&qa);
    if (make_query(c, idx, at - 1, &qb)) return;
    CHECK_MSG(check_verdict(db, &qb, "case under its minimum", t, NULL) != SOLVER_FEASIBLE, "case %d: a plan at budget %ld",
              idx, at - 1);
    tp_query_free(&qb);
}

/* Seed 0 is the sandbox above (the cases' expected statuses hold there);
 * seeds 1.. redraw its prices, minimum nights, occupancies, room types
 * and house rules. */
#define SEEDS 25

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: test_optimal WORK_DIR\n"), 2;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/optimal_sandbox", argv[1]);
    Tally t = {0};
    int travel_meals = 0, plans = 0;
    for (unsigned seed = 0; seed < SEEDS; seed++) {
        Err err = {0};
        TpDb *db = NULL;
        if (write_sandbox(dir, seed) || (!seed && verdict_init(dir))) return 1;
        if (tp_db_open(dir, &db, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
        int before = t.feasible;
        for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
            run_case(db, &CASES[i], (int)i + 1, (int)seed, &t, &travel_meals);
        plans += t.feasible > before;
        tp_db_close(db);
    }
    CHECK_MSG(travel_meals > 0, "no case needs a meal on a travel day");
    printf("%d sandboxes x %zu cases, %d verdicts: %d feasible, %d infeasible, %d unknown; %d cities eat on a travel "
           "day in the cheapest plans\n",
           SEEDS, sizeof CASES / sizeof CASES[0], t.feasible + t.infeasible + t.unknown, t.feasible, t.infeasible,
           t.unknown, travel_meals);
    verdict_fini();
    check_failures += verdict_failures();
    printf("%d check_failures\n", check_failures);
    return check_failures ? 1 : 0;
}
