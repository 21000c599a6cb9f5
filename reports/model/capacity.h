/*
 * capacity.h - how many containers of each mode fit on a host.
 *
 * The model (capacity_compute, a pure function) takes per-mode costs that a
 * run measured and a host's size and limits, and returns the
 * containers-per-host limit from each resource; the smallest one binds and
 * is named. The resources are one table (cap_resources[] in capacity.c: name,
 * the names `isobench density` gives the same resource, what it counts):
 *
 *   memory     : the largest fleet whose predicted memory (a curve fitted to
 *                the ramp, memfit.h: linear, quadratic or power law, chosen
 *                by AICc) fits in the memory available: MemAvailable at run
 *                start (the run's own host) or the host's memory, minus the
 *                reserve (max(2 GiB, 10 %), the density guard's); with a
 *                budget, the budget's memory minus 5 %. The
 *                95 % prediction band gives the low/high counts. When the
 *                ramp cannot resolve the cost (too few levels, or no
 *                significant growth above the host's noise), memory gives
 *                bounds only: at most avail / (mean PSS + kernel memory per
 *                container) containers (both are floors of the real cost),
 *                at least what the fit's upper band allows. PSS is never
 *                the cost itself.
 *   pids       : (kernel.pid_max - tasks in use at start - margin) / tasks
 *                per container (every thread takes a pid; at least 1 per
 *                container even when not measured).
 *   threads    : the same against kernel.threads-max.
 *   cgroup_pids: (pids.max of the budget or enclosing cgroup - margin -
 *                the tasks launching takes on top, measured in the ramp) /
 *                tasks charged to the container's cgroup.
 *   file_max   : (fs.file-max - file handles at start - margin) / fds per container.
 *   mount_max  : (fs.mount-max - mounts at start - margin) / mounts per container.
 *   namespaces : (the smallest user.max_*_namespaces - margin) / 1 (each
 *                container makes at least one namespace of each kind).
 *   nofile     : (isobench's RLIMIT_NOFILE, the hard limit it may raise to -
 *                its descriptors at the first level - margin) / isobench's
 *                descriptors per container (pipes, pidfds, cgroup files).
 *   The margins are those of `isobench density`'s guards (pid_max and
 *   threads-max: max(1024, 5 %); a budget's pids.max: 0; others 5 %), or
 *   --headroom F of every limit.
 *   cpu        : cores x cpu_speed x target / cores used per container.
 *   storage    : free disk / storage bytes per container.
 *   start-slo  : with an SLO, the fleet size at which the fitted start
 *                latency (p95 per fleet size, else the mean) reaches it.
 *
 * capacity_inputs_from_run() derives the per-mode costs from a loaded run
 * directory (the "measure -> reduce" side); capacity_compute() is the model;
 * the commands render its results (cap_render.c).
 */
#ifndef ISOBENCH_CAPACITY_H
#define ISOBENCH_CAPACITY_H

#include <stdio.h>

#include "err.h"
#include "memfit.h"
#include "rundir.h"

/* Resources, in table order (add one: an entry here, one in cap_resources[]
   in capacity.c, its cost in cap_mode_input and its amount in cap_host). */
