/* pddl.c: reader for PlanBench's STRIPS PDDL (pb_pddl.h). Text ->
 * s-expressions -> domain/problem. No I/O except the *_load functions. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "pb_pddl.h"

/* ---- s-expressions ---- */
typedef struct Sx {
    char *atom; /* NULL for a list */
    struct Sx *kid;
    int nkid, line;
} Sx;

static void sx_free(Sx *s) {
    if (!s) return;
    for (int i = 0; i < s->nkid; i++) {
        sx_free(&s->kid[i]);
        free(s->kid[i].atom);
    }
    free(s->kid);
    s->kid = NULL;
    s->nkid = 0;
}

typedef struct Rd {
    const char *p, *path;
    int line;
    Err *err;
} Rd;

static void skip_ws(Rd *r) {
    for (;;) {
        while (*r->p && isspace((unsigned char)*r->p)) {
            if (*r->p == '\n') r->line++;
            r->p++;
        }
        if (*r->p == ';') {
            while (*r->p && *r->p != '\n') r->p++;
            continue;
        }
        return;
    }
}

static void sx_push(Sx *list, Sx *kid, int *cap) {
    if (list->nkid == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        list->kid = realloc(list->kid, (size_t)*cap * sizeof(Sx));
        if (!list->kid) abort();
    }
    list->kid[list->nkid++] = *kid;
}

static int sx_read(Rd *r, Sx *out, int depth) {
    memset(out, 0, sizeof *out);
    skip_ws(r);
    out->line = r->line;
    if (depth > 64) return err_set(r->err, IM_IO, "%s:%d: expressions nested too deeply", r->path, r->line);
    if (*r->p == '(') {
        r->p++;
        int cap = 0;
        for (;;) {
            skip_ws(r);
            if (!*r->p) return err_set(r->err, IM_IO, "%s:%d: unbalanced '(' (opened on line %d)", r->path, r->line, out->line);
            if (*r->p == ')') {
                r->p++;
                return IM_OK;
            }
            Sx kid;
            int rc = sx_read(r, &kid, depth + 1);
            if (rc) {
                sx_free(&kid);
                free(kid.atom);
                return rc;
            }
            sx_push(out, &kid, &cap);
        }
    }
    if (*r->p == ')') return err_set(r->err, IM_IO, "%s:%d: unexpected ')'", r->path, r->line);
    if (!*r->p) return err_set(r->err, IM_IO, "%s:%d: unexpected end of file", r->path, r->line);
    const char *b = r->p;
    while (*r->p && !isspace((unsigned char)*r->p) && *r->p != '(' && *r->p != ')' && *r->p != ';') r->p++;
    size_t n = (size_t)(r->p - b);
    out->atom = malloc(n + 1);
    if (!out->atom) abort();
    for (size_t i = 0; i < n; i++) out->atom[i] = (char)tolower((unsigned char)b[i]);
    out->atom[n] = 0;
    return IM_OK;
}

static int is_atom(const Sx *s, const char *w) { return s->atom && !strcmp(s->atom, w); }

static char *xstrdup(const char *s) {
    char *r = strdup(s);
    if (!r) abort();
    return r;
}

static void grow(void **arr, int n, int *cap, size_t sz) {
    if (n < *cap) return;
    *cap = *cap ? *cap * 2 : 8;
    *arr = realloc(*arr, (size_t)*cap * sz);
    if (!*arr) abort();
}

/* ---- domain ---- */
int pb_domain_pred(const PbDomain *d, const char *name) {
    for (int i = 0; i < d->npreds; i++)
        if (!strcmp(d->preds[i], name)) return i;
    return -1;
}

int pb_domain_action(const PbDomain *d, const char *name) {
    for (int i = 0; i < d->nacts; i++)
        if (!strcmp(d->acts[i].name, name)) return i;
    return -1;
}

