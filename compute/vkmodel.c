/* vkmodel.c: weights upload (with splitting), activation buffers, the KV
 * cache, descriptor sets made once, and the recording of one step:
 *   embed -> per layer [rmsnorm, qkv matmul, qkv_post (qk-norm, RoPE, KV
 *   write), attention, o matmul += residual, rmsnorm, gate/up GLU matmul,
 *   down matmul += residual] -> final rmsnorm (gathering output rows) ->
 *   LM head. Every dispatch is followed by one global memory barrier. */
#include "vkmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define MAXCH 64 /* chunks per tensor */

typedef struct Mat {
    StDtype dt;
    int K, M, n;
    VkBuf buf[MAXCH];
    int row0[MAXCH], rows[MAXCH];
} Mat;

typedef struct MatOp { /* a matmul with its descriptor sets, one per chunk */
    const Mat *w, *w2;
    VkPipe *p1, *p8;
    int rl1, rl8; /* rows per invocation of p1 and p8 (matmul.comp RL, see variants.cmake) */
    VkDescriptorSet set1[MAXCH], set8[MAXCH];
    int ystride;
} MatOp;

typedef struct VLayer {
    VkBuf attn_norm, ffn_norm, qn, kn, kc, vc;
    Mat wqkv, wo, gate, up, down;
    MatOp mqkv, mo, mglu, mdown;
    VkDescriptorSet s_norm1, s_norm2, s_post, s_att;
} VLayer;

struct VkModel {
    VkCtx *ctx;
    ModelConfig c;
    VkModelOpts o;
    VLayer *L;
    Mat embed, head;
    int tied;
    VkBuf norm, rows, x, xb, qkv, q, ao, hb, xo, logits, rope;
    VkPipe *p_embed, *p_norm, *p_post, *p_att;
    VkDescriptorSet s_embed[MAXCH], s_fnorm;
    MatOp mhead;
    VkCommandBuffer cb;
    int cb_n, cb_nout, cb_layers;
    int ndisp;
    /* profiling */
    VkQueryPool qp;
    int nts, ts_cat[4096];
    double prof_ns[16];
    long prof_steps;
};

enum { P_EMBED, P_NORM, P_QKV, P_POST, P_ATT, P_O, P_GLU, P_DOWN, P_HEAD, P_N };
static const char *const P_NAME[P_N] = {"embedding", "rmsnorm", "q/k/v matmul", "qk-norm+rope+kv write", "attention",
                                        "o matmul + residual", "gate/up matmul + SwiGLU", "down matmul + residual", "final norm + LM head"};

/* After a phase: a timestamp that closes it (when profiling). */
static void mark(VkModel *m, int cat) {
    if (!m->qp || m->nts >= 4096) return;
    m->ts_cat[m->nts] = cat;
    vkCmdWriteTimestamp(m->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, m->qp, (uint32_t)m->nts++);
}

int vkm_profile(VkModel *m, int on, Err *err) {
    vk_cmd_free(m->ctx, m->cb);
    m->cb = VK_NULL_HANDLE;
    if (!on) {
        vk_timer_destroy(m->ctx, m->qp);
        m->qp = VK_NULL_HANDLE;
        return IM_OK;
    }
    memset(m->prof_ns, 0, sizeof m->prof_ns), m->prof_steps = 0;
    return m->qp ? IM_OK : vk_timer_create(m->ctx, 4096, &m->qp, err);
}

void vkm_profile_report(VkModel *m, Buf *out) {
    double tot = 0;
    for (int i = 0; i < P_N; i++) tot += m->prof_ns[i];
    if (!m->prof_steps || tot <= 0) return;
    buf_printf(out, "  GPU time per step by kernel (%ld steps, %.2f ms/step in kernels):\n", m->prof_steps, tot / 1e6 / (double)m->prof_steps);
    for (int i = 0; i < P_N; i++)
        if (m->prof_ns[i] > 0)
            buf_printf(out, "    %-26s %8.3f ms  %5.1f%%\n", P_NAME[i], m->prof_ns[i] / 1e6 / (double)m->prof_steps, 100 * m->prof_ns[i] / tot);
    memset(m->prof_ns, 0, sizeof m->prof_ns), m->prof_steps = 0;
}

