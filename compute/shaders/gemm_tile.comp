#version 450
// gemm_tile.comp: gemmx.comp's products (same bindings, push constants,
// shape rules, offsets and SEG2 second product; read its header) for GPUs:
// a workgroup of 256 invocations computes a 128 x 128 tile of C, staging
// 16-deep slices of A and B through shared memory, each invocation an
// 8 x 8 block from two texels of each slice per k. gemmx.comp keeps a
// 32 x 8 block in registers with no shared memory, right for lavapipe; on
// an H200 (NVIDIA's driver) those blocks spill and every lane gathers its
// own rows of B: the 0.6B full step's products ran at about 6 TFLOP/s.
//   NT  A [M][K] (row stride lda), B [N][K]    NN  A [M][K] (row stride lda), B [K][N]
//   TN  A [K][M] (row stride lda), B [K][N]
// The grid is x = tiles of N, y = tiles of M (ops_gemm_tile_grid), and z
// the splits of K when p.kc != 0 (push.h): split z takes depth
// [z kc, (z + 1) kc) and writes its partial tile to C + z M N, written not
// added (the caller passes acc 0 and sums the partials with gemm_sum.comp);
// SEG2's second product goes with split 0.
#extension GL_EXT_control_flow_attributes : require
#include "push.h"
layout(local_size_x = 256) in;
#define BM 128
#define BN 128
#define BK 16
layout(binding = 0) uniform usamplerBuffer A;
layout(binding = 1) uniform usamplerBuffer B;
layout(std430, binding = 2) buffer Cb { vec4 C[]; };
layout(push_constant) uniform PC { PushGemm p; };
#if defined(SEG2)
layout(binding = 3) uniform usamplerBuffer A2;
layout(binding = 4) uniform usamplerBuffer B2;
#endif
// slices of A and B, k-major: AS[k][m / 4][m % 4], BS[k][n / 4][n % 4]
shared vec4 AS[BK][BM / 4];
shared vec4 BS[BK][BN / 4];

vec4 fetch(usamplerBuffer T, int i) { return uintBitsToFloat(texelFetch(T, i)); }

// rows [m0, m0 + BM) x depth [k0, k0 + BK) of a row-major [rows][depth]
// operand (texels along the depth, stride ld texels, from texel off), into S
// transposed; zeros past rows and depth (depth % 4 == 0).
#define LOAD_ROWS_BY_DEPTH(S_, T_, off_, ld_, m0_, rows_, k0_, depth_, scale_)          \
    [[unroll]] for (uint i_ = 0u; i_ < 2u; i_++) {                                      \
        uint idx = gl_LocalInvocationID.x + 256u * i_, m = idx / 4u, kq = idx % 4u;     \
        uint gm = (m0_) + m, gk = (k0_) + 4u * kq;                                      \
        vec4 t = gm < (rows_) && gk < (depth_) ? (scale_) * fetch(T_, int((off_) + gm * (ld_) + gk / 4u)) : vec4(0.0); \
        [[unroll]] for (uint e = 0u; e < 4u; e++) S_[4u * kq + e][m / 4u][m % 4u] = t[e]; \
    }
// depth [k0, k0 + BK) x columns [n0, n0 + W) of a row-major [depth][cols]
// operand (texels along the columns, stride ld texels, from texel off), into
// S as it lies; zeros past depth and columns (cols % 4 == 0).
#define LOAD_DEPTH_BY_COLS(S_, T_, off_, ld_, n0_, cols_, k0_, depth_, scale_)          \
    [[unroll]] for (uint i_ = 0u; i_ < 2u; i_++) {                                      \
        uint idx = gl_LocalInvocationID.x + 256u * i_, k = idx / 32u, nq = idx % 32u;   \
        uint gk = (k0_) + k, gn = (n0_) / 4u + nq;                                      \
        S_[k][nq] = gk < (depth_) && 4u * gn < (cols_) ? (scale_) * fetch(T_, int((off_) + gk * (ld_) + gn)) : vec4(0.0); \
    }

float acc[8][8];

// acc += this invocation's block of AS . BS
void mac(uint tx, uint ty) {
    [[unroll]] for (uint k = 0u; k < BK; k++) {
        vec4 a0 = AS[k][ty], a1 = AS[k][ty + 16u], b0 = BS[k][tx], b1 = BS[k][tx + 16u];
        float a[8] = float[8](a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w);
        float b[8] = float[8](b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w);
        [[unroll]] for (uint i = 0u; i < 8u; i++) [[unroll]] for (uint j = 0u; j < 8u; j++) acc[i][j] += a[i] * b[j];
    }
}

