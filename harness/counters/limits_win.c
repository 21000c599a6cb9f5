/*
 * limits_win.c - host limits on Windows (see limits.h): physical memory and
 * the commit limit and charge. Windows density is capped by committed
 * memory, not RAM (a Hyper-V container commits its whole utility VM), so
 * the commit limit is the limit that binds there; the rest is unknown.
 */
#include "../limits.h"
#include "../plat.h"

#include <windows.h>

#include <errno.h>
#include <string.h>

int host_snapshot_read(const char *proc_root, struct host_snapshot *s, struct err *e)
{
    MEMORYSTATUSEX ms;
    (void)proc_root;
    memset(s, 0xff, sizeof(*s));
    s->t_ns = plat_now_ns();
    ms.dwLength = sizeof(ms);
    if (!GlobalMemoryStatusEx(&ms))
        return err_set(e, EIO, "GlobalMemoryStatusEx failed (error %lu)", (unsigned long)GetLastError());
    s->mem_total_bytes = (int64_t)ms.ullTotalPhys;
    s->mem_available_bytes = (int64_t)ms.ullAvailPhys;
    /* ullTotalPageFile is the commit limit (RAM + page files), ullAvailPageFile what is left of it. */
    s->commit_limit_bytes = (int64_t)ms.ullTotalPageFile;
    s->committed_bytes = (int64_t)(ms.ullTotalPageFile - ms.ullAvailPageFile);
    return 0;
}

int64_t host_pcp_free_bytes(const char *proc_root)
{
    (void)proc_root;
    return -1; /* ullAvailPhys already counts every free page */
}

int64_t harness_counter_fds(const char *proc_root)
{
    (void)proc_root;
    return -1; /* no counter descriptors kept open on Windows */
}
