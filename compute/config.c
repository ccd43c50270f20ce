/* config.c: config.json parsing and writing, RoPE frequencies, and the
 * tensor-name binding with shape checks. No tensor data is touched. */
#include "config.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"

const char *model_arch_name(ModelArch a) { return a == ARCH_QWEN3 ? "qwen3" : "llama"; }

static int get_int(cJSON *j, const char *path, const char *key, int *out, int required, Err *err) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return err_set(err, IM_IO, "%s: field %s is missing (an integer was expected)", path, key);
        return IM_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0)
        return err_set(err, IM_IO, "%s: field %s: a non-negative integer was expected", path, key);
    *out = (int)v->valuedouble;
    return IM_OK;
}

static int get_num(cJSON *j, const char *path, const char *key, double *out, int required, Err *err) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return err_set(err, IM_IO, "%s: field %s is missing (a number was expected)", path, key);
        return IM_OK;
    }
    if (!cJSON_IsNumber(v)) return err_set(err, IM_IO, "%s: field %s: a number was expected", path, key);
    *out = v->valuedouble;
    return IM_OK;
}

int model_config_load(const char *path, ModelConfig *c, Err *err) {
    memset(c, 0, sizeof *c);
    char *text = NULL;
    int rc = fs_read_file(path, &text, NULL, err);
    if (rc) return rc;
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return err_set(err, IM_IO, "%s: not a JSON object", path);
    }
    cJSON *mt = cJSON_GetObjectItemCaseSensitive(j, "model_type");
    if (!cJSON_IsString(mt)) rc = err_set(err, IM_IO, "%s: field model_type is missing (\"qwen3\" or \"llama\" expected)", path);
    else if (!strcmp(mt->valuestring, "qwen3")) c->arch = ARCH_QWEN3;
    else if (!strcmp(mt->valuestring, "llama")) c->arch = ARCH_LLAMA;
    else rc = err_set(err, IM_IO, "%s: model_type \"%s\" is not supported (qwen3 or llama expected)", path, mt->valuestring);
    double eps = 1e-6, theta = 10000;
    c->bos = -1;
    if (!rc) rc = get_int(j, path, "vocab_size", &c->vocab, 1, err);
    if (!rc) rc = get_int(j, path, "hidden_size", &c->hidden, 1, err);
    if (!rc) rc = get_int(j, path, "num_hidden_layers", &c->layers, 1, err);
    if (!rc) rc = get_int(j, path, "num_attention_heads", &c->n_heads, 1, err);
    c->n_kv_heads = c->n_heads;
    if (!rc) rc = get_int(j, path, "num_key_value_heads", &c->n_kv_heads, 0, err);
    if (!rc) rc = get_int(j, path, "intermediate_size", &c->ffn, 1, err);
    c->max_pos = 2048;
    if (!rc) rc = get_int(j, path, "max_position_embeddings", &c->max_pos, 0, err);
    if (!rc) rc = get_num(j, path, "rms_norm_eps", &eps, 1, err);
    if (!rc) rc = get_num(j, path, "rope_theta", &theta, 0, err);
    if (!rc) rc = get_int(j, path, "bos_token_id", &c->bos, 0, err);
    if (!rc) rc = get_num(j, path, "initializer_range", &c->init_range, 0, err);
    if (!rc && c->n_heads) {
        c->head_dim = c->hidden / c->n_heads;
        rc = get_int(j, path, "head_dim", &c->head_dim, 0, err);
    }
    c->eps = (float)eps, c->rope_theta = theta;
    cJSON *tie = cJSON_GetObjectItemCaseSensitive(j, "tie_word_embeddings");
    c->tied = tie ? cJSON_IsTrue(tie) : 0;
    c->qk_norm = c->arch == ARCH_QWEN3;
    c->dtype = ST_BF16;
    cJSON *td = cJSON_GetObjectItemCaseSensitive(j, "torch_dtype");
    if (!rc && cJSON_IsString(td)) {
        int d = st_dtype_parse(td->valuestring);
        if (d < 0) rc = err_set(err, IM_IO, "%s: torch_dtype \"%s\" is not supported (float32, float16 or bfloat16)", path, td->valuestring);
        else c->dtype = (StDtype)d;
    }
    cJSON *ab = cJSON_GetObjectItemCaseSensitive(j, "attention_bias");
    if (!rc && cJSON_IsTrue(ab)) rc = err_set(err, IM_IO, "%s: attention_bias true is not supported", path);
    cJSON *eos = cJSON_GetObjectItemCaseSensitive(j, "eos_token_id");
    if (!rc && cJSON_IsNumber(eos)) c->eos[c->n_eos++] = eos->valueint;
    else if (!rc && cJSON_IsArray(eos))
        for (cJSON *e = eos->child; e && c->n_eos < 4; e = e->next)
            if (cJSON_IsNumber(e)) c->eos[c->n_eos++] = e->valueint;
    cJSON *rs = cJSON_GetObjectItemCaseSensitive(j, "rope_scaling");
    if (!rc && cJSON_IsObject(rs)) {
        cJSON *ty = cJSON_GetObjectItemCaseSensitive(rs, "rope_type");
        if (!ty) ty = cJSON_GetObjectItemCaseSensitive(rs, "type");
        const char *t = cJSON_IsString(ty) ? ty->valuestring : "";
        c->rope_factor = 1;
        rc = get_num(rs, path, "factor", &c->rope_factor, 0, err);
        if (!strcmp(t, "default")) c->rope_kind = ROPE_DEFAULT;
        else if (!strcmp(t, "linear")) c->rope_kind = ROPE_LINEAR;
        else if (!strcmp(t, "llama3")) {
            c->rope_kind = ROPE_LLAMA3;
            if (!rc) rc = get_num(rs, path, "low_freq_factor", &c->rope_low, 1, err);
            if (!rc) rc = get_num(rs, path, "high_freq_factor", &c->rope_high, 1, err);
            if (!rc) rc = get_int(rs, path, "original_max_position_embeddings", &c->rope_orig_max, 1, err);
            if (rc) err_prefix(err, "rope_scaling");
        } else if (!rc) rc = err_set(err, IM_IO, "%s: rope_scaling.rope_type \"%s\" is not supported (default, linear or llama3)", path, t);
    }
    if (!rc && (!c->vocab || !c->hidden || !c->layers || !c->n_heads || !c->n_kv_heads || !c->head_dim || !c->ffn))
        rc = err_set(err, IM_IO, "%s: sizes must be positive", path);
    if (!rc && c->n_heads % c->n_kv_heads)
        rc = err_set(err, IM_IO, "%s: num_attention_heads %d is not a multiple of num_key_value_heads %d", path, c->n_heads, c->n_kv_heads);
    if (!rc && c->head_dim % 2) rc = err_set(err, IM_IO, "%s: head_dim %d must be even for RoPE", path, c->head_dim);
    cJSON_Delete(j);
    return rc;
}

