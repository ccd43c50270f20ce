#version 450
// gemmx.comp: the matrix products of training, C[M][N] = alpha * A.B
// (+ C when p.acc != 0), with F32 operands read as uniform texel buffers
// of 16-byte texels (4 floats) and a block of C in each invocation's
// registers: no shared memory and no barriers.
//
// Why: lavapipe (Mesa 22) turns each storage-buffer load into a loop over
// the SIMD lanes with a bounds check per lane, and each barrier() into a
// coroutine switch; a texel fetch is one gather. gemm.comp (32x32 tiles
// through shared memory) stays the general path, for shapes that are not
// multiples of 4 and buffers without a texel view.
//   NT  forward  Y = X . W^T   A [M][K], B [N][K]  32 rows x 8 columns of C per invocation
//   NN  dX += dY . W           A [M][K], B [K][N]  16 rows x 16 columns
//   TN  dW += dY^T . X         A [K][M], B [K][N]  16 rows x 8 columns (a row of A's block
//                              is then one 64-byte cache line: the LM head's dLogits)
// (the block sizes are in push.h, which ops_gemmx_grid sizes the grids by.
// Measured on lavapipe: 4x4 blocks ran at half the speed of 8x8; where lanes
// walk columns, A's texels are the same for every lane and B's differ, and
// a per-lane gather of B (rows of W far apart in NT) is what costs, so
// taller blocks win: NT 32x8 at twice 8x8's speed at Qwen3-0.6B's width,
// 16x8 and 64x8 between; NN 16x16 a quarter faster than 8x8.)
// lda: A's row stride in floats (0: K in NT and NN, M in TN); ldc and
// c_off: C's (0: N, and 0), a projection's columns of train_vk.c's
// interleaved [n][q|k|v] activations.
// Requires K % 4 == 0 (NT, NN) and N % 4 == 0 (NN, TN), M % 4 == 0 (TN);
// the caller checks. Rows and columns past M and N fetch clamped texels
// and are not stored. x of the grid walks blocks of rows, y workgroups of
// columns (a lane's block: y * LANES + lane): consecutive workgroups share
// their columns of B, which stays in the CPU's cache (lavapipe runs
// workgroups x first; the 0.6B shape's LM head is 622 MB). Where C has
// fewer column blocks than LANES (LoRA's rank-8 products: one), lanes walk
// rows instead (GEMMX_ROW_LANES): the other way all lanes but one idled,
// and the main job's LoRA step spent 75 of its 183 ms of forward products
// in its 56 rank-r ones.
// NT takes GEMMX_NT_KU texels of K a loop iteration, all fetched before any
// multiply: lavapipe calls a function for each texel fetch, the call
// clobbers every vector register, and each write of an accumulator inside
// the loop is a blend under the loop's mask plus a spill; with two texels an
// iteration each accumulator is blended, loaded and stored half as often
// (gemmx_nt 7-9 % faster on a 2-layer model of Qwen3-0.6B's width; three
// texels were no better, four slower). Mesa 22's llvmpipe lowers every fma
// to a multiply and an add (lower_ffma32), so two vector ops a
// multiply-add is this kernel's floor.
// SEG2 (gemmx_nt2, gemmx_nn2; NT and NN) adds a second product over its own
// operands, C = alpha A.B + alpha2 A2.B2 (+ C), with A2 [M][k2] and B2
// [N][k2] (NT) or [k2][N] (NN), k2 % 4 == 0, B2 from texel 0, A2 as a2_off
// and lda2 say (push.h): LoRA's
// y = x.W^T + s (x.A^T).B^T and dX = dY.W + (s dY.B).A in one dispatch
// each, where three products took three (lavapipe: 100-130 us a dispatch
// for a rank-8 product on the tiny shape, about its floor).
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "push.h"
layout(binding = 0) uniform usamplerBuffer A;
layout(binding = 1) uniform usamplerBuffer B;
layout(std430, binding = 2) buffer Cb { vec4 C[]; }; /* stored a texel at a time: lavapipe loops over the lanes once per store, whatever its width */
layout(push_constant) uniform PC { PushGemm p; };
#if defined(SEG2)
layout(binding = 3) uniform usamplerBuffer A2;
layout(binding = 4) uniform usamplerBuffer B2;
vec4 ta2(int i) { return uintBitsToFloat(texelFetch(A2, int(p.a2_off) + i)); }
int l2q = int((p.lda2 != 0u ? p.lda2 : p.k2) / 4u); /* A2's row stride in texels */
vec4 tb2(int i) { return uintBitsToFloat(texelFetch(B2, i)); }
#endif

