/*
 * payload_win.c - isobench-payload.exe, the workload inside Windows
 * containers (and the bare-process CPU baseline on a Windows host).
 *
 * The same three jobs as payload.c, with the same busy work so that work_ns
 * is comparable across platforms:
 *   idle            print the READY marker, then stay up until terminated
 *   exit            print the READY marker and exit 0 (pure start cost)
 *   cpu ITERATIONS  print READY, run the xorshift64* loop timed with
 *                   QueryPerformanceCounter and GetProcessTimes, print
 *                   "ISOBENCH_RESULT work_ns=N cpu_ns=M check=X", stay up
 * Only kernel32 is used (no C runtime I/O), so the program starts in the
 * smallest base images.
 */
#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roles.h"

static void say(const char *line)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD len = (DWORD)strlen(line), off = 0, w;
    while (off < len) {
        if (!WriteFile(out, line + off, len - off, &w, NULL) || w == 0)
            return;
        off += w;
    }
}

static int64_t mono_ns(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (int64_t)(c.QuadPart / f.QuadPart) * 1000000000LL + (int64_t)(c.QuadPart % f.QuadPart) * 1000000000LL / f.QuadPart;
}

static int64_t cpu_ns(void)
{
    FILETIME cr, ex, k, u;
    if (!GetProcessTimes(GetCurrentProcess(), &cr, &ex, &k, &u))
        return 0;
    return ((((int64_t)k.dwHighDateTime << 32) | k.dwLowDateTime) +
            (((int64_t)u.dwHighDateTime << 32) | u.dwLowDateTime)) * 100;
}

static void stay_up(void)
{
    for (;;)
        Sleep(INFINITE);
}

static const struct payload_os os = { say, stay_up, mono_ns, cpu_ns, "\r\n" };

int main(int argc, char **argv)
{
    return payload_run_role(argc, argv, &os);
}
