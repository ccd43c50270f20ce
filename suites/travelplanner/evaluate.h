/* evaluate.h: the official TravelPlanner evaluation of one plan, of a whole
 * submission file, and the official metrics.
 *
 * Semantics are those of the official evaluator (OSU-NLP-Group/TravelPlanner,
 * evaluation/{eval,commonsense_constraint,hard_constraint}.py), quirks
 * included. Where that code would raise an exception on a malformed plan,
 * the check that would raise fails instead, with a message naming the plan
 * line, the day and the field (README: "Divergences"). Evaluation never
 * fails: every outcome is a verdict. A TpPlanResult owns its strings. */
#ifndef TP_EVALUATE_H
#define TP_EVALUATE_H

#include <cJSON.h>

#include "buf.h"
#include "db.h"
#include "query.h"

/* Commonsense checks, in the official evaluation() order. */
enum {
    TP_CS_REASONABLE_CITY, TP_CS_RESTAURANTS, TP_CS_ATTRACTIONS, TP_CS_ACCOMMODATION,
    TP_CS_TRANSPORTATION, TP_CS_CURRENT_CITY, TP_CS_SANDBOX, TP_CS_NOT_ABSENT, TP_NCS
};
/* Hard checks, in the official evaluation() order. */
enum { TP_HARD_CUISINE, TP_HARD_ROOM_RULE, TP_HARD_TRANSPORTATION, TP_HARD_ROOM_TYPE, TP_HARD_COST, TP_NHARD };

typedef struct TpVerdict {
    signed char value; /* 1 true, 0 false, -1 None (not applicable) */
    char *msg;         /* NULL for None message */
} TpVerdict;

typedef struct TpPlanResult {
    int delivered;      /* the official `if tested_plan['plan']` */
    int hard_evaluated; /* hard checks ran (Complete Information and Within Sandbox passed) */
    TpVerdict cs[TP_NCS];
    TpVerdict hard[TP_NHARD];
    char *note;         /* why a line was not read as a plan, or NULL */
    char *log;          /* what the official code prints while evaluating (may be NULL) */
    double total_cost;  /* get_total_cost() when hard checks ran */
} TpPlanResult;

const char *tp_cs_key(int k);        /* "is_reasonable_visiting_city" ... */
const char *tp_cs_name(int k);       /* "Reasonable City Route" ... */
const char *tp_hard_key(int k);      /* "valid_cuisine" ... */
const char *tp_hard_name(int k);     /* "Cuisine" ... */
/* Index of a check by its official key in either family; -1 if unknown. */
int tp_check_by_key(const char *key, int *is_hard);

/* Evaluates the value of a submission line's "plan" key (NULL when the key
 * is missing). line is the 1-based line in the submission, for messages. */
void tp_eval_plan(const TpDb *db, const TpQuery *q, const cJSON *plan, int line, TpPlanResult *out);
/* The same; ungated != 0 runs the hard checks even when Complete
 * Information or Within Sandbox failed (the official code skips them; the
 * reward may not: reward.h). hard_evaluated is then 1. */
void tp_eval_plan_ex(const TpDb *db, const TpQuery *q, const cJSON *plan, int line, int ungated, TpPlanResult *out);
/* Python's json.loads keeps the last of duplicate keys at the position of
 * the first; cJSON keeps all of them. Normalises v (recursively) to the
 * dict Python would read. */
void tp_json_dedupe(cJSON *v);
/* Evaluates one submission line's text (a JSON object with "plan"). */
void tp_eval_line(const TpDb *db, const TpQuery *q, const char *text, int line, TpPlanResult *out);
void tp_plan_result_free(TpPlanResult *r);
/* The official per-plan JSON line (json.dumps form), without newline. */
void tp_plan_result_json(const TpPlanResult *r, Buf *out);

/* ---- metrics ---------------------------------------------------------- */

typedef struct TpCount { int t, f, total; int has_total; } TpCount;

typedef struct TpMetrics {
    int n;                     /* queries */
    int official;              /* 1: official split denominators */
    int delivered, cs_pass, hard_pass, cs_macro, hard_macro, final_pass;
    int cs_denom, hard_denom, n_denom;
    double delivery_rate, cs_micro_rate, cs_macro_rate, hard_micro_rate, hard_macro_rate, final_rate; /* fractions */
    int final_by_level[TP_NLEVELS];
    int count[TP_NLEVELS][3];  /* queries per level x days */
    int cs_present[TP_NLEVELS][3], hard_present[TP_NLEVELS][3];
    TpCount cs[TP_NLEVELS][3][TP_NCS], hard[TP_NLEVELS][3][TP_NHARD];
} TpMetrics;

/* split: "train", "validation" or "test" when the queries are that whole
 * split (official denominators), NULL to compute denominators from the
 * queries. Results with delivered == 0 are not delivered. */
void tp_metrics_compute(const TpQuery *qs, const TpPlanResult *rs, int n, const char *split, TpMetrics *m);
/* The six lines exactly as eval.py prints them. */
void tp_metrics_print_rates(const TpMetrics *m, Buf *out);
/* The detail dict exactly as eval.py prints it (Python repr). */
void tp_metrics_detail_repr(const TpMetrics *m, Buf *out);
/* A readable detail table (level x days x check). */
void tp_metrics_detail_table(const TpMetrics *m, Buf *out);
/* One JSON object: delivery_rate, commonsense_micro, ..., final_pass_rate, detail. */
void tp_metrics_json(const TpMetrics *m, Buf *out);

/* ---- submission files -------------------------------------------------- */

/* A submission file split as eval.py splits it: f.read().strip().split('\n').
 * Owns its text; line[i] points into it. */
typedef struct TpSubmission {
    char *text;
    char **line;
    int n;
    char *path;
} TpSubmission;

int tp_submission_read(const char *path, TpSubmission **out, Err *err);
void tp_submission_free(TpSubmission *s);
/* Evaluates line i against query i for every query (eval.py pairs them by
 * position). Missing lines are undelivered plans with a note; extra lines
 * are ignored. Warnings (one per line) are appended to warn if not NULL.
 * results must have room for qs->n entries. */
void tp_eval_submission(const TpDb *db, const TpQuerySet *qs, const TpSubmission *sub, TpPlanResult *results, Buf *warn);

#endif
