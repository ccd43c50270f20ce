/* plan.c: grounding and A* for PlanBench problems (pb_plan.h).
 * Sections: grounding (static predicates pruned early), fluent indexing,
 * heuristics (Blocksworld family, Logistics, zero), search. No I/O. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pb_plan.h"

/* ---- a sorted set of atom keys ---- */
typedef struct KeySet {
    uint64_t *k;
    int n, cap;
} KeySet;

static void ks_add(KeySet *s, uint64_t k) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->k = realloc(s->k, (size_t)s->cap * sizeof *s->k);
        if (!s->k) abort();
    }
    s->k[s->n++] = k;
}

static int u64cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void ks_sort(KeySet *s) {
    qsort(s->k, (size_t)s->n, sizeof *s->k, u64cmp);
    int w = 0;
    for (int i = 0; i < s->n; i++)
        if (!w || s->k[w - 1] != s->k[i]) s->k[w++] = s->k[i];
    s->n = w;
}

static int ks_find(const KeySet *s, uint64_t k) {
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {
        int m = (lo + hi) / 2;
        if (s->k[m] == k) return m;
        if (s->k[m] < k) lo = m + 1;
        else hi = m - 1;
    }
    return -1;
}

/* ---- grounding ---- */
typedef struct GAct {
    int schema;
    int args[PB_MAX_ARGS + 2];
    int *pre, *add, *del; /* fluent indices */
    int npre, nadd, ndel;
} GAct;

typedef struct Task {
    const PbDomain *d;
    const PbProblem *p;
    char *is_static; /* per predicate */
    KeySet init;     /* all init atoms */
    KeySet fl;       /* fluent atoms (index = position) */
    GAct *acts;
    int nacts, cap;
    int W;           /* words per state */
    uint64_t *s0, *goal;
    int unsat_static; /* a static goal atom is false */
    /* heuristic */
    int kind;        /* 0 none, 1 blocks, 2 logistics */
    int on_pred, hold_pred, table_pred;
    /* logistics */
    int at_pred, in_pred;
    int *city, *airport, *truck, *plane, *pkg, *goal_loc; /* per object */
    int *city_airport; /* per object (a city): its airport or -1 */
    int *vloc;       /* scratch: vehicle location */
    unsigned char *req; /* scratch: required visits per location (1 truck, 2 air) */
} Task;

static void bind_atom(const PbAtom *schema, const int *args, PbAtom *out) {
    out->pred = schema->pred;
    out->nargs = schema->nargs;
    for (int i = 0; i < schema->nargs; i++) out->args[i] = args[schema->args[i]];
}

static int max_param(const PbAtom *a) {
    int m = -1;
    for (int i = 0; i < a->nargs; i++)
        if (a->args[i] > m) m = a->args[i];
    return m;
}

typedef struct GroundCtx {
    Task *t;
    int schema;
    int args[PB_MAX_ARGS + 2];
    KeySet *atoms; /* collects fluent atoms while grounding */
} GroundCtx;

static void emit_action(GroundCtx *g) {
    Task *t = g->t;
    const PbAction *a = &t->d->acts[g->schema];
    if (t->nacts == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->acts = realloc(t->acts, (size_t)t->cap * sizeof *t->acts);
        if (!t->acts) abort();
    }
    GAct *ga = &t->acts[t->nacts++];
    memset(ga, 0, sizeof *ga);
    ga->schema = g->schema;
    memcpy(ga->args, g->args, sizeof ga->args);
    /* fluent keys stored temporarily in the int arrays as indices later */
    ga->pre = malloc(sizeof(int) * (size_t)(a->npre + 1));
    ga->add = malloc(sizeof(int) * (size_t)(a->nadd + 1));
    ga->del = malloc(sizeof(int) * (size_t)(a->ndel + 1));
    if (!ga->pre || !ga->add || !ga->del) abort();
    PbAtom x;
    for (int i = 0; i < a->npre; i++)
        if (!t->is_static[a->pre[i].pred]) {
            bind_atom(&a->pre[i], g->args, &x);
            ks_add(g->atoms, pb_atom_key(&x));
        }
    for (int i = 0; i < a->nadd; i++) {
        bind_atom(&a->add[i], g->args, &x);
        ks_add(g->atoms, pb_atom_key(&x));
    }
    for (int i = 0; i < a->ndel; i++) {
        bind_atom(&a->del[i], g->args, &x);
        ks_add(g->atoms, pb_atom_key(&x));
    }
}

