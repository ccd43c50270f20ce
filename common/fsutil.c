/* fsutil.c: file helpers over POSIX calls. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
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
    int bad = ferror(f), e = errno; /* read before fclose can change it */
    fclose(f);
    if (bad) { /* a directory opens, and fails only here (EISDIR) */
        free(data);
        return err_set(err, IM_IO, "cannot read %s: %s", path, fs_is_dir(path) ? "a folder, not a file" : strerror(e));
    }
    data[n] = 0;
    *out = data;
    if (len) *len = n;
    return IM_OK;
}

/* The file a path that does not exist yet names: symlinks followed (a
 * dangling one names its target, which is created); malloc'd. */
static int resolve_target(const char *path, char **out, Err *err) {
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = cur;
            return IM_OK;
        }
        if (hops == 40) break;
        char link[4096];
        ssize_t k = readlink(cur, link, sizeof link - 1);
        if (k < 0) {
            int e = errno;
            free(cur);
            return err_set(err, IM_IO, "cannot read the symlink %s: %s", path, strerror(e));
        }
        link[k] = 0;
        char *next;
        const char *slash = strrchr(cur, '/');
        if (link[0] == '/' || !slash) next = strdup(link);
        else {
            size_t dn = (size_t)(slash - cur) + 1;
            next = malloc(dn + (size_t)k + 1);
            if (next) memcpy(next, cur, dn), memcpy(next + dn, link, (size_t)k + 1);
        }
        free(cur);
        cur = next;
    }
    free(cur);
    return err_set(err, IM_IO, "cannot write %s: too many levels of symbolic links (or out of memory)", path);
}

int fs_out_begin(const char *path, FsOut *o, Err *err) {
    memset(o, 0, sizeof *o);
    struct stat st;
    int exists = stat(path, &st) == 0, rc;
    if (exists && !S_ISREG(st.st_mode)) {
        if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) { /* written in place, never replaced */
            o->target = strdup(path);                      /* as given: /dev/stdout may lead to "pipe:[N]" */
            o->write_path = o->target;
            return o->target ? IM_OK : err_set(err, IM_IO, "%s: out of memory", path);
        }
        return err_set(err, IM_IO, "cannot write %s: it is %s, not a file (nothing was written)", path,
                       S_ISDIR(st.st_mode) ? "a directory" : S_ISBLK(st.st_mode) ? "a block device" : "a special file");
    }
    if (exists) o->target = realpath(path, NULL); /* the file a symlink chain ends at */
    if (exists ? !o->target : (rc = resolve_target(path, &o->target, err)) != IM_OK)
        return exists ? err_set(err, IM_IO, "cannot resolve %s: %s", path, strerror(errno)) : rc;
    size_t n = strlen(o->target) + 32;
    o->tmp = malloc(n);
    if (!o->tmp) {
        fs_out_abort(o);
        return err_set(err, IM_IO, "%s: out of memory", path);
    }
    snprintf(o->tmp, n, "%s.tmp.%ld", o->target, (long)getpid());
    o->write_path = o->tmp;
    return IM_OK;
}

static int fsync_path(const char *path, int flags) {
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int fs_out_commit(FsOut *o, Err *err) {
    int rc = IM_OK;
    if (o->tmp) {
        if (fsync_path(o->tmp, O_RDONLY) != 0) {
            rc = err_set(err, IM_IO, "cannot write %s: %s", o->tmp, strerror(errno));
        } else if (rename(o->tmp, o->target) != 0) {
            rc = err_set(err, IM_IO, "cannot rename %s to %s: %s", o->tmp, o->target, strerror(errno));
        } else {
            free(o->tmp);
            o->tmp = NULL; /* renamed: nothing to remove */
            char *dir = strdup(o->target);
            char *slash = dir ? strrchr(dir, '/') : NULL;
            const char *d = !dir ? "." : !slash ? "." : slash == dir ? "/" : (*slash = 0, dir);
            /* the rename is durable only once the directory is */
            if (fsync_path(d, O_RDONLY | O_DIRECTORY) != 0)
                rc = err_set(err, IM_IO, "cannot sync the directory %s after writing %s: %s", d, o->target, strerror(errno));
            free(dir);
        }
    }
    fs_out_abort(o);
    return rc;
}

void fs_out_abort(FsOut *o) {
    if (o->tmp) unlink(o->tmp);
    free(o->tmp), free(o->target);
    memset(o, 0, sizeof *o);
}

int fs_write_atomic(const char *path, const char *data, size_t len, Err *err) {
    FsOut o;
    int rc = fs_out_begin(path, &o, err);
    if (rc) return rc;
    FILE *f = fopen(o.write_path, "wb");
    if (!f) {
        rc = err_set(err, IM_IO, "cannot create %s: %s", o.write_path, strerror(errno));
        fs_out_abort(&o);
        return rc;
    }
    size_t w = fwrite(data, 1, len, f);
    int bad = w != len || fflush(f) != 0;
    int e = bad ? errno : 0;
    if (fclose(f) != 0 && !bad) bad = 1, e = errno;
    if (bad) {
        rc = err_set(err, IM_IO, "cannot write %s: %s", path, strerror(e));
        fs_out_abort(&o);
        return rc;
    }
    return fs_out_commit(&o, err);
}

int fs_text_check(const char *path, const char *text, size_t len, Err *err) {
    const char *nul = memchr(text, 0, len);
    if (!nul) return IM_OK;
    long line = 1;
    const char *bol = text;
    for (const char *p = text; p < nul; p++)
        if (*p == '\n') line++, bol = p + 1;
    return err_set(err, IM_IO, "%s:%ld: a NUL byte at column %ld: not a text file (is it truncated or corrupted?)", path,
                   line, (long)(nul - bol) + 1);
}

int fs_read_text(const char *path, char **out, size_t *len, Err *err) {
    size_t n = 0;
    int rc = fs_read_file(path, out, &n, err);
    if (!rc && (rc = fs_text_check(path, *out, n, err))) free(*out), *out = NULL;
    if (len) *len = rc ? 0 : n;
    return rc;
}

int fs_same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int fs_refuse_overwrite(const char *verb, const char *flag, const char *out, const char *const *inputs, int n, Err *err) {
    for (int i = 0; out && i < n; i++)
        if (fs_same_file(out, inputs[i]))
            return err_set(err, IM_USAGE, "imagine %s: %s %s is %s, an input of this command: give another output file "
                           "(nothing was written)", verb, flag, out, inputs[i]);
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
