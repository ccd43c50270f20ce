/* verdict.c (tests): see verdict.h. */
#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "evaluate.h"
#include "fsutil.h"
#include "solver.h"
#include "strict.h"

int room_allowed(const TpQuery *q, const TpAccommodation *a) {
    if (q->house_rule) {
        char forbidden[64];
        snprintf(forbidden, sizeof forbidden, "No %s", q->house_rule);
        if (strstr(a->house_rules, forbidden)) return 0;
    }
    if (!q->room_type) return 1;
    if (!strcmp(q->room_type, "not shared room")) return strcmp(a->room_type, "Shared room") != 0;
    static const char *const want[3][2] = {
        {"shared room", "Shared room"}, {"private room", "Private room"}, {"entire room", "Entire home/apt"}};
    for (int k = 0; k < 3; k++)
        if (!strcmp(q->room_type, want[k][0])) return !strcmp(a->room_type, want[k][1]);
    return 1;
}

/* best1[s]: the cheapest single restaurant serving every cuisine of s;
 * split(m): the cheapest way to cover m by disjoint parts, each served by
 * one restaurant (an optimal set of restaurants gives such a partition). */
static double split_cover(const double *best1, int m) {
    if (!m) return 0;
    int low = m & -m;
    double best = INFINITY;
    for (int s = m; s; s = (s - 1) & m)
        if ((s & low) && isfinite(best1[s])) {
            double v = best1[s] + split_cover(best1, m & ~s);
            if (v < best) best = v;
        }
    return best;
}

/* citySet_with_states.txt, read here rather than through the database */
static char *city_set;

