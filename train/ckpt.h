/* ckpt.h: training checkpoints and LoRA adapters on disk.
 *
 * A checkpoint is a Hugging Face model folder (config.json, the tokenizer
 * files and generation_config.json copied from the input model, the
 * weights in model.safetensors in the input's dtype) that `generate`,
 * `serve` and `--model local:DIR` open unchanged, plus the trainer's own
 * files: optimizer.safetensors (optim.h) and trainer_state.json (step,
 * data position, the run). With LoRA it also holds the adapter in PEFT's
 * layout: adapter_config.json and adapter_model.safetensors with PEFT's
 * tensor names (base_model.model.<module>.lora_A.weight [r, in] and
 * .lora_B.weight [out, r], F32), and model.safetensors is the merged model.
 *
 * Writes are atomic at the folder level: everything goes into
 * OUT/.NAME.tmp.PID, then one rename makes OUT/NAME appear complete; a
 * kill at any moment leaves either the previous checkpoint or the new one.
 * No function here writes into the input model's folder: tr_ckpt_check_out
 * refuses an output that is (or is inside) it.
 *
 * Ownership: TrTensorOut arrays and their data are the caller's; nothing
 * is kept. TrAdapter (tr_adapter_load) owns its tensors; free with
 * tr_adapter_free (accepts a zeroed one). */
#ifndef IMAGINE_TRAIN_CKPT_H
#define IMAGINE_TRAIN_CKPT_H

#include <stdint.h>

#include "buf.h"
#include "safetensors.h"

/* A tensor to write: fp32 values packed to dtype on the way out. */
typedef struct TrTensorOut {
    const char *name;
    StDtype dtype;
    int ndim;
    int64_t shape[2];
    const float *data;
} TrTensorOut;

/* IM_USAGE when out is the model folder or lies inside it. */
int tr_ckpt_check_out(const char *model_dir, const char *out, Err *err);

/* Makes OUT/.NAME.tmp.PID (removing a stale one) and copies the model
 * folder's config and tokenizer files into it; *tmp is malloc'd. */
int tr_ckpt_begin(const char *model_dir, const char *out, const char *name, char **tmp, Err *err);
/* Writes DIR/FILE as safetensors with the tensors packed to their dtypes. */
int tr_ckpt_write_tensors(const char *dir, const char *file, const TrTensorOut *t, int n, Err *err);
/* Writes DIR/FILE (atomic) from text. */
int tr_ckpt_write_text(const char *dir, const char *file, const char *text, Err *err);
/* Renames tmp to OUT/NAME, replacing an older folder of that name. */
int tr_ckpt_commit(const char *tmp, const char *out, const char *name, Err *err);
/* The highest N with OUT/checkpoint-N/trainer_state.json; -1 when none. */
int tr_ckpt_latest(const char *out, char **dir);
/* Removes what a killed run left in OUT: .NAME.tmp.PID folders, .rollout.PID,
 * checkpoint-N.old.PID. */
void tr_ckpt_clean(const char *out);
/* rm -r path (the trainer's own temporary folders only). */
void tr_ckpt_remove(const char *path);

/* ---- LoRA in PEFT's layout ---------------------------------------------- */

/* PEFT's module names for the --lora-targets letters: q k v o gate up down. */
const char *tr_lora_module(const char *target); /* "q" -> "q_proj"; NULL if unknown */
/* The PEFT tensor name of a base weight "model.layers.0.self_attn.q_proj.weight":
 * "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight" (ab = 'A' or 'B'). */
void tr_lora_name(const char *base_weight, char ab, char *out, size_t cap);
/* adapter_config.json text. modules: the PEFT module names. */
void tr_lora_config_json(int r, double alpha, const char *const *modules, int n_modules, const char *base, Buf *out);

typedef struct TrAdapterPair {
    char *base;       /* the base weight's name */
    const StTensor *a, *b;
} TrAdapterPair;

typedef struct TrAdapter {
    int r;
    double alpha, scale; /* scale = alpha / r (alpha / sqrt(r) with use_rslora) */
    StModel *st;
    TrAdapterPair *pair;
    int n;
} TrAdapter;

int tr_adapter_load(const char *dir, TrAdapter *out, Err *err);
void tr_adapter_free(TrAdapter *a);
/* W += scale * B @ A for a [out, in] weight, A [r, in], B [out, r], fp32. */
void tr_lora_apply(float *w, int64_t out, int64_t in, const float *a, const float *b, int64_t r, double scale);

/* `imagine model merge`: base + adapter -> a model folder in base's dtype. */
int tr_lora_merge(const char *base_dir, const char *adapter_dir, const char *out, Err *err);

#endif
