/* pb_plan.h: an exact planner for PlanBench problems (STRIPS, grounded).
 *
 * A* over ground states with an admissible heuristic: for Blocksworld and
 * its renamings (recognised by the domain's shape, not its names) each unmet
 * goal (on x y) needs a stack of x and, unless x is held, a pick-up or
 * unstack of x; for Logistics (recognised by its predicate names) the
 * package-specific loads and unloads, plus the locations each city's trucks
 * and the airports the airplanes must still reach; else 0 (uniform cost).
 * The plan is optimal (proven) when A* finishes within the node limit; past
 * it, weighted A* (w = 3) finds a plan marked not optimal.
 * Pure function of the domain, the problem and the limits; no I/O. The
 * result owns its strings (pb_solution_free). */
#ifndef IMAGINE_PB_PLAN_H
#define IMAGINE_PB_PLAN_H

#include "err.h"
#include "pb_pddl.h"

typedef struct PbSolveOpts {
    long max_nodes;   /* states stored by the optimal search; 0: 1,500,000 */
    long max_nodes_w; /* states stored by the weighted fallback; 0: 1,500,000 */
} PbSolveOpts;

typedef struct PbSolution {
    int found;      /* 1: a plan was found */
    int optimal;    /* 1: proven optimal (A* finished) */
    int nsteps;
    char **steps;   /* "(pick-up a)" */
    long expanded;  /* nodes expanded, both searches */
    int lower_bound; /* the heuristic at the start (or the optimum when proven) */
    char note[200];
} PbSolution;

int pb_solve(const PbDomain *d, const PbProblem *p, const PbSolveOpts *o, PbSolution *out, Err *err);
void pb_solution_free(PbSolution *s);
/* The plan as PDDL text, one action a line (malloc'd). */
char *pb_solution_text(const PbSolution *s);

#endif
