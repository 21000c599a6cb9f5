/*
 * runner.c - run a scenario (see runner.h).
 *
 * Every mode is probed and prepared (mode_init) first; then the
 * repetitions run interleaved across modes in ABBA order (run_modes), each
 * growing the fleet through the ramp levels. At each level the
 * missing containers are launched `concurrency` at a time (create -> start ->
 * READY marker), the host is left to settle, and the fleet is held for
 * hold_ms while host and container counters are sampled every
 * sample_interval_ms. Host memory in use at each level, minus the level-0
 * baseline, gives the points from which summary.c fits the marginal memory
 * cost per container. After the last level every container is stopped and
 * destroyed, and its row is written as it goes.
 *
 * A container that fails any step gets a row with status "failed" and the
 * error, is torn down at once, and the run goes on. SIGINT/SIGTERM stop the
 * run at the next step; everything launched is torn down and the files stay
 * valid.
 */
#include "runner.h"
#include "image.h"
#include "stats.h"
#include "progress.h"
#include "results_out.h"
#include "sampler.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WORKERS 64

/* Teardown runs at least this many at a time, whatever the launch
   concurrency: it mostly waits (a namespace's exit, ext4 freeing and, on a
   `discard` mount, discarding each removed directory's block), so more
   workers than cores keep the cores busy. */
#define TEARDOWN_MIN_WORKERS 8

struct live {
    struct ctr c;
    size_t row;            /* index into mode_result.rows */
    int ready;             /* reached READY */
    int done;              /* torn down, row written */
    int64_t hold_cpu0, hold_t0;
};

struct run_ctx {
    struct run_result *r;
    struct scenario *s;
    struct results_out out;
    struct progress *prog;
    int mode_failed[SCN_MAX_MODES];
    int mode_levels[SCN_MAX_MODES]; /* ramp levels held so far (progress) */
    int in_starts;         /* the start-latency phase (run_starts) */
    int fill;              /* driven through run_mode_open (density): no ETA from the scenario */
    int start_no;          /* its container number */
    int mode_index;
    int rep;
    struct live *lives;    /* capacity = largest ramp level */
    int nlive;             /* launched so far in this repetition */
    int level;             /* current ramp level */
    const char *const *argv;
    pthread_mutex_t lock;
    int next;              /* next index to launch / sample */
    int end;
    int failed;
    struct sample_batch batches[8]; /* one per sweep thread, reused */
    double hold_harness;            /* isobench's anonymous memory in the last hold (run_hold) */
    double hold_mem_range;          /* max - min of host memory in use over the last hold, NAN unknown */
    run_hold_check hold_check; /* asked after every sample of a hold; nonzero ends it (density guards) */
    void *hold_arg;
    struct slab_set slab_base;      /* slab caches at the empty-host baseline (run_slab_base) */
    struct slab_totals slab_start, slab_after; /* their totals then, and after teardown */
    int64_t pcp_start, pcp_after;   /* free pages on the per-CPU lists then (bytes, -1 unknown) */
#ifdef _WIN32
    struct pdh_sampler *pdh; /* Windows host counters, NULL when PDH is unusable */
#endif
};

void run_new_id(char *buf, size_t n)
{
    unsigned v = (unsigned)time(NULL) ^ ((unsigned)plat_now_ns() * 2654435761u);
    snprintf(buf, n, "ib%08x", v);
}

static double rel_ms(const struct run_ctx *x, int64_t t)
{
    return (double)(t - x->r->t0_ns) / 1e6;
}

static struct mode_result *cur_mode(struct run_ctx *x)
{
    return &x->r->modes[x->mode_index];
}

static struct ctr_result *row_of(struct run_ctx *x, struct live *l)
{
    return &cur_mode(x)->rows[l->row];
}

/* Run fn(x, i) for i in [0, n) on up to `workers` threads. */
struct pool_arg {
    struct run_ctx *x;
    void (*fn)(struct run_ctx *x, int i);
    int *next;
    int end;
    pthread_mutex_t *lock;
};

static int teardown_workers(const struct scenario *s)
{
    return s->concurrency > TEARDOWN_MIN_WORKERS ? s->concurrency : TEARDOWN_MIN_WORKERS;
}

static void *pool_main(void *p)
{
    struct pool_arg *a = p;
    for (;;) {
        int i;
        pthread_mutex_lock(a->lock);
        i = *a->next;
        if (i >= a->end) {
            pthread_mutex_unlock(a->lock);
            break;
        }
        (*a->next)++;
        pthread_mutex_unlock(a->lock);
        a->fn(a->x, i);
    }
    return NULL;
}

