/* greedy.c: the TravelPlanner paper's greedy search baseline (solver.h),
 * read literally (docs/greedy.md).
 *
 * Cost is the only objective; every slot of the plan is filled on its own
 * with the cheapest option of its city, with no memory of earlier choices
 * beyond the route and no backtracking: the same restaurant for every meal
 * of a city, the same accommodation every night (minimum nights unread),
 * transport chosen per leg without looking at the other legs. No constraint
 * of the query is looked at. Pure; thread-safe; no I/O. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cost.h"
#include "solver.h"

#define GMAX_CITIES 7

/* ---- route: cities and travel days ---------------------------------------- */

/* The destination for 3-day trips; otherwise the first n cities of the
 * destination state in citySet_with_states.txt order (the order a reader
 * of that file meets them), the origin left out. Returns the count. */
static int greedy_route(const TpDb *db, const TpQuery *q, const char **route, int n) {
    if (q->days <= 3) {
        if (n < 1 || !tp_db_city_state(db, q->dest) || !strcmp(q->dest, q->org)) return 0;
        route[0] = q->dest;
        return 1;
    }
    /* city_state's values are the insertion index, i.e. the file position of
     * each city's first line: pick the n smallest positions in the state. */
    int got = 0, last = -1;
    while (got < n) {
        int best = -1;
        const char *city = NULL;
        for (size_t s = 0; s < db->city_state.cap; s++) {
            const char *c = db->city_state.keys[s];
            int pos = c ? db->city_state.vals[s] : -1;
            if (!c || pos <= last || (best >= 0 && pos >= best)) continue;
            const char *st = tp_db_city_state(db, c);
            if (st && !strcmp(st, q->dest) && strcmp(c, q->org)) best = pos, city = c;
        }
        if (best < 0) break;
        route[got++] = city, last = best;
    }
    return got;
}

/* ---- transport -------------------------------------------------------------- */

typedef struct Move {
    double cost;
    char kind; /* 'F' flight, 'S' self-driving, 'T' taxi, 0 none */
    int row;   /* flight row */
    long unit; /* distance-matrix cost per vehicle */
} Move;

/* The cheapest way from a to b on date with the official cost formulas;
 * ties go to the first found (flights in file order, then self-driving,
 * then taxi). */
static Move cheapest_move(const TpDb *db, const TpQuery *q, const char *a, const char *b, const char *date) {
    Move m = {INFINITY, 0, -1, 0};
    for (int i = 0; i < db->n_flight; i++) {
        const TpFlight *f = &db->flight[i];
        if (!strcmp(f->origin, a) && !strcmp(f->dest, b) && !strcmp(f->date, date) && tp_cost_flight(f->price, q->people_number) < m.cost)
            m.cost = tp_cost_flight(f->price, q->people_number), m.kind = 'F', m.row = i;
    }
    long unit;
    if (tp_db_distance_cost(db, a, b, 's', &unit) && tp_cost_ground((double)unit, q->people_number, 's') < m.cost)
        m.cost = tp_cost_ground((double)unit, q->people_number, 's'), m.kind = 'S', m.unit = unit;
    if (tp_db_distance_cost(db, a, b, 't', &unit) && tp_cost_ground((double)unit, q->people_number, 't') < m.cost)
        m.cost = tp_cost_ground((double)unit, q->people_number, 't'), m.kind = 'T', m.unit = unit;
    return m;
}

static void move_text(const TpDb *db, const Move *m, const char *a, const char *b, Buf *out) {
    buf_reset(out);
    if (m->kind == 'F') {
        const TpFlight *f = &db->flight[m->row];
        buf_printf(out, "Flight Number: %s, from %s to %s, Departure Time: %s, Arrival Time: %s", f->number, a, b,
                   f->dep_time, f->arr_time);
    } else if (m->kind) {
        buf_printf(out, "%s, from %s to %s, Cost: %ld", m->kind == 'S' ? "Self-driving" : "Taxi", a, b, m->unit);
    } else {
        buf_puts(out, "-"); /* no option at all: the slot stays empty */
    }
}

/* ---- per-city choices --------------------------------------------------------- */

/* The cheapest restaurant and accommodation of a city (first in file order
 * on ties) and its first attraction in file order (attractions have no
 * cost); -1 where the city has none. */
