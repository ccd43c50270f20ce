/* train_vk.h: the Vulkan device of train_model.h: the same tensors, batch
 * and step as the reference model (model_ref.h), recorded as dispatches of
 * the op table's kernels (ops.h). Memory: one arena for the weights, one
 * for the training state (gradients, fp32 master weights, AdamW moments:
 * four regions of identical layout, so AdamW and the gradient norm run over
 * all trainable tensors in one dispatch per window) and one for the
 * activations of max_tokens rows.
 *
 * The VkTrain owns its VkCtx, arenas and pipelines; it copies what it needs
 * from the ModelFiles. Used only through train_model.c. */
#ifndef IMAGINE_TRAIN_VK_H
#define IMAGINE_TRAIN_VK_H

#include "train_model.h"
#include "buf.h"

typedef struct VkTrain VkTrain;

int vkt_create(const ModelFiles *m, const TmOptions *o, VkTrain **out, Err *err);
void vkt_destroy(VkTrain *v);
int vkt_tensor_count(const VkTrain *v);
const TmTensor *vkt_tensor(const VkTrain *v, int i);
int vkt_get(VkTrain *v, int i, TmWhat what, float *dst, Err *err);
int vkt_set(VkTrain *v, int i, TmWhat what, const float *src, Err *err);
/* grad: also the backward (adds into the gradients). */
int vkt_step(VkTrain *v, const TmBatch *b, int grad, double *loss, float *logp, Err *err);
int vkt_logits(VkTrain *v, float *dst, Err *err);
int vkt_zero_grads(VkTrain *v, Err *err);
int vkt_grad_norm(VkTrain *v, double *norm, Err *err);
int vkt_adamw(VkTrain *v, const OprAdamW *h, int step, float grad_scale, Err *err);
/* Device bytes allocated at most, and the device's name. */
size_t vkt_mem_peak(const VkTrain *v);
const char *vkt_device_name(const VkTrain *v);
/* Per-kernel GPU time: on = 1 makes later steps time every dispatch;
 * vkt_profile_report appends "kernel role ms %" lines to out and clears. */
int vkt_profile(VkTrain *v, int on, Err *err);
void vkt_profile_report(VkTrain *v, Buf *out);

#endif
