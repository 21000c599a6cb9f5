/*
 * scenario.c - load and validate scenario files (see scenario.h).
 *
 * Validation is strict because a benchmark that silently ignores a misspelt
 * key measures the wrong thing: every object is checked against its list of
 * known keys, every value against its type and range, and every message
 * names the file and the field path ("quick.json: fleet.size: expected a
 * positive integer, got \"ten\"").
 */
#include "scenario.h"
#include "driver.h"
#include "counters/pdh_sampler.h"
#include "input.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *workload_name(enum workload w)
{
    switch (w) {
    case WL_IDLE:
        return "idle";
    case WL_EXIT:
        return "exit";
    case WL_CPU:
        return "cpu";
    }
    return "unknown";
}

int parse_size(const char *s, int64_t *out)
{
    double v;
    if (input_size(s, &v) < 0)
        return -1;
    return input_to_i64(v, 0, INT64_MAX, out);
}

/* Render a JSON value for a message: strings quoted, others printed. */
static void describe(const cJSON *v, char *buf, size_t n)
{
    char *p;
    if (v == NULL) {
        snprintf(buf, n, "nothing");
        return;
    }
    p = cJSON_PrintUnformatted(v);
    if (p == NULL) {
        snprintf(buf, n, "?");
        return;
    }
    if (strlen(p) > 60)
        snprintf(buf, n, "%.57s...", p);
    else
        snprintf(buf, n, "%s", p);
    cJSON_free(p);
}

static int bad(struct err *e, const char *file, const char *field, const char *expected, const cJSON *got)
{
    char g[128];
    describe(got, g, sizeof(g));
    return err_set(e, EINVAL, "%s: %s: expected %s, got %s", file, field, expected, g);
}

static int check_keys(const cJSON *obj, const char *const *known, const char *file, const char *where,
                      struct err *e)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        int i, ok = 0;
        for (i = 0; known[i] != NULL; i++)
            if (strcmp(it->string, known[i]) == 0)
                ok = 1;
        if (!ok) {
            char list[512] = "";
            for (i = 0; known[i] != NULL; i++) {
                if (i)
                    strncat(list, ", ", sizeof(list) - strlen(list) - 1);
                strncat(list, known[i], sizeof(list) - strlen(list) - 1);
            }
            return err_set(e, EINVAL, "%s: %s%s%s: unknown key (known: %s)", file, where, where[0] ? "." : "",
                           it->string, list);
        }
    }
    return 0;
}

static int get_int(const cJSON *obj, const char *key, const char *field, const char *file, int min, int max,
                   int *out, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char expected[96];
    if (v == NULL)
        return 0;
    if (min > 0)
        snprintf(expected, sizeof(expected), "a positive integer");
    else
        snprintf(expected, sizeof(expected), "an integer >= %d", min);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return bad(e, file, field, expected, v);
    if (input_to_int(v->valuedouble, min, max, out) < 0) {
        snprintf(expected, sizeof(expected), "an integer from %d to %d", min, max);
        return bad(e, file, field, expected, v);
    }
    return 0;
}

/* start_delay_ms: fractional, since an ns start takes only a few ms. */
static int get_delay(const cJSON *obj, const char *field, const char *file, double *out, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "start_delay_ms");
    if (v == NULL)
        return 0;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 600000))
        return bad(e, file, field, "a number of ms from 0 to 600000", v);
    *out = v->valuedouble;
    return 0;
}

/* A number in (0, 1), e.g. a relative CI half-width. */
static int get_fraction(const cJSON *obj, const char *key, const char *file, double *out, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble < 1))
        return bad(e, file, key, "a fraction between 0 and 1 such as 0.1", v);
    *out = v->valuedouble;
    return 0;
}

static int get_string(const cJSON *obj, const char *key, const char *field, const char *file, char *out,
                      size_t n, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL)
        return 0;
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        return bad(e, file, field, "a non-empty string", v);
    if (strlen(v->valuestring) >= n)
        return err_set(e, EINVAL, "%s: %s: longer than %zu characters", file, field, n - 1);
    snprintf(out, n, "%s", v->valuestring);
    return 0;
}

static int get_object(const cJSON *obj, const char *key, const char *file, const cJSON **out, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!cJSON_IsObject(v))
        return bad(e, file, key, "an object", v);
    *out = v;
    return 0;
}

