/*
 * memfit.c - linear, quadratic and power-law fits of memory against
 * containers, chosen by AICc, with prediction intervals (see memfit.h).
 *
 * Fleet sizes are scaled to u = n / xmax inside the fits so that the normal
 * equations stay well conditioned (n^2 reaches 1e9 on a full host); the
 * parameters are kept in scaled form and every function here takes n.
 */
#include "memfit.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PW_BMIN 0.5
#define PW_BMAX 3.0

const char *memfit_model_name(enum memfit_model m)
{
    switch (m) {
    case MF_LINEAR: return "linear";
    case MF_QUADRATIC: return "quadratic";
    case MF_POWER: return "power law";
    default: return "?";
    }
}

/* Invert the symmetric positive matrix a (k x k, k <= 3) into inv by
   Gauss-Jordan with partial pivoting, on the matrix scaled to a unit
   diagonal (the columns of a power law's Jacobian differ by 10^7). Returns
   -1 when it is singular. */
static int invert(double a[3][3], int k, double inv[3][3])
{
    double m[3][6], d[3];
    int i, j, r, c;
    for (i = 0; i < k; i++) {
        if (!(a[i][i] > 0))
            return -1;
        d[i] = sqrt(a[i][i]);
    }
    for (i = 0; i < k; i++)
        for (j = 0; j < k; j++) {
            m[i][j] = a[i][j] / (d[i] * d[j]);
            m[i][k + j] = i == j ? 1 : 0;
        }
    for (c = 0; c < k; c++) {
        int piv = c;
        double pv;
        for (r = c + 1; r < k; r++)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        if (!(fabs(m[piv][c]) > 1e-13))
            return -1;
        if (piv != c)
            for (j = 0; j < 2 * k; j++) {
                double t = m[c][j];
                m[c][j] = m[piv][j];
                m[piv][j] = t;
            }
        pv = m[c][c];
        for (j = 0; j < 2 * k; j++)
            m[c][j] /= pv;
        for (r = 0; r < k; r++) {
            double fct = m[r][c];
            if (r == c || fct == 0)
                continue;
            for (j = 0; j < 2 * k; j++)
                m[r][j] -= fct * m[c][j];
        }
    }
    for (i = 0; i < k; i++)
        for (j = 0; j < k; j++)
            inv[i][j] = m[i][k + j] / (d[i] * d[j]);
    return 0;
}

/* The model's basis at u for the linear-in-parameters part: g[0..np-1].
   For the power law, b is fixed here (p[2]). */
static void basis(int k, double b, double u, double g[3])
{
    g[0] = 1;
    if (k == MF_POWER) {
        g[1] = pow(u, b);
        g[2] = 0;
    } else {
        g[1] = u;
        g[2] = u * u;
    }
}

/* Least squares on the linear part (np_lin = 2 or 3 basis functions).
   Writes the coefficients and the RSS. Returns -1 when singular. */
static int lin_ls(int k, double b, int np_lin, const double *u, const double *y, size_t n,
                  double coef[3], double *rss)
{
    double ata[3][3] = { { 0 } }, aty[3] = { 0 }, inv[3][3];
    size_t i;
    int r, c;
    for (i = 0; i < n; i++) {
        double g[3];
        basis(k, b, u[i], g);
        for (r = 0; r < np_lin; r++) {
            aty[r] += g[r] * y[i];
            for (c = 0; c < np_lin; c++)
                ata[r][c] += g[r] * g[c];
        }
    }
    if (invert(ata, np_lin, inv) < 0)
        return -1;
    for (r = 0; r < 3; r++) {
        coef[r] = 0;
        for (c = 0; c < np_lin && r < np_lin; c++)
            coef[r] += inv[r][c] * aty[c];
    }
    *rss = 0;
    for (i = 0; i < n; i++) {
        double g[3], yh = 0;
        basis(k, b, u[i], g);
        for (r = 0; r < np_lin; r++)
            yh += coef[r] * g[r];
        *rss += (y[i] - yh) * (y[i] - yh);
    }
    return 0;
}

/* Gradient of the curve with respect to its parameters at u. */
static void gradient(int k, const double p[3], double u, double g[3])
{
    if (k == MF_POWER) {
        double ub = pow(u, p[2]);
        g[0] = 1;
        g[1] = ub;
        g[2] = u > 0 ? p[1] * ub * log(u) : 0;
    } else {
        basis(k, 0, u, g);
    }
}

