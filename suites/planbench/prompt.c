/* prompt.c: the benchmark's prompts for a problem (pb_prompt.h). Reads the
 * variant's one-shot prompt file once for its framing sentences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pb_text.h"
#include "fsutil.h"
#include "pb_answers.h"
#include "pb_prompt.h"
#include "pb_render.h"

typedef struct Fact {
    char *text;
    const char *pred;
    int args[PB_MAX_ARGS], nargs;
    const PbProblem *p;
} Fact;

static int fact_cmp(const void *a, const void *b) {
    const Fact *x = a, *y = b;
    int c = strcmp(x->pred, y->pred);
    if (c) return c;
    for (int i = 0; i < x->nargs && i < y->nargs; i++) {
        c = strcmp(x->p->objs[x->args[i]], y->p->objs[y->args[i]]);
        if (c) return c;
    }
    return x->nargs - y->nargs;
}

char *pb_render_facts(const PbVariant *v, const PbProblem *p, int goal) {
    const PbAtom *as = goal ? p->goal : p->init;
    int n = goal ? p->ngoal : p->ninit, k = 0;
    Fact *f = calloc((size_t)(n ? n : 1), sizeof *f);
    if (!f) abort();
    for (int i = 0; i < n; i++) {
        Buf b;
        buf_init(&b);
        if (!pb_render_atom(v, p, &as[i], &b)) {
            buf_free(&b);
            continue;
        }
        buf_putc(&b, 0);
        f[k].text = buf_take(&b);
        f[k].pred = v->dom->preds[as[i].pred];
        f[k].nargs = as[i].nargs;
        memcpy(f[k].args, as[i].args, sizeof f[k].args);
        f[k].p = p;
        k++;
    }
    if (!goal) qsort(f, (size_t)k, sizeof *f, fact_cmp);
    Buf o;
    buf_init(&o);
    buf_puts(&o, "");
    for (int i = 0; i < k; i++) {
        if (i) buf_puts(&o, i == k - 1 ? " and " : ", ");
        buf_puts(&o, f[i].text);
        free(f[i].text);
    }
    free(f);
    return buf_take(&o);
}

void pb_frame_free(PbFrame *f) {
    if (!f) return;
    free(f->init_prefix);
    free(f->goal_prefix);
    free(f->plan_intro);
    memset(f, 0, sizeof *f);
}

int pb_frame_load(PbVariant *v, PbFrame *f, Err *err) {
    memset(f, 0, sizeof *f);
    char path[4096];
    snprintf(path, sizeof path, "%s/prompts/%s/task_1_plan_generation.json", v->dir, v->name);
    /* the prompt file has the results layout: instances with instance_id and query */
    char *text;
    size_t len;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return err_prefix(err, "the framing of %s's prompts", v->name);
    /* the first instance's query and id */
    const char *q = strstr(text, "\"query\"");
    const char *idp = strstr(text, "\"instance_id\"");
    if (!q || !idp) {
        free(text);
        return err_set(err, IM_IO, "%s: no instance with a \"query\"", path);
    }
    int id = atoi(strchr(idp, ':') + 1);
    /* decode the query string through the answers reader's JSON decoding */
    Buf js;
    buf_init(&js);
    buf_printf(&js, "{\"instances\": [{\"instance_id\": %d, \"llm_raw_response\": ", id);
    const char *s = strchr(q + 7, '"');
    const char *e = s + 1;
    while (*e && *e != '"') e += (*e == '\\' && e[1]) ? 2 : 1;
    buf_append(&js, s, (size_t)(e - s + 1));
    buf_puts(&js, "}]}");
    free(text);
    PbAnswers *a;
    rc = pb_answers_parse(js.data, js.len, path, &a, err);
    buf_free(&js);
    if (rc) return rc;
    const char *query = a->a[0].raw;
    const char *last = NULL;
    for (const char *p = query; (p = strstr(p, "[STATEMENT]\n")) != NULL; p++) last = p;
    const PbProblem *prob;
    rc = last ? pb_variant_problem(v, id, &prob, err) : err_set(err, IM_IO, "%s: query without [STATEMENT]", path);
    if (!rc) {
        const char *l1 = last + strlen("[STATEMENT]\n");
        char *init = pb_render_facts(v, prob, 0), *goal = pb_render_facts(v, prob, 1);
        const char *i1 = strstr(l1, init);
        const char *g1 = i1 ? strstr(i1 + strlen(init), goal) : NULL;
        if (!i1 || !g1) {
            rc = err_set(err, IM_IO, "%s: instance %d's statement does not render as its PDDL problem (the facts differ)", path, id);
        } else {
            const char *after_init = i1 + strlen(init); /* ".\n" */
            const char *goal_line = strchr(after_init, '\n') + 1;
            f->init_prefix = pb_dupn(l1, (size_t)(i1 - l1));
            f->goal_prefix = pb_dupn(goal_line, (size_t)(g1 - goal_line));
            const char *after_goal = g1 + strlen(goal);
            while (*after_goal == '.' || *after_goal == '\n') after_goal++;
            f->plan_intro = pb_dupn(after_goal, strlen(after_goal));
        }
        free(init);
        free(goal);
    }
    pb_answers_free(a);
    if (rc) pb_frame_free(f);
    return rc;
}

char *pb_render_statement(const PbVariant *v, const PbFrame *f, const PbProblem *p) {
    char *init = pb_render_facts(v, p, 0), *goal = pb_render_facts(v, p, 1);
    Buf b;
    buf_init(&b);
    buf_printf(&b, "[STATEMENT]\n%s%s.\n%s%s.\n\n", f->init_prefix, init, f->goal_prefix, goal);
    free(init);
    free(goal);
    return buf_take(&b);
}

const char *pb_prompt_intro(const PbVariant *v) {
    const char *z = pb_yaml_str(v->cfg, "domain_intro_zero_shot");
    const char *d = z ? z : pb_yaml_str(v->cfg, "domain_intro");
    return d ? d : "";
}

char *pb_prompt_one_shot(const PbVariant *v, const PbFrame *f, const PbProblem *ex, char *const *ex_plan, int ex_n, const PbProblem *p) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, pb_prompt_intro(v));
    buf_putc(&b, '\n');
    char *s = pb_render_statement(v, f, ex);
    buf_puts(&b, s);
    free(s);
    buf_puts(&b, f->plan_intro);
    buf_putc(&b, '\n');
    char *plan = pb_render_plan(v, ex_plan, ex_n);
    buf_puts(&b, plan);
    free(plan);
    buf_putc(&b, '\n');
    s = pb_render_statement(v, f, p);
    buf_puts(&b, s);
    free(s);
    buf_puts(&b, f->plan_intro);
    return buf_take(&b);
}

char *pb_prompt_zero_shot(const PbVariant *v, const PbFrame *f, const PbProblem *p) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, pb_prompt_intro(v));
    buf_putc(&b, '\n');
    char *s = pb_render_statement(v, f, p);
    buf_puts(&b, s);
    free(s);
    /* our own words (the authors' zero-shot request is not part of the data package) */
    buf_puts(&b, "Write the plan that reaches my goal: the actions only, one per line, in the order they are done.");
    return buf_take(&b);
}
