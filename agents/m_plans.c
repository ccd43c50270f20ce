/* m_plans.c: the `plans` method replays an answer file in the suite's
 * format (TravelPlanner: a submission file), so that published answers and
 * the store, resume and reports can be exercised end to end.
 *
 * Configuration (the run's method config): {"plans": "FILE"}. The suite's
 * answers_open reads the file and its answer op gives each item's answer
 * (TravelPlanner: line i for the item at position i, as eval.py pairs
 * them); an item the file delivers nothing for is AG_FAILED with the
 * suite's reason. Pure replay: no model, no I/O after init. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "method.h"

static int plans_init(AgContext *ctx, Err *err) {
    cJSON *cfg = cJSON_Parse(ctx->config_json ? ctx->config_json : "{}");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(cfg, "plans");
    if (!cJSON_IsString(file) || !*file->valuestring) {
        cJSON_Delete(cfg);
        return err_set(err, IM_USAGE, "method plans: give the submission file to replay with --plans FILE");
    }
    int rc = ctx->suite->ops->answers_open
                 ? ctx->suite->ops->answers_open(ctx->suite, file->valuestring, &ctx->user, err)
                 : err_set(err, IM_USAGE, "suite %s reads no answer files", ctx->suite->ops->name);
    cJSON_Delete(cfg);
    return rc ? err_prefix(err, "method plans") : IM_OK;
}

static void plans_fini(AgContext *ctx) {
    if (ctx->user) ctx->suite->ops->answers_close(ctx->user);
    ctx->user = NULL;
}

static int plans_plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    char *why = NULL;
    int rc = ctx->suite->ops->answer(ctx->user, it, &out->plan_json, &out->raw_text, &why, err);
    if (rc) return rc;
    out->outcome = out->plan_json ? AG_DONE : AG_FAILED;
    out->failure = why;
    return IM_OK;
}

const AgMethod ag_method_plans = {
    .name = "plans",
    .summary = "replay a submission file (--plans FILE): plan i for query i, by position",
    .init = plans_init,
    .plan = plans_plan,
    .fini = plans_fini,
};
