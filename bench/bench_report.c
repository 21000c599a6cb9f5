/*
 * bench_report.c - time `isobench report` on a large synthetic run.
 *
 * Writes a run directory in a temp dir (3 modes x 400 containers, ramp
 * levels 1..64, and a samples.csv of N rows, default 1 000 000: host rows
 * every 500 ms plus per-container rows), then times the whole report
 * (load + reduce + 12 figures + html/md/metrics) and the samples.csv load
 * alone. Prints seconds and samples/s. The data are synthetic: this
 * measures the report code, not any container.
 *
 * usage: bench_report [ROWS] [--keep]
 */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "plat.h"
#include "rundir.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const modes[] = { "ns", "runsc", "vm" };
static const char *const drivers[] = { "ns", "docker", "vm" };
static const char *const isos[] = { "process", "sandbox", "vm" };
static const double start_ms[] = { 2.0, 320.0, 5600.0 };
static const double mem[] = { 1.6e6, 22e6, 180e6 };

static uint64_t rng = 88172645463325252ULL;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static FILE *open_in(const char *dir, const char *name)
{
    char p[512];
    FILE *f;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "w");
    if (f == NULL) {
        perror(p);
        exit(2);
    }
    return f;
}

static void write_run(const char *dir, long rows)
{
    FILE *f;
    int m, i, lvl;
    long n = 0, t = 0;
    static const int levels[] = { 1, 2, 4, 8, 16, 32, 64 };

    f = open_in(dir, "run.json");
    fprintf(f, "{\"schema\":1,\"isobench\":{\"version\":\"bench\",\"git_sha\":\"bench\"},\"run_id\":\"bench\","
               "\"scenario_path\":\"bench.json\",\"scenario\":{\"name\":\"bench\"},"
               "\"host\":{\"hostname\":\"bench-host\",\"os\":\"Debian\",\"kernel\":\"6.1\",\"arch\":\"x86_64\","
               "\"cpu_model\":\"synthetic\",\"cores\":16,\"mem_total_bytes\":68719476736,\"cgroup\":\"v2\","
               "\"disk_free_bytes\":500000000000,\"disk_total_bytes\":1000000000000},\"modes\":[");
    for (m = 0; m < 3; m++)
        fprintf(f, "%s{\"name\":\"%s\",\"driver\":\"%s\",\"isolation\":\"%s\",\"baseline\":%s,\"available\":true,"
                   "\"reason\":\"\",\"version\":\"x\",\"facts\":{}}", m ? "," : "", modes[m], drivers[m], isos[m],
                m == 0 ? "true" : "false");
    fprintf(f, "],\"started_utc\":\"2026-01-01T00:00:00Z\",\"ended_utc\":\"2026-01-01T01:00:00Z\",\"status\":\"complete\"}\n");
    fclose(f);

    f = open_in(dir, "summary.json");
    fprintf(f, "{\"schema\":1,\"run_id\":\"bench\",\"scenario_name\":\"bench\",\"baseline_mode\":\"ns\",\"modes\":[");
    for (m = 0; m < 3; m++) {
        const char *stat = "{\"count\":400,\"mean\":%g,\"sd\":1,\"min\":%g,\"p50\":%g,\"p95\":%g,\"p99\":%g,\"max\":%g}";
        char s1[256], s2[256], s3[256];
        snprintf(s1, sizeof(s1), stat, start_ms[m], start_ms[m], start_ms[m], start_ms[m], start_ms[m], start_ms[m]);
        snprintf(s2, sizeof(s2), stat, mem[m], mem[m], mem[m], mem[m], mem[m], mem[m]);
        snprintf(s3, sizeof(s3), stat, 1e5 * (m + 1), 1e5, 1e5, 1e5, 1e5, 1e5);
        fprintf(f, "%s{\"name\":\"%s\",\"driver\":\"%s\",\"isolation\":\"%s\",\"containers\":400,\"failed\":0,"
                   "\"start_ms\":%s,\"mem_pss_bytes\":%s,\"mem_cgroup_bytes\":%s,\"storage_bytes\":%s,"
                   "\"idle_cpu_pct\":{\"count\":400,\"mean\":0.1,\"sd\":0,\"min\":0.1,\"p50\":0.1,\"p95\":0.1,\"p99\":0.1,\"max\":0.1},"
                   "\"work_ns\":{\"count\":0,\"mean\":null,\"sd\":null,\"min\":null,\"p50\":null,\"p95\":null,\"p99\":null,\"max\":null},"
                   "\"marginal_mem_bytes\":{\"slope\":%g,\"ci95_low\":%g,\"ci95_high\":%g,\"intercept\":0,\"points\":8,\"r2\":0.99},"
                   "\"host_cpu_busy_pct\":5,\"cpu_overhead_pct\":null,\"bare_work_ns\":null}",
                m ? "," : "", modes[m], drivers[m], isos[m], s1, s2, s2, s3, mem[m], mem[m] * 0.9, mem[m] * 1.1);
    }
    fprintf(f, "]}\n");
    fclose(f);

    f = open_in(dir, "containers.csv");
    fprintf(f, "mode,driver,fleet_size,index,create_ns,ready_ns,start_ms,mem_cgroup_bytes,mem_pss_bytes,cpu_ns,"
               "storage_bytes,status,error,rep,exec_ms,mem_rss_bytes,mem_private_ws_bytes,idle_cpu_pct,work_ns\n");
    for (m = 0; m < 3; m++)
        for (i = 0; i < 400; i++) {
            double s = start_ms[m] * (1 + 0.2 * urand());
            fprintf(f, "%s,%s,%d,%d,%d,%d,%.3f,%.0f,%.0f,1000,%.0f,ok,,1,,,,%.4f,\n", modes[m], drivers[m],
                    levels[i % 7], i, i * 1000, i * 1000 + (int)(s * 1e6), s, mem[m], mem[m], 1e5 * (m + 1),
                    0.1 * (1 + urand()));
        }
    fclose(f);

    f = open_in(dir, "ramp.csv");
    fprintf(f, "mode,rep,fleet_size,baseline_used_bytes,used_bytes,delta_bytes,cpu_busy_pct\n");
    for (m = 0; m < 3; m++)
        for (lvl = 0; lvl < 7; lvl++) {
            double d = mem[m] * levels[lvl] * (1 + 0.05 * (urand() - 0.5));
            fprintf(f, "%s,1,%d,2000000000,%.0f,%.0f,%.2f\n", modes[m], levels[lvl], 2e9 + d, d, 2 + levels[lvl] * 0.1);
        }
    fclose(f);

    /* samples: per tick and mode 4 host rows + 64 containers x 6 counters */
    f = open_in(dir, "samples.csv");
    fprintf(f, "t_ms,scope,mode,container,counter,value\n");
    while (n < rows) {
        for (m = 0; m < 3 && n < rows; m++) {
            static const char *const cc[] = { "mem_cgroup_bytes", "mem_pss_bytes", "mem_rss_bytes", "cpu_ns",
                                              "storage_bytes", "pids" };
            int c, k;
            fprintf(f, "%ld,host,%s,,mem_used_bytes,%.0f\n", t, modes[m], 2e9 + urand() * 1e8);
            fprintf(f, "%ld,host,%s,,mem_available_bytes,%.0f\n", t, modes[m], 6e10 + urand() * 1e8);
            fprintf(f, "%ld,host,%s,,cpu_busy_pct,%.2f\n", t, modes[m], 5 + 3 * urand());
            fprintf(f, "%ld,host,%s,,running,64\n", t, modes[m]);
            n += 4;
            for (c = 0; c < 64 && n < rows; c++)
                for (k = 0; k < 6 && n < rows; k++, n++)
                    fprintf(f, "%ld,container,%s,isobench-bench-%s-%d,%s,%.0f\n", t, modes[m], modes[m], c, cc[k],
                            urand() * 1e7);
        }
        t += 500;
    }
    fclose(f);
}

