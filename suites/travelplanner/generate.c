/* generate.c: new TravelPlanner queries with solver labels (generate.h).
 * Sections: randomness; configuration; drawing specs (sequential, so the
 * file depends only on the seed); the text; solving and writing one line
 * (in parallel, lines kept by position); the driver. */
#include "generate.h"

#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "solver.h"
#include "strmap.h"

/* ---- randomness (splitmix64) ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) / 9007199254740992.0; }
static int rng_int(uint64_t *s, int n) { return (int)(rng_unit(s) * n); }
static int rng_pick(uint64_t *s, const double *w, int n) {
    double t = 0, x;
    for (int i = 0; i < n; i++) t += w[i];
    x = rng_unit(s) * t;
    for (int i = 0; i < n; i++)
        if ((x -= w[i]) < 0) return i;
    return n - 1;
}

/* ---- configuration ------------------------------------------------------------ */

void tp_gen_cfg_default(TpGenCfg *c) {
    *c = (TpGenCfg){.below_share = 0.2, .below_lo = 0.6, .below_hi = 0.95, .above_lo = 1.0, .above_hi = 2.5,
                    .level_share = {1, 1, 1}, .days_share = {1, 1, 1}, .reference = 1, .solver_timeout_s = 10};
}

static int num3(const cJSON *v, double *out, const char *name, Err *err) {
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
        return err_set(err, IM_USAGE, "generator configuration: \"%s\" must be a list of 3 numbers", name);
    double t = 0;
    for (int i = 0; i < 3; i++) {
        const cJSON *x = cJSON_GetArrayItem(v, i);
        if (!cJSON_IsNumber(x) || x->valuedouble < 0)
            return err_set(err, IM_USAGE, "generator configuration: \"%s\" must hold non-negative numbers", name);
        out[i] = x->valuedouble, t += x->valuedouble;
    }
    return t > 0 ? IM_OK : err_set(err, IM_USAGE, "generator configuration: \"%s\" sums to 0", name);
}

int tp_gen_cfg_parse(const char *json, TpGenCfg *c, Err *err) {
    cJSON *o = cJSON_Parse(json ? json : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "generator configuration: not a JSON object");
    }
    static const char *const names[] = {"below_share", "below_lo", "below_hi", "above_lo", "above_hi", "solver_timeout_s"};
    double *dst[] = {&c->below_share, &c->below_lo, &c->below_hi, &c->above_lo, &c->above_hi, &c->solver_timeout_s};
    int rc = IM_OK;
    for (const cJSON *f = o->child; f && !rc; f = f->next) {
        size_t k = 0;
        while (k < 6 && strcmp(f->string, names[k])) k++;
        if (k < 6) {
            if (!cJSON_IsNumber(f) || f->valuedouble < 0)
                rc = err_set(err, IM_USAGE, "generator configuration: \"%s\" must be a non-negative number", names[k]);
            else *dst[k] = f->valuedouble;
        } else if (!strcmp(f->string, "level_share")) rc = num3(f, c->level_share, "level_share", err);
        else if (!strcmp(f->string, "days_share")) rc = num3(f, c->days_share, "days_share", err);
        else if (!strcmp(f->string, "reference")) {
            if (!cJSON_IsBool(f)) rc = err_set(err, IM_USAGE, "generator configuration: \"reference\" must be true or false");
            else c->reference = cJSON_IsTrue(f);
        } else rc = err_set(err, IM_USAGE, "generator configuration: unknown field \"%s\" (docs/imagine.md)", f->string);
    }
    cJSON_Delete(o);
    if (!rc && (c->below_share > 1 || c->below_lo > c->below_hi || c->below_hi >= 1 || c->above_lo < 1 ||
                c->above_lo > c->above_hi))
        rc = err_set(err, IM_USAGE, "generator configuration: need below_share <= 1, below_lo <= below_hi < 1 <= above_lo <= above_hi");
    return rc;
}

