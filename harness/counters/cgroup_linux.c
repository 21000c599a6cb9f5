/*
 * cgroup_linux.c - per-container cgroups on v1 (legacy and hybrid) and v2.
 *
 * v1: one directory per controller (memory, cpu, cpuacct, pids) under
 * /sys/fs/cgroup/<controller>/<rel>. v2: one directory under /sys/fs/cgroup
 * (the unified mount) with controllers enabled in every parent's
 * cgroup.subtree_control. Every entry point dispatches to a v1/v2 pair.
 */
#define _GNU_SOURCE
#include "cgroup.h"
#include "../plat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_ROOT "/sys/fs/cgroup"

/* The hierarchy root; ISOBENCH_CGROUP_ROOT moves it (tests point it at a
   fixture tree to drive the v1 and v2 readers and writers on plain files). */
static const char *cg_root(void)
{
    const char *r = getenv("ISOBENCH_CGROUP_ROOT");
    return (r != NULL && r[0] != '\0') ? r : CG_ROOT;
}

static const char *const v1_controllers[] = { "memory", "cpu", "cpuacct", "pids", NULL };

enum cgroup_mode cgroup_detect(void)
{
    struct statfs fs;
    char unified[4096];
    const char *forced = getenv("ISOBENCH_CGROUP");

    if (forced != NULL) {
        if (strcmp(forced, "v2") == 0)
            return CGROUP_V2;
        if (strcmp(forced, "v1") == 0)
            return CGROUP_V1;
    }
    if (statfs(cg_root(), &fs) < 0)
        return CGROUP_NONE;
    if (fs.f_type == CGROUP2_SUPER_MAGIC)
        return CGROUP_V2;
    snprintf(unified, sizeof(unified), "%s/unified", cg_root());
    if (statfs(unified, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
        return CGROUP_HYBRID;
    return CGROUP_V1;
}

const char *cgroup_mode_name(enum cgroup_mode m)
{
    switch (m) {
    case CGROUP_V1:
        return "v1";
    case CGROUP_HYBRID:
        return "hybrid";
    case CGROUP_V2:
        return "v2";
    default:
        return "none";
    }
}

/* Hybrid hosts keep every controller on v1. */
static int is_v2(enum cgroup_mode m)
{
    return m == CGROUP_V2;
}

static int write_file(const char *path, const char *val, struct err *e)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t len = (ssize_t)strlen(val);
    if (fd < 0)
        return err_sys(e, errno, "open %s", path);
    if (write(fd, val, (size_t)len) != len) {
        int saved = errno;
        close(fd);
        return err_sys(e, saved, "write '%s' to %s", val, path);
    }
    close(fd);
    return 0;
}

static int read_file(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t r;
    if (fd < 0)
        return -1;
    r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0)
        return -1;
    buf[r] = '\0';
    return (int)r;
}

