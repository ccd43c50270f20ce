/* eval_file.c: TravelPlanner's `imagine eval` (the eval_file op): the
 * official evaluator over a submission file, with eval.py's outputs:
 * the rates and the detail table, --format official (eval.py's stdout,
 * byte for byte), --json, --per-plan (the official per-plan JSON lines).
 * It loads the queries, the submission, then the database, so that an
 * error names the first bad input as it always has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"
#include "suite_tp.h"

const SuiteOption tp_eval_options[] = {{"--format", "F", "'official': eval.py's whole stdout, byte for byte"}, {0}};
enum { OPT_FORMAT };

static void per_plan_lines(const TpPlanResult *rs, int n, Buf *b) {
    for (int i = 0; i < n; i++) {
        tp_plan_result_json(&rs[i], b);
        buf_putc(b, '\n');
    }
}

static void results(const SuiteEvalArgs *a, const TpMetrics *m, const TpPlanResult *rs, const TpQuerySet *qs, Buf *out) {
    const char *format = a->opt[OPT_FORMAT];
    if (a->json) {
        tp_metrics_json(m, out);
        buf_putc(out, '\n');
    } else if (format) {
        for (int i = 0; i < qs->n; i++)
            if (rs[i].log) buf_puts(out, rs[i].log);
        tp_metrics_print_rates(m, out);
        buf_puts(out, "------------------\n");
        tp_metrics_detail_repr(m, out);
        buf_puts(out, "\n------------------\n");
    } else {
        tp_metrics_print_rates(m, out);
        if (!m->official)
            buf_printf(out, "(denominators computed from the %d queries of %s: %d plans, %d commonsense, %d hard checks)\n",
                       m->n, qs->path, m->n_denom, m->cs_denom, m->hard_denom);
        tp_metrics_detail_table(m, out);
    }
}

static int check_args(const SuiteEvalArgs *a, Err *err) {
    const char *format = a->opt[OPT_FORMAT];
    if (!a->answers) return err_set(err, IM_USAGE, "imagine eval: --plans FILE is required");
    if (format && strcmp(format, "official"))
        return err_set(err, IM_USAGE, "imagine eval: --format %s: the only format is 'official' (--json for JSON)", format);
    if (!a->split && !a->items) return err_set(err, IM_USAGE, "imagine eval: give --split S or --queries FILE");
    if (a->split && strcmp(a->split, "train") && strcmp(a->split, "validation") && strcmp(a->split, "test"))
        return err_set(err, IM_USAGE, "imagine eval: --split must be train, validation or test");
    return IM_OK;
}

int tp_eval_file(const char *data, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err) {
    int rc = check_args(a, err);
    if (rc) return rc;
    char rel[256];
    if (!a->items) snprintf(rel, sizeof rel, "queries/%s.jsonl", a->split);
    char *qpath = a->items ? strdup(a->items) : fs_join(data, rel);
    TpDb *db = NULL;
    TpQuerySet *qs = NULL;
    TpSubmission *sub = NULL;
    TpPlanResult *rs = NULL;
    const char *inputs[] = {a->answers, qpath};
    rc = fs_refuse_overwrite("eval", a->per_item_flag, a->per_item, inputs, 2, err);
    if (!rc) rc = tp_queries_load(qpath, &qs, err);
    if (!rc) rc = tp_submission_read(a->answers, &sub, err);
    if (!rc) rc = tp_db_open(data, &db, err);
    if (!rc && !(rs = calloc((size_t)qs->n + 1, sizeof *rs))) rc = err_set(err, IM_IO, "out of memory");
    if (!rc) {
        tp_eval_submission(db, qs, sub, rs, warn);
        TpMetrics m;
        tp_metrics_compute(qs->q, rs, qs->n, a->split, &m);
        if (a->per_item) {
            Buf b;
            buf_init(&b);
            per_plan_lines(rs, qs->n, &b);
            rc = fs_write_atomic(a->per_item, b.data ? b.data : "", b.len, err);
            buf_free(&b);
        }
        if (!rc) results(a, &m, rs, qs, out);
    }
    for (int i = 0; rs && i < qs->n; i++) tp_plan_result_free(&rs[i]);
    free(rs), free(qpath);
    tp_db_close(db), tp_queries_free(qs), tp_submission_free(sub);
    return rc;
}
