/* fetch.c: verified downloads of data package files (fetch.h). */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch.h"
#include "fsutil.h"
#include "net.h"

/* ---- sources ------------------------------------------------------------------ */

int fetch_source_open(const char *from, FetchSource *src, Err *err) {
    memset(src, 0, sizeof *src);
    if (!from || !*from) return err_set(err, IM_USAGE, "--from: empty");
    if (strstr(from, "://")) {
        if (strncmp(from, "file://", 7) && strncmp(from, "http://", 7) && strncmp(from, "https://", 8))
            return err_set(err, IM_USAGE, "--from %s: only file://, http:// and https:// URLs (or a directory)", from);
        src->kind = FETCH_URL;
    } else {
        if (!fs_is_dir(from))
            return err_set(err, IM_USAGE, "--from %s: not a directory (give a folder with the package layout, or a URL)",
                           from);
        src->kind = FETCH_DIR;
    }
    src->base = strdup(from);
    size_t n = strlen(src->base);
    while (n > 1 && src->base[n - 1] == '/') src->base[--n] = 0;
    return IM_OK;
}

void fetch_source_close(FetchSource *src) {
    free(src->base);
    src->base = NULL;
}

char *fetch_url_join(const char *base, const char *rel) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, base);
    if (b.len && b.data[b.len - 1] != '/') buf_putc(&b, '/');
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return buf_take(&b);
}

char *fetch_source_locate(const FetchSource *src, const char *rel) {
    return src->kind == FETCH_DIR ? fs_join(src->base, rel) : fetch_url_join(src->base, rel);
}

char *fetch_through_mirror(const char *mirror, const char *https_url) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, mirror);
    if (b.len && b.data[b.len - 1] != '/') buf_putc(&b, '/');
    buf_puts(&b, https_url + (strncmp(https_url, "https://", 8) ? 0 : 8));
    return buf_take(&b);
}

/* ---- one transfer ------------------------------------------------------------- */

static int sink_put(FetchSink *s, const void *p, size_t n) {
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
    const FetchSink *s = ud;
    return s->cancel && *s->cancel; /* non-zero aborts the transfer */
}

static int copy_file(const char *where, FetchSink *s, int *not_found, Err *err) {
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

int fetch_transfer(FetchKind kind, const char *where, FetchSink *s, long timeout_s, int *not_found, Err *err) {
    *not_found = 0;
    if (kind == FETCH_DIR) return copy_file(where, s, not_found, err);
    const NetCurl *cu;
    int lrc = net_curl_load(&cu, err); /* cheap after the first call */
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

/* ---- one verified file ---------------------------------------------------------- */

int fetch_mkdirs_parent(const char *path, Err *err) {
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

int fetch_verified(FetchKind kind, const char *where, const char *final, const char *sha256,
                   volatile sig_atomic_t *cancel, long timeout_s, double *bytes, Err *err) {
    *bytes = 0;
    int rc = fetch_mkdirs_parent(final, err);
    if (rc) return rc;
    size_t nt = strlen(final) + 32;
    char *tmp = malloc(nt);
    snprintf(tmp, nt, "%s.tmp.%ld", final, (long)getpid());
    FetchSink s = {0};
    s.cancel = cancel;
    s.f = fopen(tmp, "wb");
    if (!s.f) {
        rc = err_set(err, IM_IO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    s.md = md;
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        rc = err_set(err, IM_IO, "%s: cannot start sha256", where);
    } else {
        int not_found;
        rc = fetch_transfer(kind, where, &s, timeout_s, &not_found, err);
    }
    unsigned char dg[EVP_MAX_MD_SIZE];
    unsigned int dglen = 0;
    if (!rc && !EVP_DigestFinal_ex(md, dg, &dglen)) rc = err_set(err, IM_IO, "%s: sha256 failed", where);
    EVP_MD_CTX_free(md);
    int wbad = fflush(s.f) != 0 || fsync(fileno(s.f)) != 0;
    wbad |= fclose(s.f) != 0;
    if (!rc && wbad) rc = err_set(err, IM_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (!rc) {
        static const char digits[] = "0123456789abcdef";
        char hex[65];
        for (int i = 0; i < 32; i++) hex[2 * i] = digits[dg[i] >> 4], hex[2 * i + 1] = digits[dg[i] & 15];
        hex[64] = 0;
        if (strcmp(hex, sha256))
            rc = err_set(err, IM_IO, "%s: sha256 %s, expected %s (the file at the source differs; nothing written)",
                         where, hex, sha256);
    }
    if (!rc && rename(tmp, final) != 0)
        rc = err_set(err, IM_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
    if (rc) unlink(tmp);
    else *bytes = s.bytes;
    free(tmp);
    return rc;
}
