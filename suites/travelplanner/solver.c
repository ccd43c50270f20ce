/* solver.c: the exact solver (see solver.h and docs/solver.md).
 *
 * Sections, in the order the code runs: the options of one query (cities,
 * stays, restaurants, attractions, legs), the branch-and-bound search over
 * routes and travel days, the diagnosis of an infeasible query, the plan
 * text, and the check of the plan by the official evaluator. Everything
 * lives in one Problem freed at the end of the call; no globals. */
#include "solver.h"

#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cost.h"
#include "evaluate.h"
#include "pyre.h"

#define MAXC 64         /* candidate cities */
#define MAXN 8          /* visited cities */
#define MAXDAYS 16
#define MAXK 5          /* cuisines in a query (bits) */
#define MAXM (1 << MAXK)
#define MAXMEALS (3 * MAXDAYS)
#define INF 1e300

/* Families of constraints, enforced or relaxed per search pass. */
enum { F_TRANSPORT = 1, F_STAY = 2, F_ATTR = 4, F_REST = 8, F_CUISINE = 16, F_BUDGET = 32, F_ALL = 63 };

typedef struct Option {
    int row;       /* restaurant / attraction row */
    double cost;   /* restaurant: average cost x people */
    unsigned mask; /* restaurant: requested cuisines it serves */
} Option;

typedef struct City {
    const char *name;
    int node;                    /* 1..N (0 is the origin) */
    double stay[MAXDAYS];        /* cheapest stay of n nights (INF: none) */
    int stay_row[MAXDAYS];
    double stay_any[MAXDAYS];    /* cheapest with rules relaxed (diagnosis) */
    Option *rest;
    int n_rest;
    int *attr;                   /* attraction rows, distinct names */
    int n_attr;
    double *meal;                /* meal[(f * 5 + e) * M + mask]: 3f meals and up to e more, covering exactly mask */
    double *meal_any;            /* meal_any[f]: 3f meals, cuisines ignored */
} City;

/* How one leg travels, and the meals its timing leaves room for on the
 * travel day: na before leaving A (breakfast, lunch), nb after reaching B
 * (dinner, lunch). */
typedef struct LegOpt {
    double cost;  /* INF: impossible */
    char kind;    /* 'F' flight, 'T' taxi, 'S' self-driving */
    int row;      /* flight row */
    int na, nb;
    int depart;   /* ground travel: departure hour */
} LegOpt;

#define MAXOPT 6
/* The Pareto-optimal options of one leg on one day (cheapest first). */
typedef struct Leg {
    LegOpt o[MAXOPT];
    int n;
} Leg;

typedef struct Problem {
    const TpDb *db;      /* what the search sees: the sandbox, or a sole-planning view */
    const TpDb *eval_db; /* the whole sandbox, for the evaluator */
    const TpQuery *q;
    int D, n, people, K, M;
    unsigned full;
    City city[MAXC];
    int nc;
    const char *node_name[MAXC + 1];
    /* legs[(cls * nodes + a) * nodes + b][day]: cls 0 flight/taxi, 1 taxi, 2 self-driving */
    Leg *legs;
    int nodes;
    /* search state */
    int flags;
    int cls;
    double bound;
    int found;
    int stop_at_first;
    double best;
    int best_route[MAXN], best_t[MAXN + 1], best_cls;
    LegOpt best_leg[MAXN + 1];
    int route[MAXN], t[MAXN + 1];
    LegOpt path_leg[MAXN + 1];
    int used[MAXC];
    long nodes_visited;
    clock_t deadline;
    int timed_out;
} Problem;

/* ---- options of one query ---------------------------------------------- */

static int rule_ok(const TpQuery *q, const TpAccommodation *a) {
    return tp_house_rule_ok(q->house_rule, a->house_rules) && tp_room_type_ok(q->room_type, a->room_type);
}

/* A name the evaluator resolves to this very row: the first row of the
 * city whose name contains it is the row itself, and (accommodations) no
 * other row contains it. Names with ';' would break the attraction list. */
static int resolves_to_self(const char *name, const TpIndexList *l, const char *(*name_of)(const TpDb *, int),
                            const TpDb *db, int row, int unique) {
    if (!*name || strchr(name, ';')) return 0;
    int first = -1, count = 0;
    for (int i = 0; i < l->n; i++)
        if (strstr(name_of(db, l->idx[i]), name)) {
            if (first < 0) first = l->idx[i];
            count++;
        }
    return first == row && (!unique || count == 1);
}

static const char *acc_name(const TpDb *db, int r) { return db->acc[r].name; }
static const char *rest_name(const TpDb *db, int r) { return db->rest[r].name; }
static const char *attr_name(const TpDb *db, int r) { return db->attr[r].name; }

