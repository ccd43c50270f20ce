/* bench_eval.c: TravelPlanner's inputs for `imagine bench eval` (the
 * bench_open, bench_eval_once and bench_close ops): the 4 train
 * submissions; the 180 validation queries with 180 train plans, each given
 * to a query of its number of days; 1,000 train queries with their plans,
 * cycled (slimmed to the fields the evaluator reads, and whole). Files it
 * writes go into the caller's folder. In process: the database is loaded
 * once (timed), the queries and plans of each input before timing. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evaluate.h"
#include "fsutil.h"
#include "suite_tp.h"

static const char *const train_files[] = {
    "train_annotated_plans", "train_gpt-4-1106-preview_direct_sole-planning_submission",
    "train_gpt-4-1106-preview_cot_sole-planning_submission", "train_gpt-4-1106-preview_two-stage_submission"};
enum { NTRAIN = 4, NINPUTS = NTRAIN + 3 };

typedef struct TpBench {
    TpDb *db;
    TpQuerySet *qs[NINPUTS];
    TpSubmission *sub[NINPUTS];
    TpPlanResult *rs;    /* room for the largest input */
} TpBench;

/* Lines of a JSONL file (strip + split on '\n' as eval.py does). */
static int read_lines(const char *path, char **text, char ***lines, int *n, Err *err) {
    if (fs_read_file(path, text, NULL, err)) return err->code;
    char *s = *text;
    size_t len = strlen(s);
    while (len && strchr(" \t\r\n", s[len - 1])) s[--len] = 0;
    int cap = 64;
    *lines = malloc((size_t)cap * sizeof **lines);
    *n = 0;
    for (char *p = s; p;) {
        if (*n == cap) *lines = realloc(*lines, (size_t)(cap *= 2) * sizeof **lines);
        (*lines)[(*n)++] = p;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        p = nl ? nl + 1 : NULL;
    }
    return IM_OK;
}

/* A train query line with only the fields the evaluator reads (as in
 * queries/validation.jsonl): drops reference_information and annotated_plan. */
static char *slim_query(const char *line) {
    cJSON *o = cJSON_Parse(line);
    if (!o) return strdup(line);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "reference_information");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "annotated_plan");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The "days" of a query line, or 0. */
static int line_days(const char *line) {
    cJSON *o = cJSON_Parse(line);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "days");
    int days = cJSON_IsNumber(d) ? d->valueint : 0;
    cJSON_Delete(o);
    return days;
}

/* An input over the query file q and the plan file p (both taken). */
static void add_input(SuiteBench *b, const char *data, const char *label, char *q, char *p, const char *split, int n) {
    SuiteBenchInput *x = &b->in[b->n++];
    snprintf(x->label, sizeof x->label, "%s", label);
    x->n = n;
    int k = 0;
    x->eval_args[k++] = strdup("--data"), x->eval_args[k++] = strdup(data);
    if (split) x->eval_args[k++] = strdup("--split"), x->eval_args[k++] = strdup(split);
    x->eval_args[k++] = strdup("--queries"), x->eval_args[k++] = strdup(q);
    x->eval_args[k++] = strdup("--plans"), x->eval_args[k++] = strdup(p);
    static const char *const vars[] = {"data", "split", "queries", "plans", NULL};
    memcpy(x->var, vars, sizeof vars);
    x->value[0] = strdup(data), x->value[1] = strdup(split ? split : "none"), x->value[2] = q, x->value[3] = p;
}

/* Writes the validation plan file (180 train plans, matched by days)
 * and the 1,000-line query+plan pairs into tmp. */
