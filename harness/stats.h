/*
 * stats.h - the reductions the runner's summary needs: order statistics,
 * mean and standard deviation, and an ordinary least-squares line with a
 * 95 % confidence interval on its slope (Student's t). The slope of host
 * memory in use against containers running is the marginal memory cost of
 * one more container, the number capacity planning needs.
 */
#ifndef ISOBENCH_STATS_H
#define ISOBENCH_STATS_H

#include <stddef.h>

/* A tail percentile is only as good as the samples beyond it: p95 needs 20
   samples (one beyond it), p99 100. Below that they are withheld (NAN,
   "n too small" in tables). The median's CI needs 6 samples. */
#define STATS_MIN_N_P95 20
#define STATS_MIN_N_P99 100
#define STATS_MIN_N_MEDIAN_CI 6

struct summary_stats {
    size_t count;
    double mean, sd, min, p50, p95, p99, max; /* p95, p99 NAN below their minimum n */
    double p50_ci_low, p50_ci_high;           /* 95 % CI of the median, NAN below 6 samples */
};

/* qsort comparator for doubles (ascending). */
int stats_cmp_double(const void *a, const void *b);

/* Percentile p in [0,100] of sorted values, linear interpolation between
   closest ranks (the "type 7" definition used by R and NumPy). */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
/*
 * Distribution-free confidence interval of the median (order statistics):
 * the ranks l <= u (1-based) such that [x(l), x(u)] covers the population
 * median with probability >= conf, as narrow as possible and symmetric:
 * l is the largest rank with P(B <= l - 1) <= (1 - conf) / 2 for
 * B ~ Binomial(n, 1/2), and u = n + 1 - l. Returns -1 when n is too small
 * for any interval to reach conf (n < 6 at 95 %). *coverage (may be NULL)
 * gets the exact coverage 1 - 2 P(B <= l - 1).
 */
int stats_median_ci_ranks(size_t n, double conf, size_t *l, size_t *u, double *coverage);
/* The 95 % interval from sorted values; -1 (lo = hi = NAN) when n < 6. */
int stats_median_ci_sorted(const double *sorted, size_t n, double *lo, double *hi);

/* Fill s from values (copied and sorted internally). count = 0 when n = 0. */
int stats_summarize(const double *values, size_t n, struct summary_stats *s);

struct linear_fit {
    size_t n;
    double slope, intercept;
    double slope_se;          /* standard error of the slope */
    double ci95_low, ci95_high;
    double r2;
};
/* Least squares y = intercept + slope * x. Needs n >= 2 and two distinct x;
   the CI needs n >= 3 (with n = 2 it is the slope itself). Returns -1 when
   the fit is undefined. */
int stats_linear_fit(const double *x, const double *y, size_t n, struct linear_fit *f);

/* Student's t: CDF and the two-sided 95 % critical value for df degrees of freedom. */
double stats_t_cdf(double t, double df);
double stats_t_quantile(double p, double df);

#endif
