/* data.c: SFT samples from JSONL (chat messages or prompt-completion),
 * tokenized per segment with the loss mask on assistant tokens, and their
 * packing into micro-batches. No model code; no I/O beyond reading the
 * data file. */
#include "data.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* ---- one sample --------------------------------------------------------- */

typedef struct Toks {
    int *ids;
    unsigned char *mask;
    int n, cap;
} Toks;

static void toks_push(Toks *t, const int *ids, int n, int target) {
    if (t->n + n > t->cap) {
        while (t->n + n > t->cap) t->cap = t->cap ? 2 * t->cap : 256;
        t->ids = realloc(t->ids, sizeof *t->ids * (size_t)t->cap);
        t->mask = realloc(t->mask, (size_t)t->cap);
        if (!t->ids || !t->mask) abort();
    }
    memcpy(t->ids + t->n, ids, sizeof *ids * (size_t)n);
    memset(t->mask + t->n, target ? 1 : 0, (size_t)n);
    t->n += n;
}

static int encode_push(const ModelFiles *mf, const char *s, size_t len, int target, Toks *t, Err *err) {
    if (!len) return IM_OK;
    int *ids = NULL, n = 0;
    int rc = tok_encode(mf->tok, s, len, &ids, &n, err);
    if (!rc) toks_push(t, ids, n, target);
    free(ids);
    return rc;
}

/* The token that closes an assistant turn in the template. */
static int end_token(const ModelFiles *mf) {
    return tok_find(mf->tok, mf->chat == CHAT_QWEN3 ? "<|im_end|>" : "<|eot_id|>");
}

/* Renders msgs with the template: for each assistant message, the text
 * before it (with the generation header) is context and its content plus
 * the end token are targets; text after the end token is context. */
static int build_chat(const ModelFiles *mf, const ChatMsg *m, int n, Toks *t, Err *err) {
    int end = end_token(mf), rc = IM_OK;
    if (end < 0) return err_set(err, IM_IO, "%s: the tokenizer has no end-of-turn token for its chat template", mf->dir);
    Buf full, pre;
    buf_init(&full), buf_init(&pre);
    size_t done = 0;
    for (int i = 0; i < n && !rc; i++) {
        if (strcmp(m[i].role, "assistant")) continue;
        buf_reset(&pre), buf_reset(&full);
        chat_render(mf->chat, m, i, 1, 1, &pre);
        chat_render(mf->chat, m, i + 1, 0, 1, &full);
        if (pre.len < done || full.len < pre.len || memcmp(full.data, pre.data, pre.len))
            return buf_free(&full), buf_free(&pre), err_set(err, IM_IO, "chat template: the turn before message %d is not a prefix of the rendered conversation", i);
        rc = encode_push(mf, pre.data + done, pre.len - done, 0, t, err);
        int *ids = NULL, k = 0;
        if (!rc) rc = tok_encode(mf->tok, full.data + pre.len, full.len - pre.len, &ids, &k, err);
        int last = -1;
        for (int j = 0; j < k; j++)
            if (ids[j] == end) last = j;
        if (!rc && last < 0) rc = err_set(err, IM_IO, "message %d: the rendered assistant turn has no end-of-turn token", i);
        if (!rc) toks_push(t, ids, last + 1, 1), toks_push(t, ids + last + 1, k - last - 1, 0);
        free(ids);
        done = full.len;
    }
    buf_free(&full), buf_free(&pre);
    return rc;
}

/* TRL's plain prompt-completion: prompt text, then completion + EOS as targets. */
static int build_plain(const ModelFiles *mf, const char *prompt, const char *completion, Toks *t, Err *err) {
    int rc = encode_push(mf, prompt, strlen(prompt), 0, t, err);
    if (!rc) rc = encode_push(mf, completion, strlen(completion), 1, t, err);
    if (!rc && mf->n_eos) toks_push(t, &mf->eos[0], 1, 1);
    return rc;
}

/* Appends a message list field (array of {role, content}) to msgs. */
static int add_messages(const cJSON *arr, const char *what, ChatMsg **msgs, int *n, Err *err) {
    ChatMsg *part = NULL;
    int k = 0, rc = chat_messages_from_json(arr, what, &part, &k, err);
    if (rc) return rc;
    *msgs = realloc(*msgs, sizeof **msgs * (size_t)(*n + k));
    if (!*msgs) abort();
    memcpy(*msgs + *n, part, sizeof *part * (size_t)k);
    *n += k;
    free(part);
    return IM_OK;
}

static int build_line(const cJSON *j, const ModelFiles *mf, Toks *t, Err *err) {
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "prompt"), *c = cJSON_GetObjectItemCaseSensitive(j, "completion");
    if (!msgs && cJSON_IsString(p) && cJSON_IsString(c)) return build_plain(mf, p->valuestring, c->valuestring, t, err);
    if (!mf->has_chat) {
        *err = mf->chat_err;
        return err->code ? err->code : IM_IO;
    }
    ChatMsg *m = NULL;
    int n = 0, rc;
    if (msgs) rc = add_messages(msgs, "messages", &m, &n, err);
    else if (cJSON_IsArray(p) && cJSON_IsArray(c)) {
        rc = add_messages(p, "prompt", &m, &n, err);
        if (!rc) rc = add_messages(c, "completion", &m, &n, err);
    } else
        rc = err_set(err, IM_USAGE, "neither \"messages\" nor \"prompt\" + \"completion\" (both strings or both message lists)");
    int has_assistant = 0;
    for (int i = 0; !rc && i < n; i++) has_assistant |= !strcmp(m[i].role, "assistant");
    if (!rc && has_assistant) rc = build_chat(mf, m, n, t, err);
    free(m);
    return rc;
}

