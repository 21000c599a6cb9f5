/*
 * test_ns.c - the ns driver on real namespaces, cgroups and overlayfs.
 *
 * Needs root (skips with the reason otherwise, fails under CI). Each test
 * uses its own run id, tears down what it made and checks that nothing is
 * left: no cgroup, no mount under the scratch directory, no process, no
 * directory. The `cleanup` test makes a real crash: a forked process starts
 * containers and _exit()s without destroying them.
 */
#define _GNU_SOURCE
#include "cgroup.h"
#include "driver.h"
#include "image.h"
#include "plat.h"
#include "proc.h"
#include "scenario.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_ns;

#define READY_TIMEOUT_MS 10000
#define FLEET 5

static const char *const idle_argv[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };
static const char *const exit_argv[] = { IMAGE_PAYLOAD_PATH, "exit", NULL };

static struct scenario scn;
static char run_id[64];

static void need_root(void)
{
    require_or_skip(geteuid() == 0, "the ns driver needs root (namespaces, cgroups, overlayfs)");
}

/* The scenario and mode as the runner would make them, without the probe. */
static struct mode *setup_mode_unprobed(cJSON *options)
{
    struct mode *m;
    memset(&scn, 0, sizeof(scn));
    scn.ready_timeout_ms = READY_TIMEOUT_MS;
    scn.nmodes = 1;
    m = &scn.modes[0];
    snprintf(m->name, sizeof(m->name), "ns");
    snprintf(m->driver_name, sizeof(m->driver_name), "ns");
    m->drv = &driver_ns;
    m->options = options;
    snprintf(run_id, sizeof(run_id), "t%dx%lld", (int)getpid(), (long long)(plat_now_ns() % 1000000));
    return m;
}

static struct mode *setup_mode(cJSON *options)
{
    struct mode *m = setup_mode_unprobed(options);
    struct err e;
    err_clear(&e);
    cr_assert_eq(driver_ns.probe(m, &e), 0, "probe: %s", e.msg);
    return m;
}

static void init_mode(struct mode *m)
{
    struct err e;
    err_clear(&e);
    cr_assert_eq(driver_ns.mode_init(m, &scn, &e), 0, "mode_init: %s", e.msg);
}

static void init_ctr(struct ctr *c, struct mode *m, int i, const char *const *argv)
{
    memset(c, 0, sizeof(*c));
    c->mode = m;
    c->scn = &scn;
    c->run_id = run_id;
    c->index = i;
    c->fleet_size = FLEET;
    c->argv = argv;
    snprintf(c->name, sizeof(c->name), "%s-%s-%d", run_id, m->name, i);
}

/* create -> start -> READY, as the runner does it. */
static void launch(struct ctr *c)
{
    char line[256];
    struct err e;
    err_clear(&e);
    c->create_ns = plat_now_ns();
    cr_assert_eq(driver_ns.create(c, &e), 0, "create %s: %s", c->name, e.msg);
    cr_assert_eq(driver_ns.start(c, &e), 0, "start %s: %s", c->name, e.msg);
    cr_assert_eq(driver_ns.wait_output(c, MARKER_READY, READY_TIMEOUT_MS, line, sizeof(line), &c->ready_ns, &e), 0,
                 "wait_output %s: %s", c->name, e.msg);
    cr_assert_str_eq(line, MARKER_READY);
}

static void cgrel(char *buf, size_t n, const struct ctr *c)
{
    snprintf(buf, n, "isobench/%s/%s", run_id, c->name);
}

/* The container's init, found through its cgroup as an outsider would. */
static pid_t ctr_pid(const struct ctr *c)
{
    char rel[512];
    pid_t pids[16];
    int n = 16;
    struct err e;
    cgrel(rel, sizeof(rel), c);
    cr_assert_eq(cgroup_pids(cgroup_detect(), rel, pids, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1, "one process in %s, found %d", rel, n);
    return pids[0];
}

static int same_ns(pid_t pid, const char *ns)
{
    char a[256], b[256], pa[64], pb[64];
    ssize_t la, lb;
    snprintf(pa, sizeof(pa), "/proc/%d/ns/%s", (int)pid, ns);
    snprintf(pb, sizeof(pb), "/proc/self/ns/%s", ns);
    la = readlink(pa, a, sizeof(a) - 1);
    lb = readlink(pb, b, sizeof(b) - 1);
    cr_assert(la > 0 && lb > 0, "readlink ns/%s", ns);
    a[la] = b[lb] = '\0';
    return strcmp(a, b) == 0;
}

/* The hostname seen inside pid's uts namespace (setns in a forked child). */
static void hostname_of(pid_t pid, char *buf, size_t n)
{
    int fds[2], status;
    pid_t child;
    ssize_t r;
    cr_assert_eq(pipe(fds), 0);
    child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        char path[64], name[256] = "";
        int fd;
        snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
        fd = open(path, O_RDONLY);
        if (fd < 0 || setns(fd, CLONE_NEWUTS) < 0 || gethostname(name, sizeof(name)) < 0)
            _exit(1);
        if (write(fds[1], name, strlen(name)) < 0)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    r = read(fds[0], buf, n - 1);
    close(fds[0]);
    waitpid(child, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "setns into uts of %d", (int)pid);
    buf[r < 0 ? 0 : r] = '\0';
}

/* Any mount point in our mount table that mentions the run id? */
static int mounts_mentioning(const char *id)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[8192];
    int n = 0;
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f) != NULL)
        if (strstr(line, id) != NULL)
            n++;
    fclose(f);
    return n;
}