/* This invocation's block of rows and of columns (GEMMX_ROW_LANES, push.h). */
void blocks(uint colblocks, out uint rb, out uint cb) {
    uint lane = gl_LocalInvocationID.x, w = gl_WorkGroupSize.x;
    if (GEMMX_ROW_LANES(colblocks, w)) rb = gl_WorkGroupID.x * w + lane, cb = gl_WorkGroupID.y;
    else rb = gl_WorkGroupID.x, cb = gl_WorkGroupID.y * w + lane;
}

vec4 ta(int i) { return uintBitsToFloat(texelFetch(A, int(p.a_off) + i)); }
vec4 tb(int i) { return uintBitsToFloat(texelFetch(B, int(p.b_off) + i)); }

/* put and put4 store v, already scaled by alpha (+ C when p.acc) */
/* C's row stride in floats, and where it starts (push.h: c_off, ldc) */
uint ldc() { return p.ldc != 0u ? p.ldc : p.N; }

void put(uint m, uint n, float v) { /* a single float: NT with N % 4 != 0 */
    if (m >= p.M || n >= p.N) return;
    uint o = p.c_off + m * ldc() + n;
    float s = v;
    if (p.acc != 0u) s += C[o / 4u][o % 4u];
    C[o / 4u][o % 4u] = s;
}

void put4(uint m, uint nq, vec4 v) { /* columns 4 nq .. 4 nq + 3, N % 4 == 0 */
    if (m >= p.M || 4u * nq >= p.N) return;
    uint o = (p.c_off + m * ldc()) / 4u + nq;
    vec4 s = v;
    if (p.acc != 0u) s += C[o]; /* no load when the product is written, not added */
    C[o] = s;
}

