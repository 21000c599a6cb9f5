/*
 * report_reduce.c - reduce loaded runs into struct report_data (see report.h).
 */
#include "report.h"
#include "stats.h"
#include "stats_compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double *dup_vec(const double *v, size_t n)
{
    double *c = malloc((n ? n : 1) * sizeof(double));
    if (c != NULL && n)
        memcpy(c, v, n * sizeof(double));
    return c;
}

static double ratio(double a, double base)
{
    if (isnan(a) || isnan(base) || base <= 0)
        return NAN;
    return a / base;
}

/* Median start per fleet size, ascending fleet. */
static int reduce_fleet(struct rep_entry *x)
{
    const struct dvec *s = &x->mode->val[RDM_START_MS], *f = &x->mode->start_fleet;
    double *sizes = dup_vec(f->v, f->n), *tmp = malloc((s->n ? s->n : 1) * sizeof(double));
    size_t i, j, nd = 0;
    if (sizes == NULL || tmp == NULL)
        goto fail;
    qsort(sizes, f->n, sizeof(double), stats_cmp_double);
    for (i = 0; i < f->n; i++)
        if (nd == 0 || sizes[nd - 1] != sizes[i])
            sizes[nd++] = sizes[i];
    x->fleet_x = malloc((nd ? nd : 1) * sizeof(double));
    x->fleet_p50 = malloc((nd ? nd : 1) * sizeof(double));
    if (x->fleet_x == NULL || x->fleet_p50 == NULL)
        goto fail;
    for (i = 0; i < nd; i++) {
        size_t k = 0;
        for (j = 0; j < s->n; j++)
            if (f->v[j] == sizes[i])
                tmp[k++] = s->v[j];
        qsort(tmp, k, sizeof(double), stats_cmp_double);
        x->fleet_x[i] = sizes[i];
        x->fleet_p50[i] = sc_quantile_sorted(tmp, k, 0.5);
    }
    x->n_fleet = nd;
    free(sizes);
    free(tmp);
    return 0;
fail:
    free(sizes);
    free(tmp);
    return -1;
}

/* Median of the positive steps between consecutive times (0 if none). */
static double median_step(const double *t, size_t n)
{
    double *d = malloc((n ? n : 1) * sizeof(double)), med = 0;
    size_t i, k = 0;
    if (d == NULL)
        return 0;
    for (i = 1; i < n; i++)
        if (t[i] > t[i - 1])
            d[k++] = t[i] - t[i - 1];
    if (k > 0) {
        qsort(d, k, sizeof(double), stats_cmp_double);
        med = sc_quantile_sorted(d, k, 0.5);
    }
    free(d);
    return med;
}

/* Host CPU series, averaged into at most REPORT_MAX_CPU_POINTS buckets. */
static int reduce_cpu(struct rep_entry *x)
{
    const struct dvec *t = &x->mode->cpu_t_ms, *v = &x->mode->cpu_pct;
    size_t n = t->n, per, i, k = 0;
    double t0, gap;
    if (n == 0)
        return 0;
    per = (n + REPORT_MAX_CPU_POINTS - 1) / REPORT_MAX_CPU_POINTS;
    /* room for one NAN (line break) after every bucket */
    x->cpu_s = malloc(2 * ((n + per - 1) / per) * sizeof(double));
    x->cpu_pct = malloc(2 * ((n + per - 1) / per) * sizeof(double));
    if (x->cpu_s == NULL || x->cpu_pct == NULL)
        return -1;
    t0 = t->v[0];
    for (i = 0; i < n; i++)
        if (t->v[i] < t0)
            t0 = t->v[i];
    /* a gap of more than 5 median sampling intervals (between holds, or
       between repetitions) breaks the line */
    gap = median_step(t->v, n) * 5;
    for (i = 0; i < n; i += per) {
        size_t j, m = 0;
        double st = 0, sv = 0, ts;
        for (j = i; j < n && j < i + per; j++, m++) {
            st += t->v[j];
            sv += v->v[j];
        }
        ts = (st / (double)m - t0) / 1000.0;
        if (k > 0 && gap > 0 && (ts - x->cpu_s[k - 1]) * 1000.0 > gap * (double)per) {
            x->cpu_s[k] = NAN;
            x->cpu_pct[k] = NAN;
            k++;
        }
        x->cpu_s[k] = ts;
        x->cpu_pct[k] = sv / (double)m;
        k++;
    }
    x->n_cpu = k;
    return 0;
}

