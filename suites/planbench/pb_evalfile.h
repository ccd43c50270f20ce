/* pb_evalfile.h: PlanBench's `imagine eval` and `imagine bench eval`
 * (the suite table's eval_file and bench ops; evalfile.c, bench.c). */
#ifndef IMAGINE_PB_EVALFILE_H
#define IMAGINE_PB_EVALFILE_H

#include "suite.h"

extern const SuiteOption pb_eval_options[], pb_bench_options[];
int pb_eval_file(const char *data_dir, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err);
int pb_bench_open(const char *data_dir, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err);
int pb_bench_eval_once(SuiteBench *b, int i, Err *err);
void pb_bench_close(void *native);

#endif
