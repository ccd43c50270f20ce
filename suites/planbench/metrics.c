/* metrics.c: Wilson intervals, strata and the reward (pb_metrics.h). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_metrics.h"
#include "pb_val.h"
#include "pyfmt.h"
#include "think.h"

void pb_wilson(int k, int n, double *lo, double *hi) {
    if (n <= 0) {
        *lo = 0, *hi = 1;
        return;
    }
    const double z = 1.959963984540054;
    double p = (double)k / n, z2 = z * z;
    double den = 1 + z2 / n, mid = (p + z2 / (2.0 * n)) / den;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / den;
    *lo = mid - half < 0 ? 0 : mid - half;
    *hi = mid + half > 1 ? 1 : mid + half;
}

static int stratum_cmp(const void *a, const void *b) {
    const PbStratum *x = a, *y = b;
    int c = strcmp(x->variant, y->variant);
    if (c) return c;
    if (x->objects != y->objects) return x->objects - y->objects;
    return x->opt_len - y->opt_len;
}

void pb_metrics_compute(const char *variant, const PbItem *items, int n, const int *objects, const int *opt_len, PbMetrics *m) {
    memset(m, 0, sizeof *m);
    m->st = calloc((size_t)(n ? n : 1), sizeof *m->st);
    if (!m->st) abort();
    for (int i = 0; i < n; i++) {
        int obj = objects ? objects[i] : -1, len = opt_len ? opt_len[i] : -1;
        PbStratum *s = NULL;
        for (int k = 0; k < m->nst && !s; k++)
            if (m->st[k].objects == obj && m->st[k].opt_len == len) s = &m->st[k];
        if (!s) {
            s = &m->st[m->nst++];
            snprintf(s->variant, sizeof s->variant, "%s", variant);
            s->objects = obj, s->opt_len = len;
        }
        s->n++, m->n++;
        if (items[i].correct < 0) continue;
        s->judged++, m->judged++;
        if (!items[i].correct) continue;
        s->correct++, m->correct++;
        if (len >= 0) {
            m->correct_known++;
            if (items[i].nsteps == len) s->correct_optimal++, m->correct_optimal++;
        }
    }
    qsort(m->st, (size_t)m->nst, sizeof *m->st, stratum_cmp);
}

void pb_metrics_free(PbMetrics *m) {
    if (!m) return;
    free(m->st);
    memset(m, 0, sizeof *m);
}

static void line(Buf *out, const char *label, int judged, int correct) {
    double lo, hi;
    pb_wilson(correct, judged, &lo, &hi);
    buf_printf(out, "%-34s %5d %5d  %6.1f%%  [%5.1f, %5.1f]\n", label, judged, correct, judged ? 100.0 * correct / judged : 0.0, 100 * lo, 100 * hi);
}

void pb_metrics_print(const PbMetrics *m, Buf *out) {
    buf_printf(out, "%-34s %5s %5s  %7s  %s\n", "stratum", "judged", "ok", "acc", "Wilson 95 %");
    line(out, "all", m->judged, m->correct);
    for (int k = 0; k < m->nst; k++) {
        char label[128];
        const PbStratum *s = &m->st[k];
        if (s->opt_len >= 0) snprintf(label, sizeof label, "%s objects=%d optimal=%d", s->variant, s->objects, s->opt_len);
        else snprintf(label, sizeof label, "%s objects=%d optimal=?", s->variant, s->objects);
        line(out, label, s->judged, s->correct);
    }
    if (m->correct_known) {
        double lo, hi;
        pb_wilson(m->correct_optimal, m->correct_known, &lo, &hi);
        buf_printf(out, "correct plans that are optimal: %d of %d (%.1f%%, Wilson 95 %% [%.1f, %.1f])\n", m->correct_optimal, m->correct_known,
                   100.0 * m->correct_optimal / m->correct_known, 100 * lo, 100 * hi);
    }
}

/* ---- reward ---- */
void pb_reward_cfg_default(PbRewardCfg *c) {
    memset(c, 0, sizeof *c);
    c->format_penalty = -1;
    c->valid_weight = 1;
    c->optimal_weight = 0;
    c->reflection_bonus = 0.5;
    c->reflection_penalty = -0.5;
    snprintf(c->reflection_pattern, sizeof c->reflection_pattern, "%s", THINK_REFLECTION_OPEN);
    c->dialect = PB_X_ANALYSIS;
}