static double curve(int k, const double p[3], double u)
{
    switch (k) {
    case MF_LINEAR: return p[0] + p[1] * u;
    case MF_QUADRATIC: return p[0] + p[1] * u + p[2] * u * u;
    default: return p[0] + p[1] * pow(u, p[2]);
    }
}

/* Covariance s^2 (J'J)^-1 from the Jacobian at the data. */
static int covariance(struct memfit_one *o, int k, const double *u, size_t n)
{
    double jtj[3][3] = { { 0 } };
    size_t i;
    int r, c;
    for (i = 0; i < n; i++) {
        double g[3];
        gradient(k, o->p, u[i], g);
        for (r = 0; r < o->np; r++)
            for (c = 0; c < o->np; c++)
                jtj[r][c] += g[r] * g[c];
    }
    if (invert(jtj, o->np, o->cov) < 0)
        return -1;
    for (r = 0; r < o->np; r++)
        for (c = 0; c < o->np; c++)
            o->cov[r][c] *= o->s2;
    return 0;
}

/* Power law: search b on a grid, then refine by golden section. */
static int fit_power(const double *u, const double *y, size_t n, struct memfit_one *o)
{
    double best = INFINITY, bb = NAN, coef[3], rss, lo, hi;
    double b;
    int it;
    for (b = PW_BMIN; b <= PW_BMAX + 1e-9; b += 0.05)
        if (lin_ls(MF_POWER, b, 2, u, y, n, coef, &rss) == 0 && rss < best) {
            best = rss;
            bb = b;
        }
    if (isnan(bb))
        return -1;
    lo = fmax(PW_BMIN, bb - 0.05);
    hi = fmin(PW_BMAX, bb + 0.05);
    for (it = 0; it < 40; it++) {
        double m1 = hi - (hi - lo) * 0.6180339887, m2 = lo + (hi - lo) * 0.6180339887, r1, r2;
        if (lin_ls(MF_POWER, m1, 2, u, y, n, coef, &r1) < 0 ||
            lin_ls(MF_POWER, m2, 2, u, y, n, coef, &r2) < 0)
            break;
        if (r1 < r2)
            hi = m2;
        else
            lo = m1;
    }
    b = (lo + hi) / 2;
    if (lin_ls(MF_POWER, b, 2, u, y, n, coef, &rss) < 0 || rss > best) {
        b = bb;
        lin_ls(MF_POWER, b, 2, u, y, n, coef, &rss);
    }
    o->p[0] = coef[0];
    o->p[1] = coef[1];
    o->p[2] = b;
    o->rss = rss;
    return 0;
}

int memfit_fit(const double *x, const double *y, size_t n, struct memfit *f)
{
    double u[4096];
    size_t i, nd = 0;
    int k, best = -1;
    memset(f, 0, sizeof(*f));
    f->chosen = -1;
    f->t95 = NAN;
    for (k = 0; k < MF_NMODELS; k++)
        f->m[k].aicc = NAN;
    if (n > sizeof(u) / sizeof(u[0]))
        n = sizeof(u) / sizeof(u[0]);
    f->n = n;
    for (i = 0; i < n; i++)
        f->xmax = fmax(f->xmax, x[i]);
    for (i = 0; i < n; i++) {
        size_t j;
        int seen = 0;
        for (j = 0; j < i; j++)
            if (x[j] == x[i])
                seen = 1;
        nd += !seen;
    }
    if (nd < 2 || !(f->xmax > 0))
        return -1;
    for (i = 0; i < n; i++)
        u[i] = x[i] / f->xmax;
    for (k = 0; k < MF_NMODELS; k++) {
        struct memfit_one *o = &f->m[k];
        double coef[3];
        o->np = k == MF_LINEAR ? 2 : 3;
        if (nd < (size_t)o->np) {
            snprintf(o->why, sizeof(o->why), "needs %d fleet sizes", o->np);
            continue;
        }
        if (k == MF_POWER) {
            if (fit_power(u, y, n, o) < 0)
                continue;
        } else {
            if (lin_ls(k, 0, o->np, u, y, n, coef, &o->rss) < 0)
                continue;
            memcpy(o->p, coef, sizeof(coef));
            if (k == MF_LINEAR)
                o->p[2] = 0;
        }
        o->ok = 1;
        o->s2 = n > (size_t)o->np ? o->rss / (double)(n - (size_t)o->np) : NAN;
        if (isnan(o->s2) || covariance(o, k, u, n) < 0)
            memset(o->cov, 0, sizeof(o->cov));
        /* AICc: K = np + 1 (the noise variance), needs n > K + 1 */
        if (n > (size_t)o->np + 2) {
            double kk = o->np + 1, nn = (double)n;
            o->aicc = nn * log(fmax(o->rss, 1e-300) / nn) + 2 * kk + 2 * kk * (kk + 1) / (nn - kk - 1);
        } else {
            snprintf(o->why, sizeof(o->why), "needs %d points for AICc", o->np + 3);
        }
        if (k == MF_LINEAR && !(o->p[1] > 0))
            snprintf(o->why, sizeof(o->why), "not increasing");
        else if (k == MF_QUADRATIC && !(o->p[2] >= 0 && o->p[1] + 2 * o->p[2] > 0))
            snprintf(o->why, sizeof(o->why), "curvature %s: turns down when extrapolated",
                     o->p[2] < 0 ? "negative" : "not increasing");
        else if (k == MF_POWER && !(o->p[1] > 0))
            snprintf(o->why, sizeof(o->why), "not increasing");
        o->candidate = !isnan(o->aicc) && o->why[0] == '\0';
        if (o->candidate && (best < 0 || o->aicc < f->m[best].aicc))
            best = k;
    }
    f->scored = best >= 0;
    if (best < 0 && f->m[MF_LINEAR].ok && n > 2 && f->m[MF_LINEAR].p[1] > 0)
        best = MF_LINEAR;
    f->chosen = best;
    if (best >= 0 && n > (size_t)f->m[best].np)
        f->t95 = stats_t_quantile(0.975, (double)(n - (size_t)f->m[best].np));
    return 0;
}

