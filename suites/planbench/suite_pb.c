/* suite_pb.c: PlanBench behind the suite interface (suites/suite.h).
 *
 * Glue only: the rules live in this folder's modules (extract.c, val.c,
 * plan.c, gen.c, prompt.c, metrics.c). Splits are the five variants. An
 * item is one instance: fields_json {"variant", "instance_id"} for the
 * benchmark's (their problems are read when the suite opens), plus
 * "pddl", "optimal_length" and "query" for generated ones. An answer is the
 * JSON array of the plan's PDDL actions, lower-case. Verdicts: family
 * "plan", names "valid_plan" (VAL semantics) and "optimal" (as short as
 * the proven optimum; null when the plan is invalid or the optimum
 * unknown). Strata: variant x objects x optimal plan length. The opened
 * state holds every variant, its problems, its prompts' framing and the
 * benchmark's one-shot prompts, and is read-only afterwards. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pb_answers.h"
#include "pb_data.h"
#include "pb_evalfile.h"
#include "pb_gen.h"
#include "pb_metrics.h"
#include "pb_optlen.h"
#include "pb_plan.h"
#include "pb_prompt.h"
#include "pb_render.h"
#include "pyfmt.h"
#include "suite.h"

#define NV 5

typedef struct PbState {
    PbVariant *v[NV];
    PbFrame frame[NV];
    char **prompt[NV]; /* one-shot query by instance id (index id), or NULL */
    int nprompt[NV];
} PbState;

typedef struct PbNative {
    int vi;              /* variant index */
    int id;
    PbProblem *own;      /* a generated problem (owned), else NULL */
    const PbProblem *p;
    int opt_len;         /* -1 unknown */
    int nobjs;           /* -1 unknown */
    char *query;         /* a generated item's prompt, or NULL */
} PbNative;

static const PbState *st(const Suite *s) { return s->state; }

static int pb_open(const char *data_dir, void **state, Err *err);

/* The harness may open a suite without its data to read items only
 * (suite_open with no folder, then data_dir set): PlanBench items need the
 * variants' problems, so they are loaded from data_dir on first use. This
 * happens before any worker thread starts. */
static int ensure_state(const Suite *s, Err *err) {
    if (s->state) return IM_OK;
    if (!s->data_dir || !*s->data_dir) return err_set(err, IM_USAGE, "PlanBench: no data folder (pass --data DIR or set $IMAGINE_PLANBENCH_DATA)");
    return pb_open(s->data_dir, &((Suite *)s)->state, err);
}

static int variant_index(const char *name) {
    for (int i = 0; i < NV; i++)
        if (name && !strcmp(name, pb_variant_names[i])) return i;
    return -1;
}

/* ---- data ------------------------------------------------------------------ */

static void pb_close(void *state) {
    PbState *S = state;
    if (!S) return;
    for (int i = 0; i < NV; i++) {
        for (int k = 0; k < S->nprompt[i]; k++) free(S->prompt[i][k]);
        free(S->prompt[i]);
        pb_frame_free(&S->frame[i]);
        pb_variant_close(S->v[i]);
    }
    free(S);
}

/* The benchmark's one-shot prompts of a variant, by instance id. */
static int load_prompts(PbState *S, int i, Err *err) {
    PbVariant *v = S->v[i];
    char path[4096];
    snprintf(path, sizeof path, "%s/prompts/%s/task_1_plan_generation.json", v->dir, v->name);
    char *text;
    size_t len;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return rc;
    /* the prompts file has the answers layout with "query" in place of the response */
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(root, "instances");
    if (!cJSON_IsArray(inst)) {
        cJSON_Delete(root);
        return err_set(err, IM_IO, "%s: no \"instances\" list", path);
    }
    int maxid = 0;
    for (const cJSON *o = inst->child; o; o = o->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "instance_id");
        if (cJSON_IsNumber(id) && id->valueint > maxid) maxid = id->valueint;
    }
    S->prompt[i] = calloc((size_t)maxid + 1, sizeof(char *));
    if (!S->prompt[i]) abort();
    S->nprompt[i] = maxid + 1;
    for (const cJSON *o = inst->child; o; o = o->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "instance_id"), *q = cJSON_GetObjectItemCaseSensitive(o, "query");
        if (cJSON_IsNumber(id) && id->valueint >= 0 && cJSON_IsString(q)) S->prompt[i][id->valueint] = strdup(q->valuestring);
    }
    cJSON_Delete(root);
    return IM_OK;
}

static int pb_open(const char *data_dir, void **state, Err *err) {
    *state = NULL;
    PbState *S = calloc(1, sizeof *S);
    if (!S) return err_set(err, IM_IO, "out of memory");
    int rc = IM_OK;
    for (int i = 0; i < NV && !rc; i++) {
        rc = pb_variant_open(data_dir, pb_variant_names[i], &S->v[i], err);
        /* start..end and end + 1, the last instance of the authors' one-shot
         * files (they hold start+1..end+1: each instance's example is the one
         * before), all loaded here: later readers never grow v->probs */
        for (int id = rc ? 1 : S->v[i]->start; !rc && id <= S->v[i]->end + 1; id++) {
            const PbProblem *p;
            rc = pb_variant_problem(S->v[i], id, &p, err);
        }
        if (!rc) rc = pb_frame_load(S->v[i], &S->frame[i], err);
        if (!rc) rc = load_prompts(S, i, err);
    }
    if (rc) {
        pb_close(S);
        return rc;
    }
    *state = S;
    return IM_OK;
}

static int pb_data_check(const char *data_dir, Buf *report, Err *err) {
    PbDataCheck c;
    int rc = pb_data_verify(data_dir, &c, err);
    if (rc == IM_IO) return rc;
    if (rc == IM_OK) buf_printf(report, "PlanBench data %s: %d files, all match the built-in sha256 list\n", data_dir, c.files);
    else
        buf_printf(report, "PlanBench data %s: %d files, %d ok, %d missing, %d changed (first: %s)\n", data_dir, c.files, c.ok, c.missing, c.changed,
                   c.first_bad);
    return rc == IM_OK ? IM_OK : err_set(err, IM_FAIL, "PlanBench data %s does not match its checksums (first: %s)", data_dir, c.first_bad);
}

/* ---- items ----------------------------------------------------------------- */

static void pb_item_free(SuiteItem *it) {
    PbNative *n = it->native;
    if (n) {
        pb_problem_free(n->own);
        free(n->query);
        free(n);
    }
    it->native = NULL;
}

