/* test_train_vk.c: the Vulkan device of train_model.h against the CPU
 * reference, whole model: for tiny Qwen3 (BF16 and F16) and Llama (F32)
 * folders, full fine-tuning and LoRA (rank 4, all projections), on the same
 * packed batch (3 samples, prompt rows masked):
 *   loss                |vk - ref| <= 1e-4 * max(1, |ref|)
 *   log-probs, logits   max |vk - ref| <= 2e-3 * max(1, max |ref|)
 *   every gradient      max |vk - ref| <= 2e-3 * max|ref| + 1e-6   (fp32 sums in another order)
 *   gradient norm       relative 1e-3
 *   after 2 AdamW steps from the same gradients masters within 1e-4 * max(1, max|ref|), and the
 *   forward's weights (rounded to the dtype) agree where the masters do
 *   gradient accumulation: two forward_backward calls give twice the gradients.
 * Each in the kernel sets a CPU device and a GPU get, and with dW and dX as
 * NT products over transposed operands.
 * First mismatches are printed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "train_model.h"

static double worst_rel;

static int cmp(const char *what, const char *name, const float *ref, const float *vk, size_t n, double rel, double abs_, int by_max) {
    double mx = 0, worst = 0;
    for (size_t i = 0; i < n; i++) mx = fmax(mx, fabs(ref[i]));
    double lim = rel * (by_max ? mx : fmax(1.0, mx)) + abs_;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)ref[i] - vk[i]);
        worst = fmax(worst, d);
        if (!(d <= lim)) {
            if (bad < 4) fprintf(stderr, "    %s %s[%zu]: ref %.8g vulkan %.8g (|diff| %.3g > %.3g)\n", what, name, i, ref[i], vk[i], d, lim);
            bad++;
        }
    }
    if (mx > 0) worst_rel = fmax(worst_rel, worst / mx);
    CHECK_MSG(!bad, "%s %s: %d of %zu differ (worst %.3g, limit %.3g)", what, name, bad, n, worst, lim);
    return bad;
}

/* TmOptions.vk_nt_min of the Vulkan side: 1 runs every dW and dX product
 * whose shape allows as NT over transposed operands (transpose_t.comp). */
static long nt_min;

