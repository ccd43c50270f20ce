/* cmd_solve.c: `imagine solve` (a submission file from the exact solver or
 * the greedy baseline, for `imagine eval`) and `imagine bench solve`
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

/* One submission line: {"idx", "query", "plan"}; plan null when none. */
static void submission_line(Buf *out, const TpQuery *q, const char *plan_json) {
    buf_printf(out, "{\"idx\": %d, \"query\": ", q->idx);
    buf_json_str(out, q->query ? q->query : "");
    buf_puts(out, ", \"plan\": ");
    buf_puts(out, plan_json ? plan_json : "null");
    buf_puts(out, "}\n");
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

static int cmd_solve(int argc, char **argv) {
    if (pb_suite_requested(argc, argv)) return pb_verb_solve(argc, argv);
    {
        Err serr = {0};
        if (harness_travelplanner_only("solve", &argc, argv, &serr)) return harness_fail(&serr);
    }
    const char *split = NULL, *queries = NULL, *method = "solver", *out = NULL, *data = NULL;
    double timeout = 10;
    int sole = 0;
    const CliOpt opts[] = {
        {"--split", CLI_STR, &split, "S", "train, validation or test"},
        {"--queries", CLI_STR, &queries, "FILE", "query file (default: DATA/queries/SPLIT.jsonl)"},
        {"--method", CLI_STR, &method, "M", "solver (default) or greedy"},
        {"--out", CLI_STR, &out, "FILE", "submission file to write (one {\"idx\",\"query\",\"plan\"} line per query)"},
        {"--timeout", CLI_FLOAT_IN, &(CliFloatIn){&timeout, 0.001, 86400}, "S", "solver time limit per query in seconds (default 10)"},
        {"--sole-planning", CLI_FLAG, &sole, NULL,
         "search only the query's reference information (its reference_information field, else the one built "
         "for it); plans are still checked against the whole sandbox"},
        {"--data", CLI_STR, &data, "DIR", "TravelPlanner data (default: $IMAGINE_DATA)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("solve", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!out) return err_set(&err, IM_USAGE, "imagine solve: --out FILE is required"), harness_fail(&err);
    if (!split && !queries) return err_set(&err, IM_USAGE, "imagine solve: give --split S or --queries FILE"), harness_fail(&err);
    if (strcmp(method, "solver") && strcmp(method, "greedy"))
        return err_set(&err, IM_USAGE, "imagine solve: --method must be solver or greedy"), harness_fail(&err);
    if (sole && strcmp(method, "solver"))
        return err_set(&err, IM_USAGE, "imagine solve: --sole-planning is a mode of --method solver"), harness_fail(&err);
    const char *dir = harness_data_dir(data);
    char *qpath = harness_query_path(queries, dir, split);
    TpQuerySet *qs = NULL;
    TpDb *db = NULL;
    const char *inputs[] = {qpath};
    rc = harness_refuse_input_as_output("solve", "--out", out, inputs, 1, &err);
    if (!rc) rc = tp_queries_load(qpath, &qs, &err);
    if (!rc) rc = tp_db_open(dir, &db, &err);
    Buf b;
    buf_init(&b);
    int counts[3] = {0};
    for (int i = 0; !rc && i < qs->n; i++) {
        const TpQuery *q = &qs->q[i];
        if (!strcmp(method, "greedy")) {
            const char *why = NULL;
            char *plan = greedy_plan(db, q, &why);
            counts[plan ? 0 : 1]++;
            submission_line(&b, q, plan);
            free(plan);
            continue;
        }
        SolverResult r;
        rc = solve_one(db, q, timeout, sole, &r, NULL, NULL, &err);
        if (!rc) {
            counts[r.status]++;
            submission_line(&b, q, r.plan_json);
            if (r.status != SOLVER_FEASIBLE) fprintf(stderr, "query %d: %s\n", q->idx, r.reason);
        }
        solver_result_free(&r);
    }
    if (!rc) rc = fs_write_atomic(out, b.data ? b.data : "", b.len, &err);
    if (!rc)
        fprintf(stderr, "%s%s: %d plans, %d infeasible, %d unknown -> %s\n", method, sole ? " (sole planning)" : "",
                counts[0], counts[1], counts[2], out);
    buf_free(&b), free(qpath), tp_queries_free(qs), tp_db_close(db);
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
    {"solve", cmd_solve, "Plan a split with the exact solver (or --method greedy) and write a submission file.", ""},
    {"bench solve", cmd_bench_solve, "Time the exact solver on train and validation; print outcomes and final pass.", ""},
    {0}};
