/* model_ref.c: reference forward and backward of the whole model over a
 * packed batch. Layout: tensor table and parameter blocks (created once),
 * then activations (one block, re-laid when the batch grows), then the
 * forward (embedding, per layer RMSNorm, q/k/v [+LoRA], q/k RMSNorm per
 * head (Qwen3), RoPE, causal GQA attention within segments, o + residual,
 * RMSNorm, SwiGLU MLP + residual; final RMSNorm, LM head, cross-entropy)
 * and its backward in reverse order; the per-op profile.
 *
 * Two sets of kernels: by default the fast ones (matrix products through
 * gemm.h, attention per packed sample, cross-entropy, SwiGLU, RMSNorm and
 * RoPE of ops_fast.h), with TmOptions.reference the double-accumulating opr_* ops
 * only (the oracle; tests/compute/torch_check.py holds both to PyTorch and
 * to each other). */
#include "model_ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemm.h"
#include "ops_fast.h"

/* Op kinds of the profile. */
enum { MP_EMBED, MP_RMSNORM, MP_PROJ, MP_LMHEAD, MP_ROPE, MP_ATTN, MP_SWIGLU, MP_XENT, MP_COPY, MP_COUNT };
static const char *const MP_NAME[MP_COUNT] = {"embedding", "RMSNorm (+ q/k norm)", "projections q,k,v,o,gate,up,down (+ LoRA)",
                                              "LM head", "RoPE", "attention", "SwiGLU", "cross-entropy", "residual adds, copies, fills"};

/* The seven adaptable projections, in TM_Q.. bit order. */
enum { P_Q, P_K, P_V, P_O, P_GATE, P_UP, P_DOWN, P_COUNT };
static const char *const PROJ_NAME[P_COUNT] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                               "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};

typedef struct MrefLayer {
    int attn_norm, q_norm, k_norm, ffn_norm; /* tensor indices (-1: absent) */
    int proj[P_COUNT];                       /* wq, wk, wv, wo, gate, up, down */
    int lora_a[P_COUNT], lora_b[P_COUNT];    /* -1 where not adapted */
} MrefLayer;

/* Activations of one layer for n tokens (D hidden, qd = nq*hd, kvd = nkv*hd, F ffn, r LoRA rank). */
typedef struct MrefActs {
    float *xn1, *rstd1;     /* [n][D], [n]     attention RMSNorm out, 1/rms */
    float *q, *k, *v;       /* [n][qd], [n][kvd], [n][kvd] projections */
    float *qn, *kn;         /* [n][qd], [n][kvd] after q/k norm (Qwen3) */
    float *rstdq, *rstdk;   /* [n*nq], [n*nkv] */
    float *qr, *kr;         /* [n][qd], [n][kvd] after RoPE */
    float *p;               /* attention probabilities: [nq][n][n] (reference), or per sample (opf_attn_fwd) in r->pblock */
    float *ao;              /* [n][qd] attention output */
    float *xmid;            /* [n][D] residual after attention */
    float *xn2, *rstd2;     /* [n][D], [n] */
    float *g, *u, *h;       /* [n][F] gate, up, silu(gate)*up */
    float *xa[P_COUNT];     /* [n][r] x . lora_A^T of adapted projections */
} MrefActs;

struct Mref {
    ModelConfig c;
    float *inv_freq; /* [hd/2] */
    int nt;
    TmTensor *t;
    char **names;
    float **val, **grad, **master, **mom1, **mom2; /* per tensor, pointers into the blocks below */
    float *val_block, *grad_block, *master_block, *m_block, *v_block;
    int embed, norm, lm_head;
    MrefLayer *l;
    int lora_rank;
    double lora_scale;
    /* activations, valid for n_act tokens after a forward */
    int cap, n_act;
    float *act_block;
    float **x;        /* [layers+1] of [n][D]: x[0] embeddings, x[l+1] residual after layer l */
    MrefActs *a;      /* [layers] */
    float *xf, *rstdf; /* [n][D], [n] final norm */
    float *logits;    /* [n][V] */
    /* backward scratch */
    float *dx, *dxn, *dtmp; /* [n][D] */
    float *dq, *dk, *dv, *dqr, *dkr, *dao; /* [n][qd|kvd] */
    float *dg, *du, *dh;   /* [n][F] */
    float *dlogits;        /* [n][V] */
    float *dlora;          /* [n][r] */
    float *tmp;            /* [n][max(D, qd)] forward scratch */
    float *lse;            /* [n] log-sum-exp of each row's logits (fast xent) */
    float *rope_cs;        /* [n][hd/2][2] cos, sin of the batch's positions (fast RoPE) */
    int *seg_start;        /* [n+1] runs of the last forward's samples (opf_segments) */
    int nseg;              /* their count; -1: the reference attention */
    /* attention probabilities of every layer and the backward's scratch, sized per batch */
    float *pblock, *pscratch;
    size_t pcap, scap;
    int reference; /* 1: the opr_* ops only */
    /* profile: ns per op kind, forward [0] and backward [1] */
    int prof_on;
    long prof_steps;
    double prof_ns[MP_COUNT][2];
};

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Runs stmt, adding its time to kind's forward (dir 0) or backward (1) when profiling. */
#define TIMED(kind, dir, stmt)                                       \
    do {                                                             \
        double t0_ = r->prof_on ? now_ns() : 0;                      \
        stmt;                                                        \
        if (r->prof_on) r->prof_ns[kind][dir] += now_ns() - t0_;     \
    } while (0)

