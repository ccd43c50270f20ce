/* m_mas.c: the `mas` method, IMAGINE's multi-agent system (issue 15;
 * docs/imagine.md). Per query: a Reasoner writes reasoning and a plan; up
 * to two Judges, in parallel, each answer only "Errors exist." or "No
 * errors."; when a Judge says errors (or gives an unparseable verdict,
 * by default), a Reflector names and corrects the errors and gives the
 * final plan. The item's raw text is the flattened IMAGINE sample
 * (common/think.h), its plan the final plan, its reasoning the Reasoner's.
 *
 * Each role is a model spec (model.h) or a programmatic role: `solver`
 * (Reasoner: the exact solver's plan, perturbed with probability
 * error_rate, and a trace written from the sandbox; Reflector: the failed
 * checks and the solver's plan) or `rule` (Judge: the official evaluator).
 * Every call, programmatic ones included, is an AgCall with its role
 * ("reasoner", "judge-1", "judge-2", "reflector"); programmatic calls have
 * model "programmatic:solver" / "programmatic:rule", no tokens, no cost.
 *
 * Method configuration (all optional; defaults documented in
 * docs/imagine.md and recorded with the run):
 *   "model"            Reasoner spec or "solver" (the run's --model)
 *   "judge_models"     "A,B" or ["A","B"]; "rule" allowed (default: the
 *                      Reasoner's spec twice; "rule" twice when it is solver)
 *   "judges"           0, 1 or 2 (default: as many as judge_models)
 *   "reflector_model"  spec or "solver" (default: the Reasoner's spec)
 *   "error_rate"       programmatic Reasoner: share of perturbed plans (0.3)
 *   "teacher_options"  an object handed to the suite's programmatic
 *                      teacher as it is (PlanBench: {"actions": "words"}
 *                      writes the actions in the benchmark's English)
 *   "unparseable_verdict"  "errors" (default) or "no_errors"
 *   "reasoner_prompt"  "auto" (default: mas_reasoner with reference
 *                      information, else mas_reasoner_task) or "statement"
 *                      (the suite's problem statement alone)
 *   "cache", "no_cache", "concurrency"  as llm.h */
#include <cJSON.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "llm.h"
#include "parse.h"
#include "prompts.h"
#include "think.h"

/* ---- configuration ---------------------------------------------------------------- */

typedef enum { ROLE_MODEL, ROLE_SOLVER, ROLE_RULE } RoleKind;

typedef struct Role {
    RoleKind kind;
    AgModel *model; /* ROLE_MODEL: borrowed from Mas.models */
} Role;

typedef struct Mas {
    Role reasoner, judge[2], reflector;
    int n_judges;
    double error_rate;
    char *teacher_options; /* the "teacher_options" object's fields, "" or "k": v, ... */
    int unparseable_is_errors;
    AgCache *cache;
    AgModel *models[4];
    char *specs[4];
    int n_models;
} Mas;

static void mas_free(Mas *m) {
    if (!m) return;
    for (int i = 0; i < m->n_models; i++) ag_model_close(m->models[i]), free(m->specs[i]);
    ag_cache_close(m->cache);
    free(m->teacher_options);
    free(m);
}

static int open_role(AgContext *ctx, Mas *m, const char *spec, int judge, int concurrency, Role *r, Err *err) {
    if (!strcmp(spec, "solver")) {
        if (judge) return err_set(err, IM_USAGE, "method mas: a Judge is a model spec or \"rule\", not solver");
        return r->kind = ROLE_SOLVER, IM_OK;
    }
    if (!strcmp(spec, "rule")) {
        if (!judge) return err_set(err, IM_USAGE, "method mas: \"rule\" is a Judge; the Reasoner and Reflector are a model spec or solver");
        return r->kind = ROLE_RULE, IM_OK;
    }
    r->kind = ROLE_MODEL;
    for (int i = 0; i < m->n_models; i++)
        if (!strcmp(m->specs[i], spec)) return r->model = m->models[i], IM_OK;
    AgModelConfig mc;
    int rc = ag_model_config_parse(spec, &mc, err);
    if (rc) return err_prefix(err, "method mas");
    if (concurrency > 0) mc.concurrency = concurrency;
    rc = ag_model_open(&mc, &m->models[m->n_models], err);
    ag_model_config_free(&mc);
    if (rc) return rc;
    r->model = m->models[m->n_models];
    m->specs[m->n_models++] = strdup(spec);
    if (m->cache) ag_model_set_cache(r->model, m->cache);
    if (ctx->on_backoff) ag_model_set_backoff(r->model, ctx->on_backoff, ctx->on_backoff_arg);
    return IM_OK;
}

