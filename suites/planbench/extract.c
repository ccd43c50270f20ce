/* extract.c: PlanBench's plan extraction from model text, with the
 * authors' semantics (pb_extract.h). Our own code, written from reading
 * theirs; pure functions, no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "pb_extract.h"
#include "pb_text.h"

const char *pb_dialect_name(PbDialect d) {
    d = PB_X_RULES(d);
    return d == PB_X_PLANBENCH ? "plan-bench" : d == PB_X_PLANBENCH_MD ? "plan-bench-md" : d == PB_X_ANALYSIS ? "analysis" : "auto";
}

int pb_dialect_parse(const char *name) {
    for (int d = 0; d < PB_X_COUNT; d++)
        if (!strcmp(name, pb_dialect_name((PbDialect)d))) return d;
    return -1;
}

void pb_plan_lines(const char *text, char ***steps, int *n) {
    *steps = NULL;
    *n = 0;
    int cap = 0;
    for (const char *p = text; p && *p;) {
        const char *q = strchr(p, '\n');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        size_t b, e;
        pb_strip(p, len, &b, &e);
        if (e > b) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *steps = realloc(*steps, (size_t)cap * sizeof **steps);
                if (!*steps) abort();
            }
            (*steps)[(*n)++] = pb_dupn(p + b, e - b);
        }
        if (!q) break;
        p = q + 1;
    }
}

void pb_extracted_free(PbExtracted *x) {
    if (!x) return;
    free(x->text);
    for (int i = 0; i < x->nsteps; i++) free(x->steps[i]);
    free(x->steps);
    memset(x, 0, sizeof *x);
}

char *pb_step_pddl(const PbExtractCfg *c, const char *s) {
    if (s[0] == '(' && strchr(s, ')')) {
        char *d = strdup(s);
        if (!d) abort();
        for (char *q = d; *q; q++)
            if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
        return d;
    }
    if (!c || strchr(s, '\n')) return NULL;
    PbExtracted x;
    pb_extract(c, PB_X_PLANBENCH, s, NULL, &x);
    char *d = x.ok && x.nsteps == 1 ? strdup(x.steps[0]) : NULL;
    pb_extracted_free(&x);
    return d;
}

int pb_extract_json_form(const PbExtractCfg *c, const char *text, PbExtracted *out) {
    memset(out, 0, sizeof *out);
    const char *t = text ? text : "";
    while (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t') t++;
    if (*t != '[') return 0;
    cJSON *a = cJSON_Parse(t);
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1, i = 0;
    if (n >= 0) {
        out->steps = calloc((size_t)n + 1, sizeof *out->steps);
        if (!out->steps) abort();
    }
    Buf lines;
    buf_init(&lines);
    buf_puts(&lines, "");
    for (const cJSON *x = n >= 0 ? a->child : NULL; x; x = x->next, i++) {
        if (!cJSON_IsString(x) || !(out->steps[i] = pb_step_pddl(c, x->valuestring))) break;
        buf_puts(&lines, out->steps[i]);
        buf_putc(&lines, '\n');
    }
    cJSON_Delete(a);
    out->nsteps = i;
    if (n < 0 || i < n) {
        buf_free(&lines);
        pb_extracted_free(out);
        return 0;
    }
    out->text = buf_take(&lines);
    out->ok = 1;
    return 1;
}

/* Python: s.split(sep)[1] (the text between the first and the second sep),
 * in place on a malloc'd string. */
static void between_first(char **s, const char *sep) {
    char *a = strstr(*s, sep);
    if (!a) return;
    a += strlen(sep);
    char *b = strstr(a, sep);
    char *r = pb_dupn(a, b ? (size_t)(b - a) : strlen(a));
    free(*s);
    *s = r;
}

static void cut_at(char *s, const char *sep) {
    char *a = strstr(s, sep);
    if (a) *a = 0;
}

/* ---- Blocksworld and its renamings ---- */
typedef struct Found {
    long pos;
    const char *name;
    const char *letter;
} Found;

