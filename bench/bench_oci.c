/*
 * bench_oci.c - what the oci driver costs on top of the runtime's own CLI.
 *
 * For the same container (the busybox image on an overlayfs, the same
 * config.json the driver writes, the payload's `exit` workload) it times
 *   cli:      `runtime [args] --root R run --bundle B <id>` as a whole,
 *             started by fork/execv and timed until it exits; the bundle is
 *             prepared beforehand and removed afterwards, untimed;
 *   cli+bundle: the same, with the bundle work timed too (mount the overlay,
 *             write config.json, run, unmount, remove the files): the work
 *             the driver does around the runtime, done by hand;
 *   driver:   the driver's create -> start -> READY -> stop -> destroy.
 * N runs of each, interleaved (the order rotates), after one untimed warm-up
 * of each. Prints the medians, the ratios driver/cli (what the driver costs
 * over the bare CLI) and driver/cli+bundle (the driver's own overhead: the
 * split create/start/delete calls instead of one `run`), and the median of
 * each driver step. Needs root.
 *
 * usage: bench_oci [N] [RUNTIME...]   (default: 20 runc runsc; runtimes that
 * are not installed are skipped)
 *
 * bench_oci --sample N RUNTIME: what one sample round costs at a fleet of N:
 * N idle containers of RUNTIME inside a budget cgroup (pids and memory
 * limits sized for N), then 5 rounds that sample every container once
 * (one thread), with the cheap set (what every sample_interval_ms tick
 * reads) and with every set (the start and end of a hold), timed wall and
 * CPU. Prints ms per round and us per container, and the processes on the
 * host (what a per-container /proc scan pays for). Starting more than ~300
 * containers on a shared machine: hold the heavy-work lock
 * (flock /tmp/isobench-heavy.lock bench_oci --sample N RUNTIME).
 */
#define _GNU_SOURCE
#include "budget.h"
#include "drivers/oci.h"
#include "counters/proc.h"
#include "image.h"
#include "plat.h"
#include "scenario.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_oci;

static const char *const exit_argv[] = { IMAGE_PAYLOAD_PATH, "exit", NULL };

enum { ST_CREATE, ST_START, ST_READY, ST_STOP, ST_DESTROY, ST_N };
static const char *const step_names[ST_N] = { "create", "start", "ready", "stop", "destroy" };

static void init_ctr(struct ctr *c, struct scenario *s, const char *run_id, const char *name)
{
    memset(c, 0, sizeof(*c));
    c->mode = &s->modes[0];
    c->scn = s;
    c->run_id = run_id;
    c->fleet_size = 1;
    c->argv = exit_argv;
    snprintf(c->name, sizeof(c->name), "%s-%s", run_id, name);
}

/* One driver cycle; total and per-step durations in ns. */
static int driver_once(struct scenario *s, const char *run_id, int i, double *total, double *steps, struct err *e)
{
    struct ctr c;
    char line[256], name[32];
    int64_t t[ST_N + 1], ready = 0;
    int j;

    snprintf(name, sizeof(name), "drv-%d", i);
    init_ctr(&c, s, run_id, name);
    t[0] = c.create_ns = plat_now_ns();
    if (driver_oci.create(&c, e) < 0)
        goto out;
    t[1] = plat_now_ns();
    if (driver_oci.start(&c, e) < 0)
        goto out;
    t[2] = plat_now_ns();
    if (driver_oci.wait_output(&c, MARKER_READY, 60000, line, sizeof(line), &ready, e) < 0)
        goto out;
    t[3] = plat_now_ns();
    if (driver_oci.stop(&c, e) < 0)
        goto out;
    t[4] = plat_now_ns();
    if (driver_oci.destroy(&c, e) < 0)
        goto out;
    t[5] = plat_now_ns();
    *total = (double)(t[ST_N] - t[0]);
    for (j = 0; j < ST_N; j++)
        steps[j] = (double)(t[j + 1] - t[j]);
    return 0;
out:
    {
        struct err e2;
        driver_oci.stop(&c, &e2);
        driver_oci.destroy(&c, &e2);
    }
    return -1;
}

