/*
 * test_density.c - the density fill: host limits read from a fixture /proc
 * tree; every guard on fixture snapshots (trips, step sizing, the binding
 * named); and an ns fill inside a small budget (256 MiB, 500 pids) that
 * reaches its ceiling, names the budget's pids as the binding resource and
 * leaves no cgroup, mount, scratch directory or process behind. The fill
 * starts 500 containers, so it holds the machine's heavy-work lock
 * (/tmp/isobench-heavy.lock) while it runs.
 */
#include "density_guard.h"
#include "limits.h"
#include "proc.h"
#include "support.h"
#include "csv_table.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GIB (1024LL * 1024 * 1024)

Test(limits, read_from_fixture_proc)
{
    char root[4096];
    struct host_snapshot h;
    struct err e;
    cJSON *j;

    src_path(root, sizeof(root), "tests/fixtures/proc-limits");
    cr_assert_eq(host_snapshot_read(root, &h, &e), 0, "%s", e.msg);
    cr_assert_eq(h.pid_max, 32768);
    cr_assert_eq(h.threads_max, 192730);
    cr_assert_eq(h.file_max, 2466170);
    cr_assert_eq(h.file_nr, 1627);
    cr_assert_eq(h.mount_max, 100000);
    cr_assert_eq(h.user_max_ns[NSK_PID], 96365);
    cr_assert_eq(h.user_max_ns[NSK_NET], 1000);
    cr_assert_eq(h.mem_total_bytes, 24684084LL * 1024);
    cr_assert_eq(h.mem_available_bytes, 23000000LL * 1024);
    cr_assert_eq(host_kernel_bytes(&h), (150000LL + 8000 + 12000 + 4000) * 1024);
    cr_assert_eq(h.tasks_in_use, 345, "loadavg's total counts every task");
    cr_assert_eq(h.procs_in_use, 3, "numeric entries 1, 42, 4242");
    cr_assert_eq(h.mounts, 3);
    cr_assert_eq(h.fds_open, 4);
    cr_assert_eq(h.nofile_soft, 1024);
    cr_assert_eq(h.nofile_hard, 524288);
    cr_assert_eq(h.commit_limit_bytes, -1, "no commit limit on Linux");

    j = host_limits_to_json(&h, 500, -1);
    cr_assert_eq(cJSON_GetObjectItem(j, "pid_max")->valuedouble, 32768);
    cr_assert_eq(cJSON_GetObjectItem(j, "pids_in_use_at_start")->valuedouble, 345);
    cr_assert_eq(cJSON_GetObjectItem(j, "user_max_net_namespaces")->valuedouble, 1000);
    cr_assert_eq(cJSON_GetObjectItem(j, "cgroup_pids_max")->valuedouble, 500);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "cgroup_memory_max_bytes")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "commit_limit_bytes")));
    cJSON_Delete(j);
}

Test(limits, missing_files_are_unknown)
{
    char root[] = "/tmp/isobench-test-lim-XXXXXX", path[4200];
    struct host_snapshot h;
    struct err e;
    FILE *f;

    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(host_snapshot_read(root, &h, &e), -1, "meminfo is required");
    cr_assert(strstr(e.msg, "meminfo") != NULL, "%s", e.msg);
    snprintf(path, sizeof(path), "%s/meminfo", root);
    f = fopen(path, "w");
    fputs("MemTotal: 1000 kB\nMemAvailable: 500 kB\n", f);
    fclose(f);
    cr_assert_eq(host_snapshot_read(root, &h, &e), 0, "%s", e.msg);
    cr_assert_eq(h.pid_max, -1);
    cr_assert_eq(h.tasks_in_use, -1);
    cr_assert_eq(host_kernel_bytes(&h), -1);
    dir_remove_tree(root, NULL);
}

Test(proc, stat_threads)
{
    cr_assert_eq(proc_parse_stat_threads("42 (a b) S 1 42 42 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 15 0 123 0"), 15);
    cr_assert_eq(proc_parse_stat_threads("garbage"), -1);
}

