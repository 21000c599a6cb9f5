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

#include "busy_work.h"

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

static int usage(void)
{
    say("usage: isobench-payload idle | exit | cpu ITERATIONS\r\n");
    return 2;
}

int main(int argc, char **argv)
{
    char line[256];

    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "idle") == 0) {
        say("ISOBENCH_READY\r\n");
        stay_up();
    } else if (strcmp(argv[1], "exit") == 0) {
        say("ISOBENCH_READY\r\n");
        return 0;
    } else if (strcmp(argv[1], "cpu") == 0 && argc >= 3) {
        int64_t iterations = strtoll(argv[2], NULL, 10);
        int64_t t0, c0, t1, c1;
        uint64_t check;
        if (iterations <= 0)
            return usage();
        say("ISOBENCH_READY\r\n");
        t0 = mono_ns();
        c0 = cpu_ns();
        check = busy_work(iterations);
        c1 = cpu_ns();
        t1 = mono_ns();
        snprintf(line, sizeof(line), "ISOBENCH_RESULT work_ns=%lld cpu_ns=%lld check=%llx\r\n", (long long)(t1 - t0),
                 (long long)(c1 - c0), (unsigned long long)check);
        say(line);
        stay_up();
    }
    return usage();
}
