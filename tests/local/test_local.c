/* test_local.c: the local model backend (agents/local.c) on tiny Qwen3
 * folders made here: spec parsing and its errors, the folder identity,
 * answers with token counts and finish reasons, determinism, concurrent
 * callers batched together (same text as one at a time), the cache (hits,
 * and no hit across models, folders or thinking), a prompt over the
 * context, and the same text as `imagine generate` (greedy, same seed).
 * Usage: test_local IMAGINE_BINARY DATA_DIR */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "fsutil.h"
#include "local.h"
#include "model.h"
#include "modelinit.h"

static int failures;
#define CHECK(c, ...)                                                   \
    do {                                                                \
        if (!(c)) {                                                     \
            failures++;                                                 \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #c); \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
        }                                                               \
    } while (0)

static char tmp[] = "/tmp/imagine-local-XXXXXX";
static const char *imagine_bin, *data_dir;

static char *path_in(const char *name) { return fs_join(tmp, name); }

static int make_model(const char *dir, uint64_t seed) {
    ModelInitOpts o = {.arch = ARCH_QWEN3, .size = "tiny", .dtype = ST_F16, .seed = seed, .out = dir, .data_dir = data_dir};
    Err err = {0};
    if (model_init(&o, &err)) {
        fprintf(stderr, "model init %s: %s\n", dir, err.msg);
        return 1;
    }
    return 0;
}

static char *spec_of(const char *dir, const char *query) {
    char *s = NULL;
    if (asprintf(&s, "local:%s%s%s", dir, query ? "?" : "", query ? query : "") < 0) abort();
    return s;
}

static AgModel *open_model(const char *dir, const char *query) {
    char *spec = spec_of(dir, query);
    AgModel *m = NULL;
    Err err = {0};
    int rc = ag_model_open_spec(spec, &m, &err);
    CHECK(rc == IM_OK, "open %s: %s", spec, err.msg);
    free(spec);
    return m;
}

/* One user message through the model; the response is returned (caller frees). */
static AgChatResponse ask(AgModel *m, const char *text, int no_cache) {
    AgMessage msg = {"user", text};
    AgChatRequest rq = {&msg, 1, 0, no_cache};
    AgChatResponse r;
    Err err = {0};
    int rc = ag_model_chat(m, &rq, &r, &err);
    CHECK(rc == IM_OK && r.ok, "chat '%s': %s", text, err.msg);
    return r;
}

/* ---- spec parsing ---- */

