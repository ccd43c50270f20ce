/* test_vulkan.c: the Vulkan forward against the plain-C reference on tiny
 * models of both architectures and all three dtypes: prefill logits of
 * every position, greedy decode, and batched decode of several sequences.
 * Also with weights split into many buffers (as tensors over the device's
 * storage-buffer range are). Tolerance: max |vk - ref| <= 2e-3 * max(1, max |ref|) per logits row.
 * On failure the residual stream is compared layer by layer and the
 * first mismatches are printed. Runs on lavapipe when there is no GPU. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "ref.h"
#include "vkmodel.h"

#define TOL 2e-3f

static float row_diff(const float *a, const float *b, int n, int *at) {
    float mx = 1, d = 0;
    for (int i = 0; i < n; i++) mx = fmaxf(mx, fabsf(b[i]));
    for (int i = 0; i < n; i++)
        if (fabsf(a[i] - b[i]) > d) d = fabsf(a[i] - b[i]), *at = i;
    return d / mx;
}

/* Per-layer report for one sequence fed as a prefill of n tokens. */
static void layer_report(VkModel *vm, ModelFiles *mf, const int *toks, int n) {
    const ModelConfig *c = &mf->cfg;
    RefModel *r = NULL;
    Err err = {0};
    ref_create(mf, 64, &r, &err);
    float *lo = malloc(sizeof(float) * (size_t)c->vocab), *ref_l = malloc(sizeof(float) * (size_t)n * c->layers * c->hidden);
    for (int t = 0; t < n; t++) ref_forward(r, toks[t], lo, ref_l + (size_t)t * c->layers * c->hidden, &err);
    int seq[64] = {0}, pos[64];
    for (int t = 0; t < n; t++) pos[t] = t;
    float *res = malloc(sizeof(float) * (size_t)n * c->hidden);
    for (int l = 1; l <= c->layers; l++) {
        vkm_step_layers(vm, n, seq, pos, toks, l, res, &err);
        int shown = 0;
        for (int t = 0; t < n && shown < 5; t++)
            for (int i = 0; i < c->hidden && shown < 5; i++) {
                float a = res[(size_t)t * c->hidden + i], b = ref_l[((size_t)t * c->layers + (l - 1)) * c->hidden + i];
                if (fabsf(a - b) > TOL * fmaxf(1, fabsf(b))) {
                    fprintf(stderr, "  layer %d, position %d, dim %d: vulkan %g, reference %g\n", l - 1, t, i, a, b);
                    shown++;
                }
            }
        if (!shown) fprintf(stderr, "  layer %d: residual stream matches\n", l - 1);
    }
    free(lo), free(ref_l), free(res);
    ref_destroy(r);
}

