/* test_train_unit.c: the trainer's parts that need no forward pass: SFT
 * samples (template, loss mask on assistant tokens, prompt-completion
 * forms, over-long samples counted and left out, errors with the line),
 * packing, the epoch order, schedules and clipping against values worked
 * by hand, the checkpoint folders (atomic commit, latest, never into the input model),
 * and the PEFT adapter layout and merge (W + alpha/r B A).
 * Usage: test_train_unit DATA_DIR TMP_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "ckpt.h"
#include "data.h"
#include "fsutil.h"
#include "optim.h"

static char *decode_masked(const ModelFiles *mf, const TrSample *s, int want) {
    int *ids = malloc(sizeof *ids * (size_t)s->n), k = 0;
    for (int i = 0; i < s->n; i++)
        if (s->mask[i] == want) ids[k++] = s->ids[i];
    char *t = tok_decode(mf->tok, ids, k, 0);
    free(ids);
    return t;
}

static void test_data(const ModelFiles *mf, const char *tmp) {
    Err err = {0};
    const char *jsonl =
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Plan trips.\"},{\"role\":\"user\",\"content\":\"Go to Boston.\"},"
        "{\"role\":\"assistant\",\"content\":\"<think>ok</think>[1,2]\"}]}\n"
        "\n"
        "{\"prompt\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"completion\":[{\"role\":\"assistant\",\"content\":\"Hello there\"}]}\n"
        "{\"prompt\":\"2+2=\",\"completion\":\"4\"}\n"
        "{\"messages\":[{\"role\":\"user\",\"content\":\"only a question\"}]}\n"
        "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"},"
        "{\"role\":\"user\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":\"d\"}]}\n";
    TrData d;
    int rc = tr_data_parse(jsonl, "mem.jsonl", mf, 4096, &d, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    if (rc) return;
    CHECK(d.n == 4 && d.n_lines == 5 && d.n_no_target == 1 && d.n_too_long == 0);
    /* sample 0: targets decode to the assistant content and its end token;
     * the context is exactly the prompt the engine encodes */
    char *tg = decode_masked(mf, &d.s[0], 1), *cx = decode_masked(mf, &d.s[0], 0);
    CHECK_MSG(!strcmp(tg, "<think>ok</think>[1,2]<|im_end|>"), "targets: %s", tg);
    CHECK_MSG(!strcmp(cx, "<|im_start|>system\nPlan trips.<|im_end|>\n<|im_start|>user\nGo to Boston.<|im_end|>\n<|im_start|>assistant\n\n"),
              "context: %s", cx);
    free(tg), free(cx);
    {
        ChatMsg m[2] = {{"system", "Plan trips.", 0}, {"user", "Go to Boston.", 0}};
        Buf b;
        buf_init(&b);
        chat_render(mf->chat, m, 2, 1, 1, &b);
        int *ids = NULL, n = 0;
        CHECK(tok_encode(mf->tok, b.data, b.len, &ids, &n, &err) == 0);
        CHECK(n < d.s[0].n && !memcmp(ids, d.s[0].ids, sizeof *ids * (size_t)n) && d.s[0].mask[n - 1] == 0 && d.s[0].mask[n] == 1);
        free(ids), buf_free(&b);
    }
    tg = decode_masked(mf, &d.s[1], 1);
    CHECK_MSG(!strcmp(tg, "Hello there<|im_end|>"), "prompt-completion lists: %s", tg);
    free(tg);
    tg = decode_masked(mf, &d.s[2], 1);
    CHECK_MSG(!strcmp(tg, "4<|im_end|>") || !strcmp(tg, "4<|endoftext|>"), "prompt-completion strings: %s", tg);
    free(tg);
    tg = decode_masked(mf, &d.s[3], 1);
    CHECK_MSG(!strcmp(tg, "b<|im_end|>d<|im_end|>"), "two assistant turns: %s", tg);
    free(tg);
    CHECK(d.s[3].line == 6);

    /* packing: whole samples, positions restart, no target across samples */
    int order[4];
    tr_data_order(4, 7, 0, order);
    int order2[4];
    tr_data_order(4, 7, 0, order2);
    CHECK(!memcmp(order, order2, sizeof order));
    tr_data_order(4, 7, 1, order2);
    int seen = 0;
    for (int i = 0; i < 4; i++) seen |= 1 << order2[i];
    CHECK(seen == 15);
    int ident[4] = {0, 1, 2, 3}, at = 0;
    TrBatch b;
    int budget = d.s[0].n + d.s[1].n;
    CHECK(tr_batch_pack(&d, ident, 4, &at, budget, &b, &err) == 0);
    CHECK(at == 2 && b.n_seq == 2 && b.n == budget && b.seq_start[1] == d.s[0].n);
    CHECK(b.pos[d.s[0].n] == 0 && b.pos[d.s[0].n - 1] == d.s[0].n - 1);
    CHECK(b.seg[0] == 0 && b.seg[d.s[0].n - 1] == 0 && b.seg[d.s[0].n] == 1 && b.seg[b.n - 1] == 1);
    CHECK(b.tgt[d.s[0].n - 1] == -1 && b.w[d.s[0].n - 1] == 0); /* last row of sample 0 predicts nothing */
    CHECK(b.n_target == d.s[0].n_target + d.s[1].n_target);
    tr_batch_scale(&b, 0.5f);
    CHECK(b.tgt[d.s[0].n - 3] == tok_find(mf->tok, "<|im_end|>") && b.w[d.s[0].n - 3] == 0.5f);
    CHECK(b.tgt[d.s[0].n - 2] == -1); /* the newline after the end token is context */
    tr_batch_free(&b);
    at = 3;
    CHECK(tr_batch_pack(&d, ident, 4, &at, 1, &b, &err) == 0 && b.n_seq == 1 && at == 4); /* one sample always fits */
    tr_batch_free(&b);
    CHECK(tr_batch_pack(&d, ident, 4, &at, 1000, &b, &err) == IM_USAGE);
    tr_data_free(&d);

    /* over-long: counted with its line, never cut */
    rc = tr_data_parse(jsonl, "mem.jsonl", mf, 12, &d, &err);
    if (!rc) {
        CHECK(d.n_too_long >= 1 && d.first_too_long == 1 && d.longest > 12);
        for (int i = 0; i < d.n; i++) CHECK(d.s[i].n <= 12);
        tr_data_free(&d);
    } else
        CHECK_MSG(err.code == IM_USAGE && strstr(err.msg, "--max-len 12"), "%s", err.msg);
    /* errors name the file and line */
    rc = tr_data_parse("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}\n[1]\n", "bad.jsonl", mf, 64, &d, &err);
    CHECK_MSG(rc == IM_IO && strstr(err.msg, "bad.jsonl:2"), "%s", err.msg);
    rc = tr_data_parse("{\"text\":\"x\"}\n", "bad.jsonl", mf, 64, &d, &err);
    CHECK_MSG(rc == IM_USAGE && strstr(err.msg, "bad.jsonl:1"), "%s", err.msg);
    char *missing = fs_join(tmp, "none.jsonl");
    CHECK(tr_data_load(missing, mf, 64, &d, &err) == IM_IO && strstr(err.msg, "none.jsonl"));
    free(missing);
}

