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

typedef struct RpPlots {
    char *rates;        /* six rates per run with 95 % whiskers */
    char **heat;        /* per run: final pass per level x days */
    int nheat;
    char *constraints;  /* per-check pass rate per run; NULL when no check ran in any run */
    char *constraints_note; /* what that plot leaves out and why (runs with no delivered plan), or NULL */
    char *cost;         /* final pass against mean cost per query */
    char *train;        /* loss, reward, reflection per step */
} RpPlots;

int rp_plots_make(const RpModel *m, const RpAnalysis *a, RpPlots *out, Err *err);
void rp_plots_free(RpPlots *p);

#endif