/* ---- the file ----------------------------------------------------------- */

int tr_data_parse(const char *text, const char *name, const ModelFiles *mf, int max_len, TrData *out, Err *err) {
    memset(out, 0, sizeof *out);
    int line = 0, cap = 0, rc = IM_OK;
    const char *s = text;
    while (*s && !rc) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        line++;
        const char *q = s;
        s = e ? e + 1 : s + len;
        while (len && (*q == ' ' || *q == '\t' || *q == '\r')) q++, len--;
        if (!len) continue;
        out->n_lines++;
        cJSON *j = cJSON_ParseWithLength(q, len);
        if (!cJSON_IsObject(j)) {
            cJSON_Delete(j);
            rc = err_set(err, IM_IO, "%s:%d: not a JSON object", name, line);
            break;
        }
        Toks t = {0};
        rc = build_line(j, mf, &t, err);
        cJSON_Delete(j);
        if (rc) {
            err_prefix(err, "%s:%d", name, line);
            free(t.ids), free(t.mask);
            break;
        }
        int nt = 0;
        for (int i = 1; i < t.n; i++) nt += t.mask[i]; /* token 0 is never predicted */
        if (t.n > out->longest) out->longest = t.n;
        if (t.n > max_len) {
            if (!out->n_too_long) out->first_too_long = line;
            out->n_too_long++;
        } else if (!nt)
            out->n_no_target++;
        if (t.n > max_len || !nt) {
            free(t.ids), free(t.mask);
            continue;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            out->s = realloc(out->s, sizeof *out->s * (size_t)cap);
            if (!out->s) abort();
        }
        out->s[out->n++] = (TrSample){t.ids, t.mask, t.n, nt, line};
        out->tokens += t.n, out->targets += nt;
    }
    if (!rc && !out->n)
        rc = err_set(err, IM_USAGE, "%s: no usable sample (%d lines, %d longer than --max-len %d, %d without an assistant turn)", name,
                     out->n_lines, out->n_too_long, max_len, out->n_no_target);
    if (rc) tr_data_free(out);
    return rc;
}

int tr_data_load(const char *path, const ModelFiles *mf, int max_len, TrData *out, Err *err) {
    char *text = NULL;
    memset(out, 0, sizeof *out);
    int rc = fs_read_text(path, &text, NULL, err);
    if (!rc) rc = tr_data_parse(text, path, mf, max_len, out, err);
    free(text);
    return rc;
}

void tr_data_free(TrData *d) {
    if (!d) return;
    for (int i = 0; i < d->n; i++) free(d->s[i].ids), free(d->s[i].mask);
    free(d->s);
    memset(d, 0, sizeof *d);
}

/* ---- order and packing -------------------------------------------------- */

void tr_data_order(int n, uint64_t seed, int epoch, int *perm) {
    uint64_t st = seed * 0x9E3779B97F4A7C15ull ^ ((uint64_t)epoch + 1) * 0xD1B54A32D192ED03ull;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(rng_next(&st) % (uint64_t)(i + 1)), x = perm[i];
        perm[i] = perm[j], perm[j] = x;
    }
}

int tr_batch_pack(const TrData *d, const int *order, int n_order, int *at, int batch_tokens, TrBatch *b, Err *err) {
    memset(b, 0, sizeof *b);
    if (*at >= n_order) return err_set(err, IM_USAGE, "no sample left to pack");
    int rows = 0, k = *at;
    while (k < n_order && (k == *at || rows + d->s[order[k]].n <= batch_tokens)) rows += d->s[order[k++]].n;
    b->n = rows, b->n_seq = k - *at;
    b->tok = malloc(sizeof *b->tok * (size_t)rows), b->pos = malloc(sizeof *b->pos * (size_t)rows);
    b->tgt = malloc(sizeof *b->tgt * (size_t)rows), b->w = malloc(sizeof *b->w * (size_t)rows);
    b->seg = malloc(sizeof *b->seg * (size_t)rows), b->seq_start = malloc(sizeof *b->seq_start * (size_t)(b->n_seq + 1));
    if (!b->tok || !b->pos || !b->tgt || !b->w || !b->seg || !b->seq_start) abort();
    int r = 0;
    for (int q = 0; q < b->n_seq; q++) {
        const TrSample *s = &d->s[order[*at + q]];
        b->seq_start[q] = r;
        for (int i = 0; i < s->n; i++, r++) {
            b->tok[r] = s->ids[i], b->pos[r] = i, b->seg[r] = q;
            int t = i + 1 < s->n && s->mask[i + 1];
            b->tgt[r] = t ? s->ids[i + 1] : -1, b->w[r] = t ? 1.0f : 0.0f;
            b->n_target += t;
        }
    }
    b->seq_start[b->n_seq] = r;
    *at = k;
    return IM_OK;
}

void tr_batch_scale(TrBatch *b, float s) {
    for (int i = 0; i < b->n; i++) b->w[i] *= s;
}

void tr_batch_free(TrBatch *b) {
    if (!b) return;
    free(b->tok), free(b->pos), free(b->tgt), free(b->w), free(b->seg), free(b->seq_start);
    memset(b, 0, sizeof *b);
}
