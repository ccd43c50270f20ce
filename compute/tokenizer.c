/* tokenizer.c: byte-level BPE encode/decode from tokenizer.json.
 *
 * Layout: the GPT-2 byte<->unicode table; loading (model, added tokens,
 * pre-tokenizer); encoding (added-token split, regex split, merges);
 * decoding. Training lives in tokenizer_train.c. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer.h"

#include <cJSON.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "strmap.h"
#include "tokenizer_internal.h"

const char TOK_REGEX_QWEN[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char TOK_REGEX_LLAMA3[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char GPT2_REGEX[] = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/* ---- the byte <-> unicode table ---- */

void tokb_table(TokBytes *tb) {
    int n = 0;
    memset(tb->cp_to_byte, -1, sizeof tb->cp_to_byte);
    for (int b = 0; b < 256; b++) {
        int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        int cp = keep ? b : 256 + n++;
        tb->cp_to_byte[cp] = (short)b;
        if (cp < 0x80) tb->enc[b][0] = (char)cp, tb->enc[b][1] = 0;
        else tb->enc[b][0] = (char)(0xC0 | (cp >> 6)), tb->enc[b][1] = (char)(0x80 | (cp & 0x3F)), tb->enc[b][2] = 0;
    }
}

/* Decodes a byte-level token string back to bytes; returns 0 on a char
 * outside the table. */
static int tokb_decode(const TokBytes *tb, const char *s, Buf *out) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int cp;
        if (*p < 0x80) cp = *p++;
        else if ((*p & 0xE0) == 0xC0 && p[1]) cp = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F), p += 2;
        else return 0;
        if (cp >= 512 || tb->cp_to_byte[cp] < 0) return 0;
        buf_putc(out, (char)tb->cp_to_byte[cp]);
    }
    return 1;
}

/* ---- loading ---- */

struct Tokenizer {
    TokBytes tb;
    char **str;      /* id -> vocab string (added tokens: content) */
    unsigned char *flags; /* 1 = added, 2 = special */
    int n;           /* ids 0..n-1 */
    StrMap vocab;    /* vocab string -> id */
    StrMap merges;   /* "a b" -> rank */
    char **mkeys;
    int nmerges;
    int ignore_merges;
    int *added;      /* added-token ids, longest content first */
    int nadded;
    pcre2_code *re[4];
    int nre;
};

void tok_free(Tokenizer *t) {
    if (!t) return;
    for (int i = 0; i < t->n; i++) free(t->str[i]);
    for (int i = 0; i < t->nmerges; i++) free(t->mkeys[i]);
    free(t->str), free(t->flags), free(t->mkeys), free(t->added);
    strmap_free(&t->vocab), strmap_free(&t->merges);
    for (int i = 0; i < t->nre; i++) pcre2_code_free(t->re[i]);
    free(t);
}

static int add_regex(Tokenizer *t, const char *pat, const char *name, Err *err) {
    if (t->nre == 4) return err_set(err, IM_IO, "%s: pre_tokenizer: more than 4 Split regexes", name);
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return err_set(err, IM_IO, "%s: pre_tokenizer regex at offset %zu: %s", name, (size_t)eo, (char *)msg);
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    t->re[t->nre++] = re;
    return IM_OK;
}

static int load_pretok(Tokenizer *t, cJSON *p, const char *name, Err *err) {
    if (!p || cJSON_IsNull(p)) return IM_OK;
    cJSON *ty = cJSON_GetObjectItemCaseSensitive(p, "type");
    const char *s = cJSON_IsString(ty) ? ty->valuestring : "";
    if (!strcmp(s, "Sequence")) {
        cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "pretokenizers");
        int rc = IM_OK;
        for (cJSON *e = list ? list->child : NULL; e && !rc; e = e->next) rc = load_pretok(t, e, name, err);
        return rc;
    }
    if (!strcmp(s, "Split")) {
        cJSON *pat = cJSON_GetObjectItemCaseSensitive(p, "pattern");
        cJSON *rx = cJSON_GetObjectItemCaseSensitive(pat, "Regex");
        cJSON *beh = cJSON_GetObjectItemCaseSensitive(p, "behavior");
        if (!cJSON_IsString(rx)) return err_set(err, IM_IO, "%s: pre_tokenizer Split: only {\"Regex\": ...} patterns are supported", name);
        if (cJSON_IsString(beh) && strcmp(beh->valuestring, "Isolated"))
            return err_set(err, IM_IO, "%s: pre_tokenizer Split: behavior %s is not supported (Isolated expected)", name, beh->valuestring);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "invert"))) return err_set(err, IM_IO, "%s: pre_tokenizer Split: invert is not supported", name);
        return add_regex(t, rx->valuestring, name, err);
    }
    if (!strcmp(s, "ByteLevel")) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "add_prefix_space")))
            return err_set(err, IM_IO, "%s: pre_tokenizer ByteLevel: add_prefix_space is not supported", name);
        cJSON *ur = cJSON_GetObjectItemCaseSensitive(p, "use_regex");
        if (!ur || cJSON_IsTrue(ur)) return add_regex(t, GPT2_REGEX, name, err);
        return IM_OK;
    }
    return err_set(err, IM_IO, "%s: pre_tokenizer type \"%s\" is not supported (Sequence, Split, ByteLevel)", name, s);
}

