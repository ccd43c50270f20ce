/* verbs.h: the handlers of every verb of `imagine` and the one verb table.
 *
 * Each handler takes the verb's argv (argv[0] is the verb) and returns an
 * exit code from err.h. Handlers print their own results; errors are
 * printed with harness_fail(). To add a verb: write its handler in a
 * cmd_*.c file, declare it here, add one row to the table in verbs.c. */
#ifndef IMAGINE_VERBS_H
#define IMAGINE_VERBS_H

#include "cli.h"
#include "err.h"

extern const CliVerb imagine_verbs[];

/* Prints "imagine: MSG" to stderr and returns err->code. */
int harness_fail(const Err *err);
/* The data directory: --data, else $IMAGINE_DATA, else the default
 * (~/.local/share/imagine/travelplanner). Returned string is static or
 * borrowed from argv/environment. */
const char *harness_data_dir(const char *flag);

int cmd_help(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
