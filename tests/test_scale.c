/*
 * test_scale.c - 2,000 idle ns containers through the real isobench binary,
 * inside a budget (memory 3G, pids 2500): launched, held and sampled on the
 * scenario's cadences, torn down. Checks that every container has its row,
 * that every container was sampled at the hold's start and end with every
 * counter of the cheap set on each tick (and PSS only at start and end, as
 * pss_interval_ms 0 asks), that isobench recorded its own cost, and that
 * nothing of the run is left: no cgroup in any hierarchy, no mount, no
 * scratch directory.
 *
 * It uses an image cache of its own (ISOBENCH_CACHE in its directory).
 * The test holds /tmp/isobench-heavy.lock for the whole run (one big fill
 * at a time on a shared machine) and skips when the host cannot spare 2,000
 * pids while keeping 8,000 free for everybody else (fails under CI).
 */
#define _GNU_SOURCE
#include "image.h"
#include "proc.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FLEET 2000

/* A /proc file (its size reads as 0, so not read_text). */
static void read_proc(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t r = fd >= 0 ? read(fd, buf, n - 1) : -1;
    buf[r > 0 ? r : 0] = '\0';
    if (fd >= 0)
        close(fd);
}

/* Threads on the host (what kernel.pid_max counts): /proc/loadavg's total. */
static long host_tasks(void)
{
    char t[256];
    long running = 0, total = -1;
    read_proc("/proc/loadavg", t, sizeof(t));
    if (sscanf(t, "%*s %*s %*s %ld/%ld", &running, &total) != 2)
        total = -1;
    return total;
}

static long pid_max(void)
{
    char t[64];
    read_proc("/proc/sys/kernel/pid_max", t, sizeof(t));
    return t[0] ? atol(t) : -1;
}

/* Count samples.csv rows of scope "container" per counter. */
struct counts {
    long cheap_mem, cheap_cpu, cheap_pids, pss, storage, harness;
};

static void count_samples(const char *path, struct counts *c)
{
    FILE *f = fopen(path, "r");
    char line[512];
    memset(c, 0, sizeof(*c));
    cr_assert_not_null(f, "%s", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, ",container,") != NULL) {
            c->cheap_mem += strstr(line, ",mem_cgroup_bytes,") != NULL;
            c->cheap_cpu += strstr(line, ",cpu_ns,") != NULL;
            c->cheap_pids += strstr(line, ",pids,") != NULL;
            c->pss += strstr(line, ",mem_pss_bytes,") != NULL;
            c->storage += strstr(line, ",storage_bytes,") != NULL;
        } else if (strstr(line, "harness") != NULL) {
            c->harness++;
        }
    }
    fclose(f);
}

