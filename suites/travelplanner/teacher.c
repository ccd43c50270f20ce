/* teacher.c: the programmatic teacher for TravelPlanner (teacher.h).
 * Sections: reading a plan's fields; the trace; errors; the reflection. */
#include "teacher.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "reference.h"
#include "refview.h"
#include "solver.h"
#include "suite.h"

/* ---- reading a plan --------------------------------------------------------- */

static const char *field(const cJSON *day, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(day, k);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

static int filled(const char *s) { return s && *s && strcmp(s, "-"); }

/* "Name, City" split at the last comma into caller buffers. */
static int name_city(const char *s, char *name, size_t nn, char *city, size_t nc) {
    const char *c = strrchr(s, ',');
    if (!c) return 0;
    snprintf(name, nn, "%.*s", (int)(c - s), s);
    while (c[1] == ' ') c++;
    snprintf(city, nc, "%s", c + 1);
    return 1;
}

/* "... from A to B, ..." into buffers. */
static int from_to(const char *s, char *a, size_t na, char *b, size_t nb) {
    const char *f = strstr(s, "from ");
    const char *t = f ? strstr(f + 5, " to ") : NULL;
    if (!t) return 0;
    const char *e = strchr(t + 4, ',');
    snprintf(a, na, "%.*s", (int)(t - f - 5), f + 5);
    snprintf(b, nb, "%.*s", (int)(e ? e - t - 4 : (long)strlen(t + 4)), t + 4);
    return 1;
}

static int rooms_for(const TpQuery *q, const TpAccommodation *a) {
    double occ = a->maximum_occupancy > 0 ? a->maximum_occupancy : 1;
    return (int)ceil(q->people_number / occ);
}

/* Why accommodation a does not suit q for `nights` nights, or NULL. */
static const char *acc_unsuited(const TpQuery *q, const TpAccommodation *a, int nights, char *why, size_t n) {
    if (a->minimum_nights > nights) return snprintf(why, n, "needs at least %.0f nights", a->minimum_nights), why;
    const char *rt = q->room_type, *t = a->room_type;
    if (rt && ((!strcmp(rt, "not shared room") && !strcmp(t, "Shared room")) ||
               (!strcmp(rt, "shared room") && strcmp(t, "Shared room")) ||
               (!strcmp(rt, "private room") && strcmp(t, "Private room")) ||
               (!strcmp(rt, "entire room") && strcmp(t, "Entire home/apt"))))
        return snprintf(why, n, "is a %s, not a %s", t, rt), why;
    static const char *const rules[5][2] = {{"smoking", "No smoking"}, {"parties", "No parties"},
                                            {"children under 10", "No children under 10"},
                                            {"visitors", "No visitors"}, {"pets", "No pets"}};
    for (int k = 0; q->house_rule && k < 5; k++)
        if (!strcmp(q->house_rule, rules[k][0]) && strstr(a->house_rules, rules[k][1]))
            return snprintf(why, n, "does not allow %s", q->house_rule), why;
    return NULL;
}

/* ---- the trace ------------------------------------------------------------------ */

static void trace_leg(const TpDb *db, const TpQuery *q, const char *t, const char *date, Buf *out) {
    char a[256], b[256];
    if (!from_to(t, a, sizeof a, b, sizeof b)) {
        buf_printf(out, "- Travel: %s.\n", t);
        return;
    }
    int people = q->people_number, best = -1;
    for (int i = 0; i < db->n_flight; i++) {
        const TpFlight *f = &db->flight[i];
        if (!strcmp(f->origin, a) && !strcmp(f->dest, b) && !strcmp(f->date, date) &&
            (best < 0 || f->price < db->flight[best].price))
            best = i;
    }
    buf_printf(out, "- Travel from %s to %s on %s. Options: ", a, b, date);
    if (best >= 0)
        buf_printf(out, "cheapest flight %s at $%.0f a seat, $%.0f for %d; ", db->flight[best].number,
                   db->flight[best].price, db->flight[best].price * people, people);
    else buf_puts(out, "no flight that day; ");
    long c;
    if (tp_db_distance_cost(db, a, b, 's', &c)) buf_printf(out, "self-driving $%ld a car, $%.0f for %d car(s); ", c, c * ceil(people / 5.0), (int)ceil(people / 5.0));
    else buf_puts(out, "no road for self-driving; ");
    if (tp_db_distance_cost(db, a, b, 't', &c)) buf_printf(out, "taxi $%ld a cab, $%.0f for %d cab(s).", c, c * ceil(people / 4.0), (int)ceil(people / 4.0));
    else buf_puts(out, "no taxi.");
    if (q->transportation) buf_printf(out, " The request says %s.", q->transportation);
    buf_printf(out, " Taken: %s.\n", t);
}

static void trace_stay(const TpDb *db, const TpQuery *q, const char *acc, int nights, Buf *out) {
    char name[512], city[256], why[160];
    if (!name_city(acc, name, sizeof name, city, sizeof city)) {
        buf_printf(out, "- Stay: %s.\n", acc);
        return;
    }
    int r = tp_db_find_acc(db, name, city, NULL);
    if (r < 0) {
        buf_printf(out, "- Stay %d night(s) at %s in %s.\n", nights, name, city);
        return;
    }
    const TpAccommodation *x = &db->acc[r];
    int rooms = rooms_for(q, x);
    double cost = x->price * rooms;
    buf_printf(out, "- Stay %d night(s) in %s at %s: %s, $%.0f a night, up to %.0f guests, so %d room(s): $%.0f a night, "
                    "at least %.0f nights required.",
               nights, city, name, x->room_type, x->price, x->maximum_occupancy, rooms, cost, x->minimum_nights);
    const TpIndexList *l = tp_db_acc_in(db, city);
    int shown = 0;
    for (int i = 0; i < l->n && shown < 3; i++) {
        const TpAccommodation *y = &db->acc[l->idx[i]];
        if (l->idx[i] == r || y->price * rooms_for(q, y) >= cost) continue;
        if (acc_unsuited(q, y, nights, why, sizeof why)) {
            buf_printf(out, "%s %s ($%.0f) %s", shown ? ";" : " Cheaper places passed over:", y->name, y->price * rooms_for(q, y), why);
            shown++;
        }
    }
    buf_puts(out, shown ? ".\n" : " Nothing cheaper suits the request.\n");
}

static void trace_meal(const TpDb *db, const TpQuery *q, const char *meal, const char *v, Buf *out) {
    char name[512], city[256];
    int r = name_city(v, name, sizeof name, city, sizeof city) ? tp_db_find_rest(db, name, city) : -1;
    if (r < 0) buf_printf(out, " %s at %s;", meal, v);
    else
        buf_printf(out, " %s at %s (%s; $%.0f a person, $%.0f for %d);", meal, v, db->rest[r].cuisines,
                   db->rest[r].average_cost, db->rest[r].average_cost * q->people_number, q->people_number);
}

void tp_teacher_trace(const TpDb *db, const TpQuery *q, const cJSON *plan, Buf *out) {
    buf_printf(out, "The trip: from %s to %s, %d days (%s to %s), %d %s, budget $%ld.", q->org, q->dest, q->days,
               q->n_date ? q->date[0] : "?", q->n_date ? q->date[q->n_date - 1] : "?", q->people_number,
               q->people_number == 1 ? "person" : "people", q->budget);
    if (q->house_rule || q->room_type || q->transportation || q->has_cuisine) {
        buf_puts(out, " Constraints:");
        if (q->house_rule) buf_printf(out, " house rule %s;", q->house_rule);
        if (q->room_type) buf_printf(out, " room type %s;", q->room_type);
        if (q->transportation) buf_printf(out, " transportation %s;", q->transportation);
        for (int i = 0; i < q->n_cuisine; i++) buf_printf(out, "%s%s", i ? ", " : " cuisines ", q->cuisine[i]);
        if (q->has_cuisine) buf_putc(out, ';');
    }
    buf_puts(out, "\nI look for the cheapest plan that keeps every rule, day by day.\n");
    int n = cJSON_GetArraySize(plan);
    for (int i = 0; i < n; i++) {
        const cJSON *d = cJSON_GetArrayItem(plan, i);
        buf_printf(out, "Day %d (%s), %s.\n", i + 1, i < q->n_date ? q->date[i] : "?", field(d, "current_city"));
        const char *t = field(d, "transportation");
        if (filled(t)) trace_leg(db, q, t, i < q->n_date ? q->date[i] : "", out);
        const char *meals[3] = {"breakfast", "lunch", "dinner"};
        int any = 0;
        for (int m = 0; m < 3; m++) {
            const char *v = field(d, meals[m]);
            if (!filled(v)) continue;
            if (!any++) buf_puts(out, "- Meals, each at a restaurant not used before:");
            trace_meal(db, q, meals[m], v, out);
        }
        if (any) buf_putc(out, '\n');
        const char *at = field(d, "attraction");
        if (filled(at)) buf_printf(out, "- Attractions: %s\n", at);
        const char *acc = field(d, "accommodation");
        if (filled(acc) && (i == 0 || strcmp(acc, field(cJSON_GetArrayItem(plan, i - 1), "accommodation")))) {
            int nights = 1;
            while (i + nights < n && !strcmp(acc, field(cJSON_GetArrayItem(plan, i + nights), "accommodation"))) nights++;
            trace_stay(db, q, acc, nights, out);
        }
    }
    TpPlanResult r;
    tp_eval_plan_ex(db, q, plan, q->idx, 1, &r);
    buf_printf(out, "Total for the group: $%.0f against the budget $%ld: %s.", r.total_cost, q->budget,
               r.total_cost <= (double)q->budget ? "within it" : "over it");
    tp_plan_result_free(&r);
}

/* ---- errors ------------------------------------------------------------------------ */

static uint64_t mix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void set_field(cJSON *day, const char *k, const char *v) {
    cJSON_ReplaceItemInObjectCaseSensitive(day, k, cJSON_CreateString(v));
}

/* Each kind returns 1 when it applied. */
static int err_repeat_meal(cJSON *plan, uint64_t s, Buf *what) {
    int n = cJSON_GetArraySize(plan);
    static const char *const meals[3] = {"breakfast", "lunch", "dinner"};
    const char *first = NULL;
    int fd = -1, fm = -1;
    for (int i = 0; i < n && !first; i++)
        for (int m = 0; m < 3 && !first; m++)
            if (filled(field(cJSON_GetArrayItem(plan, i), meals[m]))) first = field(cJSON_GetArrayItem(plan, i), meals[m]), fd = i, fm = m;
    if (!first) return 0;
    int start = (int)(s % 7);
    for (int k = 0; k < 3 * n; k++) {
        int j = (start + k) % (3 * n), i = j / 3, m = j % 3;
        if (i * 3 + m <= fd * 3 + fm) continue;
        cJSON *d = cJSON_GetArrayItem(plan, i);
        if (!filled(field(d, meals[m])) || !strcmp(field(d, meals[m]), first)) continue;
        char *keep = strdup(first);
        buf_printf(what, "day %d %s repeats %s", i + 1, meals[m], keep);
        set_field(d, meals[m], keep);
        free(keep);
        return 1;
    }
    return 0;
}

static int err_missing_stay(cJSON *plan, uint64_t s, Buf *what) {
    int n = cJSON_GetArraySize(plan);
    for (int k = 0; k < n - 1; k++) {
        int i = (int)((s + (uint64_t)k) % (uint64_t)(n - 1));
        cJSON *d = cJSON_GetArrayItem(plan, i);
        if (!filled(field(d, "accommodation"))) continue;
        buf_printf(what, "day %d has no accommodation", i + 1);
        set_field(d, "accommodation", "-");
        return 1;
    }
    return 0;
}

static int err_bad_flight(cJSON *plan, Buf *what) {
    int n = cJSON_GetArraySize(plan);
    for (int i = 0; i < n; i++) {
        cJSON *d = cJSON_GetArrayItem(plan, i);
        const char *t = field(d, "transportation");
        const char *num = strstr(t, "Flight Number: F");
        if (!num) continue;
        char buf[1024];
        size_t pre = (size_t)(num - t) + 15;
        snprintf(buf, sizeof buf, "%.*sF0%s", (int)pre, t, num + 16); /* F1234 -> F0234: not in the sandbox */
        buf_printf(what, "day %d names a flight that does not exist", i + 1);
        set_field(d, "transportation", buf);
        return 1;
    }
    return 0;
}

static int err_dear_stay(const TpDb *db, const TpQuery *q, cJSON *plan, Buf *what) {
    int n = cJSON_GetArraySize(plan);
    for (int i = 0; i < n; i++) {
        const char *acc = field(cJSON_GetArrayItem(plan, i), "accommodation");
        char name[512], city[256], why[64];
        if (!filled(acc) || !name_city(acc, name, sizeof name, city, sizeof city)) continue;
        const TpIndexList *l = tp_db_acc_in(db, city);
        int dear = -1;
        for (int k = 0; k < l->n; k++) {
            const TpAccommodation *y = &db->acc[l->idx[k]];
            if (!acc_unsuited(q, y, 1, why, sizeof why) && (dear < 0 || y->price > db->acc[dear].price)) dear = l->idx[k];
        }
        if (dear < 0 || strstr(acc, db->acc[dear].name)) return 0;
        char v[1024];
        snprintf(v, sizeof v, "%s, %s", db->acc[dear].name, city);
        char *old = strdup(acc);
        for (int j = 0; j < n; j++)
            if (!strcmp(field(cJSON_GetArrayItem(plan, j), "accommodation"), old)) set_field(cJSON_GetArrayItem(plan, j), "accommodation", v);
        buf_printf(what, "the stay in %s is the dearest place ($%.0f a night)", city, db->acc[dear].price);
        free(old);
        return 1;
    }
    return 0;
}

int tp_teacher_perturb(const TpDb *db, const TpQuery *q, cJSON *plan, unsigned long long seed, Buf *what) {
    uint64_t s = mix(seed);
    int first = (int)(s % 4);
    for (int k = 0; k < 4; k++) {
        int kind = (first + k) % 4, done = 0;
        switch (kind) {
        case 0: done = err_repeat_meal(plan, mix(s + 1), what); break;
        case 1: done = err_missing_stay(plan, mix(s + 2), what); break;
        case 2: done = err_bad_flight(plan, what); break;
        default: done = err_dear_stay(db, q, plan, what); break;
        }
        if (done) return 1;
    }
    return 0;
}

/* ---- the reflection ------------------------------------------------------------------ */

/* "." unless the message already ends a sentence. */
static const char *end_dot(const char *msg) {
    size_t n = msg ? strlen(msg) : 0;
    return n && (msg[n - 1] == '.' || msg[n - 1] == '!') ? "" : ".";
}

void tp_teacher_reflection(const TpDb *db, const TpQuery *q, const cJSON *plan, const cJSON *fixed, Buf *out) {
    TpPlanResult r;
    tp_eval_plan(db, q, plan, q->idx, &r);
    int found = 0;
    for (int k = 0; k < TP_NCS; k++)
        if (r.cs[k].value == 0)
            buf_printf(out, "%s%s fails: %s%s", found++ ? " " : "Checking the plan against every rule: ", tp_cs_name(k),
                       r.cs[k].msg ? r.cs[k].msg : "no detail", end_dot(r.cs[k].msg));
    for (int k = 0; r.hard_evaluated && k < TP_NHARD; k++)
        if (r.hard[k].value == 0)
            buf_printf(out, "%s%s fails: %s%s", found++ ? " " : "Checking the plan against every rule: ", tp_hard_name(k),
                       r.hard[k].msg ? r.hard[k].msg : (k == TP_HARD_COST ? "the total is over the budget" : "no detail"),
                       end_dot(r.hard[k].msg));
    if (!found) buf_puts(out, "Checking the plan against every rule: the reviewers flagged it, but every check passes.");
    tp_plan_result_free(&r);
    if (!fixed) return;
    static const char *const keys[] = {"current_city", "transportation", "breakfast", "attraction", "lunch", "dinner", "accommodation"};
    int n = cJSON_GetArraySize(fixed), changed = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *a = cJSON_GetArrayItem(plan, i), *b = cJSON_GetArrayItem(fixed, i);
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if (strcmp(field(a, keys[k]), field(b, keys[k])))
                buf_printf(out, "%sday %d %s becomes %s", changed++ ? "; " : "\nCorrections: ", i + 1, keys[k], field(b, keys[k]));
    }
    buf_puts(out, changed ? ".\nThe corrected plan keeps every rule." : "\nNo field needs to change.");
}

