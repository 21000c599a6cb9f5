/*
 * test_oci.c - the oci driver against the real runc and runsc (root only).
 *
 * A fleet of three idle containers per runtime goes through the driver's
 * hooks as the runner would drive them; every counter must be present and
 * plausible (runsc's PSS includes its sandbox and gofer, so it must be far
 * above the bare workload's), and stop+destroy must leave nothing behind: no
 * container in the runtime's list, no mount under the run's directory, no
 * cgroup, no process naming the run. Failure paths: a runtime that does not
 * exist fails the probe with a clear reason, an unknown option is named, a
 * container that never prints READY times out and is torn down cleanly, and
 * cleanup() removes the leftovers of a run that "crashed" mid-way.
 */
#define _GNU_SOURCE
#include "drivers/oci.h"
#include "counters/cgroup.h"
#include "counters/proc.h"
#include "image.h"
#include "plat.h"
#include "scenario.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_oci;

#define FLEET 3

static const char *const idle_argv[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };

static int have(const char *path)
{
    return access(path, X_OK) == 0;
}

/* The run of the current test, removed by cleanup() whatever the outcome. */
static char test_run_id[32];

static void new_run_id(char *buf, size_t n)
{
    snprintf(buf, n, "iboci%05x%04x", (unsigned)getpid() & 0xfffff, (unsigned)(plat_now_ns() / 1000) & 0xffff);
    snprintf(test_run_id, sizeof(test_run_id), "%s", buf);
}

/* After a failed assertion the test stops half-way: remove what it left. */
static void cleanup_test_run(void)
{
    struct err e;
    int removed = 0;
    if (test_run_id[0] != '\0' && geteuid() == 0)
        driver_oci.cleanup(test_run_id, &removed, &e);
    test_run_id[0] = '\0';
}

TestSuite(oci, .fini = cleanup_test_run);

/* A one-mode scenario with the given options object (JSON text). */
static void load_scenario(struct scenario *s, const char *options)
{
    char doc[2048];
    struct err e;
    err_clear(&e);
    snprintf(doc, sizeof(doc),
             "{\"name\":\"oci-test\",\"modes\":[{\"name\":\"m\",\"driver\":\"oci\",\"options\":%s}],"
             "\"fleet\":{\"size\":3},\"workload\":{\"type\":\"idle\"},"
             "\"limits\":{\"memory\":\"256M\",\"pids\":64,\"cpus\":1}}",
             options);
    cr_assert_eq(scenario_parse(doc, "oci-test.json", s, &e), 0, "%s", e.msg);
}

static void init_ctr(struct ctr *c, struct scenario *s, const char *run_id, int i, const char *const *argv)
{
    memset(c, 0, sizeof(*c));
    c->mode = &s->modes[0];
    c->scn = s;
    c->run_id = run_id;
    c->index = i;
    c->fleet_size = FLEET;
    c->argv = argv;
    snprintf(c->name, sizeof(c->name), "%s-%s-%d", run_id, s->modes[0].name, i);
}

