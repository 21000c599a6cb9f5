/*
 * numfmt.c - CSV numbers (see numfmt.h).
 */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *numfmt(char *buf, size_t n, double v)
{
    int prec;
    if (isnan(v) || isinf(v)) {
        snprintf(buf, n, "%s", "");
        return buf;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* 2^53: every integer below is exact */
        snprintf(buf, n, "%.0f", v);
        return buf;
    }
    for (prec = 1; prec < 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return buf;
    }
    snprintf(buf, n, "%.17g", v);
    return buf;
}

const char *numfmt_int(char *buf, size_t n, double v)
{
    if (isnan(v) || isinf(v))
        snprintf(buf, n, "%s", "");
    else
        snprintf(buf, n, "%.0f", nearbyint(v));
    return buf;
}