/* `runtime ... run --bundle B id`, stdout drained through a pipe, timed whole. */
static int cli_once(struct scenario *s, const char *run_id, const char *runtime, const char *const *args,
                    int i, int time_bundle, double *total, struct err *e)
{
    struct ctr c;
    char dir[1024], cdir[1200], bundle[1300], rootfs[1400], upper[1300], work[1300], path[1500], cg[300],
        root[1200], name[32];
    const char *argv[32];
    char *config;
    int fds[2], null, k = 0, status, rc = -1, mounted = 0;
    int64_t t0 = 0, t1 = 0, tb0;
    pid_t pid;
    FILE *f;

    snprintf(name, sizeof(name), "cli%s-%d", time_bundle ? "b" : "", i);
    init_ctr(&c, s, run_id, name);
    oci_run_dir(run_id, dir, sizeof(dir));
    snprintf(root, sizeof(root), "%s/root-%s", dir, s->modes[0].name);
    snprintf(cdir, sizeof(cdir), "%s/%s", dir, c.name);
    snprintf(bundle, sizeof(bundle), "%s/bundle", cdir);
    snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
    snprintf(upper, sizeof(upper), "%s/upper", cdir);
    snprintf(work, sizeof(work), "%s/work", cdir);
    snprintf(cg, sizeof(cg), "/isobench/%s/%s", run_id, c.name);
    image_default_rootfs(path, sizeof(path));
    tb0 = plat_now_ns();
    if (oci_overlay_mount(path, upper, work, rootfs, e) < 0)
        goto out;
    mounted = 1;
    config = oci_config_text(&c, cg, e);
    if (config == NULL)
        goto out;
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    f = fopen(path, "w");
    if (f == NULL || fputs(config, f) < 0) {
        err_sys(e, errno, "write %s", path);
        free(config);
        if (f)
            fclose(f);
        goto out;
    }
    fclose(f);
    free(config);

    argv[k++] = runtime;
    while (*args)
        argv[k++] = *args++;
    argv[k++] = "--root";
    argv[k++] = root;
    argv[k++] = "run";
    argv[k++] = "--bundle";
    argv[k++] = bundle;
    argv[k++] = c.name;
    argv[k] = NULL;
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || pipe2(fds, O_CLOEXEC) < 0) {
        err_sys(e, errno, "pipe");
        goto out;
    }
    t0 = plat_now_ns();
    pid = fork();
    if (pid == 0) {
        dup2(null, 0);
        dup2(fds[1], 1);
        dup2(null, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid > 0) {
        char buf[4096];
        while (read(fds[0], buf, sizeof(buf)) > 0)
            ;
        waitpid(pid, &status, 0);
    }
    t1 = plat_now_ns();
    close(fds[0]);
    close(null);
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        err_set(e, EIO, "%s run %s failed", runtime, c.name);
        goto out;
    }
    rc = 0;
out:
    if (mounted && umount2(rootfs, 0) < 0)
        umount2(rootfs, MNT_DETACH);
    {
        struct err e2;
        dir_remove_tree(cdir, &e2);
    }
    if (rc == 0)
        *total = time_bundle ? (double)(plat_now_ns() - tb0) : (double)(t1 - t0);
    return rc;
}

static double median(const double *v, int n)
{
    struct summary_stats st;
    stats_summarize(v, (size_t)n, &st);
    return st.p50;
}

/* The oci mode of `runtime` running `workload` ("exit", "idle"), parsed,
   probed and initialised: 0 ready, 1 skipped, -1 failed (both said why). */
static int open_mode(const char *name, const char *runtime, const char *workload, struct scenario *s)
{
    char doc[512];
    struct err e;
    err_clear(&e);
    snprintf(doc, sizeof(doc),
             "{\"name\":\"%s\",\"modes\":[{\"name\":\"m\",\"driver\":\"oci\",\"options\":{\"runtime\":\"%s\"}}],"
             "\"workload\":{\"type\":\"%s\"}}",
             name, runtime, workload);
    if (scenario_parse(doc, "bench", s, &e) < 0 || driver_oci.probe(&s->modes[0], &e) < 0) {
        printf("%s: skipped: %s\n", runtime, e.msg);
        return 1;
    }
    if (driver_oci.mode_init(&s->modes[0], s, &e) < 0) {
        printf("%s: mode_init: %s\n", runtime, e.msg);
        scenario_free(s);
        return -1;
    }
    return 0;
}

