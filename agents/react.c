/* react.c: one model turn -> thought + action, and the sole-planning ReAct
 * loop (CostEnquiry on a day, Finish with the plan). Bounded: at most
 * max_steps model calls per attempt. */
#include "cost.h"
#include "react.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prompts.h"

/* End of the bracketed argument starting at open ('['), balanced, with
 * JSON strings skipped; NULL when unbalanced. */
static const char *bracket_end(const char *open) {
    int depth = 0, in_str = 0;
    for (const char *p = open; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
            continue;
        }
        if (*p == '"') in_str = 1;
        else if (*p == '[') depth++;
        else if (*p == ']' && --depth == 0) return p;
    }
    return NULL;
}

/* The first line starting "Action" (decorated: "**Action 2:**"). */
static const char *find_action_line(const char *turn, const char **after_colon) {
    for (const char *line = turn; line && *line;) {
        const char *s = line;
        while (*s == ' ' || *s == '*' || *s == '-') s++;
        if (!strncasecmp(s, "action", 6)) {
            const char *p = s + 6;
            while (*p == ' ' || isdigit((unsigned char)*p) || *p == '*') p++;
            if (*p == ':') {
                p++;
                while (*p == ' ' || *p == '*') p++;
                *after_colon = p;
                return line;
            }
        }
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

int ag_react_split(const char *turn, char **thought, char **action) {
    *thought = *action = NULL;
    const char *arg = NULL, *line = find_action_line(turn, &arg);
    const char *tend = line ? line : turn + strlen(turn);
    const char *t = turn;
    while (*t == ' ' || *t == '*' || *t == '\n') t++;
    if (!strncasecmp(t, "thought", 7)) { /* drop the "Thought N:" label */
        const char *c = strchr(t, ':');
        if (c && c < tend) t = c + 1;
    }
    while (t < tend && isspace((unsigned char)*t)) t++;
    while (tend > t && isspace((unsigned char)tend[-1])) tend--;
    *thought = strndup(t, (size_t)(tend - t));
    if (!line) return 0;
    const char *open = strchr(arg, '['), *nl = strchr(arg, '\n');
    if (!open || (nl && open > nl)) { /* an action without brackets: up to the end of the line */
        *action = nl ? strndup(arg, (size_t)(nl - arg)) : strdup(arg);
        return 0;
    }
    const char *close = bracket_end(open);
    if (!close) close = strrchr(open, ']');
    *action = close ? strndup(arg, (size_t)(close - arg + 1)) : strdup(arg);
    return 0;
}

/* "Name[arg]" -> the argument (malloc'd) when the name matches. */
static char *action_arg(const char *action, const char *name) {
    size_t n = strlen(name);
    if (strncasecmp(action, name, n) || action[n] != '[') return NULL;
    const char *close = strrchr(action, ']');
    if (!close || close < action + n) return NULL;
    return strndup(action + n + 1, (size_t)(close - action - n - 1));
}

static void observe(AgContext *ctx, const SuiteItem *it, void *tools, const char *action, Buf *obs, AgResult *res,
                    int *finished) {
    char *arg;
    *finished = 0;
    if ((arg = action_arg(action, "Finish"))) {
        char *plan = NULL;
        Err err = {0};
        if (!ctx->suite->ops->extract) err_set(&err, IM_FAIL, "the suite reads no answer from text");
        if (ctx->suite->ops->extract && ctx->suite->ops->extract(ctx->suite, it, arg, &plan, &err) == IM_OK) {
            free(res->plan_json), free(res->failure);
            res->plan_json = plan, res->failure = NULL;
            res->outcome = AG_DONE;
            *finished = 1;
        } else
            buf_printf(obs, "The plan could not be read (%s). Give Finish a JSON array of day objects.", err.msg);
    } else if (!tools || ctx->suite->ops->tools_run(tools, action, obs) == SUITE_TOOL_INVALID) {
        buf_reset(obs);
        buf_puts(obs, "Invalid action. The actions are CostEnquiry[<a day as a JSON object>] and Finish[<the plan as a JSON array>].");
    }
    free(arg);
}

int ag_react_attempt(AgContext *ctx, const SuiteItem *it, const char *reference, const char *reflections, Buf *scratch,
                     AgResult *res, Err *err) {
    AgLlm *l = ctx->user;
    void *tools = NULL;
    if (ctx->suite->ops->tools_open && ctx->suite->ops->tools_open(ctx->suite, it, "cost", &tools, err)) return err->code;
    Buf prompt, obs;
    buf_init(&prompt), buf_init(&obs);
    size_t base = scratch->len; /* this attempt's transcript starts here */
    int rc = IM_OK;
    res->outcome = AG_FAILED;
    for (int step = 1; step <= l->max_steps; step++) {
        buf_reset(&prompt);
        buf_printf(scratch, "Thought %d:", step);
        const char *names[] = {"reference", "query", "reflections", "scratchpad"};
        const char *values[] = {reference, it->text ? it->text : "", reflections ? reflections : "", scratch->data + base};
        if ((rc = ag_prompt_render("react", names, values, 4, &prompt, err))) break;
        AgMessage m = {"user", prompt.data};
        char *text = NULL;
        if (ag_llm_call(ctx, "react-step", &m, 1, res, &text, NULL)) break; /* AG_ERROR set */
        char *thought, *action;
        ag_react_split(text, &thought, &action);
        free(text);
        buf_printf(scratch, " %s\n", thought);
        buf_reset(&obs);
        int finished = 0;
        if (action) {
            buf_printf(scratch, "Action %d: %s\n", step, action);
            observe(ctx, it, tools, action, &obs, res, &finished);
        } else
            buf_puts(&obs, "Invalid action. Write one line 'Action N: CostEnquiry[...]' or 'Action N: Finish[...]'.");
        free(thought), free(action);
        if (finished) break;
        buf_printf(scratch, "Observation %d: %s\n", step, obs.data);
        if (step == l->max_steps) ag_result_fail(res, AG_FAILED, "no Finish action within %d steps", l->max_steps);
    }
    buf_free(&prompt), buf_free(&obs);
    if (tools) ctx->suite->ops->tools_close(tools);
    return rc;
}
