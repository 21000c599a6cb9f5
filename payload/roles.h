/*
 * roles.h - the payload's workload roles (idle, exit, cpu ITERATIONS) and the
 * fixed amount of CPU work of the `cpu` role, shared by payload.c (Linux) and
 * payload_win.c (Windows) so that every platform prints the same markers and
 * times the same loop. Each platform supplies its clocks and I/O in a
 * struct payload_os.
 */
#ifndef ISOBENCH_PAYLOAD_ROLES_H
#define ISOBENCH_PAYLOAD_ROLES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: cheap, branch-free, cannot be optimised away because the
   result is printed. */
static uint64_t busy_work(int64_t iterations)
{
    uint64_t x = 88172645463325252ULL;
    int64_t i;
    for (i = 0; i < iterations; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x *= 2685821657736338717ULL;
    }
    return x;
}

struct payload_os {
    void (*say)(const char *text);  /* write to stdout, unbuffered */
    void (*stay_up)(void);          /* never returns until the process is killed */
    int64_t (*mono_ns)(void);       /* monotonic wall clock */
    int64_t (*cpu_ns)(void);        /* this process's CPU time */
    const char *eol;                /* "\n" or "\r\n" */
};

static int payload_usage(const struct payload_os *os)
{
    char line[128];
    snprintf(line, sizeof(line), "usage: isobench-payload idle | exit | cpu ITERATIONS%s", os->eol);
    os->say(line);
    return 2;
}

/* Run the role named by argv[1]; returns the exit status (idle and cpu never return). */
static int payload_run_role(int argc, char **argv, const struct payload_os *os)
{
    char line[256];

    if (argc < 2)
        return payload_usage(os);
    snprintf(line, sizeof(line), "ISOBENCH_READY%s", os->eol);
    if (strcmp(argv[1], "idle") == 0) {
        os->say(line);
        os->stay_up();
    } else if (strcmp(argv[1], "exit") == 0) {
        os->say(line);
        return 0;
    } else if (strcmp(argv[1], "cpu") == 0 && argc >= 3) {
        int64_t iterations = strtoll(argv[2], NULL, 10);
        int64_t t0, c0, t1, c1;
        uint64_t check;
        if (iterations <= 0)
            return payload_usage(os);
        os->say(line);
        t0 = os->mono_ns();
        c0 = os->cpu_ns();
        check = busy_work(iterations);
        c1 = os->cpu_ns();
        t1 = os->mono_ns();
        snprintf(line, sizeof(line), "ISOBENCH_RESULT work_ns=%lld cpu_ns=%lld check=%llx%s", (long long)(t1 - t0),
                 (long long)(c1 - c0), (unsigned long long)check, os->eol);
        os->say(line);
        os->stay_up();
    }
    return payload_usage(os);
}

#endif
