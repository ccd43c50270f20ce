/* m_greedy.c: the TravelPlanner paper's greedy search as a method: the
 * suite's "greedy" solver. */
#include <stdlib.h>
#include <string.h>

#include "method.h"

static int greedy_method_plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    SuiteSolution r;
    int rc = suite_solve(ctx->suite, it, "greedy", NULL, &r, err);
    if (rc) return rc;
    out->plan_json = r.answer_json, r.answer_json = NULL;
    out->outcome = out->plan_json ? AG_DONE : AG_FAILED;
    out->failure = r.reason, r.reason = NULL;
    suite_solution_free(&r);
    return IM_OK;
}

const AgMethod ag_method_greedy = {"greedy", "the TravelPlanner paper's greedy search: cheapest options first, no backtracking",
                                   NULL, greedy_method_plan, NULL};
