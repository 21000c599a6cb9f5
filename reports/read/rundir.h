/*
 * rundir.h - a run directory loaded into plain structs for the reports.
 *
 * rundir_load() reads run.json (host facts, modes and their facts, the
 * scenario), summary.json (per-mode statistics and the marginal memory fit)
 * and, on request, containers.csv (per-container values of every metric, ok
 * rows only), ramp.csv (host memory and CPU per ramp level) and samples.csv
 * (the host cpu_busy_pct series, streamed: other rows are skipped). Every
 * report (capacity, report, compare, hosts) reads these structs and nothing
 * else; none of them parses a file itself.
 *
 * Unknown numbers are NAN ("count":0 statistics have every field NAN).
 *
 * Density and limits (/work/density-contract.md, written by the harness):
 * run.json host.limits (kernel and cgroup limits at run start) and budget;
 * containers.csv pids, fds, mounts, kmem_bytes per container; ramp.csv
 * kernel_used_bytes, pss_sum_bytes, pids_in_use, threads_in_use per level;
 * and, from `isobench density`, density.json (ceiling, binding, evidence per
 * mode) and density.csv (one row per fill step), loaded by density_read.c.
 */
#ifndef ISOBENCH_RUNDIR_H
#define ISOBENCH_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define RD_MAX_MODES 16

struct cJSON;

/* A growable array of doubles. */
struct dvec {
    double *v;
    size_t n, cap;
};
int dvec_push(struct dvec *d, double x);
void dvec_free(struct dvec *d);

/* A summary.json statistics object. */
struct rd_stats {
    int count;
    double mean, sd, min, p50, p95, p99, max; /* p95/p99 NAN when withheld (too few samples) */
    double p50_ci_low, p50_ci_high;           /* 95 % CI of the median, NAN when absent */
};

/* summary.json marginal_mem_bytes: host memory vs fleet size. */
struct rd_marginal {
    int has;            /* slope present */
    double slope, ci_low, ci_high, intercept, r2;
    int points;
};

/* The per-container metrics, in containers.csv and summary.json alike. */
enum rd_metric {
    RDM_START_MS,
    RDM_MEM_PSS,
    RDM_MEM_CGROUP,
    RDM_IDLE_CPU,
    RDM_STORAGE,
    RDM_WORK_NS,
    RDM_COUNT
};
/* Column / summary key of a metric ("start_ms", "mem_pss_bytes", ...). */
const char *rd_metric_key(enum rd_metric m);
/* Find a metric by key; -1 if unknown. */
int rd_metric_find(const char *key);

/* run.json host.limits, in the contract's order. */
enum rd_limit {
    RDL_PID_MAX, RDL_THREADS_MAX, RDL_PIDS_IN_USE, RDL_FILE_MAX, RDL_FILE_NR, RDL_NOFILE_SOFT,
    RDL_NOFILE_HARD, RDL_MOUNT_MAX, RDL_NS_PID, RDL_NS_MNT, RDL_NS_IPC, RDL_NS_UTS, RDL_NS_NET,
    RDL_NS_CGROUP, RDL_MEM_TOTAL, RDL_MEM_AVAIL, RDL_CG_PIDS_MAX, RDL_CG_MEM_MAX,
    RDL_COMMIT_LIMIT, RDL_COMMITTED, RDL_PROCS_IN_USE, RDL_MOUNTS_AT_START, RDL_KERNEL_AT_START,
    RDL_COUNT
};
/* Key of a limit in host.limits ("pid_max", ...). */
const char *rd_limit_key(enum rd_limit l);

/* run.json budget: the parent cgroup every container of the run lived in. */
struct rd_budget {
    int set;
    double memory_bytes, pids, cpus; /* NAN = no limit of that kind */
    char cgroup[256];
    int cgroup_version;
};

/* containers.csv consumption columns (per container). */
enum rd_cons { RDC_PIDS, RDC_FDS, RDC_MOUNTS, RDC_KMEM, RDC_COMMIT, RDC_COUNT };
const char *rd_cons_key(enum rd_cons c);

