/* modelinit.c: `model init` (random weights, trained tokenizer, HF files)
 * and model_open (config + safetensors + tokenizer + chat template). */
#include "modelinit.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"

uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

float rng_uniform(uint64_t *s) { return (float)(rng_next(s) >> 40) / 16777216.0f; }

float rng_normal(uint64_t *s) {
    float u1 = rng_uniform(s), u2 = rng_uniform(s);
    if (u1 < 1e-7f) u1 = 1e-7f;
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853f * u2);
}

typedef struct Shape {
    const char *name;
    int hidden, layers, heads, kv, head_dim, ffn, vocab, tok_vocab, tied_qwen, tied_llama;
} Shape;

static const Shape SHAPES[] = {
    {"tiny", 64, 2, 4, 2, 16, 128, 0, 512, 1, 0},
    {"small", 512, 8, 8, 4, 64, 1536, 32000, 4096, 1, 0},
    {"0.6b", 1024, 28, 16, 8, 128, 3072, 151936, 4096, 1, 1},
};

typedef struct TensorList {
    StTensor *t;
    int n, cap;
} TensorList;

static void add_tensor(TensorList *l, const char *name, StDtype dt, int64_t d0, int64_t d1, float std, float mean, uint64_t *rng) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->t = realloc(l->t, sizeof *l->t * (size_t)l->cap);
        if (!l->t) abort();
    }
    size_t n = (size_t)d0 * (size_t)(d1 ? d1 : 1);
    float *f = malloc(sizeof *f * n);
    void *data = malloc(st_dtype_size(dt) * n);
    if (!f || !data) abort();
    for (size_t i = 0; i < n; i++) f[i] = mean + std * rng_normal(rng);
    st_pack(dt, f, data, n);
    free(f);
    StTensor *t = &l->t[l->n++];
    memset(t, 0, sizeof *t);
    t->name = strdup(name), t->dtype = dt, t->ndim = d1 ? 2 : 1, t->shape[0] = d0, t->shape[1] = d1;
    t->data = data, t->nbytes = st_dtype_size(dt) * n;
}

static int write_text(const char *dir, const char *name, const char *text, Err *err) {
    char *p = fs_join(dir, name);
    int rc = fs_write_atomic(p, text, strlen(text), err);
    free(p);
    return rc;
}

static int read_corpus(const char *data, const char *corpus, Buf *out, Err *err) {
    if (corpus) { /* a text of the user's: e.g. a suite's prompts and answers */
        char *text = NULL;
        size_t len;
        if (fs_read_file(corpus, &text, &len, err)) return err->code;
        if (!len) {
            free(text);
            return err_set(err, IM_USAGE, "--corpus %s: the file is empty; the tokenizer needs text to learn from", corpus);
        }
        buf_append(out, text, len);
        free(text);
        return IM_OK;
    }
    const char *files[] = {"queries/train.jsonl", "queries/validation.jsonl"};
    int got = 0;
    for (int i = 0; i < 2; i++) {
        char *p = fs_join(data, files[i]), *text = NULL;
        size_t len;
        if (!fs_read_file(p, &text, &len, err)) buf_append(out, text, len), got++;
        free(text), free(p);
    }
    if (!got) return err_set(err, IM_IO, "cannot read %s/queries/train.jsonl: the tokenizer is trained on TravelPlanner text — pass --data DIR or set $IMAGINE_DATA", data);
    err_clear(err);
    return IM_OK;
}

