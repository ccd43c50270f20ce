/* gen.c: generating PlanBench problems (pb_gen.h): uniform Blocksworld
 * states, Logistics layouts, PDDL text, deduplication keys. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pb_gen.h"

uint64_t pb_rng_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *s) { return (double)(pb_rng_next(s) >> 11) / 9007199254740992.0; }
static int below_n(uint64_t *s, int n) { return (int)(uniform01(s) * n); }

#define PB_GEN_MAX 32
/* g[u][k]: states of u floating towers and k grounded ones. */
static double g_count(int u, int k) {
    static double g[PB_GEN_MAX + 1][2 * PB_GEN_MAX + 2];
    static int ready;
    if (!ready) {
        for (int kk = 0; kk <= 2 * PB_GEN_MAX + 1; kk++) g[0][kk] = 1;
        for (int uu = 1; uu <= PB_GEN_MAX; uu++)
            for (int kk = 0; kk + uu <= 2 * PB_GEN_MAX; kk++) g[uu][kk] = g[uu - 1][kk + 1] + (uu - 1 + kk) * g[uu - 1][kk];
        ready = 1;
    }
    return g[u][k];
}

double pb_bw_state_count(int n) { return n >= 0 && n <= PB_GEN_MAX ? g_count(n, 0) : 0; }

void pb_bw_random_state(int n, uint64_t *rng, int *below) {
    int bottom[PB_GEN_MAX], top[PB_GEN_MAX]; /* floating towers 0..u-1, then grounded u..u+k-1 */
    int gbottom[PB_GEN_MAX], gtop[PB_GEN_MAX];
    int u = n, k = 0;
    for (int i = 0; i < n; i++) bottom[i] = top[i] = i, below[i] = -1;
    while (u > 0) {
        int xb = bottom[u - 1], xt = top[u - 1];
        double p = g_count(u - 1, k + 1) / g_count(u, k);
        if (uniform01(rng) < p) {
            below[xb] = -1;
            gbottom[k] = xb, gtop[k] = xt, k++;
        } else {
            int j = below_n(rng, u - 1 + k); /* one of the other towers */
            if (j < u - 1) {
                below[xb] = top[j];
                top[j] = xt;
            } else {
                j -= u - 1;
                below[xb] = gtop[j];
                gtop[j] = xt;
            }
        }
        u--;
    }
    (void)gbottom;
}

/* ---- keys ---- */
static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char *pb_problem_key(const PbDomain *d, const PbProblem *p) {
    (void)d;
    Buf b;
    buf_init(&b);
    for (int part = 0; part < 2; part++) {
        const PbAtom *as = part ? p->goal : p->init;
        int n = part ? p->ngoal : p->ninit;
        char **lines = malloc(sizeof(char *) * (size_t)(n ? n : 1));
        if (!lines) abort();
        for (int i = 0; i < n; i++) {
            Buf l;
            buf_init(&l);
            buf_printf(&l, "%d", as[i].pred);
            for (int j = 0; j < as[i].nargs; j++) buf_printf(&l, " %s", p->objs[as[i].args[j]]);
            buf_putc(&l, 0);
            lines[i] = buf_take(&l);
        }
        qsort(lines, (size_t)n, sizeof *lines, str_cmp);
        for (int i = 0; i < n; i++) {
            if (!i || strcmp(lines[i], lines[i - 1])) buf_printf(&b, "%s;", lines[i]);
        }
        for (int i = 0; i < n; i++) free(lines[i]);
        free(lines);
        buf_putc(&b, '|');
    }
    buf_putc(&b, 0);
    return buf_take(&b);
}

int pb_keyset_has(const PbKeySet *s, const char *k) {
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->k[i], k)) return 1;
    return 0;
}

void pb_keyset_add(PbKeySet *s, char *k) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->k = realloc(s->k, (size_t)s->cap * sizeof *s->k);
        if (!s->k) abort();
    }
    s->k[s->n++] = k;
}

void pb_keyset_free(PbKeySet *s) {
    for (int i = 0; s && i < s->n; i++) free(s->k[i]);
    if (s) free(s->k), memset(s, 0, sizeof *s);
}

