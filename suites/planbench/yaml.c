/* yaml.c: reader for the YAML subset of PlanBench's configs (pb_yaml.h).
 * Line-based: a top-level key starts in column 0; its value is on the same
 * line or on the indented lines that follow. No I/O except pb_yaml_load. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pb_text.h"
#include "fsutil.h"
#include "pb_yaml.h"

static void trim(const char **b, const char **e) {
    while (*b < *e && (**b == ' ' || **b == '\t' || **b == '\r' || **b == '\n')) (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r' || (*e)[-1] == '\n')) (*e)--;
}

/* A scalar: quoted ('' or "") or plain (trailing comment removed). */
static char *scalar(const char *b, const char *e) {
    trim(&b, &e);
    if (e - b >= 2 && (*b == '"' || *b == '\'') && e[-1] == *b) {
        Buf o;
        buf_init(&o);
        char q = *b;
        for (const char *p = b + 1; p < e - 1; p++) {
            if (q == '"' && *p == '\\' && p + 1 < e - 1) {
                p++;
                buf_putc(&o, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
            } else if (q == '\'' && *p == '\'' && p + 1 < e - 1 && p[1] == '\'') {
                buf_putc(&o, '\'');
                p++;
            } else {
                buf_putc(&o, *p);
            }
        }
        buf_putc(&o, 0);
        return buf_take(&o);
    }
    for (const char *p = b; p < e; p++)
        if (*p == '#' && (p == b || p[-1] == ' ')) {
            e = p;
            trim(&b, &e);
            break;
        }
    return pb_dupn(b, (size_t)(e - b));
}

/* Parses "{k: v, k: v}" in [b, e). */
static int flow_map(const char *b, const char *e, PbYamlEntry *ent, const char *path, int line, Err *err) {
    const char *p = b;
    while (p < e && *p != '{') p++;
    if (p == e) return err_set(err, IM_IO, "%s:%d: expected '{' for a flow mapping", path, line);
    p++;
    int cap = 0;
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ',')) p++;
        if (p >= e) return err_set(err, IM_IO, "%s:%d: flow mapping not closed with '}'", path, line);
        if (*p == '}') break;
        /* key up to ':' outside quotes; value up to ',' or '}' outside quotes */
        const char *kb = p;
        char q = 0;
        while (p < e && (q || *p != ':')) {
            if (!q && (*p == '"' || *p == '\'')) q = *p;
            else if (q && *p == q) q = 0;
            p++;
        }
        if (p >= e) return err_set(err, IM_IO, "%s:%d: flow mapping entry without ':'", path, line);
        const char *ke = p++;
        const char *vb = p;
        q = 0;
        while (p < e && (q || (*p != ',' && *p != '}'))) {
            if (!q && (*p == '"' || *p == '\'')) q = *p;
            else if (q && *p == q) q = 0;
            p++;
        }
        if (ent->nkv == cap) {
            cap = cap ? cap * 2 : 16;
            ent->kv = realloc(ent->kv, (size_t)cap * sizeof *ent->kv);
            if (!ent->kv) abort();
        }
        ent->kv[ent->nkv].key = scalar(kb, ke);
        ent->kv[ent->nkv].val = scalar(vb, p);
        ent->nkv++;
    }
    return IM_OK;
}

void pb_yaml_free(PbYaml *y) {
    if (!y) return;
    for (int i = 0; i < y->n; i++) {
        free(y->e[i].key);
        free(y->e[i].text);
        for (int j = 0; j < y->e[i].nkv; j++) free(y->e[i].kv[j].key), free(y->e[i].kv[j].val);
        free(y->e[i].kv);
    }
    free(y->e);
    free(y);
}

typedef struct Line {
    const char *b, *e; /* without the newline */
} Line;

