/*
 * compare.c - base vs new per mode and metric (see compare.h).
 */
#include "compare.h"
#include "input.h"
#include "stats_compare.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMP_MIN_SAMPLES 3

const char *cmp_metric_key(int metric)
{
    return metric == CMP_MARGINAL ? "marginal_mem_bytes" : rd_metric_key((enum rd_metric)metric);
}

void cmp_default_opts(struct cmp_opts *o)
{
    int i;
    o->alpha = 0.05;
    o->resamples = 10000;
    o->seed = 0x15b0c4e5eed5ULL;
    for (i = 0; i < CMP_NMETRICS; i++)
        o->threshold[i] = 0.05;
}

int cmp_load_thresholds(const char *text, const char *fname, struct cmp_opts *o, struct err *e)
{
    cJSON *j = input_json_parse(text, fname, e), *k;
    int rc = -1;
    if (j == NULL)
        return -1;
    if (!cJSON_IsObject(j)) {
        err_set(e, EINVAL, "%s: expected an object like {\"start_ms\":0.10}", fname);
        goto out;
    }
    cJSON_ArrayForEach(k, j) {
        int m = strcmp(k->string, "marginal_mem_bytes") == 0 ? CMP_MARGINAL : rd_metric_find(k->string);
        if (m < 0) {
            err_set(e, EINVAL, "%s: %s: unknown metric (start_ms, mem_pss_bytes, mem_cgroup_bytes, "
                    "idle_cpu_pct, storage_bytes, work_ns, marginal_mem_bytes)", fname, k->string);
            goto out;
        }
        if (!cJSON_IsNumber(k) || k->valuedouble < 0) {
            err_set(e, EINVAL, "%s: %s: threshold must be a fraction >= 0 (0.05 = 5 %%)", fname, k->string);
            goto out;
        }
        o->threshold[m] = k->valuedouble;
    }
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

static enum cmp_verdict verdict(const struct cmp_row *r, double threshold)
{
    if (!r->significant)
        return CMP_SAME;
    if (r->change > threshold)
        return CMP_REGRESSION;
    if (r->change < -threshold)
        return CMP_IMPROVEMENT;
    return CMP_CHANGED_BELOW_THRESHOLD;
}

static int compare_metric(const struct rd_mode *a, const struct rd_mode *b, int metric,
                          const struct cmp_opts *o, struct cmp_row *r)
{
    const struct dvec *va = &a->val[metric], *vb = &b->val[metric];
    double *scratch;
    double u;
    int exact;
    r->nbase = va->n;
    r->nnew = vb->n;
    r->base_median = r->new_median = r->change = r->lo = r->hi = r->p = NAN;
    if (va->n < CMP_MIN_SAMPLES || vb->n < CMP_MIN_SAMPLES) {
        r->verdict = CMP_SKIPPED;
        snprintf(r->note, sizeof(r->note), "too few values (need %d on each side)", CMP_MIN_SAMPLES);
        return 0;
    }
    scratch = malloc((va->n > vb->n ? va->n : vb->n) * sizeof(double));
    if (scratch == NULL)
        return -1;
    r->base_median = sc_median(va->v, va->n, scratch);
    r->new_median = sc_median(vb->v, vb->n, scratch);
    free(scratch);
    if (r->base_median == 0) {
        r->verdict = CMP_SKIPPED;
        snprintf(r->note, sizeof(r->note), "base median is 0: no relative change");
        return 0;
    }
    /* seed per (mode, metric) so rows do not depend on one another */
    if (sc_bootstrap_median_change(va->v, va->n, vb->v, vb->n, o->resamples, 0.05, 1,
                                   o->seed + (uint64_t)metric * 7919u, &r->change, &r->lo,
                                   &r->hi) < 0 ||
        sc_mann_whitney_auto(va->v, va->n, vb->v, vb->n, &u, &r->p, &exact) < 0)
        return -1;
    if (exact)
        snprintf(r->note, sizeof(r->note), "exact Mann-Whitney p");
    r->significant = r->p < o->alpha && (r->lo > 0 || r->hi < 0);
    r->verdict = verdict(r, o->threshold[metric]);
    return 0;
}

static void compare_marginal(const struct rd_mode *a, const struct rd_mode *b,
                             const struct cmp_opts *o, struct cmp_row *r)
{
    const struct rd_marginal *x = &a->marginal, *y = &b->marginal;
    r->nbase = (size_t)x->points;
    r->nnew = (size_t)y->points;
    r->base_median = x->slope;
    r->new_median = y->slope;
    r->change = r->lo = r->hi = r->p = NAN;
    if (!x->has || !y->has || !(x->slope > 0)) {
        r->verdict = CMP_SKIPPED;
        if (!x->has || !y->has)
            snprintf(r->note, sizeof(r->note), "no marginal slope in %s", !x->has ? "base" : "new");
        else
            snprintf(r->note, sizeof(r->note), "base slope is not positive: no relative change");
        return;
    }
    r->change = y->slope / x->slope - 1;
    /* A fit through the origin and one ramp level has no interval at all. */
    if (x->points >= 3 && y->points >= 3 && !isnan(x->ci_low) && !isnan(x->ci_high) && !isnan(y->ci_low) &&
        !isnan(y->ci_high)) {
        if (x->ci_low > 0) { /* the ratio's interval needs a positive base CI */
            r->lo = y->ci_low / x->ci_high - 1;
            r->hi = y->ci_high / x->ci_low - 1;
        }
        r->significant = y->ci_low > x->ci_high || y->ci_high < x->ci_low;
        snprintf(r->note, sizeof(r->note), "fits' 95%% CIs %s", r->significant ? "disjoint" : "overlap");
    } else {
        snprintf(r->note, sizeof(r->note), "a fit has no CI: not tested");
    }
    r->verdict = verdict(r, o->threshold[CMP_MARGINAL]);
}

int compare_runs(const struct rundir *base, const struct rundir *cur, const struct cmp_opts *o,
                 struct cmp_row **rows, int *nrows, struct err *e)
{
    struct cmp_row *out = calloc((size_t)(base->nmodes ? base->nmodes : 1) * CMP_NMETRICS, sizeof(*out));
    int i, k, n = 0;
    if (out == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (i = 0; i < base->nmodes; i++) {
        const struct rd_mode *a = &base->modes[i];
        const struct rd_mode *b = rundir_mode((struct rundir *)cur, a->name);
        if (b == NULL)
            continue;
        for (k = 0; k < CMP_NMETRICS; k++) {
            struct cmp_row *r = &out[n++];
            snprintf(r->mode, sizeof(r->mode), "%s", a->name);
            r->metric = k;
            if (k == CMP_MARGINAL)
                compare_marginal(a, b, o, r);
            else if (compare_metric(a, b, k, o, r) < 0) {
                free(out);
                return err_set(e, ENOMEM, "out of memory");
            }
        }
    }
    if (n == 0) {
        free(out);
        return err_set(e, EINVAL, "the runs have no mode in common");
    }
    *rows = out;
    *nrows = n;
    return 0;
}

int compare_regressions(const struct cmp_row *rows, int n)
{
    int i, c = 0;
    for (i = 0; i < n; i++)
        c += rows[i].verdict == CMP_REGRESSION;
    return c;
}

static const char *verdict_name(enum cmp_verdict v)
{
    switch (v) {
    case CMP_REGRESSION: return "REGRESSION";
    case CMP_IMPROVEMENT: return "improvement";
    case CMP_CHANGED_BELOW_THRESHOLD: return "within threshold";
    case CMP_SAME: return "no significant change";
    default: return "skipped";
    }
}

static const char *fmt_val(int metric, double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (metric == RDM_START_MS)
        snprintf(buf, n, "%.2f ms", v);
    else if (metric == RDM_IDLE_CPU)
        snprintf(buf, n, "%.3f %%", v);
    else if (metric == RDM_WORK_NS)
        snprintf(buf, n, "%.1f ms", v / 1e6);
    else
        rd_fmt_bytes(v, buf, n);
    return buf;
}

static const char *fmt_pct(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%+.1f%%", v * 100);
    return buf;
}

void compare_print(FILE *f, const struct cmp_row *rows, int n, const struct cmp_opts *o, int markdown)
{
    int i;
    if (markdown) {
        fprintf(f, "| mode | metric | n base/new | base median | new median | change | 95%% CI | p | threshold | verdict |\n");
        fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    } else {
        fprintf(f, "%-10s %-18s %9s %13s %13s %8s %19s %8s %6s  %s\n", "mode", "metric", "n b/n",
                "base median", "new median", "change", "95% CI", "p", "thr", "verdict");
    }
    for (i = 0; i < n; i++) {
        const struct cmp_row *r = &rows[i];
        char bm[32], nm[32], ch[32], lo[32], hi[32], ci[72], p[32], cnt[32], thr[16], mode[400];
        fmt_val(r->metric == CMP_MARGINAL ? RDM_MEM_PSS : r->metric, r->base_median, bm, sizeof(bm));
        fmt_val(r->metric == CMP_MARGINAL ? RDM_MEM_PSS : r->metric, r->new_median, nm, sizeof(nm));
        fmt_pct(r->change, ch, sizeof(ch));
        if (isnan(r->lo))
            snprintf(ci, sizeof(ci), "-");
        else
            snprintf(ci, sizeof(ci), "[%s, %s]", fmt_pct(r->lo, lo, sizeof(lo)), fmt_pct(r->hi, hi, sizeof(hi)));
        if (isnan(r->p))
            snprintf(p, sizeof(p), "-");
        else if (r->p < 0.0001)
            snprintf(p, sizeof(p), "<0.0001");
        else
            snprintf(p, sizeof(p), "%.4f", r->p);
        snprintf(cnt, sizeof(cnt), "%lu/%lu", (unsigned long)r->nbase, (unsigned long)r->nnew);
        snprintf(thr, sizeof(thr), "%.0f%%", o->threshold[r->metric] * 100);
        if (markdown)
            fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s%s%s%s%s |\n",
                    rd_md_text(r->mode, mode, sizeof(mode)),
                    cmp_metric_key(r->metric), cnt, bm, nm, ch, ci, p, thr,
                    r->verdict == CMP_REGRESSION ? "**" : "", verdict_name(r->verdict),
                    r->verdict == CMP_REGRESSION ? "**" : "", r->note[0] ? ": " : "", r->note);
        else
            fprintf(f, "%-10s %-18s %9s %13s %13s %8s %19s %8s %6s  %s%s%s\n", r->mode,
                    cmp_metric_key(r->metric), cnt, bm, nm, ch, ci, p, thr, verdict_name(r->verdict),
                    r->note[0] ? ": " : "", r->note);
    }
    fprintf(f, "%s%d regression(s); alpha %.3g, %d bootstrap resamples, Mann-Whitney U two-sided "
               "(exact below 8 values per side without ties, else normal approximation)%s\n",
            markdown ? "\n" : "", compare_regressions(rows, n), o->alpha, o->resamples,
            markdown ? "." : "");
}
