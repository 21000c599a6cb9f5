/*
 * err.c - building and wrapping error messages (see err.h).
 *
 * Messages are kept in a fixed buffer inside struct err so that an error can
 * be reported from any depth without allocation; a message that would not fit
 * is truncated, never overflowed.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
    if (e == NULL)
        return;
    e->code = 0;
    e->msg[0] = '\0';
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return -1;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

int err_sys(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;
    size_t len;

    if (e == NULL)
        return -1;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    len = strlen(e->msg);
    if (len < sizeof(e->msg))
        snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(code));
    return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
    char prefix[ERR_MSG_MAX];
    char old[ERR_MSG_MAX];
    va_list ap;

    if (e == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof(old));
    if (old[0] == '\0')
        snprintf(e->msg, sizeof(e->msg), "%s", prefix);
    else
        snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old);
    return -1;
}
