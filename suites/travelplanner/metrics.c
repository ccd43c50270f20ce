/* metrics.c: the official aggregate metrics of eval.py (Delivery,
 * Commonsense and Hard micro/macro, Final Pass) and its per level x days
 * detail, printed byte for byte as eval.py prints them. Pure functions of
 * the per-plan results and the queries. */
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "pyfmt.h"

/* Whether the hard check k has a 'total' in eval.py's detail, and which. */
static int hard_total(int level, int k, const int cc[4], int count, int *total) {
    /* eval.py's constraint order: house rule, cuisine, room type, transportation */
    int idx = k == TP_HARD_ROOM_RULE ? 0 : k == TP_HARD_CUISINE ? 1 : k == TP_HARD_ROOM_TYPE ? 2
            : k == TP_HARD_TRANSPORTATION ? 3 : -1;
    if (k == TP_HARD_COST) return *total = count, 1;
    if (level == TP_LEVEL_HARD) return *total = cc[idx], 1;
    if (level == TP_LEVEL_MEDIUM && idx != 3) return *total = cc[idx], 1;
    return 0;
}

static void constraint_counts(const TpQuery *q, int cc[4]) {
    cc[0] = q->house_rule != NULL, cc[1] = q->cuisine != NULL;
    cc[2] = q->room_type != NULL, cc[3] = q->transportation != NULL;
}

static void count_plan(const TpPlanResult *r, TpMetrics *m, int l, int d) {
    if (!r->delivered) return;
    m->delivered++;
    m->cs_present[l][d] = 1;
    for (int k = 0; k < TP_NCS; k++) {
        m->cs[l][d][k].t += r->cs[k].value == 1;
        m->cs[l][d][k].f += r->cs[k].value == 0;
        m->cs_pass += r->cs[k].value == 1;
    }
    if (!r->hard_evaluated) return;
    m->hard_present[l][d] = 1;
    for (int k = 0; k < TP_NHARD; k++) {
        m->hard[l][d][k].t += r->hard[k].value == 1;
        m->hard[l][d][k].f += r->hard[k].value == 0;
        m->hard_pass += r->hard[k].value == 1;
    }
}

static void macro_plan(const TpPlanResult *r, TpMetrics *m, int level) {
    if (!r->delivered || !r->hard_evaluated) return; /* eval.py `continue`s when hard is None */
    int cs_ok = 1, hard_ok = 1;
    for (int k = 0; k < TP_NCS; k++) cs_ok &= r->cs[k].value != 0;
    for (int k = 0; k < TP_NHARD; k++) hard_ok &= r->hard[k].value != 0;
    m->cs_macro += cs_ok;
    m->hard_macro += hard_ok;
    if (cs_ok && hard_ok) m->final_pass++, m->final_by_level[level]++;
}

void tp_metrics_compute(const TpQuery *qs, const TpPlanResult *rs, int n, const char *split, TpMetrics *m) {
    memset(m, 0, sizeof *m);
    m->n = n;
    int cc_sum[TP_NLEVELS][3][4] = {{{0}}};
    int hard_denom = 0;
    for (int i = 0; i < n; i++) {
        int l = qs[i].level, d = tp_days_slot(qs[i].days), cc[4];
        m->count[l][d]++;
        constraint_counts(&qs[i], cc);
        for (int k = 0; k < 4; k++) cc_sum[l][d][k] += cc[k];
        hard_denom += 1 + (l == TP_LEVEL_HARD ? cc[0] + cc[1] + cc[2] + cc[3] : l == TP_LEVEL_MEDIUM ? cc[0] + cc[1] + cc[2] : 0);
        count_plan(&rs[i], m, l, d);
        macro_plan(&rs[i], m, l);
    }
    for (int l = 0; l < TP_NLEVELS; l++)
        for (int d = 0; d < 3; d++) {
            for (int k = 0; k < TP_NCS; k++) m->cs[l][d][k].total = m->count[l][d], m->cs[l][d][k].has_total = 1;
            for (int k = 0; k < TP_NHARD; k++)
                m->hard[l][d][k].has_total = hard_total(l, k, cc_sum[l][d], m->count[l][d], &m->hard[l][d][k].total);
        }
    static const struct { const char *split; int n, cs, hard; } official[] = {
        {"train", 45, 360, 105}, {"validation", 180, 1440, 420}, {"test", 1000, 8000, 2290}};
    m->n_denom = n, m->cs_denom = 8 * n, m->hard_denom = hard_denom;
    for (int k = 0; split && k < 3; k++)
        if (!strcmp(split, official[k].split) && n == official[k].n)
            m->official = 1, m->n_denom = official[k].n, m->cs_denom = official[k].cs, m->hard_denom = official[k].hard;
#define RATE(a, b) ((b) ? (double)(a) / (double)(b) : 0.0)
    m->delivery_rate = RATE(m->delivered, m->n_denom);
    m->cs_micro_rate = RATE(m->cs_pass, m->cs_denom);
    m->cs_macro_rate = RATE(m->cs_macro, m->n_denom);
    m->hard_micro_rate = RATE(m->hard_pass, m->hard_denom);
    m->hard_macro_rate = RATE(m->hard_macro, m->n_denom);
    m->final_rate = RATE(m->final_pass, m->n_denom);
#undef RATE
}

static void rate_line(Buf *out, const char *name, double frac) {
    char num[40];
    buf_printf(out, "%s: %s%%\n", name, py_float_repr(frac * 100, num, sizeof num));
}

