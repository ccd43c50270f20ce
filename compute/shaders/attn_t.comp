#version 450
// attn_t.comp: causal GQA attention for training over a packed batch: row t
// attends to rows s <= t of the same segment (SEG). Probabilities are kept
// in P[nq][n][n] (0 where masked) for the backward. One workgroup (one
// subgroup) per (head, row) in FWD and BWD_Q, per (kv head, row) in BWD_KV.
//   FWD:    P, O[t][h] = sum_s P[h][t][s] V[s][kh]
//   BWD_Q:  DS[h][t][s] = P (dO.V_s - sum_s' P dO.V_s') * scale, dQ[t][h] = sum_s DS K[s][kh]
//   BWD_KV: dK[s][kh] = sum_{h of kh, t} DS[h][t][s] Q[t][h], dV[s][kh] = sum P[h][t][s] dO[t][h]
#include "common.glsl"
#include "push.h"
layout(push_constant) uniform PC { PushAttn p; };
#ifdef FWD
layout(std430, binding = 0) readonly buffer Qb { float Q[]; };
layout(std430, binding = 1) readonly buffer Kb { float K[]; };
layout(std430, binding = 2) readonly buffer Vb { float V[]; };
layout(std430, binding = 3) readonly buffer Sb { int SEG[]; };
layout(std430, binding = 4) buffer Pb { float P[]; };
layout(std430, binding = 5) writeonly buffer Ob { float O[]; };
void main() {
    uint h = gl_WorkGroupID.x, t = gl_WorkGroupID.y, lane = gl_LocalInvocationID.x;
    uint kh = h / (p.nq / p.nkv), qd = p.nq * p.hd, kvd = p.nkv * p.hd;
    uint qb = t * qd + h * p.hd, pb = (h * p.n + t) * p.n;
    int sg = SEG[t];
    float mx = -1e30;
    for (uint s = lane; s <= t; s += LANES) {
        if (SEG[s] != sg) continue;
        float d = 0.0;
        for (uint i = 0u; i < p.hd; i++) d += Q[qb + i] * K[s * kvd + kh * p.hd + i];
        P[pb + s] = d * p.scale;
        mx = max(mx, d * p.scale);
    }
    mx = subgroupMax(mx);
    float sum = 0.0;
    for (uint s = lane; s < p.n; s += LANES) {
        float e = (s <= t && SEG[s] == sg) ? exp(P[pb + s] - mx) : 0.0;
        P[pb + s] = e;
        sum += e;
    }
    sum = subgroupAdd(sum);
    for (uint s = lane; s < p.n; s += LANES) P[pb + s] /= sum;
    memoryBarrierBuffer();
    barrier();
    for (uint i = lane; i < p.hd; i += LANES) {
        float o = 0.0;
        for (uint s = 0u; s <= t; s++) o += P[pb + s] * V[s * kvd + kh * p.hd + i];
        O[qb + i] = o;
    }
}
#elif defined(BWD_Q)
layout(std430, binding = 0) readonly buffer Gb { float G[]; };
layout(std430, binding = 1) readonly buffer Pb { float P[]; };
layout(std430, binding = 2) readonly buffer Vb { float V[]; };
layout(std430, binding = 3) readonly buffer Kb { float K[]; };
layout(std430, binding = 4) buffer Db { float DS[]; };
layout(std430, binding = 5) writeonly buffer DQb { float DQ[]; };
void main() {
    uint h = gl_WorkGroupID.x, t = gl_WorkGroupID.y, lane = gl_LocalInvocationID.x;
    uint kh = h / (p.nq / p.nkv), qd = p.nq * p.hd, kvd = p.nkv * p.hd;
    uint qb = t * qd + h * p.hd, pb = (h * p.n + t) * p.n;
    float pdp = 0.0;
    for (uint s = lane; s < p.n; s += LANES) {
        float dp = 0.0;
        if (s <= t && P[pb + s] != 0.0)
            for (uint i = 0u; i < p.hd; i++) dp += G[qb + i] * V[s * kvd + kh * p.hd + i];
        DS[pb + s] = dp;
        pdp += P[pb + s] * dp;
    }
    pdp = subgroupAdd(pdp);
    for (uint s = lane; s < p.n; s += LANES) DS[pb + s] = P[pb + s] * (DS[pb + s] - pdp) * p.scale;
    memoryBarrierBuffer();
    barrier();
    for (uint i = lane; i < p.hd; i += LANES) {
        float d = 0.0;
        for (uint s = 0u; s <= t; s++) d += DS[pb + s] * K[s * kvd + kh * p.hd + i];
        DQ[qb + i] = d;
    }
}
#else
layout(std430, binding = 0) readonly buffer Gb { float G[]; };
layout(std430, binding = 1) readonly buffer Pb { float P[]; };
layout(std430, binding = 2) readonly buffer Db { float DS[]; };
layout(std430, binding = 3) readonly buffer Qb { float Q[]; };
layout(std430, binding = 4) writeonly buffer DKb { float DK[]; };
layout(std430, binding = 5) writeonly buffer DVb { float DV[]; };
void main() {
    uint kh = gl_WorkGroupID.x, s = gl_WorkGroupID.y, lane = gl_LocalInvocationID.x;
    uint group = p.nq / p.nkv, qd = p.nq * p.hd, kvd = p.nkv * p.hd;
    for (uint i = lane; i < p.hd; i += LANES) {
        float dk = 0.0, dv = 0.0;
        for (uint h = kh * group; h < (kh + 1u) * group; h++)
            for (uint t = s; t < p.n; t++) {
                uint pi = (h * p.n + t) * p.n + s, qi = t * qd + h * p.hd + i;
                dk += DS[pi] * Q[qi];
                dv += P[pi] * G[qi];
            }
        DK[s * kvd + kh * p.hd + i] = dk;
        DV[s * kvd + kh * p.hd + i] = dv;
    }
}
#endif
