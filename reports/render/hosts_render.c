/*
 * hosts_render.c - `isobench hosts` drawn: the side-by-side table with the
 * best host per mode, and the bar charts (containers per host, per GiB, per
 * core). The rows come from reports/model/hosts.c.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void hosts_print(FILE *f, const struct hosts_row *rows, int n, const struct hosts_prices *pr)
{
    int i, j, dens = 0;
    int prices = !isnan(pr->per_core) || !isnan(pr->per_gib);
    for (i = 0; i < n; i++)
        if (!isnan(rows[i].measured))
            dens = 1;
    fprintf(f, "%-16s %5s %9s %-10s %9s %-12s", "host", "cores", "memory", "mode", "per host", "binding");
    if (dens) /* isobench density runs: the measured ceiling next to the model */
        fprintf(f, " %9s %-12s", "measured", "bound by");
    fprintf(f, " %9s %9s%s\n", "per GiB", "per core", prices ? "     per $" : "");
    for (i = 0; i < n; i++) {
        const struct hosts_row *h = &rows[i];
        char mem[32], cnt[32];
        rd_fmt_bytes(h->host.mem_bytes, mem, sizeof(mem));
        if (h->run == NULL) {
            /* a host that left no usable run (hosts_add_failed) */
            fprintf(f, "%-16s %5s %9s %-10s %9s %-12s %s\n", h->host.name, "-", "-", "-", "-", "-",
                    h->cap.why);
            continue;
        }
        if (!h->cap.ok && isnan(h->measured)) {
            fprintf(f, "%-16s %5g %9s %-10s %9s %-12s %s\n", h->host.name, hosts_cores(&h->host), mem,
                    h->cap.in.name, "-", "-", h->cap.why);
            continue;
        }
        fprintf(f, "%-16s %5g %9s %-10s %9s %-12s", h->host.name, hosts_cores(&h->host), mem,
                h->cap.in.name, h->cap.ok ? cap_fmt_count(h->cap.res.expected, cnt, sizeof(cnt)) : "-",
                h->cap.ok ? cap_resource_name(h->cap.res.binding) : "-");
        if (dens && isnan(h->measured))
            fprintf(f, " %9s %-12s", "-", "-");
        else if (dens)
            fprintf(f, " %9.0f %-12s", h->measured, h->measured_binding);
        fprintf(f, " %9.2f %9.2f", h->per_gib, h->per_core);
        if (prices) {
            if (isnan(h->per_dollar))
                fprintf(f, " %9s", "-");
            else
                fprintf(f, " %9.2f", h->per_dollar);
        }
        if (!h->cap.ok)
            fprintf(f, "  (model: %s)", h->cap.why);
        fprintf(f, "\n");
    }
    /* the best host per mode */
    fprintf(f, "\n");
    for (i = 0; i < n; i++) {
        const struct hosts_row *best_gib = NULL, *best_core = NULL, *best_usd = NULL;
        int seen = 0;
        for (j = 0; j < i; j++)
            if (strcmp(rows[j].cap.in.name, rows[i].cap.in.name) == 0)
                seen = 1;
        if (seen)
            continue;
        for (j = i; j < n; j++) {
            const struct hosts_row *h = &rows[j];
            if (strcmp(h->cap.in.name, rows[i].cap.in.name) != 0 || isnan(h->per_gib))
                continue;
            if (best_gib == NULL || h->per_gib > best_gib->per_gib)
                best_gib = h;
            if (best_core == NULL || h->per_core > best_core->per_core)
                best_core = h;
            if (!isnan(h->per_dollar) && (best_usd == NULL || h->per_dollar > best_usd->per_dollar))
                best_usd = h;
        }
        if (best_gib == NULL)
            continue;
        fprintf(f, "%s: most containers per GiB on %s (%.2f), per core on %s (%.2f)", rows[i].cap.in.name,
                best_gib->host.name, best_gib->per_gib, best_core->host.name, best_core->per_core);
        if (best_usd != NULL)
            fprintf(f, ", per dollar on %s (%.2f)", best_usd->host.name, best_usd->per_dollar);
        fprintf(f, "\n");
    }
}

void hosts_fig_build(const struct hosts_row *rows, int n, int which, struct plot_fig *f)
{
    static const char *const titles[] = { "Containers per host", "Containers per GiB of host memory",
                                          "Containers per host core" };
    static const char *const ylabels[] = { "containers per host (log scale)",
                                           "containers per GiB (log scale)",
                                           "containers per core (log scale)" };
    int i, j;
    plot_fig_init(f, titles[which], "mode, host", ylabels[which]);
    f->ylog = 1;
    for (i = 0; i < n; i++) {
        const struct hosts_row *h = &rows[i];
        double v = NAN;
        char note[48] = "";
        int meas = !isnan(h->measured); /* a density run: its measured ceiling */
        if (h->cap.ok || meas)
            v = which == 0 ? (meas ? h->measured : h->cap.res.expected) : which == 1 ? h->per_gib : h->per_core;
        if (!isnan(v) && isfinite(v))
            snprintf(note, sizeof(note), "%.*f (%s%s)", which == 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2, v,
                     meas ? "measured, " : "", meas ? h->measured_binding : cap_resource_name(h->cap.res.binding));
        if (h->run == NULL)
            snprintf(note, sizeof(note), "host failed");
        plot_add_bar(f, h->run == NULL ? "failed" : h->cap.in.name, h->host.name, v > 0 ? v : NAN,
                     NAN, NAN, h->color, note);
    }
    for (i = 0; i < n; i++) {
        int seen = rows[i].run == NULL;
        for (j = 0; j < i; j++)
            if (rows[j].run != NULL && rows[j].color == rows[i].color)
                seen = 1;
        if (!seen)
            plot_add_legend(f, rows[i].cap.in.name, rows[i].color);
    }
    snprintf(f->footnote, sizeof(f->footnote), "above each bar: %s (binding resource)",
             which == 0 ? "containers" : "value");
}

void hosts_print_fingerprints(FILE *f, const struct hosts_fp *fps, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        const struct hosts_fp *x = &fps[i];
        char mem[32];
        fprintf(f, "%s: %s, %d cores, %s, kernel %s%s%s\n", x->name, x->cpu, x->cores,
                rd_fmt_bytes(x->mem_bytes, mem, sizeof(mem)), x->kernel, x->os[0] ? ", " : "", x->os);
        if (x->budget[0])
            fprintf(f, "    budget: %s\n", x->budget);
        fprintf(f, "    runtimes: %s\n", x->runtimes[0] ? x->runtimes : "none available");
    }
    fprintf(f, "\n");
}
