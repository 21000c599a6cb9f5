/*
 * report_out.c - report.md, report.html and metrics.txt from struct
 * report_data. The HTML is one self-contained file: styles inline, the SVG
 * figures inlined (their XML prologue dropped), no external reference.
 */
#include "numfmt.h"
#include "runner.h"
#include "render.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared formatting ---- */

static const char *fmt_ratio(double r, char *buf, size_t n)
{
    if (isnan(r))
        snprintf(buf, n, "-");
    else if (r >= 10)
        snprintf(buf, n, "%.0f×", r);
    else
        snprintf(buf, n, "%.1f×", r);
    return buf;
}

static const char *fmt_num(double v, const char *fmt, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, v);
    return buf;
}

void report_ratio_line(const struct rep_entry *x, char *buf, size_t n)
{
    char a[32], b[32], c[32];
    if (x->is_baseline) {
        snprintf(buf, n, "%s: baseline", x->label);
        return;
    }
    snprintf(buf, n, "%s: %s start, %s memory%s, %s storage", x->label,
             fmt_ratio(x->r_start, a, sizeof(a)), fmt_ratio(x->r_mem, b, sizeof(b)),
             x->r_mem_pss ? " (PSS)" : "", fmt_ratio(x->r_storage, c, sizeof(c)));
}

struct row_text {
    char ctrs[32], p50[64], p95[32], mem[64], pss[32], sto[32], idle[32], cap[48], vs[160];
};

static void row_text(const struct rep_entry *x, struct row_text *t)
{
    const struct rd_mode *m = x->mode;
    char a[32], b[32], c[32];
    snprintf(t->ctrs, sizeof(t->ctrs), "%d (%d failed)", m->containers, m->failed);
    {
        const struct rd_stats *st = &m->stat[RDM_START_MS];
        if (st->count == 0)
            snprintf(t->p50, sizeof(t->p50), "-");
        else if (isnan(st->p50_ci_low))
            snprintf(t->p50, sizeof(t->p50), "%.1f (n=%d) [n too small]", st->p50, st->count);
        else
            snprintf(t->p50, sizeof(t->p50), "%.1f (n=%d) [%.1f, %.1f]", st->p50, st->count, st->p50_ci_low,
                     st->p50_ci_high);
        if (st->count > 0 && isnan(st->p95))
            snprintf(t->p95, sizeof(t->p95), "n too small");
        else
            fmt_num(st->p95, "%.1f", t->p95, sizeof(t->p95));
    }
    if (m->marginal.has)
        snprintf(t->mem, sizeof(t->mem), "%.1f [%.1f, %.1f]", m->marginal.slope / 1048576.0,
                 m->marginal.ci_low / 1048576.0, m->marginal.ci_high / 1048576.0);
    else
        snprintf(t->mem, sizeof(t->mem), "-");
    rd_fmt_bytes(m->stat[RDM_MEM_PSS].count ? m->stat[RDM_MEM_PSS].mean : NAN, t->pss, sizeof(t->pss));
    rd_fmt_bytes(m->stat[RDM_STORAGE].count ? m->stat[RDM_STORAGE].mean : NAN, t->sto, sizeof(t->sto));
    fmt_num(m->stat[RDM_IDLE_CPU].mean, "%.3f", t->idle, sizeof(t->idle));
    if (x->cap.ok)
        snprintf(t->cap, sizeof(t->cap), "%.0f (%s)", x->cap.res.expected,
                 cap_resource_name(x->cap.res.binding));
    else
        snprintf(t->cap, sizeof(t->cap), "-");
    if (x->is_baseline)
        snprintf(t->vs, sizeof(t->vs), "baseline");
    else
        snprintf(t->vs, sizeof(t->vs), "%s start, %s memory%s, %s storage",
                 fmt_ratio(x->r_start, a, sizeof(a)), fmt_ratio(x->r_mem, b, sizeof(b)),
                 x->r_mem_pss ? " (PSS)" : "", fmt_ratio(x->r_storage, c, sizeof(c)));
}

static const char *const table_head[] = {
    "mode", "driver", "isolation", "containers", "start p50 (ms) [95% CI]", "start p95 (ms)",
    "marginal memory (MiB/ctr) [95% CI]", "PSS mean", "storage per ctr", "idle CPU (% of a core)",
    "containers per host (binding)", "vs baseline",
};

/* ---- Markdown ---- */