static void ground_rec(GroundCtx *g, int k) {
    Task *t = g->t;
    const PbAction *a = &t->d->acts[g->schema];
    if (k == a->nparams) {
        emit_action(g);
        return;
    }
    for (int o = 0; o < t->p->nobjs; o++) {
        if (!pb_type_is(t->d, t->p->otype[o], a->ptype[k])) continue;
        g->args[k] = o;
        int ok = 1;
        for (int i = 0; i < a->npre && ok; i++) {
            if (!t->is_static[a->pre[i].pred] || max_param(&a->pre[i]) != k) continue;
            PbAtom x;
            bind_atom(&a->pre[i], g->args, &x);
            if (ks_find(&t->init, pb_atom_key(&x)) < 0) ok = 0;
        }
        if (ok) ground_rec(g, k + 1);
    }
}

static void set_bit(uint64_t *s, int i) { s[i >> 6] |= 1ull << (i & 63); }
static int get_bit(const uint64_t *s, int i) { return (int)((s[i >> 6] >> (i & 63)) & 1); }

static void index_lists(Task *t) {
    /* second pass: turn the actions' atoms into fluent indices */
    for (int n = 0; n < t->nacts; n++) {
        GAct *ga = &t->acts[n];
        const PbAction *a = &t->d->acts[ga->schema];
        PbAtom x;
        for (int i = 0; i < a->npre; i++)
            if (!t->is_static[a->pre[i].pred]) {
                bind_atom(&a->pre[i], ga->args, &x);
                ga->pre[ga->npre++] = ks_find(&t->fl, pb_atom_key(&x));
            }
        for (int i = 0; i < a->nadd; i++) {
            bind_atom(&a->add[i], ga->args, &x);
            ga->add[ga->nadd++] = ks_find(&t->fl, pb_atom_key(&x));
        }
        for (int i = 0; i < a->ndel; i++) {
            bind_atom(&a->del[i], ga->args, &x);
            ga->del[ga->ndel++] = ks_find(&t->fl, pb_atom_key(&x));
        }
    }
}

static void task_free(Task *t) {
    for (int i = 0; i < t->nacts; i++) free(t->acts[i].pre), free(t->acts[i].add), free(t->acts[i].del);
    free(t->acts);
    free(t->is_static);
    free(t->init.k);
    free(t->fl.k);
    free(t->s0);
    free(t->goal);
    free(t->city);
    free(t->airport);
    free(t->truck);
    free(t->plane);
    free(t->pkg);
    free(t->goal_loc);
    free(t->city_airport);
    free(t->vloc);
    free(t->req);
}

/* ---- heuristics ---- */
static int static_holds(const Task *t, int pred, int a0, int a1) {
    PbAtom x = {pred, a1 >= 0 ? 2 : 1, {a0, a1, 0, 0}};
    return ks_find(&t->init, pb_atom_key(&x)) >= 0;
}