static void city_stays(Problem *p, City *c) {
    const TpIndexList *l = tp_db_acc_in(p->db, c->name);
    for (int n = 0; n < MAXDAYS; n++) c->stay[n] = c->stay_any[n] = INF, c->stay_row[n] = -1;
    for (int i = 0; i < l->n; i++) {
        int r = l->idx[i];
        const TpAccommodation *a = &p->db->acc[r];
        if (a->maximum_occupancy <= 0 || !resolves_to_self(a->name, l, acc_name, p->db, r, 1)) continue;
        double unit = tp_cost_stay(a->price, p->people, a->maximum_occupancy);
        int ok = rule_ok(p->q, a);
        for (int n = 1; n < MAXDAYS; n++) {
            if (a->minimum_nights > n) continue;
            if (unit * n < c->stay_any[n]) c->stay_any[n] = unit * n;
            if (ok && unit * n < c->stay[n]) c->stay[n] = unit * n, c->stay_row[n] = r;
        }
    }
}

static void city_restaurants(Problem *p, City *c) {
    const TpIndexList *l = tp_db_rest_in(p->db, c->name);
    c->rest = calloc((size_t)l->n + 1, sizeof *c->rest);
    for (int i = 0; i < l->n; i++) {
        int r = l->idx[i];
        const TpRestaurant *x = &p->db->rest[r];
        if (!resolves_to_self(x->name, l, rest_name, p->db, r, 0)) continue; /* also drops repeated names */
        Option *o = &c->rest[c->n_rest++];
        o->row = r, o->cost = tp_cost_meal(x->average_cost, p->people), o->mask = 0;
        for (int k = 0; k < p->K; k++)
            if (strstr(x->cuisines, p->q->cuisine[k])) o->mask |= 1u << k;
    }
    const TpIndexList *al = tp_db_attr_in(p->db, c->name);
    c->attr = calloc((size_t)al->n + 1, sizeof *c->attr);
    for (int i = 0; i < al->n; i++) {
        int r = al->idx[i];
        if (resolves_to_self(p->db->attr[r].name, al, attr_name, p->db, r, 0)) c->attr[c->n_attr++] = r;
    }
}

/* dp over restaurants: best[j * M + mask] for j meals covering exactly mask.
 * With keep (a (n_rest+1) x (J+1) x M table) the choices can be rebuilt. */
static void meal_dp(const Problem *p, const City *c, int J, double *best, double *keep) {
    int M = p->M;
    for (int i = 0; i < (J + 1) * M; i++) best[i] = INF;
    best[0] = 0;
    if (keep) memcpy(keep, best, sizeof(double) * (size_t)(J + 1) * M);
    for (int r = 0; r < c->n_rest; r++) {
        const Option *o = &c->rest[r];
        for (int j = J - 1; j >= 0; j--)
            for (int m = 0; m < M; m++) {
                double v = best[j * M + m];
                if (v >= INF) continue;
                double *t = &best[(j + 1) * M + (m | (int)o->mask)];
                if (v + o->cost < *t) *t = v + o->cost;
            }
        if (keep) memcpy(keep + (size_t)(r + 1) * (J + 1) * M, best, sizeof(double) * (size_t)(J + 1) * M);
    }
}

static void city_meals(Problem *p, City *c) {
    int F = p->D, J = 3 * F + 4, M = p->M;
    double *best = malloc(sizeof(double) * (size_t)(J + 1) * M);
    meal_dp(p, c, J, best, NULL);
    c->meal = malloc(sizeof(double) * (size_t)(F + 1) * 5 * M);
    c->meal_any = malloc(sizeof(double) * (size_t)(F + 1));
    for (int f = 0; f <= F; f++) {
        c->meal_any[f] = INF;
        for (int m = 0; m < M; m++)
            if (3 * f <= J && best[3 * f * M + m] < c->meal_any[f]) c->meal_any[f] = best[3 * f * M + m];
        for (int e = 0; e < 5; e++)
            for (int m = 0; m < M; m++) {
                double v = INF;
                for (int j = 3 * f; j <= 3 * f + e && j <= J; j++) v = best[j * M + m] < v ? best[j * M + m] : v;
                c->meal[(f * 5 + e) * M + m] = v;
            }
    }
    free(best);
}

/* ---- legs ---------------------------------------------------------------- */

static Leg *leg_at(const Problem *p, int cls, int a, int b) {
    return &p->legs[((size_t)(cls * p->nodes + a) * p->nodes + b) * MAXDAYS];
}

/* Minutes of "hh:mm", or -1. */
static int hhmm(const char *s) {
    int h, m;
    return sscanf(s, "%d:%d", &h, &m) == 2 ? h * 60 + m : -1;
}

/* Minutes of a distance-matrix duration ("5 hours 3 mins", "45 mins"). */
static int duration_min(const char *s) {
    int total = 0, v;
    char unit[16];
    while (s && sscanf(s, "%d %15s", &v, unit) == 2) {
        total += !strncmp(unit, "hour", 4) ? v * 60 : !strncmp(unit, "min", 3) ? v : 100000;
        const char *n = strchr(s, ' ');
        s = n ? strchr(n + 1, ' ') : NULL;
        if (s) s++;
    }
    return total;
}

/* Meal windows of a travel day: breakfast before 09:00, lunch 12:00-14:00,
 * dinner 18:00-20:00 (docs/solver.md). */
