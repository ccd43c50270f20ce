/* ckpt.c: checkpoint folders (atomic by rename), the PEFT adapter layout
 * and the LoRA merge. File I/O only; the numbers come from the caller. */
#include "ckpt.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

/* ---- folders ------------------------------------------------------------ */

static const char *const MODEL_FILES[] = {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                                          "special_tokens_map.json"};

/* realpath of path's deepest existing ancestor, with the rest appended
 * (out has PATH_MAX bytes; a longer result is cut, which only weakens the
 * inside-the-model check for absurd paths). */
static void resolve_loose(const char *path, char *out) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    size_t cut = strlen(p); /* p[0..cut) is the part tried; path + cut the rest */
    for (;;) {
        char real[PATH_MAX];
        p[cut] = 0;
        if (realpath(cut ? p : ".", real)) {
            size_t n = strlen(real);
            if (n == 1) n = 0; /* "/" */
            memcpy(out, real, n);
            const char *rest = path + cut;
            if (*rest && *rest != '/' && n + 1 < PATH_MAX) out[n++] = '/';
            size_t rl = strlen(rest);
            if (n + rl >= PATH_MAX) rl = PATH_MAX - 1 - n;
            memcpy(out + n, rest, rl);
            out[n + rl] = 0;
            return;
        }
        while (cut && p[cut - 1] != '/') cut--;
        while (cut > 1 && p[cut - 1] == '/') cut--;
        if (cut == 1 && p[0] == '/') continue; /* realpath("/") succeeds */
        if (cut == 1) cut = 0;
    }
}

int tr_ckpt_check_out(const char *model_dir, const char *out, Err *err) {
    char m[PATH_MAX], o[PATH_MAX];
    if (!realpath(model_dir, m)) return err_set(err, IM_IO, "cannot resolve %s: %s", model_dir, strerror(errno));
    resolve_loose(out, o);
    size_t lm = strlen(m);
    if (!strncmp(o, m, lm) && (o[lm] == 0 || o[lm] == '/'))
        return err_set(err, IM_USAGE, "--out %s is the input model's folder %s (or inside it): the input is never replaced; choose another folder", out, model_dir);
    if (fs_exists(out) && !fs_is_dir(out)) /* found before any step, not at the first checkpoint */
        return err_set(err, IM_USAGE, "--out %s exists and is not a folder: the output is a model folder; choose another path", out);
    return IM_OK;
}

static int copy_file(const char *src, const char *dst, Err *err) {
    char *text = NULL;
    size_t len = 0;
    int rc = fs_read_file(src, &text, &len, err);
    if (!rc) rc = fs_write_atomic(dst, text, len, err);
    free(text);
    return rc;
}

void tr_ckpt_remove(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = fs_join(path, e->d_name);
        tr_ckpt_remove(p);
        free(p);
    }
    closedir(d);
    rmdir(path);
}

int tr_ckpt_begin(const char *model_dir, const char *out, const char *name, char **tmp, Err *err) {
    *tmp = NULL;
    int rc = fs_mkdirs(out, err);
    if (rc) return rc;
    char leaf[512];
    snprintf(leaf, sizeof leaf, ".%s.tmp.%ld", name, (long)getpid());
    char *t = fs_join(out, leaf);
    tr_ckpt_remove(t);
    if (mkdir(t, 0777)) {
        rc = err_set(err, IM_IO, "cannot create %s: %s", t, strerror(errno));
        free(t);
        return rc;
    }
    for (size_t i = 0; !rc && i < sizeof MODEL_FILES / sizeof *MODEL_FILES; i++) {
        char *src = fs_join(model_dir, MODEL_FILES[i]), *dst = fs_join(t, MODEL_FILES[i]);
        if (fs_exists(src)) rc = copy_file(src, dst, err);
        free(src), free(dst);
    }
    if (rc) {
        tr_ckpt_remove(t);
        free(t);
        return rc;
    }
    *tmp = t;
    return IM_OK;
}

