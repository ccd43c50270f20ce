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
#include "unorm.h"

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

/* One step of the normalizer (a Sequence is flattened into steps). */
typedef struct NormStep {
    enum { NORM_UNICODE, NORM_PREPEND, NORM_REPLACE } kind;
    UnormForm form;
    char *a, *b; /* Prepend: a; Replace: a -> b */
} NormStep;

/* Added tokens matched in the text: raw (normalized = false, or no
 * normalizer) or in the normalized text (content normalized at load). */
typedef struct AddedSet {
    int *id;
    char **text;
    size_t *len;
    int n;
    unsigned char first[256]; /* bytes an entry starts with */
} AddedSet;

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
    AddedSet raw, normed; /* longest content first */
    NormStep *norm;
    int nnorm;
    int *pre, *post; /* the post-processor's ids around a single sequence */
    int npre, npost;
    size_t longest;  /* bytes of the longest token string */
    pcre2_code *re[4];
    int nre;
};

static void added_free(AddedSet *a) {
    for (int i = 0; i < a->n; i++) free(a->text[i]);
    free(a->id), free(a->text), free(a->len);
}

void tok_free(Tokenizer *t) {
    if (!t) return;
    for (int i = 0; i < t->n; i++) free(t->str[i]);
    for (int i = 0; i < t->nmerges; i++) free(t->mkeys[i]);
    for (int i = 0; i < t->nnorm; i++) free(t->norm[i].a), free(t->norm[i].b);
    added_free(&t->raw), added_free(&t->normed);
    free(t->norm), free(t->pre), free(t->post);
    free(t->str), free(t->flags), free(t->mkeys);
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

/* ---- normalizer, added tokens, post-processor ---- */

static int load_norm(Tokenizer *t, const cJSON *p, const char *name, Err *err) {
    if (!p || cJSON_IsNull(p)) return IM_OK;
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(p, "type");
    const char *s = cJSON_IsString(ty) ? ty->valuestring : "";
    if (!strcmp(s, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "normalizers");
        if (!cJSON_IsArray(list)) return err_set(err, IM_IO, "%s: normalizer Sequence: field normalizers (an array) is missing", name);
        int rc = IM_OK;
        for (const cJSON *e = list->child; e && !rc; e = e->next) rc = load_norm(t, e, name, err);
        return rc;
    }
    NormStep st = {0};
    static const char *const forms[] = {"NFC", "NFD", "NFKC", "NFKD"};
    for (int f = 0; f < 4 && s; f++)
        if (!strcmp(s, forms[f])) st.kind = NORM_UNICODE, st.form = (UnormForm)f, s = NULL;
    if (s && !strcmp(s, "Prepend")) {
        const cJSON *pp = cJSON_GetObjectItemCaseSensitive(p, "prepend");
        if (!cJSON_IsString(pp)) return err_set(err, IM_IO, "%s: normalizer Prepend: field prepend (a string) is missing", name);
        st.kind = NORM_PREPEND, st.a = strdup(pp->valuestring), s = NULL;
    } else if (s && !strcmp(s, "Replace")) {
        const cJSON *pat = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "pattern"), "String");
        const cJSON *ct = cJSON_GetObjectItemCaseSensitive(p, "content");
        if (!cJSON_IsString(pat) || !pat->valuestring[0] || !cJSON_IsString(ct))
            return err_set(err, IM_IO, "%s: normalizer Replace: {\"pattern\": {\"String\": ...}, \"content\": ...} expected (Regex patterns are not supported)", name);
        st.kind = NORM_REPLACE, st.a = strdup(pat->valuestring), st.b = strdup(ct->valuestring), s = NULL;
    }
    if (s) return err_set(err, IM_IO, "%s: normalizer \"%s\" is not supported (Sequence, NFC, NFD, NFKC, NFKD, Prepend, Replace)", name, s);
    NormStep *nn = realloc(t->norm, sizeof *nn * (size_t)(t->nnorm + 1));
    if (!nn) return err_set(err, IM_IO, "out of memory");
    t->norm = nn;
    t->norm[t->nnorm++] = st;
    return IM_OK;
}