static int found_cmp(const void *a, const void *b) {
    const Found *x = a, *y = b;
    if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void extract_blocks(const PbExtractCfg *c, PbDialect dialect, const char *text, PbExtracted *out) {
    char *t = pb_lower(text);
    {
        size_t b, e;
        pb_strip(t, strlen(t), &b, &e);
        char *s = pb_dupn(t + b, e - b);
        free(t);
        t = s;
    }
    if (dialect == PB_X_ANALYSIS) {
        if (strstr(t, "### plan:")) between_first(&t, "### plan:");
        if (strstr(t, "[plan]")) {
            between_first(&t, "[plan]");
            cut_at(t, "[plan end]");
        }
    }
    /* action words of the text replaced by the domain's action names */
    for (int i = 0; i < c->nacts; i++) {
        const char *tmpl = NULL;
        for (int k = 0; k < c->ntemplates; k++)
            if (!strcmp(c->templates[k].key, c->acts[i])) tmpl = c->templates[k].val;
        if (!tmpl) continue; /* the config names every action (checked when the variant is opened) */
        size_t wl = strcspn(tmpl, " ");
        char word[128], phrase[128];
        snprintf(word, sizeof word, "%.*s", (int)wl, tmpl);
        if (strstr(c->acts[i], word)) {
            snprintf(phrase, sizeof phrase, "%s", c->acts[i]);
            for (char *p = phrase; *p; p++)
                if (*p == '-') *p = ' ';
        } else {
            snprintf(phrase, sizeof phrase, "%s", word);
        }
        if (strcmp(phrase, c->acts[i])) {
            char *r = pb_replace(t, phrase, c->acts[i]);
            free(t);
            t = r;
        }
    }
    char **names = malloc((size_t)(c->nobjects ? c->nobjects : 1) * sizeof *names);
    if (!names) abort();
    for (int k = 0; k < c->nobjects; k++) names[k] = pb_lower(c->objects[k].val);
    Found *found = malloc((size_t)(c->nobjects ? c->nobjects : 1) * sizeof *found);
    if (!found) abort();
    Buf plan;
    buf_init(&plan);
    buf_puts(&plan, "");
    char *line = NULL;
    for (const char *p = t;;) {
        const char *q = strchr(p, '\n');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        size_t b, e;
        pb_strip(p, len, &b, &e);
        free(line);
        line = pb_dupn(p + b, e - b);
        if (strstr(line, "[COST]")) break; /* never true on lower-cased text: kept as the authors have it */
        if (dialect == PB_X_ANALYSIS || dialect == PB_X_PLANBENCH_MD) {
            char *w = line;
            for (char *r = line; *r; r++)
                if (*r != '*') *w++ = *r;
            *w = 0;
        }
        size_t ll = strlen(line);
        size_t st[256], tl[256];
        int nt = pb_split_ws(line, ll, st, tl, 256);
        if (nt > 256) nt = 256;
        int act = -1;
        for (int i = 0; i < c->nacts && act < 0; i++)
            for (int k = 0; k < nt; k++)
                if (tl[k] == strlen(c->acts[i]) && !memcmp(line + st[k], c->acts[i], tl[k])) {
                    act = i;
                    break;
                }
        if (act >= 0) {
            int nf = 0;
            for (int k = 0; k < c->nobjects; k++) {
                long pos = pb_find(line, ll, names[k]);
                if (pos >= 0) found[nf].pos = pos, found[nf].name = names[k], found[nf].letter = c->objects[k].key, nf++;
            }
            if (nf == c->arity[act]) {
                qsort(found, (size_t)nf, sizeof *found, found_cmp);
                buf_putc(&plan, '(');
                buf_puts(&plan, c->acts[act]);
                for (int k = 0; k < nf; k++) {
                    buf_putc(&plan, ' ');
                    buf_puts(&plan, found[k].letter);
                }
                buf_puts(&plan, ")\n");
            }
        }
        if (!q) break;
        p = q + 1;
    }
    free(line);
    for (int k = 0; k < c->nobjects; k++) free(names[k]);
    free(names);
    free(found);
    free(t);
    out->ok = 1;
    out->text = buf_take(&plan);
}

/* ---- Logistics ---- */
/* The i-th code point of s (or -1) and its byte offset. */
static long cp_at(const char *s, size_t n, int i, size_t *off) {
    size_t o = 0;
    for (int k = 0; o < n; k++) {
        int len;
        unsigned cp = pb_utf8_next(s + o, n - o, &len);
        if (k == i) {
            if (off) *off = o;
            return (long)cp;
        }
        o += (size_t)len;
    }
    if (off) *off = n;
    return -1;
}

static int has_digit(const char *s, size_t n) {
    for (size_t o = 0; o < n;) {
        int len;
        if (pb_cp_isdigit(pb_utf8_next(s + o, n - o, &len))) return 1;
        o += (size_t)len;
    }
    return 0;
}

static int lg_fail(PbExtracted *out, const char *line, const char *why) {
    out->ok = 0;
    snprintf(out->why, sizeof out->why, "%s in line '%.120s'", why, line);
    return 0;
}

/* One line; appends to plan. Returns 0 when the authors' code raises. */
static int logistics_line(const PbExtractCfg *c, char *line, Buf *plan, PbExtracted *out) {
    size_t n = strlen(line);
    long c0 = cp_at(line, n, 0, NULL);
    if (c0 >= 0 && pb_cp_isdigit((unsigned)c0)) {
        size_t off;
        long c1 = cp_at(line, n, 1, NULL);
        if (c1 < 0) return lg_fail(out, line, "a lone digit (IndexError)");
        int cut = 0;
        if (c1 == '.') {
            cut = 2;
        } else if (pb_cp_isdigit((unsigned)c1)) {
            long c2 = cp_at(line, n, 2, NULL);
            if (c2 < 0) return lg_fail(out, line, "a lone two-digit number (IndexError)");
            if (c2 == '.') cut = 3;
        }
        if (cut) {
            cp_at(line, n, cut, &off);
            char *w = line;
            for (char *r = line + off; *r; r++)
                if (*r != '.') *w++ = *r;
            *w = 0;
            n = strlen(line);
        }
    }
    size_t st[128], tl[128];
    int nt = pb_split_ws(line, n, st, tl, 128);
    if (nt > 128) nt = 128;
    /* objects: tokens holding a digit -> first character + '-'.join(parts after the first '_') */
    char objs[128][64];
    int no = 0;
    for (int k = 0; k < nt; k++) {
        if (!has_digit(line + st[k], tl[k])) continue;
        Buf o;
        buf_init(&o);
        int len;
        pb_utf8_next(line + st[k], tl[k], &len);
        buf_append(&o, line + st[k], (size_t)len);
        const char *tok = line + st[k], *end = tok + tl[k];
        const char *u = memchr(tok, '_', tl[k]);
        int first = 1;
        while (u && u < end) {
            const char *v = memchr(u + 1, '_', (size_t)(end - u - 1));
            const char *pe = v ? v : end;
            if (!first) buf_putc(&o, '-');
            buf_append(&o, u + 1, (size_t)(pe - u - 1));
            first = 0;
            u = v;
        }
        snprintf(objs[no], sizeof objs[no], "%s", o.data ? o.data : "");
        buf_free(&o);
        if (no < 127) no++;
    }
    if (nt == 0) return lg_fail(out, line, "nothing left after the numbering (IndexError)");
    /* the first token must be an action word (the domain's names up to '-') */
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)tl[0], line + st[0]);
    int is_action = 0;
    for (int i = 0; i < c->nacts; i++) {
        size_t wl = strcspn(c->acts[i], "-");
        if (wl == strlen(word) && !strncmp(c->acts[i], word, wl)) is_action = 1;
    }
    if (!is_action) return 1;
    const char *check;
    if (strstr(word, "load") || strstr(word, "unload")) {
        if (no < 2) return lg_fail(out, line, "a load/unload with fewer than two objects (IndexError)");
        check = objs[1];
    } else {
        if (no < 1) return lg_fail(out, line, "an action without objects (IndexError)");
        check = objs[0];
    }
    char action[96];
    if (strchr(check, 'a')) snprintf(action, sizeof action, "%s-airplane", word);
    else if (strchr(check, 't')) snprintf(action, sizeof action, "%s-truck", word);
    else return lg_fail(out, line, "no vehicle among the objects (ValueError)");
    if (!strcmp(action, "drive-truck") && no == 3) {
        const char *s = objs[1];
        size_t sl = strlen(s);
        int found = 0;
        for (size_t o = 0; o < sl;) {
            int len;
            unsigned cp = pb_utf8_next(s + o, sl - o, &len);
            if (pb_cp_isdigit(cp)) {
                snprintf(objs[3], sizeof objs[3], "c%.*s", len, s + o);
                found = 1;
                break;
            }
            o += (size_t)len;
        }
        if (!found) return lg_fail(out, line, "a drive whose from-location has no digit (IndexError)");
        no = 4;
    }
    buf_putc(plan, '(');
    buf_puts(plan, action);
    buf_putc(plan, ' ');
    for (int k = 0; k < no; k++) {
        if (k) buf_putc(plan, ' ');
        buf_puts(plan, objs[k]);
    }
    buf_puts(plan, ")\n");
    return 1;
}

