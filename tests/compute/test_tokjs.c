/* test_tokjs.c: our tokenizer gives the same results as an independent
 * one, Hugging Face's tokenizers.js (node), on tokenizer.json files shaped
 * like the real ones: `model init`'s Qwen3 (NFC normalizer) and Llama 3
 * (TemplateProcessing adding <|begin_of_text|>), and a third made from the
 * Qwen3 one with a Sequence normalizer (NFKC, Replace), a normalized added
 * token and a two-sided TemplateProcessing. For each line of a corpus
 * (unicode and normalization edge cases, then TravelPlanner queries and
 * plans): the ids without and with special tokens, the decoded text, and
 * each token decoded alone (incomplete UTF-8 as one U+FFFD).
 * Needs node and @huggingface/tokenizers (.ci/run installs both); exits 77
 * (skipped) without them, except in CI (CI=true), where that is a failure. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "fsutil.h"
#include "jsonreq.h"
#include "modelinit.h"

#define S(x) {x, sizeof(x) - 1}
static const struct {
    const char *s;
    size_t len;
} EDGE[] = {
    S("Hello, world!"), S("  leading and trailing spaces   "), S("tabs\tand\nnewlines\r\n\n\n"), S("numbers 1234567890 and 3.14159 and -42"),
    S("caf\xc3\xa9 na\xc3\xafve \xc3\xa0 la cr\xc3\xa8me"), S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88"),
    S("emoji \xf0\x9f\x98\x80\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88 flags"), S("it's they're we've I'm you'll he'd IT'S"),
    S("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"), S("<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"),
    S("{\"days\": 1, \"current_city\": \"from Rockford to St. Petersburg\", \"breakfast\": \"-\"}"), S("a\x01\x02\x7f control bytes"),
    S("\xe2\x82\xac\xc2\xa3\xc2\xa5 symbols \xe2\x88\x91\xe2\x88\x9a"), S("x    \n   y"), S("$1,700.00 budget for 2 people"),
    /* normalization: composition, canonical order, exclusions, singletons, Hangul, compatibility */
    S("e\xcc\x81"), S("cafe\xcc\x81 Cafe\xcc\x81 CAFE\xcc\x81"), S("A\xcc\x8a and \xe2\x84\xab and \xc3\x85"), S("a\xcc\xa3\xcc\x82 a\xcc\x82\xcc\xa3"),
    S("\xe1\xb8\x8b\xcc\xa3 d\xcc\x87\xcc\xa3 d\xcc\xa3\xcc\x87"), S("\xe0\xa5\x98 \xe0\xa4\x95\xe0\xa4\xbc"), S("\xe2\x84\xa6hm \xcd\x84"),
    S("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8 \xea\xb0\x80\xe1\x86\xa8 \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4"), S("e\xcc\x81\xcc\x81 \xcc\x81" "abc"),
    S("\xef\xac\x81ne \xe2\x91\xa0 \xef\xbc\xa8\xef\xbd\x85\xef\xbd\x8c\xef\xbd\x8c\xef\xbd\x8f \xc2\xbd \xe3\x8c\x80"), S("Mu\xcc\x88nchen \xe2\x84\xa2 x\xc2\xb2"),
    S("<|im_start|>e\xcc\x81<|im_end|> <think>e\xcc\x81</think>"), S("trailing mark e\xcc\x81"),
    S("a\0b with a NUL"), S("\0"),
};

static char *node_modules;

/* One line of what we make of text, in tokjs_check.mjs's format. */
static void ours(const Tokenizer *t, const char *text, size_t len, Buf *out) {
    int *ids = NULL, *sp = NULL, n = 0, ns = 0;
    Err err = {0};
    tok_encode(t, text, len, &ids, &n, &err);
    tok_encode_special(t, text, len, 1, 0, &sp, &ns, &err);
    buf_puts(out, "{\"plain\":[");
    for (int k = 0; k < n; k++) buf_printf(out, "%s%d", k ? "," : "", ids[k]);
    buf_puts(out, "],\"special\":[");
    for (int k = 0; k < ns; k++) buf_printf(out, "%s%d", k ? "," : "", sp[k]);
    buf_puts(out, "],\"text\":");
    Buf d;
    buf_init(&d);
    for (int k = 0; k < n; k++) tok_piece(t, ids[k], 0, &d);
    buf_json_strn(out, d.data ? d.data : "", d.len);
    buf_puts(out, ",\"pieces\":[");
    for (int k = 0; k < n; k++) {
        buf_reset(&d);
        tok_piece(t, ids[k], 0, &d);
        buf_puts(out, k ? "," : "");
        buf_json_strn(out, d.data ? d.data : "", d.len);
    }
    buf_puts(out, "]}");
    buf_free(&d), free(ids), free(sp);
}

