/* data.c: verification of a PlanBench data folder against the built-in
 * checksums (pb_data.h). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pb_data.h"

int pb_sha256_file(const char *path, char hex[65], Err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, IM_IO, "cannot read %s", path);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) ok = EVP_DigestUpdate(ctx, buf, n);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (ok) ok = EVP_DigestFinal_ex(ctx, md, &mdlen);
    int rd = ferror(f);
    fclose(f);
    EVP_MD_CTX_free(ctx);
    if (!ok || rd) return err_set(err, IM_IO, "cannot hash %s", path);
    for (unsigned i = 0; i < mdlen; i++) sprintf(hex + 2 * i, "%02x", md[i]);
    hex[64] = 0;
    return IM_OK;
}

int pb_data_verify(const char *dir, PbDataCheck *c, Err *err) {
    memset(c, 0, sizeof *c);
    if (!fs_is_dir(dir))
        return err_set(err, IM_IO, "PlanBench data folder %s not found: pass --data DIR or set $IMAGINE_PLANBENCH_DATA", dir);
    for (const char *const *l = pb_sha256sums; *l; l++) {
        const char *path = *l + 66;
        char *full = fs_join(dir, path);
        char hex[65];
        Err e = {0};
        c->files++;
        if (!fs_exists(full)) {
            c->missing++;
            if (!c->first_bad[0]) snprintf(c->first_bad, sizeof c->first_bad, "%s (missing)", path);
        } else if (pb_sha256_file(full, hex, &e) || strncmp(hex, *l, 64)) {
            c->changed++;
            if (!c->first_bad[0]) snprintf(c->first_bad, sizeof c->first_bad, "%s (sha256 differs)", path);
        } else {
            c->ok++;
        }
        free(full);
    }
    return c->ok == c->files ? IM_OK : IM_FAIL;
}
