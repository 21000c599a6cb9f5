/*
 * pdh_paths.c - the platform-neutral part of pdh_sampler.h: the default counter list and
 * counter-path syntax (used by the Windows sampler and by typeperf import).
 */
#include "pdh_sampler.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const pdh_default_paths[] = {
    "\\Memory\\Available MBytes",
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
