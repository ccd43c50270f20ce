/* test_tokjs.c: our tokenizer gives the same ids as an independent one,
 * Hugging Face's tokenizers.js (node), on tokenizers that `model init`
 * trains (Qwen3 and Llama 3 regexes): TravelPlanner queries and plans, and
 * unicode edge cases. Skipped (exit 77) when node or the module is absent:
 *   npm install --prefix tests/compute/js @huggingface/tokenizers@0.2.0 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "fsutil.h"
#include "modelinit.h"

static const char *EDGE[] = {
    "Hello, world!", "  leading and trailing spaces   ", "tabs\tand\nnewlines\r\n\n\n", "numbers 1234567890 and 3.14159 and -42",
    "caf\xc3\xa9 na\xc3\xafve \xc3\xa0 la cr\xc3\xa8me", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88",
    "emoji \xf0\x9f\x98\x80\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88 flags", "it's they're we've I'm you'll he'd IT'S",
    "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
    "{\"days\": 1, \"current_city\": \"from Rockford to St. Petersburg\", \"breakfast\": \"-\"}", "a\x01\x02\x7f control bytes",
    "\xe2\x82\xac\xc2\xa3\xc2\xa5 symbols \xe2\x88\x91\xe2\x88\x9a", "x    \n   y", "$1,700.00 budget for 2 people",
};

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: test_tokjs DATA NODE_MODULES\n"), 2;
    char mod[4096];
    snprintf(mod, sizeof mod, "%s/@huggingface/tokenizers/package.json", argv[2]);
    if (!fs_exists(mod) || system("node --version >/dev/null 2>&1") != 0) {
        printf("skipped: node or %s/@huggingface/tokenizers absent (npm install --prefix tests/compute/js @huggingface/tokenizers@0.2.0)\n", argv[2]);
        return 77;
    }
    setenv("IMAGINE_NODE_MODULES", argv[2], 1);
    char dir[128], corpus[160], ids_path[160];
    snprintf(dir, sizeof dir, "/tmp/imagine_test_tokjs_%ld", (long)getpid());
    snprintf(corpus, sizeof corpus, "%s.corpus", dir);
    snprintf(ids_path, sizeof ids_path, "%s.ids", dir);
    Err err = {0};
    /* the corpus: edge cases, then the first 150 validation lines (queries and plans) */
    Buf c;
    buf_init(&c);
    char **lines = calloc(200, sizeof *lines);
    int nl = 0;
    for (size_t i = 0; i < sizeof EDGE / sizeof *EDGE; i++) lines[nl++] = strdup(EDGE[i]);
    char *p = fs_join(argv[1], "queries/validation.jsonl"), *text = NULL;
    if (!fs_read_file(p, &text, NULL, &err))
        for (char *s = text; *s && nl < 165;) {
            char *e = strchr(s, '\n');
            size_t l = e ? (size_t)(e - s) : strlen(s);
            lines[nl++] = strndup(s, l);
            s += l + (e != NULL);
        }
    free(p), free(text);
    for (int i = 0; i < nl; i++) buf_json_str(&c, lines[i]), buf_putc(&c, '\n');
    fs_write_atomic(corpus, c.data, c.len, &err);
    buf_free(&c);
    for (int arch = 0; arch < 2; arch++) {
        ModelInitOpts o = {.arch = (ModelArch)arch, .size = "tiny", .dtype = ST_F32, .seed = 1, .out = dir, .data_dir = argv[1]};
        CHECK_MSG(model_init(&o, &err) == 0, "%s", err.msg);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "node %s/tokjs_check.mjs %s %s > %s", SRC_DIR, dir, corpus, ids_path);
        CHECK_MSG(system(cmd) == 0, "%s failed", cmd);
        Tokenizer *t = NULL;
        char *tp = fs_join(dir, "tokenizer.json");
        CHECK(tok_load(tp, &t, &err) == 0);
        free(tp);
        char *js = NULL;
        fs_read_file(ids_path, &js, NULL, &err);
        char *s = js;
        int same = 0;
        for (int i = 0; t && s && i < nl; i++) {
            char *e = strchr(s, '\n');
            if (e) *e = 0;
            int *ids, n;
            tok_encode(t, lines[i], strlen(lines[i]), &ids, &n, &err);
            Buf ours;
            buf_init(&ours);
            buf_putc(&ours, '[');
            for (int k = 0; k < n; k++) buf_printf(&ours, "%s%d", k ? "," : "", ids[k]);
            buf_putc(&ours, ']');
            if (!strcmp(ours.data, s)) same++;
            else if (i - same < 3) fprintf(stderr, "%s line %d differs:\n  text  %.80s\n  ours  %.200s\n  js    %.200s\n", model_arch_name((ModelArch)arch), i, lines[i], ours.data, s);
            buf_free(&ours), free(ids);
            s = e ? e + 1 : NULL;
        }
        CHECK_MSG(same == nl, "%s: %d of %d lines give the same ids as tokenizers.js", model_arch_name((ModelArch)arch), same, nl);
        if (same == nl) printf("%s: %d lines, same ids as tokenizers.js\n", model_arch_name((ModelArch)arch), nl);
        free(js);
        tok_free(t);
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        CHECK(system(cmd) == 0);
    }
    for (int i = 0; i < nl; i++) free(lines[i]);
    free(lines);
    unlink(corpus), unlink(ids_path);
    return check_failures != 0;
}