static void test_optim(const char *tmp) {
    TrOptOpts o = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.1, .clip = 1.0,
                   .schedule = TR_SCHED_LINEAR, .warmup = 2, .total = 10};
    CHECK(tr_lr_at(&o, 0) == 0 && fabs(tr_lr_at(&o, 1) - 5e-4) < 1e-15 && tr_lr_at(&o, 2) == 1e-3);
    CHECK(fabs(tr_lr_at(&o, 6) - 5e-4) < 1e-15 && tr_lr_at(&o, 10) == 0);
    o.schedule = TR_SCHED_COSINE;
    CHECK(fabs(tr_lr_at(&o, 6) - 5e-4) < 1e-15 && fabs(tr_lr_at(&o, 4) - 1e-3 * 0.5 * (1 + cos(M_PI * 0.25))) < 1e-15);
    o.schedule = TR_SCHED_CONSTANT;
    CHECK(tr_lr_at(&o, 9) == 1e-3);
    CHECK(tr_schedule_parse("cosine") == TR_SCHED_COSINE && tr_schedule_parse("exp") == -1);

    CHECK(fabs(tr_clip_scale(&o, 13.0) - 1.0 / (13.0 + 1e-6)) < 1e-15 && tr_clip_scale(&o, 0.5) == 1.0);
    o.clip = 0;
    CHECK(tr_clip_scale(&o, 1e9) == 1.0);
    (void)tmp;
}

