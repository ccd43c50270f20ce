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
#include "verbs.h"
#include "pb_verbs.h"

/* ---- data check ------------------------------------------------------------ */

static int cmd_data_check(int argc, char **argv) {
    if (pb_suite_requested(argc, argv)) return pb_verb_data_check(argc, argv);
    const char *data_flag = NULL;
    int quiet = 0;
    const CliOpt opts[] = {
        {"--data", CLI_STR, &data_flag, "DIR", "TravelPlanner data folder (default: $IMAGINE_DATA, else ~/.local/share/imagine/travelplanner)"},
        {"--quiet", CLI_FLAG, &quiet, NULL, "print only problems"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("data check", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    const char *dir = harness_data_dir(data_flag);
    if (!fs_is_dir(dir))
        return err_set(&err, IM_IO, "data check: %s is not a folder — run `imagine data fetch --data %s` or pass --data DIR",
                       dir, dir),
               harness_fail(&err);
    /* the checksums built into imagine: a README travels with the files and
     * could have been changed with them */
    TpManifest *m = NULL;
    rc = tp_manifest_builtin(&m, &err);
    if (rc) return harness_fail(&err);
    TpFileCheck *st = calloc((size_t)m->n, sizeof *st);
    int bad = tp_data_verify(dir, m, st), n_missing = 0, n_changed = 0;
    for (int i = 0; i < m->n; i++) {
        const char *p = m->e[i].path;
        switch (st[i].state) {
        case TP_FILE_OK:
            if (!quiet) printf("ok        %s\n", p);
            break;
        case TP_FILE_MISSING:
            n_missing++;
            printf("MISSING   %s\n", p);
            break;
        case TP_FILE_CHANGED:
            n_changed++;
            printf("CHANGED   %s (sha256 %s, expected %s)\n", p, st[i].got, m->e[i].sha256);
            break;
        default:
            n_changed++;
            printf("UNREADABLE %s\n", p);
            break;
        }
    }
    if (bad) {
        err_set(&err, IM_IO,
                "data check: %d of %d files in %s do not match the sha256 checksums built into imagine (%d missing, %d "
                "changed or unreadable) — run `imagine data fetch --data %s --from MIRROR`",
                bad, m->n, dir, n_missing, n_changed, dir);
        rc = harness_fail(&err);
    } else {
        printf("%d files match the sha256 checksums built into imagine\n", m->n);
    }
    free(st);
    tp_manifest_free(m);
    return rc;
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
                "imagine: the official upstream holds the database files only; queries, the flights subset and the train "
                "plans were converted or rebuilt for this package (docs/data.md): use --from MIRROR\n");
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_data[] = {
    {"data check", cmd_data_check, "Verify the data folder against the sha256 checksums in its README.md.", ""},
    {"data fetch", cmd_data_fetch, "Download the TravelPlanner data (from a mirror with --from), verified by sha256.", ""},
    {0}};
