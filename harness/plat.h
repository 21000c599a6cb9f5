/*
 * plat.h - the little the harness needs from the operating system.
 *
 * Implemented once per platform (plat_posix.c on Linux, plat_win.c on
 * Windows; CMake picks one). Host-wide counters (memory available, CPU busy)
 * live in harness/counters/host_<platform>.c behind the same header.
 */
#ifndef ISOBENCH_PLAT_H
#define ISOBENCH_PLAT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC / QueryPerformanceCounter). */
int64_t plat_now_ns(void);
/* Wall clock, seconds since the epoch, with sub-second part. */
double plat_wall_time(void);
void plat_sleep_ms(int ms);
/* Sleep for us microseconds (the injected start delay; Windows rounds up to ms). */
void plat_sleep_us(int64_t us);

/* Create a directory and its parents (like mkdir -p). */
int plat_mkdir_p(const char *path, struct err *e);
/* Does a path exist? */
int plat_exists(const char *path);
/* The folder holding the running executable, from /proc/self/exe (Linux) or
   GetModuleFileName (Windows), with symbolic links resolved. */
int plat_self_dir(char *buf, size_t n, struct err *e);

/* SIGINT/SIGTERM (Ctrl-C on Windows) set a flag instead of killing us. */
void plat_catch_interrupts(void);
int plat_interrupted(void);

/*
 * Run a host program (no shell: argv[0] is a path) and wait at most
 * timeout_ms for a stdout line starting with `marker`; the line is copied
 * into buf. The process is then waited for (and killed if it outlives the
 * timeout). Used for the bare-process CPU baseline.
 */
int plat_run_marker(const char *const *argv, const char *marker, int timeout_ms,
                    char *buf, size_t n, struct err *e);

/* What isobench itself uses: resident memory (RSS), the part of it that is
   anonymous (neither file-backed nor shared: what counts in the host's
   memory in use), and CPU time of the whole process. -1 when unknown. */
int plat_self_usage(int64_t *rss_bytes, int64_t *anon_bytes, int64_t *cpu_ns);
/* CPU time of the calling thread (ns). */
int64_t plat_thread_cpu_ns(void);
/* Raise the open-file limit to at least `want` descriptors where allowed
   (soft up to hard; as root also the hard limit). Returns the new soft limit. */
long plat_raise_nofile(long want);

/* Free bytes on the file system holding `path`. */
/* Run a program (argv[0] a path, no shell) with our stderr and wait;
   stdout is ours too unless quiet (then discarded; Windows keeps it).
   *exit_code gets its exit status (128 + signal when killed). */
int plat_run_wait(const char *const *argv, int quiet, int *exit_code, struct err *e);
/* Path of the running executable. */
int plat_self_exe(char *buf, size_t n, struct err *e);

int plat_disk_free(const char *path, int64_t *free_bytes, int64_t *total_bytes, struct err *e);
/* The size of a memory page in bytes (4096 when it cannot be asked). */
int64_t plat_page_bytes(void);

/* Facts recorded in run.json. */
struct host_facts {
    char hostname[128];
    char os[128];          /* "Debian GNU/Linux 12 (bookworm)", "Windows 10.0.20348" */
    char kernel[128];      /* uname -r, or the Windows build */
    char arch[32];
    char cpu_model[128];
    int cores;
    int64_t mem_total_bytes;
    char cgroup[16];       /* "v1", "v2", "hybrid", "none" */
};
int host_facts_get(struct host_facts *h, struct err *e);

/* One host-wide sample. */
struct host_sample {
    int64_t t_ns;
    int64_t mem_total_bytes;
    int64_t mem_available_bytes;
    uint64_t cpu_busy_ticks;   /* cumulative, any unit, same as cpu_total_ticks */
    uint64_t cpu_total_ticks;
};
int host_sample_get(struct host_sample *s, struct err *e);
/* Busy share in percent of all cores between two samples. */
double host_cpu_busy_pct(const struct host_sample *a, const struct host_sample *b);

#endif
