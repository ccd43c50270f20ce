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
    int n = run->n, k = 0, other[RP_MAX_RATES];
    for (int r = 0; r < run->nrate; r++) {
        if (!rp_rate_is_binary(run, r)) {
            other[k++] = r;
            continue;
        }
        double x = 0;
        for (int i = 0; i < n; i++) x += num[(size_t)r * n + i];
        rp_wilson((int)x, n, RP_Z95, &s->rate[r]);
    }
    /* the rates that are not one pass/fail per item (micro rates) share one bootstrap */
    int rc = IM_OK;
    if (k) {
        RpBoot b = *bs;
        b.seed = run_seed(bs->seed, run);
        RpCi ci[RP_MAX_RATES];
        double *mnum = malloc((size_t)(n ? n : 1) * 2 * (size_t)k * sizeof *mnum);
        if (!mnum) return err_set(err, IM_IO, "out of memory");
        double *mden = mnum + (size_t)k * n;
        for (int j = 0; j < k; j++) {
            memcpy(mnum + (size_t)j * n, num + (size_t)other[j] * n, (size_t)n * sizeof *mnum);
            memcpy(mden + (size_t)j * n, den + (size_t)other[j] * n, (size_t)n * sizeof *mnum);
        }
        rc = rp_boot_ratio(mnum, mden, n, k, &b, ci, err);
        free(mnum);
        if (rc) return rc;
        for (int j = 0; j < k; j++) s->rate[other[j]] = ci[j];
    }
    /* point estimates are the suite's rates (official denominators included) */
    for (int r = 0; r < run->nrate; r++) s->rate[r].est = rp_run_rate(run, r);
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
        int nr = run->nrate;
        double *pn = malloc((size_t)(n ? n : 1) * (size_t)(nr ? nr : 1) * 2 * sizeof *pn);
        if (!pn) return free(map), err_set(err, IM_IO, "out of memory");
        double *pd = pn + (size_t)n * nr;
        for (int r = 0; r < nr; r++)
            for (int i = 0; i < n; i++)
                pn[(size_t)r * n + i] = bnum[(size_t)r * n + map[i]], pd[(size_t)r * n + i] = bden[(size_t)r * n + map[i]];
        rc = rp_boot_paired(pn, pd, num, den, n, nr, &b, s->diff, s->p, err);
        for (int r = 0; !rc && r < nr; r++) {
            if (!rp_rate_is_binary(run, r)) continue;
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
        rc = rp_boot_unpaired(bnum, bden, base->n, num, den, n, run->nrate, &b, s->diff, s->p, err);
    }
    /* the differences of the official rates themselves */
    for (int r = 0; !rc && r < run->nrate; r++) {
        double off = rp_run_rate(run, r) - rp_run_rate(base, r), shift = off - s->diff[r].est;
        s->diff[r].est = off, s->diff[r].lo += shift, s->diff[r].hi += shift;
    }
    free(map);
    return rc;
}

const char *rp_test_name(const RpRun *run, const RpRunStats *s, int r) {
    if (!s->has_diff) return "";
    if (s->paired) return rp_rate_is_binary(run, r) ? "exact McNemar" : "paired bootstrap";
    return "bootstrap (unpaired)";
}

/* ---- groups ------------------------------------------------------------ */

static int same_group(const RpRun *a, const RpRun *b, int by_split) {
    return a->suite == b->suite && (!by_split || !strcmp(a->split ? a->split : "", b->split ? b->split : ""));
}

static int is_number(const char *s) {
    char *end;
    if (!s || !*s) return 0;
    (void)strtod(s, &end);
    return !*end;
}

/* Distinct values in first-seen order. */
typedef struct Vals { char **v; int n, cap; } Vals;

static int vals_add(Vals *vs, const char *v, size_t len) {
    for (int i = 0; i < vs->n; i++)
        if (strlen(vs->v[i]) == len && !strncmp(vs->v[i], v, len)) return IM_OK;
    if (vs->n == vs->cap) {
        int cap = vs->cap ? 2 * vs->cap : 8;
        char **g = realloc(vs->v, (size_t)cap * sizeof *g);
        if (!g) return IM_IO;
        vs->v = g, vs->cap = cap;
    }
    if (!(vs->v[vs->n] = strndup(v, len))) return IM_IO;
    vs->n++;
    return IM_OK;
}