static int parse_modes(const cJSON *root, struct scenario *s, const char *file, struct err *e)
{
    static const char *const keys[] = { "name", "driver", "isolation", "baseline", "options", "starts",
                                        "starts_max_s", "start_delay_ms", NULL };
    const cJSON *modes = cJSON_GetObjectItemCaseSensitive(root, "modes");
    const cJSON *m;
    int i = 0, nbase = 0, j;

    if (modes == NULL)
        return err_set(e, EINVAL, "%s: modes: missing (a list of {\"name\", \"driver\", ...})", file);
    if (!cJSON_IsArray(modes) || cJSON_GetArraySize(modes) == 0)
        return bad(e, file, "modes", "a non-empty array", modes);
    if (cJSON_GetArraySize(modes) > SCN_MAX_MODES)
        return err_set(e, EINVAL, "%s: modes: at most %d modes", file, SCN_MAX_MODES);
    cJSON_ArrayForEach(m, modes)
    {
        struct mode *md = &s->modes[i];
        char where[32], field[64];
        const cJSON *v;

        snprintf(where, sizeof(where), "modes[%d]", i);
        if (!cJSON_IsObject(m))
            return bad(e, file, where, "an object", m);
        if (check_keys(m, keys, file, where, e) < 0)
            return -1;
        md->index = i;
        snprintf(field, sizeof(field), "%s.driver", where);
        if (cJSON_GetObjectItemCaseSensitive(m, "driver") == NULL)
            return err_set(e, EINVAL, "%s: %s: missing", file, field);
        if (get_string(m, "driver", field, file, md->driver_name, sizeof(md->driver_name), e) < 0)
            return -1;
        md->drv = driver_find(md->driver_name);
        if (md->drv == NULL) {
            char list[256] = "";
            const struct driver *const *d;
            for (d = driver_list(); *d != NULL; d++) {
                if (list[0])
                    strncat(list, ", ", sizeof(list) - strlen(list) - 1);
                strncat(list, (*d)->name, sizeof(list) - strlen(list) - 1);
            }
            return err_set(e, EINVAL, "%s: %s: unknown driver \"%s\" (known: %s)", file, field, md->driver_name,
                           list);
        }
        memcpy(md->name, md->driver_name, strlen(md->driver_name) + 1); /* the default name */
        snprintf(field, sizeof(field), "%s.name", where);
        if (get_string(m, "name", field, file, md->name, sizeof(md->name), e) < 0)
            return -1;
        for (j = 0; md->name[j]; j++)
            if (!isalnum((unsigned char)md->name[j]) && md->name[j] != '-' && md->name[j] != '_')
                return err_set(e, EINVAL, "%s: %s: \"%s\": use letters, digits, '-' and '_' only", file, field,
                               md->name);
        for (j = 0; j < i; j++)
            if (strcmp(s->modes[j].name, md->name) == 0)
                return err_set(e, EINVAL, "%s: %s: \"%s\" is already the name of modes[%d]", file, field,
                               md->name, j);
        v = cJSON_GetObjectItemCaseSensitive(m, "isolation");
        if (v != NULL) {
            snprintf(field, sizeof(field), "%s.isolation", where);
            if (!cJSON_IsString(v) || isolation_parse(v->valuestring, &md->isolation) < 0)
                return bad(e, file, field, "one of \"process\", \"sandbox\", \"vm\", \"hyperv\"", v);
        }
        v = cJSON_GetObjectItemCaseSensitive(m, "baseline");
        if (v != NULL) {
            snprintf(field, sizeof(field), "%s.baseline", where);
            if (!cJSON_IsBool(v))
                return bad(e, file, field, "true or false", v);
            md->baseline = cJSON_IsTrue(v);
            nbase += md->baseline;
        }
        md->start_delay_ms = -1; /* the scenario's */
        snprintf(field, sizeof(field), "%s.start_delay_ms", where);
        if (get_delay(m, field, file, &md->start_delay_ms, e) < 0)
            return -1;
        md->starts = -1; /* the scenario's */
        snprintf(field, sizeof(field), "%s.starts", where);
        if (get_int(m, "starts", field, file, 0, 100000, &md->starts, e) < 0)
            return -1;
        md->starts_max_s = -1; /* the scenario's */
        snprintf(field, sizeof(field), "%s.starts_max_s", where);
        if (get_int(m, "starts_max_s", field, file, 0, 86400, &md->starts_max_s, e) < 0)
            return -1;
        v = cJSON_GetObjectItemCaseSensitive(m, "options");
        if (v != NULL) {
            snprintf(field, sizeof(field), "%s.options", where);
            if (!cJSON_IsObject(v))
                return bad(e, file, field, "an object", v);
            md->options = (cJSON *)v;
        }
        i++;
    }
    s->nmodes = i;
    if (nbase > 1)
        return err_set(e, EINVAL, "%s: modes: only one mode may be the baseline", file);
    if (nbase == 0)
        s->modes[0].baseline = 1;
    return 0;
}

