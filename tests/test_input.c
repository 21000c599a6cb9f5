/*
 * test_input.c - bad input never destroys data, crashes, or silently
 * switches a decision off (issue 9). One test per finding, each with the
 * input that showed it: a user's image directory survives every image path;
 * corrupted run directories (facts as an array, non-finite cells, modes that
 * disagree between files) are errors naming the file and field; hosts.json,
 * thresholds and scenario files refuse non-objects, NaN/inf, out-of-range
 * numbers, trailing text and duplicate keys; command-line numbers refuse
 * nan/inf; parsers of docker and HCS answers never overflow; Markdown output
 * escapes mode and scenario names. The shared helpers (harness/input.c) are
 * tested directly too.
 */
#define _POSIX_C_SOURCE 200809L
#include "capacity.h"
#include "commands.h"
#include "compare.h"
#include "counters/proc.h"
#include "drivers/docker.h"
#include "drivers/hcs_doc.h"
#include "image.h"
#include "input.h"
#include "plat.h"
#include "render.h"
#include "report.h"
#include "rundir.h"
#include "scenario.h"
#include "stats_compare.h"
#include "support.h"
#include "typeperf.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

static char tmp[256];

static void make_tmp(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/isobench-test-input-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void drop_tmp(void)
{
    if (tmp[0])
        dir_remove_tree(tmp, NULL);
    tmp[0] = '\0';
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_text_file(path, text);
}

/* `text` with the first `from` replaced by `to` (caller frees). */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    char *out;
    cr_assert_not_null(at, "'%s' not in the fixture", from);
    out = malloc(strlen(text) + strlen(to) + 1);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

/* `text` with every `from` replaced by `to` (caller frees). */
static char *replace_all(char *text, const char *from, const char *to)
{
    char *at;
    size_t off = 0;
    while ((at = strstr(text + off, from)) != NULL) {
        char *t2;
        size_t pos = (size_t)(at - text);
        t2 = malloc(strlen(text) + strlen(to) + 1);
        memcpy(t2, text, pos);
        strcpy(t2 + pos, to);
        strcat(t2, at + strlen(from));
        free(text);
        text = t2;
        off = pos + strlen(to);
    }
    return text;
}

/* A copy of fixture run-base in tmp/run with edits applied: triples of
   (file, from, to), NULL-terminated; file "*" replaces every occurrence in
   every file, else the first occurrence in that file. Returns the path. */
static const char *corrupt_runv(const char *const *edits)
{
    static const char *const files[] = { "run.json", "summary.json", "containers.csv", "ramp.csv",
                                         "samples.csv" };
    static char dir[300];
    size_t i, k;
    struct err e;
    snprintf(dir, sizeof(dir), "%s/run", tmp);
    dir_remove_tree(dir, NULL);
    cr_assert_eq(plat_mkdir_p(dir, &e), 0, "%s", e.msg);
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char rel[128], *text;
        snprintf(rel, sizeof(rel), "tests/fixtures/run-base/%s", files[i]);
        text = read_fixture(rel);
        for (k = 0; edits != NULL && edits[k] != NULL; k += 3) {
            if (strcmp(edits[k], "*") == 0) {
                text = replace_all(text, edits[k + 1], edits[k + 2]);
            } else if (strcmp(edits[k], files[i]) == 0) {
                char *t2 = replace(text, edits[k + 1], edits[k + 2]);
                free(text);
                text = t2;
            }
        }
        write_file(dir, files[i], text);
        free(text);
    }
    return dir;
}

/* A copy of run-base with `file`'s first `from` replaced by `to` (file
   NULL: an unchanged copy). */
static const char *corrupt_run(const char *file, const char *from, const char *to)
{
    const char *edits[4] = { file, from, to, NULL };
    return corrupt_runv(file != NULL ? edits : NULL);
}

/* rundir_load must fail with a message containing `want`. */
static void load_fails(const char *dir, const char *want)
{
    struct rundir r;
    struct err e;
    err_clear(&e);
    cr_assert_lt(rundir_load(dir, RD_ALL, &r, &e), 0, "accepted; wanted '%s'", want);
    cr_assert_not_null(strstr(e.msg, want), "message '%s' lacks '%s'", e.msg, want);
}

/* ---- the shared helpers ---- */

