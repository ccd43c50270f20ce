/* datapkg_fetch.c: `imagine data fetch` as a library: copies the data
 * package from a mirror (a directory, or a file://, http://, https:// base
 * with the package's layout) or from the official upstream into a folder.
 *
 * Every file is fetched by fetch_verified (common/fetch.h: streamed into
 * "PATH.tmp.PID" while its sha256 is computed, renamed over PATH only when
 * it matches the manifest). Never prints: progress goes through the
 * caller's on_file callback. Transfers use libcurl, loaded when the source
 * is not a directory (common/net.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapkg.h"
#include "fetch.h"
#include "fsutil.h"
#include "hfcsv.h"
#include "net.h"

/* ---- the official upstream ---------------------------------------------- */

/* Files of the package that the official repository holds byte for byte
 * (the database folder before it was deleted, at a pinned commit, and the
 * train reference information at HEAD). Everything else in the package was
 * converted or rebuilt (see docs/data.md) and has no upstream URL. */
#define TP_GH_RAW "https://raw.githubusercontent.com/OSU-NLP-Group/TravelPlanner/"
#define TP_GH_DB TP_GH_RAW "958f30d7e7629d18f33d79183dedf9b2830ff88c/"
#define TP_GH_HEAD TP_GH_RAW "da7c1d41d51bf1d6e8592099bc109c9368b2dfe4/"

static const char *const upstream[][2] = {
    {"database/accommodations/clean_accommodations_2022.csv", TP_GH_DB},
    {"database/attractions/attractions.csv", TP_GH_DB},
    {"database/background/citySet.txt", TP_GH_DB},
    {"database/background/citySet_with_states.txt", TP_GH_DB},
    {"database/background/stateSet.txt", TP_GH_DB},
    {"database/googleDistanceMatrix/distance.csv", TP_GH_DB},
    {"database/restaurants/clean_restaurant_2022.csv", TP_GH_DB},
    {"database/train_ref_info.jsonl", TP_GH_HEAD},
};

/* The query splits: Hugging Face serves them as CSV files with Python
 * literals in some fields, converted on the way (hfcsv.h). The package's
 * train.jsonl is the HF train split converted, byte for byte (its built-in
 * checksum verifies the conversion); its validation.jsonl was rebuilt (the
 * HF form has no built-in checksum, see docs/data.md). */
#define TP_HF "https://huggingface.co/datasets/osunlp/TravelPlanner/resolve/main/"
static const char *const hf_splits[][3] = {
    {"queries/train.jsonl", TP_HF "train.csv", "verified"},
    {"queries/validation.jsonl", TP_HF "validation.csv", NULL},
};

static int hf_split(const char *path) {
    for (int i = 0; i < (int)(sizeof hf_splits / sizeof hf_splits[0]); i++)
        if (!strcmp(hf_splits[i][0], path)) return i;
    return -1;
}

const char *tp_upstream_url(const char *path) {
    static char url[512];
    for (size_t i = 0; i < sizeof upstream / sizeof upstream[0]; i++)
        if (!strcmp(upstream[i][0], path)) {
            snprintf(url, sizeof url, "%s%s", upstream[i][1], path);
            return url;
        }
    return NULL;
}

/* ---- sources ---------------------------------------------------------------- */

typedef struct Source {
    int upstream;                /* the official sources, else the mirror fs */
    FetchSource fs;
    const char *upstream_mirror; /* upstream only: BASE standing for https:// (BASE/HOST/PATH), or NULL */
} Source;

static FetchKind source_kind(const Source *src) { return src->upstream ? FETCH_URL : src->fs.kind; }

static int source_open(const char *from, Source *src, Err *err) {
    memset(src, 0, sizeof *src);
    if (!from) return src->upstream = 1, IM_OK;
    return fetch_source_open(from, &src->fs, err);
}

/* URL or path of a package file in the source; malloc'd, NULL when the
 * upstream does not have it. URL paths are percent-encoded. */
static char *source_locate(const Source *src, const char *rel) {
    if (src->upstream) {
        int k = hf_split(rel);
        const char *u = k >= 0 ? hf_splits[k][1] : tp_upstream_url(rel);
        if (!u || !src->upstream_mirror) return u ? strdup(u) : NULL;
        return fetch_through_mirror(src->upstream_mirror, u);
    }
    return fetch_source_locate(&src->fs, rel);
}