static const char *str_of(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The Reasoner's prompt style from the method configuration:
 * "auto" (default) or "statement"; -1 for anything else. */
static int reasoner_prompt_style(const char *config_json) {
    cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, "reasoner_prompt");
    int style = !v ? 0 : !cJSON_IsString(v) ? -1 : !strcmp(v->valuestring, "auto") ? 0 : !strcmp(v->valuestring, "statement") ? 1 : -1;
    cJSON_Delete(cfg);
    return style;
}

/* "teacher_options" as the fields of a JSON object without its braces
 * (appended to the options the method gives the teacher). */
static int teacher_options(const cJSON *cfg, char **out, Err *err) {
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(cfg, "teacher_options");
    if (o && !cJSON_IsObject(o)) return err_set(err, IM_USAGE, "method mas: \"teacher_options\" must be a JSON object");
    char *t = o ? cJSON_PrintUnformatted(o) : strdup("{}");
    if (!t) return err_set(err, IM_IO, "out of memory");
    size_t n = strlen(t);
    memmove(t, t + 1, n - 2), t[n - 2] = 0; /* strip { } */
    *out = t;
    return IM_OK;
}

/* The teacher's options: {base fields, the configured teacher_options}. */
static void teacher_opts(const Mas *m, const char *base_fields, Buf *out) {
    buf_printf(out, "{%s%s%s}", base_fields, *m->teacher_options ? ", " : "", m->teacher_options);
}

