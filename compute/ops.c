/* ops.c: the op table (see ops.h). */
#include "ops.h"

#define PB(s) (uint32_t) sizeof(struct s)

const OpKernel OP_TABLE[OP_COUNT] = {
    [OP_EMBED_FWD_F32] = {"embedding", "embed_t_f32", "forward", 3, PB(PushEmbed), "opr_embed_fwd", 0x2u},
    [OP_EMBED_BWD] = {"embedding", "embed_t_bwd", "backward dTable (scatter-add)", 5, PB(PushEmbed), "opr_embed_bwd"},
    [OP_RMSNORM_FWD] = {"rmsnorm", "rmsnorm_t_fwd", "forward", 4, PB(PushRows), "opr_rmsnorm_fwd", 0x3u},
    [OP_RMSNORM_FWD_COPY] = {"rmsnorm", "rmsnorm_t_fwd_copy", "forward (and its input copied)", 5, PB(PushRows), "opr_rmsnorm_fwd", 0x3u},
    [OP_RMSNORM_BWD_DX] = {"rmsnorm", "rmsnorm_t_bwd_dx", "backward dX", 5, PB(PushRows), "opr_rmsnorm_bwd", 0x7u},
    [OP_RMSNORM_BWD_DW] = {"rmsnorm", "rmsnorm_t_bwd_dw", "backward dW", 4, PB(PushRows), "opr_rmsnorm_bwd", 0x7u},
    [OP_QKPOST_FWD] = {"q/k norm + rope", "qkpost_t_fwd", "forward (q/k RMSNorm, RoPE, v copied out)", 12, PB(PushQkPost), "opr_rmsnorm_fwd + opr_rope_fwd", 0x1fu},
    [OP_QKPOST_BWD] = {"q/k norm + rope", "qkpost_t_bwd", "backward dQ, dK (RoPE, RMSNorm dX), dV copied in", 12, PB(PushQkPost), "opr_rope_bwd + opr_rmsnorm_bwd", 0x7fcu},
    [OP_ATTN_FWD] = {"attention", "attn_t_fwd", "forward (and log-sum-exp)", 7, PB(PushAttn), "opr_attn_fwd", 0xfu},
    [OP_ATTN_BWD_Q] = {"attention", "attn_t_bwd_q", "backward dQ (and dO.O)", 10, PB(PushAttn), "opr_attn_bwd", 0x3fu},
    [OP_ATTN_BWD_KV] = {"attention", "attn_t_bwd_kv", "backward dK, dV", 10, PB(PushAttn), "opr_attn_bwd", 0x7fu},
    [OP_SWIGLU_FWD] = {"swiglu", "swiglu_t_fwd", "forward", 2, PB(PushElem), "opr_swiglu_fwd", 0x1u},
    [OP_SWIGLU_BWD] = {"swiglu", "swiglu_t_bwd", "backward dGate, dUp", 3, PB(PushElem), "opr_swiglu_bwd", 0x3u},
    [OP_GEMM_NT_F32] = {"matmul", "gemm_nt_f32", "forward", 3, PB(PushGemm), "opr_matmul_fwd_dt"},
    [OP_GEMM_NN_F32] = {"matmul", "gemm_nn_f32", "backward dX", 3, PB(PushGemm), "opr_matmul_bwd_dt"},
    [OP_GEMM_TN_F32] = {"matmul", "gemm_tn_f32", "backward dW (fp32)", 3, PB(PushGemm), "opr_matmul_bwd_dt"},
    [OP_GEMMX_NT] = {"matmul", "gemmx_nt", "forward", 3, PB(PushGemm), "opr_matmul_fwd_dt", 0x3u},
    [OP_GEMMX_NN] = {"matmul", "gemmx_nn", "backward dX", 3, PB(PushGemm), "opr_matmul_bwd_dt", 0x3u},
    [OP_GEMMX_TN] = {"matmul", "gemmx_tn", "backward dW", 3, PB(PushGemm), "opr_matmul_bwd_dt", 0x3u},
    [OP_GEMMX_NT2] = {"matmul", "gemmx_nt2", "forward + LoRA path", 5, PB(PushGemm), "opr_matmul_fwd_dt", 0x1bu},
    [OP_GEMMX_NN2] = {"matmul", "gemmx_nn2", "backward dX + LoRA path", 5, PB(PushGemm), "opr_matmul_bwd_dt", 0x1bu},
    [OP_GEMMX_NT_DX] = {"matmul", "gemmx_nt", "backward dX, as NT over W^T", 3, PB(PushGemm), "opr_matmul_bwd_dt", 0x3u},
    [OP_GEMMX_NT_DW] = {"matmul", "gemmx_nt", "backward dW, as NT over dY^T and X^T", 3, PB(PushGemm), "opr_matmul_bwd_dt", 0x3u},
    [OP_GEMMX_NT2_DX] = {"matmul", "gemmx_nt2", "backward dX + LoRA path, as NT", 5, PB(PushGemm), "opr_matmul_bwd_dt", 0x1bu},
    [OP_GEMM_SPLIT_SUM] = {"matmul", "gemm_sum", "sum of split-K partials", 2, PB(PushSplit), "opr_split_sum"},
    [OP_TRANSPOSE] = {"matmul", "transpose_t", "operand transposed (dW, dX as NT)", 2, PB(PushTranspose), "opr_transpose", 0x1u},
    [OP_XENT_FWD] = {"cross-entropy", "xent_t_fwd", "forward", 4, PB(PushXent), "opr_xent_fwd"},
    [OP_XENT_GRAD] = {"cross-entropy", "xent_t_grad", "forward and backward dLogits", 5, PB(PushXent), "opr_xent_bwd"},
    [OP_SUMSQ] = {"grad-norm", "sumsq_t", "partial sums of squares", 2, PB(PushElem), "opr_sumsq"},
    [OP_ADAMW] = {"adamw", "adamw_t", "update master weights and moments", 4, PB(PushAdamw), "opr_adamw"},
    [OP_CAST_F32] = {"adamw", "cast_f32", "master -> F32 weights", 2, PB(PushElem), "st_pack"},
    [OP_CAST_R16] = {"adamw", "cast_r16", "master -> F32 holding F16 values", 2, PB(PushElem), "opr_round"},
    [OP_CAST_RBF16] = {"adamw", "cast_rbf16", "master -> F32 holding BF16 values", 2, PB(PushElem), "opr_round"},
    [OP_INF_EMBED_F32] = {"embedding", "embed_f32", "inference", 3, PB(PushEmbedInf), "ref.c", 0, 1},
    [OP_INF_EMBED_F16] = {"embedding", "embed_f16", "inference", 3, PB(PushEmbedInf), "ref.c", 0, 1},
    [OP_INF_EMBED_BF16] = {"embedding", "embed_bf16", "inference", 3, PB(PushEmbedInf), "ref.c", 0, 1},
    [OP_INF_RMSNORM] = {"rmsnorm", "rmsnorm", "inference", 4, PB(PushNorm), "ref.c", 0x3u, 1},
    [OP_INF_QKV_POST] = {"qk-norm+rope+kv write", "qkv_post", "inference", 8, PB(PushQkvPost), "ref.c", 0, 1},
    [OP_INF_QKV_POST_QKNORM] = {"qk-norm+rope+kv write", "qkv_post_qknorm", "inference", 8, PB(PushQkvPost), "ref.c", 0, 1},
    [OP_INF_ATTN_J1] = {"attention", "attention_j1", "inference", 5, PB(PushAttnInf), "ref.c", 0xeu, 1},
    [OP_INF_ATTN_J2] = {"attention", "attention_j2", "inference", 5, PB(PushAttnInf), "ref.c", 0xeu, 1},
    [OP_INF_ATTN_J4] = {"attention", "attention_j4", "inference", 5, PB(PushAttnInf), "ref.c", 0xeu, 1},
    [OP_INF_MATMUL] = {"matmul", "mm_*", "inference", 3, PB(PushMatmul), "ref.c", 0x3u, 1},
    [OP_INF_MATMUL_GLU] = {"matmul", "mm_*_glu", "inference", 4, PB(PushMatmul), "ref.c", 0xbu, 1},
};

