/* store_read.c: reading runs, items with their checks, and the sums of a
 * run's model calls back from the store (the API that show, status, export
 * and reports/ use). Reads only. */
#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

/* ---- runs ----------------------------------------------------------------- */

static const char run_select[] =
    "SELECT r.id, r.name, me.name, me.config_json, mo.name, su.name, su.split, r.status, r.git_rev, r.config_json, "
    "r.seed, r.started, coalesce(r.finished, 0), r.active_s "
    "FROM run r JOIN method me ON me.id = r.method_id JOIN model mo ON mo.id = r.model_id "
    "JOIN suite su ON su.id = r.suite_id ";

static void run_from_row(sqlite3_stmt *st, StoreRun *r) {
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->name = store_col_strdup(st, 1);
    r->method = store_col_strdup(st, 2), r->method_config = store_col_strdup(st, 3);
    r->model = store_col_strdup(st, 4);
    r->suite = store_col_strdup(st, 5), r->split = store_col_strdup(st, 6);
    r->status = store_col_strdup(st, 7);
    r->git_rev = store_col_strdup(st, 8), r->config_json = store_col_strdup(st, 9);
    r->seed = sqlite3_column_int64(st, 10);
    r->started = sqlite3_column_double(st, 11), r->finished = sqlite3_column_double(st, 12);
    r->active_s = sqlite3_column_double(st, 13);
}

static int run_counts(Store *s, StoreRun *r, Err *err) {
    sqlite3_stmt *st;
    if (store_prepare(s, "SELECT state, count(*), sum(tokens_in), sum(tokens_out), sum(cost) FROM item "
                      "WHERE run_id = ?1 GROUP BY state", &st, err))
        return IM_IO;
    sqlite3_bind_int64(st, 1, r->id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int state = store_state_parse((const char *)sqlite3_column_text(st, 0)), n = sqlite3_column_int(st, 1);
        if (state >= 0) r->n_state[state] = n;
        r->n_items += n;
        r->tokens_in += sqlite3_column_int64(st, 2), r->tokens_out += sqlite3_column_int64(st, 3);
        r->cost += sqlite3_column_double(st, 4);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? IM_OK : store_dberr(s->db, s->path, err, "counting items");
}

void store_run_free(StoreRun *r) {
    if (!r) return;
    free(r->name), free(r->method), free(r->method_config), free(r->model), free(r->suite), free(r->split);
    free(r->status), free(r->git_rev), free(r->config_json);
    memset(r, 0, sizeof *r);
}

void store_runs_free(StoreRun *rs, int n) {
    for (int i = 0; rs && i < n; i++) store_run_free(&rs[i]);
    free(rs);
}

static int run_get_locked(Store *s, const char *ref, long long id, StoreRun *out, Err *err) {
    char sql[sizeof run_select + 32];
    sqlite3_stmt *st;
    int by_id = !ref;
    if (ref) {
        by_id = *ref != 0;
        for (const char *p = ref; *p; p++) by_id &= isdigit((unsigned char)*p) != 0;
        if (by_id) id = strtoll(ref, NULL, 10);
    }
    snprintf(sql, sizeof sql, "%s%s", run_select, by_id ? "WHERE r.id = ?1" : "WHERE r.name = ?1");
    if (store_prepare(s, sql, &st, err)) return IM_IO;
    if (by_id) sqlite3_bind_int64(st, 1, id);
    else store_bind_text(st, 1, ref);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) run_from_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        if (ref) return err_set(err, IM_USAGE, "no run '%s' in %s (see `imagine runs --store %s`)", ref, s->path, s->path);
        return err_set(err, IM_USAGE, "no run %lld in %s", id, s->path);
    }
    if (rc != SQLITE_ROW) return store_dberr(s->db, s->path, err, "reading the run");
    if (run_counts(s, out, err)) {
        store_run_free(out);
        return IM_IO;
    }
    return IM_OK;
}

int store_run_get(Store *s, const char *ref, StoreRun *out, Err *err) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->mu);
    int rc = run_get_locked(s, ref, 0, out, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store_run_get_id(Store *s, long long id, StoreRun *out, Err *err) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->mu);
    int rc = run_get_locked(s, NULL, id, out, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int run_list_locked(Store *s, StoreRun **out, int *n, Err *err) {
    char sql[sizeof run_select + 32];
    snprintf(sql, sizeof sql, "%sORDER BY r.id", run_select);
    sqlite3_stmt *st;
    if (store_prepare(s, sql, &st, err)) return IM_IO;
    int cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            StoreRun *grown = realloc(*out, (size_t)cap * sizeof **out);
            if (!grown) {
                sqlite3_finalize(st);
                return err_set(err, IM_IO, "out of memory");
            }
            *out = grown;
        }
        run_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return store_dberr(s->db, s->path, err, "listing runs");
    for (int i = 0; i < *n; i++)
        if (run_counts(s, &(*out)[i], err)) return IM_IO;
    return IM_OK;
}

