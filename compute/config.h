/* config.h: the model's config.json (Qwen3 and Llama architectures) and
 * the binding of its tensors by their Hugging Face names.
 *
 * model_config_load fills a plain struct (no allocation). model_weights_bind
 * looks up every tensor the architecture needs and checks its shape against
 * the config; the ModelWeights borrows the StTensors of the StModel. Errors
 * name the file and the field or tensor, and what was expected. */
#ifndef IMAGINE_CONFIG_H
#define IMAGINE_CONFIG_H

#include "err.h"
#include "safetensors.h"

typedef enum { ARCH_QWEN3 = 0, ARCH_LLAMA = 1 } ModelArch;
typedef enum { ROPE_DEFAULT = 0, ROPE_LINEAR = 1, ROPE_LLAMA3 = 2 } RopeKind;

typedef struct ModelConfig {
    ModelArch arch;
    int vocab, hidden, layers, n_heads, n_kv_heads, head_dim, ffn, max_pos;
    float eps;
    double rope_theta;
    RopeKind rope_kind;
    double rope_factor, rope_low, rope_high; /* llama3: low/high_freq_factor */
    int rope_orig_max;                        /* llama3: original_max_position_embeddings */
    int tied, qk_norm;
    StDtype dtype; /* torch_dtype */
    int bos, eos[4], n_eos;
    double init_range; /* initializer_range: the std of the weights at init (0: unknown, written as 0.02) */
} ModelConfig;

int model_config_load(const char *path, ModelConfig *c, Err *err);
/* Writes the config as Hugging Face's config.json into out (malloc'd). */
char *model_config_json(const ModelConfig *c);
/* The RoPE inverse frequencies (head_dim/2 values), scaling applied. */
void model_config_inv_freq(const ModelConfig *c, float *out);
const char *model_arch_name(ModelArch a);

typedef struct LayerWeights {
    const StTensor *attn_norm, *wq, *wk, *wv, *wo, *q_norm, *k_norm;
    const StTensor *ffn_norm, *gate, *up, *down;
} LayerWeights;

typedef struct ModelWeights {
    const StTensor *embed, *norm, *lm_head; /* lm_head == embed when tied */
    LayerWeights *layer;                    /* owned: c->layers entries */
} ModelWeights;

int model_weights_bind(const ModelConfig *c, const StModel *st, ModelWeights *w, Err *err);
void model_weights_free(ModelWeights *w);

#endif
