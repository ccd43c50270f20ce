/* evalfile.c: PlanBench's `imagine eval` (the eval_file op). An answer
 * file in the authors' results format is judged in file order: plans
 * extracted from llm_raw_response (or the stored extracted_llm_plan with
 * --extracted), validated with VAL's semantics. Its counts keep answers
 * with nothing to judge apart (judged), as the authors count, where the
 * suite's run metrics count every item. Output keys of --json and
 * --per-item are issue 11's contract. Only the variant is opened (not
 * the whole suite): a whole process over 500 answers is what bench eval
 * times against its 50 ms target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pb_answers.h"
#include "pb_evalfile.h"
#include "pb_metrics.h"
#include "pb_plan.h"
#include "pyfmt.h"

const SuiteOption pb_eval_options[] = {
    {"--extracted", NULL, "judge the stored extracted_llm_plan instead of extracting from llm_raw_response"},
    {"--strata", NULL, "also print accuracy with Wilson 95 % intervals per stratum (objects x optimal length, from the planner) and the share of correct plans that are optimal"},
    {"--max-nodes", "N", "with --strata: the planner's state limit per instance (default 1500000)"},
    {"--extractor", "X", "auto (default: the authors' extractor that made the file), plan-bench, plan-bench-md or analysis"},
    {0}};
enum { OPT_EXTRACTED, OPT_STRATA, OPT_MAX_NODES, OPT_EXTRACTOR };

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

static int check_args(const SuiteEvalArgs *a, int *dialect, long *max_nodes, Err *err) {
    if (!a->split || !a->answers)
        return err_set(err, IM_USAGE, "imagine eval --suite planbench: --variant V and --answers FILE.json are required");
    if (a->items)
        return err_set(err, IM_USAGE, "imagine eval --suite planbench: --queries is not an option here (the answer file lists its instances)");
    *dialect = a->opt[OPT_EXTRACTOR] ? pb_dialect_parse(a->opt[OPT_EXTRACTOR]) : PB_X_AUTO;
    if (*dialect < 0) return err_set(err, IM_USAGE, "imagine eval: --extractor must be auto, plan-bench, plan-bench-md or analysis");
    const char *mn = a->opt[OPT_MAX_NODES];
    char *end = NULL;
    *max_nodes = mn ? strtol(mn, &end, 10) : 0;
    if (mn && (!*mn || *end || *max_nodes < 0))
        return err_set(err, IM_USAGE, "imagine eval: --max-nodes %s: expected a whole number of states", mn);
    const char *inputs[] = {a->answers};
    return fs_refuse_overwrite("eval", a->per_item_flag, a->per_item, inputs, 1, err);
}

static void summary(const SuiteEvalArgs *a, const PbAnswers *s, const PbItem *items, PbDialect used, PbVariant *v, long max_nodes,
                    Buf *o) {
    int judged = 0, correct = 0, extracted = a->opt[OPT_EXTRACTED] != NULL;
    for (int i = 0; i < s->n; i++)
        if (items[i].correct >= 0) judged++, correct += items[i].correct;
    char acc[40];
    py_float_repr(judged ? 100.0 * correct / judged : 0.0, acc, sizeof acc);
    if (a->json) {
        buf_puts(o, "{\"suite\": \"planbench\", \"variant\": ");
        buf_json_str(o, a->split);
        buf_printf(o, ", \"instances\": %d, \"judged\": %d, \"correct\": %d, \"accuracy\": %s}\n", s->n, judged, correct, acc);
        return;
    }
    buf_printf(o, "PlanBench %s: %d instances, %d judged, %d correct, accuracy %s%%\n", a->split, s->n, judged, correct, acc);
    buf_printf(o, "(%s; extractor: %s)\n", extracted ? "stored extracted_llm_plan validated" : "plans extracted from llm_raw_response",
               extracted ? "none" : pb_dialect_name(used));
    if (a->opt[OPT_STRATA]) strata_table(v, s, items, max_nodes, o);
}

int pb_eval_file(const char *data_dir, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err) {
    (void)warn;
    int dialect = PB_X_AUTO;
    long max_nodes = 0;
    int rc = check_args(a, &dialect, &max_nodes, err);
    if (rc) return rc;
    PbVariant *v = NULL;
    PbAnswers *s = NULL;
    PbItem *items = NULL;
    PbDialect used;
    rc = pb_variant_open(data_dir, a->split, &v, err);
    if (!rc) rc = pb_answers_load(a->answers, &s, err);
    if (!rc) rc = pb_answers_eval(v, s, a->opt[OPT_EXTRACTED] != NULL, (PbDialect)dialect, &used, &items, err);
    if (!rc && a->per_item) {
        Buf b;
        buf_init(&b);
        for (int i = 0; i < s->n; i++) {
            pb_item_json(&items[i], &b);
            buf_putc(&b, '\n');
        }
        rc = fs_write_atomic(a->per_item, b.data ? b.data : "", b.len, err);
        buf_free(&b);
    }
    if (!rc) summary(a, s, items, used, v, max_nodes, out);
    if (items) pb_items_free(items, s->n);
    pb_answers_free(s);
    pb_variant_close(v);
    return rc;
}
