/*
 * density_guard.c - the guards of a density fill (see density_guard.h).
 * Pure: no I/O, every input in the snapshots.
 */
#include "density_guard.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GIB (1024.0 * 1024.0 * 1024.0)

void density_cfg_defaults(struct density_cfg *c)
{
    c->mem_reserve_bytes = -1;
    c->pid_margin = -1;
    c->cgroup_pids_margin = 0;
    c->cgroup_mem_margin = 0.05;
    c->other_margin = 0.05;
    c->disk_reserve_bytes = -1;
    c->start_slo_ms = 5000;
    c->cpu_max_pct = 95;
    c->max_failures = 0;
    c->max_containers = 1 << 20;
}

/* One limited resource: in use, limit, margin (all in the same unit). */
struct res {
    const char *name;
    char counter[160];
    double used, limit, margin;
};

static double max2(double a, double b)
{
    return a > b ? a : b;
}

static void add(struct res *r, int *n, const char *name, double used, double limit, double margin, const char *fmt,
                const char *arg)
{
    if (used < 0 || limit <= 0)
        return; /* unknown or unlimited: no guard */
    r[*n].name = name;
    snprintf(r[*n].counter, sizeof(r[*n].counter), fmt, arg);
    r[*n].used = used;
    r[*n].limit = limit;
    r[*n].margin = margin;
    (*n)++;
}

#define MAX_RES 16

/* The resources a snapshot can say something about. */
static int resources(const struct density_snap *s, const struct density_cfg *c, struct res *r)
{
    const struct host_snapshot *h = &s->host;
    int n = 0, i;
    double pidm;

    if (h->mem_total_bytes > 0 && h->mem_available_bytes >= 0) {
        double reserve = c->mem_reserve_bytes >= 0 ? (double)c->mem_reserve_bytes
                                                   : max2(2 * GIB, 0.10 * (double)h->mem_total_bytes);
        add(r, &n, "memory", (double)(h->mem_total_bytes - h->mem_available_bytes), (double)h->mem_total_bytes,
            reserve, "MemTotal - MemAvailable (/proc/meminfo)%s", "");
    }
    if (h->commit_limit_bytes > 0)
        add(r, &n, "commit", (double)h->committed_bytes, (double)h->commit_limit_bytes,
            max2(2 * GIB, c->other_margin * (double)h->commit_limit_bytes), "commit charge (GlobalMemoryStatusEx)%s",
            "");
    pidm = c->pid_margin >= 0 ? (double)c->pid_margin : max2(1024, 0.05 * (double)h->pid_max);
    add(r, &n, "pids", (double)h->tasks_in_use, (double)h->pid_max, pidm, "tasks in use (/proc/loadavg)%s", "");
    pidm = c->pid_margin >= 0 ? (double)c->pid_margin : max2(1024, 0.05 * (double)h->threads_max);
    add(r, &n, "threads", (double)h->tasks_in_use, (double)h->threads_max, pidm, "tasks in use (/proc/loadavg)%s",
        "");
    add(r, &n, "cgroup_pids", (double)s->cg.pids, (double)s->cg.pids_max, (double)c->cgroup_pids_margin,
        "pids.current of %s", s->cgroup);
    add(r, &n, "memory", (double)s->cg.mem_working_bytes, (double)s->cg.mem_max_bytes,
        c->cgroup_mem_margin * (double)s->cg.mem_max_bytes, "memory usage - inactive_file of %s", s->cgroup);
    add(r, &n, "file_max", (double)h->file_nr, (double)h->file_max, c->other_margin * (double)h->file_max,
        "fs.file-nr%s", "");
    add(r, &n, "nofile", (double)h->fds_open, (double)h->nofile_soft, max2(16, c->other_margin * (double)h->nofile_soft),
        "isobench's open descriptors (RLIMIT_NOFILE soft)%s", "");
    add(r, &n, "mount_max", (double)h->mounts, (double)h->mount_max, c->other_margin * (double)h->mount_max,
        "mounts in isobench's namespace (fs.mount-max)%s", "");
    for (i = 0; i < NSK_COUNT; i++) {
        /* Every container holds at least one namespace of each kind it
           unshares; the per-user counts are not exported, so the running
           containers stand for them (a lower bound). */
        static char ctr[64];
        snprintf(ctr, sizeof(ctr), "%s", ns_kind_names[i]);
        if (i == NSK_PID || i == NSK_MNT)
            add(r, &n, "namespaces", (double)s->containers, (double)h->user_max_ns[i],
                c->other_margin * (double)h->user_max_ns[i], "containers vs user.max_%s_namespaces", ctr);
    }
    if (s->disk_total_bytes > 0 && s->disk_free_bytes >= 0) {
        double reserve = c->disk_reserve_bytes >= 0 ? (double)c->disk_reserve_bytes
                                                    : max2(1 * GIB, 0.05 * (double)s->disk_total_bytes);
        add(r, &n, "disk", (double)(s->disk_total_bytes - s->disk_free_bytes), (double)s->disk_total_bytes, reserve,
            "disk used under the image cache%s", "");
    }
    return n;
}

