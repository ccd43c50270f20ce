/* cmd_eval.c: `imagine eval`, the official evaluator as a verb. Reads the
 * database once, scores every plan line, prints the official rates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"
#include "verbs.h"
#include "pb_verbs.h"
#include "suite.h"

typedef struct EvalArgs {
    const char *split, *queries, *plans, *per_plan, *data, *format, *suite, *variant;
    int json;
} EvalArgs;

static int write_per_plan(const char *path, const TpPlanResult *rs, int n, Err *err) {
    Buf b;
    buf_init(&b);
    for (int i = 0; i < n; i++) {
        tp_plan_result_json(&rs[i], &b);
        buf_putc(&b, '\n');
    }
    int rc = fs_write_atomic(path, b.data ? b.data : "", b.len, err);
    buf_free(&b);
    return rc;
}

static void print_results(const EvalArgs *a, const TpMetrics *m, const TpPlanResult *rs, const TpQuerySet *qs) {
    Buf out;
    buf_init(&out);
    if (a->json) {
        tp_metrics_json(m, &out);
        buf_putc(&out, '\n');
    } else if (a->format && !strcmp(a->format, "official")) {
        for (int i = 0; i < qs->n; i++)
            if (rs[i].log) buf_puts(&out, rs[i].log);
        tp_metrics_print_rates(m, &out);
        buf_puts(&out, "------------------\n");
        tp_metrics_detail_repr(m, &out);
        buf_puts(&out, "\n------------------\n");
    } else {
        tp_metrics_print_rates(m, &out);
        if (!m->official)
            buf_printf(&out, "(denominators computed from the %d queries of %s: %d plans, %d commonsense, %d hard checks)\n",
                       m->n, qs->path, m->n_denom, m->cs_denom, m->hard_denom);
        tp_metrics_detail_table(m, &out);
    }
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
}

/* Any other suite, through suite.h: the answers file in the suite's
 * format, each item's verdicts, the suite's metrics (text or --json), the
 * per-item verdicts with --per-plan. */
static int generic_eval(const EvalArgs *a, const SuiteOps *ops, Err *err) {
    char *data = suite_data_dir(ops, a->data);
    Suite *s = NULL;
    SuiteItems *items = NULL;
    void *answers = NULL;
    SuiteEval *ev = NULL;
    SuiteMetrics m = {0};
    Buf out, per;
    buf_init(&out), buf_init(&per);
    int rc = suite_open(ops, data, &s, err);
    if (!rc) rc = suite_items_load(s, a->split, a->queries, &items, err);
    if (!rc && !ops->answers_open) rc = err_set(err, IM_USAGE, "suite %s reads no answer files", ops->name);
    if (!rc) rc = ops->answers_open(s, a->plans, &answers, err);
    if (!rc && !(ev = calloc((size_t)(items->n ? items->n : 1), sizeof *ev))) rc = err_set(err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < items->n; i++) {
        char *answer = NULL, *raw = NULL, *why = NULL;
        rc = ops->answer(answers, &items->item[i], &answer, &raw, &why, err);
        if (!rc) suite_evaluate(s, &items->item[i], answer, i + 1, &ev[i]);
        if (!rc && why && !ev[i].note) ev[i].note = why, why = NULL;
        if (!rc && a->per_plan && ops->eval_json) ops->eval_json(&ev[i], &per), buf_putc(&per, '\n');
        free(answer), free(raw), free(why);
    }
    if (!rc) rc = suite_metrics(s, a->queries ? NULL : a->split, items->item, ev, items->n, &m, err);
    if (!rc && a->per_plan) rc = fs_write_atomic(a->per_plan, per.data ? per.data : "", per.len, err);
    if (!rc) {
        if (a->json) ops->metrics_json(&m, &out), buf_putc(&out, '\n');
        else ops->metrics_text(&m, &out);
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
    }
    for (int i = 0; ev && i < items->n; i++) suite_eval_free(s, &ev[i]);
    free(ev);
    suite_metrics_free(s, &m);
    if (answers) ops->answers_close(answers);
    suite_items_free(s, items);
    suite_close(s);
    free(data);
    buf_free(&out), buf_free(&per);
    return rc;
}

