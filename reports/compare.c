/* compare.c: BASE vs NEW: metric deltas with intervals and p-values, the
 * queries that flipped, and the regression gate. Pure: appends to a Buf. */
#include "compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

int rp_gate_parse(const char *spec, RpGate *out, Err *err) {
    const char *colon = strrchr(spec, ':');
    char key[64];
    if (!colon || (size_t)(colon - spec) >= sizeof key)
        return err_set(err, IM_USAGE, "--gate '%s': expected METRIC:TOLERANCE, e.g. final_pass_rate:2", spec);
    memcpy(key, spec, (size_t)(colon - spec));
    key[colon - spec] = 0;
    snprintf(out->key, sizeof out->key, "%s", key);
    snprintf(out->spec, sizeof out->spec, "%s", spec);
    out->rate = -1;
    char *end;
    out->tol_pp = strtod(colon + 1, &end);
    if (end == colon + 1 || *end || out->tol_pp < 0 || out->tol_pp != out->tol_pp)
        return err_set(err, IM_USAGE, "--gate '%s': the tolerance must be a number of percentage points >= 0", spec);
    return IM_OK;
}

int rp_gate_resolve(const RpRun *run, RpGate *g, int n, Err *err) {
    for (int k = 0; k < n; k++) {
        g[k].rate = rp_rate_by_key(run, g[k].key);
        if (g[k].rate >= 0) continue;
        Buf keys;
        buf_init(&keys);
        rp_rate_keys(run, &keys);
        err_set(err, IM_USAGE, "--gate '%s': unknown metric '%s' (expected %s)", g[k].spec, g[k].key,
                keys.data ? keys.data : "a rate of the suite");
        buf_free(&keys);
        return IM_USAGE;
    }
    return IM_OK;
}

static int gate_fails(const RpRunStats *s, const RpGate *g, double alpha) {
    return s->p[g->rate] < alpha && s->diff[g->rate].est * 100 < -g->tol_pp;
}

/* Queries whose final pass changed, in NEW's order: dir 1 = failed -> passed. */
static int flipped(const RpRun *base, const RpRun *nw, int dir, int *out) {
    int *map = malloc((size_t)(nw->n ? nw->n : 1) * sizeof *map), k = 0;
    if (!map) return 0;
    if (rp_pair_runs(nw, base, map))
        for (int i = 0; i < nw->n; i++) {
            int b = rp_item_pass(base, map[i]), n = rp_item_pass(nw, i);
            if (dir ? (!b && n) : (b && !n)) out[k++] = nw->item[i].idx;
        }
    free(map);
    return k;
}

void rp_compare(const RpModel *m, const RpAnalysis *a, const RpGate *gates, int ngates, double alpha, int json, Buf *out,
                int *regressed) {
    const RpRun *base = m->run[0], *nw = m->run[1];
    const RpRunStats *s = &a->s[1];
    int *up = malloc((size_t)(nw->n + 1) * sizeof *up), *down = malloc((size_t)(nw->n + 1) * sizeof *down);
    int nup = up && down ? flipped(base, nw, 1, up) : 0, ndown = up && down ? flipped(base, nw, 0, down) : 0;
    *regressed = 0;
    for (int g = 0; g < ngates; g++) *regressed |= gate_fails(s, &gates[g], alpha);
    if (json) {
        buf_puts(out, "{\"base\": ");
        buf_json_str(out, base->name);
        buf_puts(out, ", \"new\": ");
        buf_json_str(out, nw->name);
        buf_printf(out, ", \"paired\": %s, \"alpha\": %g, \"metrics\": {", s->paired ? "true" : "false", alpha);
        for (int r = 0; r < nw->nrate; r++)
            buf_printf(out,
                       "%s\"%s\": {\"base\": %.6f, \"new\": %.6f, \"diff\": %.6f, \"diff_lo\": %.6f, \"diff_hi\": %.6f, "
                       "\"p\": %.6g, \"test\": \"%s\"}",
                       r ? ", " : "", rp_rate_key(nw, r), a->s[0].rate[r].est * 100, s->rate[r].est * 100, s->diff[r].est * 100,
                       s->diff[r].lo * 100, s->diff[r].hi * 100, s->p[r], rp_test_name(nw, s, r));
        buf_puts(out, "}, \"flipped\": {\"pass_to_fail\": [");
        for (int i = 0; i < ndown; i++) buf_printf(out, "%s%d", i ? ", " : "", down[i]);
        buf_puts(out, "], \"fail_to_pass\": [");
        for (int i = 0; i < nup; i++) buf_printf(out, "%s%d", i ? ", " : "", up[i]);
        buf_puts(out, "]}, \"gates\": [");
        for (int g = 0; g < ngates; g++)
            buf_printf(out, "%s{\"metric\": \"%s\", \"tolerance\": %g, \"diff\": %.6f, \"p\": %.6g, \"regressed\": %s}",
                       g ? ", " : "", rp_rate_key(nw, gates[g].rate), gates[g].tol_pp, s->diff[gates[g].rate].est * 100,
                       s->p[gates[g].rate], gate_fails(s, &gates[g], alpha) ? "true" : "false");
        buf_printf(out, "], \"regressed\": %s}\n", *regressed ? "true" : "false");
    } else {
        buf_printf(out, "BASE %s (%d queries)\nNEW  %s (%d queries)%s\n\n", base->name, base->n, nw->name, nw->n,
                   s->paired ? ", paired on the same queries" : ", different queries: unpaired");
        buf_printf(out, "%-20s %7s %7s %24s %8s  %s\n", "metric", "BASE", "NEW", "NEW-BASE (pp, 95% CI)", "p", "test");
        for (int r = 0; r < nw->nrate; r++) {
            char d[96], p[16];
            rp_fmt_diff(&s->diff[r], d, sizeof d), rp_fmt_p(s->p[r], p, sizeof p);
            buf_printf(out, "%-20s %7.1f %7.1f %24s %8s  %s\n", rp_rate_key(nw, r), a->s[0].rate[r].est * 100, s->rate[r].est * 100,
                       d, p, rp_test_name(nw, s, r));
        }
        const char *head = rp_rate_name(nw, rp_headline(nw));
        buf_printf(out, "\nflipped (%c%s): %d passed -> failed", head[0] >= 'A' && head[0] <= 'Z' ? head[0] - 'A' + 'a' : head[0],
                   head[0] ? head + 1 : "", ndown);
        for (int i = 0; i < ndown; i++) buf_printf(out, "%s%d", i ? ", " : ": #", down[i]);
        buf_printf(out, "; %d failed -> passed", nup);
        for (int i = 0; i < nup; i++) buf_printf(out, "%s%d", i ? ", " : ": #", up[i]);
        buf_putc(out, '\n');
        for (int g = 0; g < ngates; g++) {
            const RpGate *gt = &gates[g];
            char p[16];
            rp_fmt_p(s->p[gt->rate], p, sizeof p);
            buf_printf(out, "gate %s: %+.1f pp (p=%s, alpha %g, tolerance %g pp): %s\n", rp_rate_key(nw, gt->rate),
                       s->diff[gt->rate].est * 100, p, alpha, gt->tol_pp,
                       gate_fails(s, gt, alpha) ? "REGRESSED" : "ok");
        }
    }
    free(up), free(down);
}
