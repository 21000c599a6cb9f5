/*
 * results_out.c - the run directory's files, written incrementally
 * (see results_out.h). Unknown numbers are written as empty cells; bytes,
 * nanoseconds and counts as integers, fractions (ms, %) with every digit
 * they have (numfmt.h).
 */
#include "numfmt.h"
#include "results_out.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const containers_csv_columns[] = {
    "mode", "driver", "fleet_size", "index", "create_ns", "ready_ns", "start_ms", "mem_cgroup_bytes",
    "mem_pss_bytes", "cpu_ns", "storage_bytes", "status", "error", "rep", "exec_ms", "mem_rss_bytes",
    "mem_private_ws_bytes", "idle_cpu_pct", "work_ns", "pids", "fds", "mounts", "kmem_bytes", "phase", "mem_commit_bytes", NULL,
};

static const char *const samples_columns[] = { "t_ms", "scope", "mode", "container", "counter", "value", NULL };
static const char *const ramp_columns[] = { "mode", "rep", "fleet_size", "baseline_used_bytes", "used_bytes",
                                            "delta_bytes", "cpu_busy_pct", "kernel_used_bytes", "pss_sum_bytes",
                                            "pids_in_use", "threads_in_use", "harness_bytes", "harness_fds",
                                            "harness_counter_fds", "cgroup_pids", "cgroup_pids_peak",
                                            "cgroup_used_bytes", "cgroup_kmem_bytes", "mounts_in_use",
                                            "hold_mem_range_bytes",
                                            "slab_free_bytes", "slab_active_bytes", "slab_reused_bytes",
                                            "slab_free_start_bytes", "slab_active_start_bytes",
                                            "slab_free_after_bytes", "slab_active_after_bytes",
                                            "pcp_free_bytes", "pcp_free_start_bytes", "pcp_free_after_bytes", NULL };

static FILE *open_csv(const char *dir, const char *name, const char *const *cols, struct err *e)
{
    char path[2048];
    FILE *f;
    int i;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        err_sys(e, errno, "create %s", path);
        return NULL;
    }
    for (i = 0; cols[i] != NULL; i++)
        fprintf(f, "%s%s", i ? "," : "", cols[i]);
    fputc('\n', f);
    fflush(f);
    return f;
}

int results_open(struct results_out *o, const char *dir, struct err *e)
{
    memset(o, 0, sizeof(*o));
    pthread_mutex_init(&o->lock, NULL);
    o->locked_init = 1;
    o->containers = open_csv(dir, "containers.csv", containers_csv_columns, e);
    o->samples = open_csv(dir, "samples.csv", samples_columns, e);
    o->ramp = open_csv(dir, "ramp.csv", ramp_columns, e);
    if (o->containers == NULL || o->samples == NULL || o->ramp == NULL) {
        results_close(o);
        return -1;
    }
    return 0;
}

void results_close(struct results_out *o)
{
    if (o->containers)
        fclose(o->containers);
    if (o->samples)
        fclose(o->samples);
    if (o->ramp)
        fclose(o->ramp);
    o->containers = o->samples = o->ramp = NULL;
    if (o->locked_init)
        pthread_mutex_destroy(&o->lock);
    o->locked_init = 0;
}

static void put_text(FILE *f, const char *s, int comma)
{
    if (comma)
        fputc(',', f);
    if (s != NULL && s[0] != '\0')
        csv_fwrite(f, s, strlen(s));
}

static void put_int(FILE *f, int64_t v)
{
    fputc(',', f);
    if (v >= 0)
        fprintf(f, "%lld", (long long)v);
}

static void put_num(FILE *f, double v)
{
    char buf[40];
    fputc(',', f);
    fputs(numfmt(buf, sizeof(buf), v), f); /* "" for nan and inf: readers refuse them */
}

/* Bytes, ns and counts kept as doubles (medians, interpolations). */
static void put_whole(FILE *f, double v)
{
    char buf[40];
    fputc(',', f);
    fputs(numfmt_int(buf, sizeof(buf), v), f);
}

