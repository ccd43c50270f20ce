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
// Each pass takes 4 keys (FWD, BWD_Q) or 4 query rows (BWD_KV), so one
// subgroupAdd of a vec4 sums 4 dot products (one a pass left the kernels
// waiting on the reduction's shuffles).
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
    for (uint s0 = uint(BOUNDS[t]); s0 <= t; s0 += 4u) { /* 4 keys a pass: one subgroupAdd for their 4 scores */
        uint kr[4];
        vec4 d = vec4(0.0);
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            kr[u] = min(s0 + u, t) * ks + kb;
            EACH if (TEX(j) < hq) d[u] += dot(q[j], LD(K, kr[u] + TEX(j)));
        }
        d = subgroupAdd(d);
        bvec4 live = bvec4(false);
        [[unroll]] for (uint u = 0u; u < 4u; u++) live[u] = s0 + u <= t && SEGAT(s0 + u) == sg;
        float mx = max(max(live.x ? d.x : -1e30, live.y ? d.y : -1e30), max(live.z ? d.z : -1e30, live.w ? d.w : -1e30));
        if (mx > m) {
            float c = ftz(exp(m - mx));
            l *= c;
            EACH o[j] *= c;
            m = mx;
        }
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            float e = live[u] ? ftz(exp(d[u] - m)) : 0.0;
            l += e;
            EACH if (TEX(j) < hq) o[j] += e * LD(V, kr[u] + TEX(j));
        }
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
    for (uint s0 = uint(BOUNDS[t]); s0 <= t; s0 += 4u) { /* 4 keys a pass */
        uint kr[4];
        vec4 d = vec4(0.0), dp = vec4(0.0);
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            kr[u] = min(s0 + u, t) * ks + kb;
            EACH if (TEX(j) < hq) d[u] += dot(q[j], LD(K, kr[u] + TEX(j))), dp[u] += dot(g[j], LD(V, kr[u] + TEX(j)));
        }
        d = subgroupAdd(d), dp = subgroupAdd(dp);
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            float ds = s0 + u <= t && SEGAT(s0 + u) == sg ? ftz(ftz(exp(d[u] - lse)) * (dp[u] - dt) * p.scale) : 0.0;
            EACH if (TEX(j) < hq) dq[j] += ds * LD(K, kr[u] + TEX(j));
        }
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
        for (uint t0 = s; t0 <= hi; t0 += 4u) { /* 4 query rows a pass */
            uint qr[4];
            vec4 d = vec4(0.0), dp = vec4(0.0);
            [[unroll]] for (uint u = 0u; u < 4u; u++) {
                qr[u] = min(t0 + u, hi) * qs + h * hq;
                EACH if (TEX(j) < hq) d[u] += dot(LD(Q, qr[u] + TEX(j)), k[j]), dp[u] += dot(LD(G, qr[u] + TEX(j)), v[j]);
            }
            d = subgroupAdd(d), dp = subgroupAdd(dp);
            [[unroll]] for (uint u = 0u; u < 4u; u++) {
                uint t = min(t0 + u, hi);
                bool live = t0 + u <= hi && SEGAT(t) == sg;
                float pr = live ? ftz(exp(d[u] - SCALAR(LSE, h * p.n + t))) : 0.0;
                float ds = live ? ftz(pr * (dp[u] - SCALAR(D, h * p.n + t)) * p.scale) : 0.0;
                EACH if (TEX(j) < hq) dv[j] += pr * LD(G, qr[u] + TEX(j)), dk[j] += ds * LD(Q, qr[u] + TEX(j));
            }
        }
    EACH if (TEX(j) < hq) {
        STORE4(DK, kb + TEX(j), dk[j]);
        STORE4(DV, kb + TEX(j), dv[j]);
    }
}
#endif
