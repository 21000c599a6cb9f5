/*
 * cap_render.c - capacity rows as a text table, Markdown and JSON.
 *
 * Reads struct cap_row only (computed by capacity_rows()).
 */
#include "render.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *cap_fmt_count(double n, char *buf, size_t len)
{
    if (isinf(n) || isnan(n))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.0f", n);
    return buf;
}

static void notes(const struct cap_row *r, const struct cap_params *p, char *buf, size_t n)
{
    char mem[48];
    size_t used;
    buf[0] = '\0';
    if (r->in.mem_from_pss)
        snprintf(buf, n, "memory from mean PSS %s (%s)", rd_fmt_bytes(r->in.mem_bytes, mem, sizeof(mem)),
                 r->in.mem_note);
    else if (r->in.mem_note[0])
        snprintf(buf, n, "%s/ctr (%s)", rd_fmt_bytes(r->in.mem_bytes, mem, sizeof(mem)), r->in.mem_note);
    else
        snprintf(buf, n, "%s/ctr", rd_fmt_bytes(r->in.mem_bytes, mem, sizeof(mem)));
    used = strlen(buf);
    if (r->in.cpu_source[0] && strcmp(r->in.cpu_source, "idle_cpu_pct") != 0)
        snprintf(buf + used, n - used, "; cpu from %s", r->in.cpu_source);
    else if (!r->in.cpu_source[0])
        snprintf(buf + used, n - used, "; no cpu cost measured");
    used = strlen(buf);
    if (p->start_slo_ms > 0 && r->in.start_fit)
        snprintf(buf + used, n - used, "; start %s = %.1f + %.2f ms x fleet", r->in.start_stat,
                 r->in.start_a, r->in.start_b);
}

void capacity_print_table(FILE *f, const struct cap_row *rows, int nrows, const struct cap_params *p)
{
    int i;
    char rsv[32];
    fprintf(f, "containers per host (reserve %s memory, CPU target %.0f %%%s)\n",
            rd_fmt_bytes(p->reserve_mem_bytes, rsv, sizeof(rsv)), p->cpu_target * 100,
            p->start_slo_ms > 0 ? ", start SLO" : "");
    if (p->start_slo_ms > 0)
        fprintf(f, "start SLO: %.0f ms\n", p->start_slo_ms);
    fprintf(f, "%-16s %-10s %9s %17s %9s %9s %9s %9s  %-9s %s\n", "host", "mode", "expected",
            "low..high", "memory", "cpu", "storage", "start", "binding", "notes");
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        char a[24], b[24], c[24], d[24], g[24], h[24], k[24], lh[48], nt[256];
        if (!r->ok) {
            fprintf(f, "%-16s %-10s %9s %17s %9s %9s %9s %9s  %-9s %s\n", r->host->name, r->in.name,
                    "-", "-", "-", "-", "-", "-", "-", r->why);
            continue;
        }
        snprintf(lh, sizeof(lh), "%s..%s", cap_fmt_count(r->res.low, a, sizeof(a)),
                 cap_fmt_count(r->res.high, b, sizeof(b)));
        notes(r, p, nt, sizeof(nt));
        fprintf(f, "%-16s %-10s %9s %17s %9s %9s %9s %9s  %-9s %s\n", r->host->name, r->in.name,
                cap_fmt_count(r->res.expected, c, sizeof(c)), lh,
                cap_fmt_count(r->res.by_mem, d, sizeof(d)), cap_fmt_count(r->res.by_cpu, g, sizeof(g)),
                cap_fmt_count(r->res.by_storage, h, sizeof(h)),
                cap_fmt_count(r->res.by_start, k, sizeof(k)), cap_resource_name(r->res.binding), nt);
    }
}

