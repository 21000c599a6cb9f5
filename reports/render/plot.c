/*
 * plot.c - render a struct plot_fig with GNU libplot (see plotlayer.h).
 *
 * The drawing space is the figure's pixel size (fspace 0..W x 0..H, y up).
 * Layout: title on top, y label rotated on the left, tick labels outside the
 * frame, legend in a column right of the plot area. Log axes draw a tick and
 * a label at each power of ten (plus 2 and 5 when the range spans less than
 * two decades). PNG uses libplot's Hershey vector fonts, SVG real <text>.
 */
#include "plotlayer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h> /* before <plot.h>, which uses FILE */
#include <string.h>

#if !defined(_WIN32)
#include <plot.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
/* libplot 4.4 leaks a few small blocks of its own (and libpng's) for every
   bitmap plotter it deletes; nothing we free could release them. Keep them
   out of LeakSanitizer's report in sanitizer builds. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libplot.so\nleak:libpng16.so\n";
}
/* ... and without the "Suppressions used" table LeakSanitizer would print
   on stderr at every exit that drew a figure (run, report, density). */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

/* Colour-blind-friendly palette (Okabe-Ito order, black last). */
static const unsigned char palette[PLOT_PALETTE][3] = {
    { 0, 114, 178 },   /* blue */
    { 213, 94, 0 },    /* vermillion */
    { 0, 158, 115 },   /* bluish green */
    { 204, 121, 167 }, /* reddish purple */
    { 230, 159, 0 },   /* orange */
    { 86, 180, 233 },  /* sky blue */
    { 240, 228, 66 },  /* yellow */
    { 0, 0, 0 },       /* black */
};

void plot_color_rgb(int i, int *r, int *g, int *b)
{
    i = ((i % PLOT_PALETTE) + PLOT_PALETTE) % PLOT_PALETTE;
    *r = palette[i][0];
    *g = palette[i][1];
    *b = palette[i][2];
}

const char *plot_color_hex(int i)
{
    static char buf[PLOT_PALETTE][8];
    int r, g, b, k = ((i % PLOT_PALETTE) + PLOT_PALETTE) % PLOT_PALETTE;
    plot_color_rgb(k, &r, &g, &b);
    snprintf(buf[k], sizeof(buf[k]), "#%02x%02x%02x", r, g, b);
    return buf[k];
}

void plot_fig_init(struct plot_fig *f, const char *title, const char *xlabel, const char *ylabel)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->title, sizeof(f->title), "%s", title);
    snprintf(f->xlabel, sizeof(f->xlabel), "%s", xlabel);
    snprintf(f->ylabel, sizeof(f->ylabel), "%s", ylabel);
    f->width = 900;
    f->height = 540;
}

int plot_add_series(struct plot_fig *f, const char *label, int color, enum plot_style style,
                    const double *x, const double *y, size_t n)
{
    struct plot_series *s;
    if (f->nseries == PLOT_MAX_SERIES)
        return -1;
    s = &f->series[f->nseries++];
    snprintf(s->label, sizeof(s->label), "%s", label ? label : "");
    s->color = color;
    s->style = style;
    s->x = x;
    s->y = y;
    s->n = n;
    return 0;
}

int plot_add_bar(struct plot_fig *f, const char *label, const char *sublabel, double value,
                 double low, double high, int color, const char *note)
{
    struct plot_bar *b;
    if (f->nbars == PLOT_MAX_BARS)
        return -1;
    b = &f->bars[f->nbars++];
    snprintf(b->label, sizeof(b->label), "%s", label);
    snprintf(b->sublabel, sizeof(b->sublabel), "%s", sublabel ? sublabel : "");
    b->value = value;
    b->low = low;
    b->high = high;
    b->color = color;
    snprintf(b->note, sizeof(b->note), "%s", note ? note : "");
    return 0;
}

