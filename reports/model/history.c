/*
 * history.c - group runs by host fingerprint, build each mode x metric
 * series over time and find its step changes (see history.h).
 */
#include "history.h"
#include "gate_stats.h"
#include "hosts.h"
#include "stats_compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void history_default_opts(struct hist_opts *o)
{
    o->min_size = 3;
    o->permutations = 199;
    o->sig_level = 0.05;
    o->seed = 0x4157041ULL;
}

void history_fingerprint(const struct rundir *r, char *buf, size_t n)
{
    struct hosts_fp fp;
    char mem[32];
    hosts_fingerprint(r, &fp);
    snprintf(buf, n, "%s, %d cores, %s, kernel %s, %s, isobench %s", fp.cpu, fp.cores,
             rd_fmt_bytes(fp.mem_bytes, mem, sizeof(mem)), fp.kernel, fp.runtimes[0] ? fp.runtimes : "no runtime",
             r->version[0] ? r->version : "?");
}

/* Mean of the repetition medians of one metric of a mode; NAN if none. */
static double run_value(const struct rd_mode *m, int metric)
{
    const struct dvec *v, *rep;
    double *buf, *scratch, sum = 0;
    size_t i, j, k, nrep = 0;
    if (metric == CMP_MARGINAL)
        return m->marginal.has ? m->marginal.slope : NAN;
    v = &m->val[metric];
    rep = &m->rep[metric];
    if (v->n == 0)
        return NAN;
    buf = malloc(v->n * sizeof(double));
    scratch = malloc(v->n * sizeof(double));
    if (buf == NULL || scratch == NULL) {
        free(buf);
        free(scratch);
        return NAN;
    }
    for (i = 0; i < v->n; i++) {
        int first = 1;
        for (j = 0; j < i && first; j++)
            first = rep->v[j] != rep->v[i];
        if (!first)
            continue;
        for (j = i, k = 0; j < v->n; j++)
            if (rep->v[j] == rep->v[i])
                buf[k++] = v->v[j];
        sum += sc_median(buf, k, scratch);
        nrep++;
    }
    free(buf);
    free(scratch);
    return sum / (double)nrep;
}

static const struct rundir *sort_runs; /* qsort has no context argument in C11 */

static int by_start(const void *a, const void *b)
{
    const struct rundir *x = &sort_runs[*(const int *)a], *y = &sort_runs[*(const int *)b];
    int c = strcmp(x->started_utc, y->started_utc);
    return c != 0 ? c : strcmp(x->path, y->path);
}

static int series_steps(struct hist_series *s, int nruns, const struct hist_opts *o)
{
    double *x = malloc(((size_t)nruns + 1) * sizeof(double)), p[HIST_MAX_CP];
    int *at = malloc(((size_t)nruns + 1) * sizeof(int)), i, k, m = 0;
    size_t cps[HIST_MAX_CP];
    if (x == NULL || at == NULL) {
        free(x);
        free(at);
        return -1;
    }
    for (i = 0; i < nruns; i++)
        if (!isnan(s->y[i])) {
            x[m] = s->y[i];
            at[m++] = i;
        }
    k = gs_edivisive(x, (size_t)m, o->min_size, o->sig_level, o->permutations,
                     o->seed + (uint64_t)s->metric * 131u, cps, p, HIST_MAX_CP);
    if (k < 0) {
        free(x);
        free(at);
        return -1;
    }
    for (i = 0; i < k; i++) {
        size_t lo = i == 0 ? 0 : cps[i - 1], hi = i + 1 < k ? cps[i + 1] : (size_t)m, j;
        double a = 0, b = 0;
        for (j = lo; j < cps[i]; j++)
            a += x[j];
        for (j = cps[i]; j < hi; j++)
            b += x[j];
        a /= (double)(cps[i] - lo);
        b /= (double)(hi - cps[i]);
        s->steps[i].run = at[cps[i]];
        s->steps[i].before = a;
        s->steps[i].after = b;
        s->steps[i].change = a != 0 ? b / a - 1 : NAN;
        s->steps[i].p = p[i];
    }
    s->nsteps = k;
    free(x);
    free(at);
    return 0;
}

int history_build(const struct rundir *runs, int n, const struct hist_opts *o, struct hist_group **groups,
                  int *ngroups, struct err *e)
{
    struct hist_group *g = calloc((size_t)n + 1, sizeof(*g));
    char fp[1024];
    int i, j, k, ng = 0;

    if (g == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        history_fingerprint(&runs[i], fp, sizeof(fp));
        for (j = 0; j < ng && strcmp(g[j].fingerprint, fp) != 0; j++)
            ;
        if (j == ng) {
            snprintf(g[ng].fingerprint, sizeof(g[ng].fingerprint), "%s", fp);
            g[ng].runs = calloc((size_t)n, sizeof(int));
            if (g[ng].runs == NULL)
                goto oom;
            ng++;
        }
        g[j].runs[g[j].nruns++] = i;
    }
    for (j = 0; j < ng; j++) {
        struct hist_group *h = &g[j];
        const struct rundir *first;
        sort_runs = runs;
        qsort(h->runs, (size_t)h->nruns, sizeof(int), by_start);
        first = &runs[h->runs[0]];
        h->series = calloc((size_t)first->nmodes * CMP_NMETRICS + 1, sizeof(*h->series));
        if (h->series == NULL)
            goto oom;
        for (i = 0; i < first->nmodes; i++)
            for (k = 0; k < CMP_NMETRICS; k++) {
                struct hist_series *s = &h->series[h->nseries];
                int r, have = 0;
                snprintf(s->mode, sizeof(s->mode), "%s", first->modes[i].name);
                s->metric = k;
                s->y = malloc((size_t)h->nruns * sizeof(double));
                if (s->y == NULL)
                    goto oom;
                h->nseries++;
                for (r = 0; r < h->nruns; r++) {
                    const struct rd_mode *m = rundir_mode((struct rundir *)&runs[h->runs[r]], s->mode);
                    s->y[r] = m != NULL ? run_value(m, k) : NAN;
                    have += !isnan(s->y[r]);
                }
                if (have >= 2 && series_steps(s, h->nruns, o) < 0)
                    goto oom;
            }
    }
    *groups = g;
    *ngroups = ng;
    return 0;
oom:
    history_free(g, ng);
    return err_set(e, ENOMEM, "out of memory");
}

void history_free(struct hist_group *g, int n)
{
    int i, k;
    if (g == NULL)
        return;
    for (i = 0; i < n; i++) {
        for (k = 0; k < g[i].nseries; k++)
            free(g[i].series[k].y);
        free(g[i].series);
        free(g[i].runs);
    }
    free(g);
}
