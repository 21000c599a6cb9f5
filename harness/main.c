/*
 * main.c - the isobench command line: one binary, one function per
 * subcommand, dispatched from the commands[] table. This is the only place
 * that prints errors and chooses exit codes (0 ok, 1 failure or regression,
 * 2 usage or input error).
 */
#include "commands_import.h"
#include "commands.h"
#include "driver.h"
#include "image.h"
#include "plat.h"
#include "runner.h"
#include "scenario.h"
#include "summary.h"
#include "results_out.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#define isatty _isatty
#else
#include <unistd.h>
#endif

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static int cmd_drivers(int argc, char **argv)
{
    const struct driver *const *d;
    (void)argc;
    (void)argv;
    printf("%-8s %-22s %s\n", "driver", "isolation", "status");
    for (d = driver_list(); *d != NULL; d++) {
        char iso[64] = "";
        unsigned bit;
        for (bit = 1; bit <= ISO_VM; bit <<= 1)
            if ((*d)->isolations & bit) {
                if (iso[0])
                    strcat(iso, ",");
                strcat(iso, isolation_name(bit));
            }
        printf("%-8s %-22s %s\n", (*d)->name, iso,
               (*d)->unavailable_reason ? (*d)->unavailable_reason : "compiled in");
    }
    return 0;
}

static int cmd_image(int argc, char **argv)
{
    char rootfs[4096];
    struct err e;
    err_clear(&e);
    if (argc > 1)
        snprintf(rootfs, sizeof(rootfs), "%s", argv[1]);
    else
        image_default_rootfs(rootfs, sizeof(rootfs));
    if (image_ensure(rootfs, &e) < 0) {
        fprintf(stderr, "isobench image: %s\n", e.msg);
        return 1;
    }
    printf("%s\n", rootfs);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    const char *path = "scenarios/quick.json";
    /* The live progress line only on a terminal: logs get the table alone. */
    struct run_opts o = { NULL, isatty(2) ? stderr : NULL };
    struct scenario s;
    struct run_result r;
    struct run_summary sum;
    struct err e;
    cJSON *doc;
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            o.out_dir = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0)
            o.progress = NULL;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "isobench run: unknown option %s\nusage: isobench run [SCENARIO.json] [--out DIR] [--quiet]\n",
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

static int cmd_cleanup(int argc, char **argv)
{
    const struct driver *const *d;
    const char *run_id = argc > 1 ? argv[1] : NULL;
    int total = 0, failures = 0;

    for (d = driver_list(); *d != NULL; d++) {
        struct err e;
        int removed = 0;
        if ((*d)->unavailable_reason != NULL || (*d)->cleanup == NULL)
            continue;
        err_clear(&e);
        if ((*d)->cleanup(run_id, &removed, &e) < 0) {
            size_t len = strlen((*d)->name);
            /* Drivers usually name themselves first already. */
            if (strncmp(e.msg, (*d)->name, len) == 0 && e.msg[len] == ':')
                fprintf(stderr, "isobench cleanup: %s\n", e.msg);
            else
                fprintf(stderr, "isobench cleanup: %s: %s\n", (*d)->name, e.msg);
            failures++;
        }
        if (removed > 0)
            printf("%s: removed %d leftover(s)\n", (*d)->name, removed);
        total += removed;
    }
    printf("cleanup%s%s: %d leftover(s) removed\n", run_id ? " of run " : "", run_id ? run_id : "", total);
    return failures ? 1 : 0;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    { "run", cmd_run, "[SCENARIO.json] [--out DIR] [--quiet] run a scenario (default scenarios/quick.json)" },
    { "cleanup", cmd_cleanup, "[RUN_ID] remove containers, cgroups, mounts and files left by crashed runs" },
    { "drivers", cmd_drivers, "list drivers, their isolation modes and availability" },
    { "image", cmd_image, "[ROOTFS] build the busybox container image if missing; print its path" },
    { "import", cmd_import, "typeperf FILE.csv [--mode NAME] [--run DIR] add a Windows performance log to a run" },
    { "capacity", cmd_capacity, "RUN_DIR [--hosts F] [--reserve-mem S] [--cpu-target F] [--start-slo-ms N] [--disk-free S] [--json] containers per host, per mode" },
    { "report", cmd_report, "RUN_DIR... [--out DIR] figures (PNG, SVG), report.html, report.md, metrics.txt" },
    { "compare", cmd_compare, "BASE_DIR NEW_DIR [--thresholds F] [--alpha A] [--markdown] find regressions (exit 1 if any)" },
    { "hosts", cmd_hosts, "RUN_DIR... [--out DIR] [--price-per-core X] [--price-per-gib Y] runs from different hosts side by side" },
    { "help", cmd_help, "this text" },
};

static int cmd_help(int argc, char **argv)
{
    size_t i;
    (void)argc;
    (void)argv;
    printf("isobench %s (%s) - container isolation benchmarks and capacity estimates\n\n",
           ISOBENCH_VERSION, ISOBENCH_GIT_SHA);
    printf("usage: isobench COMMAND [ARGS]\n\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].help);
    return 0;
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2)
        return cmd_help(argc, argv) == 0 ? 2 : 2;
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(argc, argv);
    fprintf(stderr, "isobench: unknown command '%s' (try 'isobench help')\n", argv[1]);
    return 2;
}
