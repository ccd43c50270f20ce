/* train_priv.h: what the SFT and GRPO loops share (train/common.c):
 * opening the model and its TrainModel (compute/train_model.h), one
 * optimizer step from the accumulated gradients (clipping, schedule,
 * tm_adamw), checkpoints (save, find, resume) and the options a resume
 * must match. Not a public API. */
#ifndef IMAGINE_TRAIN_PRIV_H
#define IMAGINE_TRAIN_PRIV_H

#include <cJSON.h>

#include "train.h"

typedef struct TrSession {
    TrCommon *c;
    const char *kind;
    ModelFiles *mf;
    TrainModel *tm;
    long long adam_t;  /* AdamW updates taken (its step counter) */
    char *config_json; /* the options that must match on --resume */
    cJSON *state;      /* trainer_state.json of the checkpoint resumed, or NULL */
    int start_step;    /* optimizer steps already taken (0, or the checkpoint's) */
} TrSession;

/* A TmBatch view of a packed TrBatch (borrowed arrays). */
TmBatch tr_tm_batch(const TrBatch *b);
/* TmOptions from the common options (device, LoRA); lora 0 forces full. */
int tr_tm_options(const TrCommon *c, int lora, TmOptions *o, Err *err);

/* Opens the model and the TrainModel. config: the kind's options as a
 * JSON object (consumed). */
int tr_session_open(TrSession *s, TrCommon *c, const char *kind, cJSON *config, Err *err);
void tr_session_close(TrSession *s);
/* With --resume: loads the latest OUT/checkpoint-N (refusing one made with
 * other options); sets s->state and s->start_step. Without: refuses an OUT
 * that already holds checkpoints (they would be mixed with this run's). */
int tr_session_resume(TrSession *s, Err *err);
/* Clips, takes one AdamW step at lr(step) and zeroes the gradients.
 * *grad_norm is before clipping. */
int tr_session_update(TrSession *s, int step, double *lr, double *grad_norm, Err *err);
/* Saves OUT/checkpoint-STEP (atomic), with state (a JSON object the loop
 * fills: data position etc.; "step", "kind", "config" are added). final:
 * the model files also go into OUT itself, each file atomically. */
int tr_session_save(TrSession *s, int step, cJSON *state, int final, Err *err);
/* Writes the model files (model.safetensors, LoRA merged; with LoRA also
 * the PEFT adapter) into dir, each file atomically. */
int tr_session_write_model(TrSession *s, const char *dir, Err *err);

double tr_now(void);

#endif
