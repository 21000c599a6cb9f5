/*
 * test_capacity.c - the capacity model with known inputs, hosts.json
 * parsing, inputs derived from the fixture run, and `isobench capacity` and
 * `isobench hosts` end to end (exit codes, the scenario refusal).
 */
#define _POSIX_C_SOURCE 200809L
#include "capacity.h"
#include "commands.h"
#include "hosts.h"
#include "rundir.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (1024.0 * 1024)
#define GiB (1024.0 * MiB)

static struct cap_mode_input mode_in(double mem, double lo, double hi, double cpu, double sto)
{
    struct cap_mode_input in;
    memset(&in, 0, sizeof(in));
    snprintf(in.name, sizeof(in.name), "m");
    in.mem_bytes = mem;
    in.mem_bytes_ci_low = lo;
    in.mem_bytes_ci_high = hi;
    in.mem_fixed_bytes = 0;
    in.cpu_cores = cpu;
    in.cpu_source = "idle_cpu_pct";
    in.storage_bytes = sto;
    in.pids = in.cg_pids = in.fds = in.mounts = in.namespaces = in.commit_bytes = NAN;
    in.launch_tasks = NAN;
    return in;
}

static struct cap_host host(int cores, double mem, double disk, double speed)
{
    struct cap_host h;
    memset(&h, 0, sizeof(h));
    snprintf(h.name, sizeof(h.name), "h");
    h.cores = cores;
    h.mem_bytes = mem;
    h.disk_free_bytes = disk;
    h.cpu_speed = speed;
    for (int i = 0; i < RDL_COUNT; i++)
        h.limit[i] = NAN;
    return h;
}

Test(model, memory_binds_with_ci_counts)
{
    /* 64 GiB - 4 GiB reserve = 61440 MiB; 100 MiB [90, 110] per container */
    struct cap_mode_input in = mode_in(100 * MiB, 90 * MiB, 110 * MiB, 0.01, 10 * MiB);
    struct cap_host h = host(16, 64 * GiB, 512 * GiB, 1.0);
    struct cap_params p = { 4 * GiB, 0.8, 0, 1, 0, -1, -1 };
    struct cap_result r;
    struct err e;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_mem, 614, 1e-9);      /* floor(61440 / 100) */
    cr_assert_float_eq(r.by_mem_low, 558, 1e-9);  /* floor(61440 / 110) */
    cr_assert_float_eq(r.by_mem_high, 682, 1e-9); /* floor(61440 / 90) */
    cr_assert_float_eq(r.by_cpu, 1280, 1e-9);     /* 16 * 0.8 / 0.01 */
    cr_assert_float_eq(r.by_storage, 52428, 1e-9);/* 524288 MiB / 10 MiB */
    cr_assert(isinf(r.by_start));
    cr_assert_eq(r.binding, CAP_MEMORY);
    cr_assert_float_eq(r.expected, 614, 1e-9);
    cr_assert_float_eq(r.low, 558, 1e-9);
    cr_assert_float_eq(r.high, 682, 1e-9);
}

Test(model, cpu_binds_and_scales_with_cpu_speed)
{
    struct cap_mode_input in = mode_in(100 * MiB, 90 * MiB, 110 * MiB, 0.05, NAN);
    struct cap_host h = host(16, 64 * GiB, NAN, 1.0);
    struct cap_params p = { 4 * GiB, 0.8, 0, 1, 0, -1, -1 };
    struct cap_result r;
    struct err e;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_cpu, 256, 1e-9);      /* 16 * 0.8 / 0.05 */
    cr_assert_eq(r.binding, CAP_CPU);
    cr_assert_float_eq(r.expected, 256, 1e-9);
    cr_assert_float_eq(r.low, 256, 1e-9);
    cr_assert_float_eq(r.high, 256, 1e-9);
    cr_assert(isinf(r.by_storage));               /* disk unknown: no limit */
    h.cpu_speed = 2.0;                            /* twice as fast: half the CPU per container */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_cpu, 512, 1e-9);
    cr_assert_eq(r.binding, CAP_CPU);
    cr_assert_float_eq(r.low, 512, 1e-9);         /* min(558, 512) */
    h.cpu_speed = 4.0;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_eq(r.binding, CAP_MEMORY);
}

Test(model, storage_and_fixed_overhead)
{
    struct cap_mode_input in = mode_in(100 * MiB, NAN, NAN, 0, 2 * GiB);
    struct cap_host h = host(16, 64 * GiB, 100 * GiB, 1.0);
    struct cap_params p = { 4 * GiB, 0.8, 0, 1, 0, -1, -1 };
    struct cap_result r;
    struct err e;
    in.mem_fixed_bytes = 1440 * MiB;              /* 61440 - 1440 = 60000 MiB left */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_mem, 600, 1e-9);
    cr_assert_float_eq(r.by_mem_low, 600, 1e-9);  /* no CI: low = high = expected */
    cr_assert(isinf(r.by_cpu));                   /* zero CPU cost */
    cr_assert_float_eq(r.by_storage, 50, 1e-9);
    cr_assert_eq(r.binding, CAP_STORAGE);
    in.mem_fixed_bytes = -5 * GiB;                /* a negative intercept is not a credit */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_mem, 614, 1e-9);
}

Test(model, start_slo)
{
    struct cap_mode_input in = mode_in(1 * MiB, NAN, NAN, 0.001, NAN);
    struct cap_host h = host(64, 512 * GiB, NAN, 1.0);
    struct cap_params p = { 4 * GiB, 0.8, 500, 1, 0, -1, -1 };
    struct cap_result r;
    struct err e;
    in.start_fit = 1;
    in.start_a = 100;
    in.start_b = 10;                              /* 100 + 10 n <= 500 -> n = 40 */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_start, 40, 1e-9);
    cr_assert_eq(r.binding, CAP_START_SLO);
    in.start_a = 600;
    in.start_b = 0;                               /* flat and already above the SLO */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by_start, 0, 1e-9);
    p.start_slo_ms = 0;                           /* no SLO given: no limit */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert(isinf(r.by_start));
}

