/*
 * main.c - the isobench command line: one binary, one function per
 * subcommand, dispatched from the commands[] table. This is the only place
 * that prints errors and chooses exit codes (0 ok, 1 failure or regression,
 * 2 usage or input error).
 */
#include "commands.h"
#include "driver.h"
#include "image.h"
#include "plat.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    { "drivers", cmd_drivers, "list drivers, their isolation modes and availability" },
    { "image", cmd_image, "[ROOTFS] build the busybox container image if missing; print its path" },
    { "capacity", cmd_capacity, "RUN_DIR [--hosts F] [--reserve-mem S] [--cpu-target F] [--start-slo-ms N] [--disk-free S] [--json]: containers per host" },
    { "report", cmd_report, "RUN_DIR... [--out DIR]: plots (PNG+SVG), report.html, report.md, metrics.txt" },
    { "compare", cmd_compare, "BASE_DIR NEW_DIR [--thresholds F] [--alpha A] [--markdown]: regressions (exit 1)" },
    { "hosts", cmd_hosts, "RUN_DIR... [--out DIR] [--price-per-core X] [--price-per-gib Y]: hosts side by side" },
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
