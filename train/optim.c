/* optim.c: AdamW, schedules, clipping and the optimizer state file. Pure
 * arithmetic on caller-given arrays, plus one safetensors read/write. */
#include "optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"

int tr_schedule_parse(const char *s) {
    if (!strcmp(s, "constant")) return TR_SCHED_CONSTANT;
    if (!strcmp(s, "linear")) return TR_SCHED_LINEAR;
    if (!strcmp(s, "cosine")) return TR_SCHED_COSINE;
    return -1;
}

const char *tr_schedule_name(TrSchedule s) {
    return s == TR_SCHED_CONSTANT ? "constant" : s == TR_SCHED_LINEAR ? "linear" : "cosine";
}

double tr_lr_at(const TrOptOpts *o, long long s) {
    if (s < o->warmup) return o->lr * (double)s / (double)o->warmup;
    if (o->schedule == TR_SCHED_CONSTANT) return o->lr;
    double span = (double)(o->total - o->warmup);
    double x = span > 0 ? (double)(s - o->warmup) / span : 1.0;
    if (x > 1) x = 1;
    if (o->schedule == TR_SCHED_LINEAR) return o->lr * (1.0 - x);
    return o->lr * 0.5 * (1.0 + cos(M_PI * x));
}

void tr_opt_init(TrOpt *opt, const TrOptOpts *o) {
    memset(opt, 0, sizeof *opt);
    opt->o = *o;
}

void tr_opt_add(TrOpt *opt, const char *name, const float *init, size_t n, int decay) {
    opt->p = realloc(opt->p, sizeof *opt->p * (size_t)(opt->n + 1));
    if (!opt->p) abort();
    TrOptParam *p = &opt->p[opt->n++];
    p->name = strdup(name), p->n = n, p->decay = decay;
    p->master = malloc(sizeof *p->master * n), p->m = calloc(n, sizeof *p->m), p->v = calloc(n, sizeof *p->v);
    if (!p->name || !p->master || !p->m || !p->v) abort();
    memcpy(p->master, init, sizeof *init * n);
}

void tr_opt_free(TrOpt *opt) {
    if (!opt) return;
    for (int i = 0; i < opt->n; i++) free(opt->p[i].name), free(opt->p[i].master), free(opt->p[i].m), free(opt->p[i].v);
    free(opt->p);
    memset(opt, 0, sizeof *opt);
}

double tr_grad_norm(float *const *grads, const size_t *n, int k) {
    double s = 0;
    for (int i = 0; i < k; i++)
        for (size_t j = 0; j < n[i]; j++) s += (double)grads[i][j] * grads[i][j];
    return sqrt(s);
}

double tr_clip_scale(const TrOptOpts *o, double norm) {
    if (o->clip <= 0 || !(norm > o->clip)) return 1.0;
    return o->clip / (norm + 1e-6); /* torch.nn.utils.clip_grad_norm_ */
}

void tr_opt_update(TrOpt *opt, int i, const float *grad, double gscale, double lr) {
    TrOptParam *p = &opt->p[i];
    const TrOptOpts *o = &opt->o;
    double t = (double)(opt->t + 1);
    double bc1 = 1.0 - pow(o->beta1, t), bc2 = 1.0 - pow(o->beta2, t);
    double decay = p->decay ? lr * o->weight_decay : 0.0;
    for (size_t j = 0; j < p->n; j++) {
        double g = (double)grad[j] * gscale, w = p->master[j];
        double m = o->beta1 * p->m[j] + (1.0 - o->beta1) * g;
        double v = o->beta2 * p->v[j] + (1.0 - o->beta2) * g * g;
        w -= decay * w;
        w -= lr * (m / bc1) / (sqrt(v / bc2) + o->eps);
        p->m[j] = (float)m, p->v[j] = (float)v, p->master[j] = (float)w;
    }
}

void tr_opt_tick(TrOpt *opt) { opt->t++; }

/* ---- state file --------------------------------------------------------- */

static const char *const KIND[3] = {"master", "exp_avg", "exp_avg_sq"};

int tr_opt_save(const TrOpt *opt, const char *path, Err *err) {
    int n = 3 * opt->n + 1;
    StTensor *ts = calloc((size_t)n, sizeof *ts);
    char **names = calloc((size_t)n, sizeof *names);
    if (!ts || !names) abort();
    float step = (float)opt->t; /* exact below 2^24 steps */
    ts[0] = (StTensor){.name = "step", .dtype = ST_F32, .ndim = 1, .shape = {1}, .data = &step, .nbytes = 4};
    for (int i = 0; i < opt->n; i++)
        for (int k = 0; k < 3; k++) {
            const TrOptParam *p = &opt->p[i];
            StTensor *t = &ts[1 + 3 * i + k];
            size_t len = strlen(p->name) + 16;
            names[1 + 3 * i + k] = malloc(len);
            snprintf(names[1 + 3 * i + k], len, "%s.%s", KIND[k], p->name);
            t->name = names[1 + 3 * i + k], t->dtype = ST_F32, t->ndim = 1, t->shape[0] = (int64_t)p->n;
            t->data = k == 0 ? p->master : k == 1 ? p->m : p->v, t->nbytes = 4 * p->n;
        }
    int rc = st_write(path, ts, n, err);
    for (int i = 0; i < n; i++) free(names[i]);
    free(names), free(ts);
    return rc;
}

int tr_opt_load(TrOpt *opt, const char *path, Err *err) {
    StModel *st = NULL;
    int rc = st_open_file(path, &st, err);
    if (rc) return rc;
    const StTensor *step = st_find(st, "step");
    if (!step || step->dtype != ST_F32 || step->nbytes != 4) rc = err_set(err, IM_IO, "%s: tensor step: one F32 value expected", path);
    for (int i = 0; !rc && i < opt->n; i++)
        for (int k = 0; !rc && k < 3; k++) {
            TrOptParam *p = &opt->p[i];
            char name[512];
            snprintf(name, sizeof name, "%s.%s", KIND[k], p->name);
            const StTensor *t = st_find(st, name);
            if (!t || t->dtype != ST_F32 || t->nbytes != 4 * p->n) {
                rc = err_set(err, IM_IO, "%s: tensor %s: %zu F32 values expected (the checkpoint belongs to another model or --lora setting)", path, name, p->n);
                break;
            }
            memcpy(k == 0 ? p->master : k == 1 ? p->m : p->v, t->data, t->nbytes);
        }
    if (!rc) {
        float s;
        memcpy(&s, step->data, 4);
        opt->t = (long long)s;
    }
    st_close(st);
    return rc;
}