/* ---- tensor table ---- */

static int add_tensor(Mref *r, const char *name, int64_t d0, int64_t d1, StDtype dt, int trainable) {
    int i = r->nt++;
    r->names[i] = strdup(name);
    TmTensor *t = &r->t[i];
    t->name = r->names[i], t->ndim = d1 ? 2 : 1, t->shape[0] = d0, t->shape[1] = d1;
    t->n = (size_t)d0 * (size_t)(d1 ? d1 : 1), t->dtype = dt, t->trainable = trainable;
    return i;
}

static void load_tensor(float *dst, const StTensor *st, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = st_get(st, i);
}

static int blocks_alloc(Mref *r, int grads) {
    size_t all = 0, tr = 0;
    for (int i = 0; i < r->nt; i++) all += r->t[i].n, tr += r->t[i].trainable ? r->t[i].n : 0;
    r->val_block = calloc(all ? all : 1, sizeof(float));
    if (grads && tr) {
        r->grad_block = calloc(tr, sizeof(float)), r->master_block = calloc(tr, sizeof(float));
        r->m_block = calloc(tr, sizeof(float)), r->v_block = calloc(tr, sizeof(float));
        if (!r->grad_block || !r->master_block || !r->m_block || !r->v_block) return -1;
    }
    if (!r->val_block) return -1;
    size_t o = 0, ot = 0;
    for (int i = 0; i < r->nt; i++) {
        r->val[i] = r->val_block + o;
        o += r->t[i].n;
        if (grads && r->t[i].trainable) {
            r->grad[i] = r->grad_block + ot, r->master[i] = r->master_block + ot;
            r->mom1[i] = r->m_block + ot, r->mom2[i] = r->v_block + ot;
            ot += r->t[i].n;
        }
    }
    return 0;
}

