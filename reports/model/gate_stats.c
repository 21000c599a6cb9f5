/*
 * gate_stats.c - hierarchical bootstrap, TOST verdicts, variance per level
 * and e-divisive change points (see gate_stats.h).
 */
#include "gate_stats.h"
#include "stats.h"
#include "stats_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- estimates ---- */

static size_t max_group(const struct gs_group *g, size_t ng)
{
    size_t i, m = 0;
    for (i = 0; i < ng; i++)
        if (g[i].n > m)
            m = g[i].n;
    return m;
}

double gs_hier_estimate(const struct gs_group *g, size_t ng)
{
    double *scratch = malloc((max_group(g, ng) + 1) * sizeof(double)), sum = 0;
    size_t i, k = 0;
    if (scratch == NULL)
        return NAN;
    for (i = 0; i < ng; i++)
        if (g[i].n > 0) {
            sum += sc_median(g[i].v, g[i].n, scratch);
            k++;
        }
    free(scratch);
    return k ? sum / (double)k : NAN;
}

int gs_hier_bootstrap(const struct gs_group *g, size_t ng, int resamples, size_t inner_cap, uint64_t seed,
                      double *out)
{
    size_t i, j, k, nz = 0, *idx;
    double *scratch, *draw, *med;
    struct sc_rng rng;
    int b, rc = -1;

    idx = malloc((ng + 1) * sizeof(*idx));
    med = malloc((ng + 1) * sizeof(*med));
    scratch = malloc((max_group(g, ng) + 1) * sizeof(double));
    draw = malloc((max_group(g, ng) + 1) * sizeof(double));
    if (idx == NULL || med == NULL || scratch == NULL || draw == NULL)
        goto out;
    for (i = 0; i < ng; i++)
        if (g[i].n > 0) {
            med[nz] = sc_median(g[i].v, g[i].n, scratch);
            idx[nz++] = i;
        }
    if (nz == 0)
        goto out;
    sc_rng_seed(&rng, seed);
    for (b = 0; b < resamples; b++) {
        double sum = 0;
        for (k = 0; k < nz; k++) {
            size_t pick = sc_rng_below(&rng, nz);
            const struct gs_group *gr = &g[idx[pick]];
            if (gr->n > inner_cap) {
                sum += med[pick];
                continue;
            }
            for (j = 0; j < gr->n; j++)
                draw[j] = gr->v[sc_rng_below(&rng, gr->n)];
            sum += sc_median(draw, gr->n, scratch);
        }
        out[b] = sum / (double)nz;
    }
    rc = 0;
out:
    free(idx);
    free(med);
    free(scratch);
    free(draw);
    return rc;
}

void gs_levels(const struct gs_group *g, size_t ng, struct gs_levels *o)
{
    double *scratch = malloc((max_group(g, ng) + 1) * sizeof(double));
    double *meds = malloc((ng + 1) * sizeof(double));
    double ss_within = 0, df_within = 0, total_n = 0, mean = 0, ss = 0, var_between;
    size_t i, j, k = 0;

    memset(o, 0, sizeof(*o));
    o->estimate = o->sd_rep_medians = o->sd_within = o->sd_between = o->ctrs_per_rep = NAN;
    if (scratch == NULL || meds == NULL)
        goto out;
    for (i = 0; i < ng; i++) {
        double m = 0;
        if (g[i].n == 0)
            continue;
        meds[k++] = sc_median(g[i].v, g[i].n, scratch);
        for (j = 0; j < g[i].n; j++)
            m += g[i].v[j];
        m /= (double)g[i].n;
        for (j = 0; j < g[i].n; j++)
            ss_within += (g[i].v[j] - m) * (g[i].v[j] - m);
        df_within += (double)g[i].n - 1;
        total_n += (double)g[i].n;
    }
    o->reps = k;
    if (k == 0)
        goto out;
    o->ctrs_per_rep = total_n / (double)k;
    for (i = 0; i < k; i++)
        mean += meds[i];
    mean /= (double)k;
    o->estimate = mean;
    if (df_within > 0)
        o->sd_within = sqrt(ss_within / df_within);
    if (k >= 2) {
        for (i = 0; i < k; i++)
            ss += (meds[i] - mean) * (meds[i] - mean);
        o->sd_rep_medians = sqrt(ss / (double)(k - 1));
        var_between = ss / (double)(k - 1);
        if (!isnan(o->sd_within))
            var_between -= 1.5707963267948966 * o->sd_within * o->sd_within / o->ctrs_per_rep;
        o->sd_between = var_between > 0 ? sqrt(var_between) : 0;
    }
out:
    free(scratch);
    free(meds);
}