static void test_ckpt(const char *model_dir, const char *tmp) {
    Err err = {0};
    char *inside = fs_join(model_dir, "sub");
    CHECK(tr_ckpt_check_out(model_dir, model_dir, &err) == IM_USAGE);
    CHECK(tr_ckpt_check_out(model_dir, inside, &err) == IM_USAGE);
    char *out = fs_join(tmp, "run");
    CHECK(tr_ckpt_check_out(model_dir, out, &err) == 0);
    free(inside);
    char *t = NULL;
    CHECK(tr_ckpt_latest(out, &t) == -1 && !t);
    for (int step = 1; step <= 2; step++) {
        char name[64];
        snprintf(name, sizeof name, "checkpoint-%d", step);
        CHECK_MSG(tr_ckpt_begin(model_dir, out, name, &t, &err) == 0, "%s", err.msg);
        CHECK(tr_ckpt_write_text(t, "trainer_state.json", "{}", &err) == 0);
        CHECK(tr_ckpt_commit(t, out, name, &err) == 0);
        free(t);
    }
    /* a half-written temporary folder is ignored; a folder without
     * trainer_state.json is not a checkpoint */
    char *junk = fs_join(out, "checkpoint-9");
    mkdir(junk, 0777);
    char *latest = NULL;
    CHECK(tr_ckpt_latest(out, &latest) == 2 && strstr(latest, "checkpoint-2"));
    char *cfg = fs_join(latest, "config.json"), *tj = fs_join(latest, "tokenizer.json");
    CHECK(fs_exists(cfg) && fs_exists(tj));
    free(cfg), free(tj), free(latest), free(junk);
    /* re-committing a step replaces it */
    CHECK(tr_ckpt_begin(model_dir, out, "checkpoint-2", &t, &err) == 0);
    CHECK(tr_ckpt_write_text(t, "trainer_state.json", "{\"again\":1}", &err) == 0);
    CHECK(tr_ckpt_commit(t, out, "checkpoint-2", &err) == 0);
    free(t);
    char *sp = fs_join(out, "checkpoint-2/trainer_state.json"), *text = NULL;
    CHECK(fs_read_file(sp, &text, NULL, &err) == 0 && text && strstr(text, "again"));
    free(text), free(sp), free(out);

    /* PEFT names and module letters */
    char nm[256];
    tr_lora_name("model.layers.3.mlp.down_proj.weight", 'B', nm, sizeof nm);
    CHECK(!strcmp(nm, "base_model.model.model.layers.3.mlp.down_proj.lora_B.weight"));
    CHECK(!strcmp(tr_lora_module("gate"), "gate_proj") && !tr_lora_module("x"));
}

/* An adapter on q_proj of layer 0 with known A and B; the merge must equal
 * W + alpha/r * B A computed here. */
