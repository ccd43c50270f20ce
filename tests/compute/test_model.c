/* test_model.c: `model init` writes a complete Hugging Face folder that
 * model_open accepts; the same seed gives the same bytes; the reference
 * forward gives finite, position-dependent logits; a config.json that
 * contradicts a tensor shape, or an unknown chat template, is an error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "fsutil.h"
#include "modelinit.h"
#include "ref.h"

static char *slurp(const char *dir, const char *name) {
    char *p = fs_join(dir, name), *t = NULL;
    Err e;
    fs_read_file(p, &t, NULL, &e);
    free(p);
    return t;
}

static void spit(const char *dir, const char *name, const char *text) {
    char *p = fs_join(dir, name);
    Err e;
    fs_write_atomic(p, text, strlen(text), &e);
    free(p);
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: test_model DATA\n"), 2;
    char d1[128], d2[128];
    snprintf(d1, sizeof d1, "/tmp/imagine_test_model_%ld_a", (long)getpid());
    snprintf(d2, sizeof d2, "/tmp/imagine_test_model_%ld_b", (long)getpid());
    Err err = {0};
    for (int arch = 0; arch < 2; arch++) {
        ModelInitOpts o = {.arch = (ModelArch)arch, .size = "tiny", .dtype = ST_BF16, .seed = 7, .out = d1, .data_dir = argv[1]};
        CHECK_MSG(model_init(&o, &err) == 0, "%s", err.msg);
        o.out = d2;
        CHECK(model_init(&o, &err) == 0);
        const char *files[] = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"};
        for (int i = 0; i < 5; i++) {
            char *p1 = fs_join(d1, files[i]), *p2 = fs_join(d2, files[i]), *a = NULL, *b = NULL;
            size_t la = 0, lb = 0;
            CHECK_MSG(fs_read_file(p1, &a, &la, &err) == 0, "%s", files[i]);
            fs_read_file(p2, &b, &lb, &err);
            CHECK_MSG(a && b && la == lb && !memcmp(a, b, la), "%s differs between two runs with the same seed", files[i]);
            free(a), free(b), free(p1), free(p2);
        }
        ModelFiles *m = NULL;
        CHECK_MSG(model_open(d1, &m, &err) == 0, "%s", err.msg);
        if (!m) return 1;
        CHECK(m->cfg.arch == (ModelArch)arch && m->has_chat && m->chat == (arch ? CHAT_LLAMA3 : CHAT_QWEN3));
        CHECK(m->n_eos >= 1 && m->cfg.vocab >= tok_n_vocab(m->tok));
        CHECK(arch ? (m->cfg.rope_kind == ROPE_LLAMA3 && !m->cfg.tied && m->w.lm_head != m->w.embed) : (m->cfg.qk_norm && m->cfg.tied));
        RefModel *r = NULL;
        CHECK(ref_create(m, 16, &r, &err) == 0);
        float *l0 = malloc(sizeof(float) * (size_t)m->cfg.vocab), *l1 = malloc(sizeof(float) * (size_t)m->cfg.vocab);
        ref_forward(r, 5, l0, NULL, &err);
        ref_forward(r, 5, l1, NULL, &err);
        int finite = 1, differ = 0;
        for (int i = 0; i < m->cfg.vocab; i++) finite &= isfinite(l0[i]) && isfinite(l1[i]), differ |= l0[i] != l1[i];
        CHECK(finite && differ);
        ref_reset(r);
        ref_forward(r, 5, l1, NULL, &err);
        CHECK(!memcmp(l0, l1, sizeof(float) * (size_t)m->cfg.vocab));
        free(l0), free(l1);
        ref_destroy(r);
        model_close(m);
        /* a config contradicting the tensors */
        char *cfg = slurp(d1, "config.json");
        char *edited = strdup(cfg);
        char *at = strstr(edited, "\"intermediate_size\": 128");
        CHECK(at != NULL);
        if (at) memcpy(at, "\"intermediate_size\": 130", 24);
        spit(d1, "config.json", edited);
        m = NULL;
        CHECK(model_open(d1, &m, &err) != 0 && m == NULL);
        CHECK_MSG(strstr(err.msg, "mlp.gate_proj.weight") && strstr(err.msg, "model.safetensors") && strstr(err.msg, "130"), "%s", err.msg);
        spit(d1, "config.json", cfg);
        free(cfg), free(edited);
        /* an unknown chat template: the folder opens, chat is refused with a reason */
        spit(d1, "tokenizer_config.json", "{\"chat_template\": \"{{ messages }}\"}");
        CHECK(model_open(d1, &m, &err) == 0 && !m->has_chat && strstr(m->chat_err.msg, "tokenizer_config.json"));
        model_close(m);
        /* a tokenizer.json without a model section */
        spit(d1, "tokenizer.json", "{\"version\": \"1.0\"}");
        CHECK(model_open(d1, &m, &err) != 0 && strstr(err.msg, "tokenizer.json") && strstr(err.msg, "model"));
    }
    ModelInitOpts bad = {.arch = ARCH_QWEN3, .size = "huge", .dtype = ST_F32, .out = d1, .data_dir = argv[1]};
    CHECK(model_init(&bad, &err) == IM_USAGE);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", d1, d2);
    CHECK(system(cmd) == 0);
    if (!check_failures) printf("model: ok\n");
    return check_failures != 0;
}
