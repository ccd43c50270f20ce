/* train_vk.c: training on Vulkan. Layout: creation (tensor table from the
 * reference model, the three arenas, uploads), the dispatch helper (one
 * descriptor set per kernel and buffer list, made once and cached), the
 * forward and backward recorded in the order of model_ref.c, then host
 * access, gradient norm and AdamW. Every dispatch is followed by one global
 * memory barrier. Nothing here prints. */
#include "train_vk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_ref.h"
#include "ops.h"

enum { P_Q, P_K, P_V, P_O, P_GATE, P_UP, P_DOWN, P_COUNT };
static const char *const PROJ[P_COUNT] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                          "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};

typedef struct VtTensor {
    TmTensor t;
    VkBuf param;       /* in the weights arena: F32 holding the values rounded to t.dtype */
    VkBuf grad, master, m, v; /* views of the state arena's regions (trainable only) */
    size_t rel;        /* offset inside each state region */
    int grad_zeroed;   /* nothing recorded into grad since it was zeroed: its first product writes instead of adding */
} VtTensor;

/* Projections of one input whose outputs train_vk keeps side by side in
 * one activation's rows: q, k, v ([n][qd + 2 kvd]) and gate, up ([n][2 F]).
 * Where none is adapted by LoRA and their weights lie back to back in the
 * arenas (the tensor table's order), they are one product over the spans w
 * and gw: on lavapipe a dispatch costs a hand-off to its threads (item 17
 * of docs/compute.md), and the tiny shape's step was mostly those. */
typedef struct VtGroup {
    int np, p[3];  /* the projections, in column order */
    int col[3], width; /* each one's first column; all of them */
    int fused;     /* one product (no adapters) */
    int lora;      /* every projection adapted (rank a multiple of 4): x . A^T, dA and dX one product each for the group */
    VkBuf w, gw;   /* fused or lora: the weights' span, and (fused, trainable) the gradients' */
    VkBuf a, ga, xa; /* lora: the LoRA A's span and their gradients'; [n][np r] x . A^T of each, side by side */
} VtGroup;

typedef struct VtLayer {
    int attn_norm, q_norm, k_norm, ffn_norm, proj[P_COUNT], la[P_COUNT], lb[P_COUNT];
    VtGroup qkv_g, gu_g;
    /* activations: [n][D] xn1, xmid, xn2; [n] rstd1, rstd2; [n][qd + 2 kvd] qkv (the product); [n][qd] q (before the
       norm, qk_norm only), qr (after RoPE), ao; [n][kvd] k, kr, v; [n*nq] rstdq, [n*nkv] rstdk; [nq][n] lse (attention's
       log-sum-exp); [n][2F] gu (gate, up); [n][F] h; [n][r] xa per adapted projection */
    VkBuf xn1, xmid, xn2, rstd1, rstd2, qkv, q, qr, ao, k, kr, v, rstdq, rstdk, lse, gu, h, xa[P_COUNT];
} VtLayer;

/* A view of part of a buffer, for a binding over the storage range. */
typedef struct Slice {
    VkBuffer parent;
    size_t off, size;
    VkBuf b;
} Slice;

/* AdamW's cast of master weights into the forward's F32 weights over a
 * run of neighbouring trainable tensors of one dtype: one dispatch, where
 * one per tensor cost a dispatch's floor (about 0.1 ms on lavapipe) for
 * each of a LoRA model's dozens of small adapters. big: one tensor over
 * the storage range, cast in slices of its own buffers (src, dst unused). */
typedef struct CastRun {
    OpId op;
    int first, big;
    size_t n; /* floats, the padding between tensors included */
    VkBuf src, dst;
} CastRun;

typedef struct SetEntry {
    OpId op;
    VkBuffer b[VK_MAX_BINDINGS];
    VkDescriptorSet set;
} SetEntry;

#define WINDOW ((size_t)64 << 20) /* state-region windows for AdamW and the norm (<= storage range) */
#define MAXWIN 256

struct VkTrain {
    VkCtx *ctx;
    ModelConfig c;
    int N; /* max tokens */
    int nt;
    VtTensor *t;
    int *order; /* the arenas' order of the tensors (layout_order) */
    VtLayer *L;
    int embed, norm, lm_head, lora_rank;
    float lora_scale;
    VkArena w_arena, s_arena, a_arena, r_arena; /* r_arena: what the host reads back (host-cached memory) */
    size_t region; /* bytes of each state region (grad, master, m, v) */
    int nwin;
    VkBuf win[4][MAXWIN]; /* windows over the regions: 0 grad, 1 master, 2 m, 3 v */
    size_t win_n[MAXWIN];  /* floats per window */
    /* activations */
    VkBuf tok, tgt, wts, pos, seg, cs, eu, eoff, erows; /* inputs [N] (eoff [N+1]); cs [N][hd/2] vec2 */
    VkBuf bounds; /* [2][n]: each row's first and last row of its segment id (attention's loops) */
    VkBuf *x;  /* [layers+1] of [N][D] */
    VkBuf xf, rstdf, logits, xout; /* [N][D], [N], [N][V], [N][2] */
    VkBuf dx, dxn, dqkv, dv, dqr, dkr, dao, dstat, dgu, dh, dlogits, dlora; /* dstat [nq][n]: dO.O; dqkv, dgu as qkv, gu */
    VkBuf ksplit; /* GPUs: the partials of split-K products (tile_gemm) and of the norm's dW (rms_bwd) */
    VkBuf tr[3];  /* CPU devices: transposed copies of a product's A, B and B2 (nt_copies) */
    long nt_min;  /* CPU devices: TN and NN products of at least this many multiply-adds run as NT (< 0: none) */
    VkBuf partial[MAXWIN]; /* the norm's partial sums of squares of each window */
    VtLayer *act;
    int n_act;
    size_t slice_max; /* bytes of the largest storage binding: buffers over it are bound in slices */
    size_t range_over, range_bytes; /* CPU devices: dX products whose operands pass range_over bytes go in ranges of K of range_bytes (gemm2) */
    int gpu_set;                    /* the GPU kernel set: gemm_tile.comp for the gemmx ops, the norm's dW in chunks (rmsnorm_t.comp SG_ROWS) */
    int attn_sg;                    /* and, where head_dim allows, attention from attn_sg.comp */
    CastRun *casts;
    int ncasts;
    Slice **slices;
    int nslices, capslices;
    /* kernels */
    VkPipe *pipe[OP_COUNT];
    SetEntry *sets;
    int nsets, capsets;
    VkCommandBuffer cb;
    int rc;
    Err *err;
    /* profiling */
    VkQueryPool qp;
    int nts, ts_op[4096];
    double prof_ns[OP_COUNT + 2];
    long prof_calls[OP_COUNT + 2]; /* dispatches (and copies/fills) per category */
    long prof_steps;
};

static int zero_state(VkTrain *v, int what, Err *err);

/* ---- dispatch helper ---- */

static VkDescriptorSet set_for(VkTrain *v, OpId op, VkBuf *const *bufs) {
    int nb = OP_TABLE[op].nbind;
    for (int i = 0; i < v->nsets; i++) {
        SetEntry *e = &v->sets[i];
        if (e->op != op) continue;
        int same = 1;
        for (int j = 0; j < nb && same; j++) same = e->b[j] == bufs[j]->buf;
        if (same) return e->set;
    }
    if (!v->pipe[op] && !v->rc) v->rc = ops_pipe(v->ctx, op, &v->pipe[op], v->err);
    if (v->rc) return VK_NULL_HANDLE;
    for (int j = 0; j < nb; j++) /* checked once per buffer list: a cached set passed */
        if (!(OP_TABLE[op].texel_mask >> j & 1) && bufs[j]->size > vk_max_storage_range(v->ctx)) {
            v->rc = err_set(v->err, IM_USAGE, "Vulkan training: kernel %s binds %zu bytes at binding %d, over the device's storage-buffer range %zu (fewer tokens per batch, or a smaller model)",
                            OP_TABLE[op].kernel, bufs[j]->size, j, vk_max_storage_range(v->ctx));
            return VK_NULL_HANDLE;
        }
    if (v->nsets == v->capsets) {
        v->capsets = v->capsets ? 2 * v->capsets : 256;
        SetEntry *s = realloc(v->sets, sizeof *s * (size_t)v->capsets);
        if (!s) abort();
        v->sets = s;
    }
    SetEntry *e = &v->sets[v->nsets];
    e->op = op;
    for (int j = 0; j < nb; j++) e->b[j] = bufs[j]->buf;
    v->rc = vk_set_create(v->ctx, v->pipe[op], bufs, &e->set, v->err);
    if (v->rc) return VK_NULL_HANDLE;
    v->nsets++;
    return e->set;
}

static void stamp(VkTrain *v, int cat) {
    if (!v->qp || v->nts >= 4096) return;
    v->ts_op[v->nts] = cat;
    vkCmdWriteTimestamp(v->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, v->qp, (uint32_t)v->nts++);
}

static void disp(VkTrain *v, OpId op, VkBuf *const *bufs, const void *push, uint32_t gx, uint32_t gy, uint32_t gz) {
    if (v->rc) return;
    VkDescriptorSet s = set_for(v, op, bufs);
    if (v->rc) return;
    vk_cmd_dispatch(v->cb, v->pipe[op], s, push, OP_TABLE[op].push_bytes, gx, gy, gz);
    vk_cmd_barrier(v->cb);
    stamp(v, op);
}

static void fill0(VkTrain *v, VkBuf *b) {
    vkCmdFillBuffer(v->cb, b->buf, 0, VK_WHOLE_SIZE, 0);
    vk_cmd_barrier(v->cb);
    stamp(v, OP_COUNT);
}

static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Bytes [off, off + size) of parent (a buffer of arena a) as a buffer of
 * its own, made once and kept (descriptor sets are cached by buffer). */
static VkBuf *slice(VkTrain *v, VkArena *a, VkBuf *parent, size_t off, size_t size) {
    if (parent->size <= v->slice_max) return parent; /* then off is 0: one slice covers the buffer */
    for (int i = 0; i < v->nslices; i++) {
        Slice *s = v->slices[i];
        if (s->parent == parent->buf && s->off == off && s->size == size) return &s->b;
    }
    if (v->nslices == v->capslices) {
        v->capslices = v->capslices ? 2 * v->capslices : 64;
        Slice **n = realloc(v->slices, sizeof *n * (size_t)v->capslices);
        if (!n) abort();
        v->slices = n;
    }
    Slice *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->parent = parent->buf, s->off = off, s->size = size;
    if (!v->rc) v->rc = vk_arena_view(v->ctx, a, parent->off + off, size, &s->b, v->err);
    v->slices[v->nslices++] = s;
    return &s->b;
}