void report_write_markdown(FILE *f, const struct report_data *d)
{
    int i, r;
    fprintf(f, "# isobench report\n\n");
    /* everything read from a run directory is escaped (rd_md_text) */
    for (r = 0; r < d->nruns; r++) {
        const struct rundir *run = &d->runs[r];
        char mem[32], id[400], st[128], stat[128], scn[200], host[400], cpu[400], kern[400];
        fprintf(f, "- run %s (%s, status %s), scenario %s: host %s, %s, %d cores, %s, kernel %s\n",
                rd_md_text(run->run_id, id, sizeof(id)), rd_md_text(run->started_utc, st, sizeof(st)),
                rd_md_text(run->status, stat, sizeof(stat)), rd_md_text(run->scenario_name, scn, sizeof(scn)),
                rd_md_text(rundir_host_name(run), host, sizeof(host)),
                rd_md_text(run->host.cpu_model, cpu, sizeof(cpu)), run->host.cores,
                rd_fmt_bytes(run->host.mem_total_bytes, mem, sizeof(mem)),
                rd_md_text(run->host.kernel, kern, sizeof(kern)));
    }
    for (i = 0; i < d->n; i++)
        if (d->e[i].mode->tcg) {
            char label[400];
            fprintf(f, "\n> **Warning:** mode %s ran under QEMU TCG (software emulation): its numbers "
                    "are not KVM numbers.\n", rd_md_text(d->e[i].label, label, sizeof(label)));
        }
    fprintf(f, "\n");
    for (i = 0; i < d->n; i++) {
        char line[256], safe[1024];
        report_ratio_line(&d->e[i], line, sizeof(line));
        fprintf(f, "- %s\n", rd_md_text(line, safe, sizeof(safe)));
    }
    fprintf(f, "\n|");
    for (i = 0; i < (int)(sizeof(table_head) / sizeof(table_head[0])); i++)
        fprintf(f, " %s |", table_head[i]);
    fprintf(f, "\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        struct row_text t;
        char label[400], drv[200], iso[200];
        row_text(x, &t);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                rd_md_text(x->label, label, sizeof(label)), rd_md_text(x->mode->driver, drv, sizeof(drv)),
                rd_md_text(x->mode->isolation, iso, sizeof(iso)), t.ctrs, t.p50, t.p95, t.mem, t.pss, t.sto,
                t.idle, t.cap, t.vs);
    }
    fprintf(f, "\n");
    {
        struct cap_row rows[REPORT_MAX_ENTRIES];
        for (i = 0; i < d->n; i++)
            rows[i] = d->e[i].cap;
        capacity_print_markdown(f, rows, d->n, &d->params);
        for (i = 0; i < d->n; i++) /* "runsc @ host (run)" when several runs */
            snprintf(rows[i].in.name, sizeof(rows[i].in.name), "%s", d->e[i].label);
        capacity_print_measured(f, rows, d->n, 1);
    }
}

/* ---- HTML ---- */

