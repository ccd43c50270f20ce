/* llm.c: the shared machinery of the prompting methods (see llm.h):
 * configuration -> model and cache, accounted and logged calls, reference
 * information and final parsing. */
#include "llm.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prompts.h"

/* ---- lifetime ----------------------------------------------------------- */

static int num_of(const cJSON *o, const char *k, int def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : def;
}

int ag_llm_init(AgContext *ctx, const char *method, int default_steps, Err *err) {
    AgLlm *l = calloc(1, sizeof *l);
    if (!l) return err_set(err, IM_IO, "out of memory");
    l->method = method;
    cJSON *cfg = ctx->config_json ? cJSON_Parse(ctx->config_json) : NULL;
    if (ctx->config_json && !cJSON_IsObject(cfg)) {
        free(l);
        cJSON_Delete(cfg);
        return err_set(err, IM_USAGE, "method %s: the run configuration is not a JSON object", method);
    }
    l->max_steps = num_of(cfg, "max_steps", default_steps);
    l->max_attempts = num_of(cfg, "max_attempts", 3);
    if (l->max_steps < 1) l->max_steps = 1;
    if (l->max_attempts < 1) l->max_attempts = 1;
    int rc = IM_OK;
    if (ctx->model) l->model = ctx->model;
    else {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cfg, "model");
        char *s = cJSON_IsString(spec) ? strdup(spec->valuestring) : cJSON_IsObject(spec) ? cJSON_PrintUnformatted(spec) : NULL;
        if (!s) rc = err_set(err, IM_USAGE, "method %s needs a model: pass --model openai:BASE_URL#MODEL or a JSON file (docs/http.md)", method);
        AgModelConfig mc;
        if (!rc && !(rc = ag_model_config_parse(s, &mc, err))) {
            int k = num_of(cfg, "concurrency", 0);
            if (k > 0) mc.concurrency = k;
            rc = ag_model_open(&mc, &l->model, err);
            ag_model_config_free(&mc);
        }
        free(s);
        const cJSON *no_cache = cJSON_GetObjectItemCaseSensitive(cfg, "no_cache");
        const cJSON *cache = cJSON_GetObjectItemCaseSensitive(cfg, "cache");
        if (!rc && !cJSON_IsTrue(no_cache) && !cJSON_IsFalse(cache) && !cJSON_IsNull(cache)) {
            rc = ag_cache_open(cJSON_IsString(cache) ? cache->valuestring : AG_CACHE_DEFAULT, &l->cache, err);
            if (!rc) ag_model_set_cache(l->model, l->cache);
        }
        l->own_model = 1;
    }
    cJSON_Delete(cfg);
    ctx->user = l;
    if (rc) {
        ag_llm_fini(ctx);
        return rc;
    }
    ctx->model = l->model;
    if (ctx->on_backoff) ag_model_set_backoff(l->model, ctx->on_backoff, ctx->on_backoff_arg);
    return IM_OK;
}

void ag_llm_fini(AgContext *ctx) {
    AgLlm *l = ctx->user;
    if (!l) return;
    if (l->own_model) {
        ag_model_close(l->model);
        ag_cache_close(l->cache);
        if (ctx->model == l->model) ctx->model = NULL;
    }
    free(l);
    ctx->user = NULL;
}

/* ---- calls -------------------------------------------------------------- */

