/*
 * docker_http_win.c - the docker driver's transport on Windows (see docker.h).
 *
 * The Docker Engine on Windows listens on the named pipe
 * \\.\pipe\docker_engine (DOCKER_HOST=npipe:////./pipe/docker_engine).
 * A pipe HANDLE opened with CreateFileW in overlapped mode is the byte pipe
 * under the shared HTTP/1.1 client of docker_http.c: WriteFile for the
 * request, ReadFile with an event and WaitForSingleObject for reads with a
 * timeout (CancelIoEx when it expires). One handle per connection, never
 * shared between threads; a request connection is kept alive and reopened
 * once when the engine closed it while idle.
 *
 * The busybox image and the host-process counters are Linux-only: on
 * Windows a mode names a Windows image (options.image), and memory comes
 * from the engine's stats (private working set, commit).
 */
#include "docker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

const char *dkt_default_host(void)
{
    return "npipe:////./pipe/docker_engine";
}

/* "npipe:////./pipe/docker_engine" -> L"\\\\.\\pipe\\docker_engine". */
static int pipe_name(const char *host, wchar_t *out, size_t n, struct err *e)
{
    const char *p;
    size_t i = 0;
    if (strncmp(host, "npipe://", 8) != 0)
        return err_set(e, EINVAL, "docker: engine address %s: only npipe:// pipes are supported on Windows",
                       host);
    for (p = host + 8; *p != '\0' && i + 1 < n; p++)
        out[i++] = *p == '/' ? L'\\' : (wchar_t)(unsigned char)*p;
    out[i] = L'\0';
    if (*p != '\0' || wcsncmp(out, L"\\\\.\\pipe\\", 9) != 0)
        return err_set(e, EINVAL, "docker: engine address %s: not a local pipe (npipe:////./pipe/NAME)", host);
    return 0;
}

/* ---- the byte pipe ---- */

struct pipe_conn {
    HANDLE h;
    HANDLE ev;
};

static int win_err(struct err *e, const char *what)
{
    DWORD code = GetLastError();
    char msg[256] = "";
    size_t len;
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, msg,
                   sizeof(msg), NULL);
    len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r' || msg[len - 1] == '.'))
        msg[--len] = '\0';
    return err_set(e, EIO, "%s: %s (Windows error %lu)", what, msg, (unsigned long)code);
}

static void pipe_close(struct pipe_conn *c)
{
    if (c->h != INVALID_HANDLE_VALUE && c->h != NULL)
        CloseHandle(c->h);
    if (c->ev != NULL)
        CloseHandle(c->ev);
    c->h = INVALID_HANDLE_VALUE;
    c->ev = NULL;
}

static int pipe_open(struct pipe_conn *c, const wchar_t *name, const char *host, int timeout_ms,
                     struct err *e)
{
    c->h = INVALID_HANDLE_VALUE;
    c->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (c->ev == NULL)
        return win_err(e, "CreateEvent");
    for (;;) {
        c->h = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
        if (c->h != INVALID_HANDLE_VALUE)
            return 0;
        if (GetLastError() != ERROR_PIPE_BUSY) {
            win_err(e, "open pipe");
            pipe_close(c);
            return -1;
        }
        if (!WaitNamedPipeW(name, (DWORD)timeout_ms)) {
            err_set(e, ETIMEDOUT, "every pipe instance busy for %d ms", timeout_ms);
            pipe_close(c);
            return -1;
        }
    }
}

static int pipe_write(void *ctx, const void *buf, size_t n, struct err *e)
{
    struct pipe_conn *c = ctx;
    const char *p = buf;
    while (n > 0) {
        OVERLAPPED ov;
        DWORD chunk = n > (1u << 20) ? (1u << 20) : (DWORD)n, done = 0;
        memset(&ov, 0, sizeof(ov));
        ov.hEvent = c->ev;
        ResetEvent(c->ev);
        if (!WriteFile(c->h, p, chunk, NULL, &ov) && GetLastError() != ERROR_IO_PENDING)
            return win_err(e, "write to engine pipe");
        if (!GetOverlappedResult(c->h, &ov, &done, TRUE))
            return win_err(e, "write to engine pipe");
        p += done;
        n -= done;
    }
    return 0;
}

