/* model.h: the in-memory report model: runs, their items, their metrics.
 *
 * Every renderer (table, plot, html, pdf, compare) reads this model and
 * nothing else, so reports do not depend on where runs came from: the
 * store (harness/cmd_report.c) or answer files evaluated on the fly
 * (load_plans.c). The model is generic over suites (suites/suite.h): a run
 * keeps its suite's table, each item's number, text, strata and verdicts,
 * the suite's per-item rate parts (ops->rate_parts) and the suite's metrics
 * (ops->metrics); no suite's own types. An RpModel owns its runs; an RpRun
 * owns every string and array in it (copies of what the suite made).
 *
 * Rates are the suite's headline rates (ops->rates) in report order: the
 * suite's rates[1..] then rates[0], the one runs are ranked by, last
 * (TravelPlanner: delivery, commonsense micro/macro, hard micro/macro,
 * final pass, the columns of the paper). Their values are the suite's
 * metrics (official denominators included), their parts add up to them. */
#ifndef RP_MODEL_H
#define RP_MODEL_H

#include "buf.h"
#include "err.h"
#include "suite.h"

#define RP_MAX_RATES 8

/* One judged property of an item's answer (a copy of a SuiteVerdict). */
typedef struct RpVerdict {
    char *family, *name, *message; /* message may be NULL */
    signed char value;             /* 1 true, 0 false, -1 null */
} RpVerdict;

/* What a run did on one item. Unknown numbers are -1. */
typedef struct RpItem {
    int idx;           /* the item's number (TravelPlanner idx, PlanBench instance id) */
    char *text;        /* the task in words, or NULL */
    char *stratum[SUITE_MAX_STRATA]; /* value per strata dimension of the suite, NULL past them */
    int delivered;     /* there was an answer to judge */
    int passed;        /* the suite's headline pass */
    char *note;        /* why the answer was not read as one, or NULL */
    RpVerdict *v;      /* nv verdicts in the suite's order */
    int nv;
    char *plan_json;   /* the answer as JSON text, or NULL (not delivered) */
    char *raw;         /* the raw model output (or the answer file's text), or NULL */
    char *error;       /* infrastructure error, or NULL */
    long tokens_in, tokens_out;
    double cost;       /* US dollars */
    double latency_ms;
} RpItem;

#define RP_MAX_COMPONENTS 8

/* One training step (a train_step row). Unknown numbers are NaN, but the
 * reflection ratio, which is -1 when unknown. comp[k] is the mean of the
 * run's reward component comp_name[k] at this step. */
typedef struct RpTrainStep {
    int step;
    double loss, reward, lr, tokens_per_s;
    double reflection; /* reflection ratio, or -1 when unknown */
    double grad_norm, reward_std, completion_len, clip_frac, kl, eval_loss;
    double comp[RP_MAX_COMPONENTS];
    char kind[8];      /* "sft", "grpo" or "" */
} RpTrainStep;

/* One stage of a pipeline and its wall time (imagine report --stages). */
typedef struct RpStage {
    char *name, *note; /* note may be NULL */
    double seconds;
} RpStage;

typedef struct RpRun {
    char *id;          /* store id as text, or the file label */
    char *name, *method, *model, *split;
    const SuiteOps *suite; /* the run's suite (a static table) */
    char *config_json; /* the run's configuration as JSON text (may be NULL) */
    char *source;      /* where it was read from: store path or file path */
    int n;             /* items */
    RpItem *item;      /* n items (owned) */
    int nrate;         /* the suite's rates, in report order */
    const SuiteRate *rate[RP_MAX_RATES];
    double *num, *den; /* nrate * n rate parts: item i's part of rate r at [r*n+i] (stats.h layout) */
    double value[RP_MAX_RATES]; /* each rate as the suite's metrics give it (a fraction); set by rp_run_finish */
    SuiteMetric *metric; /* the suite's metric rows (copied), nmetric of them */
    int nmetric;
    RpTrainStep *step; /* nstep training steps (owned), may be NULL */
    int nstep;
    char *comp_name[RP_MAX_COMPONENTS]; /* the reward components of the steps, in order of first sight */
    int ncomp;
    double started, finished; /* unix seconds; 0 when unknown */
} RpRun;

typedef struct RpModel {
    RpRun **run;
    int n, cap;
    RpStage *stage;    /* nstage stages of the pipeline (owned), may be NULL */
    int nstage;
} RpModel;

/* A run of suite ops with room for n items, all fields zeroed and numbers
 * unknown (-1). Strings are copied (NULL allowed). NULL on out-of-memory. */
RpRun *rp_run_new(const SuiteOps *ops, const char *id, const char *name, const char *method, const char *model,
                  const char *split, int n);
