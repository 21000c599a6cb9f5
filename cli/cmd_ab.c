/*
 * cmd_ab.c - `isobench ab BASE.json [NEW.json] [--base-bin P] [--new-bin P]
 * [--out DIR] [--reps N] [--until-decided [--max-reps N]] [gate options]`:
 * a baseline and a candidate measured on this host in one invocation,
 * interleaved repetition by repetition, then gated.
 *
 * The candidate differs from the baseline by its scenario (another mode
 * definition, image, option), by its isobench binary (--new-bin: e.g. a
 * build of the pull request, or one that drives a newer runtime), or both.
 * Each repetition is one child `isobench run` of the scenario with
 * "repetitions": 1, into DIR/base/rep-NNN or DIR/new/rep-NNN, in ABBA order
 * (A B, B A, A B, ...), so a slow drift of the host hits both sides alike.
 * Repetition i of each side forms a pair; the gate compares pairs
 * (compare.h, paired). With --until-decided, pairs are added after the
 * first N until no gated metric is inconclusive or --max-reps pairs ran.
 *
 * Exit codes as `isobench compare`: 0 no regression and all decided,
 * 1 regression, 2 usage error or a failed child run, 3 inconclusive.
 */
#include "commands.h"
#include "input.h"
#include "gate_cli.h"
#include "plat.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AB_MAX_PAIRS 500
#define SIDE(k) (x.merged ? x.views[k] : x.runs[k])

struct ab {
    const char *scn[2];        /* base, new scenario files */
    const char *bin[2];        /* binaries */
    char dir[1024];
    char child_scn[2][1100];   /* DIR/base.json, DIR/new.json */
    int reps, max_reps, until_decided, quiet;
    int merged;                /* one child run holds both sides (same binary) */
    char merged_scn[2][1100];  /* DIR/ab-fwd.json, DIR/ab-rev.json */
    struct rundir *runs[2];    /* merged: runs[0] the child runs, views[] the sides */
    struct rundir *views[2];
    int nruns[2];
};

static const char *const side_name[2] = { "base", "new" };

static int usage(void)
{
    fprintf(stderr, "usage: isobench ab BASE.json [NEW.json] [--base-bin PATH] [--new-bin PATH] [--out DIR] "
                    "[--reps N] [--until-decided [--max-reps N]] [--quiet] " GATE_CLI_USAGE "\n");
    return 2;
}

/* The scenario with "repetitions": 1 into path; *reps gets its repetitions. */
static int write_child_scenario(const char *src, const char *path, int *reps)
{
    char *text = NULL, *out = NULL;
    cJSON *j = NULL, *r;
    struct err e;
    FILE *f = NULL;
    int rc = -1;

    err_clear(&e);
    if (rd_read_text(src, &text, NULL, &e) < 0) {
        fprintf(stderr, "isobench ab: %s\n", e.msg);
        goto out;
    }
    j = input_json_parse(text, src, &e);
    if (j == NULL || !cJSON_IsObject(j)) {
        fprintf(stderr, "isobench ab: %s\n", j == NULL ? e.msg : "not a JSON object (see isobench run)");
        goto out;
    }
    r = cJSON_GetObjectItemCaseSensitive(j, "repetitions");
    if (r != NULL && (!cJSON_IsNumber(r) || input_to_int(r->valuedouble, 1, 10000, reps) < 0)) {
        fprintf(stderr, "isobench ab: %s: repetitions: expected an integer from 1 to 10000\n", src);
        goto out;
    }
    if (r == NULL)
        *reps = 1;
    cJSON_DeleteItemFromObjectCaseSensitive(j, "repetitions");
    cJSON_AddNumberToObject(j, "repetitions", 1);
    out = cJSON_Print(j);
    f = fopen(path, "w");
    if (out == NULL || f == NULL || fputs(out, f) < 0) {
        fprintf(stderr, "isobench ab: %s: cannot write\n", path);
        goto out;
    }
    rc = 0;
out:
    if (f != NULL && fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "isobench ab: %s: cannot write\n", path);
        rc = -1;
    }
    free(out);
    free(text);
    cJSON_Delete(j);
    return rc;
}

