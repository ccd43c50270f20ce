/* stats.c: seeded random numbers, Wilson intervals, the exact McNemar test,
 * Holm's adjustment and the query bootstrap (plain, paired, unpaired).
 * Pure computation: no I/O; every result is a function of the inputs and
 * the seed. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers --------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rp_rng_seed(RpRng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rp_rng_next(RpRng *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
    s[2] ^= t, s[3] = rotl(s[3], 45);
    return out;
}

uint32_t rp_rng_below(RpRng *r, uint32_t n) {
    /* Lemire's multiply-and-reject */
    uint64_t m = (uint64_t)(uint32_t)(rp_rng_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(rp_rng_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double rp_rng_uniform(RpRng *r) { return (double)(rp_rng_next(r) >> 11) * 0x1.0p-53; }

/* ---- closed forms ----------------------------------------------------- */

void rp_wilson(int x, int n, double z, RpCi *out) {
    if (n <= 0) {
        out->est = 0, out->lo = 0, out->hi = 1;
        return;
    }
    double p = (double)x / n, z2 = z * z, den = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / den;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / den;
    out->est = p;
    out->lo = x == 0 ? 0 : fmax(0, centre - half);
    out->hi = x == n ? 1 : fmin(1, centre + half);
}

double rp_mcnemar_exact(int b, int c) {
    int n = b + c, k = b < c ? b : c;
    if (n <= 0) return 1;
    /* P(X <= k), X ~ Bin(n, 1/2), summed in log space so large n never
     * overflows; the terms grow with i, so sum from the largest down. */
    double lgn = lgamma(n + 1.0), ln2n = n * log(2.0), tail = 0;
    for (int i = k; i >= 0; i--) tail += exp(lgn - lgamma(i + 1.0) - lgamma(n - i + 1.0) - ln2n);
    double p = 2 * tail;
    return p > 1 ? 1 : p;
}

typedef struct { double p; int i; } PIdx;

static int pidx_cmp(const void *a, const void *b) {
    const PIdx *x = a, *y = b;
    if (x->p != y->p) return x->p < y->p ? -1 : 1;
    return x->i - y->i;
}

void rp_holm(const double *p, int m, double *adj) {
    if (m <= 0) return;
    PIdx stack[64], *v = m <= 64 ? stack : malloc((size_t)m * sizeof *v);
    if (!v) { /* out of memory: Bonferroni is a valid, coarser bound */
        for (int i = 0; i < m; i++) adj[i] = fmin(1, p[i] * m);
        return;
    }
    for (int i = 0; i < m; i++) v[i].p = p[i], v[i].i = i;
    qsort(v, (size_t)m, sizeof *v, pidx_cmp);
    double run = 0;
    for (int j = 0; j < m; j++) {
        double a = fmin(1, (m - j) * v[j].p);
        if (a > run) run = a;
        adj[v[j].i] = run;
    }
    if (v != stack) free(v);
}

/* ---- bootstrap -------------------------------------------------------- */

double rp_quantile_sorted(const double *v, int n, double q) {
    if (n <= 0) return 0;
    double h = (n - 1) * q;
    int lo = (int)floor(h);
    if (lo >= n - 1) return v[n - 1];
    if (lo < 0) return v[0];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

static int dbl_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double ratio(double num, double den) { return den != 0 ? num / den : 0; }

/* One side's resampled sums: draws n indices and adds the k ratios' parts. */
static void resample_sums(RpRng *rng, const double *num, const double *den, int n, int k, double *sn, double *sd) {
    for (int r = 0; r < k; r++) sn[r] = sd[r] = 0;
    for (int i = 0; i < n; i++) {
        uint32_t j = rp_rng_below(rng, (uint32_t)n);
        for (int r = 0; r < k; r++) sn[r] += num[(size_t)r * n + j], sd[r] += den[(size_t)r * n + j];
    }
}

static void full_ratio(const double *num, const double *den, int n, int k, double *est) {
    for (int r = 0; r < k; r++) {
        double a = 0, b = 0;
        for (int i = 0; i < n; i++) a += num[(size_t)r * n + i], b += den[(size_t)r * n + i];
        est[r] = ratio(a, b);
    }
}

/* Turns the B draws of each of k statistics (draws[r*B+b]) into percentile
 * intervals around est, and p-values of "no difference" when p != NULL. */
static void summarise(double *draws, int B, int k, const double *est, double level, RpCi *out, double *p) {
    double a = (1 - level) / 2;
    for (int r = 0; r < k; r++) {
        double *d = draws + (size_t)r * B;
        if (p) {
            int far = 0;
            double obs = fabs(est[r]);
            for (int b = 0; b < B; b++) far += fabs(d[b] - est[r]) >= obs - 1e-12;
            p[r] = (1.0 + far) / (B + 1.0);
            if (p[r] > 1) p[r] = 1;
        }
        qsort(d, (size_t)B, sizeof *d, dbl_cmp);
        out[r].est = est[r];
        out[r].lo = rp_quantile_sorted(d, B, a);
        out[r].hi = rp_quantile_sorted(d, B, 1 - a);
    }
}

static int boot_alloc(int B, int k, double **draws, Err *err) {
    if (B < 1 || k < 1) return err_set(err, IM_USAGE, "bootstrap: resamples and rates must be at least 1");
    *draws = malloc((size_t)B * (size_t)k * sizeof **draws);
    if (!*draws) return err_set(err, IM_IO, "bootstrap: out of memory for %d x %d draws", B, k);
    return IM_OK;
}

#define MAXK 64

int rp_boot_ratio(const double *num, const double *den, int n, int k, const RpBoot *bs, RpCi *out, Err *err) {
    if (k > MAXK) return err_set(err, IM_USAGE, "bootstrap: at most %d rates at once", MAXK);
    double *draws, est[MAXK], sn[MAXK], sd[MAXK];
    int B = bs->resamples, rc = boot_alloc(B, k, &draws, err);
    if (rc) return rc;
    full_ratio(num, den, n, k, est);
    RpRng rng;
    rp_rng_seed(&rng, bs->seed);
    for (int b = 0; b < B; b++) {
        if (n > 0) resample_sums(&rng, num, den, n, k, sn, sd);
        for (int r = 0; r < k; r++) draws[(size_t)r * B + b] = n > 0 ? ratio(sn[r], sd[r]) : 0;
    }
    summarise(draws, B, k, est, bs->level, out, NULL);
    free(draws);
    return IM_OK;
}

int rp_boot_paired(const double *num_a, const double *den_a, const double *num_b, const double *den_b, int n, int k,
                   const RpBoot *bs, RpCi *diff, double *p, Err *err) {
    if (k > MAXK) return err_set(err, IM_USAGE, "bootstrap: at most %d rates at once", MAXK);
    double *draws, ea[MAXK], eb[MAXK], est[MAXK];
    int B = bs->resamples, rc = boot_alloc(B, k, &draws, err);
    if (rc) return rc;
    full_ratio(num_a, den_a, n, k, ea);
    full_ratio(num_b, den_b, n, k, eb);
    for (int r = 0; r < k; r++) est[r] = eb[r] - ea[r];
    RpRng rng;
    rp_rng_seed(&rng, bs->seed);
    double sa[MAXK], da[MAXK], sb[MAXK], db[MAXK];
    for (int b = 0; b < B; b++) {
        for (int r = 0; r < k; r++) sa[r] = da[r] = sb[r] = db[r] = 0;
        for (int i = 0; i < n; i++) {
            uint32_t j = rp_rng_below(&rng, (uint32_t)n);
            for (int r = 0; r < k; r++) {
                size_t o = (size_t)r * n + j;
                sa[r] += num_a[o], da[r] += den_a[o], sb[r] += num_b[o], db[r] += den_b[o];
            }
        }
        for (int r = 0; r < k; r++) draws[(size_t)r * B + b] = ratio(sb[r], db[r]) - ratio(sa[r], da[r]);
    }
    summarise(draws, B, k, est, bs->level, diff, p);
    free(draws);
    return IM_OK;
}

int rp_boot_unpaired(const double *num_a, const double *den_a, int na, const double *num_b, const double *den_b, int nb,
                     int k, const RpBoot *bs, RpCi *diff, double *p, Err *err) {
    if (k > MAXK) return err_set(err, IM_USAGE, "bootstrap: at most %d rates at once", MAXK);
    double *draws, ea[MAXK], eb[MAXK], est[MAXK];
    int B = bs->resamples, rc = boot_alloc(B, k, &draws, err);
    if (rc) return rc;
    full_ratio(num_a, den_a, na, k, ea);
    full_ratio(num_b, den_b, nb, k, eb);
    for (int r = 0; r < k; r++) est[r] = eb[r] - ea[r];
    RpRng rng;
    rp_rng_seed(&rng, bs->seed);
    double sa[MAXK], da[MAXK], sb[MAXK], db[MAXK];
    for (int b = 0; b < B; b++) {
        if (na > 0) resample_sums(&rng, num_a, den_a, na, k, sa, da);
        if (nb > 0) resample_sums(&rng, num_b, den_b, nb, k, sb, db);
        for (int r = 0; r < k; r++)
            draws[(size_t)r * B + b] = (nb > 0 ? ratio(sb[r], db[r]) : 0) - (na > 0 ? ratio(sa[r], da[r]) : 0);
    }
    summarise(draws, B, k, est, bs->level, diff, p);
    free(draws);
    return IM_OK;
}