static int mas_init(AgContext *ctx, Err *err) {
    cJSON *cfg = cJSON_Parse(ctx->config_json ? ctx->config_json : "{}");
    if (!cJSON_IsObject(cfg)) {
        cJSON_Delete(cfg);
        return err_set(err, IM_USAGE, "method mas: the method configuration is not a JSON object");
    }
    Mas *m = calloc(1, sizeof *m);
    m->error_rate = 0.3, m->unparseable_is_errors = 1;
    const char *reasoner = str_of(cfg, "model");
    int rc = reasoner ? IM_OK
                      : err_set(err, IM_USAGE, "method mas needs a Reasoner: --model SPEC or --model solver (docs/imagine.md)");
    /* judges: a list or "A,B" */
    char judges[2][1024] = {{0}};
    int nj = 0;
    const cJSON *jm = cJSON_GetObjectItemCaseSensitive(cfg, "judge_models");
    if (!rc && cJSON_IsArray(jm)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, jm) {
            if (!cJSON_IsString(it) || nj == 2) {
                rc = err_set(err, IM_USAGE, "method mas: \"judge_models\" is at most two specs");
                break;
            }
            snprintf(judges[nj++], sizeof judges[0], "%s", it->valuestring);
        }
    } else if (!rc && cJSON_IsString(jm)) {
        /* "A,B": split at the comma where a second spec starts (a spec's
         * query string may hold commas of its own) */
        const char *s = jm->valuestring, *cut = NULL;
        static const char *const starts[] = {"openai:", "local:", "rule", "{", "/", "./"};
        for (const char *c = strchr(s, ','); c && !cut; c = strchr(c + 1, ','))
            for (size_t k = 0; k < sizeof starts / sizeof *starts; k++)
                if (!strncmp(c + 1, starts[k], strlen(starts[k]))) cut = c;
        if (cut) {
            snprintf(judges[0], sizeof judges[0], "%.*s", (int)(cut - s), s);
            snprintf(judges[1], sizeof judges[1], "%s", cut + 1);
            nj = 2;
        } else snprintf(judges[nj++], sizeof judges[0], "%s", s);
    } else if (!rc && jm) rc = err_set(err, IM_USAGE, "method mas: \"judge_models\" must be a string or a list");
    if (!rc && !nj) {
        const char *d = !strcmp(reasoner, "solver") ? "rule" : reasoner;
        snprintf(judges[0], sizeof judges[0], "%s", d), snprintf(judges[1], sizeof judges[1], "%s", d), nj = 2;
    }
    const cJSON *nv = cJSON_GetObjectItemCaseSensitive(cfg, "judges");
    m->n_judges = nj;
    if (!rc && nv) {
        if (!cJSON_IsNumber(nv) || nv->valueint < 0 || nv->valueint > 2)
            rc = err_set(err, IM_USAGE, "method mas: \"judges\" must be 0, 1 or 2");
        else m->n_judges = nv->valueint;
        if (!rc && m->n_judges == 2 && nj == 1) snprintf(judges[1], sizeof judges[1], "%s", judges[0]);
    }
    const cJSON *er = cJSON_GetObjectItemCaseSensitive(cfg, "error_rate");
    if (!rc && er) {
        if (!cJSON_IsNumber(er) || er->valuedouble < 0 || er->valuedouble > 1)
            rc = err_set(err, IM_USAGE, "method mas: \"error_rate\" must be a number in [0, 1]");
        else m->error_rate = er->valuedouble;
    }
    if (!rc && reasoner_prompt_style(ctx->config_json) < 0)
        rc = err_set(err, IM_USAGE, "method mas: \"reasoner_prompt\" must be \"auto\" or \"statement\"");
    if (!rc) rc = teacher_options(cfg, &m->teacher_options, err);
    const char *uv = str_of(cfg, "unparseable_verdict");
    if (!rc && uv) {
        if (!strcmp(uv, "errors")) m->unparseable_is_errors = 1;
        else if (!strcmp(uv, "no_errors")) m->unparseable_is_errors = 0;
        else rc = err_set(err, IM_USAGE, "method mas: \"unparseable_verdict\" must be \"errors\" or \"no_errors\"");
    }
    const cJSON *no_cache = cJSON_GetObjectItemCaseSensitive(cfg, "no_cache"), *cache = cJSON_GetObjectItemCaseSensitive(cfg, "cache");
    const cJSON *conc = cJSON_GetObjectItemCaseSensitive(cfg, "concurrency");
    int k = cJSON_IsNumber(conc) ? conc->valueint : 0;
    const char *reflector = str_of(cfg, "reflector_model");
    if (!reflector) reflector = reasoner;
    int any_model = reasoner && (strcmp(reasoner, "solver") || strcmp(reflector, "solver"));
    for (int j = 0; j < m->n_judges; j++) any_model |= strcmp(judges[j], "rule") != 0;
    if (!rc && any_model && !cJSON_IsTrue(no_cache) && !cJSON_IsFalse(cache) && !cJSON_IsNull(cache))
        rc = ag_cache_open(cJSON_IsString(cache) ? cache->valuestring : AG_CACHE_DEFAULT, &m->cache, err);
    if (!rc) rc = open_role(ctx, m, reasoner, 0, k, &m->reasoner, err);
    for (int j = 0; !rc && j < m->n_judges; j++) rc = open_role(ctx, m, judges[j], 1, k, &m->judge[j], err);
    if (!rc) rc = open_role(ctx, m, reflector, 0, k, &m->reflector, err);
    cJSON_Delete(cfg);
    if (rc) {
        mas_free(m);
        return rc;
    }
    ctx->user = m;
    return IM_OK;
}

static void mas_fini(AgContext *ctx) {
    mas_free(ctx->user);
    ctx->user = NULL;
}

/* ---- calls --------------------------------------------------------------------------- */

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A programmatic role's call row: no tokens, no cost; the hash of what it saw. */
static void log_programmatic(AgResult *res, const char *role, const char *who, const char *input, double t0) {
    AgCall c = {.model = (char *)who, .ok = 1, .latency_ms = (wall_s() - t0) * 1000, .at = wall_s()};
    snprintf(c.role, sizeof c.role, "%s", role);
    unsigned char md[32];
    unsigned int len = 32;
    EVP_Digest(input ? input : "", input ? strlen(input) : 0, md, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++) snprintf(c.request_hash + 2 * i, 3, "%02x", md[i]);
    ag_result_add_call(res, &c);
    res->calls++;
}

