#version 450
// adamw_t.comp: the optimizer step of training.
//   STEP: AdamW on fp32 master weights MA, moments M and V, gradients G
//         (times gscale), over n elements (all trainable tensors at once:
//         their arena regions have the same layout), as torch.optim.AdamW;
//         four elements per invocation (n % 4 == 0, as the regions' windows
//         are): lavapipe loops over the SIMD lanes once per storage access,
//         whatever its width, so vec4 accesses cost a quarter per element.
//   CAST: the weights the forward uses, from the masters: F32, or (R16,
//         RBF16) F32 holding the F16/BF16-rounded values (round to nearest
//         even) of a 16-bit model's tensors; four elements per invocation
//         too (a partial last texel element by element).
#include "push.h"
layout(local_size_x = 64) in;
#ifdef STEP
layout(push_constant) uniform PC { PushAdamw p; };
layout(std430, binding = 0) buffer MAb { vec4 MA[]; };
layout(std430, binding = 1) buffer Mb { vec4 M[]; };
layout(std430, binding = 2) buffer Vb { vec4 V[]; };
layout(std430, binding = 3) readonly buffer Gb { vec4 G[]; };
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (4u * i >= p.n) return;
    vec4 g = G[i] * p.gscale;
    vec4 w = MA[i] * p.decay;
    vec4 m = p.beta1 * M[i] + (1.0 - p.beta1) * g;
    vec4 v = p.beta2 * V[i] + (1.0 - p.beta2) * g * g;
    M[i] = m, V[i] = v;
    MA[i] = w - p.lr * p.bc1 * m / (sqrt(v) * p.bc2s + p.eps);
}
#else
layout(push_constant) uniform PC { PushElem p; };
layout(std430, binding = 0) readonly buffer MAb { vec4 MA[]; };
uint bf16_bits(float f) {
    uint u = floatBitsToUint(f);
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}
uint f16_bits(float f) { // round to nearest even, as compute/half.h
    uint u = floatBitsToUint(f), sign = (u >> 16) & 0x8000u;
    int e = int((u >> 23) & 0xffu) - 127 + 15;
    uint man = u & 0x7fffffu;
    if (((u >> 23) & 0xffu) == 0xffu) return sign | 0x7c00u | (man != 0u ? 0x200u : 0u);
    if (e >= 31) return sign | 0x7c00u;
    if (e <= 0) {
        if (e < -10) return sign;
        man |= 0x800000u;
        uint sh = uint(14 - e), h = man >> sh, rem = man & ((1u << sh) - 1u), hf = 1u << (sh - 1u);
        if (rem > hf || (rem == hf && (h & 1u) != 0u)) h++;
        return sign | h;
    }
    uint h = (uint(e) << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) != 0u)) h++;
    return sign | h;
}
layout(std430, binding = 1) writeonly buffer Pb { vec4 P[]; };
float cast1(float x) {
#ifdef R16
    return unpackHalf2x16(f16_bits(x)).x;
#elif defined(RBF16)
    return uintBitsToFloat(bf16_bits(x) << 16);
#else
    return x;
#endif
}
void main() { /* four elements an invocation, as STEP (the casts of a 0.6B step: 1.19 s one float at a time) */
    uint i = gl_GlobalInvocationID.x;
    if (4u * i >= p.n) return;
    if (4u * i + 3u < p.n) {
        vec4 x = MA[i];
        P[i] = vec4(cast1(x.x), cast1(x.y), cast1(x.z), cast1(x.w));
    } else {
        for (uint e = 0u; 4u * i + e < p.n; e++) P[i][e] = cast1(MA[i][e]); /* a run's last, partial texel */
    }
}
#endif
