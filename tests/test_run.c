/*
 * test_run.c - end to end: the real isobench binary runs a small scenario
 * with the ns driver (real namespaces, cgroups, overlayfs) and leaves a
 * complete, parseable run directory; an interrupted run leaves valid files
 * and nothing behind.
 */
#include "csv_table.h"
#include "support.h"
#include "image.h"
#include "proc.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static cJSON *load_json(const char *dir, const char *name)
{
    char path[2048];
    char *text;
    cJSON *j;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    text = read_text(path);
    cr_assert_not_null(text, "%s missing", path);
    j = cJSON_Parse(text);
    cr_assert_not_null(j, "%s does not parse", path);
    free(text);
    return j;
}

static int count_lines(const char *dir, const char *name)
{
    char path[2048];
    char *text, *p;
    int n = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    text = read_text(path);
    cr_assert_not_null(text, "%s missing", path);
    for (p = text; *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* `isobench run SCENARIO --out OUT --quiet [--budget BUDGET]` in the background. */
static pid_t spawn_isobench_budget(const char *scenario, const char *out, const char *budget)
{
    char *const argv[] = { "isobench", "run", (char *)scenario, "--out", (char *)out, "--quiet",
                           budget != NULL ? "--budget" : NULL, (char *)budget, NULL };
    return isobench_spawn_quiet(argv);
}

static pid_t spawn_isobench(const char *scenario, const char *out)
{
    return spawn_isobench_budget(scenario, out, NULL);
}

/* Wait (at most 30 s) until samples.csv names container `needle`. */
static void wait_fleet_up(const char *out, const char *needle)
{
    char path[1200];
    int i;
    snprintf(path, sizeof(path), "%s/samples.csv", out);
    for (i = 0; i < 300; i++) {
        char *t = read_text(path);
        int up = t != NULL && strstr(t, needle) != NULL;
        free(t);
        if (up)
            return;
        usleep(100000);
    }
    cr_assert_fail("fleet never came up (%s)", needle);
}

/* A number from a cgroup file (their size reads as 0, so not read_text). */
static int64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    long long v = -1;
    if (f != NULL) {
        if (fscanf(f, "%lld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

Test(run, ns_fleet_end_to_end, .timeout = 300)
{
    char dir[] = "/tmp/isobench-test-run-XXXXXX";
    char scn[1100], out[1100];
    cJSON *run, *sum, *m, *marg;
    int status;
    pid_t pid;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    write_text_file(scn, "{\"name\":\"e2e\",\"modes\":[{\"name\":\"ns\",\"driver\":\"ns\"}],"
                    "\"fleet\":{\"ramp\":[1,2,4],\"concurrency\":2},\"hold_ms\":400,\"settle_ms\":100,"
                    "\"sample_interval_ms\":100,\"limits\":{\"memory\":\"64M\"}}");
    pid = spawn_isobench(scn, out);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "isobench run failed");

    run = load_json(out, "run.json");
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "complete");
    cr_assert_gt(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "host"), "cores")->valueint, 0);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "modes"), 0);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(m, "available")));
    sum = load_json(out, "summary.json");
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "modes"), 0);
    cr_assert_eq(cJSON_GetObjectItem(m, "containers")->valueint, 4);
    cr_assert_eq(cJSON_GetObjectItem(m, "failed")->valueint, 0);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "start_ms"), "count")->valueint, 4);
    cr_assert_gt(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "start_ms"), "p50")->valuedouble, 0);
    cr_assert_gt(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "mem_pss_bytes"), "mean")->valuedouble, 0);
    marg = cJSON_GetObjectItem(m, "marginal_mem_bytes");
    cr_assert_eq(cJSON_GetObjectItem(marg, "points")->valueint, 4, "origin + 3 ramp levels");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(marg, "slope")));
    cr_assert_eq(count_lines(out, "containers.csv"), 5);
    cr_assert_eq(count_lines(out, "ramp.csv"), 4);
    cr_assert_gt(count_lines(out, "samples.csv"), 10);
    {
        /* isobench's descriptors on cgroup counter files (what the nofile
           capacity lets go past half the limit), counted from /proc/self/fd
           links: the ns driver keeps each held container's memory, CPU and
           pids files open, so levels 1 -> 4 add 3 containers' worth (3 each),
           and they are part of isobench's descriptors */
        static struct table t;
        char path[1200];
        int c, fds = -1, counters = -1, r;
        snprintf(path, sizeof(path), "%s/ramp.csv", out);
        read_csv(path, &t);
        for (c = 0; c < 32; c++) {
            if (strcmp(t.cells[0][c], "harness_fds") == 0)
                fds = c;
            if (strcmp(t.cells[0][c], "harness_counter_fds") == 0)
                counters = c;
        }
        cr_assert(fds >= 0 && counters >= 0, "ramp.csv lacks harness_fds / harness_counter_fds");
        cr_assert_eq(t.rows, 4);
        for (r = 1; r < t.rows; r++)
            cr_assert_geq(atol(t.cells[r][fds]), atol(t.cells[r][counters]), "row %d", r);
        cr_assert_eq(atol(t.cells[3][counters]) - atol(t.cells[1][counters]), 9, "levels 1 -> 4: %s -> %s",
                     t.cells[1][counters], t.cells[3][counters]);
        /* the slab caches and per-CPU free pages with every host-memory
           sample (empty cells only where /proc cannot tell) */
        {
            const char *names[] = { "slab_free_bytes", "slab_active_bytes", "slab_reused_bytes",
                                    "slab_free_start_bytes", "slab_active_start_bytes", "slab_free_after_bytes",
                                    "slab_active_after_bytes", "pcp_free_bytes", "pcp_free_start_bytes",
                                    "pcp_free_after_bytes", "hold_mem_range_bytes" };
            int col[11], k, readable = access("/proc/slabinfo", R_OK) == 0;
            for (k = 0; k < 11; k++) {
                col[k] = -1;
                for (c = 0; c < 32; c++)
                    if (strcmp(t.cells[0][c], names[k]) == 0)
                        col[k] = c;
                cr_assert(col[k] >= 0, "ramp.csv lacks %s", names[k]);
            }
            for (r = 1; r < t.rows; r++)
                for (k = 0; k < 11; k++) {
                    const char *v = t.cells[r][col[k]];
                    if (k >= 7 || readable)
                        cr_assert(v[0] != '\0' && atoll(v) >= 0, "row %d %s '%s'", r, names[k], v);
                    else
                        cr_assert_str_empty(v, "row %d %s: /proc/slabinfo is not readable", r, names[k]);
                }
            if (readable)
                cr_assert_gt(atoll(t.cells[1][col[3]]) + atoll(t.cells[1][col[4]]), 0, "slab caches at the start");
        }
    }
    cJSON_Delete(run);
    cJSON_Delete(sum);
    dir_remove_tree(dir, NULL);
}

