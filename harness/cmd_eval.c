/* cmd_eval.c: `imagine eval`: judge a file of answers with a suite's own
 * evaluator, one verb for every suite (suite_eval_file, suites/suite.h).
 * It parses the options every suite shares (and the suite's own, which it
 * passes on as given), finds the data folder and prints what the suite
 * wrote: TravelPlanner's official outputs, PlanBench's issue-11 counts. */
#include <stdio.h>
#include <stdlib.h>

#include "suite.h"
#include "verbs.h"

static int cmd_eval(int argc, char **argv) {
    Err err = {0};
    const SuiteOps *ops = harness_suite_of("eval", argc, argv, &err);
    if (!ops) return harness_fail(&err);
    SuiteEvalArgs a = {0};
    const char *suite = NULL, *data = NULL, *plans = NULL, *answers = NULL, *per_plan = NULL, *per_item = NULL;
    const CliOpt common[] = {
        {"--suite", CLI_STR, &suite, "NAME", "the benchmark (default: travelplanner; planbench)"},
        {"--split", CLI_STR, &a.split, "S", "TravelPlanner: train, validation or test (official denominators for a whole split)"},
        {"--variant", CLI_STR, &a.split, "V", "PlanBench's word for --split: the variant of the answers"},
        {"--queries", CLI_STR, &a.items, "FILE", "a file of items in the suite's form (TravelPlanner default: DATA/queries/SPLIT.jsonl)"},
        {"--plans", CLI_STR, &plans, "FILE", "the answers: TravelPlanner's submission file (one {\"idx\",\"query\",\"plan\"} line per query)"},
        {"--answers", CLI_STR, &answers, "FILE.json", "the same as --plans: PlanBench's results format (results/VARIANT/MODEL/task_1_*.json)"},
        {"--per-plan", CLI_STR, &per_plan, "OUT.jsonl", "write the per-item verdicts (TravelPlanner: the official per-plan lines)"},
        {"--per-item", CLI_STR, &per_item, "OUT.jsonl", "the same as --per-plan (PlanBench: {instance_id, correct, plan, reason} lines)"},
        {"--json", CLI_FLAG, &a.json, NULL, "print the suite's figures as one JSON object"},
        {"--data", CLI_STR, &data, "DIR", "the suite's data (default: its environment variable, else ../shared/NAME)"},
        {0}};
    int rc = harness_parse_suite_opts("eval", argc, argv, common, ops->eval_options, a.opt, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    a.answers = plans ? plans : answers, a.answers_flag = plans ? "--plans" : "--answers";
    a.per_item = per_plan ? per_plan : per_item, a.per_item_flag = per_plan ? "--per-plan" : "--per-item";
    if (plans && answers) return err_set(&err, IM_USAGE, "imagine eval: --plans and --answers are one option: give one"), harness_fail(&err);
    if (per_plan && per_item)
        return err_set(&err, IM_USAGE, "imagine eval: --per-plan and --per-item are one option: give one"), harness_fail(&err);
    char *dir = suite_data_dir(ops, data);
    Buf out, warn;
    buf_init(&out), buf_init(&warn);
    rc = suite_eval_file(ops, dir, &a, &out, &warn, &err);
    if (warn.len) fputs(warn.data, stderr);
    if (!rc) fwrite(out.data ? out.data : "", 1, out.len, stdout);
    buf_free(&out), buf_free(&warn);
    free(dir);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_eval[] = {
    {"eval", cmd_eval,
     "Judge a file of answers with the suite's own evaluator (TravelPlanner: exactly as the official evaluator; PlanBench: VAL semantics).",
     ""},
    {0}};
