/* cmd_bench_http.c: `imagine bench http`, the HTTP client's overhead.
 *
 * Starts the project's test server (imagine-test-server, beside this
 * binary, or --server PATH) on 127.0.0.1 with a fixed latency, or uses
 * --url; sends N requests with K in flight on the backend's one I/O
 * thread; prints requests per second against the ideal K / latency, the
 * CPU time of this process per request (the server is another process),
 * and the time of a cache hit. Talks to 127.0.0.1 only unless --url says
 * otherwise; bounded in requests and time. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "../agents/model.h" /* not reports/model.h */
#include "verbs.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* Starts the test server; returns its pid and port, or -1 with err. */
static pid_t start_server(const char *exe, int latency_ms, const char *port_file, int *port, Err *err) {
    unlink(port_file);
    pid_t pid = fork();
    if (pid < 0) return err_set(err, IM_IO, "cannot fork the test server"), -1;
    if (pid == 0) {
        char lat[32];
        snprintf(lat, sizeof lat, "%d", latency_ms);
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execl(exe, exe, "--port", "0", "--port-file", port_file, "--latency-ms", lat, "--seconds", "600", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) { /* up to 5 s */
        char *text = NULL;
        size_t len;
        Err e = {0};
        if (fs_exists(port_file) && fs_read_file(port_file, &text, &len, &e) == IM_OK) {
            *port = atoi(text);
            free(text);
            if (*port > 0) return pid;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        usleep(50000);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return err_set(err, IM_IO, "the test server %s did not start — build it (it is built with imagine) or pass --server PATH or --url URL", exe), -1;
}

static char *default_server(void) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return strdup("imagine-test-server");
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash) *slash = 0;
    return fs_join(self, "imagine-test-server");
}

typedef struct Reqs {
    AgMessage *msgs;
    AgChatRequest *rq;
    AgChatResponse *rs;
    char **text;
    int n;
} Reqs;

static void reqs_make(Reqs *r, int n, const char *tag) {
    r->n = n;
    r->msgs = calloc((size_t)n, sizeof *r->msgs);
    r->rq = calloc((size_t)n, sizeof *r->rq);
    r->rs = calloc((size_t)n, sizeof *r->rs);
    r->text = calloc((size_t)n, sizeof *r->text);
    for (int i = 0; i < n; i++) {
        if (asprintf(&r->text[i], "bench %s request %d: plan a three-day trip from Austin to Dallas for two people.", tag, i) < 0)
            r->text[i] = NULL;
        r->msgs[i] = (AgMessage){"user", r->text[i]};
        r->rq[i] = (AgChatRequest){&r->msgs[i], 1, 0, 0};
    }
}

static void reqs_clear(Reqs *r) {
    for (int i = 0; i < r->n; i++) ag_chat_response_free(&r->rs[i]);
}

static void reqs_free(Reqs *r) {
    reqs_clear(r);
    for (int i = 0; i < r->n; i++) free(r->text[i]);
    free(r->msgs), free(r->rq), free(r->rs), free(r->text);
}

static int cmd_bench_http(int argc, char **argv) {
    const char *url = NULL, *server = NULL;
    long n = 640, k = 64, latency = 200;
    int json = 0;
    const CliOpt opts[] = {
        {"--url", CLI_STR, &url, "BASE_URL", "an OpenAI-compatible server to use instead of the local test server"},
        {"--server", CLI_STR, &server, "PATH", "the test server binary (default: imagine-test-server beside imagine)"},
        {"--requests", CLI_INT, &n, "N", "requests to time (default 640)"},
        {"--concurrency", CLI_INT, &k, "K", "requests in flight (default 64)"},
        {"--latency-ms", CLI_INT, &latency, "MS", "the test server's fixed latency (default 200)"},
        {"--json", CLI_FLAG, &json, NULL, "print one JSON object"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench http", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (n < 1 || n > 100000 || k < 1 || k > 1024 || latency < 0 || latency > 10000)
        return err_set(&err, IM_USAGE, "imagine bench http: --requests 1..100000, --concurrency 1..1024, --latency-ms 0..10000"),
               harness_fail(&err);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/imagine-bench-http-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    if (fs_mkdirs(tmp, &err)) return harness_fail(&err);
    char port_file[300], cache_path[300], spec[1024];
    snprintf(port_file, sizeof port_file, "%s/port", tmp);
    snprintf(cache_path, sizeof cache_path, "%s/cache.db", tmp);
    pid_t pid = -1;
    char *exe = server ? strdup(server) : default_server();
    int port = 0;
    if (!url) {
        pid = start_server(exe, (int)latency, port_file, &port, &err);
        if (pid < 0) {
            free(exe);
            return harness_fail(&err);
        }
        snprintf(spec, sizeof spec, "openai:http://127.0.0.1:%d/v1#bench?concurrency=%ld&timeout=60&max_retries=2", port, k);
    } else
        snprintf(spec, sizeof spec, "openai:%s#bench?concurrency=%ld&timeout=60&max_retries=2", url, k);
    free(exe);
    AgModel *m = NULL;
    AgCache *c = NULL;
    Reqs warm, run;
    reqs_make(&warm, (int)k, "warm-up");
    reqs_make(&run, (int)n, "timed");
    double wall = 0, cpu = 0, hit_wall = 0, hit_cpu = 0;
    int bad = 0;
    rc = ag_model_open_spec(spec, &m, &err);
    if (!rc) {
        bad += ag_model_chat_many(m, warm.rq, warm.n, warm.rs); /* connections up */
        double t0 = now_s(), c0 = cpu_s();
        bad += ag_model_chat_many(m, run.rq, run.n, run.rs);
        wall = now_s() - t0, cpu = cpu_s() - c0;
        if (bad) err_set(&err, IM_IO, "%d requests failed: %s", bad, run.rs[0].error ? run.rs[0].error : warm.rs[0].error);
    }
    /* cache hits: the same requests again, answered from a fresh cache */
    if (!rc && !bad && !(rc = ag_cache_open(cache_path, &c, &err))) {
        const AgModelConfig *cfg = ag_model_config(m);
        for (int i = 0; i < run.n; i++) {
            unsigned char key[32];
            ag_model_request_key(cfg, &run.rq[i], key);
            AgCacheEntry e = {run.rs[i].text, NULL, run.rs[i].finish_reason, run.rs[i].tokens_in, run.rs[i].tokens_out, 0};
            ag_cache_put(c, key, cfg->name, &e, NULL);
        }
        reqs_clear(&run);
        ag_model_set_cache(m, c);
        double t0 = now_s(), c0 = cpu_s();
        for (int i = 0; i < run.n; i++) ag_model_chat_many(m, &run.rq[i], 1, &run.rs[i]);
        hit_wall = now_s() - t0, hit_cpu = cpu_s() - c0;
        for (int i = 0; i < run.n; i++) bad += !run.rs[i].cache_hit;
        if (bad) rc = err_set(&err, IM_IO, "%d of %d repeated requests missed the cache", bad, run.n);
    }
    if (!rc && bad) rc = IM_IO;
    ag_model_close(m);
    ag_cache_close(c);
    reqs_free(&warm), reqs_free(&run);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    unlink(port_file), unlink(cache_path);
    char side[320];
    snprintf(side, sizeof side, "%s-wal", cache_path), unlink(side);
    snprintf(side, sizeof side, "%s-shm", cache_path), unlink(side);
    rmdir(tmp);
    if (rc) return harness_fail(&err);
    double rps = (double)n / wall, ideal = latency > 0 ? (double)k * 1000.0 / (double)latency : 0;
    double cpu_ms = cpu * 1e3 / (double)n, hit_ms = hit_wall * 1e3 / (double)n, hit_cpu_ms = hit_cpu * 1e3 / (double)n;
    if (json)
        printf("{\"requests\": %ld, \"concurrency\": %ld, \"latency_ms\": %ld, \"url\": %s%s%s, \"wall_s\": %.3f, \"requests_per_s\": %.1f, "
               "\"ideal_requests_per_s\": %.1f, \"cpu_ms_per_request\": %.4f, \"cache_hit_ms\": %.4f, \"cache_hit_cpu_ms\": %.4f}\n",
               n, k, latency, url ? "\"" : "null", url ? url : "", url ? "\"" : "", wall, rps, ideal, cpu_ms, hit_ms, hit_cpu_ms);
    else {
        printf("bench http: %ld requests, %ld in flight on one I/O thread, %s\n", n, k,
               url ? url : "local test server (imagine-test-server)");
        if (!url) printf("  server latency     %ld ms (fixed)\n", latency);
        printf("  wall               %.3f s\n", wall);
        if (!url && ideal > 0)
            printf("  requests/s         %.1f (ideal %ld / %.3f s = %.1f; %.1f%% of ideal)\n", rps, k, (double)latency / 1000.0, ideal,
                   100.0 * rps / ideal);
        else printf("  requests/s         %.1f\n", rps);
        printf("  client CPU         %.3f ms per request (user+sys of imagine; target < 1 ms)\n", cpu_ms);
        printf("  cache hit          %.3f ms per request (%.3f ms CPU; target < 1 ms)\n", hit_ms, hit_cpu_ms);
    }
    return IM_OK;
}

const CliVerb imagine_verbs_bench_http[] = {
    {"bench http", cmd_bench_http, "HTTP client overhead: requests/s with K in flight, CPU per request, cache hit time.", ""},
    {0}};