static void one(VkCtx *ctx, const char *data, ModelArch arch, StDtype dt, size_t split, int wide) {
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/imagine_test_vk_%ld", (long)getpid());
    Err err = {0};
    ModelInitOpts o = {.arch = arch, .size = "tiny", .dtype = dt, .seed = 3, .out = dir, .data_dir = data};
    CHECK_MSG(model_init(&o, &err) == 0, "%s", err.msg);
    ModelFiles *mf = NULL;
    CHECK_MSG(model_open(dir, &mf, &err) == 0, "%s", err.msg);
    if (!mf) return;
    const ModelConfig *c = &mf->cfg;
    VkModelOpts vo = {.max_rows = 16, .max_seqs = 4, .max_ctx = 64, .max_chunk_bytes = split, .wide_rows = wide};
    VkModel *vm = NULL;
    CHECK_MSG(vkm_create(ctx, mf, &vo, &vm, &err) == 0, "%s", err.msg);
    RefModel *ref[3] = {0};
    for (int s = 0; s < 3; s++) ref_create(mf, 64, &ref[s], &err);
    char label[96];
    snprintf(label, sizeof label, "%s%s%s", st_dtype_name(dt), split ? " (weights split in 8 KiB buffers)" : "", wide ? " (8-row matmul variant)" : "");
    const char *an = model_arch_name(arch);
    int V = c->vocab;
    float *vl = malloc(sizeof(float) * (size_t)V * 16), *rl = malloc(sizeof(float) * (size_t)V);
    /* 1. prefill of 12 tokens of sequence 0; logits of every position */
    const char *prompt = "Please plan a 3-day trip from Rockford to St. Petersburg.";
    int *ids, n;
    tok_encode(mf->tok, prompt, strlen(prompt), &ids, &n, &err);
    if (n > 12) n = 12;
    int seq[16] = {0}, pos[16], out[16];
    for (int i = 0; i < n; i++) pos[i] = i, out[i] = i;
    int fail = 0;
    if (vm && !vkm_step(vm, n, seq, pos, ids, n, out, vl, &err)) {
        for (int i = 0; i < n; i++) {
            ref_forward(ref[0], ids[i], rl, NULL, &err);
            int at = 0;
            float d = row_diff(vl + (size_t)i * V, rl, V, &at);
            if (d > TOL) {
                fprintf(stderr, "%s %s prefill position %d: relative diff %g at logit %d (vulkan %g, reference %g)\n", an, label, i, d, at, vl[(size_t)i * V + at], rl[at]);
                fail = 1;
            }
        }
    } else
        fail = 1, fprintf(stderr, "%s\n", err.msg);
    /* 2. greedy decode of 6 tokens, sequence 0 */
    int next = 0;
    for (int i = 1; i < V; i++) next = rl[i] > rl[next] ? i : next;
    for (int t = 0; t < 6 && !fail; t++) {
        int p = n + t;
        if (vkm_step(vm, 1, seq, &p, &next, 1, out, vl, &err)) {
            fail = 1;
            break;
        }
        ref_forward(ref[0], next, rl, NULL, &err);
        int at = 0;
        float d = row_diff(vl, rl, V, &at);
        if (d > TOL) fail = 1, fprintf(stderr, "%s %s decode step %d: relative diff %g at logit %d\n", an, label, t, d, at);
        next = 0;
        for (int i = 1; i < V; i++) next = rl[i] > rl[next] ? i : next;
    }
    /* 3. batched decode: sequences 1..3 advance together, each from its own
     * first token, for 4 steps */
    int bseq[3] = {1, 2, 3}, btok[3] = {ids[0], ids[1], ids[2]}, bout[3] = {0, 1, 2};
    for (int t = 0; t < 4 && !fail; t++) {
        int bpos[3] = {t, t, t};
        if (vkm_step(vm, 3, bseq, bpos, btok, 3, bout, vl, &err)) {
            fail = 1;
            break;
        }
        for (int s = 0; s < 3; s++) {
            if (t == 0) ref_reset(ref[s]);
            ref_forward(ref[s], btok[s], rl, NULL, &err);
            int at = 0;
            float d = row_diff(vl + (size_t)s * V, rl, V, &at);
            if (d > TOL) fail = 1, fprintf(stderr, "%s %s batched decode step %d sequence %d: relative diff %g\n", an, label, t, s, d);
            int b = 0;
            for (int i = 1; i < V; i++) b = rl[i] > rl[b] ? i : b;
            btok[s] = b;
        }
    }
    if (fail && vm) {
        fprintf(stderr, "%s %s: per-layer comparison of the prefill:\n", an, label);
        layer_report(vm, mf, ids, n);
    }
    CHECK_MSG(!fail, "%s %s: Vulkan logits differ from the reference", an, label);
    if (!fail) printf("%s %s: prefill, decode and batched decode within %g of the reference\n", an, label, (double)TOL);
    free(ids), free(vl), free(rl);
    for (int s = 0; s < 3; s++) ref_destroy(ref[s]);
    vkm_destroy(vm);
    model_close(mf);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: test_vulkan DATA [DEVICE]\n"), 2;
    VkCtx *ctx = NULL;
    Err err = {0};
    if (vk_ctx_create(argc > 2 ? argv[2] : getenv("IMAGINE_VK_DEVICE"), &ctx, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("device: %s (subgroup %u, storage range %zu)\n", vk_device_name(ctx), vk_subgroup_size(ctx), vk_max_storage_range(ctx));
    for (int a = 0; a < 2; a++)
        for (int d = 0; d < 3; d++) one(ctx, argv[1], (ModelArch)a, (StDtype)d, 0, 0);
    /* a tensor over the device's storage-buffer range is split by rows: force
     * it with an 8 KiB limit (embedding, LM head and every matrix split);
     * these runs and one more also take the 8-rows-per-invocation matmul
     * variant that only large matrices (the LM head) get otherwise */
    one(ctx, argv[1], ARCH_QWEN3, ST_BF16, 8192, 1);
    one(ctx, argv[1], ARCH_LLAMA, ST_F32, 8192, 1);
    one(ctx, argv[1], ARCH_QWEN3, ST_F16, 0, 1);
    vk_ctx_destroy(ctx);
    return check_failures != 0;
}
