/*
 * render.h - the drawing and writing half of reports/: figures (PNG, SVG),
 * report.html, report.md, metrics.txt (OpenMetrics) and the terminal tables,
 * and the compare gate's table, JSON and JUnit, all drawn from what
 * reports/model/ computed (report.h, capacity.h, compare.h,
 * hosts.h). Nothing here reads a run directory or fits a model.
 *
 * report_write_dir() is the whole `isobench report` pipeline (reduce, then
 * every figure and file); `run` and `density` call it at their end too.
 */
#ifndef ISOBENCH_RENDER_H
#define ISOBENCH_RENDER_H

#include <stdio.h>

#include "capacity.h"
#include "compare.h"
#include "err.h"
#include "history.h"
#include "hosts.h"
#include "plotlayer.h"
#include "report.h"

_Static_assert(REPORT_MAX_ENTRIES <= PLOT_MAX_SERIES, "one figure series per report entry");

/* Figures (plots.c). Each fills `f` from d; borrowed arrays stay in d. */
enum report_fig {
    FIG_START_CDF,
    FIG_START_FLEET,
    FIG_MEM_RAMP,
    FIG_CPU_TIME,
    FIG_STORAGE,
    FIG_CAPACITY,
    FIG_DENSITY_MEM,    /* density fill: host memory vs containers up to the ceiling */
    FIG_DENSITY_TASKS,  /* tasks (threads) in use vs containers */
    FIG_DENSITY_START,  /* start p50 / p99 per step */
    FIG_COUNT
};
const char *report_fig_name(enum report_fig k);   /* file base name */
/* 1 when figure k has something to draw (the density figures need a run
   with density.csv). */
int report_fig_wanted(const struct report_data *d, enum report_fig k);
void report_fig_build(const struct report_data *d, enum report_fig k, struct plot_fig *f);

/* Outputs (report_out.c). */
void report_write_markdown(FILE *f, const struct report_data *d);
/* html: svgdir holds the <name>.svg files to inline; NULL = no figures
   (a build without libplot), said in the page. */
int report_write_html(FILE *f, const struct report_data *d, const char *svgdir, struct err *e);
void report_write_metrics(FILE *f, const struct report_data *d);
/* "runsc: 7.4x start, 3.1x memory" */
void report_ratio_line(const struct rep_entry *x, char *buf, size_t n);

/* The whole report (report_dir.c): reduce the runs into d (free it with
   report_data_free, also after a failure), create `out` and write every
   figure (PNG + SVG, where libplot is), report.html, report.md and
   metrics.txt into it. html_path (may be NULL) gets the path of report.html. */
int report_write_dir(const struct rundir *runs, int nruns, const struct cap_params *p, const char *out,
                     struct report_data *d, char *html_path, size_t n, struct err *e);
/* The capacity table of every report entry, as `isobench capacity` prints it. */
void report_print_capacity(FILE *f, const struct report_data *d);

/* Capacity tables (cap_render.c). */
void capacity_print_table(FILE *f, const struct cap_row *rows, int nrows, const struct cap_params *p);
void capacity_print_markdown(FILE *f, const struct cap_row *rows, int nrows, const struct cap_params *p);
struct cJSON *capacity_rows_json(const struct cap_row *rows, int nrows, const struct cap_params *p);
/* "1234", "-" for a resource that does not limit. */
const char *cap_fmt_count(double n, char *buf, size_t len);
/* The memory limit of a row: its count, or "<=N" when memory gives a bound only. */
const char *cap_mem_cell(const struct cap_row *r, char *buf, size_t n);
/* The notes column: memory model or why memory is not resolved, tasks per
   container, what else may bind. */
void cap_row_notes(const struct cap_row *r, const struct cap_params *p, char *buf, size_t n);
/* The whole capacity output for one run directory on its own host (the
   table, the memory models, predicted vs measured when `dens` has
   density.json): what `isobench capacity RUN_DIR` prints, for callers such
   as `run`. Returns 0 or -1 with e set. */
int capacity_print_run(FILE *f, const struct rundir *r, const struct rundir *dens,
                       const struct cap_params *p, struct err *e);
/* The memory model of each row (chosen curve, AICc of each, kernel memory
   and PSS per container). */
void capacity_print_models(FILE *f, const struct cap_row *rows, int nrows);
/* Predicted vs measured (rows with a measured ceiling only); nothing when none. */
void capacity_print_measured(FILE *f, const struct cap_row *rows, int nrows, int markdown);

/* Hosts side by side (hosts_render.c). */
void hosts_print(FILE *f, const struct hosts_row *rows, int n, const struct hosts_prices *pr);
/* Each host's fingerprint (CPU, cores, memory, kernel, budget, runtime
   versions), printed above the table. */
void hosts_print_fingerprints(FILE *f, const struct hosts_fp *fps, int n);
/* Figures: 0 containers per host, 1 per GiB, 2 per core. */
void hosts_fig_build(const struct hosts_row *rows, int n, int which, struct plot_fig *f);

/* isobench history (history_render.c): the step changes per host group,
   and DIR/history-<group>-<metric>.png/.svg with the change points marked. */
void history_print(FILE *f, const struct hist_group *g, int ng, const struct rundir *runs, int markdown);
int history_write_figures(const struct hist_group *g, int ng, const char *dir, struct err *e);

/* The compare gate's outputs (compare_render.c). */
/* A metric's value with its unit ("3.10 ms", "1.2 MiB", "-" for NAN). */
const char *cmp_fmt_value(int metric, double v, char *buf, size_t n);
void compare_print(FILE *f, const struct cmp_row *rows, int n, const struct cmp_opts *o, int markdown);
/* Every number as JSON; base/new name the sides. */
int compare_write_json(FILE *f, const char *base, const char *cur, const struct cmp_row *rows, int n,
                       const struct cmp_opts *o, struct err *e);
/* JUnit XML: one testcase per mode x metric, <failure> for a regression,
   <skipped> for inconclusive (and skipped rows). */
int compare_write_junit(FILE *f, const char *suite, const struct cmp_row *rows, int n,
                        const struct cmp_opts *o);

#endif
