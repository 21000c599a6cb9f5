/*
 * rundir.c - load a run directory into struct rundir (see rundir.h).
 *
 * JSON through cJSON (strictly: input_json_parse), CSV through csvread
 * (libcsv). Modes come from run.json in scenario order (that order fixes
 * each mode's plot colour); summary.json and the CSV files attach to them by
 * name. The files are cross-checked: summary.json must list exactly the
 * modes of run.json, once each, and a CSV row must name one of them; the
 * first inconsistency is the error.
 */
#include "rundir.h"
#include "csvread.h"
#include "input.h"
#include "plat.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

int dvec_push(struct dvec *d, double x)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        double *v = realloc(d->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n++] = x;
    return 0;
}

void dvec_free(struct dvec *d)
{
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

static const char *const limit_keys[RDL_COUNT] = {
    "pid_max", "threads_max", "pids_in_use_at_start", "file_max", "file_nr_at_start", "nofile_soft",
    "nofile_hard", "mount_max", "user_max_pid_namespaces", "user_max_mnt_namespaces",
    "user_max_ipc_namespaces", "user_max_uts_namespaces", "user_max_net_namespaces",
    "user_max_cgroup_namespaces", "mem_total_bytes", "mem_available_at_start_bytes",
    "cgroup_pids_max", "cgroup_memory_max_bytes", "commit_limit_bytes", "committed_at_start_bytes",
    "processes_in_use_at_start", "mounts_at_start", "kernel_used_at_start_bytes",
};

const char *rd_limit_key(enum rd_limit l)
{
    return (l >= 0 && l < RDL_COUNT) ? limit_keys[l] : "?";
}

static const char *const cons_keys[RDC_COUNT] = { "pids", "fds", "mounts", "kmem_bytes", "mem_commit_bytes" };

const char *rd_cons_key(enum rd_cons c)
{
    return (c >= 0 && c < RDC_COUNT) ? cons_keys[c] : "?";
}

static const char *const metric_keys[RDM_COUNT] = {
    "start_ms", "mem_pss_bytes", "mem_cgroup_bytes", "idle_cpu_pct", "storage_bytes", "work_ns",
};

const char *rd_metric_key(enum rd_metric m)
{
    return (m >= 0 && m < RDM_COUNT) ? metric_keys[m] : "?";
}

int rd_metric_find(const char *key)
{
    int i;
    for (i = 0; i < RDM_COUNT; i++)
        if (strcmp(metric_keys[i], key) == 0)
            return i;
    return -1;
}

int rd_read_text(const char *path, char **out, size_t *len, struct err *e)
{
    return input_read_file(path, out, len, e);
}

int rd_parse_size(const char *s, double *out)
{
    return input_size(s, out);
}

const char *rd_md_text(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return buf;
    for (; s != NULL && *s; s++) {
        char one[8];
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            snprintf(one, sizeof(one), " ");
        else if (c == '<')
            snprintf(one, sizeof(one), "&lt;");
        else if (c == '>')
            snprintf(one, sizeof(one), "&gt;");
        else if (c == '&')
            snprintf(one, sizeof(one), "&amp;");
        else if (strchr("|\\`*[]", c) != NULL)
            snprintf(one, sizeof(one), "\\%c", c);
        else
            snprintf(one, sizeof(one), "%c", c);
        if (o + strlen(one) >= n)
            break;
        memcpy(buf + o, one, strlen(one));
        o += strlen(one);
    }
    buf[o] = '\0';
    return buf;
}

const char *rd_fmt_bytes(double b, char *buf, size_t n)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    if (isnan(b)) {
        snprintf(buf, n, "-");
        return buf;
    }
    while (fabs(b) >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(buf, n, u == 0 ? "%.0f %s" : "%.1f %s", b, unit[u]);
    return buf;
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void jstr(const cJSON *o, const char *key, char *buf, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(buf, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static cJSON *load_json(const char *dir, const char *name, struct err *e)
{
    char path[1200];
    char *text = NULL;
    cJSON *j;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (rd_read_text(path, &text, NULL, e) < 0)
        return NULL;
    j = input_json_parse(text, path, e);
    free(text);
    if (j != NULL && !cJSON_IsObject(j)) {
        err_set(e, EINVAL, "%s: expected a JSON object at the top", path);
        cJSON_Delete(j);
        j = NULL;
    }
    return j;
}

/* An integer field: `dflt` when absent or null, an error naming the file and
   field when it is not a number in [lo, hi]. */
static int jint(const cJSON *o, const char *key, int lo, int hi, int dflt, int *out, const char *file,
                const char *where, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = dflt;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || input_to_int(v->valuedouble, lo, hi, out) < 0)
        return err_set(e, EINVAL, "%s: %s%s%s: expected an integer from %d to %d", file, where,
                       where[0] ? "." : "", key, lo, hi);
    return 0;
}

/* A name field that must be a non-empty string. */
static int jname(const cJSON *o, char *buf, size_t n, const char *file, const char *where, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0' || strlen(v->valuestring) >= n)
        return err_set(e, EINVAL, "%s: %s.name: expected a non-empty string of at most %zu characters",
                       file, where, n - 1);
    snprintf(buf, n, "%s", v->valuestring);
    return 0;
}

int rundir_failed_host(const char *dir, char *name, size_t nn, char *reason, size_t nr,
                       struct err *e)
{
    char path[1200];
    cJSON *j;
    snprintf(path, sizeof(path), "%s/%s", dir, RD_FAILED_FILE);
    if (!plat_exists(path))
        return 0;
    j = load_json(dir, RD_FAILED_FILE, e);
    if (j == NULL)
        return -1;
    jstr(j, "host", name, nn);
    jstr(j, "reason", reason, nr);
    cJSON_Delete(j);
    if (name[0] == '\0' || reason[0] == '\0')
        return err_set(e, EINVAL, "%s: expected {\"host\": NAME, \"reason\": TEXT}", path);
    return 1;
}

/* ---- modes ---- */

struct rd_mode *rundir_mode(struct rundir *r, const char *name)
{
    int i;
    for (i = 0; i < r->nmodes; i++)
        if (strcmp(r->modes[i].name, name) == 0)
            return &r->modes[i];
    return NULL;
}

struct rd_mode *rundir_baseline(struct rundir *r)
{
    int i;
    if (r->baseline[0])
        return rundir_mode(r, r->baseline);
    for (i = 0; i < r->nmodes; i++)
        if (r->modes[i].baseline)
            return &r->modes[i];
    return NULL;
}

const char *rundir_host_name(const struct rundir *r)
{
    if (r->host.label[0])
        return r->host.label;
    return r->host.hostname[0] ? r->host.hostname : r->run_id;
}

const char *rundir_host_label(const struct rundir *runs, int nruns, int i, char *buf, size_t n)
{
    const char *h = rundir_host_name(&runs[i]);
    int k, dup = 0;
    for (k = 0; k < nruns; k++)
        if (k != i && strcmp(rundir_host_name(&runs[k]), h) == 0)
            dup = 1;
    if (dup)
        snprintf(buf, n, "%s (%s)", h, runs[i].run_id);
    else
        snprintf(buf, n, "%s", h);
    return buf;
}

int rundir_mode_index(const struct rundir *r, const struct rd_mode *m)
{
    return (int)(m - r->modes);
}

/* A new mode from run.json; a name given twice is an error. */
static struct rd_mode *mode_add(struct rundir *r, const char *name, struct err *e)
{
    struct rd_mode *m;
    int i;
    if (rundir_mode(r, name) != NULL) {
        err_set(e, EINVAL, "mode \"%s\" is listed twice", name);
        return NULL;
    }
    if (r->nmodes == RD_MAX_MODES) {
        err_set(e, EINVAL, "more than %d modes", RD_MAX_MODES);
        return NULL;
    }
    m = &r->modes[r->nmodes++];
    memset(m, 0, sizeof(*m));
    snprintf(m->name, sizeof(m->name), "%s", name);
    m->available = 1;
    m->host_cpu_busy_pct = m->cpu_overhead_pct = m->bare_work_ns = NAN;
    for (i = 0; i < RDM_COUNT; i++) {
        struct rd_stats *s = &m->stat[i];
        s->mean = s->sd = s->min = s->p50 = s->p95 = s->p99 = s->max = NAN;
        s->p50_ci_low = s->p50_ci_high = NAN;
    }
    return m;
}

static int load_stats(const cJSON *o, struct rd_stats *s, const char *file, const char *where, struct err *e)
{
    if (o != NULL && !cJSON_IsObject(o) && !cJSON_IsNull(o))
        return err_set(e, EINVAL, "%s: %s: expected an object", file, where);
    if (jint(o, "count", 0, INT32_MAX, 0, &s->count, file, where, e) < 0)
        return -1;
    s->mean = jnum(o, "mean");
    s->sd = jnum(o, "sd");
    s->min = jnum(o, "min");
    s->p50 = jnum(o, "p50");
    s->p50_ci_low = jnum(o, "p50_ci95_low");
    s->p50_ci_high = jnum(o, "p50_ci95_high");
    s->p95 = jnum(o, "p95");
    s->p99 = jnum(o, "p99");
    s->max = jnum(o, "max");
    return 0;
}

/* "accel=tcg, machine=microvm" from a mode's facts object. */
static int load_facts(const cJSON *facts, struct rd_mode *md, const char *file, const char *where,
                      struct err *e)
{
    const cJSON *f;
    if (facts == NULL || cJSON_IsNull(facts))
        return 0;
    if (!cJSON_IsObject(facts))
        return err_set(e, EINVAL, "%s: %s.facts: expected an object", file, where);
    cJSON_ArrayForEach(f, facts) {
        char one[160];
        size_t used = strlen(md->facts);
        if (cJSON_IsString(f))
            snprintf(one, sizeof(one), "%s%s=%s", used ? ", " : "", f->string, f->valuestring);
        else if (cJSON_IsNumber(f))
            snprintf(one, sizeof(one), "%s%s=%g", used ? ", " : "", f->string, f->valuedouble);
        else if (cJSON_IsBool(f))
            snprintf(one, sizeof(one), "%s%s=%s", used ? ", " : "", f->string,
                     cJSON_IsTrue(f) ? "true" : "false");
        else
            continue;
        snprintf(md->facts + used, sizeof(md->facts) - used, "%s", one);
        if (strcmp(f->string, "accel") == 0 && cJSON_IsString(f) && strcmp(f->valuestring, "tcg") == 0)
            md->tcg = 1;
    }
    return 0;
}

/* host.limits and budget (contract): numbers or null; anything else is an
   error naming the field. */
static int load_limits(struct rundir *r, const cJSON *host, struct err *e)
{
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(host, "limits");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r->run, "budget"), *v;
    int i;
    for (i = 0; i < RDL_COUNT; i++)
        r->limit[i] = NAN;
    if (lim != NULL && !cJSON_IsNull(lim)) {
        if (!cJSON_IsObject(lim))
            return err_set(e, EINVAL, "%s/run.json: host.limits: expected an object", r->path);
        r->has_limits = 1;
        for (i = 0; i < RDL_COUNT; i++) {
            v = cJSON_GetObjectItemCaseSensitive(lim, limit_keys[i]);
            if (v == NULL || cJSON_IsNull(v))
                continue;
            if (!cJSON_IsNumber(v) || v->valuedouble < 0)
                return err_set(e, EINVAL, "%s/run.json: host.limits.%s: expected a non-negative "
                               "integer or null", r->path, limit_keys[i]);
            r->limit[i] = v->valuedouble;
        }
    }
    r->budget.memory_bytes = r->budget.pids = r->budget.cpus = NAN;
    if (b == NULL || cJSON_IsNull(b)) {
        /* a run whose run.json lost the object: the scenario's budget */
        const cJSON *sb = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r->run, "scenario"), "budget");
        if (!cJSON_IsObject(sb))
            return 0;
        b = sb;
    }
    if (!cJSON_IsObject(b))
        return err_set(e, EINVAL, "%s/run.json: budget: expected an object or null", r->path);
    r->budget.set = 1;
    {
        static const char *const keys[] = { "memory_bytes", "pids", "cpus" };
        double *dst[] = { &r->budget.memory_bytes, &r->budget.pids, &r->budget.cpus };
        for (i = 0; i < 3; i++) {
            v = cJSON_GetObjectItemCaseSensitive(b, keys[i]);
            if (v == NULL || cJSON_IsNull(v))
                continue;
            if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
                return err_set(e, EINVAL, "%s/run.json: budget.%s: expected a positive number "
                               "or null", r->path, keys[i]);
            *dst[i] = v->valuedouble;
        }
    }
    jstr(b, "cgroup", r->budget.cgroup, sizeof(r->budget.cgroup));
    r->budget.cgroup_version = isnan(jnum(b, "cgroup_version")) ? 0 : (int)jnum(b, "cgroup_version");
    return 0;
}