/* density.csv: one fill step. */
struct rd_dstep {
    double containers, host_used, user_mem, kernel_mem, pids_in_use, threads_in_use;
    double start_p50, start_p99, failures;
    double user_mem_containers;   /* containers the PSS sum covers (NAN: older file) */
    double cgroup_used;           /* the budget cgroup's memory in use (NAN: no budget, older file) */
    char guard[32];
};

/* density.json, one mode. */
struct rd_density {
    int has;
    double ceiling;          /* largest fleet held */
    char binding[32];        /* "pids", "memory", ... as the harness names it */
    char counter[128], detail[256];
    double value, limit, margin;
    int steps, stopped_by_guard;
    struct rd_dstep *step;   /* density.csv rows of this mode, in step order */
    size_t nstep, capstep;
};

struct rd_mode {
    char name[64];
    char driver[32];
    char isolation[32];
    char version[128];
    char reason[256];
    int baseline;
    int available;
    char facts[512];        /* "accel=tcg, machine=microvm" */
    int tcg;                /* facts say accel tcg: not KVM numbers */

    /* summary.json */
    int in_summary;
    int containers, failed;
    struct rd_stats stat[RDM_COUNT];
    struct rd_marginal marginal;
    double host_cpu_busy_pct, cpu_overhead_pct, bare_work_ns;

    /* containers.csv, status ok: values per metric (empty cells skipped) */
    struct dvec val[RDM_COUNT];
    struct dvec rep[RDM_COUNT]; /* the repetition of each val[] entry (0 in files without a rep column) */
    struct dvec start_fleet;   /* fleet_size of each val[RDM_START_MS] entry */
    /* start_ms of the start-latency phase alone (phase "starts": one at a
       time, nothing else launching) and their repetitions; empty when the
       run had no such phase */
    struct dvec starts_val, starts_rep;
    int csv_ok, csv_failed;

    /* ramp.csv: one point per (rep, fleet_size > 0) */
    struct dvec ramp_fleet, ramp_delta, ramp_cpu, ramp_rep;
    /* same points (NAN when the column is absent): kernel memory, PSS sum,
       tasks, threads, and the budget cgroup's memory in use */
    struct dvec ramp_kernel, ramp_pss, ramp_pids, ramp_threads, ramp_cgroup;
    struct dvec ramp_hfds;     /* isobench's own open descriptors (harness_fds) */
    struct dvec ramp_hcfds;    /* of those, on cgroup counter files (harness_counter_fds) */
    struct dvec ramp_cgroup_kmem; /* the budget cgroup's kernel memory (cgroup_kmem_bytes) */
    /* how far host memory moved within each level's hold while the fleet
       stood still (hold_mem_range_bytes; NAN in older runs) */
    struct dvec ramp_hold_range;
    struct dvec ramp_mounts;   /* mount entries in isobench's (the host's) mount namespace (mounts_in_use) */
    struct dvec ramp_cg_pids, ramp_cg_peak; /* the budget's pids.current and pids.peak */
    /* slab caches (harness/slabinfo.h; NAN: /proc/slabinfo unreadable or a
       run before 30 November 2026): free and active object bytes at the
       level, free slots of the start's caches filled since (reused), and
       free / active bytes at the repetition's start and after its teardown */
    struct dvec ramp_slab_free, ramp_slab_active, ramp_slab_reused;
    struct dvec ramp_slab_free_start, ramp_slab_active_start, ramp_slab_free_after, ramp_slab_active_after;
    /* free pages on the per-CPU lists at the level and at the start (bytes;
       NAN: a run before 30 November 2026): host memory in use leaves them out */
    struct dvec ramp_pcp, ramp_pcp_start;
    /* containers.csv consumption, status ok rows, empty cells skipped */
    struct dvec cons[RDC_COUNT];
    /* density.json / density.csv */
    struct rd_density density;