static int type_index(PbDomain *d, const char *name, int *cap, int create) {
    if (!strcmp(name, "object")) return -1;
    for (int i = 0; i < d->ntypes; i++)
        if (!strcmp(d->types[i], name)) return i;
    if (!create) return -2;
    grow((void **)&d->types, d->ntypes, cap, sizeof(char *));
    int cap2 = d->ntypes;
    d->type_parent = realloc(d->type_parent, (size_t)(*cap) * sizeof(int));
    if (!d->type_parent) abort();
    (void)cap2;
    d->types[d->ntypes] = xstrdup(name);
    d->type_parent[d->ntypes] = -1;
    return d->ntypes++;
}

int pb_type_is(const PbDomain *d, int t, int want) {
    if (want < 0) return 1;
    for (int guard = 0; t >= 0 && guard <= d->ntypes; guard++) {
        if (t == want) return 1;
        t = d->type_parent[t];
    }
    return 0;
}

/* Reads a typed list "a b - t c" into names/types. */
static int typed_list(const Sx *items, int from, PbDomain *d, int *tcap, int create_types, char ***names, int **types,
                      int *n, const char *path, Err *err) {
    int cap = 0, pending = *n;
    for (int i = from; i < items->nkid; i++) {
        const Sx *s = &items->kid[i];
        if (!s->atom) return err_set(err, IM_IO, "%s:%d: expected a name in a typed list", path, s->line);
        if (!strcmp(s->atom, "-")) {
            if (i + 1 >= items->nkid || !items->kid[i + 1].atom)
                return err_set(err, IM_IO, "%s:%d: expected a type after '-'", path, s->line);
            int t = type_index(d, items->kid[i + 1].atom, tcap, create_types);
            if (t == -2) return err_set(err, IM_IO, "%s:%d: unknown type '%s'", path, s->line, items->kid[i + 1].atom);
            for (int k = pending; k < *n; k++) (*types)[k] = t;
            pending = *n;
            i++;
            continue;
        }
        if (*n >= cap) {
            cap = cap ? cap * 2 : 16;
            if (cap <= *n) cap = *n + 16;
            *names = realloc(*names, (size_t)cap * sizeof(char *));
            *types = realloc(*types, (size_t)cap * sizeof(int));
            if (!*names || !*types) abort();
        }
        (*names)[*n] = xstrdup(s->atom);
        (*types)[*n] = -1;
        (*n)++;
    }
    return IM_OK;
}

static int param_index(const PbAction *a, const char *name) {
    for (int i = 0; i < a->nparams; i++)
        if (!strcmp(a->params[i], name)) return i;
    return -1;
}

static int schema_atom(const PbDomain *d, const PbAction *a, const Sx *s, PbAtom *out, const char *path, Err *err) {
    if (s->atom || s->nkid < 1 || !s->kid[0].atom) return err_set(err, IM_IO, "%s:%d: expected an atom (pred ?x ...)", path, s->line);
    int p = pb_domain_pred(d, s->kid[0].atom);
    if (p < 0) return err_set(err, IM_IO, "%s:%d: unknown predicate '%s' in action %s", path, s->line, s->kid[0].atom, a->name);
    if (s->nkid - 1 != d->arity[p])
        return err_set(err, IM_IO, "%s:%d: predicate %s takes %d arguments, got %d", path, s->line, d->preds[p], d->arity[p], s->nkid - 1);
    out->pred = p;
    out->nargs = s->nkid - 1;
    for (int i = 1; i < s->nkid; i++) {
        if (!s->kid[i].atom) return err_set(err, IM_IO, "%s:%d: expected a parameter", path, s->line);
        int k = param_index(a, s->kid[i].atom);
        if (k < 0)
            return err_set(err, IM_IO, "%s:%d: '%s' is not a parameter of %s (constants are not supported)", path, s->line,
                           s->kid[i].atom, a->name);
        out->args[i - 1] = k;
    }
    return IM_OK;
}

