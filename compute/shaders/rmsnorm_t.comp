#version 450
// rmsnorm_t.comp: RMSNorm over n rows of d (d % 4 == 0) for training (also
// the q/k norm, rows = tokens x heads). One invocation per row (FWD,
// BWD_DX) or per four columns (BWD_DW), with X, W, G and R read as texels
// and results stored a texel at a time: lavapipe loops over the SIMD lanes
// once per storage access whatever its width, and a texel fetch is one
// gather (gemmx.comp says more).
//   FWD:    Y = X * rstd * W, R[row] = rstd = 1/sqrt(mean(X^2) + eps); with COPY
//           also XC = X: the residual stream's copy that the next product adds
//           to, in this dispatch rather than one of its own (a dispatch is a
//           hand-off on lavapipe: docs/compute.md, item 17)
//   BWD_DX: DX = (DX if p.acc) + rstd*G*W - X * rstd^3/d * sum(G*W*X)
//   BWD_DW: DW[i] += sum_rows G*X*rstd
#include "common.glsl"
#include "push.h"
layout(push_constant) uniform PC { PushRows p; };
#define T(B_, i_) uintBitsToFloat(texelFetch(B_, int(i_)))
#ifdef FWD
layout(binding = 0) uniform usamplerBuffer X;
layout(binding = 1) uniform usamplerBuffer W;
layout(std430, binding = 2) writeonly buffer Yb { vec4 Y[]; };
layout(std430, binding = 3) writeonly buffer Rb { float R[]; };
#ifdef COPY
layout(std430, binding = 4) writeonly buffer XCb { vec4 XC[]; };
#endif
void main() {
    uint r = gl_GlobalInvocationID.x, dq = p.d / 4u, b = r * dq;
    if (r >= p.n) return;
    float ss = 0.0;
    for (uint i = 0u; i < dq; i++) {
        vec4 x = T(X, b + i);
        ss += dot(x, x);
#ifdef COPY
        XC[b + i] = x;
#endif
    }
    float s = inversesqrt(ss / float(p.d) + p.eps);
    R[r] = s;
    for (uint i = 0u; i < dq; i++) Y[b + i] = T(X, b + i) * s * T(W, i);
}
#elif defined(BWD_DX)
layout(binding = 0) uniform usamplerBuffer G;
layout(binding = 1) uniform usamplerBuffer X;
layout(binding = 2) uniform usamplerBuffer W;
layout(std430, binding = 3) readonly buffer Rb { float R[]; };
layout(std430, binding = 4) buffer DXb { vec4 DX[]; };
void main() {
    uint r = gl_GlobalInvocationID.x, dq = p.d / 4u, b = r * dq;
    if (r >= p.n) return;
    float s = R[r], gwx = 0.0;
    for (uint i = 0u; i < dq; i++) gwx += dot(T(G, b + i) * T(W, i), T(X, b + i));
    float c = gwx * s * s * s / float(p.d);
    for (uint i = 0u; i < dq; i++) {
        vec4 d = s * T(G, b + i) * T(W, i) - c * T(X, b + i);
        if (p.acc != 0u) d += DX[b + i];
        DX[b + i] = d;
    }
}
#else
layout(binding = 0) uniform usamplerBuffer G;
layout(binding = 1) uniform usamplerBuffer X;
layout(binding = 2) uniform usamplerBuffer R; /* rstd of four rows per texel */
layout(std430, binding = 3) buffer DWb { vec4 DW[]; };
#ifdef SG_ROWS
// GPUs: a workgroup (one subgroup) per column texel and chunk of p.chunk rows
// (workgroup y), its lanes over the chunk's rows, summed by subgroupAdd
// into DW[y][q], a partial that gemm_sum.comp adds into dW (train_vk.c's
// rms_bwd). The kernel below gives a whole column to one invocation: d / 4
// invocations in all, 32 for the q/k norm of head_dim 128, which on an H200
// took 8 % of a 0.6B full step (192 ms); a subgroup per column, 26 ms.
void main() {
    uint q = gl_WorkGroupID.x, dq = p.d / 4u, r0 = gl_WorkGroupID.y * p.chunk, r1 = min(p.n, r0 + p.chunk);
    vec4 acc = vec4(0.0);
    for (uint r = r0 + gl_SubgroupInvocationID; r < r1; r += gl_SubgroupSize)
        acc += T(G, r * dq + q) * T(X, r * dq + q) * T(R, r / 4u)[r & 3u];
    acc = subgroupAdd(acc);
    if (gl_SubgroupInvocationID == 0u) DW[gl_WorkGroupID.y * dq + q] = acc;
}
#else
void main() {
    uint q = gl_GlobalInvocationID.x, dq = p.d / 4u;
    if (q >= dq) return;
    vec4 acc = vec4(0.0);
    for (uint r4 = 0u; r4 < p.n; r4 += 4u) {
        vec4 s = T(R, r4 / 4u);
        uint m = min(4u, p.n - r4);
        for (uint e = 0u; e < m; e++) acc += T(G, (r4 + e) * dq + q) * T(X, (r4 + e) * dq + q) * s[e];
    }
    DW[q] += acc;
}
#endif
#endif
