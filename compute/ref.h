/* ref.h: the plain-C reference forward of Qwen3 and Llama (the test
 * oracle), one token at a time as a decoder feeds it. It is the model-level
 * reference of model_ref.h (one implementation) run over the tokens seen so
 * far: slow and obvious on purpose.
 *
 * The RefModel owns its float copies of the weights and its token history;
 * it borrows nothing after ref_create returns. */
#ifndef IMAGINE_REF_H
#define IMAGINE_REF_H

#include "modelinit.h"

typedef struct RefModel RefModel;

int ref_create(const ModelFiles *m, int max_seq, RefModel **out, Err *err);
void ref_destroy(RefModel *r);
/* Forgets the sequence (position back to 0). */
void ref_reset(RefModel *r);
/* Feeds one token at the next position; writes vocab logits. layer_out,
 * when not NULL, receives the residual stream after each layer
 * (layers * hidden floats). Returns IM_OK, or an error past max_seq. */
int ref_forward(RefModel *r, int token, float *logits, float *layer_out, Err *err);

#endif
