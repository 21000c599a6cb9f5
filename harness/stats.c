/*
 * stats.c - order statistics, least squares with a confidence interval, and
 * Student's t distribution (see stats.h).
 *
 * The t CDF goes through the regularized incomplete beta function, evaluated
 * with Lentz's continued fraction; the quantile inverts the CDF by bisection,
 * which is slow compared with a closed form but exact to 1e-12 and called a
 * handful of times per run.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int stats_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
    double h;
    size_t lo;
    if (n == 0)
        return NAN;
    if (n == 1 || p <= 0)
        return sorted[0];
    if (p >= 100)
        return sorted[n - 1];
    h = (double)(n - 1) * p / 100.0;
    lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

int stats_median_ci_ranks(size_t n, double conf, size_t *l, size_t *u, double *coverage)
{
    double tail = (1.0 - conf) / 2.0, logp, cdf = 0, below = 0;
    size_t k;

    if (n == 0)
        return -1;
    /* cdf = P(B <= k), by the pmf recurrence in logs (0.5^n underflows). */
    logp = -(double)n * log(2.0);
    for (k = 0; k <= n / 2; k++) {
        cdf += exp(logp);
        if (cdf > tail)
            break;
        below = cdf;
        logp += log((double)(n - k) / (double)(k + 1));
    }
    /* P(B <= k - 1) = below <= tail: the lower rank is k (1-based). */
    if (k == 0)
        return -1;
    *l = k;
    *u = n + 1 - k;
    if (coverage != NULL)
        *coverage = 1.0 - 2.0 * below;
    return 0;
}

int stats_median_ci_sorted(const double *sorted, size_t n, double *lo, double *hi)
{
    size_t l, u;
    *lo = *hi = NAN;
    if (stats_median_ci_ranks(n, 0.95, &l, &u, NULL) < 0)
        return -1;
    *lo = sorted[l - 1];
    *hi = sorted[u - 1];
    return 0;
}

int stats_summarize(const double *values, size_t n, struct summary_stats *s)
{
    double *v, sum = 0, sq = 0;
    size_t i;

    memset(s, 0, sizeof(*s));
    if (n == 0) {
        s->mean = s->sd = s->min = s->p50 = s->p95 = s->p99 = s->max = NAN;
        s->p50_ci_low = s->p50_ci_high = NAN;
        return 0;
    }
    v = malloc(n * sizeof(*v));
    if (v == NULL)
        return -1;
    memcpy(v, values, n * sizeof(*v));
    qsort(v, n, sizeof(*v), stats_cmp_double);
    for (i = 0; i < n; i++)
        sum += v[i];
    s->count = n;
    s->mean = sum / (double)n;
    for (i = 0; i < n; i++)
        sq += (v[i] - s->mean) * (v[i] - s->mean);
    s->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0;
    s->min = v[0];
    s->max = v[n - 1];
    s->p50 = stats_percentile_sorted(v, n, 50);
    s->p95 = n >= STATS_MIN_N_P95 ? stats_percentile_sorted(v, n, 95) : NAN;
    s->p99 = n >= STATS_MIN_N_P99 ? stats_percentile_sorted(v, n, 99) : NAN;
    stats_median_ci_sorted(v, n, &s->p50_ci_low, &s->p50_ci_high);
    free(v);
    return 0;
}

/* Continued fraction for the incomplete beta function (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap, h;
    int m;

    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    h = d;
    for (m = 1; m <= 300; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2)), del;
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15)
            break;
    }
    return h;
}

static double beta_reg(double a, double b, double x)
{
    double front;
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
    if (x < (a + 1) / (a + b + 2))
        return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double stats_t_cdf(double t, double df)
{
    double x = df / (df + t * t);
    double tail = 0.5 * beta_reg(df / 2, 0.5, x);
    return t >= 0 ? 1 - tail : tail;
}

double stats_t_quantile(double p, double df)
{
    double lo = -1e6, hi = 1e6;
    int i;
    for (i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (stats_t_cdf(mid, df) < p)
            lo = mid;
        else
            hi = mid;
        if (hi - lo < 1e-12)
            break;
    }
    return (lo + hi) / 2;
}

int stats_linear_fit(const double *x, const double *y, size_t n, struct linear_fit *f)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, sse = 0;
    size_t i;

    memset(f, 0, sizeof(*f));
    f->n = n;
    if (n < 2)
        return -1;
    for (i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0)
        return -1;
    f->slope = sxy / sxx;
    f->intercept = my - f->slope * mx;
    for (i = 0; i < n; i++) {
        double r = y[i] - (f->intercept + f->slope * x[i]);
        sse += r * r;
    }
    f->r2 = syy > 0 ? 1 - sse / syy : 1;
    if (n > 2) {
        double tq = stats_t_quantile(0.975, (double)(n - 2));
        f->slope_se = sqrt(sse / (double)(n - 2) / sxx);
        f->ci95_low = f->slope - tq * f->slope_se;
        f->ci95_high = f->slope + tq * f->slope_se;
    } else {
        f->ci95_low = f->ci95_high = f->slope;
    }
    return 0;
}
