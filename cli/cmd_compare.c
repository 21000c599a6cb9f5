/*
 * cmd_compare.c - `isobench compare BASE_DIR NEW_DIR [--thresholds FILE]
 * [--alpha A] [--markdown]`. Exit 0: no regression, 1: regression,
 * 2: usage or input error.
 */
#include "commands.h"
#include "compare.h"
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: isobench compare BASE_DIR NEW_DIR [--thresholds FILE] [--alpha 0.05] "
                    "[--resamples N] [--markdown]\n");
    return 2;
}

int cmd_compare(int argc, char **argv)
{
    const char *dirs[2] = { NULL, NULL }, *thr = NULL;
    struct cmp_opts o;
    struct rundir a, b;
    struct cmp_row *rows = NULL;
    struct err e;
    int i, nd = 0, md = 0, nrows = 0, rc = 2, la = 0, lb = 0;

    cmp_default_opts(&o);
    err_clear(&e);
    for (i = 1; i < argc; i++) {
        const char *x = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(x, "--markdown") == 0) {
            md = 1;
        } else if (strcmp(x, "--thresholds") == 0 && v) {
            thr = v;
            i++;
        } else if (strcmp(x, "--alpha") == 0 && v) {
            if (input_double(v, &o.alpha) < 0 || !(o.alpha > 0 && o.alpha < 1)) {
                fprintf(stderr, "isobench compare: --alpha: '%s' is not in (0, 1)\n", v);
                return 2;
            }
            i++;
        } else if (strcmp(x, "--resamples") == 0 && v) {
            long n;
            if (input_long(v, CMP_MIN_RESAMPLES, CMP_MAX_RESAMPLES, &n) < 0) {
                fprintf(stderr, "isobench compare: --resamples: '%s' is not an integer from %d to %d\n", v,
                        CMP_MIN_RESAMPLES, CMP_MAX_RESAMPLES);
                return 2;
            }
            o.resamples = (int)n;
            i++;
        } else if (x[0] == '-' || nd == 2) {
            return usage();
        } else {
            dirs[nd++] = x;
        }
    }
    if (nd != 2)
        return usage();
    if (thr != NULL) {
        char *text = NULL;
        if (rd_read_text(thr, &text, NULL, &e) < 0 || cmp_load_thresholds(text, thr, &o, &e) < 0) {
            free(text);
            fprintf(stderr, "isobench compare: %s\n", e.msg);
            return 2;
        }
        free(text);
    }
    if (rundir_load(dirs[0], RD_CONTAINERS, &a, &e) < 0) {
        fprintf(stderr, "isobench compare: base: %s\n", e.msg);
        goto out;
    }
    la = 1;
    if (rundir_load(dirs[1], RD_CONTAINERS, &b, &e) < 0) {
        fprintf(stderr, "isobench compare: new: %s\n", e.msg);
        goto out;
    }
    lb = 1;
    if (compare_runs(&a, &b, &o, &rows, &nrows, &e) < 0) {
        fprintf(stderr, "isobench compare: %s\n", e.msg);
        goto out;
    }
    if (md) {
        char d0[4096], ra[400], d1[4096], rb[400];
        printf("Comparing %s (base, run %s) with %s (new, run %s).\n\n", rd_md_text(dirs[0], d0, sizeof(d0)),
               rd_md_text(a.run_id, ra, sizeof(ra)), rd_md_text(dirs[1], d1, sizeof(d1)),
               rd_md_text(b.run_id, rb, sizeof(rb)));
    }
    else
        printf("base %s (run %s)\nnew  %s (run %s)\n", dirs[0], a.run_id, dirs[1], b.run_id);
    compare_print(stdout, rows, nrows, &o, md);
    rc = compare_regressions(rows, nrows) > 0 ? 1 : 0;
out:
    free(rows);
    if (la)
        rundir_free(&a);
    if (lb)
        rundir_free(&b);
    return rc;
}