/* Rows of row_bytes per slice: as many as fit max_bytes, a multiple of
 * mult (and of the 256-byte alignment of a view's start). */
static int rows_within(size_t max_bytes, size_t row_bytes, int mult) {
    size_t step = (size_t)mult;
    while ((step * row_bytes) % VK_ARENA_ALIGN) step += (size_t)mult;
    size_t rows = max_bytes / row_bytes / step * step;
    return rows ? (int)rows : (int)step; /* a single step over the limit: set_for() names it */
}

static int slice_rows(VkTrain *v, size_t row_bytes, int mult) { return rows_within(v->slice_max, row_bytes, mult); }

/* The texel-fetch kernel (gemmx.comp) for an F32 product, or -1 when its
 * shape or buffers need the general tiled kernel (gemm.comp). */
static int gemmx_op(OpId op, const VkBuf *a, const VkBuf *b, int M, int N, int K) {
    if (!a->view || !b->view) return -1;
    if (op == OP_GEMM_NT_F32) return K % 4 ? -1 : OP_GEMMX_NT;
    if (op == OP_GEMM_NN_F32) return K % 4 || N % 4 ? -1 : OP_GEMMX_NN;
    if (op == OP_GEMM_TN_F32) return M % 4 || N % 4 ? -1 : OP_GEMMX_TN;
    return -1;
}

/* A matrix inside a buffer: from float off on, its rows ld floats apart
 * (both multiples of 4; {0, 0}: packed from the start). */
typedef struct View {
    uint32_t off, ld;
} View;

static const View WHOLE = {0, 0};

/* A second product that gemm2() adds to C: alpha * A . B (A [M][k] as av
 * says, B [N][k] in NT, [k][N] in NN), in the same dispatch where gemmx_nt2
 * and gemmx_nn2 take it. */
typedef struct Seg2 {
    VkBuf *a, *b;
    int k;
    float alpha;
    View av;
} Seg2;

/* Whether gemmx_nt2/gemmx_nn2 (and the GPU set's) take s2 in the base product's dispatch. */
static int seg2_fused(const Seg2 *s2) { return s2 && s2->k % 4 == 0 && s2->a->view && s2->b->view; }

/* GPUs: a product through gemm_tile.comp. One with fewer tiles than a GPU
 * has room for (LoRA's rank-r products: 1 to 24 tiles of 128 x 128) is
 * split along K into partials in v->ksplit, which gemm_sum.comp adds into
 * C: in one pass 8 workgroups walked 2,048 rows of depth for LoRA's dA. */
static void tile_gemm(VkTrain *v, OpId x, VkBuf **bs, PushGemm *p) {
    uint32_t gx, gy, splits = 1, kc = 0;
    ops_gemm_tile_grid(p->M, p->N, &gx, &gy);
    if (!gx || !gy) return; /* an empty C */
    size_t part = sizeof(float) * (size_t)p->M * p->N;
    if (gx * gy < 128 && p->K >= 64 && 2 * part <= v->ksplit.size && !p->c_off && !p->ldc) { /* gemm_sum writes C packed */
        splits = p->K / 32 < cdiv(256, gx * gy) ? p->K / 32 : cdiv(256, gx * gy);
        if (splits > v->ksplit.size / part) splits = (uint32_t)(v->ksplit.size / part);
        kc = cdiv(cdiv(p->K, splits), 16) * 16, splits = cdiv(p->K, kc);
    }
    if (splits < 2) {
        disp(v, x, bs, p, gx, gy, 1);
        return;
    }
    PushGemm q = *p;
    q.kc = kc, q.acc = 0;
    VkBuf *c = bs[2], *bq[5] = {bs[0], bs[1], &v->ksplit, bs[3], bs[4]};
    disp(v, x, bq, &q, gx, gy, splits);
    PushSplit ps = {p->M * p->N, splits, p->acc};
    VkBuf *bsum[2] = {&v->ksplit, c};
    disp(v, OP_GEMM_SPLIT_SUM, bsum, &ps, cdiv(ps.n, 256), 1, 1);
}

/* dst [cols][rows] = src [rows][cols], src from texel off on, its rows ld floats apart. */
static VkBuf *transpose(VkTrain *v, VkBuf *dst, VkBuf *src, int rows, int cols, uint32_t off, uint32_t ld) {
    PushTranspose p = {(uint32_t)rows, (uint32_t)cols, off, ld};
    VkBuf *bs[2] = {src, dst};
    uint32_t gx, gy;
    ops_transpose_grid(&p, vk_subgroup_size(v->ctx), &gx, &gy);
    disp(v, OP_TRANSPOSE, bs, &p, gx, gy, 1);
    return dst;
}

/* On a CPU device a dW (TN) or dX (NN) product runs as NT over copies of
 * its operands transposed into v->tr (A in TN, B, and B2 of a second
 * product), since NT streams both operands along K: on a 2-layer model of
 * Qwen3-0.6B's width dW took 575 ms a step as TN, 407 as NT, and dX 440 as
 * NN, 260 as NT. Returns 0 (nothing recorded) where the product stays as
 * it is: a GPU, under v->nt_min multiply-adds (the tiny shape's products
 * cost lavapipe about a dispatch each, and the copies add dispatches),
 * K not a multiple of 4, or a copy larger than its scratch buffer. */
static int nt_copies(VkTrain *v, int x, int M, int N, int K, uint32_t a_off, uint32_t lda, View bv, VkBuf **a, VkBuf **b,
                     const Seg2 *s2, Seg2 *t2) {
    if (v->gpu_set || v->nt_min < 0 || (x != OP_GEMMX_TN && x != OP_GEMMX_NN) || K % 4) return 0;
    if ((double)M * N * K < (double)v->nt_min || (v->nt_min > 1 && (M < GEMMX_NT_ROWS || N < GEMMX_NT_ROWS))) return 0; /* not LoRA's rank-r products */
    size_t f = sizeof(float);
    int two = x == OP_GEMMX_NN && seg2_fused(s2);
    if ((x == OP_GEMMX_TN && f * M * K > v->tr[0].size) || f * N * K > v->tr[1].size || (two && f * N * s2->k > v->tr[2].size)) return 0;
    if (x == OP_GEMMX_TN) *a = transpose(v, &v->tr[0], *a, K, M, a_off, lda ? lda : (uint32_t)M);
    *b = transpose(v, &v->tr[1], *b, K, N, bv.off / 4, bv.ld ? bv.ld : (uint32_t)N);
    if (two) *t2 = *s2, t2->b = transpose(v, &v->tr[2], s2->b, s2->k, N, 0, (uint32_t)N);
    return 1;
}

/* C[M][N] = alpha * A . B (+ C) (+ s2's product), A from texel a_off on
 * with row stride lda floats (0: K in NT and NN, M in TN), B and C as bv
 * and cv say (B's ld: [K][N] in NN and TN only). */
static void gemm_at(VkTrain *v, OpId op, VkBuf *a, VkBuf *b, VkBuf *c, int M, int N, int K, float alpha, int acc, uint32_t a_off, uint32_t lda,
                    View bv, const Seg2 *s2, View cv) {
    int x = gemmx_op(op, a, b, M, N, K), as_nt = 0; /* 1: dX as NT, 2: dW as NT (the profile's entries) */
    Seg2 t2;
    if (x >= 0 && nt_copies(v, x, M, N, K, a_off, lda, bv, &a, &b, s2, &t2)) {
        as_nt = x == OP_GEMMX_TN ? 2 : 1;
        if (x == OP_GEMMX_TN) a_off = 0, lda = 0; /* A transposed: [M][K] */
        if (seg2_fused(s2)) s2 = &t2; /* else s2 keeps the caller's layout for its own product below */
        bv = WHOLE, x = OP_GEMMX_NT;
    }
    PushGemm p = {(uint32_t)M, (uint32_t)N, (uint32_t)K, alpha, (uint32_t)acc, a_off, lda, bv.off / 4, 0, 0.0f, 0, cv.off, cv.ld, 0, 0, bv.ld};
    VkBuf *bs[5] = {a, b, c, NULL, NULL};
    if ((x == OP_GEMMX_NT || x == OP_GEMMX_NN) && seg2_fused(s2)) {
        x = x == OP_GEMMX_NT ? OP_GEMMX_NT2 : OP_GEMMX_NN2;
        p.k2 = (uint32_t)s2->k, p.alpha2 = s2->alpha, p.a2_off = s2->av.off / 4, p.lda2 = s2->av.ld, bs[3] = s2->a, bs[4] = s2->b;
        s2 = NULL;
    }
    if (as_nt) x = x == OP_GEMMX_NT2 ? OP_GEMMX_NT2_DX : as_nt == 2 ? OP_GEMMX_NT_DW : OP_GEMMX_NT_DX;
    uint32_t gx, gy;
    if (x >= 0 && v->gpu_set) tile_gemm(v, (OpId)x, bs, &p);
    else if (x >= 0) ops_gemmx_grid((OpId)x, (uint32_t)M, (uint32_t)N, vk_subgroup_size(v->ctx), &gx, &gy), disp(v, (OpId)x, bs, &p, gx, gy, 1);
    else disp(v, op, bs, &p, cdiv((uint32_t)N, 32), cdiv((uint32_t)M, 32), 1);
    if (s2) gemm_at(v, op, s2->a, s2->b, c, M, N, s2->k, s2->alpha, 1, s2->av.off / 4, s2->av.ld, WHOLE, NULL, cv); /* a shape the two-product kernels do not take */
}

/* On a CPU device a dX product (NN) whose operands pass 64 MB is summed
 * over ranges of K whose slices of A and B fit v->range_bytes (1 MB; 4 MB
 * where it runs as NT over copies), so they stay in cache across the
 * product's workgroups: in one pass the 0.6B shape's 622 MB
 * LM head and 155 MB of dLogits streamed from memory for each block of rows
 * (its 2-layer model's dX products: 12.5 s a step, 6.0 s in ranges). Smaller
 * products run faster in one pass (with 16x16 blocks, the dX products of a
 * 2-layer model of that width, 14 MB at most: 503-518 ms in ranges, 415-448
 * in one). A GPU takes each product in one dispatch. */
static void gemm2(VkTrain *v, OpId op, VkBuf *a, VkBuf *b, VkBuf *c, int M, int N, int K, float alpha, int acc, const Seg2 *s2, View av, View cv) {
    int kc = K;
    size_t operands = sizeof(float) * (size_t)(M + N) * (size_t)K;
    if (op == OP_GEMM_NN_F32 && vk_is_cpu(v->ctx) && operands > v->range_over && gemmx_op(op, a, b, M, N, K) >= 0) {
        kc = (int)(v->range_bytes / (sizeof(float) * (size_t)(M + N))) / 64 * 64;
        if (kc < 64) kc = 64;
    }
    if (kc >= K) {
        gemm_at(v, op, a, b, c, M, N, K, alpha, acc, av.off / 4, av.ld, WHOLE, s2, cv);
        return;
    }
    for (int k0 = 0; k0 < K; k0 += kc) { /* s2 rides with the first range */
        int nk = K - k0 < kc ? K - k0 : kc;
        gemm_at(v, op, a, b, c, M, N, nk, alpha, k0 ? 1 : acc, av.off / 4 + (uint32_t)(k0 / 4), av.ld ? av.ld : (uint32_t)K, (View){(uint32_t)(k0 * N), 0},
                k0 ? NULL : s2, cv);
    }
}

