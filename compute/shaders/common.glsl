// common.glsl: shared declarations. LANES is the workgroup width, set by
// specialization constant 0 to the device's subgroup size, so a workgroup
// is one subgroup and reductions need no shared memory or barriers.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint LANES = 32;

// One row of work: sequence, position, token, and (for gathering output
// rows) the source row.
struct Row {
    int seq;
    int pos;
    int tok;
    int src;
};
