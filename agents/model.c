/* model.c: model specs, request keys and the cache in front of a backend.
 *
 * Sections: spec parsing (openai:URL#MODEL?k=v, inline or file JSON), the
 * request key (SHA-256), the <think> splitter, and ag_model_chat_many
 * (cache lookups, then the backend for the misses, then cache writes).
 * Never reads an API key (http.c does, per request); never exits. */
#include "model.h"

#include <cJSON.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "fsutil.h"
#include "local.h"

struct AgModel {
    AgModelConfig cfg;
    AgHttp *http;   /* backend "openai" */
    AgLocal *local; /* backend "local" */
    AgCache *cache;
    pthread_mutex_t mu;
    AgModelStats st;
};

/* ---- configuration ------------------------------------------------------ */

void ag_model_config_free(AgModelConfig *c) {
    if (!c) return;
    free(c->name), free(c->backend), free(c->base_url), free(c->model), free(c->api_key_env), free(c->params_json);
    free(c->path), free(c->identity), free(c->device);
    memset(c, 0, sizeof *c);
}

/* Decoding parameters that may be given at the top level of a spec. */
static const char *const DECODING[] = {"temperature", "top_p", "top_k", "min_p", "max_tokens", "max_completion_tokens",
                                       "presence_penalty", "frequency_penalty", "repetition_penalty", "stop",
                                       "reasoning_effort", NULL};

static int is_decoding(const char *k) {
    for (int i = 0; DECODING[i]; i++)
        if (!strcmp(DECODING[i], k)) return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The params object printed with its keys sorted (so the cache key does not
 * depend on the order they were written in). */
static char *canonical_params(const cJSON *params) {
    int n = cJSON_GetArraySize(params);
    const char **keys = calloc((size_t)n + 1, sizeof *keys);
    int k = 0;
    for (const cJSON *it = params ? params->child : NULL; it; it = it->next) keys[k++] = it->string;
    qsort(keys, (size_t)k, sizeof *keys, cmp_str);
    Buf b;
    buf_init(&b);
    buf_putc(&b, '{');
    for (int i = 0; i < k; i++) {
        char *v = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(params, keys[i]));
        if (i) buf_putc(&b, ',');
        buf_json_str(&b, keys[i]);
        buf_putc(&b, ':');
        buf_puts(&b, v ? v : "null");
        free(v);
    }
    buf_putc(&b, '}');
    free(keys);
    return buf_take(&b);
}

static int want_num(const cJSON *v, const char *key, const char *spec, double *out, Err *err) {
    if (cJSON_IsNumber(v)) { *out = v->valuedouble; return IM_OK; }
    if (cJSON_IsString(v)) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (*v->valuestring && !*end) { *out = d; return IM_OK; }
    }
    return err_set(err, IM_USAGE, "model spec %s: '%s' expects a number", spec, key);
}

static int want_str(const cJSON *v, const char *key, const char *spec, char **out, Err *err) {
    if (!cJSON_IsString(v)) return err_set(err, IM_USAGE, "model spec %s: '%s' expects a string", spec, key);
    free(*out);
    *out = strdup(v->valuestring);
    return IM_OK;
}

/* Keys that only one backend takes. */
static const char *const OPENAI_ONLY[] = {"base_url", "model", "api_key_env", "key_env", "timeout", "max_retries", "backoff", "backoff_max", NULL};
static const char *const LOCAL_ONLY[] = {"path", "device", "thinking", "ctx", NULL};

static int in_list(const char *const *list, const char *k) {
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], k)) return 1;
    return 0;
}

/* thinking: on|off (also true/false, 1/0). */
static int want_switch(const cJSON *v, const char *key, const char *spec, int *out, Err *err) {
    if (cJSON_IsBool(v)) { *out = cJSON_IsTrue(v); return IM_OK; }
    if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) { *out = v->valuedouble == 1; return IM_OK; }
    const char *s = cJSON_IsString(v) ? v->valuestring : "";
    if (!strcmp(s, "on") || !strcmp(s, "true") || !strcmp(s, "1")) { *out = 1; return IM_OK; }
    if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "0")) { *out = 0; return IM_OK; }
    return err_set(err, IM_USAGE, "model spec %s: '%s' expects on or off", spec, key);
}

