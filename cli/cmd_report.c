/*
 * cmd_report.c - `isobench report RUN_DIR... [--out DIR]`: load, reduce,
 * then render every figure (PNG + SVG), report.html, report.md and
 * metrics.txt into DIR (default: the first run directory's report/).
 */
#include "commands.h"
#include "plat.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: isobench report RUN_DIR... [--out DIR] [--reserve-mem SIZE] "
                    "[--cpu-target F] [--start-slo-ms N]\n");
    return 2;
}

static int write_file(const char *dir, const char *name, int kind, const struct report_data *d,
                      struct err *e)
{
    char path[1200];
    FILE *f;
    int rc = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL)
        return err_sys(e, errno, "open %s", path);
    if (kind == 0)
        rc = report_write_html(f, d, plot_supported() ? dir : NULL, e);
    else if (kind == 1)
        report_write_markdown(f, d);
    else
        report_write_metrics(f, d);
    if (fclose(f) != 0 && rc == 0)
        rc = err_sys(e, errno, "write %s", path);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    struct rundir *runs;
    struct report_data *d = NULL;
    struct cap_params p;
    struct err e;
    const char *out = NULL;
    char outbuf[1200];
    int i, nruns = 0, rc = 2, k;

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
    if (plat_mkdir_p(out, &e) < 0) {
        fprintf(stderr, "isobench report: %s\n", e.msg);
        goto out;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL || report_reduce(runs, nruns, &p, d, &e) < 0) {
        fprintf(stderr, "isobench report: %s\n", d ? e.msg : "out of memory");
        rc = 1;
        goto out;
    }
    for (k = 0; plot_supported() && k < FIG_COUNT; k++) {
        struct plot_fig *fig = malloc(sizeof(*fig));
        if (fig == NULL) {
            rc = 1;
            goto out;
        }
        report_fig_build(d, (enum report_fig)k, fig);
        if (plot_render_both(fig, out, report_fig_name((enum report_fig)k), &e) < 0) {
            free(fig);
            fprintf(stderr, "isobench report: %s\n", e.msg);
            rc = 1;
            goto out;
        }
        free(fig);
    }
    if (write_file(out, "report.html", 0, d, &e) < 0 || write_file(out, "report.md", 1, d, &e) < 0 ||
        write_file(out, "metrics.txt", 2, d, &e) < 0) {
        fprintf(stderr, "isobench report: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    printf("%s/report.html\n", out);
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
