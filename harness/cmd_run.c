/* cmd_run.c: `imagine run`, `imagine resume`, `imagine retry-errors`.
 * Each takes the run's lock, resets what its contract says (resume:
 * running -> ready; retry-errors: error -> ready, and only those run), and
 * hands the run to run_execute. Exit: 0 complete, 4 items left in error or
 * ready, 2 usage, 3 I/O or database. */
#include <cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fsutil.h"
#include "llm.h"
#include "model.h"
#include "method.h"
#include "run.h"
#include "verbs.h"


static char *abs_path(const char *p) {
    char buf[PATH_MAX];
    return strdup(p && realpath(p, buf) ? buf : p ? p : "");
}

static int usage(const char *verb, const char *msg) {
    Err err;
    err_set(&err, IM_USAGE, "imagine %s: %s", verb, msg);
    return harness_fail(&err);
}

/* Locks the run, executes it, prints the summary; the exit code. */
static int execute_locked(Store *s, long long run_id, RunExec *ex, int reset_from, Err *err) {
    int fd = -1, rc = run_lock(s, run_id, &fd, err);
    long long *only = NULL;
    if (!rc && reset_from == ST_ERROR) { /* retry-errors: exactly the items in error now */
        StoreItem *items = NULL;
        int n = 0;
        rc = store_items(s, run_id, 0, &items, &n, err);
        only = calloc((size_t)(n ? n : 1), sizeof *only);
        for (int i = 0; !rc && i < n; i++)
            if (items[i].state == ST_ERROR) only[ex->n_only++] = items[i].query_id;
        store_items_free(items, n);
        ex->only = only;
        if (!rc && !ex->n_only) fprintf(stderr, "imagine retry-errors: run %lld has no items in error\n", run_id);
    }
    int changed = 0;
    if (!rc && reset_from >= 0) rc = store_items_reset(s, run_id, reset_from, &changed, err);
    if (!rc && changed && reset_from == ST_RUNNING)
        fprintf(stderr, "imagine resume: %d item%s left running by an interrupted run went back to ready\n", changed,
                changed == 1 ? "" : "s");
    StoreRun after = {0};
    if (!rc && (reset_from != ST_ERROR || ex->n_only)) rc = run_execute(s, run_id, ex, &after, err);
    else if (!rc) rc = store_run_get_id(s, run_id, &after, err);
    run_unlock(fd);
    free(only);
    if (!rc) rc = run_exit_code(&after);
    if (rc == IM_INCOMPLETE)
        fprintf(stderr, "imagine: run %lld is incomplete: %d in error, %d not run (imagine retry-errors %lld / imagine "
                "resume %lld)\n", run_id, after.n_state[ST_ERROR], after.n_state[ST_READY] + after.n_state[ST_RUNNING],
                run_id, run_id);
    store_run_free(&after);
    return rc;
}

/* ---- run ------------------------------------------------------------------ */

typedef struct RunArgs {
    const char *method, *model, *split, *queries, *name, *plans, *data, *store, *cache, *suite, *variant;
    const char *judge_model, *reflector_model, *method_config;
    long limit, concurrency, seed, max_steps, max_attempts;
    int no_cache, sole_planning;
} RunArgs;

/* What the method reads (agents/method.h: ctx->config_json): the replayed
 * file, the model spec (never a key: a spec names the variable holding it),
 * the response cache, and the method's limits. */
static char *method_config_json(const RunArgs *a, const char *plans) {
    cJSON *mc = cJSON_CreateObject();
    if (plans) cJSON_AddStringToObject(mc, "plans", plans);
    if (a->model) cJSON_AddStringToObject(mc, "model", a->model);
    if (a->no_cache) cJSON_AddTrueToObject(mc, "no_cache");
    else if (a->cache) cJSON_AddStringToObject(mc, "cache", a->cache);
    cJSON_AddNumberToObject(mc, "concurrency", (double)a->concurrency);
    if (a->max_steps > 0) cJSON_AddNumberToObject(mc, "max_steps", (double)a->max_steps);
    if (a->max_attempts > 0) cJSON_AddNumberToObject(mc, "max_attempts", (double)a->max_attempts);
    if (a->sole_planning) cJSON_AddTrueToObject(mc, "sole_planning");
    if (a->judge_model) cJSON_AddStringToObject(mc, "judge_models", a->judge_model);
    if (a->reflector_model) cJSON_AddStringToObject(mc, "reflector_model", a->reflector_model);
    /* --method-config: the method's own fields (e.g. mas: error_rate, judges) */
    cJSON *extra = a->method_config ? cJSON_Parse(a->method_config) : NULL;
    for (cJSON *f = cJSON_IsObject(extra) ? extra->child : NULL; f; f = f->next) {
        cJSON_DeleteItemFromObjectCaseSensitive(mc, f->string);
        cJSON_AddItemToObject(mc, f->string, cJSON_Duplicate(f, 1));
    }
    cJSON_Delete(extra);
    char prompt[65] = "";
    ag_method_prompt_hash(a->method, prompt);
    if (prompt[0]) cJSON_AddStringToObject(mc, "prompt_sha256", prompt);
    char *out = cJSON_PrintUnformatted(mc);
    cJSON_Delete(mc);
    return out;
}