typedef struct CityPick {
    int rest, acc, attr;
} CityPick;

static CityPick city_pick(const TpDb *db, const char *city) {
    CityPick p = {-1, -1, -1};
    const TpIndexList *l = tp_db_rest_in(db, city);
    for (int i = 0; i < l->n; i++)
        if (p.rest < 0 || db->rest[l->idx[i]].average_cost < db->rest[p.rest].average_cost) p.rest = l->idx[i];
    l = tp_db_acc_in(db, city);
    for (int i = 0; i < l->n; i++)
        if (p.acc < 0 || db->acc[l->idx[i]].price < db->acc[p.acc].price) p.acc = l->idx[i];
    l = tp_db_attr_in(db, city);
    if (l->n > 0) p.attr = l->idx[0];
    return p;
}

/* ---- plan ------------------------------------------------------------------------ */

static void add_str(cJSON *day, const char *key, const Buf *b, int filled) {
    cJSON_AddStringToObject(day, key, filled ? b->data : "-");
}

char *greedy_plan(const TpDb *db, const TpQuery *q, const char **why) {
    const char *route[GMAX_CITIES];
    int n = q->visiting_city_number, D = q->days;
    /* travel days 1, 3, 5, ... and the last: city k is entered on day t[k] */
    if (n < 1 || n > GMAX_CITIES || q->n_date < D || 2 * n - 1 >= D) return *why = "no plan form for this query", NULL;
    if (greedy_route(db, q, route, n) < n) return *why = "no candidate route", NULL;
    int t[GMAX_CITIES + 1];
    for (int k = 0; k < n; k++) t[k] = 1 + 2 * k;
    t[n] = D;
    cJSON *plan = cJSON_CreateArray();
    Buf b;
    buf_init(&b);
    for (int d = 1, stop = 0; d <= D; d++) {
        while (stop < n && t[stop] <= d) stop++; /* route[stop - 1]: where the night is spent */
        int leg = -1;
        for (int k = 0; k <= n; k++)
            if (t[k] == d) leg = k;
        const char *from = leg > 0 ? route[leg - 1] : q->org, *city = leg == n ? q->org : route[stop - 1];
        cJSON *day = cJSON_CreateObject();
        cJSON_AddNumberToObject(day, "days", d);
        if (leg >= 0) {
            Move m = cheapest_move(db, q, from, city, q->date[d - 1]);
            buf_reset(&b), buf_printf(&b, "from %s to %s", from, city);
            cJSON_AddStringToObject(day, "current_city", b.data);
            move_text(db, &m, from, city, &b);
            cJSON_AddStringToObject(day, "transportation", b.data);
        } else {
            cJSON_AddStringToObject(day, "current_city", city);
            cJSON_AddStringToObject(day, "transportation", "-");
        }
        /* Only the slots the plan form requires are filled (the official
         * is_not_absent): meals and the attraction on full days, transport
         * on travel days, a bed every night. Travel-day meals would need a
         * time of day, which a literal greedy does not model (docs/greedy.md). */
        CityPick p = city_pick(db, city);
        if (leg >= 0) p.rest = p.attr = -1;
        static const char *const meal[3] = {"breakfast", "lunch", "dinner"};
        for (int k = 0; k < 3; k++) {
            buf_reset(&b);
            if (p.rest >= 0) buf_printf(&b, "%s, %s", db->rest[p.rest].name, city);
            add_str(day, meal[k], &b, p.rest >= 0);
            if (k == 0) {
                buf_reset(&b);
                if (p.attr >= 0) buf_printf(&b, "%s, %s;", db->attr[p.attr].name, city);
                add_str(day, "attraction", &b, p.attr >= 0);
            }
        }
        buf_reset(&b);
        if (p.acc >= 0) buf_printf(&b, "%s, %s", db->acc[p.acc].name, city);
        add_str(day, "accommodation", &b, p.acc >= 0 && d < D);
        cJSON_AddItemToArray(plan, day);
    }
    char *json = cJSON_PrintUnformatted(plan); /* keys in the official plans' order */
    cJSON_Delete(plan), buf_free(&b);
    *why = NULL;
    return json;
}
