/*
 * bench_ns_start.c - start latency of the ns driver against two floors, with
 * fleets of idle containers already running.
 *
 * Floors (no isobench code on their path):
 *   raw        clone() into new pid, mount, uts and ipc namespaces and exec
 *              the host's isobench-payload `exit` directly, READY read from
 *              a pipe: the least any namespace launcher does.
 *   raw+fs+cg  the same plus what a container needs and the ns driver does:
 *              upper/work/merged directories (in the driver's run
 *              directory, next to its containers'), a cgroup per container (v1:
 *              memory, cpu, cpuacct, pids; v2: one directory) entered by the
 *              child before exec, / made private, the overlay mounted
 *              (device layer + image), /proc mounted, pivot_root; torn down
 *              after (kill, cgroup and directories removed). Plain system
 *              calls written here, not the driver's code.
 * The ns driver runs the same payload from its image through create ->
 * start -> wait_output(READY), the span the runner records as start_ms.
 * The three are run N times (default 30), interleaved with a 10 ms pause
 * before each, in the six orders in turn, so that each kind follows each
 * other kind equally often (drift on the host and the previous teardown's
 * deferred kernel work, e.g. a memory cgroup's offlining, hit all alike;
 * a fixed rotation made the driver follow the floor's teardown two times
 * in three), at each background fleet size given (default 0; e.g.
 * 0,1000,4000,8000: idle ns containers launched first and left running).
 * Per block the p50s, the phases, and isobench's share of the driver's
 * start: the median of the paired differences (each driver start against
 * the floor start next to it) over the driver's p50, split into the
 * phases (create, create->exec, exec->READY). "1000x5" measures five
 * blocks at that fleet size; the summary gives each size's median share
 * over its blocks and their range.
 *
 * usage: bench_ns_start [N] [FLEETS] [BUDGET]
 *   FLEETS  comma-separated background fleet sizes, each optionally xR
 *           (R blocks at that size; default 0)
 *   BUDGET  --budget syntax (e.g. memory=8G,pids=11000): every container,
 *           background and measured, lives in that parent cgroup. Needed
 *           above ~300 background containers, with /tmp/isobench-heavy.lock.
 * (root; ISOBENCH_CACHE selects the image cache)
 */
#define _GNU_SOURCE
#include "budget.h"
#include "driver.h"
#include "image.h"
#include "plat.h"
#include "proc.h"
#include "scenario.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_ns;

#define MAX_N 1000
#define MAX_BLOCKS 32

/*
 * The floors start the way the ns driver does since it stopped copying
 * isobench's descriptor table into each container: cloned sharing the
 * table (CLONE_FILES), the child's first act close_range(low + 1, ~0U,
 * CLOSE_RANGE_UNSHARE), so that it copies only the descriptors up to a low
 * slot reserved at start-up (held on /dev/null) that carries the pipe's
 * write end. Without it a floor copies the whole table, the fleet's pipes
 * included: 0.08 us a descriptor.
 */
static int low_slot = -1, null_fd = -1;

static void low_slot_reserve(void)
{
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd >= 0)
        low_slot = fcntl(null_fd, F_DUPFD_CLOEXEC, 3);
}

/* The pipe's write end onto the low slot (the original closed). */
static int low_slot_take(int wr)
{
    if (low_slot < 0)
        return wr;
    if (dup3(wr, low_slot, O_CLOEXEC) < 0)
        return wr;
    close(wr);
    return low_slot;
}

/* After the clone: the write end closed, the slot held again. */
static void low_slot_give_back(int wr)
{
    if (wr == low_slot)
        dup3(null_fd, low_slot, O_CLOEXEC);
    else
        close(wr);
}

/* In the child: a table of its own with the descriptors up to wr only. */
static void child_small_table(int wr)
{
    if (wr != low_slot || syscall(SYS_close_range, (unsigned)wr + 1, ~0U, 2U /* CLOSE_RANGE_UNSHARE */) < 0)
        unshare(CLONE_FILES);
}