/* A host with 24 GiB, pid_max 32768, 1000 tasks in use, no budget. */
static void host_fixture(struct density_snap *s)
{
    memset(s, 0, sizeof(*s));
    memset(&s->host, 0xff, sizeof(s->host));
    memset(&s->cg, 0xff, sizeof(s->cg));
    s->host.mem_total_bytes = 24 * GIB;
    s->host.mem_available_bytes = 20 * GIB;
    s->host.pid_max = 32768;
    s->host.threads_max = 192730;
    s->host.tasks_in_use = 1000;
    s->host.procs_in_use = 300;
    s->host.file_max = 1000000;
    s->host.file_nr = 2000;
    s->host.nofile_soft = 1024;
    s->host.fds_open = 20;
    s->host.mount_max = 100000;
    s->host.mounts = 30;
    s->host.user_max_ns[NSK_PID] = s->host.user_max_ns[NSK_MNT] = 96365;
    s->disk_total_bytes = 100 * GIB;
    s->disk_free_bytes = 50 * GIB;
    s->cpu_busy_pct = NAN;
    s->start_p99_ms = NAN;
}

static struct density_cfg cfg_default(void)
{
    struct density_cfg c;
    density_cfg_defaults(&c);
    return c;
}

Test(guards, quiet_host_passes)
{
    struct density_snap s;
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    host_fixture(&s);
    cr_assert_eq(density_check(&s, &c, &v), 0, "%s", v.binding);
}

Test(guards, each_resource_trips_and_is_named)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap s;

    /* memory: default reserve max(2 GiB, 10 % of 24 GiB = 2.4 GiB) */
    host_fixture(&s);
    s.host.mem_available_bytes = 2 * GIB;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "memory");
    cr_assert_float_eq(v.margin, 0.1 * 24 * GIB, 1);
    c.mem_reserve_bytes = 1 * GIB; /* an explicit reserve */
    cr_assert_eq(density_check(&s, &c, &v), 0);
    c = cfg_default();

    /* pids: default margin max(1024, 5 % of 32768 = 1638) */
    host_fixture(&s);
    s.host.tasks_in_use = 32768 - 1638 + 1;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "pids");
    cr_assert_float_eq(v.limit, 32768, 0);
    cr_assert_float_eq(v.margin, 1638.4, 0.01);
    c.pid_margin = 8000; /* the shared-machine setting */
    s.host.tasks_in_use = 32768 - 8000 + 1;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "pids");
    c = cfg_default();

    /* threads-max below pid_max binds first */
    host_fixture(&s);
    s.host.threads_max = 4000;
    s.host.tasks_in_use = 3500;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "threads");

    /* the budget's pids.max, margin 0: exactly at the limit holds, over trips */
    host_fixture(&s);
    snprintf(s.cgroup, sizeof(s.cgroup), "isobench/ib00000001");
    s.cg.pids_max = 500;
    s.cg.pids = 500;
    cr_assert_eq(density_check(&s, &c, &v), 0);
    c.cgroup_pids_margin = 10;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "cgroup_pids");
    cr_assert(strstr(v.counter, "isobench/ib00000001") != NULL, "%s", v.counter);
    c = cfg_default();

    /* the budget's memory: 5 % kept free */
    host_fixture(&s);
    s.cg.mem_max_bytes = 256LL << 20;
    s.cg.mem_working_bytes = 250LL << 20;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "memory");

    host_fixture(&s);
    s.host.file_nr = 990000;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "file_max");

    host_fixture(&s);
    s.host.fds_open = 1000;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "nofile");

    host_fixture(&s);
    s.host.mounts = 99000;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "mount_max");

    host_fixture(&s);
    s.host.user_max_ns[NSK_MNT] = 100;
    s.containers = 99;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "namespaces");

    host_fixture(&s);
    s.disk_free_bytes = GIB / 2;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "disk");

    /* Windows: commit charge against the commit limit */
    host_fixture(&s);
    s.host.commit_limit_bytes = 177 * GIB;
    s.host.committed_bytes = 176 * GIB;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "commit");
}

