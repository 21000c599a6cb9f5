/*
 * cmd_run.c - `isobench run [SCENARIO.json] [--out DIR] [--host-label NAME]
 * [--budget SPEC] [--quiet]`: load the scenario (--budget
 * memory=512M,pids=1000,cpus=1 replaces its "budget"), run it
 * (harness/runner.c), reduce the results into summary.json
 * and print the comparison table.
 */
#include "commands.h"
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

int cmd_run(int argc, char **argv)
{
    const char *path = "scenarios/quick.json";
    /* The live progress line only on a terminal: logs get the table alone. */
    struct run_opts o = { NULL, isatty(2) ? stderr : NULL, NULL };
    struct scenario s;
    struct run_result r;
    struct run_summary sum;
    struct err e;
    cJSON *doc;
    const char *budget = NULL;
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            o.out_dir = argv[++i];
        else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
            budget = argv[++i];
        else if (strcmp(argv[i], "--host-label") == 0 && i + 1 < argc)
            o.host_label = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0)
            o.progress = NULL;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "isobench run: unknown option %s\nusage: isobench run [SCENARIO.json] [--out DIR] [--host-label NAME] [--budget memory=512M,pids=1000,cpus=1] [--quiet]\n",
                    argv[i]);
            return 2;
        } else
            path = argv[i];
    }
    err_clear(&e);
    if (scenario_load(path, &s, &e) < 0) {
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
    summary_reduce(&r, &sum);
    doc = summary_to_json(&r, &sum);
    if (results_write_json_file(r.dir, "summary.json", doc, &e) < 0)
        fprintf(stderr, "isobench run: %s\n", e.msg);
    cJSON_Delete(doc);
    summary_print_table(stdout, &r, &sum);
    if (rc < 0)
        fprintf(stderr, "isobench run: %s\n", e.msg);
    if (strcmp(r.status, "interrupted") == 0)
        fprintf(stderr, "isobench run: interrupted; everything launched was torn down; partial results in %s\n", r.dir);
    printf("report: %s (run.json, containers.csv, samples.csv, ramp.csv, summary.json)\n", r.dir);
    run_result_free(&r);
    scenario_free(&s);
    return rc < 0 ? 1 : 0;
}