int plot_add_legend(struct plot_fig *f, const char *label, int color)
{
    if (f->nlegend == PLOT_MAX_SERIES)
        return -1;
    snprintf(f->legend[f->nlegend].label, sizeof(f->legend[0].label), "%s", label);
    f->legend[f->nlegend].color = color;
    f->nlegend++;
    return 0;
}

double plot_nice_step(double range, int target)
{
    double raw, mag, frac;
    if (!(range > 0) || !isfinite(range))
        return 1;
    raw = range / (target > 0 ? target : 5);
    mag = pow(10, floor(log10(raw)));
    frac = raw / mag;
    if (frac <= 1)
        return mag;
    if (frac <= 2)
        return 2 * mag;
    if (frac <= 5)
        return 5 * mag;
    return 10 * mag;
}

#if !defined(_WIN32)

/* ---- axes (only the libplot renderer uses them) ---- */

struct axis {
    int log;
    double lo, hi;  /* in transformed units (log10 for log axes) */
    double ticks[64];
    int nticks;
    double step;    /* linear step (for label precision) */
};

static double tf(const struct axis *a, double v)
{
    return a->log ? log10(v) : v;
}

static int usable(const struct axis *a, double v)
{
    return isfinite(v) && (!a->log || v > 0);
}

/* Set the range from data min/max (raw units) and compute ticks. */
static void axis_setup(struct axis *a, double mn, double mx, int from_zero)
{
    int i;
    a->nticks = 0;
    if (a->log) {
        double d0, d1, span;
        if (!(mn > 0) || !isfinite(mn)) {
            mn = 1;
            mx = 10;
        }
        d0 = floor(log10(mn));
        d1 = ceil(log10(mx));
        if (d1 <= d0)
            d1 = d0 + 1;
        span = d1 - d0;
        a->lo = d0;
        a->hi = d1;
        for (i = (int)d0; i <= (int)d1 && a->nticks < 60; i++) {
            a->ticks[a->nticks++] = pow(10, i);
            if (span < 2 && i < (int)d1) {
                a->ticks[a->nticks++] = 2 * pow(10, i);
                a->ticks[a->nticks++] = 5 * pow(10, i);
            }
        }
        return;
    }
    if (!isfinite(mn) || !isfinite(mx)) {
        mn = 0;
        mx = 1;
    }
    if (from_zero) {
        if (mn > 0)
            mn = 0;
        if (mx < 0)
            mx = 0;
    }
    if (mx - mn <= 0) {
        double pad = fabs(mx) > 0 ? fabs(mx) * 0.1 : 1;
        mn -= pad;
        mx += pad;
        if (from_zero && mn < 0 && mx > 0 && mn > -pad * 1.01)
            mn = 0;
    }
    a->step = plot_nice_step(mx - mn, 5);
    a->lo = floor(mn / a->step) * a->step;
    a->hi = ceil(mx / a->step) * a->step;
    for (i = 0; a->nticks < 60; i++) {
        double t = a->lo + i * a->step;
        if (t > a->hi + a->step * 1e-9)
            break;
        a->ticks[a->nticks++] = fabs(t) < a->step * 1e-9 ? 0 : t;
    }
}

static void tick_label(const struct axis *a, double v, char *buf, size_t n)
{
    if (a->log) {
        if (v > 1e6 || v < 1e-3)
            snprintf(buf, n, "%.0e", v);
        else
            snprintf(buf, n, "%.7g", v);
        return;
    }
    if (fabs(v) >= 1e6)
        snprintf(buf, n, "%.3g", v);
    else if (a->step >= 1)
        snprintf(buf, n, "%.0f", v);
    else {
        int digits = (int)ceil(-log10(a->step));
        snprintf(buf, n, "%.*f", digits, v);
    }
}

/* ---- rendering ---- */

struct canvas {
    plPlotter *pl;
    double left, right, bottom, top;
    struct axis ax, ay;
    int svg;
};

static double px(const struct canvas *c, double x)
{
    return c->left + (tf(&c->ax, x) - c->ax.lo) / (c->ax.hi - c->ax.lo) * (c->right - c->left);
}

