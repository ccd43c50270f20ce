/* m_two_stage.c: the `two-stage` method. Stage 1: a tool-using agent
 * gathers information with the suite's "two-stage" tool set (TravelPlanner:
 * the official tools on the sandbox) and writes it in a notebook, at most
 * max_steps turns (default 30); stage 2: the planner writes the plan from
 * the notebook, and the answer is parsed. If the agent never calls
 * Planner, the planner runs on the notebook when the steps are spent.
 * Prompts: tools.txt, planner.txt. */
#include <stdlib.h>

#include "prompts.h"
#include "react.h"

static int init(AgContext *ctx, Err *err) { return ag_llm_init(ctx, "two-stage", 30, err); }

static int planner(AgContext *ctx, const SuiteItem *it, void *tools, Buf *log, AgResult *out, Err *err) {
    Buf prompt;
    buf_init(&prompt);
    const char *notes = ctx->suite->ops->tools_notes ? ctx->suite->ops->tools_notes(tools) : NULL;
    const char *names[] = {"notebook", "query"};
    const char *values[] = {notes ? notes : "(empty)", it->text ? it->text : ""};
    int rc = ag_prompt_render("planner", names, values, 2, &prompt, err);
    if (!rc) {
        AgMessage m = {"user", prompt.data};
        char *text = NULL, *reasoning = NULL;
        if (ag_llm_call(ctx, "planner", &m, 1, out, &text, &reasoning) == IM_OK) {
            buf_printf(log, "=== planner ===\n%s\n", text);
            out->reasoning = reasoning;
            ag_llm_finish(ctx, it, out, text);
            free(text);
        }
    }
    buf_free(&prompt);
    return rc;
}

static int plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    AgLlm *l = ctx->user;
    void *tools = NULL;
    if (!ctx->suite->ops->tools_open)
        return err_set(err, IM_USAGE, "method two-stage: suite %s has no tools", ctx->suite->ops->name);
    int trc = ctx->suite->ops->tools_open(ctx->suite, it, "two-stage", &tools, err);
    if (trc) return trc;
    Buf scratch, prompt, obs;
    buf_init(&scratch), buf_init(&prompt), buf_init(&obs);
    int rc = IM_OK, plan_now = 0, broken = 0;
    for (int step = 1; step <= l->max_steps && !plan_now; step++) {
        buf_printf(&scratch, "Thought %d:", step);
        buf_reset(&prompt);
        const char *names[] = {"query", "scratchpad"}, *values[] = {it->text ? it->text : "", scratch.data};
        if ((rc = ag_prompt_render("tools", names, values, 2, &prompt, err))) break;
        AgMessage m = {"user", prompt.data};
        char *text = NULL;
        if (ag_llm_call(ctx, "tool-step", &m, 1, out, &text, NULL)) {
            broken = 1;
            break;
        }
        char *thought, *action;
        ag_react_split(text, &thought, &action);
        free(text);
        buf_printf(&scratch, " %s\n", thought);
        buf_reset(&obs);
        if (action) {
            buf_printf(&scratch, "Action %d: %s\n", step, action);
            plan_now = ctx->suite->ops->tools_run(tools, action, &obs) == SUITE_TOOL_FINAL;
        } else
            buf_puts(&obs, "Invalid action. Write one line 'Action N: Tool[arguments]'.");
        free(thought), free(action);
        if (!plan_now) buf_printf(&scratch, "Observation %d: %s\n", step, obs.data);
    }
    if (!rc && !broken) rc = planner(ctx, it, tools, &scratch, out, err);
    out->raw_text = buf_take(&scratch);
    buf_free(&prompt), buf_free(&obs);
    ctx->suite->ops->tools_close(tools);
    return rc;
}

const AgMethod ag_method_two_stage = {"two-stage", "Tool agent on the sandbox (official tool set) fills a notebook; the planner plans from it.",
                                      init, plan, ag_llm_fini};