/* stdout of `runtime [args] --root ROOT VERB [ID]` (no shell). */
static void runtime_out(const char *runtime, const char *const *args, const char *root, const char *verb,
                        const char *id, char *buf, size_t n)
{
    const char *argv[16];
    int fds[2], k = 0, status;
    size_t used = 0;
    ssize_t r;
    pid_t pid;

    argv[k++] = runtime;
    while (*args)
        argv[k++] = *args++;
    argv[k++] = "--root";
    argv[k++] = root;
    argv[k++] = verb;
    argv[k++] = id != NULL ? id : "--quiet";
    argv[k] = NULL;
    cr_assert_eq(pipe(fds), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(fds[1], 1);
        dup2(null, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    while (used < n - 1 && (r = read(fds[0], buf + used, n - 1 - used)) > 0)
        used += (size_t)r;
    close(fds[0]);
    waitpid(pid, &status, 0);
    buf[used] = '\0';
}

/* Lines of `runtime [args] --root ROOT list --quiet`. */
static int runtime_list_count(const char *runtime, const char *const *args, const char *root)
{
    char buf[8192];
    int n = 0;
    size_t i;
    runtime_out(runtime, args, root, "list", NULL, buf, sizeof(buf));
    for (i = 0; buf[i]; i++)
        n += buf[i] == '\n';
    return n;
}

/* "status" of `runtime state ID`. */
static void runtime_status(const char *runtime, const char *const *args, const char *root, const char *id,
                           char *status, size_t n)
{
    char buf[8192];
    cJSON *doc, *st;
    runtime_out(runtime, args, root, "state", id, buf, sizeof(buf));
    doc = cJSON_Parse(buf);
    st = cJSON_GetObjectItem(doc, "status");
    cr_assert(cJSON_IsString(st), "%s state %s: %s", runtime, id, buf);
    snprintf(status, n, "%s", st->valuestring);
    cJSON_Delete(doc);
}

/* Zombies among our children: processes the driver adopted and did not reap. */
static int zombie_children(void)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int n = 0;
    cr_assert_not_null(d);
    while ((de = readdir(d)) != NULL) {
        char path[64], buf[512], *p;
        FILE *f;
        size_t r;
        int ppid;
        char state;
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        r = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[r] = '\0';
        p = strrchr(buf, ')');
        if (p != NULL && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid() && state == 'Z') {
            cr_log_info("zombie child: %s", buf);
            n++;
        }
    }
    closedir(d);
    return n;
}

static int mounts_under(const char *dir)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    int n = 0;
    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f) != NULL)
        if (strstr(line, dir) != NULL)
            n++;
    fclose(f);
    return n;
}

static int cgroups_of_run(const char *run_id)
{
    static const char *const hier[] = { "memory", "cpu", "cpuacct", "pids", "systemd", "blkio", "devices",
                                        "freezer", "cpuset", "unified", "" };
    char path[1024];
    int i, n = 0;
    for (i = 0; i < (int)(sizeof(hier) / sizeof(hier[0])); i++) {
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%sisobench/%s", hier[i], hier[i][0] ? "/" : "", run_id);
        n += plat_exists(path);
    }
    return n;
}

static int procs_naming(const char *needle)
{
    pid_t pids[256];
    int n = 256;
    struct err e;
    cr_assert_eq(proc_find_cmdline(needle, pids, &n, &e), 0, "%s", e.msg);
    return n;
}

/* Nothing of the run is left anywhere. */
static void assert_nothing_left(const char *run_id, const char *runtime, const char *const *args, const char *root)
{
    char dir[1024];
    oci_run_dir(run_id, dir, sizeof(dir));
    if (runtime != NULL && plat_exists(root))
        cr_assert_eq(runtime_list_count(runtime, args, root), 0, "%s still lists containers", runtime);
    cr_assert_eq(mounts_under(dir), 0, "mounts left under %s", dir);
    cr_assert_eq(cgroups_of_run(run_id), 0, "cgroups left for run %s", run_id);
    cr_assert_eq(procs_naming(run_id), 0, "processes still name run %s", run_id);
    cr_assert(!plat_exists(dir), "%s still exists", dir);
}