static void setup_heuristic(Task *t) {
    const PbDomain *d = t->d;
    int on = pb_domain_pred(d, "on") >= 0 ? pb_domain_pred(d, "on") : pb_domain_pred(d, "craves");
    int hold = pb_domain_pred(d, "holding") >= 0 ? pb_domain_pred(d, "holding") : pb_domain_pred(d, "pain");
    int table = pb_domain_pred(d, "ontable") >= 0 ? pb_domain_pred(d, "ontable") : pb_domain_pred(d, "planet");
    int at = pb_domain_pred(d, "at"), in = pb_domain_pred(d, "in"), incity = pb_domain_pred(d, "in-city");
    int airport = pb_domain_pred(d, "airport"), truck = pb_domain_pred(d, "truck"), plane = pb_domain_pred(d, "airplane");
    int obj = pb_domain_pred(d, "obj");
    if (at >= 0 && in >= 0 && incity >= 0 && airport >= 0 && truck >= 0 && plane >= 0 && obj >= 0 && t->is_static[incity] &&
        t->is_static[airport] && t->is_static[truck] && t->is_static[plane] && t->is_static[obj]) {
        int n = t->p->nobjs;
        t->kind = 2;
        t->at_pred = at;
        t->in_pred = in;
        t->city = malloc(sizeof(int) * (size_t)n);
        t->airport = calloc((size_t)n, sizeof(int));
        t->truck = calloc((size_t)n, sizeof(int));
        t->plane = calloc((size_t)n, sizeof(int));
        t->pkg = calloc((size_t)n, sizeof(int));
        t->goal_loc = malloc(sizeof(int) * (size_t)n);
        t->city_airport = malloc(sizeof(int) * (size_t)n);
        t->vloc = malloc(sizeof(int) * (size_t)n);
        t->req = calloc((size_t)n, 1);
        if (!t->city || !t->airport || !t->truck || !t->plane || !t->pkg || !t->goal_loc || !t->city_airport || !t->vloc || !t->req) abort();
        for (int o = 0; o < n; o++) {
            t->city[o] = -1;
            t->goal_loc[o] = -1;
            t->city_airport[o] = -1;
            t->airport[o] = static_holds(t, airport, o, -1);
            t->truck[o] = static_holds(t, truck, o, -1);
            t->plane[o] = static_holds(t, plane, o, -1);
            t->pkg[o] = static_holds(t, obj, o, -1);
        }
        for (int i = 0; i < t->p->ninit; i++)
            if (t->p->init[i].pred == incity) t->city[t->p->init[i].args[0]] = t->p->init[i].args[1];
        for (int o = 0; o < n; o++)
            if (t->airport[o] && t->city[o] >= 0) {
                int c = t->city[o];
                t->city_airport[c] = t->city_airport[c] == -1 ? o : -2; /* -2: several airports */
            }
        for (int i = 0; i < t->p->ngoal; i++)
            if (t->p->goal[i].pred == at && t->pkg[t->p->goal[i].args[0]]) t->goal_loc[t->p->goal[i].args[0]] = t->p->goal[i].args[1];
        return;
    }
    if (on >= 0 && hold >= 0 && table >= 0 && d->arity[on] == 2 && d->arity[hold] == 1 && d->arity[table] == 1) {
        t->kind = 1;
        t->on_pred = on;
        t->hold_pred = hold;
        t->table_pred = table;
    }
}

static int fluent_bit(const Task *t, const uint64_t *s, int pred, int a0, int a1) {
    PbAtom x = {pred, a1 >= 0 ? 2 : 1, {a0, a1, 0, 0}};
    int i = ks_find(&t->fl, pb_atom_key(&x));
    return i >= 0 && get_bit(s, i);
}

static int h_blocks(const Task *t, const uint64_t *s) {
    int h = 0;
    for (int i = 0; i < t->p->ngoal; i++) {
        const PbAtom *g = &t->p->goal[i];
        if (g->pred != t->on_pred && g->pred != t->table_pred) continue;
        if (fluent_bit(t, s, g->pred, g->args[0], g->nargs > 1 ? g->args[1] : -1)) continue;
        h += fluent_bit(t, s, t->hold_pred, g->args[0], -1) ? 1 : 2;
    }
    return h;
}

static void require(Task *t, int loc, unsigned char bit) {
    if (loc >= 0) t->req[loc] |= bit;
}

