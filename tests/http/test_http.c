/* test_http.c: the HTTP backend, cache, parser and prompting methods
 * against the test server on 127.0.0.1. Every injected fault must end as a
 * retry that succeeds or an error outcome, never as a failed plan; cache
 * hits reach no server; text with SQL/HTML/shell metacharacters comes back
 * unchanged. Usage: test_http DATA_DIR */
#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "evaluate.h"
#include "llm.h"
#include "tools.h"
#include "fsutil.h"
#include "method.h"
#include "model.h"
#include "parse.h"
#include "suite_tp.h"
#include "prompts.h"
#include "server.h"

static int failures, checks;
#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        checks++;                                                         \
        if (!(cond)) {                                                    \
            failures++;                                                   \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
        }                                                                 \
    } while (0)

static const char *data_dir;
static char tmpdir[256];

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- parser ------------------------------------------------------------- */

static void t_parse(void) {
    char *p = NULL;
    Err err = {0};
    const char *fenced = "Sure.\n```json\n[{\"day\": 1, \"Current City\": \"from A to B\", \"transportation\": \"-\"}]\n```\nBye";
    CHECK(tp_parse_plan(fenced, &p, &err) == IM_OK, "%s", err.msg);
    CHECK(p && !strcmp(p, "[{\"day\":1,\"current_city\":\"from A to B\",\"transportation\":\"-\"}]"), "%s", p);
    free(p);
    const char *bare = "Plan: {\"plan\": [{\"days\": 1, \"current_city\": \"X\"}]} done";
    CHECK(tp_parse_plan(bare, &p, &err) == IM_OK, "%s", err.msg);
    CHECK(p && !strcmp(p, "[{\"day\":1,\"current_city\":\"X\"}]"), "%s", p);
    free(p);
    const char *text = "Thinking about Day 1: nothing.\n\n**Day 1:**\n- **Current City:** from Austin to Dallas\n"
                       "Transportation: Self-driving, from Austin to Dallas, duration: 3 hours\nBreakfast: -\n"
                       "Attractions: Museum, Dallas;Park, Dallas;\nLunch: Joe's, Dallas\nDinner: -\nAccommodation: Loft, Dallas\n\n"
                       "Day 2:\nCurrent City: Dallas\nBreakfast: Cafe, Dallas\n\nTotal: $300\n";
    CHECK(tp_parse_plan(text, &p, &err) == IM_OK, "%s", err.msg);
    CHECK(p && !strcmp(p, "[{\"day\":1,\"current_city\":\"from Austin to Dallas\",\"transportation\":\"Self-driving, from Austin to "
                          "Dallas, duration: 3 hours\",\"breakfast\":\"-\",\"attraction\":\"Museum, Dallas;Park, Dallas;\",\"lunch\":"
                          "\"Joe's, Dallas\",\"dinner\":\"-\",\"accommodation\":\"Loft, Dallas\"},{\"day\":2,\"current_city\":\"Dallas\","
                          "\"transportation\":\"-\",\"breakfast\":\"Cafe, Dallas\",\"attraction\":\"-\",\"lunch\":\"-\",\"dinner\":\"-\","
                          "\"accommodation\":\"-\"}]"),
          "%s", p);
    free(p);
    CHECK(tp_parse_plan("I cannot help with that.", &p, &err) == IM_FAIL && !p, "expected failure");
    CHECK(strstr(err.msg, "no plan found") && strstr(err.msg, "line 1"), "%s", err.msg);
    CHECK(tp_parse_plan("Day 1:\nTransportation: -\nDay 2:\nCurrent City: X\n", &p, &err) == IM_FAIL, "no city");
    CHECK(strstr(err.msg, "Day 1 has no 'Current City:'") && strstr(err.msg, "line 1"), "%s", err.msg);
    CHECK(tp_parse_plan("Day 1:\nCurrent City: A\nDay 3:\nCurrent City: B\n", &p, &err) == IM_FAIL, "gap");
    CHECK(strstr(err.msg, "Day 3 follows Day 1") && strstr(err.msg, "line 3"), "%s", err.msg);
    CHECK(tp_parse_plan("```json\n[{\"day\": 1, \"current_city\": \"A\",]\n```", &p, &err) == IM_FAIL, "bad json");
    CHECK(strstr(err.msg, "invalid JSON") && strstr(err.msg, "line 2"), "%s", err.msg);
    CHECK(tp_parse_plan("", &p, &err) == IM_FAIL && strstr(err.msg, "empty"), "%s", err.msg);
    /* deterministic: the same text gives the same plan */
    char *a = NULL, *b = NULL;
    tp_parse_plan(text, &a, &err), tp_parse_plan(text, &b, &err);
    CHECK(a && b && !strcmp(a, b), "not deterministic");
    free(a), free(b);
}

static void t_think(void) {
    char s1[] = "<think>\nstep one\n</think>\n\nThe answer";
    char *r = ag_split_think(s1);
    CHECK(r && !strcmp(r, "\nstep one\n") && !strcmp(s1, "The answer"), "r=%s text=%s", r, s1);
    free(r);
    char s2[] = "only reasoning</think>answer";
    r = ag_split_think(s2);
    CHECK(r && !strcmp(r, "only reasoning") && !strcmp(s2, "answer"), "r=%s", r);
    free(r);
    char s3[] = "plain answer";
    CHECK(ag_split_think(s3) == NULL && !strcmp(s3, "plain answer"), "plain");
}