Test(input, numbers_from_text)
{
    double d;
    long l;
    int64_t i;
    int k;
    cr_assert_eq(input_double("0.05", &d), 0);
    cr_assert_float_eq(d, 0.05, 1e-12);
    cr_assert_eq(input_double(" -1e3", &d), 0);
    cr_assert_float_eq(d, -1000, 1e-9);
    cr_assert_lt(input_double("nan", &d), 0);
    cr_assert_lt(input_double("NaN", &d), 0);
    cr_assert_lt(input_double("inf", &d), 0);
    cr_assert_lt(input_double("-inf", &d), 0);
    cr_assert_lt(input_double("infinity", &d), 0);
    cr_assert_lt(input_double("1e999", &d), 0);
    cr_assert_lt(input_double("0x10", &d), 0);
    cr_assert_lt(input_double("1.5x", &d), 0);
    cr_assert_lt(input_double("", &d), 0);
    cr_assert_eq(input_long("10000", 100, 100000, &l), 0);
    cr_assert_lt(input_long("2147483647", 100, 100000, &l), 0);
    cr_assert_lt(input_long("99999999999999999999999", 0, 100000, &l), 0);
    cr_assert_lt(input_long("1e3", 0, 100000, &l), 0);
    cr_assert_lt(input_long("12abc", 0, 100000, &l), 0);
    cr_assert_eq(input_size("1.5GiB", &d), 0);
    cr_assert_float_eq(d, 1.5 * 1024 * 1024 * 1024, 1);
    cr_assert_lt(input_size("nan", &d), 0);
    cr_assert_lt(input_size("inf", &d), 0);
    cr_assert_lt(input_size("1e30", &d), 0);
    cr_assert_lt(input_size("-1G", &d), 0);
    cr_assert_eq(input_to_i64(12.9, 0, 100, &i), 0);
    cr_assert_eq(i, 12);
    cr_assert_lt(input_to_i64(1e30, INT64_MIN, INT64_MAX, &i), 0);
    cr_assert_lt(input_to_i64(9223372036854775808.0, INT64_MIN, INT64_MAX, &i), 0);
    cr_assert_lt(input_to_i64(NAN, INT64_MIN, INT64_MAX, &i), 0);
    cr_assert_lt(input_to_int(1e10, 1, 1 << 20, &k), 0);
    cr_assert_lt(input_mul_i64(INT64_MAX / 99, 100, &i), 0);
    cr_assert_eq(input_mul_i64(-5, 100, &i), 0);
    cr_assert_eq(i, -500);
    cr_assert_lt(input_add_i64(INT64_MAX, 1, &i), 0);
}

Test(input, strict_json)
{
    struct err e;
    cJSON *j;
    j = input_json_parse("\xEF\xBB\xBF{\"a\": 1}", "x.json", &e);
    cr_assert_not_null(j, "a BOM is accepted: %s", e.msg);
    cJSON_Delete(j);
    cr_assert_null(input_json_parse("{\"a\": 1} trailing", "x.json", &e));
    cr_assert_not_null(strstr(e.msg, "x.json:1:10: text after the end"), "%s", e.msg);
    cr_assert_null(input_json_parse("{\"a\": {\"b\": 1, \"b\": 2}}", "x.json", &e));
    cr_assert_not_null(strstr(e.msg, "x.json: a.b: duplicate key"), "%s", e.msg);
    cr_assert_null(input_json_parse("[{\"m\": [1, 1e999]}]", "x.json", &e));
    cr_assert_not_null(strstr(e.msg, "x.json: [0].m[1]: number out of range"), "%s", e.msg);
    cr_assert_null(input_json_parse("{\n\"a\": }", "x.json", &e));
    cr_assert_not_null(strstr(e.msg, "x.json:2:"), "%s", e.msg);
}

/* ---- finding 1: a user's image directory is never removed ---- */

