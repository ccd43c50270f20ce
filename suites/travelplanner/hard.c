/* hard.c: the 5 hard-constraint checks of the official evaluator
 * (evaluation/hard_constraint.py) and its total cost (formulas and room
 * rules from cost.h, the entries as the evaluator reads them). They run only when
 * Complete Information and Within Sandbox passed (evaluate.c decides). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "checkctx.h"
#include "cost.h"

static const char *const meal[3] = {"breakfast", "lunch", "dinner"};

/* The first accommodation row of a day's accommodation, or -1. */
static int day_acc_row(Ctx *c, const cJSON *u, int i) {
    const cJSON *acc = ctx_get(c, u, i, "accommodation");
    if (!py_filled(acc)) return -1;
    TpSpan name, city;
    ctx_name_city(c, ctx_str(c, acc, i, "accommodation"), &name, &city);
    return ctx_find_acc(c, name, city, NULL);
}

TpVerdict tp_hard_room_rule(Ctx *c) {
    const char *rule = c->q->house_rule;
    if (!rule) return tp_none();
    for (int i = 0; i < c->ndays; i++) {
        int r = day_acc_row(c, ctx_day(c, i), i);
        if (r >= 0 && !tp_house_rule_ok(rule, c->db->acc[r].house_rules))
            return tp_failf("The house rule should be %s.", rule);
    }
    return tp_pass();
}

/* Adds the cuisines of one meal; returns 1 when the meal is in the origin
 * city (the official code then `continue`s: the rest of that day is
 * skipped, the quirk). */
static int add_meal_cuisines(Ctx *c, const cJSON *v, int i, const char *field, int *have) {
    TpSpan name, city;
    ctx_name_city(c, ctx_str(c, v, i, field), &name, &city);
    if (tp_span_eq(city, c->q->org)) return 1;
    int r = ctx_find_rest(c, name, city);
    if (r >= 0)
        for (int k = 0; k < c->q->n_cuisine; k++)
            if (strstr(c->db->rest[r].cuisines, c->q->cuisine[k])) have[k] = 1;
    return 0;
}

TpVerdict tp_hard_cuisine(Ctx *c) {
    if (!c->q->has_cuisine) return tp_none();
    int have[64] = {0};
    if (c->q->n_cuisine > 64) return tp_failf("more than 64 cuisines in the query");
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        for (int m = 0; m < 3; m++) {
            const cJSON *v = ctx_get(c, u, i, meal[m]);
            if (py_filled(v) && add_meal_cuisines(c, v, i, meal[m], have)) break;
        }
    }
    /* First missing cuisine in query order. A cuisine named twice counts
     * once (the official code would return None there and then raise; see
     * README divergences). */
    for (int k = 0; k < c->q->n_cuisine; k++)
        if (!have[k]) return tp_failf("The cuisine %s is not satisfied.", c->q->cuisine[k]);
    return tp_pass();
}

TpVerdict tp_hard_transportation(Ctx *c) {
    const char *rule = c->q->transportation;
    if (!rule) return tp_none();
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i), *t = ctx_get(c, u, i, "transportation");
        if (!py_filled(t)) continue;
        TpSpan s = ctx_str(c, t, i, "transportation");
        if (!strcmp(rule, "no flight") && tp_span_contains(s, "Flight", 6))
            return tp_failf("The transportation should not be %s.", rule);
        if (!strcmp(rule, "no self-driving") && tp_span_contains(s, "Self-driving", 12))
            return tp_failf("The transportation should not be %s.", rule);
    }
    return tp_pass();
}

TpVerdict tp_hard_room_type(Ctx *c) {
    const char *want = c->q->room_type;
    if (!want) return tp_none();
    for (int i = 0; i < c->ndays; i++) {
        int r = day_acc_row(c, ctx_day(c, i), i);
        if (r < 0) continue;
        if (!tp_room_type_ok(want, c->db->acc[r].room_type)) return tp_failf("The room type should be %s.", want);
    }
    return tp_pass();
}

static double transport_cost(Ctx *c, const cJSON *u, int i) {
    const cJSON *tv = ctx_get(c, u, i, "transportation");
    if (!py_filled(tv)) return 0;
    TpSpan value = ctx_str(c, tv, i, "transportation"), org, dest;
    int ok = tp_from_to(value, &org, &dest);
    if (!ok) ok = tp_from_to(ctx_str(c, ctx_get(c, u, i, "current_city"), i, "current_city"), &org, &dest);
    if (!ok) return 0;
    int people = c->q->people_number;
    if (span_icontains(value, "flight number")) {
        TpSpan num = ctx_flight_number(c, value, i);
        char nb[256];
        if (num.n >= sizeof nb) return 0;
        snprintf(nb, sizeof nb, "%.*s", (int)num.n, num.p);
        int r = tp_db_find_flight(c->db, nb, NULL, NULL);
        return r >= 0 ? tp_cost_flight(c->db->flight[r].price, people) : 0;
    }
    int self = span_icontains(value, "self-driving");
    if (!self && !span_icontains(value, "taxi")) return 0;
    long cost;
    if (!ctx_distance_cost(c, org, dest, self ? 's' : 't', &cost))
        ctx_crash(c, i + 1, "transportation", "no distance for this route: None * int");
    return tp_cost_ground((double)cost, people, self ? 's' : 't');
}

double tp_hard_total_cost(Ctx *c) {
    double total = 0;
    int people = c->q->people_number;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        total += transport_cost(c, u, i);
        for (int m = 0; m < 3; m++) {
            const cJSON *v = ctx_get(c, u, i, meal[m]);
            if (!py_filled(v)) continue;
            TpSpan name, city;
            ctx_name_city(c, ctx_str(c, v, i, meal[m]), &name, &city);
            int r = ctx_find_rest(c, name, city);
            if (r >= 0) total += tp_cost_meal(c->db->rest[r].average_cost, people);
        }
        int r = day_acc_row(c, u, i);
        if (r >= 0) {
            double occ = c->db->acc[r].maximum_occupancy;
            if (occ <= 0) ctx_crash(c, i + 1, "accommodation", "maximum occupancy is 0 in the database");
            total += tp_cost_stay(c->db->acc[r].price, people, occ);
        }
    }
    return total;
}