static int lanes_check(const VkModel *m, Err *err) {
    uint32_t lanes = vk_subgroup_size(m->ctx);
    if ((uint32_t)m->c.head_dim > 16 * lanes || m->c.head_dim % 4)
        return err_set(err, IM_IO, "head_dim %d: attention.comp needs a multiple of 4, at most 16 x the subgroup size %u", m->c.head_dim, lanes);
    return IM_OK;
}

/* Uploads a [M, K] matrix (rows of data), split by rows to fit the device
 * limits (a storage buffer for the embedding lookup, a texel buffer for
 * matmul). Within a chunk, rows are interleaved in blocks of LANES (the
 * subgroup size): 16-byte texel i of row m goes to texel
 * ((m / LANES) * nk + i) * LANES + m % LANES, and the last block is padded
 * with zero rows (matmul.comp reads it so). */
static int mat_upload(VkModel *m, Mat *mt, StDtype dt, int M, int K, const void *data, Err *err) {
    size_t es = st_dtype_size(dt), row_bytes = es * (size_t)K, lim = vk_max_storage_range(m->ctx), L = vk_subgroup_size(m->ctx);
    if (vk_max_texel_bytes(m->ctx) < lim) lim = vk_max_texel_bytes(m->ctx);
    if (m->o.max_chunk_bytes && m->o.max_chunk_bytes < lim) lim = m->o.max_chunk_bytes;
    if ((K * (int)es) % 16) return err_set(err, IM_IO, "a weight row of %d %s values is not a multiple of 16 bytes", K, st_dtype_name(dt));
    int per = (int)(lim / row_bytes / L * L);
    if (per < 1) return err_set(err, IM_IO, "a block of %zu weight rows of %zu bytes exceeds the device's buffer range %zu", L, row_bytes, lim);
    mt->dt = dt, mt->K = K, mt->M = M, mt->n = 0;
    size_t nk = row_bytes / 16;
    for (int r0 = 0; r0 < M; r0 += per) {
        if (mt->n == MAXCH) return err_set(err, IM_IO, "tensor needs more than %d chunks", MAXCH);
        int rows = M - r0 < per ? M - r0 : per, i = mt->n++;
        size_t padded = (rows + L - 1) / L * L, bytes = row_bytes * padded;
        mt->row0[i] = r0, mt->rows[i] = rows;
        char *il = calloc(1, bytes);
        if (!il) return err_set(err, IM_IO, "out of memory (%zu bytes for a weight chunk)", bytes);
        const char *src = (const char *)data + row_bytes * (size_t)r0;
        for (size_t r = 0; r < (size_t)rows; r++)
            for (size_t t = 0; t < nk; t++) memcpy(il + 16 * (((r / L) * nk + t) * L + r % L), src + r * row_bytes + 16 * t, 16);
        int rc = vk_buf_create(m->ctx, bytes, 0, &mt->buf[i], err);
        if (!rc) rc = vk_buf_upload(m->ctx, &mt->buf[i], 0, il, bytes, err);
        free(il);
        if (rc) return rc;
    }
    return IM_OK;
}

static int f32_upload(VkModel *m, VkBuf *b, const StTensor *t, Err *err) {
    size_t n = (size_t)t->shape[0];
    float *f = malloc(sizeof *f * n);
    for (size_t i = 0; i < n; i++) f[i] = st_get(t, i);
    int rc = vk_buf_create(m->ctx, n * 4, 0, b, err);
    if (!rc) rc = vk_buf_upload(m->ctx, b, 0, f, n * 4, err);
    free(f);
    return rc;
}

