#version 450
// attention.comp: one workgroup (one subgroup) per (query head, row).
// Causal GQA attention of the row's query over its sequence's KV cache,
// positions 0..pos, with an online softmax; each lane owns head dims
// lane, lane + LANES, ... (at most MAXJ of them).
#include "common.glsl"
#define MAXJ 16
layout(std430, binding = 0) readonly buffer Rb { Row rows[]; };
layout(std430, binding = 1) readonly buffer Qb { float Q[]; };
layout(std430, binding = 2) readonly buffer KCb { float KC[]; };
layout(std430, binding = 3) readonly buffer VCb { float VC[]; };
layout(std430, binding = 4) writeonly buffer Ob { float O[]; };
layout(push_constant) uniform P { uint nq, nkv, hd, ctx; float scale; } p;

void main() {
    uint h = gl_WorkGroupID.x, r = gl_WorkGroupID.y, lane = gl_LocalInvocationID.x;
    uint hd = p.hd, kvd = p.nkv * hd, kh = h / (p.nq / p.nkv);
    uint seq = uint(rows[r].seq), pos = uint(rows[r].pos);
    uint nj = (hd + LANES - 1u) / LANES;
    float q[MAXJ], acc[MAXJ];
    for (uint j = 0u; j < MAXJ; j++) {
        uint d = lane + j * LANES;
        q[j] = (j < nj && d < hd) ? Q[r * p.nq * hd + h * hd + d] * p.scale : 0.0;
        acc[j] = 0.0;
    }
    float m = -1e30, l = 0.0;
    uint base = seq * p.ctx * kvd + kh * hd;
    for (uint t = 0u; t <= pos; t++) {
        uint kb = base + t * kvd;
        float s = 0.0;
        for (uint j = 0u; j < nj; j++) {
            uint d = lane + j * LANES;
            if (d < hd) s += q[j] * KC[kb + d];
        }
        s = subgroupAdd(s);
        float mn = max(m, s), c = exp(m - mn), e = exp(s - mn);
        l = l * c + e;
        for (uint j = 0u; j < nj; j++) {
            uint d = lane + j * LANES;
            acc[j] = acc[j] * c + (d < hd ? e * VC[kb + d] : 0.0);
        }
        m = mn;
    }
    for (uint j = 0u; j < nj; j++) {
        uint d = lane + j * LANES;
        if (d < hd) O[r * p.nq * hd + h * hd + d] = acc[j] / l;
    }
}
