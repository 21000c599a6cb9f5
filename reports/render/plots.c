/*
 * plots.c - the report's figures, built from struct report_data.
 *
 * Each builder only fills a struct plot_fig (title, axes with units, one
 * series or bar per mode in the mode's palette colour); plot.c draws it.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const fig_names[FIG_COUNT] = {
    "start_cdf", "start_vs_fleet", "memory_vs_containers", "cpu_over_time", "storage_per_container",
    "capacity", "density_memory", "density_tasks", "density_start",
};

const char *report_fig_name(enum report_fig k)
{
    return (k >= 0 && k < FIG_COUNT) ? fig_names[k] : "?";
}

/* Series of the second, third... run get other dash patterns: a mode keeps
   its colour, the run shows in the line. Series point into d's arrays, so
   the owning entry is found by its x array. */
static void set_dashes(const struct report_data *d, struct plot_fig *f)
{
    int i, k;
    for (i = 0; i < f->nseries; i++)
        for (k = 0; k < d->n; k++) {
            const struct rep_entry *x = &d->e[k];
            const double *p = f->series[i].x;
            if (p == x->start_sorted || p == x->start_fleet || p == x->fleet_x || p == x->ramp_x ||
                p == x->fit_x || p == x->cpu_s || p == x->curve_x || (p == x->d_x && p != NULL))
                f->series[i].dash = x->run_index;
        }
}

static void fig_start_cdf(const struct report_data *d, struct plot_fig *f)
{
    int i;
    plot_fig_init(f, "Container start latency (CDF)", "start latency (ms, log scale)",
                  "fraction of starts");
    f->xlog = 1;
    f->y_from_zero = 1;
    for (i = 0; i < d->n; i++)
        if (d->e[i].n_start > 0)
            plot_add_series(f, d->e[i].label, d->e[i].color, PLOT_STEP, d->e[i].start_sorted,
                            d->e[i].start_cdf, d->e[i].n_start);
    set_dashes(d, f);
}

static void fig_start_fleet(const struct report_data *d, struct plot_fig *f)
{
    int i;
    plot_fig_init(f, "Start latency vs fleet size", "containers in the fleet",
                  "start latency (ms, log scale)");
    f->ylog = 1;
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        if (x->n_start_pts == 0)
            continue;
        plot_add_series(f, "", x->color, PLOT_POINTS, x->start_fleet, x->start_all, x->n_start_pts);
        plot_add_series(f, x->label, x->color, PLOT_LINE, x->fleet_x, x->fleet_p50, x->n_fleet);
    }
    set_dashes(d, f);
    snprintf(f->footnote, sizeof(f->footnote), "dots: each container; line: median per fleet size");
}

static void fig_mem_ramp(const struct report_data *d, struct plot_fig *f)
{
    int i;
    plot_fig_init(f, "Host memory used vs containers running", "containers running",
                  "host memory above empty-host baseline (MiB)");
    f->y_from_zero = 1;
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        if (x->n_ramp > 0)
            plot_add_series(f, x->has_fit ? "" : x->label, x->color, PLOT_POINTS, x->ramp_x,
                            x->ramp_mib, x->n_ramp);
        if (x->n_curve > 0) {
            char label[96];
            snprintf(label, sizeof(label), "%s %s", x->label,
                     memfit_model_name((enum memfit_model)x->cap.res.mem_model));
            plot_add_series(f, label, x->color, PLOT_DASHED, x->curve_x, x->curve_mib, x->n_curve);
        } else if (x->has_fit) {
            char label[96];
            snprintf(label, sizeof(label), "%s %.1f MiB/ctr", x->label,
                     x->mode->marginal.slope / 1048576.0);
            plot_add_series(f, label, x->color, PLOT_DASHED, x->fit_x, x->fit_mib, 2);
        }
    }
    set_dashes(d, f);
    snprintf(f->footnote, sizeof(f->footnote),
             "dots: ramp levels (ramp.csv); dashed: the memory model capacity chose (AICc)");
}

static void fig_cpu_time(const struct report_data *d, struct plot_fig *f)
{
    int i;
    plot_fig_init(f, "Host CPU busy while each mode runs", "time since the mode's first sample (s)",
                  "host CPU busy (% of all cores)");
    f->y_from_zero = 1;
    for (i = 0; i < d->n; i++)
        if (d->e[i].n_cpu > 0)
            plot_add_series(f, d->e[i].label, d->e[i].color, PLOT_LINE, d->e[i].cpu_s,
                            d->e[i].cpu_pct, d->e[i].n_cpu);
    set_dashes(d, f);
}

static void fig_storage(const struct report_data *d, struct plot_fig *f)
{
    int i;
    plot_fig_init(f, "Storage per container", "mode", "storage per container (MiB, log scale)");
    f->ylog = 1;
    for (i = 0; i < d->n; i++) {
        char note[32];
        const struct rep_entry *x = &d->e[i];
        if (isnan(x->storage_mib))
            snprintf(note, sizeof(note), "n/a");
        else if (x->storage_mib < 1)
            snprintf(note, sizeof(note), "%.0f KiB", x->storage_mib * 1024);
        else
            snprintf(note, sizeof(note), "%.1f MiB", x->storage_mib);
        plot_add_bar(f, x->mode->name, d->nruns > 1 ? x->host_label : "", x->storage_mib,
                     NAN, NAN, x->color, note);
    }
}

