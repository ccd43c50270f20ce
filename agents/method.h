/* method.h: what a planning method is, for the run machinery.
 *
 * A method turns one query into a plan. It is called once per item of a run
 * (possibly from several items at once: a method must not keep per-query
 * state in globals). The run machinery (harness/run.c) scores the plan
 * with the evaluator and stores everything; a method never writes to the
 * store.
 *
 * Outcome of one call (AgOutcome):
 *   AG_DONE    a plan was produced: `plan_json` is the JSON array of days
 *              in the submission form (the value of "plan").
 *   AG_FAILED  the method did not deliver a plan (a result, e.g. the model
 *              answered text that cannot be parsed, the solver proved the
 *              query infeasible): `failure` says why.
 *   AG_ERROR   infrastructure failed (timeout, 5xx, 429 after all retries,
 *              crash): `failure` says what; the item may be retried.
 * All strings of an AgResult are malloc'd and owned by the result;
 * ag_result_free releases them and accepts a zeroed result. */
#ifndef AG_METHOD_H
#define AG_METHOD_H

#include "db.h"
#include "err.h"
#include "query.h"

typedef enum { AG_DONE = 0, AG_FAILED = 1, AG_ERROR = 2 } AgOutcome;

typedef struct AgResult {
    AgOutcome outcome;
    char *plan_json;   /* AG_DONE: JSON array of day objects */
    char *raw_text;    /* the model's raw output (or the solver's log), may be NULL */
    char *reasoning;   /* reasoning text kept apart from the answer, may be NULL */
    char *failure;     /* AG_FAILED / AG_ERROR: why */
    long tokens_in, tokens_out;
    double cost_usd;
    int cache_hits, calls;
} AgResult;

/* What every method gets: the sandbox, the run's options, and the model
 * backend when it uses one (opaque here; see model.h). */
typedef struct AgContext {
    const TpDb *db;
    const char *data_dir;       /* for reference information files */
    const char *config_json;    /* the run's full method configuration, may be NULL */
    unsigned long long seed;
    void *model;                /* model backend, NULL for model-free methods */
    void *user;                 /* method-specific state made by init */
} AgContext;

typedef struct AgMethod {
    const char *name;           /* "solver", "greedy", "direct", ... */
    const char *summary;
    /* Optional: prepare per-run state in ctx->user from the run's config. */
    int (*init)(AgContext *ctx, Err *err);
    /* Plans one query. Returns IM_OK after filling *out (any outcome); a
     * non-zero return is a programming or I/O error that stops the run. */
    int (*plan)(AgContext *ctx, const TpQuery *q, AgResult *out, Err *err);
    void (*fini)(AgContext *ctx);
} AgMethod;

/* Every method of agents/, found by name (NULL when unknown). Each
 * agents/m_NAME.c defines `const AgMethod ag_method_NAME`; CMake lists them. */
const AgMethod *ag_method_find(const char *name);
/* NULL-terminated list of all methods. */
const AgMethod *const *ag_methods(void);
void ag_result_free(AgResult *r);

#endif