int tp_teacher_rule_ok(const TpDb *db, const TpQuery *q, const cJSON *plan) {
    TpPlanResult r;
    tp_eval_plan(db, q, plan, q->idx, &r);
    int ok = r.delivered && r.hard_evaluated;
    for (int k = 0; ok && k < TP_NCS; k++) ok = r.cs[k].value != 0;
    for (int k = 0; ok && k < TP_NHARD; k++) ok = r.hard[k].value != 0;
    tp_plan_result_free(&r);
    return ok;
}

/* ---- through the suite interface ------------------------------------------------------ */

int tp_teacher_solve(const TpDb *db, const TpQuery *q, const char *solver, const char *options_json,
                     struct SuiteSolution *out, Err *err) {
    memset(out, 0, sizeof *out);
    int reflect = !strcmp(solver, "teacher-reflect");
    cJSON *o = cJSON_Parse(options_json ? options_json : "{}");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "teacher options: not a JSON object");
    }
    const cJSON *er = cJSON_GetObjectItemCaseSensitive(o, "error_rate"), *sd = cJSON_GetObjectItemCaseSensitive(o, "seed");
    const cJSON *ans = cJSON_GetObjectItemCaseSensitive(o, "answer");
    char *ref = NULL;
    TpRefView *view = NULL;
    int rc = tp_reference_info(db, q, &ref, err);
    if (!rc) rc = tp_ref_view_text(ref, &view, err);
    free(ref);
    SolverResult r;
    memset(&r, 0, sizeof r);
    if (!rc) {
        SolverOptions opt = {.view = &view->db};
        rc = solver_solve(db, q, &opt, &r, err);
    }
    tp_ref_view_free(view);
    if (rc) {
        cJSON_Delete(o);
        solver_result_free(&r);
        return rc;
    }
    out->status = r.status == SOLVER_FEASIBLE ? SUITE_SOLVED : r.status == SOLVER_INFEASIBLE ? SUITE_INFEASIBLE : SUITE_UNKNOWN;
    out->timed_out = r.timed_out, out->family = r.family, out->cost = r.cost, out->nodes = r.nodes;
    out->reason = r.reason, r.reason = NULL;
    if (r.status == SOLVER_FEASIBLE) {
        out->optimal = 1;
        cJSON *plan = cJSON_Parse(r.plan_json);
        Buf log;
        buf_init(&log);
        if (reflect) {
            cJSON *given = ans ? (cJSON_IsString(ans) ? cJSON_Parse(ans->valuestring) : cJSON_Duplicate(ans, 1)) : NULL;
            tp_teacher_reflection(db, q, given ? given : plan, plan, &log);
            cJSON_Delete(given);
            out->answer_json = r.plan_json, r.plan_json = NULL;
        } else {
            uint64_t h = mix(cJSON_IsNumber(sd) ? (uint64_t)sd->valuedouble : 0);
            double rate = cJSON_IsNumber(er) ? er->valuedouble : 0;
            Buf what;
            buf_init(&what);
            if ((double)(h >> 11) / 9007199254740992.0 < rate) tp_teacher_perturb(db, q, plan, h, &what);
            buf_free(&what);
            tp_teacher_trace(db, q, plan, &log);
            out->answer_json = cJSON_PrintUnformatted(plan);
        }
        out->log = buf_take(&log);
        cJSON_Delete(plan);
    }
    solver_result_free(&r);
    cJSON_Delete(o);
    return IM_OK;
}
