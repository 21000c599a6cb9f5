/*
 * density.c - the density fill (see density.h). It drives the runner's
 * pieces (run_begin, run_mode_open, run_launch_to, run_hold, run_mode_close,
 * run_end) with fleet sizes chosen by density_plan, and writes density.csv
 * and density.json next to the run's files.
 */
#include "density.h"
#include "image.h"
#include "results_out.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Containers launched between two guard checks within one step. */
#define LAUNCH_CHUNK 32

static const char *const density_csv_columns =
    "mode,step,containers,host_used_bytes,user_mem_bytes,kernel_mem_bytes,slab_bytes,kernelstack_bytes,"
    "pagetables_bytes,percpu_bytes,cgroup_kmem_bytes,pids_in_use,threads_in_use,start_p50_ms,start_p99_ms,failures,"
    "guard,user_mem_containers,cgroup_used_bytes,slab_free_bytes,slab_active_bytes,slab_reused_bytes";

struct fill {
    struct run_ctx *x;
    struct run_result *r;
    const struct density_cfg *cfg;
    int mode_index;
    FILE *csv;
    struct density_snap base;      /* the empty host before the mode's first step */
    struct guard_verdict hold_trip;
    int hold_tripped;
};

static void snap_take(struct fill *f, struct density_snap *s)
{
    struct err e;
    memset(s, 0, sizeof(*s));
    if (host_snapshot_read(NULL, &s->host, &e) < 0)
        memset(&s->host, 0xff, sizeof(s->host));
    s->cg.mem_bytes = s->cg.mem_working_bytes = s->cg.kmem_bytes = s->cg.pids = -1;
    s->cg.mem_max_bytes = s->cg.pids_max = s->cg.pids_refused = s->cg.oom_kills = s->cg.pids_peak = -1;
    if (f->r->budget.set) {
        snprintf(s->cgroup, sizeof(s->cgroup), "%s", f->r->budget.cgroup);
        budget_read(f->r->budget.cgroup, &s->cg, &e);
    }
    s->disk_free_bytes = s->disk_total_bytes = -1;
    if (plat_disk_free(image_cache_dir(), &s->disk_free_bytes, &s->disk_total_bytes, &e) < 0)
        s->disk_free_bytes = s->disk_total_bytes = -1;
    s->containers = run_running(f->x);
    /* events since the mode's empty-host snapshot (the budget outlives modes) */
    s->pids_refused = s->oom_kills = 0;
    if (f->base.host.t_ns > 0 && s->cg.pids_refused > f->base.cg.pids_refused && f->base.cg.pids_refused >= 0)
        s->pids_refused = s->cg.pids_refused - f->base.cg.pids_refused;
    if (f->base.host.t_ns > 0 && s->cg.oom_kills > f->base.cg.oom_kills && f->base.cg.oom_kills >= 0)
        s->oom_kills = s->cg.oom_kills - f->base.cg.oom_kills;
    /* the budget was full at some moment of this mode (a runtime's
       transient helpers), though pids.current is below pids.max again now */
    s->pids_peak_at_max = 0;
    if (f->base.host.t_ns > 0 && s->cg.pids_max > 0 && s->cg.pids_peak >= s->cg.pids_max &&
        f->base.cg.pids_peak >= 0 && f->base.cg.pids_peak < s->cg.pids_max)
        s->pids_peak_at_max = 1;
    s->cpu_busy_pct = NAN;
    s->start_p99_ms = NAN;
}

/* The resource guards only (the step's own guards come after the hold). */
static int resource_trip(struct fill *f, struct guard_verdict *v)
{
    struct density_snap s;
    snap_take(f, &s);
    return density_check(&s, f->cfg, v);
}

static int hold_check(void *arg)
{
    struct fill *f = arg;
    if (f->hold_tripped)
        return 1;
    f->hold_tripped = resource_trip(f, &f->hold_trip);
    return f->hold_tripped;
}

