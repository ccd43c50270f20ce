/* datapkg_fetch.c: `imagine data fetch` as a library: copies the data
 * package from a mirror (a directory, or a file://, http://, https:// base
 * with the package's layout) or from the official upstream into a folder.
 *
 * Every file is streamed into "PATH.tmp.PID" while its sha256 is computed,
 * and renamed over PATH only when the sha256 matches the manifest; on any
 * failure or cancel the temp file is removed. Never prints: progress goes
 * through the caller's on_file callback. Transfers use libcurl, loaded
 * when the source is not a directory (common/net.h). */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapkg.h"
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
    TpSourceKind kind;
    char *base; /* directory or URL base, without a trailing '/' */
    const char *upstream_mirror; /* upstream only: BASE standing for https:// (BASE/HOST/PATH), or NULL */
} Source;

static int source_open(const char *from, Source *src, Err *err) {
    memset(src, 0, sizeof *src);
    if (!from) return src->kind = TP_SRC_UPSTREAM, IM_OK;
    if (!*from) return err_set(err, IM_USAGE, "--from: empty");
    const char *scheme_end = strstr(from, "://");
    if (scheme_end) {
        if (strncmp(from, "file://", 7) && strncmp(from, "http://", 7) && strncmp(from, "https://", 8))
            return err_set(err, IM_USAGE, "--from %s: only file://, http:// and https:// URLs (or a directory)", from);
        src->kind = TP_SRC_URL;
    } else {
        if (!fs_is_dir(from))
            return err_set(err, IM_USAGE, "--from %s: not a directory (give a folder with the package layout, or a URL)",
                           from);
        src->kind = TP_SRC_DIR;
    }
    src->base = strdup(from);
    size_t n = strlen(src->base);
    while (n > 1 && src->base[n - 1] == '/') src->base[--n] = 0;
    return IM_OK;
}

/* URL or path of a package file in the source; malloc'd, NULL when the
 * upstream does not have it. URL paths are percent-encoded. */
static char *source_locate(const Source *src, const char *rel) {
    if (src->kind == TP_SRC_UPSTREAM) {
        int k = hf_split(rel);
        const char *u = k >= 0 ? hf_splits[k][1] : tp_upstream_url(rel);
        if (!u || !src->upstream_mirror) return u ? strdup(u) : NULL;
        Buf b; /* the same path under the mirror: https://HOST/PATH -> BASE/HOST/PATH */
        buf_init(&b);
        buf_puts(&b, src->upstream_mirror);
        if (b.len && b.data[b.len - 1] != '/') buf_putc(&b, '/');
        buf_puts(&b, u + strlen("https://"));
        return buf_take(&b);
    }
    if (src->kind == TP_SRC_DIR) return fs_join(src->base, rel);
    Buf b;
    buf_init(&b);
    buf_puts(&b, src->base);
    buf_putc(&b, '/');
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return buf_take(&b);
}

/* ---- one transfer ------------------------------------------------------------ */

typedef struct Sink {
    FILE *f;          /* file output, or NULL */
    Buf *mem;         /* memory output, or NULL */
    size_t limit;     /* memory output limit */
    EVP_MD_CTX *md;   /* sha256 of what was written, or NULL */
    double bytes;
    int bad;          /* write failed or over the limit */
    volatile sig_atomic_t *cancel;
} Sink;

static int sink_put(Sink *s, const void *p, size_t n) {
    if (s->cancel && *s->cancel) return 0;
    if (s->f && fwrite(p, 1, n, s->f) != n) return s->bad = 1, 0;
    if (s->mem) {
        if (s->mem->len + n > s->limit) return s->bad = 1, 0;
        buf_append(s->mem, p, n);
    }
    if (s->md && !EVP_DigestUpdate(s->md, p, n)) return s->bad = 1, 0;
    s->bytes += (double)n;
    return 1;
}

static size_t curl_write(char *p, size_t size, size_t nmemb, void *ud) {
    return sink_put(ud, p, size * nmemb) ? size * nmemb : 0;
}

