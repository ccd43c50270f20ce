/* suite_cli.c: the command line of verbs whose options depend on the
 * suite (eval, bench eval): which suite argv names, and parsing the
 * verb's common options together with the suite's own (SuiteOption), so
 * that --help lists both and an option of another suite is refused. */
#include <stdio.h>
#include <string.h>

#include "suite.h"
#include "verbs.h"

const SuiteOps *harness_suite_of(const char *verb, int argc, char **argv, Err *err) {
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--suite") && i + 1 < argc) name = argv[++i];
        else if (!strncmp(argv[i], "--suite=", 8)) name = argv[i] + 8;
    }
    const SuiteOps *ops = suite_find(name ? name : suite_default_name());
    if (!ops) err_set(err, IM_USAGE, "imagine %s: unknown suite '%s' (suites: %s)", verb, name, suite_names());
    return ops;
}

int harness_parse_suite_opts(const char *verb, int argc, char **argv, const CliOpt *common, const SuiteOption *own,
                             const char **values, Err *err) {
    enum { ROOM = 32 };
    CliOpt opts[ROOM + SUITE_MAX_OPTIONS + 1];
    int flags[SUITE_MAX_OPTIONS] = {0}, n = 0, k = 0;
    for (; common[n].name && n < ROOM; n++) opts[n] = common[n];
    for (; own && own[k].name && k < SUITE_MAX_OPTIONS; k++) {
        values[k] = NULL;
        opts[n + k] = (CliOpt){own[k].name, own[k].meta ? CLI_STR : CLI_FLAG, own[k].meta ? (void *)&values[k] : (void *)&flags[k],
                               own[k].meta, own[k].help};
    }
    opts[n + k] = (CliOpt){0};
    const char *pos[1];
    int npos, rc = cli_parse(verb, "", argc, argv, opts, pos, 0, &npos, err);
    for (int i = 0; i < k; i++)
        if (!own[i].meta) values[i] = flags[i] ? "1" : NULL;
    return rc;
}
