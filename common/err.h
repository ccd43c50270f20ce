/* err.h: one error value for the whole project, and the exit codes.
 *
 * Library code never prints and never exits: it fills an Err and returns
 * its code. Only harness/main.c turns an Err into a message and an exit
 * status. Messages name the file, line or field and what was expected. */
#ifndef IMAGINE_ERR_H
#define IMAGINE_ERR_H

#include <stdarg.h>

/* Exit codes of `imagine` (shared/STYLE.md #8). */
enum {
    IM_OK = 0,         /* success */
    IM_FAIL = 1,       /* a gate or check failed */
    IM_USAGE = 2,      /* bad command line */
    IM_IO = 3,         /* I/O, data or database error */
    IM_INCOMPLETE = 4  /* a run has items left in error or ready */
};

typedef struct Err {
    int code;        /* one of the IM_* codes; IM_OK when no error */
    char msg[1024];  /* human-readable, without trailing newline */
} Err;

/* Sets err (if not NULL) and returns code. printf-style message. */
int err_set(Err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_setv(Err *err, int code, const char *fmt, va_list ap);
/* Prepends "prefix: " to an existing message (keeps the code). */
int err_prefix(Err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(Err *err);

#endif