static int is_blank(Line l) {
    for (const char *p = l.b; p < l.e; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r') return 0;
    return 1;
}

static int indent_of(Line l) {
    int n = 0;
    while (l.b + n < l.e && l.b[n] == ' ') n++;
    return n;
}

static int is_comment(Line l) {
    const char *p = l.b;
    while (p < l.e && (*p == ' ' || *p == '\t')) p++;
    return p < l.e && *p == '#';
}

int pb_yaml_parse(const char *text, const char *path, PbYaml **out, Err *err) {
    *out = NULL;
    int nl = 0, cap = 256;
    Line *ls = malloc((size_t)cap * sizeof *ls);
    if (!ls) abort();
    for (const char *p = text;;) {
        const char *q = strchr(p, '\n');
        if (nl == cap) ls = realloc(ls, (size_t)(cap *= 2) * sizeof *ls);
        if (!ls) abort();
        ls[nl].b = p;
        ls[nl].e = q ? q : p + strlen(p);
        nl++;
        if (!q) break;
        p = q + 1;
    }
    PbYaml *y = calloc(1, sizeof *y);
    if (!y) abort();
    int ecap = 0, rc = IM_OK;
    for (int i = 0; i < nl && !rc;) {
        Line l = ls[i];
        if (is_blank(l) || is_comment(l) || indent_of(l) > 0) {
            i++;
            continue;
        }
        const char *colon = memchr(l.b, ':', (size_t)(l.e - l.b));
        if (!colon) {
            rc = err_set(err, IM_IO, "%s:%d: expected 'key: value'", path, i + 1);
            break;
        }
        if (y->n == ecap) {
            ecap = ecap ? ecap * 2 : 32;
            y->e = realloc(y->e, (size_t)ecap * sizeof *y->e);
            if (!y->e) abort();
        }
        PbYamlEntry *ent = &y->e[y->n++];
        memset(ent, 0, sizeof *ent);
        ent->key = scalar(l.b, colon);
        const char *vb = colon + 1, *ve = l.e;
        trim(&vb, &ve);
        int j = i + 1;
        /* the indented (or blank/comment) lines that belong to this key */
        while (j < nl && (is_blank(ls[j]) || indent_of(ls[j]) > 0 ||
                          (!(ve > vb) && ls[j].e > ls[j].b && ls[j].b[0] == '-' && (ls[j].e - ls[j].b == 1 || ls[j].b[1] == ' '))))
            j++; /* a block list may start in column 0 */
        if (ve > vb && *vb == '|') {
            int ind = -1;
            Buf o;
            buf_init(&o);
            for (int k = i + 1; k < j; k++) {
                if (!is_blank(ls[k]) && ind < 0) ind = indent_of(ls[k]);
            }
            for (int k = i + 1; k < j; k++) {
                Line x = ls[k];
                if (is_blank(x)) {
                    int w = (int)(x.e - x.b);
                    if (ind >= 0 && w > ind) buf_append(&o, x.b + ind, (size_t)(w - ind));
                    buf_putc(&o, '\n');
                    continue;
                }
                int w = indent_of(x);
                const char *s = x.b + (w < ind ? w : ind);
                buf_append(&o, s, (size_t)(x.e - s));
                buf_putc(&o, '\n');
            }
            /* clip: exactly one trailing newline (none if empty) */
            while (o.len > 0 && o.data[o.len - 1] == '\n') o.len--;
            if (o.len > 0) buf_putc(&o, '\n');
            buf_putc(&o, 0);
            ent->kind = PB_Y_SCALAR;
            ent->text = buf_take(&o);
        } else if (ve > vb && *vb != '{') {
            ent->kind = PB_Y_SCALAR;
            ent->text = scalar(vb, ve);
        } else {
            /* flow map on this and following lines, or a block list */
            int k = i + 1;
            while (k < j && (is_blank(ls[k]) || is_comment(ls[k]))) k++;
            const char *first = NULL;
            if (ve > vb) first = vb;
            else if (k < j) first = ls[k].b + indent_of(ls[k]);
            if (first && *first == '{') {
                ent->kind = PB_Y_MAP;
                const char *end = ls[j - 1].e;
                rc = flow_map(first, end, ent, path, i + 1, err);
            } else if (first && *first == '-') {
                ent->kind = PB_Y_LIST;
                int lcap = 0;
                for (int m = k; m < j; m++) {
                    if (is_blank(ls[m]) || is_comment(ls[m])) continue;
                    const char *s = ls[m].b + indent_of(ls[m]);
                    if (*s != '-') continue;
                    if (ent->nkv == lcap) {
                        lcap = lcap ? lcap * 2 : 8;
                        ent->kv = realloc(ent->kv, (size_t)lcap * sizeof *ent->kv);
                        if (!ent->kv) abort();
                    }
                    ent->kv[ent->nkv].key = NULL;
                    ent->kv[ent->nkv].val = scalar(s + 1, ls[m].e);
                    ent->nkv++;
                }
            } else {
                ent->kind = PB_Y_SCALAR;
                ent->text = pb_dupn("", 0);
            }
        }
        i = j;
    }
    free(ls);
    if (rc) {
        pb_yaml_free(y);
        return rc;
    }
    *out = y;
    return IM_OK;
}

int pb_yaml_load(const char *path, PbYaml **out, Err *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return rc;
    rc = pb_yaml_parse(text, path, out, err);
    free(text);
    return rc;
}

const PbYamlEntry *pb_yaml_get(const PbYaml *y, const char *key) {
    for (int i = 0; y && i < y->n; i++)
        if (!strcmp(y->e[i].key, key)) return &y->e[i];
    return NULL;
}

const char *pb_yaml_str(const PbYaml *y, const char *key) {
    const PbYamlEntry *e = pb_yaml_get(y, key);
    return e && e->kind == PB_Y_SCALAR ? e->text : NULL;
}

const char *pb_yaml_map_get(const PbYaml *y, const char *key, const char *k) {
    const PbYamlEntry *e = pb_yaml_get(y, key);
    if (!e || e->kind != PB_Y_MAP) return NULL;
    for (int i = 0; i < e->nkv; i++)
        if (!strcmp(e->kv[i].key, k)) return e->kv[i].val;
    return NULL;
}
