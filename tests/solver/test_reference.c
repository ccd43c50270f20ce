/* test_reference.c: the reference information built from the sandbox must
 * equal the shipped one of all 45 train queries, entry by entry, in both
 * forms: database/train_ref_info.jsonl (JSON) and the reference_information
 * field of queries/train.jsonl (text). The cities and leg dates are read
 * from the shipped descriptions ("given the same cities and dates").
 * usage: test_reference DATA_DIR */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "reference.h"
#include "solver.h"

static int first_diff(const char *a, const char *b) {
    int i = 0;
    while (a[i] && a[i] == b[i]) i++;
    return a[i] == b[i] ? -1 : i;
}

static void show_diff(const char *what, int idx, const char *got, const char *want) {
    int d = first_diff(got, want);
    int from = d > 60 ? d - 60 : 0;
    fprintf(stderr, "query %d: %s differs at byte %d\n  got:  ...%.120s\n  want: ...%.120s\n", idx, what, d, got + from,
            want + from);
}

int main(int argc, char **argv) {
    if (argc != 2) return fprintf(stderr, "usage: test_reference DATA_DIR\n"), 2;
    Err err = {0};
    TpDb *db = NULL;
    TpQuerySet *qs = NULL;
    char *qpath = fs_join(argv[1], "queries/train.jsonl"), *rpath = fs_join(argv[1], "database/train_ref_info.jsonl");
    char *reftext = NULL;
    size_t len;
    if (tp_db_open(argv[1], &db, &err) || tp_queries_load(qpath, &qs, &err) || fs_read_file(rpath, &reftext, &len, &err))
        return fprintf(stderr, "%s\n", err.msg), 1;
    int failures = 0, checked = 0, entries = 0;
    char *line = reftext;
    for (int i = 0; i < qs->n; i++) {
        const TpQuery *q = &qs->q[i];
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        cJSON *want_json = cJSON_Parse(line), *qj = cJSON_Parse(q->json);
        const cJSON *rt = cJSON_GetObjectItemCaseSensitive(qj, "reference_information");
        if (!want_json || !cJSON_IsString(rt)) {
            fprintf(stderr, "query %d: shipped reference information unreadable\n", q->idx);
            return 1;
        }
        const char *cities[8];
        TpRefLeg legs[9];
        int nc = 0, nl_ = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, want_json) {
            const char *k = it->string;
            if (!strncmp(k, "Attractions in ", 15) && nc < 8) cities[nc++] = k + 15;
            if (!strncmp(k, "Flight from ", 12) && nl_ < 9) {
                legs[nl_].from = nl_ == 0 ? q->org : cities[nl_ - 1];
                legs[nl_].to = nl_ == nc ? q->org : cities[nl_];
                legs[nl_].date = strrchr(k, ' ') + 1;
                nl_++;
            }
        }
        TpRef *ref = NULL;
        if (tp_ref_build(db, cities, nc, legs, nl_, &ref, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
        entries += ref->n;
        if (ref->n != cJSON_GetArraySize(want_json)) {
            fprintf(stderr, "query %d: %d entries, shipped %d\n", q->idx, ref->n, cJSON_GetArraySize(want_json));
            failures++;
        }
        Buf js, tx;
        buf_init(&js), buf_init(&tx);
        tp_ref_json(db, ref, &js);
        tp_ref_text(db, ref, &tx);
        if (strcmp(js.data, line)) show_diff("JSON form", q->idx, js.data, line), failures++;
        if (strcmp(tx.data, rt->valuestring)) show_diff("text form", q->idx, tx.data, rt->valuestring), failures++;
        checked++;
        buf_free(&js), buf_free(&tx);
        tp_ref_free(ref);
        cJSON_Delete(want_json), cJSON_Delete(qj);
        line = nl ? nl + 1 : line + strlen(line);
    }
    printf("reference information: %d queries, %d entries, %d mismatches\n", checked, entries, failures);
    /* other queries: the solver's route (or the first candidates); the JSON
     * form must parse and hold 3 entries per city and 3 per leg */
    char *vpath = fs_join(argv[1], "queries/validation.jsonl");
    TpQuerySet *vs = NULL;
    if (tp_queries_load(vpath, &vs, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    int built = 0;
    for (int i = 0; i < vs->n; i++) {
        TpRef *ref = NULL;
        if (solver_reference(db, &vs->q[i], &ref, &err)) {
            fprintf(stderr, "validation query %d: %s\n", vs->q[i].idx, err.msg);
            failures++;
            continue;
        }
        int n = vs->q[i].visiting_city_number;
        Buf js;
        buf_init(&js);
        tp_ref_json(db, ref, &js);
        cJSON *j = cJSON_Parse(js.data);
        if (!j || cJSON_GetArraySize(j) != 3 * n + 3 * (n + 1)) {
            fprintf(stderr, "validation query %d: reference information has the wrong shape\n", vs->q[i].idx);
            failures++;
        } else {
            built++;
        }
        cJSON_Delete(j), buf_free(&js), tp_ref_free(ref);
    }
    printf("validation: reference information built for %d of %d queries\n", built, vs->n);
    tp_queries_free(vs), free(vpath);
    tp_queries_free(qs), tp_db_close(db), free(reftext), free(qpath), free(rpath);
    return failures || checked != 45 ? 1 : 0;
}
