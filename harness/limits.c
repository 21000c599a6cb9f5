/*
 * limits.c - the platform-independent part of limits.h: run.json's
 * "host.limits" object and the kernel-memory sum.
 */
#include "limits.h"

#include <cjson/cJSON.h>
#include <stdio.h>

const char *const ns_kind_names[NSK_COUNT] = { "pid", "mnt", "ipc", "uts", "net", "cgroup" };

int64_t host_kernel_bytes(const struct host_snapshot *s)
{
    int64_t parts[4] = { s->slab_bytes, s->kernelstack_bytes, s->pagetables_bytes, s->percpu_bytes };
    int64_t sum = 0;
    int i, known = 0;
    for (i = 0; i < 4; i++)
        if (parts[i] >= 0) {
            sum += parts[i];
            known++;
        }
    return known ? sum : -1;
}

static void put(cJSON *o, const char *key, int64_t v)
{
    if (v >= 0)
        cJSON_AddNumberToObject(o, key, (double)v);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *host_limits_to_json(const struct host_snapshot *s, int64_t cgroup_pids_max, int64_t cgroup_memory_max_bytes)
{
    cJSON *o = cJSON_CreateObject();
    char key[64];
    int i;

    put(o, "pid_max", s->pid_max);
    put(o, "threads_max", s->threads_max);
    put(o, "pids_in_use_at_start", s->tasks_in_use);
    put(o, "processes_in_use_at_start", s->procs_in_use);
    put(o, "file_max", s->file_max);
    put(o, "file_nr_at_start", s->file_nr);
    put(o, "nofile_soft", s->nofile_soft);
    put(o, "nofile_hard", s->nofile_hard);
    put(o, "mount_max", s->mount_max);
    put(o, "mounts_at_start", s->mounts);
    for (i = 0; i < NSK_COUNT; i++) {
        snprintf(key, sizeof(key), "user_max_%s_namespaces", ns_kind_names[i]);
        put(o, key, s->user_max_ns[i]);
    }
    put(o, "mem_total_bytes", s->mem_total_bytes);
    put(o, "mem_available_at_start_bytes", s->mem_available_bytes);
    put(o, "kernel_used_at_start_bytes", host_kernel_bytes(s));
    put(o, "cgroup_pids_max", cgroup_pids_max);
    put(o, "cgroup_memory_max_bytes", cgroup_memory_max_bytes);
    put(o, "commit_limit_bytes", s->commit_limit_bytes);
    put(o, "committed_at_start_bytes", s->committed_bytes);
    return o;
}
