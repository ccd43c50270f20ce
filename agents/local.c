/* local.c: the "local" backend (see local.h): chat calls answered by the
 * compute engine on a model folder, in this process.
 *
 * Sections: the folder's identity (for cache keys); decoding parameters
 * from the configuration; open/close; the queue, where the caller that
 * finds the engine idle runs everything queued as one batch. Only the
 * thread holding the engine (busy) touches it; never exits, never prints. */
#include "local.h"

#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "fsutil.h"

/* ---- identity ------------------------------------------------------------ */

enum { ID_SAMPLE = 64 * 1024 };

static void hash_field(EVP_MD_CTX *ctx, const char *tag, const void *p, size_t n) {
    uint64_t len = n;
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(len >> (8 * i));
    EVP_DigestUpdate(ctx, tag, strlen(tag) + 1);
    EVP_DigestUpdate(ctx, le, 8);
    if (n) EVP_DigestUpdate(ctx, p, n);
}

/* Hashes a whole small file when present; absent is hashed as absent. */
static int hash_file(EVP_MD_CTX *ctx, const char *dir, const char *name, int required, Err *err) {
    char *p = fs_join(dir, name), *text = NULL;
    size_t len = 0;
    int rc = IM_OK;
    if (fs_exists(p)) {
        rc = fs_read_file(p, &text, &len, err);
        if (!rc) hash_field(ctx, name, text, len);
    } else if (required)
        rc = err_set(err, IM_IO, "%s: no such file — a local model is a Hugging Face folder (make one with `imagine model init --out DIR`)", p);
    else
        hash_field(ctx, name, "", 0), EVP_DigestUpdate(ctx, "absent", 6);
    free(text), free(p);
    return rc;
}

/* A safetensors file: the 8-byte header length, the header, and the first
 * and last ID_SAMPLE bytes of the tensor data. */