int cgroup_parse_keyed(const char *text, const char *key, int64_t *out)
{
    size_t klen = strlen(key);
    const char *p = text;
    while (p != NULL && *p) {
        if (strncmp(p, key, klen) == 0 && (p[klen] == ' ' || p[klen] == '\t')) {
            *out = strtoll(p + klen + 1, NULL, 10);
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

int cgroup_parse_number(const char *text, int64_t *out)
{
    char *end;
    long long v;
    while (*text == ' ' || *text == '\t')
        text++;
    if (strncmp(text, "max", 3) == 0) {
        *out = -1;
        return 0;
    }
    errno = 0;
    v = strtoll(text, &end, 10);
    if (end == text || errno != 0)
        return -1;
    *out = v;
    return 0;
}

int cgroup_parse_word(const char *text, const char *word)
{
    size_t wlen = strlen(word);
    const char *p = text;
    while ((p = strstr(p, word)) != NULL) {
        int starts = p == text || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t';
        char after = p[wlen];
        if (starts && (after == '\0' || after == ' ' || after == '\n' || after == '\t'))
            return 0;
        p += wlen;
    }
    return -1;
}

/* ---- v1 ---- */

/* mkdir, making the parents only when they are missing (the common case,
   a sibling of an existing cgroup, costs one system call instead of one per
   path component). */
static int mkdir_leaf_first(const char *path, struct err *e)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return err_sys(e, errno, "mkdir %s", path);
    return plat_mkdir_p(path, e);
}

static int v1_create(const char *rel, const struct cgroup_limits *l, struct err *e)
{
    char path[4096], val[64];
    int i;
    for (i = 0; v1_controllers[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s/%s", cg_root(), v1_controllers[i], rel);
        if (mkdir_leaf_first(path, e) < 0)
            return -1;
    }
    if (l->mem_bytes > 0) {
        snprintf(path, sizeof(path), "%s/memory/%s/memory.limit_in_bytes", cg_root(), rel);
        snprintf(val, sizeof(val), "%lld", (long long)l->mem_bytes);
        if (write_file(path, val, e) < 0)
            return -1;
    }
    if (l->cpus > 0) {
        snprintf(path, sizeof(path), "%s/cpu/%s/cpu.cfs_period_us", cg_root(), rel);
        if (write_file(path, "100000", e) < 0)
            return -1;
        snprintf(path, sizeof(path), "%s/cpu/%s/cpu.cfs_quota_us", cg_root(), rel);
        snprintf(val, sizeof(val), "%lld", (long long)(l->cpus * 100000.0));
        if (write_file(path, val, e) < 0)
            return -1;
    }
    if (l->pids > 0) {
        snprintf(path, sizeof(path), "%s/pids/%s/pids.max", cg_root(), rel);
        snprintf(val, sizeof(val), "%d", l->pids);
        if (write_file(path, val, e) < 0)
            return -1;
    }
    return 0;
}

/*
 * pid 0 (the caller) goes through "tasks", which moves the calling thread
 * only: the kernel then skips the global threadgroup lock that a
 * cgroup.procs write takes, whose write side waits for an RCU grace period
 * (about 10 ms per write on the 2-core test machine, against 0.03 ms).
 * For a single-threaded child before exec, the thread is the process.
 */
static int v1_enter(const char *rel, pid_t pid, struct err *e)
{
    char path[4096], val[32];
    const char *file = pid == 0 ? "tasks" : "cgroup.procs";
    int i;
    snprintf(val, sizeof(val), "%d", (int)pid);
    for (i = 0; v1_controllers[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s/%s/%s", cg_root(), v1_controllers[i], rel, file);
        if (write_file(path, val, e) < 0)
            return -1;
    }
    return 0;
}

static int v1_remove(const char *rel, struct err *e)
{
    char path[4096];
    int i, rc = 0;
    for (i = 0; v1_controllers[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s/%s", cg_root(), v1_controllers[i], rel);
        if (rmdir(path) < 0 && errno != ENOENT)
            rc = err_sys(e, errno, "rmdir %s", path);
    }
    return rc;
}

static int v1_read(const char *rel, struct cgroup_stats *st, struct err *e)
{
    char path[4096], buf[8192];
    int64_t v;

    snprintf(path, sizeof(path), "%s/memory/%s/memory.usage_in_bytes", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) < 0)
        return err_sys(e, errno, "read %s", path);
    if (cgroup_parse_number(buf, &v) == 0)
        st->mem_usage_bytes = v;
    snprintf(path, sizeof(path), "%s/memory/%s/memory.stat", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0) {
        if (cgroup_parse_keyed(buf, "total_cache", &v) == 0)
            st->mem_cache_bytes = v;
        if (cgroup_parse_keyed(buf, "total_rss", &v) == 0)
            st->mem_anon_bytes = v;
        if (cgroup_parse_keyed(buf, "total_inactive_file", &v) == 0)
            st->inactive_file_bytes = v;
    }
    snprintf(path, sizeof(path), "%s/memory/%s/memory.kmem.usage_in_bytes", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0)
        st->kmem_bytes = v;
    snprintf(path, sizeof(path), "%s/cpuacct/%s/cpuacct.usage", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0)
        st->cpu_ns = v;
    snprintf(path, sizeof(path), "%s/pids/%s/pids.current", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0)
        st->pids = v;
    return 0;
}

/* ---- v2 ---- */

/* Enable memory, cpu and pids in every ancestor's subtree_control. One
   write per controller: the kernel rejects a whole "+a +b" line when one
   controller is unavailable, which would leave the others off too. */
static const char *const v2_controllers[] = { "+memory", "+cpu", "+pids", NULL };

static void v2_enable_in(const char *parent)
{
    char path[4096];
    int i;
    snprintf(path, sizeof(path), "%s/%s%scgroup.subtree_control", cg_root(), parent, parent[0] ? "/" : "");
    /* Best effort: a controller may be unavailable; reading then tells. */
    for (i = 0; v2_controllers[i] != NULL; i++)
        write_file(path, v2_controllers[i], NULL);
}

static int v2_enable_parents(const char *rel, struct err *e)
{
    char part[4096];
    const char *p = rel;
    size_t len;
    (void)e;
    part[0] = '\0';
    for (;;) {
        const char *slash = strchr(p, '/');
        v2_enable_in(part);
        if (slash == NULL)
            break;
        len = strlen(part);
        snprintf(part + len, sizeof(part) - len, "%s%.*s", len ? "/" : "", (int)(slash - p), p);
        p = slash + 1;
    }
    return 0;
}

static int v2_create(const char *rel, const struct cgroup_limits *l, struct err *e)
{
    char path[4096], val[64];
    snprintf(path, sizeof(path), "%s/%s", cg_root(), rel);
    if (mkdir_leaf_first(path, e) < 0)
        return -1;
    v2_enable_parents(rel, e);
    if (l->mem_bytes > 0) {
        snprintf(path, sizeof(path), "%s/%s/memory.max", cg_root(), rel);
        snprintf(val, sizeof(val), "%lld", (long long)l->mem_bytes);
        if (write_file(path, val, e) < 0)
            return -1;
    }
    if (l->cpus > 0) {
        snprintf(path, sizeof(path), "%s/%s/cpu.max", cg_root(), rel);
        snprintf(val, sizeof(val), "%lld 100000", (long long)(l->cpus * 100000.0));
        if (write_file(path, val, e) < 0)
            return -1;
    }
    if (l->pids > 0) {
        snprintf(path, sizeof(path), "%s/%s/pids.max", cg_root(), rel);
        snprintf(val, sizeof(val), "%d", l->pids);
        if (write_file(path, val, e) < 0)
            return -1;
    }
    return 0;
}

static int v2_enter(const char *rel, pid_t pid, struct err *e)
{
    char path[4096], val[32];
    snprintf(val, sizeof(val), "%d", (int)pid);
    snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg_root(), rel);
    return write_file(path, val, e);
}

static int v2_remove(const char *rel, struct err *e)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", cg_root(), rel);
    if (rmdir(path) < 0 && errno != ENOENT)
        return err_sys(e, errno, "rmdir %s", path);
    return 0;
}

static int v2_read(const char *rel, struct cgroup_stats *st, struct err *e)
{
    char path[4096], buf[8192];
    int64_t v;

    snprintf(path, sizeof(path), "%s/%s/memory.current", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) < 0)
        return err_sys(e, errno, "read %s", path);
    if (cgroup_parse_number(buf, &v) == 0)
        st->mem_usage_bytes = v;
    snprintf(path, sizeof(path), "%s/%s/memory.stat", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0) {
        if (cgroup_parse_keyed(buf, "file", &v) == 0)
            st->mem_cache_bytes = v;
        if (cgroup_parse_keyed(buf, "anon", &v) == 0)
            st->mem_anon_bytes = v;
        if (cgroup_parse_keyed(buf, "inactive_file", &v) == 0)
            st->inactive_file_bytes = v;
        if (cgroup_parse_keyed(buf, "kernel", &v) == 0) {
            st->kmem_bytes = v;
        } else {
            static const char *const parts[] = { "slab", "kernel_stack", "pagetables", NULL };
            int i;
            st->kmem_bytes = 0;
            for (i = 0; parts[i] != NULL; i++)
                if (cgroup_parse_keyed(buf, parts[i], &v) == 0)
                    st->kmem_bytes += v;
        }
    }
    snprintf(path, sizeof(path), "%s/%s/cpu.stat", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_keyed(buf, "usage_usec", &v) == 0)
        st->cpu_ns = v * 1000;
    snprintf(path, sizeof(path), "%s/%s/pids.current", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0)
        st->pids = v;
    return 0;
}

/* ---- entry points ---- */

int cgroup_check(enum cgroup_mode m, struct err *e)
{
    char path[4096], buf[4096];
    int i;

    if (m == CGROUP_NONE)
        return err_set(e, ENOENT, "no cgroup file system mounted at %s", cg_root());
    if (!is_v2(m)) {
        for (i = 0; v1_controllers[i] != NULL; i++) {
            snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg_root(), v1_controllers[i]);
            if (!plat_exists(path))
                return err_set(e, ENOENT, "cgroup v1 controller '%s' is not mounted at %s/%s",
                               v1_controllers[i], cg_root(), v1_controllers[i]);
        }
        return 0;
    }
    snprintf(path, sizeof(path), "%s/cgroup.controllers", cg_root());
    if (read_file(path, buf, sizeof(buf)) < 0)
        return err_sys(e, errno, "cgroup v2: read %s", path);
    for (i = 0; v2_controllers[i] != NULL; i++)
        if (cgroup_parse_word(buf, v2_controllers[i] + 1) < 0)
            return err_set(e, ENOENT, "cgroup v2: controller '%s' not available in %s (\"%.*s\")",
                           v2_controllers[i] + 1, path, (int)strcspn(buf, "\n"), buf);
    return 0;
}