static int fill_item(const Suite *s, SuiteItem *it, PbNative *n, int pos, int line) {
    const PbState *S = st(s);
    it->idx = n->id, it->pos = pos, it->line = line;
    it->native = n;
    char buf[64];
    if (S && n->p) {
        it->text = pb_render_statement(S->v[n->vi], &S->frame[n->vi], n->p);
    } else { /* read back without the data (metrics, export) */
        snprintf(buf, sizeof buf, "PlanBench %s instance %d", pb_variant_names[n->vi], n->id);
        it->text = strdup(buf);
    }
    it->stratum[0] = strdup(pb_variant_names[n->vi]);
    if (n->nobjs >= 0) snprintf(buf, sizeof buf, "%d", n->nobjs);
    else snprintf(buf, sizeof buf, "unknown");
    it->stratum[1] = strdup(buf);
    if (n->opt_len >= 0) snprintf(buf, sizeof buf, "%d", n->opt_len);
    else snprintf(buf, sizeof buf, "unknown");
    it->stratum[2] = strdup(buf);
    return it->text && it->stratum[0] && it->stratum[1] && it->stratum[2] ? IM_OK : IM_IO;
}

/* fields_json: {"variant", "instance_id", "objects", "optimal_length"}
 * (benchmark items; generated ones add "pddl" and "query"). With the data
 * (a data folder) the problem is resolved; without it (the harness reading
 * stored items for metrics or export) the fields alone make the item. */
static int pb_item_parse(const Suite *s, const char *fields_json, const char *where, int line, SuiteItem *out, Err *err) {
    if (s->data_dir && *s->data_dir) {
        int rc0 = ensure_state(s, err);
        if (rc0) return rc0;
    }
    const PbState *S = st(s);
    cJSON *o = cJSON_Parse(fields_json);
    const cJSON *var = cJSON_GetObjectItemCaseSensitive(o, "variant"), *id = cJSON_GetObjectItemCaseSensitive(o, "instance_id");
    const cJSON *pddl = cJSON_GetObjectItemCaseSensitive(o, "pddl"), *ol = cJSON_GetObjectItemCaseSensitive(o, "optimal_length");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "query"), *ob = cJSON_GetObjectItemCaseSensitive(o, "objects");
    int vi = cJSON_IsString(var) ? variant_index(var->valuestring) : -1, rc = IM_OK;
    if (!cJSON_IsObject(o) || vi < 0 || !cJSON_IsNumber(id) || id->valueint < 1) {
        cJSON_Delete(o);
        return err_set(err, IM_IO, "%s:%d: a PlanBench item needs \"variant\" (one of the five) and a positive \"instance_id\"", where, line);
    }
    PbNative *n = calloc(1, sizeof *n);
    if (!n) abort();
    n->vi = vi, n->id = id->valueint;
    n->opt_len = cJSON_IsNumber(ol) ? ol->valueint : cJSON_IsString(pddl) ? -1 : pb_optimal_length(pb_variant_names[vi], n->id);
    n->nobjs = cJSON_IsNumber(ob) ? ob->valueint : -1;
    if (cJSON_IsString(q)) n->query = strdup(q->valuestring);
    if (S) {
        PbVariant *v = S->v[vi];
        if (cJSON_IsString(pddl)) {
            rc = pb_problem_parse(v->dom, pddl->valuestring, where, &n->own, err);
            n->p = n->own;
        } else if (n->id < v->start || n->id > v->end + 1 || pb_variant_problem(v, n->id, &n->p, err)) {
            /* start..end+1: the config's instances and task 1's (one-shot: start+1..end+1) */
            rc = err_set(err, IM_IO, "%s:%d: %s has no instance %d (%d..%d)", where, line, v->name, n->id, v->start, v->end + 1);
        }
        if (!rc) n->nobjs = n->p->nobjs;
    }
    cJSON_Delete(o);
    if (!rc) {
        memset(out, 0, sizeof *out);
        out->fields_json = strdup(fields_json);
        rc = fill_item(s, out, n, 0, line);
        if (rc) {
            pb_item_free(out);
            return err_set(err, IM_IO, "out of memory");
        }
        return IM_OK;
    }
    pb_problem_free(n->own);
    free(n->query);
    free(n);
    return rc;
}

static int add_item(const Suite *s, SuiteItems *items, const char *fields, const char *where, int line, Err *err) {
    SuiteItem *it = realloc(items->item, (size_t)(items->n + 1) * sizeof *it);
    if (!it) return err_set(err, IM_IO, "out of memory");
    items->item = it;
    int rc = pb_item_parse(s, fields, where, line, &items->item[items->n], err);
    if (!rc) items->item[items->n].pos = items->n, items->n++;
    return rc;
}

static void items_free_all(SuiteItems *items) {
    for (int i = 0; i < items->n; i++) {
        pb_item_free(&items->item[i]);
        free(items->item[i].fields_json);
        free(items->item[i].text);
        for (int k = 0; k < SUITE_MAX_STRATA; k++) free(items->item[i].stratum[k]);
    }
    free(items->item);
    free(items->source);
    free(items);
}

/* split: a variant (all its instances). file: a JSONL of generated items,
 * or an answers/prompts file (its instance ids, of the variant split). */
