#version 450
#extension GL_EXT_control_flow_attributes : require
// attn_t.comp: causal GQA attention for training over a packed batch: row t
// attends to rows s <= t of the same segment (SEG). Nothing quadratic is
// stored: the forward keeps each row's log-sum-exp of the scaled scores
// (LSE[h][t]) and the backward recomputes the probabilities from it, as
// flash attention does. BOUNDS[t] is the first row with t's segment id and
// BOUNDS[n + t] the last (the host fills them), so the loops visit one
// sample's rows, not the batch's; rows of another id between them are
// skipped by the SEG check, which keeps a sample id that comes back after
// another exact.
// One invocation per (row, head); x of the grid walks rows, y heads.
// Q, K, V, dO and O are read as texels of 4 floats (head_dim % 4 == 0,
// at most 256), SEG, LSE and D as texels of 4 ints/floats.
// Variants with HQ = head_dim / 4 fixed (variants.cmake: head_dim 16, 32,
// 64, 128) unroll the loops over a head's texels, so q, o, dq, ... live in
// registers: with a run-time bound lavapipe keeps them in memory and
// gathers them lane by lane (at the main job's shape attention took 266
// ms a step so, 88 ms with the variant).
//   FWD:    O[t][h] = sum_s P[h][t][s] V[s][kh], LSE[h][t]
//   BWD_Q:  D[h][t] = dO[t][h].O[t][h]; dS = P (dO.V_s - D) scale;
//           dQ[t][h] = sum_s dS K[s][kh]
//   BWD_KV: dK[s][kh] = sum_{h of kh, t} dS Q[t][h], dV[s][kh] = sum P dO[t][h]
#include "common.glsl"
#include "push.h"
#ifdef HQ
#define HQN HQ
#define UNROLL [[unroll]]
#else
#define HQN 64
#define UNROLL
#endif
layout(push_constant) uniform PC { PushAttn p; };

#ifdef HQ
#define HQ_ uint(HQ)
#else
#define HQ_ (p.hd / 4u)
#endif
#define LD(T_, i_) uintBitsToFloat(texelFetch(T_, int(i_)))
#define SEGAT(s_) texelFetch(SEG, int((s_) >> 2))[(s_) & 3u]
#define SCALAR(T_, i_) uintBitsToFloat(texelFetch(T_, int((i_) >> 2))[(i_) & 3u])

