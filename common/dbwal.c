/* dbwal.c: see dbwal.h. */
#include "dbwal.h"

#include <string.h>
#include <time.h>

int db_wal_on(sqlite3 *db, int timeout_ms) {
    int last = SQLITE_OK;
    for (int waited = 0;; waited += 10) {
        sqlite3_stmt *st = NULL;
        int prc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL), src = prc == SQLITE_OK ? sqlite3_step(st) : prc;
        int wal = src == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        if (wal) return SQLITE_OK;
        last = src == SQLITE_ROW ? SQLITE_ERROR : src; /* another journal mode answered: not WAL */
        int busy = src == SQLITE_BUSY || src == SQLITE_LOCKED || (prc == SQLITE_OK && sqlite3_errcode(db) == SQLITE_BUSY);
        if (!busy || waited >= timeout_ms) return last;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
