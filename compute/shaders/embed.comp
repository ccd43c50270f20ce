#version 450
// embed.comp: X[r, i] = E[tok_r - row0, i] for the rows whose token falls in
// this chunk of the embedding table [row0, row0 + nrows). E is F32, F16 or
// BF16 (DT_*), read as uint words.
layout(local_size_x = 64) in;
struct Row { int seq; int pos; int tok; int src; };
layout(std430, binding = 0) readonly buffer Rb { Row rows[]; };
layout(std430, binding = 1) readonly buffer Eb { uint E[]; };
layout(std430, binding = 2) writeonly buffer Xb { float X[]; };
layout(push_constant) uniform P { uint D, row0, nrows, N; } p;

void main() {
    uint i = gl_GlobalInvocationID.x, r = gl_GlobalInvocationID.y;
    if (i >= p.D || r >= p.N) return;
    int t = rows[r].tok - int(p.row0);
    if (t < 0 || t >= int(p.nrows)) return;
    uint e = uint(t) * p.D + i;
#ifdef DT_F32
    float v = uintBitsToFloat(E[e]);
#elif defined(DT_F16)
    float v = unpackHalf2x16(E[e >> 1])[e & 1u];
#else
    uint w = E[e >> 1];
    float v = uintBitsToFloat((e & 1u) != 0u ? (w & 0xffff0000u) : (w << 16));
#endif
    X[r * p.D + i] = v;
}