int pb_benchmark_keys(const PbVariant *v, PbKeySet *out, Err *err) {
    for (const char *const *name = pb_variant_names; *name; name++) {
        PbVariant *w;
        if (pb_variant_open(v->dir, *name, &w, err)) return err_prefix(err, "deduplication set");
        if (w->x.kind != v->x.kind) {
            pb_variant_close(w);
            continue;
        }
        char pat[4096];
        snprintf(pat, sizeof pat, "%s/instances/%s/*.pddl", v->dir, pb_yaml_str(w->cfg, "instance_dir"));
        glob_t g;
        if (glob(pat, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++) {
                PbProblem *p;
                if (pb_problem_load(w->dom, g.gl_pathv[i], &p, err)) {
                    globfree(&g);
                    pb_variant_close(w);
                    return err_prefix(err, "deduplication set");
                }
                pb_keyset_add(out, pb_problem_key(w->dom, p));
                pb_problem_free(p);
            }
            globfree(&g);
        }
        pb_variant_close(w);
    }
    return IM_OK;
}

/* ---- Blocksworld ---- */
static const char *role_pred(const PbDomain *d, const char *bw, const char *mystery) {
    int i = pb_domain_pred(d, bw);
    if (i < 0) i = pb_domain_pred(d, mystery);
    return i >= 0 ? d->preds[i] : NULL;
}

static int gen_blocks(const PbVariant *v, const PbGenOpts *o, uint64_t *rng, int serial, char **pddl, Err *err) {
    int n = o->blocks;
    if (n < 1 || n > v->x.nobjects || n > PB_GEN_MAX)
        return err_set(err, IM_USAGE, "--blocks must be 1..%d for %s (its config names %d objects)", v->x.nobjects < PB_GEN_MAX ? v->x.nobjects : PB_GEN_MAX,
                       v->name, v->x.nobjects);
    const PbDomain *d = v->dom;
    const char *on = role_pred(d, "on", "craves"), *table = role_pred(d, "ontable", "planet"), *clear = role_pred(d, "clear", "province"),
               *hand = role_pred(d, "handempty", "harmony");
    if (!on || !table || !clear || !hand) return err_set(err, IM_IO, "%s: not a Blocksworld domain (on/ontable/clear/handempty)", v->name);
    int init[PB_GEN_MAX], goal[PB_GEN_MAX];
    for (int tries = 0; tries < 10000; tries++) {
        pb_bw_random_state(n, rng, init);
        pb_bw_random_state(n, rng, goal);
        int ngoal = 0, met = 1;
        for (int i = 0; i < n; i++)
            if (goal[i] >= 0) ngoal++, met &= init[i] == goal[i];
        if (ngoal == 0 || met) continue; /* the benchmark's problems have a goal that does not hold yet */
        Buf b;
        buf_init(&b);
        buf_printf(&b, "(define (problem BW-generated-%d)\n(:domain %s)\n(:objects ", serial, d->name);
        for (int i = 0; i < n; i++) buf_printf(&b, "%s ", v->x.objects[i].key);
        buf_printf(&b, ")\n(:init\n(%s)\n", hand);
        for (int i = 0; i < n; i++)
            if (init[i] < 0) buf_printf(&b, "(%s %s)\n", table, v->x.objects[i].key);
            else buf_printf(&b, "(%s %s %s)\n", on, v->x.objects[i].key, v->x.objects[init[i]].key);
        for (int i = 0; i < n; i++) {
            int covered = 0;
            for (int j = 0; j < n; j++) covered |= init[j] == i;
            if (!covered) buf_printf(&b, "(%s %s)\n", clear, v->x.objects[i].key);
        }
        buf_puts(&b, ")\n(:goal\n(and\n");
        for (int i = 0; i < n; i++)
            if (goal[i] >= 0) buf_printf(&b, "(%s %s %s)\n", on, v->x.objects[i].key, v->x.objects[goal[i]].key);
        buf_puts(&b, ")\n)\n)\n");
        *pddl = buf_take(&b);
        return IM_OK;
    }
    return err_set(err, IM_FAIL, "no problem with an unmet goal found for %d blocks", n);
}