static void parallel_for(struct run_ctx *x, int begin, int end, int workers, void (*fn)(struct run_ctx *, int))
{
    pthread_t th[MAX_WORKERS];
    struct pool_arg a;
    int next = begin, i, started = 0;

    if (end <= begin)
        return;
    if (workers < 1)
        workers = 1;
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    if (workers > end - begin)
        workers = end - begin;
    a.x = x;
    a.fn = fn;
    a.next = &next;
    a.end = end;
    a.lock = &x->lock;
    if (workers == 1) {
        pool_main(&a);
        return;
    }
    for (i = 0; i < workers; i++)
        if (pthread_create(&th[i], NULL, pool_main, &a) == 0)
            started++;
    if (started == 0)
        pool_main(&a);
    for (i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

void run_slab_now(struct run_ctx *x, struct slab_totals *t)
{
    struct slab_set now = { NULL, 0, 0 };
    struct err e;
    if (slabinfo_read(NULL, &now, &e) < 0)
        slab_totals_unknown(t);
    else
        slab_totals_of(&now, &x->slab_base, t);
    slab_set_free(&now);
}

void run_mark_start(struct run_ctx *x, struct slab_totals *t)
{
    struct err e;
    if (slabinfo_read(NULL, &x->slab_base, &e) < 0)
        slab_set_free(&x->slab_base);
    slab_totals_of(&x->slab_base, &x->slab_base, t);
    x->slab_start = *t;
    slab_totals_unknown(&x->slab_after);
    x->pcp_start = host_pcp_free_bytes(NULL);
    x->pcp_after = -1;
}

void run_mark_after(struct run_ctx *x, struct slab_totals *t)
{
    run_slab_now(x, t);
    x->slab_after = *t;
    x->pcp_after = host_pcp_free_bytes(NULL);
}

static int running_count(struct run_ctx *x);

/* Work units of a mode, for the ETA: every start, every ramp launch and
   every hold (one unit each) of every repetition. */
static double mode_units(const struct run_ctx *x)
{
    const struct scenario *s = x->s;
    int holds = s->workload == WL_EXIT ? 0 : s->nramp;
    int starts = cur_mode((struct run_ctx *)x)->mode->starts;
    if (s->starts_target_ci > 0 && starts > STATS_MIN_N_P95) /* may stop there */
        starts = STATS_MIN_N_P95;
    return (double)s->repetitions * (starts + s->ramp[s->nramp - 1] + holds);
}

static void progress(struct run_ctx *x, const char *fmt, ...)
{
    struct progress_state st;
    struct mode_result *mr = cur_mode(x);
    va_list ap;

    if (x->prog == NULL)
        return;
    memset(&st, 0, sizeof(st));
    va_start(ap, fmt);
    vsnprintf(st.step, sizeof(st.step), fmt, ap);
    va_end(ap);
    st.running = running_count(x);
    st.target = x->in_starts ? 1 : x->level;
    st.launched = (long)mr->nrows;
    st.failures = x->mode_failed[x->mode_index];
    st.done = (double)mr->nrows + x->mode_levels[x->mode_index];
    st.total = x->fill ? 0 : mode_units(x);
    progress_set(x->prog, x->mode_index, &st);
}

/* ---- one container ---- */

static const struct {
    const char *name;
    size_t off;
} counter_fields[] = {
    { "mem_cgroup_bytes", offsetof(struct counters, mem_cgroup_bytes) },
    { "mem_pss_bytes", offsetof(struct counters, mem_pss_bytes) },
    { "mem_rss_bytes", offsetof(struct counters, mem_rss_bytes) },
    { "mem_private_ws_bytes", offsetof(struct counters, mem_private_ws_bytes) },
    { "mem_commit_bytes", offsetof(struct counters, mem_commit_bytes) },
    { "cpu_ns", offsetof(struct counters, cpu_ns) },
    { "storage_bytes", offsetof(struct counters, storage_bytes) },
    { "io_read_bytes", offsetof(struct counters, io_read_bytes) },
    { "io_write_bytes", offsetof(struct counters, io_write_bytes) },
    { "pids", offsetof(struct counters, pids) },
};

/* Sample the sets asked for into the row's last values (a counter the
   driver left unknown keeps its previous value) and into the batch. */
static int sample_into(struct run_ctx *x, struct live *l, unsigned sets, struct sample_batch *b)
{
    const struct driver *d = l->c.mode->drv;
    struct ctr_result *res = row_of(x, l);
    const char *mode = l->c.mode->name;
    struct counters c;
    struct err e;
    size_t i;

    err_clear(&e);
    counters_unknown(&c);
    l->c.sample_sets = sets;
    if (d->sample(&l->c, &c, &e) < 0)
        return -1; /* a container that exited (exit workload) has nothing left to sample */
    /* struct counters is int64_t fields only: merge every known one. */
    for (i = 0; i < sizeof(c) / sizeof(int64_t); i++)
        if (((const int64_t *)&c)[i] >= 0)
            ((int64_t *)&res->last)[i] = ((const int64_t *)&c)[i];
    sample_batch_time(b, plat_now_ns() - x->r->t0_ns);
    for (i = 0; i < sizeof(counter_fields) / sizeof(counter_fields[0]); i++) {
        int64_t v = *(const int64_t *)((const char *)&c + counter_fields[i].off);
        if (v >= 0)
            sample_batch_add(b, "container", mode, l->c.name, counter_fields[i].name, v);
    }
    return 0;
}

/* Sample one container at once, outside a sweep (the exit workload). */
static void sample_now(struct run_ctx *x, struct live *l)
{
    struct sample_batch b;
    memset(&b, 0, sizeof(b));
    sample_into(x, l, CSET_ALL, &b);
    results_samples_write(&x->out, b.buf, b.len);
    sample_batch_free(&b);
}

static void teardown(struct run_ctx *x, struct live *l, const char *status)
{
    const struct driver *d = l->c.mode->drv;
    struct ctr_result *res = row_of(x, l);
    struct err e;

    if (l->done)
        return;
    err_clear(&e);
    if (d->stop(&l->c, &e) < 0 && res->error[0] == '\0')
        snprintf(res->error, sizeof(res->error), "%s: stop: %s", l->c.name, e.msg);
    err_clear(&e);
    if (d->destroy(&l->c, &e) < 0 && res->error[0] == '\0')
        snprintf(res->error, sizeof(res->error), "%s: destroy: %s", l->c.name, e.msg);
    if (status != NULL && strcmp(res->status, "ok") == 0)
        snprintf(res->status, sizeof(res->status), "%s", status);
    l->done = 1;
    results_container_row(&x->out, x->r, res);
}

static void fail(struct run_ctx *x, struct live *l, const char *step, const struct err *e)
{
    struct ctr_result *res = row_of(x, l);
    snprintf(res->status, sizeof(res->status), "failed");
    snprintf(res->error, sizeof(res->error), "%s: %s: %s", l->c.name, step, e->msg);
    pthread_mutex_lock(&x->lock);
    x->failed++;
    x->mode_failed[x->mode_index]++;
    pthread_mutex_unlock(&x->lock);
    teardown(x, l, NULL);
}

static double parse_work_ns(const char *line)
{
    const char *p = strstr(line, "work_ns=");
    double v = p ? strtod(p + 8, NULL) : NAN;
    return isfinite(v) ? v : NAN; /* a container's output is input too */
}

static void launch_one(struct run_ctx *x, int i)
{
    struct live *l = &x->lives[i];
    struct mode_result *mr = cur_mode(x);
    const struct driver *d = mr->mode->drv;
    struct ctr_result *res;
    struct err e;
    char line[512];
    int64_t t_ready = 0;

    if (plat_interrupted())
        return;
    memset(l, 0, sizeof(*l));
    pthread_mutex_lock(&x->lock);
    l->row = mr->nrows++;
    pthread_mutex_unlock(&x->lock);
    res = &mr->rows[l->row];
    memset(res, 0, sizeof(*res));
    res->mode_index = x->mode_index;
    res->rep = x->rep;
    res->fleet_size = x->level;
    res->index = x->in_starts ? x->start_no : i;
    snprintf(res->phase, sizeof(res->phase), "%s", x->in_starts ? "starts" : "ramp");
    res->start_ms = res->exec_ms = res->idle_cpu_pct = res->work_ns = NAN;
    counters_unknown(&res->last);
    snprintf(res->status, sizeof(res->status), "ok");

    l->c.mode = mr->mode;
    l->c.scn = x->s;
    l->c.run_id = x->r->run_id;
    l->c.index = i;
    l->c.fleet_size = x->level;
    l->c.argv = x->argv;
    l->c.cgroup_parent = x->r->budget.set ? x->r->budget.cgroup : NULL;
    snprintf(l->c.name, sizeof(l->c.name), "%s-%s-r%d-%s%d", x->r->run_id, mr->mode->name, x->rep,
             x->in_starts ? "s" : "", res->index);
    snprintf(res->name, sizeof(res->name), "%s", l->c.name);

    err_clear(&e);
    l->c.create_ns = plat_now_ns();
    res->create_ns = l->c.create_ns - x->r->t0_ns;
    if (d->create(&l->c, &e) < 0) {
        fail(x, l, "create", &e);
        return;
    }
    {
        double delay = mr->mode->start_delay_ms >= 0 ? mr->mode->start_delay_ms : x->s->start_delay_ms;
        if (delay > 0)
            plat_sleep_us((int64_t)(delay * 1000.0));
    }
    if (d->start(&l->c, &e) < 0) {
        fail(x, l, "start", &e);
        return;
    }
    if (d->wait_output(&l->c, MARKER_READY, x->s->ready_timeout_ms, line, sizeof(line), &t_ready, &e) < 0) {
        fail(x, l, "wait ready", &e);
        return;
    }
    l->c.ready_ns = t_ready;
    res->ready_ns = t_ready - x->r->t0_ns;
    res->start_ms = (double)(t_ready - l->c.create_ns) / 1e6;
    if (l->c.exec_ns > 0)
        res->exec_ms = (double)(l->c.exec_ns - l->c.create_ns) / 1e6;
    if (x->s->workload == WL_CPU && !x->in_starts) {
        int64_t t_done;
        if (d->wait_output(&l->c, MARKER_RESULT, x->s->ready_timeout_ms * 10, line, sizeof(line), &t_done, &e) <
            0) {
            fail(x, l, "wait result", &e);
            return;
        }
        res->work_ns = parse_work_ns(line);
    }
    l->ready = 1;
    if (x->s->workload == WL_EXIT && !x->in_starts)
        sample_now(x, l);
    if (x->in_starts)
        progress(x, "rep %d/%d starts %d/%d", x->rep + 1, x->s->repetitions, x->start_no + 1, mr->mode->starts);
    else
        progress(x, "rep %d/%d launch %d", x->rep + 1, x->s->repetitions, x->level);
}

/*
 * A sweep samples every running container for the sets asked for. The
 * cheap set is a few preads per container, so one thread does it (no thread
 * start-up per tick); when a sweep took more than a quarter of the period
 * (slow drivers, PSS), the next one is split over up to 8 threads. Each
 * part formats its rows into its own batch and writes it once. The CPU time
 * of the sampling threads is the sampler's cost, recorded per run.
 */
enum hold_mark { MARK_NONE, MARK_START, MARK_END };

struct sweep_part {
    struct run_ctx *x;
    unsigned sets;
    enum hold_mark mark;
    int begin, end;
    int64_t cpu_ns, samples;
    struct sample_batch batch;
};

static void *sweep_run(void *arg)
{
    struct sweep_part *w = arg;
    struct run_ctx *x = w->x;
    int64_t cpu0 = plat_thread_cpu_ns();
    int i;

    for (i = w->begin; i < w->end; i++) {
        struct live *l = &x->lives[i];
        struct ctr_result *res;
        if (!l->ready || l->done)
            continue;
        if (sample_into(x, l, w->sets, &w->batch) == 0)
            w->samples++;
        if (w->batch.len >= 65536) { /* bounded: the buffer does not grow with the fleet */
            results_samples_write(&x->out, w->batch.buf, w->batch.len);
            w->batch.len = 0;
        }
        res = row_of(x, l);
        if (w->mark == MARK_START) {
            l->hold_cpu0 = res->last.cpu_ns;
            l->hold_t0 = plat_now_ns();
        } else if (w->mark == MARK_END) {
            int64_t now = plat_now_ns();
            if (l->hold_cpu0 >= 0 && res->last.cpu_ns >= l->hold_cpu0 && now > l->hold_t0)
                res->idle_cpu_pct = 100.0 * (double)(res->last.cpu_ns - l->hold_cpu0) / (double)(now - l->hold_t0);
        }
    }
    results_samples_write(&x->out, w->batch.buf, w->batch.len);
    w->cpu_ns = plat_thread_cpu_ns() - cpu0;
    return NULL;
}

/* One sweep; returns its wall time in ns. */
static int64_t sweep(struct run_ctx *x, unsigned sets, enum hold_mark mark, int workers)
{
    struct sweep_part parts[8];
    pthread_t th[8];
    int started[8] = { 0 };
    int64_t t0 = plat_now_ns();
    int i, n = x->nlive;
    struct harness_usage *h = &x->r->harness;

    if (workers > 8)
        workers = 8;
    if (workers > n)
        workers = n;
    if (workers < 1)
        workers = 1;
    for (i = 0; i < workers; i++) {
        memset(&parts[i], 0, sizeof(parts[i]));
        parts[i].x = x;
        parts[i].sets = sets;
        parts[i].mark = mark;
        parts[i].begin = (int)((int64_t)n * i / workers);
        parts[i].end = (int)((int64_t)n * (i + 1) / workers);
        parts[i].batch = x->batches[i];
    }
    for (i = 1; i < workers; i++)
        started[i] = pthread_create(&th[i], NULL, sweep_run, &parts[i]) == 0;
    sweep_run(&parts[0]);
    for (i = 1; i < workers; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            sweep_run(&parts[i]);
    }
    for (i = 0; i < workers; i++) {
        h->sampler_cpu_ns += parts[i].cpu_ns;
        if (sets & CSET_CHEAP)
            h->cheap_samples += parts[i].samples;
        if (sets & CSET_PSS)
            h->pss_samples += parts[i].samples;
        if (sets == CSET_CHEAP) {
            h->cheap_only_cpu_ns += parts[i].cpu_ns;
            h->cheap_only_samples += parts[i].samples;
        }
        h->rows += (int64_t)parts[i].batch.rows;
        /* Keep the buffers for the next sweep: no allocation per tick. */
        parts[i].batch.len = 0;
        parts[i].batch.rows = 0;
        x->batches[i] = parts[i].batch;
    }
    return plat_now_ns() - t0;
}

static void teardown_one(struct run_ctx *x, int i)
{
    teardown(x, &x->lives[i], plat_interrupted() ? "interrupted" : NULL);
}

/* ---- host ---- */

/* Host memory in use, minus isobench's own anonymous memory (harness_bytes,
   NAN when unknown) so the harness does not count as container cost, and
   minus the free pages on the per-CPU lists (limits.h host_pcp_free_bytes:
   free, though MemAvailable leaves them out; after a teardown they hold
   hundreds of MiB for tens of seconds). */
static int host_used(struct run_ctx *x, struct host_sample *h, double *used, double *harness_bytes)
{
    struct err e;
    int64_t rss, anon, cpu, pcp;
    if (host_sample_get(h, &e) < 0)
        return -1;
    *used = (double)(h->mem_total_bytes - h->mem_available_bytes);
    pcp = host_pcp_free_bytes(NULL);
    if (pcp > 0)
        *used -= (double)pcp;
    *harness_bytes = NAN;
    if (plat_self_usage(&rss, &anon, &cpu) == 0 && anon >= 0) {
        *used -= (double)anon;
        *harness_bytes = (double)anon;
    }
    return 0;
}

static int running_count(struct run_ctx *x)
{
    int i, n = 0;
    for (i = 0; i < x->nlive; i++)
        if (x->lives[i].ready && !x->lives[i].done)
            n++;
    return n;
}

/* isobench's own memory and CPU, as samples (scope "harness") and peaks. */
static void harness_record(struct run_ctx *x, double t)
{
    struct harness_usage *h = &x->r->harness;
    const char *mode = cur_mode(x)->mode->name;
    int64_t rss, anon, cpu;
    int running = running_count(x);

    if (plat_self_usage(&rss, &anon, &cpu) < 0 && cpu < 0)
        return;
    if (rss > h->rss_max_bytes)
        h->rss_max_bytes = rss;
    if (anon > h->anon_max_bytes)
        h->anon_max_bytes = anon;
    if (running > 0 && running >= h->max_running) {
        h->max_running = running;
        if (rss > h->rss_at_max_running_bytes)
            h->rss_at_max_running_bytes = rss;
    }
    if (rss >= 0)
        results_sample(&x->out, t, "harness", mode, "", "rss_bytes", (double)rss);
    if (anon >= 0)
        results_sample(&x->out, t, "harness", mode, "", "anon_bytes", (double)anon);
    if (cpu >= 0)
        results_sample(&x->out, t, "harness", mode, "", "cpu_ns", (double)cpu);
    results_sample(&x->out, t, "harness", mode, "", "sampler_cpu_ns", (double)h->sampler_cpu_ns);
}

static void host_record(struct run_ctx *x, const struct host_sample *prev, const struct host_sample *h)
{
    const char *mode = cur_mode(x)->mode->name;
    double t = rel_ms(x, h->t_ns);
    results_sample(&x->out, t, "host", mode, "", "mem_used_bytes", (double)(h->mem_total_bytes - h->mem_available_bytes));
    results_sample(&x->out, t, "host", mode, "", "mem_available_bytes", (double)h->mem_available_bytes);
    if (prev != NULL)
        results_sample(&x->out, t, "host", mode, "", "cpu_busy_pct", host_cpu_busy_pct(prev, h));
    results_sample(&x->out, t, "host", mode, "", "running", running_count(x));
    harness_record(x, t);
#ifdef _WIN32
    if (x->pdh != NULL) {
        double v[PDH_MAX_COUNTERS];
        struct err e;
        int i;
        if (pdh_sample(x->pdh, v, &e) == 0)
            for (i = 0; i < pdh_count(x->pdh); i++)
                if (!isnan(v[i]))
                    results_sample(&x->out, t, "host", mode, "", pdh_path(x->pdh, i), v[i]);
    }
#endif
}

/*
 * Hold the current fleet: every counter set at the start and the end, in
 * between each set on its own cadence (sampler.h); the host (and isobench
 * itself) with every cheap tick. Returns the median host memory in use
 * (without isobench's own) and its harness part in *harness.
 */
static double hold_level(struct run_ctx *x, double *cpu_busy, double *harness)
{
    struct host_sample first, prev, h;
    struct sample_sched sched;
    double used, hb, *useds = NULL;
    size_t nused = 0, cap = 0;
    int64_t end, t_start, wall[2] = { 0, 0 };
    double med = NAN;
    int workers[2] = { 1, 1 };

    *cpu_busy = NAN;
    *harness = NAN;
    x->hold_mem_range = NAN;
    if (host_used(x, &first, &used, &hb) < 0)
        return NAN;
    prev = first;
    host_record(x, NULL, &first);
    t_start = plat_now_ns();
    sweep(x, CSET_ALL, MARK_START, x->nlive >= 64 ? 8 : 1);
    end = t_start + (int64_t)x->s->hold_ms * 1000000LL;
    sample_sched_start(&sched, x->s->sample_interval_ms, x->s->pss_interval_ms, t_start);
    for (;;) {
        int64_t now = plat_now_ns(), next = sample_sched_next(&sched);
        unsigned sets;
        if (host_used(x, &h, &used, &hb) == 0) {
            if (nused == cap) {
                double *n2;
                cap = cap ? cap * 2 : 64;
                n2 = realloc(useds, cap * sizeof(*useds));
                if (n2 == NULL)
                    break;
                useds = n2;
            }
            useds[nused++] = used;
            if (!isnan(hb))
                *harness = hb;
            host_record(x, &prev, &h);
            prev = h;
        }
        progress(x, "rep %d/%d hold %d", x->rep + 1, x->s->repetitions, x->level);
        if (next >= end || plat_interrupted())
            break;
        if (next > now)
            plat_sleep_ms((int)((next - now + 999999) / 1000000));
        if (plat_interrupted())
            break;
        sets = sample_sched_due(&sched, plat_now_ns());
        if (sets & CSET_PSS) {
            wall[1] = sweep(x, sets, MARK_NONE, workers[1]);
            workers[1] = wall[1] * 4 > (int64_t)(x->s->pss_interval_ms ? x->s->pss_interval_ms : 1000) * 1000000LL ? 8 : 1;
        } else if (sets != 0) {
            wall[0] = sweep(x, sets, MARK_NONE, workers[0]);
            workers[0] = wall[0] * 4 > (int64_t)x->s->sample_interval_ms * 1000000LL ? 8 : 1;
        }
        if (sets != 0 && x->hold_check != NULL && x->hold_check(x->hold_arg))
            break;
    }
    sweep(x, CSET_ALL, MARK_END, x->nlive >= 64 ? 8 : 1);
    x->r->harness.hold_ns += plat_now_ns() - t_start;
    x->r->harness.ctr_hold_s += (double)running_count(x) * (double)(plat_now_ns() - t_start) / 1e9;
    x->r->harness.missed_ticks += sched.missed;
    if (host_used(x, &h, &used, &hb) == 0) {
        *cpu_busy = host_cpu_busy_pct(&first, &h);
        struct mode_result *mr = cur_mode(x);
        mr->host_cpu_busy_sum += *cpu_busy;
        mr->host_cpu_busy_n++;
    }
    if (nused > 0) {
        struct summary_stats st;
        stats_summarize(useds, nused, &st);
        med = st.p50;
        if (nused >= 2)
            x->hold_mem_range = st.max - st.min;
    }
    free(useds);
    return med;
}

/* ---- a mode ---- */

/* Host-wide use at the level now held: kernel memory, processes and tasks,
   isobench's descriptors, the PSS of the level's containers (their last
   samples) and the budget cgroup's memory, into p. */
static void level_use_get(struct run_ctx *x, struct ramp_point *p)
{
    struct host_snapshot hs;
    struct err e;
    int i, known = 0;

    p->kernel_used_bytes = p->pids_in_use = p->threads_in_use = p->harness_fds = p->harness_counter_fds = -1;
    p->cgroup_used_bytes = p->cgroup_kmem_bytes = p->mounts_in_use = -1;
    p->pss_sum_bytes = 0;
    if (host_snapshot_read(NULL, &hs, &e) == 0) {
        p->kernel_used_bytes = host_kernel_bytes(&hs);
        p->pids_in_use = hs.procs_in_use;
        p->threads_in_use = hs.tasks_in_use;
        p->harness_fds = hs.fds_open;
        p->mounts_in_use = hs.mounts;
    }
    p->cgroup_pids = p->cgroup_pids_peak = -1;
    {
        struct slab_totals st;
        run_slab_now(x, &st);
        p->slab_free_bytes = st.free_bytes;
        p->slab_active_bytes = st.active_bytes;
        p->slab_reused_bytes = st.reused_bytes;
    }
    p->pcp_free_bytes = host_pcp_free_bytes(NULL);
    if (x->r->budget.set) {
        struct budget_usage u;
        if (budget_read(x->r->budget.cgroup, &u, &e) == 0) {
            p->cgroup_used_bytes = u.mem_working_bytes;
            p->cgroup_kmem_bytes = u.kmem_bytes;
            p->cgroup_pids = u.pids;
            p->cgroup_pids_peak = u.pids_peak;
        }
    }
    p->harness_counter_fds = harness_counter_fds(NULL);
    for (i = 0; i < x->nlive; i++) {
        const struct live *l = &x->lives[i];
        const struct ctr_result *res;
        if (!l->ready || l->done)
            continue;
        res = &cur_mode(x)->rows[l->row];
        if (res->last.mem_pss_bytes >= 0) {
            p->pss_sum_bytes += res->last.mem_pss_bytes;
            known++;
        }
    }
    if (known == 0)
        p->pss_sum_bytes = -1;
}

void run_level_take(struct run_ctx *x, int level, double used, double busy, struct run_level *lv)
{
    memset(lv, 0, sizeof(*lv));
    lv->level = level;
    lv->used = used;
    lv->busy = busy;
    lv->t_ns = plat_now_ns();
    level_use_get(x, &lv->p);
    lv->p.harness_bytes = x->hold_harness;
    lv->p.hold_mem_range_bytes = x->hold_mem_range;
}

static int add_ramp_point(struct run_ctx *x, const struct run_level *lv, double base)
{
    struct mode_result *mr = cur_mode(x);
    struct ramp_point *p;
    if (mr->nramp == mr->capramp) {
        size_t cap = mr->capramp ? mr->capramp * 2 : 16;
        struct ramp_point *n2 = realloc(mr->ramp, cap * sizeof(*n2));
        if (n2 == NULL)
            return -1;
        mr->ramp = n2;
        mr->capramp = cap;
    }
    p = &mr->ramp[mr->nramp++];
    *p = lv->p;
    p->mode_index = x->mode_index;
    p->rep = x->rep;
    p->fleet_size = lv->level;
    p->baseline_used_bytes = base;
    p->used_bytes = lv->used;
    p->delta_bytes = lv->used - base;
    p->cpu_busy_pct = lv->busy;
    p->slab_free_start_bytes = x->slab_start.free_bytes;
    p->slab_active_start_bytes = x->slab_start.active_bytes;
    p->slab_free_after_bytes = x->slab_after.free_bytes;
    p->slab_active_after_bytes = x->slab_after.active_bytes;
    p->pcp_free_start_bytes = x->pcp_start;
    p->pcp_free_after_bytes = x->pcp_after;
    return results_ramp_row(&x->out, x->r, p);
}

int run_ramp_write(struct run_ctx *x, const struct run_level *lv, int n, double base0, int64_t t0, double base1,
                   int64_t t1)
{
    int i, rc = 0;
    for (i = 0; i < n; i++) {
        double base = base0;
        if (!isnan(base1) && t1 > t0)
            base = base0 + (base1 - base0) * (double)(lv[i].t_ns - t0) / (double)(t1 - t0);
        if (add_ramp_point(x, &lv[i], base) < 0)
            rc = -1;
    }
    return rc;
}

static const char *const argv_exit[] = { IMAGE_PAYLOAD_PATH, "exit", NULL };

/* Is the median's 95 % CI of v (n values, reordered) within +-target? */
static int median_ci_within(double *v, int n, double target)
{
    double lo, hi, med;
    qsort(v, (size_t)n, sizeof(*v), stats_cmp_double);
    med = stats_percentile_sorted(v, (size_t)n, 50);
    if (stats_median_ci_sorted(v, (size_t)n, &lo, &hi) < 0 || !(med > 0))
        return 0;
    return med - lo <= target * med && hi - med <= target * med;
}

/*
 * Start latency alone: up to the mode's `starts` containers of the exit
 * workload, one at a time (no launch of our own competes with it), each
 * torn down as soon as it is READY. Their rows say phase "starts", fleet
 * size 1; they are not sampled (an exited container has no memory to
 * measure). With starts_target_ci the phase stops once the median's CI is
 * that tight (after STATS_MIN_N_P95 starts, so p95 is there too), with
 * starts_max_s once that much time is spent.
 */
static void run_starts(struct run_ctx *x)
{
    const char *const *argv = x->argv;
    const struct scenario *s = x->s;
    int max = cur_mode(x)->mode->starts, cap_s = cur_mode(x)->mode->starts_max_s, k, n = 0;
    int64_t deadline = cap_s > 0 ? plat_now_ns() + (int64_t)cap_s * 1000000000LL : 0;
    double *v = max > 0 ? malloc((size_t)max * sizeof(*v)) : NULL;

    x->in_starts = 1;
    x->argv = argv_exit;
    x->level = 1;
    for (k = 0; k < max && !plat_interrupted(); k++) {
        struct ctr_result *res;
        x->start_no = k;
        x->lives[0].done = 1; /* launch_one resets it once it launches */
        launch_one(x, 0);
        teardown(x, &x->lives[0], plat_interrupted() ? "interrupted" : NULL);
        if (plat_interrupted())
            break;
        res = row_of(x, &x->lives[0]);
        if (v != NULL && strcmp(res->status, "ok") == 0 && !isnan(res->start_ms))
            v[n++] = res->start_ms;
        if (v != NULL && s->starts_target_ci > 0 && n >= STATS_MIN_N_P95 &&
            median_ci_within(v, n, s->starts_target_ci))
            break;
        if (deadline != 0 && plat_now_ns() >= deadline)
            break;
    }
    free(v);
    x->argv = argv;
    x->in_starts = 0;
}

/*
 * One pass over the ramp (after the start-latency phase). Host memory in use is measured on the empty host
 * before the first level and again after teardown; each level's baseline is
 * interpolated between the two in time, so slow drift of the host (page
 * cache, memory returned by other tenants) does not leak into the slope.
 */
static void run_repetition(struct run_ctx *x)
{
    struct scenario *s = x->s;
    struct host_sample h;
    double base0 = NAN, base1 = NAN, used, busy, hb;
    struct run_level levels[SCN_MAX_RAMP];
    int64_t t0 = 0, t1 = 0;
    int nlevels = 0, li;

    run_starts(x);
    x->nlive = 0;
    plat_sleep_ms(s->settle_ms);
    if (host_used(x, &h, &base0, &hb) == 0) {
        struct slab_totals st;
        host_record(x, NULL, &h);
        t0 = h.t_ns;
        run_mark_start(x, &st);
    }
    for (li = 0; li < s->nramp && !plat_interrupted(); li++) {
        int before = x->nlive;
        x->level = s->ramp[li];
        progress(x, "rep %d/%d launch %d", x->rep + 1, s->repetitions, x->level);
        x->next = before;
        parallel_for(x, before, x->level, s->concurrency, launch_one);
        x->nlive = x->level;
        if (plat_interrupted())
            break;
        if (s->workload == WL_EXIT)
            continue;
        plat_sleep_ms(s->settle_ms);
        used = hold_level(x, &busy, &x->hold_harness);
        x->mode_levels[x->mode_index]++;
        if (!isnan(used) && running_count(x) == x->level)
            run_level_take(x, x->level, used, busy, &levels[nlevels++]);
    }
    progress(x, "rep %d/%d teardown", x->rep + 1, s->repetitions);
    x->next = 0;
    parallel_for(x, 0, x->nlive, teardown_workers(s), teardown_one);
    progress(x, "rep %d/%d done", x->rep + 1, s->repetitions);
    if (nlevels == 0 || isnan(base0))
        return;
    if (!plat_interrupted()) {
        plat_sleep_ms(s->settle_ms);
        if (host_used(x, &h, &base1, &hb) == 0) {
            struct slab_totals st;
            host_record(x, NULL, &h);
            t1 = h.t_ns;
            run_mark_after(x, &st);
        }
    }
    run_ramp_write(x, levels, nlevels, base0, t0, base1, t1);
}

/* A mode that cannot run still leaves a row in containers.csv saying why,
   so a reader of the CSV alone sees the gap; the run goes on. */
static int mode_unavailable(struct run_ctx *x, const char *step)
{
    struct mode_result *mr = cur_mode(x);
    struct ctr_result row;

    memset(&row, 0, sizeof(row));
    row.mode_index = x->mode_index;
    row.fleet_size = x->s->ramp[0];
    row.start_ms = row.exec_ms = row.idle_cpu_pct = row.work_ns = NAN;
    counters_unknown(&row.last);
    snprintf(row.status, sizeof(row.status), "unavailable");
    snprintf(row.error, sizeof(row.error), "%s: %s: %s", mr->mode->name, step, mr->reason);
    results_container_row(&x->out, x->r, &row);
    results_write_run_json(x->r, NULL);
    return 0;
}

/* Probe and prepare one mode; an unavailable mode leaves its row and is
   skipped by the repetitions. Negative only on a run-level failure (in
   `fail`). */
static int mode_open(struct run_ctx *x, size_t caprows, struct err *fail)
{
    struct mode_result *mr = cur_mode(x);
    struct mode *m = mr->mode;
    const struct driver *d = m->drv;
    struct err e;

    err_clear(&e);
    mr->isolation = m->isolation;
    mr->facts = cJSON_CreateObject();
    if (d->unavailable_reason != NULL) {
        snprintf(mr->reason, sizeof(mr->reason), "%s", d->unavailable_reason);
        return mode_unavailable(x, "driver");
    }
    if (d->probe(m, &e) < 0) {
        snprintf(mr->reason, sizeof(mr->reason), "%s", e.msg);
        return mode_unavailable(x, "probe");
    }
    if (d->mode_init != NULL && d->mode_init(m, x->s, &e) < 0) {
        snprintf(mr->reason, sizeof(mr->reason), "%s", e.msg);
        return mode_unavailable(x, "prepare");
    }
    if (d->isolation_of != NULL)
        mr->isolation = d->isolation_of(m);
    if (mr->isolation == 0) {
        unsigned bit;
        for (bit = ISO_PROCESS; bit <= ISO_VM; bit <<= 1)
            if (d->isolations & bit) {
                mr->isolation = bit;
                break;
            }
    }
    if (d->version != NULL && d->version(m, mr->version, sizeof(mr->version), &e) < 0)
        snprintf(mr->version, sizeof(mr->version), "unknown (%s)", e.msg);
    if (d->facts != NULL)
        d->facts(m, mr->facts);

    mr->caprows = caprows;
    mr->rows = calloc(mr->caprows, sizeof(*mr->rows));
    if (mr->rows == NULL) {
        if (d->mode_fini)
            d->mode_fini(m);
        return err_set(fail, ENOMEM, "mode %s: out of memory for %zu container records", m->name,
                       mr->caprows);
    }
    mr->available = 1;
    results_write_run_json(x->r, &e);
    return 0;
}

static void mode_close(struct run_ctx *x)
{
    struct mode_result *mr = cur_mode(x);
    if (mr->available && mr->mode->drv->mode_fini)
        mr->mode->drv->mode_fini(mr->mode);
}

/*
 * Every available mode runs one repetition before any mode runs the next,
 * in ABBA order (rep 0: modes 1..n, rep 1: n..1, ...), so slow drift of the
 * host (other tenants, page cache, thermal state) hits every mode alike
 * instead of whichever mode happened to run last.
 */
static int run_modes(struct run_ctx *x, struct err *fail)
{
    int n = x->s->nmodes, i, k, rc = 0;
    int maxlevel = x->s->ramp[x->s->nramp - 1];

    for (i = 0; i < n && !plat_interrupted(); i++) {
        x->mode_index = i;
        if (mode_open(x, ((size_t)maxlevel + (size_t)x->s->modes[i].starts) * (size_t)x->s->repetitions, fail) < 0) {
            rc = -1;
            goto out;
        }
    }
    x->lives = calloc((size_t)maxlevel, sizeof(*x->lives));
    if (x->lives == NULL) {
        rc = err_set(fail, ENOMEM, "out of memory for %d containers", maxlevel);
        goto out;
    }
    for (x->rep = 0; x->rep < x->s->repetitions && !plat_interrupted(); x->rep++)
        for (k = 0; k < n && !plat_interrupted(); k++) {
            x->mode_index = x->rep % 2 == 0 ? k : n - 1 - k;
            if (!cur_mode(x)->available)
                continue;
            run_repetition(x);
            if (x->rep == x->s->repetitions - 1)
                progress(x, "done");
        }
out:
    free(x->lives);
    x->lives = NULL;
    for (i = 0; i < n; i++) {
        x->mode_index = i;
        mode_close(x);
    }
    return rc;
}

/* ---- bare-process CPU baseline ---- */


static void bare_baseline(struct run_ctx *x)
{
    char payload[4096], iters[32], line[256];
    const char *argv[4];
    double values[16];
    int n = 0, i, runs = 5;
    struct err e;
    struct summary_stats st;

    if (image_payload_binary(payload, sizeof(payload), &e) < 0)
        return;
    snprintf(iters, sizeof(iters), "%lld", (long long)x->s->cpu_iterations);
    argv[0] = payload;
    argv[1] = "cpu";
    argv[2] = iters;
    argv[3] = NULL;
    /* The payload stays up after its RESULT line; plat_run_marker kills it. */
    for (i = 0; i < runs && !plat_interrupted(); i++) {
        err_clear(&e);
        if (plat_run_marker(argv, MARKER_RESULT, x->s->ready_timeout_ms * 10, line, sizeof(line), &e) == 0)
            values[n++] = parse_work_ns(line);
    }
    if (n == 0)
        return;
    stats_summarize(values, (size_t)n, &st);
    for (i = 0; i < x->r->nmodes; i++)
        x->r->modes[i].bare_work_ns = st.p50;
}

/* ---- the run ---- */

/* The cgroup limits over the run's containers: the budget's, else those of
   the "isobench" cgroup they live under (-1 when none or unreadable). */
static void run_cgroup_limits(struct run_result *r)
{
    struct budget_usage u;
    struct err e;
    r->cgroup_pids_max = r->cgroup_mem_max_bytes = -1;
    if (budget_read(r->budget.set ? r->budget.cgroup : "isobench", &u, &e) == 0) {
        r->cgroup_pids_max = u.pids_max;
        r->cgroup_mem_max_bytes = u.mem_max_bytes;
    }
}

/* Remove the budget cgroup after the last container; a failure is noted in
   run.json (and `isobench cleanup RUN_ID` removes it). */
static void run_budget_release(struct run_result *r)
{
    struct err be;
    err_clear(&be);
    if (budget_remove(&r->budget, &be) < 0) {
        size_t len = strlen(r->notes);
        snprintf(r->notes + len, sizeof(r->notes) - len, "%s%s (isobench cleanup %s removes it)", len ? "; " : "",
                 be.msg, r->run_id);
    }
}

static int make_run_dir(const struct run_opts *o, char *dir, size_t n, struct err *e)
{
    char stamp[64];
    time_t t = time(NULL);
    struct tm tm;
    int i;

    if (o->out_dir != NULL) {
        snprintf(dir, n, "%s", o->out_dir);
        return plat_mkdir_p(dir, e);
    }
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    for (i = 1; i < 100; i++) {
        if (i == 1)
            snprintf(dir, n, "results/%s", stamp);
        else
            snprintf(dir, n, "results/%s-%d", stamp, i);
        if (!plat_exists(dir))
            return plat_mkdir_p(dir, e);
    }
    return err_set(e, EEXIST, "results/%s: too many runs in the same second", stamp);
}

/*
 * Open a run: id, host facts and limits, run directory, budget cgroup,
 * run.json, and the context (*out, freed by run_end) that launches, holds
 * and tears down fleets. On failure nothing is left behind.
 */
int run_begin(struct scenario *s, const struct run_opts *o, struct run_result *r, struct run_ctx **out,
              struct err *e)
{
    struct run_ctx *xp;
    static const char *argv_idle[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };
    static char iters[32];
    static const char *argv_cpu[] = { IMAGE_PAYLOAD_PATH, "cpu", iters, NULL };
    int i;

    *out = NULL;
    memset(r, 0, sizeof(*r));
    r->scn = s;
    run_new_id(r->run_id, sizeof(r->run_id));
    r->t0_ns = plat_now_ns();
    r->started_wall = plat_wall_time();
    snprintf(r->status, sizeof(r->status), "running");
    r->nmodes = s->nmodes;
    for (i = 0; i < s->nmodes; i++) {
        r->modes[i].mode = &s->modes[i];
        r->modes[i].bare_work_ns = NAN;
        r->modes[i].isolation = s->modes[i].isolation;
    }
    if (host_facts_get(&r->host, e) < 0)
        return err_wrap(e, "host facts");
    {
        /* isobench's own cost, from here to the end of the run. */
        struct harness_usage *h = &r->harness;
        int64_t cpu;
        h->rss_max_bytes = h->anon_max_bytes = h->rss_at_max_running_bytes = -1;
        plat_self_usage(&h->rss_start_bytes, &h->anon_start_bytes, &cpu);
        h->cpu_start_ns = cpu;
        h->cpu_ns = -1;
        /* Per container: a stdout pipe and the cgroup counter files kept open. */
        {
            long want = (long)s->ramp[s->nramp - 1] * 5 + 1024;
            long got = plat_raise_nofile(want);
            if (got >= 0 && got < want)
                snprintf(r->notes + strlen(r->notes), sizeof(r->notes) - strlen(r->notes),
                         "%sopen files limited to %ld (%ld asked): counter files keep descriptors within half of "
                         "it (CPU time first), the others are opened per read",
                         r->notes[0] ? "; " : "", got, want);
        }
    }
    if (o->host_label != NULL)
        snprintf(r->host_label, sizeof(r->host_label), "%s", o->host_label);
    if (make_run_dir(o, r->dir, sizeof(r->dir), e) < 0)
        return err_wrap(e, "run directory");
    plat_disk_free(image_cache_dir(), &r->disk_free_bytes, &r->disk_total_bytes, e);
    if (r->disk_total_bytes == 0)
        plat_disk_free(r->dir, &r->disk_free_bytes, &r->disk_total_bytes, e);
    err_clear(e);
    if (host_snapshot_read(NULL, &r->limits, e) < 0)
        return err_wrap(e, "host limits");
    xp = calloc(1, sizeof(*xp));
    if (xp == NULL)
        return err_set(e, ENOMEM, "out of memory");
    slab_totals_unknown(&xp->slab_start);
    slab_totals_unknown(&xp->slab_after);
    xp->pcp_start = xp->pcp_after = -1;
    if (scenario_has_budget(s) && budget_create(&r->budget, &s->budget, r->run_id, e) < 0) {
        free(xp);
        return -1;
    }
    run_cgroup_limits(r);
    if (results_open(&xp->out, r->dir, e) < 0) {
        budget_remove(&r->budget, NULL);
        free(xp);
        return err_wrap(e, "run directory %s", r->dir);
    }
    if (results_write_run_json(r, e) < 0) {
        results_close(&xp->out);
        budget_remove(&r->budget, NULL);
        free(xp);
        return -1;
    }
    pthread_mutex_init(&xp->lock, NULL);
    xp->r = r;
    xp->s = s;
    {
        const char *names[SCN_MAX_MODES];
        for (i = 0; i < s->nmodes; i++)
            names[i] = s->modes[i].name;
        xp->prog = progress_open(o->progress, o->progress_live, s->nmodes, names, 10000);
    }
    snprintf(iters, sizeof(iters), "%lld", (long long)s->cpu_iterations);
    xp->argv = s->workload == WL_IDLE ? argv_idle : s->workload == WL_EXIT ? argv_exit : argv_cpu;

#ifdef _WIN32
    {
        const char *paths[PDH_MAX_COUNTERS];
        struct err pe;
        for (i = 0; i < s->npdh; i++)
            paths[i] = s->pdh_paths[i];
        if (pdh_open(&xp->pdh, paths, s->npdh, r->notes, sizeof(r->notes), &pe) < 0) {
            xp->pdh = NULL;
            snprintf(r->notes, sizeof(r->notes), "PDH counters unavailable: %s", pe.msg);
        }
    }
#endif
    *out = xp;
    return 0;
}

/* Close a run opened by run_begin: remove the budget, write the final
   run.json (status from rc and interruption), free x. Returns rc, or -1
   when run.json cannot be written (e keeps the first error). */
int run_end(struct run_ctx *x, int rc, struct err *e)
{
    struct run_result *r = x->r;
    if (rc < 0) /* run.json keeps the reason a run failed */
        snprintf(r->notes + strlen(r->notes), sizeof(r->notes) - strlen(r->notes), "%sfailed: %s",
                 r->notes[0] ? "; " : "", e->msg);
    progress_close(x->prog);
    struct budget had = r->budget; /* run.json records the budget the run had, though its cgroup is gone */
    run_budget_release(r);
    r->ended_wall = plat_wall_time();
    {
        int64_t rss, anon, cpu;
        if (plat_self_usage(&rss, &anon, &cpu) == 0 || cpu >= 0)
            r->harness.cpu_ns = r->harness.cpu_start_ns >= 0 && cpu >= 0 ? cpu - r->harness.cpu_start_ns : -1;
        int i;
        for (i = 0; i < 8; i++)
            sample_batch_free(&x->batches[i]);
    }
    snprintf(r->status, sizeof(r->status), "%s", rc < 0 ? "failed" : plat_interrupted() ? "interrupted" : "complete");
    {
        struct err we; /* never overwrite the error that failed the run */
        struct budget released = r->budget;
        err_clear(&we);
        r->budget = had;
        if (results_write_run_json(r, &we) < 0 && rc == 0) {
            *e = we;
            rc = -1;
        }
        r->budget = released;
    }
    results_close(&x->out);
#ifdef _WIN32
    if (x->pdh != NULL)
        pdh_close(x->pdh);
#endif
    free(x->lives);
    slab_set_free(&x->slab_base);
    pthread_mutex_destroy(&x->lock);
    free(x);
    return rc;
}

int run_scenario(struct scenario *s, const struct run_opts *o, struct run_result *r, struct err *e)
{
    struct run_ctx *x;
    int rc;

    if (run_begin(s, o, r, &x, e) < 0)
        return -1;
    if (s->workload == WL_CPU)
        bare_baseline(x);
    rc = run_modes(x, e);
    return run_end(x, rc, e);
}

/* ---- the pieces, for fills that choose their own levels (density.c) ---- */

int run_mode_open(struct run_ctx *x, int mode_index, int max_containers, struct err *e)
{
    struct live *lives;
    x->mode_index = mode_index;
    x->fill = 1;
    x->rep = 0;
    x->nlive = 0;
    x->level = 0;
    free(x->lives);
    x->lives = NULL;
    if (mode_open(x, (size_t)max_containers, e) < 0)
        return -1;
    if (!cur_mode(x)->available)
        return 0;
    lives = calloc((size_t)max_containers, sizeof(*lives));
    if (lives == NULL) {
        mode_close(x);
        cur_mode(x)->available = 0;
        return err_set(e, ENOMEM, "mode %s: out of memory for %d containers", cur_mode(x)->mode->name,
                       max_containers);
    }
    x->lives = lives;
    return 0;
}

void run_mode_close(struct run_ctx *x)
{
    run_teardown_all(x);
    progress(x, "done");
    mode_close(x);
    free(x->lives);
    x->lives = NULL;
}

int run_launch_to(struct run_ctx *x, int target, int level)
{
    int before = x->nlive, failed0;
    if (target <= before || x->lives == NULL)
        return 0;
    pthread_mutex_lock(&x->lock);
    failed0 = x->failed;
    pthread_mutex_unlock(&x->lock);
    x->level = level;
    progress(x, "launch %d", target);
    x->next = before;
    parallel_for(x, before, target, x->s->concurrency, launch_one);
    x->nlive = target;
    return x->failed - failed0;
}

double run_hold(struct run_ctx *x, double *cpu_busy, run_hold_check check, void *arg)
{
    double used;
    x->hold_check = check;
    x->hold_arg = arg;
    used = hold_level(x, cpu_busy, &x->hold_harness);
    x->hold_check = NULL;
    x->hold_arg = NULL;
    return used;
}

void run_teardown_all(struct run_ctx *x)
{
    if (x->lives == NULL || x->nlive == 0)
        return;
    progress(x, "teardown %d", x->nlive);
    x->next = 0;
    parallel_for(x, 0, x->nlive, teardown_workers(x->s), teardown_one);
    x->nlive = 0;
}

int run_running(struct run_ctx *x)
{
    return running_count(x);
}

int run_host_used(struct run_ctx *x, double *used, int64_t *t_ns)
{
    struct host_sample h;
    double hb;
    if (host_used(x, &h, used, &hb) < 0)
        return -1;
    host_record(x, NULL, &h);
    *t_ns = h.t_ns;
    return 0;
}

void run_result_free(struct run_result *r)
{
    int i;
    for (i = 0; i < r->nmodes; i++) {
        free(r->modes[i].rows);
        free(r->modes[i].ramp);
        if (r->modes[i].facts)
            cJSON_Delete(r->modes[i].facts);
        r->modes[i].rows = NULL;
        r->modes[i].ramp = NULL;
        r->modes[i].facts = NULL;
    }
}