int store_run_list(Store *s, StoreRun **out, int *n, Err *err) {
    *out = NULL, *n = 0;
    pthread_mutex_lock(&s->mu);
    int rc = run_list_locked(s, out, n, err);
    pthread_mutex_unlock(&s->mu);
    if (rc) store_runs_free(*out, *n), *out = NULL, *n = 0;
    return rc;
}

/* ---- items ---------------------------------------------------------------- */

void store_items_free(StoreItem *items, int n) {
    for (int i = 0; items && i < n; i++) {
        StoreItem *it = &items[i];
        free(it->query_json), free(it->query_text), free(it->plan_json), free(it->raw_text), free(it->reasoning);
        free(it->error);
        for (int k = 0; k < it->eval.n; k++) free(it->eval.v[k].message);
        free(it->eval.v), free(it->names);
    }
    free(items);
}

static void item_from_row(sqlite3_stmt *st, StoreItem *it) {
    memset(it, 0, sizeof *it);
    it->query_id = sqlite3_column_int64(st, 0);
    it->pos = sqlite3_column_int(st, 1), it->idx = sqlite3_column_int(st, 2);
    it->query_json = store_col_strdup(st, 3);
    it->state = store_state_parse((const char *)sqlite3_column_text(st, 4));
    it->plan_json = store_col_strdup(st, 5), it->raw_text = store_col_strdup(st, 6);
    it->reasoning = store_col_strdup(st, 7), it->error = store_col_strdup(st, 8);
    it->latency_ms = sqlite3_column_double(st, 9);
    it->tokens_in = sqlite3_column_int64(st, 10), it->tokens_out = sqlite3_column_int64(st, 11);
    it->cost = sqlite3_column_double(st, 12);
    it->calls = sqlite3_column_int(st, 13), it->cache_hits = sqlite3_column_int(st, 14);
    it->attempts = sqlite3_column_int(st, 15);
    it->started = sqlite3_column_double(st, 16), it->finished = sqlite3_column_double(st, 17);
    it->eval.has_cost = sqlite3_column_type(st, 18) != SQLITE_NULL;
    it->eval.cost = sqlite3_column_double(st, 18);
    it->eval.delivered = it->state == ST_DONE;
    cJSON *q = cJSON_Parse(it->query_json ? it->query_json : "");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(q, "query");
    it->query_text = strdup(cJSON_IsString(text) ? text->valuestring : "");
    cJSON_Delete(q);
}

static int by_query_id(const void *a, const void *b) {
    long long x = ((const StoreItem *const *)a)[0]->query_id, y = ((const StoreItem *const *)b)[0]->query_id;
    return x < y ? -1 : x > y;
}

/* Copies s into the item's name pool; the offset, or -1 out of memory. */
static long pool_add(StoreItem *it, const char *s) {
    size_t n = strlen(s ? s : "") + 1;
    if (it->names_len + n > it->names_cap) {
        size_t cap = it->names_cap ? it->names_cap * 2 : 512;
        while (cap < it->names_len + n) cap *= 2;
        char *grown = realloc(it->names, cap);
        if (!grown) return -1;
        it->names = grown, it->names_cap = cap;
    }
    memcpy(it->names + it->names_len, s ? s : "", n);
    it->names_len += n;
    return (long)(it->names_len - n);
}

/* Appends one stored verdict; names are pool offsets until fix_names. */
static int add_verdict(StoreItem *it, sqlite3_stmt *st, int with_msgs) {
    long fam = pool_add(it, (const char *)sqlite3_column_text(st, 1));
    long name = pool_add(it, (const char *)sqlite3_column_text(st, 2));
    SuiteVerdict *v = realloc(it->eval.v, (size_t)(it->eval.n + 1) * sizeof *v);
    if (fam < 0 || name < 0 || !v) return IM_IO;
    it->eval.v = v;
    v[it->eval.n++] = (SuiteVerdict){(const char *)(intptr_t)fam, (const char *)(intptr_t)name,
                                     (signed char)(sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3) != 0),
                                     with_msgs ? store_col_strdup(st, 4) : NULL};
    return IM_OK;
}

/* Once the pool stops moving: offsets become pointers. */
static void fix_names(StoreItem *it) {
    for (int k = 0; k < it->eval.n; k++) {
        it->eval.v[k].family = it->names + (intptr_t)it->eval.v[k].family;
        it->eval.v[k].name = it->names + (intptr_t)it->eval.v[k].name;
    }
}

static int load_checks(Store *s, long long run_id, int with_msgs, StoreItem *items, int n, Err *err) {
    StoreItem **sorted = malloc((size_t)(n ? n : 1) * sizeof *sorted);
    if (!sorted) return err_set(err, IM_IO, "out of memory");
    for (int i = 0; i < n; i++) sorted[i] = &items[i];
    qsort(sorted, (size_t)n, sizeof *sorted, by_query_id);
    sqlite3_stmt *st;
    if (store_prepare(s, "SELECT query_id, family, name, value, message FROM verdict WHERE run_id = ?1 ORDER BY rowid", &st,
                      err)) {
        free(sorted);
        return IM_IO;
    }
    sqlite3_bind_int64(st, 1, run_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        StoreItem key = {.query_id = sqlite3_column_int64(st, 0)}, *kp = &key;
        StoreItem **hit = bsearch(&kp, sorted, (size_t)n, sizeof *sorted, by_query_id);
        if (!hit || (*hit)->state != ST_DONE) continue;
        if (add_verdict(*hit, st, with_msgs)) {
            sqlite3_finalize(st);
            free(sorted);
            return err_set(err, IM_IO, "out of memory");
        }
    }
    sqlite3_finalize(st);
    free(sorted);
    for (int i = 0; i < n; i++) fix_names(&items[i]);
    return rc == SQLITE_DONE ? IM_OK : store_dberr(s->db, s->path, err, "reading checks");
}

