/*
 * test_gate_stats.c - the gate's statistics against independently computed
 * values: TOST and CI bounds from tabulated Student t quantiles, variance
 * components and the hierarchical bootstrap on synthetic data whose
 * variances are known, the A/A false-regression rate of gs_compare on
 * simulated runs, and e-divisive on series with known change points
 * (including a brute-force check of the split statistic).
 */
#include "gate_stats.h"
#include "stats_compare.h"
#include "support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double normal(struct sc_rng *r)
{
    double u1 = ((double)(sc_rng_next(r) >> 11) + 1) / 9007199254740993.0;
    double u2 = (double)(sc_rng_next(r) >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * 3.141592653589793 * u2);
}

/* R groups of n values: mu + N(0, sb) per group + N(0, sw) per value. */
static void synth(double *v, struct gs_group *g, size_t R, size_t n, double mu, double sb, double sw,
                  struct sc_rng *rng)
{
    size_t i, j;
    for (i = 0; i < R; i++) {
        double b = sb * normal(rng);
        g[i].v = &v[i * n];
        g[i].n = n;
        for (j = 0; j < n; j++)
            v[i * n + j] = mu + b + sw * normal(rng);
    }
}

Test(gate_stats, tost_and_ci_bounds_from_tabulated_t)
{
    struct gs_opts o = { .alpha = 0.05, .threshold = 0.05 };
    struct gs_result r;
    double d = log(1.10);
    /* t(0.975, 10) = 2.228139, t(0.95, 10) = 1.812461 (tables) */
    memset(&r, 0, sizeof(r));
    gs_decide(d, 0.02, 10, 6, &o, &r);
    cr_assert_float_eq(r.lo, exp(d - 2.228139 * 0.02) - 1, 1e-5);
    cr_assert_float_eq(r.hi, exp(d + 2.228139 * 0.02) - 1, 1e-5);
    cr_assert_float_eq(r.tost_lo, exp(d - 1.812461 * 0.02) - 1, 1e-5);
    cr_assert_float_eq(r.tost_hi, exp(d + 1.812461 * 0.02) - 1, 1e-5);
    cr_assert_eq(r.verdict, GS_REGRESSION);
    /* t(0.95, 20) = 1.724718: 90 % CI of +1 % +- 1.72 % lies in +-5 % */
    gs_decide(0.01, 0.01, 20, 11, &o, &r);
    cr_assert_float_eq(r.tost_lo, exp(0.01 - 1.724718 * 0.01) - 1, 1e-5);
    cr_assert_float_eq(r.tost_hi, exp(0.01 + 1.724718 * 0.01) - 1, 1e-5);
    cr_assert_eq(r.verdict, GS_EQUIVALENT);
    /* +8 %, SE 4 %, df 5 (t 2.570582): CI reaches below 0, TOST reaches past
       5 %: inconclusive, and more repetitions are asked for */
    gs_decide(log(1.08), 0.04, 5, 3, &o, &r);
    cr_assert_float_eq(r.lo, exp(log(1.08) - 2.570582 * 0.04) - 1, 1e-5);
    cr_assert_eq(r.verdict, GS_INCONCLUSIVE);
    cr_assert_gt(r.reps_more, 0);
    /* two-sided p from t: |t| = 2.228139 with df 10 gives 0.05 */
    gs_decide(2.228139 * 0.02, 0.02, 10, 6, &o, &r);
    cr_assert_float_eq(r.p, 0.05, 1e-5);
    /* -20 % with a tight CI: improvement */
    gs_decide(log(0.8), 0.02, 10, 6, &o, &r);
    cr_assert_eq(r.verdict, GS_IMPROVEMENT);
}

Test(gate_stats, variance_components_recovered)
{
    /* sd between repetitions 1, within 2, 30 values per repetition */
    size_t R = 400, n = 30;
    double *v = malloc(R * n * sizeof(double));
    struct gs_group *g = malloc(R * sizeof(*g));
    struct gs_levels l;
    struct sc_rng rng;
    sc_rng_seed(&rng, 42);
    synth(v, g, R, n, 100, 1.0, 2.0, &rng);
    gs_levels(g, R, &l);
    cr_assert_eq(l.reps, R);
    cr_assert_float_eq(l.ctrs_per_rep, 30, 1e-9);
    cr_assert_float_eq(l.estimate, 100, 0.2);
    cr_assert_float_eq(l.sd_within, 2.0, 0.05);
    cr_assert_float_eq(l.sd_between, 1.0, 0.15, "sd between %g", l.sd_between);
    free(v);
    free(g);
}

Test(gate_stats, hierarchical_bootstrap_matches_known_variance)
{
    /* Var(mean of R medians) = (sb^2 + (pi/2) sw^2 / n) / R for normal data */
    size_t R = 200, n = 30;
    double *v = malloc(R * n * sizeof(double)), *out = malloc(4000 * sizeof(double)), m = 0, ss = 0, expect;
    struct gs_group *g = malloc(R * sizeof(*g));
    struct sc_rng rng;
    int i;
    sc_rng_seed(&rng, 7);
    synth(v, g, R, n, 50, 1.0, 2.0, &rng);
    cr_assert_eq(gs_hier_bootstrap(g, R, 4000, 100000, 9, out), 0);
    for (i = 0; i < 4000; i++)
        m += out[i];
    m /= 4000;
    for (i = 0; i < 4000; i++)
        ss += (out[i] - m) * (out[i] - m);
    expect = sqrt((1.0 + 1.5707963 * 4.0 / 30) / 200);
    cr_assert_float_eq(sqrt(ss / 3999), expect, 0.15 * expect, "bootstrap sd %g, expected %g", sqrt(ss / 3999),
                       expect);
    cr_assert_float_eq(m, gs_hier_estimate(g, R), 0.05);
    free(v);
    free(g);
    free(out);
}

