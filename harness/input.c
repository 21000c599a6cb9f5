/*
 * input.c - numbers and JSON from outside text, checked once (see input.h).
 *
 * cJSON on its own accepts trailing text after a document (cJSON_Parse),
 * keeps duplicate keys (lookups then see the first one, iteration sees all),
 * and stores 1e999 as an infinity. input_json_parse() adds those three checks
 * after a normal parse; strtod() accepts "nan", "inf" and hex floats, which
 * input_double() refuses by looking at the characters first.
 */
#include "input.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers from text ---- */

/* Only what a plain decimal number is made of: refuses nan, inf, 0x... */
static int decimal_chars(const char *s, const char **end)
{
    const char *p = s;
    int digits = 0;
    if (*p == '+' || *p == '-')
        p++;
    while (isdigit((unsigned char)*p) || *p == '.' || *p == 'e' || *p == 'E' ||
           ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E'))) {
        digits += isdigit((unsigned char)*p) != 0;
        p++;
    }
    *end = p;
    return digits > 0 ? 0 : -1;
}

/* The number at the start of s; *end is where it stops. */
static int leading_double(const char *s, double *out, char **end)
{
    const char *stop;
    double v;
    while (isspace((unsigned char)*s))
        s++;
    if (decimal_chars(s, &stop) < 0)
        return -1;
    errno = 0;
    v = strtod(s, end);
    if (*end == s || *end > stop || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int input_double(const char *s, double *out)
{
    char *end;
    double v;
    if (s == NULL || leading_double(s, &v, &end) < 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int input_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    const char *p = s;
    if (s == NULL)
        return -1;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int input_size(const char *s, double *out)
{
    char *end;
    double v, mult = 1;
    if (s == NULL || leading_double(s, &v, &end) < 0 || v < 0)
        return -1;
    switch (toupper((unsigned char)*end)) {
    case '\0': break;
    case 'K': mult = 1024.0; end++; break;
    case 'M': mult = 1024.0 * 1024; end++; break;
    case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: return -1;
    }
    if (*end == 'i' || *end == 'I')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0')
        return -1;
    v *= mult;
    if (!(v <= INPUT_SIZE_MAX))
        return -1;
    *out = v;
    return 0;
}

/* ---- range-checked conversions ---- */

int input_to_i64(double v, int64_t lo, int64_t hi, int64_t *out)
{
    /* 2^63 is exact as a double; every int64_t is below it. */
    if (!isfinite(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
        return -1;
    v = trunc(v);
    if (v < (double)lo || v > (double)hi)
        return -1;
    /* (double)hi may round up past hi (hi = INT64_MAX): clamp the result. */
    *out = (int64_t)v > hi ? hi : (int64_t)v;
    return 0;
}

int input_to_int(double v, int lo, int hi, int *out)
{
    int64_t x;
    if (input_to_i64(v, lo, hi, &x) < 0)
        return -1;
    *out = (int)x;
    return 0;
}

int input_mul_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a != 0 && b != 0) {
        if (a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
                  : (b > 0 ? a < INT64_MIN / b : a < INT64_MAX / b))
            return -1;
    }
    *out = a * b;
    return 0;
}

int input_add_i64(int64_t a, int64_t b, int64_t *out)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return -1;
    *out = a + b;
    return 0;
}

/* ---- dates ---- */

long long input_days_from_civil(long long y, unsigned m, unsigned d)
{
    long long era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* Exactly n decimal digits. */
static int fixed_digits(const char **p, int n, int *out)
{
    int v = 0;
    while (n-- > 0) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return 0;
}

int input_parse_utc(const char *s, double *secs)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const char *p = s;
    int y, mo, d, h, mi, sec, leap;
    double frac = 0, scale = 0.1;
    if (s == NULL || fixed_digits(&p, 4, &y) < 0 || *p++ != '-' || fixed_digits(&p, 2, &mo) < 0 ||
        *p++ != '-' || fixed_digits(&p, 2, &d) < 0 || *p++ != 'T' || fixed_digits(&p, 2, &h) < 0 ||
        *p++ != ':' || fixed_digits(&p, 2, &mi) < 0 || *p++ != ':' || fixed_digits(&p, 2, &sec) < 0)
        return -1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (; isdigit((unsigned char)*p); p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    if (p[0] != 'Z' || p[1] != '\0')
        return -1;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 ||
        mi > 59 || sec > 60)
        return -1;
    *secs = (double)input_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec +
            frac;
    return 0;
}

/* ---- files ---- */

int input_read_file(const char *path, char **out, size_t *len, struct err *e)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (fp == NULL)
        return err_sys(e, errno, "open %s", path);
    for (;;) {
        if (cap - n < 65536) {
            char *nb = realloc(buf, cap ? cap * 2 : 131072);
            if (nb == NULL) {
                free(buf);
                fclose(fp);
                return err_set(e, ENOMEM, "read %s: out of memory", path);
            }
            buf = nb;
            cap = cap ? cap * 2 : 131072;
        }
        got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return err_sys(e, errno, "read %s", path);
    }
    fclose(fp);
    buf[n] = '\0';
    *out = buf;
    if (len != NULL)
        *len = n;
    return 0;
}

/* ---- strict JSON ---- */

const char *input_skip_bom(const char *text)
{
    if (text != NULL && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        return text + 3;
    return text;
}

static void line_col(const char *text, const char *at, int *line, int *col)
{
    const char *p;
    *line = 1;
    *col = 1;
    for (p = text; at != NULL && p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int cmp_key(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The field path of a child: "a.b", "a[3]". */
static void child_path(char *buf, size_t n, const char *parent, const cJSON *child, int index)
{
    if (child->string != NULL)
        snprintf(buf, n, "%s%s%s", parent, parent[0] ? "." : "", child->string);
    else
        snprintf(buf, n, "%s[%d]", parent, index);
}

static int check_tree(const cJSON *node, const char *path, const char *file, struct err *e)
{
    const cJSON *c;
    char sub[512];
    int i = 0, n = 0;

    if (cJSON_IsNumber(node) && !isfinite(node->valuedouble))
        return err_set(e, EINVAL, "%s: %s: number out of range", file, path[0] ? path : "(top)");
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return 0;
    if (cJSON_IsObject(node)) {
        const char **keys;
        cJSON_ArrayForEach(c, node)
            n++;
        keys = malloc((size_t)(n ? n : 1) * sizeof(*keys));
        if (keys == NULL)
            return err_set(e, ENOMEM, "%s: out of memory", file);
        n = 0;
        cJSON_ArrayForEach(c, node)
            keys[n++] = c->string;
        qsort(keys, (size_t)n, sizeof(*keys), cmp_key);
        for (i = 1; i < n; i++)
            if (strcmp(keys[i - 1], keys[i]) == 0) {
                snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", keys[i]);
                free(keys);
                return err_set(e, EINVAL, "%s: %s: duplicate key", file, sub);
            }
        free(keys);
    }
    i = 0;
    cJSON_ArrayForEach(c, node) {
        child_path(sub, sizeof(sub), path, c, i++);
        if (check_tree(c, sub, file, e) < 0)
            return -1;
    }
    return 0;
}

cJSON *input_json_parse(const char *text, const char *file, struct err *e)
{
    const char *start = input_skip_bom(text), *end = NULL;
    cJSON *root;
    int line, col;

    if (text == NULL) {
        err_set(e, EINVAL, "%s: no text", file);
        return NULL;
    }
    root = cJSON_ParseWithOpts(start, &end, 0);
    if (root == NULL) {
        line_col(start, cJSON_GetErrorPtr(), &line, &col);
        err_set(e, EINVAL, "%s:%d:%d: not valid JSON", file, line, col);
        return NULL;
    }
    while (end != NULL && isspace((unsigned char)*end))
        end++;
    if (end != NULL && *end != '\0') {
        line_col(start, end, &line, &col);
        err_set(e, EINVAL, "%s:%d:%d: text after the end of the JSON document", file, line, col);
        cJSON_Delete(root);
        return NULL;
    }
    if (check_tree(root, "", file, e) < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