/* Fills cfg from a JSON object (the one form every spec is turned into). */
static int config_from_json(const cJSON *o, const char *spec, AgModelConfig *cfg, Err *err) {
    cJSON *params = cJSON_CreateObject();
    int rc = IM_OK;
    const cJSON *be = cJSON_GetObjectItemCaseSensitive(o, "backend");
    int local = cJSON_IsString(be) && !strcmp(be->valuestring, "local");
    for (const cJSON *it = o->child; it && rc == IM_OK; it = it->next) {
        const char *k = it->string;
        double d = 0;
        if (local && in_list(OPENAI_ONLY, k))
            rc = err_set(err, IM_USAGE, "model spec %s: '%s' does not apply to a local model (see docs/local.md: name, path, device, "
                         "thinking, ctx, temperature, top_p, top_k, max_tokens, stop, params, seed, price_in, price_out, concurrency)", spec, k);
        else if (!local && in_list(LOCAL_ONLY, k))
            rc = err_set(err, IM_USAGE, "model spec %s: '%s' applies to local models only (local:DIR?%s=...)", spec, k, k);
        else if (!strcmp(k, "name")) rc = want_str(it, k, spec, &cfg->name, err);
        else if (!strcmp(k, "path")) rc = want_str(it, k, spec, &cfg->path, err);
        else if (!strcmp(k, "device")) {
            if (cJSON_IsNumber(it)) {
                char num[32];
                snprintf(num, sizeof num, "%d", it->valueint);
                free(cfg->device), cfg->device = strdup(num);
            } else rc = want_str(it, k, spec, &cfg->device, err);
        } else if (!strcmp(k, "thinking")) rc = want_switch(it, k, spec, &cfg->thinking, err);
        else if (!strcmp(k, "ctx")) {
            if (!(rc = want_num(it, k, spec, &d, err))) {
                if (d < 16 || d > 1 << 24) rc = err_set(err, IM_USAGE, "model spec %s: 'ctx' expects a context length of 16 to 16777216 tokens", spec);
                else cfg->ctx = (int)d;
            }
        } else if (!strcmp(k, "backend")) rc = want_str(it, k, spec, &cfg->backend, err);
        else if (!strcmp(k, "base_url")) rc = want_str(it, k, spec, &cfg->base_url, err);
        else if (!strcmp(k, "model")) rc = want_str(it, k, spec, &cfg->model, err);
        else if (!strcmp(k, "api_key_env") || !strcmp(k, "key_env")) rc = want_str(it, k, spec, &cfg->api_key_env, err);
        else if (!strcmp(k, "api_key") || !strcmp(k, "key"))
            rc = err_set(err, IM_USAGE, "model spec %s: keys are never written in a spec; put the key in an environment variable and name it with \"api_key_env\"", spec);
        else if (!strcmp(k, "params")) {
            cJSON *p = cJSON_IsString(it) ? cJSON_Parse(it->valuestring) : cJSON_Duplicate(it, 1);
            if (!cJSON_IsObject(p)) rc = err_set(err, IM_USAGE, "model spec %s: 'params' expects a JSON object", spec);
            for (cJSON *q = p && cJSON_IsObject(p) ? p->child : NULL; q; q = q->next) {
                cJSON_DeleteItemFromObjectCaseSensitive(params, q->string);
                cJSON_AddItemToObject(params, q->string, cJSON_Duplicate(q, 1));
            }
            cJSON_Delete(p);
        } else if (is_decoding(k)) {
            cJSON *v;
            if (cJSON_IsString(it) && strcmp(k, "stop") && strcmp(k, "reasoning_effort")) {
                if ((rc = want_num(it, k, spec, &d, err))) break;
                v = cJSON_CreateNumber(d);
            } else v = cJSON_Duplicate(it, 1);
            cJSON_DeleteItemFromObjectCaseSensitive(params, k);
            cJSON_AddItemToObject(params, k, v);
        } else if (!strcmp(k, "seed")) {
            if (!(rc = want_num(it, k, spec, &d, err))) cfg->seed = (long long)d, cfg->has_seed = 1;
        } else if (!strcmp(k, "price_in")) rc = want_num(it, k, spec, &cfg->price_in, err);
        else if (!strcmp(k, "price_out")) rc = want_num(it, k, spec, &cfg->price_out, err);
        else if (!strcmp(k, "timeout")) rc = want_num(it, k, spec, &cfg->timeout_s, err);
        else if (!strcmp(k, "backoff")) rc = want_num(it, k, spec, &cfg->backoff_s, err);
        else if (!strcmp(k, "backoff_max")) rc = want_num(it, k, spec, &cfg->backoff_max_s, err);
        else if (!strcmp(k, "max_retries")) {
            if (!(rc = want_num(it, k, spec, &d, err))) cfg->max_retries = d < 0 ? 0 : (int)d;
        } else if (!strcmp(k, "concurrency")) {
            if (!(rc = want_num(it, k, spec, &d, err))) cfg->concurrency = (int)d;
        } else
            rc = err_set(err, IM_USAGE, "model spec %s: unknown key '%s' (see docs/http.md: name, base_url, model, api_key_env, params, "
                         "temperature, top_p, max_tokens, seed, price_in, price_out, timeout, max_retries, backoff, backoff_max, concurrency)",
                         spec, k);
    }
    if (rc == IM_OK) {
        free(cfg->params_json);
        cfg->params_json = canonical_params(params);
    }
    cJSON_Delete(params);
    return rc;
}