Test(gate_stats, aa_false_regressions_rare_and_shift_found)
{
    /* 200 simulated A/A comparisons, 6 repetitions of 16 values each side,
       repetition sd 5 %, container sd 20 %, threshold 10 %: the test is
       calibrated for regressions at alpha/2 one-sided, and the threshold
       removes most of those. A 30 % shift is found nearly always. */
    struct gs_opts o = { .alpha = 0.05, .threshold = 0.10, .resamples = 400, .inner_cap = 1000, .seed = 5 };
    double va[96], vb[96];
    struct gs_group ga[6], gb[6];
    struct gs_result r;
    struct sc_rng rng;
    int t, false_reg = 0, found = 0;
    sc_rng_seed(&rng, 11);
    for (t = 0; t < 200; t++) {
        synth(va, ga, 6, 16, 10, 0.5, 2.0, &rng);
        synth(vb, gb, 6, 16, 10, 0.5, 2.0, &rng);
        cr_assert_eq(gs_compare(ga, 6, gb, 6, &o, &r), 0);
        false_reg += r.verdict == GS_REGRESSION;
        synth(vb, gb, 6, 16, 13, 0.5, 2.0, &rng);
        cr_assert_eq(gs_compare(ga, 6, gb, 6, &o, &r), 0);
        found += r.verdict == GS_REGRESSION;
    }
    cr_assert_leq(false_reg, 5, "%d false regressions in 200", false_reg);
    cr_assert_geq(found, 180, "30 %% shift found %d times in 200", found);
}

Test(gate_stats, paired_cancels_common_drift)
{
    /* Each pair shares a large drift (sd 30 %): unpaired cannot see a 20 %
       shift, paired can. */
    struct gs_opts o = { .alpha = 0.05, .threshold = 0.10, .resamples = 1000, .inner_cap = 1000, .seed = 5 };
    double va[8 * 16], vb[8 * 16];
    struct gs_group ga[8], gb[8];
    struct gs_result rp, ru;
    struct sc_rng rng;
    int i, j;
    sc_rng_seed(&rng, 3);
    for (i = 0; i < 8; i++) {
        double drift = 1 + 0.3 * normal(&rng);
        ga[i].v = &va[i * 16];
        gb[i].v = &vb[i * 16];
        ga[i].n = gb[i].n = 16;
        for (j = 0; j < 16; j++) {
            va[i * 16 + j] = 10 * fabs(drift) * (1 + 0.05 * normal(&rng));
            vb[i * 16 + j] = 12 * fabs(drift) * (1 + 0.05 * normal(&rng));
        }
    }
    cr_assert_eq(gs_compare_paired(ga, gb, 8, &o, &rp), 0);
    cr_assert_eq(gs_compare(ga, 8, gb, 8, &o, &ru), 0);
    cr_assert_eq(rp.verdict, GS_REGRESSION, "paired %s [%g, %g]", gs_verdict_name(rp.verdict), rp.lo, rp.hi);
    cr_assert_float_eq(rp.change, 0.2, 0.03);
    cr_assert_eq(rp.df, 7);
    cr_assert_neq(ru.verdict, GS_REGRESSION);
}

/* The divergence statistic of splitting x[0, n) at tau, computed directly
   from its definition (Matteson & James 2014, alpha = 1). */
static double q_direct(const double *x, size_t n, size_t tau)
{
    double m = (double)tau, k = (double)(n - tau), b = 0, wl = 0, wr = 0;
    size_t i, j;
    for (i = 0; i < tau; i++)
        for (j = tau; j < n; j++)
            b += fabs(x[i] - x[j]);
    for (i = 0; i < tau; i++)
        for (j = i + 1; j < tau; j++)
            wl += fabs(x[i] - x[j]);
    for (i = tau; i < n; i++)
        for (j = i + 1; j < n; j++)
            wr += fabs(x[i] - x[j]);
    return m * k / (m + k) * (2 * b / (m * k) - wl / (m * (m - 1) / 2) - wr / (k * (k - 1) / 2));
}

Test(gate_stats, edivisive_known_change_points)
{
    double x[60], p[4];
    size_t cps[4], i, best = 0;
    struct sc_rng rng;
    double bq = -1;
    int k;
    sc_rng_seed(&rng, 1);
    /* one step: 30 at 0, 30 at +5 sd */
    for (i = 0; i < 60; i++)
        x[i] = (i < 30 ? 0 : 5) + normal(&rng);
    k = gs_edivisive(x, 60, 3, 0.05, 199, 1, cps, p, 4);
    cr_assert_eq(k, 1, "%d change points", k);
    cr_assert_eq(cps[0], 30);
    cr_assert_lt(p[0], 0.05);
    /* the split found is the one maximizing the statistic by brute force */
    for (i = 3; i <= 57; i++)
        if (q_direct(x, 60, i) > bq) {
            bq = q_direct(x, 60, i);
            best = i;
        }
    cr_assert_eq(best, 30);
    /* two steps: 0, 3, 0 */
    for (i = 0; i < 60; i++)
        x[i] = (i >= 20 && i < 40 ? 3 : 0) + 0.5 * normal(&rng);
    k = gs_edivisive(x, 60, 3, 0.05, 199, 2, cps, p, 4);
    cr_assert_eq(k, 2, "%d change points", k);
    cr_assert_eq(cps[0], 20, "at %zu, %zu", cps[0], cps[1]);
    cr_assert_eq(cps[1], 40);
    /* no step: nothing significant */
    for (i = 0; i < 60; i++)
        x[i] = normal(&rng);
    k = gs_edivisive(x, 60, 3, 0.05, 199, 3, cps, p, 4);
    cr_assert_eq(k, 0, "%d change points in noise", k);
}