/* A conjunction (and ...) or a single literal; negation only when allowed (effects). */
static int formula(const PbDomain *d, PbAction *a, const Sx *s, int effect, const char *path, Err *err) {
    if (s->atom) return err_set(err, IM_IO, "%s:%d: expected a formula", path, s->line);
    if (s->nkid == 0) return IM_OK;
    if (is_atom(&s->kid[0], "and")) {
        for (int i = 1; i < s->nkid; i++) {
            int rc = formula(d, a, &s->kid[i], effect, path, err);
            if (rc) return rc;
        }
        return IM_OK;
    }
    int neg = is_atom(&s->kid[0], "not");
    if (neg && !effect)
        return err_set(err, IM_IO, "%s:%d: negative precondition in %s: only STRIPS (positive conjunctions) is supported", path, s->line, a->name);
    if (s->kid[0].atom && (!strcmp(s->kid[0].atom, "or") || !strcmp(s->kid[0].atom, "forall") || !strcmp(s->kid[0].atom, "when") ||
                           !strcmp(s->kid[0].atom, "exists") || !strcmp(s->kid[0].atom, "imply")))
        return err_set(err, IM_IO, "%s:%d: '%s' in %s: only STRIPS is supported", path, s->line, s->kid[0].atom, a->name);
    const Sx *at = s;
    if (neg) {
        if (s->nkid != 2) return err_set(err, IM_IO, "%s:%d: (not ...) takes one atom", path, s->line);
        at = &s->kid[1];
    }
    PbAtom x;
    int rc = schema_atom(d, a, at, &x, path, err);
    if (rc) return rc;
    PbAtom **arr = !effect ? &a->pre : neg ? &a->del : &a->add;
    int *n = !effect ? &a->npre : neg ? &a->ndel : &a->nadd;
    *arr = realloc(*arr, (size_t)(*n + 1) * sizeof(PbAtom));
    if (!*arr) abort();
    (*arr)[(*n)++] = x;
    return IM_OK;
}

void pb_domain_free(PbDomain *d) {
    if (!d) return;
    free(d->name);
    for (int i = 0; i < d->ntypes; i++) free(d->types[i]);
    free(d->types);
    free(d->type_parent);
    for (int i = 0; i < d->npreds; i++) free(d->preds[i]);
    free(d->preds);
    free(d->arity);
    for (int i = 0; i < d->nacts; i++) {
        PbAction *a = &d->acts[i];
        free(a->name);
        for (int k = 0; k < a->nparams; k++) free(a->params[k]);
        free(a->params);
        free(a->ptype);
        free(a->pre);
        free(a->add);
        free(a->del);
    }
    free(d->acts);
    free(d);
}

static int read_action(PbDomain *d, const Sx *s, int *tcap, const char *path, Err *err) {
    if (s->nkid < 2 || !s->kid[1].atom) return err_set(err, IM_IO, "%s:%d: expected (:action NAME ...)", path, s->line);
    d->acts = realloc(d->acts, (size_t)(d->nacts + 1) * sizeof(PbAction));
    if (!d->acts) abort();
    PbAction *a = &d->acts[d->nacts++];
    memset(a, 0, sizeof *a);
    a->name = xstrdup(s->kid[1].atom);
    if (pb_domain_action(d, a->name) != d->nacts - 1)
        return err_set(err, IM_IO, "%s:%d: action %s defined twice", path, s->line, a->name);
    for (int i = 2; i + 1 < s->nkid; i += 2) {
        const Sx *k = &s->kid[i], *v = &s->kid[i + 1];
        int rc = IM_OK;
        if (is_atom(k, ":parameters")) {
            if (v->atom) return err_set(err, IM_IO, "%s:%d: expected a parameter list", path, v->line);
            rc = typed_list(v, 0, d, tcap, 0, &a->params, &a->ptype, &a->nparams, path, err);
            if (!rc && a->nparams > PB_MAX_ARGS + 2)
                return err_set(err, IM_IO, "%s:%d: action %s has %d parameters (at most %d)", path, v->line, a->name, a->nparams, PB_MAX_ARGS + 2);
        } else if (is_atom(k, ":precondition")) {
            rc = formula(d, a, v, 0, path, err);
        } else if (is_atom(k, ":effect")) {
            rc = formula(d, a, v, 1, path, err);
        } else {
            return err_set(err, IM_IO, "%s:%d: unsupported action field '%s'", path, k->line, k->atom ? k->atom : "(...)");
        }
        if (rc) return rc;
    }
    return IM_OK;
}

