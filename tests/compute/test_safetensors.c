/* test_safetensors.c: round trips of F32/F16/BF16 tensors, sharded
 * indexes, and the errors for truncated files, lying headers and unknown
 * dtypes (each must name the file and the tensor). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "fsutil.h"
#include "safetensors.h"

static char dir[256];

static void write_raw(const char *name, const char *header, size_t data_len) {
    char *p = fs_join(dir, name);
    FILE *f = fopen(p, "wb");
    unsigned long long n = strlen(header);
    for (int i = 0; i < 8; i++) fputc((int)((n >> (8 * i)) & 0xff), f);
    fputs(header, f);
    for (size_t i = 0; i < data_len; i++) fputc(0, f);
    fclose(f);
    free(p);
}

static void expect_error(const char *what, const char *needle1, const char *needle2) {
    StModel *m = NULL;
    Err err = {0};
    int rc = st_open(dir, &m, &err);
    CHECK_MSG(rc != 0 && m == NULL, "%s: expected an error", what);
    CHECK_MSG(strstr(err.msg, needle1) && strstr(err.msg, needle2), "%s: message '%s' lacks '%s'/'%s'", what, err.msg, needle1, needle2);
    st_close(m);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/imagine_test_st_%ld", (long)getpid());
    Err err = {0};
    CHECK(fs_mkdirs(dir, &err) == 0);
    float vals[6] = {1.0f, -2.5f, 0.333f, 65504.0f, -0.0f, 1e-3f};
    unsigned char b16[12], h16[12];
    st_pack(ST_BF16, vals, b16, 6);
    st_pack(ST_F16, vals, h16, 6);
    StTensor ts[3] = {
        {.name = "a.weight", .dtype = ST_F32, .ndim = 2, .shape = {2, 3}, .data = vals, .nbytes = 24},
        {.name = "b", .dtype = ST_F16, .ndim = 1, .shape = {6}, .data = h16, .nbytes = 12},
        {.name = "c", .dtype = ST_BF16, .ndim = 2, .shape = {3, 2}, .data = b16, .nbytes = 12},
    };
    char *p = fs_join(dir, "model.safetensors");
    CHECK(st_write(p, ts, 3, &err) == 0);
    StModel *m = NULL;
    CHECK_MSG(st_open(dir, &m, &err) == 0, "%s", err.msg);
    if (m) {
        CHECK(st_count(m) == 3);
        const StTensor *a = st_find(m, "a.weight"), *b = st_find(m, "b"), *c = st_find(m, "c");
        CHECK(a && b && c);
        if (a && b && c) {
            CHECK(a->shape[0] == 2 && a->shape[1] == 3 && a->dtype == ST_F32);
            for (int i = 0; i < 6; i++) {
                CHECK(st_get(a, (size_t)i) == vals[i]);
                CHECK(st_get(b, (size_t)i) == vals[i] || (i == 2 && st_get(b, 2) - vals[2] < 1e-3f && st_get(b, 2) - vals[2] > -1e-3f) ||
                      (i == 5 && st_get(b, 5) - vals[5] < 1e-6f && st_get(b, 5) - vals[5] > -1e-6f));
                float d = st_get(c, (size_t)i) - vals[i];
                CHECK(d < 0.01f * (vals[i] < 0 ? -vals[i] : vals[i]) + 1e-6f && -d < 0.01f * (vals[i] < 0 ? -vals[i] : vals[i]) + 1e-6f);
            }
        }
        st_close(m);
    }
    /* truncated: cut the last tensor's data */
    {
        char *text;
        size_t len;
        fs_read_file(p, &text, &len, &err);
        FILE *f = fopen(p, "wb");
        fwrite(text, 1, len - 5, f);
        fclose(f);
        free(text);
    }
    expect_error("truncated", "model.safetensors", "tensor c");
    /* lying header: offsets past the end */
    write_raw("model.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"y\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}", 20);
    expect_error("lying offsets", "model.safetensors", "tensor y");
    write_raw("model.safetensors", "{\"x\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", 16);
    expect_error("shape vs offsets", "model.safetensors", "tensor x");
    write_raw("model.safetensors", "{\"q\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
    expect_error("unknown dtype", "tensor q", "I8");
    write_raw("model.safetensors", "{\"q\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 0);
    {
        /* header size bigger than the file */
        FILE *f = fopen(p, "r+b");
        fputc(0xff, f), fputc(0xff, f);
        fclose(f);
    }
    expect_error("header size", "model.safetensors", "header");
    unlink(p);
    expect_error("missing", dir, "model.safetensors");
    /* sharded */
    char *s1 = fs_join(dir, "model-00001-of-00002.safetensors"), *s2 = fs_join(dir, "model-00002-of-00002.safetensors");
    CHECK(st_write(s1, ts, 2, &err) == 0);
    CHECK(st_write(s2, ts + 2, 1, &err) == 0);
    char *ip = fs_join(dir, "model.safetensors.index.json");
    const char *idx = "{\"metadata\":{\"total_size\":48},\"weight_map\":{\"a.weight\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\"}}";
    fs_write_atomic(ip, idx, strlen(idx), &err);
    m = NULL;
    CHECK_MSG(st_open(dir, &m, &err) == 0, "%s", err.msg);
    if (m) {
        const StTensor *c = st_find(m, "c");
        CHECK(st_count(m) == 3 && c && strstr(c->file, "00002"));
        st_close(m);
    }
    const char *bad = "{\"weight_map\":{\"a.weight\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00001-of-00002.safetensors\"}}";
    fs_write_atomic(ip, bad, strlen(bad), &err);
    expect_error("index lies", "index.json", "tensor c");
    unlink(s1), unlink(s2), unlink(ip), rmdir(dir);
    free(s1), free(s2), free(ip), free(p);
    if (!check_failures) printf("safetensors: ok\n");
    return check_failures != 0;
}
