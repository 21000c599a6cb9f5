/*
 * budget_win.c - budgets on Windows: a run with a budget is refused, and why.
 *
 * A job object is the Windows counterpart of a parent cgroup, but the
 * containers isobench runs there are not our processes: a process-isolated
 * container is a server silo that the Host Compute Service (vmcompute)
 * creates as its own job object, and a Hyper-V container is a vmwp.exe
 * worker that the Virtual Machine Management Service starts. HCS offers no
 * field to nest either under a job object of ours (its per-container
 * Processor/Memory limits are per container, not shared), so a run with a
 * budget is refused here with that reason. Windows density is bounded by
 * the commit limit instead, which `isobench density` guards.
 */
#include "budget.h"

#include <errno.h>
#include <string.h>

int budget_create(struct budget *b, const struct scn_budget *sb, const char *run_id, struct err *e)
{
    (void)sb;
    memset(b, 0, sizeof(*b));
    return err_set(e, ENOSYS, "budget for run %s: not available on Windows (HCS cannot place its containers "
                   "in a job object of ours); use the commit guard of `isobench density` instead", run_id);
}

int budget_remove(struct budget *b, struct err *e)
{
    (void)e;
    b->set = 0;
    return 0;
}

int budget_cleanup(const char *run_id, int *removed, struct err *e)
{
    (void)run_id;
    (void)e;
    *removed = 0;
    return 0;
}

int budget_read(const char *cgroup_rel, struct budget_usage *u, struct err *e)
{
    u->mem_bytes = u->mem_working_bytes = u->kmem_bytes = u->pids = u->mem_max_bytes = u->pids_max = -1;
    u->pids_refused = u->oom_kills = u->pids_peak = -1;
    return err_set(e, ENOSYS, "budget %s: no cgroups on Windows", cgroup_rel);
}