Test(input, image_dir_of_user_is_never_replaced, .init = make_tmp, .fini = drop_tmp)
{
    char dir[300], keep[400];
    struct err e;
    struct stat st;
    struct dk_buf tar = { 0 };
    uint64_t sum;

    snprintf(dir, sizeof(dir), "%s/mine", tmp);
    cr_assert_eq(plat_mkdir_p(dir, &e), 0);
    write_file(dir, "precious.txt", "user data\n");
    snprintf(keep, sizeof(keep), "%s/precious.txt", dir);

    /* `isobench image DIR` and every driver path that builds */
    cr_assert_lt(image_ensure(dir, &e), 0);
    cr_assert_not_null(strstr(e.msg, "was not built by isobench"), "%s", e.msg);
    cr_assert_eq(stat(keep, &st), 0, "the user's file is gone");
    /* the scenario field: read-only input, an error naming the field */
    cr_assert_lt(image_check_user(dir, "scenario image", &e), 0);
    cr_assert_not_null(strstr(e.msg, "scenario image: "), "%s", e.msg);
    cr_assert_not_null(strstr(e.msg, "not an isobench image"), "%s", e.msg);
    cr_assert_lt(dk_rootfs_tar(dir, &tar, &sum, &e), 0);
    cr_assert_not_null(strstr(e.msg, "scenario image"), "%s", e.msg);
    cr_assert_eq(stat(keep, &st), 0, "the user's file is gone");
    free(tar.p);
    /* "/" is never an image, nor walked */
    cr_assert_lt(image_check_user("/", "scenario image", &e), 0);
    cr_assert_not_null(strstr(e.msg, "root directory"), "%s", e.msg);
    cr_assert_lt(image_check_user("/.", "scenario image", &e), 0);
    cr_assert_lt(image_ensure("/", &e), 0);
    /* a file is not a directory */
    cr_assert_lt(image_check_user(keep, "scenario image", &e), 0);
    cr_assert_not_null(strstr(e.msg, "not a directory"), "%s", e.msg);
}

Test(input, image_built_by_isobench_is_rebuilt, .init = make_tmp, .fini = drop_tmp)
{
    char dir[300], marker[400], payload[4096];
    struct err e;
    struct stat st;
    require_or_skip(access("/bin/busybox", X_OK) == 0, "busybox-static is not installed");
    require_or_skip(image_payload_binary(payload, sizeof(payload), &e) == 0, "%s", e.msg);
    snprintf(dir, sizeof(dir), "%s/fresh", tmp);
    cr_assert_eq(image_ensure(dir, &e), 0, "%s", e.msg);
    snprintf(marker, sizeof(marker), "%s/%s", dir, IMAGE_MARKER);
    cr_assert_eq(stat(marker, &st), 0, "no marker in a built image");
    cr_assert_eq(image_check_user(dir, "scenario image", &e), 0, "%s", e.msg);
    cr_assert_eq(image_ensure(dir, &e), 0, "%s", e.msg);
}

/* ---- finding 2: wrong JSON types crash nothing ---- */

Test(input, facts_as_array_is_an_error, .init = make_tmp, .fini = drop_tmp)
{
    load_fails(corrupt_run("run.json", "\"facts\": {}", "\"facts\": [\"x\", 1]"),
               "run.json: modes[0].facts: expected an object");
    load_fails(corrupt_run("run.json", "\n  \"modes\": [", "\n  \"modes\": [[\"x\"], "),
               "run.json: modes[0]: expected an object");
    load_fails(corrupt_run("summary.json", "\"start_ms\": {", "\"start_ms\": [], \"x\": {"),
               "summary.json: modes[0].start_ms: expected an object");
}

Test(input, hosts_element_not_an_object)
{
    struct cap_host *h = NULL;
    int n = 0;
    struct err e;
    cr_assert_lt(capacity_parse_hosts("[[\"x\"]]", "hosts.json", &h, &n, &e), 0);
    cr_assert_not_null(strstr(e.msg, "hosts.json: [0]: expected an object"), "%s", e.msg);
    cr_assert_lt(capacity_parse_hosts("[\"x\"]", "hosts.json", &h, &n, &e), 0);
    cr_assert_lt(capacity_parse_hosts("[null]", "hosts.json", &h, &n, &e), 0);
}

/* ---- finding 3: NaN and infinities never switch the gate off ---- */

Test(input, non_finite_cells_are_errors, .init = make_tmp, .fini = drop_tmp)
{
    static const char *const bad[] = { "inf", "-inf", "1e999", "nan", "NaN", "infinity" };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char to[64];
        snprintf(to, sizeof(to), "ns,ns,1,0,1000000000,1001964653,%s,", bad[i]);
        load_fails(corrupt_run("containers.csv", "ns,ns,1,0,1000000000,1001964653,1.965,", to),
                   "containers.csv:2: column start_ms");
    }
    load_fails(corrupt_run("summary.json", "\"mean\": 2.4014285714285712", "\"mean\": 1e999"),
               "summary.json: modes[0].start_ms.mean: number out of range");
}

