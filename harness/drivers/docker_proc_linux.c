/*
 * docker_proc_linux.c - host processes that exist because of a Docker
 * container, for its PSS and RSS.
 *
 * With containerd's runc v2 shim every container has its own
 * containerd-shim-runc-v2 process whose command line carries the container
 * id ("-id <id>"); the container's processes hang below it (runc: the
 * workload itself; runsc: the gVisor sandbox and gofer and their children).
 * Summing the shim's tree therefore counts what the container costs the
 * host, runtime included. The shim's pid is cached by the caller; it is
 * re-checked on every call so a recycled pid is never summed.
 */
#define _GNU_SOURCE
#include "docker.h"
#include "../counters/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Read /proc/<pid>/cmdline with NULs turned into spaces. */
static int read_cmdline(long pid, char *buf, size_t n)
{
    char path[64];
    ssize_t len, i;
    int fd;

    snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    len = read(fd, buf, n - 1);
    close(fd);
    if (len <= 0)
        return -1;
    for (i = 0; i < len; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[len] = '\0';
    return 0;
}

static int is_shim_of(long pid, const char *id)
{
    char cmd[8192];
    return read_cmdline(pid, cmd, sizeof(cmd)) == 0 && strstr(cmd, "containerd-shim") != NULL &&
           strstr(cmd, id) != NULL;
}

int dk_host_mem(const char *id, long *cache, int64_t *pss, int64_t *rss, int *nprocs,
                struct err *e)
{
    struct proc_mem acc = { 0 };

    if (*cache <= 0 || !is_shim_of(*cache, id)) {
        pid_t pids[64];
        int n = 64, i;
        *cache = 0;
        if (proc_find_cmdline(id, pids, &n, e) < 0)
            return -1;
        for (i = 0; i < n; i++)
            if (is_shim_of(pids[i], id)) {
                *cache = pids[i];
                break;
            }
        if (*cache == 0)
            return err_set(e, ESRCH, "no containerd shim for container %.12s on this host", id);
    }
    if (proc_tree_mem((pid_t)*cache, &acc, e) < 0)
        return -1;
    *pss = acc.pss_bytes;
    *rss = acc.rss_bytes;
    *nprocs = acc.nprocs;
    return 0;
}