static int set_token(Tokenizer *t, int id, const char *s, Err *err, const char *name) {
    if (id < 0 || id > 50000000) return err_set(err, IM_IO, "%s: token id %d out of range", name, id);
    if (id >= t->n) {
        int nn = id + 1;
        char **ns = realloc(t->str, sizeof *ns * (size_t)nn);
        if (!ns) return err_set(err, IM_IO, "out of memory");
        t->str = ns;
        unsigned char *nf = realloc(t->flags, (size_t)nn);
        if (!nf) return err_set(err, IM_IO, "out of memory");
        t->flags = nf;
        for (int i = t->n; i < nn; i++) t->str[i] = NULL, t->flags[i] = 0;
        t->n = nn;
    }
    free(t->str[id]);
    t->str[id] = strdup(s);
    return IM_OK;
}

static int cmp_added(const void *a, const void *b, void *ctx) {
    const Tokenizer *t = ctx;
    size_t la = strlen(t->str[*(const int *)a]), lb = strlen(t->str[*(const int *)b]);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

int tok_load_json(const char *json, const char *name, Tokenizer **out, Err *err) {
    *out = NULL;
    cJSON *j = cJSON_Parse(json);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return err_set(err, IM_IO, "%s: not a JSON object", name);
    }
    Tokenizer *t = calloc(1, sizeof *t);
    tokb_table(&t->tb);
    strmap_init(&t->vocab), strmap_init(&t->merges);
    int rc = IM_OK;
    cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
    cJSON *mty = cJSON_GetObjectItemCaseSensitive(model, "type");
    cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!cJSON_IsObject(model)) rc = err_set(err, IM_IO, "%s: no \"model\" section (a BPE model with vocab and merges was expected)", name);
    else if (cJSON_IsString(mty) && strcmp(mty->valuestring, "BPE"))
        rc = err_set(err, IM_IO, "%s: model.type \"%s\" is not supported (BPE expected)", name, mty->valuestring);
    else if (!cJSON_IsObject(vocab)) rc = err_set(err, IM_IO, "%s: model.vocab: an object of token -> id was expected", name);
    else if (!cJSON_IsArray(merges)) rc = err_set(err, IM_IO, "%s: model.merges: an array was expected", name);
    else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "byte_fallback")))
        rc = err_set(err, IM_IO, "%s: model.byte_fallback is not supported (byte-level BPE expected)", name);
    t->ignore_merges = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "ignore_merges"));
    for (cJSON *e = vocab ? vocab->child : NULL; e && !rc; e = e->next) {
        if (!cJSON_IsNumber(e)) rc = err_set(err, IM_IO, "%s: model.vocab[%s]: an integer id was expected", name, e->string);
        else rc = set_token(t, e->valueint, e->string, err, name);
    }
    int nm = rc ? 0 : cJSON_GetArraySize(merges);
    t->mkeys = calloc((size_t)nm + 1, sizeof *t->mkeys);
    int rank = 0;
    for (cJSON *e = merges ? merges->child : NULL; e && !rc; e = e->next, rank++) {
        char *key = NULL;
        if (cJSON_IsString(e)) key = strdup(e->valuestring);
        else if (cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2 && cJSON_IsString(e->child) && cJSON_IsString(e->child->next)) {
            size_t la = strlen(e->child->valuestring), lb = strlen(e->child->next->valuestring);
            key = malloc(la + lb + 2);
            memcpy(key, e->child->valuestring, la), key[la] = ' ', memcpy(key + la + 1, e->child->next->valuestring, lb + 1);
        } else {
            rc = err_set(err, IM_IO, "%s: model.merges[%d]: \"a b\" or [\"a\", \"b\"] expected", name, rank);
            break;
        }
        t->mkeys[t->nmerges++] = key;
        int ins;
        strmap_upsert(&t->merges, key, rank, &ins);
    }
    cJSON *added = cJSON_GetObjectItemCaseSensitive(j, "added_tokens");
    int na = cJSON_GetArraySize(added);
    t->added = calloc((size_t)na + 1, sizeof *t->added);
    for (cJSON *e = added ? added->child : NULL; e && !rc; e = e->next) {
        cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id"), *ct = cJSON_GetObjectItemCaseSensitive(e, "content");
        if (!cJSON_IsNumber(id) || !cJSON_IsString(ct) || !ct->valuestring[0]) {
            rc = err_set(err, IM_IO, "%s: added_tokens[%d]: id and non-empty content expected", name, t->nadded);
            break;
        }
        rc = set_token(t, id->valueint, ct->valuestring, err, name);
        if (rc) break;
        t->flags[id->valueint] = 1 | (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special")) ? 2 : 0);
        t->added[t->nadded++] = id->valueint;
    }
    if (!rc) qsort_r(t->added, (size_t)t->nadded, sizeof *t->added, cmp_added, t);
    cJSON *norm = cJSON_GetObjectItemCaseSensitive(j, "normalizer");
    if (!rc && norm && !cJSON_IsNull(norm)) {
        cJSON *ty = cJSON_GetObjectItemCaseSensitive(norm, "type");
        if (!cJSON_IsString(ty) || strcmp(ty->valuestring, "NFC"))
            rc = err_set(err, IM_IO, "%s: normalizer %s is not supported (none or NFC)", name, cJSON_IsString(ty) ? ty->valuestring : "?");
    }
    if (!rc) rc = load_pretok(t, cJSON_GetObjectItemCaseSensitive(j, "pre_tokenizer"), name, err);
    for (int i = 0; i < t->n && !rc; i++) {
        if (!t->str[i]) continue;
        int ins;
        int *slot = strmap_upsert(&t->vocab, t->str[i], i, &ins);
        if (!ins && !(t->flags[i] & 1)) *slot = i;
    }
    /* every byte must have a token, or some text could not be encoded */
    for (int b = 0; b < 256 && !rc; b++)
        if (strmap_get(&t->vocab, t->tb.enc[b]) < 0) rc = err_set(err, IM_IO, "%s: model.vocab lacks the byte-level token for byte 0x%02x", name, b);
    cJSON_Delete(j);
    if (rc) {
        tok_free(t);
        return rc;
    }
    *out = t;
    return IM_OK;
}