/* ---- verdicts ---- */

const char *gs_verdict_name(enum gs_verdict v)
{
    switch (v) {
    case GS_REGRESSION: return "regression";
    case GS_IMPROVEMENT: return "improvement";
    case GS_EQUIVALENT: return "equivalent";
    case GS_INCONCLUSIVE: return "inconclusive";
    default: return "skipped";
    }
}

void gs_decide(double d, double se, double df, size_t reps, const struct gs_opts *o, struct gs_result *r)
{
    double up = log1p(o->threshold), down = o->threshold < 1 ? log1p(-o->threshold) : -INFINITY;
    double t1, t2, margin, q;
    int beyond;

    double ac = o->alpha_change > 0 ? o->alpha_change : o->alpha;

    r->change = expm1(d);
    if (se == 0) {
        r->lo = r->hi = r->tost_lo = r->tost_hi = r->change;
        r->p = d == 0 ? 1 : 0;
    } else {
        t1 = stats_t_quantile(1 - ac / 2, df);
        t2 = stats_t_quantile(1 - o->alpha, df);
        r->lo = expm1(d - t1 * se);
        r->hi = expm1(d + t1 * se);
        r->tost_lo = expm1(d - t2 * se);
        r->tost_hi = expm1(d + t2 * se);
        r->p = 2 * (1 - stats_t_cdf(fabs(d) / se, df));
    }
    r->reps_more = 0;
    if (r->lo > 0 && d > up)
        r->verdict = GS_REGRESSION;
    else if (r->hi < 0 && d < down)
        r->verdict = GS_IMPROVEMENT;
    else if (r->tost_lo > -o->threshold && r->tost_hi < o->threshold)
        r->verdict = GS_EQUIVALENT;
    else
        r->verdict = GS_INCONCLUSIVE;
    if (r->verdict != GS_INCONCLUSIVE)
        return;
    /* Repetitions that would decide, if the SE shrinks as 1/sqrt(R): beyond
       the threshold the (1 - alpha) interval must leave 0; inside it, the
       (1 - 2 alpha) interval must fit between the thresholds. */
    beyond = d > up || d < down;
    margin = beyond ? fabs(d) : fmin(up - d, d - down);
    q = beyond ? 1 - ac / 2 : 1 - o->alpha;
    r->reps_more = -1;
    if (margin > 0 && reps > 0) {
        size_t want;
        for (want = reps + 1; want <= reps + 1000; want++) {
            double se2 = se * sqrt((double)reps / (double)want);
            double df2 = df + ((double)want - (double)reps) * df / fmax(1.0, (double)reps - 1);
            if (stats_t_quantile(q, df2) * se2 < margin) {
                r->reps_more = (int)(want - reps);
                break;
            }
        }
    }
}

