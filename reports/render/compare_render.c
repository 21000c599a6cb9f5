/*
 * compare_render.c - the compare gate's outputs: the terminal table (or
 * Markdown for a pull-request comment), JSON with every number, and JUnit
 * XML for CI systems. The rows come from reports/model/compare.c; nothing
 * here computes a statistic.
 */
#include "compare.h"
#include "render.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cmp_fmt_value(int metric, double v, char *buf, size_t n)
{
    if (metric == CMP_MARGINAL)
        metric = RDM_MEM_PSS;
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

/* "sd between reps / within reps", relative to the base estimate */
static const char *fmt_levels(const struct gs_levels *l, char *buf, size_t n)
{
    if (l->reps < 2 || !(l->estimate > 0))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%/%.1f%%", 100 * l->sd_between / l->estimate,
                 isnan(l->sd_within) ? 0.0 : 100 * l->sd_within / l->estimate);
    return buf;
}

static void verdict_text(const struct cmp_row *r, char *buf, size_t n)
{
    const char *name = gs_verdict_name(r->g.verdict);
    char more[64] = "";
    if (r->g.verdict == GS_INCONCLUSIVE) {
        if (r->g.reps_more > 0)
            snprintf(more, sizeof(more), " (~%d more reps/side)", r->g.reps_more);
        else if (r->g.reps_more == 0)
            snprintf(more, sizeof(more), " (change at the threshold)");
    }
    snprintf(buf, n, "%s%s%s%s%s", r->g.verdict == GS_REGRESSION ? "REGRESSION" : name, more,
             r->gated ? "" : " [not gated]", r->g.note[0] ? ": " : "", r->g.note);
}

void compare_print(FILE *f, const struct cmp_row *rows, int n, const struct cmp_opts *o, int markdown)
{
    int i;
    if (markdown) {
        fprintf(f, "| mode | metric | reps b/n | base | new | change | CI (1-alpha/m) | p | rep/ctr sd | threshold | verdict |\n");
        fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    } else {
        fprintf(f, "%-10s %-18s %7s %11s %11s %8s %19s %7s %13s %5s  %s\n", "mode", "metric", "reps",
                "base", "new", "change", "CI 1-alpha/m", "p", "sd rep/ctr", "thr", "verdict");
    }
    for (i = 0; i < n; i++) {
        const struct cmp_row *r = &rows[i];
        char bm[32], nm[32], ch[32], lo[32], hi[32], ci[72], p[32], cnt[32], thr[16], lv[40], vd[256], mode[400];
        cmp_fmt_value(r->metric, r->g.base, bm, sizeof(bm));
        cmp_fmt_value(r->metric, r->g.cur, nm, sizeof(nm));
        fmt_pct(r->g.change, ch, sizeof(ch));
        if (isnan(r->g.lo))
            snprintf(ci, sizeof(ci), "-");
        else
            snprintf(ci, sizeof(ci), "[%s, %s]", fmt_pct(r->g.lo, lo, sizeof(lo)), fmt_pct(r->g.hi, hi, sizeof(hi)));
        if (isnan(r->g.p))
            snprintf(p, sizeof(p), "-");
        else if (r->g.p < 0.0001)
            snprintf(p, sizeof(p), "<0.0001");
        else
            snprintf(p, sizeof(p), "%.4f", r->g.p);
        snprintf(cnt, sizeof(cnt), "%lu/%lu", (unsigned long)r->lbase.reps, (unsigned long)r->lnew.reps);
        snprintf(thr, sizeof(thr), "%.0f%%", o->threshold[r->metric] * 100);
        fmt_levels(&r->lbase, lv, sizeof(lv));
        verdict_text(r, vd, sizeof(vd));
        if (markdown)
            fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s%s%s |\n",
                    rd_md_text(r->mode, mode, sizeof(mode)),
                    cmp_metric_key(r->metric), cnt, bm, nm, ch, ci, p, lv, thr,
                    r->g.verdict == GS_REGRESSION ? "**" : "", vd, r->g.verdict == GS_REGRESSION ? "**" : "");
        else
            fprintf(f, "%-10s %-18s %7s %11s %11s %8s %19s %7s %13s %5s  %s\n", r->mode,
                    cmp_metric_key(r->metric), cnt, bm, nm, ch, ci, p, lv, thr, vd);
    }
    fprintf(f, "%s%d regression(s), %d improvement(s), %d equivalent, %d inconclusive (gated metrics); "
               "unit: the repetition (mean of repetition medians%s), hierarchical bootstrap "
               "(%d resamples: repetitions, then containers), Student t; regression = change beyond "
               "the threshold with the CI excluding 0 at alpha %.3g/%d rows (Bonferroni; the CI shown); "
               "equivalent = 90 %% CI within +-threshold (TOST, alpha %.3g); a time metric's regression "
               "or improvement is withheld when the host's CPU was busier by more than %.0f points "
               "during one side's holds; a marginal_mem_bytes one when host memory moved as much "
               "within the holds, the fleet unchanged%s%s\n",
            markdown ? "\n" : "", compare_regressions(rows, n), compare_count(rows, n, GS_IMPROVEMENT),
            compare_count(rows, n, GS_EQUIVALENT), compare_count(rows, n, GS_INCONCLUSIVE),
            o->paired ? ", paired ABBA" : "", o->resamples, o->alpha, n > 0 && rows[0].tests > 1 ? rows[0].tests : 1,
            o->alpha, o->max_load_gap, o->mem_noise_guard ? "" : " (off)", markdown ? "." : "");
}

