#version 450
// embed.comp: X[r, i] = E[tok_r - row0, i] for the rows whose token falls in
// this chunk of the embedding table [row0, row0 + nrows). E is F32, F16 or
// BF16 (DT_*), read as uint words, rows interleaved in blocks of IL as
// matmul.comp reads them (16-byte texel i of row t at
// ((t / IL) * nk + i) * IL + t % IL).
layout(local_size_x = 64) in;
struct Row { int seq; int pos; int tok; int src; };
layout(std430, binding = 0) readonly buffer Rb { Row rows[]; };
layout(std430, binding = 1) readonly buffer Eb { uint E[]; };
layout(std430, binding = 2) writeonly buffer Xb { float X[]; };
#include "push.h"
layout(push_constant) uniform PC { PushEmbedInf p; };

void main() {
    uint i = gl_GlobalInvocationID.x, r = gl_GlobalInvocationID.y;
    if (i >= p.D || r >= p.N) return;
    int t = rows[r].tok - int(p.row0);
    if (t < 0 || t >= int(p.nrows)) return;
    uint ut = uint(t);
#ifdef DT_F32
    uint nk = p.D / 4, word = ((ut / p.IL * nk + i / 4) * p.IL + ut % p.IL) * 4 + i % 4;
    float v = uintBitsToFloat(E[word]);
#else
    uint nk = p.D / 8, word = ((ut / p.IL * nk + i / 8) * p.IL + ut % p.IL) * 4 + (i % 8) / 2;
#if defined(DT_F16)
    float v = unpackHalf2x16(E[word])[i & 1u];
#else
    uint w = E[word];
    float v = uintBitsToFloat((i & 1u) != 0u ? (w & 0xffff0000u) : (w << 16));
#endif
#endif
    X[r * p.D + i] = v;
}