static double py(const struct canvas *c, double y)
{
    double t = tf(&c->ay, y);
    if (t < c->ay.lo)
        t = c->ay.lo;
    return c->bottom + (t - c->ay.lo) / (c->ay.hi - c->ay.lo) * (c->top - c->bottom);
}

static void pen(plPlotter *pl, int r, int g, int b)
{
    pl_pencolor_r(pl, r * 257, g * 257, b * 257);
}

static void pen_palette(plPlotter *pl, int i)
{
    int r, g, b;
    plot_color_rgb(i, &r, &g, &b);
    pen(pl, r, g, b);
    pl_fillcolor_r(pl, r * 257, g * 257, b * 257);
}

static void text(const struct canvas *c, double x, double y, int hj, int vj, double size,
                 const char *s)
{
    pl_ffontsize_r(c->pl, size);
    pl_fmove_r(c->pl, x, y);
    pl_alabel_r(c->pl, hj, vj, s);
}

static void data_range(const struct plot_fig *f, const struct axis *ax, const struct axis *ay,
                       double *xmn, double *xmx, double *ymn, double *ymx)
{
    int i;
    size_t k;
    *xmn = *ymn = INFINITY;
    *xmx = *ymx = -INFINITY;
    for (i = 0; i < f->nseries; i++)
        for (k = 0; k < f->series[i].n; k++) {
            double x = f->series[i].x[k], y = f->series[i].y[k];
            if (!usable(ax, x) || !usable(ay, y))
                continue;
            *xmn = fmin(*xmn, x);
            *xmx = fmax(*xmx, x);
            *ymn = fmin(*ymn, y);
            *ymx = fmax(*ymx, y);
        }
    for (i = 0; i < f->nbars; i++) {
        const struct plot_bar *b = &f->bars[i];
        double vals[3] = { b->value, b->low, b->high };
        for (k = 0; k < 3; k++)
            if (usable(ay, vals[k])) {
                *ymn = fmin(*ymn, vals[k]);
                *ymx = fmax(*ymx, vals[k]);
            }
    }
}

static void draw_frame(struct canvas *c, const struct plot_fig *f)
{
    plPlotter *pl = c->pl;
    char buf[48];
    int i;
    double fs = 13;

    /* grid */
    pl_flinewidth_r(pl, 1);
    pen(pl, 225, 225, 225);
    for (i = 0; i < c->ay.nticks; i++) {
        double y = py(c, c->ay.ticks[i]);
        pl_fline_r(pl, c->left, y, c->right, y);
    }
    if (f->nbars == 0)
        for (i = 0; i < c->ax.nticks; i++) {
            double x = px(c, c->ax.ticks[i]);
            pl_fline_r(pl, x, c->bottom, x, c->top);
        }
    pl_endpath_r(pl);

    /* frame */
    pen(pl, 0, 0, 0);
    pl_flinewidth_r(pl, 1.5);
    pl_filltype_r(pl, 0);
    pl_fbox_r(pl, c->left, c->bottom, c->right, c->top);

    /* ticks and labels */
    pl_flinewidth_r(pl, 1);
    for (i = 0; i < c->ay.nticks; i++) {
        double y = py(c, c->ay.ticks[i]);
        pl_fline_r(pl, c->left - 5, y, c->left, y);
        tick_label(&c->ay, c->ay.ticks[i], buf, sizeof(buf));
        text(c, c->left - 8, y, 'r', 'c', fs, buf);
    }
    if (f->nbars == 0) {
        double last_right = -1e9;
        for (i = 0; i < c->ax.nticks; i++) {
            double x = px(c, c->ax.ticks[i]);
            double w;
            pl_fline_r(pl, x, c->bottom - 5, x, c->bottom);
            tick_label(&c->ax, c->ax.ticks[i], buf, sizeof(buf));
            w = fs * 0.6 * (double)strlen(buf);
            if (x - w / 2 > last_right + 4) { /* skip a label that would overlap */
                text(c, x, c->bottom - 9, 'c', 't', fs, buf);
                last_right = x + w / 2;
            }
        }
    }
    pl_endpath_r(pl);

    /* axis labels and title */
    text(c, (c->left + c->right) / 2, c->bottom - (f->nbars ? 52 : 34), 'c', 't', 15, f->xlabel);
    pl_ftextangle_r(pl, 90);
    text(c, 22, (c->bottom + c->top) / 2, 'c', 'c', 15, f->ylabel);
    pl_ftextangle_r(pl, 0);
    text(c, (c->left + c->right) / 2, c->top + 16, 'c', 'b', 17, f->title);
    if (f->footnote[0]) {
        pen(pl, 90, 90, 90);
        text(c, 8, 8, 'l', 'b', 11, f->footnote);
        pen(pl, 0, 0, 0);
    }
}

