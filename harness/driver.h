/*
 * driver.h - the contract between the harness and a backend driver.
 *
 * A driver launches containers in one or more isolation modes (process,
 * sandbox, vm, hyperv) through one backend: native namespaces, the Docker
 * Engine API, an OCI runtime, a QEMU microVM or the Windows Host Compute
 * Service. Each driver is one `const struct driver` in
 * harness/drivers/<name>.c, registered by name in harness/drivers/registry.c.
 *
 * Lifecycle of one container, driven by harness/runner.c:
 *   probe (once per mode) -> mode_init (once per mode) ->
 *   create -> start -> wait_output(READY marker) -> sample ... ->
 *   stop -> destroy            ... -> mode_fini
 * The runner timestamps each step with plat_now_ns(); a driver that can see a
 * finer split (e.g. the moment the workload was exec'd) fills ctr->exec_ns.
 *
 * Every hook returns 0 on success and a negative value on failure with a
 * message in `e`; the runner adds the container name as context. Hooks never
 * print and never exit.
 */
#ifndef ISOBENCH_DRIVER_H
#define ISOBENCH_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct mode;
struct scenario;
struct cJSON;

/* Isolation classes a driver may offer (bit flags). */
enum isolation {
    ISO_PROCESS = 1, /* shares the host kernel: namespaces, runc, Windows process isolation */
    ISO_SANDBOX = 2, /* user-space kernel in front of the host kernel: gVisor */
    ISO_VM = 4,      /* own kernel in a VM: QEMU microVM, Kata, Hyper-V isolation */
};

/* Marker lines the workload prints on stdout (see payload/payload.c). */
#define MARKER_READY "ISOBENCH_READY"
#define MARKER_RESULT "ISOBENCH_RESULT"

/*
 * Counters sampled from one container. Every field is -1 when the backend
 * cannot measure it, so that "unknown" is never mistaken for zero.
 */
struct counters {
    int64_t mem_cgroup_bytes;      /* cgroup memory usage (v1 usage_in_bytes, v2 memory.current) */
    int64_t mem_pss_bytes;         /* PSS summed over every process that exists because of the container */
    int64_t mem_rss_bytes;         /* RSS summed over the same processes */
    int64_t mem_private_ws_bytes;  /* Windows private working set */
    int64_t mem_commit_bytes;      /* Windows commit */
    int64_t cpu_ns;                /* CPU time consumed by the container (and its helpers) */
    int64_t storage_bytes;         /* bytes allocated by the writable layer / scratch disk */
    int64_t io_read_bytes;
    int64_t io_write_bytes;
    int64_t pids;                  /* tasks (threads included) of the container, runtime helpers included */
    int64_t fds;                   /* open file descriptors of those processes */
    int64_t mounts;                /* mount entries the container adds to the host's mount namespace */
    int64_t kmem_bytes;            /* cgroup kernel memory (v1 kmem.usage_in_bytes, v2 stat "kernel") */
};

void counters_unknown(struct counters *c);

/*
 * Counter sets, each sampled on its own cadence (scenario keys
 * sample_interval_ms and pss_interval_ms): the runner says which sets it
 * wants in ctr->sample_sets before calling sample(); 0 asks for all. A
 * driver may fill more than asked (an engine call that returns them all),
 * and must not spend time on a set that was not asked for when it can avoid it.
 */
enum counter_set {
    CSET_CHEAP = 1,   /* cgroup memory, CPU time, pids: re-reads of descriptors kept open */
    CSET_PSS = 2,     /* PSS and RSS: smaps_rollup walks every page table of every process */
    CSET_STORAGE = 4, /* the writable layer's size: a directory walk */
};
#define CSET_ALL (CSET_CHEAP | CSET_PSS | CSET_STORAGE)