static void test_merge(const ModelFiles *mf, const char *tmp) {
    Err err = {0};
    const StTensor *wq = mf->w.layer[0].wq;
    int64_t out = wq->shape[0], in = wq->shape[1], r = 2;
    float *a = malloc(sizeof *a * (size_t)(r * in)), *b = malloc(sizeof *b * (size_t)(out * r));
    for (int64_t i = 0; i < r * in; i++) a[i] = (float)((i % 7) - 3) * 0.01f;
    for (int64_t i = 0; i < out * r; i++) b[i] = (float)((i % 5) - 2) * 0.02f;
    char an[256], bn[256];
    tr_lora_name(wq->name, 'A', an, sizeof an);
    tr_lora_name(wq->name, 'B', bn, sizeof bn);
    TrTensorOut ts[2] = {{an, ST_F32, 2, {r, in}, a}, {bn, ST_F32, 2, {out, r}, b}};
    char *ad = fs_join(tmp, "adapter");
    fs_mkdirs(ad, &err);
    CHECK(tr_ckpt_write_tensors(ad, "adapter_model.safetensors", ts, 2, &err) == 0);
    const char *mods[1] = {"q_proj"};
    Buf cj;
    buf_init(&cj);
    tr_lora_config_json((int)r, 8.0, mods, 1, mf->dir, &cj);
    CHECK(tr_ckpt_write_text(ad, "adapter_config.json", cj.data, &err) == 0);
    buf_free(&cj);
    char *merged = fs_join(tmp, "merged");
    CHECK_MSG(tr_lora_merge(mf->dir, ad, merged, &err) == 0, "%s", err.msg);
    CHECK(tr_lora_merge(mf->dir, ad, merged, &err) == IM_USAGE); /* never replaces */
    CHECK(tr_lora_merge(mf->dir, ad, mf->dir, &err) == IM_USAGE);
    ModelFiles *m2 = NULL;
    CHECK_MSG(model_open(merged, &m2, &err) == 0, "%s", err.msg);
    if (m2) {
        const StTensor *w2 = m2->w.layer[0].wq, *k1 = mf->w.layer[0].wk, *k2 = m2->w.layer[0].wk;
        int bad = 0;
        for (int64_t o = 0; o < out; o++)
            for (int64_t i = 0; i < in; i++) {
                double s = 0;
                for (int64_t k = 0; k < r; k++) s += (double)b[o * r + k] * a[k * in + i];
                float want = (float)(st_get(wq, (size_t)(o * in + i)) + 4.0 * s), got = st_get(w2, (size_t)(o * in + i));
                if (fabsf(got - want) > 1e-2f /* bf16 rounding */ * (fabsf(want) + 1e-2f) && !bad++) fprintf(stderr, "merge [%lld,%lld]: %g vs %g\n", (long long)o, (long long)i, got, want);
            }
        CHECK(bad == 0);
        CHECK(w2->dtype == wq->dtype && !memcmp(k1->data, k2->data, k1->nbytes)); /* other weights untouched */
        model_close(m2);
    }
    /* an adapter for a module the base lacks is refused */
    char *ad2 = fs_join(tmp, "adapter2");
    fs_mkdirs(ad2, &err);
    ts[0].name = "base_model.model.model.layers.99.self_attn.q_proj.lora_A.weight";
    ts[1].name = "base_model.model.model.layers.99.self_attn.q_proj.lora_B.weight";
    tr_ckpt_write_tensors(ad2, "adapter_model.safetensors", ts, 2, &err);
    buf_init(&cj);
    tr_lora_config_json((int)r, 8.0, mods, 1, mf->dir, &cj);
    tr_ckpt_write_text(ad2, "adapter_config.json", cj.data, &err);
    buf_free(&cj);
    char *m3 = fs_join(tmp, "merged3");
    CHECK(tr_lora_merge(mf->dir, ad2, m3, &err) == IM_IO && !fs_exists(m3));
    free(m3), free(ad2), free(merged), free(ad), free(a), free(b);
}

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: test_train_unit DATA_DIR TMP_DIR\n"), 2;
    Err err = {0};
    tr_ckpt_remove(argv[2]);
    fs_mkdirs(argv[2], &err);
    char *model = fs_join(argv[2], "tiny");
    ModelInitOpts o = {.arch = ARCH_QWEN3, .size = "tiny", .dtype = ST_BF16, .seed = 3, .out = model, .data_dir = argv[1]};
    CHECK_MSG(model_init(&o, &err) == 0, "%s", err.msg);
    ModelFiles *mf = NULL;
    CHECK_MSG(model_open(model, &mf, &err) == 0, "%s", err.msg);
    if (!mf) return 1;
    test_data(mf, argv[2]);
    test_optim(argv[2]);
    test_ckpt(model, argv[2]);
    test_merge(mf, argv[2]);
    model_close(mf);
    free(model);
    if (!check_failures) tr_ckpt_remove(argv[2]);
    printf("%s\n", check_failures ? "FAIL" : "ok");
    return check_failures != 0;
}
