/* dbwal.h: switching an SQLite file to WAL mode while other processes may
 * be opening the same file, shared by the run store (harness/store.c) and
 * the response cache (agents/cache.c).
 *
 * Switching a new file to WAL takes an exclusive lock, and SQLite may answer
 * SQLITE_BUSY at once, without calling the busy handler, while another
 * process opens it (the main job's three evaluations start together on one
 * cache). db_wal_on retries every 10 ms for up to timeout_ms. Returns
 * SQLITE_OK once the connection is in WAL mode, else the last SQLite result
 * code (sqlite3_errmsg(db) says more). Never prints. */
#ifndef IMAGINE_DBWAL_H
#define IMAGINE_DBWAL_H

#include <sqlite3.h>

int db_wal_on(sqlite3 *db, int timeout_ms);

#endif