/* Moves the calls and counts of `from` into `to` (from is freed). */
static void merge_result(AgResult *to, AgResult *from) {
    for (int i = 0; i < from->n_call_log; i++) ag_result_add_call(to, &from->call_log[i]);
    to->calls += from->calls, to->cache_hits += from->cache_hits;
    to->tokens_in += from->tokens_in, to->tokens_out += from->tokens_out, to->cost_usd += from->cost_usd;
    ag_result_free(from);
}

/* ---- the trace of one query ------------------------------------------------------------ */

typedef struct Trace {
    const SuiteItem *it;
    char *reference;
    char *reasoning;      /* Reasoner's reasoning */
    char *plan;           /* Reasoner's plan (JSON text) */
} Trace;

static void trace_free(Trace *t) { free(t->reference), free(t->reasoning), free(t->plan); }

static int render(const char *prompt, const char *const *names, const char *const *values, int n, Buf *b, Err *err) {
    buf_reset(b);
    return ag_prompt_render(prompt, names, values, n, b, err);
}

/* "auto": a suite with reference information (TravelPlanner) gets
 * mas_reasoner, the others mas_reasoner_task (the suite's task text and
 * answer form); "statement": the problem alone (the suite's statement),
 * the prompt of a small model distilled on the suite, which learnt the
 * rules and the answer form from its samples. */
int ag_mas_reasoner_prompt(const AgContext *ctx, const SuiteItem *it, Buf *out, Err *err) {
    int style = reasoner_prompt_style(ctx->config_json);
    if (style < 0) return err_set(err, IM_USAGE, "method mas: \"reasoner_prompt\" must be \"auto\" or \"statement\"");
    SuiteMaterial m;
    int rc = suite_material(ctx->suite, it, &m, err);
    if (rc) return rc;
    if (style == 1 && !m.statement) rc = err_set(err, IM_USAGE, "method mas: suite %s gives no statement for \"reasoner_prompt\": \"statement\"", ctx->suite->ops->name);
    else if (style == 1) buf_puts(out, m.statement);
    else if (m.reference) {
        const char *names[] = {"reference", "query"}, *values[] = {m.reference, it->text ? it->text : ""};
        rc = ag_prompt_render("mas_reasoner", names, values, 2, out, err);
    } else {
        const char *names[] = {"task", "answer_format"}, *values[] = {m.task ? m.task : it->text, m.answer_format ? m.answer_format : ""};
        rc = ag_prompt_render("mas_reasoner_task", names, values, 2, out, err);
    }
    suite_material_free(&m);
    return rc;
}

/* A model's text read as the answer with the suite's extract. */
static int extract(const AgContext *ctx, const SuiteItem *it, const char *text, char **answer, Err *err) {
    if (!ctx->suite->ops->extract) return err_set(err, IM_FAIL, "suite %s reads no answer from model text", ctx->suite->ops->name);
    return ctx->suite->ops->extract(ctx->suite, it, text, answer, err);
}

/* Reasoner. IM_OK with t->reasoning and t->plan, or res set to FAILED/ERROR
 * (then t->plan stays NULL); non-zero only for a programming error. */
