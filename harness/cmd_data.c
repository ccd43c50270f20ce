/* cmd_data.c: `imagine data check` and `imagine data fetch`: verify a
 * suite's data folder against the checksums built into imagine, and fill
 * one from a mirror or the official upstream; one implementation for every
 * suite, through its data_check and data_fetch ops. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "suite.h"
#include "verbs.h"

/* ---- data check ------------------------------------------------------------ */

/* Any suite: its data_check op against the checksums built into imagine.
 * --quiet leaves out the lines of files that match ("ok ..."). */
static int cmd_data_check(int argc, char **argv) {
    const char *data_flag = NULL, *suite = NULL;
    int quiet = 0;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "the suite whose data is checked (default: travelplanner)"},
        {"--data", CLI_STR, &data_flag, "DIR", "the suite's data folder (default: its environment variable, else ~/.local/share/imagine/NAME)"},
        {"--quiet", CLI_FLAG, &quiet, NULL, "print only problems"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("data check", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const SuiteOps *ops = suite_find(suite ? suite : suite_default_name());
    if (!ops) return err_set(&err, IM_USAGE, "imagine data check: --suite %s: one of %s", suite, suite_names()), harness_fail(&err);
    char *dir = suite_data_dir(ops, data_flag);
    Buf report;
    buf_init(&report);
    if (!fs_is_dir(dir))
        rc = err_set(&err, IM_IO, "data check: %s is not a folder — run `imagine data fetch --data %s` or pass --data DIR", dir, dir);
    else rc = suite_data_check(ops, dir, &report, &err);
    for (const char *p = report.data; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (!quiet || strncmp(p, "ok ", 3)) fwrite(p, 1, len, stdout);
        p += len;
    }
    buf_free(&report);
    free(dir);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- data fetch ------------------------------------------------------------ */

static volatile sig_atomic_t fetch_cancel;
static void on_signal(int sig) { (void)sig, fetch_cancel = 1; }

static void on_file(void *ctx, const SuiteFetchEvent *ev) {
    (void)ctx;
    if (!strcmp(ev->status, "fetched"))
        printf("fetched     %s (%.0f bytes)\n", ev->path, ev->bytes);
    else if (!strcmp(ev->status, "up to date"))
        printf("up to date  %s\n", ev->path);
    else
        printf("%-11s %s%s%s\n", ev->status, ev->path, ev->detail ? ": " : "", ev->detail ? ev->detail : "");
    fflush(stdout);
}

static void on_say(void *ctx, int to_stderr, const char *line) {
    (void)ctx;
    fputs(line, to_stderr ? stderr : stdout);
    fflush(to_stderr ? stderr : stdout);
}

/* Any suite with a data_fetch op (TravelPlanner, PlanBench). */
static int cmd_data_fetch(int argc, char **argv) {
    const char *suite = NULL, *data_flag = NULL, *from = NULL, *upstream_mirror = NULL;
    long timeout = 600;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "the suite whose data is fetched (default: travelplanner)"},
        {"--data", CLI_STR, &data_flag, "DIR", "where to put the data (default: its environment variable, else ~/.local/share/imagine/NAME)"},
        {"--from", CLI_STR, &from, "URL|DIR",
         "a mirror with the package layout: a folder, or a file://, http:// or https:// base "
         "(default: the suite's official sources; TravelPlanner's hold only part of its package, docs/data.md)"},
        {"--upstream-mirror", CLI_STR, &upstream_mirror, "URL",
         "without --from: the official sources through a mirror in their own layout (URL/HOST/PATH for https://HOST/PATH)"},
        {"--timeout", CLI_INT_IN, &(CliIntIn){&timeout, 1, 86400}, "S", "seconds per file (default 600)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("data fetch", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const SuiteOps *ops = suite_find(suite ? suite : suite_default_name());
    if (!ops) return err_set(&err, IM_USAGE, "imagine data fetch: --suite %s: one of %s", suite, suite_names()), harness_fail(&err);
    char *dir = suite_user_data_dir(ops, data_flag);
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    SuiteFetchOpts o = {from, upstream_mirror, timeout, &fetch_cancel, on_say, on_file, NULL};
    rc = suite_data_fetch(ops, dir, &o, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(dir);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_data[] = {
    {"data check", cmd_data_check, "Verify a suite's data folder against the sha256 checksums built into imagine.", ""},
    {"data fetch", cmd_data_fetch, "Download a suite's data (from its official sources, or a mirror with --from), verified by sha256.", ""},
    {0}};
