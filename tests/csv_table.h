/*
 * csv_table.h - read a small CSV file into a table of strings through
 * libcsv's reader, for tests that check what isobench wrote.
 */
#ifndef ISOBENCH_TEST_CSV_TABLE_H
#define ISOBENCH_TEST_CSV_TABLE_H

#include <criterion/criterion.h>
#include <csv.h>
#include <stdio.h>
#include <string.h>

struct table {
    char cells[64][32][600];
    int rows, col;
};

static void table_on_field(void *s, size_t len, void *data)
{
    struct table *t = data;
    if (t->rows < 64 && t->col < 32) {
        size_t n = len < 599 ? len : 599;
        memcpy(t->cells[t->rows][t->col], s ? (const char *)s : "", n);
        t->cells[t->rows][t->col][n] = '\0';
    }
    t->col++;
}

static void table_on_row(int c, void *data)
{
    struct table *t = data;
    (void)c;
    t->rows++;
    t->col = 0;
}

/* Fill t (allocate it on the heap: it is large) from path. */
static inline void read_csv(const char *path, struct table *t)
{
    struct csv_parser p;
    char buf[4096];
    size_t n;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    memset(t, 0, sizeof(*t));
    csv_init(&p, CSV_APPEND_NULL);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        cr_assert_eq(csv_parse(&p, buf, n, table_on_field, table_on_row, t), n);
    csv_fini(&p, table_on_field, table_on_row, t);
    csv_free(&p);
    fclose(f);
}

#endif