int cgroup_create(enum cgroup_mode m, const char *rel, const struct cgroup_limits *l, struct err *e)
{
    int rc = is_v2(m) ? v2_create(rel, l, e) : v1_create(rel, l, e);
    return rc < 0 ? err_wrap(e, "cgroup %s", rel) : 0;
}

int cgroup_enter(enum cgroup_mode m, const char *rel, pid_t pid, struct err *e)
{
    int rc = is_v2(m) ? v2_enter(rel, pid, e) : v1_enter(rel, pid, e);
    return rc < 0 ? err_wrap(e, "cgroup %s: enter %d", rel, (int)pid) : 0;
}

/*
 * cgroup v1 lets the threads of one process sit in different cgroups. A
 * thread moved alone into a pids cgroup has what it clones charged there:
 * the clone is refused at pids.max (EAGAIN, counted in that cgroup's
 * pids.events), where moving a child in afterwards would ignore the limit.
 * Writing "0" to "tasks" moves the caller only, without the global
 * threadgroup lock. rel "" is the hierarchy's root.
 */
int cgroup_v1_pids_tasks_open(const char *rel, struct err *e)
{
    char path[4096];
    int fd;
    snprintf(path, sizeof(path), "%s/pids/%s%stasks", cg_root(), rel, rel[0] != '\0' ? "/" : "");
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(e, errno, "open %s", path);
    return fd;
}

