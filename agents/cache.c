/* cache.c: the response cache in SQLite. One table `response` keyed by the
 * 32-byte request hash; WAL mode so a second process can read while a run
 * writes. Never stores errors or keys; never exits. */
#include "cache.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dbwal.h"

struct AgCache {
    sqlite3 *db;
    char *path;
    pthread_mutex_t mu;
    sqlite3_stmt *get, *put;
    long hits, misses;
};

static const char *SCHEMA =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT OR IGNORE INTO meta VALUES('schema','1');"
    "PRAGMA application_id = 1229801283;" /* AG_CACHE_APPLICATION_ID */
    "CREATE TABLE IF NOT EXISTS response("
    " key BLOB PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL,"
    " text TEXT NOT NULL, reasoning TEXT, finish_reason TEXT,"
    " tokens_in INTEGER, tokens_out INTEGER, latency_ms REAL);";

/* PRAGMA application_id of a cache ("IMGC"); the run store has "IMAG". */
#define AG_CACHE_APPLICATION_ID 0x494d4743

static long long pragma_ll(sqlite3 *db, const char *sql, int *ok) {
    sqlite3_stmt *st = NULL;
    long long v = 0;
    *ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    if (*ok) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Reads only: is this an imagine cache (or an empty file, or a cache made
 * before caches had an application_id), or someone else's file? */
static int check_identity(sqlite3 *db, const char *path, Err *err) {
    int ok1, ok2, ok3;
    long long app = pragma_ll(db, "PRAGMA application_id", &ok1);
    long long objects = pragma_ll(db, "SELECT count(*) FROM sqlite_master", &ok2);
    long long legacy = pragma_ll(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                     "('meta', 'response')) = 2 AND (SELECT value FROM meta WHERE key = 'schema') = '1'",
                                 &ok3);
    if (!ok1 || !ok2)
        return err_set(err, IM_IO, "%s is not an imagine cache (%s); pass another --cache FILE or --no-cache; nothing was written",
                       path, sqlite3_errcode(db) == SQLITE_NOTADB ? "not an SQLite database" : sqlite3_errmsg(db));
    if (app == AG_CACHE_APPLICATION_ID || (app == 0 && objects == 0) || (app == 0 && ok3 && legacy))
        return IM_OK;
    return err_set(err, IM_IO, "%s is not an imagine cache (%s with application_id %lld and %lld schema objects); "
                   "pass another --cache FILE or --no-cache; nothing was written", path,
                   app == 0x494d4147 ? "an imagine run store" : "an SQLite database", app, objects);
}

static int db_err(AgCache *c, Err *err, const char *what) {
    return err_set(err, IM_IO, "cache %s: %s: %s", c->path, what, sqlite3_errmsg(c->db));
}

int ag_cache_open(const char *path, AgCache **out, Err *err) {
    *out = NULL;
    AgCache *c = calloc(1, sizeof *c);
    if (!c) return err_set(err, IM_IO, "cache %s: out of memory", path);
    c->path = strdup(path);
    pthread_mutex_init(&c->mu, NULL);
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        err_set(err, IM_IO, "cannot open cache %s: %s — pass --cache FILE or --no-cache", path,
                c->db ? sqlite3_errmsg(c->db) : "out of memory");
        ag_cache_close(c);
        return IM_IO;
    }
    sqlite3_busy_timeout(c->db, 5000);
    if (check_identity(c->db, path, err)) {
        ag_cache_close(c);
        return IM_IO;
    }
    if (db_wal_on(c->db, 5000) != SQLITE_OK) { /* dbwal.h: the main job's evaluations open one new cache at once */
        db_err(c, err, "cannot switch to WAL mode");
        ag_cache_close(c);
        return IM_IO;
    }
    char *msg = NULL; /* the schema in one write transaction taken up front, so a concurrent opener waits (busy timeout) */
    if (sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->db, "BEGIN IMMEDIATE;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(c->db, SCHEMA, NULL, NULL, &msg) != SQLITE_OK || sqlite3_exec(c->db, "COMMIT;", NULL, NULL, &msg) != SQLITE_OK) {
        err_set(err, IM_IO, "cache %s: cannot create tables: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        ag_cache_close(c);
        return IM_IO;
    }
    if (sqlite3_prepare_v2(c->db,
                           "SELECT text, reasoning, finish_reason, tokens_in, tokens_out, latency_ms"
                           " FROM response WHERE key = ?1", -1, &c->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->db,
                           "INSERT OR REPLACE INTO response(key, model, created, text, reasoning, finish_reason,"
                           " tokens_in, tokens_out, latency_ms) VALUES(?1, ?2, julianday('now'), ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &c->put, NULL) != SQLITE_OK) {
        db_err(c, err, "cannot prepare statements");
        ag_cache_close(c);
        return IM_IO;
    }
    *out = c;
    return IM_OK;
}

void ag_cache_close(AgCache *c) {
    if (!c) return;
    sqlite3_finalize(c->get);
    sqlite3_finalize(c->put);
    sqlite3_close(c->db);
    pthread_mutex_destroy(&c->mu);
    free(c->path);
    free(c);
}

void ag_cache_entry_free(AgCacheEntry *e) {
    if (!e) return;
    free(e->text), free(e->reasoning), free(e->finish_reason);
    memset(e, 0, sizeof *e);
}

static char *col_text(sqlite3_stmt *st, int i) {
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

int ag_cache_get(AgCache *c, const unsigned char key[32], AgCacheEntry *e, Err *err) {
    memset(e, 0, sizeof *e);
    pthread_mutex_lock(&c->mu);
    sqlite3_bind_blob(c->get, 1, key, 32, SQLITE_STATIC);
    int rc = sqlite3_step(c->get), hit = 0;
    if (rc == SQLITE_ROW) {
        e->text = col_text(c->get, 0);
        e->reasoning = col_text(c->get, 1);
        e->finish_reason = col_text(c->get, 2);
        e->tokens_in = (long)sqlite3_column_int64(c->get, 3);
        e->tokens_out = (long)sqlite3_column_int64(c->get, 4);
        e->latency_ms = sqlite3_column_double(c->get, 5);
        hit = e->text != NULL;
    } else if (rc != SQLITE_DONE) {
        hit = -1;
        db_err(c, err, "lookup failed");
    }
    sqlite3_reset(c->get);
    sqlite3_clear_bindings(c->get);
    if (hit > 0) c->hits++;
    else c->misses++;
    pthread_mutex_unlock(&c->mu);
    if (hit <= 0) ag_cache_entry_free(e);
    return hit;
}

int ag_cache_put(AgCache *c, const unsigned char key[32], const char *model, const AgCacheEntry *e, Err *err) {
    if (!e->text) return IM_OK;
    pthread_mutex_lock(&c->mu);
    sqlite3_bind_blob(c->put, 1, key, 32, SQLITE_STATIC);
    sqlite3_bind_text(c->put, 2, model ? model : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(c->put, 3, e->text, -1, SQLITE_STATIC);
    if (e->reasoning) sqlite3_bind_text(c->put, 4, e->reasoning, -1, SQLITE_STATIC);
    if (e->finish_reason) sqlite3_bind_text(c->put, 5, e->finish_reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->put, 6, e->tokens_in);
    sqlite3_bind_int64(c->put, 7, e->tokens_out);
    sqlite3_bind_double(c->put, 8, e->latency_ms);
    int rc = sqlite3_step(c->put) == SQLITE_DONE ? IM_OK : db_err(c, err, "cannot store an answer");
    sqlite3_reset(c->put);
    sqlite3_clear_bindings(c->put);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int ag_cache_stats(AgCache *c, AgCacheStats *s, Err *err) {
    memset(s, 0, sizeof *s);
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = NULL;
    int rc = IM_OK;
    if (sqlite3_prepare_v2(c->db, "SELECT count(*), total(tokens_in), total(tokens_out) FROM response", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = db_err(c, err, "cannot count entries");
    else {
        s->entries = (long)sqlite3_column_int64(st, 0);
        s->tokens_in = (long)sqlite3_column_double(st, 1);
        s->tokens_out = (long)sqlite3_column_double(st, 2);
    }
    sqlite3_finalize(st);
    s->hits = c->hits, s->misses = c->misses;
    pthread_mutex_unlock(&c->mu);
    struct stat sb;
    if (stat(c->path, &sb) == 0) s->bytes = sb.st_size;
    return rc;
}

int ag_cache_models(AgCache *c, char **out, Err *err) {
    *out = NULL;
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = NULL;
    int rc = IM_OK;
    size_t len = 0, cap = 0;
    char *s = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT model, count(*), total(tokens_in), total(tokens_out) FROM response"
                           " GROUP BY model ORDER BY model", -1, &st, NULL) != SQLITE_OK)
        rc = db_err(c, err, "cannot list models");
    while (rc == IM_OK) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE) break;
        if (r != SQLITE_ROW) { rc = db_err(c, err, "cannot list models"); break; }
        const char *m = (const char *)sqlite3_column_text(st, 0);
        size_t need = strlen(m ? m : "") + 80;
        if (len + need > cap) {
            cap = (len + need) * 2;
            char *p = realloc(s, cap);
            if (!p) { rc = err_set(err, IM_IO, "out of memory"); break; }
            s = p;
        }
        len += (size_t)snprintf(s + len, cap - len, "%s\t%lld\t%.0f\t%.0f\n", m ? m : "",
                                (long long)sqlite3_column_int64(st, 1), sqlite3_column_double(st, 2),
                                sqlite3_column_double(st, 3));
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&c->mu);
    if (rc) free(s);
    else *out = s ? s : strdup("");
    return rc;
}

int ag_cache_clear(AgCache *c, const char *model, long *n, Err *err) {
    *n = 0;
    pthread_mutex_lock(&c->mu);
    sqlite3_stmt *st = NULL;
    int rc = IM_OK;
    if (sqlite3_prepare_v2(c->db, model ? "DELETE FROM response WHERE model = ?1" : "DELETE FROM response", -1, &st, NULL) != SQLITE_OK)
        rc = db_err(c, err, "cannot clear");
    else {
        if (model) sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) rc = db_err(c, err, "cannot clear");
        else *n = sqlite3_changes(c->db);
    }
    sqlite3_finalize(st);
    if (rc == IM_OK && !model) sqlite3_exec(c->db, "VACUUM", NULL, NULL, NULL);
    pthread_mutex_unlock(&c->mu);
    return rc;
}