/* PSS of the payload running bare on the host: the workload alone. */
static int64_t bare_workload_pss(void)
{
    char payload[1024], line[128];
    struct proc_mem pm;
    struct err e;
    int fds[2], status;
    pid_t pid;
    ssize_t r;

    cr_assert_eq(image_payload_binary(payload, sizeof(payload), &e), 0, "%s", e.msg);
    cr_assert_eq(pipe(fds), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        execl(payload, payload, "idle", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    r = read(fds[0], line, sizeof(line) - 1); /* READY: the payload is up */
    cr_assert_gt(r, 0);
    memset(&pm, 0, sizeof(pm));
    cr_assert_eq(proc_mem_add(pid, &pm, &e), 0, "%s", e.msg);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    close(fds[0]);
    return pm.pss_bytes;
}

struct fleet_result {
    double start_ms[FLEET];
    struct counters c[FLEET];
};

static void run_fleet(const char *options, const char *runtime, unsigned want_iso, struct fleet_result *fr)
{
    struct scenario s;
    struct mode *m;
    struct ctr ctrs[FLEET];
    struct err e;
    char run_id[32], version[256], root[1200], dir[1024];
    const char *args[8] = { NULL };
    cJSON *facts, *a;
    int i, na = 0;

    load_scenario(&s, options);
    m = &s.modes[0];
    cr_assert_eq(m->drv, &driver_oci);
    err_clear(&e);
    cr_assert_eq(driver_oci.probe(m, &e), 0, "probe: %s", e.msg);
    cr_assert_eq(driver_oci.mode_init(m, &s, &e), 0, "mode_init: %s", e.msg);
    cr_assert_eq(driver_oci.isolation_of(m), want_iso);
    cr_assert_eq(driver_oci.version(m, version, sizeof(version), &e), 0, "version: %s", e.msg);
    cr_assert(strstr(version, "version") != NULL, "version line: %s", version);
    facts = cJSON_CreateObject();
    driver_oci.facts(m, facts);
    cr_assert_str_eq(cJSON_GetObjectItem(facts, "runtime_path")->valuestring, runtime);
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(facts, "runtime_args")) args[na++] = a->valuestring;
    args[na] = NULL;

    new_run_id(run_id, sizeof(run_id));
    oci_run_dir(run_id, dir, sizeof(dir));
    snprintf(root, sizeof(root), "%s/root-%s", dir, m->name);
    for (i = 0; i < FLEET; i++) {
        char line[256];
        int64_t t_ready = 0;
        init_ctr(&ctrs[i], &s, run_id, i, idle_argv);
        ctrs[i].create_ns = plat_now_ns();
        cr_assert_eq(driver_oci.create(&ctrs[i], &e), 0, "create %d: %s", i, e.msg);
        cr_assert_eq(driver_oci.start(&ctrs[i], &e), 0, "start %d: %s", i, e.msg);
        cr_assert_eq(driver_oci.wait_output(&ctrs[i], MARKER_READY, 30000, line, sizeof(line), &t_ready, &e), 0,
                     "wait %d: %s", i, e.msg);
        cr_assert(strncmp(line, MARKER_READY, strlen(MARKER_READY)) == 0);
        ctrs[i].ready_ns = t_ready;
        fr->start_ms[i] = (double)(t_ready - ctrs[i].create_ns) / 1e6;
        cr_assert_gt(fr->start_ms[i], 0.0);
        cr_assert(ctrs[i].exec_ns > ctrs[i].create_ns && ctrs[i].exec_ns <= t_ready + 1000000,
                  "exec_ns between create and ready");
    }
    cr_assert_eq(runtime_list_count(runtime, args, root), FLEET);
    plat_sleep_ms(300);
    for (i = 0; i < FLEET; i++) {
        struct counters *c = &fr->c[i];
        cr_assert_eq(driver_oci.sample(&ctrs[i], c, &e), 0, "sample %d: %s", i, e.msg);
        cr_assert_gt(c->mem_cgroup_bytes, 0, "cgroup memory");
        cr_assert_gt(c->mem_pss_bytes, 0, "PSS");
        cr_assert_geq(c->mem_rss_bytes, c->mem_pss_bytes, "RSS >= PSS");
        cr_assert_gt(c->cpu_ns, 0, "cpu_ns");
        cr_assert_gt(c->pids, 0, "pids");
        cr_assert_geq(c->storage_bytes, 0, "storage");
        cr_assert_eq(c->mem_private_ws_bytes, -1, "Windows-only counter stays unknown");
        {
            /* The next samples reuse the processes the first one found
               (no host-wide /proc scan): the same tasks and memory; the cheap
               set counts the tasks and walks no page tables. */
            struct counters again, cheap;
            cr_assert_eq(driver_oci.sample(&ctrs[i], &again, &e), 0, "sample %d again: %s", i, e.msg);
            cr_assert(llabs(again.pids - c->pids) <= 3, "tasks %lld then %lld", (long long)c->pids,
                      (long long)again.pids);
            cr_assert(llabs(again.mem_pss_bytes - c->mem_pss_bytes) <= c->mem_pss_bytes / 5,
                      "PSS %lld then %lld", (long long)c->mem_pss_bytes, (long long)again.mem_pss_bytes);
            ctrs[i].sample_sets = CSET_CHEAP;
            cr_assert_eq(driver_oci.sample(&ctrs[i], &cheap, &e), 0, "cheap sample %d: %s", i, e.msg);
            ctrs[i].sample_sets = 0;
            cr_assert(llabs(cheap.pids - c->pids) <= 3, "cheap set: tasks %lld vs %lld", (long long)cheap.pids,
                      (long long)c->pids);
            cr_assert_eq(cheap.mem_pss_bytes, -1, "the cheap set walks no page tables");
            cr_assert_eq(cheap.storage_bytes, -1, "nor the writable layer");
        }
    }
    for (i = 0; i < FLEET; i++) {
        char status[32];
        cr_assert_eq(driver_oci.stop(&ctrs[i], &e), 0, "stop %d: %s", i, e.msg);
        runtime_status(runtime, args, root, ctrs[i].name, status, sizeof(status));
        cr_assert_str_eq(status, "stopped", "%s after stop", ctrs[i].name);
        cr_assert_eq(driver_oci.destroy(&ctrs[i], &e), 0, "destroy %d: %s", i, e.msg);
        cr_assert_null(ctrs[i].priv);
    }
    cr_assert_eq(zombie_children(), 0, "destroy left zombies of the runtime's daemons");
    cr_assert_eq(runtime_list_count(runtime, args, root), 0, "runtime still lists containers");
    driver_oci.mode_fini(m);
    assert_nothing_left(run_id, runtime, args, root);
    cJSON_Delete(facts);
    scenario_free(&s);
}

static void log_fleet(const char *what, const struct fleet_result *fr)
{
    int i;
    for (i = 0; i < FLEET; i++)
        cr_log_info("%s[%d]: start %.1f ms, PSS %.2f MiB, RSS %.2f MiB, cgroup %.2f MiB, cpu %.1f ms, pids %lld, "
                    "disk %lld B",
                    what, i, fr->start_ms[i], fr->c[i].mem_pss_bytes / 1048576.0, fr->c[i].mem_rss_bytes / 1048576.0,
                    fr->c[i].mem_cgroup_bytes / 1048576.0, fr->c[i].cpu_ns / 1e6, (long long)fr->c[i].pids,
                    (long long)fr->c[i].storage_bytes);
}

Test(oci, runc_fleet, .timeout = 300)
{
    struct fleet_result fr;
    int64_t bare;
    int i;
    require_or_skip(geteuid() == 0, "needs root");
    require_or_skip(have("/usr/sbin/runc"), "runc is not installed");
    run_fleet("{\"runtime\":\"runc\"}", "/usr/sbin/runc", ISO_PROCESS, &fr);
    log_fleet("runc", &fr);
    bare = bare_workload_pss();
    /* runc leaves no helper process: the container is the workload. */
    for (i = 0; i < FLEET; i++)
        cr_assert_lt(fr.c[i].mem_pss_bytes, 8 * bare + 4 * 1048576, "runc PSS %lld vs bare workload %lld",
                     (long long)fr.c[i].mem_pss_bytes, (long long)bare);
}

Test(oci, runsc_fleet, .timeout = 300)
{
    struct fleet_result fr;
    int64_t bare;
    int i;
    require_or_skip(geteuid() == 0, "needs root");
    require_or_skip(have("/usr/bin/runsc"), "runsc is not installed");
    run_fleet("{\"runtime\":\"runsc\"}", "/usr/bin/runsc", ISO_SANDBOX, &fr);
    log_fleet("runsc", &fr);
    bare = bare_workload_pss();
    cr_log_info("bare workload PSS %.2f MiB", bare / 1048576.0);
    /* Sandbox + gofer are counted, not just the application; runsc put them
       in the container's cgroup (more tasks than the one workload). */
    for (i = 0; i < FLEET; i++)
        cr_assert_gt(fr.c[i].pids, 2, "runsc cgroup holds %lld tasks", (long long)fr.c[i].pids);
    for (i = 0; i < FLEET; i++)
        cr_assert_gt(fr.c[i].mem_pss_bytes, 10 * bare + 2 * 1048576, "runsc PSS %lld vs bare workload %lld",
                     (long long)fr.c[i].mem_pss_bytes, (long long)bare);
}

Test(oci, missing_runtime_fails_probe)
{
    struct scenario s;
    struct err e;
    require_or_skip(geteuid() == 0, "needs root");
    load_scenario(&s, "{\"runtime\":\"no-such-runtime\"}");
    err_clear(&e);
    cr_assert_lt(driver_oci.probe(&s.modes[0], &e), 0);
    cr_assert(strstr(e.msg, "\"no-such-runtime\" not found") != NULL, "reason: %s", e.msg);
    scenario_free(&s);

    load_scenario(&s, "{\"runtime\":\"/nonexistent/runc\"}");
    err_clear(&e);
    cr_assert_lt(driver_oci.probe(&s.modes[0], &e), 0);
    cr_assert(strstr(e.msg, "/nonexistent/runc: not an executable file") != NULL, "reason: %s", e.msg);
    scenario_free(&s);

    /* An executable that is no runtime: --version fails, with its own words. */
    load_scenario(&s, "{\"runtime\":\"/bin/false\"}");
    err_clear(&e);
    cr_assert_lt(driver_oci.probe(&s.modes[0], &e), 0);
    cr_assert(strstr(e.msg, "false --version") != NULL, "reason: %s", e.msg);
    scenario_free(&s);
}

Test(oci, options_are_checked)
{
    static const struct {
        const char *options, *msg;
    } cases[] = {
        { "{\"runtime\":\"runc\",\"bogus\":1}", "modes[0].options.bogus: unknown option" },
        { "{\"runtime\":7}", "modes[0].options.runtime: expected" },
        { "{\"runtime_args\":\"--debug\"}", "modes[0].options.runtime_args: expected an array" },
        { "{\"root\":\"relative/dir\"}", "modes[0].options.root: expected an absolute" },
        { "{\"network\":\"yes\"}", "modes[0].options.network: expected true or false" },
    };
    size_t i;
    require_or_skip(have("/usr/sbin/runc"), "runc is not installed");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct scenario s;
        struct err e;
        load_scenario(&s, cases[i].options);
        err_clear(&e);
        cr_assert_lt(driver_oci.mode_init(&s.modes[0], &s, &e), 0, "%s accepted", cases[i].options);
        cr_assert(strstr(e.msg, cases[i].msg) != NULL, "%s: got \"%s\"", cases[i].options, e.msg);
        cr_assert_null(s.modes[0].drv_state);
        scenario_free(&s);
    }
}