static int cmd_eval(int argc, char **argv) {
    if (pb_suite_requested(argc, argv)) return pb_verb_eval(argc, argv);
    EvalArgs a = {0};
    const CliOpt opts[] = {
        {"--split", CLI_STR, &a.split, "S", "train, validation or test (official denominators for a whole split)"},
        {"--queries", CLI_STR, &a.queries, "FILE", "query file (default: DATA/queries/SPLIT.jsonl)"},
        {"--plans", CLI_STR, &a.plans, "FILE", "submission file: one {\"idx\",\"query\",\"plan\"} line per query"},
        {"--per-plan", CLI_STR, &a.per_plan, "OUT.jsonl", "write the official per-plan verdicts"},
        {"--json", CLI_FLAG, &a.json, NULL, "print the rates and the detail as one JSON object"},
        {"--format", CLI_STR, &a.format, "F", "'official': eval.py's whole stdout, byte for byte"},
        {"--data", CLI_STR, &a.data, "DIR", "the suite's data (default: $IMAGINE_DATA, else ../shared/NAME)"},
        {"--suite", CLI_STR, &a.suite, "NAME", "the benchmark (default: travelplanner)"},
        {"--variant", CLI_STR, &a.variant, "V", "the suite's variant: same as --split"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("eval", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (a.variant && !a.split) a.split = a.variant;
    const SuiteOps *ops = suite_find(a.suite ? a.suite : suite_default_name());
    if (!ops)
        return err_set(&err, IM_USAGE, "imagine eval: unknown suite '%s' (suites: %s)", a.suite, suite_names()),
               harness_fail(&err);
    if (strcmp(ops->name, "travelplanner")) {
        if (!a.plans) return err_set(&err, IM_USAGE, "imagine eval: --plans FILE is required"), harness_fail(&err);
        if (!a.split && !a.queries)
            return err_set(&err, IM_USAGE, "imagine eval: give --split S or --queries FILE"), harness_fail(&err);
        return generic_eval(&a, ops, &err) ? harness_fail(&err) : IM_OK;
    }
    if (!a.plans) return err_set(&err, IM_USAGE, "imagine eval: --plans FILE is required"), harness_fail(&err);
    if (a.format && strcmp(a.format, "official"))
        return err_set(&err, IM_USAGE, "imagine eval: --format %s: the only format is 'official' (--json for JSON)", a.format),
               harness_fail(&err);
    if (!a.split && !a.queries)
        return err_set(&err, IM_USAGE, "imagine eval: give --split S or --queries FILE"), harness_fail(&err);
    if (a.split && strcmp(a.split, "train") && strcmp(a.split, "validation") && strcmp(a.split, "test"))
        return err_set(&err, IM_USAGE, "imagine eval: --split must be train, validation or test"), harness_fail(&err);
    const char *data = harness_data_dir(a.data);
    char *qpath = harness_query_path(a.queries, data, a.split);
    TpDb *db = NULL;
    TpQuerySet *qs = NULL;
    TpSubmission *sub = NULL;
    TpPlanResult *rs = NULL;
    const char *inputs[] = {a.plans, qpath};
    rc = harness_refuse_input_as_output("eval", "--per-plan", a.per_plan, inputs, 2, &err);
    if (!rc) rc = tp_queries_load(qpath, &qs, &err);
    if (!rc) rc = tp_submission_read(a.plans, &sub, &err);
    if (!rc) rc = tp_db_open(data, &db, &err);
    if (!rc) {
        rs = calloc((size_t)qs->n, sizeof *rs);
        Buf warn;
        buf_init(&warn);
        tp_eval_submission(db, qs, sub, rs, &warn);
        if (warn.len) fputs(warn.data, stderr);
        buf_free(&warn);
        TpMetrics m;
        tp_metrics_compute(qs->q, rs, qs->n, a.split, &m);
        if (a.per_plan) rc = write_per_plan(a.per_plan, rs, qs->n, &err);
        if (!rc) print_results(&a, &m, rs, qs);
    }
    for (int i = 0; rs && i < qs->n; i++) tp_plan_result_free(&rs[i]);
    free(rs), free(qpath);
    tp_db_close(db), tp_queries_free(qs), tp_submission_free(sub);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_eval[] = {
    {"eval", cmd_eval, "Score a submission file exactly as the official TravelPlanner evaluator.", ""},
    {0}};