static void add_num(cJSON *o, const char *key, double v)
{
    if (isnan(v) || isinf(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

static cJSON *levels_json(const struct gs_levels *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "repetitions", (double)l->reps);
    add_num(o, "values_per_repetition", l->ctrs_per_rep);
    add_num(o, "estimate", l->estimate);
    add_num(o, "sd_repetition_medians", l->sd_rep_medians);
    add_num(o, "sd_between_repetitions", l->sd_between);
    add_num(o, "sd_within_repetition", l->sd_within);
    return o;
}

int compare_write_json(FILE *f, const char *base, const char *cur, const struct cmp_row *rows, int n,
                       const struct cmp_opts *o, struct err *e)
{
    cJSON *root = cJSON_CreateObject(), *arr, *opt;
    char *text;
    int i;
    if (root == NULL)
        return err_set(e, ENOMEM, "out of memory");
    cJSON_AddStringToObject(root, "base", base);
    cJSON_AddStringToObject(root, "new", cur);
    opt = cJSON_AddObjectToObject(root, "options");
    cJSON_AddNumberToObject(opt, "alpha", o->alpha);
    cJSON_AddNumberToObject(opt, "resamples", o->resamples);
    cJSON_AddStringToObject(opt, "inconclusive",
                            o->inconclusive == CMP_INCONCLUSIVE_PASS ? "pass"
                            : o->inconclusive == CMP_INCONCLUSIVE_FAIL ? "fail" : "exit3");
    arr = cJSON_AddArrayToObject(root, "rows");
    for (i = 0; i < n; i++) {
        const struct cmp_row *r = &rows[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "mode", r->mode);
        cJSON_AddStringToObject(x, "metric", cmp_metric_key(r->metric));
        cJSON_AddBoolToObject(x, "gated", r->gated);
        cJSON_AddNumberToObject(x, "threshold", o->threshold[r->metric]);
        cJSON_AddNumberToObject(x, "values_base", (double)r->nbase);
        cJSON_AddNumberToObject(x, "values_new", (double)r->nnew);
        add_num(x, "base", r->g.base);
        add_num(x, "new", r->g.cur);
        add_num(x, "change", r->g.change);
        add_num(x, "ci_low", r->g.lo);
        add_num(x, "ci_high", r->g.hi);
        add_num(x, "tost_ci_low", r->g.tost_lo);
        add_num(x, "tost_ci_high", r->g.tost_hi);
        add_num(x, "se_log_ratio", r->g.se_log);
        add_num(x, "df", r->g.df);
        add_num(x, "p", r->g.p);
        cJSON_AddNumberToObject(x, "alpha_row", r->tests > 1 ? o->alpha / r->tests : o->alpha);
        cJSON_AddNumberToObject(x, "pairs", (double)r->pairs);
        cJSON_AddStringToObject(x, "verdict", gs_verdict_name(r->g.verdict));
        if (r->g.verdict == GS_INCONCLUSIVE)
            cJSON_AddNumberToObject(x, "more_repetitions_per_side", r->g.reps_more);
        if (r->g.note[0])
            cJSON_AddStringToObject(x, "note", r->g.note);
        add_num(x, "host_busy_base_pct", r->busy_base);
        add_num(x, "host_busy_new_pct", r->busy_new);
        cJSON_AddBoolToObject(x, "withheld_for_load", r->load_gap);
        if (r->metric == CMP_MARGINAL) {
            add_num(x, "host_mem_noise_base_bytes", r->mem_noise_base);
            add_num(x, "host_mem_noise_new_bytes", r->mem_noise_new);
            cJSON_AddBoolToObject(x, "withheld_for_memory_noise", r->mem_noise);
        }
        cJSON_AddItemToObject(x, "levels_base", levels_json(&r->lbase));
        cJSON_AddItemToObject(x, "levels_new", levels_json(&r->lnew));
        cJSON_AddItemToArray(arr, x);
    }
    cJSON_AddNumberToObject(root, "regressions", compare_regressions(rows, n));
    cJSON_AddNumberToObject(root, "inconclusive", compare_count(rows, n, GS_INCONCLUSIVE));
    cJSON_AddNumberToObject(root, "exit_code", compare_exit_code(rows, n, o));
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL)
        return err_set(e, ENOMEM, "out of memory");
    fprintf(f, "%s\n", text);
    free(text);
    return 0;
}

/* XML text with &, <, >, " escaped. */
static void xml_put(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
    }
}

