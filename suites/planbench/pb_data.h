/* pb_data.h: the PlanBench data package's integrity: the shipped checksum
 * list (built in, sums.c) and a verification of a data folder against it.
 * SHA-256 is OpenSSL's (EVP). Reads files, never writes. */
#ifndef IMAGINE_PB_DATA_H
#define IMAGINE_PB_DATA_H

#include "err.h"
#include "suite.h"

/* "HEX  relative/path" lines, NULL-terminated. */
extern const char *const pb_sha256sums[];

enum { PB_FILE_OK, PB_FILE_MISSING, PB_FILE_CHANGED };

typedef struct PbDataCheck {
    int files, ok, missing, changed;
    char first_bad[512]; /* the first file that is missing or changed */
} PbDataCheck;

/* Checks every listed file under dir. IM_OK when all match, IM_FAIL
 * otherwise (c says which), IM_IO when dir is not a folder. */
int pb_data_verify(const char *dir, PbDataCheck *c, Err *err);
/* sha256 of a file as lowercase hex; IM_IO when unreadable. */
int pb_sha256_file(const char *path, char hex[65], Err *err);

/* `imagine data fetch --suite planbench` (fetch.c): every listed file into
 * dest (created when needed) from o->from (a folder or URL base in the
 * package layout) or the pinned public repository (through
 * o->upstream_mirror when set), each verified against the built-in
 * checksums before it is renamed into place; ends by writing
 * dest/SHA256SUMS. IM_IO when any file failed (each named through
 * o->on_file), IM_USAGE for a malformed source. */
int pb_data_fetch(const char *dest, const SuiteFetchOpts *o, Err *err);
/* The repository folder a package path lives under at the pinned commit
 * ("plan-bench/", "llm_planning_analysis/" or ""). Static string. */
const char *pb_repo_folder(const char *path);

#endif
