/*
 * pdh_paths.c - the platform-neutral part of pdh_sampler.h: the default counter list,
 * counter-path syntax (used by the Windows sampler and by typeperf import) and the
 * pairing of per-process counter arrays by instance occurrence.
 */
#include "pdh_sampler.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const pdh_default_paths[] = {
    "\\Memory\\Available MBytes",
    "\\Memory\\Committed Bytes",
    "\\Memory\\Commit Limit",
    "\\Processor(_Total)\\% Processor Time",
    "\\Hyper-V Hypervisor Logical Processor(_Total)\\% Total Run Time",
    "\\Process(vmmem*)\\Working Set - Private",
    "\\Process(vmwp*)\\% Processor Time",
    NULL,
};

int pdh_path_valid(const char *path)
{
    const char *p = path, *close, *last;
    if (p[0] != '\\' || p[1] == '\\' || p[1] == '\0')
        return 0;
    /* object name, optional (instance), then \counter */
    last = strrchr(p, '\\');
    if (last == p || last[1] == '\0')
        return 0;
    close = strchr(p, '(');
    if (close != NULL && close < last) {
        const char *end = strchr(close, ')');
        if (end == NULL || end > last)
            return 0;
    }
    return 1;
}

int pdh_split_path(const char *full, char *host, size_t hn, char *counter, size_t cn)
{
    if (hn > 0)
        host[0] = '\0';
    if (strncmp(full, "\\\\", 2) == 0) {
        const char *slash = strchr(full + 2, '\\');
        size_t len;
        if (slash == NULL || slash == full + 2)
            return -1;
        len = (size_t)(slash - (full + 2));
        if (hn > 0)
            snprintf(host, hn, "%.*s", (int)len, full + 2);
        full = slash;
    }
    if (!pdh_path_valid(full))
        return -1;
    snprintf(counter, cn, "%s", full);
    return 0;
}

int pdh_paths_from_json(const cJSON *item, const char *field, char paths[][PDH_PATH_MAX], int *n, struct err *e)
{
    const cJSON *it;
    int i = 0;
    *n = 0;
    if (item == NULL) {
        for (i = 0; pdh_default_paths[i] != NULL; i++)
            snprintf(paths[i], PDH_PATH_MAX, "%s", pdh_default_paths[i]);
        *n = i;
        return 0;
    }
    if (!cJSON_IsArray(item))
        return err_set(e, EINVAL, "%s: expected an array of counter paths", field);
    if (cJSON_GetArraySize(item) > PDH_MAX_COUNTERS)
        return err_set(e, EINVAL, "%s: more than %d counters", field, PDH_MAX_COUNTERS);
    cJSON_ArrayForEach(it, item) {
        if (!cJSON_IsString(it) || strlen(it->valuestring) >= PDH_PATH_MAX || !pdh_path_valid(it->valuestring))
            return err_set(e, EINVAL, "%s[%d]: expected a counter path like \"\\Memory\\Available MBytes\"", field, i);
        snprintf(paths[i], PDH_PATH_MAX, "%s", it->valuestring);
        i++;
    }
    *n = i;
    return 0;
}

/* Length of an instance name without its "#n" suffix; *occ gets n, or -1
   when there is no suffix. */
static size_t base_len(const char *name, int *occ)
{
    const char *h = strrchr(name, '#');
    char *end;
    long n;
    *occ = -1;
    if (h == NULL || h[1] == '\0')
        return strlen(name);
    n = strtol(h + 1, &end, 10);
    if (*end != '\0' || n < 0)
        return strlen(name);
    *occ = (int)n;
    return (size_t)(h - name);
}

/* Occurrence of item i among the items with its base name: the "#n" suffix
   when it has one, else the count of earlier bare items of that base (a
   bare name counts as 0 when any sibling carries a suffix). */
static int occurrence(const struct pdh_item *it, int i, int n)
{
    int occ, j, before = 0, suffixed = 0;
    size_t len = base_len(it[i].name, &occ);
    if (occ >= 0)
        return occ;
    for (j = 0; j < n; j++) {
        int o;
        size_t l = base_len(it[j].name, &o);
        if (l != len || strncmp(it[j].name, it[i].name, len) != 0)
            continue;
        if (o >= 0)
            suffixed = 1;
        else if (j < i)
            before++;
    }
    return suffixed ? 0 : before;
}

int pdh_pair_instances(const struct pdh_item *ids, int nids, const struct pdh_item *vals, int nvals, uint32_t *pids,
                       double *values, int max)
{
    int i, j, count = 0;
    for (i = 0; i < nids && count < max; i++) {
        int occ_i, dummy;
        size_t len;
        if (!ids[i].valid || ids[i].name == NULL || ids[i].value <= 0)
            continue; /* no PID (process gone, or the Idle process) */
        len = base_len(ids[i].name, &dummy);
        occ_i = occurrence(ids, i, nids);
        for (j = 0; j < nvals; j++) {
            if (vals[j].name == NULL || base_len(vals[j].name, &dummy) != len ||
                strncmp(vals[j].name, ids[i].name, len) != 0 || occurrence(vals, j, nvals) != occ_i)
                continue;
            if (vals[j].valid) {
                pids[count] = (uint32_t)ids[i].value;
                values[count] = vals[j].value;
                count++;
            }
            break;
        }
    }
    return count;
}