int mref_create(const ModelFiles *m, const TmOptions *o, int grads, Mref **out, Err *err) {
    *out = NULL;
    const ModelConfig *c = &m->cfg;
    int lora = o && o->lora_rank > 0;
    if (lora && (o->lora_targets & TM_ALL_TARGETS) == 0) return err_set(err, IM_USAGE, "LoRA: no target projections given");
    Mref *r = calloc(1, sizeof *r);
    if (!r) return err_set(err, IM_IO, "out of memory");
    r->c = *c;
    int maxt = 3 + c->layers * (11 + 2 * P_COUNT);
    r->t = calloc((size_t)maxt, sizeof *r->t), r->names = calloc((size_t)maxt, sizeof *r->names);
    r->val = calloc((size_t)maxt, sizeof(float *)), r->grad = calloc((size_t)maxt, sizeof(float *));
    r->master = calloc((size_t)maxt, sizeof(float *)), r->mom1 = calloc((size_t)maxt, sizeof(float *));
    r->mom2 = calloc((size_t)maxt, sizeof(float *)), r->l = calloc((size_t)c->layers, sizeof *r->l);
    r->inv_freq = malloc(sizeof(float) * (size_t)(c->head_dim / 2));
    if (!r->t || !r->names || !r->val || !r->grad || !r->master || !r->mom1 || !r->mom2 || !r->l || !r->inv_freq) {
        mref_destroy(r);
        return err_set(err, IM_IO, "out of memory");
    }
    model_config_inv_freq(c, r->inv_freq);
    int base_tr = !lora;
    const ModelWeights *w = &m->w;
    /* the model's tensors in their Hugging Face order, then the adapters */
    const StTensor **src = calloc((size_t)maxt, sizeof *src);
    if (!src) {
        mref_destroy(r);
        return err_set(err, IM_IO, "out of memory");
    }
#define ADD(st) (src[r->nt] = (st), add_tensor(r, (st)->name, (st)->shape[0], (st)->ndim > 1 ? (st)->shape[1] : 0, (st)->dtype, base_tr))
    r->embed = ADD(w->embed);
    for (int i = 0; i < c->layers; i++) {
        const LayerWeights *lw = &w->layer[i];
        MrefLayer *L = &r->l[i];
        const StTensor *proj[P_COUNT] = {lw->wq, lw->wk, lw->wv, lw->wo, lw->gate, lw->up, lw->down};
        L->attn_norm = ADD(lw->attn_norm);
        for (int p = 0; p < 4; p++) L->proj[p] = ADD(proj[p]);
        L->q_norm = c->qk_norm ? ADD(lw->q_norm) : -1;
        L->k_norm = c->qk_norm ? ADD(lw->k_norm) : -1;
        L->ffn_norm = ADD(lw->ffn_norm);
        for (int p = 4; p < P_COUNT; p++) L->proj[p] = ADD(proj[p]);
    }
    r->norm = ADD(w->norm);
    r->lm_head = w->lm_head == w->embed ? r->embed : ADD(w->lm_head);
#undef ADD
    for (int i = 0; i < c->layers; i++)
        for (int p = 0; p < P_COUNT; p++) {
            MrefLayer *L = &r->l[i];
            L->lora_a[p] = L->lora_b[p] = -1;
            if (!lora || !(o->lora_targets & (1u << p))) continue;
            const TmTensor *bt = &r->t[L->proj[p]];
            char name[160];
            snprintf(name, sizeof name, "base_model.model.model.layers.%d.%s.lora_A.weight", i, PROJ_NAME[p]);
            L->lora_a[p] = add_tensor(r, name, o->lora_rank, bt->shape[1], ST_F32, 1);
            snprintf(name, sizeof name, "base_model.model.model.layers.%d.%s.lora_B.weight", i, PROJ_NAME[p]);
            L->lora_b[p] = add_tensor(r, name, bt->shape[0], o->lora_rank, ST_F32, 1);
        }
    if (lora) r->lora_rank = o->lora_rank, r->lora_scale = (double)o->lora_alpha / o->lora_rank;
    r->reference = o && o->reference;
    if (blocks_alloc(r, grads)) {
        free(src);
        mref_destroy(r);
        return err_set(err, IM_IO, "out of memory for the model's tensors");
    }
    uint64_t rng = o ? o->seed : 0;
    for (int i = 0; i < r->nt; i++) {
        if (src[i]) load_tensor(r->val[i], src[i], r->t[i].n);
        else if (strstr(r->t[i].name, "lora_A")) {
            float bound = 1.0f / sqrtf((float)r->t[i].shape[1]);
            for (size_t j = 0; j < r->t[i].n; j++) r->val[i][j] = (2.0f * rng_uniform(&rng) - 1.0f) * bound;
        }
        if (r->master[i]) memcpy(r->master[i], r->val[i], sizeof(float) * r->t[i].n);
    }
    free(src);
    *out = r;
    return IM_OK;
}

void mref_destroy(Mref *r) {
    if (!r) return;
    for (int i = 0; i < r->nt; i++) free(r->names[i]);
    free(r->names), free(r->t), free(r->val), free(r->grad), free(r->master), free(r->mom1), free(r->mom2);
    free(r->val_block), free(r->grad_block), free(r->master_block), free(r->m_block), free(r->v_block);
    free(r->l), free(r->inv_freq), free(r->act_block), free(r->x), free(r->a);
    free(r->seg_start), free(r->pblock), free(r->pscratch);
    free(r);
}

const ModelConfig *mref_config(const Mref *r) { return &r->c; }
int mref_tensor_count(const Mref *r) { return r->nt; }
const TmTensor *mref_tensor(const Mref *r, int i) { return &r->t[i]; }

float *mref_data(Mref *r, int i, TmWhat what) {
    if (i < 0 || i >= r->nt) return NULL;
    switch (what) {
    case TM_PARAM: return r->val[i];
    case TM_GRAD: return r->grad[i];
    case TM_MASTER: return r->master[i];
    case TM_ADAM_M: return r->mom1[i];
    case TM_ADAM_V: return r->mom2[i];
    }
    return NULL;
}

