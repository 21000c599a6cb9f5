/*
 * density_read.c - a run directory's density result: density.json (per mode
 * the measured ceiling, the resource that bound it and the evidence) and
 * density.csv (one row per fill step), as written by `isobench density`
 * (format in /work/density-contract.md and README "Density"). Both are
 * optional: a run made by `isobench run` has neither.
 */
#include "csvread.h"
#include "input.h"
#include "rundir.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void str(const cJSON *o, const char *key, char *buf, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    snprintf(buf, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int read_json(struct rundir *r, const char *path, struct err *e)
{
    char *text = NULL;
    cJSON *j, *m;
    int rc = -1, i = 0;
    if (rd_read_text(path, &text, NULL, e) < 0)
        return -1;
    j = input_json_parse(text, path, e);
    free(text);
    if (j == NULL)
        return -1;
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "modes"))) {
        err_set(e, EINVAL, "%s: modes: expected an array", path);
        goto out;
    }
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "modes")) {
        char name[64];
        struct rd_mode *md;
        struct rd_density *d;
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(m, "evidence");
        if (!cJSON_IsObject(m)) {
            err_set(e, EINVAL, "%s: modes[%d]: expected an object", path, i);
            goto out;
        }
        str(m, "name", name, sizeof(name));
        md = rundir_mode(r, name);
        if (md == NULL) {
            err_set(e, EINVAL, "%s: modes[%d].name: '%s' is not a mode of run.json", path, i, name);
            goto out;
        }
        d = &md->density;
        d->ceiling = num(m, "ceiling");
        if (isnan(d->ceiling) || d->ceiling < 0) {
            err_set(e, EINVAL, "%s: modes[%d].ceiling: expected a non-negative integer", path, i);
            goto out;
        }
        d->has = 1;
        str(m, "binding", d->binding, sizeof(d->binding));
        str(ev, "counter", d->counter, sizeof(d->counter));
        str(ev, "detail", d->detail, sizeof(d->detail));
        d->value = num(ev, "value");
        d->limit = num(ev, "limit");
        d->margin = num(ev, "margin");
        if (isnan(num(m, "steps")))
            d->steps = 0;
        else if (input_to_int(num(m, "steps"), 0, INT32_MAX, &d->steps) < 0) {
            err_set(e, EINVAL, "%s: modes[%d].steps: expected a non-negative integer", path, i);
            goto out;
        }
        d->stopped_by_guard = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "stopped_by_guard"));
        i++;
    }
    r->has_density = 1;
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

static const char *const step_cols[] = {
    "!mode", "!containers", "host_used_bytes", "user_mem_bytes", "kernel_mem_bytes", "pids_in_use",
    "threads_in_use", "start_p50_ms", "start_p99_ms", "failures", "guard", "user_mem_containers", "cgroup_used_bytes",
};
#define STEP_NCOLS ((int)(sizeof(step_cols) / sizeof(step_cols[0])))

static int step_row(void *ctx, char f[][CSVR_FIELD_MAX], long line, struct err *e)
{
    struct rundir *r = ctx;
    struct rd_mode *m = rundir_mode(r, f[0]);
    struct rd_density *d;
    struct rd_dstep *s;
    double v[9], extra[2];
    int i;
    if (m == NULL)
        return err_set(e, EINVAL, "line %ld: mode '%s' is not a mode of run.json", line, f[0]);
    for (i = 0; i < 9; i++)
        if (csvr_num(f[1 + i], &v[i]) < 0)
            return err_set(e, EINVAL, "line %ld: column %s: '%s' is not a number", line,
                           step_cols[1 + i] + (step_cols[1 + i][0] == '!'), f[1 + i]);
    for (i = 0; i < 2; i++)
        if (csvr_num(f[11 + i], &extra[i]) < 0)
            return err_set(e, EINVAL, "line %ld: column %s: '%s' is not a number", line, step_cols[11 + i], f[11 + i]);
    d = &m->density;
    if (d->nstep == d->capstep) {
        size_t cap = d->capstep ? d->capstep * 2 : 32;
        struct rd_dstep *n2 = realloc(d->step, cap * sizeof(*n2));
        if (n2 == NULL)
            return err_set(e, ENOMEM, "out of memory");
        d->step = n2;
        d->capstep = cap;
    }
    s = &d->step[d->nstep++];
    s->containers = v[0];
    s->host_used = v[1];
    s->user_mem = v[2];
    s->kernel_mem = v[3];
    s->pids_in_use = v[4];
    s->threads_in_use = v[5];
    s->start_p50 = v[6];
    s->start_p99 = v[7];
    s->failures = v[8];
    s->user_mem_containers = extra[0];
    s->cgroup_used = extra[1];
    snprintf(s->guard, sizeof(s->guard), "%s", f[10]);
    return 0;
}

int rundir_load_density(struct rundir *r, struct err *e)
{
    char path[1200];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/density.json", r->path);
    fp = fopen(path, "rb");
    if (fp != NULL) {
        fclose(fp);
        if (read_json(r, path, e) < 0)
            return -1;
    }
    snprintf(path, sizeof(path), "%s/density.csv", r->path);
    fp = fopen(path, "rb");
    if (fp == NULL)
        return 0;
    fclose(fp);
    if (csvr_read_file(path, step_cols, STEP_NCOLS, step_row, r, e) < 0)
        return err_wrap(e, "%s", path);
    return 0;
}
