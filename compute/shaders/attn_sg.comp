#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_KHR_shader_subgroup_shuffle : require
// attn_sg.comp: the training attention of attn_t.comp (same bindings, push
// constants, formulas and segment rules; read its header) for GPUs: CL =
// head_dim / 16 lanes of a subgroup share a row, each holding 4 of the
// head's texels (texel sub + j CL, j < 4), and dot products are summed over
// the CL lanes by shuffles (log2 CL steps); a subgroup (= a workgroup,
// common.glsl) takes LANES / CL consecutive rows. attn_t.comp gives each
// invocation a whole row, right on lavapipe (a lane per row) but on a GPU
// 4 x head_dim floats per thread: at Qwen3-0.6B's shape on an H200 its dK/dV
// kernel spilled and took 36 % of a full step (895 ms of 2,490); here the
// three kernels take 97 ms. (A whole subgroup per row, this file's first
// form, took the same 97 ms with 5-step reductions: the shuffles are not
// what bounds it; K and V are not shared across rows through shared memory,
// as flash attention does, which is the next step.)
// Every lane of a subgroup walks the union of its rows' ranges (shuffles
// need them all), a row's own range marked live; each pass takes 4 keys
// (FWD, BWD_Q) or 4 query rows (BWD_KV), reduced together as a vec4.
// The grid is x = groups of LANES / CL rows, y = heads (kv heads for BWD_KV).
#include "common.glsl"
#include "push.h"
layout(push_constant) uniform PC { PushAttn p; };

#define CL uint(HQ / 4) /* lanes per row: 1, 2, 4, 8 for head_dim 16 .. 128 */
#define LD(T_, i_) uintBitsToFloat(texelFetch(T_, int(i_)))
#define SEGAT(s_) texelFetch(SEG, int((s_) >> 2))[(s_) & 3u]
#define SCALAR(T_, i_) uintBitsToFloat(texelFetch(T_, int((i_) >> 2))[(i_) & 3u])
#define EACH [[unroll]] for (uint j = 0u; j < 4u; j++)
#define TEX(j_) (sub + (j_) * CL)
#define STORE4(A_, b_, v_) A_[4u * (b_)] = (v_).x, A_[4u * (b_) + 1u] = (v_).y, A_[4u * (b_) + 2u] = (v_).z, A_[4u * (b_) + 3u] = (v_).w

/* the sum of x over this row's CL lanes */
vec4 row_sum(vec4 x) {
    [[unroll]] for (uint o = 1u; o < CL; o <<= 1) x += subgroupShuffleXor(x, o);
    return x;
}

uint sub, row; /* lane within the row's lanes; the row (or key row) this lane serves */
bool have;     /* row < n: a real row (the last group may run past n) */

void lanes() {
    sub = gl_SubgroupInvocationID % CL;
    row = gl_WorkGroupID.x * (gl_SubgroupSize / CL) + gl_SubgroupInvocationID / CL;
    have = row < p.n;
    row = min(row, p.n - 1u);
}