/* The two scenarios may share one child run when they differ only in their
   modes (and start_delay_ms): every other key must be equal. */
static int same_but_modes(const cJSON *a, const cJSON *b)
{
    static const char *const skip[] = { "name", "description", "modes", "start_delay_ms", "repetitions" };
    cJSON *x = cJSON_Duplicate(a, 1), *y = cJSON_Duplicate(b, 1);
    size_t i;
    int same;
    for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(x, skip[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(y, skip[i]);
    }
    same = x != NULL && y != NULL && cJSON_Compare(x, y, 1);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

/* A side's copy of mode m named "<side>-<name>", with the side's delay. */
static cJSON *side_mode(const cJSON *m, const cJSON *scn, int side)
{
    cJSON *c = cJSON_Duplicate(m, 1);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name"), *drv = cJSON_GetObjectItemCaseSensitive(m, "driver");
    const cJSON *delay = cJSON_GetObjectItemCaseSensitive(scn, "start_delay_ms");
    char buf[128];
    if (c == NULL)
        return NULL;
    snprintf(buf, sizeof(buf), "%s-%s", side_name[side],
             cJSON_IsString(name) ? name->valuestring : cJSON_IsString(drv) ? drv->valuestring : "mode");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "name");
    cJSON_DeleteItemFromObjectCaseSensitive(c, "baseline");
    cJSON_AddStringToObject(c, "name", buf);
    if (cJSON_GetObjectItemCaseSensitive(c, "start_delay_ms") == NULL)
        cJSON_AddNumberToObject(c, "start_delay_ms", cJSON_IsNumber(delay) ? delay->valuedouble : 0);
    return c;
}

static const char *mode_name(const cJSON *m)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "name"), *d = cJSON_GetObjectItemCaseSensitive(m, "driver");
    return cJSON_IsString(n) ? n->valuestring : cJSON_IsString(d) ? d->valuestring : "";
}

/*
 * Same binary, scenarios differing only in their modes or delay: one child
 * run per pair holds both sides, each mode of the base next to the same mode
 * of the candidate (base-ns, new-ns, base-runc, new-runc), so the two sides
 * of a pair run seconds apart, not a whole run apart. ab-rev.json lists the
 * modes the other way round; pairs alternate between the two (ABBA).
 * Returns 1 when written, 0 when the scenarios cannot share a run, -1 on error.
 */