static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[512];
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (unlink(p) != 0)
            rm_rf(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/isobench-bench-report-XXXXXX", out[600];
    long rows = argc > 1 && argv[1][0] != '-' ? atol(argv[1]) : 1000000;
    int keep = argc > 1 && strcmp(argv[argc - 1], "--keep") == 0;
    int64_t t0, t1, t2;
    struct rundir r;
    struct err e;
    char *rargv[4];
    int rc;
    int saved, devnull;

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    write_run(dir, rows);

    t0 = plat_now_ns();
    if (rundir_load(dir, RD_SAMPLES, &r, &e) < 0) {
        fprintf(stderr, "load: %s\n", e.msg);
        return 1;
    }
    t1 = plat_now_ns();
    rundir_free(&r);

    snprintf(out, sizeof(out), "%s/report", dir);
    rargv[0] = "report";
    rargv[1] = dir;
    rargv[2] = "--out";
    rargv[3] = out;
    /* the command prints the report path: keep it out of the numbers */
    fflush(stdout);
    saved = dup(1);
    devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    t1 = t1 - t0;
    t0 = plat_now_ns();
    rc = cmd_report(4, rargv);
    t2 = plat_now_ns();
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(devnull);
    printf("samples.csv rows: %ld\n", rows);
    printf("samples.csv load alone: %.3f s (%.0f samples/s)\n", t1 / 1e9, rows / (t1 / 1e9));
    printf("full report (load + reduce + 12 figures + html/md/metrics): %.3f s (%.0f samples/s)%s\n",
            (t2 - t0) / 1e9, rows / ((t2 - t0) / 1e9), rc == 0 ? "" : "  [report FAILED]");
    if (keep)
        printf("kept %s\n", dir);
    else
        rm_rf(dir);
    return rc;
}
