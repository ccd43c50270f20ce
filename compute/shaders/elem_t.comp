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
   adjacent weights writes them so). Invocation i takes texel i of H
   [rows][f], at row i / (f / 4), found through a float reciprocal and
   corrected by one (lavapipe divides integers lane by lane). The forward
   of the main job's shape, 4 layers: 2.5-2.7 ms a step this way, 2.8 with
   the division, 3.5 with a workgroup a row; 1.7-2.4 when gate and up were
   two buffers, which cost two products more. */
#define SWIGLU_ROWS(body_)                                                                        \
    uint fq = p.f / 4u, hi = gl_GlobalInvocationID.x;                                            \
    if (4u * hi >= p.n) return;                                                                  \
    uint row = uint(float(hi) * (1.0 / float(fq)));                                              \
    row = row * fq > hi ? row - 1u : (row + 1u) * fq <= hi ? row + 1u : row;                     \
    uint gi = hi + row * fq, ui = gi + fq;                                                       \
    body_
#ifdef SWIGLU_FWD
layout(binding = 0) uniform usamplerBuffer GU;
layout(std430, binding = 1) writeonly buffer Hb { vec4 H[]; };
void main() {
    SWIGLU_ROWS(vec4 g = T(GU, gi); H[hi] = g / (1.0 + exp(-g)) * T(GU, ui);)
}
#elif defined(SWIGLU_BWD)
layout(binding = 0) uniform usamplerBuffer DH;
layout(binding = 1) uniform usamplerBuffer GU;
layout(std430, binding = 2) writeonly buffer DGUb { vec4 DGU[]; };
void main() {
    SWIGLU_ROWS(vec4 g = T(GU, gi); vec4 dh = T(DH, hi); vec4 sg = 1.0 / (1.0 + exp(-g));
                DGU[gi] = dh * T(GU, ui) * sg * (1.0 + g * (1.0 - sg)); DGU[ui] = dh * g * sg;)
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
