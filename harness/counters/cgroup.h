/*
 * cgroup.h - one cgroup per container, on cgroup v1 (legacy/hybrid) and v2.
 *
 * The mode is detected once (cgroup_detect). Every writer and reader is a
 * pair of v1/v2 helpers behind one entry point, as in crun. Paths are
 * relative to the hierarchy root, e.g. "isobench/<run_id>/<container>".
 * The parsers of the files' text are exposed so they can be tested on
 * fixture files, and ISOBENCH_CGROUP_ROOT (default /sys/fs/cgroup) moves
 * the whole hierarchy so the readers and writers can be run on fixture trees.
 */
#ifndef ISOBENCH_CGROUP_H
#define ISOBENCH_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "../err.h"

enum cgroup_mode { CGROUP_NONE = 0, CGROUP_V1, CGROUP_HYBRID, CGROUP_V2 };

/* Detect the host's mode from /sys/fs/cgroup (statfs magic + unified mount). */
enum cgroup_mode cgroup_detect(void);
const char *cgroup_mode_name(enum cgroup_mode m);

struct cgroup_limits {
    int64_t mem_bytes;   /* 0 = none */
    double cpus;         /* cores, 0 = none */
    int pids;            /* 0 = none */
};

/* Are the controllers isobench uses (memory, cpu, cpuacct on v1, pids)
   available in mode m? 0 = yes; otherwise the reason in e. */
int cgroup_check(enum cgroup_mode m, struct err *e);

/* Create the cgroup (in every controller needed on v1) and apply limits. */
int cgroup_create(enum cgroup_mode m, const char *rel, const struct cgroup_limits *l, struct err *e);
/* Move a process into it. pid 0 moves the calling thread: a single-threaded
   child before it execs, so that it runs inside the cgroup from the start;
   on v1 that skips the kernel's global threadgroup lock (see v1_enter). */
int cgroup_enter(enum cgroup_mode m, const char *rel, pid_t pid, struct err *e);
/* cgroup v1 only: the "tasks" file of rel ("" = the root) in the pids
   hierarchy, open for writing (a descriptor, or -1 with e). Writing "0" to
   it (cgroup_v1_tasks_enter) moves the calling thread alone, so that the
   clones it makes are charged there and refused at pids.max (EAGAIN)
   instead of moved in past the limit. */
int cgroup_v1_pids_tasks_open(const char *rel, struct err *e);
int cgroup_v1_tasks_enter(int fd, struct err *e);
/* The calling thread's cgroup in the v1 pids hierarchy, relative to its
   root ("" = the root); -1 when there is none. */
int cgroup_v1_pids_own(char *buf, size_t n);
/* v2 only: a directory fd of the cgroup for clone3's
   CLONE_INTO_CGROUP (the child starts inside it, with no migration and no
   global lock). Returns the fd, or -1 with the reason in e (always on v1). */
int cgroup_open_dir(enum cgroup_mode m, const char *rel, struct err *e);
/* Kill every process in it (SIGKILL) and wait until it is empty (bounded). */
int cgroup_kill_all(enum cgroup_mode m, const char *rel, int timeout_ms, struct err *e);
/* Remove it (and on v1 from every controller). */
int cgroup_remove(enum cgroup_mode m, const char *rel, struct err *e);
/* Does it exist in any controller? */
int cgroup_exists(enum cgroup_mode m, const char *rel);

struct cgroup_stats {
    int64_t mem_usage_bytes;  /* v1 memory.usage_in_bytes, v2 memory.current */
    int64_t mem_cache_bytes;  /* v1 stat "total_cache", v2 stat "file" */
    int64_t mem_anon_bytes;   /* v1 "total_rss", v2 "anon" */
    int64_t cpu_ns;           /* v1 cpuacct.usage, v2 cpu.stat usage_usec * 1000 */
    int64_t pids;             /* pids.current */
    int64_t kmem_bytes;       /* v1 memory.kmem.usage_in_bytes, v2 stat "kernel" (or slab + kernel_stack + pagetables) */
    int64_t inactive_file_bytes; /* v1 "total_inactive_file", v2 "inactive_file": reclaimable without harm */
};
int cgroup_read(enum cgroup_mode m, const char *rel, struct cgroup_stats *st, struct err *e);
/* The limits in force: memory (v1 limit_in_bytes, v2 memory.max) and
   pids.max; -1 = unlimited or unreadable. */
