/*
 * test_sampler.c - the sampler's cadences per counter set, its row
 * formatting, and the counters read through descriptors kept open
 * (cgroup_counters_open/read) on the v1 and v2 fixture trees.
 */
#define _GNU_SOURCE
#include "cgroup.h"
#include "driver.h"
#include "sampler.h"
#include "support.h"

#include <csv.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000LL

/* ---- cadences ---- */

Test(sampler_sched, cheap_every_period_pss_on_its_own_cadence)
{
    struct sample_sched s;
    int64_t t;
    int cheap = 0, pss = 0;
    sample_sched_start(&s, 100, 1000, 0);
    cr_assert_eq(sample_sched_next(&s), 100 * MS);
    cr_assert_eq(sample_sched_due(&s, 50 * MS), 0u, "nothing is due before the first period");
    /* Wake exactly at every deadline for 3 s. */
    for (t = 100 * MS; t <= 3000 * MS; t = sample_sched_next(&s)) {
        unsigned sets = sample_sched_due(&s, t);
        cr_assert(sets & CSET_CHEAP, "cheap set due at %lld ms", (long long)(t / MS));
        cheap++;
        if (sets & CSET_PSS) {
            cr_assert(sets & CSET_STORAGE, "storage goes with PSS");
            cr_assert_eq(t % (1000 * MS), 0, "PSS only on its 1 s cadence, not at %lld ms", (long long)(t / MS));
            pss++;
        }
    }
    cr_assert_eq(cheap, 30);
    cr_assert_eq(pss, 3);
    cr_assert_eq(s.missed, 0);
}

Test(sampler_sched, pss_interval_zero_means_start_and_end_only)
{
    struct sample_sched s;
    int64_t t;
    sample_sched_start(&s, 250, 0, 5 * MS);
    for (t = 255 * MS; t < 60000 * MS; t = sample_sched_next(&s))
        cr_assert_eq(sample_sched_due(&s, t) & (CSET_PSS | CSET_STORAGE), 0u);
}

Test(sampler_sched, an_overrun_skips_ticks_and_counts_them)
{
    struct sample_sched s;
    sample_sched_start(&s, 100, 1000, 0);
    cr_assert_eq(sample_sched_due(&s, 100 * MS), (unsigned)CSET_CHEAP);
    /* The next sweep wakes at 350 ms: one tick taken, the one at 200 or 300 missed. */
    cr_assert_eq(sample_sched_due(&s, 350 * MS), (unsigned)CSET_CHEAP);
    cr_assert_eq(s.missed, 1);
    cr_assert_eq(sample_sched_next(&s), 400 * MS, "the cadence stays on its grid");
    /* A 2.5 s stall: PSS once, the missed ticks counted. */
    cr_assert_eq(sample_sched_due(&s, 2900 * MS), (unsigned)CSET_ALL);
    cr_assert_eq(sample_sched_next(&s), 3000 * MS);
    cr_assert_eq(s.missed, 1 + 25 + 1, "cheap ticks 400..2900 less the one taken; PSS at 1000 or 2000");
}

/* ---- row formatting ---- */

Test(sampler_fmt, integers_and_milliseconds)
{
    char b[32];
    b[sample_fmt_i64(b, 0)] = '\0';
    cr_assert_str_eq(b, "0");
    b[sample_fmt_i64(b, -42)] = '\0';
    cr_assert_str_eq(b, "-42");
    b[sample_fmt_i64(b, INT64_MAX)] = '\0';
    cr_assert_str_eq(b, "9223372036854775807");
    b[sample_fmt_i64(b, INT64_MIN)] = '\0';
    cr_assert_str_eq(b, "-9223372036854775808");
    b[sample_fmt_ms1(b, 0)] = '\0';
    cr_assert_str_eq(b, "0.0");
    b[sample_fmt_ms1(b, 49999)] = '\0';
    cr_assert_str_eq(b, "0.0");
    b[sample_fmt_ms1(b, 50000)] = '\0';
    cr_assert_str_eq(b, "0.1");
    b[sample_fmt_ms1(b, 1234567890)] = '\0';
    cr_assert_str_eq(b, "1234.6");
    b[sample_fmt_ms1(b, -1500000)] = '\0';
    cr_assert_str_eq(b, "-1.5");
}

struct fields {
    char f[8][64];
    int n, rows;
};

static void on_field(void *s, size_t len, void *data)
{
    struct fields *fl = data;
    if (fl->n < 8)
        snprintf(fl->f[fl->n++], sizeof(fl->f[0]), "%.*s", (int)len, (const char *)s);
}

static void on_row(int c, void *data)
{
    (void)c;
    ((struct fields *)data)->rows++;
}

Test(sampler_fmt, batch_rows_are_csv_that_libcsv_reads_back)
{
    struct sample_batch b;
    struct csv_parser p;
    struct fields fl;
    memset(&b, 0, sizeof(b));
    memset(&fl, 0, sizeof(fl));
    sample_batch_time(&b, 1500 * MS + 40000);
    sample_batch_add(&b, "container", "my,mode", "say \"hi\"", "mem_cgroup_bytes", 1531904);
    cr_assert_eq(b.rows, 1);
    cr_assert_eq(strncmp(b.buf, "1500.0,container,\"my,mode\",\"say \"\"hi\"\"\",mem_cgroup_bytes,1531904\n", b.len), 0,
                 "%.*s", (int)b.len, b.buf);
    cr_assert_eq(csv_init(&p, CSV_APPEND_NULL), 0);
    cr_assert_eq(csv_parse(&p, b.buf, b.len, on_field, on_row, &fl), b.len);
    csv_fini(&p, on_field, on_row, &fl);
    csv_free(&p);
    cr_assert_eq(fl.rows, 1);
    cr_assert_eq(fl.n, 6);
    cr_assert_str_eq(fl.f[2], "my,mode");
    cr_assert_str_eq(fl.f[3], "say \"hi\"");
    cr_assert_str_eq(fl.f[5], "1531904");
    sample_batch_free(&b);
}