Test(guards, step_guards_slo_failures_cpu)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap s;

    host_fixture(&s);
    s.start_p99_ms = 6000;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "start_slo");
    c.start_slo_ms = 0; /* off */
    cr_assert_eq(density_check(&s, &c, &v), 0);
    c = cfg_default();

    host_fixture(&s);
    s.failures = 1;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "launch_failures");
    c.max_failures = 2;
    cr_assert_eq(density_check(&s, &c, &v), 0);
    c = cfg_default();

    host_fixture(&s);
    s.cpu_busy_pct = 99;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "cpu");
    c.cpu_max_pct = 100; /* off */
    cr_assert_eq(density_check(&s, &c, &v), 0);
}

/* The fill's steps on a budget of 500 pids, one pid per container:
   1, 2, 4, ... while doubling fits, finer steps near the limit, and the
   ceiling exactly at pids.max with cgroup_pids named. */
Test(guards, plan_doubles_then_refines_to_the_ceiling)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap base, prev, now;
    int n = 0, n_prev = 0, next, steps = 0, have_prev = 0;
    int sizes[64];

    host_fixture(&base);
    snprintf(base.cgroup, sizeof(base.cgroup), "isobench/ib00000002");
    base.cg.pids_max = 500;
    base.cg.pids = 0;
    now = base;
    for (;;) {
        cr_assert_lt(steps, 60, "the fill must end");
        if (density_plan(&base, have_prev ? &prev : NULL, n_prev, &now, n, &c, &next, &v))
            break;
        cr_assert_gt(next, n);
        sizes[steps++] = next;
        prev = now;
        have_prev = 1;
        n_prev = n;
        n = next;
        now.cg.pids = n;                        /* one pid each */
        now.host.tasks_in_use = 1000 + n;
        now.host.mem_available_bytes = 20 * GIB - (int64_t)n * (1 << 20); /* 1 MiB each */
        now.containers = n;
    }
    cr_assert_eq(n, 500, "the ceiling is pids.max");
    cr_assert_str_eq(v.binding, "cgroup_pids");
    cr_assert_eq(sizes[0], 1);
    cr_assert_eq(sizes[1], 2);
    cr_assert_eq(sizes[8], 256, "geometric while doubling fits");
    cr_assert_lt(sizes[9], 512);
    cr_assert_lt(steps, 25, "finer steps, but not one container at a time");
}

/* Memory binds: 10 MiB per container on a host with 3 GiB above the reserve. */
Test(guards, plan_stops_before_the_memory_reserve)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap base, now;
    int next;

    c.mem_reserve_bytes = 2 * GIB;
    host_fixture(&base);
    base.host.mem_available_bytes = 5 * GIB;
    now = base;
    now.host.mem_available_bytes = 5 * GIB - 100LL * (10 << 20);
    cr_assert_eq(density_plan(&base, NULL, 0, &now, 100, &c, &next, &v), 0);
    cr_assert_eq(next, 200, "doubling fits");
    now.host.mem_available_bytes = 5 * GIB - 300LL * (10 << 20);
    cr_assert_eq(density_plan(&base, NULL, 0, &now, 300, &c, &next, &v), 0);
    cr_assert_lt(next, 600, "doubling would cross the reserve");
    cr_assert_leq((int64_t)(next - 300) * (10 << 20), 2 * GIB, "the step stays above the reserve");
    now.host.mem_available_bytes = 2 * GIB + 5 * (1 << 20);
    cr_assert_eq(density_plan(&base, NULL, 0, &now, 300, &c, &next, &v), 1, "not one more fits");
    cr_assert_str_eq(v.binding, "memory");
    cr_assert_eq(next, 300);
}

