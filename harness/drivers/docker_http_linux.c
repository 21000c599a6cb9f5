/*
 * docker_http_linux.c - the docker driver's transport on Linux (see docker.h).
 *
 * Requests go through libcurl over the engine's Unix socket
 * (CURLOPT_UNIX_SOCKET_PATH), one easy handle per connection so that
 * keep-alive makes repeated calls (stats every sampling interval) cost one
 * round trip and no connect. Handles are never shared between threads;
 * CURLOPT_NOSIGNAL keeps libcurl away from signals in a threaded runner.
 *
 * Streamed responses (attach: a hijacked connection carrying raw
 * multiplexed frames until the container exits; stats?stream=1: one chunked
 * JSON object per second) use a plain AF_UNIX socket with poll() timeouts
 * and the shared HTTP/1.1 client in docker_http.c, the same code the
 * Windows named-pipe transport runs.
 */
#define _GNU_SOURCE
#include "docker.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

const char *dkt_default_host(void)
{
    return "unix:///var/run/docker.sock";
}

static int unix_path(const char *host, char *out, size_t n, struct err *e)
{
    if (strncmp(host, "unix://", 7) != 0)
        return err_set(e, EINVAL, "docker: engine address %s: only unix:// sockets are supported on Linux",
                       host);
    if (strlen(host + 7) >= n || host[7] != '/')
        return err_set(e, EINVAL, "docker: engine address %s: bad socket path", host);
    snprintf(out, n, "%s", host + 7);
    return 0;
}

/* ---- request connections (libcurl) ---- */

struct dkt {
    CURL *h;
    char host[512];
    char path[108];
    char errbuf[CURL_ERROR_SIZE];
};

int dkt_open(const char *host, struct dkt **out, struct err *e)
{
    struct dkt *t;

    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return err_set(e, ENOMEM, "out of memory");
    if (unix_path(host, t->path, sizeof(t->path), e) < 0) {
        free(t);
        return -1;
    }
    snprintf(t->host, sizeof(t->host), "%s", host);
    t->h = curl_easy_init();
    if (t->h == NULL) {
        free(t);
        return err_set(e, ENOMEM, "docker: curl_easy_init failed");
    }
    *out = t;
    return 0;
}

void dkt_close(struct dkt *t)
{
    if (t == NULL)
        return;
    curl_easy_cleanup(t->h);
    free(t);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct dk_buf *b = user;
    if (dk_buf_add(b, data, size * nmemb) < 0)
        return 0;
    return size * nmemb;
}

int dkt_call(struct dkt *t, const char *method, const char *path, const char *content_type,
             const void *body, size_t body_len, int timeout_ms, struct dk_resp *r, struct err *e)
{
    char url[2048], ctype[128];
    struct curl_slist *hdrs = NULL;
    CURLcode rc;
    long status = 0;

    r->status = 0;
    r->body.len = 0;
    snprintf(url, sizeof(url), "http://docker%s", path);
    /* reset keeps the connection cache: the next call reuses the socket. */
    curl_easy_reset(t->h);
    curl_easy_setopt(t->h, CURLOPT_UNIX_SOCKET_PATH, t->path);
    curl_easy_setopt(t->h, CURLOPT_URL, url);
    curl_easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->h, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(t->h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(t->h, CURLOPT_USERAGENT, "isobench");
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(t->h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(t->h, CURLOPT_POST, 1L);
        curl_easy_setopt(t->h, CURLOPT_POSTFIELDS, body != NULL ? (const char *)body : "");
        curl_easy_setopt(t->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body != NULL ? body_len : 0));
    } else {
        curl_easy_setopt(t->h, CURLOPT_CUSTOMREQUEST, method);
    }
    /* No "Expect: 100-continue" round trip for the image upload. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (content_type != NULL) {
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", content_type);
        hdrs = curl_slist_append(hdrs, ctype);
    }
    curl_easy_setopt(t->h, CURLOPT_HTTPHEADER, hdrs);
    t->errbuf[0] = '\0';
    rc = curl_easy_perform(t->h);
    curl_slist_free_all(hdrs);
    if (rc == CURLE_COULDNT_CONNECT) {
        long oserr = 0;
        curl_easy_getinfo(t->h, CURLINFO_OS_ERRNO, &oserr);
        if (oserr != 0)
            return err_sys(e, (int)oserr, "connect %s", t->path);
    }
    if (rc != CURLE_OK) {
        int code = rc == CURLE_OPERATION_TIMEDOUT ? ETIMEDOUT : ECONNREFUSED;
        return err_set(e, code, "engine at %s: %s %s: %s", t->host, method, path,
                       t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    }
    curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
    r->status = (int)status;
    if (r->body.p == NULL && dk_buf_add(&r->body, "", 0) < 0)
        return err_set(e, ENOMEM, "out of memory");
    return 0;
}

/* ---- hijacked streams (plain socket + docker_http.c) ---- */

struct dkt_stream {
    int fd;
    struct dk_http_stream hs;
};

static int sock_write(void *ctx, const void *buf, size_t n, struct err *e)
{
    int fd = *(int *)ctx;
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return err_sys(e, errno, "write to engine");
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int sock_read(void *ctx, void *buf, size_t n, int timeout_ms, struct err *e)
{
    int fd = *(int *)ctx;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    ssize_t r;
    int pr;

    do
        pr = poll(&pfd, 1, timeout_ms);
    while (pr < 0 && errno == EINTR);
    if (pr < 0)
        return err_sys(e, errno, "poll engine socket");
    if (pr == 0)
        return 0;
    do
        r = recv(fd, buf, n, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return err_sys(e, errno, "read from engine");
    if (r == 0)
        return DK_EOF;
    return (int)r;
}

int dkt_stream_open(const char *host, const char *method, const char *path, int timeout_ms,
                    struct dkt_stream **out, struct err *e)
{
    struct dkt_stream *s;
    struct sockaddr_un sa;

    *out = NULL;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (unix_path(host, sa.sun_path, sizeof(sa.sun_path), e) < 0)
        return -1;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return err_set(e, ENOMEM, "out of memory");
    s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0) {
        err_sys(e, errno, "socket");
        goto fail;
    }
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        err_sys(e, errno, "engine at %s: connect", host);
        goto fail;
    }
    s->hs.io.ctx = &s->fd;
    s->hs.io.write = sock_write;
    s->hs.io.read = sock_read;
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
    if (s->fd >= 0)
        close(s->fd);
    dk_http_stream_free(&s->hs);
    free(s);
}
