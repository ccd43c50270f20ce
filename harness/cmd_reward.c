/* cmd_reward.c: `imagine reward` (score a file of responses) and
 * `imagine reward serve` (the same reward over HTTP). Both go through
 * rewarder.h, so their numbers are the same by construction. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "reward_server.h"
#include "rewarder.h"
#include "suite.h"
#include "verbs.h"

typedef struct RewardArgs {
    const char *suite, *queries, *split, *responses, *config, *data, *host;
    long port, threads;
    int json;
} RewardArgs;

/* --config: a JSON object given inline or as a file. Returns malloc'd text
 * or NULL (no --config); IM_USAGE/IM_IO through err. */
static int read_config(const char *arg, char **out, Err *err) {
    *out = NULL;
    if (!arg) return IM_OK;
    const char *p = arg;
    while (*p == ' ') p++;
    if (*p == '{') return (*out = strdup(arg)) ? IM_OK : err_set(err, IM_IO, "out of memory");
    size_t n;
    int rc = fs_read_file(arg, out, &n, err);
    return rc ? err_prefix(err, "--config") : IM_OK;
}

static int open_rewarder(const RewardArgs *a, const char *verb, Rewarder **rw, Err *err) {
    if (!a->suite) return err_set(err, IM_USAGE, "imagine %s: --suite S is required (%s)", verb, suite_names());
    char *cfg = NULL;
    int rc = read_config(a->config, &cfg, err);
    if (rc) return rc;
    rc = rewarder_open(a->suite, a->data, a->queries, a->split, cfg, rw, err);
    free(cfg);
    return rc;
}

/* ---- imagine reward --------------------------------------------------------- */

static int score_file(const Rewarder *rw, const char *path, int json, Buf *out, Err *err) {
    char *text;
    size_t len;
    int rc = fs_read_text(path, &text, &len, err);
    if (rc) return rc;
    int line = 0, n = 0;
    Buf one;
    buf_init(&one);
    for (char *p = text; p && *p && !rc;) {
        line++;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        char *t = p;
        p = nl ? nl + 1 : NULL;
        while (*t == ' ' || *t == '\t' || *t == '\r') t++;
        if (!*t) continue;
        cJSON *item = cJSON_Parse(t);
        buf_reset(&one);
        double r = 0;
        if (!cJSON_IsObject(item)) rc = err_set(err, IM_IO, "%s:%d: not a JSON object {\"idx\": N, \"response\": TEXT}", path, line);
        else if (!cJSON_GetObjectItemCaseSensitive(item, "idx") && !cJSON_GetObjectItemCaseSensitive(item, "query"))
            rc = err_set(err, IM_IO, "%s:%d: field 'idx' is missing (the query's idx in the query file)", path, line);
        else if ((rc = rewarder_score(rw, item, &one, &r, err))) err_prefix(err, "%s:%d", path, line);
        if (!rc) {
            n++;
            if (json) buf_append(out, one.data, one.len), buf_putc(out, '\n');
            else {
                const cJSON *idx = cJSON_GetObjectItemCaseSensitive(item, "idx");
                if (!idx) idx = cJSON_GetObjectItemCaseSensitive(item, "query");
                char num[64];
                const char *rs = strstr(one.data, "\"reward\": ") + 10;
                size_t k = strcspn(rs, ",");
                snprintf(num, sizeof num, "%.*s", (int)k, rs);
                if (cJSON_IsNumber(idx)) buf_printf(out, "%d\t%s\n", (int)idx->valuedouble, num);
                else buf_printf(out, "-\t%s\n", num);
            }
        }
        cJSON_Delete(item);
    }
    buf_free(&one);
    free(text);
    if (!rc && !n) rc = err_set(err, IM_IO, "%s: no responses in the file", path);
    return rc;
}