void tp_gen_cfg_json(const TpGenCfg *c, Buf *out) {
    buf_printf(out, "{\"below_share\": %g, \"below_lo\": %g, \"below_hi\": %g, \"above_lo\": %g, \"above_hi\": %g, "
               "\"level_share\": [%g, %g, %g], \"days_share\": [%g, %g, %g], \"reference\": %s, \"solver_timeout_s\": %g}",
               c->below_share, c->below_lo, c->below_hi, c->above_lo, c->above_hi, c->level_share[0], c->level_share[1],
               c->level_share[2], c->days_share[0], c->days_share[1], c->days_share[2], c->reference ? "true" : "false",
               c->solver_timeout_s);
}

/* ---- drawing specs ---------------------------------------------------------------- */

static const char *const house_rules[] = {"smoking", "parties", "children under 10", "visitors", "pets"};
static const char *const room_types[] = {"entire room", "private room", "not shared room", "shared room"};
static const char *const cuisines[] = {"Chinese", "American", "Italian", "Mexican", "Indian", "Mediterranean", "French"};
static const char *const transports[] = {"no flight", "no self-driving"};
#define N_OF(a) ((int)(sizeof(a) / sizeof *(a)))

typedef struct Spec {
    const char *org, *dest;
    int days, ncity, day0, people, level;
    const char *house, *room, *transport;
    const char *cuisine[4];
    int n_cuisine;
    int below;          /* budget drawn below the minimum cost */
    double factor;      /* budget / minimum cost */
    uint64_t text_seed; /* phrasing */
} Spec;

typedef struct Places {
    const char **cities; int n_cities;   /* cities with a state */
    const char **states; int n_states;   /* states with at least 4 cities */
    int *state_cities;                   /* cities per state (index into states) */
    StrMap link;                         /* "a\x1fb": a flight (any date) or a drive from a to b */
    Buf link_keys;
} Places;

static void link_key(Buf *k, const char *a, const char *b) {
    buf_reset(k);
    buf_printf(k, "%s\x1f%s", a, b);
}

/* Pairs a -> b with a flight on some date or a self-driving line. */
static void places_links(const TpDb *db, Places *p) {
    strmap_init(&p->link);
    buf_init(&p->link_keys);
    Buf k;
    buf_init(&k);
    size_t *offs = NULL, n = 0, cap = 0;
    for (int pass = 0; pass < 2; pass++) {
        int rows = pass ? db->n_dist : db->n_flight;
        for (int i = 0; i < rows; i++) {
            long cost;
            if (pass && !tp_db_distance_cost(db, db->dist[i].origin, db->dist[i].dest, 's', &cost)) continue;
            link_key(&k, pass ? db->dist[i].origin : db->flight[i].origin, pass ? db->dist[i].dest : db->flight[i].dest);
            if (n == cap) offs = realloc(offs, (cap = cap ? 2 * cap : 4096) * sizeof *offs);
            offs[n++] = p->link_keys.len;
            buf_append(&p->link_keys, k.data, k.len + 1);
        }
    }
    for (size_t i = 0; i < n; i++) {
        int ins;
        strmap_upsert(&p->link, p->link_keys.data + offs[i], 1, &ins);
    }
    free(offs);
    buf_free(&k);
}

static int linked(const Places *p, Buf *k, const char *a, const char *b) {
    link_key(k, a, b);
    int there = strmap_get(&p->link, k->data) >= 0;
    link_key(k, b, a);
    return there && strmap_get(&p->link, k->data) >= 0;
}

