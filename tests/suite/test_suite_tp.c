/* test_suite_tp.c: TravelPlanner through the suite interface (suite.h) on
 * the real data:
 *   - the registry finds it; items load with their strata and read back
 *     from their fields_json; the data folder resolution;
 *   - evaluating every shipped train submission through the interface
 *     gives the evaluator's verdicts, and the interface's metrics print
 *     what tp_metrics_json prints for the same plans;
 *   - the one cost function: on every shipped plan whose entries are all
 *     in the sandbox, ReAct's cost enquiry (tp_plan_cost) equals the
 *     evaluator's total cost; on every plan the solver returns, the
 *     solver's cost equals both;
 *   - the one room check passes every stay of the solver's plans;
 *   - the one reference builder: every validation query gets reference
 *     information; each of the 120 5- and 7-day queries names every city of
 *     its state but the origin (Washington and New York included), a
 *     3-day one its city.
 * usage: test_suite_tp DATA_DIR */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "solver.h"
#include "suite.h"
#include "suite_tp.h"

static const char *data;

static void test_registry(void) {
    CHECK(suite_find("travelplanner") == &suite_travelplanner);
    CHECK(suite_find("nope") == NULL);
    CHECK(!strcmp(suite_default_name(), "travelplanner"));
    CHECK(suite_has_split(&suite_travelplanner, "validation") && !suite_has_split(&suite_travelplanner, "dev"));
    /* the export columns are the evaluator's keys, in its order */
    for (int k = 0; k < TP_NCS + TP_NHARD; k++) {
        const char *v = suite_travelplanner.verdicts[k];
        CHECK_MSG(v && !strcmp(v, k < TP_NCS ? tp_cs_key(k) : tp_hard_key(k - TP_NCS)), "verdict column %d", k);
    }
    CHECK(suite_travelplanner.verdicts[TP_NCS + TP_NHARD] == NULL);
    char *d = suite_data_dir(&suite_travelplanner, "/x/y");
    CHECK(!strcmp(d, "/x/y"));
    free(d);
    setenv("IMAGINE_DATA", "/from/env", 1);
    d = suite_data_dir(&suite_travelplanner, NULL);
    CHECK(!strcmp(d, "/from/env"));
    free(d);
    unsetenv("IMAGINE_DATA");
}

/* Every shipped train submission: the interface's verdicts are the
 * evaluator's, and its metrics JSON is tp_metrics_json's. */
static void test_evaluate(Suite *s, const SuiteItems *items) {
    static const char *subs[] = {"train_gpt-4-1106-preview_two-stage_submission.jsonl",
                                 "train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl",
                                 "train_gpt-4-1106-preview_cot_sole-planning_submission.jsonl"};
    for (size_t f = 0; f < sizeof subs / sizeof subs[0]; f++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/outputs/train/%s", data, subs[f]);
        TpSubmission *sub = NULL;
        Err err = {0};
        CHECK_MSG(tp_submission_read(path, &sub, &err) == IM_OK, "%s", err.msg);
        if (!sub) continue;
        int n = items->n;
        SuiteEval *ev = calloc((size_t)n, sizeof *ev);
        TpPlanResult *pr = calloc((size_t)n, sizeof *pr);
        TpQuery *qs = calloc((size_t)n, sizeof *qs);
        for (int i = 0; i < n && i < sub->n; i++) {
            cJSON *line = cJSON_Parse(sub->line[i]);
            char *plan = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(line, "plan"));
            suite_evaluate(s, &items->item[i], plan, i + 1, &ev[i]);
            tp_eval_line(tp_suite_db(s), tp_suite_query(&items->item[i]), sub->line[i], i + 1, &pr[i]);
            qs[i] = *tp_suite_query(&items->item[i]);
            int want = TP_NCS + (pr[i].hard_evaluated ? TP_NHARD : 0);
            CHECK_MSG(ev[i].n == want, "%s line %d: %d verdicts, evaluator %d", subs[f], i + 1, ev[i].n, want);
            for (int k = 0; k < ev[i].n && k < want; k++) {
                const TpVerdict *v = k < TP_NCS ? &pr[i].cs[k] : &pr[i].hard[k - TP_NCS];
                CHECK_MSG(ev[i].v[k].value == v->value, "%s line %d verdict %s", subs[f], i + 1, ev[i].v[k].name);
                CHECK(!strcmp(ev[i].v[k].family, k < TP_NCS ? "commonsense" : "hard"));
            }
            CHECK(ev[i].passed == tp_plan_final_pass(&pr[i]));
            free(plan);
            cJSON_Delete(line);
        }
        SuiteMetrics m;
        CHECK_MSG(suite_metrics(s, "train", items->item, ev, n, &m, &err) == IM_OK, "%s", err.msg);
        TpMetrics ref;
        tp_metrics_compute(qs, pr, n, "train", &ref);
        Buf a, b;
        buf_init(&a), buf_init(&b);
        suite_travelplanner.metrics_json(&m, &a);
        tp_metrics_json(&ref, &b);
        CHECK_MSG(a.len == b.len && !memcmp(a.data, b.data, a.len), "%s: metrics differ", subs[f]);
        CHECK(fabs(suite_metric_value(&m, "final_pass_rate") - ref.final_rate) < 1e-12);
        /* the rate parts sum to the official rates on a whole split */
        for (int r = 0; r < suite_travelplanner.n_rates; r++) {
            double num = 0, den = 0;
            for (int i = 0; i < n; i++) {
                double x, y;
                suite_travelplanner.rate_parts(s, &items->item[i], &ev[i], r, &x, &y);
                num += x, den += y;
            }
            double want = suite_metric_value(&m, suite_travelplanner.rates[r].key);
            if (suite_travelplanner.rates[r].binary) CHECK_MSG(fabs(num / den - want) < 1e-12, "rate %d", r);
        }
        buf_free(&a), buf_free(&b);
        suite_metrics_free(s, &m);
        for (int i = 0; i < n; i++) suite_eval_free(s, &ev[i]), tp_plan_result_free(&pr[i]);
        free(ev), free(pr), free(qs);
        tp_submission_free(sub);
    }
}

