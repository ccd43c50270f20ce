/* val.c: VAL-semantics plan validation and the step simulator (pb_val.h).
 * Pure functions; no I/O. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_val.h"

static int key_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int find(const PbSim *s, uint64_t k) {
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (s->atoms[mid] == k) return mid;
        if (s->atoms[mid] < k) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1 - lo;
}

static void add_key(PbSim *s, uint64_t k) {
    int i = find(s, k);
    if (i >= 0) return;
    i = -1 - i;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->atoms = realloc(s->atoms, (size_t)s->cap * sizeof *s->atoms);
        if (!s->atoms) abort();
    }
    memmove(s->atoms + i + 1, s->atoms + i, (size_t)(s->n - i) * sizeof *s->atoms);
    s->atoms[i] = k;
    s->n++;
}

static void del_key(PbSim *s, uint64_t k) {
    int i = find(s, k);
    if (i < 0) return;
    memmove(s->atoms + i, s->atoms + i + 1, (size_t)(s->n - i - 1) * sizeof *s->atoms);
    s->n--;
}

void pb_sim_init(PbSim *s, const PbDomain *d, const PbProblem *p) {
    memset(s, 0, sizeof *s);
    s->d = d;
    s->p = p;
    s->cap = p->ninit + 8;
    s->atoms = malloc((size_t)s->cap * sizeof *s->atoms);
    if (!s->atoms) abort();
    for (int i = 0; i < p->ninit; i++) s->atoms[s->n++] = pb_atom_key(&p->init[i]);
    qsort(s->atoms, (size_t)s->n, sizeof *s->atoms, key_cmp);
    int w = 0;
    for (int i = 0; i < s->n; i++)
        if (w == 0 || s->atoms[w - 1] != s->atoms[i]) s->atoms[w++] = s->atoms[i];
    s->n = w;
}

void pb_sim_free(PbSim *s) {
    if (!s) return;
    free(s->atoms);
    s->atoms = NULL;
    s->n = s->cap = 0;
}

int pb_sim_holds(const PbSim *s, const PbAtom *a) { return find(s, pb_atom_key(a)) >= 0; }

static void bind(const PbAtom *schema, const PbStep *st, PbAtom *out) {
    out->pred = schema->pred;
    out->nargs = schema->nargs;
    for (int i = 0; i < schema->nargs; i++) out->args[i] = st->args[schema->args[i]];
}

static void atom_text(const PbDomain *d, const PbProblem *p, const PbAtom *a, char *out, size_t cap) {
    Buf b;
    buf_init(&b);
    pb_atom_str(d, p, a, &b);
    snprintf(out, cap, "%s", b.data);
    buf_free(&b);
}

int pb_sim_apply(PbSim *s, const PbStep *st, char *reason, size_t cap) {
    const PbAction *a = &s->d->acts[st->act];
    PbAtom g;
    for (int i = 0; i < a->npre; i++) {
        bind(&a->pre[i], st, &g);
        if (!pb_sim_holds(s, &g)) {
            char t[256];
            atom_text(s->d, s->p, &g, t, sizeof t);
            if (reason) snprintf(reason, cap, "precondition %s does not hold", t);
            return 0;
        }
    }
    for (int i = 0; i < a->ndel; i++) {
        bind(&a->del[i], st, &g);
        del_key(s, pb_atom_key(&g));
    }
    for (int i = 0; i < a->nadd; i++) {
        bind(&a->add[i], st, &g);
        add_key(s, pb_atom_key(&g));
    }
    return 1;
}

int pb_sim_goal(const PbSim *s, char *reason, size_t cap) {
    for (int i = 0; i < s->p->ngoal; i++)
        if (!pb_sim_holds(s, &s->p->goal[i])) {
            char t[256];
            atom_text(s->d, s->p, &s->p->goal[i], t, sizeof t);
            if (reason) snprintf(reason, cap, "goal %s does not hold", t);
            return 0;
        }
    return 1;
}

void pb_sim_atom(const PbSim *s, int i, PbAtom *a) {
    uint64_t k = s->atoms[i];
    a->pred = (int)(k >> 48);
    a->nargs = s->d->arity[a->pred];
    for (int j = 0; j < a->nargs; j++) a->args[j] = (int)((k >> (36 - 12 * j)) & 0xFFF) - 1;
}

void pb_sim_state_str(const PbSim *s, Buf *out) {
    for (int i = 0; i < s->n; i++) {
        PbAtom a;
        pb_sim_atom(s, i, &a);
        if (i) buf_putc(out, ' ');
        pb_atom_str(s->d, s->p, &a, out);
    }
}

void pb_step_str(const PbDomain *d, const PbProblem *p, const PbStep *st, Buf *out) {
    buf_putc(out, '(');
    buf_puts(out, d->acts[st->act].name);
    for (int i = 0; i < st->nargs; i++) {
        buf_putc(out, ' ');
        buf_puts(out, p->objs[st->args[i]]);
    }
    buf_putc(out, ')');
}

/* ---- plan text ---- */
static int is_number(const char *b, size_t n) {
    if (n == 0) return 0;
    int dot = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '.' && !dot) dot = 1;
        else if (!isdigit((unsigned char)b[i])) return 0;
    }
    return 1;
}