int model_init(const ModelInitOpts *o, Err *err) {
    const Shape *s = NULL;
    for (size_t i = 0; i < sizeof SHAPES / sizeof *SHAPES; i++)
        if (!strcmp(SHAPES[i].name, o->size)) s = &SHAPES[i];
    if (!s) return err_set(err, IM_USAGE, "--size %s: tiny, small or 0.6b expected", o->size);
    Shape custom = *s; /* the size's shape with the caller's overrides */
    if (o->hidden) custom.hidden = o->hidden;
    if (o->layers) custom.layers = o->layers;
    if (o->heads) custom.heads = o->heads;
    if (o->kv_heads) custom.kv = o->kv_heads;
    if (o->head_dim) custom.head_dim = o->head_dim;
    if (o->ffn) custom.ffn = o->ffn;
    if (o->tok_vocab) custom.tok_vocab = o->tok_vocab, custom.vocab = 0; /* the vocab follows the tokenizer */
    if (custom.heads % custom.kv)
        return err_set(err, IM_USAGE, "--heads %d must be a multiple of --kv-heads %d (grouped-query attention)", custom.heads, custom.kv);
    s = &custom;
    int q = o->arch == ARCH_QWEN3;
    Buf corpus, tj;
    buf_init(&corpus), buf_init(&tj);
    int rc = read_corpus(o->data_dir, o->corpus, &corpus, err);
    static const char *qadd[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"};
    static const int qspec[] = {1, 1, 1, 0, 0};
    static const char *ladd[] = {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"};
    static const int lspec[] = {1, 1, 1, 1, 1};
    const char *const *added = q ? qadd : ladd;
    const int *spec = q ? qspec : lspec;
    TokShape shape = {.nfc = q, .bos = q ? -1 : 0}; /* as the real files: Qwen3 NFC, Llama 3 adds <|begin_of_text|> */
    if (!rc) rc = tok_train(corpus.data, corpus.len, q ? TOK_REGEX_QWEN : TOK_REGEX_LLAMA3, s->tok_vocab, added, spec, 5, &shape, &tj, err);
    buf_free(&corpus);
    Tokenizer *tok = NULL;
    if (!rc) rc = tok_load_json(tj.data, "trained tokenizer", &tok, err);
    if (rc) {
        buf_free(&tj);
        return rc;
    }
    int ntok = tok_n_vocab(tok);
    int base = ntok - 5; /* the added tokens follow the trained vocab */
    tok_free(tok);
    ModelConfig c = {0};
    c.arch = o->arch, c.hidden = s->hidden, c.layers = s->layers, c.n_heads = s->heads, c.n_kv_heads = s->kv;
    c.head_dim = s->head_dim, c.ffn = s->ffn, c.vocab = s->vocab ? s->vocab : (ntok + 63) / 64 * 64;
    c.eps = 1e-6f, c.dtype = o->dtype, c.qk_norm = q, c.tied = q ? s->tied_qwen : s->tied_llama;
    c.init_range = o->init_std > 0 ? o->init_std : 0;
    if (q) {
        c.rope_theta = 1000000.0, c.max_pos = 40960, c.bos = base + 0, c.eos[0] = base + 2, c.n_eos = 1;
    } else {
        c.rope_theta = 500000.0, c.max_pos = 131072, c.bos = base + 0, c.eos[0] = base + 1, c.eos[1] = base + 4, c.n_eos = 2;
        c.rope_kind = ROPE_LLAMA3, c.rope_factor = 32, c.rope_low = 1, c.rope_high = 4, c.rope_orig_max = 8192;
        c.eps = 1e-5f;
    }
    rc = fs_mkdirs(o->out, err);
    char *cj = model_config_json(&c);
    if (!rc) rc = write_text(o->out, "config.json", cj, err);
    free(cj);
    if (!rc) rc = write_text(o->out, "tokenizer.json", tj.data, err);
    buf_free(&tj);
    /* tokenizer_config.json */
    Buf b;
    buf_init(&b);
    buf_printf(&b, "{\n  \"add_bos_token\": false,\n  \"add_eos_token\": false,\n  \"added_tokens_decoder\": {");
    for (int i = 0; i < 5; i++) {
        buf_printf(&b, "%s\n    \"%d\": {\"content\": ", i ? "," : "", base + i);
        buf_json_str(&b, added[i]);
        buf_printf(&b, ", \"lstrip\": false, \"normalized\": false, \"rstrip\": false, \"single_word\": false, \"special\": %s}", spec[i] ? "true" : "false");
    }
    buf_printf(&b, "\n  },\n  \"bos_token\": ");
    if (q) buf_puts(&b, "null");
    else buf_json_str(&b, added[0]);
    buf_puts(&b, ",\n  \"chat_template\": ");
    buf_json_str(&b, chat_template_jinja(q ? CHAT_QWEN3 : CHAT_LLAMA3));
    buf_printf(&b, ",\n  \"clean_up_tokenization_spaces\": false,\n  \"eos_token\": ");
    buf_json_str(&b, q ? "<|im_end|>" : "<|eot_id|>");
    buf_printf(&b, ",\n  \"model_max_length\": %d,\n  \"pad_token\": ", c.max_pos);
    buf_json_str(&b, q ? "<|endoftext|>" : "<|end_of_text|>");
    buf_printf(&b, ",\n  \"tokenizer_class\": \"%s\"\n}\n", q ? "Qwen2Tokenizer" : "PreTrainedTokenizerFast");
    if (!rc) rc = write_text(o->out, "tokenizer_config.json", b.data, err);
    buf_reset(&b);
    if (q)
        buf_printf(&b, "{\n  \"bos_token_id\": %d,\n  \"do_sample\": true,\n  \"eos_token_id\": [%d, %d],\n  \"pad_token_id\": %d,\n  \"temperature\": 0.6,\n  \"top_k\": 20,\n  \"top_p\": 0.95,\n  \"transformers_version\": \"4.51.0\"\n}\n",
                   base, base + 2, base, base);
    else
        buf_printf(&b, "{\n  \"bos_token_id\": %d,\n  \"do_sample\": true,\n  \"eos_token_id\": [%d, %d],\n  \"temperature\": 0.6,\n  \"top_p\": 0.9,\n  \"transformers_version\": \"4.51.0\"\n}\n",
                   base, base + 1, base + 4);
    if (!rc) rc = write_text(o->out, "generation_config.json", b.data, err);
    buf_free(&b);
    if (rc) return rc;
    /* weights */
    uint64_t rng = o->seed * 0x9E3779B97F4A7C15ull + 12345;
    TensorList l = {0};
    int64_t D = c.hidden, Q = (int64_t)c.n_heads * c.head_dim, KV = (int64_t)c.n_kv_heads * c.head_dim, F = c.ffn;
    float sd = 1.0f / sqrtf((float)D), sf = 1.0f / sqrtf((float)F), sq = 1.0f / sqrtf((float)Q), se = 0.5f, sn = 0.1f;
    if (o->init_std > 0) sd = sf = sq = se = o->init_std, sn = 0; /* HF: N(0, initializer_range), norms 1 */
    add_tensor(&l, "model.embed_tokens.weight", c.dtype, c.vocab, D, se, 0, &rng);
    char n[160];
    for (int i = 0; i < c.layers; i++) {
#define T(suffix, d0, d1, std, mean) snprintf(n, sizeof n, "model.layers.%d.%s", i, suffix), add_tensor(&l, n, c.dtype, d0, d1, std, mean, &rng)
        T("input_layernorm.weight", D, 0, sn, 1.0f);
        T("self_attn.q_proj.weight", Q, D, sd, 0);
        T("self_attn.k_proj.weight", KV, D, sd, 0);
        T("self_attn.v_proj.weight", KV, D, sd, 0);
        T("self_attn.o_proj.weight", D, Q, sq, 0);
        if (q) {
            T("self_attn.q_norm.weight", c.head_dim, 0, sn, 1.0f);
            T("self_attn.k_norm.weight", c.head_dim, 0, sn, 1.0f);
        }
        T("post_attention_layernorm.weight", D, 0, sn, 1.0f);
        T("mlp.gate_proj.weight", F, D, sd, 0);
        T("mlp.up_proj.weight", F, D, sd, 0);
        T("mlp.down_proj.weight", D, F, sf, 0);
#undef T
    }
    add_tensor(&l, "model.norm.weight", c.dtype, D, 0, sn, 1.0f, &rng);
    if (!c.tied) add_tensor(&l, "lm_head.weight", c.dtype, c.vocab, D, sd, 0, &rng);
    char *p = fs_join(o->out, "model.safetensors");
    rc = st_write(p, l.t, l.n, err);
    free(p);
    for (int i = 0; i < l.n; i++) free(l.t[i].name), free((void *)l.t[i].data);
    free(l.t);
    return rc;
}

/* ---- opening a folder ---- */

static void read_eos(ModelFiles *m) {
    char *p = fs_join(m->dir, "generation_config.json"), *text = NULL;
    Err e = {0};
    if (!fs_read_file(p, &text, NULL, &e)) {
        cJSON *j = cJSON_Parse(text);
        cJSON *eos = cJSON_GetObjectItemCaseSensitive(j, "eos_token_id");
        if (cJSON_IsNumber(eos)) m->eos[m->n_eos++] = eos->valueint;
        for (cJSON *x = cJSON_IsArray(eos) ? eos->child : NULL; x && m->n_eos < 8; x = x->next)
            if (cJSON_IsNumber(x)) m->eos[m->n_eos++] = x->valueint;
        cJSON_Delete(j);
    }
    free(text), free(p);
    for (int i = 0; i < m->cfg.n_eos && m->n_eos < 8; i++)
        if (!model_is_eos(m, m->cfg.eos[i])) m->eos[m->n_eos++] = m->cfg.eos[i];
}

int model_is_eos(const ModelFiles *m, int id) {
    for (int i = 0; i < m->n_eos; i++)
        if (m->eos[i] == id) return 1;
    return 0;
}

int model_open(const char *dir, ModelFiles **out, Err *err) {
    *out = NULL;
    ModelFiles *m = calloc(1, sizeof *m);
    m->dir = strdup(dir);
    char *cp = fs_join(dir, "config.json"), *tp = fs_join(dir, "tokenizer.json"), *tcp = fs_join(dir, "tokenizer_config.json");
    int rc = model_config_load(cp, &m->cfg, err);
    if (!rc) rc = st_open(dir, &m->st, err);
    if (!rc && (rc = model_weights_bind(&m->cfg, m->st, &m->w, err))) err_prefix(err, "%s", dir);
    if (!rc) rc = tok_load(tp, &m->tok, err);
    if (!rc) m->has_chat = !chat_load(tcp, &m->chat, &m->chat_err);
    if (!rc) read_eos(m);
    free(cp), free(tp), free(tcp);
    if (rc) {
        model_close(m);
        return rc;
    }
    *out = m;
    return IM_OK;
}

void model_close(ModelFiles *m) {
    if (!m) return;
    model_weights_free(&m->w);
    st_close(m->st);
    tok_free(m->tok);
    free(m->dir), free(m);
}
