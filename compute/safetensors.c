/* safetensors.c: mmap'd safetensors reader (single file or sharded index)
 * and a writer. Validates every header field against the file size before
 * any tensor is handed out, so later code can trust shapes and offsets. */
#include "safetensors.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "half.h"

typedef struct StMap {
    char *path;
    void *base;
    size_t size;
} StMap;

struct StModel {
    StTensor *t;
    int n, cap;
    StMap *maps;
    int nmaps;
};

size_t st_dtype_size(StDtype t) { return t == ST_F32 ? 4 : 2; }
const char *st_dtype_name(StDtype t) { return t == ST_F32 ? "F32" : t == ST_F16 ? "F16" : "BF16"; }

int st_dtype_parse(const char *s) {
    if (!strcmp(s, "F32") || !strcmp(s, "f32") || !strcmp(s, "float32")) return ST_F32;
    if (!strcmp(s, "F16") || !strcmp(s, "f16") || !strcmp(s, "float16")) return ST_F16;
    if (!strcmp(s, "BF16") || !strcmp(s, "bf16") || !strcmp(s, "bfloat16")) return ST_BF16;
    return -1;
}

float st_get(const StTensor *t, size_t i) {
    if (t->dtype == ST_F32) {
        float f;
        memcpy(&f, (const char *)t->data + 4 * i, 4);
        return f;
    }
    uint16_t h;
    memcpy(&h, (const char *)t->data + 2 * i, 2);
    return t->dtype == ST_F16 ? half_f16_to_f32(h) : half_bf16_to_f32(h);
}

void st_pack(StDtype t, const float *src, void *dst, size_t n) {
    if (t == ST_F32) {
        memcpy(dst, src, 4 * n);
        return;
    }
    uint16_t *d = dst;
    for (size_t i = 0; i < n; i++) d[i] = t == ST_F16 ? half_f32_to_f16(src[i]) : half_f32_to_bf16(src[i]);
}

int st_count(const StModel *m) { return m ? m->n : 0; }
const StTensor *st_at(const StModel *m, int i) { return &m->t[i]; }

const StTensor *st_find(const StModel *m, const char *name) {
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->t[i].name, name)) return &m->t[i];
    return NULL;
}

void st_close(StModel *m) {
    if (!m) return;
    for (int i = 0; i < m->n; i++) free(m->t[i].name);
    for (int i = 0; i < m->nmaps; i++) {
        if (m->maps[i].base) munmap(m->maps[i].base, m->maps[i].size);
        free(m->maps[i].path);
    }
    free(m->t), free(m->maps), free(m);
}

static int map_file(StModel *m, const char *path, StMap **out, Err *err) {
    for (int i = 0; i < m->nmaps; i++)
        if (!strcmp(m->maps[i].path, path)) return *out = &m->maps[i], IM_OK;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return err_set(err, IM_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        close(fd);
        return err_set(err, IM_IO, "cannot stat %s: %s", path, strerror(errno));
    }
    void *base = NULL;
    if (sb.st_size > 0) {
        base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (base == MAP_FAILED) {
            close(fd);
            return err_set(err, IM_IO, "cannot mmap %s: %s", path, strerror(errno));
        }
    }
    close(fd);
    StMap *nm = realloc(m->maps, sizeof *nm * (size_t)(m->nmaps + 1));
    if (!nm) {
        if (base) munmap(base, (size_t)sb.st_size);
        return err_set(err, IM_IO, "%s: out of memory", path);
    }
    m->maps = nm;
    /* earlier StTensor.file pointers point at path strings, not at the array: still valid */
    StMap *s = &m->maps[m->nmaps++];
    s->path = strdup(path), s->base = base, s->size = (size_t)sb.st_size;
    return *out = s, IM_OK;
}

