/*
 * budget.h - the run's budget: one parent cgroup with memory, pids and CPU
 * limits that holds every container of the run (`--budget
 * memory=512M,pids=1000,cpus=1` or the scenario key "budget").
 *
 * The budget cgroup is "isobench/<run_id>" (cgroup v1: in the memory, cpu,
 * cpuacct and pids hierarchies; v2: the unified tree). The runner creates it
 * before the first container and removes it after the last; every driver
 * places its containers below it (see struct ctr.cgroup_parent). With a
 * budget the run behaves as if the budget were the host: Kubernetes' node
 * allocatable, and a fill that ends in seconds on any machine.
 *
 * Linux: budget_linux.c. Windows: budget_win.c refuses (see there why).
 */
#ifndef ISOBENCH_BUDGET_H
#define ISOBENCH_BUDGET_H

#include <stdint.h>

#include "err.h"
#include "scenario.h"

struct cJSON;

struct budget {
    int set;                /* 0 = the run has no budget */
    int64_t memory_bytes;   /* 0 = no memory limit */
    int pids;               /* 0 = no pids limit */
    double cpus;            /* 0 = no CPU limit */
    char cgroup[128];       /* "isobench/<run_id>", relative to the cgroup root */
    int cgroup_version;     /* 1 (v1 and hybrid hosts) or 2 */
};

/* Create the budget cgroup of run_id with sb's limits. */
int budget_create(struct budget *b, const struct scn_budget *sb, const char *run_id, struct err *e);
/* Kill whatever is still inside, remove the cgroup (and every child a
   runtime or engine left) from every hierarchy. Safe on an unset budget. */
int budget_remove(struct budget *b, struct err *e);
/* `isobench cleanup RUN_ID`: the same for a crashed run; *removed counts
   the cgroups removed. run_id NULL: nothing (the drivers' cleanup removes
   each run's emptied cgroup). */
int budget_cleanup(const char *run_id, int *removed, struct err *e);

/* Usage of the budget cgroup now; -1 = unknown. */
struct budget_usage {
    int64_t mem_bytes;          /* usage (v1 usage_in_bytes, v2 memory.current) */
    int64_t mem_working_bytes;  /* usage minus inactive file pages (what cannot be reclaimed freely) */
    int64_t kmem_bytes;
    int64_t pids;               /* pids.current */
    int64_t mem_max_bytes;      /* the limits in force */
    int64_t pids_max;
    int64_t pids_refused;       /* forks refused at pids.max so far (pids.events "max") */
    int64_t oom_kills;          /* OOM kills inside the budget so far */
    int64_t pids_peak;          /* highest pids.current so far (pids.peak) */
};
int budget_read(const char *cgroup_rel, struct budget_usage *u, struct err *e);

/* run.json's "budget" object (JSON null when b is unset). */
struct cJSON *budget_to_json(const struct budget *b);

#endif
