/* model.c: building and reading the report model (runs, items, metrics)
 * through the suite interface. No I/O: loaders fill runs, renderers read
 * them. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

RpRun *rp_run_new(const SuiteOps *ops, const char *id, const char *name, const char *method, const char *model,
                  const char *split, int n) {
    RpRun *run = calloc(1, sizeof *run);
    if (!run) return NULL;
    run->suite = ops;
    run->id = dup_or_null(id), run->name = dup_or_null(name), run->method = dup_or_null(method);
    run->model = dup_or_null(model), run->split = dup_or_null(split);
    run->n = n;
    /* report order: rates[1..] then the headline rates[0] */
    int k = ops && ops->n_rates > 0 ? ops->n_rates : 0;
    if (k > RP_MAX_RATES) k = RP_MAX_RATES;
    for (int r = 1; r < k; r++) run->rate[run->nrate++] = &ops->rates[r];
    if (k) run->rate[run->nrate++] = &ops->rates[0];
    size_t parts = (size_t)(n ? n : 1) * (size_t)(run->nrate ? run->nrate : 1);
    run->item = calloc((size_t)(n ? n : 1), sizeof *run->item);
    run->num = calloc(parts, sizeof *run->num);
    run->den = calloc(parts, sizeof *run->den);
    if (!run->item || !run->num || !run->den) {
        rp_run_free(run);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        RpItem *it = &run->item[i];
        it->tokens_in = it->tokens_out = -1;
        it->cost = it->latency_ms = -1;
    }
    return run;
}

static void item_clear(RpItem *it) {
    free(it->text), free(it->note), free(it->plan_json), free(it->raw), free(it->error);
    for (int k = 0; k < SUITE_MAX_STRATA; k++) free(it->stratum[k]);
    for (int k = 0; k < it->nv; k++) free(it->v[k].family), free(it->v[k].name), free(it->v[k].message);
    free(it->v);
}

void rp_run_free(RpRun *run) {
    if (!run) return;
    for (int i = 0; run->item && i < run->n; i++) item_clear(&run->item[i]);
    free(run->item), free(run->num), free(run->den), free(run->metric), free(run->step);
    free(run->id), free(run->name), free(run->method), free(run->model), free(run->split);
    free(run->config_json), free(run->source);
    for (int k = 0; k < run->ncomp; k++) free(run->comp_name[k]);
    free(run);
}

int rp_run_set_item(RpRun *run, int i, const Suite *s, const SuiteItem *it, const SuiteEval *e, Err *err) {
    RpItem *ri = &run->item[i];
    int oom = 0;
    ri->idx = it->idx;
    free(ri->text), ri->text = dup_or_null(it->text), oom |= it->text && !ri->text;
    for (int k = 0; k < SUITE_MAX_STRATA; k++) {
        free(ri->stratum[k]);
        ri->stratum[k] = dup_or_null(it->stratum[k]);
        oom |= it->stratum[k] && !ri->stratum[k];
    }
    ri->delivered = e->delivered, ri->passed = e->passed;
    free(ri->note), ri->note = dup_or_null(e->note), oom |= e->note && !ri->note;
    for (int k = 0; k < ri->nv; k++) free(ri->v[k].family), free(ri->v[k].name), free(ri->v[k].message);
    free(ri->v), ri->v = NULL, ri->nv = 0;
    if (e->n > 0) {
        ri->v = calloc((size_t)e->n, sizeof *ri->v);
        oom |= !ri->v;
        for (int k = 0; ri->v && k < e->n; k++) {
            RpVerdict *v = &ri->v[ri->nv++];
            v->family = dup_or_null(e->v[k].family), v->name = dup_or_null(e->v[k].name);
            v->message = dup_or_null(e->v[k].message), v->value = e->v[k].value;
            oom |= !v->family || !v->name || (e->v[k].message && !v->message);
        }
    }
    for (int r = 0; r < run->nrate; r++) {
        int sr = (int)(run->rate[r] - s->ops->rates); /* the suite's own index */
        double num = 0, den = 0;
        if (s->ops->rate_parts) s->ops->rate_parts(s, it, e, sr, &num, &den);
        run->num[(size_t)r * run->n + i] = num, run->den[(size_t)r * run->n + i] = den;
    }
    return oom ? err_set(err, IM_IO, "out of memory") : IM_OK;
}

void rp_run_add_step(RpRun *run, const RpTrainStep *s) {
    RpTrainStep *grown = realloc(run->step, (size_t)(run->nstep + 1) * sizeof *grown);
    if (!grown) abort();
    run->step = grown;
    run->step[run->nstep++] = *s;
}

void rp_train_step_init(RpTrainStep *t, int step) {
    memset(t, 0, sizeof *t);
    t->step = step;
    t->loss = t->reward = t->lr = t->tokens_per_s = NAN;
    t->reflection = -1;
    t->grad_norm = t->reward_std = t->completion_len = t->clip_frac = t->kl = t->eval_loss = NAN;
    for (int k = 0; k < RP_MAX_COMPONENTS; k++) t->comp[k] = NAN;
}

