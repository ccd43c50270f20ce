/* ref.c: reference forward. Per layer: RMSNorm, q/k/v projections,
 * (Qwen3) per-head RMSNorm of q and k, RoPE (rotate-half), causal GQA
 * attention over the cache, output projection + residual, RMSNorm,
 * SwiGLU MLP + residual; then final RMSNorm and the LM head. */
#include "ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct RefLayer {
    float *attn_norm, *wq, *wk, *wv, *wo, *q_norm, *k_norm, *ffn_norm, *gate, *up, *down;
} RefLayer;

struct RefModel {
    ModelConfig c;
    float *embed, *norm, *lm_head;
    RefLayer *l;
    float *kc, *vc; /* [layer][pos][kv_dim] */
    int max_seq, pos;
    float *inv_freq;
    float *x, *xb, *q, *k, *v, *att, *ao, *hb, *hb2;
};

static float *deq(const StTensor *t) {
    if (!t) return NULL;
    size_t n = (size_t)t->shape[0] * (size_t)(t->ndim > 1 ? t->shape[1] : 1);
    float *f = malloc(sizeof *f * n);
    if (!f) abort();
    for (size_t i = 0; i < n; i++) f[i] = st_get(t, i);
    return f;
}

int ref_create(const ModelFiles *m, int max_seq, RefModel **out, Err *err) {
    RefModel *r = calloc(1, sizeof *r);
    if (!r) return err_set(err, IM_IO, "out of memory");
    const ModelConfig *c = &m->cfg;
    r->c = *c, r->max_seq = max_seq;
    r->embed = deq(m->w.embed), r->norm = deq(m->w.norm);
    r->lm_head = m->w.lm_head == m->w.embed ? r->embed : deq(m->w.lm_head);
    r->l = calloc((size_t)c->layers, sizeof *r->l);
    for (int i = 0; i < c->layers; i++) {
        const LayerWeights *w = &m->w.layer[i];
        RefLayer *L = &r->l[i];
        L->attn_norm = deq(w->attn_norm), L->wq = deq(w->wq), L->wk = deq(w->wk), L->wv = deq(w->wv), L->wo = deq(w->wo);
        L->q_norm = deq(w->q_norm), L->k_norm = deq(w->k_norm), L->ffn_norm = deq(w->ffn_norm);
        L->gate = deq(w->gate), L->up = deq(w->up), L->down = deq(w->down);
    }
    size_t kvd = (size_t)c->n_kv_heads * c->head_dim, qd = (size_t)c->n_heads * c->head_dim;
    r->kc = calloc((size_t)c->layers * max_seq * kvd, sizeof(float));
    r->vc = calloc((size_t)c->layers * max_seq * kvd, sizeof(float));
    r->inv_freq = malloc(sizeof(float) * (size_t)c->head_dim / 2);
    model_config_inv_freq(c, r->inv_freq);
    size_t D = (size_t)c->hidden;
    r->x = malloc(sizeof(float) * D), r->xb = malloc(sizeof(float) * (D > qd ? D : qd));
    r->q = malloc(sizeof(float) * qd), r->k = malloc(sizeof(float) * kvd), r->v = malloc(sizeof(float) * kvd);
    r->att = malloc(sizeof(float) * (size_t)max_seq), r->ao = malloc(sizeof(float) * qd);
    r->hb = malloc(sizeof(float) * (size_t)c->ffn), r->hb2 = malloc(sizeof(float) * (size_t)c->ffn);
    if (!r->kc || !r->vc) {
        ref_destroy(r);
        return err_set(err, IM_IO, "reference model: out of memory for a %d-token cache", max_seq);
    }
    *out = r;
    return IM_OK;
}

void ref_destroy(RefModel *r) {
    if (!r) return;
    for (int i = 0; r->l && i < r->c.layers; i++) {
        RefLayer *L = &r->l[i];
        free(L->attn_norm), free(L->wq), free(L->wk), free(L->wv), free(L->wo), free(L->q_norm), free(L->k_norm);
        free(L->ffn_norm), free(L->gate), free(L->up), free(L->down);
    }
    if (r->lm_head != r->embed) free(r->lm_head);
    free(r->embed), free(r->norm), free(r->l), free(r->kc), free(r->vc), free(r->inv_freq);
    free(r->x), free(r->xb), free(r->q), free(r->k), free(r->v), free(r->att), free(r->ao), free(r->hb), free(r->hb2);
    free(r);
}

void ref_reset(RefModel *r) { r->pos = 0; }

static void rmsnorm(float *o, const float *x, const float *w, int n, float eps) {
    double ss = 0;
    for (int i = 0; i < n; i++) ss += (double)x[i] * x[i];
    float s = 1.0f / sqrtf((float)(ss / n) + eps);
    for (int i = 0; i < n; i++) o[i] = x[i] * s * w[i];
}