/* Compares every line of the corpus with tokenizers.js on the model at dir. */
static void compare(const char *label, const char *dir, const char *corpus, char **lines, const size_t *lens, int nl) {
    char cmd[1024], ids_path[256];
    snprintf(ids_path, sizeof ids_path, "%s.js.out", dir);
    snprintf(cmd, sizeof cmd, "IMAGINE_NODE_MODULES='%s' node %s/tokjs_check.mjs %s %s > %s", node_modules, SRC_DIR, dir, corpus, ids_path);
    CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
    Tokenizer *t = NULL;
    Err err = {0};
    char *tp = fs_join(dir, "tokenizer.json");
    CHECK_MSG(tok_load(tp, &t, &err) == 0, "%s", err.msg);
    free(tp);
    char *js = NULL;
    fs_read_file(ids_path, &js, NULL, &err);
    char *s = js;
    int same = 0, i = 0, with_bos = 0;
    for (; t && s && *s && i < nl; i++) {
        char *e = strchr(s, '\n');
        if (e) *e = 0;
        Buf b;
        buf_init(&b);
        ours(t, lines[i], lens[i], &b);
        if (!strcmp(b.data, s)) same++;
        else if (i - same < 3) fprintf(stderr, "%s line %d differs:\n  text  %.80s\n  ours  %.400s\n  js    %.400s\n", label, i, lines[i], b.data, s);
        const char *pl = strstr(s, "\"plain\":"), *sp = strstr(s, "\"special\":"), *tx = strstr(s, ",\"text\":");
        with_bos += pl && sp && tx && (sp - pl - 9 != tx - sp - 10 || memcmp(pl + 8, sp + 10, (size_t)(sp - pl - 9)));
        buf_free(&b);
        s = e ? e + 1 : NULL;
    }
    CHECK_MSG(i == nl && same == nl, "%s: %d of %d lines the same as tokenizers.js (%d compared)", label, same, nl, i);
    if (i == nl && same == nl) printf("%s: %d lines, same ids, texts and pieces as tokenizers.js (%d lines where special tokens change the ids)\n", label, nl, with_bos);
    free(js);
    tok_free(t);
    unlink(ids_path);
}

