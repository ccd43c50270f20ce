/* cmd_solve.c: `imagine solve` (any suite, through its table: the answers
 * file of the suite's exact solver, or TravelPlanner's greedy baseline, for
 * `imagine eval`) and `imagine bench solve`
 * (per-query time and outcome figures of the solver on train and
 * validation). Both take --sole-planning: the solver then searches only
 * each query's reference information (solver_sole_view). Reads the
 * database once; plans are written atomically. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evaluate.h"
#include "fsutil.h"
#include "solver.h"
#include "suite.h"
#include "verbs.h"
#include "pb_verbs.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this thread: the figure a loaded machine does not inflate. */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Solves q, over its reference information only when sole; *ms (may be
 * NULL) receives the time of the parse and the search (building a
 * reference for a query without one is not counted). */
static int solve_one(const TpDb *db, const TpQuery *q, double timeout, int sole, SolverResult *r, double *ms,
                     double *cpu, Err *err) {
    SolverOptions o = {timeout, NULL};
    TpRefView *view = NULL;
    char *text = NULL;
    memset(r, 0, sizeof *r);
    int rc = IM_OK, shipped = 1;
    double a = now_ms(), c = cpu_ms();
    if (sole) {
        rc = solver_sole_view(db, q, &view, &shipped, err);
        if (!rc && !shipped && ms) { /* time the parse of the built reference, not its building */
            tp_ref_view_free(view), view = NULL;
            TpRef *ref = NULL;
            Buf b;
            buf_init(&b);
            rc = solver_reference(db, q, &ref, err);
            if (!rc) tp_ref_text(db, ref, &b), text = buf_take(&b);
            buf_free(&b), tp_ref_free(ref);
            a = now_ms(), c = cpu_ms();
            if (!rc) rc = tp_ref_view_text(text, &view, err);
        }
        if (!rc) o.view = &view->db;
    }
    if (!rc) rc = solver_solve(db, q, &o, r, err);
    if (ms) *ms = now_ms() - a;
    if (cpu) *cpu = cpu_ms() - c;
    tp_ref_view_free(view), free(text);
    return rc;
}

/* Any suite, through its table: items_load, solve (by the suite's solver
 * name: --method), answers_write. Per-item reasons and the counts go to
 * stderr; the answers file is written whole, then renamed. */
