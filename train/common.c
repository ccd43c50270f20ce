/* common.c: the parts of a training run that SFT and GRPO share: the
 * session (model, TrainModel), the optimizer step, checkpoints and resume.
 * The arithmetic is compute/'s (train_model.h); files go through ckpt.c. */
#include "train_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"

double tr_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

TmBatch tr_tm_batch(const TrBatch *b) {
    TmBatch t = {.n = b->n, .tokens = b->tok, .targets = b->tgt, .weights = b->w, .pos = b->pos, .seg = b->seg};
    return t;
}

int tr_tm_options(const TrCommon *c, int lora, TmOptions *o, Err *err) {
    memset(o, 0, sizeof *o);
    int rc = tm_device_parse(c->device ? c->device : "cpu", &o->device, err);
    o->vk_device = c->vk_device, o->max_tokens = c->max_tokens, o->seed = c->seed;
    if (!rc && lora && c->lora_r > 0) {
        o->lora_rank = c->lora_r, o->lora_alpha = (float)c->lora_alpha;
        rc = tm_lora_targets_parse(c->lora_targets, &o->lora_targets, err);
    }
    return rc;
}

int tr_session_open(TrSession *s, TrCommon *c, const char *kind, cJSON *config, Err *err) {
    memset(s, 0, sizeof *s);
    s->c = c, s->kind = kind;
    cJSON_AddStringToObject(config, "model", c->model);
    cJSON_AddNumberToObject(config, "lora_r", c->lora_r);
    if (c->lora_r) {
        cJSON_AddNumberToObject(config, "lora_alpha", c->lora_alpha);
        cJSON_AddStringToObject(config, "lora_targets", c->lora_targets);
    }
    cJSON_AddNumberToObject(config, "lr", c->opt.lr);
    cJSON_AddStringToObject(config, "schedule", tr_schedule_name(c->opt.schedule));
    cJSON_AddNumberToObject(config, "warmup", c->opt.warmup);
    cJSON_AddNumberToObject(config, "weight_decay", c->opt.weight_decay);
    cJSON_AddNumberToObject(config, "clip", c->opt.clip);
    cJSON_AddNumberToObject(config, "adam_beta1", c->opt.beta1);
    cJSON_AddNumberToObject(config, "adam_beta2", c->opt.beta2);
    cJSON_AddNumberToObject(config, "adam_eps", c->opt.eps);
    cJSON_AddNumberToObject(config, "seed", (double)c->seed);
    s->config_json = cJSON_PrintUnformatted(config);
    cJSON_Delete(config);
    TmOptions to;
    int rc = tr_ckpt_check_out(c->model, c->out, err);
    if (!rc) rc = tr_tm_options(c, 1, &to, err);
    if (!rc) rc = model_open(c->model, &s->mf, err);
    if (!rc) rc = tm_create(s->mf, &to, &s->tm, err);
    if (rc) tr_session_close(s);
    return rc;
}

void tr_session_close(TrSession *s) {
    if (!s) return;
    tm_destroy(s->tm);
    model_close(s->mf);
    free(s->config_json);
    cJSON_Delete(s->state);
    memset(s, 0, sizeof *s);
}

/* ---- optimizer state file ----------------------------------------------- */

static const char *const KIND[3] = {"master", "exp_avg", "exp_avg_sq"};
static const TmWhat WHAT[3] = {TM_MASTER, TM_ADAM_M, TM_ADAM_V};

/* optimizer.safetensors: master.NAME, exp_avg.NAME, exp_avg_sq.NAME (F32)
 * for every trainable tensor. */
