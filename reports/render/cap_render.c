/*
 * cap_render.c - capacity rows as a text table, Markdown and JSON.
 *
 * Reads struct cap_row only (computed by capacity_rows()).
 */
#include "render.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cap_fmt_count(double n, char *buf, size_t len)
{
    if (isinf(n) || isnan(n))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.0f", n);
    return buf;
}

/* The memory column: the count, "<=N" when only bounded. */
const char *cap_mem_cell(const struct cap_row *r, char *buf, size_t n)
{
    char c[24];
    if (r->in.mem_unresolved)
        snprintf(buf, n, "<=%s", cap_fmt_count(r->res.by_mem_high, c, sizeof(c)));
    else
        cap_fmt_count(r->res.by_mem, buf, n);
    return buf;
}

/* Tasks: the smallest of pid_max, threads-max and the cgroup's pids.max. */
static double tasks_limit(const struct cap_result *res)
{
    return fmin(res->by[CAP_PIDS], fmin(res->by[CAP_THREADS], res->by[CAP_CGROUP_PIDS]));
}

void cap_row_notes(const struct cap_row *r, const struct cap_params *p, char *buf, size_t n)
{
    char mem[48], lo[24], hi[24];
    size_t used;
    const struct cap_mode_input *in = &r->in;
    buf[0] = '\0';
    if (in->mem_unresolved)
        snprintf(buf, n, "memory not resolved (%s): %s..%s ctrs", in->mem_note,
                 cap_fmt_count(r->res.by_mem_low, lo, sizeof(lo)),
                 cap_fmt_count(r->res.by_mem_high, hi, sizeof(hi)));
    else if (r->res.floor_binds)
        snprintf(buf, n, "%s fit of kernel memory + PSS (the floor; host memory's %s fit allows more), "
                 "%s/ctr at %.0f", memfit_model_name((enum memfit_model)r->res.floor_model),
                 memfit_model_name((enum memfit_model)r->res.mem_model),
                 rd_fmt_bytes(memfit_marginal(&in->floor_fit, r->res.floor_model, in->floor_fit.xmax), mem,
                              sizeof(mem)), in->floor_fit.xmax);
    else if (in->has_fit && r->res.mem_model >= 0)
        snprintf(buf, n, "%s fit of %s%s, %s/ctr at %.0f",
                 memfit_model_name((enum memfit_model)r->res.mem_model), in->mem_series,
                 in->fit.scored ? "" : " (too few points to compare models)",
                 rd_fmt_bytes(memfit_marginal(&in->fit, r->res.mem_model, in->fit.xmax), mem, sizeof(mem)),
                 in->fit.xmax);
    else
        snprintf(buf, n, "%s/ctr%s%s%s", rd_fmt_bytes(in->mem_bytes, mem, sizeof(mem)),
                 in->mem_note[0] ? " (" : "", in->mem_note, in->mem_note[0] ? ")" : "");
    used = strlen(buf);
    snprintf(buf + used, n - used, "; %.3g tasks/ctr%s", in->pids,
             strncmp(in->pids_source, "floor", 5) == 0 ? " (floor)" : "");
    used = strlen(buf);
    if (r->res.mem_may_bind && r->res.binding != CAP_MEMORY)
        snprintf(buf + used, n - used, "; memory may bind first");
    used = strlen(buf);
    if (in->cpu_source[0] && strcmp(in->cpu_source, "idle_cpu_pct") != 0)
        snprintf(buf + used, n - used, "; cpu from %s", in->cpu_source);
    else if (!in->cpu_source[0])
        snprintf(buf + used, n - used, "; no cpu cost measured");
    used = strlen(buf);
    if (p->start_slo_ms > 0 && in->start_fit)
        snprintf(buf + used, n - used, "; start %s = %.1f + %.2f ms x fleet", in->start_stat,
                 in->start_a, in->start_b);
}

static void reserve_text(const struct cap_params *p, char *buf, size_t n)
{
    char rsv[32];
    if (p->reserve_set)
        snprintf(buf, n, "reserve %s memory", rd_fmt_bytes(p->reserve_mem_bytes, rsv, sizeof(rsv)));
    else
        snprintf(buf, n, "reserve max(2 GiB, 10 %%) of memory, 5 %% of a budget");
}

static const char *headroom_text(const struct cap_params *p, char *buf, size_t n)
{
    if (p->pid_margin >= 0)
        snprintf(buf, n, "%.0f tasks kept free of pid_max, other kernel limits less %s", p->pid_margin,
                 p->headroom >= 0 ? "the headroom" : "the density guards' margins");
    else if (p->headroom >= 0)
        snprintf(buf, n, "%.0f %% headroom on kernel limits", p->headroom * 100);
    else
        snprintf(buf, n, "kernel limits less the density guards' margins");
    return buf;
}

