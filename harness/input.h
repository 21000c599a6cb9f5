/*
 * input.h - the one place where isobench turns outside text into numbers and
 * JSON trees.
 *
 * Every reader (scenario files, hosts.json, thresholds, run directories,
 * typeperf logs, docker and HCS responses, command-line options) goes through
 * these helpers so that bad input is refused the same way everywhere:
 *   - no NaN or infinity ever comes out of a text or a JSON number;
 *   - a double becomes an integer only after a range check (a cast of an
 *     out-of-range double is undefined behaviour in C);
 *   - integer arithmetic on input values (x 100, sums) is checked;
 *   - a JSON document is one value with nothing after it, no key twice in an
 *     object, no number that overflows a double, and an optional UTF-8 BOM.
 * The functions are pure; they never print. Messages name the file and the
 * field path ("hosts.json: [2].cores: ...").
 */
#ifndef ISOBENCH_INPUT_H
#define ISOBENCH_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct cJSON;

/* The largest size any field accepts: 2^62 bytes (4 EiB). */
#define INPUT_SIZE_MAX 4611686018427387904.0

/* A finite decimal number filling all of `s` (leading blanks allowed; no
   "nan", "inf", hex, or trailing text). Returns 0 or -1. */
int input_double(const char *s, double *out);

/* An integer in [lo, hi] filling all of `s` ("12", "-3"; no "1e3", no
   trailing text). Returns 0 or -1. */
int input_long(const char *s, long lo, long hi, long *out);

/* A size: "512M", "2G", "1.5GiB", "1048576" -> bytes; finite, >= 0 and at
   most INPUT_SIZE_MAX. Returns 0 or -1. */
int input_size(const char *s, double *out);

/* Range-checked conversions of a double (truncating toward zero, like a
   cast, but -1 for NaN, infinities and values outside [lo, hi]). */
int input_to_i64(double v, int64_t lo, int64_t hi, int64_t *out);
int input_to_int(double v, int lo, int hi, int *out);

/* a * b and a + b on int64_t; -1 on overflow (then *out is unchanged). */
int input_mul_i64(int64_t a, int64_t b, int64_t *out);
int input_add_i64(int64_t a, int64_t b, int64_t *out);

/* Parse a whole JSON document strictly (see the top of this file). `file`
   names the source in messages ("FILE:LINE:COL: ..."). NULL on failure with
   e set; the caller frees the tree with cJSON_Delete. */
struct cJSON *input_json_parse(const char *text, const char *file, struct err *e);

/* Skip a UTF-8 byte order mark. */
const char *input_skip_bom(const char *text);

/* The whole of a file, NUL-terminated (caller frees); *len (if not NULL)
   excludes the NUL. Errors name the path. */
int input_read_file(const char *path, char **out, size_t *len, struct err *e);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
long long input_days_from_civil(long long y, unsigned m, unsigned d);

/* "2026-11-25T09:15:00Z" (optionally with a fraction of a second) -> seconds
   since 1970 UTC. Every field is range-checked, the day against its month
   ("2026-13-45T99:99:99Z" and "2026-02-30..." are refused). Returns 0 or -1. */
int input_parse_utc(const char *s, double *secs);

#endif
