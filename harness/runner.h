/*
 * runner.h - run a scenario: launch fleets through the drivers, sample them,
 * and keep every measurement in plain result structs while writing them to
 * the run directory as they happen (harness/results_out.c).
 *
 * The runner measures; harness/summary.c reduces the result structs into
 * summary.json; main.c renders the terminal table. Nothing here formats a
 * report.
 */
#ifndef ISOBENCH_RUNNER_H
#define ISOBENCH_RUNNER_H

#include <stdint.h>
#include <stdio.h>

#include "budget.h"
#include "driver.h"
#include "err.h"
#include "limits.h"
#include "plat.h"
#include "scenario.h"
#include "slabinfo.h"

struct ctr_result {
    int mode_index, rep, fleet_size, index;
    char name[96];
    int64_t create_ns, exec_ns, ready_ns; /* monotonic ns since run start; 0 = not reached */
    double start_ms, exec_ms;             /* NAN when not measured */
    struct counters last;                 /* last sample (-1 = unknown) */
    double idle_cpu_pct;                  /* CPU share of one core during the hold, NAN unknown */
    double work_ns;                       /* cpu workload: time of the fixed work, NAN unknown */
    char status[16];                      /* ok | failed | interrupted | unavailable (whole mode) */
    char phase[8];                        /* ramp | starts (the start-latency phase) */
    char error[512];
};

struct ramp_point {
    int mode_index, rep, fleet_size;
    /* used_bytes: host memory in use (MemTotal - MemAvailable) minus
       isobench's own anonymous memory (harness_bytes), so that the harness
       does not inflate the marginal cost it reports, and minus the free
       pages on the per-CPU lists (pcp_free_bytes; from 30 November 2026). */
    double baseline_used_bytes, used_bytes, delta_bytes, cpu_busy_pct;
    int64_t kernel_used_bytes;   /* Slab + KernelStack + PageTables + Percpu at the level, -1 unknown */
    int64_t pss_sum_bytes;       /* PSS summed over the level's containers, -1 unknown */
    int64_t pids_in_use;         /* processes on the host */
    int64_t threads_in_use;      /* tasks on the host, threads included (what pid_max counts) */
    double harness_bytes;                 /* isobench's anonymous memory at this level, NAN unknown */
    int64_t harness_fds;                  /* isobench's open descriptors at this level, -1 unknown */
    /* The budget cgroup's own memory at the level (-1: no budget or
       unreadable): in use = usage (v1 memory.usage_in_bytes, which kernel
       memory is charged to as well; v2 memory.current) minus inactive file
       pages, what the budget's memory limit and the density memory guard
       count; and its kernel part (v1 memory.kmem.usage_in_bytes, v2
       memory.stat kernel). */
    int64_t cgroup_used_bytes, cgroup_kmem_bytes;
    /* Mount entries in isobench's mount namespace (the host's: what
       fs.mount-max counts there), /proc/self/mountinfo lines; -1 unknown. */
    int64_t mounts_in_use;
    int64_t harness_counter_fds;          /* of those, on cgroup counter files (kept below half the limit) */
    /* How far host memory in use moved during the level's hold while the
       fleet stood still (max - min of the hold's samples): other tenants'
       movement, the noise floor of the marginal slope; NAN unknown. */
    double hold_mem_range_bytes;
    /* The budget's pids.current at the level and its pids.peak so far (-1:
       no budget): a peak that rose during the level's launch, above the
       tasks then held, is what launching takes on top (runc create's
       transient tasks), what the budget's pids.max must also hold. */
    int64_t cgroup_pids, cgroup_pids_peak;
    /* Slab caches (/proc/slabinfo, slabinfo.h; -1 when unreadable): at the
       level, bytes of free objects, of active objects, and of the free
       objects the caches had at the repetition's empty-host baseline that
       are filled now (reused); the free and active bytes at that baseline
       (start) and at the empty-host baseline after teardown (after). */
    int64_t slab_free_bytes, slab_active_bytes, slab_reused_bytes;
    int64_t slab_free_start_bytes, slab_active_start_bytes, slab_free_after_bytes, slab_active_after_bytes;
    /* Free pages on the per-CPU lists (limits.h host_pcp_free_bytes; -1
       unknown) at the level, the start and after teardown: used_bytes and
       the baselines leave them out. */
    int64_t pcp_free_bytes, pcp_free_start_bytes, pcp_free_after_bytes;
};

/* What isobench itself cost during the run (recorded in run.json "harness"). */

/* Figures of isobench's cost per container or per 1,000 containers are
   printed only from a fleet this large: below it the allocator's own steps
   (an arena, a thread's stack) and the fixed cost of a sweep swamp them, so
   the tables say what was measured, in absolute terms. */
#define HARNESS_MIN_FLEET 100

struct harness_usage {
    int64_t rss_start_bytes, rss_max_bytes;  /* resident memory; -1 unknown */
    int64_t anon_start_bytes, anon_max_bytes; /* the anonymous part (what host memory in use counts) */
    int max_running;                      /* largest fleet held */
    int64_t rss_at_max_running_bytes;     /* resident memory while max_running containers were held */
    int64_t cpu_start_ns, cpu_ns;         /* process CPU time at start, and used over the run */
    int64_t sampler_cpu_ns;               /* CPU time of the threads sampling containers, every hold */
    int64_t hold_ns;                      /* time spent holding fleets */
    int64_t cheap_samples, pss_samples;   /* container samples taken, per set */
    int64_t cheap_only_cpu_ns, cheap_only_samples; /* sweeps of the cheap set alone: its own cost */
    int64_t missed_ticks;                 /* cadence ticks skipped because a sweep overran */
    int64_t rows;                         /* samples.csv rows written */
    double ctr_hold_s;                    /* sum over holds of containers x seconds held */
};