/* ---- one file ------------------------------------------------------------------ */

static void emit(const TpFetchOpts *o, const char *path, const char *status, const char *detail, double bytes) {
    if (!o->on_file) return;
    TpFetchEvent ev = {path, status, detail, bytes};
    o->on_file(o->ctx, &ev);
}

/* A query split from its Hugging Face CSV: downloaded into a temp file,
 * converted, then verified against the built-in checksum. `known`: the
 * checksum is that of this conversion (train); else (validation, whose
 * package file was rebuilt) a different digest is kept and reported as not
 * verified. */
static int fetch_converted(const Source *src, const char *where, const char *final, const TpManifestEntry *e, int known,
                           const TpFetchOpts *o, TpFetchReport *rep, Err *err) {
    int rc = fetch_mkdirs_parent(final, err);
    if (rc) return rc;
    size_t nt = strlen(final) + 40;
    char *csv = malloc(nt);
    snprintf(csv, nt, "%s.csv.tmp.%ld", final, (long)getpid());
    FetchSink s = {0};
    s.cancel = o->cancel;
    s.f = fopen(csv, "wb");
    if (!s.f) rc = err_set(err, IM_IO, "cannot create %s: %s", csv, strerror(errno));
    int not_found = 0;
    if (!rc) rc = fetch_transfer(source_kind(src), where, &s, o->timeout_s, &not_found, err);
    if (s.f && fclose(s.f) != 0 && !rc) rc = err_set(err, IM_IO, "cannot write %s: %s", csv, strerror(errno));
    Buf out;
    buf_init(&out);
    if (!rc && (rc = tp_hf_csv_to_jsonl(csv, &out, err))) err_prefix(err, "%s", where);
    unlink(csv);
    free(csv);
    char hex[65] = "";
    if (!rc) tp_sha256_mem(out.data ? out.data : "", out.len, hex);
    int match = !rc && !strcmp(hex, e->sha256);
    if (!rc && !match && known)
        rc = err_set(err, IM_IO, "%s: converted to sha256 %s, expected %s (the file at the source differs; nothing written)",
                     where, hex, e->sha256);
    if (!rc) rc = fs_write_atomic(final, out.data ? out.data : "", out.len, err);
    buf_free(&out);
    if (rc) return rc;
    rep->fetched++;
    if (!match) rep->unverified++;
    char detail[700];
    snprintf(detail, sizeof detail, "converted from %s%s", where,
             match ? "" : "; not verified: the built-in checksum is that of the package's rebuilt file (docs/data.md)");
    emit(o, e->path, match ? "fetched" : "converted", detail, (double)out.len);
    return IM_OK;
}

/* Fetches one manifest file into dest. Returns IM_OK, or IM_IO with err
 * set (the caller counts it as failed), or 1 when the source does not have
 * it upstream (counted as unavailable). */
static int fetch_one(const Source *src, const char *dest, const TpManifestEntry *e, const TpFetchOpts *o,
                     TpFetchReport *rep, Err *err) {
    char *final = fs_join(dest, e->path), *where = NULL;
    char hex[65];
    Err ignore = {0};
    int rc = IM_OK;
    double bytes = 0;
    if (fs_exists(final) && !tp_sha256_file(final, hex, &ignore) && !strcmp(hex, e->sha256)) {
        rep->up_to_date++;
        emit(o, e->path, "up to date", NULL, 0);
        goto done;
    }
    where = source_locate(src, e->path);
    if (where && src->upstream && hf_split(e->path) >= 0) {
        rc = fetch_converted(src, where, final, e, hf_splits[hf_split(e->path)][2] != NULL, o, rep, err);
        if (rc) goto failed;
        goto done;
    }
    if (!where) {
        rep->unavailable++;
        emit(o, e->path, "not available upstream", "converted or rebuilt file: use --from MIRROR (docs/data.md)", 0);
        rc = 1;
        goto done;
    }
    if ((rc = fetch_verified(source_kind(src), where, final, e->sha256, o->cancel, o->timeout_s, &bytes, err))) goto failed;
    rep->fetched++;
    emit(o, e->path, "fetched", where, bytes);
    goto done;
failed:
    rep->failed++;
    emit(o, e->path, "FAILED", err->msg, 0);
done:
    free(final), free(where);
    return rc;
}

