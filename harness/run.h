/* run.h: executing a run (suite split x method x model config) stored in
 * the store, and its metrics.
 *
 * run_execute plans every `ready` item of the run with its method, K at a
 * time (threads sharing the opened suite; the store serializes writes),
 * scores each answer with the suite's evaluator and stores each finished
 * item in its own transaction, so a crash loses at most the items in
 * flight (left `running`, for `imagine resume`). It never redoes `done` or
 * `failed` items and never resets states itself: resume and retry-errors
 * do that (store_items_reset) under the run's lock.
 *
 * Metrics are computed from the stored verdicts only (run_metrics), through
 * the suite's metrics, so they equal `imagine eval` on the same answers.
 * Errors: IM_USAGE (unknown method, bad config), IM_IO (store, data). */
#ifndef IMAGINE_RUN_H
#define IMAGINE_RUN_H

#include <stdio.h>

#include "store.h"

typedef struct RunExec {
    int concurrency;      /* items in flight, >= 1 */
    const char *data_dir; /* NULL: the data dir recorded in the run's config */
    FILE *progress;       /* progress line and summary (stdout); NULL: silent */
    int tty;              /* -1: decide from isatty */
    const long long *only; /* when n_only > 0: run only these query ids */
    int n_only;
} RunExec;

/* Executes the ready items of run_id. *after (if not NULL) receives the
 * run as stored at the end. Returns IM_OK when the run was executed (some
 * items may be left in error: see run_exit_code), else an error code. */
int run_execute(Store *s, long long run_id, const RunExec *ex, StoreRun *after, Err *err);

/* IM_INCOMPLETE when items are left ready, running or error; else IM_OK. */
int run_exit_code(const StoreRun *r);

/* Metrics of a run from its stored verdicts (undelivered: failed, error,
 * ready and running items), with the run's suite opened without its data.
 * Free with run_metrics_free (accepts a zeroed value). */
typedef struct RunMetrics {
    Suite *suite;
    SuiteMetrics m;
} RunMetrics;
int run_metrics(Store *s, const StoreRun *r, RunMetrics *m, Err *err);
void run_metrics_free(RunMetrics *m);
/* The headline rate of the run's metrics (the suite's rates[0]). */
double run_metrics_headline(const RunMetrics *m, const char **key);

/* The run's suite by name (IM_USAGE naming the known ones when unknown). */
int run_suite_find(const StoreRun *r, const SuiteOps **ops, Err *err);
/* The run's items parsed by the suite (items[i].line = position + 1). */
int run_parse_items(const Suite *suite, const StoreItem *items, int n, const char *where, SuiteItem **out, Err *err);
void run_free_items(const Suite *suite, SuiteItem *its, int n);

/* The run's lock: an fcntl lock on byte run_id of "STORE.lock", released
 * by the kernel when the process dies (even by kill -9). IM_IO with the
 * holder's pid when another process executes the run. *fd: -1 until then. */
int run_lock(const Store *s, long long run_id, int *fd, Err *err);
void run_unlock(int fd);
/* The pid of the process executing the run, 0 when none (no lock taken). */
long run_lock_holder(const Store *s, long long run_id);

/* Before a verb that calls a model does anything: the model spec parses
 * (IM_USAGE prefixed "imagine VERB: FLAG") and, unless no_cache, the
 * response cache (NULL: the default file) is none of the n inputs (NULL
 * entries skipped) and opens as a cache. */
int run_model_preflight(const char *verb, const char *flag, const char *spec, const char *cache, int no_cache,
                        const char *const *inputs, int n, Err *err);

#endif
