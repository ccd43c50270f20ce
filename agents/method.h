/* method.h: what a planning method is, for the run machinery.
 *
 * A method turns one item of a suite (suites/suite.h: a TravelPlanner
 * query, a PlanBench instance) into an answer, reaching the suite only
 * through its interface (material, tools, extract, solve, answers). It is
 * called once per item of a run
 * (possibly from several items at once: a method must not keep per-query
 * state in globals). The run machinery (harness/run.c) scores the plan
 * with the evaluator and stores everything; a method never writes to the
 * store.
 *
 * Outcome of one call (AgOutcome):
 *   AG_DONE    an answer was produced: `plan_json` is the answer in the
 *              suite's form (TravelPlanner: the JSON array of days, the
 *              value of a submission line's "plan").
 *   AG_FAILED  the method did not deliver a plan (a result, e.g. the model
 *              answered text that cannot be parsed, the solver proved the
 *              query infeasible): `failure` says why.
 *   AG_ERROR   infrastructure failed (timeout, 5xx, 429 after all retries,
 *              crash): `failure` says what; the item may be retried.
 * Every model call the method made for the query, in order (failed calls
 * after all their retries included), is one AgCall in `call_log`; the run
 * machinery stores them in llm_call with the item.
 * All strings of an AgResult (and of its AgCalls) and the call_log array
 * are malloc'd and owned by the result; ag_result_free releases them and
 * accepts a zeroed result. */
#ifndef AG_METHOD_H
#define AG_METHOD_H

#include "err.h"
#include "suite.h"

typedef enum { AG_DONE = 0, AG_FAILED = 1, AG_ERROR = 2 } AgOutcome;

/* One chat call as the store's llm_call records it. */
typedef struct AgCall {
    char role[24];          /* "planner", "react-step", "tool-step", "reflection", "judge" */
    char request_hash[65];  /* the request's cache key (hex SHA-256) */
    char *model;            /* the request's "model" field */
    char *finish_reason;    /* NULL when not given */
    char *error;            /* !ok: why (all retries spent); else NULL */
    int ok;                 /* 1: an answer came (from the model or the cache) */
    int cache_hit;          /* 1: answered from the cache: no tokens, no cost */
    int attempts;           /* HTTP attempts (0 on a cache hit) */
    int http_status;        /* of the last attempt, 0 when none */
    long tokens_in, tokens_out;
    double cost_usd, latency_ms;
    double at;              /* unix seconds when the call ended */
} AgCall;

typedef struct AgResult {
    AgOutcome outcome;
    char *plan_json;   /* AG_DONE: the answer JSON in the suite's form */
    char *raw_text;    /* the model's raw output (or the solver's log), may be NULL */
    char *reasoning;   /* reasoning text kept apart from the answer, may be NULL */
    char *failure;     /* AG_FAILED / AG_ERROR: why */
    long tokens_in, tokens_out;
    double cost_usd;
    int cache_hits, calls;
    AgCall *call_log;  /* n_call_log calls in the order they were made */
    int n_call_log, cap_call_log;
} AgResult;

/* What every method gets: the suite with its data, the run's options, and
 * the model backend when it uses one (opaque here; see model.h). */
typedef struct AgContext {
    const Suite *suite;         /* opened with its data; shared by the run's threads */
    const char *data_dir;       /* the suite's data folder */
    const char *config_json;    /* the run's full method configuration, may be NULL */
    unsigned long long seed;
    void *model;                /* model backend, NULL for model-free methods */
    void *user;                 /* method-specific state made by init */
    /* Optional: told when a model call starts waiting `seconds` before a
     * retry (why: "HTTP 429", "timeout", ...). Called from the model's I/O
     * thread, possibly while other threads call it too: it must be
     * thread-safe and must not call back into the model. Set before init;
     * ag_llm_init hands it to the model. */
    void (*on_backoff)(void *arg, double seconds, const char *why);
    void *on_backoff_arg;
} AgContext;

typedef struct AgMethod {
    const char *name;           /* "solver", "greedy", "direct", ... */
    const char *summary;
    /* Optional: prepare per-run state in ctx->user from the run's config. */
    int (*init)(AgContext *ctx, Err *err);
    /* Answers one item. Returns IM_OK after filling *out (any outcome); a
     * non-zero return is a programming or I/O error that stops the run. */
    int (*plan)(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err);
    void (*fini)(AgContext *ctx);
} AgMethod;

/* Every method of agents/, found by name (NULL when unknown). Each
 * agents/m_NAME.c defines `const AgMethod ag_method_NAME`; CMake lists them. */
const AgMethod *ag_method_find(const char *name);
/* NULL-terminated list of all methods. */
const AgMethod *const *ag_methods(void);
void ag_result_free(AgResult *r);
/* Appends a copy of *c (its strings duplicated) to r->call_log. IM_IO when
 * out of memory (then nothing is added). */
int ag_result_add_call(AgResult *r, const AgCall *c);

#endif
