#version 450
// attention.comp: one workgroup (one subgroup) per (query head, row).
// Causal GQA attention of the row's query over its sequence's KV cache,
// positions 0..pos, with an online softmax. The KV cache is read as
// uniform texel buffers of vec4 (one vector load per lane on lavapipe,
// where a storage-buffer load is a loop over lanes); each lane owns the
// head-dim quads lane, lane + LANES, ... (NJ of them: variants NJ = 1, 2, 4,
// the smallest with NJ * 4 * LANES >= head_dim; quads past the head are
// clamped reads with a zero query, and are not stored).
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#ifndef NJ
#define NJ 2
#endif
layout(std430, binding = 0) readonly buffer Rb { Row rows[]; };
layout(binding = 1) uniform usamplerBuffer Q;
layout(binding = 2) uniform usamplerBuffer KC;
layout(binding = 3) uniform usamplerBuffer VC;
layout(std430, binding = 4) writeonly buffer Ob { vec4 O[]; };
#include "push.h"
layout(push_constant) uniform PC { PushAttnInf p; };

void main() {
    uint h = gl_WorkGroupID.x, r = gl_WorkGroupID.y, lane = gl_LocalInvocationID.x;
    uint hd4 = p.hd / 4u, kvd4 = p.nkv * hd4, kh = h / (p.nq / p.nkv);
    uint seq = uint(rows[r].seq), pos = uint(rows[r].pos);
    vec4 q[NJ], acc[NJ];
    uint dj[NJ];
    uint qb = (r * p.nq + h) * hd4;
    [[unroll]] for (uint j = 0u; j < NJ; j++) {
        uint d = lane + j * LANES;
        dj[j] = min(d, hd4 - 1u);
        q[j] = d < hd4 ? uintBitsToFloat(texelFetch(Q, int(qb + d))) * p.scale : vec4(0);
        acc[j] = vec4(0);
    }
    float m = -1e30, l = 0.0;
    uint base = seq * p.ctx * kvd4 + kh * hd4;
    for (uint t = 0u; t <= pos; t++) {
        uint kb = base + t * kvd4;
        float s = 0.0;
        [[unroll]] for (uint j = 0u; j < NJ; j++) s += dot(q[j], uintBitsToFloat(texelFetch(KC, int(kb + dj[j]))));
        s = subgroupAdd(s);
        float mn = max(m, s), c = exp(m - mn), e = exp(s - mn);
        l = l * c + e;
        [[unroll]] for (uint j = 0u; j < NJ; j++) acc[j] = acc[j] * c + e * uintBitsToFloat(texelFetch(VC, int(kb + dj[j])));
        m = mn;
    }
    [[unroll]] for (uint j = 0u; j < NJ; j++) {
        uint d = lane + j * LANES;
        if (d < hd4) O[qb + d] = acc[j] / l;
    }
}