static void extract_logistics(const PbExtractCfg *c, const char *text, PbExtracted *out) {
    Buf plan;
    buf_init(&plan);
    buf_puts(&plan, "");
    out->ok = 1;
    for (const char *p = text;;) {
        const char *q = strchr(p, '\n');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        size_t b, e;
        pb_strip(p, len, &b, &e);
        char *raw = pb_dupn(p + b, e - b);
        char *line = pb_lower(raw);
        free(raw);
        int go = 1;
        if (*line) {
            if (strstr(line, "[COST]")) go = 0; /* never true on lower-cased text */
            else if (!logistics_line(c, line, &plan, out)) go = 0;
        }
        free(line);
        if (!go || !q) break;
        p = q + 1;
    }
    if (!out->ok) {
        buf_free(&plan);
        out->text = NULL;
        return;
    }
    out->text = buf_take(&plan);
}

/* ---- the stored translation (an LLM's PDDL rendering of the text) ---- */
static char *strip_dup(const char *s) {
    size_t b, e;
    pb_strip(s, strlen(s), &b, &e);
    return pb_dupn(s + b, e - b);
}

static char *drop_chars(const char *s, const char *chars, int digits) {
    Buf o;
    buf_init(&o);
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        int len;
        unsigned cp = pb_utf8_next(s + i, n - i, &len);
        int drop = (cp < 0x80 && cp && strchr(chars, (int)cp)) || (digits && pb_cp_isdigit(cp));
        if (!drop) buf_append(&o, s + i, (size_t)len);
        i += (size_t)len;
    }
    buf_putc(&o, 0);
    return buf_take(&o);
}