/* runc init needs a few threads for a moment: pids.max refuses a fork
   before pids.current shows the budget full; pids.events says so. */
Test(guards, refused_forks_and_oom_kills_name_the_budget)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap s;

    host_fixture(&s);
    snprintf(s.cgroup, sizeof(s.cgroup), "isobench/ib00000003");
    s.cg.pids_max = 1000;
    s.cg.pids = 990;
    s.pids_refused = 2;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "cgroup_pids");
    cr_assert(strstr(v.counter, "pids.events") != NULL, "%s", v.counter);
    s.pids_refused = 0;
    s.failures = 3;
    s.pids_peak_at_max = 1; /* v1: the refusal is counted in the failed container's own cgroup */
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "cgroup_pids");
    cr_assert(strstr(v.counter, "pids.peak") != NULL, "%s", v.counter);
    s.pids_peak_at_max = 0;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "launch_failures");
    s.failures = 0;
    s.oom_kills = 1;
    cr_assert_eq(density_check(&s, &c, &v), 1);
    cr_assert_str_eq(v.binding, "memory");
    cr_assert(strstr(v.counter, "oom_kill") != NULL, "%s", v.counter);
}

Test(guards, failures_blame_the_full_resource)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap base, now;

    host_fixture(&base);
    base.cg.pids_max = 500;
    base.cg.pids = 0;
    now = base;
    now.cg.pids = 498;
    now.failures = 12;
    density_blame_failures(&base, &now, 498, 20, &c, &v);
    cr_assert_str_eq(v.binding, "cgroup_pids");
    now.cg.pids = 100;
    density_blame_failures(&base, &now, 100, 20, &c, &v);
    cr_assert_str_eq(v.binding, "launch_failures");
}

Test(guards, max_containers)
{
    struct density_cfg c = cfg_default();
    struct guard_verdict v;
    struct density_snap s;
    int next;
    c.max_containers = 8;
    host_fixture(&s);
    cr_assert_eq(density_plan(&s, NULL, 0, &s, 6, &c, &next, &v), 0);
    cr_assert_eq(next, 8);
    cr_assert_eq(density_plan(&s, NULL, 0, &s, 8, &c, &next, &v), 1);
    cr_assert_str_eq(v.binding, "max_containers");
}

/* ---- integration ---- */

/* Is a live (not zombie) process in a cgroup of run id? A zombie keeps its
   cgroup path in /proc/<pid>/cgroup after the cgroup is gone, until its
   parent (init, for runtime helpers orphaned at exit) reaps it. */
static int live_process_in_run(const char *id)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    char path[300], buf[4096];
    int found = 0;
    while (d != NULL && (de = readdir(d)) != NULL && !found) {
        FILE *f;
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        f = fopen(path, "r");
        if (f != NULL) {
            char *paren;
            buf[0] = '\0';
            if (fgets(buf, sizeof(buf), f) == NULL)
                buf[0] = '\0';
            fclose(f);
            paren = strrchr(buf, ')');
            if (paren != NULL && paren[1] == ' ' && paren[2] == 'Z')
                continue;
        }
        snprintf(path, sizeof(path), "/proc/%s/cgroup", de->d_name);
        f = fopen(path, "r");
        while (f != NULL && fgets(buf, sizeof(buf), f) != NULL)
            if (strstr(buf, id) != NULL)
                found = 1;
        if (f != NULL)
            fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return found;
}

/* Column of the header row named `name`, -1 when absent. */
static int column(const struct table *t, const char *name)
{
    int c;
    for (c = 0; c < 32; c++)
        if (strcmp(t->cells[0][c], name) == 0)
            return c;
    return -1;
}

/* The series a budgeted fill records at each step: the budget cgroup's
   memory in use (density.csv and ramp.csv cgroup_used_bytes) grows with the
   containers; every step's PSS sum covers every container of the step; and
   ramp.csv's baseline lies between the empty host before the fill and after
   its teardown (interpolated in time, density.json has both). */
