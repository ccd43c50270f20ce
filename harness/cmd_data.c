/* cmd_data.c: `imagine data check` and `imagine data fetch`: verify a data
 * folder against its README's checksum list, and fill one from a mirror or
 * the official upstream (suites/travelplanner/datapkg.h does the work). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapkg.h"
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

static void on_file(void *ctx, const TpFetchEvent *ev) {
    (void)ctx;
    if (!strcmp(ev->status, "fetched"))
        printf("fetched     %s (%.0f bytes)\n", ev->path, ev->bytes);
    else if (!strcmp(ev->status, "up to date"))
        printf("up to date  %s\n", ev->path);
    else
        printf("%-11s %s%s%s\n", ev->status, ev->path, ev->detail ? ": " : "", ev->detail ? ev->detail : "");
    fflush(stdout);
}

static int cmd_data_fetch(int argc, char **argv) {
    {
        Err serr = {0};
        if (harness_travelplanner_only("data fetch", &argc, argv, &serr)) return harness_fail(&serr);
    }
    const char *data_flag = NULL, *from = NULL, *upstream_mirror = NULL;
    long timeout = 600;
    const CliOpt opts[] = {
        {"--data", CLI_STR, &data_flag, "DIR", "where to put the data (default: $IMAGINE_DATA, else ~/.local/share/imagine/travelplanner)"},
        {"--from", CLI_STR, &from, "URL|DIR",
         "a mirror with the package layout: a folder, or a file://, http:// or https:// base "
         "(default: the official upstream, which holds only the database files; see docs/data.md)"},
        {"--upstream-mirror", CLI_STR, &upstream_mirror, "URL",
         "without --from: the official sources through a mirror in their own layout (URL/HOST/PATH for https://HOST/PATH)"},
        {"--timeout", CLI_INT_IN, &(CliIntIn){&timeout, 1, 86400}, "S", "seconds per file (default 600)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("data fetch", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const char *dir = harness_data_dir(data_flag);
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    TpFetchOpts o = {from, on_file, NULL, &fetch_cancel, timeout, upstream_mirror};
    TpFetchReport rep;
    printf("fetching the TravelPlanner data into %s from %s\n", dir, from ? from : "the official upstream (GitHub OSU-NLP-Group/TravelPlanner)");
    rc = tp_data_fetch(dir, &o, &rep, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (rep.unverified) printf("%d converted file(s) not covered by the built-in checksums (docs/data.md)\n", rep.unverified);
    printf("%d fetched, %d up to date, %d failed, %d not available; verified against the built-in checksum list%s\n",
           rep.fetched, rep.up_to_date, rep.failed, rep.unavailable,
           rep.manifest_from_source ? " (the source's README.md copied)" : "");
    if (rc && rep.unavailable && !from)
        fprintf(stderr,
                "imagine: the official sources hold the database files and the query splits (converted from Hugging Face's "
                "CSVs), but not this package's flights subset nor its train outputs (docs/data.md): use --from MIRROR\n");
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_data[] = {
    {"data check", cmd_data_check, "Verify a suite's data folder against the sha256 checksums built into imagine.", ""},
    {"data fetch", cmd_data_fetch, "Download the TravelPlanner data (from a mirror with --from), verified by sha256.", ""},
    {0}};
