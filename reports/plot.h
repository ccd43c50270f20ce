/* plot.h: the report's plots, drawn by gnuplot as SVG.
 *
 * gnuplot runs once per report, driven through a pipe; the data, run names
 * included, go through temporary files, so no model or query text ever
 * reaches a command line or the gnuplot script (names are read by gnuplot
 * as data strings, and gnuplot escapes them in its SVG). The temporary
 * directory is removed before returning. An RpPlots owns its SVG texts;
 * a plot that does not apply (no cost, no training steps) is NULL.
 * Errors: IM_IO when gnuplot is missing or fails (its message included). */
#ifndef RP_PLOT_H
#define RP_PLOT_H

#include "analysis.h"

#define RP_TRAIN_PLOTS 4

/* The plots of one group of the analysis (its runs only). */
typedef struct RpGroupPlots {
    char *rates;        /* the suite's rates per run with 95 % whiskers */
    char *constraints;  /* per-verdict pass rate per run; NULL when no verdict was judged in any run */
    char *constraints_note; /* what that plot leaves out and why (runs with no delivered answer), or NULL */
    char *cost;         /* the headline rate against mean cost per item */
} RpGroupPlots;

typedef struct RpPlots {
    RpGroupPlots *g;    /* per group of the analysis (a->ng) */
    int ng;
    char **heat;        /* per run of the model: the headline pass per stratum cell (NULL without strata) */
    int nheat;
    /* The training curves of every training run, per step: SFT loss, GRPO
     * mean reward with each reward component, reflection ratio, completion
     * length; a plot whose series no run has is NULL. */
    char *train[RP_TRAIN_PLOTS];
    char train_title[RP_TRAIN_PLOTS][48];
} RpPlots;

int rp_plots_make(const RpModel *m, const RpAnalysis *a, RpPlots *out, Err *err);
void rp_plots_free(RpPlots *p);

#endif