int tr_ckpt_write_tensors(const char *dir, const char *file, const TrTensorOut *t, int n, Err *err) {
    StTensor *ts = calloc((size_t)n, sizeof *ts);
    if (!ts) abort();
    for (int i = 0; i < n; i++) {
        size_t cnt = (size_t)t[i].shape[0] * (size_t)(t[i].ndim > 1 ? t[i].shape[1] : 1);
        void *data = malloc(st_dtype_size(t[i].dtype) * cnt);
        if (!data) abort();
        st_pack(t[i].dtype, t[i].data, data, cnt);
        ts[i].name = (char *)t[i].name, ts[i].dtype = t[i].dtype, ts[i].ndim = t[i].ndim;
        ts[i].shape[0] = t[i].shape[0], ts[i].shape[1] = t[i].shape[1];
        ts[i].data = data, ts[i].nbytes = st_dtype_size(t[i].dtype) * cnt;
    }
    char *p = fs_join(dir, file);
    int rc = st_write(p, ts, n, err);
    free(p);
    for (int i = 0; i < n; i++) free((void *)ts[i].data);
    free(ts);
    return rc;
}

int tr_ckpt_write_text(const char *dir, const char *file, const char *text, Err *err) {
    char *p = fs_join(dir, file);
    int rc = fs_write_atomic(p, text, strlen(text), err);
    free(p);
    return rc;
}

int tr_ckpt_commit(const char *tmp, const char *out, const char *name, Err *err) {
    char *final = fs_join(out, name);
    int rc = IM_OK;
    if (fs_exists(final)) {
        char old[4096];
        snprintf(old, sizeof old, "%s.old.%ld", final, (long)getpid());
        tr_ckpt_remove(old);
        if (rename(final, old)) rc = err_set(err, IM_IO, "cannot move %s aside: %s", final, strerror(errno));
        if (!rc && rename(tmp, final)) rc = err_set(err, IM_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
        if (!rc) tr_ckpt_remove(old);
    } else if (rename(tmp, final))
        rc = err_set(err, IM_IO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
    free(final);
    return rc;
}

void tr_ckpt_clean(const char *out) {
    DIR *d = opendir(out);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        int stale = (n[0] == '.' && (strstr(n, ".tmp.") || !strncmp(n, ".rollout.", 9))) || (!strncmp(n, "checkpoint-", 11) && strstr(n, ".old."));
        if (!stale) continue;
        char *p = fs_join(out, n);
        tr_ckpt_remove(p);
        free(p);
    }
    closedir(d);
}

int tr_ckpt_latest(const char *out, char **dir) {
    *dir = NULL;
    DIR *d = opendir(out);
    if (!d) return -1;
    int best = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        if (strncmp(e->d_name, "checkpoint-", 11)) continue;
        long n = strtol(e->d_name + 11, &end, 10);
        if (*end || end == e->d_name + 11 || n <= best || n > INT_MAX) continue;
        char *p = fs_join(out, e->d_name), *s = fs_join(p, "trainer_state.json");
        if (fs_exists(s)) {
            best = (int)n;
            free(*dir);
            *dir = p;
        } else
            free(p);
        free(s);
    }
    closedir(d);
    return best;
}

/* ---- LoRA --------------------------------------------------------------- */

static const char *const LORA_T[][2] = {{"q", "q_proj"},       {"k", "k_proj"},   {"v", "v_proj"},      {"o", "o_proj"},
                                        {"gate", "gate_proj"}, {"up", "up_proj"}, {"down", "down_proj"}};

const char *tr_lora_module(const char *target) {
    for (size_t i = 0; i < sizeof LORA_T / sizeof *LORA_T; i++)
        if (!strcmp(target, LORA_T[i][0]) || !strcmp(target, LORA_T[i][1])) return LORA_T[i][1];
    return NULL;
}

void tr_lora_name(const char *base_weight, char ab, char *out, size_t cap) {
    size_t n = strlen(base_weight);
    if (n > 7 && !strcmp(base_weight + n - 7, ".weight")) n -= 7;
    snprintf(out, cap, "base_model.model.%.*s.lora_%c.weight", (int)n, base_weight, ab);
}

void tr_lora_config_json(int r, double alpha, const char *const *modules, int n_modules, const char *base, Buf *out) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "peft_type", "LORA");
    cJSON_AddStringToObject(j, "task_type", "CAUSAL_LM");
    cJSON_AddStringToObject(j, "base_model_name_or_path", base);
    cJSON_AddNumberToObject(j, "r", r);
    cJSON_AddNumberToObject(j, "lora_alpha", alpha);
    cJSON_AddNumberToObject(j, "lora_dropout", 0.0);
    cJSON_AddStringToObject(j, "bias", "none");
    cJSON_AddBoolToObject(j, "fan_in_fan_out", 0);
    cJSON_AddBoolToObject(j, "use_rslora", 0);
    cJSON_AddBoolToObject(j, "use_dora", 0);
    cJSON_AddBoolToObject(j, "inference_mode", 1);
    cJSON_AddBoolToObject(j, "init_lora_weights", 1);
    cJSON_AddNullToObject(j, "modules_to_save");
    cJSON_AddNullToObject(j, "layers_to_transform");
    cJSON_AddItemToObject(j, "rank_pattern", cJSON_CreateObject());
    cJSON_AddItemToObject(j, "alpha_pattern", cJSON_CreateObject());
    cJSON *m = cJSON_AddArrayToObject(j, "target_modules");
    for (int i = 0; i < n_modules; i++) cJSON_AddItemToArray(m, cJSON_CreateString(modules[i]));
    char *s = cJSON_Print(j);
    buf_puts(out, s);
    buf_putc(out, '\n');
    free(s);
    cJSON_Delete(j);
}

