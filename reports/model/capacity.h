/*
 * capacity.h - how many containers of each mode fit on a host.
 *
 * The model (capacity_compute, a pure function) takes per-mode costs that a
 * run measured and a host's size, and returns the containers-per-host limit
 * from each resource; the smallest one binds:
 *
 *   memory  : (host memory - reserve - fixed overhead) / marginal bytes per
 *             container. The marginal cost is the slope of host memory used
 *             vs fleet size (ramp.csv, fitted in summary.json); its 95 % CI
 *             gives the low/high counts (the CI's high end gives the low
 *             count). The fit's intercept, when positive, is the mode's fixed
 *             overhead (daemons, shims). Without a resolved slope (none,
 *             not positive, or a CI reaching 0) the mean PSS per container
 *             (a floor: the container's own processes) is the expected cost,
 *             with no fixed overhead; an unresolved positive slope's upper
 *             CI end still gives the low count.
 *   cpu     : cores x cpu_speed x target / cores used per container (idle
 *             CPU per container, or the workload's measured CPU).
 *   storage : free disk / storage bytes per container.
 *   start   : with an SLO, the fleet size at which the fitted start latency
 *             (p95 per fleet size when there are several, else the mean)
 *             reaches the SLO.
 *
 * capacity_inputs_from_run() derives the per-mode costs from a loaded run
 * directory (the "measure -> reduce" side); capacity_compute() is the model;
 * the commands render its results.
 */
#ifndef ISOBENCH_CAPACITY_H
#define ISOBENCH_CAPACITY_H

#include <stdio.h>

#include "err.h"
#include "rundir.h"

enum cap_resource { CAP_NONE = 0, CAP_MEMORY, CAP_CPU, CAP_STORAGE, CAP_START_SLO };
const char *cap_resource_name(enum cap_resource r);

/* Per-mode costs measured by a run. NAN = not measured. */
struct cap_mode_input {
    char name[64];
    double mem_bytes;           /* bytes per container: resolved slope, or mean PSS */
    double mem_bytes_ci_low;    /* NAN when no interval */
    double mem_bytes_ci_high;
    double mem_fixed_bytes;     /* intercept of the fit (>= 0 used), 0 if none */
    int mem_from_pss;           /* 1: no usable slope, mean PSS used */
    char mem_note[96];          /* why PSS stands in, or how the CI was bounded; "" */
    double cpu_cores;           /* cores used per container on the measured host */
    const char *cpu_source;     /* "idle_cpu_pct", "ramp cpu_busy_pct slope", "" */
    double storage_bytes;       /* per container */
    /* start latency fit: predicted_ms(n) = start_a + start_b * n */
    int start_fit;              /* fit available */
    double start_a, start_b;
    const char *start_stat;     /* "p95" or "mean" */
};

/* hosts.json "cores": at most this many. */
#define CAP_MAX_CORES (1 << 20)

struct cap_host {
    char name[64];
    int cores;
    double mem_bytes;
    double disk_free_bytes;     /* NAN = unknown (storage not limiting) */
    double cpu_speed;           /* relative to the measured host, 1.0 = same */
};

struct cap_params {
    double reserve_mem_bytes;   /* memory kept for the OS and everything else */
    double cpu_target;          /* fraction of the CPU we may fill, e.g. 0.8 */
    double start_slo_ms;        /* <= 0: no start-latency limit */
};

/* Limits are container counts (floored, >= 0); INFINITY when a resource does
   not limit (cost 0 or unknown). */
struct cap_result {
    double by_mem, by_mem_low, by_mem_high;
    double by_cpu, by_storage, by_start;
    double expected, low, high;
    enum cap_resource binding;
};

/* The model. Returns 0; -1 with e set when nothing limits (no cost known). */
int capacity_compute(const struct cap_mode_input *in, const struct cap_host *h,
                     const struct cap_params *p, struct cap_result *out, struct err *e);

/* Per-mode costs from a run loaded with RD_CONTAINERS | RD_RAMP. */
int capacity_inputs_from_run(const struct rundir *r, const struct rd_mode *m,
                             struct cap_mode_input *in, struct err *e);

/* The run's own host as a cap_host. */
void capacity_host_from_run(const struct rundir *r, struct cap_host *h);

/* Ordinary least squares y = a + b x. Returns 0, or -1 with fewer than two
   distinct x. */
int cap_ols(const double *x, const double *y, size_t n, double *a, double *b);

/* Parse a hosts.json text: [{"name","cores","memory","disk","cpu_speed"}].
   Allocates *hosts (caller frees). */
int capacity_parse_hosts(const char *text, const char *fname, struct cap_host **hosts,
                         int *nhosts, struct err *e);

/* One (host, mode) row of a capacity table. */
struct cap_row {
    const struct cap_host *host;
    struct cap_mode_input in;
    struct cap_result res;
    int ok;                    /* res valid */
    char why[256];             /* when !ok */
};



/* Rows for every host x mode of a run (modes in run order). Modes that were
   unavailable or measured nothing get ok = 0 and a reason. */
int capacity_rows(const struct rundir *r, const struct cap_host *hosts, int nhosts,
                  const struct cap_params *p, struct cap_row **rows, int *nrows,
                  struct err *e);

/* Default parameters: 1 GiB reserve, 80 % CPU target, no start SLO. */
void capacity_default_params(struct cap_params *p);

/* The model's command-line options, shared by capacity, report and hosts:
   --reserve-mem SIZE, --cpu-target F (0 < F <= 1), --start-slo-ms N (> 0).
   Returns 1 when `opt` is one of them and `val` was applied, 0 when `opt`
   is not one of them, -1 with a message in e when `val` is not valid. */
int cap_parse_option(const char *opt, const char *val, struct cap_params *p, struct err *e);

#endif