int cgroup_v1_tasks_enter(int fd, struct err *e)
{
    if (write(fd, "0", 1) != 1)
        return err_sys(e, errno, "move the calling thread (write \"0\" to a pids tasks file)");
    return 0;
}

int cgroup_v1_pids_own(char *buf, size_t n)
{
    char text[4096], *line, *save = NULL;
    if (read_file("/proc/thread-self/cgroup", text, sizeof(text)) < 0)
        return -1;
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL || (size_t)(c2 - c1 - 1) != 4 || strncmp(c1 + 1, "pids", 4) != 0)
            continue;
        c2++;
        while (*c2 == '/')
            c2++;
        snprintf(buf, n, "%s", c2);
        return 0;
    }
    return -1;
}

int cgroup_open_dir(enum cgroup_mode m, const char *rel, struct err *e)
{
    char path[4096];
    int fd;
    if (!is_v2(m))
        return err_set(e, EINVAL, "cgroup %s: a cgroup directory fd needs cgroup v2", rel);
    snprintf(path, sizeof(path), "%s/%s", cg_root(), rel);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(e, errno, "open %s", path);
    return fd;
}

int cgroup_remove(enum cgroup_mode m, const char *rel, struct err *e)
{
    int rc = is_v2(m) ? v2_remove(rel, e) : v1_remove(rel, e);
    return rc < 0 ? err_wrap(e, "cgroup %s", rel) : 0;
}