static int cmd_solve(int argc, char **argv) {
    const char *suite = NULL, *split = NULL, *queries = NULL, *method = "solver", *out = NULL, *data = NULL;
    double timeout = 10;
    long max_nodes = 0, first = 0, last = 0;
    int sole = 0;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "the benchmark (default: travelplanner; planbench)"},
        {"--split", CLI_STR, &split, "S", "TravelPlanner: train, validation or test; PlanBench: a variant"},
        {"--variant", CLI_STR, &split, "V", "the same as --split (PlanBench's word)"},
        {"--queries", CLI_STR, &queries, "FILE", "a file of items in the suite's form (default: the split's)"},
        {"--method", CLI_STR, &method, "M", "the suite's solver: solver (default); TravelPlanner also greedy"},
        {"--out", CLI_STR, &out, "FILE", "the answers file to write, in the suite's format (TravelPlanner: a submission file; PlanBench: the authors' results format)"},
        {"--timeout", CLI_FLOAT_IN, &(CliFloatIn){&timeout, 0.001, 86400}, "S", "TravelPlanner: solver time limit per query in seconds (default 10)"},
        {"--sole-planning", CLI_FLAG, &sole, NULL,
         "TravelPlanner: search only the query's reference information (its reference_information field, else the one built "
         "for it); plans are still checked against the whole sandbox"},
        {"--max-nodes", CLI_INT, &max_nodes, "N", "PlanBench: states stored by the optimal search per instance (default 1500000)"},
        {"--from", CLI_INT, &first, "ID", "only items whose idx (PlanBench: instance id) is at least ID"},
        {"--to", CLI_INT, &last, "ID", "only items whose idx is at most ID"},
        {"--data", CLI_STR, &data, "DIR", "the suite's data folder (default: its environment variable)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("solve", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const SuiteOps *ops = suite_find(suite ? suite : suite_default_name());
    if (!ops) return err_set(&err, IM_USAGE, "imagine solve: --suite %s: one of %s", suite, suite_names()), harness_fail(&err);
    if (!ops->solve || !ops->answers_write)
        return err_set(&err, IM_USAGE, "imagine solve: suite '%s' has no solver or writes no answer files", ops->name), harness_fail(&err);
    if (!out) return err_set(&err, IM_USAGE, "imagine solve: --out FILE is required"), harness_fail(&err);
    if (!split && !queries) return err_set(&err, IM_USAGE, "imagine solve: give --split S (--variant V) or --queries FILE"), harness_fail(&err);
    if (sole && strcmp(method, "solver"))
        return err_set(&err, IM_USAGE, "imagine solve: --sole-planning is a mode of --method solver"), harness_fail(&err);
    char *dir = suite_data_dir(ops, data), opt[160];
    snprintf(opt, sizeof opt, "{\"timeout_s\": %.17g, \"sole_planning\": %s, \"max_nodes\": %ld}", timeout,
             sole ? "true" : "false", max_nodes);
    Suite *s = NULL;
    SuiteItems *items = NULL;
    if (queries) {
        const char *inputs[] = {queries};
        rc = harness_refuse_input_as_output("solve", "--out", out, inputs, 1, &err);
    }
    if (!rc) rc = suite_open(ops, dir, &s, &err);
    if (!rc) rc = suite_items_load(s, split, queries, &items, &err);
    if (!rc && !queries) {
        const char *inputs[] = {items->source};
        rc = harness_refuse_input_as_output("solve", "--out", out, inputs, 1, &err);
    }
    int n = 0, counts[3] = {0};
    SuiteItem *chosen = NULL;
    char **answers = NULL;
    SuiteSolution *sols = NULL;
    if (!rc) {
        chosen = calloc((size_t)items->n + 1, sizeof *chosen), answers = calloc((size_t)items->n + 1, sizeof *answers);
        sols = calloc((size_t)items->n + 1, sizeof *sols);
        if (!chosen || !answers || !sols) rc = err_set(&err, IM_IO, "out of memory");
    }
    for (int i = 0; !rc && i < items->n; i++) {
        const SuiteItem *it = &items->item[i];
        if ((first > 0 && it->idx < first) || (last > 0 && it->idx > last)) continue;
        rc = suite_solve(s, it, method, opt, &sols[n], &err);
        if (rc) break;
        chosen[n] = *it, answers[n] = sols[n].answer_json;
        counts[sols[n].status]++;
        if (sols[n].status != SUITE_SOLVED) fprintf(stderr, "query %d: %s\n", it->idx, sols[n].reason ? sols[n].reason : "no plan");
        n++;
    }
    Buf b;
    buf_init(&b);
    if (!rc) ops->answers_write(s, chosen, answers, sols, n, &b), rc = fs_write_atomic(out, b.data ? b.data : "", b.len, &err);
    if (!rc)
        fprintf(stderr, "%s%s: %d plans, %d infeasible, %d unknown -> %s\n", method, sole ? " (sole planning)" : "", counts[0], counts[1],
                counts[2], out);
    for (int i = 0; sols && i < n; i++) suite_solution_free(&sols[i]);
    free(sols), free(answers), free(chosen);
    buf_free(&b);
    if (s) suite_items_free(s, items);
    suite_close(s);
    free(dir);
    return rc ? harness_fail(&err) : IM_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and returns its median. */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Final pass: every commonsense and every applicable hard check passes. */
static int final_pass(const TpDb *db, const TpQuery *q, const char *plan_json) {
    if (!plan_json) return 0;
    cJSON *plan = cJSON_Parse(plan_json);
    TpPlanResult r;
    tp_eval_plan(db, q, plan, q->idx, &r);
    int ok = r.hard_evaluated;
    for (int k = 0; k < TP_NCS; k++) ok &= r.cs[k].value == 1;
    for (int k = 0; k < TP_NHARD; k++) ok &= r.hard[k].value != 0;
    tp_plan_result_free(&r), cJSON_Delete(plan);
    return ok;
}

static int cmd_bench_solve(int argc, char **argv) {
    if (pb_suite_requested(argc, argv)) return pb_verb_bench_solve(argc, argv);
    {
        Err serr = {0};
        if (harness_travelplanner_only("bench solve", &argc, argv, &serr)) return harness_fail(&serr);
    }
    const char *data = NULL;
    double timeout = 10;
    int sole = 0;
    const CliOpt opts[] = {{"--timeout", CLI_FLOAT_IN, &(CliFloatIn){&timeout, 0.001, 86400}, "S", "solver time limit per query in seconds (default 10)"},
                           {"--sole-planning", CLI_FLAG, &sole, NULL,
                            "time the solver on each query's reference information (parse and search)"},
                           {"--data", CLI_STR, &data, "DIR", "TravelPlanner data (default: $IMAGINE_DATA)"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench solve", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const char *dir = harness_data_dir(data);
    TpDb *db = NULL;
    double t0 = now_ms();
    if ((rc = tp_db_open(dir, &db, &err))) return harness_fail(&err);
    printf("database loaded in %.0f ms\n", now_ms() - t0);
    if (sole)
        printf("sole planning: each query's reference_information (train) or the reference built for it (validation);\n"
               "time = parsing the text form + search\n");
    printf("wall-clock ms per query, then this thread's CPU ms (what a loaded machine does not inflate)\n");
    printf("%-11s %5s %9s %9s %9s %9s %9s %9s %9s %10s %10s %8s %11s\n", "split", "n", "median_ms", "mean_ms", "max_ms",
           "cpu_med", "cpu_mean", "cpu_max", "feasible", "infeasible", "unknown", "final", "greedy_fin");
    static const char *const splits[2] = {"train", "validation"};
    for (int s = 0; s < 2 && !rc; s++) {
        char *qpath = harness_query_path(NULL, dir, splits[s]);
        TpQuerySet *qs = NULL;
        rc = tp_queries_load(qpath, &qs, &err);
        free(qpath);
        if (rc) break;
        double *ms = calloc((size_t)qs->n + 1, sizeof *ms), sum = 0;
        double *cpu = calloc((size_t)qs->n + 1, sizeof *cpu), csum = 0;
        int counts[3] = {0}, pass = 0, gpass = 0;
        for (int i = 0; i < qs->n && !rc; i++) {
            SolverResult r;
            rc = solve_one(db, &qs->q[i], timeout, sole, &r, &ms[i], &cpu[i], &err);
            sum += ms[i], csum += cpu[i];
            if (!rc) counts[r.status]++, pass += final_pass(db, &qs->q[i], r.plan_json);
            solver_result_free(&r);
            const char *why;
            char *g = greedy_plan(db, &qs->q[i], &why);
            gpass += final_pass(db, &qs->q[i], g);
            free(g);
        }
        if (!rc) {
            double med = median(ms, qs->n), cmed = median(cpu, qs->n); /* sorts: the max is last */
            printf("%-11s %5d %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9d %10d %10d %7.1f%% %10.1f%%\n", splits[s], qs->n,
                   med, sum / qs->n, ms[qs->n - 1], cmed, csum / qs->n, cpu[qs->n - 1],
                   counts[0], counts[1], counts[2], 100.0 * pass / qs->n, 100.0 * gpass / qs->n);
        }
        free(ms), free(cpu), tp_queries_free(qs);
    }
    tp_db_close(db);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_solve[] = {
    {"solve", cmd_solve, "Solve a split with the suite's exact solver (TravelPlanner also --method greedy) and write its answers file.", ""},
    {"bench solve", cmd_bench_solve, "Time the exact solver on train and validation; print outcomes and final pass.", ""},
    {0}};
