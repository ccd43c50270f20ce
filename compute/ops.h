/* ops.h: the op table of the kernels (training and inference). Each entry names the op, the
 * kernel (a shader variant embedded from compute/shaders), its role
 * (forward or which backward), its bindings, the size of its push-constant
 * struct (declared once in shaders/push.h, which C and GLSL both include)
 * and the C reference of ops_ref.h it is tested against (tests/compute/
 * test_ops_vk.c; inference kernels: compute_vulkan against ref.c). Callers
 * name kernels by OpId, never by a binding count, texel mask or push size:
 * ops_pipe returns the cached pipeline.
 *
 * Pure table plus two lookups; pipelines are owned by the VkCtx. */
#ifndef IMAGINE_OPS_H
#define IMAGINE_OPS_H

#include "safetensors.h"
#include "shaders/push.h"
#include "vk.h"

typedef enum {
    OP_EMBED_FWD_F32, OP_EMBED_BWD,
    OP_RMSNORM_FWD, OP_RMSNORM_FWD_COPY, OP_RMSNORM_BWD_DX, OP_RMSNORM_BWD_DW, /* _COPY: its input copied out too (the residual stream) */
    OP_QKPOST_FWD, OP_QKPOST_BWD, /* q/k RMSNorm + RoPE + v, between the q/k/v product and attention (qkpost_t.comp) */
    OP_ATTN_FWD, OP_ATTN_BWD_Q, OP_ATTN_BWD_KV,
    OP_SWIGLU_FWD, OP_SWIGLU_BWD,
    /* Training holds every weight as F32 (16-bit models: F32 holding the rounded values), so the
       products and the embedding are F32 only. */
    OP_GEMM_NT_F32,                                  /* Y = X . W^T (forward) */
    OP_GEMM_NN_F32,                                  /* dX += dY . W */
    OP_GEMM_TN_F32,                                  /* dW += dY^T . X */
    OP_GEMMX_NT, OP_GEMMX_NN, OP_GEMMX_TN,           /* the same products, F32 through texel fetches (gemmx.comp) */
    OP_GEMMX_NT2, OP_GEMMX_NN2,                      /* NT and NN plus a second product (LoRA's path): A2, B2 at bindings 3, 4 */
    OP_GEMMX_NT_DX, OP_GEMMX_NT_DW, OP_GEMMX_NT2_DX, /* gemmx_nt and gemmx_nt2 where train_vk.c runs dX and dW as NT over
                                                        transposed copies: entries of their own, so the profile names the pass */
    OP_GEMM_SPLIT_SUM,                               /* GPUs: the partials of a split-K product (gemm_tile.comp kc) summed into C */
    OP_TRANSPOSE,                                    /* CPU devices: an operand transposed, so dW and dX run as NT products */
    OP_XENT_FWD, OP_XENT_GRAD,
    OP_SUMSQ, OP_ADAMW,
    OP_CAST_F32, OP_CAST_R16, OP_CAST_RBF16,
    /* inference (vkmodel.c; tested against ref.c by compute_vulkan) */
    OP_INF_EMBED_F32, OP_INF_EMBED_F16, OP_INF_EMBED_BF16, OP_INF_RMSNORM, OP_INF_QKV_POST, OP_INF_QKV_POST_QKNORM,
    OP_INF_ATTN_J1, OP_INF_ATTN_J2, OP_INF_ATTN_J4,
    OP_INF_MATMUL,     /* mm_DT_bB[_acc][_r8]: variants named by the caller (variants.cmake) */
    OP_INF_MATMUL_GLU, /* mm_DT_bB_glu */
    OP_COUNT
} OpId;

typedef struct OpKernel {
    const char *op;     /* the op: embedding, rmsnorm, rope, attention, swiglu, matmul, cross-entropy, adamw */
    const char *kernel; /* shader variant */
    const char *role;   /* "forward", "backward dX", ... */
    int nbind;          /* storage-buffer bindings 0..nbind-1 */
    uint32_t push_bytes;
    const char *ref;    /* the C reference it matches */
    uint32_t texel_mask; /* bit i: binding i is a uniform texel buffer (else storage) */
    int inference;       /* 1: an inference kernel, checked by compute_vulkan */
} OpKernel;

extern const OpKernel OP_TABLE[OP_COUNT];

int ops_pipe(VkCtx *c, OpId id, VkPipe **out, Err *err);
/* The same for one shader variant of a family entry (OP_INF_MATMUL*). */
int ops_pipe_variant(VkCtx *c, OpId id, const char *variant, VkPipe **out, Err *err);
/* The grid of a gemmx product (OP_GEMMX_*; NT2 and NN2 as NT and NN, the NT_DX/DW entries as NT) of C[M][N] on a device whose
 * workgroups are `lanes` wide (gemmx.comp's block sizes, push.h). */
void ops_gemmx_grid(OpId id, uint32_t M, uint32_t N, uint32_t lanes, uint32_t *gx, uint32_t *gy);
/* The grid of a transpose (OP_TRANSPOSE) on a device whose workgroups are `lanes` wide. */
void ops_transpose_grid(const PushTranspose *p, uint32_t lanes, uint32_t *gx, uint32_t *gy);
/* GPUs: the tiled kernel (gemm_tile.comp) of a gemmx op, which takes the same bindings and push
 * constants, and its grid for C[M][N] (x: tiles of N, y: tiles of M). */
const char *ops_gemm_tile_variant(OpId id);
void ops_gemm_tile_grid(uint32_t M, uint32_t N, uint32_t *gx, uint32_t *gy);
/* Workgroups (x; y and z are 1) of the row and elementwise kernels whose
 * work per invocation their shaders fix: RMSNorm (a row; dW: four
 * columns), the q/k post-processing (a row and head), SwiGLU and AdamW's casts (four elements), from the op's push
 * constants; 0 for any other op. */
uint32_t ops_groups(OpId id, const void *push, uint32_t lanes);
/* The kernel of a dtype family: base + 0 (F32), 1 (F16), 2 (BF16). */
static inline OpId ops_dt(OpId base, StDtype dt) { return (OpId)((int)base + (int)dt); }

#endif
