/*
 * sampler.h - when each counter set is due, and writing samples cheaply.
 *
 * During a hold the runner samples every container. The counter sets of
 * driver.h cost very different amounts: the cheap set (cgroup memory, CPU,
 * pids) is a few preads of descriptors kept open, PSS walks every page
 * table of every process. So each set has its own cadence: the cheap set
 * every sample_interval_ms, PSS/RSS and storage every pss_interval_ms (0:
 * never in between), and every set at the start and the end of each hold.
 *
 * Samples are formatted by hand into a batch buffer (no stdio per row) and
 * written with one fwrite per sweep, under the results lock once.
 */
#ifndef ISOBENCH_SAMPLER_H
#define ISOBENCH_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

/* ---- cadences ---- */

struct sample_sched {
    int64_t cheap_ns, pss_ns;   /* periods; pss_ns 0 = only at start and end */
    int64_t next_cheap, next_pss;
    int64_t missed;             /* ticks skipped because a sweep overran its period */
};

/* A hold starts at `now` (the runner samples every set then). */
void sample_sched_start(struct sample_sched *s, int cheap_ms, int pss_ms, int64_t now);
/* The sets (enum counter_set bits) due at `now`; their next deadlines move
   on by whole periods, skipping ticks already past (counted in missed). */
unsigned sample_sched_due(struct sample_sched *s, int64_t now);
/* The earliest next deadline. */
int64_t sample_sched_next(const struct sample_sched *s);

/* ---- batched rows of samples.csv ---- */

struct sample_batch {
    char *buf;
    size_t len, cap;
    char t[32];                 /* the current row time, formatted */
    size_t tlen;
    size_t rows;
    int oom;                    /* a row could not be added */
};

/* The time of the following rows, ns since the run started ("1234.5" ms). */
void sample_batch_time(struct sample_batch *b, int64_t t_rel_ns);
/* Append "t,scope,mode,container,counter,value\n" (text fields quoted as CSV
   when they need it). */
void sample_batch_add(struct sample_batch *b, const char *scope, const char *mode, const char *container,
                      const char *counter, int64_t value);
void sample_batch_free(struct sample_batch *b);

/* Formatters (pure, for tests): decimal integer; ns as ms with one decimal,
   rounded half up. Return the length written (no NUL). */
size_t sample_fmt_i64(char *out, int64_t v);
size_t sample_fmt_ms1(char *out, int64_t ns);

#endif
