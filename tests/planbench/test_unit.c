/* test_unit.c: the PlanBench library's rules on small, hand-made inputs:
 * VAL semantics of the validator (reasons name the step and the unmet
 * precondition; delete before add; empty plans; extra arguments), the
 * authors' extraction quirks (three rule extractors, Logistics numbering
 * and the cases where their code raises, stored translations), and the
 * config reader. Usage: test_unit DATA_DIR */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "buf.h"
#include "think.h"
#include "pb_answers.h"
#include "pb_metrics.h"
#include "pb_val.h"
#include "pb_variant.h"
#include "pb_yaml.h"

static const char *DOM =
    "(define (domain toy) (:requirements :strips)\n"
    " (:predicates (at ?x) (free) (flag ?x))\n"
    " (:action go :parameters (?a ?b) :precondition (and (at ?a) (free))\n"
    "   :effect (and (not (at ?a)) (at ?b)))\n"
    " (:action mark :parameters (?a) :precondition (at ?a) :effect (and (flag ?a))))\n";
static const char *PROB =
    "(define (problem p1) (:domain toy) (:objects l1 l2 l3)\n"
    " (:init (at l1) (free)) (:goal (and (at l3))))\n";

static void validator(void) {
    Err err = {0};
    PbDomain *d;
    PbProblem *p;
    CHECK(pb_domain_parse(DOM, "toy.pddl", &d, &err) == IM_OK);
    CHECK(pb_problem_parse(d, PROB, "p1.pddl", &p, &err) == IM_OK);
    PbVerdict v;
    pb_validate(d, p, "(go l1 l2)\n(go l2 l3)\n", &v);
    CHECK_MSG(v.valid == 1 && v.nsteps == 2, "%s", v.reason);
    pb_validate(d, p, "(go l1 l2)\n(go l1 l3)\n", &v);
    CHECK_MSG(v.valid == 0 && v.step == 2 && strstr(v.reason, "step 2 (go l1 l3)") && strstr(v.reason, "(at l1)"), "%s", v.reason);
    pb_validate(d, p, "", &v);
    CHECK_MSG(v.valid == 0 && strstr(v.reason, "empty plan") && strstr(v.reason, "(at l3)"), "%s", v.reason);
    pb_validate(d, p, "(go l1 l1)\n(go l1 l3)", &v); /* delete then add: (at l1) survives a self-move */
    CHECK_MSG(v.valid == 1, "%s", v.reason);
    pb_validate(d, p, "(fly l1 l3)", &v);
    CHECK(v.valid == 0 && strstr(v.reason, "unknown action 'fly'"));
    pb_validate(d, p, "(go l1)", &v);
    CHECK(v.valid == 0 && strstr(v.reason, "takes 2 arguments, got 1"));
    pb_validate(d, p, "(go l1 l3 junk)", &v); /* VAL ignores extra arguments */
    CHECK_MSG(v.valid == 1, "%s", v.reason);
    pb_validate(d, p, "(go l1 l9)", &v);
    CHECK(v.valid == 0 && strstr(v.reason, "unknown object 'l9'"));
    pb_validate(d, p, "(go l1 l2) (go l2 l3 (x)", &v);
    CHECK(v.valid == 0 && v.step == 2);
    pb_validate(d, p, "0: (GO L1 L3) [1]\n; done\n", &v);
    CHECK_MSG(v.valid == 1, "%s", v.reason);
    pb_validate(d, p, "(go l1 l3)\n(go l3 l2)", &v); /* the goal must hold at the end */
    CHECK(v.valid == 0 && strstr(v.reason, "after the last step (2)"));
    const char *goal_now = "(define (problem p2) (:domain toy) (:objects l1) (:init (at l1) (free)) (:goal (at l1)))";
    PbProblem *p2;
    CHECK(pb_problem_parse(d, goal_now, "p2.pddl", &p2, &err) == IM_OK);
    pb_validate(d, p2, "", &v);
    CHECK(v.valid == 1);
    pb_problem_free(p2);
    /* the simulator exposes the state after each step */
    PbSim s;
    pb_sim_init(&s, d, p);
    PbStep st = {0, 2, {0, 1}};
    char why[200];
    CHECK(pb_sim_apply(&s, &st, why, sizeof why) == 1);
    Buf b;
    buf_init(&b);
    pb_sim_state_str(&s, &b);
    CHECK_MSG(!strcmp(b.data, "(at l2) (free)"), "%s", b.data);
    buf_free(&b);
    pb_sim_free(&s);
    /* errors name the file and line */
    PbDomain *bad;
    CHECK(pb_domain_parse("(define (domain x)\n(:action a :parameters (?x) :precondition (not (p ?x))))", "bad.pddl", &bad, &err) != IM_OK);
    CHECK_MSG(strstr(err.msg, "bad.pddl:2") != NULL, "%s", err.msg);
    CHECK(pb_problem_parse(d, "(define (problem q) (:domain toy) (:objects a)\n(:init (at b)) (:goal (at a)))", "q.pddl", &p2, &err) == IM_IO);
    CHECK_MSG(strstr(err.msg, "q.pddl:2: unknown object 'b'") != NULL, "%s", err.msg);
    pb_problem_free(p2);
    pb_problem_free(p);
    pb_domain_free(d);
}

