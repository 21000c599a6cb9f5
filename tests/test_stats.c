/*
 * test_stats.c - percentiles, summaries, Student's t and the least-squares
 * slope with its confidence interval, against values computed independently
 * (R: quantile(type = 7), qt(), confint(lm())).
 */
#include "stats.h"

#include <criterion/criterion.h>
#include <math.h>

Test(stats, percentile_type7)
{
    double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 50), 5.5, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 95), 9.55, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 99), 9.91, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 0), 1, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 100), 10, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 1, 50), 1, 1e-12);
}

Test(stats, summarize_unsorted)
{
    double v[] = { 9, 1, 5, 3, 7 };
    struct summary_stats s;
    cr_assert_eq(stats_summarize(v, 5, &s), 0);
    cr_assert_eq(s.count, 5);
    cr_assert_float_eq(s.mean, 5, 1e-12);
    cr_assert_float_eq(s.sd, sqrt(10), 1e-12);
    cr_assert_float_eq(s.p50, 5, 1e-12);
    cr_assert_float_eq(s.min, 1, 1e-12);
    cr_assert_float_eq(s.max, 9, 1e-12);
    cr_assert_eq(stats_summarize(v, 0, &s), 0);
    cr_assert_eq(s.count, 0);
}

Test(stats, t_quantiles)
{
    /* qt(0.975, df) in R */
    cr_assert_float_eq(stats_t_quantile(0.975, 1), 12.7062047, 1e-6);
    cr_assert_float_eq(stats_t_quantile(0.975, 2), 4.3026527, 1e-6);
    cr_assert_float_eq(stats_t_quantile(0.975, 10), 2.2281389, 1e-6);
    cr_assert_float_eq(stats_t_quantile(0.975, 1000), 1.9623391, 1e-6);
    cr_assert_float_eq(stats_t_cdf(0, 5), 0.5, 1e-12);
}

Test(stats, linear_fit_exact_line)
{
    double x[] = { 0, 1, 2, 4, 8 };
    double y[] = { 3, 5, 7, 11, 19 };
    struct linear_fit f;
    cr_assert_eq(stats_linear_fit(x, y, 5, &f), 0);
    cr_assert_float_eq(f.slope, 2, 1e-12);
    cr_assert_float_eq(f.intercept, 3, 1e-12);
    cr_assert_float_eq(f.r2, 1, 1e-12);
    cr_assert_float_eq(f.ci95_low, 2, 1e-9);
    cr_assert_float_eq(f.ci95_high, 2, 1e-9);
}

Test(stats, linear_fit_ci_matches_r)
{
    /* x <- c(1,2,3,4,5); y <- c(2.1,3.9,6.2,7.8,10.1); confint(lm(y ~ x)):
       slope 1.99, 2.5 % 1.799939, 97.5 % 2.180061 (t(0.975, 3) = 3.182446) */
    double x[] = { 1, 2, 3, 4, 5 };
    double y[] = { 2.1, 3.9, 6.2, 7.8, 10.1 };
    struct linear_fit f;
    cr_assert_eq(stats_linear_fit(x, y, 5, &f), 0);
    cr_assert_float_eq(f.slope, 1.99, 1e-9);
    cr_assert_float_eq(f.intercept, 0.05, 1e-9);
    cr_assert_float_eq(f.ci95_low, 1.799939, 1e-5);
    cr_assert_float_eq(f.ci95_high, 2.180061, 1e-5);
}

Test(stats, linear_fit_undefined)
{
    double x[] = { 3, 3, 3 };
    double y[] = { 1, 2, 3 };
    struct linear_fit f;
    cr_assert_lt(stats_linear_fit(x, y, 3, &f), 0);
    cr_assert_lt(stats_linear_fit(x, y, 1, &f), 0);
}
