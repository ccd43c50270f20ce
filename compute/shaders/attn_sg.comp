#version 450
#extension GL_EXT_control_flow_attributes : require
// attn_sg.comp: the training attention of attn_t.comp (same bindings, push
// constants, formulas and segment rules; read its header) for GPUs: one
// workgroup, which is one subgroup (common.glsl), per (row, head), its
// lanes splitting the head's texels and summing dot products with
// subgroupAdd. attn_t.comp gives each invocation a whole row, which on
// lavapipe is right (a lane per row) but on a GPU keeps head_dim x 4
// floats per thread: at Qwen3-0.6B's shape on an H200 its dK/dV kernel
// spilled and took 36 % of a full step (895 ms of 2,490). Here a lane
// holds PL texels of each operand (texel i = lane + j * LANES, j < PL), so
// the variant needs head_dim / 4 <= PL * LANES (train_vk.c checks).
// The grid is x = rows, y = heads (kv heads for BWD_KV).
#include "common.glsl"
#include "push.h"
#ifndef PL
#define PL 4
#endif
layout(push_constant) uniform PC { PushAttn p; };

#define HQ_ uint(HQ)
#define LD(T_, i_) uintBitsToFloat(texelFetch(T_, int(i_)))
#define SEGAT(s_) texelFetch(SEG, int((s_) >> 2))[(s_) & 3u]
#define SCALAR(T_, i_) uintBitsToFloat(texelFetch(T_, int((i_) >> 2))[(i_) & 3u])
#define EACH [[unroll]] for (uint j = 0u; j < uint(PL); j++)
#define TEX(j_) (gl_SubgroupInvocationID + (j_) * gl_SubgroupSize)
#define STORE4(A_, b_, v_) A_[4u * (b_)] = (v_).x, A_[4u * (b_) + 1u] = (v_).y, A_[4u * (b_) + 2u] = (v_).z, A_[4u * (b_) + 3u] = (v_).w

#ifdef FWD
layout(binding = 0) uniform usamplerBuffer Q;
layout(binding = 1) uniform usamplerBuffer K;
layout(binding = 2) uniform usamplerBuffer V;
layout(binding = 3) uniform usamplerBuffer SEG;
layout(std430, binding = 4) readonly buffer Bb { int BOUNDS[]; };
layout(std430, binding = 5) writeonly buffer Ob { float O[]; };
layout(std430, binding = 6) writeonly buffer Lb { float LSE[]; };
void main() {
    uint t = gl_WorkGroupID.x, h = gl_WorkGroupID.y;
    uint hq = HQ_, kh = h / (p.nq / p.nkv), ks = p.nkv * hq;
    uint qb = t * p.nq * hq + h * hq, kb = kh * hq;
    vec4 q[PL], o[PL];
    EACH q[j] = TEX(j) < hq ? LD(Q, qb + TEX(j)) * p.scale : vec4(0.0), o[j] = vec4(0.0);
    uint sg = SEGAT(t);
    float m = -1e30, l = 0.0;
    for (uint s = uint(BOUNDS[t]); s <= t; s++) {
        if (SEGAT(s) != sg) continue;
        uint kr = s * ks + kb;
        float d = 0.0;
        EACH if (TEX(j) < hq) d += dot(q[j], LD(K, kr + TEX(j)));
        d = subgroupAdd(d);
        if (d > m) {
            float c = ftz(exp(m - d));
            l *= c;
            EACH o[j] *= c;
            m = d;
        }
        float e = ftz(exp(d - m));
        l += e;
        EACH if (TEX(j) < hq) o[j] += e * LD(V, kr + TEX(j));
    }
    float inv = 1.0 / l;
    EACH if (TEX(j) < hq) STORE4(O, qb + TEX(j), o[j] * inv);
    if (gl_SubgroupInvocationID == 0u) LSE[h * p.n + t] = m + log(l);
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
    uint t = gl_WorkGroupID.x, h = gl_WorkGroupID.y;
    uint hq = HQ_, kh = h / (p.nq / p.nkv), ks = p.nkv * hq;
    uint qb = t * p.nq * hq + h * hq, kb = kh * hq;
    vec4 q[PL], g[PL], dq[PL];
    float dt = 0.0;
    EACH {
        bool in_ = TEX(j) < hq;
        q[j] = in_ ? LD(Q, qb + TEX(j)) * p.scale : vec4(0.0), g[j] = in_ ? LD(G, qb + TEX(j)) : vec4(0.0), dq[j] = vec4(0.0);
        if (in_) dt += dot(g[j], LD(O, qb + TEX(j)));
    }
    dt = subgroupAdd(dt);
    uint sg = SEGAT(t);
    float lse = LSE[h * p.n + t];
    for (uint s = uint(BOUNDS[t]); s <= t; s++) {
        if (SEGAT(s) != sg) continue;
        uint kr = s * ks + kb;
        vec4 kv[PL];
        vec2 r = vec2(0.0);
        EACH if (TEX(j) < hq) kv[j] = LD(K, kr + TEX(j)), r += vec2(dot(q[j], kv[j]), dot(g[j], LD(V, kr + TEX(j))));
        r = subgroupAdd(r);
        float ds = ftz(ftz(exp(r.x - lse)) * (r.y - dt) * p.scale);
        EACH if (TEX(j) < hq) dq[j] += ds * kv[j];
    }
    EACH if (TEX(j) < hq) STORE4(DQ, qb + TEX(j), dq[j]);
    if (gl_SubgroupInvocationID == 0u) D[h * p.n + t] = dt;
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
    uint s = gl_WorkGroupID.x, kh = gl_WorkGroupID.y;
    uint hq = HQ_, group = p.nq / p.nkv, qs = p.nq * hq, kb = s * p.nkv * hq + kh * hq;
    vec4 k[PL], v[PL], dk[PL], dv[PL];
    EACH {
        bool in_ = TEX(j) < hq;
        k[j] = in_ ? LD(K, kb + TEX(j)) * p.scale : vec4(0.0), v[j] = in_ ? LD(V, kb + TEX(j)) : vec4(0.0);
        dk[j] = vec4(0.0), dv[j] = vec4(0.0);
    }
    uint sg = SEGAT(s), hi = uint(BOUNDS[p.n + s]);
    for (uint h = kh * group; h < (kh + 1u) * group; h++)
        for (uint t = s; t <= hi; t++) {
            if (SEGAT(t) != sg) continue;
            uint qr = t * qs + h * hq;
            vec4 qv[PL], gv[PL];
            vec2 r = vec2(0.0);
            EACH if (TEX(j) < hq) qv[j] = LD(Q, qr + TEX(j)), gv[j] = LD(G, qr + TEX(j)), r += vec2(dot(qv[j], k[j]), dot(gv[j], v[j]));
            r = subgroupAdd(r);
            float pr = ftz(exp(r.x - SCALAR(LSE, h * p.n + t)));
            float ds = ftz(pr * (r.y - SCALAR(D, h * p.n + t)) * p.scale);
            EACH if (TEX(j) < hq) dv[j] += pr * gv[j], dk[j] += ds * qv[j];
        }
    EACH if (TEX(j) < hq) {
        STORE4(DK, kb + TEX(j), dk[j]);
        STORE4(DV, kb + TEX(j), dv[j]);
    }
}
#endif
