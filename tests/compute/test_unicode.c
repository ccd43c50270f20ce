/* test_unicode.c: the text plumbing of the engine and its server.
 * - unorm: every line of Unicode's own conformance file NormalizationTest.txt
 *   (Debian's unicode-data, an independent oracle): NFC, NFD, NFKC, NFKD
 *   of each column as the file states;
 * - buf_json_strn: NUL bytes kept (\u0000), ill-formed UTF-8 as one U+FFFD
 *   per maximal subpart (Unicode's table 3-8 example);
 * - jreq_parse: strings with NUL keep their length; a lone surrogate, a
 *   trailing comma, bad escapes and deep nesting are errors naming the
 *   line, column and cause;
 * - tokenizer: the post-processor (Llama 3's BOS), the encode limit, NUL
 *   bytes, the normalizer, and chat messages holding NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "chat.h"
#include "fsutil.h"
#include "jsonreq.h"
#include "tokenizer.h"
#include "unorm.h"

/* "0044 0307" -> UTF-8 */
static void cps_utf8(const char *field, Buf *out) {
    buf_reset(out), buf_append(out, "", 0);
    for (char *e; *field; field = e) {
        unsigned long cp = strtoul(field, &e, 16);
        if (e == field) break;
        buf_put_utf8(out, (uint32_t)cp);
    }
}

static int same_form(UnormForm f, const Buf *in, const Buf *want) {
    Buf got;
    buf_init(&got);
    unorm_apply(f, in->data, in->len, &got);
    int ok = got.len == want->len && !memcmp(got.data, want->data, got.len);
    buf_free(&got);
    return ok;
}

static void normalization_test(const char *unicode_dir) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "python3 -c 'import bz2,sys; sys.stdout.buffer.write(bz2.open(sys.argv[1]).read())' %s/NormalizationTest.txt.bz2", unicode_dir);
    FILE *f = popen(cmd, "r");
    CHECK_MSG(f != NULL, "%s", cmd);
    if (!f) return;
    char line[2048];
    Buf c[5];
    for (int i = 0; i < 5; i++) buf_init(&c[i]);
    long lines = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '@' || !strchr(line, ';')) continue;
        char *p = line;
        for (int i = 0; i < 5; i++) {
            char *semi = strchr(p, ';');
            if (!semi) break;
            *semi = 0;
            cps_utf8(p, &c[i]);
            p = semi + 1;
        }
        lines++;
        /* the file's invariants: c2 == NFC(c1..c3), c4 == NFC(c4,c5); c3 == NFD(c1..c3), c5 == NFD(c4,c5);
         * c4 == NFKC(c1..c5); c5 == NFKD(c1..c5) */
        int ok = 1;
        for (int i = 0; i < 5; i++) {
            ok &= same_form(UNORM_NFC, &c[i], &c[i < 3 ? 1 : 3]);
            ok &= same_form(UNORM_NFD, &c[i], &c[i < 3 ? 2 : 4]);
            ok &= same_form(UNORM_NFKC, &c[i], &c[3]);
            ok &= same_form(UNORM_NFKD, &c[i], &c[4]);
        }
        if (!ok && bad++ < 5) fprintf(stderr, "NormalizationTest line %ld differs: %s\n", lines, line);
    }
    CHECK_MSG(pclose(f) == 0, "%s failed", cmd);
    CHECK_MSG(lines > 15000 && bad == 0, "NormalizationTest.txt: %ld of %ld lines differ", bad, lines);
    printf("unorm: %ld lines of NormalizationTest.txt, %ld differ\n", lines, bad);
    for (int i = 0; i < 5; i++) buf_free(&c[i]);
}

static void json_out(void) {
    Buf b;
    buf_init(&b);
    buf_json_strn(&b, "a\0b", 3);
    CHECK_MSG(!strcmp(b.data, "\"a\\u0000b\""), "%s", b.data);
    buf_reset(&b);
    /* Unicode 15, table 3-8: a F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
    buf_json_strn(&b, "a\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 13);
    CHECK_MSG(!strcmp(b.data, "\"a\\ufffd\\ufffd\\ufffdb\\ufffdc\\ufffd\\ufffdd\""), "%s", b.data);
    buf_reset(&b);
    buf_json_strn(&b, "\xe6\x97", 2); /* an incomplete character: one U+FFFD */
    CHECK_MSG(!strcmp(b.data, "\"\\ufffd\""), "%s", b.data);
    buf_reset(&b);
    buf_json_strn(&b, "\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80", 9); /* a surrogate, an overlong, > U+10FFFF: each byte */
    CHECK_MSG(!strcmp(b.data, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""), "%s", b.data);
    buf_free(&b);
}