static int pb_items_load(const Suite *s, const char *split, const char *file, SuiteItems **out, Err *err) {
    *out = NULL;
    int rc0 = ensure_state(s, err);
    if (rc0) return rc0;
    const PbState *S = st(s);
    int vi = variant_index(split);
    if (!file && vi < 0)
        return err_set(err, IM_USAGE, "PlanBench split '%s': one of blocksworld, blocksworld_3, mystery_blocksworld, mystery_blocksworld_3, logistics",
                       split ? split : "");
    SuiteItems *items = calloc(1, sizeof *items);
    if (!items) return err_set(err, IM_IO, "out of memory");
    int rc = IM_OK;
    char fields[256];
    if (!file) {
        PbVariant *v = S->v[vi];
        items->source = strdup(v->dir);
        for (int id = v->start; id <= v->end && !rc; id++) {
            snprintf(fields, sizeof fields, "{\"variant\": \"%s\", \"instance_id\": %d, \"objects\": %d, \"optimal_length\": %d}", v->name, id,
                     v->probs[id - 1]->nobjs, pb_optimal_length(v->name, id));
            rc = add_item(s, items, fields, v->name, id, err);
        }
    } else {
        items->source = strdup(file);
        char *text;
        size_t len;
        rc = fs_read_text(file, &text, &len, err);
        size_t fl = strlen(file);
        if (!rc && fl > 6 && !strcmp(file + fl - 6, ".jsonl")) {
            int line = 0;
            for (char *p = text; p && *p && !rc;) {
                char *nl = strchr(p, '\n');
                if (nl) *nl = 0;
                line++;
                if (*p) rc = add_item(s, items, p, file, line, err);
                p = nl ? nl + 1 : NULL;
            }
        } else if (!rc) {
            PbAnswers *a;
            if (vi < 0) rc = err_set(err, IM_USAGE, "%s: give the variant (--split/--variant) of this answers file", file);
            else rc = pb_answers_parse(text, len, file, &a, err);
            for (int i = 0; !rc && i < a->n; i++) {
                int aid = a->a[i].id;
                PbVariant *v = S->v[vi];
                snprintf(fields, sizeof fields, "{\"variant\": \"%s\", \"instance_id\": %d, \"objects\": %d, \"optimal_length\": %d}", v->name, aid,
                         aid >= 1 && aid <= v->nprobs && v->probs[aid - 1] ? v->probs[aid - 1]->nobjs : -1, pb_optimal_length(v->name, aid));
                rc = add_item(s, items, fields, file, i + 1, err);
            }
            if (vi >= 0 && !rc) pb_answers_free(a);
        }
        if (!rc || text) free(text);
    }
    if (rc) {
        items_free_all(items);
        return rc;
    }
    *out = items;
    return IM_OK;
}

/* ---- material ---------------------------------------------------------------- */

/* The item's problem, for the operations that need the data. */
static int need_problem(const Suite *s, const SuiteItem *it, Err *err) {
    const PbNative *n = it->native;
    return s->state && n && n->p ? IM_OK : err_set(err, IM_USAGE, "PlanBench item %d: the suite was opened without its data", it->idx);
}

/* The [STATEMENT] part without its header and trailing blank lines. */
static char *statement_only(const PbVariant *v, const PbFrame *f, const PbProblem *p) {
    char *st = pb_render_statement(v, f, p);
    if (!st) return NULL;
    const char *h = "[STATEMENT]\n";
    size_t skip = strncmp(st, h, strlen(h)) ? 0 : strlen(h), n = strlen(st + skip);
    memmove(st, st + skip, n + 1);
    while (n && st[n - 1] == '\n') st[--n] = 0;
    return st;
}

static int pb_material(const Suite *s, const SuiteItem *it, SuiteMaterial *out, Err *err) {
    int rc0 = need_problem(s, it, err);
    if (rc0) return rc0;
    const PbState *S = st(s);
    const PbNative *n = it->native;
    PbVariant *v = S->v[n->vi];
    out->task = pb_prompt_zero_shot(v, &S->frame[n->vi], n->p);
    out->statement = statement_only(v, &S->frame[n->vi], n->p);
    if (n->query) out->prompt = strdup(n->query);
    else if (!n->own && n->id < S->nprompt[n->vi] && S->prompt[n->vi][n->id]) out->prompt = strdup(S->prompt[n->vi][n->id]);
    else if (!n->own) { /* the benchmark has no prompt for its example instance: ours, the next instance as the example */
        int exid = n->id + 1 <= v->end ? n->id + 1 : n->id - 1;
        const PbProblem *ex = exid >= 1 && exid <= v->nprobs ? v->probs[exid - 1] : NULL;
        PbSolution sol;
        if (ex && !pb_solve(v->dom, ex, NULL, &sol, err) && sol.found)
            out->prompt = pb_prompt_one_shot(v, &S->frame[n->vi], ex, sol.steps, sol.nsteps, n->p);
        if (ex) pb_solution_free(&sol);
    }
    char *ex = pb_render_step(v, v->x.kind == PB_DOM_LOGISTICS ? "(load-truck p0 t0 l0-0)" : v->dom->acts[0].nparams == 1 ? "(pick-up a)" : "(stack a b)");
    if (v->x.kind != PB_DOM_LOGISTICS) {
        free(ex);
        Buf e;
        buf_init(&e);
        buf_putc(&e, '(');
        buf_puts(&e, v->dom->acts[0].name);
        for (int k = 0; k < v->dom->acts[0].nparams; k++) buf_printf(&e, " %s", v->x.objects[k].key);
        buf_putc(&e, ')');
        ex = pb_render_step(v, e.data);
        buf_free(&e);
    }
    Buf f;
    buf_init(&f);
    buf_printf(&f, "The plan: one action per line, in the order they are done, worded as the actions are described (for example \"%s\"), then [PLAN END].",
               ex ? ex : "");
    free(ex);
    buf_putc(&f, 0);
    out->answer_format = buf_take(&f);
    return out->task && out->answer_format && out->statement ? IM_OK : err_set(err, IM_IO, "out of memory");
}

/* ---- answers ------------------------------------------------------------------ */

static char *steps_json(char *const *steps, int n) {
    Buf b;
    buf_init(&b);
    buf_putc(&b, '[');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(&b, ", ");
        buf_json_str(&b, steps[i]);
    }
    buf_putc(&b, ']');
    return buf_take(&b);
}

/* The suite's own answer form (pb_extract_json_form) after the last
 * "</think>" (else in the whole text), as a JSON list; NULL when the text
 * is not in that form (then the authors' extraction reads it). */
static char *own_form(const PbVariant *v, const char *text) {
    const char *t = text, *k;
    while ((k = strstr(t, "</think>"))) t = k + 8;
    PbExtracted x;
    if (!pb_extract_json_form(&v->x, t, &x)) return NULL;
    char *out = steps_json(x.steps, x.nsteps);
    pb_extracted_free(&x);
    return out;
}

static int pb_suite_extract(const Suite *s, const SuiteItem *it, const char *text, char **answer_json, Err *err) {
    *answer_json = NULL;
    int rc0 = need_problem(s, it, err);
    if (rc0) return rc0;
    const PbNative *n = it->native;
    char *own = own_form(st(s)->v[n->vi], text);
    if (own) {
        *answer_json = own;
        return IM_OK;
    }
    PbExtracted x;
    pb_extract(&st(s)->v[n->vi]->x, PB_X_ANALYSIS, text, NULL, &x);
    *answer_json = NULL;
    if (!x.ok) {
        int rc = err_set(err, IM_FAIL, "item %d: no plan could be extracted: %s", it->idx, x.why);
        pb_extracted_free(&x);
        return rc;
    }
    *answer_json = steps_json(x.steps, x.nsteps);
    pb_extracted_free(&x);
    return IM_OK;
}