static void gemm(VkTrain *v, OpId op, VkBuf *a, VkBuf *b, VkBuf *c, int M, int N, int K, float alpha, int acc) {
    gemm2(v, op, a, b, c, M, N, K, alpha, acc, NULL, WHOLE, WHOLE);
}

/* ---- creation ---- */

static int find(const VkTrain *v, const char *fmt, int l, const char *mid) {
    char name[200];
    snprintf(name, sizeof name, fmt, l, mid);
    for (int i = 0; i < v->nt; i++)
        if (!strcmp(v->t[i].t.name, name)) return i;
    return -1;
}

typedef struct Req {
    VkBuf *b;
    size_t bytes;
} Req;

/* Buffers over the storage range are allowed: they are read as texels and
 * written in slices, and set_for() refuses any storage binding over it. */
static int arena_fill(VkTrain *v, VkArena *a, int host, Req *r, int n, const char *what, Err *err) {
    size_t total = 0, lim = vk_max_texel_bytes(v->ctx);
    for (int i = 0; i < n; i++) {
        if (r[i].bytes > lim)
            return err_set(err, IM_USAGE, "Vulkan training: a %s buffer of %zu bytes exceeds the device's texel-buffer range %zu (fewer tokens per batch, or a smaller model)",
                           what, r[i].bytes, lim);
        total += vk_arena_round(r[i].bytes);
    }
    int rc = vk_arena_create(v->ctx, total, host, a, err);
    for (int i = 0; i < n && !rc; i++) rc = vk_arena_buf(v->ctx, a, r[i].bytes, r[i].b, err);
    return rc;
}

static OpId cast_op(StDtype dt) { return dt == ST_F16 ? OP_CAST_R16 : dt == ST_BF16 ? OP_CAST_RBF16 : OP_CAST_F32; }

/* The runs of AdamW's casts (CastRun): trainable tensor i's weights sit at
 * offset rel in the weights arena as its master does in the master region,
 * so a run of them is one span in each; a run ends at a change of dtype or
 * at the storage range. */
static int make_casts(VkTrain *v, Err *err) {
    v->casts = calloc((size_t)v->nt + 1, sizeof *v->casts);
    if (!v->casts) return err_set(err, IM_IO, "out of memory");
    int rc = IM_OK;
    for (int k = 0; k < v->nt && !rc; k++) { /* in the arenas' order */
        int i = v->order[k];
        VtTensor *t = &v->t[i];
        if (!t->t.trainable) continue;
        if (t->param.off != t->rel) return err_set(err, IM_IO, "Vulkan training: %s sits at %zu in the weights arena, not %zu", t->t.name, t->param.off, t->rel);
        CastRun *k = &v->casts[v->ncasts];
        k->op = cast_op(t->t.dtype), k->first = i, k->n = t->t.n, k->big = sizeof(float) * t->t.n > v->slice_max;
        CastRun *last = v->ncasts ? &v->casts[v->ncasts - 1] : NULL;
        size_t start = last && !last->big ? v->t[last->first].rel : 0, end = t->rel + sizeof(float) * t->t.n;
        if (last && !last->big && !k->big && last->op == k->op && end - start <= v->slice_max) {
            last->n = (end - start) / sizeof(float); /* t joins the run before it */
            continue;
        }
        v->ncasts++;
    }
    for (int r = 0; r < v->ncasts && !rc; r++) {
        CastRun *k = &v->casts[r];
        if (k->big) continue;
        size_t off = v->t[k->first].rel, bytes = sizeof(float) * k->n;
        rc = vk_arena_view(v->ctx, &v->s_arena, v->region + off, bytes, &k->src, err); /* region 1: the masters */
        if (!rc) rc = vk_arena_view(v->ctx, &v->w_arena, off, bytes, &k->dst, err);
    }
    return rc;
}

/* The forward's weights: the values rounded to the tensor's dtype, held as F32. */
static int upload_param(VkTrain *v, int i, const float *vals, Err *err) {
    VtTensor *t = &v->t[i];
    size_t n = t->t.n;
    float *f = malloc(sizeof *f * n);
    if (!f) return err_set(err, IM_IO, "out of memory");
    memcpy(f, vals, sizeof *f * n);
    opr_round(f, n, t->t.dtype);
    int rc = vk_buf_upload(v->ctx, &t->param, 0, f, sizeof *f * n, err);
    free(f);
    return rc;
}

/* Workgroups of the norm's sum of squares over window w (elem_t.comp: 4096 elements each): its partial sums. */
static size_t sumsq_groups(const VkTrain *v, int w) { return (v->win_n[w] + 4095) / 4096; }

static size_t zmax(size_t a, size_t b) { return a > b ? a : b; }
static size_t zmin(size_t a, size_t b) { return a < b ? a : b; }

static int make_acts(VkTrain *v, Err *err) {
    const ModelConfig *c = &v->c;
    size_t N = (size_t)v->N, D = (size_t)c->hidden, hd = (size_t)c->head_dim, nq = (size_t)c->n_heads, nkv = (size_t)c->n_kv_heads;
    size_t qd = nq * hd, kvd = nkv * hd, F = (size_t)c->ffn, V = (size_t)c->vocab, R = (size_t)(v->lora_rank ? v->lora_rank : 1);
    int cap = 64 + c->layers * 40 + v->nwin;
    Req *r = calloc((size_t)cap, sizeof *r);
    v->x = calloc((size_t)c->layers + 1, sizeof *v->x);
    if (!r || !v->x) return free(r), err_set(err, IM_IO, "out of memory");
    int n = 0;
    /* sizes in whole 16-byte texels, so that every buffer has a texel view */
#define RQ(B_, S_) (r[n].b = (B_), r[n].bytes = ((S_) + 15) / 16 * 16, n++)
    RQ(&v->tok, N * 4), RQ(&v->tgt, N * 4), RQ(&v->wts, N * 4), RQ(&v->pos, N * 4), RQ(&v->seg, N * 4);
    RQ(&v->cs, N * hd / 2 * 8), RQ(&v->eu, N * 4), RQ(&v->eoff, (N + 1) * 4), RQ(&v->erows, N * 4), RQ(&v->bounds, 2 * N * 4);
    for (int l = 0; l <= c->layers; l++) RQ(&v->x[l], N * D * 4);
    for (int l = 0; l < c->layers; l++) {
        VtLayer *L = &v->L[l];
        RQ(&L->xn1, N * D * 4), RQ(&L->xmid, N * D * 4), RQ(&L->xn2, N * D * 4), RQ(&L->rstd1, N * 4), RQ(&L->rstd2, N * 4);
        RQ(&L->qkv, N * (qd + 2 * kvd) * 4), RQ(&L->qr, N * qd * 4), RQ(&L->ao, N * qd * 4), RQ(&L->kr, N * kvd * 4), RQ(&L->v, N * kvd * 4);
        if (c->qk_norm) RQ(&L->q, N * qd * 4), RQ(&L->k, N * kvd * 4), RQ(&L->rstdq, N * nq * 4), RQ(&L->rstdk, N * nkv * 4);
        RQ(&L->lse, nq * N * 4), RQ(&L->gu, N * 2 * F * 4), RQ(&L->h, N * F * 4);
        for (int p = 0; p < P_COUNT; p++) { /* a LoRA group's projections read their group's xa instead */
            int grouped = (p <= P_V && L->qkv_g.lora) || ((p == P_GATE || p == P_UP) && L->gu_g.lora);
            if (L->la[p] >= 0 && !grouped) RQ(&L->xa[p], N * R * 4);
        }
        if (L->qkv_g.lora) RQ(&L->qkv_g.xa, N * R * 3 * 4);
        if (L->gu_g.lora) RQ(&L->gu_g.xa, N * R * 2 * 4);
    }
    RQ(&v->xf, N * D * 4), RQ(&v->rstdf, N * 4), RQ(&v->logits, N * V * 4);
    RQ(&v->dx, N * D * 4), RQ(&v->dxn, N * D * 4), RQ(&v->dqkv, N * (qd + 2 * kvd) * 4), RQ(&v->dv, N * kvd * 4);
    RQ(&v->dqr, N * qd * 4), RQ(&v->dkr, N * kvd * 4), RQ(&v->dao, N * qd * 4), RQ(&v->dstat, nq * N * 4);
    RQ(&v->dgu, N * 2 * F * 4), RQ(&v->dh, N * F * 4), RQ(&v->dlogits, N * V * 4), RQ(&v->dlora, N * R * 3 * 4); /* dlora: a group's [n][np r] */
    if (v->gpu_set) RQ(&v->ksplit, (size_t)32 << 20);
    if (!v->gpu_set && v->nt_min >= 0) { /* nt_copies' transposed operands; a product whose copy would not fit stays as it is */
        size_t wide = zmax(zmax(D, qd + 2 * kvd), zmax(2 * F, R)), cap = vk_max_storage_range(v->ctx), m32 = (size_t)32 << 20;
        size_t a0 = zmax(N * wide, zmin(N * V, m32 / 4)) * 4;                    /* dY^T; the LM head's dLogits^T in slices */
        size_t b1 = zmax(a0, zmax(wide * D, zmin(D * V, m32 / 4)) * 4);          /* X^T, W^T; the LM head's W^T (ranges) */
        RQ(&v->tr[0], zmin(a0, cap)), RQ(&v->tr[1], zmin(b1, cap)), RQ(&v->tr[2], wide * R * 3 * 4);
    }
    int rc = arena_fill(v, &v->a_arena, 0, r, n, "activation", err);
    n = 0; /* read back by the host: per-row loss and log-probability, the norm's partial sums */
    RQ(&v->xout, N * 2 * 4);
    for (int w = 0; w < v->nwin; w++) RQ(&v->partial[w], sumsq_groups(v, w) * 4);
#undef RQ
    if (!rc) rc = arena_fill(v, &v->r_arena, 1, r, n, "read-back", err);
    free(r);
    return rc;
}

/* Whether tensors ts[0..n) lie back to back in the weights arena */
static int adjacent(const VkTrain *v, const int *ts, int n) {
    for (int i = 1; i < n; i++) {
        const VtTensor *a = &v->t[ts[i - 1]], *b = &v->t[ts[i]];
        if (b->param.off != a->param.off + sizeof(float) * a->t.n || b->t.trainable != a->t.trainable) return 0;
    }
    return 1;
}