static int run_reasoner(AgContext *ctx, Mas *m, Trace *t, AgResult *res, Err *err) {
    const SuiteItem *it = t->it;
    if (m->reasoner.kind == ROLE_SOLVER) { /* the suite's programmatic teacher (suite_solve "teacher") */
        double t0 = wall_s();
        uint64_t h = (ctx->seed * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)it->idx * 0xbf58476d1ce4e5b9ull);
        char base[128];
        snprintf(base, sizeof base, "\"error_rate\": %.17g, \"seed\": %llu", m->error_rate,
                 (unsigned long long)(h >> 12)); /* < 2^53: exact in JSON */
        Buf opts;
        buf_init(&opts);
        teacher_opts(m, base, &opts);
        SuiteSolution r;
        int rc = suite_solve(ctx->suite, it, "teacher", opts.data, &r, err);
        buf_free(&opts);
        if (rc) return rc;
        log_programmatic(res, "reasoner", "programmatic:solver", it->fields_json, t0);
        if (r.status != SUITE_SOLVED) {
            ag_result_fail(res, r.timed_out ? AG_ERROR : AG_FAILED, "the solver Reasoner: %s", r.reason ? r.reason : "no plan");
        } else {
            t->plan = r.answer_json, r.answer_json = NULL;
            t->reasoning = r.log ? r.log : strdup(""), r.log = NULL;
        }
        suite_solution_free(&r);
        return IM_OK;
    }
    Buf b;
    buf_init(&b);
    int rc = ag_mas_reasoner_prompt(ctx, it, &b, err);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    AgMessage msg = {"user", b.data};
    char *text = NULL, *reasoning = NULL;
    if (ag_llm_call_model(m->reasoner.model, "reasoner", &msg, 1, res, &text, &reasoning) == IM_OK) {
        Err perr = {0};
        if (extract(ctx, it, text, &t->plan, &perr)) {
            ag_result_fail(res, AG_FAILED, "the Reasoner's answer is not a plan: %s", perr.msg);
            free(res->raw_text), res->raw_text = text, text = NULL;
        } else t->reasoning = reasoning && *reasoning ? strdup(reasoning) : strdup(text);
    }
    free(text), free(reasoning);
    buf_free(&b);
    return IM_OK;
}

typedef enum { V_NO_ERRORS = 0, V_ERRORS = 1, V_UNPARSEABLE = 2 } Verdict;

/* The documented rule: exactly one of the two phrases (case and the final
 * period ignored) decides; neither or both is unparseable. */
static Verdict parse_verdict(const char *text) {
    int e = text && strcasestr(text, "errors exist") != NULL, n = text && strcasestr(text, "no errors") != NULL;
    return e == n ? V_UNPARSEABLE : e ? V_ERRORS : V_NO_ERRORS;
}

typedef struct JudgeJob {
    AgContext *ctx;
    Mas *m;
    const Trace *t;
    int j;
    AgResult res;
    Verdict v;
    int rc;
    Err err;
} JudgeJob;

static void *run_judge(void *arg) {
    JudgeJob *jb = arg;
    const Role *r = &jb->m->judge[jb->j];
    const char *role = jb->j ? "judge-2" : "judge-1";
    if (r->kind == ROLE_RULE) {
        double t0 = wall_s();
        SuiteEval e;
        suite_evaluate(jb->ctx->suite, jb->t->it, jb->t->plan, jb->t->it->line, &e);
        jb->v = e.passed ? V_NO_ERRORS : V_ERRORS;
        suite_eval_free(jb->ctx->suite, &e);
        log_programmatic(&jb->res, role, "programmatic:rule", jb->t->plan, t0);
        return NULL;
    }
    const char *num = jb->j ? "2" : "1";
    Buf b;
    buf_init(&b);
    const char *names[] = {"judge", "query", "reference", "reasoning", "plan"};
    const char *values[] = {num, jb->t->it->text ? jb->t->it->text : "", jb->t->reference, jb->t->reasoning, jb->t->plan};
    jb->rc = render("mas_judge", names, values, 5, &b, &jb->err);
    if (!jb->rc) {
        AgMessage msg = {"user", b.data};
        char *text = NULL;
        if (ag_llm_call_model(r->model, role, &msg, 1, &jb->res, &text, NULL) == IM_OK) jb->v = parse_verdict(text);
        free(text);
    }
    buf_free(&b);
    return NULL;
}

