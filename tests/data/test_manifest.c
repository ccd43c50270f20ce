/* test_manifest.c: the checksum manifest parser (datapkg.h) on good and
 * bad READMEs, and OpenSSL sha256 on known vectors. */
#include <stdio.h>
#include <string.h>

#include "datapkg.h"
#include "hfcsv.h"

static int failures;
#define CHECK(cond, ...) \
    do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_bad(const char *readme, const char *needle) {
    TpManifest *m = NULL;
    Err err = {0};
    int rc = tp_manifest_parse(readme, "R.md", &m, &err);
    CHECK(rc == IM_IO && !m, "expected IM_IO for %s", needle);
    CHECK(strstr(err.msg, needle) != NULL, "message '%s' should contain '%s'", err.msg, needle);
}

int main(void) {
    TpManifest *m = NULL;
    Err err = {0};
    /* a good block: text and binary markers, CRLF, uppercase hex, a later section */
    const char *good = "# x\n\n## Checksums (sha256)\r\n```\r\n" H64 "  a/b.csv\r\n"
                       "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef *c.txt\n```\n## Next\n";
    CHECK(tp_manifest_parse(good, "R.md", &m, &err) == IM_OK, "good: %s", err.msg);
    CHECK(m && m->n == 2, "two entries");
    if (m && m->n == 2) {
        CHECK(!strcmp(m->e[0].path, "a/b.csv"), "path 0 '%s'", m->e[0].path);
        CHECK(!strcmp(m->e[1].path, "c.txt"), "path 1 '%s'", m->e[1].path);
        CHECK(!strcmp(m->e[1].sha256, H64), "hex lowercased");
    }
    tp_manifest_free(m);
    expect_bad("# nothing\n", "no '## Checksums (sha256)' section");
    expect_bad("## Checksums (sha256)\ntext\n## Other\n```\n" H64 "  a\n```\n", "no fenced block");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  a\n", "not closed");
    expect_bad("## Checksums (sha256)\n```\n```\n", "empty");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  a\nzz  b\n```\n", "R.md:4:");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  ../etc/passwd\n```\n", "unsafe");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  /etc/passwd\n```\n", "unsafe");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  a/./b\n```\n", "unsafe");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  a//b\n```\n", "unsafe");
    expect_bad("## Checksums (sha256)\n```\n" H64 "  a/..\n```\n", "unsafe");
    /* the built-in list: the shipped package's 15 files */
    CHECK(tp_manifest_builtin(&m, &err) == IM_OK && m->n == 15, "built-in list: %s", err.msg);
    tp_manifest_free(m);
    /* FIPS 180-2 vectors */
    char hex[65];
    tp_sha256_mem("abc", 3, hex);
    CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "sha256(abc) %s", hex);
    tp_sha256_mem("", 0, hex);
    CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "sha256('') %s", hex);
    CHECK(tp_sha256_file("/nonexistent/x", hex, &err) == IM_IO && strstr(err.msg, "/nonexistent/x"), "missing file");
    /* the upstream table covers the database files only */
    CHECK(tp_upstream_url("database/attractions/attractions.csv") != NULL, "upstream attractions");
    CHECK(tp_upstream_url("queries/train.jsonl") == NULL, "no upstream for converted queries");
    /* Python literals as JSON (hfcsv.h): what repr() writes, and errors with their place */
    static const char *const lit[][2] = {
        {"['2022-03-16', \"it's\"]", "[\"2022-03-16\", \"it's\"]"},
        {"{'house rule': None, 'cuisine': ['Indian', 'Chinese'], 'n': -3, 'x': 1.5e3, 'ok': True, 'no': False}",
         "{\"house rule\": null, \"cuisine\": [\"Indian\", \"Chinese\"], \"n\": -3, \"x\": 1.5e3, \"ok\": true, \"no\": false}"},
        {"('a', (1, 2,), [], {})", "[\"a\", [1, 2], [], {}]"},
        {"'tab\\there \\'q\\' \\x41\\u00e9\\U0001F600 \\\\ \\n\\x01\"'", "\"tab\\there 'q' A\u00e9\U0001F600 \\\\ \\n\\u0001\\\"\""},
        {"'Caf\u00e9 \u2013 x'", "\"Caf\u00e9 \u2013 x\""}};
    for (size_t i = 0; i < sizeof lit / sizeof lit[0]; i++) {
        Buf b;
        buf_init(&b);
        Err e = {0};
        CHECK(tp_pyliteral_to_json(lit[i][0], "t", &b, &e) == IM_OK && b.data && !strcmp(b.data, lit[i][1]),
              "literal %zu: %s -> %s (%s)", i, lit[i][0], b.data ? b.data : "", e.msg);
        buf_free(&b);
    }
    static const char *const bad[][2] = {{"['a'", "byte 4"}, {"{'a' 1}", "expected ':'"}, {"[1] x", "text after"},
                                         {"'open", "unterminated"}, {"nan", "unexpected character"}, {"{1: 2}", "string key"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Buf b;
        buf_init(&b);
        Err e = {0};
        CHECK(tp_pyliteral_to_json(bad[i][0], "F:2, column 'date'", &b, &e) == IM_IO && strstr(e.msg, bad[i][1]) &&
                  strstr(e.msg, "F:2, column 'date': not a Python literal"),
              "bad literal %s: %s", bad[i][0], e.msg);
        buf_free(&b);
    }
    if (failures) printf("%d failures\n", failures);
    else printf("ok: manifest\n");
    return failures != 0;
}