static int items_locked(Store *s, long long run_id, int with_checks, StoreItem **out, int *n, Err *err) {
    sqlite3_stmt *st;
    if (store_prepare(s,
                      "SELECT i.query_id, q.pos, q.idx, q.fields_json, i.state, i.plan_json, i.raw_text, i.reasoning, "
                      "i.error, coalesce(i.latency_ms, 0), i.tokens_in, i.tokens_out, i.cost, i.calls, i.cache_hits, "
                      "i.attempts, coalesce(i.started, 0), coalesce(i.finished, 0), i.plan_cost "
                      "FROM item i JOIN query q ON q.id = i.query_id WHERE i.run_id = ?1 ORDER BY q.pos",
                      &st, err))
        return IM_IO;
    sqlite3_bind_int64(st, 1, run_id);
    int cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            StoreItem *grown = realloc(*out, (size_t)cap * sizeof **out);
            if (!grown) {
                sqlite3_finalize(st);
                return err_set(err, IM_IO, "out of memory");
            }
            *out = grown;
        }
        item_from_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return store_dberr(s->db, s->path, err, "reading items");
    return with_checks ? load_checks(s, run_id, with_checks > 1, *out, *n, err) : IM_OK;
}

int store_items(Store *s, long long run_id, int with_checks, StoreItem **out, int *n, Err *err) {
    *out = NULL, *n = 0;
    pthread_mutex_lock(&s->mu);
    int rc = items_locked(s, run_id, with_checks, out, n, err);
    pthread_mutex_unlock(&s->mu);
    if (rc) store_items_free(*out, *n), *out = NULL, *n = 0;
    return rc;
}

/* ---- model calls ---------------------------------------------------------- */

/* One row of numbers from sql (run id bound to ?1); IM_IO on error. */
static int call_row(Store *s, const char *sql, long long run_id, long long offset, sqlite3_stmt **out, Err *err) {
    if (store_prepare(s, sql, out, err)) return IM_IO;
    sqlite3_bind_int64(*out, 1, run_id);
    if (offset >= 0) sqlite3_bind_int64(*out, 2, offset);
    int rc = sqlite3_step(*out);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return IM_OK;
    store_dberr(s->db, s->path, err, "reading model calls");
    sqlite3_finalize(*out), *out = NULL;
    return IM_IO;
}

static int call_stats_locked(Store *s, long long run_id, StoreCallStats *o, Err *err) {
    sqlite3_stmt *st;
    if (call_row(s, "SELECT count(*), coalesce(sum(status = 'ok'), 0), coalesce(sum(status = 'error'), 0), "
                 "coalesce(sum(cached), 0), coalesce(sum(attempts), 0), coalesce(sum(tokens_in), 0), "
                 "coalesce(sum(tokens_out), 0), coalesce(sum(cost), 0) FROM llm_call WHERE run_id = ?1",
                 run_id, -1, &st, err))
        return IM_IO;
    o->calls = sqlite3_column_int64(st, 0), o->ok = sqlite3_column_int64(st, 1), o->errors = sqlite3_column_int64(st, 2);
    o->cache_hits = sqlite3_column_int64(st, 3), o->attempts = sqlite3_column_int64(st, 4);
    o->tokens_in = sqlite3_column_int64(st, 5), o->tokens_out = sqlite3_column_int64(st, 6);
    o->cost = sqlite3_column_double(st, 7);
    sqlite3_finalize(st);
    static const char timed[] = " FROM llm_call WHERE run_id = ?1 AND cached = 0 AND latency_ms IS NOT NULL";
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*), coalesce(avg(latency_ms), 0)%s", timed);
    if (call_row(s, sql, run_id, -1, &st, err)) return IM_IO;
    long long n = sqlite3_column_int64(st, 0);
    o->latency_mean_ms = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
    if (n == 0) return IM_OK;
    long long rank = (95 * n + 99) / 100; /* nearest rank: ceil(0.95 n), 1-based */
    snprintf(sql, sizeof sql, "SELECT latency_ms%s ORDER BY latency_ms LIMIT 1 OFFSET ?2", timed);
    if (call_row(s, sql, run_id, rank - 1, &st, err)) return IM_IO;
    o->latency_p95_ms = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return IM_OK;
}

int store_call_stats(Store *s, long long run_id, StoreCallStats *out, Err *err) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->mu);
    int rc = call_stats_locked(s, run_id, out, err);
    pthread_mutex_unlock(&s->mu);
    return rc;
}
