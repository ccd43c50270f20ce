#version 450
// rmsnorm_t.comp: RMSNorm over n rows of d for training (also the q/k norm,
// rows = tokens x heads). One workgroup (one subgroup) per row.
//   FWD:    Y = X * rstd * W, R[row] = rstd = 1/sqrt(mean(X^2) + eps)
//   BWD_DX: DX += rstd*G*W - X * rstd^3/d * sum(G*W*X)      (accumulates)
//   BWD_DW: DW[i] += sum_rows G*X*rstd, one invocation per column
#include "common.glsl"
#include "push.h"
layout(push_constant) uniform PC { PushRows p; };
#ifdef FWD
layout(std430, binding = 0) readonly buffer Xb { float X[]; };
layout(std430, binding = 1) readonly buffer Wb { float W[]; };
layout(std430, binding = 2) writeonly buffer Yb { float Y[]; };
layout(std430, binding = 3) writeonly buffer Rb { float R[]; };
void main() {
    uint r = gl_WorkGroupID.x, lane = gl_LocalInvocationID.x, b = r * p.d;
    float ss = 0.0;
    for (uint i = lane; i < p.d; i += LANES) ss += X[b + i] * X[b + i];
    ss = subgroupAdd(ss);
    float s = inversesqrt(ss / float(p.d) + p.eps);
    if (lane == 0u) R[r] = s;
    for (uint i = lane; i < p.d; i += LANES) Y[b + i] = X[b + i] * s * W[i];
}
#elif defined(BWD_DX)
layout(std430, binding = 0) readonly buffer Gb { float G[]; };
layout(std430, binding = 1) readonly buffer Xb { float X[]; };
layout(std430, binding = 2) readonly buffer Wb { float W[]; };
layout(std430, binding = 3) readonly buffer Rb { float R[]; };
layout(std430, binding = 4) buffer DXb { float DX[]; };
void main() {
    uint r = gl_WorkGroupID.x, lane = gl_LocalInvocationID.x, b = r * p.d;
    float s = R[r], dot = 0.0;
    for (uint i = lane; i < p.d; i += LANES) dot += G[b + i] * W[i] * X[b + i];
    dot = subgroupAdd(dot);
    float c = dot * s * s * s / float(p.d);
    for (uint i = lane; i < p.d; i += LANES) DX[b + i] += s * G[b + i] * W[i] - c * X[b + i];
}
#else
layout(std430, binding = 0) readonly buffer Gb { float G[]; };
layout(std430, binding = 1) readonly buffer Xb { float X[]; };
layout(std430, binding = 2) readonly buffer Rb { float R[]; };
layout(std430, binding = 3) buffer DWb { float DW[]; };
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= p.d) return;
    float acc = 0.0;
    for (uint r = 0u; r < p.n; r++) acc += G[r * p.d + i] * X[r * p.d + i] * R[r];
    DW[i] += acc;
}
#endif
