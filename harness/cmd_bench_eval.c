/* cmd_bench_eval.c: `imagine bench eval`: how fast the evaluator is.
 *
 * For each workload (the 4 train submissions; the 180 validation queries
 * with the 180 train plans, each given to a query of its number of days;
 * 1,000 train queries with their plans, cycled) it prints the in-process rate (plans per second, database already
 * loaded) and the wall time of a whole `imagine eval` child process,
 * database load included (median of --runs). --peer "COMMAND" times
 * another evaluator on the same files and prints the ratio. Inputs it
 * builds live in a temp folder removed at the end. */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evaluate.h"
#include "fsutil.h"
#include "verbs.h"
#include "pb_verbs.h"

extern char **environ;

typedef struct Workload {
    char label[96];
    char *queries, *plans; /* paths */
    const char *split;     /* "train", "validation", or NULL (denominators from the queries) */
    int n;                 /* plans */
    double inproc_pps, whole_ms, whole_min_ms, peer_ms, peer_min_ms; /* medians and minimums */
    int peer_ok;
} Workload;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- inputs ---------------------------------------------------------------- */

static const char *const train_files[] = {
    "train_annotated_plans", "train_gpt-4-1106-preview_direct_sole-planning_submission",
    "train_gpt-4-1106-preview_cot_sole-planning_submission", "train_gpt-4-1106-preview_two-stage_submission"};
enum { NTRAIN = 4 };

/* Lines of a JSONL file (strip + split on '\n' as eval.py does). */
static int read_lines(const char *path, char **text, char ***lines, int *n, Err *err) {
    if (fs_read_file(path, text, NULL, err)) return err->code;
    char *s = *text;
    size_t len = strlen(s);
    while (len && strchr(" \t\r\n", s[len - 1])) s[--len] = 0;
    int cap = 64;
    *lines = malloc((size_t)cap * sizeof **lines);
    *n = 0;
    for (char *p = s; p;) {
        if (*n == cap) *lines = realloc(*lines, (size_t)(cap *= 2) * sizeof **lines);
        (*lines)[(*n)++] = p;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        p = nl ? nl + 1 : NULL;
    }
    return IM_OK;
}

/* A train query line with only the fields the evaluator reads (as in
 * queries/validation.jsonl): drops reference_information and annotated_plan. */
static char *slim_query(const char *line) {
    cJSON *o = cJSON_Parse(line);
    if (!o) return strdup(line);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "reference_information");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "annotated_plan");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The "days" of a query line, or 0. */
static int line_days(const char *line) {
    cJSON *o = cJSON_Parse(line);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "days");
    int days = cJSON_IsNumber(d) ? d->valueint : 0;
    cJSON_Delete(o);
    return days;
}

/* Writes the validation plan file (180 train plans, matched by days)
 * and the 1,000-line query+plan pairs into tmp. */
