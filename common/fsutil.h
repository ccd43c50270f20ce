/* fsutil.h: whole-file reads and crash-safe writes.
 *
 * fs_read_file returns a NUL-terminated malloc'd buffer owned by the caller.
 * fs_write_atomic writes to "TARGET.tmp.PID" beside the file PATH really
 * names (symlinks followed), fsyncs it, renames it over TARGET and fsyncs
 * the directory, so a crash or a power cut never leaves a half-written or
 * a lost file. A FIFO or a character device (/dev/stdout, /dev/null) is
 * written in place, never replaced; a directory, a block device or a
 * socket is refused. Errors name the path. */
#ifndef IMAGINE_FSUTIL_H
#define IMAGINE_FSUTIL_H

#include <stddef.h>

#include "err.h"

int fs_read_file(const char *path, char **out, size_t *len, Err *err);
int fs_write_atomic(const char *path, const char *data, size_t len, Err *err);

/* The same in two steps, for writers that produce the file themselves (the
 * PDF module): fs_out_begin resolves PATH and names the file to write,
 * write_path (the temp file, or the target itself when it is written in
 * place); fs_out_commit makes it durable and moves it over the target;
 * fs_out_abort removes the temp file. Both free what begin allocated. */
typedef struct FsOut {
    char *target;     /* the file PATH names, symlinks followed */
    char *tmp;        /* "TARGET.tmp.PID", or NULL when written in place */
    const char *write_path;
} FsOut;
int fs_out_begin(const char *path, FsOut *o, Err *err);
int fs_out_commit(FsOut *o, Err *err);
void fs_out_abort(FsOut *o);

/* IM_IO "PATH:LINE: a NUL byte at column C ..." when the len bytes of a
 * text file read with fs_read_file hold a NUL byte (C strings would stop
 * there and silently drop the rest). */
int fs_text_check(const char *path, const char *text, size_t len, Err *err);
/* fs_read_file then fs_text_check: every reader of a text file (queries,
 * plans, training data, item and answer files) goes through it. On error
 * *out is NULL and nothing is left allocated. */
int fs_read_text(const char *path, char **out, size_t *len, Err *err);

/* 1 when both paths exist and name the same file (device and inode). */
int fs_same_file(const char *a, const char *b);
/* IM_USAGE "imagine VERB: FLAG OUT is INPUT, an input of this command ..."
 * when out (NULL: no output) is the same file as one of the n inputs (NULL
 * entries skipped): a verb never replaces a file it reads. */
int fs_refuse_overwrite(const char *verb, const char *flag, const char *out, const char *const *inputs, int n, Err *err);
int fs_exists(const char *path);
int fs_is_dir(const char *path);
/* mkdir -p */
int fs_mkdirs(const char *path, Err *err);
/* Joins a and b with one '/'; returns malloc'd string. */
char *fs_join(const char *a, const char *b);

#endif
