/* run.c: executing the ready items of a run with K worker threads, one
 * store transaction per finished item; the run's lock; metrics from the
 * stored checks. Sections in the order a run goes: lock, setup, workers,
 * wrap-up. */
#include "run.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "fault.h"
#include "method.h"
#include "../agents/model.h" /* not reports/model.h */
#include "progress.h"
#include "verbs.h"

/* ---- lock ----------------------------------------------------------------- */

int run_lock(const Store *s, long long run_id, int *fd, Err *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s.lock", store_path(s));
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0) return err_set(err, IM_IO, "cannot open the run lock %s: %s", path, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)run_id, .l_len = 1};
    if (fcntl(*fd, F_SETLK, &fl) == 0) return IM_OK;
    int e = errno;
    struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)run_id, .l_len = 1};
    long pid = fcntl(*fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : -1;
    close(*fd), *fd = -1;
    if (e == EACCES || e == EAGAIN)
        return err_set(err, IM_IO, "run %lld is being executed by another process (pid %ld): wait for it, or follow it "
                       "with `imagine status %lld`", run_id, pid, run_id);
    return err_set(err, IM_IO, "cannot lock %s: %s", path, strerror(e));
}

long run_lock_holder(const Store *s, long long run_id) {
    char path[4200];
    snprintf(path, sizeof path, "%s.lock", store_path(s));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)run_id, .l_len = 1};
    long pid = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : 0;
    close(fd);
    return pid;
}

void run_unlock(int fd) {
    if (fd >= 0) close(fd); /* closing releases the fcntl lock */
}

/* ---- metrics -------------------------------------------------------------- */

int run_suite_find(const StoreRun *r, const SuiteOps **ops, Err *err) {
    *ops = suite_find(r->suite);
    if (!*ops)
        return err_set(err, IM_USAGE, "run %lld is of suite '%s', which this imagine does not have (suites: %s)", r->id,
                       r->suite ? r->suite : "", suite_names());
    return IM_OK;
}

int run_parse_items(const Suite *suite, const StoreItem *items, int n, const char *where, SuiteItem **out, Err *err) {
    *out = calloc((size_t)(n ? n : 1), sizeof **out);
    if (!*out) return err_set(err, IM_IO, "out of memory");
    for (int i = 0; i < n; i++)
        if (suite_item_parse(suite, items[i].query_json, where, items[i].pos + 1, &(*out)[i], err)) {
            run_free_items(suite, *out, i);
            *out = NULL;
            return IM_IO;
        }
    return IM_OK;
}

void run_free_items(const Suite *suite, SuiteItem *its, int n) {
    for (int i = 0; its && i < n; i++) suite_item_free(suite, &its[i]);
    free(its);
}

int run_metrics(Store *s, const StoreRun *r, RunMetrics *m, Err *err) {
    memset(m, 0, sizeof *m);
    const SuiteOps *ops;
    StoreItem *items = NULL;
    SuiteItem *its = NULL;
    int n = 0, rc = run_suite_find(r, &ops, err);
    if (!rc) rc = suite_open(ops, NULL, &m->suite, err);
    if (!rc) rc = store_items(s, r->id, 1, &items, &n, err);
    if (!rc) rc = run_parse_items(m->suite, items, n, store_path(s), &its, err);
    SuiteEval *ev = rc ? NULL : calloc((size_t)(n ? n : 1), sizeof *ev);
    if (!rc && !ev) rc = err_set(err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < n; i++)
        if (!(rc = ops->verdicts_load(m->suite, &items[i].eval, err))) ev[i] = items[i].eval; /* shallow */
    if (!rc) rc = suite_metrics(m->suite, r->split, its, ev, n, &m->m, err);
    run_free_items(m->suite, its, n);
    for (int i = 0; i < n; i++)
        if (ops && ops->eval_free) ops->eval_free(&items[i].eval); /* the natives; ev's are the same */
    free(ev);
    store_items_free(items, n);
    if (rc) run_metrics_free(m);
    return rc;
}

void run_metrics_free(RunMetrics *m) {
    if (!m) return;
    if (m->suite) suite_metrics_free(m->suite, &m->m);
    suite_close(m->suite);
    memset(m, 0, sizeof *m);
}

