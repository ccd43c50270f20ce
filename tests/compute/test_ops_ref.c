/* test_ops_ref.c: the reference ops' backward against central finite
 * differences in double precision, and the float ops (the ones the library
 * uses) against the double ones.
 *
 * For each op: random inputs, a random upstream gradient G of the output,
 * L = sum(G * out); the analytic gradient (the op's backward with dout = G)
 * of every input must match (L(x + h) - L(x - h)) / 2h, h = 1e-5, within
 * 1e-7 * max(1, max|grad|) (double: truncation ~h^2, rounding ~1e-16/h).
 * The float instantiation must give the double's outputs and gradients
 * within 2e-5 * max(1, max|ref|) (float rounding through sums of <= 64
 * terms, accumulated in double). F16/BF16 weights must give exactly the
 * float result on the rounded weights. The fast f32 ops of the CPU device
 * (ops_fast.h: attention per packed sample, cross-entropy, SwiGLU, RMSNorm, RoPE table;
 * gemm.h's products, OpenBLAS when built with it) must give the double
 * ones' outputs and gradients within the same 2e-5 * max(1, max|ref|).
 * First mismatches are printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "half.h"
#include "gemm.h"
#include "modelinit.h"
#include "ops_fast.h"
#include "ops_ref.h"

/* the double instantiation of the same bodies */
#define OPR_T double
#define OPR(name) oprd_##name
#include "ops_ref_impl.h"
#undef OPR
#undef OPR_T

static uint64_t rng = 42;
static double *rnd(size_t n, double scale) {
    double *p = malloc(sizeof *p * n);
    for (size_t i = 0; i < n; i++) p[i] = scale * (2.0 * rng_uniform(&rng) - 1.0);
    return p;
}
static double *zeros(size_t n) { return calloc(n, sizeof(double)); }
static float *tof(const double *d, size_t n) {
    float *f = malloc(sizeof *f * n);
    for (size_t i = 0; i < n; i++) f[i] = (float)d[i];
    return f;
}
static double maxabs(const double *a, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fabs(a[i]) > m ? fabs(a[i]) : m;
    return m;
}
static double dot(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* compares got against want within tol * max(1, max|want|); prints the first 5 mismatches */
static void compare(const char *what, const double *want, const double *got, size_t n, double tol) {
    double lim = tol * fmax(1.0, maxabs(want, n)), worst = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(want[i] - got[i]);
        worst = d > worst ? d : worst;
        if (!(d <= lim)) {
            if (bad < 5) fprintf(stderr, "  %s[%zu]: expected %.10g, got %.10g (|diff| %.3g > %.3g)\n", what, i, want[i], got[i], d, lim);
            bad++;
        }
    }
    CHECK_MSG(bad == 0, "%s: %d of %zu elements differ (worst %.3g, limit %.3g)", what, bad, n, worst, lim);
    if (!bad) printf("  %-28s ok  max |diff| %.2e (limit %.2e, n %zu)\n", what, worst, lim, n);
}
static void comparef(const char *what, const double *want, const float *got, size_t n, double tol) {
    double *g = malloc(sizeof *g * n);
    for (size_t i = 0; i < n; i++) g[i] = got[i];
    compare(what, want, g, n, tol);
    free(g);
}

/* L(x) for the current inputs; the FD check perturbs x in place. */
typedef double (*LossFn)(void);
static void fd(const char *what, double *x, size_t n, const double *analytic, LossFn loss) {
    double *num = malloc(sizeof *num * n), h = 1e-5;
    for (size_t i = 0; i < n; i++) {
        double x0 = x[i];
        x[i] = x0 + h;
        double lp = loss();
        x[i] = x0 - h;
        double lm = loss();
        x[i] = x0;
        num[i] = (lp - lm) / (2 * h);
    }
    compare(what, num, analytic, n, 1e-7);
    free(num);
}

/* ---- shapes shared by the ops ---- */
enum { N = 8, D = 12, NQ = 4, NKV = 2, HD = 8, M = 10, V = 16, R = 3 };
static const int SEG[N] = {0, 0, 0, 1, 1, 2, 2, 2};
static const int POS[N] = {0, 1, 2, 0, 1, 0, 1, 2};
static float inv_freq[HD / 2];

