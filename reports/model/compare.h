/*
 * compare.h - base vs new per mode and metric: the regression gate
 * (`isobench compare`, `isobench ab`).
 *
 * The unit is the repetition: for each mode present on both sides and each
 * per-container metric (containers.csv, ok rows), every repetition of every
 * run on a side contributes its median, and gate_stats.c compares the two
 * sides' means of repetition medians with a hierarchical bootstrap (over
 * repetitions, then containers) and Student's t. The marginal memory slope is
 * fitted per repetition from ramp.csv and compared the same way (one value
 * per repetition). With `paired` (isobench ab), repetition i of the base and
 * of the new side ran next to each other and are compared pairwise. The
 * regression / improvement test of each row runs at alpha / m, m the gated
 * rows that were tested (Bonferroni): a run has a dozen metrics, and the
 * gate must not cry wolf on one of them by chance. Each row gets one of four verdicts: regression,
 * improvement, equivalent (TOST), inconclusive, or is skipped; every metric
 * here is "higher is worse".
 *
 * Exit codes (compare_exit_code): 0 no regression and every gated metric
 * decided, 1 a regression on a gated metric, 3 inconclusive on a gated metric
 * (no regression); with CMP_INCONCLUSIVE_PASS / _FAIL it maps to 0 / 1.
 * (2 is the front-ends' usage or input error.)
 */
#ifndef ISOBENCH_COMPARE_H
#define ISOBENCH_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "gate_stats.h"
#include "rundir.h"

#define CMP_MARGINAL (RDM_COUNT)  /* metric index of the marginal slope */
#define CMP_NMETRICS (RDM_COUNT + 1)
#define CMP_MIN_RESAMPLES 100
#define CMP_MAX_RESAMPLES 100000          /* criterion.rs' default is 100 000 */

enum cmp_inconclusive { CMP_INCONCLUSIVE_EXIT3, CMP_INCONCLUSIVE_PASS, CMP_INCONCLUSIVE_FAIL };

struct cmp_opts {
    double alpha;                     /* default 0.05 */
    int resamples;                    /* default 2000 */
    uint64_t seed;                    /* fixed default: reproducible */
    double threshold[CMP_NMETRICS];   /* relative; defaults in compare.c */
    int gated[CMP_NMETRICS];          /* 1: the verdict counts for the exit code */
    enum cmp_inconclusive inconclusive;
    int paired;                       /* ab: base run i and new run i ran next to each other */
    double max_load_gap;              /* host CPU busy during the holds, percentage points: a
                                         time metric's regression or improvement between sides
                                         whose busy differs more is inconclusive; <= 0 off
                                         (default 10) */
    int mem_noise_guard;              /* 1 (default): withhold a marginal_mem_bytes verdict
                                         that host memory's movement within the holds could
                                         explain (compare.c mem_noise_guard) */
};

struct cmp_row {
    char mode[64];
    int metric;                      /* enum rd_metric or CMP_MARGINAL */
    size_t nbase, nnew;              /* values */
    struct gs_levels lbase, lnew;    /* variance per level */
    struct gs_result g;              /* estimates, change, CIs, verdict */
    int gated;
    size_t pairs;                    /* paired comparison: pairs; 0 unpaired */
    int tests;                       /* Bonferroni: gated rows tested (alpha / tests) */
    double busy_base, busy_new;      /* mean host CPU busy % during the mode's holds, NAN unknown */
    int load_gap;                    /* 1: a verdict withheld because the host's load differed */
    /* marginal_mem_bytes: the slope change, bytes per container, that host
       memory moving by as much as it did within the holds (fleet standing
       still: other tenants) could make, median over a side's repetitions;
       NAN unknown (runs before the hold_mem_range_bytes column) */
    double mem_noise_base, mem_noise_new;
    int mem_noise;                   /* 1: a verdict withheld: within that movement */
};

const char *cmp_metric_key(int metric);   /* "start_ms", ..., "marginal_mem_bytes" */
int cmp_metric_find(const char *key);     /* -1 if unknown */
void cmp_default_opts(struct cmp_opts *o);
/* Thresholds JSON {"start_ms":0.10,...}; unknown keys are an error. */
int cmp_load_thresholds(const char *text, const char *fname, struct cmp_opts *o, struct err *e);
/* --gate start_ms,mem_pss_bytes: only these metrics count for the exit code. */
int cmp_parse_gated(const char *list, struct cmp_opts *o, struct err *e);

/* Compare the runs of two sides (each side pools its runs' repetitions);
   *rows allocated (caller frees). */
int compare_sides(const struct rundir *base, int nbase, const struct rundir *cur, int ncur,
                  const struct cmp_opts *o, struct cmp_row **rows, int *nrows, struct err *e);
int compare_runs(const struct rundir *base, const struct rundir *cur, const struct cmp_opts *o,
                 struct cmp_row **rows, int *nrows, struct err *e);
/* Gated rows with the verdict. */
int compare_count(const struct cmp_row *rows, int n, enum gs_verdict v);
int compare_regressions(const struct cmp_row *rows, int n);
int compare_exit_code(const struct cmp_row *rows, int n, const struct cmp_opts *o);

/* Printing, JSON and JUnit output: reports/render/render.h. */

#endif
