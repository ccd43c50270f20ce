/* datapkg.c: the checksum manifest of the data package and verification of
 * a data folder against it. SHA-256 is OpenSSL's (EVP). Reads files, never
 * writes them (fetching is datapkg_fetch.c). */
#include "datapkg.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* The checksum list of the shipped package (shared/travelplanner/README.md). */
static const char builtin_readme[] =
    "# TravelPlanner data package\n"
    "\n"
    "Written by `imagine data fetch` from its built-in checksum list (the source had no README.md listing them).\n"
    "\n"
    "## Checksums (sha256)\n"
    "```\n"
    "7e70cc8cb573e824267be47153a3cf7934c839f01c955fb523d18be405921d86  database/accommodations/clean_accommodations_2022.csv\n"
    "8007fa851ba5b3adb205fbd298169c95116b297cef7ccd21dbea26ecce2605d8  database/attractions/attractions.csv\n"
    "5e80edac9ccacec673d51bbeaf2d4e99339e104684988eafdb42c214ddb0ce39  database/background/citySet.txt\n"
    "a3d18b5c692857cd561cbb4ad8d221ac3eb6c47af7c787a3489e3ffa184ca4d6  database/background/citySet_with_states.txt\n"
    "ad8d88f7e87cf85f230abf4b69c69cd4908399c1c93049eaa466d0ce0fe6bed5  database/background/stateSet.txt\n"
    "9e94d40364e8372760e8eb375973697f63955b4c74f005810f37d4bdda70ca51  database/flights/clean_Flights_2022.csv\n"
    "44726ca74a335fd2d4824fc748f8832813550bfead37376fd51d6521a93a8b3b  database/googleDistanceMatrix/distance.csv\n"
    "a38ef00a3398b1ef78306a9b1851c491723d27899c6a1d4a3d6fe042929c0f26  database/restaurants/clean_restaurant_2022.csv\n"
    "f9eff8c9e3056c726c4bc46b8183a51efdf63760755b0183fa36f1c9f14b6e83  database/train_ref_info.jsonl\n"
    "ebd071b91ddda07c8b27096695027542388fa2c3022f39c732ddae99bdf16cd1  queries/train.jsonl\n"
    "53dac94278a649b525881fe9f4aee37d1af88c6f26a5873c5b388a451a964836  queries/validation.jsonl\n"
    "12644a6e0cec44b6df3576845d52ab316a98076eec90e87a97797c1a11e02aac  outputs/train/train_annotated_plans.jsonl\n"
    "b2e58358bc09c32dfcd98ac71cbfee19f174b597efc92a6c4e9ea65e62e7be06  outputs/train/train_gpt-4-1106-preview_cot_sole-planning_submission.jsonl\n"
    "e1f462c8d8fbd6c7cfeb8711e37dbff78b2ccfac4ec0e842b010da2f6187f618  outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl\n"
    "cbccc0fdbf67b6197505a7f5c2c32b6f60e47a2ba7217dad23636b1d12cd7e39  outputs/train/train_gpt-4-1106-preview_two-stage_submission.jsonl\n"
    "```\n";

const char *tp_manifest_builtin_readme(void) { return builtin_readme; }

void tp_manifest_free(TpManifest *m) {
    if (!m) return;
    for (int i = 0; i < m->n; i++) free(m->e[i].path);
    free(m->e), free(m->source), free(m);
}

/* A manifest path must stay inside the data folder: relative, components
 * neither empty nor "." nor "..", no control characters or backslashes. */
static int safe_path(const char *p) {
    if (!*p || *p == '/' || strchr(p, '\\')) return 0;
    for (const char *s = p; *s; s++)
        if ((unsigned char)*s < 0x20) return 0;
    for (const char *c = p;;) {
        size_t n = strcspn(c, "/");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) return 0;
        if (!c[n]) return 1;
        c += n + 1;
    }
}

/* Next line of text as [*line, *end); returns the start of the line after. */
static const char *next_line(const char *s, const char **end) {
    const char *nl = strchr(s, '\n');
    *end = nl ? nl : s + strlen(s);
    if (*end > s && (*end)[-1] == '\r') --*end;
    return nl ? nl + 1 : *end;
}