static int save_optimizer(TrSession *s, const char *dir, Err *err) {
    int nt = tm_tensor_count(s->tm), n = 0, rc = IM_OK;
    TrTensorOut *ts = calloc((size_t)(3 * nt) + 1, sizeof *ts);
    char **names = calloc((size_t)(3 * nt) + 1, sizeof *names);
    float **bufs = calloc((size_t)(3 * nt) + 1, sizeof *bufs);
    if (!ts || !names || !bufs) abort();
    for (int i = 0; i < nt && !rc; i++) {
        const TmTensor *t = tm_tensor(s->tm, i);
        if (!t->trainable) continue;
        for (int k = 0; k < 3 && !rc; k++) {
            size_t len = strlen(t->name) + 16;
            names[n] = malloc(len), bufs[n] = malloc(sizeof(float) * t->n);
            if (!names[n] || !bufs[n]) abort();
            snprintf(names[n], len, "%s.%s", KIND[k], t->name);
            rc = tm_get(s->tm, i, WHAT[k], bufs[n], err);
            ts[n] = (TrTensorOut){names[n], ST_F32, t->ndim, {t->shape[0], t->shape[1]}, bufs[n]};
            n++;
        }
    }
    if (!rc) rc = tr_ckpt_write_tensors(dir, "optimizer.safetensors", ts, n, err);
    for (int i = 0; i < n; i++) free(names[i]), free(bufs[i]);
    free(names), free(bufs), free(ts);
    return rc;
}

static int load_optimizer(TrSession *s, const char *path, Err *err) {
    StModel *st = NULL;
    int rc = st_open_file(path, &st, err);
    for (int i = 0; !rc && i < tm_tensor_count(s->tm); i++) {
        const TmTensor *t = tm_tensor(s->tm, i);
        if (!t->trainable) continue;
        for (int k = 0; k < 3 && !rc; k++) {
            char name[600];
            snprintf(name, sizeof name, "%s.%s", KIND[k], t->name);
            const StTensor *x = st_find(st, name);
            if (!x || x->dtype != ST_F32 || x->nbytes != sizeof(float) * t->n)
                rc = err_set(err, IM_IO, "%s: tensor %s: %zu F32 values expected (a checkpoint of another model or --lora setting?)", path, name, t->n);
            else
                rc = tm_set(s->tm, i, WHAT[k], (const float *)x->data, err);
        }
    }
    st_close(st);
    return rc;
}

/* ---- resume ------------------------------------------------------------- */

int tr_session_resume(TrSession *s, Err *err) {
    char *dir = NULL;
    int step = tr_ckpt_latest(s->c->out, &dir);
    if (!s->c->resume) {
        free(dir);
        if (step >= 0)
            return err_set(err, IM_USAGE, "%s already holds checkpoints of a run: pass --resume to continue it, or choose another --out", s->c->out);
        return IM_OK;
    }
    tr_ckpt_clean(s->c->out);
    if (step < 0) return IM_OK; /* nothing saved yet: start from the beginning */
    char *sp = fs_join(dir, "trainer_state.json"), *op = fs_join(dir, "optimizer.safetensors"), *text = NULL;
    int rc = fs_read_text(sp, &text, NULL, err);
    cJSON *st = rc ? NULL : cJSON_Parse(text);
    free(text);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(st, "kind"), *cfg = cJSON_GetObjectItemCaseSensitive(st, "config");
    const cJSON *stp = cJSON_GetObjectItemCaseSensitive(st, "step"), *at = cJSON_GetObjectItemCaseSensitive(st, "adam_step");
    if (!rc && (!cJSON_IsString(kind) || !cJSON_IsNumber(stp) || !cJSON_IsNumber(at) || !cJSON_IsObject(cfg)))
        rc = err_set(err, IM_IO, "%s: fields kind, step, adam_step and config expected", sp);
    if (!rc && (stp->valuedouble != step || at->valuedouble < 0 || at->valuedouble > 1e15))
        rc = err_set(err, IM_IO, "%s: step %g and adam_step %g, in the folder of step %d (edited, or copied from another checkpoint?)", sp,
                     stp->valuedouble, at->valuedouble, step);
    if (!rc && strcmp(kind->valuestring, s->kind))
        rc = err_set(err, IM_USAGE, "--resume: %s is a checkpoint of `train %s`, not `train %s`", dir, kind->valuestring, s->kind);
    if (!rc) {
        cJSON *mine = cJSON_Parse(s->config_json);
        for (const cJSON *e = mine->child; e && !rc; e = e->next) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(cfg, e->string);
            if (!o || !cJSON_Compare(e, o, 1)) {
                char *a = cJSON_PrintUnformatted(e), *b = o ? cJSON_PrintUnformatted(o) : strdup("(absent)");
                rc = err_set(err, IM_USAGE, "--resume: %s was made with %s = %s, this command says %s; resume with the same options", dir, e->string, b, a);
                free(a), free(b);
            }
        }
        cJSON_Delete(mine);
    }
    if (!rc) rc = load_optimizer(s, op, err);
    if (!rc) {
        s->start_step = s->c->resumed_step = stp->valueint, s->adam_t = (long long)at->valuedouble;
        s->state = st, st = NULL;
        const cJSON *rn = cJSON_GetObjectItemCaseSensitive(s->state, "run_name");
        if (cJSON_IsString(rn) && !s->c->run_name) s->c->run_name = strdup(rn->valuestring);
        if (s->c->progress) fprintf(s->c->progress, "resuming from %s (step %d)\n", dir, s->start_step);
    }
    cJSON_Delete(st);
    free(sp), free(op), free(dir);
    return rc;
}