static void flight_slots(int dep, int arr, int *na, int *nb) {
    *na = (dep >= 9 * 60) + (dep >= 14 * 60);
    *nb = arr < 0 || arr < dep ? 0 : (arr <= 20 * 60) + (arr <= 12 * 60);
}

/* Adds an option unless another is as cheap with as many meal slots. */
static void add_opt(Leg *l, LegOpt o) {
    for (int k = 0; k < l->n; k++) {
        LegOpt *x = &l->o[k];
        if (x->cost <= o.cost && x->na >= o.na && x->nb >= o.nb) return;
    }
    int w = 0;
    for (int k = 0; k < l->n; k++) {
        LegOpt *x = &l->o[k];
        if (!(o.cost <= x->cost && o.na >= x->na && o.nb >= x->nb)) l->o[w++] = *x;
    }
    l->n = w;
    if (l->n == MAXOPT) { /* keep the cheapest */
        int worst = 0;
        for (int k = 1; k < l->n; k++)
            if (l->o[k].cost > l->o[worst].cost) worst = k;
        if (l->o[worst].cost <= o.cost) return;
        l->o[worst] = o;
    } else {
        l->o[l->n++] = o;
    }
    for (int i = 1; i < l->n; i++) /* cheapest first */
        for (int k = i; k > 0 && l->o[k].cost < l->o[k - 1].cost; k--) {
            LegOpt t = l->o[k];
            l->o[k] = l->o[k - 1], l->o[k - 1] = t;
        }
}

/* Ground travel leaves after breakfast (09:00) or after lunch (14:00). */
static void add_ground(Leg *l, double cost, char kind, int minutes) {
    static const int leave[2] = {9 * 60, 14 * 60};
    for (int k = 0; k < 2; k++) {
        int arr = leave[k] + minutes;
        LegOpt o = {cost, kind, -1, k + 1, arr > 24 * 60 ? 0 : (arr <= 20 * 60) + (arr <= 12 * 60), leave[k] / 60};
        add_opt(l, o);
    }
}

static void build_legs(Problem *p) {
    int N = p->nodes;
    p->legs = calloc((size_t)3 * N * N * MAXDAYS, sizeof(Leg));
    int no_flight = p->q->transportation && !strcmp(p->q->transportation, "no flight");
    int no_drive = p->q->transportation && !strcmp(p->q->transportation, "no self-driving");
    for (int a = 0; a < N; a++)
        for (int b = 0; b < N; b++) {
            if (a == b) continue;
            long unit;
            double taxi = INF, drive = INF;
            const TpDistance *dr = NULL;
            if (tp_db_distance_cost(p->db, p->node_name[a], p->node_name[b], 't', &unit))
                taxi = tp_cost_ground((double)unit, p->people, 't');
            if (tp_db_distance_cost(p->db, p->node_name[a], p->node_name[b], 's', &unit))
                drive = tp_cost_ground((double)unit, p->people, 's');
            if (taxi < INF || drive < INF) {
                char key[1100];
                snprintf(key, sizeof key, "%s\x1f%s", p->node_name[a], p->node_name[b]);
                int r = strmap_get(&p->db->dist_by_pair, key);
                dr = r < 0 ? NULL : &p->db->dist[r];
            }
            int minutes = dr && dr->duration ? duration_min(dr->duration) : 100000;
            for (int d = 0; d < p->D; d++) {
                if (taxi < INF) add_ground(&leg_at(p, 0, a, b)[d], taxi, 'T', minutes);
                if (taxi < INF) add_ground(&leg_at(p, 1, a, b)[d], taxi, 'T', minutes);
                if (drive < INF && !no_drive) add_ground(&leg_at(p, 2, a, b)[d], drive, 'S', minutes);
            }
        }
    if (no_flight) return;
    /* flights: on the travel date, between two nodes; the evaluator prices
     * a number by its first row, so the dearer of the two counts. */
    for (int i = 0; i < p->db->n_flight; i++) {
        const TpFlight *f = &p->db->flight[i];
        int a = -1, b = -1, d = -1;
        for (int k = 0; k < N; k++) {
            if (!strcmp(f->origin, p->node_name[k])) a = k;
            if (!strcmp(f->dest, p->node_name[k])) b = k;
        }
        for (int k = 0; k < p->D; k++)
            if (!strcmp(f->date, p->q->date[k])) d = k;
        if (a < 0 || b < 0 || d < 0 || a == b) continue;
        int first = tp_db_find_flight(p->db, f->number, NULL, NULL);
        double price = f->price > p->db->flight[first].price ? f->price : p->db->flight[first].price;
        LegOpt o = {tp_cost_flight(price, p->people), 'F', i, 0, 0, 0};
        flight_slots(hhmm(f->dep_time), hhmm(f->arr_time), &o.na, &o.nb);
        add_opt(&leg_at(p, 0, a, b)[d], o);
    }
}

/* ---- search ---------------------------------------------------------------- */

static const Leg *leg(const Problem *p, int a, int b, int day) { return &leg_at(p, p->cls, a, b)[day - 1]; }