static double var_of_logs(double *v, int n, int *nonpos)
{
    double m = 0, ss = 0;
    int i;
    for (i = 0; i < n; i++) {
        if (!(v[i] > 0)) {
            *nonpos = 1;
            return NAN;
        }
        v[i] = log(v[i]);
        m += v[i];
    }
    m /= n;
    for (i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    return ss / (n - 1);
}

int gs_compare(const struct gs_group *a, size_t na, const struct gs_group *b, size_t nb,
               const struct gs_opts *o, struct gs_result *r)
{
    struct gs_levels la, lb;
    double *ba = NULL, *bb = NULL, va, vb, se, df;
    int nonpos = 0, rc = -1;
    size_t reps;

    memset(r, 0, sizeof(*r));
    r->base = r->cur = r->change = r->lo = r->hi = r->tost_lo = r->tost_hi = NAN;
    r->se_log = r->df = r->p = NAN;
    r->verdict = GS_SKIPPED;
    gs_levels(a, na, &la);
    gs_levels(b, nb, &lb);
    r->base = la.estimate;
    r->cur = lb.estimate;
    if (la.reps == 0 || lb.reps == 0) {
        snprintf(r->note, sizeof(r->note), "no values in %s", la.reps == 0 ? "base" : "new");
        return 0;
    }
    if (!(r->base > 0) || !(r->cur > 0)) {
        snprintf(r->note, sizeof(r->note), "%s estimate is not positive: no relative change",
                 !(r->base > 0) ? "base" : "new");
        return 0;
    }
    r->change = r->cur / r->base - 1;
    if (la.reps < 2 || lb.reps < 2) {
        r->verdict = GS_INCONCLUSIVE;
        r->reps_more = 2;
        snprintf(r->note, sizeof(r->note), "%lu repetition(s) on one side: run-to-run variance unknown",
                 (unsigned long)(la.reps < lb.reps ? la.reps : lb.reps));
        return 0;
    }
    ba = malloc((size_t)o->resamples * sizeof(double));
    bb = malloc((size_t)o->resamples * sizeof(double));
    if (ba == NULL || bb == NULL)
        goto out;
    if (gs_hier_bootstrap(a, na, o->resamples, o->inner_cap, o->seed, ba) < 0 ||
        gs_hier_bootstrap(b, nb, o->resamples, o->inner_cap, o->seed ^ 0x9e3779b97f4a7c15ULL, bb) < 0)
        goto out;
    va = var_of_logs(ba, o->resamples, &nonpos) * (double)la.reps / (double)(la.reps - 1);
    vb = var_of_logs(bb, o->resamples, &nonpos) * (double)lb.reps / (double)(lb.reps - 1);
    if (nonpos) {
        snprintf(r->note, sizeof(r->note), "a resampled estimate is not positive: no relative change");
        r->verdict = GS_SKIPPED;
        rc = 0;
        goto out;
    }
    se = sqrt(va + vb);
    df = se > 0 ? (va + vb) * (va + vb) /
                      (va * va / (double)(la.reps - 1) + vb * vb / (double)(lb.reps - 1))
                : (double)(la.reps + lb.reps - 2);
    r->se_log = se;
    r->df = df;
    reps = la.reps < lb.reps ? la.reps : lb.reps;
    gs_decide(log(r->cur / r->base), se, df, reps, o, r);
    rc = 0;
out:
    free(ba);
    free(bb);
    return rc;
}

/* Median of a within-group resample of g. */
static double resampled_median(const struct gs_group *g, size_t inner_cap, struct sc_rng *rng, double *draw,
                               double *scratch)
{
    size_t j;
    if (g->n > inner_cap)
        return sc_median(g->v, g->n, scratch);
    for (j = 0; j < g->n; j++)
        draw[j] = g->v[sc_rng_below(rng, g->n)];
    return sc_median(draw, g->n, scratch);
}

int gs_compare_paired(const struct gs_group *a, const struct gs_group *b, size_t n, const struct gs_opts *o,
                      struct gs_result *r)
{
    size_t i, k, np = 0, big = 0, *idx = NULL;
    double *lr = NULL, *draw = NULL, *scratch = NULL, sum = 0, m = 0, ss = 0, var, se, df, vpass[2];
    double sum_a = 0, sum_b = 0;
    struct sc_rng rng;
    int bi, pass, rc = -1;

    memset(r, 0, sizeof(*r));
    r->base = r->cur = r->change = r->lo = r->hi = r->tost_lo = r->tost_hi = NAN;
    r->se_log = r->df = r->p = NAN;
    r->verdict = GS_SKIPPED;
    for (i = 0; i < n; i++) {
        if (a[i].n > big)
            big = a[i].n;
        if (b[i].n > big)
            big = b[i].n;
    }
    idx = malloc((n + 1) * sizeof(*idx));
    lr = malloc(((size_t)o->resamples + n + 1) * sizeof(double));
    draw = malloc((big + 1) * sizeof(double));
    scratch = malloc((big + 1) * sizeof(double));
    if (idx == NULL || lr == NULL || draw == NULL || scratch == NULL)
        goto out;
    for (i = 0; i < n; i++) {
        double ma, mb;
        if (a[i].n == 0 || b[i].n == 0)
            continue;
        ma = sc_median(a[i].v, a[i].n, scratch);
        mb = sc_median(b[i].v, b[i].n, scratch);
        sum_a += ma;
        sum_b += mb;
        if (!(ma > 0) || !(mb > 0)) {
            snprintf(r->note, sizeof(r->note), "a repetition median is not positive: no relative change");
            r->base = sum_a;
            rc = 0;
            goto out;
        }
        sum += log(mb / ma);
        idx[np++] = i;
    }
    if (np == 0) {
        snprintf(r->note, sizeof(r->note), "no pair with values on both sides");
        rc = 0;
        goto out;
    }
    r->base = sum_a / (double)np;
    r->cur = sum_b / (double)np;
    r->change = expm1(sum / (double)np);
    if (np < 2) {
        r->verdict = GS_INCONCLUSIVE;
        r->reps_more = 2;
        snprintf(r->note, sizeof(r->note), "1 pair: run-to-run variance unknown");
        rc = 0;
        goto out;
    }
    /* Two passes: pairs then containers (the hierarchical bootstrap), and
       containers only with every pair kept (the container level alone).
       The pairs' spread already contains the container noise of their
       medians, so the first pass counts it twice; the second pass measures
       it, and is the floor (Davison & Hinkley 1997, 3.8). */
    for (pass = 0; pass < 2; pass++) {
        sc_rng_seed(&rng, o->seed + (uint64_t)pass);
        for (bi = 0; bi < o->resamples; bi++) {
            double t = 0;
            for (k = 0; k < np; k++) {
                size_t p = idx[pass == 0 ? sc_rng_below(&rng, np) : k];
                double ma = resampled_median(&a[p], o->inner_cap, &rng, draw, scratch);
                double mb = resampled_median(&b[p], o->inner_cap, &rng, draw, scratch);
                t += log(mb / ma);
            }
            lr[bi] = t / (double)np;
        }
        m = 0;
        ss = 0;
        for (bi = 0; bi < o->resamples; bi++)
            m += lr[bi];
        m /= o->resamples;
        for (bi = 0; bi < o->resamples; bi++)
            ss += (lr[bi] - m) * (lr[bi] - m);
        vpass[pass] = ss / (o->resamples - 1);
    }
    var = vpass[0] * (double)np / (double)(np - 1) - vpass[1];
    if (var < vpass[1])
        var = vpass[1];
    se = sqrt(var);
    df = (double)np - 1;
    r->se_log = se;
    r->df = df;
    snprintf(r->note, sizeof(r->note), "paired (ABBA), %lu pairs", (unsigned long)np);
    gs_decide(sum / (double)np, se, df, np, o, r);
    rc = 0;
out:
    free(idx);
    free(lr);
    free(draw);
    free(scratch);
    return rc;
}

/* ---- e-divisive means ---- */

/* Best split of x[s, e) by the divergence statistic Q with kappa = e
   (alpha = 1); returns the split index (-1 if none) and *q. O(n^2). */
static long best_split_to_end(const double *x, size_t s, size_t e, size_t min_size, double *q)
{
    size_t tau, i, n = e - s;
    double wl = 0, wr = 0, total = 0, best = -INFINITY;
    long at = -1;

    *q = -INFINITY;
    if (n < 2 * min_size)
        return -1;
    for (i = s; i < e; i++) {
        size_t j;
        for (j = i + 1; j < e; j++)
            total += fabs(x[i] - x[j]);
    }
    wr = total;
    for (tau = s; tau < e; tau++) {
        /* [s, tau) left, [tau, e) right */
        if (tau > s) {
            /* move x[tau-1] from right to left */
            size_t k = tau - 1;
            double to_left = 0, to_right = 0;
            for (i = s; i < k; i++)
                to_left += fabs(x[k] - x[i]);
            for (i = k + 1; i < e; i++)
                to_right += fabs(x[k] - x[i]);
            wl += to_left;
            wr -= to_right;
        }
        {
            double m = (double)(tau - s), r = (double)(e - tau), between, stat;
            if (tau - s < min_size || e - tau < min_size)
                continue;
            between = total - wl - wr;
            stat = 2 * between / (m * r);
            if (m >= 2)
                stat -= wl / (m * (m - 1) / 2);
            if (r >= 2)
                stat -= wr / (r * (r - 1) / 2);
            stat *= m * r / (m + r);
            if (stat > best) {
                best = stat;
                at = (long)tau;
            }
        }
    }
    *q = best;
    return at;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Segment bounds from the sorted change points: b[0] = 0, ..., b[k+1] = n. */
static size_t bounds(const size_t *cps, int k, size_t n, size_t *b)
{
    int i;
    b[0] = 0;
    for (i = 0; i < k; i++)
        b[i + 1] = cps[i];
    b[k + 1] = n;
    return (size_t)k + 2;
}

/* Best split tau of x[s, e), the right part ending at any kappa <= e
   (Matteson & James maximize over both). O(n^3), fine for run histories. */
static long best_split(const double *x, size_t s, size_t e, size_t min_size, double *q)
{
    size_t kappa;
    long at = -1;
    *q = -INFINITY;
    for (kappa = s + 2 * min_size; kappa <= e; kappa++) {
        double qk;
        long t = best_split_to_end(x, s, kappa, min_size, &qk);
        if (t >= 0 && qk > *q) {
            *q = qk;
            at = t;
        }
    }
    return at;
}

/* Largest Q over all segments of y given by bounds b[0..nb). */
static double best_over(const double *y, const size_t *b, size_t nb, size_t min_size, long *at)
{
    size_t i;
    double best = -INFINITY;
    *at = -1;
    for (i = 0; i + 1 < nb; i++) {
        double q;
        long t = best_split(y, b[i], b[i + 1], min_size, &q);
        if (t >= 0 && q > best) {
            best = q;
            *at = t;
        }
    }
    return best;
}

int gs_edivisive(const double *x, size_t n, size_t min_size, double sig_level, int permutations,
                 uint64_t seed, size_t *cps, double *pvals, int max_cp)
{
    size_t *b = malloc(((size_t)max_cp + 2) * sizeof(size_t)), nb, i;
    size_t *sorted = malloc(((size_t)max_cp + 1) * sizeof(size_t));
    double *y = malloc((n + 1) * sizeof(double));
    struct sc_rng rng;
    int k = 0, rc = -1;

    if (b == NULL || y == NULL || sorted == NULL)
        goto out;
    if (min_size < 2)
        min_size = 2;
    sc_rng_seed(&rng, seed);
    while (k < max_cp) {
        long at, pat;
        double q, p;
        int perm, hits = 0;
        nb = bounds(sorted, k, n, b);
        q = best_over(x, b, nb, min_size, &at);
        if (at < 0)
            break;
        /* permutation test: shuffle within each current segment */
        for (perm = 0; perm < permutations; perm++) {
            memcpy(y, x, n * sizeof(double));
            for (i = 0; i + 1 < nb; i++) {
                size_t s = b[i], len = b[i + 1] - b[i], j;
                for (j = len; j > 1; j--) {
                    size_t r = sc_rng_below(&rng, j);
                    double t = y[s + j - 1];
                    y[s + j - 1] = y[s + r];
                    y[s + r] = t;
                }
            }
            if (best_over(y, b, nb, min_size, &pat) >= q)
                hits++;
        }
        p = (double)(hits + 1) / (double)(permutations + 1);
        if (p >= sig_level)
            break;
        cps[k] = (size_t)at;
        pvals[k] = p;
        sorted[k] = (size_t)at;
        k++;
        qsort(sorted, (size_t)k, sizeof(size_t), cmp_size);
    }
    /* report ascending, p-values alongside */
    for (i = 1; i < (size_t)k; i++) {
        size_t j = i;
        while (j > 0 && cps[j - 1] > cps[j]) {
            size_t tc = cps[j];
            double tp = pvals[j];
            cps[j] = cps[j - 1];
            pvals[j] = pvals[j - 1];
            cps[j - 1] = tc;
            pvals[j - 1] = tp;
            j--;
        }
    }
    rc = k;
out:
    free(b);
    free(sorted);
    free(y);
    return rc;
}
