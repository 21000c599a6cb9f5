/*
 * fuzz_typeperf.c - Windows performance logs (harness/typeperf.c):
 * typeperf_parse() on PDH-CSV text, and the timestamp parser alone.
 */
#include "fuzz.h"
#include "typeperf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct typeperf_log log;
    struct err e;
    char *text = fuzz_text(data, size);
    double t;

    if (typeperf_parse(text, size, "fuzz.csv", &log, &e) == 0)
        typeperf_free(&log);
    typeperf_parse_time(text, &t);
    free(text);
    return 0;
}