static const char *line_mod(const struct plot_series *s)
{
    static const char *const mods[] = { "solid", "longdashed", "dotted", "dotdashed" };
    return mods[((s->style == PLOT_DASHED ? 1 : 0) + s->dash) % 4];
}

static void draw_series(struct canvas *c, const struct plot_series *s)
{
    plPlotter *pl = c->pl;
    size_t k;
    int started = 0;
    double prev_y = 0;
    pen_palette(pl, s->color);
    pl_flinewidth_r(pl, 2.2);
    pl_linemod_r(pl, line_mod(s));
    if (s->style == PLOT_POINTS) {
        pl_filltype_r(pl, 1);
        for (k = 0; k < s->n; k++)
            if (usable(&c->ax, s->x[k]) && usable(&c->ay, s->y[k]))
                pl_fcircle_r(pl, px(c, s->x[k]), py(c, s->y[k]), 3.5);
        pl_filltype_r(pl, 0);
        return;
    }
    for (k = 0; k < s->n; k++) {
        double x, y;
        if (!usable(&c->ax, s->x[k]) || !usable(&c->ay, s->y[k])) {
            /* a gap: NAN (or a value a log axis cannot show) breaks the line */
            if (started)
                pl_endpath_r(pl);
            started = 0;
            continue;
        }
        x = px(c, s->x[k]);
        y = py(c, s->y[k]);
        if (!started) {
            pl_fmove_r(pl, x, s->style == PLOT_STEP ? py(c, c->ay.log ? pow(10, c->ay.lo) : 0) : y);
            if (s->style == PLOT_STEP)
                pl_fcont_r(pl, x, y);
            started = 1;
        } else {
            if (s->style == PLOT_STEP)
                pl_fcont_r(pl, x, prev_y);
            pl_fcont_r(pl, x, y);
        }
        prev_y = y;
    }
    pl_endpath_r(pl);
    pl_linemod_r(pl, "solid");
}