static const LegOpt relaxed_leg = {0, 0, -1, 0, 0, 0};

/* Adds city c's meals (f full days, e optional travel-day slots) to g. */
static void combine(const Problem *p, const City *c, int f, int e, const double *g, double *g2) {
    if (!(p->flags & F_CUISINE)) {
        double mc = c->meal_any[f];
        if (mc >= INF && !(p->flags & F_REST)) mc = 0;
        g2[0] = g[0] + mc;
        return;
    }
    int M = p->M;
    if (e > 4) e = 4;
    for (int m = 0; m < M; m++) g2[m] = INF;
    for (int a = 0; a < M; a++) {
        if (g[a] >= INF) continue;
        for (int b = 0; b < M; b++) {
            double mc = c->meal[(f * 5 + e) * M + b];
            if (mc < INF && g[a] + mc < g2[a | b]) g2[a | b] = g[a] + mc;
        }
    }
}

/* Depth i takes leg i from prev (a city index, or -1 for the origin) on
 * day t[i]; prev's meals are added once the leg leaves it (its timing
 * decides the meals before departure). */
static void dfs(Problem *p, int i, int prev, int prev_f, int prev_e, double fixed, const double *g) {
    if (p->found && p->stop_at_first) return;
    if ((++p->nodes_visited & 1023) == 0 && clock() > p->deadline) p->timed_out = 1;
    if (p->timed_out) return;
    int M = (p->flags & F_CUISINE) ? p->M : 1;
    double gmin = INF;
    for (int m = 0; m < M; m++) gmin = g[m] < gmin ? g[m] : gmin;
    if (gmin >= INF || fixed + gmin > p->bound) return;
    int ti = p->t[i], from = prev < 0 ? 0 : p->city[prev].node;
    int slots = (p->flags & F_CUISINE) != 0; /* meal slots only matter for cuisines */
    for (int ci = i == p->n ? -1 : 0; ci < p->nc; ci++) {
        if (ci >= 0 && (p->used[ci] || i == p->n)) continue;
        int to = ci < 0 ? 0 : p->city[ci].node;
        const Leg *l = leg(p, from, to, ti);
        int nopt = l->n;
        if (nopt == 0 && !(p->flags & F_TRANSPORT)) nopt = -1; /* relaxed: a free leg */
        for (int k = 0; k < (nopt < 0 ? 1 : nopt); k++) {
            const LegOpt *o = nopt < 0 ? &relaxed_leg : &l->o[k];
            if (!slots && k > 0) break; /* the cheapest is enough */
            double g2[MAXM];
            if (prev >= 0) combine(p, &p->city[prev], prev_f, prev_e + (slots ? o->na : 0), g, g2);
            else memcpy(g2, g, sizeof g2);
            p->path_leg[i] = *o;
            if (ci < 0) { /* back home: a complete plan */
                double total = fixed + o->cost + g2[(p->flags & F_CUISINE) ? (int)p->full : 0];
                if (total >= INF || total > p->bound) continue;
                if (!p->found || total < p->best) {
                    p->found = 1, p->best = total, p->best_cls = p->cls;
                    memcpy(p->best_route, p->route, sizeof p->route), memcpy(p->best_t, p->t, sizeof p->t);
                    memcpy(p->best_leg, p->path_leg, sizeof p->path_leg);
                    if (p->flags & F_BUDGET) p->bound = total; /* branch and bound */
                }
                continue;
            }
            City *c = &p->city[ci];
            int lo = i == p->n - 1 ? p->D : ti + 1, hi = i == p->n - 1 ? p->D : p->D - (p->n - 1 - i);
            p->used[ci] = 1, p->route[i] = ci;
            for (int tn = lo; tn <= hi; tn++) {
                int nights = tn - ti, f = nights - 1;
                double stay = (p->flags & F_STAY) ? c->stay[nights] : c->stay_any[nights];
                if (stay >= INF && !(p->flags & F_STAY)) stay = 0;
                if (stay >= INF) continue;
                if ((p->flags & F_ATTR) && c->n_attr < f) continue;
                p->t[i + 1] = tn;
                dfs(p, i + 1, ci, f, slots ? o->nb : 0, fixed + o->cost + stay, g2);
            }
            p->used[ci] = 0;
        }
    }
}

static int run_pass(Problem *p, int flags, int stop_at_first) {
    p->flags = flags, p->found = 0, p->stop_at_first = stop_at_first;
    p->bound = (flags & F_BUDGET) ? (double)p->q->budget : INF / 2;
    p->best = INF;
    int no_flight = p->q->transportation && !strcmp(p->q->transportation, "no flight");
    int no_drive = p->q->transportation && !strcmp(p->q->transportation, "no self-driving");
    /* transport classes: flights and taxis mix; self-driving goes alone */
    int classes[2], nclass = 0;
    classes[nclass++] = no_flight ? 1 : 0;
    if (!no_drive) classes[nclass++] = 2;
    for (int k = 0; k < nclass && !p->timed_out; k++) {
        p->cls = classes[k];
        memset(p->used, 0, sizeof p->used);
        p->t[0] = 1;
        double g[MAXM];
        for (int m = 0; m < MAXM; m++) g[m] = INF;
        g[0] = 0;
        dfs(p, 0, -1, 0, 0, 0, g);
    }
    return p->found;
}