static int matop(VkModel *m, MatOp *op, const Mat *w, const Mat *w2, VkBuf *x, VkBuf *y, int ystride, const char *variant, Err *err) {
    static const char *dts[] = {"f32", "f16", "bf16"};
    char n1[64], n8[64];
    /* RL 8 where it still leaves 64 workgroups or more (the LM head) */
    op->rl1 = !*variant && (m->o.wide_rows || w->M >= 64 * 8 * (int)vk_subgroup_size(m->ctx)) ? 8 : 4;
    op->rl8 = w2 ? 4 : 8;
    snprintf(n1, sizeof n1, "mm_%s_b1%s%s", dts[w->dt], variant, op->rl1 == 8 ? "_r8" : "");
    snprintf(n8, sizeof n8, "mm_%s_b8%s", dts[w->dt], variant);
    OpId fam = w2 ? OP_INF_MATMUL_GLU : OP_INF_MATMUL; /* W, X (and W2) are texel buffers */
    op->w = w, op->w2 = w2, op->ystride = ystride;
    int rc = ops_pipe_variant(m->ctx, fam, n1, &op->p1, err);
    if (!rc) rc = ops_pipe_variant(m->ctx, fam, n8, &op->p8, err);
    for (int i = 0; i < w->n && !rc; i++) {
        VkBuf *b[4] = {(VkBuf *)&w->buf[i], x, y, w2 ? (VkBuf *)&w2->buf[i] : NULL};
        rc = vk_set_create(m->ctx, op->p1, b, &op->set1[i], err);
        if (!rc) rc = vk_set_create(m->ctx, op->p8, b, &op->set8[i], err);
    }
    return rc;
}

static void rec_mat(VkModel *m, const MatOp *op, int n) {
    uint32_t rpg = (uint32_t)(n > 1 ? op->rl8 : op->rl1) * vk_subgroup_size(m->ctx);
    for (int i = 0; i < op->w->n; i++) {
        PushMatmul pc = {(uint32_t)op->w->K, (uint32_t)op->w->rows[i], (uint32_t)n, (uint32_t)op->w->row0[i], (uint32_t)op->ystride};
        int b8 = n > 1;
        vk_cmd_dispatch(m->cb, b8 ? op->p8 : op->p1, b8 ? op->set8[i] : op->set1[i], &pc, sizeof pc, (op->w->rows[i] + rpg - 1) / rpg,
                        (uint32_t)(b8 ? (n + 7) / 8 : 1), 1);
        m->ndisp++;
    }
    vk_cmd_barrier(m->cb);
}

static void mat_free(VkModel *m, Mat *mt) {
    for (int i = 0; i < mt->n; i++) vk_buf_destroy(m->ctx, &mt->buf[i]);
    mt->n = 0;
}

/* A whole tensor's bytes (mmap'd, borrowed). */
static int weights(VkModel *m, Mat *mt, const StTensor *t, Err *err) {
    return mat_upload(m, mt, t->dtype, (int)t->shape[0], (int)t->shape[1], t->data, err);
}

