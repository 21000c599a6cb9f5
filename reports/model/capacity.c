/*
 * capacity.c - the capacity model and its inputs (see capacity.h).
 */
#include "capacity.h"
#include "input.h"
#include "rundir.h"
#include "stats.h"
#include "stats_compare.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The resources, in enum order: our name and the name `isobench density`
   gives the same resource in density.json "binding" (NULL: the same). */
static const struct {
    enum cap_resource r;
    const char *name, *density_name;
} cap_resources[CAP_NRES] = {
    { CAP_NONE, "none", NULL },
    { CAP_MEMORY, "memory", NULL },
    { CAP_CPU, "cpu", NULL },
    { CAP_STORAGE, "storage", "disk" },
    { CAP_START_SLO, "start-slo", "start_slo" },
    { CAP_PIDS, "pids", NULL },
    { CAP_THREADS, "threads", NULL },
    { CAP_CGROUP_PIDS, "cgroup_pids", NULL },
    { CAP_FILE_MAX, "file_max", NULL },
    { CAP_MOUNT_MAX, "mount_max", NULL },
    { CAP_NAMESPACES, "namespaces", NULL },
    { CAP_COMMIT, "commit", NULL },
    { CAP_NOFILE, "nofile", NULL },
};

/* Linux's PID_MAX_LIMIT (64-bit): no kernel.pid_max is larger, so a run
   that did not record pid_max still cannot be credited with more tasks. */
#define CAP_PID_MAX_LIMIT 4194304.0
#define GIB (1024.0 * 1024 * 1024)

const char *cap_resource_name(enum cap_resource r)
{
    return (r > CAP_NONE && r < CAP_NRES) ? cap_resources[r].name : "none";
}

int cap_resource_matches(enum cap_resource r, const char *density_name)
{
    if (r <= CAP_NONE || r >= CAP_NRES || density_name == NULL)
        return 0;
    if (strcmp(cap_resources[r].name, density_name) == 0)
        return 1;
    if (cap_resources[r].density_name != NULL && strcmp(cap_resources[r].density_name, density_name) == 0)
        return 1;
    /* pid_max and the budget's pids.max both count tasks */
    return (r == CAP_PIDS || r == CAP_CGROUP_PIDS || r == CAP_THREADS) &&
           (strcmp(density_name, "pids") == 0 || strcmp(density_name, "cgroup_pids") == 0 ||
            strcmp(density_name, "threads") == 0);
}

/* floor(avail / cost), INFINITY when cost is unknown or zero. */
static double fit_count(double avail, double cost)
{
    double n;
    if (isnan(cost) || cost <= 0 || isnan(avail))
        return INFINITY;
    if (avail <= 0)
        return 0;
    n = floor(avail / cost);
    return n;
}

double capacity_mem_avail(const struct cap_host *h, const struct cap_params *p)
{
    double base = h->mem_bytes, reserve;
    if (!h->budget && !isnan(h->limit[RDL_MEM_AVAIL]) && h->limit[RDL_MEM_AVAIL] > 0)
        base = h->limit[RDL_MEM_AVAIL];
    if (p->reserve_set)
        reserve = p->reserve_mem_bytes;
    else if (h->budget)
        reserve = 0.05 * h->mem_bytes;
    else
        reserve = fmax(2 * GIB, 0.10 * h->mem_bytes);
    return base - reserve;
}

/* The margin kept free of a kernel limit: --headroom F x limit when given,
   else the defaults of `isobench density`'s guards (harness/density_guard.c),
   so that the prediction and the measured ceiling mean the same thing:
   pid_max and threads-max max(1024, 5 %), a budget's pids.max 0 (the budget
   itself refuses the fork), everything else 5 %. */
static double margin(enum cap_resource r, double limit, double headroom)
{
    if (headroom >= 0)
        return headroom * limit;
    if (r == CAP_PIDS || r == CAP_THREADS)
        return fmax(1024, 0.05 * limit);
    if (r == CAP_COMMIT)
        return fmax(2 * GIB, 0.05 * limit);
    if (r == CAP_NOFILE)
        return fmax(16, 0.05 * limit);
    return r == CAP_CGROUP_PIDS ? 0 : 0.05 * limit;
}

/* What is left of a kernel limit: limit - in use - margin. */
static double left(enum cap_resource r, double limit, double in_use, double headroom)
{
    if (isnan(limit))
        return NAN;
    return limit - (isnan(in_use) ? 0 : in_use) - margin(r, limit, headroom);
}

/* The memory limit under the model choice rule: the AICc choice, then among
   the models the ramp cannot rule out (within MEMFIT_AICC_SUPPORT of it:
   evidence ratio < 8, memfit.h) the one that fills `avail` with the fewest
   containers. Returns the model, -1 when there is none. */
static int rule_solve(const struct memfit *f, double avail, double *ex, double *lo, double *hi)
{
    int k, model = -1;
    if (f->chosen < 0 || memfit_solve(f, f->chosen, avail, 1e9, ex, lo, hi) < 0)
        return -1;
    model = f->chosen;
    for (k = 0; f->scored && k < MF_NMODELS; k++) {
        double e2, l2, h2;
        if (k == f->chosen || !f->m[k].candidate || f->m[k].aicc > f->m[f->chosen].aicc + MEMFIT_AICC_SUPPORT ||
            memfit_solve(f, k, avail, 1e9, &e2, &l2, &h2) < 0 || !(e2 < *ex))
            continue;
        *ex = e2;
        *lo = l2;
        *hi = h2;
        model = k;
    }
    return model;
}

double capacity_curve_avail(const struct cap_mode_input *in, double avail)
{
    /* the curves count reused free slab objects as cost: the ones a fill
       will find again are given back once (capacity.h, slab_state) */
    if (in->slab_state == 2 && in->slab_bonus_bytes > 0)
        avail += in->slab_bonus_bytes;
    if (!isnan(in->pcp_adjust_bytes))
        avail += in->pcp_adjust_bytes;
    return avail;
}

