/*
 * budget.c - the platform-independent part of the run's budget (budget.h):
 * its record in run.json.
 */
#include "budget.h"

#include <cjson/cJSON.h>

cJSON *budget_to_json(const struct budget *b)
{
    cJSON *o;
    if (b == NULL || !b->set)
        return cJSON_CreateNull();
    o = cJSON_CreateObject();
    if (b->memory_bytes > 0)
        cJSON_AddNumberToObject(o, "memory_bytes", (double)b->memory_bytes);
    else
        cJSON_AddNullToObject(o, "memory_bytes");
    if (b->pids > 0)
        cJSON_AddNumberToObject(o, "pids", b->pids);
    else
        cJSON_AddNullToObject(o, "pids");
    if (b->cpus > 0)
        cJSON_AddNumberToObject(o, "cpus", b->cpus);
    else
        cJSON_AddNullToObject(o, "cpus");
    cJSON_AddStringToObject(o, "cgroup", b->cgroup);
    cJSON_AddNumberToObject(o, "cgroup_version", b->cgroup_version);
    return o;
}
