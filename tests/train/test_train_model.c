/* test_train_model.c: the trainer's arithmetic around the model:
 *  - LoRA merge equals base + adapter: a tiny F32 model with a non-zero
 *    adapter on every projection, its log-probabilities through compute's
 *    LoRA forward, against the merged folder (`tr_lora_merge`, as `imagine
 *    model merge`) run as a plain model; max |difference| < 2e-5;
 *  - GRPO's per-token loss: d loss / d logp against central differences in
 *    double for unclipped, clipped and KL cases, and the clipping flags;
 *  - group-normalised advantages against values worked by hand (TRL's rule);
 *  - subnormals: flushed between fp_flush_begin and fp_flush_end (x86), and
 *    the CPU device's step, which flushes inside, leaves this thread IEEE.
 * Usage: test_train_model DATA_DIR TMP_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fpenv.h"
#include "ckpt.h"
#include "fsutil.h"
#include "train.h"

static int forward(const char *dir, int lora, const TmBatch *b, float *lp, const char *adapter_dir, Err *err) {
    ModelFiles *mf = NULL;
    int rc = model_open(dir, &mf, err);
    TmOptions o = {.device = TM_CPU, .max_tokens = b->n, .seed = 5};
    if (lora) o.lora_rank = 4, o.lora_alpha = 8, o.lora_targets = TM_ALL_TARGETS;
    TrainModel *tm = NULL;
    if (!rc) rc = tm_create(mf, &o, &tm, err);
    if (!rc && lora) {
        /* B = 0 at creation: give every factor values so the adapter matters,
         * then write the adapter in PEFT's layout from the model's tensors */
        int n = tm_tensor_count(tm), na = 0;
        TrTensorOut *ad = calloc((size_t)n, sizeof *ad);
        float **bufs = calloc((size_t)n, sizeof *bufs);
        uint64_t s = 11;
        for (int i = 0; i < n && !rc; i++) {
            const TmTensor *t = tm_tensor(tm, i);
            if (!t->trainable) continue;
            bufs[i] = malloc(sizeof(float) * t->n);
            for (size_t k = 0; k < t->n; k++) bufs[i][k] = 0.05f * rng_normal(&s);
            rc = tm_set(tm, i, TM_PARAM, bufs[i], err);
            ad[na++] = (TrTensorOut){t->name, ST_F32, 2, {t->shape[0], t->shape[1]}, bufs[i]};
        }
        CHECK(na == 2 * 7 * mf->cfg.layers);
        fs_mkdirs(adapter_dir, err);
        if (!rc) rc = tr_ckpt_write_tensors(adapter_dir, "adapter_model.safetensors", ad, na, err);
        const char *mods[7] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        Buf cj;
        buf_init(&cj);
        tr_lora_config_json(4, 8, mods, 7, dir, &cj);
        if (!rc) rc = tr_ckpt_write_text(adapter_dir, "adapter_config.json", cj.data, err);
        buf_free(&cj);
        for (int i = 0; i < n; i++) free(bufs[i]);
        free(bufs), free(ad);
    }
    if (!rc) rc = tm_forward(tm, b, NULL, lp, err);
    tm_destroy(tm);
    model_close(mf);
    return rc;
}

static void test_merge_equals_adapter(const char *data, const char *tmp) {
    Err err = {0};
    char *base = fs_join(tmp, "base"), *ad = fs_join(tmp, "adapter"), *merged = fs_join(tmp, "merged");
    ModelInitOpts mo = {.arch = ARCH_QWEN3, .size = "tiny", .dtype = ST_F32, .seed = 9, .out = base, .data_dir = data};
    CHECK_MSG(model_init(&mo, &err) == 0, "%s", err.msg);
    /* two packed samples */
    int tok[24], tgt[24], pos[24], seg[24];
    float w[24];
    for (int i = 0; i < 24; i++) {
        int s = i >= 10;
        tok[i] = (i * 37 + 5) % 400, pos[i] = s ? i - 10 : i, seg[i] = s, w[i] = 1;
        tgt[i] = (i == 9 || i == 23) ? -1 : ((i + 1) * 37 + 5) % 400;
    }
    TmBatch b = {.n = 24, .tokens = tok, .targets = tgt, .weights = w, .pos = pos, .seg = seg};
    float lp_lora[24], lp_merged[24], lp_base[24];
    int rc = forward(base, 1, &b, lp_lora, ad, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    CHECK_MSG(!rc && tr_lora_merge(base, ad, merged, &err) == 0, "%s", err.msg);
    CHECK_MSG(!rc && forward(merged, 0, &b, lp_merged, NULL, &err) == 0, "%s", err.msg);
    CHECK_MSG(!rc && forward(base, 0, &b, lp_base, NULL, &err) == 0, "%s", err.msg);
    double worst = 0, moved = 0;
    for (int i = 0; i < 24; i++) {
        if (tgt[i] < 0) continue;
        double d = fabs((double)lp_lora[i] - lp_merged[i]);
        if (d > worst) worst = d;
        moved += fabs((double)lp_lora[i] - lp_base[i]);
    }
    printf("LoRA forward vs merged model: max |logp difference| %.3g (the adapter moves logp by %.3g in all)\n", worst, moved);
    CHECK(worst < 2e-5);
    CHECK(moved > 1e-2); /* the adapter is not a no-op, so the comparison means something */
    free(base), free(ad), free(merged);
}

static void test_grpo_token(void) {
    /* cases: (lp, old, ref, adv): inside the range, clipped above (A > 0),
     * clipped below (A < 0), outside the range on the side that keeps the
     * gradient, with and without KL */
    const double cases[][4] = {{-1.0, -1.05, NAN, 0.7},  {-1.0, -1.6, NAN, 0.7}, {-2.0, -1.4, NAN, -0.5},
                               {-2.0, -1.4, NAN, 0.5},   {-1.0, -1.1, -0.8, 1.2}, {-0.3, -0.3, -0.9, -0.4}};
    const int clip[] = {0, 1, 1, 0, 0, 0};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        double lp = cases[c][0], old = cases[c][1], ref = cases[c][2], a = cases[c][3], l, dl, kl, lp1, lm1, d1, d2;
        int cl = tr_grpo_token(lp, old, ref, a, 0.2, 0.28, 0.04, &l, &dl, &kl);
        double h = 1e-6;
        tr_grpo_token(lp + h, old, ref, a, 0.2, 0.28, 0.04, &lp1, &d1, &kl);
        tr_grpo_token(lp - h, old, ref, a, 0.2, 0.28, 0.04, &lm1, &d2, &kl);
        double fd = (lp1 - lm1) / (2 * h);
        CHECK_MSG(fabs(fd - dl) < 1e-6 * (1 + fabs(dl)), "case %zu: d loss/d logp %.9g, central difference %.9g", c, dl, fd);
        CHECK_MSG(cl == clip[c], "case %zu: clipped %d", c, cl);
    }
    /* on policy (lp == old) without KL: loss -A, gradient -A */
    double l, dl, kl;
    tr_grpo_token(-1.5, -1.5, NAN, 0.8, 0.2, 0.2, 0, &l, &dl, &kl);
    CHECK(l == -0.8 && dl == -0.8 && kl == 0);
    /* k3 at ref == lp is 0 with zero slope */
    tr_grpo_token(-1.5, -1.5, -1.5, 0, 0.2, 0.2, 0.1, &l, &dl, &kl);
    CHECK(kl == 0 && dl == 0);
}