int pb_plan_parse(const PbDomain *d, const PbProblem *p, const char *text, PbStep **steps, int *n, PbVerdict *v) {
    int cap = 0;
    *steps = NULL;
    *n = 0;
    const char *c = text;
    char tok[8][128];
    for (;;) {
        while (*c && (isspace((unsigned char)*c) || *c == ';')) {
            if (*c == ';')
                while (*c && *c != '\n') c++;
            else c++;
        }
        if (!*c) break;
        int stepno = *n + 1;
        /* optional "TIME:" */
        const char *t = c;
        while (*t && !isspace((unsigned char)*t) && *t != '(' && *t != ':') t++;
        if (*t == ':' && is_number(c, (size_t)(t - c))) {
            c = t + 1;
            while (*c && isspace((unsigned char)*c)) c++;
        }
        if (*c != '(') {
            char shown[64];
            snprintf(shown, sizeof shown, "%.40s", c);
            for (char *q = shown; *q; q++)
                if (*q == '\n') *q = ' ';
            v->valid = 0, v->step = stepno;
            snprintf(v->reason, sizeof v->reason, "step %d: cannot read the plan at '%s' (expected '(action args)')", stepno, shown);
            free(*steps);
            *steps = NULL;
            return 0;
        }
        c++;
        int nt = 0;
        for (;;) {
            while (*c && isspace((unsigned char)*c)) c++;
            if (*c == ')') {
                c++;
                break;
            }
            if (!*c || *c == '(' || *c == ';') {
                snprintf(v->reason, sizeof v->reason, "step %d: unbalanced or nested parentheses in the plan", stepno);
                v->valid = 0, v->step = stepno;
                free(*steps);
                *steps = NULL;
                return 0;
            }
            const char *b = c;
            while (*c && !isspace((unsigned char)*c) && *c != '(' && *c != ')' && *c != ';') c++;
            if (nt < 8) {
                size_t len = (size_t)(c - b) < 127 ? (size_t)(c - b) : 127;
                for (size_t i = 0; i < len; i++) tok[nt][i] = (char)tolower((unsigned char)b[i]);
                tok[nt][len] = 0;
            }
            nt++;
        }
        /* optional "[DURATION]" */
        while (*c && (*c == ' ' || *c == '\t')) c++;
        if (*c == '[') {
            const char *e = strchr(c, ']');
            if (e && is_number(c + 1, (size_t)(e - c - 1))) c = e + 1;
        }
        if (nt == 0) {
            v->valid = 0, v->step = stepno;
            snprintf(v->reason, sizeof v->reason, "step %d: empty action '()'", stepno);
            free(*steps);
            *steps = NULL;
            return 0;
        }
        int act = pb_domain_action(d, tok[0]);
        if (act < 0) {
            v->valid = 0, v->step = stepno;
            snprintf(v->reason, sizeof v->reason, "step %d: unknown action '%s'", stepno, tok[0]);
            free(*steps);
            *steps = NULL;
            return 0;
        }
        const PbAction *a = &d->acts[act];
        if (nt - 1 < a->nparams) {
            v->valid = 0, v->step = stepno;
            snprintf(v->reason, sizeof v->reason, "step %d: %s takes %d arguments, got %d", stepno, a->name, a->nparams, nt - 1);
            free(*steps);
            *steps = NULL;
            return 0;
        }
        /* VAL binds the parameters to the first arguments and ignores the
         * rest (untyped domains are not type-checked), so extra arguments
         * pass unread. */
        if (nt > 8) nt = 8;
        if (nt - 1 > a->nparams) nt = a->nparams + 1;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *steps = realloc(*steps, (size_t)cap * sizeof **steps);
            if (!*steps) abort();
        }
        PbStep *st = &(*steps)[*n];
        st->act = act;
        st->nargs = nt - 1;
        for (int i = 1; i < nt; i++) {
            int o = pb_problem_obj(p, tok[i]);
            if (o < 0) {
                v->valid = 0, v->step = stepno;
                snprintf(v->reason, sizeof v->reason, "step %d (%s): unknown object '%s'", stepno, a->name, tok[i]);
                free(*steps);
                *steps = NULL;
                return 0;
            }
            if (!pb_type_is(d, p->otype[o], a->ptype[i - 1])) {
                v->valid = 0, v->step = stepno;
                snprintf(v->reason, sizeof v->reason, "step %d (%s): object '%s' is not of type %s", stepno, a->name, tok[i],
                         d->types[a->ptype[i - 1]]);
                free(*steps);
                *steps = NULL;
                return 0;
            }
            st->args[i - 1] = o;
        }
        (*n)++;
    }
    return 1;
}

void pb_validate(const PbDomain *d, const PbProblem *p, const char *text, PbVerdict *v) {
    memset(v, 0, sizeof *v);
    PbStep *steps;
    int n;
    if (!pb_plan_parse(d, p, text ? text : "", &steps, &n, v)) return;
    v->nsteps = n;
    PbSim s;
    pb_sim_init(&s, d, p);
    char why[400];
    for (int i = 0; i < n; i++) {
        if (!pb_sim_apply(&s, &steps[i], why, sizeof why)) {
            Buf b;
            buf_init(&b);
            pb_step_str(d, p, &steps[i], &b);
            v->valid = 0;
            v->step = i + 1;
            snprintf(v->reason, sizeof v->reason, "step %d %s: %s", i + 1, b.data, why);
            buf_free(&b);
            pb_sim_free(&s);
            free(steps);
            return;
        }
    }
    if (!pb_sim_goal(&s, why, sizeof why)) {
        v->valid = 0;
        v->step = 0;
        if (n == 0) snprintf(v->reason, sizeof v->reason, "empty plan: %s initially", why);
        else snprintf(v->reason, sizeof v->reason, "after the last step (%d): %s", n, why);
    } else {
        v->valid = 1;
        snprintf(v->reason, sizeof v->reason, "valid: %d steps reach the goal", n);
    }
    pb_sim_free(&s);
    free(steps);
}
