/* train_model.h: a model being trained, on the CPU reference or on Vulkan,
 * behind one API: forward + backward over a packed batch accumulating
 * gradients, per-token log-probabilities of the targets, access to every
 * tensor's parameters, gradients, fp32 master weights and AdamW moments
 * (for checkpoints), the global gradient norm and an AdamW step.
 *
 * Ownership: tm_create copies what it needs from the ModelFiles (which may
 * be closed afterwards); the TrainModel owns all its memory; tm_destroy
 * accepts NULL. Functions return IM_OK or fill err. Not thread-safe.
 *
 * Tensors: the model's own, in Hugging Face names and shapes (the tied LM
 * head is the embedding and is not listed twice), then, with LoRA, for each
 * adapted projection of each layer two tensors in PEFT names
 *   base_model.model.model.layers.L.self_attn.q_proj.lora_A.weight [r][in]
 *   base_model.model.model.layers.L.self_attn.q_proj.lora_B.weight [out][r]
 * (A ~ U(-1/sqrt(in), 1/sqrt(in)) from the seed, B = 0: the adapted model
 * starts equal to the base). With LoRA only the adapters are trainable;
 * without, every model tensor is. Gradients, master weights and moments
 * exist for trainable tensors only. The weights the forward uses are the
 * master weights rounded to the tensor's dtype (F32/F16/BF16). */
#ifndef IMAGINE_TRAIN_MODEL_H
#define IMAGINE_TRAIN_MODEL_H

#include <stdint.h>

#include "buf.h"
#include "modelinit.h"
#include "ops_ref.h"

typedef enum { TM_CPU = 0, TM_VULKAN = 1 } TmDevice;

/* LoRA targets, a bit set. */
enum { TM_Q = 1, TM_K = 2, TM_V = 4, TM_O = 8, TM_GATE = 16, TM_UP = 32, TM_DOWN = 64, TM_ALL_TARGETS = 127 };
/* Parses "q,k,v,o,gate,up,down" (any subset, comma-separated). */
int tm_lora_targets_parse(const char *s, unsigned *out, Err *err);
/* "cpu" or "vulkan". */
int tm_device_parse(const char *s, TmDevice *out, Err *err);

typedef struct TmOptions {
    TmDevice device;
    const char *vk_device; /* Vulkan device name or index; NULL = the default choice */
    int max_tokens;        /* the largest packed batch tm_forward* will get */
    int lora_rank;         /* 0: full fine-tuning */
    float lora_alpha;      /* LoRA scale = alpha / rank */
    unsigned lora_targets; /* TM_Q | ... */
    uint64_t seed;         /* LoRA A initialisation */
    int reference;         /* CPU: the double-accumulating opr_* ops only (the tests' oracle); 0: the fast kernels */
    size_t vk_slice_bytes; /* Vulkan, tests: cut the logits, the embedding/LM head and their gradients into slices
                              of at most this many bytes, as if it were the storage range (0: the device's range),
                              and on CPU devices sum every dX product over ranges of K (the 0.6B shape's LM head's path),
                              and cut the trainable state into windows of that size for the norm and AdamW */
    long vk_nt_min;        /* Vulkan, CPU devices: dW (TN) and dX (NN) products of at least this many multiply-adds
                              run as NT products over transposed copies of their operands (0: the default,
                              TM_NT_MIN; < 0: never; tests: 1, every product whose shape allows) */
    int vk_kernels;        /* Vulkan: TM_KERNELS_AUTO (the kernels written for GPUs on a GPU: tiled products through shared
                              memory, split along K when skinny, several lanes a row of attention; those written for
                              lavapipe on a CPU device), or one set forced (tests run the GPU set on lavapipe) */
} TmOptions;
enum { TM_KERNELS_AUTO = 0, TM_KERNELS_CPU = 1, TM_KERNELS_GPU = 2 };
/* Below this many multiply-adds a product stays TN or NN: at the main job's shape (50M at most,
   the LM head's 134M) NT over copies gained nothing on lavapipe, and LoRA's step lost 3 %. */