/* ---- candidates ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

int solver_candidates(const TpDb *db, const TpQuery *q, const char **out, int max) {
    int n = 0;
    if (q->days <= 3) {
        if (tp_db_city_state(db, q->dest) && strcmp(q->dest, q->org) && max > 0) out[n++] = q->dest;
        return n;
    }
    for (size_t s = 0; s < db->city_state.cap; s++) {
        const char *city = db->city_state.keys[s];
        if (!city) continue;
        const char *st = tp_db_city_state(db, city);
        if (st && !strcmp(st, q->dest) && strcmp(city, q->org) && n < max) out[n++] = city;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_str);
    return n;
}

/* Sole planning: the cities the reference information has tables for, in
 * its order, but the origin. */
static int view_candidates(const TpDb *view, const TpQuery *q, const char **out, int max) {
    int n = 0;
    for (int i = 0; i < view->n_cities && n < max; i++)
        if (strcmp(view->cities[i], q->org)) out[n++] = view->cities[i];
    return n;
}

/* ---- plan text -------------------------------------------------------------- */

static const TpDistance *dist_row(const TpDb *db, const char *a, const char *b) {
    char key[1100];
    snprintf(key, sizeof key, "%s\x1f%s", a, b);
    int r = strmap_get(&db->dist_by_pair, key);
    return r < 0 ? NULL : &db->dist[r];
}

static void transport_text(const Problem *p, const LegOpt *l, const char *a, const char *b, Buf *out) {
    if (l->kind == 'F') {
        const TpFlight *f = &p->db->flight[l->row];
        buf_printf(out, "Flight Number: %s, from %s to %s, Departure Time: %s, Arrival Time: %s", f->number, a, b,
                   f->dep_time, f->arr_time);
        return;
    }
    const TpDistance *d = dist_row(p->db, a, b);
    long unit = 0;
    tp_db_distance_cost(p->db, a, b, l->kind == 'S' ? 's' : 't', &unit);
    buf_printf(out, "%s, from %s to %s, Duration: %s, Distance: %s, Cost: %ld", l->kind == 'S' ? "Self-driving" : "Taxi",
               a, b, d ? d->duration : "", d ? d->distance : "", unit);
}

/* The restaurants of city c: J meals covering exactly `mask`. */
static int pick_meals(const Problem *p, const City *c, int J, unsigned mask, int *rows) {
    int M = p->M;
    double *best = malloc(sizeof(double) * (size_t)(J + 1) * M);
    double *keep = malloc(sizeof(double) * (size_t)(c->n_rest + 1) * (J + 1) * M);
    meal_dp(p, c, J, best, keep);
    int m = (int)mask, j = J, n = 0;
    for (int r = c->n_rest; r > 0 && j > 0; r--) {
        double here = keep[(size_t)r * (J + 1) * M + j * M + m];
        if (here == keep[(size_t)(r - 1) * (J + 1) * M + j * M + m]) continue; /* row r-1 not taken */
        rows[n++] = c->rest[r - 1].row;
        /* the mask before row r-1 was taken */
        int pm = -1;
        for (int k = 0; k < M && pm < 0; k++)
            if ((k | (int)c->rest[r - 1].mask) == m &&
                keep[(size_t)(r - 1) * (J + 1) * M + (j - 1) * M + k] + c->rest[r - 1].cost == here)
                pm = k;
        if (pm < 0) break;
        m = pm, j--;
    }
    free(best), free(keep);
    return j == 0 ? n : -1;
}

static void put(cJSON *day, const char *k, const char *v) { cJSON_AddStringToObject(day, k, v); }

static void name_city(Buf *b, const char *name, const char *city) { buf_reset(b), buf_printf(b, "%s, %s", name, city); }

/* The cheapest split of the cuisines among the route's cities: mask_of[i]
 * and the number of meals j_of[i] (3 f + up to e[i]). */