int compare_write_junit(FILE *f, const char *suite, const struct cmp_row *rows, int n, const struct cmp_opts *o)
{
    int i, fails = 0, skips = 0;
    for (i = 0; i < n; i++) {
        fails += rows[i].gated && rows[i].g.verdict == GS_REGRESSION;
        skips += rows[i].g.verdict == GS_INCONCLUSIVE || rows[i].g.verdict == GS_SKIPPED;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"");
    xml_put(f, suite);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n", n, fails, skips);
    for (i = 0; i < n; i++) {
        const struct cmp_row *r = &rows[i];
        char vd[256], ch[32], lo[32], hi[32], msg[512];
        verdict_text(r, vd, sizeof(vd));
        snprintf(msg, sizeof(msg), "%s: change %s, CI (1-alpha/m) [%s, %s], threshold %.0f%%", vd,
                 fmt_pct(r->g.change, ch, sizeof(ch)), fmt_pct(r->g.lo, lo, sizeof(lo)),
                 fmt_pct(r->g.hi, hi, sizeof(hi)), o->threshold[r->metric] * 100);
        fprintf(f, "  <testcase classname=\"isobench.");
        xml_put(f, r->mode);
        fprintf(f, "\" name=\"%s\"", cmp_metric_key(r->metric));
        if (r->gated && r->g.verdict == GS_REGRESSION) {
            fprintf(f, ">\n    <failure type=\"regression\" message=\"");
            xml_put(f, msg);
            fprintf(f, "\"/>\n  </testcase>\n");
        } else if (r->g.verdict == GS_INCONCLUSIVE || r->g.verdict == GS_SKIPPED) {
            fprintf(f, ">\n    <skipped message=\"");
            xml_put(f, msg);
            fprintf(f, "\"/>\n  </testcase>\n");
        } else {
            fprintf(f, ">\n    <system-out>");
            xml_put(f, msg);
            fprintf(f, "</system-out>\n  </testcase>\n");
        }
    }
    fprintf(f, "</testsuite>\n</testsuites>\n");
    return ferror(f) ? -1 : 0;
}