void capacity_print_markdown(FILE *f, const struct cap_row *rows, int nrows, const struct cap_params *p)
{
    int i;
    char rsv[32];
    fprintf(f, "Containers per host (memory reserve %s, CPU target %.0f %%", 
            rd_fmt_bytes(p->reserve_mem_bytes, rsv, sizeof(rsv)), p->cpu_target * 100);
    if (p->start_slo_ms > 0)
        fprintf(f, ", start SLO %.0f ms", p->start_slo_ms);
    fprintf(f, "); `-` = that resource does not limit.\n\n");
    fprintf(f, "| host | mode | expected | low–high | by memory | by CPU | by storage | by start SLO | binding | notes |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        char a[24], b[24], c[24], d[24], g[24], h[24], k[24], nt[256];
        char host[400], mode[400], why[1200], snt[1200]; /* escaped: names come from files */
        rd_md_text(r->host->name, host, sizeof(host));
        rd_md_text(r->in.name, mode, sizeof(mode));
        if (!r->ok) {
            fprintf(f, "| %s | %s | - | - | - | - | - | - | - | %s |\n", host, mode,
                    rd_md_text(r->why, why, sizeof(why)));
            continue;
        }
        notes(r, p, nt, sizeof(nt));
        rd_md_text(nt, snt, sizeof(snt));
        fprintf(f, "| %s | %s | **%s** | %s–%s | %s | %s | %s | %s | %s | %s |\n", host,
                mode, cap_fmt_count(r->res.expected, c, sizeof(c)),
                cap_fmt_count(r->res.low, a, sizeof(a)), cap_fmt_count(r->res.high, b, sizeof(b)),
                cap_fmt_count(r->res.by_mem, d, sizeof(d)), cap_fmt_count(r->res.by_cpu, g, sizeof(g)),
                cap_fmt_count(r->res.by_storage, h, sizeof(h)),
                cap_fmt_count(r->res.by_start, k, sizeof(k)), cap_resource_name(r->res.binding), snt);
    }
}

static void add_count(cJSON *o, const char *key, double v)
{
    if (isinf(v) || isnan(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

static void add_num(cJSON *o, const char *key, double v)
{
    if (isnan(v) || isinf(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

cJSON *capacity_rows_json(const struct cap_row *rows, int nrows, const struct cap_params *p)
{
    cJSON *root = cJSON_CreateObject(), *arr, *par;
    int i;
    par = cJSON_AddObjectToObject(root, "params");
    cJSON_AddNumberToObject(par, "reserve_mem_bytes", p->reserve_mem_bytes);
    cJSON_AddNumberToObject(par, "cpu_target", p->cpu_target);
    add_num(par, "start_slo_ms", p->start_slo_ms > 0 ? p->start_slo_ms : NAN);
    arr = cJSON_AddArrayToObject(root, "rows");
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        cJSON *o = cJSON_CreateObject(), *in;
        cJSON_AddStringToObject(o, "host", r->host->name);
        cJSON_AddNumberToObject(o, "host_cores", r->host->cores);
        cJSON_AddNumberToObject(o, "host_mem_bytes", r->host->mem_bytes);
        add_num(o, "host_disk_free_bytes", r->host->disk_free_bytes);
        cJSON_AddNumberToObject(o, "host_cpu_speed", r->host->cpu_speed);
        cJSON_AddStringToObject(o, "mode", r->in.name);
        cJSON_AddBoolToObject(o, "ok", r->ok);
        if (!r->ok) {
            cJSON_AddStringToObject(o, "reason", r->why);
            cJSON_AddItemToArray(arr, o);
            continue;
        }
        add_count(o, "expected", r->res.expected);
        add_count(o, "low", r->res.low);
        add_count(o, "high", r->res.high);
        add_count(o, "by_memory", r->res.by_mem);
        add_count(o, "by_memory_low", r->res.by_mem_low);
        add_count(o, "by_memory_high", r->res.by_mem_high);
        add_count(o, "by_cpu", r->res.by_cpu);
        add_count(o, "by_storage", r->res.by_storage);
        add_count(o, "by_start_slo", r->res.by_start);
        cJSON_AddStringToObject(o, "binding", cap_resource_name(r->res.binding));
        in = cJSON_AddObjectToObject(o, "inputs");
        add_num(in, "mem_bytes_per_container", r->in.mem_bytes);
        add_num(in, "mem_bytes_ci95_low", r->in.mem_bytes_ci_low);
        add_num(in, "mem_bytes_ci95_high", r->in.mem_bytes_ci_high);
        add_num(in, "mem_fixed_bytes", r->in.mem_fixed_bytes);
        cJSON_AddStringToObject(in, "mem_source", r->in.mem_from_pss ? "mean_pss" : "marginal_slope");
        cJSON_AddStringToObject(in, "mem_note", r->in.mem_note);
        add_num(in, "cpu_cores_per_container", r->in.cpu_cores);
        cJSON_AddStringToObject(in, "cpu_source", r->in.cpu_source);
        add_num(in, "storage_bytes_per_container", r->in.storage_bytes);
        if (r->in.start_fit) {
            add_num(in, "start_fit_a_ms", r->in.start_a);
            add_num(in, "start_fit_b_ms_per_container", r->in.start_b);
            cJSON_AddStringToObject(in, "start_fit_stat", r->in.start_stat);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return root;
}
