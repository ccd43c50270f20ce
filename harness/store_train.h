/* store_train.h: training runs in the store. A training run is a `run`
 * row (method "train-sft" or "train-grpo", the model folder trained, the
 * data or query file as its suite) with no items; each optimizer step is a
 * train_step row (loss, lr, grad norm, tokens/s; for GRPO the reward, its
 * spread and components, reflection ratio, completion length, clip
 * fraction, KL). Steps are written with INSERT OR REPLACE, so a run resumed
 * from a checkpoint rewrites the steps it repeats with the same values.
 * Strings are borrowed; NaN numbers are stored as NULL. */
#ifndef IMAGINE_STORE_TRAIN_H
#define IMAGINE_STORE_TRAIN_H

#include "store.h"

typedef struct StoreTrainRun {
    const char *name;        /* unique; an existing run of this name is continued when resume is set, else refused */
    const char *kind;        /* "sft" or "grpo" */
    const char *model;       /* the model folder trained */
    const char *suite, *split, *source; /* GRPO: the suite and query file; SFT: "sft", the data file */
    const char *config_json; /* every option */
    long long seed;
    int resume;              /* the trainer's --resume */
    int from_step;           /* the checkpoint's step it resumes from (0: none; a complete run is then not continued) */
} StoreTrainRun;

int store_train_run_open(Store *s, const StoreTrainRun *r, long long *run_id, Err *err);

typedef struct StoreTrainStep {
    const char *kind;
    int step;
    double loss, reward, lr, tokens_per_s, grad_norm, reward_std;
    const char *components_json;
    double reflection_ratio, completion_len, clip_frac, kl, eval_loss;
} StoreTrainStep;

int store_train_step_put(Store *s, long long run_id, const StoreTrainStep *t, Err *err);

#endif
