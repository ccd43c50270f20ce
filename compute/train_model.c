/* train_model.c: the TrainModel API over its two devices: the CPU one is
 * the reference model (model_ref.c), the Vulkan one train_vk.c. */
#include "train_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fpenv.h"
#include "model_ref.h"
#include "train_vk.h"

struct TrainModel {
    TmDevice device;
    ModelConfig c;
    Mref *ref;   /* TM_CPU */
    VkTrain *vk; /* TM_VULKAN */
    int flush;   /* TM_CPU with the fast kernels: forward, backward, norm and AdamW flush subnormals (fpenv.h) */
};

int tm_lora_targets_parse(const char *s, unsigned *out, Err *err) {
    static const char *const names[] = {"q", "k", "v", "o", "gate", "up", "down"};
    unsigned set = 0;
    const char *p = s;
    while (p && *p) {
        size_t len = strcspn(p, ",");
        int found = -1;
        for (int i = 0; i < 7; i++)
            if (strlen(names[i]) == len && !strncmp(p, names[i], len)) found = i;
        if (found < 0)
            return err_set(err, IM_USAGE, "--lora-targets: unknown target '%.*s' (q, k, v, o, gate, up, down expected)", (int)len, p);
        set |= 1u << found;
        p += len + (p[len] == ',');
    }
    if (!set) return err_set(err, IM_USAGE, "--lora-targets: empty (q, k, v, o, gate, up, down expected)");
    *out = set;
    return IM_OK;
}

int tm_device_parse(const char *s, TmDevice *out, Err *err) {
    if (!strcmp(s, "cpu")) *out = TM_CPU;
    else if (!strcmp(s, "vulkan")) *out = TM_VULKAN;
    else return err_set(err, IM_USAGE, "--device %s: cpu or vulkan expected", s);
    return IM_OK;
}

int tm_batch_check(const ModelConfig *c, const TmBatch *b, Err *err) {
    if (b->n <= 0) return err_set(err, IM_USAGE, "batch: %d tokens (at least 1 expected)", b->n);
    for (int t = 0; t < b->n; t++) {
        if (b->tokens[t] < 0 || b->tokens[t] >= c->vocab)
            return err_set(err, IM_USAGE, "batch row %d: token %d outside the vocabulary of %d", t, b->tokens[t], c->vocab);
        if (b->targets && b->targets[t] >= c->vocab)
            return err_set(err, IM_USAGE, "batch row %d: target %d outside the vocabulary of %d", t, b->targets[t], c->vocab);
        if (b->pos[t] < 0) return err_set(err, IM_USAGE, "batch row %d: negative position %d", t, b->pos[t]);
    }
    return IM_OK;
}

int tm_create(const ModelFiles *m, const TmOptions *o, TrainModel **out, Err *err) {
    *out = NULL;
    if (o->lora_rank < 0) return err_set(err, IM_USAGE, "--lora %d: a rank >= 1 expected (0 = full fine-tuning)", o->lora_rank);
    TrainModel *tm = calloc(1, sizeof *tm);
    if (!tm) return err_set(err, IM_IO, "out of memory");
    tm->device = o->device, tm->c = m->cfg, tm->flush = o->device == TM_CPU && !o->reference;
    int rc = o->device == TM_VULKAN ? vkt_create(m, o, &tm->vk, err) : mref_create(m, o, 1, &tm->ref, err);
    if (rc) {
        free(tm);
        return rc;
    }
    *out = tm;
    return IM_OK;
}

void tm_destroy(TrainModel *tm) {
    if (!tm) return;
    mref_destroy(tm->ref);
    vkt_destroy(tm->vk);
    free(tm);
}

TmDevice tm_device(const TrainModel *tm) { return tm->device; }
const ModelConfig *tm_config(const TrainModel *tm) { return &tm->c; }
int tm_tensor_count(const TrainModel *tm) { return tm->vk ? vkt_tensor_count(tm->vk) : mref_tensor_count(tm->ref); }
const TmTensor *tm_tensor(const TrainModel *tm, int i) { return tm->vk ? vkt_tensor(tm->vk, i) : mref_tensor(tm->ref, i); }

int tm_tensor_find(const TrainModel *tm, const char *name) {
    for (int i = 0; i < tm_tensor_count(tm); i++)
        if (!strcmp(tm_tensor(tm, i)->name, name)) return i;
    return -1;
}

static float *data(TrainModel *tm, int i, TmWhat what, Err *err) {
    if (i < 0 || i >= tm_tensor_count(tm)) {
        err_set(err, IM_USAGE, "tensor index %d outside 0..%d", i, tm_tensor_count(tm) - 1);
        return NULL;
    }
    float *p = mref_data(tm->ref, i, what);
    if (!p) err_set(err, IM_USAGE, "tensor %s is not trainable: it has no gradient, master weights or moments", tm_tensor(tm, i)->name);
    return p;
}

