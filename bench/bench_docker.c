/*
 * bench_docker.c - start latency of the docker driver against the docker CLI.
 *
 * For each runtime registered with the engine (runc, runsc): RUNS containers
 * running `isobench-payload exit` through the driver hooks (create -> start
 * -> READY line on the attach stream, as the runner times them), then the
 * same container through `docker run --rm` (fork + execv of the CLI, no
 * shell), timed from the fork to the READY line on the CLI's stdout and to
 * its exit. Prints every run, the medians and the driver/CLI ratio, plus the
 * mode's facts (what one sample costs). Then, with 3 idle containers, the
 * CPU time the engine (dockerd, containerd, the shims) spends per stats
 * sample: idle for 5 s, then sample() once a second (the stats streams),
 * then one-shot stats calls, each read from /proc/<pid>/stat. Last, one
 * sampling round over 20 idle containers through sample(), one container
 * after the other (`docker stats --no-stream` over 20 containers took 2.1 s
 * on these machines: shared/README.md). One run of the program, no
 * repetition beyond RUNS: a quick check, not a study.
 *
 * usage: bench_docker [RUNS]   (default 5; needs root, dockerd, the image)
 */
#define _GNU_SOURCE
#include "driver.h"
#include "drivers/docker.h"
#include "plat.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_docker;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double tmp[64];
    memcpy(tmp, v, (size_t)n * sizeof(*v));
    qsort(tmp, (size_t)n, sizeof(*tmp), cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static const char *docker_cli(void)
{
    static const char *const paths[] = { "/usr/bin/docker", "/usr/local/bin/docker", NULL };
    int i;
    for (i = 0; paths[i] != NULL; i++)
        if (access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

/* One `docker run --rm`: ms from fork to the READY line and to exit. */
static int cli_run(const char *cli, const char *runtime, const char *run_id, double *ready_ms,
                   double *exit_ms)
{
    char label[128];
    const char *argv[] = { "docker", "run", "--rm", "--network", "none", "--runtime", runtime,
                           "--label", label, "isobench/busybox", "/isobench-payload", "exit", NULL };
    int fds[2], status;
    int64_t t0;
    pid_t pid;
    FILE *f;
    char line[256];

    snprintf(label, sizeof(label), "isobench.run=%s", run_id);
    *ready_ms = -1;
    if (pipe(fds) < 0)
        return -1;
    t0 = plat_now_ns();
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(cli, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (*ready_ms < 0 && strncmp(line, MARKER_READY, strlen(MARKER_READY)) == 0)
            *ready_ms = (double)(plat_now_ns() - t0) / 1e6;
    if (f != NULL)
        fclose(f);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *exit_ms = (double)(plat_now_ns() - t0) / 1e6;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && *ready_ms >= 0 ? 0 : -1;
}


/* CPU time (ns) of dockerd, containerd and every containerd shim. */
static int64_t engine_cpu_ns(void)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int64_t total = 0;
    long hz = sysconf(_SC_CLK_TCK);
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        char path[64], comm[64] = "", stat[1024];
        FILE *f;
        const char *p;
        unsigned long long ut, st;
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(comm, sizeof(comm), f) == NULL)
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        if (strcmp(comm, "dockerd") != 0 && strcmp(comm, "containerd") != 0 &&
            strncmp(comm, "containerd-shim", 15) != 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(stat, sizeof(stat), f) != NULL && (p = strrchr(stat, ')')) != NULL &&
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
            total += (int64_t)(ut + st) * (1000000000LL / hz);
        fclose(f);
    }
    closedir(d);
    return total;
}

/* Engine CPU per stats sample, on N idle containers of the runtime created
   through the raw API (no driver streams open): idle, then one-shot calls
   back to back, then one stats stream per container (what sample() reads). */
static int stats_cost(const char *runtime, const char *run_id)
{
    enum { N = 3, SECONDS = 5 };
    struct dkt *t = NULL;
    struct dkt_stream *st[N];
    struct dk_resp r = { 0 };
    struct err e;
    char ids[N][80], body[512], path[256], buf[16384];
    int64_t cpu0, t0, idle_ns, oneshot_ns, stream_ns, oneshot_elapsed;
    int i, made = 0, calls = 0, rc = -1;
    cJSON *j;

    memset(st, 0, sizeof(st));
    if (dkt_open("unix:///var/run/docker.sock", &t, &e) < 0)
        return -1;
    for (i = 0; i < N; i++) {
        snprintf(body, sizeof(body),
                 "{\"Image\":\"isobench/busybox\",\"Cmd\":[\"/isobench-payload\",\"idle\"],"
                 "\"Labels\":{\"isobench.run\":\"%s\"},\"HostConfig\":{\"NetworkMode\":\"none\","
                 "\"Runtime\":\"%s\"}}", run_id, runtime);
        if (dkt_call(t, "POST", DK_API "/containers/create", "application/json", body, strlen(body),
                     30000, &r, &e) < 0 || r.status != 201)
            goto out;
        j = cJSON_Parse(r.body.p);
        snprintf(ids[i], sizeof(ids[i]), "%s", cJSON_GetStringValue(cJSON_GetObjectItem(j, "Id")));
        cJSON_Delete(j);
        made = i + 1;
        snprintf(path, sizeof(path), DK_API "/containers/%s/start", ids[i]);
        if (dkt_call(t, "POST", path, NULL, NULL, 0, 30000, &r, &e) < 0 || r.status != 204)
            goto out;
    }
    plat_sleep_ms(2000);
    cpu0 = engine_cpu_ns();
    plat_sleep_ms(SECONDS * 1000);
    idle_ns = engine_cpu_ns() - cpu0;

    cpu0 = engine_cpu_ns();
    t0 = plat_now_ns();
    while (plat_now_ns() - t0 < (int64_t)SECONDS * 1000000000LL) {
        snprintf(path, sizeof(path), DK_API "/containers/%s/stats?stream=false&one-shot=true",
                 ids[calls % N]);
        if (dkt_call(t, "GET", path, NULL, NULL, 0, 30000, &r, &e) < 0 || r.status != 200)
            goto out;
        calls++;
    }
    oneshot_elapsed = plat_now_ns() - t0;
    oneshot_ns = engine_cpu_ns() - cpu0;

    for (i = 0; i < N; i++) {
        snprintf(path, sizeof(path), DK_API "/containers/%s/stats?stream=1", ids[i]);
        if (dkt_stream_open("unix:///var/run/docker.sock", "GET", path, 30000, &st[i], &e) < 0)
            goto out;
    }
    plat_sleep_ms(1500);
    cpu0 = engine_cpu_ns();
    t0 = plat_now_ns();
    while (plat_now_ns() - t0 < (int64_t)SECONDS * 1000000000LL) {
        for (i = 0; i < N; i++)
            while (dkt_stream_read(st[i], buf, sizeof(buf), 0, &e) > 0)
                ;
        plat_sleep_ms(1000);
    }
    stream_ns = engine_cpu_ns() - cpu0;

    printf("%s: engine CPU (dockerd+containerd+shims), %d idle containers: idle %.2f ms/s; "
           "one-shot stats back to back: %d calls in %.1f s = %.0f ms per call (waiting for the "
           "collector), %.2f ms engine CPU per call; stats streams: %.2f ms engine CPU per "
           "container per second\n",
           runtime, N, idle_ns / 1e6 / SECONDS, calls, oneshot_elapsed / 1e9,
           oneshot_elapsed / 1e6 / calls,
           (oneshot_ns - idle_ns * (double)oneshot_elapsed / (SECONDS * 1e9)) / 1e6 / calls,
           (stream_ns - idle_ns) / 1e6 / (N * SECONDS));
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "%s: stats cost: %s (HTTP %d)\n", runtime, e.msg, r.status);
    for (i = 0; i < N; i++)
        dkt_stream_close(st[i]);
    for (i = 0; i < made; i++) {
        snprintf(path, sizeof(path), DK_API "/containers/%s?force=1", ids[i]);
        dkt_call(t, "DELETE", path, NULL, NULL, 0, 30000, &r, &e);
    }
    dk_resp_free(&r);
    dkt_close(t);
    return rc;
}

/* Sequential sample() rounds over a fleet of FLEET idle containers. */
static int sample_rounds(struct mode *m, struct scenario *s, const char *run_id)
{
    enum { FLEET = 20, ROUNDS = 3 };
    static const char *const argv[] = { "/isobench-payload", "idle", NULL };
    struct ctr *c = calloc(FLEET, sizeof(*c));
    struct counters k;
    struct err e;
    char line[256];
    double round_ms[ROUNDS];
    int64_t t, pss = 0;
    int i, rd, made = 0, rc = -1;

    if (c == NULL)
        return -1;
    for (i = 0; i < FLEET; i++) {
        c[i].mode = m;
        c[i].scn = s;
        c[i].run_id = run_id;
        c[i].index = 300 + i;
        c[i].fleet_size = FLEET;
        c[i].argv = argv;
        snprintf(c[i].name, sizeof(c[i].name), "%s-%s-fleet-%d", run_id, m->name, i);
        c[i].create_ns = plat_now_ns();
        made = i + 1;
        if (driver_docker.create(&c[i], &e) < 0 || driver_docker.start(&c[i], &e) < 0 ||
            driver_docker.wait_output(&c[i], MARKER_READY, 60000, line, sizeof(line), &t, &e) < 0) {
            fprintf(stderr, "%s: fleet container %d: %s\n", m->name, i, e.msg);
            goto out;
        }
    }
    for (rd = 0; rd < ROUNDS; rd++) {
        int64_t t0 = plat_now_ns();
        for (i = 0; i < FLEET; i++) {
            if (driver_docker.sample(&c[i], &k, &e) < 0) {
                fprintf(stderr, "%s: sample: %s\n", m->name, e.msg);
                goto out;
            }
            if (rd == ROUNDS - 1)
                pss += k.mem_pss_bytes;
        }
        round_ms[rd] = (plat_now_ns() - t0) / 1e6;
        plat_sleep_ms(1000);
    }
    printf("%s: one sampling round over %d idle containers, one after the other: %.1f ms (first), "
           "%.1f ms, %.1f ms; mean PSS per container %.2f MiB\n",
           m->name, FLEET, round_ms[0], round_ms[1], round_ms[2], pss / (double)FLEET / 1048576.0);
    rc = 0;
out:
    for (i = 0; i < made; i++) {
        driver_docker.stop(&c[i], &e);
        driver_docker.destroy(&c[i], &e);
    }
    free(c);
    return rc;
}

static int bench_runtime(const char *runtime, int runs, const char *cli)
{
    static const char *const argv[] = { "/isobench-payload", "exit", NULL };
    struct scenario s;
    struct mode m;
    struct err e;
    char run_id[64], opts[128], line[256], ver[256];
    double drv[64], cli_ready[64], cli_exit[64];
    cJSON *facts;
    char *text;
    int i, removed, rc = -1;

    memset(&s, 0, sizeof(s));
    s.ready_timeout_ms = 60000;
    memset(&m, 0, sizeof(m));
    snprintf(m.name, sizeof(m.name), "%s", runtime);
    snprintf(m.driver_name, sizeof(m.driver_name), "docker");
    m.drv = &driver_docker;
    snprintf(opts, sizeof(opts), "{\"runtime\":\"%s\"}", runtime);
    m.options = cJSON_Parse(opts);
    snprintf(run_id, sizeof(run_id), "bench%d", (int)getpid());
    err_clear(&e);

    if (driver_docker.probe(&m, &e) < 0) {
        printf("%s: skipped: %s\n", runtime, e.msg);
        cJSON_Delete(m.options);
        return 0;
    }
    if (driver_docker.mode_init(&m, &s, &e) < 0) {
        fprintf(stderr, "%s: mode_init: %s\n", runtime, e.msg);
        cJSON_Delete(m.options);
        return -1;
    }
    driver_docker.version(&m, ver, sizeof(ver), &e);
    printf("== %s: %s\n", runtime, ver);
    for (i = 0; i < runs; i++) {
        struct ctr c;
        int64_t t_ready = 0;
        memset(&c, 0, sizeof(c));
        c.mode = &m;
        c.scn = &s;
        c.run_id = run_id;
        c.index = i;
        c.fleet_size = 1;
        c.argv = argv;
        snprintf(c.name, sizeof(c.name), "%s-%s-%d", run_id, runtime, i);
        c.create_ns = plat_now_ns();
        if (driver_docker.create(&c, &e) < 0 || driver_docker.start(&c, &e) < 0 ||
            driver_docker.wait_output(&c, MARKER_READY, 60000, line, sizeof(line), &t_ready, &e) < 0) {
            fprintf(stderr, "%s: driver run %d: %s\n", runtime, i, e.msg);
            driver_docker.destroy(&c, &e);
            goto out;
        }
        drv[i] = (double)(t_ready - c.create_ns) / 1e6;
        driver_docker.stop(&c, &e);
        if (driver_docker.destroy(&c, &e) < 0) {
            fprintf(stderr, "%s: destroy: %s\n", runtime, e.msg);
            goto out;
        }
        printf("driver run %d: create->READY %.1f ms\n", i, drv[i]);
    }
    if (cli != NULL) {
        for (i = 0; i < runs; i++) {
            if (cli_run(cli, runtime, run_id, &cli_ready[i], &cli_exit[i]) < 0) {
                fprintf(stderr, "%s: %s run failed\n", runtime, cli);
                goto out;
            }
            printf("cli run %d: fork->READY %.1f ms, fork->exit %.1f ms\n", i, cli_ready[i], cli_exit[i]);
        }
    }
    printf("%s: driver median %.1f ms", runtime, median(drv, runs));
    if (cli != NULL)
        printf(", docker run median %.1f ms to READY (%.1f ms to exit, --rm), driver/CLI = %.2f",
               median(cli_ready, runs), median(cli_exit, runs), median(drv, runs) / median(cli_ready, runs));
    printf("\n");
    facts = cJSON_CreateObject();
    driver_docker.facts(&m, facts);
    text = cJSON_PrintUnformatted(facts);
    printf("%s facts: %s\n", runtime, text ? text : "{}");
    free(text);
    cJSON_Delete(facts);
    rc = stats_cost(runtime, run_id);
    if (rc == 0)
        rc = sample_rounds(&m, &s, run_id);
out:
    driver_docker.cleanup(run_id, &removed, &e);
    driver_docker.mode_fini(&m);
    cJSON_Delete(m.options);
    return rc;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    const char *cli = docker_cli();
    int rc = 0;

    if (runs < 1 || runs > 64) {
        fprintf(stderr, "usage: bench_docker [RUNS 1..64]\n");
        return 2;
    }
    if (cli == NULL)
        printf("no docker CLI in /usr/bin or /usr/local/bin: driver numbers only\n");
    if (bench_runtime("runc", runs, cli) < 0)
        rc = 1;
    if (bench_runtime("runsc", runs, cli) < 0)
        rc = 1;
    return rc;
}
