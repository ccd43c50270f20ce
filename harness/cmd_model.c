/* cmd_model.c: the local engine's verbs: `model init` (a Hugging Face model
 * folder with random weights), `generate` (text to stdout), `serve` (the
 * OpenAI-compatible server) and `bench decode` (prefill/decode speed). */
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "engine.h"
#include "fsutil.h"
#include "server.h"
#include "verbs.h"

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    Err err;
    err_set(&err, IM_USAGE, "%s", msg);
    return harness_fail(&err);
}

/* ---- model init ---- */

static int cmd_model_init(int argc, char **argv) {
    const char *arch = "qwen3", *size = "tiny", *dtype = "bf16", *out = NULL, *data = NULL;
    const char *corpus = NULL;
    double init_std = 0;
    long seed = 0, hidden = -1, layers = -1, heads = -1, kv = -1, head_dim = -1, ffn = -1, tok_vocab = -1; /* -1: the size's */
    const CliOpt opts[] = {
        {"--arch", CLI_STR, &arch, "A", "qwen3 or llama (default qwen3)"},
        {"--corpus", CLI_STR, &corpus, "FILE", "train the tokenizer on this text file instead of the TravelPlanner queries"},
        {"--hidden", CLI_INT, &hidden, "N", "override the size's hidden width"},
        {"--layers", CLI_INT, &layers, "N", "override the size's number of layers"},
        {"--heads", CLI_INT, &heads, "N", "override the size's attention heads"},
        {"--kv-heads", CLI_INT, &kv, "N", "override the size's key/value heads"},
        {"--head-dim", CLI_INT, &head_dim, "N", "override the size's head dimension"},
        {"--ffn", CLI_INT, &ffn, "N", "override the size's feed-forward width"},
        {"--tok-vocab", CLI_INT, &tok_vocab, "N", "tokenizer vocabulary to train (the model's vocab follows it)"},
        {"--size", CLI_STR, &size, "S", "tiny, small (the bench shape: vocab 32000, hidden 512, 8 layers) or 0.6b (default tiny)"},
        {"--dtype", CLI_STR, &dtype, "T", "f32, f16 or bf16 (default bf16)"},
        {"--seed", CLI_INT, &seed, "N", "random seed of the weights (default 0)"},
        {"--init-std", CLI_FLOAT, &init_std, "S",
         "every matrix and the embedding ~ N(0, S), norms 1, as Hugging Face's initializer_range (0.02 there); written into config.json. "
         "Default: the historical init (embedding std 0.5, matrices 1/sqrt(fan-in)), whose initial loss is far above ln(vocab)"},
        {"--out", CLI_STR, &out, "DIR", "the model folder to write"},
        {"--data", CLI_STR, &data, "DIR", "TravelPlanner data, whose queries train the tokenizer (default: $IMAGINE_DATA)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("model init", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!out) return usage("imagine model init: --out DIR is required");
    const struct { const char *flag; long v, lo, hi; } dims[] = {
        {"--hidden", hidden, 8, 16384}, {"--layers", layers, 1, 256}, {"--heads", heads, 1, 256}, {"--kv-heads", kv, 1, 256},
        {"--head-dim", head_dim, 4, 512}, {"--ffn", ffn, 8, 65536}, {"--tok-vocab", tok_vocab, 300, 300000}};
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++)
        if (dims[i].v != -1 && (dims[i].v < dims[i].lo || dims[i].v > dims[i].hi))
            return usage("imagine model init: %s %ld: expected %ld to %ld", dims[i].flag, dims[i].v, dims[i].lo, dims[i].hi);
    if (init_std < 0 || init_std > 10 || init_std != init_std) return usage("imagine model init: --init-std %g: expected 0 < S <= 10 (0: the default init)", init_std);
    if (head_dim != -1 && head_dim % 4) return usage("imagine model init: --head-dim %ld: a multiple of 4 expected", head_dim);
    ModelInitOpts o = {.size = size, .seed = (uint64_t)seed, .out = out, .data_dir = harness_data_dir(data), .corpus = corpus,
                       .hidden = (int)(hidden > 0 ? hidden : 0), .layers = (int)(layers > 0 ? layers : 0),
                       .heads = (int)(heads > 0 ? heads : 0), .kv_heads = (int)(kv > 0 ? kv : 0),
                       .head_dim = (int)(head_dim > 0 ? head_dim : 0), .ffn = (int)(ffn > 0 ? ffn : 0),
                       .tok_vocab = (int)(tok_vocab > 0 ? tok_vocab : 0), .init_std = (float)init_std};
    if (!strcmp(arch, "qwen3")) o.arch = ARCH_QWEN3;
    else if (!strcmp(arch, "llama")) o.arch = ARCH_LLAMA;
    else return usage("imagine model init: --arch must be qwen3 or llama");
    int dt = st_dtype_parse(dtype);
    if (dt < 0) return usage("imagine model init: --dtype must be f32, f16 or bf16");
    o.dtype = (StDtype)dt;
    if ((rc = model_init(&o, &err))) return harness_fail(&err);
    fprintf(stderr, "wrote %s (%s %s %s)\n", out, arch, size, dtype);
    return IM_OK;
}

/* ---- generate ---- */

static int print_piece(GenReq *r, const char *text, size_t len, const TokInfo *ti) {
    (void)r, (void)ti;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    return 0;
}

static int cmd_generate(int argc, char **argv) {
    const char *model = NULL, *prompt = NULL, *messages = NULL, *device = NULL;
    long max_tokens = 256, seed = 0, top_k = 0, ctx = 4096;
    double temperature = 0, top_p = 1;
    int raw = 0, think = 0;
    const CliOpt opts[] = {
        {"--model", CLI_STR, &model, "DIR", "a Hugging Face model folder (Qwen3 or Llama)"},
        {"--prompt", CLI_STR, &prompt, "TEXT", "the user message (or the raw text with --raw)"},
        {"--messages", CLI_STR, &messages, "FILE", "chat messages: JSON [{\"role\", \"content\"}, ...]"},
        {"--raw", CLI_FLAG, &raw, NULL, "send the prompt without the chat template (with the tokenizer's BOS, as /v1/completions)"},
        {"--think", CLI_FLAG, &think, NULL, "Qwen3: leave thinking on (default: an empty <think> block)"},
        {"--max-tokens", CLI_INT, &max_tokens, "N", "at most N new tokens (default 256)"},
        {"--temperature", CLI_FLOAT, &temperature, "T", "0 = greedy (default 0)"},
        {"--top-p", CLI_FLOAT, &top_p, "P", "nucleus sampling (default 1)"},
        {"--top-k", CLI_INT, &top_k, "K", "top-k sampling (default off)"},
        {"--seed", CLI_INT, &seed, "S", "sampling seed (default 0)"},
        {"--device", CLI_STR, &device, "NAME|INDEX", "Vulkan device (default: a GPU, else lavapipe)"},
        {"--ctx", CLI_INT, &ctx, "N", "context length (default 4096)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("generate", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!model) return usage("imagine generate: --model DIR is required");
    if (!prompt == !messages) return usage("imagine generate: give exactly one of --prompt TEXT or --messages FILE");
    if (raw && messages) return usage("imagine generate: --raw takes --prompt, not --messages");
    if (max_tokens < 0 || max_tokens > 1L << 30) return usage("imagine generate: --max-tokens %ld: a count 0..%ld was expected", max_tokens, 1L << 30);
    if (!(temperature >= 0)) return usage("imagine generate: --temperature %g: a number >= 0 was expected", temperature);
    if (!(top_p > 0 && top_p <= 1)) return usage("imagine generate: --top-p %g: a number above 0 and at most 1 was expected", top_p);
    if (top_k < 0 || top_k > 1L << 30) return usage("imagine generate: --top-k %ld: a count >= 0 was expected (0: off)", top_k);
    if (ctx < 2 || ctx > 1L << 24) return usage("imagine generate: --ctx %ld: 2..%ld tokens were expected", ctx, 1L << 24);
    Engine *e = NULL;
    EngineOpts eo = {.device = device, .max_seqs = 1, .max_ctx = (int)ctx, .max_rows = 64};
    if ((rc = engine_open(model, &eo, &e, &err))) return harness_fail(&err);
    int *ids = NULL, n = 0;
    if (raw) rc = tok_encode_special(e->mf->tok, prompt, strlen(prompt), 1, 0, &ids, &n, &err); /* as /v1/completions: Llama 3 gets its BOS */
    else if (prompt) {
        ChatMsg m = {"user", prompt, 0};
        rc = engine_encode_chat(e, &m, 1, think, &ids, &n, &err);
    } else {
        char *text = NULL;
        rc = fs_read_file(messages, &text, NULL, &err);
        cJSON *j = rc ? NULL : cJSON_Parse(text);
        free(text);
        ChatMsg *m = NULL;
        int nm = 0;
        if (!rc && !j) rc = err_set(&err, IM_USAGE, "%s: not valid JSON", messages);
        if (!rc) rc = chat_messages_from_json(j, messages, &m, &nm, &err);
        if (!rc) rc = engine_encode_chat(e, m, nm, think, &ids, &n, &err);
        free(m);
        cJSON_Delete(j);
    }
    GenReq r = {.prompt = ids, .n_prompt = n, .max_tokens = (int)max_tokens, .seed = (uint64_t)seed, .stream = print_piece};
    r.sample.temperature = (float)temperature, r.sample.top_p = (float)top_p, r.sample.top_k = (int)top_k;
    GenReq *rs[1] = {&r};
    if (!rc) rc = engine_run(e, rs, 1, &err);
    if (!rc) putchar('\n');
    genreq_free(&r);
    free(ids);
    engine_close(e);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- serve ---- */

static volatile sig_atomic_t serve_stop;
static void on_signal(int sig) {
    (void)sig;
    serve_stop = 1;
}

static void on_ready(int port, void *ud) {
    fprintf(stderr, "imagine serve: %s on http://%s:%d/v1 (POST /v1/chat/completions, /v1/completions; GET /v1/models, /health)\n", vk_device_name(((Engine *)ud)->ctx), "127.0.0.1", port);
}

static int cmd_serve(int argc, char **argv) {
    const char *model = NULL, *host = "127.0.0.1", *device = NULL, *name = NULL;
    long port = 8080, batch = 8, ctx = 4096, max_body = (long)SERVER_MAX_BODY, max_conns = SERVER_MAX_CONNS, idle = SERVER_IDLE_TIMEOUT_S;
    const CliOpt opts[] = {
        {"--model", CLI_STR, &model, "DIR", "a Hugging Face model folder (Qwen3 or Llama)"},
        {"--host", CLI_STR, &host, "ADDR", "IPv4 address to listen on (default 127.0.0.1)"},
        {"--port", CLI_INT, &port, "P", "TCP port (default 8080; 0 picks a free one)"},
        {"--name", CLI_STR, &name, "NAME", "model id reported by /v1/models (default: the folder name)"},
        {"--batch", CLI_INT, &batch, "N", "requests decoded together (default 8)"},
        {"--ctx", CLI_INT, &ctx, "N", "context length per request (default 4096)"},
        {"--device", CLI_STR, &device, "NAME|INDEX", "Vulkan device (default: a GPU, else lavapipe)"},
        {"--max-body", CLI_INT, &max_body, "BYTES", "largest request body, else 413 (default 8 MiB)"},
        {"--max-connections", CLI_INT, &max_conns, "N", "open connections served, else 503 (default 1024)"},
        {"--idle-timeout", CLI_INT, &idle, "S", "close a connection idle for S seconds (default 15)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("serve", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!model) return usage("imagine serve: --model DIR is required");
    if (batch < 1 || batch > 64) return usage("imagine serve: --batch must be 1..64");
    if (port < 0 || port > 65535) return usage("imagine serve: --port %ld: 0..65535 was expected", port);
    if (ctx < 2 || ctx > 1L << 24) return usage("imagine serve: --ctx %ld: 2..%ld tokens were expected", ctx, 1L << 24);
    if (max_body < 1024 || max_body > 1L << 30) return usage("imagine serve: --max-body %ld: 1024..%ld bytes were expected", max_body, 1L << 30);
    if (max_conns < 1 || max_conns > 100000) return usage("imagine serve: --max-connections %ld: 1..100000 was expected", max_conns);
    if (idle < 1 || idle > 3600) return usage("imagine serve: --idle-timeout %ld: 1..3600 seconds were expected", idle);
    Engine *e = NULL;
    EngineOpts eo = {.device = device, .max_seqs = (int)batch, .max_ctx = (int)ctx, .max_rows = 64};
    if ((rc = engine_open(model, &eo, &e, &err))) return harness_fail(&err);
    if (!name) {
        name = strrchr(model, '/');
        name = name && name[1] ? name + 1 : model;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    ServerOpts so = {.host = host, .port = (int)port, .model_name = name, .max_body = (size_t)max_body, .max_conns = (int)max_conns,
                     .idle_timeout_s = (int)idle, .ready = on_ready, .ud = e};
    rc = server_run(e, &so, &serve_stop, &err);
    engine_close(e);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- bench decode ---- */

/* Where the time of a decode step goes: 8 more steps of B rows with
 * timestamp queries (the KV caches hold the benchmark's sequences). */
static int profile_decode(Engine *e, int B, int at, Err *err) {
    int seq[8], pos[8], tok[8], out[8];
    float *lg = malloc(sizeof(float) * (size_t)B * e->mf->cfg.vocab);
    int rc = vkm_profile(e->vm, 1, err);
    for (int s = 0; s < 8 && !rc; s++) {
        for (int i = 0; i < B; i++) seq[i] = i, pos[i] = at + s, tok[i] = 1 + i, out[i] = i;
        rc = vkm_step(e->vm, B, seq, pos, tok, B, out, lg, err);
    }
    Buf b;
    buf_init(&b);
    if (!rc) vkm_profile_report(e->vm, &b);
    if (b.len) fputs(b.data, stdout);
    buf_free(&b);
    free(lg);
    int rc2 = vkm_profile(e->vm, 0, err);
    return rc ? rc : rc2;
}

/* Runs a peer benchmark command (e.g. llama-bench) through the shell, prints
 * its output, and for each llama-bench table row (`| ... | test | t/s |`)
 * prints the ratio of our batch-1 figure to the peer's: decode against
 * tgN rows, prefill against ppN rows. The other columns label the row. */
static int run_peer(const char *cmd, double ours_pre, double ours_dec, Err *err) {
    printf("peer: %s\n", cmd);
    fflush(stdout);
    FILE *f = popen(cmd, "r");
    if (!f) return err_set(err, IM_IO, "--peer: cannot run `%s`", cmd);
    char line[4096], *cells[32];
    int col_test = -1, col_ts = -1, skip[32] = {0};
    Buf ratios;
    buf_init(&ratios);
    while (fgets(line, sizeof line, f)) {
        fputs(line, stdout);
        if (line[0] != '|') continue;
        int nc = 0;
        for (char *c = strtok(line + 1, "|\n"); c && nc < 32; c = strtok(NULL, "|\n")) {
            while (*c == ' ') c++;
            char *e = c + strlen(c);
            while (e > c && e[-1] == ' ') *--e = 0;
            cells[nc++] = c;
        }
        if (col_ts < 0) { /* the header row */
            for (int i = 0; i < nc; i++) {
                if (!strcmp(cells[i], "test")) col_test = i;
                if (!strcmp(cells[i], "t/s")) col_ts = i;
                skip[i] = !strcmp(cells[i], "model") || !strcmp(cells[i], "size") || !strcmp(cells[i], "params") || !strcmp(cells[i], "test") || !strcmp(cells[i], "t/s");
            }
            if (col_test < 0) col_ts = -1;
            continue;
        }
        if (col_ts >= nc || col_test >= nc) continue;
        char *end;
        double ts = strtod(cells[col_ts], &end);
        int tg = !strncmp(cells[col_test], "tg", 2), pp = !strncmp(cells[col_test], "pp", 2);
        if (end == cells[col_ts] || ts <= 0 || (!tg && !pp)) continue;
        buf_printf(&ratios, "  ours/peer");
        for (int i = 0; i < nc; i++)
            if (!skip[i]) buf_printf(&ratios, " %s", cells[i]);
        buf_printf(&ratios, " %s: %.1fx (%s %.1f tok/s at batch 1, peer %.1f tok/s)\n", cells[col_test], (tg ? ours_dec : ours_pre) / ts,
                   tg ? "decode" : "prefill", tg ? ours_dec : ours_pre, ts);
    }
    int st = pclose(f);
    if (ratios.len) fputs(ratios.data, stdout);
    else printf("  (no llama-bench rows with a test and t/s column in the output: no ratio)\n");
    buf_free(&ratios);
    if (st != 0) printf("  (the peer command exited with status %d)\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return IM_OK;
}

static int cmd_bench_decode(int argc, char **argv) {
    const char *model = NULL, *device = NULL;
    long prompt_tokens = 64, gen = 64, batch = 0;
    int json = 0;
    CliList peers = {0};
    const CliOpt opts[] = {
        {"--model", CLI_STR, &model, "DIR", "a Hugging Face model folder"},
        {"--prompt-tokens", CLI_INT, &prompt_tokens, "N", "prompt length for the prefill figure (default 64)"},
        {"--gen", CLI_INT, &gen, "N", "tokens decoded per sequence (default 64)"},
        {"--device", CLI_STR, &device, "NAME|INDEX", "Vulkan device (default: a GPU, else lavapipe)"},
        {"--batch", CLI_INT, &batch, "N", "run only batch size N, 1 or 8 (default both)"},
        {"--json", CLI_FLAG, &json, NULL, "one JSON object per batch size"},
        {"--peer", CLI_LIST, &peers, "COMMAND",
         "after ours, run COMMAND (e.g. llama-bench -m M.gguf -p 64 -n 64) in the same run, print its output and ours/peer ratios"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench decode", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!model) return usage("imagine bench decode: --model DIR is required");
    if (prompt_tokens < 1 || gen < 1) return usage("imagine bench decode: --prompt-tokens and --gen must be positive");
    if (batch != 0 && batch != 1 && batch != 8) return usage("imagine bench decode: --batch is 1 or 8");
    if (peers.n && batch == 8) return usage("imagine bench decode: --peer compares batch 1; leave out --batch 8");
    Engine *e = NULL;
    EngineOpts eo = {.device = device, .max_seqs = 8, .max_ctx = (int)(prompt_tokens + gen + 8), .max_rows = 64};
    if ((rc = engine_open(model, &eo, &e, &err))) return harness_fail(&err);
    double bw = 0;
    if ((rc = vk_measure_bandwidth(e->ctx, 64u << 20, 8, &bw, &err))) {
        engine_close(e);
        return harness_fail(&err);
    }
    size_t wbytes = vkm_weight_bytes(e->vm);
    const ModelConfig *c = &e->mf->cfg;
    if (!json)
        printf("model %s: %s, hidden %d, %d layers, %d/%d heads, vocab %d, %s weights (%.1f MB read per decode step)\n"
               "device: %s; measured copy bandwidth %.2f GB/s\n",
               model, model_arch_name(c->arch), c->hidden, c->layers, c->n_heads, c->n_kv_heads, c->vocab, st_dtype_name(e->mf->w.embed->dtype),
               wbytes / 1e6, vk_device_name(e->ctx), bw / 1e9);
    int *ids = malloc(sizeof(int) * (size_t)prompt_tokens);
    for (long i = 0; i < prompt_tokens; i++) ids[i] = (int)((i * 7919 + 13) % (tok_n_vocab(e->mf->tok) - 8));
    int batches[2] = {1, 8};
    double pre1 = 0, dec1 = 0;
    for (int bi = 0; bi < 2 && !rc; bi++) {
        int B = batches[bi];
        if (batch && B != batch) continue;
        GenReq rq[8], *rs[8];
        memset(rq, 0, sizeof rq);
        for (int i = 0; i < B; i++) {
            rq[i].prompt = ids, rq[i].n_prompt = (int)prompt_tokens, rq[i].max_tokens = (int)gen, rq[i].ignore_eos = 1;
            rq[i].seed = (uint64_t)i, rq[i].sample.temperature = 0;
            rs[i] = &rq[i];
        }
        /* warm-up: pipelines, command buffers */
        GenReq w = {.prompt = ids, .n_prompt = 4, .max_tokens = 2, .ignore_eos = 1}, *wr = &w;
        rc = engine_run(e, &wr, 1, &err);
        genreq_free(&w);
        e->prefill_s = e->decode_s = 0, e->prefill_tokens = e->decode_tokens = e->decode_steps = 0;
        if (!rc) rc = engine_run(e, rs, B, &err);
        for (int i = 0; i < B; i++) genreq_free(&rq[i]);
        if (rc) break;
        double pre = e->prefill_tokens / e->prefill_s, dec = e->decode_tokens / e->decode_s;
        if (B == 1) pre1 = pre, dec1 = dec;
        double ms_step = 1e3 * e->decode_s / (double)e->decode_steps, floor_ms = 1e3 * (double)wbytes / bw;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        if (json)
            printf("{\"batch\": %d, \"prefill_tok_s\": %.2f, \"decode_tok_s\": %.2f, \"ms_per_step\": %.3f, \"ms_per_token\": %.3f, \"floor_ms_per_step\": %.3f, "
                   "\"share_of_floor\": %.4f, \"dispatches_per_step\": %d, \"device_mem_peak_bytes\": %zu, \"rss_peak_kb\": %ld, \"bandwidth_gbs\": %.3f}\n",
                   B, pre, dec, ms_step, 1e3 * e->decode_s / (double)e->decode_tokens, floor_ms, floor_ms / ms_step, vkm_dispatches(e->vm), vk_mem_peak(e->ctx), ru.ru_maxrss, bw / 1e9);
        else
            printf("batch %d: prefill %.1f tok/s (%ld tokens); decode %.1f tok/s, %.2f ms/step, %.2f ms/token; "
                   "bandwidth floor %.2f ms/step -> %.0f%% of the floor; %d dispatches/step; peak device memory %.1f MB, peak RSS %.1f MB\n",
                   B, pre, e->prefill_tokens, dec, ms_step, 1e3 * e->decode_s / (double)e->decode_tokens, floor_ms, 100 * floor_ms / ms_step,
                   vkm_dispatches(e->vm), vk_mem_peak(e->ctx) / 1e6, ru.ru_maxrss / 1e3);
        if (!json) rc = profile_decode(e, B, (int)prompt_tokens, &err);
    }
    free(ids);
    engine_close(e);
    for (int i = 0; i < peers.n && !rc; i++) rc = run_peer(peers.items[i], pre1, dec1, &err);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_model[] = {
    {"model init", cmd_model_init, "Write a Hugging Face model folder with random weights and a tokenizer trained on TravelPlanner text.", ""},
    {"generate", cmd_generate, "Generate text with a local model on Vulkan (chat template unless --raw).", ""},
    {"serve", cmd_serve, "Serve a local model over an OpenAI-compatible HTTP API.", ""},
    {"bench decode", cmd_bench_decode, "Prefill and decode speed of a local model, batch 1 and 8, against the memory-bandwidth floor.", ""},
    {0}};