Test(input, compare_alpha_nan_is_refused)
{
    char *argv_nan[] = { "compare", "a", "b", "--alpha", "nan", NULL };
    char *argv_inf[] = { "compare", "a", "b", "--alpha", "inf", NULL };
    char *argv_big[] = { "compare", "a", "b", "--resamples", "2147483647", NULL };
    char *argv_ovf[] = { "compare", "a", "b", "--resamples", "99999999999999999999", NULL };
    cr_assert_eq(cmd_compare(5, argv_nan), 2);
    cr_assert_eq(cmd_compare(5, argv_inf), 2);
    cr_assert_eq(cmd_compare(5, argv_big), 2);
    cr_assert_eq(cmd_compare(5, argv_ovf), 2);
}

/* ---- finding 4: float-to-integer conversions are range-checked ---- */

Test(input, hosts_numbers_out_of_range)
{
    static const char *const bad[] = {
        "[{\"name\":\"h\",\"cores\":1e10,\"memory\":\"64G\"}]",
        "[{\"name\":\"h\",\"cores\":16,\"memory\":\"nan\"}]",
        "[{\"name\":\"h\",\"cores\":16,\"memory\":\"inf\"}]",
        "[{\"name\":\"h\",\"cores\":16,\"memory\":1e300}]",
        "[{\"name\":\"h\",\"cores\":16,\"memory\":\"64G\",\"disk\":\"nan\"}]",
        "[{\"name\":\"h\",\"cores\":16,\"memory\":\"64G\",\"cpu_speed\":1e999}]",
    };
    struct cap_host *h = NULL;
    int n = 0;
    size_t i;
    struct err e;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_lt(capacity_parse_hosts(bad[i], "hosts.json", &h, &n, &e), 0, "accepted %s", bad[i]);
        cr_assert_not_null(strstr(e.msg, "hosts.json"), "%s", e.msg);
    }
    cr_assert_eq(capacity_parse_hosts("[{\"name\":\"h\",\"cores\":16,\"memory\":\"64G\"}]", "hosts.json", &h, &n,
                                      &e), 0, "%s", e.msg);
    cr_assert_eq(h[0].cores, 16);
    free(h);
}

Test(input, capacity_options_refuse_nan)
{
    struct cap_params p;
    struct err e;
    capacity_default_params(&p);
    cr_assert_lt(cap_parse_option("--reserve-mem", "nan", &p, &e), 0);
    cr_assert_lt(cap_parse_option("--reserve-mem", "inf", &p, &e), 0);
    cr_assert_lt(cap_parse_option("--cpu-target", "nan", &p, &e), 0);
    cr_assert_lt(cap_parse_option("--start-slo-ms", "inf", &p, &e), 0);
    cr_assert_eq(cap_parse_option("--reserve-mem", "2G", &p, &e), 1);
    {
        char *argv[] = { "capacity", "x", "--disk-free", "nan", NULL };
        cr_assert_eq(cmd_capacity(4, argv), 2);
    }
}

Test(input, summary_counts_out_of_range, .init = make_tmp, .fini = drop_tmp)
{
    load_fails(corrupt_run("summary.json", "\"failed\": 0", "\"failed\": 1e999"),
               "summary.json: modes[0].failed: number out of range");
    load_fails(corrupt_run("summary.json", "\"failed\": 0", "\"failed\": -3"),
               "summary.json: modes[0].failed: expected an integer");
    load_fails(corrupt_run("summary.json", "\"failed\": 0", "\"failed\": 3e9"),
               "summary.json: modes[0].failed: expected an integer");
    load_fails(corrupt_run("run.json", "\"cores\": 2,", "\"cores\": 1e10,"),
               "run.json: host.cores: expected an integer");
}

/* ---- finding 5: the files of a run directory agree ---- */