static char *ex(PbVariant *v, PbDialect d, const char *text, const char *tr, int *ok) {
    PbExtracted x;
    pb_extract(&v->x, d, text, tr, &x);
    *ok = x.ok;
    char *r = strdup(x.ok ? x.text : x.why);
    pb_extracted_free(&x);
    return r;
}

static void extraction(const char *data) {
    Err err = {0};
    PbVariant *bw, *my, *lg;
    CHECK(pb_variant_open(data, "blocksworld", &bw, &err) == IM_OK);
    CHECK(pb_variant_open(data, "mystery_blocksworld", &my, &err) == IM_OK);
    CHECK(pb_variant_open(data, "logistics", &lg, &err) == IM_OK);
    if (!bw || !my || !lg) return;
    int ok;
    char *r;
    const char *md = "Plan:\n1. **Unstack the Red block from on top of the blue block.**\nput down the red block\n"
                     "stack the red block on top of the red block\n[PLAN]\npick up the yellow block\n[PLAN END]\nthen stack the yellow block onto the orange block";
    r = ex(bw, PB_X_PLANBENCH, md, NULL, &ok);
    /* '**unstack' is not a whole token; one object named twice is one object */
    CHECK_MSG(ok && !strcmp(r, "(put-down a)\n(pick-up d)\n(stack d c)\n"), "%s", r);
    free(r);
    r = ex(bw, PB_X_PLANBENCH_MD, md, NULL, &ok);
    CHECK_MSG(ok && !strcmp(r, "(unstack a b)\n(put-down a)\n(pick-up d)\n(stack d c)\n"), "%s", r);
    free(r);
    r = ex(bw, PB_X_ANALYSIS, md, NULL, &ok); /* only between [PLAN] and [PLAN END] */
    CHECK_MSG(ok && !strcmp(r, "(pick-up d)\n"), "%s", r);
    free(r);
    r = ex(my, PB_X_PLANBENCH, "1. Feast object b from object a\n2. attack object c.\n", NULL, &ok);
    CHECK_MSG(ok && !strcmp(r, "(feast b a)\n(attack c)\n"), "%s", r);
    free(r);
    /* Logistics: numbering, object naming, the vehicle from the object's letters, the drive's city */
    r = ex(lg, PB_X_ANALYSIS, "1. load package_0 into truck_1 at location_1_0.\n12. drive truck_1 from location_1_0 to location_1_2\nfly airplane_0 from location_1_0 to location_0_0\nNote: done\n", NULL, &ok);
    CHECK_MSG(ok && !strcmp(r, "(load-truck p0 t1 l1-0)\n(drive-truck t1 l1-0 l1-2 c1)\n(fly-airplane a0 l1-0 l0-0)\n"), "%s", r);
    free(r);
    r = ex(lg, PB_X_ANALYSIS, "load package_0 into truck_1 at location_1_0\n7\n", NULL, &ok);
    CHECK_MSG(!ok && strstr(r, "IndexError"), "%s", r); /* a lone digit: their code raises */
    free(r);
    r = ex(lg, PB_X_ANALYSIS, "drive the truck from location_1_0 to location_1_2\n", NULL, &ok);
    CHECK_MSG(!ok && strstr(r, "ValueError"), "%s", r);
    free(r);
    /* stored translations */
    r = ex(bw, PB_X_ANALYSIS, "whatever", "[PDDL PLAN]\n(Unstack Red Blue)\n(pickup yellow)\n(put-down 2 orange.)\n[PDDL PLAN END]", &ok);
    CHECK_MSG(ok && !strcmp(r, "(unstack a b)\n(pick-up d)\n(put-down c)"), "%s", r);
    free(r);
    r = ex(my, PB_X_ANALYSIS, "whatever", "1. (feast object_a object_b)\n(succumb a)\nno plan possible", &ok);
    CHECK_MSG(ok && !strcmp(r, "(feast a b)\n(succumb a)\n(no plan possible)"), "%s", r);
    free(r);
    r = ex(my, PB_X_ANALYSIS | PB_X_TR_EARLY, "whatever", "( feast a b ) \n  (attack c)\n(o1 x)", &ok);
    CHECK_MSG(ok && !strcmp(r, "( feast a b ) \n(o1 x)"), "%s", r);
    free(r);
    pb_variant_close(bw);
    pb_variant_close(my);
    pb_variant_close(lg);
}