int cgroup_read_limits(enum cgroup_mode m, const char *rel, int64_t *mem_max, int64_t *pids_max);
/* How often the limits bit: forks refused at pids.max (pids.events "max")
   and OOM kills (v1 memory.oom_control, v2 memory.events "oom_kill"),
   and the highest pids.current so far (pids.peak; on v1 a fork refused
   below the limiting cgroup is counted in the forking task's own cgroup,
   so the peak reaching pids.max is what shows it at the budget);
   -1 = unreadable. */
void cgroup_read_events(enum cgroup_mode m, const char *rel, int64_t *pids_refused, int64_t *oom_kills,
                        int64_t *pids_peak);
/* Remove rel from every mounted hierarchy (runtimes create theirs in
   blkio, devices, freezer, name=systemd ... too) and from the root (v2).
   Missing is fine; a busy one is an error. */
int cgroup_remove_everywhere(const char *rel, struct err *e);
/* Remove rel and everything below it from every hierarchy, killing the
   processes still inside (bounded wait); *removed (may be NULL) counts the
   directories removed. */
int cgroup_remove_tree(const char *rel, int timeout_ms, int *removed, struct err *e);
/* Does rel exist in any mounted hierarchy? */
int cgroup_exists_anywhere(const char *rel);
/* PIDs in the cgroup (cgroup.procs); *n in/out. */
int cgroup_pids(enum cgroup_mode m, const char *rel, pid_t *pids, int *n, struct err *e);

/*
 * The counters sampled at a high rate (memory usage, CPU time, pids), read
 * through descriptors opened once and re-read with pread at offset 0 (the
 * kernel regenerates the text on every read from 0): three system calls per
 * sample instead of three open/read/close. A descriptor that could not be
 * opened is -1 and its counter reads as -1 (unknown).
 */
struct cgroup_fds {
    int mem, cpu, pids;
};
/* Open the counter files of rel. Fails only when none could be opened
   (EMFILE: the caller reads by path instead). */
int cgroup_counters_open(enum cgroup_mode m, const char *rel, struct cgroup_fds *f, struct err *e);
/* The same counters by path, the files opened for this one read and closed
   again (no limit on descriptor numbers): what a caller uses when
   cgroup_counters_open refused past half of RLIMIT_NOFILE. */
int cgroup_counters_read_path(enum cgroup_mode m, const char *rel, struct cgroup_stats *st, struct err *e);
/* Fill mem_usage_bytes, cpu_ns and pids (others -1). */
int cgroup_counters_read(enum cgroup_mode m, const struct cgroup_fds *f, struct cgroup_stats *st, struct err *e);
void cgroup_counters_close(struct cgroup_fds *f);
/* How many descriptors cgroup_counters_open holds per cgroup. */
#define CGROUP_COUNTER_FDS 3

/*
 * The counter files one at a time, for a caller that keeps descriptors for
 * some of them only: the fields of struct cgroup_fds.
 */
enum cgroup_counter { CGROUP_CTR_MEM, CGROUP_CTR_CPU, CGROUP_CTR_PIDS };
/* The slot of counter k in f. */
int *cgroup_fds_slot(struct cgroup_fds *f, enum cgroup_counter k);
/* The directory of rel in the hierarchy holding counter k (v2: the one
   directory), an O_PATH descriptor for cgroup_counter_openat. */
int cgroup_counter_dir_open(enum cgroup_mode m, const char *rel, enum cgroup_counter k, struct err *e);
/* Open counter k of the child cgroup `name` of dirfd (from
   cgroup_counter_dir_open): two path components to walk instead of the
   whole path. -1 with errno on failure. */
int cgroup_counter_openat(enum cgroup_mode m, int dirfd, const char *name, enum cgroup_counter k);
/* The same by the full path of rel (no directory kept). */
int cgroup_counter_open(enum cgroup_mode m, const char *rel, enum cgroup_counter k);

/* Parsers (pure, for tests): "key value\n" files such as memory.stat and cpu.stat. */
int cgroup_parse_keyed(const char *text, const char *key, int64_t *out);
/* Is `word` one of the blank-separated words of text (cgroup.controllers)?
   0 = yes, -1 = no. */
int cgroup_parse_word(const char *text, const char *word);
/* Single-number files ("max" -> -1). */
int cgroup_parse_number(const char *text, int64_t *out);

#endif