Test(oci, isolation_follows_the_runtime)
{
    static const struct {
        const char *doc;
        unsigned iso;
    } cases[] = {
        { "{\"name\":\"m\",\"driver\":\"oci\",\"options\":{\"runtime\":\"runc\"}}", ISO_PROCESS },
        { "{\"name\":\"m\",\"driver\":\"oci\",\"options\":{\"runtime\":\"/usr/bin/runsc\"}}", ISO_SANDBOX },
        { "{\"name\":\"m\",\"driver\":\"oci\"}", ISO_PROCESS },
        /* An unknown runtime: what the mode declares, else process. */
        { "{\"name\":\"m\",\"driver\":\"oci\",\"options\":{\"runtime\":\"/opt/x/kata-runtime\"}}", ISO_PROCESS },
        { "{\"name\":\"m\",\"driver\":\"oci\",\"isolation\":\"vm\",\"options\":{\"runtime\":\"/opt/x/kata-runtime\"}}",
          ISO_VM },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[1024];
        struct scenario s;
        struct err e;
        snprintf(doc, sizeof(doc), "{\"name\":\"iso\",\"modes\":[%s]}", cases[i].doc);
        cr_assert_eq(scenario_parse(doc, "iso.json", &s, &e), 0, "%s", e.msg);
        cr_assert_eq(driver_oci.isolation_of(&s.modes[0]), cases[i].iso, "case %zu", i);
        scenario_free(&s);
    }
}

