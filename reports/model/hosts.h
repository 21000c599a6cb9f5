/*
 * hosts.h - the same scenario run on different hosts, side by side
 * (`isobench hosts`): containers per host from the capacity model on each
 * run's own host, per GiB of memory and per core, and per dollar when
 * prices are given.
 */
#ifndef ISOBENCH_HOSTS_H
#define ISOBENCH_HOSTS_H

#include <stdio.h>

#include "capacity.h"
#include "rundir.h"

/* Path of the first difference between two JSON values ("scenario.hold_ms",
   "scenario.modes[1].options.runtime"), written to buf; returns 1 if they
   differ, 0 if equal. Keys named in `ignore` (top-level of a and b) are
   skipped. */
int hosts_json_diff(const struct cJSON *a, const struct cJSON *b, const char *path,
                    const char *const *ignore, char *buf, size_t n);

/* Refuse runs whose scenarios differ: e names the runs and the field. */
int hosts_check_scenarios(const struct rundir *runs, int nruns, struct err *e);

struct hosts_row {
    const struct rundir *run;
    struct cap_host host;
    struct cap_row cap;
    int color;                 /* palette index of the mode (first run's order) */
    double per_gib, per_core;  /* containers per GiB of memory / per core */
    double per_dollar;         /* NAN without prices */
    double measured;           /* density.json ceiling (isobench density), NAN without */
    const char *measured_binding; /* what bound it, "" without */
};

struct hosts_prices {
    double per_core, per_gib;  /* NAN = not given */
};

/* A host that left no usable run appends one row: mode "-", not ok, why =
   "host failed: REASON". It counts in no best-host line. */
int hosts_add_failed(struct hosts_row **rows, int *nrows, const char *name, const char *reason,
                     struct err *e);
/* A run that did not complete (run.json status other than "complete") is a
   failed host: returns 1 and writes the reason, else 0. */
int hosts_run_failed(const struct rundir *r, char *reason, size_t n);

/* What tells hosts apart: the fingerprint printed above the table. */
struct hosts_fp {
    char name[128];            /* label or hostname (rundir_host_name) */
    char cpu[128], kernel[128], os[128];
    int cores;
    double mem_bytes;
    char budget[128];          /* run.json budget ("memory 512.0 MiB, pids 400, cpus 1"), "" if none */
    char runtimes[512];        /* "mode version; ..." for every available mode */
};
void hosts_fingerprint(const struct rundir *r, struct hosts_fp *fp);

/* The cores a host has: a budget's cpus (fractional) when it is a budget. */
double hosts_cores(const struct cap_host *h);

/* One row per run x mode; a run with a budget is that budget (memory,
   cpus, pids), as in the capacity model. Per GiB, per core and per dollar
   divide the measured ceiling where a density run measured one, else the
   model's expected count. */
int hosts_rows(const struct rundir *runs, int nruns, const struct cap_params *p,
               const struct hosts_prices *pr, struct hosts_row **rows, int *nrows, struct err *e);
#endif
