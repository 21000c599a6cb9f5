/*
 * csvread.c - header-mapped, streaming CSV reading over libcsv (see csvread.h).
 *
 * libcsv calls field_cb for every field and row_cb at the end of each record.
 * The first record is the header: it builds pos_to_col[], the map from a
 * column position in the file to the caller's column index (or -1 for
 * columns nobody asked for, which are then skipped without a copy).
 */
#include "csvread.h"
#include "input.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSVR_MAX_FILE_COLS 256

struct csvr {
    const char *path;
    const char *const *cols;
    int ncols;
    csvr_row_fn row;
    void *ctx;
    struct err *e;

    int header_done;
    int pos;                              /* field position within the record */
    long line;
    int failed;
    int pos_to_col[CSVR_MAX_FILE_COLS];
    int seen[CSVR_MAX_COLS];
    char f[CSVR_MAX_COLS][CSVR_FIELD_MAX];
};

static const char *col_name(const char *c)
{
    return c[0] == '!' ? c + 1 : c;
}

static void field_cb(void *s, size_t len, void *data)
{
    struct csvr *r = data;
    int pos = r->pos++;
    if (r->failed || pos >= CSVR_MAX_FILE_COLS)
        return;
    if (!r->header_done) {
        int i;
        /* a UTF-8 byte order mark (spreadsheet exports) is not part of the name */
        const char *name = pos == 0 && r->line == 0 ? input_skip_bom(s) : s;
        r->pos_to_col[pos] = -1;
        for (i = 0; i < r->ncols; i++)
            if (strcmp(col_name(r->cols[i]), name) == 0) {
                r->pos_to_col[pos] = i;
                r->seen[i] = 1;
            }
        return;
    }
    {
        int c = r->pos_to_col[pos];
        if (c < 0)
            return;
        if (len >= CSVR_FIELD_MAX)
            len = CSVR_FIELD_MAX - 1;
        memcpy(r->f[c], s, len);
        r->f[c][len] = '\0';
    }
}

static void row_cb(int term, void *data)
{
    struct csvr *r = data;
    int i, nfields = r->pos;
    (void)term;
    r->pos = 0;
    r->line++;
    if (r->failed)
        return;
    if (!r->header_done) {
        for (i = nfields; i < CSVR_MAX_FILE_COLS; i++)
            r->pos_to_col[i] = -1;
        for (i = 0; i < r->ncols; i++)
            if (r->cols[i][0] == '!' && !r->seen[i]) {
                err_set(r->e, EINVAL, "%s: header has no column '%s'", r->path, col_name(r->cols[i]));
                r->failed = 1;
                return;
            }
        r->header_done = 1;
    } else {
        if (r->row(r->ctx, r->f, r->line, r->e) < 0) {
            err_wrap(r->e, "%s:%ld", r->path, r->line);
            r->failed = 1;
        }
    }
    for (i = 0; i < r->ncols; i++)
        r->f[i][0] = '\0';
}

int csvr_read_file(const char *path, const char *const *cols, int ncols,
                   csvr_row_fn row, void *ctx, struct err *e)
{
    return csvr_read_file_present(path, cols, ncols, row, ctx, NULL, e);
}

int csvr_read_file_present(const char *path, const char *const *cols, int ncols, csvr_row_fn row, void *ctx,
                           int *present, struct err *e)
{
    struct csv_parser p;
    struct csvr *r = NULL;
    FILE *fp = NULL;
    char *buf = NULL;
    const size_t bufsz = 1 << 20;
    size_t n;
    int rc = -1;

    if (ncols > CSVR_MAX_COLS)
        return err_set(e, EINVAL, "%s: too many columns requested", path);
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return err_set(e, ENOMEM, "%s: csv_init failed", path);
    r = calloc(1, sizeof(*r));
    buf = malloc(bufsz);
    if (r == NULL || buf == NULL) {
        err_set(e, ENOMEM, "%s: out of memory", path);
        goto out;
    }
    r->path = path;
    r->cols = cols;
    r->ncols = ncols;
    r->row = row;
    r->ctx = ctx;
    r->e = e;
    fp = fopen(path, "rb");
    if (fp == NULL) {
        err_sys(e, errno, "open %s", path);
        goto out;
    }
    while ((n = fread(buf, 1, bufsz, fp)) > 0) {
        if (csv_parse(&p, buf, n, field_cb, row_cb, r) != n) {
            err_set(e, EINVAL, "%s: CSV parse error near record %ld: %s", path, r->line + 1,
                    csv_strerror(csv_error(&p)));
            goto out;
        }
        if (r->failed)
            goto out;
    }
    if (ferror(fp)) {
        err_sys(e, errno, "read %s", path);
        goto out;
    }
    csv_fini(&p, field_cb, row_cb, r);
    if (r->failed)
        goto out;
    if (!r->header_done) {
        err_set(e, EINVAL, "%s: empty file (no header row)", path);
        goto out;
    }
    if (present != NULL)
        memcpy(present, r->seen, (size_t)ncols * sizeof(*present));
    rc = 0;
out:
    if (fp != NULL)
        fclose(fp);
    csv_free(&p);
    free(buf);
    free(r);
    return rc;
}

int csvr_num(const char *s, double *out)
{
    if (s[0] == '\0') {
        *out = NAN;
        return 0;
    }
    return input_double(s, out);
}
