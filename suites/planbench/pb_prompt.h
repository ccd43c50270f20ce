/* pb_prompt.h: the benchmark's prompts for a problem.
 *
 * A problem statement renders its initial facts and goal through the
 * variant's `predicates` templates, facts ordered by predicate name then
 * arguments, joined "x, y and z" (the order of the benchmark's own
 * prompts; tests/planbench checks it against every one-shot prompt). The
 * framing sentences are read at run time from the variant's one-shot prompt
 * file (prompts/VARIANT/task_1_plan_generation.json), never written here.
 * One-shot: the domain text, one solved example, then the problem, ending
 * with the plan marker, like prompts/. Zero-shot: the domain text and the
 * problem, closed by our own request for the plan. The domain text is the
 * config's domain_intro_zero_shot when it has one (Logistics: the
 * benchmark's own one-shot prompts use it too), else domain_intro.
 * Returned strings are malloc'd. */
#ifndef IMAGINE_PB_PROMPT_H
#define IMAGINE_PB_PROMPT_H

#include "pb_variant.h"

typedef struct PbFrame {
    char *init_prefix;  /* "As initial conditions I have that, " */
    char *goal_prefix;  /* "My goal is to have that " */
    char *plan_intro;   /* "My plan is as follows:\n\n[PLAN]" */
} PbFrame;

/* Reads the framing from DATA/prompts/VARIANT/task_1_plan_generation.json. */
int pb_frame_load(PbVariant *v, PbFrame *f, Err *err);
void pb_frame_free(PbFrame *f);
/* "the red block is clear, ... and the yellow block is on the table" */
char *pb_render_facts(const PbVariant *v, const PbProblem *p, int goal);
/* "[STATEMENT]\n<init>.\n<goal>.\n\n" (without the plan intro). */
char *pb_render_statement(const PbVariant *v, const PbFrame *f, const PbProblem *p);
/* One-shot prompt: example problem ex solved by ex_plan (PDDL lines). */
char *pb_prompt_one_shot(const PbVariant *v, const PbFrame *f, const PbProblem *ex, char *const *ex_plan, int ex_n, const PbProblem *p);
/* The domain text both prompts open with. */
const char *pb_prompt_intro(const PbVariant *v);
char *pb_prompt_zero_shot(const PbVariant *v, const PbFrame *f, const PbProblem *p);

#endif
