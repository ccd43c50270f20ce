/* generate.h: stage 1 of IMAGINE for TravelPlanner: new queries composed
 * from the sandbox, deduplicated against the benchmark, each labelled by
 * the exact solver (issue 15).
 *
 * A query follows the official rules (checked against the shipped query files):
 * 3 days / 1 city (dest is a city), 5 days / 2 cities and 7 days / 3 cities
 * (dest is a state with enough cities); dates in March 2022 (the flights'
 * month); easy: 1 person, budget only; medium: 2-8 people, budget and one
 * of house rule, cuisine, room type; hard: 2-8 people, budget and three of
 * house rule, cuisine, room type, transportation (transportation only at
 * hard). The budget is drawn relative to the solver's minimum cost: a
 * share `below_share` below it, the rest at or above it, rounded to $100.
 * The text comes from templates of our own with varied phrasing. Each
 * line has the official fields, `idx`, the `reference_information` built
 * by the one reference builder (solver_reference_from) unless disabled,
 * and `label`: {"feasible": true, "min_cost": C}, {"feasible": false,
 * "family": F, ..., "reason": R} only with the solver's proof under the
 * official checks (issue 12's honest rule; a budget under the model's
 * minimum is such a proof only when under the official lower bound,
 * "lower_bound"), else {"feasible": null, ...} with the reason (queries
 * under the model's minimum keep "min_cost" and "lower_bound").
 * Deduplication key: (org, dest, dates, days, people, level, constraints)
 * against the given query sets and the file itself.
 *
 * The same configuration and seed give a byte-identical file whatever the
 * number of threads. Library code: returns a status, never prints. */
#ifndef TP_GENERATE_H
#define TP_GENERATE_H

#include "buf.h"
#include "db.h"
#include "err.h"
#include "query.h"

typedef struct TpGenCfg {
    double below_share;           /* 0.2: share of budgets below the minimum cost */
    double below_lo, below_hi;    /* 0.6, 0.95: budget / minimum cost when below */
    double above_lo, above_hi;    /* 1.0, 2.5: budget / minimum cost otherwise */
    double level_share[3];        /* 1/3 each: easy, medium, hard */
    double days_share[3];         /* 1/3 each: 3, 5, 7 days */
    int reference;                /* 1: write reference_information */
    double solver_timeout_s;      /* 10 */
} TpGenCfg;

void tp_gen_cfg_default(TpGenCfg *c);
/* Overlays the JSON object's fields (names as above; level_share and
 * days_share as lists of 3 numbers). IM_USAGE naming the field. */
int tp_gen_cfg_parse(const char *json, TpGenCfg *c, Err *err);
void tp_gen_cfg_json(const TpGenCfg *c, Buf *out);

typedef struct TpGenStats {
    int generated, duplicates_skipped, feasible, infeasible, unknown;
    int infeasible_budget;
} TpGenStats;

/* Generates n queries (idx 1..n) with seed into out (JSONL). against: the
 * query sets to deduplicate against (may be NULL/0). threads >= 1. */
int tp_generate(const TpDb *db, const TpGenCfg *cfg, const TpQuerySet *const *against, int n_against, int n,
                unsigned long long seed, int threads, Buf *out, TpGenStats *st, Err *err);

#endif