static int build_inputs(const char *data, const char *tmp, Workload *w, int *nw, Err *err) {
    char *qtext = NULL, **qlines = NULL, *ptext[NTRAIN] = {0}, **plines[NTRAIN] = {0};
    int nq = 0, np[NTRAIN] = {0}, rc;
    char *qpath = fs_join(data, "queries/train.jsonl");
    rc = read_lines(qpath, &qtext, &qlines, &nq, err);
    for (int f = 0; !rc && f < NTRAIN; f++) {
        char rel[256];
        snprintf(rel, sizeof rel, "outputs/train/%s.jsonl", train_files[f]);
        char *p = fs_join(data, rel);
        rc = read_lines(p, &ptext[f], &plines[f], &np[f], err);
        if (!rc && np[f] != nq)
            rc = err_set(err, IM_IO, "%s: %d plan lines for %d train queries", p, np[f], nq);
        if (!rc) {
            Workload *x = &w[(*nw)++];
            const char *name = train_files[f] + 6; /* without "train_" */
            size_t len = strlen(name);
            if (len > 11 && !strcmp(name + len - 11, "_submission")) len -= 11;
            snprintf(x->label, sizeof x->label, "train/%.*s", (int)len, name);
            x->queries = strdup(qpath), x->plans = p, x->split = "train", x->n = nq;
        } else free(p);
    }
    Buf b;
    buf_init(&b);
    /* validation: 180 queries, the train plans taken in turn */
    char *vq = fs_join(data, "queries/validation.jsonl");
    int nv = 0;
    if (!rc) {
        /* validation query i gets the next train plan (file by file, line by
         * line, cycling) whose query has the same number of days: the
         * official code raises KeyError on the {} padding of a shorter plan. */
        char *vtext = NULL, **vlines = NULL;
        rc = read_lines(vq, &vtext, &vlines, &nv, err);
        int next[8] = {0}, *tdays = malloc((size_t)nq * sizeof *tdays);
        for (int j = 0; !rc && j < nq; j++) tdays[j] = line_days(qlines[j]);
        for (int i = 0; !rc && i < nv; i++) {
            int d = line_days(vlines[i]), k = 0, pick = -1;
            for (int tries = 0; tries < nq * NTRAIN && pick < 0; tries++) {
                k = next[d & 7]++ % (nq * NTRAIN);
                if (tdays[k % nq] == d) pick = k;
            }
            if (pick < 0) pick = i % (nq * NTRAIN);
            buf_printf(&b, "%s\n", plines[pick / nq][pick % nq]);
        }
        free(tdays), free(vtext), free(vlines);
    }
    if (!rc) {
        char *p = fs_join(tmp, "validation_plans.jsonl");
        rc = fs_write_atomic(p, b.data, b.len, err);
        Workload *x = &w[(*nw)++];
        snprintf(x->label, sizeof x->label, "validation: %d queries, train plans by days", nv);
        x->queries = strdup(vq), x->plans = p, x->split = "validation", x->n = nv;
    }
    /* 1,000 plans: train query i % 45 with its plan from file (i / 45) % 4 */
    for (int full = 0; !rc && full < 2; full++) {
        enum { N = 1000 };
        buf_reset(&b);
        for (int i = 0; i < N; i++) {
            char *s = full ? strdup(qlines[i % nq]) : slim_query(qlines[i % nq]);
            buf_printf(&b, "%s\n", s);
            free(s);
        }
        char *q = fs_join(tmp, full ? "queries1000_full.jsonl" : "queries1000.jsonl");
        rc = fs_write_atomic(q, b.data, b.len, err);
        buf_reset(&b);
        for (int i = 0; i < N; i++) buf_printf(&b, "%s\n", plines[(i / nq) % NTRAIN][i % nq]);
        char *p = fs_join(tmp, full ? "plans1000_full.jsonl" : "plans1000.jsonl");
        if (!rc) rc = fs_write_atomic(p, b.data, b.len, err);
        Workload *x = &w[(*nw)++];
        snprintf(x->label, sizeof x->label, full ? "1,000 plans, queries with reference_info"
                                                 : "1,000 plans: train queries and plans cycled");
        x->queries = q, x->plans = p, x->split = NULL, x->n = N;
    }
    buf_free(&b);
    free(vq), free(qpath), free(qtext), free(qlines);
    for (int f = 0; f < NTRAIN; f++) free(ptext[f]), free(plines[f]);
    return rc;
}

/* ---- timing ------------------------------------------------------------------ */