Test(model, nothing_measured_is_an_error)
{
    struct cap_mode_input in = mode_in(NAN, NAN, NAN, NAN, NAN);
    struct cap_host h = host(4, 8 * GiB, NAN, 1.0);
    struct cap_params p = { 1 * GiB, 0.8, 0, 1, 0, -1, -1 };
    struct cap_result r;
    struct err e;
    err_clear(&e);
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), -1);
    cr_assert(strstr(e.msg, "no resource") != NULL, "%s", e.msg);
}

Test(model, ols_known_line)
{
    double x[] = { 1, 2, 4 }, y[] = { 12, 14, 18 }, a, b;
    double x1[] = { 3, 3 };
    cr_assert_eq(cap_ols(x, y, 3, &a, &b), 0);
    cr_assert_float_eq(a, 10, 1e-9);
    cr_assert_float_eq(b, 2, 1e-9);
    cr_assert_eq(cap_ols(x1, y, 2, &a, &b), -1);
}

Test(hostsjson, parse_and_reject)
{
    struct cap_host *hs;
    int n;
    struct err e;
    const char *ok = "[{\"name\":\"Standard_D16\",\"cores\":16,\"memory\":\"64G\",\"disk\":\"512G\","
                     "\"cpu_speed\":1.0},{\"name\":\"small\",\"cores\":2,\"memory\":8589934592}]";
    cr_assert_eq(capacity_parse_hosts(ok, "h.json", &hs, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(hs[0].name, "Standard_D16");
    cr_assert_eq(hs[0].cores, 16);
    cr_assert_float_eq(hs[0].mem_bytes, 64 * GiB, 1);
    cr_assert_float_eq(hs[0].disk_free_bytes, 512 * GiB, 1);
    cr_assert_float_eq(hs[1].mem_bytes, 8 * GiB, 1);
    cr_assert(isnan(hs[1].disk_free_bytes));
    cr_assert_float_eq(hs[1].cpu_speed, 1.0, 1e-12);
    free(hs);
    cr_assert_eq(capacity_parse_hosts("[{\"name\":\"x\",\"cores\":2,\"memory\":\"lots\"}]", "h.json",
                                      &hs, &n, &e), -1);
    cr_assert(strstr(e.msg, "[0].memory") != NULL, "%s", e.msg);
    cr_assert_eq(capacity_parse_hosts("[{\"name\":\"x\",\"cores\":2,\"memory\":\"1G\",\"gpu\":1}]",
                                      "h.json", &hs, &n, &e), -1);
    cr_assert(strstr(e.msg, "gpu") != NULL, "%s", e.msg);
}

static void fixture(char *buf, size_t n, const char *name)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "tests/fixtures/%s", name);
    src_path(buf, n, rel);
}