static int h_logistics(Task *t, const uint64_t *s) {
    int n = t->p->nobjs;
    /* decode the state: vehicle locations, package positions */
    int *pat = malloc(sizeof(int) * (size_t)n * 2), *pin = pat + n;
    if (!pat) abort();
    for (int o = 0; o < n; o++) t->vloc[o] = -1, pat[o] = -1, pin[o] = -1, t->req[o] = 0;
    for (int i = 0; i < t->fl.n; i++) {
        if (!get_bit(s, i)) continue;
        uint64_t k = t->fl.k[i];
        int pred = (int)(k >> 48), a0 = (int)((k >> 36) & 0xFFF) - 1, a1 = (int)((k >> 24) & 0xFFF) - 1;
        if (pred == t->at_pred) {
            if (t->pkg[a0]) pat[a0] = a1;
            else t->vloc[a0] = a1;
        } else if (pred == t->in_pred) {
            pin[a0] = a1;
        }
    }
    int lb = 0;
    for (int p = 0; p < n; p++) {
        int G = t->goal_loc[p];
        if (!t->pkg[p] || G < 0 || pat[p] == G) continue;
        int Cg = t->city[G], Ag = Cg >= 0 ? t->city_airport[Cg] : -1;
        if (Ag < 0) Ag = -1;
        if (pin[p] >= 0) {
            int V = pin[p], L = t->vloc[V], Cv = L >= 0 ? t->city[L] : -1;
            int Av = Cv >= 0 ? t->city_airport[Cv] : -1;
            if (Av < 0) Av = -1;
            if (t->truck[V]) {
                if (Cv == Cg) {
                    lb += 1;
                    require(t, G, 1);
                } else {
                    lb += 3 + (t->airport[G] ? 0 : 2);
                    require(t, Av, 1 | 2);
                    require(t, Ag, 2);
                    if (!t->airport[G]) require(t, Ag, 1), require(t, G, 1);
                }
            } else {
                if (t->airport[G]) {
                    lb += 1;
                    require(t, G, 2);
                } else {
                    lb += 3;
                    require(t, Ag, 2 | 1);
                    require(t, G, 1);
                }
            }
        } else if (pat[p] >= 0) {
            int L = pat[p], Cl = t->city[L], Al = Cl >= 0 ? t->city_airport[Cl] : -1;
            if (Al < 0) Al = -1;
            if (Cl == Cg) {
                lb += 2;
                require(t, L, 1);
                require(t, G, 1);
            } else {
                if (!t->airport[L]) lb += 2, require(t, L, 1), require(t, Al, 1);
                lb += 2;
                require(t, Al, 2);
                require(t, Ag, 2);
                if (!t->airport[G]) lb += 2, require(t, Ag, 1), require(t, G, 1);
            }
        }
    }
    /* moves: a required location with no vehicle of the right kind there now */
    int moves = 0;
    for (int L = 0; L < n; L++) {
        if (!t->req[L]) continue;
        if (t->req[L] & 1) {
            int there = 0;
            for (int v = 0; v < n && !there; v++)
                if (t->truck[v] && t->vloc[v] == L) there = 1;
            moves += !there;
        }
        if (t->req[L] & 2) {
            int there = 0;
            for (int v = 0; v < n && !there; v++)
                if (t->plane[v] && t->vloc[v] == L) there = 1;
            moves += !there;
        }
    }
    free(pat);
    return lb + moves;
}

static int heuristic(Task *t, const uint64_t *s) {
    if (t->kind == 1) return h_blocks(t, s);
    if (t->kind == 2) return h_logistics(t, s);
    for (int w = 0; w < t->W; w++)
        if ((s[w] & t->goal[w]) != t->goal[w]) return 1;
    return 0;
}

/* ---- search ---- */
typedef struct Search {
    int W;
    uint64_t *states; /* W words per node */
    int *g, *parent, *act;
    long n, cap;
    long *table; /* open addressing: node index + 1, 0 empty */
    long tcap;
    /* heap of (f, g, node) */
    long *heap;
    long hn, hcap;
    int *hf; /* f per heap entry */
    int *hg;
} Search;

static uint64_t hash_state(const uint64_t *s, int W) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < W; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return h;
}

