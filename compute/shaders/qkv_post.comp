#version 450
// qkv_post.comp: after the fused q/k/v projection, one invocation per (row,
// head): (QKNORM: RMSNorm of the head with q_norm/k_norm), RoPE rotate-half
// with the cos/sin table, then q to Q, k and v into the row's sequence KV
// cache at the row's position.
layout(local_size_x = 64) in;
struct Row { int seq; int pos; int tok; int src; };
layout(std430, binding = 0) readonly buffer Rb { Row rows[]; };
layout(std430, binding = 1) readonly buffer QKVb { float QKV[]; };
layout(std430, binding = 2) writeonly buffer Qb { float Q[]; };
layout(std430, binding = 3) writeonly buffer KCb { float KC[]; };
layout(std430, binding = 4) writeonly buffer VCb { float VC[]; };
layout(std430, binding = 5) readonly buffer Tb { vec2 CS[]; };
layout(std430, binding = 6) readonly buffer QNb { float QN[]; };
layout(std430, binding = 7) readonly buffer KNb { float KN[]; };
#include "push.h"
layout(push_constant) uniform PC { PushQkvPost p; };

void main() {
    uint h = gl_GlobalInvocationID.x, r = gl_GlobalInvocationID.y;
    uint nh = p.nq + 2u * p.nkv;
    if (h >= nh || r >= p.N) return;
    uint hd = p.hd, half_ = hd / 2u, kvd = p.nkv * hd;
    uint src = r * nh * hd + h * hd;
    uint seq = uint(rows[r].seq), pos = uint(rows[r].pos);
    uint cbase = (seq * p.ctx + pos) * kvd;
    if (h >= p.nq + p.nkv) {
        uint kh = h - p.nq - p.nkv;
        for (uint i = 0u; i < hd; i++) VC[cbase + kh * hd + i] = QKV[src + i];
        return;
    }
    bool isq = h < p.nq;
    float k = 1.0;
#ifdef QKNORM
    float ss = 0.0;
    for (uint i = 0u; i < hd; i++) ss += QKV[src + i] * QKV[src + i];
    k = inversesqrt(ss / float(hd) + p.eps);
#endif
    for (uint i = 0u; i < half_; i++) {
        float x0 = QKV[src + i] * k, x1 = QKV[src + i + half_] * k;
#ifdef QKNORM
        x0 *= isq ? QN[i] : KN[i];
        x1 *= isq ? QN[i + half_] : KN[i + half_];
#endif
        vec2 cs = CS[pos * half_ + i];
        float y0 = x0 * cs.x - x1 * cs.y, y1 = x1 * cs.x + x0 * cs.y;
        if (isq) {
            Q[r * p.nq * hd + h * hd + i] = y0;
            Q[r * p.nq * hd + h * hd + i + half_] = y1;
        } else {
            uint kh = h - p.nq;
            KC[cbase + kh * hd + i] = y0;
            KC[cbase + kh * hd + i + half_] = y1;
        }
    }
}
