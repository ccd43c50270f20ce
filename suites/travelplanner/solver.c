/* solver.c: the exact solver (see solver.h and docs/solver.md).
 *
 * Sections, in the order the code runs: the options of one query (cities,
 * stays, restaurants, attractions, legs), the branch-and-bound search over
 * routes, travel days and the meal slots of travel days, the candidates,
 * the plan text, the proof under the official checks, the diagnosis of a
 * query without a plan, and the check of the plan by the official
 * evaluator. Everything lives in one Problem freed at the end of the call;
 * no globals. */
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
#define MAXE MAXK       /* optional meals of a city that can matter: one per cuisine */
#define SLOTS 3         /* meal slots of a travel day, shared by the two cities of the leg */
#define MAXMEALS (3 * MAXDAYS + MAXE)
#define INF 1e300

/* Families of constraints, enforced or relaxed per search pass. */
enum { F_TRANSPORT = 1, F_STAY = 2, F_ATTR = 4, F_REST = 8, F_CUISINE = 16, F_BUDGET = 32, F_ALL = 63 };

typedef struct Option {
    int row;       /* restaurant row */
    double cost;   /* average cost x people */
    unsigned mask; /* requested cuisines it serves */
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
    double *meal;                /* meal[(f * (MAXE + 1) + e) * M + mask]: 3f meals and up to e more, covering exactly mask */
    double *meal_up;             /* the same, covering at least mask (what the search adds up) */
    double *meal_any;            /* meal_any[f]: 3f meals, cuisines ignored */
} City;

/* The cheapest way to travel one leg on one day in one transport class. */
typedef struct Leg {
    double cost;  /* INF: none */
    char kind;    /* 'F' flight, 'T' taxi, 'S' self-driving; 0: relaxed */
    int row;      /* flight row */
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
    /* legs[((cls * nodes + a) * nodes + b) * MAXDAYS + day]: cls 0 flight or taxi, 1 taxi, 2 self-driving */
    Leg *legs;
    int nodes;
    /* search state */
    int flags;
    int cls;
    double bound;
    int found;
    int stop_at_first;
    double best;
    int best_route[MAXN], best_t[MAXN + 1], best_split[MAXN + 1], best_cls;
    Leg best_leg[MAXN + 1];
    int route[MAXN], t[MAXN + 1];
    Leg path_leg[MAXN + 1];
    int used[MAXC];
    int order[MAXC];             /* the candidates, cheapest night first (a good plan early tightens the bound) */
    double night_min, meal_min;  /* per pass: the cheapest night and meal of any candidate */
    long nodes_visited;
    clock_t deadline;
    int timed_out;
} Problem;

/* ---- options of one query ---------------------------------------------- */

static int rule_ok(const TpQuery *q, const TpAccommodation *a) {
    return tp_house_rule_ok(q->house_rule, a->house_rules) && tp_room_type_ok(q->room_type, a->room_type);
}

/* A name the evaluator resolves to this very row: the first row of the
 * city whose name contains it is the row itself, so the evaluator prices
 * and checks the row the strict checker sees. */
static int resolves_to_self(const char *name, const TpIndexList *l, const char *(*name_of)(const TpDb *, int),
                            const TpDb *db, int row) {
    if (!*name) return 0;
    for (int i = 0; i < l->n; i++)
        if (strstr(name_of(db, l->idx[i]), name)) return l->idx[i] == row;
    return 0;
}

static const char *acc_name(const TpDb *db, int r) { return db->acc[r].name; }
static const char *rest_name(const TpDb *db, int r) { return db->rest[r].name; }

/* The cheapest stay of each length: one accommodation per stay (a split
 * stay is never cheaper: a row valid for part of a stay is valid for all
 * of it, docs/solver.md). */
static void city_stays(Problem *p, City *c) {
    const TpIndexList *l = tp_db_acc_in(p->db, c->name);
    for (int n = 0; n < MAXDAYS; n++) c->stay[n] = c->stay_any[n] = INF, c->stay_row[n] = -1;
    for (int i = 0; i < l->n; i++) {
        int r = l->idx[i];
        const TpAccommodation *a = &p->db->acc[r];
        if (a->maximum_occupancy <= 0 || !resolves_to_self(a->name, l, acc_name, p->db, r)) continue;
        double unit = tp_cost_stay(a->price, p->people, a->maximum_occupancy);
        int ok = rule_ok(p->q, a);
        for (int n = 1; n < MAXDAYS; n++) {
            if (a->minimum_nights > n) continue;
            if (unit * n < c->stay_any[n]) c->stay_any[n] = unit * n;
            if (ok && unit * n < c->stay[n]) c->stay[n] = unit * n, c->stay_row[n] = r;
        }
    }
}

