/*
 * commands_import.h - `isobench import typeperf FILE.csv [--mode NAME] [--run DIR]`:
 * bring a Windows performance log into a run directory's samples.csv.
 * The function prints its result or error and returns the exit code
 * (0 ok, 1 failure, 2 usage or input error), like main.c's commands.
 */
#ifndef ISOBENCH_COMMANDS_IMPORT_H
#define ISOBENCH_COMMANDS_IMPORT_H

int cmd_import(int argc, char **argv);

#endif