int vkm_create(VkCtx *ctx, const ModelFiles *mf, const VkModelOpts *o, VkModel **out, Err *err) {
    *out = NULL;
    VkModel *m = calloc(1, sizeof *m);
    m->ctx = ctx, m->c = mf->cfg, m->o = *o;
    const ModelConfig *c = &m->c;
    int R = o->max_rows, D = c->hidden, hd = c->head_dim, nq = c->n_heads, nkv = c->n_kv_heads;
    int nh = nq + 2 * nkv, kvd = nkv * hd, F = c->ffn, V = c->vocab;
    m->L = calloc((size_t)c->layers, sizeof *m->L);
    int rc = lanes_check(m, err);
    size_t kvbytes = (size_t)o->max_seqs * o->max_ctx * kvd * 4;
    if (!rc && kvbytes > vk_max_storage_range(ctx))
        rc = err_set(err, IM_USAGE, "a KV cache of %d sequences x %d positions needs %zu bytes per layer, over the device's storage-buffer range %zu; lower the context or the batch",
                     o->max_seqs, o->max_ctx, kvbytes, vk_max_storage_range(ctx));
    if (!rc && o->max_ctx > c->max_pos) m->o.max_ctx = c->max_pos;
    /* activations */
    struct { VkBuf *b; size_t n; int host; } acts[] = {
        {&m->rows, (size_t)R * 16, 1}, {&m->x, (size_t)R * D * 4, 0}, {&m->xb, (size_t)R * D * 4, 0}, {&m->qkv, (size_t)R * nh * hd * 4, 0},
        {&m->q, (size_t)R * nq * hd * 4, 0}, {&m->ao, (size_t)R * nq * hd * 4, 0}, {&m->hb, (size_t)R * F * 4, 0},
        {&m->xo, (size_t)R * D * 4, 0}, {&m->logits, (size_t)R * V * 4, 1}, {&m->rope, (size_t)m->o.max_ctx * hd / 2 * 8, 0},
    };
    for (size_t i = 0; i < sizeof acts / sizeof *acts && !rc; i++) {
        if (acts[i].n > vk_max_storage_range(ctx)) rc = err_set(err, IM_USAGE, "an activation buffer of %zu bytes exceeds the storage-buffer range; lower --batch", acts[i].n);
        else rc = vk_buf_create(ctx, acts[i].n, acts[i].host, acts[i].b, err);
    }
    if (!rc) {
        int half = hd / 2;
        float *inv = malloc(sizeof(float) * (size_t)half), *tab = malloc(sizeof(float) * 2 * (size_t)m->o.max_ctx * half);
        model_config_inv_freq(c, inv);
        for (int p = 0; p < m->o.max_ctx; p++)
            for (int i = 0; i < half; i++) {
                double a = (double)p * inv[i];
                tab[2 * ((size_t)p * half + i)] = (float)cos(a), tab[2 * ((size_t)p * half + i) + 1] = (float)sin(a);
            }
        rc = vk_buf_upload(ctx, &m->rope, 0, tab, (size_t)m->o.max_ctx * half * 8, err);
        free(inv), free(tab);
    }
    /* weights */
    if (!rc) rc = weights(m, &m->embed, mf->w.embed, err);
    m->tied = mf->w.lm_head == mf->w.embed;
    if (!rc && !m->tied) rc = weights(m, &m->head, mf->w.lm_head, err);
    if (!rc) rc = f32_upload(m, &m->norm, mf->w.norm, err);
    for (int l = 0; l < c->layers && !rc; l++) {
        const LayerWeights *w = &mf->w.layer[l];
        VLayer *L = &m->L[l];
        rc = f32_upload(m, &L->attn_norm, w->attn_norm, err);
        if (!rc) rc = f32_upload(m, &L->ffn_norm, w->ffn_norm, err);
        if (!rc && c->qk_norm) rc = f32_upload(m, &L->qn, w->q_norm, err);
        if (!rc && c->qk_norm) rc = f32_upload(m, &L->kn, w->k_norm, err);
        if (!rc && !c->qk_norm) rc = vk_buf_create(ctx, 16, 0, &L->qn, err);
        if (!rc && !c->qk_norm) rc = vk_buf_create(ctx, 16, 0, &L->kn, err);
        if (!rc && (w->wq->dtype != w->wk->dtype || w->wq->dtype != w->wv->dtype))
            rc = err_set(err, IM_IO, "%s: layer %d: q/k/v projections have different dtypes", w->wq->file, l);
        if (!rc) {
            size_t a = w->wq->nbytes, b = w->wk->nbytes, cc = w->wv->nbytes;
            char *cat = malloc(a + b + cc);
            if (!cat) rc = err_set(err, IM_IO, "out of memory");
            else {
                memcpy(cat, w->wq->data, a), memcpy(cat + a, w->wk->data, b), memcpy(cat + a + b, w->wv->data, cc);
                rc = mat_upload(m, &L->wqkv, w->wq->dtype, nh * hd, D, cat, err);
                free(cat);
            }
        }
        if (!rc) rc = weights(m, &L->wo, w->wo, err);
        if (!rc) rc = weights(m, &L->gate, w->gate, err);
        if (!rc) rc = weights(m, &L->up, w->up, err);
        if (!rc) rc = weights(m, &L->down, w->down, err);
        if (!rc) rc = vk_buf_create(ctx, kvbytes, 0, &L->kc, err);
        if (!rc) rc = vk_buf_create(ctx, kvbytes, 0, &L->vc, err);
    }
    /* pipelines and descriptor sets */
    if (!rc) rc = ops_pipe(ctx, ops_dt(OP_INF_EMBED_F32, m->embed.dt), &m->p_embed, err);
    if (!rc) rc = ops_pipe(ctx, OP_INF_RMSNORM, &m->p_norm, err);
    if (!rc) rc = ops_pipe(ctx, c->qk_norm ? OP_INF_QKV_POST_QKNORM : OP_INF_QKV_POST, &m->p_post, err);
    if (!rc) {
        uint32_t quads = (uint32_t)hd / 4, lanes = vk_subgroup_size(ctx);
        rc = ops_pipe(ctx, quads <= lanes ? OP_INF_ATTN_J1 : quads <= 2 * lanes ? OP_INF_ATTN_J2 : OP_INF_ATTN_J4, &m->p_att, err);
    }
    for (int i = 0; i < m->embed.n && !rc; i++) {
        VkBuf *b[] = {&m->rows, &m->embed.buf[i], &m->x};
        rc = vk_set_create(ctx, m->p_embed, b, &m->s_embed[i], err);
    }
    for (int l = 0; l < c->layers && !rc; l++) {
        VLayer *L = &m->L[l];
        VkBuf *n1[] = {&m->x, &L->attn_norm, &m->xb, &m->rows}, *n2[] = {&m->x, &L->ffn_norm, &m->xb, &m->rows};
        VkBuf *po[] = {&m->rows, &m->qkv, &m->q, &L->kc, &L->vc, &m->rope, &L->qn, &L->kn};
        VkBuf *at[] = {&m->rows, &m->q, &L->kc, &L->vc, &m->ao};
        rc = vk_set_create(ctx, m->p_norm, n1, &L->s_norm1, err);
        if (!rc) rc = vk_set_create(ctx, m->p_norm, n2, &L->s_norm2, err);
        if (!rc) rc = vk_set_create(ctx, m->p_post, po, &L->s_post, err);
        if (!rc) rc = vk_set_create(ctx, m->p_att, at, &L->s_att, err);
        if (!rc) rc = matop(m, &L->mqkv, &L->wqkv, NULL, &m->xb, &m->qkv, nh * hd, "", err);
        if (!rc) rc = matop(m, &L->mo, &L->wo, NULL, &m->ao, &m->x, D, "_acc", err);
        if (!rc) rc = matop(m, &L->mglu, &L->gate, &L->up, &m->xb, &m->hb, F, "_glu", err);
        if (!rc) rc = matop(m, &L->mdown, &L->down, NULL, &m->hb, &m->x, D, "_acc", err);
    }
    if (!rc) {
        VkBuf *fn[] = {&m->x, &m->norm, &m->xo, &m->rows};
        rc = vk_set_create(ctx, m->p_norm, fn, &m->s_fnorm, err);
    }
    if (!rc) rc = matop(m, &m->mhead, m->tied ? &m->embed : &m->head, NULL, &m->xo, &m->logits, V, "", err);
    if (rc) {
        vkm_destroy(m);
        return rc;
    }
    *out = m;
    return IM_OK;
}

