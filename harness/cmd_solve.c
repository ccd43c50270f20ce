/* cmd_solve.c: `imagine solve` and `imagine bench solve`, one
 * implementation for every suite through its table (suites/suite.h:
 * items_load, solve, answers_write, evaluate). solve writes the answers
 * file of the suite's exact solver (or another of its solvers, --method:
 * TravelPlanner's greedy baseline) for `imagine eval`; bench solve times
 * the solver per item on each split and prints outcomes, proven optima,
 * the pass rate and a baseline solver's. Answer files are written whole,
 * then renamed. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "suite.h"
#include "verbs.h"

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

/* One split of bench solve: the suite's solver on every item, timed (wall
 * and this thread's CPU), its outcome, whether the answer passes the
 * suite's evaluation, and the baseline solver's pass (-1: the suite has no
 * such solver). */
typedef struct BenchRow {
    int n, status[3], optimal, pass, base_pass;
    double *ms, *cpu, sum, csum;
} BenchRow;

static int bench_split(const Suite *s, const char *split, const char *opt, const char *baseline, BenchRow *r, Err *err) {
    SuiteItems *items = NULL;
    memset(r, 0, sizeof *r);
    int rc = suite_items_load(s, split, NULL, &items, err);
    if (rc) return rc;
    r->n = items->n;
    r->ms = calloc((size_t)items->n + 1, sizeof *r->ms), r->cpu = calloc((size_t)items->n + 1, sizeof *r->cpu);
    if (!r->ms || !r->cpu) rc = err_set(err, IM_IO, "out of memory");
    r->base_pass = baseline ? 0 : -1;
    for (int i = 0; !rc && i < items->n; i++) {
        const SuiteItem *it = &items->item[i];
        SuiteSolution sol;
        double a = now_ms(), c = cpu_ms();
        rc = suite_solve(s, it, "solver", opt, &sol, err);
        r->ms[i] = now_ms() - a, r->cpu[i] = cpu_ms() - c;
        r->sum += r->ms[i], r->csum += r->cpu[i];
        if (rc) break;
        SuiteEval e;
        suite_evaluate(s, it, sol.answer_json, i + 1, &e);
        r->status[sol.status]++, r->optimal += sol.optimal, r->pass += e.passed;
        suite_eval_free(s, &e), suite_solution_free(&sol);
        if (r->base_pass < 0) continue;
        Err berr = {0};
        if (suite_solve(s, it, baseline, NULL, &sol, &berr)) { /* the suite has no such solver */
            r->base_pass = -1;
            continue;
        }
        suite_evaluate(s, it, sol.answer_json, i + 1, &e);
        r->base_pass += e.passed;
        suite_eval_free(s, &e), suite_solution_free(&sol);
    }
    suite_items_free(s, items);
    return rc;
}

/* Any suite, through its table: every split (--split, else each of the
 * suite's splits that its data holds) with the suite's exact solver. */
static int cmd_bench_solve(int argc, char **argv) {
    const char *suite = NULL, *data = NULL, *only = NULL, *baseline = "greedy";
    double timeout = 10;
    long max_nodes = 0;
    int sole = 0;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "the benchmark (default: travelplanner; planbench)"},
        {"--split", CLI_STR, &only, "S", "one split (PlanBench: a variant); default: every split the data holds"},
        {"--variant", CLI_STR, &only, "V", "the same as --split"},
        {"--baseline", CLI_STR, &baseline, "M", "a second solver of the suite whose pass rate is shown (default greedy; '-' when the suite has none)"},
        {"--timeout", CLI_FLOAT_IN, &(CliFloatIn){&timeout, 0.001, 86400}, "S", "TravelPlanner: solver time limit per query in seconds (default 10)"},
        {"--sole-planning", CLI_FLAG, &sole, NULL, "TravelPlanner: the solver on each query's reference information (built for it when the query has none)"},
        {"--max-nodes", CLI_INT, &max_nodes, "N", "PlanBench: states stored by the optimal search per instance (default 1500000)"},
        {"--data", CLI_STR, &data, "DIR", "the suite's data folder (default: its environment variable)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench solve", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const SuiteOps *ops = suite_find(suite ? suite : suite_default_name());
    if (!ops) return err_set(&err, IM_USAGE, "imagine bench solve: --suite %s: one of %s", suite, suite_names()), harness_fail(&err);
    if (!ops->solve) return err_set(&err, IM_USAGE, "imagine bench solve: suite %s has no solver", ops->name), harness_fail(&err);
    if (only && !suite_has_split(ops, only))
        return err_set(&err, IM_USAGE, "imagine bench solve: suite %s has no split '%s'", ops->name, only), harness_fail(&err);
    char *dir = suite_data_dir(ops, data), opt[160];
    snprintf(opt, sizeof opt, "{\"timeout_s\": %.17g, \"sole_planning\": %s, \"max_nodes\": %ld}", timeout, sole ? "true" : "false",
             max_nodes);
    Suite *s = NULL;
    double t0 = now_ms();
    rc = suite_open(ops, dir, &s, &err);
    if (!rc) {
        printf("%s data loaded in %.0f ms\n", ops->name, now_ms() - t0);
        if (sole) printf("sole planning: each query's reference_information, or the reference built for it (then timed too)\n");
        printf("wall-clock ms per item, then this thread's CPU ms (what a loaded machine does not inflate); final: the solver's\n"
               "answers that pass the suite's evaluation; optimal: proven optimal; %s_fin: the %s solver's answers that pass\n",
               baseline, baseline);
        char base[40];
        snprintf(base, sizeof base, "%.20s_fin", baseline);
        printf("%-21s %5s %9s %9s %9s %9s %9s %9s %9s %10s %10s %8s %8s %11s\n", "split", "n", "median_ms", "mean_ms", "max_ms", "cpu_med",
               "cpu_mean", "cpu_max", "feasible", "infeasible", "unknown", "optimal", "final", base);
    }
    for (int k = 0; !rc && ops->splits[k]; k++) {
        const char *split = ops->splits[k];
        if (only ? strcmp(split, only) : 0) continue;
        BenchRow r;
        Err lerr = {0};
        int lrc = bench_split(s, split, opt, baseline, &r, &lerr);
        if (lrc && !only && lerr.code == IM_IO && !r.n) { /* a split the data does not hold (TravelPlanner's test) */
            free(r.ms), free(r.cpu);
            continue;
        }
        if (lrc) rc = lrc, err = lerr;
        if (!rc && r.n) {
            double med = median(r.ms, r.n), cmed = median(r.cpu, r.n); /* sorts: the max is last */
            char base[16] = "-";
            if (r.base_pass >= 0) snprintf(base, sizeof base, "%.1f%%", 100.0 * r.base_pass / r.n);
            printf("%-21s %5d %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9d %10d %10d %8d %7.1f%% %11s\n", split, r.n, med, r.sum / r.n,
                   r.ms[r.n - 1], cmed, r.csum / r.n, r.cpu[r.n - 1], r.status[0], r.status[1], r.status[2], r.optimal,
                   100.0 * r.pass / r.n, base);
        }
        free(r.ms), free(r.cpu);
    }
    suite_close(s);
    free(dir);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_solve[] = {
    {"solve", cmd_solve, "Solve a split with the suite's exact solver (TravelPlanner also --method greedy) and write its answers file.", ""},
    {"bench solve", cmd_bench_solve, "Time a suite's exact solver on its splits; print outcomes, proven optima and the pass rate.", ""},
    {0}};