/* ---- model specs -------------------------------------------------------- */

static void t_spec(void) {
    AgModelConfig c;
    Err err = {0};
    CHECK(ag_model_config_parse("openai:http://127.0.0.1:9/v1/#m1?key_env=MY_KEY&temperature=0.5&top_p=1&seed=7&price_in=2.5"
                                "&max_tokens=100",
                                &c, &err) == IM_OK,
          "%s", err.msg);
    CHECK(!strcmp(c.base_url, "http://127.0.0.1:9/v1") && !strcmp(c.model, "m1") && !strcmp(c.name, "m1"), "%s", c.base_url);
    CHECK(c.api_key_env && !strcmp(c.api_key_env, "MY_KEY") && c.has_seed && c.seed == 7 && c.price_in == 2.5, "fields");
    CHECK(!strcmp(c.params_json, "{\"max_tokens\":100,\"temperature\":0.5,\"top_p\":1}"), "%s", c.params_json);
    CHECK(c.max_retries == 5 && c.concurrency == 8 && c.timeout_s == 120, "defaults");
    Buf b;
    buf_init(&b);
    setenv("MY_KEY", "sk-secret-never-shown", 1);
    ag_model_config_json(&c, &b);
    CHECK(!strstr(b.data, "sk-secret") && strstr(b.data, "\"api_key_env\":\"MY_KEY\""), "%s", b.data);
    buf_free(&b);
    ag_model_config_free(&c);
    /* same params written in another order give the same key */
    AgModelConfig c2, c3;
    ag_model_config_parse("{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"params\":{\"top_p\":0.9,\"temperature\":0}}", &c2, &err);
    ag_model_config_parse("{\"base_url\":\"http://h/v1\",\"model\":\"m\",\"temperature\":0,\"top_p\":0.9}", &c3, &err);
    AgMessage m = {"user", "hi"};
    AgChatRequest rq = {&m, 1, 0, 0};
    unsigned char k2[32], k3[32];
    ag_model_request_key(&c2, &rq, k2);
    ag_model_request_key(&c3, &rq, k3);
    CHECK(!memcmp(k2, k3, 32), "param order changed the key");
    rq.sample = 1;
    ag_model_request_key(&c3, &rq, k3);
    CHECK(memcmp(k2, k3, 32), "sample index did not change the key");
    ag_model_config_free(&c2), ag_model_config_free(&c3);
    CHECK(ag_model_config_parse("{\"base_url\":\"http://h\",\"model\":\"m\",\"api_key\":\"sk-x\"}", &c, &err) == IM_USAGE &&
              strstr(err.msg, "api_key_env") && !strstr(err.msg, "sk-x"),
          "%s", err.msg);
    CHECK(ag_model_config_parse("openai:http://h#m?temprature=1", &c, &err) == IM_USAGE && strstr(err.msg, "temprature"), "%s",
          err.msg);
    CHECK(ag_model_config_parse("openai:http://h", &c, &err) == IM_USAGE && strstr(err.msg, "#MODEL"), "%s", err.msg);
    CHECK(ag_model_config_parse("/nonexistent/model.json", &c, &err) == IM_USAGE && strstr(err.msg, "/nonexistent/model.json"), "%s",
          err.msg);
}

/* ---- the backend against the server ------------------------------------- */

static TsServer *server;

static AgModel *open_model(const char *extra, Err *err) {
    char spec[512];
    snprintf(spec, sizeof spec, "openai:http://127.0.0.1:%d/v1#test-model?timeout=0.5&backoff=0.05&backoff_max=2&max_retries=3%s",
             ts_server_port(server), extra ? extra : "");
    AgModel *m = NULL;
    if (ag_model_open_spec(spec, &m, err)) return NULL;
    return m;
}

static int chat1(AgModel *m, const char *user, AgChatResponse *r) {
    AgMessage msgs[2] = {{"system", "You are a test."}, {"user", user}};
    AgChatRequest rq = {msgs, 2, 0, 0};
    Err err = {0};
    return ag_model_chat(m, &rq, r, &err);
}

/* What the backoff callback saw (it runs on the model's I/O thread). */
typedef struct Backoffs {
    pthread_mutex_t mu;
    int n;
    double first_s;
    char first_why[64];
} Backoffs;

static void on_backoff(void *arg, double seconds, const char *why) {
    Backoffs *b = arg;
    pthread_mutex_lock(&b->mu);
    if (b->n++ == 0) b->first_s = seconds, snprintf(b->first_why, sizeof b->first_why, "%s", why);
    pthread_mutex_unlock(&b->mu);
}

