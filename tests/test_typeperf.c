/*
 * test_typeperf.c - `isobench import typeperf`: PDH-CSV 4.0 files in the
 * format typeperf writes (CRLF, every cell quoted, \\HOST\ counter prefixes,
 * local timestamps, blank and " " cells), UTC conversion with the header's
 * offset (EDT 240, BST -60, IST -330, a fall-back DST change), the run
 * directory written (samples.csv read back through libcsv, run.json), and
 * malformed files with their line:column messages.
 */
#include "typeperf.h"
#include "support.h"
#include "csv_table.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <math.h>
#include <unistd.h>

static const char *fx(char *buf, size_t n, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "tests/fixtures/%s", name);
    return src_path(buf, n, rel);
}

static double utc(int y, int mo, int d, int h, int mi, double s)
{
    char text[64];
    double t;
    snprintf(text, sizeof(text), "%02d/%02d/%04d %02d:%02d:%06.3f", mo, d, y, h, mi, s);
    cr_assert_eq(typeperf_parse_time(text, &t), 0, "%s", text);
    return t;
}

Test(typeperf, timestamps)
{
    double t;
    cr_assert_eq(typeperf_parse_time("01/01/1970 00:00:00.000", &t), 0);
    cr_assert_float_eq(t, 0, 1e-9);
    cr_assert_eq(typeperf_parse_time("09/08/2002 12:35:45.166", &t), 0);
    cr_assert_float_eq(t, 1031488545.166, 1e-6); /* date -u -d '2002-09-08 12:35:45' +%s = 1031488545 */
    cr_assert_eq(typeperf_parse_time("02/29/2024 23:59:59.999", &t), 0);
    cr_assert_lt(typeperf_parse_time("02/29/2026 00:00:00.000", &t), 0, "not a leap year");
    cr_assert_lt(typeperf_parse_time("13/01/2026 00:00:00.000", &t), 0);
    cr_assert_lt(typeperf_parse_time("2026-09-08 12:35:47", &t), 0);
    cr_assert_lt(typeperf_parse_time("09/08/2026 12:35:47.", &t), 0);
    cr_assert_lt(typeperf_parse_time("09/08/2026 12:35:47.000 ", &t), 0);
    cr_assert_eq(typeperf_parse_time("09/08/2026 12:35:47", &t), 0, "relog may omit milliseconds");
}

Test(typeperf, basic_file_with_missing_values)
{
    char path[1024];
    struct typeperf_log log;
    struct err e;
    err_clear(&e);
    cr_assert_eq(typeperf_read(fx(path, sizeof(path), "typeperf-basic.csv"), &log, &e), 0, "%s", e.msg);
    cr_assert_str_eq(log.host, "SQL01");
    cr_assert_str_eq(log.zone, "Eastern Daylight Time");
    cr_assert_eq(log.utc_offset_min, 240);
    cr_assert_eq(log.ncounters, 3);
    cr_assert_str_eq(log.counters[0], "\\Memory\\Available MBytes");
    cr_assert_str_eq(log.counters[1], "\\Processor(_Total)\\% Processor Time");
    cr_assert_str_eq(log.counters[2], "\\Process(vmmem)\\Working Set - Private");
    cr_assert_eq(log.nrows, 6);
    /* local 12:35:45.166 EDT is 16:35:45.166 UTC */
    cr_assert_float_eq(log.t_utc[0], utc(2026, 9, 8, 16, 35, 45.166), 1e-6);
    cr_assert_float_eq(log.values[0], 11296, 1e-9);
    cr_assert_float_eq(log.values[1], 7.0625001143654654, 1e-12);
    /* row 3: " " and "" are missing, not zero */
    cr_assert_float_eq(log.values[2 * 3 + 0], 11288, 1e-9);
    cr_assert(isnan(log.values[2 * 3 + 1]));
    cr_assert(isnan(log.values[2 * 3 + 2]));
    cr_assert_eq(log.missing, 2);
    cr_assert_eq(log.backward_steps, 0);
    typeperf_free(&log);
}