/* op state: inputs a..d, output, upstream G */
static double *A_, *B_, *C_, *D_, *G_, *OUT;
static int TOK[N], TGT[N];

static double L_embed(void) {
    oprd_embed_fwd(OUT, A_, TOK, N, D);
    return dot(OUT, G_, N * D);
}
static void t_embed(void) {
    printf("embedding\n");
    for (int t = 0; t < N; t++) TOK[t] = (t * 5) % 7; /* repeats: the scatter must add */
    A_ = rnd(7 * D, 1), G_ = rnd(N * D, 1), OUT = zeros(N * D);
    double *da = zeros(7 * D);
    oprd_embed_bwd(da, G_, TOK, N, D);
    fd("embed d_table", A_, 7 * D, da, L_embed);
    float *fa = tof(A_, 7 * D), *fo = malloc(sizeof(float) * N * D), *fg = tof(G_, N * D), *fda = calloc(7 * D, sizeof(float));
    opr_embed_fwd(fo, fa, TOK, N, D), opr_embed_bwd(fda, fg, TOK, N, D);
    L_embed();
    comparef("embed float fwd", OUT, fo, N * D, 2e-5), comparef("embed float d_table", da, fda, 7 * D, 2e-5);
    free(A_), free(G_), free(OUT), free(da), free(fa), free(fo), free(fg), free(fda);
}

static double rstd_[N * NQ];
static double L_rms(void) {
    oprd_rmsnorm_fwd(OUT, rstd_, A_, B_, N, D, 1e-6);
    return dot(OUT, G_, N * D);
}
static void t_rmsnorm(void) {
    printf("rmsnorm\n");
    A_ = rnd(N * D, 2), B_ = rnd(D, 1), G_ = rnd(N * D, 1), OUT = zeros(N * D);
    L_rms();
    double *dx = zeros(N * D), *dw = zeros(D);
    oprd_rmsnorm_bwd(dx, dw, G_, A_, B_, rstd_, N, D);
    fd("rmsnorm dx", A_, N * D, dx, L_rms);
    fd("rmsnorm dw", B_, D, dw, L_rms);
    float *fx = tof(A_, N * D), *fw = tof(B_, D), *fg = tof(G_, N * D), *fo = malloc(sizeof(float) * N * D), fr[N];
    float *fdx = calloc(N * D, sizeof(float)), *fdw = calloc(D, sizeof(float));
    opr_rmsnorm_fwd(fo, fr, fx, fw, N, D, 1e-6);
    opr_rmsnorm_bwd(fdx, fdw, fg, fx, fw, fr, N, D);
    L_rms();
    comparef("rmsnorm float fwd", OUT, fo, N * D, 2e-5), comparef("rmsnorm float dx", dx, fdx, N * D, 2e-5);
    comparef("rmsnorm float dw", dw, fdw, D, 2e-5);
    memset(fdx, 0, sizeof(float) * N * D), memset(fdw, 0, sizeof(float) * D);
    opf_rmsnorm_fwd(fo, fr, fx, fw, N, D, 1e-6);
    opf_rmsnorm_bwd(fdx, fdw, fg, fx, fw, fr, N, D);
    comparef("rmsnorm fast fwd", OUT, fo, N * D, 2e-5), comparef("rmsnorm fast dx", dx, fdx, N * D, 2e-5);
    comparef("rmsnorm fast dw", dw, fdw, D, 2e-5);
    free(A_), free(B_), free(G_), free(OUT), free(dx), free(dw), free(fx), free(fw), free(fg), free(fo), free(fdx), free(fdw);
}

