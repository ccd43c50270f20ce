/* test_exact.c: exactness against the PlanBench authors' own verdicts.
 *
 * For every one-shot and zero-shot plan-generation answer file found by
 * globbing RESULTS/<variant>/<model>/task_1_plan_generation{,_zero_shot}.json:
 *   - our extraction of llm_raw_response equals the stored
 *     extracted_llm_plan (or fails where their extractor raised and stored
 *     none), with the extractor the file was made with (pb_answers_eval's
 *     auto choice);
 *   - our validator's verdict on the stored plan equals the stored verdict
 *     on every judged instance.
 * Every disagreement must be listed in the contradictions fixture
 * (tests/planbench/contradictions.tsv: file, instance, check, reason), and
 * every listed case must still disagree: the list is checked exactly.
 * Usage: test_exact DATA_DIR FIXTURE [RESULTS_DIR] */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pb_answers.h"

typedef struct Case {
    char file[512];
    int id;
    char check[32];
    int seen;
} Case;

static Case cases[4096];
static int ncases;

static void load_fixture(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        exit(1);
    }
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        Case *c = &cases[ncases];
        char *t1 = strchr(line, '\t');
        if (!t1) continue;
        *t1 = 0;
        snprintf(c->file, sizeof c->file, "%.500s", line);
        c->id = atoi(t1 + 1);
        char *t2 = strchr(t1 + 1, '\t');
        if (!t2) continue;
        char *t3 = strchr(t2 + 1, '\t');
        if (t3) *t3 = 0;
        snprintf(c->check, sizeof c->check, "%.30s", t2 + 1);
        if (++ncases == 4096) break;
    }
    fclose(f);
}

static int listed(const char *file, int id, const char *check) {
    for (int i = 0; i < ncases; i++)
        if (!strcmp(cases[i].file, file) && cases[i].id == id && !strcmp(cases[i].check, check)) {
            cases[i].seen = 1;
            return 1;
        }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_exact DATA_DIR FIXTURE [RESULTS_DIR]\n");
        return 2;
    }
    const char *data = argv[1];
    const char *results = argc > 3 ? argv[3] : NULL;
    char rdir[4096];
    snprintf(rdir, sizeof rdir, "%s", results ? results : data);
    if (!results) strncat(rdir, "/results", sizeof rdir - strlen(rdir) - 1);
    load_fixture(argv[2]);
    glob_t g;
    char pat[4200];
    snprintf(pat, sizeof pat, "%s/*/*/task_1_plan_generation.json", rdir);
    int grc = glob(pat, 0, NULL, &g);
    snprintf(pat, sizeof pat, "%s/*/*/task_1_plan_generation_zero_shot.json", rdir);
    grc = glob(pat, grc == 0 ? GLOB_APPEND : 0, NULL, &g);
    if (g.gl_pathc == 0) {
        fprintf(stderr, "FAIL: no answer files under %s\n", rdir);
        return 1;
    }
    int failures = 0, files = 0;
    long judged = 0, extracted = 0, listed_hits = 0;
    for (size_t f = 0; f < g.gl_pathc; f++) {
        const char *path = g.gl_pathv[f];
        const char *rel = path + strlen(rdir) + 1;
        char variant[256];
        snprintf(variant, sizeof variant, "%.*s", (int)strcspn(rel, "/"), rel);
        Err err = {0};
        PbVariant *v;
        char cfg[4600];
        snprintf(cfg, sizeof cfg, "%s/configs/%s.yaml", data, variant);
        if (!fs_exists(cfg)) { /* a task outside the five variants (e.g. the authors' random_blocksworld) */
            printf("%-80s skipped: no configs/%s.yaml\n", rel, variant);
            continue;
        }
        if (pb_variant_open(data, variant, &v, &err)) {
            fprintf(stderr, "FAIL %s: %s\n", rel, err.msg);
            failures++;
            continue;
        }
        PbAnswers *s;
        if (pb_answers_load(path, &s, &err)) {
            fprintf(stderr, "FAIL %s: %s\n", rel, err.msg);
            failures++;
            pb_variant_close(v);
            continue;
        }
        PbItem *stored_items, *extract_items;
        PbDialect d;
        if (pb_answers_eval(v, s, 1, PB_X_AUTO, NULL, &stored_items, &err) ||
            pb_answers_eval(v, s, 0, PB_X_AUTO, &d, &extract_items, &err)) {
            fprintf(stderr, "FAIL %s: %s\n", rel, err.msg);
            failures++;
            pb_answers_free(s);
            pb_variant_close(v);
            continue;
        }
        files++;
        int fj = 0, fc = 0, bad_x = 0, bad_v = 0;
        for (int i = 0; i < s->n; i++) {
            const PbAnswer *a = &s->a[i];
            if (a->raw && *a->raw) {
                PbExtracted x;
                int m = pb_answer_extraction_matches(v, a, d, &x);
                extracted++;
                if (m != 1) {
                    if (listed(rel, a->id, "extraction")) listed_hits++;
                    else {
                        bad_x++;
                        if (bad_x <= 3)
                            fprintf(stderr, "FAIL %s instance %d: extraction (%s) differs:\n--- ours%s\n%s--- theirs\n%s\n", rel, a->id,
                                    pb_dialect_name(d), x.ok ? "" : " (failed)", x.ok ? x.text : x.why, a->stored ? a->stored : "(none)");
                    }
                }
                pb_extracted_free(&x);
            }
            if (a->verdict >= 0) {
                fj++;
                fc += a->verdict;
                judged++;
                const PbItem *it = &stored_items[i];
                if (it->correct != a->verdict) {
                    if (listed(rel, a->id, "verdict")) listed_hits++;
                    else {
                        bad_v++;
                        if (bad_v <= 3)
                            fprintf(stderr, "FAIL %s instance %d: our verdict %d, theirs %d (%s)\n", rel, a->id, it->correct, a->verdict, it->reason);
                    }
                }
            } else if (stored_items[i].correct >= 0 && a->stored) {
                /* an unjudged instance with a stored plan: nothing to compare */
            }
        }
        printf("%-80s %s judged %d correct %d: %d extraction and %d verdict disagreements outside the fixture\n", rel,
               pb_dialect_name(d), fj, fc, bad_x, bad_v);
        failures += bad_x + bad_v;
        pb_items_free(stored_items, s->n);
        pb_items_free(extract_items, s->n);
        pb_answers_free(s);
        pb_variant_close(v);
    }
    globfree(&g);
    for (int i = 0; i < ncases; i++)
            if (!cases[i].seen) {
                char *fp = fs_join(rdir, cases[i].file);
                int present = fs_exists(fp);
                free(fp);
                if (!present) continue; /* a file of the authors' repository not in this package */
                fprintf(stderr, "FAIL fixture case %s %d %s no longer disagrees (or its file is gone)\n", cases[i].file, cases[i].id,
                        cases[i].check);
                failures++;
            }
    printf("%d files, %ld responses extracted, %ld verdicts compared, %ld listed contradictions: %s\n", files, extracted, judged,
           listed_hits, failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}
