/*
 * compare.c - base vs new per mode and metric, the repetition as the unit
 * (see compare.h). Printing (table, Markdown, JSON, JUnit XML) is in
 * reports/render/compare_render.c.
 */
#include "compare.h"
#include "input.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Containers beyond this many in one repetition keep their median in the
   bootstrap: their share of the variance is negligible (see gate_stats.h). */
#define CMP_INNER_CAP 2000

/* Levels of one repetition the memory noise floor looks at (a gate ramp has a few). */
#define CMP_NOISE_LEVELS 64

const char *cmp_metric_key(int metric)
{
    return metric == CMP_MARGINAL ? "marginal_mem_bytes" : rd_metric_key((enum rd_metric)metric);
}

int cmp_metric_find(const char *key)
{
    return strcmp(key, "marginal_mem_bytes") == 0 ? CMP_MARGINAL : rd_metric_find(key);
}

/*
 * Defaults measured on the 2-core shared test host (README, "CI gate"):
 * ns starts take ~3 ms and move by ~10 % between repetitions under load,
 * memory and storage hardly move at all; idle CPU and the marginal slope of
 * a small ramp are mostly noise, so their thresholds are wide.
 */
void cmp_default_opts(struct cmp_opts *o)
{
    int i;
    o->alpha = 0.05;
    o->resamples = 2000;
    o->seed = 0x15b0c4e5eed5ULL;
    o->inconclusive = CMP_INCONCLUSIVE_EXIT3;
    for (i = 0; i < CMP_NMETRICS; i++) {
        o->threshold[i] = 0.05;
        o->gated[i] = 1;
    }
    o->threshold[RDM_START_MS] = 0.10;
    o->threshold[RDM_IDLE_CPU] = 0.50;
    o->threshold[CMP_MARGINAL] = 0.50;
    o->max_load_gap = 10;
    o->mem_noise_guard = 1;
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
        int m = cmp_metric_find(k->string);
        if (m < 0) {
            err_set(e, EINVAL, "%s: %s: unknown metric (start_ms, mem_pss_bytes, mem_cgroup_bytes, "
                    "idle_cpu_pct, storage_bytes, work_ns, marginal_mem_bytes)", fname, k->string);
            goto out;
        }
        if (!cJSON_IsNumber(k) || !(k->valuedouble >= 0 && k->valuedouble < 1e6)) {
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

int cmp_parse_gated(const char *list, struct cmp_opts *o, struct err *e)
{
    char name[64];
    const char *p = list;
    int i, any = 0;
    for (i = 0; i < CMP_NMETRICS; i++)
        o->gated[i] = 0;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int m;
        if (len >= sizeof(name))
            return err_set(e, EINVAL, "--gate: %.*s: unknown metric", (int)len, p);
        memcpy(name, p, len);
        name[len] = '\0';
        m = cmp_metric_find(name);
        if (m < 0)
            return err_set(e, EINVAL, "--gate: %s: unknown metric", name);
        o->gated[m] = 1;
        any = 1;
        p += len + (end != NULL);
    }
    if (!any)
        return err_set(e, EINVAL, "--gate: no metric named");
    return 0;
}

/* ---- grouping values by repetition ---- */

struct keyed {
    double key, v;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return 0;
}

/* A side's values of one metric, sorted by (run, rep), and its groups. */
struct side {
    struct keyed *kv;
    double *v;
    struct gs_group *g;
    size_t n, ng;
};

static void side_free(struct side *s)
{
    free(s->kv);
    free(s->v);
    free(s->g);
    memset(s, 0, sizeof(*s));
}

static int side_push(struct side *s, size_t *cap, double key, double v)
{
    if (s->n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        struct keyed *n2 = realloc(s->kv, c * sizeof(*n2));
        if (n2 == NULL)
            return -1;
        s->kv = n2;
        *cap = c;
    }
    s->kv[s->n].key = key;
    s->kv[s->n++].v = v;
    return 0;
}

/* Per-repetition slope of host memory over fleet size (ramp.csv). */
/* Is ramp row i the first of its repetition? */
static int rep_first(const struct rd_mode *m, size_t i)
{
    size_t j;
    for (j = 0; j < i; j++)
        if (m->ramp_rep.v[j] == m->ramp_rep.v[i])
            return 0;
    return 1;
}

static int push_slopes(struct side *s, size_t *cap, double run, const struct rd_mode *m)
{
    size_t i, j, n = m->ramp_fleet.n;
    double *x = malloc((n + 1) * sizeof(double)), *y = malloc((n + 1) * sizeof(double));
    int rc = -1;
    if (x == NULL || y == NULL)
        goto out;
    for (i = 0; i < n; i++) {
        double rep = m->ramp_rep.v[i];
        size_t k = 0;
        struct linear_fit f;
        if (!rep_first(m, i))
            continue;
        for (j = i; j < n; j++)
            if (m->ramp_rep.v[j] == rep) {
                x[k] = m->ramp_fleet.v[j];
                y[k++] = m->ramp_delta.v[j];
            }
        if (k >= 2 && stats_linear_fit(x, y, k, &f) == 0 && side_push(s, cap, run * 1e6 + rep, f.slope) < 0)
            goto out;
    }
    rc = 0;
out:
    free(x);
    free(y);
    return rc;
}

/*
 * A side's values of one metric, keyed by (run, repetition). start_ms: the
 * start-latency phase's one-at-a-time starts when the runs had that phase
 * (summary.json's start statistics are those too), else every container's.
 */
static int side_build(struct side *s, const struct rundir *runs, int nruns, const char *mode, int metric,
                      int starts_only)
{
    size_t cap = 0, i;
    int r;
    memset(s, 0, sizeof(*s));
    for (r = 0; r < nruns; r++) {
        const struct rd_mode *m = rundir_mode((struct rundir *)&runs[r], mode);
        const struct dvec *val, *rep;
        if (m == NULL)
            continue;
        if (metric == CMP_MARGINAL) {
            if (push_slopes(s, &cap, r, m) < 0)
                return -1;
            continue;
        }
        val = starts_only ? &m->starts_val : &m->val[metric];
        rep = starts_only ? &m->starts_rep : &m->rep[metric];
        for (i = 0; i < val->n; i++)
            if (side_push(s, &cap, r * 1e6 + rep->v[i], val->v[i]) < 0)
                return -1;
    }
    if (s->n == 0)
        return 0;
    qsort(s->kv, s->n, sizeof(*s->kv), cmp_keyed);
    s->v = malloc(s->n * sizeof(double));
    s->g = malloc(s->n * sizeof(*s->g));
    if (s->v == NULL || s->g == NULL)
        return -1;
    for (i = 0; i < s->n; i++) {
        s->v[i] = s->kv[i].v;
        if (i == 0 || s->kv[i].key != s->kv[i - 1].key) {
            s->g[s->ng].v = &s->v[i];
            s->g[s->ng++].n = 0;
        }
        s->g[s->ng - 1].n++;
    }
    return 0;
}

/* Does every run holding the mode have a start-latency phase? */
static int all_have_starts(const struct rundir *runs, int nruns, const char *mode)
{
    int r, seen = 0;
    for (r = 0; r < nruns; r++) {
        const struct rd_mode *m = rundir_mode((struct rundir *)&runs[r], mode);
        if (m == NULL)
            continue;
        if (m->starts_val.n == 0)
            return 0;
        seen++;
    }
    return seen > 0;
}

static int compare_one(const struct rundir *base, int nbase, const struct rundir *cur, int ncur,
                       const struct cmp_opts *o, struct cmp_row *r)
{
    struct side a, b;
    struct gs_opts go;
    int rc = -1, starts_only;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    /* Both sides measure start latency the same way or neither uses the phase. */
    starts_only = r->metric == RDM_START_MS && all_have_starts(base, nbase, r->mode) &&
                  all_have_starts(cur, ncur, r->mode);
    if (side_build(&a, base, nbase, r->mode, r->metric, starts_only) < 0 ||
        side_build(&b, cur, ncur, r->mode, r->metric, starts_only) < 0)
        goto out;
    r->nbase = a.n;
    r->nnew = b.n;
    gs_levels(a.g, a.ng, &r->lbase);
    gs_levels(b.g, b.ng, &r->lnew);
    go.alpha = o->alpha;
    go.threshold = o->threshold[r->metric];
    go.resamples = o->resamples;
    go.inner_cap = CMP_INNER_CAP;
    /* seed per metric so rows do not depend on one another */
    go.seed = o->seed + (uint64_t)r->metric * 7919u;
    go.alpha_change = 0;
    if (o->paired && a.ng == b.ng) {
        if (gs_compare_paired(a.g, b.g, a.ng, &go, &r->g) < 0)
            goto out;
        r->pairs = a.ng;
    } else if (gs_compare(a.g, a.ng, b.g, b.ng, &go, &r->g) < 0) {
        goto out;
    }
    rc = 0;
out:
    side_free(&a);
    side_free(&b);
    return rc;
}

/* Regression / improvement at alpha / m over the m gated, tested rows. */
static void bonferroni(struct cmp_row *rows, int n, const struct cmp_opts *o)
{
    int i, m = 0;
    for (i = 0; i < n; i++)
        m += rows[i].gated && !isnan(rows[i].g.se_log);
    for (i = 0; i < n; i++) {
        struct cmp_row *r = &rows[i];
        struct gs_opts go;
        size_t reps = r->pairs ? r->pairs : r->lbase.reps < r->lnew.reps ? r->lbase.reps : r->lnew.reps;
        if (isnan(r->g.se_log) || m < 2)
            continue;
        memset(&go, 0, sizeof(go));
        go.alpha = o->alpha;
        go.alpha_change = o->alpha / m;
        go.threshold = o->threshold[r->metric];
        gs_decide(log1p(r->g.change), r->g.se_log, r->g.df, reps, &go, &r->g);
        r->tests = m;
    }
}

/* Mean host CPU busy % over the holds of a side's runs of the mode (samples.csv); NAN unknown. */
static double side_busy(const struct rundir *runs, int nruns, const char *mode)
{
    double sum = 0;
    size_t n = 0, i;
    int r;
    for (r = 0; r < nruns; r++) {
        const struct rd_mode *m = rundir_mode((struct rundir *)&runs[r], mode);
        if (m == NULL)
            continue;
        for (i = 0; i < m->cpu_pct.n; i++)
            if (!isnan(m->cpu_pct.v[i])) {
                sum += m->cpu_pct.v[i];
                n++;
            }
    }
    return n ? sum / (double)n : NAN;
}

/*
 * A stored baseline cannot tell a slower build from a busier host: the
 * repetitions of one run share its load, so run-to-run load changes are
 * invisible to the interval. When the host's CPU was busier (or idler) by
 * more than max_load_gap points during one side's holds (idle containers:
 * what is busy is mostly someone else), a time metric's regression or
 * improvement that the load could explain is withheld as inconclusive,
 * with both loads named: the load could explain a slowdown when the new
 * side ran on the busier host and the CI's low end is within the ratio of
 * free CPU, (100 - busy base) / (100 - busy new); a speed-up likewise the
 * other way round. A change beyond that, or against the load, stands.
 * Memory and storage do not move with load. Runs that held both sides (ab)
 * share their load and never trip it.
 */
static void load_guard(struct cmp_row *r, const struct rundir *base, int nbase, const struct rundir *cur,
                       int ncur, const struct cmp_opts *o)
{
    double free_ratio;
    r->busy_base = side_busy(base, nbase, r->mode);
    r->busy_new = side_busy(cur, ncur, r->mode);
    r->load_gap = 0;
    if (!(o->max_load_gap > 0) || isnan(r->busy_base) || isnan(r->busy_new))
        return;
    if (r->metric != RDM_START_MS && r->metric != RDM_IDLE_CPU && r->metric != RDM_WORK_NS)
        return;
    if (fabs(r->busy_new - r->busy_base) <= o->max_load_gap)
        return;
    free_ratio = fmax(1, 100 - r->busy_base) / fmax(1, 100 - r->busy_new); /* > 1: new side busier */
    if (r->g.verdict == GS_REGRESSION && !(free_ratio > 1 && 1 + r->g.lo <= free_ratio))
        return;
    if (r->g.verdict == GS_IMPROVEMENT && !(free_ratio < 1 && 1 + r->g.hi >= free_ratio))
        return;
    if (r->g.verdict != GS_REGRESSION && r->g.verdict != GS_IMPROVEMENT)
        return;
    r->g.verdict = GS_INCONCLUSIVE;
    r->g.reps_more = -1;
    r->load_gap = 1;
    snprintf(r->g.note, sizeof(r->g.note), "host CPU busy %.0f %% vs %.0f %% during the holds: load, not "
             "the change, may explain it", r->busy_base, r->busy_new);
}

/*
 * The marginal slope's noise floor in one repetition: host memory in use
 * moved by r_k (max - min) within the hold of level k while the fleet x_k
 * stood still, so each level's point may be off by up to r_k, and the
 * empty-host point (x = 0) by their mean. The least-squares slope moves by
 * at most sum |x_k - mean x| r_k / sum (x_k - mean x)^2 under such errors
 * of the worst signs. NAN when a level lacks the figure.
 */
static double rep_mem_noise(const struct rd_mode *m, double rep)
{
    double x[CMP_NOISE_LEVELS + 1], r[CMP_NOISE_LEVELS + 1], xm = 0, rm = 0, num = 0, den = 0;
    size_t i, k = 1;
    x[0] = 0;
    for (i = 0; i < m->ramp_fleet.n && k <= CMP_NOISE_LEVELS; i++) {
        if (m->ramp_rep.v[i] != rep)
            continue;
        if (i >= m->ramp_hold_range.n || isnan(m->ramp_hold_range.v[i]))
            return NAN;
        x[k] = m->ramp_fleet.v[i];
        r[k] = m->ramp_hold_range.v[i];
        rm += r[k++];
    }
    if (k < 2)
        return NAN;
    r[0] = rm / (double)(k - 1);
    for (i = 0; i < k; i++)
        xm += x[i];
    xm /= (double)k;
    for (i = 0; i < k; i++) {
        num += fabs(x[i] - xm) * r[i];
        den += (x[i] - xm) * (x[i] - xm);
    }
    return den > 0 ? num / den : NAN;
}

/* Median over a side's repetitions of rep_mem_noise; NAN unknown. */
static double side_mem_noise(const struct rundir *runs, int nruns, const char *mode)
{
    double *v = NULL, med = NAN;
    size_t n = 0, i;
    int r;
    for (r = 0; r < nruns; r++) {
        const struct rd_mode *m = rundir_mode((struct rundir *)&runs[r], mode);
        double *v2;
        if (m == NULL || m->ramp_fleet.n == 0)
            continue;
        v2 = realloc(v, (n + m->ramp_fleet.n) * sizeof(*v));
        if (v2 == NULL)
            goto out;
        v = v2;
        for (i = 0; i < m->ramp_fleet.n; i++) {
            double one;
            if (!rep_first(m, i))
                continue;
            one = rep_mem_noise(m, m->ramp_rep.v[i]);
            if (isnan(one))
                goto out; /* a repetition without the figure: unknown */
            v[n++] = one;
        }
    }
    if (n > 0) {
        qsort(v, n, sizeof(*v), stats_cmp_double);
        med = stats_percentile_sorted(v, n, 50);
    }
out:
    free(v);
    return med;
}

/*
 * marginal_mem_bytes comes from host-wide memory, which other tenants and
 * the kernel's deferred work (cgroups and namespaces of torn-down
 * containers freed by workqueues) move too. A side whose holds saw host
 * memory move by as much as the slopes
 * differ cannot tell a costlier container from a busier neighbour: a
 * regression (improvement) whose smallest change in bytes per container,
 * base estimate x the CI's near end, is within the two sides' noise floors
 * (rep_mem_noise, summed: each side may be off by its own) is withheld as
 * inconclusive, with both floors named. The floor shrinks as the ramp
 * grows (a range over a larger fleet): a ramp to 4 and 16 containers cannot
 * resolve marginal memory on a host whose holds move by megabytes.
 */
static void mem_noise_guard(struct cmp_row *r, const struct rundir *base, int nbase, const struct rundir *cur,
                            int ncur, const struct cmp_opts *o)
{
    double least;
    r->mem_noise_base = r->mem_noise_new = NAN;
    r->mem_noise = 0;
    if (r->metric != CMP_MARGINAL)
        return;
    r->mem_noise_base = side_mem_noise(base, nbase, r->mode);
    r->mem_noise_new = side_mem_noise(cur, ncur, r->mode);
    if (!o->mem_noise_guard || isnan(r->mem_noise_base) || isnan(r->mem_noise_new))
        return;
    if (r->g.verdict == GS_REGRESSION)
        least = r->g.base * r->g.lo;
    else if (r->g.verdict == GS_IMPROVEMENT)
        least = -r->g.base * r->g.hi;
    else
        return;
    if (!(least <= r->mem_noise_base + r->mem_noise_new))
        return;
    r->g.verdict = GS_INCONCLUSIVE;
    r->g.reps_more = -1;
    r->mem_noise = 1;
    snprintf(r->g.note, sizeof(r->g.note), "within what host memory moved in the holds, fleet unchanged: %.0f/%.0f "
             "KiB/ctr", r->mem_noise_base / 1024.0, r->mem_noise_new / 1024.0);
}

int compare_sides(const struct rundir *base, int nbase, const struct rundir *cur, int ncur,
                  const struct cmp_opts *o, struct cmp_row **rows, int *nrows, struct err *e)
{
    const struct rundir *first = &base[0];
    struct cmp_row *out;
    int i, k, n = 0;

    if (nbase < 1 || ncur < 1)
        return err_set(e, EINVAL, "compare: a side has no run");
    out = calloc((size_t)(first->nmodes ? first->nmodes : 1) * CMP_NMETRICS, sizeof(*out));
    if (out == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (i = 0; i < first->nmodes; i++) {
        const struct rd_mode *a = &first->modes[i];
        if (rundir_mode((struct rundir *)&cur[0], a->name) == NULL)
            continue;
        for (k = 0; k < CMP_NMETRICS; k++) {
            struct cmp_row *r = &out[n++];
            snprintf(r->mode, sizeof(r->mode), "%s", a->name);
            r->metric = k;
            r->gated = o->gated[k];
            if (compare_one(base, nbase, cur, ncur, o, r) < 0) {
                free(out);
                return err_set(e, ENOMEM, "out of memory");
            }
        }
    }
    if (n == 0) {
        free(out);
        return err_set(e, EINVAL, "the runs have no mode in common");
    }
    bonferroni(out, n, o);
    for (i = 0; i < n; i++) {
        load_guard(&out[i], base, nbase, cur, ncur, o);
        mem_noise_guard(&out[i], base, nbase, cur, ncur, o);
    }
    *rows = out;
    *nrows = n;
    return 0;
}

int compare_runs(const struct rundir *base, const struct rundir *cur, const struct cmp_opts *o,
                 struct cmp_row **rows, int *nrows, struct err *e)
{
    return compare_sides(base, 1, cur, 1, o, rows, nrows, e);
}

int compare_count(const struct cmp_row *rows, int n, enum gs_verdict v)
{
    int i, c = 0;
    for (i = 0; i < n; i++)
        c += rows[i].gated && rows[i].g.verdict == v;
    return c;
}

int compare_regressions(const struct cmp_row *rows, int n)
{
    return compare_count(rows, n, GS_REGRESSION);
}

int compare_exit_code(const struct cmp_row *rows, int n, const struct cmp_opts *o)
{
    if (compare_regressions(rows, n) > 0)
        return 1;
    if (compare_count(rows, n, GS_INCONCLUSIVE) > 0)
        return o->inconclusive == CMP_INCONCLUSIVE_PASS ? 0 : o->inconclusive == CMP_INCONCLUSIVE_FAIL ? 1 : 3;
    return 0;
}