/* Group g of layer l (VtGroup): its columns, and how its products run: one
 * product when no projection is adapted and each one's weights (and so its
 * gradients, in the state regions' layout) follow the one before; the
 * group's LoRA products (g->lora) when every one is adapted, at a rank that
 * is a multiple of 4, with the base weights and the A's each back to back
 * (layout_order puts a layer's A's together). */
static int make_group(VkTrain *v, int l, VtGroup *g, const int *ps, int np, Err *err) {
    const VtLayer *L = &v->L[l];
    int base[3], la[3], adapted = 0;
    g->np = np, g->width = 0;
    for (int i = 0; i < np; i++) {
        g->p[i] = ps[i], g->col[i] = g->width, g->width += (int)v->t[L->proj[ps[i]]].t.shape[0];
        base[i] = L->proj[ps[i]], la[i] = L->la[ps[i]], adapted += la[i] >= 0;
    }
    int together = adjacent(v, base, np);
    g->fused = together && !adapted;
    g->lora = together && adapted == np && v->lora_rank % 4 == 0 && adjacent(v, la, np);
    if (!g->fused && !g->lora) return IM_OK;
    const VtTensor *t0 = &v->t[base[0]];
    size_t bytes = sizeof(float) * (size_t)g->width * (size_t)t0->t.shape[1];
    int rc = vk_arena_view(v->ctx, &v->w_arena, t0->param.off, bytes, &g->w, err);
    if (!rc && g->fused && t0->t.trainable) rc = vk_arena_view(v->ctx, &v->s_arena, t0->rel, bytes, &g->gw, err); /* region 0: the gradients */
    if (!rc && g->lora) {
        const VtTensor *a0 = &v->t[la[0]];
        size_t abytes = sizeof(float) * a0->t.n * (size_t)np;
        rc = vk_arena_view(v->ctx, &v->w_arena, a0->param.off, abytes, &g->a, err);
        if (!rc) rc = vk_arena_view(v->ctx, &v->s_arena, a0->rel, abytes, &g->ga, err);
    }
    return rc;
}

/* The order of the tensors in the weights arena and the state regions: the
 * table's (trainable ones first), except that each layer's LoRA A's come
 * before its B's, so that a group's A's are one span (make_group). */
static int layout_order(VkTrain *v, Err *err) {
    int n = 0, nl = v->c.layers;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < v->nt; i++) {
            int lora = !strncmp(v->t[i].t.name, "base_model.", 11);
            if (v->t[i].t.trainable == !pass && !lora) v->order[n++] = i;
        }
        for (int l = 0; l < nl; l++)
            for (int ab = 0; ab < 2; ab++)
                for (int p = 0; p < P_COUNT; p++) {
                    int i = ab ? v->L[l].lb[p] : v->L[l].la[p];
                    if (i >= 0 && v->t[i].t.trainable == !pass) v->order[n++] = i;
                }
    }
    return n == v->nt ? IM_OK : err_set(err, IM_IO, "Vulkan training: %d of %d tensors placed (an adapter whose layer or projection is not known?)", n, v->nt);
}

/* The kernels for the device, set as the ops' pipelines (which set_for
 * then uses): attention specialised to the model's head_dim, when there
 * are (attn_t.comp; on GPUs attn_sg.comp, head_dim / 16 lanes a row); on
 * GPUs also the tiled products (gemm_tile.comp) and the norm's dW in
 * chunks of rows. */
static int gpu_variants(VkTrain *v, int kernels, Err *err) {
    int hd = v->c.head_dim, lanes = (int)vk_subgroup_size(v->ctx);
    int sg = kernels == TM_KERNELS_GPU || (kernels == TM_KERNELS_AUTO && !vk_is_cpu(v->ctx));
    int rc = sg ? ops_pipe_variant(v->ctx, OP_RMSNORM_BWD_DW, "rmsnorm_t_bwd_dw_sg", &v->pipe[OP_RMSNORM_BWD_DW], err) : IM_OK;
    for (int op = OP_GEMMX_NT; sg && op <= OP_GEMMX_NN2 && !rc; op++)
        rc = ops_pipe_variant(v->ctx, (OpId)op, ops_gemm_tile_variant((OpId)op), &v->pipe[op], err);
    v->gpu_set = sg;
    if (rc || (hd != 16 && hd != 32 && hd != 64 && hd != 128)) return rc;
    v->attn_sg = sg && hd / 16 <= lanes; /* attn_sg.comp: hd / 16 lanes a row */
    const OpId ops[3] = {OP_ATTN_FWD, OP_ATTN_BWD_Q, OP_ATTN_BWD_KV};
    const char *names[3] = {"fwd", "bwd_q", "bwd_kv"};
    for (int i = 0; i < 3 && !rc; i++) {
        char name[64];
        snprintf(name, sizeof name, "attn_%s_%s_hd%d", v->attn_sg ? "sg" : "t", names[i], hd);
        rc = ops_pipe_variant(v->ctx, ops[i], name, &v->pipe[ops[i]], err);
    }
    return rc;
}

/* The embedding, final norm, head and each layer's tensors, by name (-1: absent) */
static void find_layers(VkTrain *v) {
    v->embed = v->norm = v->lm_head = -1;
    for (int i = 0; i < v->nt; i++) {
        if (!strcmp(v->t[i].t.name, "model.embed_tokens.weight")) v->embed = i;
        if (!strcmp(v->t[i].t.name, "model.norm.weight")) v->norm = i;
        if (!strcmp(v->t[i].t.name, "lm_head.weight")) v->lm_head = i;
    }
    if (v->lm_head < 0) v->lm_head = v->embed;
    for (int l = 0; l < v->c.layers; l++) {
        VtLayer *L = &v->L[l];
        L->attn_norm = find(v, "model.layers.%d.%s", l, "input_layernorm.weight");
        L->ffn_norm = find(v, "model.layers.%d.%s", l, "post_attention_layernorm.weight");
        L->q_norm = find(v, "model.layers.%d.%s", l, "self_attn.q_norm.weight");
        L->k_norm = find(v, "model.layers.%d.%s", l, "self_attn.k_norm.weight");
        for (int p = 0; p < P_COUNT; p++) {
            char mid[96];
            snprintf(mid, sizeof mid, "%s.weight", PROJ[p]);
            L->proj[p] = find(v, "model.layers.%d.%s", l, mid);
            snprintf(mid, sizeof mid, "%s.lora_A.weight", PROJ[p]);
            L->la[p] = find(v, "base_model.model.model.layers.%d.%s", l, mid);
            snprintf(mid, sizeof mid, "%s.lora_B.weight", PROJ[p]);
            L->lb[p] = find(v, "base_model.model.model.layers.%d.%s", l, mid);
        }
    }
}

/* The weights arena (every tensor, in layout_order) and the state arena
 * (four regions of the trainable tensors' layout: gradients, masters, m,
 * v), each trainable tensor's views, and the windows AdamW and the norm
 * walk */
static int make_arenas(VkTrain *v, const TmOptions *o, Err *err) {
    int rc = layout_order(v, err), nw = 0;
    size_t region = 0;
    Req *wr = calloc((size_t)v->nt + 1, sizeof *wr);
    if (!rc && !wr) rc = err_set(err, IM_IO, "out of memory");
    for (int k = 0; !rc && k < v->nt; k++) { /* trainable weights first, in the state regions' layout (make_casts) */
        VtTensor *t = &v->t[v->order[k]];
        if (t->t.trainable) t->rel = region, region += vk_arena_round(sizeof(float) * t->t.n);
        wr[nw].b = &t->param, wr[nw++].bytes = sizeof(float) * t->t.n;
    }
    v->region = region;
    if (!rc) rc = arena_fill(v, &v->w_arena, 0, wr, v->nt, "weight", err);
    /* the state arena: four regions of the same layout, and windows over them */
    if (!rc && region) rc = vk_arena_create(v->ctx, 4 * region, 0, &v->s_arena, err);
    for (int i = 0; !rc && i < v->nt; i++) {
        VtTensor *t = &v->t[i];
        if (!t->t.trainable) continue;
        VkBuf *b[4] = {&t->grad, &t->master, &t->m, &t->v};
        for (int k = 0; k < 4 && !rc; k++) rc = vk_arena_view(v->ctx, &v->s_arena, (size_t)k * region + t->rel, sizeof(float) * t->t.n, b[k], err);
    }
    size_t window = o->vk_slice_bytes && o->vk_slice_bytes < WINDOW ? o->vk_slice_bytes / VK_ARENA_ALIGN * VK_ARENA_ALIGN : WINDOW; /* tests: many */
    if (!window) window = VK_ARENA_ALIGN;
    for (size_t off = 0; !rc && off < region; off += window) {
        if (v->nwin == MAXWIN) {
            rc = err_set(err, IM_USAGE, "Vulkan training: %zu bytes of trainable state per region is more than %d windows", region, MAXWIN);
            break;
        }
        size_t len = region - off < window ? region - off : window;
        for (int k = 0; k < 4 && !rc; k++) rc = vk_arena_view(v->ctx, &v->s_arena, (size_t)k * region + off, len, &v->win[k][v->nwin], err);
        v->win_n[v->nwin++] = len / 4;
    }
    free(wr);
    return rc;
}

