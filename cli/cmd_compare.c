/*
 * cmd_compare.c - `isobench compare BASE_DIR NEW_DIR [gate options]`, and the
 * gate options and outputs shared with `isobench ab` (gate_cli.h).
 *
 * Exit 0: no regression and every gated metric decided (improvement or
 * equivalent); 1: a regression on a gated metric; 2: usage or input error;
 * 3: no regression, but a gated metric is inconclusive (--inconclusive pass
 * or fail maps that to 0 or 1).
 */
#include "commands.h"
#include "gate_cli.h"
#include "input.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gate_cli_init(struct gate_cli *g)
{
    memset(g, 0, sizeof(*g));
    cmp_default_opts(&g->o);
}

int gate_cli_option(const char *cmd, int argc, char **argv, int *i, struct gate_cli *g)
{
    const char *x = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    struct err e;

    if (strcmp(x, "--markdown") == 0) {
        g->markdown = 1;
        return 1;
    }
    if (strcmp(x, "--no-mem-noise-guard") == 0) {
        g->o.mem_noise_guard = 0;
        return 1;
    }
    if (v == NULL)
        return 0;
    if (strcmp(x, "--thresholds") == 0) {
        g->thresholds = v;
    } else if (strcmp(x, "--json") == 0) {
        g->json = v;
    } else if (strcmp(x, "--junit") == 0) {
        g->junit = v;
    } else if (strcmp(x, "--max-load-gap") == 0) {
        if (input_double(v, &g->o.max_load_gap) < 0 || !(g->o.max_load_gap >= 0 && g->o.max_load_gap <= 100)) {
            fprintf(stderr, "isobench %s: --max-load-gap: '%s' is not a number of percentage points from 0 "
                    "(off) to 100\n", cmd, v);
            return -1;
        }
    } else if (strcmp(x, "--alpha") == 0) {
        if (input_double(v, &g->o.alpha) < 0 || !(g->o.alpha > 0 && g->o.alpha < 0.5)) {
            fprintf(stderr, "isobench %s: --alpha: '%s' is not in (0, 0.5)\n", cmd, v);
            return -1;
        }
    } else if (strcmp(x, "--resamples") == 0) {
        long r;
        if (input_long(v, CMP_MIN_RESAMPLES, CMP_MAX_RESAMPLES, &r) < 0) {
            fprintf(stderr, "isobench %s: --resamples: '%s' is not an integer from %d to %d\n", cmd, v,
                    CMP_MIN_RESAMPLES, CMP_MAX_RESAMPLES);
            return -1;
        }
        g->o.resamples = (int)r;
    } else if (strcmp(x, "--gate") == 0) {
        err_clear(&e);
        if (cmp_parse_gated(v, &g->o, &e) < 0) {
            fprintf(stderr, "isobench %s: %s\n", cmd, e.msg);
            return -1;
        }
    } else if (strcmp(x, "--inconclusive") == 0) {
        if (strcmp(v, "pass") == 0)
            g->o.inconclusive = CMP_INCONCLUSIVE_PASS;
        else if (strcmp(v, "fail") == 0)
            g->o.inconclusive = CMP_INCONCLUSIVE_FAIL;
        else if (strcmp(v, "exit3") == 0)
            g->o.inconclusive = CMP_INCONCLUSIVE_EXIT3;
        else {
            fprintf(stderr, "isobench %s: --inconclusive: '%s' is not exit3, pass or fail\n", cmd, v);
            return -1;
        }
    } else {
        return 0;
    }
    (*i)++;
    return 1;
}

int gate_cli_finish(const char *cmd, struct gate_cli *g)
{
    char *text = NULL;
    struct err e;
    err_clear(&e);
    if (g->thresholds == NULL)
        return 0;
    if (rd_read_text(g->thresholds, &text, NULL, &e) < 0 || cmp_load_thresholds(text, g->thresholds, &g->o, &e) < 0) {
        free(text);
        fprintf(stderr, "isobench %s: %s\n", cmd, e.msg);
        return -1;
    }
    free(text);
    return 0;
}