void vkm_destroy(VkModel *m) {
    if (!m) return;
    vkDeviceWaitIdle(vk_device(m->ctx));
    vk_cmd_free(m->ctx, m->cb);
    vk_timer_destroy(m->ctx, m->qp);
    for (int l = 0; m->L && l < m->c.layers; l++) {
        VLayer *L = &m->L[l];
        VkBuf *bs[] = {&L->attn_norm, &L->ffn_norm, &L->qn, &L->kn, &L->kc, &L->vc};
        for (size_t i = 0; i < sizeof bs / sizeof *bs; i++) vk_buf_destroy(m->ctx, bs[i]);
        mat_free(m, &L->wqkv), mat_free(m, &L->wo), mat_free(m, &L->gate), mat_free(m, &L->up), mat_free(m, &L->down);
    }
    mat_free(m, &m->embed), mat_free(m, &m->head);
    VkBuf *bs[] = {&m->norm, &m->rows, &m->x, &m->xb, &m->qkv, &m->q, &m->ao, &m->hb, &m->xo, &m->logits, &m->rope};
    for (size_t i = 0; i < sizeof bs / sizeof *bs; i++) vk_buf_destroy(m->ctx, bs[i]);
    free(m->L), free(m);
    /* descriptor sets return to the context's pool when it is destroyed */
}

