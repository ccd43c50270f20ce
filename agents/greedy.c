/* greedy.c: the TravelPlanner paper's greedy search baseline (solver.h).
 *
 * Cost is the only objective and every choice is final: the next city is
 * the one reached most cheaply, each leg takes the cheapest transport on
 * the official travel day (days 1, 3, 5, ... and the last), each city the
 * cheapest accommodation, each full day the cheapest unused restaurants
 * and the first unused attraction. No constraint of the query is looked
 * at beyond the plan's form; no backtracking. Pure; thread-safe. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "solver.h"

#define GMAX 64

typedef struct Move {
    double cost;
    char kind; /* 'F', 'S', 'T' or 0 */
    int row;
    long unit;
} Move;

/* The cheapest way from a to b on date (any mode, no consistency). */
static Move cheapest(const TpDb *db, const TpQuery *q, const char *a, const char *b, const char *date) {
    Move m = {INFINITY, 0, -1, 0};
    for (int i = 0; i < db->n_flight; i++) {
        const TpFlight *f = &db->flight[i];
        if (!strcmp(f->origin, a) && !strcmp(f->dest, b) && !strcmp(f->date, date) && f->price * q->people_number < m.cost)
            m.cost = f->price * q->people_number, m.kind = 'F', m.row = i;
    }
    long unit;
    if (tp_db_distance_cost(db, a, b, 's', &unit) && unit * ceil(q->people_number / 5.0) < m.cost)
        m.cost = unit * ceil(q->people_number / 5.0), m.kind = 'S', m.unit = unit;
    if (tp_db_distance_cost(db, a, b, 't', &unit) && unit * ceil(q->people_number / 4.0) < m.cost)
        m.cost = unit * ceil(q->people_number / 4.0), m.kind = 'T', m.unit = unit;
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
        buf_puts(out, "-");
    }
}

/* The cheapest row of a city list not yet used (by name). */
static int cheapest_unused(const TpIndexList *l, const double *cost_of, const char *(*name)(const TpDb *, int),
                           const TpDb *db, const char **used, int n_used) {
    int best = -1;
    for (int i = 0; i < l->n; i++) {
        int r = l->idx[i], dup = 0;
        for (int k = 0; k < n_used && !dup; k++) dup = !strcmp(used[k], name(db, r));
        if (!dup && (best < 0 || (cost_of && cost_of[r] < cost_of[best]))) best = r;
    }
    return best;
}

static const char *rname(const TpDb *db, int r) { return db->rest[r].name; }
static const char *aname(const TpDb *db, int r) { return db->attr[r].name; }

char *greedy_plan(const TpDb *db, const TpQuery *q, const char **why) {
    const char *cand[GMAX], *route[8];
    int nc = solver_candidates(db, q, cand, GMAX), n = q->visiting_city_number, D = q->days;
    if (n < 1 || n > 7 || nc < n || q->n_date < D || D < n + 1) return *why = "no candidate route", NULL;
    int t[9], used_c[GMAX] = {0};
    for (int k = 0; k < n; k++) t[k] = 1 + 2 * k;
    t[n] = D;
    Move moves[9];
    const char *prev = q->org;
    for (int k = 0; k < n; k++) { /* the next city: the cheapest to reach */
        int best = -1;
        Move bm = {INFINITY, 0, -1, 0};
        for (int c = 0; c < nc; c++) {
            if (used_c[c]) continue;
            Move m = cheapest(db, q, prev, cand[c], q->date[t[k] - 1]);
            if (best < 0 || m.cost < bm.cost) best = c, bm = m;
        }
        used_c[best] = 1, route[k] = cand[best], moves[k] = bm, prev = cand[best];
    }
    moves[n] = cheapest(db, q, prev, q->org, q->date[D - 1]);
    double *rest_cost = malloc(sizeof(double) * ((size_t)db->n_rest + 1));
    for (int i = 0; i < db->n_rest; i++) rest_cost[i] = db->rest[i].average_cost;
    const char *used_r[64], *used_a[64];
    int nr = 0, na = 0;
    cJSON *plan = cJSON_CreateArray();
    Buf b;
    buf_init(&b);
    for (int d = 1, stop = 0; d <= D; d++) {
        cJSON *day = cJSON_CreateObject();
        cJSON_AddNumberToObject(day, "days", d);
        int leg = -1;
        for (int k = 0; k <= n; k++)
            if (t[k] == d) leg = k;
        while (stop < n - 1 && d >= t[stop + 1]) stop++;
        const char *city = route[stop];
        if (leg >= 0) {
            const char *a = leg == 0 ? q->org : route[leg - 1], *to = leg == n ? q->org : route[leg];
            buf_reset(&b), buf_printf(&b, "from %s to %s", a, to);
            cJSON_AddStringToObject(day, "current_city", b.data);
            move_text(db, &moves[leg], a, to, &b);
            cJSON_AddStringToObject(day, "transportation", b.data);
            city = to;
        } else {
            cJSON_AddStringToObject(day, "current_city", city);
            cJSON_AddStringToObject(day, "transportation", "-");
        }
        static const char *const meal[3] = {"breakfast", "lunch", "dinner"};
        for (int m = 0; m < 3; m++) {
            int r = leg >= 0 ? -1 : cheapest_unused(tp_db_rest_in(db, city), rest_cost, rname, db, used_r, nr);
            if (r >= 0 && nr < 64) used_r[nr++] = db->rest[r].name;
            buf_reset(&b);
            if (r >= 0) buf_printf(&b, "%s, %s", db->rest[r].name, city);
            cJSON_AddStringToObject(day, meal[m], r >= 0 ? b.data : "-");
            if (m == 0) {
                int a = leg >= 0 ? -1 : cheapest_unused(tp_db_attr_in(db, city), NULL, aname, db, used_a, na);
                if (a >= 0 && na < 64) used_a[na++] = db->attr[a].name;
                buf_reset(&b);
                if (a >= 0) buf_printf(&b, "%s, %s;", db->attr[a].name, city);
                cJSON_AddStringToObject(day, "attraction", a >= 0 ? b.data : "-");
            }
        }
        int acc = -1;
        const TpIndexList *l = tp_db_acc_in(db, city);
        for (int i = 0; d < D && i < l->n; i++)
            if (acc < 0 || db->acc[l->idx[i]].price < db->acc[acc].price) acc = l->idx[i];
        buf_reset(&b);
        if (acc >= 0) buf_printf(&b, "%s, %s", db->acc[acc].name, city);
        cJSON_AddStringToObject(day, "accommodation", acc >= 0 ? b.data : "-");
        cJSON_AddItemToArray(plan, day);
    }
    /* key order of the official plans */
    char *json = cJSON_PrintUnformatted(plan);
    cJSON_Delete(plan), buf_free(&b), free(rest_cost);
    *why = NULL;
    return json;
}