/* The answer array as plan text, a step a line (steps in the benchmark's
 * English read as PDDL when v is given: pb_step_pddl; others kept for VAL
 * to refuse);
 * NULL (with why) when not a list of strings. */
static char *answer_text(const PbVariant *v, const char *answer_json, int *nsteps, const char **why) {
    cJSON *a = cJSON_Parse(answer_json);
    if (!cJSON_IsArray(a)) {
        cJSON_Delete(a);
        *why = "the answer is not a JSON list of actions";
        return NULL;
    }
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    *nsteps = 0;
    for (const cJSON *x = a->child; x; x = x->next) {
        if (!cJSON_IsString(x)) {
            cJSON_Delete(a);
            buf_free(&b);
            *why = "the answer list holds something other than action strings";
            return NULL;
        }
        char *pddl = x->valuestring[0] == '(' ? NULL : pb_step_pddl(v ? &v->x : NULL, x->valuestring); /* PDDL as stored */
        buf_puts(&b, pddl ? pddl : x->valuestring);
        buf_putc(&b, '\n');
        free(pddl);
        (*nsteps)++;
    }
    cJSON_Delete(a);
    return buf_take(&b);
}

static void pb_evaluate(const Suite *s, const SuiteItem *it, const char *answer_json, int line, SuiteEval *out) {
    (void)line;
    const PbNative *n = it->native;
    Err e0 = {0};
    if (need_problem(s, it, &e0)) {
        out->note = strdup(e0.msg);
        suite_eval_add(out, "plan", "valid_plan", -1, e0.msg);
        return;
    }
    PbVariant *v = st(s)->v[n->vi];
    if (!answer_json) {
        suite_eval_add(out, "plan", "valid_plan", 0, "no answer delivered");
        suite_eval_add(out, "plan", "optimal", -1, NULL);
        return;
    }
    int nsteps = 0;
    const char *why = NULL;
    char *text = answer_text(v, answer_json, &nsteps, &why);
    if (!text) {
        out->note = strdup(why);
        suite_eval_add(out, "plan", "valid_plan", 0, why);
        suite_eval_add(out, "plan", "optimal", -1, NULL);
        return;
    }
    out->delivered = 1;
    PbVerdict vd;
    pb_validate(v->dom, n->p, text, &vd);
    free(text);
    out->passed = vd.valid;
    out->cost = nsteps, out->has_cost = 1;
    suite_eval_add(out, "plan", "valid_plan", vd.valid, vd.reason);
    if (!vd.valid || n->opt_len < 0) suite_eval_add(out, "plan", "optimal", -1, NULL);
    else {
        char m[96];
        snprintf(m, sizeof m, "%d steps, optimum %d", nsteps, n->opt_len);
        suite_eval_add(out, "plan", "optimal", nsteps == n->opt_len, m);
    }
}

static int verdict(const SuiteEval *e, const char *name) {
    for (int i = 0; i < e->n; i++)
        if (!strcmp(e->v[i].name, name)) return e->v[i].value;
    return -1;
}

static int pb_verdicts_load(const Suite *s, SuiteEval *e, Err *err) {
    (void)s, (void)err;
    e->passed = verdict(e, "valid_plan") == 1;
    return IM_OK;
}

static void pb_eval_free(SuiteEval *e) { e->native = NULL; }

/* ---- answer files: the authors' results format, replayed by --method plans ---- */

typedef struct PbAnswerFile {
    const Suite *s;
    PbAnswers *a;
    PbItem *items;        /* the plans, extracted with the file's own extractor (on first use) */
    int vi;               /* the variant they were judged under */
    pthread_mutex_t mu;
} PbAnswerFile;

