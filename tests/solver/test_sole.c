/* test_sole.c: the solver's sole-planning mode. For the 45 train queries,
 * both forms of the shipped reference information (the query's text field
 * and database/train_ref_info.jsonl) parse into views whose rows equal the
 * sandbox's rows of the listed cities, flights and routes; the solver on
 * either view finds a plan for every query, the same cost from both, and
 * every plan passes the official evaluator and the strict checker. On
 * validation (references built by solver_reference) it finds a plan
 * exactly where the full solver does. A reference without a needed city's
 * restaurants has no plan of the model, family "restaurants" (`unknown`,
 * not `infeasible`); malformed
 * references are errors that name the entry; the method reads
 * "sole_planning" from its configuration.
 * usage: test_sole DATA_DIR */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"
#include "method.h"
#include "suite_tp.h"
#include "solver.h"
#include "../check.h"
#include "strict.h"


static int eq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* The view's rows of every listed city, its flights and routes are the
 * sandbox's rows, field by field (numbers within the text form's 6 decimals). */
static void same_rows(const TpDb *db, const TpDb *v, int idx, const char *form) {
    for (int c = 0; c < v->n_cities; c++) {
        const char *city = v->cities[c];
        const TpIndexList *a = tp_db_acc_in(db, city), *b = tp_db_acc_in(v, city);
        CHECK_MSG(a->n == b->n, "query %d (%s): %s: %d accommodations, sandbox %d", idx, form, city, b->n, a->n);
        for (int i = 0; i < a->n && i < b->n; i++) {
            const TpAccommodation *x = &db->acc[a->idx[i]], *y = &v->acc[b->idx[i]];
            CHECK_MSG(eq(x->name, y->name) && eq(x->room_type, y->room_type) && eq(x->house_rules, y->house_rules) &&
                      x->price == y->price && x->minimum_nights == y->minimum_nights &&
                      x->maximum_occupancy == y->maximum_occupancy,
                  "query %d (%s): accommodation %d of %s: '%s' vs '%s'", idx, form, i, city, y->name, x->name);
        }
        a = tp_db_rest_in(db, city), b = tp_db_rest_in(v, city);
        CHECK_MSG(a->n == b->n, "query %d (%s): %s: %d restaurants, sandbox %d", idx, form, city, b->n, a->n);
        for (int i = 0; i < a->n && i < b->n; i++) {
            const TpRestaurant *x = &db->rest[a->idx[i]], *y = &v->rest[b->idx[i]];
            CHECK_MSG(eq(x->name, y->name) && eq(x->cuisines, y->cuisines) && x->average_cost == y->average_cost,
                  "query %d (%s): restaurant %d of %s: '%s' vs '%s'", idx, form, i, city, y->name, x->name);
        }
        a = tp_db_attr_in(db, city), b = tp_db_attr_in(v, city);
        CHECK_MSG(a->n == b->n, "query %d (%s): %s: %d attractions, sandbox %d", idx, form, city, b->n, a->n);
        for (int i = 0; i < a->n && i < b->n; i++) {
            const TpAttraction *x = &db->attr[a->idx[i]], *y = &v->attr[b->idx[i]];
            CHECK_MSG(eq(x->name, y->name) && eq(x->address, y->address) && eq(x->city, y->city) &&
                      fabs(x->latitude - y->latitude) < 1e-6,
                  "query %d (%s): attraction %d of %s: '%s' vs '%s'", idx, form, i, city, y->name, x->name);
        }
    }
    for (int i = 0; i < v->n_flight; i++) {
        const TpFlight *y = &v->flight[i];
        int r = tp_db_find_flight(db, y->number, y->origin, y->dest);
        const TpFlight *x = r < 0 ? NULL : &db->flight[r];
        CHECK_MSG(x && eq(x->date, y->date) && eq(x->dep_time, y->dep_time) && eq(x->arr_time, y->arr_time) &&
                  x->price == y->price,
              "query %d (%s): flight %s differs from the sandbox's", idx, form, y->number);
    }
    for (int i = 0; i < v->n_dist; i++) {
        long c1 = -1, c2 = -2;
        int ok1 = tp_db_distance_cost(db, v->dist[i].origin, v->dist[i].dest, 's', &c1);
        int ok2 = tp_db_distance_cost(v, v->dist[i].origin, v->dist[i].dest, 's', &c2);
        CHECK_MSG(ok1 && ok2 && c1 == c2, "query %d (%s): route %s -> %s differs", idx, form, v->dist[i].origin,
              v->dist[i].dest);
    }
}

