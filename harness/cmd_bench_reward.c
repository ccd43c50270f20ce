/* cmd_bench_reward.c: `imagine bench reward`, responses scored per second
 * through `imagine reward serve`'s HTTP endpoint (issue 15's target: at
 * least 20,000 TravelPlanner responses/s with batches of 64 on 2 cores).
 *
 * Any suite with a reward (--suite; the rewarder goes through the suite
 * interface). The responses are a suite's shipped answers (TravelPlanner:
 * the train plans, annotated, GPT-4 direct, CoT, two-stage; PlanBench: the
 * published Blocksworld one-shot answers of three models) written as
 * IMAGINE responses, with and without a reflection, plus format failures:
 * every branch of the reward. The server runs in
 * this process (one thread per connection); --clients threads each keep one
 * HTTP/1.1 connection and post batches for --seconds. Also prints the rate
 * of the reward alone (no HTTP) on one thread. Talks to 127.0.0.1 only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "reward_server.h"
#include "rewarder.h"
#include "suite.h"
#include "think.h"
#include "verbs.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- the responses -------------------------------------------------------- */

/* Per suite: the split scored and the answer files (relative to the
 * suite's data folder) whose answers become responses. */
typedef struct BenchSet {
    const char *suite, *split;
    const char *files[5];
} BenchSet;

static const BenchSet bench_sets[] = {
    {"travelplanner", "train",
     {"outputs/train/train_annotated_plans.jsonl", "outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl",
      "outputs/train/train_gpt-4-1106-preview_cot_sole-planning_submission.jsonl",
      "outputs/train/train_gpt-4-1106-preview_two-stage_submission.jsonl", NULL}},
    {"planbench", "blocksworld",
     {"results/blocksworld/claude-3-opus/task_1_plan_generation.json", "results/blocksworld/gemini-1.5-pro/task_1_plan_generation.json",
      "results/blocksworld/gpt-4_chat/task_1_plan_generation.json", NULL}},
};

static const BenchSet *bench_set(const char *suite) {
    for (size_t i = 0; i < sizeof bench_sets / sizeof *bench_sets; i++)
        if (!strcmp(bench_sets[i].suite, suite)) return &bench_sets[i];
    return NULL;
}

/* Appends {"query": idx, "response": ...} items for every delivered answer
 * of the set's files (the suite's answer form), written as IMAGINE
 * responses: with and without a reflection, one in seven a format failure
 * (no <think>). Returns the count, -1 on error. */
static int build_items(const Suite *s, const SuiteItems *items, const BenchSet *set, cJSON *out, Err *err) {
    int n = 0;
    for (int f = 0; set->files[f]; f++) {
        char *path = fs_join(s->data_dir, set->files[f]);
        void *ans = NULL;
        int rc = s->ops->answers_open(s, path, &ans, err);
        free(path);
        if (rc) return -1;
        for (int i = 0; i < items->n && !rc; i++) {
            char *aj = NULL, *raw = NULL, *why = NULL;
            rc = s->ops->answer(ans, &items->item[i], &aj, &raw, &why, err);
            if (!rc && aj) {
                Buf r;
                buf_init(&r);
                int variant = n % 7;
                if (variant == 6) buf_printf(&r, "Here is the plan: %s", aj); /* no <think>: a format failure */
                else if (variant % 2) think_flatten(&r, "I compare the options and their costs.", variant == 3 ? "Step 2 was wrong; fixed." : NULL, aj);
                else buf_printf(&r, "<think>\nI compare the options and their costs.\n</think>\n%s", aj);
                cJSON *it = cJSON_CreateObject();
                cJSON_AddNumberToObject(it, "query", items->item[i].idx);
                cJSON_AddStringToObject(it, "response", r.data);
                cJSON_AddItemToArray(out, it);
                buf_free(&r);
                n++;
            }
            free(aj), free(raw), free(why);
        }
        s->ops->answers_close(ans);
        if (rc) return -1;
    }
    return n;
}

