/* cmd_runs.c: the reading verbs of the store: `imagine runs`, `show`,
 * `status` and `export`. They never change a run; `status` is safe while
 * another process executes the run (WAL readers do not block writers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "fsutil.h"
#include "run.h"
#include "verbs.h"

static void fmt_time(double t, char *out, size_t cap) {
    if (t <= 0) {
        snprintf(out, cap, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* "running" in the store with nobody executing it: a crash left it. */
static const char *shown_status(const Store *s, const StoreRun *r) {
    return !strcmp(r->status, "running") && !run_lock_holder(s, r->id) ? "interrupted" : r->status;
}

static double wall_s(const StoreRun *r) { return r->finished > r->started ? r->finished - r->started : 0; }

/* Opens the store and finds RUN (pos) for a reading verb. */
static int open_run(const char *store, const char *ref, Store **s, StoreRun *r, Err *err) {
    memset(r, 0, sizeof *r);
    int rc = store_open(store ? store : STORE_DEFAULT_PATH, 0, s, err);
    if (!rc) rc = store_run_get(*s, ref, r, err);
    return rc;
}

static void json_run(const StoreRun *r, Buf *b) {
    buf_printf(b, "{\"id\": %lld, \"name\": ", r->id);
    if (r->name) buf_json_str(b, r->name);
    else buf_puts(b, "null");
    buf_puts(b, ", \"method\": "), buf_json_str(b, r->method);
    buf_puts(b, ", \"model\": "), buf_json_str(b, r->model);
    buf_puts(b, ", \"suite\": "), buf_json_str(b, r->suite);
    buf_puts(b, ", \"split\": "), buf_json_str(b, r->split);
    buf_puts(b, ", \"status\": "), buf_json_str(b, r->status);
    buf_puts(b, ", \"git_rev\": "), buf_json_str(b, r->git_rev);
    buf_printf(b, ", \"seed\": %lld, \"started\": %.3f, \"finished\": %.3f, \"wall_s\": %.3f, \"active_s\": %.3f", r->seed,
               r->started, r->finished, wall_s(r), r->active_s);
    buf_printf(b, ", \"items\": %d, \"states\": {", r->n_items);
    for (int st = 0; st < ST_NSTATES; st++) buf_printf(b, "%s\"%s\": %d", st ? ", " : "", store_state_name(st), r->n_state[st]);
    buf_printf(b, "}, \"tokens_in\": %lld, \"tokens_out\": %lld, \"cost\": %.6f", r->tokens_in, r->tokens_out, r->cost);
}

/* ---- runs ----------------------------------------------------------------- */

