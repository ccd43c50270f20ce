/* fuzz_eval.c: libFuzzer target for the plan parser and every check.
 *
 * Input: byte 0 picks a train query (mod 45); the rest is one submission
 * line, evaluated with tp_eval_line and written in the per-plan JSON form.
 * The database and the queries are loaded once, from $IMAGINE_DATA. A
 * crash, a sanitizer report or a verdict outside {true, false, None} is a
 * bug. Built only with -DIMAGINE_FUZZ=ON and clang (tests/fuzz/tests.cmake). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"

static TpDb *db;
static TpQuerySet *qs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *dir = getenv("IMAGINE_DATA");
    if (!dir || !*dir) {
        fprintf(stderr, "fuzz_eval: set IMAGINE_DATA to the TravelPlanner data folder\n");
        exit(2);
    }
    Err err = {0};
    char *qpath = fs_join(dir, "queries/train.jsonl");
    if (tp_db_open(dir, &db, &err) || tp_queries_load(qpath, &qs, &err) || qs->n == 0) {
        fprintf(stderr, "fuzz_eval: %s\n", err.msg);
        exit(2);
    }
    free(qpath);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const TpQuery *q = &qs->q[data[0] % qs->n];
    char *line = malloc(size); /* NUL-terminated copy of data[1..] */
    memcpy(line, data + 1, size - 1);
    line[size - 1] = 0;
    TpPlanResult r;
    tp_eval_line(db, q, line, 1, &r);
    for (int k = 0; k < TP_NCS; k++)
        if (r.cs[k].value < -1 || r.cs[k].value > 1) abort();
    for (int k = 0; k < TP_NHARD; k++)
        if (r.hard[k].value < -1 || r.hard[k].value > 1) abort();
    Buf out;
    buf_init(&out);
    tp_plan_result_json(&r, &out);
    buf_free(&out);
    tp_plan_result_free(&r);
    free(line);
    return 0;
}
