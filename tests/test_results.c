/*
 * test_results.c - the run directory's CSV files survive a round trip
 * through libcsv's reader (quoted errors with commas, quotes and newlines;
 * empty cells for unknown numbers), and run.json/summary.json parse back.
 */
#include "results_out.h"
#include "summary.h"
#include "support.h"
#include "csv_table.h"
#include "proc.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <math.h>
#include <unistd.h>

static char *make_dir(void)
{
    static char dir[] = "/tmp/isobench-test-results-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

Test(results, csv_round_trip)
{
    struct scenario s;
    struct run_result r;
    struct results_out o;
    struct ctr_result c;
    struct ramp_point p;
    struct err e;
    struct table *t = malloc(sizeof(*t));
    char path[2048];
    const char *dir = make_dir();

    memset(&s, 0, sizeof(s));
    memset(&r, 0, sizeof(r));
    snprintf(s.modes[0].name, sizeof(s.modes[0].name), "runsc");
    snprintf(s.modes[0].driver_name, sizeof(s.modes[0].driver_name), "oci");
    r.scn = &s;
    r.nmodes = 1;
    r.modes[0].mode = &s.modes[0];
    snprintf(r.dir, sizeof(r.dir), "%s", dir);
    cr_assert_eq(results_open(&o, dir, &e), 0, "%s", e.msg);

    memset(&c, 0, sizeof(c));
    counters_unknown(&c.last);
    c.fleet_size = 4;
    c.index = 3;
    c.create_ns = 1000;
    c.ready_ns = 136001000;
    c.start_ms = 136.0;
    c.exec_ms = 1.0 / 3.0;
    c.idle_cpu_pct = 0.25;
    c.work_ns = 245935882200.4;
    snprintf(c.phase, sizeof(c.phase), "starts");
    c.last.mem_pss_bytes = 19611648;
    c.last.cpu_ns = 123456789;
    snprintf(c.status, sizeof(c.status), "failed");
    snprintf(c.error, sizeof(c.error), "c3: start: runsc said \"no\", then\nexit status 1");
    results_container_row(&o, &r, &c);
    results_sample(&o, 12.5, "container", "runsc", "ib1-runsc-0", "mem_pss_bytes", 19611648);
    results_sample(&o, 24589.123456789, "host", "runsc", "", "mem_available_bytes", 24589358822.0);
    results_sample(&o, 30, "host", "runsc", "", "cpu_busy_pct", 2.0 / 3.0);
    p.mode_index = 0;
    p.rep = 0;
    p.fleet_size = 4;
    p.baseline_used_bytes = 696220523.6; /* interpolated: rounded to whole bytes */
    p.used_bytes = 776220523.5;
    p.delta_bytes = 79999999.9;
    p.cpu_busy_pct = 0.1;
    results_ramp_row(&o, &r, &p);
    results_close(&o);

    snprintf(path, sizeof(path), "%s/containers.csv", dir);
    read_csv(path, t);
    cr_assert_eq(t->rows, 2);
    cr_assert_str_eq(t->cells[0][0], "mode");
    cr_assert_str_eq(t->cells[0][6], "start_ms");
    cr_assert_str_eq(t->cells[1][0], "runsc");
    cr_assert_str_eq(t->cells[1][1], "oci");
    cr_assert_str_eq(t->cells[1][2], "4");
    cr_assert_str_eq(t->cells[1][6], "136");
    cr_assert_str_eq(t->cells[1][7], "", "unknown cgroup memory must be an empty cell");
    cr_assert_str_eq(t->cells[1][8], "19611648");
    cr_assert_str_eq(t->cells[1][11], "failed");
    cr_assert_str_eq(t->cells[1][12], "c3: start: runsc said \"no\", then\nexit status 1");
    cr_assert_str_eq(t->cells[1][14], "0.3333333333333333", "fractions keep every digit (shortest round trip)");
    cr_assert_str_eq(t->cells[1][17], "0.25");
    cr_assert_str_eq(t->cells[1][18], "245935882200", "nanoseconds are integers");
    cr_assert_str_eq(t->cells[0][23], "phase");
    cr_assert_str_eq(t->cells[1][23], "starts");
    cr_assert_str_eq(t->cells[0][24], "mem_commit_bytes", "Windows commit per container, last column");
    cr_assert_str_eq(t->cells[1][24], "", "no commit on Linux: an empty cell");

    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    read_csv(path, t);
    cr_assert_eq(t->rows, 4);
    cr_assert_str_eq(t->cells[1][0], "12.5");
    cr_assert_str_eq(t->cells[1][3], "ib1-runsc-0");
    cr_assert_str_eq(t->cells[1][5], "19611648");
    cr_assert_str_eq(t->cells[2][0], "24589.123456789");
    cr_assert_str_eq(t->cells[2][5], "24589358822", "bytes are integers, never 2.459358822e+10");
    cr_assert_str_eq(t->cells[3][0], "30");
    cr_assert_str_eq(t->cells[3][5], "0.6666666666666666");

    snprintf(path, sizeof(path), "%s/ramp.csv", dir);
    read_csv(path, t);
    cr_assert_eq(t->rows, 2);
    cr_assert_str_eq(t->cells[1][3], "696220524", "bytes are integers, never 6.9622e+08");
    cr_assert_str_eq(t->cells[1][4], "776220524");
    cr_assert_str_eq(t->cells[1][5], "80000000");
    cr_assert_str_eq(t->cells[1][6], "0.1");
    free(t);
    dir_remove_tree(dir, NULL);
}

Test(results, summary_marginal_slope_and_json)
{
    struct scenario s;
    struct run_result r;
    struct run_summary sum;
    struct ramp_point pts[3];
    struct ctr_result rows[3];
    cJSON *doc, *m, *mg;
    int i;

    memset(&s, 0, sizeof(s));
    memset(&r, 0, sizeof(r));
    snprintf(s.name, sizeof(s.name), "unit");
    snprintf(s.modes[0].name, sizeof(s.modes[0].name), "ns");
    snprintf(s.modes[0].driver_name, sizeof(s.modes[0].driver_name), "ns");
    s.modes[0].baseline = 1;
    r.scn = &s;
    r.nmodes = 1;
    r.modes[0].mode = &s.modes[0];
    r.modes[0].available = 1;
    r.modes[0].bare_work_ns = NAN;
    snprintf(r.status, sizeof(r.status), "complete");
    for (i = 0; i < 3; i++) {
        memset(&rows[i], 0, sizeof(rows[i]));
        counters_unknown(&rows[i].last);
        rows[i].start_ms = 10 + i;
        rows[i].exec_ms = NAN;
        rows[i].idle_cpu_pct = NAN;
        rows[i].work_ns = NAN;
        rows[i].last.mem_pss_bytes = 1000000 * (i + 1);
        snprintf(rows[i].status, sizeof(rows[i].status), "ok");
        pts[i].fleet_size = 1 << i;          /* 1, 2, 4 containers */
        pts[i].delta_bytes = 3e6 * (1 << i); /* exactly 3 MB each */
    }
    r.modes[0].rows = rows;
    r.modes[0].nrows = 3;
    r.modes[0].ramp = pts;
    r.modes[0].nramp = 3;
    cr_assert_eq(summary_reduce(&r, &sum), 0);
    cr_assert(sum.modes[0].have_marginal);
    cr_assert_float_eq(sum.modes[0].marginal.slope, 3e6, 1e-3);
    cr_assert_float_eq(sum.modes[0].start_ms.p50, 11, 1e-12);
    cr_assert_float_eq(sum.modes[0].mem_pss.mean, 2e6, 1e-6);
    doc = summary_to_json(&r, &sum);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "modes"), 0);
    mg = cJSON_GetObjectItem(m, "marginal_mem_bytes");
    cr_assert_float_eq(cJSON_GetObjectItem(mg, "slope")->valuedouble, 3e6, 1e-3);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(m, "cpu_overhead_pct")));
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "work_ns"), "count")->valueint, 0);
    cJSON_Delete(doc);
}