static void check_fill_series(const char *out)
{
    struct table *t = calloc(1, sizeof(*t));
    char path[1300];
    int cc, cu, cp, cn, cb, r, first = 0, last = 0;
    double lo, hi, first_used = -1, last_used = -1;
    cJSON *dj, *m;
    char *text;

    cr_assert_not_null(t);
    snprintf(path, sizeof(path), "%s/density.csv", out);
    read_csv(path, t);
    cc = column(t, "containers");
    cu = column(t, "cgroup_used_bytes");
    cp = column(t, "user_mem_containers");
    cr_assert(cc >= 0 && cu >= 0 && cp >= 0, "density.csv lacks a column (%s)", path);
    for (r = 1; r < t->rows; r++) {
        int n = atoi(t->cells[r][cc]);
        cr_assert_neq(t->cells[r][cu][0], '\0', "%s row %d: cgroup_used_bytes empty in a budget", path, r);
        if (n > 0 && t->cells[r][column(t, "guard")][0] == '\0')
            cr_assert_eq(atoi(t->cells[r][cp]), n, "%s row %d: PSS of %s of %d containers", path, r,
                         t->cells[r][cp], n);
        if (n > 0 && first == 0) {
            first = n;
            first_used = atof(t->cells[r][cu]);
        }
        if (n > last) {
            last = n;
            last_used = atof(t->cells[r][cu]);
        }
    }
    cr_assert_gt(last, first);
    cr_assert_gt(last_used, first_used, "%s: the budget's memory must grow with the fleet (%d: %.0f, %d: %.0f)",
                 path, first, first_used, last, last_used);

    snprintf(path, sizeof(path), "%s/density.json", out);
    text = read_text(path);
    dj = cJSON_Parse(text);
    free(text);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(dj, "modes"), 0);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(m, "baseline_before_bytes")));
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(m, "baseline_after_bytes")), "no baseline after teardown");
    lo = fmin(cJSON_GetObjectItem(m, "baseline_before_bytes")->valuedouble,
              cJSON_GetObjectItem(m, "baseline_after_bytes")->valuedouble);
    hi = fmax(cJSON_GetObjectItem(m, "baseline_before_bytes")->valuedouble,
              cJSON_GetObjectItem(m, "baseline_after_bytes")->valuedouble);
    cJSON_Delete(dj);

    memset(t, 0, sizeof(*t));
    snprintf(path, sizeof(path), "%s/ramp.csv", out);
    read_csv(path, t);
    cu = column(t, "cgroup_used_bytes");
    cb = column(t, "baseline_used_bytes");
    cn = column(t, "fleet_size");
    cr_assert(cu >= 0 && cb >= 0 && cn >= 0, "ramp.csv lacks a column (%s)", path);
    cr_assert_gt(t->rows, 2, "%s: no ramp rows", path);
    for (r = 1; r < t->rows; r++) {
        double b = atof(t->cells[r][cb]);
        cr_assert_neq(t->cells[r][cu][0], '\0', "%s row %d: cgroup_used_bytes empty in a budget", path, r);
        cr_assert(b >= lo - 1 && b <= hi + 1, "%s row %d: baseline %.0f outside [%.0f, %.0f]", path, r, b, lo, hi);
    }
    cr_assert_gt(atof(t->cells[t->rows - 1][cu]), atof(t->cells[1][cu]), "%s: cgroup_used_bytes must grow", path);
    free(t);
}

/* Run `isobench density` on a one-mode scenario inside a budget (holding
   the heavy-work lock when heavy), check density.json's binding and
   ceiling range, and that nothing of the run is left. */
