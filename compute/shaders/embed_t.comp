#version 450
// embed_t.comp: the embedding of training.
//   FWD: Y[t] = E[TOK[t]] for n rows of d (d % 4 == 0; E read as texels of
//        4 floats, so a table over the storage range needs no splitting)
//   BWD: for each of the n distinct tokens of the batch (U[u] = token,
//        ROWS[OFF[u] .. OFF[u+1]) = the batch rows holding it, built on the
//        host), DE[U[u]] += sum of G over those rows: a deterministic scatter-add.
//        DE holds table rows [row0, row0 + rows) (a table over the storage
//        range comes in row chunks); tokens outside them are skipped.
#include "push.h"
layout(local_size_x = 64) in;
layout(push_constant) uniform PC { PushEmbed p; };
#ifdef FWD
layout(std430, binding = 0) readonly buffer Tb { int TOK[]; };
layout(binding = 1) uniform usamplerBuffer E;
layout(std430, binding = 2) writeonly buffer Yb { float Y[]; };
void main() {
    uint q = gl_GlobalInvocationID.x, t = gl_GlobalInvocationID.y, dq = p.d / 4u;
    if (q >= dq) return;
    vec4 e = uintBitsToFloat(texelFetch(E, int(uint(TOK[t]) * dq + q)));
    uint b = t * p.d + 4u * q;
    Y[b] = e.x, Y[b + 1u] = e.y, Y[b + 2u] = e.z, Y[b + 3u] = e.w;
}
#else
layout(std430, binding = 0) readonly buffer Ub { int U[]; };
layout(std430, binding = 1) readonly buffer Ob { int OFF[]; };
layout(std430, binding = 2) readonly buffer Rb { int ROWS[]; };
layout(std430, binding = 3) readonly buffer Gb { float G[]; };
layout(std430, binding = 4) buffer Db { float DE[]; };
void main() {
    uint i = gl_GlobalInvocationID.x, u = gl_GlobalInvocationID.y, row = uint(U[u]);
    if (i >= p.d || row < p.row0 || row >= p.row0 + p.rows) return;
    float s = 0.0;
    for (int k = OFF[u]; k < OFF[u + 1u]; k++) s += G[uint(ROWS[k]) * p.d + i];
    DE[(row - p.row0) * p.d + i] += s;
}
#endif