enum cap_resource {
    CAP_NONE = 0, CAP_MEMORY, CAP_CPU, CAP_STORAGE, CAP_START_SLO, CAP_PIDS, CAP_THREADS,
    CAP_CGROUP_PIDS, CAP_FILE_MAX, CAP_MOUNT_MAX, CAP_NAMESPACES, CAP_COMMIT, CAP_NOFILE, CAP_NRES
};
const char *cap_resource_name(enum cap_resource r);
/* 1 when `density_name` (density.json "binding") names resource r. */
int cap_resource_matches(enum cap_resource r, const char *density_name);

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

    /* memory model (has_fit: mem_bytes above is the marginal cost at the
       largest fleet measured, the limit comes from the curve) */
    int has_fit;
    struct memfit fit;
    const char *mem_series;     /* what was fitted: "host memory" or "budget cgroup memory" */
    int mem_unresolved;         /* the ramp cannot resolve the cost: bounds only */
    double mem_floor_bytes;     /* PSS + kernel per container: a floor of the cost */
    double pss_bytes;           /* mean PSS per container (user memory, shown apart) */
    double kernel_bytes, kernel_ci_low, kernel_ci_high; /* kernel memory per container */
    /* the floor curve: kernel memory above the run's start plus the PSS sum
       of the fleet, per ramp level (ramp.csv kernel_used_bytes -
       run.json kernel_used_at_start_bytes + pss_sum_bytes), fitted like
       host memory; host memory only (a budget counts its own memory) */
    int has_floor_fit;
    struct memfit floor_fit;
    /* Slab reuse (harness/slabinfo.h; host memory only, not a budget's own
       memory, which is charged per object). slab_state: 0 no slab columns
       (a run before 30 November 2026), 1 empty (/proc/slabinfo unreadable),
       2 used. When used, both curves above are fitted to their series plus
       the bytes of free slab objects the level reused since the ramp's
       start (ramp.csv slab_reused_bytes, at most slab_free_start_bytes):
       what the fleet would cost with no free object left. The memory
       available then grows by slab_bonus_bytes, the reuse at the ramp's
       largest fleet (at most the free bytes at its start): the free
       objects a fill finds are a one-time gift, counted as large as the
       ramp saw it. */
    int slab_state;
    double slab_bonus_bytes;      /* reuse at the largest fleet (mean over repetitions) */
    double slab_free_start_bytes; /* free object bytes at the ramp's start (mean over repetitions) */
    /* Per-CPU free pages (ramp.csv pcp_*; host memory only; NAN: not
       recorded). Host memory in use leaves them out, but MemAvailable at
       the run's start (what the memory available is taken from) and the
       fill's memory guard count them as used: the memory available grows by
       those at the start less those the ramp's largest fleet held (what the
       lists hold while a fleet grows), mean over repetitions. */
    double pcp_adjust_bytes;

    /* kernel objects per container (NAN = not measured) */
    double pids;                /* tasks host-wide (threads included), >= 1 */
    const char *pids_source;
    double cg_pids;             /* tasks charged to the container's cgroup, >= 1 */
    double launch_tasks;        /* tasks launching takes on top of those held (the budget's
                                   pids.peak above pids.current in ramp.csv; runc create's
                                   transient tasks), NAN = not measured */
    double fds, mounts;
    double namespaces;          /* of each kind, 1 */
    double harness_fds;         /* isobench's own descriptors per container (ramp.csv
                                   harness_fds slope), NAN = not measured */
    double harness_fds0;        /* its descriptors with no container (the fit's intercept) */
    double harness_counter_fds; /* of harness_fds, those on cgroup counter files (slope of
                                   harness_counter_fds): the ns driver keeps them open only
                                   below half the open-file limit; NAN = not measured */
    double commit_bytes;        /* Windows: commit charged per container (containers.csv
                                   mem_commit_bytes; Hyper-V: the utility VM's) */
};

/* The memory the fitted curves are inverted at: avail, plus the one-time
   slab bonus when the curves count reused slab objects (slab_state 2), plus
   the per-CPU free pages' adjustment (pcp_adjust_bytes) when recorded. */
double capacity_curve_avail(const struct cap_mode_input *in, double avail);
/* slab_state as a word: "not recorded", "unreadable", "used". */
const char *capacity_slab_state_name(int state);

/* hosts.json "cores": at most this many. */
#define CAP_MAX_CORES (1 << 20)

struct cap_host {
    char name[64];
    int cores;
    double mem_bytes;
    double disk_free_bytes;     /* NAN = unknown (storage not limiting) */
    double cpu_speed;           /* relative to the measured host, 1.0 = same */
    double cpus;                /* > 0: fractional cores (a budget's cpus), used instead of cores */
    int budget;                 /* this "host" is a run's budget */
    double limit[RDL_COUNT];    /* kernel and cgroup limits (rundir.h), NAN = unknown */
};