static int bench_runtime(const char *runtime, int n)
{
    char run_id[32];
    struct scenario s;
    struct err e;
    double *cli, *clib, *drv, *steps[ST_N], total, st[ST_N];
    const char *path;
    const char *args[16];
    cJSON *facts, *a;
    int i, j, na = 0, rc = 1, removed;

    err_clear(&e);
    if ((rc = open_mode("bench-oci", runtime, "exit", &s)) != 0)
        return rc < 0;
    rc = 1;
    facts = cJSON_CreateObject();
    driver_oci.facts(&s.modes[0], facts);
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(facts, "runtime_args")) if (na < 15) args[na++] = a->valuestring;
    args[na] = NULL;
    snprintf(run_id, sizeof(run_id), "ibbench%08x", (unsigned)(plat_now_ns() / 1000));
    cli = calloc((size_t)n, sizeof(double));
    clib = calloc((size_t)n, sizeof(double));
    drv = calloc((size_t)n, sizeof(double));
    for (j = 0; j < ST_N; j++)
        steps[j] = calloc((size_t)n, sizeof(double));

    path = cJSON_GetObjectItem(facts, "runtime_path")->valuestring;
    /* Warm-up, untimed: page cache, the runtime binary, the state root. */
    if (driver_once(&s, run_id, -1, &total, st, &e) < 0 || cli_once(&s, run_id, path, args, -1, 0, &total, &e) < 0) {
        printf("%s: warm-up: %s\n", runtime, e.msg);
        goto out;
    }
    for (i = 0; i < n; i++) {
        int k;
        for (k = 0; k < 3; k++) {
            int which = (i + k) % 3, r;
            if (which == 0)
                r = cli_once(&s, run_id, path, args, i, 0, &cli[i], &e);
            else if (which == 1)
                r = cli_once(&s, run_id, path, args, i, 1, &clib[i], &e);
            else
                r = driver_once(&s, run_id, i, &drv[i], st, &e);
            if (r < 0) {
                printf("%s: run %d (%s): %s\n", runtime, i, which == 2 ? "driver" : "cli", e.msg);
                goto out;
            }
            if (which == 2)
                for (j = 0; j < ST_N; j++)
                    steps[j][i] = st[j];
        }
    }
    {
        struct summary_stats sc, sb, sd;
        double *r1 = calloc((size_t)n, sizeof(double)), *r2 = calloc((size_t)n, sizeof(double));
        stats_summarize(cli, (size_t)n, &sc);
        stats_summarize(clib, (size_t)n, &sb);
        stats_summarize(drv, (size_t)n, &sd);
        /* Runs i of the three variants ran back to back: their ratios cancel drift. */
        for (i = 0; r1 != NULL && r2 != NULL && i < n; i++) {
            r1[i] = drv[i] / cli[i];
            r2[i] = drv[i] / clib[i];
        }
        printf("%-6s N=%d, median (sd) ms: `%s run` %.1f (%.1f) | `%s run` + bundle work %.1f (%.1f) | "
               "driver create..destroy %.1f (%.1f)\n",
               runtime, n, runtime, sc.p50 / 1e6, sc.sd / 1e6, runtime, sb.p50 / 1e6, sb.sd / 1e6, sd.p50 / 1e6,
               sd.sd / 1e6);
        printf("       driver / cli: ratio of medians %.3f, median of paired ratios %.3f\n", sd.p50 / sc.p50,
               r1 != NULL ? median(r1, n) : 0.0);
        printf("       driver / cli+bundle: ratio of medians %.3f, median of paired ratios %.3f\n", sd.p50 / sb.p50,
               r2 != NULL ? median(r2, n) : 0.0);
        printf("       driver steps (median ms):");
        for (j = 0; j < ST_N; j++)
            printf(" %s %.1f", step_names[j], median(steps[j], n) / 1e6);
        printf("\n");
        free(r1);
        free(r2);
    }
    rc = 0;
out:
    driver_oci.mode_fini(&s.modes[0]);
    driver_oci.cleanup(run_id, &removed, &e);
    cJSON_Delete(facts);
    free(cli);
    free(clib);
    free(drv);
    for (j = 0; j < ST_N; j++)
        free(steps[j]);
    scenario_free(&s);
    return rc;
}


/* ---- --sample: one sample round at a fleet of n ---- */

static int host_processes(void)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int n = 0;
    while (d != NULL && (de = readdir(d)) != NULL)
        if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
            n++;
    if (d != NULL)
        closedir(d);
    return n;
}

