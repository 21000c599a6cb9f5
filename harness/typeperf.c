/*
 * typeperf.c - typeperf / relog CSV logs into a run directory (typeperf.h).
 *
 * The file is fed to libcsv one physical line at a time, so every message can
 * name the line, and the field callback counts columns. Times are converted
 * with plain calendar arithmetic (no timegm, no local time zone), so the
 * result does not depend on the machine that imports the file.
 */
#include "typeperf.h"
#include "numfmt.h"
#include "pdh_sampler.h"
#include "input.h"
#include "plat.h"
#include "results_out.h"
#include "runner.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    long long era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void utc_parts(double t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    long long secs = (long long)floor(t);
    long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    long long rem = secs - days * 86400;
    civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int typeperf_parse_time(const char *s, double *secs)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int mo, d, y, h, mi, sec, leap;
    double frac = 0, scale = 0.1;
    const char *p = s;

    if (digits(&p, 2, &mo) < 0 || *p++ != '/' || digits(&p, 2, &d) < 0 || *p++ != '/' || digits(&p, 4, &y) < 0 ||
        *p++ != ' ' || digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
        digits(&p, 2, &sec) < 0)
        return -1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p)) {
            frac += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    if (*p != '\0')
        return -1;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    *secs = (double)input_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac;
    return 0;
}

