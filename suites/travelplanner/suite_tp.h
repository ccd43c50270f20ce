/* suite_tp.h: TravelPlanner's suite table (suite_tp.c) and the few
 * functions of it that TravelPlanner's own files and tests share. Nothing
 * outside suites/travelplanner/ (and its tests) includes this header. */
#ifndef TP_SUITE_TP_H
#define TP_SUITE_TP_H

#include "cost.h"
#include "evaluate.h"
#include "reference.h"
#include "suite.h"

extern const SuiteOps suite_travelplanner;

/* The TravelPlanner views of generic values (borrowed). */
const TpQuery *tp_suite_query(const SuiteItem *it);
const TpDb *tp_suite_db(const Suite *s);
/* The official final pass of one evaluated plan. */
int tp_plan_final_pass(const TpPlanResult *r);
/* The six per-query rate parts (delivery, commonsense micro, commonsense
 * macro, hard micro, hard macro, final), sum(num)/sum(den) the rate. */
void tp_rate_parts(const TpQuery *q, const TpPlanResult *r, double num[6], double den[6]);
/* The items_stats op (qstats.c). */
void tp_items_stats(const Suite *s, const SuiteItems *items, const char *name, const SuiteItems *against, const char *against_name,
                    int json, Buf *out);
/* `imagine eval` and `imagine bench eval` (eval_file.c, bench_eval.c). */
extern const SuiteOption tp_eval_options[];
int tp_eval_file(const char *data_dir, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err);
int tp_bench_open(const char *data_dir, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err);
int tp_bench_eval_once(SuiteBench *b, int i, Err *err);
void tp_bench_close(void *native);

#endif