static double L_rope(void) {
    memcpy(OUT, A_, sizeof(double) * N * NQ * HD);
    oprd_rope_fwd(OUT, POS, inv_freq, N, NQ, HD);
    return dot(OUT, G_, N * NQ * HD);
}
static void t_rope(void) {
    printf("rope\n");
    size_t n = N * NQ * HD;
    A_ = rnd(n, 1), G_ = rnd(n, 1), OUT = zeros(n);
    double *dx = malloc(sizeof(double) * n);
    memcpy(dx, G_, sizeof(double) * n);
    oprd_rope_bwd(dx, POS, inv_freq, N, NQ, HD);
    fd("rope dx", A_, n, dx, L_rope);
    float *fx = tof(A_, n), *fg = tof(G_, n);
    opr_rope_fwd(fx, POS, inv_freq, N, NQ, HD), opr_rope_bwd(fg, POS, inv_freq, N, NQ, HD);
    L_rope();
    comparef("rope float fwd", OUT, fx, n, 2e-5), comparef("rope float dx", dx, fg, n, 2e-5);
    float *cs = malloc(sizeof(float) * N * HD), *fx2 = tof(A_, n), *fg2 = tof(G_, n);
    opf_rope_table(cs, POS, inv_freq, N, HD);
    opf_rope(fx2, cs, N, NQ, HD, 1), opf_rope(fg2, cs, N, NQ, HD, -1);
    comparef("rope fast fwd", OUT, fx2, n, 2e-5), comparef("rope fast dx", dx, fg2, n, 2e-5);
    free(A_), free(G_), free(OUT), free(dx), free(fx), free(fg), free(cs), free(fx2), free(fg2);
}

static double P_[NQ * N * N];
static double L_attn(void) {
    oprd_attn_fwd(OUT, P_, A_, B_, C_, SEG, N, NQ, NKV, HD);
    return dot(OUT, G_, N * NQ * HD);
}
static void t_attn(void) {
    printf("attention (GQA 4/2, packed segments 3+2+3)\n");
    size_t nq = N * NQ * HD, nkv = N * NKV * HD;
    A_ = rnd(nq, 1.5), B_ = rnd(nkv, 1.5), C_ = rnd(nkv, 1), G_ = rnd(nq, 1), OUT = zeros(nq);
    L_attn();
    double *dq = zeros(nq), *dk = zeros(nkv), *dv = zeros(nkv);
    oprd_attn_bwd(dq, dk, dv, G_, P_, A_, B_, C_, SEG, N, NQ, NKV, HD);
    fd("attn dq", A_, nq, dq, L_attn), fd("attn dk", B_, nkv, dk, L_attn), fd("attn dv", C_, nkv, dv, L_attn);
    /* no attention across samples: changing sample 0's keys leaves sample 1's rows alone */
    double *before = malloc(sizeof(double) * nq);
    L_attn();
    memcpy(before, OUT, sizeof(double) * nq);
    B_[0] += 1, C_[0] += 1;
    L_attn();
    int same = 1;
    for (size_t i = 3 * NQ * HD; i < nq; i++) same &= before[i] == OUT[i];
    CHECK_MSG(same, "attention: a key of sample 0 changed the output of a later sample");
    B_[0] -= 1, C_[0] -= 1;
    float *fq = tof(A_, nq), *fk = tof(B_, nkv), *fv = tof(C_, nkv), *fg = tof(G_, nq), *fo = malloc(sizeof(float) * nq);
    float *fp = malloc(sizeof(float) * NQ * N * N), *fdq = calloc(nq, 4), *fdk = calloc(nkv, 4), *fdv = calloc(nkv, 4);
    opr_attn_fwd(fo, fp, fq, fk, fv, SEG, N, NQ, NKV, HD);
    opr_attn_bwd(fdq, fdk, fdv, fg, fp, fq, fk, fv, SEG, N, NQ, NKV, HD);
    L_attn();
    comparef("attn float fwd", OUT, fo, nq, 2e-5), comparef("attn float dq", dq, fdq, nq, 2e-5);
    comparef("attn float dk", dk, fdk, nkv, 2e-5), comparef("attn float dv", dv, fdv, nkv, 2e-5);
    /* per packed sample: runs 0-2, 3-4, 5-7; a sample that comes back is not a run */
    int start[N + 1], back[N] = {0, 0, 1, 1, 0, 2, 2, 2};
    int count = opf_segments(SEG, N, start);
    CHECK_MSG(count == 3 && start[0] == 0 && start[1] == 3 && start[2] == 5 && start[3] == N, "opf_segments: %d runs", count);
    CHECK_MSG(opf_segments(back, N, start) == -1, "opf_segments: sample 0 comes back, yet runs were returned");
    opf_segments(SEG, N, start);
    CHECK(opf_attn_p_size(start, 3, NQ) == (size_t)NQ * (9 + 4 + 9) && opf_attn_scratch_size(start, 3) == 9);
    float *fp2 = malloc(sizeof(float) * opf_attn_p_size(start, 3, NQ)), *scr = malloc(sizeof(float) * 9);
    memset(fo, 0, sizeof(float) * nq), memset(fdq, 0, 4 * nq), memset(fdk, 0, 4 * nkv), memset(fdv, 0, 4 * nkv);
    opf_attn_fwd(fo, fp2, fq, fk, fv, start, 3, NQ, NKV, HD);
    opf_attn_bwd(fdq, fdk, fdv, fg, fp2, fq, fk, fv, start, 3, NQ, NKV, HD, scr);
    comparef("attn fast fwd", OUT, fo, nq, 2e-5), comparef("attn fast dq", dq, fdq, nq, 2e-5);
    comparef("attn fast dk", dk, fdk, nkv, 2e-5), comparef("attn fast dv", dv, fdv, nkv, 2e-5);
    free(fp2), free(scr);
    free(A_), free(B_), free(C_), free(G_), free(OUT), free(dq), free(dk), free(dv), free(before);
    free(fq), free(fk), free(fv), free(fg), free(fo), free(fp), free(fdq), free(fdk), free(fdv);
}