void tr_adapter_free(TrAdapter *a) {
    if (!a) return;
    for (int i = 0; i < a->n; i++) free(a->pair[i].base);
    free(a->pair);
    st_close(a->st);
    memset(a, 0, sizeof *a);
}

int tr_adapter_load(const char *dir, TrAdapter *out, Err *err) {
    memset(out, 0, sizeof *out);
    char *cp = fs_join(dir, "adapter_config.json"), *wp = fs_join(dir, "adapter_model.safetensors"), *text = NULL;
    int rc = fs_read_file(cp, &text, NULL, err);
    cJSON *j = rc ? NULL : cJSON_Parse(text);
    free(text);
    if (!rc && !cJSON_IsObject(j)) rc = err_set(err, IM_IO, "%s: not a JSON object", cp);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "r"), *al = cJSON_GetObjectItemCaseSensitive(j, "lora_alpha");
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(j, "peft_type"), *rs = cJSON_GetObjectItemCaseSensitive(j, "use_rslora");
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(j, "fan_in_fan_out"), *dora = cJSON_GetObjectItemCaseSensitive(j, "use_dora");
    if (!rc && (!cJSON_IsString(pt) || strcmp(pt->valuestring, "LORA")))
        rc = err_set(err, IM_IO, "%s: peft_type: \"LORA\" expected", cp);
    if (!rc && (!cJSON_IsNumber(r) || r->valueint < 1)) rc = err_set(err, IM_IO, "%s: r: a positive integer expected", cp);
    if (!rc && !cJSON_IsNumber(al)) rc = err_set(err, IM_IO, "%s: lora_alpha: a number expected", cp);
    if (!rc && (cJSON_IsTrue(ff) || cJSON_IsTrue(dora)))
        rc = err_set(err, IM_IO, "%s: fan_in_fan_out and use_dora are not supported (plain LoRA on Linear layers only)", cp);
    if (!rc) {
        out->r = r->valueint, out->alpha = al->valuedouble;
        out->scale = cJSON_IsTrue(rs) ? out->alpha / sqrt((double)out->r) : out->alpha / out->r;
        rc = st_open_file(wp, &out->st, err);
    }
    cJSON_Delete(j);
    for (int i = 0; !rc && i < st_count(out->st); i++) {
        const StTensor *a = st_at(out->st, i);
        const char *nm = a->name;
        size_t len = strlen(nm);
        if (len < 32 || strncmp(nm, "base_model.model.", 17) || strcmp(nm + len - 14, ".lora_A.weight")) continue;
        char base[512], bname[512];
        snprintf(base, sizeof base, "%.*s.weight", (int)(len - 17 - 14), nm + 17);
        tr_lora_name(base, 'B', bname, sizeof bname);
        const StTensor *b = st_find(out->st, bname);
        if (!b) rc = err_set(err, IM_IO, "%s: %s has no %s", wp, nm, bname);
        else if (a->ndim != 2 || b->ndim != 2 || a->shape[0] != out->r || b->shape[1] != out->r)
            rc = err_set(err, IM_IO, "%s: %s [%lld, %lld] / lora_B [%lld, %lld]: [r, in] and [out, r] with r = %d expected", wp, nm,
                         (long long)a->shape[0], (long long)a->shape[1], (long long)b->shape[0], (long long)b->shape[1], out->r);
        if (rc) break;
        out->pair = realloc(out->pair, sizeof *out->pair * (size_t)(out->n + 1));
        if (!out->pair) abort();
        out->pair[out->n++] = (TrAdapterPair){strdup(base), a, b};
    }
    if (!rc && !out->n) rc = err_set(err, IM_IO, "%s: no lora_A/lora_B tensor pairs (PEFT names base_model.model.*.lora_A.weight expected)", wp);
    if (rc) tr_adapter_free(out);
    free(cp), free(wp);
    return rc;
}