static int load_run_json(struct rundir *r, struct err *e)
{
    const cJSON *host, *modes, *m, *isb;
    char file[1200];
    int i = 0;
    snprintf(file, sizeof(file), "%s/run.json", r->path);
    r->run = load_json(r->path, "run.json", e);
    if (r->run == NULL)
        return -1;
    jstr(r->run, "run_id", r->run_id, sizeof(r->run_id));
    jstr(r->run, "status", r->status, sizeof(r->status));
    jstr(r->run, "started_utc", r->started_utc, sizeof(r->started_utc));
    isb = cJSON_GetObjectItemCaseSensitive(r->run, "isobench");
    jstr(isb, "version", r->version, sizeof(r->version));
    jstr(isb, "git_sha", r->git_sha, sizeof(r->git_sha));
    jstr(cJSON_GetObjectItemCaseSensitive(r->run, "scenario"), "name", r->scenario_name,
         sizeof(r->scenario_name));
    host = cJSON_GetObjectItemCaseSensitive(r->run, "host");
    if (!cJSON_IsObject(host))
        return err_set(e, EINVAL, "%s: no \"host\" object", file);
    jstr(host, "hostname", r->host.hostname, sizeof(r->host.hostname));
    jstr(host, "label", r->host.label, sizeof(r->host.label));
    jstr(host, "os", r->host.os, sizeof(r->host.os));
    jstr(host, "kernel", r->host.kernel, sizeof(r->host.kernel));
    jstr(host, "arch", r->host.arch, sizeof(r->host.arch));
    jstr(host, "cpu_model", r->host.cpu_model, sizeof(r->host.cpu_model));
    jstr(host, "cgroup", r->host.cgroup, sizeof(r->host.cgroup));
    if (jint(host, "cores", 0, 1 << 20, 0, &r->host.cores, file, "host", e) < 0)
        return -1;
    r->host.mem_total_bytes = jnum(host, "mem_total_bytes");
    r->host.disk_free_bytes = jnum(host, "disk_free_bytes");
    r->host.disk_total_bytes = jnum(host, "disk_total_bytes");
    if (load_limits(r, host, e) < 0)
        return -1;

    modes = cJSON_GetObjectItemCaseSensitive(r->run, "modes");
    if (!cJSON_IsArray(modes))
        return err_set(e, EINVAL, "%s: modes: expected an array", file);
    cJSON_ArrayForEach(m, modes) {
        char name[64], where[32];
        struct rd_mode *md;
        const cJSON *avail;
        snprintf(where, sizeof(where), "modes[%d]", i++);
        if (!cJSON_IsObject(m))
            return err_set(e, EINVAL, "%s: %s: expected an object", file, where);
        if (jname(m, name, sizeof(name), file, where, e) < 0)
            return -1;
        md = mode_add(r, name, e);
        if (md == NULL)
            return err_wrap(e, "%s: %s", file, where);
        jstr(m, "driver", md->driver, sizeof(md->driver));
        jstr(m, "isolation", md->isolation, sizeof(md->isolation));
        jstr(m, "version", md->version, sizeof(md->version));
        jstr(m, "reason", md->reason, sizeof(md->reason));
        md->baseline = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "baseline"));
        avail = cJSON_GetObjectItemCaseSensitive(m, "available");
        md->available = avail == NULL || cJSON_IsTrue(avail);
        if (load_facts(cJSON_GetObjectItemCaseSensitive(m, "facts"), md, file, where, e) < 0)
            return -1;
    }
    return 0;
}

