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

const char *cap_resource_name(enum cap_resource r)
{
    switch (r) {
    case CAP_MEMORY: return "memory";
    case CAP_CPU: return "cpu";
    case CAP_STORAGE: return "storage";
    case CAP_START_SLO: return "start-slo";
    default: return "none";
    }
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

int capacity_compute(const struct cap_mode_input *in, const struct cap_host *h,
                     const struct cap_params *p, struct cap_result *out, struct err *e)
{
    double mem_avail, fixed, speed, limits[4];
    enum cap_resource which[4] = { CAP_MEMORY, CAP_CPU, CAP_STORAGE, CAP_START_SLO };
    int i;

    fixed = (!isnan(in->mem_fixed_bytes) && in->mem_fixed_bytes > 0) ? in->mem_fixed_bytes : 0;
    mem_avail = h->mem_bytes - p->reserve_mem_bytes - fixed;
    out->by_mem = fit_count(mem_avail, in->mem_bytes);
    out->by_mem_low = isnan(in->mem_bytes_ci_high) ? out->by_mem
                                                   : fit_count(mem_avail, in->mem_bytes_ci_high);
    out->by_mem_high = isnan(in->mem_bytes_ci_low) ? out->by_mem
                                                   : fit_count(mem_avail, in->mem_bytes_ci_low);
    /* a CI reaching 0 or below leaves memory unbounded at the high end */

    speed = (h->cpu_speed > 0 && !isnan(h->cpu_speed)) ? h->cpu_speed : 1.0;
    out->by_cpu = fit_count((double)h->cores * speed * p->cpu_target, in->cpu_cores);
    out->by_storage = fit_count(h->disk_free_bytes, in->storage_bytes);

    out->by_start = INFINITY;
    if (p->start_slo_ms > 0 && in->start_fit) {
        if (in->start_b > 0)
            out->by_start = fmax(0, floor((p->start_slo_ms - in->start_a) / in->start_b));
        else if (in->start_a > p->start_slo_ms)
            out->by_start = 0;
    }

    limits[0] = out->by_mem;
    limits[1] = out->by_cpu;
    limits[2] = out->by_storage;
    limits[3] = out->by_start;
    out->binding = CAP_NONE;
    out->expected = INFINITY;
    for (i = 0; i < 4; i++)
        if (limits[i] < out->expected) {
            out->expected = limits[i];
            out->binding = which[i];
        }
    if (out->binding == CAP_NONE)
        return err_set(e, EINVAL, "mode %s: no resource limits it (no memory, CPU, storage or "
                       "start cost measured)", in->name);
    /* low/high: memory's interval, the other limits as they are */
    out->low = fmin(out->by_mem_low, fmin(out->by_cpu, fmin(out->by_storage, out->by_start)));
    out->high = fmin(out->by_mem_high, fmin(out->by_cpu, fmin(out->by_storage, out->by_start)));
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
   least two fleet sizes, each with 5+ starts; else the mean (all points). */
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
        if (k < 5)
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

int capacity_inputs_from_run(const struct rundir *r, const struct rd_mode *m,
                             struct cap_mode_input *in, struct err *e)
{
    double a, b, pss;
    int resolved;
    memset(in, 0, sizeof(*in));
    snprintf(in->name, sizeof(in->name), "%s", m->name);
    in->mem_bytes_ci_low = in->mem_bytes_ci_high = NAN;
    in->mem_fixed_bytes = 0;
    pss = m->stat[RDM_MEM_PSS].count > 0 ? m->stat[RDM_MEM_PSS].mean : NAN;
    resolved = m->marginal.has && m->marginal.slope > 0 &&
               (isnan(m->marginal.ci_low) || m->marginal.ci_low > 0);
    if (resolved || (m->marginal.has && m->marginal.slope > 0 && !(pss > 0))) {
        in->mem_bytes = m->marginal.slope;
        in->mem_bytes_ci_low = m->marginal.ci_low;
        in->mem_bytes_ci_high = m->marginal.ci_high;
        in->mem_fixed_bytes = isnan(m->marginal.intercept) ? 0 : m->marginal.intercept;
        if (!resolved)
            snprintf(in->mem_note, sizeof(in->mem_note), "slope CI reaches 0 and no PSS measured");
    } else if (m->marginal.has && m->marginal.slope > 0) {
        /* a positive slope whose CI reaches 0: not resolved. The mean PSS
           (a floor: the container's own processes) is the expected cost,
           the slope's upper CI end the pessimistic one. */
        char b1[32], b2[32];
        in->mem_bytes = pss;
        in->mem_bytes_ci_low = pss;
        in->mem_bytes_ci_high = fmax(pss, m->marginal.ci_high);
        in->mem_from_pss = 1;
        snprintf(in->mem_note, sizeof(in->mem_note), "slope %s/ctr not resolved, CI up to %s",
                 rd_fmt_bytes(m->marginal.slope, b1, sizeof(b1)),
                 rd_fmt_bytes(m->marginal.ci_high, b2, sizeof(b2)));
    } else {
        char b[32];
        in->mem_bytes = pss;
        in->mem_from_pss = 1;
        if (m->marginal.has)
            snprintf(in->mem_note, sizeof(in->mem_note), "marginal slope %s/ctr is not positive",
                     rd_fmt_bytes(m->marginal.slope, b, sizeof(b)));
        else
            snprintf(in->mem_note, sizeof(in->mem_note), "no marginal slope in summary.json");
    }

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

void capacity_host_from_run(const struct rundir *r, struct cap_host *h)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->name, sizeof(h->name), "%s", r->host.hostname[0] || r->host.label[0] ? rundir_host_name(r) : "run host");
    h->cores = r->host.cores;
    h->mem_bytes = r->host.mem_total_bytes;
    h->disk_free_bytes = r->host.disk_free_bytes;
    h->cpu_speed = 1.0;
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
    int n = 0, rc = -1;
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
    p->reserve_mem_bytes = 1024.0 * 1024 * 1024;
    p->cpu_target = 0.8;
    p->start_slo_ms = 0;
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

int cap_parse_option(const char *opt, const char *val, struct cap_params *p, struct err *e)
{
    double v;

    if (strcmp(opt, "--reserve-mem") == 0) {
        if (val == NULL || rd_parse_size(val, &p->reserve_mem_bytes) < 0)
            return err_set(e, EINVAL, "--reserve-mem: '%s' is not a size (e.g. 2G)", val ? val : "");
        return 1;
    }
    if (strcmp(opt, "--cpu-target") != 0 && strcmp(opt, "--start-slo-ms") != 0)
        return 0;
    if (val == NULL || input_double(val, &v) < 0)
        v = NAN;
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
