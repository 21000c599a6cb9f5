/*
 * summary.h - reduce a run's result structs to per-mode statistics
 * (summary.json) and render the terminal comparison table.
 */
#ifndef ISOBENCH_SUMMARY_H
#define ISOBENCH_SUMMARY_H

#include <stdio.h>

#include "runner.h"
#include "stats.h"

struct mode_summary {
    const char *name, *driver;
    unsigned isolation;
    int available;
    const char *reason;
    int containers, failed;
    struct summary_stats start_ms, exec_ms, mem_pss, mem_cgroup, storage, idle_cpu, work_ns;
    struct linear_fit marginal; /* host memory in use vs containers running */
    int have_marginal;
    double host_cpu_busy_pct;   /* NAN unknown */
    double cpu_overhead_pct;    /* NAN unknown */
    double bare_work_ns;
    /* isobench's own anonymous memory per container held (slope over the
       ramp, from the run's start), and its share of the host memory growth
       per container (that share is already removed from `marginal`). NAN unknown. */
    double harness_bytes_per_ctr, harness_share;
};

struct run_summary {
    int nmodes;
    int baseline;               /* index of the baseline mode */
    struct mode_summary modes[SCN_MAX_MODES];
};

int summary_reduce(const struct run_result *r, struct run_summary *s);
struct cJSON *summary_to_json(const struct run_result *r, const struct run_summary *s);
/* The end-of-run table: one line per mode, ratios against the baseline. */
void summary_print_table(FILE *f, const struct run_result *r, const struct run_summary *s);

#endif