/* Checks that root is (define (KIND NAME) ...) and copies NAME into *name. */
static int define_name(const Sx *root, const char *kind, const char *path, char **name, Err *err) {
    if (root->atom || root->nkid < 2 || !is_atom(&root->kid[0], "define") || root->kid[1].atom || root->kid[1].nkid != 2 ||
        !is_atom(&root->kid[1].kid[0], kind) || !root->kid[1].kid[1].atom)
        return err_set(err, IM_IO, "%s:%d: expected (define (%s NAME) ...)", path, root->line, kind);
    *name = xstrdup(root->kid[1].kid[1].atom);
    return IM_OK;
}

int pb_domain_parse(const char *text, const char *path, PbDomain **out, Err *err) {
    *out = NULL;
    Rd r = {text, path, 1, err};
    Sx root;
    int rc = sx_read(&r, &root, 0);
    PbDomain *d = calloc(1, sizeof *d);
    if (!d) abort();
    int tcap = 0, pcap = 0;
    if (!rc) rc = define_name(&root, "domain", path, &d->name, err);
    for (int i = 2; !rc && i < root.nkid; i++) {
        const Sx *s = &root.kid[i];
        if (s->atom || s->nkid == 0 || !s->kid[0].atom) {
            rc = err_set(err, IM_IO, "%s:%d: expected a (:section ...)", path, s->line);
            break;
        }
        const char *k = s->kid[0].atom;
        if (!strcmp(k, ":requirements")) {
            for (int j = 1; j < s->nkid; j++)
                if (s->kid[j].atom && strcmp(s->kid[j].atom, ":strips") && strcmp(s->kid[j].atom, ":typing"))
                    rc = err_set(err, IM_IO, "%s:%d: requirement %s is not supported (STRIPS and typing only)", path, s->line, s->kid[j].atom);
        } else if (!strcmp(k, ":types")) {
            char **names = NULL;
            int *types = NULL, n = 0;
            /* declare every name first, then their parents */
            for (int j = 1; j < s->nkid; j++)
                if (s->kid[j].atom && strcmp(s->kid[j].atom, "-")) type_index(d, s->kid[j].atom, &tcap, 1);
            rc = typed_list(s, 1, d, &tcap, 1, &names, &types, &n, path, err);
            for (int j = 0; j < n; j++) {
                int t = type_index(d, names[j], &tcap, 1);
                if (t >= 0) d->type_parent[t] = types[j];
                free(names[j]);
            }
            free(names);
            free(types);
        } else if (!strcmp(k, ":predicates")) {
            for (int j = 1; !rc && j < s->nkid; j++) {
                const Sx *p = &s->kid[j];
                if (p->atom || p->nkid < 1 || !p->kid[0].atom) {
                    rc = err_set(err, IM_IO, "%s:%d: expected (pred ?x ...)", path, p->line);
                    break;
                }
                char **pn = NULL;
                int *pt = NULL, n = 0;
                rc = typed_list(p, 1, d, &tcap, 0, &pn, &pt, &n, path, err);
                for (int q = 0; q < n; q++) free(pn[q]);
                free(pn);
                free(pt);
                if (rc) break;
                if (n > PB_MAX_ARGS) {
                    rc = err_set(err, IM_IO, "%s:%d: predicate %s has %d arguments (at most %d)", path, p->line, p->kid[0].atom, n, PB_MAX_ARGS);
                    break;
                }
                grow((void **)&d->preds, d->npreds, &pcap, sizeof(char *));
                d->arity = realloc(d->arity, (size_t)pcap * sizeof(int));
                if (!d->arity) abort();
                d->preds[d->npreds] = xstrdup(p->kid[0].atom);
                d->arity[d->npreds++] = n;
            }
        } else if (!strcmp(k, ":action")) {
            rc = read_action(d, s, &tcap, path, err);
        } else {
            rc = err_set(err, IM_IO, "%s:%d: unsupported domain section '%s' (STRIPS subset)", path, s->line, k);
        }
    }
    if (!rc && d->nacts == 0) rc = err_set(err, IM_IO, "%s: domain has no action", path);
    sx_free(&root);
    free(root.atom);
    if (rc) {
        pb_domain_free(d);
        return rc;
    }
    *out = d;
    return IM_OK;
}