static int pipe_read(void *ctx, void *buf, size_t n, int timeout_ms, struct err *e)
{
    struct pipe_conn *c = ctx;
    OVERLAPPED ov;
    DWORD got = 0, code;

    memset(&ov, 0, sizeof(ov));
    ov.hEvent = c->ev;
    ResetEvent(c->ev);
    if (n > (1u << 20))
        n = 1u << 20;
    if (!ReadFile(c->h, buf, (DWORD)n, NULL, &ov)) {
        code = GetLastError();
        if (code == ERROR_BROKEN_PIPE || code == ERROR_PIPE_NOT_CONNECTED)
            return DK_EOF;
        if (code != ERROR_IO_PENDING)
            return win_err(e, "read from engine pipe");
        if (WaitForSingleObject(c->ev, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms) == WAIT_TIMEOUT) {
            CancelIoEx(c->h, &ov);
            /* The read may have completed meanwhile: then its bytes count. */
            if (!GetOverlappedResult(c->h, &ov, &got, TRUE)) {
                code = GetLastError();
                if (code == ERROR_OPERATION_ABORTED)
                    return 0;
                if (code == ERROR_BROKEN_PIPE || code == ERROR_PIPE_NOT_CONNECTED)
                    return DK_EOF;
                return win_err(e, "read from engine pipe");
            }
            return got > 0 ? (int)got : 0;
        }
    }
    if (!GetOverlappedResult(c->h, &ov, &got, TRUE)) {
        code = GetLastError();
        if (code == ERROR_BROKEN_PIPE || code == ERROR_PIPE_NOT_CONNECTED)
            return DK_EOF;
        return win_err(e, "read from engine pipe");
    }
    return got > 0 ? (int)got : DK_EOF;
}

/* ---- request connections ---- */

struct dkt {
    struct pipe_conn c;
    int connected;
    wchar_t name[256];
    char host[512];
};

int dkt_open(const char *host, struct dkt **out, struct err *e)
{
    struct dkt *t = calloc(1, sizeof(*t));
    *out = NULL;
    if (t == NULL)
        return err_set(e, ENOMEM, "out of memory");
    if (pipe_name(host, t->name, sizeof(t->name) / sizeof(t->name[0]), e) < 0) {
        free(t);
        return -1;
    }
    snprintf(t->host, sizeof(t->host), "%s", host);
    t->c.h = INVALID_HANDLE_VALUE;
    *out = t;
    return 0;
}

void dkt_close(struct dkt *t)
{
    if (t == NULL)
        return;
    if (t->connected)
        pipe_close(&t->c);
    free(t);
}

int dkt_call(struct dkt *t, const char *method, const char *path, const char *content_type,
             const void *body, size_t body_len, int timeout_ms, struct dk_resp *r, struct err *e)
{
    struct dk_io io;
    int attempt, reusable = 0, got_any = 0;

    for (attempt = 0; attempt < 2; attempt++) {
        int was_connected = t->connected;
        if (!t->connected) {
            if (pipe_open(&t->c, t->name, t->host, timeout_ms, e) < 0)
                return err_wrap(e, "engine at %s", t->host);
            t->connected = 1;
        }
        io.ctx = &t->c;
        io.write = pipe_write;
        io.read = pipe_read;
        if (dk_http_exchange(&io, method, path, content_type, body, body_len, timeout_ms, r, &reusable,
                             &got_any, e) == 0) {
            if (!reusable) {
                pipe_close(&t->c);
                t->connected = 0;
            }
            return 0;
        }
        pipe_close(&t->c);
        t->connected = 0;
        /* A kept-alive connection the engine closed while idle: once more. */
        if (!was_connected || got_any)
            break;
    }
    return err_wrap(e, "engine at %s: %s %s", t->host, method, path);
}

/* ---- streams ---- */

struct dkt_stream {
    struct pipe_conn c;
    struct dk_http_stream hs;
};

int dkt_stream_open(const char *host, const char *method, const char *path, int timeout_ms,
                    struct dkt_stream **out, struct err *e)
{
    struct dkt_stream *s;
    wchar_t name[256];

    *out = NULL;
    if (pipe_name(host, name, sizeof(name) / sizeof(name[0]), e) < 0)
        return -1;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return err_set(e, ENOMEM, "out of memory");
    if (pipe_open(&s->c, name, host, timeout_ms, e) < 0) {
        free(s);
        return err_wrap(e, "engine at %s", host);
    }
    s->hs.io.ctx = &s->c;
    s->hs.io.write = pipe_write;
    s->hs.io.read = pipe_read;
    if (dk_http_stream_open(&s->hs, host, method, path, timeout_ms, e) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    dkt_stream_close(s);
    return -1;
}

int dkt_stream_read(struct dkt_stream *s, char *buf, size_t n, int timeout_ms, struct err *e)
{
    return dk_http_stream_read(&s->hs, buf, n, timeout_ms, e);
}

void dkt_stream_close(struct dkt_stream *s)
{
    if (s == NULL)
        return;
    pipe_close(&s->c);
    dk_http_stream_free(&s->hs);
    free(s);
}

/* ---- Linux-only parts ---- */

int dk_rootfs_tar(const char *rootfs, struct dk_buf *tar, uint64_t *sum, struct err *e)
{
    (void)rootfs;
    (void)tar;
    (void)sum;
    return err_set(e, ENOSYS, "the busybox rootfs image is built on Linux only; set options.image "
                   "to an image the engine already has");
}

int dk_host_mem(const char *id, long *cache, int64_t *pss, int64_t *rss, int *nprocs,
                struct err *e)
{
    (void)id;
    (void)cache;
    (void)pss;
    (void)rss;
    (void)nprocs;
    return err_set(e, ENOSYS, "host processes of a container are not summed on Windows");
}