static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

void ops_gemmx_grid(OpId id, uint32_t M, uint32_t N, uint32_t lanes, uint32_t *gx, uint32_t *gy) {
    uint32_t rows, cols; /* blocks of C */
    if (id == OP_GEMMX_NT2 || id == OP_GEMMX_NT_DX || id == OP_GEMMX_NT_DW || id == OP_GEMMX_NT2_DX) id = OP_GEMMX_NT;
    if (id == OP_GEMMX_NN2) id = OP_GEMMX_NN;
    if (id == OP_GEMMX_NT) rows = cdiv(M, GEMMX_NT_ROWS), cols = cdiv(N, GEMMX_NT_COLS);
    else if (id == OP_GEMMX_NN) rows = cdiv(M, GEMMX_NN_ROWS), cols = cdiv(N / 4, GEMMX_NN_TEXELS);
    else rows = cdiv(M / 4, GEMMX_TN_TEXELS_M), cols = cdiv(N / 4, GEMMX_TN_TEXELS_N);
    if (GEMMX_ROW_LANES(cols, lanes)) *gx = cdiv(rows, lanes), *gy = cols;
    else *gx = rows, *gy = cdiv(cols, lanes);
}

void ops_transpose_grid(const PushTranspose *p, uint32_t lanes, uint32_t *gx, uint32_t *gy) {
    *gx = cdiv(p->rows / 4, lanes), *gy = cdiv(p->cols / 4, TRANSPOSE_BLOCKS); /* transpose_t.comp: a 4x4 block an invocation */
}

