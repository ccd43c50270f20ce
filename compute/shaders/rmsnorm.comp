#version 450
// rmsnorm.comp: Y[r] = X[s] * rsqrt(mean(X[s]^2) + eps) * w, one workgroup
// (one subgroup) per row. s = r, or rows[r].src when gather is set (the
// final norm picks the rows whose logits are wanted).
#include "common.glsl"
layout(std430, binding = 0) readonly buffer Xb { float X[]; };
layout(std430, binding = 1) readonly buffer Wb { float Wt[]; };
layout(std430, binding = 2) writeonly buffer Yb { float Y[]; };
layout(std430, binding = 3) readonly buffer Rb { Row rows[]; };
layout(push_constant) uniform P { uint D; float eps; uint gather; } p;

void main() {
    uint r = gl_WorkGroupID.x, lane = gl_LocalInvocationID.x;
    uint s = p.gather != 0u ? uint(rows[r].src) : r;
    float ss = 0.0;
    for (uint i = lane; i < p.D; i += LANES) {
        float v = X[s * p.D + i];
        ss += v * v;
    }
    ss = subgroupAdd(ss);
    float k = inversesqrt(ss / float(p.D) + p.eps);
    for (uint i = lane; i < p.D; i += LANES) Y[r * p.D + i] = X[s * p.D + i] * k * Wt[i];
}