size_t vkm_weight_bytes(const VkModel *m) {
    const ModelConfig *c = &m->c;
    size_t es = st_dtype_size(m->embed.dt), D = (size_t)c->hidden, hd = (size_t)c->head_dim;
    size_t per = D * hd * ((size_t)c->n_heads * 2 + (size_t)c->n_kv_heads * 2) + 3 * D * (size_t)c->ffn;
    return es * (per * (size_t)c->layers + (size_t)c->vocab * D);
}

int vkm_dispatches(const VkModel *m) { return m->ndisp; }

static int record(VkModel *m, int n, int n_out, int layers, Err *err) {
    if (m->cb && m->cb_n == n && m->cb_nout == n_out && m->cb_layers == layers) return IM_OK;
    vk_cmd_free(m->ctx, m->cb);
    m->cb = VK_NULL_HANDLE;
    const ModelConfig *c = &m->c;
    int rc = vk_cmd_begin(m->ctx, &m->cb, err);
    if (rc) return rc;
    m->ndisp = 0, m->nts = 0;
    if (m->qp) {
        vkCmdResetQueryPool(m->cb, m->qp, 0, 4096);
        mark(m, -1);
    }
    uint32_t D = (uint32_t)c->hidden, hd = (uint32_t)c->head_dim, nq = (uint32_t)c->n_heads, nkv = (uint32_t)c->n_kv_heads;
    for (int i = 0; i < m->embed.n; i++) {
        PushEmbedInf pc = {D, (uint32_t)m->embed.row0[i], (uint32_t)m->embed.rows[i], (uint32_t)n, vk_subgroup_size(m->ctx)};
        vk_cmd_dispatch(m->cb, m->p_embed, m->s_embed[i], &pc, sizeof pc, (D + 63) / 64, (uint32_t)n, 1);
        m->ndisp++;
    }
    vk_cmd_barrier(m->cb);
    mark(m, P_EMBED);
    PushNorm np = {D, c->eps, 0};
    PushQkvPost pp = {nq, nkv, hd, (uint32_t)n, (uint32_t)m->o.max_ctx, c->eps};
    PushAttnInf ap = {nq, nkv, hd, (uint32_t)m->o.max_ctx, 1.0f / sqrtf((float)hd)};
    for (int l = 0; l < layers; l++) {
        VLayer *L = &m->L[l];
        vk_cmd_dispatch(m->cb, m->p_norm, L->s_norm1, &np, sizeof np, (uint32_t)n, 1, 1);
        vk_cmd_barrier(m->cb);
        mark(m, P_NORM);
        rec_mat(m, &L->mqkv, n);
        mark(m, P_QKV);
        vk_cmd_dispatch(m->cb, m->p_post, L->s_post, &pp, sizeof pp, (nq + 2 * nkv + 63) / 64, (uint32_t)n, 1);
        vk_cmd_barrier(m->cb);
        mark(m, P_POST);
        vk_cmd_dispatch(m->cb, m->p_att, L->s_att, &ap, sizeof ap, nq, (uint32_t)n, 1);
        vk_cmd_barrier(m->cb);
        mark(m, P_ATT);
        rec_mat(m, &L->mo, n);
        mark(m, P_O);
        vk_cmd_dispatch(m->cb, m->p_norm, L->s_norm2, &np, sizeof np, (uint32_t)n, 1, 1);
        vk_cmd_barrier(m->cb);
        mark(m, P_NORM);
        rec_mat(m, &L->mglu, n);
        mark(m, P_GLU);
        rec_mat(m, &L->mdown, n);
        mark(m, P_DOWN);
        m->ndisp += 4;
    }
    if (n_out > 0) {
        np.gather = 1;
        vk_cmd_dispatch(m->cb, m->p_norm, m->s_fnorm, &np, sizeof np, (uint32_t)n_out, 1, 1);
        vk_cmd_barrier(m->cb);
        rec_mat(m, &m->mhead, n_out);
        mark(m, P_HEAD);
        m->ndisp++;
    }
    rc = vk_cmd_end(m->cb, err);
    m->cb_n = n, m->cb_nout = n_out, m->cb_layers = layers;
    return rc;
}