static void pb_answers_close(void *answers) {
    PbAnswerFile *f = answers;
    if (!f) return;
    pb_items_free(f->items, f->a ? f->a->n : 0);
    pb_answers_free(f->a);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static int pb_answers_open(const Suite *s, const char *path, void **answers, Err *err) {
    *answers = NULL;
    int rc = ensure_state(s, err);
    if (rc) return rc;
    PbAnswerFile *f = calloc(1, sizeof *f);
    if (!f) return err_set(err, IM_IO, "out of memory");
    f->s = s, f->vi = -1;
    pthread_mutex_init(&f->mu, NULL);
    rc = pb_answers_load(path, &f->a, err);
    if (rc) {
        pb_answers_close(f);
        return rc;
    }
    *answers = f;
    return IM_OK;
}

/* The first call extracts every answer of the file under the item's variant
 * (the extractor that made the file is chosen over the whole file). */
static int pb_answer(void *answers, const SuiteItem *it, char **answer_json, char **raw, char **why, Err *err) {
    PbAnswerFile *f = answers;
    const PbNative *n = it->native;
    *answer_json = NULL, *raw = NULL, *why = NULL;
    pthread_mutex_lock(&f->mu);
    int rc = IM_OK;
    if (!f->items) {
        rc = pb_answers_eval(st(f->s)->v[n->vi], f->a, 0, PB_X_AUTO, NULL, &f->items, err);
        f->vi = n->vi;
    } else if (f->vi != n->vi) {
        rc = err_set(err, IM_USAGE, "%s: one answer file serves one variant (%s), not %s", f->a->path, pb_variant_names[f->vi], pb_variant_names[n->vi]);
    }
    pthread_mutex_unlock(&f->mu);
    if (rc) return rc;
    for (int i = 0; i < f->a->n; i++) {
        if (f->a->a[i].id != it->idx) continue;
        const PbItem *x = &f->items[i];
        if (f->a->a[i].raw) *raw = strdup(f->a->a[i].raw);
        if (x->correct < 0 || !x->extracted_ok) *why = strdup(x->reason);
        else *answer_json = steps_json(x->steps, x->nsteps);
        return IM_OK;
    }
    char m[96];
    snprintf(m, sizeof m, "no answer for instance %d in the file", it->idx);
    *why = strdup(m);
    return IM_OK;
}

/* ---- metrics ---------------------------------------------------------------- */

static const SuiteRate pb_rates[] = {{"accuracy", "Accuracy", 1, NULL}, {"optimal_rate", "Correct and optimal", 1, "Optimal"}};

static void pb_rate_parts(const Suite *s, const SuiteItem *it, const SuiteEval *e, int r, double *num, double *den) {
    (void)s, (void)it;
    *den = 1;
    *num = r == 0 ? e->passed : r == 1 ? (e->passed && verdict(e, "optimal") == 1) : 0;
}

typedef struct PbSuiteMetrics {
    char *text, *json;
} PbSuiteMetrics;

static int pb_suite_metrics(const Suite *s, const char *split, const SuiteItem *items, const SuiteEval *evals, int n,
                            SuiteMetrics *out, Err *err) {
    (void)s;
    PbItem *pi = calloc((size_t)(n ? n : 1), sizeof *pi);
    int *objects = malloc(sizeof(int) * (size_t)(n ? n : 1) * 2), *opt = objects ? objects + (n ? n : 1) : NULL;
    if (!pi || !objects) {
        free(pi), free(objects);
        return err_set(err, IM_IO, "out of memory");
    }
    const char *variant = split ? split : n ? items[0].stratum[0] : "";
    int correct = 0, optimal = 0, known = 0;
    for (int i = 0; i < n; i++) {
        const PbNative *nn = items[i].native;
        pi[i].correct = evals[i].passed ? 1 : 0; /* an undelivered answer is wrong: every item is judged */
        pi[i].nsteps = (int)evals[i].cost;
        objects[i] = nn ? nn->nobjs : -1;
        opt[i] = nn ? nn->opt_len : -1;
        correct += pi[i].correct;
        if (pi[i].correct && opt[i] >= 0) known++, optimal += verdict(&evals[i], "optimal") == 1;
    }
    PbMetrics m;
    pb_metrics_compute(variant, pi, n, objects, opt, &m);
    int rc = suite_metrics_add(out, "accuracy", "", correct, n);
    if (!rc) rc = suite_metrics_add(out, "optimal_rate", "", optimal, n);
    if (!rc) rc = suite_metrics_add(out, "optimal_share", "", optimal, known);
    for (int k = 0; !rc && k < m.nst; k++) {
        char stratum[96];
        if (m.st[k].opt_len >= 0) snprintf(stratum, sizeof stratum, "variant=%.40s,objects=%d,optimal=%d", m.st[k].variant, m.st[k].objects, m.st[k].opt_len);
        else snprintf(stratum, sizeof stratum, "variant=%.40s,objects=%d,optimal=unknown", m.st[k].variant, m.st[k].objects);
        rc = suite_metrics_add(out, "accuracy", stratum, m.st[k].correct, m.st[k].judged);
    }
    PbSuiteMetrics *nat = calloc(1, sizeof *nat);
    Buf t, j;
    buf_init(&t), buf_init(&j);
    if (nat) {
        char acc[40];
        double a = n ? 100.0 * correct / n : 0;
        py_float_repr(a, acc, sizeof acc);
        buf_printf(&t, "PlanBench %s: %d instances, %d correct, accuracy %.1f%%\n", variant, n, correct, a);
        pb_metrics_print(&m, &t);
        buf_puts(&j, "{\"suite\": \"planbench\", \"variant\": ");
        buf_json_str(&j, variant);
        buf_printf(&j, ", \"instances\": %d, \"judged\": %d, \"correct\": %d, \"accuracy\": %s}", n, n, correct, acc);
        nat->text = buf_take(&t);
        nat->json = buf_take(&j);
        out->native = nat;
    }
    pb_metrics_free(&m);
    free(pi), free(objects);
    if (!rc && !nat) rc = IM_IO;
    return rc ? err_set(err, IM_IO, "out of memory") : IM_OK;
}

static void pb_suite_metrics_text(const SuiteMetrics *m, Buf *out) {
    const PbSuiteMetrics *n = m->native;
    if (n) buf_puts(out, n->text);
}

static void pb_suite_metrics_json(const SuiteMetrics *m, Buf *out) {
    const PbSuiteMetrics *n = m->native;
    if (n) buf_puts(out, n->json);
}

static void pb_suite_metrics_free(SuiteMetrics *m) {
    PbSuiteMetrics *n = m->native;
    if (n) free(n->text), free(n->json), free(n);
    m->native = NULL;
}

/* ---- export, reward, generation, solving -------------------------------------- */

/* One instance of the authors' results format: {"instance_id", "extracted_llm_plan"}. */
static void pb_export_line(const Suite *s, const SuiteItem *it, const char *answer_json, Buf *out) {
    int nsteps = 0;
    const char *why;
    const PbNative *n = it->native;
    char *text = answer_json ? answer_text(s->state && n ? st(s)->v[n->vi] : NULL, answer_json, &nsteps, &why) : NULL;
    buf_printf(out, "{\"instance_id\": %d, \"extracted_llm_plan\": ", it->idx);
    if (text) buf_json_str(out, text);
    else buf_puts(out, "null");
    buf_putc(out, '}');
    free(text);
}

/* The authors' results format (what pb_answers_load reads): the plan in
 * the benchmark's English as llm_raw_response (so that `eval` extracts it
 * as it extracts a model's), the PDDL plan as extracted_llm_plan; with
 * solutions, whether a plan was found, proven optimal, its length and the
 * planner's note. */
static void pb_answers_write(const Suite *s, const SuiteItem *items, char *const *answers, const SuiteSolution *sols, int n, Buf *out) {
    const PbNative *n0 = n ? items[0].native : NULL;
    buf_printf(out, "{\"task\": \"task_1_plan_generation\", \"prompt_type\": \"%s\", \"domain\": ", sols ? "solver" : "answers");
    buf_json_str(out, n0 ? pb_variant_names[n0->vi] : "");
    buf_printf(out, ", \"engine\": \"%s\", \"instances\": [", sols ? "imagine-solver" : "imagine");
    for (int i = 0; i < n; i++) {
        const PbNative *nn = items[i].native;
        int nsteps = 0;
        const char *why;
        char *text = answers[i] ? answer_text(s->state && nn ? st(s)->v[nn->vi] : NULL, answers[i], &nsteps, &why) : NULL;
        char **steps = NULL, *eng = NULL;
        if (text && s->state && nn) {
            pb_plan_lines(text, &steps, &nsteps);
            eng = pb_render_plan(st(s)->v[nn->vi], steps, nsteps);
            for (int k = 0; k < nsteps; k++) free(steps[k]);
            free(steps);
        }
        buf_printf(out, "%s\n  {\"instance_id\": %d, \"llm_raw_response\": ", i ? "," : "", items[i].idx);
        buf_json_str(out, eng ? eng : "");
        buf_puts(out, ", \"extracted_llm_plan\": ");
        buf_json_str(out, text ? text : "");
        if (sols) {
            buf_printf(out, ", \"llm_correct\": %s, \"optimal\": %s, \"plan_length\": %d, \"note\": ", text ? "true" : "false",
                       sols[i].optimal ? "true" : "false", text ? nsteps : 0);
            buf_json_str(out, sols[i].reason ? sols[i].reason : "");
        }
        buf_putc(out, '}');
        free(text), free(eng);
    }
    buf_puts(out, "\n]}\n");
}

static int reward_cfg(const char *config_json, PbRewardCfg *c, Err *err) {
    pb_reward_cfg_default(c);
    return config_json ? pb_reward_cfg_parse(config_json, c, err) : IM_OK;
}

static int pb_suite_reward_config(const char *config_json, Buf *out, Err *err) {
    PbRewardCfg c;
    int rc = reward_cfg(config_json, &c, err);
    if (!rc) pb_reward_cfg_json(&c, out);
    return rc;
}

/* pb_reward (pb_metrics.h): components format, valid, optimal, reflection. */
static int pb_suite_reward(const Suite *s, const SuiteItem *it, const char *response, const char *config_json, SuiteReward *out, Err *err) {
    int rc = need_problem(s, it, err);
    if (rc) return rc;
    const PbNative *n = it->native;
    PbRewardCfg c;
    if ((rc = reward_cfg(config_json, &c, err))) return rc;
    PbReward r;
    pb_reward(st(s)->v[n->vi], n->p, response, n->opt_len, &c, &r);
    Buf comp;
    buf_init(&comp);
    pb_reward_components_json(&r, &comp);
    out->total = r.reward;
    out->n = 4;
    out->name[0] = "format", out->value[0] = r.format_ok ? 0 : c.format_penalty;
    out->name[1] = "valid", out->value[1] = r.valid;
    out->name[2] = "optimal", out->value[2] = r.optimal;
    out->name[3] = "reflection", out->value[3] = r.format_ok ? r.reflection : 0;
    out->components_json = buf_take(&comp);
    if (!r.format_ok) out->note = strdup(r.format_error);
    return out->components_json ? IM_OK : err_set(err, IM_IO, "out of memory");
}

/* config: {"variant": V, "blocks": K} or {"variant": "logistics", "cities",
 * "locations", "trucks", "airplanes", "packages"}, optional "zero_shot"
 * (default: one-shot prompts, the example being the previous problem) and
 * "max_nodes" (the planner's state limit per problem). Other fields are an
 * error. Problems the planner cannot solve within the limit are skipped. */
static int pb_generate(const Suite *s, const char *config_json, unsigned long long seed, int n, Buf *jsonl, Buf *report, Err *err) {
    int rc0 = ensure_state(s, err);
    if (rc0) return rc0;
    const PbState *S = st(s);
    cJSON *o = config_json ? cJSON_Parse(config_json) : NULL;
    const cJSON *var = cJSON_GetObjectItemCaseSensitive(o, "variant");
    int vi = cJSON_IsString(var) ? variant_index(var->valuestring) : -1;
    static const char *const known[] = {"variant", "blocks", "cities", "locations", "trucks", "airplanes", "packages", "zero_shot", "max_nodes"};
    for (const cJSON *f = o ? o->child : NULL; f && vi >= 0; f = f->next) {
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(f->string, known[k])) k++;
        if (k == sizeof known / sizeof *known) {
            rc0 = err_set(err, IM_USAGE, "PlanBench generation: unknown configuration field \"%s\" (variant, blocks, cities, locations, trucks, airplanes, packages, zero_shot, max_nodes)", f->string);
            break;
        }
    }
    if (vi < 0) rc0 = err_set(err, IM_USAGE, "PlanBench generation: the configuration needs \"variant\" (one of the five)");
    if (rc0) {
        cJSON_Delete(o);
        return rc0;
    }
#define GETI(k) (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k)) ? cJSON_GetObjectItemCaseSensitive(o, k)->valueint : 0)
    PbGenOpts go = {GETI("blocks"), GETI("cities"), GETI("locations"), GETI("trucks"), GETI("airplanes"), GETI("packages"), seed};
    PbSolveOpts so = {GETI("max_nodes"), GETI("max_nodes")};
#undef GETI
    int zero = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "zero_shot"));
    cJSON_Delete(o);
    PbVariant *v = S->v[vi];
    PbKeySet keys = {0};
    int rc = pb_benchmark_keys(v, &keys, err);
    uint64_t rng = seed;
    PbProblem *prev = NULL;
    PbSolution prev_sol = {0};
    int made = 0, bench = keys.n, dups = 0, optimal = 0, unsolved = 0;
    for (int tries = 0; !rc && made < n && tries < 1000 * (n + 1); tries++) {
        char *pddl;
        rc = pb_gen_problem(v, &go, &rng, made + 1, &pddl, err);
        if (rc) break;
        PbProblem *p;
        rc = pb_problem_parse(v->dom, pddl, "generated", &p, err);
        char *key = rc ? NULL : pb_problem_key(v->dom, p);
        if (rc || pb_keyset_has(&keys, key)) {
            dups += !rc;
            free(key), free(pddl), pb_problem_free(rc ? NULL : p);
            continue;
        }
        pb_keyset_add(&keys, key);
        PbSolution sol;
        pb_solve(v->dom, p, &so, &sol, err);
        if (!sol.found) {
            unsolved++;
            pb_solution_free(&sol), free(pddl), pb_problem_free(p);
            continue;
        }
        made++;
        optimal += sol.optimal;
        char *query = zero || !prev ? pb_prompt_zero_shot(v, &S->frame[vi], p)
                                    : pb_prompt_one_shot(v, &S->frame[vi], prev, prev_sol.steps, prev_sol.nsteps, p);
        buf_printf(jsonl, "{\"variant\": \"%s\", \"instance_id\": %d, \"objects\": %d, \"optimal_length\": %d, \"pddl\": ", v->name, made, p->nobjs,
                   sol.optimal ? sol.nsteps : -1);
        buf_json_str(jsonl, pddl);
        buf_puts(jsonl, ", \"query\": ");
        buf_json_str(jsonl, query);
        buf_puts(jsonl, "}\n");
        free(query), free(pddl);
        pb_problem_free(prev);
        pb_solution_free(&prev_sol);
        prev = p, prev_sol = sol;
    }
    pb_problem_free(prev);
    pb_solution_free(&prev_sol);
    pb_keyset_free(&keys);
    if (!rc && made < n)
        rc = err_set(err, IM_FAIL, "only %d new %s problems of %d found (%d duplicates of the benchmark or of each other): use more objects",
                     made, v->name, n, dups);
    if (!rc && report)
        buf_printf(report, "  PlanBench %s: %d new problems (%d with proven optimal gold plans), %d duplicates rejected against %d benchmark problems, %d unsolved within the limit skipped\n",
                   v->name, made, optimal, dups, bench, unsolved);
    return rc;
}