Test(fromrun, inputs_from_fixture)
{
    struct rundir r;
    struct err e;
    struct cap_mode_input in;
    struct cap_host h;
    struct cap_params p;
    struct cap_result res;
    char dir[1024];
    size_t i;
    fixture(dir, sizeof(dir), "run-base");
    cr_assert_eq(rundir_load(dir, RD_CONTAINERS | RD_RAMP, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.nmodes, 3);
    cr_assert_str_eq(rundir_baseline(&r)->name, "ns");
    cr_assert(r.modes[2].tcg);
    cr_assert_eq(r.modes[2].csv_failed, 1);       /* the quoted, comma-bearing error row */
    cr_assert_eq(r.has_limits, 0);                /* an older run: no host.limits */
    cr_assert_eq(capacity_inputs_from_run(&r, &r.modes[1], &in, &e), 0);
    cr_assert(in.has_fit);                        /* 6 ramp points: every model scored */
    cr_assert(in.fit.scored);
    cr_assert_eq(in.mem_unresolved, 0);
    cr_assert_eq(in.mem_from_pss, 0);             /* PSS is never the cost */
    cr_assert(in.mem_bytes > 20 * MiB && in.mem_bytes < 30 * MiB, "%g", in.mem_bytes);
    cr_assert_float_eq(in.cpu_cores, r.modes[1].stat[RDM_IDLE_CPU].mean / 100, 1e-12);
    cr_assert(in.start_fit);
    cr_assert(in.start_b > 0);                    /* starts slow down as the fleet grows */
    cr_assert_float_eq(in.pids, 1, 1e-12);        /* not measured: the floor */
    cr_assert(strstr(in.pids_source, "floor") != NULL);
    /* pid_max unknown: Linux's PID_MAX_LIMIT still bounds the count */
    capacity_host_from_run(&r, &h);
    cr_assert_float_eq(h.limit[RDL_PID_MAX], 4194304, 1e-9);
    /* flat memory (noise only): not resolved, bounds from PSS + kernel, never a PSS "cost" */
    for (i = 0; i < r.modes[1].ramp_delta.n; i++)
        r.modes[1].ramp_delta.v[i] = 1e6 * (double)(i % 2);
    cr_assert_eq(capacity_inputs_from_run(&r, &r.modes[1], &in, &e), 0);
    cr_assert_eq(in.mem_unresolved, 1);
    cr_assert(strstr(in.mem_note, "no significant growth") != NULL, "%s", in.mem_note);
    cr_assert_float_eq(in.mem_floor_bytes, r.modes[1].stat[RDM_MEM_PSS].mean, 1);
    capacity_default_params(&p);
    cr_assert_eq(capacity_compute(&in, &h, &p, &res, &e), 0);
    cr_assert(isnan(res.by_mem));
    cr_assert_float_eq(res.by_mem_high, floor(capacity_mem_avail(&h, &p) / in.mem_floor_bytes), 1e-9);
    cr_assert(res.by_mem_low <= res.by_mem_high);
    cr_assert(res.expected <= res.by_mem_high);   /* the bound is the most the host can hold */
    in.cpu_cores = NAN;                           /* nothing else binds: memory's bound does */
    cr_assert_eq(capacity_compute(&in, &h, &p, &res, &e), 0);
    cr_assert_eq(res.binding, CAP_MEMORY);
    cr_assert_float_eq(res.expected, res.by_mem_high, 1e-9);
    rundir_free(&r);
}

/* ---- model choice on synthetic curves of known shape ---- */

/* Normal deviates from a fixed-seed xorshift + Box-Muller: the same curve
   every run. */
static double gauss(uint64_t *st)
{
    double u1, u2;
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    u1 = ((double)(*st >> 11) + 1) / 9007199254740993.0;
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    u2 = (double)(*st >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static double truth(int shape, double n)
{
    switch (shape) {
    case MF_LINEAR: return 3e6 + 400e3 * n;
    case MF_QUADRATIC: return 2e6 + 300e3 * n + 40e3 * n * n / 10;
    default: return 1e6 + 2e6 * pow(n, 0.6); /* concave: a cost that shrinks */
    }
}

/* Ramp of 1..64 (10 levels, 2 repetitions) with noise of `sd` bytes; the
   chosen model and the prediction at 10x the largest fleet. */
static void check_shape(int shape, double sd, uint64_t seed)
{
    static const double lv[] = { 1, 2, 4, 8, 12, 16, 24, 32, 48, 64 };
    double x[20], y[20], half, pred, n10 = 640;
    struct memfit f;
    uint64_t st = seed;
    int i;
    for (i = 0; i < 20; i++) {
        x[i] = lv[i % 10];
        y[i] = truth(shape, x[i]) + sd * gauss(&st);
    }
    cr_assert_eq(memfit_fit(x, y, 20, &f), 0);
    cr_assert_eq(f.chosen, shape, "shape %s: chose %s (AICc lin %.1f quad %.1f pow %.1f)",
                 memfit_model_name((enum memfit_model)shape),
                 f.chosen >= 0 ? memfit_model_name((enum memfit_model)f.chosen) : "none",
                 f.m[0].aicc, f.m[1].aicc, f.m[2].aicc);
    cr_assert(f.scored);
    pred = memfit_predict(&f, f.chosen, n10, &half);
    cr_assert(fabs(pred - truth(shape, n10)) <= half, "%s at %g: %g +- %g, truth %g",
              memfit_model_name((enum memfit_model)shape), n10, pred, half, truth(shape, n10));
}

Test(memfit, chooses_the_shape_that_made_the_data)
{
    check_shape(MF_LINEAR, 300e3, 11);
    check_shape(MF_QUADRATIC, 300e3, 12);
    check_shape(MF_POWER, 300e3, 13);
}

Test(memfit, solve_inverts_the_curve_and_brackets_it)
{
    double x[] = { 1, 2, 4, 8, 16, 32 }, y[6], ex, lo, hi;
    struct memfit f;
    uint64_t st = 5;
    int i;
    for (i = 0; i < 6; i++)
        y[i] = 1e6 + 1e6 * x[i] + 2e4 * gauss(&st);
    cr_assert_eq(memfit_fit(x, y, 6, &f), 0);
    cr_assert_eq(memfit_solve(&f, MF_LINEAR, 1001e6, 1e9, &ex, &lo, &hi), 0);
    cr_assert(fabs(ex - 1000) < 20, "%g", ex);
    cr_assert(lo <= ex && ex <= hi, "%g %g %g", lo, ex, hi);
    cr_assert(hi - lo < 100, "%g..%g", lo, hi);
    /* two points: a line without an interval, no model to choose */
    cr_assert_eq(memfit_fit(x, y, 2, &f), 0);
    cr_assert_eq(f.chosen, -1);
    /* one fleet size: nothing to fit */
    cr_assert_eq(memfit_fit(x, y, 1, &f), -1);
}

/* The memory limit the rule gives: the fewest containers among the
   candidate models within MEMFIT_AICC_SUPPORT of the smallest AICc, and
   whether a candidate outside that window would have predicted fewer. */
static double rule_limit(const struct memfit *f, double avail, int *outside_fewer)
{
    double ex, lo, hi, best = INFINITY, amin = INFINITY;
    int k;
    for (k = 0; k < MF_NMODELS; k++)
        if (f->m[k].candidate)
            amin = fmin(amin, f->m[k].aicc);
    *outside_fewer = 0;
    for (k = 0; k < MF_NMODELS; k++)
        if (f->m[k].candidate && memfit_solve(f, k, avail, 1e9, &ex, &lo, &hi) == 0 &&
            f->m[k].aicc <= amin + MEMFIT_AICC_SUPPORT)
            best = fmin(best, ex);
    for (k = 0; k < MF_NMODELS; k++)
        if (f->m[k].candidate && memfit_solve(f, k, avail, 1e9, &ex, &lo, &hi) == 0 &&
            f->m[k].aicc > amin + MEMFIT_AICC_SUPPORT && ex < best)
            *outside_fewer = 1;
    return best;
}

Test(memfit, models_the_ramp_cannot_rule_out_take_the_fewest_containers)
{
    /* ns on the shared test host, ramp 150..2400 (host memory above the
       baseline): the line has the smallest AICc, the power law is 1.0 above
       it and the quadratic 2.6. The whole-host fill of that host measured
       15,622 (memory): the quadratic predicts it within 2 %, the power law
       +49 %, the line +166 %. An evidence ratio of 8 keeps the quadratic. */
    double x[] = { 150, 300, 600, 900, 1200, 1600, 2000, 2400 };
    double y[] = { 21755472, 3897551, 144046254, 237775424, 373599847, 586503074, 741205120, 952766278 };
    struct cap_mode_input in = mode_in(NAN, NAN, NAN, NAN, NAN);
    struct cap_host h = host(2, 25276502016.0, NAN, 1.0);
    struct cap_params p = { 6 * GiB, 0.8, 0, 1, -1, -1, -1 };
    struct cap_result r;
    struct err e;
    int outside;
    cr_assert_eq(memfit_fit(x, y, 8, &in.fit), 0);
    in.has_fit = 1;
    cr_assert_eq(in.fit.chosen, MF_LINEAR);
    cr_assert(in.fit.m[MF_QUADRATIC].aicc - in.fit.m[MF_LINEAR].aicc > 2 &&
              in.fit.m[MF_QUADRATIC].aicc - in.fit.m[MF_LINEAR].aicc <= MEMFIT_AICC_SUPPORT,
              "quadratic dAICc %g", in.fit.m[MF_QUADRATIC].aicc - in.fit.m[MF_LINEAR].aicc);
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.mem_model, MF_QUADRATIC);
    cr_assert_float_eq(r.by_mem, rule_limit(&in.fit, capacity_mem_avail(&h, &p), &outside), 1e-9);
    cr_assert(fabs(r.by_mem - 15622) / 15622 < 0.15, "%g", r.by_mem);
    cr_assert(r.by_mem_low <= r.by_mem && r.by_mem <= r.by_mem_high);
}

Test(memfit, a_model_the_ramp_rules_out_is_not_used)
{
    /* straight lines with noise, 8 levels: the quadratic and the power law
       pay for their extra parameter; where one of them falls outside the
       evidence window and predicts fewer containers it must not be used,
       and the limit is always the fewest of the models inside it */
    double x[] = { 150, 300, 600, 900, 1200, 1600, 2000, 2400 }, y[8];
    struct cap_host h = host(2, 24 * GiB, NAN, 1.0);
    struct cap_params p = { 6 * GiB, 0.8, 0, 1, -1, -1, -1 };
    uint64_t seed;
    int excluded = 0, inside_other = 0;
    for (seed = 1; seed <= 60; seed++) {
        struct cap_mode_input in = mode_in(NAN, NAN, NAN, NAN, NAN);
        struct cap_result r;
        struct err e;
        uint64_t st = seed * 7919;
        int i, outside;
        double want;
        for (i = 0; i < 8; i++)
            y[i] = 5e6 + 1e6 * x[i] + 3e7 * gauss(&st);
        cr_assert_eq(memfit_fit(x, y, 8, &in.fit), 0);
        in.has_fit = 1;
        if (in.fit.chosen < 0 || !in.fit.scored)
            continue;
        cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0, "%s", e.msg);
        want = rule_limit(&in.fit, capacity_mem_avail(&h, &p), &outside);
        cr_assert_float_eq(r.by_mem, want, 1e-9, "seed %llu", (unsigned long long)seed);
        cr_assert(in.fit.m[r.mem_model].aicc <= in.fit.m[in.fit.chosen].aicc + MEMFIT_AICC_SUPPORT);
        excluded += outside;
        inside_other += r.mem_model != in.fit.chosen;
    }
    /* both sides of the window were exercised */
    cr_assert(excluded > 0, "no seed had a ruled-out model predicting fewer containers");
    cr_assert(inside_other > 0, "no seed took a model other than the smallest AICc");
}

Test(memfit, the_fleets_own_memory_is_a_floor)
{
    /* host memory above a baseline that drifts up with the run (what a
       torn-down fleet leaves behind raises the baseline measured after it):
       the fleet looks cheaper than its own kernel memory + PSS says. The
       floor curve (quadratic, cost growing with the fleet) allows fewer
       containers than the host-memory line: it is the limit. */
    double x[] = { 150, 300, 600, 900, 1200, 1600, 2000, 2400 }, yh[8], yf[8];
    struct cap_mode_input in = mode_in(NAN, NAN, NAN, NAN, NAN);
    struct cap_host h = host(2, 24 * GiB, NAN, 1.0);
    struct cap_params p = { 6 * GiB, 0.8, 0, 1, -1, -1, -1 };
    struct cap_result r;
    struct err e;
    double ex, lo, hi, want;
    uint64_t st = 77;
    int i;
    for (i = 0; i < 8; i++) {
        yf[i] = 900e3 * x[i] + 40 * x[i] * x[i] + 2e6 * gauss(&st);
        yh[i] = 0.8 * yf[i] + 5e6 * gauss(&st);
    }
    cr_assert_eq(memfit_fit(x, yh, 8, &in.fit), 0);
    cr_assert_eq(memfit_fit(x, yf, 8, &in.floor_fit), 0);
    in.has_fit = in.has_floor_fit = 1;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0, "%s", e.msg);
    cr_assert(r.floor_binds);
    cr_assert_eq(r.floor_model, MF_QUADRATIC);
    want = rule_limit(&in.floor_fit, capacity_mem_avail(&h, &p), &i);
    cr_assert_float_eq(r.by_mem, want, 1e-9);
    cr_assert_float_eq(r.by_floor, want, 1e-9);
    cr_assert(memfit_solve(&in.fit, r.mem_model, capacity_mem_avail(&h, &p), 1e9, &ex, &lo, &hi) == 0 && ex > want);
    cr_assert(r.by_mem_low <= r.by_mem && r.by_mem <= r.by_mem_high);
    cr_assert_eq(r.binding, CAP_MEMORY);
    /* a floor below the host curve changes nothing */
    for (i = 0; i < 8; i++)
        yf[i] *= 0.5;
    cr_assert_eq(memfit_fit(x, yf, 8, &in.floor_fit), 0);
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0, "%s", e.msg);
    cr_assert(!r.floor_binds);
    cr_assert(memfit_solve(&in.fit, r.mem_model, capacity_mem_avail(&h, &p), 1e9, &ex, &lo, &hi) == 0);
    cr_assert(r.by_mem <= ex);
}

