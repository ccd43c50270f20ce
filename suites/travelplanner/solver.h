/* solver.h: the exact TravelPlanner solver and the greedy baseline.
 *
 * solver_solve searches every plan of the plan model (docs/solver.md):
 * plans that the official checks and the strict checker both accept, over
 * the sandbox: routes through the candidate cities, travel days, the
 * cheapest transport per leg in each transport class, one accommodation
 * per city stay, three meals and one attraction per full day, and meals on
 * travel days where they serve a cuisine. Branch and bound on cost with
 * per-city tables makes the search complete: a plan is the cheapest of
 * the model (the guarantee min_cost states). A returned plan is checked
 * with the official evaluator before it is returned. `infeasible` is said
 * only with a proof under the official checks themselves (a relaxation of
 * them: a lower bound on cost over the budget, or a constraint family no
 * row satisfies); a query with neither a plan of the model nor such a
 * proof is `unknown`. In the sole-planning mode (SolverOptions.view) the
 * same search runs over the query's reference information only
 * (solver_sole_view).
 *
 * greedy_plan is the TravelPlanner paper's greedy search: cheapest options
 * first, no backtracking, no constraint awareness beyond the plan's form.
 *
 * Ownership: every string of a SolverResult is malloc'd and owned by it
 * (solver_result_free accepts a zeroed result). Both functions are pure
 * functions of the database and the query; thread-safe. */
#ifndef TP_SOLVER_H
#define TP_SOLVER_H

#include "db.h"
#include "err.h"
#include "query.h"
#include "refview.h"

typedef enum { SOLVER_FEASIBLE = 0, SOLVER_INFEASIBLE = 1, SOLVER_UNKNOWN = 2 } SolverStatus;

typedef struct SolverResult {
    SolverStatus status;
    char *plan_json;     /* FEASIBLE: the JSON array of days (submission form) */
    char *reason;        /* INFEASIBLE: the proof; UNKNOWN: why no plan, and why no proof; FEASIBLE: NULL */
    const char *family;  /* static string. INFEASIBLE: the proof's family, "route", "accommodation",
                            "cuisine" or "budget". UNKNOWN: the family that leaves the model without a
                            plan: "transportation", "accommodation", "attractions", "restaurants",
                            "cuisine", "budget", "route", "range" or "timeout" */
    double cost;         /* FEASIBLE: total cost with the official formulas */
    double min_cost;     /* the cheapest plan of the model whatever the budget: FEASIBLE: = cost;
                            family "budget": over the budget; else -1 (no plan of the model) */
    double lower_bound;  /* not FEASIBLE: the official relaxation's bound on the cost of any plan the
                            official checks accept (INFEASIBLE "budget": over the budget; 1e300 when a
                            family has no option); FEASIBLE: 0 (not computed) */
    int timed_out;       /* UNKNOWN because of the time limit */
    char *route[8];      /* FEASIBLE: the visited cities, in order */
    int n_route;
    int travel_day[9];   /* FEASIBLE: 1-based day of each leg */
    long nodes;          /* search nodes visited */
} SolverResult;

typedef struct SolverOptions {
    double timeout_s;    /* 0: 10 s */
    const TpDb *view;    /* sole planning: search only this view (&TpRefView.db, borrowed), NULL: the db */
} SolverOptions;

/* Returns IM_OK with *out filled (any status); an error only when the
 * evaluator rejects the plan the solver built (a bug: IM_FAIL, err says
 * which check) or memory runs out. With opt->view the search sees only the
 * view (its cities are the candidates, in the view's order) and db serves
 * the evaluator and the city list alone; `infeasible` is then a proof
 * about plans built from the view's rows. */
int solver_solve(const TpDb *db, const TpQuery *q, const SolverOptions *opt, SolverResult *out, Err *err);
void solver_result_free(SolverResult *r);

/* The candidate cities of a query, in the order the solver tries them: the
 * destination city for 3-day trips; every city of the destination state
 * but the origin otherwise (sorted by name). Returns the count (at most
 * max); names are borrowed from the database. */
int solver_candidates(const TpDb *db, const TpQuery *q, const char **out, int max);

/* Reference information for any query: the cities and travel days of the
 * solver's plan when it finds one, else the first visiting_city_number
 * candidates with the official travel days (docs/solver.md). */
int solver_reference(const TpDb *db, const TpQuery *q, TpRef **out, Err *err);
/* The same from a result of solver_solve on q (any status). */
int solver_reference_from(const TpDb *db, const TpQuery *q, const SolverResult *r, TpRef **out, Err *err);

/* Sole planning: the view of a query's reference information, the one
 * every prompting method reads (tp_reference_info: the query line's
 * `reference_information` when it has one, else built over the
 * destination city or every city of the destination state); it is parsed
 * with tp_ref_view_text, so the search sees only what the text says.
 * *shipped (may be NULL) tells which. *out is owned by the caller
 * (tp_ref_view_free). */
int solver_sole_view(const TpDb *db, const TpQuery *q, TpRefView **out, int *shipped, Err *err);

/* The greedy baseline: a plan (JSON array, malloc'd) or NULL with *why set
 * (static string) when not even a plan form can be built. */
char *greedy_plan(const TpDb *db, const TpQuery *q, const char **why);

#endif
