/* render.c: PDDL -> the benchmark's English (pb_render.h). No I/O. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pb_render.h"

static const char *object_name(const PbVariant *v, const char *obj, char *tmp, size_t cap) {
    if (v->x.kind == PB_DOM_LOGISTICS) {
        /* letter + digit groups: l1-0 -> template "location_{}_{}" */
        char key[2] = {obj[0], 0};
        const char *t = pb_yaml_map_get(v->cfg, "encoded_objects", key);
        if (!t) return obj;
        const char *nums = obj + 1;
        size_t o = 0;
        for (const char *p = t; *p && o + 1 < cap; p++) {
            if (p[0] == '{' && p[1] == '}') {
                size_t k = strcspn(nums, "-");
                for (size_t i = 0; i < k && o + 1 < cap; i++) tmp[o++] = nums[i];
                nums += k;
                if (*nums == '-') nums++;
                p++;
            } else {
                tmp[o++] = *p;
            }
        }
        tmp[o] = 0;
        return tmp;
    }
    const char *n = pb_yaml_map_get(v->cfg, "encoded_objects", obj);
    return n ? n : obj;
}

void pb_render_object(const PbVariant *v, const char *obj, Buf *out) {
    char tmp[128];
    buf_puts(out, object_name(v, obj, tmp, sizeof tmp));
}

/* Fills template t's "{}" with names in order. */
static void fill(const char *t, char names[][128], int n, Buf *out) {
    int k = 0;
    for (const char *p = t; *p; p++) {
        if (p[0] == '{' && p[1] == '}') {
            if (k < n) buf_puts(out, names[k]);
            k++;
            p++;
        } else {
            buf_putc(out, *p);
        }
    }
}

char *pb_render_step(const PbVariant *v, const char *step) {
    char tok[8][128];
    int nt = 0;
    const char *p = step;
    while (*p && (isspace((unsigned char)*p) || *p == '(')) p++;
    while (*p && *p != ')' && nt < 8) {
        size_t k = 0;
        while (*p && !isspace((unsigned char)*p) && *p != ')' && k < 127) tok[nt][k++] = *p++;
        tok[nt][k] = 0;
        nt++;
        while (*p && isspace((unsigned char)*p)) p++;
    }
    if (nt == 0) return NULL;
    const char *t = pb_yaml_map_get(v->cfg, "actions", tok[0]);
    if (!t) return NULL;
    char names[8][128];
    for (int i = 1; i < nt; i++) {
        char tmp[128];
        const char *nm = object_name(v, tok[i], tmp, sizeof tmp);
        strncpy(names[i - 1], nm, 127);
        names[i - 1][127] = 0;
    }
    Buf b;
    buf_init(&b);
    fill(t, names, nt - 1, &b);
    buf_putc(&b, 0);
    return buf_take(&b);
}

int pb_render_atom(const PbVariant *v, const PbProblem *p, const PbAtom *a, Buf *out) {
    const char *t = pb_yaml_map_get(v->cfg, "predicates", v->dom->preds[a->pred]);
    if (!t || !*t) return 0;
    char names[PB_MAX_ARGS][128];
    for (int i = 0; i < a->nargs; i++) {
        char tmp[128];
        const char *nm = object_name(v, p->objs[a->args[i]], tmp, sizeof tmp);
        strncpy(names[i], nm, 127);
        names[i][127] = 0;
    }
    fill(t, names, a->nargs, out);
    return 1;
}

char *pb_render_plan(const PbVariant *v, char *const *steps, int n) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        char *e = pb_render_step(v, steps[i]);
        buf_puts(&b, e ? e : steps[i]);
        buf_putc(&b, '\n');
        free(e);
    }
    buf_puts(&b, "[PLAN END]\n");
    return buf_take(&b);
}