static void fig_capacity(const struct report_data *d, struct plot_fig *f)
{
    int i;
    char title[128];
    snprintf(title, sizeof(title), "Containers per host (%s)",
             d->nruns == 1 ? rundir_host_name(&d->runs[0]) : "each run's own host");
    plot_fig_init(f, title, "mode (label: binding resource)", "containers per host (log scale)");
    f->ylog = 1;
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        char note[40];
        if (!x->cap.ok) {
            plot_add_bar(f, x->mode->name, d->nruns > 1 ? x->host_label : "", NAN, NAN, NAN,
                         x->color, x->mode->available ? "not measured" : "unavailable");
            continue;
        }
        snprintf(note, sizeof(note), "%.0f (%s)", x->cap.res.expected,
                 cap_resource_name(x->cap.res.binding));
        plot_add_bar(f, x->mode->name, d->nruns > 1 ? x->host_label : "",
                     x->cap.res.expected > 0 ? x->cap.res.expected : NAN,
                     x->cap.res.low, x->cap.res.high, x->color, note);
    }
    snprintf(f->footnote, sizeof(f->footnote), "whiskers: capacity from the marginal-memory 95%% CI");
}

int report_fig_wanted(const struct report_data *d, enum report_fig k)
{
    int i;
    if (k < FIG_DENSITY_MEM)
        return 1;
    for (i = 0; i < d->n; i++)
        if (d->e[i].n_d > 0)
            return 1;
    return 0;
}

/* Vertical marks: the measured ceiling (solid) and the predicted one (dotted),
   over figure `which`'s y range. */
static void ceiling_marks(const struct report_data *d, struct plot_fig *f, int which)
{
    int i;
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        char label[96];
        if (x->has_ceiling) {
            snprintf(label, sizeof(label), "%s ceiling %.0f (%s)", x->mode->name, x->cap.measured,
                     x->cap.measured_binding);
            plot_add_series(f, label, x->color, PLOT_LINE, x->ceil_x, x->mark_y[which], 2);
        }
        if (x->has_pred) {
            snprintf(label, sizeof(label), "%s predicted %.0f (%s)", x->mode->name, x->cap.res.expected,
                     cap_resource_name(x->cap.res.binding));
            plot_add_series(f, label, x->color, PLOT_DASHED, x->pred_x, x->mark_y[which], 2);
            f->series[f->nseries - 1].dash = 2;
        }
    }
}

static void fig_density(const struct report_data *d, struct plot_fig *f, enum report_fig k)
{
    int i;
    if (k == FIG_DENSITY_MEM)
        plot_fig_init(f, "Density fill: host memory in use", "containers running",
                      "host memory in use (MiB)");
    else if (k == FIG_DENSITY_TASKS)
        plot_fig_init(f, "Density fill: tasks in use (pid_max counts threads)", "containers running",
                      "tasks (threads) in use");
    else
        plot_fig_init(f, "Density fill: start latency per step", "containers running",
                      "start latency (ms, log scale)");
    f->ylog = k == FIG_DENSITY_START;
    for (i = 0; i < d->n; i++) {
        const struct rep_entry *x = &d->e[i];
        char label[96];
        if (x->n_d == 0)
            continue;
        if (k == FIG_DENSITY_MEM) {
            plot_add_series(f, x->label, x->color, PLOT_LINE, x->d_x, x->d_mem_mib, x->n_d);
            snprintf(label, sizeof(label), "%s kernel", x->label);
            plot_add_series(f, label, x->color, PLOT_DASHED, x->d_x, x->d_kern_mib, x->n_d);
            f->series[f->nseries - 1].dash = 1;
        } else if (k == FIG_DENSITY_TASKS) {
            plot_add_series(f, x->label, x->color, PLOT_LINE, x->d_x, x->d_tasks, x->n_d);
        } else {
            snprintf(label, sizeof(label), "%s p50", x->label);
            plot_add_series(f, label, x->color, PLOT_LINE, x->d_x, x->d_p50, x->n_d);
            snprintf(label, sizeof(label), "%s p99", x->label);
            plot_add_series(f, label, x->color, PLOT_DASHED, x->d_x, x->d_p99, x->n_d);
        }
    }
    ceiling_marks(d, f, (int)(k - FIG_DENSITY_MEM));
    snprintf(f->footnote, sizeof(f->footnote),
             "density.csv, one point per fill step; vertical: measured ceiling (solid), predicted (dashed)");
}

void report_fig_build(const struct report_data *d, enum report_fig k, struct plot_fig *f)
{
    switch (k) {
    case FIG_START_CDF: fig_start_cdf(d, f); break;
    case FIG_START_FLEET: fig_start_fleet(d, f); break;
    case FIG_MEM_RAMP: fig_mem_ramp(d, f); break;
    case FIG_CPU_TIME: fig_cpu_time(d, f); break;
    case FIG_STORAGE: fig_storage(d, f); break;
    case FIG_CAPACITY: fig_capacity(d, f); break;
    case FIG_DENSITY_MEM:
    case FIG_DENSITY_TASKS:
    case FIG_DENSITY_START: fig_density(d, f, k); break;
    default: plot_fig_init(f, "", "", ""); break;
    }
}