const char *capacity_slab_state_name(int state)
{
    return state == 2 ? "used" : state == 1 ? "unreadable" : "not recorded";
}

/* Memory: the fitted curve when there is one, else avail / cost. With a
   floor curve (kernel memory + PSS, capacity_inputs_from_run), the fleet is
   also no larger than the floor allows: whatever the baseline of host
   memory did, the fleet's own kernel and user memory must fit. */
static void memory_limit(const struct cap_mode_input *in, double avail, struct cap_result *out)
{
    double fixed = (!isnan(in->mem_fixed_bytes) && in->mem_fixed_bytes > 0) ? in->mem_fixed_bytes : 0;
    double fe, fl, fh;
    out->mem_model = out->floor_model = -1;
    out->by_floor = INFINITY;
    out->floor_binds = 0;
    avail = capacity_curve_avail(in, avail);
    if (in->has_floor_fit && (out->floor_model = rule_solve(&in->floor_fit, avail, &fe, &fl, &fh)) >= 0)
        out->by_floor = fe;
    if (in->mem_unresolved) {
        double lo = 0, e0, hi;
        /* bounds only: the floor of the cost gives the most, the fit's upper
           band (when there is a line) the fewest */
        out->by_mem = NAN;
        out->by_mem_high = fit_count(avail, in->mem_floor_bytes);
        if (in->has_fit && memfit_solve(&in->fit, MF_LINEAR, avail, 1e9, &e0, &lo, &hi) < 0)
            lo = 0;
        /* a line whose upper band costs no more than the floor (a flat or
           falling ramp) bounds nothing from below: memory may bind anywhere */
        if (!isfinite(lo) || lo >= out->by_mem_high)
            lo = 0;
        out->by_mem_low = fmin(lo, out->by_mem_high);
        return;
    }
    if (in->has_fit && (out->mem_model = rule_solve(&in->fit, avail, &out->by_mem, &out->by_mem_low,
                                                    &out->by_mem_high)) >= 0) {
        if (out->floor_model >= 0 && fe < out->by_mem) {
            out->by_mem = fe;
            out->by_mem_low = fmin(out->by_mem_low, fl);
            out->by_mem_high = fmin(out->by_mem_high, fh);
            out->floor_binds = 1;
        }
        return;
    }
    avail -= fixed;
    out->by_mem = fit_count(avail, in->mem_bytes);
    out->by_mem_low = isnan(in->mem_bytes_ci_high) ? out->by_mem : fit_count(avail, in->mem_bytes_ci_high);
    out->by_mem_high = isnan(in->mem_bytes_ci_low) ? out->by_mem : fit_count(avail, in->mem_bytes_ci_low);
}

/*
 * Containers isobench's own descriptors allow. Counter files (cgroup
 * memory, CPU, pids) keep descriptors only within half the limit
 * (harness/drivers/ns.c, "counter descriptors"); past that a new
 * container costs only its other descriptors. So: every descriptor per
 * container up to half the limit, then the others alone.
 */
static double nofile_count(const struct cap_mode_input *in, double limit, double avail)
{
    double all = in->harness_fds, kept = in->harness_counter_fds, f0, half, n_half, other;
    if (isnan(kept) || !(kept > 0) || isnan(limit) || isnan(avail))
        return fit_count(avail, all);
    f0 = isnan(in->harness_fds0) ? 0 : in->harness_fds0;
    half = limit / 2;
    if (avail + f0 <= half) /* the margin ends the fill before counters are let go */
        return fit_count(avail, all);
    n_half = fmax(0, (half - f0) / all);
    other = all - kept;
    if (!(other > 1e-9))
        return INFINITY; /* nothing but counter files: they stop at half the limit */
    return floor(n_half + (avail + f0 - half) / other);
}