Test(input, inconsistent_run_dirs, .init = make_tmp, .fini = drop_tmp)
{
    struct rundir r;
    struct err e;
    /* a mode in summary.json that run.json lacks */
    load_fails(corrupt_run("summary.json", "\"name\": \"runsc\"", "\"name\": \"ghost\""),
               "summary.json: modes[1]: mode \"ghost\" is not in run.json");
    /* a mode of run.json missing from summary.json */
    load_fails(corrupt_run("run.json", "\n  \"modes\": [", "\n  \"modes\": [{\"name\": \"extra\"}, "),
               "summary.json: mode \"extra\" of run.json is missing");
    /* a mode twice in summary.json */
    load_fails(corrupt_run("summary.json", "\"name\": \"vm\"", "\"name\": \"runsc\""),
               "summary.json: modes[2]: mode \"runsc\" is listed twice");
    /* a duplicated mode in run.json */
    load_fails(corrupt_run("run.json", "\"name\": \"runsc\",\n      \"driver\"",
                           "\"name\": \"ns\",\n      \"driver\""),
               "run.json: modes[1]: mode \"ns\" is listed twice");
    /* a CSV row of a mode nobody knows */
    load_fails(corrupt_run("containers.csv", "\nns,ns,1,0,", "\nghost,ns,1,0,"),
               "containers.csv:2: column mode: \"ghost\" is not a mode of run.json");
    /* the unchanged copy loads */
    cr_assert_eq(rundir_load(corrupt_run(NULL, NULL, NULL), RD_ALL, &r, &e), 0, "%s", e.msg);
    rundir_free(&r);
}

/* ---- findings 6, 7, 9: scenario bounds, no undefined casts, strict JSON ---- */

static void scenario_fails(const char *text, const char *want)
{
    struct scenario s;
    struct err e;
    err_clear(&e);
    cr_assert_lt(scenario_parse(text, "s.json", &s, &e), 0, "accepted %s", text);
    cr_assert_not_null(strstr(e.msg, want), "message '%s' lacks '%s'", e.msg, want);
    cr_assert_gt(strlen(e.msg), strlen("s.json: "), "empty message");
}

#define MODES "\"modes\":[{\"driver\":\"ns\"}]"

Test(input, scenario_bounds)
{
    scenario_fails("{" MODES ",\"fleet\":{\"size\":100000},\"repetitions\":10000}",
                   "s.json: fleet and repetitions: 100000 containers x 10000 repetitions");
    scenario_fails("{" MODES ",\"fleet\":{\"ramp\":[1,1000000]}}", "s.json: fleet.ramp[1]: expected an integer");
    scenario_fails("{" MODES ",\"fleet\":{\"ramp\":[1,1e30]}}", "s.json: fleet.ramp[1]");
    scenario_fails("{" MODES ",\"limits\":{\"memory\":1e30}}", "s.json: limits.memory");
    scenario_fails("{" MODES ",\"limits\":{\"memory\":\"1e30\"}}", "s.json: limits.memory");
    scenario_fails("{" MODES ",\"limits\":{\"memory\":\"nan\"}}", "s.json: limits.memory");
    scenario_fails("{" MODES ",\"hold_ms\":1e30}", "s.json: hold_ms");
    scenario_fails("{" MODES ",\"hold_ms\":1e999}", "s.json: hold_ms: number out of range");
    scenario_fails("{" MODES ",\"workload\":{\"cpu_iterations\":1e30}}", "s.json: workload.cpu_iterations");
    scenario_fails("{" MODES "} garbage", "s.json:1:");
    scenario_fails("{" MODES ",\"hold_ms\":1,\"hold_ms\":2}", "s.json: hold_ms: duplicate key");
    scenario_fails("{" MODES ",\"fleet\":{\"size\":2,\"size\":3}}", "s.json: fleet.size: duplicate key");
    {
        struct scenario s;
        struct err e;
        int64_t v;
        cr_assert_eq(scenario_parse("\xEF\xBB\xBF{" MODES ",\"limits\":{\"memory\":\"256M\"}}", "s.json", &s, &e), 0,
                     "%s", e.msg);
        cr_assert_eq(s.mem_limit_bytes, 256LL << 20);
        scenario_free(&s);
        cr_assert_lt(parse_size("1e30", &v), 0);
        cr_assert_lt(parse_size("inf", &v), 0);
    }
}