static void verdict(struct guard_verdict *v, const char *binding, const char *counter, double value, double limit,
                    double margin, const char *detail)
{
    snprintf(v->binding, sizeof(v->binding), "%s", binding);
    snprintf(v->counter, sizeof(v->counter), "%s", counter);
    v->value = value;
    v->limit = limit;
    v->margin = margin;
    snprintf(v->detail, sizeof(v->detail), "%s", detail);
}

int density_check(const struct density_snap *now, const struct density_cfg *c, struct guard_verdict *v)
{
    struct res r[MAX_RES];
    int n = resources(now, c, r), i;
    char d[256];

    /* The budget's own counters say when a limit already bit: a runtime
       whose helpers need more pids for a moment than they keep (runc init's
       threads) meets pids.max before pids.current shows it. */
    if (now->pids_refused > 0) {
        snprintf(d, sizeof(d), "%lld forks refused at pids.max with %d containers running (pids.events max)",
                 (long long)now->pids_refused, now->containers);
        verdict(v, "cgroup_pids", "pids.events max", (double)now->cg.pids, (double)now->cg.pids_max,
                (double)c->cgroup_pids_margin, d);
        snprintf(v->counter, sizeof(v->counter), "pids.events max of %s", now->cgroup);
        return 1;
    }
    if (now->oom_kills > 0) {
        snprintf(d, sizeof(d), "%lld OOM kills in the budget with %d containers running", (long long)now->oom_kills,
                 now->containers);
        verdict(v, "memory", "oom_kill", (double)now->cg.mem_bytes, (double)now->cg.mem_max_bytes,
                c->cgroup_mem_margin * (double)now->cg.mem_max_bytes, d);
        snprintf(v->counter, sizeof(v->counter), "oom_kill of %s", now->cgroup);
        return 1;
    }
    for (i = 0; i < n; i++)
        if (r[i].used > r[i].limit - r[i].margin) {
            snprintf(d, sizeof(d), "%.0f in use with %d containers running: over the limit %.0f minus the margin %.0f",
                     r[i].used, now->containers, r[i].limit, r[i].margin);
            verdict(v, r[i].name, r[i].counter, r[i].used, r[i].limit, r[i].margin, d);
            return 1;
        }
    /* cgroup v1 counts a refused fork in the forking task's own cgroup (a
       container's, gone with the failed create), not the budget's: launches
       that failed while the budget's pids.peak reached pids.max ran into it */
    if (now->failures > c->max_failures && now->pids_peak_at_max) {
        snprintf(d, sizeof(d), "%d launches failed and the budget's pids.peak reached pids.max %lld (%d containers "
                 "running)", now->failures, (long long)now->cg.pids_max, now->containers);
        verdict(v, "cgroup_pids", "pids.peak", (double)now->cg.pids, (double)now->cg.pids_max,
                (double)c->cgroup_pids_margin, d);
        snprintf(v->counter, sizeof(v->counter), "pids.peak of %s", now->cgroup);
        return 1;
    }
    if (now->failures > c->max_failures) {
        snprintf(d, sizeof(d), "%d launches of the last step failed (tolerated: %d)", now->failures, c->max_failures);
        verdict(v, "launch_failures", "failed launches in the step", now->failures, c->max_failures, NAN, d);
        return 1;
    }
    if (c->start_slo_ms > 0 && !isnan(now->start_p99_ms) && now->start_p99_ms > c->start_slo_ms) {
        snprintf(d, sizeof(d), "start p99 of the last step %.1f ms over the SLO %.1f ms", now->start_p99_ms,
                 c->start_slo_ms);
        verdict(v, "start_slo", "start p99 (ms) of the last step", now->start_p99_ms, c->start_slo_ms, NAN, d);
        return 1;
    }
    if (c->cpu_max_pct < 100 && !isnan(now->cpu_busy_pct) && now->cpu_busy_pct > c->cpu_max_pct) {
        snprintf(d, sizeof(d), "host CPU %.1f %% busy during the hold (limit %.1f %%)", now->cpu_busy_pct,
                 c->cpu_max_pct);
        verdict(v, "cpu", "host CPU busy % (/proc/stat) over the hold", now->cpu_busy_pct, c->cpu_max_pct, NAN, d);
        return 1;
    }
    return 0;
}

