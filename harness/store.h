/* store.h: the SQLite store of runs (one file, default imagine.db).
 *
 * store_open looks at the file before it writes anything: a file that is
 * not imagine's (another SQLite database, or not SQLite at all), one made
 * by a newer imagine (PRAGMA user_version above STORE_SCHEMA_VERSION), or
 * one that is read-only (not writable, or no write permission bit even for
 * root) is refused with IM_IO and left untouched. An older store is migrated
 * forward in place, all steps inside one transaction. Then: WAL, foreign
 * keys on, a busy timeout so that `imagine status` can read while a run
 * writes. Every statement binds its parameters (model text is untrusted).
 *
 * Threads: one Store is one connection guarded by one mutex; every store_*
 * function takes it, so the workers of a run may call them concurrently.
 *
 * Ownership: a Store is made by store_open and freed by store_close (which
 * accepts NULL). Every StoreRun / StoreItem string is malloc'd and owned by
 * the struct; the *_free functions release them and accept NULL / zeroed
 * values. Errors: IM_IO for database and file errors (naming the store file
 * and SQLite's message), IM_USAGE for an unknown run.
 *
 * Reading API for reports: store_run_get, store_run_list, store_items
 * (each item with its query, its state and its verdicts as a SuiteEval
 * without native: the suite's verdicts_load rebuilds its own view, so its
 * metrics and per-item JSON apply). Suites, items, verdicts and metrics
 * are generic (suites/suite.h): the store never reads a suite's types. */
#ifndef IMAGINE_STORE_H
#define IMAGINE_STORE_H

#include <sqlite3.h>

#include "err.h"
#include "suite.h"

#define STORE_SCHEMA_VERSION 4
#define STORE_APPLICATION_ID 0x494d4147 /* "IMAG" in PRAGMA application_id */
#define STORE_DEFAULT_PATH "imagine.db"

typedef struct Store Store;

/* create: 1 makes a new store when path does not exist (run); 0 fails with
 * IM_IO and a hint when it does not (every reading verb). */
int store_open(const char *path, int create, Store **out, Err *err);
void store_close(Store *s);
const char *store_path(const Store *s);

/* ---- item states -------------------------------------------------------- */

enum { ST_READY, ST_RUNNING, ST_DONE, ST_FAILED, ST_ERROR, ST_NSTATES };
const char *store_state_name(int st);    /* "ready", ... */
int store_state_parse(const char *name); /* -1 when unknown */

/* ---- reading ------------------------------------------------------------ */

typedef struct StoreRun {
    long long id;
    char *name;                     /* NULL when the run has no --name */
    char *method, *method_config;   /* method name and its config JSON */
    char *model;                    /* model name ("none" for model-free methods) */
    char *suite, *split;            /* "travelplanner", "train" (PlanBench: the variant) */
    char *status;                   /* "running", "complete", "incomplete" */
    char *git_rev, *config_json;    /* imagine's revision, the full run config */
    long long seed;
    double started, finished;       /* unix seconds; finished 0 when never */
    double active_s;                /* seconds spent executing, over all sessions */
    int n_items, n_state[ST_NSTATES];
    long long tokens_in, tokens_out;
    double cost;                    /* USD */
} StoreRun;

/* ref: a run id ("12") or its name. IM_USAGE when there is no such run. */
int store_run_get(Store *s, const char *ref, StoreRun *out, Err *err);
int store_run_get_id(Store *s, long long id, StoreRun *out, Err *err);
/* All runs, oldest first. */
int store_run_list(Store *s, StoreRun **out, int *n, Err *err);
void store_run_free(StoreRun *r);
void store_runs_free(StoreRun *rs, int n);

typedef struct StoreItem {
    long long query_id;
    int pos;                 /* 0-based position in the run (split order) */
    int idx;                 /* the query's "idx" */
    char *query_json;        /* the item's fields_json as stored */
    char *query_text;        /* its "query" field ("" when none) */
    int state;               /* ST_* */
    char *plan_json;         /* done: the plan (JSON array); else NULL */
    char *raw_text, *reasoning;
    char *error;             /* failed / error: why */
    double latency_ms;
    long long tokens_in, tokens_out;
    double cost;
    int calls, cache_hits, attempts;
    double started, finished; /* unix seconds, 0 when never */
    /* Verdicts from the verdict table, in stored order: eval.delivered is
     * 1 exactly for done items, eval.cost the stored plan cost (has_cost
     * when stored). Messages are filled when with_checks is 2. Verdict
     * family and name point into names (owned by the item). */
    SuiteEval eval;
    char *names;
    size_t names_len, names_cap;
} StoreItem;

