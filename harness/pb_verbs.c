/* pb_verbs.c: `imagine eval|bench eval --suite planbench`.
 * Parses the command line, calls the PlanBench library
 * (suites/planbench), prints. Output keys of eval --json and --per-item
 * are contracts (issue 11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "pb_answers.h"
#include "pb_data.h"
#include "pb_metrics.h"
#include "pb_plan.h"
#include "pb_verbs.h"
#include "pyfmt.h"
#include "verbs.h"

int pb_suite_requested(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--suite") && i + 1 < argc) return !strcmp(argv[i + 1], "planbench");
        if (!strcmp(argv[i], "--suite=planbench")) return 1;
    }
    return 0;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- eval ---- */
/* Per-stratum accuracy: objects of the problem and its optimal plan length
 * (the planner's, -1 when not proven within the limit). */
static void strata_table(PbVariant *v, const PbAnswers *s, const PbItem *items, long max_nodes, Buf *o) {
    int *objects = malloc(sizeof(int) * (size_t)(s->n ? s->n : 1) * 2), *opt = objects + s->n;
    if (!objects) abort();
    PbSolveOpts so = {max_nodes, 1};
    for (int i = 0; i < s->n; i++) {
        const PbProblem *p;
        Err e = {0};
        objects[i] = opt[i] = -1;
        if (pb_variant_problem(v, s->a[i].id, &p, &e)) continue;
        objects[i] = p->nobjs;
        PbSolution sol;
        if (!pb_solve(v->dom, p, &so, &sol, &e) && sol.optimal) opt[i] = sol.nsteps;
        pb_solution_free(&sol);
    }
    PbMetrics m;
    pb_metrics_compute(v->name, items, s->n, objects, opt, &m);
    pb_metrics_print(&m, o);
    pb_metrics_free(&m);
    free(objects);
}

typedef struct PbEvalArgs {
    const char *suite, *variant, *answers, *per_item, *data, *extractor;
    int extracted, json, strata;
    long max_nodes;
} PbEvalArgs;

