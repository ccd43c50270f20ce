/* llm.h: what the prompting methods (m_direct.c ... m_two_stage.c) share:
 * building the model backend and the cache from the run's configuration,
 * one accounted chat call, the reference information of a query, turning
 * the final text into an outcome.
 *
 * Method configuration (ctx->config_json, a JSON object; all optional but
 * "model" when the run machinery has not set ctx->model):
 *   "model": a spec string (model.h) or the spec object
 *   "cache": cache file (default imagine-cache.db), "no_cache": true
 *   "concurrency": requests in flight (overrides the spec's)
 *   "max_steps": step limit of react / two-stage (default 20 / 30)
 *   "max_attempts": attempts of reflexion (default 3)
 * When ctx->model is set on entry it is used as is (borrowed; the caller
 * attached any cache); otherwise ag_llm_init opens the model and cache and
 * ag_llm_fini closes them. Either way ctx->on_backoff, when set, is handed
 * to the model (ag_model_set_backoff). State lives in ctx->user (an AgLlm). */
#ifndef AG_LLM_H
#define AG_LLM_H

#include <cJSON.h>

#include "buf.h"
#include "cache.h"
#include "method.h"
#include "model.h"

typedef struct AgLlm {
    AgModel *model;
    AgCache *cache;
    int own_model;
    int max_steps, max_attempts;
    const char *method;
} AgLlm;

int ag_llm_init(AgContext *ctx, const char *method, int default_steps, Err *err);
void ag_llm_fini(AgContext *ctx);

/* One chat call in the role `role` ("planner", "react-step", "tool-step",
 * "reflection", "judge"; see AgCall); adds tokens, cost, calls and cache
 * hits to res and appends the call to res->call_log, failed or not.
 * Returns IM_OK with *text (malloc'd answer) and, when reasoning is not
 * NULL, the reasoning (malloc'd or NULL). On an infrastructure error sets
 * res to AG_ERROR with the failure and returns IM_IO. */
int ag_llm_call(AgContext *ctx, const char *role, const AgMessage *msgs, int n, AgResult *res, char **text,
                char **reasoning);

/* The same with an explicit model (the multi-agent system has one per
 * role). Thread-safe as the model is: results must differ per thread. */
int ag_llm_call_model(AgModel *model, const char *role, const AgMessage *msgs, int n, AgResult *res, char **text,
                      char **reasoning);

/* The Reasoner's prompt of the `mas` method for an item (agents/prompts/
 * mas_reasoner.txt with ag_llm_reference): the prompt of every exported
 * IMAGINE sample. Appends to out. */
int ag_mas_reasoner_prompt(const AgContext *ctx, const SuiteItem *it, Buf *out, Err *err);

/* The reference information text of an item: the suite's one builder
 * (suite_material). IM_FAIL with the item named when it cannot be built.
 * *out is malloc'd ("" when the suite has no reference information). */
int ag_llm_reference(const AgContext *ctx, const SuiteItem *it, char **out, Err *err);

/* Reads text as the final answer with the suite's extract: AG_DONE with
 * plan_json, or AG_FAILED with the reason. raw_text is not touched. */
void ag_llm_finish(const AgContext *ctx, const SuiteItem *it, AgResult *res, const char *text);

/* The sole-planning one-shot methods (direct, cot, thinking): the prompt
 * `prompt` with the item's reference information, one call, the answer
 * parsed. Fills res (any outcome); returns IM_OK, or an error that must
 * stop the run (a prompt missing from the build). */
int ag_llm_one_shot(AgContext *ctx, const SuiteItem *it, const char *prompt, AgResult *res, Err *err);

/* Sets a result to `outcome` with a formatted failure. */
void ag_result_fail(AgResult *res, AgOutcome outcome, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The SHA-256 (hex) of the prompts a method uses, for the run's recorded
 * configuration: a change of prompt text changes it. NULL names: "". */
void ag_method_prompt_hash(const char *method, char hex[65]);

#endif