/* Reflector: *reflection and *final (JSON text), or res FAILED/ERROR. */
static int run_reflector(AgContext *ctx, Mas *m, Trace *t, AgResult *res, char **reflection, char **final, Err *err) {
    *reflection = *final = NULL;
    if (m->reflector.kind == ROLE_SOLVER) { /* suite_solve "teacher-reflect" */
        double t0 = wall_s();
        Buf a, o;
        buf_init(&a), buf_init(&o);
        buf_puts(&a, "\"answer\": ");
        buf_json_str(&a, t->plan);
        teacher_opts(m, a.data, &o);
        buf_free(&a);
        SuiteSolution r;
        int rc = suite_solve(ctx->suite, t->it, "teacher-reflect", o.data, &r, err);
        buf_free(&o);
        if (rc) return rc;
        log_programmatic(res, "reflector", "programmatic:solver", t->plan, t0);
        if (r.status != SUITE_SOLVED)
            ag_result_fail(res, r.timed_out ? AG_ERROR : AG_FAILED, "the solver Reflector: %s", r.reason ? r.reason : "no plan");
        else *final = r.answer_json, r.answer_json = NULL, *reflection = r.log ? r.log : strdup(""), r.log = NULL;
        suite_solution_free(&r);
        return IM_OK;
    }
    Buf b;
    buf_init(&b);
    const char *names[] = {"query", "reference", "reasoning", "plan"};
    const char *values[] = {t->it->text ? t->it->text : "", t->reference, t->reasoning, t->plan};
    int rc = render("mas_reflector", names, values, 4, &b, err);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    AgMessage msg = {"user", b.data};
    char *text = NULL;
    if (ag_llm_call_model(m->reflector.model, "reflector", &msg, 1, res, &text, NULL) == IM_OK) {
        const char *cut = strcasestr(text, "final plan:");
        Err perr = {0};
        if (extract(ctx, t->it, cut ? cut : text, final, &perr)) {
            ag_result_fail(res, AG_FAILED, "the Reflector's answer is not a plan: %s", perr.msg);
            free(res->raw_text), res->raw_text = text, text = NULL;
        } else {
            size_t n = cut ? (size_t)(cut - text) : strlen(text);
            while (n && (text[n - 1] == ' ' || text[n - 1] == '\n')) n--;
            *reflection = strndup(text, n);
        }
    }
    free(text);
    buf_free(&b);
    return IM_OK;
}

static int mas_plan(AgContext *ctx, const SuiteItem *it, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    Mas *m = ctx->user;
    Trace t = {.it = it};
    Err rerr = {0};
    if (ag_llm_reference(ctx, it, &t.reference, &rerr)) {
        ag_result_fail(out, AG_ERROR, "%s", rerr.msg);
        return IM_OK;
    }
    int rc = run_reasoner(ctx, m, &t, out, err);
    if (rc || !t.plan) {
        trace_free(&t);
        return rc;
    }
    /* the Judges, in parallel */
    JudgeJob jobs[2];
    pthread_t th;
    int threaded = 0;
    for (int j = 0; j < m->n_judges; j++) jobs[j] = (JudgeJob){.ctx = ctx, .m = m, .t = &t, .j = j};
    if (m->n_judges == 2 && m->judge[1].kind == ROLE_MODEL) threaded = pthread_create(&th, NULL, run_judge, &jobs[1]) == 0;
    for (int j = 0; j < m->n_judges; j++)
        if (j == 0 || !threaded) run_judge(&jobs[j]);
    if (threaded) pthread_join(th, NULL);
    int errors = 0, infra = 0;
    for (int j = 0; j < m->n_judges; j++) {
        if (jobs[j].rc && !rc) rc = jobs[j].rc, *err = jobs[j].err;
        if (jobs[j].res.outcome == AG_ERROR && !infra) infra = 1, ag_result_fail(out, AG_ERROR, "%s", jobs[j].res.failure);
        errors |= jobs[j].v == V_ERRORS || (jobs[j].v == V_UNPARSEABLE && m->unparseable_is_errors);
        merge_result(out, &jobs[j].res);
    }
    char *reflection = NULL, *final = NULL;
    if (!rc && !infra && errors) rc = run_reflector(ctx, m, &t, out, &reflection, &final, err);
    if (!rc && !infra && out->outcome == AG_DONE && (!errors || final)) {
        const char *answer = final ? final : t.plan;
        Buf s;
        buf_init(&s);
        if (m->n_judges) think_flatten(&s, t.reasoning, reflection, answer);
        else buf_printf(&s, THINK_OPEN "\n%s\n" THINK_CLOSE "\n%s", t.reasoning, answer); /* single-agent traces */
        out->raw_text = buf_take(&s);
        out->plan_json = strdup(answer);
        out->reasoning = t.reasoning, t.reasoning = NULL;
    }
    free(reflection), free(final);
    trace_free(&t);
    return rc;
}

const AgMethod ag_method_mas = {"mas", "IMAGINE's multi-agent system: Reasoner, two Judges in parallel, Reflector on errors; the trace flattened into one sample",
                                mas_init, mas_plan, mas_fini};
