/* grpo.c: `imagine train grpo`: group rollouts through the engine's
 * batched decode, rewards from the suite (TrReward), group-normalised
 * advantages, the clipped surrogate with an optional k3 KL to a frozen
 * reference, and the three loss aggregations of TRL's GRPOTrainer:
 *   per token   l = -min(r A, clip(r, 1 - eps, 1 + eps_high) A) + beta k3,
 *               r = exp(logp - logp_old), k3 = exp(ref - logp) - (ref - logp) - 1
 *   grpo        mean over each completion's tokens, then over completions
 *   dr_grpo     sum / (completions * max_completion)
 *   dapo        sum / all completion tokens of the step
 * logp_old is the policy's own log-probability before the step's first
 * update (so r = 1 on the first of --num-iterations passes, as in TRL). The
 * gradient reaches the model as per-token weights w = -dL/dlogp
 * (tm_forward_backward).
 * After each update the engine is reopened on the new weights (written to
 * OUT/.rollout.PID), so rollouts always come from the current policy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "fsutil.h"
#include "train_priv.h"

void tr_advantages(const double *r, int groups, int g, TrScaleKind scale, double *adv) {
    int n = groups * g;
    double bm = 0, bs = 0;
    for (int i = 0; i < n; i++) bm += r[i];
    bm /= n;
    for (int i = 0; i < n; i++) bs += (r[i] - bm) * (r[i] - bm);
    bs = n > 1 ? sqrt(bs / (n - 1)) : 0;
    for (int k = 0; k < groups; k++) {
        const double *x = r + (size_t)k * g;
        double m = 0, s = 0;
        for (int i = 0; i < g; i++) m += x[i];
        m /= g;
        for (int i = 0; i < g; i++) s += (x[i] - m) * (x[i] - m);
        s = g > 1 ? sqrt(s / (g - 1)) : 0;
        for (int i = 0; i < g; i++) {
            double a = x[i] - m;
            if (scale == TR_SCALE_GROUP) a /= s + 1e-4;
            else if (scale == TR_SCALE_BATCH) a /= bs + 1e-4;
            adv[(size_t)k * g + i] = a;
        }
    }
}

int tr_grpo_token(double lp, double old, double ref, double adv, double eps, double eps_high, double beta, double *loss, double *dl,
                  double *kl) {
    double ratio = exp(lp - old), lo = 1 - eps, hi = 1 + eps_high, cr = ratio < lo ? lo : ratio > hi ? hi : ratio;
    double c1 = ratio * adv, c2 = cr * adv;
    *loss = -(c1 < c2 ? c1 : c2);
    *dl = c1 <= c2 ? -adv * ratio : 0;
    *kl = 0;
    if (!isnan(ref)) {
        double d = ref - lp;
        *kl = exp(d) - d - 1;
        *loss += beta * *kl, *dl += beta * (1 - exp(d));
    }
    return (adv < 0 && ratio < lo) || (adv > 0 && ratio > hi);
}

/* One completion of the step. */
typedef struct Roll {
    int q;                /* query index */
    int *ids, n_prompt, n; /* prompt + completion tokens */
    float *sampler_lp;    /* per completion token (n - n_prompt), from the engine */
    double reward, adv;
    int reflection, truncated;
    char *components;     /* JSON object text */
} Roll;

static void rolls_free(Roll *r, int n) {
    for (int i = 0; i < n; i++) free(r[i].ids), free(r[i].sampler_lp), free(r[i].components);
    free(r);
}

static int open_engine(TrSession *s, const TrGrpoOpts *o, const char *dir, int nseq, int ctx, Engine **e, Err *err) {
    engine_close(*e);
    *e = NULL;
    EngineOpts eo = {.device = o->c.vk_device, .max_seqs = nseq, .max_ctx = ctx, .max_rows = 64};
    (void)s;
    return engine_open(dir, &eo, e, err);
}

/* Writes the policy's weights into the rollout folder and reopens the engine. */
static int refresh_engine(TrSession *s, const TrGrpoOpts *o, const char *dir, int nseq, int ctx, Engine **e, Err *err) {
    engine_close(*e);
    *e = NULL;
    int rc = tr_session_write_model(s, dir, err);
    if (!rc) rc = open_engine(s, o, dir, nseq, ctx, e, err);
    return rc;
}

static uint64_t mix(uint64_t a, uint64_t b) {
    uint64_t s = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    return rng_next(&s);
}

/* Rollouts of one step: P prompts x G completions, scored. */
/* Query q's prompt as the engine's tokens (malloc'd), checked against
 * --max-prompt: a prompt is never cut. */
