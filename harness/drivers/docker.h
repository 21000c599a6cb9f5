/*
 * docker.h - internals of the docker driver (harness/drivers/docker.c) that
 * other files of the driver and the tests need.
 *
 * Three layers, bottom up:
 *   1. the transport (one implementation per platform): request/response
 *      calls over a connection to the engine, and raw byte streams for
 *      hijacked endpoints such as attach. docker_http_linux.c speaks over the
 *      Unix socket with libcurl; docker_http_win.c over the named pipe with
 *      the small HTTP/1.1 client below. docker.c only sees dkt_*.
 *   2. a platform-neutral HTTP/1.1 client over any byte pipe (struct dk_io):
 *      request writer, and an incremental response parser that handles
 *      Content-Length, chunked and read-until-close bodies (docker_http.c).
 *      The Windows transport and every attach stream use it.
 *   3. pure parsers of what the engine returns (stats JSON, attach frames,
 *      RFC 3339 times), exposed so tests can run them on fixtures.
 */
#ifndef ISOBENCH_DOCKER_H
#define ISOBENCH_DOCKER_H

#include <stddef.h>
#include <stdint.h>

#include "../driver.h"
#include "../err.h"

/* Every path the driver sends starts with this API version: 1.41 (Engine
   20.10) is the first with stats "one-shot"; newer engines still accept it. */
#define DK_API "/v1.41"

#define DK_EOF (-2)

/* ---- growable byte buffer (always NUL-terminated) ---- */

struct dk_buf {
    char *p;
    size_t len;
    size_t cap;
};

int dk_buf_add(struct dk_buf *b, const void *data, size_t n);
/* Drop the first n bytes. */
void dk_buf_consume(struct dk_buf *b, size_t n);
void dk_buf_free(struct dk_buf *b);

/* ---- transport (docker_http_linux.c / docker_http_win.c) ---- */

/* Default engine address of this platform. */
const char *dkt_default_host(void);

/* One request connection (keep-alive). Not thread-safe: use one per thread
   or per container. `host` is "unix:///path" or "npipe:////./pipe/name". */
struct dkt;
int dkt_open(const char *host, struct dkt **out, struct err *e);
void dkt_close(struct dkt *t);

struct dk_resp {
    int status;
    struct dk_buf body;
};
/* One HTTP exchange. body may be NULL (no request body). A transport error
   (engine unreachable, timeout) is -1; any HTTP status is 0 with r->status
   set: the caller decides which statuses are errors. */
int dkt_call(struct dkt *t, const char *method, const char *path, const char *content_type,
             const void *body, size_t body_len, int timeout_ms, struct dk_resp *r, struct err *e);
void dk_resp_free(struct dk_resp *r);

/* A streamed response on a dedicated connection (POST /containers/{id}/attach,
   GET /containers/{id}/stats?stream=1) whose head has been read and checked
   (2xx); reads return the decoded body. */
struct dkt_stream;
int dkt_stream_open(const char *host, const char *method, const char *path, int timeout_ms,
                    struct dkt_stream **out, struct err *e);
/* Bytes that arrive within timeout_ms: >0 count, 0 on timeout, DK_EOF when the
   engine closed the stream, -1 on error. */
int dkt_stream_read(struct dkt_stream *s, char *buf, size_t n, int timeout_ms, struct err *e);
void dkt_stream_close(struct dkt_stream *s);

/* The image payload: the busybox rootfs (image_ensure) packed as an
   uncompressed ustar archive, and a 64-bit FNV-1a checksum of the archive.
   Linux only (docker_tar_linux.c); elsewhere an error. `rootfs` "" = default. */
int dk_rootfs_tar(const char *rootfs, struct dk_buf *tar, uint64_t *sum, struct err *e);

/* Host processes that exist because of the container (Linux: its containerd
   shim and everything under it; see docker_proc_linux.c): PSS, RSS and how
   many processes were summed. *cache keeps the shim pid between calls (0 at
   first). Elsewhere an error: the counters stay unknown. */
int dk_host_mem(const char *id, long *cache, int64_t *pss, int64_t *rss, int *nprocs,
                struct err *e);

/* ---- HTTP/1.1 client over a byte pipe (docker_http.c) ---- */

struct dk_io {
    void *ctx;
    /* Write all n bytes or fail (-1). */
    int (*write)(void *ctx, const void *buf, size_t n, struct err *e);
    /* Like dkt_stream_read. */
    int (*read)(void *ctx, void *buf, size_t n, int timeout_ms, struct err *e);
};