/* ---- a keep-alive HTTP client ------------------------------------------------ */

typedef struct Client {
    int port;
    const Buf *bodies;
    int n_bodies, per_batch;
    double until;
    long batches, failures;
    char why[200];
} Client;

static int read_answer(int fd, Buf *in, int *status) {
    buf_reset(in);
    char tmp[65536];
    long need = -1;
    size_t head = 0;
    for (;;) {
        if (need >= 0 && in->len >= head + (size_t)need) break;
        ssize_t k = recv(fd, tmp, sizeof tmp, 0);
        if (k <= 0) return -1;
        buf_append(in, tmp, (size_t)k);
        if (need < 0) {
            char *end = strstr(in->data, "\r\n\r\n");
            if (!end) continue;
            head = (size_t)(end - in->data) + 4;
            *status = atoi(in->data + 9);
            char *cl = strcasestr(in->data, "Content-Length:");
            if (!cl || cl > end) return -1;
            need = atol(cl + 15);
        }
    }
    return 0;
}

static void *client_main(void *arg) {
    Client *c = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
        snprintf(c->why, sizeof c->why, "cannot connect to 127.0.0.1:%d", c->port);
        if (fd >= 0) close(fd);
        return NULL;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Buf req, in;
    buf_init(&req), buf_init(&in);
    for (long i = 0; now_s() < c->until; i++) {
        const Buf *b = &c->bodies[i % c->n_bodies];
        buf_reset(&req);
        buf_printf(&req, "POST /reward HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", b->len);
        buf_append(&req, b->data, b->len);
        int status = 0;
        if (send(fd, req.data, req.len, MSG_NOSIGNAL) != (ssize_t)req.len || read_answer(fd, &in, &status)) {
            snprintf(c->why, sizeof c->why, "the connection broke after %ld batches", c->batches);
            break;
        }
        if (status != 200) c->failures++;
        else c->batches++;
    }
    close(fd);
    buf_free(&req), buf_free(&in);
    return NULL;
}

/* ---- the verb ----------------------------------------------------------------- */