void mref_master_changed(Mref *r, int i) {
    if (!r->master[i]) return;
    memcpy(r->val[i], r->master[i], sizeof(float) * r->t[i].n);
    opr_round(r->val[i], r->t[i].n, r->t[i].dtype);
}

const float *mref_logits(const Mref *r) { return r->logits; }
int mref_n_act(const Mref *r) { return r->n_act; }
const float *mref_residual(const Mref *r, int l) { return r->x[l + 1]; }

/* ---- activations: one block, laid out for n tokens ---- */

/* Lays out (base != NULL) or counts (base == NULL) the activations for n tokens. */
static size_t acts_layout(Mref *r, int n, float *base) {
    const ModelConfig *c = &r->c;
    size_t N = (size_t)n, D = (size_t)c->hidden, qd = (size_t)c->n_heads * c->head_dim, kvd = (size_t)c->n_kv_heads * c->head_dim;
    size_t F = (size_t)c->ffn, V = (size_t)c->vocab, R = (size_t)r->lora_rank, nq = (size_t)c->n_heads, nkv = (size_t)c->n_kv_heads;
    size_t count = 0;
#define T(n_) (count += (n_), base ? base + count - (n_) : NULL)
    for (int l = 0; l <= c->layers; l++) {
        float *p = T(N * D);
        if (base) r->x[l] = p;
    }
    for (int l = 0; l < c->layers; l++) {
        MrefActs tmp, *A = base ? &r->a[l] : &tmp;
        A->xn1 = T(N * D), A->rstd1 = T(N), A->q = T(N * qd), A->k = T(N * kvd), A->v = T(N * kvd);
        A->qn = c->qk_norm ? T(N * qd) : NULL, A->kn = c->qk_norm ? T(N * kvd) : NULL;
        A->rstdq = c->qk_norm ? T(N * nq) : NULL, A->rstdk = c->qk_norm ? T(N * nkv) : NULL;
        A->qr = T(N * qd), A->kr = T(N * kvd), A->ao = T(N * qd);
        A->xmid = T(N * D), A->xn2 = T(N * D), A->rstd2 = T(N), A->g = T(N * F), A->u = T(N * F), A->h = T(N * F);
        for (int p = 0; p < P_COUNT; p++) A->xa[p] = r->l[l].lora_a[p] >= 0 ? T(N * R) : NULL;
    }
    r->xf = T(N * D), r->rstdf = T(N), r->logits = T(N * V);
    size_t big = D > qd ? D : qd;
    r->tmp = T(N * big), r->lse = T(N), r->rope_cs = T(N * (size_t)c->head_dim);
    if (r->grad_block) {
        r->dx = T(N * D), r->dxn = T(N * D), r->dtmp = T(N * D);
        r->dq = T(N * qd), r->dk = T(N * kvd), r->dv = T(N * kvd), r->dqr = T(N * qd), r->dkr = T(N * kvd), r->dao = T(N * qd);
        r->dg = T(N * F), r->du = T(N * F), r->dh = T(N * F), r->dlogits = T(N * V), r->dlora = T(N * (R ? R : 1));
    }
#undef T
    return count;
}

static int acts_reserve(Mref *r, int n, Err *err) {
    if (n <= r->cap) return IM_OK;
    if (!r->x) {
        r->x = calloc((size_t)r->c.layers + 1, sizeof *r->x), r->a = calloc((size_t)r->c.layers, sizeof *r->a);
        if (!r->x || !r->a) return err_set(err, IM_IO, "out of memory");
    }
    free(r->seg_start);
    r->seg_start = malloc(sizeof(int) * ((size_t)n + 1));
    if (!r->seg_start) return err_set(err, IM_IO, "out of memory");
    size_t need = acts_layout(r, n, NULL);
    float *b = malloc(sizeof(float) * need);
    free(r->act_block);
    r->act_block = NULL, r->cap = 0;
    if (!b) return err_set(err, IM_IO, "reference model: out of memory for the activations of %d tokens (%zu floats)", n, need);
    r->act_block = b, r->cap = n;
    acts_layout(r, n, b);
    return IM_OK;
}

/* ---- attention probabilities: sized per batch ---- */

