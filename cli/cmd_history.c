/*
 * cmd_history.c - `isobench history RUN_DIR... [--out DIR] [--min-size N]
 * [--permutations N] [--alpha P] [--markdown]`: runs of one scenario over
 * time, grouped by host fingerprint; prints which run introduced each step
 * change of each mode x metric and by how much (e-divisive means with a
 * permutation test), and with --out draws one figure per metric with the
 * change points marked. Exit 0 (also when there are steps), 2 on usage or
 * input errors.
 */
#include "commands.h"
#include "input.h"
#include "plat.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: isobench history RUN_DIR... [--out DIR] [--min-size 3] [--permutations 199] "
                    "[--alpha 0.05] [--markdown]\n");
    return 2;
}

int cmd_history(int argc, char **argv)
{
    struct hist_opts o;
    struct rundir *runs;
    struct hist_group *g = NULL;
    struct err e;
    const char *out = NULL;
    int i, n = 0, ng = 0, rc = 2, md = 0;

    history_default_opts(&o);
    err_clear(&e);
    runs = calloc((size_t)argc + 1, sizeof(*runs));
    if (runs == NULL)
        return 2;
    for (i = 1; i < argc; i++) {
        const char *x = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long l;
        if (strcmp(x, "--markdown") == 0) {
            md = 1;
        } else if (strcmp(x, "--out") == 0 && v) {
            out = v;
            i++;
        } else if (strcmp(x, "--min-size") == 0 && v) {
            if (input_long(v, 2, 1000, &l) < 0) {
                fprintf(stderr, "isobench history: --min-size: '%s' is not an integer from 2 to 1000\n", v);
                goto out;
            }
            o.min_size = (size_t)l;
            i++;
        } else if (strcmp(x, "--permutations") == 0 && v) {
            if (input_long(v, 19, 100000, &l) < 0) {
                fprintf(stderr, "isobench history: --permutations: '%s' is not an integer from 19 to 100000\n", v);
                goto out;
            }
            o.permutations = (int)l;
            i++;
        } else if (strcmp(x, "--alpha") == 0 && v) {
            if (input_double(v, &o.sig_level) < 0 || !(o.sig_level > 0 && o.sig_level < 1)) {
                fprintf(stderr, "isobench history: --alpha: '%s' is not in (0, 1)\n", v);
                goto out;
            }
            i++;
        } else if (x[0] == '-') {
            rc = usage();
            goto out;
        } else {
            if (rundir_load(x, RD_CONTAINERS | RD_RAMP, &runs[n], &e) < 0) {
                fprintf(stderr, "isobench history: %s\n", e.msg);
                goto out;
            }
            n++;
        }
    }
    if (n < 1) {
        rc = usage();
        goto out;
    }
    for (i = 1; i < n; i++)
        if (strcmp(runs[i].scenario_name, runs[0].scenario_name) != 0) {
            fprintf(stderr, "isobench history: %s is scenario '%s', %s is '%s': one scenario at a time\n",
                    runs[0].path, runs[0].scenario_name, runs[i].path, runs[i].scenario_name);
            goto out;
        }
    if (history_build(runs, n, &o, &g, &ng, &e) < 0) {
        fprintf(stderr, "isobench history: %s\n", e.msg);
        goto out;
    }
    history_print(stdout, g, ng, runs, md);
    if (out != NULL) {
        if (!plot_supported()) {
            fprintf(stderr, "isobench history: this build has no libplot: no figures\n");
        } else if (plat_mkdir_p(out, &e) < 0 || history_write_figures(g, ng, out, &e) < 0) {
            fprintf(stderr, "isobench history: %s: %s\n", out, e.msg);
            goto out;
        } else {
            printf("figures: %s/history-<group>-<metric>.png and .svg\n", out);
        }
    }
    rc = 0;
out:
    history_free(g, ng);
    for (i = 0; i < n; i++)
        rundir_free(&runs[i]);
    free(runs);
    return rc;
}
