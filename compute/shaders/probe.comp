#version 450
// probe.comp: what one workgroup of LANES invocations is on this device.
// Every kernel that includes common.glsl reduces with subgroup operations
// and no shared memory, so it is right only where a LANES-wide workgroup
// runs as exactly one subgroup. Drivers may compile a compute shader at a
// width other than the subgroupSize they report (Intel picks SIMD8/16/32
// per shader; AMD runs wave32 or wave64) unless the pipeline requires a
// size; vk.c dispatches this once per context and checks the answer.
#include "common.glsl"

layout(std430, binding = 0) writeonly buffer Out { uvec4 o[]; };

void main() {
    uint i = gl_LocalInvocationID.x;
    o[i] = uvec4(subgroupAdd(1u), gl_NumSubgroups, gl_SubgroupSize, gl_SubgroupID);
}
