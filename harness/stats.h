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

struct summary_stats {
    size_t count;
    double mean, sd, min, p50, p95, p99, max;
};

/* qsort comparator for doubles (ascending). */
int stats_cmp_double(const void *a, const void *b);

/* Percentile p in [0,100] of sorted values, linear interpolation between
   closest ranks (the "type 7" definition used by R and NumPy). */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
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