static int write_merged(struct ab *x)
{
    char *text[2] = { NULL, NULL }, *out = NULL;
    cJSON *j[2] = { NULL, NULL }, *merged = NULL, *modes, *m;
    struct err e;
    int k, rc = -1, n = 0, dir;
    FILE *f;

    err_clear(&e);
    for (k = 0; k < 2; k++) {
        if (rd_read_text(x->scn[k], &text[k], NULL, &e) < 0) {
            fprintf(stderr, "isobench ab: %s\n", e.msg);
            goto out;
        }
        j[k] = input_json_parse(text[k], x->scn[k], &e);
        if (j[k] == NULL) {
            fprintf(stderr, "isobench ab: %s\n", e.msg);
            goto out;
        }
    }
    if (strcmp(x->bin[0], x->bin[1]) != 0 || !same_but_modes(j[0], j[1])) {
        rc = 0;
        goto out;
    }
    for (dir = 0; dir < 2; dir++) {
        const cJSON *bm = cJSON_GetObjectItemCaseSensitive(j[0], "modes");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(j[1], "modes");
        cJSON *list[2 * 16];
        int i, count = 0;
        merged = cJSON_Duplicate(j[0], 1);
        if (merged == NULL || !cJSON_IsArray(bm) || !cJSON_IsArray(nm))
            goto out;
        cJSON_DeleteItemFromObjectCaseSensitive(merged, "modes");
        cJSON_DeleteItemFromObjectCaseSensitive(merged, "start_delay_ms");
        cJSON_DeleteItemFromObjectCaseSensitive(merged, "repetitions");
        cJSON_AddNumberToObject(merged, "repetitions", 1);
        cJSON_ArrayForEach(m, bm) {
            const cJSON *o;
            cJSON_ArrayForEach(o, nm)
                if (strcmp(mode_name(m), mode_name(o)) == 0 && count + 2 <= 16) {
                    list[count++] = side_mode(m, j[0], 0);
                    list[count++] = side_mode(o, j[1], 1);
                }
        }
        if (count == 0) {
            fprintf(stderr, "isobench ab: %s and %s have no mode name in common\n", x->scn[0], x->scn[1]);
            goto out;
        }
        modes = cJSON_AddArrayToObject(merged, "modes");
        for (i = 0; i < count; i++) {
            if (list[dir == 0 ? i : count - 1 - i] == NULL)
                goto out;
            cJSON_AddItemToArray(modes, list[dir == 0 ? i : count - 1 - i]);
        }
        n = count / 2;
        snprintf(x->merged_scn[dir], sizeof(x->merged_scn[dir]), "%s/ab-%s.json", x->dir, dir == 0 ? "fwd" : "rev");
        out = cJSON_Print(merged);
        f = fopen(x->merged_scn[dir], "w");
        if (out == NULL || f == NULL || fputs(out, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "isobench ab: %s: cannot write\n", x->merged_scn[dir]);
            goto out;
        }
        free(out);
        out = NULL;
        cJSON_Delete(merged);
        merged = NULL;
    }
    rc = n > 0;
out:
    free(out);
    cJSON_Delete(merged);
    for (k = 0; k < 2; k++) {
        free(text[k]);
        cJSON_Delete(j[k]);
    }
    return rc;
}

/* Merged child runs seen as the two sides: a shallow copy of each run with
   only its "<side>-" modes, renamed to the scenario's names (the value
   arrays are shared with x->runs[0]: views are never freed). */
static void make_views(struct ab *x)
{
    int i, k, m;
    for (k = 0; k < 2; k++) {
        size_t plen = strlen(side_name[k]) + 1;
        for (i = 0; i < x->nruns[0]; i++) {
            struct rundir *v = &x->views[k][i];
            const struct rundir *r = &x->runs[0][i];
            memcpy(v, r, sizeof(*v));
            v->nmodes = 0;
            for (m = 0; m < r->nmodes; m++)
                if (strncmp(r->modes[m].name, side_name[k], plen - 1) == 0 && r->modes[m].name[plen - 1] == '-') {
                    v->modes[v->nmodes] = r->modes[m];
                    memmove(v->modes[v->nmodes].name, r->modes[m].name + plen, strlen(r->modes[m].name + plen) + 1);
                    v->nmodes++;
                }
        }
        x->nruns[k == 0 ? 0 : 1] = x->nruns[0];
    }
}

/* One pair in one merged child run. */
static int run_merged_pair(struct ab *x, int pair)
{
    char out[1200];
    const char *argv[7];
    struct err e;
    int code = 0;
    snprintf(out, sizeof(out), "%s/pairs/rep-%03d", x->dir, pair + 1);
    argv[0] = x->bin[0];
    argv[1] = "run";
    argv[2] = x->merged_scn[pair % 2];
    argv[3] = "--out";
    argv[4] = out;
    argv[5] = "--quiet";
    argv[6] = NULL;
    if (!x->quiet)
        fprintf(stderr, "isobench ab: pair %d (%s)\n", pair + 1, out);
    err_clear(&e);
    if (plat_run_wait(argv, 1, &code, &e) < 0 || code != 0) {
        fprintf(stderr, "isobench ab: pair %d: %s run %s failed (%s)\n", pair + 1, x->bin[0], argv[2],
                code != 0 ? "non-zero exit, see above" : e.msg);
        return -1;
    }
    if (rundir_load(out, RD_CONTAINERS | RD_RAMP | RD_SAMPLES, &x->runs[0][pair], &e) < 0) {
        fprintf(stderr, "isobench ab: %s: %s\n", out, e.msg);
        return -1;
    }
    x->nruns[0] = pair + 1;
    make_views(x);
    return 0;
}

