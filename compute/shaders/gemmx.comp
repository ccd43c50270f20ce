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
//   NT  forward  Y = X . W^T   A [M][K], B [N][K]  8 rows x 8 columns of C per invocation
//   NN  dX += dY . W           A [M][K], B [K][N]  8 rows x 8 columns
//   TN  dW += dY^T . X         A [K][M], B [K][N]  16 rows x 8 columns (a row of A's block
//                              is then one 64-byte cache line: the LM head's dLogits)
// (the block sizes are in push.h, which ops_gemmx_grid sizes the grids by:
// measured on lavapipe, 4x4 blocks ran at half the speed of 8x8).
// Requires K % 4 == 0 (NT, NN) and N % 4 == 0 (NN, TN), M % 4 == 0 (TN);
// the caller checks. Rows and columns past M and N fetch clamped texels
// and are not stored. x of the grid walks blocks of rows, y workgroups of
// columns (a lane's block: y * LANES + lane): consecutive workgroups share
// their columns of B, which stays in the CPU's cache (lavapipe runs
// workgroups x first; the 0.6B shape's LM head is 622 MB).
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "push.h"
layout(binding = 0) uniform usamplerBuffer A;
layout(binding = 1) uniform usamplerBuffer B;
layout(std430, binding = 2) buffer Cb { float C[]; };
layout(push_constant) uniform PC { PushGemm p; };

#define COLBLOCK (gl_WorkGroupID.y * gl_WorkGroupSize.x + gl_LocalInvocationID.x)

vec4 ta(int i) { return uintBitsToFloat(texelFetch(A, int(p.a_off) + i)); }
vec4 tb(int i) { return uintBitsToFloat(texelFetch(B, int(p.b_off) + i)); }

void put(uint m, uint n, float v) {
    if (m >= p.M || n >= p.N) return;
    uint o = m * p.N + n;
    float s = p.alpha * v;
    C[o] = p.acc != 0u ? C[o] + s : s;
}

#if defined(NT)
void main() {
    uint j0 = COLBLOCK * GEMMX_NT_COLS, i0 = gl_WorkGroupID.x * GEMMX_NT_ROWS;
    if (i0 >= p.M || j0 >= p.N) return;
    int kq = int(p.K / 4u);
    int ar[GEMMX_NT_ROWS], br[GEMMX_NT_COLS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) ar[r] = int(min(i0 + r, p.M - 1u)) * kq;
    [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) br[c] = int(min(j0 + c, p.N - 1u)) * kq;
    float acc[GEMMX_NT_ROWS][GEMMX_NT_COLS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) acc[r][c] = 0.0;
    for (int k = 0; k < kq; k++) {
        vec4 a[GEMMX_NT_ROWS];
        [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) a[r] = ta(ar[r] + k);
        [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) {
            vec4 b = tb(br[c] + k);
            [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) acc[r][c] += dot(a[r], b);
        }
    }
    [[unroll]] for (uint r = 0u; r < GEMMX_NT_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NT_COLS; c++) put(i0 + r, j0 + c, acc[r][c]);
}
#elif defined(NN)
void main() {
    uint jq0 = COLBLOCK * GEMMX_NN_TEXELS, i0 = gl_WorkGroupID.x * GEMMX_NN_ROWS;
    uint nq = p.N / 4u;
    if (i0 >= p.M || jq0 >= nq) return;
    int kq = int(p.K / 4u), lq = int((p.lda != 0u ? p.lda : p.K) / 4u);
    int ar[GEMMX_NN_ROWS], bc[GEMMX_NN_TEXELS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) ar[r] = int(min(i0 + r, p.M - 1u)) * lq;
    [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) bc[c] = int(min(jq0 + c, nq - 1u));
    vec4 acc[GEMMX_NN_ROWS][GEMMX_NN_TEXELS];
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) acc[r][c] = vec4(0.0);
    for (int k = 0; k < kq; k++) {
        vec4 a[GEMMX_NN_ROWS];
        [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) a[r] = ta(ar[r] + k);
        [[unroll]] for (uint q = 0u; q < 4u; q++) {
            int row = (4 * k + int(q)) * int(nq);
            [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++) {
                vec4 b = tb(row + bc[c]);
                [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++) acc[r][c] += a[r][q] * b;
            }
        }
    }
    [[unroll]] for (uint r = 0u; r < GEMMX_NN_ROWS; r++)
        [[unroll]] for (uint c = 0u; c < GEMMX_NN_TEXELS; c++)
            [[unroll]] for (uint e = 0u; e < 4u; e++) put(i0 + r, 4u * (jq0 + c) + e, acc[r][c][e]);
}
#else /* TN */
void main() {
    uint jq0 = COLBLOCK * GEMMX_TN_TEXELS_N, iq0 = gl_WorkGroupID.x * GEMMX_TN_TEXELS_M;
    uint mq = p.M / 4u, nq = p.N / 4u, lq = (p.lda != 0u ? p.lda : p.M) / 4u;
    if (iq0 >= mq || jq0 >= nq) return;
    int ac[GEMMX_TN_TEXELS_M], bc[GEMMX_TN_TEXELS_N];
    [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) ac[r] = int(min(iq0 + r, mq - 1u));
    [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) bc[c] = int(min(jq0 + c, nq - 1u));
    vec4 acc[GEMMX_TN_TEXELS_M][4][GEMMX_TN_TEXELS_N];
    [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) [[unroll]] for (uint e = 0u; e < 4u; e++) [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) acc[r][e][c] = vec4(0.0);
    for (uint k = 0u; k < p.K; k++) {
        vec4 a[GEMMX_TN_TEXELS_M], b[GEMMX_TN_TEXELS_N];
        [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) a[r] = ta(int(k * lq) + ac[r]);
        [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) b[c] = tb(int(k * nq) + bc[c]);
        [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++) [[unroll]] for (uint e = 0u; e < 4u; e++) [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++) acc[r][e][c] += a[r][e] * b[c];
    }
    [[unroll]] for (uint r = 0u; r < GEMMX_TN_TEXELS_M; r++)
        [[unroll]] for (uint e = 0u; e < 4u; e++)
            [[unroll]] for (uint c = 0u; c < GEMMX_TN_TEXELS_N; c++)
                [[unroll]] for (uint f = 0u; f < 4u; f++) put(4u * (iq0 + r) + e, 4u * (jq0 + c) + f, acc[r][e][c][f]);
}
#endif
