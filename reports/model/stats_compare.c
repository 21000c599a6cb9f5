/*
 * stats_compare.c - median, bootstrap and Mann-Whitney U (see stats_compare.h).
 *
 * The bootstrap computes each resample's median with quickselect (O(n)), so
 * 10 000 resamples of a few thousand containers stay well under a second.
 * Above SC_BOOT_DIRECT_MIN values a side is sorted once and each resample's
 * median is drawn directly (boot_median_sorted): O(1) per resample, the same
 * distribution, so 288 000 rows compare in about a second instead of minutes.
 */
#include "stats_compare.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sc_rng_seed(struct sc_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t sc_rng_next(struct sc_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

size_t sc_rng_below(struct sc_rng *r, size_t n)
{
    /* 53 random bits scaled: unbiased enough for n far below 2^53. */
    double u = (double)(sc_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    size_t i = (size_t)(u * (double)n);
    return i < n ? i : n - 1;
}

/* k-th smallest (0-based) of v[0..n), reordering v. */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* Median of v (reordered in place). */
static double median_inplace(double *v, size_t n)
{
    double hi, lo;
    size_t i;
    if (n == 0)
        return NAN;
    hi = select_kth(v, n, n / 2);
    if (n % 2 == 1)
        return hi;
    /* after selection every v[i < n/2] <= hi: the lower middle is their max */
    lo = v[0];
    for (i = 1; i < n / 2; i++)
        if (v[i] > lo)
            lo = v[i];
    return (lo + hi) / 2;
}

double sc_median(const double *x, size_t n, double *scratch)
{
    if (n == 0)
        return NAN;
    memcpy(scratch, x, n * sizeof(*x));
    return median_inplace(scratch, n);
}

double sc_quantile_sorted(const double *s, size_t n, double p)
{
    double k;
    size_t f;
    if (n == 0)
        return NAN;
    if (p <= 0)
        return s[0];
    if (p >= 1)
        return s[n - 1];
    k = p * (double)(n - 1);
    f = (size_t)floor(k);
    if (f + 1 >= n)
        return s[n - 1];
    return s[f] + (s[f + 1] - s[f]) * (k - (double)f);
}

/* ---- direct draws of a bootstrap resample's median ---- */

/* Uniform in (0, 1), never 0 or 1. */
static double unit_open(struct sc_rng *r)
{
    return ((double)(sc_rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double normal_draw(struct sc_rng *r)
{
    double u1 = unit_open(r), u2 = unit_open(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Gamma(a, 1) for a >= 1 (Marsaglia and Tsang, 2000). */
static double gamma_draw(struct sc_rng *r, double a)
{
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v, u;
        do {
            x = normal_draw(r);
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        u = unit_open(r);
        if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}

static size_t unit_index(double u, size_t n)
{
    size_t i = (size_t)(u * (double)n);
    return i < n ? i : n - 1;
}

/* The median of one bootstrap resample (n draws with replacement) of the
   sorted s[0..n), without drawing the resample: index floor(n U) of a
   uniform U is a uniform draw, so the resample's k-th smallest is
   s[floor(n U_(k))], U_(k) the k-th order statistic of n uniforms, which is
   Beta(k, n - k + 1); the next one is U_(k) plus the minimum of the n - k
   uniforms above it. */
static double boot_median_sorted(const double *s, size_t n, struct sc_rng *r)
{
    size_t k = (n + 1) / 2; /* 1-based: the median, or the lower middle */
    double x = gamma_draw(r, (double)k), y = gamma_draw(r, (double)(n - k + 1));
    double u = x / (x + y), lo = s[unit_index(u, n)], u2;
    if (n % 2 == 1)
        return lo;
    u2 = u + (1.0 - u) * (1.0 - pow(unit_open(r), 1.0 / (double)(n - k)));
    return (lo + s[unit_index(u2, n)]) / 2;
}

/* One resample's median of x[0..n): directly from `sorted` when given,
   else by drawing the resample into scratch. */
static double boot_median(const double *x, const double *sorted, size_t n, double *scratch,
                          struct sc_rng *r)
{
    size_t j;
    if (sorted != NULL)
        return boot_median_sorted(sorted, n, r);
    for (j = 0; j < n; j++)
        scratch[j] = x[sc_rng_below(r, n)];
    return median_inplace(scratch, n);
}

/* A sorted copy of x when n is above SC_BOOT_DIRECT_MIN, else NULL (and
   *fail stays 0). */
static double *sorted_copy(const double *x, size_t n, int *fail)
{
    double *s;
    if (n <= SC_BOOT_DIRECT_MIN)
        return NULL;
    s = malloc(n * sizeof(double));
    if (s == NULL) {
        *fail = 1;
        return NULL;
    }
    memcpy(s, x, n * sizeof(double));
    qsort(s, n, sizeof(double), stats_cmp_double);
    return s;
}

static double change(double ma, double mb, int relative)
{
    return relative ? (mb - ma) / ma : mb - ma;
}

int sc_bootstrap_median_change(const double *a, size_t na, const double *b, size_t nb,
                               int resamples, double alpha, int relative, uint64_t seed,
                               double *est, double *lo, double *hi)
{
    double *scratch = NULL, *diffs = NULL, *sa = NULL, *sb = NULL;
    double ma, mb;
    struct sc_rng rng;
    int i, kept = 0, rc = -1, fail = 0;

    if (na == 0 || nb == 0 || resamples < 1)
        return -1;
    scratch = malloc((na > nb ? na : nb) * sizeof(double));
    diffs = malloc((size_t)resamples * sizeof(double));
    sa = sorted_copy(a, na, &fail);
    sb = sorted_copy(b, nb, &fail);
    if (scratch == NULL || diffs == NULL || fail)
        goto out;
    ma = sc_median(a, na, scratch);
    mb = sc_median(b, nb, scratch);
    if (relative && ma == 0)
        goto out;
    *est = change(ma, mb, relative);
    sc_rng_seed(&rng, seed);
    for (i = 0; i < resamples; i++) {
        double ra = boot_median(a, sa, na, scratch, &rng);
        double rb = boot_median(b, sb, nb, scratch, &rng);
        if (relative && ra == 0)
            continue; /* undefined ratio for this draw */
        diffs[kept++] = change(ra, rb, relative);
    }
    if (kept == 0)
        goto out;
    qsort(diffs, (size_t)kept, sizeof(double), stats_cmp_double);
    *lo = sc_quantile_sorted(diffs, (size_t)kept, alpha / 2);
    *hi = sc_quantile_sorted(diffs, (size_t)kept, 1 - alpha / 2);
    rc = 0;
out:
    free(scratch);
    free(diffs);
    free(sa);
    free(sb);
    return rc;
}

struct tagged {
    double v;
    int from_a;
};

static int cmp_tagged(const void *x, const void *y)
{
    return stats_cmp_double(&((const struct tagged *)x)->v, &((const struct tagged *)y)->v);
}

int sc_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u, double *p)
{
    size_t n = na + nb, i, j;
    struct tagged *t;
    double ra = 0, tie = 0, mu, sigma2, z, u1, u2, umax;
    if (na == 0 || nb == 0)
        return -1;
    t = malloc(n * sizeof(*t));
    if (t == NULL)
        return -1;
    for (i = 0; i < na; i++) {
        t[i].v = a[i];
        t[i].from_a = 1;
    }
    for (i = 0; i < nb; i++) {
        t[na + i].v = b[i];
        t[na + i].from_a = 0;
    }
    qsort(t, n, sizeof(*t), cmp_tagged);
    for (i = 0; i < n; i = j) {
        double rank, cnt;
        size_t k;
        for (j = i + 1; j < n && t[j].v == t[i].v; j++)
            ;
        rank = ((double)(i + 1) + (double)j) / 2; /* average of ranks i+1..j */
        cnt = (double)(j - i);
        tie += cnt * cnt * cnt - cnt;
        for (k = i; k < j; k++)
            if (t[k].from_a)
                ra += rank;
    }
    free(t);
    u1 = ra - (double)na * (double)(na + 1) / 2;
    u2 = (double)na * (double)nb - u1;
    *u = u1;
    mu = (double)na * (double)nb / 2;
    sigma2 = (double)na * (double)nb / 12.0 *
             ((double)(n + 1) - tie / ((double)n * (double)(n - 1)));
    if (sigma2 <= 0) {
        *p = 1.0;
        return 0;
    }
    umax = u1 > u2 ? u1 : u2;
    z = (umax - mu - 0.5) / sqrt(sigma2);
    *p = erfc(z / sqrt(2.0)); /* 2 * (1 - Phi(z)) */
    if (*p > 1)
        *p = 1;
    return 0;
}

/* Number of arrangements of m a-values and n b-values with U = k, for all k
   in [0, m n], by the recurrence f(m, n, k) = f(m-1, n, k-n) + f(m, n-1, k)
   (the largest value is an a, adding n to U, or a b). Fills out[0..m*n]. */
static int u_counts(size_t m, size_t n, double *out)
{
    size_t cells = m * n + 1, i, j, k;
    /* prev[j][k] for i-1, cur[j][k] for i; j in [0, n] */
    double *prev = calloc((n + 1) * cells, sizeof(double));
    double *cur = calloc((n + 1) * cells, sizeof(double));
    if (prev == NULL || cur == NULL) {
        free(prev);
        free(cur);
        return -1;
    }
    for (j = 0; j <= n; j++)
        prev[j * cells + 0] = 1; /* i = 0: only U = 0 */
    for (i = 1; i <= m; i++) {
        memset(cur, 0, (n + 1) * cells * sizeof(double));
        cur[0] = 1; /* j = 0: only U = 0 */
        for (j = 1; j <= n; j++)
            for (k = 0; k <= i * j; k++) {
                double v = cur[(j - 1) * cells + k];
                if (k >= j)
                    v += prev[j * cells + k - j];
                cur[j * cells + k] = v;
            }
        memcpy(prev, cur, (n + 1) * cells * sizeof(double));
    }
    memcpy(out, prev + n * cells, cells * sizeof(double));
    free(prev);
    free(cur);
    return 0;
}

int sc_mann_whitney_exact(const double *a, size_t na, const double *b, size_t nb, double *u, double *p)
{
    size_t i, j, cells;
    double u1 = 0, total = 0, le = 0, ge = 0, *f;
    int k;
    if (na == 0 || nb == 0 || na * nb > SC_MWU_EXACT_MAX_CELLS)
        return -1;
    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++) {
            if (a[i] == b[j])
                return -1;
            u1 += a[i] > b[j];
        }
    for (i = 0; i < na; i++)
        for (j = i + 1; j < na; j++)
            if (a[i] == a[j])
                return -1;
    for (i = 0; i < nb; i++)
        for (j = i + 1; j < nb; j++)
            if (b[i] == b[j])
                return -1;
    cells = na * nb + 1;
    f = malloc(cells * sizeof(double));
    if (f == NULL || u_counts(na, nb, f) < 0) {
        free(f);
        return -1;
    }
    for (k = 0; k < (int)cells; k++) {
        total += f[k];
        if (k <= (int)u1)
            le += f[k];
        if (k >= (int)u1)
            ge += f[k];
    }
    free(f);
    *u = u1;
    *p = 2 * (le < ge ? le : ge) / total;
    if (*p > 1)
        *p = 1;
    return 0;
}

int sc_mann_whitney_auto(const double *a, size_t na, const double *b, size_t nb, double *u, double *p,
                         int *exact)
{
    *exact = 0;
    if (na < 8 && nb < 8 && sc_mann_whitney_exact(a, na, b, nb, u, p) == 0) {
        *exact = 1;
        return 0;
    }
    return sc_mann_whitney(a, na, b, nb, u, p);
}