/* Start p50/p99 and failures of the launches recorded at `level`. */
static void step_starts(struct fill *f, int level, double *p50, double *p99, int *failures)
{
    const struct mode_result *mr = &f->r->modes[f->mode_index];
    double *v = malloc((mr->nrows + 1) * sizeof(*v));
    size_t i, n = 0;
    struct summary_stats st;

    *p50 = *p99 = NAN;
    *failures = 0;
    for (i = 0; i < mr->nrows; i++) {
        const struct ctr_result *c = &mr->rows[i];
        if (c->fleet_size != level)
            continue;
        if (strcmp(c->status, "failed") == 0)
            (*failures)++;
        else if (v != NULL && !isnan(c->start_ms))
            v[n++] = c->start_ms;
    }
    if (n > 0 && stats_summarize(v, n, &st) == 0) {
        /* A step may launch only a few containers: its p99 is then read
           straight off the sorted starts (the slowest, for fewer than 100),
           because the start SLO guard needs it at every step. */
        qsort(v, n, sizeof(*v), stats_cmp_double);
        *p50 = st.p50;
        *p99 = stats_percentile_sorted(v, n, 99);
    }
    free(v);
}

static void put_i(FILE *f, int64_t v)
{
    if (v >= 0)
        fprintf(f, ",%lld", (long long)v);
    else
        fputs(",", f);
}

/* A signed difference from the empty host; empty cell when either is unknown. */
static void put_delta(FILE *f, int64_t now, int64_t base)
{
    if (now >= 0 && base >= 0)
        fprintf(f, ",%lld", (long long)(now - base));
    else
        fputs(",", f);
}

/* PSS summed over the running containers' last samples (-1 unknown) and how
   many containers it covers. */
struct pss_total {
    int64_t bytes;
    int containers;
};

/* One density.csv row. Kernel memory columns are deltas from the empty host;
   the slab columns are read now (reused: against the empty host's caches). */
static void csv_row(struct fill *f, int step, int containers, double host_used, const struct pss_total *pss,
                    const struct density_snap *s, double p50, double p99, int failures, const char *guard)
{
    struct slab_totals st;
    const struct host_snapshot *h = &s->host, *b = &f->base.host;
    FILE *o = f->csv;
    if (o == NULL)
        return;
    run_slab_now(f->x, &st);
    fprintf(o, "%s,%d,%d", f->r->modes[f->mode_index].mode->name, step, containers);
    put_i(o, isnan(host_used) ? -1 : (int64_t)host_used);
    put_i(o, pss->bytes);
    put_delta(o, host_kernel_bytes(h), host_kernel_bytes(b));
    put_delta(o, h->slab_bytes, b->slab_bytes);
    put_delta(o, h->kernelstack_bytes, b->kernelstack_bytes);
    put_delta(o, h->pagetables_bytes, b->pagetables_bytes);
    put_delta(o, h->percpu_bytes, b->percpu_bytes);
    put_i(o, s->cg.kmem_bytes);
    put_i(o, h->procs_in_use);
    put_i(o, h->tasks_in_use);
    if (!isnan(p50))
        fprintf(o, ",%.3f", p50);
    else
        fputs(",", o);
    if (!isnan(p99))
        fprintf(o, ",%.3f", p99);
    else
        fputs(",", o);
    fprintf(o, ",%d,%s", failures, guard ? guard : "");
    put_i(o, pss->containers);
    put_i(o, s->cg.mem_working_bytes); /* what the memory guard compares with the budget's limit */
    put_i(o, st.free_bytes);
    put_i(o, st.active_bytes);
    put_i(o, st.reused_bytes);
    fputc('\n', o);
    fflush(o);
}

/* The hold's last sweep reads every set of every running container, so the
   sum covers the whole step (containers: how many it covers). */
