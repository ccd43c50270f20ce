#version 450
// matmul.comp: Y[b, row0 + m] (+)= sum_k W[m, k] X[b, k] for BN batch rows
// per workgroup and ROWS output rows. Weights are F32, F16 or BF16 (DT_*),
// read as uvec4; X and Y are F32. Variants: BN (1 or 8), ACC (add into Y:
// the residual add), GLU (Y = silu(W.x) * (W2.x): the SwiGLU MLP input).
#include "common.glsl"
#ifndef BN
#define BN 1
#endif
// ROWS output rows per workgroup: specialization constant 1 (vk.c picks
// many on CPU devices, where each workgroup costs a call, few on GPUs).
layout(constant_id = 1) const uint ROWS = 4;
layout(std430, binding = 0) readonly buffer Wb { uvec4 W[]; };
layout(std430, binding = 1) readonly buffer Xb { vec4 X[]; };
layout(std430, binding = 2) buffer Yb { float Y[]; };
#ifdef GLU
layout(std430, binding = 3) readonly buffer W2b { uvec4 W2[]; };
#endif
layout(push_constant) uniform P {
    uint K, M, N, row0, ystride;
} p;

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

void main() {
    uint lane = gl_LocalInvocationID.x;
    uint b0 = gl_WorkGroupID.y * BN;
    uint nb = min(uint(BN), p.N - b0);
    uint nk = p.K / EPU, xs = p.K / 4;
    for (uint r = 0; r < ROWS; r++) {
        uint m = gl_WorkGroupID.x * ROWS + r;
        if (m >= p.M) break;
        float acc[BN];
#ifdef GLU
        float acc2[BN];
#endif
        for (uint b = 0; b < BN; b++) {
            acc[b] = 0.0;
#ifdef GLU
            acc2[b] = 0.0;
#endif
        }
        for (uint i = lane; i < nk; i += LANES) {
            vec4 wa, wb;
            deq(W[m * nk + i], wa, wb);
#ifdef GLU
            vec4 ua, ub;
            deq(W2[m * nk + i], ua, ub);
#endif
            for (uint b = 0; b < BN; b++) {
                if (b < nb) {
                    uint xi = (b0 + b) * xs + i * (EPU / 4);
                    vec4 x0 = X[xi];
#if EPU == 8
                    vec4 x1 = X[xi + 1];
                    acc[b] += dot(wa, x0) + dot(wb, x1);
#ifdef GLU
                    acc2[b] += dot(ua, x0) + dot(ub, x1);
#endif
#else
                    acc[b] += dot(wa, x0);
#ifdef GLU
                    acc2[b] += dot(ua, x0);
#endif
#endif
                }
            }
        }
        for (uint b = 0; b < BN; b++) {
            float s = subgroupAdd(acc[b]);
#ifdef GLU
            float u = subgroupAdd(acc2[b]);
            s = s / (1.0 + exp(-s)) * u;
#endif
            if (lane == 0 && b < nb) {
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