double run_metrics_headline(const RunMetrics *m, const char **key) {
    const char *k = m->suite && m->suite->ops->n_rates ? m->suite->ops->rates[0].key : "";
    if (key) *key = k;
    return suite_metric_value(&m->m, k);
}

int run_exit_code(const StoreRun *r) {
    return r->n_state[ST_READY] || r->n_state[ST_RUNNING] || r->n_state[ST_ERROR] ? IM_INCOMPLETE : IM_OK;
}

/* ---- workers -------------------------------------------------------------- */

typedef struct Shared {
    Store *store;
    long long run_id;
    const AgMethod *method;
    AgContext *ctx;
    const Suite *suite;
    StoreItem *items;
    SuiteItem *qs;
    int *todo, n_todo, next;   /* indices of ready items; next to take */
    int stop;                  /* a fatal error: take no more items */
    Err fatal;
    double last_commit;        /* wall time of the last commit (active time) */
    Progress *progress;
    pthread_mutex_t mu;
} Shared;

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void set_fatal(Shared *sh, const Err *e) {
    pthread_mutex_lock(&sh->mu);
    if (!sh->stop) sh->fatal = *e;
    sh->stop = 1;
    pthread_mutex_unlock(&sh->mu);
}

/* Scores a delivered answer with the suite's evaluator (TravelPlanner:
 * the line {"plan": PLAN}, the path `imagine eval` takes). */
static void score(const Shared *sh, int i, const char *plan_json, SuiteEval *pr) {
    suite_evaluate(sh->suite, &sh->qs[i], plan_json, sh->items[i].pos + 1, pr);
}

static void run_item(Shared *sh, int i) {
    StoreItem *it = &sh->items[i];
    Err e = {0};
    if (store_item_claim(sh->store, sh->run_id, it->query_id, &e)) {
        set_fatal(sh, &e);
        return;
    }
    fault_hit("kill-after-claim");
    fault_hit("stop-after-claim");
    AgResult res = {0};
    SuiteEval pr = {0};
    double t0 = mono_s();
    int rc = sh->method->plan(sh->ctx, &sh->qs[i], &res, &e);
    double latency_ms = (mono_s() - t0) * 1000.0;
    StoreCall *calls = res.n_call_log ? calloc((size_t)res.n_call_log, sizeof *calls) : NULL;
    for (int k = 0; calls && k < res.n_call_log; k++) {
        const AgCall *c = &res.call_log[k];
        calls[k] = (StoreCall){.role = c->role, .request_hash = c->request_hash, .model = c->model,
                               .finish_reason = c->finish_reason, .error = c->error, .ok = c->ok,
                               .cache_hit = c->cache_hit, .attempts = c->attempts, .http_status = c->http_status,
                               .tokens_in = c->tokens_in, .tokens_out = c->tokens_out, .cost = c->cost_usd,
                               .latency_ms = c->latency_ms, .at = c->at};
    }
    StoreFinish f = {.query_id = it->query_id, .raw_text = res.raw_text, .reasoning = res.reasoning,
                     .latency_ms = latency_ms, .tokens_in = res.tokens_in, .tokens_out = res.tokens_out,
                     .cost = res.cost_usd, .calls = res.calls, .cache_hits = res.cache_hits,
                     .llm_calls = calls, .n_llm_calls = calls ? res.n_call_log : 0};
    char why[1200];
    if (res.n_call_log && !calls) { /* not storable whole: leave it running for resume, and stop */
        Err oom = {0};
        err_set(&oom, IM_IO, "out of memory storing the model calls of query %lld: resume the run", it->query_id);
        set_fatal(sh, &oom);
        ag_result_free(&res);
        return;
    }
    if (rc) {
        snprintf(why, sizeof why, "method %s stopped the run: %s", sh->method->name, e.msg);
        f.state = ST_ERROR, f.error = why;
        set_fatal(sh, &e);
    } else if (fault_hit("error-item")) {
        f.state = ST_ERROR, f.error = "injected fault (IMAGINE_FAULT=error-item)";
    } else if (res.outcome == AG_ERROR) {
        f.state = ST_ERROR, f.error = res.failure ? res.failure : "infrastructure error";
    } else if (res.outcome == AG_FAILED || !res.plan_json) {
        f.state = ST_FAILED, f.error = res.failure ? res.failure : "the method delivered no plan";
    } else {
        score(sh, i, res.plan_json, &pr);
        if (pr.note || !pr.delivered) {
            f.state = ST_FAILED, f.error = pr.note ? pr.note : "the method returned an empty plan";
        } else {
            f.state = ST_DONE, f.plan_json = res.plan_json, f.eval = &pr;
        }
    }
    pthread_mutex_lock(&sh->mu);
    double t = store_now();
    f.active_s = t - sh->last_commit;
    sh->last_commit = t;
    pthread_mutex_unlock(&sh->mu);
    Err fe = {0};
    if (store_item_finish(sh->store, sh->run_id, &f, &fe)) set_fatal(sh, &fe);
    else if (sh->progress) progress_item(sh->progress, f.state == ST_DONE ? 0 : f.state == ST_FAILED ? 1 : 2);
    suite_eval_free(sh->suite, &pr);
    free(calls);
    ag_result_free(&res);
}

