/*
 * limits.h - the host's limits and how much of each is in use: what binds a
 * fleet before memory does (kernel.pid_max counts every thread), read at the
 * start of a run into run.json "host.limits" and before every step of a
 * density fill, where the guards (harness/density_guard.c) compare them.
 *
 * Linux reads /proc (the root is a parameter, so tests read fixture trees):
 * sys/kernel/{pid_max,threads-max}, sys/fs/{file-max,file-nr,mount-max},
 * sys/user/max_*_namespaces, meminfo, loadavg (tasks in use), the numeric
 * entries (processes), self/mountinfo (mounts of isobench's namespace),
 * self/fd and getrlimit(RLIMIT_NOFILE). Windows: memory and the commit
 * limit/charge (GlobalMemoryStatusEx); everything else is unknown (-1).
 */
#ifndef ISOBENCH_LIMITS_H
#define ISOBENCH_LIMITS_H

#include <stdint.h>

#include "err.h"

struct cJSON;

enum ns_kind { NSK_PID, NSK_MNT, NSK_IPC, NSK_UTS, NSK_NET, NSK_CGROUP, NSK_COUNT };
extern const char *const ns_kind_names[NSK_COUNT]; /* "pid", "mnt", ... */

/* Every field -1 when unknown. */
struct host_snapshot {
    int64_t t_ns;
    /* limits */
    int64_t pid_max, threads_max;            /* kernel.pid_max, kernel.threads-max */
    int64_t file_max, mount_max;             /* fs.file-max, fs.mount-max */
    int64_t nofile_soft, nofile_hard;        /* isobench's RLIMIT_NOFILE */
    int64_t user_max_ns[NSK_COUNT];          /* user.max_<kind>_namespaces */
    int64_t mem_total_bytes;
    int64_t commit_limit_bytes;              /* Windows */
    /* in use */
    int64_t mem_available_bytes;
    int64_t committed_bytes;                 /* Windows */
    int64_t tasks_in_use;                    /* threads included: what pid_max and threads-max count */
    int64_t procs_in_use;                    /* processes */
    int64_t file_nr;                         /* allocated file handles (fs.file-nr, first field) */
    int64_t fds_open;                        /* isobench's own open descriptors (against nofile_soft) */
    int64_t mounts;                          /* mount entries in isobench's mount namespace */
    int64_t slab_bytes, kernelstack_bytes, pagetables_bytes, percpu_bytes;
};

/* Read a snapshot from proc_root (NULL = "/proc"). Missing files leave -1;
   fails only when meminfo is unreadable. */
int host_snapshot_read(const char *proc_root, struct host_snapshot *s, struct err *e);

/* Of isobench's open descriptors, those on cgroup counter files (proc_root
   NULL = "/proc"). The ns driver keeps them open only while its descriptors
   are below half the open-file limit, so unlike the others they stop
   growing with the fleet; the capacity model needs them apart. -1 when
   unknown (other platforms). Reads every descriptor's link: call it once
   per ramp level, not per sample. */
int64_t harness_counter_fds(const char *proc_root);

/* Free pages held on the page allocator's per-CPU lists, in bytes (sum of
   the "count:" lines of <proc_root>/zoneinfo x the page size; proc_root
   NULL = "/proc"), -1 unknown (other platforms). MemFree and MemAvailable
   leave them out, yet they are free: after a teardown frees gigabytes the
   lists grow (the kernel tunes their high mark up) and drain back at
   batch << 5 pages per CPU per second (about 8 MB/s per CPU), so right
   after 2,400 ns containers went away MemTotal - MemAvailable stayed
   ~600 MiB above the empty host for ~40 s with Slab, page tables and
   stacks already back. Host memory in use (runner.c) leaves them out. */
int64_t host_pcp_free_bytes(const char *proc_root);

/* Kernel memory in use (Slab + KernelStack + PageTables + Percpu), -1 unknown. */
int64_t host_kernel_bytes(const struct host_snapshot *s);

/* run.json "host.limits" (contract in /work/density-contract.md), with the
   cgroup limits of the budget or the enclosing cgroup (-1 = none/unknown). */
struct cJSON *host_limits_to_json(const struct host_snapshot *s, int64_t cgroup_pids_max,
                                  int64_t cgroup_memory_max_bytes);

#endif
