/* m_reflexion.c: the `reflexion` method. ReAct attempts (react.c); after
 * an attempt that fails (no plan, or a plan that fails the agent's own
 * checks: the number of days, and the cost on the sandbox against the
 * budget, nothing else of the evaluator) the model writes a reflection
 * that the next attempt reads. At most max_attempts (default 3); the last
 * attempt's plan is returned as it is. Prompts: react.txt, reflect.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompts.h"
#include "react.h"

static int init(AgContext *ctx, Err *err) { return ag_llm_init(ctx, "reflexion", 20, err); }

/* The agent's own check of a finished plan: NULL when fine, else why. */
/* Why the attempt's answer looks wrong (the suite's critique), or NULL. */
static char *self_check(AgContext *ctx, const SuiteItem *it, const char *plan_json) {
    return ctx->suite->ops->critique ? ctx->suite->ops->critique(ctx->suite, it, plan_json) : NULL;
}

static int plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    AgLlm *l = ctx->user;
    char *ref = NULL;
    Err rerr = {0};
    if (ag_llm_reference(ctx, it, &ref, &rerr)) {
        ag_result_fail(out, AG_ERROR, "%s", rerr.msg);
        return IM_OK;
    }
    Buf scratch, reflections, all;
    buf_init(&scratch), buf_init(&reflections), buf_init(&all);
    int rc = IM_OK;
    for (int attempt = 1; attempt <= l->max_attempts; attempt++) {
        buf_reset(&scratch);
        if ((rc = ag_react_attempt(ctx, it, ref, reflections.data ? reflections.data : "", &scratch, out, err))) break;
        buf_printf(&all, "=== attempt %d ===\n%s", attempt, scratch.data ? scratch.data : "");
        if (out->outcome == AG_ERROR) break;
        char *why = out->outcome == AG_DONE ? self_check(ctx, it, out->plan_json) : strdup(out->failure ? out->failure : "no plan");
        if (!why || attempt == l->max_attempts) {
            free(why);
            break;
        }
        Buf prompt;
        buf_init(&prompt);
        const char *names[] = {"query", "scratchpad", "reason"}, *values[] = {it->text ? it->text : "", scratch.data ? scratch.data : "", why};
        rc = ag_prompt_render("reflect", names, values, 3, &prompt, err);
        free(why);
        if (rc) {
            buf_free(&prompt);
            break;
        }
        AgMessage m = {"user", prompt.data};
        char *text = NULL;
        int call = ag_llm_call(ctx, "reflection", &m, 1, out, &text, NULL);
        buf_free(&prompt);
        if (call) break; /* AG_ERROR */
        if (!reflections.len) buf_puts(&reflections, "Reflections on your earlier attempts:\n");
        buf_printf(&reflections, "- %s\n", text);
        buf_printf(&all, "=== reflection %d ===\n%s\n", attempt, text);
        free(text);
        free(out->plan_json), out->plan_json = NULL;
    }
    out->raw_text = buf_take(&all);
    buf_free(&scratch), buf_free(&reflections);
    free(ref);
    return rc;
}

const AgMethod ag_method_reflexion = {"reflexion", "ReAct with reflections after failed attempts (bounded attempts).", init, plan,
                                      ag_llm_fini};