/* The third tokenizer: the Qwen3 one with other normalizer and post-processor. */
static int reshape(const char *from, const char *to) {
    char *p = fs_join(from, "tokenizer.json"), *text = NULL;
    Err err = {0};
    int rc = fs_read_file(p, &text, NULL, &err);
    free(p);
    cJSON *j = rc ? NULL : cJSON_Parse(text);
    free(text);
    if (!j) return 1;
    cJSON_ReplaceItemInObject(j, "normalizer",
                              cJSON_Parse("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFKC\"}, {\"type\": \"Replace\", \"pattern\": {\"String\": \"  \"}, \"content\": \" \"}]}"));
    cJSON_ReplaceItemInObject(j, "post_processor",
                              cJSON_Parse("{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<|im_start|>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, "
                                          "{\"SpecialToken\": {\"id\": \"<|im_end|>\", \"type_id\": 0}}], \"pair\": [], \"special_tokens\": {}}"));
    cJSON *add = cJSON_GetObjectItemCaseSensitive(j, "added_tokens");
    int ids[2] = {-1, -1};
    for (cJSON *e = add ? add->child : NULL; e; e = e->next) {
        const char *c = cJSON_GetObjectItemCaseSensitive(e, "content")->valuestring;
        int id = cJSON_GetObjectItemCaseSensitive(e, "id")->valueint;
        if (!strcmp(c, "<think>")) cJSON_ReplaceItemInObject(e, "normalized", cJSON_CreateTrue());
        if (!strcmp(c, "<|im_start|>")) ids[0] = id;
        if (!strcmp(c, "<|im_end|>")) ids[1] = id;
    }
    char spec[512];
    snprintf(spec, sizeof spec, "{\"<|im_start|>\": {\"id\": \"<|im_start|>\", \"ids\": [%d], \"tokens\": [\"<|im_start|>\"]}, \"<|im_end|>\": {\"id\": \"<|im_end|>\", \"ids\": [%d], \"tokens\": [\"<|im_end|>\"]}}",
             ids[0], ids[1]);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(j, "post_processor"), "special_tokens", cJSON_Parse(spec));
    char *out = cJSON_Print(j);
    cJSON_Delete(j);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/tokenizer_config.json %s/", to, from, to);
    rc = system(cmd) != 0;
    p = fs_join(to, "tokenizer.json");
    if (!rc) rc = fs_write_atomic(p, out, strlen(out), &err);
    free(p), free(out);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: test_tokjs DATA NODE_MODULES\n"), 2;
    node_modules = argv[2];
    char mod[4096];
    snprintf(mod, sizeof mod, "%s/@huggingface/tokenizers/package.json", argv[2]);
    if (!fs_exists(mod) || system("node --version >/dev/null 2>&1") != 0) {
        const char *ci = getenv("CI");
        int in_ci = ci && *ci && strcmp(ci, "false") && strcmp(ci, "0");
        printf("%s: node or %s/@huggingface/tokenizers absent (.ci/run installs them: npm install --prefix DIR @huggingface/tokenizers@0.2.0, "
               "then IMAGINE_NODE_MODULES=DIR/node_modules at configure time)\n", in_ci ? "FAIL in CI" : "skipped", argv[2]);
        return in_ci ? 1 : 77;
    }
    char dir[128], corpus[160];
    snprintf(dir, sizeof dir, "/tmp/imagine_test_tokjs_%ld", (long)getpid());
    snprintf(corpus, sizeof corpus, "%s.corpus", dir);
    Err err = {0};
    /* the corpus: edge cases, then the first 150 validation lines (queries and plans) */
    char **lines = calloc(200, sizeof *lines);
    size_t *lens = calloc(200, sizeof *lens);
    int nl = 0;
    for (size_t i = 0; i < sizeof EDGE / sizeof *EDGE; i++) {
        lines[nl] = malloc(EDGE[i].len + 1);
        memcpy(lines[nl], EDGE[i].s, EDGE[i].len + 1);
        lens[nl++] = EDGE[i].len;
    }
    char *p = fs_join(argv[1], "queries/validation.jsonl"), *text = NULL;
    CHECK_MSG(fs_read_file(p, &text, NULL, &err) == 0, "%s", err.msg);
    for (char *s = text; s && *s && nl < 180;) {
        char *e = strchr(s, '\n');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        lines[nl] = strndup(s, l), lens[nl++] = l;
        s += l + (e != NULL);
    }
    free(p), free(text);
    Buf c;
    buf_init(&c);
    for (int i = 0; i < nl; i++) buf_json_strn(&c, lines[i], lens[i]), buf_putc(&c, '\n');
    CHECK(fs_write_atomic(corpus, c.data, c.len, &err) == 0);
    buf_free(&c);
    for (int arch = 0; arch < 2; arch++) {
        ModelInitOpts o = {.arch = (ModelArch)arch, .size = "tiny", .dtype = ST_F32, .seed = 1, .out = dir, .data_dir = argv[1]};
        CHECK_MSG(model_init(&o, &err) == 0, "%s", err.msg);
        compare(model_arch_name((ModelArch)arch), dir, corpus, lines, lens, nl);
        if (arch == ARCH_QWEN3) {
            char other[160];
            snprintf(other, sizeof other, "%s.seq", dir);
            CHECK(reshape(dir, other) == 0);
            compare("qwen3 with NFKC+Replace, a normalized added token, <|im_start|> A <|im_end|>", other, corpus, lines, lens, nl);
            char cmd[400];
            snprintf(cmd, sizeof cmd, "rm -rf %s", other);
            CHECK(system(cmd) == 0);
        }
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        CHECK(system(cmd) == 0);
    }
    for (int i = 0; i < nl; i++) free(lines[i]);
    free(lines), free(lens);
    unlink(corpus);
    return check_failures != 0;
}