static int load_summary(struct rundir *r, struct err *e)
{
    cJSON *s = load_json(r->path, "summary.json", e);
    const cJSON *m, *modes;
    char file[1200];
    int rc = -1, i = 0, k;
    if (s == NULL)
        return err_wrap(e, "run has no readable summary (interrupted before the reduce step?)");
    snprintf(file, sizeof(file), "%s/summary.json", r->path);
    jstr(s, "baseline_mode", r->baseline, sizeof(r->baseline));
    if (r->baseline[0] && rundir_mode(r, r->baseline) == NULL) {
        err_set(e, EINVAL, "%s: baseline_mode: \"%s\" is not a mode of run.json", file, r->baseline);
        goto out;
    }
    if (r->scenario_name[0] == '\0')
        jstr(s, "scenario_name", r->scenario_name, sizeof(r->scenario_name));
    modes = cJSON_GetObjectItemCaseSensitive(s, "modes");
    if (!cJSON_IsArray(modes)) {
        err_set(e, EINVAL, "%s: modes: expected an array", file);
        goto out;
    }
    cJSON_ArrayForEach(m, modes) {
        char name[64], where[96];
        struct rd_mode *md;
        const cJSON *mg;
        snprintf(where, sizeof(where), "modes[%d]", i++);
        if (!cJSON_IsObject(m)) {
            err_set(e, EINVAL, "%s: %s: expected an object", file, where);
            goto out;
        }
        if (jname(m, name, sizeof(name), file, where, e) < 0)
            goto out;
        md = rundir_mode(r, name);
        if (md == NULL) {
            err_set(e, EINVAL, "%s: %s: mode \"%s\" is not in run.json", file, where, name);
            goto out;
        }
        if (md->in_summary) {
            err_set(e, EINVAL, "%s: %s: mode \"%s\" is listed twice", file, where, name);
            goto out;
        }
        md->in_summary = 1;
        if (md->driver[0] == '\0')
            jstr(m, "driver", md->driver, sizeof(md->driver));
        if (md->isolation[0] == '\0')
            jstr(m, "isolation", md->isolation, sizeof(md->isolation));
        if (jint(m, "containers", 0, INT32_MAX, 0, &md->containers, file, where, e) < 0 ||
            jint(m, "failed", 0, INT32_MAX, 0, &md->failed, file, where, e) < 0)
            goto out;
        for (k = 0; k < RDM_COUNT; k++) {
            char sub[160];
            snprintf(sub, sizeof(sub), "%s.%s", where, metric_keys[k]);
            if (load_stats(cJSON_GetObjectItemCaseSensitive(m, metric_keys[k]), &md->stat[k], file, sub, e) < 0)
                goto out;
        }
        mg = cJSON_GetObjectItemCaseSensitive(m, "marginal_mem_bytes");
        md->marginal.slope = jnum(mg, "slope");
        md->marginal.has = !isnan(md->marginal.slope);
        md->marginal.ci_low = jnum(mg, "ci95_low");
        md->marginal.ci_high = jnum(mg, "ci95_high");
        md->marginal.intercept = jnum(mg, "intercept");
        md->marginal.r2 = jnum(mg, "r2");
        {
            char sub[160];
            snprintf(sub, sizeof(sub), "%s.marginal_mem_bytes", where);
            if (jint(mg, "points", 0, INT32_MAX, 0, &md->marginal.points, file, sub, e) < 0)
                goto out;
        }
        md->host_cpu_busy_pct = jnum(m, "host_cpu_busy_pct");
        md->cpu_overhead_pct = jnum(m, "cpu_overhead_pct");
        md->bare_work_ns = jnum(m, "bare_work_ns");
    }
    for (k = 0; k < r->nmodes; k++)
        if (!r->modes[k].in_summary) {
            err_set(e, EINVAL, "%s: mode \"%s\" of run.json is missing", file, r->modes[k].name);
            goto out;
        }
    rc = 0;
out:
    cJSON_Delete(s);
    return rc;
}