int vkt_create(const ModelFiles *m, const TmOptions *o, VkTrain **out, Err *err) {
    *out = NULL;
    Mref *ref = NULL;
    int rc = mref_create(m, o, 0, &ref, err); /* the tensor table and initial values (LoRA A from the seed) */
    if (rc) return rc;
    VkTrain *v = calloc(1, sizeof *v);
    if (!v) return mref_destroy(ref), err_set(err, IM_IO, "out of memory");
    v->c = m->cfg, v->N = o->max_tokens > 0 ? o->max_tokens : 512, v->err = err;
    v->lora_rank = o->lora_rank, v->lora_scale = o->lora_rank ? o->lora_alpha / (float)o->lora_rank : 0;
    const ModelConfig *c = &v->c;
    rc = vk_ctx_create(o->vk_device, &v->ctx, err);
    if (!rc) {
        v->slice_max = vk_max_storage_range(v->ctx);
        if (o->vk_slice_bytes && o->vk_slice_bytes < v->slice_max) v->slice_max = o->vk_slice_bytes;
        v->nt_min = o->vk_nt_min < 0 ? -1 : o->vk_nt_min ? o->vk_nt_min : TM_NT_MIN;
        /* as NT the 0.6B shape's LM head dX ran fastest in ranges of 4 MB (2 layers: LoRA step 4.35 s at 1 MB, 4.00 at 4, 4.22 at 16) */
        v->range_over = (size_t)64 << 20, v->range_bytes = (size_t)(v->nt_min >= 0 ? 4 : 1) << 20;
        if (o->vk_slice_bytes) v->range_over = 0, v->range_bytes = o->vk_slice_bytes; /* tests: every dX product in ranges */
    }
    if (!rc && (c->hidden % 4 || c->head_dim % 8 || c->head_dim > 256 || c->n_heads % c->n_kv_heads || c->ffn % 4))
        rc = err_set(err, IM_USAGE, "Vulkan training: hidden %d, head_dim %d, %d/%d heads and ffn %d are not supported (hidden and ffn multiples of 4, head_dim a multiple of 8 and at most 256, query heads a multiple of key/value heads)",
                     c->hidden, c->head_dim, c->n_heads, c->n_kv_heads, c->ffn);
    v->nt = mref_tensor_count(ref);
    v->t = calloc((size_t)v->nt, sizeof *v->t), v->L = calloc((size_t)c->layers, sizeof *v->L);
    if (!rc && (!v->t || !v->L)) rc = err_set(err, IM_IO, "out of memory");
    v->order = calloc((size_t)v->nt + 1, sizeof *v->order);
    if (!rc && !v->order) rc = err_set(err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < v->nt; i++) {
        VtTensor *t = &v->t[i];
        t->t = *mref_tensor(ref, i);
        t->t.name = strdup(t->t.name);
    }
    if (!rc) find_layers(v);
    if (!rc) rc = make_arenas(v, o, err);
    for (int l = 0; !rc && l < c->layers; l++) {
        static const int qkv[3] = {P_Q, P_K, P_V}, gu[2] = {P_GATE, P_UP};
        rc = make_group(v, l, &v->L[l].qkv_g, qkv, 3, err);
        if (!rc) rc = make_group(v, l, &v->L[l].gu_g, gu, 2, err);
    }
    if (!rc) rc = gpu_variants(v, o->vk_kernels, err);
    if (!rc) rc = make_acts(v, err);
    if (!rc) rc = make_casts(v, err);
    if (!rc) rc = zero_state(v, 2, err); /* device memory starts undefined; the casts read the masters' padding */
    /* weights and masters */
    for (int i = 0; !rc && i < v->nt; i++) {
        const float *vals = mref_data(ref, i, TM_PARAM);
        rc = upload_param(v, i, vals, err);
        if (!rc && v->t[i].t.trainable) rc = vk_buf_upload(v->ctx, &v->t[i].master, 0, vals, sizeof(float) * v->t[i].t.n, err);
    }
    if (!rc) {
        int half = c->head_dim / 2;
        float *inv = malloc(sizeof(float) * (size_t)half), *tab = malloc(sizeof(float) * 2 * (size_t)v->N * half);
        model_config_inv_freq(c, inv);
        for (int p = 0; p < v->N; p++)
            for (int i = 0; i < half; i++) {
                double a = (double)p * inv[i];
                tab[2 * ((size_t)p * half + i)] = (float)cos(a), tab[2 * ((size_t)p * half + i) + 1] = (float)sin(a);
            }
        rc = vk_buf_upload(v->ctx, &v->cs, 0, tab, sizeof(float) * 2 * (size_t)v->N * half, err);
        free(inv), free(tab);
    }
    mref_destroy(ref);
    if (rc) {
        vkt_destroy(v);
        return rc;
    }
    *out = v;
    return IM_OK;
}

void vkt_destroy(VkTrain *v) {
    if (!v) return;
    if (v->ctx) vkDeviceWaitIdle(vk_device(v->ctx));
    vk_timer_destroy(v->ctx, v->qp);
    for (int i = 0; v->t && i < v->nt; i++) {
        VtTensor *t = &v->t[i];
        free((char *)t->t.name);
        vk_buf_destroy(v->ctx, &t->param), vk_buf_destroy(v->ctx, &t->grad), vk_buf_destroy(v->ctx, &t->master);
        vk_buf_destroy(v->ctx, &t->m), vk_buf_destroy(v->ctx, &t->v);
    }
    for (int w = 0; w < v->nwin; w++)
        for (int k = 0; k < 4; k++) vk_buf_destroy(v->ctx, &v->win[k][w]);
    for (int i = 0; i < v->nslices; i++) vk_buf_destroy(v->ctx, &v->slices[i]->b), free(v->slices[i]);
    for (int i = 0; i < v->ncasts; i++) vk_buf_destroy(v->ctx, &v->casts[i].src), vk_buf_destroy(v->ctx, &v->casts[i].dst);
    free(v->casts);
    free(v->slices);
    for (int l = 0; v->L && l < v->c.layers; l++) {
        VtLayer *L = &v->L[l];
        VkBuf *bs[] = {&L->xn1, &L->xmid, &L->xn2, &L->rstd1, &L->rstd2, &L->qkv, &L->q, &L->qr, &L->ao, &L->k, &L->kr, &L->v,
                       &L->rstdq, &L->rstdk, &L->lse, &L->gu, &L->h, &L->qkv_g.w, &L->qkv_g.gw, &L->gu_g.w, &L->gu_g.gw,
                       &L->qkv_g.a, &L->qkv_g.ga, &L->qkv_g.xa, &L->gu_g.a, &L->gu_g.ga, &L->gu_g.xa};
        for (size_t i = 0; i < sizeof bs / sizeof *bs; i++) vk_buf_destroy(v->ctx, bs[i]);
        for (int p = 0; p < P_COUNT; p++) vk_buf_destroy(v->ctx, &L->xa[p]);
    }
    for (int l = 0; v->x && l <= v->c.layers; l++) vk_buf_destroy(v->ctx, &v->x[l]);
    VkBuf *bs[] = {&v->tok, &v->tgt, &v->wts, &v->pos, &v->seg, &v->cs, &v->eu, &v->eoff, &v->erows, &v->bounds, &v->xf, &v->rstdf, &v->logits,
                   &v->xout, &v->dx, &v->dxn, &v->dqkv, &v->dv, &v->dqr, &v->dkr, &v->dao, &v->dstat, &v->dgu, &v->dh,
                   &v->dlogits, &v->dlora};
    for (size_t i = 0; i < sizeof bs / sizeof *bs; i++) vk_buf_destroy(v->ctx, bs[i]);
    for (int w = 0; w < v->nwin; w++) vk_buf_destroy(v->ctx, &v->partial[w]);
    vk_buf_destroy(v->ctx, &v->ksplit);
    for (int i = 0; i < 3; i++) vk_buf_destroy(v->ctx, &v->tr[i]);
    vk_arena_destroy(v->ctx, &v->w_arena), vk_arena_destroy(v->ctx, &v->s_arena), vk_arena_destroy(v->ctx, &v->a_arena), vk_arena_destroy(v->ctx, &v->r_arena);
    free(v->t), free(v->L), free(v->x), free(v->sets), free(v->order);
    vk_ctx_destroy(v->ctx);
    free(v);
}

int vkt_tensor_count(const VkTrain *v) { return v->nt; }
const TmTensor *vkt_tensor(const VkTrain *v, int i) { return &v->t[i].t; }
size_t vkt_mem_peak(const VkTrain *v) { return vk_mem_peak(v->ctx); }
const char *vkt_device_name(const VkTrain *v) { return vk_device_name(v->ctx); }

/* ---- recording ---- */

static int begin(VkTrain *v, Err *err) {
    v->rc = IM_OK, v->err = err, v->nts = 0;
    int rc = vk_cmd_begin(v->ctx, &v->cb, err);
    if (!rc && v->qp) {
        vkCmdResetQueryPool(v->cb, v->qp, 0, 4096);
        stamp(v, OP_COUNT + 1);
    }
    return rc;
}

static int finish(VkTrain *v) {
    int rc = v->rc;
    if (!rc) rc = vk_cmd_end(v->cb, v->err);
    if (!rc) rc = vk_submit_wait(v->ctx, v->cb, v->err);
    vk_cmd_free(v->ctx, v->cb);
    v->cb = VK_NULL_HANDLE;
    if (!rc && v->qp && v->nts > 1) {
        double ns[4096];
        rc = vk_timer_read(v->ctx, v->qp, (uint32_t)v->nts, ns, v->err);
        for (int i = 1; !rc && i < v->nts; i++) v->prof_ns[v->ts_op[i]] += ns[i] - ns[i - 1], v->prof_calls[v->ts_op[i]]++;
    }
    return rc;
}

static VkBuf *P(VkTrain *v, int i) { return &v->t[i].param; }
static VkBuf *G(VkTrain *v, int i) { return i >= 0 && v->t[i].t.trainable ? &v->t[i].grad : NULL; }

/* The acc flag of a product into tensor i's gradient: 0 (write) for the
 * first thing recorded into it since it was zeroed, else 1 (add). A
 * product's epilogue that adds loads C first, and on lavapipe those loads
 * missed the cache in the dW products (K = the batch's tokens, so the
 * epilogue is a large share). Every writer of a gradient calls this, in the
 * order the step records them. */
static int grad_acc(VkTrain *v, int i) {
    if (i < 0) return 1;
    int acc = !v->t[i].grad_zeroed;
    v->t[i].grad_zeroed = 0;
    return acc;
}

/* y = x . W^T (+ y when acc: the residual add), plus the LoRA path
 * s (x . A^T) . B^T, added by the same dispatch (xa kept for dB); y as yv
 * says (a projection's columns of qkv or gu) */
static void lin_fwd(VkTrain *v, int l, int p, VkBuf *y, VkBuf *x, int n, int acc, View yv) {
    VtLayer *L = &v->L[l];
    VtTensor *w = &v->t[L->proj[p]];
    int M = (int)w->t.shape[0], K = (int)w->t.shape[1];
    Seg2 lora = {&L->xa[p], L->la[p] >= 0 ? P(v, L->lb[p]) : NULL, v->lora_rank, v->lora_scale, WHOLE};
    if (L->la[p] >= 0) gemm(v, OP_GEMM_NT_F32, x, P(v, L->la[p]), &L->xa[p], n, v->lora_rank, K, 1.0f, 0);
    gemm2(v, OP_GEMM_NT_F32, x, &w->param, y, n, M, K, 1.0f, acc, L->la[p] >= 0 ? &lora : NULL, WHOLE, yv);
}

/* dx = dy . W (+ dx when acc) and the LoRA path's dX, (s dy . B) . A,
 * added by the same dispatch; gradients of trainable weights +=; dy as dyv
 * says */