static int reduce_entry(struct rep_entry *x, const struct cap_params *p, struct err *e)
{
    const struct rd_mode *m = x->mode;
    const struct dvec *s = &m->val[RDM_START_MS];
    size_t i;
    int k;

    /* start latency CDF */
    x->n_start = s->n;
    x->start_sorted = dup_vec(s->v, s->n);
    x->start_cdf = malloc((s->n ? s->n : 1) * sizeof(double));
    x->start_all = dup_vec(s->v, s->n);
    x->start_fleet = dup_vec(m->start_fleet.v, m->start_fleet.n);
    x->n_start_pts = s->n < m->start_fleet.n ? s->n : m->start_fleet.n;
    if (x->start_sorted == NULL || x->start_cdf == NULL || x->start_all == NULL ||
        x->start_fleet == NULL)
        return err_set(e, ENOMEM, "out of memory");
    qsort(x->start_sorted, s->n, sizeof(double), stats_cmp_double);
    for (i = 0; i < s->n; i++)
        x->start_cdf[i] = (double)(i + 1) / (double)s->n;
    if (reduce_fleet(x) < 0 || reduce_cpu(x) < 0)
        return err_set(e, ENOMEM, "out of memory");

    /* ramp and fitted line (MiB) */
    x->n_ramp = m->ramp_fleet.n;
    x->ramp_x = dup_vec(m->ramp_fleet.v, m->ramp_fleet.n);
    x->ramp_mib = dup_vec(m->ramp_delta.v, m->ramp_delta.n);
    if (x->ramp_x == NULL || x->ramp_mib == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (i = 0; i < x->n_ramp; i++)
        x->ramp_mib[i] /= 1048576.0;
    if (m->marginal.has) {
        double hi = 0;
        for (i = 0; i < x->n_ramp; i++)
            hi = fmax(hi, x->ramp_x[i]);
        if (hi <= 0)
            hi = 1;
        x->fit_x[0] = 0;
        x->fit_x[1] = hi;
        for (k = 0; k < 2; k++)
            x->fit_mib[k] = ((isnan(m->marginal.intercept) ? 0 : m->marginal.intercept) +
                             m->marginal.slope * x->fit_x[k]) / 1048576.0;
        x->has_fit = 1;
    }

    x->storage_mib = m->stat[RDM_STORAGE].count ? m->stat[RDM_STORAGE].mean / 1048576.0 : NAN;
    x->start_p50 = m->stat[RDM_START_MS].count ? m->stat[RDM_START_MS].p50 : NAN;
    /* resolved slope: positive with a CI above 0 */
    x->mem_from_pss = !(m->marginal.has && m->marginal.slope > 0 &&
                        (isnan(m->marginal.ci_low) || m->marginal.ci_low > 0));

    /* capacity on the run's own host */
    capacity_host_from_run(x->run, &x->cap_host);
    x->cap.host = &x->cap_host;
    if (!m->available) {
        snprintf(x->cap.in.name, sizeof(x->cap.in.name), "%s", m->name);
        snprintf(x->cap.why, sizeof(x->cap.why), "unavailable: %s", m->reason);
    } else {
        struct err e2;
        err_clear(&e2);
        if (capacity_inputs_from_run(x->run, m, &x->cap.in, e) < 0)
            return -1;
        if (x->cap_host.cores <= 0 || !(x->cap_host.mem_bytes > 0))
            snprintf(x->cap.why, sizeof(x->cap.why), "run.json has no host cores/memory");
        else if (capacity_compute(&x->cap.in, &x->cap_host, p, &x->cap.res, &e2) < 0)
            snprintf(x->cap.why, sizeof(x->cap.why), "%s", e2.msg);
        else
            x->cap.ok = 1;
    }
    return 0;
}

/* density.csv steps into plain arrays (memory in MiB). */
static int reduce_density(struct rep_entry *x)
{
    const struct rd_density *dn = &x->mode->density;
    size_t i, n = dn->nstep;
    double **arr[6] = { &x->d_x, &x->d_mem_mib, &x->d_kern_mib, &x->d_tasks, &x->d_p50, &x->d_p99 };
    int k;
    if (n == 0)
        return 0;
    for (k = 0; k < 6; k++)
        if ((*arr[k] = malloc(n * sizeof(double))) == NULL)
            return -1;
    for (i = 0; i < n; i++) {
        const struct rd_dstep *s = &dn->step[i];
        x->d_x[i] = s->containers;
        x->d_mem_mib[i] = s->host_used / 1048576.0;
        x->d_kern_mib[i] = s->kernel_mem / 1048576.0;
        x->d_tasks[i] = s->threads_in_use;
        x->d_p50[i] = s->start_p50;
        x->d_p99[i] = s->start_p99;
    }
    x->n_d = n;
    return 0;
}

/* The measured ceiling for entry x: its own run's density.json, else that
   of another run in the report with the same mode name. */
static void attach_measured(struct report_data *d, struct rep_entry *x)
{
    int r;
    capacity_rows_measured(&x->cap, 1, x->run);
    for (r = 0; r < d->nruns && isnan(x->cap.measured); r++)
        if (&d->runs[r] != x->run && d->runs[r].has_density)
            capacity_rows_measured(&x->cap, 1, &d->runs[r]);
}

/* The chosen memory curve, and the ceiling marks' x and y extents. */
static void reduce_marks(struct report_data *d)
{
    double lo[REPORT_DENSITY_FIGS], hi[REPORT_DENSITY_FIGS];
    int i, f;
    size_t j;
    for (f = 0; f < REPORT_DENSITY_FIGS; f++) {
        lo[f] = INFINITY;
        hi[f] = -INFINITY;
    }
    for (i = 0; i < d->n; i++) {
        struct rep_entry *x = &d->e[i];
        const double *ys[REPORT_DENSITY_FIGS] = { x->d_mem_mib, x->d_tasks, x->d_p99 };
        for (f = 0; f < REPORT_DENSITY_FIGS; f++)
            for (j = 0; j < x->n_d; j++)
                if (isfinite(ys[f][j])) {
                    lo[f] = fmin(lo[f], ys[f][j]);
                    hi[f] = fmax(hi[f], ys[f][j]);
                }
        for (j = 0; j < x->n_d; j++) /* the start figure shows p50 too (log axis) */
            if (x->d_p50[j] > 0)
                lo[2] = fmin(lo[2], x->d_p50[j]);
    }
    for (i = 0; i < d->n; i++) {
        struct rep_entry *x = &d->e[i];
        const struct cap_mode_input *in = &x->cap.in;
        double xmax;
        if (x->cap.ok && in->has_fit && x->cap.res.mem_model >= 0 && !in->mem_unresolved) {
            xmax = fmax(in->fit.xmax, isnan(x->cap.measured) ? 0 : x->cap.measured);
            xmax = fmax(xmax, isfinite(x->cap.res.by_mem) ? fmin(x->cap.res.by_mem, 4 * xmax) : 0);
            for (j = 0; j < REPORT_CURVE_POINTS; j++) {
                x->curve_x[j] = xmax * (double)j / (REPORT_CURVE_POINTS - 1);
                x->curve_mib[j] = memfit_predict(&in->fit, x->cap.res.mem_model, x->curve_x[j], NULL) / 1048576.0;
            }
            x->n_curve = REPORT_CURVE_POINTS;
        }
        x->has_ceiling = !isnan(x->cap.measured) && x->n_d > 0;
        x->has_pred = x->cap.ok && isfinite(x->cap.res.expected) && x->n_d > 0;
        x->ceil_x[0] = x->ceil_x[1] = x->cap.measured;
        x->pred_x[0] = x->pred_x[1] = x->cap.res.expected;
        for (f = 0; f < REPORT_DENSITY_FIGS; f++) {
            x->mark_y[f][0] = isfinite(lo[f]) ? lo[f] : 0;
            x->mark_y[f][1] = isfinite(hi[f]) ? hi[f] : 1;
        }
    }
}

int report_reduce(const struct rundir *runs, int nruns, const struct cap_params *p,
                  struct report_data *d, struct err *e)
{
    int r, i, k;
    memset(d, 0, sizeof(*d));
    d->params = *p;
    d->runs = runs;
    d->nruns = nruns;
    for (r = 0; r < nruns; r++)
        for (i = 0; i < runs[r].nmodes; i++) {
            struct rep_entry *x;
            if (d->n == REPORT_MAX_ENTRIES)
                return err_set(e, EINVAL, "more than %d modes across the runs", REPORT_MAX_ENTRIES);
            x = &d->e[d->n];
            x->run = &runs[r];
            x->mode = &runs[r].modes[i];
            x->run_index = r;
            x->color = d->n;
            for (k = 0; k < d->n; k++)
                if (strcmp(d->e[k].mode->name, x->mode->name) == 0) {
                    x->color = d->e[k].color;
                    break;
                }
            if (k == d->n) { /* a new mode name: the next colour */
                int used = 0, c;
                for (c = 0; c < d->n; c++)
                    if (d->e[c].color >= used)
                        used = d->e[c].color + 1;
                x->color = used;
            }
            d->n++;
            {
                char hl[64], label[96]; /* locals: GCC's -Wrestrict cannot see x's fields apart */
                rundir_host_label(runs, nruns, r, hl, sizeof(hl));
                if (nruns > 1)
                    snprintf(label, sizeof(label), "%s @ %s", x->mode->name, hl);
                else
                    snprintf(label, sizeof(label), "%s", x->mode->name);
                memcpy(x->host_label, hl, sizeof(hl));
                memcpy(x->label, label, sizeof(label));
            }
            if (reduce_entry(x, p, e) < 0)
                return err_wrap(e, "%s: mode %s", runs[r].path, x->mode->name);
            if (reduce_density(x) < 0)
                return err_set(e, ENOMEM, "%s: mode %s: out of memory", runs[r].path, x->mode->name);
        }
    for (k = 0; k < d->n; k++)
        attach_measured(d, &d->e[k]);
    reduce_marks(d);
    /* ratios against each run's baseline */
    for (k = 0; k < d->n; k++) {
        struct rep_entry *x = &d->e[k], *b = NULL;
        const struct rd_mode *bm = rundir_baseline((struct rundir *)x->run);
        for (i = 0; i < d->n; i++)
            if (d->e[i].run == x->run && d->e[i].mode == bm)
                b = &d->e[i];
        x->r_start = x->r_mem = x->r_storage = x->r_idle_cpu = NAN;
        x->is_baseline = b == x;
        if (b == NULL)
            continue;
        x->r_start = ratio(x->start_p50, b->start_p50);
        /* memory on one basis for both: slopes when both are resolved, else PSS */
        x->r_mem_pss = x->mem_from_pss || b->mem_from_pss;
        x->r_mem = x->r_mem_pss ? ratio(x->mode->stat[RDM_MEM_PSS].mean, b->mode->stat[RDM_MEM_PSS].mean)
                                : ratio(x->mode->marginal.slope, b->mode->marginal.slope);
        x->r_storage = ratio(x->storage_mib, b->storage_mib);
        x->r_idle_cpu = ratio(x->mode->stat[RDM_IDLE_CPU].mean, b->mode->stat[RDM_IDLE_CPU].mean);
    }
    return 0;
}

void report_data_free(struct report_data *d)
{
    int k;
    for (k = 0; k < d->n; k++) {
        struct rep_entry *x = &d->e[k];
        free(x->start_sorted);
        free(x->start_cdf);
        free(x->start_fleet);
        free(x->start_all);
        free(x->fleet_x);
        free(x->fleet_p50);
        free(x->ramp_x);
        free(x->ramp_mib);
        free(x->cpu_s);
        free(x->cpu_pct);
        free(x->d_x);
        free(x->d_mem_mib);
        free(x->d_kern_mib);
        free(x->d_tasks);
        free(x->d_p50);
        free(x->d_p99);
    }
    d->n = 0;
}
