/*
 * plotlayer.h - a tiny plotting layer over GNU libplot (implemented in plot.c;
 * named so it does not shadow libplot's own <plot.h>).
 *
 * A figure (struct plot_fig) is plain data: title, axis labels with units,
 * linear or log axes, line/point/step series or bars, and a legend. It is
 * filled by the figure builders (plots.c) from reduced data, then rendered by
 * plot_render() to PNG or SVG. Colours come from one fixed palette indexed by
 * mode order, so a mode has the same colour in every figure.
 */
#ifndef ISOBENCH_PLOT_H
#define ISOBENCH_PLOT_H

#include <stddef.h>

#include "err.h"

#define PLOT_MAX_SERIES 32
#define PLOT_MAX_BARS 64
#define PLOT_PALETTE 8

enum plot_style {
    PLOT_LINE,        /* straight segments through the points */
    PLOT_DASHED,      /* same, dashed (fitted lines) */
    PLOT_POINTS,      /* filled dots */
    PLOT_STEP,        /* post-step, for empirical CDFs */
};

struct plot_series {
    char label[64];   /* "" = not in the legend */
    int color;        /* palette index */
    enum plot_style style;
    int dash;         /* 0 solid; 1, 2, 3 other dash patterns (e.g. the second run) */
    const double *x, *y; /* borrowed: must outlive plot_render() */
    size_t n;
};

struct plot_bar {
    char label[48];   /* category label under the bar */
    char sublabel[48];/* second line (e.g. the host), may be "" */
    double value;
    double low, high; /* whisker, NAN = none */
    int color;
    char note[32];    /* text above the bar (e.g. binding resource); with no
                         value, shown in place of the bar ("n/a" if "") */
};

struct plot_legend {
    char label[64];
    int color;
};

struct plot_fig {
    char title[128];
    char xlabel[96];
    char ylabel[96];
    int xlog, ylog;
    int y_from_zero;  /* linear y axis starts at 0 */
    int width, height;/* pixels of the PNG; the SVG has the same aspect */
    struct plot_series series[PLOT_MAX_SERIES];
    int nseries;
    struct plot_bar bars[PLOT_MAX_BARS]; /* nbars > 0: a bar chart */
    int nbars;
    struct plot_legend legend[PLOT_MAX_SERIES]; /* extra legend entries (bars) */
    int nlegend;
    char footnote[160];
};

void plot_fig_init(struct plot_fig *f, const char *title, const char *xlabel, const char *ylabel);
/* Add a series (x, y borrowed). Returns 0 or -1 when full. */
int plot_add_series(struct plot_fig *f, const char *label, int color, enum plot_style style,
                    const double *x, const double *y, size_t n);
int plot_add_bar(struct plot_fig *f, const char *label, const char *sublabel, double value,
                 double low, double high, int color, const char *note);
int plot_add_legend(struct plot_fig *f, const char *label, int color);

/* 1 when this build can draw (GNU libplot; not in the Windows build). */
int plot_supported(void);

/* Render to `path` as "png" or "svg". */
int plot_render(const struct plot_fig *f, const char *path, const char *type, struct err *e);
/* Render DIR/NAME.png and DIR/NAME.svg. */
int plot_render_both(const struct plot_fig *f, const char *dir, const char *name, struct err *e);

/* Palette colour i (mod PLOT_PALETTE) as 8-bit RGB and "#rrggbb". */
void plot_color_rgb(int i, int *r, int *g, int *b);
const char *plot_color_hex(int i);

/* "Nice" tick step for a range, about `target` ticks (1, 2, 5 x 10^k). */
double plot_nice_step(double range, int target);

#endif