static int cmd_reward(int argc, char **argv) {
    RewardArgs a = {0};
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &a.suite, "S", "the suite whose reward scores the responses (travelplanner, planbench)"},
        {"--queries", CLI_STR, &a.queries, "FILE", "the query file the responses' idx refer to (the suite's item form)"},
        {"--split", CLI_STR, &a.split, "S", "instead of --queries: an official split (TravelPlanner) or variant (PlanBench)"},
        {"--variant", CLI_STR, &a.split, "V", "the same as --split (PlanBench's word)"},
        {"--responses", CLI_STR, &a.responses, "FILE.jsonl", "one {\"idx\": N, \"response\": TEXT} per line"},
        {"--json", CLI_FLAG, &a.json, NULL, "one {\"idx\", \"reward\", \"components\"} object per line"},
        {"--config", CLI_STR, &a.config, "JSON|FILE", "reward configuration fields (docs/imagine.md)"},
        {"--data", CLI_STR, &a.data, "DIR", "the suite's data folder (default: its environment variable, docs/suites.md)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("reward", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!a.responses) return err_set(&err, IM_USAGE, "imagine reward: --responses FILE.jsonl is required"), harness_fail(&err);
    if (!a.queries && !a.split)
        return err_set(&err, IM_USAGE, "imagine reward: --queries FILE (or --split S / --variant V) is required"), harness_fail(&err);
    Rewarder *rw = NULL;
    rc = open_rewarder(&a, "reward", &rw, &err);
    Buf out;
    buf_init(&out);
    if (!rc) rc = score_file(rw, a.responses, a.json, &out, &err);
    if (!rc) fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    rewarder_close(rw);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- imagine reward serve --------------------------------------------------- */

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig) { (void)sig, stop_flag = 1; }

static int cmd_reward_serve(int argc, char **argv) {
    RewardArgs a = {.host = "127.0.0.1", .threads = 64};
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &a.suite, "S", "the suite whose reward the server computes (travelplanner, planbench)"},
        {"--port", CLI_INT, &a.port, "P", "TCP port (0: any free port, printed)"},
        {"--host", CLI_STR, &a.host, "ADDR", "IPv4 address to listen on (default 127.0.0.1)"},
        {"--threads", CLI_INT, &a.threads, "N", "connections served at once, one thread each (default 64)"},
        {"--queries", CLI_STR, &a.queries, "FILE", "the query file that requests may name by idx"},
        {"--split", CLI_STR, &a.split, "S", "instead of --queries: an official split (TravelPlanner) or variant (PlanBench)"},
        {"--variant", CLI_STR, &a.split, "V", "the same as --split (PlanBench's word)"},
        {"--config", CLI_STR, &a.config, "JSON|FILE", "reward configuration fields (docs/imagine.md)"},
        {"--data", CLI_STR, &a.data, "DIR", "the suite's data folder (default: its environment variable, docs/suites.md)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("reward serve", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (a.port < 0 || a.port > 65535) return err_set(&err, IM_USAGE, "imagine reward serve: --port must be 0..65535"), harness_fail(&err);
    if (a.threads < 1 || a.threads > 256) return err_set(&err, IM_USAGE, "imagine reward serve: --threads must be 1..256"), harness_fail(&err);
    Rewarder *rw = NULL;
    rc = open_rewarder(&a, "reward serve", &rw, &err);
    RewardServer *srv = NULL;
    if (!rc) rc = reward_server_start(rw, a.suite, a.host, (int)a.port, (int)a.threads, &srv, &err);
    if (rc) {
        rewarder_close(rw);
        return harness_fail(&err);
    }
    signal(SIGINT, on_signal), signal(SIGTERM, on_signal), signal(SIGPIPE, SIG_IGN);
    Buf cfg;
    buf_init(&cfg);
    rewarder_config_json(rw, &cfg);
    printf("imagine reward serve: %s reward on http://%s:%d/reward (%d queries by idx, at most %ld connections)\nconfig: %s\n",
           a.suite, a.host, reward_server_port(srv), rewarder_n_queries(rw), a.threads, cfg.data);
    fflush(stdout);
    buf_free(&cfg);
    while (!stop_flag) usleep(100000);
    reward_server_stop(srv);
    rewarder_close(rw);
    return IM_OK;
}

const CliVerb imagine_verbs_reward[] = {
    {"reward", cmd_reward, "score responses with a suite's IMAGINE reward (every component with --json)", ""},
    {"reward serve", cmd_reward_serve, "the suite's reward as an HTTP endpoint for external trainers", ""},
    {0}};