/* One container of a fleet. The runner owns it; `priv` belongs to the driver. */
struct ctr {
    const struct mode *mode;
    const struct scenario *scn;
    const char *run_id;        /* names and labels every resource of the run */
    int index;                 /* 0-based within the mode */
    int fleet_size;            /* ramp level this container was started for */
    char name[96];             /* "<run_id>-<mode>-<index>": unique on the host */
    const char *const *argv;   /* workload command inside the container (NULL-terminated) */
    int64_t create_ns;         /* set by the runner just before create */
    int64_t exec_ns;           /* set by the driver when measurable, else 0 */
    int64_t ready_ns;          /* set by the runner from wait_output */
    /* The run's budget cgroup ("isobench/<run_id>", relative to the cgroup
       root), which the runner created with the budget's limits and removes
       at the end; NULL when the run has no budget. When set, the driver puts
       every process of the container below it (its own cgroup
       <cgroup_parent>/<name>, docker's CgroupParent) and never removes it. */
    const char *cgroup_parent;
    unsigned sample_sets;      /* enum counter_set bits the next sample() needs; 0 = all */
    void *priv;
};

struct driver {
    const char *name;
    /* NULL when compiled in; otherwise why this build has no such driver. */
    const char *unavailable_reason;
    unsigned isolations;       /* enum isolation bits this driver can offer */

    /* Required. Can this mode run on this host? 0 = yes; otherwise a negative
       value and the human reason in e (e.g. "dockerd not reachable at ..."). */
    int (*probe)(const struct mode *m, struct err *e);

    /* Optional. Validate the mode's "options" object (unknown keys are errors,
       named "modes[i].options.key"), and prepare per-mode state in m->drv_state
       (import an image, probe KVM, ...). Called once before the first create. */
    int (*mode_init)(struct mode *m, const struct scenario *s, struct err *e);
    /* Optional. Release per-mode state. Never fails. */
    void (*mode_fini)(struct mode *m);

    /* Optional. Version string of the backend (runtime, engine, qemu). */
    int (*version)(const struct mode *m, char *buf, size_t n, struct err *e);

    /* Optional. Add facts about the mode to its entry in run.json (e.g.
       "accel": "tcg", "accel_reason": "..."; "runtime_path"). `out` is a cJSON object. */
    void (*facts)(const struct mode *m, struct cJSON *out);

    /* Optional. Isolation actually in effect for a mode (enum isolation bit).
       When NULL the mode's declared isolation is used. */
    unsigned (*isolation_of)(const struct mode *m);

    /* Required. Allocate resources for the container; do not run it yet. */
    int (*create)(struct ctr *c, struct err *e);
    /* Required. Start the workload. */
    int (*start)(struct ctr *c, struct err *e);
    /* Required. Wait at most timeout_ms for a stdout line beginning with
       `marker`; copy the line into buf and the CLOCK_MONOTONIC time it was
       read into *t_ns. */
    int (*wait_output)(struct ctr *c, const char *marker, int timeout_ms,
                       char *buf, size_t n, int64_t *t_ns, struct err *e);
    /* Required. Fill the counters the backend can measure; leave others -1. */
    int (*sample)(struct ctr *c, struct counters *out, struct err *e);
    /* Required. Stop the workload (kill it). Must be safe after a failed start. */
    int (*stop)(struct ctr *c, struct err *e);
    /* Required. Free every resource of the container (cgroup, mounts, files,
       engine objects). Must be safe after any failed step and free c->priv. */
    int (*destroy)(struct ctr *c, struct err *e);

    /* Optional. Remove leftovers of run `run_id` (NULL = every isobench run)
       after a crash. Counts what it removed into *removed. */
    int (*cleanup)(const char *run_id, int *removed, struct err *e);
};

/* Registry (harness/drivers/registry.c). */
const struct driver *driver_find(const char *name);
const struct driver *const *driver_list(void); /* NULL-terminated */

const char *isolation_name(unsigned iso);
int isolation_parse(const char *s, unsigned *iso);

#endif
