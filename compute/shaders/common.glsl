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

// x, or 0 where x is subnormal. Probabilities from exp() that underflow
// into the subnormal range (a 151,936-way softmax's tail, attention's
// far keys) would otherwise make every product they enter take the CPU's
// slow subnormal path: lavapipe does not set flush-to-zero, and a product
// over subnormal gradients ran 25x slower (0.63 against 17 GFLOP/s). The
// values dropped are below 1.2e-38, far under any tolerance of the tests.
float ftz(float x) { return abs(x) < 1.17549435e-38 ? 0.0 : x; }