static void scratch_run_dir(char *buf, size_t n)
{
    snprintf(buf, n, "%s/ns/runs/%s", image_cache_dir(), run_id);
}

/* Alive = exists and is not a zombie. A zombie is reaped when it is ours
   (Criterion makes test processes subreapers of orphans). */
static int alive(pid_t pid)
{
    char path[64], buf[512];
    const char *p;
    FILE *f;
    int status;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    p = fgets(buf, sizeof(buf), f);
    fclose(f);
    p = p ? strrchr(buf, ')') : NULL;
    if (p != NULL && p[1] == ' ' && p[2] == 'Z') {
        waitpid(pid, &status, WNOHANG);
        return 0;
    }
    return 1;
}

static void assert_nothing_left(const pid_t *pids, int npids)
{
    char rel[512], dir[4096];
    int i;
    snprintf(rel, sizeof(rel), "isobench/%s", run_id);
    cr_assert(!cgroup_exists(cgroup_detect(), rel), "cgroup %s left behind", rel);
    cr_assert_eq(mounts_mentioning(run_id), 0, "mounts of run %s left behind", run_id);
    scratch_run_dir(dir, sizeof(dir));
    cr_assert(!plat_exists(dir), "scratch directory %s left behind", dir);
    for (i = 0; i < npids; i++)
        cr_assert(!alive(pids[i]), "process %d still alive", (int)pids[i]);
}

Test(ns, fleet_of_idle_containers)
{
    struct mode *m;
    struct ctr c[FLEET];
    pid_t pids[FLEET];
    struct err e;
    struct utsname host;
    int i;

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    err_clear(&e);
    for (i = 0; i < FLEET; i++) {
        init_ctr(&c[i], m, i, idle_argv);
        launch(&c[i]);
    }
    plat_sleep_ms(200);
    uname(&host);
    for (i = 0; i < FLEET; i++) {
        struct counters k;
        int64_t start = c[i].ready_ns - c[i].create_ns;
        char name[256];
        const char *spaces[] = { "pid", "uts", "mnt", "ipc" };
        size_t s;

        cr_assert_gt(start, 0);
        cr_assert_lt(start, (int64_t)READY_TIMEOUT_MS * 1000000LL);
        cr_assert(c[i].exec_ns > c[i].create_ns && c[i].exec_ns < c[i].ready_ns,
                  "exec time between create and ready");

        cr_assert_eq(driver_ns.sample(&c[i], &k, &e), 0, "sample: %s", e.msg);
        cr_assert_gt(k.mem_pss_bytes, 0);
        cr_assert_gt(k.mem_rss_bytes, 0);
        cr_assert_geq(k.mem_rss_bytes, k.mem_pss_bytes);
        cr_assert_gt(k.mem_cgroup_bytes, 0);
        cr_assert_gt(k.cpu_ns, 0);
        cr_assert_geq(k.storage_bytes, 0);
        cr_assert_eq(k.pids, 1);
        cr_assert_eq(k.mem_private_ws_bytes, -1, "Windows-only counters stay unknown");

        pids[i] = ctr_pid(&c[i]);
        for (s = 0; s < sizeof(spaces) / sizeof(spaces[0]); s++)
            cr_assert(!same_ns(pids[i], spaces[s]), "%s namespace of %s is the host's", spaces[s], c[i].name);
        cr_assert(same_ns(pids[i], "net"), "no network namespace unless asked for");
        hostname_of(pids[i], name, sizeof(name));
        cr_assert_str_eq(name, c[i].name);
        cr_assert_str_neq(name, host.nodename);
    }
    /* The overlays live in the containers' mount namespaces only. */
    cr_assert_eq(mounts_mentioning(run_id), 0);

    for (i = 0; i < FLEET; i++) {
        cr_assert_eq(driver_ns.stop(&c[i], &e), 0, "stop: %s", e.msg);
        cr_assert_eq(driver_ns.destroy(&c[i], &e), 0, "destroy: %s", e.msg);
        cr_assert_null(c[i].priv);
    }
    driver_ns.mode_fini(m);
    assert_nothing_left(pids, FLEET);
}