/* Solves q on view; checks the plan with the evaluator and strictly. */
static double solve_checked(const TpDb *db, const TpQuery *q, const TpDb *view, const char *form, int want_plan,
                            SolverResult *keep) {
    SolverOptions o = {0, view};
    SolverResult r;
    Err err = {0};
    int rc = solver_solve(db, q, &o, &r, &err);
    CHECK_MSG(rc == IM_OK, "query %d (%s): %s", q->idx, form, err.msg);
    double cost = -1;
    if (!rc && r.status == SOLVER_FEASIBLE) {
        cost = r.cost;
        cJSON *plan = cJSON_Parse(r.plan_json);
        const char *why = strict_check(db, q, plan);
        CHECK_MSG(!why, "query %d (%s): strict check: %s", q->idx, form, why ? why : "");
        TpPlanResult ev;
        tp_eval_plan(db, q, plan, q->idx, &ev);
        int ok = ev.hard_evaluated;
        for (int k = 0; k < TP_NCS; k++) ok &= ev.cs[k].value == 1;
        for (int k = 0; k < TP_NHARD; k++) ok &= ev.hard[k].value != 0;
        CHECK_MSG(ok, "query %d (%s): the evaluator rejects the plan", q->idx, form);
        tp_plan_result_free(&ev);
        cJSON_Delete(plan);
    } else if (!rc) {
        CHECK_MSG(!want_plan, "query %d (%s): no plan: %s", q->idx, form, r.reason ? r.reason : "");
    }
    if (keep) *keep = r;
    else solver_result_free(&r);
    return cost;
}

/* The JSON line without the restaurants of the listed cities (all, or the
 * last): "There is no restaurant in this city.", as the official tool says
 * for a city without any. */
static char *drop_restaurants(const char *line, const TpDb *view, int all) {
    cJSON *o = cJSON_Parse(line);
    for (int c = all ? 0 : view->n_cities - 1; c < view->n_cities; c++) {
        char key[600];
        snprintf(key, sizeof key, "Restaurants in %s", view->cities[c]);
        cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString("There is no restaurant in this city."));
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* A 3-day trip without its city's restaurants, or a trip of several
 * cities without any restaurant, has no plan of the model, for the family
 * "restaurants"; it is `unknown`, not `infeasible`: the official checks
 * need no meal on a "from A to B" day, and every day may be one. A trip of
 * several cities without the last city's restaurants may still have a
 * plan (a one-night stay there needs no meal): if so it must pass every
 * check. */
static void missing_restaurants(const TpDb *db, const TpQuery *q, const char *line, int all) {
    TpRefView *v = NULL, *cut_v = NULL;
    Err err = {0};
    if (tp_ref_view_json(line, &v, &err)) {
        CHECK_MSG(0, "query %d: %s", q->idx, err.msg);
        return;
    }
    char *cut = drop_restaurants(line, &v->db, all);
    if (tp_ref_view_json(cut, &cut_v, &err)) {
        CHECK_MSG(0, "query %d: %s", q->idx, err.msg);
    } else {
        int must_fail = all || v->db.n_cities == 1;
        SolverResult r;
        solve_checked(db, q, &cut_v->db, "no restaurants", 0, &r);
        if (must_fail)
            CHECK_MSG(r.status == SOLVER_UNKNOWN && eq(r.family, "restaurants") && r.reason &&
                      !strncmp(r.reason, "restaurants:", 12),
                  "query %d without restaurants: status %d, family %s, reason %s", q->idx, r.status,
                  r.family ? r.family : "-", r.reason ? r.reason : "-");
        printf("query %d (%d days, %d cities) without the restaurants of %s: %s\n", q->idx, q->days, v->db.n_cities,
               all ? "every city" : v->db.cities[v->db.n_cities - 1],
               r.status == SOLVER_FEASIBLE ? "a plan (checked)" : r.reason ? r.reason : "");
        solver_result_free(&r);
    }
    tp_ref_view_free(v), tp_ref_view_free(cut_v), free(cut);
}

static void malformed(void) {
    static const char *const text[] = {
        "", "{}", "[{'Description': 'Attractions in X'}]", "[{'Description': 'Hotels in X', 'Content': 'x'}]",
        "[{'Description': 'Flight from A to B on 2022-03-01', 'Content': 'Flight Number  Price\\n  F1  10'}]",
        "[{'Description': 'Restaurants in X', 'Content': 'There is no restaurant in this city.'}",
        "[{'Description': 'Restaurants in X', 'Content': '  Name  Average Cost  Cuisines  Aggregate Rating  City\\n"
        "1  A  cheap  Cafe  4.0  X'}]"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        TpRefView *v = (TpRefView *)1;
        Err err = {0};
        int rc = tp_ref_view_text(text[i], &v, &err);
        CHECK_MSG(rc == IM_IO && !v && err.msg[0], "malformed text %zu: rc %d", i, rc);
    }
    static const char *const json[] = {"[]", "{\"Attractions in X\": 3}",
                                       "{\"Restaurants in X\": [{\"Name\": \"A\", \"City\": \"X\"}]}"};
    for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
        TpRefView *v = (TpRefView *)1;
        Err err = {0};
        int rc = tp_ref_view_json(json[i], &v, &err);
        CHECK_MSG(rc == IM_IO && !v && err.msg[0], "malformed json %zu: rc %d", i, rc);
    }
    TpRefView *v = NULL;
    Err err = {0};
    CHECK_MSG(!tp_ref_view_text("[{'Description': 'Taxi from A to B', 'Content': 'taxi, from A to B, duration: 1 hour 2 "
                            "mins, distance: 80 km, cost: 80'}, {'Description': 'Restaurants in \\xe9X', 'Content': "
                            "\"There is no restaurant in this city.\"}]",
                            &v, &err) &&
              v->db.n_dist == 1 && v->db.n_cities == 1 && !strcmp(v->db.cities[0], "\xc3\xa9X"),
          "a small valid text reference: %s", err.msg);
    long cost = 0;
    CHECK_MSG(v && tp_db_distance_cost(&v->db, "A", "B", 't', &cost) && cost == 80, "taxi cost from a view: %ld", cost);
    tp_ref_view_free(v);
}

