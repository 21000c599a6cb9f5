/*
 * report_dir.c - the whole report of one or more run directories, written
 * into one folder (see render.h): reduce, every figure as PNG and SVG (where
 * libplot is), then report.html (which inlines the SVGs), report.md and
 * metrics.txt. `isobench report` and the end of `run` share it.
 */
#include "render.h"
#include "plat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum out_kind { OUT_HTML, OUT_MARKDOWN, OUT_METRICS };

static int write_file(const char *dir, const char *name, enum out_kind kind, const struct report_data *d,
                      struct err *e)
{
    char path[1200];
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL)
        return err_sys(e, errno, "open %s", path);
    if (kind == OUT_HTML)
        rc = report_write_html(f, d, plot_supported() ? dir : NULL, e);
    else if (kind == OUT_MARKDOWN)
        report_write_markdown(f, d);
    else
        report_write_metrics(f, d);
    if (fclose(f) != 0 && rc == 0)
        rc = err_sys(e, errno, "write %s", path);
    return rc;
}

int report_write_dir(const struct rundir *runs, int nruns, const struct cap_params *p, const char *out,
                     struct report_data *d, char *html_path, size_t n, struct err *e)
{
    struct plot_fig *fig = NULL;
    int k, rc = -1;

    memset(d, 0, sizeof(*d));
    if (plat_mkdir_p(out, e) < 0)
        return -1;
    if (report_reduce(runs, nruns, p, d, e) < 0)
        return -1;
    if (plot_supported()) {
        fig = malloc(sizeof(*fig));
        if (fig == NULL)
            return err_set(e, ENOMEM, "%s: out of memory for a figure", out);
    }
    for (k = 0; fig != NULL && k < FIG_COUNT; k++) {
        if (!report_fig_wanted(d, (enum report_fig)k))
            continue;
        report_fig_build(d, (enum report_fig)k, fig);
        if (plot_render_both(fig, out, report_fig_name((enum report_fig)k), e) < 0)
            goto out;
    }
    if (write_file(out, "report.html", OUT_HTML, d, e) < 0 || write_file(out, "report.md", OUT_MARKDOWN, d, e) < 0 ||
        write_file(out, "metrics.txt", OUT_METRICS, d, e) < 0)
        goto out;
    if (html_path != NULL)
        snprintf(html_path, n, "%s/report.html", out);
    rc = 0;
out:
    free(fig);
    return rc;
}

void report_print_capacity(FILE *f, const struct report_data *d)
{
    struct cap_row rows[REPORT_MAX_ENTRIES];
    int i;
    for (i = 0; i < d->n; i++)
        rows[i] = d->e[i].cap;
    capacity_print_table(f, rows, d->n, &d->params);
}