int tp_manifest_parse(const char *readme, const char *source, TpManifest **out, Err *err) {
    *out = NULL;
    const char *s = readme, *end;
    int line = 0, in_section = 0, in_block = 0, closed = 0;
    TpManifest *m = calloc(1, sizeof *m);
    int cap = 0;
    while (*s && !closed) {
        const char *l = s;
        s = next_line(s, &end);
        line++;
        size_t n = (size_t)(end - l);
        if (!in_section) {
            in_section = n >= 21 && !strncmp(l, "## Checksums (sha256)", 21);
            continue;
        }
        if (!in_block) {
            if (n >= 3 && !strncmp(l, "```", 3)) in_block = 1;
            else if (n >= 2 && !strncmp(l, "##", 2)) break;
            continue;
        }
        if (n >= 3 && !strncmp(l, "```", 3)) { closed = 1; break; }
        if (n == 0) continue;
        /* "HEX  path" (sha256sum text mode) or "HEX *path" (binary mode) */
        size_t k = 0;
        while (k < n && strchr("0123456789abcdefABCDEF", l[k])) k++;
        if (k != 64 || n < 67 || l[64] != ' ' || (l[65] != ' ' && l[65] != '*')) {
            tp_manifest_free(m);
            return err_set(err, IM_IO, "%s:%d: expected '<64 hex digits>  <path>' in the checksum block", source, line);
        }
        char *path = strndup(l + 66, n - 66);
        if (!path || !safe_path(path)) {
            err_set(err, IM_IO, "%s:%d: unsafe or empty path '%s' (must be relative, without '..')", source, line,
                    path ? path : "");
            free(path), tp_manifest_free(m);
            return IM_IO;
        }
        if (m->n == cap) {
            cap = cap ? cap * 2 : 32;
            TpManifestEntry *e = realloc(m->e, (size_t)cap * sizeof *e);
            if (!e) { free(path), tp_manifest_free(m); return err_set(err, IM_IO, "%s: out of memory", source); }
            m->e = e;
        }
        TpManifestEntry *e = &m->e[m->n++];
        for (int i = 0; i < 64; i++) e->sha256[i] = (char)(l[i] >= 'A' && l[i] <= 'F' ? l[i] - 'A' + 'a' : l[i]);
        e->sha256[64] = 0;
        e->path = path;
    }
    if (!closed || m->n == 0) {
        const char *why = !in_section ? "no '## Checksums (sha256)' section"
                          : !in_block ? "no fenced block under '## Checksums (sha256)'"
                          : !closed   ? "the checksum block is not closed with ```"
                                      : "the checksum block is empty";
        tp_manifest_free(m);
        return err_set(err, IM_IO, "%s: %s", source, why);
    }
    m->source = strdup(source);
    *out = m;
    return IM_OK;
}

int tp_manifest_load(const char *data_dir, TpManifest **out, Err *err) {
    *out = NULL;
    char *path = fs_join(data_dir, "README.md");
    char *text = NULL;
    int rc = fs_read_file(path, &text, NULL, err);
    if (!rc) rc = tp_manifest_parse(text, path, out, err);
    free(text), free(path);
    return rc;
}

int tp_manifest_builtin(TpManifest **out, Err *err) {
    return tp_manifest_parse(builtin_readme, "built-in checksum list", out, err);
}

static void to_hex(const unsigned char *md, char hex[65]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) hex[2 * i] = digits[md[i] >> 4], hex[2 * i + 1] = digits[md[i] & 15];
    hex[64] = 0;
}

void tp_sha256_mem(const void *data, size_t len, char hex[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    to_hex(md, hex);
}

int tp_sha256_file(const char *path, char hex[65], Err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, IM_IO, "cannot open %s: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char chunk[1 << 15];
    size_t n;
    while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0) ok = EVP_DigestUpdate(ctx, chunk, n);
    ok = ok && !ferror(f);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    fclose(f);
    if (!ok) return err_set(err, IM_IO, "cannot read %s", path);
    to_hex(md, hex);
    return IM_OK;
}

int tp_data_verify(const char *dir, const TpManifest *m, TpFileCheck *st) {
    int bad = 0;
    for (int i = 0; i < m->n; i++) {
        char *path = fs_join(dir, m->e[i].path);
        memset(&st[i], 0, sizeof st[i]);
        Err e = {0};
        if (!fs_exists(path)) st[i].state = TP_FILE_MISSING;
        else if (tp_sha256_file(path, st[i].got, &e)) st[i].state = TP_FILE_UNREADABLE;
        else st[i].state = strcmp(st[i].got, m->e[i].sha256) ? TP_FILE_CHANGED : TP_FILE_OK;
        bad += st[i].state != TP_FILE_OK;
        free(path);
    }
    return bad;
}