static int encode_prompt(const TrGrpoOpts *o, Engine *e, int q, int **ids, int *n, Err *err) {
    Buf sys, user;
    buf_init(&sys), buf_init(&user);
    *ids = NULL, *n = 0;
    int rc = o->reward.prompt(o->reward.ud, q, &sys, &user, err);
    ChatMsg m[2];
    int nm = 0;
    if (sys.len) m[nm++] = (ChatMsg){.role = "system", .content = sys.data};
    m[nm++] = (ChatMsg){.role = "user", .content = user.data ? user.data : ""};
    if (!rc) rc = engine_encode_chat(e, m, nm, o->think, ids, n, err);
    if (!rc && *n > o->max_prompt)
        rc = err_set(err, IM_USAGE, "query %d: the prompt has %d tokens, more than --max-prompt %d (never cut: raise it)", q, *n, o->max_prompt);
    buf_free(&sys), buf_free(&user);
    return rc;
}

/* Every prompt checked before the first step (a long one had stopped a run
 * at the step that first drew it). */
static int check_prompts(const TrGrpoOpts *o, Engine *e, Err *err) {
    int rc = IM_OK;
    for (int q = 0; q < o->reward.n_queries && !rc; q++) {
        int *ids, n;
        rc = encode_prompt(o, e, q, &ids, &n, err);
        free(ids);
    }
    return rc;
}

static int rollout(TrSession *s, const TrGrpoOpts *o, Engine *e, int step, Roll *rolls, Err *err) {
    int P = o->prompts_per_step, G = o->group, n = P * G, rc = IM_OK;
    int nq = o->reward.n_queries;
    GenReq *reqs = calloc((size_t)n, sizeof *reqs);
    GenReq **rp = calloc((size_t)n, sizeof *rp);
    int **pids = calloc((size_t)P, sizeof *pids), *pn = calloc((size_t)P, sizeof *pn), *order = malloc(sizeof *order * (size_t)nq);
    if (!reqs || !rp || !pids || !pn || !order) abort();
    for (int p = 0; p < P && !rc; p++) {
        long long idx = (long long)(step - 1) * P + p;
        int epoch = (int)(idx / nq);
        tr_data_order(nq, o->c.seed, epoch, order);
        int q = order[idx % nq];
        rc = encode_prompt(o, e, q, &pids[p], &pn[p], err);
        for (int g = 0; g < G && !rc; g++) {
            GenReq *r = &reqs[p * G + g];
            r->prompt = pids[p], r->n_prompt = pn[p], r->max_tokens = o->max_completion, r->logprobs = 1;
            r->sample.temperature = (float)o->temperature, r->sample.top_p = (float)o->top_p;
            r->seed = mix(mix(o->c.seed, (uint64_t)step), (uint64_t)(p * G + g));
            rp[p * G + g] = r;
            rolls[p * G + g].q = q;
        }
    }
    free(order);
    if (!rc) rc = engine_run(e, rp, n, err);
    for (int i = 0; i < n && !rc; i++) {
        GenReq *r = &reqs[i];
        Roll *x = &rolls[i];
        int extra = r->eos_id >= 0;
        x->n_prompt = r->n_prompt, x->n = r->n_prompt + r->n_gen + extra;
        x->ids = malloc(sizeof *x->ids * (size_t)x->n), x->sampler_lp = malloc(sizeof *x->sampler_lp * (size_t)(x->n - x->n_prompt + 1));
        if (!x->ids || !x->sampler_lp) abort();
        memcpy(x->ids, r->prompt, sizeof *x->ids * (size_t)r->n_prompt);
        for (int k = 0; k < r->n_gen; k++) x->ids[r->n_prompt + k] = r->toks[k].id, x->sampler_lp[k] = r->toks[k].logprob;
        if (extra) x->ids[x->n - 1] = r->eos_id, x->sampler_lp[r->n_gen] = r->eos_logprob;
        x->truncated = !strcmp(r->finish ? r->finish : "", "length");
        Buf comp;
        buf_init(&comp);
        rc = o->reward.score(o->reward.ud, x->q, r->text.data ? r->text.data : "", &x->reward, &comp, &x->reflection, err);
        x->components = comp.data ? buf_take(&comp) : strdup("{}");
        buf_free(&comp);
    }
    for (int i = 0; i < n; i++) genreq_free(&reqs[i]);
    for (int p = 0; p < P; p++) free(pids[p]);
    free(pids), free(pn), free(reqs), free(rp);
    (void)s;
    return rc;
}