#ifdef FWD
layout(binding = 0) uniform usamplerBuffer Q;
layout(binding = 1) uniform usamplerBuffer K;
layout(binding = 2) uniform usamplerBuffer V;
layout(binding = 3) uniform usamplerBuffer SEG;
layout(std430, binding = 4) readonly buffer Bb { int BOUNDS[]; };
layout(std430, binding = 5) writeonly buffer Ob { float O[]; };
layout(std430, binding = 6) writeonly buffer Lb { float LSE[]; };
void main() {
    lanes();
    uint t = row, h = gl_WorkGroupID.y, hq = uint(HQ), kh = h / (p.nq / p.nkv), ks = p.nkv * hq;
    uint qb = t * p.nq * hq + h * hq, kb = kh * hq;
    vec4 q[4], o[4];
    EACH q[j] = LD(Q, qb + TEX(j)) * p.scale, o[j] = vec4(0.0);
    uint sg = SEGAT(t), lo = uint(BOUNDS[t]);
    float m = -1e30, l = 0.0;
    for (uint s0 = subgroupMin(lo); s0 <= subgroupMax(t); s0 += 4u) {
        uint kr[4];
        vec4 d = vec4(0.0);
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            kr[u] = clamp(s0 + u, lo, t) * ks + kb;
            EACH d[u] += dot(q[j], LD(K, kr[u] + TEX(j)));
        }
        d = row_sum(d);
        bvec4 live = bvec4(false);
        [[unroll]] for (uint u = 0u; u < 4u; u++) live[u] = s0 + u >= lo && s0 + u <= t && SEGAT(s0 + u) == sg;
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
            EACH o[j] += e * LD(V, kr[u] + TEX(j));
        }
    }
    float inv = 1.0 / l;
    if (have) {
        EACH STORE4(O, qb + TEX(j), o[j] * inv);
        if (sub == 0u) LSE[h * p.n + t] = m + log(l);
    }
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
    lanes();
    uint t = row, h = gl_WorkGroupID.y, hq = uint(HQ), kh = h / (p.nq / p.nkv), ks = p.nkv * hq;
    uint qb = t * p.nq * hq + h * hq, kb = kh * hq;
    vec4 q[4], g[4], dq[4];
    vec4 dt4 = vec4(0.0);
    EACH q[j] = LD(Q, qb + TEX(j)) * p.scale, g[j] = LD(G, qb + TEX(j)), dq[j] = vec4(0.0), dt4.x += dot(g[j], LD(O, qb + TEX(j)));
    float dt = row_sum(dt4).x;
    uint sg = SEGAT(t), lo = uint(BOUNDS[t]);
    float lse = LSE[h * p.n + t];
    for (uint s0 = subgroupMin(lo); s0 <= subgroupMax(t); s0 += 4u) {
        uint kr[4];
        vec4 d = vec4(0.0), dp = vec4(0.0);
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            kr[u] = clamp(s0 + u, lo, t) * ks + kb;
            EACH d[u] += dot(q[j], LD(K, kr[u] + TEX(j))), dp[u] += dot(g[j], LD(V, kr[u] + TEX(j)));
        }
        d = row_sum(d), dp = row_sum(dp);
        [[unroll]] for (uint u = 0u; u < 4u; u++) {
            bool live = s0 + u >= lo && s0 + u <= t && SEGAT(s0 + u) == sg;
            float ds = live ? ftz(ftz(exp(d[u] - lse)) * (dp[u] - dt) * p.scale) : 0.0;
            EACH dq[j] += ds * LD(K, kr[u] + TEX(j));
        }
    }
    if (have) {
        EACH STORE4(DQ, qb + TEX(j), dq[j]);
        if (sub == 0u) D[h * p.n + t] = dt;
    }
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
    lanes();
    uint s = row, kh = gl_WorkGroupID.y, hq = uint(HQ), group = p.nq / p.nkv, qs = p.nq * hq, kb = s * p.nkv * hq + kh * hq;
    vec4 k[4], v[4], dk[4], dv[4];
    EACH k[j] = LD(K, kb + TEX(j)) * p.scale, v[j] = LD(V, kb + TEX(j)), dk[j] = vec4(0.0), dv[j] = vec4(0.0);
    uint sg = SEGAT(s), hi = uint(BOUNDS[p.n + s]);
    for (uint h = kh * group; h < (kh + 1u) * group; h++)
        for (uint t0 = subgroupMin(s); t0 <= subgroupMax(hi); t0 += 4u) { /* 4 query rows a pass */
            uint qr[4];
            vec4 d = vec4(0.0), dp = vec4(0.0);
            [[unroll]] for (uint u = 0u; u < 4u; u++) {
                qr[u] = clamp(t0 + u, s, hi) * qs + h * hq;
                EACH d[u] += dot(LD(Q, qr[u] + TEX(j)), k[j]), dp[u] += dot(LD(G, qr[u] + TEX(j)), v[j]);
            }
            d = row_sum(d), dp = row_sum(dp);
            [[unroll]] for (uint u = 0u; u < 4u; u++) {
                uint t = clamp(t0 + u, s, hi);
                bool live = t0 + u >= s && t0 + u <= hi && SEGAT(t) == sg;
                float pr = live ? ftz(exp(d[u] - SCALAR(LSE, h * p.n + t))) : 0.0;
                float ds = live ? ftz(pr * (dp[u] - SCALAR(D, h * p.n + t)) * p.scale) : 0.0;
                EACH dv[j] += pr * LD(G, qr[u] + TEX(j)), dk[j] += ds * LD(Q, qr[u] + TEX(j));
            }
        }
    if (have) {
        EACH {
            STORE4(DK, kb + TEX(j), dk[j]);
            STORE4(DV, kb + TEX(j), dv[j]);
        }
    }
}
#endif
