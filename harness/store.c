/* store.c: opening the store: checks before any write, the pragmas, the
 * forward migrations, and the small helpers of the store's files.
 *
 * Order matters: the file is looked at (exists, writable, SQLite header,
 * application_id, user_version) with reads only; WAL and migrations come
 * after, so a file that is refused is never written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dbwal.h"
#include "store_priv.h"

/* ---- helpers -------------------------------------------------------------- */

int store_dberr(sqlite3 *db, const char *path, Err *err, const char *what) {
    return err_set(err, IM_IO, "store %s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "cannot open");
}

int store_prepare(Store *s, const char *sql, sqlite3_stmt **st, Err *err) {
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return store_dberr(s->db, s->path, err, "preparing a statement");
    }
    return IM_OK;
}

int store_exec(sqlite3 *db, const char *path, const char *sql, Err *err) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(err, IM_IO, "store %s: %s", path, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return IM_IO;
    }
    return IM_OK;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *text) {
    if (text) sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

char *store_col_strdup(sqlite3_stmt *st, int i) {
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

double store_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *const state_names[ST_NSTATES] = {"ready", "running", "done", "failed", "error"};

const char *store_state_name(int st) { return st >= 0 && st < ST_NSTATES ? state_names[st] : "?"; }

int store_state_parse(const char *name) {
    for (int i = 0; name && i < ST_NSTATES; i++)
        if (!strcmp(name, state_names[i])) return i;
    return -1;
}

sqlite3 *store_sqlite(Store *s) { return s ? s->db : NULL; }
const char *store_path(const Store *s) { return s ? s->path : ""; }

/* ---- migrations ----------------------------------------------------------- */

static int pragma_int(sqlite3 *db, const char *sql, long long *v) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int store_migrate(sqlite3 *db, const char *path, const StoreMigration *list, int n, int target, Err *err) {
    if (store_exec(db, path, "BEGIN IMMEDIATE", err)) return IM_IO;
    long long have = 0;
    if (pragma_int(db, "PRAGMA user_version", &have)) {
        store_dberr(db, path, err, "reading the schema version");
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        if (list[i].version <= have || list[i].version > target) continue;
        if (store_exec(db, path, list[i].sql, err)) {
            err_prefix(err, "migrating to schema version %d failed (the store is unchanged)", list[i].version);
            goto fail;
        }
    }
    if (have < target) {
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d", STORE_APPLICATION_ID, target);
        if (store_exec(db, path, sql, err)) goto fail;
    }
    if (store_exec(db, path, "COMMIT", err)) goto fail;
    return IM_OK;
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return IM_IO;
}

/* ---- open ----------------------------------------------------------------- */

/* What the file is, from reads only. */
static int check_file(const char *path, int create, int *exists, Err *err) {
    struct stat sb;
    *exists = stat(path, &sb) == 0;
    if (!*exists) {
        if (errno != ENOENT) return err_set(err, IM_IO, "store %s: %s", path, strerror(errno));
        if (!create)
            return err_set(err, IM_IO, "no store at %s: start a run with `imagine run`, or pass --store FILE", path);
        return IM_OK;
    }
    if (!S_ISREG(sb.st_mode)) return err_set(err, IM_IO, "store %s: not a regular file", path);
    if (access(path, W_OK) != 0 || (sb.st_mode & 0222) == 0)
        return err_set(err, IM_IO, "store %s is read-only: imagine writes to its store (make it writable, "
                       "or copy it and pass --store COPY); nothing was written", path);
    if (sb.st_size == 0) return IM_OK; /* an empty file becomes a new store */
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, IM_IO, "store %s: %s", path, strerror(errno));
    char head[16] = {0};
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got < sizeof head || memcmp(head, "SQLite format 3", 16))
        return err_set(err, IM_IO, "%s is not an imagine store (not an SQLite database); nothing was written", path);
    return IM_OK;
}

/* application_id, user_version and the number of schema objects decide
 * whether this is imagine's store, a new one, or someone else's. */
static int check_identity(sqlite3 *db, const char *path, int *fresh, long long *version, Err *err) {
    long long app = 0, objects = 0;
    /* One read transaction for the three reads: read one at a time, another
     * process's first migration could commit between them (application_id 0
     * beside 25 schema objects: a new store refused as someone else's). */
    int in_txn = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    int bad = pragma_int(db, "PRAGMA application_id", &app) || pragma_int(db, "PRAGMA user_version", version) ||
              pragma_int(db, "SELECT count(*) FROM sqlite_master", &objects);
    int code = sqlite3_errcode(db);
    char why[160];
    snprintf(why, sizeof why, "reading the schema version: %s", sqlite3_errmsg(db));
    if (in_txn) sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (bad) {
        if (code == SQLITE_NOTADB)
            return err_set(err, IM_IO, "%s is not an imagine store (not an SQLite database); nothing was written", path);
        return err_set(err, IM_IO, "store %s: %s", path, why);
    }
    *fresh = app == 0 && *version == 0 && objects == 0;
    if (*fresh) return IM_OK;
    if (app != STORE_APPLICATION_ID)
        return err_set(err, IM_IO, "%s is not an imagine store (an SQLite database with application_id %lld and %lld "
                       "schema objects); pass another --store FILE; nothing was written", path, app, objects);
    if (*version > STORE_SCHEMA_VERSION)
        return err_set(err, IM_IO, "store %s has schema version %lld, newer than this imagine (%d): use a newer "
                       "imagine; nothing was written", path, *version, STORE_SCHEMA_VERSION);
    if (*version < 1) return err_set(err, IM_IO, "store %s has no schema version: not an imagine store", path);
    return IM_OK;
}

void store_close(Store *s) {
    if (!s) return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

int store_open(const char *path, int create, Store **out, Err *err) {
    *out = NULL;
    int exists;
    if (check_file(path, create, &exists, err)) return IM_IO;
    Store *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, IM_IO, "out of memory");
    s->path = strdup(path);
    pthread_mutex_init(&s->mu, NULL);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (exists ? 0 : SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        store_dberr(s->db, path, err, "cannot open");
        store_close(s);
        return IM_IO;
    }
    sqlite3_busy_timeout(s->db, 30000);
    int fresh = 0;
    long long version = 0;
    if (check_identity(s->db, path, &fresh, &version, err)) {
        store_close(s);
        return IM_IO;
    }
    /* From here on the file is imagine's (or new): writing is allowed. */
    int wal = db_wal_on(s->db, 30000) == SQLITE_OK; /* dbwal.h: other processes may be opening the same new file */
    int rc = wal ? IM_OK : store_dberr(s->db, path, err, "cannot switch to WAL mode");
    if (!rc) rc = store_exec(s->db, path, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL", err);
    if (!rc && version < STORE_SCHEMA_VERSION)
        rc = store_migrate(s->db, path, store_migrations, store_n_migrations, STORE_SCHEMA_VERSION, err);
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return IM_OK;
}
