/* cmd_bench_eval.c: `imagine bench eval`: how fast a suite's evaluator is,
 * one timing loop for every suite. The suite (bench_open, suites/suite.h)
 * chooses or writes the inputs; for each one this prints the in-process
 * rate (answers per second, the suite's data already loaded), the wall and
 * CPU time of a whole `imagine eval` child process, data load included
 * (median of --runs, after one untimed run), and with --peer "COMMAND"
 * another evaluator's time on the same files and the ratio. Inputs live in
 * a temp folder removed at the end (--inputs DIR keeps them). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "suite.h"
#include "verbs.h"

extern char **environ;

typedef struct Timing {
    double per_s;                              /* in process; 0: the suite has no in-process path */
    double wall, wall_min, wall_max, cpu, cpu_min; /* whole processes, ms: medians, extremes */
    double peer, peer_min;                     /* ms */
    int peer_ok;
} Timing;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and returns its median. */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs argv with stdout and stderr to log; *wall and *cpu (user + sys of
 * the child) in seconds. Returns 0 when it exited 0, else -1. */
static int run_child(char *const argv[], const char *log, double *wall, double *cpu) {
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
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR) return -1;
    *wall = now_s() - t0;
    *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* In process: answers per second over at least 0.3 s, after one untimed pass. */
static int time_inproc(const SuiteOps *ops, SuiteBench *b, int i, Timing *t, Err *err) {
    if (!ops->bench_eval_once) return IM_OK;
    int rc = ops->bench_eval_once(b, i, err);
    long answers = 0;
    double t0 = now_s(), dt = 0;
    do {
        if (!rc) rc = ops->bench_eval_once(b, i, err);
        answers += b->in[i].n;
    } while (!rc && (dt = now_s() - t0) < 0.3);
    if (!rc) t->per_s = (double)answers / dt;
    return rc;
}

static int time_whole(const char *self, const SuiteBenchInput *in, int runs, const char *log, Timing *t, Err *err) {
    char *argv[20];
    int k = 0;
    argv[k++] = (char *)self, argv[k++] = "eval";
    for (int j = 0; in->eval_args[j] && k < 19; j++) argv[k++] = in->eval_args[j];
    argv[k] = NULL;
    double *w = calloc((size_t)runs * 2 + 2, sizeof *w), *c = w ? w + runs + 1 : NULL;
    if (!w) return err_set(err, IM_IO, "out of memory");
    for (int r = -1; r < runs; r++)
        if (run_child(argv, log, &w[r + 1], &c[r + 1])) {
            free(w);
            return err_set(err, IM_IO, "bench eval: `imagine eval` failed on %s (output in %s)", in->label, log);
        }
    t->wall = median(w + 1, runs) * 1e3, t->wall_min = w[1] * 1e3, t->wall_max = w[runs] * 1e3; /* median() sorts */
    t->cpu = median(c + 1, runs) * 1e3, t->cpu_min = c[1] * 1e3;
    free(w);
    return IM_OK;
}

/* The peer command with each {var} of the input replaced by its value,
 * single-quoted. */
static char *peer_command(const char *tmpl, const SuiteBenchInput *in) {
    Buf b;
    buf_init(&b);
    for (const char *p = tmpl; *p; p++) {
        const char *val = NULL;
        size_t skip = 0;
        for (int k = 0; in->var[k] && !val; k++) {
            size_t len = strlen(in->var[k]);
            if (p[0] == '{' && !strncmp(p + 1, in->var[k], len) && p[len + 1] == '}') val = in->value[k], skip = len + 2;
        }
        if (!val) {
            buf_putc(&b, *p);
            continue;
        }
        buf_putc(&b, '\'');
        for (const char *v = val; *v; v++)
            if (*v == '\'') buf_puts(&b, "'\\''");
            else buf_putc(&b, *v);
        buf_putc(&b, '\'');
        p += skip - 1;
    }
    return buf_take(&b);
}

/* The peer through /bin/sh, with {var} replaced and $IMAGINE_BENCH_VAR set. */
static void time_peer(const char *tmpl, const SuiteBenchInput *in, int runs, const char *log, Timing *t) {
    char *cmd = peer_command(tmpl, in);
    for (int k = 0; in->var[k]; k++) {
        char name[64];
        snprintf(name, sizeof name, "IMAGINE_BENCH_%s", in->var[k]);
        for (char *q = name; *q; q++)
            if (*q >= 'a' && *q <= 'z') *q = (char)(*q - 'a' + 'A');
        setenv(name, in->value[k], 1);
    }
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    double *w = calloc((size_t)runs, sizeof *w), cpu;
    t->peer_ok = w != NULL;
    for (int r = 0; r < runs && t->peer_ok; r++)
        if (run_child(argv, log, &w[r], &cpu)) t->peer_ok = 0;
    if (t->peer_ok) t->peer = median(w, runs) * 1e3, t->peer_min = w[0] * 1e3;
    else {
        char *out = NULL;
        size_t n = 0;
        Err e = {0};
        fprintf(stderr, "imagine: bench eval: the peer failed on %s: %s\n", in->label, cmd);
        if (!fs_read_file(log, &out, &n, &e)) fputs(out + (n > 2000 ? n - 2000 : 0), stderr);
        free(out);
    }
    free(w), free(cmd);
}