/* In-process: plans per second with the database loaded once. */
static int time_inproc(const TpDb *db, Workload *w, Err *err) {
    TpQuerySet *qs = NULL;
    TpSubmission *sub = NULL;
    int rc = tp_queries_load(w->queries, &qs, err);
    if (!rc) rc = tp_submission_read(w->plans, &sub, err);
    if (!rc) {
        TpPlanResult *rs = calloc((size_t)qs->n, sizeof *rs);
        long plans = 0;
        double t0 = now_s(), t;
        do {
            tp_eval_submission(db, qs, sub, rs, NULL);
            for (int i = 0; i < qs->n; i++) tp_plan_result_free(&rs[i]);
            plans += qs->n;
        } while ((t = now_s() - t0) < 0.3);
        w->inproc_pps = (double)plans / t;
        free(rs);
    }
    tp_queries_free(qs), tp_submission_free(sub);
    return rc;
}

/* Runs argv (or "/bin/sh -c cmd") with stdout and stderr to log; returns
 * the wall time in seconds, or -1 when it did not exit 0. */
static double run_child(char *const argv[], const char *log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    double t0 = now_s();
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    double t = now_s() - t0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

static int time_whole(const char *self, const char *data, Workload *w, int runs, const char *log, Err *err) {
    char *argv[12];
    int k = 0;
    argv[k++] = (char *)self, argv[k++] = "eval", argv[k++] = "--data", argv[k++] = (char *)data;
    if (w->split) argv[k++] = "--split", argv[k++] = (char *)w->split;
    argv[k++] = "--queries", argv[k++] = w->queries, argv[k++] = "--plans", argv[k++] = w->plans;
    argv[k] = NULL;
    double *t = calloc((size_t)runs, sizeof *t);
    for (int r = 0; r < runs; r++)
        if ((t[r] = run_child(argv, log)) < 0) {
            free(t);
            return err_set(err, IM_IO, "bench eval: `imagine eval` failed on %s (output in %s)", w->plans, log);
        }
    w->whole_ms = median(t, runs) * 1e3, w->whole_min_ms = t[0] * 1e3; /* median() sorts */
    free(t);
    return IM_OK;
}

/* The peer command with {data} {split} {queries} {plans} replaced by
 * single-quoted values. */
static char *peer_command(const char *tmpl, const char *data, const Workload *w) {
    Buf b;
    buf_init(&b);
    for (const char *p = tmpl; *p; p++) {
        const char *val = NULL;
        size_t skip = 0;
        if (!strncmp(p, "{data}", 6)) val = data, skip = 6;
        else if (!strncmp(p, "{split}", 7)) val = w->split ? w->split : "none", skip = 7;
        else if (!strncmp(p, "{queries}", 9)) val = w->queries, skip = 9;
        else if (!strncmp(p, "{plans}", 7)) val = w->plans, skip = 7;
        if (!val) { buf_putc(&b, *p); continue; }
        buf_putc(&b, '\'');
        for (const char *v = val; *v; v++)
            if (*v == '\'') buf_puts(&b, "'\\''");
            else buf_putc(&b, *v);
        buf_putc(&b, '\'');
        p += skip - 1;
    }
    return buf_take(&b);
}

static void time_peer(const char *tmpl, const char *data, Workload *w, int runs, const char *log) {
    char *cmd = peer_command(tmpl, data, w);
    setenv("IMAGINE_BENCH_DATA", data, 1);
    setenv("IMAGINE_BENCH_SPLIT", w->split ? w->split : "none", 1);
    setenv("IMAGINE_BENCH_QUERIES", w->queries, 1);
    setenv("IMAGINE_BENCH_PLANS", w->plans, 1);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    double *t = calloc((size_t)runs, sizeof *t);
    w->peer_ok = 1;
    for (int r = 0; r < runs && w->peer_ok; r++)
        if ((t[r] = run_child(argv, log)) < 0) w->peer_ok = 0;
    if (w->peer_ok) w->peer_ms = median(t, runs) * 1e3, w->peer_min_ms = t[0] * 1e3;
    else {
        char *out = NULL;
        size_t n = 0;
        Err e = {0};
        fprintf(stderr, "imagine: bench eval: the peer failed on %s: %s\n", w->label, cmd);
        if (!fs_read_file(log, &out, &n, &e)) fputs(out + (n > 2000 ? n - 2000 : 0), stderr);
        free(out);
    }
    free(t), free(cmd);
}

/* ---- the verb ------------------------------------------------------------------ */

static void print_table(const Workload *w, int nw, int runs, const char *peer, int peer_runs, double load_ms) {
    printf("imagine bench eval: whole `imagine eval` process = median of %d runs, database load included\n", runs);
    if (peer) printf("peer: %s (median of %d runs)\n", peer, peer_runs);
    printf("%-46s %5s %11s %18s", "input", "plans", "plans/s (*)", "eval median (min)");
    if (peer) printf(" %20s %7s", "peer median (min)", "ratio");
    printf("\n");
    for (int i = 0; i < nw; i++) {
        printf("%-46s %5d %11.0f %7.1f (%5.1f) ms", w[i].label, w[i].n, w[i].inproc_pps, w[i].whole_ms, w[i].whole_min_ms);
        if (peer && w[i].peer_ok)
            printf(" %8.0f (%6.0f) ms %6.1fx", w[i].peer_ms, w[i].peer_min_ms, w[i].peer_ms / w[i].whole_ms);
        else if (peer) printf(" %20s %7s", "failed", "-");
        printf("\n");
    }
    if (peer) printf("ratio = peer median / imagine median\n");
    printf("(*) in-process, database already loaded; database load alone: %.1f ms\n", load_ms);
    for (int i = 0; i < nw; i++)
        if (!strncmp(w[i].label, "1,000 plans:", 12)) {
            printf("a whole imagine eval of 1,000 plans: %.1f ms (target < 100 ms: %s)", w[i].whole_ms,
                   w[i].whole_ms < 100 ? "met" : "MISSED");
            if (peer && w[i].peer_ok) printf("; %.0fx faster than the peer", w[i].peer_ms / w[i].whole_ms);
            printf("\n");
        }
}

static void print_json(const Workload *w, int nw, int runs, const char *peer, double load_ms) {
    Buf b;
    buf_init(&b);
    buf_printf(&b, "{\"runs\": %d, \"db_load_ms\": %.3f, \"peer\": ", runs, load_ms);
    if (peer) buf_json_str(&b, peer);
    else buf_puts(&b, "null");
    buf_puts(&b, ", \"inputs\": [");
    for (int i = 0; i < nw; i++) {
        buf_puts(&b, i ? ", {\"input\": " : "{\"input\": ");
        buf_json_str(&b, w[i].label);
        buf_printf(&b, ", \"plans\": %d, \"plans_per_s\": %.1f, \"whole_eval_ms\": %.3f, \"whole_eval_min_ms\": %.3f",
                   w[i].n, w[i].inproc_pps, w[i].whole_ms, w[i].whole_min_ms);
        if (peer && w[i].peer_ok)
            buf_printf(&b, ", \"peer_ms\": %.3f, \"peer_min_ms\": %.3f, \"ratio\": %.2f", w[i].peer_ms, w[i].peer_min_ms,
                       w[i].peer_ms / w[i].whole_ms);
        buf_puts(&b, "}");
    }
    buf_puts(&b, "]}\n");
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
}

static void remove_tree(const char *tmp, const char *const *names, int n) {
    for (int i = 0; i < n; i++) {
        char *p = fs_join(tmp, names[i]);
        unlink(p);
        free(p);
    }
    rmdir(tmp);
}

static int cmd_bench_eval(int argc, char **argv) {
    if (pb_suite_requested(argc, argv)) return pb_verb_bench_eval(argc, argv);
    {
        Err serr = {0};
        if (harness_travelplanner_only("bench eval", &argc, argv, &serr)) return harness_fail(&serr);
    }
    const char *data_flag = NULL, *peer = NULL, *keep = NULL;
    long runs = 11, peer_runs = 3;
    int json = 0;
    const CliOpt opts[] = {
        {"--data", CLI_STR, &data_flag, "DIR", "TravelPlanner data (default: $IMAGINE_DATA)"},
        {"--runs", CLI_INT, &runs, "N", "whole-process runs per input, median (default 11)"},
        {"--peer", CLI_STR, &peer, "COMMAND",
         "another evaluator, run by /bin/sh on the same inputs; {data} {split} {queries} {plans} are replaced "
         "(also $IMAGINE_BENCH_DATA, _SPLIT, _QUERIES, _PLANS); {split} is 'none' for the 1,000-plan input"},
        {"--peer-runs", CLI_INT, &peer_runs, "N", "peer runs per input, median (default 3)"},
        {"--json", CLI_FLAG, &json, NULL, "print the figures as one JSON object"},
        {"--inputs", CLI_STR, &keep, "DIR", "build the inputs in DIR and keep them (default: a temp folder, removed)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench eval", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (runs < 1 || runs > 1000 || peer_runs < 1 || peer_runs > 1000)
        return err_set(&err, IM_USAGE, "bench eval: --runs and --peer-runs must be 1..1000"), harness_fail(&err);
    const char *data = harness_data_dir(data_flag);
    char self[4096];
    ssize_t ns = readlink("/proc/self/exe", self, sizeof self - 1);
    if (ns <= 0) return err_set(&err, IM_IO, "bench eval: cannot find the imagine binary (/proc/self/exe)"), harness_fail(&err);
    self[ns] = 0;
    const char *tdir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/imagine-bench-eval-XXXXXX", tdir && *tdir ? tdir : "/tmp");
    if (keep) {
        snprintf(tmp, sizeof tmp, "%s", keep);
        if (fs_mkdirs(tmp, &err)) return harness_fail(&err);
    } else if (!mkdtemp(tmp)) {
        err_set(&err, IM_IO, "bench eval: cannot create a temp folder in %s: %s", tdir ? tdir : "/tmp", strerror(errno));
        return harness_fail(&err);
    }
    Workload w[NTRAIN + 3];
    memset(w, 0, sizeof w);
    int nw = 0;
    TpDb *db = NULL;
    double load_ms = 0;
    char *log = fs_join(tmp, "child.log");
    rc = build_inputs(data, tmp, w, &nw, &err);
    if (!rc) {
        double t0 = now_s();
        rc = tp_db_open(data, &db, &err);
        load_ms = (now_s() - t0) * 1e3;
    }
    for (int i = 0; !rc && i < nw; i++) rc = time_inproc(db, &w[i], &err);
    for (int i = 0; !rc && i < nw; i++) {
        if (isatty(2)) fprintf(stderr, "\r%d/%d %s...\033[K", i + 1, nw, w[i].label);
        rc = time_whole(self, data, &w[i], (int)runs, log, &err);
        if (!rc && peer) time_peer(peer, data, &w[i], (int)peer_runs, log);
    }
    if (isatty(2)) fprintf(stderr, "\r\033[K");
    if (!rc) {
        if (json) print_json(w, nw, (int)runs, peer, load_ms);
        else print_table(w, nw, (int)runs, peer, (int)peer_runs, load_ms);
    }
    tp_db_close(db);
    static const char *const made[] = {"validation_plans.jsonl", "queries1000.jsonl", "plans1000.jsonl",
                                       "queries1000_full.jsonl", "plans1000_full.jsonl", "child.log"};
    if (!rc && !keep) remove_tree(tmp, made, (int)(sizeof made / sizeof made[0]));
    else fprintf(stderr, "imagine: bench eval: inputs kept in %s\n", tmp);
    for (int i = 0; i < nw; i++) free(w[i].queries), free(w[i].plans);
    free(log);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_bench_eval[] = {
    {"bench eval", cmd_bench_eval,
     "Time the evaluator: plans/s and whole `imagine eval` processes (train, validation, 1,000 plans); --peer for a ratio.",
     ""},
    {0}};
