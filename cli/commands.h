/*
 * commands.h - the subcommands of isobench, one front-end file each
 * (cli/cmd_<name>.c), registered in cli/main.c's commands[] table. Each
 * parses its arguments, calls the harness or the reports, prints, and
 * returns the process exit code: 0 ok, 1 failure (compare, ab: a regression),
 * 2 usage or input error, 3 (compare, ab) a gated metric is inconclusive. Only these files and main.c print and exit.
 */
#ifndef ISOBENCH_COMMANDS_H
#define ISOBENCH_COMMANDS_H

#include <stdio.h>

int cmd_run(int argc, char **argv);
int cmd_density(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_drivers(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_hosts(int argc, char **argv);

struct cap_params;
struct run_result;
/* Reduce a finished run into DIR/summary.json (what reports read) and,
   with `table`, print the comparison table there (cmd_run.c). */
int cli_summarize(const char *prog, const struct run_result *r, FILE *table);
/* The end of `run` and `density` (cmd_report.c): write DIR/report/ (figures,
   report.html, report.md, metrics.txt), print the capacity table, then the
   path of report.html as the last line of stdout. Returns an exit code. */
int cli_report_run(const char *prog, const char *dir, const struct cap_params *p);

#endif