static int cmd_runs(int argc, char **argv) {
    const char *store = NULL;
    int json = 0;
    const CliOpt opts[] = {{"--json", CLI_FLAG, &json, NULL, "one JSON array of runs"},
                           {"--store", CLI_STR, &store, "FILE", "the store (default: imagine.db)"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("runs", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    Store *s = NULL;
    StoreRun *rs = NULL;
    int n = 0;
    rc = store_open(store ? store : STORE_DEFAULT_PATH, 0, &s, &err);
    if (!rc) rc = store_run_list(s, &rs, &n, &err);
    Buf b;
    buf_init(&b);
    if (!rc && json) buf_putc(&b, '[');
    else if (!rc) buf_printf(&b, "%-4s %-20s %-10s %-16s %-10s %-10s %5s %6s %6s %5s %6s  %s\n", "id", "name", "method",
                             "model", "split", "status", "done", "failed", "errors", "total", "final", "started");
    for (int i = 0; !rc && i < n; i++) {
        /* a training run (imagine train: method train-sft/train-grpo, no items) has steps, not metrics */
        int training = rs[i].method && !strncmp(rs[i].method, "train-", 6) && !rs[i].n_items;
        const char *key = NULL;
        double head = 0;
        if (!training) {
            RunMetrics m;
            if ((rc = run_metrics(s, &rs[i], &m, &err))) break;
            head = run_metrics_headline(&m, &key);
            run_metrics_free(&m);
        }
        if (json) {
            if (i) buf_puts(&b, ", ");
            json_run(&rs[i], &b);
            if (training) buf_puts(&b, ", \"training\": true}");
            else buf_printf(&b, ", \"%s\": %.17g}", key, head);
        } else if (training) {
            char when[32];
            fmt_time(rs[i].started, when, sizeof when);
            buf_printf(&b, "%-4lld %-20s %-10s %-16s %-10s %-10s %5s %6s %6s %5s %6s  %s\n", rs[i].id, rs[i].name ? rs[i].name : "-",
                       rs[i].method, rs[i].model, rs[i].split, rs[i].status, "-", "-", "-", "-", "train", when);
        } else {
            char when[32];
            fmt_time(rs[i].started, when, sizeof when);
            buf_printf(&b, "%-4lld %-20s %-10s %-16s %-10s %-10s %5d %6d %6d %5d %5.1f%%  %s\n", rs[i].id,
                       rs[i].name ? rs[i].name : "-", rs[i].method, rs[i].model, rs[i].split, rs[i].status,
                       rs[i].n_state[ST_DONE], rs[i].n_state[ST_FAILED], rs[i].n_state[ST_ERROR], rs[i].n_items,
                       head * 100, when);
        }
    }
    if (!rc && json) buf_puts(&b, "]\n");
    if (!rc && b.len) fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
    store_runs_free(rs, n);
    store_close(s);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- show ----------------------------------------------------------------- */

static double mean_latency(Store *s, const StoreRun *r, Err *err) {
    StoreItem *items = NULL;
    int n = 0, k = 0;
    double sum = 0;
    if (store_items(s, r->id, 0, &items, &n, err)) return -1;
    for (int i = 0; i < n; i++)
        if (items[i].state == ST_DONE || items[i].state == ST_FAILED) sum += items[i].latency_ms, k++;
    store_items_free(items, n);
    return k ? sum / k : 0;
}

static void show_text(const Store *s, const StoreRun *r, const RunMetrics *m, double latency, const StoreCallStats *c,
                      Buf *b) {
    char t0[32], t1[32];
    fmt_time(r->started, t0, sizeof t0), fmt_time(r->finished, t1, sizeof t1);
    buf_printf(b, "run %lld%s%s%s: method %s, model %s, %s %s (%d queries)\n", r->id, r->name ? " (" : "",
               r->name ? r->name : "", r->name ? ")" : "", r->method, r->model, r->suite, r->split, r->n_items);
    buf_printf(b, "status: %s   imagine %s   seed %lld\n", shown_status(s, r), r->git_rev, r->seed);
    buf_printf(b, "time: started %s, finished %s, wall %.1fs, active %.1fs, mean latency %.1f ms\n", t0, t1, wall_s(r),
               r->active_s, latency);
    buf_printf(b, "items: %d done, %d failed, %d error, %d running, %d ready\n", r->n_state[ST_DONE],
               r->n_state[ST_FAILED], r->n_state[ST_ERROR], r->n_state[ST_RUNNING], r->n_state[ST_READY]);
    buf_printf(b, "tokens: %lld in, %lld out   cost: $%.4f\n", r->tokens_in, r->tokens_out, r->cost);
    if (c->calls)
        buf_printf(b, "model calls: %lld (%lld ok, %lld error, %lld cache hits, %lld HTTP attempts), tokens %lld in, "
                   "%lld out, cost $%.4f, latency mean %.1f ms, p95 %.1f ms\n",
                   c->calls, c->ok, c->errors, c->cache_hits, c->attempts, c->tokens_in, c->tokens_out, c->cost,
                   c->latency_mean_ms, c->latency_p95_ms);
    buf_putc(b, '\n');
    m->suite->ops->metrics_text(&m->m, b);
}

static void json_calls(const StoreCallStats *c, Buf *b) {
    buf_printf(b, ", \"llm_calls\": {\"calls\": %lld, \"ok\": %lld, \"errors\": %lld, \"cache_hits\": %lld, "
               "\"attempts\": %lld, \"tokens_in\": %lld, \"tokens_out\": %lld, \"cost\": %.6f, "
               "\"latency_mean_ms\": %.3f, \"latency_p95_ms\": %.3f}",
               c->calls, c->ok, c->errors, c->cache_hits, c->attempts, c->tokens_in, c->tokens_out, c->cost,
               c->latency_mean_ms, c->latency_p95_ms);
}

static int cmd_show(int argc, char **argv) {
    const char *store = NULL;
    int json = 0;
    const CliOpt opts[] = {{"--json", CLI_FLAG, &json, NULL, "one JSON object: the run, its counts and metrics"},
                           {"--store", CLI_STR, &store, "FILE", "the store (default: imagine.db)"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("show", "RUN", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return err_set(&err, IM_USAGE, "imagine show: give the run (its id or --name)"), harness_fail(&err);
    Store *s = NULL;
    StoreRun r;
    RunMetrics m = {0};
    rc = open_run(store, pos[0], &s, &r, &err);
    if (!rc) rc = run_metrics(s, &r, &m, &err);
    double latency = rc ? 0 : mean_latency(s, &r, &err);
    if (latency < 0) rc = IM_IO;
    StoreCallStats calls;
    if (!rc) rc = store_call_stats(s, r.id, &calls, &err);
    if (!rc) {
        Buf b;
        buf_init(&b);
        if (json) {
            json_run(&r, &b);
            buf_printf(&b, ", \"mean_latency_ms\": %.3f, \"method_config\": %s, \"config\": %s", latency,
                       r.method_config ? r.method_config : "{}", r.config_json ? r.config_json : "{}");
            json_calls(&calls, &b);
            buf_puts(&b, ", \"metrics\": ");
            m.suite->ops->metrics_json(&m.m, &b);
            buf_puts(&b, "}\n");
        } else {
            show_text(s, &r, &m, latency, &calls, &b);
        }
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
    }
    run_metrics_free(&m);
    store_run_free(&r);
    store_close(s);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- status --------------------------------------------------------------- */

static int cmd_status(int argc, char **argv) {
    const char *store = NULL;
    int json = 0;
    const CliOpt opts[] = {{"--json", CLI_FLAG, &json, NULL, "one JSON object"},
                           {"--store", CLI_STR, &store, "FILE", "the store (default: imagine.db)"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("status", "RUN", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return err_set(&err, IM_USAGE, "imagine status: give the run (its id or --name)"), harness_fail(&err);
    Store *s = NULL;
    StoreRun r;
    rc = open_run(store, pos[0], &s, &r, &err);
    if (!rc) {
        long pid = run_lock_holder(s, r.id);
        int finished = r.n_state[ST_DONE] + r.n_state[ST_FAILED];
        Buf b;
        buf_init(&b);
        if (json) {
            json_run(&r, &b);
            buf_printf(&b, ", \"finished_items\": %d, \"executing_pid\": %ld}\n", finished, pid);
        } else {
            buf_printf(&b, "run %lld%s%s%s: %s", r.id, r.name ? " (" : "", r.name ? r.name : "", r.name ? ")" : "",
                       pid ? "executing" : shown_status(s, &r));
            if (pid) buf_printf(&b, " (pid %ld)", pid);
            buf_printf(&b, "; %d/%d finished: %d done, %d failed, %d error, %d running, %d ready", finished, r.n_items,
                       r.n_state[ST_DONE], r.n_state[ST_FAILED], r.n_state[ST_ERROR], r.n_state[ST_RUNNING],
                       r.n_state[ST_READY]);
            if (r.active_s > 0) buf_printf(&b, "; %.2f items/s over %.1fs", finished / r.active_s, r.active_s);
            buf_putc(&b, '\n');
        }
        fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        rc = run_exit_code(&r) == IM_OK || pid ? IM_OK : IM_INCOMPLETE;
    }
    store_run_free(&r);
    store_close(s);
    return rc && rc != IM_INCOMPLETE ? harness_fail(&err) : rc;
}

/* ---- export --------------------------------------------------------------- */

static int cmd_export(int argc, char **argv) {
    const char *store = NULL, *format = NULL, *out = NULL;
    int only_passing = 0;
    const CliOpt opts[] = {
        {"--format", CLI_STR, &format, "F", "submission (the official JSONL), jsonl (everything per item), csv; "
                                            "IMAGINE: sft, sft-prompt-completion, grpo (docs/imagine.md)"},
        {"--only-passing", CLI_FLAG, &only_passing, NULL, "sft formats: only the traces whose final plan passes"},
        {"--out", CLI_STR, &out, "FILE", "write to FILE (atomically) instead of stdout"},
        {"--store", CLI_STR, &store, "FILE", "the store (default: imagine.db)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("export", "RUN", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return err_set(&err, IM_USAGE, "imagine export: give the run (its id or --name)"), harness_fail(&err);
    if (!format)
        return err_set(&err, IM_USAGE, "imagine export: --format submission|jsonl|csv|sft|sft-prompt-completion|grpo is required"),
               harness_fail(&err);
    int imagine = !strcmp(format, "sft") || !strcmp(format, "sft-prompt-completion") || !strcmp(format, "grpo");
    if (strcmp(format, "submission") && strcmp(format, "jsonl") && strcmp(format, "csv") && !imagine)
        return err_set(&err, IM_USAGE, "imagine export: --format must be submission, jsonl, csv, sft, sft-prompt-completion or grpo"),
               harness_fail(&err);
    if (only_passing && (!imagine || !strcmp(format, "grpo")))
        return err_set(&err, IM_USAGE, "imagine export: --only-passing is for --format sft and sft-prompt-completion"), harness_fail(&err);
    Store *s = NULL;
    StoreRun r;
    Buf b;
    buf_init(&b);
    const char *inputs[] = {store ? store : STORE_DEFAULT_PATH};
    memset(&r, 0, sizeof r);
    rc = harness_refuse_input_as_output("export", "--out", out, inputs, 1, &err);
    if (!rc) rc = open_run(store, pos[0], &s, &r, &err);
    ExportCounts ct;
    if (!rc && imagine) {
        rc = export_imagine(s, &r, format, only_passing, &b, &ct, &err);
        if (!rc)
            fprintf(stderr, "imagine export: %d %s (%d with a reflection, %d passing every check)%s%.0d%s\n", ct.written,
                    strcmp(format, "grpo") ? "samples" : "prompts", ct.with_reflection, ct.passing,
                    ct.skipped ? "; skipped " : "", ct.skipped, ct.skipped ? " items without a trace or not passing" : "");
    } else if (!rc) rc = export_run(s, &r, format, &b, &err);
    if (!rc && out) rc = fs_write_atomic(out, b.data ? b.data : "", b.len, &err);
    else if (!rc && b.len && fwrite(b.data, 1, b.len, stdout) != b.len) rc = err_set(&err, IM_IO, "cannot write to stdout");
    buf_free(&b);
    store_run_free(&r);
    store_close(s);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_runs[] = {
    {"runs", cmd_runs, "List the runs in the store.", ""},
    {"show", cmd_show, "A run's metrics, item counts by state, tokens, cost, time and model calls.", "RUN"},
    {"status", cmd_status, "Where a run stands (safe while another process executes it).", "RUN"},
    {"export", cmd_export, "Write a run's plans as a submission file, or its items as JSONL or CSV.", "RUN"},
    {0}};
