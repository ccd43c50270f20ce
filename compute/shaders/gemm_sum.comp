#version 450
// gemm_sum.comp: C[i] = (C[i] when acc) + sum over z of S[z n + i], the
// partial products of a split-K product (gemm_tile.comp with kc != 0),
// added in the order z = 0, 1, ... as opr_split_sum does.
#include "push.h"
layout(local_size_x = 256) in;
layout(push_constant) uniform PC { PushSplit p; };
layout(std430, binding = 0) readonly buffer Sb { float S[]; };
layout(std430, binding = 1) buffer Cb { float C[]; };
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= p.n) return;
    float v = p.acc != 0u ? C[i] : 0.0;
    for (uint z = 0u; z < p.splits; z++) v += S[z * p.n + i];
    C[i] = v;
}
