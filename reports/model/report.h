/*
 * report.h - the reduced data every `isobench report` output is drawn from.
 *
 * report_reduce() turns loaded run directories into one entry per (run,
 * mode): the sorted start latencies (for the CDF), the median start per fleet
 * size, the ramp points and the fitted memory line, the host CPU series
 * (bucketed to at most REPORT_MAX_CPU_POINTS points), storage, the ratios to
 * the run's baseline mode and the capacity row. The figure builders and the
 * text outputs (reports/render/, declared in render.h) read only this struct.
 */
#ifndef ISOBENCH_REPORT_H
#define ISOBENCH_REPORT_H

#include <stdio.h>

#include "capacity.h"
#include "err.h"
#include "rundir.h"

#define REPORT_MAX_ENTRIES 32         /* each entry is one series of a figure */
#define REPORT_MAX_CPU_POINTS 600
#define REPORT_CURVE_POINTS 48
/* the density figures, in render.h's order: memory, tasks, start latency */
#define REPORT_DENSITY_FIGS 3

struct rep_entry {
    const struct rundir *run;
    const struct rd_mode *mode;
    char label[96];          /* "runsc", or "runsc @ host-b" with several runs */
    char host_label[64];     /* the run's host (with its run id if ambiguous) */
    int color;               /* palette index: the mode name's order of first appearance */
    int run_index;           /* which run (line dash pattern in figures) */
    int is_baseline;

    double *start_sorted, *start_cdf;   /* n_start values, cdf in (0, 1] */
    size_t n_start;
    double *start_fleet, *start_all;    /* every (fleet, start) point */
    size_t n_start_pts;
    double *fleet_x, *fleet_p50;        /* median start per fleet size */
    size_t n_fleet;

    double *ramp_x, *ramp_mib;          /* host memory above baseline, MiB */
    size_t n_ramp;
    double fit_x[2], fit_mib[2];        /* fitted line over the ramp range */
    int has_fit;

    double *cpu_s, *cpu_pct;            /* seconds since the mode's first sample */
    size_t n_cpu;

    double storage_mib;                 /* mean per container, NAN if unknown */
    double start_p50;
    int mem_from_pss;                   /* no resolved marginal slope */
    int r_mem_pss;                      /* r_mem compares mean PSS, not slopes */
    /* ratios vs the run's baseline mode (NAN when not computable) */
    double r_start, r_mem, r_storage, r_idle_cpu;

    struct cap_row cap;                 /* capacity on the run's own host; measured
                                           from density.json of its run or of another
                                           run of the report with the same mode */
    struct cap_host cap_host;

    /* the chosen memory curve (capacity.h) over 0 .. the larger of the ramp
       and the measured ceiling, MiB above the baseline */
    double curve_x[REPORT_CURVE_POINTS], curve_mib[REPORT_CURVE_POINTS];
    int n_curve;

    /* density.csv steps of this mode (density runs only) */
    double *d_x, *d_mem_mib, *d_kern_mib, *d_tasks, *d_p50, *d_p99;
    size_t n_d;
    /* vertical marks at the measured ceiling and the predicted one, spanning
       each density figure's y range */
    double ceil_x[2], pred_x[2], mark_y[REPORT_DENSITY_FIGS][2];
    int has_ceiling, has_pred;
};

struct report_data {
    struct rep_entry e[REPORT_MAX_ENTRIES];
    int n;
    struct cap_params params;
    const struct rundir *runs;
    int nruns;
};

int report_reduce(const struct rundir *runs, int nruns, const struct cap_params *p,
                  struct report_data *d, struct err *e);
void report_data_free(struct report_data *d);

#endif
