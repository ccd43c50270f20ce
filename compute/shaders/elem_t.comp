#version 450
// elem_t.comp: elementwise kernels of training over n elements.
//   SWIGLU_FWD: H = silu(G) * U                      (G, U: the halves of GU's rows)
//   SWIGLU_BWD: dG = dH * U * s(G) (1 + G (1 - s(G))), dU = dH * silu(G)   (written into DGU's halves)
//   SUMSQ:      OUT[wg] = sum of X^2 over the workgroup's 64 x 64 elements (partials; the host adds them)
// SwiGLU: four elements per invocation, read as texels and stored as vec4
// (rmsnorm_t.comp says why); n = rows * f.
#include "push.h"
layout(local_size_x = 64) in;
layout(push_constant) uniform PC { PushElem p; };
#define T(B_, i_) uintBitsToFloat(texelFetch(B_, int(i_)))
/* SwiGLU's input GU [rows][2 f]: gate then up (the one product over the
   adjacent weights writes them so); texel i of H [rows][f] reads gate
   texel gi and up texel gi + f / 4 (f % 4 == 0). */
uint gate_texel(uint i) {
    uint e = 4u * i, f = p.f;
    return (e / f * 2u * f + e % f) / 4u;
}
#ifdef SWIGLU_FWD
layout(binding = 0) uniform usamplerBuffer GU;
layout(std430, binding = 1) writeonly buffer Hb { vec4 H[]; };
void main() {
    uint i = gl_GlobalInvocationID.x, gi = gate_texel(i);
    if (4u * i >= p.n) return;
    vec4 g = T(GU, gi);
    H[i] = g / (1.0 + exp(-g)) * T(GU, gi + p.f / 4u);
}
#elif defined(SWIGLU_BWD)
layout(binding = 0) uniform usamplerBuffer DH;
layout(binding = 1) uniform usamplerBuffer GU;
layout(std430, binding = 2) writeonly buffer DGUb { vec4 DGU[]; };
void main() {
    uint i = gl_GlobalInvocationID.x, gi = gate_texel(i), ui = gi + p.f / 4u;
    if (4u * i >= p.n) return;
    vec4 g = T(GU, gi), dh = T(DH, i), sg = 1.0 / (1.0 + exp(-g));
    DGU[gi] = dh * T(GU, ui) * sg * (1.0 + g * (1.0 - sg));
    DGU[ui] = dh * g * sg;
}
#else
layout(std430, binding = 0) readonly buffer Xb { vec4 X[]; }; /* n % 4 == 0 (adamw_t.comp says why vec4) */
layout(std430, binding = 1) writeonly buffer Ob { float OUT[]; };
shared float part[64];
void main() {
    uint lid = gl_LocalInvocationID.x, base = gl_WorkGroupID.x * 1024u;
    float s = 0.0;
    for (uint k = lid; k < 1024u; k += 64u) {
        uint i = base + k;
        if (4u * i < p.n) s += dot(X[i], X[i]);
    }
    part[lid] = s;
    barrier();
    if (lid == 0u) {
        float t = 0.0;
        for (uint k = 0u; k < 64u; k++) t += part[k];
        OUT[gl_WorkGroupID.x] = t;
    }
}
#endif
