/*
 * cmd_run.c - `isobench run [SCENARIO.json] [--out DIR] [--host-label NAME]
 * [--budget SPEC] [--quiet] [--no-report] [capacity options]`: load the
 * scenario (default: quick.json among isobench's own scenarios,
 * harness/paths.h; --budget memory=512M,pids=1000,cpus=1 replaces its
 * "budget"), run it
 * (harness/runner.c), reduce the results into summary.json and print the
 * comparison table; then, unless --no-report, write the report (figures,
 * report.html, report.md, metrics.txt) into <run dir>/report/, print the
 * capacity table and, as the last line, the path of report.html.
 *
 * Progress goes to stderr: one live line per mode on a terminal, plain
 * periodic lines otherwise; --quiet silences it.
 */
#include "capacity.h"
#include "commands.h"
#include "paths.h"
#include "plat.h"
#include "results_out.h"
#include "runner.h"
#include "scenario.h"
#include "summary.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#define isatty _isatty
#else
#include <unistd.h>
#endif

static int usage(void)
{
    fprintf(stderr, "usage: isobench run [SCENARIO.json] [--out DIR] [--host-label NAME]\n"
                    "         [--budget memory=512M,pids=1000,cpus=1] [--quiet] [--no-report]\n"
                    "         [--reserve-mem SIZE] [--cpu-target F] [--start-slo-ms N]\n");
    return 2;
}

int cli_summarize(const char *prog, const struct run_result *r, FILE *table)
{
    struct run_summary sum;
    struct err e;
    cJSON *doc;
    int rc = 0;

    err_clear(&e);
    summary_reduce(r, &sum);
    doc = summary_to_json(r, &sum);
    if (results_write_json_file(r->dir, "summary.json", doc, &e) < 0) {
        fprintf(stderr, "%s: %s\n", prog, e.msg);
        rc = -1;
    }
    cJSON_Delete(doc);
    if (table != NULL)
        summary_print_table(table, r, &sum);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    const char *arg = NULL, *budget = NULL;
    char path[2048];
    struct run_opts o;
    struct cap_params p;
    struct scenario s;
    struct run_result r;
    struct err e;
    int i, rc, report = 1;

    memset(&o, 0, sizeof(o));
    o.progress = stderr;
    o.progress_live = isatty(2);
    capacity_default_params(&p);
    err_clear(&e);
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = cap_parse_option(argv[i], v, &p, &e);
        if (used < 0) {
            fprintf(stderr, "isobench run: %s\n", e.msg);
            return usage();
        } else if (used > 0) {
            i++;
        } else if (strcmp(argv[i], "--out") == 0 && v != NULL) {
            o.out_dir = argv[++i];
        } else if (strcmp(argv[i], "--budget") == 0 && v != NULL) {
            budget = argv[++i];
        } else if (strcmp(argv[i], "--host-label") == 0 && v != NULL) {
            o.host_label = argv[++i];
        } else if (strcmp(argv[i], "--quiet") == 0) {
            o.progress = NULL;
        } else if (strcmp(argv[i], "--no-report") == 0) {
            report = 0;
        } else if (argv[i][0] == '-' || arg != NULL) {
            fprintf(stderr, "isobench run: unexpected argument %s\n", argv[i]);
            return usage();
        } else {
            arg = argv[i];
        }
    }
    if ((arg == NULL ? paths_data_file("scenarios/quick.json", path, sizeof(path), &e)
                     : paths_scenario(arg, path, sizeof(path), &e)) < 0 ||
        scenario_load(path, &s, &e) < 0) {
        fprintf(stderr, "isobench run: %s\n", e.msg);
        return 2;
    }
    if (budget != NULL && scenario_parse_budget(budget, &s.budget, &e) < 0) {
        fprintf(stderr, "isobench run: %s\n", e.msg);
        scenario_free(&s);
        return 2;
    }
    plat_catch_interrupts();
    rc = run_scenario(&s, &o, &r, &e);
    if (rc < 0 && r.dir[0] == '\0') {
        fprintf(stderr, "isobench run: %s\n", e.msg);
        scenario_free(&s);
        return 1;
    }
    cli_summarize("isobench run", &r, stdout);
    if (rc < 0)
        fprintf(stderr, "isobench run: %s\n", e.msg);
    if (strcmp(r.status, "interrupted") == 0)
        fprintf(stderr, "isobench run: interrupted; everything launched was torn down; partial results in %s\n", r.dir);
    fflush(stdout);
    if (report && cli_report_run("isobench run", r.dir, &p) != 0 && rc == 0)
        rc = -1;
    if (!report)
        printf("run directory: %s (run.json, containers.csv, samples.csv, ramp.csv, summary.json)\n", r.dir);
    run_result_free(&r);
    scenario_free(&s);
    return rc < 0 ? 1 : 0;
}