static void esc(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static int inline_svg(FILE *f, const char *path, int width, int height, struct err *e)
{
    char *text = NULL, *start;
    if (rd_read_text(path, &text, NULL, e) < 0)
        return -1;
    start = strstr(text, "<svg");
    if (start == NULL) {
        free(text);
        return err_set(e, EINVAL, "%s: no <svg> element", path);
    }
    /* drop libplot's id="body": one per inlined SVG would repeat an id */
    {
        char *id = strstr(start, " id=\"body\""), *gt = strchr(start, '>');
        if (id != NULL && gt != NULL && id < gt)
            memmove(id, id + 10, strlen(id + 10) + 1);
    }
    /* libplot sizes the page in inches over a unit viewBox with
       preserveAspectRatio="none": give it the figure's pixel size instead */
    {
        char *w = strstr(start, " width=\""), *h = strstr(start, " height=\""), *gt = strchr(start, '>');
        if (w != NULL && h != NULL && gt != NULL && w < gt && h < gt && w < h) {
            char *wend = strchr(w + 8, '"'), *hend = strchr(h + 9, '"');
            if (wend != NULL && hend != NULL) {
                fwrite(start, 1, (size_t)(w - start), f);
                fprintf(f, " width=\"%d\"", width);
                fwrite(wend + 1, 1, (size_t)(h - wend - 1), f);
                fprintf(f, " height=\"%d\"", height);
                start = hend + 1;
            }
        }
    }
    fputs(start, f);
    free(text);
    return 0;
}

static const char *const fig_captions[FIG_COUNT] = {
    "Start latency distribution per mode (log x axis).",
    "Start latency against the number of containers in the fleet.",
    "Host memory in use above the empty host, per ramp level, with the fitted marginal cost.",
    "Host CPU busy during each mode's ramp and hold (samples.csv).",
    "Storage each container adds on disk.",
    "Containers per host on the run's own host, labelled with the resource that runs out first.",
    "Density fill: host memory in use (solid) and kernel memory (dashed) per step, up to the measured "
    "ceiling (vertical solid line, with the resource that bound it) and the predicted one (dashed).",
    "Density fill: tasks (threads) in use per step; kernel.pid_max and a budget's pids.max count them.",
    "Density fill: start latency p50 and p99 per step.",
};

/* Predicted vs measured ceilings (entries with a density result). */
static void measured_html(FILE *f, const struct report_data *d)
{
    int i, any = 0;
    for (i = 0; i < d->n; i++)
        any |= d->e[i].cap.ok && !isnan(d->e[i].cap.measured);
    if (!any)
        return;
    fputs("<h2>Predicted vs measured ceiling</h2>\n<table><tr><th class=\"l\">mode</th>"
          "<th>predicted</th><th class=\"l\">binding</th><th>measured (density)</th>"
          "<th class=\"l\">binding</th><th>error</th></tr>\n", f);
    for (i = 0; i < d->n; i++) {
        const struct cap_row *c = &d->e[i].cap;
        char a[24], b[24];
        if (!c->ok || isnan(c->measured))
            continue;
        fputs("<tr><td class=\"l\">", f);
        esc(f, d->e[i].label);
        fprintf(f, "</td><td>%s</td><td class=\"l\">%s</td><td>%s</td><td class=\"l\">",
                cap_fmt_count(c->res.expected, a, sizeof(a)), cap_resource_name(c->res.binding),
                cap_fmt_count(c->measured, b, sizeof(b)));
        esc(f, c->measured_binding);
        fprintf(f, "%s</td><td>%+.1f %%</td></tr>\n", c->same_binding ? "" : " (differs)", c->error_pct);
    }
    fputs("</table>\n", f);
}

int report_write_html(FILE *f, const struct report_data *d, const char *svgdir, struct err *e)
{
    struct plot_fig *fig;
    int i, r, k;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>isobench report</title>\n<style>\n"
          "body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222}\n"
          "table{border-collapse:collapse;margin:1em 0;font-size:0.92em}\n"
          "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}\n"
          "th{background:#f2f2f2}td.l,th.l{text-align:left}\n"
          ".warn{background:#fff3cd;border:1px solid #e0b000;padding:0.8em;margin:1em 0}\n"
          ".sw{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}\n"
          "figure{margin:1.5em 0}\n"
          "</style></head><body>\n<h1>isobench report</h1>\n", f);
    for (r = 0; r < d->nruns; r++) {
        const struct rundir *run = &d->runs[r];
        char mem[32], disk[32];
        fputs("<h2>Run ", f);
        esc(f, run->run_id);
        fputs("</h2>\n<table>\n", f);
#define FACT(k, v) do { fputs("<tr><th class=\"l\">" k "</th><td class=\"l\">", f); esc(f, v); fputs("</td></tr>\n", f); } while (0)
        FACT("scenario", run->scenario_name);
        FACT("status", run->status);
        FACT("started (UTC)", run->started_utc);
        FACT("host", rundir_host_name(run));
        FACT("OS", run->host.os);
        FACT("kernel", run->host.kernel);
        FACT("CPU", run->host.cpu_model);
        {
            char cores[64];
            snprintf(cores, sizeof(cores), "%d (%s)", run->host.cores, run->host.arch);
            FACT("cores", cores);
        }
        FACT("memory", rd_fmt_bytes(run->host.mem_total_bytes, mem, sizeof(mem)));
        FACT("disk free", rd_fmt_bytes(run->host.disk_free_bytes, disk, sizeof(disk)));
        FACT("cgroup", run->host.cgroup);
        {
            char ver[160];
            snprintf(ver, sizeof(ver), "%s (%s)", run->version, run->git_sha);
            FACT("isobench", ver);
        }
        {
            /* isobench's own cost (run.json "harness", issue 11). */
            const cJSON *h = cJSON_GetObjectItemCaseSensitive(run->run, "harness");
            const cJSON *rss = cJSON_GetObjectItemCaseSensitive(h, "rss_at_max_running_bytes");
            const cJSON *per = cJSON_GetObjectItemCaseSensitive(h, "rss_growth_bytes_per_container");
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(h, "max_running");
            const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(h, "sampler_cpu_pct_of_core");
            const cJSON *cheap = cJSON_GetObjectItemCaseSensitive(h, "cheap_set_cpu_pct_per_1000_at_10hz");
            char self[320];
            size_t len = 0;
            self[0] = '\0';
            int big = cJSON_IsNumber(n) && n->valueint >= HARNESS_MIN_FLEET;
            if (cJSON_IsNumber(rss) && cJSON_IsNumber(n) && cJSON_IsNumber(per) && big)
                len += (size_t)snprintf(self + len, sizeof(self) - len, "RSS %.1f MiB with %d containers (%.1f KiB each); ",
                                        rss->valuedouble / 1048576.0, n->valueint, per->valuedouble / 1024.0);
            else if (cJSON_IsNumber(rss) && cJSON_IsNumber(n))
                len += (size_t)snprintf(self + len, sizeof(self) - len, "RSS %.1f MiB with %d containers; ",
                                        rss->valuedouble / 1048576.0, n->valueint);
            if (cJSON_IsNumber(cpu) && len < sizeof(self))
                len += (size_t)snprintf(self + len, sizeof(self) - len, "sampling %.2f %% of one core during holds",
                                        cpu->valuedouble);
            if (cJSON_IsNumber(cheap) && big && len < sizeof(self))
                snprintf(self + len, sizeof(self) - len, " (cheap set %.2f %% per 1,000 containers at 10 Hz)",
                         cheap->valuedouble);
            if (self[0] != '\0')
                FACT("isobench itself", self);
        }
#undef FACT
        fputs("</table>\n<table><tr><th class=\"l\">mode</th><th class=\"l\">driver</th>"
              "<th class=\"l\">isolation</th><th class=\"l\">version</th><th class=\"l\">facts</th>"
              "<th class=\"l\">available</th></tr>\n", f);
        for (k = 0; k < run->nmodes; k++) {
            const struct rd_mode *m = &run->modes[k];
            fputs("<tr><td class=\"l\">", f);
            esc(f, m->name);
            fputs(m->baseline ? " (baseline)" : "", f);
            fputs("</td><td class=\"l\">", f);
            esc(f, m->driver);
            fputs("</td><td class=\"l\">", f);
            esc(f, m->isolation);
            fputs("</td><td class=\"l\">", f);
            esc(f, m->version);
            fputs("</td><td class=\"l\">", f);
            esc(f, m->facts);
            fputs("</td><td class=\"l\">", f);
            if (m->available)
                fputs("yes", f);
            else {
                fputs("no: ", f);
                esc(f, m->reason);
            }
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    for (i = 0; i < d->n; i++)
        if (d->e[i].mode->tcg) {
            fputs("<div class=\"warn\"><b>Warning:</b> mode <b>", f);
            esc(f, d->e[i].label);
            fputs("</b> ran under QEMU <b>TCG</b> (software CPU emulation, accel=tcg). Its start "
                  "latency, CPU and work numbers are <b>not KVM numbers</b>: a hardware-accelerated "
                  "VM is many times faster.</div>\n", f);
        }

    fputs("<h2>Comparison with the baseline</h2>\n<ul>\n", f);
    for (i = 0; i < d->n; i++) {
        char line[256];
        report_ratio_line(&d->e[i], line, sizeof(line));
        fputs("<li>", f);
        esc(f, line);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n<table><tr>", f);
    for (i = 0; i < (int)(sizeof(table_head) / sizeof(table_head[0])); i++) {
        fputs(i < 3 ? "<th class=\"l\">" : "<th>", f);
        esc(f, table_head[i]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        struct row_text t;
        const char *cells[9];
        int c;
        row_text(x, &t);
        fprintf(f, "<tr><td class=\"l\"><span class=\"sw\" style=\"background:%s\"></span>",
                plot_color_hex(x->color));
        esc(f, x->label);
        fputs("</td><td class=\"l\">", f);
        esc(f, x->mode->driver);
        fputs("</td><td class=\"l\">", f);
        esc(f, x->mode->isolation);
        fputs("</td>", f);
        cells[0] = t.ctrs; cells[1] = t.p50; cells[2] = t.p95; cells[3] = t.mem; cells[4] = t.pss;
        cells[5] = t.sto; cells[6] = t.idle; cells[7] = t.cap; cells[8] = t.vs;
        for (c = 0; c < 9; c++) {
            fputs(c == 8 ? "<td class=\"l\">" : "<td>", f);
            esc(f, cells[c]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<h2>Figures</h2>\n", f);
    if (svgdir == NULL)
        fputs("<p>This build of isobench cannot draw (no GNU libplot): run <code>isobench report</code> "
              "on Linux for the figures.</p>\n", f);
    fig = svgdir != NULL ? malloc(sizeof(*fig)) : NULL;
    if (svgdir != NULL && fig == NULL)
        return err_set(e, ENOMEM, "out of memory");
    for (k = 0; svgdir != NULL && k < FIG_COUNT; k++) {
        if (!report_fig_wanted(d, (enum report_fig)k))
            continue;
        char path[1200];
        snprintf(path, sizeof(path), "%s/%s.svg", svgdir, report_fig_name((enum report_fig)k));
        fputs("<figure>\n", f);
        report_fig_build(d, (enum report_fig)k, fig);
        if (inline_svg(f, path, fig->width, fig->height, e) < 0) {
            free(fig);
            return -1;
        }
        fputs("<figcaption>", f);
        esc(f, fig_captions[k]);
        fputs("</figcaption></figure>\n", f);
    }
    free(fig);
    fputs("<h2>Capacity</h2>\n", f);
    {
        char rsv[32];
        fprintf(f, "<p>Containers per host on each run's own host: memory reserve %s, CPU target "
                "%.0f %%%s. <b>-</b>: that resource does not limit.</p>\n",
                rd_fmt_bytes(d->params.reserve_mem_bytes, rsv, sizeof(rsv)), d->params.cpu_target * 100,
                d->params.start_slo_ms > 0 ? ", with the start SLO" : "");
    }
    fputs("<table><tr><th class=\"l\">host</th><th class=\"l\">mode</th><th>expected</th>"
          "<th>low–high</th><th>by memory</th><th>by CPU</th><th>by storage</th><th>by start SLO</th>"
          "<th class=\"l\">binding</th><th class=\"l\">notes</th></tr>\n", f);
    for (i = 0; i < d->n; i++) {
        const struct cap_row *c = &d->e[i].cap;
        char a[24], b[24], x1[24], x2[24], x3[24], x4[24], x5[24];
        fputs("<tr><td class=\"l\">", f);
        esc(f, d->e[i].host_label);
        fprintf(f, "</td><td class=\"l\"><span class=\"sw\" style=\"background:%s\"></span>",
                plot_color_hex(d->e[i].color));
        esc(f, d->e[i].mode->name);
        fputs("</td>", f);
        if (!c->ok) {
            fputs("<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td class=\"l\">-</td>"
                  "<td class=\"l\">", f);
            esc(f, c->why);
            fputs("</td></tr>\n", f);
            continue;
        }
        fprintf(f, "<td><b>%s</b></td><td>%s–%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                "<td class=\"l\"><b>%s</b></td><td class=\"l\">",
                cap_fmt_count(c->res.expected, x1, sizeof(x1)), cap_fmt_count(c->res.low, a, sizeof(a)),
                cap_fmt_count(c->res.high, b, sizeof(b)), cap_mem_cell(c, x2, sizeof(x2)),
                cap_fmt_count(c->res.by_cpu, x3, sizeof(x3)), cap_fmt_count(c->res.by_storage, x4, sizeof(x4)),
                cap_fmt_count(c->res.by_start, x5, sizeof(x5)), cap_resource_name(c->res.binding));
        {
            char note[512];
            cap_row_notes(c, &d->params, note, sizeof(note));
            esc(f, note);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    measured_html(f, d);
    fputs("<p>Capacity model: containers per host = the smallest of the fleet whose predicted "
          "memory (linear, quadratic or power-law curve chosen by AICc) fits in the memory left "
          "after the reserve, (pid_max, threads-max, a budget's pids.max, file-max, mount-max, "
          "namespace limits minus what is in use and 10 % headroom) / what a container holds of "
          "each, cores &times; target / CPU per container, free disk / storage per container and, "
          "with an SLO, the fleet size where the fitted start latency reaches it. With a budget, "
          "the budget is the host.</p>\n</body></html>\n", f);
    return 0;
}

/* ---- OpenMetrics ---- */

static void label_value(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', f);
        if (*s == '\n') {
            fputs("\\n", f);
            continue;
        }
        fputc(*s, f);
    }
}

static void labels(FILE *f, const struct rep_entry *x, const char *extra_k, const char *extra_v)
{
    fputs("{mode=\"", f);
    label_value(f, x->mode->name);
    fputs("\",driver=\"", f);
    label_value(f, x->mode->driver);
    fputs("\",isolation=\"", f);
    label_value(f, x->mode->isolation);
    fputs("\",host=\"", f);
    label_value(f, rundir_host_name(x->run));
    fputs("\"", f);
    if (extra_k != NULL) {
        fprintf(f, ",%s=\"", extra_k);
        label_value(f, extra_v);
        fputs("\"", f);
    }
    fputs("}", f);
}

static void family(FILE *f, const char *name, const char *unit, const char *help)
{
    fprintf(f, "# TYPE %s gauge\n", name);
    if (unit != NULL)
        fprintf(f, "# UNIT %s %s\n", name, unit);
    fprintf(f, "# HELP %s %s\n", name, help);
}

static void sample(FILE *f, const char *name, const struct rep_entry *x, const char *k,
                   const char *v, double value)
{
    char num[40];
    if (isnan(value) || isinf(value))
        return;
    fputs(name, f);
    labels(f, x, k, v);
    fprintf(f, " %s\n", numfmt(num, sizeof(num), value)); /* bytes with every digit */
}

static void stats_family(FILE *f, const struct report_data *d, const char *name, const char *unit,
                         const char *help, enum rd_metric m, double scale)
{
    static const char *const st[] = { "mean", "p50", "p95", "p99", "max" };
    int i, s;
    family(f, name, unit, help);
    for (i = 0; i < d->n; i++) {
        const struct rd_stats *x = &d->e[i].mode->stat[m];
        double v[5] = { x->mean, x->p50, x->p95, x->p99, x->max };
        if (x->count == 0)
            continue;
        for (s = 0; s < 5; s++)
            sample(f, name, &d->e[i], "stat", st[s], v[s] * scale);
    }
}

void report_write_metrics(FILE *f, const struct report_data *d)
{
    int i;
    stats_family(f, d, "isobench_start_latency_seconds", "seconds",
                 "Container start latency, create to ready.", RDM_START_MS, 1e-3);
    stats_family(f, d, "isobench_mem_pss_bytes", "bytes",
                 "Proportional set size of the processes of one container.", RDM_MEM_PSS, 1);
    stats_family(f, d, "isobench_mem_cgroup_bytes", "bytes",
                 "Memory charged to the container's cgroup.", RDM_MEM_CGROUP, 1);
    stats_family(f, d, "isobench_storage_bytes", "bytes",
                 "Disk space one container adds.", RDM_STORAGE, 1);
    stats_family(f, d, "isobench_idle_cpu_ratio", "ratio",
                 "CPU one idle container uses, as a share of one core.", RDM_IDLE_CPU, 1e-2);
    stats_family(f, d, "isobench_work_seconds", "seconds",
                 "Wall time of the fixed CPU workload inside a container.", RDM_WORK_NS, 1e-9);
    family(f, "isobench_marginal_mem_bytes", "bytes",
           "Host memory each additional container costs (least-squares slope) with its 95% CI.");
    for (i = 0; i < d->n; i++) {
        const struct rd_marginal *m = &d->e[i].mode->marginal;
        if (!m->has)
            continue;
        sample(f, "isobench_marginal_mem_bytes", &d->e[i], "stat", "slope", m->slope);
        sample(f, "isobench_marginal_mem_bytes", &d->e[i], "stat", "ci95_low", m->ci_low);
        sample(f, "isobench_marginal_mem_bytes", &d->e[i], "stat", "ci95_high", m->ci_high);
    }
    family(f, "isobench_containers", NULL, "Containers started in the run, by status.");
    for (i = 0; i < d->n; i++) {
        sample(f, "isobench_containers", &d->e[i], "status", "ok",
               (double)(d->e[i].mode->containers - d->e[i].mode->failed));
        sample(f, "isobench_containers", &d->e[i], "status", "failed", (double)d->e[i].mode->failed);
    }
    family(f, "isobench_capacity_containers", NULL,
           "Estimated containers per host on the run's host; label binding names the limit.");
    for (i = 0; i < d->n; i++)
        if (d->e[i].cap.ok)
            sample(f, "isobench_capacity_containers", &d->e[i], "binding",
                   cap_resource_name(d->e[i].cap.res.binding), d->e[i].cap.res.expected);
    fputs("# EOF\n", f);
}
