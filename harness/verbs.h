/* verbs.h: how verbs are found, and the helpers every verb uses.
 *
 * Each harness/cmd_NAME.c defines `const CliVerb imagine_verbs_NAME[]`, a
 * table ending with {0}; CMake collects the tables (verb_families.c).
 * Handlers take the verb's argv (argv[0] is the verb) and return an exit
 * code from err.h; they print their results, and errors through
 * harness_fail(). */
#ifndef IMAGINE_VERBS_H
#define IMAGINE_VERBS_H

#include "cli.h"
#include "err.h"

extern const CliVerb *const imagine_verb_families[];

/* Finds a verb by its full name ("data check"), or NULL. */
const CliVerb *harness_find_verb(const char *name);
/* Prints "imagine: MSG" to stderr and returns err->code. */
int harness_fail(const Err *err);
/* The query file of a verb: `queries` when given (--queries), else
 * DATA/queries/SPLIT.jsonl. Returns a malloc'd path. */
char *harness_query_path(const char *queries, const char *data, const char *split);
/* The data directory: --data, else $IMAGINE_DATA, else the default
 * (~/.local/share/imagine/travelplanner). Returned string is static or
 * borrowed from argv/environment. */
const char *harness_data_dir(const char *flag);
/* For verbs that serve TravelPlanner only so far: takes "--suite S" (or
 * --suite=S) out of argv when S is travelplanner (the default) and turns
 * "--variant V" into "--split V"; IM_USAGE naming the verb when S is
 * another suite (or unknown). *argc is updated; argv is edited in place. */
int harness_travelplanner_only(const char *verb, int *argc, char **argv, Err *err);
/* IM_USAGE naming both when the output `out` (given by option `flag`) is
 * the same file as one of the n inputs (NULL entries skipped): a verb never
 * replaces a file it reads. IM_OK otherwise, and when out is NULL. */
int harness_refuse_input_as_output(const char *verb, const char *flag, const char *out, const char *const *inputs, int n,
                                   Err *err);

/* The source tree's git revision, written at build time by cmake/GitRev.cmake
 * (git_rev.c), recorded in every run. */
extern const char imagine_git_rev[];

#endif
