/* analysis.h: the numbers every report shows, computed once from the model.
 *
 * For each run: the six official rates with 95 % intervals (Wilson for the
 * per-query pass/fail rates, query bootstrap for the micro rates), mean
 * tokens, cost and latency per query with bootstrap intervals; against the
 * baseline: the difference of every rate with a paired bootstrap interval
 * (runs over the same queries) or an unpaired one, its p-value (exact
 * McNemar for pass/fail rates of paired runs, bootstrap otherwise) and the
 * Holm-adjusted p-value over the runs compared with the baseline. Pure
 * computation, deterministic given RpBoot.seed: each run's resamples are
 * seeded from the seed and the run's name, so a run gets the same interval
 * in every report. An RpAnalysis owns its arrays. */
#ifndef RP_ANALYSIS_H
#define RP_ANALYSIS_H

#include "model.h"
#include "stats.h"

typedef struct RpRunStats {
    RpCi rate[RP_NRATES];
    RpCi tokens, cost, latency;  /* per query means, over items that report them */
    int has_tokens, has_cost, has_latency;
    int has_diff;                /* compared with the baseline (not the baseline itself) */
    int paired;                  /* same queries as the baseline */
    RpCi diff[RP_NRATES];        /* this run minus the baseline, as fractions */
    double p[RP_NRATES], p_holm[RP_NRATES];
    int mc_b[RP_NRATES], mc_c[RP_NRATES]; /* McNemar: passed by baseline only / by this run only */
} RpRunStats;

typedef struct RpAnalysis {
    int n;          /* runs */
    int baseline;   /* index of the baseline run, -1 for none */
    RpBoot boot;
    RpRunStats *s;  /* n entries */
} RpAnalysis;

/* baseline: index into m->run or -1. */
int rp_analyse(const RpModel *m, int baseline, const RpBoot *bs, RpAnalysis *out, Err *err);
void rp_analysis_free(RpAnalysis *a);
/* The name of the test behind s->p[r]. */
const char *rp_test_name(const RpRunStats *s, int r);

/* Pairs the queries of a with those of b: map[i] is the index in b of a's
 * query i (by rp_query_key). Returns 1 when both runs have exactly the same
 * queries, else 0 (map then undefined). map has room for a->n. */
int rp_pair_runs(const RpRun *a, const RpRun *b, int *map);

#endif
