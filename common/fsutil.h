/* fsutil.h: whole-file reads and crash-safe writes.
 *
 * fs_read_file returns a NUL-terminated malloc'd buffer owned by the caller.
 * fs_write_atomic writes to "PATH.tmp.PID" and renames it over PATH, so a
 * crash never leaves a half-written file. Errors name the path. */
#ifndef IMAGINE_FSUTIL_H
#define IMAGINE_FSUTIL_H

#include <stddef.h>

#include "err.h"

int fs_read_file(const char *path, char **out, size_t *len, Err *err);
int fs_write_atomic(const char *path, const char *data, size_t len, Err *err);
int fs_exists(const char *path);
int fs_is_dir(const char *path);
/* mkdir -p */
int fs_mkdirs(const char *path, Err *err);
/* Joins a and b with one '/'; returns malloc'd string. */
char *fs_join(const char *a, const char *b);

#endif