/* ---- the optimizer step ------------------------------------------------- */

int tr_session_update(TrSession *s, int step, double *lr, double *grad_norm, Err *err) {
    const TrOptOpts *o = &s->c->opt;
    double norm = 0;
    int rc = tm_grad_norm(s->tm, &norm, err);
    *grad_norm = norm;
    *lr = tr_lr_at(o, step - 1);
    if (!rc && !isfinite(norm)) return err_set(err, IM_FAIL, "step %d: the gradient norm is %g (the loss diverged; lower --lr)", step, norm);
    OprAdamW h = {(float)*lr, (float)o->beta1, (float)o->beta2, (float)o->eps, (float)o->weight_decay};
    if (!rc) rc = tm_adamw(s->tm, &h, (int)++s->adam_t, (float)tr_clip_scale(o, norm), err);
    if (!rc) rc = tm_zero_grads(s->tm, err);
    return rc;
}

/* ---- checkpoints -------------------------------------------------------- */

static int is_lora_name(const char *name) { return !strncmp(name, "base_model.model.", 17); }

int tr_session_write_model(TrSession *s, const char *dir, Err *err) {
    int nt = tm_tensor_count(s->tm), n = 0, na = 0, rc = IM_OK;
    TrTensorOut *mt = calloc((size_t)nt, sizeof *mt), *ad = calloc((size_t)nt, sizeof *ad);
    float **bufs = calloc((size_t)nt, sizeof *bufs);
    if (!mt || !ad || !bufs) abort();
    for (int i = 0; i < nt && !rc; i++) {
        const TmTensor *t = tm_tensor(s->tm, i);
        bufs[i] = malloc(sizeof(float) * (t->n ? t->n : 1));
        if (!bufs[i]) abort();
        rc = tm_get(s->tm, i, TM_PARAM, bufs[i], err);
        if (is_lora_name(t->name)) ad[na++] = (TrTensorOut){t->name, ST_F32, t->ndim, {t->shape[0], t->shape[1]}, bufs[i]};
        else mt[n++] = (TrTensorOut){t->name, t->dtype, t->ndim, {t->shape[0], t->shape[1]}, bufs[i]};
    }
    /* merge each adapter pair into a copy of its base weight */
    float **merged = calloc((size_t)n + 1, sizeof *merged);
    if (!merged) abort();
    double scale = s->c->lora_r ? s->c->lora_alpha / s->c->lora_r : 0;
    for (int k = 0; !rc && k < na; k++) {
        size_t len = strlen(ad[k].name);
        if (len < 31 || strcmp(ad[k].name + len - 14, ".lora_A.weight")) continue;
        char base[600], bname[600];
        snprintf(base, sizeof base, "%.*s.weight", (int)(len - 17 - 14), ad[k].name + 17);
        tr_lora_name(base, 'B', bname, sizeof bname);
        int bi = -1, wi = -1;
        for (int j = 0; j < na; j++)
            if (!strcmp(ad[j].name, bname)) bi = j;
        for (int j = 0; j < n; j++)
            if (!strcmp(mt[j].name, base)) wi = j;
        if (bi < 0 || wi < 0) {
            rc = err_set(err, IM_IO, "LoRA tensor %s: no %s or no base weight %s", ad[k].name, bname, base);
            break;
        }
        size_t cnt = (size_t)mt[wi].shape[0] * (size_t)mt[wi].shape[1];
        merged[wi] = malloc(sizeof(float) * cnt);
        if (!merged[wi]) abort();
        memcpy(merged[wi], mt[wi].data, sizeof(float) * cnt);
        tr_lora_apply(merged[wi], mt[wi].shape[0], mt[wi].shape[1], ad[k].data, ad[bi].data, ad[k].shape[0], scale);
        mt[wi].data = merged[wi];
    }
    if (!rc) rc = tr_ckpt_write_tensors(dir, "model.safetensors", mt, n, err);
    if (!rc && na) {
        rc = tr_ckpt_write_tensors(dir, "adapter_model.safetensors", ad, na, err);
        unsigned bits = 0;
        const char *mods[7];
        int nm = 0;
        static const char *const letters[] = {"q", "k", "v", "o", "gate", "up", "down"};
        if (!rc) rc = tm_lora_targets_parse(s->c->lora_targets, &bits, err);
        for (int i = 0; i < 7; i++)
            if (bits & (1u << i)) mods[nm++] = tr_lora_module(letters[i]);
        Buf cj;
        buf_init(&cj);
        tr_lora_config_json(s->c->lora_r, s->c->lora_alpha, mods, nm, s->c->model, &cj);
        if (!rc) rc = tr_ckpt_write_text(dir, "adapter_config.json", cj.data, err);
        buf_free(&cj);
    }
    for (int i = 0; i < n; i++) free(merged[i]);
    for (int i = 0; i < nt; i++) free(bufs[i]);
    free(merged), free(bufs), free(mt), free(ad);
    return rc;
}