/* Lays the samples of b out as runs (or -1: the reference attention) and
 * points each layer's p into a block big enough for them. */
static int attn_reserve(Mref *r, const TmBatch *b, Err *err) {
    const ModelConfig *c = &r->c;
    int n = b->n;
    r->nseg = r->reference ? -1 : opf_segments(b->seg, n, r->seg_start);
    size_t per = r->nseg >= 0 ? opf_attn_p_size(r->seg_start, r->nseg, c->n_heads) : (size_t)c->n_heads * n * n;
    size_t need = per * (size_t)c->layers, scr = r->nseg >= 0 && r->grad_block ? opf_attn_scratch_size(r->seg_start, r->nseg) : 0;
    if (need > r->pcap) {
        free(r->pblock);
        r->pcap = 0;
        if (!(r->pblock = malloc(sizeof(float) * need)))
            return err_set(err, IM_IO, "reference model: out of memory for the attention of %d tokens (%zu floats)", n, need);
        r->pcap = need;
    }
    if (scr > r->scap) {
        free(r->pscratch);
        r->scap = 0;
        if (!(r->pscratch = malloc(sizeof(float) * scr))) return err_set(err, IM_IO, "reference model: out of memory (%zu floats)", scr);
        r->scap = scr;
    }
    for (int l = 0; l < c->layers; l++) r->a[l].p = r->pblock + per * (size_t)l;
    return IM_OK;
}

/* ---- forward ---- */

static void lin_fwd(Mref *r, int l, int p, float *y, float *x, int n) {
    const MrefLayer *L = &r->l[l];
    const TmTensor *w = &r->t[L->proj[p]];
    int m = (int)w->shape[0], k = (int)w->shape[1], R = r->lora_rank;
    const float *wv = r->val[L->proj[p]];
    if (r->reference && L->lora_a[p] >= 0)
        opr_lora_fwd(y, r->a[l].xa[p], x, wv, r->val[L->lora_a[p]], r->val[L->lora_b[p]], r->lora_scale, n, k, m, R);
    else if (r->reference) opr_matmul_fwd(y, x, wv, n, k, m);
    else {
        gemm_xwt(y, x, wv, n, k, m);
        if (L->lora_a[p] >= 0) { /* y += scale * (x a^T) b^T */
            float *xa = r->a[l].xa[p];
            gemm_xwt(xa, x, r->val[L->lora_a[p]], n, k, R);
            gemm_f32(0, 1, n, m, R, (float)r->lora_scale, xa, R, r->val[L->lora_b[p]], R, 1.0f, y, m);
        }
    }
}

/* The elementwise ops of either kernel set. */
static void rms_fwd(const Mref *r, float *out, float *rstd, const float *x, const float *w, int n, int d, double eps) {
    (r->reference ? opr_rmsnorm_fwd : opf_rmsnorm_fwd)(out, rstd, x, w, n, d, eps);
}
static void rms_bwd(const Mref *r, float *dx, float *dw, const float *dout, const float *x, const float *w, const float *rstd, int n, int d) {
    (r->reference ? opr_rmsnorm_bwd : opf_rmsnorm_bwd)(dx, dw, dout, x, w, rstd, n, d);
}
static void swiglu_fwd(const Mref *r, float *h, const float *g, const float *u, size_t n) {
    (r->reference ? opr_swiglu_fwd : opf_swiglu_fwd)(h, g, u, n);
}
static void swiglu_bwd(const Mref *r, float *dg, float *du, const float *dh, const float *g, const float *u, size_t n) {
    (r->reference ? opr_swiglu_bwd : opf_swiglu_bwd)(dg, du, dh, g, u, n);
}

static void rope_fwd(Mref *r, float *x, const TmBatch *b, int heads, int sign) {
    const ModelConfig *c = &r->c;
    if (!r->reference) opf_rope(x, r->rope_cs, b->n, heads, c->head_dim, sign);
    else if (sign > 0) opr_rope_fwd(x, b->pos, r->inv_freq, b->n, heads, c->head_dim);
    else opr_rope_bwd(x, b->pos, r->inv_freq, b->n, heads, c->head_dim);
}