/* Applies the normalizer steps to s[0..n), into out. */
static void normalize(const Tokenizer *t, const char *s, size_t n, Buf *out) {
    Buf a, b;
    buf_init(&a), buf_init(&b);
    buf_append(&a, s, n);
    for (int i = 0; i < t->nnorm; i++) {
        const NormStep *st = &t->norm[i];
        buf_reset(&b), buf_append(&b, "", 0);
        if (st->kind == NORM_UNICODE) unorm_apply(st->form, a.data, a.len, &b);
        else if (st->kind == NORM_PREPEND) {
            if (a.len) buf_puts(&b, st->a), buf_append(&b, a.data, a.len);
        } else {
            size_t pl = strlen(st->a);
            for (size_t k = 0; k < a.len;) {
                if (a.len - k >= pl && !memcmp(a.data + k, st->a, pl)) buf_puts(&b, st->b), k += pl;
                else buf_putc(&b, a.data[k++]);
            }
        }
        Buf tmp = a;
        a = b, b = tmp;
    }
    buf_append(out, a.data, a.len);
    buf_free(&a), buf_free(&b);
}

static void added_push(AddedSet *a, int id, const char *text, size_t len) {
    a->id = realloc(a->id, sizeof *a->id * (size_t)(a->n + 1));
    a->text = realloc(a->text, sizeof *a->text * (size_t)(a->n + 1));
    a->len = realloc(a->len, sizeof *a->len * (size_t)(a->n + 1));
    if (!a->id || !a->text || !a->len) abort();
    a->text[a->n] = malloc(len + 1);
    memcpy(a->text[a->n], text, len), a->text[a->n][len] = 0;
    a->id[a->n] = id, a->len[a->n] = len, a->n++;
    a->first[(unsigned char)text[0]] = 1;
}

/* Longest content first (an insertion sort: a few hundred entries). */
static void added_sort(AddedSet *a) {
    for (int i = 1; i < a->n; i++)
        for (int j = i; j > 0 && a->len[j - 1] < a->len[j]; j--) {
            int id = a->id[j];
            char *tx = a->text[j];
            size_t l = a->len[j];
            a->id[j] = a->id[j - 1], a->text[j] = a->text[j - 1], a->len[j] = a->len[j - 1];
            a->id[j - 1] = id, a->text[j - 1] = tx, a->len[j - 1] = l;
        }
}

static int load_added(Tokenizer *t, const cJSON *added, const char *name, Err *err) {
    int i = 0;
    for (const cJSON *e = added ? added->child : NULL; e; e = e->next, i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id"), *ct = cJSON_GetObjectItemCaseSensitive(e, "content");
        if (!cJSON_IsNumber(id) || !cJSON_IsString(ct) || !ct->valuestring[0])
            return err_set(err, IM_IO, "%s: added_tokens[%d]: id and non-empty content expected", name, i);
        int rc = set_token(t, id->valueint, ct->valuestring, err, name);
        if (rc) return rc;
        int special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special"));
        const cJSON *nz = cJSON_GetObjectItemCaseSensitive(e, "normalized");
        int normalized = cJSON_IsBool(nz) ? cJSON_IsTrue(nz) : !special; /* Hugging Face's default */
        t->flags[id->valueint] = 1 | (special ? 2 : 0);
        if (normalized && t->nnorm) {
            Buf b;
            buf_init(&b);
            normalize(t, ct->valuestring, strlen(ct->valuestring), &b);
            if (b.len) added_push(&t->normed, id->valueint, b.data, b.len);
            buf_free(&b);
        } else
            added_push(&t->raw, id->valueint, ct->valuestring, strlen(ct->valuestring));
    }
    added_sort(&t->raw), added_sort(&t->normed);
    return IM_OK;
}

static int push_ids(int **v, int *n, const int *ids, int k) {
    int *nv = realloc(*v, sizeof *nv * (size_t)(*n + k + 1));
    if (!nv) return -1;
    if (k) memcpy(nv + *n, ids, sizeof *ids * (size_t)k);
    *v = nv, *n += k;
    return 0;
}

