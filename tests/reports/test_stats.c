/* test_stats.c: reports/stats.c against values worked out by hand
 * (McNemar, Wilson, Holm) and by simulation (interval coverage, test size). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"

static int failures;

#define NEAR(got, want, tol)                                                                         \
    do {                                                                                             \
        double g_ = (got), w_ = (want);                                                              \
        if (!(fabs(g_ - w_) <= (tol))) {                                                             \
            fprintf(stderr, "%s:%d: %s = %.12g, expected %.12g (tol %g)\n", __FILE__, __LINE__, #got, \
                    g_, w_, (double)(tol));                                                          \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

static void test_mcnemar(void) {
    /* P(X <= k) for X ~ Bin(n, 1/2), doubled, worked out by hand */
    NEAR(rp_mcnemar_exact(0, 0), 1, 0);
    NEAR(rp_mcnemar_exact(0, 1), 1, 1e-15);              /* 2 * 1/2 */
    NEAR(rp_mcnemar_exact(0, 5), 2.0 / 32, 1e-14);       /* 2 * 1/32 */
    NEAR(rp_mcnemar_exact(0, 6), 2.0 / 64, 1e-14);       /* 0.03125 */
    NEAR(rp_mcnemar_exact(1, 5), 14.0 / 64, 1e-14);      /* 2 * (1+6)/64 */
    NEAR(rp_mcnemar_exact(5, 1), 14.0 / 64, 1e-14);      /* symmetric */
    NEAR(rp_mcnemar_exact(2, 8), 112.0 / 1024, 1e-14);   /* 2 * (1+10+45)/1024 */
    NEAR(rp_mcnemar_exact(3, 3), 1, 1e-12);                  /* capped at 1 */
    NEAR(rp_mcnemar_exact(4, 3), 1, 1e-12); /* 2 * 64/128 */
    NEAR(rp_mcnemar_exact(1, 11), 26.0 / 4096, 1e-14);   /* 2 * (1+12)/4096 */
    /* large tables stay finite and tiny */
    double p = rp_mcnemar_exact(100, 300);
    if (!(p > 0 && p < 1e-20)) fprintf(stderr, "mcnemar(100,300) = %g\n", p), failures++;
}

static void test_wilson(void) {
    RpCi ci;
    rp_wilson(5, 10, RP_Z95, &ci); /* centre 0.5, half 0.263406 */
    NEAR(ci.est, 0.5, 0);
    NEAR(ci.lo, 0.236593, 1e-6);
    NEAR(ci.hi, 0.763407, 1e-6);
    rp_wilson(0, 10, RP_Z95, &ci); /* upper = z^2 / (n + z^2) = 3.841459/13.841459 */
    NEAR(ci.lo, 0, 0);
    NEAR(ci.hi, 0.277533, 1e-6);
    rp_wilson(10, 10, RP_Z95, &ci);
    NEAR(ci.lo, 1 - 0.277533, 1e-6);
    NEAR(ci.hi, 1, 0);
    rp_wilson(2, 45, RP_Z95, &ci); /* centre 0.080274, half 0.0680006 */
    NEAR(ci.lo, 0.0122734, 2e-6);
    NEAR(ci.hi, 0.1482746, 2e-6);
    rp_wilson(0, 0, RP_Z95, &ci);
    NEAR(ci.lo, 0, 0);
    NEAR(ci.hi, 1, 0);
}

static void test_holm(void) {
    double p[4] = {0.01, 0.04, 0.03, 0.005}, adj[4];
    rp_holm(p, 4, adj);
    /* sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, max(0.06, 0.04) */
    NEAR(adj[3], 0.02, 1e-15);
    NEAR(adj[0], 0.03, 1e-15);
    NEAR(adj[2], 0.06, 1e-15);
    NEAR(adj[1], 0.06, 1e-15);
    double q[2] = {0.6, 0.7};
    rp_holm(q, 2, q); /* 1.2 -> 1, then max(1, 0.7) */
    NEAR(q[0], 1, 0);
    NEAR(q[1], 1, 0);
}

static void test_rng(void) {
    RpRng a, b;
    rp_rng_seed(&a, 42), rp_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        if (rp_rng_next(&a) != rp_rng_next(&b)) { fprintf(stderr, "rng not deterministic\n"), failures++; break; }
    int count[7] = {0};
    for (int i = 0; i < 70000; i++) count[rp_rng_below(&a, 7)]++;
    for (int i = 0; i < 7; i++)
        if (abs(count[i] - 10000) > 500) fprintf(stderr, "rng_below bucket %d: %d\n", i, count[i]), failures++;
}

/* Known bootstrap facts: a constant ratio has a zero-width interval, the
 * same seed gives the same interval, identical runs differ by 0 with p 1. */
