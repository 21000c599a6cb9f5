/*
 * cmd_report.c - `isobench report RUN_DIR... [--out DIR]`: load, reduce,
 * then render every figure (PNG + SVG), report.html, report.md and
 * metrics.txt into DIR (default: the first run directory's report/).
 *
 * cli_report_run() is the same pipeline at the end of `run` and `density`:
 * the report of the run directory just written, the capacity table, and the
 * path of report.html as the last line of stdout.
 */
#include "commands.h"
#include "plat.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: isobench report RUN_DIR... [--out DIR] [--reserve-mem SIZE] "
                    "[--cpu-target F] [--start-slo-ms N]\n");
    return 2;
}

int cli_report_run(const char *prog, const char *dir, const struct cap_params *p)
{
    struct rundir run;
    struct report_data *d = NULL;
    struct err e;
    char out[1200], html[1300];
    int rc = 1;

    err_clear(&e);
    if (rundir_load(dir, RD_ALL, &run, &e) < 0) {
        fprintf(stderr, "%s: report: %s\n", prog, e.msg);
        return 1;
    }
    snprintf(out, sizeof(out), "%s/report", dir);
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        fprintf(stderr, "%s: report: out of memory\n", prog);
        goto out;
    }
    if (report_write_dir(&run, 1, p, out, d, html, sizeof(html), &e) < 0) {
        fprintf(stderr, "%s: report: %s\n", prog, e.msg);
        goto out;
    }
    printf("\ncapacity of this host (isobench capacity %s):\n", dir);
    report_print_capacity(stdout, d);
    printf("\n%s\n", html);
    rc = 0;
out:
    if (d != NULL) {
        report_data_free(d);
        free(d);
    }
    rundir_free(&run);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    struct rundir *runs;
    struct report_data *d = NULL;
    struct cap_params p;
    struct err e;
    const char *out = NULL;
    char outbuf[1200], html[1300];
    int i, nruns = 0, rc = 2;

    capacity_default_params(&p);
    err_clear(&e);
    runs = calloc((size_t)(argc > 1 ? argc : 1), sizeof(*runs));
    if (runs == NULL)
        return 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = cap_parse_option(a, v, &p, &e);
        if (used < 0) {
            fprintf(stderr, "isobench report: %s\n", e.msg);
            goto usage;
        } else if (used > 0) {
            i++;
        } else if (strcmp(a, "--out") == 0 && v) {
            out = v;
            i++;
        } else if (a[0] == '-') {
            goto usage;
        } else {
            if (rundir_load(a, RD_ALL, &runs[nruns], &e) < 0) {
                fprintf(stderr, "isobench report: %s\n", e.msg);
                goto out;
            }
            nruns++;
        }
    }
    if (nruns == 0)
        goto usage;
    if (out == NULL) {
        snprintf(outbuf, sizeof(outbuf), "%s/report", runs[0].path);
        out = outbuf;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        fprintf(stderr, "isobench report: out of memory\n");
        rc = 1;
        goto out;
    }
    if (report_write_dir(runs, nruns, &p, out, d, html, sizeof(html), &e) < 0) {
        fprintf(stderr, "isobench report: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    printf("%s\n", html);
    rc = 0;
    goto out;
usage:
    rc = usage();
out:
    if (d != NULL) {
        report_data_free(d);
        free(d);
    }
    for (i = 0; i < nruns; i++)
        rundir_free(&runs[i]);
    free(runs);
    return rc;
}