static void lin_bwd(VkTrain *v, int l, int p, VkBuf *dx, VkBuf *dy, VkBuf *x, int n, int acc, View dyv) {
    VtLayer *L = &v->L[l];
    VtTensor *w = &v->t[L->proj[p]];
    int M = (int)w->t.shape[0], K = (int)w->t.shape[1], r = v->lora_rank;
    uint32_t ao = dyv.off / 4, ld = dyv.ld;
    if (w->t.trainable) gemm_at(v, OP_GEMM_TN_F32, dy, x, &w->grad, M, K, n, 1.0f, grad_acc(v, L->proj[p]), ao, ld, WHOLE, NULL, WHOLE);
    if (L->la[p] < 0) {
        gemm2(v, OP_GEMM_NN_F32, dy, &w->param, dx, n, K, M, 1.0f, acc, NULL, dyv, WHOLE);
        return;
    }
    gemm_at(v, OP_GEMM_TN_F32, dy, &L->xa[p], G(v, L->lb[p]), M, r, n, v->lora_scale, grad_acc(v, L->lb[p]), ao, ld, WHOLE, NULL, WHOLE);
    gemm_at(v, OP_GEMM_NN_F32, dy, P(v, L->lb[p]), &v->dlora, n, r, M, v->lora_scale, 0, ao, ld, WHOLE, NULL, WHOLE);
    gemm(v, OP_GEMM_TN_F32, &v->dlora, x, G(v, L->la[p]), r, K, n, 1.0f, grad_acc(v, L->la[p]));
    Seg2 lora = {&v->dlora, P(v, L->la[p]), r, 1.0f, WHOLE};
    gemm2(v, OP_GEMM_NN_F32, dy, &w->param, dx, n, K, M, 1.0f, acc, &lora, dyv, WHOLE);
}

/* y [n][g->width] = x . [W_p ...]^T (+ each one's LoRA path): one product
 * over the span when fused; with g->lora, x . A^T of all of them in one,
 * then each base product and its path in one dispatch (into its columns);
 * else lin_fwd for each */
static void group_fwd(VkTrain *v, int l, const VtGroup *g, VkBuf *y, VkBuf *x, int n) {
    const VtLayer *L = &v->L[l];
    int K = (int)v->t[L->proj[g->p[0]]].t.shape[1], r = v->lora_rank, wa = g->np * r;
    if (g->fused) {
        gemm(v, OP_GEMM_NT_F32, x, (VkBuf *)&g->w, y, n, g->width, K, 1.0f, 0);
        return;
    }
    if (g->lora) gemm(v, OP_GEMM_NT_F32, x, (VkBuf *)&g->a, (VkBuf *)&g->xa, n, wa, K, 1.0f, 0);
    for (int i = 0; i < g->np; i++) {
        View yv = {(uint32_t)g->col[i], (uint32_t)g->width};
        if (!g->lora) {
            lin_fwd(v, l, g->p[i], y, x, n, 0, yv);
            continue;
        }
        VtTensor *w = &v->t[L->proj[g->p[i]]];
        Seg2 path = {(VkBuf *)&g->xa, P(v, L->lb[g->p[i]]), r, v->lora_scale, {(uint32_t)(i * r), (uint32_t)wa}};
        gemm2(v, OP_GEMM_NT_F32, x, &w->param, y, n, (int)w->t.shape[0], K, 1.0f, 0, &path, WHOLE, yv);
    }
}

/* The backward of group_fwd: dx (+)= dy . [W_p ...] (+ the LoRA paths'),
 * the trainable weights' gradients += */
static void group_bwd(VkTrain *v, int l, const VtGroup *g, VkBuf *dx, VkBuf *dy, VkBuf *x, int n, int acc) {
    const VtLayer *L = &v->L[l];
    int K = (int)v->t[L->proj[g->p[0]]].t.shape[1], r = v->lora_rank, wa = g->np * r, gacc = 0;
    if (!g->fused && !g->lora) {
        for (int i = 0; i < g->np; i++) lin_bwd(v, l, g->p[i], dx, dy, x, n, i ? 1 : acc, (View){(uint32_t)g->col[i], (uint32_t)g->width});
        return;
    }
    if (g->lora) { /* dB and s dy . B of each (dlora [n][np r]); then dA and dX, one product each */
        for (int i = 0; i < g->np; i++) {
            int p = g->p[i], M = (int)v->t[L->proj[p]].t.shape[0];
            uint32_t ao = (uint32_t)g->col[i] / 4, ld = (uint32_t)g->width;
            View xav = {(uint32_t)(i * r), (uint32_t)wa};
            gemm_at(v, OP_GEMM_TN_F32, dy, (VkBuf *)&g->xa, G(v, L->lb[p]), M, r, n, v->lora_scale, grad_acc(v, L->lb[p]), ao, ld, xav, NULL, WHOLE);
            gemm_at(v, OP_GEMM_NN_F32, dy, P(v, L->lb[p]), &v->dlora, n, r, M, v->lora_scale, 0, ao, ld, WHOLE, NULL, xav);
            gacc |= grad_acc(v, L->la[p]); /* zeroed together: the same for all */
        }
        gemm(v, OP_GEMM_TN_F32, &v->dlora, x, (VkBuf *)&g->ga, wa, K, n, 1.0f, gacc);
        Seg2 path = {&v->dlora, (VkBuf *)&g->a, wa, 1.0f, WHOLE};
        gemm2(v, OP_GEMM_NN_F32, dy, (VkBuf *)&g->w, dx, n, K, g->width, 1.0f, acc, &path, WHOLE, WHOLE);
        return;
    }
    if (g->gw.buf) {
        for (int i = 0; i < g->np; i++) gacc |= grad_acc(v, L->proj[g->p[i]]); /* zeroed together: the same for all */
        gemm(v, OP_GEMM_TN_F32, dy, x, (VkBuf *)&g->gw, g->width, K, n, 1.0f, gacc);
    }
    gemm(v, OP_GEMM_NN_F32, dy, (VkBuf *)&g->w, dx, n, K, g->width, 1.0f, acc);
}

/* Workgroups along the rows of attention: head_dim / 16 lanes a row (attn_sg), or one. */
static uint32_t attn_groups(const VkTrain *v, int n) {
    uint32_t lanes = vk_subgroup_size(v->ctx);
    return cdiv((uint32_t)n, v->attn_sg ? lanes / ((uint32_t)v->c.head_dim / 16) : lanes);
}

/* y = the norm of x; with xc, x is copied there too (the residual stream's next copy) */
static void rms_fwd(VkTrain *v, VkBuf *x, VkBuf *w, VkBuf *y, VkBuf *rstd, int rows, int d, VkBuf *xc) {
    PushRows p = {(uint32_t)rows, (uint32_t)d, v->c.eps, 0, 0};
    VkBuf *bs[5] = {x, w, y, rstd, xc};
    OpId op = xc ? OP_RMSNORM_FWD_COPY : OP_RMSNORM_FWD;
    disp(v, op, bs, &p, ops_groups(op, &p, vk_subgroup_size(v->ctx)), 1, 1);
}

/* The gradient of the norm weight wi += its dW, sum over rows of g x rstd */
static void rms_dw(VkTrain *v, VkBuf *g, VkBuf *x, int wi, VkBuf *rstd, int rows, int d) {
    PushRows p = {(uint32_t)rows, (uint32_t)d, v->c.eps, 0, 0};
    VkBuf *dw = G(v, wi);
    if (dw) grad_acc(v, wi); /* the kernels below add */
    if (!dw || rows <= 0) return;
    if (v->gpu_set) { /* partials of chunks of rows in v->ksplit, added into dw by gemm_sum */
        uint32_t dq = (uint32_t)d / 4, lanes = vk_subgroup_size(v->ctx), chunks = cdiv(2048, dq);
        if (chunks > cdiv((uint32_t)rows, 4 * lanes)) chunks = cdiv((uint32_t)rows, 4 * lanes); /* at least 4 rows a lane */
        if ((size_t)chunks * (size_t)d * 4 > v->ksplit.size) chunks = (uint32_t)(v->ksplit.size / ((size_t)d * 4));
        p.chunk = cdiv((uint32_t)rows, chunks), chunks = cdiv((uint32_t)rows, p.chunk);
        VkBuf *bw[4] = {g, x, rstd, &v->ksplit}, *bsum[2] = {&v->ksplit, dw};
        disp(v, OP_RMSNORM_BWD_DW, bw, &p, dq, chunks, 1);
        PushSplit ps = {(uint32_t)d, chunks, 1};
        disp(v, OP_GEMM_SPLIT_SUM, bsum, &ps, cdiv((uint32_t)d, 256), 1, 1);
    } else {
        VkBuf *bw[4] = {g, x, rstd, dw};
        disp(v, OP_RMSNORM_BWD_DW, bw, &p, ops_groups(OP_RMSNORM_BWD_DW, &p, vk_subgroup_size(v->ctx)), 1, 1);
    }
}

/* dx = (dx when acc) + the norm's dX; the gradient of weight wi += its dW */
static void rms_bwd(VkTrain *v, VkBuf *g, VkBuf *x, int wi, VkBuf *rstd, VkBuf *dx, int rows, int d, int acc) {
    PushRows p = {(uint32_t)rows, (uint32_t)d, v->c.eps, (uint32_t)acc, 0};
    VkBuf *bs[5] = {g, x, P(v, wi), rstd, dx};
    disp(v, OP_RMSNORM_BWD_DX, bs, &p, ops_groups(OP_RMSNORM_BWD_DX, &p, vk_subgroup_size(v->ctx)), 1, 1);
    rms_dw(v, g, x, wi, rstd, rows, d);
}

/* The q/k norm weights, or (no q/k norm) stand-ins that qkpost_t.comp does not read */
static VkBuf *qk_norm_w(VkTrain *v, int wi) { return wi >= 0 ? P(v, wi) : &v->cs; }

/* qkv -> (q/k norm) -> RoPE -> qr, kr; v copied out (qkpost_t.comp) */
static void qkpost_fwd(VkTrain *v, VtLayer *L, int n) {
    const ModelConfig *c = &v->c;
    PushQkPost p = {(uint32_t)n, (uint32_t)c->n_heads, (uint32_t)c->n_kv_heads, (uint32_t)c->head_dim, (uint32_t)c->qk_norm, c->eps};
    VkBuf *xq = c->qk_norm ? &L->q : &L->v, *xk = c->qk_norm ? &L->k : &L->v, *rq = c->qk_norm ? &L->rstdq : &L->v, *rk = c->qk_norm ? &L->rstdk : &L->v;
    VkBuf *bs[12] = {&L->qkv, qk_norm_w(v, L->q_norm), qk_norm_w(v, L->k_norm), &v->pos, &v->cs, &L->qr, &L->kr, &L->v, xq, xk, rq, rk};
    disp(v, OP_QKPOST_FWD, bs, &p, ops_groups(OP_QKPOST_FWD, &p, 64), 1, 1);
}

