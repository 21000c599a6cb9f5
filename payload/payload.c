/*
 * payload.c - the workload that runs inside every Linux container and VM.
 *
 * A tiny static program (no libc surprises inside a busybox image) with one
 * job per first argument:
 *   idle            print the READY marker, then stay up until killed
 *   exit            print the READY marker and exit 0 (pure start cost)
 *   cpu ITERATIONS  print READY, run a fixed amount of integer busy work timed
 *                   with CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID, print
 *                   "ISOBENCH_RESULT work_ns=N cpu_ns=M check=X", stay up
 * The same binary run on the host gives the bare-process CPU baseline, so
 * container and host do exactly the same work.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "busy_work.h"

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void say(const char *line)
{
    size_t len = strlen(line), off = 0;
    while (off < len) {
        ssize_t r = write(1, line + off, len - off);
        if (r <= 0)
            return;
        off += (size_t)r;
    }
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

static void stay_up(void)
{
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    for (;;)
        pause();
}

static int usage(void)
{
    say("usage: isobench-payload idle | exit | cpu ITERATIONS\n");
    return 2;
}

int main(int argc, char **argv)
{
    char line[256];

    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "idle") == 0) {
        say("ISOBENCH_READY\n");
        stay_up();
    } else if (strcmp(argv[1], "exit") == 0) {
        say("ISOBENCH_READY\n");
        return 0;
    } else if (strcmp(argv[1], "cpu") == 0 && argc >= 3) {
        int64_t iterations = strtoll(argv[2], NULL, 10);
        int64_t t0, c0, t1, c1;
        uint64_t check;
        if (iterations <= 0)
            return usage();
        say("ISOBENCH_READY\n");
        t0 = clock_ns(CLOCK_MONOTONIC);
        c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        check = busy_work(iterations);
        c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        t1 = clock_ns(CLOCK_MONOTONIC);
        snprintf(line, sizeof(line), "ISOBENCH_RESULT work_ns=%lld cpu_ns=%lld check=%llx\n",
                 (long long)(t1 - t0), (long long)(c1 - c0), (unsigned long long)check);
        say(line);
        stay_up();
    }
    return usage();
}