static FILE *open_out(const char *cmd, const char *opt, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (f == NULL)
        fprintf(stderr, "isobench %s: %s %s: cannot write\n", cmd, opt, path);
    return f;
}

static int close_out(const char *cmd, const char *opt, const char *path, FILE *f)
{
    int bad = ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "isobench %s: %s %s: write failed\n", cmd, opt, path);
    return bad ? -1 : 0;
}

int gate_cli_output(const char *cmd, struct gate_cli *g, const char *base, const char *cur,
                    const struct cmp_row *rows, int n)
{
    int rc = compare_exit_code(rows, n, &g->o);
    struct err e;
    FILE *f;

    err_clear(&e);
    if (g->json == NULL || strcmp(g->json, "-") != 0) {
        char mb[4096], mc[4096]; /* paths and run ids are text from outside */
        if (g->markdown)
            printf("Comparing %s (base) with %s (new).\n\n", rd_md_text(base, mb, sizeof(mb)),
                   rd_md_text(cur, mc, sizeof(mc)));
        else
            printf("base %s\nnew  %s\n", base, cur);
        compare_print(stdout, rows, n, &g->o, g->markdown);
    }
    if (g->json != NULL) {
        if ((f = open_out(cmd, "--json", g->json)) == NULL)
            return 2;
        if (compare_write_json(f, base, cur, rows, n, &g->o, &e) < 0)
            fprintf(stderr, "isobench %s: --json: %s\n", cmd, e.msg);
        if (close_out(cmd, "--json", g->json, f) < 0)
            return 2;
    }
    if (g->junit != NULL) {
        char suite[256];
        if ((f = open_out(cmd, "--junit", g->junit)) == NULL)
            return 2;
        snprintf(suite, sizeof(suite), "isobench %s", cmd);
        compare_write_junit(f, suite, rows, n, &g->o);
        if (close_out(cmd, "--junit", g->junit, f) < 0)
            return 2;
    }
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: isobench compare BASE_DIR NEW_DIR " GATE_CLI_USAGE "\n");
    return 2;
}

int cmd_compare(int argc, char **argv)
{
    const char *dirs[2] = { NULL, NULL };
    struct gate_cli g;
    struct rundir a, b;
    struct cmp_row *rows = NULL;
    struct err e;
    char la_text[1200], lb_text[1200];
    int i, nd = 0, nrows = 0, rc = 2, la = 0, lb = 0;

    gate_cli_init(&g);
    err_clear(&e);
    for (i = 1; i < argc; i++) {
        int k = gate_cli_option("compare", argc, argv, &i, &g);
        if (k < 0)
            return 2;
        if (k > 0)
            continue;
        if (argv[i][0] == '-' || nd == 2)
            return usage();
        dirs[nd++] = argv[i];
    }
    if (nd != 2)
        return usage();
    if (gate_cli_finish("compare", &g) < 0)
        return 2;
    if (rundir_load(dirs[0], RD_CONTAINERS | RD_RAMP | RD_SAMPLES, &a, &e) < 0) {
        fprintf(stderr, "isobench compare: base: %s\n", e.msg);
        goto out;
    }
    la = 1;
    if (rundir_load(dirs[1], RD_CONTAINERS | RD_RAMP | RD_SAMPLES, &b, &e) < 0) {
        fprintf(stderr, "isobench compare: new: %s\n", e.msg);
        goto out;
    }
    lb = 1;
    if (compare_runs(&a, &b, &g.o, &rows, &nrows, &e) < 0) {
        fprintf(stderr, "isobench compare: %s\n", e.msg);
        goto out;
    }
    snprintf(la_text, sizeof(la_text), "%s (run %s)", dirs[0], a.run_id);
    snprintf(lb_text, sizeof(lb_text), "%s (run %s)", dirs[1], b.run_id);
    rc = gate_cli_output("compare", &g, la_text, lb_text, rows, nrows);
out:
    free(rows);
    if (la)
        rundir_free(&a);
    if (lb)
        rundir_free(&b);
    return rc;
}
