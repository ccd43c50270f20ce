/* m_solver.c: the exact solver as a planning method (method.h). A proven
 * infeasible query is AG_FAILED with the reason; a timeout is AG_ERROR so
 * that retry-errors may try it again. The method configuration's
 * "sole_planning": true makes it search only the query's reference
 * information (solver_sole_view); the plan is still checked against the
 * whole sandbox. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "solver.h"

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

static int solver_plan(AgContext *ctx, const TpQuery *q, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    const SolverCfg *c = ctx->user;
    SolverOptions opt = {0};
    TpRefView *view = NULL;
    if (c && c->sole_planning) {
        int rc = solver_sole_view(ctx->db, q, &view, NULL, err);
        if (rc) return rc;
        opt.view = &view->db;
    }
    SolverResult r;
    int rc = solver_solve(ctx->db, q, &opt, &r, err);
    tp_ref_view_free(view);
    if (rc) {
        solver_result_free(&r);
        return rc;
    }
    out->calls = 0;
    if (r.status == SOLVER_FEASIBLE) {
        out->outcome = AG_DONE, out->plan_json = r.plan_json, r.plan_json = NULL;
    } else {
        out->outcome = r.timed_out ? AG_ERROR : AG_FAILED;
        out->failure = r.reason, r.reason = NULL;
    }
    solver_result_free(&r);
    return IM_OK;
}

const AgMethod ag_method_solver = {"solver", "exact solver: the cheapest plan that passes every check, or a proof that none exists",
                                   solver_init, solver_plan, solver_fini};