static int parse_fleet(const cJSON *root, struct scenario *s, const char *file, struct err *e)
{
    static const char *const keys[] = { "size", "ramp", "concurrency", NULL };
    const cJSON *fleet, *ramp, *v;
    int size = 0;

    if (get_object(root, "fleet", file, &fleet, e) < 0)
        return -1;
    s->nramp = 1;
    s->ramp[0] = 1;
    if (fleet == NULL)
        return 0;
    if (check_keys(fleet, keys, file, "fleet", e) < 0)
        return -1;
    if (get_int(fleet, "size", "fleet.size", file, 1, SCN_MAX_FLEET, &size, e) < 0)
        return -1;
    if (get_int(fleet, "concurrency", "fleet.concurrency", file, 1, 1024, &s->concurrency, e) < 0)
        return -1;
    ramp = cJSON_GetObjectItemCaseSensitive(fleet, "ramp");
    if (ramp != NULL && size > 0)
        return err_set(e, EINVAL, "%s: fleet: give either \"size\" or \"ramp\", not both", file);
    if (size > 0)
        s->ramp[0] = size;
    if (ramp != NULL) {
        int i = 0;
        if (!cJSON_IsArray(ramp) || cJSON_GetArraySize(ramp) == 0)
            return bad(e, file, "fleet.ramp", "a non-empty array of increasing positive integers", ramp);
        if (cJSON_GetArraySize(ramp) > SCN_MAX_RAMP)
            return err_set(e, EINVAL, "%s: fleet.ramp: at most %d levels", file, SCN_MAX_RAMP);
        cJSON_ArrayForEach(v, ramp)
        {
            char field[32];
            snprintf(field, sizeof(field), "fleet.ramp[%d]", i);
            if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
                input_to_int(v->valuedouble, 1, SCN_MAX_FLEET, &s->ramp[i]) < 0)
                return bad(e, file, field, "an integer from 1 to " SCN_MAX_FLEET_TEXT, v);
            if (i > 0 && s->ramp[i] <= s->ramp[i - 1])
                return err_set(e, EINVAL, "%s: %s: %d is not larger than the level before (%d)", file, field,
                               s->ramp[i], s->ramp[i - 1]);
            i++;
        }
        s->nramp = i;
    }
    return 0;
}

static int parse_workload(const cJSON *root, struct scenario *s, const char *file, struct err *e)
{
    static const char *const keys[] = { "type", "cpu_iterations", NULL };
    const cJSON *w, *t, *it;

    if (get_object(root, "workload", file, &w, e) < 0)
        return -1;
    if (w == NULL)
        return 0;
    if (check_keys(w, keys, file, "workload", e) < 0)
        return -1;
    t = cJSON_GetObjectItemCaseSensitive(w, "type");
    if (t != NULL) {
        if (cJSON_IsString(t) && strcmp(t->valuestring, "idle") == 0)
            s->workload = WL_IDLE;
        else if (cJSON_IsString(t) && strcmp(t->valuestring, "exit") == 0)
            s->workload = WL_EXIT;
        else if (cJSON_IsString(t) && strcmp(t->valuestring, "cpu") == 0)
            s->workload = WL_CPU;
        else
            return bad(e, file, "workload.type", "one of \"idle\", \"exit\", \"cpu\"", t);
    }
    it = cJSON_GetObjectItemCaseSensitive(w, "cpu_iterations");
    if (it != NULL) {
        if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) ||
            input_to_i64(it->valuedouble, 1, 10000000000000LL, &s->cpu_iterations) < 0)
            return bad(e, file, "workload.cpu_iterations", "an integer from 1 to 1e13", it);
    }
    return 0;
}

/* A limits-shaped object ({"memory": "256M", "cpus": 0.5, "pids": 64}) at
   root[key]: the per-container "limits" and the run's "budget". */