Test(input, thresholds_and_hosts_are_strict)
{
    struct cmp_opts o;
    struct cap_host *h = NULL;
    int n = 0;
    struct err e;
    cmp_default_opts(&o);
    cr_assert_lt(cmp_load_thresholds("{\"start_ms\":0.1,\"start_ms\":5}", "t.json", &o, &e), 0);
    cr_assert_not_null(strstr(e.msg, "t.json: start_ms: duplicate key"), "%s", e.msg);
    cr_assert_lt(cmp_load_thresholds("{\"start_ms\":0.1} x", "t.json", &o, &e), 0);
    cr_assert_not_null(strstr(e.msg, "t.json:1:"), "%s", e.msg);
    cr_assert_lt(capacity_parse_hosts("[{\"name\":\"a\",\"name\":\"b\",\"cores\":1,\"memory\":\"1G\"}]", "h.json",
                                      &h, &n, &e), 0);
    cr_assert_not_null(strstr(e.msg, "h.json: [0].name: duplicate key"), "%s", e.msg);
    cr_assert_lt(capacity_parse_hosts("[{\"name\":\"a\",\"cores\":1,\"memory\":\"1G\"}]]", "h.json", &h, &n, &e), 0);
}

Test(input, csv_with_bom, .init = make_tmp, .fini = drop_tmp)
{
    struct rundir r;
    struct err e;
    cr_assert_eq(rundir_load(corrupt_run("containers.csv", "mode,driver", "\xEF\xBB\xBFmode,driver"), RD_ALL, &r,
                             &e), 0, "%s", e.msg);
    cr_assert_gt(r.modes[0].val[RDM_START_MS].n, 0);
    rundir_free(&r);
}

/* ---- finding 9: compare on large runs is linear-ish ---- */

/* Above SC_BOOT_DIRECT_MIN values the bootstrap draws each resample's
   median directly; its interval must match the resampling one just below
   the threshold on the same distribution (evenly spaced values on [1, 2],
   new = base + 1 %). */
Test(input, direct_bootstrap_matches_resampling)
{
    size_t sizes[2] = { SC_BOOT_DIRECT_MIN - 1, SC_BOOT_DIRECT_MIN + 1 }, n, i;
    double lo[2], hi[2], est[2];
    int k;
    for (k = 0; k < 2; k++) {
        double *a, *b;
        n = sizes[k];
        a = malloc(n * sizeof(double));
        b = malloc(n * sizeof(double));
        for (i = 0; i < n; i++) {
            a[i] = 1 + (double)i / (double)(n - 1);
            b[i] = a[i] * 1.01;
        }
        cr_assert_eq(sc_bootstrap_median_change(a, n, b, n, 4000, 0.05, 1, 42, &est[k], &lo[k], &hi[k]), 0);
        free(a);
        free(b);
    }
    cr_assert_float_eq(est[0], 0.01, 1e-9);
    cr_assert_float_eq(est[1], 0.01, 1e-9);
    /* same width within 15 % (Monte Carlo noise of 4000 resamples) */
    cr_assert_lt(fabs((hi[1] - lo[1]) / (hi[0] - lo[0]) - 1), 0.15, "widths %g vs %g", hi[1] - lo[1],
                 hi[0] - lo[0]);
    cr_assert_lt(lo[1], 0.01);
    cr_assert_gt(hi[1], 0.01);
}

/* ---- finding 7: docker and HCS answers never overflow ---- */

Test(input, docker_stats_overflow)
{
    struct counters c;
    struct err e;
    int64_t ns;
    /* Windows CPU in 100 ns units: x 100 would overflow */
    cr_assert_eq(docker_stats_parse("{\"read\":\"2026-11-25T09:15:00Z\",\"cpu_stats\":{\"cpu_usage\":"
                                    "{\"total_usage\":1e17}},\"memory_stats\":{\"privateworkingset\":1e30}}",
                                    1, &c, &e), 0, "%s", e.msg);
    cr_assert_eq(c.cpu_ns, -1);
    cr_assert_eq(c.mem_private_ws_bytes, -1);
    /* blkio sums past 2^63 and negative entries are no value, never wrapped */
    cr_assert_eq(docker_stats_parse("{\"read\":\"2026-11-25T09:15:00Z\",\"blkio_stats\":{"
                                    "\"io_service_bytes_recursive\":[{\"op\":\"read\",\"value\":9e18},"
                                    "{\"op\":\"read\",\"value\":9e18},{\"op\":\"write\",\"value\":-5}]}}",
                                    0, &c, &e), 0, "%s", e.msg);
    cr_assert_eq(c.io_read_bytes, -1);
    cr_assert_eq(c.io_write_bytes, -1);
    /* timestamps past 2262 and negative fields */
    cr_assert_lt(docker_parse_time("9999-12-31T23:59:59Z", &ns), 0);
    cr_assert_lt(docker_parse_time("2026-11-25T-1:00:00Z", &ns), 0);
    cr_assert_lt(docker_parse_time("2026-11-25T09:15:00+-1:00", &ns), 0);
    cr_assert_eq(docker_parse_time("2026-11-25T09:15:00.5Z", &ns), 0);
    cr_assert_eq(ns, 1795598100500000000LL);
}