int ag_model_config_param_default(AgModelConfig *cfg, const char *key, const char *json_value, Err *err) {
    cJSON *params = cJSON_Parse(cfg->params_json ? cfg->params_json : "{}"), *v = cJSON_Parse(json_value);
    int rc = IM_OK;
    if (!cJSON_IsObject(params) || !v) rc = err_set(err, IM_USAGE, "model %s: decoding parameter %s: not JSON", cfg->name ? cfg->name : "?", key);
    else if (!cJSON_GetObjectItemCaseSensitive(params, key)) {
        cJSON_AddItemToObject(params, key, v), v = NULL;
        char *c = canonical_params(params);
        if (!c) rc = err_set(err, IM_IO, "out of memory");
        else free(cfg->params_json), cfg->params_json = c;
    }
    cJSON_Delete(params), cJSON_Delete(v);
    return rc;
}

/* The ?k=v&k=v tail of a spec into o (q points at '?' or is NULL). */
static int add_query(cJSON *o, const char *q, const char *spec, Err *err) {
    while (q && *q) {
        q++;
        const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q);
        const char *eq = memchr(q, '=', (size_t)(end - q));
        if (!eq) return err_set(err, IM_USAGE, "model spec '%s': expected key=value after '?', got '%.*s'", spec, (int)(end - q), q);
        char *k = strndup(q, (size_t)(eq - q)), *v = strndup(eq + 1, (size_t)(end - eq - 1));
        if (!strcmp(k, "params")) {
            cJSON *p = cJSON_Parse(v);
            if (p) cJSON_AddItemToObject(o, k, p);
            else cJSON_AddStringToObject(o, k, v);
        } else
            cJSON_AddStringToObject(o, k, v);
        free(k), free(v);
        q = amp;
    }
    return IM_OK;
}