struct raw_child {
    const char *path;
    int out;
    char stack[32 * 1024];
};

static int raw_main(void *arg)
{
    struct raw_child *r = arg;
    char *const argv[] = { (char *)"isobench-payload", (char *)"exit", NULL };
    child_small_table(r->out);
    dup2(r->out, 1);
    execv(r->path, argv);
    _exit(127);
}

/* Read from fd until a line starting with MARKER_READY; 0 when seen. */
static int read_ready(int fd)
{
    char buf[4096];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, buf + used, sizeof(buf) - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        used += (size_t)n;
        buf[used] = '\0';
        if (strstr(buf, MARKER_READY "\n") != NULL)
            return 0;
        if (used == sizeof(buf) - 1)
            used = 0;
    }
}

/* One raw start: clone+exec to READY, in ns. */
static int raw_once(struct raw_child *r, int64_t *ns_out)
{
    int fds[2], status;
    int64_t t0, t1;
    pid_t pid;
    uintptr_t top = ((uintptr_t)(r->stack + sizeof(r->stack))) & ~(uintptr_t)15;

    t0 = plat_now_ns();
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    r->out = low_slot_take(fds[1]);
    pid = clone(raw_main, (void *)top,
                CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
                    CLONE_NEWIPC,
                r);
    low_slot_give_back(r->out);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    if (read_ready(fds[0]) < 0) {
        close(fds[0]);
        waitpid(pid, &status, 0);
        return -1;
    }
    t1 = plat_now_ns();
    close(fds[0]);
    waitpid(pid, &status, 0);
    *ns_out = t1 - t0;
    return 0;
}

struct ns_sample {
    int64_t total, create, start, to_exec, exec_to_ready;
};

static const char *budget_parent; /* the budget cgroup, or NULL */

static int ns_once(struct mode *m, struct scenario *s, const char *run_id, int i, struct ns_sample *out,
                   struct err *e)
{
    static const char *const argv[] = { IMAGE_PAYLOAD_PATH, "exit", NULL };
    struct ctr c;
    char line[256];
    int64_t t_create, t_start, t_ready;
    int rc = -1;
    struct err tmp;

    memset(&c, 0, sizeof(c));
    c.mode = m;
    c.scn = s;
    c.run_id = run_id;
    c.index = i;
    c.fleet_size = 1;
    c.argv = argv;
    c.cgroup_parent = budget_parent;
    snprintf(c.name, sizeof(c.name), "%s-%s-%d", run_id, m->name, i);
    c.create_ns = t_create = plat_now_ns();
    if (driver_ns.create(&c, e) < 0)
        goto out;
    t_start = plat_now_ns();
    if (driver_ns.start(&c, e) < 0)
        goto out;
    if (driver_ns.wait_output(&c, MARKER_READY, s->ready_timeout_ms, line, sizeof(line), &t_ready, e) < 0)
        goto out;
    c.ready_ns = t_ready;
    out->total = t_ready - t_create;
    out->create = t_start - t_create;
    out->start = c.exec_ns - t_start;
    out->to_exec = c.exec_ns - t_create;
    out->exec_to_ready = t_ready - c.exec_ns;
    rc = 0;
out:
    err_clear(&tmp);
    if (driver_ns.destroy(&c, rc < 0 ? &tmp : e) < 0 && rc == 0)
        rc = -1;
    return rc;
}

/* ---- the raw+fs+cg floor: plain system calls ---- */

static int cg_v2;
static const char *const v1_ctrls[] = { "memory", "cpu", "cpuacct", "pids", NULL };

struct full_child {
    const char *payload;     /* path inside the image */
    char merged[1024], opts[3072], cgfiles[4][1024];
    int ncg, out;
    volatile int failed;
    volatile int64_t exec_ns;   /* written by the child just before exec */
    char stack[64 * 1024];
};