/* lora: the LoRA rank (0: full fine-tuning), alpha twice the rank */
static void run(const char *dir, int lora, size_t slice_bytes, int kernels, const char *label) {
    Err err = {0};
    ModelFiles *m = NULL;
    CHECK_MSG(model_open(dir, &m, &err) == 0, "%s", err.msg);
    if (!m) return;
    TmOptions o = {.device = TM_CPU, .max_tokens = 64, .seed = 11, .reference = 1};
    if (lora) o.lora_rank = lora, o.lora_alpha = 2.0f * (float)lora, o.lora_targets = TM_ALL_TARGETS;
    TrainModel *ref = NULL, *vk = NULL;
    CHECK_MSG(tm_create(m, &o, &ref, &err) == 0, "%s", err.msg);
    o.device = TM_VULKAN, o.vk_slice_bytes = slice_bytes, o.vk_kernels = kernels, o.vk_nt_min = nt_min;
    CHECK_MSG(tm_create(m, &o, &vk, &err) == 0, "%s", err.msg);
    if (!ref || !vk) return;
    int V = m->cfg.vocab, nt = tm_tensor_count(ref);
    CHECK(nt == tm_tensor_count(vk));
    /* LoRA B = 0 at start: give it values (the same on both) so every path is exercised */
    uint64_t rng = 3;
    for (int i = 0; i < nt; i++)
        if (strstr(tm_tensor(ref, i)->name, "lora_B")) {
            size_t n = tm_tensor(ref, i)->n;
            float *b = malloc(sizeof *b * n);
            for (size_t j = 0; j < n; j++) b[j] = 0.05f * rng_normal(&rng);
            tm_set(ref, i, TM_MASTER, b, &err), tm_set(vk, i, TM_MASTER, b, &err);
            free(b);
        }
    static const int len[3] = {13, 7, 20};
    int tok[64], tgt[64], pos[64], seg[64], n = 0, nl = 0;
    float w[64];
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < len[s]; i++, n++) tok[n] = (int)(rng_next(&rng) % (uint64_t)V), pos[n] = i, seg[n] = s;
    tok[5] = tok[30] = tok[31]; /* repeated ids: the embedding's scatter-add must sum them */
    for (int t = 0; t < n; t++) tgt[t] = pos[t] >= 3 && t + 1 < n && seg[t + 1] == seg[t] ? tok[t + 1] : -1, nl += tgt[t] >= 0;
    for (int t = 0; t < n; t++) w[t] = tgt[t] >= 0 ? 1.0f / (float)nl : 0;
    TmBatch b = {.n = n, .tokens = tok, .targets = tgt, .weights = w, .pos = pos, .seg = seg};
    double l1 = 0, l2 = 0;
    float lp1[64], lp2[64];
    tm_zero_grads(ref, &err), tm_zero_grads(vk, &err);
    CHECK_MSG(tm_forward_backward(ref, &b, &l1, lp1, &err) == 0, "%s", err.msg);
    CHECK_MSG(tm_forward_backward(vk, &b, &l2, lp2, &err) == 0, "%s", err.msg);
    CHECK_MSG(fabs(l1 - l2) <= 1e-4 * fmax(1, fabs(l1)), "%s: loss ref %.8f vulkan %.8f", label, l1, l2);
    cmp(label, "logp", lp1, lp2, (size_t)n, 2e-3, 0, 0);
    float *lo1 = malloc(sizeof(float) * (size_t)n * V), *lo2 = malloc(sizeof(float) * (size_t)n * V);
    tm_logits(ref, lo1, &err), tm_logits(vk, lo2, &err);
    cmp(label, "logits", lo1, lo2, (size_t)n * V, 2e-3, 0, 0);
    free(lo1), free(lo2);
    int ntr = 0;
    for (int i = 0; i < nt; i++) {
        const TmTensor *t = tm_tensor(ref, i);
        if (!t->trainable) continue;
        ntr++;
        float *g1 = malloc(sizeof(float) * t->n), *g2 = malloc(sizeof(float) * t->n);
        tm_get(ref, i, TM_GRAD, g1, &err), tm_get(vk, i, TM_GRAD, g2, &err);
        cmp(label, t->name, g1, g2, t->n, 2e-3, 1e-6, 1);
        free(g1), free(g2);
    }
    double n1 = 0, n2 = 0;
    tm_grad_norm(ref, &n1, &err), tm_grad_norm(vk, &n2, &err);
    CHECK_MSG(n1 > 0 && fabs(n1 - n2) <= 1e-3 * n1, "%s: grad norm ref %.8g vulkan %.8g", label, n1, n2);
    /* accumulation: after a zeroing, gradients set from the host and one pass give twice the
       pass's gradients (a product writes a gradient only where nothing was written to it since
       the zeroing), and a second pass without zeroing doubles them again */
    float **gs = calloc((size_t)nt, sizeof *gs);
    for (int i = 0; i < nt; i++)
        if (tm_tensor(vk, i)->trainable) gs[i] = malloc(sizeof(float) * tm_tensor(vk, i)->n), tm_get(vk, i, TM_GRAD, gs[i], &err);
    tm_zero_grads(vk, &err);
    for (int i = 0; i < nt; i++)
        if (gs[i]) CHECK_MSG(tm_set(vk, i, TM_GRAD, gs[i], &err) == 0, "%s", err.msg);
    for (int pass = 2; pass <= 3; pass++) {
        CHECK_MSG(tm_forward_backward(vk, &b, NULL, NULL, &err) == 0, "%s", err.msg);
        for (int i = 0; i < nt; i++) {
            if (!gs[i]) continue;
            size_t nn = tm_tensor(vk, i)->n;
            float *want = malloc(sizeof(float) * nn), *got = malloc(sizeof(float) * nn);
            for (size_t k = 0; k < nn; k++) want[k] = (float)pass * gs[i][k];
            tm_get(vk, i, TM_GRAD, got, &err);
            char what[160];
            snprintf(what, sizeof what, "%s after %d passes", tm_tensor(vk, i)->name, pass);
            cmp(label, what, want, got, nn, 1e-5, 1e-7, 1);
            free(want), free(got);
        }
    }
    for (int i = 0; i < nt; i++) free(gs[i]);
    free(gs);
    /* AdamW from the same gradients: a gradient near eps (a rare token's row of a tied head)
       turns a 1e-9 difference of summation order into a visible difference of the update,
       which is Adam's sensitivity, not the device's; the gradients were compared above. */
    for (int i = 0; i < nt; i++) {
        const TmTensor *t = tm_tensor(ref, i);
        if (!t->trainable) continue;
        float *g = malloc(sizeof(float) * t->n);
        CHECK_MSG(tm_get(ref, i, TM_GRAD, g, &err) == 0 && tm_set(vk, i, TM_GRAD, g, &err) == 0, "%s", err.msg);
        free(g);
    }
    OprAdamW h = {.lr = 1e-2f, .beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f};
    for (int step = 1; step <= 2; step++) {
        CHECK_MSG(tm_adamw(ref, &h, step, 0.7f, &err) == 0, "%s", err.msg);
        CHECK_MSG(tm_adamw(vk, &h, step, 0.7f, &err) == 0, "%s", err.msg);
    }
    for (int i = 0; i < nt; i++) {
        const TmTensor *t = tm_tensor(ref, i);
        if (!t->trainable) continue;
        float *a1 = malloc(sizeof(float) * t->n), *a2 = malloc(sizeof(float) * t->n);
        tm_get(ref, i, TM_MASTER, a1, &err), tm_get(vk, i, TM_MASTER, a2, &err);
        cmp(label, t->name, a1, a2, t->n, 1e-4, 0, 0);
        float *p1 = malloc(sizeof(float) * t->n), *p2 = malloc(sizeof(float) * t->n);
        tm_get(ref, i, TM_PARAM, p1, &err), tm_get(vk, i, TM_PARAM, p2, &err);
        /* the weights the forward uses: the masters rounded; one rounding step apart at most */
        cmp(label, "param", p1, p2, t->n, t->dtype == ST_BF16 ? 8e-3 : t->dtype == ST_F16 ? 1e-3 : 1e-4, 0, 0);
        free(a1), free(a2), free(p1), free(p2);
    }
    printf("  %-24s loss %.6f (vulkan %.6f), %d trainable tensors, grad norm %.5g / %.5g, worst relative diff so far %.2e\n", label, l1, l2,
           ntr, n1, n2, worst_rel);
    tm_destroy(ref), tm_destroy(vk);
    model_close(m);
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: test_train_vk DATA\n"), 2;
    char dir[128];
    struct {
        ModelArch arch;
        StDtype dt;
        const char *name;
    } cases[] = {{ARCH_QWEN3, ST_BF16, "qwen3 bf16"}, {ARCH_LLAMA, ST_F32, "llama f32"}, {ARCH_QWEN3, ST_F16, "qwen3 f16"}};
    Err err = {0};
    for (int c = 0; c < 3; c++) {
        snprintf(dir, sizeof dir, "/tmp/imagine_test_train_vk_%ld_%d", (long)getpid(), c);
        ModelInitOpts o = {.arch = cases[c].arch, .size = "tiny", .dtype = cases[c].dt, .seed = 5, .out = dir, .data_dir = argv[1]};
        CHECK_MSG(model_init(&o, &err) == 0, "%s", err.msg);
        char label[64];
        for (int lora = 0; lora < 2; lora++) {
            snprintf(label, sizeof label, "%s %s", cases[c].name, lora ? "LoRA" : "full");
            run(dir, 4 * lora, 0, TM_KERNELS_AUTO, label);
            /* the kernels GPUs get (tiled products, attention and the norm's dW with a subgroup per row), here on lavapipe */
            snprintf(label, sizeof label, "%s %s, GPU kernels", cases[c].name, lora ? "LoRA" : "full");
            run(dir, 4 * lora, 0, TM_KERNELS_GPU, label);
        }
        /* the logits, the (tied or untied) head, its gradient and the embedding's in slices of 4 KiB,
           as the 0.6B shape's are over lavapipe's storage range, and every dX product over ranges
           of K (LoRA: its path rides with the first range) */
        for (int lora = 0; lora < 2; lora++) {
            snprintf(label, sizeof label, "%s %s, 4 KiB slices", cases[c].name, lora ? "LoRA" : "full");
            run(dir, 4 * lora, 4096, TM_KERNELS_AUTO, label);
        }
        /* rank 6: LoRA's path is not whole texels, so the two-product kernels refuse it and
           train_vk.c adds it by separate products (gemm_at's fallback), in both kernel sets */
        snprintf(label, sizeof label, "%s LoRA r 6", cases[c].name);
        run(dir, 6, 0, TM_KERNELS_AUTO, label);
        snprintf(label, sizeof label, "%s LoRA r 6, GPU kernels", cases[c].name);
        run(dir, 6, 0, TM_KERNELS_GPU, label);
        /* dW and dX as NT products over transposed copies (a CPU device's path for large products),
           here for every product: whole, in slices and ranges of K, and beside rank 6's separate path */
        nt_min = 1;
        for (int lora = 0; lora < 2; lora++) {
            snprintf(label, sizeof label, "%s %s, NT copies", cases[c].name, lora ? "LoRA" : "full");
            run(dir, 4 * lora, 0, TM_KERNELS_AUTO, label);
            snprintf(label, sizeof label, "%s %s, NT copies, 4 KiB", cases[c].name, lora ? "LoRA" : "full");
            run(dir, 4 * lora, 4096, TM_KERNELS_AUTO, label);
        }
        snprintf(label, sizeof label, "%s LoRA r 6, NT copies", cases[c].name);
        run(dir, 6, 0, TM_KERNELS_AUTO, label);
        nt_min = 0;
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
    }
    printf(check_failures ? "FAILED\n" : "Vulkan training matches the reference\n");
    return check_failures != 0;
}