/* ---- limits from run.json, the budget as the host, prediction error ---- */

Test(limits, from_fixture_run_json_and_budget)
{
    struct rundir r;
    struct err e;
    struct cap_host h;
    char dir[1024];
    fixture(dir, sizeof(dir), "run-density");
    cr_assert_eq(rundir_load(dir, RD_CONTAINERS | RD_RAMP, &r, &e), 0, "%s", e.msg);
    cr_assert(r.has_limits);
    cr_assert_float_eq(r.limit[RDL_PID_MAX], 32768, 1e-9);
    cr_assert_float_eq(r.limit[RDL_PIDS_IN_USE], 500, 1e-9);
    cr_assert(isnan(r.limit[RDL_COMMIT_LIMIT]));  /* null on Linux */
    cr_assert(r.budget.set);
    cr_assert_float_eq(r.budget.pids, 1000, 1e-9);
    cr_assert_eq(r.modes[0].cons[RDC_PIDS].n, r.modes[0].val[RDM_START_MS].n);
    cr_assert_float_eq(r.modes[1].cons[RDC_PIDS].v[0], 30, 1e-9);
    cr_assert_eq(r.modes[0].ramp_cgroup.n, r.modes[0].ramp_fleet.n);
    cr_assert(r.has_density);
    cr_assert_float_eq(r.modes[0].density.ceiling, 996, 1e-9);
    cr_assert_str_eq(r.modes[0].density.binding, "cgroup_pids");
    cr_assert_eq(r.modes[0].density.nstep, 13);
    cr_assert_str_eq(r.modes[0].density.step[12].guard, "cgroup_pids");
    capacity_host_from_run(&r, &h);
    cr_assert(h.budget);
    cr_assert_float_eq(h.mem_bytes, 512 * MiB, 1);
    cr_assert_float_eq(h.cpus, 1, 1e-12);
    cr_assert_float_eq(h.limit[RDL_CG_PIDS_MAX], 1000, 1e-9);
    rundir_free(&r);
}

