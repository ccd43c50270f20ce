/* m_react.c: the `react` method. Sole planning as a thought / action /
 * observation loop: CostEnquiry[day] prices a sub-plan on the sandbox,
 * Finish[plan] ends; at most max_steps turns (default 20), after which
 * the item is failed. Prompt: agents/prompts/react.txt. */
#include <stdlib.h>

#include "react.h"

static int init(AgContext *ctx, Err *err) { return ag_llm_init(ctx, "react", 20, err); }

static int plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    char *ref = NULL;
    Err rerr = {0};
    if (ag_llm_reference(ctx, it, &ref, &rerr)) {
        ag_result_fail(out, AG_ERROR, "%s", rerr.msg);
        return IM_OK;
    }
    Buf scratch;
    buf_init(&scratch);
    int rc = ag_react_attempt(ctx, it, ref, NULL, &scratch, out, err);
    out->raw_text = buf_take(&scratch);
    free(ref);
    return rc;
}

const AgMethod ag_method_react = {"react", "ReAct sole planning: thoughts, CostEnquiry on sub-plans, Finish with the plan (step limit).",
                                  init, plan, ag_llm_fini};
