/* sft.c: `imagine train sft`: epochs over the packed samples, gradient
 * accumulation, AdamW, held-out loss, checkpoints and resume. The loss of
 * a step is the mean negative log-likelihood over the step's target
 * tokens (every micro-batch's weights are 1 / the step's target count, so
 * accumulation gives the same gradient as one large batch). An optimizer
 * step never spans two epochs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train_priv.h"

/* Micro-batches of an epoch's order, from sample `at` on. */
static int count_micro(const TrData *d, const int *order, int batch_tokens) {
    int at = 0, n = 0;
    while (at < d->n) {
        int rows = 0, k = at;
        while (k < d->n && (k == at || rows + d->s[order[k]].n <= batch_tokens)) rows += d->s[order[k++]].n;
        at = k, n++;
    }
    return n;
}

/* Mean NLL of the targets of d (all samples, in file order). */
static int eval_loss(TrainModel *tm, const TrData *d, int batch_tokens, double *out, Err *err) {
    int *order = malloc(sizeof *order * (size_t)d->n), at = 0, rc = IM_OK;
    if (!order) abort();
    for (int i = 0; i < d->n; i++) order[i] = i;
    double sum = 0;
    long long cnt = 0;
    while (!rc && at < d->n) {
        TrBatch b;
        rc = tr_batch_pack(d, order, d->n, &at, batch_tokens, &b, err);
        float *lp = rc ? NULL : malloc(sizeof *lp * (size_t)b.n);
        TmBatch tb = tr_tm_batch(&b);
        if (!rc) rc = tm_forward(tm, &tb, NULL, lp, err);
        for (int i = 0; !rc && i < b.n; i++)
            if (b.tgt[i] >= 0) sum -= lp[i], cnt++;
        free(lp);
        tr_batch_free(&b);
    }
    free(order);
    *out = cnt ? sum / (double)cnt : NAN;
    return rc;
}

int tr_sft_check(const TrSftOpts *o, Err *err) {
    if (o->epochs < 1) return err_set(err, IM_USAGE, "--epochs must be at least 1");
    if (o->max_len < 2) return err_set(err, IM_USAGE, "--max-len must be at least 2");
    if (o->batch_tokens < o->max_len)
        return err_set(err, IM_USAGE, "--batch-tokens %d is below --max-len %d: a sample must fit a micro-batch", o->batch_tokens, o->max_len);
    if (o->grad_accum < 1 || o->grad_accum > 64) return err_set(err, IM_USAGE, "--grad-accum must be between 1 and 64");
    if (o->c.lora_r < 0) return err_set(err, IM_USAGE, "--lora must be 0 (full fine-tuning) or a rank >= 1");
    return IM_OK;
}