static void search_free(Search *S) {
    free(S->states);
    free(S->g);
    free(S->parent);
    free(S->act);
    free(S->table);
    free(S->heap);
    free(S->hf);
    free(S->hg);
    memset(S, 0, sizeof *S);
}

static void table_grow(Search *S) {
    long nc = S->tcap ? S->tcap * 2 : 1 << 16;
    long *nt = calloc((size_t)nc, sizeof *nt);
    if (!nt) abort();
    for (long i = 0; i < S->n; i++) {
        uint64_t h = hash_state(S->states + i * S->W, S->W);
        long j = (long)(h & (uint64_t)(nc - 1));
        while (nt[j]) j = (j + 1) & (nc - 1);
        nt[j] = i + 1;
    }
    free(S->table);
    S->table = nt;
    S->tcap = nc;
}

/* Returns the node index of state s, or -1 with *slot set. */
static long lookup(Search *S, const uint64_t *s, long *slot) {
    uint64_t h = hash_state(s, S->W);
    long j = (long)(h & (uint64_t)(S->tcap - 1));
    while (S->table[j]) {
        long i = S->table[j] - 1;
        if (!memcmp(S->states + i * S->W, s, sizeof(uint64_t) * (size_t)S->W)) return *slot = j, i;
        j = (j + 1) & (S->tcap - 1);
    }
    *slot = j; /* the free slot where s goes */
    return -1;
}

static long add_node(Search *S, const uint64_t *s, int g, int parent, int act) {
    if (S->n == S->cap) {
        S->cap = S->cap ? S->cap * 2 : 4096;
        S->states = realloc(S->states, sizeof(uint64_t) * (size_t)S->W * (size_t)S->cap);
        S->g = realloc(S->g, sizeof(int) * (size_t)S->cap);
        S->parent = realloc(S->parent, sizeof(int) * (size_t)S->cap);
        S->act = realloc(S->act, sizeof(int) * (size_t)S->cap);
        if (!S->states || !S->g || !S->parent || !S->act) abort();
    }
    if ((S->n + 1) * 2 > S->tcap) table_grow(S);
    long slot;
    long found = lookup(S, s, &slot);
    (void)found;
    long i = S->n++;
    memcpy(S->states + i * S->W, s, sizeof(uint64_t) * (size_t)S->W);
    S->g[i] = g;
    S->parent[i] = parent;
    S->act[i] = act;
    S->table[slot] = i + 1;
    return i;
}

static int heap_less(const Search *S, long a, long b) {
    if (S->hf[a] != S->hf[b]) return S->hf[a] < S->hf[b];
    return S->hg[a] > S->hg[b];
}

static void heap_swap(Search *S, long a, long b) {
    long t = S->heap[a];
    S->heap[a] = S->heap[b];
    S->heap[b] = t;
    int x = S->hf[a];
    S->hf[a] = S->hf[b];
    S->hf[b] = x;
    x = S->hg[a];
    S->hg[a] = S->hg[b];
    S->hg[b] = x;
}