static struct pss_total pss_sum(struct fill *f)
{
    const struct mode_result *mr = &f->r->modes[f->mode_index];
    struct pss_total t = { 0, 0 };
    size_t i;
    for (i = 0; i < mr->nrows; i++) {
        const struct ctr_result *c = &mr->rows[i];
        if (strcmp(c->status, "ok") == 0 && c->ready_ns > 0 && c->last.mem_pss_bytes >= 0) {
            t.bytes += c->last.mem_pss_bytes;
            t.containers++;
        }
    }
    if (t.containers == 0)
        t.bytes = -1;
    return t;
}

static void put_bytes(cJSON *o, const char *key, int64_t v)
{
    if (v >= 0)
        cJSON_AddNumberToObject(o, key, (double)v);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *density_json(const struct run_result *r, const struct density_result *d)
{
    cJSON *doc = cJSON_CreateObject(), *modes, *cfg;
    int i;
    cJSON_AddNumberToObject(doc, "schema", 1);
    cJSON_AddStringToObject(doc, "run_id", r->run_id);
    cJSON_AddItemToObject(doc, "budget", budget_to_json(&r->budget));
    cfg = cJSON_AddObjectToObject(doc, "guards");
    cJSON_AddNumberToObject(cfg, "mem_reserve_bytes", (double)d->cfg.mem_reserve_bytes);
    cJSON_AddNumberToObject(cfg, "pid_margin", (double)d->cfg.pid_margin);
    cJSON_AddNumberToObject(cfg, "cgroup_pids_margin", (double)d->cfg.cgroup_pids_margin);
    cJSON_AddNumberToObject(cfg, "cgroup_mem_margin", d->cfg.cgroup_mem_margin);
    cJSON_AddNumberToObject(cfg, "other_margin", d->cfg.other_margin);
    cJSON_AddNumberToObject(cfg, "disk_reserve_bytes", (double)d->cfg.disk_reserve_bytes);
    cJSON_AddNumberToObject(cfg, "start_slo_ms", d->cfg.start_slo_ms);
    cJSON_AddNumberToObject(cfg, "cpu_max_pct", d->cfg.cpu_max_pct);
    cJSON_AddNumberToObject(cfg, "max_failures", d->cfg.max_failures);
    cJSON_AddNumberToObject(cfg, "max_containers", d->cfg.max_containers);
    modes = cJSON_AddArrayToObject(doc, "modes");
    for (i = 0; i < r->nmodes; i++) {
        const struct density_mode_result *m = &d->modes[i];
        cJSON *o, *ev;
        if (!m->ran)
            continue;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", r->modes[i].mode->name);
        cJSON_AddNumberToObject(o, "ceiling", m->ceiling);
        cJSON_AddStringToObject(o, "binding", m->binding.binding);
        ev = cJSON_AddObjectToObject(o, "evidence");
        cJSON_AddStringToObject(ev, "counter", m->binding.counter);
        if (isnan(m->binding.value))
            cJSON_AddNullToObject(ev, "value");
        else
            cJSON_AddNumberToObject(ev, "value", m->binding.value);
        if (isnan(m->binding.limit))
            cJSON_AddNullToObject(ev, "limit");
        else
            cJSON_AddNumberToObject(ev, "limit", m->binding.limit);
        if (isnan(m->binding.margin))
            cJSON_AddNullToObject(ev, "margin");
        else
            cJSON_AddNumberToObject(ev, "margin", m->binding.margin);
        cJSON_AddStringToObject(ev, "detail", m->binding.detail);
        cJSON_AddNumberToObject(o, "steps", m->steps);
        cJSON_AddBoolToObject(o, "stopped_by_guard", m->stopped_by_guard);
        if (isnan(m->baseline_before_bytes))
            cJSON_AddNullToObject(o, "baseline_before_bytes");
        else
            cJSON_AddNumberToObject(o, "baseline_before_bytes", m->baseline_before_bytes);
        if (isnan(m->baseline_after_bytes))
            cJSON_AddNullToObject(o, "baseline_after_bytes");
        else
            cJSON_AddNumberToObject(o, "baseline_after_bytes", m->baseline_after_bytes);
        put_bytes(o, "slab_free_before_bytes", m->slab_free_before_bytes);
        put_bytes(o, "slab_free_after_bytes", m->slab_free_after_bytes);
        put_bytes(o, "slab_active_before_bytes", m->slab_active_before_bytes);
        put_bytes(o, "slab_active_after_bytes", m->slab_active_after_bytes);
        cJSON_AddItemToArray(modes, o);
    }
    return doc;
}

static void set_binding(struct density_mode_result *m, const char *name, const char *detail)
{
    memset(&m->binding, 0, sizeof(m->binding));
    snprintf(m->binding.binding, sizeof(m->binding.binding), "%s", name);
    m->binding.value = m->binding.limit = m->binding.margin = NAN;
    snprintf(m->binding.detail, sizeof(m->binding.detail), "%s", detail);
}

/* Fill one (available) mode until a guard binds. */
static void fill_mode(struct fill *f, struct density_mode_result *m)
{
    const struct scenario *s = f->r->scn;
    struct density_snap prev, now;
    int n = 0, n_prev = 0, have_prev = 0, step = 0, next, nlevels = 0, caplevels = 0;
    double base_used = NAN, base_after = NAN;
    int64_t t, t0 = 0, t1 = 0;
    struct run_level *levels = NULL;
    const struct pss_total no_pss = { -1, 0 };

    m->ran = 1;
    m->baseline_before_bytes = m->baseline_after_bytes = NAN;
    m->slab_free_after_bytes = m->slab_active_after_bytes = -1;
    set_binding(m, "interrupted", "the fill was interrupted");
    plat_sleep_ms(s->settle_ms);
    if (run_host_used(f->x, &base_used, &t0) < 0)
        base_used = NAN;
    m->baseline_before_bytes = base_used;
    {
        struct slab_totals st;
        run_mark_start(f->x, &st);
        m->slab_free_before_bytes = st.free_bytes;
        m->slab_active_before_bytes = st.active_bytes;
    }
    memset(&f->base, 0, sizeof(f->base)); /* no events to subtract yet */
    snap_take(f, &f->base);
    csv_row(f, 0, 0, base_used, &no_pss, &f->base, NAN, NAN, 0, NULL);
    now = f->base;
    while (!plat_interrupted()) {
        struct guard_verdict v;
        double used, busy, p50, p99;
        int failures, launched = n, tripped = 0, target;

        /* before the step: nothing over a margin, and room for one more */
        if (density_check(&now, f->cfg, &v) ||
            density_plan(&f->base, have_prev ? &prev : NULL, n_prev, &now, n, f->cfg, &next, &v)) {
            m->binding = v;
            m->stopped_by_guard = strcmp(v.binding, "max_containers") != 0;
            break;
        }
        step++;
        m->steps = step;
        /* launch in chunks, with the resource guards between them */
        for (target = n; target < next && !plat_interrupted();) {
            int upto = target + LAUNCH_CHUNK < next ? target + LAUNCH_CHUNK : next;
            run_launch_to(f->x, upto, next);
            launched = upto;
            target = upto;
            if (target < next && resource_trip(f, &v)) {
                tripped = 1;
                break;
            }
        }
        if (plat_interrupted())
            break;
        if (!tripped) {
            plat_sleep_ms(s->settle_ms);
            f->hold_tripped = 0;
            used = run_hold(f->x, &busy, hold_check, f);
            if (f->hold_tripped) {
                tripped = 1;
                v = f->hold_trip;
            }
        } else {
            run_host_used(f->x, &used, &t);
            busy = NAN;
        }
        step_starts(f, next, &p50, &p99, &failures);
        snap_take(f, &now);
        now.cpu_busy_pct = busy;
        now.start_p99_ms = p99;
        now.failures = failures;
        if (!tripped && density_check(&now, f->cfg, &v))
            tripped = 1;
        if (tripped && failures > f->cfg->max_failures && strcmp(v.binding, "launch_failures") == 0)
            density_blame_failures(&f->base, &now, now.containers, launched - n, f->cfg, &v);
        {
            struct pss_total pss = pss_sum(f);
            csv_row(f, step, now.containers, used, &pss, &now, p50, p99, failures, tripped ? v.binding : NULL);
        }
        if (tripped) {
            m->binding = v;
            m->stopped_by_guard = 1;
            break;
        }
        if (!isnan(used) && !isnan(base_used)) {
            if (nlevels == caplevels) {
                int cap = caplevels ? caplevels * 2 : 32;
                struct run_level *n2 = realloc(levels, (size_t)cap * sizeof(*n2));
                if (n2 != NULL) {
                    levels = n2;
                    caplevels = cap;
                }
            }
            if (nlevels < caplevels)
                run_level_take(f->x, next, used, busy, &levels[nlevels++]);
        }
        m->ceiling = now.containers;
        prev = now;
        have_prev = 1;
        n_prev = n;
        n = now.containers;
        if (n < next) { /* some containers died during the hold */
            set_binding(m, "launch_failures", "containers of the step exited during the hold");
            m->stopped_by_guard = 1;
            break;
        }
    }
    if (plat_interrupted())
        set_binding(m, "interrupted", "SIGINT/SIGTERM: the fill was stopped and torn down");
    /* the empty host again after teardown: ramp.csv's baseline is
       interpolated in time between the two, as `run` does, so that drift
       over a long fill (other tenants, page cache) stays out of the curve */
    run_teardown_all(f->x);
    if (!plat_interrupted() && nlevels > 0) {
        struct slab_totals st;
        plat_sleep_ms(s->settle_ms);
        if (run_host_used(f->x, &base_after, &t1) < 0)
            base_after = NAN;
        m->baseline_after_bytes = base_after;
        run_mark_after(f->x, &st);
        m->slab_free_after_bytes = st.free_bytes;
        m->slab_active_after_bytes = st.active_bytes;
    }
    if (nlevels > 0)
        run_ramp_write(f->x, levels, nlevels, base_used, t0, base_after, t1);
    free(levels);
}

int density_run(struct scenario *s, const struct run_opts *o, const struct density_cfg *cfg, struct run_result *r,
                struct density_result *d, struct err *e)
{
    struct fill f;
    char path[2048];
    int i, rc = 0;

    memset(d, 0, sizeof(*d));
    memset(&f, 0, sizeof(f));
    d->cfg = *cfg;
    /* ~4 descriptors per container (output pipe, cgroup counters): the
       harness's own RLIMIT_NOFILE must not be what binds the fill */
    plat_raise_nofile((long)cfg->max_containers * 5 + 1024);
    if (run_begin(s, o, r, &f.x, e) < 0)
        return -1;
    f.r = r;
    f.cfg = &d->cfg;
    snprintf(path, sizeof(path), "%s/density.csv", r->dir);
    f.csv = fopen(path, "w");
    if (f.csv == NULL) {
        rc = err_sys(e, errno, "create %s", path);
        return run_end(f.x, rc, e);
    }
    fprintf(f.csv, "%s\n", density_csv_columns);
    for (i = 0; i < s->nmodes && !plat_interrupted(); i++) {
        cJSON *doc;
        f.mode_index = i;
        if (run_mode_open(f.x, i, d->cfg.max_containers, e) < 0) {
            rc = -1;
            break;
        }
        if (r->modes[i].available)
            fill_mode(&f, &d->modes[i]);
        run_mode_close(f.x);
        /* rewritten after every mode: an interrupted fill keeps what it measured */
        doc = density_json(r, d);
        if (results_write_json_file(r->dir, "density.json", doc, e) < 0)
            rc = -1;
        cJSON_Delete(doc);
        if (rc < 0)
            break;
    }
    fclose(f.csv);
    return run_end(f.x, rc, e);
}