static void split_masks(const Problem *p, const int *f, const int *e, unsigned *mask_of, int *j_of) {
    int M = p->M, n = p->n;
    double g[MAXN + 1][MAXM];
    for (int i = 0; i <= n; i++)
        for (int m = 0; m < M; m++) g[i][m] = INF;
    g[0][0] = 0;
#define MEAL(i, b) (p->city[p->best_route[i]].meal[(f[i] * 5 + e[i]) * M + (b)])
    for (int i = 0; i < n; i++)
        for (int a = 0; a < M; a++)
            for (int b = 0; b < M; b++)
                if (g[i][a] < INF && MEAL(i, b) < INF && g[i][a] + MEAL(i, b) < g[i + 1][a | b])
                    g[i + 1][a | b] = g[i][a] + MEAL(i, b);
    int m = p->K ? (int)p->full : 0;
    if (!p->K) /* no cuisines: the single mask */
        for (int i = 0; i < n; i++) mask_of[i] = 0;
    for (int i = n; i > 0 && p->K; i--) {
        int found = 0;
        for (int a = 0; a < M && !found; a++)
            for (int b = 0; b < M && !found; b++)
                if ((a | b) == m && g[i - 1][a] < INF && MEAL(i - 1, b) < INF && g[i - 1][a] + MEAL(i - 1, b) == g[i][m])
                    mask_of[i - 1] = (unsigned)b, m = a, found = 1;
    }
#undef MEAL
    /* the number of meals that reaches the minimum */
    for (int i = 0; i < n; i++) {
        const City *c = &p->city[p->best_route[i]];
        double target = c->meal[(f[i] * 5 + e[i]) * M + mask_of[i]];
        j_of[i] = 3 * f[i];
        for (int x = 0; x <= e[i]; x++)
            if (c->meal[(f[i] * 5 + x) * M + mask_of[i]] == target) {
                j_of[i] = 3 * f[i] + x;
                break;
            }
    }
}

static cJSON *build_plan(Problem *p) {
    p->cls = p->best_cls;
    int n = p->n, D = p->D, f[MAXN], e[MAXN], j_of[MAXN];
    unsigned mask_of[MAXN] = {0};
    int slots = p->K > 0;
    for (int i = 0; i < n; i++) {
        f[i] = p->best_t[i + 1] - p->best_t[i] - 1;
        e[i] = slots ? p->best_leg[i].nb + p->best_leg[i + 1].na : 0;
        if (e[i] > 4) e[i] = 4;
    }
    split_masks(p, f, e, mask_of, j_of);
    if (!p->K)
        for (int i = 0; i < n; i++) j_of[i] = 3 * f[i];
    int meals[MAXN][MAXMEALS];
    for (int i = 0; i < n; i++)
        if (pick_meals(p, &p->city[p->best_route[i]], j_of[i], mask_of[i], meals[i]) < 0) return NULL;
    /* meals of city i: 3 per full day, then the travel-day slots (dinner
     * and lunch on arrival, breakfast and lunch before leaving) */
    int next[MAXN] = {0};
    const char *slot[MAXDAYS][3];
    int slot_city[MAXDAYS][3];
    for (int d = 0; d < MAXDAYS; d++)
        for (int m = 0; m < 3; m++) slot[d][m] = NULL, slot_city[d][m] = -1;
    for (int i = 0; i < n; i++) {
        for (int d = p->best_t[i] + 1; d < p->best_t[i + 1]; d++)
            for (int m = 0; m < 3; m++) slot[d][m] = p->db->rest[meals[i][next[i]++]].name, slot_city[d][m] = i;
        int extra = j_of[i] - 3 * f[i];
        const LegOpt *in = &p->best_leg[i], *out = &p->best_leg[i + 1];
        int arrive = p->best_t[i], leave = p->best_t[i + 1];
        int want[4][2] = {{arrive, 2}, {arrive, 1}, {leave, 0}, {leave, 1}}; /* (day, meal) */
        int ok[4] = {in->nb >= 1, in->nb >= 2, out->na >= 1, out->na >= 2};
        for (int k = 0; k < 4 && extra > 0; k++) {
            int d = want[k][0], m = want[k][1];
            if (!ok[k] || slot[d][m]) continue;
            slot[d][m] = p->db->rest[meals[i][next[i]++]].name, slot_city[d][m] = i, extra--;
        }
        if (extra > 0) return NULL;
    }
    cJSON *plan = cJSON_CreateArray();
    Buf b;
    buf_init(&b);
    static const char *const meal_key[3] = {"breakfast", "lunch", "dinner"};
    for (int d = 1; d <= D; d++) {
        cJSON *day = cJSON_CreateObject();
        cJSON_AddNumberToObject(day, "days", d);
        int leg_i = -1, stay = -1;
        for (int k = 0; k <= n; k++)
            if (p->best_t[k] == d) leg_i = k;
        for (int i = 0; i < n; i++)
            if (p->best_t[i] <= d && d < p->best_t[i + 1]) stay = i;
        const City *c = stay >= 0 ? &p->city[p->best_route[stay]] : NULL;
        if (leg_i >= 0) {
            int a = leg_i == 0 ? 0 : p->city[p->best_route[leg_i - 1]].node;
            int bn = leg_i == n ? 0 : p->city[p->best_route[leg_i]].node;
            buf_reset(&b), buf_printf(&b, "from %s to %s", p->node_name[a], p->node_name[bn]);
            put(day, "current_city", b.data);
            buf_reset(&b), transport_text(p, &p->best_leg[leg_i], p->node_name[a], p->node_name[bn], &b);
            put(day, "transportation", b.data);
        } else {
            put(day, "current_city", c->name);
            put(day, "transportation", "-");
        }
        for (int m = 0; m < 3; m++) {
            if (m == 1) { /* attraction between breakfast and lunch, in key order */
                if (leg_i < 0) {
                    int k = d - p->best_t[stay] - 1;
                    name_city(&b, p->db->attr[c->attr[k]].name, c->name), buf_putc(&b, ';');
                    put(day, "attraction", b.data);
                } else {
                    put(day, "attraction", "-");
                }
            }
            if (slot[d][m]) name_city(&b, slot[d][m], p->city[p->best_route[slot_city[d][m]]].name);
            put(day, meal_key[m], slot[d][m] ? b.data : "-");
        }
        if (c && d < D) {
            int nights = p->best_t[stay + 1] - p->best_t[stay];
            name_city(&b, p->db->acc[c->stay_row[nights]].name, c->name);
            put(day, "accommodation", b.data);
        } else {
            put(day, "accommodation", "-");
        }
        cJSON_AddItemToArray(plan, day);
    }
    buf_free(&b);
    return plan;
}

