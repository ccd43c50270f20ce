/* tokenizer_train.c: trains a byte-level BPE on a text and writes it as a
 * Hugging Face tokenizer.json. Deterministic: the most frequent pair wins,
 * ties go to the smaller (left id, right id). Pair counts are updated
 * incrementally; each merge scans the words that hold the pair. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tokenizer.h"
#include "tokenizer_internal.h"

typedef struct Word {
    int *sym;
    int n;
    long count;
} Word;

/* open addressing: (a,b) -> count */
typedef struct PairMap {
    uint64_t *key;
    long *val;
    size_t cap, n;
} PairMap;

static size_t pm_slot(const PairMap *m, uint64_t k) {
    size_t h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 17) & (m->cap - 1);
    while (m->key[h] != UINT64_MAX && m->key[h] != k) h = (h + 1) & (m->cap - 1);
    return h;
}

static void pm_add(PairMap *m, int a, int b, long d) {
    if (2 * (m->n + 1) > m->cap) {
        PairMap g = {0};
        g.cap = m->cap ? 2 * m->cap : 1 << 16;
        g.key = malloc(sizeof *g.key * g.cap), g.val = calloc(g.cap, sizeof *g.val);
        if (!g.key || !g.val) abort();
        memset(g.key, 0xff, sizeof *g.key * g.cap);
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i] != UINT64_MAX) {
                size_t s = pm_slot(&g, m->key[i]);
                g.key[s] = m->key[i], g.val[s] = m->val[i], g.n++;
            }
        free(m->key), free(m->val);
        *m = g;
    }
    uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    size_t s = pm_slot(m, k);
    if (m->key[s] == UINT64_MAX) m->key[s] = k, m->val[s] = 0, m->n++;
    m->val[s] += d;
}

