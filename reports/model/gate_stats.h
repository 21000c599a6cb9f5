/*
 * gate_stats.h - the statistics of the regression gate with the repetition
 * as the unit (pure functions, no I/O).
 *
 * A side of a comparison is a list of groups: one group per repetition
 * (a repetition of a run; several runs pool their repetitions), each holding
 * that repetition's per-container values. The estimate of a side is the mean
 * of its per-repetition medians. Its uncertainty comes from a hierarchical
 * bootstrap in the spirit of Kalibera & Jones ("Rigorous benchmarking in
 * reasonable time", 2013): repetitions are drawn with replacement, then
 * containers within each drawn repetition, and the estimate recomputed. The
 * two sides' bootstrap variances of log(estimate), each scaled by R/(R-1)
 * (the plug-in bootstrap's small-sample bias), give the standard error of
 * the log ratio; the interval uses Student's t with Welch-Satterthwaite
 * degrees of freedom, since a handful of repetitions is the usual case.
 *
 * Three verdicts (plus skipped), for a relative threshold thr:
 *   regression   the (1 - alpha) CI of the change excludes 0 and the change
 *                exceeds +thr;  improvement: the mirror image;
 *   equivalent   the (1 - 2 alpha) CI lies inside (-thr, +thr): two one-sided
 *                tests (TOST) at level alpha;
 *   inconclusive neither; reps_more says how many more repetitions per side
 *                would likely decide (assuming the standard error shrinks as
 *                1/sqrt(R)).
 *
 * Variance per level (gs_levels): the pooled within-repetition variance of
 * containers and the between-repetition variance component of the medians
 * (the variance of the repetition medians minus the part the containers
 * explain, (pi/2) s_within^2 / n for a median of n), both relative to the
 * estimate.
 *
 * E-divisive means (Matteson & James 2014, as Hunter / Apache Otava use it):
 * gs_edivisive() finds change points in a series by the divergence
 * statistic with alpha = 1 and keeps each only when a permutation test says
 * it is significant.
 */
#ifndef ISOBENCH_GATE_STATS_H
#define ISOBENCH_GATE_STATS_H

#include <stddef.h>
#include <stdint.h>

struct gs_group {
    const double *v;
    size_t n;
};

/* Mean of the groups' medians (groups with n == 0 are ignored); NAN if none. */
double gs_hier_estimate(const struct gs_group *g, size_t ng);

/* Hierarchical bootstrap: out[0..resamples) are the estimates of resampled
   sides. Groups with more than `inner_cap` values keep their own median
   (their container-level variance is negligible next to the repetitions').
   Returns 0, or -1 when there is no non-empty group or out of memory. */
int gs_hier_bootstrap(const struct gs_group *g, size_t ng, int resamples, size_t inner_cap, uint64_t seed,
                      double *out);

/* Variance per level of one side. */
struct gs_levels {
    size_t reps;             /* non-empty groups */
    double ctrs_per_rep;     /* mean values per group */
    double estimate;         /* mean of group medians */
    double sd_rep_medians;   /* sd of the group medians */
    double sd_within;        /* pooled within-group sd */
    double sd_between;       /* between-repetition component (>= 0) */
};
void gs_levels(const struct gs_group *g, size_t ng, struct gs_levels *out);

enum gs_verdict { GS_SKIPPED, GS_EQUIVALENT, GS_INCONCLUSIVE, GS_REGRESSION, GS_IMPROVEMENT };
const char *gs_verdict_name(enum gs_verdict v);

struct gs_opts {
    double alpha;        /* 0.05: 90 % CI for TOST (equivalence) */
    double alpha_change; /* regression / improvement: (1 - alpha_change) CI; 0 = alpha
                            (compare.c divides alpha by the gated rows: Bonferroni) */
    double threshold;    /* relative, e.g. 0.10 */
    int resamples;       /* bootstrap rounds */
    size_t inner_cap;    /* see gs_hier_bootstrap */
    uint64_t seed;
};

struct gs_result {
    double base, cur;            /* estimates */
    double change;               /* cur / base - 1 */
    double lo, hi;               /* (1 - alpha) CI of the change */
    double tost_lo, tost_hi;     /* (1 - 2 alpha) CI of the change */
    double se_log, df, p;        /* SE of log(cur/base), Welch df, two-sided p of "no change" */
    int reps_more;               /* inconclusive: more repetitions per side likely to decide; -1 unknown */
    enum gs_verdict verdict;
    char note[96];
};

/* Compare two sides. Returns 0 (the verdict may be GS_SKIPPED with a note),
   -1 when out of memory. */
int gs_compare(const struct gs_group *a, size_t na, const struct gs_group *b, size_t nb,
               const struct gs_opts *o, struct gs_result *r);

/* Paired comparison (isobench ab): a[i] and b[i] ran next to each other
   (ABBA), n pairs. The estimate is the mean over pairs of log(median b[i] /
   median a[i]); the bootstrap draws pairs, then containers within each
   side of a drawn pair; t with n - 1 df. Host drift common to a pair
   cancels. The pairs' spread already holds the container noise of their
   medians, which the container stage would count a second time: a second
   bootstrap with the pairs fixed measures that noise, is subtracted, and is
   the floor of the variance. (The unpaired gs_compare keeps the double
   count: for runs far apart in time it stands in for run-level variance a
   stored baseline cannot observe.) */
int gs_compare_paired(const struct gs_group *a, const struct gs_group *b, size_t n, const struct gs_opts *o,
                      struct gs_result *r);

/* The verdict and reps_more from a change estimate d = log(cur/base), its
   standard error and df, with R repetitions per side (used by gs_compare,
   exposed for tests). Fills lo, hi, tost_lo, tost_hi, p, verdict, reps_more. */
void gs_decide(double d, double se, double df, size_t reps, const struct gs_opts *o, struct gs_result *r);

/* E-divisive means on x[0..n): up to max_cp change points, each kept when
   its permutation p-value (`permutations` shuffles of the segment it splits)
   is below sig_level. cps[] gets the indices where a new segment starts,
   ascending; pvals[] their p-values. min_size: fewest points per segment.
   Returns the number of change points, or -1 when out of memory. */
int gs_edivisive(const double *x, size_t n, size_t min_size, double sig_level, int permutations,
                 uint64_t seed, size_t *cps, double *pvals, int max_cp);

#endif