int tr_sft(TrSftOpts *o, TrSftResult *res, Err *err) {
    memset(res, 0, sizeof *res);
    res->eval_loss = NAN;
    int rc = tr_sft_check(o, err);
    if (rc) return rc;
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "data", o->data);
    cJSON_AddNumberToObject(cfg, "epochs", o->epochs);
    cJSON_AddNumberToObject(cfg, "max_len", o->max_len);
    cJSON_AddNumberToObject(cfg, "batch_tokens", o->batch_tokens);
    cJSON_AddNumberToObject(cfg, "grad_accum", o->grad_accum);
    cJSON_AddNumberToObject(cfg, "max_steps", o->c.max_steps);
    TrSession s;
    o->c.max_tokens = o->batch_tokens;
    if ((rc = tr_session_open(&s, &o->c, "sft", cfg, err))) return rc;
    if ((rc = tm_zero_grads(s.tm, err))) return tr_session_close(&s), rc;
    TrData d = {0}, ev = {0};
    rc = tr_data_load(o->data, s.mf, o->max_len, &d, err);
    if (!rc && o->eval_data) rc = tr_data_load(o->eval_data, s.mf, o->max_len, &ev, err);
    int *order = NULL, *mb_per_epoch = NULL, total = 0;
    if (!rc) {
        res->n_samples = d.n, res->n_too_long = d.n_too_long, res->first_too_long = d.first_too_long, res->longest = d.longest;
        if (o->c.progress)
            fprintf(o->c.progress, "%s: %d samples, %lld tokens (%lld targets); %d longer than --max-len %d left out%s%.0d%s; %d without an assistant turn\n",
                    o->data, d.n, d.tokens, d.targets, d.n_too_long, o->max_len, d.n_too_long ? " (first at line " : "",
                    d.n_too_long ? d.first_too_long : 0, d.n_too_long ? ")" : "", d.n_no_target);
        order = malloc(sizeof *order * (size_t)d.n), mb_per_epoch = calloc((size_t)o->epochs, sizeof *mb_per_epoch);
        if (!order || !mb_per_epoch) abort();
        for (int e = 0; e < o->epochs; e++) {
            tr_data_order(d.n, o->c.seed, e, order);
            mb_per_epoch[e] = count_micro(&d, order, o->batch_tokens);
            total += (mb_per_epoch[e] + o->grad_accum - 1) / o->grad_accum;
        }
        if (o->c.max_steps > 0 && o->c.max_steps < total) total = o->c.max_steps;
        o->c.opt.total = total;
        rc = tr_session_resume(&s, err);
    }
    int epoch = 0, at = 0;
    if (!rc && s.state) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(s.state, "epoch"), *a = cJSON_GetObjectItemCaseSensitive(s.state, "at");
        if (!cJSON_IsNumber(e) || !cJSON_IsNumber(a) || e->valueint < 0 || a->valueint < 0 || a->valueint > d.n)
            rc = err_set(err, IM_IO, "%s: trainer_state.json: epoch and at (the data position) expected", o->c.out);
        else
            epoch = e->valueint, at = a->valueint;
    }
    if (!rc && o->c.ready) rc = o->c.ready(o->c.log_ud, err);
    if (!rc && ev.n && !s.start_step) {
        double l0;
        rc = eval_loss(s.tm, &ev, o->batch_tokens, &l0, err);
        if (!rc && o->c.progress) fprintf(o->c.progress, "held-out loss before training: %.4f (%d samples)\n", l0, ev.n);
    }
    if (!rc && epoch < o->epochs) tr_data_order(d.n, o->c.seed, epoch, order);
    for (int step = s.start_step + 1; !rc && step <= total; step++) {
        if (at >= d.n) epoch++, at = 0, tr_data_order(d.n, o->c.seed, epoch, order);
        double t0 = tr_now(), loss = 0;
        TrBatch mb[64];
        int nmb = 0;
        long long targets = 0, rows = 0;
        while (!rc && nmb < o->grad_accum && nmb < 64 && at < d.n) {
            rc = tr_batch_pack(&d, order, d.n, &at, o->batch_tokens, &mb[nmb], err);
            if (!rc) targets += mb[nmb].n_target, rows += mb[nmb].n, nmb++;
        }
        for (int i = 0; i < nmb && !rc; i++) {
            double l = 0;
            tr_batch_scale(&mb[i], (float)(1.0 / (double)targets));
            TmBatch tb = tr_tm_batch(&mb[i]);
            rc = tm_forward_backward(s.tm, &tb, &l, NULL, err);
            loss += l;
        }
        for (int i = 0; i < nmb; i++) tr_batch_free(&mb[i]);
        TrStepInfo si = {.kind = "sft", .step = step, .loss = loss, .tokens = rows, .eval_loss = NAN, .reward = NAN, .reward_std = NAN,
                         .reflection_ratio = NAN, .completion_len = NAN, .clip_frac = NAN, .kl = NAN, .lp_diff_max = NAN};
        if (!rc) rc = tr_session_update(&s, step, &si.lr, &si.grad_norm, err);
        si.tokens_per_s = (double)rows / (tr_now() - t0);
        int save = step == total || (o->c.save_every > 0 && step % o->c.save_every == 0);
        int evaluate = ev.n && (step == total || (o->eval_every > 0 && step % o->eval_every == 0));
        if (!rc && evaluate) rc = eval_loss(s.tm, &ev, o->batch_tokens, &si.eval_loss, err);
        if (!rc && step == s.start_step + 1) res->first_loss = loss;
        res->last_loss = loss, res->steps = step;
        if (evaluate) res->eval_loss = si.eval_loss;
        if (!rc && o->c.progress) {
            fprintf(o->c.progress, "step %d/%d epoch %d loss %.4f lr %.3g grad_norm %.3g tokens/s %.0f", step, total, epoch + 1, loss, si.lr,
                    si.grad_norm, si.tokens_per_s);
            if (evaluate) fprintf(o->c.progress, " eval_loss %.4f", si.eval_loss);
            fputc('\n', o->c.progress);
            fflush(o->c.progress);
        }
        if (!rc && o->c.log) rc = o->c.log(o->c.log_ud, &si, err);
        if (!rc && save) {
            cJSON *st = cJSON_CreateObject();
            int ne = at >= d.n ? epoch + 1 : epoch, na = at >= d.n ? 0 : at;
            cJSON_AddNumberToObject(st, "epoch", ne);
            cJSON_AddNumberToObject(st, "at", na);
            cJSON_AddNumberToObject(st, "total_steps", total);
            rc = tr_session_save(&s, step, st, step == total, err);
            cJSON_Delete(st);
        }
    }
    free(order), free(mb_per_epoch);
    tr_data_free(&d), tr_data_free(&ev);
    tr_session_close(&s);
    return rc;
}