static void test_specs(const char *a) {
    AgModelConfig c;
    Err err = {0};
    char *spec = spec_of(a, "max_tokens=32&seed=1&thinking=on&ctx=512&device=0&temperature=0");
    int rc = ag_model_config_parse(spec, &c, &err);
    CHECK(rc == IM_OK, "%s: %s", spec, err.msg);
    if (rc == IM_OK) {
        char *real = realpath(a, NULL);
        CHECK(!strcmp(c.backend, "local"), "backend %s", c.backend);
        CHECK(real && !strcmp(c.path, real), "path %s, expected %s", c.path, real);
        CHECK(!strcmp(c.model, strrchr(real, '/') + 1) && !strcmp(c.name, c.model), "model %s name %s", c.model, c.name);
        CHECK(c.identity && strlen(c.identity) == 64, "identity %s", c.identity ? c.identity : "(null)");
        CHECK(c.thinking == 1 && c.ctx == 512 && c.device && !strcmp(c.device, "0"), "thinking %d ctx %d device %s", c.thinking, c.ctx,
              c.device ? c.device : "(null)");
        CHECK(c.has_seed && c.seed == 1, "seed");
        CHECK(!strcmp(c.params_json, "{\"max_tokens\":32,\"temperature\":0}"), "params %s", c.params_json);
        Buf b;
        buf_init(&b);
        ag_model_config_json(&c, &b);
        CHECK(strstr(b.data, "\"backend\":\"local\"") && strstr(b.data, c.identity) && strstr(b.data, "\"thinking\":true"), "json %s", b.data);
        buf_free(&b);
        free(real);
        ag_model_config_free(&c);
    }
    free(spec);

    /* The JSON form, with a relative spelling of the same folder: same path and identity. */
    char cwd[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
    CHECK(chdir(tmp) == 0, "chdir");
    AgModelConfig j, k;
    rc = ag_model_config_parse("{\"backend\":\"local\",\"path\":\"./a/\",\"max_tokens\":\"8\"}", &j, &err);
    CHECK(rc == IM_OK, "json spec: %s", err.msg);
    CHECK(chdir(cwd) == 0, "chdir back");
    spec = spec_of(a, NULL);
    rc |= ag_model_config_parse(spec, &k, &err);
    free(spec);
    if (rc == IM_OK) {
        CHECK(!strcmp(j.path, k.path) && !strcmp(j.identity, k.identity), "relative vs absolute: %s %s", j.path, k.path);
        CHECK(!strcmp(k.params_json, "{}") && k.thinking == 0 && k.concurrency == 8, "defaults: %s thinking %d concurrency %d",
              k.params_json, k.thinking, k.concurrency);
        ag_model_config_free(&j), ag_model_config_free(&k);
    }

    struct {
        const char *spec;
        int code;
        const char *needle;
    } bad[] = {
        {"local:", IM_USAGE, "expected local:DIR"},
        {"local:/nonexistent/imagine-model", IM_IO, "imagine model init"},
        {"LOCAL?timeout=5", IM_USAGE, "does not apply to a local model"},
        {"LOCAL?base_url=http://x", IM_USAGE, "does not apply to a local model"},
        {"LOCAL?thinking=maybe", IM_USAGE, "'thinking' expects on or off"},
        {"LOCAL?ctx=abc", IM_USAGE, "'ctx' expects a number"},
        {"LOCAL?ctx=2", IM_USAGE, "'ctx' expects a context length"},
        {"LOCAL?seed", IM_USAGE, "expected key=value"},
        {"openai:http://127.0.0.1:1/v1#m?thinking=on", IM_USAGE, "applies to local models only"},
        {"{\"backend\":\"local\"}", IM_USAGE, "\"path\" (the model folder) is required"},
        {"{\"backend\":\"llama.cpp\",\"base_url\":\"x\",\"model\":\"m\"}", IM_USAGE, "not known"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *s = NULL;
        if (!strncmp(bad[i].spec, "LOCAL", 5)) s = spec_of(a, bad[i].spec + 6);
        else s = strdup(bad[i].spec);
        err_clear(&err);
        rc = ag_model_config_parse(s, &c, &err);
        CHECK(rc == bad[i].code && strstr(err.msg, bad[i].needle), "%s: rc %d (expected %d), '%s' lacks '%s'", s, rc, bad[i].code, err.msg,
              bad[i].needle);
        if (rc == IM_OK) ag_model_config_free(&c);
        free(s);
    }

    /* Decoding parameters the engine does not have are refused when opened. */
    AgModel *m = NULL;
    spec = spec_of(a, "presence_penalty=1");
    rc = ag_model_open_spec(spec, &m, &err);
    CHECK(rc == IM_USAGE && strstr(err.msg, "presence_penalty") && !m, "%s: rc %d '%s'", spec, rc, err.msg);
    free(spec);
    spec = spec_of(a, "top_p=1.5");
    rc = ag_model_open_spec(spec, &m, &err);
    CHECK(rc == IM_USAGE && strstr(err.msg, "top_p") && !m, "%s: rc %d '%s'", spec, rc, err.msg);
    free(spec);
}

/* ---- identity ---- */

static const char *identity_of(const char *dir, char out[65]) {
    char *abs = NULL;
    Err err = {0};
    int rc = ag_local_identity(dir, &abs, out, &err);
    CHECK(rc == IM_OK, "identity %s: %s", dir, err.msg);
    free(abs);
    return out;
}

static void test_identity(const char *a, const char *b) {
    char ia[65], ib[65], ia2[65], ic[65];
    identity_of(a, ia), identity_of(b, ib), identity_of(a, ia2);
    CHECK(!strcmp(ia, ia2), "the same folder twice: %s vs %s", ia, ia2);
    CHECK(strcmp(ia, ib), "seeds 1 and 2 (same config, same header): same identity %s", ia);
    /* A copy of b elsewhere: the same files (identity), another path (key). */
    char *c = path_in("c"), *cmd = NULL;
    if (asprintf(&cmd, "cp -r '%s' '%s'", b, c) < 0) abort();
    CHECK(system(cmd) == 0, "%s", cmd);
    free(cmd);
    identity_of(c, ic);
    CHECK(!strcmp(ic, ib), "a copy has the identity of its original");
    /* Re-initialise c with seed 1: now it is a's model, in c's place. */
    CHECK(make_model(c, 1) == 0, "reinit");
    identity_of(c, ic);
    CHECK(!strcmp(ic, ia), "c re-initialised with a's seed: identity %s, a's %s", ic, ia);
    free(c);
}

/* ---- answers, determinism, errors ---- */

static void test_answers(const char *a) {
    AgModel *m = open_model(a, "max_tokens=16&seed=1");
    if (!m) return;
    AgChatResponse r1 = ask(m, "Please plan a trip from Seattle to Denver for 3 days.", 1);
    CHECK(r1.tokens_in > 10 && r1.tokens_out > 0 && r1.tokens_out <= 16, "tokens in %ld out %ld", r1.tokens_in, r1.tokens_out);
    CHECK(r1.finish_reason && (!strcmp(r1.finish_reason, "length") ? r1.tokens_out == 16 : !strcmp(r1.finish_reason, "stop")),
          "finish %s with %ld tokens", r1.finish_reason ? r1.finish_reason : "(null)", r1.tokens_out);
    CHECK(r1.latency_ms > 0 && r1.attempts == 1 && !r1.cache_hit && r1.text && strlen(r1.key_hex) == 64, "latency %g attempts %d",
          r1.latency_ms, r1.attempts);
    AgChatResponse r2 = ask(m, "Please plan a trip from Seattle to Denver for 3 days.", 1);
    CHECK(r1.text && r2.text && !strcmp(r1.text, r2.text), "greedy twice: '%s' vs '%s'", r1.text, r2.text);
    AgModelStats st;
    ag_model_stats(m, &st);
    CHECK(st.calls == 2 && st.tokens_in == 2 * r1.tokens_in && st.tokens_out == 2 * r1.tokens_out && st.errors == 0, "stats calls %ld in %ld",
          st.calls, st.tokens_in);
    ag_chat_response_free(&r1), ag_chat_response_free(&r2);
    ag_model_close(m);

    /* A prompt longer than the context is a failed call (an error item), not a crash. */
    m = open_model(a, "max_tokens=4&ctx=64");
    if (!m) return;
    Buf big;
    buf_init(&big);
    for (int i = 0; i < 40; i++) buf_puts(&big, "Seattle to Denver, then Chicago and back. ");
    AgMessage msg = {"user", big.data};
    AgChatRequest rq = {&msg, 1, 0, 1};
    AgChatResponse r;
    Err err = {0};
    int rc = ag_model_chat(m, &rq, &r, &err);
    CHECK(rc == IM_IO && !r.ok && r.error && strstr(r.error, "context holds 64") && strstr(err.msg, "ctx=N"), "rc %d '%s'", rc, err.msg);
    ag_chat_response_free(&r);
    buf_free(&big);
    ag_model_close(m);
}

/* ---- concurrency ---- */

enum { THREADS = 4, PER = 2 };
static const char *const PROMPTS[THREADS * PER] = {
    "Trip to Denver.", "A 5-day trip from Austin to three cities in Texas.", "Budget 3000 dollars.",
    "Please plan a journey from Orlando to Atlanta.", "Hello", "Seattle", "A trip for two people, no flights.",
    "Plan a 7-day trip visiting 3 cities in California from March 1st to March 7th, 2022, budget $9,000."};

typedef struct Worker {
    AgModel *m;
    int t;
    char *text[PER];
    long tokens_out[PER];
} Worker;

static void *worker(void *arg) {
    Worker *w = arg;
    for (int i = 0; i < PER; i++) {
        AgChatResponse r = ask(w->m, PROMPTS[w->t * PER + i], 1);
        w->text[i] = r.text, r.text = NULL;
        w->tokens_out[i] = r.tokens_out;
        ag_chat_response_free(&r);
    }
    return NULL;
}

static void test_concurrency(const char *a) {
    /* One at a time first (batch 1), then 4 threads on a model decoding 4 together. */
    AgModel *one = open_model(a, "max_tokens=12&seed=3&concurrency=1");
    AgModel *many = open_model(a, "max_tokens=12&seed=3&concurrency=4");
    if (!one || !many) return;
    char *want[THREADS * PER];
    for (int i = 0; i < THREADS * PER; i++) {
        AgChatResponse r = ask(one, PROMPTS[i], 1);
        want[i] = r.text, r.text = NULL;
        ag_chat_response_free(&r);
    }
    Worker w[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (Worker){.m = many, .t = t};
        pthread_create(&th[t], NULL, worker, &w[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER; i++) {
            const char *got = w[t].text[i], *exp = want[t * PER + i];
            CHECK(got && exp && !strcmp(got, exp), "prompt %d: batched '%s' vs alone '%s'", t * PER + i, got ? got : "(null)", exp ? exp : "(null)");
            free(w[t].text[i]);
        }
    /* chat_many: several requests of one caller in one batch. */
    AgMessage msgs[3] = {{"user", PROMPTS[0]}, {"user", PROMPTS[1]}, {"user", PROMPTS[2]}};
    AgChatRequest rq[3];
    AgChatResponse rs[3];
    for (int i = 0; i < 3; i++) rq[i] = (AgChatRequest){&msgs[i], 1, 0, 1};
    CHECK(ag_model_chat_many(many, rq, 3, rs) == 0, "chat_many failed");
    for (int i = 0; i < 3; i++) {
        CHECK(rs[i].ok && rs[i].text && !strcmp(rs[i].text, want[i]), "chat_many %d: '%s' vs '%s'", i, rs[i].text ? rs[i].text : "(null)", want[i]);
        ag_chat_response_free(&rs[i]);
    }
    for (int i = 0; i < THREADS * PER; i++) free(want[i]);
    ag_model_close(one), ag_model_close(many);
}

/* ---- cache ---- */

static void test_cache(const char *a, const char *b) {
    char *file = path_in("cache.db");
    AgCache *cache = NULL;
    Err err = {0};
    CHECK(ag_cache_open(file, &cache, &err) == IM_OK, "cache: %s", err.msg);
    AgModel *ma = open_model(a, "max_tokens=8&seed=1"), *mb = open_model(b, "max_tokens=8&seed=1");
    AgModel *mt = open_model(a, "max_tokens=8&seed=1&thinking=on"), *ms = open_model(a, "max_tokens=8&seed=2");
    if (!cache || !ma || !mb || !mt || !ms) return;
    ag_model_set_cache(ma, cache), ag_model_set_cache(mb, cache), ag_model_set_cache(mt, cache), ag_model_set_cache(ms, cache);
    const char *q = "A trip from Boston to Miami.";
    AgChatResponse r1 = ask(ma, q, 0), r2 = ask(ma, q, 0);
    CHECK(!r1.cache_hit && r1.tokens_out > 0, "first call: hit %d", r1.cache_hit);
    CHECK(r2.cache_hit && r2.tokens_in == 0 && r2.tokens_out == 0 && r2.text && r1.text && !strcmp(r1.text, r2.text) &&
              !strcmp(r1.key_hex, r2.key_hex) && r2.finish_reason && !strcmp(r2.finish_reason, r1.finish_reason),
          "second call: hit %d text '%s' vs '%s'", r2.cache_hit, r2.text, r1.text);
    AgChatResponse rb = ask(mb, q, 0), rt = ask(mt, q, 0), rs = ask(ms, q, 0);
    CHECK(!rb.cache_hit && strcmp(rb.key_hex, r1.key_hex), "another model's folder hit a's entry");
    CHECK(!rt.cache_hit && strcmp(rt.key_hex, r1.key_hex), "thinking on hit thinking off's entry");
    CHECK(!rs.cache_hit && strcmp(rs.key_hex, r1.key_hex), "seed 2 hit seed 1's entry");
    ag_chat_response_free(&r1), ag_chat_response_free(&r2), ag_chat_response_free(&rb), ag_chat_response_free(&rt), ag_chat_response_free(&rs);
    ag_model_close(ma), ag_model_close(mb), ag_model_close(mt), ag_model_close(ms);
    ag_cache_close(cache);
    free(file);
}

/* ---- the same text as `imagine generate` ---- */

static void test_generate(const char *a) {
    const char *prompt = "Please help me plan a trip from St. Petersburg to Rockford spanning 3 days.";
    AgModel *m = open_model(a, "max_tokens=32&seed=1&temperature=0");
    if (!m) return;
    AgChatResponse r = ask(m, prompt, 1);
    ag_model_close(m);
    char *cmd = NULL;
    if (asprintf(&cmd, "'%s' generate --model '%s' --prompt '%s' --max-tokens 32 --seed 1 --temperature 0", imagine_bin, a, prompt) < 0) abort();
    FILE *p = popen(cmd, "r");
    Buf out;
    buf_init(&out);
    char chunk[4096];
    size_t n;
    while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0) buf_append(&out, chunk, n);
    int st = p ? pclose(p) : -1;
    CHECK(st == 0, "%s: status %d", cmd, st);
    if (out.len && out.data[out.len - 1] == '\n') out.data[--out.len] = 0; /* generate ends with a newline */
    CHECK(r.text && out.data && !strcmp(r.text, out.data), "backend '%s' vs generate '%s'", r.text ? r.text : "(null)", out.data ? out.data : "");
    CHECK(r.tokens_out > 0, "no tokens generated");
    buf_free(&out);
    free(cmd);
    ag_chat_response_free(&r);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_local IMAGINE_BINARY DATA_DIR\n");
        return 2;
    }
    imagine_bin = argv[1], data_dir = argv[2];
    if (!mkdtemp(tmp)) return perror("mkdtemp"), 1;
    char *a = path_in("a"), *b = path_in("b");
    if (make_model(a, 1) || make_model(b, 2)) return 1;
    test_specs(a);
    test_identity(a, b);
    test_answers(a);
    test_concurrency(a);
    test_cache(a, b);
    test_generate(a);
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf '%s'", tmp) >= 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    free(cmd), free(a), free(b);
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("ok\n");
    return failures ? 1 : 0;
}
