/*
 * busy_work.h - the fixed amount of CPU work of the `cpu` workload, shared by
 * payload.c (Linux) and payload_win.c (Windows) so work_ns measures the same
 * loop on every platform.
 */
#ifndef ISOBENCH_BUSY_WORK_H
#define ISOBENCH_BUSY_WORK_H

#include <stdint.h>

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

#endif
