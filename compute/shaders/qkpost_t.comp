#version 450
// qkpost_t.comp: what training does between the q/k/v product and attention,
// in one dispatch where it took five (two RMSNorms, two RoPEs, and the
// products writing q, k and v apart): on lavapipe each dispatch costs a
// hand-off to its worker threads (docs/compute.md, item 17), and the tiny
// shape's step was mostly hand-offs. One invocation per row and head of
// QKV [n][nq + 2 nkv][hd] (q heads, then k, then v, as the one product
// over the adjacent weights writes them):
//   FWD  q, k heads: x -> (norm: XQ/XK = x, R = rstd, x * rstd * W) -> RoPE
//        -> QR [n][nq][hd] / KR [n][nkv][hd];  v heads: copied to V [n][nkv][hd]
//   BWD  q, k heads: DQR/DKR rotated back in place (the norm's dW reads them),
//        then (norm) the RMSNorm's dX, into DQKV's columns of the head;
//        v heads: DV copied into DQKV's
// RoPE is rotate-half at positions POS from the host's table CS[pos][hd/2]
// of (cos, sin) pairs; hd % 8 == 0 (a half of whole texels). The C
// reference is the composition of opr_rmsnorm_* and opr_rope_* it
// replaces (tests/compute/test_ops_vk.c).
#include "push.h"
layout(local_size_x = 64) in;
layout(push_constant) uniform PC { PushQkPost p; };
#define T(B_, i_) uintBitsToFloat(texelFetch(B_, int(i_)))
#ifdef FWD
layout(binding = 0) uniform usamplerBuffer QKV;
layout(binding = 1) uniform usamplerBuffer WQ;
layout(binding = 2) uniform usamplerBuffer WK;
layout(binding = 3) uniform usamplerBuffer POS;
layout(binding = 4) uniform usamplerBuffer CS;
layout(std430, binding = 5) writeonly buffer QRb { vec4 QR[]; };
layout(std430, binding = 6) writeonly buffer KRb { vec4 KR[]; };
layout(std430, binding = 7) writeonly buffer Vb { vec4 V[]; };
layout(std430, binding = 8) writeonly buffer XQb { vec4 XQ[]; };
layout(std430, binding = 9) writeonly buffer XKb { vec4 XK[]; };
layout(std430, binding = 10) writeonly buffer RQb { float RQ[]; };
layout(std430, binding = 11) writeonly buffer RKb { float RK[]; };
#else
layout(std430, binding = 0) buffer DQRb { vec4 DQR[]; };
layout(std430, binding = 1) buffer DKRb { vec4 DKR[]; };
layout(binding = 2) uniform usamplerBuffer DV;
layout(binding = 3) uniform usamplerBuffer XQ;
layout(binding = 4) uniform usamplerBuffer XK;
layout(binding = 5) uniform usamplerBuffer WQ;
layout(binding = 6) uniform usamplerBuffer WK;
layout(binding = 7) uniform usamplerBuffer RQ; /* rstd of four rows a texel */
layout(binding = 8) uniform usamplerBuffer RK;
layout(binding = 9) uniform usamplerBuffer POS;
layout(binding = 10) uniform usamplerBuffer CS;
layout(std430, binding = 11) writeonly buffer DQKVb { vec4 DQKV[]; };
#endif

/* cos and sin of pairs 4i .. 4i + 3 at position pos (half = hd / 2) */
void angles(uint pos, uint half_, uint i, out vec4 c, out vec4 s) {
    uint b = pos * half_ / 2u + 2u * i;
    vec4 a0 = T(CS, b), a1 = T(CS, b + 1u);
    c = vec4(a0.x, a0.z, a1.x, a1.z), s = vec4(a0.y, a0.w, a1.y, a1.w);
}

