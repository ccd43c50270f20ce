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
  "rmsnorm:rmsnorm.comp"
  "qkv_post:qkv_post.comp"
  "qkv_post_qknorm:qkv_post.comp:QKNORM"
  "attention_j1:attention.comp:NJ=1"
  "attention_j2:attention.comp:NJ=2"
  "attention_j4:attention.comp:NJ=4")
