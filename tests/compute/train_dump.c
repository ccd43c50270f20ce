/* train_dump.c: runs one training step of the reference model (CPU device
 * of train_model.h) on a fixed packed batch and writes everything a
 * checker needs into one safetensors file, for tests/compute/torch_check.py:
 *   batch.{tokens,targets,weights,pos,seg} [n] (ids as exact F32)
 *   logits [n][vocab], loss [1], logp [n]
 *   param.NAME  the weights the forward used (LoRA adapters included)
 *   grad.NAME   every trainable tensor's gradient of the first step
 *   grad2.NAME  the gradient of a second step, after one AdamW update
 *   adamw2.NAME the master weights after two AdamW steps (hyperparameters
 *               in adamw.hparams: lr, beta1, beta2, eps, weight_decay, scale1, scale2)
 * With --reference the CPU device runs the double-accumulating opr_* ops
 * only (TmOptions.reference), else its fast kernels (OpenBLAS, ops_fast.h).
 * Usage: train_dump [--reference] MODEL_DIR OUT.safetensors [LORA_RANK LORA_ALPHA TARGETS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train_model.h"

#define MAXT 256

static StTensor tensors[4096];
static int nt;

static void put(const char *prefix, const char *name, const TmTensor *shape, int64_t d0, int64_t d1, float *data) {
    StTensor *t = &tensors[nt++];
    size_t len = strlen(prefix) + strlen(name) + 1;
    t->name = malloc(len);
    snprintf(t->name, len, "%s%s", prefix, name);
    t->dtype = ST_F32;
    if (shape) {
        t->ndim = shape->ndim, t->shape[0] = shape->shape[0], t->shape[1] = shape->shape[1];
    } else {
        t->ndim = d1 ? 2 : 1, t->shape[0] = d0, t->shape[1] = d1;
    }
    t->data = data, t->nbytes = sizeof(float) * (size_t)t->shape[0] * (size_t)(t->ndim > 1 ? t->shape[1] : 1);
}

static float *copy(TrainModel *tm, int i, TmWhat w) {
    float *p = malloc(sizeof(float) * tm_tensor(tm, i)->n);
    Err err;
    if (tm_get(tm, i, w, p, &err)) fprintf(stderr, "%s\n", err.msg), exit(3);
    return p;
}

int main(int argc, char **argv) {
    int reference = argc > 1 && !strcmp(argv[1], "--reference");
    argc -= reference, argv += reference;
    if (argc != 3 && argc != 6) return fprintf(stderr, "usage: train_dump [--reference] MODEL_DIR OUT.safetensors [RANK ALPHA TARGETS]\n"), 2;
    Err err = {0};
    ModelFiles *m = NULL;
    if (model_open(argv[1], &m, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    TmOptions o = {.device = TM_CPU, .max_tokens = MAXT, .seed = 5, .reference = reference};
    if (argc == 6) {
        o.lora_rank = atoi(argv[3]), o.lora_alpha = (float)atof(argv[4]);
        if (tm_lora_targets_parse(argv[5], &o.lora_targets, &err)) return fprintf(stderr, "%s\n", err.msg), 2;
    }
    TrainModel *tm = NULL;
    if (tm_create(m, &o, &tm, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    int V = m->cfg.vocab;
    /* three samples packed: lengths 9, 6, 11; the first 3 rows of each are "prompt" (no loss) */
    static const int len[3] = {9, 6, 11};
    static int tok[MAXT], tgt[MAXT], pos[MAXT], seg[MAXT];
    static float w[MAXT];
    int n = 0, nloss = 0;
    uint64_t rng = 99;
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < len[s]; i++, n++) {
            tok[n] = (int)(rng_next(&rng) % (uint64_t)V), pos[n] = i, seg[n] = s;
            tgt[n] = -1;
        }
    for (int t = 0; t < n; t++)
        if (pos[t] >= 2 && t + 1 < n && seg[t + 1] == seg[t]) tgt[t] = tok[t + 1], nloss++;
    for (int t = 0; t < n; t++) w[t] = tgt[t] >= 0 ? 1.0f / (float)nloss : 0.0f;
    /* LoRA: B starts at 0; give it values so that A's gradient is not 0 */
    for (int i = 0; i < tm_tensor_count(tm); i++)
        if (strstr(tm_tensor(tm, i)->name, "lora_B")) {
            float *b = copy(tm, i, TM_PARAM);
            for (size_t j = 0; j < tm_tensor(tm, i)->n; j++) b[j] = 0.05f * rng_normal(&rng);
            tm_set(tm, i, TM_MASTER, b, &err);
            free(b);
        }
    float *fb[5];
    for (int k = 0; k < 5; k++) fb[k] = malloc(sizeof(float) * (size_t)n);
    for (int t = 0; t < n; t++) fb[0][t] = (float)tok[t], fb[1][t] = (float)tgt[t], fb[2][t] = w[t], fb[3][t] = (float)pos[t], fb[4][t] = (float)seg[t];
    static const char *bn[5] = {"tokens", "targets", "weights", "pos", "seg"};
    for (int k = 0; k < 5; k++) put("batch.", bn[k], NULL, n, 0, fb[k]);
    for (int i = 0; i < tm_tensor_count(tm); i++) put("param.", tm_tensor(tm, i)->name, tm_tensor(tm, i), 0, 0, copy(tm, i, TM_PARAM));

    TmBatch b = {.n = n, .tokens = tok, .targets = tgt, .weights = w, .pos = pos, .seg = seg};
    double loss = 0;
    float *logp = malloc(sizeof(float) * (size_t)n), *lossf = malloc(sizeof(float));
    tm_zero_grads(tm, &err);
    if (tm_forward_backward(tm, &b, &loss, logp, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    *lossf = (float)loss;
    double loss1 = loss;
    put("", "loss", NULL, 1, 0, lossf);
    put("", "logp", NULL, n, 0, logp);
    float *logits = malloc(sizeof(float) * (size_t)n * V);
    if (tm_logits(tm, logits, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    put("", "logits", NULL, n, V, logits);
    for (int i = 0; i < tm_tensor_count(tm); i++)
        if (tm_tensor(tm, i)->trainable) put("grad.", tm_tensor(tm, i)->name, tm_tensor(tm, i), 0, 0, copy(tm, i, TM_GRAD));
    OprAdamW h = {.lr = 1e-2f, .beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f};
    float scale1 = 0.5f, scale2 = 1.0f;
    if (tm_adamw(tm, &h, 1, scale1, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    tm_zero_grads(tm, &err);
    if (tm_forward_backward(tm, &b, &loss, NULL, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    for (int i = 0; i < tm_tensor_count(tm); i++)
        if (tm_tensor(tm, i)->trainable) put("grad2.", tm_tensor(tm, i)->name, tm_tensor(tm, i), 0, 0, copy(tm, i, TM_GRAD));
    if (tm_adamw(tm, &h, 2, scale2, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    for (int i = 0; i < tm_tensor_count(tm); i++)
        if (tm_tensor(tm, i)->trainable) put("adamw2.", tm_tensor(tm, i)->name, tm_tensor(tm, i), 0, 0, copy(tm, i, TM_MASTER));
    float *hp = malloc(sizeof(float) * 7);
    hp[0] = h.lr, hp[1] = h.beta1, hp[2] = h.beta2, hp[3] = h.eps, hp[4] = h.weight_decay, hp[5] = scale1, hp[6] = scale2;
    put("adamw.", "hparams", NULL, 7, 0, hp);
    if (st_write(argv[2], tensors, nt, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    for (int i = 0; i < nt; i++) free(tensors[i].name), free((void *)tensors[i].data);
    tm_destroy(tm);
    model_close(m);
    printf("wrote %s: %d tensors, %d tokens, loss %.6f\n", argv[2], nt, n, loss1);
    return 0;
}