/* ---- Logistics ---- */
static int gen_logistics(const PbVariant *v, const PbGenOpts *o, uint64_t *rng, int serial, char **pddl, Err *err) {
    int C = o->cities, S = o->locations, T = o->trucks ? o->trucks : o->cities, A = o->airplanes, P = o->packages;
    if (C < 1 || S < 1 || T < C || A < 1 || P < 1 || C > 50 || S > 50 || T > 100 || A > 50 || P > 100)
        return err_set(err, IM_USAGE, "Logistics needs --cities >= 1, --locations >= 1, --trucks >= cities (default: one per city), --airplanes >= 1, --packages >= 1");
    if (C * S < 2) return err_set(err, IM_USAGE, "Logistics needs at least two locations in all");
    (void)v;
    Buf b;
    buf_init(&b);
    buf_printf(&b, "(define (problem logistics-c%d-s%d-p%d-a%d-g%d)\n(:domain %s)\n(:objects ", C, S, P, A, serial, v->dom->name);
    for (int i = 0; i < A; i++) buf_printf(&b, "a%d ", i);
    buf_puts(&b, "\n          ");
    for (int i = 0; i < C; i++) buf_printf(&b, "c%d ", i);
    buf_puts(&b, "\n          ");
    for (int i = 0; i < T; i++) buf_printf(&b, "t%d ", i);
    buf_puts(&b, "\n          ");
    for (int c = 0; c < C; c++)
        for (int s = 0; s < S; s++) buf_printf(&b, "l%d-%d ", c, s);
    buf_puts(&b, "\n          ");
    for (int i = 0; i < P; i++) buf_printf(&b, "p%d ", i);
    buf_puts(&b, "\n)\n(:init\n");
    for (int i = 0; i < A; i++) buf_printf(&b, "    (AIRPLANE a%d)\n", i);
    for (int i = 0; i < C; i++) buf_printf(&b, "    (CITY c%d)\n", i);
    for (int i = 0; i < T; i++) buf_printf(&b, "    (TRUCK t%d)\n", i);
    for (int c = 0; c < C; c++)
        for (int s = 0; s < S; s++) buf_printf(&b, "    (LOCATION l%d-%d)\n    (in-city  l%d-%d c%d)\n", c, s, c, s, c);
    for (int c = 0; c < C; c++) buf_printf(&b, "    (AIRPORT l%d-0)\n", c);
    for (int i = 0; i < P; i++) buf_printf(&b, "    (OBJ p%d)\n", i);
    for (int i = 0; i < T; i++) buf_printf(&b, "    (at t%d l%d-%d)\n", i, i % C, below_n(rng, S));
    int *pc = malloc(sizeof(int) * (size_t)P * 2), *ps = pc + P;
    if (!pc) abort();
    for (int i = 0; i < P; i++) {
        pc[i] = below_n(rng, C), ps[i] = below_n(rng, S);
        buf_printf(&b, "    (at p%d l%d-%d)\n", i, pc[i], ps[i]);
    }
    for (int i = 0; i < A; i++) buf_printf(&b, "    (at a%d l%d-0)\n", i, below_n(rng, C));
    buf_puts(&b, ")\n(:goal\n    (and\n");
    for (int i = 0; i < P; i++) {
        int c, s;
        do c = below_n(rng, C), s = below_n(rng, S);
        while (c == pc[i] && s == ps[i]);
        buf_printf(&b, "        (at p%d l%d-%d)\n", i, c, s);
    }
    buf_puts(&b, "    )\n)\n)\n");
    free(pc);
    *pddl = buf_take(&b);
    return IM_OK;
}

int pb_gen_problem(const PbVariant *v, const PbGenOpts *o, uint64_t *rng, int serial, char **pddl, Err *err) {
    *pddl = NULL;
    return v->x.kind == PB_DOM_LOGISTICS ? gen_logistics(v, o, rng, serial, pddl, err) : gen_blocks(v, o, rng, serial, pddl, err);
}
