/* m_plans.c: the `plans` method replays a submission file, so that runs,
 * the store and resume can be exercised end to end with real plans.
 *
 * Configuration (the run's method config): {"plans": "FILE"}. Line i of the
 * file (split as eval.py splits it) is the plan of the query at position i
 * of the run; the run machinery passes that position as q->line (1-based),
 * exactly as the official evaluator pairs lines with queries. A missing
 * line, a line that is not an object with "plan", or a plan that Python
 * finds false ([] or null) is AG_FAILED: the method delivered no plan.
 * Pure replay: no model, no I/O after init. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "method.h"

static int plans_init(AgContext *ctx, Err *err) {
    cJSON *cfg = cJSON_Parse(ctx->config_json ? ctx->config_json : "{}");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(cfg, "plans");
    if (!cJSON_IsString(file) || !*file->valuestring) {
        cJSON_Delete(cfg);
        return err_set(err, IM_USAGE, "method plans: give the submission file to replay with --plans FILE");
    }
    TpSubmission *sub = NULL;
    int rc = tp_submission_read(file->valuestring, &sub, err);
    cJSON_Delete(cfg);
    if (rc) return err_prefix(err, "method plans");
    ctx->user = sub;
    return IM_OK;
}

static void plans_fini(AgContext *ctx) {
    tp_submission_free(ctx->user);
    ctx->user = NULL;
}

/* Python's truth value of a JSON value. */
static int truthy(const cJSON *v) {
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v)) return 0;
    if (cJSON_IsNumber(v)) return v->valuedouble != 0;
    if (cJSON_IsString(v)) return v->valuestring[0] != 0;
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) return v->child != NULL;
    return 1;
}

static int failed(AgResult *out, const char *line, const char *fmt, int n) {
    char msg[200];
    snprintf(msg, sizeof msg, fmt, n);
    out->outcome = AG_FAILED;
    out->failure = strdup(msg);
    out->raw_text = line ? strdup(line) : NULL;
    return IM_OK;
}

static int plans_plan(AgContext *ctx, const TpQuery *q, AgResult *out, Err *err) {
    (void)err;
    const TpSubmission *sub = ctx->user;
    memset(out, 0, sizeof *out);
    int i = q->line - 1;
    if (i < 0 || i >= sub->n) return failed(out, NULL, "plan line %d: missing from the submission file", i + 1);
    const char *text = sub->line[i];
    cJSON *root = cJSON_Parse(text);
    if (cJSON_IsString(root)) { /* eval.py eval()s a string line */
        cJSON *inner = cJSON_Parse(root->valuestring);
        cJSON_Delete(root);
        root = inner;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return failed(out, text, "plan line %d: not a JSON object with a 'plan' key", i + 1);
    }
    const cJSON *plan = NULL; /* Python's dict keeps the last of duplicate keys */
    for (const cJSON *c = root->child; c; c = c->next)
        if (c->string && !strcmp(c->string, "plan")) plan = c;
    int rc = IM_OK;
    if (!plan) rc = failed(out, text, "plan line %d: no 'plan' key", i + 1);
    else if (!truthy(plan)) rc = failed(out, text, "plan line %d: empty plan (not delivered)", i + 1);
    else {
        out->outcome = AG_DONE;
        out->plan_json = cJSON_PrintUnformatted(plan);
        out->raw_text = strdup(text);
        if (!out->plan_json) rc = err_set(err, IM_IO, "out of memory");
    }
    cJSON_Delete(root);
    return rc;
}

const AgMethod ag_method_plans = {
    .name = "plans",
    .summary = "replay a submission file (--plans FILE): plan i for query i, by position",
    .init = plans_init,
    .plan = plans_plan,
    .fini = plans_fini,
};