int tm_get(TrainModel *tm, int i, TmWhat what, float *dst, Err *err) {
    if (tm->vk) return vkt_get(tm->vk, i, what, dst, err);
    float *p = data(tm, i, what, err);
    if (!p) return IM_USAGE;
    memcpy(dst, p, sizeof(float) * tm_tensor(tm, i)->n);
    return IM_OK;
}

int tm_set(TrainModel *tm, int i, TmWhat what, const float *src, Err *err) {
    if (tm->vk) return vkt_set(tm->vk, i, what, src, err);
    float *p = data(tm, i, what, err);
    if (!p) return IM_USAGE;
    size_t n = tm_tensor(tm, i)->n;
    memcpy(p, src, sizeof(float) * n);
    if (what == TM_PARAM) {
        opr_round(p, n, tm_tensor(tm, i)->dtype);
        float *master = mref_data(tm->ref, i, TM_MASTER);
        if (master) memcpy(master, src, sizeof(float) * n);
    }
    if (what == TM_MASTER) mref_master_changed(tm->ref, i);
    return IM_OK;
}

/* The CPU device's forward (and backward): with the fast kernels, subnormals
 * flushed for its duration (OpenBLAS over the softmax's tail: 18x slower
 * without, fpenv.h); the reference ops, the tests' oracle, stay IEEE. */
static int cpu_step(TrainModel *tm, const TmBatch *b, int backward, double *loss, float *logp, Err *err) {
    unsigned saved = tm->flush ? fp_flush_begin() : 0;
    int rc = mref_forward(tm->ref, b, loss, logp, err);
    if (!rc && backward) rc = mref_backward(tm->ref, b, err);
    if (tm->flush) fp_flush_end(saved);
    return rc;
}

int tm_forward(TrainModel *tm, const TmBatch *b, double *loss, float *logp, Err *err) {
    if (tm->vk) return vkt_step(tm->vk, b, 0, loss, logp, err);
    return cpu_step(tm, b, 0, loss, logp, err);
}

int tm_forward_backward(TrainModel *tm, const TmBatch *b, double *loss, float *logp, Err *err) {
    if (tm->vk) return vkt_step(tm->vk, b, 1, loss, logp, err);
    return cpu_step(tm, b, 1, loss, logp, err);
}

int tm_logits(TrainModel *tm, float *dst, Err *err) {
    if (tm->vk) return vkt_logits(tm->vk, dst, err);
    int n = mref_n_act(tm->ref);
    if (!n) return err_set(err, IM_USAGE, "logits: no forward has run");
    memcpy(dst, mref_logits(tm->ref), sizeof(float) * (size_t)n * (size_t)tm->c.vocab);
    return IM_OK;
}

int tm_zero_grads(TrainModel *tm, Err *err) {
    if (tm->vk) return vkt_zero_grads(tm->vk, err);
    for (int i = 0; i < tm_tensor_count(tm); i++) {
        float *g = mref_data(tm->ref, i, TM_GRAD);
        if (g) memset(g, 0, sizeof(float) * tm_tensor(tm, i)->n);
    }
    return IM_OK;
}

int tm_grad_norm(TrainModel *tm, double *norm, Err *err) {
    if (tm->vk) return vkt_grad_norm(tm->vk, norm, err);
    double s = 0;
    unsigned saved = tm->flush ? fp_flush_begin() : 0;
    for (int i = 0; i < tm_tensor_count(tm); i++) {
        const float *g = mref_data(tm->ref, i, TM_GRAD);
        if (g) s += opr_sumsq(g, tm_tensor(tm, i)->n);
    }
    if (tm->flush) fp_flush_end(saved);
    *norm = sqrt(s);
    return IM_OK;
}

int tm_adamw(TrainModel *tm, const OprAdamW *h, int step, float grad_scale, Err *err) {
    if (tm->vk) return vkt_adamw(tm->vk, h, step, grad_scale, err);
    if (step < 1) return err_set(err, IM_USAGE, "AdamW step %d: steps count from 1", step);
    unsigned saved = tm->flush ? fp_flush_begin() : 0; /* second moments of tiny gradients are subnormal */
    for (int i = 0; i < tm_tensor_count(tm); i++) {
        const TmTensor *t = tm_tensor(tm, i);
        if (!t->trainable) continue;
        Mref *r = tm->ref;
        opr_adamw(mref_data(r, i, TM_MASTER), mref_data(r, i, TM_ADAM_M), mref_data(r, i, TM_ADAM_V), mref_data(r, i, TM_GRAD), t->n, h,
                  step, grad_scale, NULL, t->dtype);
        mref_master_changed(r, i);
    }
    if (tm->flush) fp_flush_end(saved);
    return IM_OK;
}

int tm_profile(TrainModel *tm, int on, Err *err) {
    if (tm->vk) return vkt_profile(tm->vk, on, err);
    mref_profile(tm->ref, on);
    return IM_OK;
}
void tm_profile_report(TrainModel *tm, Buf *out) {
    if (tm->vk) vkt_profile_report(tm->vk, out);
    else mref_profile_report(tm->ref, out);
}
size_t tm_device_mem_peak(const TrainModel *tm) { return tm->vk ? vkt_mem_peak(tm->vk) : 0; }