/* Cities of state st linked both ways with org. */
static int linked_in_state(const TpDb *db, const Places *p, Buf *k, const char *org, const char *st) {
    int n = 0;
    for (int i = 0; i < p->n_cities; i++)
        if (!strcmp(tp_db_city_state(db, p->cities[i]), st) && strcmp(p->cities[i], org) && linked(p, k, org, p->cities[i])) n++;
    return n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void places_init(const TpDb *db, Places *p) {
    memset(p, 0, sizeof *p);
    size_t cap = db->city_state.cap;
    p->cities = calloc(cap + 1, sizeof *p->cities);
    p->states = calloc(cap + 1, sizeof *p->states);
    p->state_cities = calloc(cap + 1, sizeof *p->state_cities);
    for (size_t s = 0; s < cap; s++)
        if (db->city_state.keys[s] && tp_db_city_state(db, db->city_state.keys[s]))
            p->cities[p->n_cities++] = db->city_state.keys[s];
    qsort(p->cities, (size_t)p->n_cities, sizeof *p->cities, cmp_str);
    const char **all = calloc((size_t)p->n_cities + 1, sizeof *all);
    int na = 0;
    for (int i = 0; i < p->n_cities; i++) all[na++] = tp_db_city_state(db, p->cities[i]);
    qsort(all, (size_t)na, sizeof *all, cmp_str);
    for (int i = 0; i < na;) {
        int j = i;
        while (j < na && !strcmp(all[j], all[i])) j++;
        if (j - i >= 4) p->states[p->n_states] = all[i], p->state_cities[p->n_states++] = j - i;
        i = j;
    }
    free(all);
}

static void places_free(Places *p) {
    free(p->cities), free(p->states), free(p->state_cities);
    strmap_free(&p->link), buf_free(&p->link_keys);
}

static void draw_spec(uint64_t *s, const TpGenCfg *cfg, const Places *pl, const TpDb *db, Spec *sp) {
    memset(sp, 0, sizeof *sp);
    sp->level = rng_pick(s, cfg->level_share, 3);
    int slot = rng_pick(s, cfg->days_share, 3);
    sp->days = 3 + 2 * slot, sp->ncity = 1 + slot;
    /* a destination the origin reaches and returns from (a flight on some
     * date or a drive), when one is found in 64 draws: the queries stay
     * mostly feasible, as the benchmark's are, without being guaranteed so */
    Buf k;
    buf_init(&k);
    for (int tries = 0; tries < 64; tries++) {
        sp->org = pl->cities[rng_int(s, pl->n_cities)];
        if (sp->ncity == 1) {
            do sp->dest = pl->cities[rng_int(s, pl->n_cities)];
            while (!strcmp(sp->dest, sp->org));
            if (linked(pl, &k, sp->org, sp->dest)) break;
        } else {
            const char *st = tp_db_city_state(db, sp->org);
            do sp->dest = pl->states[rng_int(s, pl->n_states)];
            while (!strcmp(sp->dest, st)); /* the origin's own state is not a destination */
            if (linked_in_state(db, pl, &k, sp->org, sp->dest) >= sp->ncity) break;
        }
    }
    buf_free(&k);
    sp->day0 = 1 + rng_int(s, 31 - sp->days + 1);
    static const double people_w[] = {40, 12, 9, 6, 3, 5, 5}; /* 2..8, as in validation */
    sp->people = sp->level == TP_LEVEL_EASY ? 1 : 2 + rng_pick(s, people_w, 7);
    int kinds[4] = {0, 1, 2, 3}, nk = 0; /* 0 house rule, 1 cuisine, 2 room type, 3 transportation */
    if (sp->level == TP_LEVEL_MEDIUM) kinds[0] = rng_int(s, 3), nk = 1;
    else if (sp->level == TP_LEVEL_HARD) {
        int drop = rng_int(s, 4); /* three of four */
        for (int k = 0, j = 0; k < 4; k++)
            if (k != drop) kinds[j++] = k;
        nk = 3;
    }
    for (int i = 0; i < nk; i++) {
        switch (kinds[i]) {
        case 0: sp->house = house_rules[rng_int(s, N_OF(house_rules))]; break;
        case 1: {
            sp->n_cuisine = 1 + rng_int(s, 4);
            int used[N_OF(cuisines)] = {0};
            for (int c = 0; c < sp->n_cuisine;) {
                int k = rng_int(s, N_OF(cuisines));
                if (!used[k]) used[k] = 1, sp->cuisine[c++] = cuisines[k];
            }
            break;
        }
        case 2: {
            static const double room_w[] = {31, 17, 15, 1}; /* as in validation */
            sp->room = room_types[rng_pick(s, room_w, 4)];
            break;
        }
        default: sp->transport = transports[rng_int(s, N_OF(transports))]; break;
        }
    }
    sp->below = rng_unit(s) < cfg->below_share;
    sp->factor = sp->below ? cfg->below_lo + (cfg->below_hi - cfg->below_lo) * rng_unit(s)
                           : cfg->above_lo + (cfg->above_hi - cfg->above_lo) * rng_unit(s);
    sp->text_seed = rng_next(s);
}

/* The deduplication key: (org, dest, dates, days, people, level, constraints). */
static void dedup_key(Buf *k, const char *org, const char *dest, const char *date0, int days, int people, int level,
                      const char *house, const char *room, const char *transport, const char *const *cu, int ncu) {
    const char *sorted[8];
    for (int i = 0; i < ncu && i < 8; i++) sorted[i] = cu[i];
    qsort(sorted, (size_t)(ncu < 8 ? ncu : 8), sizeof *sorted, cmp_str);
    buf_reset(k);
    buf_printf(k, "%s\x1f%s\x1f%s\x1f%d\x1f%d\x1f%d\x1f%s\x1f%s\x1f%s", org, dest, date0, days, people, level,
               house ? house : "", room ? room : "", transport ? transport : "");
    for (int i = 0; i < ncu && i < 8; i++) buf_printf(k, "\x1f%s", sorted[i]);
}

/* ---- the text ---------------------------------------------------------------------- */

static const char *const month_day_suffix[] = {"th", "st", "nd", "rd"};
static const char *suffix(int d) { return (d % 100 >= 11 && d % 100 <= 13) || d % 10 > 3 ? "th" : month_day_suffix[d % 10]; }

static void money(Buf *b, long v) {
    if (v >= 1000) buf_printf(b, "$%ld,%03ld", v / 1000, v % 1000);
    else buf_printf(b, "$%ld", v);
}

static void join_list(Buf *b, const char *const *xs, int n) {
    for (int i = 0; i < n; i++) buf_printf(b, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", xs[i]);
}

static void query_text(const Spec *sp, long budget, Buf *b) {
    uint64_t s = sp->text_seed;
    char who[64], place[160], dates[96];
    static const char *const solo[] = {"one person", "a solo traveller", "myself"};
    static const char *const group[] = {"%d people", "a group of %d", "%d travellers"};
    if (sp->people == 1) snprintf(who, sizeof who, "%s", solo[rng_int(&s, 3)]);
    else snprintf(who, sizeof who, group[rng_int(&s, 3)], sp->people);
    if (sp->ncity == 1) snprintf(place, sizeof place, "%s", sp->dest);
    else snprintf(place, sizeof place, rng_int(&s, 2) ? "%d cities in %s" : "%d different cities of %s", sp->ncity, sp->dest);
    int d1 = sp->day0, d2 = sp->day0 + sp->days - 1;
    if (rng_int(&s, 2)) snprintf(dates, sizeof dates, "from March %d%s to March %d%s, 2022", d1, suffix(d1), d2, suffix(d2));
    else snprintf(dates, sizeof dates, "between March %d and March %d, 2022", d1, d2);
    switch (rng_int(&s, 4)) {
    case 0: buf_printf(b, "Please plan a %d-day trip for %s, leaving from %s for %s, %s.", sp->days, who, sp->org, place, dates); break;
    case 1: buf_printf(b, "I need an itinerary from %s to %s: %d days %s, for %s.", sp->org, place, sp->days, dates, who); break;
    case 2: buf_printf(b, "Could you put together a %d-day travel plan from %s to %s for %s? The dates are %s.", sp->days, sp->org, place, who, dates); break;
    default: buf_printf(b, "Help me organise a trip for %s that starts in %s and covers %s over %d days, %s.", who, sp->org, place, sp->days, dates); break;
    }
    static const char *const budget_pre[] = {" The budget is ", " Keep the whole trip under ", " We can spend at most ", " Total budget: "};
    buf_puts(b, budget_pre[rng_int(&s, 4)]);
    money(b, budget);
    buf_putc(b, '.');
    if (sp->house) {
        static const char *const hr[5][2] = {
            {"Someone in the group smokes, so the place must allow smoking.", "We need accommodation where smoking is permitted."},
            {"We want to throw a small party, so parties must be allowed.", "The accommodation has to allow parties."},
            {"Children under 10 come with us; the accommodation must accept them.", "We travel with kids under 10, so they must be welcome."},
            {"Friends may drop by, so visitors must be allowed.", "The host must allow visitors."},
            {"Our pet comes too, so we need pet-friendly places to stay.", "Pets must be allowed where we stay."}};
        for (int k = 0; k < 5; k++)
            if (!strcmp(sp->house, house_rules[k])) buf_printf(b, " %s", hr[k][rng_int(&s, 2)]);
    }
    if (sp->n_cuisine) {
        buf_puts(b, rng_int(&s, 2) ? " We would like to try " : " On the food side, we are after ");
        join_list(b, sp->cuisine, sp->n_cuisine);
        buf_puts(b, " cuisine.");
    }
    if (sp->room) {
        static const char *const rt[4] = {"an entire home to ourselves", "private rooms", "rooms that are not shared",
                                          "shared rooms"};
        for (int k = 0; k < 4; k++)
            if (!strcmp(sp->room, room_types[k])) buf_printf(b, rng_int(&s, 2) ? " Please book %s." : " We would like %s.", rt[k]);
    }
    if (sp->transport)
        buf_puts(b, !strcmp(sp->transport, "no flight") ? (rng_int(&s, 2) ? " We would rather not fly." : " No flights, please.")
                                                        : (rng_int(&s, 2) ? " None of us will drive." : " Self-driving is out of the question."));
}

/* ---- one line ------------------------------------------------------------------------ */

static void put_query_fields(Buf *b, int idx, const Spec *sp, long budget, const char *text) {
    buf_printf(b, "{\"idx\": %d, \"org\": ", idx);
    buf_json_str(b, sp->org);
    buf_puts(b, ", \"dest\": ");
    buf_json_str(b, sp->dest);
    buf_printf(b, ", \"days\": %d, \"visiting_city_number\": %d, \"date\": [", sp->days, sp->ncity);
    for (int d = 0; d < sp->days; d++) buf_printf(b, "%s\"2022-03-%02d\"", d ? ", " : "", sp->day0 + d);
    buf_printf(b, "], \"people_number\": %d, \"local_constraint\": {\"house rule\": ", sp->people);
    if (sp->house) buf_json_str(b, sp->house);
    else buf_puts(b, "null");
    buf_puts(b, ", \"cuisine\": ");
    if (sp->n_cuisine) {
        buf_putc(b, '[');
        for (int i = 0; i < sp->n_cuisine; i++) buf_printf(b, "%s\"%s\"", i ? ", " : "", sp->cuisine[i]);
        buf_putc(b, ']');
    } else buf_puts(b, "null");
    buf_puts(b, ", \"room type\": ");
    if (sp->room) buf_json_str(b, sp->room);
    else buf_puts(b, "null");
    buf_puts(b, ", \"transportation\": ");
    if (sp->transport) buf_json_str(b, sp->transport);
    else buf_puts(b, "null");
    buf_printf(b, "}, \"budget\": %ld, \"query\": ", budget);
    if (text) buf_json_str(b, text);
    else buf_puts(b, "null");
    buf_printf(b, ", \"level\": \"%s\"", tp_level_name(sp->level));
}

typedef struct Job {
    const TpDb *db;
    const TpGenCfg *cfg;
    const Spec *specs;
    int n;
    Buf *lines;
    int *status;       /* per line: 0 feasible, 1 infeasible, 2 unknown; +10 infeasible by budget */
    int next;
    pthread_mutex_t mu;
    int rc;
    Err err;
} Job;

/* The label of a query that the first search (any budget) did not settle
 * within its drawn budget: the solver runs again with that budget, so the
 * label and its reason are about the query as written. A budget under the
 * model's minimum cost (min_cost >= 0) proves nothing by itself under the
 * official checks (they accept plans outside the solver's model; issue
 * 12's honest rule): `"feasible": false` only with the solver's proof
 * (family budget: the official checks' lower bound over the budget), else
 * `"feasible": null` with the reason. *status as the Job's. */
static int settle_label(const Job *j, TpQuery *q, long budget, double min_cost, Buf *b, int *status, Err *err) {
    long keep = q->budget;
    q->budget = budget;
    SolverOptions opt = {.timeout_s = j->cfg->solver_timeout_s};
    SolverResult r;
    int rc = solver_solve(j->db, q, &opt, &r, err);
    q->budget = keep;
    if (rc) return rc;
    if (r.status == SOLVER_FEASIBLE) { /* not expected once the first search found none within the budget */
        buf_printf(b, "{\"feasible\": true, \"min_cost\": %.0f}", r.cost);
        *status = 0;
    } else {
        int proven = r.status == SOLVER_INFEASIBLE, budget_family = r.family && !strcmp(r.family, "budget");
        buf_printf(b, "{\"feasible\": %s", proven ? "false" : "null");
        if (r.family) buf_printf(b, ", \"family\": \"%s\"", r.timed_out ? "timeout" : r.family);
        if (min_cost >= 0) buf_printf(b, ", \"min_cost\": %.0f", min_cost);
        if (budget_family) buf_printf(b, ", \"lower_bound\": %.0f", r.lower_bound);
        buf_puts(b, ", \"reason\": ");
        buf_json_str(b, r.reason ? r.reason : r.timed_out ? "the solver timed out" : "");
        buf_putc(b, '}');
        *status = proven ? (budget_family ? 11 : 1) : 2;
    }
    solver_result_free(&r);
    return IM_OK;
}

static int one_line(Job *j, int i, Buf *b, Err *err) {
    const Spec *sp = &j->specs[i];
    Buf t;
    buf_init(&t);
    put_query_fields(&t, i + 1, sp, 1000000000L, NULL);
    buf_putc(&t, '}');
    TpQuery q;
    int rc = tp_query_parse(t.data, "generated", i + 1, &q, err);
    buf_free(&t);
    if (rc) return rc;
    SolverOptions opt = {.timeout_s = j->cfg->solver_timeout_s};
    SolverResult r;
    rc = solver_solve(j->db, &q, &opt, &r, err);
    if (rc) {
        tp_query_free(&q);
        return rc;
    }
    long budget;
    if (r.status == SOLVER_FEASIBLE) {
        double x = r.cost * sp->factor;
        budget = sp->below ? (long)floor(x / 100) * 100 : (long)ceil(x / 100) * 100;
        if (sp->below && budget >= r.cost) budget -= 100;
        if (budget < 100) budget = 100;
    } else { /* no minimum cost: a budget of the official scale, $150-$450 a person a day */
        uint64_t s = sp->text_seed ^ 0x5bd1e995ull;
        budget = (long)ceil((150 + 300 * rng_unit(&s)) * sp->days * sp->people / 100) * 100;
    }
    Buf text;
    buf_init(&text);
    query_text(sp, budget, &text);
    put_query_fields(b, i + 1, sp, budget, text.data);
    buf_free(&text);
    if (j->cfg->reference) {
        TpRef *ref = NULL;
        rc = solver_reference_from(j->db, &q, &r, &ref, err);
        if (rc) {
            solver_result_free(&r), tp_query_free(&q);
            return rc;
        }
        Buf rt;
        buf_init(&rt);
        tp_ref_text(j->db, ref, &rt);
        buf_puts(b, ", \"reference_information\": ");
        buf_json_str(b, rt.data ? rt.data : "");
        buf_free(&rt);
        tp_ref_free(ref);
    }
    buf_puts(b, ", \"label\": ");
    if (r.status == SOLVER_FEASIBLE && r.cost <= (double)budget) {
        buf_printf(b, "{\"feasible\": true, \"min_cost\": %.0f}", r.cost);
        j->status[i] = 0;
    } else {
        rc = settle_label(j, &q, budget, r.status == SOLVER_FEASIBLE ? r.cost : -1, b, &j->status[i], err);
    }
    if (rc) {
        solver_result_free(&r), tp_query_free(&q);
        return rc;
    }
    buf_puts(b, "}\n");
    solver_result_free(&r);
    tp_query_free(&q);
    return IM_OK;
}

static void *worker(void *arg) {
    Job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        int i = j->rc ? j->n : j->next++;
        pthread_mutex_unlock(&j->mu);
        if (i >= j->n) return NULL;
        Err e = {0};
        if (one_line(j, i, &j->lines[i], &e)) {
            pthread_mutex_lock(&j->mu);
            if (!j->rc) j->rc = e.code ? e.code : IM_IO, j->err = e;
            pthread_mutex_unlock(&j->mu);
        }
    }
}

/* ---- the driver ---------------------------------------------------------------------- */

int tp_generate(const TpDb *db, const TpGenCfg *cfg, const TpQuerySet *const *against, int n_against, int n,
                unsigned long long seed, int threads, Buf *out, TpGenStats *st, Err *err) {
    memset(st, 0, sizeof *st);
    if (n < 1) return err_set(err, IM_USAGE, "--n must be at least 1");
    Places pl;
    places_init(db, &pl);
    places_links(db, &pl);
    if (pl.n_cities < 2 || pl.n_states < 2) {
        places_free(&pl);
        return err_set(err, IM_IO, "%s: the background city list has too few cities with states", db->dir);
    }
    /* keys of the benchmark's queries, then of the drawn ones */
    StrMap seen;
    strmap_init(&seen);
    Buf k;
    buf_init(&k);
    char **keys = NULL;
    int n_keys = 0, cap_keys = 0;
#define KEEP_KEY()                                                                 \
    do {                                                                           \
        if (n_keys == cap_keys) {                                                  \
            cap_keys = cap_keys ? 2 * cap_keys : 1024;                             \
            keys = realloc(keys, (size_t)cap_keys * sizeof *keys);                 \
        }                                                                          \
        keys[n_keys] = strdup(k.data);                                             \
        int ins;                                                                   \
        strmap_upsert(&seen, keys[n_keys++], 1, &ins);                             \
    } while (0)
    for (int a = 0; a < n_against; a++)
        for (int i = 0; against[a] && i < against[a]->n; i++) {
            const TpQuery *q = &against[a]->q[i];
            dedup_key(&k, q->org, q->dest, q->n_date ? q->date[0] : "", q->days, q->people_number, q->level, q->house_rule,
                      q->room_type, q->transportation, (const char *const *)q->cuisine, q->n_cuisine);
            KEEP_KEY();
        }
    Spec *specs = calloc((size_t)n, sizeof *specs);
    uint64_t s = seed ^ 0x1a9e5eedull;
    long tries = 0;
    for (int i = 0; i < n;) {
        Spec *sp = &specs[i];
        draw_spec(&s, cfg, &pl, db, sp);
        char d0[32];
        snprintf(d0, sizeof d0, "2022-03-%02d", sp->day0);
        dedup_key(&k, sp->org, sp->dest, d0, sp->days, sp->people, sp->level, sp->house, sp->room, sp->transport,
                  sp->cuisine, sp->n_cuisine);
        if (strmap_get(&seen, k.data) >= 0) {
            st->duplicates_skipped++;
            if (++tries > 100L * n + 1000) break;
            continue;
        }
        KEEP_KEY();
        i++;
    }
#undef KEEP_KEY
    int rc = IM_OK;
    if (st->duplicates_skipped > 100L * n) rc = err_set(err, IM_FAIL, "could not draw %d distinct queries", n);
    Job j = {.db = db, .cfg = cfg, .specs = specs, .n = n};
    j.lines = calloc((size_t)n, sizeof *j.lines);
    j.status = calloc((size_t)n, sizeof *j.status);
    pthread_mutex_init(&j.mu, NULL);
    if (!rc) {
        if (threads < 1) threads = 1;
        if (threads > 64) threads = 64;
        pthread_t th[64];
        for (int t = 1; t < threads; t++) pthread_create(&th[t], NULL, worker, &j);
        worker(&j);
        for (int t = 1; t < threads; t++) pthread_join(th[t], NULL);
        if (j.rc) rc = j.rc, *err = j.err;
    }
    for (int i = 0; i < n; i++) {
        if (!rc) {
            buf_append(out, j.lines[i].data, j.lines[i].len);
            int stt = j.status[i];
            st->generated++;
            if (stt == 0) st->feasible++;
            else if (stt == 2) st->unknown++;
            else st->infeasible++, st->infeasible_budget += stt == 11;
        }
        buf_free(&j.lines[i]);
    }
    pthread_mutex_destroy(&j.mu);
    free(j.lines), free(j.status), free(specs);
    for (int i = 0; i < n_keys; i++) free(keys[i]);
    free(keys);
    strmap_free(&seen);
    buf_free(&k);
    places_free(&pl);
    return rc;
}
