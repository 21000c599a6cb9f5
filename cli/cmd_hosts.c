/*
 * cmd_hosts.c - `isobench hosts RUN_DIR... [--out DIR] [--price-per-core X]
 * [--price-per-gib Y]`: runs of one scenario from different hosts, side by
 * side; with --out, figures (PNG + SVG) too. Each host's fingerprint comes
 * first. A RUN_DIR holding host-failed.json (written by scripts/fleet for a
 * host that was unreachable or whose run failed), or a run that did not
 * complete, is a failed host: it is listed with its reason and the others
 * still count.
 */
#include "commands.h"
#include "input.h"
#include "render.h"
#include "plat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: isobench hosts RUN_DIR RUN_DIR... [--out DIR] [--price-per-core X] "
                    "[--price-per-gib Y] [--reserve-mem SIZE] [--cpu-target F]\n");
    return 2;
}

static int price(const char *v, double *out)
{
    return (input_double(v, out) < 0 || *out < 0) ? -1 : 0;
}

int cmd_hosts(int argc, char **argv)
{
    struct rundir *runs;
    struct hosts_row *rows = NULL;
    struct hosts_fp *fps = NULL;
    struct failed { char name[128], reason[512]; } *failed = NULL;
    int nfailed = 0;
    struct hosts_prices pr = { NAN, NAN };
    struct cap_params p;
    struct err e;
    const char *out = NULL;
    int i, nruns = 0, nrows = 0, rc = 2;

    capacity_default_params(&p);
    err_clear(&e);
    runs = calloc((size_t)(argc > 1 ? argc : 1), sizeof(*runs));
    failed = calloc((size_t)(argc > 1 ? argc : 1), sizeof(*failed));
    fps = calloc((size_t)(argc > 1 ? argc : 1), sizeof(*fps));
    if (runs == NULL || failed == NULL || fps == NULL) {
        free(runs);
        free(failed);
        free(fps);
        return 1;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = cap_parse_option(a, v, &p, &e);
        if (used < 0) {
            fprintf(stderr, "isobench hosts: %s\n", e.msg);
            goto usage;
        } else if (used > 0) {
            i++;
        } else if (strcmp(a, "--out") == 0 && v) {
            out = v;
            i++;
        } else if (strcmp(a, "--price-per-core") == 0 && v) {
            if (price(v, &pr.per_core) < 0)
                goto usage;
            i++;
        } else if (strcmp(a, "--price-per-gib") == 0 && v) {
            if (price(v, &pr.per_gib) < 0)
                goto usage;
            i++;
        } else if (a[0] == '-') {
            goto usage;
        } else {
            struct failed *fl = &failed[nfailed];
            int k = rundir_failed_host(a, fl->name, sizeof(fl->name), fl->reason, sizeof(fl->reason), &e);
            if (k < 0) {
                fprintf(stderr, "isobench hosts: %s\n", e.msg);
                goto out;
            }
            if (k > 0) {
                nfailed++;
                continue;
            }
            if (rundir_load(a, RD_CONTAINERS | RD_RAMP, &runs[nruns], &e) < 0) {
                fprintf(stderr, "isobench hosts: %s\n", e.msg);
                goto out;
            }
            if (hosts_run_failed(&runs[nruns], fl->reason, sizeof(fl->reason))) {
                snprintf(fl->name, sizeof(fl->name), "%s", rundir_host_name(&runs[nruns]));
                rundir_free(&runs[nruns]);
                nfailed++;
                continue;
            }
            nruns++;
        }
    }
    if (nruns + nfailed < 1)
        goto usage;
    if (nruns < 1) {
        for (i = 0; i < nfailed; i++)
            fprintf(stderr, "isobench hosts: %s: host failed: %s\n", failed[i].name, failed[i].reason);
        fprintf(stderr, "isobench hosts: no host left a usable run\n");
        rc = 1;
        goto out;
    }
    if (hosts_check_scenarios(runs, nruns, &e) < 0) {
        fprintf(stderr, "isobench hosts: %s\n", e.msg);
        goto out;
    }
    if (hosts_rows(runs, nruns, &p, &pr, &rows, &nrows, &e) < 0) {
        fprintf(stderr, "isobench hosts: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    for (i = 0; i < nfailed; i++)
        if (hosts_add_failed(&rows, &nrows, failed[i].name, failed[i].reason, &e) < 0) {
            fprintf(stderr, "isobench hosts: %s\n", e.msg);
            rc = 1;
            goto out;
        }
    for (i = 0; i < nruns; i++)
        hosts_fingerprint(&runs[i], &fps[i]);
    hosts_print_fingerprints(stdout, fps, nruns);
    hosts_print(stdout, rows, nrows, &pr);
    if (out != NULL && !plot_supported()) {
        fprintf(stderr, "isobench hosts: --out: this build cannot draw (no GNU libplot)\n");
        rc = 1;
        goto out;
    }
    if (out != NULL) {
        static const char *const names[] = { "hosts_capacity", "hosts_per_gib", "hosts_per_core" };
        struct plot_fig *fig = malloc(sizeof(*fig));
        int k;
        if (fig == NULL || plat_mkdir_p(out, &e) < 0) {
            fprintf(stderr, "isobench hosts: %s\n", fig ? e.msg : "out of memory");
            free(fig);
            rc = 1;
            goto out;
        }
        for (k = 0; k < 3; k++) {
            hosts_fig_build(rows, nrows, k, fig);
            if (plot_render_both(fig, out, names[k], &e) < 0) {
                fprintf(stderr, "isobench hosts: %s\n", e.msg);
                free(fig);
                rc = 1;
                goto out;
            }
        }
        free(fig);
        printf("figures in %s\n", out);
    }
    rc = 0;
    goto out;
usage:
    rc = usage();
out:
    free(rows);
    free(fps);
    free(failed);
    for (i = 0; i < nruns; i++)
        rundir_free(&runs[i]);
    free(runs);
    return rc;
}