static void train(const TpDb *db, const char *data) {
    char *qpath = fs_join(data, "queries/train.jsonl"), *rpath = fs_join(data, "database/train_ref_info.jsonl");
    char *refs = NULL;
    size_t len;
    TpQuerySet *qs = NULL;
    Err err = {0};
    if (tp_queries_load(qpath, &qs, &err) || fs_read_file(rpath, &refs, &len, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        free(qpath), free(rpath), free(refs), tp_queries_free(qs);
        return;
    }
    int plans = 0, tested_3 = 0, tested_multi = 0;
    char *line = refs;
    for (int i = 0; i < qs->n && line && *line; i++) {
        const TpQuery *q = &qs->q[i];
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        TpRefView *tv = NULL, *jv = NULL;
        int shipped = 0;
        if (solver_sole_view(db, q, &tv, &shipped, &err)) CHECK_MSG(0, "query %d: %s", q->idx, err.msg);
        CHECK_MSG(shipped, "query %d: the shipped reference_information was not used", q->idx);
        if (tp_ref_view_json(line, &jv, &err)) CHECK_MSG(0, "query %d: %s", q->idx, err.msg);
        if (tv && jv) {
            same_rows(db, &tv->db, q->idx, "text");
            same_rows(db, &jv->db, q->idx, "json");
            CHECK_MSG(tv->db.n_flight == jv->db.n_flight && tv->db.n_dist == jv->db.n_dist &&
                      tv->db.n_cities == jv->db.n_cities,
                  "query %d: the text and JSON views differ", q->idx);
            double a = solve_checked(db, q, &tv->db, "text", 1, NULL);
            double b = solve_checked(db, q, &jv->db, "json", 1, NULL);
            CHECK_MSG(a == b, "query %d: cost %.2f from the text form, %.2f from the JSON form", q->idx, a, b);
            plans += a >= 0;
            if (q->days == 3 && !tested_3++) missing_restaurants(db, q, line, 0);
            if (q->days > 3 && !tested_multi++) missing_restaurants(db, q, line, 0), missing_restaurants(db, q, line, 1);
        }
        tp_ref_view_free(tv), tp_ref_view_free(jv);
        line = nl ? nl + 1 : NULL;
    }
    CHECK_MSG(plans == 45, "train: %d plans of 45 queries", plans);
    printf("train: %d queries, %d sole-planning plans (text and JSON forms), all checked\n", qs->n, plans);
    free(qpath), free(rpath), free(refs), tp_queries_free(qs);
}

/* DATA/queries/SPLIT.jsonl, or NULL after counting a failure. */
static TpQuerySet *load_split(const char *data, const char *split) {
    char rel[64];
    snprintf(rel, sizeof rel, "queries/%s.jsonl", split);
    char *path = fs_join(data, rel);
    TpQuerySet *qs = NULL;
    Err err = {0};
    if (tp_queries_load(path, &qs, &err)) CHECK_MSG(0, "%s", err.msg);
    free(path);
    return qs;
}

static void validation(const TpDb *db, const char *data) {
    TpQuerySet *qs = load_split(data, "validation");
    if (!qs) return;
    Err err = {0};
    int sole = 0, full = 0;
    for (int i = 0; i < qs->n; i++) {
        const TpQuery *q = &qs->q[i];
        SolverResult r;
        if (solver_solve(db, q, NULL, &r, &err)) CHECK_MSG(0, "query %d: %s", q->idx, err.msg);
        int f = r.status == SOLVER_FEASIBLE;
        full += f;
        solver_result_free(&r);
        TpRefView *v = NULL;
        if (solver_sole_view(db, q, &v, NULL, &err)) {
            CHECK_MSG(0, "query %d: %s", q->idx, err.msg);
            continue;
        }
        double c = solve_checked(db, q, &v->db, "validation", f, NULL);
        sole += c >= 0;
        CHECK_MSG((c >= 0) == f, "validation query %d: sole planning %s, full %s", q->idx, c >= 0 ? "feasible" : "not",
              f ? "feasible" : "not");
        tp_ref_view_free(v);
    }
    printf("validation: %d queries, %d sole-planning plans, %d full-sandbox plans\n", qs->n, sole, full);
    tp_queries_free(qs);
}

/* The query line with the "Restaurants in CITY" entry cut out of its
 * reference_information text. */
static char *line_without_restaurants(const char *json, const char *city) {
    cJSON *o = cJSON_Parse(json);
    const cJSON *ri = cJSON_GetObjectItemCaseSensitive(o, "reference_information");
    char head[600];
    snprintf(head, sizeof head, "{'Description': 'Restaurants in %s'", city);
    const char *t = cJSON_IsString(ri) ? ri->valuestring : "", *from = strstr(t, head);
    const char *to = from ? strstr(from + 1, ", {'Description': ") : NULL;
    char *out = NULL;
    if (from && to) {
        Buf b;
        buf_init(&b);
        buf_append(&b, t, (size_t)(from - t)), buf_puts(&b, to + 2);
        cJSON_ReplaceItemInObjectCaseSensitive(o, "reference_information", cJSON_CreateString(b.data));
        buf_free(&b);
        out = cJSON_PrintUnformatted(o);
    }
    cJSON_Delete(o);
    return out;
}

/* The method: "sole_planning": true in the run's method configuration
 * makes it plan from the query's reference information (so a query whose
 * reference lacks its city's restaurants fails, and passes without the
 * key); anything but a boolean is a usage error. */
extern const AgMethod ag_method_solver;

static void method_config(const TpDb *db, const char *data) {
    TpQuerySet *qs = load_split(data, "train");
    if (!qs) return;
    Err err = {0};
    TpQuery q = qs->q[0]; /* a 3-day trip: its one city's restaurants are needed */
    char *cut = line_without_restaurants(q.json, q.dest);
    CHECK_MSG(cut != NULL, "query 1: no 'Restaurants in %s' entry to cut", q.dest);
    q.json = cut;
    static const char *const cfg[] = {"{\"sole_planning\": true}", "{}", "{\"sole_planning\": 1}", "[1]"};
    for (int k = 0; k < 4 && cut; k++) {
        Suite suite = {.ops = &suite_travelplanner, .data_dir = (char *)data, .state = (void *)db};
        SuiteItem whole = {.native = &qs->q[0]}, cut_item = {.native = &q};
        AgContext ctx = {.suite = &suite, .config_json = cfg[k]};
        int rc = ag_method_solver.init(&ctx, &err);
        CHECK_MSG((rc == IM_OK) == (k < 2), "method config %s: init returns %d", cfg[k], rc);
        if (rc) continue;
        AgResult r;
        rc = ag_method_solver.plan(&ctx, &whole, &r, &err);
        CHECK_MSG(rc == IM_OK && r.outcome == AG_DONE && r.plan_json, "method config %s: no plan (%s)", cfg[k], err.msg);
        free(r.plan_json), free(r.failure);
        rc = ag_method_solver.plan(&ctx, &cut_item, &r, &err);
        int want = k == 0 ? AG_FAILED : AG_DONE;
        CHECK_MSG(rc == IM_OK && (int)r.outcome == want && (k || (r.failure && !strncmp(r.failure, "restaurants:", 12))),
              "method config %s, reference without restaurants: outcome %d (%s)", cfg[k], (int)r.outcome,
              r.failure ? r.failure : "-");
        free(r.plan_json), free(r.failure);
        ag_method_solver.fini(&ctx);
    }
    free(cut);
    tp_queries_free(qs);
}

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: test_sole DATA_DIR\n"), 2;
    Err err = {0};
    TpDb *db = NULL;
    if (tp_db_open(argv[1], &db, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    malformed();
    method_config(db, argv[1]);
    train(db, argv[1]);
    validation(db, argv[1]);
    tp_db_close(db);
    printf("%d check_failures\n", check_failures);
    return check_failures ? 1 : 0;
}
