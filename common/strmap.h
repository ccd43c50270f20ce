/* strmap.h: an open-addressing hash map from strings to int values.
 *
 * Keys are borrowed (the caller keeps them alive, typically inside a loaded
 * table's text); the map owns only its slot array. strmap_free accepts a
 * zeroed map. Used for the indexed in-memory sandbox database. */
#ifndef IMAGINE_STRMAP_H
#define IMAGINE_STRMAP_H

#include <stddef.h>

typedef struct StrMap {
    const char **keys;
    int *vals;
    size_t cap, n;
} StrMap;

void strmap_init(StrMap *m);
void strmap_free(StrMap *m);
/* Returns a pointer to the value slot of key, inserting it with value
 * `init` when absent (sets *inserted). Aborts on out-of-memory. */
int *strmap_upsert(StrMap *m, const char *key, int init, int *inserted);
/* Returns the value or -1 when absent. */
int strmap_get(const StrMap *m, const char *key);
/* Same for a key given as (pointer, length) not NUL-terminated. */
int strmap_getn(const StrMap *m, const char *key, size_t len);

#endif
