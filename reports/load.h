/* load.h: filling the report model from submission files.
 *
 * rp_load_plans evaluates a submission file on the fly (the official
 * evaluator, pairing lines with queries by position as eval.py does) and
 * labels the run by the file name. Runs from the store are built by
 * harness/cmd_report.c through the store's read API (harness/store.h).
 * Runs returned are owned by the caller (rp_run_free); on error *out is
 * NULL and err names the file and what was expected. Warnings (short files,
 * unreadable plan lines) are appended to warn when not NULL. */
#ifndef RP_LOAD_H
#define RP_LOAD_H

#include "db.h"
#include "model.h"

/* The label of a submission path: its base name without ".jsonl". Returns
 * a malloc'd string. A path given as LABEL=FILE is labelled LABEL by
 * rp_load_plans_labelled. */
char *rp_plans_label(const char *path);
int rp_load_plans(const TpDb *db, const TpQuerySet *qs, const char *split, const char *path, RpRun **out, Buf *warn,
                  Err *err);
/* "LABEL=FILE" (split at the last =; LABEL without /) or "FILE": splits the argument; returns
 * the label (malloc'd) and points *file into arg. */
char *rp_plans_arg(const char *arg, const char **file);

#endif