Test(input, hcs_statistics_overflow)
{
    struct hcs_stats st;
    struct err e;
    uint32_t hr = 0;
    char buf[256];
    cr_assert_lt(hcs_stats_parse("{\"Statistics\":{\"Processor\":{\"TotalRuntime100ns\":1e17}}}", &st, &e), 0);
    cr_assert_not_null(strstr(e.msg, "Processor.TotalRuntime100ns"), "%s", e.msg);
    cr_assert_lt(hcs_stats_parse("{\"Statistics\":{\"Processor\":{\"RuntimeUser100ns\":9e16,"
                                 "\"RuntimeKernel100ns\":9e16}}}", &st, &e), 0);
    cr_assert_not_null(strstr(e.msg, "overflow"), "%s", e.msg);
    cr_assert_eq(hcs_stats_parse("{\"Statistics\":{\"Processor\":{\"RuntimeUser100ns\":3,"
                                 "\"RuntimeKernel100ns\":4}}}", &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.cpu_ns, 700);
    /* error codes outside 32 bits are no code at all */
    cr_assert_lt(hcs_result_error_parse("{\"Error\":1e30}", &hr, buf, sizeof(buf)), 0);
    cr_assert_lt(hcs_result_error_parse("{\"Error\":-1e30}", &hr, buf, sizeof(buf)), 0);
    cr_assert_eq(hcs_result_error_parse("{\"Error\":-2143878899}", &hr, buf, sizeof(buf)), 0);
    cr_assert_eq(hr, 0x8037010Du);
    cr_assert_eq(hcs_result_error_parse("{\"Error\":2151088397}", &hr, buf, sizeof(buf)), 0);
    cr_assert_eq(hr, 0x8037010Du);
}

/* ---- finding 8: typeperf import uses the run's clock or fails ---- */

static char *big_run_json(const char *started)
{
    size_t n = 100000, used;
    char *t = malloc(n + 256);
    used = (size_t)sprintf(t, "{\"schema\":1,\"padding\":\"");
    memset(t + used, 'x', n);
    used += n;
    sprintf(t + used, "\",\"started_utc\":\"%s\"}", started);
    return t;
}

Test(input, typeperf_import_clock, .init = make_tmp, .fini = drop_tmp)
{
    struct typeperf_log log;
    struct typeperf_import_result res;
    struct err e;
    char path[512], run[300], *json;
    double t0;

    snprintf(path, sizeof(path), "%s/tests/fixtures/typeperf-basic.csv", ISOBENCH_SOURCE_DIR);
    cr_assert_eq(typeperf_read(path, &log, &e), 0, "%s", e.msg);
    /* a run.json over 64 KiB: started_utc near its end still counts */
    snprintf(run, sizeof(run), "%s/big", tmp);
    cr_assert_eq(plat_mkdir_p(run, &e), 0);
    json = big_run_json("2026-01-01T00:00:00Z");
    write_file(run, "run.json", json);
    free(json);
    cr_assert_eq(typeperf_import(&log, "basic", run, "m", &res, &e), 0, "%s", e.msg);
    cr_assert_eq(input_parse_utc("2026-01-01T00:00:00Z", &t0), 0);
    cr_assert_float_eq(res.t0_utc, t0, 1e-6);
    /* an invalid started_utc is an error, not the log's own clock */
    snprintf(run, sizeof(run), "%s/bad", tmp);
    cr_assert_eq(plat_mkdir_p(run, &e), 0);
    write_file(run, "run.json", "{\"started_utc\":\"2026-13-45T99:99:99Z\"}");
    cr_assert_lt(typeperf_import(&log, "basic", run, "m", &res, &e), 0);
    cr_assert_not_null(strstr(e.msg, "run.json: started_utc"), "%s", e.msg);
    typeperf_free(&log);
    cr_assert_lt(input_parse_utc("2026-02-30T00:00:00Z", &t0), 0);
    cr_assert_lt(input_parse_utc("2026-11-25T09:15:00", &t0), 0);
}

Test(input, typeperf_offset_bounds)
{
    static const char *const bad[] = { "240", "1440", "-1440", "900" };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct typeperf_log log;
        struct err e;
        char text[512];
        snprintf(text, sizeof(text),
                 "\"(PDH-CSV 4.0) (Some Time)(%s)\",\"\\\\H\\Memory\\Available MBytes\"\r\n"
                 "\"11/25/2026 09:15:00.000\",\"1000\"\r\n", bad[i]);
        if (i == 0) { /* the same file with a real offset loads */
            cr_assert_eq(typeperf_parse(text, strlen(text), "t.csv", &log, &e), 0, "%s", e.msg);
            typeperf_free(&log);
            continue;
        }
        cr_assert_lt(typeperf_parse(text, strlen(text), "t.csv", &log, &e), 0, "offset %s accepted", bad[i]);
    }
}