int capacity_compute(const struct cap_mode_input *in, const struct cap_host *h,
                     const struct cap_params *p, struct cap_result *out, struct err *e)
{
    const double *L = h->limit;
    double speed, cores, hr = isnan(p->headroom) ? -1 : p->headroom, ns_max = NAN, pids, pm, tasks;
    int i, k;

    for (i = 0; i < CAP_NRES; i++) {
        out->by[i] = INFINITY;
        out->avail[i] = NAN;
    }
    out->mem_may_bind = 0;
    out->avail[CAP_MEMORY] = capacity_mem_avail(h, p);
    memory_limit(in, out->avail[CAP_MEMORY], out);
    out->by[CAP_MEMORY] = out->by_mem;

    speed = (h->cpu_speed > 0 && !isnan(h->cpu_speed)) ? h->cpu_speed : 1.0;
    cores = h->cpus > 0 ? h->cpus : (double)h->cores;
    out->avail[CAP_CPU] = cores * speed * p->cpu_target;
    out->by_cpu = out->by[CAP_CPU] = fit_count(out->avail[CAP_CPU], in->cpu_cores);
    out->avail[CAP_STORAGE] = h->disk_free_bytes;
    out->by_storage = out->by[CAP_STORAGE] = fit_count(h->disk_free_bytes, in->storage_bytes);

    out->by_start = INFINITY;
    if (p->start_slo_ms > 0 && in->start_fit) {
        if (in->start_b > 0)
            out->by_start = fmax(0, floor((p->start_slo_ms - in->start_a) / in->start_b));
        else if (in->start_a > p->start_slo_ms)
            out->by_start = 0;
    }
    out->by[CAP_START_SLO] = out->by_start;

    /* kernel objects: every container holds at least one task */
    pids = isnan(in->pids) || in->pids < 1 ? 1 : in->pids;
    pm = p->pid_margin;
    tasks = p->tasks_in_use >= 0 ? p->tasks_in_use : L[RDL_PIDS_IN_USE];
    out->avail[CAP_PIDS] = left(CAP_PIDS, L[RDL_PID_MAX], tasks, hr);
    out->avail[CAP_THREADS] = left(CAP_THREADS, L[RDL_THREADS_MAX], tasks, hr);
    if (pm >= 0) { /* an absolute margin, as the density guard's --pid-margin */
        double used = isnan(tasks) ? 0 : tasks;
        out->avail[CAP_PIDS] = L[RDL_PID_MAX] - used - pm;
        out->avail[CAP_THREADS] = L[RDL_THREADS_MAX] - used - pm;
    }
    out->by[CAP_PIDS] = fit_count(out->avail[CAP_PIDS], pids);
    out->by[CAP_THREADS] = fit_count(out->avail[CAP_THREADS], pids);
    out->avail[CAP_CGROUP_PIDS] = left(CAP_CGROUP_PIDS, L[RDL_CG_PIDS_MAX], in->launch_tasks, hr);
    out->by[CAP_CGROUP_PIDS] = fit_count(out->avail[CAP_CGROUP_PIDS],
                                         isnan(in->cg_pids) || in->cg_pids < 1 ? pids : in->cg_pids);
    out->avail[CAP_FILE_MAX] = left(CAP_FILE_MAX, L[RDL_FILE_MAX], L[RDL_FILE_NR], hr);
    out->by[CAP_FILE_MAX] = fit_count(out->avail[CAP_FILE_MAX], in->fds);
    out->avail[CAP_MOUNT_MAX] = left(CAP_MOUNT_MAX, L[RDL_MOUNT_MAX], L[RDL_MOUNTS_AT_START], hr);
    out->by[CAP_MOUNT_MAX] = fit_count(out->avail[CAP_MOUNT_MAX], in->mounts);
    for (k = RDL_NS_PID; k <= RDL_NS_UTS; k++) /* made by every Linux driver */
        if (!isnan(L[k]) && !(L[k] >= ns_max))
            ns_max = L[k];
    out->avail[CAP_NAMESPACES] = left(CAP_NAMESPACES, ns_max, NAN, hr);
    out->by[CAP_NAMESPACES] = fit_count(out->avail[CAP_NAMESPACES], in->namespaces);
    /* Windows: the commit limit (RAM + page files) binds before RAM does;
       every container's (or utility VM's) commit counts against it */
    out->avail[CAP_COMMIT] = left(CAP_COMMIT, L[RDL_COMMIT_LIMIT], L[RDL_COMMITTED], hr);
    out->by[CAP_COMMIT] = fit_count(out->avail[CAP_COMMIT], in->commit_bytes);
    out->avail[CAP_NOFILE] = left(CAP_NOFILE, fmax(L[RDL_NOFILE_SOFT], L[RDL_NOFILE_HARD]), in->harness_fds0, hr);
    out->by[CAP_NOFILE] = nofile_count(in, fmax(L[RDL_NOFILE_SOFT], L[RDL_NOFILE_HARD]), out->avail[CAP_NOFILE]);

    out->binding = CAP_NONE;
    out->expected = INFINITY;
    for (i = CAP_NONE + 1; i < CAP_NRES; i++)
        if (out->by[i] < out->expected) {
            out->expected = out->by[i];
            out->binding = (enum cap_resource)i;
        }
    if (out->binding == CAP_NONE && !(in->mem_unresolved && isfinite(out->by_mem_high)))
        return err_set(e, EINVAL, "mode %s: no resource limits it (no memory, CPU, storage or "
                       "start cost measured)", in->name);
    /* low/high: memory's interval, the other limits as they are */
    out->low = out->high = INFINITY;
    for (i = CAP_NONE + 1; i < CAP_NRES; i++) {
        if (i == CAP_MEMORY)
            continue;
        out->low = fmin(out->low, out->by[i]);
        out->high = fmin(out->high, out->by[i]);
    }
    out->low = fmin(out->low, out->by_mem_low);
    out->high = fmin(out->high, out->by_mem_high);
    if (in->mem_unresolved) {
        /* memory has bounds only: no more containers than its floor allows,
           and it may bind anywhere above its lower bound */
        if (out->by_mem_high < out->expected) {
            out->expected = out->by_mem_high;
            out->binding = CAP_MEMORY;
        }
        out->mem_may_bind = out->by_mem_low < out->expected;
    }
    return 0;
}

int cap_ols(const double *x, const double *y, size_t n, double *a, double *b)
{
    struct linear_fit f;
    if (stats_linear_fit(x, y, n, &f) < 0)
        return -1;
    *a = f.intercept;
    *b = f.slope;
    return 0;
}

/* Fit start latency vs fleet size: p95 per fleet size when there are at
   least two fleet sizes, each with enough starts for a p95
   (STATS_MIN_N_P95); else the mean (all points). */
static int fit_start(const struct rd_mode *m, struct cap_mode_input *in)
{
    const struct dvec *s = &m->val[RDM_START_MS], *f = &m->start_fleet;
    double gx[64], gy[64], *tmp;
    size_t i, j;
    int ng = 0, small = 0;
    if (s->n == 0)
        return 0;
    tmp = malloc(s->n * sizeof(double));
    if (tmp == NULL)
        return -1;
    for (i = 0; i < f->n && ng < 64; i++) {
        size_t k = 0;
        int seen = 0;
        for (j = 0; j < (size_t)ng; j++)
            if (gx[j] == f->v[i])
                seen = 1;
        if (seen)
            continue;
        for (j = 0; j < s->n; j++)
            if (f->v[j] == f->v[i])
                tmp[k++] = s->v[j];
        qsort(tmp, k, sizeof(double), stats_cmp_double);
        if (k < STATS_MIN_N_P95)
            small = 1;
        gx[ng] = f->v[i];
        gy[ng] = sc_quantile_sorted(tmp, k, 0.95);
        ng++;
    }
    free(tmp);
    if (ng >= 2 && !small && cap_ols(gx, gy, (size_t)ng, &in->start_a, &in->start_b) == 0) {
        in->start_stat = "p95";
        in->start_fit = 1;
    } else if (cap_ols(f->v, s->v, s->n, &in->start_a, &in->start_b) == 0) {
        in->start_stat = "mean";
        in->start_fit = 1;
    } else {
        /* one fleet size: a flat line at the mean */
        double sum = 0;
        for (i = 0; i < s->n; i++)
            sum += s->v[i];
        in->start_a = sum / (double)s->n;
        in->start_b = 0;
        in->start_stat = "mean";
        in->start_fit = 1;
    }
    return 0;
}

