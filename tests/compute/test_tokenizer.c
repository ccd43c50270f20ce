/* test_tokenizer.c: a BPE trained on TravelPlanner text (or a built-in
 * corpus when the data is absent) must give decode(encode(x)) == x on
 * queries, plans and unicode edge cases; added tokens are single ids;
 * broken tokenizer.json files and unknown chat templates are errors. */
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "../check.h"
#include "fsutil.h"
#include "tokenizer.h"

static const char *EDGE[] = {
    "",
    " ",
    "Hello, world!",
    "Please help me plan a trip from St. Petersburg to Rockford spanning 3 days, budget $1,700.",
    "  leading and trailing spaces   ",
    "tabs\tand\nnewlines\r\n\n\n",
    "numbers 1234567890 and 3.14159 and -42",
    "caf\xc3\xa9 na\xc3\xafve \xc3\xa0 la cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88",
    "emoji \xf0\x9f\x98\x80\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88 flags",
    "combining e\xcc\x81 and zero\xe2\x80\x8bwidth",
    "it's they're we've I'm you'll he'd IT'S",
    "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|><|im_end|><|im_start|>",
    "{\"days\": 1, \"current_city\": \"from Rockford to St. Petersburg\", \"breakfast\": \"-\"}",
    "\xe2\x82\xac\xc2\xa3\xc2\xa5 symbols \xe2\x88\x91\xe2\x88\x9a",
    "a\x01\x02\x7f control bytes",
};

static int roundtrip(const Tokenizer *t, const char *s, size_t len) {
    int *ids = NULL, n = 0;
    Err err = {0};
    if (tok_encode(t, s, len, &ids, &n, &err)) return 0;
    char *back = tok_decode(t, ids, n, 0);
    int ok = strlen(back) == len && !memcmp(back, s, len);
    if (!ok) fprintf(stderr, "roundtrip failed: '%.*s' -> '%s'\n", (int)len, s, back);
    free(back), free(ids);
    return ok;
}

int main(int argc, char **argv) {
    Err err = {0};
    char *corpus = NULL;
    size_t clen = 0;
    if (argc > 1) {
        char *p = fs_join(argv[1], "queries/validation.jsonl");
        if (fs_read_file(p, &corpus, &clen, &err)) corpus = NULL;
        free(p);
    }
    if (!corpus) {
        fprintf(stderr, "note: TravelPlanner data absent; training on the built-in corpus\n");
        Buf b;
        buf_init(&b);
        for (int r = 0; r < 50; r++)
            for (size_t i = 0; i < sizeof EDGE / sizeof *EDGE; i++) buf_puts(&b, EDGE[i]);
        clen = b.len, corpus = buf_take(&b);
    }
    const char *added[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"};
    int special[] = {1, 1, 1, 0, 0};
    Buf js;
    buf_init(&js);
    CHECK(tok_train(corpus, clen, TOK_REGEX_QWEN, 700, added, special, 5, NULL, &js, &err) == 0);
    Tokenizer *t = NULL;
    CHECK_MSG(tok_load_json(js.data, "trained", &t, &err) == 0, "%s", err.msg);
    if (!t) return 1;
    CHECK(tok_n_vocab(t) <= 705 && tok_n_vocab(t) > 300);
    for (size_t i = 0; i < sizeof EDGE / sizeof *EDGE; i++) CHECK(roundtrip(t, EDGE[i], strlen(EDGE[i])));
    /* every line of the corpus */
    int lines = 0, bad = 0;
    for (char *s = corpus; *s && lines < 200; lines++) {
        char *e = strchr(s, '\n');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        bad += !roundtrip(t, s, l);
        s += l + (e != NULL);
    }
    CHECK_MSG(bad == 0, "%d of %d corpus lines", bad, lines);
    /* compression: merges must actually apply */
    int *ids, n;
    const char *q = "Please help me plan a trip from St. Petersburg to Rockford spanning 3 days";
    tok_encode(t, q, strlen(q), &ids, &n, &err);
    CHECK_MSG(n < (int)strlen(q) * 2 / 3, "%d tokens for %zu bytes", n, strlen(q));
    free(ids);
    /* added tokens are single ids, special flags kept */
    const char *chat = "<|im_start|>user\nhi<|im_end|>";
    tok_encode(t, chat, strlen(chat), &ids, &n, &err);
    int ims = tok_find(t, "<|im_start|>"), ime = tok_find(t, "<|im_end|>");
    CHECK(n >= 3 && ids[0] == ims && ids[n - 1] == ime && tok_is_special(t, ims) && !tok_is_special(t, tok_find(t, "<think>")));
    char *skip = tok_decode(t, ids, n, 1);
    CHECK(!strcmp(skip, "user\nhi"));
    free(skip), free(ids);
    tok_free(t);
    /* Llama 3 regex with ignore_merges */
    buf_reset(&js);
    const char *ladded[] = {"<|begin_of_text|>", "<|eot_id|>"};
    int lspecial[] = {1, 1};
    CHECK(tok_train(corpus, clen, TOK_REGEX_LLAMA3, 400, ladded, lspecial, 2, NULL, &js, &err) == 0);
    t = NULL;
    CHECK(tok_load_json(js.data, "trained-llama", &t, &err) == 0);
    for (size_t i = 0; t && i < sizeof EDGE / sizeof *EDGE; i++) CHECK(roundtrip(t, EDGE[i], strlen(EDGE[i])));
    tok_free(t);
    buf_free(&js);
    /* broken files */
    t = NULL;
    CHECK(tok_load_json("{\"added_tokens\": []}", "x/tokenizer.json", &t, &err) != 0 && strstr(err.msg, "x/tokenizer.json") && strstr(err.msg, "model"));
    CHECK(tok_load_json("{\"model\": {\"type\": \"Unigram\", \"vocab\": {}}}", "y.json", &t, &err) != 0 && strstr(err.msg, "Unigram"));
    CHECK(tok_load_json("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}", "z.json", &t, &err) != 0 && strstr(err.msg, "byte"));
    /* chat templates */
    ChatKind k;
    CHECK(chat_detect(chat_template_jinja(CHAT_QWEN3), "q", &k, &err) == 0 && k == CHAT_QWEN3);
    CHECK(chat_detect(chat_template_jinja(CHAT_LLAMA3), "l", &k, &err) == 0 && k == CHAT_LLAMA3);
    CHECK(chat_detect("{{ messages }}", "m/tokenizer_config.json", &k, &err) != 0 && strstr(err.msg, "m/tokenizer_config.json"));
    ChatMsg msgs[2] = {{"system", "Be brief.", 0}, {"user", " Plan a trip. ", 0}};
    Buf out;
    buf_init(&out);
    chat_render(CHAT_QWEN3, msgs, 2, 1, 0, &out);
    CHECK(!strcmp(out.data, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Plan a trip. <|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"));
    buf_reset(&out);
    chat_render(CHAT_QWEN3, msgs + 1, 1, 1, 1, &out);
    CHECK(!strcmp(out.data, "<|im_start|>user\n Plan a trip. <|im_end|>\n<|im_start|>assistant\n"));
    buf_reset(&out);
    chat_render(CHAT_LLAMA3, msgs, 2, 1, 0, &out);
    CHECK(!strcmp(out.data, "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nPlan a trip.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"));
    buf_free(&out);
    free(corpus);
    if (!check_failures) printf("tokenizer: ok\n");
    return check_failures != 0;
}