static void extract_translation(const PbExtractCfg *c, const char *tr, int early, PbExtracted *out) {
    char *sec;
    const char *a = strstr(tr, "[PDDL PLAN]");
    if (a) {
        a += strlen("[PDDL PLAN]");
        const char *b = strstr(a, "[PDDL PLAN]");
        sec = pb_dupn(a, b ? (size_t)(b - a) : strlen(a));
    } else {
        sec = pb_dupn(tr, strlen(tr));
    }
    cut_at(sec, "[PDDL PLAN END]");
    char *st = strip_dup(sec);
    free(sec);
    char *plan = pb_lower(st);
    free(st);
    const char *dn = c->domain_name ? c->domain_name : "";
    int bw = !strcmp(dn, "blocksworld") || !strcmp(dn, "blocksworld_3");
    int my = !strcmp(dn, "mystery_blocksworld") || !strcmp(dn, "mystery_blocksworld_3");
    int lg = !strcmp(dn, "logistics");
    out->ok = 1;
    if (lg) { /* the authors build a cleaned list here but store the section itself */
        out->text = plan;
        return;
    }
    if (my) {
        char *r = pb_replace(plan, "object_", "");
        free(plan);
        plan = r;
    } else if (!bw) {
        char *r = pb_replace(plan, "object_", "o");
        free(plan);
        plan = r;
    }
    Buf o;
    buf_init(&o);
    buf_puts(&o, "");
    int first = 1;
    for (char *p = plan;;) {
        char *q = strchr(p, '\n');
        char *line = pb_dupn(p, q ? (size_t)(q - p) : strlen(p));
        char *s = strip_dup(line);
        char *emit = NULL;
        if (*s) {
            if (bw && early && s[0] != '(') {
                /* the earlier version reads only lines that start with '(' */
            } else if (bw) {
                char *x = drop_chars(line, "().", 1);
                if (strcmp(x, "no plan possible")) {
                    size_t ts[64], tl[64];
                    int nt = pb_split_ws(x, strlen(x), ts, tl, 64);
                    if (nt > 64) nt = 64;
                    static const char *known[] = {"unstack", "stack", "pick-up", "put-down", "pickup", "putdown", "put_down", "pick_up"};
                    char name[64];
                    if (nt > 0) {
                        snprintf(name, sizeof name, "%.*s", (int)tl[0], x + ts[0]);
                        int ok = 0;
                        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
                            if (!strcmp(name, known[k])) ok = 1;
                        if (ok) {
                            if (!strcmp(name, "pickup") || !strcmp(name, "pick_up")) strcpy(name, "pick-up");
                            if (!strcmp(name, "putdown") || !strcmp(name, "put_down")) strcpy(name, "put-down");
                            Buf e;
                            buf_init(&e);
                            buf_putc(&e, '(');
                            buf_puts(&e, name);
                            for (int k = 1; k < nt; k++)
                                for (int m = 0; m < c->ncompact; m++) {
                                    char *cn = pb_dupn(c->compact[m].val, strlen(c->compact[m].val));
                                    char *tok = pb_dupn(x + ts[k], tl[k]);
                                    int hit = strstr(tok, cn) != NULL;
                                    free(cn);
                                    free(tok);
                                    if (hit) {
                                        buf_putc(&e, ' ');
                                        buf_puts(&e, c->compact[m].key);
                                        break;
                                    }
                                }
                            buf_putc(&e, ')');
                            emit = buf_take(&e);
                        }
                    }
                }
                free(x);
            } else if (!strcmp(line, "no plan possible")) {
                emit = pb_dupn("(no plan possible)", 18);
            } else if (my && early) {
                /* the earlier version keeps a line verbatim when it starts with '(' */
                if (line[0] == '(' && !strstr(line, "pddl plan")) emit = pb_dupn(line, strlen(line));
            } else {
                char *x = drop_chars(line, my ? ".*" : ".", my);
                char *y = strip_dup(x);
                if (y[0] == '(' && !strstr(y, "pddl plan")) {
                    if (my) {
                        char *z = drop_chars(y, "()", 0);
                        char *zz = strip_dup(z);
                        Buf e;
                        buf_init(&e);
                        buf_printf(&e, "(%s)", zz);
                        emit = buf_take(&e);
                        free(z);
                        free(zz);
                    } else {
                        emit = pb_dupn(y, strlen(y));
                    }
                }
                free(x);
                free(y);
            }
        }
        if (emit) {
            if (!first) buf_putc(&o, '\n');
            buf_puts(&o, emit);
            first = 0;
            free(emit);
        }
        free(s);
        free(line);
        if (!q) break;
        p = q + 1;
    }
    free(plan);
    out->text = buf_take(&o);
}

void pb_extract(const PbExtractCfg *c, PbDialect dialect, const char *text, const char *translation, PbExtracted *out) {
    memset(out, 0, sizeof *out);
    int early = (dialect & PB_X_TR_EARLY) != 0;
    dialect = PB_X_RULES(dialect);
    if (translation) extract_translation(c, translation, early, out);
    else if (c->kind == PB_DOM_LOGISTICS) extract_logistics(c, text ? text : "", out);
    else extract_blocks(c, dialect == PB_X_AUTO ? PB_X_ANALYSIS : dialect, text ? text : "", out);
    if (out->ok) pb_plan_lines(out->text, &out->steps, &out->nsteps);
}
