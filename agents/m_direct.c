/* m_direct.c: the `direct` method. Sole planning: the query's reference information and the request in one prompt, the answer parsed as the plan.
 * Prompt: agents/prompts/direct.txt. Needs a model (llm.h). */
#include "llm.h"

static int init(AgContext *ctx, Err *err) { return ag_llm_init(ctx, "direct", 1, err); }

static int plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    return ag_llm_one_shot(ctx, it, "direct", out, err);
}

const AgMethod ag_method_direct = {"direct", "Sole planning: the query's reference information and the request in one prompt, the answer parsed as the plan.", init, plan, ag_llm_fini};
