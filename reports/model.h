/* model.h: the in-memory report model: runs, their items, their metrics.
 *
 * Every renderer (table, plot, html, pdf, compare) reads this model and
 * nothing else, so reports do not depend on where runs came from: the
 * store (load.c) or submission files evaluated on the fly (load_plans.c).
 * An RpModel owns its runs; an RpRun owns every string and array in it
 * (queries are parsed copies, verdict messages are the evaluator's).
 * Metrics are the official ones, from tp_metrics_compute. */
#ifndef RP_MODEL_H
#define RP_MODEL_H

#include "buf.h"
#include "err.h"
#include "evaluate.h"
#include "query.h"

/* The six official rates, in the order of `imagine eval --json`. */
enum { RP_DELIVERY, RP_CS_MICRO, RP_CS_MACRO, RP_HARD_MICRO, RP_HARD_MACRO, RP_FINAL, RP_NRATES };
const char *rp_rate_key(int r);   /* "delivery_rate", ... (the eval --json keys) */
const char *rp_rate_name(int r);  /* "Delivery", "Commonsense micro", ... */
int rp_rate_is_binary(int r);     /* one pass/fail per query (not a micro rate) */
int rp_rate_by_key(const char *key); /* index or -1 */

/* What a run did on one query beyond the verdicts. Unknown numbers are -1. */
typedef struct RpItem {
    char *plan_json;   /* the plan as JSON text, or NULL (not delivered) */
    char *raw;         /* the raw model output (or the submission line), or NULL */
    char *error;       /* infrastructure error, or NULL */
    long tokens_in, tokens_out;
    double cost;       /* US dollars */
    double latency_ms;
} RpItem;

typedef struct RpTrainStep {
    int step;
    double loss, reward, lr, tokens_per_s;
    double reflection; /* reflection ratio, or -1 when unknown */
} RpTrainStep;

typedef struct RpRun {
    char *id;          /* store id as text, or the file label */
    char *name, *method, *model, *split;
    char *config_json; /* the run's configuration as JSON text (may be NULL) */
    char *source;      /* where it was read from: store path or file path */
    int n;             /* queries */
    TpQuery *q;        /* n parsed queries (owned) */
    TpPlanResult *r;   /* n verdicts (owned) */
    RpItem *item;      /* n items (owned) */
    TpMetrics m;       /* filled by rp_run_finish */
    RpTrainStep *step; /* nstep training steps (owned), may be NULL */
    int nstep;
} RpRun;

typedef struct RpModel {
    RpRun **run;
    int n, cap;
} RpModel;

/* A run with room for n queries, all fields zeroed and numbers unknown
 * (-1). Strings are copied (NULL allowed). NULL on out-of-memory. */
RpRun *rp_run_new(const char *id, const char *name, const char *method, const char *model, const char *split, int n);
void rp_run_free(RpRun *run);
/* Copies query q (re-parsed from its JSON) into slot i. */
int rp_run_set_query(RpRun *run, int i, const TpQuery *q, Err *err);
void rp_run_add_step(RpRun *run, const RpTrainStep *s);
/* Computes the official metrics; call once every slot is filled. The
 * official split denominators are used when run->split names the split. */
void rp_run_finish(RpRun *run);

void rp_model_init(RpModel *m);
void rp_model_free(RpModel *m); /* frees the runs; accepts a zeroed model */
void rp_model_add(RpModel *m, RpRun *run); /* takes ownership; aborts on OOM */

/* The per-query parts of each rate, for the statistics: num[r*n+i] passes
 * out of den[r*n+i] (layout of stats.h), with sum(num)/sum(den) equal to
 * the official rate when the denominators are computed from the queries.
 * Both arrays have RP_NRATES * run->n entries. */
void rp_run_rate_parts(const RpRun *run, double *num, double *den);
/* The official rate r of the run, from its metrics (a fraction). */
double rp_run_rate(const RpRun *run, int r);
/* Whether query i passed the final check (delivered, every check not False). */
int rp_item_final_pass(const RpRun *run, int i);
/* A stable key for query i, to pair runs: "SPLIT#IDX|TEXT". */
void rp_query_key(const RpRun *run, int i, Buf *out);

/* The 8 commonsense then 5 hard checks, as one index. */
#define RP_NCHECKS (TP_NCS + TP_NHARD)
const char *rp_check_name(int k);
/* Verdict counts per check over the run: pass (True) and fail (False)
 * among plans where the check ran (delivered; hard checks when they were
 * evaluated); None (not applicable) counts in neither. */
void rp_run_check_counts(const RpRun *run, int pass[RP_NCHECKS], int fail[RP_NCHECKS]);
/* Final passes and queries per level x days (3, 5, 7). */
void rp_run_cells(const RpRun *run, int pass[TP_NLEVELS][3], int n[TP_NLEVELS][3]);

/* Sums of the known usage numbers; *known counts items with a value. */
typedef struct RpUsage {
    double tokens_in, tokens_out, cost, latency_ms; /* totals over items with the value */
    int n_tokens, n_cost, n_latency;
} RpUsage;
void rp_run_usage(const RpRun *run, RpUsage *u);

#endif
