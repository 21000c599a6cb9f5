/*
 * test_compare.c - the statistics of `isobench compare` against known values
 * and brute force, and compare itself on the fixture runs: a run against
 * itself flags nothing, against the fixture with 30 % slower starts (2
 * repetitions) is inconclusive (exit 3), in-memory runs with 8 repetitions
 * give regression, improvement and equivalent, and bad input exits 2.
 */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "compare.h"
#include "history.h"
#include "proc.h"
#include "render.h"
#include "rundir.h"
#include "stats_compare.h"
#include "support.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(stats, median_known_values)
{
    double s[8];
    double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 }, ties[] = { 2, 2, 2, 9, 1 };
    cr_assert_float_eq(sc_median(odd, 3, s), 3.0, 1e-12);
    cr_assert_float_eq(sc_median(even, 4, s), 2.5, 1e-12);
    cr_assert_float_eq(sc_median(ties, 5, s), 2.0, 1e-12);
    cr_assert(isnan(sc_median(odd, 0, s)));
    /* the input is not reordered */
    cr_assert(odd[0] == 5 && odd[1] == 1 && odd[2] == 3);
}

Test(stats, median_matches_sorting_brute_force)
{
    struct sc_rng r;
    double v[301], s[301], sorted[301];
    int round;
    sc_rng_seed(&r, 42);
    for (round = 0; round < 500; round++) {
        size_t n = 1 + sc_rng_below(&r, 300), i;
        double expect;
        for (i = 0; i < n; i++) /* few distinct values: many ties */
            v[i] = (double)sc_rng_below(&r, round % 2 ? 7 : 100000);
        memcpy(sorted, v, n * sizeof(double));
        qsort(sorted, n, sizeof(double), cmp_d);
        expect = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        cr_assert_float_eq(sc_median(v, n, s), expect, 1e-12, "n=%zu round=%d", n, round);
    }
}

Test(stats, quantile_type7)
{
    double s[] = { 1, 2, 3, 4, 5 };
    cr_assert_float_eq(sc_quantile_sorted(s, 5, 0.5), 3.0, 1e-12);
    cr_assert_float_eq(sc_quantile_sorted(s, 5, 0.95), 4.8, 1e-12); /* numpy: 4.8 */
    cr_assert_float_eq(sc_quantile_sorted(s, 5, 0.0), 1.0, 1e-12);
    cr_assert_float_eq(sc_quantile_sorted(s, 5, 1.0), 5.0, 1e-12);
}

/* scipy.stats.mannwhitneyu documentation example (males vs females):
   U1 = 17; with method="asymptotic" (continuity-corrected normal
   approximation) p = 0.1113: mu = 10, sigma = sqrt(5*4*10/12) = 4.0825,
   z = (17 - 10 - 0.5) / 4.0825 = 1.5922, p = erfc(z / sqrt 2) = 0.11135. */
Test(stats, mann_whitney_scipy_example)
{
    double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
    double u, p;
    cr_assert_eq(sc_mann_whitney(males, 5, females, 4, &u, &p), 0);
    cr_assert_float_eq(u, 17.0, 1e-12);
    cr_assert_float_eq(p, 0.11135, 5e-5, "p=%g", p);
    /* symmetric: swapping the samples keeps p, U becomes n1*n2 - U */
    cr_assert_eq(sc_mann_whitney(females, 4, males, 5, &u, &p), 0);
    cr_assert_float_eq(u, 3.0, 1e-12);
    cr_assert_float_eq(p, 0.11135, 5e-5);
}

/* Ties, by hand: a = {1,2,2,3}, b = {2,3,3,4}. Pooled ranks: 1 -> 1, the
   three 2s -> 3, the three 3s -> 6, 4 -> 8. R_a = 1+3+3+6 = 13, U_a = 13 - 10
   = 3. Tie term sum(t^3 - t) = 24 + 24 = 48; sigma^2 = 16/12 * (9 - 48/56)
   = 10.857; z = (13 - 8 - 0.5) / 3.2950 = 1.3657; p = 0.17203. */
Test(stats, mann_whitney_ties_by_hand)
{
    double a[] = { 1, 2, 2, 3 }, b[] = { 2, 3, 3, 4 };
    double u, p;
    cr_assert_eq(sc_mann_whitney(a, 4, b, 4, &u, &p), 0);
    cr_assert_float_eq(u, 3.0, 1e-12);
    cr_assert_float_eq(p, 0.172034, 1e-5, "p=%g", p);
}

