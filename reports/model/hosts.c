/*
 * hosts.c - side-by-side runs from different hosts (see hosts.h).
 */
#include "hosts.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The rootfs path differs per host (image cache); the image is the same.
   A budget (run --budget, or the scenario's "budget") describes the host the
   run was confined to, not the workload: hosts compares exactly that. */
static const char *const scenario_ignore[] = { "image", "budget", NULL };

static int ignored(const char *key, const char *const *ignore)
{
    int i;
    for (i = 0; ignore != NULL && ignore[i] != NULL; i++)
        if (strcmp(key, ignore[i]) == 0)
            return 1;
    return 0;
}

int hosts_json_diff(const cJSON *a, const cJSON *b, const char *path, const char *const *ignore,
                    char *buf, size_t n)
{
    char sub[512];
    const cJSON *x;
    int i;
    if (a == NULL || b == NULL || (a->type & 0xff) != (b->type & 0xff)) {
        snprintf(buf, n, "%s", path);
        return 1;
    }
    if (cJSON_IsObject(a)) {
        cJSON_ArrayForEach(x, a) {
            if (ignored(x->string, ignore))
                continue;
            snprintf(sub, sizeof(sub), "%s.%s", path, x->string);
            if (hosts_json_diff(x, cJSON_GetObjectItemCaseSensitive(b, x->string), sub, NULL, buf, n))
                return 1;
        }
        cJSON_ArrayForEach(x, b) {
            if (ignored(x->string, ignore))
                continue;
            if (cJSON_GetObjectItemCaseSensitive(a, x->string) == NULL) {
                snprintf(buf, n, "%s.%s", path, x->string);
                return 1;
            }
        }
        return 0;
    }
    if (cJSON_IsArray(a)) {
        int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
        for (i = 0; i < na && i < nb; i++) {
            snprintf(sub, sizeof(sub), "%s[%d]", path, i);
            if (hosts_json_diff(cJSON_GetArrayItem(a, i), cJSON_GetArrayItem(b, i), sub, NULL, buf, n))
                return 1;
        }
        if (na != nb) {
            snprintf(buf, n, "%s (length %d vs %d)", path, na, nb);
            return 1;
        }
        return 0;
    }
    if (!cJSON_Compare(a, b, 1)) {
        snprintf(buf, n, "%s", path);
        return 1;
    }
    return 0;
}

int hosts_check_scenarios(const struct rundir *runs, int nruns, struct err *e)
{
    int i;
    const cJSON *s0 = cJSON_GetObjectItemCaseSensitive(runs[0].run, "scenario");
    if (s0 == NULL)
        return err_set(e, EINVAL, "%s/run.json: no scenario object", runs[0].path);
    for (i = 1; i < nruns; i++) {
        char where[512];
        const cJSON *si = cJSON_GetObjectItemCaseSensitive(runs[i].run, "scenario");
        if (hosts_json_diff(s0, si, "scenario", scenario_ignore, where, sizeof(where))) {
            return err_set(e, EINVAL,
                           "runs %s and %s used different scenarios (first difference: %s); "
                           "hosts compares only runs of the same scenario",
                           runs[0].path, runs[i].path, where);
        }
    }
    return 0;
}

double hosts_cores(const struct cap_host *h)
{
    return h->cpus > 0 ? h->cpus : h->cores;
}

/* Containers per GiB, per core and per dollar of a row: the measured
   ceiling when there is one, else the model's expected count. */
static void per_units(struct hosts_row *h, const struct hosts_prices *pr)
{
    double count = !isnan(h->measured) ? h->measured : h->cap.ok ? h->cap.res.expected : NAN;
    double gib = h->host.mem_bytes / (1024.0 * 1024 * 1024);
    double cores = hosts_cores(&h->host); /* a budget's cpus */
    double cost = 0;
    if (!isfinite(count) || !(gib > 0) || !(cores > 0))
        return;
    h->per_gib = count / gib;
    h->per_core = count / cores;
    if (!isnan(pr->per_core))
        cost += pr->per_core * cores;
    if (!isnan(pr->per_gib))
        cost += pr->per_gib * gib;
    if (cost > 0)
        h->per_dollar = count / cost;
}

int hosts_rows(const struct rundir *runs, int nruns, const struct cap_params *p,
               const struct hosts_prices *pr, struct hosts_row **rows, int *nrows, struct err *e)
{
    int r, i, n = 0, total = 0;
    struct hosts_row *out;
    for (r = 0; r < nruns; r++)
        total += runs[r].nmodes;
    out = calloc((size_t)(total ? total : 1), sizeof(*out));
    if (out == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (r = 0; r < nruns; r++)
        for (i = 0; i < runs[r].nmodes; i++) {
            const struct rd_mode *m = &runs[r].modes[i];
            struct hosts_row *h = &out[n++];
            struct rd_mode *first = rundir_mode((struct rundir *)&runs[0], m->name);
            struct err e2;
            err_clear(&e2);
            h->run = &runs[r];
            h->color = first != NULL ? rundir_mode_index(&runs[0], first) : i;
            capacity_host_from_run(&runs[r], &h->host);
            rundir_host_label(runs, nruns, r, h->host.name, sizeof(h->host.name));
            h->cap.host = &h->host;
            h->per_gib = h->per_core = h->per_dollar = NAN;
            h->measured = m->density.has ? m->density.ceiling : NAN;
            h->measured_binding = m->density.has ? m->density.binding : "";
            snprintf(h->cap.in.name, sizeof(h->cap.in.name), "%s", m->name);
            if (!m->available) {
                snprintf(h->cap.why, sizeof(h->cap.why), "unavailable: %s", m->reason);
                continue;
            }
            if (capacity_inputs_from_run(&runs[r], m, &h->cap.in, e) < 0) {
                free(out);
                return -1;
            }
            if (h->host.cores <= 0 || !(h->host.mem_bytes > 0))
                snprintf(h->cap.why, sizeof(h->cap.why), "run.json has no host cores/memory");
            else if (capacity_compute(&h->cap.in, &h->host, p, &h->cap.res, &e2) < 0)
                snprintf(h->cap.why, sizeof(h->cap.why), "%s", e2.msg);
            else
                h->cap.ok = 1;
            per_units(h, pr);
        }
    *rows = out;
    *nrows = n;
    return 0;
}

/* ---- hosts that failed, and what tells hosts apart ---- */

int hosts_add_failed(struct hosts_row **rows, int *nrows, const char *name, const char *reason,
                     struct err *e)
{
    struct hosts_row *grown = realloc(*rows, (size_t)(*nrows + 1) * sizeof(**rows)), *h;
    if (grown == NULL)
        return err_set(e, ENOMEM, "out of memory");
    *rows = grown;
    h = &grown[(*nrows)++];
    memset(h, 0, sizeof(*h));
    snprintf(h->host.name, sizeof(h->host.name), "%s", name);
    h->host.mem_bytes = NAN;
    h->cap.host = &h->host;
    snprintf(h->cap.in.name, sizeof(h->cap.in.name), "-");
    snprintf(h->cap.why, sizeof(h->cap.why), "host failed: %s", reason);
    h->per_gib = h->per_core = h->per_dollar = NAN;
    h->measured = NAN;
    h->measured_binding = "";
    return 0;
}

int hosts_run_failed(const struct rundir *r, char *reason, size_t n)
{
    if (strcmp(r->status, "complete") == 0)
        return 0;
    snprintf(reason, n, "%s/run.json: the run did not complete (status \"%s\")", r->path,
             r->status[0] ? r->status : "missing");
    return 1;
}

static void append(char *buf, size_t n, const char *sep, const char *text)
{
    size_t len = strlen(buf);
    if (len < n)
        snprintf(buf + len, n - len, "%s%s", len ? sep : "", text);
}

void hosts_fingerprint(const struct rundir *r, struct hosts_fp *fp)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r->run, "budget");
    char part[160];
    int i;
    memset(fp, 0, sizeof(*fp));
    snprintf(fp->name, sizeof(fp->name), "%s", rundir_host_name(r));
    snprintf(fp->cpu, sizeof(fp->cpu), "%s", r->host.cpu_model[0] ? r->host.cpu_model : "?");
    snprintf(fp->kernel, sizeof(fp->kernel), "%s", r->host.kernel[0] ? r->host.kernel : "?");
    snprintf(fp->os, sizeof(fp->os), "%s", r->host.os);
    fp->cores = r->host.cores;
    fp->mem_bytes = r->host.mem_total_bytes;
    if (cJSON_IsObject(b)) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(b, "memory_bytes");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "pids");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "cpus");
        if (cJSON_IsNumber(m)) {
            char sz[32];
            snprintf(part, sizeof(part), "memory %s", rd_fmt_bytes(m->valuedouble, sz, sizeof(sz)));
            append(fp->budget, sizeof(fp->budget), ", ", part);
        }
        if (cJSON_IsNumber(p)) {
            snprintf(part, sizeof(part), "pids %.0f", p->valuedouble);
            append(fp->budget, sizeof(fp->budget), ", ", part);
        }
        if (cJSON_IsNumber(c)) {
            snprintf(part, sizeof(part), "cpus %g", c->valuedouble);
            append(fp->budget, sizeof(fp->budget), ", ", part);
        }
    }
    for (i = 0; i < r->nmodes; i++) {
        const struct rd_mode *m = &r->modes[i];
        if (!m->available)
            continue;
        snprintf(part, sizeof(part), "%s %s", m->name, m->version[0] ? m->version : "?");
        append(fp->runtimes, sizeof(fp->runtimes), "; ", part);
    }
}