// a product over depth K from A's and B's layouts (NT, NN, TN), into acc
#if defined(NT)
#define STAGE_A(T_, off_, ld_, k0_, K_, s_) LOAD_ROWS_BY_DEPTH(AS, T_, off_, ld_, m0, p.M, k0_, K_, s_)
#define STAGE_B(T_, off_, ld_, k0_, K_) LOAD_ROWS_BY_DEPTH(BS, T_, off_, ld_, n0, p.N, k0_, K_, 1.0)
#elif defined(NN)
#define STAGE_A(T_, off_, ld_, k0_, K_, s_) LOAD_ROWS_BY_DEPTH(AS, T_, off_, ld_, m0, p.M, k0_, K_, s_)
#define STAGE_B(T_, off_, ld_, k0_, K_) LOAD_DEPTH_BY_COLS(BS, T_, off_, ld_, n0, p.N, k0_, K_, 1.0)
#else
#define STAGE_A(T_, off_, ld_, k0_, K_, s_) LOAD_DEPTH_BY_COLS(AS, T_, off_, ld_, m0, p.M, k0_, K_, s_)
#define STAGE_B(T_, off_, ld_, k0_, K_) LOAD_DEPTH_BY_COLS(BS, T_, off_, ld_, n0, p.N, k0_, K_, 1.0)
#endif

uint cbase; /* floats of C before this split's partial (0 without splits) */

void put(uint m, uint n, float v) {
    if (m >= p.M || n >= p.N) return;
    uint o = cbase + p.c_off + m * (p.ldc != 0u ? p.ldc : p.N) + n; /* ldc, c_off: 0 with splits (train_vk.c) */
    C[o / 4u][o % 4u] = v + (p.acc != 0u ? C[o / 4u][o % 4u] : 0.0);
}

void main() {
    uint tx = gl_LocalInvocationID.x % 16u, ty = gl_LocalInvocationID.x / 16u;
    uint n0 = gl_WorkGroupID.x * BN, m0 = gl_WorkGroupID.y * BM;
    [[unroll]] for (uint i = 0u; i < 8u; i++) [[unroll]] for (uint j = 0u; j < 8u; j++) acc[i][j] = 0.0;
#if defined(NT)
    uint lda = (p.lda != 0u ? p.lda : p.K) / 4u, ldb = p.K / 4u;
#elif defined(NN)
    uint lda = (p.lda != 0u ? p.lda : p.K) / 4u, ldb = (p.ldb != 0u ? p.ldb : p.N) / 4u;
#else
    uint lda = (p.lda != 0u ? p.lda : p.M) / 4u, ldb = (p.ldb != 0u ? p.ldb : p.N) / 4u;
#endif
    uint z = gl_WorkGroupID.z, kb = p.kc != 0u ? z * p.kc : 0u, ke = p.kc != 0u ? min(p.K, kb + p.kc) : p.K;
    cbase = p.kc != 0u ? z * p.M * p.N : 0u;
    for (uint k0 = kb; k0 < ke; k0 += BK) {
        STAGE_A(A, p.a_off, lda, k0, ke, 1.0)
        STAGE_B(B, p.b_off, ldb, k0, ke)
        barrier();
        mac(tx, ty);
        barrier();
    }
    [[unroll]] for (uint i = 0u; i < 8u; i++) [[unroll]] for (uint j = 0u; j < 8u; j++) acc[i][j] *= p.alpha;
#if defined(SEG2)
    uint ld2 = (p.lda2 != 0u ? p.lda2 : p.k2) / 4u;
#if defined(NT)
    uint ldb2 = p.k2 / 4u;
#else
    uint ldb2 = p.N / 4u;
#endif
    for (uint k0 = 0u; z == 0u && k0 < p.k2; k0 += BK) { /* A2's values scaled by alpha2 as they are staged */
        STAGE_A(A2, p.a2_off, ld2, k0, p.k2, p.alpha2)
        STAGE_B(B2, 0u, ldb2, k0, p.k2)
        barrier();
        mac(tx, ty);
        barrier();
    }
#endif
    [[unroll]] for (uint i = 0u; i < 8u; i++) {
        uint m = m0 + (i < 4u ? 4u * ty + i : 64u + 4u * ty + i - 4u);
        [[unroll]] for (uint h = 0u; h < 2u; h++) {
            uint nq = n0 / 4u + tx + 16u * h;
            vec4 v = vec4(acc[i][4u * h], acc[i][4u * h + 1u], acc[i][4u * h + 2u], acc[i][4u * h + 3u]);
            if (p.N % 4u == 0u) {
                uint o = (cbase + p.c_off + m * (p.ldc != 0u ? p.ldc : p.N)) / 4u + nq; /* N % 4 == 0: so is cbase; ldc, c_off % 4 == 0 */
                if (m < p.M && 4u * nq < p.N) C[o] = v + (p.acc != 0u ? C[o] : vec4(0.0));
            } else {
                [[unroll]] for (uint e = 0u; e < 4u; e++) put(m, 4u * nq + e, v[e]);
            }
        }
    }
}