#if defined(NT)
void main() {
    uint rb, cb;
    blocks((p.N + GEMMX_NT_COLS - 1u) / GEMMX_NT_COLS, rb, cb);
    uint j0 = cb * GEMMX_NT_COLS, i0 = rb * GEMMX_NT_ROWS;
    if (i0 >= p.M || j0 >= p.N) return;
    int kq = int(p.K / 4u), lq = int((p.lda != 0u ? p.lda : p.K) / 4u);
    int ar[GEMMX_NT_ROWS], br[GEMMX_NT_COLS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) ar[r] = int(min(i0 + r, p.M - 1u)) * lq;
    [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) br[c] = int(min(j0 + c, p.N - 1u)) * kq;
    float acc[GEMMX_NT_ROWS][GEMMX_NT_COLS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) acc[r][c] = 0.0;
    for (int k = 0; k < kq; k += GEMMX_NT_KU) {
        vec4 a[GEMMX_NT_KU][GEMMX_NT_ROWS], b[GEMMX_NT_KU][GEMMX_NT_COLS];
        [[unroll]] for (int u = 0; u < GEMMX_NT_KU; u++) {
            int ku = min(k + u, kq - 1);
            bvec4 in_k = bvec4(k + u < kq); /* past K (kq odd): B's texels are 0, by a select */
            [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) a[u][r] = ta(ar[r] + ku);
            [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) b[u][c] = mix(vec4(0.0), tb(br[c] + ku), in_k);
        }
        [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++)
            [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) {
                float s = acc[r][c];
                [[unroll]] for (int u = 0; u < GEMMX_NT_KU; u++) s += dot(a[u][r], b[u][c]);
                acc[r][c] = s;
            }
    }
    [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) acc[r][c] *= p.alpha;
#if defined(SEG2)
    int k2q = int(p.k2 / 4u);
    for (int k = 0; k < k2q; k++) { /* A2's texels scaled by alpha2: C's block needs no second set of registers */
        vec4 a[GEMMX_NT_ROWS];
        [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) a[r] = p.alpha2 * ta2(int(min(i0 + r, p.M - 1u)) * l2q + k);
        [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) {
            vec4 b = tb2(int(min(j0 + c, p.N - 1u)) * k2q + k);
            [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) acc[r][c] += dot(a[r], b);
        }
    }
#endif
    if (p.N % 4u == 0u) {
        [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++)
            [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c += 4u)
                put4(i0 + r, (j0 + c) / 4u, vec4(acc[r][c], acc[r][c + 1u], acc[r][c + 2u], acc[r][c + 3u]));
    } else {
        [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) put(i0 + r, j0 + c, acc[r][c]);
    }
}
#elif defined(NN)
void main() {
    uint nq = p.N / 4u, rb, cb;
    blocks((nq + GEMMX_NN_TEXELS - 1u) / GEMMX_NN_TEXELS, rb, cb);
    uint jq0 = cb * GEMMX_NN_TEXELS, i0 = rb * GEMMX_NN_ROWS;
    if (i0 >= p.M || jq0 >= nq) return;
    int kq = int(p.K / 4u), lq = int((p.lda != 0u ? p.lda : p.K) / 4u), lbq = int((p.ldb != 0u ? p.ldb : p.N) / 4u);
    int ar[GEMMX_NN_ROWS], bc[GEMMX_NN_TEXELS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) ar[r] = int(min(i0 + r, p.M - 1u)) * lq;
    [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) bc[c] = int(min(jq0 + c, nq - 1u));
    vec4 acc[GEMMX_NN_ROWS][GEMMX_NN_TEXELS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) acc[r][c] = vec4(0.0);
    for (int k = 0; k < kq; k++) {
        vec4 a[GEMMX_NN_ROWS];
        [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) a[r] = ta(ar[r] + k);
        [[unroll]] for (uint q = 0u; q < 4u; q++) {
            int row = (4 * k + int(q)) * lbq;
            [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) {
                vec4 b = tb(row + bc[c]);
                [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) acc[r][c] += a[r][q] * b;
            }
        }
    }
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) acc[r][c] *= p.alpha;
#if defined(SEG2)
    int k2q = int(p.k2 / 4u);
    for (int k = 0; k < k2q; k++) {
        vec4 a[GEMMX_NN_ROWS];
        [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) a[r] = p.alpha2 * ta2(int(min(i0 + r, p.M - 1u)) * l2q + k);
        [[unroll]] for (uint q = 0u; q < 4u; q++) {
            int row = (4 * k + int(q)) * int(nq);
            [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) {
                vec4 b = tb2(row + bc[c]);
                [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) acc[r][c] += a[r][q] * b;
            }
        }
    }
#endif
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++)
        [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) put4(i0 + r, jq0 + c, acc[r][c]);
}
#else /* TN */
void main() {
    uint mq = p.M / 4u, nq = p.N / 4u, lq = (p.lda != 0u ? p.lda : p.M) / 4u, lbq = (p.ldb != 0u ? p.ldb : p.N) / 4u, rb, cb;
    blocks((nq + GEMMX_TN_TEXELS_N - 1u) / GEMMX_TN_TEXELS_N, rb, cb);
    uint jq0 = cb * GEMMX_TN_TEXELS_N, iq0 = rb * GEMMX_TN_TEXELS_M;
    if (iq0 >= mq || jq0 >= nq) return;
    int ac[GEMMX_TN_TEXELS_M], bc[GEMMX_TN_TEXELS_N];
    [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) ac[r] = int(min(iq0 + r, mq - 1u));
    [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) bc[c] = int(min(jq0 + c, nq - 1u));
    vec4 acc[GEMMX_TN_TEXELS_M][4][GEMMX_TN_TEXELS_N];
    [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) [[unroll]] for (uint e = 0u; e < 4u; e++) [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) acc[r][e][c] = vec4(0.0);
    for (uint k = 0u; k < p.K; k++) {
        vec4 a[GEMMX_TN_TEXELS_M], b[GEMMX_TN_TEXELS_N];
        [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) a[r] = ta(int(k * lq) + ac[r]);
        [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) b[c] = tb(int(k * lbq) + bc[c]);
        [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) [[unroll]] for (uint e = 0u; e < 4u; e++) [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) acc[r][e][c] += a[r][e] * b[c];
    }
    [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++)
        [[unroll]] for (uint e = 0u; e < 4u; e++)
            [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) put4(4u * (iq0 + r) + e, jq0 + c, p.alpha * acc[r][e][c]);
}
#endif