static void test_advantages(void) {
    double r[6] = {1, 2, 3, 0, 0, 0}, a[6];
    tr_advantages(r, 2, 3, TR_SCALE_GROUP, a);
    CHECK(fabs(a[0] + 1 / 1.0001) < 1e-12 && a[1] == 0 && fabs(a[2] - 1 / 1.0001) < 1e-12); /* std of 1,2,3 (n-1) = 1 */
    CHECK(a[3] == 0 && a[4] == 0 && a[5] == 0); /* a group of equal rewards teaches nothing */
    tr_advantages(r, 2, 3, TR_SCALE_NONE, a);
    CHECK(a[0] == -1 && a[2] == 1);
    tr_advantages(r, 2, 3, TR_SCALE_BATCH, a);
    double m = 1, s = 0;
    for (int i = 0; i < 6; i++) s += (r[i] - m) * (r[i] - m);
    s = sqrt(s / 5);
    CHECK(fabs(a[2] - 1 / (s + 1e-4)) < 1e-12);
}

static float tiny_product(void) {
    volatile float t = 1e-20f;
    return t * t * 4.0f; /* 4e-40: subnormal */
}

static void test_flush(const char *dir) {
    CHECK(tiny_product() > 0.0f);
    unsigned saved = fp_flush_begin();
    float flushed = tiny_product();
    fp_flush_end(saved);
#if defined(__x86_64__) || defined(__i386__)
    CHECK_MSG(flushed == 0.0f, "fp_flush_begin kept a subnormal: %g", (double)flushed);
#endif
    CHECK_MSG(tiny_product() > 0.0f, "fp_flush_end did not restore IEEE subnormals");
    int tok[6] = {1, 2, 3, 4, 5, 6}, pos[6] = {0, 1, 2, 3, 4, 5}, seg[6] = {0}, tgt[6] = {2, 3, 4, 5, 6, -1};
    float w[6] = {1, 1, 1, 1, 1, 0};
    TmBatch b = {6, tok, tgt, w, pos, seg};
    Err err = {0};
    ModelFiles *mf = NULL;
    TrainModel *tm = NULL;
    TmOptions o = {.device = TM_CPU, .max_tokens = 6, .seed = 5};
    double loss = 0, norm = 0;
    int rc = model_open(dir, &mf, &err);
    if (!rc) rc = tm_create(mf, &o, &tm, &err);
    if (!rc) rc = tm_forward_backward(tm, &b, &loss, NULL, &err);
    if (!rc) rc = tm_grad_norm(tm, &norm, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    CHECK(loss > 0 && norm > 0);
    CHECK_MSG(tiny_product() > 0.0f, "the CPU device's step left this thread flushing subnormals");
    tm_destroy(tm);
    model_close(mf);
}

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: test_train_model DATA_DIR TMP_DIR\n"), 2;
    Err err = {0};
    tr_ckpt_remove(argv[2]);
    fs_mkdirs(argv[2], &err);
    test_merge_equals_adapter(argv[1], argv[2]);
    test_grpo_token();
    test_advantages();
    char *base = fs_join(argv[2], "base"); /* test_merge_equals_adapter's tiny model */
    test_flush(base);
    free(base);
    if (!check_failures) tr_ckpt_remove(argv[2]);
    printf("%s\n", check_failures ? "FAIL" : "ok");
    return check_failures != 0;
}
