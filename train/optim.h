/* optim.h: AdamW with fp32 master weights, the learning-rate schedules
 * (constant, linear, cosine, each after a linear warm-up) and clipping by
 * the global gradient norm, as PyTorch's AdamW and Hugging Face's
 * schedulers define them:
 *   lr(s)  = lr * s / warmup                      for s < warmup
 *          = lr * f((s - warmup) / (total - warmup))  after, f = 1, 1 - x, (1 + cos(pi x)) / 2
 *   p     -= lr * wd * p                          (decoupled decay; only tensors with decay = 1)
 *   m      = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
 *   p     -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * s is the 0-based index of the optimizer step, t = s + 1. Every sum is
 * taken in a fixed order in double precision, so the same inputs give the
 * same bits (the resume test relies on it).
 *
 * A TrOpt owns its state (master copy, m, v per tensor); the caller owns
 * the gradients and the model's own (f16/bf16/f32) parameters. The state
 * is saved to and loaded from one safetensors file (master.NAME,
 * exp_avg.NAME, exp_avg_sq.NAME, all F32). */
#ifndef IMAGINE_TRAIN_OPTIM_H
#define IMAGINE_TRAIN_OPTIM_H

#include <stddef.h>

#include "err.h"

typedef enum { TR_SCHED_CONSTANT = 0, TR_SCHED_LINEAR = 1, TR_SCHED_COSINE = 2 } TrSchedule;

typedef struct TrOptOpts {
    double lr, beta1, beta2, eps, weight_decay;
    double clip; /* max global grad norm; <= 0: no clipping */
    TrSchedule schedule;
    int warmup, total; /* steps */
} TrOptOpts;

typedef struct TrOptParam {
    char *name;
    size_t n;
    int decay;          /* 1: weight decay applies (matrices, not norms) */
    float *master, *m, *v;
} TrOptParam;

typedef struct TrOpt {
    TrOptOpts o;
    TrOptParam *p;
    int n;
    long long t; /* optimizer steps taken */
} TrOpt;

/* "constant", "linear", "cosine"; -1 when unknown. */
int tr_schedule_parse(const char *s);
const char *tr_schedule_name(TrSchedule s);
double tr_lr_at(const TrOptOpts *o, long long step);

void tr_opt_init(TrOpt *opt, const TrOptOpts *o);
/* Adds a tensor with its initial values (copied into the master). */
void tr_opt_add(TrOpt *opt, const char *name, const float *init, size_t n, int decay);
void tr_opt_free(TrOpt *opt);

/* sqrt(sum of g^2) over every tensor's gradient, in order. */
double tr_grad_norm(float *const *grads, const size_t *n, int k);
/* The factor clipping applies to gradients of norm `norm` (1 when none). */
double tr_clip_scale(const TrOptOpts *o, double norm);
/* One AdamW update of tensor i with grad * gscale at learning rate lr;
 * call tr_opt_tick once after all tensors. */
void tr_opt_update(TrOpt *opt, int i, const float *grad, double gscale, double lr);
void tr_opt_tick(TrOpt *opt);

int tr_opt_save(const TrOpt *opt, const char *path, Err *err);
/* Loads into an opt that has the same tensors (names and sizes). */
int tr_opt_load(TrOpt *opt, const char *path, Err *err);

#endif