int tok_load(const char *path, Tokenizer **out, Err *err) {
    char *text = NULL;
    int rc = fs_read_file(path, &text, NULL, err);
    if (rc) return rc;
    rc = tok_load_json(text, path, out, err);
    free(text);
    return rc;
}

int tok_n_vocab(const Tokenizer *t) { return t->n; }
int tok_is_special(const Tokenizer *t, int id) { return id >= 0 && id < t->n && (t->flags[id] & 2); }
int tok_find(const Tokenizer *t, const char *token) { return strmap_get(&t->vocab, token); }

/* ---- encoding ---- */

typedef struct IdVec {
    int *v;
    int n, cap;
} IdVec;

static void push(IdVec *v, int id) {
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 64;
        v->v = realloc(v->v, sizeof *v->v * (size_t)v->cap);
        if (!v->v) abort();
    }
    v->v[v->n++] = id;
}

/* BPE over one pre-token (raw bytes). */
static void bpe_word(const Tokenizer *t, const char *w, size_t len, IdVec *out) {
    Buf s;
    buf_init(&s);
    size_t nsym = 0, *start = malloc(sizeof *start * (len + 1)), *slen = malloc(sizeof *slen * (len + 1));
    for (size_t i = 0; i < len; i++) {
        const char *e = t->tb.enc[(unsigned char)w[i]];
        start[nsym] = s.len, slen[nsym] = strlen(e), nsym++;
        buf_puts(&s, e);
    }
    int whole = t->ignore_merges ? strmap_getn(&t->vocab, s.data, s.len) : -1;
    if (whole >= 0) {
        push(out, whole);
        goto done;
    }
    Buf key;
    buf_init(&key);
    /* symbols are (start, slen) ranges in s; merging two adjacent symbols
     * only works because they are adjacent in s too */
    while (nsym > 1) {
        int best = -1;
        size_t bi = 0;
        for (size_t i = 0; i + 1 < nsym; i++) {
            buf_reset(&key);
            buf_append(&key, s.data + start[i], slen[i]);
            buf_putc(&key, ' ');
            buf_append(&key, s.data + start[i + 1], slen[i + 1]);
            int r = strmap_getn(&t->merges, key.data, key.len);
            if (r >= 0 && (best < 0 || r < best)) best = r, bi = i;
        }
        if (best < 0) break;
        /* merge every occurrence of the best pair, left to right */
        const char *a = t->mkeys[best];
        size_t la = strcspn(a, " ");
        size_t lb = strlen(a) - la - 1, j = 0;
        for (size_t i = 0; i < nsym; i++) {
            if (i >= bi && i + 1 < nsym && slen[i] == la && slen[i + 1] == lb && !memcmp(s.data + start[i], a, la) &&
                !memcmp(s.data + start[i + 1], a + la + 1, lb)) {
                start[j] = start[i], slen[j] = la + lb, j++, i++;
            } else
                start[j] = start[i], slen[j] = slen[i], j++;
        }
        nsym = j;
    }
    for (size_t i = 0; i < nsym; i++) {
        int id = strmap_getn(&t->vocab, s.data + start[i], slen[i]);
        if (id < 0) { /* cannot happen: every byte has a token; merges produce vocab tokens */
            for (size_t k = start[i]; k < start[i] + slen[i];) {
                size_t cl = ((unsigned char)s.data[k] < 0x80) ? 1 : 2;
                int bid = strmap_getn(&t->vocab, s.data + k, cl);
                push(out, bid < 0 ? 0 : bid);
                k += cl;
            }
        } else
            push(out, id);
    }
    buf_free(&key);
done:
    buf_free(&s), free(start), free(slen);
}