void tp_metrics_print_rates(const TpMetrics *m, Buf *out) {
    rate_line(out, "Delivery Rate", m->delivery_rate);
    rate_line(out, "Commonsense Constraint Micro Pass Rate", m->cs_micro_rate);
    rate_line(out, "Commonsense Constraint Macro Pass Rate", m->cs_macro_rate);
    rate_line(out, "Hard Constraint Micro Pass Rate", m->hard_micro_rate);
    rate_line(out, "Hard Constraint Macro Pass Rate", m->hard_macro_rate);
    rate_line(out, "Final Pass Rate", m->final_rate);
}

static const int day_values[3] = {3, 5, 7};

static void family_repr(const TpMetrics *m, int hard, Buf *out) {
    buf_putc(out, '{');
    for (int l = 0; l < TP_NLEVELS; l++) {
        buf_printf(out, "%s'%s': {", l ? ", " : "", tp_level_name(l));
        for (int d = 0; d < 3; d++) {
            buf_printf(out, "%s%d: {", d ? ", " : "", day_values[d]);
            int present = hard ? m->hard_present[l][d] : m->cs_present[l][d], nk = hard ? TP_NHARD : TP_NCS;
            for (int k = 0; present && k < nk; k++) {
                const TpCount *c = hard ? &m->hard[l][d][k] : &m->cs[l][d][k];
                buf_printf(out, "%s'%s': {'true': %d, 'false': %d", k ? ", " : "", hard ? tp_hard_name(k) : tp_cs_name(k),
                           c->t, c->f);
                if (c->has_total) buf_printf(out, ", 'total': %d", c->total);
                buf_putc(out, '}');
            }
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, '}');
}

void tp_metrics_detail_repr(const TpMetrics *m, Buf *out) {
    buf_puts(out, "{'Commonsense Constraint': ");
    family_repr(m, 0, out);
    buf_puts(out, ", 'Hard Constraint': ");
    family_repr(m, 1, out);
    buf_puts(out, "}");
}

void tp_metrics_detail_table(const TpMetrics *m, Buf *out) {
    for (int hard = 0; hard < 2; hard++) {
        buf_printf(out, "\n%-26s", hard ? "Hard constraint" : "Commonsense constraint");
        for (int l = 0; l < TP_NLEVELS; l++)
            for (int d = 0; d < 3; d++) {
                char h[24];
                snprintf(h, sizeof h, "%s-%d", tp_level_name(l), day_values[d]);
                buf_printf(out, " %9s", h);
            }
        buf_putc(out, '\n');
        int nk = hard ? TP_NHARD : TP_NCS;
        for (int k = 0; k < nk; k++) {
            buf_printf(out, "%-26s", hard ? tp_hard_name(k) : tp_cs_name(k));
            for (int l = 0; l < TP_NLEVELS; l++)
                for (int d = 0; d < 3; d++) {
                    const TpCount *c = hard ? &m->hard[l][d][k] : &m->cs[l][d][k];
                    char cell[32];
                    if (c->has_total) snprintf(cell, sizeof cell, "%d/%d", c->t, c->total);
                    else snprintf(cell, sizeof cell, "%d/-", c->t);
                    buf_printf(out, " %9s", cell);
                }
            buf_putc(out, '\n');
        }
    }
}

static void json_rate(Buf *out, const char *key, double frac, int last) {
    char num[40];
    buf_printf(out, "\"%s\": %s%s", key, py_float_repr(frac * 100, num, sizeof num), last ? "" : ", ");
}

static void family_json(const TpMetrics *m, int hard, Buf *out) {
    buf_putc(out, '{');
    for (int l = 0; l < TP_NLEVELS; l++) {
        buf_printf(out, "%s\"%s\": {", l ? ", " : "", tp_level_name(l));
        for (int d = 0; d < 3; d++) {
            buf_printf(out, "%s\"%d\": {", d ? ", " : "", day_values[d]);
            int nk = hard ? TP_NHARD : TP_NCS;
            for (int k = 0; k < nk; k++) {
                const TpCount *c = hard ? &m->hard[l][d][k] : &m->cs[l][d][k];
                buf_printf(out, "%s\"%s\": {\"true\": %d, \"false\": %d", k ? ", " : "", hard ? tp_hard_name(k) : tp_cs_name(k),
                           c->t, c->f);
                if (c->has_total) buf_printf(out, ", \"total\": %d", c->total);
                buf_putc(out, '}');
            }
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, '}');
}

void tp_metrics_json(const TpMetrics *m, Buf *out) {
    buf_putc(out, '{');
    json_rate(out, "delivery_rate", m->delivery_rate, 0);
    json_rate(out, "commonsense_micro", m->cs_micro_rate, 0);
    json_rate(out, "commonsense_macro", m->cs_macro_rate, 0);
    json_rate(out, "hard_micro", m->hard_micro_rate, 0);
    json_rate(out, "hard_macro", m->hard_macro_rate, 0);
    json_rate(out, "final_pass_rate", m->final_rate, 0);
    buf_printf(out, "\"queries\": %d, \"delivered\": %d, \"denominators\": {\"source\": \"%s\", \"plans\": %d, "
                    "\"commonsense\": %d, \"hard\": %d}, ",
               m->n, m->delivered, m->official ? "official" : "computed", m->n_denom, m->cs_denom, m->hard_denom);
    buf_printf(out, "\"counts\": {\"commonsense_pass\": %d, \"hard_pass\": %d, \"commonsense_macro\": %d, "
                    "\"hard_macro\": %d, \"final_pass\": %d}, ",
               m->cs_pass, m->hard_pass, m->cs_macro, m->hard_macro, m->final_pass);
    buf_puts(out, "\"detail\": {\"commonsense\": ");
    family_json(m, 0, out);
    buf_puts(out, ", \"hard\": ");
    family_json(m, 1, out);
    buf_puts(out, "}}");
}
