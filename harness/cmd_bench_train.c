/* cmd_bench_train.c: `imagine bench train`: tokens/s of a full SFT step
 * (forward, backward, gradient norm, AdamW on every weight) and of a LoRA
 * step on a packed batch, peak memory, where a step's time goes (per
 * kernel, forward and backward, on Vulkan), the model FLOP/s (and MFU
 * against --peak-tflops), and with --peer torch the same steps in PyTorch
 * eager (scripts/torch_train_peer.py; on the CPU or a CUDA GPU, float32 or
 * bfloat16) in the same run with the ratios. Prints; never writes a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpulat.h"
#include "gemm.h"
#include "train_model.h"
#include "verbs.h"

#ifndef IMAGINE_SCRIPTS_DIR
#define IMAGINE_SCRIPTS_DIR "scripts"
#endif

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct BenchBatch {
    int n;
    int *tok, *tgt, *pos, *seg;
    float *w;
} BenchBatch;

/* samples packed samples of n/samples tokens; loss on every next-token row
 * (as the peer builds it). */
static void make_batch(BenchBatch *b, int n, int samples, int vocab) {
    b->n = n;
    b->tok = malloc(sizeof(int) * (size_t)n), b->tgt = malloc(sizeof(int) * (size_t)n), b->pos = malloc(sizeof(int) * (size_t)n);
    b->seg = malloc(sizeof(int) * (size_t)n), b->w = malloc(sizeof(float) * (size_t)n);
    int per = n / samples, nl = 0;
    uint64_t rng = 1;
    for (int t = 0; t < n; t++) {
        int s = t / per < samples ? t / per : samples - 1;
        b->tok[t] = (int)(rng_next(&rng) % (uint64_t)vocab), b->seg[t] = s, b->pos[t] = t - s * per;
    }
    for (int t = 0; t < n; t++) b->tgt[t] = t + 1 < n && b->seg[t + 1] == b->seg[t] ? b->tok[t + 1] : -1, nl += b->tgt[t] >= 0;
    for (int t = 0; t < n; t++) b->w[t] = b->tgt[t] >= 0 ? 1.0f / (float)nl : 0;
}

static void free_batch(BenchBatch *b) { free(b->tok), free(b->tgt), free(b->pos), free(b->seg), free(b->w); }

/* The FLOPs a step's products need (multiply-add = 2): the forward is
 * 2 * (matrix parameters, LM head included) per token plus attention's
 * QK^T and AV over each token's causal context within its sample; the
 * backward of attention costs twice its forward. A full step adds dX and dW
 * of every matrix (3x the forward's products); a LoRA step adds only dX of
 * the frozen matrices (2x), plus the adapters' own 6 FLOPs per parameter and
 * token. Norms, RoPE, softmax and AdamW are not counted (as in MFU figures). */
static double step_flops(const ModelConfig *c, int tokens, int samples, double lora_params, int lora) {
    double q = (double)c->n_heads * c->head_dim, kv = (double)c->n_kv_heads * c->head_dim, d = c->hidden;
    double mat = c->layers * (d * (q + 2 * kv) + q * d + 3 * d * c->ffn) + (double)c->vocab * d;
    double per = (double)tokens / samples, ctx = (per + 1) / 2; /* mean causal context of a token */
    double attn_fwd = c->layers * 4.0 * q * ctx * tokens;
    return (lora ? 4.0 : 6.0) * mat * tokens + 3.0 * attn_fwd + (lora ? 6.0 * lora_params * tokens : 0);
}

/* One step; phase_s (if not NULL) accumulates the wall seconds of its
 * phases: zeroing, forward and backward, gradient norm, AdamW. */
static int one_step(TrainModel *tm, const TmBatch *b, int step, double *loss, double phase_s[4], Err *err) {
    OprAdamW h = {.lr = 1e-4f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .weight_decay = 0.0f};
    double norm = 0, t[5];
    t[0] = now_s();
    int rc = tm_zero_grads(tm, err);
    t[1] = now_s();
    if (!rc) rc = tm_forward_backward(tm, b, loss, NULL, err);
    t[2] = now_s();
    if (!rc) rc = tm_grad_norm(tm, &norm, err);
    t[3] = now_s();
    if (!rc) rc = tm_adamw(tm, &h, step, norm > 1.0 ? (float)(1.0 / norm) : 1.0f, err);
    t[4] = now_s();
    for (int i = 0; phase_s && i < 4; i++) phase_s[i] += t[i + 1] - t[i];
    return rc;
}