Test(run, interrupted_run_leaves_valid_files_and_nothing_behind, .timeout = 300)
{
    char dir[] = "/tmp/isobench-test-int-XXXXXX";
    char scn[1100], out[1100], cg[1300];
    cJSON *run;
    const char *id;
    int status;
    pid_t pid;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    write_text_file(scn, "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"size\":3},\"hold_ms\":60000,"
                    "\"settle_ms\":100}");
    pid = spawn_isobench(scn, out);
    /* Wait until the fleet is up (three rows of samples for containers). */
    wait_fleet_up(out, "r0-2");
    kill(pid, SIGINT);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "isobench must exit cleanly on SIGINT");
    run = load_json(out, "run.json");
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "interrupted");
    id = cJSON_GetObjectItem(run, "run_id")->valuestring;
    cr_assert_eq(count_lines(out, "containers.csv"), 4, "every launched container has its row");
    /* No cgroup, mount or process of the run is left. */
    snprintf(cg, sizeof(cg), "/sys/fs/cgroup/memory/isobench/%s", id);
    {
        struct stat st;
        char *mi = read_text("/proc/self/mountinfo");
        cr_assert(stat(cg, &st) != 0 || rmdir(cg) == 0, "cgroup %s left behind", cg);
        cr_assert_null(strstr(mi, id), "a mount of run %s is left", id);
        free(mi);
    }
    cJSON_Delete(run);
    dir_remove_tree(dir, NULL);
}

/* Every container of a budgeted run lives in the budget cgroup with its
   limits; run.json records the budget and the host limits; SIGINT leaves
   no cgroup of the run in any hierarchy. */
Test(run, budget_holds_the_fleet_and_is_removed, .timeout = 300)
{
    char dir[] = "/tmp/isobench-test-bud-XXXXXX";
    char scn[1100], out[1100], path[1300], id[64];
    cJSON *run, *b, *lim;
    const char *hier[] = { "memory", "pids", "cpu", "cpuacct", "unified", "systemd", "freezer", "devices", NULL };
    int status, i;
    pid_t pid;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    require_or_skip(access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0, "needs the cgroup v1 pids hierarchy");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    write_text_file(scn, "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"size\":3},\"hold_ms\":60000,"
                    "\"settle_ms\":100,\"budget\":{\"memory\":\"1G\",\"pids\":100}}");
    /* --budget replaces the scenario's budget */
    pid = spawn_isobench_budget(scn, out, "memory=256M,pids=500,cpus=1");
    wait_fleet_up(out, "r0-2");
    run = load_json(out, "run.json");
    snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(run, "run_id")->valuestring);
    b = cJSON_GetObjectItem(run, "budget");
    cr_assert_eq(cJSON_GetObjectItem(b, "pids")->valueint, 500);
    cr_assert_eq(cJSON_GetObjectItem(b, "memory_bytes")->valuedouble, 268435456.0);
    cr_assert_eq(cJSON_GetObjectItem(b, "cgroup_version")->valueint, 1);
    lim = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "host"), "limits");
    cr_assert_gt(cJSON_GetObjectItem(lim, "pid_max")->valuedouble, 0);
    cr_assert_eq(cJSON_GetObjectItem(lim, "cgroup_pids_max")->valueint, 500);
    snprintf(path, sizeof(path), "/sys/fs/cgroup/pids/isobench/%s/pids.max", id);
    cr_assert_eq(read_number(path), 500);
    snprintf(path, sizeof(path), "/sys/fs/cgroup/pids/isobench/%s/pids.current", id);
    cr_assert_geq(read_number(path), 3, "the three containers count against the budget");
    snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/isobench/%s/memory.limit_in_bytes", id);
    cr_assert_eq(read_number(path), 268435456);
    snprintf(path, sizeof(path), "/sys/fs/cgroup/cpu/isobench/%s/cpu.cfs_quota_us", id);
    cr_assert_eq(read_number(path), 100000);
    cJSON_Delete(run);
    kill(pid, SIGINT);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "isobench must exit cleanly on SIGINT");
    for (i = 0; hier[i] != NULL; i++) {
        struct stat st;
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/isobench/%s", hier[i], id);
        cr_assert(stat(path, &st) != 0, "cgroup %s left behind", path);
    }
    cr_assert_eq(count_lines(out, "containers.csv"), 4);
    dir_remove_tree(dir, NULL);
}