static void answers(void) {
    const char *js = "{\"instances\": [{\"instance_id\": 3, \"llm_raw_response\": \"x\", \"extracted_llm_plan\": \"['(pick-up a)', \\\"(stack a b)\\\"]\", \"correct\": \"True\"},"
                     "{\"instance_id\": 4, \"llm_raw_response\": \"\", \"llm_correct\": false},"
                     "{\"instance_id\": 5, \"extracted_llm_plan\": [\"(pick-up b)\"]}]}";
    PbAnswers *s;
    Err err = {0};
    CHECK(pb_answers_parse(js, strlen(js), "a.json", &s, &err) == IM_OK);
    if (!s) return;
    CHECK(s->n == 3);
    CHECK(s->a[0].verdict == 1 && s->a[0].nstored == 2 && !strcmp(s->a[0].stored_steps[1], "(stack a b)") && !s->a[0].stored_is_text);
    CHECK(s->a[1].verdict == 0 && s->a[1].raw && !*s->a[1].raw);
    CHECK(s->a[2].verdict == -1 && s->a[2].nstored == 1 && !s->a[2].raw);
    pb_answers_free(s);
    const char *noid = "{\"instances\": [{\"llm_raw_response\": \"x\"}]}";
    CHECK(pb_answers_parse(noid, strlen(noid), "b.json", &s, &err) == IM_IO);
    CHECK_MSG(strstr(err.msg, "b.json: instances[0]") != NULL, "%s", err.msg);
}

static void yaml(void) {
    const char *y = "name: blocks # comment\nintro: |\n   line one\n\n   line two\n\n# c\nmap:\n  {a: \"x {} y\",\n   \"on\": 'z'}\nlist:\n- one\n- two\n";
    PbYaml *p;
    Err err = {0};
    CHECK(pb_yaml_parse(y, "t.yaml", &p, &err) == IM_OK);
    if (!p) return;
    CHECK(!strcmp(pb_yaml_str(p, "name"), "blocks"));
    CHECK_MSG(!strcmp(pb_yaml_str(p, "intro"), "line one\n\nline two\n"), "[%s]", pb_yaml_str(p, "intro"));
    CHECK(!strcmp(pb_yaml_map_get(p, "map", "a"), "x {} y") && !strcmp(pb_yaml_map_get(p, "map", "on"), "z"));
    const PbYamlEntry *l = pb_yaml_get(p, "list");
    CHECK(l && l->kind == PB_Y_LIST && l->nkv == 2 && !strcmp(l->kv[1].val, "two"));
    pb_yaml_free(p);
}