/* FDSize: line of /proc/PID/status (slots in its descriptor table). */
static long fd_table_slots(pid_t pid)
{
    char path[64], line[256];
    long slots = -1;
    FILE *f;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "FDSize: %ld", &slots) == 1)
            break;
    fclose(f);
    return slots;
}

/* Entries in /proc/PID/fd. */
static int open_fds(pid_t pid)
{
    char cmd[128], out[32];
    FILE *p;
    snprintf(cmd, sizeof(cmd), "ls /proc/%d/fd | wc -l", (int)pid);
    p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_not_null(fgets(out, sizeof(out), p));
    pclose(p);
    return atoi(out);
}

/*
 * isobench holds thousands of descriptors with a fleet (counter files,
 * pipes): a container's init must not get a copy of that table (128 KiB of
 * kernel memory a container at 10,000 descriptors, counted as the
 * container's cost). Only stdin, stdout and stderr reach it, in a table of
 * 64 slots, while our descriptors stay as they were.
 */
Test(ns, init_gets_a_small_descriptor_table_not_a_copy_of_ours)
{
    struct mode *m;
    struct ctr c;
    pid_t pid;
    struct err e;
    int many[3000], i, n = 0;

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    for (i = 0; i < 3000; i++) {
        many[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (many[i] < 0)
            break;
        n++;
    }
    cr_assert_geq(n, 2000, "only %d descriptors could be opened", n);
    init_ctr(&c, m, 0, idle_argv);
    launch(&c);
    pid = ctr_pid(&c);
    cr_assert_leq(fd_table_slots(pid), 64, "the init's table has %ld slots (ours: over %d)", fd_table_slots(pid), n);
    cr_assert_eq(open_fds(pid), 3, "the init holds %d descriptors", open_fds(pid));
    for (i = 0; i < n; i++)
        cr_assert_eq(fcntl(many[i], F_GETFD), FD_CLOEXEC, "our descriptor %d survived the start", many[i]);
    for (i = 0; i < n; i++)
        close(many[i]);
    err_clear(&e);
    cr_assert_eq(driver_ns.stop(&c, &e), 0, "stop: %s", e.msg);
    cr_assert_eq(driver_ns.destroy(&c, &e), 0, "destroy: %s", e.msg);
    driver_ns.mode_fini(m);
    assert_nothing_left(&pid, 1);
}

Test(ns, exit_workload)
{
    struct mode *m;
    struct ctr c;
    struct counters k;
    struct err e;
    char line[256];
    int64_t t;

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    err_clear(&e);
    init_ctr(&c, m, 0, exit_argv);
    launch(&c);
    /* After READY the workload exits: a second wait says how it ended. */
    cr_assert_lt(driver_ns.wait_output(&c, MARKER_RESULT, READY_TIMEOUT_MS, line, sizeof(line), &t, &e), 0);
    cr_assert(strstr(e.msg, "exited with status 0") != NULL, "%s", e.msg);
    cr_assert_eq(driver_ns.sample(&c, &k, &e), 0, "sample: %s", e.msg);
    cr_assert_eq(k.pids, 0);
    cr_assert_eq(driver_ns.stop(&c, &e), 0, "stop: %s", e.msg);
    cr_assert_eq(driver_ns.destroy(&c, &e), 0, "destroy: %s", e.msg);
    driver_ns.mode_fini(m);
    assert_nothing_left(NULL, 0);
}

Test(ns, memory_limit_is_applied)
{
    struct mode *m;
    struct ctr c;
    struct err e;
    char path[4096], buf[64], rel[512];
    FILE *f;
    enum cgroup_mode cg = cgroup_detect();

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    scn.mem_limit_bytes = 64LL << 20;
    scn.pids_limit = 32;
    err_clear(&e);
    init_ctr(&c, m, 0, idle_argv);
    launch(&c);
    cgrel(rel, sizeof(rel), &c);
    if (cg == CGROUP_V2)
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/memory.max", rel);
    else
        snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/%s/memory.limit_in_bytes", rel);
    f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    cr_assert_not_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    cr_assert_eq(strtoll(buf, NULL, 10), 64LL << 20, "%s: %s", path, buf);
    cr_assert_eq(driver_ns.destroy(&c, &e), 0, "destroy: %s", e.msg);
    driver_ns.mode_fini(m);
    assert_nothing_left(NULL, 0);
}

Test(ns, network_option_adds_a_network_namespace)
{
    struct mode *m;
    struct ctr c;
    struct err e;
    cJSON *opts = cJSON_CreateObject();
    pid_t pid;

    need_root();
    cJSON_AddBoolToObject(opts, "network", 1);
    m = setup_mode(opts);
    init_mode(m);
    err_clear(&e);
    init_ctr(&c, m, 0, idle_argv);
    launch(&c);
    pid = ctr_pid(&c);
    cr_assert(!same_ns(pid, "net"));
    cr_assert_eq(driver_ns.destroy(&c, &e), 0, "destroy: %s", e.msg);
    driver_ns.mode_fini(m);
    cJSON_Delete(opts);
    assert_nothing_left(&pid, 1);
}

Test(ns, options_are_validated)
{
    struct mode *m;
    struct err e;
    cJSON *opts = cJSON_CreateObject();

    need_root();
    m = setup_mode(opts);
    cJSON_AddBoolToObject(opts, "netwrk", 1);
    err_clear(&e);
    cr_assert_lt(driver_ns.mode_init(m, &scn, &e), 0);
    cr_assert_str_eq(e.msg, "modes[0].options.netwrk: unknown option");
    cJSON_DeleteItemFromObject(opts, "netwrk");
    cJSON_AddNumberToObject(opts, "network", 1);
    cr_assert_lt(driver_ns.mode_init(m, &scn, &e), 0);
    cr_assert(strstr(e.msg, "modes[0].options.network") != NULL, "%s", e.msg);
    cr_assert_null(m->drv_state);
    cJSON_Delete(opts);
}

Test(ns, missing_rootfs_is_named)
{
    struct mode *m;
    struct err e;
    const char *missing = "/nonexistent/isobench-rootfs-for-test";

    need_root();
    m = setup_mode(NULL);
    snprintf(scn.image, sizeof(scn.image), "%s", missing);
    err_clear(&e);
    cr_assert_lt(driver_ns.mode_init(m, &scn, &e), 0);
    cr_assert(strstr(e.msg, missing) != NULL, "error names the rootfs: %s", e.msg);
    cr_assert(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
}

Test(ns, failed_start_is_reported_and_destroyable)
{
    static const char *const bad_argv[] = { "/no/such/binary", NULL };
    struct mode *m;
    struct ctr c;
    struct err e;

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    err_clear(&e);
    init_ctr(&c, m, 0, bad_argv);
    c.create_ns = plat_now_ns();
    cr_assert_eq(driver_ns.create(&c, &e), 0, "create: %s", e.msg);
    cr_assert_lt(driver_ns.start(&c, &e), 0);
    cr_assert(strstr(e.msg, "exec /no/such/binary") != NULL, "%s", e.msg);
    cr_assert_eq(driver_ns.stop(&c, &e), 0, "stop: %s", e.msg);
    cr_assert_eq(driver_ns.destroy(&c, &e), 0, "destroy: %s", e.msg);
    driver_ns.mode_fini(m);
    assert_nothing_left(NULL, 0);
}

Test(ns, cleanup_after_a_crash)
{
    struct mode *m;
    struct err e;
    int fds[2], status, removed = -1, npids = 0;
    pid_t crasher, pids[3];
    char foreign[512];

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    cr_assert_eq(pipe(fds), 0);
    crasher = fork();
    cr_assert_geq(crasher, 0);
    if (crasher == 0) {
        /* Start three containers, report their pids, die without destroying. */
        int i;
        close(fds[0]);
        for (i = 0; i < 3; i++) {
            struct ctr c;
            char line[256];
            pid_t pid;
            init_ctr(&c, m, i, idle_argv);
            c.create_ns = plat_now_ns();
            if (driver_ns.create(&c, &e) < 0 || driver_ns.start(&c, &e) < 0 ||
                driver_ns.wait_output(&c, MARKER_READY, READY_TIMEOUT_MS, line, sizeof(line), &c.ready_ns, &e) < 0)
                _exit(1);
            pid = ctr_pid(&c);
            if (write(fds[1], &pid, sizeof(pid)) != sizeof(pid))
                _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    while (npids < 3 && read(fds[0], &pids[npids], sizeof(pids[0])) == sizeof(pids[0]))
        npids++;
    close(fds[0]);
    waitpid(crasher, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the crashing process started its containers");
    cr_assert_eq(npids, 3);
    {
        char rel[512];
        snprintf(rel, sizeof(rel), "isobench/%s", run_id);
        cr_assert(cgroup_exists(cgroup_detect(), rel), "the crash left the run's cgroups");
    }
    cr_assert(alive(pids[0]) && alive(pids[2]), "the crash left the containers running");

    /* Another driver's container of the same run: not ns's to remove. */
    {
        struct cgroup_limits none = { 0, 0, 0 };
        snprintf(foreign, sizeof(foreign), "isobench/%s/%s-other-0", run_id, run_id);
        cr_assert_eq(cgroup_create(cgroup_detect(), foreign, &none, &e), 0, "%s", e.msg);
    }

    err_clear(&e);
    cr_assert_eq(driver_ns.cleanup(run_id, &removed, &e), 0, "cleanup: %s", e.msg);
    /* 3 cgroups and 3 scratch directories. */
    cr_assert_eq(removed, 6, "removed %d", removed);
    cr_assert(cgroup_exists(cgroup_detect(), foreign), "cleanup removed another driver's cgroup");
    cr_assert_eq(cgroup_remove(cgroup_detect(), foreign, &e), 0, "%s", e.msg);
    {
        char runcg[512];
        snprintf(runcg, sizeof(runcg), "isobench/%s", run_id);
        cr_assert_eq(cgroup_remove(cgroup_detect(), runcg, &e), 0, "%s", e.msg);
    }
    assert_nothing_left(pids, 3);
    /* Nothing left: a second cleanup removes nothing. */
    cr_assert_eq(driver_ns.cleanup(run_id, &removed, &e), 0, "cleanup: %s", e.msg);
    cr_assert_eq(removed, 0);
    driver_ns.mode_fini(m);
}

Test(ns, version_and_facts)
{
    struct mode *m;
    struct err e;
    struct utsname u;
    char buf[256];
    cJSON *facts = cJSON_CreateObject();

    need_root();
    m = setup_mode(NULL);
    init_mode(m);
    err_clear(&e);
    uname(&u);
    cr_assert_eq(driver_ns.version(m, buf, sizeof(buf), &e), 0, "%s", e.msg);
    cr_assert(strstr(buf, u.release) != NULL, "%s", buf);
    driver_ns.facts(m, facts);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(facts, "cgroup")), cgroup_mode_name(cgroup_detect()));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(facts, "overlay")));
    cr_assert_eq(driver_ns.isolation_of(m), ISO_PROCESS);
    cJSON_Delete(facts);
    driver_ns.mode_fini(m);
}

/*
 * The cgroup v2 launch path (clone3 with CLONE_INTO_CGROUP) on a real
 * cgroup2 file system. On a hybrid host the unified hierarchy has no
 * controllers, so no limits and no sampling here: what is tested is that the
 * child is born in its v2 cgroup, runs, and that teardown (cgroup.kill,
 * rmdir) leaves nothing. On a v2 host the other tests already run this path.
 */
Test(ns, v2_launch_into_cgroup_on_the_unified_hierarchy)
{
    struct mode *m;
    struct ctr c;
    struct err e;
    char path[64], line[512], want[512];
    FILE *f;
    int found = 0;
    pid_t pid;

    need_root();
    require_or_skip(cgroup_detect() == CGROUP_HYBRID || cgroup_detect() == CGROUP_V2,
                    "no cgroup2 file system on this host");
    if (cgroup_detect() == CGROUP_HYBRID) {
        setenv("ISOBENCH_CGROUP", "v2", 1);
        setenv("ISOBENCH_CGROUP_ROOT", "/sys/fs/cgroup/unified", 1);
        /* The probe rightly says v2 has no controllers here: launch anyway. */
        m = setup_mode_unprobed(NULL);
    } else {
        m = setup_mode(NULL);
    }
    init_mode(m);
    err_clear(&e);
    init_ctr(&c, m, 0, idle_argv);
    launch(&c);
    pid = ctr_pid(&c);
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    snprintf(want, sizeof(want), "0::/isobench/%s/%s\n", run_id, c.name);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f) != NULL)
        if (strcmp(line, want) == 0)
            found = 1;
    fclose(f);
    cr_assert(found, "%s has no line %s", path, want);
    cr_assert(c.exec_ns > c.create_ns && c.exec_ns < c.ready_ns);
    cr_assert_eq(driver_ns.stop(&c, &e), 0, "stop: %s", e.msg);
    cr_assert_eq(driver_ns.destroy(&c, &e), 0, "destroy: %s", e.msg);
    driver_ns.mode_fini(m);
    assert_nothing_left(&pid, 1);
}