/* Splits [p, p+len) by regex k (Isolated: matches and gaps are pieces), then
 * hands each piece to the next regex, and finally to BPE. */
static void split(const Tokenizer *t, int k, const char *p, size_t len, pcre2_match_data *md, IdVec *out) {
    if (!len) return;
    if (k == t->nre) {
        bpe_word(t, p, len, out);
        return;
    }
    size_t off = 0, last = 0;
    while (off <= len) {
        int r = pcre2_match(t->re[k], (PCRE2_SPTR)p, len, off, 0, md, NULL);
        if (r < 0) break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (s > last) split(t, k + 1, p + last, s - last, md, out);
        if (e > s) split(t, k + 1, p + s, e - s, md, out);
        last = e;
        if (e == s) {
            off = e + 1;
            while (off < len && ((unsigned char)p[off] & 0xC0) == 0x80) off++;
        } else
            off = e;
    }
    if (last < len) split(t, k + 1, p + last, len - last, md, out);
}

int tok_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, Err *err) {
    (void)err;
    IdVec v = {0};
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    size_t i = 0, seg = 0;
    while (i <= len) {
        int hit = -1;
        size_t hl = 0;
        if (i < len)
            for (int a = 0; a < t->nadded; a++) {
                const char *c = t->str[t->added[a]];
                size_t cl = strlen(c);
                if (cl <= len - i && !memcmp(text + i, c, cl)) {
                    hit = t->added[a], hl = cl;
                    break;
                }
            }
        if (hit >= 0 || i == len) {
            split(t, 0, text + seg, i - seg, md, &v);
            if (hit < 0) break;
            push(&v, hit);
            i += hl, seg = i;
        } else
            i++;
    }
    pcre2_match_data_free(md);
    *ids = v.v ? v.v : malloc(sizeof(int));
    *n = v.n;
    return IM_OK;
}

/* ---- decoding ---- */

int tok_piece(const Tokenizer *t, int id, int skip_special, Buf *out) {
    if (id < 0 || id >= t->n || !t->str[id]) return 0;
    if (t->flags[id] & 1) {
        if (!(skip_special && (t->flags[id] & 2))) buf_puts(out, t->str[id]);
        return 1;
    }
    if (!tokb_decode(&t->tb, t->str[id], out)) buf_puts(out, t->str[id]);
    return 1;
}

char *tok_decode(const Tokenizer *t, const int *ids, int n, int skip_special) {
    Buf b;
    buf_init(&b);
    buf_append(&b, "", 0);
    for (int i = 0; i < n; i++) tok_piece(t, ids[i], skip_special, &b);
    return buf_take(&b);
}
