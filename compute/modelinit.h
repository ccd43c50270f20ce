/* modelinit.h: writes a model folder in the Hugging Face layout with random
 * weights (`imagine model init`), and opens such folders (or real ones).
 *
 * model_init writes config.json, model.safetensors, tokenizer.json (a BPE
 * trained on the TravelPlanner query files under data_dir, or on `corpus`),
 * tokenizer_config.json (with the chat template) and generation_config.json.
 * model_open maps and checks everything a forward pass needs; the
 * ModelFiles owns it all; model_close frees it (accepts NULL). */
#ifndef IMAGINE_MODELINIT_H
#define IMAGINE_MODELINIT_H

#include <stdint.h>

#include "chat.h"
#include "config.h"
#include "tokenizer.h"

typedef struct ModelInitOpts {
    ModelArch arch;
    const char *size; /* tiny, small, 0.6b */
    StDtype dtype;
    uint64_t seed;
    const char *out;
    const char *data_dir; /* TravelPlanner data: DIR/queries/{train,validation}.jsonl */
    const char *corpus;   /* when set: the tokenizer is trained on this text file instead */
    /* Overrides of the --size shape; 0 keeps the shape's value. */
    int hidden, layers, heads, kv_heads, head_dim, ffn, tok_vocab;
    /* > 0: every matrix (embedding and LM head included) ~ N(0, init_std)
     * and norm weights 1, as Hugging Face's initializer_range (written into
     * config.json). 0: the historical init (embedding std 0.5, matrices
     * 1/sqrt(fan-in), norms N(1, 0.1)), kept so old seeds give old weights. */
    float init_std;
} ModelInitOpts;

int model_init(const ModelInitOpts *o, Err *err);

typedef struct ModelFiles {
    char *dir;
    ModelConfig cfg;
    StModel *st;
    ModelWeights w;
    Tokenizer *tok;
    int has_chat; /* 0 when tokenizer_config.json has no known template */
    ChatKind chat;
    Err chat_err; /* why has_chat is 0 */
    int eos[8], n_eos;
} ModelFiles;

int model_open(const char *dir, ModelFiles **out, Err *err);
void model_close(ModelFiles *m);
int model_is_eos(const ModelFiles *m, int id);

/* splitmix64-based generator, shared with the sampler and tests. */
uint64_t rng_next(uint64_t *s);
float rng_uniform(uint64_t *s); /* [0, 1) */
float rng_normal(uint64_t *s);

#endif