int pb_reward_cfg_parse(const char *json, PbRewardCfg *c, Err *err) {
    cJSON *o = cJSON_Parse(json ? json : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "reward configuration: expected a JSON object");
    }
    int rc = IM_OK;
    for (const cJSON *f = o->child; f && !rc; f = f->next) {
        double *d = !strcmp(f->string, "format_penalty") ? &c->format_penalty
                    : !strcmp(f->string, "valid_weight") ? &c->valid_weight
                    : !strcmp(f->string, "optimal_weight") ? &c->optimal_weight
                    : !strcmp(f->string, "reflection_bonus") ? &c->reflection_bonus
                    : !strcmp(f->string, "reflection_penalty") ? &c->reflection_penalty
                                                               : NULL;
        if (d) {
            if (!cJSON_IsNumber(f)) rc = err_set(err, IM_USAGE, "reward configuration: \"%s\" must be a number", f->string);
            else *d = f->valuedouble;
        } else if (!strcmp(f->string, "think_open_optional")) {
            if (!cJSON_IsBool(f)) rc = err_set(err, IM_USAGE, "reward configuration: \"think_open_optional\" must be true or false");
            else c->think_open_optional = cJSON_IsTrue(f);
        } else if (!strcmp(f->string, "reflection_pattern")) {
            if (!cJSON_IsString(f) || !f->valuestring[0] || strlen(f->valuestring) >= sizeof c->reflection_pattern)
                rc = err_set(err, IM_USAGE, "reward configuration: \"reflection_pattern\" must be a non-empty string (< %zu bytes)",
                             sizeof c->reflection_pattern);
            else snprintf(c->reflection_pattern, sizeof c->reflection_pattern, "%s", f->valuestring);
        } else if (!strcmp(f->string, "extractor")) {
            int d2 = cJSON_IsString(f) ? pb_dialect_parse(f->valuestring) : -1;
            if (d2 <= 0) rc = err_set(err, IM_USAGE, "reward configuration: \"extractor\" must be plan-bench, plan-bench-md or analysis");
            else c->dialect = d2;
        } else if (strcmp(f->string, "suite")) {
            rc = err_set(err, IM_USAGE, "reward configuration: unknown field \"%s\" (format_penalty, valid_weight, optimal_weight, reflection_bonus, reflection_penalty, think_open_optional, reflection_pattern, extractor)", f->string);
        }
    }
    cJSON_Delete(o);
    return rc;
}

static void num(Buf *out, const char *k, double v, int comma) {
    char t[40];
    py_float_repr(v, t, sizeof t);
    buf_printf(out, "%s\"%s\": %s", comma ? ", " : "", k, t);
}

void pb_reward_cfg_json(const PbRewardCfg *c, Buf *out) {
    buf_putc(out, '{');
    num(out, "format_penalty", c->format_penalty, 0);
    num(out, "valid_weight", c->valid_weight, 1);
    num(out, "optimal_weight", c->optimal_weight, 1);
    num(out, "reflection_bonus", c->reflection_bonus, 1);
    num(out, "reflection_penalty", c->reflection_penalty, 1);
    buf_printf(out, ", \"think_open_optional\": %s, \"reflection_pattern\": ", c->think_open_optional ? "true" : "false");
    buf_json_str(out, c->reflection_pattern);
    buf_printf(out, ", \"extractor\": \"%s\"}", pb_dialect_name((PbDialect)c->dialect));
}

static void format_failure(PbReward *out, const PbRewardCfg *c, const char *why) {
    out->reward = c->format_penalty;
    snprintf(out->format_error, sizeof out->format_error, "%s", why);
}

void pb_reward(const PbVariant *v, const PbProblem *p, const char *response, int opt_len, const PbRewardCfg *c, PbReward *out) {
    memset(out, 0, sizeof *out);
    ThinkSplit sp;
    if (think_split(response ? response : "", c->think_open_optional, &sp)) {
        format_failure(out, c, sp.error);
        return;
    }
    char *answer = strndup(sp.answer, sp.answer_len);
    if (!answer) abort();
    PbExtracted x;
    if (!pb_extract_json_form(&v->x, answer, &x)) pb_extract(&v->x, (PbDialect)c->dialect, answer, NULL, &x);
    free(answer);
    if (!x.ok || x.nsteps == 0) {
        format_failure(out, c, x.ok ? "no action could be read from the answer after </think>" : x.why);
        pb_extracted_free(&x);
        return;
    }
    out->format_ok = 1;
    out->nsteps = x.nsteps;
    PbVerdict vd;
    pb_validate(v->dom, p, x.text, &vd);
    out->is_valid = vd.valid;
    out->valid = vd.valid ? c->valid_weight : 0;
    out->optimal = vd.valid && opt_len >= 0 && vd.nsteps == opt_len ? c->optimal_weight : 0;
    out->has_reflection = think_has_reflection(sp.reasoning, sp.reasoning_len, c->reflection_pattern);
    out->reflection = out->has_reflection ? c->reflection_bonus : c->reflection_penalty;
    out->reward = out->valid + out->optimal + out->reflection;
    snprintf(out->reason, sizeof out->reason, "%s", vd.reason);
    pb_extracted_free(&x);
}

/* Every term as TravelPlanner's reward writes its components (the same
 * names where the meaning is the same). */
void pb_reward_components_json(const PbReward *r, Buf *out) {
    buf_printf(out, "{\"format\": %d, \"format_error\": ", r->format_ok);
    if (r->format_ok) buf_puts(out, "null");
    else buf_json_str(out, r->format_error);
    num(out, "valid", r->valid, 1);
    num(out, "optimal", r->optimal, 1);
    num(out, "reflection", r->reflection, 1);
    buf_printf(out, ", \"has_reflection\": %d, \"plan_valid\": %s, \"steps\": %d, \"reason\": ", r->has_reflection,
               !r->format_ok ? "null" : r->is_valid ? "true" : "false", r->nsteps);
    if (r->format_ok) buf_json_str(out, r->reason);
    else buf_puts(out, "null");
    buf_putc(out, '}');
}
