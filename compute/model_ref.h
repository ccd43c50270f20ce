/* model_ref.h: the plain-C reference of a whole Qwen3/Llama model over a
 * packed batch, forward and backward, built from the ops of ops_ref.h: the
 * CPU device of train_model.h and, through ref.h, the inference oracle.
 *
 * The Mref owns fp32 copies of every tensor (the weights rounded to their
 * dtype), gradients/master weights/AdamW moments of the trainable ones, and
 * the activations of the last forward (llm.c style: one block per kind,
 * shapes in comments). It borrows nothing from the ModelFiles after
 * mref_create. Tensor order and names are those of train_model.h.
 * Kernels: the fast ones (gemm.h's OpenBLAS products, ops_fast.h), or with
 * TmOptions.reference the double-accumulating opr_* ops of ops_ref.h. */
#ifndef IMAGINE_MODEL_REF_H
#define IMAGINE_MODEL_REF_H

#include "train_model.h"

typedef struct Mref Mref;

/* grads: 0 = inference only (no gradients, masters or moments). */
int mref_create(const ModelFiles *m, const TmOptions *o, int grads, Mref **out, Err *err);
void mref_destroy(Mref *r);
const ModelConfig *mref_config(const Mref *r);

int mref_tensor_count(const Mref *r);
const TmTensor *mref_tensor(const Mref *r, int i);
/* The tensor's n floats of the given kind (NULL where it does not exist). */
float *mref_data(Mref *r, int i, TmWhat what);
/* After writing TM_MASTER of tensor i: refresh the forward's weights. */
void mref_master_changed(Mref *r, int i);

/* Forward over the batch (targets/weights may be NULL: no loss). Keeps the
 * activations for mref_backward and for the accessors below. */
int mref_forward(Mref *r, const TmBatch *b, double *loss, float *logp, Err *err);
/* Backward of the last forward (same batch): adds into the gradients. */
int mref_backward(Mref *r, const TmBatch *b, Err *err);
/* Activations of the last forward: logits [n][vocab]; the residual stream
 * after layer l, [n][hidden]. */
const float *mref_logits(const Mref *r);
int mref_n_act(const Mref *r); /* tokens of the last forward (0: none) */
const float *mref_residual(const Mref *r, int l);

/* Time every op of later forwards and backwards; the report appends one
 * line per op kind and direction (ms per step, share) to out and clears. */
void mref_profile(Mref *r, int on);
void mref_profile_report(Mref *r, Buf *out);

#endif
