/* m_greedy.c: the TravelPlanner paper's greedy search as a method. */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "solver.h"

static int greedy_method_plan(AgContext *ctx, const TpQuery *q, AgResult *out, Err *err) {
    (void)err;
    memset(out, 0, sizeof *out);
    const char *why = NULL;
    out->plan_json = greedy_plan(ctx->db, q, &why);
    out->outcome = out->plan_json ? AG_DONE : AG_FAILED;
    if (why) out->failure = strdup(why);
    return IM_OK;
}

const AgMethod ag_method_greedy = {"greedy", "the TravelPlanner paper's greedy search: cheapest options first, no backtracking",
                                   NULL, greedy_method_plan, NULL};