/* local:DIR?k=v&k=v as a JSON object. */
static cJSON *local_spec_json(const char *spec, Err *err) {
    const char *rest = spec + strlen("local:");
    const char *q = strchr(rest, '?');
    size_t n = q ? (size_t)(q - rest) : strlen(rest);
    if (!n) {
        err_set(err, IM_USAGE, "model spec '%s': expected local:DIR, the folder of a Hugging Face model (e.g. one made by `imagine model init`)", spec);
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", "local");
    char *dir = strndup(rest, n);
    cJSON_AddStringToObject(o, "path", dir);
    free(dir);
    if (add_query(o, q, spec, err)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* openai:URL#MODEL?k=v&k=v as a JSON object. */
static cJSON *url_spec_json(const char *spec, Err *err) {
    const char *rest = spec + strlen("openai:");
    const char *hash = strchr(rest, '#');
    if (!hash || hash == rest || !hash[1]) {
        err_set(err, IM_USAGE, "model spec '%s': expected openai:BASE_URL#MODEL, e.g. openai:http://127.0.0.1:8080/v1#qwen3", spec);
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", "openai");
    char *url = strndup(rest, (size_t)(hash - rest));
    cJSON_AddStringToObject(o, "base_url", url);
    free(url);
    const char *q = strchr(hash + 1, '?');
    char *model = q ? strndup(hash + 1, (size_t)(q - hash - 1)) : strdup(hash + 1);
    cJSON_AddStringToObject(o, "model", model);
    free(model);
    if (add_query(o, q, spec, err)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A local folder: its canonical path, identity, and the folder's name as
 * the model (the label of llm_call rows and tables). */
static int local_identify(AgModelConfig *cfg, Err *err) {
    char *abs = NULL, hex[65];
    int rc = ag_local_identity(cfg->path, &abs, hex, err);
    if (rc) return rc;
    free(cfg->path), free(cfg->identity), free(cfg->model);
    cfg->path = abs;
    cfg->identity = strdup(hex);
    const char *slash = strrchr(abs, '/');
    cfg->model = strdup(slash && slash[1] ? slash + 1 : abs);
    return IM_OK;
}

int ag_model_config_parse(const char *spec, AgModelConfig *cfg, Err *err) {
    memset(cfg, 0, sizeof *cfg);
    cfg->max_retries = -1; /* unset */
    cJSON *o = NULL;
    char *text = NULL;
    if (!spec || !*spec) return err_set(err, IM_USAGE, "no model spec: pass --model openai:BASE_URL#MODEL, local:DIR or a JSON file");
    if (!strncmp(spec, "openai:", 7)) {
        if (!(o = url_spec_json(spec, err))) return IM_USAGE;
    } else if (!strncmp(spec, "local:", 6)) {
        if (!(o = local_spec_json(spec, err))) return IM_USAGE;
    } else {
        const char *src = spec;
        if (*spec != '{') {
            size_t len;
            if (fs_read_file(spec, &text, &len, err))
                return err_prefix(err, "model spec '%s' is neither openai:URL#MODEL nor local:DIR nor inline JSON nor a readable JSON file", spec),
                       err->code = IM_USAGE;
            src = text;
        }
        o = cJSON_Parse(src);
        if (!cJSON_IsObject(o)) {
            const char *at = cJSON_GetErrorPtr();
            int rc = err_set(err, IM_USAGE, "model spec %s: expected a JSON object%s%.40s%s", *spec == '{' ? "(inline)" : spec,
                             at ? " near '" : "", at ? at : "", at ? "'" : "");
            cJSON_Delete(o);
            free(text);
            return rc;
        }
    }
    const char *label = *spec == '{' ? "(inline)" : spec;
    int rc = config_from_json(o, label, cfg, err);
    cJSON_Delete(o);
    free(text);
    if (rc == IM_OK) {
        if (!cfg->backend) cfg->backend = strdup("openai");
        if (!strcmp(cfg->backend, "local")) {
            if (!cfg->path || !*cfg->path) rc = err_set(err, IM_USAGE, "model spec %s: \"path\" (the model folder) is required", label);
            else rc = local_identify(cfg, err);
        } else if (strcmp(cfg->backend, "openai"))
            rc = err_set(err, IM_USAGE, "model spec %s: backend '%s' is not known (\"openai\" or \"local\")", label, cfg->backend);
        else if (!cfg->base_url || !cfg->model)
            rc = err_set(err, IM_USAGE, "model spec %s: \"base_url\" and \"model\" are required", label);
    }
    if (rc) {
        ag_model_config_free(cfg);
        return rc;
    }
    if (!strcmp(cfg->backend, "local")) {
        if (!cfg->name) cfg->name = strdup(cfg->model);
        if (!cfg->params_json) cfg->params_json = strdup("{}");
        if (cfg->concurrency <= 0) cfg->concurrency = 8;
        if (cfg->concurrency > 64) cfg->concurrency = 64;
        return IM_OK;
    }
    size_t n = strlen(cfg->base_url);
    while (n && cfg->base_url[n - 1] == '/') cfg->base_url[--n] = 0;
    if (!cfg->name) cfg->name = strdup(cfg->model);
    if (!cfg->params_json) cfg->params_json = strdup("{}");
    if (cfg->timeout_s <= 0) cfg->timeout_s = 120;
    if (cfg->max_retries < 0) cfg->max_retries = 5;
    if (cfg->backoff_s <= 0) cfg->backoff_s = 1;
    if (cfg->backoff_max_s <= 0) cfg->backoff_max_s = 60;
    if (cfg->concurrency <= 0) cfg->concurrency = 8;
    if (cfg->concurrency > 1024) cfg->concurrency = 1024;
    return IM_OK;
}

static void copy_config(const AgModelConfig *src, AgModelConfig *dst) {
    *dst = *src;
#define DUP(f) dst->f = src->f ? strdup(src->f) : NULL
    DUP(name), DUP(backend), DUP(base_url), DUP(model), DUP(api_key_env), DUP(params_json);
    DUP(path), DUP(identity), DUP(device);
#undef DUP
    if (!dst->params_json) dst->params_json = strdup("{}");
}

static void config_json_local(const AgModelConfig *c, Buf *out) {
    buf_puts(out, "{\"name\":");
    buf_json_str(out, c->name ? c->name : "");
    buf_puts(out, ",\"backend\":\"local\",\"path\":");
    buf_json_str(out, c->path ? c->path : "");
    buf_puts(out, ",\"model\":");
    buf_json_str(out, c->model ? c->model : "");
    buf_puts(out, ",\"identity\":");
    buf_json_str(out, c->identity ? c->identity : "");
    buf_puts(out, ",\"device\":");
    if (c->device) buf_json_str(out, c->device);
    else buf_puts(out, "null");
    buf_printf(out, ",\"thinking\":%s,\"ctx\":%d,\"params\":%s", c->thinking ? "true" : "false", c->ctx, c->params_json ? c->params_json : "{}");
    if (c->has_seed) buf_printf(out, ",\"seed\":%lld", c->seed);
    else buf_puts(out, ",\"seed\":null");
    buf_printf(out, ",\"price_in\":%.17g,\"price_out\":%.17g,\"concurrency\":%d}", c->price_in, c->price_out, c->concurrency);
}

void ag_model_config_json(const AgModelConfig *c, Buf *out) {
    if (c->backend && !strcmp(c->backend, "local")) {
        config_json_local(c, out);
        return;
    }
    buf_puts(out, "{\"name\":");
    buf_json_str(out, c->name ? c->name : "");
    buf_puts(out, ",\"backend\":");
    buf_json_str(out, c->backend ? c->backend : "openai");
    buf_puts(out, ",\"base_url\":");
    buf_json_str(out, c->base_url ? c->base_url : "");
    buf_puts(out, ",\"model\":");
    buf_json_str(out, c->model ? c->model : "");
    buf_puts(out, ",\"api_key_env\":");
    if (c->api_key_env) buf_json_str(out, c->api_key_env);
    else buf_puts(out, "null");
    buf_printf(out, ",\"params\":%s", c->params_json ? c->params_json : "{}");
    if (c->has_seed) buf_printf(out, ",\"seed\":%lld", c->seed);
    else buf_puts(out, ",\"seed\":null");
    buf_printf(out, ",\"price_in\":%.17g,\"price_out\":%.17g,\"timeout\":%.17g,\"max_retries\":%d,\"backoff\":%.17g,"
               "\"backoff_max\":%.17g,\"concurrency\":%d}",
               c->price_in, c->price_out, c->timeout_s, c->max_retries, c->backoff_s, c->backoff_max_s, c->concurrency);
}

/* ---- request key -------------------------------------------------------- */

static void key_field(EVP_MD_CTX *ctx, const char *s) {
    uint64_t n = s ? strlen(s) : 0;
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(n >> (8 * i));
    EVP_DigestUpdate(ctx, len, 8);
    if (n) EVP_DigestUpdate(ctx, s, n);
}

void ag_model_request_key(const AgModelConfig *cfg, const AgChatRequest *req, unsigned char key[32]) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char num[64];
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    key_field(ctx, "imagine-chat-v1");
    key_field(ctx, cfg->backend);
    key_field(ctx, cfg->base_url);
    key_field(ctx, cfg->model);
    key_field(ctx, cfg->params_json);
    snprintf(num, sizeof num, "%s%lld", cfg->has_seed ? "seed=" : "noseed", cfg->has_seed ? cfg->seed : 0LL);
    key_field(ctx, num);
    snprintf(num, sizeof num, "sample=%d;messages=%d", req->sample, req->n_msgs);
    key_field(ctx, num);
    for (int i = 0; i < req->n_msgs; i++) {
        key_field(ctx, req->msgs[i].role);
        key_field(ctx, req->msgs[i].content);
    }
    if (cfg->path || cfg->identity) { /* local: the folder and what is in it; HTTP keys are unchanged */
        key_field(ctx, cfg->path);
        key_field(ctx, cfg->identity);
        key_field(ctx, cfg->thinking ? "thinking=on" : "thinking=off");
    }
    unsigned int n = 32;
    EVP_DigestFinal_ex(ctx, key, &n);
    EVP_MD_CTX_free(ctx);
}

/* ---- answers ------------------------------------------------------------ */

char *ag_split_think(char *text) {
    if (!text) return NULL;
    char *close = strstr(text, "</think>");
    if (!close) return NULL;
    char *start = text;
    while (*start == ' ' || *start == '\n' || *start == '\r' || *start == '\t') start++;
    char *open = NULL;
    if (!strncmp(start, "<think>", 7)) open = start + 7;
    else if (strstr(text, "<think>")) return NULL; /* a block that is not at the start: leave the text alone */
    else open = text; /* the template opened the block in the prompt */
    char *reasoning = strndup(open, (size_t)(close - open));
    char *after = close + strlen("</think>");
    while (*after == ' ' || *after == '\n' || *after == '\r' || *after == '\t') after++;
    memmove(text, after, strlen(after) + 1);
    return reasoning;
}

void ag_chat_response_free(AgChatResponse *r) {
    if (!r) return;
    free(r->text), free(r->reasoning), free(r->finish_reason), free(r->error);
    memset(r, 0, sizeof *r);
}

/* ---- the model ---------------------------------------------------------- */

int ag_model_open(const AgModelConfig *cfg, AgModel **out, Err *err) {
    *out = NULL;
    AgModel *m = calloc(1, sizeof *m);
    if (!m) return err_set(err, IM_IO, "out of memory");
    copy_config(cfg, &m->cfg);
    pthread_mutex_init(&m->mu, NULL);
    int rc = m->cfg.backend && !strcmp(m->cfg.backend, "local") ? ag_local_open(&m->cfg, &m->local, err)
                                                                : ag_http_open(&m->cfg, &m->http, err);
    if (rc) {
        ag_model_close(m);
        return rc;
    }
    *out = m;
    return IM_OK;
}

int ag_model_open_spec(const char *spec, AgModel **out, Err *err) {
    AgModelConfig cfg;
    *out = NULL;
    int rc = ag_model_config_parse(spec, &cfg, err);
    if (rc) return rc;
    rc = ag_model_open(&cfg, out, err);
    ag_model_config_free(&cfg);
    return rc;
}

void ag_model_close(AgModel *m) {
    if (!m) return;
    ag_http_close(m->http);
    ag_local_close(m->local);
    pthread_mutex_destroy(&m->mu);
    ag_model_config_free(&m->cfg);
    free(m);
}

const AgModelConfig *ag_model_config(const AgModel *m) { return &m->cfg; }
void ag_model_set_cache(AgModel *m, AgCache *cache) { m->cache = cache; }
void ag_model_set_backoff(AgModel *m, AgBackoffFn fn, void *arg) {
    if (m->http) ag_http_set_backoff(m->http, fn, arg); /* a local model never backs off */
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void hexify(const unsigned char key[32], char hex[65]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) hex[2 * i] = digits[key[i] >> 4], hex[2 * i + 1] = digits[key[i] & 15];
    hex[64] = 0;
}

int ag_model_chat_many(AgModel *m, const AgChatRequest *reqs, int n, AgChatResponse *resps) {
    if (n <= 0) return 0;
    unsigned char(*keys)[32] = calloc((size_t)n, 32);
    char *todo = calloc((size_t)n, 1);
    int n_todo = 0, hits = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        AgChatResponse *r = &resps[i];
        memset(r, 0, sizeof *r);
        double t0 = now_ms();
        ag_model_request_key(&m->cfg, &reqs[i], keys[i]);
        hexify(keys[i], r->key_hex);
        AgCacheEntry e;
        if (m->cache && !reqs[i].no_cache && ag_cache_get(m->cache, keys[i], &e, NULL) == 1) {
            r->ok = 1, r->cache_hit = 1;
            r->text = e.text, r->reasoning = e.reasoning, r->finish_reason = e.finish_reason;
            r->latency_ms = now_ms() - t0;
            hits++;
            continue;
        }
        todo[i] = 1, n_todo++;
    }
    if (n_todo && m->local) ag_local_chat_many(m->local, reqs, todo, n, resps);
    else if (n_todo) ag_http_chat_many(m->http, reqs, todo, n, resps);
    long tin = 0, tout = 0;
    double cost = 0;
    for (int i = 0; i < n; i++) {
        AgChatResponse *r = &resps[i];
        if (!todo[i]) continue;
        if (!r->ok) {
            failed++;
            continue;
        }
        r->cost_usd = ((double)r->tokens_in * m->cfg.price_in + (double)r->tokens_out * m->cfg.price_out) / 1e6;
        tin += r->tokens_in, tout += r->tokens_out, cost += r->cost_usd;
        if (m->cache && !reqs[i].no_cache) {
            AgCacheEntry e = {r->text, r->reasoning, r->finish_reason, r->tokens_in, r->tokens_out, r->latency_ms};
            ag_cache_put(m->cache, keys[i], m->cfg.name, &e, NULL); /* a failed write only costs a future hit */
        }
    }
    pthread_mutex_lock(&m->mu);
    m->st.calls += n, m->st.cache_hits += hits, m->st.errors += failed;
    m->st.tokens_in += tin, m->st.tokens_out += tout, m->st.cost_usd += cost;
    pthread_mutex_unlock(&m->mu);
    free(keys);
    free(todo);
    return failed;
}

int ag_model_chat(AgModel *m, const AgChatRequest *req, AgChatResponse *resp, Err *err) {
    if (ag_model_chat_many(m, req, 1, resp) == 0) return IM_OK;
    return err_set(err, IM_IO, "%s", resp->error ? resp->error : "model call failed");
}

void ag_model_stats(AgModel *m, AgModelStats *out) {
    pthread_mutex_lock(&m->mu);
    *out = m->st;
    pthread_mutex_unlock(&m->mu);
    if (m->http) ag_http_counters(m->http, &out->http_attempts, &out->retries);
}
