# Shader variants: NAME:SOURCE[:DEFINE...]; compute/CMakeLists.txt compiles
# each with glslc and embeds the SPIR-V under NAME.
set(IMAGINE_SHADER_VARIANTS "")
foreach(dt f32 f16 bf16)
  string(TOUPPER ${dt} DT)
  # matmul rows per invocation (RL): batch 1 takes 4 (8 in _r8, for the LM
  # head); batch 8 takes 8, except GLU (two accumulator sets) 4. vkmodel.c
  # matop/rec_mat must agree.
  list(APPEND IMAGINE_SHADER_VARIANTS "embed_${dt}:embed.comp:DT_${DT}"
    "mm_${dt}_b1:matmul.comp:DT_${DT}:BN=1:RL=4"
    "mm_${dt}_b1_acc:matmul.comp:DT_${DT}:BN=1:RL=4:ACC"
    "mm_${dt}_b1_glu:matmul.comp:DT_${DT}:BN=1:RL=4:GLU"
    "mm_${dt}_b1_r8:matmul.comp:DT_${DT}:BN=1:RL=8"
    "mm_${dt}_b8:matmul.comp:DT_${DT}:BN=8:RL=8"
    "mm_${dt}_b8_acc:matmul.comp:DT_${DT}:BN=8:RL=8:ACC"
    "mm_${dt}_b8_glu:matmul.comp:DT_${DT}:BN=8:RL=4:GLU")
endforeach()
list(APPEND IMAGINE_SHADER_VARIANTS
  "probe:probe.comp"
  "rmsnorm:rmsnorm.comp"
  "qkv_post:qkv_post.comp"
  "qkv_post_qknorm:qkv_post.comp:QKNORM"
  "attention_j1:attention.comp:NJ=1"
  "attention_j2:attention.comp:NJ=2"
  "attention_j4:attention.comp:NJ=4")
# Training kernels (the op table is compute/ops.c; push constants are shaders/push.h).
# attention with head_dim fixed (HQ = head_dim / 4): train_vk.c picks these by name
foreach(hd 16 32 64 128)
  math(EXPR hq "${hd} / 4")
  list(APPEND IMAGINE_SHADER_VARIANTS
    "attn_t_fwd_hd${hd}:attn_t.comp:FWD:HQ=${hq}"
    "attn_t_bwd_q_hd${hd}:attn_t.comp:BWD_Q:HQ=${hq}"
    "attn_t_bwd_kv_hd${hd}:attn_t.comp:BWD_KV:HQ=${hq}"
    "attn_sg_fwd_hd${hd}:attn_sg.comp:FWD:HQ=${hq}"
    "attn_sg_bwd_q_hd${hd}:attn_sg.comp:BWD_Q:HQ=${hq}"
    "attn_sg_bwd_kv_hd${hd}:attn_sg.comp:BWD_KV:HQ=${hq}")
endforeach()
list(APPEND IMAGINE_SHADER_VARIANTS
  "gemm_nt_f32:gemm.comp:BNK"
  "gemm_nn_f32:gemm.comp"
  "embed_t_f32:embed_t.comp:FWD"
  "cast_f32:adamw_t.comp"
  "gemm_tn_f32:gemm.comp:TA"
  "gemmx_nt:gemmx.comp:NT"
  "gemmx_nn:gemmx.comp:NN"
  "gemmx_tn:gemmx.comp:TN"
  "gemmx_nt2:gemmx.comp:NT:SEG2"
  "gemmx_nn2:gemmx.comp:NN:SEG2"
  "gemmt_nt:gemm_tile.comp:NT"
  "gemmt_nn:gemm_tile.comp:NN"
  "gemmt_tn:gemm_tile.comp:TN"
  "gemmt_nt2:gemm_tile.comp:NT:SEG2"
  "gemmt_nn2:gemm_tile.comp:NN:SEG2"
  "gemm_sum:gemm_sum.comp"
  "transpose_t:transpose_t.comp"
  "embed_t_bwd:embed_t.comp:DT_F32"
  "rmsnorm_t_fwd:rmsnorm_t.comp:FWD"
  "rmsnorm_t_fwd_copy:rmsnorm_t.comp:FWD:COPY"
  "rmsnorm_t_bwd_dx:rmsnorm_t.comp:BWD_DX"
  "rmsnorm_t_bwd_dw:rmsnorm_t.comp:BWD_DW"
  "rmsnorm_t_bwd_dw_sg:rmsnorm_t.comp:BWD_DW:SG_ROWS"
  "qkpost_t_fwd:qkpost_t.comp:FWD"
  "qkpost_t_bwd:qkpost_t.comp:BWD"
  "attn_t_fwd:attn_t.comp:FWD"
  "attn_t_bwd_q:attn_t.comp:BWD_Q"
  "attn_t_bwd_kv:attn_t.comp:BWD_KV"
  "swiglu_t_fwd:elem_t.comp:SWIGLU_FWD"
  "swiglu_t_bwd:elem_t.comp:SWIGLU_BWD"
  "sumsq_t:elem_t.comp:SUMSQ"
  "xent_t_fwd:xent_t.comp"
  "xent_t_grad:xent_t.comp:GRAD"
  "adamw_t:adamw_t.comp:STEP"
  "cast_r16:adamw_t.comp:R16"
  "cast_rbf16:adamw_t.comp:RBF16")