Test(typeperf, offsets_east_of_utc)
{
    char path[1024];
    struct typeperf_log log;
    struct err e;
    const char *ist = "\"(PDH-CSV 4.0) (India Standard Time)(-330)\",\"\\\\BLR1\\Memory\\Available MBytes\"\r\n"
                      "\"01/01/2026 05:30:00.000\",\"100\"\r\n";
    err_clear(&e);
    cr_assert_eq(typeperf_read(fx(path, sizeof(path), "typeperf-bst.csv"), &log, &e), 0, "%s", e.msg);
    cr_assert_eq(log.utc_offset_min, -60);
    cr_assert_str_eq(log.zone, "GMT Daylight Time");
    cr_assert_str_eq(log.counters[0], "\\Hyper-V Hypervisor Logical Processor(_Total)\\% Total Run Time");
    /* 10:00 BST is 09:00 UTC */
    cr_assert_float_eq(log.t_utc[0], utc(2026, 6, 30, 9, 0, 0), 1e-6);
    typeperf_free(&log);
    cr_assert_eq(typeperf_parse(ist, strlen(ist), "ist.csv", &log, &e), 0, "%s", e.msg);
    cr_assert_float_eq(log.t_utc[0], utc(2026, 1, 1, 0, 0, 0), 1e-6, "05:30 IST is midnight UTC");
    typeperf_free(&log);
}

Test(typeperf, daylight_saving_fall_back)
{
    char path[1024];
    struct typeperf_log log;
    struct err e;
    err_clear(&e);
    cr_assert_eq(typeperf_read(fx(path, sizeof(path), "typeperf-dst.csv"), &log, &e), 0, "%s", e.msg);
    cr_assert_eq(log.nrows, 4);
    cr_assert_eq(log.backward_steps, 1, "01:59:59 -> 01:00:00 local is counted");
    typeperf_free(&log);
}

Test(typeperf, import_into_new_and_existing_run)
{
    char dir[] = "/tmp/isobench-test-typeperf-XXXXXX";
    char run[256], path[1024], samples[300], runjson[300];
    struct typeperf_log log;
    struct typeperf_import_result res;
    struct table *t = calloc(1, sizeof(*t));
    struct err e;
    cJSON *doc;
    int i;
    err_clear(&e);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(run, sizeof(run), "%s/run1", dir);
    snprintf(samples, sizeof(samples), "%s/samples.csv", run);
    snprintf(runjson, sizeof(runjson), "%s/run.json", run);

    cr_assert_eq(typeperf_read(fx(path, sizeof(path), "typeperf-basic.csv"), &log, &e), 0, "%s", e.msg);
    cr_assert_eq(typeperf_import(&log, "typeperf-basic.csv", run, "hyperv", &res, &e), 0, "%s", e.msg);
    cr_assert_eq(res.created, 1);
    cr_assert_eq(res.samples, 16, "6 rows x 3 counters minus 2 blank cells");
    read_csv(samples, t);
    cr_assert_eq(t->rows, 17);
    cr_assert_str_eq(t->cells[0][0], "t_ms");
    cr_assert_str_eq(t->cells[0][5], "value");
    cr_assert_str_eq(t->cells[1][0], "0");
    cr_assert_str_eq(t->cells[1][1], "host");
    cr_assert_str_eq(t->cells[1][2], "hyperv");
    cr_assert_str_eq(t->cells[1][3], "");
    cr_assert_str_eq(t->cells[1][4], "\\Memory\\Available MBytes");
    cr_assert_str_eq(t->cells[1][5], "11296");
    /* row 3 of the log has only its first counter */
    cr_assert_str_eq(t->cells[7][0], "2008");
    cr_assert_str_eq(t->cells[7][4], "\\Memory\\Available MBytes");
    cr_assert_str_eq(t->cells[8][0], "3012");
    for (i = 1; i < t->rows; i++)
        cr_assert_str_eq(t->cells[i][1], "host");

    {
        char *text = read_text(runjson);
        doc = cJSON_Parse(text);
        free(text);
    }
    cr_assert_not_null(doc);
    cr_assert_str_eq(cJSON_GetObjectItem(doc, "source")->valuestring, "typeperf");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "host"), "hostname")->valuestring, "SQL01");
    cr_assert_str_eq(cJSON_GetObjectItem(doc, "started_utc")->valuestring, "2026-09-08T16:35:45Z");
    cr_assert_str_eq(cJSON_GetObjectItem(doc, "ended_utc")->valuestring, "2026-09-08T16:35:50Z");
    cr_assert(strncmp(cJSON_GetObjectItem(doc, "run_id")->valuestring, "ib", 2) == 0);
    cJSON_Delete(doc);
    typeperf_free(&log);

    /* a second log into the same run: appended, aligned to started_utc */
    cr_assert_eq(typeperf_read(fx(path, sizeof(path), "typeperf-bst.csv"), &log, &e), 0, "%s", e.msg);
    cr_assert_eq(typeperf_import(&log, "typeperf-bst.csv", run, "", &res, &e), 0, "%s", e.msg);
    cr_assert_eq(res.created, 0);
    read_csv(samples, t);
    cr_assert_eq(t->rows, 19, "no second header");
    /* 2026-06-30T09:00:00Z relative to 2026-09-08T16:35:45Z: negative */
    cr_assert_float_eq(atof(t->cells[17][0]), (utc(2026, 6, 30, 9, 0, 0) - utc(2026, 9, 8, 16, 35, 45)) * 1000.0, 1e-3);
    cr_assert_str_eq(t->cells[17][2], "");
    typeperf_free(&log);

    unlink(samples);
    unlink(runjson);
    rmdir(run);
    rmdir(dir);
    free(t);
}

