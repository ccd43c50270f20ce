#version 450
// rmsnorm.comp: Y[r] = X[s] * rsqrt(mean(X[s]^2) + eps) * w, one workgroup
// (one subgroup) per row. s = r, or rows[r].src when gather is set (the
// final norm picks the rows whose logits are wanted). X and w are read as
// vec4 texel fetches (cheaper than storage-buffer loads on lavapipe); D is
// a multiple of 4.
#include "common.glsl"
layout(binding = 0) uniform usamplerBuffer X;
layout(binding = 1) uniform usamplerBuffer Wt;
layout(std430, binding = 2) writeonly buffer Yb { vec4 Y[]; };
layout(std430, binding = 3) readonly buffer Rb { Row rows[]; };
#include "push.h"
layout(push_constant) uniform PC { PushNorm p; };

void main() {
    uint r = gl_WorkGroupID.x, lane = gl_LocalInvocationID.x;
    uint s = p.gather != 0u ? uint(rows[r].src) : r;
    uint d4 = p.D / 4u, xb = s * d4;
    float ss = 0.0;
    for (uint i = lane; i < d4; i += LANES) {
        vec4 v = uintBitsToFloat(texelFetch(X, int(xb + i)));
        ss += dot(v, v);
    }
    ss = subgroupAdd(ss);
    float k = inversesqrt(ss / float(p.D) + p.eps);
    for (uint i = lane; i < d4; i += LANES)
        Y[r * d4 + i] = uintBitsToFloat(texelFetch(X, int(xb + i))) * k * uintBitsToFloat(texelFetch(Wt, int(i)));
}
