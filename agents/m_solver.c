/* m_solver.c: the exact solver as a planning method (method.h). A proven
 * infeasible query is AG_FAILED with the reason; a timeout is AG_ERROR so
 * that retry-errors may try it again. The method configuration's
 * "sole_planning": true makes it search only the query's reference
 * information; the plan is still checked against the whole sandbox. The
 * search is the suite's (suite_solve, "solver"). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "method.h"

typedef struct SolverCfg {
    int sole_planning;
} SolverCfg;

static int solver_init(AgContext *ctx, Err *err) {
    cJSON *cfg = ctx->config_json ? cJSON_Parse(ctx->config_json) : NULL;
    if (ctx->config_json && !cJSON_IsObject(cfg)) {
        cJSON_Delete(cfg);
        return err_set(err, IM_USAGE, "method solver: the method configuration is not a JSON object");
    }
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(cfg, "sole_planning");
    if (sp && !cJSON_IsBool(sp)) {
        cJSON_Delete(cfg);
        return err_set(err, IM_USAGE, "method solver: \"sole_planning\" must be true or false");
    }
    SolverCfg *c = calloc(1, sizeof *c);
    if (!c) {
        cJSON_Delete(cfg);
        return err_set(err, IM_IO, "out of memory");
    }
    c->sole_planning = cJSON_IsTrue(sp);
    cJSON_Delete(cfg);
    ctx->user = c;
    return IM_OK;
}

static void solver_fini(AgContext *ctx) {
    free(ctx->user);
    ctx->user = NULL;
}

static int solver_plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    const SolverCfg *c = ctx->user;
    SuiteSolution r;
    int rc = suite_solve(ctx->suite, it, "solver", c && c->sole_planning ? "{\"sole_planning\": true}" : NULL, &r, err);
    if (rc) return rc;
    out->calls = 0;
    if (r.status == SUITE_SOLVED) {
        out->outcome = AG_DONE, out->plan_json = r.answer_json, r.answer_json = NULL;
    } else {
        out->outcome = r.timed_out ? AG_ERROR : AG_FAILED;
        out->failure = r.reason, r.reason = NULL;
    }
    suite_solution_free(&r);
    return IM_OK;
}

const AgMethod ag_method_solver = {"solver", "exact solver: the cheapest plan that passes every check, a proof under the official checks that none exists, or unknown",
                                   solver_init, solver_plan, solver_fini};