const char *ops_gemm_tile_variant(OpId id) {
    switch (id) {
    case OP_GEMMX_NT:
    case OP_GEMMX_NT_DX:
    case OP_GEMMX_NT_DW: return "gemmt_nt";
    case OP_GEMMX_NT2_DX: return "gemmt_nt2";
    case OP_GEMMX_NN: return "gemmt_nn";
    case OP_GEMMX_TN: return "gemmt_tn";
    case OP_GEMMX_NT2: return "gemmt_nt2";
    case OP_GEMMX_NN2: return "gemmt_nn2";
    default: return NULL;
    }
}

void ops_gemm_tile_grid(uint32_t M, uint32_t N, uint32_t *gx, uint32_t *gy) { *gx = cdiv(N, 128), *gy = cdiv(M, 128); }

uint32_t ops_groups(OpId id, const void *push, uint32_t lanes) {
    const PushRows *r = push;
    const PushQkPost *q = push;
    const PushElem *e = push;
    switch (id) {
    case OP_RMSNORM_FWD:
    case OP_RMSNORM_FWD_COPY:
    case OP_RMSNORM_BWD_DX: return cdiv(r->n, lanes); /* rmsnorm_t.comp's workgroups are `lanes` wide */
    case OP_RMSNORM_BWD_DW: return cdiv(r->d / 4, lanes);
    case OP_QKPOST_FWD:
    case OP_QKPOST_BWD: return cdiv(q->n * (q->nq + 2 * q->nkv), 64);
    case OP_SWIGLU_FWD:
    case OP_SWIGLU_BWD:
    case OP_CAST_F32:
    case OP_CAST_R16:
    case OP_CAST_RBF16: return cdiv(cdiv(e->n, 4), 64);
    default: return 0;
    }
}

int ops_pipe_variant(VkCtx *c, OpId id, const char *variant, VkPipe **out, Err *err) {
    const OpKernel *k = &OP_TABLE[id];
    return vk_pipe_get(c, variant, k->nbind, k->texel_mask, k->push_bytes, out, err);
}

int ops_pipe(VkCtx *c, OpId id, VkPipe **out, Err *err) {
    const OpKernel *k = &OP_TABLE[id];
    return vk_pipe_get(c, k->kernel, k->nbind, k->texel_mask, k->push_bytes, out, err);
}