/* Per-container cost of resource i: the larger of the last step's and the
   average since the empty host (conservative against noise). <= 0: none. */
static double cost_of(const struct res *base, const struct res *prev, int n_prev, const struct res *now, int n_now)
{
    double avg = -1, last = -1;
    if (base != NULL && n_now > 0)
        avg = (now->used - base->used) / n_now;
    if (prev != NULL && n_now > n_prev)
        last = (now->used - prev->used) / (n_now - n_prev);
    return max2(avg, last);
}

static const struct res *find(const struct res *r, int n, const struct res *like)
{
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(r[i].name, like->name) == 0 && strcmp(r[i].counter, like->counter) == 0)
            return &r[i];
    return NULL;
}

/* Containers that still fit under each margin; the smallest wins (*which). */
static double min_fit(const struct density_snap *base, const struct density_snap *prev, int n_prev,
                      const struct density_snap *now, int n_now, const struct density_cfg *c, struct res *rn, int *nn,
                      int *which, double *cost_out)
{
    struct res rb[MAX_RES], rp[MAX_RES];
    int nb = base ? resources(base, c, rb) : 0, np = prev ? resources(prev, c, rp) : 0, i;
    double best = INFINITY;

    *nn = resources(now, c, rn);
    *which = -1;
    for (i = 0; i < *nn; i++) {
        double cost = cost_of(find(rb, nb, &rn[i]), find(rp, np, &rn[i]), n_prev, &rn[i], n_now);
        double fit;
        if (strcmp(rn[i].name, "namespaces") == 0)
            cost = 1;
        if (!(cost > 0))
            continue;
        fit = floor((rn[i].limit - rn[i].margin - rn[i].used) / cost);
        if (fit < best) {
            best = fit;
            *which = i;
            *cost_out = cost;
        }
    }
    return best;
}

int density_plan(const struct density_snap *base, const struct density_snap *prev, int n_prev,
                 const struct density_snap *now, int n_now, const struct density_cfg *c, int *next,
                 struct guard_verdict *v)
{
    struct res rn[MAX_RES];
    int nn, which, step;
    double cost = 0, fit = min_fit(base, prev, n_prev, now, n_now, c, rn, &nn, &which, &cost);
    char d[256];

    *next = n_now;
    if (which >= 0 && fit < 1) {
        snprintf(d, sizeof(d),
                 "%.0f in use with %d containers, %.1f more per container: the next one would cross the limit %.0f "
                 "minus the margin %.0f",
                 rn[which].used, n_now, cost, rn[which].limit, rn[which].margin);
        verdict(v, rn[which].name, rn[which].counter, rn[which].used, rn[which].limit, rn[which].margin, d);
        return 1;
    }
    if (n_now >= c->max_containers) {
        snprintf(d, sizeof(d), "the fill reached its maximum of %d containers", c->max_containers);
        verdict(v, "max_containers", "containers running", n_now, c->max_containers, NAN, d);
        return 1;
    }
    step = n_now > 0 ? n_now : 1; /* geometric */
    if (which >= 0 && fit < step)
        step = fit <= 4 ? (int)fit : (int)(fit / 2); /* finer near the limit */
    if (step < 1)
        step = 1;
    if (n_now + step > c->max_containers)
        step = c->max_containers - n_now;
    *next = n_now + step;
    return 0;
}

void density_blame_failures(const struct density_snap *base, const struct density_snap *now, int n_now,
                            int launched, const struct density_cfg *c, struct guard_verdict *v)
{
    struct res rn[MAX_RES];
    int nn, which;
    double cost = 0, fit = min_fit(base, NULL, 0, now, n_now, c, rn, &nn, &which, &cost);
    char d[256];

    if (which >= 0 && fit < (launched > 0 ? launched : 1)) {
        snprintf(d, sizeof(d), "%d of %d launches failed with %.0f of %.0f in use (%.1f per container)", now->failures,
                 launched, rn[which].used, rn[which].limit, cost);
        verdict(v, rn[which].name, rn[which].counter, rn[which].used, rn[which].limit, rn[which].margin, d);
        return;
    }
    snprintf(d, sizeof(d), "%d of %d launches of the step failed", now->failures, launched);
    verdict(v, "launch_failures", "failed launches in the step", now->failures, c->max_failures, NAN, d);
}