/* TemplateProcessing's single: special tokens before and after "A". */
static int load_template(Tokenizer *t, const cJSON *p, const char *name, Err *err) {
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(p, "single"), *sp = cJSON_GetObjectItemCaseSensitive(p, "special_tokens");
    if (!cJSON_IsArray(single)) return err_set(err, IM_IO, "%s: post_processor TemplateProcessing: field single (an array) is missing", name);
    int *pre = NULL, *post = NULL, npre = 0, npost = 0, seen_a = 0, rc = IM_OK;
    for (const cJSON *e = single->child; e && !rc; e = e->next) {
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(e, "Sequence"), *tok = cJSON_GetObjectItemCaseSensitive(e, "SpecialToken");
        const cJSON *sid = cJSON_GetObjectItemCaseSensitive(seq ? seq : tok, "id");
        if (!cJSON_IsString(sid)) rc = err_set(err, IM_IO, "%s: post_processor TemplateProcessing: single: {\"Sequence\"} or {\"SpecialToken\"} with an id expected", name);
        else if (seq) {
            if (strcmp(sid->valuestring, "A") || seen_a) rc = err_set(err, IM_IO, "%s: post_processor TemplateProcessing: single must hold sequence A once", name);
            seen_a = 1;
        } else {
            const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sp, sid->valuestring), "ids");
            int k = 0, buf[16];
            for (const cJSON *x = cJSON_IsArray(ids) ? ids->child : NULL; x && k < 16; x = x->next)
                if (cJSON_IsNumber(x) && x->valueint >= 0 && x->valueint < t->n) buf[k++] = x->valueint;
            if (!k || k != cJSON_GetArraySize(ids))
                rc = err_set(err, IM_IO, "%s: post_processor TemplateProcessing: special_tokens[\"%s\"].ids: known token ids expected", name, sid->valuestring);
            else if (push_ids(seen_a ? &post : &pre, seen_a ? &npost : &npre, buf, k)) rc = err_set(err, IM_IO, "out of memory");
        }
    }
    if (!rc && !seen_a) rc = err_set(err, IM_IO, "%s: post_processor TemplateProcessing: single lacks sequence A", name);
    /* a later processor wraps what the earlier ones made */
    if (!rc && (push_ids(&pre, &npre, t->pre, t->npre) || push_ids(&t->post, &t->npost, post, npost))) rc = err_set(err, IM_IO, "out of memory");
    if (!rc) free(t->pre), t->pre = pre, t->npre = npre, pre = NULL;
    free(pre), free(post);
    return rc;
}