/* Mean of a vector, NAN when empty. */
static double vmean(const struct dvec *d)
{
    double sum = 0;
    size_t i;
    for (i = 0; i < d->n; i++)
        sum += d->v[i];
    return d->n ? sum / (double)d->n : NAN;
}

/* Pairs (x[i], y[i]) with y not NAN, into fresh arrays (caller frees). */
static size_t pairs(const struct dvec *x, const struct dvec *y, double **px, double **py)
{
    size_t i, n = 0;
    *px = malloc((x->n ? x->n : 1) * sizeof(double));
    *py = malloc((x->n ? x->n : 1) * sizeof(double));
    if (*px == NULL || *py == NULL)
        return 0;
    for (i = 0; i < x->n && i < y->n; i++)
        if (!isnan(y->v[i])) {
            (*px)[n] = x->v[i];
            (*py)[n++] = y->v[i];
        }
    return n;
}

/* Kernel memory per container: the slope of ramp.csv kernel_used_bytes
   (in a budget, of the budget cgroup's own kernel memory, cgroup_kmem_bytes,
   when every point has it: the host-wide series also moves with the other
   tenants), else the mean cgroup kernel memory of a container
   (containers.csv). */
static void kernel_per_container(const struct rundir *r, const struct rd_mode *m, struct cap_mode_input *in)
{
    double *x, *y;
    struct linear_fit lf;
    int use_cg = r->budget.set && m->ramp_cgroup_kmem.n > 0;
    size_t n, i;
    for (i = 0; use_cg && i < m->ramp_cgroup_kmem.n; i++)
        if (isnan(m->ramp_cgroup_kmem.v[i]))
            use_cg = 0;
    n = pairs(&m->ramp_fleet, use_cg ? &m->ramp_cgroup_kmem : &m->ramp_kernel, &x, &y);
    in->kernel_bytes = in->kernel_ci_low = in->kernel_ci_high = NAN;
    if (n >= 2 && stats_linear_fit(x, y, n, &lf) == 0) {
        in->kernel_bytes = lf.slope;
        if (n >= 3) {
            in->kernel_ci_low = lf.ci95_low;
            in->kernel_ci_high = lf.ci95_high;
        }
    } else if (m->cons[RDC_KMEM].n > 0) {
        in->kernel_bytes = vmean(&m->cons[RDC_KMEM]);
    }
    free(x);
    free(y);
}

/* ---- slab reuse ---- */

/* Free slab objects reused by ramp point i since its repetition's start
   (at most the free bytes there); 0 unless the correction is in use. */
static double slab_reused_at(const struct rd_mode *m, const struct cap_mode_input *in, size_t i)
{
    double r, f0;
    if (in->slab_state != 2)
        return 0;
    r = m->ramp_slab_reused.v[i];
    f0 = m->ramp_slab_free_start.v[i];
    return fmax(0, isnan(f0) ? r : fmin(r, f0));
}

/* Whether ramp.csv has the slab columns at every point (slab_state, see
   capacity.h), and the one-time bonus: the mean over repetitions of the
   reuse at the largest fleet. */
static void slab_inputs(const struct rundir *r, const struct rd_mode *m, struct cap_mode_input *in)
{
    size_t i, nb = 0, nv = 0;
    double xmax = 0, bonus = 0, f0 = 0;
    in->slab_state = 0;
    in->slab_bonus_bytes = in->slab_free_start_bytes = NAN;
    if (!r->ramp_has_slab || m->ramp_slab_reused.n != m->ramp_fleet.n || m->ramp_slab_free_start.n != m->ramp_fleet.n ||
        m->ramp_fleet.n == 0)
        return;
    for (i = 0; i < m->ramp_fleet.n; i++) {
        if (!isnan(m->ramp_slab_reused.v[i]))
            nv++;
        xmax = fmax(xmax, m->ramp_fleet.v[i]);
    }
    if (nv == 0) { /* the columns are there, empty: /proc/slabinfo was not readable */
        in->slab_state = 1;
        return;
    }
    if (nv < m->ramp_fleet.n)
        return; /* some levels without: no correction rather than a mixed series */
    in->slab_state = 2;
    for (i = 0; i < m->ramp_fleet.n; i++) {
        if (m->ramp_fleet.v[i] == xmax) {
            bonus += slab_reused_at(m, in, i);
            f0 += m->ramp_slab_free_start.v[i];
            nb++;
        }
    }
    in->slab_bonus_bytes = bonus / (double)nb;
    in->slab_free_start_bytes = f0 / (double)nb;
}

/* The per-CPU free pages' adjustment (capacity.h pcp_adjust_bytes): the
   mean over repetitions of the pages at the start less those at the
   largest fleet; NAN unless every point has both. */
static void pcp_inputs(const struct rd_mode *m, struct cap_mode_input *in)
{
    size_t i, nb = 0;
    double xmax = 0, sum = 0;
    in->pcp_adjust_bytes = NAN;
    if (m->ramp_pcp.n != m->ramp_fleet.n || m->ramp_pcp_start.n != m->ramp_fleet.n || m->ramp_fleet.n == 0)
        return;
    for (i = 0; i < m->ramp_fleet.n; i++) {
        if (isnan(m->ramp_pcp.v[i]) || isnan(m->ramp_pcp_start.v[i]))
            return;
        xmax = fmax(xmax, m->ramp_fleet.v[i]);
    }
    for (i = 0; i < m->ramp_fleet.n; i++)
        if (m->ramp_fleet.v[i] == xmax) {
            sum += m->ramp_pcp_start.v[i] - m->ramp_pcp.v[i];
            nb++;
        }
    in->pcp_adjust_bytes = sum / (double)nb;
}

