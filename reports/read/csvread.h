/*
 * csvread.h - streaming CSV reading over libcsv's reader.
 *
 * The run directory's CSV files (containers.csv, samples.csv, ramp.csv) are
 * read with csv_parse() and callbacks, never by hand. csvr_read_file() maps
 * the header row to the columns the caller asks for (by name, in the
 * caller's order) and calls `row` once per data row with exactly those
 * columns; a requested column the file lacks reads as "" (so older files with
 * fewer columns still load), unless it is listed as required. Fields are
 * NUL-terminated and truncated to CSVR_FIELD_MAX-1 bytes. The file is read in
 * large blocks and nothing is kept per row, so a million-row samples.csv
 * costs one pass and no allocation per row.
 */
#ifndef ISOBENCH_CSVREAD_H
#define ISOBENCH_CSVREAD_H

#include <stddef.h>

#include "err.h"

#define CSVR_MAX_COLS 32
#define CSVR_FIELD_MAX 512

/* Called per data row: f[i] is the text of requested column i ("" when empty
   or absent). `line` is the 1-based record number (header = 1). Return
   negative (with e set) to stop reading. */
typedef int (*csvr_row_fn)(void *ctx, char f[][CSVR_FIELD_MAX], long line, struct err *e);

/* Read `path`. `cols` names ncols columns; a name starting with '!' is
   required (the '!' is not part of the name). */
int csvr_read_file(const char *path, const char *const *cols, int ncols,
                   csvr_row_fn row, void *ctx, struct err *e);
/* The same; present[i] (ncols entries) says whether the header has column
   i, so a reader can tell an older file without a column from empty cells. */
int csvr_read_file_present(const char *path, const char *const *cols, int ncols, csvr_row_fn row, void *ctx,
                           int *present, struct err *e);

/* Number parsing for cells: empty -> NAN. Returns 0, or -1 for text that is
   not a finite decimal number ("nan", "inf", "1e999" included). */
int csvr_num(const char *s, double *out);

#endif