static void t_http(void) {
    Err err = {0};
    AgModel *m = open_model(NULL, &err);
    CHECK(m, "%s", err.msg);
    if (!m) return;
    AgChatResponse r;
    CHECK(chat1(m, "say hello", &r) == IM_OK && r.ok, "%s", r.error);
    CHECK(r.text && !strcmp(r.text, "Hello there.") && r.reasoning && !strcmp(r.reasoning, "The user greets."), "%s|%s", r.text,
          r.reasoning);
    CHECK(r.tokens_in > 0 && r.tokens_out > 0 && r.finish_reason && !strcmp(r.finish_reason, "stop") && r.attempts == 1, "usage");
    ag_chat_response_free(&r);
    CHECK(chat1(m, "think first", &r) == IM_OK && !strcmp(r.text, "42") && r.reasoning && !strcmp(r.reasoning, "six times seven"),
          "%s|%s", r.text, r.reasoning);
    ag_chat_response_free(&r);

    /* every fault once: the retry succeeds, after a wait the callback is told of */
    Backoffs bo = {.mu = PTHREAD_MUTEX_INITIALIZER};
    ag_model_set_backoff(m, on_backoff, &bo);
    const char *faults[] = {"429:1", "500", "503", "slow:1500", "truncated", "nonjson"};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        ts_server_fault(server, faults[i]);
        double t0 = now_ms();
        int rc = chat1(m, "say hello", &r);
        double dt = now_ms() - t0;
        CHECK(rc == IM_OK && r.ok && r.attempts == 2 && !strcmp(r.text, "Hello there."), "fault %s: rc=%d attempts=%d %s", faults[i],
              rc, r.attempts, r.error ? r.error : "");
        if (i == 0) CHECK(dt >= 950, "Retry-After: 1 not honoured (%.0f ms)", dt);
        ag_chat_response_free(&r);
    }
    pthread_mutex_lock(&bo.mu);
    CHECK(bo.n == 6 && bo.first_s >= 0.95 && !strcmp(bo.first_why, "HTTP 429"), "backoffs: %d, first %.2f s '%s'", bo.n,
          bo.first_s, bo.first_why);
    pthread_mutex_unlock(&bo.mu);
    ag_model_set_backoff(m, NULL, NULL);
    /* faults beyond the retries: an error naming the endpoint and showing the body */
    for (int i = 0; i < 4; i++) ts_server_fault(server, "500");
    CHECK(chat1(m, "say hello", &r) == IM_IO && !r.ok && r.attempts == 4, "attempts=%d", r.attempts);
    CHECK(r.error && strstr(r.error, "/v1/chat/completions") && strstr(r.error, "HTTP 500") && strstr(r.error, "upstream failure") &&
              strstr(r.error, "gave up after 4"),
          "%s", r.error);
    ag_chat_response_free(&r);
    for (int i = 0; i < 4; i++) ts_server_fault(server, "nonjson");
    CHECK(chat1(m, "say hello", &r) == IM_IO && r.error && strstr(r.error, "not the expected") && strstr(r.error, "<html>"), "%s",
          r.error);
    ag_chat_response_free(&r);
    for (int i = 0; i < 4; i++) ts_server_fault(server, "slow:1000");
    CHECK(chat1(m, "say hello", &r) == IM_IO && r.error && strstr(r.error, "imeout"), "%s", r.error);
    ag_chat_response_free(&r);
    ag_model_close(m);

    /* a 4xx other than 429 is not retried */
    char spec[256];
    snprintf(spec, sizeof spec, "openai:http://127.0.0.1:%d/wrong#m?backoff=0.01", ts_server_port(server));
    ag_model_open_spec(spec, &m, &err);
    CHECK(chat1(m, "x", &r) == IM_IO && r.attempts == 1 && r.http_status == 404 && strstr(r.error, "HTTP 404"), "%d %s", r.attempts,
          r.error);
    ag_chat_response_free(&r);
    ag_model_close(m);

    /* nobody listening: connection errors are retried, then an error */
    char e2[256];
    TsConfig tc = {0};
    TsServer *gone = ts_server_start(&tc, e2, sizeof e2);
    int port = ts_server_port(gone);
    ts_server_stop(gone);
    snprintf(spec, sizeof spec, "openai:http://127.0.0.1:%d/v1#m?backoff=0.01&max_retries=2", port);
    ag_model_open_spec(spec, &m, &err);
    CHECK(chat1(m, "x", &r) == IM_IO && r.attempts == 3 && strstr(r.error, "onnect"), "%d %s", r.attempts, r.error);
    ag_chat_response_free(&r);
    ag_model_close(m);
}

/* A dropped connection, on a fresh or a reused connection, is an attempt
 * of ours: libcurl never sends the request again by itself (issue 13 item
 * 15), so the server sees exactly the attempts counted, and max_retries=0
 * means one request. */