Test(oci, runsc_gets_ptrace_by_default)
{
    struct scenario s;
    struct err e;
    cJSON *facts, *args;
    require_or_skip(geteuid() == 0, "needs root");
    require_or_skip(have("/usr/bin/runsc"), "runsc is not installed");
    load_scenario(&s, "{\"runtime\":\"runsc\"}");
    err_clear(&e);
    cr_assert_eq(driver_oci.mode_init(&s.modes[0], &s, &e), 0, "%s", e.msg);
    facts = cJSON_CreateObject();
    driver_oci.facts(&s.modes[0], facts);
    args = cJSON_GetObjectItem(facts, "runtime_args");
    cr_assert_str_eq(cJSON_GetArrayItem(args, 0)->valuestring, "--platform=ptrace");
    cr_assert_str_eq(cJSON_GetObjectItem(facts, "platform")->valuestring, "ptrace");
    cJSON_Delete(facts);
    driver_oci.mode_fini(&s.modes[0]);
    scenario_free(&s);
}

/* A container whose command never prints READY times out and is torn down. */
Test(oci, silent_container_times_out_cleanly, .timeout = 120)
{
    static const char *const sleep_argv[] = { "/bin/sleep", "1000", NULL };
    static const char *const true_argv[] = { "/bin/true", NULL };
    struct scenario s;
    struct ctr c;
    struct err e;
    char run_id[32], line[128], dir[1024], root[1200];
    const char *no_args[] = { NULL };
    int64_t t = 0;

    require_or_skip(geteuid() == 0, "needs root");
    require_or_skip(have("/usr/sbin/runc"), "runc is not installed");
    load_scenario(&s, "{\"runtime\":\"runc\"}");
    err_clear(&e);
    cr_assert_eq(driver_oci.mode_init(&s.modes[0], &s, &e), 0, "%s", e.msg);
    new_run_id(run_id, sizeof(run_id));
    oci_run_dir(run_id, dir, sizeof(dir));
    snprintf(root, sizeof(root), "%s/root-m", dir);

    init_ctr(&c, &s, run_id, 0, sleep_argv);
    cr_assert_eq(driver_oci.create(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_oci.start(&c, &e), 0, "%s", e.msg);
    cr_assert_lt(driver_oci.wait_output(&c, MARKER_READY, 500, line, sizeof(line), &t, &e), 0);
    cr_assert_eq(e.code, ETIMEDOUT, "%s", e.msg);
    cr_assert(strstr(e.msg, "no 'ISOBENCH_READY' line within 500 ms") != NULL, "%s", e.msg);
    cr_assert_eq(driver_oci.stop(&c, &e), 0, "stop: %s", e.msg);
    cr_assert_eq(driver_oci.destroy(&c, &e), 0, "destroy: %s", e.msg);

    /* One that exits without a word says so at once. */
    init_ctr(&c, &s, run_id, 1, true_argv);
    cr_assert_eq(driver_oci.create(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_oci.start(&c, &e), 0, "%s", e.msg);
    cr_assert_lt(driver_oci.wait_output(&c, MARKER_READY, 20000, line, sizeof(line), &t, &e), 0);
    cr_assert(strstr(e.msg, "exited without printing") != NULL, "%s", e.msg);
    cr_assert_eq(driver_oci.stop(&c, &e), 0, "stop: %s", e.msg);
    cr_assert_eq(driver_oci.destroy(&c, &e), 0, "destroy: %s", e.msg);

    /* Stop and destroy are safe after a create that failed. */
    {
        static const char *const bad_argv[] = { "/no/such/binary", NULL };
        init_ctr(&c, &s, run_id, 2, bad_argv);
        if (driver_oci.create(&c, &e) == 0) {
            cr_assert_lt(driver_oci.start(&c, &e), 0, "a missing binary cannot start");
        } else {
            cr_assert(strstr(e.msg, "runc create") != NULL, "%s", e.msg);
        }
        cr_assert(strstr(e.msg, "no/such/binary") != NULL || strstr(e.msg, "no such file") != NULL, "%s",
                  e.msg);
        cr_assert_eq(driver_oci.stop(&c, &e), 0, "stop: %s", e.msg);
        cr_assert_eq(driver_oci.destroy(&c, &e), 0, "destroy: %s", e.msg);
    }
    driver_oci.mode_fini(&s.modes[0]);
    assert_nothing_left(run_id, "/usr/sbin/runc", no_args, root);
    scenario_free(&s);
}

/* A run that crashed with containers up: cleanup(run_id) removes them all. */
static void crash_and_cleanup(const char *options, const char *runtime, const char *const *args)
{
    struct scenario s;
    struct ctr c[2];
    struct err e;
    char run_id[32], line[128], dir[1024], root[1200];
    int64_t t;
    int removed = 0, i;

    load_scenario(&s, options);
    err_clear(&e);
    cr_assert_eq(driver_oci.mode_init(&s.modes[0], &s, &e), 0, "%s", e.msg);
    new_run_id(run_id, sizeof(run_id));
    oci_run_dir(run_id, dir, sizeof(dir));
    snprintf(root, sizeof(root), "%s/root-m", dir);
    for (i = 0; i < 2; i++) {
        init_ctr(&c[i], &s, run_id, i, idle_argv);
        cr_assert_eq(driver_oci.create(&c[i], &e), 0, "%s", e.msg);
    }
    /* One running, one only created. */
    cr_assert_eq(driver_oci.start(&c[0], &e), 0, "%s", e.msg);
    cr_assert_eq(driver_oci.wait_output(&c[0], MARKER_READY, 30000, line, sizeof(line), &t, &e), 0, "%s", e.msg);
    cr_assert_gt(procs_naming(run_id) + cgroups_of_run(run_id), 0);

    cr_assert_eq(driver_oci.cleanup(run_id, &removed, &e), 0, "cleanup: %s", e.msg);
    cr_assert_eq(removed, 2, "removed %d", removed);
    assert_nothing_left(run_id, runtime, args, root);
    /* The crashed process's hooks, run late, find nothing to do. */
    for (i = 0; i < 2; i++) {
        cr_assert_eq(driver_oci.stop(&c[i], &e), 0, "late stop: %s", e.msg);
        cr_assert_eq(driver_oci.destroy(&c[i], &e), 0, "late destroy: %s", e.msg);
    }
    driver_oci.mode_fini(&s.modes[0]);
    assert_nothing_left(run_id, runtime, args, root);
    scenario_free(&s);
}

Test(oci, cleanup_after_crash_runc, .timeout = 120)
{
    const char *no_args[] = { NULL };
    require_or_skip(geteuid() == 0, "needs root");
    require_or_skip(have("/usr/sbin/runc"), "runc is not installed");
    crash_and_cleanup("{\"runtime\":\"runc\"}", "/usr/sbin/runc", no_args);
}

Test(oci, cleanup_after_crash_runsc, .timeout = 120)
{
    const char *args[] = { "--platform=ptrace", "--network=none", NULL };
    require_or_skip(geteuid() == 0, "needs root");
    require_or_skip(have("/usr/bin/runsc"), "runsc is not installed");
    crash_and_cleanup("{\"runtime\":\"runsc\"}", "/usr/bin/runsc", args);
}
