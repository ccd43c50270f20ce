/* server_main.c: imagine-test-server, the test server as a process (for
 * shell tests and `imagine bench http`). --faults queues faults (server.h)
 * before the first request. Prints "port N" on stdout (and
 * into --port-file), then serves until SIGTERM, SIGINT or --seconds. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "server.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig, stop = 1; }

int main(int argc, char **argv) {
    TsConfig cfg = {0};
    const char *port_file = NULL;
    long seconds = 3600;
    const char *faults = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) { fprintf(stderr, "imagine-test-server: %s needs a value\n", a); return 2; }
        if (!strcmp(a, "--port")) cfg.port = atoi(v);
        else if (!strcmp(a, "--latency-ms")) cfg.latency_ms = atoi(v);
        else if (!strcmp(a, "--plans")) cfg.plans = v;
        else if (!strcmp(a, "--render")) cfg.render = v;
        else if (!strcmp(a, "--script")) cfg.script = v;
        else if (!strcmp(a, "--port-file")) port_file = v;
        else if (!strcmp(a, "--seconds")) seconds = atol(v);
        else if (!strcmp(a, "--faults")) faults = v;
        else {
            fprintf(stderr, "usage: imagine-test-server [--port N] [--port-file F] [--latency-ms MS] [--plans SUBMISSION.jsonl]\n"
                            "       [--render text|json|mixed] [--script FILE.jsonl] [--faults F,F,...] [--seconds S]\n");
            return 2;
        }
        i++;
    }
    char err[512];
    TsServer *s = ts_server_start(&cfg, err, sizeof err);
    if (!s) { fprintf(stderr, "imagine-test-server: %s\n", err); return 3; }
    for (const char *f = faults; f && *f;) { /* queued before the first request */
        const char *comma = strchr(f, ',');
        char one[64];
        snprintf(one, sizeof one, "%.*s", (int)(comma ? comma - f : (long)strlen(f)), f);
        ts_server_fault(s, one);
        f = comma ? comma + 1 : NULL;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    char line[64];
    int n = snprintf(line, sizeof line, "%d\n", ts_server_port(s));
    if (port_file) {
        Err e = {0};
        if (fs_write_atomic(port_file, line, (size_t)n, &e)) { fprintf(stderr, "imagine-test-server: %s\n", e.msg); return 3; }
    }
    printf("port %s", line);
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    while (!stop && time(NULL) < end) usleep(100000);
    ts_server_stop(s);
    return 0;
}