int rp_run_component(RpRun *run, const char *name) {
    for (int k = 0; k < run->ncomp; k++)
        if (!strcmp(run->comp_name[k], name)) return k;
    if (run->ncomp == RP_MAX_COMPONENTS) return -1;
    char *copy = strdup(name);
    if (!copy) abort();
    run->comp_name[run->ncomp] = copy;
    return run->ncomp++;
}

const char *rp_run_train_kind(const RpRun *run) {
    if (!run->nstep) return NULL;
    for (int s = 0; s < run->nstep; s++)
        if (!strcmp(run->step[s].kind, "grpo") || !strcmp(run->step[s].kind, "sft")) return run->step[s].kind;
    if (run->method && !strcmp(run->method, "train-grpo")) return "grpo";
    return "sft";
}

static const char *const train_head[RP_TRAIN_COLS][2] = {
    {"Run", "run"},           {"Kind", "kind"},         {"Steps", "steps"},
    {"First loss", "loss_first"}, {"Last loss", "loss_last"}, {"Tokens / s", "tokens_per_s"},
    {"Wall time (s)", "wall_s"}, {"First reward", "reward_first"}, {"Last reward", "reward_last"},
    {"Last reflection ratio", "reflection_last"}, {"Completion length", "completion_len"}};

const char *rp_train_header(int c) { return train_head[c][0]; }
const char *rp_train_key(int c) { return train_head[c][1]; }

/* The first (last: from the end) finite value of figure f over the steps; NaN when none. */
static double step_end(const RpRun *run, double (*f)(const RpTrainStep *), int last) {
    for (int k = 0; k < run->nstep; k++) {
        double v = f(&run->step[last ? run->nstep - 1 - k : k]);
        if (isfinite(v)) return v;
    }
    return NAN;
}

static double step_mean(const RpRun *run, double (*f)(const RpTrainStep *)) {
    double sum = 0;
    int n = 0;
    for (int k = 0; k < run->nstep; k++) {
        double v = f(&run->step[k]);
        if (isfinite(v)) sum += v, n++;
    }
    return n ? sum / n : NAN;
}

static double st_loss(const RpTrainStep *t) { return t->loss; }
static double st_reward(const RpTrainStep *t) { return t->reward; }
static double st_tps(const RpTrainStep *t) { return t->tokens_per_s; }
static double st_refl(const RpTrainStep *t) { return t->reflection >= 0 ? t->reflection : NAN; }
static double st_len(const RpTrainStep *t) { return t->completion_len; }

static void num_cell(char *dst, double v, const char *fmt) {
    if (isfinite(v)) snprintf(dst, RP_TRAIN_CELL, fmt, v);
    else snprintf(dst, RP_TRAIN_CELL, "-");
}

void rp_train_cells(const RpRun *run, char cells[RP_TRAIN_COLS][RP_TRAIN_CELL]) {
    const char *kind = rp_run_train_kind(run);
    int grpo = kind && !strcmp(kind, "grpo");
    snprintf(cells[0], RP_TRAIN_CELL, "%.*s", RP_TRAIN_CELL - 1, run->name ? run->name : "");
    if (strlen(cells[0]) == RP_TRAIN_CELL - 1) { /* cut on a UTF-8 boundary */
        size_t n = RP_TRAIN_CELL - 1;
        while (n && ((unsigned char)cells[0][n] & 0xC0) == 0x80) n--;
        cells[0][n] = 0;
    }
    snprintf(cells[1], RP_TRAIN_CELL, "%s", kind ? kind : "-");
    snprintf(cells[2], RP_TRAIN_CELL, "%d", run->nstep);
    num_cell(cells[3], step_end(run, st_loss, 0), "%.4f");
    num_cell(cells[4], step_end(run, st_loss, 1), "%.4f");
    num_cell(cells[5], step_mean(run, st_tps), "%.1f");
    num_cell(cells[6], run->started > 0 && run->finished >= run->started ? run->finished - run->started : NAN, "%.1f");
    num_cell(cells[7], grpo ? step_end(run, st_reward, 0) : NAN, "%.4f");
    num_cell(cells[8], grpo ? step_end(run, st_reward, 1) : NAN, "%.4f");
    num_cell(cells[9], grpo ? step_end(run, st_refl, 1) : NAN, "%.3f");
    num_cell(cells[10], grpo ? step_mean(run, st_len) : NAN, "%.1f");
}

