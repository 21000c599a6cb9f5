/*
 * gate_cli.h - the options and outputs shared by the two gate front-ends,
 * `isobench compare` and `isobench ab` (defined in cmd_compare.c).
 */
#ifndef ISOBENCH_GATE_CLI_H
#define ISOBENCH_GATE_CLI_H

#include "compare.h"

struct gate_cli {
    struct cmp_opts o;
    const char *thresholds;  /* --thresholds FILE */
    const char *json;        /* --json FILE ("-": stdout instead of the table) */
    const char *junit;       /* --junit FILE */
    int markdown;            /* --markdown */
};

#define GATE_CLI_USAGE "[--thresholds FILE] [--alpha 0.05] [--resamples N] [--gate METRIC,...] " \
                       "[--inconclusive exit3|pass|fail] [--max-load-gap 10] [--no-mem-noise-guard] [--markdown] [--json FILE|-] " \
                       "[--junit FILE]"

void gate_cli_init(struct gate_cli *g);
/* argv[*i] a gate option? 1: consumed (with its value, *i advanced),
   0: not one, -1: bad value (printed). */
int gate_cli_option(const char *cmd, int argc, char **argv, int *i, struct gate_cli *g);
/* After parsing: load the thresholds file. 0 or -1 (printed). */
int gate_cli_finish(const char *cmd, struct gate_cli *g);
/* Print the verdicts (table, Markdown or JSON) and write --json/--junit
   files; returns the exit code (compare_exit_code, 2 when a file cannot be
   written). */
int gate_cli_output(const char *cmd, struct gate_cli *g, const char *base, const char *cur,
                    const struct cmp_row *rows, int n);

#endif