char *model_config_json(const ModelConfig *c) {
    Buf b;
    buf_init(&b);
    int q = c->arch == ARCH_QWEN3;
    buf_printf(&b, "{\n  \"architectures\": [\"%s\"],\n  \"model_type\": \"%s\",\n", q ? "Qwen3ForCausalLM" : "LlamaForCausalLM", q ? "qwen3" : "llama");
    buf_printf(&b, "  \"attention_bias\": false,\n  \"attention_dropout\": 0.0,\n  \"bos_token_id\": %d,\n", c->bos);
    if (c->n_eos == 1) buf_printf(&b, "  \"eos_token_id\": %d,\n", c->eos[0]);
    else {
        buf_puts(&b, "  \"eos_token_id\": [");
        for (int i = 0; i < c->n_eos; i++) buf_printf(&b, "%s%d", i ? ", " : "", c->eos[i]);
        buf_puts(&b, "],\n");
    }
    buf_printf(&b, "  \"head_dim\": %d,\n  \"hidden_act\": \"silu\",\n  \"hidden_size\": %d,\n  \"initializer_range\": %g,\n", c->head_dim, c->hidden,
               c->init_range > 0 ? c->init_range : 0.02);
    buf_printf(&b, "  \"intermediate_size\": %d,\n  \"max_position_embeddings\": %d,\n", c->ffn, c->max_pos);
    buf_printf(&b, "  \"num_attention_heads\": %d,\n  \"num_hidden_layers\": %d,\n  \"num_key_value_heads\": %d,\n", c->n_heads, c->layers, c->n_kv_heads);
    buf_printf(&b, "  \"rms_norm_eps\": %g,\n", (double)c->eps);
    if (c->rope_kind == ROPE_LLAMA3)
        buf_printf(&b, "  \"rope_scaling\": {\"factor\": %g, \"high_freq_factor\": %g, \"low_freq_factor\": %g, \"original_max_position_embeddings\": %d, \"rope_type\": \"llama3\"},\n",
                   c->rope_factor, c->rope_high, c->rope_low, c->rope_orig_max);
    else if (c->rope_kind == ROPE_LINEAR) buf_printf(&b, "  \"rope_scaling\": {\"factor\": %g, \"rope_type\": \"linear\"},\n", c->rope_factor);
    else buf_puts(&b, "  \"rope_scaling\": null,\n");
    buf_printf(&b, "  \"rope_theta\": %.1f,\n  \"tie_word_embeddings\": %s,\n", c->rope_theta, c->tied ? "true" : "false");
    buf_printf(&b, "  \"torch_dtype\": \"%s\",\n", c->dtype == ST_F32 ? "float32" : c->dtype == ST_F16 ? "float16" : "bfloat16");
    buf_printf(&b, "  \"transformers_version\": \"4.51.0\",\n  \"use_cache\": true,\n  \"vocab_size\": %d\n}\n", c->vocab);
    return buf_take(&b);
}