static int run(VkModel *m, int n, const int *seq, const int *pos, const int *tok, int n_out, const int *out, int layers, Err *err) {
    if (n < 1 || n > m->o.max_rows) return err_set(err, IM_USAGE, "a step of %d rows (1..%d)", n, m->o.max_rows);
    if (n_out > n) return err_set(err, IM_USAGE, "%d output rows of %d", n_out, n);
    int *r = m->rows.map;
    for (int i = 0; i < n; i++) {
        if (seq[i] < 0 || seq[i] >= m->o.max_seqs) return err_set(err, IM_USAGE, "sequence %d outside 0..%d", seq[i], m->o.max_seqs - 1);
        if (pos[i] < 0 || pos[i] >= m->o.max_ctx) return err_set(err, IM_USAGE, "position %d past the context of %d tokens", pos[i], m->o.max_ctx);
        if (tok[i] < 0 || tok[i] >= m->c.vocab) return err_set(err, IM_USAGE, "token %d outside the vocabulary of %d", tok[i], m->c.vocab);
        r[4 * i] = seq[i], r[4 * i + 1] = pos[i], r[4 * i + 2] = tok[i], r[4 * i + 3] = i < n_out ? out[i] : 0;
    }
    for (int i = n; i < n_out; i++) r[4 * i + 3] = out[i];
    int rc = record(m, n, n_out, layers, err);
    if (!rc) rc = vk_submit_wait(m->ctx, m->cb, err);
    if (!rc && m->qp && m->nts > 1) {
        double ns[4096];
        rc = vk_timer_read(m->ctx, m->qp, (uint32_t)m->nts, ns, err);
        for (int i = 1; !rc && i < m->nts; i++) m->prof_ns[m->ts_cat[i]] += ns[i] - ns[i - 1];
        m->prof_steps++;
    }
    return rc;
}

int vkm_step(VkModel *m, int n, const int *seq, const int *pos, const int *tok, int n_out, const int *out, float *logits, Err *err) {
    int rc = run(m, n, seq, pos, tok, n_out, out, m->c.layers, err);
    if (!rc && n_out) memcpy(logits, m->logits.map, sizeof(float) * (size_t)n_out * m->c.vocab);
    return rc;
}

int vkm_step_layers(VkModel *m, int n, const int *seq, const int *pos, const int *tok, int layers, float *resid, Err *err) {
    int rc = run(m, n, seq, pos, tok, 0, NULL, layers, err);
    if (!rc) rc = vk_buf_download(m->ctx, &m->x, 0, resid, sizeof(float) * (size_t)n * m->c.hidden, err);
    return rc;
}