static void fill_and_check(const char *mode_json, const char *budget, int heavy, const char *binding, int ceil_lo,
                           int ceil_hi, int limit)
{
    char dir[] = "/tmp/isobench-test-den-XXXXXX";
    char scn[1100], out[1100], path[1300], id[64];
    const char *hier[] = { "memory", "pids", "cpu", "cpuacct", "unified", "systemd", "freezer", "devices", NULL };
    cJSON *dj, *m, *ev, *run;
    char *text, *mi;
    int status, i, lock = -1;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    {
        FILE *f = fopen(scn, "w");
        fprintf(f, "{\"modes\":[%s],\"fleet\":{\"size\":1,\"concurrency\":8},"
                   "\"hold_ms\":300,\"settle_ms\":100,\"sample_interval_ms\":100}",
                mode_json);
        fclose(f);
    }
    if (heavy) { /* one big fill at a time on a shared machine */
        lock = open("/tmp/isobench-heavy.lock", O_RDWR | O_CREAT, 0666);
        cr_assert_geq(lock, 0);
        cr_assert_eq(flock(lock, LOCK_EX), 0);
    }
    {
        /* CPU and start-time guards off: a busy CI host must not end the fill early */
        char *const argv[] = { "isobench", "density", scn, "--budget", (char *)budget, "--out", out,
                               "--cpu-max", "100", "--start-slo-ms", "0", "--quiet", NULL };
        status = isobench_run_quiet(argv);
    }
    if (lock >= 0)
        close(lock);
    cr_assert_eq(status, 0, "isobench density failed (%s)", out);

    snprintf(path, sizeof(path), "%s/density.json", out);
    text = read_text(path);
    cr_assert_not_null(text);
    dj = cJSON_Parse(text);
    free(text);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(dj, "modes"), 0);
    cr_assert_not_null(m, "no mode filled (%s)", out);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "binding")->valuestring, binding, "(%s)", out);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(m, "stopped_by_guard")));
    cr_assert_geq(cJSON_GetObjectItem(m, "ceiling")->valueint, ceil_lo);
    cr_assert_leq(cJSON_GetObjectItem(m, "ceiling")->valueint, ceil_hi);
    ev = cJSON_GetObjectItem(m, "evidence");
    cr_assert_eq(cJSON_GetObjectItem(ev, "limit")->valueint, limit);
    cr_assert(strstr(cJSON_GetObjectItem(ev, "counter")->valuestring, "pids.") != NULL, "%s",
              cJSON_GetObjectItem(ev, "counter")->valuestring);
    cJSON_Delete(dj);

    snprintf(path, sizeof(path), "%s/density.csv", out);
    text = read_text(path);
    cr_assert_not_null(text);
    cr_assert(strncmp(text, "mode,step,containers,host_used_bytes,user_mem_bytes,kernel_mem_bytes", 68) == 0);
    cr_assert(strstr(text, ",0,0,") != NULL, "step 0 is the empty host");
    free(text);
    check_fill_series(out);

    /* density ends like run: summary.json and the report */
    snprintf(path, sizeof(path), "%s/report/report.html", out);
    cr_assert(access(path, F_OK) == 0, "%s: density writes its report", path);

    snprintf(path, sizeof(path), "%s/run.json", out);
    text = read_text(path);
    run = cJSON_Parse(text);
    free(text);
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "complete");
    snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(run, "run_id")->valuestring);
    cJSON_Delete(run);

    /* nothing left: cgroups in any hierarchy, mounts, processes */
    for (i = 0; hier[i] != NULL; i++) {
        struct stat st;
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/isobench/%s", hier[i], id);
        cr_assert(stat(path, &st) != 0, "cgroup %s left behind", path);
    }
    mi = read_text("/proc/self/mountinfo");
    cr_assert_null(strstr(mi, id), "a mount of run %s is left", id);
    free(mi);
    for (i = 0; i < 50 && live_process_in_run(id); i++)
        usleep(100000); /* a runtime helper killed at teardown may take a moment to die */
    cr_assert(!live_process_in_run(id), "a process of run %s is left", id);
    dir_remove_tree(dir, NULL);
}