/* One repetition of one side: a child run, loaded. */
static int run_side(struct ab *x, int side)
{
    char out[1200], sub[1100];
    const char *argv[7];
    struct rundir *rd;
    struct err e;
    int code = 0, idx = x->nruns[side];

    snprintf(out, sizeof(out), "%s/%s/rep-%03d", x->dir, side_name[side], idx + 1);
    snprintf(sub, sizeof(sub), "%s/%s", x->dir, side_name[side]);
    if (plat_mkdir_p(sub, &e) < 0) {
        fprintf(stderr, "isobench ab: %s\n", e.msg);
        return -1;
    }
    argv[0] = x->bin[side];
    argv[1] = "run";
    argv[2] = x->child_scn[side];
    argv[3] = "--out";
    argv[4] = out;
    argv[5] = "--quiet";
    argv[6] = NULL;
    if (!x->quiet)
        fprintf(stderr, "isobench ab: %s repetition %d (%s)\n", side_name[side], idx + 1, out);
    err_clear(&e);
    if (plat_run_wait(argv, 1, &code, &e) < 0 || code != 0) {
        fprintf(stderr, "isobench ab: %s repetition %d: %s run %s failed (%s)\n", side_name[side], idx + 1,
                x->bin[side], x->child_scn[side], code != 0 ? "non-zero exit, see above" : e.msg);
        return -1;
    }
    rd = &x->runs[side][idx];
    if (rundir_load(out, RD_CONTAINERS | RD_RAMP | RD_SAMPLES, rd, &e) < 0) {
        fprintf(stderr, "isobench ab: %s: %s\n", out, e.msg);
        return -1;
    }
    x->nruns[side]++;
    return 0;
}

static void default_dir(char *dir, size_t n)
{
    char stamp[64];
    time_t t = time(NULL);
    struct tm tm;
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(dir, n, "results/ab-%s", stamp);
}

