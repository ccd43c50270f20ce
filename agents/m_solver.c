/* m_solver.c: the exact solver as a planning method (method.h). A proven
 * infeasible query is AG_FAILED with the reason; a timeout is AG_ERROR so
 * that retry-errors may try it again. */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "solver.h"

static int solver_plan(AgContext *ctx, const TpQuery *q, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    SolverResult r;
    int rc = solver_solve(ctx->db, q, NULL, &r, err);
    if (rc) {
        solver_result_free(&r);
        return rc;
    }
    out->calls = 0;
    if (r.status == SOLVER_FEASIBLE) {
        out->outcome = AG_DONE, out->plan_json = r.plan_json, r.plan_json = NULL;
    } else {
        out->outcome = r.status == SOLVER_TIMEOUT ? AG_ERROR : AG_FAILED;
        out->failure = r.reason, r.reason = NULL;
    }
    solver_result_free(&r);
    return IM_OK;
}

const AgMethod ag_method_solver = {"solver", "exact solver: the cheapest plan that passes every check, or a proof that none exists",
                                   NULL, solver_plan, NULL};