/* The end-of-run line about isobench itself: per container and per 1,000
   containers only from a fleet of HARNESS_MIN_FLEET; below it, what was
   measured in absolute terms. */
static char *harness_text(int fleet)
{
    struct scenario s;
    struct run_result r;
    struct run_summary sum;
    struct ramp_point pts[2];
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    int i;

    memset(&s, 0, sizeof(s));
    memset(&r, 0, sizeof(r));
    snprintf(s.modes[0].name, sizeof(s.modes[0].name), "ns");
    snprintf(s.modes[0].driver_name, sizeof(s.modes[0].driver_name), "ns");
    s.modes[0].baseline = 1;
    r.scn = &s;
    r.nmodes = 1;
    r.modes[0].mode = &s.modes[0];
    r.modes[0].available = 1;
    r.modes[0].bare_work_ns = NAN;
    for (i = 0; i < 2; i++) {
        memset(&pts[i], 0, sizeof(pts[i]));
        pts[i].fleet_size = fleet * (i + 1) / 2;
        pts[i].delta_bytes = 1e5 * pts[i].fleet_size;
        pts[i].harness_bytes = 8e6 + 2048.0 * pts[i].fleet_size; /* 2 KiB per container */
    }
    r.modes[0].ramp = pts;
    r.modes[0].nramp = 2;
    r.harness.anon_start_bytes = 8000000;
    r.harness.max_running = fleet;
    r.harness.hold_ns = 1000000000;
    r.harness.sampler_cpu_ns = 10000000;
    r.harness.cheap_samples = r.harness.cheap_only_samples = 10 * fleet;
    r.harness.cheap_only_cpu_ns = 3000 * r.harness.cheap_only_samples; /* 3 us each: 3 % per 1,000 at 10 Hz */
    cr_assert_eq(summary_reduce(&r, &sum), 0);
    f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    summary_print_table(f, &r, &sum);
    fclose(f);
    return buf;
}

Test(results, harness_figures_per_container_only_from_a_large_fleet)
{
    char *small = harness_text(4), *large = harness_text(1000);
    cr_assert_null(strstr(small, "KiB per container"), "%s", small);
    cr_assert_null(strstr(small, "per 1,000 containers at 10 Hz"), "%s", small);
    cr_assert_not_null(strstr(small, "with 4 containers held, +8 KiB since the start"), "%s", small);
    cr_assert_not_null(strstr(small, "0.1 ms of CPU for 40 container samples"), "%s", small);
    cr_assert_not_null(strstr(large, "isobench itself: 2.0 KiB per container"), "%s", large);
    cr_assert_not_null(strstr(large, "the cheap set 3.00 % per 1,000 containers at 10 Hz"), "%s", large);
    free(small);
    free(large);
}