/* A state in the benchmark's words, as its statements write the initial
 * conditions (the same renderer, so the initial state reads as the
 * problem statement does). */
static void state_words(const PbVariant *v, const PbSim *sim, Buf *out) {
    PbProblem q = *sim->p;
    q.init = calloc((size_t)(sim->n ? sim->n : 1), sizeof *q.init);
    if (!q.init) abort();
    for (int i = 0; i < sim->n; i++) pb_sim_atom(sim, i, &q.init[i]);
    q.ninit = sim->n;
    char *t = pb_render_facts(v, &q, 0);
    buf_puts(out, t ? t : "");
    free(t), free(q.init);
}

static void state_put(const PbVariant *v, const PbSim *sim, int words, Buf *out) {
    if (words) state_words(v, sim, out);
    else pb_sim_state_str(sim, out);
}

/* A step as the trace names it: "(unstack a b)", or (words) the
 * benchmark's English "(unstack the red block from on top of the blue
 * block)". */
static void step_put(const PbVariant *v, const PbProblem *p, const PbStep *step, int words, Buf *out) {
    Buf pddl;
    buf_init(&pddl);
    pb_step_str(v->dom, p, step, &pddl);
    char *eng = words && pddl.data ? pb_render_step(v, pddl.data) : NULL;
    if (eng) buf_printf(out, "(%s)", eng);
    else buf_puts(out, pddl.data ? pddl.data : "");
    free(eng);
    buf_free(&pddl);
}

