/*
 * history.h - runs of one scenario over time (`isobench history`): grouped
 * by host fingerprint, one series per mode x metric, and the change points
 * of each series by e-divisive means (gate_stats.h), with the run that
 * introduced each step and the step's size.
 *
 * The fingerprint is what must not change for runs to be comparable: CPU
 * model, cores, memory, kernel, the runtimes' versions and isobench's
 * version. Within a group runs are ordered by their start time (run.json
 * started_utc). A run's value of a per-container metric is the mean of its
 * repetition medians (as the gate computes it); the marginal memory slope
 * is the run's summary fit.
 */
#ifndef ISOBENCH_HISTORY_H
#define ISOBENCH_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "err.h"
#include "rundir.h"

#define HIST_MAX_CP 8

struct hist_opts {
    size_t min_size;     /* fewest runs between change points (default 3) */
    int permutations;    /* permutation test rounds (default 199) */
    double sig_level;    /* keep a change point when p < this (default 0.05) */
    uint64_t seed;
};

struct hist_step {
    int run;             /* index into hist_group.runs: the first run after the step */
    double before, after;/* means of the segments on either side */
    double change;       /* after / before - 1 (NAN when before is 0) */
    double p;
};

struct hist_series {
    char mode[64];
    int metric;          /* cmp_metric_key() index */
    double *y;           /* per run of the group, NAN when the run has no value */
    struct hist_step steps[HIST_MAX_CP];
    int nsteps;
};

struct hist_group {
    char fingerprint[1024];
    int *runs;           /* indices into the caller's rundir array, in time order */
    int nruns;
    struct hist_series *series;
    int nseries;
};

void history_default_opts(struct hist_opts *o);
int history_build(const struct rundir *runs, int n, const struct hist_opts *o, struct hist_group **groups,
                  int *ngroups, struct err *e);
void history_free(struct hist_group *g, int n);
/* The fingerprint line of a run. */
void history_fingerprint(const struct rundir *r, char *buf, size_t n);

#endif
