/* strmap.c: FNV-1a hashing with linear probing; grows at 50% load. */
#include "strmap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_n(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

void strmap_init(StrMap *m) { memset(m, 0, sizeof *m); }

void strmap_free(StrMap *m) {
    if (!m) return;
    free(m->keys);
    free(m->vals);
    strmap_init(m);
}

static void grow(StrMap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    const char **keys = calloc(cap, sizeof *keys);
    int *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) { fprintf(stderr, "imagine: out of memory\n"); abort(); }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = hash_n(m->keys[i], strlen(m->keys[i])) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i], vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys, m->vals = vals, m->cap = cap;
}

int *strmap_upsert(StrMap *m, const char *key, int init, int *inserted) {
    if ((m->n + 1) * 2 > m->cap) grow(m);
    size_t j = hash_n(key, strlen(key)) & (m->cap - 1);
    while (m->keys[j]) {
        if (!strcmp(m->keys[j], key)) {
            if (inserted) *inserted = 0;
            return &m->vals[j];
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key, m->vals[j] = init, m->n++;
    if (inserted) *inserted = 1;
    return &m->vals[j];
}

int strmap_getn(const StrMap *m, const char *key, size_t len) {
    if (!m->cap) return -1;
    size_t j = hash_n(key, len) & (m->cap - 1);
    while (m->keys[j]) {
        if (!strncmp(m->keys[j], key, len) && m->keys[j][len] == 0) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

int strmap_get(const StrMap *m, const char *key) { return strmap_getn(m, key, strlen(key)); }