int tr_session_save(TrSession *s, int step, cJSON *state, int final, Err *err) {
    char name[64], *tmp = NULL;
    snprintf(name, sizeof name, "checkpoint-%d", step);
    cJSON_AddStringToObject(state, "kind", s->kind);
    cJSON_AddNumberToObject(state, "step", step);
    cJSON_AddNumberToObject(state, "adam_step", (double)s->adam_t);
    if (s->c->run_name) cJSON_AddStringToObject(state, "run_name", s->c->run_name);
    cJSON_AddItemToObject(state, "config", cJSON_Parse(s->config_json));
    char *text = cJSON_Print(state);
    int rc = tr_ckpt_begin(s->c->model, s->c->out, name, &tmp, err);
    if (!rc) rc = tr_session_write_model(s, tmp, err);
    if (!rc) rc = save_optimizer(s, tmp, err);
    if (!rc) rc = tr_ckpt_write_text(tmp, "trainer_state.json", text, err); /* last: marks the folder complete */
    if (!rc) rc = tr_ckpt_commit(tmp, s->c->out, name, err);
    if (rc && tmp) tr_ckpt_remove(tmp);
    free(tmp);
    if (!rc && final) {
        /* OUT itself becomes the final model folder (beside its checkpoints) */
        char *t2 = NULL;
        rc = tr_ckpt_begin(s->c->model, s->c->out, "final", &t2, err);
        if (!rc) rc = tr_session_write_model(s, t2, err);
        static const char *const files[] = {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                                            "special_tokens_map.json", "adapter_config.json", "adapter_model.safetensors", "model.safetensors"};
        for (size_t i = 0; !rc && i < sizeof files / sizeof *files; i++) {
            char *src = fs_join(t2, files[i]), *dst = fs_join(s->c->out, files[i]);
            if (fs_exists(src) && rename(src, dst)) rc = err_set(err, IM_IO, "cannot rename %s to %s", src, dst);
            free(src), free(dst);
        }
        if (t2) tr_ckpt_remove(t2);
        free(t2);
    }
    free(text);
    return rc;
}