static void matvec(float *o, const float *x, const float *w, int n_in, int n_out) {
    for (int r = 0; r < n_out; r++) {
        double s = 0;
        const float *row = w + (size_t)r * n_in;
        for (int i = 0; i < n_in; i++) s += (double)row[i] * x[i];
        o[r] = (float)s;
    }
}

static void rope(float *v, int heads, int hd, int pos, const float *inv_freq) {
    int half = hd / 2;
    for (int h = 0; h < heads; h++) {
        float *p = v + h * hd;
        for (int i = 0; i < half; i++) {
            double a = (double)pos * inv_freq[i];
            float cs = (float)cos(a), sn = (float)sin(a);
            float x0 = p[i], x1 = p[i + half];
            p[i] = x0 * cs - x1 * sn;
            p[i + half] = x1 * cs + x0 * sn;
        }
    }
}

int ref_forward(RefModel *r, int token, float *logits, float *layer_out, Err *err) {
    const ModelConfig *c = &r->c;
    if (r->pos >= r->max_seq) return err_set(err, IM_USAGE, "reference model: position %d past the cache of %d", r->pos, r->max_seq);
    if (token < 0 || token >= c->vocab) return err_set(err, IM_USAGE, "reference model: token %d outside the vocabulary of %d", token, c->vocab);
    int D = c->hidden, hd = c->head_dim, nq = c->n_heads, nkv = c->n_kv_heads, pos = r->pos;
    int kvd = nkv * hd, group = nq / nkv;
    memcpy(r->x, r->embed + (size_t)token * D, sizeof(float) * (size_t)D);
    for (int l = 0; l < c->layers; l++) {
        RefLayer *L = &r->l[l];
        rmsnorm(r->xb, r->x, L->attn_norm, D, c->eps);
        matvec(r->q, r->xb, L->wq, D, nq * hd);
        matvec(r->k, r->xb, L->wk, D, kvd);
        matvec(r->v, r->xb, L->wv, D, kvd);
        if (c->qk_norm) {
            for (int h = 0; h < nq; h++) rmsnorm(r->q + h * hd, r->q + h * hd, L->q_norm, hd, c->eps);
            for (int h = 0; h < nkv; h++) rmsnorm(r->k + h * hd, r->k + h * hd, L->k_norm, hd, c->eps);
        }
        rope(r->q, nq, hd, pos, r->inv_freq);
        rope(r->k, nkv, hd, pos, r->inv_freq);
        float *kc = r->kc + ((size_t)l * r->max_seq) * kvd, *vc = r->vc + ((size_t)l * r->max_seq) * kvd;
        memcpy(kc + (size_t)pos * kvd, r->k, sizeof(float) * (size_t)kvd);
        memcpy(vc + (size_t)pos * kvd, r->v, sizeof(float) * (size_t)kvd);
        float scale = 1.0f / sqrtf((float)hd);
        for (int h = 0; h < nq; h++) {
            int kh = h / group;
            const float *q = r->q + h * hd;
            float mx = -INFINITY;
            for (int t = 0; t <= pos; t++) {
                const float *k = kc + (size_t)t * kvd + kh * hd;
                float s = 0;
                for (int i = 0; i < hd; i++) s += q[i] * k[i];
                r->att[t] = s * scale;
                if (r->att[t] > mx) mx = r->att[t];
            }
            float sum = 0;
            for (int t = 0; t <= pos; t++) sum += (r->att[t] = expf(r->att[t] - mx));
            float *o = r->ao + h * hd;
            for (int i = 0; i < hd; i++) o[i] = 0;
            for (int t = 0; t <= pos; t++) {
                const float *v = vc + (size_t)t * kvd + kh * hd;
                float p = r->att[t] / sum;
                for (int i = 0; i < hd; i++) o[i] += p * v[i];
            }
        }
        matvec(r->xb, r->ao, L->wo, nq * hd, D);
        for (int i = 0; i < D; i++) r->x[i] += r->xb[i];
        rmsnorm(r->xb, r->x, L->ffn_norm, D, c->eps);
        matvec(r->hb, r->xb, L->gate, D, c->ffn);
        matvec(r->hb2, r->xb, L->up, D, c->ffn);
        for (int i = 0; i < c->ffn; i++) {
            float g = r->hb[i];
            r->hb[i] = g / (1.0f + expf(-g)) * r->hb2[i];
        }
        matvec(r->xb, r->hb, L->down, c->ffn, D);
        for (int i = 0; i < D; i++) r->x[i] += r->xb[i];
        if (layer_out) memcpy(layer_out + (size_t)l * D, r->x, sizeof(float) * (size_t)D);
    }
    rmsnorm(r->xb, r->x, r->norm, D, c->eps);
    matvec(logits, r->xb, r->lm_head, D, c->vocab);
    r->pos++;
    return IM_OK;
}
