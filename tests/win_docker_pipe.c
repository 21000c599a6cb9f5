/*
 * win_docker_pipe.c - the docker driver's Windows named-pipe transport
 * (harness/drivers/docker_http_win.c) against a real named-pipe server.
 *
 * A Windows program, cross-built with mingw-w64 and run under Wine by
 * scripts/test.d/docker-pipe.sh (there is no Windows Docker engine here, so a
 * thread of this program plays the engine with scripted answers):
 *   connection 1: a Content-Length answer, then a chunked one written in
 *                 pieces with pauses (partial reads), both kept alive;
 *                 then the "engine" closes the idle connection;
 *   connection 2: the client's next call must notice and reconnect (204);
 *   connection 3: a hijacked stream whose bytes arrive late (a read with a
 *                 short timeout returns 0), then end (DK_EOF).
 * Exit status 0 when every check passed.
 */
#include "drivers/docker.h"
#include "plat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

/* docker_http.c needs the monotonic clock; plat_win.c is not part of this
   small program. */
int64_t plat_now_ns(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (int64_t)((double)c.QuadPart * 1e9 / (double)f.QuadPart);
}

static wchar_t pipe_w[128];
static char host[160];
static int failures;

#define CHECK(cond, ...)                         \
    do {                                         \
        if (!(cond)) {                           \
            failures++;                          \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                 \
            printf("\n");                        \
        }                                        \
    } while (0)

static HANDLE new_instance(void)
{
    return CreateNamedPipeW(pipe_w, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                            PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, NULL);
}

static void put(HANDLE h, const char *s)
{
    DWORD done;
    WriteFile(h, s, (DWORD)strlen(s), &done, NULL);
    FlushFileBuffers(h);
}

/* Read one request (head and Content-Length body); returns its first line. */
static void get_request(HANDLE h, char *line, size_t n)
{
    char buf[8192];
    size_t len = 0;
    char *end = NULL, *cl;
    long body = 0;
    DWORD got;
    while (end == NULL && len < sizeof(buf) - 1) {
        if (!ReadFile(h, buf + len, 1, &got, NULL) || got == 0)
            break;
        len += got;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    cl = strstr(buf, "Content-Length: ");
    if (cl != NULL)
        body = atol(cl + 16);
    while (body-- > 0 && ReadFile(h, buf + len, 1, &got, NULL) && got == 1)
        ;
    snprintf(line, n, "%.*s", (int)strcspn(buf, "\r"), buf);
}

static HANDLE first;

static DWORD WINAPI engine(LPVOID arg)
{
    HANDLE h1 = first, h2, h3;
    char line[256];
    (void)arg;

    ConnectNamedPipe(h1, NULL);
    get_request(h1, line, sizeof(line));
    CHECK(strcmp(line, "GET /v1.41/a HTTP/1.1") == 0, "request 1: %s", line);
    put(h1, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
    get_request(h1, line, sizeof(line));
    CHECK(strcmp(line, "POST /v1.41/b HTTP/1.1") == 0, "request 2: %s", line);
    put(h1, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n");
    Sleep(50);
    put(h1, "3\r\nxyz\r\n");
    Sleep(50);
    put(h1, "4\r\n-ok!\r\n0\r\n\r\n");
    /* The next instance exists before the idle connection is dropped. */
    h2 = new_instance();
    Sleep(100);
    DisconnectNamedPipe(h1);
    CloseHandle(h1);

    ConnectNamedPipe(h2, NULL);
    get_request(h2, line, sizeof(line));
    CHECK(strcmp(line, "GET /v1.41/c HTTP/1.1") == 0, "request 3: %s", line);
    put(h2, "HTTP/1.1 204 No Content\r\n\r\n");

    h3 = new_instance();
    ConnectNamedPipe(h3, NULL);
    get_request(h3, line, sizeof(line));
    CHECK(strcmp(line, "POST /v1.41/containers/x/attach?stream=1 HTTP/1.1") == 0, "request 4: %s", line);
    put(h3, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n");
    Sleep(400);
    put(h3, "ISOBENCH_READY\n");
    Sleep(100);
    DisconnectNamedPipe(h3);
    CloseHandle(h3);
    Sleep(200);
    DisconnectNamedPipe(h2);
    CloseHandle(h2);
    return 0;
}

int main(void)
{
    struct dkt *t = NULL;
    struct dkt_stream *s = NULL;
    struct dk_resp r = { 0 };
    struct err e;
    char buf[256];
    HANDLE th;
    int n, total = 0;

    swprintf(pipe_w, 128, L"\\\\.\\pipe\\isobench-test-%lu", (unsigned long)GetCurrentProcessId());
    snprintf(host, sizeof(host), "npipe:////./pipe/isobench-test-%lu", (unsigned long)GetCurrentProcessId());
    first = new_instance();
    if (first == INVALID_HANDLE_VALUE) {
        printf("FAIL CreateNamedPipe: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    th = CreateThread(NULL, 0, engine, NULL, 0, NULL);

    err_clear(&e);
    CHECK(dkt_open(host, &t, &e) == 0, "open: %s", e.msg);
    CHECK(dkt_call(t, "GET", DK_API "/a", NULL, NULL, 0, 5000, &r, &e) == 0, "call a: %s", e.msg);
    CHECK(r.status == 200 && strcmp(r.body.p, "hello") == 0, "a: %d %s", r.status, r.body.p);
    CHECK(dkt_call(t, "POST", DK_API "/b", "text/plain", "xyz", 3, 5000, &r, &e) == 0, "call b: %s", e.msg);
    CHECK(r.status == 201 && strcmp(r.body.p, "xyz-ok!") == 0, "b: %d %s", r.status, r.body.p);
    Sleep(300); /* the engine drops the idle connection */
    CHECK(dkt_call(t, "GET", DK_API "/c", NULL, NULL, 0, 5000, &r, &e) == 0, "call c after reconnect: %s", e.msg);
    CHECK(r.status == 204, "c: %d", r.status);

    CHECK(dkt_stream_open(host, "POST", DK_API "/containers/x/attach?stream=1", 5000, &s, &e) == 0,
          "stream: %s", e.msg);
    if (s != NULL) {
        n = dkt_stream_read(s, buf, sizeof(buf), 50, &e);
        CHECK(n == 0, "a read before the engine writes times out: %d %s", n, e.msg);
        while ((n = dkt_stream_read(s, buf + total, sizeof(buf) - 1 - (size_t)total, 3000, &e)) > 0)
            total += n;
        buf[total] = '\0';
        CHECK(strcmp(buf, "ISOBENCH_READY\n") == 0, "stream bytes: '%s'", buf);
        CHECK(n == DK_EOF, "stream ends with DK_EOF: %d %s", n, e.msg);
        dkt_stream_close(s);
    }
    dk_resp_free(&r);
    dkt_close(t);
    WaitForSingleObject(th, 5000);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
