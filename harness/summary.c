/*
 * summary.c - reduce, then render (see summary.h).
 *
 * Reduction only reads the runner's result structs; rendering only reads
 * the reduced struct. The marginal memory cost is the least-squares slope of
 * host memory in use (minus the empty-host baseline) against containers
 * running, over every ramp level of every repetition, with the origin as a
 * point as well (0 containers cost 0 by construction of the delta).
 */
#include "summary.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Reduce get() over the mode's good rows; with only_starts, over the rows
   of the start-latency phase alone. */
static void reduce_rows(const struct mode_result *mr, double (*get)(const struct ctr_result *), int only_starts,
                        struct summary_stats *out)
{
    double *v = malloc((mr->nrows + 1) * sizeof(*v));
    size_t i, n = 0;
    if (v == NULL) {
        stats_summarize(NULL, 0, out);
        return;
    }
    for (i = 0; i < mr->nrows; i++) {
        double x = get(&mr->rows[i]);
        if (only_starts && strcmp(mr->rows[i].phase, "starts") != 0)
            continue;
        if (strcmp(mr->rows[i].status, "failed") != 0 && !isnan(x))
            v[n++] = x;
    }
    stats_summarize(v, n, out);
    free(v);
}

static void reduce_field(const struct mode_result *mr, double (*get)(const struct ctr_result *),
                         struct summary_stats *out)
{
    reduce_rows(mr, get, 0, out);
}

/*
 * Start (and exec) latency: when the mode had a start-latency phase, from
 * its one-at-a-time starts alone. Those are what the phase's stopping rule
 * judged (its CI target) and what "n starts" in the table means; ramp
 * containers start next to a growing fleet and under concurrency, a
 * different quantity, shown against fleet size in the report.
 */
static void reduce_start(const struct mode_result *mr, double (*get)(const struct ctr_result *),
                         struct summary_stats *out)
{
    reduce_rows(mr, get, 1, out);
    if (out->count == 0) /* no start phase: every container */
        reduce_rows(mr, get, 0, out);
}

static double nan_if_unknown(int64_t v)
{
    return v < 0 ? NAN : (double)v;
}
static double get_start(const struct ctr_result *c) { return c->start_ms; }
static double get_exec(const struct ctr_result *c) { return c->exec_ms; }
static double get_pss(const struct ctr_result *c)
{
    /* Windows backends report the private working set instead of PSS. */
    return c->last.mem_pss_bytes >= 0 ? (double)c->last.mem_pss_bytes : nan_if_unknown(c->last.mem_private_ws_bytes);
}
static double get_cgroup(const struct ctr_result *c) { return nan_if_unknown(c->last.mem_cgroup_bytes); }
static double get_storage(const struct ctr_result *c) { return nan_if_unknown(c->last.storage_bytes); }
static double get_idle(const struct ctr_result *c) { return c->idle_cpu_pct; }
static double get_work(const struct ctr_result *c) { return c->work_ns; }

/* isobench's own memory per container: least squares over the run's start
   (0 containers) and every ramp level that knows it. */
static void harness_fit(const struct run_result *r, const struct mode_result *mr, struct mode_summary *ms)
{
    double x[SCN_MAX_RAMP * 4 + 1], y[SCN_MAX_RAMP * 4 + 1];
    struct linear_fit f;
    size_t k, n = 0;

    ms->harness_bytes_per_ctr = ms->harness_share = NAN;
    if (r->harness.anon_start_bytes < 0)
        return;
    x[n] = 0;
    y[n++] = (double)r->harness.anon_start_bytes;
    for (k = 0; k < mr->nramp && n < sizeof(x) / sizeof(x[0]); k++) {
        if (isnan(mr->ramp[k].harness_bytes))
            continue;
        x[n] = mr->ramp[k].fleet_size;
        y[n++] = mr->ramp[k].harness_bytes;
    }
    if (n < 2 || stats_linear_fit(x, y, n, &f) < 0)
        return;
    ms->harness_bytes_per_ctr = f.slope;
}

