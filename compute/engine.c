/* engine.c: the generation loop. Prefill each request's prompt in chunks
 * of max_rows rows, then decode all live requests one row each per step. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int engine_open(const char *dir, const EngineOpts *o, Engine **out, Err *err) {
    *out = NULL;
    Engine *e = calloc(1, sizeof *e);
    int rc = model_open(dir, &e->mf, err);
    if (!rc) rc = vk_ctx_create(o->device, &e->ctx, err);
    if (!rc) {
        e->o.max_rows = o->max_rows > 0 ? o->max_rows : 32;
        e->o.max_seqs = o->max_seqs > 0 ? o->max_seqs : 8;
        e->o.max_ctx = o->max_ctx > 0 ? o->max_ctx : 2048;
        if (e->o.max_rows < e->o.max_seqs) e->o.max_rows = e->o.max_seqs;
        rc = vkm_create(e->ctx, e->mf, &e->o, &e->vm, err);
    }
    if (!rc) {
        e->o.max_ctx = e->o.max_ctx > e->mf->cfg.max_pos ? e->mf->cfg.max_pos : e->o.max_ctx;
        e->logits = malloc(sizeof(float) * (size_t)e->o.max_rows * e->mf->cfg.vocab);
    }
    if (rc) {
        engine_close(e);
        return rc;
    }
    *out = e;
    return IM_OK;
}

void engine_close(Engine *e) {
    if (!e) return;
    vkm_destroy(e->vm);
    vk_ctx_destroy(e->ctx);
    model_close(e->mf);
    free(e->logits), free(e);
}

void genreq_free(GenReq *r) {
    if (!r) return;
    buf_free(&r->text);
    free(r->toks);
    r->toks = NULL;
}

int engine_encode_raw(Engine *e, const char *text, int **ids, int *nids, Err *err) {
    return tok_encode(e->mf->tok, text, strlen(text), ids, nids, err);
}

int engine_encode_chat(Engine *e, const ChatMsg *m, int n, int thinking, int **ids, int *nids, Err *err) {
    if (!e->mf->has_chat) {
        *err = e->mf->chat_err;
        return err->code ? err->code : IM_IO;
    }
    Buf b;
    buf_init(&b);
    chat_render(e->mf->chat, m, n, 1, thinking, &b);
    int rc = tok_encode(e->mf->tok, b.data, b.len, ids, nids, err);
    buf_free(&b);
    return rc;
}

/* Length of the longest prefix of s[0..n) made of complete UTF-8 chars. */
static size_t utf8_complete(const char *s, size_t n) {
    size_t i = n, back = 0;
    while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--, back++;
    if (i == 0) return n;
    unsigned char c = (unsigned char)s[i - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return (back + 1 >= need) ? n : i - 1;
}

/* After a token: stop strings, then stream what is final. Returns 1 when done. */
static int after_token(GenReq *r, const TokInfo *ti) {
    size_t maxstop = 0;
    for (int s = 0; s < r->n_stop; s++) {
        size_t sl = strlen(r->stop[s]);
        if (!sl) continue;
        maxstop = sl > maxstop ? sl : maxstop;
        size_t from = r->emitted > sl ? r->emitted - sl : 0;
        const char *hit = r->text.len ? strstr(r->text.data + from, r->stop[s]) : NULL;
        if (hit) {
            r->text.len = (size_t)(hit - r->text.data);
            r->text.data[r->text.len] = 0;
            r->finish = "stop";
            r->done = 1;
        }
    }
    size_t upto = r->done ? r->text.len : utf8_complete(r->text.data, r->text.len);
    if (!r->done && maxstop > 1) upto = upto > r->emitted + maxstop - 1 ? upto - (maxstop - 1) : r->emitted, upto = utf8_complete(r->text.data, upto);
    if (r->stream && upto > r->emitted) {
        if (r->stream(r, r->text.data + r->emitted, upto - r->emitted, ti)) r->done = 1, r->finish = "cancelled";
        r->emitted = upto;
    }
    return r->done;
}

/* Takes a sampled token for request r from one logits row. */
static void take(Engine *e, GenReq *r, const float *lg) {
    const ModelConfig *c = &e->mf->cfg;
    int id = sample_token(lg, c->vocab, &r->sample, &r->rng);
    TokInfo ti = {.id = id};
    if (r->logprobs) {
        ti.ntop = r->top_logprobs > 20 ? 20 : r->top_logprobs;
        ti.logprob = sample_logprob(lg, c->vocab, id, ti.ntop, ti.top_id, ti.top_lp);
    }
    if (!r->ignore_eos && model_is_eos(e->mf, id)) {
        r->done = 1, r->finish = "stop", r->eos_id = id, r->eos_logprob = ti.logprob;
        after_token(r, NULL);
        return;
    }
    if (r->logprobs) {
        r->toks = realloc(r->toks, sizeof *r->toks * (size_t)(r->n_gen + 1));
        r->toks[r->n_gen] = ti;
    }
    r->n_gen++;
    tok_piece(e->mf->tok, id, 1, &r->text);
    if (!r->text.data) buf_append(&r->text, "", 0);
    r->last = id;
    if (after_token(r, &ti)) return;
    if (r->n_gen >= r->max_tokens || r->pos + 1 >= e->o.max_ctx) {
        r->done = 1, r->finish = "length";
        after_token(r, NULL);
    }
}

static int prefill(Engine *e, GenReq *r, Err *err) {
    int R = e->o.max_rows, seq[256], pos[256];
    if (r->n_prompt < 1) return err_set(err, IM_USAGE, "empty prompt");
    if (r->n_prompt >= e->o.max_ctx) return err_set(err, IM_USAGE, "prompt of %d tokens does not fit the context of %d", r->n_prompt, e->o.max_ctx);
    double t0 = now_s();
    for (int s = 0; s < r->n_prompt; s += R) {
        int n = r->n_prompt - s < R ? r->n_prompt - s : R;
        if (n > 256) n = 256;
        for (int i = 0; i < n; i++) seq[i] = r->seq, pos[i] = s + i;
        int last = s + n == r->n_prompt, out = n - 1;
        int rc = vkm_step(e->vm, n, seq, pos, r->prompt + s, last ? 1 : 0, &out, e->logits, err);
        if (rc) return rc;
    }
    e->prefill_s += now_s() - t0;
    e->prefill_tokens += r->n_prompt;
    r->pos = r->n_prompt;
    take(e, r, e->logits);
    return IM_OK;
}

int engine_run(Engine *e, GenReq **reqs, int n, Err *err) {
    if (n > e->o.max_seqs) return err_set(err, IM_USAGE, "%d requests, at most %d at once", n, e->o.max_seqs);
    for (int i = 0; i < n; i++) {
        GenReq *r = reqs[i];
        buf_init(&r->text);
        buf_append(&r->text, "", 0);
        r->toks = NULL, r->n_gen = 0, r->finish = NULL, r->done = 0, r->emitted = 0, r->seq = i, r->eos_id = -1;
        r->rng = r->seed * 0x9E3779B97F4A7C15ull + 0x1234567ull;
        if (r->max_tokens <= 0) {
            r->done = 1, r->finish = "length";
            continue;
        }
        int rc = prefill(e, r, err);
        if (rc) return rc;
    }
    int seq[256], pos[256], tok[256], out[256];
    GenReq *live[256];
    for (;;) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (!reqs[i]->done) live[m] = reqs[i], seq[m] = reqs[i]->seq, pos[m] = reqs[i]->pos, tok[m] = reqs[i]->last, out[m] = m, m++;
        if (!m) break;
        double t0 = now_s();
        int rc = vkm_step(e->vm, m, seq, pos, tok, m, out, e->logits, err);
        if (rc) return rc;
        for (int i = 0; i < m; i++) {
            live[i]->pos++;
            take(e, live[i], e->logits + (size_t)i * e->mf->cfg.vocab);
        }
        e->decode_s += now_s() - t0; /* the forward, the logits read back and sampling */
        e->decode_tokens += m, e->decode_steps++;
    }
    return IM_OK;
}