static double L_swiglu(void) {
    oprd_swiglu_fwd(OUT, A_, B_, N * M);
    return dot(OUT, G_, N * M);
}
static void t_swiglu(void) {
    printf("swiglu\n");
    A_ = rnd(N * M, 4), B_ = rnd(N * M, 2), G_ = rnd(N * M, 1), OUT = zeros(N * M);
    double *dg = zeros(N * M), *du = zeros(N * M);
    oprd_swiglu_bwd(dg, du, G_, A_, B_, N * M);
    fd("swiglu dgate", A_, N * M, dg, L_swiglu), fd("swiglu dup", B_, N * M, du, L_swiglu);
    float *fa = tof(A_, N * M), *fb = tof(B_, N * M), *fg = tof(G_, N * M), *fo = malloc(sizeof(float) * N * M);
    float *fdg = calloc(N * M, 4), *fdu = calloc(N * M, 4);
    opr_swiglu_fwd(fo, fa, fb, N * M), opr_swiglu_bwd(fdg, fdu, fg, fa, fb, N * M);
    L_swiglu();
    comparef("swiglu float fwd", OUT, fo, N * M, 2e-5), comparef("swiglu float dgate", dg, fdg, N * M, 2e-5);
    comparef("swiglu float dup", du, fdu, N * M, 2e-5);
    memset(fdg, 0, 4 * N * M), memset(fdu, 0, 4 * N * M);
    opf_swiglu_fwd(fo, fa, fb, N * M), opf_swiglu_bwd(fdg, fdu, fg, fa, fb, N * M);
    comparef("swiglu fast fwd", OUT, fo, N * M, 2e-5), comparef("swiglu fast dgate", dg, fdg, N * M, 2e-5);
    comparef("swiglu fast dup", du, fdu, N * M, 2e-5);
    free(A_), free(B_), free(G_), free(OUT), free(dg), free(du), free(fa), free(fb), free(fg), free(fo), free(fdg), free(fdu);
}