/* ---- printing -------------------------------------------------------------------- */

/* n with thousands separators ("1,000"). */
static void thousands(int n, char *out, size_t size) {
    char d[32];
    int len = snprintf(d, sizeof d, "%d", n), o = 0;
    for (int i = 0; i < len && o + 2 < (int)size; i++) {
        if (i && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = d[i];
    }
    out[o] = 0;
}

static void print_table(const SuiteBench *b, const Timing *t, int runs, const char *peer, int peer_runs, const double load[2]) {
    char rate[32];
    snprintf(rate, sizeof rate, "%s/s (*)", b->unit);
    printf("imagine bench eval: whole `imagine eval` process = median of %d runs, %s load included\n", runs, b->loaded);
    if (peer) printf("peer: %s (median of %d runs)\n", peer, peer_runs);
    int wu = (int)strlen(b->unit) > 5 ? (int)strlen(b->unit) : 5, wr = (int)strlen(rate) > 11 ? (int)strlen(rate) : 11;
    printf("%-46s %*s %*s %18s %18s", "input", wu, b->unit, wr, rate, "eval median (min)", "CPU median (min)");
    if (peer) printf(" %20s %7s", "peer median (min)", "ratio");
    printf("\n");
    for (int i = 0; i < b->n; i++) {
        printf("%-46s %*d %*.0f %7.1f (%5.1f) ms %7.1f (%5.1f) ms", b->in[i].label, wu, b->in[i].n, wr, t[i].per_s, t[i].wall,
               t[i].wall_min, t[i].cpu, t[i].cpu_min);
        if (peer && t[i].peer_ok) printf(" %8.0f (%6.0f) ms %6.1fx", t[i].peer, t[i].peer_min, t[i].peer / t[i].wall);
        else if (peer) printf(" %20s %7s", "failed", "-");
        printf("\n");
    }
    if (peer) printf("ratio = peer median / imagine median\n");
    printf("(*) in-process, %s already loaded; %s load alone: %.1f ms\n", b->loaded, b->loaded, b->load_ms);
    for (int i = 0; i < b->n; i++) {
        const SuiteBenchInput *in = &b->in[i];
        if (in->target_ms <= 0) continue;
        char n[32];
        thousands(in->n, n, sizeof n);
        double got = in->target_cpu ? t[i].cpu : t[i].wall;
        printf("a whole imagine eval of %s %s: %s%.1f ms (target < %g ms%s: %s)", n, b->unit, in->target_cpu ? "CPU " : "", got,
               in->target_ms, in->target_cpu ? " of CPU" : "", got < in->target_ms ? "met" : "MISSED");
        if (peer && t[i].peer_ok) printf("; %.0fx faster than the peer", t[i].peer / t[i].wall);
        printf("\n");
    }
    printf("load average %.1f on %.0f cores while measuring\n", load[0], load[1]);
}

static void print_json(const SuiteBench *b, const Timing *t, int runs, const char *peer, const double load[2]) {
    Buf o;
    buf_init(&o);
    buf_printf(&o, "{\"runs\": %d, \"db_load_ms\": %.3f, \"load_average\": %.2f, \"cores\": %.0f, \"peer\": ", runs, b->load_ms, load[0],
               load[1]);
    if (peer) buf_json_str(&o, peer);
    else buf_puts(&o, "null");
    buf_puts(&o, ", \"inputs\": [");
    for (int i = 0; i < b->n; i++) {
        buf_puts(&o, i ? ", {\"input\": " : "{\"input\": ");
        buf_json_str(&o, b->in[i].label);
        buf_printf(&o, ", \"%s\": %d, \"%s_per_s\": %.1f, \"whole_eval_ms\": %.3f, \"whole_eval_min_ms\": %.3f, "
                   "\"whole_eval_max_ms\": %.3f, \"whole_eval_cpu_ms\": %.3f, \"whole_eval_cpu_min_ms\": %.3f",
                   b->unit, b->in[i].n, b->unit, t[i].per_s, t[i].wall, t[i].wall_min, t[i].wall_max, t[i].cpu, t[i].cpu_min);
        if (peer && t[i].peer_ok)
            buf_printf(&o, ", \"peer_ms\": %.3f, \"peer_min_ms\": %.3f, \"ratio\": %.2f", t[i].peer, t[i].peer_min, t[i].peer / t[i].wall);
        buf_puts(&o, "}");
    }
    buf_puts(&o, "]}\n");
    fwrite(o.data, 1, o.len, stdout);
    buf_free(&o);
}

/* Removes the temp folder this verb made (flat: the suite writes files only). */
static void remove_tmp(const char *tmp) {
    DIR *d = opendir(tmp);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = fs_join(tmp, e->d_name);
        unlink(p);
        free(p);
    }
    if (d) closedir(d);
    rmdir(tmp);
}