int mref_forward(Mref *r, const TmBatch *b, double *loss, float *logp, Err *err) {
    int rc = tm_batch_check(&r->c, b, err);
    if (!rc) rc = acts_reserve(r, b->n, err);
    if (!rc) rc = attn_reserve(r, b, err);
    if (rc) return rc;
    const ModelConfig *c = &r->c;
    int n = b->n, D = c->hidden, hd = c->head_dim, nq = c->n_heads, nkv = c->n_kv_heads, V = c->vocab;
    size_t qd = (size_t)nq * hd, kvd = (size_t)nkv * hd, ND = (size_t)n * D;
    r->n_act = n;
    if (r->prof_on) r->prof_steps++;
    TIMED(MP_EMBED, 0, opr_embed_fwd(r->x[0], r->val[r->embed], b->tokens, n, D));
    if (!r->reference) TIMED(MP_ROPE, 0, opf_rope_table(r->rope_cs, b->pos, r->inv_freq, n, hd));
    for (int l = 0; l < c->layers; l++) {
        MrefActs *A = &r->a[l];
        const MrefLayer *L = &r->l[l];
        TIMED(MP_RMSNORM, 0, rms_fwd(r, A->xn1, A->rstd1, r->x[l], r->val[L->attn_norm], n, D, c->eps));
        TIMED(MP_PROJ, 0, lin_fwd(r, l, P_Q, A->q, A->xn1, n); lin_fwd(r, l, P_K, A->k, A->xn1, n); lin_fwd(r, l, P_V, A->v, A->xn1, n));
        const float *qs = A->q, *ks = A->k;
        if (c->qk_norm) {
            TIMED(MP_RMSNORM, 0, rms_fwd(r, A->qn, A->rstdq, A->q, r->val[L->q_norm], n * nq, hd, c->eps);
                  rms_fwd(r, A->kn, A->rstdk, A->k, r->val[L->k_norm], n * nkv, hd, c->eps));
            qs = A->qn, ks = A->kn;
        }
        TIMED(MP_COPY, 0, memcpy(A->qr, qs, sizeof(float) * n * qd); memcpy(A->kr, ks, sizeof(float) * n * kvd));
        TIMED(MP_ROPE, 0, rope_fwd(r, A->qr, b, nq, 1); rope_fwd(r, A->kr, b, nkv, 1));
        if (r->nseg >= 0) TIMED(MP_ATTN, 0, opf_attn_fwd(A->ao, A->p, A->qr, A->kr, A->v, r->seg_start, r->nseg, nq, nkv, hd));
        else TIMED(MP_ATTN, 0, opr_attn_fwd(A->ao, A->p, A->qr, A->kr, A->v, b->seg, n, nq, nkv, hd));
        TIMED(MP_PROJ, 0, lin_fwd(r, l, P_O, r->tmp, A->ao, n));
        TIMED(MP_COPY, 0, for (size_t i = 0; i < ND; i++) A->xmid[i] = r->x[l][i] + r->tmp[i]);
        TIMED(MP_RMSNORM, 0, rms_fwd(r, A->xn2, A->rstd2, A->xmid, r->val[L->ffn_norm], n, D, c->eps));
        TIMED(MP_PROJ, 0, lin_fwd(r, l, P_GATE, A->g, A->xn2, n); lin_fwd(r, l, P_UP, A->u, A->xn2, n));
        TIMED(MP_SWIGLU, 0, swiglu_fwd(r, A->h, A->g, A->u, (size_t)n * c->ffn));
        TIMED(MP_PROJ, 0, lin_fwd(r, l, P_DOWN, r->tmp, A->h, n));
        TIMED(MP_COPY, 0, for (size_t i = 0; i < ND; i++) r->x[l + 1][i] = A->xmid[i] + r->tmp[i]);
    }
    TIMED(MP_RMSNORM, 0, rms_fwd(r, r->xf, r->rstdf, r->x[c->layers], r->val[r->norm], n, D, c->eps));
    if (r->reference) TIMED(MP_LMHEAD, 0, opr_matmul_fwd(r->logits, r->xf, r->val[r->lm_head], n, D, V));
    else TIMED(MP_LMHEAD, 0, gemm_xwt(r->logits, r->xf, r->val[r->lm_head], n, D, V));
    if (b->targets && b->weights) {
        double ls = 0;
        if (r->reference) TIMED(MP_XENT, 0, ls = opr_xent_fwd(logp, r->logits, b->targets, b->weights, n, V));
        else TIMED(MP_XENT, 0, ls = opf_xent_fwd(logp, r->lse, r->logits, b->targets, b->weights, n, V));
        if (loss) *loss = ls;
    } else {
        if (loss) *loss = 0;
        if (logp) memset(logp, 0, sizeof(float) * (size_t)n);
    }
    return IM_OK;
}

