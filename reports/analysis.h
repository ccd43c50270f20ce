/* analysis.h: the numbers every report shows, computed once from the model.
 *
 * Runs are grouped by suite and split (variant): runs of one group share
 * their items, runs of different groups are never compared. Runs without
 * items (training runs: steps only) join the group of their suite and
 * split, else the first group. Each group has
 * its own baseline: the one asked for when it belongs to the group, else
 * the group's first run (none when asked for none, or for a group of one);
 * a run without items is never a baseline (the next run with items is)
 * and is never compared with one (it answered nothing).
 * For each run: its suite's rates with 95 % intervals (Wilson for the
 * per-item pass/fail rates, item bootstrap for the others), mean tokens,
 * cost and latency per item with bootstrap intervals; against its group's
 * baseline: the difference of every rate with a paired bootstrap interval
 * (runs over the same items) or an unpaired one, its p-value (exact
 * McNemar for pass/fail rates of paired runs, bootstrap otherwise) and the
 * Holm-adjusted p-value over the runs compared with that baseline. For
 * each group: the headline rate per stratum cell and the pass rate of each
 * verdict. Pure computation, deterministic given RpBoot.seed: each run's
 * resamples are seeded from the seed and the run's name, so a run gets the
 * same interval in every report. An RpAnalysis owns its arrays. */
#ifndef RP_ANALYSIS_H
#define RP_ANALYSIS_H

#include "model.h"
#include "stats.h"

typedef struct RpRunStats {
    RpCi rate[RP_MAX_RATES];     /* in the run's rate order (model.h) */
    RpCi tokens, cost, latency;  /* per item means, over items that report them */
    int has_tokens, has_cost, has_latency;
    int has_diff;                /* compared with the baseline (not the baseline itself) */
    int paired;                  /* same items as the baseline */
    RpCi diff[RP_MAX_RATES];     /* this run minus the baseline, as fractions */
    double p[RP_MAX_RATES], p_holm[RP_MAX_RATES];
    int mc_b[RP_MAX_RATES], mc_c[RP_MAX_RATES]; /* McNemar: passed by baseline only / by this run only */
} RpRunStats;

/* The headline pass per stratum cell of a group: up to two strata
 * dimensions, those that take more than one value in the group (rows
 * dimension first), values in the suite's order (as its metrics list
 * them; numbers by value). */
typedef struct RpCells {
    int ndim;          /* 0, 1 (one row) or 2 */
    int dim[2];        /* the suite's strata dimension of rows, columns (-1: none) */
    int ny, nx;        /* values of each (1 when not used) */
    char **yval, **xval;
    int *pass, *n;     /* group run j, cell (y, x): [(j * ny + y) * nx + x] */
} RpCells;

/* Verdict counts per verdict name over delivered items: pass (true) and
 * fail (false); null (not applicable) counts in neither. */
typedef struct RpChecks {
    int n;             /* verdict names */
    char **name, **label, **family;
    int *pass, *fail;  /* group run j, verdict k: [j * n + k] */
} RpChecks;

typedef struct RpGroup {
    const SuiteOps *suite;
    const char *split; /* the first run's (borrowed from the model) */
    int n;             /* runs */
    int *run;          /* their indices in the model, in model order */
    int lead;          /* the model index of the run that opened the group (its rates are the group's columns) */
    int baseline;      /* a model index, or -1 */
    RpCells cells;
    RpChecks checks;
} RpGroup;

typedef struct RpAnalysis {
    int n;          /* runs */
    int baseline;   /* the first group's baseline (model index), -1 for none */
    RpBoot boot;
    RpRunStats *s;  /* n entries */
    int ng;         /* groups, in the order of their first run */
    RpGroup *g;
    int *group;     /* n entries: the group of each run */
} RpAnalysis;

/* baseline: index into m->run or -1 (no baseline anywhere). */
int rp_analyse(const RpModel *m, int baseline, const RpBoot *bs, RpAnalysis *out, Err *err);
/* by_split 0: groups by suite only (compare: two runs of one suite on
 * different splits are compared unpaired, as before suites). */
int rp_analyse_by(const RpModel *m, int baseline, const RpBoot *bs, int by_split, RpAnalysis *out, Err *err);
void rp_analysis_free(RpAnalysis *a);
/* The name of the test behind s->p[r] for run (its rate r). */
const char *rp_test_name(const RpRun *run, const RpRunStats *s, int r);
/* "PlanBench · blocksworld_3": the group's title, appended. */
void rp_group_title(const RpGroup *g, Buf *out);
/* Column x and row y of the cells in a table header ("easy 3 d"), and
 * their values in words for plot axes ("3 days"); appended. */
void rp_cell_label(const RpGroup *g, int y, int x, Buf *out);
void rp_cell_axis(const RpGroup *g, int axis, int v, Buf *out); /* axis 0 rows, 1 columns */

/* Pairs the items of a with those of b: map[i] is the index in b of a's
 * item i (by rp_query_key). Returns 1 when both runs have exactly the same
 * items, else 0 (map then undefined). map has room for a->n. */
int rp_pair_runs(const RpRun *a, const RpRun *b, int *map);

#endif