void ag_result_fail(AgResult *res, AgOutcome outcome, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    free(res->failure);
    free(res->plan_json);
    res->plan_json = NULL;
    res->failure = s;
    res->outcome = outcome;
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The call as the store records it, appended to res->call_log. */
static void log_call(AgModel *model, const char *role, const AgChatResponse *r, int ok, char *error, AgResult *res) {
    AgCall c = {.model = ag_model_config(model)->model, .finish_reason = r->finish_reason,
                .error = ok ? NULL : error, .ok = ok, .cache_hit = r->cache_hit, .attempts = r->attempts,
                .http_status = r->http_status, .tokens_in = r->tokens_in, .tokens_out = r->tokens_out,
                .cost_usd = r->cost_usd, .latency_ms = r->latency_ms, .at = wall_s()};
    snprintf(c.role, sizeof c.role, "%s", role ? role : "planner");
    snprintf(c.request_hash, sizeof c.request_hash, "%s", r->key_hex);
    ag_result_add_call(res, &c); /* out of memory: the call goes unrecorded, the item still counts it */
}

int ag_llm_call(AgContext *ctx, const char *role, const AgMessage *msgs, int n, AgResult *res, char **text,
                char **reasoning) {
    return ag_llm_call_model(ctx->model, role, msgs, n, res, text, reasoning);
}

int ag_llm_call_model(AgModel *model, const char *role, const AgMessage *msgs, int n, AgResult *res, char **text,
                      char **reasoning) {
    *text = NULL;
    if (reasoning) *reasoning = NULL;
    AgChatRequest rq = {msgs, n, 0, 0};
    AgChatResponse r;
    Err err = {0};
    int rc = ag_model_chat(model, &rq, &r, &err);
    res->calls++;
    res->cache_hits += r.cache_hit;
    res->tokens_in += r.tokens_in, res->tokens_out += r.tokens_out, res->cost_usd += r.cost_usd;
    log_call(model, role, &r, rc == IM_OK, err.msg, res);
    if (rc) {
        ag_result_fail(res, AG_ERROR, "%s", err.msg);
        ag_chat_response_free(&r);
        return IM_IO;
    }
    *text = r.text, r.text = NULL;
    if (reasoning) *reasoning = r.reasoning, r.reasoning = NULL;
    ag_chat_response_free(&r);
    return IM_OK;
}

void ag_llm_finish(const AgContext *ctx, const SuiteItem *it, AgResult *res, const char *text) {
    char *plan = NULL;
    Err err = {0};
    if (!ctx->suite->ops->extract)
        err_set(&err, IM_FAIL, "suite %s reads no answer from model text", ctx->suite->ops->name);
    else if (ctx->suite->ops->extract(ctx->suite, it, text, &plan, &err) == IM_OK) {
        free(res->failure), free(res->plan_json);
        res->failure = NULL;
        res->plan_json = plan;
        res->outcome = AG_DONE;
    } else
        ag_result_fail(res, AG_FAILED, "the answer is not a plan: %s", err.msg);
}

int ag_llm_one_shot(AgContext *ctx, const SuiteItem *it, const char *prompt, AgResult *res, Err *err) {
    char *ref = NULL;
    Err rerr = {0};
    if (ag_llm_reference(ctx, it, &ref, &rerr)) {
        ag_result_fail(res, AG_ERROR, "%s", rerr.msg);
        return IM_OK;
    }
    Buf b;
    buf_init(&b);
    const char *names[] = {"reference", "query"}, *values[] = {ref, it->text ? it->text : ""};
    int rc = ag_prompt_render(prompt, names, values, 2, &b, err);
    free(ref);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    AgMessage m = {"user", b.data};
    char *text = NULL, *reasoning = NULL;
    if (ag_llm_call(ctx, "planner", &m, 1, res, &text, &reasoning) == IM_OK) {
        res->raw_text = text;
        res->reasoning = reasoning;
        ag_llm_finish(ctx, it, res, text);
    }
    buf_free(&b);
    return IM_OK;
}

/* ---- reference information ---------------------------------------------- */

int ag_llm_reference(const AgContext *ctx, const SuiteItem *it, char **out, Err *err) {
    SuiteMaterial m;
    *out = NULL;
    int rc = suite_material(ctx->suite, it, &m, err);
    if (rc) return rc;
    *out = m.reference ? m.reference : strdup("");
    m.reference = NULL;
    suite_material_free(&m);
    return *out ? IM_OK : err_set(err, IM_IO, "out of memory");
}

/* ---- prompt versions ----------------------------------------------------- */

/* The methods that prompt a model, and their prompts. */
static const struct {
    const char *method;
    const char *prompts[4];
} uses[] = {{"direct", {"direct"}}, {"cot", {"cot"}}, {"thinking", {"thinking"}}, {"react", {"react"}},
            {"reflexion", {"react", "reflect"}}, {"two-stage", {"tools", "planner"}},
            {"mas", {"mas_reasoner", "mas_reasoner_task", "mas_judge", "mas_reflector"}}};

int ag_method_needs_model(const char *method) {
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
        if (!strcmp(uses[i].method, method)) return 1;
    return 0;
}

void ag_method_prompt_hash(const char *method, char hex[65]) {
    Buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof uses / sizeof uses[0]; i++)
        if (!strcmp(uses[i].method, method)) {
            int n = 0;
            while (n < 4 && uses[i].prompts[n]) n++;
            ag_prompt_versions(uses[i].prompts, n, &b);
        }
    unsigned char md[32];
    unsigned int len = 32;
    EVP_Digest(b.data ? b.data : "", b.len, md, &len, EVP_sha256(), NULL);
    buf_free(&b);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
}