static void draw_bars(struct canvas *c, const struct plot_fig *f)
{
    plPlotter *pl = c->pl;
    double slot = (c->right - c->left) / f->nbars;
    int i;
    for (i = 0; i < f->nbars; i++) {
        const struct plot_bar *b = &f->bars[i];
        double cx = c->left + slot * (i + 0.5), w = slot * 0.6;
        double base = c->ay.log ? c->bottom : py(c, 0);
        pen(pl, 0, 0, 0);
        if (usable(&c->ay, b->value)) {
            double top = py(c, b->value);
            pen_palette(pl, b->color);
            pl_filltype_r(pl, 1);
            pl_flinewidth_r(pl, 1);
            pl_fbox_r(pl, cx - w / 2, base, cx + w / 2, top);
            pl_filltype_r(pl, 0);
            pen(pl, 0, 0, 0);
            if (usable(&c->ay, b->low) && usable(&c->ay, b->high) && b->high > b->low) {
                double lo = py(c, b->low), hi = py(c, b->high);
                pl_flinewidth_r(pl, 1.5);
                pl_fline_r(pl, cx, lo, cx, hi);
                pl_fline_r(pl, cx - 6, lo, cx + 6, lo);
                pl_fline_r(pl, cx - 6, hi, cx + 6, hi);
                pl_endpath_r(pl);
                top = fmax(top, hi);
            }
            if (b->note[0]) {
                /* narrow bars: the note on two lines, "(...)" under the value */
                const char *paren = strstr(b->note, " (");
                double need = 12 * 0.6 * (double)strlen(b->note);
                if (need > slot - 4 && paren != NULL) {
                    char first[32];
                    snprintf(first, sizeof(first), "%.*s", (int)(paren - b->note), b->note);
                    text(c, cx, top + 5, 'c', 'b', 11, paren + 1);
                    text(c, cx, top + 19, 'c', 'b', 11, first);
                } else {
                    text(c, cx, top + 5, 'c', 'b', need > slot - 4 ? 10 : 12, b->note);
                }
            }
        } else {
            text(c, cx, base + 5, 'c', 'b', 12, b->note[0] ? b->note : "n/a");
        }
        pen(pl, 0, 0, 0);
        {
            double fs = 13 * 0.6 * (double)strlen(b->label) > slot - 4 ? 10 : 13;
            double fs2 = 12 * 0.6 * (double)strlen(b->sublabel) > slot - 4 ? 10 : 12;
            text(c, cx, c->bottom - 8, 'c', 't', fs, b->label);
            if (b->sublabel[0])
                text(c, cx, c->bottom - 26, 'c', 't', fs2, b->sublabel);
        }
    }
}

static void draw_legend(struct canvas *c, const struct plot_fig *f)
{
    plPlotter *pl = c->pl;
    double x = c->right + 18, y = c->top - 6;
    int i;
    for (i = 0; i < f->nseries + f->nlegend; i++) {
        const char *label;
        int color, box;
        enum plot_style st = PLOT_LINE;
        const struct plot_series *sr = NULL;
        if (i < f->nseries) {
            sr = &f->series[i];
            label = sr->label;
            color = sr->color;
            st = sr->style;
            box = 0;
        } else {
            label = f->legend[i - f->nseries].label;
            color = f->legend[i - f->nseries].color;
            box = 1;
        }
        if (label[0] == '\0')
            continue;
        pen_palette(pl, color);
        if (box) {
            pl_filltype_r(pl, 1);
            pl_fbox_r(pl, x, y - 6, x + 30, y + 6);
            pl_filltype_r(pl, 0);
        } else if (st == PLOT_POINTS) {
            pl_filltype_r(pl, 1);
            pl_fcircle_r(pl, x + 15, y, 3.5);
            pl_filltype_r(pl, 0);
        } else {
            pl_flinewidth_r(pl, 2.2);
            pl_linemod_r(pl, line_mod(sr));
            pl_fline_r(pl, x, y, x + 30, y);
            pl_endpath_r(pl);
            pl_linemod_r(pl, "solid");
        }
        pen(pl, 0, 0, 0);
        text(c, x + 36, y, 'l', 'c', 13, label);
        y -= 22;
    }
}

/* Width the legend column needs (0 = no legend): the longest label at the
   legend font size (about 0.6 em per character) plus the sample line. */
static double legend_width(const struct plot_fig *f)
{
    size_t longest = 0;
    int i;
    for (i = 0; i < f->nlegend; i++)
        if (strlen(f->legend[i].label) > longest)
            longest = strlen(f->legend[i].label);
    for (i = 0; i < f->nseries; i++)
        if (strlen(f->series[i].label) > longest)
            longest = strlen(f->series[i].label);
    if (longest == 0)
        return 0;
    return 58 + 13 * 0.62 * (double)longest;
}

