/* cache.h: the LLM response cache, one SQLite file (default imagine-cache.db).
 *
 * Keyed by the request hash of ag_model_request_key (endpoint, model, full
 * message list, every decoding parameter, seed, sample index). Only
 * successful answers are stored; errors never are. The cache holds no API
 * key (the request hash covers no header). An AgCache is safe to share
 * between threads (one connection behind a mutex). Errors name the file. */
#ifndef AG_CACHE_H
#define AG_CACHE_H

#include "err.h"

typedef struct AgCache AgCache;

/* The default file name when --cache is not given. */
#define AG_CACHE_DEFAULT "imagine-cache.db"

/* Opens (creating when absent) the cache at path. */
int ag_cache_open(const char *path, AgCache **out, Err *err);
void ag_cache_close(AgCache *c);

/* One stored answer. Strings are malloc'd, owned by the entry. */
typedef struct AgCacheEntry {
    char *text, *reasoning, *finish_reason;
    long tokens_in, tokens_out; /* what the original call cost */
    double latency_ms;          /* of the original call */
} AgCacheEntry;
void ag_cache_entry_free(AgCacheEntry *e);

/* 1 and *e filled on a hit, 0 on a miss, negative on a database error
 * (err set; callers treat it as a miss). */
int ag_cache_get(AgCache *c, const unsigned char key[32], AgCacheEntry *e, Err *err);
int ag_cache_put(AgCache *c, const unsigned char key[32], const char *model, const AgCacheEntry *e, Err *err);

typedef struct AgCacheStats {
    long entries;
    long tokens_in, tokens_out;   /* saved by every future hit on all entries */
    long long bytes;              /* size of the file */
    long hits, misses;            /* of this process */
} AgCacheStats;
int ag_cache_stats(AgCache *c, AgCacheStats *s, Err *err);
/* One line per model: "model\tentries\ttokens_in\ttokens_out\n", appended to out. */
int ag_cache_models(AgCache *c, char **out, Err *err);
/* Deletes every entry (model NULL) or the entries of one model; *n deleted. */
int ag_cache_clear(AgCache *c, const char *model, long *n, Err *err);

#endif
