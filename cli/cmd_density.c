/*
 * cmd_density.c - `isobench density SCENARIO [--budget SPEC] [--out DIR]
 * [--max N] [guard options] [--quiet]`: fill the host (or the budget) with
 * each mode's containers until a resource binds (harness/density.c), then
 * print the measured ceiling, the binding resource and its evidence; then,
 * unless --no-report, summary.json, the report (figures, report.html,
 * report.md, metrics.txt in <run dir>/report/), the capacity table and the
 * path of report.html as the last line, as `run` ends.
 */
#include "capacity.h"
#include "commands.h"
#include "paths.h"
#include "density.h"
#include "plat.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#define isatty _isatty
#else
#include <unistd.h>
#endif

static const char *const usage =
    "usage: isobench density SCENARIO.json [--budget memory=512M,pids=1000,cpus=1] [--out DIR] [--max N]\n"
    "         [--reserve-mem SIZE] [--pid-margin N] [--cgroup-pids-margin N] [--start-slo-ms MS]\n"
    "         [--cpu-max PCT] [--max-failures N] [--host-label NAME] [--quiet] [--no-report]\n";

static int bad_value(const char *opt, const char *v, const char *want)
{
    fprintf(stderr, "isobench density: %s %s: expected %s\n%s", opt, v, want, usage);
    return 2;
}

static int parse_count(const char *v, long min, long max, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

int cmd_density(int argc, char **argv)
{
    struct run_opts o;
    struct density_cfg cfg;
    struct density_result *d;
    struct scenario s;
    struct run_result r;
    struct err e;
    const char *path = NULL, *budget = NULL;
    long n;
    char scn_path[2048];
    int i, rc, max_set = 0, report = 1;

    memset(&o, 0, sizeof(o));
    o.progress = stderr;
    o.progress_live = isatty(2);
    density_cfg_defaults(&cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (path != NULL) {
                fprintf(stderr, "isobench density: one scenario only (got %s and %s)\n%s", path, a, usage);
                return 2;
            }
            path = a;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            o.progress = NULL;
            continue;
        }
        if (strcmp(a, "--no-report") == 0) {
            report = 0;
            continue;
        }
        if (v == NULL) {
            fprintf(stderr, "isobench density: unknown option or missing value: %s\n%s", a, usage);
            return 2;
        }
        i++;
        if (strcmp(a, "--out") == 0)
            o.out_dir = v;
        else if (strcmp(a, "--budget") == 0)
            budget = v;
        else if (strcmp(a, "--host-label") == 0)
            o.host_label = v;
        else if (strcmp(a, "--max") == 0) {
            if (parse_count(v, 1, 1 << 20, &n) < 0)
                return bad_value(a, v, "a number of containers from 1 to 1048576");
            cfg.max_containers = (int)n;
            max_set = 1;
        } else if (strcmp(a, "--reserve-mem") == 0) {
            if (parse_size(v, &cfg.mem_reserve_bytes) < 0)
                return bad_value(a, v, "a size such as 2G");
        } else if (strcmp(a, "--pid-margin") == 0) {
            if (parse_count(v, 0, 1 << 22, &n) < 0)
                return bad_value(a, v, "a number of pids");
            cfg.pid_margin = n;
        } else if (strcmp(a, "--cgroup-pids-margin") == 0) {
            if (parse_count(v, 0, 1 << 22, &n) < 0)
                return bad_value(a, v, "a number of pids");
            cfg.cgroup_pids_margin = n;
        } else if (strcmp(a, "--start-slo-ms") == 0) {
            if (parse_count(v, 0, 86400000, &n) < 0)
                return bad_value(a, v, "milliseconds (0 = off)");
            cfg.start_slo_ms = (double)n;
        } else if (strcmp(a, "--cpu-max") == 0) {
            if (parse_count(v, 1, 100, &n) < 0)
                return bad_value(a, v, "a percentage from 1 to 100 (100 = off)");
            cfg.cpu_max_pct = (double)n;
        } else if (strcmp(a, "--max-failures") == 0) {
            if (parse_count(v, 0, 1 << 20, &n) < 0)
                return bad_value(a, v, "a number of failed launches");
            cfg.max_failures = (int)n;
        } else {
            fprintf(stderr, "isobench density: unknown option %s\n%s", a, usage);
            return 2;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "isobench density: no scenario given\n%s", usage);
        return 2;
    }
    err_clear(&e);
    if (paths_scenario(path, scn_path, sizeof(scn_path), &e) < 0 || scenario_load(scn_path, &s, &e) < 0) {
        fprintf(stderr, "isobench density: %s\n", e.msg);
        return 2;
    }
    if (budget != NULL && scenario_parse_budget(budget, &s.budget, &e) < 0) {
        fprintf(stderr, "isobench density: %s\n", e.msg);
        scenario_free(&s);
        return 2;
    }
    if (!max_set) {
        /* Every container holds at least one pid: the budget's pids.max or
           the host's pid_max bounds the fill (and the memory it records). */
        struct host_snapshot h;
        cfg.max_containers = 65536;
        if (s.budget.pids > 0)
            cfg.max_containers = s.budget.pids;
        else if (host_snapshot_read(NULL, &h, &e) == 0 && h.pid_max > 0 && h.pid_max < cfg.max_containers)
            cfg.max_containers = (int)h.pid_max;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        fprintf(stderr, "isobench density: out of memory\n");
        scenario_free(&s);
        return 1;
    }
    plat_catch_interrupts();
    rc = density_run(&s, &o, &cfg, &r, d, &e);
    if (rc < 0 && r.dir[0] == '\0') {
        fprintf(stderr, "isobench density: %s\n", e.msg);
        free(d);
        scenario_free(&s);
        return 1;
    }
    printf("%-12s %8s  %-16s %s\n", "mode", "ceiling", "binding", "evidence");
    for (i = 0; i < r.nmodes; i++) {
        const struct density_mode_result *m = &d->modes[i];
        if (!m->ran) {
            printf("%-12s %8s  %-16s %s\n", r.modes[i].mode->name, "-", "unavailable", r.modes[i].reason);
            continue;
        }
        printf("%-12s %8d  %-16s %s: %s\n", r.modes[i].mode->name, m->ceiling, m->binding.binding,
               m->binding.counter, m->binding.detail);
    }
    if (rc < 0)
        fprintf(stderr, "isobench density: %s\n", e.msg);
    if (strcmp(r.status, "interrupted") == 0)
        fprintf(stderr, "isobench density: interrupted; everything launched was torn down; partial results in %s\n",
                r.dir);
    if (cli_summarize("isobench density", &r, NULL) < 0 && rc == 0)
        rc = -1;
    if (report) {
        struct cap_params p;
        fflush(stdout);
        capacity_default_params(&p);
        if (cli_report_run("isobench density", r.dir, &p) != 0 && rc == 0)
            rc = -1;
    } else {
        printf("density: %s (density.json, density.csv, run.json, summary.json, containers.csv, samples.csv, "
               "ramp.csv)\n", r.dir);
    }
    run_result_free(&r);
    free(d);
    scenario_free(&s);
    return rc < 0 ? 1 : 0;
}