/* ---- CSV files ---- */

struct row_ctx {
    struct rundir *r;
    struct rd_mode *last; /* cache: consecutive rows mostly share a mode */
};

static struct rd_mode *row_mode(struct row_ctx *c, const char *name, struct err *e)
{
    if (c->last != NULL && strcmp(c->last->name, name) == 0)
        return c->last;
    c->last = rundir_mode(c->r, name);
    if (c->last == NULL)
        err_set(e, EINVAL, "column mode: \"%s\" is not a mode of run.json", name);
    return c->last;
}

static int bad_number(struct err *e, const char *col, const char *text)
{
    return err_set(e, EINVAL, "column %s: '%s' is not a finite number", col, text);
}

/* containers.csv columns we use, in this order. */
static const char *const container_cols[] = {
    "!mode", "!status", "fleet_size",
    "start_ms", "mem_pss_bytes", "mem_cgroup_bytes", "idle_cpu_pct", "storage_bytes", "work_ns",
    "pids", "fds", "mounts", "kmem_bytes", "mem_commit_bytes", "phase",
    "rep", /* last: CONTAINER_NCOLS - 1 */
};
#define CONTAINER_NCOLS ((int)(sizeof(container_cols) / sizeof(container_cols[0])))

static int container_row(void *ctx, char f[][CSVR_FIELD_MAX], long line, struct err *e)
{
    struct row_ctx *c = ctx;
    struct rd_mode *m = row_mode(c, f[0], e);
    double fleet, v, rep;
    int i;
    (void)line;
    if (m == NULL)
        return -1;
    if (csvr_num(f[CONTAINER_NCOLS - 1], &rep) < 0)
        return bad_number(e, "rep", f[CONTAINER_NCOLS - 1]);
    if (isnan(rep))
        rep = 0; /* files from before repetitions were recorded */
    if (strcmp(f[1], "ok") != 0) {
        m->csv_failed++;
        return 0;
    }
    m->csv_ok++;
    if (csvr_num(f[2], &fleet) < 0)
        return bad_number(e, "fleet_size", f[2]);
    for (i = 0; i < RDM_COUNT; i++) {
        /* container_cols[3 + i] is metric_keys[i] */
        if (csvr_num(f[3 + i], &v) < 0)
            return bad_number(e, metric_keys[i], f[3 + i]);
        if (isnan(v))
            continue;
        if (dvec_push(&m->val[i], v) < 0 || dvec_push(&m->rep[i], rep) < 0)
            return err_set(e, ENOMEM, "out of memory");
        if (i == RDM_START_MS && dvec_push(&m->start_fleet, fleet) < 0)
            return err_set(e, ENOMEM, "out of memory");
        if (i == RDM_START_MS && strcmp(f[CONTAINER_NCOLS - 2], "starts") == 0 &&
            (dvec_push(&m->starts_val, v) < 0 || dvec_push(&m->starts_rep, rep) < 0))
            return err_set(e, ENOMEM, "out of memory");
    }
    for (i = 0; i < RDC_COUNT; i++) {
        const char *cell = f[3 + RDM_COUNT + i];
        if (csvr_num(cell, &v) < 0)
            return bad_number(e, cons_keys[i], cell);
        if (!isnan(v) && dvec_push(&m->cons[i], v) < 0)
            return err_set(e, ENOMEM, "out of memory");
    }
    return 0;
}

