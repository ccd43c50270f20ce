/* pb_verbs.h: the PlanBench side of the verbs that take --suite planbench
 * (eval, bench eval). Each verb's handler
 * calls pb_suite_requested() first and hands over when it says so. */
#ifndef IMAGINE_PB_VERBS_H
#define IMAGINE_PB_VERBS_H

/* 1 when argv holds "--suite planbench" (or --suite=planbench). */
int pb_suite_requested(int argc, char **argv);
int pb_verb_eval(int argc, char **argv);
int pb_verb_bench_eval(int argc, char **argv);

#endif
