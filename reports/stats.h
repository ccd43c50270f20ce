/* stats.h: the statistics of a report: confidence intervals and paired tests.
 *
 * Pure functions of their inputs and a seed: no I/O, no global state, the
 * same seed gives the same numbers on every machine. Rates are ratios over
 * queries: item i contributes num[i] passes out of den[i] chances (a binary
 * rate has den[i] == 1; a micro rate has den[i] == checks of the query), so
 * the bootstrap resamples queries, never single checks. Functions that
 * allocate return IM_OK or IM_IO (out of memory) and leave outputs untouched
 * on failure. */
#ifndef RP_STATS_H
#define RP_STATS_H

#include <stdint.h>

#include "err.h"

#define RP_Z95 1.959963984540054      /* two-sided 95 % normal quantile */
#define RP_RESAMPLES_DEFAULT 10000
#define RP_SEED_DEFAULT 20240601u

/* xoshiro256** seeded through splitmix64. */
typedef struct RpRng { uint64_t s[4]; } RpRng;
void rp_rng_seed(RpRng *r, uint64_t seed);
uint64_t rp_rng_next(RpRng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t rp_rng_below(RpRng *r, uint32_t n);
/* Uniform double in [0, 1). */
double rp_rng_uniform(RpRng *r);

/* An estimate with a two-sided interval. */
typedef struct RpCi { double est, lo, hi; } RpCi;

/* Wilson score interval for x successes out of n (z = RP_Z95 for 95 %);
 * n == 0 gives est 0 and the interval [0, 1]. */
void rp_wilson(int x, int n, double z, RpCi *out);

/* Exact two-sided McNemar test: b = pairs passed only by the first run,
 * c = passed only by the second. p = min(1, 2 P(X <= min(b,c))) with
 * X ~ Binomial(b+c, 1/2); b + c == 0 gives 1. */
double rp_mcnemar_exact(int b, int c);

/* Holm step-down adjustment of m p-values (adj may alias p). */
void rp_holm(const double *p, int m, double *adj);

/* Bootstrap settings: B resamples, a seed, the interval level (0.95). */
typedef struct RpBoot { int resamples; uint64_t seed; double level; } RpBoot;

/* k ratios over the same n items, item i of ratio r being
 * num[r*n+i] / den[r*n+i]; the point estimate is sum(num)/sum(den) (0 when
 * the denominators sum to 0) and the interval the percentile interval of
 * the same ratio over B resamples of the n items (one resample serves all
 * k ratios). out has room for k. */
int rp_boot_ratio(const double *num, const double *den, int n, int k, const RpBoot *bs, RpCi *out, Err *err);

/* Difference B - A of k ratios over the same n items (item i of A is the
 * same query as item i of B): both runs use the same resampled items.
 * diff gets the estimate and percentile interval, p (may be NULL) the
 * two-sided bootstrap p-value of "no difference": the share of centred
 * resampled differences at least as far from 0 as the observed one,
 * (1 + count) / (B + 1). */
int rp_boot_paired(const double *num_a, const double *den_a, const double *num_b, const double *den_b, int n, int k,
                   const RpBoot *bs, RpCi *diff, double *p, Err *err);

/* The same for runs over different queries: A's na items and B's nb items
 * are resampled independently. */
int rp_boot_unpaired(const double *num_a, const double *den_a, int na, const double *num_b, const double *den_b, int nb,
                     int k, const RpBoot *bs, RpCi *diff, double *p, Err *err);

/* The q-quantile (R type 7, linear interpolation) of n sorted values. */
double rp_quantile_sorted(const double *v, int n, double q);

#endif
