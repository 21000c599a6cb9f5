/*
 * bench_ns_start.c - start latency of the ns driver against the floor.
 *
 * The floor is the least any namespace container launcher can do: clone()
 * into new pid, mount, uts and ipc namespaces and exec the host's
 * isobench-payload `exit` directly (no overlay, no cgroup, no /proc), then
 * read its READY line from a pipe. The ns driver runs the same payload from
 * its image through create -> start -> wait_output(READY), the span the
 * runner records as start_ms. Both are run N times (default 30), interleaved
 * so that drift on the host hits both alike, and the p50 of each and their
 * ratio are printed, with the driver's create->exec / exec->ready split.
 *
 * usage: bench_ns_start [N]      (root; ISOBENCH_CACHE selects the image cache)
 */
#define _GNU_SOURCE
#include "driver.h"
#include "image.h"
#include "plat.h"
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_ns;

#define MAX_N 1000

struct raw_child {
    const char *path;
    int out;
    char stack[32 * 1024];
};

static int raw_main(void *arg)
{
    struct raw_child *r = arg;
    char *const argv[] = { (char *)"isobench-payload", (char *)"exit", NULL };
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
    r->out = fds[1];
    pid = clone(raw_main, (void *)top,
                CLONE_VM | CLONE_VFORK | SIGCHLD | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC, r);
    close(fds[1]);
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

int main(int argc, char **argv)
{
    static int64_t raw[MAX_N], tot[MAX_N], cre[MAX_N], sta[MAX_N], toexec[MAX_N], exready[MAX_N];
    static struct raw_child rc;
    struct scenario s;
    struct mode *m;
    struct err e;
    char payload[4096], run_id[64];
    int n = argc > 1 ? atoi(argv[1]) : 30, i, removed = 0;
    double raw50, ns50;

    if (n < 1 || n > MAX_N) {
        fprintf(stderr, "usage: bench_ns_start [N (1..%d)]\n", MAX_N);
        return 2;
    }
    err_clear(&e);
    memset(&s, 0, sizeof(s));
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
    snprintf(run_id, sizeof(run_id), "bench%d", (int)getpid());

    /* One unmeasured round of each warms the page cache and dentries. */
    {
        struct ns_sample w;
        int64_t t;
        if (raw_once(&rc, &t) < 0 || ns_once(m, &s, run_id, 0, &w, &e) < 0) {
            fprintf(stderr, "bench_ns_start: warm-up: %s\n", e.msg[0] ? e.msg : strerror(errno));
            return 1;
        }
    }
    for (i = 0; i < n; i++) {
        struct ns_sample x;
        if (raw_once(&rc, &raw[i]) < 0) {
            fprintf(stderr, "bench_ns_start: raw clone+exec failed: %s\n", strerror(errno));
            return 1;
        }
        if (ns_once(m, &s, run_id, i + 1, &x, &e) < 0) {
            fprintf(stderr, "bench_ns_start: ns: %s\n", e.msg);
            driver_ns.cleanup(run_id, &removed, &e);
            return 1;
        }
        tot[i] = x.total;
        cre[i] = x.create;
        sta[i] = x.start;
        toexec[i] = x.to_exec;
        exready[i] = x.exec_to_ready;
    }
    driver_ns.mode_fini(m);

    raw50 = p50_ms(raw, n);
    ns50 = p50_ms(tot, n);
    printf("start latency to READY, p50 of %d interleaved runs (isobench-payload exit)\n", n);
    printf("  raw clone+exec (pid,mnt,uts,ipc ns): %8.3f ms\n", raw50);
    printf("  ns driver create->READY:             %8.3f ms\n", ns50);
    printf("    create hook (dirs + cgroup):       %8.3f ms\n", p50_ms(cre, n));
    printf("    start hook to exec:                %8.3f ms\n", p50_ms(sta, n));
    printf("    create->exec:                      %8.3f ms\n", p50_ms(toexec, n));
    printf("    exec->READY:                       %8.3f ms\n", p50_ms(exready, n));
    printf("  ratio ns/raw:                        %8.2f\n", ns50 / raw50);
    return 0;
}
