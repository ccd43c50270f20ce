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
/* The data directory: --data, else $IMAGINE_DATA, else the default
 * (~/.local/share/imagine/travelplanner). Returned string is static or
 * borrowed from argv/environment. */
const char *harness_data_dir(const char *flag);
/* The suite a verb's argv names with --suite S (or --suite=S), else the
 * default; NULL with IM_USAGE naming the suites when unknown. */
struct SuiteOps;
const struct SuiteOps *harness_suite_of(const char *verb, int argc, char **argv, Err *err);
/* cli_parse over the verb's common options followed by a suite's own
 * (own: {name, meta, help} ending with a NULL name; may be NULL):
 * values[i] receives own[i]'s value, "1" for a flag given, NULL when
 * absent. Returns what cli_parse returns (-1: --help was printed). */
struct SuiteOption;
int harness_parse_suite_opts(const char *verb, int argc, char **argv, const CliOpt *common, const struct SuiteOption *own,
                             const char **values, Err *err);
/* IM_USAGE naming both when the output `out` (given by option `flag`) is
 * the same file as one of the n inputs (NULL entries skipped): a verb never
 * replaces a file it reads. IM_OK otherwise, and when out is NULL. */
int harness_refuse_input_as_output(const char *verb, const char *flag, const char *out, const char *const *inputs, int n,
                                   Err *err);

/* The source tree's git revision, written at build time by cmake/GitRev.cmake
 * (git_rev.c), recorded in every run. */
extern const char imagine_git_rev[];

#endif