static void expect_error(const char *fixture, const char *message)
{
    char path[1024], want[1200];
    struct typeperf_log log;
    struct err e;
    err_clear(&e);
    fx(path, sizeof(path), fixture);
    cr_assert_lt(typeperf_read(path, &log, &e), 0, "%s parsed", fixture);
    snprintf(want, sizeof(want), "%s:%s", path, message);
    cr_assert_str_eq(e.msg, want);
}

Test(typeperf, malformed_files)
{
    expect_error("typeperf-bad-number.csv", "7:3: expected a number, got \"abc\"");
    expect_error("typeperf-bad-time.csv", "4:1: expected a timestamp MM/DD/YYYY HH:MM:SS.mmm, got \"2026-09-08 12:35:47\"");
    expect_error("typeperf-bad-header.csv",
                 "1:1: expected a header cell like \"(PDH-CSV 4.0) (Coordinated Universal Time)(0)\", got \"Time\"");
    expect_error("typeperf-bad-counter.csv",
                 "1:3: expected a counter path like \"\\\\HOST\\Memory\\Available MBytes\", got \"Available MBytes\"");
    expect_error("typeperf-short-row.csv", "5: expected 4 fields (a timestamp and 3 counters), got 2");
    expect_error("typeperf-unterminated.csv",
                 "3:3: malformed quoting (libcsv: error parsing data while strict checking enabled)");
}

Test(typeperf, empty_and_header_only)
{
    struct typeperf_log log;
    struct err e;
    const char *hdr = "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\H\\Memory\\Available MBytes\"\r\n";
    err_clear(&e);
    cr_assert_lt(typeperf_parse("", 0, "empty.csv", &log, &e), 0);
    cr_assert_str_eq(e.msg, "empty.csv:1: empty file: expected a PDH-CSV 4.0 header line");
    cr_assert_lt(typeperf_parse(hdr, strlen(hdr), "hdr.csv", &log, &e), 0);
    cr_assert(strstr(e.msg, "no data rows") != NULL, "%s", e.msg);
}