Test(sampler_fmt, a_batch_grows_past_its_first_buffer)
{
    struct sample_batch b;
    int i;
    memset(&b, 0, sizeof(b));
    sample_batch_time(&b, 0);
    for (i = 0; i < 5000; i++)
        sample_batch_add(&b, "container", "ns", "ib00000000-ns-r0-1234", "cpu_ns", i);
    cr_assert_eq(b.rows, 5000);
    cr_assert_eq(b.oom, 0);
    cr_assert(b.len > 16384);
    cr_assert_eq(memcmp(b.buf + b.len - 6, ",4999\n", 6), 0);
    sample_batch_free(&b);
}

/* ---- counters through descriptors kept open ---- */

static void fixture_root(const char *rel)
{
    char path[4096];
    setenv("ISOBENCH_CGROUP_ROOT", src_path(path, sizeof(path), rel), 1);
}

Test(sampler_counters, v1_fixture_through_open_descriptors)
{
    struct cgroup_fds f;
    struct cgroup_stats st;
    struct err e;
    fixture_root("tests/fixtures/cgroup-v1");
    cr_assert_eq(cgroup_counters_open(CGROUP_V1, "", &f, &e), 0, "%s", e.msg);
    cr_assert_eq(cgroup_counters_read(CGROUP_V1, &f, &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1531904);
    cr_assert_eq(st.cpu_ns, 4541012808LL);
    cr_assert_eq(st.pids, 1);
    /* Read again through the same descriptors: the same values. */
    cr_assert_eq(cgroup_counters_read(CGROUP_V1, &f, &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1531904);
    cgroup_counters_close(&f);
    cr_assert_eq(f.mem, -1);
}

Test(sampler_counters, v2_fixture_cpu_from_usage_usec)
{
    struct cgroup_fds f;
    struct cgroup_stats st;
    struct err e;
    fixture_root("tests/fixtures/cgroup-v2");
    cr_assert_eq(cgroup_counters_open(CGROUP_V2, "", &f, &e), 0, "%s", e.msg);
    cr_assert_eq(cgroup_counters_read(CGROUP_V2, &f, &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1531904);
    cr_assert_eq(st.cpu_ns, 4541012000LL, "usage_usec x 1000");
    cr_assert_eq(st.pids, 1);
    cgroup_counters_close(&f);
}

Test(sampler_counters, a_reread_sees_the_new_value_and_missing_files_are_unknown)
{
    char dir[] = "/tmp/isobench-sampler-XXXXXX", path[4200];
    struct cgroup_fds f;
    struct cgroup_stats st;
    struct err e;
    FILE *w;
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/memory.current", dir);
    w = fopen(path, "w");
    fputs("4096\n", w);
    fclose(w);
    setenv("ISOBENCH_CGROUP_ROOT", dir, 1);
    cr_assert_eq(cgroup_counters_open(CGROUP_V2, "", &f, &e), 0, "%s", e.msg);
    cr_assert_eq(f.cpu, -1, "no cpu.stat here");
    cr_assert_eq(cgroup_counters_read(CGROUP_V2, &f, &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 4096);
    cr_assert_eq(st.cpu_ns, -1);
    cr_assert_eq(st.pids, -1);
    w = fopen(path, "w");
    fputs("1048576\n", w);
    fclose(w);
    cr_assert_eq(cgroup_counters_read(CGROUP_V2, &f, &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1048576, "pread from 0 sees the file as it is now");
    cgroup_counters_close(&f);
    unlink(path);
    rmdir(dir);
    /* Nothing to open at all: an error naming the cgroup. */
    cr_assert_lt(cgroup_counters_open(CGROUP_V2, "nowhere", &f, &e), 0);
    cr_assert(strstr(e.msg, "nowhere") != NULL, "%s", e.msg);
}

/* Past half of RLIMIT_NOFILE the counter descriptors go back and the
   counters are read by path: that read must still work (it once did not,
   and every ns container launched past that point went unsampled, which is
   why a whole-host fill's PSS sum stopped growing at ~4,400 containers). */
Test(sampler_counters, past_half_of_the_open_file_limit_by_path)
{
    struct cgroup_fds f;
    struct cgroup_stats st;
    struct err e;
    struct rlimit rl;
    int fd = -1;
    fixture_root("tests/fixtures/cgroup-v1");
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = 64;
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    while ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < 40)
        ;
    cr_assert_geq(fd, 40);
    cr_assert_lt(cgroup_counters_open(CGROUP_V1, "", &f, &e), 0);
    cr_assert(strstr(e.msg, "RLIMIT_NOFILE") != NULL, "%s", e.msg);
    cr_assert_eq(cgroup_counters_read_path(CGROUP_V1, "", &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1531904);
    cr_assert_eq(st.cpu_ns, 4541012808LL);
    cr_assert_eq(st.pids, 1);
}
