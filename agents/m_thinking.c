/* m_thinking.c: the `thinking` method. Sole planning with a reasoning model: its reasoning is stored apart, its answer is parsed as the plan.
 * Prompt: agents/prompts/thinking.txt. Needs a model (llm.h). */
#include "llm.h"

static int init(AgContext *ctx, Err *err) { return ag_llm_init(ctx, "thinking", 1, err); }

static int plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    return ag_llm_one_shot(ctx, it, "thinking", out, err);
}

const AgMethod ag_method_thinking = {"thinking", "Sole planning with a reasoning model: its reasoning is stored apart, its answer is parsed as the plan.", init, plan, ag_llm_fini};
