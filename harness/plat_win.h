/*
 * plat_win.h - small helpers shared by the Windows-only files (*_win.c and
 * the _WIN32 part of harness/drivers/hcs.c): UTF-8 <-> UTF-16 conversion and
 * Win32 / HRESULT error text. Include only under _WIN32.
 */
#ifndef ISOBENCH_PLAT_WIN_H
#define ISOBENCH_PLAT_WIN_H

#ifdef _WIN32
#include <windows.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* New UTF-16 copy of a UTF-8 string (free()); NULL on failure. */
wchar_t *win_wide(const char *s);
/* UTF-16 to UTF-8 into buf (always terminated). Returns 0 or -1. */
int win_utf8(const wchar_t *w, char *buf, size_t n);
/* New UTF-8 copy of a UTF-16 string (free()); NULL on failure. */
char *win_utf8_dup(const wchar_t *w);
/* System message for a Win32 error or HRESULT, without the trailing newline. */
void win_error_text(DWORD code, char *buf, size_t n);
/* Bytes read from a pipe past the last line returned, and when they arrived. */
struct win_line_buf {
    char acc[4096];
    size_t used;
    int64_t t_ns;
};
/* Wait at most timeout_ms for a line starting with `marker` on a pipe
   handle (synchronous or overlapped, anonymous or named). The line goes to
   buf and the QueryPerformanceCounter time its bytes arrived to *t_ns.
   Errors: ETIMEDOUT, EPIPE (the writer closed the pipe first), EIO. */
int win_wait_line(HANDLE h, struct win_line_buf *lb, const char *marker, int timeout_ms, char *buf, size_t n,
                  int64_t *t_ns, struct err *e);
/* err_set with ": <system message> (code)" appended. Returns -1. */
int err_win(struct err *e, DWORD code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(ERR_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;
#endif

#endif
