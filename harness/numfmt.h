/*
 * numfmt.h - numbers in the CSV files isobench writes: a value that is a
 * whole number (bytes, nanoseconds, counts) is written as an integer with
 * every digit ("695468032", never "6.95468e+08"); any other value with the
 * fewest significant digits that read back to the same double (shortest
 * round trip, at most 17). NAN and infinities are written as "" (unknown).
 */
#ifndef ISOBENCH_NUMFMT_H
#define ISOBENCH_NUMFMT_H

#include <stddef.h>

/* Format v into buf (n >= 32 always suffices). Returns buf. */
const char *numfmt(char *buf, size_t n, double v);
/* A measured quantity that is a whole number by nature (bytes, ns,
   counts), rounded to the nearest integer: "1234", "" for NAN. */
const char *numfmt_int(char *buf, size_t n, double v);

#endif