/* cgroup v1: the budget's pids.max caps how many ns containers start (the
   clone is charged to the budget, not moved in past the limit): a fleet of
   12 in a budget of 6 pids starts at most 6 minus the launching thread,
   the other rows fail naming the budget's pids, and nothing is left. */
Test(run, budget_pids_cap_ns_launches, .timeout = 300)
{
    char dir[] = "/tmp/isobench-test-bpid-XXXXXX";
    char scn[1100], out[1100], path[1300], id[64];
    const char *hier[] = { "memory", "pids", "cpu", "cpuacct", NULL };
    char *csv, *p;
    cJSON *run;
    int status, i, ok = 0, refused = 0;
    pid_t pid;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    require_or_skip(access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0, "needs the cgroup v1 pids hierarchy");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    write_text_file(scn, "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"size\":12,\"concurrency\":2},"
                    "\"hold_ms\":200,\"settle_ms\":50}");
    pid = spawn_isobench_budget(scn, out, "memory=256M,pids=6");
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "isobench must exit");
    snprintf(path, sizeof(path), "%s/containers.csv", out);
    csv = read_text(path);
    cr_assert_not_null(csv);
    for (p = strchr(csv, '\n'); p != NULL && p[1] != '\0'; p = strchr(p + 1, '\n')) {
        char *eol = strchr(p + 1, '\n');
        size_t len = eol ? (size_t)(eol - p - 1) : strlen(p + 1);
        char row[2048];
        snprintf(row, sizeof(row), "%.*s", (int)(len < sizeof(row) ? len : sizeof(row) - 1), p + 1);
        if (strstr(row, ",ok,") != NULL || strstr(row, ",\"ok\",") != NULL)
            ok++;
        else if (strstr(row, "pids.max") != NULL && strstr(row, "budget") != NULL)
            refused++;
    }
    cr_assert_leq(ok, 5, "at most pids.max minus the launching thread may start: %d did\n%s", ok, csv);
    cr_assert_geq(ok, 1, "%s", csv);
    cr_assert_eq(ok + refused, 12, "every other row names the budget's pids.max:\n%s", csv);
    free(csv);
    run = load_json(out, "run.json");
    snprintf(id, sizeof(id), "%s", cJSON_GetObjectItem(run, "run_id")->valuestring);
    cJSON_Delete(run);
    for (i = 0; hier[i] != NULL; i++) {
        struct stat st;
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/isobench/%s", hier[i], id);
        cr_assert(stat(path, &st) != 0, "cgroup %s left behind", path);
    }
    snprintf(path, sizeof(path), "%s/ns/runs/%s", image_cache_dir(), id);
    cr_assert(access(path, F_OK) != 0, "scratch directory %s left behind", path);
    dir_remove_tree(dir, NULL);
}

Test(run, unavailable_mode_gets_a_row_and_the_run_goes_on, .timeout = 300)
{
    char dir[] = "/tmp/isobench-test-unav-XXXXXX";
    char scn[1100], out[1100], path[1200];
    char *csv;
    cJSON *sum, *m;
    int status;
    pid_t pid;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    write_text_file(scn, "{\"modes\":[{\"name\":\"gone\",\"driver\":\"docker\",\"options\":"
                    "{\"socket\":\"unix:///nonexistent/docker.sock\"}},{\"driver\":\"ns\"}],"
                    "\"fleet\":{\"size\":2},\"hold_ms\":200,\"settle_ms\":50}");
    pid = spawn_isobench(scn, out);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the run must go on past an unavailable mode");
    snprintf(path, sizeof(path), "%s/containers.csv", out);
    csv = read_text(path);
    cr_assert_not_null(csv);
    cr_assert_not_null(strstr(csv, "\"unavailable\",\"gone: probe: "), "%s", csv);
    cr_assert_not_null(strstr(csv, "/nonexistent/docker.sock"), "the error names the engine: %s", csv);
    free(csv);
    sum = load_json(out, "summary.json");
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "modes"), 1);
    cr_assert_eq(cJSON_GetObjectItem(m, "containers")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(m, "failed")->valueint, 0);
    cJSON_Delete(sum);
    dir_remove_tree(dir, NULL);
}