/* One pid per ns container: the ceiling is the budget's pids.max. */
Test(density, ns_fill_in_a_budget_binds_on_its_pids, .timeout = 1200)
{
    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    fill_and_check("{\"name\":\"ns\",\"driver\":\"ns\"}", "memory=256M,pids=500", 1, "cgroup_pids", 490, 500,
                   500);
}

/* runc: one pid per container once started, but runc's nsexec and init
   need a few more for a moment during create, so with 8 creates at once
   the budget's pids.max refuses a fork (pids.events) below 64 containers. */
Test(density, oci_runc_fill_in_a_budget_binds_on_its_pids, .timeout = 1200)
{
    require_or_skip(geteuid() == 0, "needs root for runc");
    require_or_skip(access("/usr/sbin/runc", X_OK) == 0 || access("/usr/bin/runc", X_OK) == 0, "needs runc");
    fill_and_check("{\"name\":\"runc\",\"driver\":\"oci\",\"options\":{\"runtime\":\"runc\"}}",
                   "memory=512M,pids=64", 0, "cgroup_pids", 16, 64, 64);
}

/* SIGINT in the middle of a fill: the fleet and the budget are torn down,
   density.json says "interrupted" and run.json "interrupted". */
Test(density, sigint_tears_the_fill_down, .timeout = 600)
{
    char dir[] = "/tmp/isobench-test-dint-XXXXXX";
    char scn[1100], out[1100], path[1300], id[64];
    cJSON *run, *dj, *m;
    char *text;
    int status, i;
    pid_t pid;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    {
        FILE *f = fopen(scn, "w");
        fputs("{\"modes\":[{\"name\":\"ns\",\"driver\":\"ns\"}],\"fleet\":{\"size\":1,\"concurrency\":4},"
              "\"hold_ms\":2000,\"settle_ms\":100,\"sample_interval_ms\":200}",
              f);
        fclose(f);
    }
    {
        char *const argv[] = { "isobench", "density", scn, "--budget", "memory=256M,pids=200", "--out", out,
                               "--cpu-max", "100", "--start-slo-ms", "0", "--quiet", NULL };
        pid = isobench_spawn_quiet(argv);
    }
    /* wait for the 4-container step (step 3) */
    snprintf(path, sizeof(path), "%s/density.csv", out);
    for (i = 0; i < 1200; i++) { /* 2 minutes: a shared host can be slow */
        text = read_text(path);
        if (text != NULL && strstr(text, "\nns,3,") != NULL) {
            free(text);
            break;
        }
        free(text);
        usleep(100000);
    }
    if (i == 1200)
        kill(pid, SIGINT); /* never leave a fill behind */
    cr_assert_lt(i, 1200, "the fill never reached step 3");
    kill(pid, SIGINT);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "isobench must exit cleanly on SIGINT");

    snprintf(path, sizeof(path), "%s/run.json", out);
    text = read_text(path);
    run = cJSON_Parse(text);
    free(text);
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "interrupted");
    snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(run, "run_id")->valuestring);
    cJSON_Delete(run);
    snprintf(path, sizeof(path), "%s/density.json", out);
    text = read_text(path);
    cr_assert_not_null(text, "density.json is written on SIGINT too");
    dj = cJSON_Parse(text);
    free(text);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(dj, "modes"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "binding")->valuestring, "interrupted");
    cJSON_Delete(dj);
    snprintf(path, sizeof(path), "/sys/fs/cgroup/pids/isobench/%s", id);
    {
        struct stat st;
        cr_assert(stat(path, &st) != 0, "cgroup %s left behind", path);
    }
    for (i = 0; i < 50 && live_process_in_run(id); i++)
        usleep(100000);
    cr_assert(!live_process_in_run(id), "a process of run %s is left", id);
    dir_remove_tree(dir, NULL);
}