static void t_drop(void) {
    Err err = {0};
    AgChatResponse r;
    for (int fresh = 0; fresh < 2; fresh++) {
        AgModel *m = open_model(NULL, &err);
        if (!fresh) {
            CHECK(chat1(m, "say hello", &r) == IM_OK, "warm-up");
            ag_chat_response_free(&r);
        }
        ts_server_fault(server, "drop");
        long n0 = ts_server_chat_requests(server);
        CHECK(chat1(m, "say hello", &r) == IM_OK && r.ok && !strcmp(r.text, "Hello there."), "drop (fresh=%d): %s", fresh, r.error);
        CHECK(r.attempts == 2, "drop (fresh=%d): attempts %d, want 2", fresh, r.attempts);
        CHECK(ts_server_chat_requests(server) - n0 == r.attempts, "drop (fresh=%d): the server saw %ld requests, %d attempts counted",
              fresh, ts_server_chat_requests(server) - n0, r.attempts);
        ag_chat_response_free(&r);
        ag_model_close(m);
    }
    /* max_retries=0 on a reused connection: one request, an error */
    {
        AgModel *m = open_model("&max_retries=0", &err);
        CHECK(chat1(m, "say hello", &r) == IM_OK, "warm-up");
        ag_chat_response_free(&r);
        ts_server_fault(server, "drop");
        long n0 = ts_server_chat_requests(server);
        CHECK(chat1(m, "say hello", &r) == IM_IO && r.attempts == 1, "max_retries=0: rc, attempts %d", r.attempts);
        CHECK(ts_server_chat_requests(server) - n0 == 1, "max_retries=0: the server saw %ld requests, want 1",
              ts_server_chat_requests(server) - n0);
        ag_chat_response_free(&r);
        ag_model_close(m);
        ts_server_clear_faults(server);
    }
    for (int i = 0; i < 8; i++) ts_server_fault(server, "drop");
    AgModel *m = open_model(NULL, &err);
    CHECK(chat1(m, "say hello", &r) == IM_IO && r.error && strstr(r.error, "127.0.0.1"), "%s", r.error);
    ag_chat_response_free(&r);
    ag_model_close(m);
    ts_server_clear_faults(server);
}

/* 64 requests of 200 ms with 64 in flight take about 200 ms, not 12.8 s. */
static void t_concurrency(void) {
    Err err = {0};
    AgModel *m = open_model("&concurrency=64&timeout=10", &err);
    ts_server_set_latency(server, 200);
    enum { N = 64 };
    AgMessage msgs[N];
    AgChatRequest rq[N];
    AgChatResponse rs[N];
    char texts[N][32];
    for (int i = 0; i < N; i++) {
        snprintf(texts[i], sizeof texts[i], "echo %d", i);
        msgs[i] = (AgMessage){"user", texts[i]};
        rq[i] = (AgChatRequest){&msgs[i], 1, 0, 0};
    }
    double t0 = now_ms();
    int bad = ag_model_chat_many(m, rq, N, rs);
    double dt = now_ms() - t0;
    CHECK(bad == 0 && dt < 1500, "bad=%d, %.0f ms for 64 x 200 ms", bad, dt);
    for (int i = 0; i < N; i++) {
        CHECK(rs[i].ok && !strcmp(rs[i].text, texts[i]), "answer %d: %s", i, rs[i].text);
        ag_chat_response_free(&rs[i]);
    }
    ts_server_set_latency(server, 0);
    ag_model_close(m);
}

static void t_cache(void) {
    Err err = {0};
    char path[300];
    snprintf(path, sizeof path, "%s/cache.db", tmpdir);
    AgCache *c = NULL;
    CHECK(ag_cache_open(path, &c, &err) == IM_OK, "%s", err.msg);
    setenv("IMAGINE_TEST_KEY", "sk-test-secret-12345", 1);
    AgModel *m = open_model("&key_env=IMAGINE_TEST_KEY", &err);
    ag_model_set_cache(m, c);
    AgChatResponse r;
    long n0 = ts_server_chat_requests(server);
    CHECK(chat1(m, "say hello", &r) == IM_OK && !r.cache_hit && r.tokens_in > 0, "first call");
    ag_chat_response_free(&r);
    CHECK(ts_server_chat_requests(server) == n0 + 1, "first call reached the server");
    double t0 = now_ms();
    CHECK(chat1(m, "say hello", &r) == IM_OK && r.cache_hit && r.tokens_in == 0 && r.tokens_out == 0 && r.cost_usd == 0 &&
              !strcmp(r.text, "Hello there.") && r.reasoning && !strcmp(r.reasoning, "The user greets."),
          "hit: %d %ld", r.cache_hit, r.tokens_in);
    double hit_ms = now_ms() - t0;
    CHECK(hit_ms < 50, "a cache hit took %.2f ms", hit_ms);
    ag_chat_response_free(&r);
    CHECK(ts_server_chat_requests(server) == n0 + 1, "a cache hit reached the server");
    /* errors are never cached */
    for (int i = 0; i < 4; i++) ts_server_fault(server, "503");
    CHECK(chat1(m, "not cached yet", &r) == IM_IO, "error expected");
    ag_chat_response_free(&r);
    long n1 = ts_server_chat_requests(server);
    CHECK(chat1(m, "not cached yet", &r) == IM_OK && !r.cache_hit, "an error was cached");
    ag_chat_response_free(&r);
    CHECK(ts_server_chat_requests(server) == n1 + 1, "after an error the request went out again");
    /* another temperature is another entry */
    AgModel *m2 = open_model("&temperature=0.7", &err);
    ag_model_set_cache(m2, c);
    CHECK(chat1(m2, "say hello", &r) == IM_OK && !r.cache_hit, "temperature shared an entry");
    ag_chat_response_free(&r);
    ag_model_close(m2);
    /* the key is nowhere in the cache file */
    ag_model_close(m);
    AgCacheStats st;
    CHECK(ag_cache_stats(c, &st, &err) == IM_OK && st.entries == 3, "entries %ld", st.entries);
    ag_cache_close(c);
    char *bytes = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        bytes = malloc(1 << 22);
        len = fread(bytes, 1, 1 << 22, f);
        fclose(f);
    }
    CHECK(bytes && len > 0 && !memmem(bytes, len, "sk-test-secret", 14), "the key is in the cache file");
    free(bytes);
}

