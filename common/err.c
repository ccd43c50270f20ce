/* err.c: the Err helper. No allocation, so it works when memory is gone. */
#include "err.h"

#include <stdio.h>
#include <string.h>

int err_setv(Err *err, int code, const char *fmt, va_list ap) {
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

int err_set(Err *err, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int err_prefix(Err *err, const char *fmt, ...) {
    if (!err) return IM_OK;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t np = strlen(prefix);
    if (np > sizeof err->msg - 3) np = sizeof err->msg - 3;
    memcpy(err->msg, prefix, np);
    memcpy(err->msg + np, ": ", 2);
    size_t room = sizeof err->msg - np - 3, nold = strnlen(old, sizeof old);
    if (nold > room) nold = room;
    memcpy(err->msg + np + 2, old, nold);
    err->msg[np + 2 + nold] = 0;
    return err->code;
}

void err_clear(Err *err) {
    if (err) {
        err->code = IM_OK;
        err->msg[0] = 0;
    }
}