static int num_cmp(const void *a, const void *b) {
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return (x > y) - (x < y);
}

/* The values of strata dimension d in a group: the suite's known values,
 * then the order of its metric rows, then of the items; numbers sorted by
 * value. */
static int dim_values(const RpModel *m, const RpGroup *g, int d, Vals *vs) {
    const char *dim = g->suite->strata[d];
    size_t dl = strlen(dim);
    int rc = IM_OK;
    const char *known = g->suite->strata_values ? g->suite->strata_values[d] : NULL;
    for (const char *p = known; !rc && p && *p;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        rc = vals_add(vs, p, (size_t)(end - p));
        p = *end ? end + 1 : end;
    }
    for (int j = 0; !rc && j < g->n; j++) {
        const RpRun *run = m->run[g->run[j]];
        for (int k = 0; !rc && k < run->nmetric; k++)
            for (const char *p = run->metric[k].stratum; !rc && *p;) {
                const char *end = strchr(p, ',');
                if (!end) end = p + strlen(p);
                if ((size_t)(end - p) > dl && !strncmp(p, dim, dl) && p[dl] == '=')
                    rc = vals_add(vs, p + dl + 1, (size_t)(end - p) - dl - 1);
                p = *end ? end + 1 : end;
            }
        for (int i = 0; !rc && i < run->n; i++)
            if (run->item[i].stratum[d]) rc = vals_add(vs, run->item[i].stratum[d], strlen(run->item[i].stratum[d]));
    }
    int numeric = vs->n > 0;
    for (int i = 0; i < vs->n; i++) numeric &= is_number(vs->v[i]);
    if (numeric) qsort(vs->v, (size_t)vs->n, sizeof *vs->v, num_cmp);
    return rc;
}

static int find_val(char **v, int n, const char *s) {
    for (int i = 0; s && i < n; i++)
        if (!strcmp(v[i], s)) return i;
    return -1;
}

static int group_cells(const RpModel *m, RpGroup *g) {
    RpCells *c = &g->cells;
    c->dim[0] = c->dim[1] = -1, c->ny = c->nx = 1;
    Vals keep[2] = {{0}};
    int rc = IM_OK;
    for (int d = 0; !rc && c->ndim < 2 && g->suite->strata && g->suite->strata[d] && d < SUITE_MAX_STRATA; d++) {
        Vals vs = {0};
        rc = dim_values(m, g, d, &vs);
        if (!rc && vs.n > 1) {
            c->dim[c->ndim] = d, keep[c->ndim] = vs, c->ndim++;
            continue;
        }
        for (int i = 0; i < vs.n; i++) free(vs.v[i]);
        free(vs.v);
    }
    if (c->ndim == 1) c->dim[1] = c->dim[0], c->dim[0] = -1, keep[1] = keep[0], keep[0] = (Vals){0};
    c->yval = keep[0].v, c->ny = keep[0].n ? keep[0].n : 1;
    c->xval = keep[1].v, c->nx = keep[1].n ? keep[1].n : 1;
    size_t cells = (size_t)(g->n ? g->n : 1) * c->ny * c->nx;
    c->pass = calloc(cells, sizeof *c->pass), c->n = calloc(cells, sizeof *c->n);
    if (rc || !c->pass || !c->n) return IM_IO;
    if (!c->ndim) return IM_OK;
    for (int j = 0; j < g->n; j++) {
        const RpRun *run = m->run[g->run[j]];
        for (int i = 0; i < run->n; i++) {
            int y = c->dim[0] < 0 ? 0 : find_val(c->yval, keep[0].n, run->item[i].stratum[c->dim[0]]);
            int x = find_val(c->xval, keep[1].n, run->item[i].stratum[c->dim[1]]);
            if (y < 0 || x < 0) continue;
            size_t at = ((size_t)j * c->ny + y) * c->nx + x;
            c->n[at]++, c->pass[at] += run->item[i].passed != 0;
        }
    }
    return IM_OK;
}

