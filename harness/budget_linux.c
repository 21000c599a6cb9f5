/*
 * budget_linux.c - the run's budget cgroup on cgroup v1 (legacy, hybrid)
 * and v2 (see budget.h). The limits are the ordinary hierarchical ones:
 * memory.limit_in_bytes / memory.max, pids.max, and the CFS quota
 * (cpu.cfs_quota_us / cpu.max) for cpus; the per-container cgroups below
 * inherit them.
 */
#include "budget.h"
#include "counters/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BUDGET_TOP "isobench"
#define BUDGET_KILL_MS 10000

int budget_create(struct budget *b, const struct scn_budget *sb, const char *run_id, struct err *e)
{
    enum cgroup_mode m = cgroup_detect();
    struct cgroup_limits lim;

    memset(b, 0, sizeof(*b));
    if (cgroup_check(m, e) < 0)
        return err_wrap(e, "budget for run %s", run_id);
    snprintf(b->cgroup, sizeof(b->cgroup), BUDGET_TOP "/%s", run_id);
    b->memory_bytes = sb->mem_bytes;
    b->pids = sb->pids;
    b->cpus = sb->cpus;
    b->cgroup_version = m == CGROUP_V2 ? 2 : 1;
    lim.mem_bytes = sb->mem_bytes;
    lim.cpus = sb->cpus;
    lim.pids = sb->pids;
    if (cgroup_create(m, b->cgroup, &lim, e) < 0) {
        cgroup_remove_tree(b->cgroup, BUDGET_KILL_MS, NULL, NULL);
        return err_wrap(e, "budget for run %s", run_id);
    }
    b->set = 1;
    return 0;
}

int budget_remove(struct budget *b, struct err *e)
{
    if (!b->set)
        return 0;
    if (cgroup_remove_tree(b->cgroup, BUDGET_KILL_MS, NULL, e) < 0)
        return err_wrap(e, "budget %s", b->cgroup);
    b->set = 0;
    return 0;
}

int budget_cleanup(const char *run_id, int *removed, struct err *e)
{
    char rel[256];
    *removed = 0;
    if (run_id != NULL) {
        snprintf(rel, sizeof(rel), BUDGET_TOP "/%s", run_id);
        return cgroup_remove_tree(rel, BUDGET_KILL_MS, removed, e) < 0 ? err_wrap(e, "budget of run %s", run_id)
                                                                        : 0;
    }
    /* Every run: the drivers' own cleanup removes each run's cgroup
       ("isobench/<run_id>") once its containers are gone. */
    return 0;
}

int budget_read(const char *cgroup_rel, struct budget_usage *u, struct err *e)
{
    enum cgroup_mode m = cgroup_detect();
    struct cgroup_stats st;

    u->mem_bytes = u->mem_working_bytes = u->kmem_bytes = u->pids = u->mem_max_bytes = u->pids_max = -1;
    cgroup_read_events(m, cgroup_rel, &u->pids_refused, &u->oom_kills, &u->pids_peak);
    if (cgroup_read(m, cgroup_rel, &st, e) < 0)
        return err_wrap(e, "budget");
    u->mem_bytes = st.mem_usage_bytes;
    u->mem_working_bytes = st.mem_usage_bytes;
    if (st.mem_usage_bytes >= 0 && st.inactive_file_bytes >= 0 && st.inactive_file_bytes <= st.mem_usage_bytes)
        u->mem_working_bytes = st.mem_usage_bytes - st.inactive_file_bytes;
    u->kmem_bytes = st.kmem_bytes;
    u->pids = st.pids;
    cgroup_read_limits(m, cgroup_rel, &u->mem_max_bytes, &u->pids_max);
    return 0;
}