int tok_train(const char *text, size_t len, const char *regex, int n_vocab, const char *const *added,
              const int *special, int n_added, const TokShape *shape, Buf *out, Err *err) {
    TokBytes tb;
    tokb_table(&tb);
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
    if (!re) return err_set(err, IM_IO, "tokenizer training: bad regex at offset %zu", (size_t)eo);
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    /* 1. count the pre-tokens */
    StrMap seen;
    strmap_init(&seen);
    Word *w = NULL;
    size_t nw = 0, cw = 0;
    char **keys = NULL;
    size_t off = 0;
    while (off < len) {
        int r = pcre2_match(re, (PCRE2_SPTR)text, len, off, 0, md, NULL);
        if (r < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (e == s) {
            off = e + 1;
            continue;
        }
        int found = strmap_getn(&seen, text + s, e - s);
        if (found >= 0) w[found].count++;
        else {
            if (nw == cw) {
                cw = cw ? 2 * cw : 4096;
                w = realloc(w, sizeof *w * cw), keys = realloc(keys, sizeof *keys * cw);
                if (!w || !keys) abort();
            }
            keys[nw] = strndup(text + s, e - s);
            int ins;
            strmap_upsert(&seen, keys[nw], (int)nw, &ins);
            w[nw].n = (int)(e - s), w[nw].count = 1;
            w[nw].sym = malloc(sizeof(int) * (e - s));
            for (size_t i = s; i < e; i++) w[nw].sym[i - s] = (unsigned char)text[i];
            nw++;
        }
        off = e;
    }
    pcre2_match_data_free(md), pcre2_code_free(re);
    strmap_free(&seen);
    /* 2. token strings: 256 bytes, then merges */
    int ntok = 256, cap = n_vocab > 256 ? n_vocab : 256;
    char **tok = calloc((size_t)cap, sizeof *tok);
    int (*mg)[2] = calloc((size_t)cap, sizeof *mg);
    for (int b = 0; b < 256; b++) tok[b] = strdup(tb.enc[b]);
    PairMap pm = {0};
    for (size_t i = 0; i < nw; i++)
        for (int k = 0; k + 1 < w[i].n; k++) pm_add(&pm, w[i].sym[k], w[i].sym[k + 1], w[i].count);
    while (ntok < n_vocab) {
        long best = 1;
        uint64_t bk = UINT64_MAX;
        for (size_t i = 0; i < pm.cap; i++)
            if (pm.key[i] != UINT64_MAX && (pm.val[i] > best || (pm.val[i] == best && bk != UINT64_MAX && pm.key[i] < bk)))
                best = pm.val[i], bk = pm.key[i];
        if (bk == UINT64_MAX) break;
        int a = (int)(bk >> 32), b = (int)(bk & 0xffffffffu), id = ntok++;
        size_t la = strlen(tok[a]), lb = strlen(tok[b]);
        tok[id] = malloc(la + lb + 1);
        memcpy(tok[id], tok[a], la), memcpy(tok[id] + la, tok[b], lb + 1);
        mg[id][0] = a, mg[id][1] = b;
        for (size_t i = 0; i < nw; i++) {
            Word *x = &w[i];
            int j = 0, hit = 0;
            for (int k = 0; k < x->n; k++)
                if (k + 1 < x->n && x->sym[k] == a && x->sym[k + 1] == b) hit = 1;
            if (!hit) continue;
            for (int k = 0; k + 1 < x->n; k++) pm_add(&pm, x->sym[k], x->sym[k + 1], -x->count);
            for (int k = 0; k < x->n; k++) {
                if (k + 1 < x->n && x->sym[k] == a && x->sym[k + 1] == b) x->sym[j++] = id, k++;
                else x->sym[j++] = x->sym[k];
            }
            x->n = j;
            for (int k = 0; k + 1 < x->n; k++) pm_add(&pm, x->sym[k], x->sym[k + 1], x->count);
        }
    }
    /* 3. tokenizer.json */
    buf_puts(out, "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [");
    for (int i = 0; i < n_added; i++) {
        buf_printf(out, "%s\n    {\"id\": %d, \"content\": ", i ? "," : "", ntok + i);
        buf_json_str(out, added[i]);
        buf_printf(out, ", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": %s}",
                   special[i] ? "true" : "false");
    }
    buf_printf(out, "\n  ],\n  \"normalizer\": %s,\n", shape && shape->nfc ? "{\"type\": \"NFC\"}" : "null");
    buf_puts(out, "  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": ");
    buf_json_str(out, regex);
    buf_puts(out, "}, \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": false}]},\n");
    if (shape && shape->bos >= 0 && shape->bos < n_added) {
        Buf bos;
        buf_init(&bos);
        buf_json_str(&bos, added[shape->bos]);
        const char *b = bos.data;
        int id = ntok + shape->bos;
        buf_puts(out, "  \"post_processor\": {\"type\": \"Sequence\", \"processors\": [{\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": true}, ");
        buf_printf(out, "{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": %s, \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}], ", b);
        buf_printf(out, "\"pair\": [{\"SpecialToken\": {\"id\": %s, \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": %s, \"type_id\": 1}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}], ", b, b);
        buf_printf(out, "\"special_tokens\": {%s: {\"id\": %s, \"ids\": [%d], \"tokens\": [%s]}}}]},\n", b, b, id, b);
        buf_free(&bos);
    } else
        buf_puts(out, "  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": false},\n");
    buf_puts(out, "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": false},\n");
    buf_puts(out, "  \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": \"\", \"end_of_word_suffix\": \"\", \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n    \"vocab\": {");
    for (int i = 0; i < ntok; i++) {
        buf_puts(out, i ? ", " : "");
        buf_json_str(out, tok[i]);
        buf_printf(out, ": %d", i);
    }
    buf_puts(out, "},\n    \"merges\": [");
    for (int i = 256; i < ntok; i++) {
        buf_puts(out, i > 256 ? ", [" : "[");
        buf_json_str(out, tok[mg[i][0]]);
        buf_puts(out, ", ");
        buf_json_str(out, tok[mg[i][1]]);
        buf_puts(out, "]");
    }
    buf_puts(out, "]\n  }\n}\n");
    for (int i = 0; i < ntok; i++) free(tok[i]);
    for (size_t i = 0; i < nw; i++) free(w[i].sym), free(keys[i]);
    free(tok), free(mg), free(w), free(keys), free(pm.key), free(pm.val);
    return IM_OK;
}