static int load_post(Tokenizer *t, const cJSON *p, const char *name, Err *err) {
    if (!p || cJSON_IsNull(p)) return IM_OK;
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(p, "type");
    const char *s = cJSON_IsString(ty) ? ty->valuestring : "";
    if (!strcmp(s, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(p, "processors");
        if (!cJSON_IsArray(list)) return err_set(err, IM_IO, "%s: post_processor Sequence: field processors (an array) is missing", name);
        int rc = IM_OK;
        for (const cJSON *e = list->child; e && !rc; e = e->next) rc = load_post(t, e, name, err);
        return rc;
    }
    if (!strcmp(s, "ByteLevel")) return IM_OK; /* offsets only: the ids are unchanged */
    if (!strcmp(s, "TemplateProcessing")) return load_template(t, p, name, err);
    if (!strcmp(s, "BertProcessing") || !strcmp(s, "RobertaProcessing")) { /* [cls] A [sep] */
        const cJSON *cls = cJSON_GetObjectItemCaseSensitive(p, "cls"), *sep = cJSON_GetObjectItemCaseSensitive(p, "sep");
        const cJSON *ci = cJSON_GetArrayItem(cls, 1), *si = cJSON_GetArrayItem(sep, 1);
        if (!cJSON_IsNumber(ci) || !cJSON_IsNumber(si)) return err_set(err, IM_IO, "%s: post_processor %s: cls and sep as [token, id] expected", name, s);
        int c = ci->valueint, e = si->valueint;
        int *pre = NULL, npre = 0;
        if (push_ids(&pre, &npre, &c, 1) || push_ids(&pre, &npre, t->pre, t->npre) || push_ids(&t->post, &t->npost, &e, 1)) {
            free(pre);
            return err_set(err, IM_IO, "out of memory");
        }
        free(t->pre), t->pre = pre, t->npre = npre;
        return IM_OK;
    }
    return err_set(err, IM_IO, "%s: post_processor \"%s\" is not supported (Sequence, ByteLevel, TemplateProcessing, BertProcessing, RobertaProcessing)", name, s);
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
    if (!rc) rc = load_norm(t, cJSON_GetObjectItemCaseSensitive(j, "normalizer"), name, err);
    if (!rc) rc = load_added(t, cJSON_GetObjectItemCaseSensitive(j, "added_tokens"), name, err);
    if (!rc) rc = load_pretok(t, cJSON_GetObjectItemCaseSensitive(j, "pre_tokenizer"), name, err);
    if (!rc) rc = load_post(t, cJSON_GetObjectItemCaseSensitive(j, "post_processor"), name, err);
    for (int i = 0; i < t->n; i++)
        if (t->str[i] && strlen(t->str[i]) > t->longest) t->longest = strlen(t->str[i]);
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
    int limit; /* stop encoding past this many ids (0: no limit) */
} IdVec;

static int full(const IdVec *v) { return v->limit && v->n > v->limit; }

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
    while (off <= len && !full(out)) {
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
    if (last < len && !full(out)) split(t, k + 1, p + last, len - last, md, out);
}

/* The longest added token of set a at text[i..len), or -1. */
static int added_at(const AddedSet *a, const char *text, size_t i, size_t len, size_t *hl) {
    if (!a->first[(unsigned char)text[i]]) return -1;
    for (int k = 0; k < a->n; k++)
        if (a->len[k] <= len - i && !memcmp(text + i, a->text[k], a->len[k])) return *hl = a->len[k], a->id[k];
    return -1;
}

/* Splits text on the added tokens of set a; the pieces between go to
 * `rest` (normalized text to the pre-tokenizer, raw text to normalizing). */
static void split_added(const Tokenizer *t, const AddedSet *a, const char *text, size_t len, pcre2_match_data *md, IdVec *v,
                        void (*rest)(const Tokenizer *, const char *, size_t, pcre2_match_data *, IdVec *)) {
    size_t seg = 0;
    for (size_t i = 0; i < len && !full(v);) {
        size_t hl = 0;
        int hit = a->n ? added_at(a, text, i, len, &hl) : -1;
        if (hit < 0) {
            i++;
            continue;
        }
        if (i > seg) rest(t, text + seg, i - seg, md, v);
        push(v, hit);
        i += hl, seg = i;
    }
    if (len > seg && !full(v)) rest(t, text + seg, len - seg, md, v);
}

static void pretokenize(const Tokenizer *t, const char *s, size_t len, pcre2_match_data *md, IdVec *v) { split(t, 0, s, len, md, v); }

static void normalize_then_split(const Tokenizer *t, const char *s, size_t len, pcre2_match_data *md, IdVec *v) {
    if (!t->nnorm) {
        split(t, 0, s, len, md, v);
        return;
    }
    Buf b;
    buf_init(&b);
    normalize(t, s, len, &b);
    split_added(t, &t->normed, b.data, b.len, md, v, pretokenize);
    buf_free(&b);
}

int tok_encode_special(const Tokenizer *t, const char *text, size_t len, int add_special, int max_ids, int **ids, int *n, Err *err) {
    (void)err;
    IdVec v = {.limit = max_ids > 0 ? max_ids : 0};
    if (add_special)
        for (int i = 0; i < t->npre; i++) push(&v, t->pre[i]);
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    split_added(t, &t->raw, text, len, md, &v, normalize_then_split);
    pcre2_match_data_free(md);
    if (add_special)
        for (int i = 0; i < t->npost; i++) push(&v, t->post[i]);
    *ids = v.v ? v.v : malloc(sizeof(int));
    *n = v.n;
    return IM_OK;
}

int tok_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, Err *err) { return tok_encode_special(t, text, len, 0, 0, ids, n, err); }

size_t tok_min_tokens(const Tokenizer *t, size_t bytes) {
    size_t shrink = 1;
    for (int i = 0; i < t->nnorm; i++) {
        if (t->norm[i].kind == NORM_REPLACE && strlen(t->norm[i].b) < strlen(t->norm[i].a)) return 0;
        if (t->norm[i].kind == NORM_UNICODE) shrink *= 3; /* composition: at most 3 to 1 (Hangul L V T) */
    }
    return bytes / shrink / (t->longest ? t->longest : 1);
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
