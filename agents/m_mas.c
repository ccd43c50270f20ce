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
 *   "unparseable_verdict"  "errors" (default) or "no_errors"
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
#include "refview.h"
#include "solver.h"
#include "teacher.h"
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
    const TpQuery *q;
    char *reference;
    char *reasoning;      /* Reasoner's reasoning */
    char *plan;           /* Reasoner's plan (JSON text) */
    char *solver_plan;    /* programmatic: the unperturbed plan */
} Trace;

static void trace_free(Trace *t) { free(t->reference), free(t->reasoning), free(t->plan), free(t->solver_plan); }

static int render(const char *prompt, const char *const *names, const char *const *values, int n, Buf *b, Err *err) {
    buf_reset(b);
    return ag_prompt_render(prompt, names, values, n, b, err);
}

int ag_mas_reasoner_prompt(const AgContext *ctx, const TpQuery *q, Buf *out, Err *err) {
    char *ref = NULL;
    int rc = ag_llm_reference(ctx, q, &ref, err);
    if (rc) return rc;
    const char *names[] = {"reference", "query"}, *values[] = {ref, q->query};
    rc = ag_prompt_render("mas_reasoner", names, values, 2, out, err);
    free(ref);
    return rc;
}

/* The solver over exactly the reference information the prompts show
 * (ag_llm_reference, read back as a view), so a programmatic trace names
 * only places the Reasoner's prompt lists. */
static int solve_sole(const AgContext *ctx, const TpQuery *q, const char *reference, SolverResult *r, Err *err) {
    TpRefView *view = NULL;
    int rc = tp_ref_view_text(reference, &view, err);
    SolverOptions opt = {.view = view ? &view->db : NULL};
    if (!rc) rc = solver_solve(ctx->db, q, &opt, r, err);
    else memset(r, 0, sizeof *r);
    tp_ref_view_free(view);
    return rc;
}

/* Reasoner. IM_OK with t->reasoning and t->plan, or res set to FAILED/ERROR
 * (then t->plan stays NULL); non-zero only for a programming error. */
static int run_reasoner(AgContext *ctx, Mas *m, Trace *t, AgResult *res, Err *err) {
    const TpQuery *q = t->q;
    if (m->reasoner.kind == ROLE_SOLVER) {
        double t0 = wall_s();
        SolverResult r;
        int rc = solve_sole(ctx, q, t->reference, &r, err);
        if (rc) return rc;
        log_programmatic(res, "reasoner", "programmatic:solver", q->json, t0);
        if (r.status != SOLVER_FEASIBLE) {
            ag_result_fail(res, r.timed_out ? AG_ERROR : AG_FAILED, "the solver Reasoner: %s",
                           r.reason ? r.reason : "no plan");
            solver_result_free(&r);
            return IM_OK;
        }
        cJSON *plan = cJSON_Parse(r.plan_json);
        t->solver_plan = r.plan_json, r.plan_json = NULL;
        solver_result_free(&r);
        uint64_t h = (ctx->seed * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)q->idx * 0xbf58476d1ce4e5b9ull);
        h ^= h >> 29, h *= 0x94d049bb133111ebull, h ^= h >> 32;
        Buf what, tr;
        buf_init(&what), buf_init(&tr);
        if ((double)(h >> 11) / 9007199254740992.0 < m->error_rate) tp_teacher_perturb(ctx->db, q, plan, h, &what);
        tp_teacher_trace(ctx->db, q, plan, &tr);
        t->reasoning = buf_take(&tr);
        t->plan = cJSON_PrintUnformatted(plan);
        cJSON_Delete(plan);
        buf_free(&what), buf_free(&tr);
        return IM_OK;
    }
    Buf b;
    buf_init(&b);
    int rc = ag_mas_reasoner_prompt(ctx, q, &b, err);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    AgMessage msg = {"user", b.data};
    char *text = NULL, *reasoning = NULL;
    if (ag_llm_call_model(m->reasoner.model, "reasoner", &msg, 1, res, &text, &reasoning) == IM_OK) {
        Err perr = {0};
        if (ag_parse_plan(text, &t->plan, &perr)) {
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
        cJSON *plan = cJSON_Parse(jb->t->plan);
        jb->v = tp_teacher_rule_ok(jb->ctx->db, jb->t->q, plan) ? V_NO_ERRORS : V_ERRORS;
        cJSON_Delete(plan);
        log_programmatic(&jb->res, role, "programmatic:rule", jb->t->plan, t0);
        return NULL;
    }
    const char *num = jb->j ? "2" : "1";
    Buf b;
    buf_init(&b);
    const char *names[] = {"judge", "query", "reference", "reasoning", "plan"};
    const char *values[] = {num, jb->t->q->query, jb->t->reference, jb->t->reasoning, jb->t->plan};
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
    if (m->reflector.kind == ROLE_SOLVER) {
        double t0 = wall_s();
        if (!t->solver_plan) { /* a model Reasoner: the solver plans now */
            SolverResult r;
            int rc = solve_sole(ctx, t->q, t->reference, &r, err);
            if (rc) return rc;
            t->solver_plan = r.plan_json, r.plan_json = NULL;
            if (!t->solver_plan) {
                log_programmatic(res, "reflector", "programmatic:solver", t->plan, t0);
                ag_result_fail(res, r.timed_out ? AG_ERROR : AG_FAILED, "the solver Reflector: %s",
                               r.reason ? r.reason : "no plan");
                solver_result_free(&r);
                return IM_OK;
            }
            solver_result_free(&r);
        }
        cJSON *plan = cJSON_Parse(t->plan), *fixed = cJSON_Parse(t->solver_plan);
        Buf b;
        buf_init(&b);
        tp_teacher_reflection(ctx->db, t->q, plan, fixed, &b);
        *reflection = buf_take(&b);
        *final = strdup(t->solver_plan);
        cJSON_Delete(plan), cJSON_Delete(fixed);
        log_programmatic(res, "reflector", "programmatic:solver", t->plan, t0);
        return IM_OK;
    }
    Buf b;
    buf_init(&b);
    const char *names[] = {"query", "reference", "reasoning", "plan"};
    const char *values[] = {t->q->query, t->reference, t->reasoning, t->plan};
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
        if (ag_parse_plan(cut ? cut : text, final, &perr)) {
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

static int mas_plan(AgContext *ctx, const TpQuery *q, AgResult *out, Err *err) {
    memset(out, 0, sizeof *out);
    Mas *m = ctx->user;
    Trace t = {.q = q};
    Err rerr = {0};
    if (ag_llm_reference(ctx, q, &t.reference, &rerr)) {
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
