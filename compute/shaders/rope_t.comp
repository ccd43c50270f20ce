#version 450
// rope_t.comp: rotate-half RoPE in place on X[n][heads][hd] (hd % 4 == 0)
// at positions POS[n], from a table CS[pos][hd/2] of (cos, sin) made on the
// host in double; sign -1 applies the inverse rotation (the backward).
// Each invocation rotates two neighbouring pairs with vec2 and vec4
// accesses (lavapipe loops over the SIMD lanes once per storage access,
// whatever its width).
#include "push.h"
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Xb { vec2 X[]; };
layout(std430, binding = 1) readonly buffer Pb { int POS[]; };
layout(std430, binding = 2) readonly buffer Cb { vec4 CS[]; }; /* (cos, sin) of two neighbouring pairs */
layout(push_constant) uniform PC { PushRope p; };
void main() {
    uint half_ = p.hd / 2u, g = gl_GlobalInvocationID.x;
    if (g >= p.n * p.heads * (half_ / 2u)) return;
    uint i = 2u * (g % (half_ / 2u)), row = g / (half_ / 2u), t = row / p.heads;
    vec4 cs = CS[(uint(POS[t]) * half_ + i) / 2u];
    vec2 c = cs.xz, sn = p.sign * cs.yw;
    uint a = (row * p.hd + i) / 2u, b = a + half_ / 2u;
    vec2 x0 = X[a], x1 = X[b];
    X[a] = x0 * c - x1 * sn;
    X[b] = x1 * c + x0 * sn;
}