static double L_matmul(void) {
    oprd_matmul_fwd(OUT, A_, B_, N, D, M);
    return dot(OUT, G_, N * M);
}
static void t_matmul(void) {
    printf("matmul\n");
    A_ = rnd(N * D, 1), B_ = rnd(M * D, 1), G_ = rnd(N * M, 1), OUT = zeros(N * M);
    double *dx = zeros(N * D), *dw = zeros(M * D);
    oprd_matmul_bwd(dx, dw, G_, A_, B_, N, D, M);
    fd("matmul dx", A_, N * D, dx, L_matmul), fd("matmul dw", B_, M * D, dw, L_matmul);
    float *fx = tof(A_, N * D), *fw = tof(B_, M * D), *fg = tof(G_, N * M), *fo = malloc(sizeof(float) * N * M);
    float *fdx = calloc(N * D, 4), *fdw = calloc(M * D, 4);
    opr_matmul_fwd(fo, fx, fw, N, D, M), opr_matmul_bwd(fdx, fdw, fg, fx, fw, N, D, M);
    L_matmul();
    comparef("matmul float fwd", OUT, fo, N * M, 2e-5), comparef("matmul float dx", dx, fdx, N * D, 2e-5);
    comparef("matmul float dw", dw, fdw, M * D, 2e-5);
    printf("  (gemm: %s)\n", gemm_backend());
    memset(fdx, 0, 4 * N * D), memset(fdw, 0, 4 * M * D);
    gemm_xwt(fo, fx, fw, N, D, M), gemm_dx(fdx, fg, fw, N, D, M), gemm_dw(fdw, fg, fx, N, D, M);
    comparef("matmul gemm fwd", OUT, fo, N * M, 2e-5), comparef("matmul gemm dx", dx, fdx, N * D, 2e-5);
    comparef("matmul gemm dw", dw, fdw, M * D, 2e-5);
    /* F16 / BF16 weights: the same as float on the rounded weights */
    for (int dt = ST_F16; dt <= ST_BF16; dt++) {
        uint16_t *w16 = malloc(2 * M * D);
        st_pack((StDtype)dt, fw, w16, M * D);
        float *wr = malloc(sizeof(float) * M * D), *o1 = malloc(4 * N * M), *o2 = malloc(4 * N * M);
        float *dx1 = calloc(N * D, 4), *dx2 = calloc(N * D, 4), *dw1 = calloc(M * D, 4), *dw2 = calloc(M * D, 4);
        for (int i = 0; i < M * D; i++) wr[i] = dt == ST_F16 ? half_f16_to_f32(w16[i]) : half_bf16_to_f32(w16[i]);
        opr_matmul_fwd(o1, fx, wr, N, D, M), opr_matmul_fwd_dt(o2, fx, w16, (StDtype)dt, N, D, M);
        opr_matmul_bwd(dx1, dw1, fg, fx, wr, N, D, M), opr_matmul_bwd_dt(dx2, dw2, fg, fx, w16, (StDtype)dt, N, D, M);
        CHECK_MSG(!memcmp(o1, o2, 4 * N * M) && !memcmp(dx1, dx2, 4 * N * D) && !memcmp(dw1, dw2, 4 * M * D),
                  "matmul with %s weights differs from float on the rounded weights", st_dtype_name((StDtype)dt));
        printf("  matmul %-4s weights          ok  (identical to float on the rounded weights)\n", st_dtype_name((StDtype)dt));
        free(w16), free(wr), free(o1), free(o2), free(dx1), free(dx2), free(dw1), free(dw2);
    }
    free(A_), free(B_), free(G_), free(OUT), free(dx), free(dw), free(fx), free(fw), free(fg), free(fo), free(fdx), free(fdw);
}

