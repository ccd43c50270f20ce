#version 450
// elem_t.comp: elementwise kernels of training over n elements.
//   SWIGLU_FWD: H = silu(G) * U
//   SWIGLU_BWD: dG = dH * U * s(G) (1 + G (1 - s(G))), dU = dH * silu(G)   (written)
//   SUMSQ:      OUT[wg] = sum of X^2 over the workgroup's 64 x 64 elements (partials; the host adds them)
#include "push.h"
layout(local_size_x = 64) in;
layout(push_constant) uniform PC { PushElem p; };
#ifdef SWIGLU_FWD
layout(std430, binding = 0) readonly buffer Gb { float G[]; };
layout(std430, binding = 1) readonly buffer Ub { float U[]; };
layout(std430, binding = 2) writeonly buffer Hb { float H[]; };
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < p.n) H[i] = G[i] / (1.0 + exp(-G[i])) * U[i];
}
#elif defined(SWIGLU_BWD)
layout(std430, binding = 0) readonly buffer DHb { float DH[]; };
layout(std430, binding = 1) readonly buffer Gb { float G[]; };
layout(std430, binding = 2) readonly buffer Ub { float U[]; };
layout(std430, binding = 3) writeonly buffer DGb { float DG[]; };
layout(std430, binding = 4) writeonly buffer DUb { float DU[]; };
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= p.n) return;
    float g = G[i], sg = 1.0 / (1.0 + exp(-g));
    DG[i] = DH[i] * U[i] * sg * (1.0 + g * (1.0 - sg));
    DU[i] = DH[i] * g * sg;
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