/* The llm_call rows of a run, summed. Latency figures are over the calls
 * that reached the model (not cache hits); 0 when there are none. */
typedef struct StoreCallStats {
    long long calls, ok, errors, cache_hits, attempts;
    long long tokens_in, tokens_out;
    double cost;                /* USD */
    double latency_mean_ms, latency_p95_ms; /* p95: nearest rank */
} StoreCallStats;

int store_call_stats(Store *s, long long run_id, StoreCallStats *out, Err *err);

/* Items of a run in split order. with_checks: 0 none, 1 verdicts, 2 with
 * their messages. */
int store_items(Store *s, long long run_id, int with_checks, StoreItem **out, int *n, Err *err);
void store_items_free(StoreItem *items, int n);

/* ---- writing (harness/run.c) ------------------------------------------- */

/* Wall-clock unix seconds: the store's clock for started/finished. */
double store_now(void);

/* Inserts the suite (identified by name, split and a digest of its items'
 * fields_json) and its items unless present; *suite_id receives its id.
 * strata: each item's stratum text (suite_item_stratum), n = items->n. */
int store_suite_put(Store *s, const char *name, const char *split, const char *source, const SuiteItems *items,
                    const char *const *strata, long long *suite_id, Err *err);

typedef struct StoreRunSpec {
    const char *name;          /* NULL: unnamed */
    const char *method, *method_config;
    const char *model, *model_backend, *model_config;
    long long suite_id;
    int n_queries;             /* the first n queries of the suite become items */
    long long seed;
    const char *git_rev, *config_json;
} StoreRunSpec;

/* Creates the run and one `ready` item per query, in one transaction.
 * IM_USAGE when the name is taken. */
int store_run_create(Store *s, const StoreRunSpec *spec, long long *run_id, Err *err);

/* ready -> running (attempts + 1). */
int store_item_claim(Store *s, long long run_id, long long query_id, Err *err);

/* One model call of an item, for the llm_call table (strings borrowed). */
typedef struct StoreCall {
    const char *role;          /* "planner", "react-step", ... */
    const char *request_hash;  /* the cache key (hex) */
    const char *model;         /* may be NULL */
    const char *finish_reason; /* may be NULL */
    const char *error;         /* NULL for an ok call */
    int ok, cache_hit, attempts, http_status;
    long long tokens_in, tokens_out;
    double cost, latency_ms;
    double at;                 /* unix seconds the call ended; 0: now */
} StoreCall;

typedef struct StoreFinish {
    long long query_id;
    int state;                 /* ST_DONE, ST_FAILED or ST_ERROR */
    const char *plan_json, *raw_text, *reasoning, *error;
    double latency_ms;
    long long tokens_in, tokens_out;
    double cost;
    int calls, cache_hits;
    const SuiteEval *eval;      /* ST_DONE: the verdicts (and cost) to store */
    double active_s;            /* seconds to add to the run's active time */
    const StoreCall *llm_calls; /* the item's model calls, appended to llm_call */
    int n_llm_calls;
} StoreFinish;

/* One transaction: the item row, its checks (replacing any), its model
 * calls (added: the calls of earlier attempts of the item stay), the
 * run's active time. */
int store_item_finish(Store *s, long long run_id, const StoreFinish *f, Err *err);

/* Sets items of state `from` back to `ready`; *changed gets how many. */
int store_items_reset(Store *s, long long run_id, int from, int *changed, Err *err);
/* status: "running", "complete" or "incomplete"; finished: 0 keeps it. */
int store_run_set_status(Store *s, long long run_id, const char *status, double finished, Err *err);
/* Replaces the run's rows of the metric table. */
int store_metrics_put(Store *s, long long run_id, const SuiteMetrics *m, Err *err);

/* ---- schema (store_schema.c), exposed for the migration tests ----------- */

typedef struct StoreMigration {
    int version;     /* user_version after this step */
    const char *sql; /* statements, run inside the migration transaction */
} StoreMigration;

extern const StoreMigration store_migrations[];
extern const int store_n_migrations;

/* Runs the steps of list above the file's user_version up to `target`,
 * in one transaction (BEGIN IMMEDIATE), setting application_id and
 * user_version; on any failure everything is rolled back. */
int store_migrate(sqlite3 *db, const char *path, const StoreMigration *list, int n, int target, Err *err);

/* The connection, for tests and store_*.c. Not locked. */
sqlite3 *store_sqlite(Store *s);

#endif