/* ---- the verb -------------------------------------------------------------------- */

static int make_tmp(const char *keep, char *tmp, size_t size, Err *err) {
    const char *tdir = getenv("TMPDIR");
    if (keep) {
        snprintf(tmp, size, "%s", keep);
        return fs_mkdirs(tmp, err);
    }
    snprintf(tmp, size, "%s/imagine-bench-eval-XXXXXX", tdir && *tdir ? tdir : "/tmp");
    if (!mkdtemp(tmp))
        return err_set(err, IM_IO, "bench eval: cannot create a temp folder in %s: %s", tdir ? tdir : "/tmp", strerror(errno));
    return IM_OK;
}

static int cmd_bench_eval(int argc, char **argv) {
    Err err = {0};
    const SuiteOps *ops = harness_suite_of("bench eval", argc, argv, &err);
    if (!ops) return harness_fail(&err);
    const char *suite = NULL, *data_flag = NULL, *peer = NULL, *keep = NULL;
    long runs = 11, peer_runs = 3;
    int json = 0;
    SuiteEvalArgs a = {0};
    const CliOpt common[] = {
        {"--suite", CLI_STR, &suite, "NAME", "the benchmark (default: travelplanner; planbench)"},
        {"--data", CLI_STR, &data_flag, "DIR", "the suite's data (default: its environment variable, else ../shared/NAME)"},
        {"--runs", CLI_INT, &runs, "N", "whole-process runs per input, median (default 11)"},
        {"--peer", CLI_STR, &peer, "COMMAND",
         "another evaluator, run by /bin/sh on the same inputs; the suite's placeholders are replaced (TravelPlanner: {data} {split} "
         "{queries} {plans}, {split} is 'none' for the 1,000-plan inputs; PlanBench: {data} {variant} {answers}), and set as "
         "$IMAGINE_BENCH_DATA, ..._SPLIT, ..."},
        {"--peer-runs", CLI_INT, &peer_runs, "N", "peer runs per input, median (default 3)"},
        {"--json", CLI_FLAG, &json, NULL, "print the figures as one JSON object"},
        {"--inputs", CLI_STR, &keep, "DIR", "build the inputs in DIR and keep them (default: a temp folder, removed)"},
        {0}};
    int rc = harness_parse_suite_opts("bench eval", argc, argv, common, ops->bench_options, a.opt, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (runs < 1 || runs > 1000 || peer_runs < 1 || peer_runs > 1000)
        return err_set(&err, IM_USAGE, "bench eval: --runs and --peer-runs must be 1..1000"), harness_fail(&err);
    char self[4096], tmp[4096];
    ssize_t ns = readlink("/proc/self/exe", self, sizeof self - 1);
    if (ns <= 0) return err_set(&err, IM_IO, "bench eval: cannot find the imagine binary (/proc/self/exe)"), harness_fail(&err);
    self[ns] = 0;
    if (make_tmp(keep, tmp, sizeof tmp, &err)) return harness_fail(&err);
    char *data = suite_data_dir(ops, data_flag), *log = fs_join(tmp, "child.log");
    SuiteBench b;
    Timing *t = NULL;
    rc = suite_bench_open(ops, data, &a, tmp, &b, &err);
    if (!rc && !(t = calloc((size_t)b.n + 1, sizeof *t))) rc = err_set(&err, IM_IO, "out of memory");
    for (int i = 0; !rc && i < b.n; i++) rc = time_inproc(ops, &b, i, &t[i], &err);
    for (int i = 0; !rc && i < b.n; i++) {
        if (isatty(2)) fprintf(stderr, "\r%d/%d %s...\033[K", i + 1, b.n, b.in[i].label);
        rc = time_whole(self, &b.in[i], (int)runs, log, &t[i], &err);
        if (!rc && peer) time_peer(peer, &b.in[i], (int)peer_runs, log, &t[i]);
    }
    if (isatty(2)) fprintf(stderr, "\r\033[K");
    double load[2] = {-1, (double)sysconf(_SC_NPROCESSORS_ONLN)};
    if (getloadavg(load, 1) < 1) load[0] = -1;
    if (!rc && json) print_json(&b, t, (int)runs, peer, load);
    else if (!rc) print_table(&b, t, (int)runs, peer, (int)peer_runs, load);
    suite_bench_close(ops, &b);
    if (!rc && !keep) remove_tmp(tmp);
    else fprintf(stderr, "imagine: bench eval: inputs kept in %s\n", tmp);
    free(t), free(log), free(data);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_bench_eval[] = {
    {"bench eval", cmd_bench_eval,
     "Time a suite's evaluator: answers/s in process and whole `imagine eval` processes (TravelPlanner: train, validation, 1,000 "
     "plans; PlanBench: 500 answers); --peer for a ratio.",
     ""},
    {0}};