static int add_name(RpChecks *k, const char *name, const char *label, const char *family) {
    char **grown[3] = {realloc(k->name, (size_t)(k->n + 1) * sizeof(char *)), NULL, NULL};
    if (!grown[0]) return IM_IO;
    k->name = grown[0];
    if (!(grown[1] = realloc(k->label, (size_t)(k->n + 1) * sizeof(char *)))) return IM_IO;
    k->label = grown[1];
    if (!(grown[2] = realloc(k->family, (size_t)(k->n + 1) * sizeof(char *)))) return IM_IO;
    k->family = grown[2];
    k->name[k->n] = strdup(name), k->label[k->n] = strdup(label ? label : name);
    k->family[k->n] = strdup(family ? family : "");
    k->n++;
    return k->name[k->n - 1] && k->label[k->n - 1] && k->family[k->n - 1] ? IM_OK : IM_IO;
}

static int check_index(const RpChecks *k, const char *name) {
    for (int i = 0; i < k->n; i++)
        if (!strcmp(k->name[i], name)) return i;
    return -1;
}

/* The suite's verdicts (names, labels, families) then any other name a run holds. */
static int group_checks(const RpModel *m, RpGroup *g) {
    RpChecks *k = &g->checks;
    const SuiteOps *ops = g->suite;
    int rc = IM_OK;
    for (int v = 0; !rc && ops->verdicts && ops->verdicts[v]; v++)
        rc = add_name(k, ops->verdicts[v], ops->verdict_labels ? ops->verdict_labels[v] : NULL,
                      ops->verdict_families ? ops->verdict_families[v] : NULL);
    for (int j = 0; !rc && j < g->n; j++) {
        const RpRun *run = m->run[g->run[j]];
        for (int i = 0; !rc && i < run->n; i++)
            for (int v = 0; !rc && v < run->item[i].nv; v++)
                if (check_index(k, run->item[i].v[v].name) < 0)
                    rc = add_name(k, run->item[i].v[v].name, NULL, run->item[i].v[v].family);
    }
    size_t cells = (size_t)(g->n ? g->n : 1) * (size_t)(k->n ? k->n : 1);
    k->pass = calloc(cells, sizeof *k->pass), k->fail = calloc(cells, sizeof *k->fail);
    if (rc || !k->pass || !k->fail) return IM_IO;
    for (int j = 0; j < g->n; j++) {
        const RpRun *run = m->run[g->run[j]];
        for (int i = 0; i < run->n; i++) {
            const RpItem *it = &run->item[i];
            if (!it->delivered) continue;
            for (int v = 0; v < it->nv; v++) {
                int x = check_index(k, it->v[v].name);
                if (x < 0) continue;
                k->pass[(size_t)j * k->n + x] += it->v[v].value == 1;
                k->fail[(size_t)j * k->n + x] += it->v[v].value == 0;
            }
        }
    }
    return IM_OK;
}

/* The group of run (same suite, and split unless by_split is 0), or out->ng. */
static int find_group(const RpModel *m, const RpAnalysis *out, const RpRun *run, int by_split) {
    int g = 0;
    while (g < out->ng && !same_group(m->run[out->g[g].lead], run, by_split > 0)) g++;
    return g;
}

static int make_groups(const RpModel *m, int baseline, int by_split, RpAnalysis *out) {
    out->group = calloc((size_t)(m->n ? m->n : 1), sizeof *out->group);
    out->g = calloc((size_t)(m->n ? m->n : 1), sizeof *out->g);
    if (!out->group || !out->g) return IM_IO;
    /* runs with items by suite and split; then runs without (training
     * runs: steps only) join their suite and split, else the first group */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < m->n; i++) {
            const RpRun *run = m->run[i];
            if ((run->n > 0) != (pass == 0)) continue;
            int g = find_group(m, out, run, by_split);
            if (g == out->ng && pass == 1 && out->ng) g = 0;
            RpGroup *gr = &out->g[g];
            if (g == out->ng) {
                out->ng++;
                gr->suite = run->suite, gr->split = run->split, gr->baseline = -1, gr->lead = i;
                if (!(gr->run = calloc((size_t)m->n, sizeof *gr->run))) return IM_IO;
            }
            int at = gr->n++; /* kept in model order */
            while (at > 0 && gr->run[at - 1] > i) gr->run[at] = gr->run[at - 1], at--;
            gr->run[at] = i;
            out->group[i] = g;
        }
    for (int g = 0; g < out->ng; g++) {
        RpGroup *gr = &out->g[g];
        if (baseline >= 0 && baseline < m->n && out->group[baseline] == g) gr->baseline = baseline;
        else if (baseline >= 0 && gr->n > 1) gr->baseline = gr->run[0];
        /* a training run (steps, no items) answered nothing: the baseline is
         * the group's first run with items, and none when it has none */
        for (int j = 0; gr->baseline >= 0 && !m->run[gr->baseline]->n; j++) gr->baseline = j < gr->n ? gr->run[j] : -1;
        if (group_cells(m, gr) || group_checks(m, gr)) return IM_IO;
    }
    out->baseline = out->ng ? out->g[0].baseline : -1;
    return IM_OK;
}