/* With a budget, ramp.csv's cgroup_used_bytes (the budget cgroup's own
   memory) is the series the curves are fitted to, and the budget's memory
   limit is what the fitted total is solved against; without the column it
   falls back to the containers' own cgroup memory. density.csv's column is read too. */
Test(limits, budget_memory_series_is_the_fitted_total)
{
    struct rundir r;
    struct err e;
    struct cap_mode_input in;
    struct cap_host h;
    struct cap_params p;
    struct cap_result res;
    char dir[1024];
    double pred;
    fixture(dir, sizeof(dir), "run-density");
    cr_assert_eq(rundir_load(dir, RD_ALL, &r, &e), 0, "%s", e.msg);
    cr_assert_float_eq(r.modes[0].density.step[3].cgroup_used, 1000000 + 8 * 300000.0, 1e-9);
    cr_assert_float_eq(r.modes[0].density.step[3].user_mem_containers, 8, 1e-9);
    cr_assert_eq(capacity_inputs_from_run(&r, &r.modes[0], &in, &e), 0, "%s", e.msg);
    cr_assert_str_eq(in.mem_series, "budget cgroup memory");
    cr_assert(in.has_fit);
    cr_assert_float_eq(in.fit.xmax, r.modes[0].ramp_fleet.v[r.modes[0].ramp_fleet.n - 1], 1e-9);
    /* the fitted total at the ramp's end is the budget cgroup's memory there */
    pred = memfit_predict(&in.fit, in.fit.chosen, in.fit.xmax, NULL);
    cr_assert(fabs(pred - r.modes[0].ramp_cgroup.v[r.modes[0].ramp_cgroup.n - 1]) <
                  0.1 * r.modes[0].ramp_cgroup.v[r.modes[0].ramp_cgroup.n - 1],
              "%g", pred);
    capacity_host_from_run(&r, &h);
    capacity_default_params(&p);
    cr_assert_eq(capacity_compute(&in, &h, &p, &res, &e), 0);
    /* solved against the budget's 512 MiB less its 5 % reserve */
    cr_assert_float_eq(capacity_mem_avail(&h, &p), 512 * MiB * 0.95, 1);
    cr_assert(memfit_predict(&in.fit, res.mem_model, res.by_mem, NULL) <= capacity_mem_avail(&h, &p) + 1);
    /* an older ramp.csv without the column: the containers' own cgroup memory */
    r.modes[0].ramp_cgroup.n = 0;
    cr_assert_eq(capacity_inputs_from_run(&r, &r.modes[0], &in, &e), 0, "%s", e.msg);
    cr_assert_str_eq(in.mem_series, "budget: container cgroup memory");
    rundir_free(&r);
}

Test(limits, every_kernel_limit_and_the_binding_one)
{
    /* tiny memory cost: only kernel limits can bind */
    struct cap_mode_input in = mode_in(1024, NAN, NAN, NAN, NAN);
    struct cap_host h = host(64, 1024 * GiB, NAN, 1.0);
    struct cap_params p = { 0, 0.8, 0, 1, 0.10, -1, -1 };
    struct cap_result r;
    struct err e;
    h.limit[RDL_PID_MAX] = 32768;
    h.limit[RDL_PIDS_IN_USE] = 768;
    h.limit[RDL_THREADS_MAX] = 192730;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    /* no pids measured: 1 per container, (32768 - 768 - 3276.8) / 1 */
    cr_assert_float_eq(r.by[CAP_PIDS], 28723, 1e-9);
    cr_assert_eq(r.binding, CAP_PIDS);
    cr_assert(r.expected <= 32768);               /* never more than pid_max */
    p.headroom = -1;                              /* the density guards' margin: max(1024, 5 %) */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_PIDS], 32768 - 768 - 1638.4, 1);
    p.pid_margin = 8000;                          /* the shared machine's rule, as density --pid-margin */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_PIDS], 32768 - 768 - 8000, 1e-9);
    p.tasks_in_use = 168;                         /* the host's load at another time */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_PIDS], 32768 - 168 - 8000, 1e-9);
    p.tasks_in_use = -1;
    p.pid_margin = -1;
    p.headroom = 0.10;
    in.pids = 42;                                 /* gVisor under docker */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_PIDS], 683, 1e-9);
    cr_assert_eq(r.binding, CAP_PIDS);
    h.limit[RDL_CG_PIDS_MAX] = 1000;              /* a budget's pids.max binds first */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_CGROUP_PIDS], 21, 1e-9);
    cr_assert_eq(r.binding, CAP_CGROUP_PIDS);
    in.launch_tasks = 58;                         /* launching holds 58 more: (1000 - 58 - 100) / 42 */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_CGROUP_PIDS], 20, 1e-9);
    in.launch_tasks = NAN;
    h.limit[RDL_MOUNT_MAX] = 100;                 /* mounts: 100 x 0.9 / 5 */
    in.mounts = 5;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_MOUNT_MAX], 18, 1e-9);
    cr_assert_eq(r.binding, CAP_MOUNT_MAX);
    h.limit[RDL_FILE_MAX] = 1000;                 /* fds: (1000 - 100 - 100) / 50 */
    h.limit[RDL_FILE_NR] = 100;
    in.fds = 50;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_FILE_MAX], 16, 1e-9);
    cr_assert_eq(r.binding, CAP_FILE_MAX);
    h.limit[RDL_NS_PID] = 10;                     /* one namespace of each kind per container */
    in.namespaces = 1;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_NAMESPACES], 9, 1e-9);
    cr_assert_eq(r.binding, CAP_NAMESPACES);
    /* isobench's own descriptors: 4 per ns container against RLIMIT_NOFILE
       (the hard limit it may raise to), less max(16, 5 %) */
    p.headroom = -1;
    h.limit[RDL_NS_PID] = NAN;
    h.limit[RDL_NOFILE_SOFT] = 1024;
    h.limit[RDL_NOFILE_HARD] = 20000;
    in.harness_fds = 4;
    in.harness_fds0 = 10;
    in.mounts = in.fds = NAN;
    h.limit[RDL_CG_PIDS_MAX] = NAN;
    in.pids = 1;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_NOFILE], 4747, 1e-9); /* (20000 - 10 - 1000) / 4 */
    cr_assert_eq(r.binding, CAP_NOFILE);
    /* 3 of the 4 are counter files, kept open only below half the limit:
       4 per container up to (10000 - 10) / 4 = 2497.5 containers, then 1 each
       for the remaining 19000 - 10000 */
    in.harness_counter_fds = 3;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_float_eq(r.by[CAP_NOFILE], 11497, 1e-9);
    /* only counter files: they stop at half the limit, so no bound */
    in.harness_counter_fds = 4;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert(isinf(r.by[CAP_NOFILE]));
    in.harness_counter_fds = NAN;
    in.harness_fds = 4;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert_eq(r.binding, CAP_NOFILE);
    cr_assert(cap_resource_matches(CAP_NOFILE, "nofile"));
    cr_assert(!cap_resource_matches(CAP_FILE_MAX, "nofile"));
    cr_assert(cap_resource_matches(CAP_STORAGE, "disk"));
    cr_assert(cap_resource_matches(CAP_CGROUP_PIDS, "pids"));
    cr_assert(!cap_resource_matches(CAP_MEMORY, "pids"));
}