/* Model text with SQL, HTML and shell metacharacters stays byte for byte,
 * through HTTP and through the cache. */
static void t_metachars(void) {
    Err err = {0};
    char path[300];
    snprintf(path, sizeof path, "%s/meta.db", tmpdir);
    AgCache *c = NULL;
    ag_cache_open(path, &c, &err);
    AgModel *m = open_model(NULL, &err);
    ag_model_set_cache(m, c);
    const char *evil = "Robert'); DROP TABLE response;-- \" <script>alert('x')</script> &amp; $(rm -rf /) `id` | tee; "
                       "\\n \\u0000 %s %n {{slot}} \xc3\xbc\xf0\x9f\x9a\x80\nDay 1:\tend";
    for (int pass = 0; pass < 2; pass++) {
        AgChatResponse r;
        CHECK(chat1(m, evil, &r) == IM_OK && r.cache_hit == pass && !strcmp(r.text, evil), "pass %d: %s", pass, r.text);
        ag_chat_response_free(&r);
    }
    AgCacheStats st;
    ag_cache_stats(c, &st, &err);
    CHECK(st.entries == 1, "the table survived (%ld entries)", st.entries);
    ag_model_close(m);
    ag_cache_close(c);
}


/* ---- methods over the train split --------------------------------------- */

static TpDb *db;
static TpQuerySet *qs;
/* The suite over db and the items over qs (borrowed: never freed). */
static Suite suite;
static SuiteItem *items;

static char *spec_for(TsServer *srv, const char *extra) {
    char *s = NULL;
    if (asprintf(&s, "{\"model\":\"openai:http://127.0.0.1:%d/v1#gpt-4-test?timeout=2&backoff=0.02&max_retries=3\"%s}",
                 ts_server_port(srv), extra ? extra : "") < 0)
        return NULL;
    return s;
}

/* Plans every train query with `method`; results[i] for query i. */
static int run_method(const char *method, const char *config, AgResult *results) {
    const AgMethod *m = ag_method_find(method);
    CHECK(m != NULL, "no method %s", method);
    if (!m) return -1;
    AgContext ctx = {.suite = &suite, .data_dir = data_dir, .config_json = config};
    Err err = {0};
    int rc = m->init(&ctx, &err);
    CHECK(rc == IM_OK, "%s init: %s", method, err.msg);
    if (rc) return -1;
    for (int i = 0; i < qs->n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        rc = m->plan(&ctx, &items[i], &results[i], &err);
        CHECK(rc == IM_OK, "%s plan %d: %s", method, i + 1, err.msg);
    }
    m->fini(&ctx);
    return 0;
}

/* The metrics of results equal those of eval on the submission file. */
static void same_metrics(const char *label, const AgResult *res, const char *submission) {
    TpSubmission *sub = NULL;
    Err err = {0};
    CHECK(tp_submission_read(submission, &sub, &err) == IM_OK, "%s", err.msg);
    if (!sub) return;
    TpPlanResult *want = calloc((size_t)qs->n, sizeof *want), *got = calloc((size_t)qs->n, sizeof *got);
    tp_eval_submission(db, qs, sub, want, NULL);
    for (int i = 0; i < qs->n; i++) {
        cJSON *plan = res[i].plan_json ? cJSON_Parse(res[i].plan_json) : NULL;
        tp_eval_plan(db, &qs->q[i], plan, i + 1, &got[i]);
        cJSON_Delete(plan);
    }
    TpMetrics a, b;
    tp_metrics_compute(qs->q, want, qs->n, "train", &a);
    tp_metrics_compute(qs->q, got, qs->n, "train", &b);
    Buf ja, jb;
    buf_init(&ja), buf_init(&jb);
    tp_metrics_json(&a, &ja), tp_metrics_json(&b, &jb);
    CHECK(!strcmp(ja.data, jb.data), "%s: metrics differ from imagine eval:\n eval: %.300s\n  run: %.300s", label, ja.data, jb.data);
    printf("%s: %.150s...\n", label, jb.data);
    buf_free(&ja), buf_free(&jb);
    for (int i = 0; i < qs->n; i++) tp_plan_result_free(&want[i]), tp_plan_result_free(&got[i]);
    free(want), free(got);
    tp_submission_free(sub);
}

static void free_results(AgResult *r) {
    for (int i = 0; i < qs->n; i++) ag_result_free(&r[i]);
}