struct mode_result {
    struct mode *mode;
    int available;
    char reason[512];
    char version[256];
    unsigned isolation;
    struct cJSON *facts;                  /* owned */
    struct ctr_result *rows;
    size_t nrows, caprows;
    struct ramp_point *ramp;
    size_t nramp, capramp;
    double bare_work_ns;                  /* median bare-process work time, NAN unknown */
    double host_cpu_busy_sum;
    int host_cpu_busy_n;
};

struct run_result {
    char run_id[32];
    char dir[1024];
    struct host_facts host;
    char host_label[128];                 /* run.json host.label; "" = none (the hostname names it) */
    int64_t disk_free_bytes, disk_total_bytes;
    double started_wall, ended_wall;
    int64_t t0_ns;
    char status[16];                      /* running | complete | interrupted | failed */
    char notes[2048];                     /* run-level remarks for run.json (e.g. missing PDH counters) */
    struct harness_usage harness;
    const struct scenario *scn;
    struct budget budget;                 /* the run's budget cgroup (budget.set = 0: none) */
    struct host_snapshot limits;          /* host limits and use at the start (run.json host.limits) */
    int64_t cgroup_pids_max, cgroup_mem_max_bytes; /* of the budget or the enclosing cgroup, -1 none */
    struct mode_result modes[SCN_MAX_MODES];
    int nmodes;
};

struct run_opts {
    const char *out_dir;   /* NULL = results/<UTC timestamp> */
    FILE *progress;        /* progress lines (progress.h); NULL = silent */
    int progress_live;     /* redraw in place (a terminal), else plain periodic lines */
    const char *host_label; /* --host-label: the host's name in multi-host
                               reports (e.g. Ansible's inventory_hostname); NULL = none */
};

/* Run the scenario. Fills r (free with run_result_free) and writes the run
   directory. Returns 0 when the run completed (individual containers may
   have failed: see their rows), negative on a run-level failure. An
   interrupted run returns 0 with r->status "interrupted". */
int run_scenario(struct scenario *s, const struct run_opts *o, struct run_result *r, struct err *e);
void run_result_free(struct run_result *r);

/*
 * The pieces run_scenario is made of, for callers that choose their own
 * fleet sizes (harness/density.c). A run is opened with run_begin and
 * closed with run_end; in between, one mode at a time is opened
 * (run_mode_open: probe, prepare; r->modes[i].available says whether it
 * can run), grown (run_launch_to), held and sampled (run_hold), recorded
 * (run_level_take, then run_ramp_write once the empty host is measured again) and closed (run_mode_close tears its fleet down).
 */
struct run_ctx;
typedef int (*run_hold_check)(void *arg); /* nonzero: end the hold now */

int run_begin(struct scenario *s, const struct run_opts *o, struct run_result *r, struct run_ctx **x,
              struct err *e);
int run_end(struct run_ctx *x, int rc, struct err *e);
/* Room for max_containers launches of mode i. Negative on a run-level failure. */
int run_mode_open(struct run_ctx *x, int mode_index, int max_containers, struct err *e);
void run_mode_close(struct run_ctx *x);
/* Launch containers until target have been launched in this mode, recorded
   with fleet_size = level. Returns how many of these launches failed. */
int run_launch_to(struct run_ctx *x, int target, int level);
/* Hold the fleet for hold_ms, sampling; check (may be NULL) is asked after
   every sample. Returns the median host memory in use (NAN unknown). */
double run_hold(struct run_ctx *x, double *cpu_busy, run_hold_check check, void *arg);
void run_teardown_all(struct run_ctx *x);
int run_running(struct run_ctx *x);
/* Host memory in use now, also written to samples.csv. */
int run_host_used(struct run_ctx *x, double *used, int64_t *t_ns);
/* The empty host's slab caches and per-CPU free pages: run_mark_start
   takes them at the empty-host baseline before the first level (what
   ramp.csv's reused bytes are counted from, and its start columns),
   run_mark_after at the baseline after teardown (its after columns);
   run_slab_now only reads the caches (reused against the start). Slab
   totals -1 when /proc/slabinfo cannot be read. */
void run_mark_start(struct run_ctx *x, struct slab_totals *t);
void run_mark_after(struct run_ctx *x, struct slab_totals *t);
void run_slab_now(struct run_ctx *x, struct slab_totals *t);
/* One held level, measured at the end of its hold: ramp.csv's row before
   its empty-host baseline is known (that comes after teardown). */
struct run_level {
    int level;
    double used, busy;       /* median host memory in use over the hold, host CPU busy % */
    int64_t t_ns;            /* when it was taken */
    struct ramp_point p;     /* the rest of the row (kernel memory, PSS, pids, budget memory ...) */
};
/* Take the level of the fleet now running (after run_hold). */
void run_level_take(struct run_ctx *x, int level, double used, double busy, struct run_level *lv);
/* Write ramp.csv rows for n levels, each with the empty-host baseline
   interpolated linearly in time between base0 (taken at t0, before the
   first level) and base1 (at t1, after teardown); base1 NAN: base0. */
int run_ramp_write(struct run_ctx *x, const struct run_level *lv, int n, double base0, int64_t t0, double base1,
                   int64_t t1);

/* A fresh run id: "ib" + 8 hex digits (short: it names cgroups and hostnames). */
void run_new_id(char *buf, size_t n);

#endif