/* t(0.975) for model k's residual degrees of freedom, NAN without any. */
static double n_t95(const struct memfit *f, int k)
{
    size_t np = (size_t)f->m[k].np;
    return f->n > np ? stats_t_quantile(0.975, (double)(f->n - np)) : NAN;
}

double memfit_predict(const struct memfit *f, int k, double x, double *half_pi)
{
    const struct memfit_one *o = &f->m[k];
    double u = x / f->xmax, g[3], v = o->s2, t;
    int r, c;
    if (half_pi != NULL) {
        gradient(k, o->p, u, g);
        for (r = 0; r < o->np; r++)
            for (c = 0; c < o->np; c++)
                v += g[r] * o->cov[r][c] * g[c];
        t = n_t95(f, k);
        *half_pi = isnan(o->s2) ? NAN : t * sqrt(fmax(v, 0));
    }
    return curve(k, o->p, u);
}

/* sign = 0: the curve, +1: its upper prediction band, -1: its lower band. */
static double band(const struct memfit *f, int k, double x, int sign)
{
    double h = 0, y = memfit_predict(f, k, x, sign ? &h : NULL);
    if (sign && isnan(h))
        return sign > 0 ? INFINITY : -INFINITY;
    return y + sign * h;
}

/* Largest integer n in [0, limit] with band(n) <= avail: the first crossing
   found by doubling, refined by bisection. INFINITY when none below limit. */
static double crossing(const struct memfit *f, int k, double avail, double limit, int sign)
{
    double lo = 0, hi = 1;
    int it;
    if (band(f, k, 0, sign) > avail)
        return 0;
    while (band(f, k, hi, sign) <= avail) {
        lo = hi;
        hi *= 2;
        if (hi > limit)
            return INFINITY;
    }
    for (it = 0; it < 200 && hi - lo > 0.5; it++) {
        double mid = (lo + hi) / 2;
        if (band(f, k, mid, sign) <= avail)
            lo = mid;
        else
            hi = mid;
    }
    return floor(lo);
}

int memfit_solve(const struct memfit *f, int k, double avail, double limit_n, double *expected,
                 double *low, double *high)
{
    if (k < 0 || k >= MF_NMODELS || !f->m[k].ok)
        return -1;
    *expected = crossing(f, k, avail, limit_n, 0);
    *low = crossing(f, k, avail, limit_n, +1);
    *high = crossing(f, k, avail, limit_n, -1);
    return 0;
}

double memfit_marginal(const struct memfit *f, int k, double x)
{
    const double *p = f->m[k].p;
    double u = x / f->xmax;
    switch (k) {
    case MF_LINEAR: return p[1] / f->xmax;
    case MF_QUADRATIC: return (p[1] + 2 * p[2] * u) / f->xmax;
    default: return u > 0 ? p[1] * p[2] * pow(u, p[2] - 1) / f->xmax : NAN;
    }
}