/* ---- backward ---- */

/* dy is the gradient of this projection's output; adds into dx and the
 * trainable weights' gradients. */
static void lin_bwd(Mref *r, int l, int p, float *dx, const float *dy, const float *x, int n) {
    const MrefLayer *L = &r->l[l];
    const TmTensor *w = &r->t[L->proj[p]];
    int m = (int)w->shape[0], k = (int)w->shape[1], R = r->lora_rank;
    float *dw = r->grad[L->proj[p]];
    const float *wv = r->val[L->proj[p]];
    int la = L->lora_a[p], lb = L->lora_b[p];
    if (r->reference && la >= 0)
        opr_lora_bwd(dx, dw, r->grad[la], r->grad[lb], r->dlora, dy, x, r->a[l].xa[p], wv, r->val[la], r->val[lb], r->lora_scale, n, k, m, R);
    else if (r->reference) opr_matmul_bwd(dx, dw, dy, x, wv, n, k, m);
    else {
        gemm_dx(dx, dy, wv, n, k, m);
        if (dw) gemm_dw(dw, dy, x, n, k, m);
        if (la >= 0) {
            float sc = (float)r->lora_scale;
            /* d(xa) = scale * dy b; db += scale * dy^T xa; dx += d(xa) a; da += d(xa)^T x */
            gemm_f32(0, 0, n, R, m, sc, dy, m, r->val[lb], R, 0.0f, r->dlora, R);
            gemm_f32(1, 0, m, R, n, sc, dy, m, r->a[l].xa[p], R, 1.0f, r->grad[lb], R);
            gemm_dx(dx, r->dlora, r->val[la], n, k, R);
            gemm_dw(r->grad[la], r->dlora, x, n, k, R);
        }
    }
}

static void zero(float *p, size_t n) { memset(p, 0, sizeof(float) * n); }