static char *run_config(const RunArgs *a, const char *qpath, const char *data, const char *plans, int n) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "suite", a->suite);
    cJSON_AddStringToObject(c, "split", a->split);
    cJSON_AddStringToObject(c, "queries", qpath);
    cJSON_AddNumberToObject(c, "n_queries", n);
    cJSON_AddStringToObject(c, "method", a->method);
    if (plans) cJSON_AddStringToObject(c, "plans", plans);
    if (a->model) cJSON_AddStringToObject(c, "model", a->model);
    else cJSON_AddNullToObject(c, "model");
    cJSON_AddNumberToObject(c, "seed", (double)a->seed);
    cJSON_AddNumberToObject(c, "concurrency", (double)a->concurrency);
    if (a->limit > 0) cJSON_AddNumberToObject(c, "limit", (double)a->limit);
    cJSON_AddStringToObject(c, "data", data);
    cJSON_AddStringToObject(c, "imagine", imagine_git_rev);
    char *out = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return out;
}

static int check_args(const RunArgs *a) {
    if (!a->method) return usage("run", "--method M is required (see imagine help run)");
    if (!ag_method_find(a->method)) {
        char msg[512] = "", *p = msg;
        for (const AgMethod *const *m = ag_methods(); *m; m++)
            p += snprintf(p, sizeof msg - (size_t)(p - msg) - 1, "%s%s", m == ag_methods() ? "" : ", ", (*m)->name);
        Err err;
        err_set(&err, IM_USAGE, "imagine run: unknown method '%s' (methods: %s)", a->method, msg);
        return harness_fail(&err);
    }
    const SuiteOps *ops = suite_find(a->suite);
    if (!ops) {
        Err err;
        err_set(&err, IM_USAGE, "imagine run: unknown suite '%s' (suites: %s)", a->suite, suite_names());
        return harness_fail(&err);
    }
    if (!a->split) return usage("run", "--split S (or --variant V) is required (see imagine help run)");
    if (!a->queries && !suite_has_split(ops, a->split)) {
        char msg[600] = "", *p = msg;
        for (const char *const *sp = ops->splits; sp && *sp; sp++)
            p += snprintf(p, sizeof msg - (size_t)(p - msg) - 1, "%s%s", sp == ops->splits ? "" : ", ", *sp);
        Err err;
        err_set(&err, IM_USAGE, "imagine run: --split must be %s%s (or give --queries FILE)",
                !strcmp(ops->name, "travelplanner") ? "train, validation or test" : "one of ", 
                !strcmp(ops->name, "travelplanner") ? "" : msg);
        return harness_fail(&err);
    }
    if (a->limit < 0) return usage("run", "--limit must be at least 1");
    if (a->concurrency < 1 || a->concurrency > 1024) return usage("run", "--concurrency must be between 1 and 1024");
    if (a->name && !*a->name) return usage("run", "--name must not be empty");
    if (a->name && strspn(a->name, "0123456789") == strlen(a->name))
        return usage("run", "--name must not be a number (numbers are run ids)");
    if (!strcmp(a->method, "plans") && !a->plans) return usage("run", "method plans replays a submission: give --plans FILE");
    if (strcmp(a->method, "plans") && a->plans) return usage("run", "--plans FILE is only for --method plans");
    if (a->sole_planning && strcmp(a->method, "solver")) return usage("run", "--sole-planning is only for --method solver");
    if ((a->judge_model || a->reflector_model) && strcmp(a->method, "mas"))
        return usage("run", "--judge-model and --reflector-model are for --method mas");
    if (a->method_config) {
        cJSON *o = cJSON_Parse(a->method_config);
        int ok = cJSON_IsObject(o);
        cJSON_Delete(o);
        if (!ok) return usage("run", "--method-config must be a JSON object, e.g. '{\"error_rate\": 0.3}'");
    }
    return IM_OK;
}

