/* bench.c: PlanBench's input for `imagine bench eval` (the bench ops):
 * one answer file (default: Claude 3 Opus's 500 one-shot Blocksworld
 * answers), judged by whole `imagine eval --suite planbench` processes
 * against issue 11's target (under 50 ms of CPU) and in process with the
 * variant and the problems the file answers loaded once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "pb_answers.h"
#include "pb_evalfile.h"

const SuiteOption pb_bench_options[] = {
    {"--variant", "V", "variant of the answer file (default blocksworld)"},
    {"--answers", "FILE.json", "default: DATA/results/blocksworld/claude-3-opus/task_1_plan_generation.json (500 answers)"},
    {"--extracted", NULL, "time eval --extracted instead"},
    {0}};
enum { OPT_VARIANT, OPT_ANSWERS, OPT_EXTRACTED };

typedef struct PbBench {
    PbVariant *v;
    PbAnswers *s;
    int extracted;
} PbBench;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

int pb_bench_open(const char *dir, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err) {
    (void)tmp;
    const char *variant = a->opt[OPT_VARIANT] ? a->opt[OPT_VARIANT] : "blocksworld";
    char defans[4096];
    snprintf(defans, sizeof defans, "%s/results/blocksworld/claude-3-opus/task_1_plan_generation.json", dir);
    const char *answers = a->opt[OPT_ANSWERS] ? a->opt[OPT_ANSWERS] : defans;
    if (!fs_exists(answers)) return err_set(err, IM_IO, "cannot read %s: pass --answers FILE or --data DIR", answers);
    PbBench *pb = calloc(1, sizeof *pb);
    b->native = pb, b->unit = "answers", b->loaded = "domain and problems";
    if (!pb || !(b->in = calloc(1, sizeof *b->in))) return err_set(err, IM_IO, "out of memory");
    pb->extracted = a->opt[OPT_EXTRACTED] != NULL;
    int rc = pb_answers_load(answers, &pb->s, err);
    double t0 = now_ms();
    if (!rc) rc = pb_variant_open(dir, variant, &pb->v, err);
    /* the problems the file answers, as a whole process reads them */
    for (int i = 0; !rc && i < pb->s->n; i++) {
        const PbProblem *p;
        Err e = {0};
        pb_variant_problem(pb->v, pb->s->a[i].id, &p, &e);
    }
    b->load_ms = now_ms() - t0;
    if (rc) return rc;
    SuiteBenchInput *x = &b->in[b->n++];
    snprintf(x->label, sizeof x->label, "%s: %s", variant, pb->extracted ? "stored plans validated" : "plans extracted from the text");
    x->n = pb->s->n;
    const char *args[] = {"--suite", "planbench", "--variant", variant, "--answers", answers, "--data", dir, "--json",
                          pb->extracted ? "--extracted" : NULL};
    for (int k = 0; k < (int)(sizeof args / sizeof *args) && args[k]; k++) x->eval_args[k] = strdup(args[k]);
    static const char *const vars[] = {"data", "variant", "answers", NULL};
    memcpy(x->var, vars, sizeof vars);
    x->value[0] = strdup(dir), x->value[1] = strdup(variant), x->value[2] = strdup(answers);
    x->target_ms = 50, x->target_cpu = 1; /* issue 11: a whole process, on a loaded 2-core machine */
    return IM_OK;
}

int pb_bench_eval_once(SuiteBench *b, int i, Err *err) {
    (void)i;
    PbBench *pb = b->native;
    PbItem *items = NULL;
    int rc = pb_answers_eval(pb->v, pb->s, pb->extracted, PB_X_AUTO, NULL, &items, err);
    pb_items_free(items, pb->s->n);
    return rc;
}

void pb_bench_close(void *native) {
    PbBench *pb = native;
    if (!pb) return;
    pb_answers_free(pb->s);
    pb_variant_close(pb->v);
    free(pb);
}