/* The floor curve: what the fleet itself holds at each ramp level, its
   kernel memory above the run's start plus its PSS sum. Both are read
   directly, not against an empty-host baseline, so a baseline that drifts
   during the run (kernel memory a torn-down fleet leaves behind raises the
   baseline measured after it) cannot make the fleet look cheaper than it
   is; host memory in use can be no less. Levels without either are left
   out; the curve needs the same 5+ points as the host-memory fit. */
static void floor_curve(const struct rundir *r, const struct rd_mode *m, struct cap_mode_input *in)
{
    double *x, *y, k0 = r->limit[RDL_KERNEL_AT_START];
    size_t i, n = 0;
    in->has_floor_fit = 0;
    if (isnan(k0) || m->ramp_fleet.n == 0)
        return;
    x = malloc(m->ramp_fleet.n * sizeof(double));
    y = malloc(m->ramp_fleet.n * sizeof(double));
    for (i = 0; x != NULL && y != NULL && i < m->ramp_fleet.n && i < m->ramp_kernel.n && i < m->ramp_pss.n; i++)
        if (!isnan(m->ramp_kernel.v[i]) && !isnan(m->ramp_pss.v[i]) && m->ramp_pss.v[i] >= 0) {
            x[n] = m->ramp_fleet.v[i];
            y[n++] = m->ramp_kernel.v[i] - k0 + m->ramp_pss.v[i] + slab_reused_at(m, in, i);
        }
    if (n >= 5 && memfit_fit(x, y, n, &in->floor_fit) == 0 && in->floor_fit.chosen >= 0 && in->floor_fit.scored)
        in->has_floor_fit = 1;
    free(x);
    free(y);
}

/* The memory model: curves fitted to the ramp (memfit.h). With a budget and
   the budget cgroup's memory in ramp.csv, that series (what the budget's
   memory limit counts); else host memory above the baseline. The cost is
   resolved when the line's slope is significantly positive; otherwise only
   bounds are given (the floor: PSS + kernel memory per container). */
static int memory_inputs(const struct rundir *r, const struct rd_mode *m, struct cap_mode_input *in)
{
    double *x = NULL, *y = NULL, slope_lo = NAN;
    size_t n = 0;
    int use_cg = r->budget.set && m->ramp_cgroup.n > 0;
    size_t i;
    for (i = 0; use_cg && i < m->ramp_cgroup.n; i++)
        if (isnan(m->ramp_cgroup.v[i]))
            use_cg = 0;
    in->pcp_adjust_bytes = NAN;
    if (!use_cg && !r->budget.set) {
        slab_inputs(r, m, in);
        pcp_inputs(m, in);
    }
    n = pairs(&m->ramp_fleet, use_cg ? &m->ramp_cgroup : &m->ramp_delta, &x, &y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return -1;
    }
    if (in->slab_state == 2 && n == m->ramp_fleet.n)
        for (i = 0; i < n; i++)
            y[i] += slab_reused_at(m, in, i);
    else if (in->slab_state == 2)
        in->slab_state = 0; /* a level without host memory: points do not line up */
    in->mem_series = use_cg ? "budget cgroup memory" : in->slab_state == 2 ? "host memory + reused slab" : "host memory";
    in->pss_bytes = m->stat[RDM_MEM_PSS].count > 0 ? m->stat[RDM_MEM_PSS].mean : vmean(&m->val[RDM_MEM_PSS]);
    kernel_per_container(r, m, in);
    in->mem_floor_bytes = NAN;
    if (!isnan(in->pss_bytes) || !isnan(in->kernel_bytes))
        in->mem_floor_bytes = (isnan(in->pss_bytes) ? 0 : in->pss_bytes) +
                              (isnan(in->kernel_bytes) || in->kernel_bytes < 0 ? 0 : in->kernel_bytes);
    if (!r->budget.set)
        floor_curve(r, m, in);
    if (r->budget.set && !use_cg && m->val[RDM_MEM_CGROUP].n >= 3) {
        /* a budget without its own memory series in ramp.csv: what the
           budget is charged is the containers' cgroup memory (user and
           kernel memory charged to the container), one mean per container */
        const struct dvec *v = &m->val[RDM_MEM_CGROUP];
        double mean = vmean(v), ss = 0, half;
        for (i = 0; i < v->n; i++)
            ss += (v->v[i] - mean) * (v->v[i] - mean);
        half = stats_t_quantile(0.975, (double)(v->n - 1)) * sqrt(ss / (double)(v->n - 1)) /
               sqrt((double)v->n);
        in->mem_series = "budget: container cgroup memory";
        in->mem_bytes = mean;
        in->mem_bytes_ci_low = mean - half;
        in->mem_bytes_ci_high = mean + half;
        in->mem_fixed_bytes = 0;
        snprintf(in->mem_note, sizeof(in->mem_note), "mean cgroup memory of %zu containers", v->n);
        if (!(mean - half > 0)) {
            in->mem_unresolved = 1;
            snprintf(in->mem_note, sizeof(in->mem_note), "cgroup memory per container not resolved");
        }
    } else if (n >= 2 && memfit_fit(x, y, n, &in->fit) == 0 && in->fit.m[MF_LINEAR].ok) {
        const struct memfit_one *lin = &in->fit.m[MF_LINEAR];
        double se = sqrt(lin->cov[1][1]) / in->fit.xmax, t = in->fit.t95;
        in->has_fit = 1;
        if (isnan(t) && n > 2)
            t = stats_t_quantile(0.975, (double)(n - 2));
        slope_lo = lin->p[1] / in->fit.xmax - t * se;
        in->mem_bytes_ci_low = slope_lo;
        in->mem_bytes_ci_high = lin->p[1] / in->fit.xmax + t * se;
        in->mem_fixed_bytes = lin->p[0] > 0 ? lin->p[0] : 0;
        if (in->fit.chosen >= 0 && slope_lo > 0) {
            in->mem_bytes = memfit_marginal(&in->fit, in->fit.chosen, in->fit.xmax);
        } else {
            in->mem_unresolved = 1;
            in->mem_bytes = lin->p[1] / in->fit.xmax;
            if (n < 3)
                snprintf(in->mem_note, sizeof(in->mem_note), "%zu ramp points: too few for a "
                         "curve with an interval (3 needed)", n);
            else
                snprintf(in->mem_note, sizeof(in->mem_note), "no significant growth of %s over "
                         "%zu points (slope CI reaches 0)", in->mem_series, n);
        }
    } else if (m->marginal.has && m->marginal.slope > 0 && m->marginal.ci_low > 0) {
        /* no usable ramp.csv: summary.json's line */
        in->mem_bytes = m->marginal.slope;
        in->mem_bytes_ci_low = m->marginal.ci_low;
        in->mem_bytes_ci_high = m->marginal.ci_high;
        in->mem_fixed_bytes = isnan(m->marginal.intercept) ? 0 : m->marginal.intercept;
        snprintf(in->mem_note, sizeof(in->mem_note), "linear, summary.json slope (no ramp.csv)");
    } else {
        in->mem_unresolved = 1;
        in->mem_bytes = NAN;
        snprintf(in->mem_note, sizeof(in->mem_note), "%s", n < 2 ? "fewer than 2 ramp levels"
                                                                  : "ramp cannot be fitted");
    }
    free(x);
    free(y);
    return 0;
}

