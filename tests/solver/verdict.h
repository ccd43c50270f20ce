/* verdict.h (tests): the independent relaxation of the official checks
 * and the check of one solver verdict against it, shared by the solver's
 * tests (docs/solver.md, "Proofs").
 *
 * relax() is written from the checks themselves, not from the solver's
 * code: the route's cities for 5- and 7-day trips (from
 * citySet_with_states.txt as read by verdict_init), an accommodation of the
 * room type and house rule anywhere, a restaurant outside the origin for
 * each cuisine, and the lower bound nights x the cheapest allowed night +
 * the cheapest restaurants covering the cuisines (by splitting the cuisine
 * set) x people. check_verdict() solves a query and asserts: a plan passes
 * the evaluator and the strict checker at its min_cost within the budget
 * and not under the bound; `infeasible` has the relaxation's family and
 * bound; `unknown` is not ruled out by the relaxation. */
#ifndef TEST_VERDICT_H
#define TEST_VERDICT_H

#include <cJSON.h>

#include "db.h"
#include "query.h"

typedef struct Relax {
    const char *family; /* NULL: the relaxation does not rule the query out */
    double lb;          /* nights x night + cover x people */
} Relax;

typedef struct Tally {
    int feasible, infeasible, unknown;
    int fam_infeasible[4]; /* route, accommodation, cuisine, budget */
} Tally;

/* Reads DATA/database/background/citySet_with_states.txt; 0 on success. */
int verdict_init(const char *data_dir);
void verdict_fini(void);
/* hard_constraint.py's room rule and room type, as what is allowed. */
int room_allowed(const TpQuery *q, const TpAccommodation *a);
/* Cities of the state but org, from the city set. */
int state_cities(const char *state, const char *org, const char **out, int max);
Relax relax(const TpDb *db, const TpQuery *q);
/* All official checks pass; *cost (may be NULL) gets the official cost. */
int passes_evaluator(const TpDb *db, const TpQuery *q, const cJSON *plan, double *cost);
/* Solves q, checks the verdict (CHECK failures are counted); returns the
 * status, -1 on an error; *min_cost (may be NULL) gets the result's. */
int check_verdict(const TpDb *db, const TpQuery *q, const char *what, Tally *t, double *min_cost);
/* The CHECK failures counted in verdict.c (check.h's counter is per file). */
int verdict_failures(void);

#endif
