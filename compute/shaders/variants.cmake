# Shader variants: NAME:SOURCE[:DEFINE...]; compute/CMakeLists.txt compiles
# each with glslc and embeds the SPIR-V under NAME.
set(IMAGINE_SHADER_VARIANTS "")
foreach(dt f32 f16 bf16)
  string(TOUPPER ${dt} DT)
  list(APPEND IMAGINE_SHADER_VARIANTS "embed_${dt}:embed.comp:DT_${DT}"
    "mm_${dt}_b1_r8:matmul.comp:DT_${DT}:BN=1:RL=8")
  foreach(bn 1 8)
    list(APPEND IMAGINE_SHADER_VARIANTS
      "mm_${dt}_b${bn}:matmul.comp:DT_${DT}:BN=${bn}"
      "mm_${dt}_b${bn}_acc:matmul.comp:DT_${DT}:BN=${bn}:ACC"
      "mm_${dt}_b${bn}_glu:matmul.comp:DT_${DT}:BN=${bn}:GLU")
  endforeach()
endforeach()
list(APPEND IMAGINE_SHADER_VARIANTS
  "rmsnorm:rmsnorm.comp"
  "qkv_post:qkv_post.comp"
  "qkv_post_qknorm:qkv_post.comp:QKNORM"
  "attention_j1:attention.comp:NJ=1"
  "attention_j2:attention.comp:NJ=2"
  "attention_j4:attention.comp:NJ=4")
