/*
 * bench_sampler.c - what sampling costs isobench, per counter set.
 *
 * Launches N idle ns containers (default 250; more only inside a budget
 * cgroup, see README "Benchmarks of the harness itself"), then samples all
 * of them the way the runner's sweeps do (driver sample() with one counter
 * set, rows formatted into a batch and written once per sweep, here to
 * /dev/null) for a few seconds per set, and prints the sampling thread's
 * CPU time as % of one core for 1,000 containers sampled at 10 Hz:
 *   cost% = cpu_ns per container sample x 10,000 samples/s / 1e9 x 100.
 * Sets: cheap (cgroup memory, CPU, pids through descriptors kept open),
 * pss (smaps_rollup of every process), storage (upper directory walk), and
 * the old way for comparison: every set on every tick.
 *
 * usage: bench_sampler [N] [SECONDS_PER_SET] [BUDGET]      (root)
 *   BUDGET  --budget syntax (e.g. memory=2G,pids=1500): the containers live in
 *           that parent cgroup; needed above ~300, with /tmp/isobench-heavy.lock
 */
#define _GNU_SOURCE
#include "budget.h"
#include "driver.h"
#include "image.h"
#include "plat.h"
#include "sampler.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct driver driver_ns;

static const struct {
    const char *name;
    size_t off;
} fields[] = {
    { "mem_cgroup_bytes", offsetof(struct counters, mem_cgroup_bytes) },
    { "mem_pss_bytes", offsetof(struct counters, mem_pss_bytes) },
    { "mem_rss_bytes", offsetof(struct counters, mem_rss_bytes) },
    { "cpu_ns", offsetof(struct counters, cpu_ns) },
    { "storage_bytes", offsetof(struct counters, storage_bytes) },
    { "pids", offsetof(struct counters, pids) },
};

/* One sweep over the fleet: as the runner's sweep_run. */
static int sweep(struct ctr *c, int n, unsigned sets, struct sample_batch *b, FILE *out, int64_t t0)
{
    int i, ok = 0;
    size_t k;
    for (i = 0; i < n; i++) {
        struct counters k2;
        struct err e;
        c[i].sample_sets = sets;
        if (driver_ns.sample(&c[i], &k2, &e) < 0)
            continue;
        ok++;
        sample_batch_time(b, plat_now_ns() - t0);
        for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            int64_t v = *(const int64_t *)((const char *)&k2 + fields[k].off);
            if (v >= 0)
                sample_batch_add(b, "container", "ns", c[i].name, fields[k].name, v);
        }
    }
    fwrite(b->buf, 1, b->len, out);
    b->len = 0;
    return ok;
}

int main(int argc, char **argv)
{
    static const char *const wl[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };
    static const struct {
        const char *name;
        unsigned sets;
    } sets[] = { { "cheap (cgroup memory, cpu, pids)", CSET_CHEAP },
                 { "pss (PSS + RSS, smaps_rollup)", CSET_PSS },
                 { "storage (upper dir walk)", CSET_STORAGE },
                 { "all sets every tick (before)", CSET_ALL } };
    int n = argc > 1 ? atoi(argv[1]) : 250;
    double secs = argc > 2 ? atof(argv[2]) : 3.0;
    struct scenario s;
    struct mode *m;
    struct ctr *c;
    struct err e;
    struct sample_batch b;
    char run_id[32], line[256];
    FILE *devnull = fopen("/dev/null", "w");
    int i, up = 0, removed;
    size_t k;
    int64_t t0 = plat_now_ns();
    struct budget bud;
    struct scn_budget sb;

    if (n < 1 || n > 20000 || devnull == NULL) {
        fprintf(stderr, "usage: bench_sampler [N (1..20000)] [SECONDS_PER_SET]\n");
        return 2;
    }
    memset(&s, 0, sizeof(s));
    memset(&b, 0, sizeof(b));
    s.ready_timeout_ms = 10000;
    s.ramp[0] = n; /* the fleet, as a scenario gives it: the driver shares its descriptors out by it */
    s.nramp = 1;
    s.nmodes = 1;
    m = &s.modes[0];
    snprintf(m->name, sizeof(m->name), "ns");
    snprintf(m->driver_name, sizeof(m->driver_name), "ns");
    m->drv = &driver_ns;
    err_clear(&e);
    if (driver_ns.probe(m, &e) < 0 || driver_ns.mode_init(m, &s, &e) < 0) {
        fprintf(stderr, "bench_sampler: %s\n", e.msg);
        return 1;
    }
    plat_raise_nofile((long)n * 5 + 1024);
    memset(&bud, 0, sizeof(bud));
    snprintf(run_id, sizeof(run_id), "bsmp%d", (int)getpid());
    if (argc > 3 && (scenario_parse_budget(argv[3], &sb, &e) < 0 || budget_create(&bud, &sb, run_id, &e) < 0)) {
        fprintf(stderr, "bench_sampler: budget: %s\n", e.msg);
        return 1;
    }
    c = calloc((size_t)n, sizeof(*c));
    if (c == NULL)
        return 1;
    for (i = 0; i < n; i++) {
        int64_t t;
        c[i].mode = m;
        c[i].scn = &s;
        c[i].run_id = run_id;
        c[i].index = i;
        c[i].argv = wl;
        c[i].cgroup_parent = bud.set ? bud.cgroup : NULL;
        snprintf(c[i].name, sizeof(c[i].name), "%s-ns-%d", run_id, i);
        if (driver_ns.create(&c[i], &e) < 0 || driver_ns.start(&c[i], &e) < 0 ||
            driver_ns.wait_output(&c[i], MARKER_READY, 10000, line, sizeof(line), &t, &e) < 0) {
            fprintf(stderr, "bench_sampler: container %d: %s\n", i, e.msg);
            driver_ns.destroy(&c[i], &e);
            break;
        }
        up++;
    }
    printf("sampling %d idle ns containers, %.1f s per counter set (CPU of the sampling thread)\n", up, secs);
    printf("  %-36s %12s %14s %20s\n", "counter set", "sweeps", "us/ctr sample", "% core /1000 @10Hz");
    for (k = 0; k < sizeof(sets) / sizeof(sets[0]) && up > 0; k++) {
        int64_t end, cpu0, cpu;
        long sweeps = 0, samples = 0;
        sweep(c, up, sets[k].sets, &b, devnull, t0); /* opens descriptors, warms caches */
        end = plat_now_ns() + (int64_t)(secs * 1e9);
        cpu0 = plat_thread_cpu_ns();
        while (plat_now_ns() < end) {
            samples += sweep(c, up, sets[k].sets, &b, devnull, t0);
            sweeps++;
        }
        cpu = plat_thread_cpu_ns() - cpu0;
        if (samples > 0)
            printf("  %-36s %12ld %14.2f %19.2f%%\n", sets[k].name, sweeps, (double)cpu / samples / 1e3,
                   (double)cpu / samples * 10000.0 / 1e9 * 100.0);
    }
    for (i = 0; i < up; i++)
        driver_ns.destroy(&c[i], &e);
    driver_ns.cleanup(run_id, &removed, &e);
    driver_ns.mode_fini(m);
    if (bud.set)
        budget_remove(&bud, &e);
    sample_batch_free(&b);
    free(c);
    return 0;
}