int cgroup_read(enum cgroup_mode m, const char *rel, struct cgroup_stats *st, struct err *e)
{
    int rc;
    st->mem_usage_bytes = st->mem_cache_bytes = st->mem_anon_bytes = -1;
    st->cpu_ns = st->pids = st->kmem_bytes = st->inactive_file_bytes = -1;
    rc = is_v2(m) ? v2_read(rel, st, e) : v1_read(rel, st, e);
    return rc < 0 ? err_wrap(e, "cgroup %s", rel) : 0;
}

/* The path of a cgroup file: <root>/<rel>/<v2_file> on v2, and
   <root>/<controller>/<rel>/<v1_file> on v1. */
static void file_path(enum cgroup_mode m, const char *rel, const char *controller, const char *v1_file,
                      const char *v2_file, char *path, size_t n)
{
    if (is_v2(m))
        snprintf(path, n, "%s/%s/%s", cg_root(), rel, v2_file);
    else
        snprintf(path, n, "%s/%s/%s/%s", cg_root(), controller, rel, v1_file);
}

int cgroup_read_limits(enum cgroup_mode m, const char *rel, int64_t *mem_max, int64_t *pids_max)
{
    char path[4096], buf[128];
    int64_t v;

    *mem_max = *pids_max = -1;
    file_path(m, rel, "memory", "memory.limit_in_bytes", "memory.max", path, sizeof(path));
    /* v1 says "no limit" with a huge page-rounded LONG_MAX. */
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0 && v > 0 && v < (1LL << 60))
        *mem_max = v;
    file_path(m, rel, "pids", "pids.max", "pids.max", path, sizeof(path));
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0 && v > 0)
        *pids_max = v;
    return 0;
}

void cgroup_read_events(enum cgroup_mode m, const char *rel, int64_t *pids_refused, int64_t *oom_kills,
                        int64_t *pids_peak)
{
    char path[4096], buf[1024];
    int64_t v;

    *pids_refused = *oom_kills = *pids_peak = -1;
    file_path(m, rel, "pids", "pids.peak", "pids.peak", path, sizeof(path));
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0)
        *pids_peak = v;
    file_path(m, rel, "pids", "pids.events", "pids.events", path, sizeof(path));
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_keyed(buf, "max", &v) == 0)
        *pids_refused = v;
    file_path(m, rel, "memory", "memory.oom_control", "memory.events", path, sizeof(path));
    if (read_file(path, buf, sizeof(buf)) > 0 && cgroup_parse_keyed(buf, "oom_kill", &v) == 0)
        *oom_kills = v;
}

/* fn(path) for rel under the root (v2) and under every hierarchy mounted
   below it (v1: memory, pids, ..., and the name=systemd and unified trees
   of a hybrid host) that has it as a directory. Stops when fn returns > 0;
   returns the first negative result (after trying them all), or that > 0. */
