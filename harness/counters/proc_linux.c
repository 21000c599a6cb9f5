/*
 * proc_linux.c - per-process memory and CPU from /proc, process trees, and
 * the on-disk size of a directory tree (see proc.h).
 */
#define _GNU_SOURCE
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_small(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t used = 0;
    if (fd < 0)
        return -1;
    while (used < n - 1) {
        ssize_t r = read(fd, buf + used, n - 1 - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        used += (size_t)r;
    }
    close(fd);
    buf[used] = '\0';
    return (int)used;
}

int proc_parse_smaps_rollup(const char *text, int64_t *pss_bytes, int64_t *rss_bytes)
{
    const char *p = text;
    int found = 0;
    *pss_bytes = 0;
    *rss_bytes = 0;
    while (p && *p) {
        long long kb;
        if (sscanf(p, "Pss: %lld kB", &kb) == 1) {
            *pss_bytes = kb * 1024;
            found |= 1;
        } else if (sscanf(p, "Rss: %lld kB", &kb) == 1) {
            *rss_bytes = kb * 1024;
            found |= 2;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return found == 3 ? 0 : -1;
}

int proc_parse_stat_cpu(const char *text, int64_t *utime_ticks, int64_t *stime_ticks, pid_t *ppid)
{
    /* The comm field may contain spaces and parentheses: parse after the last ')'. */
    const char *p = strrchr(text, ')');
    char state;
    int pp;
    unsigned long long ut, st;
    if (p == NULL)
        return -1;
    if (sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &state, &pp, &ut, &st) != 4)
        return -1;
    *utime_ticks = (int64_t)ut;
    *stime_ticks = (int64_t)st;
    if (ppid)
        *ppid = pp;
    return 0;
}

int proc_mem_add(pid_t pid, struct proc_mem *acc, struct err *e)
{
    char path[64], buf[4096];
    int64_t pss, rss, ut, st;
    static long hz;

    if (hz == 0)
        hz = sysconf(_SC_CLK_TCK);
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
    if (read_small(path, buf, sizeof(buf)) < 0) {
        if (errno == ENOENT || errno == ESRCH)
            return 0;
        return err_sys(e, errno, "read %s", path);
    }
    /* Kernel threads and zombies have an empty rollup: count nothing. */
    if (proc_parse_smaps_rollup(buf, &pss, &rss) == 0) {
        acc->pss_bytes += pss;
        acc->rss_bytes += rss;
    }
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_small(path, buf, sizeof(buf)) > 0) {
        int64_t th = proc_parse_stat_threads(buf);
        if (proc_parse_stat_cpu(buf, &ut, &st, NULL) == 0)
            acc->cpu_ns += (ut + st) * (1000000000LL / hz);
        acc->threads += th > 0 ? th : 1;
    }
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL)
            if (de->d_name[0] != '.')
                acc->fds++;
        if (d != NULL)
            closedir(d);
    }
    acc->nprocs++;
    return 0;
}

int64_t proc_parse_stat_threads(const char *text)
{
    const char *p = strrchr(text, ')');
    int field = 2; /* the comm field ends at ')' */
    if (p == NULL)
        return -1;
    p++;
    while (*p) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        field++;
        if (field == 20)
            return strtoll(p, NULL, 10);
        while (*p && *p != ' ')
            p++;
    }
    return -1;
}

/* Children of every thread of pid, from /proc/<pid>/task/<tid>/children. */
static int children_of(pid_t pid, pid_t *out, int max)
{
    char path[64], buf[8192];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL && n < max) {
        char cpath[128];
        char *p, *end;
        if (de->d_name[0] == '.')
            continue;
        snprintf(cpath, sizeof(cpath), "/proc/%d/task/%s/children", (int)pid, de->d_name);
        if (read_small(cpath, buf, sizeof(buf)) <= 0)
            continue;
        p = buf;
        for (;;) {
            long v = strtol(p, &end, 10);
            if (end == p || n >= max)
                break;
            out[n++] = (pid_t)v;
            p = end;
        }
    }
    closedir(d);
    return n;
}