static int curl_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
    (void)a, (void)b, (void)c, (void)d;
    const Sink *s = ud;
    return s->cancel && *s->cancel; /* non-zero aborts the transfer */
}

/* Streams `where` (URL or path) into the sink. *not_found is set when the
 * source simply lacks the file (HTTP 404/410, no such file). */
static int transfer(const Source *src, const char *where, Sink *s, long timeout_s, int *not_found, Err *err) {
    *not_found = 0;
    if (src->kind == TP_SRC_DIR) {
        FILE *in = fopen(where, "rb");
        if (!in) {
            *not_found = errno == ENOENT;
            return err_set(err, IM_IO, "cannot open %s: %s", where, strerror(errno));
        }
        char chunk[1 << 15];
        size_t n;
        int ok = 1;
        while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0) ok = sink_put(s, chunk, n);
        int rerr = ferror(in);
        fclose(in);
        if (s->cancel && *s->cancel) return err_set(err, IM_IO, "%s: interrupted", where);
        if (rerr) return err_set(err, IM_IO, "cannot read %s", where);
        if (!ok) return err_set(err, IM_IO, "%s: cannot write the copy%s", where, s->mem ? " (too large)" : "");
        return IM_OK;
    }
    const NetCurl *cu;
    int lrc = net_curl_load(&cu, err); /* loaded by tp_data_fetch: cheap */
    if (lrc) return lrc;
    CURL *c = cu->easy_init();
    if (!c) return err_set(err, IM_IO, "%s: cannot start libcurl", where);
    char ebuf[CURL_ERROR_SIZE] = "";
    cu->easy_setopt(c, CURLOPT_URL, where);
    cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
    cu->easy_setopt(c, CURLOPT_WRITEDATA, s);
    cu->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, curl_progress);
    cu->easy_setopt(c, CURLOPT_XFERINFODATA, s);
    cu->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    cu->easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    cu->easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "file,http,https");
    cu->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    cu->easy_setopt(c, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 600L);
    cu->easy_setopt(c, CURLOPT_USERAGENT, "imagine-data-fetch/1");
    cu->easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode rc = cu->easy_perform(c);
    long status = 0;
    cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    cu->easy_cleanup(c);
    if (rc == CURLE_OK) return IM_OK;
    if (s->cancel && *s->cancel) return err_set(err, IM_IO, "%s: interrupted", where);
    *not_found = (rc == CURLE_HTTP_RETURNED_ERROR && (status == 404 || status == 410)) || rc == CURLE_FILE_COULDNT_READ_FILE;
    if (rc == CURLE_WRITE_ERROR && s->bad)
        return err_set(err, IM_IO, "%s: cannot write the copy%s", where, s->mem ? " (too large)" : "");
    return err_set(err, IM_IO, "%s: %s", where, ebuf[0] ? ebuf : cu->easy_strerror(rc));
}

/* ---- one file ------------------------------------------------------------------ */

static void emit(const TpFetchOpts *o, const char *path, const char *status, const char *detail, double bytes) {
    if (!o->on_file) return;
    TpFetchEvent ev = {path, status, detail, bytes};
    o->on_file(o->ctx, &ev);
}

static int mkdirs_parent(const char *path, Err *err) {
    char *dir = strdup(path);
    char *slash = strrchr(dir, '/');
    int rc = IM_OK;
    if (slash && slash != dir) {
        *slash = 0;
        rc = fs_mkdirs(dir, err);
    }
    free(dir);
    return rc;
}

/* A query split from its Hugging Face CSV: downloaded into a temp file,
 * converted, then verified against the built-in checksum. `known`: the
 * checksum is that of this conversion (train); else (validation, whose
 * package file was rebuilt) a different digest is kept and reported as not
 * verified. */
