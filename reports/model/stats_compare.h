/*
 * stats_compare.h - the statistics behind `isobench compare` (pure functions).
 *
 * Medians and quantiles, a seeded percentile bootstrap for the change in
 * median between two samples, and the two-sided Mann-Whitney U test with the
 * normal approximation (tie correction and continuity correction, as scipy's
 * mannwhitneyu(method="asymptotic") computes it). No I/O, no globals: the
 * random generator state is passed in, so a given seed gives the same
 * interval on every machine.
 */
#ifndef ISOBENCH_STATS_COMPARE_H
#define ISOBENCH_STATS_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, fast, good enough for resampling indices. */
struct sc_rng {
    uint64_t s;
};
void sc_rng_seed(struct sc_rng *r, uint64_t seed);
uint64_t sc_rng_next(struct sc_rng *r);
/* Uniform integer in [0, n). */
size_t sc_rng_below(struct sc_rng *r, size_t n);

/* Median of x[0..n) (NAN when n == 0). `scratch` holds n doubles; x is not
   modified. */
double sc_median(const double *x, size_t n, double *scratch);
/* Quantile p in [0,1] of an ascending array, linear interpolation between
   order statistics (numpy's default, "type 7"). */
double sc_quantile_sorted(const double *sorted, size_t n, double p);

/* Percentile bootstrap of the change in median from `a` (base) to `b` (new):
   each of `resamples` rounds draws na values from a and nb from b with
   replacement. relative != 0: change = (med b - med a) / med a; else the
   difference. *est is the change on the samples themselves, [*lo, *hi] the
   central (1 - alpha) interval. Returns 0, or -1 when a sample is empty or
   (relative) the base median is 0. */
/* Above this many values a side's resample medians are drawn directly from
   its sorted values (same distribution, O(1) per resample). */
#define SC_BOOT_DIRECT_MIN 1000
int sc_bootstrap_median_change(const double *a, size_t na, const double *b, size_t nb,
                               int resamples, double alpha, int relative, uint64_t seed,
                               double *est, double *lo, double *hi);

/* Mann-Whitney U test of a against b. *u is U of sample a (count of pairs
   with a > b, ties counting 1/2), *p the two-sided p-value from the normal
   approximation with tie and continuity correction. When every value is tied
   p = 1. Returns 0, or -1 when a sample is empty or out of memory. */
int sc_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u, double *p);

/* Exact two-sided Mann-Whitney p-value from the permutation distribution of
   U (no ties allowed): p = 2 min(P(U <= u), P(U >= u)), capped at 1, as
   scipy's method="exact". Returns 0, or -1 when there are ties, a sample is
   empty, or na * nb > SC_MWU_EXACT_MAX_CELLS. */
#define SC_MWU_EXACT_MAX_CELLS 400
int sc_mann_whitney_exact(const double *a, size_t na, const double *b, size_t nb, double *u, double *p);

/* scipy's "auto": exact when both samples have fewer than 8 values and
   there are no ties, else the normal approximation. *exact says which. */
int sc_mann_whitney_auto(const double *a, size_t na, const double *b, size_t nb, double *u, double *p,
                         int *exact);

#endif
