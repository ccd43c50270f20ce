/* train.h: the training loops of `imagine train sft` and `imagine train
 * grpo`, and what they share: the per-step record handed to the caller
 * (who stores it as a train_step row), checkpoint saving and resuming.
 *
 * Determinism: a run is a function of its options: the data order, the
 * packing, the rollout seeds and every reduction are fixed, so a run
 * resumed from checkpoint-N (weights from the fp32 master in
 * optimizer.safetensors, AdamW moments, data position) continues with the
 * same bits as the run that was never stopped.
 *
 * Ownership: options borrow their strings; the loops own everything they
 * create and free it before returning. Library code: status codes, never
 * exits; progress lines go to the `progress` FILE given (may be NULL). */
#ifndef IMAGINE_TRAIN_TRAIN_H
#define IMAGINE_TRAIN_TRAIN_H

#include <stdio.h>

#include "ckpt.h"
#include "data.h"
#include "optim.h"
#include "train_model.h"

typedef struct TrStepInfo {
    const char *kind; /* "sft" or "grpo" */
    int step;         /* 1-based optimizer step */
    double loss, lr, grad_norm, tokens_per_s;
    long long tokens;  /* rows processed in the step */
    double eval_loss;  /* NaN when not evaluated at this step */
    /* GRPO (NaN / NULL for SFT) */
    double reward, reward_std;
    const char *components_json; /* {"name": mean, ...} */
    double reflection_ratio, completion_len, clip_frac, kl;
    int truncated, completions;
    double lp_diff_max; /* max |trainer log-prob - sampler log-prob| over the step's completion tokens */
} TrStepInfo;

/* Called after each optimizer step (and again for the steps replayed by
 * nothing: a resumed run starts after its checkpoint). Nonzero stops. */
typedef int (*TrStepLog)(void *ud, const TrStepInfo *s, Err *err);
/* Called with log_ud once the loop has read its inputs (model, data,
 * checkpoint) and before its first step: the caller makes its store run
 * here, so input the loop refuses leaves nothing stored. Nonzero stops. */
typedef int (*TrReady)(void *ud, Err *err);

typedef struct TrCommon {
    const char *model, *out;
    const char *device;    /* "cpu" or "vulkan": where the model trains */
    const char *vk_device; /* Vulkan device name or index (training on vulkan, GRPO rollouts); NULL: the default */
    int lora_r;
    double lora_alpha;
    const char *lora_targets; /* "q,k,v,o,gate,up,down" */
    TrOptOpts opt;
    int save_every; /* 0: only at the end */
    uint64_t seed;
    int resume;
    int max_steps; /* 0: as the data / --steps say */
    int max_tokens; /* rows of the largest batch (set by the loop) */
    FILE *progress;
    TrStepLog log;
    TrReady ready; /* NULL: none */
    void *log_ud;
    /* filled by the loop for the caller */
    char *run_name;     /* from trainer_state.json on resume (malloc'd; caller frees) */
    int resumed_step;   /* the checkpoint's step when resuming from one, else 0 */
} TrCommon;

typedef struct TrSftOpts {
    TrCommon c;
    const char *data, *eval_data;
    int epochs, max_len, batch_tokens, grad_accum, eval_every;
} TrSftOpts;

typedef struct TrSftResult {
    int steps, n_samples, n_too_long, first_too_long, longest;
    double first_loss, last_loss, eval_loss;
} TrSftResult;

int tr_sft(TrSftOpts *o, TrSftResult *res, Err *err);
/* The option checks tr_sft makes first (IM_USAGE naming the flag). */
int tr_sft_check(const TrSftOpts *o, Err *err);

/* ---- rollouts and rewards for GRPO ------------------------------------- */

/* The suite side of GRPO: the prompt of query q and the reward of a
 * response to it, with its components ({"name": value, ...} appended to
 * components) and whether the response holds a reflection. */
typedef struct TrReward {
    void *ud;
    int n_queries;
    int (*prompt)(void *ud, int q, Buf *system, Buf *user, Err *err);
    int (*score)(void *ud, int q, const char *response, double *reward, Buf *components, int *reflection, Err *err);
} TrReward;

typedef enum { TR_LOSS_GRPO = 0, TR_LOSS_DR_GRPO = 1, TR_LOSS_DAPO = 2 } TrLossKind;
typedef enum { TR_SCALE_GROUP = 0, TR_SCALE_BATCH = 1, TR_SCALE_NONE = 2 } TrScaleKind;

typedef struct TrGrpoOpts {
    TrCommon c;
    TrReward reward;
    int steps, group, prompts_per_step, max_completion, max_prompt, num_iterations, think;
    double beta, epsilon, epsilon_high, temperature, top_p;
    TrLossKind loss;
    TrScaleKind scale;
} TrGrpoOpts;

typedef struct TrGrpoResult {
    int steps;
    double first_reward, last_reward, lp_diff_max;
} TrGrpoResult;

int tr_grpo(TrGrpoOpts *o, TrGrpoResult *res, Err *err);
int tr_grpo_check(const TrGrpoOpts *o, Err *err);

/* ---- shared by the loops ------------------------------------------------ */

/* Group-normalised advantages of n = groups * g rewards (TRL's rule:
 * (r - group mean) / (std + 1e-4), std unbiased, per group or over the
 * batch, or no scaling). */
void tr_advantages(const double *r, int groups, int g, TrScaleKind scale, double *adv);

/* One completion token's GRPO loss (the top of grpo.c) at log-prob lp,
 * with the log-prob before the update `old`, the reference's `ref` (NaN:
 * no KL term) and the advantage: *loss, *dl = d loss / d lp, *kl (k3, 0
 * without ref). Returns 1 when clipping is active (no gradient from the
 * surrogate). */
int tr_grpo_token(double lp, double old, double ref, double adv, double eps, double eps_high, double beta, double *loss, double *dl,
                  double *kl);

#endif