static int fetch_converted(const Source *src, const char *where, const char *final, const TpManifestEntry *e, int known,
                           const TpFetchOpts *o, TpFetchReport *rep, Err *err) {
    int rc = mkdirs_parent(final, err);
    if (rc) return rc;
    size_t nt = strlen(final) + 40;
    char *csv = malloc(nt);
    snprintf(csv, nt, "%s.csv.tmp.%ld", final, (long)getpid());
    Sink s = {0};
    s.cancel = o->cancel;
    s.f = fopen(csv, "wb");
    if (!s.f) rc = err_set(err, IM_IO, "cannot create %s: %s", csv, strerror(errno));
    int not_found = 0;
    if (!rc) rc = transfer(src, where, &s, o->timeout_s, &not_found, err);
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
    char *final = fs_join(dest, e->path), *where = NULL, *tmp = NULL;
    char hex[65];
    Err ignore = {0};
    int rc = IM_OK;
    if (fs_exists(final) && !tp_sha256_file(final, hex, &ignore) && !strcmp(hex, e->sha256)) {
        rep->up_to_date++;
        emit(o, e->path, "up to date", NULL, 0);
        goto done;
    }
    where = source_locate(src, e->path);
    if (where && src->kind == TP_SRC_UPSTREAM && hf_split(e->path) >= 0) {
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
    if ((rc = mkdirs_parent(final, err))) goto failed;
    size_t nt = strlen(final) + 32;
    tmp = malloc(nt);
    snprintf(tmp, nt, "%s.tmp.%ld", final, (long)getpid());
    Sink s = {0};
    s.cancel = o->cancel;
    s.f = fopen(tmp, "wb");
    if (!s.f) {
        rc = err_set(err, IM_IO, "cannot create %s: %s", tmp, strerror(errno));
        goto failed;
    }
    s.md = EVP_MD_CTX_new();
    if (!s.md || !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL)) {
        rc = err_set(err, IM_IO, "%s: cannot start sha256", e->path);
    } else {
        int not_found;
        rc = transfer(src, where, &s, o->timeout_s, &not_found, err);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!rc && !EVP_DigestFinal_ex(s.md, md, &mdlen)) rc = err_set(err, IM_IO, "%s: sha256 failed", e->path);
    EVP_MD_CTX_free(s.md);
    int wbad = fflush(s.f) != 0 || fsync(fileno(s.f)) != 0;
    wbad |= fclose(s.f) != 0;
    if (!rc && wbad) rc = err_set(err, IM_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (!rc) {
        static const char digits[] = "0123456789abcdef";
        for (int i = 0; i < 32; i++) hex[2 * i] = digits[md[i] >> 4], hex[2 * i + 1] = digits[md[i] & 15];
        hex[64] = 0;
        if (strcmp(hex, e->sha256))
            rc = err_set(err, IM_IO, "%s: sha256 %s, expected %s (the file at the source differs; nothing written)",
                         where, hex, e->sha256);
    }
    if (!rc && rename(tmp, final) != 0)
        rc = err_set(err, IM_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
    if (rc) {
        unlink(tmp);
        goto failed;
    }
    rep->fetched++;
    emit(o, e->path, "fetched", where, s.bytes);
    goto done;
failed:
    rep->failed++;
    emit(o, e->path, "FAILED", err->msg, 0);
done:
    free(final), free(where), free(tmp);
    return rc;
}

/* The source's README.md (text, malloc'd) when it has one with a checksum
 * list; NULL and IM_OK when it has none; IM_IO when the source cannot be
 * reached at all. */
static int source_readme(const Source *src, const TpFetchOpts *o, char **text, TpManifest **m, Err *err) {
    *text = NULL, *m = NULL;
    if (src->kind == TP_SRC_UPSTREAM) return IM_OK;
    char *where = source_locate(src, "README.md");
    Buf b;
    buf_init(&b);
    Sink s = {0};
    s.mem = &b, s.limit = 16u << 20, s.cancel = o->cancel;
    int not_found = 0;
    int rc = transfer(src, where, &s, o->timeout_s, &not_found, err);
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
    if (src.kind != TP_SRC_DIR && (rc = net_curl_load(&cu, err))) return free(src.base), rc;
    if ((rc = fs_mkdirs(dest, err))) return free(src.base), rc;
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
    free(readme), free(src.base);
    if (cu) cu->global_cleanup();
    return rc;
}
