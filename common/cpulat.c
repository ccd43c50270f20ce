/* cpulat.c: the PM QoS CPU latency request (cpulat.h). */
#include "cpulat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cpulat_hold(long us, const char *what, Err *err) {
    if (us < 0 || us > INT32_MAX) return err_set(err, IM_USAGE, "%s %ld: expected microseconds, 0 or more", what, us);
    const char *path = getenv("IMAGINE_CPU_LATENCY_FILE");
    if (!path || !*path) path = "/dev/cpu_dma_latency";
    int fd = open(path, O_WRONLY | O_CLOEXEC); /* never O_CREAT: a missing device is an error, not a new file */
    if (fd < 0)
        return err_set(err, IM_IO, "%s: %s: %s (the kernel's CPU latency request; writing it needs root)", what, path, strerror(errno));
    int32_t v = (int32_t)us;
    ssize_t n = write(fd, &v, sizeof v);
    if (n != (ssize_t)sizeof v) {
        int e = n < 0 ? errno : EIO;
        close(fd);
        return err_set(err, IM_IO, "%s: %s: writing the request: %s", what, path, strerror(e));
    }
    return IM_OK; /* fd stays open on purpose: closing it would drop the request */
}

int cpulat_from_env(Err *err) {
    const char *v = getenv("IMAGINE_CPU_LATENCY");
    if (!v || !*v) return IM_OK;
    char *end;
    errno = 0;
    long us = strtol(v, &end, 10);
    if (errno || *end || end == v) return err_set(err, IM_USAGE, "IMAGINE_CPU_LATENCY=%s: expected microseconds, 0 or more (or unset)", v);
    return cpulat_hold(us, "IMAGINE_CPU_LATENCY", err); /* the range is its check */
}