/* Tasks launching takes on top of those the fleet holds: at each ramp level
   whose launch raised the budget's pids.peak, pids.peak - pids.current at
   the level's hold (runc create holds runc and runc init, ~7 tasks, in the
   container's cgroup until the container runs; concurrent launches add
   up). The largest such excess; NAN without budget counters. The fill is
   taken to launch with the ramp's concurrency (both scenario files say 4
   for runc). The first level counts only in the run's first mode: before
   it the budget's peak is the empty budget's. */
static double launch_tasks(const struct rundir *r, const struct rd_mode *m)
{
    const struct dvec *cur = &m->ramp_cg_pids, *pk = &m->ramp_cg_peak;
    double best = NAN, prev = m == &r->modes[0] ? 0 : NAN;
    size_t i;
    for (i = 0; i < cur->n && i < pk->n; i++) {
        double c = cur->v[i], p = pk->v[i];
        if (isnan(c) || isnan(p) || c < 0 || p < 0) {
            prev = NAN;
            continue;
        }
        if (!isnan(prev) && p > prev && !(p - c <= best))
            best = fmax(0, p - c);
        prev = p;
    }
    return best;
}

/* isobench's own descriptors per container: the slope of ramp.csv
   harness_fds against containers, and its value extrapolated to 0. */
static void harness_fds(const struct rd_mode *m, struct cap_mode_input *in)
{
    double *x, *y;
    struct linear_fit lf;
    size_t n = pairs(&m->ramp_fleet, &m->ramp_hfds, &x, &y);
    in->harness_fds = in->harness_fds0 = in->harness_counter_fds = NAN;
    if (n >= 2 && stats_linear_fit(x, y, n, &lf) == 0 && lf.slope > 0) {
        in->harness_fds = lf.slope;
        in->harness_fds0 = fmax(0, lf.intercept);
    }
    free(x);
    free(y);
    n = pairs(&m->ramp_fleet, &m->ramp_hcfds, &x, &y);
    if (n >= 2 && stats_linear_fit(x, y, n, &lf) == 0)
        in->harness_counter_fds = fmin(fmax(0, lf.slope), isnan(in->harness_fds) ? 0 : in->harness_fds);
    free(x);
    free(y);
}

int capacity_inputs_from_run(const struct rundir *r, const struct rd_mode *m,
                             struct cap_mode_input *in, struct err *e)
{
    double a, b;
    memset(in, 0, sizeof(*in));
    snprintf(in->name, sizeof(in->name), "%s", m->name);
    in->mem_bytes_ci_low = in->mem_bytes_ci_high = NAN;
    in->mem_fixed_bytes = 0;
    if (memory_inputs(r, m, in) < 0)
        return err_set(e, ENOMEM, "out of memory");
    in->mem_from_pss = 0;

    /* kernel objects per container (containers.csv), at least one task */
    in->pids = vmean(&m->cons[RDC_PIDS]);
    in->pids_source = "containers.csv pids";
    if (isnan(in->pids) || in->pids < 1) {
        in->pids = 1;
        in->pids_source = "floor: 1 per container (not measured)";
    }
    in->cg_pids = in->pids;
    in->launch_tasks = launch_tasks(r, m);
    in->fds = vmean(&m->cons[RDC_FDS]);
    in->mounts = vmean(&m->cons[RDC_MOUNTS]);
    if (isnan(in->mounts)) {
        /* a driver that cannot say (docker: the engine mounts): the slope of
           the host namespace's mount entries over the ramp (ramp.csv
           mounts_in_use; other tenants' mounts are noise in it, so only here) */
        double *x, *y;
        size_t n = pairs(&m->ramp_fleet, &m->ramp_mounts, &x, &y);
        if (n >= 2 && cap_ols(x, y, n, &a, &b) == 0)
            in->mounts = b > 0 ? b : 0;
        free(x);
        free(y);
    }
    in->namespaces = 1;
    in->commit_bytes = vmean(&m->cons[RDC_COMMIT]);
    harness_fds(m, in);

    in->cpu_cores = NAN;
    in->cpu_source = "";
    if (m->stat[RDM_IDLE_CPU].count > 0 && !isnan(m->stat[RDM_IDLE_CPU].mean)) {
        in->cpu_cores = m->stat[RDM_IDLE_CPU].mean / 100.0; /* share of one core, in % */
        in->cpu_source = "idle_cpu_pct";
    } else if (m->ramp_fleet.n >= 2 && r->host.cores > 0 &&
               cap_ols(m->ramp_fleet.v, m->ramp_cpu.v, m->ramp_fleet.n, &a, &b) == 0) {
        /* host busy % (of all cores) per container -> cores per container */
        in->cpu_cores = b / 100.0 * (double)r->host.cores;
        in->cpu_source = "ramp cpu_busy_pct slope";
    }
    if (!isnan(in->cpu_cores) && in->cpu_cores < 0)
        in->cpu_cores = 0;