static void *worker(void *arg) {
    Shared *sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        int i = sh->stop || sh->next >= sh->n_todo ? -1 : sh->todo[sh->next++];
        pthread_mutex_unlock(&sh->mu);
        if (i < 0) return NULL;
        run_item(sh, i);
    }
}

/* The model's backoff callback (its I/O thread): shown on the progress
 * line. sh->progress is set before the workers start, and every call the
 * model makes comes from a worker, so it is never read half-set. */
static void on_backoff(void *arg, double seconds, const char *why) {
    Shared *sh = arg;
    if (sh->progress) progress_backoff(sh->progress, seconds, why);
}

/* ---- setup and wrap-up ---------------------------------------------------- */

/* The data dir: ex->data_dir, else the one recorded in the run's config. */
static char *data_dir_of(const StoreRun *r, const RunExec *ex) {
    if (ex->data_dir) return strdup(ex->data_dir);
    cJSON *cfg = cJSON_Parse(r->config_json ? r->config_json : "{}");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(cfg, "data");
    char *out = cJSON_IsString(d) ? strdup(d->valuestring) : NULL;
    cJSON_Delete(cfg);
    return out;
}

/* Plans the ready items; *prog is initialised (and *has_prog set) once the
 * counts are known, so that run_execute prints the summary. */
static int execute(Store *s, const StoreRun *r, const RunExec *ex, Progress *prog, int *has_prog, Err *err) {
    const AgMethod *method = ag_method_find(r->method);
    if (!method) return err_set(err, IM_USAGE, "run %lld uses method '%s', which this imagine does not have", r->id, r->method);
    char *data = data_dir_of(r, ex);
    if (!data) return err_set(err, IM_USAGE, "run %lld records no data directory: pass --data DIR", r->id);
    Shared sh = {.store = s, .run_id = r->id, .method = method, .last_commit = store_now()};
    pthread_mutex_init(&sh.mu, NULL);
    Suite *suite = NULL;
    const SuiteOps *ops = NULL;
    AgContext ctx = {0};
    int n = 0, inited = 0, rc = run_suite_find(r, &ops, err);
    if (!rc) rc = store_items(s, r->id, 0, &sh.items, &n, err);
    if (!rc) rc = suite_open(ops, data, &suite, err);
    if (!rc) rc = run_parse_items(suite, sh.items, n, store_path(s), &sh.qs, err);
    if (!rc) {
        ctx = (AgContext){.suite = suite, .data_dir = data, .config_json = r->method_config, .seed = (unsigned long long)r->seed,
                          .on_backoff = on_backoff, .on_backoff_arg = &sh};
        rc = method->init ? method->init(&ctx, err) : IM_OK;
        inited = !rc;
    }
    if (!rc) rc = store_run_set_status(s, r->id, "running", 0, err);
    if (!rc) {
        sh.ctx = &ctx, sh.suite = suite;
        sh.todo = malloc((size_t)(n ? n : 1) * sizeof *sh.todo);
        int finished = 0;
        for (int i = 0; i < n; i++) {
            int wanted = ex->n_only <= 0;
            for (int j = 0; !wanted && j < ex->n_only; j++) wanted = ex->only[j] == sh.items[i].query_id;
            if (sh.items[i].state == ST_READY && wanted) sh.todo[sh.n_todo++] = i;
            finished += sh.items[i].state == ST_DONE || sh.items[i].state == ST_FAILED;
        }
        char label[64];
        snprintf(label, sizeof label, "run %lld", r->id);
        if (ex->progress) progress_init(prog, ex->progress, ex->tty, label, n, finished), sh.progress = prog, *has_prog = 1;
        int k = ex->concurrency < 1 ? 1 : ex->concurrency;
        if (k > sh.n_todo) k = sh.n_todo;
        pthread_t *th = calloc((size_t)(k ? k : 1), sizeof *th);
        int started = 0;
        for (int t = 0; t < k; t++) started += pthread_create(&th[started], NULL, worker, &sh) == 0;
        if (k && !started) worker(&sh); /* no thread could start: do the work here */
        for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
        free(th);
        if (sh.stop) rc = err_set(err, sh.fatal.code ? sh.fatal.code : IM_IO, "%s", sh.fatal.msg);
    }
    if (inited && method->fini) method->fini(&ctx);
    free(sh.todo);
    run_free_items(suite, sh.qs, n);
    store_items_free(sh.items, n);
    suite_close(suite);
    free(data);
    pthread_mutex_destroy(&sh.mu);
    return rc;
}