static int each_hierarchy(const char *rel, int (*fn)(const char *path, void *arg), void *arg)
{
    DIR *d = opendir(cg_root());
    struct dirent *de;
    char path[4096];
    struct stat st;
    int rc = 0, r;

    snprintf(path, sizeof(path), "%s/%s", cg_root(), rel);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (r = fn(path, arg)) != 0) {
        rc = r;
        if (r > 0)
            goto out;
    }
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/%s", cg_root(), de->d_name, rel);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        r = fn(path, arg);
        if (r > 0) {
            rc = r;
            break;
        }
        if (r < 0 && rc == 0)
            rc = r;
    }
out:
    if (d != NULL)
        closedir(d);
    return rc;
}

static int rmdir_one(const char *path, void *arg)
{
    struct err *e = arg;
    if (rmdir(path) < 0 && errno != ENOENT && errno != ENOTDIR)
        return err_sys(e, errno, "rmdir %s", path);
    return 0;
}

int cgroup_remove_everywhere(const char *rel, struct err *e)
{
    return each_hierarchy(rel, rmdir_one, e);
}

/* Depth first under one absolute directory: kill, wait, rmdir. */
static int remove_tree_at(const char *abs, int64_t deadline, int *removed, struct err *e)
{
    DIR *d = opendir(abs);
    struct dirent *de;
    char path[4096], buf[65536];
    int rc = 0;

    if (d == NULL)
        return errno == ENOENT ? 0 : err_sys(e, errno, "opendir %s", abs);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || de->d_type != DT_DIR)
            continue;
        snprintf(path, sizeof(path), "%s/%s", abs, de->d_name);
        if (remove_tree_at(path, deadline, removed, e) < 0)
            rc = -1;
    }
    closedir(d);
    if (rc < 0)
        return rc;
    for (;;) {
        char *p, *end;
        int n = 0;
        snprintf(path, sizeof(path), "%s/cgroup.procs", abs);
        if (read_file(path, buf, sizeof(buf)) < 0)
            break;
        for (p = buf;; p = end) {
            long v = strtol(p, &end, 10);
            if (end == p)
                break;
            kill((pid_t)v, SIGKILL);
            n++;
        }
        if (n == 0)
            break;
        if (plat_now_ns() > deadline)
            return err_set(e, EBUSY, "cgroup %s: %d processes still alive after SIGKILL", abs, n);
        plat_sleep_ms(5);
    }
    for (;;) {
        if (rmdir(abs) == 0) {
            if (removed != NULL)
                (*removed)++;
            return 0;
        }
        if (errno == ENOENT)
            return 0;
        /* EBUSY for a moment after the last process died (v1 css offlining) */
        if (errno != EBUSY || plat_now_ns() > deadline)
            return err_sys(e, errno, "rmdir %s", abs);
        plat_sleep_ms(5);
    }
}

struct tree_arg {
    int64_t deadline;
    int *removed;
    struct err *e;
};

static int remove_tree_one(const char *path, void *arg)
{
    struct tree_arg *t = arg;
    return remove_tree_at(path, t->deadline, t->removed, t->e);
}

int cgroup_remove_tree(const char *rel, int timeout_ms, int *removed, struct err *e)
{
    struct tree_arg t = { plat_now_ns() + (int64_t)timeout_ms * 1000000LL, removed, e };
    return each_hierarchy(rel, remove_tree_one, &t) < 0 ? -1 : 0;
}

static int found_one(const char *path, void *arg)
{
    (void)path;
    (void)arg;
    return 1;
}

int cgroup_exists_anywhere(const char *rel)
{
    return each_hierarchy(rel, found_one, NULL) > 0;
}