static void t_methods(void) {
    char sub[512], e[512], cache[300];
    snprintf(sub, sizeof sub, "%s/outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl", data_dir);
    snprintf(cache, sizeof cache, "%s/methods.db", tmpdir);
    TsConfig tc = {.plans = sub, .render = "mixed"};
    TsServer *srv = ts_server_start(&tc, e, sizeof e);
    CHECK(srv, "%s", e);
    if (!srv) return;
    AgResult *res = calloc((size_t)qs->n, sizeof *res);
    char extra[400];
    snprintf(extra, sizeof extra, ",\"cache\":\"%s\"", cache);
    char *cfg = spec_for(srv, extra);
    /* direct: the plans come back through text and JSON renderings, and score exactly as eval scores the file */
    run_method("direct", cfg, res);
    int done = 0;
    for (int i = 0; i < qs->n; i++) done += res[i].outcome == AG_DONE;
    CHECK(done == qs->n, "direct: %d of %d done", done, qs->n);
    same_metrics("direct via HTTP", res, sub);
    long n0 = ts_server_chat_requests(srv);
    CHECK(n0 == qs->n, "%ld requests", n0);
    free_results(res);
    /* a second identical run: all from the cache, nothing reaches the server */
    run_method("direct", cfg, res);
    int hits = 0;
    for (int i = 0; i < qs->n; i++) hits += res[i].cache_hits == 1 && res[i].tokens_in == 0;
    CHECK(hits == qs->n && ts_server_chat_requests(srv) == n0, "hits %d, requests %ld", hits, ts_server_chat_requests(srv));
    same_metrics("direct from the cache", res, sub);
    free_results(res);
    free(cfg);
    /* faults in a run: errors, never failures; retrying the errors completes the run */
    cfg = spec_for(srv, ",\"no_cache\":true");
    for (int i = 0; i < 3 * 4; i++) ts_server_fault(srv, i % 4 == 3 ? "drop" : i % 2 ? "500" : "429:0");
    ts_server_fault(srv, "truncated"), ts_server_fault(srv, "nonjson"), ts_server_fault(srv, "slow:2500");
    run_method("direct", cfg, res);
    int err_items = 0, failed = 0;
    for (int i = 0; i < qs->n; i++) err_items += res[i].outcome == AG_ERROR, failed += res[i].outcome == AG_FAILED;
    CHECK(failed == 0 && err_items >= 1, "errors %d failed %d", err_items, failed);
    const AgMethod *direct = ag_method_find("direct");
    AgContext ctx = {.suite = &suite, .data_dir = data_dir, .config_json = cfg};
    Err err = {0};
    direct->init(&ctx, &err);
    for (int i = 0; i < qs->n; i++)
        if (res[i].outcome == AG_ERROR) { /* retry-errors */
            CHECK(res[i].failure && strstr(res[i].failure, "127.0.0.1"), "%s", res[i].failure);
            ag_result_free(&res[i]);
            direct->plan(&ctx, &items[i], &res[i], &err);
        }
    direct->fini(&ctx);
    done = 0;
    for (int i = 0; i < qs->n; i++) done += res[i].outcome == AG_DONE;
    CHECK(done == qs->n, "after retrying the errors: %d of %d done", done, qs->n);
    same_metrics("direct after faults and retry", res, sub);
    free_results(res);
    /* cot answers through the same server */
    run_method("cot", cfg, res);
    done = 0;
    for (int i = 0; i < qs->n; i++) done += res[i].outcome == AG_DONE;
    CHECK(done == qs->n, "cot: %d done", done);
    free_results(res);
    free(cfg);
    ts_server_stop(srv);
    free(res);
}

/* A script answering every query of the train split with `content(q)`. */
static TsServer *script_server(const char *name, char *(*content)(int i, const char **reasoning)) {
    char path[300], e[512];
    snprintf(path, sizeof path, "%s/%s.jsonl", tmpdir, name);
    FILE *f = fopen(path, "w");
    /* planner prompts first: they contain the query too */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < qs->n; i++) {
            const char *reasoning = NULL;
            char *c = content(pass ? i : -1 - i, &reasoning);
            if (!c) continue;
            cJSON *o = cJSON_CreateObject();
            char *match = NULL;
            if (asprintf(&match, "%s%s", pass ? "" : "Notes:\n", pass ? qs->q[i].query : "") < 0) match = NULL;
            cJSON_AddStringToObject(o, "match", pass ? qs->q[i].query : match);
            cJSON_AddStringToObject(o, "content", c);
            if (reasoning) cJSON_AddStringToObject(o, "reasoning_content", reasoning);
            char *line = cJSON_PrintUnformatted(o);
            fprintf(f, "%s\n", line);
            free(line), free(match), free(c);
            cJSON_Delete(o);
            if (!pass) break; /* one planner entry is enough */
        }
    fclose(f);
    TsConfig tc = {.script = path};
    TsServer *s = ts_server_start(&tc, e, sizeof e);
    CHECK(s, "%s", e);
    return s;
}

static char *annotated_plan(int i) {
    cJSON *o = cJSON_Parse(qs->q[i].json);
    char *s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "annotated_plan"));
    cJSON_Delete(o);
    return s;
}