static const char *const ramp_cols[] = {
    "!mode", "!fleet_size", "!delta_bytes", "cpu_busy_pct", "kernel_used_bytes", "pss_sum_bytes",
    "pids_in_use", "threads_in_use", "cgroup_used_bytes", "harness_fds", "harness_counter_fds",
    "cgroup_pids", "cgroup_pids_peak", "cgroup_kmem_bytes", "mounts_in_use", "hold_mem_range_bytes",
    "slab_free_bytes", "slab_active_bytes", "slab_reused_bytes", "slab_free_start_bytes",
    "slab_active_start_bytes", "slab_free_after_bytes", "slab_active_after_bytes", "pcp_free_bytes",
    "pcp_free_start_bytes",
    "rep", /* last: RAMP_NCOLS - 1 */
};
#define RAMP_NCOLS ((int)(sizeof(ramp_cols) / sizeof(ramp_cols[0])))
#define RAMP_NEXTRA (RAMP_NCOLS - 5) /* kernel_used_bytes .. before rep */
#define RAMP_SLAB_REUSED_COL 18     /* slab_reused_bytes */
#define RAMP_SLAB_FREE_START_COL 19 /* slab_free_start_bytes */

static int ramp_row(void *ctx, char f[][CSVR_FIELD_MAX], long line, struct err *e)
{
    struct row_ctx *c = ctx;
    struct rd_mode *m = row_mode(c, f[0], e);
    double fleet, delta, cpu, rep, extra[RAMP_NEXTRA];
    struct dvec *dst[RAMP_NEXTRA];
    int i;
    (void)line;
    if (m == NULL)
        return -1;
    dst[0] = &m->ramp_kernel;
    dst[1] = &m->ramp_pss;
    dst[2] = &m->ramp_pids;
    dst[3] = &m->ramp_threads;
    dst[4] = &m->ramp_cgroup;
    dst[5] = &m->ramp_hfds;
    dst[6] = &m->ramp_hcfds;
    dst[7] = &m->ramp_cg_pids;
    dst[8] = &m->ramp_cg_peak;
    dst[9] = &m->ramp_cgroup_kmem;
    dst[10] = &m->ramp_mounts;
    dst[11] = &m->ramp_hold_range;
    dst[12] = &m->ramp_slab_free;
    dst[13] = &m->ramp_slab_active;
    dst[14] = &m->ramp_slab_reused;
    dst[15] = &m->ramp_slab_free_start;
    dst[16] = &m->ramp_slab_active_start;
    dst[17] = &m->ramp_slab_free_after;
    dst[18] = &m->ramp_slab_active_after;
    dst[19] = &m->ramp_pcp;
    dst[20] = &m->ramp_pcp_start;
    for (i = 0; i < RAMP_NEXTRA; i++)
        if (csvr_num(f[4 + i], &extra[i]) < 0)
            return bad_number(e, ramp_cols[4 + i], f[4 + i]);
    if (csvr_num(f[1], &fleet) < 0)
        return bad_number(e, "fleet_size", f[1]);
    if (csvr_num(f[2], &delta) < 0)
        return bad_number(e, "delta_bytes", f[2]);
    if (csvr_num(f[3], &cpu) < 0)
        return bad_number(e, "cpu_busy_pct", f[3]);
    if (csvr_num(f[RAMP_NCOLS - 1], &rep) < 0)
        return bad_number(e, "rep", f[RAMP_NCOLS - 1]);
    if (isnan(fleet) || fleet <= 0 || isnan(delta))
        return 0; /* the level-0 row is the baseline itself */
    if (dvec_push(&m->ramp_fleet, fleet) < 0 || dvec_push(&m->ramp_delta, delta) < 0 ||
        dvec_push(&m->ramp_cpu, cpu) < 0 || dvec_push(&m->ramp_rep, isnan(rep) ? 0 : rep) < 0)
        return err_set(e, ENOMEM, "out of memory");
    for (i = 0; i < RAMP_NEXTRA; i++)
        if (dvec_push(dst[i], extra[i]) < 0)
            return err_set(e, ENOMEM, "out of memory");
    return 0;
}

