/*
 * density_guard.h - the guards of a density fill, as pure functions over a
 * snapshot of the host (and the budget), so they can be tested on fixture
 * values.
 *
 * Each limited resource is a guard: what is in use, its limit, and a margin
 * that must stay free (host memory available over a reserve; tasks under
 * kernel.pid_max and kernel.threads-max minus a margin; the budget's
 * pids.max and memory limit; fs.file-max, RLIMIT_NOFILE, fs.mount-max,
 * user.max_*_namespaces, disk free; the Windows commit limit). density_check
 * says whether any is past its margin now; density_plan sizes the next step
 * (double the fleet, or finer steps when the per-container cost measured so
 * far says doubling would cross a margin) and names the resource when not
 * even one more container fits. Three more guards only check: start p99 of
 * the last step over the SLO, launch failures, CPU saturation.
 */
#ifndef ISOBENCH_DENSITY_GUARD_H
#define ISOBENCH_DENSITY_GUARD_H

#include <stdint.h>

#include "budget.h"
#include "limits.h"

/* What the guards see: the host, the budget cgroup, the disk, and the last step. */
struct density_snap {
    struct host_snapshot host;
    struct budget_usage cg;        /* the budget's (all -1 when there is none) */
    char cgroup[128];              /* the budget cgroup's path, for evidence ("" none) */
    int64_t disk_free_bytes, disk_total_bytes; /* -1 unknown */
    int containers;                /* running */
    double cpu_busy_pct;           /* host CPU over the last hold, NAN unknown */
    double start_p99_ms;           /* of the last step's starts, NAN unknown */
    int failures;                  /* launch failures in the last step */
    int64_t pids_refused;          /* forks the budget refused at pids.max since the mode's fill began */
    int64_t oom_kills;             /* OOM kills in the budget since the mode's fill began */
    int pids_peak_at_max;          /* the budget's pids.peak reached pids.max during the mode's fill */
};

/* Knobs; density_cfg_defaults gives the defaults. */
struct density_cfg {
    int64_t mem_reserve_bytes;     /* host MemAvailable kept free; <0 = max(2 GiB, 10 % of MemTotal) */
    int64_t pid_margin;            /* tasks kept free under pid_max and threads-max; <0 = max(1024, 5 %) */
    int64_t cgroup_pids_margin;    /* under the budget's pids.max (the kernel enforces it: default 0) */
    double cgroup_mem_margin;      /* share of the budget's memory kept free (default 0.05) */
    double other_margin;           /* share kept free of file-max, nofile, mount-max, namespaces, commit (0.05) */
    int64_t disk_reserve_bytes;    /* <0 = max(1 GiB, 5 % of the disk) */
    double start_slo_ms;           /* start p99 of a step over this trips (default 5000; <= 0 off) */
    double cpu_max_pct;            /* host CPU busy over this during a hold trips (default 95; >= 100 off) */
    int max_failures;              /* launch failures in one step tolerated (default 0) */
    int max_containers;            /* the fill stops here ("max_containers") */
};
void density_cfg_defaults(struct density_cfg *c);

/* The guard that tripped (or binds): a name from the contract and its evidence. */
struct guard_verdict {
    char binding[32];              /* "memory", "pids", "threads", "cgroup_pids", ... */
    char counter[160];             /* what was read, e.g. "pids.current of isobench/ib12345678" */
    double value, limit, margin;   /* NAN when not meaningful */
    char detail[256];
};

/* 1 when a guard trips on `now` (v says which), 0 when all hold. */
int density_check(const struct density_snap *now, const struct density_cfg *c, struct guard_verdict *v);

/*
 * The next fleet size after `now` (n_now containers), with the per-container
 * costs measured from `base` (the empty host, n = 0) and `prev` (the last
 * step, n_prev; NULL at the first step). Returns 0 and *next > n_now, or 1
 * when no further container fits under a margin or max_containers is
 * reached (*next = n_now, v names the resource).
 */
int density_plan(const struct density_snap *base, const struct density_snap *prev, int n_prev,
                 const struct density_snap *now, int n_now, const struct density_cfg *c, int *next,
                 struct guard_verdict *v);

/* When a step's launches failed: the resource closest to its limit (within
   `launched` more containers at the measured cost) takes the blame, else
   "launch_failures". */
void density_blame_failures(const struct density_snap *base, const struct density_snap *now, int n_now,
                            int launched, const struct density_cfg *c, struct guard_verdict *v);

#endif