/* ---- the call ----------------------------------------------------------------- */

static void problem_free(Problem *p) {
    for (int i = 0; i < p->nc; i++) free(p->city[i].rest), free(p->city[i].attr), free(p->city[i].meal), free(p->city[i].meal_any);
    free(p->legs);
}

void solver_result_free(SolverResult *r) {
    if (!r) return;
    free(r->plan_json), free(r->reason);
    for (int i = 0; i < r->n_route; i++) free(r->route[i]);
    memset(r, 0, sizeof *r);
}

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return strdup(tmp);
}

static int infeasible(SolverResult *out, const char *family, char *reason) {
    out->status = SOLVER_INFEASIBLE, out->family = family, out->reason = reason;
    return 0;
}

/* Which family leaves no plan: passes that enforce one more family each. */
static int diagnose(Problem *p, SolverResult *out) {
    const TpQuery *q = p->q;
    if (!run_pass(p, F_TRANSPORT, 1))
        return infeasible(out, "transportation",
                          strf("transportation: no route through the %d candidate cities has a flight on the travel "
                               "date, a taxi or a self-driving route for every leg%s%s",
                               p->nc, q->transportation ? " with " : "", q->transportation ? q->transportation : ""));
    if (!run_pass(p, F_TRANSPORT | F_STAY, 1))
        return infeasible(out, "accommodation",
                          strf("accommodation: no route has, in every city, an accommodation whose minimum nights fit "
                               "the stay%s%s%s%s",
                               q->room_type ? ", of room type " : "", q->room_type ? q->room_type : "",
                               q->house_rule ? ", allowing " : "", q->house_rule ? q->house_rule : ""));
    if (!run_pass(p, F_TRANSPORT | F_STAY | F_ATTR, 1))
        return infeasible(out, "attractions", strf("attractions: too few distinct attractions for the full days"));
    if (!run_pass(p, F_TRANSPORT | F_STAY | F_ATTR | F_REST, 1))
        return infeasible(out, "restaurants", strf("restaurants: too few distinct restaurants for three meals a day"));
    if (!run_pass(p, F_ALL & ~F_BUDGET, 1)) {
        Buf b;
        buf_init(&b);
        for (int k = 0; k < q->n_cuisine; k++) buf_printf(&b, "%s%s", k ? ", " : "", q->cuisine[k]);
        infeasible(out, "cuisine", strf("cuisine: no route serves all of %s in its meals", b.data ? b.data : ""));
        buf_free(&b);
        return 0;
    }
    run_pass(p, F_ALL & ~F_BUDGET, 0);
    return infeasible(out, "budget",
               strf("budget: the cheapest plan that meets every other constraint costs $%.0f, over the budget $%ld",
                    p->best, q->budget));
}

/* The plan must pass all 8 commonsense checks and every applicable hard check. */
static int verify(const Problem *p, const cJSON *plan, double *cost, Err *err) {
    TpPlanResult r;
    tp_eval_plan(p->eval_db, p->q, plan, p->q->idx, &r);
    int rc = IM_OK;
    for (int k = 0; k < TP_NCS && !rc; k++)
        if (r.cs[k].value != 1)
            rc = err_set(err, IM_FAIL, "solver: query %d: the evaluator rejects the plan: %s: %s", p->q->idx, tp_cs_name(k),
                         r.cs[k].msg ? r.cs[k].msg : "");
    for (int k = 0; k < TP_NHARD && !rc; k++)
        if (r.hard[k].value == 0 || !r.hard_evaluated)
            rc = err_set(err, IM_FAIL, "solver: query %d: the evaluator rejects the plan: %s: %s", p->q->idx,
                         tp_hard_name(k), r.hard[k].msg ? r.hard[k].msg : "");
    *cost = r.total_cost;
    tp_plan_result_free(&r);
    return rc;
}