#define TM_NT_MIN (1L << 27)

/* A packed batch of n tokens: several samples one after another. */
typedef struct TmBatch {
    int n;
    const int *tokens;    /* [n] input ids */
    const int *targets;   /* [n] the id to predict at each row; < 0: no loss there */
    const float *weights; /* [n] loss weight of each row (e.g. 1/number of loss tokens) */
    const int *pos;       /* [n] position within its sample (RoPE): 0, 1, ... restarting per sample */
    const int *seg;       /* [n] sample id: row t attends to rows s <= t with seg[s] == seg[t] */
} TmBatch;

/* Checks ids against the vocabulary and positions >= 0; errors name the row. */
int tm_batch_check(const ModelConfig *c, const TmBatch *b, Err *err);

typedef struct TmTensor {
    const char *name;
    int ndim;
    int64_t shape[2];
    size_t n;        /* elements */
    StDtype dtype;   /* the dtype the forward uses and checkpoints store (LoRA: F32) */
    int trainable;
} TmTensor;

/* What tm_get/tm_set read or write. Setting TM_MASTER also sets the forward's
 * weights (rounded to dtype); setting TM_PARAM of a trainable tensor also
 * sets its master weights. TM_GRAD, TM_MASTER, TM_ADAM_M, TM_ADAM_V exist
 * for trainable tensors only. */
typedef enum { TM_PARAM = 0, TM_GRAD = 1, TM_MASTER = 2, TM_ADAM_M = 3, TM_ADAM_V = 4 } TmWhat;

typedef struct TrainModel TrainModel;

int tm_create(const ModelFiles *m, const TmOptions *o, TrainModel **out, Err *err);
void tm_destroy(TrainModel *tm);
const ModelConfig *tm_config(const TrainModel *tm);

int tm_tensor_count(const TrainModel *tm);
const TmTensor *tm_tensor(const TrainModel *tm, int i);
/* Index of the tensor called name, or -1. */
int tm_tensor_find(const TrainModel *tm, const char *name);
/* Copies the tensor's n floats out of / into the model. */
int tm_get(TrainModel *tm, int i, TmWhat what, float *dst, Err *err);
int tm_set(TrainModel *tm, int i, TmWhat what, const float *src, Err *err);

/* Forward only: *loss (optional) = sum_t weights[t] * -log p(targets[t]);
 * logp[n] (optional) = log p(targets[t]) at each row (0 where target < 0). */
int tm_forward(TrainModel *tm, const TmBatch *b, double *loss, float *logp, Err *err);
/* Forward and backward: as tm_forward, and ADDS d loss / d w into the
 * gradients of the trainable tensors (call tm_zero_grads to start a step;
 * several calls accumulate, as gradient accumulation needs). For a loss
 * that is any function L of the log-probs (GRPO), pass
 * weights[t] = -dL/dlogp[t]. */
int tm_forward_backward(TrainModel *tm, const TmBatch *b, double *loss, float *logp, Err *err);
int tm_zero_grads(TrainModel *tm, Err *err);
/* The logits of the last forward, [n][vocab] floats into dst. */
int tm_logits(TrainModel *tm, float *dst, Err *err);
/* *norm = sqrt(sum of squares of every trainable gradient). */
int tm_grad_norm(TrainModel *tm, double *norm, Err *err);
/* One AdamW step on every trainable tensor (see opr_adamw; step from 1,
 * grad_scale multiplies the gradients first, e.g. min(1, clip / norm)). */
int tm_adamw(TrainModel *tm, const OprAdamW *h, int step, float grad_scale, Err *err);

TmDevice tm_device(const TrainModel *tm);
/* Time every kernel (Vulkan) or op (CPU) of later steps; the report appends
 * one line per kernel or op (ms per step, share) to out and clears. */
int tm_profile(TrainModel *tm, int on, Err *err);
void tm_profile_report(TrainModel *tm, Buf *out);
/* Device memory allocated at most (Vulkan; 0 on the CPU). */
size_t tm_device_mem_peak(const TrainModel *tm);

#endif
