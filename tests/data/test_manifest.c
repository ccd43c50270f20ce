/* test_manifest.c: the checksum manifest parser (datapkg.h) on good and
 * bad READMEs, and OpenSSL sha256 on known vectors. */
#include <stdio.h>
#include <string.h>

#include "datapkg.h"

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
    if (failures) printf("%d failures\n", failures);
    else printf("ok: manifest\n");
    return failures != 0;
}