/* The state after each step of a plan text, as far as the steps read:
 * "initial state: ...", then "after step I (ACT): ..." per step (a step
 * whose preconditions fail leaves the state as it was: the trace is what
 * the plan claims), states in PDDL or (words) in the benchmark's words,
 * actions in PDDL or (act_words) in its English. The solver's log and the
 * teacher's reasoning. */
static void state_trace(const PbVariant *v, const PbProblem *p, const char *plan_text, int words, int act_words, Buf *log) {
    PbSim sim;
    pb_sim_init(&sim, v->dom, p);
    buf_puts(log, "initial state: ");
    state_put(v, &sim, words, log);
    buf_putc(log, '\n');
    PbStep *steps;
    int ns;
    PbVerdict vd;
    if (pb_plan_parse(v->dom, p, plan_text, &steps, &ns, &vd)) {
        for (int i = 0; i < ns; i++) {
            pb_sim_apply(&sim, &steps[i], NULL, 0);
            buf_printf(log, "after step %d ", i + 1);
            step_put(v, p, &steps[i], act_words, log);
            buf_puts(log, ": ");
            state_put(v, &sim, words, log);
            buf_putc(log, '\n');
        }
        free(steps);
    }
    pb_sim_free(&sim);
}

static uint64_t teacher_mix(uint64_t x) { /* splitmix64's finaliser */
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* An answer list: the steps in PDDL, or (words) in the benchmark's English. */
static char *answer_json_of(const PbVariant *v, char *const *steps, int n, int words) {
    if (!words) return steps_json(steps, n);
    char **eng = calloc((size_t)n + 1, sizeof *eng);
    if (!eng) return NULL;
    for (int i = 0; i < n; i++) {
        char *e = pb_render_step(v, steps[i]);
        eng[i] = e ? e : strdup(steps[i]);
    }
    char *json = steps_json(eng, n);
    for (int i = 0; i < n; i++) free(eng[i]);
    free(eng);
    return json;
}

/* "actions": "pddl" (default) or "words"; -1 for anything else. */
static int teacher_words(const cJSON *o) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "actions");
    if (!a) return 0;
    if (!cJSON_IsString(a)) return -1;
    return !strcmp(a->valuestring, "pddl") ? 0 : !strcmp(a->valuestring, "words") ? 1 : -1;
}

/* The IMAGINE programmatic teacher (agents/m_mas.c), options
 * {"error_rate", "seed"} for "teacher": the optimal plan, with probability
 * error_rate one step left out (the Judges and the Reflector then have an
 * error to find), its state trace as the reasoning; {"answer"} for
 * "teacher-reflect": what is wrong with the answer (VAL's message) and the
 * optimal plan with its state trace. Both: "actions": "words" writes the
 * actions of the trace and of the answer in the benchmark's English (the
 * words its states are written in) instead of PDDL; the answer list is read
 * back either way (pb_step_pddl). */
static int teacher(const PbVariant *v, const PbProblem *p, const PbSolution *sol, int reflect, const char *options_json,
                   SuiteSolution *out, Err *err) {
    cJSON *o = cJSON_Parse(options_json ? options_json : "{}");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "teacher options: not a JSON object");
    }
    int words = teacher_words(o);
    if (words < 0) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "teacher options: \"actions\" must be \"pddl\" or \"words\"");
    }
    Buf log;
    buf_init(&log);
    char *gold = pb_solution_text(sol);
    if (reflect) {
        const cJSON *ans = cJSON_GetObjectItemCaseSensitive(o, "answer");
        const char *why = "no answer";
        int n = 0;
        char *text = cJSON_IsString(ans) ? answer_text(v, ans->valuestring, &n, &why) : NULL;
        PbVerdict vd = {0};
        if (text) pb_validate(v->dom, p, text, &vd);
        buf_printf(&log, "%s %s\nThe corrected plan, with the state after each action:\n", text && vd.valid ? "The plan reaches the goal, but a shorter plan exists:" : "The plan fails:",
                   text ? vd.reason : why);
        free(text);
        state_trace(v, p, gold, 1, words, &log);
        out->answer_json = answer_json_of(v, sol->steps, sol->nsteps, words);
    } else {
        const cJSON *er = cJSON_GetObjectItemCaseSensitive(o, "error_rate"), *sd = cJSON_GetObjectItemCaseSensitive(o, "seed");
        uint64_t h = teacher_mix(cJSON_IsNumber(sd) ? (uint64_t)sd->valuedouble : 0);
        double rate = cJSON_IsNumber(er) ? er->valuedouble : 0;
        int drop = (double)(h >> 11) / 9007199254740992.0 < rate && sol->nsteps > 0 ? (int)(teacher_mix(h) % (uint64_t)sol->nsteps) : -1;
        char **steps = calloc((size_t)sol->nsteps + 1, sizeof *steps);
        int n = 0;
        for (int i = 0; steps && i < sol->nsteps; i++)
            if (i != drop) steps[n++] = sol->steps[i];
        Buf text;
        buf_init(&text);
        for (int i = 0; i < n; i++) buf_printf(&text, "%s\n", steps[i]);
        buf_putc(&text, 0);
        state_trace(v, p, text.data, 1, words, &log);
        buf_free(&text);
        out->answer_json = steps ? answer_json_of(v, steps, n, words) : NULL;
        free(steps);
    }
    free(gold);
    cJSON_Delete(o);
    out->log = buf_take(&log);
    return out->answer_json && out->log ? IM_OK : err_set(err, IM_IO, "out of memory");
}

