/*
 * fuzz.h - shared by the libFuzzer targets in tests/fuzz/ (see README,
 * "Fuzzing"). Each target is one fuzz_<name>.c defining
 * LLVMFuzzerTestOneInput over a reader of isobench; the build (CMake option
 * ISOBENCH_FUZZ, clang only) links them with -fsanitize=fuzzer,address,
 * undefined. A target must never crash, leak or hit undefined behaviour on
 * any input; a rejected input is fine.
 */
#ifndef ISOBENCH_FUZZ_H
#define ISOBENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (caller frees); NUL bytes inside
   stay, so C-string readers see a prefix, as they would of such a file. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (t == NULL)
        abort();
    memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

#endif
