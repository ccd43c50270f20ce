/* test_gen.c: prompts and generated problems.
 *   - our rendering of every problem statement equals the benchmark's own
 *     one-shot prompts (the example and the question of every instance of
 *     every variant), and the prompt opens with the config's domain text;
 *   - Blocksworld states are drawn uniformly: counts 1, 3, 13, 73, 501, 4051
 *     states of 1..6 blocks, and a chi-square test over 13 and 73 states;
 *   - generated problems parse, are solvable by the planner, are distinct,
 *     and none equals a benchmark instance (deduplication).
 * Usage: test_gen DATA_DIR */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "fsutil.h"
#include "pb_answers.h"
#include "pb_gen.h"
#include "pb_optlen.h"
#include "pb_plan.h"
#include "pb_prompt.h"

static void prompts(const char *data) {
    for (const char *const *name = pb_variant_names; *name; name++) {
        Err err = {0};
        PbVariant *v;
        PbFrame f;
        if (pb_variant_open(data, *name, &v, &err) || pb_frame_load(v, &f, &err)) {
            CHECK_MSG(0, "%s", err.msg);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/prompts/%s/task_1_plan_generation.json", data, *name);
        /* the prompt file read as an answer file: "query" is not read, so load the text ourselves */
        char *text;
        size_t len;
        CHECK(fs_read_file(path, &text, &len, &err) == IM_OK);
        int n = 0, ok = 0;
        for (const char *p = text; (p = strstr(p, "\"instance_id\": ")) != NULL; p++) {
            int id = atoi(p + 15);
            const char *ex = strstr(p, "\"example_instance_ids\": [");
            int exid = ex ? atoi(ex + 25) : 0;
            const char *q = strstr(p, "\"query\": \"");
            if (!q) break;
            /* decode the query through the answers reader */
            const char *e = q + 10;
            while (*e && *e != '"') e += (*e == '\\' && e[1]) ? 2 : 1;
            Buf js;
            buf_init(&js);
            buf_printf(&js, "{\"instances\": [{\"instance_id\": %d, \"llm_raw_response\": \"", id);
            buf_append(&js, q + 10, (size_t)(e - q - 10));
            buf_puts(&js, "\"}]}");
            PbAnswers *a;
            if (pb_answers_parse(js.data, js.len, path, &a, &err)) {
                buf_free(&js);
                CHECK_MSG(0, "%s", err.msg);
                break;
            }
            buf_free(&js);
            const char *query = a->a[0].raw;
            const PbProblem *pp, *pe;
            n++;
            if (!pb_variant_problem(v, id, &pp, &err) && !pb_variant_problem(v, exid, &pe, &err)) {
                char *st = pb_render_statement(v, &f, pp), *se = pb_render_statement(v, &f, pe);
                Buf tail, head;
                buf_init(&tail), buf_init(&head);
                buf_printf(&tail, "%s%s", st, f.plan_intro);
                buf_printf(&head, "%s\n%s%s", pb_prompt_intro(v), se, f.plan_intro);
                size_t ql = strlen(query);
                int end_ok = ql >= tail.len && !strcmp(query + ql - tail.len, tail.data);
                int head_ok = !strncmp(query, head.data, head.len);
                if (end_ok && head_ok) ok++;
                else if (n - ok <= 2) {
                    const char *ours = end_ok ? head.data : tail.data, *theirs = end_ok ? query : query + (ql > tail.len ? ql - tail.len : 0);
                    size_t at = 0;
                    while (ours[at] && ours[at] == theirs[at]) at++;
                    fprintf(stderr, "%s instance %d: the %s differs at byte %zu:\n--- ours\n%.80s\n--- theirs\n%.80s\n", *name, id,
                            end_ok ? "example" : "question", at, ours + at, theirs + at);
                }
                free(st), free(se), buf_free(&tail), buf_free(&head);
            }
            pb_answers_free(a);
            p = e;
        }
        free(text);
        printf("%s: %d of %d prompts rendered exactly\n", *name, ok, n);
        CHECK(n > 0 && ok == n);
        pb_frame_free(&f);
        pb_variant_close(v);
    }
}

static int state_index(const int *below, int n) { /* a number per state: base n+1 digits */
    int x = 0;
    for (int i = 0; i < n; i++) x = x * (n + 1) + below[i] + 1;
    return x;
}

static void uniform(void) {
    const double want[] = {1, 1, 3, 13, 73, 501, 4051};
    for (int n = 1; n <= 6; n++) CHECK_MSG(pb_bw_state_count(n) == want[n], "n=%d: %g", n, pb_bw_state_count(n));
    for (int n = 3; n <= 4; n++) {
        int size = 1;
        for (int i = 0; i < n; i++) size *= n + 1;
        int *count = calloc((size_t)size, sizeof(int)), below[8];
        uint64_t rng = 42;
        int draws = 200 * (int)pb_bw_state_count(n);
        for (int d = 0; d < draws; d++) {
            pb_bw_random_state(n, &rng, below);
            /* a valid state: no cycles, at most one block on another */
            for (int i = 0; i < n; i++) {
                int steps = 0;
                for (int j = i; j >= 0 && steps <= n; j = below[j]) steps++;
                CHECK(steps <= n);
                for (int j = 0; j < n; j++)
                    if (j != i && below[i] >= 0) CHECK(below[j] != below[i]);
            }
            count[state_index(below, n)]++;
        }
        int distinct = 0;
        double chi = 0, expect = draws / pb_bw_state_count(n);
        for (int i = 0; i < size; i++)
            if (count[i]) distinct++, chi += (count[i] - expect) * (count[i] - expect) / expect;
        /* 99.9 % quantiles of chi-square with 12 and 72 degrees of freedom: 32.9 and 116.3 */
        CHECK_MSG(distinct == (int)pb_bw_state_count(n), "n=%d: %d distinct states", n, distinct);
        CHECK_MSG(chi < (n == 3 ? 32.9 : 116.3), "n=%d: chi-square %.1f", n, chi);
        printf("uniform n=%d: %d states, chi-square %.1f\n", n, distinct, chi);
        free(count);
    }
}

static void generate(const char *data) {
    const char *names[] = {"blocksworld", "mystery_blocksworld", "logistics"};
    for (int k = 0; k < 3; k++) {
        Err err = {0};
        PbVariant *v;
        if (pb_variant_open(data, names[k], &v, &err)) {
            CHECK_MSG(0, "%s", err.msg);
            continue;
        }
        PbKeySet keys = {0};
        CHECK(pb_benchmark_keys(v, &keys, &err) == IM_OK);
        int bench = keys.n;
        PbGenOpts o = {3, 2, 2, 0, 1, 2, 7};
        uint64_t rng = 7;
        int made = 0, dup = 0;
        for (int i = 0; i < 400 && made < 20; i++) {
            char *pddl;
            CHECK(pb_gen_problem(v, &o, &rng, i, &pddl, &err) == IM_OK);
            PbProblem *p;
            if (pb_problem_parse(v->dom, pddl, "generated", &p, &err)) {
                CHECK_MSG(0, "%s\n%s", err.msg, pddl);
                free(pddl);
                break;
            }
            char *key = pb_problem_key(v->dom, p);
            if (pb_keyset_has(&keys, key)) {
                dup++;
                free(key);
            } else {
                pb_keyset_add(&keys, key);
                PbSolution s;
                CHECK(pb_solve(v->dom, p, NULL, &s, &err) == IM_OK && s.found && s.optimal);
                pb_solution_free(&s);
                made++;
            }
            pb_problem_free(p);
            free(pddl);
        }
        printf("%s: %d benchmark problems, %d generated, %d duplicates rejected\n", names[k], bench, made, dup);
        CHECK(bench >= 100 && made == 20);
        if (k < 2) CHECK(dup > 0); /* 3-block problems: the benchmark already holds many */
        pb_keyset_free(&keys);
        pb_variant_close(v);
    }
}

/* The built-in optimal lengths (pb_optlen.h) against the planner. */
static void optimal_table(const char *data) {
    const char *names[] = {"blocksworld", "blocksworld_3", "mystery_blocksworld", "mystery_blocksworld_3", "logistics"};
    for (int k = 0; k < 5; k++) {
        Err err = {0};
        PbVariant *v;
        if (pb_variant_open(data, names[k], &v, &err)) continue;
        int last = k == 4 ? 30 : v->end, same = 0, n = 0;
        for (int id = v->start; id <= last; id++) {
            const PbProblem *p;
            PbSolution s;
            if (pb_variant_problem(v, id, &p, &err) || pb_solve(v->dom, p, NULL, &s, &err)) continue;
            n++;
            same += (s.optimal ? s.nsteps : -1) == pb_optimal_length(names[k], id);
            pb_solution_free(&s);
        }
        CHECK_MSG(same == n && n > 0, "%s: %d of %d lengths agree", names[k], same, n);
        pb_variant_close(v);
    }
    CHECK(pb_optimal_length("blocksworld", 0) == -1 && pb_optimal_length("nope", 1) == -1);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    uniform();
    prompts(argv[1]);
    generate(argv[1]);
    optimal_table(argv[1]);
    return check_failures != 0;
}