static char *react_finish(int i, const char **reasoning) {
    (void)reasoning;
    if (i < 0) return NULL;
    char *plan = annotated_plan(i), *s = NULL;
    if (asprintf(&s, "Thought 1: I have checked the costs.\nAction 1: Finish[%s]\nObservation 1: (the model wrote this)", plan) < 0) s = NULL;
    free(plan);
    return s;
}

static char *react_loop(int i, const char **reasoning) {
    (void)reasoning;
    if (i < 0) return NULL;
    return strdup("Thought: let me price day one.\nAction 1: CostEnquiry[{\"day\": 1, \"current_city\": \"Nowhere\", \"breakfast\": \"Nothing, Nowhere\"}]");
}

static char *thinking(int i, const char **reasoning) {
    if (i < 0) return NULL;
    *reasoning = "First I compare the flights; then the hotels.";
    char *plan = annotated_plan(i), *s = NULL;
    if (asprintf(&s, "```json\n%s\n```", plan) < 0) s = NULL;
    free(plan);
    return s;
}

static char *two_stage(int i, const char **reasoning) {
    (void)reasoning;
    if (i < 0) return annotated_plan(0); /* the planner's answer */
    return strdup("Thought 1: I look for places to stay.\nAction 1: AccommodationSearch[Rockford]");
}

/* How many calls of r's log have `role` (and, ok >= 0, that outcome). */
static int calls_as(const AgResult *r, const char *role, int ok) {
    int n = 0;
    for (int i = 0; i < r->n_call_log; i++)
        n += !strcmp(r->call_log[i].role, role) && (ok < 0 || r->call_log[i].ok == ok) &&
             strlen(r->call_log[i].request_hash) == 64;
    return n;
}

static void t_methods_scripted(void) {
    AgResult *res = calloc((size_t)qs->n, sizeof *res);
    TsServer *srv = script_server("react", react_finish);
    char *cfg = spec_for(srv, ",\"no_cache\":true,\"max_steps\":3,\"max_attempts\":2");
    run_method("react", cfg, res);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/outputs/train/train_annotated_plans.jsonl", data_dir);
    same_metrics("react (Finish with the annotated plans)", res, sub);
    for (int i = 0; i < qs->n; i++) CHECK(res[i].outcome == AG_DONE && res[i].calls == 1, "react %d: %s", i, res[i].failure);
    CHECK(res[0].n_call_log == 1 && calls_as(&res[0], "react-step", 1) == 1 && res[0].call_log[0].tokens_in > 0 &&
              res[0].call_log[0].attempts == 1 && !res[0].call_log[0].cache_hit && res[0].call_log[0].model &&
              res[0].call_log[0].at > 0,
          "react's call log: %d calls", res[0].n_call_log);
    free_results(res);
    free(cfg);
    ts_server_stop(srv);

    srv = script_server("loop", react_loop);
    cfg = spec_for(srv, ",\"no_cache\":true,\"max_steps\":3,\"max_attempts\":2");
    run_method("react", cfg, res);
    CHECK(res[0].outcome == AG_FAILED && res[0].calls == 3 && strstr(res[0].failure, "within 3 steps"), "%d %d %s", res[0].outcome,
          res[0].calls, res[0].failure);
    CHECK(res[0].raw_text && strstr(res[0].raw_text, "Observation 1: Sorry, the cost of your subplan is not available"), "%s",
          res[0].raw_text);
    free_results(res);
    run_method("reflexion", cfg, res);
    CHECK(res[0].outcome == AG_FAILED && res[0].calls == 7 && strstr(res[0].raw_text, "=== reflection 1 ==="), "%d %d", res[0].outcome,
          res[0].calls);
    CHECK(res[0].n_call_log == 7 && calls_as(&res[0], "react-step", 1) == 6 && calls_as(&res[0], "reflection", 1) == 1,
          "reflexion's call log: %d calls", res[0].n_call_log);
    free_results(res);
    free(cfg);
    ts_server_stop(srv);

    srv = script_server("thinking", thinking);
    cfg = spec_for(srv, ",\"no_cache\":true");
    run_method("thinking", cfg, res);
    same_metrics("thinking (annotated plans)", res, sub);
    CHECK(res[0].reasoning && !strcmp(res[0].reasoning, "First I compare the flights; then the hotels."), "%s", res[0].reasoning);
    free_results(res);
    free(cfg);
    ts_server_stop(srv);

    srv = script_server("two", two_stage);
    cfg = spec_for(srv, ",\"no_cache\":true,\"max_steps\":3");
    run_method("two-stage", cfg, res);
    CHECK(res[0].outcome == AG_DONE && res[0].calls == 4, "%d %d %s", res[0].outcome, res[0].calls, res[0].failure);
    CHECK(res[0].n_call_log == 4 && calls_as(&res[0], "tool-step", 1) == 3 && calls_as(&res[0], "planner", 1) == 1 &&
              !strcmp(res[0].call_log[3].role, "planner"),
          "two-stage's call log: %d calls", res[0].n_call_log);
    CHECK(res[0].raw_text && strstr(res[0].raw_text, "Observation 1: ") && strstr(res[0].raw_text, "=== planner ==="), "%s",
          res[0].raw_text);
    free_results(res);
    free(cfg);
    ts_server_stop(srv);
    free(res);
}