Test(scale, two_thousand_ns_containers_in_a_budget, .timeout = 1800)
{
    char dir[] = "/tmp/isobench-test-scale-XXXXXX";
    char scn[1100], out[1100], path[2048], text[1024];
    const char *hier[] = { "memory", "pids", "cpu", "cpuacct", "unified", "systemd", NULL };
    cJSON *run, *sum, *m, *h;
    struct counts c;
    const char *id;
    long tasks, pmax;
    int lock, status, i, rows = 0, ok = 0;
    FILE *f;
    struct stat st;
    char *mi;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    lock = open("/tmp/isobench-heavy.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    cr_assert_geq(lock, 0);
    cr_assert_eq(flock(lock, LOCK_EX), 0, "heavy-work lock");
    tasks = host_tasks();
    pmax = pid_max();
    require_or_skip(tasks > 0 && pmax - tasks >= FLEET + 8000 + 500,
                    "only %ld of %ld pids free: %d containers need them while 8,000 stay free for others",
                    pmax - tasks, pmax, FLEET);

    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/s.json", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    snprintf(text, sizeof(text),
             "{\"name\":\"scale\",\"modes\":[{\"name\":\"ns\",\"driver\":\"ns\"}],"
             "\"fleet\":{\"size\":%d,\"concurrency\":4},\"hold_ms\":3000,\"settle_ms\":500,"
             "\"sample_interval_ms\":250,\"pss_interval_ms\":0,\"budget\":{\"memory\":\"3G\",\"pids\":2500}}",
             FLEET);
    write_text_file(scn, text);
    /* A cache of its own: another session rebuilding the shared image in the
       middle of a 2,000-container launch would fail some of them. */
    snprintf(path, sizeof(path), "%s/cache", dir);
    setenv("ISOBENCH_CACHE", path, 1);
    {
        char *const argv[] = { "isobench", "run", scn, "--out", out, "--quiet", "--no-report", NULL };
        status = isobench_run_quiet(argv);
    }
    flock(lock, LOCK_UN);
    close(lock);
    cr_assert_eq(status, 0, "isobench run failed (exit %d)", status);

    /* Every container has its row, and all ran. */
    snprintf(path, sizeof(path), "%s/containers.csv", out);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    while (fgets(text, sizeof(text), f) != NULL) {
        rows++;
        ok += strstr(text, ",ok,") != NULL || strstr(text, ",\"ok\",") != NULL;
    }
    fclose(f);
    cr_assert_eq(rows, FLEET + 1, "a header and one row per container");
    cr_assert_eq(ok, FLEET, "every container ok");

    /* Samples: every tick of the cheap set has all three counters; PSS and
       storage exactly at the hold's start and end. */
    snprintf(path, sizeof(path), "%s/samples.csv", out);
    count_samples(path, &c);
    cr_assert_geq(c.cheap_mem, 2L * FLEET, "at least the start and end of the hold for each container");
    cr_assert_eq(c.cheap_cpu, c.cheap_mem);
    cr_assert_eq(c.cheap_pids, c.cheap_mem);
    cr_assert_eq(c.pss, 2L * FLEET, "pss_interval_ms 0: PSS at the start and the end only");
    cr_assert_eq(c.storage, 2L * FLEET);
    cr_assert_gt(c.harness, 0, "isobench samples itself");

    snprintf(path, sizeof(path), "%s/run.json", out);
    mi = read_text(path);
    run = cJSON_Parse(mi);
    free(mi);
    cr_assert_not_null(run);
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "complete");
    id = cJSON_GetObjectItem(run, "run_id")->valuestring;
    h = cJSON_GetObjectItem(run, "harness");
    cr_assert_not_null(h, "run.json records isobench's own cost");
    cr_assert_eq(cJSON_GetObjectItem(h, "max_running")->valueint, FLEET);
    cr_assert_eq((long)cJSON_GetObjectItem(h, "cheap_samples")->valuedouble, c.cheap_mem,
                 "the sample count in run.json matches samples.csv");
    cr_assert_gt(cJSON_GetObjectItem(h, "sampler_cpu_ns")->valuedouble, 0);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(h, "rss_growth_bytes_per_container")));
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(h, "sampler_cpu_pct_per_1000_at_10hz")));
    snprintf(path, sizeof(path), "%s/summary.json", out);
    mi = read_text(path);
    sum = cJSON_Parse(mi);
    free(mi);
    cr_assert_not_null(sum);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(sum, "modes"), 0);
    cr_assert_eq(cJSON_GetObjectItem(m, "containers")->valueint, FLEET);
    cr_assert_eq(cJSON_GetObjectItem(m, "failed")->valueint, 0);

    /* Nothing left: cgroups, mounts, scratch directories. */
    for (i = 0; hier[i] != NULL; i++) {
        snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/isobench/%s", hier[i], id);
        cr_assert(stat(path, &st) != 0, "cgroup %s left behind", path);
    }
    {
        /* mountinfo can be long: scan it line by line. */
        FILE *mf = fopen("/proc/self/mountinfo", "r");
        char ml[8192];
        cr_assert_not_null(mf);
        while (fgets(ml, sizeof(ml), mf) != NULL)
            cr_assert_null(strstr(ml, id), "a mount of run %s is left: %s", id, ml);
        fclose(mf);
    }
    snprintf(path, sizeof(path), "%s/ns/runs/%s", image_cache_dir(), id);
    cr_assert(stat(path, &st) != 0, "scratch directory %s left behind", path);
    cJSON_Delete(run);
    cJSON_Delete(sum);
    dir_remove_tree(dir, NULL);
}