/* The exact planner ("solver"; the log: the state after each action, in
 * PDDL), and the programmatic teacher over it ("teacher",
 * "teacher-reflect"). */
static int pb_suite_solve(const Suite *s, const SuiteItem *it, const char *solver, const char *options_json, SuiteSolution *out, Err *err) {
    int is_teacher = solver && (!strcmp(solver, "teacher") || !strcmp(solver, "teacher-reflect"));
    if (solver && strcmp(solver, "solver") && !is_teacher)
        return err_set(err, IM_USAGE, "suite planbench has no solver '%s' (solver, teacher, teacher-reflect)", solver);
    int rc0 = need_problem(s, it, err);
    if (rc0) return rc0;
    const PbNative *n = it->native;
    PbVariant *v = st(s)->v[n->vi];
    PbSolveOpts so = {0, 0};
    if (options_json && !is_teacher) {
        cJSON *o = cJSON_Parse(options_json);
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(o, "max_nodes");
        if (!cJSON_IsObject(o) || (mn && !cJSON_IsNumber(mn))) {
            cJSON_Delete(o);
            return err_set(err, IM_USAGE, "solver options: a JSON object with an optional number \"max_nodes\"");
        }
        if (mn) so.max_nodes = so.max_nodes_w = (long)mn->valuedouble;
        cJSON_Delete(o);
    }
    PbSolution sol;
    int rc = pb_solve(v->dom, n->p, &so, &sol, err);
    if (rc) return rc;
    out->nodes = sol.expanded;
    if (!sol.found) {
        out->status = strstr(sol.note, "unsolvable") ? SUITE_INFEASIBLE : SUITE_UNKNOWN;
        out->reason = strdup(sol.note);
        pb_solution_free(&sol);
        return IM_OK;
    }
    out->status = SUITE_SOLVED;
    out->optimal = sol.optimal;
    out->cost = sol.nsteps;
    if (is_teacher) {
        rc = teacher(v, n->p, &sol, !strcmp(solver, "teacher-reflect"), options_json, out, err);
        pb_solution_free(&sol);
        return rc;
    }
    out->answer_json = steps_json(sol.steps, sol.nsteps);
    out->reason = strdup(sol.note);
    Buf log;
    buf_init(&log);
    char *text = pb_solution_text(&sol);
    state_trace(v, n->p, text, 0, 0, &log);
    free(text);
    buf_printf(&log, "%s\n", sol.note);
    out->log = buf_take(&log);
    pb_solution_free(&sol);
    return IM_OK;
}

/* ---- the table ------------------------------------------------------------------ */

static const char *const pb_strata[] = {"variant", "objects", "optimal", NULL};
/* For reports (suite.h). */
static const char *const pb_strata_labels[] = {"%s", "%s objects", "optimal length %s", NULL};
static const char *const pb_strata_short[] = {"%s", "%s obj.", "len %s", NULL};
static const char *const pb_verdict_names[] = {"valid_plan", "optimal", NULL};
static const char *const pb_verdict_labels[] = {"Valid plan (VAL)", "Optimal length", NULL};
static const char *const pb_verdict_families[] = {"plan", "plan", NULL};

const SuiteOps suite_planbench = {
    .name = "planbench",
    .summary = "PlanBench (Valmeekam et al., NeurIPS 2023), task 1 plan generation: Blocksworld, Mystery Blocksworld, Logistics",
    .data_env = "IMAGINE_PLANBENCH_DATA",
    .splits = pb_variant_names,
    .default_split = NULL,
    .strata = pb_strata,
    .rates = pb_rates,
    .verdicts = pb_verdict_names,
    .n_rates = (int)(sizeof pb_rates / sizeof pb_rates[0]),
    .title = "PlanBench",
    .verdict_labels = pb_verdict_labels,
    .verdict_families = pb_verdict_families,
    .strata_labels = pb_strata_labels,
    .strata_short = pb_strata_short,
    .strata_title = "variant, number of objects and optimal plan length",
    .open = pb_open,
    .close = pb_close,
    .data_check = pb_data_check,
    .data_fetch = pb_data_fetch,
    .items_load = pb_items_load,
    .item_parse = pb_item_parse,
    .item_free = pb_item_free,
    .material = pb_material,
    .extract = pb_suite_extract,
    .answers_open = pb_answers_open,
    .answer = pb_answer,
    .answers_close = pb_answers_close,
    .evaluate = pb_evaluate,
    .verdicts_load = pb_verdicts_load,
    .eval_free = pb_eval_free,
    .metrics = pb_suite_metrics,
    .metrics_text = pb_suite_metrics_text,
    .metrics_json = pb_suite_metrics_json,
    .metrics_free = pb_suite_metrics_free,
    .rate_parts = pb_rate_parts,
    .export_line = pb_export_line,
    .answers_write = pb_answers_write,
    .reward = pb_suite_reward,
    .reward_config = pb_suite_reward_config,
    .generate = pb_generate,
    .solve = pb_suite_solve,
    .eval_options = pb_eval_options,
    .eval_file = pb_eval_file,
    .bench_options = pb_bench_options,
    .bench_open = pb_bench_open,
    .bench_eval_once = pb_bench_eval_once,
    .bench_close = pb_bench_close,
};