/* ---- finding 10: Markdown output escapes names from files ---- */

Test(input, markdown_escapes_names, .init = make_tmp, .fini = drop_tmp)
{
    static const char *const edits[] = {
        "*", "runsc", "r|s<img src=x onerror=alert(1)>",
        "run.json", "\"name\": \"fixture\"", "\"name\": \"fix|ture\\n# <b>x</b>\"",
        NULL,
    };
    const char *dir = corrupt_runv(edits);
    struct rundir runs[2];
    struct report_data *d = calloc(1, sizeof(*d));
    struct cap_params p;
    struct cmp_opts o;
    struct cmp_row *rows = NULL;
    int nrows = 0, k;
    struct err e;
    char *out = NULL;
    size_t len = 0;
    FILE *f;

    cr_assert_eq(rundir_load(dir, RD_ALL, &runs[0], &e), 0, "%s", e.msg);
    cr_assert_eq(rundir_load(dir, RD_ALL, &runs[1], &e), 0, "%s", e.msg);
    capacity_default_params(&p);
    cr_assert_eq(report_reduce(runs, 1, &p, d, &e), 0, "%s", e.msg);
    f = open_memstream(&out, &len);
    report_write_markdown(f, d);
    cmp_default_opts(&o);
    cr_assert_eq(compare_runs(&runs[0], &runs[1], &o, &rows, &nrows, &e), 0, "%s", e.msg);
    compare_print(f, rows, nrows, &o, 1);
    fclose(f);
    cr_assert_null(strstr(out, "<img"), "raw HTML in:\n%s", out);
    cr_assert_null(strstr(out, "<b>"), "raw HTML in:\n%s", out);
    cr_assert_null(strstr(out, "\n# "), "a name started a heading:\n%s", out);
    cr_assert_not_null(strstr(out, "r\\|s&lt;img src=x onerror=alert(1)&gt;"), "%s", out);
    cr_assert_not_null(strstr(out, "fix\\|ture # &lt;b&gt;x&lt;/b&gt;"), "%s", out);
    /* every table row still has its cell count: no | leaked */
    for (k = 0; k < nrows; k++)
        cr_assert_str_eq(rows[k].mode, runs[0].modes[k / CMP_NMETRICS].name);
    free(out);
    free(rows);
    report_data_free(d);
    free(d);
    rundir_free(&runs[0]);
    rundir_free(&runs[1]);
}

/* The density result (issue 10's files) goes through the same checks. */
Test(input, density_json_numbers, .init = make_tmp, .fini = drop_tmp)
{
    const char *dir = corrupt_run(NULL, NULL, NULL);
    write_file(dir, "density.json", "{\"modes\":[{\"name\":\"ns\",\"ceiling\":10,\"steps\":1e30}]}");
    load_fails(dir, "density.json: modes[0].steps: expected a non-negative integer");
    write_file(dir, "density.json", "{\"modes\":[[\"ns\"]]}");
    load_fails(dir, "density.json: modes[0]: expected an object");
    write_file(dir, "density.json", "{\"modes\":[]} x");
    load_fails(dir, "density.json:1:");
}