/* The source's README.md (text, malloc'd) when it has one with a checksum
 * list; NULL and IM_OK when it has none; IM_IO when the source cannot be
 * reached at all. */
static int source_readme(const Source *src, const TpFetchOpts *o, char **text, TpManifest **m, Err *err) {
    *text = NULL, *m = NULL;
    if (src->upstream) return IM_OK;
    char *where = source_locate(src, "README.md");
    Buf b;
    buf_init(&b);
    FetchSink s = {0};
    s.mem = &b, s.limit = 16u << 20, s.cancel = o->cancel;
    int not_found = 0;
    int rc = fetch_transfer(source_kind(src), where, &s, o->timeout_s, &not_found, err);
    if (rc && not_found) {
        emit(o, "README.md", "not in the source", "using the built-in checksum list", 0);
        rc = IM_OK;
    } else if (!rc) {
        Err perr = {0};
        if (tp_manifest_parse(b.data ? b.data : "", where, m, &perr)) {
            emit(o, "README.md", "no checksum list", perr.msg, 0);
        } else {
            *text = buf_take(&b);
        }
    }
    buf_free(&b);
    free(where);
    return rc;
}

/* 1 when a lists exactly b's files with b's digests. */
static int manifest_same(const TpManifest *a, const TpManifest *b) {
    if (!a || !b || a->n != b->n) return 0;
    for (int i = 0; i < b->n; i++) {
        int found = 0;
        for (int k = 0; k < a->n && !found; k++)
            found = !strcmp(a->e[k].path, b->e[i].path) && !strcmp(a->e[k].sha256, b->e[i].sha256);
        if (!found) return 0;
    }
    return 1;
}

int tp_data_fetch(const char *dest, const TpFetchOpts *opts, TpFetchReport *rep, Err *err) {
    memset(rep, 0, sizeof *rep);
    TpFetchOpts o = *opts;
    Source src;
    if (o.from && o.upstream_mirror)
        return err_set(err, IM_USAGE, "--upstream-mirror stands for the official sources: it does not go with --from");
    int rc = source_open(o.from, &src, err);
    if (rc) return rc;
    src.upstream_mirror = o.upstream_mirror;
    /* libcurl (common/net.h) only for a URL or the upstream; a directory
     * mirror is copied with stdio */
    const NetCurl *cu = NULL;
    if (source_kind(&src) != FETCH_DIR && (rc = net_curl_load(&cu, err))) return fetch_source_close(&src.fs), rc;
    if ((rc = fs_mkdirs(dest, err))) return fetch_source_close(&src.fs), rc;
    if (cu) cu->global_init(CURL_GLOBAL_DEFAULT);
    char *readme = NULL;
    TpManifest *m = NULL, *listed = NULL;
    rc = source_readme(&src, &o, &readme, &listed, err);
    /* Files are verified against the checksums built into imagine, never
     * against the list that travels with them (a tampered file would come
     * with a matching README); the source's README is kept only when it
     * lists exactly those checksums. */
    if (!rc) rc = tp_manifest_builtin(&m, err);
    if (!rc && readme && !manifest_same(listed, m)) {
        emit(&o, "README.md", "not copied", "its checksum list differs from the one built into imagine", 0);
        free(readme);
        readme = NULL;
    }
    tp_manifest_free(listed);
    rep->manifest_from_source = readme != NULL;
    int bad = 0;
    for (int i = 0; !rc && i < m->n; i++) {
        if (o.cancel && *o.cancel) {
            rc = err_set(err, IM_IO, "interrupted: %d of %d files done", i, m->n);
            break;
        }
        Err e = {0};
        bad += fetch_one(&src, dest, &m->e[i], &o, rep, &e) != IM_OK;
    }
    if (!rc) {
        const char *text = readme ? readme : tp_manifest_builtin_readme();
        char *path = fs_join(dest, "README.md");
        rc = fs_write_atomic(path, text, strlen(text), err);
        free(path);
    }
    if (!rc && bad)
        rc = err_set(err, IM_IO, "%d of %d files not in place (%d failed, %d not available from %s)", bad, m->n,
                     rep->failed, rep->unavailable, o.from ? o.from : "the official upstream");
    tp_manifest_free(m);
    free(readme);
    fetch_source_close(&src.fs);
    if (cu) cu->global_cleanup();
    return rc;
}
