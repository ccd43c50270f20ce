/* m_cot.c: the `cot` method. Sole planning with zero-shot chain of thought: the model reasons step by step, then writes the final plan.
 * Prompt: agents/prompts/cot.txt. Needs a model (llm.h). */
#include "llm.h"

static int init(AgContext *ctx, Err *err) { return ag_llm_init(ctx, "cot", 1, err); }

static int plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    return ag_llm_one_shot(ctx, it, "cot", out, err);
}

const AgMethod ag_method_cot = {"cot", "Sole planning with zero-shot chain of thought: the model reasons step by step, then writes the final plan.", init, plan, ag_llm_fini};