/* The step's completions as one packed batch (prompt rows are context). */
static void pack_rolls(const Roll *rolls, int n, TrBatch *b) {
    memset(b, 0, sizeof *b);
    int rows = 0;
    for (int i = 0; i < n; i++) rows += rolls[i].n;
    b->n = rows, b->n_seq = n;
    b->tok = malloc(sizeof *b->tok * (size_t)rows), b->pos = malloc(sizeof *b->pos * (size_t)rows);
    b->tgt = malloc(sizeof *b->tgt * (size_t)rows), b->w = calloc((size_t)rows, sizeof *b->w);
    b->seg = malloc(sizeof *b->seg * (size_t)rows), b->seq_start = malloc(sizeof *b->seq_start * (size_t)(n + 1));
    if (!b->tok || !b->pos || !b->tgt || !b->w || !b->seg || !b->seq_start) abort();
    int r = 0;
    for (int i = 0; i < n; i++) {
        b->seq_start[i] = r;
        for (int k = 0; k < rolls[i].n; k++, r++) {
            b->tok[r] = rolls[i].ids[k], b->pos[r] = k, b->seg[r] = i;
            int t = k + 1 < rolls[i].n && k + 1 >= rolls[i].n_prompt;
            b->tgt[r] = t ? rolls[i].ids[k + 1] : -1;
            b->n_target += t;
        }
    }
    b->seq_start[n] = r;
}

/* Components: the mean of each named number over the completions, as JSON. */
static char *mean_components(const Roll *rolls, int n) {
    cJSON *sum = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        cJSON *c = cJSON_Parse(rolls[i].components);
        for (cJSON *e = c ? c->child : NULL; e; e = e->next) {
            if (!cJSON_IsNumber(e)) continue;
            cJSON *s = cJSON_GetObjectItemCaseSensitive(sum, e->string);
            if (s) cJSON_SetNumberValue(s, s->valuedouble + e->valuedouble);
            else cJSON_AddNumberToObject(sum, e->string, e->valuedouble);
        }
        cJSON_Delete(c);
    }
    for (cJSON *e = sum->child; e; e = e->next) cJSON_SetNumberValue(e, e->valuedouble / n);
    char *t = cJSON_PrintUnformatted(sum);
    cJSON_Delete(sum);
    return t;
}

int tr_grpo_check(const TrGrpoOpts *o, Err *err) {
    if (o->steps < 1) return err_set(err, IM_USAGE, "--steps must be at least 1");
    if (o->group < 2) return err_set(err, IM_USAGE, "--group must be at least 2 (advantages compare completions of one prompt)");
    if (o->prompts_per_step < 1 || o->prompts_per_step * o->group > 256)
        return err_set(err, IM_USAGE, "--prompts x --group must be between 1 and 256 completions per step");
    if (o->max_completion < 1) return err_set(err, IM_USAGE, "--max-completion must be at least 1");
    if (o->num_iterations < 1) return err_set(err, IM_USAGE, "--num-iterations must be at least 1");
    if (o->epsilon < 0 || o->epsilon_high < 0 || o->beta < 0) return err_set(err, IM_USAGE, "--epsilon, --epsilon-high and --beta must be >= 0");
    if (!(o->temperature > 0)) /* at 0 every completion of a group is the same: no advantage, no gradient */
        return err_set(err, IM_USAGE, "--temperature %g: GRPO samples its completions, it must be above 0", o->temperature);
    if (!(o->top_p > 0 && o->top_p <= 1)) return err_set(err, IM_USAGE, "--top-p %g: expected 0 < P <= 1", o->top_p);
    if (o->reward.n_queries < 1) return err_set(err, IM_USAGE, "no queries to train on");
    return IM_OK;
}

