/*
 * err.h - errors as values.
 *
 * Every fallible function in isobench has the shape `int f(..., struct err *e)`:
 * it returns a negative value on failure and leaves a human-readable message in
 * `e`. Callers that add context wrap the message ("container 3: ns: mount
 * overlay: Permission denied"). Only main() prints an error and exits; the
 * harness, the drivers and the reports never do.
 */
#ifndef ISOBENCH_ERR_H
#define ISOBENCH_ERR_H

#include <stddef.h>

/* Format checking: mingw-w64 builds use its C99 printf (__USE_MINGW_ANSI_STDIO,
   set in CMakeLists.txt), whose archetype is gnu_printf, not ms_printf. */
#if defined(__MINGW32__)
#define ERR_PRINTF_ARCHETYPE gnu_printf
#else
#define ERR_PRINTF_ARCHETYPE printf
#endif

#define ERR_MSG_MAX 1024

struct err {
    int code;               /* errno-style code when one applies, else 0 */
    char msg[ERR_MSG_MAX];  /* "outer: inner: detail" */
};

/* Clear an error. */
void err_clear(struct err *e);

/* Set the message (printf-style). Returns -1 so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(ERR_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;

/* Set the message and append ": strerror(code)". Returns -1. */
int err_sys(struct err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(ERR_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;

/* Prefix the current message with context ("ctx: old message"). Returns -1. */
int err_wrap(struct err *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(ERR_PRINTF_ARCHETYPE, 2, 3)))
#endif
    ;

#endif