void main() {
    uint H = p.nq + 2u * p.nkv, g = gl_GlobalInvocationID.x;
    if (g >= p.n * H) return;
    uint t = g / H, h = g % H, hq = p.hd / 4u, h4 = hq / 2u, src = g * hq; /* QKV's row t, head h: texel g hq */
    uint pos = texelFetch(POS, int(t / 4u))[t % 4u];
    bool isq = h < p.nq;
    uint row = isq ? t * p.nq + h : t * p.nkv + (h - p.nq), dst = row * hq; /* in QR/KR (q, k heads) */
#ifdef FWD
    if (h >= p.nq + p.nkv) {
        uint dv = (t * p.nkv + (h - p.nq - p.nkv)) * hq;
        for (uint i = 0u; i < hq; i++) V[dv + i] = T(QKV, src + i);
        return;
    }
    float s = 1.0;
    if (p.norm != 0u) {
        float ss = 0.0;
        for (uint i = 0u; i < hq; i++) {
            vec4 x = T(QKV, src + i);
            ss += dot(x, x);
            if (isq) XQ[dst + i] = x;
            else XK[dst + i] = x;
        }
        s = inversesqrt(ss / float(p.hd) + p.eps);
        if (isq) RQ[row] = s;
        else RK[row] = s;
    }
    for (uint i = 0u; i < h4; i++) {
        vec4 a = T(QKV, src + i) * s, b = T(QKV, src + h4 + i) * s, c, sn;
        if (p.norm != 0u) {
            a *= isq ? T(WQ, i) : T(WK, i);
            b *= isq ? T(WQ, h4 + i) : T(WK, h4 + i);
        }
        angles(pos, p.hd / 2u, i, c, sn);
        vec4 ya = a * c - b * sn, yb = b * c + a * sn;
        if (isq) QR[dst + i] = ya, QR[dst + h4 + i] = yb;
        else KR[dst + i] = ya, KR[dst + h4 + i] = yb;
    }
#else
    if (h >= p.nq + p.nkv) {
        uint dv = (t * p.nkv + (h - p.nq - p.nkv)) * hq;
        for (uint i = 0u; i < hq; i++) DQKV[src + i] = T(DV, dv + i);
        return;
    }
    float gwx = 0.0;
    for (uint i = 0u; i < h4; i++) { /* the inverse rotation; with the norm, sum(G W X) too */
        vec4 ga = isq ? DQR[dst + i] : DKR[dst + i], gb = isq ? DQR[dst + h4 + i] : DKR[dst + h4 + i], c, sn;
        angles(pos, p.hd / 2u, i, c, sn);
        vec4 xa = ga * c + gb * sn, xb = gb * c - ga * sn;
        if (p.norm == 0u) {
            DQKV[src + i] = xa, DQKV[src + h4 + i] = xb;
            continue;
        }
        if (isq) DQR[dst + i] = xa, DQR[dst + h4 + i] = xb;
        else DKR[dst + i] = xa, DKR[dst + h4 + i] = xb;
        vec4 wa = isq ? T(WQ, i) : T(WK, i), wb = isq ? T(WQ, h4 + i) : T(WK, h4 + i);
        vec4 x0 = isq ? T(XQ, dst + i) : T(XK, dst + i), x1 = isq ? T(XQ, dst + h4 + i) : T(XK, dst + h4 + i);
        gwx += dot(xa * wa, x0) + dot(xb * wb, x1);
    }
    if (p.norm == 0u) return;
    float s = isq ? T(RQ, row / 4u)[row % 4u] : T(RK, row / 4u)[row % 4u], c = gwx * s * s * s / float(p.hd);
    for (uint i = 0u; i < hq; i++) { /* RMSNorm's dX, as rmsnorm_t.comp's BWD_DX */
        vec4 gr = isq ? DQR[dst + i] : DKR[dst + i], w = isq ? T(WQ, i) : T(WK, i), x = isq ? T(XQ, dst + i) : T(XK, dst + i);
        DQKV[src + i] = s * gr * w - c * x;
    }
#endif
}
