/* unorm.c: decomposition (recursive, Hangul by arithmetic), canonical
 * ordering, and canonical composition, on runs of code points between
 * ill-formed bytes. */
#include "unorm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { SBASE = 0xAC00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11A7, LCOUNT = 19, VCOUNT = 21, TCOUNT = 28, NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT };

static unsigned ccc_of(uint32_t cp) {
    int lo = 0, hi = unorm_nccc - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (unorm_ccc[mid].cp == cp) return unorm_ccc[mid].ccc;
        if (unorm_ccc[mid].cp < cp) lo = mid + 1;
        else hi = mid - 1;
    }
    return 0;
}

static const UnormDecomp *decomp_of(uint32_t cp) {
    int lo = 0, hi = unorm_ndecomp - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (unorm_decomp[mid].cp == cp) return &unorm_decomp[mid];
        if (unorm_decomp[mid].cp < cp) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

static uint32_t compose_pair(uint32_t a, uint32_t b) {
    if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT) return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
    if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT) return a + (b - TBASE);
    int lo = 0, hi = unorm_npairs - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const UnormPair *p = &unorm_pairs[mid];
        if (p->first == a && p->second == b) return p->composite;
        if (p->first < a || (p->first == a && p->second < b)) lo = mid + 1;
        else hi = mid - 1;
    }
    return 0;
}

typedef struct Cps {
    uint32_t *v;
    size_t n, cap;
} Cps;

static void cps_push(Cps *c, uint32_t cp) {
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->v = realloc(c->v, sizeof *c->v * c->cap);
        if (!c->v) abort();
    }
    c->v[c->n++] = cp;
}

static void decompose(uint32_t cp, int compat, Cps *out) {
    if (cp >= SBASE && cp < SBASE + SCOUNT) {
        uint32_t s = cp - SBASE;
        cps_push(out, LBASE + s / NCOUNT), cps_push(out, VBASE + (s % NCOUNT) / TCOUNT);
        if (s % TCOUNT) cps_push(out, TBASE + s % TCOUNT);
        return;
    }
    const UnormDecomp *d = decomp_of(cp);
    if (!d || (d->compat && !compat)) {
        cps_push(out, cp);
        return;
    }
    for (unsigned i = 0; i < d->len; i++) decompose(unorm_decomp_cps[d->off + i], compat, out);
}

/* Canonical ordering: a stable sort by class of each run of non-starters. */
static void reorder(Cps *c) {
    for (size_t i = 1; i < c->n; i++) {
        unsigned ci = ccc_of(c->v[i]);
        if (!ci) continue;
        for (size_t j = i; j > 0; j--) {
            unsigned cj = ccc_of(c->v[j - 1]);
            if (!cj || cj <= ci) break;
            uint32_t t = c->v[j];
            c->v[j] = c->v[j - 1], c->v[j - 1] = t;
        }
    }
}

/* Canonical composition (UAX #15, 1.3): each character joins the last
 * starter unless blocked by a character of the same or higher class. */
static void compose(Cps *c) {
    if (!c->n) return;
    size_t starter = 0, w = 1;
    int have_starter = ccc_of(c->v[0]) == 0;
    unsigned last_cc = have_starter ? 0 : 256;
    for (size_t i = 1; i < c->n; i++) {
        uint32_t cp = c->v[i];
        unsigned cc = ccc_of(cp);
        uint32_t comp = have_starter && (last_cc < cc || (last_cc == 0 && w == starter + 1)) ? compose_pair(c->v[starter], cp) : 0;
        if (comp) {
            c->v[starter] = comp;
            continue;
        }
        if (cc == 0) starter = w, have_starter = 1, last_cc = 0;
        else last_cc = cc;
        c->v[w++] = cp;
    }
    c->n = w;
}

static void flush(UnormForm f, Cps *c, Buf *out) {
    reorder(c);
    if (f == UNORM_NFC || f == UNORM_NFKC) compose(c);
    for (size_t i = 0; i < c->n; i++) buf_put_utf8(out, c->v[i]);
    c->n = 0;
}

void unorm_apply(UnormForm f, const char *s, size_t n, Buf *out) {
    int compat = f == UNORM_NFKC || f == UNORM_NFKD;
    Cps c = {0};
    buf_append(out, "", 0);
    for (size_t i = 0; i < n;) {
        if ((unsigned char)s[i] < 0x80) { /* ASCII: a starter that nothing composes with but a following mark */
            if (i + 1 < n && (unsigned char)s[i + 1] >= 0x80) cps_push(&c, (unsigned char)s[i++]);
            else {
                flush(f, &c, out);
                buf_putc(out, s[i++]);
            }
            continue;
        }
        uint32_t cp;
        int bad;
        size_t k = buf_utf8_decode(s + i, n - i, &cp, &bad);
        if (bad) {
            flush(f, &c, out);
            buf_append(out, s + i, k);
        } else
            decompose(cp, compat, &c);
        i += k;
    }
    flush(f, &c, out);
    free(c.v);
}
