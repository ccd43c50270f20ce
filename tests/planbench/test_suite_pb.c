/* test_suite_pb.c: PlanBench through the suite interface (suite.h), on the
 * real data:
 *   - the registry finds it; every variant's items load with their strata
 *     (variant, objects, optimal length) and read back from fields_json;
 *   - material carries the benchmark's own one-shot prompt and a zero-shot
 *     task; extract + evaluate through the interface reproduce the authors'
 *     count on an answer file where their extractors agree (GPT-4 zero-shot
 *     blocksworld_3: 59 of 100);
 *   - the exact solver's answers are valid and optimal on every item of
 *     blocksworld_3 and mystery_blocksworld_3; metrics: accuracy 1 and the
 *     optimal rate 1, per stratum; the solver's log shows the state after
 *     each action (the teacher's view);
 *   - verdicts_load rebuilds passed from stored verdicts; reward components;
 *     generate -> items_load (.jsonl) -> solve -> evaluate.
 * usage: test_suite_pb DATA_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fsutil.h"
#include "pb_answers.h"
#include "suite.h"

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *data = argv[1];
    const SuiteOps *ops = suite_find("planbench");
    CHECK(ops != NULL);
    if (!ops) return 1;
    CHECK(suite_has_split(ops, "mystery_blocksworld_3") && !suite_has_split(ops, "train"));
    Err err = {0};
    Suite *s;
    if (suite_open(ops, data, &s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    /* items and strata */
    const int want[5] = {500, 100, 500, 100, 200};
    const char *names[5] = {"blocksworld", "blocksworld_3", "mystery_blocksworld", "mystery_blocksworld_3", "logistics"};
    for (int k = 0; k < 5; k++) {
        SuiteItems *items;
        CHECK(suite_items_load(s, names[k], NULL, &items, &err) == IM_OK);
        if (!items) continue;
        CHECK_MSG(items->n == want[k], "%s: %d items", names[k], items->n);
        Buf st;
        buf_init(&st);
        suite_item_stratum(s, &items->item[0], &st);
        printf("%s: %d items, first stratum %s\n", names[k], items->n, st.data);
        CHECK(strstr(st.data, "variant=") && strstr(st.data, "objects=") && strstr(st.data, "optimal="));
        buf_free(&st);
        SuiteItem back;
        CHECK(suite_item_parse(s, items->item[3].fields_json, "store", 1, &back, &err) == IM_OK);
        CHECK(back.idx == items->item[3].idx && !strcmp(back.text, items->item[3].text));
        suite_item_free(s, &back);
        suite_items_free(s, items);
    }
    /* material, extract and evaluate on the authors' answers */
    SuiteItems *items;
    CHECK(suite_items_load(s, "blocksworld_3", NULL, &items, &err) == IM_OK);
    PbAnswers *a;
    char path[4096];
    snprintf(path, sizeof path, "%s/results/blocksworld_3/gpt-4_chat/task_1_plan_generation_zero_shot.json", data);
    CHECK(pb_answers_load(path, &a, &err) == IM_OK);
    int correct = 0;
    for (int i = 0; a && i < a->n; i++) {
        const SuiteItem *it = NULL;
        for (int j = 0; j < items->n; j++)
            if (items->item[j].idx == a->a[i].id) it = &items->item[j];
        CHECK(it != NULL);
        if (!it) continue;
        char *ans = NULL;
        SuiteEval e = {0};
        if (ops->extract(s, it, a->a[i].raw, &ans, &err) == IM_OK) suite_evaluate(s, it, ans, i + 1, &e);
        else suite_evaluate(s, it, NULL, i + 1, &e);
        correct += e.passed;
        suite_eval_free(s, &e);
        free(ans);
    }
    CHECK_MSG(correct == 59, "%d correct", correct);
    pb_answers_free(a);
    for (int i = 0; i < 2; i++) { /* instance 1 has no benchmark prompt (it is 2's example): ours */
        SuiteMaterial m = {0};
        CHECK(suite_material(s, &items->item[i], &m, &err) == IM_OK);
        CHECK(m.prompt && strstr(m.prompt, "[STATEMENT]") && m.task && strstr(m.task, "[STATEMENT]") && m.answer_format);
        CHECK(!m.prompt || strstr(m.prompt, "[PLAN END]"));
        suite_material_free(&m);
    }
    suite_items_free(s, items);
    /* the solver on two variants: valid, optimal; metrics */
    for (int k = 0; k < 2; k++) {
        const char *split = k ? "mystery_blocksworld_3" : "blocksworld_3";
        CHECK(suite_items_load(s, split, NULL, &items, &err) == IM_OK);
        SuiteEval *ev = calloc((size_t)items->n, sizeof *ev);
        for (int i = 0; i < items->n; i++) {
            SuiteSolution sol = {0};
            CHECK(suite_solve(s, &items->item[i], NULL, NULL, &sol, &err) == IM_OK);
            CHECK(sol.status == SUITE_SOLVED && sol.optimal && sol.log && strstr(sol.log, "after step 1 "));
            suite_evaluate(s, &items->item[i], sol.answer_json, i + 1, &ev[i]);
            CHECK(ev[i].passed);
            if (i < 3) { /* the programmatic teacher: error rate 1 leaves a step out; the Reflector names it and gives the plan */
                SuiteSolution t = {0}, r = {0};
                CHECK(suite_solve(s, &items->item[i], "teacher", "{\"error_rate\": 1, \"seed\": 7}", &t, &err) == IM_OK);
                SuiteEval te = {0};
                suite_evaluate(s, &items->item[i], t.answer_json, i + 1, &te);
                CHECK(t.status == SUITE_SOLVED && !te.passed && t.log && strstr(t.log, "initial state: "));
                suite_eval_free(s, &te);
                { /* the teacher writes states in the statement's words: its initial state is the statement's */
                    SuiteMaterial m = {0};
                    CHECK(suite_material(s, &items->item[i], &m, &err) == IM_OK && m.statement);
                    const char *pre = "As initial conditions I have that, ", *cut = m.statement ? strstr(m.statement, ".\n") : NULL;
                    CHECK(cut && !strncmp(m.statement, pre, strlen(pre)));
                    if (cut && t.log) {
                        Buf want;
                        buf_init(&want);
                        buf_printf(&want, "initial state: %.*s\n", (int)(cut - m.statement - strlen(pre)), m.statement + strlen(pre));
                        CHECK(!strncmp(t.log, want.data, want.len));
                        if (strncmp(t.log, want.data, want.len)) fprintf(stderr, "teacher trace: %.200s\nwanted: %s\n", t.log, want.data);
                        buf_free(&want);
                    }
                    CHECK(t.log && strstr(t.log, "after step 1 (") && !strstr(t.log, "(clear "));
                    suite_material_free(&m);
                }
                Buf o;
                buf_init(&o);
                buf_puts(&o, "{\"answer\": ");
                buf_json_str(&o, t.answer_json);
                buf_puts(&o, "}");
                CHECK(suite_solve(s, &items->item[i], "teacher-reflect", o.data, &r, &err) == IM_OK);
                CHECK(r.log && strstr(r.log, "The plan fails: ") && r.answer_json && !strcmp(r.answer_json, sol.answer_json));
                buf_free(&o);
                suite_solution_free(&t), suite_solution_free(&r);
                { /* "actions": "words": the trace's and the answer's actions in the benchmark's English; the
                     answer evaluates and reads back (extract) as the PDDL plan */
                    SuiteSolution w = {0};
                    CHECK(suite_solve(s, &items->item[i], "teacher", "{\"error_rate\": 0, \"actions\": \"words\"}", &w, &err) == IM_OK);
                    CHECK(w.answer_json && strstr(w.answer_json, k ? "object" : " block") && !strstr(w.answer_json, "(") && w.log &&
                          strstr(w.log, "after step 1 (") && strstr(w.log, k ? " object " : " the ") && !strstr(w.log, "(unstack a") &&
                          !strstr(w.log, "(pick-up"));
                    SuiteEval we = {0};
                    suite_evaluate(s, &items->item[i], w.answer_json, i + 1, &we);
                    CHECK(we.passed);
                    suite_eval_free(s, &we);
                    Buf txt;
                    buf_init(&txt);
                    buf_printf(&txt, "<think>\nstates\n</think>\n%s", w.answer_json ? w.answer_json : "");
                    char *back = NULL;
                    CHECK(ops->extract(s, &items->item[i], txt.data, &back, &err) == IM_OK && back && !strcmp(back, sol.answer_json));
                    free(back);
                    buf_reset(&txt); /* a step that is no action is not the answer form */
                    buf_puts(&txt, "<think>\nx\n</think>\n[\"fly the red block to the moon\"]");
                    back = NULL;
                    CHECK(ops->extract(s, &items->item[i], txt.data, &back, &err) != IM_OK || (back && strcmp(back, sol.answer_json)));
                    free(back);
                    buf_free(&txt);
                    CHECK(suite_solve(s, &items->item[i], "teacher", "{\"actions\": \"french\"}", &t, &err) == IM_USAGE);
                    suite_solution_free(&w);
                }
                /* the samples' answer form reads back as itself, through the suite's extract */
                Buf txt;
                buf_init(&txt);
                buf_printf(&txt, "<think>\nstates\n</think>\n%s", sol.answer_json);
                char *back = NULL;
                CHECK(ops->extract(s, &items->item[i], txt.data, &back, &err) == IM_OK && back && !strcmp(back, sol.answer_json));
                free(back);
                buf_free(&txt);
            }
            if (i == 0) { /* verdicts_load: passed from the stored verdicts alone */
                SuiteEval copy = {0};
                copy.delivered = 1;
                for (int v = 0; v < ev[i].n; v++) suite_eval_add(&copy, ev[i].v[v].family, ev[i].v[v].name, ev[i].v[v].value, ev[i].v[v].message);
                CHECK(ops->verdicts_load(s, &copy, &err) == IM_OK && copy.passed == 1);
                suite_eval_free(s, &copy);
            }
            suite_solution_free(&sol);
        }
        SuiteMetrics mt = {0};
        CHECK(suite_metrics(s, split, items->item, ev, items->n, &mt, &err) == IM_OK);
        CHECK(suite_metric_value(&mt, "accuracy") == 1.0 && suite_metric_value(&mt, "optimal_rate") == 1.0);
        Buf t;
        buf_init(&t);
        ops->metrics_json(&mt, &t);
        CHECK_MSG(strstr(t.data, "\"instances\": 100, \"judged\": 100, \"correct\": 100, \"accuracy\": 100.0") != NULL, "%s", t.data);
        buf_free(&t);
        int strata = 0;
        for (int r = 0; r < mt.n; r++) strata += mt.row[r].stratum[0] != 0;
        CHECK(strata >= 3);
        suite_metrics_free(s, &mt);
        for (int i = 0; i < items->n; i++) suite_eval_free(s, &ev[i]);
        free(ev);
        /* reward */
        SuiteReward r = {0};
        CHECK(suite_reward(s, &items->item[0], "nothing to see", NULL, &r, &err) == IM_OK && r.total == -1 && r.note);
        suite_reward_free(&r);
        suite_items_free(s, items);
    }
    /* generate -> items -> solve -> evaluate */
    Buf g;
    buf_init(&g);
    CHECK(suite_generate(s, "{\"variant\": \"blocksworld\", \"blocks\": 6}", 5, 3, &g, NULL, &err) == IM_OK);
    char tmp[] = "/tmp/pbsuiteXXXXXX";
    int fd = mkstemp(tmp);
    char gen[64];
    snprintf(gen, sizeof gen, "%s.jsonl", tmp);
    CHECK(fd >= 0 && fs_write_atomic(gen, g.data, g.len, &err) == IM_OK);
    CHECK(suite_items_load(s, NULL, gen, &items, &err) == IM_OK);
    CHECK(items && items->n == 3);
    for (int i = 0; items && i < items->n; i++) {
        SuiteSolution sol = {0};
        SuiteEval e = {0};
        CHECK(suite_solve(s, &items->item[i], NULL, NULL, &sol, &err) == IM_OK);
        suite_evaluate(s, &items->item[i], sol.answer_json, i + 1, &e);
        CHECK(e.passed && strstr(items->item[i].fields_json, "\"pddl\""));
        suite_eval_free(s, &e);
        suite_solution_free(&sol);
    }
    if (items) suite_items_free(s, items);
    unlink(gen), unlink(tmp);
    buf_free(&g);
    suite_close(s);
    if (!check_failures) printf("planbench suite: ok\n");
    return check_failures != 0;
}
