/* fsync_spy.c: an LD_PRELOAD library for the hard_* tests. Logs every
 * rename() and fsync() of the process to $FSYNC_SPY_LOG, one line each
 * ("rename FROM TO", "fsync dir PATH", "fsync file PATH"), then calls the
 * real function: a test can see that a rename is followed by an fsync of
 * its directory. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void spy_log(const char *fmt, const char *a, const char *b) {
    const char *path = getenv("FSYNC_SPY_LOG");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    char line[2 * PATH_MAX + 32];
    int n = snprintf(line, sizeof line, fmt, a, b);
    if (n > 0 && write(fd, line, (size_t)n) < 0) n = 0;
    close(fd);
}

int rename(const char *from, const char *to) {
    int (*real)(const char *, const char *);
    void *sym = dlsym(RTLD_NEXT, "rename");
    *(void **)&real = sym;
    int rc = real(from, to);
    if (rc == 0) spy_log("rename %s %s\n", from, to);
    return rc;
}

int fsync(int fd) {
    int (*real)(int);
    void *sym = dlsym(RTLD_NEXT, "fsync");
    *(void **)&real = sym;
    char link[64], path[PATH_MAX] = "?";
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, path, sizeof path - 1);
    if (k > 0) path[k] = 0;
    struct stat st;
    int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    int rc = real(fd);
    if (rc == 0) spy_log("fsync %s %s\n", dir ? "dir" : "file", path);
    return rc;
}
