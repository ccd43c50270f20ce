/* optim.h: the learning-rate schedules (constant, linear, cosine, each
 * after a linear warm-up) and clipping by the global gradient norm, as
 * Hugging Face's schedulers and torch.nn.utils.clip_grad_norm_ define them:
 *   lr(s)  = lr * s / warmup                          for s < warmup
 *          = lr * f((s - warmup) / (total - warmup))  after, f(x) = 1, 1 - x, (1 + cos(pi x)) / 2
 *   scale  = clip / (norm + 1e-6) when norm > clip, else 1
 * s is the 0-based index of the optimizer step. The AdamW update itself is
 * compute/'s (opr_adamw through tm_adamw): one implementation. Pure
 * functions. */
#ifndef IMAGINE_TRAIN_OPTIM_H
#define IMAGINE_TRAIN_OPTIM_H

typedef enum { TR_SCHED_CONSTANT = 0, TR_SCHED_LINEAR = 1, TR_SCHED_COSINE = 2 } TrSchedule;

typedef struct TrOptOpts {
    double lr, beta1, beta2, eps, weight_decay;
    double clip; /* max global grad norm; <= 0: no clipping */
    TrSchedule schedule;
    int warmup, total; /* steps */
} TrOptOpts;

/* "constant", "linear", "cosine"; -1 when unknown. */
int tr_schedule_parse(const char *s);
const char *tr_schedule_name(TrSchedule s);
double tr_lr_at(const TrOptOpts *o, long long step);
/* The factor clipping applies to gradients of global norm `norm`. */
double tr_clip_scale(const TrOptOpts *o, double norm);

#endif
