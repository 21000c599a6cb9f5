/*
 * fuzz_rundir.c - run-directory readers (reports/read): rundir_load() on a
 * directory whose run.json, summary.json, containers.csv, ramp.csv,
 * samples.csv, density.json and density.csv are the parts of the input
 * between FUZZ_SEP lines (in that order; missing or empty parts are absent
 * files), then what report, capacity and
 * compare do with a loaded run: the capacity rows for the run's own host,
 * the report reduction and its Markdown.
 */
#include "capacity.h"
#include "counters/proc.h"
#include "fuzz.h"
#include "plat.h"
#include "render.h"
#include "report.h"
#include "rundir.h"

#include <stdio.h>
#include <unistd.h>

#define FUZZ_SEP "\n--isobench-fuzz-file--\n"

static const char *const files[] = { "run.json",  "summary.json", "containers.csv", "ramp.csv",
                                     "samples.csv", "density.json", "density.csv" };

static char dir[256];

/* The first FUZZ_SEP in p[0..n), or NULL. */
static const char *find_sep(const char *p, size_t n)
{
    size_t k = strlen(FUZZ_SEP), i;
    for (i = 0; i + k <= n; i++)
        if (p[i] == '\n' && memcmp(p + i, FUZZ_SEP, k) == 0)
            return p + i;
    return NULL;
}

static void write_part(const char *name, const char *p, size_t n)
{
    char path[400];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (p == NULL || n == 0) {
        unlink(path);
        return;
    }
    f = fopen(path, "wb");
    if (f == NULL)
        abort();
    fwrite(p, 1, n, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    struct rundir *r = calloc(1, sizeof(*r));
    struct err e;
    size_t i;

    if (dir[0] == '\0') {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof(dir), "%s/isobench-fuzz-rundir-%d", base, (int)getpid());
        if (plat_mkdir_p(dir, &e) < 0)
            abort();
    }
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        const char *sep = p != NULL ? find_sep(p, (size_t)(end - p)) : NULL;
        if (p == NULL) {
            write_part(files[i], NULL, 0);
            continue;
        }
        write_part(files[i], p, sep != NULL ? (size_t)(sep - p) : (size_t)(end - p));
        p = sep != NULL ? sep + strlen(FUZZ_SEP) : NULL;
    }
    if (rundir_load(dir, RD_ALL, r, &e) == 0) {
        struct cap_params cp;
        struct cap_host h;
        struct cap_row *rows = NULL;
        struct report_data *d = calloc(1, sizeof(*d));
        int nrows = 0;
        FILE *devnull = fopen("/dev/null", "w");
        capacity_default_params(&cp);
        capacity_host_from_run(r, &h);
        if (h.cores > 0 && h.mem_bytes > 0 && capacity_rows(r, &h, 1, &cp, &rows, &nrows, &e) == 0)
            free(rows);
        if (d != NULL && report_reduce(r, 1, &cp, d, &e) == 0) {
            report_write_markdown(devnull, d);
            report_write_metrics(devnull, d);
            report_data_free(d);
        }
        free(d);
        fclose(devnull);
        rundir_free(r);
    }
    free(r);
    return 0;
}