void capacity_print_table(FILE *f, const struct cap_row *rows, int nrows, const struct cap_params *p)
{
    int i;
    char rsv[96], hr[96];
    reserve_text(p, rsv, sizeof(rsv));
    fprintf(f, "containers per host (%s, CPU target %.0f %%, %s%s)\n", rsv, p->cpu_target * 100,
            headroom_text(p, hr, sizeof(hr)), p->start_slo_ms > 0 ? ", start SLO" : "");
    if (p->start_slo_ms > 0)
        fprintf(f, "start SLO: %.0f ms\n", p->start_slo_ms);
    fprintf(f, "%-22s %-10s %9s %17s %9s %9s %9s %9s %9s  %-11s %s\n", "host", "mode", "expected",
            "low..high", "memory", "tasks", "cpu", "storage", "start", "binding", "notes");
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        char a[24], b[24], c[24], d[24], t[24], g[24], h[24], k[24], lh[48], nt[512];
        if (!r->ok) {
            fprintf(f, "%-22s %-10s %9s %17s %9s %9s %9s %9s %9s  %-11s %s\n", r->host->name, r->in.name,
                    "-", "-", "-", "-", "-", "-", "-", "-", r->why);
            continue;
        }
        snprintf(lh, sizeof(lh), "%s..%s", cap_fmt_count(r->res.low, a, sizeof(a)),
                 cap_fmt_count(r->res.high, b, sizeof(b)));
        cap_row_notes(r, p, nt, sizeof(nt));
        fprintf(f, "%-22s %-10s %9s %17s %9s %9s %9s %9s %9s  %-11s %s\n", r->host->name, r->in.name,
                cap_fmt_count(r->res.expected, c, sizeof(c)), lh, cap_mem_cell(r, d, sizeof(d)),
                cap_fmt_count(tasks_limit(&r->res), t, sizeof(t)),
                cap_fmt_count(r->res.by_cpu, g, sizeof(g)), cap_fmt_count(r->res.by_storage, h, sizeof(h)),
                cap_fmt_count(r->res.by_start, k, sizeof(k)), cap_resource_name(r->res.binding), nt);
    }
}

void capacity_print_markdown(FILE *f, const struct cap_row *rows, int nrows, const struct cap_params *p)
{
    int i;
    char rsv[96], hr[96];
    reserve_text(p, rsv, sizeof(rsv));
    fprintf(f, "Containers per host (%s, CPU target %.0f %%, %s", rsv, p->cpu_target * 100,
            headroom_text(p, hr, sizeof(hr)));
    if (p->start_slo_ms > 0)
        fprintf(f, ", start SLO %.0f ms", p->start_slo_ms);
    fprintf(f, "); `-` = that resource does not limit, `<=N`: memory gives a bound only.\n\n");
    fprintf(f, "| host | mode | expected | low–high | by memory | by tasks | by CPU | by storage | by start SLO | binding | notes |\n");
    fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        char a[24], b[24], c[24], d[24], t[24], g[24], h[24], k[24], nt[512];
        char host[400], mode[400], why[1200], snt[1600]; /* escaped: names come from files */
        rd_md_text(r->host->name, host, sizeof(host));
        rd_md_text(r->in.name, mode, sizeof(mode));
        if (!r->ok) {
            fprintf(f, "| %s | %s | - | - | - | - | - | - | - | - | %s |\n", host, mode,
                    rd_md_text(r->why, why, sizeof(why)));
            continue;
        }
        cap_row_notes(r, p, nt, sizeof(nt));
        rd_md_text(nt, snt, sizeof(snt));
        fprintf(f, "| %s | %s | **%s** | %s–%s | %s | %s | %s | %s | %s | %s | %s |\n", host,
                mode, cap_fmt_count(r->res.expected, c, sizeof(c)),
                cap_fmt_count(r->res.low, a, sizeof(a)), cap_fmt_count(r->res.high, b, sizeof(b)),
                cap_mem_cell(r, d, sizeof(d)), cap_fmt_count(tasks_limit(&r->res), t, sizeof(t)),
                cap_fmt_count(r->res.by_cpu, g, sizeof(g)),
                cap_fmt_count(r->res.by_storage, h, sizeof(h)),
                cap_fmt_count(r->res.by_start, k, sizeof(k)), cap_resource_name(r->res.binding), snt);
    }
}

/* One fit's models (AICc, or why not a candidate; * the one used), the rule's
   override, and the memory limit under each. */