static const char *const sample_cols[] = { "!t_ms", "!scope", "!mode", "!counter", "!value" };

static int sample_row(void *ctx, char f[][CSVR_FIELD_MAX], long line, struct err *e)
{
    struct row_ctx *c = ctx;
    struct rd_mode *m;
    double t, v;
    (void)line;
    /* Only host cpu_busy_pct rows are kept: cheap string tests first. */
    if (f[1][0] != 'h' || strcmp(f[1], "host") != 0 || strcmp(f[3], "cpu_busy_pct") != 0)
        return 0;
    m = row_mode(c, f[2], e);
    if (m == NULL)
        return -1;
    if (csvr_num(f[0], &t) < 0)
        return bad_number(e, "t_ms", f[0]);
    if (csvr_num(f[4], &v) < 0)
        return bad_number(e, "value", f[4]);
    if (isnan(t) || isnan(v))
        return 0;
    if (dvec_push(&m->cpu_t_ms, t) < 0 || dvec_push(&m->cpu_pct, v) < 0)
        return err_set(e, ENOMEM, "out of memory");
    return 0;
}

static int file_exists(const char *dir, const char *name)
{
    char path[1200];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "rb");
    if (fp == NULL)
        return 0;
    fclose(fp);
    return 1;
}

int rundir_load(const char *path, unsigned what, struct rundir *r, struct err *e)
{
    char file[1200];
    struct row_ctx c;
    memset(r, 0, sizeof(*r));
    snprintf(r->path, sizeof(r->path), "%s", path);
    c.r = r;
    c.last = NULL;
    /* `isobench density` writes density.json and no summary.json */
    if (load_run_json(r, e) < 0 ||
        (!(what & RD_NO_SUMMARY) && (file_exists(path, "summary.json") || !file_exists(path, "density.json")) &&
         load_summary(r, e) < 0))
        goto fail;
    if (what & RD_CONTAINERS) {
        snprintf(file, sizeof(file), "%s/containers.csv", path);
        if (csvr_read_file(file, container_cols, CONTAINER_NCOLS, container_row, &c, e) < 0)
            goto fail;
    }
    if ((what & RD_RAMP) && file_exists(path, "ramp.csv")) {
        snprintf(file, sizeof(file), "%s/ramp.csv", path);
        int present[RAMP_NCOLS];
        if (csvr_read_file_present(file, ramp_cols, RAMP_NCOLS, ramp_row, &c, present, e) < 0)
            goto fail;
        r->ramp_has_slab = present[RAMP_SLAB_REUSED_COL] && present[RAMP_SLAB_FREE_START_COL];
    }
    if ((what & RD_SAMPLES) && file_exists(path, "samples.csv")) {
        snprintf(file, sizeof(file), "%s/samples.csv", path);
        if (csvr_read_file(file, sample_cols, 5, sample_row, &c, e) < 0)
            goto fail;
    }
    if (rundir_load_density(r, e) < 0)
        goto fail;
    return 0;
fail:
    rundir_free(r);
    return -1;
}