/* "(PDH-CSV 4.0) (Eastern Daylight Time)(240)" */
static int parse_header_cell(const char *s, char *zone, size_t zn, int *offset)
{
    const char *p = s, *open, *close, *last;
    char *end;
    long v;
    if (strncmp(p, "(PDH-CSV 4.0)", 13) != 0)
        return -1;
    p += 13;
    while (*p == ' ')
        p++;
    last = strrchr(p, '(');
    if (last == NULL || last == p)
        return -1;
    v = strtol(last + 1, &end, 10);
    if (end == last + 1 || *end != ')' || end[1] != '\0' || v < -TYPEPERF_MAX_OFFSET_MIN ||
        v > TYPEPERF_MAX_OFFSET_MIN)
        return -1;
    open = p;
    close = last - 1;
    if (*open != '(' || *close != ')' || close <= open)
        return -1;
    snprintf(zone, zn, "%.*s", (int)(close - open - 1), open + 1);
    *offset = (int)v;
    return 0;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

struct pstate {
    const char *name;
    struct typeperf_log *log;
    struct err *e;
    int failed;
    int line, col, rows_seen;
    int header_done;
    char **hdr;
    int nhdr, caphdr;
    double t;
    double *row;
    size_t caprows;
};

static int fail(struct pstate *p, int col, const char *fmt, const char *got)
{
    char what[256];
    if (p->failed)
        return -1;
    p->failed = 1;
    snprintf(what, sizeof(what), "%s", fmt);
    if (col > 0)
        return err_set(p->e, EINVAL, "%s:%d:%d: %s, got \"%.80s\"", p->name, p->line, col, what, got);
    return err_set(p->e, EINVAL, "%s:%d: %s", p->name, p->line, what);
}

static void on_field(void *s, size_t len, void *data)
{
    struct pstate *p = data;
    const char *f = s != NULL ? (const char *)s : "";
    struct typeperf_log *log = p->log;
    (void)len;
    p->col++;
    if (p->failed)
        return;
    if (!p->header_done) {
        if (p->nhdr == p->caphdr) {
            char **n = realloc(p->hdr, sizeof(char *) * (size_t)(p->caphdr ? p->caphdr * 2 : 16));
            if (n == NULL) {
                fail(p, 0, "out of memory", "");
                return;
            }
            p->hdr = n;
            p->caphdr = p->caphdr ? p->caphdr * 2 : 16;
        }
        p->hdr[p->nhdr] = dupstr(f);
        if (p->hdr[p->nhdr] == NULL) {
            fail(p, 0, "out of memory", "");
            return;
        }
        p->nhdr++;
        return;
    }
    if (p->col == 1) {
        if (typeperf_parse_time(f, &p->t) < 0)
            fail(p, 1, "expected a timestamp MM/DD/YYYY HH:MM:SS.mmm", f);
        return;
    }
    if (p->col - 2 >= log->ncounters) {
        char msg[96];
        snprintf(msg, sizeof(msg), "expected %d fields (a timestamp and %d counters)", log->ncounters + 1,
                 log->ncounters);
        fail(p, p->col, msg, f);
        return;
    }
    {
        const char *q = f;
        char *end;
        double v;
        while (*q == ' ')
            q++;
        if (*q == '\0') {
            p->row[p->col - 2] = NAN;
            log->missing++;
            return;
        }
        errno = 0;
        v = strtod(q, &end);
        while (*end == ' ')
            end++;
        if (end == q || *end != '\0' || errno == ERANGE || isnan(v) || isinf(v)) {
            fail(p, p->col, "expected a number", f);
            return;
        }
        p->row[p->col - 2] = v;
    }
}

static void finish_header(struct pstate *p)
{
    struct typeperf_log *log = p->log;
    int i;
    char host[128], counter[PDH_PATH_MAX];
    if (p->nhdr < 2 || parse_header_cell(p->hdr[0], log->zone, sizeof(log->zone), &log->utc_offset_min) < 0) {
        p->line = 1;
        fail(p, 1, "expected a header cell like \"(PDH-CSV 4.0) (Coordinated Universal Time)(0)\"",
             p->nhdr > 0 ? p->hdr[0] : "");
        return;
    }
    log->ncounters = p->nhdr - 1;
    log->counters = calloc((size_t)log->ncounters, sizeof(char *));
    p->row = calloc((size_t)log->ncounters, sizeof(double));
    if (log->counters == NULL || p->row == NULL) {
        fail(p, 0, "out of memory", "");
        return;
    }
    for (i = 1; i < p->nhdr; i++) {
        if (pdh_split_path(p->hdr[i], host, sizeof(host), counter, sizeof(counter)) < 0) {
            fail(p, i + 1, "expected a counter path like \"\\\\HOST\\Memory\\Available MBytes\"", p->hdr[i]);
            return;
        }
        if (i == 1)
            snprintf(log->host, sizeof(log->host), "%s", host);
        /* a second host keeps its prefix so counters cannot collide */
        log->counters[i - 1] = dupstr(strcmp(host, log->host) == 0 ? counter : p->hdr[i]);
        if (log->counters[i - 1] == NULL) {
            fail(p, 0, "out of memory", "");
            return;
        }
    }
    p->header_done = 1;
}

static void on_row(int c, void *data)
{
    struct pstate *p = data;
    struct typeperf_log *log = p->log;
    (void)c;
    p->rows_seen++;
    if (p->failed)
        goto next;
    if (!p->header_done) {
        finish_header(p);
        goto next;
    }
    if (p->col != log->ncounters + 1) {
        char msg[96];
        snprintf(msg, sizeof(msg), "expected %d fields (a timestamp and %d counters), got %d", log->ncounters + 1,
                 log->ncounters, p->col);
        fail(p, 0, msg, "");
        goto next;
    }
    if (log->nrows == p->caprows) {
        size_t cap = p->caprows ? p->caprows * 2 : 256;
        double *t = realloc(log->t_utc, cap * sizeof(double));
        double *v;
        if (t == NULL) {
            fail(p, 0, "out of memory", "");
            goto next;
        }
        log->t_utc = t;
        v = realloc(log->values, cap * (size_t)log->ncounters * sizeof(double));
        if (v == NULL) {
            fail(p, 0, "out of memory", "");
            goto next;
        }
        log->values = v;
        p->caprows = cap;
    }
    /* local -> UTC: the header's offset is UTC - local */
    log->t_utc[log->nrows] = p->t + log->utc_offset_min * 60.0;
    if (log->nrows > 0 && log->t_utc[log->nrows] < log->t_utc[log->nrows - 1])
        log->backward_steps++;
    memcpy(log->values + log->nrows * (size_t)log->ncounters, p->row, (size_t)log->ncounters * sizeof(double));
    log->nrows++;
next:
    p->col = 0;
}

void typeperf_free(struct typeperf_log *log)
{
    int i;
    for (i = 0; log->counters != NULL && i < log->ncounters; i++)
        free(log->counters[i]);
    free(log->counters);
    free(log->t_utc);
    free(log->values);
    memset(log, 0, sizeof(*log));
}

int typeperf_parse(const char *text, size_t len, const char *name, struct typeperf_log *log, struct err *e)
{
    struct csv_parser cp;
    struct pstate p;
    size_t off = 0;
    int i, rc = -1;

    memset(log, 0, sizeof(*log));
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.log = log;
    p.e = e;
    if (csv_init(&cp, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return err_set(e, ENOMEM, "%s: csv_init failed", name);
    /* a UTF-8 byte order mark (relog can write one) */
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        off = 3;
    while (off < len && !p.failed) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t linelen = nl != NULL ? (size_t)(nl - (text + off)) + 1 : len - off;
        size_t k;
        int blank = 1, before = p.rows_seen;
        p.line++;
        for (k = 0; k < linelen; k++)
            if (text[off + k] != '\r' && text[off + k] != '\n' && text[off + k] != ' ')
                blank = 0;
        if (csv_parse(&cp, text + off, linelen, on_field, on_row, &p) != linelen) {
            if (!p.failed)
                err_set(e, EINVAL, "%s:%d:%d: malformed quoting (libcsv: %s)", name, p.line, p.col + 1,
                        csv_strerror(csv_error(&cp)));
            p.failed = 1;
            break;
        }
        if (nl == NULL)
            csv_fini(&cp, on_field, on_row, &p);
        if (!p.failed && !blank && p.rows_seen == before) {
            fail(&p, 0, "unterminated quoted field", "");
            break;
        }
        off += linelen;
    }
    if (p.failed)
        goto out;
    if (!p.header_done) {
        p.line = 1;
        fail(&p, 0, "empty file: expected a PDH-CSV 4.0 header line", "");
        goto out;
    }
    if (log->nrows == 0) {
        fail(&p, 0, "no data rows after the header", "");
        goto out;
    }
    rc = 0;
out:
    csv_free(&cp);
    for (i = 0; i < p.nhdr; i++)
        free(p.hdr[i]);
    free(p.hdr);
    free(p.row);
    if (rc < 0)
        typeperf_free(log);
    return rc;
}

int typeperf_read(const char *path, struct typeperf_log *log, struct err *e)
{
    char *buf = NULL;
    size_t len = 0;
    int rc;
    if (input_read_file(path, &buf, &len, e) < 0)
        return -1;
    rc = typeperf_parse(buf, len, path, log, e);
    free(buf);
    return rc;
}

static void iso_utc(double t, char *buf, size_t n)
{
    int y, mo, d, h, mi, s;
    utc_parts(t, &y, &mo, &d, &h, &mi, &s);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
}

/* started_utc of an existing run.json ("2026-11-25T09:15:00Z"): samples
   are timed against it, so a run.json that does not give a valid one is an
   error, never a silent switch to the log's own clock. */
static int run_started(const char *dir, double *t0, struct err *e)
{
    char path[2048];
    char *text = NULL;
    cJSON *doc;
    const cJSON *s;
    int rc = 0;
    snprintf(path, sizeof(path), "%s/run.json", dir);
    if (input_read_file(path, &text, NULL, e) < 0)
        return -1;
    doc = input_json_parse(text, path, e);
    free(text);
    if (doc == NULL)
        return -1;
    s = cJSON_GetObjectItemCaseSensitive(doc, "started_utc");
    if (!cJSON_IsString(s) || input_parse_utc(s->valuestring, t0) < 0)
        rc = err_set(e, EINVAL, "%s: started_utc: expected a UTC time like \"2026-11-25T09:15:00Z\"", path);
    cJSON_Delete(doc);
    return rc;
}

static void put_text(FILE *f, const char *s)
{
    fputc(',', f);
    if (s != NULL && s[0] != '\0')
        csv_fwrite(f, s, strlen(s));
}

int typeperf_import(const struct typeperf_log *log, const char *source, const char *run_dir, const char *mode,
                    struct typeperf_import_result *res, struct err *e)
{
    char path[2048], num[40];
    FILE *f;
    int exists, have_samples, i;
    size_t r;
    double t0;

    memset(res, 0, sizeof(*res));
    if (log->nrows == 0)
        return err_set(e, EINVAL, "%s: no data rows", source);
    if (run_dir != NULL && run_dir[0] != '\0') {
        snprintf(res->run_dir, sizeof(res->run_dir), "%s", run_dir);
    } else {
        int y, mo, d, h, mi, s;
        utc_parts(log->t_utc[0], &y, &mo, &d, &h, &mi, &s);
        snprintf(res->run_dir, sizeof(res->run_dir), "results/%04d%02d%02dT%02d%02d%02dZ", y, mo, d, h, mi, s);
    }
    snprintf(path, sizeof(path), "%s/run.json", res->run_dir);
    exists = plat_exists(path);
    if (plat_mkdir_p(res->run_dir, e) < 0)
        return -1;
    if (!exists)
        t0 = log->t_utc[0];
    else if (run_started(res->run_dir, &t0, e) < 0)
        return -1;
    res->t0_utc = t0;

    snprintf(path, sizeof(path), "%s/samples.csv", res->run_dir);
    have_samples = plat_exists(path);
    f = fopen(path, "ab");
    if (f == NULL)
        return err_sys(e, errno, "open %s", path);
    if (!have_samples)
        fputs("t_ms,scope,mode,container,counter,value\n", f);
    for (r = 0; r < log->nrows; r++) {
        /* typeperf stamps have millisecond resolution; the epoch-second doubles
           carry ~0.2 us of rounding noise, which is dropped (microseconds kept) */
        double t_ms = nearbyint((log->t_utc[r] - t0) * 1e6) / 1e3;
        for (i = 0; i < log->ncounters; i++) {
            double v = log->values[r * (size_t)log->ncounters + (size_t)i];
            if (isnan(v))
                continue;
            fputs(numfmt(num, sizeof(num), t_ms), f);
            put_text(f, "host");
            put_text(f, mode);
            put_text(f, "");
            put_text(f, log->counters[i]);
            fprintf(f, ",%s\n", numfmt(num, sizeof(num), v));
            res->samples++;
        }
    }
    if (fclose(f) != 0)
        return err_sys(e, errno, "write %s", path);

    if (!exists) {
        cJSON *doc = cJSON_CreateObject(), *x, *cs;
        char id[32], when[40];
        int rc;
        cJSON_AddNumberToObject(doc, "schema", 1);
        x = cJSON_AddObjectToObject(doc, "isobench");
        cJSON_AddStringToObject(x, "version", ISOBENCH_VERSION);
        cJSON_AddStringToObject(x, "git_sha", ISOBENCH_GIT_SHA);
        run_new_id(id, sizeof(id));
        cJSON_AddStringToObject(doc, "run_id", id);
        cJSON_AddStringToObject(doc, "source", "typeperf");
        cJSON_AddStringToObject(doc, "source_file", source);
        x = cJSON_AddObjectToObject(doc, "host");
        cJSON_AddStringToObject(x, "hostname", log->host);
        cJSON_AddStringToObject(x, "os", "Windows");
        x = cJSON_AddObjectToObject(doc, "typeperf");
        cJSON_AddStringToObject(x, "time_zone", log->zone);
        cJSON_AddNumberToObject(x, "utc_offset_min", log->utc_offset_min);
        cJSON_AddNumberToObject(x, "rows", (double)log->nrows);
        cJSON_AddNumberToObject(x, "missing_values", (double)log->missing);
        cJSON_AddNumberToObject(x, "backward_time_steps", (double)log->backward_steps);
        cs = cJSON_AddArrayToObject(x, "counters");
        for (i = 0; i < log->ncounters; i++)
            cJSON_AddItemToArray(cs, cJSON_CreateString(log->counters[i]));
        cJSON_AddArrayToObject(doc, "modes");
        iso_utc(log->t_utc[0], when, sizeof(when));
        cJSON_AddStringToObject(doc, "started_utc", when);
        iso_utc(log->t_utc[log->nrows - 1], when, sizeof(when));
        cJSON_AddStringToObject(doc, "ended_utc", when);
        cJSON_AddStringToObject(doc, "status", "complete");
        rc = results_write_json_file(res->run_dir, "run.json", doc, e);
        cJSON_Delete(doc);
        if (rc < 0)
            return -1;
        res->created = 1;
    }
    return 0;
}