int mref_backward(Mref *r, const TmBatch *b, Err *err) {
    if (!r->grad_block) return err_set(err, IM_USAGE, "reference model: created without gradients");
    if (b->n != r->n_act) return err_set(err, IM_USAGE, "backward: batch of %d tokens after a forward of %d", b->n, r->n_act);
    if (!b->targets || !b->weights) return err_set(err, IM_USAGE, "backward: the batch has no targets or weights");
    const ModelConfig *c = &r->c;
    int n = b->n, D = c->hidden, hd = c->head_dim, nq = c->n_heads, nkv = c->n_kv_heads, F = c->ffn, V = c->vocab;
    size_t qd = (size_t)nq * hd, kvd = (size_t)nkv * hd, ND = (size_t)n * D, NF = (size_t)n * F;
    if (r->reference) {
        TIMED(MP_COPY, 1, zero(r->dlogits, (size_t)n * V));
        TIMED(MP_XENT, 1, opr_xent_bwd(r->dlogits, r->logits, b->targets, b->weights, n, V));
    } else TIMED(MP_XENT, 1, opf_xent_bwd(r->dlogits, r->logits, r->lse, b->targets, b->weights, n, V));
    TIMED(MP_COPY, 1, zero(r->dxn, ND); zero(r->dx, ND));
    if (r->reference) TIMED(MP_LMHEAD, 1, opr_matmul_bwd(r->dxn, r->grad[r->lm_head], r->dlogits, r->xf, r->val[r->lm_head], n, D, V));
    else TIMED(MP_LMHEAD, 1, gemm_dx(r->dxn, r->dlogits, r->val[r->lm_head], n, D, V);
               if (r->grad[r->lm_head]) gemm_dw(r->grad[r->lm_head], r->dlogits, r->xf, n, D, V));
    TIMED(MP_RMSNORM, 1, rms_bwd(r, r->dx, r->grad[r->norm], r->dxn, r->x[c->layers], r->val[r->norm], r->rstdf, n, D));
    for (int l = c->layers - 1; l >= 0; l--) {
        MrefActs *A = &r->a[l];
        const MrefLayer *L = &r->l[l];
        /* r->dx: gradient of the residual after this layer (= of xmid, plus the MLP's) */
        TIMED(MP_COPY, 1, zero(r->dh, NF); zero(r->dg, NF); zero(r->du, NF); zero(r->dxn, ND));
        TIMED(MP_PROJ, 1, lin_bwd(r, l, P_DOWN, r->dh, r->dx, A->h, n));
        TIMED(MP_SWIGLU, 1, swiglu_bwd(r, r->dg, r->du, r->dh, A->g, A->u, NF));
        TIMED(MP_PROJ, 1, lin_bwd(r, l, P_GATE, r->dxn, r->dg, A->xn2, n); lin_bwd(r, l, P_UP, r->dxn, r->du, A->xn2, n));
        TIMED(MP_RMSNORM, 1, rms_bwd(r, r->dx, r->grad[L->ffn_norm], r->dxn, A->xmid, r->val[L->ffn_norm], A->rstd2, n, D));
        /* r->dx: gradient of xmid (= of the layer's input, plus attention's) */
        TIMED(MP_COPY, 1, zero(r->dao, (size_t)n * qd));
        TIMED(MP_PROJ, 1, lin_bwd(r, l, P_O, r->dao, r->dx, A->ao, n));
        TIMED(MP_COPY, 1, zero(r->dqr, (size_t)n * qd); zero(r->dkr, (size_t)n * kvd); zero(r->dv, (size_t)n * kvd));
        if (r->nseg >= 0)
            TIMED(MP_ATTN, 1, opf_attn_bwd(r->dqr, r->dkr, r->dv, r->dao, A->p, A->qr, A->kr, A->v, r->seg_start, r->nseg, nq, nkv, hd, r->pscratch));
        else TIMED(MP_ATTN, 1, opr_attn_bwd(r->dqr, r->dkr, r->dv, r->dao, A->p, A->qr, A->kr, A->v, b->seg, n, nq, nkv, hd));
        TIMED(MP_ROPE, 1, rope_fwd(r, r->dqr, b, nq, -1); rope_fwd(r, r->dkr, b, nkv, -1));
        float *dq = r->dqr, *dk = r->dkr;
        if (c->qk_norm) {
            TIMED(MP_COPY, 1, zero(r->dq, (size_t)n * qd); zero(r->dk, (size_t)n * kvd));
            TIMED(MP_RMSNORM, 1, rms_bwd(r, r->dq, r->grad[L->q_norm], r->dqr, A->q, r->val[L->q_norm], A->rstdq, n * nq, hd);
                  rms_bwd(r, r->dk, r->grad[L->k_norm], r->dkr, A->k, r->val[L->k_norm], A->rstdk, n * nkv, hd));
            dq = r->dq, dk = r->dk;
        }
        TIMED(MP_COPY, 1, zero(r->dxn, ND));
        TIMED(MP_PROJ, 1, lin_bwd(r, l, P_Q, r->dxn, dq, A->xn1, n); lin_bwd(r, l, P_K, r->dxn, dk, A->xn1, n);
              lin_bwd(r, l, P_V, r->dxn, r->dv, A->xn1, n));
        TIMED(MP_RMSNORM, 1, rms_bwd(r, r->dx, r->grad[L->attn_norm], r->dxn, r->x[l], r->val[L->attn_norm], A->rstd1, n, D));
    }
    if (r->grad[r->embed]) TIMED(MP_EMBED, 1, opr_embed_bwd(r->grad[r->embed], r->dx, b->tokens, n, D));
    return IM_OK;
}

/* ---- kernels and profile ---- */

void mref_profile(Mref *r, int on) { r->prof_on = on; }

void mref_profile_report(Mref *r, Buf *out) {
    double tot = 0;
    for (int i = 0; i < MP_COUNT; i++) tot += r->prof_ns[i][0] + r->prof_ns[i][1];
    if (r->prof_steps && tot > 0) {
        double st = (double)r->prof_steps;
        buf_printf(out, "  CPU time per step by op (%ld steps, %.2f ms/step in the model's ops; kernels: %s):\n", r->prof_steps, tot / 1e6 / st,
                   r->reference ? "reference ops" : gemm_backend());
        for (int i = 0; i < MP_COUNT; i++)
            for (int d = 0; d < 2; d++) {
                if (r->prof_ns[i][d] <= 0) continue;
                char name[96];
                snprintf(name, sizeof name, "%s %s", MP_NAME[i], d ? "backward" : "forward");
                buf_printf(out, "    %-58s %9.3f ms  %5.1f%%\n", name, r->prof_ns[i][d] / 1e6 / st, 100 * r->prof_ns[i][d] / tot);
            }
    }
    memset(r->prof_ns, 0, sizeof r->prof_ns), r->prof_steps = 0;
}
