/* model.c: building and reading the report model (runs, items, metrics).
 * No I/O: loaders fill runs, renderers read them. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite_tp.h"

static const char *const rate_keys[RP_NRATES] = {"delivery_rate", "commonsense_micro", "commonsense_macro",
                                                 "hard_micro",    "hard_macro",        "final_pass_rate"};
static const char *const rate_names[RP_NRATES] = {"Delivery",   "Commonsense micro", "Commonsense macro",
                                                  "Hard micro", "Hard macro",        "Final pass"};

const char *rp_rate_key(int r) { return r >= 0 && r < RP_NRATES ? rate_keys[r] : "?"; }
const char *rp_rate_name(int r) { return r >= 0 && r < RP_NRATES ? rate_names[r] : "?"; }
int rp_rate_is_binary(int r) { return r != RP_CS_MICRO && r != RP_HARD_MICRO; }

int rp_rate_by_key(const char *key) {
    for (int r = 0; r < RP_NRATES; r++)
        if (!strcmp(key, rate_keys[r])) return r;
    return -1;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

RpRun *rp_run_new(const char *id, const char *name, const char *method, const char *model, const char *split, int n) {
    RpRun *run = calloc(1, sizeof *run);
    if (!run) return NULL;
    run->id = dup_or_null(id), run->name = dup_or_null(name), run->method = dup_or_null(method);
    run->model = dup_or_null(model), run->split = dup_or_null(split);
    run->n = n;
    run->q = calloc((size_t)(n ? n : 1), sizeof *run->q);
    run->r = calloc((size_t)(n ? n : 1), sizeof *run->r);
    run->item = calloc((size_t)(n ? n : 1), sizeof *run->item);
    if (!run->q || !run->r || !run->item) {
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

void rp_run_free(RpRun *run) {
    if (!run) return;
    for (int i = 0; i < run->n; i++) {
        if (run->q) tp_query_free(&run->q[i]);
        if (run->r) tp_plan_result_free(&run->r[i]);
        if (run->item) free(run->item[i].plan_json), free(run->item[i].raw), free(run->item[i].error);
    }
    free(run->q), free(run->r), free(run->item), free(run->step);
    free(run->id), free(run->name), free(run->method), free(run->model), free(run->split);
    free(run->config_json), free(run->source);
    free(run);
}

int rp_run_set_query(RpRun *run, int i, const TpQuery *q, Err *err) {
    tp_query_free(&run->q[i]);
    int rc = tp_query_parse(q->json, "query", q->line, &run->q[i], err);
    if (!rc) run->q[i].idx = q->idx;
    return rc;
}

void rp_run_add_step(RpRun *run, const RpTrainStep *s) {
    RpTrainStep *grown = realloc(run->step, (size_t)(run->nstep + 1) * sizeof *grown);
    if (!grown) abort();
    run->step = grown;
    run->step[run->nstep++] = *s;
}

void rp_run_finish(RpRun *run) { tp_metrics_compute(run->q, run->r, run->n, run->split, &run->m); }

void rp_model_init(RpModel *m) { memset(m, 0, sizeof *m); }

void rp_model_free(RpModel *m) {
    if (!m) return;
    for (int i = 0; i < m->n; i++) rp_run_free(m->run[i]);
    free(m->run);
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

int rp_item_final_pass(const RpRun *run, int i) { return tp_plan_final_pass(&run->r[i]); }

void rp_run_rate_parts(const RpRun *run, double *num, double *den) {
    int n = run->n;
    for (int i = 0; i < n; i++) {
        double v[RP_NRATES], d[RP_NRATES]; /* the suite's six parts, in RP_* order */
        tp_rate_parts(&run->q[i], &run->r[i], v, d);
        for (int k = 0; k < RP_NRATES; k++) num[(size_t)k * n + i] = v[k], den[(size_t)k * n + i] = d[k];
    }
}

double rp_run_rate(const RpRun *run, int r) {
    const TpMetrics *m = &run->m;
    switch (r) {
    case RP_DELIVERY: return m->delivery_rate;
    case RP_CS_MICRO: return m->cs_micro_rate;
    case RP_CS_MACRO: return m->cs_macro_rate;
    case RP_HARD_MICRO: return m->hard_micro_rate;
    case RP_HARD_MACRO: return m->hard_macro_rate;
    case RP_FINAL: return m->final_rate;
    default: return 0;
    }
}

void rp_query_key(const RpRun *run, int i, Buf *out) {
    buf_printf(out, "%s#%d|%s", run->split ? run->split : "", run->q[i].idx, run->q[i].query ? run->q[i].query : "");
}

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

const char *rp_check_name(int k) { return k < TP_NCS ? tp_cs_name(k) : tp_hard_name(k - TP_NCS); }

void rp_run_check_counts(const RpRun *run, int pass[RP_NCHECKS], int fail[RP_NCHECKS]) {
    memset(pass, 0, RP_NCHECKS * sizeof *pass);
    memset(fail, 0, RP_NCHECKS * sizeof *fail);
    for (int i = 0; i < run->n; i++) {
        const TpPlanResult *r = &run->r[i];
        if (!r->delivered) continue;
        for (int k = 0; k < TP_NCS; k++) pass[k] += r->cs[k].value == 1, fail[k] += r->cs[k].value == 0;
        if (!r->hard_evaluated) continue;
        for (int k = 0; k < TP_NHARD; k++)
            pass[TP_NCS + k] += r->hard[k].value == 1, fail[TP_NCS + k] += r->hard[k].value == 0;
    }
}

void rp_run_cells(const RpRun *run, int pass[TP_NLEVELS][3], int n[TP_NLEVELS][3]) {
    memset(pass, 0, TP_NLEVELS * sizeof *pass);
    memset(n, 0, TP_NLEVELS * sizeof *n);
    for (int i = 0; i < run->n; i++) {
        int l = run->q[i].level, d = tp_days_slot(run->q[i].days);
        if (l < 0 || l >= TP_NLEVELS || d < 0) continue;
        n[l][d]++;
        pass[l][d] += rp_item_final_pass(run, i);
    }
}