static void t_tools(void) {
    TpTools t;
    tp_tools_init(&t, db);
    Buf obs;
    buf_init(&obs);
    CHECK(tp_tools_run(&t, "AccommodationSearch[Rockford]", &obs) == TP_TOOL_OBS && strstr(obs.data, "NAME") && strstr(obs.data, "Rockford"),
          "%.200s", obs.data);
    buf_reset(&obs);
    CHECK(tp_tools_run(&t, "NotebookWrite[Accommodations in Rockford]", &obs) == TP_TOOL_OBS &&
              !strcmp(obs.data, "The information has been recorded in Notebook, and its index is 0."),
          "%s", obs.data);
    CHECK(strstr(t.notebook.data, "Description: Accommodations in Rockford"), "notebook");
    buf_reset(&obs);
    tp_tools_run(&t, "FlightSearch[St. Petersburg, Rockford, 2022-03-16]", &obs);
    CHECK(strstr(obs.data, "F3573659"), "%.300s", obs.data);
    buf_reset(&obs);
    tp_tools_run(&t, "FlightSearch[Rockford, Nowhere, 2022-03-16]", &obs);
    CHECK(!strcmp(obs.data, "There is no flight from Rockford to Nowhere on 2022-03-16."), "%s", obs.data);
    buf_reset(&obs);
    tp_tools_run(&t, "DistanceMatrix[Austin, Dallas, self-driving]", &obs);
    CHECK(!strncmp(obs.data, "self-driving, from Austin to Dallas, duration: ", 47) && strstr(obs.data, "cost: "), "%s", obs.data);
    buf_reset(&obs);
    tp_tools_run(&t, "CitySearch[Texas]", &obs);
    CHECK(obs.data[0] == '[' && strstr(obs.data, "'Austin'"), "%.200s", obs.data);
    buf_reset(&obs);
    CHECK(tp_tools_run(&t, "Planner[a trip]", &obs) == TP_TOOL_PLANNER && !strcmp(obs.data, "a trip"), "%s", obs.data);
    buf_reset(&obs);
    CHECK(tp_tools_run(&t, "Teleport[Mars]", &obs) == TP_TOOL_INVALID && strstr(obs.data, "FlightSearch"), "%s", obs.data);
    buf_free(&obs);
    tp_tools_free(&t);
    /* prompts are embedded with their hash */
    const AgPrompt *p = ag_prompt("direct");
    CHECK(p && strstr(p->text, "{{reference}}") && strlen(p->sha256) == 64, "prompt direct");
    char h1[65], h2[65];
    ag_method_prompt_hash("direct", h1), ag_method_prompt_hash("cot", h2);
    CHECK(strcmp(h1, h2), "prompt hashes");
}

/* ---- main --------------------------------------------------------------- */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) fputs(text, f), fclose(f);
}

int main(int argc, char **argv) {
    data_dir = argc > 1 ? argv[1] : "../shared/travelplanner";
    snprintf(tmpdir, sizeof tmpdir, "%s/imagine-http-test-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    Err err = {0};
    char cmd[400];
    snprintf(cmd, sizeof cmd, "%s", tmpdir);
    if (fs_mkdirs(cmd, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    char script[300];
    snprintf(script, sizeof script, "%s/script.jsonl", tmpdir);
    write_file(script, "{\"match\":\"say hello\",\"content\":\"Hello there.\",\"reasoning_content\":\"The user greets.\"}\n"
                       "{\"match\":\"think first\",\"content\":\"<think>six times seven</think>42\"}\n");
    char qpath[400];
    snprintf(qpath, sizeof qpath, "%s/queries/train.jsonl", data_dir);
    if (tp_db_open(data_dir, &db, &err) || tp_queries_load(qpath, &qs, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    suite = (Suite){.ops = &suite_travelplanner, .data_dir = (char *)data_dir, .state = db};
    items = calloc((size_t)qs->n, sizeof *items);
    for (int i = 0; i < qs->n; i++)
        items[i] = (SuiteItem){.idx = qs->q[i].idx, .pos = i, .line = i + 1, .text = qs->q[i].query, .native = &qs->q[i]};
    TsConfig tc = {.script = script};
    char e[512];
    server = ts_server_start(&tc, e, sizeof e);
    if (!server) {
        fprintf(stderr, "test server: %s\n", e);
        return 1;
    }
    struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {{"parse", t_parse}, {"think", t_think}, {"spec", t_spec}, {"http", t_http}, {"drop", t_drop},
                 {"concurrency", t_concurrency}, {"cache", t_cache}, {"metachars", t_metachars}, {"tools", t_tools},
                 {"methods", t_methods}, {"scripted", t_methods_scripted}};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        double t0 = now_ms();
        int f0 = failures;
        tests[i].fn();
        printf("%-12s %s %8.0f ms\n", tests[i].name, failures == f0 ? "ok  " : "FAIL", now_ms() - t0);
    }
    ts_server_stop(server);
    tp_queries_free(qs);
    tp_db_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (!failures && system(cmd)) fprintf(stderr, "could not remove %s\n", tmpdir);
    printf("test_http: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