static void heap_push(Search *S, long node, int f, int g) {
    if (S->hn == S->hcap) {
        S->hcap = S->hcap ? S->hcap * 2 : 4096;
        S->heap = realloc(S->heap, sizeof(long) * (size_t)S->hcap);
        S->hf = realloc(S->hf, sizeof(int) * (size_t)S->hcap);
        S->hg = realloc(S->hg, sizeof(int) * (size_t)S->hcap);
        if (!S->heap || !S->hf || !S->hg) abort();
    }
    long i = S->hn++;
    S->heap[i] = node, S->hf[i] = f, S->hg[i] = g;
    while (i > 0 && heap_less(S, i, (i - 1) / 2)) {
        heap_swap(S, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static long heap_pop(Search *S, int *g) {
    long top = S->heap[0];
    *g = S->hg[0];
    S->hn--;
    if (S->hn > 0) {
        S->heap[0] = S->heap[S->hn], S->hf[0] = S->hf[S->hn], S->hg[0] = S->hg[S->hn];
        long i = 0;
        for (;;) {
            long l = 2 * i + 1, r = l + 1, m = i;
            if (l < S->hn && heap_less(S, l, m)) m = l;
            if (r < S->hn && heap_less(S, r, m)) m = r;
            if (m == i) break;
            heap_swap(S, i, m);
            i = m;
        }
    }
    return top;
}

static int is_goal(const Task *t, const uint64_t *s) {
    for (int w = 0; w < t->W; w++)
        if ((s[w] & t->goal[w]) != t->goal[w]) return 0;
    return 1;
}

/* A* (w = 1) or weighted A*; returns the goal node or -1 (limit or no plan:
 * *exhausted says which). */
static long astar(Task *t, Search *S, int w, long limit, long *expanded, int *exhausted) {
    memset(S, 0, sizeof *S);
    S->W = t->W;
    table_grow(S);
    uint64_t *succ = malloc(sizeof(uint64_t) * (size_t)t->W);
    if (!succ) abort();
    long root = add_node(S, t->s0, 0, -1, -1);
    heap_push(S, root, w * heuristic(t, t->s0), 0);
    *exhausted = 0;
    long goal = -1;
    while (S->hn > 0) {
        int g;
        long n = heap_pop(S, &g);
        if (g != S->g[n]) continue; /* stale entry */
        const uint64_t *s = S->states + n * S->W;
        if (is_goal(t, s)) {
            goal = n;
            break;
        }
        (*expanded)++;
        if (S->n >= limit) break;
        for (int a = 0; a < t->nacts; a++) {
            const GAct *ga = &t->acts[a];
            s = S->states + n * S->W; /* the node array may have moved */
            int ok = 1;
            for (int i = 0; i < ga->npre && ok; i++) ok = get_bit(s, ga->pre[i]);
            if (!ok) continue;
            memcpy(succ, s, sizeof(uint64_t) * (size_t)t->W);
            for (int i = 0; i < ga->ndel; i++) succ[ga->del[i] >> 6] &= ~(1ull << (ga->del[i] & 63));
            for (int i = 0; i < ga->nadd; i++) set_bit(succ, ga->add[i]);
            long slot;
            long m = lookup(S, succ, &slot);
            int ng = S->g[n] + 1;
            if (m >= 0) {
                if (ng >= S->g[m]) continue;
                S->g[m] = ng, S->parent[m] = (int)n, S->act[m] = a;
            } else {
                m = add_node(S, succ, ng, (int)n, a);
            }
            heap_push(S, m, ng + w * heuristic(t, succ), ng);
        }
    }
    if (goal < 0 && S->hn == 0) *exhausted = 1;
    free(succ);
    return goal;
}

static void take_plan(Task *t, Search *S, long goal, PbSolution *out) {
    int len = S->g[goal];
    out->steps = calloc((size_t)(len ? len : 1), sizeof(char *));
    if (!out->steps) abort();
    out->nsteps = len;
    for (long n = goal, k = len - 1; S->parent[n] >= 0; n = S->parent[n], k--) {
        const GAct *ga = &t->acts[S->act[n]];
        const PbAction *a = &t->d->acts[ga->schema];
        Buf b;
        buf_init(&b);
        buf_putc(&b, '(');
        buf_puts(&b, a->name);
        for (int i = 0; i < a->nparams; i++) {
            buf_putc(&b, ' ');
            buf_puts(&b, t->p->objs[ga->args[i]]);
        }
        buf_putc(&b, ')');
        out->steps[k] = buf_take(&b);
    }
    out->found = 1;
}

int pb_solve(const PbDomain *d, const PbProblem *p, const PbSolveOpts *o, PbSolution *out, Err *err) {
    memset(out, 0, sizeof *out);
    Task t;
    memset(&t, 0, sizeof t);
    t.d = d;
    t.p = p;
    t.is_static = calloc((size_t)d->npreds, 1);
    if (!t.is_static) abort();
    for (int i = 0; i < d->npreds; i++) t.is_static[i] = 1;
    for (int a = 0; a < d->nacts; a++) {
        for (int i = 0; i < d->acts[a].nadd; i++) t.is_static[d->acts[a].add[i].pred] = 0;
        for (int i = 0; i < d->acts[a].ndel; i++) t.is_static[d->acts[a].del[i].pred] = 0;
    }
    for (int i = 0; i < p->ninit; i++) ks_add(&t.init, pb_atom_key(&p->init[i]));
    ks_sort(&t.init);
    KeySet atoms = {0};
    for (int i = 0; i < p->ninit; i++)
        if (!t.is_static[p->init[i].pred]) ks_add(&atoms, pb_atom_key(&p->init[i]));
    for (int a = 0; a < d->nacts; a++) {
        GroundCtx g = {&t, a, {0}, &atoms};
        ground_rec(&g, 0);
    }
    for (int i = 0; i < p->ngoal; i++)
        if (!t.is_static[p->goal[i].pred]) ks_add(&atoms, pb_atom_key(&p->goal[i]));
    ks_sort(&atoms);
    t.fl = atoms;
    index_lists(&t);
    t.W = (t.fl.n + 63) / 64;
    if (t.W == 0) t.W = 1;
    t.s0 = calloc((size_t)t.W, sizeof(uint64_t));
    t.goal = calloc((size_t)t.W, sizeof(uint64_t));
    if (!t.s0 || !t.goal) abort();
    for (int i = 0; i < p->ninit; i++)
        if (!t.is_static[p->init[i].pred]) set_bit(t.s0, ks_find(&t.fl, pb_atom_key(&p->init[i])));
    for (int i = 0; i < p->ngoal; i++) {
        if (t.is_static[p->goal[i].pred]) {
            if (ks_find(&t.init, pb_atom_key(&p->goal[i])) < 0) t.unsat_static = 1;
        } else {
            set_bit(t.goal, ks_find(&t.fl, pb_atom_key(&p->goal[i])));
        }
    }
    setup_heuristic(&t);
    if (t.unsat_static) {
        snprintf(out->note, sizeof out->note, "unsolvable: a static goal atom is false");
        task_free(&t);
        return IM_OK;
    }
    out->lower_bound = heuristic(&t, t.s0);
    long lim = o && o->max_nodes > 0 ? o->max_nodes : 1500000;
    long limw = o && o->max_nodes_w > 0 ? o->max_nodes_w : 1500000;
    Search S;
    int exhausted;
    long goal = astar(&t, &S, 1, lim, &out->expanded, &exhausted);
    if (goal >= 0) {
        take_plan(&t, &S, goal, out);
        out->optimal = 1;
        out->lower_bound = out->nsteps;
        snprintf(out->note, sizeof out->note, "optimal (A*, %ld expanded)", out->expanded);
    } else if (exhausted) {
        snprintf(out->note, sizeof out->note, "unsolvable (search space exhausted)");
    } else {
        search_free(&S);
        goal = astar(&t, &S, 3, limw, &out->expanded, &exhausted);
        if (goal >= 0) {
            take_plan(&t, &S, goal, out);
            snprintf(out->note, sizeof out->note, "not proven optimal: A* stopped at %ld states; weighted A* (w=3) plan", lim);
        } else {
            snprintf(out->note, sizeof out->note, "no plan found within the limits (%ld + %ld states)", lim, limw);
        }
    }
    search_free(&S);
    task_free(&t);
    (void)err;
    return IM_OK;
}

void pb_solution_free(PbSolution *s) {
    if (!s) return;
    for (int i = 0; i < s->nsteps; i++) free(s->steps[i]);
    free(s->steps);
    memset(s, 0, sizeof *s);
}

char *pb_solution_text(const PbSolution *s) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (int i = 0; i < s->nsteps; i++) {
        buf_puts(&b, s->steps[i]);
        buf_putc(&b, '\n');
    }
    return buf_take(&b);
}