static int hash_safetensors(EVP_MD_CTX *ctx, const char *dir, const char *name, Err *err) {
    char *p = fs_join(dir, name);
    FILE *f = fopen(p, "rb");
    int rc = IM_OK;
    unsigned char le[8], *buf = NULL;
    if (!f) {
        rc = err_set(err, IM_IO, "%s: %s — the model folder has no weights", p, strerror(errno));
        goto out;
    }
    if (fread(le, 1, 8, f) != 8) {
        rc = err_set(err, IM_IO, "%s: shorter than the 8-byte safetensors header length", p);
        goto out;
    }
    uint64_t hn = 0;
    for (int i = 0; i < 8; i++) hn |= (uint64_t)le[i] << (8 * i);
    if (fseeko(f, 0, SEEK_END) || ftello(f) < 0 || hn > (uint64_t)ftello(f) - 8) {
        rc = err_set(err, IM_IO, "%s: the header length %llu runs past the end of the file", p, (unsigned long long)hn);
        goto out;
    }
    off_t size = ftello(f), data = (off_t)(8 + hn), dn = size - data;
    size_t cap = hn > 2 * ID_SAMPLE ? (size_t)hn : 2 * ID_SAMPLE;
    buf = malloc(cap ? cap : 1);
    if (!buf) {
        rc = err_set(err, IM_IO, "out of memory hashing %s", p);
        goto out;
    }
    if (fseeko(f, 8, SEEK_SET) || fread(buf, 1, (size_t)hn, f) != hn) {
        rc = err_set(err, IM_IO, "%s: cannot read the %llu-byte header", p, (unsigned long long)hn);
        goto out;
    }
    hash_field(ctx, name, buf, (size_t)hn);
    size_t head = dn < ID_SAMPLE ? (size_t)dn : ID_SAMPLE, tail = dn - (off_t)head < ID_SAMPLE ? (size_t)(dn - (off_t)head) : ID_SAMPLE;
    if (fseeko(f, data, SEEK_SET) || fread(buf, 1, head, f) != head || fseeko(f, size - (off_t)tail, SEEK_SET) ||
        fread(buf + head, 1, tail, f) != tail) {
        rc = err_set(err, IM_IO, "%s: cannot read the tensor data", p);
        goto out;
    }
    hash_field(ctx, "data-sample", buf, head + tail);
out:
    if (f) fclose(f);
    free(buf), free(p);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

int ag_local_identity(const char *dir, char **abs_path, char hex[65], Err *err) {
    *abs_path = NULL;
    hex[0] = 0;
    char *real = realpath(dir, NULL);
    if (!real || !fs_is_dir(real)) {
        int rc = err_set(err, IM_IO, "local model %s: %s — make one with `imagine model init --out %s` or give a Hugging Face folder",
                         dir, real ? "not a folder" : strerror(errno), dir);
        free(real);
        return rc;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    hash_field(ctx, "imagine-local-model-v1", "", 0);
    int rc = hash_file(ctx, real, "config.json", 1, err);
    if (!rc) rc = hash_file(ctx, real, "tokenizer_config.json", 0, err);
    if (!rc) rc = hash_file(ctx, real, "generation_config.json", 0, err);
    if (!rc) rc = hash_file(ctx, real, "tokenizer.json", 0, err);
    char *index = fs_join(real, "model.safetensors.index.json");
    if (!rc && fs_exists(index)) {
        char *text = NULL;
        rc = fs_read_file(index, &text, NULL, err);
        cJSON *j = rc ? NULL : cJSON_Parse(text);
        const cJSON *wm = cJSON_GetObjectItemCaseSensitive(j, "weight_map");
        if (!rc && !cJSON_IsObject(wm)) rc = err_set(err, IM_IO, "%s: expected an object \"weight_map\"", index);
        if (!rc) {
            hash_field(ctx, "model.safetensors.index.json", text, strlen(text));
            int n = cJSON_GetArraySize(wm), k = 0;
            const char **shards = calloc((size_t)n + 1, sizeof *shards);
            for (const cJSON *e = wm->child; e; e = e->next)
                if (cJSON_IsString(e)) shards[k++] = e->valuestring;
            qsort(shards, (size_t)k, sizeof *shards, cmp_str);
            for (int i = 0; i < k && !rc; i++)
                if (i == 0 || strcmp(shards[i], shards[i - 1])) rc = hash_safetensors(ctx, real, shards[i], err);
            free(shards);
        }
        cJSON_Delete(j);
        free(text);
    } else if (!rc)
        rc = hash_safetensors(ctx, real, "model.safetensors", err);
    free(index);
    unsigned char d[32];
    unsigned int dn = 32;
    EVP_DigestFinal_ex(ctx, d, &dn);
    EVP_MD_CTX_free(ctx);
    if (rc) {
        free(real);
        return rc;
    }
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) hex[2 * i] = digits[d[i] >> 4], hex[2 * i + 1] = digits[d[i] & 15];
    hex[64] = 0;
    *abs_path = real;
    return IM_OK;
}

/* ---- decoding parameters --------------------------------------------------- */

enum { MAX_STOP = 4 };

typedef struct Decoding {
    int max_tokens;
    SampleOpts sample;
    char *stop[MAX_STOP];
    int n_stop;
} Decoding;

static int decoding_parse(const AgModelConfig *cfg, Decoding *d, Err *err) {
    memset(d, 0, sizeof *d);
    d->max_tokens = 2048, d->sample.temperature = 0, d->sample.top_p = 1, d->sample.top_k = 0;
    cJSON *p = cJSON_Parse(cfg->params_json ? cfg->params_json : "{}");
    int rc = cJSON_IsObject(p) ? IM_OK : err_set(err, IM_USAGE, "local model %s: the decoding parameters are not a JSON object", cfg->path);
    for (const cJSON *it = rc ? NULL : p->child; it && !rc; it = it->next) {
        const char *k = it->string;
        if (!strcmp(k, "stop")) {
            if (cJSON_IsString(it)) d->stop[d->n_stop++] = strdup(it->valuestring);
            else if (cJSON_IsArray(it) && cJSON_GetArraySize(it) <= MAX_STOP) {
                for (const cJSON *s = it->child; s && !rc; s = s->next)
                    if (cJSON_IsString(s)) d->stop[d->n_stop++] = strdup(s->valuestring);
                    else rc = err_set(err, IM_USAGE, "local model %s: 'stop' expects strings", cfg->path);
            } else
                rc = err_set(err, IM_USAGE, "local model %s: 'stop' expects a string or at most %d strings", cfg->path, MAX_STOP);
            continue;
        }
        if (!cJSON_IsNumber(it)) {
            rc = err_set(err, IM_USAGE, "local model %s: '%s' is not a decoding parameter of the local engine "
                         "(max_tokens, temperature, top_p, top_k, stop)", cfg->path, k);
            break;
        }
        double v = it->valuedouble;
        if (!strcmp(k, "max_tokens") || !strcmp(k, "max_completion_tokens")) {
            if (v < 1 || v > INT_MAX) rc = err_set(err, IM_USAGE, "local model %s: max_tokens expects a positive integer, got %g", cfg->path, v);
            else d->max_tokens = (int)v;
        } else if (!strcmp(k, "temperature")) {
            if (v < 0) rc = err_set(err, IM_USAGE, "local model %s: temperature expects a number >= 0 (0 = greedy), got %g", cfg->path, v);
            else d->sample.temperature = (float)v;
        } else if (!strcmp(k, "top_p")) {
            if (v <= 0 || v > 1) rc = err_set(err, IM_USAGE, "local model %s: top_p expects a number in (0, 1], got %g", cfg->path, v);
            else d->sample.top_p = (float)v;
        } else if (!strcmp(k, "top_k")) {
            if (v < 0 || v > INT_MAX) rc = err_set(err, IM_USAGE, "local model %s: top_k expects an integer >= 0 (0 = off), got %g", cfg->path, v);
            else d->sample.top_k = (int)v;
        } else
            rc = err_set(err, IM_USAGE, "local model %s: '%s' is not a decoding parameter of the local engine "
                         "(max_tokens, temperature, top_p, top_k, stop)", cfg->path, k);
    }
    cJSON_Delete(p);
    return rc;
}

static void decoding_free(Decoding *d) {
    for (int i = 0; i < d->n_stop; i++) free(d->stop[i]);
    d->n_stop = 0;
}

/* ---- the backend ------------------------------------------------------------ */

typedef struct Job {
    const AgChatRequest *rq;
    AgChatResponse *rs;
    double t0;
    int done;
    struct Job *next;
} Job;

struct AgLocal {
    const AgModelConfig *cfg;
    Engine *e;
    Decoding dec;
    int batch;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    Job *head, **tail;
    int busy; /* a caller is running the engine */
};

int ag_local_open(const AgModelConfig *cfg, AgLocal **out, Err *err) {
    *out = NULL;
    if (!cfg->path) return err_set(err, IM_USAGE, "local model: no folder (expected local:DIR)");
    AgLocal *l = calloc(1, sizeof *l);
    if (!l) return err_set(err, IM_IO, "out of memory");
    l->cfg = cfg;
    l->batch = cfg->concurrency < 1 ? 1 : cfg->concurrency > 64 ? 64 : cfg->concurrency;
    int rc = decoding_parse(cfg, &l->dec, err);
    if (!rc) {
        EngineOpts eo = {.device = cfg->device, .max_seqs = l->batch, .max_ctx = cfg->ctx > 0 ? cfg->ctx : 16384, .max_rows = 64};
        rc = engine_open(cfg->path, &eo, &l->e, err);
        if (rc) err_prefix(err, "local model %s", cfg->path);
    }
    if (!rc && !l->e->mf->has_chat) {
        *err = l->e->mf->chat_err;
        rc = err_prefix(err, "local model %s: no chat template the engine knows", cfg->path);
        if (!err->code) err->code = rc = IM_IO;
    }
    if (rc) {
        decoding_free(&l->dec);
        engine_close(l->e);
        free(l);
        return rc;
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->tail = &l->head;
    *out = l;
    return IM_OK;
}

void ag_local_close(AgLocal *l) {
    if (!l) return;
    engine_close(l->e);
    decoding_free(&l->dec);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void fail(AgChatResponse *r, const char *fmt, const char *path, const char *why) {
    r->ok = 0;
    free(r->error);
    if (asprintf(&r->error, fmt, path, why) < 0) r->error = NULL;
}

/* Runs jobs[0..n) through the engine together. Called by the one caller
 * holding the engine, without the queue lock. */
static void run_batch(AgLocal *l, Job **jobs, int n) {
    GenReq *gr = calloc((size_t)n, sizeof *gr), **live = calloc((size_t)n, sizeof *live);
    int **ids = calloc((size_t)n, sizeof *ids), m = 0;
    const char *path = l->cfg->path;
    for (int i = 0; i < n; i++) {
        const AgChatRequest *rq = jobs[i]->rq;
        AgChatResponse *rs = jobs[i]->rs;
        rs->attempts = 1;
        ChatMsg *msgs = calloc((size_t)(rq->n_msgs > 0 ? rq->n_msgs : 1), sizeof *msgs);
        for (int k = 0; k < rq->n_msgs; k++) msgs[k].role = rq->msgs[k].role, msgs[k].content = rq->msgs[k].content ? rq->msgs[k].content : "";
        Err err = {0};
        int np = 0;
        int rc = engine_encode_chat(l->e, msgs, rq->n_msgs, l->cfg->thinking, &ids[i], &np, &err);
        free(msgs);
        if (rc) {
            fail(rs, "local model %s: %s", path, err.msg);
            continue;
        }
        if (np < 1 || np + 1 >= l->e->o.max_ctx) {
            char why[160];
            snprintf(why, sizeof why, "the prompt has %d tokens; the context holds %d (raise ctx=N in the spec)", np, l->e->o.max_ctx);
            fail(rs, "local model %s: %s", path, why);
            continue;
        }
        GenReq *g = &gr[i];
        g->prompt = ids[i], g->n_prompt = np, g->max_tokens = l->dec.max_tokens, g->sample = l->dec.sample;
        g->seed = (uint64_t)(l->cfg->has_seed ? l->cfg->seed : 0) + (uint64_t)rq->sample;
        g->stop = (const char *const *)l->dec.stop, g->n_stop = l->dec.n_stop;
        live[m++] = g;
    }
    Err err = {0};
    int rc = m ? engine_run(l->e, live, m, &err) : IM_OK;
    for (int i = 0; i < n; i++) {
        GenReq *g = &gr[i];
        AgChatResponse *rs = jobs[i]->rs;
        if (!g->prompt) continue; /* failed above */
        if (rc) fail(rs, "local model %s: %s", path, err.msg);
        else {
            rs->ok = 1;
            rs->text = strdup(g->text.data ? g->text.data : "");
            if (l->cfg->thinking || !strncmp(rs->text + strspn(rs->text, " \t\r\n"), "<think>", 7)) rs->reasoning = ag_split_think(rs->text);
            rs->finish_reason = strdup(g->finish ? g->finish : "stop");
            rs->tokens_in = g->n_prompt, rs->tokens_out = g->n_gen;
        }
        genreq_free(g);
    }
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids), free(live), free(gr);
}

void ag_local_chat_many(AgLocal *l, const AgChatRequest *reqs, const char *todo, int n, AgChatResponse *resps) {
    Job *jobs = calloc((size_t)n, sizeof *jobs);
    double t0 = now_ms();
    pthread_mutex_lock(&l->mu);
    for (int i = 0; i < n; i++) {
        if (!todo[i]) continue;
        jobs[i] = (Job){.rq = &reqs[i], .rs = &resps[i], .t0 = t0};
        *l->tail = &jobs[i], l->tail = &jobs[i].next;
    }
    Job **batch = calloc((size_t)l->batch, sizeof *batch);
    for (;;) {
        int left = 0;
        for (int i = 0; i < n; i++) left += todo[i] && !jobs[i].done;
        if (!left) break;
        if (l->busy || !l->head) {
            pthread_cond_wait(&l->cv, &l->mu);
            continue;
        }
        /* The engine is idle: run what is queued (anyone's), up to the batch. */
        int k = 0;
        while (l->head && k < l->batch) {
            batch[k++] = l->head;
            l->head = l->head->next;
        }
        if (!l->head) l->tail = &l->head;
        l->busy = 1;
        pthread_mutex_unlock(&l->mu);
        run_batch(l, batch, k);
        double t1 = now_ms();
        pthread_mutex_lock(&l->mu);
        for (int i = 0; i < k; i++) batch[i]->rs->latency_ms = t1 - batch[i]->t0, batch[i]->done = 1;
        l->busy = 0;
        pthread_cond_broadcast(&l->cv);
    }
    pthread_mutex_unlock(&l->mu);
    free(batch);
    free(jobs);
}