struct cap_params {
    double reserve_mem_bytes;   /* memory kept for the OS and everything else */
    double cpu_target;          /* fraction of the CPU we may fill, e.g. 0.8 */
    double start_slo_ms;        /* <= 0: no start-latency limit */
    int reserve_set;            /* reserve_mem_bytes given; else max(2 GiB, 10 %) (budget: 5 %) */
    double headroom;            /* fraction of every kernel limit kept free; < 0: the density
                                   guards' margins (pids/threads max(1024, 5 %), a budget's
                                   pids.max 0, others 5 %) */
    double tasks_in_use;        /* >= 0: tasks in use on the host instead of the run's
                                   pids_in_use_at_start (a shared host's load moves) */
    double pid_margin;          /* >= 0: tasks kept free of pid_max and threads-max (the
                                   density guard's --pid-margin); < 0: as headroom says */
};

/* Limits are container counts (floored, >= 0); INFINITY when a resource does
   not limit (cost 0 or unknown). */
struct cap_result {
    double by_mem, by_mem_low, by_mem_high; /* by_mem NAN when memory is unresolved */
    double by_cpu, by_storage, by_start;
    double by[CAP_NRES];        /* every resource's limit (by_mem etc. repeated) */
    double avail[CAP_NRES];     /* the amount the limit divided (bytes, tasks, ...) */
    double expected, low, high;
    enum cap_resource binding;
    int mem_may_bind;           /* memory unresolved and its lower bound is below expected */
    int mem_model;              /* the memfit model behind by_mem (-1: none): the AICc
                                   choice, or among models within MEMFIT_AICC_SUPPORT of it the
                                   one predicting the fewest containers */
    double by_floor;            /* the floor curve's limit (same rule), INFINITY without one */
    int floor_model;            /* its model, -1: none */
    int floor_binds;            /* by_mem is the floor's limit (below the host-memory curve's) */
};

/* The model. Returns 0; -1 with e set when nothing limits (no cost known). */
int capacity_compute(const struct cap_mode_input *in, const struct cap_host *h,
                     const struct cap_params *p, struct cap_result *out, struct err *e);

/* Per-mode costs from a run loaded with RD_CONTAINERS | RD_RAMP. */
int capacity_inputs_from_run(const struct rundir *r, const struct rd_mode *m,
                             struct cap_mode_input *in, struct err *e);

/* The run's own host as a cap_host; with a budget, the budget (memory, cpus,
   pids) is the host. */
void capacity_host_from_run(const struct rundir *r, struct cap_host *h);
/* Kernel limits of the run's host onto a host from hosts.json (same kernel
   defaults assumed; in-use counts and cgroup limits are not carried over). */
void capacity_host_limits_from_run(const struct rundir *r, struct cap_host *h);
/* Memory the model may fill on h: avail = free memory minus the reserve. */
double capacity_mem_avail(const struct cap_host *h, const struct cap_params *p);

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
    /* a measured ceiling for the same mode (density.json), NAN if none */
    double measured;
    char measured_binding[32];
    double error_pct;          /* (expected - measured) / measured x 100 */
    int same_binding;
};

/* Attach the measured ceilings of `dens` (a run directory with density.json,
   may be the same run) to rows of the run's own host: the prediction error. */
void capacity_rows_measured(struct cap_row *rows, int nrows, const struct rundir *dens);


/* Rows for every host x mode of a run (modes in run order). Modes that were
   unavailable or measured nothing get ok = 0 and a reason. */
int capacity_rows(const struct rundir *r, const struct cap_host *hosts, int nhosts,
                  const struct cap_params *p, struct cap_row **rows, int *nrows,
                  struct err *e);

/* Default parameters: the reserve max(2 GiB, 10 %) (a budget: 5 %), 80 %
   CPU target, no start SLO, the density guards' margins on kernel limits. */
void capacity_default_params(struct cap_params *p);

/* The model's command-line options, shared by capacity, report and hosts:
   --reserve-mem SIZE, --cpu-target F (0 < F <= 1), --start-slo-ms N (> 0),
   --headroom F (0 <= F < 1), --pid-margin N (>= 0 tasks), --tasks-in-use N.
   Returns 1 when `opt` is one of them and `val` was applied, 0 when `opt`
   is not one of them, -1 with a message in e when `val` is not valid. */
int cap_parse_option(const char *opt, const char *val, struct cap_params *p, struct err *e);

#endif