void rp_group_title(const RpGroup *g, Buf *out) {
    buf_puts(out, rp_suite_title(g->suite));
    if (g->split && *g->split) buf_puts(out, " · "), buf_puts(out, g->split);
}

void rp_cell_axis(const RpGroup *g, int axis, int v, Buf *out) {
    const RpCells *c = &g->cells;
    int d = c->dim[axis];
    if (d < 0) return;
    rp_fmt_value(out, g->suite->strata_labels ? g->suite->strata_labels[d] : NULL, axis ? c->xval[v] : c->yval[v]);
}

void rp_cell_label(const RpGroup *g, int y, int x, Buf *out) {
    const RpCells *c = &g->cells;
    const char *const *sh = g->suite->strata_short;
    if (c->dim[0] >= 0) rp_fmt_value(out, sh ? sh[c->dim[0]] : NULL, c->yval[y]), buf_putc(out, ' ');
    if (c->dim[1] >= 0) rp_fmt_value(out, sh ? sh[c->dim[1]] : NULL, c->xval[x]);
}

int rp_analyse(const RpModel *m, int baseline, const RpBoot *bs, RpAnalysis *out, Err *err) {
    return rp_analyse_by(m, baseline, bs, 1, out, err);
}

int rp_analyse_by(const RpModel *m, int baseline, const RpBoot *bs, int by_split, RpAnalysis *out, Err *err) {
    memset(out, 0, sizeof *out);
    out->n = m->n, out->boot = *bs;
    out->s = calloc((size_t)(m->n ? m->n : 1), sizeof *out->s);
    int rc = out->s ? IM_OK : err_set(err, IM_IO, "out of memory");
    if (!rc && make_groups(m, baseline, by_split, out)) rc = err_set(err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < m->n; i++) rc = run_intervals(m->run[i], bs, m->run[i]->num, m->run[i]->den, &out->s[i], err);
    for (int g = 0; !rc && g < out->ng; g++) {
        const RpGroup *gr = &out->g[g];
        if (gr->baseline < 0) continue;
        const RpRun *base = m->run[gr->baseline];
        for (int j = 0; !rc && j < gr->n; j++) {
            int i = gr->run[j];
            if (i != gr->baseline && m->run[i]->n) rc = versus(base, base->num, base->den, m->run[i], m->run[i]->num, m->run[i]->den, bs, &out->s[i], err);
        }
        /* Holm over the runs compared with the baseline, metric by metric */
        double p[256], adj[256];
        for (int r = 0; !rc && r < base->nrate; r++) {
            int k = 0;
            for (int j = 0; j < gr->n && k < 256; j++)
                if (out->s[gr->run[j]].has_diff) p[k++] = out->s[gr->run[j]].p[r];
            rp_holm(p, k, adj);
            k = 0;
            for (int j = 0; j < gr->n && k < 256; j++)
                if (out->s[gr->run[j]].has_diff) out->s[gr->run[j]].p_holm[r] = adj[k++];
        }
    }
    if (rc) rp_analysis_free(out);
    return rc;
}

static void strs_free(char **v, int n) {
    for (int i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

void rp_analysis_free(RpAnalysis *a) {
    if (!a) return;
    for (int g = 0; a->g && g < a->ng; g++) {
        RpGroup *gr = &a->g[g];
        free(gr->run);
        strs_free(gr->cells.yval, gr->cells.dim[0] >= 0 ? gr->cells.ny : 0);
        strs_free(gr->cells.xval, gr->cells.dim[1] >= 0 ? gr->cells.nx : 0);
        free(gr->cells.pass), free(gr->cells.n);
        strs_free(gr->checks.name, gr->checks.n), strs_free(gr->checks.label, gr->checks.n);
        strs_free(gr->checks.family, gr->checks.n);
        free(gr->checks.pass), free(gr->checks.fail);
    }
    free(a->g), free(a->group), free(a->s);
    memset(a, 0, sizeof *a);
}