static int build_inputs(const char *data, const char *tmp, SuiteBench *b, Err *err) {
    char *qtext = NULL, **qlines = NULL, *ptext[NTRAIN] = {0}, **plines[NTRAIN] = {0};
    int nq = 0, np[NTRAIN] = {0}, rc;
    char *qpath = fs_join(data, "queries/train.jsonl");
    rc = read_lines(qpath, &qtext, &qlines, &nq, err);
    for (int f = 0; !rc && f < NTRAIN; f++) {
        char rel[256], label[96];
        snprintf(rel, sizeof rel, "outputs/train/%s.jsonl", train_files[f]);
        char *p = fs_join(data, rel);
        rc = read_lines(p, &ptext[f], &plines[f], &np[f], err);
        if (!rc && np[f] != nq)
            rc = err_set(err, IM_IO, "%s: %d plan lines for %d train queries", p, np[f], nq);
        if (!rc) {
            const char *name = train_files[f] + 6; /* without "train_" */
            size_t len = strlen(name);
            if (len > 11 && !strcmp(name + len - 11, "_submission")) len -= 11;
            snprintf(label, sizeof label, "train/%.*s", (int)len, name);
            add_input(b, data, label, strdup(qpath), p, "train", nq);
        } else free(p);
    }
    Buf t;
    buf_init(&t);
    char *vq = fs_join(data, "queries/validation.jsonl");
    int nv = 0;
    if (!rc) {
        /* validation query i gets the next train plan (file by file, line by
         * line, cycling) whose query has the same number of days: the
         * official code raises KeyError on the {} padding of a shorter plan. */
        char *vtext = NULL, **vlines = NULL;
        rc = read_lines(vq, &vtext, &vlines, &nv, err);
        int next[8] = {0}, *tdays = malloc((size_t)nq * sizeof *tdays);
        for (int j = 0; !rc && j < nq; j++) tdays[j] = line_days(qlines[j]);
        for (int i = 0; !rc && i < nv; i++) {
            int d = line_days(vlines[i]), k = 0, pick = -1;
            for (int tries = 0; tries < nq * NTRAIN && pick < 0; tries++) {
                k = next[d & 7]++ % (nq * NTRAIN);
                if (tdays[k % nq] == d) pick = k;
            }
            if (pick < 0) pick = i % (nq * NTRAIN);
            buf_printf(&t, "%s\n", plines[pick / nq][pick % nq]);
        }
        free(tdays), free(vtext), free(vlines);
    }
    if (!rc) {
        char *p = fs_join(tmp, "validation_plans.jsonl"), label[96];
        rc = fs_write_atomic(p, t.data, t.len, err);
        snprintf(label, sizeof label, "validation: %d queries, train plans by days", nv);
        add_input(b, data, label, strdup(vq), p, "validation", nv);
    }
    /* 1,000 plans: train query i % 45 with its plan from file (i / 45) % 4 */
    for (int full = 0; !rc && full < 2; full++) {
        enum { N = 1000 };
        buf_reset(&t);
        for (int i = 0; i < N; i++) {
            char *s = full ? strdup(qlines[i % nq]) : slim_query(qlines[i % nq]);
            buf_printf(&t, "%s\n", s);
            free(s);
        }
        char *q = fs_join(tmp, full ? "queries1000_full.jsonl" : "queries1000.jsonl");
        rc = fs_write_atomic(q, t.data, t.len, err);
        buf_reset(&t);
        for (int i = 0; i < N; i++) buf_printf(&t, "%s\n", plines[(i / nq) % NTRAIN][i % nq]);
        char *p = fs_join(tmp, full ? "plans1000_full.jsonl" : "plans1000.jsonl");
        if (!rc) rc = fs_write_atomic(p, t.data, t.len, err);
        add_input(b, data, full ? "1,000 plans, queries with reference_info" : "1,000 plans: train queries and plans cycled", q, p,
                  NULL, N);
        if (!full) b->in[b->n - 1].target_ms = 100; /* issue 1's target for a whole process */
    }
    buf_free(&t);
    free(vq), free(qpath), free(qtext), free(qlines);
    for (int f = 0; f < NTRAIN; f++) free(ptext[f]), free(plines[f]);
    return rc;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

int tp_bench_open(const char *data, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err) {
    (void)a;
    TpBench *tb = calloc(1, sizeof *tb);
    b->native = tb, b->unit = "plans", b->loaded = "database";
    if (!tb || !(b->in = calloc(NINPUTS, sizeof *b->in))) return err_set(err, IM_IO, "out of memory");
    int rc = build_inputs(data, tmp, b, err), most = 0;
    if (!rc) {
        double t0 = now_ms();
        rc = tp_db_open(data, &tb->db, err);
        b->load_ms = now_ms() - t0;
    }
    for (int i = 0; !rc && i < b->n; i++) {
        rc = tp_queries_load(b->in[i].value[2], &tb->qs[i], err);
        if (!rc) rc = tp_submission_read(b->in[i].value[3], &tb->sub[i], err);
        if (!rc && tb->qs[i]->n > most) most = tb->qs[i]->n;
    }
    if (!rc && !(tb->rs = calloc((size_t)most + 1, sizeof *tb->rs))) rc = err_set(err, IM_IO, "out of memory");
    return rc;
}

int tp_bench_eval_once(SuiteBench *b, int i, Err *err) {
    (void)err;
    TpBench *tb = b->native;
    tp_eval_submission(tb->db, tb->qs[i], tb->sub[i], tb->rs, NULL);
    for (int k = 0; k < tb->qs[i]->n; k++) tp_plan_result_free(&tb->rs[k]);
    return IM_OK;
}

void tp_bench_close(void *native) {
    TpBench *tb = native;
    if (!tb) return;
    for (int i = 0; i < NINPUTS; i++) tp_queries_free(tb->qs[i]), tp_submission_free(tb->sub[i]);
    tp_db_close(tb->db), free(tb->rs), free(tb);
}