int tr_grpo(TrGrpoOpts *o, TrGrpoResult *res, Err *err) {
    memset(res, 0, sizeof *res);
    int rc = tr_grpo_check(o, err);
    if (rc) return rc;
    static const char *const LOSS[] = {"grpo", "dr_grpo", "dapo"}, *const SCALE[] = {"group", "batch", "none"};
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddNumberToObject(cfg, "steps", o->steps);
    cJSON_AddNumberToObject(cfg, "group", o->group);
    cJSON_AddNumberToObject(cfg, "prompts", o->prompts_per_step);
    cJSON_AddNumberToObject(cfg, "beta", o->beta);
    cJSON_AddNumberToObject(cfg, "epsilon", o->epsilon);
    cJSON_AddNumberToObject(cfg, "epsilon_high", o->epsilon_high);
    cJSON_AddStringToObject(cfg, "loss", LOSS[o->loss]);
    cJSON_AddStringToObject(cfg, "scale_rewards", SCALE[o->scale]);
    cJSON_AddNumberToObject(cfg, "temperature", o->temperature);
    cJSON_AddNumberToObject(cfg, "top_p", o->top_p);
    cJSON_AddNumberToObject(cfg, "max_completion", o->max_completion);
    cJSON_AddNumberToObject(cfg, "num_iterations", o->num_iterations);
    TrSession s;
    o->c.max_tokens = o->prompts_per_step * o->group * (o->max_prompt + o->max_completion + 1);
    if ((rc = tr_session_open(&s, &o->c, "grpo", cfg, err))) return rc;
    if ((rc = tm_zero_grads(s.tm, err))) return tr_session_close(&s), rc;
    o->c.opt.total = o->steps;
    rc = tr_session_resume(&s, err);
    int n = o->prompts_per_step * o->group, ctx = o->max_prompt + o->max_completion + 2;
    TrainModel *ref = NULL;
    if (!rc && o->beta > 0) {
        TmOptions ro;
        rc = tr_tm_options(&o->c, 0, &ro, err);
        if (!rc) rc = tm_create(s.mf, &ro, &ref, err); /* the frozen reference: the starting model */
    }
    char leaf[64];
    snprintf(leaf, sizeof leaf, ".rollout.%ld", (long)getpid());
    char *rdir = fs_join(o->c.out, leaf);
    Engine *e = NULL;
    int had_out = fs_is_dir(o->c.out);
    if (!rc) {
        /* the rollout folder: the model's config and tokenizer, then weights */
        char *tmp = NULL;
        rc = tr_ckpt_begin(o->c.model, o->c.out, leaf + 1, &tmp, err);
        if (!rc) tr_ckpt_remove(rdir), rc = rename(tmp, rdir) ? err_set(err, IM_IO, "cannot create %s", rdir) : IM_OK;
        free(tmp);
    }
    if (!rc) rc = refresh_engine(&s, o, rdir, n, ctx, &e, err);
    if (!rc) rc = check_prompts(o, e, err);
    if (!rc && o->c.ready) rc = o->c.ready(o->c.log_ud, err);
    for (int step = s.start_step + 1; !rc && step <= o->steps; step++) {
        double t0 = tr_now();
        Roll *rolls = calloc((size_t)n, sizeof *rolls);
        if (!rolls) abort();
        rc = rollout(&s, o, e, step, rolls, err);
        double *r = malloc(sizeof *r * (size_t)n), *adv = malloc(sizeof *adv * (size_t)n);
        if (!r || !adv) abort();
        for (int i = 0; i < n; i++) r[i] = rolls[i].reward;
        tr_advantages(r, o->prompts_per_step, o->group, o->scale, adv);
        for (int i = 0; i < n; i++) rolls[i].adv = adv[i];
        TrBatch b;
        pack_rolls(rolls, n, &b);
        float *lp = malloc(sizeof *lp * (size_t)b.n), *old = malloc(sizeof *old * (size_t)b.n), *rl = NULL;
        if (!lp || !old) abort();
        /* the per-row completion index and the aggregation coefficient */
        double *coef = calloc((size_t)b.n, sizeof *coef);
        int *who = malloc(sizeof *who * (size_t)b.n);
        if (!coef || !who) abort();
        long long ntok = b.n_target;
        for (int i = 0; i < n; i++) {
            int len = rolls[i].n - rolls[i].n_prompt;
            for (int k = b.seq_start[i]; k < b.seq_start[i + 1]; k++) {
                who[k] = i;
                if (b.tgt[k] < 0) continue;
                coef[k] = o->loss == TR_LOSS_GRPO ? 1.0 / ((double)len * n)
                        : o->loss == TR_LOSS_DR_GRPO ? 1.0 / ((double)n * o->max_completion)
                        : 1.0 / (double)ntok;
            }
        }
        TmBatch tb = tr_tm_batch(&b);
        /* On policy without KL (beta 0, one iteration) the weights do not
         * depend on the log-probs (ratio 1): one forward + backward gives
         * both; else a forward first gives logp_old (and the reference's). */
        int single = !ref && o->num_iterations == 1;
        if (!rc && !single) rc = tm_forward(s.tm, &tb, NULL, old, err);
        if (!rc && ref) {
            rl = malloc(sizeof *rl * (size_t)b.n);
            if (!rl) abort();
            rc = tm_forward(ref, &tb, NULL, rl, err);
        }
        TrStepInfo si = {.kind = "grpo", .step = step, .tokens = b.n, .eval_loss = NAN, .kl = NAN};
        double loss = 0, clipped = 0, kl = 0;
        for (int it = 0; it < o->num_iterations && !rc; it++) {
            if (it) rc = tm_forward(s.tm, &tb, NULL, lp, err);
            else if (!single) memcpy(lp, old, sizeof *lp * (size_t)b.n);
            loss = 0, clipped = 0, kl = 0;
            for (int k = 0; k < b.n && !rc; k++) {
                b.w[k] = 0;
                if (b.tgt[k] < 0) continue;
                double l, dl, k3;
                if (single) clipped += tr_grpo_token(0, 0, NAN, rolls[who[k]].adv, o->epsilon, o->epsilon_high, o->beta, &l, &dl, &k3);
                else clipped += tr_grpo_token(lp[k], old[k], rl ? rl[k] : NAN, rolls[who[k]].adv, o->epsilon, o->epsilon_high, o->beta, &l, &dl, &k3);
                kl += k3;
                loss += coef[k] * l;
                b.w[k] = (float)(-coef[k] * dl);
            }
            double dummy = 0;
            if (!rc) rc = tm_forward_backward(s.tm, &tb, &dummy, single ? old : NULL, err);
            if (!rc) rc = tr_session_update(&s, step, &si.lr, &si.grad_norm, err);
        }
        /* consistency: the trainer's log-probs (before the update) against the sampler's */
        double diff = 0;
        for (int i = 0; i < n && !rc; i++)
            for (int k = rolls[i].n_prompt; k < rolls[i].n; k++) {
                double d = fabs((double)old[b.seq_start[i] + k - 1] - rolls[i].sampler_lp[k - rolls[i].n_prompt]);
                diff = d > diff ? d : diff;
            }
        si.lp_diff_max = diff;
        res->lp_diff_max = diff > res->lp_diff_max ? diff : res->lp_diff_max;
        /* metrics */
        double rm = 0, rs = 0, len = 0, refl = 0;
        int trunc = 0;
        for (int i = 0; i < n; i++) rm += r[i], len += rolls[i].n - rolls[i].n_prompt, refl += rolls[i].reflection, trunc += rolls[i].truncated;
        rm /= n;
        for (int i = 0; i < n; i++) rs += (r[i] - rm) * (r[i] - rm);
        rs = n > 1 ? sqrt(rs / (n - 1)) : 0;
        char *comps = mean_components(rolls, n);
        si.loss = loss, si.reward = rm, si.reward_std = rs, si.components_json = comps;
        si.reflection_ratio = refl / n, si.completion_len = len / n, si.clip_frac = ntok ? clipped / (double)ntok : 0;
        si.kl = rl && ntok ? kl / (double)ntok : NAN;
        si.truncated = trunc, si.completions = n;
        if (!rc && si.lr > 0) rc = refresh_engine(&s, o, rdir, n, ctx, &e, err);
        si.tokens_per_s = (double)b.n / (tr_now() - t0);
        if (!rc && step == s.start_step + 1) res->first_reward = rm;
        res->last_reward = rm, res->steps = step;
        if (!rc && o->c.progress) {
            fprintf(o->c.progress, "step %d/%d reward %.4f (std %.3f) %s loss %.4g lr %.3g grad_norm %.3g len %.1f truncated %d/%d reflection %.2f clip %.3f",
                    step, o->steps, rm, rs, comps, loss, si.lr, si.grad_norm, si.completion_len, trunc, n, si.reflection_ratio, si.clip_frac);
            if (rl) fprintf(o->c.progress, " kl %.4g", si.kl);
            fprintf(o->c.progress, " lp_diff %.2g\n", diff);
            fflush(o->c.progress);
        }
        if (!rc && o->c.log) rc = o->c.log(o->c.log_ud, &si, err);
        if (!rc && (step == o->steps || (o->c.save_every > 0 && step % o->c.save_every == 0))) {
            cJSON *st = cJSON_CreateObject();
            rc = tr_session_save(&s, step, st, step == o->steps, err);
            cJSON_Delete(st);
        }
        free(comps), free(coef), free(who), free(lp), free(old), free(rl), free(r), free(adv);
        tr_batch_free(&b);
        rolls_free(rolls, n);
    }
    engine_close(e);
    tr_ckpt_remove(rdir);
    if (rc && !had_out) rmdir(o->c.out); /* made for the rollouts: gone unless a checkpoint is in it */
    free(rdir);
    tm_destroy(ref);
    tr_session_close(&s);
    return rc;
}
