#version 450
// gemm.comp: C[M][N] = alpha * sum_k A(m, k) B(k, n)  (+ C when p.acc != 0),
// the matrix products of training (the general path: gemmx.comp takes
// shapes that are multiples of 4). A is F32: [M][K], or [K][M] in the TA
// variants. B is F32, [N][K] (BNK: a weight in the Hugging Face [out][in]
// layout) or [K][N]. 32x32 tiles of C per workgroup of 8x8 invocations,
// 4x4 each, K in steps of 16 through shared memory. Reads a_off, lda,
// b_off, c_off and ldc as gemmx.comp does (LoRA's rank-r products whose r is
// not a multiple of 4, over a projection's columns of train_vk.c's rows).
//   forward  Y = X . W^T      gemm_nt_DT   (A [n][k], B = W [m][k])
//   dX      dX += dY . W      gemm_nn_DT   (A = dY [n][m], B = W [m][k])
//   dW      dW += dY^T . X    gemm_tn_f32  (A = dY stored [n][m], B = X [n][k])
#include "push.h"
layout(local_size_x = 8, local_size_y = 8) in;
layout(std430, binding = 0) readonly buffer Ab { float A[]; };
layout(std430, binding = 1) readonly buffer Bb { float B[]; };
layout(std430, binding = 2) buffer Cb { float C[]; };
layout(push_constant) uniform PC { PushGemm p; };

shared float As[16][33];
shared float Bs[16][33];

/* A from texel a_off on with rows lda floats apart (0: M in TA, else K),
   B from texel b_off on (rows ldb floats apart when [K][N]), C as c_off and
   ldc say (push.h) */
float a_at(uint m, uint k) {
#ifdef TA
    return A[4u * p.a_off + k * (p.lda != 0u ? p.lda : p.M) + m];
#else
    return A[4u * p.a_off + m * (p.lda != 0u ? p.lda : p.K) + k];
#endif
}
float b_at(uint k, uint n) {
#ifdef BNK
    return B[4u * p.b_off + n * p.K + k];
#else
    return B[4u * p.b_off + k * (p.ldb != 0u ? p.ldb : p.N) + n];
#endif
}

void main() {
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y, tid = ty * 8u + tx;
    uint m0 = gl_WorkGroupID.y * 32u, n0 = gl_WorkGroupID.x * 32u;
    float acc[4][4];
    for (uint i = 0u; i < 4u; i++)
        for (uint j = 0u; j < 4u; j++) acc[i][j] = 0.0;
    for (uint k0 = 0u; k0 < p.K; k0 += 16u) {
        for (uint e = tid; e < 512u; e += 64u) {
#ifdef TA
            uint kk = e / 32u, mm = e % 32u;
#else
            uint mm = e / 16u, kk = e % 16u;
#endif
            uint gm = m0 + mm, gk = k0 + kk;
            As[kk][mm] = (gm < p.M && gk < p.K) ? a_at(gm, gk) : 0.0;
#ifdef BNK
            uint nn = e / 16u, kb = e % 16u;
#else
            uint kb = e / 32u, nn = e % 32u;
#endif
            uint gn = n0 + nn, gkb = k0 + kb;
            Bs[kb][nn] = (gn < p.N && gkb < p.K) ? b_at(gkb, gn) : 0.0;
        }
        barrier();
        for (uint kk = 0u; kk < 16u; kk++) {
            float a[4], b[4];
            for (uint i = 0u; i < 4u; i++) a[i] = As[kk][ty + 8u * i];
            for (uint j = 0u; j < 4u; j++) b[j] = Bs[kk][tx + 8u * j];
            for (uint i = 0u; i < 4u; i++)
                for (uint j = 0u; j < 4u; j++) acc[i][j] += a[i] * b[j];
        }
        barrier();
    }
    for (uint i = 0u; i < 4u; i++)
        for (uint j = 0u; j < 4u; j++) {
            uint m = m0 + ty + 8u * i, n = n0 + tx + 8u * j;
            if (m < p.M && n < p.N) {
                float v = p.alpha * acc[i][j];
                uint o = p.c_off + m * (p.ldc != 0u ? p.ldc : p.N) + n;
                C[o] = p.acc != 0u ? C[o] + v : v;
            }
        }
}
