/*
 * typeperf.h - reading Windows performance logs written by `typeperf -f CSV`
 * or `relog -f CSV` (PDH-CSV 4.0) and adding them to a run directory.
 *
 * The file's header cell "(PDH-CSV 4.0) (<time zone>)(<minutes>)" carries
 * the UTC offset (UTC - local, in minutes) in effect when logging started;
 * every other header cell is a counter path "\\HOST\Object(inst)\Counter".
 * Each data row is a local timestamp "MM/DD/YYYY HH:MM:SS.mmm" and one value
 * per counter; a blank or " " cell means the counter had no value then.
 * Timestamps are converted to UTC with the header's offset (a daylight-saving
 * change inside the file therefore shows as a one-hour jump; such backward
 * steps are counted). Malformed input is rejected with "FILE:LINE:COLUMN:
 * expected ..., got ..." messages.
 */
#ifndef ISOBENCH_TYPEPERF_H
#define ISOBENCH_TYPEPERF_H

#include <stddef.h>

#include "err.h"

/* The header's UTC offset (UTC - local, minutes): real zones lie within
   -14 h .. +12 h; anything beyond 14 h is refused. */
#define TYPEPERF_MAX_OFFSET_MIN 840

struct typeperf_log {
    char host[128];          /* from the first counter's \\HOST\ prefix */
    char zone[128];          /* the header's time-zone name */
    int utc_offset_min;      /* UTC - local */
    int ncounters;
    char **counters;         /* paths without the host prefix (full path if hosts differ) */
    size_t nrows;
    double *t_utc;           /* seconds since 1970-01-01 UTC, per row */
    double *values;          /* nrows x ncounters, NAN = no value */
    size_t missing;          /* blank cells */
    size_t backward_steps;   /* rows whose time is before the previous row's (DST fall-back) */
};

/* Parse a typeperf CSV file (name is used in messages). */
int typeperf_parse(const char *text, size_t len, const char *name, struct typeperf_log *log, struct err *e);
int typeperf_read(const char *path, struct typeperf_log *log, struct err *e);
void typeperf_free(struct typeperf_log *log);

/* Local "MM/DD/YYYY HH:MM:SS.mmm" -> seconds since the epoch as if UTC.
   Returns 0 or -1 when malformed. */
int typeperf_parse_time(const char *s, double *secs);

struct typeperf_import_result {
    char run_dir[1024];
    int created;             /* the run directory (and its run.json) is new */
    size_t samples;          /* rows written to samples.csv */
    double t0_utc;           /* what t_ms = 0 stands for */
};

/* Append the log to <run_dir>/samples.csv (scope host, mode `mode` or "",
   container ""). t_ms is relative to the run's started_utc when run_dir holds
   a run.json with one, else to the log's first timestamp. A new run directory
   gets a minimal run.json {"schema","run_id","source":"typeperf","host":{..},
   "started_utc","ended_utc","status":"complete"}. run_dir NULL: results/<UTC
   timestamp of the first row>. */
int typeperf_import(const struct typeperf_log *log, const char *source, const char *run_dir, const char *mode,
                    struct typeperf_import_result *res, struct err *e);

#endif