int results_container_row(struct results_out *o, const struct run_result *r, const struct ctr_result *c)
{
    const struct mode *m = r->modes[c->mode_index].mode;
    FILE *f = o->containers;

    pthread_mutex_lock(&o->lock);
    put_text(f, m->name, 0);
    put_text(f, m->driver_name, 1);
    put_int(f, c->fleet_size);
    put_int(f, c->index);
    put_int(f, c->create_ns > 0 ? c->create_ns : -1);
    put_int(f, c->ready_ns > 0 ? c->ready_ns : -1);
    put_num(f, c->start_ms);
    put_int(f, c->last.mem_cgroup_bytes);
    put_int(f, c->last.mem_pss_bytes);
    put_int(f, c->last.cpu_ns);
    put_int(f, c->last.storage_bytes);
    put_text(f, c->status, 1);
    put_text(f, c->error, 1);
    put_int(f, c->rep);
    put_num(f, c->exec_ms);
    put_int(f, c->last.mem_rss_bytes);
    put_int(f, c->last.mem_private_ws_bytes);
    put_num(f, c->idle_cpu_pct);
    put_whole(f, c->work_ns);
    put_int(f, c->last.pids);
    put_int(f, c->last.fds);
    put_int(f, c->last.mounts);
    put_int(f, c->last.kmem_bytes);
    put_text(f, c->phase, 1);
    put_int(f, c->last.mem_commit_bytes);
    fputc('\n', f);
    fflush(f);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int results_sample(struct results_out *o, double t_ms, const char *scope, const char *mode,
                   const char *container, const char *counter, double value)
{
    FILE *f = o->samples;
    char buf[40];
    pthread_mutex_lock(&o->lock);
    fputs(numfmt(buf, sizeof(buf), t_ms), f);
    put_text(f, scope, 1);
    put_text(f, mode, 1);
    put_text(f, container, 1);
    put_text(f, counter, 1);
    put_num(f, value);
    fputc('\n', f);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int results_samples_write(struct results_out *o, const char *text, size_t len)
{
    size_t w;
    if (len == 0)
        return 0;
    pthread_mutex_lock(&o->lock);
    w = fwrite(text, 1, len, o->samples);
    pthread_mutex_unlock(&o->lock);
    return w == len ? 0 : -1;
}

int results_ramp_row(struct results_out *o, const struct run_result *r, const struct ramp_point *p)
{
    FILE *f = o->ramp;
    pthread_mutex_lock(&o->lock);
    put_text(f, r->modes[p->mode_index].mode->name, 0);
    put_int(f, p->rep);
    put_int(f, p->fleet_size);
    put_whole(f, p->baseline_used_bytes);
    put_whole(f, p->used_bytes);
    put_whole(f, p->delta_bytes);
    put_num(f, p->cpu_busy_pct);
    put_int(f, p->kernel_used_bytes);
    put_int(f, p->pss_sum_bytes);
    put_int(f, p->pids_in_use);
    put_int(f, p->threads_in_use);
    put_num(f, p->harness_bytes);
    put_int(f, p->harness_fds);
    put_int(f, p->harness_counter_fds);
    put_int(f, p->cgroup_pids);
    put_int(f, p->cgroup_pids_peak);
    put_int(f, p->cgroup_used_bytes);
    put_int(f, p->cgroup_kmem_bytes);
    put_int(f, p->mounts_in_use);
    put_whole(f, p->hold_mem_range_bytes);
    put_int(f, p->slab_free_bytes);
    put_int(f, p->slab_active_bytes);
    put_int(f, p->slab_reused_bytes);
    put_int(f, p->slab_free_start_bytes);
    put_int(f, p->slab_active_start_bytes);
    put_int(f, p->slab_free_after_bytes);
    put_int(f, p->slab_active_after_bytes);
    put_int(f, p->pcp_free_bytes);
    put_int(f, p->pcp_free_start_bytes);
    put_int(f, p->pcp_free_after_bytes);
    fputc('\n', f);
    fflush(f);
    fflush(o->samples);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int results_write_json_file(const char *dir, const char *name, cJSON *doc, struct err *e)
{
    char path[2048], tmp[2100];
    char *text = cJSON_Print(doc);
    FILE *f;

    if (text == NULL)
        return err_set(e, ENOMEM, "%s: cannot render JSON", name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL) {
        cJSON_free(text);
        return err_sys(e, errno, "create %s", tmp);
    }
    fputs(text, f);
    fputc('\n', f);
    cJSON_free(text);
    if (fclose(f) != 0)
        return err_sys(e, errno, "write %s", tmp);
    remove(path); /* Windows' rename does not replace */
    if (rename(tmp, path) < 0)
        return err_sys(e, errno, "rename %s", tmp);
    return 0;
}

static void utc_iso(double wall, char *buf, size_t n)
{
    time_t t = (time_t)wall;
    struct tm tm;
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void add_i64(cJSON *o, const char *k, int64_t v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, (double)v);
}

/* isobench's own cost: memory, CPU, and what sampling took (issue 11). */
static void add_harness(cJSON *doc, const struct harness_usage *h)
{
    cJSON *o = cJSON_AddObjectToObject(doc, "harness");
    double ctr_samples_per_s = h->hold_ns > 0 ? (double)h->cheap_samples / ((double)h->hold_ns / 1e9) : 0;
    add_i64(o, "rss_start_bytes", h->rss_start_bytes);
    add_i64(o, "rss_max_bytes", h->rss_max_bytes);
    add_i64(o, "anon_start_bytes", h->anon_start_bytes);
    add_i64(o, "anon_max_bytes", h->anon_max_bytes);
    cJSON_AddNumberToObject(o, "max_running", h->max_running);
    add_i64(o, "rss_at_max_running_bytes", h->rss_at_max_running_bytes);
    if (h->rss_at_max_running_bytes >= 0 && h->rss_start_bytes >= 0 && h->max_running > 0)
        cJSON_AddNumberToObject(o, "rss_growth_bytes_per_container",
                                (double)(h->rss_at_max_running_bytes - h->rss_start_bytes) / h->max_running);
    else
        cJSON_AddNullToObject(o, "rss_growth_bytes_per_container");
    add_i64(o, "cpu_ns", h->cpu_ns);
    add_i64(o, "sampler_cpu_ns", h->sampler_cpu_ns);
    add_i64(o, "hold_ns", h->hold_ns);
    add_i64(o, "cheap_samples", h->cheap_samples);
    add_i64(o, "pss_samples", h->pss_samples);
    add_i64(o, "missed_ticks", h->missed_ticks);
    add_i64(o, "cheap_only_cpu_ns", h->cheap_only_cpu_ns);
    add_i64(o, "cheap_only_samples", h->cheap_only_samples);
    /* The cheap set alone, per 1,000 containers at 10 Hz (issue 11's target: 5 %). */
    if (h->cheap_only_samples > 0)
        cJSON_AddNumberToObject(o, "cheap_set_cpu_pct_per_1000_at_10hz",
                                100.0 * (double)h->cheap_only_cpu_ns / (double)h->cheap_only_samples * 10000.0 / 1e9);
    add_i64(o, "sample_rows", h->rows);
    if (h->hold_ns > 0) {
        cJSON_AddNumberToObject(o, "sampler_cpu_pct_of_core", 100.0 * (double)h->sampler_cpu_ns / (double)h->hold_ns);
        /* The same cost scaled to 1,000 containers sampled at 10 Hz. */
        if (ctr_samples_per_s > 0)
            cJSON_AddNumberToObject(o, "sampler_cpu_pct_per_1000_at_10hz",
                                    100.0 * (double)h->sampler_cpu_ns / (double)h->hold_ns * 10000.0 /
                                        ctr_samples_per_s);
    }
}

int results_write_run_json(const struct run_result *r, struct err *e)
{
    cJSON *doc = cJSON_CreateObject(), *v, *h, *modes;
    char when[64];
    int i, rc;

    cJSON_AddNumberToObject(doc, "schema", 1);
    v = cJSON_AddObjectToObject(doc, "isobench");
    cJSON_AddStringToObject(v, "version", ISOBENCH_VERSION);
    cJSON_AddStringToObject(v, "git_sha", ISOBENCH_GIT_SHA);
    cJSON_AddStringToObject(doc, "run_id", r->run_id);
    cJSON_AddStringToObject(doc, "scenario_path", r->scn->path);
    cJSON_AddItemToObject(doc, "scenario", scenario_to_json(r->scn));
    h = cJSON_AddObjectToObject(doc, "host");
    cJSON_AddStringToObject(h, "hostname", r->host.hostname);
    if (r->host_label[0])
        cJSON_AddStringToObject(h, "label", r->host_label);
    cJSON_AddStringToObject(h, "os", r->host.os);
    cJSON_AddStringToObject(h, "kernel", r->host.kernel);
    cJSON_AddStringToObject(h, "arch", r->host.arch);
    cJSON_AddStringToObject(h, "cpu_model", r->host.cpu_model);
    cJSON_AddNumberToObject(h, "cores", r->host.cores);
    cJSON_AddNumberToObject(h, "mem_total_bytes", (double)r->host.mem_total_bytes);
    cJSON_AddStringToObject(h, "cgroup", r->host.cgroup);
    cJSON_AddNumberToObject(h, "disk_free_bytes", (double)r->disk_free_bytes);
    cJSON_AddNumberToObject(h, "disk_total_bytes", (double)r->disk_total_bytes);
    cJSON_AddItemToObject(h, "limits", host_limits_to_json(&r->limits, r->cgroup_pids_max, r->cgroup_mem_max_bytes));
    cJSON_AddItemToObject(doc, "budget", budget_to_json(&r->budget));
    modes = cJSON_AddArrayToObject(doc, "modes");
    for (i = 0; i < r->nmodes; i++) {
        const struct mode_result *mr = &r->modes[i];
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "name", mr->mode->name);
        cJSON_AddStringToObject(m, "driver", mr->mode->driver_name);
        cJSON_AddStringToObject(m, "isolation", isolation_name(mr->isolation));
        cJSON_AddBoolToObject(m, "baseline", mr->mode->baseline);
        cJSON_AddBoolToObject(m, "available", mr->available);
        cJSON_AddStringToObject(m, "reason", mr->reason);
        cJSON_AddStringToObject(m, "version", mr->version);
        cJSON_AddItemToObject(m, "facts", mr->facts ? cJSON_Duplicate(mr->facts, 1) : cJSON_CreateObject());
        cJSON_AddItemToArray(modes, m);
    }
    utc_iso(r->started_wall, when, sizeof(when));
    cJSON_AddStringToObject(doc, "started_utc", when);
    if (r->ended_wall > 0) {
        utc_iso(r->ended_wall, when, sizeof(when));
        cJSON_AddStringToObject(doc, "ended_utc", when);
    } else {
        cJSON_AddNullToObject(doc, "ended_utc");
    }
    cJSON_AddStringToObject(doc, "status", r->status);
    cJSON_AddStringToObject(doc, "notes", r->notes);
    add_harness(doc, &r->harness);
    rc = results_write_json_file(r->dir, "run.json", doc, e);
    cJSON_Delete(doc);
    return rc;
}
