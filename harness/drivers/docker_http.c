/*
 * docker_http.c - a small HTTP/1.1 client over any byte pipe (see docker.h).
 *
 * The Docker Engine on Windows listens on a named pipe, where no libcurl
 * transport exists, and an attach stream is a hijacked connection that no
 * request/response library models well. Both use this file: a request writer
 * and an incremental response parser that understands exactly what the
 * engine's Go HTTP server sends - a status line, headers, then a body framed
 * by Content-Length, by chunked transfer coding, or by closing the
 * connection. Platform-neutral: the pipe is a pair of callbacks (struct dk_io).
 */
#include "docker.h"
#include "../plat.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffer ---- */

int dk_buf_add(struct dk_buf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->p, cap);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

void dk_buf_consume(struct dk_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->p, b->p + n, b->len - n);
        b->len -= n;
    }
    if (b->p != NULL)
        b->p[b->len] = '\0';
}

void dk_buf_free(struct dk_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void dk_resp_free(struct dk_resp *r)
{
    dk_buf_free(&r->body);
    r->status = 0;
}

/* ---- response parser ---- */

void dk_http_parser_init(struct dk_http_parser *p, int stop_after_head)
{
    memset(p, 0, sizeof(*p));
    p->state = DKH_HEAD;
    p->keep_alive = 1;
    p->stop_after_head = stop_after_head;
}

void dk_http_parser_free(struct dk_http_parser *p)
{
    dk_buf_free(&p->head);
}

/* Case-insensitive "does the header line start with name:"; returns the value. */
static const char *header_value(const char *line, size_t len, const char *name)
{
    size_t nl = strlen(name), i;
    if (len <= nl || line[nl] != ':')
        return NULL;
    for (i = 0; i < nl; i++)
        if (tolower((unsigned char)line[i]) != tolower((unsigned char)name[i]))
            return NULL;
    line += nl + 1;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

static int value_has_token(const char *v, size_t len, const char *token)
{
    size_t tl = strlen(token), i;
    for (i = 0; i + tl <= len; i++) {
        size_t j;
        for (j = 0; j < tl; j++)
            if (tolower((unsigned char)v[i + j]) != tolower((unsigned char)token[j]))
                break;
        if (j == tl)
            return 1;
    }
    return 0;
}

/* Parse the complete head in p->head (ending "\r\n\r\n") and pick the body framing. */
static int parse_head(struct dk_http_parser *p, struct err *e)
{
    const char *s = p->head.p, *end = p->head.p + p->head.len;
    const char *eol;
    int major, minor, status, chunked = 0, have_len = 0;
    long long clen = 0;

    if (sscanf(s, "HTTP/%d.%d %d", &major, &minor, &status) != 3 || status < 100 || status > 999)
        return err_set(e, EPROTO, "malformed HTTP status line");
    p->status = status;
    if (major == 1 && minor == 0)
        p->keep_alive = 0;
    eol = strstr(s, "\r\n");
    while (eol != NULL && eol + 2 < end) {
        const char *line = eol + 2, *v;
        size_t len;
        eol = strstr(line, "\r\n");
        if (eol == NULL || eol == line)
            break;
        len = (size_t)(eol - line);
        if ((v = header_value(line, len, "Content-Length")) != NULL) {
            char *stop;
            clen = strtoll(v, &stop, 10);
            if (stop == v || clen < 0)
                return err_set(e, EPROTO, "malformed Content-Length");
            have_len = 1;
        } else if ((v = header_value(line, len, "Transfer-Encoding")) != NULL) {
            if (value_has_token(v, (size_t)(eol - v), "chunked"))
                chunked = 1;
        } else if ((v = header_value(line, len, "Connection")) != NULL) {
            if (value_has_token(v, (size_t)(eol - v), "close"))
                p->keep_alive = 0;
            else if (value_has_token(v, (size_t)(eol - v), "keep-alive"))
                p->keep_alive = 1;
        }
    }
    p->head.len = 0;
    if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
        p->state = DKH_DONE;
    } else if (chunked) {
        p->state = DKH_CHUNK_SIZE;
    } else if (have_len) {
        p->remaining = clen;
        p->state = clen > 0 ? DKH_BODY_LEN : DKH_DONE;
    } else {
        p->state = DKH_BODY_CLOSE;
        p->keep_alive = 0;
    }
    return 0;
}

long dk_http_feed(struct dk_http_parser *p, const char *in, size_t n, struct dk_buf *body,
                  struct err *e)
{
    size_t i = 0;

    while (i < n && p->state != DKH_DONE) {
        switch (p->state) {
        case DKH_HEAD:
            /* Byte by byte until the blank line: heads are small. */
            if (dk_buf_add(&p->head, in + i, 1) < 0)
                return err_set(e, ENOMEM, "out of memory");
            i++;
            if (p->head.len > 65536)
                return err_set(e, EPROTO, "HTTP response head too large");
            if (p->head.len >= 4 && memcmp(p->head.p + p->head.len - 4, "\r\n\r\n", 4) == 0) {
                if (parse_head(p, e) < 0)
                    return -1;
                p->head_done = 1;
                if (p->stop_after_head)
                    return (long)i;
            }
            break;
        case DKH_BODY_LEN:
        case DKH_CHUNK_DATA: {
            size_t take = n - i;
            if ((int64_t)take > p->remaining)
                take = (size_t)p->remaining;
            if (dk_buf_add(body, in + i, take) < 0)
                return err_set(e, ENOMEM, "out of memory");
            i += take;
            p->remaining -= (int64_t)take;
            if (p->remaining == 0)
                p->state = p->state == DKH_BODY_LEN ? DKH_DONE : DKH_CHUNK_CRLF;
            break;
        }
        case DKH_CHUNK_CRLF:
        case DKH_CHUNK_SIZE:
        case DKH_TRAILER: {
            /* Line-oriented states: collect one line in p->head. */
            char c = in[i++];
            if (dk_buf_add(&p->head, &c, 1) < 0)
                return err_set(e, ENOMEM, "out of memory");
            if (p->head.len > 4096)
                return err_set(e, EPROTO, "malformed chunked body");
            if (c != '\n')
                break;
            if (p->state == DKH_CHUNK_CRLF) {
                if (p->head.len != 2 || p->head.p[0] != '\r')
                    return err_set(e, EPROTO, "malformed chunked body: no CRLF after chunk");
                p->state = DKH_CHUNK_SIZE;
            } else if (p->state == DKH_CHUNK_SIZE) {
                char *stop;
                long long size = strtoll(p->head.p, &stop, 16);
                if (stop == p->head.p || size < 0)
                    return err_set(e, EPROTO, "malformed chunk size");
                p->remaining = size;
                p->state = size > 0 ? DKH_CHUNK_DATA : DKH_TRAILER;
            } else {
                /* Trailer lines until an empty one. */
                if (p->head.len <= 2)
                    p->state = DKH_DONE;
            }
            p->head.len = 0;
            break;
        }
        case DKH_BODY_CLOSE:
            if (dk_buf_add(body, in + i, n - i) < 0)
                return err_set(e, ENOMEM, "out of memory");
            i = n;
            break;
        case DKH_DONE:
            break;
        }
    }
    return (long)i;
}

int dk_http_eof(struct dk_http_parser *p, struct err *e)
{
    if (p->state == DKH_BODY_CLOSE) {
        p->state = DKH_DONE;
        return 0;
    }
    if (p->state == DKH_DONE)
        return 0;
    return err_set(e, EPROTO, "connection closed in the middle of the HTTP response");
}

/* ---- requests ---- */

int dk_http_format(struct dk_buf *out, const char *method, const char *path,
                   const char *content_type, size_t body_len)
{
    char line[2048];
    int len;

    len = snprintf(line, sizeof(line), "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: isobench\r\n",
                   method, path);
    if (len < 0 || (size_t)len >= sizeof(line) || dk_buf_add(out, line, (size_t)len) < 0)
        return -1;
    if (content_type != NULL) {
        len = snprintf(line, sizeof(line), "Content-Type: %s\r\n", content_type);
        if (dk_buf_add(out, line, (size_t)len) < 0)
            return -1;
    }
    /* Always framed, so a bodiless POST is not mistaken for one without length. */
    len = snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n", body_len);
    return dk_buf_add(out, line, (size_t)len);
}

static int write_request(struct dk_io *io, const char *method, const char *path,
                         const char *content_type, const void *body, size_t body_len,
                         struct err *e)
{
    struct dk_buf req = { 0 };
    int rc;

    if (dk_http_format(&req, method, path, content_type, body_len) < 0) {
        dk_buf_free(&req);
        return err_set(e, ENOMEM, "%s %s: request too large", method, path);
    }
    rc = io->write(io->ctx, req.p, req.len, e);
    if (rc == 0 && body_len > 0)
        rc = io->write(io->ctx, body, body_len, e);
    dk_buf_free(&req);
    return rc < 0 ? -1 : 0;
}

static int remaining_ms(int64_t deadline)
{
    int64_t left = (deadline - plat_now_ns()) / 1000000;
    return left < 0 ? 0 : (int)left;
}

int dk_http_exchange(struct dk_io *io, const char *method, const char *path,
                     const char *content_type, const void *body, size_t body_len,
                     int timeout_ms, struct dk_resp *r, int *reusable, int *got_any,
                     struct err *e)
{
    struct dk_http_parser p;
    char buf[16384];
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000;
    int rc = -1;

    *reusable = 0;
    *got_any = 0;
    r->status = 0;
    r->body.len = 0;
    dk_http_parser_init(&p, 0);
    if (write_request(io, method, path, content_type, body, body_len, e) < 0)
        goto out;
    while (p.state != DKH_DONE) {
        int n = io->read(io->ctx, buf, sizeof(buf), remaining_ms(deadline), e);
        if (n == 0) {
            err_set(e, ETIMEDOUT, "no complete response within %d ms", timeout_ms);
            goto out;
        }
        if (n == DK_EOF) {
            if (!*got_any) {
                err_set(e, ECONNRESET, "connection closed before the response");
                goto out;
            }
            if (dk_http_eof(&p, e) < 0)
                goto out;
            break;
        }
        if (n < 0)
            goto out;
        *got_any = 1;
        /* Bytes after a complete response are not expected: the engine never
           pipelines; they are dropped with the connection. */
        if (dk_http_feed(&p, buf, (size_t)n, &r->body, e) < 0)
            goto out;
    }
    if (r->body.p == NULL && dk_buf_add(&r->body, "", 0) < 0) {
        err_set(e, ENOMEM, "out of memory");
        goto out;
    }
    r->status = p.status;
    *reusable = p.keep_alive && p.state == DKH_DONE;
    rc = 0;
out:
    dk_http_parser_free(&p);
    return rc;
}

int dk_http_stream_start(struct dk_http_stream *s, const char *method, const char *path,
                         int timeout_ms, int *status, struct err *e)
{
    char buf[4096];
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000;

    dk_http_parser_init(&s->p, 1);
    s->eof = 0;
    if (write_request(&s->io, method, path, NULL, NULL, 0, e) < 0)
        return -1;
    while (!s->p.head_done) {
        long used;
        int n = s->io.read(s->io.ctx, buf, sizeof(buf), remaining_ms(deadline), e);
        if (n == 0)
            return err_set(e, ETIMEDOUT, "no response head within %d ms", timeout_ms);
        if (n == DK_EOF)
            return err_set(e, ECONNRESET, "connection closed before the response head");
        if (n < 0)
            return -1;
        used = dk_http_feed(&s->p, buf, (size_t)n, &s->body, e);
        if (used < 0)
            return -1;
        /* What followed the head is the start of the body. */
        if (s->p.head_done && (size_t)used < (size_t)n &&
            dk_http_feed(&s->p, buf + used, (size_t)n - (size_t)used, &s->body, e) < 0)
            return -1;
    }
    *status = s->p.status;
    return 0;
}

int dk_http_stream_read(struct dk_http_stream *s, char *out, size_t n, int timeout_ms,
                        struct err *e)
{
    char buf[16384];
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000;

    for (;;) {
        int r;
        if (s->body.len > 0) {
            size_t take = s->body.len < n ? s->body.len : n;
            memcpy(out, s->body.p, take);
            dk_buf_consume(&s->body, take);
            return (int)take;
        }
        if (s->eof || s->p.state == DKH_DONE)
            return DK_EOF;
        r = s->io.read(s->io.ctx, buf, sizeof(buf), remaining_ms(deadline), e);
        if (r == 0)
            return 0;
        if (r == DK_EOF) {
            s->eof = 1;
            continue;
        }
        if (r < 0)
            return -1;
        if (dk_http_feed(&s->p, buf, (size_t)r, &s->body, e) < 0)
            return -1;
    }
}

void dk_http_stream_free(struct dk_http_stream *s)
{
    dk_http_parser_free(&s->p);
    dk_buf_free(&s->body);
}

int dk_http_stream_open(struct dk_http_stream *s, const char *host, const char *method, const char *path,
                        int timeout_ms, struct err *e)
{
    char msg[512];
    int status, n;

    if (dk_http_stream_start(s, method, path, timeout_ms, &status, e) < 0)
        return err_wrap(e, "engine at %s: %s %s", host, method, path);
    if (status >= 200 && status <= 299)
        return 0;
    n = dk_http_stream_read(s, msg, sizeof(msg) - 1, 200, e);
    msg[n > 0 ? n : 0] = '\0';
    return err_set(e, EPROTO, "engine at %s: %s %s: HTTP %d %s", host, method, path, status, msg);
}
