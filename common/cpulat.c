/* cpulat.c: the PM QoS CPU latency request (cpulat.h). */
#include "cpulat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cpulat_hold(long us, Err *err) {
    if (us < 0 || us > INT32_MAX) return err_set(err, IM_USAGE, "--cpu-latency %ld: expected microseconds, 0 or more", us);
    const char *path = getenv("IMAGINE_CPU_LATENCY_FILE");
    if (!path || !*path) path = "/dev/cpu_dma_latency";
    int fd = open(path, O_WRONLY | O_CLOEXEC); /* never O_CREAT: a missing device is an error, not a new file */
    if (fd < 0)
        return err_set(err, IM_IO, "--cpu-latency: %s: %s (the kernel's CPU latency request; writing it needs root)", path, strerror(errno));
    int32_t v = (int32_t)us;
    ssize_t n = write(fd, &v, sizeof v);
    if (n != (ssize_t)sizeof v) {
        int e = n < 0 ? errno : EIO;
        close(fd);
        return err_set(err, IM_IO, "--cpu-latency: %s: writing the request: %s", path, strerror(e));
    }
    return IM_OK; /* fd stays open on purpose: closing it would drop the request */
}
