/*
 * limits_linux.c - host limits and their use from /proc (see limits.h).
 * Every file is read under a root that tests point at a fixture tree.
 */
#include "../limits.h"
#include "../plat.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/resource.h>
#include <unistd.h>

/* The first integer of root/rel, or -1. */
static int64_t read_int(const char *root, const char *rel)
{
    char path[1024], buf[128];
    FILE *f;
    long long v;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(buf, sizeof(buf), f) == NULL || sscanf(buf, "%lld", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}

/* Lines of a file (mountinfo), or -1. */
static int64_t count_lines(const char *root, const char *rel)
{
    char path[1024], buf[4096];
    FILE *f;
    int64_t n = 0;
    size_t got;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        size_t i;
        for (i = 0; i < got; i++)
            n += buf[i] == '\n';
    }
    fclose(f);
    return n;
}

int64_t host_pcp_free_bytes(const char *proc_root)
{
    char path[1024], line[256];
    FILE *f;
    int64_t pages = 0;
    int seen = 0;
    snprintf(path, sizeof(path), "%s/zoneinfo", proc_root ? proc_root : "/proc");
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        long long v;
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "count:", 6) == 0 && sscanf(p + 6, "%lld", &v) == 1 && v >= 0) {
            pages += v;
            seen = 1;
        }
    }
    fclose(f);
    return seen ? pages * plat_page_bytes() : -1;
}

/* Entries of a directory; numeric_only counts process directories. */
static int64_t count_entries(const char *root, const char *rel, int numeric_only)
{
    char path[1024];
    DIR *d;
    struct dirent *de;
    int64_t n = 0;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    d = opendir(path);
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (numeric_only && !isdigit((unsigned char)de->d_name[0]))
            continue;
        n++;
    }
    closedir(d);
    return n;
}

int64_t harness_counter_fds(const char *proc_root)
{
    const char *root = proc_root != NULL ? proc_root : "/proc";
    char dir[1024], path[1300], target[256];
    DIR *d;
    struct dirent *de;
    int64_t n = 0;
    snprintf(dir, sizeof(dir), "%s/self/fd", root);
    d = opendir(dir);
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        ssize_t len;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        len = readlink(path, target, sizeof(target) - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        if (strncmp(target, "/sys/fs/cgroup/", 15) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static int read_meminfo(const char *root, struct host_snapshot *s, struct err *e)
{
    char path[1024], line[256];
    FILE *f;
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        { "MemTotal:", offsetof(struct host_snapshot, mem_total_bytes) },
        { "MemAvailable:", offsetof(struct host_snapshot, mem_available_bytes) },
        { "Slab:", offsetof(struct host_snapshot, slab_bytes) },
        { "KernelStack:", offsetof(struct host_snapshot, kernelstack_bytes) },
        { "PageTables:", offsetof(struct host_snapshot, pagetables_bytes) },
        { "Percpu:", offsetof(struct host_snapshot, percpu_bytes) },
    };
    snprintf(path, sizeof(path), "%s/meminfo", root);
    f = fopen(path, "r");
    if (f == NULL)
        return err_sys(e, errno, "open %s", path);
    while (fgets(line, sizeof(line), f)) {
        size_t i;
        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            size_t klen = strlen(keys[i].key);
            if (strncmp(line, keys[i].key, klen) == 0) {
                *(int64_t *)((char *)s + keys[i].off) = strtoll(line + klen, NULL, 10) * 1024;
                break;
            }
        }
    }
    fclose(f);
    return 0;
}

int host_snapshot_read(const char *proc_root, struct host_snapshot *s, struct err *e)
{
    const char *root = proc_root != NULL ? proc_root : "/proc";
    char rel[128], path[1024], buf[256];
    struct rlimit rl;
    FILE *f;
    int i;

    memset(s, 0xff, sizeof(*s)); /* every int64_t -1 */
    s->t_ns = plat_now_ns();
    if (read_meminfo(root, s, e) < 0)
        return -1;
    s->pid_max = read_int(root, "sys/kernel/pid_max");
    s->threads_max = read_int(root, "sys/kernel/threads-max");
    s->file_max = read_int(root, "sys/fs/file-max");
    s->file_nr = read_int(root, "sys/fs/file-nr");
    s->mount_max = read_int(root, "sys/fs/mount-max");
    for (i = 0; i < NSK_COUNT; i++) {
        snprintf(rel, sizeof(rel), "sys/user/max_%s_namespaces", ns_kind_names[i]);
        s->user_max_ns[i] = read_int(root, rel);
    }
    /* loadavg's 4th field "running/total": total = every task (thread) in the system */
    snprintf(path, sizeof(path), "%s/loadavg", root);
    f = fopen(path, "r");
    if (f != NULL) {
        double a, b, c;
        long long run, total;
        if (fgets(buf, sizeof(buf), f) != NULL && sscanf(buf, "%lf %lf %lf %lld/%lld", &a, &b, &c, &run, &total) == 5)
            s->tasks_in_use = total;
        fclose(f);
    }
    s->procs_in_use = count_entries(root, ".", 1);
    s->mounts = count_lines(root, "self/mountinfo");
    s->fds_open = count_entries(root, "self/fd", 0);
    if (proc_root == NULL && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        s->nofile_soft = rl.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)rl.rlim_cur;
        s->nofile_hard = rl.rlim_max == RLIM_INFINITY ? -1 : (int64_t)rl.rlim_max;
    } else {
        /* a fixture: the "Max open files" line of self/limits */
        snprintf(path, sizeof(path), "%s/self/limits", root);
        f = fopen(path, "r");
        while (f != NULL && fgets(buf, sizeof(buf), f) != NULL) {
            long long soft, hard;
            if (sscanf(buf, "Max open files %lld %lld", &soft, &hard) == 2) {
                s->nofile_soft = soft;
                s->nofile_hard = hard;
            }
        }
        if (f != NULL)
            fclose(f);
    }
    return 0;
}
