#version 450
// transpose_t.comp: D[cols][rows] = S[rows][cols], S read as texels from
// texel p.off on with a row stride of p.ld floats (0: cols); rows, cols
// and ld are multiples of 4. Each invocation moves TRANSPOSE_BLOCKS 4x4
// blocks along a band of four rows: per block four texel fetches and four
// vec4 stores (one block an invocation took 157 ms a step on a 2-layer
// model of Qwen3-0.6B's width, 64 took 92).
//
// Why: on a CPU device (lavapipe) gemmx's NT product runs at 1.5-1.8x the
// speed of its NN and TN products (NT streams both operands along K), so
// train_vk.c turns a large dW (TN) and dX (NN) into NT over transposed
// copies of their operands; a copy costs a read and a write of each
// operand, small beside a product over it.
// The lanes walk bands of rows (grid x), so neighbouring lanes store
// neighbouring texels of D; grid y walks groups of TRANSPOSE_BLOCKS
// column texels.
#include "common.glsl"
#include "push.h"
layout(binding = 0) uniform usamplerBuffer S;
layout(std430, binding = 1) writeonly buffer Db { vec4 D[]; };
layout(push_constant) uniform PC { PushTranspose p; };
void main() {
    uint rq = p.rows / 4u, cq = p.cols / 4u, i = gl_GlobalInvocationID.x;
    if (i >= rq) return;
    uint lq = (p.ld != 0u ? p.ld : p.cols) / 4u, j1 = min(cq, (gl_WorkGroupID.y + 1u) * TRANSPOSE_BLOCKS);
    uint s0 = p.off + 4u * i * lq;
    for (uint j = gl_WorkGroupID.y * TRANSPOSE_BLOCKS; j < j1; j++) {
        vec4 r0 = uintBitsToFloat(texelFetch(S, int(s0 + j)));
        vec4 r1 = uintBitsToFloat(texelFetch(S, int(s0 + lq + j)));
        vec4 r2 = uintBitsToFloat(texelFetch(S, int(s0 + 2u * lq + j)));
        vec4 r3 = uintBitsToFloat(texelFetch(S, int(s0 + 3u * lq + j)));
        uint d0 = 4u * j * rq + i;
        D[d0] = vec4(r0.x, r1.x, r2.x, r3.x);
        D[d0 + rq] = vec4(r0.y, r1.y, r2.y, r3.y);
        D[d0 + 2u * rq] = vec4(r0.z, r1.z, r2.z, r3.z);
        D[d0 + 3u * rq] = vec4(r0.w, r1.w, r2.w, r3.w);
    }
}
