#version 450
// xent_t.comp: cross-entropy of training, one workgroup (one subgroup) per
// row of L[n][v]: OUT[2r] = -W[r] log p(T[r]), OUT[2r+1] = log p(T[r])
// (0 and 0 where T[r] < 0); with GRAD, DL[r] = W[r] (softmax - onehot(T[r])).
// L and DL are bound from row p.row0 on (logits over the storage range come
// in row chunks), T, W and OUT whole.
#include "common.glsl"
#include "push.h"
layout(push_constant) uniform PC { PushXent p; };
layout(std430, binding = 0) readonly buffer Lb { float L[]; };
layout(std430, binding = 1) readonly buffer Tb { int T[]; };
layout(std430, binding = 2) readonly buffer Wb { float W[]; };
layout(std430, binding = 3) writeonly buffer Ob { float OUT[]; };
#ifdef GRAD
layout(std430, binding = 4) writeonly buffer Db { float DL[]; };
#endif
void main() {
    uint lr = gl_WorkGroupID.x, r = lr + p.row0, lane = gl_LocalInvocationID.x, b = lr * p.v;
    int tg = T[r];
    if (tg < 0) {
        if (lane == 0u) OUT[2u * r] = 0.0, OUT[2u * r + 1u] = 0.0;
#ifdef GRAD
        for (uint i = lane; i < p.v; i += LANES) DL[b + i] = 0.0;
#endif
        return;
    }
    float mx = -1e30;
    for (uint i = lane; i < p.v; i += LANES) mx = max(mx, L[b + i]);
    mx = subgroupMax(mx);
    float sum = 0.0;
    for (uint i = lane; i < p.v; i += LANES) sum += exp(L[b + i] - mx);
    sum = subgroupAdd(sum);
    float lse = mx + log(sum), lp = L[b + uint(tg)] - lse, w = W[r];
    if (lane == 0u) OUT[2u * r] = -w * lp, OUT[2u * r + 1u] = lp;
#ifdef GRAD
    for (uint i = lane; i < p.v; i += LANES) DL[b + i] = ftz(w * ftz(exp(L[b + i] - lse)) - (i == uint(tg) ? w : 0.0));
#endif
}