/* dqr, dkr (rotated back in place), dv -> dqkv; then the q/k norm weights' dW */
static void qkpost_bwd(VkTrain *v, VtLayer *L, int n) {
    const ModelConfig *c = &v->c;
    PushQkPost p = {(uint32_t)n, (uint32_t)c->n_heads, (uint32_t)c->n_kv_heads, (uint32_t)c->head_dim, (uint32_t)c->qk_norm, c->eps};
    VkBuf *xq = c->qk_norm ? &L->q : &v->cs, *xk = c->qk_norm ? &L->k : &v->cs, *rq = c->qk_norm ? &L->rstdq : &v->cs, *rk = c->qk_norm ? &L->rstdk : &v->cs;
    VkBuf *bs[12] = {&v->dqr, &v->dkr, &v->dv, xq, xk, qk_norm_w(v, L->q_norm), qk_norm_w(v, L->k_norm), rq, rk, &v->pos, &v->cs, &v->dqkv};
    disp(v, OP_QKPOST_BWD, bs, &p, ops_groups(OP_QKPOST_BWD, &p, 64), 1, 1);
    if (!c->qk_norm) return;
    rms_dw(v, &v->dqr, &L->q, L->q_norm, &L->rstdq, n * c->n_heads, c->head_dim);
    rms_dw(v, &v->dkr, &L->k, L->k_norm, &L->rstdk, n * c->n_kv_heads, c->head_dim);
}

/* h = silu(gate) * up over gu's halves */
static void swiglu_fwd(VkTrain *v, VtLayer *L, int n) {
    PushElem p = {(uint32_t)(n * v->c.ffn), 0, (uint32_t)v->c.ffn};
    VkBuf *bs[2] = {&L->gu, &L->h};
    disp(v, OP_SWIGLU_FWD, bs, &p, ops_groups(OP_SWIGLU_FWD, &p, 64), 1, 1);
}

/* Logits and cross-entropy, in slices of rows when [n][vocab] is over the
 * storage range (the 0.6B shape's 151,936-wide rows). */
static void head_forward(VkTrain *v, int n, int grad) {
    int D = v->c.hidden, V = v->c.vocab;
    VtTensor *head = &v->t[v->lm_head];
    size_t row = sizeof(float) * (size_t)V;
    int per = slice_rows(v, row, 1);
    for (int r0 = 0; r0 < n; r0 += per) {
        int nr = n - r0 < per ? n - r0 : per;
        size_t span = row * (size_t)per < v->logits.size - row * r0 ? row * (size_t)per : v->logits.size - row * r0; /* whole slices: the same views every step */
        VkBuf *lg = slice(v, &v->a_arena, &v->logits, row * r0, span), *dl = slice(v, &v->a_arena, &v->dlogits, row * r0, span);
        gemm_at(v, OP_GEMM_NT_F32, &v->xf, &head->param, lg, nr, V, D, 1.0f, 0, (uint32_t)(r0 * D / 4), 0, WHOLE, NULL, WHOLE);
        PushXent px = {(uint32_t)nr, (uint32_t)V, (uint32_t)r0};
        VkBuf *bx[5] = {lg, &v->tgt, &v->wts, &v->xout, dl};
        disp(v, grad ? OP_XENT_GRAD : OP_XENT_FWD, bx, &px, (uint32_t)nr, 1, 1);
    }
}

static void rec_forward(VkTrain *v, int n, int grad) {
    const ModelConfig *c = &v->c;
    int D = c->hidden, hd = c->head_dim, nq = c->n_heads, nkv = c->n_kv_heads;
    PushEmbed pe = {(uint32_t)n, (uint32_t)D, 0, 0};
    VkBuf *be[3] = {&v->tok, P(v, v->embed), &v->x[0]};
    disp(v, OP_EMBED_FWD_F32, be, &pe, cdiv((uint32_t)D / 4, 64), (uint32_t)n, 1);
    PushAttn pa = {(uint32_t)n, (uint32_t)nq, (uint32_t)nkv, (uint32_t)hd, 1.0f / sqrtf((float)hd)};
    for (int l = 0; l < c->layers; l++) {
        VtLayer *L = &v->L[l];
        rms_fwd(v, &v->x[l], P(v, L->attn_norm), &L->xn1, &L->rstd1, n, D, &L->xmid); /* xmid = x[l], o adds to it */
        group_fwd(v, l, &L->qkv_g, &L->qkv, &L->xn1, n);
        qkpost_fwd(v, L, n);
        VkBuf *ba[7] = {&L->qr, &L->kr, &L->v, &v->seg, &v->bounds, &L->ao, &L->lse};
        disp(v, OP_ATTN_FWD, ba, &pa, attn_groups(v, n), (uint32_t)nq, 1);
        lin_fwd(v, l, P_O, &L->xmid, &L->ao, n, 1, WHOLE);
        rms_fwd(v, &L->xmid, P(v, L->ffn_norm), &L->xn2, &L->rstd2, n, D, &v->x[l + 1]); /* x[l + 1] = xmid, down adds to it */
        group_fwd(v, l, &L->gu_g, &L->gu, &L->xn2, n);
        swiglu_fwd(v, L, n);
        lin_fwd(v, l, P_DOWN, &v->x[l + 1], &L->h, n, 1, WHOLE);
    }
    rms_fwd(v, &v->x[c->layers], P(v, v->norm), &v->xf, &v->rstdf, n, D, NULL);
    head_forward(v, n, grad);
}

static void rec_backward(VkTrain *v, int n, int n_uniq) {
    const ModelConfig *c = &v->c;
    int D = c->hidden, hd = c->head_dim, nq = c->n_heads, nkv = c->n_kv_heads, F = c->ffn, V = c->vocab;
    VtTensor *head = &v->t[v->lm_head];
    if (head->t.trainable) { /* dW in slices of vocabulary rows when [vocab][D] is over the storage range */
        size_t row = sizeof(float) * (size_t)D;
        int per = slice_rows(v, row, 4);
        if (v->tr[0].size && n > 0) { /* as NT, each slice's dLogits transposed fits tr[0] */
            int fit = rows_within(v->tr[0].size * D / (size_t)n, row, 4);
            per = fit < per ? fit : per;
        }
        int acc = grad_acc(v, v->lm_head); /* the slices are disjoint: each is the first write of its rows */
        for (int v0 = 0; v0 < V; v0 += per) {
            int nv = V - v0 < per ? V - v0 : per;
            VkBuf *g = slice(v, &v->s_arena, &head->grad, row * v0, row * nv);
            gemm_at(v, OP_GEMM_TN_F32, &v->dlogits, &v->xf, g, nv, D, n, 1.0f, acc, (uint32_t)(v0 / 4), (uint32_t)V, WHOLE, NULL, WHOLE);
        }
    }
    /* every dX below is written by its first product or norm, added to by the rest: no fills */
    gemm(v, OP_GEMM_NN_F32, &v->dlogits, &head->param, &v->dxn, n, D, V, 1.0f, 0);
    rms_bwd(v, &v->dxn, &v->x[c->layers], v->norm, &v->rstdf, &v->dx, n, D, 0);
    PushAttn pa = {(uint32_t)n, (uint32_t)nq, (uint32_t)nkv, (uint32_t)hd, 1.0f / sqrtf((float)hd)};
    for (int l = c->layers - 1; l >= 0; l--) {
        VtLayer *L = &v->L[l];
        lin_bwd(v, l, P_DOWN, &v->dh, &v->dx, &L->h, n, 0, WHOLE);
        PushElem ps = {(uint32_t)(n * F), 0, (uint32_t)F};
        VkBuf *bsw[3] = {&v->dh, &L->gu, &v->dgu};
        disp(v, OP_SWIGLU_BWD, bsw, &ps, ops_groups(OP_SWIGLU_BWD, &ps, 64), 1, 1);
        group_bwd(v, l, &L->gu_g, &v->dxn, &v->dgu, &L->xn2, n, 0);
        rms_bwd(v, &v->dxn, &L->xmid, L->ffn_norm, &L->rstd2, &v->dx, n, D, 1);
        lin_bwd(v, l, P_O, &v->dao, &v->dx, &L->ao, n, 0, WHOLE);
        uint32_t rows = attn_groups(v, n);
        VkBuf *bq[10] = {&v->dao, &L->qr, &L->kr, &L->v, &v->seg, &L->ao, &v->bounds, &L->lse, &v->dqr, &v->dstat};
        disp(v, OP_ATTN_BWD_Q, bq, &pa, rows, (uint32_t)nq, 1);
        VkBuf *bkv[10] = {&v->dao, &L->qr, &L->kr, &L->v, &v->seg, &L->lse, &v->dstat, &v->bounds, &v->dkr, &v->dv};
        disp(v, OP_ATTN_BWD_KV, bkv, &pa, rows, (uint32_t)nkv, 1);
        qkpost_bwd(v, L, n);
        group_bwd(v, l, &L->qkv_g, &v->dxn, &v->dqkv, &L->xn1, n, 0);
        rms_bwd(v, &v->dxn, &v->x[l], L->attn_norm, &L->rstd1, &v->dx, n, D, 1);
    }
    if (G(v, v->embed)) { /* in slices of table rows when [vocab][D] is over the storage range */
        grad_acc(v, v->embed); /* the scatter adds */
        size_t row = sizeof(float) * (size_t)D;
        int per = slice_rows(v, row, 1), rows = (int)v->t[v->embed].t.shape[0];
        for (int r0 = 0; r0 < rows; r0 += per) {
            int nr = rows - r0 < per ? rows - r0 : per;
            PushEmbed pe = {(uint32_t)n_uniq, (uint32_t)D, (uint32_t)r0, (uint32_t)nr};
            VkBuf *be[5] = {&v->eu, &v->eoff, &v->erows, &v->dx, slice(v, &v->s_arena, G(v, v->embed), row * r0, row * nr)};
            disp(v, OP_EMBED_BWD, be, &pe, cdiv((uint32_t)D, 64), (uint32_t)n_uniq, 1);
        }
    }
}

/* The distinct tokens of the batch and the rows holding each (for the embedding's scatter-add). */
static int embed_lists(VkTrain *v, const TmBatch *b) {
    int *u = v->eu.map, *off = v->eoff.map, *rows = v->erows.map, nu = 0, k = 0;
    int *seen = calloc((size_t)b->n, sizeof *seen);
    if (!seen) abort();
    for (int t = 0; t < b->n; t++) {
        if (seen[t]) continue;
        u[nu] = b->tokens[t], off[nu] = k;
        for (int s = t; s < b->n; s++)
            if (!seen[s] && b->tokens[s] == b->tokens[t]) seen[s] = 1, rows[k++] = s;
        nu++;
    }
    off[nu] = k;
    free(seen);
    return nu;
}