static void print_fit(FILE *f, const struct memfit *fit, int used, double avail)
{
    int k;
    for (k = 0; k < MF_NMODELS; k++) {
        const struct memfit_one *o = &fit->m[k];
        fprintf(f, " %s%s ", k == used ? "*" : "", memfit_model_name((enum memfit_model)k));
        if (k == fit->chosen && !fit->scored)
            fprintf(f, "(the only model 3-4 points can fit)");
        else if (!o->ok)
            fprintf(f, "(not fitted)");
        else if (o->candidate)
            fprintf(f, "AICc %.1f", o->aicc);
        else
            fprintf(f, "(%s)", o->why);
        if (k < MF_NMODELS - 1)
            fputc(';', f);
    }
    fputc('\n', f);
    if (used >= 0 && used != fit->chosen)
        fprintf(f, "    %s has the smallest AICc; %s is within %.2f of it (not ruled out) "
                "and predicts fewer containers: it is used\n",
                memfit_model_name((enum memfit_model)fit->chosen),
                memfit_model_name((enum memfit_model)used), MEMFIT_AICC_SUPPORT);
    /* what each model would predict: how much the choice matters */
    fprintf(f, "    memory limit under each model:");
    for (k = 0; k < MF_NMODELS; k++) {
        double ex, lo, hi;
        char c1[24];
        if (!fit->m[k].ok || fit->m[k].why[0] != '\0' || memfit_solve(fit, k, avail, 1e9, &ex, &lo, &hi) < 0)
            continue;
        fprintf(f, " %s %s", memfit_model_name((enum memfit_model)k), cap_fmt_count(ex, c1, sizeof(c1)));
    }
    fputc('\n', f);
}

/* How the curves treated free slab objects (capacity.h, slab_state); host
   memory only: a budget's own memory is charged per object. */
static void print_slab(FILE *f, const struct cap_mode_input *in)
{
    char b1[32], b2[32];
    if (!in->has_fit || strncmp(in->mem_series, "budget", 6) == 0)
        return;
    if (in->slab_state == 2)
        fprintf(f, "    slab reuse: each level counts the free slab objects it reused since the ramp's start as "
                "cost (%s at the largest fleet; %s free at the start); given back once: the curves are inverted "
                "at the memory available + %s\n", rd_fmt_bytes(in->slab_bonus_bytes, b1, sizeof(b1)),
                rd_fmt_bytes(in->slab_free_start_bytes, b2, sizeof(b2)),
                rd_fmt_bytes(in->slab_bonus_bytes, b1, sizeof(b1)));
    else
        fprintf(f, "    slab reuse: %s (ramp.csv slab columns %s): the curves are host memory as measured\n",
                in->slab_state == 1 ? "/proc/slabinfo was not readable" : "not recorded",
                in->slab_state == 1 ? "empty" : "absent: a run before 30 November 2026");
    if (!isnan(in->pcp_adjust_bytes))
        fprintf(f, "    per-CPU free pages: left out of host memory in use; MemAvailable at the start and the "
                "fill's guard count them: %s%s (at the start less at the largest fleet) added to the memory "
                "available\n", in->pcp_adjust_bytes < 0 ? "-" : "",
                rd_fmt_bytes(fabs(in->pcp_adjust_bytes), b1, sizeof(b1)));
}