int cgroup_exists(enum cgroup_mode m, const char *rel)
{
    char path[4096];
    int i;
    if (is_v2(m)) {
        snprintf(path, sizeof(path), "%s/%s", cg_root(), rel);
        return plat_exists(path);
    }
    for (i = 0; v1_controllers[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s/%s", cg_root(), v1_controllers[i], rel);
        if (plat_exists(path))
            return 1;
    }
    return 0;
}

int cgroup_pids(enum cgroup_mode m, const char *rel, pid_t *pids, int *n, struct err *e)
{
    char path[4096], buf[65536];
    char *p, *end;
    int max = *n, count = 0;
    if (is_v2(m))
        snprintf(path, sizeof(path), "%s/%s/cgroup.procs", cg_root(), rel);
    else
        snprintf(path, sizeof(path), "%s/pids/%s/cgroup.procs", cg_root(), rel);
    if (read_file(path, buf, sizeof(buf)) < 0) {
        if (errno == ENOENT) {
            *n = 0;
            return 0;
        }
        return err_sys(e, errno, "read %s", path);
    }
    p = buf;
    while (count < max) {
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        pids[count++] = (pid_t)v;
        p = end;
    }
    *n = count;
    return 0;
}

/* v2 (Linux 5.14+) kills a whole cgroup atomically through cgroup.kill;
   returns 0 when that file took the write. */
static int v2_kill_file(const char *rel)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/cgroup.kill", cg_root(), rel);
    return write_file(path, "1", NULL);
}

int cgroup_kill_all(enum cgroup_mode m, const char *rel, int timeout_ms, struct err *e)
{
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    int killed_v2 = 0;
    for (;;) {
        pid_t pids[4096];
        int n = 4096, i;
        if (cgroup_pids(m, rel, pids, &n, e) < 0)
            return err_wrap(e, "cgroup %s", rel);
        if (n == 0)
            return 0;
        if (is_v2(m) && !killed_v2)
            killed_v2 = v2_kill_file(rel) == 0;
        if (!killed_v2)
            for (i = 0; i < n; i++)
                kill(pids[i], SIGKILL);
        if (plat_now_ns() > deadline)
            return err_set(e, EBUSY, "cgroup %s: %d processes still alive after %d ms", rel, n, timeout_ms);
        plat_sleep_ms(2);
    }
}

/* ---- counters through open descriptors ---- */

static int open_ro(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* Open the three counter files; errno of the last failure in *saved. */
static int counters_open_raw(enum cgroup_mode m, const char *rel, struct cgroup_fds *f, struct err *e)
{
    int saved = 0, k;

    for (k = CGROUP_CTR_MEM; k <= CGROUP_CTR_PIDS; k++) {
        int *slot = cgroup_fds_slot(f, (enum cgroup_counter)k);
        *slot = cgroup_counter_open(m, rel, (enum cgroup_counter)k);
        saved = *slot < 0 ? errno : saved;
    }
    if (f->mem < 0 && f->cpu < 0 && f->pids < 0)
        return err_sys(e, saved, "cgroup %s: open counters", rel);
    return 0;
}

int cgroup_counters_open(enum cgroup_mode m, const char *rel, struct cgroup_fds *f, struct err *e)
{
    if (counters_open_raw(m, rel, f, e) < 0)
        return -1;
    /* These descriptors only save system calls: past half of RLIMIT_NOFILE
       they go back, so that a large fleet keeps its descriptors for what it
       cannot do without (each container's output pipe) and isobench's own
       limit does not bind the fleet (read by path instead:
       cgroup_counters_read_path). */
    {
        struct rlimit rl;
        int top = f->mem > f->cpu ? f->mem : f->cpu;
        top = f->pids > top ? f->pids : top;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (rlim_t)top >= rl.rlim_cur / 2) {
            cgroup_counters_close(f);
            return err_set(e, EMFILE, "cgroup %s: counter descriptors past half of RLIMIT_NOFILE (%llu)", rel,
                           (unsigned long long)rl.rlim_cur);
        }
    }
    return 0;
}