    /* samples.csv host cpu_busy_pct: t in ms since run start */
    struct dvec cpu_t_ms, cpu_pct;
};

struct rd_host {
    char hostname[128];
    char label[128];        /* host.label (run --host-label), "" if none */
    char os[128];
    char kernel[128];
    char arch[32];
    char cpu_model[128];
    char cgroup[16];
    int cores;
    double mem_total_bytes;
    double disk_free_bytes;
    double disk_total_bytes;
};

struct rundir {
    char path[1024];
    char run_id[128];
    char scenario_name[64];
    char baseline[64];      /* name of the baseline mode, "" if none */
    char status[32];
    char version[64];
    char git_sha[64];
    char started_utc[40];
    struct rd_host host;
    int has_limits;           /* run.json has host.limits */
    double limit[RDL_COUNT];  /* NAN = unknown */
    struct rd_budget budget;
    int has_density;          /* density.json read */
    int ramp_has_slab;        /* ramp.csv has the slab columns (a run from 30 November 2026 on) */
    struct cJSON *run;      /* run.json as parsed (owned): the scenario object */
    struct rd_mode modes[RD_MAX_MODES];
    int nmodes;
};

enum {
    RD_CONTAINERS = 1, /* read containers.csv */
    RD_RAMP = 2,       /* read ramp.csv (if present) */
    RD_SAMPLES = 4,    /* read samples.csv host cpu_busy_pct (if present) */
    RD_ALL = 7,
    RD_NO_SUMMARY = 8  /* a run still going (a density fill): run.json and the
                          density result only, no summary.json needed */
};

/* density.json and density.csv of a run directory into r's modes (absent
   files are not an error). Called by rundir_load(). */
int rundir_load_density(struct rundir *r, struct err *e);

/* Load a run directory. `what` is a mask of RD_*. run.json and summary.json
   are always read. */
int rundir_load(const char *path, unsigned what, struct rundir *r, struct err *e);
void rundir_free(struct rundir *r);

/* Mode by name, or NULL. */
struct rd_mode *rundir_mode(struct rundir *r, const char *name);
/* The baseline mode, or NULL. */
struct rd_mode *rundir_baseline(struct rundir *r);
/* Index of a mode (its position in run.json), the colour index in every plot. */
int rundir_mode_index(const struct rundir *r, const struct rd_mode *m);

/* A host of a fleet that left no usable run (unreachable, its run failed,
   a guard tripped) is a directory holding RD_FAILED_FILE,
   {"host": NAME, "reason": TEXT}, written by scripts/fleet. Returns 1 and
   fills name and reason when dir has one, 0 when not, -1 when it is
   malformed. */
#define RD_FAILED_FILE "host-failed.json"
int rundir_failed_host(const char *dir, char *name, size_t nn, char *reason, size_t nr,
                       struct err *e);

/* The name a run's host goes by: run.json host.label (run --host-label),
   else its hostname, else the run id. */
const char *rundir_host_name(const struct rundir *r);
/* Label of run i among runs: its host name (above), or "name (run_id)" when
   another run has the same name. */
const char *rundir_host_label(const struct rundir *runs, int nruns, int i, char *buf, size_t n);

/* Read a whole file into a NUL-terminated buffer (caller frees). */
int rd_read_text(const char *path, char **out, size_t *len, struct err *e);

/* "512M", "2G", "1.5T", "1048576" -> bytes. Returns 0 or -1. */
int rd_parse_size(const char *s, double *out);
/* Text from a run directory or hosts file made safe for one Markdown table
   cell or line: control characters become spaces; | \ ` * [ ] are
   backslash-escaped; < > & become entities. Truncated to fit; returns buf. */
const char *rd_md_text(const char *s, char *buf, size_t n);
/* Human size: "1.6 MiB", "24.0 GiB". */
const char *rd_fmt_bytes(double b, char *buf, size_t n);

#endif