int pb_verb_eval(int argc, char **argv) {
    PbEvalArgs a = {0};
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &a.suite, "S", "planbench"},
        {"--variant", CLI_STR, &a.variant, "V", "blocksworld, blocksworld_3, mystery_blocksworld, mystery_blocksworld_3 or logistics"},
        {"--answers", CLI_STR, &a.answers, "FILE.json", "answers in the authors' results format (results/VARIANT/MODEL/task_1_*.json)"},
        {"--extracted", CLI_FLAG, &a.extracted, NULL, "judge the stored extracted_llm_plan instead of extracting from llm_raw_response"},
        {"--per-item", CLI_STR, &a.per_item, "OUT.jsonl", "one {instance_id, correct, plan, reason} line per instance, in file order"},
        {"--json", CLI_FLAG, &a.json, NULL, "print {suite, variant, instances, judged, correct, accuracy}"},
        {"--strata", CLI_FLAG, &a.strata, NULL, "also print accuracy with Wilson 95 % intervals per stratum (objects x optimal length, from the planner) and the share of correct plans that are optimal"},
        {"--max-nodes", CLI_INT, &a.max_nodes, "N", "with --strata: the planner's state limit per instance (default 1500000)"},
        {"--extractor", CLI_STR, &a.extractor, "X", "auto (default: the authors' extractor that made the file), plan-bench, plan-bench-md or analysis"},
        {"--data", CLI_STR, &a.data, "DIR", "PlanBench data (default: $IMAGINE_PLANBENCH_DATA, else ../shared/planbench)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("eval", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!a.variant || !a.answers)
        return err_set(&err, IM_USAGE, "imagine eval --suite planbench: --variant V and --answers FILE.json are required"), harness_fail(&err);
    int dialect = a.extractor ? pb_dialect_parse(a.extractor) : PB_X_AUTO;
    if (dialect < 0)
        return err_set(&err, IM_USAGE, "imagine eval: --extractor must be auto, plan-bench, plan-bench-md or analysis"), harness_fail(&err);
    PbVariant *v = NULL;
    PbAnswers *s = NULL;
    PbItem *items = NULL;
    PbDialect used;
    rc = pb_variant_open(pb_data_dir(a.data), a.variant, &v, &err);
    if (!rc) rc = pb_answers_load(a.answers, &s, &err);
    if (!rc) rc = pb_answers_eval(v, s, a.extracted, (PbDialect)dialect, &used, &items, &err);
    if (rc) {
        pb_answers_free(s);
        pb_variant_close(v);
        return harness_fail(&err);
    }
    int judged = 0, correct = 0;
    for (int i = 0; i < s->n; i++)
        if (items[i].correct >= 0) judged++, correct += items[i].correct;
    if (a.per_item) {
        Buf b;
        buf_init(&b);
        for (int i = 0; i < s->n; i++) {
            pb_item_json(&items[i], &b);
            buf_putc(&b, '\n');
        }
        rc = fs_write_atomic(a.per_item, b.data ? b.data : "", b.len, &err);
        buf_free(&b);
    }
    if (!rc) {
        char acc[40];
        py_float_repr(judged ? 100.0 * correct / judged : 0.0, acc, sizeof acc);
        Buf o;
        buf_init(&o);
        if (a.json) {
            buf_puts(&o, "{\"suite\": \"planbench\", \"variant\": ");
            buf_json_str(&o, a.variant);
            buf_printf(&o, ", \"instances\": %d, \"judged\": %d, \"correct\": %d, \"accuracy\": %s}\n", s->n, judged, correct, acc);
        } else {
            buf_printf(&o, "PlanBench %s: %d instances, %d judged, %d correct, accuracy %s%%\n", a.variant, s->n, judged, correct, acc);
            buf_printf(&o, "(%s; extractor: %s)\n", a.extracted ? "stored extracted_llm_plan validated" : "plans extracted from llm_raw_response",
                       a.extracted ? "none" : pb_dialect_name(used));
            if (a.strata) strata_table(v, s, items, a.max_nodes, &o);
        }
        fwrite(o.data, 1, o.len, stdout);
        buf_free(&o);
    }
    pb_items_free(items, s->n);
    pb_answers_free(s);
    pb_variant_close(v);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- bench eval: whole `imagine eval` processes ---- */
static int run_child(char *const *args, double *secs, double *cpu) {
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execv("/proc/self/exe", args);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0) return -1;
    *secs = now_s() - t0;
    *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int dbl_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int pb_verb_bench_eval(int argc, char **argv) {
    const char *suite = NULL, *data = NULL, *answers = NULL, *variant = "blocksworld";
    long runs = 20;
    int extracted = 0;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "planbench"},
        {"--variant", CLI_STR, &variant, "V", "variant of the answer file (default blocksworld)"},
        {"--answers", CLI_STR, &answers, "FILE.json", "default: DATA/results/blocksworld/claude-3-opus/task_1_plan_generation.json (500 answers)"},
        {"--runs", CLI_INT, &runs, "N", "processes timed (default 20)"},
        {"--extracted", CLI_FLAG, &extracted, NULL, "time eval --extracted instead"},
        {"--data", CLI_STR, &data, "DIR", "PlanBench data (default: $IMAGINE_PLANBENCH_DATA, else ../shared/planbench)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench eval", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const char *dir = pb_data_dir(data);
    char defans[4096];
    snprintf(defans, sizeof defans, "%s/results/blocksworld/claude-3-opus/task_1_plan_generation.json", dir);
    if (!answers) answers = defans;
    if (!fs_exists(answers)) return err_set(&err, IM_IO, "cannot read %s: pass --answers FILE or --data DIR", answers), harness_fail(&err);
    if (runs < 1) runs = 1;
    char *args[16];
    int k = 0;
    args[k++] = "imagine", args[k++] = "eval", args[k++] = "--suite", args[k++] = "planbench";
    args[k++] = "--variant", args[k++] = (char *)variant, args[k++] = "--answers", args[k++] = (char *)answers;
    args[k++] = "--data", args[k++] = (char *)dir, args[k++] = "--json";
    if (extracted) args[k++] = "--extracted";
    args[k] = NULL;
    double *t = malloc(sizeof(double) * (size_t)(runs + 1) * 2), *c = t + runs + 1;
    if (!t) abort();
    double warm, warmc;
    if (run_child(args, &warm, &warmc) != 0) {
        free(t);
        return err_set(&err, IM_IO, "imagine eval --suite planbench failed on %s", answers), harness_fail(&err);
    }
    for (long i = 0; i < runs; i++)
        if (run_child(args, &t[i], &c[i]) != 0) {
            free(t);
            return err_set(&err, IM_IO, "imagine eval failed during the benchmark"), harness_fail(&err);
        }
    qsort(t, (size_t)runs, sizeof *t, dbl_cmp);
    qsort(c, (size_t)runs, sizeof *c, dbl_cmp);
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 1) load[0] = -1;
    PbAnswers *s;
    int n = 0;
    if (!pb_answers_load(answers, &s, &err)) n = s->n, pb_answers_free(s);
    printf("bench eval --suite planbench: %d answers (%s, %s), %ld whole processes: wall median %.1f ms (min %.1f, max %.1f); CPU (user+sys) median %.1f ms (min %.1f); load average %.1f on %ld cores (target < 50 ms)\n",
           n, variant, extracted ? "stored plans" : "extracted from the text", runs, 1000 * t[runs / 2], 1000 * t[0], 1000 * t[runs - 1],
           1000 * c[runs / 2], 1000 * c[0], load[0], sysconf(_SC_NPROCESSORS_ONLN));
    free(t);
    return IM_OK;
}