/* What would fail once the run exists is checked before it is created (a
 * refused run leaves nothing behind): the model spec parses, and the
 * response cache (the method opens it when it has a model) is an imagine
 * cache and not, say, the store. */
static int preflight(const RunArgs *a, Err *err) {
    if (!a->model && ag_method_needs_model(a->method))
        return err_set(err, IM_USAGE, "imagine run: method %s needs a model: pass --model openai:BASE_URL#MODEL or a JSON "
                       "file (docs/http.md)", a->method);
    /* "solver" is no model spec: mas takes it for the exact solver (agents/m_mas.c) */
    if (!a->model || !strcmp(a->model, "solver")) return IM_OK;
    const char *store[] = {a->store ? a->store : STORE_DEFAULT_PATH};
    return run_model_preflight("run", "--model", a->model, a->cache, a->no_cache, store, 1, err);
}

static int cmd_run(int argc, char **argv) {
    RunArgs a = {.concurrency = 1, .suite = suite_default_name()};
    const CliOpt opts[] = {
        {"--method", CLI_STR, &a.method, "M", "planning method (plans, and those of agents/)"},
        {"--model", CLI_STR, &a.model, "CFG", "model configuration (recorded with the run)"},
        {"--suite", CLI_STR, &a.suite, "NAME", "the benchmark (default: travelplanner)"},
        {"--split", CLI_STR, &a.split, "S", "train, validation or test"},
        {"--variant", CLI_STR, &a.variant, "V", "the suite's variant (PlanBench: blocksworld, ...): same as --split"},
        {"--queries", CLI_STR, &a.queries, "FILE", "query file (default: DATA/queries/SPLIT.jsonl)"},
        {"--limit", CLI_INT_IN, &(CliIntIn){&a.limit, 1, 1000000000}, "N", "only the first N queries"},
        {"--concurrency", CLI_INT, &a.concurrency, "K", "items planned at once (default 1)"},
        {"--seed", CLI_INT, &a.seed, "N", "seed handed to the method (default 0)"},
        {"--name", CLI_STR, &a.name, "NAME", "a name to refer to the run by"},
        {"--plans", CLI_STR, &a.plans, "FILE", "method plans: the submission file to replay"},
        {"--answers", CLI_STR, &a.plans, "FILE", "method plans: the answer file to replay (PlanBench: the authors' results format; same as --plans)"},
        {"--data", CLI_STR, &a.data, "DIR", "the suite's data (default: $IMAGINE_DATA, else ../shared/NAME)"},
        {"--store", CLI_STR, &a.store, "FILE", "the store (default: imagine.db)"},
        {"--cache", CLI_STR, &a.cache, "FILE", "model response cache (default: imagine-cache.db)"},
        {"--no-cache", CLI_FLAG, &a.no_cache, NULL, "neither read nor write the response cache"},
        {"--max-steps", CLI_INT, &a.max_steps, "N", "react, reflexion, two-stage: step limit per attempt"},
        {"--max-attempts", CLI_INT, &a.max_attempts, "N", "reflexion: attempts per query"},
        {"--sole-planning", CLI_FLAG, &a.sole_planning, NULL, "solver: plan from the query's reference information only"},
        {"--judge-model", CLI_STR, &a.judge_model, "A[,B]", "mas: the Judges (model specs or rule; default: the Reasoner's model)"},
        {"--reflector-model", CLI_STR, &a.reflector_model, "SPEC", "mas: the Reflector (a model spec or solver; default: the Reasoner's)"},
        {"--method-config", CLI_STR, &a.method_config, "JSON", "the method's own fields (mas: judges, error_rate, unparseable_verdict)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("run", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (a.variant && a.split && strcmp(a.variant, a.split)) return usage("run", "--variant and --split name the same thing: give one");
    if (a.variant) a.split = a.variant;
    if ((rc = check_args(&a))) return rc;
    if ((rc = preflight(&a, &err))) return harness_fail(&err);
    if (a.plans && !fs_exists(a.plans)) {
        err_set(&err, IM_IO, "imagine run: cannot read the plans file %s", a.plans);
        return harness_fail(&err);
    }
    const SuiteOps *ops = suite_find(a.suite);
    char *dflag = suite_data_dir(ops, a.data);
    char *data = abs_path(dflag), *qpath = a.queries ? abs_path(a.queries) : NULL, *plans = a.plans ? abs_path(a.plans) : NULL;
    free(dflag);
    Suite *suite = NULL;
    SuiteItems *qs = NULL;
    Store *s = NULL;
    char *config = NULL, *method_config = NULL, **strata = NULL;
    long long suite_id = 0, run_id = 0;
    rc = suite_open(ops, NULL, &suite, &err);
    if (!rc) {
        free(suite->data_dir); /* items only: the run opens the data when it executes */
        suite->data_dir = strdup(data);
        rc = suite_items_load(suite, a.split, qpath, &qs, &err);
    }
    if (!rc && !qpath) qpath = strdup(qs->source);
    if (!rc) rc = (strata = calloc((size_t)(qs->n ? qs->n : 1), sizeof *strata)) ? IM_OK : err_set(&err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < qs->n; i++) {
        Buf b;
        buf_init(&b);
        suite_item_stratum(suite, &qs->item[i], &b);
        strata[i] = buf_take(&b);
    }
    if (!rc) rc = store_open(a.store ? a.store : STORE_DEFAULT_PATH, 1, &s, &err);
    if (!rc) rc = store_suite_put(s, ops->name, a.split, qpath, qs, (const char *const *)strata, &suite_id, &err);
    if (!rc) {
        int n = a.limit > 0 && a.limit < qs->n ? (int)a.limit : qs->n;
        config = run_config(&a, qpath, data, plans, n);
        method_config = method_config_json(&a, plans);
        StoreRunSpec spec = {.name = a.name, .method = a.method, .method_config = method_config,
                             .model = a.model ? a.model : "none", .model_backend = a.model ? "spec" : "none",
                             .model_config = a.model ? a.model : "", .suite_id = suite_id, .n_queries = n,
                             .seed = a.seed, .git_rev = imagine_git_rev, .config_json = config};
        rc = store_run_create(s, &spec, &run_id, &err);
    }
    if (!rc) {
        fprintf(stderr, "imagine run: run %lld%s%s%s in %s\n", run_id, a.name ? " (" : "", a.name ? a.name : "",
                a.name ? ")" : "", store_path(s));
        RunExec ex = {.concurrency = (int)a.concurrency, .data_dir = data, .progress = stdout, .tty = -1};
        rc = execute_locked(s, run_id, &ex, -1, &err);
    }
    store_close(s);
    for (int i = 0; strata && i < qs->n; i++) free(strata[i]);
    free(strata);
    suite_items_free(suite, qs);
    suite_close(suite);
    free(config), free(method_config), free(data), free(qpath), free(plans);
    return rc && rc != IM_INCOMPLETE ? harness_fail(&err) : rc;
}

/* ---- resume, retry-errors ------------------------------------------------- */

static int continue_run(const char *verb, int argc, char **argv, int reset_from) {
    const char *store = NULL, *data = NULL;
    long concurrency = 0;
    const CliOpt opts[] = {
        {"--concurrency", CLI_INT, &concurrency, "K", "items planned at once (default: the run's)"},
        {"--data", CLI_STR, &data, "DIR", "the suite's data (default: the run's)"},
        {"--store", CLI_STR, &store, "FILE", "the store (default: imagine.db)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse(verb, "RUN", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return usage(verb, "give the run: its id or its --name (see imagine runs)");
    if (concurrency < 0 || concurrency > 1024) return usage(verb, "--concurrency must be between 1 and 1024");
    Store *s = NULL;
    StoreRun r = {0};
    rc = store_open(store ? store : STORE_DEFAULT_PATH, 0, &s, &err);
    if (!rc) rc = store_run_get(s, pos[0], &r, &err);
    if (!rc) {
        if (!concurrency) {
            cJSON *cfg = cJSON_Parse(r.config_json ? r.config_json : "{}");
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(cfg, "concurrency");
            concurrency = cJSON_IsNumber(k) && k->valuedouble >= 1 ? (long)k->valuedouble : 1;
            cJSON_Delete(cfg);
        }
        RunExec ex = {.concurrency = (int)concurrency, .data_dir = data, .progress = stdout, .tty = -1};
        rc = execute_locked(s, r.id, &ex, reset_from, &err);
    }
    store_run_free(&r);
    store_close(s);
    return rc && rc != IM_INCOMPLETE ? harness_fail(&err) : rc;
}

static int cmd_resume(int argc, char **argv) { return continue_run("resume", argc, argv, ST_RUNNING); }
static int cmd_retry_errors(int argc, char **argv) { return continue_run("retry-errors", argc, argv, ST_ERROR); }

const CliVerb imagine_verbs_run[] = {
    {"run", cmd_run, "Create a run (split x method x model) in the store and execute it.", ""},
    {"resume", cmd_resume, "Continue an interrupted run: items left running are redone, finished ones never.", "RUN"},
    {"retry-errors", cmd_retry_errors, "Redo only the items of a run that ended in an infrastructure error.", "RUN"},
    {0}};