void capacity_print_models(FILE *f, const struct cap_row *rows, int nrows)
{
    int i;
    fprintf(f, "memory models (every model the ramp cannot rule out, within %.2f AICc of the smallest "
               "(evidence ratio < 8), and of those the one predicting the fewest containers; 95 %% "
               "prediction band gives low..high):\n", MEMFIT_AICC_SUPPORT);
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        const struct cap_mode_input *in = &r->in;
        char b1[32], b2[32], b3[32], b4[32], b5[32];
        if (!r->ok || (i > 0 && strcmp(rows[i - 1].in.name, in->name) == 0 && rows[i - 1].ok))
            continue; /* one block per mode */
        fprintf(f, "  %s: ", in->name);
        if (in->has_fit) {
            double avail = capacity_curve_avail(in, r->res.avail[CAP_MEMORY]);
            fprintf(f, "%s over %zu points up to %.0f containers:", in->mem_series, in->fit.n, in->fit.xmax);
            print_fit(f, &in->fit, r->res.mem_model, avail);
            if (in->has_floor_fit) {
                fprintf(f, "    floor (kernel memory above the start + PSS%s) over %zu points:",
                        in->slab_state == 2 ? " + reused slab" : "", in->floor_fit.n);
                print_fit(f, &in->floor_fit, r->res.floor_model, avail);
                fprintf(f, "    the floor %s\n", r->res.floor_binds ? "allows fewer containers than host memory's "
                        "curve: it is the memory limit" : "allows more: host memory's curve is the limit");
            }
        } else {
            fprintf(f, "no ramp curve (%s)\n", in->mem_note);
        }
        print_slab(f, in);
        fprintf(f, "    per container: marginal %s/ctr at the largest fleet, line %s [%s, %s]; kernel %s/ctr",
                in->mem_unresolved ? "n/a" : rd_fmt_bytes(in->mem_bytes, b1, sizeof(b1)),
                rd_fmt_bytes(in->has_fit ? in->fit.m[MF_LINEAR].p[1] / in->fit.xmax : in->mem_bytes, b2, sizeof(b2)),
                rd_fmt_bytes(in->mem_bytes_ci_low, b3, sizeof(b3)),
                rd_fmt_bytes(in->mem_bytes_ci_high, b4, sizeof(b4)),
                rd_fmt_bytes(in->kernel_bytes, b5, sizeof(b5)));
        if (!isnan(in->kernel_ci_low))
            fprintf(f, " [%s, %s]", rd_fmt_bytes(in->kernel_ci_low, b2, sizeof(b2)),
                    rd_fmt_bytes(in->kernel_ci_high, b3, sizeof(b3)));
        fprintf(f, ", PSS %s/ctr (user memory only, not the cost)\n",
                rd_fmt_bytes(in->pss_bytes, b4, sizeof(b4)));
        if (in->mem_unresolved)
            fprintf(f, "    not resolved: %s; bounds %.0f..%s containers (floor cost PSS + kernel = %s)\n",
                    in->mem_note, r->res.by_mem_low, cap_fmt_count(r->res.by_mem_high, b1, sizeof(b1)),
                    rd_fmt_bytes(in->mem_floor_bytes, b2, sizeof(b2)));
        fprintf(f, "    tasks %.3g/ctr (%s)", in->pids, in->pids_source);
        if (!isnan(in->launch_tasks))
            fprintf(f, " + %.0f while launching (the budget's pids.peak above pids.current in the ramp, "
                    "kept free of its pids.max)", in->launch_tasks);
        if (!isnan(in->fds))
            fprintf(f, ", fds %.3g/ctr", in->fds);
        if (!isnan(in->mounts))
            fprintf(f, ", mounts %.3g/ctr", in->mounts);
        fputc('\n', f);
    }
}

void capacity_print_measured(FILE *f, const struct cap_row *rows, int nrows, int markdown)
{
    int i, any = 0;
    for (i = 0; i < nrows; i++)
        any |= !isnan(rows[i].measured);
    if (!any)
        return;
    if (markdown) {
        fprintf(f, "\n| mode | predicted | binding (predicted) | measured ceiling | binding (measured) | error |\n");
        fprintf(f, "|---|---:|---|---:|---|---:|\n");
    } else {
        fprintf(f, "predicted vs measured (density.json):\n");
        fprintf(f, "  %-10s %9s %-12s %9s %-12s %8s\n", "mode", "predicted", "binding", "measured",
                "binding", "error");
    }
    for (i = 0; i < nrows; i++) {
        const struct cap_row *r = &rows[i];
        char c[24], m[24];
        if (isnan(r->measured))
            continue;
        if (markdown)
            fprintf(f, "| %s | %s | %s | %s | %s%s | %+.1f %% |\n", r->in.name,
                    cap_fmt_count(r->res.expected, c, sizeof(c)), cap_resource_name(r->res.binding),
                    cap_fmt_count(r->measured, m, sizeof(m)), r->measured_binding,
                    r->same_binding ? "" : " (differs)", r->error_pct);
        else
            fprintf(f, "  %-10s %9s %-12s %9s %-12s %+7.1f%%%s\n", r->in.name,
                    cap_fmt_count(r->res.expected, c, sizeof(c)), cap_resource_name(r->res.binding),
                    cap_fmt_count(r->measured, m, sizeof(m)), r->measured_binding, r->error_pct,
                    r->same_binding ? "" : "  binding differs");
    }
}