static void json_in(void) {
    cJSON *j = NULL;
    Err err = {0};
    const char ok[] = "{\"p\": \"a\\u0000b\\ud83d\\ude00\", \"n\": [1, -2.5e3, true, null], \"s\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}";
    CHECK_MSG(jreq_parse(ok, strlen(ok), "body", &j, &err) == 0, "%s", err.msg);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "p");
    CHECK(jreq_len(p) == 7 && !memcmp(p->valuestring, "a\0b\xf0\x9f\x98\x80", 7));
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "n"), 1)->valuedouble == -2500);
    CHECK(!strcmp(cJSON_GetObjectItemCaseSensitive(j, "s")->valuestring, "\"\\/\b\f\n\r\t"));
    cJSON_Delete(j);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"p\": \"a\\ud800b\"}", "line 1, column 9: a lone UTF-16 high surrogate"},
        {"{\"p\": \"\\udc00\"}", "line 1, column 8: a lone UTF-16 low surrogate"},
        {"{\"p\": 1,\n}", "line 2, column 1: a member name"},
        {"[1, 2,]", "line 1, column 7: a value was expected"},
        {"{\"p\": \"\\x\"}", "an unknown escape"},
        {"{\"p\": \"a\nb\"}", "a control character"},
        {"{\"p\": \"\xff\"}", "invalid UTF-8"},
        {"{\"p\": 01}", "line 1, column 8: ',' or '}' was expected"},
        {"{} x", "more text after the JSON value"},
        {"\"open", "a string is not closed"},
        {"", "the text ends where a value was expected"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        j = NULL;
        int rc = jreq_parse(bad[i].text, strlen(bad[i].text), "the request body", &j, &err);
        CHECK_MSG(rc == IM_USAGE && !j && strstr(err.msg, bad[i].want) && strstr(err.msg, "the request body is not valid JSON"), "%s -> %s", bad[i].text, err.msg);
    }
    Buf deep;
    buf_init(&deep);
    for (int i = 0; i < 100; i++) buf_putc(&deep, '[');
    for (int i = 0; i < 100; i++) buf_putc(&deep, ']');
    CHECK(jreq_parse(deep.data, deep.len, "b", &j, &err) == IM_USAGE && strstr(err.msg, "nesting deeper than 64"));
    buf_free(&deep);
}

/* A small tokenizer.json: bytes, two merges, an added BOS, NFC, and a
 * TemplateProcessing post-processor; as Llama 3's file is shaped. */
static Tokenizer *small_tokenizer(int nfc, int bos) {
    TokShape shape = {.nfc = nfc, .bos = bos ? 0 : -1};
    const char *added[] = {"<|begin_of_text|>", "<|eot_id|>"};
    const int special[] = {1, 1};
    const char corpus[] = "caf\xc3\xa9 caf\xc3\xa9 the the the trip trip";
    Buf js;
    buf_init(&js);
    Err err = {0};
    Tokenizer *t = NULL;
    CHECK_MSG(tok_train(corpus, sizeof corpus - 1, TOK_REGEX_LLAMA3, 270, added, special, 2, &shape, &js, &err) == 0, "%s", err.msg);
    CHECK_MSG(tok_load_json(js.data, "small", &t, &err) == 0, "%s", err.msg);
    buf_free(&js);
    return t;
}

static void tokenizer(void) {
    Tokenizer *t = small_tokenizer(1, 1);
    if (!t) return;
    Err err = {0};
    int *a = NULL, *b = NULL, na = 0, nb = 0;
    int bos = tok_find(t, "<|begin_of_text|>");
    /* NFC: e + U+0301 encodes as the precomposed e-acute */
    tok_encode(t, "cafe\xcc\x81", 6, &a, &na, &err);
    tok_encode(t, "caf\xc3\xa9", 5, &b, &nb, &err);
    CHECK(na == nb && !memcmp(a, b, sizeof *a * (size_t)na));
    free(a), free(b);
    /* the post-processor: BOS only when asked; NUL bytes are text */
    tok_encode_special(t, "a\0b", 3, 0, 0, &a, &na, &err);
    tok_encode_special(t, "a\0b", 3, 1, 0, &b, &nb, &err);
    CHECK_MSG(na == 3 && nb == 4 && b[0] == bos && !memcmp(a, b + 1, sizeof *a * 3), "%d %d", na, nb);
    char *back = tok_decode(t, a, na, 0);
    CHECK(!memcmp(back, "a\0b", 4));
    free(back), free(a), free(b);
    /* the limit stops encoding soon after max_ids */
    Buf big;
    buf_init(&big);
    for (int i = 0; i < 20000; i++) buf_puts(&big, "trip x ");
    tok_encode_special(t, big.data, big.len, 1, 50, &a, &na, &err);
    CHECK_MSG(na > 50 && na < 100, "%d ids with a limit of 50", na);
    CHECK(tok_min_tokens(t, big.len) <= 40000 && tok_min_tokens(t, big.len) > 0);
    free(a), buf_free(&big);
    tok_free(t);
    t = small_tokenizer(0, 0);
    tok_encode(t, "cafe\xcc\x81", 6, &a, &na, &err);
    tok_encode(t, "caf\xc3\xa9", 5, &b, &nb, &err);
    CHECK_MSG(na != nb || memcmp(a, b, sizeof *a * (size_t)na), "without a normalizer e + U+0301 is not e-acute");
    back = tok_decode(t, a, na, 0);
    CHECK(!strcmp(back, "cafe\xcc\x81"));
    free(a), free(b), free(back);
    tok_free(t);
    /* chat messages holding NUL keep it */
    const char body[] = "{\"messages\": [{\"role\": \"user\", \"content\": \"x\\u0000y\"}]}";
    cJSON *j = NULL;
    CHECK(jreq_parse(body, sizeof body - 1, "b", &j, &err) == 0);
    ChatMsg *m = NULL;
    int n = 0;
    CHECK(chat_messages_from_json(j, "b", &m, &n, &err) == 0 && n == 1 && m[0].content_len == 3);
    Buf out;
    buf_init(&out);
    chat_render(CHAT_QWEN3, m, n, 0, 1, &out);
    CHECK(out.len == strlen("<|im_start|>user\nx") + 2 + strlen("<|im_end|>\n") && !memcmp(strstr(out.data, "x"), "x\0y<|im_end|>", 13));
    buf_free(&out), free(m), cJSON_Delete(j);
}

int main(int argc, char **argv) {
    normalization_test(argc > 1 ? argv[1] : "/usr/share/unicode");
    json_out();
    json_in();
    tokenizer();
    if (!check_failures) printf("unicode: ok\n");
    return check_failures != 0;
}