int cmd_ab(int argc, char **argv)
{
    struct ab x;
    struct gate_cli g;
    struct cmp_row *rows = NULL;
    struct err e;
    char self[1024], label[2][1400];
    int i, k, nscn = 0, nrows = 0, rc = 2, scn_reps = 0, other = 0, pair;

    memset(&x, 0, sizeof(x));
    gate_cli_init(&g);
    g.o.paired = 1;
    x.max_reps = 30;
    err_clear(&e);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        k = gate_cli_option("ab", argc, argv, &i, &g);
        if (k < 0)
            return 2;
        if (k > 0)
            continue;
        if (strcmp(a, "--until-decided") == 0) {
            x.until_decided = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            x.quiet = 1;
        } else if (v != NULL && (strcmp(a, "--base-bin") == 0 || strcmp(a, "--new-bin") == 0)) {
            x.bin[a[2] == 'b' ? 0 : 1] = v;
            i++;
        } else if (v != NULL && strcmp(a, "--out") == 0) {
            snprintf(x.dir, sizeof(x.dir), "%s", v);
            i++;
        } else if (v != NULL && (strcmp(a, "--reps") == 0 || strcmp(a, "--max-reps") == 0)) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 2 || n > AB_MAX_PAIRS) {
                fprintf(stderr, "isobench ab: %s: '%s' is not from 2 to %d\n", a, v, AB_MAX_PAIRS);
                return 2;
            }
            if (a[2] == 'r')
                x.reps = (int)n;
            else
                x.max_reps = (int)n;
            i++;
        } else if (a[0] == '-' || nscn == 2) {
            return usage();
        } else {
            x.scn[nscn++] = a;
        }
    }
    if (nscn == 0)
        return usage();
    if (nscn == 1)
        x.scn[1] = x.scn[0];
    if (gate_cli_finish("ab", &g) < 0)
        return 2;
    if (plat_self_exe(self, sizeof(self), &e) < 0) {
        fprintf(stderr, "isobench ab: %s\n", e.msg);
        return 2;
    }
    for (k = 0; k < 2; k++)
        if (x.bin[k] == NULL)
            x.bin[k] = self;
    if (x.dir[0] == '\0')
        default_dir(x.dir, sizeof(x.dir));
    if (plat_mkdir_p(x.dir, &e) < 0) {
        fprintf(stderr, "isobench ab: %s\n", e.msg);
        return 2;
    }
    for (k = 0; k < 2; k++) {
        snprintf(x.child_scn[k], sizeof(x.child_scn[k]), "%s/%s.json", x.dir, side_name[k]);
        if (write_child_scenario(x.scn[k], x.child_scn[k], k == 0 ? &scn_reps : &other) < 0)
            return 2;
    }
    x.merged = write_merged(&x);
    if (x.merged < 0)
        return 2;
    if (x.reps == 0)
        x.reps = scn_reps < 2 ? 2 : scn_reps;
    if (x.max_reps < x.reps)
        x.max_reps = x.reps;
    for (k = 0; k < 2; k++) {
        x.runs[k] = calloc((size_t)x.max_reps, sizeof(struct rundir));
        x.views[k] = calloc((size_t)x.max_reps, sizeof(struct rundir));
        if (x.runs[k] == NULL || x.views[k] == NULL) {
            fprintf(stderr, "isobench ab: out of memory\n");
            goto out;
        }
    }
    plat_catch_interrupts();
    for (pair = 0; pair < x.max_reps; pair++) {
        int first = pair % 2; /* ABBA: pairs alternate which side goes first */
        if (x.merged ? run_merged_pair(&x, pair) < 0 : run_side(&x, first) < 0 || run_side(&x, 1 - first) < 0)
            goto out;
        if (plat_interrupted()) {
            fprintf(stderr, "isobench ab: interrupted after %d pairs\n", pair + 1);
            goto out;
        }
        if (pair + 1 < x.reps)
            continue;
        if (!x.until_decided)
            break;
        free(rows);
        rows = NULL;
        if (compare_sides(SIDE(0), x.nruns[0], SIDE(1), x.nruns[1], &g.o, &rows, &nrows, &e) < 0) {
            fprintf(stderr, "isobench ab: %s\n", e.msg);
            goto out;
        }
        if (compare_count(rows, nrows, GS_INCONCLUSIVE) == 0)
            break;
        if (!x.quiet && pair + 1 < x.max_reps)
            fprintf(stderr, "isobench ab: %d gated metric(s) inconclusive after %d pairs: one more pair\n",
                    compare_count(rows, nrows, GS_INCONCLUSIVE), pair + 1);
    }
    free(rows);
    rows = NULL;
    if (compare_sides(SIDE(0), x.nruns[0], SIDE(1), x.nruns[1], &g.o, &rows, &nrows, &e) < 0) {
        fprintf(stderr, "isobench ab: %s\n", e.msg);
        goto out;
    }
    for (k = 0; k < 2; k++)
        snprintf(label[k], sizeof(label[k]), "%s with %s, %d repetitions in %s/%s", x.scn[k], x.bin[k],
                 x.nruns[k], x.dir, x.merged ? "pairs" : side_name[k]);
    rc = gate_cli_output("ab", &g, label[0], label[1], rows, nrows);
out:
    free(rows);
    for (k = 0; k < 2; k++) {
        for (i = 0; i < x.nruns[k] && (k == 0 || !x.merged); i++)
            rundir_free(&x.runs[k][i]);
        free(x.runs[k]);
        free(x.views[k]);
    }
    return rc;
}