#ifdef FWD
layout(binding = 0) uniform usamplerBuffer Q;
layout(binding = 1) uniform usamplerBuffer K;
layout(binding = 2) uniform usamplerBuffer V;
layout(binding = 3) uniform usamplerBuffer SEG;
layout(std430, binding = 4) readonly buffer Bb { int BOUNDS[]; };
layout(std430, binding = 5) writeonly buffer Ob { float O[]; };
layout(std430, binding = 6) writeonly buffer Lb { float LSE[]; };
void main() {
    uint t = gl_GlobalInvocationID.x, h = gl_WorkGroupID.y;
    if (t >= p.n) return;
    uint hq = HQ_, kh = h / (p.nq / p.nkv), ks = p.nkv * hq;
    uint qb = t * p.nq * hq + h * hq, kb = kh * hq;
    vec4 q[HQN], o[HQN];
    UNROLL for (uint i = 0u; i < hq; i++) q[i] = LD(Q, qb + i) * p.scale, o[i] = vec4(0.0);
    uint sg = SEGAT(t);
    float m = -1e30, l = 0.0;
    for (uint s = uint(BOUNDS[t]); s <= t; s++) {
        if (SEGAT(s) != sg) continue;
        uint kr = s * ks + kb;
        float d = 0.0;
        UNROLL for (uint i = 0u; i < hq; i++) d += dot(q[i], LD(K, kr + i));
        if (d > m) {
            float c = ftz(exp(m - d));
            l *= c;
            UNROLL for (uint i = 0u; i < hq; i++) o[i] *= c;
            m = d;
        }
        float e = ftz(exp(d - m));
        l += e;
        UNROLL for (uint i = 0u; i < hq; i++) o[i] += e * LD(V, kr + i);
    }
    float inv = 1.0 / l;
    UNROLL for (uint i = 0u; i < hq; i++) {
        vec4 r = o[i] * inv;
        uint b = 4u * (qb + i);
        O[b] = r.x, O[b + 1u] = r.y, O[b + 2u] = r.z, O[b + 3u] = r.w;
    }
    LSE[h * p.n + t] = m + log(l);
}
#elif defined(BWD_Q)
layout(binding = 0) uniform usamplerBuffer G;
layout(binding = 1) uniform usamplerBuffer Q;
layout(binding = 2) uniform usamplerBuffer K;
layout(binding = 3) uniform usamplerBuffer V;
layout(binding = 4) uniform usamplerBuffer SEG;
layout(binding = 5) uniform usamplerBuffer O;
layout(std430, binding = 6) readonly buffer Bb { int BOUNDS[]; };
layout(std430, binding = 7) readonly buffer Lb { float LSE[]; };
layout(std430, binding = 8) writeonly buffer DQb { float DQ[]; };
layout(std430, binding = 9) writeonly buffer Db { float D[]; };
void main() {
    uint t = gl_GlobalInvocationID.x, h = gl_WorkGroupID.y;
    if (t >= p.n) return;
    uint hq = HQ_, kh = h / (p.nq / p.nkv), ks = p.nkv * hq;
    uint qb = t * p.nq * hq + h * hq, kb = kh * hq;
    vec4 q[HQN], g[HQN], dq[HQN];
    float dt = 0.0;
    UNROLL for (uint i = 0u; i < hq; i++) {
        q[i] = LD(Q, qb + i) * p.scale, g[i] = LD(G, qb + i), dq[i] = vec4(0.0);
        dt += dot(g[i], LD(O, qb + i));
    }
    uint sg = SEGAT(t);
    float lse = LSE[h * p.n + t];
    for (uint s = uint(BOUNDS[t]); s <= t; s++) {
        if (SEGAT(s) != sg) continue;
        uint kr = s * ks + kb;
        float d = 0.0, dp = 0.0;
        UNROLL for (uint i = 0u; i < hq; i++) d += dot(q[i], LD(K, kr + i)), dp += dot(g[i], LD(V, kr + i));
        float ds = ftz(ftz(exp(d - lse)) * (dp - dt) * p.scale);
        UNROLL for (uint i = 0u; i < hq; i++) dq[i] += ds * LD(K, kr + i);
    }
    UNROLL for (uint i = 0u; i < hq; i++) {
        uint b = 4u * (qb + i);
        DQ[b] = dq[i].x, DQ[b + 1u] = dq[i].y, DQ[b + 2u] = dq[i].z, DQ[b + 3u] = dq[i].w;
    }
    D[h * p.n + t] = dt;
}
#else
layout(binding = 0) uniform usamplerBuffer G;
layout(binding = 1) uniform usamplerBuffer Q;
layout(binding = 2) uniform usamplerBuffer K;
layout(binding = 3) uniform usamplerBuffer V;
layout(binding = 4) uniform usamplerBuffer SEG;
layout(binding = 5) uniform usamplerBuffer LSE;
layout(binding = 6) uniform usamplerBuffer D;
layout(std430, binding = 7) readonly buffer Bb { int BOUNDS[]; };
layout(std430, binding = 8) writeonly buffer DKb { float DK[]; };
layout(std430, binding = 9) writeonly buffer DVb { float DV[]; };
void main() {
    uint s = gl_GlobalInvocationID.x, kh = gl_WorkGroupID.y;
    if (s >= p.n) return;
    uint hq = HQ_, group = p.nq / p.nkv, qs = p.nq * hq, kb = s * p.nkv * hq + kh * hq;
    vec4 k[HQN], v[HQN], dk[HQN], dv[HQN];
    UNROLL for (uint i = 0u; i < hq; i++) k[i] = LD(K, kb + i) * p.scale, v[i] = LD(V, kb + i), dk[i] = vec4(0.0), dv[i] = vec4(0.0);
    uint sg = SEGAT(s), hi = uint(BOUNDS[p.n + s]);
    for (uint h = kh * group; h < (kh + 1u) * group; h++)
        for (uint t = s; t <= hi; t++) {
            if (SEGAT(t) != sg) continue;
            uint qr = t * qs + h * hq;
            float d = 0.0, dp = 0.0;
            UNROLL for (uint i = 0u; i < hq; i++) d += dot(LD(Q, qr + i), k[i]), dp += dot(LD(G, qr + i), v[i]);
            float pr = ftz(exp(d - SCALAR(LSE, h * p.n + t)));
            float ds = ftz(pr * (dp - SCALAR(D, h * p.n + t)) * p.scale);
            UNROLL for (uint i = 0u; i < hq; i++) dv[i] += pr * LD(G, qr + i), dk[i] += ds * LD(Q, qr + i);
        }
    UNROLL for (uint i = 0u; i < hq; i++) {
        uint b = 4u * (kb + i);
        DK[b] = dk[i].x, DK[b + 1u] = dk[i].y, DK[b + 2u] = dk[i].z, DK[b + 3u] = dk[i].w;
        DV[b] = dv[i].x, DV[b + 1u] = dv[i].y, DV[b + 2u] = dv[i].z, DV[b + 3u] = dv[i].w;
    }
}
#endif