static void test_boot_basic(void) {
    enum { N = 50 };
    double num[N], den[N];
    for (int i = 0; i < N; i++) num[i] = 3, den[i] = 8;
    RpBoot bs = {2000, 7, 0.95};
    RpCi ci, ci2;
    rp_boot_ratio(num, den, N, 1, &bs, &ci, NULL);
    NEAR(ci.est, 0.375, 1e-15);
    NEAR(ci.lo, 0.375, 1e-12);
    NEAR(ci.hi, 0.375, 1e-12);
    for (int i = 0; i < N; i++) num[i] = i % 3, den[i] = 2 + i % 2;
    rp_boot_ratio(num, den, N, 1, &bs, &ci, NULL);
    rp_boot_ratio(num, den, N, 1, &bs, &ci2, NULL);
    NEAR(ci.lo, ci2.lo, 0);
    NEAR(ci.hi, ci2.hi, 0);
    if (!(ci.lo < ci.est && ci.est < ci.hi)) fprintf(stderr, "interval misses estimate\n"), failures++;
    double p;
    RpCi d;
    rp_boot_paired(num, den, num, den, N, 1, &bs, &d, &p, NULL);
    NEAR(d.est, 0, 0);
    NEAR(d.lo, 0, 0);
    NEAR(p, 1, 0);
    /* B strictly better on every query: p at the floor 1/(B+1) */
    double nb[N];
    for (int i = 0; i < N; i++) nb[i] = num[i] + 1 <= den[i] ? num[i] + 1 : den[i];
    rp_boot_paired(num, den, nb, den, N, 1, &bs, &d, &p, NULL);
    if (!(d.est > 0 && d.lo > 0 && p < 0.001)) fprintf(stderr, "paired: est %g lo %g p %g\n", d.est, d.lo, p), failures++;
}

/* Coverage of the Wilson interval for Bernoulli(0.3), n = 60. */
static void test_wilson_coverage(void) {
    RpRng rng;
    rp_rng_seed(&rng, 1);
    int reps = 20000, hit = 0, n = 60;
    for (int r = 0; r < reps; r++) {
        int x = 0;
        for (int i = 0; i < n; i++) x += rp_rng_uniform(&rng) < 0.3;
        RpCi ci;
        rp_wilson(x, n, RP_Z95, &ci);
        hit += ci.lo <= 0.3 && 0.3 <= ci.hi;
    }
    double cov = (double)hit / reps;
    printf("wilson coverage (p=0.3, n=60): %.4f\n", cov);
    if (cov < 0.93 || cov > 0.97) fprintf(stderr, "wilson coverage %.4f not near 0.95\n", cov), failures++;
}

/* A simulated micro rate: each query has its own difficulty q_i ~ U(0,1)^2
 * (true rate E[q] = 1/3) and d_i checks in {4..8}; n_i ~ Bin(d_i, q_i).
 * True ratio = E[d q] / E[d] = 1/3 since d and q are independent. */
static void sim_run(RpRng *rng, int n, double *num, double *den, const double *q) {
    for (int i = 0; i < n; i++) {
        int d = 4 + (int)rp_rng_below(rng, 5), x = 0;
        for (int j = 0; j < d; j++) x += rp_rng_uniform(rng) < q[i];
        num[i] = x, den[i] = d;
    }
}

static void test_boot_coverage(void) {
    enum { N = 100, REPS = 400 };
    RpRng rng;
    rp_rng_seed(&rng, 2);
    double num[N], den[N], q[N], num2[N], den2[N];
    int hit = 0, reject = 0;
    for (int r = 0; r < REPS; r++) {
        for (int i = 0; i < N; i++) q[i] = pow(rp_rng_uniform(&rng), 2);
        sim_run(&rng, N, num, den, q);
        RpBoot bs = {1000, (uint64_t)r + 100, 0.95};
        RpCi ci;
        rp_boot_ratio(num, den, N, 1, &bs, &ci, NULL);
        hit += ci.lo <= 1.0 / 3 && 1.0 / 3 <= ci.hi;
        /* a second run of the same method on the same queries: no true difference */
        sim_run(&rng, N, num2, den2, q);
        RpCi d;
        double p;
        rp_boot_paired(num, den, num2, den2, N, 1, &bs, &d, &p, NULL);
        reject += p < 0.05;
    }
    double cov = (double)hit / REPS, size = (double)reject / REPS;
    printf("bootstrap micro-rate coverage (n=%d, %d runs): %.4f; paired test size at 0.05: %.4f\n", N, REPS, cov, size);
    if (cov < 0.92 || cov > 0.975) fprintf(stderr, "bootstrap coverage %.4f not near 0.95\n", cov), failures++;
    if (size > 0.085) fprintf(stderr, "paired bootstrap rejects %.4f of null runs\n", size), failures++;
}

/* McNemar's size under the null: each query passes both, neither, or one
 * of two equally good methods. Exact test: at most 5 %. */
static void test_mcnemar_size(void) {
    RpRng rng;
    rp_rng_seed(&rng, 3);
    int reps = 5000, reject = 0;
    for (int r = 0; r < reps; r++) {
        int b = 0, c = 0;
        for (int i = 0; i < 180; i++) {
            int a = rp_rng_uniform(&rng) < 0.2, bb = rp_rng_uniform(&rng) < 0.2;
            b += a && !bb, c += bb && !a;
        }
        reject += rp_mcnemar_exact(b, c) < 0.05;
    }
    double size = (double)reject / reps;
    printf("mcnemar size at 0.05: %.4f\n", size);
    if (size > 0.055) fprintf(stderr, "mcnemar size %.4f above 0.05\n", size), failures++;
}

int main(void) {
    test_mcnemar();
    test_wilson();
    test_holm();
    test_rng();
    test_boot_basic();
    test_wilson_coverage();
    test_boot_coverage();
    test_mcnemar_size();
    if (failures) fprintf(stderr, "%d failures\n", failures);
    else printf("stats: all passed\n");
    return failures != 0;
}