void rp_run_free(RpRun *run);
/* Fills item i from the suite's item and its evaluation (copies; it and e
 * stay the caller's) and computes its rate parts. IM_IO on out-of-memory. */
int rp_run_set_item(RpRun *run, int i, const Suite *s, const SuiteItem *it, const SuiteEval *e, Err *err);
void rp_run_add_step(RpRun *run, const RpTrainStep *s);
/* A training step with every number unknown (NaN; reflection -1). */
void rp_train_step_init(RpTrainStep *t, int step);
/* The index of reward component name in the run, added when new; -1 when
 * the run has RP_MAX_COMPONENTS already. */
int rp_run_component(RpRun *run, const char *name);
/* Whether the run trained: "grpo" or "sft" (its steps' kind, else its
 * method train-grpo/train-sft), or NULL. */
const char *rp_run_train_kind(const RpRun *run);
/* The training table's columns (the HTML and PDF reports): "Run", "Kind",
 * "Steps", first and last loss, mean tokens/s, wall time, and for GRPO
 * first and last mean reward, last reflection ratio, mean completion
 * length. rp_train_cells formats run's row into cells (RP_TRAIN_COLS of
 * RP_TRAIN_CELL bytes): "-" for what the run does not have; the run's
 * name is cells[0], cut to fit (the renderers escape it). */
#define RP_TRAIN_COLS 11
#define RP_TRAIN_CELL 64
const char *rp_train_header(int c);
/* The key of column c for data-* attributes ("loss_first"). */
const char *rp_train_key(int c);
void rp_train_cells(const RpRun *run, char cells[RP_TRAIN_COLS][RP_TRAIN_CELL]);
/* The suite's metrics over the run (items and evals: the n the items were
 * filled from), kept in the run, with each rate's value; call once every
 * slot is filled. The split's official denominators apply when run->split
 * names the split (as `imagine eval` does). */
int rp_run_finish(RpRun *run, const Suite *s, const SuiteItem *items, const SuiteEval *evals, Err *err);

void rp_model_init(RpModel *m);
void rp_model_free(RpModel *m); /* frees the runs; accepts a zeroed model */
void rp_model_add(RpModel *m, RpRun *run); /* takes ownership; aborts on OOM */
/* (stages.c) Reads a stage-times file (TSV: a header "stage<TAB>seconds" with an
 * optional third column "note", then one stage a line) into m->stage.
 * IM_IO naming path:line and what is wrong (missing file, no header, a
 * seconds that is not a number >= 0, a NUL byte, a missing column);
 * m is unchanged on error. */
int rp_model_load_stages(RpModel *m, const char *path, Err *err);

/* Rate r of the run (report order): its metric key ("final_pass_rate",
 * "accuracy"), its label, whether it is one pass/fail per item; the rate
 * by key, or -1. */
const char *rp_rate_key(const RpRun *run, int r);
const char *rp_rate_name(const RpRun *run, int r);
const char *rp_rate_short(const RpRun *run, int r);
int rp_rate_is_binary(const RpRun *run, int r);
int rp_rate_by_key(const RpRun *run, const char *key);
/* "delivery_rate, ... or final_pass_rate": the keys, for messages (appended). */
void rp_rate_keys(const RpRun *run, Buf *out);
/* The per-item parts of each rate: copies of run->num and run->den
 * (nrate * n entries each). */
void rp_run_rate_parts(const RpRun *run, double *num, double *den);
/* Rate r of the run (report order), from the suite's metrics (a fraction). */
double rp_run_rate(const RpRun *run, int r);
/* The headline rate's index (the last one); -1 when the suite has none. */
int rp_headline(const RpRun *run);
/* Whether item i passed (the suite's headline pass). */
int rp_item_pass(const RpRun *run, int i);
/* Items that passed. */
int rp_run_passes(const RpRun *run);
/* A stable key for item i, to pair runs: "SPLIT#IDX|TEXT". */
void rp_query_key(const RpRun *run, int i, Buf *out);
/* Item i's strata in words, each through the suite's strata_labels and
 * joined with " · " ("easy · 3 days"), appended. */
void rp_item_strata(const RpRun *run, int i, Buf *out);
/* fmt with its one %s replaced by v ("%s days", "3" -> "3 days"; fmt NULL
 * or without %s: v), appended; never a printf format. */
void rp_fmt_value(Buf *out, const char *fmt, const char *v);
/* The suite's name in words (ops->title, else ops->name). */
const char *rp_suite_title(const SuiteOps *ops);

/* Sums of the known usage numbers; *known counts items with a value. */
typedef struct RpUsage {
    double tokens_in, tokens_out, cost, latency_ms; /* totals over items with the value */
    int n_tokens, n_cost, n_latency;
} RpUsage;
void rp_run_usage(const RpRun *run, RpUsage *u);

#endif
