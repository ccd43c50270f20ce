/* datapkg.h: the TravelPlanner data package on disk: its checksum manifest,
 * verification, and fetching it from a mirror or the official upstream.
 *
 * The manifest is the fenced block under "## Checksums (sha256)" in the
 * package's README.md (lines "HEX  relative/path"); the shipped package's
 * list is embedded as the default. SHA-256 comes from OpenSSL libcrypto,
 * downloads from libcurl. A TpManifest owns its strings. Fetching writes
 * each file to "PATH.tmp.PID", checks its sha256, and renames it over PATH
 * only when it matches: a final path never holds a half-written or wrong
 * file. Functions return an IM_* code and fill err; nothing here prints. */
#ifndef TP_DATAPKG_H
#define TP_DATAPKG_H

#include <signal.h>

#include "buf.h"
#include "err.h"

typedef struct TpManifestEntry {
    char sha256[65]; /* lowercase hex */
    char *path;      /* relative, '/'-separated, never absolute, never ".." */
} TpManifestEntry;

typedef struct TpManifest {
    TpManifestEntry *e;
    int n;
    char *source; /* where it was read: a README path, a URL, or "built-in" */
} TpManifest;

/* Parses the checksum block of a README's text. source names the README in
 * messages ("FILE:LINE: ..."). A README without the block, a malformed
 * line or an unsafe path is IM_IO. */
int tp_manifest_parse(const char *readme, const char *source, TpManifest **out, Err *err);
/* Reads DIR/README.md and parses it. */
int tp_manifest_load(const char *data_dir, TpManifest **out, Err *err);
/* The shipped package's manifest (its checksum list, embedded in datapkg.c). */
int tp_manifest_builtin(TpManifest **out, Err *err);
/* A minimal README.md holding only the embedded checksum block (what
 * `data fetch` writes when the source has no README). Static string. */
const char *tp_manifest_builtin_readme(void);
void tp_manifest_free(TpManifest *m);

/* sha256 of a file as lowercase hex. IM_IO when it cannot be read. */
int tp_sha256_file(const char *path, char hex[65], Err *err);
/* sha256 of a buffer. */
void tp_sha256_mem(const void *data, size_t len, char hex[65]);

enum { TP_FILE_OK, TP_FILE_MISSING, TP_FILE_CHANGED, TP_FILE_UNREADABLE };

typedef struct TpFileCheck {
    int state;     /* TP_FILE_* */
    char got[65];  /* actual sha256 when TP_FILE_CHANGED */
} TpFileCheck;

/* Checks every manifest file under dir. st has room for m->n entries.
 * Returns the number of files that are not TP_FILE_OK. */
int tp_data_verify(const char *dir, const TpManifest *m, TpFileCheck *st);

/* ---- fetch -------------------------------------------------------------- */

typedef struct TpFetchEvent {
    const char *path;   /* manifest path */
    const char *status; /* "fetched", "up to date", "FAILED", "not available upstream" */
    const char *detail; /* URL or error message, may be NULL */
    double bytes;
} TpFetchEvent;

typedef struct TpFetchOpts {
    const char *from; /* NULL: official upstream; else a directory or a file://, http://, https:// base */
    /* Called once per manifest file, and once for README.md. May be NULL. */
    void (*on_file)(void *ctx, const TpFetchEvent *ev);
    void *ctx;
    volatile sig_atomic_t *cancel; /* when set non-zero, transfers stop and temp files are removed */
    long timeout_s;                /* per file; 0: 600 */
    /* Without `from`: a mirror of the official sources in their own layout,
     * BASE/HOST/PATH standing for https://HOST/PATH (offline copies, tests);
     * NULL: the sources themselves. */
    const char *upstream_mirror;
} TpFetchOpts;

typedef struct TpFetchReport {
    int fetched, up_to_date, failed, unavailable;
    int unverified; /* of fetched: converted files the built-in checksums do not cover */
    int manifest_from_source; /* 1: the source's README.md (listing the built-in checksums) was copied */
} TpFetchReport;

/* Fills dest (created if needed) with every file of the built-in manifest,
 * each verified against the checksum built into imagine (never against the
 * source's README.md, which is copied only when it lists the same ones). Files whose
 * sha256 already matches are kept. Ends by writing dest/README.md.
 * Returns IM_OK when every file is in place and verified; IM_IO when any
 * failed or is not available from the source (rep says how many, and
 * on_file named each); IM_USAGE for a malformed --from. */
int tp_data_fetch(const char *dest, const TpFetchOpts *opts, TpFetchReport *rep, Err *err);

/* The official upstream URL of a manifest path, or NULL when the official
 * sources do not hold that file in this layout (see docs/data.md). */
const char *tp_upstream_url(const char *path);

#endif