/* Parses the header of one mapped file and appends its tensors. */
static int parse_file(StModel *m, StMap *map, Err *err) {
    const char *p = map->path;
    if (map->size < 8) return err_set(err, IM_IO, "%s: truncated: %zu bytes, a safetensors file starts with an 8-byte header size", p, map->size);
    uint64_t hlen = 0;
    const unsigned char *b = map->base;
    for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | b[i];
    if (hlen > map->size - 8) return err_set(err, IM_IO, "%s: header says %llu bytes of JSON but the file has %zu bytes after the size field (truncated?)", p, (unsigned long long)hlen, map->size - 8);
    cJSON *h = cJSON_ParseWithLength((const char *)b + 8, (size_t)hlen);
    if (!h || !cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return err_set(err, IM_IO, "%s: the header is not a JSON object", p);
    }
    size_t data0 = 8 + (size_t)hlen, dlen = map->size - data0;
    int rc = IM_OK;
    for (cJSON *e = h->child; e && !rc; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) continue;
        cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
        cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
        cJSON *off = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2) {
            rc = err_set(err, IM_IO, "%s: tensor %s: expected dtype, shape and data_offsets [begin, end]", p, e->string);
            break;
        }
        int dtype = (!strcmp(dt->valuestring, "F32") || !strcmp(dt->valuestring, "F16") || !strcmp(dt->valuestring, "BF16")) ? st_dtype_parse(dt->valuestring) : -1;
        if (dtype < 0) {
            rc = err_set(err, IM_IO, "%s: tensor %s: unsupported dtype %s (F32, F16 or BF16 expected)", p, e->string, dt->valuestring);
            break;
        }
        int nd = cJSON_GetArraySize(sh);
        if (nd > 4) {
            rc = err_set(err, IM_IO, "%s: tensor %s: %d dimensions, at most 4 supported", p, e->string, nd);
            break;
        }
        StTensor t = {0};
        t.dtype = (StDtype)dtype, t.ndim = nd;
        double count = 1;
        for (int i = 0; i < nd; i++) {
            cJSON *d = cJSON_GetArrayItem(sh, i);
            if (!cJSON_IsNumber(d) || d->valuedouble < 0) {
                rc = err_set(err, IM_IO, "%s: tensor %s: shape[%d] is not a non-negative integer", p, e->string, i);
                break;
            }
            t.shape[i] = (int64_t)d->valuedouble;
            count *= d->valuedouble;
        }
        if (rc) break;
        double o0 = cJSON_GetArrayItem(off, 0)->valuedouble, o1 = cJSON_GetArrayItem(off, 1)->valuedouble;
        double want = count * (double)st_dtype_size(t.dtype);
        if (o0 < 0 || o1 < o0 || o1 - o0 != want) {
            rc = err_set(err, IM_IO, "%s: tensor %s: data_offsets [%.0f, %.0f] hold %.0f bytes but shape and dtype need %.0f", p, e->string, o0, o1, o1 - o0, want);
            break;
        }
        if (o1 > (double)dlen) {
            rc = err_set(err, IM_IO, "%s: tensor %s: data ends at byte %.0f but the file has %zu data bytes (truncated or lying header)", p, e->string, o1, dlen);
            break;
        }
        t.data = b + data0 + (size_t)o0, t.nbytes = (size_t)(o1 - o0), t.file = map->path;
        if (st_find(m, e->string)) {
            rc = err_set(err, IM_IO, "%s: tensor %s appears twice", p, e->string);
            break;
        }
        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 64;
            StTensor *nt = realloc(m->t, sizeof *nt * (size_t)m->cap);
            if (!nt) {
                rc = err_set(err, IM_IO, "%s: out of memory", p);
                break;
            }
            m->t = nt;
        }
        t.name = strdup(e->string);
        m->t[m->n++] = t;
    }
    cJSON_Delete(h);
    return rc;
}