static int write_str(const char *path, const char *v)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), ok;
    if (fd < 0)
        return -1;
    ok = write(fd, v, strlen(v)) == (ssize_t)strlen(v);
    close(fd);
    return ok ? 0 : -1;
}

static int full_main(void *arg)
{
    struct full_child *f = arg;
    char *const argv[] = { (char *)f->payload, (char *)"exit", NULL };
    int i;
    child_small_table(f->out);
    for (i = 0; i < f->ncg; i++)
        if (write_str(f->cgfiles[i], "0") < 0)
            goto fail;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("overlay", f->merged, "overlay", 0, f->opts) < 0 || chdir(f->merged) < 0 ||
        mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
        syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        goto fail;
    dup2(f->out, 1);
    f->exec_ns = plat_now_ns();
    execv(f->payload, argv);
fail:
    f->failed = 1;
    _exit(127);
}

/* cgroup directory of the floor's container i in every hierarchy used. */
static int full_cgdir(const char *parent, int i, int ctl, char *buf, size_t n)
{
    if (cg_v2)
        return ctl == 0 ? snprintf(buf, n, "/sys/fs/cgroup/%s/raw%d", parent, i), 1 : 0;
    if (v1_ctrls[ctl] == NULL)
        return 0;
    snprintf(buf, n, "/sys/fs/cgroup/%s/%s/raw%d", v1_ctrls[ctl], parent, i);
    return 1;
}

/* The floor's phases, as the driver's: directories and cgroups; create to exec. */
static int64_t full_create_ns, full_to_exec_ns;

static int full_once(struct full_child *f, const char *parent, const char *scratch, int i, int64_t *ns_out)
{
    static char rootfs[4096];
    char dir[1024], up[1100], wk[1100], cg[1024];
    int fds[2], status, k, rc = -1;
    int64_t t0;
    pid_t pid;
    uintptr_t top = ((uintptr_t)(f->stack + sizeof(f->stack))) & ~(uintptr_t)15;

    if (rootfs[0] == '\0') /* once: naming the image hashes the payload */
        image_default_rootfs(rootfs, sizeof(rootfs));
    t0 = plat_now_ns();
    snprintf(dir, sizeof(dir), "%s/raw%d", scratch, i);
    snprintf(up, sizeof(up), "%s/upper", dir);
    snprintf(wk, sizeof(wk), "%s/work", dir);
    snprintf(f->merged, sizeof(f->merged), "%s/merged", dir);
    if (mkdir(dir, 0755) < 0 || mkdir(up, 0755) < 0 || mkdir(wk, 0700) < 0 || mkdir(f->merged, 0755) < 0)
        return -1;
    snprintf(f->opts, sizeof(f->opts), "lowerdir=%s/ns/devlayer:%s,upperdir=%s,workdir=%s",
             image_cache_dir(), rootfs, up, wk);
    f->ncg = 0;
    for (k = 0; full_cgdir(parent, i, k, cg, sizeof(cg)); k++) {
        if (mkdir(cg, 0755) < 0)
            goto out;
        snprintf(f->cgfiles[f->ncg++], sizeof(f->cgfiles[0]), "%s/%s", cg, cg_v2 ? "cgroup.procs" : "tasks");
    }
    full_create_ns = plat_now_ns() - t0;
    if (pipe2(fds, O_CLOEXEC) < 0)
        goto out;
    f->out = low_slot_take(fds[1]);
    f->failed = 0;
    pid = clone(full_main, (void *)top,
                CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS |
                    CLONE_NEWIPC,
                f);
    low_slot_give_back(f->out);
    if (pid < 0) {
        close(fds[0]);
        goto out;
    }
    if (!f->failed && read_ready(fds[0]) == 0) {
        *ns_out = plat_now_ns() - t0;
        full_to_exec_ns = f->exec_ns - t0;
        rc = 0;
    }
    close(fds[0]);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
out:
    for (k = 0; full_cgdir(parent, i, k, cg, sizeof(cg)); k++) {
        int tries;
        for (tries = 0; rmdir(cg) < 0 && errno == EBUSY && tries < 1000; tries++)
            usleep(1000);
    }
    if (dir_remove_tree(dir, NULL) < 0)
        rc = -1;
    return rc;
}

