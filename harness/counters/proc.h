/*
 * proc.h - per-process memory and CPU from Linux /proc.
 *
 * PSS is what a container really costs when pages are shared: every process
 * that exists because of the container (the workload, a runtime's shim,
 * gVisor's sandbox and gofer, a QEMU process) is summed, read from
 * /proc/<pid>/smaps_rollup. Process trees are found through
 * /proc/<pid>/task/<tid>/children or by walking /proc for a parent chain.
 */
#ifndef ISOBENCH_PROC_H
#define ISOBENCH_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "../err.h"

struct proc_mem {
    int64_t pss_bytes;
    int64_t rss_bytes;
    int64_t cpu_ns;    /* utime + stime */
    int nprocs;        /* how many processes were summed */
    int64_t threads;   /* their threads (each holds a pid of kernel.pid_max) */
    int64_t fds;       /* their open file descriptors */
};

/* Add one process's smaps_rollup PSS/RSS and stat CPU into *acc. A process
   that vanished meanwhile is skipped (returns 0, adds nothing). */
int proc_mem_add(pid_t pid, struct proc_mem *acc, struct err *e);
/* Sum over pid and all its descendants. */
int proc_tree_mem(pid_t root, struct proc_mem *acc, struct err *e);
/* Collect pid and its descendants into pids[]; *n in/out. */
int proc_tree_pids(pid_t root, pid_t *pids, int *n, struct err *e);
/* Pids whose /proc/<pid>/cmdline contains `needle` (e.g. a container id):
   one scan of every process on the host. */
int proc_find_cmdline(const char *needle, pid_t *pids, int *n, struct err *e);
/* Does pid's command line contain needle? 1 yes, 0 no or gone. One read. */
int proc_cmdline_has(pid_t pid, const char *needle);
/* Add one process's threads (from /proc/<pid>/stat) into acc->threads and
   count it in acc->nprocs: the part of proc_mem_add a cheap sample needs. A
   process that vanished adds nothing. */
void proc_threads_add(pid_t pid, struct proc_mem *acc);

/* Parsers (pure, for tests). */
/* num_threads (field 20) of a /proc/<pid>/stat line, or -1. */
int64_t proc_parse_stat_threads(const char *text);
int proc_parse_smaps_rollup(const char *text, int64_t *pss_bytes, int64_t *rss_bytes);
int proc_parse_stat_cpu(const char *text, int64_t *utime_ticks, int64_t *stime_ticks, pid_t *ppid);

/* Bytes allocated (st_blocks * 512) under a directory, not following links,
   counting hard-linked inodes once. */
int dir_allocated_bytes(const char *path, int64_t *out, struct err *e);
/* rm -rf, staying on one file system; tolerates a missing path. */
int dir_remove_tree(const char *path, struct err *e);

#endif
