/*
 * density.h - `isobench density`: fill the host (or the run's budget) with
 * containers of each mode until a resource binds, and record the measured
 * ceiling, the binding resource and its evidence.
 *
 * Per mode: grow the fleet geometrically (1, 2, 4, ...), then in finer
 * steps once the per-container cost measured so far says doubling would
 * cross a guard's margin (harness/density_guard.c), holding and sampling
 * every step like a ramp level of `run`. The guards are checked before each
 * step, between launch chunks and through every hold; the first one that
 * trips (or leaves no room for one more container) ends the mode's fill,
 * and its fleet is torn down before the next mode. SIGINT tears everything
 * down as a run does.
 *
 * The run directory holds the ordinary files (run.json, containers.csv,
 * samples.csv, ramp.csv: one row per held step) plus density.csv (one row
 * per step, step 0 = the empty host) and density.json (per mode ceiling,
 * binding, evidence), both in the format of /work/density-contract.md
 * (README "Density").
 */
#ifndef ISOBENCH_DENSITY_H
#define ISOBENCH_DENSITY_H

#include "density_guard.h"
#include "runner.h"

struct density_mode_result {
    int ran;                       /* the mode was available and filled */
    int ceiling;                   /* largest fleet held with no guard tripped */
    int steps;                     /* steps launched (the tripped one included) */
    int stopped_by_guard;          /* 0: interrupted, failed or max_containers */
    struct guard_verdict binding;
    /* Host memory in use on the empty host before the first step and again
       after teardown (NAN unknown): ramp.csv's baselines are interpolated
       between the two in time; their difference is the drift over the fill. */
    double baseline_before_bytes, baseline_after_bytes;
    /* Free and active object bytes of the slab caches at those two moments
       (slabinfo.h; -1 unknown): a teardown leaves free objects behind that
       the next fleet's kernel objects reuse. */
    int64_t slab_free_before_bytes, slab_free_after_bytes, slab_active_before_bytes, slab_active_after_bytes;
};

struct density_result {
    struct density_mode_result modes[SCN_MAX_MODES];
    struct density_cfg cfg;        /* as used (defaults resolved) */
};

/* Fill every mode of s. The run directory and r as for run_scenario. */
int density_run(struct scenario *s, const struct run_opts *o, const struct density_cfg *cfg, struct run_result *r,
                struct density_result *d, struct err *e);

#endif