Test(stats, mann_whitney_u_equals_pair_count)
{
    struct sc_rng r;
    int round;
    sc_rng_seed(&r, 7);
    for (round = 0; round < 200; round++) {
        double a[40], b[40], u, p, count = 0;
        size_t na = 1 + sc_rng_below(&r, 39), nb = 1 + sc_rng_below(&r, 39), i, j;
        for (i = 0; i < na; i++)
            a[i] = (double)sc_rng_below(&r, 10);
        for (j = 0; j < nb; j++)
            b[j] = (double)sc_rng_below(&r, 10);
        for (i = 0; i < na; i++)
            for (j = 0; j < nb; j++)
                count += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
        cr_assert_eq(sc_mann_whitney(a, na, b, nb, &u, &p), 0);
        cr_assert_float_eq(u, count, 1e-9);
        cr_assert(p >= 0 && p <= 1);
    }
}

Test(stats, mann_whitney_all_tied_and_separated)
{
    double a[] = { 5, 5, 5 }, b[] = { 5, 5, 5, 5 }, u, p;
    double lo[20], hi[20];
    int i;
    cr_assert_eq(sc_mann_whitney(a, 3, b, 4, &u, &p), 0);
    cr_assert_float_eq(p, 1.0, 1e-12);
    for (i = 0; i < 20; i++) {
        lo[i] = i;
        hi[i] = 100 + i;
    }
    cr_assert_eq(sc_mann_whitney(lo, 20, hi, 20, &u, &p), 0);
    cr_assert_float_eq(u, 0.0, 1e-12);
    cr_assert(p < 1e-6, "p=%g", p);
    cr_assert_eq(sc_mann_whitney(lo, 0, hi, 20, &u, &p), -1);
}

Test(stats, bootstrap_reproducible_and_sane)
{
    double a[200], b[200], c[200], est, lo, hi, est2, lo2, hi2;
    struct sc_rng r;
    int i;
    sc_rng_seed(&r, 3);
    for (i = 0; i < 200; i++) {
        double noise = (double)sc_rng_below(&r, 1000) / 1000.0 - 0.5; /* +-0.5 */
        a[i] = 100 + 5 * noise;
        b[i] = 1.3 * a[i];
        c[i] = a[i];
    }
    cr_assert_eq(sc_bootstrap_median_change(a, 200, b, 200, 2000, 0.05, 1, 99, &est, &lo, &hi), 0);
    cr_assert_float_eq(est, 0.3, 1e-9);
    cr_assert(lo > 0.25 && lo <= 0.3 && hi >= 0.3 && hi < 0.35, "[%g, %g]", lo, hi);
    /* same seed, same interval */
    cr_assert_eq(sc_bootstrap_median_change(a, 200, b, 200, 2000, 0.05, 1, 99, &est2, &lo2, &hi2), 0);
    cr_assert(lo == lo2 && hi == hi2);
    /* a sample against itself: change 0, interval around 0 */
    cr_assert_eq(sc_bootstrap_median_change(a, 200, c, 200, 2000, 0.05, 1, 1, &est, &lo, &hi), 0);
    cr_assert_float_eq(est, 0.0, 1e-12);
    cr_assert(lo <= 0 && hi >= 0, "[%g, %g]", lo, hi);
    /* absolute difference */
    cr_assert_eq(sc_bootstrap_median_change(a, 200, b, 200, 500, 0.05, 0, 1, &est, &lo, &hi), 0);
    cr_assert(est > 29 && est < 31);
    cr_assert_eq(sc_bootstrap_median_change(a, 0, b, 200, 500, 0.05, 0, 1, &est, &lo, &hi), -1);
}

/* ---- compare on the fixture runs ---- */

static void fixture(char *buf, size_t n, const char *name)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "tests/fixtures/%s", name);
    src_path(buf, n, rel);
}

