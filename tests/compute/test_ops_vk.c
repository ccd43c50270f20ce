/* test_ops_vk.c: every training kernel of the op table (compute/ops.h) on
 * the device against its C reference (ops_ref.h), forward and backward, in
 * the manner of ggml's test-backend-ops: random inputs, shapes that are not
 * multiples of the tile or subgroup sizes, packed segments, masked rows.
 * Tolerance: max |device - ref| <= 2e-5 * max(1, max |ref|) (fp32 sums in
 * another order; 5e-5 for the attention backward and the gemm with
 * K = 300), exact for the F16/BF16 casts of AdamW. First mismatches are
 * printed; every entry of OP_TABLE must be exercised. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "half.h"
#include "modelinit.h"
#include "ops.h"
#include "ops_ref.h"

static VkCtx *ctx;
static int used[OP_COUNT];
static uint64_t rng = 7;

static float *rnd(size_t n, float scale) {
    float *p = malloc(sizeof *p * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = scale * (2.0f * rng_uniform(&rng) - 1.0f);
    return p;
}

static VkBuf *mk(const void *data, size_t bytes) {
    VkBuf *b = calloc(1, sizeof *b);
    Err err;
    if (vk_buf_create(ctx, bytes, 1, b, &err)) fprintf(stderr, "%s\n", err.msg), exit(3);
    if (data) vk_buf_upload(ctx, b, 0, data, bytes, &err);
    else memset(b->map, 0, bytes);
    return b;
}
static void drop(VkBuf *b) { vk_buf_destroy(ctx, b), free(b); }
static const float *F(VkBuf *b) { return b->map; }

/* Runs op's kernel, or (variant non-NULL) a named variant of it, on a grid of gx x gy x gz. */
static void run_grid(OpId op, const char *variant, VkBuf **bufs, const void *push, uint32_t gx, uint32_t gy, uint32_t gz) {
    Err err = {0};
    VkPipe *p;
    VkDescriptorSet set;
    VkCommandBuffer cb;
    used[op] = 1;
    int rc = variant ? ops_pipe_variant(ctx, op, variant, &p, &err) : ops_pipe(ctx, op, &p, &err);
    if (!rc) rc = vk_set_create(ctx, p, bufs, &set, &err);
    if (!rc) rc = vk_cmd_begin(ctx, &cb, &err);
    if (!rc) {
        vk_cmd_dispatch(cb, p, set, push, OP_TABLE[op].push_bytes, gx, gy, gz);
        vk_cmd_barrier(cb);
        rc = vk_cmd_end(cb, &err);
        if (!rc) rc = vk_submit_wait(ctx, cb, &err);
        vk_cmd_free(ctx, cb);
    }
    CHECK_MSG(rc == 0, "%s: %s", variant ? variant : OP_TABLE[op].kernel, err.msg);
}

static void run_variant(OpId op, const char *variant, VkBuf **bufs, const void *push, uint32_t gx, uint32_t gy) {
    run_grid(op, variant, bufs, push, gx, gy, 1);
}

static void run(OpId op, VkBuf **bufs, const void *push, uint32_t gx, uint32_t gy) { run_variant(op, NULL, bufs, push, gx, gy); }

static VkBuf *mk16(const void *data, size_t bytes);
static void cmp(const char *what, const float *ref, const float *got, size_t n, double tol);

/* 1: the gemmx tests run GPUs' tiled kernels (gemm_tile.comp) instead; 2:
 * those split along K into 3 partials (as train_vk.c's tile_gemm splits
 * skinny products), summed into C by gemm_sum.comp */
static int gemm_tiled;

/* A gemmx product on the grid train_vk.c uses (C is [p->M][p->N]). */
static void gx_run(OpId op, VkBuf **bufs, const PushGemm *p) {
    uint32_t gx, gy;
    if (gemm_tiled == 1) {
        ops_gemm_tile_grid(p->M, p->N, &gx, &gy);
        run_variant(op, ops_gemm_tile_variant(op), bufs, p, gx, gy);
        return;
    }
    if (gemm_tiled == 2) {
        PushGemm q = *p;
        q.acc = 0, q.kc = (p->K + 2) / 3 < 16 ? 16 : ((p->K + 2) / 3 + 15) / 16 * 16;
        uint32_t splits = (p->K + q.kc - 1) / q.kc;
        int two = op == OP_GEMMX_NT2 || op == OP_GEMMX_NN2 || op == OP_GEMMX_NT2_DX; /* the callers' lists hold A2 and B2 only then */
        VkBuf *parts = mk16(NULL, 4 * (size_t)splits * p->M * p->N), *bq[5] = {bufs[0], bufs[1], parts, two ? bufs[3] : NULL, two ? bufs[4] : NULL};
        ops_gemm_tile_grid(p->M, p->N, &gx, &gy);
        run_grid(op, ops_gemm_tile_variant(op), bq, &q, gx, gy, splits);
        PushSplit ps = {p->M * p->N, splits, p->acc};
        VkBuf *bsum[2] = {parts, bufs[2]};
        float *ref = malloc(4 * (size_t)p->M * p->N); /* C as it was, plus the partials */
        memcpy(ref, F(bufs[2]), 4 * (size_t)p->M * p->N);
        opr_split_sum(ref, F(parts), (size_t)p->M * p->N, (int)splits, (int)p->acc);
        run(OP_GEMM_SPLIT_SUM, bsum, &ps, (p->M * p->N + 255) / 256, 1);
        cmp("  gemm_sum of the partials", ref, F(bufs[2]), (size_t)p->M * p->N, 1e-6);
        drop(parts), free(ref);
        return;
    }
    ops_gemmx_grid(op, p->M, p->N, vk_subgroup_size(ctx), &gx, &gy);
    run(op, bufs, p, gx, gy);
}

static void cmp(const char *what, const float *ref, const float *got, size_t n, double tol) {
    double mx = 0, worst = 0;
    for (size_t i = 0; i < n; i++) mx = fmax(mx, fabs(ref[i]));
    double lim = tol * fmax(1.0, mx);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)ref[i] - got[i]);
        worst = fmax(worst, d);
        if (!(d <= lim)) {
            if (bad < 5) fprintf(stderr, "  %s[%zu]: ref %.9g device %.9g (|diff| %.3g > %.3g)\n", what, i, ref[i], got[i], d, lim);
            bad++;
        }
    }
    CHECK_MSG(!bad, "%s: %d of %zu differ (worst %.3g, limit %.3g)", what, bad, n, worst, lim);
    if (!bad) printf("  %-40s ok  max |diff| %.2e (limit %.2e, n %zu)\n", what, worst, lim, n);
}

static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Padded to whole texels (the kernels read their inputs as texels: RMSNorm's rstd,
 * attention's Q, K, V, SEG, LSE, D; SwiGLU's last texel runs past n). */
static VkBuf *mk16(const void *data, size_t bytes) {
    size_t pad = (bytes + 15) / 16 * 16;
    char *tmp = calloc(1, pad);
    if (data) memcpy(tmp, data, bytes);
    VkBuf *b = mk(tmp, pad);
    free(tmp);
    return b;
}