/* Median wall and CPU ns of `rounds` rounds sampling every container once. */
static void sample_rounds(struct ctr *cs, int n, unsigned sets, int rounds, double *wall, double *cpu, int *failed)
{
    double w[16], c[16];
    int r, i;
    struct err e;
    *failed = 0;
    for (r = 0; r < rounds && r < 16; r++) {
        int64_t t0 = plat_now_ns(), c0 = plat_thread_cpu_ns();
        for (i = 0; i < n; i++) {
            struct counters k;
            cs[i].sample_sets = sets;
            if (driver_oci.sample(&cs[i], &k, &e) < 0)
                (*failed)++;
        }
        w[r] = (double)(plat_now_ns() - t0);
        c[r] = (double)(plat_thread_cpu_ns() - c0);
    }
    *wall = median(w, rounds);
    *cpu = median(c, rounds);
}

static int bench_sampling(const char *runtime, int n)
{
    char run_id[32], line[256];
    int64_t t_ready;
    struct scenario s;
    struct scn_budget sb;
    struct budget b;
    struct err e;
    struct ctr *cs = NULL;
    int i, up = 0, rc = 1, removed, procs, failed;
    double wall, cpu;

    err_clear(&e);
    memset(&b, 0, sizeof(b));
    if ((rc = open_mode("bench-oci-sample", runtime, "idle", &s)) != 0)
        return rc < 0;
    rc = 1;
    snprintf(run_id, sizeof(run_id), "ibbench%08x", (unsigned)(plat_now_ns() / 1000));
    /* runsc holds ~27 tasks and ~25 MiB per idle container, runc 1 and ~1 MiB */
    sb.pids = n * 40 + 200;
    sb.mem_bytes = (int64_t)n * 40 * 1024 * 1024 + 512LL * 1024 * 1024;
    sb.cpus = 0;
    if (budget_create(&b, &sb, run_id, &e) < 0) {
        printf("%s: budget: %s\n", runtime, e.msg);
        goto out;
    }
    cs = calloc((size_t)n, sizeof(*cs));
    if (cs == NULL)
        goto out;
    for (i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "smp-%d", i);
        init_ctr(&cs[i], &s, run_id, name);
        cs[i].cgroup_parent = b.cgroup;
        cs[i].create_ns = plat_now_ns();
        if (driver_oci.create(&cs[i], &e) < 0 || driver_oci.start(&cs[i], &e) < 0 ||
            driver_oci.wait_output(&cs[i], MARKER_READY, 60000, line, sizeof(line), &t_ready, &e) < 0) {
            printf("%s: container %d: %s\n", runtime, i, e.msg);
            up = i + 1;
            goto out;
        }
        up = i + 1;
    }
    procs = host_processes();
    sample_rounds(cs, n, CSET_CHEAP, 5, &wall, &cpu, &failed);
    printf("%-6s sample round over %d containers (%d processes on the host), one thread, median of 5:\n", runtime,
           n, procs);
    printf("       cheap set: %.1f ms wall, %.1f ms CPU per round (%.0f us per container)%s\n", wall / 1e6,
           cpu / 1e6, wall / 1e3 / n, failed ? " [some samples failed]" : "");
    sample_rounds(cs, n, CSET_ALL, 5, &wall, &cpu, &failed);
    printf("       every set: %.1f ms wall, %.1f ms CPU per round (%.0f us per container)%s\n", wall / 1e6,
           cpu / 1e6, wall / 1e3 / n, failed ? " [some samples failed]" : "");
    rc = 0;
out:
    for (i = 0; i < up; i++) {
        struct err e2;
        driver_oci.stop(&cs[i], &e2);
        driver_oci.destroy(&cs[i], &e2);
    }
    free(cs);
    budget_remove(&b, &e);
    driver_oci.mode_fini(&s.modes[0]);
    driver_oci.cleanup(run_id, &removed, &e);
    scenario_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = { "runc", "runsc", NULL };
    int n = 20, i, rc = 0, first = 1;

    if (geteuid() != 0) {
        fprintf(stderr, "bench_oci: needs root\n");
        return 2;
    }
    if (argc == 4 && strcmp(argv[1], "--sample") == 0) {
        n = atoi(argv[2]);
        if (n < 1) {
            fprintf(stderr, "usage: bench_oci --sample N RUNTIME\n");
            return 2;
        }
        return bench_sampling(argv[3], n);
    }
    if (argc > 1) {
        n = atoi(argv[1]);
        if (n < 1) {
            fprintf(stderr, "usage: bench_oci [N] [RUNTIME...]\n");
            return 2;
        }
        first = 2;
    }
    if (argc > first) {
        for (i = first; i < argc; i++)
            rc |= bench_runtime(argv[i], n);
    } else {
        for (i = 0; defaults[i] != NULL; i++)
            rc |= bench_runtime(defaults[i], n);
    }
    return rc;
}