static void metrics_reward(const char *data) {
    double lo, hi;
    pb_wilson(242, 500, &lo, &hi);
    CHECK(fabs(lo - 0.4404854432314528) < 1e-12 && fabs(hi - 0.527758535663317) < 1e-12);
    pb_wilson(0, 14, &lo, &hi);
    CHECK(fabs(lo) < 1e-12 && fabs(hi - 0.2153108027376358) < 1e-12);
    /* strata: variant x objects x optimal length; share of correct plans that are optimal */
    PbItem it[4];
    memset(it, 0, sizeof it);
    it[0].correct = 1, it[0].nsteps = 2;
    it[1].correct = 1, it[1].nsteps = 4;
    it[2].correct = 0;
    it[3].correct = -1;
    int objects[4] = {3, 3, 3, 4}, opt[4] = {2, 2, 2, 6};
    PbMetrics m;
    pb_metrics_compute("blocksworld", it, 4, objects, opt, &m);
    CHECK(m.n == 4 && m.judged == 3 && m.correct == 2 && m.nst == 2 && m.correct_optimal == 1 && m.correct_known == 2);
    CHECK(m.st[0].objects == 3 && m.st[0].opt_len == 2 && m.st[0].judged == 3 && m.st[1].judged == 0);
    pb_metrics_free(&m);
    /* reward: format (think.h's split, as TravelPlanner's), validity, reflection; configuration */
    Err err = {0};
    PbVariant *v;
    if (pb_variant_open(data, "blocksworld", &v, &err)) {
        CHECK_MSG(0, "%s", err.msg);
        return;
    }
    const PbProblem *p;
    CHECK(pb_variant_problem(v, 1, &p, &err) == IM_OK); /* goal (on c b); b is on c */
    PbRewardCfg c;
    pb_reward_cfg_default(&c);
    PbReward r;
    const char *good = "unstack the blue block from on top of the orange block\nput down the blue block\npick up the orange block\nstack the orange block on top of the blue block\n";
    Buf b;
    buf_init(&b);
    buf_printf(&b, "<think>\nThe blue block is on the orange one.\n</think>\n%s", good);
    pb_reward(v, p, b.data, 4, &c, &r);
    CHECK_MSG(r.format_ok && r.is_valid && r.reward == 0.5, "%g %s", r.reward, r.reason); /* 1 valid - 0.5 no reflection */
    buf_reset(&b);
    think_flatten(&b, "The blue block is on the orange one.", "None found.", good);
    pb_reward(v, p, b.data, 4, &c, &r);
    CHECK(r.reward == 1.5 && r.has_reflection);
    /* the suite's own JSON form after </think> */
    pb_reward(v, p, "<think>x</think>[\"(unstack b c)\", \"(put-down b)\", \"(pick-up c)\", \"(stack c b)\"]", 4, &c, &r);
    CHECK_MSG(r.format_ok && r.is_valid && r.nsteps == 4 && r.reward == 0.5, "%g %s", r.reward, r.reason);
    pb_reward(v, p, "<think>x</think>pick up the orange block\n", 4, &c, &r);
    CHECK(r.format_ok && !r.is_valid && r.reward == -0.5);
    pb_reward(v, p, "<think>x</think>I cannot solve this.", 4, &c, &r);
    CHECK(!r.format_ok && r.reward == -1 && r.format_error[0]);
    pb_reward(v, p, good, 4, &c, &r); /* no </think>: a format failure, whatever follows */
    CHECK(!r.format_ok && r.reward == -1 && strstr(r.format_error, "<think>"));
    pb_reward(v, p, "The blue block is on the orange one.</think>\nunstack the blue block from on top of the orange block\n", 4, &c, &r);
    CHECK(!r.format_ok && r.reward == -1); /* <think> is required unless think_open_optional */
    CHECK(pb_reward_cfg_parse("{\"think_open_optional\": true}", &c, &err) == IM_OK);
    pb_reward(v, p, "The blue block is on the orange one.</think>\nunstack the blue block from on top of the orange block\n", 4, &c, &r);
    CHECK(r.format_ok && !r.is_valid && r.reward == -0.5);
    CHECK(pb_reward_cfg_parse("{\"optimal_weight\": 1, \"reflection_pattern\": \"WAIT\"}", &c, &err) == IM_OK);
    buf_reset(&b);
    buf_printf(&b, "<think>WAIT, check.</think>%s", good);
    pb_reward(v, p, b.data, 4, &c, &r);
    CHECK(r.reward == 2.5); /* valid + optimal + reflection */
    buf_free(&b);
    CHECK(pb_reward_cfg_parse("{\"bonus\": 1}", &c, &err) == IM_USAGE && strstr(err.msg, "\"bonus\""));
    pb_variant_close(v);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    validator();
    extraction(argv[1]);
    answers();
    yaml();
    metrics_reward(argv[1]);
    if (!check_failures) printf("planbench unit: ok\n");
    return check_failures != 0;
}