Test(limits, windows_commit_binds_before_ram)
{
    /* a 64 GiB host with an 80 GiB commit limit, 8 GiB committed at start:
       (80 - 8 - 8 headroom) GiB / 1.25 GiB per utility VM = 51, while RAM
       would hold (64 - 4) GiB / 300 MiB = 204 */
    struct cap_mode_input in = mode_in(300 * MiB, NAN, NAN, NAN, NAN);
    struct cap_host h = host(16, 64 * GiB, NAN, 1.0);
    struct cap_params p = { 4 * GiB, 0.8, 0, 1, 0.10, -1, -1 };
    struct cap_result r;
    struct rundir run;
    struct err e;
    int i;
    h.limit[RDL_COMMIT_LIMIT] = 80 * GiB;
    h.limit[RDL_COMMITTED] = 8 * GiB;
    in.commit_bytes = 1.25 * GiB;
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0, "%s", e.msg);
    cr_assert_float_eq(r.by[CAP_COMMIT], 51, 1e-9);
    cr_assert_float_eq(r.avail[CAP_COMMIT], 64 * GiB, 1);
    cr_assert_float_eq(r.by[CAP_MEMORY], 204, 1e-9);
    cr_assert_eq(r.binding, CAP_COMMIT);
    cr_assert_str_eq(cap_resource_name(CAP_COMMIT), "commit");
    cr_assert(cap_resource_matches(CAP_COMMIT, "commit"), "density.json names it commit");
    in.commit_bytes = NAN; /* Linux, or not measured: commit does not limit */
    cr_assert_eq(capacity_compute(&in, &h, &p, &r, &e), 0);
    cr_assert(isinf(r.by[CAP_COMMIT]));
    cr_assert_eq(r.binding, CAP_MEMORY);

    /* a Windows run's host.limits reach the model; Linux kernel limits do not apply */
    memset(&run, 0, sizeof(run));
    snprintf(run.host.os, sizeof(run.host.os), "Windows Server 2022 Datacenter 10.0.20348");
    run.host.cores = 16;
    run.host.mem_total_bytes = 64 * GiB;
    run.host.disk_free_bytes = NAN;
    for (i = 0; i < RDL_COUNT; i++)
        run.limit[i] = NAN;
    run.limit[RDL_COMMIT_LIMIT] = 80 * GiB;
    run.limit[RDL_COMMITTED] = 8 * GiB;
    capacity_host_limits_from_run(&run, &h);
    cr_assert_float_eq(h.limit[RDL_COMMIT_LIMIT], 80 * GiB, 1);
    cr_assert_float_eq(h.limit[RDL_COMMITTED], 8 * GiB, 1);
    cr_assert(isnan(h.limit[RDL_PID_MAX]));
}