/* Times steps (after one warm-up) of one kind; fills tok/s and ms/step. */
static int bench_kind(const ModelFiles *m, const TmOptions *o, const BenchBatch *bb, int samples, int steps, int profile, double peak_tflops,
                      double *tok_s, double *ms, Err *err) {
    TrainModel *tm = NULL;
    int rc = tm_create(m, o, &tm, err);
    if (rc) return rc;
    TmBatch b = {.n = bb->n, .tokens = bb->tok, .targets = bb->tgt, .weights = bb->w, .pos = bb->pos, .seg = bb->seg};
    double loss = 0, t = 0;
    int ntr = 0;
    size_t ptr = 0;
    for (int i = 0; i < tm_tensor_count(tm); i++)
        if (tm_tensor(tm, i)->trainable) ntr++, ptr += tm_tensor(tm, i)->n;
    double phase[4] = {0};
    rc = one_step(tm, &b, 1, &loss, NULL, err);
    for (int s = 0; s < steps && !rc; s++) {
        double t0 = now_s();
        rc = one_step(tm, &b, 2 + s, &loss, phase, err);
        t += now_s() - t0;
    }
    if (!rc) {
        *ms = 1e3 * t / steps, *tok_s = bb->n / (t / steps);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("%s step: %.1f tok/s, %.1f ms/step (%d steps of %d tokens; %d trainable tensors, %.2fM parameters; loss %.4f); peak device memory %.1f MB, peak RSS %.1f MB\n",
               o->lora_rank ? "LoRA" : "full", *tok_s, *ms, steps, bb->n, ntr, ptr / 1e6, loss, tm_device_mem_peak(tm) / 1e6, ru.ru_maxrss / 1024.0);
        double tflops = step_flops(&m->cfg, bb->n, samples, (double)ptr, o->lora_rank != 0) / (*ms / 1e3) / 1e12;
        printf("  %s step: %.4g model TFLOP/s", o->lora_rank ? "LoRA" : "full", tflops);
        if (peak_tflops > 0) printf(", MFU %.4g%% of %g TFLOP/s", 100 * tflops / peak_tflops, peak_tflops);
        printf(" (FLOPs of the step's products: bench train --help)\n");
        printf("  %s step wall time by phase: zero grads %.2f ms, forward+backward %.2f ms, grad norm %.2f ms, AdamW %.2f ms\n",
               o->lora_rank ? "LoRA" : "full", 1e3 * phase[0] / steps, 1e3 * phase[1] / steps, 1e3 * phase[2] / steps, 1e3 * phase[3] / steps);
    }
    if (!rc && profile) {
        rc = tm_profile(tm, 1, err);
        if (!rc) rc = one_step(tm, &b, steps + 2, &loss, NULL, err);
        Buf out;
        buf_init(&out);
        if (!rc) tm_profile_report(tm, &out);
        if (out.len) fputs(out.data, stdout);
        buf_free(&out);
    }
    tm_destroy(tm);
    return rc;
}

/* The peer's Python, device, dtype and threads (scripts/torch_train_peer.py). */
typedef struct PeerOpts {
    const char *python, *device, *dtype;
    int threads;
} PeerOpts;

/* A path that can go inside single quotes in a shell command. */
static int shell_safe(const char *s) { return s && *s && !strchr(s, '\'') && !strchr(s, '\n'); }

/* Runs the peer once; prints ours/torch per step kind and returns the
 * ratios in ratio[0] (full) and ratio[1] (LoRA). */