int verdict_init(const char *data_dir) {
    char *path = fs_join(data_dir, "database/background/citySet_with_states.txt");
    size_t len;
    Err err = {0};
    int rc = fs_read_file(path, &city_set, &len, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    free(path);
    return rc;
}

void verdict_fini(void) { free(city_set), city_set = NULL; }

/* Cities of the state but the origin (up to max in out, which may be NULL);
 * returns the count. */
int state_cities(const char *state, const char *org, const char **out, int max) {
    static char names[256][128];
    int n = 0;
    for (const char *line = city_set; line && *line;) {
        const char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
        if (!nl) nl = line + strlen(line);
        if (tab && tab < nl && (size_t)(nl - tab - 1) == strlen(state) && !strncmp(tab + 1, state, strlen(state)) &&
            !((size_t)(tab - line) == strlen(org) && !strncmp(line, org, strlen(org)))) {
            if (out && n < max && n < 256 && tab - line < 128) {
                memcpy(names[n], line, (size_t)(tab - line)), names[n][tab - line] = 0;
                out[n] = names[n];
            }
            n++;
        }
        line = *nl ? nl + 1 : nl;
    }
    return n;
}

Relax relax(const TpDb *db, const TpQuery *q) {
    Relax r = {NULL, 0};
    if (q->days > 3 && q->visiting_city_number > state_cities(q->dest, q->org, NULL, 0) + 1) return r.family = "route", r;
    double night = INFINITY;
    for (int i = 0; i < db->n_acc; i++) {
        const TpAccommodation *a = &db->acc[i];
        if (a->maximum_occupancy <= 0 || !room_allowed(q, a)) continue;
        double v = a->price * ceil((double)q->people_number / a->maximum_occupancy);
        if (v < night) night = v;
    }
    if (!isfinite(night)) return r.family = "accommodation", r;
    int K = q->has_cuisine ? q->n_cuisine : 0;
    double cover = 0;
    if (K > 0 && K <= 5) {
        double best1[32];
        for (int s = 0; s < 32; s++) best1[s] = INFINITY;
        for (int i = 0; i < db->n_rest; i++) {
            const TpRestaurant *x = &db->rest[i];
            if (!strcmp(x->city, q->org)) continue; /* the cuisine check skips the origin's meals */
            int mask = 0;
            for (int k = 0; k < K; k++)
                if (strstr(x->cuisines, q->cuisine[k])) mask |= 1 << k;
            for (int s = mask; s; s = (s - 1) & mask)
                if (x->average_cost < best1[s]) best1[s] = x->average_cost;
        }
        for (int k = 0; k < K; k++)
            if (!isfinite(best1[1 << k])) return r.family = "cuisine", r;
        cover = split_cover(best1, (1 << K) - 1);
    }
    r.lb = (q->days - 1) * night + cover * q->people_number;
    if (r.lb > (double)q->budget) r.family = "budget";
    return r;
}

/* ---- checks of one verdict -------------------------------------------------- */

int passes_evaluator(const TpDb *db, const TpQuery *q, const cJSON *plan, double *cost) {
    TpPlanResult ev;
    tp_eval_plan(db, q, plan, q->idx, &ev);
    int ok = ev.hard_evaluated;
    for (int k = 0; k < TP_NCS; k++) ok &= ev.cs[k].value == 1;
    for (int k = 0; k < TP_NHARD; k++) ok &= ev.hard[k].value != 0;
    if (cost) *cost = ev.total_cost;
    tp_plan_result_free(&ev);
    return ok;
}

static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

int check_verdict(const TpDb *db, const TpQuery *q, const char *what, Tally *t, double *min_cost) {
    SolverResult r;
    Err err = {0};
    int rc = solver_solve(db, q, NULL, &r, &err);
    CHECK_MSG(rc == IM_OK, "%s query %d: %s", what, q->idx, err.msg);
    if (rc) return -1;
    Relax x = relax(db, q);
    int status = r.status;
    if (min_cost) *min_cost = r.min_cost;
    CHECK_MSG(!r.timed_out, "%s query %d: %s", what, q->idx, r.reason);
    if (r.status == SOLVER_FEASIBLE) {
        t->feasible++;
        cJSON *plan = cJSON_Parse(r.plan_json);
        const char *why = strict_check(db, q, plan);
        CHECK_MSG(!why, "%s query %d: strict check: %s", what, q->idx, why ? why : "");
        double cost = -1;
        CHECK_MSG(passes_evaluator(db, q, plan, &cost), "%s query %d: the evaluator rejects the plan", what, q->idx);
        CHECK_MSG(fabs(cost - r.cost) < 1e-6 && r.cost == r.min_cost && r.cost <= (double)q->budget,
                  "%s query %d: cost %.2f, evaluator %.2f, min_cost %.2f, budget %ld", what, q->idx, r.cost, cost,
                  r.min_cost, q->budget);
        CHECK_MSG(!x.family && x.lb <= r.cost + 1e-6, "%s query %d: the relaxation (%s, $%.2f) exceeds a real plan ($%.2f)",
                  what, q->idx, x.family ? x.family : "-", x.lb, r.cost);
        cJSON_Delete(plan);
    } else if (r.status == SOLVER_INFEASIBLE) {
        t->infeasible++;
        CHECK_MSG(eq(r.family, x.family) && r.reason && !strncmp(r.reason, r.family, strlen(r.family)),
                  "%s query %d: infeasible (%s) but the relaxation says %s: %s", what, q->idx, r.family,
                  x.family ? x.family : "not ruled out", r.reason);
        if (eq(x.family, "budget"))
            CHECK_MSG(fabs(r.lower_bound - x.lb) < 1e-6 && x.lb > (double)q->budget,
                      "%s query %d: bound $%.2f, relaxation $%.2f, budget %ld", what, q->idx, r.lower_bound, x.lb,
                      q->budget);
        static const char *const fams[4] = {"route", "accommodation", "cuisine", "budget"};
        for (int k = 0; k < 4; k++) t->fam_infeasible[k] += eq(r.family, fams[k]);
    } else {
        t->unknown++;
        CHECK_MSG(!x.family && fabs(r.lower_bound - x.lb) < 1e-6,
                  "%s query %d: unknown, but the relaxation proves %s (bound $%.2f vs $%.2f)", what, q->idx,
                  x.family ? x.family : "nothing", x.lb, r.lower_bound);
        CHECK_MSG(r.family && r.reason && strstr(r.reason, "not proven under the official checks"),
                  "%s query %d: unknown without its reasons", what, q->idx);
        CHECK_MSG(!eq(r.family, "budget") || r.min_cost > (double)q->budget,
                  "%s query %d: family budget with min_cost %.2f", what, q->idx, r.min_cost);
    }
    solver_result_free(&r);
    return status;
}


int verdict_failures(void) { return check_failures; }