/* The one cost function on real plans. Returns the plans compared. */
static int cost_on_file(const TpDb *db, const TpQuerySet *qs, const char *path, int *checked) {
    TpSubmission *sub = NULL;
    Err err = {0};
    if (tp_submission_read(path, &sub, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return 0;
    }
    for (int i = 0; i < qs->n && i < sub->n; i++) {
        TpPlanResult pr;
        tp_eval_line(db, &qs->q[i], sub->line[i], i + 1, &pr);
        cJSON *line = cJSON_Parse(sub->line[i]);
        const cJSON *plan = cJSON_GetObjectItemCaseSensitive(line, "plan");
        double cost = 0;
        Err e = {0};
        if (pr.hard_evaluated && cJSON_IsArray(plan) && tp_plan_cost(db, &qs->q[i], plan, &cost, &e) == IM_OK) {
            CHECK_MSG(fabs(cost - pr.total_cost) < 1e-6, "%s line %d: enquiry %.2f, evaluator %.2f", path, i + 1, cost,
                      pr.total_cost);
            (*checked)++;
        }
        cJSON_Delete(line);
        tp_plan_result_free(&pr);
    }
    tp_submission_free(sub);
    return 1;
}

static void test_cost(const TpDb *db) {
    char path[4200];
    snprintf(path, sizeof path, "%s/queries/train.jsonl", data);
    TpQuerySet *qs = NULL;
    Err err = {0};
    CHECK_MSG(tp_queries_load(path, &qs, &err) == IM_OK, "%s", err.msg);
    if (!qs) return;
    int checked = 0;
    static const char *files[] = {"train_annotated_plans.jsonl", "train_gpt-4-1106-preview_two-stage_submission.jsonl",
                                  "train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl",
                                  "train_gpt-4-1106-preview_cot_sole-planning_submission.jsonl"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        snprintf(path, sizeof path, "%s/outputs/train/%s", data, files[f]);
        cost_on_file(db, qs, path, &checked);
    }
    CHECK_MSG(checked >= 45, "only %d plans had every entry in the sandbox", checked);
    /* the solver's plans: its cost, the evaluator's and the enquiry's agree */
    int solved = 0;
    for (int i = 0; i < qs->n; i++) {
        SolverResult r;
        SolverOptions opt = {0};
        if (solver_solve(db, &qs->q[i], &opt, &r, &err) == IM_OK && r.status == SOLVER_FEASIBLE) {
            cJSON *plan = cJSON_Parse(r.plan_json);
            double cost = 0;
            Err e = {0};
            CHECK_MSG(tp_plan_cost(db, &qs->q[i], plan, &cost, &e) == IM_OK, "query %d: %s", i + 1, e.msg);
            TpPlanResult pr;
            tp_eval_plan(db, &qs->q[i], plan, i + 1, &pr);
            CHECK_MSG(fabs(cost - r.cost) < 1e-6 && fabs(pr.total_cost - r.cost) < 1e-6,
                      "query %d: solver %.2f, enquiry %.2f, evaluator %.2f", i + 1, r.cost, cost, pr.total_cost);
            /* the room check: every stay of the plan passes the query's rules */
            for (const cJSON *d = plan->child; d; d = d->next) {
                const cJSON *acc = cJSON_GetObjectItemCaseSensitive(d, "accommodation");
                const char *s = cJSON_IsString(acc) ? acc->valuestring : "-";
                const char *comma = strrchr(s, ',');
                if (!comma || !strcmp(s, "-")) continue;
                char *name = strndup(s, (size_t)(comma - s));
                int row = tp_db_find_acc(db, name, comma + 2, NULL);
                CHECK(row >= 0 && tp_house_rule_ok(qs->q[i].house_rule, db->acc[row].house_rules) &&
                      tp_room_type_ok(qs->q[i].room_type, db->acc[row].room_type));
                free(name);
            }
            tp_plan_result_free(&pr);
            cJSON_Delete(plan);
            solved++;
        }
        solver_result_free(&r);
    }
    CHECK_MSG(solved >= 40, "the solver solved %d train queries", solved);
    /* the room rules on their own */
    CHECK(!tp_house_rule_ok("pets", "No smoking & No pets") && tp_house_rule_ok("pets", "No smoking"));
    CHECK(tp_house_rule_ok(NULL, "No pets"));
    CHECK(!tp_room_type_ok("not shared room", "Shared room") && tp_room_type_ok("not shared room", "Private room"));
    CHECK(!tp_room_type_ok("entire room", "Private room") && tp_room_type_ok("entire room", "Entire home/apt"));
    CHECK(tp_cost_ground(100, 6, 's') == 200 && tp_cost_ground(100, 5, 't') == 200 && tp_cost_stay(50, 3, 2) == 100);
    tp_queries_free(qs);
}

/* The reference builder over validation. */
static void test_reference(Suite *s, const SuiteItems *items) {
    const TpDb *db = tp_suite_db(s);
    int states = 0, city_named = 0;
    for (int i = 0; i < items->n; i++) {
        const TpQuery *q = tp_suite_query(&items->item[i]);
        SuiteMaterial m;
        Err err = {0};
        int rc = suite_material(s, &items->item[i], &m, &err);
        CHECK_MSG(rc == IM_OK && m.reference && m.task, "query %d: %s", q->idx, err.msg);
        if (rc) continue;
        const char *cities[256];
        int n = tp_reference_cities(db, q, cities, 256);
        CHECK_MSG(n >= (q->days == 3 ? 1 : q->visiting_city_number), "query %d: %d cities", q->idx, n);
        if (q->days > 3) {
            states++;
            city_named += !strcmp(q->dest, "Washington") || !strcmp(q->dest, "New York");
            /* every city of the state in citySet_with_states, but the origin */
            int want = 0;
            for (size_t c = 0; c < db->city_state.cap; c++) {
                const char *city = db->city_state.keys[c];
                const char *st = city ? tp_db_city_state(db, city) : NULL;
                if (!st || strcmp(st, q->dest) || !strcmp(city, q->org)) continue;
                want++;
                char needle[600];
                snprintf(needle, sizeof needle, "Accommodations in %s", city);
                const char *at = strstr(m.reference, needle);
                CHECK_MSG(at && (at[strlen(needle)] == '\'' || at[strlen(needle)] == '"'), "query %d (%s): no %s",
                          q->idx, q->dest, needle);
                snprintf(needle, sizeof needle, "from %s to %s", q->org, city);
                CHECK_MSG(strstr(m.reference, needle) != NULL, "query %d: no leg %s", q->idx, needle);
            }
            CHECK_MSG(want == n && want >= 2, "query %d: %d cities named, %d in the state", q->idx, n, want);
        } else {
            char needle[600];
            snprintf(needle, sizeof needle, "'Description': 'Accommodations in %s'", q->dest);
            CHECK_MSG(strstr(m.reference, needle) != NULL, "query %d: no %s", q->idx, needle);
        }
        suite_material_free(&m);
    }
    CHECK_MSG(states == 120, "%d validation queries with a state destination (120 expected)", states);
    CHECK_MSG(city_named == 9, "%d multi-city trips to Washington or New York (9 expected)", city_named);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_suite_tp DATA_DIR\n");
        return 2;
    }
    data = argv[1];
    test_registry();
    Suite *s = NULL;
    Err err = {0};
    if (suite_open(&suite_travelplanner, data, &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    SuiteItems *train = NULL, *val = NULL;
    CHECK_MSG(suite_items_load(s, "train", NULL, &train, &err) == IM_OK, "%s", err.msg);
    CHECK_MSG(suite_items_load(s, "validation", NULL, &val, &err) == IM_OK, "%s", err.msg);
    if (train && val) {
        CHECK(train->n == 45 && val->n == 180);
        Buf b;
        buf_init(&b);
        suite_item_stratum(s, &val->item[0], &b);
        CHECK_MSG(!strcmp(b.data, "level=easy,days=3"), "stratum '%s'", b.data);
        buf_free(&b);
        SuiteItem back;
        CHECK(suite_item_parse(s, val->item[5].fields_json, "store", 6, &back, &err) == IM_OK);
        CHECK(back.idx == val->item[5].idx && !strcmp(back.text, val->item[5].text) &&
              !strcmp(back.stratum[1], val->item[5].stratum[1]));
        suite_item_free(s, &back);
        test_evaluate(s, train);
        test_reference(s, val);
        test_cost(tp_suite_db(s));
    }
    suite_items_free(s, train);
    suite_items_free(s, val);
    suite_close(s);
    if (check_failures) fprintf(stderr, "test_suite_tp: %d failures\n", check_failures);
    return check_failures != 0;
}
