/* export.h: a run's items as files: the official submission JSONL, one
 * JSON object per item, or CSV. Reads the store; builds into a Buf owned
 * by the caller.
 *
 *   submission  {"idx": I, "query": "...", "plan": [...]} per query in split
 *               order, written as Python's json.dumps writes it; an item
 *               without a plan (failed, error, not run) has "plan": [].
 *   jsonl       one object per item: idx, query, state, plan (or null),
 *               error, latency_ms, tokens, cost, calls, cache_hits,
 *               attempts, and the official per-plan verdicts ("result").
 *   csv         one row per item: idx, state, one column per check
 *               (1, 0, NA for None, empty when not evaluated), latency,
 *               tokens, cost, attempts, error. RFC 4180 quoting. */
#ifndef IMAGINE_EXPORT_H
#define IMAGINE_EXPORT_H

#include "buf.h"
#include "store.h"

typedef struct ExportCounts {
    int written, skipped, with_reflection, passing;
} ExportCounts;

/* The IMAGINE formats (export_imagine.c): sft, sft-prompt-completion,
 * grpo. only_passing keeps the traces whose final plan passes every check.
 * IM_FAIL when a sample format finds no trace to export. */
int export_imagine(Store *s, const StoreRun *r, const char *format, int only_passing, Buf *out, ExportCounts *ct,
                   Err *err);

/* IM_USAGE for an unknown format. */
int export_run(Store *s, const StoreRun *r, const char *format, Buf *out, Err *err);
/* Appends the JSON text json re-serialised as json.dumps does (", " and
 * ": " separators, ASCII escapes); invalid JSON is appended as null. */
void export_py_json(const char *json, Buf *out);

#endif
