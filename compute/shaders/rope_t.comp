#version 450
// rope_t.comp: rotate-half RoPE in place on X[n][heads][hd] at positions
// POS[n], from a table CS[pos][hd/2] of (cos, sin) made on the host in
// double; sign -1 applies the inverse rotation (the backward).
#include "push.h"
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Xb { float X[]; };
layout(std430, binding = 1) readonly buffer Pb { int POS[]; };
layout(std430, binding = 2) readonly buffer Cb { vec2 CS[]; };
layout(push_constant) uniform PC { PushRope p; };
void main() {
    uint half_ = p.hd / 2u, g = gl_GlobalInvocationID.x;
    if (g >= p.n * p.heads * half_) return;
    uint i = g % half_, row = g / half_, t = row / p.heads;
    vec2 cs = CS[uint(POS[t]) * half_ + i];
    float sn = p.sign * cs.y;
    uint b = row * p.hd;
    float x0 = X[b + i], x1 = X[b + i + half_];
    X[b + i] = x0 * cs.x - x1 * sn;
    X[b + i + half_] = x1 * cs.x + x0 * sn;
}
