/* suite_eval.c: `imagine eval` of any suite (suite_eval_file, suite.h).
 * A suite with its own evaluator of answer files (eval_file: TravelPlanner's
 * official output, PlanBench's issue-11 counts) is handed the parsed
 * options; any other suite that reads answer files is judged here through
 * its table, as runs judge it: items, answers_open/answer, evaluate,
 * metrics. Unlike suite.c this file writes: the per-item verdicts file.
 * Also the lifetime of bench eval's inputs (suite_bench_open/close). */
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "suite.h"

static int generic_eval(const SuiteOps *ops, const char *data_dir, const SuiteEvalArgs *a, Buf *out, Err *err) {
    if (!a->answers) return err_set(err, IM_USAGE, "imagine eval: --plans FILE is required");
    if (!a->split && !a->items) return err_set(err, IM_USAGE, "imagine eval: give --split S or --queries FILE");
    const char *inputs[] = {a->answers, a->items};
    Suite *s = NULL;
    SuiteItems *items = NULL;
    void *answers = NULL;
    SuiteEval *ev = NULL;
    SuiteMetrics m = {0};
    Buf per;
    buf_init(&per);
    int rc = fs_refuse_overwrite("eval", a->per_item_flag, a->per_item, inputs, 2, err);
    if (!rc) rc = suite_open(ops, data_dir, &s, err);
    if (!rc) rc = suite_items_load(s, a->split, a->items, &items, err);
    if (!rc) rc = ops->answers_open(s, a->answers, &answers, err);
    if (!rc && !(ev = calloc((size_t)(items->n ? items->n : 1), sizeof *ev))) rc = err_set(err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < items->n; i++) {
        char *answer = NULL, *raw = NULL, *why = NULL;
        rc = ops->answer(answers, &items->item[i], &answer, &raw, &why, err);
        if (!rc) suite_evaluate(s, &items->item[i], answer, i + 1, &ev[i]);
        if (!rc && why && !ev[i].note) ev[i].note = why, why = NULL;
        if (!rc && a->per_item && ops->eval_json) ops->eval_json(&ev[i], &per), buf_putc(&per, '\n');
        free(answer), free(raw), free(why);
    }
    if (!rc) rc = suite_metrics(s, a->items ? NULL : a->split, items->item, ev, items->n, &m, err);
    if (!rc && a->per_item) rc = fs_write_atomic(a->per_item, per.data ? per.data : "", per.len, err);
    if (!rc && a->json) ops->metrics_json(&m, out), buf_putc(out, '\n');
    else if (!rc) ops->metrics_text(&m, out);
    for (int i = 0; ev && i < items->n; i++) suite_eval_free(s, &ev[i]);
    free(ev);
    if (s) suite_metrics_free(s, &m);
    if (answers) ops->answers_close(answers);
    if (s) suite_items_free(s, items);
    suite_close(s);
    buf_free(&per);
    return rc;
}

int suite_eval_file(const SuiteOps *ops, const char *data_dir, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err) {
    if (ops->eval_file) return ops->eval_file(data_dir, a, out, warn, err);
    if (!ops->answers_open || !ops->answer || !ops->evaluate || !ops->metrics)
        return err_set(err, IM_USAGE, "imagine eval: suite %s evaluates no answer files", ops->name);
    return generic_eval(ops, data_dir, a, out, err);
}

int suite_bench_open(const SuiteOps *ops, const char *data_dir, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err) {
    memset(b, 0, sizeof *b);
    if (!ops->bench_open) return err_set(err, IM_USAGE, "imagine bench eval: suite %s has no evaluator benchmark", ops->name);
    int rc = ops->bench_open(data_dir, a, tmp, b, err);
    if (rc) suite_bench_close(ops, b);
    return rc;
}

void suite_bench_close(const SuiteOps *ops, SuiteBench *b) {
    if (ops->bench_close && b->native) ops->bench_close(b->native);
    for (int i = 0; b->in && i < b->n; i++) {
        for (int k = 0; b->in[i].eval_args[k]; k++) free(b->in[i].eval_args[k]);
        for (int k = 0; b->in[i].var[k]; k++) free(b->in[i].value[k]);
    }
    free(b->in);
    memset(b, 0, sizeof *b);
}