/* Restaurants the evaluator resolves to themselves (a repeated name counts
 * once), and attractions with distinct names without ';' (it separates the
 * attractions of a day): the evaluator's lookup finds a row for any of
 * them, and they cost nothing. */
static void city_restaurants(Problem *p, City *c) {
    const TpIndexList *l = tp_db_rest_in(p->db, c->name);
    c->rest = calloc((size_t)l->n + 1, sizeof *c->rest);
    for (int i = 0; i < l->n; i++) {
        int r = l->idx[i];
        const TpRestaurant *x = &p->db->rest[r];
        if (!resolves_to_self(x->name, l, rest_name, p->db, r)) continue;
        Option *o = &c->rest[c->n_rest++];
        o->row = r, o->cost = tp_cost_meal(x->average_cost, p->people), o->mask = 0;
        for (int k = 0; k < p->K; k++)
            if (strstr(x->cuisines, p->q->cuisine[k])) o->mask |= 1u << k;
    }
    const TpIndexList *al = tp_db_attr_in(p->db, c->name);
    c->attr = calloc((size_t)al->n + 1, sizeof *c->attr);
    for (int i = 0; i < al->n; i++) {
        const char *name = p->db->attr[al->idx[i]].name;
        int dup = !*name || strchr(name, ';');
        for (int k = 0; k < c->n_attr && !dup; k++) dup = !strcmp(p->db->attr[c->attr[k]].name, name);
        if (!dup) c->attr[c->n_attr++] = al->idx[i];
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

/* More than K optional meals never help: a cheapest set keeps one
 * restaurant per cuisine it adds. */
static void city_meals(Problem *p, City *c) {
    int F = p->D, J = 3 * F + MAXE, M = p->M;
    double *best = malloc(sizeof(double) * (size_t)(J + 1) * M);
    meal_dp(p, c, J, best, NULL);
    c->meal = malloc(sizeof(double) * (size_t)(F + 1) * (MAXE + 1) * M);
    c->meal_up = malloc(sizeof(double) * (size_t)(F + 1) * (MAXE + 1) * M);
    c->meal_any = malloc(sizeof(double) * (size_t)(F + 1));
    for (int f = 0; f <= F; f++) {
        c->meal_any[f] = INF;
        for (int m = 0; m < M; m++)
            if (best[3 * f * M + m] < c->meal_any[f]) c->meal_any[f] = best[3 * f * M + m];
        for (int m = 0; m < M; m++) {
            double v = INF;
            for (int e = 0; e <= MAXE; e++) {
                v = best[(3 * f + e) * M + m] < v ? best[(3 * f + e) * M + m] : v;
                c->meal[(f * (MAXE + 1) + e) * M + m] = v;
            }
        }
    }
    size_t n = (size_t)(F + 1) * (MAXE + 1);
    memcpy(c->meal_up, c->meal, sizeof(double) * n * M);
    for (size_t t = 0; t < n; t++) /* minimum over supersets */
        for (int k = 0; k < p->K; k++)
            for (int m = 0; m < M; m++)
                if (!(m & (1 << k)) && c->meal_up[t * M + (m | 1 << k)] < c->meal_up[t * M + m])
                    c->meal_up[t * M + m] = c->meal_up[t * M + (m | 1 << k)];
    free(best);
}

/* ---- legs ---------------------------------------------------------------- */

static Leg *leg_at(const Problem *p, int cls, int a, int b) {
    return &p->legs[((size_t)(cls * p->nodes + a) * p->nodes + b) * MAXDAYS];
}

static void offer(Leg *l, double cost, char kind, int row) {
    if (cost < l->cost) l->cost = cost, l->kind = kind, l->row = row;
}

/* The cheapest option of every leg, day and class. Flights fly on the
 * leg's date; a flight number whose first row has another price is left
 * out (the evaluator would price it by that row, the strict checker by
 * its own; no such number in the shipped sandbox). */
static int build_legs(Problem *p) {
    int N = p->nodes;
    size_t nl = (size_t)3 * N * N * MAXDAYS;
    p->legs = malloc(nl * sizeof *p->legs);
    if (!p->legs) return -1;
    for (size_t k = 0; k < nl; k++) p->legs[k].cost = INF, p->legs[k].kind = 0, p->legs[k].row = -1;
    int no_flight = p->q->transportation && !strcmp(p->q->transportation, "no flight");
    for (int a = 0; a < N; a++)
        for (int b = 0; b < N; b++) {
            if (a == b) continue;
            long unit;
            for (int d = 0; d < p->D; d++) {
                if (tp_db_distance_cost(p->db, p->node_name[a], p->node_name[b], 't', &unit)) {
                    double taxi = tp_cost_ground((double)unit, p->people, 't');
                    offer(&leg_at(p, 0, a, b)[d], taxi, 'T', -1), offer(&leg_at(p, 1, a, b)[d], taxi, 'T', -1);
                }
                if (tp_db_distance_cost(p->db, p->node_name[a], p->node_name[b], 's', &unit))
                    offer(&leg_at(p, 2, a, b)[d], tp_cost_ground((double)unit, p->people, 's'), 'S', -1);
            }
        }
    if (no_flight) return 0;
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
        if (p->db->flight[tp_db_find_flight(p->db, f->number, NULL, NULL)].price != f->price) continue;
        offer(&leg_at(p, 0, a, b)[d], tp_cost_flight(f->price, p->people), 'F', i);
    }
    return 0;
}

/* ---- search ---------------------------------------------------------------- */

static const Leg *leg(const Problem *p, int a, int b, int day) { return &leg_at(p, p->cls, a, b)[day - 1]; }

/* Adds city c's meals (f full days, up to e optional travel-day meals) to
 * g. g[m] is the cheapest cost covering at least the cuisines m (so g[0]
 * is its minimum): g2[m] = min over b within m of meal_up[b] + g[m - b]. */
static void combine(const Problem *p, const City *c, int f, int e, const double *g, double *g2) {
    if (!(p->flags & F_CUISINE)) {
        double mc = c->meal_any[f];
        if (mc >= INF && !(p->flags & F_REST)) mc = 0;
        g2[0] = g[0] + mc;
        return;
    }
    int M = p->M;
    if (e > MAXE) e = MAXE;
    const double *up = &c->meal_up[(f * (MAXE + 1) + e) * M];
    for (int m = 0; m < M; m++) {
        double v = INF;
        for (int b = m;; b = (b - 1) & m) {
            double x = up[b] + g[m & ~b];
            if (x < v) v = x;
            if (!b) break;
        }
        g2[m] = v < INF ? v : INF;
    }
}

/* Meal costs of the cities left so far, by the number of slots b (0..SLOTS)
 * that the last travel day gave to the city reached: G[b][mask]. */
typedef double Gs[SLOTS + 1][MAXM];

/* Leaving city prev (f full days): its meals join G. The travel day gives
 * a slots to prev and SLOTS - a to the next city; prev had b on arrival. */
static void advance(const Problem *p, const City *prev, int f, Gs G, Gs G2) {
    int slots = (p->flags & F_CUISINE) && p->K > 0, M = (p->flags & F_CUISINE) ? p->M : 1;
    for (int b2 = 0; b2 <= SLOTS; b2++)
        for (int m = 0; m < MAXM; m++) G2[b2][m] = INF;
    if (!slots) {
        combine(p, prev, f, 0, G[0], G2[0]);
        return;
    }
    /* prev's slots e = min(b + a, K): the rows of G with the same e are
     * merged first (adding meals distributes over the minimum) */
    for (int b2 = 0; b2 <= SLOTS; b2++) {
        double H[2 * SLOTS + 1][MAXM];
        int has[2 * SLOTS + 1] = {0};
        for (int b = 0; b <= SLOTS; b++) {
            int e = b + SLOTS - b2 < p->K ? b + SLOTS - b2 : p->K;
            for (int m = 0; m < M; m++) {
                if (G[b][m] >= INF) continue;
                if (!has[e]) {
                    has[e] = 1;
                    for (int k = 0; k < M; k++) H[e][k] = INF;
                }
                if (G[b][m] < H[e][m]) H[e][m] = G[b][m];
            }
        }
        for (int e = 0; e <= 2 * SLOTS; e++) {
            if (!has[e]) continue;
            double t[MAXM];
            combine(p, prev, f, e, H[e], t);
            for (int m = 0; m < M; m++)
                if (t[m] < G2[b2][m]) G2[b2][m] = t[m];
        }
    }
}

/* Depth i takes leg i from prev (a city index, or -1 for the origin) on
 * day t[i]; prev's meals join G once the leg leaves it (its travel day's
 * slots are shared with the city reached). Meal slots matter only for
 * cuisines: a travel day needs no meal. */
static void dfs(Problem *p, int i, int prev, int prev_f, double fixed, Gs G) {
    if (p->found && p->stop_at_first) return;
    if ((++p->nodes_visited & 1023) == 0 && clock() > p->deadline) p->timed_out = 1;
    if (p->timed_out) return;
    int cuis = (p->flags & F_CUISINE) != 0;
    int M = cuis ? p->M : 1;
    int ti = p->t[i], from = prev < 0 ? 0 : p->city[prev].node;
    /* a bound on what is left: the nights from ti on and the meals of
     * their full days (each city of the rest has one night without one) */
    double rest = (p->D - ti) * p->night_min + 3.0 * (p->D - ti - (p->n - i)) * p->meal_min;
    double gmin = INF;
    for (int b = 0; b <= SLOTS; b++)
        for (int m = 0; m < M; m++) gmin = G[b][m] < gmin ? G[b][m] : gmin;
    double prev_meals = prev >= 0 && (p->flags & F_REST) ? p->city[prev].meal_any[prev_f] : 0;
    if (gmin >= INF || fixed + gmin + prev_meals + rest > p->bound) return;
    Gs G2;
    if (prev >= 0) advance(p, &p->city[prev], prev_f, G, G2);
    else memcpy(G2, G, sizeof G2);
    gmin = INF;
    for (int b = 0; b <= SLOTS; b++)
        for (int m = 0; m < M; m++) gmin = G2[b][m] < gmin ? G2[b][m] : gmin;
    if (gmin >= INF || fixed + gmin + rest > p->bound) return;
    for (int k = i == p->n ? -1 : 0; k < p->nc; k++) {
        int ci = k < 0 ? -1 : p->order[k];
        if (ci >= 0 && (p->used[ci] || i == p->n)) continue;
        int to = ci < 0 ? 0 : p->city[ci].node;
        Leg l = *leg(p, from, to, ti);
        if (l.cost >= INF) {
            if (p->flags & F_TRANSPORT) continue;
            l.cost = 0, l.kind = 0, l.row = -1; /* relaxed: a free leg */
        }
        p->path_leg[i] = l;
        if (ci < 0) { /* back home: a complete plan (the last travel day's slots all go to prev) */
            double total = fixed + l.cost + G2[0][cuis ? (int)p->full : 0];
            if (total >= INF || total > p->bound) continue;
            if (!p->found || total < p->best) {
                p->found = 1, p->best = total, p->best_cls = p->cls;
                memcpy(p->best_route, p->route, sizeof p->route), memcpy(p->best_t, p->t, sizeof p->t);
                memcpy(p->best_leg, p->path_leg, sizeof p->path_leg);
                if (!p->stop_at_first) p->bound = total; /* branch and bound */
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
            dfs(p, i + 1, ci, f, fixed + l.cost + stay, G2);
        }
        p->used[ci] = 0;
    }
}

static double cheapest_night(const City *c) {
    double v = INF;
    for (int n = 1; n < MAXDAYS; n++)
        if (c->stay_any[n] / n < v) v = c->stay_any[n] / n;
    return v;
}

/* Candidates by their cheapest night (ties: the candidates' order). */
static void order_candidates(Problem *p) {
    double key[MAXC];
    for (int i = 0; i < p->nc; i++) key[i] = cheapest_night(&p->city[i]), p->order[i] = i;
    for (int i = 1; i < p->nc; i++)
        for (int k = i; k > 0 && key[p->order[k]] < key[p->order[k - 1]]; k--) {
            int t = p->order[k];
            p->order[k] = p->order[k - 1], p->order[k - 1] = t;
        }
}

/* One search with the families in flags enforced: the cheapest plan within
 * the budget (F_BUDGET) or at any cost; stop_at_first only asks whether
 * one exists. */
static int run_pass(Problem *p, int flags, int stop_at_first) {
    p->flags = flags, p->found = 0, p->stop_at_first = stop_at_first;
    p->bound = (flags & F_BUDGET) ? (double)p->q->budget : INF / 2;
    p->best = INF;
    /* the cheapest night and meal of any candidate, for the bound on what
     * is left (0 where the family is relaxed) */
    p->night_min = p->meal_min = INF;
    for (int c = 0; c < p->nc; c++) {
        const City *x = &p->city[c];
        for (int n = 1; n < MAXDAYS; n++) {
            double v = (flags & F_STAY) ? x->stay[n] : x->stay_any[n];
            if (v / n < p->night_min) p->night_min = v / n;
        }
        for (int r = 0; r < x->n_rest; r++)
            if (x->rest[r].cost < p->meal_min) p->meal_min = x->rest[r].cost;
    }
    if (!(flags & F_STAY) || p->night_min >= INF) p->night_min = 0;
    if (!(flags & F_REST) || p->meal_min >= INF) p->meal_min = 0;
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
        Gs G; /* before the first city: no meal; the first travel day's slots all go to it */
        for (int b = 0; b <= SLOTS; b++)
            for (int m = 0; m < MAXM; m++) G[b][m] = INF;
        G[(flags & F_CUISINE) && p->K > 0 ? SLOTS : 0][0] = 0;
        dfs(p, 0, -1, 0, 0, G);
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

static void transport_text(const Problem *p, const Leg *l, const char *a, const char *b, Buf *out) {
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
#define MEAL(i, b) (p->city[p->best_route[i]].meal[(f[i] * (MAXE + 1) + e[i]) * M + (b)])
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
        double target = c->meal[(f[i] * (MAXE + 1) + e[i]) * M + mask_of[i]];
        j_of[i] = 3 * f[i];
        for (int x = 0; x <= e[i]; x++)
            if (c->meal[(f[i] * (MAXE + 1) + x) * M + mask_of[i]] == target) {
                j_of[i] = 3 * f[i] + x;
                break;
            }
    }
}

/* The meal cost of the best route with the travel-day slots split as
 * a[0..n] (a[i]: slots of leg i's day for the city it leaves). */
static double split_cost(const Problem *p, const int *a) {
    double g[MAXM], g2[MAXM];
    for (int m = 0; m < MAXM; m++) g[m] = INF;
    g[0] = 0;
    for (int i = 0; i < p->n; i++) {
        int f = p->best_t[i + 1] - p->best_t[i] - 1;
        combine(p, &p->city[p->best_route[i]], f, SLOTS - a[i] + a[i + 1], g, g2);
        memcpy(g, g2, sizeof g);
    }
    return g[p->full];
}

/* The split of every travel day's slots that reaches the search's cost:
 * the cheapest of all splits (4^(n-1) of them). */
static void choose_splits(Problem *p) {
    int a[MAXN + 1] = {0}, n = p->n;
    a[n] = SLOTS;
    memcpy(p->best_split, a, sizeof a);
    if (!p->K) return;
    double best = INF;
    for (;;) {
        double v = split_cost(p, a);
        if (v < best) best = v, memcpy(p->best_split, a, sizeof a);
        int k = 1;
        while (k < n && a[k] == SLOTS) a[k++] = 0;
        if (k >= n) break;
        a[k]++;
    }
}

/* The meals of every (day, slot): three a full day; on a travel day the
 * city left eats from breakfast on, the city reached up to dinner, each
 * within the slots the search gave it. */
static int place_meals(Problem *p, const char *slot[MAXDAYS + 1][3], int slot_city[MAXDAYS + 1][3]) {
    int n = p->n, f[MAXN], e[MAXN], arr[MAXN], dep[MAXN], j_of[MAXN];
    unsigned mask_of[MAXN] = {0};
    int slots = p->K > 0;
    choose_splits(p);
    for (int i = 0; i < n; i++) {
        f[i] = p->best_t[i + 1] - p->best_t[i] - 1;
        arr[i] = slots ? SLOTS - p->best_split[i] : 0;
        dep[i] = slots ? p->best_split[i + 1] : 0;
        e[i] = arr[i] + dep[i] > MAXE ? MAXE : arr[i] + dep[i];
    }
    split_masks(p, f, e, mask_of, j_of);
    if (!p->K)
        for (int i = 0; i < n; i++) j_of[i] = 3 * f[i];
    for (int d = 0; d <= MAXDAYS; d++)
        for (int m = 0; m < 3; m++) slot[d][m] = NULL, slot_city[d][m] = -1;
    for (int i = 0; i < n; i++) {
        int meals[MAXMEALS], next = 0;
        if (pick_meals(p, &p->city[p->best_route[i]], j_of[i], mask_of[i], meals) < 0) return -1;
        for (int d = p->best_t[i] + 1; d < p->best_t[i + 1]; d++)
            for (int m = 0; m < 3; m++) slot[d][m] = p->db->rest[meals[next++]].name, slot_city[d][m] = i;
        int extra = j_of[i] - 3 * f[i];
        for (int k = 0; k < arr[i] && extra > 0; k++, extra--) /* arrival day: dinner, lunch, breakfast */
            slot[p->best_t[i]][2 - k] = p->db->rest[meals[next++]].name, slot_city[p->best_t[i]][2 - k] = i;
        for (int k = 0; k < dep[i] && extra > 0; k++, extra--) /* departure day: breakfast, lunch, dinner */
            slot[p->best_t[i + 1]][k] = p->db->rest[meals[next++]].name, slot_city[p->best_t[i + 1]][k] = i;
        if (extra > 0) return -1;
    }
    return 0;
}

static cJSON *build_plan(Problem *p) {
    p->cls = p->best_cls;
    int n = p->n, D = p->D;
    const char *slot[MAXDAYS + 1][3];
    int slot_city[MAXDAYS + 1][3];
    if (place_meals(p, slot, slot_city)) return NULL;
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
    for (int i = 0; i < p->nc; i++) free(p->city[i].rest), free(p->city[i].attr), free(p->city[i].meal), free(p->city[i].meal_up),
                                    free(p->city[i].meal_any);
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
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return strdup(tmp);
}

/* ---- the proof under the official checks ---------------------------------------- */

/* What every plan that the official checks accept must have (docs/solver.md,
 * "Proofs"): an accommodation row meeting the room type and house rule on
 * each day but the last (it is priced there), a meal at a restaurant
 * outside the origin for each requested cuisine, and, for 5- and 7-day
 * trips, its cities but the two ends in the destination state. Transport
 * may cost nothing there and no meal is required on a "from A to B" day,
 * which every day may be. Rows are the search's (the view in sole
 * planning); cities are the sandbox's. Sets family and reason (malloc'd)
 * when it proves that no such plan exists within the budget, else returns
 * 0; *lb gets the cost bound (INF when a family has no option). */
static int official_proof(const Problem *p, const char **family, char **reason, double *lb) {
    const TpQuery *q = p->q;
    const TpDb *db = p->db;
    const char *where = db == p->eval_db ? "sandbox" : "reference information";
    *lb = INF;
    if (q->days > 3) {
        int s = 0;
        for (size_t k = 0; k < p->eval_db->city_state.cap; k++) {
            const char *city = p->eval_db->city_state.keys[k];
            const char *st = city ? tp_db_city_state(p->eval_db, city) : NULL;
            s += st && !strcmp(st, q->dest) && strcmp(city, q->org);
        }
        if (q->visiting_city_number > s + 1) {
            *family = "route";
            *reason = strf("route: the official checks need %d distinct cities besides %s; only %d cities of %s and "
                           "one city at both ends of the trip can appear",
                           q->visiting_city_number, q->org, s, q->dest);
            return 1;
        }
    }
    double night = INF;
    for (int r = 0; r < db->n_acc; r++) {
        const TpAccommodation *a = &db->acc[r];
        if (a->maximum_occupancy > 0 && rule_ok(q, a) && tp_cost_stay(a->price, q->people_number, a->maximum_occupancy) < night)
            night = tp_cost_stay(a->price, q->people_number, a->maximum_occupancy);
    }
    if (night >= INF && q->days >= 2) {
        *family = "accommodation";
        *reason = strf("accommodation: no accommodation in the %s%s%s%s%s, and the official checks need one on each day "
                       "but the last",
                       where, q->room_type ? " is a " : "", q->room_type ? q->room_type : "",
                       q->house_rule ? " allowing " : "", q->house_rule ? q->house_rule : "");
        return 1;
    }
    /* cover[m]: the cheapest restaurants outside the origin serving the cuisines in m, for the group */
    int K = q->has_cuisine && q->n_cuisine <= MAXK ? q->n_cuisine : 0, M = 1 << K;
    double cover[MAXM];
    unsigned served = 0;
    for (int m = 0; m < M; m++) cover[m] = m ? INF : 0;
    for (int r = 0; r < db->n_rest; r++) {
        const TpRestaurant *x = &db->rest[r];
        if (!strcmp(x->city, q->org)) continue;
        unsigned mask = 0;
        for (int k = 0; k < K; k++)
            if (strstr(x->cuisines, q->cuisine[k])) mask |= 1u << k;
        if (!mask) continue;
        served |= mask;
        for (int m = M - 1; m >= 0; m--)
            if (cover[m] < INF && cover[m] + tp_cost_meal(x->average_cost, q->people_number) < cover[m | (int)mask])
                cover[m | (int)mask] = cover[m] + tp_cost_meal(x->average_cost, q->people_number);
    }
    for (int k = 0; k < K; k++)
        if (!(served >> k & 1)) {
            *family = "cuisine";
            *reason = strf("cuisine: no restaurant outside %s in the %s serves %s, and the official cuisine check counts "
                           "no meal in the origin",
                           q->org, where, q->cuisine[k]);
            return 1;
        }
    double meals = cover[M - 1];
    *lb = (q->days - 1) * night + meals;
    if (*lb > (double)q->budget) {
        *family = "budget";
        *reason = strf("budget: every plan the official checks accept costs at least $%.0f (%d nights at $%.0f, the "
                       "cheapest allowed accommodation of the %s, + $%.0f of meals serving the cuisines; transport "
                       "may cost $0 there), over the budget $%ld",
                       *lb, q->days - 1, night, where, meals, q->budget);
        return 1;
    }
    return 0;
}

/* ---- no plan of the model: which family --------------------------------------- */

/* Passes that enforce one more family each; *family (static) and the
 * returned reason (malloc'd) name the first family that leaves no plan of
 * the model. With the budget family, out->min_cost gets the cheapest plan
 * that meets everything else. */
static char *diagnose(Problem *p, const char **family, SolverResult *out) {
    const TpQuery *q = p->q;
    if (!run_pass(p, F_TRANSPORT, 1))
        return *family = "transportation",
               strf("transportation: no route through the %d candidate cities has a flight on the travel date, a taxi "
                    "or a self-driving route for every leg%s%s",
                    p->nc, q->transportation ? " with " : "", q->transportation ? q->transportation : "");
    if (!run_pass(p, F_TRANSPORT | F_STAY, 1))
        return *family = "accommodation",
               strf("accommodation: no route has, in every city, an accommodation whose minimum nights fit the "
                    "stay%s%s%s%s",
                    q->room_type ? ", of room type " : "", q->room_type ? q->room_type : "",
                    q->house_rule ? ", allowing " : "", q->house_rule ? q->house_rule : "");
    if (!run_pass(p, F_TRANSPORT | F_STAY | F_ATTR, 1))
        return *family = "attractions", strf("attractions: too few distinct attractions for the full days");
    if (!run_pass(p, F_TRANSPORT | F_STAY | F_ATTR | F_REST, 1))
        return *family = "restaurants", strf("restaurants: too few distinct restaurants for three meals a day");
    if (!run_pass(p, F_ALL & ~F_BUDGET, 1)) {
        Buf b;
        buf_init(&b);
        for (int k = 0; k < q->n_cuisine; k++) buf_printf(&b, "%s%s", k ? ", " : "", q->cuisine[k]);
        char *r = strf("cuisine: no route serves all of %s in its meals", b.data ? b.data : "");
        buf_free(&b);
        return *family = "cuisine", r;
    }
    run_pass(p, F_ALL & ~F_BUDGET, 0);
    out->min_cost = p->best;
    return *family = "budget",
           strf("budget: the cheapest plan that meets every other constraint costs $%.0f, over the budget $%ld", p->best,
                q->budget);
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

/* No plan of the model within the budget: infeasible when the official
 * checks rule every plan out, else unknown with the model's reason. */
static void no_plan(Problem *p, const char *model_family, char *model_reason, SolverResult *out) {
    const char *family = NULL;
    char *proof = NULL;
    double lb;
    if (official_proof(p, &family, &proof, &lb)) {
        out->status = SOLVER_INFEASIBLE, out->family = family, out->reason = proof, out->lower_bound = lb;
        free(model_reason);
        return;
    }
    out->status = SOLVER_UNKNOWN, out->family = model_family, out->lower_bound = lb;
    out->reason = strf("%s; not proven under the official checks: they also accept plans outside the model (transport "
                       "other than flights, taxis and self-driving at $0, ...), and their cost bound $%.0f is within the "
                       "budget $%ld",
                       model_reason, lb, p->q->budget);
    free(model_reason);
}

int solver_solve(const TpDb *db, const TpQuery *q, const SolverOptions *opt, SolverResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    out->min_cost = -1;
    Problem *p = calloc(1, sizeof *p);
    if (!p) return err_set(err, IM_IO, "out of memory");
    p->db = opt && opt->view ? opt->view : db, p->eval_db = db;
    p->q = q, p->D = q->days, p->n = q->visiting_city_number, p->people = q->people_number;
    double timeout = opt && opt->timeout_s > 0 ? opt->timeout_s : 10.0;
    p->deadline = clock() + (clock_t)(timeout * CLOCKS_PER_SEC);
    p->K = q->has_cuisine ? q->n_cuisine : 0;
    int in_range = !(p->K > MAXK || p->D >= MAXDAYS || p->D < 2 || p->n < 1 || p->n > MAXN || q->n_date < p->D ||
                     p->people < 1);
    p->M = 1 << (in_range ? p->K : 0), p->full = (unsigned)p->M - 1;
    const char *cand[MAXC];
    p->nc = !in_range ? 0 : opt && opt->view ? view_candidates(opt->view, q, cand, MAXC) : solver_candidates(db, q, cand, MAXC);
    p->node_name[0] = q->org;
    p->nodes = p->nc + 1;
    for (int i = 0; i < p->nc; i++) {
        City *c = &p->city[i];
        c->name = cand[i], c->node = i + 1, p->node_name[i + 1] = cand[i];
        city_stays(p, c);
        city_restaurants(p, c);
        city_meals(p, c);
    }
    order_candidates(p);
    int rc = IM_OK;
    if (!in_range) {
        no_plan(p, "range", strf("range: query shape out of the solver's range (days %d, cities %d, cuisines %d)", p->D,
                                 p->n, p->K), out);
    } else if (p->nc < p->n || p->D - 1 < p->n) {
        no_plan(p, "route", strf("route: %d candidate cities for %s and %d travel days, %d cities needed", p->nc, q->dest,
                                 p->D, p->n), out);
    } else if (build_legs(p)) {
        rc = err_set(err, IM_IO, "out of memory");
    } else if (run_pass(p, F_ALL, 0)) {
        cJSON *plan = build_plan(p);
        if (!plan) {
            rc = err_set(err, IM_FAIL, "solver: query %d: cannot rebuild the meals of the best plan", q->idx);
        } else {
            rc = verify(p, plan, &out->cost, err);
            out->plan_json = cJSON_PrintUnformatted(plan);
            out->status = SOLVER_FEASIBLE;
            out->min_cost = out->cost;
            out->n_route = p->n;
            for (int i = 0; i < p->n; i++) out->route[i] = strdup(p->city[p->best_route[i]].name);
            for (int i = 0; i <= p->n; i++) out->travel_day[i] = p->best_t[i];
            cJSON_Delete(plan);
        }
    } else if (!p->timed_out) {
        const char *family = NULL;
        char *why = diagnose(p, &family, out);
        if (!p->timed_out) no_plan(p, family, why, out);
        else free(why);
    }
    if (p->timed_out) {
        solver_result_free(out);
        out->status = SOLVER_UNKNOWN, out->family = "timeout", out->timed_out = 1, out->min_cost = -1;
        out->reason = strf("timeout: no plan and no proof within %.1f s", timeout);
    }
    if (opt && opt->view && out->status != SOLVER_FEASIBLE && out->reason) {
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
    } else { /* the one reference builder every method reads (reference.h) */
        char *text = NULL;
        rc = tp_reference_info(db, q, &text, err);
        if (!rc) rc = tp_ref_view_text(text, out, err);
        free(text);
    }
    cJSON_Delete(line);
    if (rc) err_prefix(err, "query %d: sole-planning reference", q->idx);
    return rc;
}
