/* analysis.c: intervals and tests for every run of a model, and the
 * comparison of each with the baseline. No I/O. */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>

#include "strmap.h"

static uint64_t run_seed(uint64_t seed, const RpRun *run) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a of the name */
    for (const char *s = run->name ? run->name : ""; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return seed ^ h;
}

int rp_pair_runs(const RpRun *a, const RpRun *b, int *map) {
    if (a->n != b->n) return 0;
    Buf keys;
    buf_init(&keys);
    size_t *off = malloc((size_t)(b->n ? b->n : 1) * sizeof *off);
    if (!off) return 0;
    for (int i = 0; i < b->n; i++) {
        off[i] = keys.len;
        rp_query_key(b, i, &keys);
        buf_putc(&keys, 0);
    }
    StrMap idx;
    strmap_init(&idx);
    int ok = 1;
    for (int i = 0; i < b->n; i++) {
        int inserted;
        *strmap_upsert(&idx, keys.data + off[i], i, &inserted) = i;
        if (!inserted) ok = 0; /* duplicate queries: pairing would be ambiguous */
    }
    Buf k;
    buf_init(&k);
    for (int i = 0; ok && i < a->n; i++) {
        buf_reset(&k);
        rp_query_key(a, i, &k);
        map[i] = strmap_get(&idx, k.data);
        if (map[i] < 0) ok = 0;
    }
    buf_free(&k), strmap_free(&idx), buf_free(&keys), free(off);
    return ok;
}

/* Mean of the known values of one usage field with a bootstrap interval. */
static int usage_ci(const RpRun *run, int which, const RpBoot *bs, RpCi *out, int *has, Err *err) {
    double *v = malloc((size_t)(run->n ? run->n : 1) * 2 * sizeof *v);
    if (!v) return err_set(err, IM_IO, "out of memory");
    int n = 0;
    for (int i = 0; i < run->n; i++) {
        const RpItem *it = &run->item[i];
        double x = which == 0 ? (it->tokens_in >= 0 || it->tokens_out >= 0
                                     ? (double)(it->tokens_in > 0 ? it->tokens_in : 0) + (double)(it->tokens_out > 0 ? it->tokens_out : 0)
                                     : -1)
                 : which == 1 ? it->cost
                              : it->latency_ms;
        if (x >= 0) v[n++] = x;
    }
    *has = n > 0;
    int rc = IM_OK;
    if (n > 0) {
        double *ones = v + run->n;
        for (int i = 0; i < n; i++) ones[i] = 1;
        RpBoot b = *bs;
        b.seed = run_seed(bs->seed, run) + 7 + (uint64_t)which;
        rc = rp_boot_ratio(v, ones, n, 1, &b, out, err);
    } else {
        memset(out, 0, sizeof *out);
    }
    free(v);
    return rc;
}

static int run_intervals(const RpRun *run, const RpBoot *bs, const double *num, const double *den, RpRunStats *s,
                         Err *err) {
    int n = run->n;
    for (int r = 0; r < RP_NRATES; r++) {
        if (!rp_rate_is_binary(r)) continue;
        double x = 0;
        for (int i = 0; i < n; i++) x += num[(size_t)r * n + i];
        rp_wilson((int)x, n, RP_Z95, &s->rate[r]);
    }
    /* the two micro rates share one bootstrap */
    RpBoot b = *bs;
    b.seed = run_seed(bs->seed, run);
    RpCi micro[2];
    double *mnum = malloc((size_t)(n ? n : 1) * 4 * sizeof *mnum);
    if (!mnum) return err_set(err, IM_IO, "out of memory");
    double *mden = mnum + 2 * n;
    memcpy(mnum, num + (size_t)RP_CS_MICRO * n, (size_t)n * sizeof *mnum);
    memcpy(mnum + n, num + (size_t)RP_HARD_MICRO * n, (size_t)n * sizeof *mnum);
    memcpy(mden, den + (size_t)RP_CS_MICRO * n, (size_t)n * sizeof *mnum);
    memcpy(mden + n, den + (size_t)RP_HARD_MICRO * n, (size_t)n * sizeof *mnum);
    int rc = rp_boot_ratio(mnum, mden, n, 2, &b, micro, err);
    free(mnum);
    if (rc) return rc;
    s->rate[RP_CS_MICRO] = micro[0], s->rate[RP_HARD_MICRO] = micro[1];
    /* point estimates are the official rates (official denominators included) */
    for (int r = 0; r < RP_NRATES; r++) s->rate[r].est = rp_run_rate(run, r);
    if (!rc) rc = usage_ci(run, 0, bs, &s->tokens, &s->has_tokens, err);
    if (!rc) rc = usage_ci(run, 1, bs, &s->cost, &s->has_cost, err);
    if (!rc) rc = usage_ci(run, 2, bs, &s->latency, &s->has_latency, err);
    return rc;
}