int rp_run_finish(RpRun *run, const Suite *s, const SuiteItem *items, const SuiteEval *evals, Err *err) {
    SuiteMetrics m;
    memset(&m, 0, sizeof m);
    int rc = suite_metrics(s, run->split, items, evals, run->n, &m, err);
    if (rc) return rc;
    free(run->metric);
    run->metric = m.n ? malloc((size_t)m.n * sizeof *run->metric) : NULL;
    run->nmetric = run->metric ? m.n : 0;
    if (run->metric) memcpy(run->metric, m.row, (size_t)m.n * sizeof *m.row);
    for (int r = 0; r < run->nrate; r++) {
        double v = suite_metric_value(&m, run->rate[r]->key);
        run->value[r] = v < 0 ? 0 : v;
    }
    int lost = m.n && !run->metric;
    suite_metrics_free(s, &m);
    return lost ? err_set(err, IM_IO, "out of memory") : IM_OK;
}

void rp_model_init(RpModel *m) { memset(m, 0, sizeof *m); }

void rp_model_free(RpModel *m) {
    if (!m) return;
    for (int i = 0; i < m->n; i++) rp_run_free(m->run[i]);
    free(m->run);
    for (int i = 0; i < m->nstage; i++) free(m->stage[i].name), free(m->stage[i].note);
    free(m->stage);
    memset(m, 0, sizeof *m);
}

void rp_model_add(RpModel *m, RpRun *run) {
    if (m->n == m->cap) {
        int cap = m->cap ? 2 * m->cap : 8;
        RpRun **grown = realloc(m->run, (size_t)cap * sizeof *grown);
        if (!grown) abort();
        m->run = grown, m->cap = cap;
    }
    m->run[m->n++] = run;
}

const char *rp_rate_key(const RpRun *run, int r) { return r >= 0 && r < run->nrate ? run->rate[r]->key : "?"; }
const char *rp_rate_name(const RpRun *run, int r) { return r >= 0 && r < run->nrate ? run->rate[r]->label : "?"; }
const char *rp_rate_short(const RpRun *run, int r) {
    if (r < 0 || r >= run->nrate) return "?";
    return run->rate[r]->short_label ? run->rate[r]->short_label : run->rate[r]->label;
}
int rp_rate_is_binary(const RpRun *run, int r) { return r >= 0 && r < run->nrate && run->rate[r]->binary; }

int rp_rate_by_key(const RpRun *run, const char *key) {
    for (int r = 0; r < run->nrate; r++)
        if (!strcmp(key, run->rate[r]->key)) return r;
    return -1;
}

void rp_rate_keys(const RpRun *run, Buf *out) {
    for (int r = 0; r < run->nrate; r++)
        buf_printf(out, "%s%s", r == 0 ? "" : r == run->nrate - 1 ? " or " : ", ", run->rate[r]->key);
}

void rp_run_rate_parts(const RpRun *run, double *num, double *den) {
    size_t k = (size_t)run->nrate * (size_t)run->n;
    if (k) memcpy(num, run->num, k * sizeof *num), memcpy(den, run->den, k * sizeof *den);
}

double rp_run_rate(const RpRun *run, int r) { return r >= 0 && r < run->nrate ? run->value[r] : 0; }
int rp_headline(const RpRun *run) { return run->nrate - 1; }
int rp_item_pass(const RpRun *run, int i) { return run->item[i].passed; }

int rp_run_passes(const RpRun *run) {
    int k = 0;
    for (int i = 0; i < run->n; i++) k += run->item[i].passed != 0;
    return k;
}

void rp_query_key(const RpRun *run, int i, Buf *out) {
    buf_printf(out, "%s#%d|%s", run->split ? run->split : "", run->item[i].idx, run->item[i].text ? run->item[i].text : "");
}

void rp_fmt_value(Buf *out, const char *fmt, const char *v) {
    const char *p = fmt ? strstr(fmt, "%s") : NULL;
    if (!p) {
        buf_puts(out, v);
        return;
    }
    buf_append(out, fmt, (size_t)(p - fmt));
    buf_puts(out, v);
    buf_puts(out, p + 2);
}

void rp_item_strata(const RpRun *run, int i, Buf *out) {
    const SuiteOps *ops = run->suite;
    for (int k = 0; ops && ops->strata && ops->strata[k] && k < SUITE_MAX_STRATA; k++) {
        if (k) buf_puts(out, " · ");
        rp_fmt_value(out, ops->strata_labels ? ops->strata_labels[k] : NULL, run->item[i].stratum[k] ? run->item[i].stratum[k] : "?");
    }
}

const char *rp_suite_title(const SuiteOps *ops) { return !ops ? "?" : ops->title ? ops->title : ops->name; }

void rp_run_usage(const RpRun *run, RpUsage *u) {
    memset(u, 0, sizeof *u);
    for (int i = 0; i < run->n; i++) {
        const RpItem *it = &run->item[i];
        if (it->tokens_in >= 0 || it->tokens_out >= 0) {
            u->n_tokens++;
            u->tokens_in += it->tokens_in > 0 ? (double)it->tokens_in : 0;
            u->tokens_out += it->tokens_out > 0 ? (double)it->tokens_out : 0;
        }
        if (it->cost >= 0) u->n_cost++, u->cost += it->cost;
        if (it->latency_ms >= 0) u->n_latency++, u->latency_ms += it->latency_ms;
    }
}
