/* fetch.c: `imagine data fetch --suite planbench`: fills a data folder
 * with the PlanBench package, every file verified against the checksums
 * built into imagine (sums.c) by the shared verified download
 * (common/fetch.h). Sequential, one file at a time; files already there
 * with the right sha256 are kept, so a rerun resumes. Never prints: the
 * caller's say and on_file callbacks (suite.h) get the words.
 *
 * Sources. --from MIRROR: a folder or URL base in the package's own layout
 * (PATH under MIRROR, as ../shared/planbench). Default: the public
 * repository karthikv792/LLMs-Planning at the pinned commit the package
 * was copied from, through raw.githubusercontent.com; there a package
 * path lives under one of three folders (pb_repo_folder). With
 * --upstream-mirror BASE the same URLs are read as BASE/HOST/PATH (an
 * offline copy of the repository in its own layout; the tests use it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "fsutil.h"
#include "net.h"
#include "pb_data.h"

#define PB_UPSTREAM "https://raw.githubusercontent.com/karthikv792/LLMs-Planning/b008bc4327112affd525035b9e82f93f54b9b3a3/"

/* Where a package path lives in the repository, by its first component.
 * Derived once by matching the sha256 of every package file against every
 * file of the repository at that commit: each of the 1,549 files matched
 * exactly one place; configs/ (5) and results/ (44) come from
 * llm_planning_analysis/, LICENSE from the root, everything else
 * (instances/, prompts/: 1,499) from plan-bench/. */
static const char *const repo_folders[][2] = {
    {"configs/", "llm_planning_analysis/"},
    {"results/", "llm_planning_analysis/"},
    {"LICENSE", ""},
};

const char *pb_repo_folder(const char *path) {
    for (size_t i = 0; i < sizeof repo_folders / sizeof repo_folders[0]; i++) {
        const char *k = repo_folders[i][0];
        size_t n = strlen(k);
        if (k[n - 1] == '/' ? !strncmp(path, k, n) : !strcmp(path, k)) return repo_folders[i][1];
    }
    return "plan-bench/";
}


static void emit(const SuiteFetchOpts *o, const char *path, const char *status, const char *detail, double bytes) {
    if (!o->on_file) return;
    SuiteFetchEvent ev = {path, status, detail, bytes};
    o->on_file(o->ctx, &ev);
}

typedef struct PbSource {
    FetchSource fs; /* --from, or (upstream) a URL base without the repository folder */
    int upstream;
} PbSource;

static char *pb_locate(const PbSource *src, const char *path) {
    if (!src->upstream) return fetch_source_locate(&src->fs, path);
    size_t n = strlen(pb_repo_folder(path)) + strlen(path) + 1;
    char *rel = malloc(n);
    snprintf(rel, n, "%s%s", pb_repo_folder(path), path);
    char *url = fetch_url_join(src->fs.base, rel);
    free(rel);
    return url;
}

typedef struct PbFetchCount {
    int fetched, up_to_date, failed;
} PbFetchCount;

/* One file of the checksum list ("HEX  PATH"): kept when it already
 * matches, else fetched and verified. IM_OK or IM_IO (err set). */
static int fetch_one(const PbSource *src, const char *dest, const char *line, const SuiteFetchOpts *o,
                     PbFetchCount *n, Err *err) {
    char sha[65];
    memcpy(sha, line, 64);
    sha[64] = 0;
    const char *path = line + 66;
    char *final = fs_join(dest, path), hex[65];
    Err ignore = {0};
    int rc = IM_OK;
    if (fs_exists(final) && !pb_sha256_file(final, hex, &ignore) && !strcmp(hex, sha)) {
        n->up_to_date++;
        emit(o, path, "up to date", NULL, 0);
    } else {
        char *where = pb_locate(src, path);
        double bytes = 0;
        rc = fetch_verified(src->fs.kind, where, final, sha, o->cancel, o->timeout_s, &bytes, err);
        if (rc) n->failed++, emit(o, path, "FAILED", err->msg, 0);
        else n->fetched++, emit(o, path, "fetched", where, bytes);
        free(where);
    }
    free(final);
    return rc;
}

/* The checksum list as the package ships it (SHA256SUMS), from the built-in one. */
static int write_sums(const char *dest, Err *err) {
    Buf b;
    buf_init(&b);
    for (const char *const *l = pb_sha256sums; *l; l++) buf_printf(&b, "%s\n", *l);
    char *path = fs_join(dest, "SHA256SUMS");
    int rc = fs_write_atomic(path, b.data, b.len, err);
    free(path);
    buf_free(&b);
    return rc;
}

int pb_data_fetch(const char *dest, const SuiteFetchOpts *o, Err *err) {
    if (o->from && o->upstream_mirror)
        return err_set(err, IM_USAGE, "--upstream-mirror stands for the official sources: it does not go with --from");
    PbSource src = {{FETCH_URL, NULL}, !o->from};
    int rc = IM_OK;
    if (o->from) rc = fetch_source_open(o->from, &src.fs, err);
    else src.fs.base = o->upstream_mirror ? fetch_through_mirror(o->upstream_mirror, PB_UPSTREAM) : strdup(PB_UPSTREAM);
    if (rc) return rc;
    const NetCurl *cu = NULL;
    if (src.fs.kind != FETCH_DIR && (rc = net_curl_load(&cu, err))) return fetch_source_close(&src.fs), rc;
    if ((rc = fs_mkdirs(dest, err))) return fetch_source_close(&src.fs), rc;
    if (cu) cu->global_init(CURL_GLOBAL_DEFAULT);
    suite_fetch_say(o, 0, "fetching the PlanBench data into %s from %s\n", dest, o->from ? o->from : src.fs.base);
    PbFetchCount n = {0};
    int total = 0;
    for (const char *const *l = pb_sha256sums; *l; l++, total++) {
        if (o->cancel && *o->cancel) {
            rc = err_set(err, IM_IO, "interrupted: %d files done", total);
            break;
        }
        Err e = {0};
        fetch_one(&src, dest, *l, o, &n, &e);
    }
    if (!rc) rc = write_sums(dest, err);
    suite_fetch_say(o, 0, "%d fetched, %d up to date, %d failed; verified against the built-in checksum list\n",
                    n.fetched, n.up_to_date, n.failed);
    if (!rc && n.failed)
        rc = err_set(err, IM_IO,
                     "%d of %d files not in place (failed from %s): fix the source and run it again (files in place "
                     "are kept)",
                     n.failed, total, o->from ? o->from : src.fs.base);
    fetch_source_close(&src.fs);
    if (cu) cu->global_cleanup();
    return rc;
}