int pb_domain_load(const char *path, PbDomain **out, Err *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return rc;
    rc = pb_domain_parse(text, path, out, err);
    free(text);
    return rc;
}

/* ---- problem ---- */
int pb_problem_obj(const PbProblem *p, const char *name) {
    for (int i = 0; i < p->nobjs; i++)
        if (!strcmp(p->objs[i], name)) return i;
    return -1;
}

void pb_problem_free(PbProblem *p) {
    if (!p) return;
    free(p->name);
    free(p->domain);
    for (int i = 0; i < p->nobjs; i++) free(p->objs[i]);
    free(p->objs);
    free(p->otype);
    free(p->init);
    free(p->goal);
    free(p);
}

static int ground_atom(const PbDomain *d, const PbProblem *p, const Sx *s, PbAtom *out, const char *path, Err *err) {
    if (s->atom || s->nkid < 1 || !s->kid[0].atom) return err_set(err, IM_IO, "%s:%d: expected a ground atom (pred obj ...)", path, s->line);
    int pr = pb_domain_pred(d, s->kid[0].atom);
    if (pr < 0) return err_set(err, IM_IO, "%s:%d: unknown predicate '%s'", path, s->line, s->kid[0].atom);
    if (s->nkid - 1 != d->arity[pr])
        return err_set(err, IM_IO, "%s:%d: predicate %s takes %d arguments, got %d", path, s->line, d->preds[pr], d->arity[pr], s->nkid - 1);
    out->pred = pr;
    out->nargs = s->nkid - 1;
    for (int i = 1; i < s->nkid; i++) {
        int o = s->kid[i].atom ? pb_problem_obj(p, s->kid[i].atom) : -1;
        if (o < 0) return err_set(err, IM_IO, "%s:%d: unknown object '%s'", path, s->line, s->kid[i].atom ? s->kid[i].atom : "(...)");
        out->args[i - 1] = o;
    }
    return IM_OK;
}

static int atom_list(const PbDomain *d, const PbProblem *p, const Sx *s, int from, PbAtom **arr, int *n, const char *path, Err *err) {
    int cap = *n;
    for (int i = from; i < s->nkid; i++) {
        const Sx *x = &s->kid[i];
        if (!x->atom && x->nkid > 0 && is_atom(&x->kid[0], "and")) {
            int rc = atom_list(d, p, x, 1, arr, n, path, err);
            if (rc) return rc;
            cap = *n;
            continue;
        }
        grow((void **)arr, *n, &cap, sizeof(PbAtom));
        int rc = ground_atom(d, p, x, &(*arr)[*n], path, err);
        if (rc) return rc;
        (*n)++;
    }
    return IM_OK;
}