int run_execute(Store *s, long long run_id, const RunExec *ex, StoreRun *after, Err *err) {
    StoreRun r;
    if (store_run_get_id(s, run_id, &r, err)) return err->code;
    Progress prog;
    int has_prog = 0;
    int rc = execute(s, &r, ex, &prog, &has_prog, err);
    StoreRun end;
    Err e2 = {0};
    int rc2 = store_run_get_id(s, run_id, &end, &e2);
    if (!rc2) {
        int complete = run_exit_code(&end) == IM_OK;
        rc2 = store_run_set_status(s, run_id, complete ? "complete" : "incomplete", store_now(), &e2);
        RunMetrics m = {0};
        if (!rc2) rc2 = run_metrics(s, &end, &m, &e2);
        if (!rc2) rc2 = store_metrics_put(s, run_id, &m.m, &e2);
        if (!rc2 && has_prog) {
            char extra[200];
            const char *key;
            double head = run_metrics_headline(&m, &key);
            const SuiteRate *rate = m.suite->ops->n_rates ? &m.suite->ops->rates[0] : NULL;
            char label[64];
            snprintf(label, sizeof label, "%s", rate ? rate->label : key);
            for (char *c = label; *c; c++) *c = (char)tolower((unsigned char)*c);
            snprintf(extra, sizeof extra, "%d done, %d failed, %d errors, %d left; %s rate %.1f%%",
                     end.n_state[ST_DONE], end.n_state[ST_FAILED], end.n_state[ST_ERROR],
                     end.n_state[ST_READY] + end.n_state[ST_RUNNING], label, head * 100);
            progress_end(&prog, extra);
        }
        run_metrics_free(&m);
    }
    if (has_prog) progress_destroy(&prog);
    if (!rc && rc2) rc = rc2, *err = e2;
    if (after && !rc2) *after = end;
    else if (!rc2) store_run_free(&end);
    store_run_free(&r);
    return rc;
}

int run_model_preflight(const char *verb, const char *flag, const char *spec, const char *cache, int no_cache,
                        const char *const *inputs, int n, Err *err) {
    AgModelConfig mc;
    int rc = ag_model_config_parse(spec, &mc, err);
    if (rc) return err_prefix(err, "imagine %s: %s", verb, flag), rc;
    ag_model_config_free(&mc);
    if (no_cache) return IM_OK;
    if (!cache) cache = AG_CACHE_DEFAULT;
    if ((rc = harness_refuse_input_as_output(verb, "--cache", cache, inputs, n, err))) return rc;
    AgCache *c = NULL;
    rc = ag_cache_open(cache, &c, err);
    ag_cache_close(c);
    return rc;
}
