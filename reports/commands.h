/*
 * commands.h - the report subcommands of isobench (registered in
 * harness/main.c's commands[] table). Each returns the process exit code:
 * 0 ok, 1 failure (compare: a regression), 2 usage or input error.
 */
#ifndef ISOBENCH_COMMANDS_H
#define ISOBENCH_COMMANDS_H

int cmd_capacity(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_hosts(int argc, char **argv);

#endif