void model_config_inv_freq(const ModelConfig *c, float *out) {
    int half = c->head_dim / 2;
    for (int i = 0; i < half; i++) {
        double f = 1.0 / pow(c->rope_theta, (2.0 * i) / c->head_dim);
        if (c->rope_kind == ROPE_LINEAR) f /= c->rope_factor;
        else if (c->rope_kind == ROPE_LLAMA3) {
            double low_wl = c->rope_orig_max / c->rope_low, high_wl = c->rope_orig_max / c->rope_high;
            double wl = 2 * M_PI / f;
            if (wl > low_wl) f /= c->rope_factor;
            else if (wl >= high_wl) {
                double s = (c->rope_orig_max / wl - c->rope_low) / (c->rope_high - c->rope_low);
                f = (1 - s) * f / c->rope_factor + s * f;
            }
        }
        out[i] = (float)f;
    }
}

static int bind(const StModel *st, const char *name, int nd, int64_t d0, int64_t d1, const StTensor **out, Err *err) {
    const StTensor *t = st_find(st, name);
    if (!t) return err_set(err, IM_IO, "tensor %s is missing from the safetensors files", name);
    int ok = t->ndim == nd && t->shape[0] == d0 && (nd == 1 || t->shape[1] == d1);
    if (!ok) {
        char got[96] = "", want[64];
        for (int i = 0; i < t->ndim; i++) snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? ", " : "", (long long)t->shape[i]);
        if (nd == 1) snprintf(want, sizeof want, "%lld", (long long)d0);
        else snprintf(want, sizeof want, "%lld, %lld", (long long)d0, (long long)d1);
        return err_set(err, IM_IO, "%s: tensor %s has shape [%s] but config.json implies [%s]", t->file, name, got, want);
    }
    *out = t;
    return IM_OK;
}

int model_weights_bind(const ModelConfig *c, const StModel *st, ModelWeights *w, Err *err) {
    memset(w, 0, sizeof *w);
    w->layer = calloc((size_t)c->layers, sizeof *w->layer);
    if (!w->layer) return err_set(err, IM_IO, "out of memory");
    int64_t D = c->hidden, Q = (int64_t)c->n_heads * c->head_dim, KV = (int64_t)c->n_kv_heads * c->head_dim, F = c->ffn;
    int rc = bind(st, "model.embed_tokens.weight", 2, c->vocab, D, &w->embed, err);
    if (!rc) rc = bind(st, "model.norm.weight", 1, D, 0, &w->norm, err);
    if (!rc) {
        if (c->tied && !st_find(st, "lm_head.weight")) w->lm_head = w->embed;
        else rc = bind(st, "lm_head.weight", 2, c->vocab, D, &w->lm_head, err);
    }
    char n[160];
#define B(field, suffix, nd, a, b)                                                  \
    if (!rc) {                                                                      \
        snprintf(n, sizeof n, "model.layers.%d.%s", l, suffix);                    \
        rc = bind(st, n, nd, a, b, &L->field, err);                                \
    }
    for (int l = 0; l < c->layers && !rc; l++) {
        LayerWeights *L = &w->layer[l];
        B(attn_norm, "input_layernorm.weight", 1, D, 0);
        B(wq, "self_attn.q_proj.weight", 2, Q, D);
        B(wk, "self_attn.k_proj.weight", 2, KV, D);
        B(wv, "self_attn.v_proj.weight", 2, KV, D);
        B(wo, "self_attn.o_proj.weight", 2, D, Q);
        if (c->qk_norm) {
            B(q_norm, "self_attn.q_norm.weight", 1, c->head_dim, 0);
            B(k_norm, "self_attn.k_norm.weight", 1, c->head_dim, 0);
        }
        B(ffn_norm, "post_attention_layernorm.weight", 1, D, 0);
        B(gate, "mlp.gate_proj.weight", 2, F, D);
        B(up, "mlp.up_proj.weight", 2, F, D);
        B(down, "mlp.down_proj.weight", 2, D, F);
    }
#undef B
    if (rc) model_weights_free(w);
    return rc;
}

void model_weights_free(ModelWeights *w) {
    if (!w) return;
    free(w->layer);
    w->layer = NULL;
}