/* ---- gemm.comp: the three products (the general path) ---- */
static void t_gemm(int M, int N, int K) {
    float *x = rnd((size_t)M * K, 1), *w = rnd((size_t)N * K, 1), *dy = rnd((size_t)M * N, 1), *c0 = rnd((size_t)M * N, 1);
    VkBuf *bx = mk(x, 4 * (size_t)M * K), *bw = mk(w, 4 * (size_t)N * K), *by = mk(c0, 4 * (size_t)M * N);
    /* forward, accumulating into C: Y = C + X.W^T */
    PushGemm p = {(uint32_t)M, (uint32_t)N, (uint32_t)K, 1.0f, 1, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    VkBuf *b3[3] = {bx, bw, by};
    run(OP_GEMM_NT_F32, b3, &p, cdiv((uint32_t)N, 32), cdiv((uint32_t)M, 32));
    float *ref = malloc(4 * (size_t)M * N);
    opr_matmul_fwd_dt(ref, x, w, ST_F32, M, K, N);
    for (size_t i = 0; i < (size_t)M * N; i++) ref[i] += c0[i];
    char what[96];
    snprintf(what, sizeof what, "matmul fwd %dx%dx%d", M, N, K);
    cmp(what, ref, F(by), (size_t)M * N, K > 256 ? 5e-5 : 2e-5);
    /* dX = dY . W (alpha 0.5, no accumulation) */
    VkBuf *bdy = mk(dy, 4 * (size_t)M * N), *bdx = mk(NULL, 4 * (size_t)M * K);
    PushGemm pn = {(uint32_t)M, (uint32_t)K, (uint32_t)N, 0.5f, 0, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    VkBuf *bn[3] = {bdy, bw, bdx};
    run(OP_GEMM_NN_F32, bn, &pn, cdiv((uint32_t)K, 32), cdiv((uint32_t)M, 32));
    float *rdx = calloc((size_t)M * K, 4);
    opr_matmul_bwd_dt(rdx, NULL, dy, x, w, ST_F32, M, K, N);
    for (size_t i = 0; i < (size_t)M * K; i++) rdx[i] *= 0.5f;
    cmp("matmul bwd dX", rdx, F(bdx), (size_t)M * K, 2e-5);
    /* dW += dY^T . X */
    float *dw0 = rnd((size_t)N * K, 1);
    VkBuf *bdw = mk(dw0, 4 * (size_t)N * K);
    PushGemm pt = {(uint32_t)N, (uint32_t)K, (uint32_t)M, 1.0f, 1, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    VkBuf *bt[3] = {bdy, bx, bdw};
    run(OP_GEMM_TN_F32, bt, &pt, cdiv((uint32_t)K, 32), cdiv((uint32_t)N, 32));
    opr_matmul_bwd(NULL, dw0, dy, x, NULL, M, K, N);
    cmp("matmul bwd dW (fp32)", dw0, F(bdw), (size_t)N * K, M > 256 ? 5e-5 : 2e-5);
    { /* views, as train_vk.c's LoRA products of a rank that is not a multiple of 4 over a projection's columns take them: the forward
         into columns 4.. of rows N + 8 wide (c_off, ldc; the rest untouched), dW from dY in columns 4.. of such rows (a_off, lda) */
        size_t ld = (size_t)N + 8;
        float *cw = rnd((size_t)M * ld, 1), *want = malloc(4 * (size_t)M * ld), *dyw = rnd((size_t)M * ld, 1), *dwr = calloc((size_t)N * K, 4);
        memcpy(want, cw, 4 * (size_t)M * ld);
        for (size_t i = 0; i < (size_t)M; i++)
            for (size_t j = 0; j < (size_t)N; j++) want[i * ld + 4 + j] += ref[i * N + j] - c0[i * N + j], dyw[i * ld + 4 + j] = dy[i * N + j];
        VkBuf *bcw = mk(cw, 4 * (size_t)M * ld), *bdyw = mk(dyw, 4 * (size_t)M * ld), *bdw2 = mk(NULL, 4 * (size_t)N * K);
        VkBuf *b3w[3] = {bx, bw, bcw}, *btw[3] = {bdyw, bx, bdw2};
        PushGemm pc = {(uint32_t)M, (uint32_t)N, (uint32_t)K, 1.0f, 1, 0, 0, 0, 0, 0.0f, 0, 4, (uint32_t)ld, 0, 0, 0};
        run(OP_GEMM_NT_F32, b3w, &pc, cdiv((uint32_t)N, 32), cdiv((uint32_t)M, 32));
        cmp("matmul fwd into columns 4.. of wider rows (c_off, ldc)", want, F(bcw), (size_t)M * ld, K > 256 ? 5e-5 : 2e-5);
        PushGemm pw = {(uint32_t)N, (uint32_t)K, (uint32_t)M, 1.0f, 0, 1, (uint32_t)ld, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
        run(OP_GEMM_TN_F32, btw, &pw, cdiv((uint32_t)K, 32), cdiv((uint32_t)N, 32));
        opr_matmul_bwd(NULL, dwr, dy, x, NULL, M, K, N);
        cmp("matmul bwd dW from columns 4.. of wider rows (a_off, lda)", dwr, F(bdw2), (size_t)N * K, M > 256 ? 5e-5 : 2e-5);
        /* and X as columns 4.. of rows K + 8 wide (b_off, ldb) */
        size_t ldx = (size_t)K + 8;
        float *xw = rnd((size_t)M * ldx, 1);
        for (size_t i = 0; i < (size_t)M; i++) memcpy(xw + i * ldx + 4, x + i * (size_t)K, 4 * (size_t)K);
        VkBuf *bxw = mk(xw, 4 * (size_t)M * ldx), *btx[3] = {bdyw, bxw, bdw2};
        PushGemm px = pw;
        px.b_off = 1, px.ldb = (uint32_t)ldx;
        run(OP_GEMM_TN_F32, btx, &px, cdiv((uint32_t)K, 32), cdiv((uint32_t)N, 32));
        cmp("matmul bwd dW, X from columns 4.. of wider rows (b_off, ldb)", dwr, F(bdw2), (size_t)N * K, M > 256 ? 5e-5 : 2e-5);
        drop(bxw), free(xw);
        drop(bcw), drop(bdyw), drop(bdw2), free(cw), free(want), free(dyw), free(dwr);
    }
    drop(bx), drop(bw), drop(by), drop(bdy), drop(bdx), drop(bdw), free(x), free(w), free(dy), free(c0), free(dw0), free(ref), free(rdx);
}

/* The texel-fetch products (gemmx.comp): X [M][K], W [N][K], dY [M][N];
 * K and N multiples of 4 (M for dW too), M and N not multiples of the
 * 8x8 blocks (and, t_gemmx(300, 12, 20), fewer rows than one block's columns). Grids as train_vk.c's gemm();
 * C with fewer column blocks than a workgroup has lanes has its lanes walk rows (GEMMX_ROW_LANES). */
static void t_gemmx(int M, int N, int K) {
    float *x = rnd((size_t)M * K, 1), *w = rnd((size_t)N * K, 1), *dy = rnd((size_t)M * N, 1), *c0 = rnd((size_t)M * N, 1), *dw0 = rnd((size_t)N * K, 1);
    VkBuf *bx = mk(x, 4 * (size_t)M * K), *bw = mk(w, 4 * (size_t)N * K), *by = mk(c0, 4 * (size_t)M * N), *bdy = mk(dy, 4 * (size_t)M * N);
    VkBuf *bdx = mk(NULL, 4 * (size_t)M * K), *bdw = mk(dw0, 4 * (size_t)N * K);
    PushGemm p = {(uint32_t)M, (uint32_t)N, (uint32_t)K, 1.0f, 1, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    VkBuf *b3[3] = {bx, bw, by};
    gx_run(OP_GEMMX_NT, b3, &p);
    float *ref = malloc(4 * (size_t)M * N), *rdx = calloc((size_t)M * K, 4);
    opr_matmul_fwd_dt(ref, x, w, ST_F32, M, K, N);
    for (size_t i = 0; i < (size_t)M * N; i++) ref[i] += c0[i];
    char what[96];
    snprintf(what, sizeof what, "gemmx fwd %dx%dx%d", M, N, K);
    cmp(what, ref, F(by), (size_t)M * N, K > 256 ? 5e-5 : 2e-5);
    if (gemm_tiled != 2 && N % 4 == 0) { /* into columns 4 .. 4 + N of rows N + 8 wide, added (c_off, ldc: train_vk.c's projections into the
                                            interleaved q|k|v rows; never split along K); the other columns untouched */
        size_t ld = (size_t)N + 8;
        float *cw = rnd((size_t)M * ld, 1), *want = malloc(4 * (size_t)M * ld);
        memcpy(want, cw, 4 * (size_t)M * ld);
        for (size_t i = 0; i < (size_t)M; i++)
            for (size_t j = 0; j < (size_t)N; j++) want[i * ld + 4 + j] += ref[i * N + j] - c0[i * N + j];
        VkBuf *bcw = mk(cw, 4 * (size_t)M * ld), *b3w[3] = {bx, bw, bcw};
        PushGemm pc = {(uint32_t)M, (uint32_t)N, (uint32_t)K, 1.0f, 1, 0, 0, 0, 0, 0.0f, 0, 4, (uint32_t)ld, 0, 0, 0};
        gx_run(OP_GEMMX_NT, b3w, &pc);
        cmp("gemmx fwd into columns 4.. of wider rows (c_off, ldc)", want, F(bcw), (size_t)M * ld, K > 256 ? 5e-5 : 2e-5);
        drop(bcw), free(cw), free(want);
    }
    PushGemm pn = {(uint32_t)M, (uint32_t)K, (uint32_t)N, 0.5f, 0, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    VkBuf *bn[3] = {bdy, bw, bdx};
    gx_run(OP_GEMMX_NN, bn, &pn);
    opr_matmul_bwd_dt(rdx, NULL, dy, x, w, ST_F32, M, K, N);
    for (size_t i = 0; i < (size_t)M * K; i++) rdx[i] *= 0.5f;
    cmp("gemmx bwd dX", rdx, F(bdx), (size_t)M * K, N > 256 ? 5e-5 : 2e-5);
    PushGemm pt = {(uint32_t)N, (uint32_t)K, (uint32_t)M, 1.0f, 1, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    VkBuf *bt[3] = {bdy, bx, bdw};
    gx_run(OP_GEMMX_TN, bt, &pt);
    opr_matmul_bwd(NULL, dw0, dy, x, NULL, M, K, N);
    cmp("gemmx bwd dW", dw0, F(bdw), (size_t)N * K, M > 256 ? 5e-5 : 2e-5);
    { /* dX and dW as NT over operands transposed on the host (train_vk.c's path on CPU devices, its own table entries) */
        float *wt = malloc(4 * (size_t)N * K), *dyt = malloc(4 * (size_t)M * N), *xt = malloc(4 * (size_t)M * K);
        opr_transpose(wt, w, N, K, K), opr_transpose(dyt, dy, M, N, N), opr_transpose(xt, x, M, K, K);
        VkBuf *bwt = mk(wt, 4 * (size_t)N * K), *bdyt = mk(dyt, 4 * (size_t)M * N), *bxt = mk(xt, 4 * (size_t)M * K);
        VkBuf *bdx2 = mk(NULL, 4 * (size_t)M * K), *bdw2 = mk(NULL, 4 * (size_t)N * K);
        if (N % 4 == 0) {
            PushGemm q = {(uint32_t)M, (uint32_t)K, (uint32_t)N, 0.5f, 0, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
            VkBuf *bq[3] = {bdy, bwt, bdx2};
            gx_run(OP_GEMMX_NT_DX, bq, &q);
            cmp("gemmx bwd dX as NT over W^T", rdx, F(bdx2), (size_t)M * K, N > 256 ? 5e-5 : 2e-5);
        }
        if (M % 4 == 0) {
            float *dw2 = calloc((size_t)N * K, 4);
            opr_matmul_bwd(NULL, dw2, dy, x, NULL, M, K, N);
            PushGemm q = {(uint32_t)N, (uint32_t)K, (uint32_t)M, 1.0f, 0, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
            VkBuf *bq[3] = {bdyt, bxt, bdw2};
            gx_run(OP_GEMMX_NT_DW, bq, &q);
            cmp("gemmx bwd dW as NT over dY^T, X^T", dw2, F(bdw2), (size_t)N * K, M > 256 ? 5e-5 : 2e-5);
            free(dw2);
        }
        drop(bwt), drop(bdyt), drop(bxt), drop(bdx2), drop(bdw2), free(wt), free(dyt), free(xt);
    }
    if (N >= 8 && M >= 2) { /* slices (train_vk.c's LM head over the storage range): A from an offset, with its row stride */
        int r0 = M / 2, n0 = 4, nn = N - 4 < 8 ? N - 4 : 8;
        VkBuf *bys = mk(NULL, 4 * (size_t)(M - r0) * N), *bdws = mk(NULL, 4 * (size_t)nn * K);
        PushGemm ps = {(uint32_t)(M - r0), (uint32_t)N, (uint32_t)K, 1.0f, 0, (uint32_t)(r0 * K / 4), 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
        VkBuf *bs3[3] = {bx, bw, bys};
        gx_run(OP_GEMMX_NT, bs3, &ps);
        float *ys = malloc(4 * (size_t)(M - r0) * N);
        opr_matmul_fwd_dt(ys, x + (size_t)r0 * K, w, ST_F32, M - r0, K, N);
        cmp("gemmx fwd, A from row M/2 (a_off)", ys, F(bys), (size_t)(M - r0) * N, K > 256 ? 5e-5 : 2e-5);
        free(ys);
        float *dw1 = calloc((size_t)N * K, 4);
        opr_matmul_bwd(NULL, dw1, dy, x, NULL, M, K, N);
        PushGemm pw = {(uint32_t)nn, (uint32_t)K, (uint32_t)M, 1.0f, 0, (uint32_t)(n0 / 4), (uint32_t)N, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
        VkBuf *bw3[3] = {bdy, bx, bdws};
        gx_run(OP_GEMMX_TN, bw3, &pw);
        cmp("gemmx bwd dW, rows 4.. (a_off, lda)", dw1 + (size_t)n0 * K, F(bdws), (size_t)nn * K, M > 256 ? 5e-5 : 2e-5);
        /* dX over two ranges of the reduced dimension (train_vk.c's K chunks of the LM head): lda, a_off, b_off */
        VkBuf *bdxs = mk(NULL, 4 * (size_t)M * K);
        PushGemm k1 = {(uint32_t)M, (uint32_t)K, 4, 1.0f, 0, 0, (uint32_t)N, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0}, k2 = {(uint32_t)M, (uint32_t)K, (uint32_t)N - 4, 1.0f, 1, 1, (uint32_t)N, (uint32_t)K, 0, 0.0f, 0, 0, 0, 0, 0, 0};
        VkBuf *bk[3] = {bdy, bw, bdxs};
        gx_run(OP_GEMMX_NN, bk, &k1), gx_run(OP_GEMMX_NN, bk, &k2);
        for (size_t i = 0; i < (size_t)M * K; i++) rdx[i] *= 2.0f; /* rdx held 0.5 dY.W */
        cmp("gemmx bwd dX in two K ranges (lda, a_off, b_off)", rdx, F(bdxs), (size_t)M * K, N > 256 ? 5e-5 : 2e-5);
        /* the forward over columns 4.. of X (train_vk.c's LM head dX as NT in ranges of K): a_off, lda */
        if (K > 4) {
            int k1 = K - 4;
            float *xs = malloc(4 * (size_t)M * k1), *w1 = rnd((size_t)N * k1, 1), *y1 = malloc(4 * (size_t)M * N);
            for (int i = 0; i < M; i++) memcpy(xs + (size_t)i * k1, x + (size_t)i * K + 4, 4 * (size_t)k1);
            VkBuf *bw1 = mk(w1, 4 * (size_t)N * k1), *by1 = mk(NULL, 4 * (size_t)M * N), *bl[3] = {bx, bw1, by1};
            PushGemm pl = {(uint32_t)M, (uint32_t)N, (uint32_t)k1, 1.0f, 0, 1, (uint32_t)K, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
            gx_run(OP_GEMMX_NT, bl, &pl);
            opr_matmul_fwd_dt(y1, xs, w1, ST_F32, M, k1, N);
            cmp("gemmx fwd over columns 4.. of A (a_off, lda)", y1, F(by1), (size_t)M * N, K > 256 ? 5e-5 : 2e-5);
            drop(bw1), drop(by1), free(xs), free(w1), free(y1);
        }
        drop(bys), drop(bdws), drop(bdxs), free(dw1);
    }
    drop(bx), drop(bw), drop(by), drop(bdy), drop(bdx), drop(bdw), free(x), free(w), free(dy), free(c0), free(dw0), free(ref), free(rdx);
}

/* The forward alone with N % 4 != 0 (gemmx.comp then stores single floats
 * into its texel-typed C), added to C and written. */
static void t_gemmx_nt_ragged(int M, int N, int K) {
    float *x = rnd((size_t)M * K, 1), *w = rnd((size_t)N * K, 1), *c0 = rnd((size_t)M * N, 1), *ref = malloc(4 * (size_t)M * N);
    VkBuf *bx = mk(x, 4 * (size_t)M * K), *bw = mk(w, 4 * (size_t)N * K), *by = mk16(c0, 4 * (size_t)M * N);
    VkBuf *b3[3] = {bx, bw, by};
    char what[96];
    for (int acc = 1; acc >= 0; acc--) {
        PushGemm p = {(uint32_t)M, (uint32_t)N, (uint32_t)K, 1.0f, (uint32_t)acc, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
        gx_run(OP_GEMMX_NT, b3, &p);
        opr_matmul_fwd_dt(ref, x, w, ST_F32, M, K, N);
        for (size_t i = 0; acc && i < (size_t)M * N; i++) ref[i] += c0[i];
        snprintf(what, sizeof what, "gemmx fwd %dx%dx%d (N %% 4 = %d, %s)", M, N, K, N % 4, acc ? "added" : "written");
        cmp(what, ref, F(by), (size_t)M * N, 2e-5);
    }
    drop(bx), drop(bw), drop(by), free(x), free(w), free(c0), free(ref);
}

/* The two-product kernels (gemmx_nt2, gemmx_nn2: LoRA's path in the dispatch of
 * the base product): Y = C + X.W^T + s U.B^T with U [M][r], B [N][r], and
 * dX = 0.5 dY.W + T.A with T [M][r], A [r][K]; r a multiple of 4. */
static void t_gemmx_seg2(int M, int N, int K, int r) {
    float s = 2.0f;
    float *x = rnd((size_t)M * K, 1), *w = rnd((size_t)N * K, 1), *u = rnd((size_t)M * r, 1), *lb = rnd((size_t)N * r, 1), *c0 = rnd((size_t)M * N, 1);
    float *dy = rnd((size_t)M * N, 1), *t = rnd((size_t)M * r, 1), *la = rnd((size_t)r * K, 1);
    VkBuf *bx = mk(x, 4 * (size_t)M * K), *bw = mk(w, 4 * (size_t)N * K), *bu = mk(u, 4 * (size_t)M * r), *blb = mk(lb, 4 * (size_t)N * r);
    VkBuf *by = mk16(c0, 4 * (size_t)M * N), *bdy = mk(dy, 4 * (size_t)M * N), *bt = mk(t, 4 * (size_t)M * r), *bla = mk(la, 4 * (size_t)r * K);
    VkBuf *bdx = mk(NULL, 4 * (size_t)M * K);
    float *ref = malloc(4 * (size_t)M * N), *ref2 = malloc(4 * (size_t)M * N), *rdx = calloc((size_t)M * K, 4), *rdx2 = calloc((size_t)M * K, 4);
    PushGemm p = {(uint32_t)M, (uint32_t)N, (uint32_t)K, 1.0f, 1, 0, 0, 0, (uint32_t)r, s, 0, 0, 0, 0, 0, 0};
    VkBuf *b5[5] = {bx, bw, by, bu, blb};
    gx_run(OP_GEMMX_NT2, b5, &p);
    opr_matmul_fwd_dt(ref, x, w, ST_F32, M, K, N);
    opr_matmul_fwd_dt(ref2, u, lb, ST_F32, M, r, N);
    for (size_t i = 0; i < (size_t)M * N; i++) ref[i] += c0[i] + s * ref2[i];
    char what[96];
    snprintf(what, sizeof what, "gemmx fwd + s U.B^T %dx%dx%d, r %d", M, N, K, r);
    cmp(what, ref, F(by), (size_t)M * N, 2e-5);
    { /* U as columns r .. 2r of rows 3r wide (a2_off, lda2: a projection's part of its group's x . A^T in train_vk.c), C written */
        size_t w3 = 3 * (size_t)r;
        float *u3 = rnd((size_t)M * w3, 1), *want = malloc(4 * (size_t)M * N);
        for (size_t i = 0; i < (size_t)M; i++) memcpy(u3 + i * w3 + r, u + i * (size_t)r, 4 * (size_t)r);
        for (size_t i = 0; i < (size_t)M * N; i++) want[i] = ref[i] - c0[i];
        VkBuf *bu3 = mk(u3, 4 * (size_t)M * w3), *by3 = mk16(NULL, 4 * (size_t)M * N), *b53[5] = {bx, bw, by3, bu3, blb};
        PushGemm p3 = p;
        p3.acc = 0, p3.a2_off = (uint32_t)r / 4, p3.lda2 = (uint32_t)w3;
        gx_run(OP_GEMMX_NT2, b53, &p3);
        snprintf(what, sizeof what, "gemmx fwd + s U.B^T, U from columns of wider rows (a2_off, lda2), r %d", r);
        cmp(what, want, F(by3), (size_t)M * N, 2e-5);
        drop(bu3), drop(by3), free(u3), free(want);
    }
    if (gemm_tiled != 2 && N % 4 == 0 && M % 4 == 0) { /* dB = dY^T . U with U from columns r .. 2r of rows 3r wide (ldb, b_off), as train_vk.c's LoRA groups */
        size_t w3 = 3 * (size_t)r;
        float *u3 = rnd((size_t)M * w3, 1), *db = calloc((size_t)N * r, 4);
        for (size_t i = 0; i < (size_t)M; i++) memcpy(u3 + i * w3 + r, u + i * (size_t)r, 4 * (size_t)r);
        VkBuf *bu3 = mk(u3, 4 * (size_t)M * w3), *bdb = mk(NULL, 4 * (size_t)N * r), *bb[3] = {bdy, bu3, bdb};
        PushGemm pb = {(uint32_t)N, (uint32_t)r, (uint32_t)M, 1.0f, 0, 0, 0, (uint32_t)r / 4, 0, 0.0f, 0, 0, 0, 0, 0, (uint32_t)w3};
        gx_run(OP_GEMMX_TN, bb, &pb);
        opr_matmul_bwd(NULL, db, dy, u, NULL, M, r, N);
        snprintf(what, sizeof what, "gemmx bwd dW, B from columns of wider rows (b_off, ldb), r %d", r);
        cmp(what, db, F(bdb), (size_t)N * r, 2e-5);
        drop(bu3), drop(bdb), free(u3), free(db);
    }
    if (N % 4 == 0) { /* NN reduces over N */
        PushGemm pn = {(uint32_t)M, (uint32_t)K, (uint32_t)N, 0.5f, 0, 0, 0, 0, (uint32_t)r, 1.0f, 0, 0, 0, 0, 0, 0};
        VkBuf *bn[5] = {bdy, bw, bdx, bt, bla};
        gx_run(OP_GEMMX_NN2, bn, &pn);
        opr_matmul_bwd_dt(rdx, NULL, dy, x, w, ST_F32, M, K, N);
        opr_matmul_bwd_dt(rdx2, NULL, t, NULL, la, ST_F32, M, K, r);
        for (size_t i = 0; i < (size_t)M * K; i++) rdx[i] = 0.5f * rdx[i] + rdx2[i];
        snprintf(what, sizeof what, "gemmx bwd dX + T.A %dx%dx%d, r %d", M, K, N, r);
        cmp(what, rdx, F(bdx), (size_t)M * K, 2e-5);
        /* the same as NT over W^T and A^T (train_vk.c's path on CPU devices) */
        float *wt = malloc(4 * (size_t)N * K), *lat = malloc(4 * (size_t)r * K);
        opr_transpose(wt, w, N, K, K), opr_transpose(lat, la, r, K, K);
        VkBuf *bwt = mk(wt, 4 * (size_t)N * K), *blat = mk(lat, 4 * (size_t)r * K), *bdx2 = mk(NULL, 4 * (size_t)M * K);
        VkBuf *bq[5] = {bdy, bwt, bdx2, bt, blat};
        gx_run(OP_GEMMX_NT2_DX, bq, &pn);
        snprintf(what, sizeof what, "gemmx bwd dX + T.A as NT %dx%dx%d, r %d", M, K, N, r);
        cmp(what, rdx, F(bdx2), (size_t)M * K, 2e-5);
        drop(bwt), drop(blat), drop(bdx2), free(wt), free(lat);
    }
    drop(bx), drop(bw), drop(bu), drop(blb), drop(by), drop(bdy), drop(bt), drop(bla), drop(bdx);
    free(x), free(w), free(u), free(lb), free(c0), free(dy), free(t), free(la), free(ref), free(ref2), free(rdx), free(rdx2);
}

/* ---- rmsnorm ---- */
/* d % 4 == 0; the grids are ops_groups()'s, as train_vk.c's; dX added
 * (p.acc 1: the residual stream) and written (p.acc 0: dQ, dK, the final norm). */
/* transpose_t.comp: D[cols][rows] = S[rows][cols] from texel off on, S's
 * rows ld floats apart (train_vk.c's operands of dW and dX as NT); exact. */
static void t_transpose(int rows, int cols, int ld, int off) {
    float *s = rnd((size_t)off * 4 + (size_t)rows * ld, 1), *ref = malloc(4 * (size_t)rows * cols);
    VkBuf *bs = mk(s, 4 * ((size_t)off * 4 + (size_t)rows * ld)), *bd = mk(NULL, 4 * (size_t)rows * cols), *b2[2] = {bs, bd};
    PushTranspose p = {(uint32_t)rows, (uint32_t)cols, (uint32_t)off, ld == cols ? 0u : (uint32_t)ld};
    uint32_t gx, gy;
    ops_transpose_grid(&p, vk_subgroup_size(ctx), &gx, &gy);
    run(OP_TRANSPOSE, b2, &p, gx, gy);
    opr_transpose(ref, s + (size_t)off * 4, rows, cols, ld);
    char what[96];
    snprintf(what, sizeof what, "transpose %dx%d (ld %d, from texel %d)", rows, cols, ld, off);
    cmp(what, ref, F(bd), (size_t)rows * cols, 0);
    drop(bs), drop(bd), free(s), free(ref);
}

static void t_rmsnorm(int n, int d) {
    float *x = rnd((size_t)n * d, 2), *w = rnd((size_t)d, 1), *g = rnd((size_t)n * d, 1), *dx0 = rnd((size_t)n * d, 1), *dw0 = rnd((size_t)d, 1);
    VkBuf *bx = mk(x, 4 * (size_t)n * d), *bw = mk(w, 4 * (size_t)d), *by = mk(NULL, 4 * (size_t)n * d), *br = mk16(NULL, 4 * (size_t)n);
    PushRows p = {(uint32_t)n, (uint32_t)d, 1e-6f, 1, 0};
    uint32_t lanes = vk_subgroup_size(ctx);
    VkBuf *bf[4] = {bx, bw, by, br};
    run(OP_RMSNORM_FWD, bf, &p, ops_groups(OP_RMSNORM_FWD, &p, lanes), 1);
    float *y = malloc(4 * (size_t)n * d), *r = malloc(4 * (size_t)n);
    opr_rmsnorm_fwd(y, r, x, w, n, d, 1e-6);
    cmp("rmsnorm fwd", y, F(by), (size_t)n * d, 2e-5), cmp("rmsnorm fwd rstd", r, F(br), (size_t)n, 2e-5);
    { /* the variant that also copies its input (train_vk.c's residual stream) */
        VkBuf *by2 = mk(NULL, 4 * (size_t)n * d), *bc = mk(NULL, 4 * (size_t)n * d), *bfc[5] = {bx, bw, by2, br, bc};
        run(OP_RMSNORM_FWD_COPY, bfc, &p, ops_groups(OP_RMSNORM_FWD_COPY, &p, lanes), 1);
        cmp("rmsnorm fwd, input copied", y, F(by2), (size_t)n * d, 2e-5), cmp("rmsnorm fwd, the copy", x, F(bc), (size_t)n * d, 0);
        drop(by2), drop(bc);
    }
    VkBuf *bg = mk(g, 4 * (size_t)n * d), *bdx = mk(dx0, 4 * (size_t)n * d), *bdw = mk(dw0, 4 * (size_t)d);
    VkBuf *bb[5] = {bg, bx, bw, br, bdx};
    run(OP_RMSNORM_BWD_DX, bb, &p, ops_groups(OP_RMSNORM_BWD_DX, &p, lanes), 1);
    VkBuf *bbw[4] = {bg, bx, br, bdw};
    run(OP_RMSNORM_BWD_DW, bbw, &p, ops_groups(OP_RMSNORM_BWD_DW, &p, lanes), 1);
    opr_rmsnorm_bwd(dx0, dw0, g, x, w, r, n, d);
    cmp("rmsnorm bwd dX (accumulating)", dx0, F(bdx), (size_t)n * d, 2e-5), cmp("rmsnorm bwd dW (accumulating)", dw0, F(bdw), (size_t)d, 2e-5);
    { /* GPUs' dW: a subgroup per column texel and chunk of 5 rows, partials summed into dW by gemm_sum (train_vk.c's rms_bwd) */
        uint32_t chunks = (uint32_t)(n + 4) / 5;
        float *dw1 = rnd((size_t)d, 1), *dwr = malloc(4 * (size_t)d), *dxs = calloc((size_t)n * d, 4);
        memcpy(dwr, dw1, 4 * (size_t)d);
        VkBuf *bdw1 = mk(dw1, 4 * (size_t)d), *parts = mk16(NULL, 4 * (size_t)chunks * d), *bbs[4] = {bg, bx, br, parts}, *bsum[2] = {parts, bdw1};
        PushRows pc = p;
        pc.chunk = 5;
        run_variant(OP_RMSNORM_BWD_DW, "rmsnorm_t_bwd_dw_sg", bbs, &pc, (uint32_t)d / 4, chunks);
        PushSplit ps = {(uint32_t)d, chunks, 1};
        run(OP_GEMM_SPLIT_SUM, bsum, &ps, ((uint32_t)d + 255) / 256, 1);
        opr_rmsnorm_bwd(dxs, dwr, g, x, w, r, n, d);
        cmp("rmsnorm bwd dW, a subgroup per column and chunk (accumulating)", dwr, F(bdw1), (size_t)d, 2e-5);
        drop(bdw1), drop(parts), free(dw1), free(dwr), free(dxs);
    }
    p.acc = 0; /* written: what the buffer held (the sum above) must not enter */
    float *dxw = calloc((size_t)n * d, 4);
    run(OP_RMSNORM_BWD_DX, bb, &p, ops_groups(OP_RMSNORM_BWD_DX, &p, lanes), 1);
    opr_rmsnorm_bwd(dxw, NULL, g, x, w, r, n, d);
    cmp("rmsnorm bwd dX (written)", dxw, F(bdx), (size_t)n * d, 2e-5);
    free(dxw);
    drop(bx), drop(bw), drop(by), drop(br), drop(bg), drop(bdx), drop(bdw);
    free(x), free(w), free(g), free(dx0), free(dw0), free(y), free(r);
}

/* ---- q/k norm + RoPE (qkpost_t.comp) ---- */
/* Against the references it replaces in train_vk.c: opr_rmsnorm_* over the
 * q and k heads' rows (norm: Qwen3; without: Llama), then opr_rope_*, v
 * copied out of / into the interleaved [n][q | k | v] rows. */
static void t_qkpost(int N, int NQ, int NKV, int HD, int norm) {
    enum { MAXPOS = 10 };
    int W = (NQ + 2 * NKV) * HD, half = HD / 2, *pos = malloc(sizeof(int) * (size_t)N);
    size_t qn = (size_t)N * NQ * HD, kn = (size_t)N * NKV * HD;
    float *inv = malloc(4 * (size_t)half), *cs = malloc(8 * (size_t)MAXPOS * half);
    for (int t = 0; t < N; t++) pos[t] = t * 7 % MAXPOS;
    for (int i = 0; i < half; i++) inv[i] = (float)(1.0 / pow(10000.0, 2.0 * i / HD));
    for (int p = 0; p < MAXPOS; p++)
        for (int i = 0; i < half; i++) cs[2 * (p * half + i)] = (float)cos((double)p * inv[i]), cs[2 * (p * half + i) + 1] = (float)sin((double)p * inv[i]);
    float *qkv = rnd((size_t)N * W, 2), *wq = rnd((size_t)HD, 1), *wk = rnd((size_t)HD, 1);
    float *q = malloc(4 * qn), *k = malloc(4 * kn), *v = malloc(4 * kn), *qr = malloc(4 * qn), *kr = malloc(4 * kn);
    float *rq = malloc(4 * (size_t)N * NQ), *rk = malloc(4 * (size_t)N * NKV);
    for (int t = 0; t < N; t++) { /* the reference's operands, apart */
        memcpy(q + (size_t)t * NQ * HD, qkv + (size_t)t * W, 4 * (size_t)NQ * HD);
        memcpy(k + (size_t)t * NKV * HD, qkv + (size_t)t * W + NQ * HD, 4 * (size_t)NKV * HD);
        memcpy(v + (size_t)t * NKV * HD, qkv + (size_t)t * W + (NQ + NKV) * HD, 4 * (size_t)NKV * HD);
    }
    memcpy(qr, q, 4 * qn), memcpy(kr, k, 4 * kn);
    if (norm) opr_rmsnorm_fwd(qr, rq, q, wq, N * NQ, HD, 1e-6), opr_rmsnorm_fwd(kr, rk, k, wk, N * NKV, HD, 1e-6);
    opr_rope_fwd(qr, pos, inv, N, NQ, HD), opr_rope_fwd(kr, pos, inv, N, NKV, HD);
    VkBuf *bqkv = mk16(qkv, 4 * (size_t)N * W), *bwq = mk16(wq, 4 * (size_t)HD), *bwk = mk16(wk, 4 * (size_t)HD), *bp = mk16(pos, 4 * (size_t)N);
    VkBuf *bc = mk16(cs, 8 * (size_t)MAXPOS * half), *bqr = mk16(NULL, 4 * qn), *bkr = mk16(NULL, 4 * kn), *bv = mk16(NULL, 4 * kn);
    VkBuf *bxq = mk16(NULL, 4 * qn), *bxk = mk16(NULL, 4 * kn), *brq = mk16(NULL, 4 * (size_t)N * NQ), *brk = mk16(NULL, 4 * (size_t)N * NKV);
    PushQkPost p = {(uint32_t)N, (uint32_t)NQ, (uint32_t)NKV, (uint32_t)HD, (uint32_t)norm, 1e-6f};
    VkBuf *bf[12] = {bqkv, bwq, bwk, bp, bc, bqr, bkr, bv, bxq, bxk, brq, brk};
    run(OP_QKPOST_FWD, bf, &p, ops_groups(OP_QKPOST_FWD, &p, 64), 1);
    char what[128];
    snprintf(what, sizeof what, "q/k %s+ rope fwd (n %d, %d/%d heads, hd %d): ", norm ? "norm " : "", N, NQ, NKV, HD);
    char *tail = what + strlen(what);
    strcpy(tail, "q"), cmp(what, qr, F(bqr), qn, 2e-5), strcpy(tail, "k"), cmp(what, kr, F(bkr), kn, 2e-5);
    strcpy(tail, "v"), cmp(what, v, F(bv), kn, 0);
    if (norm) {
        strcpy(tail, "q before the norm"), cmp(what, q, F(bxq), qn, 0), strcpy(tail, "k before the norm"), cmp(what, k, F(bxk), kn, 0);
        strcpy(tail, "rstd q"), cmp(what, rq, F(brq), (size_t)N * NQ, 2e-5), strcpy(tail, "rstd k"), cmp(what, rk, F(brk), (size_t)N * NKV, 2e-5);
    }
    /* backward: dQR, dKR rotated back in place, then the norm's dX; dV into its columns */
    float *dqr = rnd(qn, 1), *dkr = rnd(kn, 1), *dv = rnd(kn, 1), *dq = calloc(qn, 4), *dk = calloc(kn, 4), *dqkv = malloc(4 * (size_t)N * W);
    VkBuf *bdqr = mk16(dqr, 4 * qn), *bdkr = mk16(dkr, 4 * kn), *bdv = mk16(dv, 4 * kn), *bdqkv = mk16(NULL, 4 * (size_t)N * W);
    VkBuf *bb[12] = {bdqr, bdkr, bdv, bxq, bxk, bwq, bwk, brq, brk, bp, bc, bdqkv};
    run(OP_QKPOST_BWD, bb, &p, ops_groups(OP_QKPOST_BWD, &p, 64), 1);
    opr_rope_bwd(dqr, pos, inv, N, NQ, HD), opr_rope_bwd(dkr, pos, inv, N, NKV, HD);
    if (norm) opr_rmsnorm_bwd(dq, NULL, dqr, q, wq, rq, N * NQ, HD), opr_rmsnorm_bwd(dk, NULL, dkr, k, wk, rk, N * NKV, HD);
    else memcpy(dq, dqr, 4 * qn), memcpy(dk, dkr, 4 * kn);
    for (int t = 0; t < N; t++) {
        memcpy(dqkv + (size_t)t * W, dq + (size_t)t * NQ * HD, 4 * (size_t)NQ * HD);
        memcpy(dqkv + (size_t)t * W + NQ * HD, dk + (size_t)t * NKV * HD, 4 * (size_t)NKV * HD);
        memcpy(dqkv + (size_t)t * W + (NQ + NKV) * HD, dv + (size_t)t * NKV * HD, 4 * (size_t)NKV * HD);
    }
    strcpy(tail - 4, "bwd: dQKV"), cmp(what, dqkv, F(bdqkv), (size_t)N * W, 2e-5);
    if (norm) strcpy(tail - 4, "bwd: dQR rotated back"), cmp(what, dqr, F(bdqr), qn, 2e-5), strcpy(tail - 4, "bwd: dKR rotated back"), cmp(what, dkr, F(bdkr), kn, 2e-5);
    VkBuf *all[] = {bqkv, bwq, bwk, bp, bc, bqr, bkr, bv, bxq, bxk, brq, brk, bdqr, bdkr, bdv, bdqkv};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) drop(all[i]);
    float *fs[] = {inv, cs, qkv, wq, wk, q, k, v, qr, kr, rq, rk, dqr, dkr, dv, dq, dk, dqkv};
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++) free(fs[i]);
    free(pos);
}

/* ---- attention ---- */
/* The segment bounds attn_t.comp reads: first and last row of each row's id. */
static void seg_bounds(const int *seg, int n, int *b) {
    for (int t = 0; t < n; t++) {
        b[t] = b[n + t] = t;
        for (int s = 0; s < n; s++)
            if (seg[s] == seg[t]) b[t] = s < b[t] ? s : b[t], b[n + t] = s > b[n + t] ? s : b[n + t];
    }
}

/* Attention with GQA over packed segments; ids 2 rows, then 1, then 2 again
 * (a sample id that comes back after another attends to its earlier rows). */
/* hd_variant: 0 the generic kernel; 1 attn_t.comp's variant with head_dim
 * fixed (attn_t_*_hdN); 2 attn_sg.comp's (head_dim / 16 lanes a row, GPUs'). */
static void t_attn_case(const int *seg, int N, int NQ, int NKV, int HD, int hd_variant) {
    char vf[64], vq[64], vkv[64];
    const char *src = hd_variant == 2 ? "sg" : "t";
    snprintf(vf, sizeof vf, "attn_%s_fwd_hd%d", src, HD), snprintf(vq, sizeof vq, "attn_%s_bwd_q_hd%d", src, HD);
    snprintf(vkv, sizeof vkv, "attn_%s_bwd_kv_hd%d", src, HD);
    size_t qn = (size_t)N * NQ * HD, kn = (size_t)N * NKV * HD, pn = (size_t)NQ * N * N;
    float *q = rnd(qn, 1.5f), *k = rnd(kn, 1.5f), *v = rnd(kn, 1), *g = rnd(qn, 1);
    int *bounds = malloc(sizeof(int) * 2 * (size_t)N);
    seg_bounds(seg, N, bounds);
    VkBuf *bq = mk16(q, 4 * qn), *bk = mk16(k, 4 * kn), *bv = mk16(v, 4 * kn), *bs = mk16(seg, 4 * (size_t)N), *bb = mk16(bounds, 8 * (size_t)N);
    VkBuf *bo = mk16(NULL, 4 * qn), *bl = mk16(NULL, 4 * (size_t)NQ * N), *bd = mk16(NULL, 4 * (size_t)NQ * N);
    PushAttn p = {(uint32_t)N, (uint32_t)NQ, (uint32_t)NKV, (uint32_t)HD, 1.0f / sqrtf((float)HD)};
    uint32_t rows = cdiv((uint32_t)N, hd_variant == 2 ? vk_subgroup_size(ctx) / ((uint32_t)HD / 16) : vk_subgroup_size(ctx)); /* attn_sg: HD / 16 lanes a row */
    VkBuf *bf[7] = {bq, bk, bv, bs, bb, bo, bl};
    run_variant(OP_ATTN_FWD, hd_variant ? vf : NULL, bf, &p, rows, (uint32_t)NQ);
    float *o = malloc(4 * qn), *pr = malloc(4 * pn);
    opr_attn_fwd(o, pr, q, k, v, seg, N, NQ, NKV, HD);
    char what[96];
    snprintf(what, sizeof what, "attention fwd (n %d, %d/%d heads, hd %d%s)", N, NQ, NKV, HD, hd_variant ? hd_variant == 2 ? ", sg_hdN" : ", _hdN" : "");
    cmp(what, o, F(bo), qn, 2e-5);
    VkBuf *bg = mk16(g, 4 * qn), *bdq = mk16(NULL, 4 * qn), *bdk = mk16(NULL, 4 * kn), *bdv = mk16(NULL, 4 * kn);
    VkBuf *b1[10] = {bg, bq, bk, bv, bs, bo, bb, bl, bdq, bd}, *b2[10] = {bg, bq, bk, bv, bs, bl, bd, bb, bdk, bdv};
    run_variant(OP_ATTN_BWD_Q, hd_variant ? vq : NULL, b1, &p, rows, (uint32_t)NQ);
    run_variant(OP_ATTN_BWD_KV, hd_variant ? vkv : NULL, b2, &p, rows, (uint32_t)NKV);
    float *dq = calloc(qn, 4), *dk = calloc(kn, 4), *dv = calloc(kn, 4);
    opr_attn_bwd(dq, dk, dv, g, pr, q, k, v, seg, N, NQ, NKV, HD);
    cmp("attention bwd dQ", dq, F(bdq), qn, 5e-5), cmp("attention bwd dK", dk, F(bdk), kn, 5e-5), cmp("attention bwd dV", dv, F(bdv), kn, 5e-5);
    drop(bq), drop(bk), drop(bv), drop(bs), drop(bb), drop(bo), drop(bl), drop(bd), drop(bg), drop(bdq), drop(bdk), drop(bdv);
    free(q), free(k), free(v), free(g), free(o), free(pr), free(dq), free(dk), free(dv), free(bounds);
}

static void t_attn(void) {
    int a[21], b[37];
    for (int t = 0; t < 21; t++) a[t] = t < 9 ? 0 : t < 10 ? 1 : 2; /* 9 + 1 + 11 rows */
    for (int t = 0; t < 37; t++) b[t] = t < 2 ? 5 : t < 20 ? 1 : t < 30 ? 5 : 7; /* id 5 comes back after id 1 */
    t_attn_case(a, 21, 4, 2, 12, 0);
    t_attn_case(b, 37, 6, 2, 32, 0);
    for (int hd = 16; hd <= 128; hd *= 2) { /* every variant of variants.cmake */
        t_attn_case(b, 37, 6, 2, hd, 1);
        if ((uint32_t)hd / 16 <= vk_subgroup_size(ctx)) t_attn_case(b, 37, 6, 2, hd, 2);
        else printf("  attention sg_hd%d: not run, a row takes %d lanes and a subgroup has %u (train_vk.c takes attn_t then)\n", hd, hd / 16, vk_subgroup_size(ctx));
    }
}

/* ---- swiglu, cross-entropy, embedding ---- */
/* SwiGLU over GU [rows][2 f] (gate then up, as train_vk.c's one product writes them) */
static void t_swiglu(int rows, int f) {
    size_t n = (size_t)rows * f;
    float *gu = rnd(2 * n, 5), *dh = rnd(n, 1), *g = malloc(4 * n), *u = malloc(4 * n), *h = malloc(4 * n), *dg = calloc(n, 4), *du = calloc(n, 4);
    for (int r = 0; r < rows; r++) memcpy(g + (size_t)r * f, gu + (size_t)r * 2 * f, 4 * (size_t)f), memcpy(u + (size_t)r * f, gu + (size_t)r * 2 * f + f, 4 * (size_t)f);
    VkBuf *bgu = mk16(gu, 8 * n), *bh = mk16(NULL, 4 * n), *bdh = mk16(dh, 4 * n), *bdgu = mk16(NULL, 8 * n);
    PushElem p = {(uint32_t)n, 0, (uint32_t)f};
    VkBuf *bf[2] = {bgu, bh}, *bb[3] = {bdh, bgu, bdgu};
    run(OP_SWIGLU_FWD, bf, &p, ops_groups(OP_SWIGLU_FWD, &p, 64), 1);
    run(OP_SWIGLU_BWD, bb, &p, ops_groups(OP_SWIGLU_BWD, &p, 64), 1);
    opr_swiglu_fwd(h, g, u, n), opr_swiglu_bwd(dg, du, dh, g, u, n);
    float *dgu = malloc(8 * n);
    for (int r = 0; r < rows; r++) memcpy(dgu + (size_t)r * 2 * f, dg + (size_t)r * f, 4 * (size_t)f), memcpy(dgu + (size_t)r * 2 * f + f, du + (size_t)r * f, 4 * (size_t)f);
    char what[80];
    snprintf(what, sizeof what, "swiglu fwd (%d rows of %d)", rows, f), cmp(what, h, F(bh), n, 2e-5);
    snprintf(what, sizeof what, "swiglu bwd dGate, dUp (%d rows of %d)", rows, f), cmp(what, dgu, F(bdgu), 2 * n, 2e-5);
    drop(bgu), drop(bh), drop(bdh), drop(bdgu), free(gu), free(dh), free(g), free(u), free(h), free(dg), free(du), free(dgu);
}

static void t_xent(void) {
    enum { N = 9, V = 203 };
    int tg[N] = {5, -1, 200, 0, 17, -1, 202, 99, 3};
    float w[N] = {0.5f, 0, -0.25f, 1, 0.1f, 0, 2, 0, 0.3f}, *l = rnd(N * V, 6);
    VkBuf *bl = mk(l, 4 * N * V), *bt = mk(tg, sizeof tg), *bw = mk(w, sizeof w), *bo = mk(NULL, 8 * N), *bd = mk(NULL, 4 * N * V);
    PushXent p = {N, V, 0};
    VkBuf *bs[5] = {bl, bt, bw, bo, bd};
    float lp[N], dl[N * V] = {0}, got_lp[N], got_loss[N];
    for (int grad = 0; grad < 2; grad++) {
        run(grad ? OP_XENT_GRAD : OP_XENT_FWD, bs, &p, N, 1);
        double loss = opr_xent_fwd(lp, l, tg, w, N, V), dev = 0;
        for (int t = 0; t < N; t++) got_loss[t] = F(bo)[2 * t], got_lp[t] = F(bo)[2 * t + 1], dev += got_loss[t];
        CHECK_MSG(fabs(loss - dev) <= 2e-5 * fmax(1, fabs(loss)), "cross-entropy loss: ref %.9g device %.9g", loss, dev);
        cmp(grad ? "cross-entropy (grad) logp" : "cross-entropy fwd logp", lp, got_lp, N, 2e-5);
    }
    opr_xent_bwd(dl, l, tg, w, N, V);
    cmp("cross-entropy bwd dLogits (masked rows 0)", dl, F(bd), N * V, 2e-5);
    /* rows 4..8 alone, logits bound from row 4 (row0): the outputs of rows 4..8 only */
    VkBuf *bl4 = mk(l + 4 * V, 4 * 5 * V), *bd4 = mk(NULL, 4 * 5 * V), *bo4 = mk(NULL, 8 * N);
    PushXent p4 = {5, V, 4};
    VkBuf *b4[5] = {bl4, bt, bw, bo4, bd4};
    run(OP_XENT_GRAD, b4, &p4, 5, 1);
    cmp("cross-entropy, rows 4-8 from row0 4: dLogits", dl + 4 * V, F(bd4), 5 * V, 2e-5);
    cmp("cross-entropy, rows 4-8 from row0 4: loss, logp", F(bo) + 8, F(bo4) + 8, 10, 2e-5);
    CHECK_MSG(F(bo4)[0] == 0 && F(bo4)[7] == 0, "cross-entropy with row0 4 wrote rows before it");
    drop(bl4), drop(bd4), drop(bo4);
    drop(bl), drop(bt), drop(bw), drop(bo), drop(bd), free(l);
}

static void t_embed(void) {
    enum { N = 13, D = 40, VOC = 17 };
    int tok[N] = {3, 5, 3, 16, 0, 5, 5, 9, 3, 1, 16, 2, 4};
    float *e = rnd(VOC * D, 1), *g = rnd(N * D, 1), *de0 = rnd(VOC * D, 1), y[N * D];
    VkBuf *bt = mk(tok, sizeof tok), *be = mk(e, 4 * VOC * D), *by = mk(NULL, 4 * N * D);
    PushEmbed pf = {N, D, 0, 0};
    VkBuf *bf[3] = {bt, be, by};
    run(OP_EMBED_FWD_F32, bf, &pf, cdiv(D / 4, 64), N);
    opr_embed_fwd(y, e, tok, N, D);
    cmp("embedding fwd", y, F(by), N * D, 0);
    drop(bt), drop(be), drop(by);
    /* backward: the distinct tokens and their rows, as train_vk.c builds them */
    int u[N], off[N + 1], rows[N], seen[N] = {0}, nu = 0, k = 0;
    for (int t = 0; t < N; t++) {
        if (seen[t]) continue;
        u[nu] = tok[t], off[nu] = k;
        for (int s = t; s < N; s++)
            if (!seen[s] && tok[s] == tok[t]) seen[s] = 1, rows[k++] = s;
        nu++;
    }
    off[nu] = k;
    VkBuf *bu = mk(u, sizeof u), *bo = mk(off, sizeof off), *br = mk(rows, sizeof rows), *bg = mk(g, 4 * N * D), *bd = mk(de0, 4 * VOC * D);
    PushEmbed p = {(uint32_t)nu, D, 0, VOC};
    VkBuf *bs[5] = {bu, bo, br, bg, bd};
    run(OP_EMBED_BWD, bs, &p, cdiv(D, 64), (uint32_t)nu);
    /* the same into a table bound in two slices of rows (train_vk.c's tables over the storage range) */
    float *de1 = malloc(4 * VOC * D);
    memcpy(de1, de0, 4 * VOC * D);
    VkBuf *bd0 = mk(de1, 4 * 7 * D), *bd1 = mk(de1 + 7 * D, 4 * (VOC - 7) * D);
    PushEmbed p0 = {(uint32_t)nu, D, 0, 7}, p1 = {(uint32_t)nu, D, 7, VOC - 7};
    VkBuf *bs0[5] = {bu, bo, br, bg, bd0}, *bs1[5] = {bu, bo, br, bg, bd1};
    run(OP_EMBED_BWD, bs0, &p0, cdiv(D, 64), (uint32_t)nu), run(OP_EMBED_BWD, bs1, &p1, cdiv(D, 64), (uint32_t)nu);
    opr_embed_bwd(de0, g, tok, N, D);
    cmp("embedding bwd scatter-add (repeated ids)", de0, F(bd), VOC * D, 2e-5);
    cmp("embedding bwd, table in 2 slices: rows 0-6", de0, F(bd0), 7 * D, 2e-5);
    cmp("embedding bwd, table in 2 slices: rows 7-16", de0 + 7 * D, F(bd1), (VOC - 7) * D, 2e-5);
    drop(bu), drop(bo), drop(br), drop(bg), drop(bd), drop(bd0), drop(bd1), free(e), free(g), free(de0), free(de1);
}

/* ---- AdamW, casts, norm ---- */
static void t_adamw(void) {
    enum { N = 1001 * 4 }; /* AdamW takes 4 elements per invocation */
    float *ma = rnd(N, 1), *m = rnd(N, 0.01f), *v = rnd(N, 0.01f), *g = rnd(N, 1);
    for (int i = 0; i < N; i++) v[i] = fabsf(v[i]);
    VkBuf *bma = mk(ma, 4 * N), *bm = mk(m, 4 * N), *bv = mk(v, 4 * N), *bg = mk(g, 4 * N);
    OprAdamW h = {.lr = 1e-2f, .beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f};
    int step = 3;
    PushAdamw p = {N, h.lr, h.beta1, h.beta2, h.eps, 1.0f - h.lr * h.weight_decay, (float)(1.0 / (1.0 - pow(h.beta1, step))),
                   (float)(1.0 / sqrt(1.0 - pow(h.beta2, step))), 0.6f};
    VkBuf *bs[4] = {bma, bm, bv, bg};
    run(OP_ADAMW, bs, &p, cdiv(N / 4, 64), 1);
    opr_adamw(ma, m, v, g, N, &h, step, 0.6f, NULL, ST_F32);
    cmp("adamw master", ma, F(bma), N, 1e-6), cmp("adamw m", m, F(bm), N, 1e-6), cmp("adamw v", v, F(bv), N, 1e-6);
    /* casts of the masters: exact */
    static const OpId casts[3] = {OP_CAST_F32, OP_CAST_R16, OP_CAST_RBF16};
    float *big = rnd(N, 70000); /* past F16's range too */
    big[0] = 1e-7f, big[1] = -3e-6f, big[2] = 65504.0f, big[3] = 65520.0f;
    VkBuf *bsrc = mk(big, 4 * N);
    for (int c = 0; c < 6; c++) { /* each cast over whole texels, then over n = N - 3 (a partial last texel) in buffers of n floats */
        StDtype dt = c % 3 == 1 ? ST_F16 : c % 3 == 2 ? ST_BF16 : ST_F32;
        int n = c < 3 ? N : N - 3;
        VkBuf *bsrc_n = c < 3 ? bsrc : mk(big, 4 * (size_t)n), *bdst = mk(NULL, 4 * (size_t)n);
        PushElem pe = {(uint32_t)n, 0, 0};
        VkBuf *b2[2] = {bsrc_n, bdst};
        run(casts[c % 3], b2, &pe, ops_groups(casts[c % 3], &pe, 64), 1);
        float *want = malloc(4 * (size_t)n);
        memcpy(want, big, 4 * (size_t)n);
        opr_round(want, (size_t)n, dt);
        int bad = memcmp(want, bdst->map, 4 * (size_t)n) != 0;
        free(want);
        if (bsrc_n != bsrc) drop(bsrc_n);
        CHECK_MSG(!bad, "%s (n %d): not bit-identical to the host's rounding", OP_TABLE[casts[c % 3]].kernel, n);
        if (!bad) printf("  %-40s ok  bit-identical (n %d)\n", OP_TABLE[casts[c % 3]].kernel, n);
        drop(bdst);
    }
    /* sum of squares: partials per 4096 elements */
    enum { S = 10000 };
    float *x = rnd(S, 1);
    VkBuf *bx = mk(x, 4 * S), *bpart = mk(NULL, 4 * 4);
    PushElem ps = {S, 0, 0};
    VkBuf *b3[2] = {bx, bpart};
    run(OP_SUMSQ, b3, &ps, cdiv(S, 4096), 1);
    float want = (float)opr_sumsq(x, S), got = F(bpart)[0] + F(bpart)[1] + F(bpart)[2];
    cmp("grad-norm sum of squares", &want, &got, 1, 2e-5);
    drop(bma), drop(bm), drop(bv), drop(bg), drop(bsrc), drop(bx), drop(bpart), free(ma), free(m), free(v), free(g), free(big), free(x);
}

/* Subnormals: on a CPU device (lavapipe) the kernels run on threads that
 * flush them (vk.c sets FTZ/DAZ while lavapipe creates its threads, x86),
 * while this thread keeps IEEE arithmetic: 1e-20 x 1e-20 summed over 4 is
 * 4e-40 here and 0 on the device. */
static void t_subnormals(void) {
    volatile float tiny = 1e-20f;
    float here = tiny * tiny * 4.0f, a[16], b[16];
    CHECK_MSG(here > 0.0f, "the host thread flushes subnormals (%g): vk_ctx_create did not restore its MXCSR", (double)here);
#if defined(__x86_64__) || defined(__i386__)
    if (!vk_is_cpu(ctx)) return;
    for (int i = 0; i < 16; i++) a[i] = b[i] = 1e-20f;
    VkBuf *ba = mk16(a, sizeof a), *bb = mk16(b, sizeof b), *bc = mk16(NULL, sizeof a), *bufs[3] = {ba, bb, bc};
    PushGemm p = {4, 4, 4, 1.0f, 0, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0, 0};
    gx_run(OP_GEMMX_NT, bufs, &p);
    int flushed = 1;
    for (int i = 0; i < 16; i++) flushed &= F(bc)[i] == 0.0f;
    CHECK_MSG(flushed, "lavapipe kept a subnormal product (%g): its threads run without FTZ/DAZ", (double)F(bc)[0]);
    if (flushed) printf("  subnormal products flushed on the device (host: %g)\n", (double)here);
    drop(ba), drop(bb), drop(bc);
#endif
}

int main(void) {
    Err err = {0};
    if (vk_ctx_create(NULL, &ctx, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    printf("device: %s, %u lanes a workgroup (one subgroup)\n", vk_device_name(ctx), vk_subgroup_size(ctx));
    /* IMAGINE_VK_LANES claims a subgroup size the device does not run (a driver that
     * reports one width and compiles another): vk.c's probe must find the real one,
     * else every reduction below sums a fraction of its workgroup */
    const char *claimed = getenv("IMAGINE_VK_LANES");
    if (claimed && vk_subgroup_size(ctx) == (uint32_t)atoi(claimed)) return fprintf(stderr, "FAIL: the claimed %s lanes were kept\n", claimed), 1;
    t_subnormals();
    t_gemm(37, 45, 70);
    t_gemm(64, 96, 300);
    t_gemm(1, 5, 3);
    /* gemmx (lavapipe's), then GPUs' tiled products (gemm_tile.comp), then those split along K */
    for (gemm_tiled = 0; gemm_tiled <= 2; gemm_tiled++) {
        if (gemm_tiled) printf(gemm_tiled == 1 ? "GPUs' tiled products (gemm_tile.comp):\n" : "the same, split along K into 3 partials and summed:\n");
        t_gemmx(37, 44, 68);
        t_gemmx(45, 136, 72); /* as many column blocks as lavapipe's 8 lanes, or more: lanes walk columns (GEMMX_ROW_LANES) */
        t_gemmx(300, 12, 20);
        t_gemmx(1, 4, 4);
        t_gemmx(260, 264, 84); /* several 128 x 128 tiles each way, K past whole 16-deep slices */
        t_gemmx_nt_ragged(29, 14, 36);
        t_gemmx_nt_ragged(9, 3, 8);
        t_gemmx_nt_ragged(131, 133, 20);
        t_gemmx_seg2(37, 44, 68, 8);    /* rows and columns past whole blocks */
        t_gemmx_seg2(45, 14, 36, 4);    /* N % 4 != 0: NT stores single floats (no NN) */
        t_gemmx_seg2(300, 136, 20, 16); /* lanes walk columns */
        t_gemmx_seg2(140, 136, 40, 20); /* k2 past one slice */
    }
    gemm_tiled = 0;
    t_transpose(8, 12, 12, 0);
    t_transpose(36, 4 * (TRANSPOSE_BLOCKS + 3), 4 * (TRANSPOSE_BLOCKS + 3), 0); /* past one invocation's blocks */
    t_transpose(100, 20, 28, 3);   /* a row stride and an offset: a slice of a wider operand */
    t_transpose(4 * 8 * 3 + 4, 8, 8, 1); /* rows past whole workgroups */
    t_rmsnorm(7, 100);
    t_rmsnorm(33, 16);
    t_qkpost(11, 4, 2, 16, 1);
    t_qkpost(11, 4, 2, 16, 0);
    t_qkpost(70, 2, 1, 64, 1);
    t_attn();
    t_swiglu(37, 128);
    t_swiglu(3, 12);
    t_swiglu(70000, 4); /* rows past float's exact reciprocal estimate: elem_t.comp corrects the row by one */
    t_xent();
    t_embed();
    t_adamw();
    for (int i = 0; i < OP_COUNT; i++) CHECK_MSG(used[i] || OP_TABLE[i].inference, "op table entry %s (%s) has no device test", OP_TABLE[i].kernel, OP_TABLE[i].op);
    vk_ctx_destroy(ctx);
    printf(check_failures ? "FAILED\n" : "every kernel matches its C reference\n");
    return check_failures != 0;
}
