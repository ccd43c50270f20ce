/* store_write.c: everything that writes runs into the store: suites and
 * queries, new runs with their items, item claims, one transaction per
 * finished item (with its checks and model calls), resets, status and
 * metrics. Every value is bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "store_priv.h"

/* Runs a prepared statement to completion and finalizes it. */
static int step_done(Store *s, sqlite3_stmt *st, Err *err, const char *what) {
    int rc = sqlite3_step(st);
    int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!ok) store_dberr(s->db, s->path, err, what);
    sqlite3_finalize(st);
    return ok ? IM_OK : IM_IO;
}

/* SELECT returning one integer; *v untouched and 0 returned when no row;
 * 1 when found; -1 on error. */
static int select_id(Store *s, sqlite3_stmt *st, long long *v, Err *err) {
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
    if (found) *v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE) store_dberr(s->db, s->path, err, "reading");
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static void rollback(Store *s) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }

/* ---- suites --------------------------------------------------------------- */

static void digest_items(const SuiteItems *qs, char out[17]) {
    unsigned long long h = 1469598103934665603ULL; /* FNV-1a 64 */
    for (int i = 0; i < qs->n; i++) {
        for (const unsigned char *p = (const unsigned char *)qs->item[i].fields_json; p && *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        h = (h ^ '\n') * 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", h);
}

/* The legacy level and days columns from a stratum "level=X,days=N". */
static void legacy_strata(const char *stratum, char level[32], int *days) {
    const char *l = stratum ? strstr(stratum, "level=") : NULL, *d = stratum ? strstr(stratum, "days=") : NULL;
    level[0] = 0, *days = 0;
    if (l) sscanf(l + 6, "%31[^,]", level);
    if (d) *days = atoi(d + 5);
}

static int suite_put_locked(Store *s, const char *name, const char *split, const char *source, const SuiteItems *qs,
                            const char *const *strata, long long *suite_id, Err *err) {
    char digest[17];
    digest_items(qs, digest);
    sqlite3_stmt *st;
    if (store_prepare(s, "SELECT id FROM suite WHERE name = ?1 AND split = ?2 AND digest = ?3", &st, err)) return IM_IO;
    store_bind_text(st, 1, name), store_bind_text(st, 2, split), store_bind_text(st, 3, digest);
    int found = select_id(s, st, suite_id, err);
    if (found) return found < 0 ? IM_IO : IM_OK;
    if (store_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return IM_IO;
    /* again inside the write transaction: another process may have added it
     * since (concurrent first runs on one store) */
    if (store_prepare(s, "SELECT id FROM suite WHERE name = ?1 AND split = ?2 AND digest = ?3", &st, err)) goto fail;
    store_bind_text(st, 1, name), store_bind_text(st, 2, split), store_bind_text(st, 3, digest);
    found = select_id(s, st, suite_id, err);
    if (found < 0) goto fail;
    if (found) return store_exec(s->db, s->path, "COMMIT", err) ? (rollback(s), IM_IO) : IM_OK;
    if (store_prepare(s, "INSERT INTO suite(name, split, source, digest) VALUES(?1, ?2, ?3, ?4)", &st, err)) goto fail;
    store_bind_text(st, 1, name), store_bind_text(st, 2, split), store_bind_text(st, 3, source);
    store_bind_text(st, 4, digest);
    if (step_done(s, st, err, "adding the suite")) goto fail;
    *suite_id = sqlite3_last_insert_rowid(s->db);
    if (store_prepare(s, "INSERT INTO query(suite_id, pos, idx, level, days, fields_json, strata) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                      &st, err))
        goto fail;
    for (int i = 0; i < qs->n; i++) {
        const SuiteItem *q = &qs->item[i];
        char level[32];
        int days;
        legacy_strata(strata ? strata[i] : NULL, level, &days);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, *suite_id), sqlite3_bind_int(st, 2, i), sqlite3_bind_int(st, 3, q->idx);
        store_bind_text(st, 4, level), sqlite3_bind_int(st, 5, days);
        store_bind_text(st, 6, q->fields_json);
        store_bind_text(st, 7, strata && strata[i] ? strata[i] : "");
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_dberr(s->db, s->path, err, "adding a query");
            sqlite3_finalize(st);
            goto fail;
        }
    }
    sqlite3_finalize(st);
    if (store_exec(s->db, s->path, "COMMIT", err)) goto fail;
    return IM_OK;
fail:
    rollback(s);
    return IM_IO;
}

int store_suite_put(Store *s, const char *name, const char *split, const char *source, const SuiteItems *qs,
                    const char *const *strata, long long *suite_id, Err *err) {
    pthread_mutex_lock(&s->mu);
    int rc = suite_put_locked(s, name, split, source, qs, strata, suite_id, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- runs ----------------------------------------------------------------- */

static int upsert_id(Store *s, const char *insert, const char *select, const char *a, const char *b, const char *c,
                     long long *id, Err *err) {
    sqlite3_stmt *st;
    if (store_prepare(s, insert, &st, err)) return IM_IO;
    store_bind_text(st, 1, a), store_bind_text(st, 2, b);
    if (c) store_bind_text(st, 3, c);
    if (step_done(s, st, err, "adding a method or model")) return IM_IO;
    if (store_prepare(s, select, &st, err)) return IM_IO;
    store_bind_text(st, 1, a), store_bind_text(st, 2, b);
    if (c) store_bind_text(st, 3, c);
    return select_id(s, st, id, err) == 1 ? IM_OK : err_set(err, IM_IO, "store %s: method or model row missing", s->path);
}

static int run_create_locked(Store *s, const StoreRunSpec *sp, long long *run_id, Err *err) {
    sqlite3_stmt *st;
    long long method_id, model_id, other;
    /* the name is checked inside the write transaction, so two runs started
     * at once with one name get this usage error, not a raw UNIQUE failure */
    if (store_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return IM_IO;
    if (sp->name) {
        if (store_prepare(s, "SELECT id FROM run WHERE name = ?1", &st, err)) goto fail;
        store_bind_text(st, 1, sp->name);
        int found = select_id(s, st, &other, err);
        if (found < 0) goto fail;
        if (found) {
            err_set(err, IM_USAGE, "a run named '%s' already exists in %s (run %lld): continue it with "
                    "`imagine resume %s`, or choose another --name", sp->name, s->path, other, sp->name);
            goto fail;
        }
    }
    if (upsert_id(s, "INSERT OR IGNORE INTO method(name, config_json) VALUES(?1, ?2)",
                  "SELECT id FROM method WHERE name = ?1 AND config_json = ?2", sp->method,
                  sp->method_config ? sp->method_config : "{}", NULL, &method_id, err))
        goto fail;
    if (upsert_id(s, "INSERT OR IGNORE INTO model(name, backend, path_or_url) VALUES(?1, ?2, ?3)",
                  "SELECT id FROM model WHERE name = ?1 AND backend = ?2 AND path_or_url = ?3 AND sha256 = ''",
                  sp->model ? sp->model : "none", sp->model_backend ? sp->model_backend : "none",
                  sp->model_config ? sp->model_config : "", &model_id, err))
        goto fail;
    if (store_prepare(s,
                      "INSERT INTO run(name, method_id, model_id, suite_id, seed, started, git_rev, config_json, status) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running')",
                      &st, err))
        goto fail;
    store_bind_text(st, 1, sp->name);
    sqlite3_bind_int64(st, 2, method_id), sqlite3_bind_int64(st, 3, model_id), sqlite3_bind_int64(st, 4, sp->suite_id);
    sqlite3_bind_int64(st, 5, sp->seed), sqlite3_bind_double(st, 6, store_now());
    store_bind_text(st, 7, sp->git_rev), store_bind_text(st, 8, sp->config_json);
    if (step_done(s, st, err, "creating the run")) goto fail;
    *run_id = sqlite3_last_insert_rowid(s->db);
    if (store_prepare(s,
                      "INSERT INTO item(run_id, query_id, state) SELECT ?1, id, 'ready' FROM query "
                      "WHERE suite_id = ?2 AND pos < ?3 ORDER BY pos",
                      &st, err))
        goto fail;
    sqlite3_bind_int64(st, 1, *run_id), sqlite3_bind_int64(st, 2, sp->suite_id), sqlite3_bind_int(st, 3, sp->n_queries);
    if (step_done(s, st, err, "creating the items")) goto fail;
    if (store_exec(s->db, s->path, "COMMIT", err)) goto fail;
    return IM_OK;
fail:
    rollback(s);
    return err->code ? err->code : IM_IO;
}

int store_run_create(Store *s, const StoreRunSpec *spec, long long *run_id, Err *err) {
    pthread_mutex_lock(&s->mu);
    int rc = run_create_locked(s, spec, run_id, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- items ---------------------------------------------------------------- */

int store_item_claim(Store *s, long long run_id, long long query_id, Err *err) {
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "UPDATE item SET state = 'running', attempts = attempts + 1, started = ?3 "
                           "WHERE run_id = ?1 AND query_id = ?2 AND state = 'ready'",
                           &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_int64(st, 2, query_id), sqlite3_bind_double(st, 3, store_now());
        rc = step_done(s, st, err, "claiming an item");
        if (!rc && sqlite3_changes(s->db) != 1)
            rc = err_set(err, IM_IO, "store %s: run %lld, query %lld is no longer ready (is another process running "
                         "this run?)", s->path, run_id, query_id);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int insert_checks(Store *s, long long run_id, long long query_id, const SuiteEval *r, Err *err) {
    sqlite3_stmt *st;
    if (store_prepare(s, "INSERT INTO verdict(run_id, query_id, family, name, value, message) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &st, err))
        return IM_IO;
    for (int i = 0; i < r->n; i++) {
        const SuiteVerdict *v = &r->v[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_int64(st, 2, query_id);
        store_bind_text(st, 3, v->family);
        store_bind_text(st, 4, v->name);
        if (v->value < 0) sqlite3_bind_null(st, 5);
        else sqlite3_bind_int(st, 5, v->value);
        store_bind_text(st, 6, v->message);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_dberr(s->db, s->path, err, "storing a check");
            sqlite3_finalize(st);
            return IM_IO;
        }
    }
    sqlite3_finalize(st);
    return IM_OK;
}

static int insert_calls(Store *s, long long run_id, const StoreFinish *f, Err *err) {
    if (f->n_llm_calls <= 0) return IM_OK;
    sqlite3_stmt *st;
    if (store_prepare(s, "INSERT INTO llm_call(run_id, query_id, role, request_hash, tokens_in, tokens_out, latency_ms, "
                      "cached, status, created, model, cost, attempts, http_status, finish_reason, error) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", &st, err))
        return IM_IO;
    double now = store_now();
    for (int i = 0; i < f->n_llm_calls; i++) {
        const StoreCall *c = &f->llm_calls[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_int64(st, 2, f->query_id);
        store_bind_text(st, 3, c->role ? c->role : "planner");
        store_bind_text(st, 4, c->request_hash ? c->request_hash : "");
        sqlite3_bind_int64(st, 5, c->tokens_in), sqlite3_bind_int64(st, 6, c->tokens_out);
        sqlite3_bind_double(st, 7, c->latency_ms), sqlite3_bind_int(st, 8, c->cache_hit ? 1 : 0);
        store_bind_text(st, 9, c->ok ? "ok" : "error");
        sqlite3_bind_double(st, 10, c->at > 0 ? c->at : now);
        store_bind_text(st, 11, c->model), sqlite3_bind_double(st, 12, c->cost);
        sqlite3_bind_int(st, 13, c->attempts);
        if (c->http_status) sqlite3_bind_int(st, 14, c->http_status);
        else sqlite3_bind_null(st, 14);
        store_bind_text(st, 15, c->finish_reason), store_bind_text(st, 16, c->ok ? NULL : c->error);
        if (sqlite3_step(st) != SQLITE_DONE) {
            store_dberr(s->db, s->path, err, "storing a model call");
            sqlite3_finalize(st);
            return IM_IO;
        }
    }
    sqlite3_finalize(st);
    return IM_OK;
}

static int finish_locked(Store *s, long long run_id, const StoreFinish *f, Err *err) {
    sqlite3_stmt *st;
    if (store_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return IM_IO;
    if (store_prepare(s,
                      "UPDATE item SET state = ?3, plan_json = ?4, raw_text = ?5, reasoning = ?6, error = ?7, "
                      "latency_ms = ?8, tokens_in = ?9, tokens_out = ?10, cost = ?11, calls = ?12, cache_hits = ?13, "
                      "plan_cost = ?14, finished = ?15 WHERE run_id = ?1 AND query_id = ?2",
                      &st, err))
        goto fail;
    sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_int64(st, 2, f->query_id);
    store_bind_text(st, 3, store_state_name(f->state));
    store_bind_text(st, 4, f->state == ST_DONE ? f->plan_json : NULL);
    store_bind_text(st, 5, f->raw_text), store_bind_text(st, 6, f->reasoning), store_bind_text(st, 7, f->error);
    sqlite3_bind_double(st, 8, f->latency_ms);
    sqlite3_bind_int64(st, 9, f->tokens_in), sqlite3_bind_int64(st, 10, f->tokens_out);
    sqlite3_bind_double(st, 11, f->cost);
    sqlite3_bind_int(st, 12, f->calls), sqlite3_bind_int(st, 13, f->cache_hits);
    if (f->eval && f->eval->has_cost) sqlite3_bind_double(st, 14, f->eval->cost);
    else sqlite3_bind_null(st, 14);
    sqlite3_bind_double(st, 15, store_now());
    if (step_done(s, st, err, "storing an item")) goto fail;
    if (sqlite3_changes(s->db) != 1) {
        err_set(err, IM_IO, "store %s: run %lld has no item for query %lld", s->path, run_id, f->query_id);
        goto fail;
    }
    if (store_prepare(s, "DELETE FROM verdict WHERE run_id = ?1 AND query_id = ?2", &st, err)) goto fail;
    sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_int64(st, 2, f->query_id);
    if (step_done(s, st, err, "replacing checks")) goto fail;
    if (f->state == ST_DONE && f->eval && insert_checks(s, run_id, f->query_id, f->eval, err)) goto fail;
    if (insert_calls(s, run_id, f, err)) goto fail;
    if (store_prepare(s, "UPDATE run SET active_s = active_s + ?2 WHERE id = ?1", &st, err)) goto fail;
    sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_double(st, 2, f->active_s);
    if (step_done(s, st, err, "updating the run")) goto fail;
    fault_hit("kill-in-commit");
    if (store_exec(s->db, s->path, "COMMIT", err)) goto fail;
    fault_hit("kill-after-commit");
    return IM_OK;
fail:
    rollback(s);
    return IM_IO;
}

int store_item_finish(Store *s, long long run_id, const StoreFinish *f, Err *err) {
    pthread_mutex_lock(&s->mu);
    int rc = finish_locked(s, run_id, f, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_items_reset(Store *s, long long run_id, int from, int *changed, Err *err) {
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = store_prepare(s, "UPDATE item SET state = 'ready' WHERE run_id = ?1 AND state = ?2", &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, run_id), store_bind_text(st, 2, store_state_name(from));
        rc = step_done(s, st, err, "resetting items");
        if (changed) *changed = rc ? 0 : sqlite3_changes(s->db);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_run_set_status(Store *s, long long run_id, const char *status, double finished, Err *err) {
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = store_prepare(s, "UPDATE run SET status = ?2, finished = CASE WHEN ?3 > 0 THEN ?3 ELSE finished END "
                           "WHERE id = ?1", &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, run_id), store_bind_text(st, 2, status), sqlite3_bind_double(st, 3, finished);
        rc = step_done(s, st, err, "updating the run's status");
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- metrics -------------------------------------------------------------- */

static int metrics_locked(Store *s, long long run_id, const SuiteMetrics *m, Err *err) {
    sqlite3_stmt *st;
    if (store_exec(s->db, s->path, "BEGIN IMMEDIATE", err)) return IM_IO;
    if (store_prepare(s, "DELETE FROM metric WHERE run_id = ?1", &st, err)) goto fail;
    sqlite3_bind_int64(st, 1, run_id);
    if (step_done(s, st, err, "replacing metrics")) goto fail;
    if (store_prepare(s, "INSERT INTO metric(run_id, name, stratum, value, num, den) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &st,
                      err))
        goto fail;
    int rc = 0;
    for (int i = 0; !rc && i < m->n; i++) {
        const SuiteMetric *x = &m->row[i];
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id), store_bind_text(st, 2, x->name), store_bind_text(st, 3, x->stratum);
        sqlite3_bind_double(st, 4, x->value);
        if (x->den > 0) sqlite3_bind_double(st, 5, x->num), sqlite3_bind_double(st, 6, x->den);
        else sqlite3_bind_null(st, 5), sqlite3_bind_null(st, 6);
        rc = sqlite3_step(st) == SQLITE_DONE ? IM_OK : store_dberr(s->db, s->path, err, "storing a metric");
    }
    sqlite3_finalize(st);
    if (rc || store_exec(s->db, s->path, "COMMIT", err)) goto fail;
    return IM_OK;
fail:
    rollback(s);
    return IM_IO;
}

int store_metrics_put(Store *s, long long run_id, const SuiteMetrics *m, Err *err) {
    pthread_mutex_lock(&s->mu);
    int rc = metrics_locked(s, run_id, m, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}
