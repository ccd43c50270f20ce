/* test_greedy.c: the greedy baseline's documented reproduction of the
 * paper's row (docs/greedy.md) on this package's validation split.
 * Every query gets a plan (delivery 100 %); no plan passes every
 * commonsense check (macro 0 %, as published) so final pass is 0 %; and
 * the plans have the literal greedy's form: one restaurant for all three
 * meals of a full day, the days numbered 1..days.
 * usage: test_greedy DATA_DIR */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"
#include "../check.h"
#include "solver.h"


static const char *field(const cJSON *day, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(day, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The form a literal greedy gives: days 1..D in order, and on a full day
 * (current_city without "from ") the same restaurant for every meal. */
static void check_form(const TpQuery *q, const cJSON *plan) {
    CHECK_MSG(cJSON_IsArray(plan) && cJSON_GetArraySize(plan) == q->days, "query %d: not %d days", q->idx, q->days);
    int d = 0;
    const cJSON *day;
    cJSON_ArrayForEach(day, plan) {
        d++;
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(day, "days");
        CHECK_MSG(cJSON_IsNumber(n) && n->valueint == d, "query %d: day %d misnumbered", q->idx, d);
        const char *cc = field(day, "current_city"), *b = field(day, "breakfast");
        if (!cc || !b || !strncmp(cc, "from ", 5) || !strcmp(b, "-")) continue;
        const char *l = field(day, "lunch"), *di = field(day, "dinner");
        CHECK_MSG(l && di && !strcmp(b, l) && !strcmp(b, di), "query %d day %d: meals differ (%s / %s / %s)", q->idx, d,
              b, l ? l : "?", di ? di : "?");
    }
}

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: test_greedy DATA_DIR\n"), 2;
    Err err = {0};
    TpDb *db = NULL;
    if (tp_db_open(argv[1], &db, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    char *path = fs_join(argv[1], "queries/validation.jsonl");
    TpQuerySet *qs = NULL;
    if (tp_queries_load(path, &qs, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        free(path), tp_db_close(db);
        return 1;
    }
    TpPlanResult *rs = calloc((size_t)qs->n, sizeof *rs);
    for (int i = 0; i < qs->n; i++) {
        const TpQuery *q = &qs->q[i];
        const char *why = NULL;
        char *json = greedy_plan(db, q, &why);
        CHECK_MSG(json, "query %d: no greedy plan: %s", q->idx, why ? why : "?");
        cJSON *plan = json ? cJSON_Parse(json) : NULL;
        CHECK_MSG(!json || plan, "query %d: greedy plan is not JSON", q->idx);
        if (plan) check_form(q, plan);
        tp_eval_plan(db, q, plan, i + 1, &rs[i]);
        CHECK_MSG(rs[i].delivered, "query %d: plan not delivered", q->idx);
        cJSON_Delete(plan), free(json);
    }
    TpMetrics m;
    tp_metrics_compute(qs->q, rs, qs->n, "validation", &m);
    Buf out;
    buf_init(&out);
    tp_metrics_print_rates(&m, &out);
    fputs(out.data ? out.data : "", stdout);
    CHECK_MSG(m.delivered == qs->n, "delivered %d of %d", m.delivered, qs->n);
    CHECK_MSG(m.cs_macro == 0, "commonsense macro: %d plans pass every commonsense check, want 0", m.cs_macro);
    CHECK_MSG(m.final_pass == 0, "final pass: %d plans, want 0", m.final_pass);
    buf_free(&out);
    for (int i = 0; i < qs->n; i++) tp_plan_result_free(&rs[i]);
    free(rs), tp_queries_free(qs), free(path), tp_db_close(db);
    printf("%d check_failures\n", check_failures);
    return check_failures ? 1 : 0;
}