static int parse_limit_object(const cJSON *root, const char *key, int64_t *mem, double *cpus, int *pids,
                              const char *file, struct err *e)
{
    static const char *const keys[] = { "memory", "cpus", "pids", NULL };
    const cJSON *l, *v;
    char field[64];

    if (get_object(root, key, file, &l, e) < 0)
        return -1;
    if (l == NULL)
        return 0;
    if (check_keys(l, keys, file, key, e) < 0)
        return -1;
    v = cJSON_GetObjectItemCaseSensitive(l, "memory");
    snprintf(field, sizeof(field), "%s.memory", key);
    if (v != NULL) {
        if (cJSON_IsString(v)) {
            if (parse_size(v->valuestring, mem) < 0 || *mem < 4096)
                return bad(e, file, field, "a size such as \"256M\" or \"1G\" (from 4K to 4096P)", v);
        } else if (cJSON_IsNumber(v) && v->valuedouble >= 4096 && v->valuedouble <= INPUT_SIZE_MAX) {
            *mem = (int64_t)v->valuedouble; /* in range: checked above */
        } else {
            return bad(e, file, field, "a size such as \"256M\" or \"1G\" (from 4K to 4096P)", v);
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(l, "cpus");
    snprintf(field, sizeof(field), "%s.cpus", key);
    if (v != NULL) {
        if (!cJSON_IsNumber(v) || v->valuedouble <= 0 || v->valuedouble > 4096)
            return bad(e, file, field, "a positive number of cores such as 0.5", v);
        *cpus = v->valuedouble;
    }
    snprintf(field, sizeof(field), "%s.pids", key);
    return get_int(l, "pids", field, file, 1, 1 << 22, pids, e);
}

static int parse_limits(const cJSON *root, struct scenario *s, const char *file, struct err *e)
{
    return parse_limit_object(root, "limits", &s->mem_limit_bytes, &s->cpu_limit, &s->pids_limit, file, e) < 0 ||
                   parse_limit_object(root, "budget", &s->budget.mem_bytes, &s->budget.cpus, &s->budget.pids, file,
                                      e) < 0
               ? -1
               : 0;
}

int scenario_parse_budget(const char *text, struct scn_budget *b, struct err *e)
{
    char buf[256], *item, *next;
    struct scn_budget nb = { 0, 0, 0 };

    if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
        return err_set(e, EINVAL, "--budget: '%.40s...' is too long", text);
    for (item = buf; item != NULL; item = next) {
        char *eq;
        next = strchr(item, ',');
        if (next != NULL)
            *next++ = '\0';
        eq = strchr(item, '=');
        if (eq == NULL)
            return err_set(e, EINVAL, "--budget: '%s': expected KEY=VALUE (memory=512M,pids=1000,cpus=1)", item);
        *eq++ = '\0';
        if (strcmp(item, "memory") == 0) {
            if (parse_size(eq, &nb.mem_bytes) < 0 || nb.mem_bytes < (1 << 20))
                return err_set(e, EINVAL, "--budget: memory=%s: expected a size such as 512M (at least 1M)", eq);
        } else if (strcmp(item, "pids") == 0) {
            long v;
            if (input_long(eq, 1, 1L << 22, &v) < 0)
                return err_set(e, EINVAL, "--budget: pids=%s: expected a positive integer", eq);
            nb.pids = (int)v;
        } else if (strcmp(item, "cpus") == 0) {
            double v;
            if (input_double(eq, &v) < 0 || !(v > 0) || v > 4096)
                return err_set(e, EINVAL, "--budget: cpus=%s: expected a positive number of cores", eq);
            nb.cpus = v;
        } else {
            return err_set(e, EINVAL, "--budget: unknown key '%s' (memory, pids, cpus)", item);
        }
    }
    if (nb.mem_bytes == 0 && nb.pids == 0 && nb.cpus == 0)
        return err_set(e, EINVAL, "--budget: '%s' sets nothing (memory=512M,pids=1000,cpus=1)", text);
    *b = nb;
    return 0;
}

int scenario_has_budget(const struct scenario *s)
{
    return s->budget.mem_bytes > 0 || s->budget.pids > 0 || s->budget.cpus > 0;
}

int scenario_parse(const char *text, const char *file, struct scenario *s, struct err *e)
{
    static const char *const keys[] = { "name", "description", "modes", "fleet", "workload", "hold_ms",
                                        "settle_ms", "sample_interval_ms", "repetitions", "ready_timeout_ms",
                                        "start_delay_ms", "limits", "budget", "image", "pdh_counters", "starts", "starts_target_ci", "starts_max_s",
                                        "pss_interval_ms", NULL };
    cJSON *root;
    const char *slash;
    int i;

    memset(s, 0, sizeof(*s));
    snprintf(s->path, sizeof(s->path), "%s", file);
    slash = strrchr(file, '/');
    snprintf(s->name, sizeof(s->name), "%s", slash ? slash + 1 : file);
    if (strlen(s->name) > 5 && strcmp(s->name + strlen(s->name) - 5, ".json") == 0)
        s->name[strlen(s->name) - 5] = '\0';
    s->concurrency = 1;
    s->workload = WL_IDLE;
    s->cpu_iterations = 200000000;
    s->hold_ms = 2000;
    s->settle_ms = 500;
    s->sample_interval_ms = 250;
    s->pss_interval_ms = 5000;
    s->repetitions = 1;
    s->ready_timeout_ms = 30000;

    root = input_json_parse(text, file, e);
    if (root == NULL)
        return -1;
    s->json = root;
    if (!cJSON_IsObject(root)) {
        err_set(e, EINVAL, "%s: expected a JSON object at the top", file);
        goto fail;
    }
    if (check_keys(root, keys, file, "", e) < 0 || get_string(root, "name", "name", file, s->name, sizeof(s->name), e) < 0 ||
        get_string(root, "description", "description", file, s->description, sizeof(s->description), e) < 0 ||
        get_string(root, "image", "image", file, s->image, sizeof(s->image), e) < 0 ||
        parse_modes(root, s, file, e) < 0 || parse_fleet(root, s, file, e) < 0 ||
        parse_workload(root, s, file, e) < 0 || parse_limits(root, s, file, e) < 0 ||
        get_int(root, "hold_ms", "hold_ms", file, 0, 86400000, &s->hold_ms, e) < 0 ||
        get_int(root, "settle_ms", "settle_ms", file, 0, 3600000, &s->settle_ms, e) < 0 ||
        get_int(root, "sample_interval_ms", "sample_interval_ms", file, 10, 3600000, &s->sample_interval_ms, e) < 0 ||
        get_int(root, "pss_interval_ms", "pss_interval_ms", file, 0, 3600000, &s->pss_interval_ms, e) < 0 ||
        get_int(root, "repetitions", "repetitions", file, 1, 10000, &s->repetitions, e) < 0 ||
        get_int(root, "starts", "starts", file, 0, 100000, &s->starts, e) < 0 ||
        get_int(root, "starts_max_s", "starts_max_s", file, 0, 86400, &s->starts_max_s, e) < 0 ||
        get_fraction(root, "starts_target_ci", file, &s->starts_target_ci, e) < 0 ||
        get_int(root, "ready_timeout_ms", "ready_timeout_ms", file, 1, 3600000, &s->ready_timeout_ms, e) < 0 ||
        get_delay(root, "start_delay_ms", file, &s->start_delay_ms, e) < 0)
        goto fail;
    for (i = 0; i < s->nmodes; i++) {
        if (s->modes[i].starts < 0)
            s->modes[i].starts = s->starts;
        if (s->modes[i].starts_max_s < 0)
            s->modes[i].starts_max_s = s->starts_max_s;
        /* Each mode keeps a record per container launched: the starts and
           the largest level, times the repetitions. */
        if ((int64_t)(s->ramp[s->nramp - 1] + s->modes[i].starts) * s->repetitions <= SCN_MAX_LAUNCHES)
            continue;
        if (s->modes[i].starts == 0)
            err_set(e, EINVAL, "%s: fleet and repetitions: %d containers x %d repetitions is more than %d "
                    "launches per mode", file, s->ramp[s->nramp - 1], s->repetitions, SCN_MAX_LAUNCHES);
        else
            err_set(e, EINVAL, "%s: modes[%d].starts, fleet and repetitions: (%d starts + %d containers) x %d "
                    "repetitions is more than %d launches per mode", file, i, s->modes[i].starts,
                    s->ramp[s->nramp - 1], s->repetitions, SCN_MAX_LAUNCHES);
        goto fail;
    }
    if (pdh_paths_from_json(cJSON_GetObjectItemCaseSensitive(root, "pdh_counters"), "pdh_counters", s->pdh_paths,
                            &s->npdh, e) < 0) {
        err_wrap(e, "%s", file);
        goto fail;
    }
    return 0;
fail:
    cJSON_Delete(root);
    s->json = NULL;
    return -1;
}

int scenario_load(const char *path, struct scenario *s, struct err *e)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;
    int rc;

    memset(s, 0, sizeof(*s));
    if (f == NULL)
        return err_sys(e, errno, "%s", path);
    if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
        fclose(f);
        return err_sys(e, errno, "%s: seek", path);
    }
    if (len > 4 * 1024 * 1024) {
        fclose(f);
        return err_set(e, EFBIG, "%s: larger than 4 MiB; not a scenario", path);
    }
    buf = malloc((size_t)len + 1);
    if (buf == NULL) {
        fclose(f);
        return err_set(e, ENOMEM, "%s: out of memory", path);
    }
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return err_sys(e, EIO, "%s: read", path);
    }
    fclose(f);
    buf[len] = '\0';
    rc = scenario_parse(buf, path, s, e);
    free(buf);
    return rc;
}