void tr_lora_apply(float *w, int64_t out, int64_t in, const float *a, const float *b, int64_t r, double scale) {
    for (int64_t o = 0; o < out; o++)
        for (int64_t i = 0; i < in; i++) {
            double s = 0;
            for (int64_t k = 0; k < r; k++) s += (double)b[o * r + k] * a[k * in + i];
            w[o * in + i] = (float)((double)w[o * in + i] + scale * s);
        }
}

static float *to_f32(const StTensor *t) {
    size_t n = t->nbytes / st_dtype_size(t->dtype);
    float *f = malloc(sizeof *f * (n ? n : 1));
    if (!f) abort();
    for (size_t i = 0; i < n; i++) f[i] = st_get(t, i);
    return f;
}

static void split_path(const char *path, char *parent, char *leaf, size_t cap) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '/') tmp[--n] = 0;
    char *s = strrchr(tmp, '/');
    if (!s) snprintf(parent, cap, "."), snprintf(leaf, cap, "%s", tmp);
    else if (s == tmp) snprintf(parent, cap, "/"), snprintf(leaf, cap, "%s", s + 1);
    else *s = 0, snprintf(parent, cap, "%s", tmp), snprintf(leaf, cap, "%s", s + 1);
}

int tr_lora_merge(const char *base_dir, const char *adapter_dir, const char *out, Err *err) {
    int rc = tr_ckpt_check_out(base_dir, out, err);
    if (!rc) rc = tr_ckpt_check_out(adapter_dir, out, err);
    if (rc) return rc;
    if (fs_exists(out)) return err_set(err, IM_USAGE, "--out %s exists: the merge writes a new folder and replaces nothing; remove it or choose another", out);
    StModel *st = NULL;
    TrAdapter ad;
    rc = st_open(base_dir, &st, err);
    if (!rc) rc = tr_adapter_load(adapter_dir, &ad, err);
    if (rc) return st_close(st), rc;
    int n = st_count(st), used = 0;
    TrTensorOut *to = calloc((size_t)n, sizeof *to);
    float **vals = calloc((size_t)n, sizeof *vals);
    if (!to || !vals) abort();
    for (int i = 0; i < n && !rc; i++) {
        const StTensor *t = st_at(st, i);
        if (t->ndim > 2) {
            rc = err_set(err, IM_IO, "%s: tensor %s has %d dimensions (at most 2 expected)", base_dir, t->name, t->ndim);
            break;
        }
        vals[i] = to_f32(t);
        for (int p = 0; p < ad.n; p++) {
            if (strcmp(ad.pair[p].base, t->name)) continue;
            if (t->ndim != 2 || ad.pair[p].a->shape[1] != t->shape[1] || ad.pair[p].b->shape[0] != t->shape[0]) {
                rc = err_set(err, IM_IO, "%s: the adapter for %s does not match its shape [%lld, %lld]", adapter_dir, t->name,
                             (long long)t->shape[0], (long long)(t->ndim > 1 ? t->shape[1] : 1));
                break;
            }
            float *a = to_f32(ad.pair[p].a), *b = to_f32(ad.pair[p].b);
            tr_lora_apply(vals[i], t->shape[0], t->shape[1], a, b, ad.r, ad.scale);
            free(a), free(b);
            used++;
        }
        to[i] = (TrTensorOut){t->name, t->dtype, t->ndim, {t->shape[0], t->shape[1]}, vals[i]};
    }
    if (!rc && used != ad.n)
        rc = err_set(err, IM_IO, "%s: %d of the adapter's %d modules name no weight of %s (another base model?)", adapter_dir, ad.n - used, ad.n, base_dir);
    char parent[4096], leaf[4096], *tmp = NULL;
    split_path(out, parent, leaf, sizeof parent);
    if (!rc) rc = tr_ckpt_begin(base_dir, parent, leaf, &tmp, err);
    if (!rc) rc = tr_ckpt_write_tensors(tmp, "model.safetensors", to, n, err);
    if (!rc) rc = tr_ckpt_commit(tmp, parent, leaf, err);
    if (rc && tmp) tr_ckpt_remove(tmp);
    free(tmp);
    for (int i = 0; i < n; i++) free(vals[i]);
    free(vals), free(to);
    tr_adapter_free(&ad);
    st_close(st);
    return rc;
}