static int run_torch(const char *model, int tokens, int steps, int samples, int rank, double alpha, const PeerOpts *po, double ours_full,
                     double ours_lora, double ratio[2], Err *err) {
    char cmd[4096];
    if (!shell_safe(model) || !shell_safe(po->python))
        return err_set(err, IM_USAGE, "--peer torch: the model folder and --peer-python may not contain a quote or a newline");
    snprintf(cmd, sizeof cmd, "'%s' '%s/torch_train_peer.py' '%s' %d %d %d %d %g %d %s %s", po->python, IMAGINE_SCRIPTS_DIR, model, tokens,
             steps, samples, rank, alpha, po->threads, po->device, po->dtype);
    printf("peer: %s\n", cmd);
    fflush(stdout);
    FILE *f = popen(cmd, "r");
    if (!f) return err_set(err, IM_IO, "--peer torch: cannot run `%s`", cmd);
    char line[1024], kind[16];
    double ts = 0, ms = 0;
    int got = 0;
    while (fgets(line, sizeof line, f)) {
        fputs(line, stdout);
        if (sscanf(line, "peer-result %15s %lf %lf", kind, &ts, &ms) == 3 && ts > 0) {
            double ours = !strcmp(kind, "full") ? ours_full : ours_lora;
            printf("  ours/torch %s step: %.2fx (ours %.1f tok/s, torch %.1f tok/s)\n", kind, ours / ts, ours, ts);
            ratio[strcmp(kind, "full") != 0] = ours / ts;
            got++;
        }
    }
    int st = pclose(f);
    if (st != 0 || got != 2)
        return err_set(err, IM_IO, "--peer torch: the peer exited with status %d after %d of 2 results (needs %s with torch%s)",
                       WIFEXITED(st) ? WEXITSTATUS(st) : -1, got, po->python, strcmp(po->device, "cuda") ? "" : " built for CUDA and a GPU");
    return IM_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, least and greatest of the per-round ratios of each step kind. */
static void print_ratio_summary(const double *ratios, int rounds) {
    double *v = malloc((size_t)rounds * sizeof *v);
    if (!v) return;
    for (int k = 0; k < 2; k++) {
        for (int r = 0; r < rounds; r++) v[r] = ratios[2 * r + k];
        qsort(v, (size_t)rounds, sizeof *v, cmp_double);
        double med = rounds % 2 ? v[rounds / 2] : 0.5 * (v[rounds / 2 - 1] + v[rounds / 2]);
        printf("ours/torch %s step, median of %d rounds: %.2fx (least %.2fx, greatest %.2fx)\n", k ? "lora" : "full", rounds, med, v[0],
               v[rounds - 1]);
    }
    free(v);
}

/* The threads lavapipe runs kernels on: $LP_NUM_THREADS, else every online CPU (Mesa's default). */
static long lavapipe_threads(void) {
    const char *e = getenv("LP_NUM_THREADS");
    long n = e && *e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

static int cmd_bench_train(int argc, char **argv) {
    const char *model = NULL, *device = "vulkan", *vkdev = NULL, *peer = NULL, *targets = "q,k,v,o,gate,up,down";
    const char *peer_python = getenv("IMAGINE_PYTHON"), *peer_device = "cpu", *peer_dtype = "float32", *kernels = "auto";
    double peak_tflops = 0;
    long tokens = 256, steps = 3, samples = 4, rank = 8, threads = 0, peer_threads = -1, rounds = 1, nt_min = 0, cpu_latency = -1;
    double alpha = 16;
    int no_profile = 0, reference = 0;
    const CliOpt opts[] = {
        {"--model", CLI_STR, &model, "DIR", "a Hugging Face model folder"},
        {"--device", CLI_STR, &device, "cpu|vulkan", "vulkan (default; lavapipe without a GPU) or cpu (the C model, OpenBLAS matmuls)"},
        {"--vk-device", CLI_STR, &vkdev, "NAME|INDEX", "Vulkan device (default: a GPU, else lavapipe)"},
        {"--kernels", CLI_STR, &kernels, "auto|cpu|gpu",
         "Vulkan: the kernel set (default auto: on a GPU the GPU set, tiled and split products and attention with several lanes a row; "
         "on a CPU device the set written for lavapipe)"},
        {"--nt-min", CLI_INT, &nt_min, "N",
         "Vulkan on a CPU device: dW and dX products of at least N multiply-adds run as NT products over transposed copies of their "
         "operands (default 0: 2^27; -1: none, the TN and NN kernels throughout)"},
        {"--tokens", CLI_INT, &tokens, "N", "tokens per packed batch (default 256)"},
        {"--samples", CLI_INT, &samples, "N", "samples packed into the batch (default 4)"},
        {"--steps", CLI_INT, &steps, "N", "timed steps of each kind, after one warm-up (default 3)"},
        {"--lora", CLI_INT, &rank, "R", "LoRA rank of the LoRA step (default 8)"},
        {"--lora-alpha", CLI_FLOAT, &alpha, "A", "LoRA alpha (default 16)"},
        {"--lora-targets", CLI_STR, &targets, "LIST", "adapted projections (default q,k,v,o,gate,up,down)"},
        {"--threads", CLI_INT, &threads, "N", "CPU device: OpenBLAS threads (default $IMAGINE_THREADS, else 1)"},
        {"--reference", CLI_FLAG, &reference, NULL, "CPU device: the double-accumulating reference ops (the tests' oracle) instead of the fast kernels"},
        {"--no-profile", CLI_FLAG, &no_profile, NULL, "skip the per-kernel breakdown"},
        {"--rounds", CLI_INT, &rounds, "N",
         "repeat ours and the peer N times, alternating, and print the median ratio (default 1; the per-kernel profile runs in round 1)"},
        {"--peer", CLI_STR, &peer, "torch", "also run the same steps in PyTorch eager and print ours/torch"},
        {"--peer-device", CLI_STR, &peer_device, "cpu|cuda", "where torch runs (default cpu; cuda: the GPU ours should be compared on)"},
        {"--peer-dtype", CLI_STR, &peer_dtype, "float32|bfloat16", "torch's weights and activations (default float32)"},
        {"--peer-python", CLI_STR, &peer_python, "PATH", "the Python with torch (default $IMAGINE_PYTHON, else /usr/bin/python3)"},
        {"--peak-tflops", CLI_FLOAT, &peak_tflops, "T",
         "the device's peak, to print MFU: model FLOPs per second over T TFLOP/s. Model FLOPs count the products: a full step 6 per matrix "
         "parameter and token (LM head included), LoRA 4 plus 6 per adapter parameter, attention's QK^T and AV 3x their forward"},
        {"--peer-threads", CLI_INT, &peer_threads, "N",
         "torch's threads (default: as many as ours use: --threads on the CPU device, $LP_NUM_THREADS or every CPU on lavapipe; 0: torch's own choice)"},
        {"--cpu-latency", CLI_INT, &cpu_latency, "US", CPULAT_HELP},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench train", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!model) return err_set(&err, IM_USAGE, "imagine bench train: --model DIR is required"), harness_fail(&err);
    if (tokens < 2 || steps < 1 || samples < 1 || samples > tokens || rank < 1 || threads < 0 || threads > 1024 || rounds < 1 || rounds > 1000)
        return err_set(&err, IM_USAGE,
                       "imagine bench train: --tokens >= 2, --steps >= 1, 1 <= --samples <= --tokens, --lora >= 1, 0 <= --threads <= 1024, "
                       "1 <= --rounds <= 1000"),
               harness_fail(&err);
    if (peer && strcmp(peer, "torch")) return err_set(&err, IM_USAGE, "--peer %s: only torch is known", peer), harness_fail(&err);
    if (strcmp(peer_device, "cpu") && strcmp(peer_device, "cuda"))
        return err_set(&err, IM_USAGE, "--peer-device %s: expected cpu or cuda", peer_device), harness_fail(&err);
    if (strcmp(peer_dtype, "float32") && strcmp(peer_dtype, "bfloat16"))
        return err_set(&err, IM_USAGE, "--peer-dtype %s: expected float32 or bfloat16", peer_dtype), harness_fail(&err);
    if (peak_tflops < 0 || peak_tflops != peak_tflops)
        return err_set(&err, IM_USAGE, "--peak-tflops %g: expected a positive number of TFLOP/s", peak_tflops), harness_fail(&err);
    if (cpu_latency != -1 && (rc = cpulat_hold(cpu_latency, "--cpu-latency", &err))) return harness_fail(&err);
    TmOptions o = {.vk_device = vkdev, .max_tokens = (int)tokens, .seed = 1, .lora_alpha = (float)alpha, .reference = reference, .vk_nt_min = nt_min};
    if (!strcmp(kernels, "auto")) o.vk_kernels = TM_KERNELS_AUTO;
    else if (!strcmp(kernels, "cpu")) o.vk_kernels = TM_KERNELS_CPU;
    else if (!strcmp(kernels, "gpu")) o.vk_kernels = TM_KERNELS_GPU;
    else return err_set(&err, IM_USAGE, "--kernels %s: expected auto, cpu or gpu", kernels), harness_fail(&err);
    if ((rc = tm_device_parse(device, &o.device, &err)) || (rc = tm_lora_targets_parse(targets, &o.lora_targets, &err))) return harness_fail(&err);
    ModelFiles *m = NULL;
    if ((rc = model_open(model, &m, &err))) return harness_fail(&err);
    const ModelConfig *c = &m->cfg;
    printf("model %s: %s, hidden %d, %d layers, %d/%d heads, ffn %d, vocab %d, %s; device %s; batch %ld tokens (%ld samples)\n", model,
           model_arch_name(c->arch), c->hidden, c->layers, c->n_heads, c->n_kv_heads, c->ffn, c->vocab, st_dtype_name(c->dtype), device, tokens,
           samples);
    if (o.device == TM_CPU) {
        gemm_threads_set((int)threads);
        printf("cpu kernels: %s\n", reference ? "the reference ops (double accumulation, --reference)" : gemm_backend());
    }
    if (cpu_latency >= 0) printf("cpu latency request: %ld us, held while ours and the peer run (--cpu-latency)\n", cpu_latency);
    fflush(stdout);
    BenchBatch bb;
    make_batch(&bb, (int)tokens, (int)samples, c->vocab);
    if (peer_threads < 0) peer_threads = o.device == TM_CPU ? gemm_threads() : lavapipe_threads();
    PeerOpts po = {.python = peer_python && *peer_python ? peer_python : "/usr/bin/python3", .device = peer_device, .dtype = peer_dtype,
                   .threads = (int)peer_threads};
    if (peer && strchr(po.python, '/') && access(po.python, X_OK))
        rc = err_set(&err, IM_USAGE, "--peer-python %s: not an executable file (or set $IMAGINE_PYTHON)", po.python);
    double *ratios = calloc(2 * (size_t)rounds, sizeof *ratios); /* [round][full, LoRA] */
    if (!ratios) rc = err_set(&err, IM_IO, "out of memory");
    for (long r = 0; r < rounds && !rc; r++) { /* ours and the peer alternate: a slow spell of a shared host hits both */
        if (rounds > 1) printf("round %ld of %ld\n", r + 1, rounds);
        double full_ts = 0, full_ms = 0, lora_ts = 0, lora_ms = 0;
        o.lora_rank = 0;
        rc = bench_kind(m, &o, &bb, (int)samples, (int)steps, !no_profile && r == 0, peak_tflops, &full_ts, &full_ms, &err);
        o.lora_rank = (int)rank;
        if (!rc) rc = bench_kind(m, &o, &bb, (int)samples, (int)steps, !no_profile && r == 0, peak_tflops, &lora_ts, &lora_ms, &err);
        fflush(stdout);
        if (!rc && peer) rc = run_torch(model, (int)tokens, (int)steps, (int)samples, (int)rank, alpha, &po, full_ts, lora_ts, ratios + 2 * r, &err);
    }
    if (!rc && peer && rounds > 1) print_ratio_summary(ratios, (int)rounds);
    free(ratios);
    free_batch(&bb);
    model_close(m);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_bench_train[] = {
    {"bench train", cmd_bench_train,
     "Training speed: tokens/s of a full SFT step and a LoRA step, peak memory, per-kernel time, model FLOP/s and MFU; --peer torch compares PyTorch eager (CPU or CUDA).", ""},
    {0}};
