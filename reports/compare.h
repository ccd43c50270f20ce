/* compare.h: one run against another (BASE vs NEW) and the regression gate.
 *
 * The comparison reads an analysis whose baseline is BASE (index 0) and
 * NEW (index 1). A gate METRIC:TOLERANCE (metric = a key of
 * `imagine eval --json`, tolerance in percentage points) fails when NEW is
 * significantly worse than BASE, p < alpha, by more than the tolerance:
 * NEW - BASE < -TOLERANCE. Output is text or one JSON object, appended to a
 * caller-owned Buf. */
#ifndef RP_COMPARE_H
#define RP_COMPARE_H

#include "analysis.h"

typedef struct RpGate {
    char spec[96]; /* as given, for messages */
    char key[64];  /* the metric's key as given */
    int rate;      /* its index in the runs' rates (rp_gate_resolve), -1 before */
    double tol_pp; /* percentage points, >= 0 */
} RpGate;

/* "final_pass_rate:2.5" -> gate; IM_USAGE naming what was expected. */
int rp_gate_parse(const char *spec, RpGate *out, Err *err);
/* Finds each gate's metric among the rates of run (its suite's); IM_USAGE
 * "unknown metric" listing the suite's keys otherwise. */
int rp_gate_resolve(const RpRun *run, RpGate *g, int n, Err *err);

/* Writes the comparison; *regressed is 1 when a gate failed. */
void rp_compare(const RpModel *m, const RpAnalysis *a, const RpGate *gates, int ngates, double alpha, int json, Buf *out,
                int *regressed);

#endif