int summary_reduce(const struct run_result *r, struct run_summary *s)
{
    int i;
    memset(s, 0, sizeof(*s));
    s->nmodes = r->nmodes;
    for (i = 0; i < r->nmodes; i++) {
        const struct mode_result *mr = &r->modes[i];
        struct mode_summary *ms = &s->modes[i];
        size_t k;

        if (mr->mode->baseline)
            s->baseline = i;
        ms->name = mr->mode->name;
        ms->driver = mr->mode->driver_name;
        ms->isolation = mr->isolation;
        ms->available = mr->available;
        ms->reason = mr->reason;
        ms->containers = (int)mr->nrows;
        for (k = 0; k < mr->nrows; k++)
            if (strcmp(mr->rows[k].status, "failed") == 0)
                ms->failed++;
        reduce_start(mr, get_start, &ms->start_ms);
        reduce_start(mr, get_exec, &ms->exec_ms);
        reduce_field(mr, get_pss, &ms->mem_pss);
        reduce_field(mr, get_cgroup, &ms->mem_cgroup);
        reduce_field(mr, get_storage, &ms->storage);
        reduce_field(mr, get_idle, &ms->idle_cpu);
        reduce_field(mr, get_work, &ms->work_ns);
        ms->host_cpu_busy_pct = mr->host_cpu_busy_n ? mr->host_cpu_busy_sum / mr->host_cpu_busy_n : NAN;
        ms->bare_work_ns = mr->bare_work_ns;
        ms->cpu_overhead_pct = NAN;
        if (!isnan(mr->bare_work_ns) && mr->bare_work_ns > 0 && ms->work_ns.count > 0)
            ms->cpu_overhead_pct = 100.0 * (ms->work_ns.p50 / mr->bare_work_ns - 1.0);
        harness_fit(r, mr, ms);
        if (mr->nramp > 0) {
            double *x = malloc((mr->nramp + 1) * sizeof(*x));
            double *y = malloc((mr->nramp + 1) * sizeof(*y));
            if (x != NULL && y != NULL) {
                x[0] = 0;
                y[0] = 0;
                for (k = 0; k < mr->nramp; k++) {
                    x[k + 1] = mr->ramp[k].fleet_size;
                    y[k + 1] = mr->ramp[k].delta_bytes;
                }
                ms->have_marginal = stats_linear_fit(x, y, mr->nramp + 1, &ms->marginal) == 0;
            }
            if (ms->have_marginal && !isnan(ms->harness_bytes_per_ctr) &&
                ms->marginal.slope + ms->harness_bytes_per_ctr > 0)
                ms->harness_share = ms->harness_bytes_per_ctr / (ms->marginal.slope + ms->harness_bytes_per_ctr);
            free(x);
            free(y);
        }
    }
    return 0;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v) || isinf(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

static cJSON *stats_json(const struct summary_stats *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", (double)st->count);
    add_num(o, "mean", st->count ? st->mean : NAN);
    add_num(o, "sd", st->count ? st->sd : NAN);
    add_num(o, "min", st->count ? st->min : NAN);
    add_num(o, "p50", st->count ? st->p50 : NAN);
    /* null below 6 samples */
    add_num(o, "p50_ci95_low", st->count ? st->p50_ci_low : NAN);
    add_num(o, "p50_ci95_high", st->count ? st->p50_ci_high : NAN);
    /* null below STATS_MIN_N_P95 / STATS_MIN_N_P99 samples */
    add_num(o, "p95", st->count ? st->p95 : NAN);
    add_num(o, "p99", st->count ? st->p99 : NAN);
    add_num(o, "max", st->count ? st->max : NAN);
    return o;
}

cJSON *summary_to_json(const struct run_result *r, const struct run_summary *s)
{
    cJSON *doc = cJSON_CreateObject(), *modes;
    int i;
    cJSON_AddNumberToObject(doc, "schema", 1);
    cJSON_AddStringToObject(doc, "run_id", r->run_id);
    cJSON_AddStringToObject(doc, "scenario_name", r->scn->name);
    cJSON_AddStringToObject(doc, "baseline_mode", s->modes[s->baseline].name);
    cJSON_AddStringToObject(doc, "status", r->status);
    modes = cJSON_AddArrayToObject(doc, "modes");
    for (i = 0; i < s->nmodes; i++) {
        const struct mode_summary *ms = &s->modes[i];
        cJSON *m = cJSON_CreateObject(), *mg;
        cJSON_AddStringToObject(m, "name", ms->name);
        cJSON_AddStringToObject(m, "driver", ms->driver);
        cJSON_AddStringToObject(m, "isolation", isolation_name(ms->isolation));
        cJSON_AddBoolToObject(m, "available", ms->available);
        if (!ms->available)
            cJSON_AddStringToObject(m, "reason", ms->reason);
        cJSON_AddNumberToObject(m, "containers", ms->containers);
        cJSON_AddNumberToObject(m, "failed", ms->failed);
        cJSON_AddItemToObject(m, "start_ms", stats_json(&ms->start_ms));
        cJSON_AddItemToObject(m, "exec_ms", stats_json(&ms->exec_ms));
        cJSON_AddItemToObject(m, "mem_pss_bytes", stats_json(&ms->mem_pss));
        cJSON_AddItemToObject(m, "mem_cgroup_bytes", stats_json(&ms->mem_cgroup));
        cJSON_AddItemToObject(m, "storage_bytes", stats_json(&ms->storage));
        cJSON_AddItemToObject(m, "idle_cpu_pct", stats_json(&ms->idle_cpu));
        cJSON_AddItemToObject(m, "work_ns", stats_json(&ms->work_ns));
        mg = cJSON_AddObjectToObject(m, "marginal_mem_bytes");
        add_num(mg, "slope", ms->have_marginal ? ms->marginal.slope : NAN);
        /* Two points (the origin and one level) give a slope but no interval. */
        add_num(mg, "ci95_low", ms->have_marginal && ms->marginal.n >= 3 ? ms->marginal.ci95_low : NAN);
        add_num(mg, "ci95_high", ms->have_marginal && ms->marginal.n >= 3 ? ms->marginal.ci95_high : NAN);
        add_num(mg, "intercept", ms->have_marginal ? ms->marginal.intercept : NAN);
        cJSON_AddNumberToObject(mg, "points", ms->have_marginal ? (double)ms->marginal.n : 0);
        add_num(mg, "r2", ms->have_marginal ? ms->marginal.r2 : NAN);
        add_num(m, "harness_mem_bytes_per_container", ms->harness_bytes_per_ctr);
        add_num(m, "harness_share_of_host_memory_growth", ms->harness_share);
        add_num(m, "host_cpu_busy_pct", ms->host_cpu_busy_pct);
        add_num(m, "cpu_overhead_pct", ms->cpu_overhead_pct);
        add_num(m, "bare_work_ns", ms->bare_work_ns);
        cJSON_AddItemToArray(modes, m);
    }
    return doc;
}

static void fmt_mib(char *buf, size_t n, double bytes)
{
    if (isnan(bytes))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f", bytes / 1048576.0);
}

/* A start-latency cell: the value, or why it is withheld. */
static void fmt_ms(char *buf, size_t n, const struct summary_stats *st, double v)
{
    if (st->count == 0)
        snprintf(buf, n, "-");
    else if (isnan(v))
        snprintf(buf, n, "n too small");
    else
        snprintf(buf, n, "%.1f", v);
}

static void fmt_median_ci(char *buf, size_t n, const struct summary_stats *st)
{
    if (st->count == 0)
        snprintf(buf, n, "-");
    else if (isnan(st->p50_ci_low))
        snprintf(buf, n, "%.1f [n too small]", st->p50);
    else
        snprintf(buf, n, "%.1f [%.1f, %.1f]", st->p50, st->p50_ci_low, st->p50_ci_high);
}

static void fmt_ratio(char *buf, size_t n, double v, double base)
{
    if (isnan(v) || isnan(base) || base <= 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1fx", v / base);
}

/*
 * What isobench itself cost: memory per container (removed from the
 * marginal), and the sampler's CPU; per-container and per-1,000 figures
 * only from a fleet of HARNESS_MIN_FLEET (runner.h), else what was measured.
 */

/* The mode's largest fleet, and isobench's anonymous memory held then
   (NAN unknown). */
static int mode_max_fleet(const struct run_result *r, int i, double *harness_bytes)
{
    const struct mode_result *mr = &r->modes[i];
    int n = 0;
    size_t k;
    *harness_bytes = NAN;
    for (k = 0; k < mr->nramp; k++)
        if (mr->ramp[k].fleet_size > n) {
            n = mr->ramp[k].fleet_size;
            *harness_bytes = mr->ramp[k].harness_bytes;
        }
    return n;
}

static void harness_line(FILE *f, const struct run_result *r, const struct run_summary *s)
{
    const struct harness_usage *h = &r->harness;
    int i;
    for (i = 0; i < s->nmodes; i++) {
        const struct mode_summary *m = &s->modes[i];
        double held;
        int fleet = mode_max_fleet(r, i, &held);
        if (!m->available || isnan(m->harness_bytes_per_ctr))
            continue;
        if (fleet < HARNESS_MIN_FLEET) {
            if (!isnan(held) && h->anon_start_bytes >= 0)
                fprintf(f, "%-12s isobench itself: %.1f MiB of anonymous memory with %d containers held, %+.0f KiB "
                           "since the start (removed from the marginal; a figure per container needs a fleet of %d)\n",
                        m->name, held / 1048576.0, fleet, (held - (double)h->anon_start_bytes) / 1024.0,
                        HARNESS_MIN_FLEET);
            continue;
        }
        fprintf(f, "%-12s isobench itself: %.1f KiB per container", m->name, m->harness_bytes_per_ctr / 1024.0);
        if (!isnan(m->harness_share))
            fprintf(f, " (%.1f %% of host memory growth, removed from the marginal)", 100.0 * m->harness_share);
        fputc('\n', f);
    }
    if (h->hold_ns > 0 && h->cheap_samples > 0) {
        fprintf(f, "isobench sampling: %.2f %% of one core during holds", 100.0 * (double)h->sampler_cpu_ns / (double)h->hold_ns);
        if (h->cheap_only_samples > 0 && h->max_running >= HARNESS_MIN_FLEET)
            fprintf(f, "; the cheap set %.2f %% per 1,000 containers at 10 Hz",
                    100.0 * (double)h->cheap_only_cpu_ns / (double)h->cheap_only_samples * 10000.0 / 1e9);
        else if (h->cheap_only_samples > 0)
            fprintf(f, "; the cheap set %.1f ms of CPU for %lld container samples (at most %d containers: a figure "
                       "per 1,000 needs a fleet of %d)",
                    (double)h->cheap_only_cpu_ns / 1e6, (long long)h->cheap_only_samples, h->max_running,
                    HARNESS_MIN_FLEET);
        fputc('\n', f);
    }
}

void summary_print_table(FILE *f, const struct run_result *r, const struct run_summary *s)
{
    const struct mode_summary *b = &s->modes[s->baseline];
    int i;

    fprintf(f, "\n%-12s %-7s %-8s %5s %22s %11s %11s %9s %16s %7s %9s %s\n", "mode", "driver", "isolation", "n",
            "start p50 ms", "p95", "p99", "PSS MiB", "marginal MiB/ctr", "idle%", "disk KiB", "vs baseline");
    fprintf(f, "%-12s %-7s %-8s %5s %22s %11s %11s %9s %16s %7s %9s\n", "", "", "", "starts", "[95% CI]", "ms",
            "ms", "mean", "slope [95% CI]", "CPU", "per ctr");
    for (i = 0; i < s->nmodes; i++) {
        const struct mode_summary *m = &s->modes[i];
        char pss[32], marg[64], disk[32], rs[32], rm[32], idle[16], p50[64], p95[32], p99[32];
        if (!m->available) {
            fprintf(f, "%-12s %-7s unavailable: %s\n", m->name, m->driver, m->reason);
            continue;
        }
        fmt_mib(pss, sizeof(pss), m->mem_pss.count ? m->mem_pss.mean : NAN);
        if (m->have_marginal && m->marginal.n < 3)
            snprintf(marg, sizeof(marg), "%.1f [no CI]", m->marginal.slope / 1048576.0);
        else if (m->have_marginal)
            snprintf(marg, sizeof(marg), "%.1f [%.1f,%.1f]", m->marginal.slope / 1048576.0,
                     m->marginal.ci95_low / 1048576.0, m->marginal.ci95_high / 1048576.0);
        else
            snprintf(marg, sizeof(marg), "-");
        if (m->storage.count)
            snprintf(disk, sizeof(disk), "%.1f", m->storage.mean / 1024.0);
        else
            snprintf(disk, sizeof(disk), "-");
        if (m->idle_cpu.count)
            snprintf(idle, sizeof(idle), "%.2f", m->idle_cpu.mean);
        else
            snprintf(idle, sizeof(idle), "-");
        fmt_ratio(rs, sizeof(rs), m->start_ms.count ? m->start_ms.p50 : NAN, b->start_ms.count ? b->start_ms.p50 : NAN);
        fmt_ratio(rm, sizeof(rm), m->mem_pss.count ? m->mem_pss.mean : NAN, b->mem_pss.count ? b->mem_pss.mean : NAN);
        fmt_median_ci(p50, sizeof(p50), &m->start_ms);
        fmt_ms(p95, sizeof(p95), &m->start_ms, m->start_ms.p95);
        fmt_ms(p99, sizeof(p99), &m->start_ms, m->start_ms.p99);
        fprintf(f, "%-12s %-7s %-8s %5zu %22s %11s %11s %9s %16s %7s %9s %s start, %s memory%s\n", m->name,
                m->driver, isolation_name(m->isolation), m->start_ms.count, p50, p95, p99, pss, marg, idle, disk, rs,
                rm, i == s->baseline ? " (baseline)" : "");
        if (m->failed)
            fprintf(f, "%-12s %d container(s) failed: see containers.csv\n", "", m->failed);
        if (!isnan(m->cpu_overhead_pct))
            fprintf(f, "%-12s CPU work %.1f ms vs %.1f ms bare: %+.1f %% overhead\n", "", m->work_ns.p50 / 1e6,
                    m->bare_work_ns / 1e6, m->cpu_overhead_pct);
    }
    harness_line(f, r, s);
    fprintf(f, "\nn: starts measured; p95 needs %d of them, p99 %d; the median's 95 %% CI is distribution-free "
               "(order statistics).\nrun %s: %s\n",
            STATS_MIN_N_P95, STATS_MIN_N_P99, r->run_id, r->dir);
}