/* bounds[t]: the first row with t's segment id; bounds[n + t]: the last. */
static void seg_bounds(const int *seg, int n, int *bounds) {
    for (int t = 0; t < n; t++) { /* a run continues its first row; a new run searches (once per sample) */
        int lo = t;
        if (t > 0 && seg[t - 1] == seg[t]) lo = bounds[t - 1];
        else
            for (int s = 0; s < t; s++)
                if (seg[s] == seg[t]) { lo = s; break; }
        bounds[t] = lo;
    }
    for (int t = n - 1; t >= 0; t--) {
        int hi = t;
        if (t < n - 1 && seg[t + 1] == seg[t]) hi = bounds[n + t + 1];
        else
            for (int s = n - 1; s > t; s--)
                if (seg[s] == seg[t]) { hi = s; break; }
        bounds[n + t] = hi;
    }
}

int vkt_step(VkTrain *v, const TmBatch *b, int grad, double *loss, float *logp, Err *err) {
    int rc = tm_batch_check(&v->c, b, err);
    if (rc) return rc;
    if (b->n > v->N) return err_set(err, IM_USAGE, "a batch of %d tokens is over the %d the model was created for (max_tokens)", b->n, v->N);
    for (int t = 0; t < b->n; t++)
        if (b->pos[t] >= v->N) return err_set(err, IM_USAGE, "batch row %d: position %d past max_tokens %d", t, b->pos[t], v->N);
    if (grad && (!b->targets || !b->weights)) return err_set(err, IM_USAGE, "backward: the batch has no targets or weights");
    if (!v->tok.map) return err_set(err, IM_IO, "Vulkan training: the device's memory is not host-visible (staging is not implemented for training inputs)");
    int n = b->n;
    memcpy(v->tok.map, b->tokens, sizeof(int) * (size_t)n), memcpy(v->pos.map, b->pos, sizeof(int) * (size_t)n);
    memcpy(v->seg.map, b->seg, sizeof(int) * (size_t)n);
    int *bounds = malloc(sizeof(int) * 2 * (size_t)n); /* built in host memory: seg_bounds reads what it wrote, and a GPU's mapped memory is slow to read */
    if (!bounds) return err_set(err, IM_IO, "out of memory");
    seg_bounds(b->seg, n, bounds);
    memcpy(v->bounds.map, bounds, sizeof(int) * 2 * (size_t)n), free(bounds);
    int *tg = v->tgt.map;
    float *w = v->wts.map;
    for (int t = 0; t < n; t++) tg[t] = b->targets ? b->targets[t] : -1, w[t] = b->weights ? b->weights[t] : 0.0f;
    int nu = grad ? embed_lists(v, b) : 0;
    rc = begin(v, err);
    if (rc) return rc;
    rec_forward(v, n, grad);
    if (grad) rec_backward(v, n, nu);
    rc = finish(v);
    if (rc) return rc;
    v->prof_steps += v->qp != VK_NULL_HANDLE; /* a training step: this submit, and the zeroing, norm and AdamW around it */
    v->n_act = n;
    const float *o = v->xout.map;
    double s = 0;
    for (int t = 0; t < n; t++) {
        s += o[2 * t];
        if (logp) logp[t] = o[2 * t + 1];
    }
    if (loss) *loss = s;
    return IM_OK;
}

int vkt_logits(VkTrain *v, float *dst, Err *err) {
    if (!v->n_act) return err_set(err, IM_USAGE, "logits: no forward has run");
    return vk_buf_download(v->ctx, &v->logits, 0, dst, sizeof(float) * (size_t)v->n_act * v->c.vocab, err);
}

/* ---- host access, norm, AdamW ---- */

static VkBuf *what_buf(VkTrain *v, int i, TmWhat what, Err *err) {
    if (i < 0 || i >= v->nt) return err_set(err, IM_USAGE, "tensor index %d outside 0..%d", i, v->nt - 1), NULL;
    VtTensor *t = &v->t[i];
    if (what == TM_PARAM) return &t->param;
    if (!t->t.trainable) return err_set(err, IM_USAGE, "tensor %s is not trainable: it has no gradient, master weights or moments", t->t.name), NULL;
    return what == TM_GRAD ? &t->grad : what == TM_MASTER ? &t->master : what == TM_ADAM_M ? &t->m : &t->v;
}

int vkt_get(VkTrain *v, int i, TmWhat what, float *dst, Err *err) {
    VkBuf *b = what_buf(v, i, what, err);
    return b ? vk_buf_download(v->ctx, b, 0, dst, sizeof(float) * v->t[i].t.n, err) : err->code;
}

int vkt_set(VkTrain *v, int i, TmWhat what, const float *src, Err *err) {
    VkBuf *b = what_buf(v, i, what, err);
    if (!b) return err->code;
    VtTensor *t = &v->t[i];
    size_t n = t->t.n;
    if (what == TM_PARAM || what == TM_MASTER) {
        int rc = upload_param(v, i, src, err);
        if (!rc && t->t.trainable) rc = vk_buf_upload(v->ctx, &t->master, 0, src, sizeof(float) * n, err);
        return rc;
    }
    if (what == TM_GRAD) t->grad_zeroed = 0; /* the next product adds to what was set */
    return vk_buf_upload(v->ctx, b, 0, src, sizeof(float) * n, err);
}

/* Zeroes the gradients, with what >= 1 also the AdamW moments, with 2 also
 * the master weights. */
static int zero_state(VkTrain *v, int what, Err *err) {
    if (!v->region) return IM_OK;
    int rc = begin(v, err);
    if (rc) return rc;
    for (int i = 0; i < v->nt; i++) v->t[i].grad_zeroed = 1;
    for (int w = 0; w < v->nwin; w++) {
        fill0(v, &v->win[0][w]);
        if (what >= 1) fill0(v, &v->win[2][w]), fill0(v, &v->win[3][w]);
        if (what >= 2) fill0(v, &v->win[1][w]);
    }
    return finish(v);
}

int vkt_zero_grads(VkTrain *v, Err *err) { return zero_state(v, 0, err); }

/* Every window's partial sums of squares in one submit (one per window
 * took 39 submits a full step at the 0.6B shape, each a wait for the GPU). */
int vkt_grad_norm(VkTrain *v, double *norm, Err *err) {
    double s = 0;
    *norm = 0;
    if (!v->nwin) return IM_OK;
    int rc = begin(v, err);
    if (rc) return rc;
    for (int w = 0; w < v->nwin; w++) {
        PushElem p = {(uint32_t)v->win_n[w], 0, 0};
        VkBuf *bs[2] = {&v->win[0][w], &v->partial[w]};
        disp(v, OP_SUMSQ, bs, &p, (uint32_t)sumsq_groups(v, w), 1, 1);
    }
    rc = finish(v);
    for (int w = 0; !rc && w < v->nwin; w++) {
        const float *pp = v->partial[w].map;
        for (size_t g = 0; g < sumsq_groups(v, w); g++) s += pp[g];
    }
    *norm = sqrt(s);
    return rc;
}

int vkt_adamw(VkTrain *v, const OprAdamW *h, int step, float grad_scale, Err *err) {
    if (step < 1) return err_set(err, IM_USAGE, "AdamW step %d: steps count from 1", step);
    if (!v->region) return IM_OK;
    int rc = begin(v, err);
    if (rc) return rc;
    PushAdamw p = {0, h->lr, h->beta1, h->beta2, h->eps, 1.0f - h->lr * h->weight_decay, (float)(1.0 / (1.0 - pow(h->beta1, step))),
                   (float)(1.0 / sqrt(1.0 - pow(h->beta2, step))), grad_scale};
    for (int w = 0; w < v->nwin; w++) {
        p.n = (uint32_t)v->win_n[w];
        VkBuf *bs[4] = {&v->win[1][w], &v->win[2][w], &v->win[3][w], &v->win[0][w]};
        disp(v, OP_ADAMW, bs, &p, cdiv(p.n / 4, 64), 1, 1);
    }
    size_t per = (size_t)slice_rows(v, sizeof(float), 64);
    for (int r = 0; r < v->ncasts; r++) {
        CastRun *k = &v->casts[r];
        if (!k->big) {
            PushElem pc = {(uint32_t)k->n, 0, 0};
            VkBuf *bs[2] = {&k->src, &k->dst};
            disp(v, k->op, bs, &pc, ops_groups(k->op, &pc, 64), 1, 1);
            continue;
        }
        VtTensor *t = &v->t[k->first];
        for (size_t e0 = 0; e0 < t->t.n; e0 += per) {
            size_t ne = t->t.n - e0 < per ? t->t.n - e0 : per;
            PushElem pc = {(uint32_t)ne, 0, 0};
            VkBuf *bs[2] = {slice(v, &v->s_arena, &t->master, 4 * e0, 4 * ne), slice(v, &v->w_arena, &t->param, 4 * e0, 4 * ne)};
            disp(v, k->op, bs, &pc, ops_groups(k->op, &pc, 64), 1, 1);
        }
    }
    return finish(v);
}

/* ---- profiling ---- */

int vkt_profile(VkTrain *v, int on, Err *err) {
    if (!on) {
        vk_timer_destroy(v->ctx, v->qp);
        v->qp = VK_NULL_HANDLE;
        return IM_OK;
    }
    memset(v->prof_ns, 0, sizeof v->prof_ns), memset(v->prof_calls, 0, sizeof v->prof_calls), v->prof_steps = 0;
    return v->qp ? IM_OK : vk_timer_create(v->ctx, 4096, &v->qp, err);
}

void vkt_profile_report(VkTrain *v, Buf *out) {
    double tot = 0;
    for (int i = 0; i <= OP_COUNT; i++) tot += v->prof_ns[i];
    if (!v->prof_steps || tot <= 0) return;
    long calls = 0;
    for (int i = 0; i <= OP_COUNT; i++) calls += v->prof_calls[i];
    buf_printf(out, "  GPU time per step by kernel (%ld steps, %.2f ms/step in kernels, %ld dispatches, copies and fills per step):\n", v->prof_steps,
               tot / 1e6 / (double)v->prof_steps, calls / v->prof_steps);
    for (int i = 0; i <= OP_COUNT; i++) {
        if (v->prof_ns[i] <= 0) continue;
        char name[96];
        if (i == OP_COUNT) snprintf(name, sizeof name, "copies and fills");
        else snprintf(name, sizeof name, "%s %s (%s)", OP_TABLE[i].op, OP_TABLE[i].role, v->pipe[i] ? v->pipe[i]->name : OP_TABLE[i].kernel); /* the variant that ran */
        buf_printf(out, "    %-58s %9.3f ms  %5.1f%%  %4ld calls\n", name, v->prof_ns[i] / 1e6 / (double)v->prof_steps, 100 * v->prof_ns[i] / tot,
                   v->prof_calls[i] / v->prof_steps);
    }
    memset(v->prof_ns, 0, sizeof v->prof_ns), memset(v->prof_calls, 0, sizeof v->prof_calls), v->prof_steps = 0;
}