/* ---- the background fleet ---- */

static int fleet_grow(struct mode *m, struct scenario *s, const char *run_id, struct ctr *bg, int *have, int want,
                      struct err *e)
{
    static const char *const argv[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };
    char line[256];
    for (; *have < want; (*have)++) {
        struct ctr *c = &bg[*have];
        int64_t t;
        memset(c, 0, sizeof(*c));
        c->mode = m;
        c->scn = s;
        c->run_id = run_id;
        c->index = *have;
        c->argv = argv;
        c->cgroup_parent = budget_parent;
        snprintf(c->name, sizeof(c->name), "%s-bg-%d", run_id, *have);
        if (driver_ns.create(c, e) < 0 || driver_ns.start(c, e) < 0 ||
            driver_ns.wait_output(c, MARKER_READY, 30000, line, sizeof(line), &t, e) < 0) {
            struct err tmp;
            driver_ns.destroy(c, &tmp);
            return err_wrap(e, "background container %d", *have);
        }
        if (plat_interrupted())
            return err_set(e, EINTR, "interrupted");
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double p50_ms(int64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_i64);
    return (n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) / 1e6;
}

/* Each kind in each position equally often, and after each other kind. */
static const int orders[6][3] = { { 0, 1, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 0, 2, 1 }, { 2, 1, 0 }, { 1, 0, 2 } };

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Per fleet size: the median of its blocks' paired shares and their range. */
static void print_shares(const int *fleets, const double *share, int nf)
{
    double v[MAX_BLOCKS], worst = -INFINITY;
    int i, j, k;
    printf("isobench's share of the start (paired median difference / ns p50), per fleet size:\n");
    for (i = 0; i < nf; i++) {
        for (j = 0; j < i && fleets[j] != fleets[i]; j++)
            ;
        if (j < i)
            continue; /* size already printed */
        for (k = 0, j = i; j < nf; j++)
            if (fleets[j] == fleets[i])
                v[k++] = share[j];
        qsort(v, (size_t)k, sizeof(v[0]), cmp_dbl);
        if (k == 1)
            printf("  %7d running: %5.1f %%\n", fleets[i], v[0]);
        else
            printf("  %7d running: %5.1f %% (median of %d blocks, %.1f to %.1f %%)\n", fleets[i],
                   k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2, k, v[0], v[k - 1]);
        worst = fmax(worst, k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2);
    }
    printf("  largest: %.1f %% (target: at most 10 %%)\n", worst);
}

int main(int argc, char **argv)
{
    static int64_t raw[MAX_N], full[MAX_N], tot[MAX_N], cre[MAX_N], toexec[MAX_N], exready[MAX_N];
    static int64_t fcre[MAX_N], ftoexec[MAX_N], diff[MAX_N], dcre[MAX_N], dexec[MAX_N], dready[MAX_N];
    double share[MAX_BLOCKS];
    static struct raw_child rc;
    static struct full_child fc;
    struct scenario s;
    struct scn_budget sb;
    struct budget bud;
    struct mode *m;
    struct err e;
    struct statfs sfs;
    struct ctr *bg = NULL;
    char payload[4096], run_id[64], fleets_arg[256], scratch[1024], parent[256];
    int n = argc > 1 ? atoi(argv[1]) : 30, i, removed = 0, nbg = 0, fleets[MAX_BLOCKS], nf = 0, fi, maxf = 0, status = 1;
    double full0 = NAN;
    char *tok, *save = NULL;

    snprintf(fleets_arg, sizeof(fleets_arg), "%s", argc > 2 ? argv[2] : "0");
    for (tok = strtok_r(fleets_arg, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *x = strchr(tok, 'x');
        int size = atoi(tok), reps = x ? atoi(x + 1) : 1, r;
        if (size < 0 || reps < 1 || nf + reps > MAX_BLOCKS) {
            nf = 0;
            break;
        }
        for (r = 0; r < reps; r++)
            fleets[nf++] = size;
        if (size > maxf)
            maxf = size;
    }
    if (n < 1 || n > MAX_N || nf == 0) {
        fprintf(stderr, "usage: bench_ns_start [N (1..%d)] [FLEETS e.g. 0,1000x3 (at most %d blocks)] [BUDGET]\n",
                MAX_N, MAX_BLOCKS);
        return 2;
    }
    plat_catch_interrupts();
    low_slot_reserve();
    err_clear(&e);
    memset(&s, 0, sizeof(s));
    memset(&bud, 0, sizeof(bud));
    s.ready_timeout_ms = 10000;
    s.nmodes = 1;
    m = &s.modes[0];
    snprintf(m->name, sizeof(m->name), "ns");
    snprintf(m->driver_name, sizeof(m->driver_name), "ns");
    m->drv = &driver_ns;
    if (driver_ns.probe(m, &e) < 0 || driver_ns.mode_init(m, &s, &e) < 0) {
        fprintf(stderr, "bench_ns_start: %s\n", e.msg);
        return 1;
    }
    if (image_payload_binary(payload, sizeof(payload), &e) < 0) {
        fprintf(stderr, "bench_ns_start: %s\n", e.msg);
        return 1;
    }
    rc.path = payload;
    fc.payload = IMAGE_PAYLOAD_PATH;
    snprintf(run_id, sizeof(run_id), "bench%d", (int)getpid());
    cg_v2 = statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == 0x63677270;
    if (argc > 3) {
        if (scenario_parse_budget(argv[3], &sb, &e) < 0 || budget_create(&bud, &sb, run_id, &e) < 0) {
            fprintf(stderr, "bench_ns_start: budget: %s\n", e.msg);
            return 1;
        }
        budget_parent = bud.cgroup;
        snprintf(parent, sizeof(parent), "%s", bud.cgroup);
    } else {
        snprintf(parent, sizeof(parent), "isobench/%s-raw", run_id); /* not the run cgroup ns removes */
        for (i = 0; full_cgdir(parent, 0, i, scratch, sizeof(scratch)); i++) {
            *strrchr(scratch, '/') = '\0';
            plat_mkdir_p(scratch, &e);
        }
    }
    /* The floor's directories sit next to the driver's containers: ext4
       places a new directory's inode in its parent's block group, and
       without a journal allocating one there scans past every inode freed
       in the last 60 s or more (recently_deleted), so two parents can
       differ by 0.1-0.5 ms a start depending on the deletions near each. */
    snprintf(scratch, sizeof(scratch), "%s/ns/runs/%s", image_cache_dir(), run_id);
    if (plat_mkdir_p(scratch, &e) < 0) {
        fprintf(stderr, "bench_ns_start: %s\n", e.msg);
        goto done;
    }
    plat_raise_nofile((long)maxf * 5 + 1024);
    bg = calloc((size_t)maxf + 1, sizeof(*bg));
    if (bg == NULL)
        goto done;

    /* One unmeasured round of each warms the page cache and dentries. */
    {
        struct ns_sample w;
        int64_t t;
        if (raw_once(&rc, &t) < 0 || full_once(&fc, parent, scratch, 0, &t) < 0 ||
            ns_once(m, &s, run_id, 0, &w, &e) < 0) {
            fprintf(stderr, "bench_ns_start: warm-up: %s\n", e.msg[0] ? e.msg : strerror(errno));
            goto done;
        }
    }
    printf("start latency to READY, p50 of %d interleaved runs (isobench-payload exit), idle ns containers running\n", n);
    printf("  %7s %9s %11s %9s %12s %11s %11s %10s\n", "running", "raw ms", "raw+fs+cg", "ns ms", "ns create",
           "ns to exec", "exec->READY", "isobench %");
    for (fi = 0; fi < nf && !plat_interrupted(); fi++) {
        double raw50, full50, ns50;
        if (fleet_grow(m, &s, run_id, bg, &nbg, fleets[fi], &e) < 0) {
            fprintf(stderr, "bench_ns_start: growing the fleet to %d: %s\n", fleets[fi], e.msg);
            goto done;
        }
        fleets[fi] = nbg; /* a smaller size after a larger one keeps the larger fleet */
        for (i = 0; i < n; i++) {
            struct ns_sample x;
            int k;
            /* The six orders in turn, each after a pause that lets the
               previous teardown's deferred kernel work drain. */
            for (k = 0; k < 3; k++) {
                int which = orders[i % 6][k];
                usleep(10000);
                if (which == 0 && raw_once(&rc, &raw[i]) < 0) {
                    fprintf(stderr, "bench_ns_start: raw clone+exec failed: %s\n", strerror(errno));
                    goto done;
                }
                if (which == 1 && full_once(&fc, parent, scratch, i + 1, &full[i]) < 0) {
                    fprintf(stderr, "bench_ns_start: raw+fs+cg floor failed: %s\n", strerror(errno));
                    goto done;
                }
                if (which == 1) {
                    fcre[i] = full_create_ns;
                    ftoexec[i] = full_to_exec_ns;
                }
                if (which == 2 && ns_once(m, &s, run_id, i + 1, &x, &e) < 0) {
                    fprintf(stderr, "bench_ns_start: ns: %s\n", e.msg);
                    goto done;
                }
            }
            tot[i] = x.total;
            cre[i] = x.create;
            toexec[i] = x.to_exec;
            exready[i] = x.exec_to_ready;
            diff[i] = x.total - full[i];
            dcre[i] = x.create - fcre[i];
            dexec[i] = (x.to_exec - x.create) - (ftoexec[i] - fcre[i]);
            dready[i] = x.exec_to_ready - (full[i] - ftoexec[i]);
        }
        raw50 = p50_ms(raw, n);
        full50 = p50_ms(full, n);
        ns50 = p50_ms(tot, n);
        if (fi == 0)
            full0 = full50;
        printf("  %7d %9.3f %11.3f %9.3f %12.3f %11.3f %11.3f %9.1f%%\n", nbg, raw50, full50, ns50, p50_ms(cre, n),
               p50_ms(toexec, n), p50_ms(exready, n), 100.0 * (ns50 - full50) / ns50);
        /* The same split for the floor, and the median of the paired
           differences (each ns start against the floor run next to it). */
        share[fi] = 100.0 * p50_ms(diff, n) / ns50;
        printf("  %7s %9s %11s %9s %12.3f %11.3f %11s %9.1f%% (paired)\n", "floor", "", "", "", p50_ms(fcre, n),
               p50_ms(ftoexec, n), "", share[fi]);
        printf("  %7s paired differences (ns - floor, median): create %+.3f ms, create->exec %+.3f ms, "
               "exec->READY %+.3f ms\n", "", p50_ms(dcre, n), p50_ms(dexec, n), p50_ms(dready, n));
        fflush(stdout);
    }
    if (nf > 1 && !isnan(full0))
        printf("kernel's growth: the raw+fs+cg column against its first row; isobench's share: (ns - raw+fs+cg) / ns\n");
    if (fi == nf)
        print_shares(fleets, share, nf);
    status = 0;
done:
    for (i = 0; i < nbg; i++)
        driver_ns.destroy(&bg[i], &e);
    free(bg);
    driver_ns.cleanup(run_id, &removed, &e);
    driver_ns.mode_fini(m);
    {
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
        if (system(cmd) != 0)
            status = 1;
    }
    if (bud.set)
        budget_remove(&bud, &e);
    else
        for (i = 0; full_cgdir(parent, 0, i, scratch, sizeof(scratch)); i++) {
            *strrchr(scratch, '/') = '\0';
            rmdir(scratch);
        }
    return status;
}
