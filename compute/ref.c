/* ref.c: the incremental reference forward, as the model-level reference
 * (model_ref.c) over the whole history at positions 0..pos, one segment;
 * the last row's logits and residuals are the answer. */
#include "ref.h"

#include <stdlib.h>
#include <string.h>

#include "model_ref.h"

struct RefModel {
    Mref *m;
    int max_seq, pos;
    int *tok, *posv, *seg; /* [max_seq] */
};

int ref_create(const ModelFiles *m, int max_seq, RefModel **out, Err *err) {
    *out = NULL;
    RefModel *r = calloc(1, sizeof *r);
    if (!r) return err_set(err, IM_IO, "out of memory");
    r->max_seq = max_seq;
    r->tok = calloc((size_t)max_seq, sizeof(int)), r->posv = calloc((size_t)max_seq, sizeof(int));
    r->seg = calloc((size_t)max_seq, sizeof(int));
    if (!r->tok || !r->posv || !r->seg) {
        ref_destroy(r);
        return err_set(err, IM_IO, "out of memory");
    }
    for (int i = 0; i < max_seq; i++) r->posv[i] = i;
    int rc = mref_create(m, NULL, 0, &r->m, err);
    if (rc) {
        ref_destroy(r);
        return rc;
    }
    *out = r;
    return IM_OK;
}

void ref_destroy(RefModel *r) {
    if (!r) return;
    mref_destroy(r->m);
    free(r->tok), free(r->posv), free(r->seg), free(r);
}

void ref_reset(RefModel *r) { r->pos = 0; }

int ref_forward(RefModel *r, int token, float *logits, float *layer_out, Err *err) {
    const ModelConfig *c = mref_config(r->m);
    if (r->pos >= r->max_seq) return err_set(err, IM_USAGE, "reference model: position %d past the cache of %d", r->pos, r->max_seq);
    if (token < 0 || token >= c->vocab) return err_set(err, IM_USAGE, "reference model: token %d outside the vocabulary of %d", token, c->vocab);
    r->tok[r->pos] = token;
    int n = r->pos + 1;
    TmBatch b = {.n = n, .tokens = r->tok, .pos = r->posv, .seg = r->seg};
    int rc = mref_forward(r->m, &b, NULL, NULL, err);
    if (rc) return rc;
    size_t D = (size_t)c->hidden, V = (size_t)c->vocab;
    memcpy(logits, mref_logits(r->m) + (size_t)r->pos * V, sizeof(float) * V);
    for (int l = 0; layer_out && l < c->layers; l++)
        memcpy(layer_out + (size_t)l * D, mref_residual(r->m, l) + (size_t)r->pos * D, sizeof(float) * D);
    r->pos++;
    return IM_OK;
}
