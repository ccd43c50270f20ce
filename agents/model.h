/* model.h: one chat interface for every model backend.
 *
 * Messages in; answer text, reasoning text (kept apart from the answer),
 * finish reason, token usage, cost and latency out. A model is opened from
 * a spec (see ag_model_config_parse, docs/http.md and docs/local.md); the
 * HTTP backend (http.c) speaks the OpenAI-compatible /v1/chat/completions
 * protocol; the local backend (local.c) runs the compute engine in this
 * process and loads its folder when the model is opened.
 *
 * Ownership: an AgModel owns a copy of its configuration; an attached
 * AgCache is borrowed and must outlive the model. Request messages are
 * borrowed for the duration of the call. Every string of an AgChatResponse
 * is malloc'd and owned by the response (ag_chat_response_free releases
 * them and accepts a zeroed response).
 *
 * Threads: ag_model_chat and ag_model_chat_many may be called from several
 * threads at once; all network I/O of a model runs on the model's one I/O
 * thread, which keeps up to `concurrency` requests in flight. A local model
 * queues the calls and decodes up to `concurrency` of them together.
 *
 * Keys: the configuration names the environment variable holding the API
 * key; the key itself is read when a request is sent and is never stored in
 * the configuration, written to the cache, logged or shown in an error. */
#ifndef AG_MODEL_H
#define AG_MODEL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

typedef struct AgCache AgCache;

typedef struct AgModelConfig {
    char *name;        /* label for runs and tables (default: model) */
    char *backend;     /* "openai" (the only one so far) */
    char *base_url;    /* e.g. "https://api.openai.com/v1"; /chat/completions is appended */
    char *model;       /* the "model" field of the request */
    char *api_key_env; /* name of the environment variable with the key, NULL: no key */
    char *params_json; /* decoding parameters (temperature, top_p, max_tokens, stop, ...):
                          a JSON object with sorted keys, copied into every request */
    long long seed;    /* sent as "seed" (+ sample index) when has_seed */
    int has_seed;
    double price_in, price_out; /* USD per million input / output tokens */
    double timeout_s;  /* per request attempt (default 120) */
    int max_retries;   /* retries after the first attempt (default 5) */
    double backoff_s;  /* first backoff (default 1); doubles each retry, with jitter */
    double backoff_max_s; /* cap of one backoff and of Retry-After (default 60) */
    int concurrency;   /* requests in flight (default 8); local: sequences decoded together */
    /* backend "local" (local.c; docs/local.md): */
    char *path;        /* the model folder, canonical (realpath) */
    char *identity;    /* SHA-256 hex of the folder's files (ag_local_identity); in the cache key */
    char *device;      /* Vulkan device name or index; NULL: the default choice */
    int thinking;      /* Qwen3: 1 lets the model think; 0 (default) closes an empty <think> block */
    int ctx;           /* context length in tokens (default 16384, capped by the model's) */
} AgModelConfig;

/* Parses a model spec into cfg (all fields set, defaults applied):
 *   openai:BASE_URL#MODEL[?key=value&...]   e.g.
 *     openai:https://api.openai.com/v1#gpt-4o-mini?key_env=OPENAI_API_KEY&temperature=0
 *   local:DIR[?key=value&...]               e.g.
 *     local:models/tiny?max_tokens=512&seed=1&thinking=off
 *   a JSON object inline ("{...}"), or the path of a JSON file with it.
 * Keys (query string or JSON): name, base_url, model, api_key_env (key_env),
 * params (JSON object), temperature, top_p, max_tokens (other decoding
 * parameters go in params), seed, price_in, price_out (USD per 1M tokens),
 * timeout, max_retries, backoff, backoff_max, concurrency.
 * The local backend ("backend": "local", "path": DIR in JSON) takes name,
 * path, device, thinking (on|off), ctx, temperature, top_p, top_k,
 * max_tokens, stop, params, seed, price_in, price_out, concurrency; parsing
 * reads the folder's identity (IM_IO naming the file when it cannot be
 * read). Errors (IM_USAGE) name the key and what was expected. */
int ag_model_config_parse(const char *spec, AgModelConfig *cfg, Err *err);
void ag_model_config_free(AgModelConfig *cfg);
/* Sets the decoding parameter key to json_value (JSON text, e.g. "0")
 * unless the spec set it (a caller's default, e.g. temperature 0). */
int ag_model_config_param_default(AgModelConfig *cfg, const char *key, const char *json_value, Err *err);
/* The configuration as one JSON object (never contains a key), for runs. */
void ag_model_config_json(const AgModelConfig *cfg, Buf *out);

