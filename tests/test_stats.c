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

/*
 * The median's distribution-free 95 % CI against an independent brute
 * force: binomial(n, 1/2) probabilities by Pascal's rule on probabilities
 * (each row the halved sums of the previous one: no logarithms, no
 * factorials), then the largest lower rank whose coverage is still >= 95 %.
 */
#define CI_MAX_N 400
static double pascal[CI_MAX_N + 1];

static void binomial_half_row(int n)
{
    int r, k;
    pascal[0] = 1;
    for (r = 1; r <= n; r++) {
        pascal[r] = pascal[r - 1] / 2;
        for (k = r - 1; k >= 1; k--)
            pascal[k] = (pascal[k] + pascal[k - 1]) / 2;
        pascal[0] /= 2;
    }
}

Test(stats, median_ci_ranks_brute_force)
{
    int n;
    for (n = 1; n <= CI_MAX_N; n++) {
        size_t l = 0, u = 0;
        double cov = 0, cdf = 0, want_cov = 0;
        int k, want_l = 0, rc;
        binomial_half_row(n);
        /* coverage of [x(l), x(n+1-l)] is 1 - 2 P(B <= l - 1) */
        for (k = 1; 2 * k <= n + 1; k++) {
            double c;
            cdf += pascal[k - 1]; /* P(B <= k - 1) */
            c = 1 - 2 * cdf;
            if (c >= 0.95) {
                want_l = k;
                want_cov = c;
            }
        }
        rc = stats_median_ci_ranks((size_t)n, 0.95, &l, &u, &cov);
        if (want_l == 0) {
            cr_assert_eq(rc, -1, "n=%d: no interval reaches 95 %%", n);
            continue;
        }
        cr_assert_eq(rc, 0, "n=%d", n);
        cr_assert_eq((int)l, want_l, "n=%d: lower rank %zu, brute force %d", n, l, want_l);
        cr_assert_eq((int)u, n + 1 - want_l, "n=%d", n);
        cr_assert_float_eq(cov, want_cov, 1e-9, "n=%d", n);
    }
}

Test(stats, median_ci_published_ranks)
{
    /* Conover, Practical Nonparametric Statistics, table A3 / the usual
       order-statistic ranks of the median's 95 % interval */
    static const struct { size_t n, l, u; } t[] = {
        { 6, 1, 6 }, { 9, 2, 8 }, { 10, 2, 9 }, { 20, 6, 15 }, { 30, 10, 21 }, { 50, 18, 33 }, { 100, 40, 61 },
    };
    size_t i, l, u;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        cr_assert_eq(stats_median_ci_ranks(t[i].n, 0.95, &l, &u, NULL), 0);
        cr_assert_eq(l, t[i].l, "n=%zu: lower rank %zu", t[i].n, l);
        cr_assert_eq(u, t[i].u, "n=%zu: upper rank %zu", t[i].n, u);
    }
    cr_assert_eq(stats_median_ci_ranks(5, 0.95, &l, &u, NULL), -1);
    /* large n: the normal approximation n/2 -+ 1.96 sqrt(n)/2 within a rank */
    cr_assert_eq(stats_median_ci_ranks(1000000, 0.95, &l, &u, NULL), 0);
    cr_assert(fabs((double)l - (500000 - 980)) <= 1.5, "l = %zu", l);
    cr_assert_eq(u, 1000001 - l);
}

Test(stats, percentiles_withheld_below_their_sample_minimum)
{
    double v[100];
    struct summary_stats s;
    int i;
    for (i = 0; i < 100; i++)
        v[i] = 100 - i; /* unsorted: 100 .. 1 */
    cr_assert_eq(stats_summarize(v, 5, &s), 0);
    cr_assert(isnan(s.p95) && isnan(s.p99) && isnan(s.p50_ci_low) && isnan(s.p50_ci_high));
    cr_assert_float_eq(s.p50, 98, 1e-12);
    cr_assert_eq(stats_summarize(v, 19, &s), 0);
    cr_assert(isnan(s.p95), "p95 from 19 samples");
    cr_assert_eq(stats_summarize(v + 80, 20, &s), 0); /* 20 .. 1 */
    cr_assert_float_eq(s.p95, 19.05, 1e-12);
    cr_assert(isnan(s.p99), "p99 from 20 samples");
    cr_assert_float_eq(s.p50_ci_low, 6, 1e-12, "x(6) of 1..20");
    cr_assert_float_eq(s.p50_ci_high, 15, 1e-12, "x(15) of 1..20");
    cr_assert_eq(stats_summarize(v, 99, &s), 0);
    cr_assert(isnan(s.p99), "p99 from 99 samples");
    cr_assert_eq(stats_summarize(v, 100, &s), 0);
    cr_assert_float_eq(s.p99, 99.01, 1e-12);
    cr_assert_float_eq(s.p50_ci_low, 40, 1e-12);
    cr_assert_float_eq(s.p50_ci_high, 61, 1e-12);
}
