#version 450
// matmul.comp: Y[b, row0 + m] (+)= sum_k W[m, k] X[b, k] for BN batch rows
// per workgroup. Weights are F32, F16 or BF16 (DT_*); X and Y are F32.
// Variants: BN (1 or 8), ACC (add into Y: the residual add), GLU
// (Y = silu(W.x) * (W2.x): the SwiGLU MLP input), RL (rows per invocation:
// more means fewer X fetches per weight byte but fewer workgroups; batch 1
// takes 4, or 8 for the LM head, batch 8 takes 8, GLU 4; variants.cmake).
//
// Layout (vkmodel.c mat_upload): W is a uniform texel buffer of 16-byte
// texels, rows interleaved in blocks of LANES: texel i of row m is at
// ((m / LANES) * nk + i) * LANES + m % LANES, nk = texels per row. Each
// invocation computes whole rows (RL rows, one per block, RL blocks per
// workgroup), so there is no cross-lane reduction; the LANES invocations of
// a workgroup read consecutive texels of W and the same texels of X.
// Texel fetches are used rather than storage-buffer loads because lavapipe
// (Mesa 22) turns a storage-buffer load into a loop over the SIMD lanes and
// components, while a texel fetch is one vector load per lane.
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#ifndef BN
#define BN 1
#endif
#ifndef RL
#define RL 4
#endif
layout(binding = 0) uniform usamplerBuffer W;
layout(binding = 1) uniform usamplerBuffer X;
layout(std430, binding = 2) buffer Yb { float Y[]; };
#ifdef GLU
layout(binding = 3) uniform usamplerBuffer W2;
#endif
#include "push.h"
layout(push_constant) uniform PC { PushMatmul p; };

#ifdef DT_F32
#define EPU 4
void deq(uvec4 w, out vec4 a, out vec4 b) { a = uintBitsToFloat(w); b = vec4(0); }
#elif defined(DT_F16)
#define EPU 8
void deq(uvec4 w, out vec4 a, out vec4 b) {
    a = vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y));
    b = vec4(unpackHalf2x16(w.z), unpackHalf2x16(w.w));
}
#else
#define EPU 8
void deq(uvec4 w, out vec4 a, out vec4 b) {
    a = uintBitsToFloat(uvec4(w.x << 16, w.x & 0xffff0000u, w.y << 16, w.y & 0xffff0000u));
    b = uintBitsToFloat(uvec4(w.z << 16, w.z & 0xffff0000u, w.w << 16, w.w & 0xffff0000u));
}
#endif

// dot of one weight texel with the matching X texel(s)
float dot8(uvec4 w, vec4 x0, vec4 x1) {
    vec4 a, b;
    deq(w, a, b);
#if EPU == 8
    return dot(a, x0) + dot(b, x1);
#else
    return dot(a, x0);
#endif
}

void main() {
    uint lane = gl_LocalInvocationID.x;
    uint b0 = gl_WorkGroupID.y * BN;
    uint nb = min(uint(BN), p.N - b0);
    uint nk = p.K / EPU, xs = p.K / 4;
    uint blk0 = gl_WorkGroupID.x * RL;
    // Blocks past the chunk read its last texel (clamped, no branch in the
    // loop) and are not stored.
    int last = int(((p.M + LANES - 1) / LANES) * nk * LANES) - 1;
    int base[RL];
    [[unroll]] for (uint j = 0; j < RL; j++) base[j] = int((blk0 + j) * nk * LANES + lane);
    int xb[BN];
    [[unroll]] for (uint b = 0; b < BN; b++) xb[b] = int(min(b0 + b, p.N - 1) * xs);
    float acc[BN][RL];
#ifdef GLU
    float acc2[BN][RL];
#endif
    [[unroll]] for (uint b = 0; b < BN; b++) {
        [[unroll]] for (uint j = 0; j < RL; j++) {
            acc[b][j] = 0.0;
#ifdef GLU
            acc2[b][j] = 0.0;
#endif
        }
    }
    for (uint i = 0; i < nk; i++) {
        uvec4 w[RL];
#ifdef GLU
        uvec4 u[RL];
#endif
        [[unroll]] for (uint j = 0; j < RL; j++) {
            int t = min(base[j] + int(i * LANES), last);
            w[j] = texelFetch(W, t);
#ifdef GLU
            u[j] = texelFetch(W2, t);
#endif
        }
        [[unroll]] for (uint b = 0; b < BN; b++) {
            int xi = xb[b] + int(i * (EPU / 4));
            vec4 x0 = uintBitsToFloat(texelFetch(X, xi)), x1 = vec4(0);
#if EPU == 8
            x1 = uintBitsToFloat(texelFetch(X, xi + 1));
#endif
            [[unroll]] for (uint j = 0; j < RL; j++) {
                acc[b][j] += dot8(w[j], x0, x1);
#ifdef GLU
                acc2[b][j] += dot8(u[j], x0, x1);
#endif
            }
        }
    }
    [[unroll]] for (uint b = 0; b < BN; b++) {
        if (b >= nb) break;
        [[unroll]] for (uint j = 0; j < RL; j++) {
            uint m = (blk0 + j) * LANES + lane;
            float s = acc[b][j];
#ifdef GLU
            s = s / (1.0 + exp(-s)) * acc2[b][j];
#endif
            if (m < p.M) {
                uint yi = (b0 + b) * p.ystride + p.row0 + m;
#ifdef ACC
                Y[yi] += s;
#else
                Y[yi] = s;
#endif
            }
        }
    }
}
