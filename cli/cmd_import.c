/*
 * cmd_import.c - `isobench import typeperf FILE.csv [--mode NAME] [--run DIR]`:
 * parse the log (harness/typeperf.c), append it to the run directory, say
 * what was written.
 */
#include "commands.h"
#include "typeperf.h"

#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: isobench import typeperf FILE.csv [--mode NAME] [--run DIR]\n"
                    "  FILE.csv  a log from `typeperf -f CSV -o FILE.csv` or `relog -f CSV`\n"
                    "  --mode    the mode the samples belong to (default: none, host-wide)\n"
                    "  --run     the run directory to add them to (default: results/<first UTC timestamp>)\n");
    return 2;
}

int cmd_import(int argc, char **argv)
{
    const char *file = NULL, *mode = "", *run = NULL;
    struct typeperf_log log;
    struct typeperf_import_result res;
    struct err e;
    int i;

    err_clear(&e);
    if (argc < 2 || strcmp(argv[1], "typeperf") != 0)
        return usage();
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            mode = argv[++i];
        else if (strcmp(argv[i], "--run") == 0 && i + 1 < argc)
            run = argv[++i];
        else if (argv[i][0] == '-' || file != NULL)
            return usage();
        else
            file = argv[i];
    }
    if (file == NULL)
        return usage();
    if (typeperf_read(file, &log, &e) < 0) {
        fprintf(stderr, "isobench import: %s\n", e.msg);
        return 2;
    }
    if (typeperf_import(&log, file, run, mode, &res, &e) < 0) {
        fprintf(stderr, "isobench import: %s\n", e.msg);
        typeperf_free(&log);
        return 1;
    }
    printf("%s: %zu samples of %d counters from host %s (%zu rows, %zu blank cells, UTC offset %d min) -> %s/samples.csv%s\n",
           file, res.samples, log.ncounters, log.host[0] ? log.host : "?", log.nrows, log.missing,
           log.utc_offset_min, res.run_dir, res.created ? " (new run)" : "");
    if (log.backward_steps > 0)
        fprintf(stderr, "isobench import: warning: time went backwards %zu time(s) (a daylight-saving change "
                        "inside the log? typeperf stamps local time)\n", log.backward_steps);
    typeperf_free(&log);
    return 0;
}
