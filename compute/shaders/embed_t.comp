#version 450
// embed_t.comp: the embedding of training.
//   FWD: Y[t] = E[TOK[t]] for n rows of d
//   BWD: for each of the n distinct tokens of the batch (U[u] = token,
//        ROWS[OFF[u] .. OFF[u+1]) = the batch rows holding it, built on the
//        host), DE[U[u]] += sum of G over those rows: a deterministic scatter-add.
#include "push.h"
layout(local_size_x = 64) in;
layout(push_constant) uniform PC { PushEmbed p; };
#ifdef FWD
layout(std430, binding = 0) readonly buffer Tb { int TOK[]; };
layout(std430, binding = 1) readonly buffer Eb { float E[]; };
layout(std430, binding = 2) writeonly buffer Yb { float Y[]; };
void main() {
    uint i = gl_GlobalInvocationID.x, t = gl_GlobalInvocationID.y;
    if (i < p.d) Y[t * p.d + i] = E[uint(TOK[t]) * p.d + i];
}
#else
layout(std430, binding = 0) readonly buffer Ub { int U[]; };
layout(std430, binding = 1) readonly buffer Ob { int OFF[]; };
layout(std430, binding = 2) readonly buffer Rb { int ROWS[]; };
layout(std430, binding = 3) readonly buffer Gb { float G[]; };
layout(std430, binding = 4) buffer Db { float DE[]; };
void main() {
    uint i = gl_GlobalInvocationID.x, u = gl_GlobalInvocationID.y;
    if (i >= p.d) return;
    float s = 0.0;
    for (int k = OFF[u]; k < OFF[u + 1u]; k++) s += G[uint(ROWS[k]) * p.d + i];
    DE[uint(U[u]) * p.d + i] += s;
}
#endif