int capacity_print_run(FILE *f, const struct rundir *r, const struct rundir *dens,
                       const struct cap_params *p, struct err *e)
{
    struct cap_host own;
    struct cap_row *rows = NULL;
    int nrows = 0;
    capacity_host_from_run(r, &own);
    if (own.cores <= 0 || !(own.mem_bytes > 0))
        return err_set(e, EINVAL, "%s/run.json: host cores or mem_total_bytes missing; pass --hosts",
                       r->path);
    if (capacity_rows(r, &own, 1, p, &rows, &nrows, e) < 0)
        return -1;
    capacity_rows_measured(rows, nrows, dens != NULL ? dens : r);
    fprintf(f, "run %s (%s)%s\n", r->run_id, r->path, own.budget ? ": the budget is the host" : "");
    capacity_print_table(f, rows, nrows, p);
    capacity_print_models(f, rows, nrows);
    capacity_print_measured(f, rows, nrows, 0);
    free(rows);
    return 0;
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
        cJSON_AddBoolToObject(o, "memory_resolved", !r->in.mem_unresolved);
        cJSON_AddBoolToObject(o, "memory_may_bind", r->res.mem_may_bind);
        {
            cJSON *lim = cJSON_AddObjectToObject(o, "limits"), *av = cJSON_AddObjectToObject(o, "available");
            int k;
            for (k = CAP_NONE + 1; k < CAP_NRES; k++) {
                add_count(lim, cap_resource_name((enum cap_resource)k), r->res.by[k]);
                add_num(av, cap_resource_name((enum cap_resource)k), r->res.avail[k]);
            }
        }
        if (!isnan(r->measured)) {
            cJSON *ms = cJSON_AddObjectToObject(o, "measured");
            cJSON_AddNumberToObject(ms, "ceiling", r->measured);
            cJSON_AddStringToObject(ms, "binding", r->measured_binding);
            add_num(ms, "error_pct", r->error_pct);
            cJSON_AddBoolToObject(ms, "same_binding", r->same_binding);
        }
        in = cJSON_AddObjectToObject(o, "inputs");
        add_num(in, "mem_bytes_per_container", r->in.mem_bytes);
        add_num(in, "mem_bytes_ci95_low", r->in.mem_bytes_ci_low);
        add_num(in, "mem_bytes_ci95_high", r->in.mem_bytes_ci_high);
        add_num(in, "mem_fixed_bytes", r->in.mem_fixed_bytes);
        cJSON_AddStringToObject(in, "mem_series", r->in.mem_series ? r->in.mem_series : "");
        cJSON_AddStringToObject(in, "mem_model", r->in.has_fit && r->res.mem_model >= 0
                                    ? memfit_model_name((enum memfit_model)r->res.mem_model) : "");
        cJSON_AddStringToObject(in, "mem_model_min_aicc", r->in.has_fit && r->in.fit.chosen >= 0
                                    ? memfit_model_name((enum memfit_model)r->in.fit.chosen) : "");
        if (r->in.has_fit) {
            cJSON *aic = cJSON_AddObjectToObject(in, "mem_aicc");
            int k;
            for (k = 0; k < MF_NMODELS; k++)
                add_num(aic, memfit_model_name((enum memfit_model)k),
                        r->in.fit.m[k].candidate ? r->in.fit.m[k].aicc : NAN);
            cJSON_AddStringToObject(in, "mem_criterion", "AICc; within 2 ln 8 = 4.16 of the smallest (evidence ratio < 8): the fewest containers");
            cJSON_AddStringToObject(in, "mem_floor_model", r->in.has_floor_fit && r->res.floor_model >= 0
                                        ? memfit_model_name((enum memfit_model)r->res.floor_model) : "");
            add_num(in, "mem_floor_limit", r->res.by_floor);
            cJSON_AddBoolToObject(in, "mem_floor_binds", r->res.floor_binds);
        }
        cJSON_AddStringToObject(in, "slab_reuse", capacity_slab_state_name(r->in.slab_state));
        add_num(in, "slab_bonus_bytes", r->in.slab_bonus_bytes);
        add_num(in, "slab_free_start_bytes", r->in.slab_free_start_bytes);
        add_num(in, "pcp_adjust_bytes", r->in.pcp_adjust_bytes);
        cJSON_AddStringToObject(in, "mem_note", r->in.mem_note);
        add_num(in, "mem_floor_bytes", r->in.mem_floor_bytes);
        add_num(in, "pss_bytes_per_container", r->in.pss_bytes);
        add_num(in, "kernel_bytes_per_container", r->in.kernel_bytes);
        add_num(in, "kernel_bytes_ci95_low", r->in.kernel_ci_low);
        add_num(in, "kernel_bytes_ci95_high", r->in.kernel_ci_high);
        add_num(in, "tasks_per_container", r->in.pids);
        add_num(in, "launch_tasks", r->in.launch_tasks);
        cJSON_AddStringToObject(in, "tasks_source", r->in.pids_source ? r->in.pids_source : "");
        add_num(in, "fds_per_container", r->in.fds);
        add_num(in, "mounts_per_container", r->in.mounts);
        add_num(in, "commit_bytes_per_container", r->in.commit_bytes);
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
