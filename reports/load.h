/* load.h: filling the report model from submission files or the store.
 *
 * rp_load_plans evaluates a submission file on the fly (the official
 * evaluator, pairing lines with queries by position as eval.py does) and
 * labels the run by the file name. rp_load_store reads one run, by id or by
 * name, from the SQLite store with plain SQL on the documented schema and
 * re-evaluates its plans for the verdict messages. Runs returned are owned
 * by the caller (rp_run_free); on error *out is NULL and err names the file
 * or run and what was expected. Warnings (short files, unreadable plan
 * lines) are appended to warn when not NULL. */
#ifndef RP_LOAD_H
#define RP_LOAD_H

#include "db.h"
#include "model.h"

/* The label of a submission path: its base name without ".jsonl". Returns
 * a malloc'd string. */
char *rp_plans_label(const char *path);
int rp_load_plans(const TpDb *db, const TpQuerySet *qs, const char *split, const char *path, RpRun **out, Buf *warn,
                  Err *err);
/* Loads run `which` (an id or a name) from the store at path; db is used to
 * re-evaluate plans (messages); NULL keeps the stored verdicts only. */
int rp_load_store(const char *path, const char *which, const TpDb *db, RpRun **out, Buf *warn, Err *err);

#endif
