/* load.h: filling the report model from answer files.
 *
 * rp_load_plans evaluates an answer file in the suite's own format on the
 * fly (TravelPlanner: a submission file, lines paired with items by
 * position as eval.py pairs them; PlanBench: a results file of the
 * authors) through the suite interface (answers_open, answer, evaluate)
 * and labels the run by the file name. Runs from the store are built by
 * harness/cmd_report.c through the store's read API (harness/store.h).
 * Runs returned are owned by the caller (rp_run_free); on error *out is
 * NULL and err names the file and what was expected. Warnings (items the
 * file answers nothing for) are appended to warn when not NULL. */
#ifndef RP_LOAD_H
#define RP_LOAD_H

#include "model.h"

/* The label of a submission path: its base name without ".jsonl" or
 * ".json". Returns a malloc'd string. A path given as LABEL=FILE is
 * labelled LABEL by rp_plans_arg. */
char *rp_plans_label(const char *path);
/* items: the split's items (split: its name, or NULL for a file of items). */
int rp_load_plans(const Suite *s, const SuiteItems *items, const char *split, const char *path, RpRun **out, Buf *warn,
                  Err *err);
/* "LABEL=FILE" (split at the last =; LABEL without /) or "FILE": splits the argument; returns
 * the label (malloc'd) and points *file into arg. */
char *rp_plans_arg(const char *arg, const char **file);

#endif