void rundir_free(struct rundir *r)
{
    int i, k;
    for (i = 0; i < r->nmodes; i++) {
        struct rd_mode *m = &r->modes[i];
        for (k = 0; k < RDM_COUNT; k++) {
            dvec_free(&m->val[k]);
            dvec_free(&m->rep[k]);
        }
        dvec_free(&m->start_fleet);
        dvec_free(&m->ramp_fleet);
        dvec_free(&m->ramp_rep);
        dvec_free(&m->ramp_delta);
        dvec_free(&m->ramp_hold_range);
        dvec_free(&m->ramp_cpu);
        dvec_free(&m->ramp_kernel);
        dvec_free(&m->ramp_pss);
        dvec_free(&m->ramp_pids);
        dvec_free(&m->ramp_threads);
        dvec_free(&m->ramp_cgroup);
        dvec_free(&m->ramp_hfds);
        dvec_free(&m->ramp_hcfds);
        dvec_free(&m->ramp_cg_pids);
        dvec_free(&m->ramp_cg_peak);
        dvec_free(&m->ramp_cgroup_kmem);
        dvec_free(&m->ramp_mounts);
        dvec_free(&m->ramp_slab_free);
        dvec_free(&m->ramp_slab_active);
        dvec_free(&m->ramp_slab_reused);
        dvec_free(&m->ramp_slab_free_start);
        dvec_free(&m->ramp_slab_active_start);
        dvec_free(&m->ramp_slab_free_after);
        dvec_free(&m->ramp_slab_active_after);
        dvec_free(&m->ramp_pcp);
        dvec_free(&m->ramp_pcp_start);
        dvec_free(&m->starts_val);
        dvec_free(&m->starts_rep);
        for (k = 0; k < RDC_COUNT; k++)
            dvec_free(&m->cons[k]);
        free(m->density.step);
        m->density.step = NULL;
        dvec_free(&m->cpu_t_ms);
        dvec_free(&m->cpu_pct);
    }
    cJSON_Delete(r->run);
    r->run = NULL;
    r->nmodes = 0;
}
