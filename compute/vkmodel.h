/* vkmodel.h: the Qwen3/Llama forward on Vulkan.
 *
 * vkm_create uploads the weights of an open ModelFiles (tensors larger than
 * the device's storage-buffer range are split by rows, never refused;
 * q/k/v are fused into one matrix), allocates activations for max_rows
 * rows per step and a KV cache of max_seqs sequences x max_ctx positions.
 * A step runs n rows: row i is token tok[i] of sequence seq[i] at position
 * pos[i] (prefill of one sequence = consecutive positions; batched decode
 * = one row per sequence). Logits come back for the rows listed in out.
 * The VkModel owns its buffers and borrows the VkCtx (which must outlive
 * it) and nothing of the ModelFiles after creation. */
#ifndef IMAGINE_VKMODEL_H
#define IMAGINE_VKMODEL_H

#include "modelinit.h"
#include "vk.h"

typedef struct VkModel VkModel;

typedef struct VkModelOpts {
    int max_rows; /* rows per step (prefill chunk and decode batch) */
    int max_seqs;
    int max_ctx;
    size_t max_chunk_bytes; /* split weights above this (0: the device's storage-buffer range; tests force splits) */
    int wide_rows;          /* 1: every plain batch-1 matmul takes the 8-row variant, not only large ones (tests) */
} VkModelOpts;

int vkm_create(VkCtx *ctx, const ModelFiles *m, const VkModelOpts *o, VkModel **out, Err *err);
void vkm_destroy(VkModel *m);

/* logits: n_out * vocab floats, in the order of out[]. */
int vkm_step(VkModel *m, int n, const int *seq, const int *pos, const int *tok, int n_out, const int *out, float *logits, Err *err);
/* For tests: runs the first `layers` layers of a step and copies the
 * residual stream of every row (n * hidden floats) to resid. */
int vkm_step_layers(VkModel *m, int n, const int *seq, const int *pos, const int *tok, int layers, float *resid, Err *err);

/* Per-kernel timing with timestamp queries: vkm_profile(m, 1) makes later
 * steps record a timestamp after every phase and add the GPU time of each
 * phase to a table that vkm_profile_report prints into out (then clears). */
int vkm_profile(VkModel *m, int on, Err *err);
void vkm_profile_report(VkModel *m, Buf *out);

/* Weight bytes read per decoded token (all matrices, once). */
size_t vkm_weight_bytes(const VkModel *m);
/* Dispatches recorded per step (for bench). */
int vkm_dispatches(const VkModel *m);

#endif
