/* cli.h: declarative option parsing for the verbs of `imagine`.
 *
 * A verb lists its options in a CliOpt table ending with {0}; cli_parse
 * fills the destinations, collects positional arguments, and answers
 * `--help` from the same table, so help and parsing never disagree.
 * Strings point into argv (borrowed); nothing is allocated. */
#ifndef IMAGINE_CLI_H
#define IMAGINE_CLI_H

#include "err.h"

typedef enum {
    CLI_STR,   /* --name VALUE, dst is const char ** */
    CLI_INT,   /* --name N, dst is long * */
    CLI_FLOAT, /* --name X, dst is double * */
    CLI_FLAG,  /* --name, dst is int * (set to 1) */
    CLI_LIST,  /* repeatable --name VALUE, dst is CliList * */
    CLI_INT_IN,  /* --name N in a range, dst is CliIntIn * */
    CLI_FLOAT_IN /* --name X in a range, dst is CliFloatIn * (X is always finite, as for CLI_FLOAT) */
} CliKind;

typedef struct CliList {
    const char *items[32];
    int n;
} CliList;

typedef struct CliOpt {
    const char *name; /* with the leading dashes, e.g. "--split" */
    CliKind kind;
    void *dst;
    const char *meta; /* e.g. "FILE"; NULL for flags */
    const char *help;
} CliOpt;

/* dst of CLI_INT_IN / CLI_FLOAT_IN: the destination and the accepted range,
 * both ends included; a value outside is a usage error naming the value and
 * the range. Written in the table as a compound literal:
 * {"--limit", CLI_INT_IN, &(CliIntIn){&limit, 1, 1000000000}, "N", "..."}. */
typedef struct CliIntIn {
    long *dst;
    long min, max;
} CliIntIn;
typedef struct CliFloatIn {
    double *dst;
    double min, max;
} CliFloatIn;

typedef struct CliVerb {
    const char *name;    /* "eval", or two words "data check" */
    int (*run)(int argc, char **argv); /* argv[0] is the verb name */
    const char *summary; /* one line for `imagine help` */
    const char *usage;   /* positional synopsis after the verb, may be "" */
} CliVerb;

/* Parses argv[1..argc) of a verb. Positional arguments are stored in pos
 * (up to maxpos). Returns IM_OK, IM_USAGE (with err set), or -1 when
 * --help was printed (the caller returns 0). */
int cli_parse(const char *verb, const char *usage, int argc, char **argv,
              const CliOpt *opts, const char **pos, int maxpos, int *npos, Err *err);
void cli_print_help(const char *verb, const char *usage, const char *summary, const CliOpt *opts);

/* The summary of a verb is looked up through the harness's verb finder. */
const char *cli_summary(const char *verb);
void cli_set_lookup(const CliVerb *(*find)(const char *name));

#endif