int solver_solve(const TpDb *db, const TpQuery *q, const SolverOptions *opt, SolverResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    Problem *p = calloc(1, sizeof *p);
    if (!p) return err_set(err, IM_IO, "out of memory");
    p->db = opt && opt->view ? opt->view : db, p->eval_db = db;
    p->q = q, p->D = q->days, p->n = q->visiting_city_number, p->people = q->people_number;
    double timeout = opt && opt->timeout_s > 0 ? opt->timeout_s : 10.0;
    p->deadline = clock() + (clock_t)(timeout * CLOCKS_PER_SEC);
    p->K = q->has_cuisine ? q->n_cuisine : 0;
    if (p->K > MAXK || p->D >= MAXDAYS || p->D < 2 || p->n < 1 || p->n > MAXN || q->n_date < p->D || p->people < 1) {
        infeasible(out, "route", strf("route: query shape out of the solver's range (days %d, cities %d, cuisines %d)",
                                      p->D, p->n, p->K));
        free(p);
        return IM_OK;
    }
    p->M = 1 << p->K, p->full = (unsigned)p->M - 1;
    const char *cand[MAXC];
    p->nc = opt && opt->view ? view_candidates(opt->view, q, cand, MAXC) : solver_candidates(db, q, cand, MAXC);
    p->node_name[0] = q->org;
    p->nodes = p->nc + 1;
    for (int i = 0; i < p->nc; i++) {
        City *c = &p->city[i];
        c->name = cand[i], c->node = i + 1, p->node_name[i + 1] = cand[i];
        city_stays(p, c);
        city_restaurants(p, c);
        city_meals(p, c);
    }
    int rc = IM_OK;
    if (p->nc < p->n || p->D - 1 < p->n) {
        infeasible(out, "route", strf("route: %d candidate cities for %s, %d needed", p->nc, q->dest, p->n));
    } else {
        build_legs(p);
        if (run_pass(p, F_ALL, 0)) {
            cJSON *plan = build_plan(p);
            if (!plan) {
                rc = err_set(err, IM_FAIL, "solver: query %d: cannot rebuild the meals of the best plan", q->idx);
            } else {
                rc = verify(p, plan, &out->cost, err);
                out->plan_json = cJSON_PrintUnformatted(plan);
                out->status = SOLVER_FEASIBLE;
                out->n_route = p->n;
                for (int i = 0; i < p->n; i++) out->route[i] = strdup(p->city[p->best_route[i]].name);
                for (int i = 0; i <= p->n; i++) out->travel_day[i] = p->best_t[i];
                cJSON_Delete(plan);
            }
        } else if (!p->timed_out) {
            diagnose(p, out);
        }
        if (p->timed_out) {
            solver_result_free(out);
            out->status = SOLVER_TIMEOUT;
            out->reason = strf("timeout: no proof within %.1f s", timeout);
        }
    }
    if (opt && opt->view && out->status == SOLVER_INFEASIBLE && out->reason) {
        char *r = strf("%s (sole planning: only what the reference information lists)", out->reason);
        free(out->reason), out->reason = r;
    }
    out->nodes = p->nodes_visited;
    problem_free(p);
    free(p);
    return rc;
}

int solver_reference(const TpDb *db, const TpQuery *q, TpRef **out, Err *err) {
    SolverResult r;
    int rc = solver_solve(db, q, NULL, &r, err);
    if (rc == IM_OK) rc = solver_reference_from(db, q, &r, out, err);
    solver_result_free(&r);
    return rc;
}

int solver_reference_from(const TpDb *db, const TpQuery *q, const SolverResult *r, TpRef **out, Err *err) {
    int rc;
    if (r->status == SOLVER_FEASIBLE) {
        TpRefLeg legs[MAXN + 1];
        for (int k = 0; k <= r->n_route; k++) {
            legs[k].from = k == 0 ? q->org : r->route[k - 1];
            legs[k].to = k == r->n_route ? q->org : r->route[k];
            legs[k].date = q->date[r->travel_day[k] - 1];
        }
        rc = tp_ref_build(db, (const char *const *)r->route, r->n_route, legs, r->n_route + 1, out, err);
    } else {
        const char *cand[MAXC];
        int nc = solver_candidates(db, q, cand, MAXC);
        int n = q->visiting_city_number < nc ? q->visiting_city_number : nc;
        rc = n > 0 ? tp_ref_for_route(db, q, cand, n, out, err)
                   : err_set(err, IM_IO, "reference: query %d: no candidate city for %s", q->idx, q->dest);
    }
    return rc;
}

int solver_sole_view(const TpDb *db, const TpQuery *q, TpRefView **out, int *shipped, Err *err) {
    *out = NULL;
    if (shipped) *shipped = 0;
    cJSON *line = q->json ? cJSON_Parse(q->json) : NULL;
    const cJSON *ri = cJSON_GetObjectItemCaseSensitive(line, "reference_information");
    int rc;
    if (cJSON_IsString(ri)) {
        if (shipped) *shipped = 1;
        rc = tp_ref_view_text(ri->valuestring, out, err);
    } else {
        TpRef *ref = NULL;
        rc = solver_reference(db, q, &ref, err);
        if (!rc) {
            Buf text;
            buf_init(&text);
            tp_ref_text(db, ref, &text);
            rc = tp_ref_view_text(text.data, out, err);
            buf_free(&text);
        }
        tp_ref_free(ref);
    }
    cJSON_Delete(line);
    if (rc) err_prefix(err, "query %d: sole-planning reference", q->idx);
    return rc;
}
