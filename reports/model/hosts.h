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
};

struct hosts_prices {
    double per_core, per_gib;  /* NAN = not given */
};

/* One row per run x mode. */
int hosts_rows(const struct rundir *runs, int nruns, const struct cap_params *p,
               const struct hosts_prices *pr, struct hosts_row **rows, int *nrows, struct err *e);
#endif
