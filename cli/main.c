/*
 * main.c - the isobench command line: one binary, one front-end file per
 * subcommand (cli/cmd_<name>.c), dispatched from the commands[] table. The
 * cli/ files are the only places that print errors and choose exit codes
 * (0 ok, 1 failure or regression, 2 usage or input error).
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    { "run", cmd_run, "[SCENARIO.json] [--out DIR] [--host-label NAME] [--budget memory=512M,pids=1000,cpus=1] [--quiet] [--no-report] run a scenario (default quick.json), then write its report and print the capacity" },
    { "density", cmd_density, "SCENARIO.json [--budget SPEC] [--out DIR] [--max N] [guard options] [--no-report] fill until a resource binds: ceiling per mode, then the report" },
    { "cleanup", cmd_cleanup, "[RUN_ID] remove containers, cgroups, mounts and files left by crashed runs" },
    { "drivers", cmd_drivers, "list drivers, their isolation modes and availability" },
    { "image", cmd_image, "[ROOTFS] build the busybox container image if missing; print its path" },
    { "import", cmd_import, "typeperf FILE.csv [--mode NAME] [--run DIR] add a Windows performance log to a run" },
    { "capacity", cmd_capacity, "RUN_DIR [--hosts F] [--reserve-mem S] [--cpu-target F] [--start-slo-ms N] [--disk-free S] [--json] containers per host, per mode" },
    { "report", cmd_report, "RUN_DIR... [--out DIR] figures (PNG, SVG), report.html, report.md, metrics.txt" },
    { "compare", cmd_compare, "BASE_DIR NEW_DIR [--thresholds F] [--gate M,..] [--json F] [--junit F] [--markdown] regression gate (exit 1 regression, 3 inconclusive)" },
    { "history", cmd_history, "RUN_DIR... [--out DIR] step changes over time per host (e-divisive), figures with --out" },
    { "ab", cmd_ab, "BASE.json [NEW.json] [--new-bin P] [--reps N] [--until-decided] baseline and candidate interleaved on this host, then gated" },
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