int pb_problem_parse(const PbDomain *d, const char *text, const char *path, PbProblem **out, Err *err) {
    *out = NULL;
    Rd r = {text, path, 1, err};
    Sx root;
    int rc = sx_read(&r, &root, 0);
    PbProblem *p = calloc(1, sizeof *p);
    if (!p) abort();
    if (!rc) rc = define_name(&root, "problem", path, &p->name, err);
    int tcap = d->ntypes;
    for (int i = 2; !rc && i < root.nkid; i++) {
        const Sx *s = &root.kid[i];
        if (s->atom || s->nkid == 0 || !s->kid[0].atom) {
            rc = err_set(err, IM_IO, "%s:%d: expected a (:section ...)", path, s->line);
            break;
        }
        const char *k = s->kid[0].atom;
        if (!strcmp(k, ":domain")) {
            if (s->nkid != 2 || !s->kid[1].atom) rc = err_set(err, IM_IO, "%s:%d: expected (:domain NAME)", path, s->line);
            else if (strcmp(s->kid[1].atom, d->name))
                rc = err_set(err, IM_IO, "%s:%d: problem is for domain '%s', not '%s'", path, s->line, s->kid[1].atom, d->name);
            else p->domain = xstrdup(s->kid[1].atom);
        } else if (!strcmp(k, ":objects")) {
            rc = typed_list(s, 1, (PbDomain *)d, &tcap, 0, &p->objs, &p->otype, &p->nobjs, path, err);
            if (!rc && p->nobjs > PB_MAX_OBJS) rc = err_set(err, IM_IO, "%s:%d: %d objects (at most %d)", path, s->line, p->nobjs, PB_MAX_OBJS);
            for (int a = 0; !rc && a < p->nobjs; a++)
                if (pb_problem_obj(p, p->objs[a]) != a) rc = err_set(err, IM_IO, "%s:%d: object %s declared twice", path, s->line, p->objs[a]);
        } else if (!strcmp(k, ":init")) {
            rc = atom_list(d, p, s, 1, &p->init, &p->ninit, path, err);
        } else if (!strcmp(k, ":goal")) {
            if (s->nkid != 2) rc = err_set(err, IM_IO, "%s:%d: expected (:goal FORMULA)", path, s->line);
            else {
                const Sx *g = &s->kid[1];
                if (!g->atom && g->nkid > 0 && g->kid[0].atom && strcmp(g->kid[0].atom, "and") && pb_domain_pred(d, g->kid[0].atom) < 0)
                    rc = err_set(err, IM_IO, "%s:%d: goal '%s' is not a conjunction of atoms (STRIPS subset)", path, g->line, g->kid[0].atom);
                else if (!g->atom && g->nkid > 0 && is_atom(&g->kid[0], "and"))
                    rc = atom_list(d, p, g, 1, &p->goal, &p->ngoal, path, err);
                else {
                    Sx wrap = {0};
                    wrap.kid = (Sx *)g;
                    wrap.nkid = 1;
                    rc = atom_list(d, p, &wrap, 0, &p->goal, &p->ngoal, path, err);
                }
            }
        } else if (strcmp(k, ":requirements")) {
            rc = err_set(err, IM_IO, "%s:%d: unsupported problem section '%s'", path, s->line, k);
        }
    }
    sx_free(&root);
    free(root.atom);
    if (rc) {
        pb_problem_free(p);
        return rc;
    }
    *out = p;
    return IM_OK;
}

int pb_problem_load(const PbDomain *d, const char *path, PbProblem **out, Err *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return rc;
    rc = pb_problem_parse(d, text, path, out, err);
    free(text);
    return rc;
}

void pb_atom_str(const PbDomain *d, const PbProblem *p, const PbAtom *a, Buf *out) {
    buf_putc(out, '(');
    buf_puts(out, d->preds[a->pred]);
    for (int i = 0; i < a->nargs; i++) {
        buf_putc(out, ' ');
        buf_puts(out, p->objs[a->args[i]]);
    }
    buf_putc(out, ')');
}