static int run_compare(const char *base, const char *cur, const char *extra1, const char *extra2)
{
    char a[1024], b[1024];
    char *argv[6];
    int argc = 0, rc, saved;
    FILE *null;
    fixture(a, sizeof(a), base);
    fixture(b, sizeof(b), cur);
    argv[argc++] = "compare";
    argv[argc++] = a;
    argv[argc++] = b;
    if (extra1)
        argv[argc++] = (char *)extra1;
    if (extra2)
        argv[argc++] = (char *)extra2;
    argv[argc] = NULL;
    /* keep the tables out of the test log */
    fflush(stdout);
    saved = dup(1);
    null = fopen("/dev/null", "w");
    dup2(fileno(null), 1);
    rc = cmd_compare(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    fclose(null);
    return rc;
}

Test(compare, fixture_against_itself_flags_nothing)
{
    struct rundir a;
    struct err e;
    struct cmp_opts o;
    struct cmp_row *rows;
    char dir[1024];
    int n, i, rc;
    fixture(dir, sizeof(dir), "run-base");
    cr_assert_eq(rundir_load(dir, RD_CONTAINERS | RD_RAMP, &a, &e), 0, "%s", e.msg);
    cmp_default_opts(&o);
    cr_assert_eq(compare_runs(&a, &a, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 3 * CMP_NMETRICS);
    cr_assert_eq(compare_regressions(rows, n), 0);
    for (i = 0; i < n; i++)
        cr_assert(rows[i].g.verdict != GS_REGRESSION && rows[i].g.verdict != GS_IMPROVEMENT);
    free(rows);
    rundir_free(&a);
    rc = run_compare("run-base", "run-base", NULL, NULL);
    cr_assert(rc == 0 || rc == 3, "rc %d", rc);
    rc = run_compare("run-base", "run-base", "--markdown", NULL);
    cr_assert(rc == 0 || rc == 3, "rc %d", rc);
    cr_assert_eq(run_compare("run-base", "run-base", "--inconclusive", "pass"), 0);
}

Test(compare, two_repetitions_cannot_call_thirty_percent)
{
    /* The fixtures have 2 repetitions per side: run-to-run variance is barely
       known, so 30 % slower starts are inconclusive (exit 3), never an
       improvement; the estimate itself is right. */
    struct rundir a, b;
    struct err e;
    struct cmp_opts o;
    struct cmp_row *rows;
    char da[1024], db[1024];
    int n, i, starts = 0;
    fixture(da, sizeof(da), "run-base");
    fixture(db, sizeof(db), "run-slow");
    cr_assert_eq(rundir_load(da, RD_CONTAINERS | RD_RAMP, &a, &e), 0, "%s", e.msg);
    cr_assert_eq(rundir_load(db, RD_CONTAINERS | RD_RAMP, &b, &e), 0, "%s", e.msg);
    cmp_default_opts(&o);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    for (i = 0; i < n; i++) {
        cr_assert_neq(rows[i].g.verdict, GS_IMPROVEMENT, "mode %s metric %s", rows[i].mode,
                      cmp_metric_key(rows[i].metric));
        if (rows[i].metric == RDM_START_MS) {
            cr_assert(fabs(rows[i].g.change - 0.30) < 0.06, "change %g", rows[i].g.change);
            cr_assert_eq(rows[i].lbase.reps, 2);
            starts++;
        }
    }
    cr_assert_eq(starts, 3);
    free(rows);
    rundir_free(&a);
    rundir_free(&b);
    cr_assert_eq(run_compare("run-base", "run-slow", NULL, NULL), 3);
    cr_assert_eq(run_compare("run-base", "run-slow", "--inconclusive", "fail"), 1);
}

/* An in-memory run: one mode "m", reps x n start times around base_ms with
   a repetition effect (sd rep_sd, relative) and container noise (ctr_sd). */
static void synthetic_run(struct rundir *r, int reps, int n, double base_ms, double rep_sd, double ctr_sd,
                          uint64_t seed)
{
    struct sc_rng rng;
    int i, j;
    memset(r, 0, sizeof(*r));
    snprintf(r->run_id, sizeof(r->run_id), "synthetic");
    r->nmodes = 1;
    snprintf(r->modes[0].name, sizeof(r->modes[0].name), "m");
    sc_rng_seed(&rng, seed);
    for (i = 0; i < reps; i++) {
        double u1 = ((double)(sc_rng_next(&rng) >> 11) + 1) / 9007199254740993.0;
        double u2 = (double)(sc_rng_next(&rng) >> 11) / 9007199254740992.0;
        double rep_effect = rep_sd * sqrt(-2 * log(u1)) * cos(2 * 3.141592653589793 * u2);
        for (j = 0; j < n; j++) {
            double w1 = ((double)(sc_rng_next(&rng) >> 11) + 1) / 9007199254740993.0;
            double w2 = (double)(sc_rng_next(&rng) >> 11) / 9007199254740992.0;
            double z = sqrt(-2 * log(w1)) * cos(2 * 3.141592653589793 * w2);
            cr_assert_eq(dvec_push(&r->modes[0].val[RDM_START_MS], base_ms * (1 + rep_effect + ctr_sd * z)), 0);
            cr_assert_eq(dvec_push(&r->modes[0].rep[RDM_START_MS], i), 0);
        }
    }
}

Test(compare, thirty_percent_slower_starts_flag_with_enough_repetitions)
{
    struct rundir a, b, c;
    struct err e;
    struct cmp_opts o;
    struct cmp_row *rows;
    int n;
    synthetic_run(&a, 8, 16, 10.0, 0.03, 0.10, 1);
    synthetic_run(&b, 8, 16, 13.0, 0.03, 0.10, 2);
    synthetic_run(&c, 8, 16, 10.0, 0.03, 0.10, 3);
    cmp_default_opts(&o);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_REGRESSION, "verdict %s change %g [%g, %g]",
                 gs_verdict_name(rows[RDM_START_MS].g.verdict), rows[RDM_START_MS].g.change,
                 rows[RDM_START_MS].g.lo, rows[RDM_START_MS].g.hi);
    cr_assert_eq(compare_exit_code(rows, n, &o), 1);
    free(rows);
    /* the reverse is an improvement; the same population is equivalent */
    cr_assert_eq(compare_runs(&b, &a, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_IMPROVEMENT);
    cr_assert_eq(compare_exit_code(rows, n, &o), 0);
    free(rows);
    cr_assert_eq(compare_runs(&a, &c, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_EQUIVALENT, "verdict %s [%g, %g]",
                 gs_verdict_name(rows[RDM_START_MS].g.verdict), rows[RDM_START_MS].g.tost_lo,
                 rows[RDM_START_MS].g.tost_hi);
    free(rows);
    /* a metric left out of --gate does not count */
    cr_assert_eq(cmp_parse_gated("mem_pss_bytes", &o, &e), 0);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(compare_exit_code(rows, n, &o), 0);
    free(rows);
    cr_assert_lt(cmp_parse_gated("start_latency", &o, &e), 0);
    rundir_free(&a);
    rundir_free(&b);
    rundir_free(&c);
}

/* The start-latency phase's starts (phase "starts") of the synthetic run:
   the same reps, times around base_ms with little noise. */
static void synthetic_starts(struct rundir *r, int reps, int n, double base_ms)
{
    int i, j;
    for (i = 0; i < reps; i++)
        for (j = 0; j < n; j++) {
            cr_assert_eq(dvec_push(&r->modes[0].starts_val, base_ms * (1 + 0.01 * ((i + j) % 5 - 2))), 0);
            cr_assert_eq(dvec_push(&r->modes[0].starts_rep, i), 0);
        }
}

Test(compare, start_latency_from_the_start_phase_when_both_sides_have_it)
{
    /* Ramp containers unchanged and noisy; one-at-a-time starts 30 % slower.
       With a start phase on both sides start_ms compares those starts (what
       summary.json reports); when one side lacks it, every container. */
    struct rundir a, b;
    struct err e;
    struct cmp_opts o;
    struct cmp_row *rows;
    int n;
    synthetic_run(&a, 6, 16, 10.0, 0.10, 0.30, 11);
    synthetic_run(&b, 6, 16, 10.0, 0.10, 0.30, 12);
    synthetic_starts(&a, 6, 30, 2.0);
    synthetic_starts(&b, 6, 30, 2.6);
    cmp_default_opts(&o);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert(fabs(rows[RDM_START_MS].g.change - 0.30) < 0.02, "change %g", rows[RDM_START_MS].g.change);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_REGRESSION);
    cr_assert_eq(rows[RDM_START_MS].nbase, 6 * 30);
    free(rows);
    dvec_free(&b.modes[0].starts_val);
    dvec_free(&b.modes[0].starts_rep);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].nbase, 6 * 16, "one side without the phase: every container");
    cr_assert_neq(rows[RDM_START_MS].g.verdict, GS_REGRESSION);
    free(rows);
    rundir_free(&a);
    rundir_free(&b);
}