int proc_tree_pids(pid_t root, pid_t *pids, int *n, struct err *e)
{
    int max = *n, count = 0, i;
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d", (int)root);
    if (access(path, F_OK) < 0) {
        *n = 0;
        return 0;
    }
    if (max < 1)
        return err_set(e, ENOSPC, "process tree of %d: no room", (int)root);
    pids[count++] = root;
    /* Breadth-first: pids[i] is expanded into the free tail of the array. */
    for (i = 0; i < count && count < max; i++)
        count += children_of(pids[i], pids + count, max - count);
    *n = count;
    return 0;
}

int proc_tree_mem(pid_t root, struct proc_mem *acc, struct err *e)
{
    pid_t pids[1024];
    int n = 1024, i;
    if (proc_tree_pids(root, pids, &n, e) < 0)
        return -1;
    for (i = 0; i < n; i++)
        if (proc_mem_add(pids[i], acc, e) < 0)
            return -1;
    return 0;
}

/* Does /proc/<pid_text>/cmdline contain needle (arguments joined by blanks)? */
static int cmdline_matches(const char *pid_text, const char *needle)
{
    char path[64], buf[8192];
    int len, i;
    snprintf(path, sizeof(path), "/proc/%s/cmdline", pid_text);
    len = read_small(path, buf, sizeof(buf));
    if (len <= 0)
        return 0;
    for (i = 0; i < len - 1; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    return strstr(buf, needle) != NULL;
}

int proc_find_cmdline(const char *needle, pid_t *pids, int *n, struct err *e)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int max = *n, count = 0;

    if (d == NULL)
        return err_sys(e, errno, "opendir /proc");
    while ((de = readdir(d)) != NULL && count < max) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        if (cmdline_matches(de->d_name, needle))
            pids[count++] = (pid_t)atoi(de->d_name);
    }
    closedir(d);
    *n = count;
    return 0;
}

int proc_cmdline_has(pid_t pid, const char *needle)
{
    char text[24];
    snprintf(text, sizeof(text), "%d", (int)pid);
    return cmdline_matches(text, needle);
}

void proc_threads_add(pid_t pid, struct proc_mem *acc)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_small(path, buf, sizeof(buf)) > 0) {
        int64_t th = proc_parse_stat_threads(buf);
        acc->threads += th > 0 ? th : 1;
        acc->nprocs++;
    }
}

/* nftw has no user pointer: the walk below is single-threaded per call site,
   so thread-local accumulators keep concurrent callers apart. */
static _Thread_local int64_t walk_bytes;
static _Thread_local int walk_nlinks_seen;
static _Thread_local struct { dev_t dev; ino_t ino; } walk_seen[4096];

static int walk_add(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)path;
    (void)f;
    if (flag == FTW_NS)
        return 0;
    if (st->st_nlink > 1 && !S_ISDIR(st->st_mode)) {
        int i;
        for (i = 0; i < walk_nlinks_seen; i++)
            if (walk_seen[i].dev == st->st_dev && walk_seen[i].ino == st->st_ino)
                return 0;
        if (walk_nlinks_seen < 4096) {
            walk_seen[walk_nlinks_seen].dev = st->st_dev;
            walk_seen[walk_nlinks_seen].ino = st->st_ino;
            walk_nlinks_seen++;
        }
    }
    walk_bytes += (int64_t)st->st_blocks * 512;
    return 0;
}

int dir_allocated_bytes(const char *path, int64_t *out, struct err *e)
{
    walk_bytes = 0;
    walk_nlinks_seen = 0;
    if (nftw(path, walk_add, 32, FTW_PHYS | FTW_MOUNT) < 0)
        return err_sys(e, errno, "walk %s", path);
    *out = walk_bytes;
    return 0;
}

static int walk_remove(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)f;
    if (flag == FTW_DP || flag == FTW_D)
        return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int dir_remove_tree(const char *path, struct err *e)
{
    if (access(path, F_OK) < 0)
        return 0;
    if (nftw(path, walk_remove, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
        return err_sys(e, errno, "remove %s", path);
    return 0;
}