enum dk_http_state {
    DKH_HEAD, DKH_BODY_LEN, DKH_CHUNK_SIZE, DKH_CHUNK_DATA, DKH_CHUNK_CRLF,
    DKH_TRAILER, DKH_BODY_CLOSE, DKH_DONE
};

struct dk_http_parser {
    enum dk_http_state state;
    int status;
    int keep_alive;       /* 0 after "Connection: close" or HTTP/1.0 */
    int stop_after_head;  /* dk_http_feed returns right after the head */
    int head_done;
    int64_t remaining;    /* bytes left in the body or the current chunk */
    struct dk_buf head;   /* header bytes, then the current chunk-size line */
};

void dk_http_parser_init(struct dk_http_parser *p, int stop_after_head);
void dk_http_parser_free(struct dk_http_parser *p);
/* Feed n bytes; decoded body bytes are appended to `body`. Returns how many
   bytes were consumed (fewer than n only once the message is complete), or
   -1 on a malformed response. The message is complete when p->state is
   DKH_DONE; a read-until-close body completes with dk_http_eof(). */
long dk_http_feed(struct dk_http_parser *p, const char *in, size_t n, struct dk_buf *body,
                  struct err *e);
/* The peer closed the connection: completes a read-until-close body.
   Returns -1 when the message was cut short. */
int dk_http_eof(struct dk_http_parser *p, struct err *e);

/* Format a request (Host, Content-Type, Content-Length) into out. */
int dk_http_format(struct dk_buf *out, const char *method, const char *path,
                   const char *content_type, size_t body_len);
/* Write a request and read the whole response. *reusable tells whether the
   connection can carry another request. *got_any is set when at least one
   response byte arrived (a dead keep-alive connection fails without any). */
int dk_http_exchange(struct dk_io *io, const char *method, const char *path,
                     const char *content_type, const void *body, size_t body_len,
                     int timeout_ms, struct dk_resp *r, int *reusable, int *got_any,
                     struct err *e);
/* A streamed response (attach, stats?stream=1): the head is read by
   dk_http_stream_start, then dk_http_stream_read returns decoded body bytes
   as they arrive (de-chunked; a hijacked attach stream passes through as a
   read-until-close body). The caller fills s->io and zeroes the rest. */
struct dk_http_stream {
    struct dk_io io;
    struct dk_http_parser p;
    struct dk_buf body;   /* decoded bytes not yet returned */
    int eof;
};
int dk_http_stream_start(struct dk_http_stream *s, const char *method, const char *path,
                         int timeout_ms, int *status, struct err *e);
/* dk_http_stream_start, and a 2xx answer required: anything else is an
   error naming the engine, the request and the engine's message. */
int dk_http_stream_open(struct dk_http_stream *s, const char *host, const char *method, const char *path,
                        int timeout_ms, struct err *e);
/* Like dkt_stream_read. */
int dk_http_stream_read(struct dk_http_stream *s, char *out, size_t n, int timeout_ms,
                        struct err *e);
void dk_http_stream_free(struct dk_http_stream *s);

/* ---- pure parsers (docker.c) ---- */

/* Map a GET /containers/{id}/stats response into counters. Linux: memory
   usage, cpu total_usage (ns), pids, blkio read/write bytes. Windows
   (windows != 0): private working set, commit, storage read/write bytes, cpu
   total_usage in 100 ns units. Fields the response lacks stay -1; the PSS,
   RSS and storage counters are never set here. */
int docker_stats_parse(const char *json, int windows, struct counters *out, struct err *e);

/* Demultiplexer of an attach stream with Tty=false: frames of an 8-byte
   header (stream 1 = stdout, 2 = stderr; big-endian payload size) and a
   payload. Payload bytes are appended to `out` (stdout) or `err` (stderr). */
struct docker_demux {
    unsigned char hdr[8];
    int hdr_len;
    int stream;
    uint32_t left;
};
int docker_demux_feed(struct docker_demux *d, const char *in, size_t n, struct dk_buf *out,
                      struct dk_buf *err);

/* "2026-11-25T08:34:02.299924665Z" (or with a +hh:mm offset) -> ns since the
   epoch. Returns -1 on a malformed or zero ("0001-01-01...") time. */
int docker_parse_time(const char *s, int64_t *ns);

/* Resolve the engine address: the mode's "socket" option, else DOCKER_HOST,
   else the platform default. Accepts "unix:///p", "npipe:////./pipe/n" and a
   bare absolute socket path. */
int docker_resolve_host(const char *option, const char *env, char *out, size_t n, struct err *e);

#endif
