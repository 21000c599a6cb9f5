/*
 * history_render.c - `isobench history` output: the step changes of each
 * series as text, and one figure per host group and metric (every mode a
 * line over the runs in time order, each change point a dashed vertical
 * line in the mode's colour).
 */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void history_print(FILE *f, const struct hist_group *g, int ng, const struct rundir *runs, int markdown)
{
    int i, k, s;
    for (i = 0; i < ng; i++) {
        const struct hist_group *h = &g[i];
        int any = 0;
        fprintf(f, "%shost %s: %d run(s), %s .. %s\n", markdown ? "### " : "", h->fingerprint, h->nruns,
                runs[h->runs[0]].started_utc, runs[h->runs[h->nruns - 1]].started_utc);
        for (k = 0; k < h->nseries; k++) {
            const struct hist_series *x = &h->series[k];
            for (s = 0; s < x->nsteps; s++) {
                const struct hist_step *st = &x->steps[s];
                const struct rundir *r = &runs[h->runs[st->run]];
                char a[32], b[32];
                fprintf(f, "%s%s %s: step at run %d of %d, %s (%s, %s): %s -> %s (%+.1f%%), p = %.3f\n",
                        markdown ? "- " : "  ", x->mode, cmp_metric_key(x->metric), st->run + 1, h->nruns,
                        r->run_id, r->path, r->started_utc, cmp_fmt_value(x->metric, st->before, a, sizeof(a)),
                        cmp_fmt_value(x->metric, st->after, b, sizeof(b)), 100 * st->change, st->p);
                any = 1;
            }
        }
        if (!any)
            fprintf(f, "%sno step change%s\n", markdown ? "- " : "  ",
                    h->nruns < 6 ? " (fewer than 6 runs: a step needs 3 runs on each side)" : "");
    }
}

int history_write_figures(const struct hist_group *g, int ng, const char *dir, struct err *e)
{
    int i, k, s, metric;
    for (i = 0; i < ng; i++) {
        const struct hist_group *h = &g[i];
        double *x = malloc(((size_t)h->nruns + 1) * sizeof(double));
        double cpx[HIST_MAX_CP * PLOT_MAX_SERIES][2], cpy[HIST_MAX_CP * PLOT_MAX_SERIES][2];
        if (x == NULL)
            return err_set(e, 12, "out of memory");
        for (k = 0; k < h->nruns; k++)
            x[k] = k + 1;
        for (metric = 0; metric < CMP_NMETRICS; metric++) {
            struct plot_fig f;
            char name[64], title[128];
            double lo = INFINITY, hi = -INFINITY;
            int ncp = 0, nser = 0, color = 0;
            snprintf(title, sizeof(title), "%s over %d runs (host group %d)", cmp_metric_key(metric), h->nruns,
                     i + 1);
            plot_fig_init(&f, title, "run (in time order)", cmp_metric_key(metric));
            for (k = 0; k < h->nseries; k++) {
                const struct hist_series *sr = &h->series[k];
                int r;
                if (sr->metric != metric)
                    continue;
                color = k / CMP_NMETRICS;
                for (r = 0; r < h->nruns; r++)
                    if (!isnan(sr->y[r])) {
                        lo = fmin(lo, sr->y[r]);
                        hi = fmax(hi, sr->y[r]);
                    }
                if (plot_add_series(&f, sr->mode, color, PLOT_LINE, x, sr->y, (size_t)h->nruns) == 0)
                    nser++;
            }
            if (nser == 0 || !(hi >= lo))
                continue;
            for (k = 0; k < h->nseries; k++) {
                const struct hist_series *sr = &h->series[k];
                if (sr->metric != metric)
                    continue;
                for (s = 0; s < sr->nsteps && ncp < HIST_MAX_CP * PLOT_MAX_SERIES; s++, ncp++) {
                    cpx[ncp][0] = cpx[ncp][1] = sr->steps[s].run + 0.5;
                    cpy[ncp][0] = lo;
                    cpy[ncp][1] = hi;
                    if (plot_add_series(&f, "", k / CMP_NMETRICS, PLOT_DASHED, cpx[ncp], cpy[ncp], 2) < 0)
                        break;
                }
            }
            snprintf(f.footnote, sizeof(f.footnote), "dashed: change points (e-divisive means, permutation test)");
            snprintf(name, sizeof(name), "history-%d-%s", i + 1, cmp_metric_key(metric));
            if (plot_render_both(&f, dir, name, e) < 0) {
                free(x);
                return -1;
            }
        }
        free(x);
    }
    return 0;
}
