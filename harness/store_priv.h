/* store_priv.h: what the store's own files (store*.c) share: the Store
 * struct and the error helper. Not for other modules: they use store.h. */
#ifndef IMAGINE_STORE_PRIV_H
#define IMAGINE_STORE_PRIV_H

#include <pthread.h>

#include "store.h"

struct Store {
    sqlite3 *db;
    char *path;
    pthread_mutex_t mu; /* one writer or reader at a time on this connection */
};

/* err <- IM_IO "store PATH: WHAT: sqlite's message". Returns IM_IO. */
int store_dberr(sqlite3 *db, const char *path, Err *err, const char *what);
/* Prepares sql; on failure sets err and returns IM_IO. */
int store_prepare(Store *s, const char *sql, sqlite3_stmt **st, Err *err);
/* Runs statements without parameters (schema text, BEGIN, COMMIT). */
int store_exec(sqlite3 *db, const char *path, const char *sql, Err *err);
/* Binds a text that may be NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *text);
/* A malloc'd copy of column i, NULL when the column is NULL. */
char *store_col_strdup(sqlite3_stmt *st, int i);

#endif