static double L_xent(void) { return oprd_xent_fwd(NULL, A_, TGT, B_, N, V); }
static void t_xent(void) {
    printf("cross-entropy (masked rows, negative weights)\n");
    for (int t = 0; t < N; t++) TGT[t] = t == 2 || t == 5 ? -1 : (t * 7 + 3) % V;
    A_ = rnd(N * V, 4), B_ = rnd(N, 1);
    double *dl = zeros(N * V);
    oprd_xent_bwd(dl, A_, TGT, B_, N, V);
    fd("xent dlogits", A_, N * V, dl, L_xent);
    double lp[N];
    oprd_xent_fwd(lp, A_, TGT, B_, N, V);
    CHECK(lp[2] == 0 && lp[5] == 0 && lp[0] < 0);
    float *fl = tof(A_, N * V), *fw = tof(B_, N), *fdl = calloc(N * V, 4), flp[N];
    double fl_loss = opr_xent_fwd(flp, fl, TGT, fw, N, V), dl_loss = L_xent();
    opr_xent_bwd(fdl, fl, TGT, fw, N, V);
    CHECK_MSG(fabs(fl_loss - dl_loss) <= 2e-5 * fmax(1, fabs(dl_loss)), "xent float loss %.9g vs double %.9g", fl_loss, dl_loss);
    comparef("xent float logp", lp, flp, N, 2e-5), comparef("xent float dlogits", dl, fdl, N * V, 2e-5);
    float lse[N];
    fl_loss = opf_xent_fwd(flp, lse, fl, TGT, fw, N, V);
    for (int i = 0; i < N * V; i++) fdl[i] = 1e9f; /* the fast backward sets, not adds */
    opf_xent_bwd(fdl, fl, lse, TGT, fw, N, V);
    CHECK_MSG(fabs(fl_loss - dl_loss) <= 2e-5 * fmax(1, fabs(dl_loss)), "xent fast loss %.9g vs double %.9g", fl_loss, dl_loss);
    comparef("xent fast logp", lp, flp, N, 2e-5), comparef("xent fast dlogits", dl, fdl, N * V, 2e-5);
    free(A_), free(B_), free(dl), free(fl), free(fw), free(fdl);
}

static double XA_[N * R];
static double L_lora(void) {
    oprd_lora_fwd(OUT, XA_, A_, B_, C_, D_, 0.75, N, D, M, R);
    return dot(OUT, G_, N * M);
}
static void t_lora(void) {
    printf("LoRA linear (r 3, scale 0.75)\n");
    A_ = rnd(N * D, 1), B_ = rnd(M * D, 1), C_ = rnd(R * D, 1), D_ = rnd(M * R, 1), G_ = rnd(N * M, 1), OUT = zeros(N * M);
    L_lora();
    double *dx = zeros(N * D), *dw = zeros(M * D), *da = zeros(R * D), *db = zeros(M * R), *sc = zeros(N * R);
    oprd_lora_bwd(dx, dw, da, db, sc, G_, A_, XA_, B_, C_, D_, 0.75, N, D, M, R);
    fd("lora dx", A_, N * D, dx, L_lora), fd("lora dw", B_, M * D, dw, L_lora);
    fd("lora dA", C_, R * D, da, L_lora), fd("lora dB", D_, M * R, db, L_lora);
    float *fx = tof(A_, N * D), *fw = tof(B_, M * D), *fa = tof(C_, R * D), *fb = tof(D_, M * R), *fg = tof(G_, N * M);
    float *fo = malloc(4 * N * M), *fxa = malloc(4 * N * R), *fsc = malloc(4 * N * R);
    float *fdx = calloc(N * D, 4), *fda = calloc(R * D, 4), *fdb = calloc(M * R, 4);
    opr_lora_fwd(fo, fxa, fx, fw, fa, fb, 0.75, N, D, M, R);
    opr_lora_bwd(fdx, NULL, fda, fdb, fsc, fg, fx, fxa, fw, fa, fb, 0.75, N, D, M, R);
    L_lora();
    comparef("lora float fwd", OUT, fo, N * M, 2e-5), comparef("lora float dx", dx, fdx, N * D, 2e-5);
    comparef("lora float dA", da, fda, R * D, 2e-5), comparef("lora float dB", db, fdb, M * R, 2e-5);
    free(A_), free(B_), free(C_), free(D_), free(G_), free(OUT), free(dx), free(dw), free(da), free(db), free(sc);
    free(fx), free(fw), free(fa), free(fb), free(fg), free(fo), free(fxa), free(fsc), free(fdx), free(fda), free(fdb);
}

int main(void) {
    for (int i = 0; i < HD / 2; i++) inv_freq[i] = (float)(1.0 / pow(10000.0, 2.0 * i / HD));
    t_embed(), t_rmsnorm(), t_rope(), t_attn(), t_swiglu(), t_matmul(), t_xent(), t_lora();
    printf(check_failures ? "FAILED (%d)\n" : "all ops ok\n", check_failures);
    return check_failures != 0;
}