int plot_render(const struct plot_fig *f, const char *path, const char *type, struct err *e)
{
    plPlotterParams *params = NULL;
    plPlotter *pl = NULL;
    FILE *fp = NULL;
    struct canvas c;
    char size[64];
    double xmn, xmx, ymn, ymx, W = f->width, H = f->height;
    int i, rc = -1;

    memset(&c, 0, sizeof(c));
    c.svg = strcmp(type, "svg") == 0;
    fp = fopen(path, "wb");
    if (fp == NULL)
        return err_sys(e, errno, "plot: open %s", path);
    params = pl_newplparams();
    if (params == NULL) {
        err_set(e, ENOMEM, "plot: pl_newplparams failed");
        goto out;
    }
    snprintf(size, sizeof(size), "%dx%d", f->width, f->height);
    pl_setplparam(params, "BITMAPSIZE", size);
    /* SVG: a page of the same aspect (libplot maps the space onto PAGESIZE) */
    snprintf(size, sizeof(size), "letter,xsize=%.2fin,ysize=%.2fin", W / 100.0, H / 100.0);
    pl_setplparam(params, "PAGESIZE", size);
    pl_setplparam(params, "BG_COLOR", "white");
    pl = pl_newpl_r(type, NULL, fp, stderr, params);
    if (pl == NULL) {
        err_set(e, EINVAL, "plot: libplot cannot create a '%s' plotter", type);
        goto out;
    }
    if (pl_openpl_r(pl) < 0) {
        err_set(e, EIO, "plot: pl_openpl failed for %s", path);
        goto out;
    }
    pl_fspace_r(pl, 0, 0, W, H);
    pl_erase_r(pl);
    pl_fontname_r(pl, c.svg ? "Helvetica" : "HersheySans");
    pl_linemod_r(pl, "solid");
    pl_capmod_r(pl, "round");
    c.pl = pl;
    c.left = 90;
    {
        double lw = legend_width(f);
        if (lw > W * 0.42)
            lw = W * 0.42;
        c.right = W - (lw > 0 ? (lw > 190 ? lw : 190) : 30);
    }
    c.bottom = f->nbars ? 100 : 80;
    c.top = H - 50;
    c.ax.log = f->nbars ? 0 : f->xlog;
    c.ay.log = f->ylog;
    data_range(f, &c.ax, &c.ay, &xmn, &xmx, &ymn, &ymx);
    if (f->nbars) {
        c.ax.lo = 0;
        c.ax.hi = 1;
    } else {
        axis_setup(&c.ax, xmn, xmx, 0);
    }
    /* bars: headroom for the note above the tallest bar */
    axis_setup(&c.ay, ymn, ymx * (f->nbars ? (f->ylog ? 2.5 : 1.15) : 1), f->y_from_zero || f->nbars);
    draw_frame(&c, f);
    for (i = 0; i < f->nseries; i++)
        draw_series(&c, &f->series[i]);
    if (f->nbars)
        draw_bars(&c, f);
    draw_legend(&c, f);
    if (pl_closepl_r(pl) < 0) {
        err_set(e, EIO, "plot: pl_closepl failed for %s", path);
        goto out;
    }
    rc = 0;
out:
    if (pl != NULL)
        pl_deletepl_r(pl);
    if (params != NULL)
        pl_deleteplparams(params);
    if (fp != NULL && fclose(fp) != 0 && rc == 0)
        rc = err_sys(e, errno, "plot: write %s", path);
    return rc;
}

int plot_supported(void)
{
    return 1;
}

#else /* _WIN32: the Windows build has no GNU libplot */

int plot_supported(void)
{
    return 0;
}

int plot_render(const struct plot_fig *f, const char *path, const char *type, struct err *e)
{
    (void)f;
    (void)type;
    return err_set(e, ENOSYS, "plot: %s: figures need GNU libplot, which the Windows build does not have; "
                   "copy the run directory to Linux and run isobench report there", path);
}

#endif

int plot_render_both(const struct plot_fig *f, const char *dir, const char *name, struct err *e)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s.png", dir, name);
    if (plot_render(f, path, "png", e) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
    return plot_render(f, path, "svg", e);
}
