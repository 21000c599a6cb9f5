/*
 * compare.h - base run vs new run, per mode and metric (`isobench compare`).
 *
 * For each mode present in both runs and each per-container metric
 * (containers.csv, ok rows), the change in median with a seeded 95 %
 * percentile-bootstrap interval and a two-sided Mann-Whitney U p-value
 * (stats_compare.c). The marginal memory slope is compared from the two
 * summary fits: its interval is the ratio of the fits' CIs, and it is
 * significant only when the CIs do not overlap. A row is a regression when
 * it is significant (p < alpha and the interval excludes 0) AND the median
 * grew by more than the metric's threshold (every metric here is "higher is
 * worse"). An improvement is the mirror image.
 */
#ifndef ISOBENCH_COMPARE_H
#define ISOBENCH_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "rundir.h"

#define CMP_MARGINAL (RDM_COUNT)  /* metric index of the marginal slope */
#define CMP_NMETRICS (RDM_COUNT + 1)
#define CMP_MIN_RESAMPLES 100
#define CMP_MAX_RESAMPLES 100000          /* criterion.rs' default is 100 000 */

struct cmp_opts {
    double alpha;                     /* default 0.05 */
    int resamples;                    /* default 10000 */
    uint64_t seed;                    /* fixed default: reproducible */
    double threshold[CMP_NMETRICS];   /* relative, default 0.05 */
};

enum cmp_verdict { CMP_SKIPPED, CMP_SAME, CMP_REGRESSION, CMP_IMPROVEMENT, CMP_CHANGED_BELOW_THRESHOLD };

struct cmp_row {
    char mode[64];
    int metric;                      /* enum rd_metric or CMP_MARGINAL */
    size_t nbase, nnew;
    double base_median, new_median;  /* marginal: the slopes */
    double change, lo, hi;           /* relative change of the median and its CI */
    double p;                        /* NAN for the marginal slope */
    int significant;
    enum cmp_verdict verdict;
    char note[96];
};

const char *cmp_metric_key(int metric);   /* "start_ms", ..., "marginal_mem_bytes" */
void cmp_default_opts(struct cmp_opts *o);
/* Thresholds JSON {"start_ms":0.10,...}; unknown keys are an error. */
int cmp_load_thresholds(const char *text, const char *fname, struct cmp_opts *o, struct err *e);

/* Compare; *rows allocated (caller frees). */
int compare_runs(const struct rundir *base, const struct rundir *cur, const struct cmp_opts *o,
                 struct cmp_row **rows, int *nrows, struct err *e);
/* Number of regression rows. */
int compare_regressions(const struct cmp_row *rows, int n);

void compare_print(FILE *f, const struct cmp_row *rows, int n, const struct cmp_opts *o, int markdown);

#endif
