// wtype.glsl: element i of a weight buffer WB (binding WBIND) stored as
// F32, F16 or BF16 (DT_F32 / DT_F16 / DT_BF16; 16-bit values two per uint,
// the lower half first, as safetensors stores them).
#if defined(DT_F16) || defined(DT_BF16)
layout(std430, binding = WBIND) readonly buffer WBuf { uint WB[]; };
float wget(uint i) {
    uint w = WB[i >> 1];
    uint h = (i & 1u) != 0u ? (w >> 16) : (w & 0xffffu);
#ifdef DT_F16
    return unpackHalf2x16(h).x;
#else
    return uintBitsToFloat(h << 16);
#endif
}
#else
layout(std430, binding = WBIND) readonly buffer WBuf { float WB[]; };
float wget(uint i) { return WB[i]; }
#endif