Test(limits, launch_tasks_from_the_budgets_pids_peak)
{
    /* ramp.csv: the budget's pids.current and pids.peak after each level's
       hold; the peak rose during each launch by what launching held on top
       (28 at most); a level whose launch did not raise the peak says
       nothing */
    char dir[1024], tmp[] = "/tmp/isobench-capXXXXXX", cmd[3000], path[1100];
    struct rundir r;
    struct cap_mode_input in;
    struct err e;
    fixture(dir, sizeof(dir), "run-density");
    cr_assert_not_null(mkdtemp(tmp));
    snprintf(cmd, sizeof(cmd), "cp %s/run.json %s/containers.csv %s/", dir, dir, tmp);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/ramp.csv", tmp);
    write_text_file(path, "mode,rep,fleet_size,delta_bytes,cgroup_pids,cgroup_pids_peak\n"
                          "ns,0,8,1000,8,20\n"
                          "ns,0,16,2000,16,44\n"
                          "ns,0,32,4000,32,50\n"
                          "ns,0,48,6000,48,50\n");
    cr_assert_eq(rundir_load(tmp, RD_CONTAINERS | RD_RAMP | RD_NO_SUMMARY, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(capacity_inputs_from_run(&r, &r.modes[0], &in, &e), 0, "%s", e.msg);
    cr_assert_float_eq(in.launch_tasks, 28, 1e-9);
    rundir_free(&r);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    cr_assert_eq(system(cmd), 0);
}

/* A whole-host ramp whose first containers fill free slab objects: host
   memory (and kernel memory) above the start = 1 MiB x n - reused(n), the
   reuse saturating at the 170 MiB free at the start. Written with the slab
   columns (full, empty, or none) into a run directory of run-base. */
static void slab_ramp(const char *tmp, int cols)
{
    char path[1100], row[512], *text = malloc(8192);
    double x[] = { 150, 300, 600, 900, 1200, 1600, 2000, 2400 }, f0 = 170 * MiB;
    uint64_t st = 5;
    int i;
    snprintf(path, sizeof(path), "%s/ramp.csv", tmp);
    snprintf(text, 8192, "mode,rep,fleet_size,delta_bytes,kernel_used_bytes,pss_sum_bytes%s\n",
             cols ? ",slab_reused_bytes,slab_free_start_bytes,pcp_free_bytes,pcp_free_start_bytes" : "");
    for (i = 0; i < 8; i++) {
        double reused = f0 * (1 - exp(-x[i] / 1500)), y = MiB * x[i] - reused + 0.5 * MiB * gauss(&st);
        if (cols == 2)
            snprintf(row, sizeof(row), "ns,0,%.0f,%.0f,%.0f,0,%.0f,%.0f,%.0f,%.0f\n", x[i], y, 600 * MiB + y,
                     reused, f0, 30 * MiB, 150 * MiB);
        else if (cols == 1)
            snprintf(row, sizeof(row), "ns,0,%.0f,%.0f,%.0f,0,,,,\n", x[i], y, 600 * MiB + y);
        else
            snprintf(row, sizeof(row), "ns,0,%.0f,%.0f,%.0f,0\n", x[i], y, 600 * MiB + y);
        strcat(text, row);
    }
    write_text_file(path, text);
    free(text);
}

Test(limits, reused_slab_objects_are_cost_once_and_a_bonus_once)
{
    char dir[1024], tmp[] = "/tmp/isobench-capXXXXXX", cmd[3000];
    struct rundir r;
    struct cap_mode_input in;
    struct cap_host h;
    struct cap_params p;
    struct cap_result res;
    struct err e;
    double avail, bonus = 170 * MiB * (1 - exp(-2400.0 / 1500)), by_slab = NAN;
    int cols;
    fixture(dir, sizeof(dir), "run-base");
    cr_assert_not_null(mkdtemp(tmp));
    snprintf(cmd, sizeof(cmd), "cp %s/run.json %s/containers.csv %s/summary.json %s/", dir, dir, dir, tmp);
    cr_assert_eq(system(cmd), 0);
    for (cols = 2; cols >= 0; cols--) {
        slab_ramp(tmp, cols);
        cr_assert_eq(rundir_load(tmp, RD_CONTAINERS | RD_RAMP, &r, &e), 0, "%s", e.msg);
        cr_assert_eq(r.ramp_has_slab, cols > 0);
        cr_assert_eq(capacity_inputs_from_run(&r, &r.modes[0], &in, &e), 0, "%s", e.msg);
        cr_assert_eq(in.slab_state, cols, "%s", capacity_slab_state_name(in.slab_state));
        capacity_host_from_run(&r, &h);
        capacity_default_params(&p);
        p.reserve_set = 1;
        p.reserve_mem_bytes = 2 * GiB;
        cr_assert_eq(capacity_compute(&in, &h, &p, &res, &e), 0, "%s", e.msg);
        avail = capacity_mem_avail(&h, &p);
        if (cols == 2) {
            /* the series is the line again: 1 MiB per container, solved at
               the memory available plus the reuse seen at 2,400, plus the
               per-CPU free pages at the start less those at 2,400 (host
               memory in use leaves them out, MemAvailable counts them) */
            cr_assert_float_eq(in.slab_bonus_bytes, bonus, 1);
            cr_assert_float_eq(in.pcp_adjust_bytes, 120 * MiB, 1);
            bonus += 120 * MiB;
            cr_assert_float_eq(capacity_curve_avail(&in, avail), avail + bonus, 1);
            cr_assert(fabs(res.by_mem - (avail + bonus) / MiB) < 0.01 * (avail + bonus) / MiB,
                      "%g vs %g", res.by_mem, (avail + bonus) / MiB);
            by_slab = res.by_mem;
        } else {
            /* without the columns the ramp's reuse bends the curve: the
               answer is what it was before the columns existed */
            cr_assert(isnan(in.slab_bonus_bytes));
            cr_assert(isnan(in.pcp_adjust_bytes));
            cr_assert_float_eq(capacity_curve_avail(&in, avail), avail, 1e-9);
            cr_assert(res.by_mem < 0.9 * by_slab, "%g vs %g", res.by_mem, by_slab);
        }
        rundir_free(&r);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    cr_assert_eq(system(cmd), 0);
}

Test(limits, a_density_run_needs_no_summary)
{
    /* `isobench density` writes density.json, not summary.json */
    char dir[] = "/tmp/isobench-test-dens-XXXXXX", src[1024], cmd[4096];
    struct rundir r;
    struct err e;
    cr_assert_not_null(mkdtemp(dir));
    fixture(src, sizeof(src), "run-density");
    snprintf(cmd, sizeof(cmd), "cp %s/run.json %s/density.json %s/density.csv %s/containers.csv %s/ramp.csv %s/",
             src, src, src, src, src, dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(rundir_load(dir, RD_ALL, &r, &e), 0, "%s", e.msg);
    cr_assert(r.has_density);
    cr_assert_float_eq(r.modes[1].density.ceiling, 32, 1e-9);
    rundir_free(&r);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(limits, prediction_error_against_density)
{
    struct rundir r;
    struct err e;
    struct cap_host h;
    struct cap_params p;
    struct cap_row *rows;
    int n;
    char dir[1024];
    fixture(dir, sizeof(dir), "run-density");
    cr_assert_eq(rundir_load(dir, RD_CONTAINERS | RD_RAMP, &r, &e), 0, "%s", e.msg);
    capacity_default_params(&p);
    capacity_host_from_run(&r, &h);
    cr_assert_eq(capacity_rows(&r, &h, 1, &p, &rows, &n, &e), 0);
    capacity_rows_measured(rows, n, &r);
    cr_assert_eq(n, 2);
    /* ns: a budget's pids.max has no margin (the guard's): 1000 / 1 task =
       1000 predicted, 996 measured */
    cr_assert_float_eq(rows[0].res.expected, 1000, 1e-9);
    cr_assert_eq(rows[0].res.binding, CAP_CGROUP_PIDS);
    cr_assert_float_eq(rows[0].measured, 996, 1e-9);
    cr_assert_float_eq(rows[0].error_pct, (1000.0 - 996) / 996 * 100, 1e-9);
    cr_assert(rows[0].same_binding);
    /* runsc: 30 tasks per container: 1000 / 30 */
    cr_assert_float_eq(rows[1].res.expected, 33, 1e-9);
    cr_assert_eq(rows[1].res.binding, CAP_CGROUP_PIDS);
    cr_assert(rows[1].same_binding);
    free(rows);
    rundir_free(&r);
}

Test(cli, capacity_table_json_and_hosts_file)
{
    char dir[1024], out[65536], hosts[] = "/tmp/isobench-test-hosts-XXXXXX";
    char *argv[8];
    int fd;
    FILE *f;
    cJSON *j;
    fixture(dir, sizeof(dir), "run-base");
    argv[0] = "capacity";
    argv[1] = dir;
    cr_assert_eq(run_cmd(cmd_capacity, argv, 2, out, sizeof(out)), 0);
    cr_assert(strstr(out, "binding") && strstr(out, "runsc") && strstr(out, "bench-a"), "%s", out);
    argv[2] = "--json";
    argv[3] = "--disk-free";
    argv[4] = "10M";                              /* tiny disk: storage must bind */
    cr_assert_eq(run_cmd(cmd_capacity, argv, 5, out, sizeof(out)), 0);
    j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rows"), 2), "binding")
                         ->valuestring, "storage");
    cJSON_Delete(j);
    fd = mkstemp(hosts);
    f = fdopen(fd, "w");
    fputs("[{\"name\":\"Standard_D16\",\"cores\":16,\"memory\":\"64G\",\"disk\":\"512G\",\"cpu_speed\":1.0},"
          "{\"name\":\"big\",\"cores\":64,\"memory\":\"256G\"}]", f);
    fclose(f);
    argv[2] = "--hosts";
    argv[3] = hosts;
    argv[4] = "--json";
    cr_assert_eq(run_cmd(cmd_capacity, argv, 5, out, sizeof(out)), 0);
    j = cJSON_Parse(out);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rows")), 6); /* 2 hosts x 3 modes */
    cJSON_Delete(j);
    unlink(hosts);
    argv[2] = "--cpu-target";
    argv[3] = "3";
    cr_assert_eq(run_cmd(cmd_capacity, argv, 4, out, sizeof(out)), 2);
    argv[1] = "/nonexistent";
    cr_assert_eq(run_cmd(cmd_capacity, argv, 2, out, sizeof(out)), 2);
    /* a density result in the run directory: the prediction error is printed */
    fixture(dir, sizeof(dir), "run-density");
    argv[1] = dir;
    cr_assert_eq(run_cmd(cmd_capacity, argv, 2, out, sizeof(out)), 0);
    cr_assert(strstr(out, "predicted vs measured") && strstr(out, "cgroup_pids") &&
              strstr(out, "AICc") && strstr(out, "not the cost"), "%s", out);
    argv[2] = "--json";
    cr_assert_eq(run_cmd(cmd_capacity, argv, 3, out, sizeof(out)), 0);
    j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    cr_assert_not_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rows"), 0), "measured"));
    cJSON_Delete(j);
    /* --whole-host: the budgeted ramp predicted for the host it ran on */
    argv[2] = "--whole-host";
    argv[3] = "--json";
    cr_assert_eq(run_cmd(cmd_capacity, argv, 4, out, sizeof(out)), 0);
    j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    cr_assert_str_neq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rows"), 0), "binding")
                          ->valuestring, "cgroup_pids");
    cJSON_Delete(j);
    /* --measured: another run directory's density result */
    {
        static char base[1024];
        fixture(base, sizeof(base), "run-base");
        argv[1] = base;
    }
    argv[2] = "--measured";
    argv[3] = dir;
    cr_assert_eq(run_cmd(cmd_capacity, argv, 4, out, sizeof(out)), 0);
    cr_assert(strstr(out, "predicted vs measured"), "%s", out);
}

Test(cli, hosts_side_by_side_and_refusal)
{
    char a[1024], b[1024], c[1024], out[65536];
    char *argv[8];
    fixture(a, sizeof(a), "run-base");
    fixture(b, sizeof(b), "run-hostb");
    fixture(c, sizeof(c), "run-other");
    argv[0] = "hosts";
    argv[1] = a;
    argv[2] = b;
    argv[3] = "--price-per-core";
    argv[4] = "20";
    cr_assert_eq(run_cmd(cmd_hosts, argv, 5, out, sizeof(out)), 0);
    cr_assert(strstr(out, "bench-a") && strstr(out, "bench-b") && strstr(out, "per GiB") &&
              strstr(out, "per dollar"), "%s", out);
    argv[2] = c;
    cr_assert_eq(run_cmd(cmd_hosts, argv, 3, out, sizeof(out)), 2);
}

Test(cli, json_diff_names_the_field)
{
    cJSON *x = cJSON_Parse("{\"a\":1,\"modes\":[{\"name\":\"n\",\"options\":{\"r\":\"runc\"}}],\"image\":\"/x\"}");
    cJSON *y = cJSON_Parse("{\"a\":1,\"modes\":[{\"name\":\"n\",\"options\":{\"r\":\"runsc\"}}],\"image\":\"/y\"}");
    const char *ignore[] = { "image", NULL };
    char where[256];
    cr_assert_eq(hosts_json_diff(x, y, "scenario", ignore, where, sizeof(where)), 1);
    cr_assert_str_eq(where, "scenario.modes[0].options.r");
    cJSON_ReplaceItemInObject(y, "modes", cJSON_Duplicate(cJSON_GetObjectItem(x, "modes"), 1));
    cr_assert_eq(hosts_json_diff(x, y, "scenario", ignore, where, sizeof(where)), 0);
    cr_assert_eq(hosts_json_diff(x, y, "scenario", NULL, where, sizeof(where)), 1);
    cr_assert_str_eq(where, "scenario.image");
    cJSON_Delete(x);
    cJSON_Delete(y);
}
