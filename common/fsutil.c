/* fsutil.c: file helpers over POSIX calls. */
#include "fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_file(const char *path, char **out, size_t *len, Err *err) {
    *out = NULL;
    if (len) *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, IM_IO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *data = malloc(cap);
    for (;;) {
        if (!data) { fclose(f); return err_set(err, IM_IO, "%s: out of memory", path); }
        n += fread(data + n, 1, cap - n - 1, f);
        if (n < cap - 1) break;
        cap *= 2;
        char *p = realloc(data, cap);
        if (!p) free(data);
        data = p;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(data); return err_set(err, IM_IO, "cannot read %s", path); }
    data[n] = 0;
    *out = data;
    if (len) *len = n;
    return IM_OK;
}

int fs_write_atomic(const char *path, const char *data, size_t len, Err *err) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return err_set(err, IM_IO, "cannot create %s: %s", tmp, strerror(errno));
    size_t w = fwrite(data, 1, len, f);
    int bad = w != len || fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad) { unlink(tmp); return err_set(err, IM_IO, "cannot write %s: %s", path, strerror(errno)); }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return err_set(err, IM_IO, "cannot rename %s to %s: %s", tmp, path, strerror(e));
    }
    return IM_OK;
}

int fs_exists(const char *path) { return access(path, F_OK) == 0; }

int fs_is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_mkdirs(const char *path, Err *err) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return err_set(err, IM_IO, "cannot create directory %s: %s", buf, strerror(errno));
            *p = c;
            if (!c) break;
        }
    }
    return IM_OK;
}

char *fs_join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    size_t k = la;
    if (la && a[la - 1] != '/') s[k++] = '/';
    memcpy(s + k, b, lb + 1);
    return s;
}
