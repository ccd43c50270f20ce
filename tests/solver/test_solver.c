/* test_solver.c: the exact solver on the train and validation queries.
 * Every train query gets a plan; every validation query gets a plan or a
 * proof of infeasibility (no timeout); every plan passes the official
 * evaluator (checked inside solver_solve) and the strict checker, which
 * must itself reject plans that exploit the evaluator's blind spots.
 * usage: test_solver DATA_DIR */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"
#include "solver.h"
#include "../check.h"
#include "strict.h"


/* The strict checker must catch a substring name and a flight on another day. */
static void strict_self_test(const TpDb *db, const TpQuery *q, const char *plan_json) {
    cJSON *plan = cJSON_Parse(plan_json);
    cJSON *day = cJSON_GetArrayItem(plan, 1);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(day, "breakfast");
    if (cJSON_IsString(b) && strlen(b->valuestring) > 3 && strcmp(b->valuestring, "-")) {
        char cut[1024];
        snprintf(cut, sizeof cut, "%s", b->valuestring + 1); /* a substring of the name */
        cJSON_ReplaceItemInObjectCaseSensitive(day, "breakfast", cJSON_CreateString(cut));
        CHECK_MSG(strict_check(db, q, plan) != NULL, "strict checker accepts a partial restaurant name (query %d)", q->idx);
    }
    cJSON_Delete(plan);
    plan = cJSON_Parse(plan_json);
    day = cJSON_GetArrayItem(plan, 0);
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(day, "current_city");
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(plan, 1), "current_city",
                                           cJSON_CreateString(cc->valuestring + strlen(cc->valuestring) - 3));
    CHECK_MSG(strict_check(db, q, plan) != NULL, "strict checker accepts a fragment as the current city (query %d)", q->idx);
    cJSON_Delete(plan);
}

static void run_split(const TpDb *db, const char *data, const char *split, int want_all_feasible) {
    char rel[128];
    snprintf(rel, sizeof rel, "queries/%s.jsonl", split);
    char *path = fs_join(data, rel);
    TpQuerySet *qs = NULL;
    Err err = {0};
    if (tp_queries_load(path, &qs, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        check_failures++;
        free(path);
        return;
    }
    int feas = 0, inf = 0, tmo = 0, self_tested = 0;
    for (int i = 0; i < qs->n; i++) {
        const TpQuery *q = &qs->q[i];
        SolverResult r;
        int rc = solver_solve(db, q, NULL, &r, &err);
        CHECK_MSG(rc == IM_OK, "%s query %d: %s", split, q->idx, err.msg);
        if (r.status == SOLVER_FEASIBLE) {
            feas++;
            cJSON *plan = cJSON_Parse(r.plan_json);
            const char *why = strict_check(db, q, plan);
            CHECK_MSG(!why, "%s query %d: strict check: %s", split, q->idx, why ? why : "");
            TpPlanResult ev;
            tp_eval_plan(db, q, plan, i + 1, &ev);
            int ok = ev.hard_evaluated;
            for (int k = 0; k < TP_NCS; k++) ok &= ev.cs[k].value == 1;
            for (int k = 0; k < TP_NHARD; k++) ok &= ev.hard[k].value != 0;
            CHECK_MSG(ok, "%s query %d: the evaluator rejects the plan", split, q->idx);
            tp_plan_result_free(&ev);
            cJSON_Delete(plan);
            if (!self_tested++) strict_self_test(db, q, r.plan_json);
        } else if (r.status == SOLVER_INFEASIBLE) {
            inf++;
            CHECK_MSG(!want_all_feasible, "%s query %d: infeasible: %s", split, q->idx, r.reason);
            CHECK_MSG(r.family && r.reason, "%s query %d: infeasible without a reason", split, q->idx);
        } else {
            tmo++;
            CHECK_MSG(0, "%s query %d: %s", split, q->idx, r.reason);
        }
        solver_result_free(&r);
    }
    printf("%s: %d queries, %d feasible, %d infeasible, %d timeout\n", split, qs->n, feas, inf, tmo);
    tp_queries_free(qs), free(path);
}

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: test_solver DATA_DIR\n"), 2;
    Err err = {0};
    TpDb *db = NULL;
    if (tp_db_open(argv[1], &db, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    run_split(db, argv[1], "train", 1);
    run_split(db, argv[1], "validation", 0);
    tp_db_close(db);
    printf("%d check_failures\n", check_failures);
    return check_failures ? 1 : 0;
}