    in->storage_bytes = m->stat[RDM_STORAGE].mean;
    if (fit_start(m, in) < 0)
        return err_set(e, ENOMEM, "out of memory");
    return 0;
}

static int is_windows(const struct rundir *r)
{
    return strstr(r->host.os, "indows") != NULL;
}

void capacity_host_limits_from_run(const struct rundir *r, struct cap_host *h)
{
    int i;
    for (i = 0; i < RDL_COUNT; i++)
        h->limit[i] = NAN;
    if (is_windows(r)) {
        h->limit[RDL_COMMIT_LIMIT] = r->limit[RDL_COMMIT_LIMIT];
        h->limit[RDL_COMMITTED] = r->limit[RDL_COMMITTED];
        return;
    }
    h->limit[RDL_PID_MAX] = isnan(r->limit[RDL_PID_MAX]) ? CAP_PID_MAX_LIMIT : r->limit[RDL_PID_MAX];
    h->limit[RDL_PIDS_IN_USE] = r->limit[RDL_PIDS_IN_USE];
    h->limit[RDL_FILE_NR] = r->limit[RDL_FILE_NR];
    h->limit[RDL_MOUNTS_AT_START] = r->limit[RDL_MOUNTS_AT_START];
    for (i = 0; i < RDL_COUNT; i++)
        if (i == RDL_THREADS_MAX || i == RDL_FILE_MAX || i == RDL_MOUNT_MAX ||
            (i >= RDL_NS_PID && i <= RDL_NS_CGROUP))
            h->limit[i] = r->limit[i];
}

void capacity_host_from_run(const struct rundir *r, struct cap_host *h)
{
    int i;
    memset(h, 0, sizeof(*h));
    snprintf(h->name, sizeof(h->name), "%s", r->host.hostname[0] || r->host.label[0] ? rundir_host_name(r) : "run host");
    h->cores = r->host.cores;
    h->mem_bytes = r->host.mem_total_bytes;
    h->disk_free_bytes = r->host.disk_free_bytes;
    h->cpu_speed = 1.0;
    capacity_host_limits_from_run(r, h);
    for (i = 0; i < RDL_COUNT; i++)
        if (isnan(h->limit[i]) && i != RDL_PID_MAX)
            h->limit[i] = r->limit[i];
    if (!r->budget.set)
        return;
    /* the budget is the host */
    h->budget = 1;
    snprintf(h->name, sizeof(h->name), "budget on %s",
             r->host.hostname[0] || r->host.label[0] ? rundir_host_name(r) : "run host");
    if (!isnan(r->budget.memory_bytes))
        h->mem_bytes = r->budget.memory_bytes;
    else if (!isnan(r->limit[RDL_CG_MEM_MAX]))
        h->mem_bytes = r->limit[RDL_CG_MEM_MAX];
    if (!isnan(r->budget.cpus))
        h->cpus = r->budget.cpus;
    if (!isnan(r->budget.pids))
        h->limit[RDL_CG_PIDS_MAX] = r->budget.pids;
}

static int size_field(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v == NULL)
        return 1;
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= INPUT_SIZE_MAX) {
        *out = v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v) && rd_parse_size(v->valuestring, out) == 0)
        return 0;
    return -1;
}

int capacity_parse_hosts(const char *text, const char *fname, struct cap_host **hosts,
                         int *nhosts, struct err *e)
{
    cJSON *j = input_json_parse(text, fname, e), *o;
    struct cap_host *hs = NULL;
    int n = 0, rc = -1, k2;
    if (j == NULL)
        return -1;
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0) {
        err_set(e, EINVAL, "%s: expected a non-empty array of hosts", fname);
        goto out;
    }
    hs = calloc((size_t)cJSON_GetArraySize(j), sizeof(*hs));
    if (hs == NULL) {
        err_set(e, ENOMEM, "out of memory");
        goto out;
    }
    cJSON_ArrayForEach(o, j) {
        struct cap_host *h = &hs[n];
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
        const cJSON *cores = cJSON_GetObjectItemCaseSensitive(o, "cores");
        const cJSON *speed = cJSON_GetObjectItemCaseSensitive(o, "cpu_speed");
        const cJSON *k;
        if (!cJSON_IsObject(o)) {
            err_set(e, EINVAL, "%s: [%d]: expected an object like {\"name\": \"h1\", \"cores\": 16, "
                    "\"memory\": \"64G\"}", fname, n);
            goto out;
        }
        cJSON_ArrayForEach(k, o) {
            if (strcmp(k->string, "name") && strcmp(k->string, "cores") &&
                strcmp(k->string, "memory") && strcmp(k->string, "disk") &&
                strcmp(k->string, "cpu_speed")) {
                err_set(e, EINVAL, "%s: [%d].%s: unknown field (name, cores, memory, disk, cpu_speed)",
                        fname, n, k->string);
                goto out;
            }
        }
        if (!cJSON_IsString(name)) {
            err_set(e, EINVAL, "%s: [%d].name: missing or not a string", fname, n);
            goto out;
        }
        snprintf(h->name, sizeof(h->name), "%s", name->valuestring);
        if (!cJSON_IsNumber(cores) || cores->valuedouble != floor(cores->valuedouble) ||
            input_to_int(cores->valuedouble, 1, CAP_MAX_CORES, &h->cores) < 0) {
            err_set(e, EINVAL, "%s: [%d].cores: missing or not an integer from 1 to %d", fname, n, CAP_MAX_CORES);
            goto out;
        }
        if (size_field(o, "memory", &h->mem_bytes) != 0) {
            err_set(e, EINVAL, "%s: [%d].memory: missing or not a size like \"64G\"", fname, n);
            goto out;
        }
        for (k2 = 0; k2 < RDL_COUNT; k2++)
            h->limit[k2] = NAN;
        h->disk_free_bytes = NAN;
        if (size_field(o, "disk", &h->disk_free_bytes) < 0) {
            err_set(e, EINVAL, "%s: [%d].disk: not a size like \"512G\"", fname, n);
            goto out;
        }
        h->cpu_speed = 1.0;
        if (speed != NULL) {
            if (!cJSON_IsNumber(speed) || speed->valuedouble <= 0 || speed->valuedouble > 1e6) {
                err_set(e, EINVAL, "%s: [%d].cpu_speed: not a positive number", fname, n);
                goto out;
            }
            h->cpu_speed = speed->valuedouble;
        }
        n++;
    }
    *hosts = hs;
    *nhosts = n;
    hs = NULL;
    rc = 0;