static int cmd_bench_reward(int argc, char **argv) {
    const char *suite = "travelplanner", *data_flag = NULL;
    long batch = 64, clients = 2, threads = 64;
    double seconds = 3;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "suite (travelplanner, default; planbench)"},
        {"--batch", CLI_INT, &batch, "N", "responses per request (default 64)"},
        {"--clients", CLI_INT, &clients, "K", "client connections, each one request in flight (default 2)"},
        {"--threads", CLI_INT, &threads, "N", "server connections at most, one thread each (default 64)"},
        {"--seconds", CLI_FLOAT, &seconds, "S", "how long to post batches (default 3, at most 60)"},
        {"--data", CLI_STR, &data_flag, "DIR", "the suite's data folder (default: its environment variable)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench reward", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (batch < 1 || batch > 4096 || clients < 1 || clients > 64 || threads < 1 || threads > 64 || !(seconds > 0 && seconds <= 60))
        return err_set(&err, IM_USAGE, "imagine bench reward: --batch 1..4096, --clients 1..64, --threads 1..64, --seconds (0, 60]"),
               harness_fail(&err);
    const BenchSet *set = bench_set(suite);
    if (!set) return err_set(&err, IM_USAGE, "imagine bench reward: --suite %s: travelplanner or planbench", suite), harness_fail(&err);
    Rewarder *rw = NULL;
    rc = rewarder_open(suite, data_flag, NULL, set->split, NULL, &rw, &err);
    if (rc) return harness_fail(&err);
    cJSON *items = cJSON_CreateArray();
    int n = build_items(rewarder_suite(rw), rewarder_items(rw), set, items, &err);
    if (n <= 0) {
        cJSON_Delete(items), rewarder_close(rw);
        if (n == 0) err_set(&err, IM_IO, "%s: no answers to score in %s", suite, set->files[0]);
        return harness_fail(&err);
    }
    /* the reward alone, one thread */
    double t0 = now_s(), sum = 0, r;
    int scored = 0;
    Buf one;
    buf_init(&one);
    while (now_s() - t0 < 1.0)
        for (const cJSON *it = items->child; it; it = it->next, scored++) {
            buf_reset(&one);
            rewarder_score(rw, it, &one, &r, &err);
            sum += r;
        }
    double direct = scored / (now_s() - t0);
    buf_free(&one);
    /* batches of `batch` items, cycling through the responses */
    int n_bodies = (n + (int)batch - 1) / (int)batch;
    if (n_bodies < 8) n_bodies = 8;
    Buf *bodies = calloc((size_t)n_bodies, sizeof *bodies);
    const cJSON *it = items->child;
    for (int b = 0; b < n_bodies; b++) {
        buf_putc(&bodies[b], '[');
        for (long k = 0; k < batch; k++, it = it->next ? it->next : items->child) {
            char *s = cJSON_PrintUnformatted(it);
            if (k) buf_putc(&bodies[b], ',');
            buf_puts(&bodies[b], s);
            free(s);
        }
        buf_putc(&bodies[b], ']');
    }
    RewardServer *srv = NULL;
    rc = reward_server_start(rw, suite, "127.0.0.1", 0, (int)threads, &srv, &err);
    Client *cs = calloc((size_t)clients, sizeof *cs);
    pthread_t *th = calloc((size_t)clients, sizeof *th);
    double start = now_s(), elapsed = 0, cpu0 = cpu_s(), cpu = 0;
    long total = 0, failures = 0;
    if (!rc) {
        for (long k = 0; k < clients; k++) {
            cs[k] = (Client){.port = reward_server_port(srv), .bodies = bodies, .n_bodies = n_bodies,
                             .per_batch = (int)batch, .until = start + seconds};
            pthread_create(&th[k], NULL, client_main, &cs[k]);
        }
        for (long k = 0; k < clients; k++) pthread_join(th[k], NULL);
        elapsed = now_s() - start;
        cpu = cpu_s() - cpu0;
        for (long k = 0; k < clients; k++) {
            total += cs[k].batches, failures += cs[k].failures;
            if (cs[k].why[0]) rc = err_set(&err, IM_IO, "client %ld: %s", k, cs[k].why);
        }
        reward_server_stop(srv);
    }
    if (!rc) {
        double rate = (double)total * (double)batch / elapsed;
        printf("imagine bench reward: %s, %d distinct responses (the shipped answers of %s: with/without reflection, format failures)\n",
               suite, n, set->split);
        printf("  reward alone, 1 thread:   %.0f responses/s (%.1f us each)\n", direct, 1e6 / direct);
        printf("  through HTTP:             %.0f responses/s (%ld batches of %ld in %.2f s; %ld clients, a server thread per connection; %ld non-200)\n",
               rate, total, batch, elapsed, clients, failures);
        double per = total ? 1e6 * cpu / ((double)total * (double)batch) : 0;
        printf("  CPU time through HTTP:    %.1f us per response (server and clients, user+sys; %.0f responses/s if 2 cores were all ours)\n",
               per, per > 0 ? 2e6 / per : 0);
        if (!strcmp(suite, "travelplanner"))
            printf("  target:                   20000 responses/s with batches of 64 on 2 cores: %s\n", rate >= 20000 ? "met" : "NOT met");
    }
    for (int b = 0; b < n_bodies; b++) buf_free(&bodies[b]);
    free(bodies), free(cs), free(th);
    cJSON_Delete(items);
    rewarder_close(rw);
    (void)sum;
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_bench_reward[] = {
    {"bench reward", cmd_bench_reward, "responses scored per second through the reward server (batches of 64)", ""},
    {0}};