static void synthetic_busy(struct rundir *r, double pct)
{
    int i;
    for (i = 0; i < 20; i++)
        cr_assert_eq(dvec_push(&r->modes[0].cpu_pct, pct + (i % 3 - 1)), 0);
}

Test(compare, a_busier_host_withholds_a_time_verdict)
{
    /* 30 % slower starts, but the new run's host was 40 points busier during
       its holds: a stored baseline cannot tell that from a slower build */
    struct rundir a, b;
    struct err e;
    struct cmp_opts o;
    struct cmp_row *rows;
    int n;
    synthetic_run(&a, 8, 16, 10.0, 0.03, 0.10, 1);
    synthetic_run(&b, 8, 16, 13.0, 0.03, 0.10, 2);
    synthetic_busy(&a, 20);
    synthetic_busy(&b, 60);
    cmp_default_opts(&o);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_INCONCLUSIVE);
    cr_assert_eq(rows[RDM_START_MS].load_gap, 1);
    cr_assert_float_eq(rows[RDM_START_MS].busy_base, 20, 0.1);
    cr_assert_float_eq(rows[RDM_START_MS].busy_new, 60, 0.1);
    cr_assert(strstr(rows[RDM_START_MS].g.note, "20 % vs 60 %") != NULL, "%s", rows[RDM_START_MS].g.note);
    cr_assert_eq(compare_exit_code(rows, n, &o), 3);
    free(rows);
    /* switched off, or within the gap: the regression stands */
    o.max_load_gap = 0;
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_REGRESSION);
    free(rows);
    cmp_default_opts(&o);
    /* against the load (the slower side ran on the idler host): it stands */
    dvec_free(&a.modes[0].cpu_pct);
    dvec_free(&b.modes[0].cpu_pct);
    synthetic_busy(&a, 60);
    synthetic_busy(&b, 20);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_REGRESSION);
    free(rows);
    /* beyond what the load could explain: 20 % vs 31 % busy frees 80/69 of
       the CPU (1.16x), less than the 30 % slowdown's CI low end */
    dvec_free(&a.modes[0].cpu_pct);
    dvec_free(&b.modes[0].cpu_pct);
    synthetic_busy(&a, 20);
    synthetic_busy(&b, 31);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_REGRESSION, "CI [%g, %g]", rows[RDM_START_MS].g.lo, rows[RDM_START_MS].g.hi);
    free(rows);
    dvec_free(&b.modes[0].cpu_pct);
    synthetic_busy(&b, 28);
    cr_assert_eq(compare_runs(&a, &b, &o, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(rows[RDM_START_MS].g.verdict, GS_REGRESSION);
    cr_assert_eq(rows[RDM_START_MS].load_gap, 0);
    free(rows);
    rundir_free(&a);
    rundir_free(&b);
}

/* An in-memory ramp for mode "m": reps x levels 4 and 16, delta = slope x
   fleet plus noise of sd 2 % of the level's delta; each hold saw host
   memory move by range bytes (NAN: a run from before that column). */
static void synthetic_ramp(struct rundir *r, int reps, double slope, double range, uint64_t seed)
{
    static const double levels[] = { 4, 16 };
    struct sc_rng rng;
    int i, k;
    sc_rng_seed(&rng, seed);
    for (i = 0; i < reps; i++)
        for (k = 0; k < 2; k++) {
            double u = (double)(sc_rng_next(&rng) >> 11) / 9007199254740992.0 - 0.5;
            cr_assert_eq(dvec_push(&r->modes[0].ramp_fleet, levels[k]), 0);
            cr_assert_eq(dvec_push(&r->modes[0].ramp_delta, slope * levels[k] * (1 + 0.07 * u)), 0);
            cr_assert_eq(dvec_push(&r->modes[0].ramp_rep, i), 0);
            cr_assert_eq(dvec_push(&r->modes[0].ramp_hold_range, range), 0);
        }
}

/* base a (300 KiB/ctr, quiet holds) against a new run of `slope` whose
   holds moved by `range`: the marginal row (caller frees *rows). */
static struct cmp_row *marginal_row(struct rundir *a, double slope, double range, const struct cmp_opts *o,
                                    struct cmp_row **rows)
{
    struct rundir b;
    struct err e;
    int n;
    synthetic_run(&b, 8, 16, 10.0, 0.03, 0.10, 2);
    synthetic_ramp(&b, 8, slope, range, 4);
    cr_assert_eq(compare_runs(a, &b, o, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq((*rows)[RDM_START_MS].mem_noise, 0, "only the marginal row");
    rundir_free(&b);
    return &(*rows)[CMP_MARGINAL];
}

Test(compare, host_memory_moving_within_holds_withholds_a_marginal_verdict)
{
    /* the marginal slope doubles (+100 %, threshold 50 %) */
    struct rundir a;
    struct cmp_opts o;
    struct cmp_row *rows, *r;
    double quiet = 100 * 1024.0, busy = 8 * 1048576.0;
    synthetic_run(&a, 8, 16, 10.0, 0.03, 0.10, 1);
    synthetic_ramp(&a, 8, 300 * 1024.0, quiet, 3);
    cmp_default_opts(&o);
    /* quiet holds: points (0, 4, 16), mean 20/3; the floor is
       r * sum |x - mean| / sum (x - mean)^2 = r * 18.667 / 138.667 */
    r = marginal_row(&a, 600 * 1024.0, quiet, &o, &rows);
    cr_assert_float_eq(r->mem_noise_base, quiet * (56.0 / 3) / (416.0 / 3), 1e-6 * quiet);
    cr_assert_eq(r->g.verdict, GS_REGRESSION, "%s", r->g.note);
    cr_assert_eq(r->mem_noise, 0);
    free(rows);
    /* the new side's holds saw host memory move 8 MiB (a neighbour): about
       1.1 MiB per container of slope, more than the change */
    r = marginal_row(&a, 600 * 1024.0, busy, &o, &rows);
    cr_assert_eq(r->g.verdict, GS_INCONCLUSIVE);
    cr_assert_eq(r->mem_noise, 1);
    cr_assert(strstr(r->g.note, "host memory moved in the holds") != NULL, "%s", r->g.note);
    free(rows);
    /* switched off: the regression stands */
    o.mem_noise_guard = 0;
    cr_assert_eq(marginal_row(&a, 600 * 1024.0, busy, &o, &rows)->g.verdict, GS_REGRESSION);
    free(rows);
    cmp_default_opts(&o);
    /* a change far beyond the movement stands: 30x the slope */
    cr_assert_eq(marginal_row(&a, 9000 * 1024.0, busy, &o, &rows)->g.verdict, GS_REGRESSION);
    free(rows);
    /* runs without the column (older run directories): unknown, it stands */
    r = marginal_row(&a, 600 * 1024.0, NAN, &o, &rows);
    cr_assert(isnan(r->mem_noise_new));
    cr_assert_eq(r->g.verdict, GS_REGRESSION);
    free(rows);
    rundir_free(&a);
}

Test(compare, thresholds_file_and_usage_errors)
{
    char path[] = "/tmp/isobench-test-thresholds-XXXXXX";
    int fd = mkstemp(path), rc;
    FILE *f;
    cr_assert(fd >= 0);
    f = fdopen(fd, "w");
    fputs("{\"start_ms\": 0.50}", f);
    fclose(f);
    /* 30 % slower is below a 50 % threshold: never a regression */
    rc = run_compare("run-base", "run-slow", "--thresholds", path);
    cr_assert(rc == 0 || rc == 3, "rc %d", rc);
    f = fopen(path, "w");
    fputs("{\"start_latency\": 0.1}", f);
    fclose(f);
    cr_assert_eq(run_compare("run-base", "run-slow", "--thresholds", path), 2);
    unlink(path);
    cr_assert_eq(run_compare("run-base", "no-such-run", NULL, NULL), 2);
    cr_assert_eq(run_compare("run-base", "run-slow", "--alpha", "7"), 2);
    cr_assert_eq(run_compare("run-base", "run-slow", "--inconclusive", "maybe"), 2);
    cr_assert_eq(run_compare("run-base", "run-slow", "--gate", "nope"), 2);
}

/* Exact p by brute force: every way of choosing which na of the na+nb pooled
   ranks belong to a (bit masks), counting U for each. */
static double brute_exact_p(size_t na, size_t nb, double u_obs)
{
    size_t n = na + nb;
    unsigned long mask, total = 0, le = 0, ge = 0;
    for (mask = 0; mask < (1ul << n); mask++) {
        size_t i, j, bits = 0;
        double u = 0;
        for (i = 0; i < n; i++)
            bits += (mask >> i) & 1;
        if (bits != na)
            continue;
        for (i = 0; i < n; i++)          /* rank i is an a */
            if ((mask >> i) & 1)
                for (j = 0; j < i; j++)  /* below it, a b */
                    if (!((mask >> j) & 1))
                        u += 1;
        total++;
        le += u <= u_obs;
        ge += u >= u_obs;
    }
    return fmin(1.0, 2.0 * (double)(le < ge ? le : ge) / (double)total);
}

/* scipy's documented exact result for the example above: p = 0.1111 (the
   tail of 14 of the 126 arrangements with U >= 17, doubled). */
Test(stats, mann_whitney_exact_scipy_example_and_brute_force)
{
    double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
    double u, p;
    struct sc_rng r;
    int round, exact;
    cr_assert_eq(sc_mann_whitney_exact(males, 5, females, 4, &u, &p), 0);
    cr_assert_float_eq(u, 17.0, 1e-12);
    cr_assert_float_eq(p, 14.0 / 126.0, 1e-12, "p=%g", p);
    cr_assert_eq(sc_mann_whitney_auto(males, 5, females, 4, &u, &p, &exact), 0);
    cr_assert(exact);
    sc_rng_seed(&r, 11);
    for (round = 0; round < 60; round++) {
        double a[8], b[8], pool[16];
        size_t na = 1 + sc_rng_below(&r, 7), nb = 1 + sc_rng_below(&r, 7), i, k;
        /* distinct values: a random permutation of 0..na+nb-1 */
        for (i = 0; i < na + nb; i++)
            pool[i] = (double)i;
        for (i = na + nb - 1; i > 0; i--) {
            size_t j = sc_rng_below(&r, i + 1);
            double t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        for (k = 0; k < na; k++)
            a[k] = pool[k];
        for (k = 0; k < nb; k++)
            b[k] = pool[na + k];
        cr_assert_eq(sc_mann_whitney_exact(a, na, b, nb, &u, &p), 0);
        cr_assert_float_eq(p, brute_exact_p(na, nb, u), 1e-12, "na=%zu nb=%zu u=%g", na, nb, u);
    }
    /* ties: no exact test, auto falls back to the normal approximation */
    {
        double a[] = { 1, 2, 2, 3 }, b[] = { 2, 3, 3, 4 };
        cr_assert_eq(sc_mann_whitney_exact(a, 4, b, 4, &u, &p), -1);
        cr_assert_eq(sc_mann_whitney_auto(a, 4, b, 4, &u, &p, &exact), 0);
        cr_assert(!exact);
        cr_assert_float_eq(p, 0.172034, 1e-5);
    }
}

Test(history, groups_by_host_and_draws_figures)
{
    char a[1024], b[1024], c[1024], out[] = "/tmp/isobench-test-history-XXXXXX", png[1200];
    struct rundir runs[3];
    struct hist_opts o;
    struct hist_group *g;
    struct err e;
    int ng, i;
    fixture(a, sizeof(a), "run-base");
    fixture(b, sizeof(b), "run-slow");
    fixture(c, sizeof(c), "run-hostb");
    cr_assert_eq(rundir_load(a, RD_CONTAINERS | RD_RAMP, &runs[0], &e), 0, "%s", e.msg);
    cr_assert_eq(rundir_load(b, RD_CONTAINERS | RD_RAMP, &runs[1], &e), 0, "%s", e.msg);
    cr_assert_eq(rundir_load(c, RD_CONTAINERS | RD_RAMP, &runs[2], &e), 0, "%s", e.msg);
    history_default_opts(&o);
    cr_assert_eq(history_build(runs, 3, &o, &g, &ng, &e), 0, "%s", e.msg);
    /* run-base and run-slow share a host; run-hostb is another */
    cr_assert_eq(ng, 2);
    cr_assert_eq(g[0].nruns + g[1].nruns, 3);
    for (i = 0; i < ng; i++)
        cr_assert_eq(g[i].nseries, runs[0].nmodes * CMP_NMETRICS);
    cr_assert_not_null(mkdtemp(out));
    if (plot_supported()) {
        cr_assert_eq(history_write_figures(g, ng, out, &e), 0, "%s", e.msg);
        snprintf(png, sizeof(png), "%s/history-1-start_ms.png", out);
        cr_assert_eq(access(png, F_OK), 0, "%s missing", png);
    }
    history_free(g, ng);
    for (i = 0; i < 3; i++)
        rundir_free(&runs[i]);
    dir_remove_tree(out, NULL);
}