typedef struct AgMessage {
    const char *role;    /* "system", "user", "assistant" */
    const char *content;
} AgMessage;

typedef struct AgChatRequest {
    const AgMessage *msgs;
    int n_msgs;
    int sample;          /* sample index (part of the cache key; added to the seed) */
    int no_cache;        /* 1: neither read nor write the cache for this call */
} AgChatRequest;

typedef struct AgChatResponse {
    int ok;              /* 1: text is the model's answer; 0: error says why */
    char *text;          /* the answer, reasoning removed */
    char *reasoning;     /* reasoning_content / <think> block, NULL when none */
    char *finish_reason; /* "stop", "length", ...; NULL when not given */
    char *error;         /* when !ok: what failed, naming the endpoint */
    long tokens_in, tokens_out; /* 0 on a cache hit */
    double cost_usd;     /* 0 on a cache hit */
    double latency_ms;   /* submission to answer, retries included */
    int cache_hit;
    int attempts;        /* HTTP attempts made (0 on a cache hit) */
    int http_status;     /* of the last attempt, 0 when none */
    char key_hex[65];    /* the request hash (cache key), for llm_call */
} AgChatResponse;

void ag_chat_response_free(AgChatResponse *r);

typedef struct AgModel AgModel;

/* Opens a model (copies cfg). HTTP: starts no thread and no connection
 * until the first request. Local: loads the folder onto the device now. */
int ag_model_open(const AgModelConfig *cfg, AgModel **out, Err *err);
/* ag_model_config_parse + ag_model_open. */
int ag_model_open_spec(const char *spec, AgModel **out, Err *err);
void ag_model_close(AgModel *m);
const AgModelConfig *ag_model_config(const AgModel *m);
/* Attaches a response cache (borrowed; NULL detaches). */
void ag_model_set_cache(AgModel *m, AgCache *cache);

/* Told when a request starts waiting `seconds` before its next attempt
 * (why: short, e.g. "HTTP 429", "HTTP 503", "Timeout was reached").
 * Called on the model's I/O thread while no lock of the model is held: fn
 * must be thread-safe and must not call into the model. */
typedef void (*AgBackoffFn)(void *arg, double seconds, const char *why);
/* Sets (fn NULL: clears) the backoff callback; arg is borrowed and must
 * outlive the model's requests. Thread-safe. */
void ag_model_set_backoff(AgModel *m, AgBackoffFn fn, void *arg);

/* One chat call. Returns IM_OK when resp->ok; otherwise IM_IO with err set
 * to resp->error (an infrastructure error: all retries spent, or a response
 * that is not the expected JSON). resp is filled in both cases. */
int ag_model_chat(AgModel *m, const AgChatRequest *req, AgChatResponse *resp, Err *err);
/* n calls at once (up to the model's concurrency in flight); resps[i] for
 * reqs[i]. Returns the number of responses that are not ok. */
int ag_model_chat_many(AgModel *m, const AgChatRequest *reqs, int n, AgChatResponse *resps);

/* Counters since open (all calls, thread-safe snapshot). */
typedef struct AgModelStats {
    long calls, cache_hits, http_attempts, retries, errors;
    long tokens_in, tokens_out;
    double cost_usd;
} AgModelStats;
void ag_model_stats(AgModel *m, AgModelStats *out);

/* The cache key of a request: SHA-256 over the endpoint, model, every
 * decoding parameter, seed, sample index and the full message list; for a
 * local model also its folder, identity and thinking switch (the device is
 * not part of it). */
void ag_model_request_key(const AgModelConfig *cfg, const AgChatRequest *req, unsigned char key[32]);

/* Splits a "<think>...</think>" block off an answer: returns the reasoning
 * (malloc'd, NULL when none) and moves *text past the block (in place). */
char *ag_split_think(char *text);

/* ---- backends (model.c dispatches; http.c implements "openai", local.h "local") */

typedef struct AgHttp AgHttp;
int ag_http_open(const AgModelConfig *cfg, AgHttp **out, Err *err);
void ag_http_close(AgHttp *h);
/* Sends reqs[i] for every i with todo[i] != 0 and fills resps[i]; blocks
 * until all are answered or have failed. Thread-safe. */
void ag_http_chat_many(AgHttp *h, const AgChatRequest *reqs, const char *todo, int n, AgChatResponse *resps);
/* Attempts and retries made so far. */
void ag_http_counters(AgHttp *h, long *attempts, long *retries);
/* See ag_model_set_backoff. */
void ag_http_set_backoff(AgHttp *h, AgBackoffFn fn, void *arg);

#endif