static int open_index(StModel *m, const char *dir, const char *ipath, Err *err) {
    char *text = NULL;
    int rc = fs_read_file(ipath, &text, NULL, err);
    if (rc) return rc;
    cJSON *j = cJSON_Parse(text);
    free(text);
    cJSON *wm = cJSON_GetObjectItemCaseSensitive(j, "weight_map");
    if (!cJSON_IsObject(wm)) {
        cJSON_Delete(j);
        return err_set(err, IM_IO, "%s: expected an object with a \"weight_map\" field", ipath);
    }
    for (cJSON *e = wm->child; e && !rc; e = e->next) {
        if (!cJSON_IsString(e) || strchr(e->valuestring, '/')) {
            rc = err_set(err, IM_IO, "%s: weight_map.%s: expected a shard file name", ipath, e->string);
            break;
        }
        char *sp = fs_join(dir, e->valuestring);
        int known = 0;
        for (int i = 0; i < m->nmaps; i++) known |= !strcmp(m->maps[i].path, sp);
        StMap *map = NULL;
        if (!known) {
            rc = map_file(m, sp, &map, err);
            if (!rc) rc = parse_file(m, map, err);
        }
        if (!rc) {
            const StTensor *t = st_find(m, e->string);
            if (!t || strcmp(t->file, sp))
                rc = err_set(err, IM_IO, "%s: tensor %s: the index places it in %s, which does not hold it", ipath, e->string, sp);
        }
        free(sp);
    }
    cJSON_Delete(j);
    return rc;
}

int st_open(const char *dir, StModel **out, Err *err) {
    *out = NULL;
    StModel *m = calloc(1, sizeof *m);
    if (!m) return err_set(err, IM_IO, "out of memory");
    char *ipath = fs_join(dir, "model.safetensors.index.json");
    char *spath = fs_join(dir, "model.safetensors");
    int rc;
    if (fs_exists(ipath)) rc = open_index(m, dir, ipath, err);
    else if (fs_exists(spath)) {
        StMap *map = NULL;
        rc = map_file(m, spath, &map, err);
        if (!rc) rc = parse_file(m, map, err);
    } else
        rc = err_set(err, IM_IO, "%s: no model.safetensors or model.safetensors.index.json (a Hugging Face model folder was expected; make one with `imagine model init`)", dir);
    free(ipath), free(spath);
    if (rc) {
        st_close(m);
        return rc;
    }
    *out = m;
    return IM_OK;
}

int st_open_file(const char *path, StModel **out, Err *err) {
    *out = NULL;
    StModel *m = calloc(1, sizeof *m);
    if (!m) return err_set(err, IM_IO, "out of memory");
    StMap *map = NULL;
    int rc = map_file(m, path, &map, err);
    if (!rc) rc = parse_file(m, map, err);
    if (rc) {
        st_close(m);
        return rc;
    }
    *out = m;
    return IM_OK;
}

int st_write(const char *path, const StTensor *ts, int n, Err *err) {
    Buf h;
    buf_init(&h);
    buf_puts(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        buf_putc(&h, ',');
        buf_json_str(&h, ts[i].name);
        buf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[", st_dtype_name(ts[i].dtype));
        for (int d = 0; d < ts[i].ndim; d++) buf_printf(&h, "%s%lld", d ? "," : "", (long long)ts[i].shape[d]);
        buf_printf(&h, "],\"data_offsets\":[%zu,%zu]}", off, off + ts[i].nbytes);
        off += ts[i].nbytes;
    }
    buf_putc(&h, '}');
    while ((h.len % 8) != 0) buf_putc(&h, ' '); /* data aligned to 8 bytes */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        buf_free(&h);
        return err_set(err, IM_IO, "cannot create %s: %s", tmp, strerror(errno));
    }
    unsigned char sz[8];
    for (int i = 0; i < 8; i++) sz[i] = (unsigned char)((uint64_t)h.len >> (8 * i));
    int ok = fwrite(sz, 1, 8, f) == 8 && fwrite(h.data, 1, h.len, f) == h.len;
    for (int i = 0; ok && i < n; i++) ok = fwrite(ts[i].data, 1, ts[i].nbytes, f) == ts[i].nbytes;
    ok = (fclose(f) == 0) && ok;
    buf_free(&h);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return err_set(err, IM_IO, "cannot write %s: %s", path, strerror(errno));
    }
    return IM_OK;
}
