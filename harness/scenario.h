/*
 * scenario.h - a declarative benchmark scenario (a JSON file under scenarios/).
 *
 * A scenario names the modes to compare (a driver plus its options), the
 * fleet (a size or a ramp of sizes, and the launch concurrency), the workload,
 * how long to hold the fleet and how often to sample, how many repetitions,
 * and resource limits. scenario_load() checks every field and rejects unknown
 * keys with a message naming the file and the field path.
 */
#ifndef ISOBENCH_SCENARIO_H
#define ISOBENCH_SCENARIO_H

#include <stdint.h>

#include "err.h"
#include "counters/pdh_sampler.h"

#define SCN_MAX_MODES 16
#define SCN_MAX_RAMP 32
/* The largest fleet (fleet.size and every fleet.ramp level). */
#define SCN_MAX_FLEET 100000
#define SCN_MAX_FLEET_TEXT "100000"
/* Largest level x repetitions: each launch keeps a record in memory. */
#define SCN_MAX_LAUNCHES 1000000

struct cJSON;
struct driver;

enum workload {
    WL_IDLE, /* prints READY, then stays up until stopped */
    WL_EXIT, /* prints READY and exits: pure start cost */
    WL_CPU,  /* prints READY, runs a fixed amount of busy work, prints RESULT, stays up */
};

struct mode {
    char name[64];           /* unique within the scenario: "runc", "hyperv", ... */
    char driver_name[32];    /* "ns", "docker", "oci", "vm", "hcs" */
    unsigned isolation;      /* declared (enum isolation); 0 = driver decides */
    int baseline;            /* ratios in reports are relative to this mode */
    struct cJSON *options;   /* driver-specific object, owned by the scenario; may be NULL */
    int index;               /* position in scenario.modes, for "modes[i]" messages */
    int starts;              /* exit starts per repetition before the ramp (start latency) */
    int starts_max_s;        /* time cap of those starts, s; 0 = none; -1 while parsing = the scenario's */
    double start_delay_ms;   /* injected delay of this mode; -1 = the scenario's (isobench ab) */
    const struct driver *drv;
    void *drv_state;         /* set by driver->mode_init */
};

struct scenario {
    char path[1024];
    char name[64];
    char description[256];
    struct mode modes[SCN_MAX_MODES];
    int nmodes;

    int ramp[SCN_MAX_RAMP];  /* increasing fleet sizes; a plain size is a ramp of one */
    int nramp;
    int concurrency;         /* containers launched at once */

    enum workload workload;
    int64_t cpu_iterations;  /* busy-work units for WL_CPU */

    int hold_ms;             /* how long each ramp level is held and sampled */
    int settle_ms;           /* wait after a level is ready before measuring host memory */
    int sample_interval_ms;  /* cadence of the cheap counters (cgroup memory, CPU, pids) */
    int pss_interval_ms;     /* cadence of PSS/RSS and storage, plus each hold's start and end; 0 = only those */
    int repetitions;
    int starts;              /* default of modes[].starts (the most per repetition); 0 = none */
    double starts_target_ci; /* stop a mode's starts once the median's 95 % CI is within
                                +-this fraction (after 20 starts); 0 = run them all */
    int starts_max_s;        /* stop a mode's starts after this many seconds; 0 = no limit */
    int ready_timeout_ms;
    double start_delay_ms;   /* injected delay before each start (regression tests) */

    int64_t mem_limit_bytes; /* 0 = none */
    double cpu_limit;        /* cores, 0 = none */
    int pids_limit;          /* 0 = none */

    /* The run's budget: one parent cgroup holding every container of the
       run (key "budget", or --budget). 0 = no limit on that resource. */
    struct scn_budget {
        int64_t mem_bytes;
        double cpus;
        int pids;
    } budget;

    char image[1024];        /* rootfs directory of the image; "" = default cache */

    /* Windows host counters sampled through every hold (PDH paths); the
       defaults of counters/pdh_sampler.h when the key is absent. */
    char pdh_paths[PDH_MAX_COUNTERS][PDH_PATH_MAX];
    int npdh;

    struct cJSON *json;      /* the parsed document (owned) */
};

/* Load and validate a scenario file. On failure e says "FILE: field: problem". */
int scenario_load(const char *path, struct scenario *s, struct err *e);
/* Same from a string; `name` stands for the file in messages. */
int scenario_parse(const char *text, const char *name, struct scenario *s, struct err *e);
void scenario_free(struct scenario *s);

/* The scenario as run (resolved defaults), as a new cJSON object. */
struct cJSON *scenario_to_json(const struct scenario *s);

const char *workload_name(enum workload w);

/* Parse a --budget value, "memory=512M,pids=1000,cpus=1" (any subset). */
int scenario_parse_budget(const char *text, struct scn_budget *b, struct err *e);
/* Does the scenario run inside a budget? */
int scenario_has_budget(const struct scenario *s);

/* Parse "512M", "2G", "1048576" into bytes. Returns 0 or -1. */
int parse_size(const char *s, int64_t *out);

#endif