out:
    free(hs);
    cJSON_Delete(j);
    return rc;
}

void capacity_default_params(struct cap_params *p)
{
    p->reserve_mem_bytes = 2 * GIB; /* shown; unless reserve_set, max(2 GiB, 10 %) */
    p->reserve_set = 0;
    p->cpu_target = 0.8;
    p->start_slo_ms = 0;
    p->headroom = -1; /* the density guards' margins */
    p->pid_margin = -1;
    p->tasks_in_use = -1;
}

int capacity_rows(const struct rundir *r, const struct cap_host *hosts, int nhosts,
                  const struct cap_params *p, struct cap_row **rows, int *nrows,
                  struct err *e)
{
    struct cap_row *out = calloc((size_t)(nhosts * (r->nmodes ? r->nmodes : 1)), sizeof(*out));
    int h, i, n = 0;
    if (out == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (h = 0; h < nhosts; h++)
        for (i = 0; i < r->nmodes; i++) {
            const struct rd_mode *m = &r->modes[i];
            struct cap_row *row = &out[n++];
            struct err e2;
            err_clear(&e2);
            row->host = &hosts[h];
            row->measured = row->error_pct = NAN;
            if (!m->available) {
                snprintf(row->in.name, sizeof(row->in.name), "%s", m->name);
                snprintf(row->why, sizeof(row->why), "unavailable: %s", m->reason);
                continue;
            }
            if (capacity_inputs_from_run(r, m, &row->in, e) < 0) {
                free(out);
                return -1;
            }
            if (capacity_compute(&row->in, &hosts[h], p, &row->res, &e2) < 0) {
                snprintf(row->why, sizeof(row->why), "%s", e2.msg);
                continue;
            }
            row->ok = 1;
        }
    *rows = out;
    *nrows = n;
    return 0;
}

void capacity_rows_measured(struct cap_row *rows, int nrows, const struct rundir *dens)
{
    int i, k;
    for (i = 0; i < nrows; i++) {
        struct cap_row *row = &rows[i];
        row->measured = row->error_pct = NAN;
        row->measured_binding[0] = '\0';
        row->same_binding = 0;
        if (dens == NULL || !row->ok)
            continue;
        for (k = 0; k < dens->nmodes; k++) {
            const struct rd_density *d = &dens->modes[k].density;
            if (!d->has || strcmp(dens->modes[k].name, row->in.name) != 0)
                continue;
            row->measured = d->ceiling;
            snprintf(row->measured_binding, sizeof(row->measured_binding), "%s", d->binding);
            row->same_binding = cap_resource_matches(row->res.binding, d->binding);
            if (d->ceiling > 0 && isfinite(row->res.expected))
                row->error_pct = (row->res.expected - d->ceiling) / d->ceiling * 100;
        }
    }
}

int cap_parse_option(const char *opt, const char *val, struct cap_params *p, struct err *e)
{
    double v;

    if (strcmp(opt, "--reserve-mem") == 0) {
        if (val == NULL || rd_parse_size(val, &p->reserve_mem_bytes) < 0)
            return err_set(e, EINVAL, "--reserve-mem: '%s' is not a size (e.g. 2G)", val ? val : "");
        p->reserve_set = 1;
        return 1;
    }
    if (strcmp(opt, "--cpu-target") != 0 && strcmp(opt, "--start-slo-ms") != 0 &&
        strcmp(opt, "--headroom") != 0 && strcmp(opt, "--pid-margin") != 0 &&
        strcmp(opt, "--tasks-in-use") != 0)
        return 0;
    if (val == NULL || input_double(val, &v) < 0)
        v = NAN;
    if (strcmp(opt, "--tasks-in-use") == 0) {
        if (val == NULL || !(v >= 0 && v < 1e9))
            return err_set(e, EINVAL, "--tasks-in-use: '%s' is not a number of tasks >= 0", val ? val : "");
        p->tasks_in_use = v;
        return 1;
    }
    if (strcmp(opt, "--pid-margin") == 0) {
        if (val == NULL || !(v >= 0 && v < 1e9))
            return err_set(e, EINVAL, "--pid-margin: '%s' is not a number of tasks >= 0", val ? val : "");
        p->pid_margin = v;
        return 1;
    }
    if (strcmp(opt, "--headroom") == 0) {
        if (val == NULL || !(v >= 0 && v < 1))
            return err_set(e, EINVAL, "--headroom: '%s' is not in [0, 1)", val ? val : "");
        p->headroom = v;
        return 1;
    }
    if (strcmp(opt, "--cpu-target") == 0) {
        if (val == NULL || !(v > 0 && v <= 1))
            return err_set(e, EINVAL, "--cpu-target: '%s' is not in (0, 1]", val ? val : "");
        p->cpu_target = v;
        return 1;
    }
    if (val == NULL || !(v > 0))
        return err_set(e, EINVAL, "--start-slo-ms: '%s' is not a positive number", val ? val : "");
    p->start_slo_ms = v;
    return 1;
}