void scenario_free(struct scenario *s)
{
    if (s->json != NULL)
        cJSON_Delete(s->json);
    s->json = NULL;
}

cJSON *scenario_to_json(const struct scenario *s)
{
    cJSON *o = cJSON_CreateObject(), *modes, *fleet, *ramp, *w, *l;
    int i;

    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "description", s->description);
    modes = cJSON_AddArrayToObject(o, "modes");
    for (i = 0; i < s->nmodes; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "name", s->modes[i].name);
        cJSON_AddStringToObject(m, "driver", s->modes[i].driver_name);
        if (s->modes[i].isolation)
            cJSON_AddStringToObject(m, "isolation", isolation_name(s->modes[i].isolation));
        cJSON_AddBoolToObject(m, "baseline", s->modes[i].baseline);
        cJSON_AddNumberToObject(m, "starts", s->modes[i].starts);
        cJSON_AddNumberToObject(m, "starts_max_s", s->modes[i].starts_max_s);
        if (s->modes[i].options)
            cJSON_AddItemToObject(m, "options", cJSON_Duplicate(s->modes[i].options, 1));
        cJSON_AddItemToArray(modes, m);
    }
    fleet = cJSON_AddObjectToObject(o, "fleet");
    ramp = cJSON_AddArrayToObject(fleet, "ramp");
    for (i = 0; i < s->nramp; i++)
        cJSON_AddItemToArray(ramp, cJSON_CreateNumber(s->ramp[i]));
    cJSON_AddNumberToObject(fleet, "concurrency", s->concurrency);
    w = cJSON_AddObjectToObject(o, "workload");
    cJSON_AddStringToObject(w, "type", workload_name(s->workload));
    cJSON_AddNumberToObject(w, "cpu_iterations", (double)s->cpu_iterations);
    cJSON_AddNumberToObject(o, "hold_ms", s->hold_ms);
    cJSON_AddNumberToObject(o, "settle_ms", s->settle_ms);
    cJSON_AddNumberToObject(o, "sample_interval_ms", s->sample_interval_ms);
    cJSON_AddNumberToObject(o, "pss_interval_ms", s->pss_interval_ms);
    cJSON_AddNumberToObject(o, "repetitions", s->repetitions);
    cJSON_AddNumberToObject(o, "starts", s->starts);
    cJSON_AddNumberToObject(o, "starts_target_ci", s->starts_target_ci);
    cJSON_AddNumberToObject(o, "starts_max_s", s->starts_max_s);
    cJSON_AddNumberToObject(o, "ready_timeout_ms", s->ready_timeout_ms);
    cJSON_AddNumberToObject(o, "start_delay_ms", s->start_delay_ms);
    l = cJSON_AddObjectToObject(o, "limits");
    cJSON_AddNumberToObject(l, "memory_bytes", (double)s->mem_limit_bytes);
    cJSON_AddNumberToObject(l, "cpus", s->cpu_limit);
    cJSON_AddNumberToObject(l, "pids", s->pids_limit);
    if (scenario_has_budget(s)) {
        l = cJSON_AddObjectToObject(o, "budget");
        cJSON_AddNumberToObject(l, "memory_bytes", (double)s->budget.mem_bytes);
        cJSON_AddNumberToObject(l, "cpus", s->budget.cpus);
        cJSON_AddNumberToObject(l, "pids", s->budget.pids);
    }
    cJSON_AddStringToObject(o, "image", s->image);
    return o;
}