/* This run against the baseline: intervals of the differences and p-values. */
static int versus(const RpRun *base, const double *bnum, const double *bden, const RpRun *run, const double *num,
                  const double *den, const RpBoot *bs, RpRunStats *s, Err *err) {
    int n = run->n, *map = malloc((size_t)(n ? n : 1) * sizeof *map), rc;
    if (!map) return err_set(err, IM_IO, "out of memory");
    s->has_diff = 1;
    s->paired = rp_pair_runs(run, base, map);
    RpBoot b = *bs;
    b.seed = run_seed(bs->seed, run) ^ run_seed(0x5eed, base);
    if (s->paired) {
        /* the baseline's parts in this run's query order */
        double *pn = malloc((size_t)(n ? n : 1) * RP_NRATES * 2 * sizeof *pn);
        if (!pn) return free(map), err_set(err, IM_IO, "out of memory");
        double *pd = pn + (size_t)n * RP_NRATES;
        for (int r = 0; r < RP_NRATES; r++)
            for (int i = 0; i < n; i++)
                pn[(size_t)r * n + i] = bnum[(size_t)r * n + map[i]], pd[(size_t)r * n + i] = bden[(size_t)r * n + map[i]];
        rc = rp_boot_paired(pn, pd, num, den, n, RP_NRATES, &b, s->diff, s->p, err);
        for (int r = 0; !rc && r < RP_NRATES; r++) {
            if (!rp_rate_is_binary(r)) continue;
            int bo = 0, co = 0;
            for (int i = 0; i < n; i++) {
                int x = pn[(size_t)r * n + i] > 0, y = num[(size_t)r * n + i] > 0;
                bo += x && !y, co += y && !x;
            }
            s->mc_b[r] = bo, s->mc_c[r] = co;
            s->p[r] = rp_mcnemar_exact(bo, co);
        }
        free(pn);
    } else {
        rc = rp_boot_unpaired(bnum, bden, base->n, num, den, n, RP_NRATES, &b, s->diff, s->p, err);
    }
    /* the differences of the official rates themselves */
    for (int r = 0; !rc && r < RP_NRATES; r++) {
        double off = rp_run_rate(run, r) - rp_run_rate(base, r), shift = off - s->diff[r].est;
        s->diff[r].est = off, s->diff[r].lo += shift, s->diff[r].hi += shift;
    }
    free(map);
    return rc;
}

const char *rp_test_name(const RpRunStats *s, int r) {
    if (!s->has_diff) return "";
    if (s->paired) return rp_rate_is_binary(r) ? "exact McNemar" : "paired bootstrap";
    return "bootstrap (unpaired)";
}

int rp_analyse(const RpModel *m, int baseline, const RpBoot *bs, RpAnalysis *out, Err *err) {
    memset(out, 0, sizeof *out);
    out->n = m->n, out->baseline = baseline, out->boot = *bs;
    out->s = calloc((size_t)(m->n ? m->n : 1), sizeof *out->s);
    double **num = calloc((size_t)(m->n ? m->n : 1), sizeof *num), **den = calloc((size_t)(m->n ? m->n : 1), sizeof *den);
    int rc = out->s && num && den ? IM_OK : err_set(err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < m->n; i++) {
        size_t sz = (size_t)(m->run[i]->n ? m->run[i]->n : 1) * RP_NRATES * sizeof(double);
        num[i] = malloc(sz), den[i] = malloc(sz);
        if (!num[i] || !den[i]) rc = err_set(err, IM_IO, "out of memory");
        else rp_run_rate_parts(m->run[i], num[i], den[i]);
    }
    for (int i = 0; !rc && i < m->n; i++) rc = run_intervals(m->run[i], bs, num[i], den[i], &out->s[i], err);
    if (!rc && baseline >= 0 && baseline < m->n) {
        const RpRun *base = m->run[baseline];
        for (int i = 0; !rc && i < m->n; i++)
            if (i != baseline)
                rc = versus(base, num[baseline], den[baseline], m->run[i], num[i], den[i], bs, &out->s[i], err);
        /* Holm over the runs compared with the baseline, metric by metric */
        double p[256], adj[256];
        for (int r = 0; !rc && r < RP_NRATES; r++) {
            int k = 0;
            for (int i = 0; i < m->n && k < 256; i++)
                if (out->s[i].has_diff) p[k++] = out->s[i].p[r];
            rp_holm(p, k, adj);
            k = 0;
            for (int i = 0; i < m->n && k < 256; i++)
                if (out->s[i].has_diff) out->s[i].p_holm[r] = adj[k++];
        }
    }
    for (int i = 0; num && den && i < m->n; i++) free(num[i]), free(den[i]);
    free(num), free(den);
    if (rc) rp_analysis_free(out);
    return rc;
}

void rp_analysis_free(RpAnalysis *a) {
    if (!a) return;
    free(a->s);
    memset(a, 0, sizeof *a);
}