int cgroup_counters_read_path(enum cgroup_mode m, const char *rel, struct cgroup_stats *st, struct err *e)
{
    struct cgroup_fds f;
    int rc;
    if (counters_open_raw(m, rel, &f, e) < 0)
        return -1;
    rc = cgroup_counters_read(m, &f, st, e);
    cgroup_counters_close(&f);
    return rc < 0 ? err_wrap(e, "cgroup %s", rel) : 0;
}

/* Re-read a small file from its start; the text NUL-terminated in buf. */
static int pread_text(int fd, char *buf, size_t n)
{
    ssize_t r;
    if (fd < 0)
        return -1;
    do
        r = pread(fd, buf, n - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    buf[r] = '\0';
    return (int)r;
}

int cgroup_counters_read(enum cgroup_mode m, const struct cgroup_fds *f, struct cgroup_stats *st, struct err *e)
{
    char buf[1024];
    int64_t v;

    st->mem_usage_bytes = st->mem_cache_bytes = st->mem_anon_bytes = -1;
    st->cpu_ns = st->pids = st->kmem_bytes = st->inactive_file_bytes = -1;
    if (pread_text(f->mem, buf, sizeof(buf)) < 0 && f->mem >= 0)
        return err_sys(e, errno, "cgroup: read memory usage");
    if (f->mem >= 0 && cgroup_parse_number(buf, &v) == 0)
        st->mem_usage_bytes = v;
    if (pread_text(f->cpu, buf, sizeof(buf)) > 0) {
        if (!is_v2(m) && cgroup_parse_number(buf, &v) == 0)
            st->cpu_ns = v;
        else if (is_v2(m) && cgroup_parse_keyed(buf, "usage_usec", &v) == 0)
            st->cpu_ns = v * 1000;
    }
    if (pread_text(f->pids, buf, sizeof(buf)) > 0 && cgroup_parse_number(buf, &v) == 0)
        st->pids = v;
    return 0;
}

/* ---- counter files one at a time ---- */

static const struct {
    const char *controller, *v1, *v2;
} counter_files[] = {
    [CGROUP_CTR_MEM] = { "memory", "memory.usage_in_bytes", "memory.current" },
    [CGROUP_CTR_CPU] = { "cpuacct", "cpuacct.usage", "cpu.stat" },
    [CGROUP_CTR_PIDS] = { "pids", "pids.current", "pids.current" },
};

int *cgroup_fds_slot(struct cgroup_fds *f, enum cgroup_counter k)
{
    return k == CGROUP_CTR_MEM ? &f->mem : k == CGROUP_CTR_CPU ? &f->cpu : &f->pids;
}

int cgroup_counter_dir_open(enum cgroup_mode m, const char *rel, enum cgroup_counter k, struct err *e)
{
    char path[4096];
    int fd;
    if (is_v2(m))
        snprintf(path, sizeof(path), "%s/%s", cg_root(), rel);
    else
        snprintf(path, sizeof(path), "%s/%s/%s", cg_root(), counter_files[k].controller, rel);
    fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(e, errno, "open %s", path);
    return fd;
}

int cgroup_counter_openat(enum cgroup_mode m, int dirfd, const char *name, enum cgroup_counter k)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", name, is_v2(m) ? counter_files[k].v2 : counter_files[k].v1);
    return openat(dirfd, path, O_RDONLY | O_CLOEXEC);
}

int cgroup_counter_open(enum cgroup_mode m, const char *rel, enum cgroup_counter k)
{
    char path[4096];
    file_path(m, rel, counter_files[k].controller, counter_files[k].v1, counter_files[k].v2, path, sizeof(path));
    return open_ro(path);
}

void cgroup_counters_close(struct cgroup_fds *f)
{
    if (f->mem >= 0)
        close(f->mem);
    if (f->cpu >= 0)
        close(f->cpu);
    if (f->pids >= 0)
        close(f->pids);
    f->mem = f->cpu = f->pids = -1;
}
