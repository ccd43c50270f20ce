/* fetch.h: downloading the files of a data package, each verified by
 * sha256 before it takes its place. One implementation for every suite's
 * `data fetch` (TravelPlanner: suites/travelplanner/datapkg_fetch.c;
 * PlanBench: suites/planbench/fetch.c); the suites keep only where their
 * files come from and what they report.
 *
 * A source is a folder (copied with stdio) or a file://, http:// or
 * https:// base (libcurl, loaded through net_curl_load, common/net.h).
 * fetch_verified streams one file into "FINAL.tmp.PID" while hashing it
 * and renames it over FINAL only when the sha256 matches: FINAL never holds
 * a half-written or wrong file, and a good FINAL is never replaced by a bad
 * one; on any failure or cancel the temp file is removed.
 * Functions return an IM_* code and fill err; nothing here prints or
 * exits. Returned strings are malloc'd and owned by the caller. */
#ifndef IMAGINE_FETCH_H
#define IMAGINE_FETCH_H

#include <signal.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"

typedef enum { FETCH_DIR, FETCH_URL } FetchKind;

/* A mirror given by the user (--from). */
typedef struct FetchSource {
    FetchKind kind;
    char *base; /* directory or URL base, without a trailing '/' (malloc'd) */
} FetchSource;

/* Reads --from: a directory, or a file://, http:// or https:// base;
 * IM_USAGE naming it otherwise. Release with fetch_source_close. */
int fetch_source_open(const char *from, FetchSource *src, Err *err);
void fetch_source_close(FetchSource *src);
/* Where package path rel is in src: a path for a folder, else a URL. */
char *fetch_source_locate(const FetchSource *src, const char *rel);
/* base + '/' + rel, rel percent-encoded outside [A-Za-z0-9-._~/]. */
char *fetch_url_join(const char *base, const char *rel);
/* https://HOST/PATH as seen through a mirror of the official sources in
 * their own layout: MIRROR/HOST/PATH. */
char *fetch_through_mirror(const char *mirror, const char *https_url);

/* Where a transfer goes: a file and/or memory, hashed or not. */
typedef struct FetchSink {
    FILE *f;                        /* file output, or NULL */
    Buf *mem;                       /* memory output, or NULL */
    size_t limit;                   /* memory output limit */
    void *md;                       /* EVP_MD_CTX of what was written, or NULL */
    double bytes;
    int bad;                        /* a write failed or went over the limit */
    volatile sig_atomic_t *cancel;  /* set non-zero: the transfer stops */
} FetchSink;

/* Streams `where` (a path when kind is FETCH_DIR, else a URL) into s.
 * *not_found is set when the source simply lacks the file (no such file,
 * HTTP 404 or 410). timeout_s 0: 600. */
int fetch_transfer(FetchKind kind, const char *where, FetchSink *s, long timeout_s, int *not_found, Err *err);

/* Creates the folders above path. */
int fetch_mkdirs_parent(const char *path, Err *err);

/* Fetches `where` into final (folders created), verified against sha256
 * (lowercase hex): IM_OK with *bytes set, or IM_IO naming where and, for a
 * mismatch, both digests; nothing is left at final's temp path and final
 * is untouched unless the file verified. */
int fetch_verified(FetchKind kind, const char *where, const char *final, const char *sha256,
                   volatile sig_atomic_t *cancel, long timeout_s, double *bytes, Err *err);

#endif
