/*
 * test_docker.c - the docker driver: its pure parsers on fixtures, its
 * HTTP/1.1 client (the one the Windows named-pipe transport uses) against
 * the real engine over a raw Unix socket, and whole fleets through the
 * driver hooks on the real dockerd with runc and runsc.
 *
 * Fixtures: tests/fixtures/docker-stats-linux.json was captured from this
 * host's engine (20.10, cgroup v1) for an idle runc container.
 * tests/fixtures/docker-stats-windows.json has the field set a Windows
 * engine returns (moby's Windows stats: memory_stats commitbytes /
 * commitpeakbytes / privateworkingset, storage_stats, cpu in 100 ns units,
 * num_procs = processor count, no pids/blkio); no Windows host exists here,
 * so its values are illustrative, not captured.
 *
 * Engine tests skip (fail under CI) when no engine answers at the default
 * address; each uses its own run id and removes every container it made.
 */
#define _GNU_SOURCE
#include "support.h"

#include "driver.h"
#include "drivers/docker.h"
#include "plat.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern const struct driver driver_docker;

/* ---- pure parsers ---- */

Test(docker_stats, linux_fixture)
{
    char *json = read_fixture("tests/fixtures/docker-stats-linux.json");
    struct counters c;
    struct err e;
    err_clear(&e);
    cr_assert_eq(docker_stats_parse(json, 0, &c, &e), 0, "%s", e.msg);
    cr_expect_eq(c.mem_cgroup_bytes, 327680);
    cr_expect_eq(c.cpu_ns, 27656104);   /* cpu_stats, not precpu_stats */
    cr_expect_eq(c.pids, 1);
    cr_expect_eq(c.io_read_bytes, 0);   /* empty blkio list: measured, nothing */
    cr_expect_eq(c.io_write_bytes, 0);
    cr_expect_eq(c.mem_private_ws_bytes, -1);
    cr_expect_eq(c.mem_commit_bytes, -1);
    cr_expect_eq(c.mem_pss_bytes, -1);
    cr_expect_eq(c.storage_bytes, -1);
    free(json);
}

Test(docker_stats, windows_fixture)
{
    char *json = read_fixture("tests/fixtures/docker-stats-windows.json");
    struct counters c;
    struct err e;
    err_clear(&e);
    cr_assert_eq(docker_stats_parse(json, 1, &c, &e), 0, "%s", e.msg);
    cr_expect_eq(c.mem_private_ws_bytes, 40259584);
    cr_expect_eq(c.mem_commit_bytes, 73404416);
    cr_expect_eq(c.cpu_ns, 4218750LL * 100);   /* 100 ns units */
    cr_expect_eq(c.io_read_bytes, 62849024);
    cr_expect_eq(c.io_write_bytes, 8908800);
    cr_expect_eq(c.pids, -1);                  /* num_procs is the CPU count */
    cr_expect_eq(c.mem_cgroup_bytes, -1);
    free(json);
}

Test(docker_stats, blkio_and_not_running)
{
    const char *blk = "{\"read\":\"2026-01-01T00:00:00Z\",\"blkio_stats\":{\"io_service_bytes_recursive\":["
                      "{\"major\":8,\"minor\":0,\"op\":\"Read\",\"value\":4096},"
                      "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":512},"
                      "{\"major\":8,\"minor\":16,\"op\":\"read\",\"value\":100},"
                      "{\"major\":8,\"minor\":0,\"op\":\"Total\",\"value\":4608}]}}";
    const char *stopped = "{\"read\":\"0001-01-01T00:00:00Z\",\"pids_stats\":{},\"memory_stats\":{},"
                          "\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":0}}}";
    struct counters c;
    struct err e;
    err_clear(&e);
    cr_assert_eq(docker_stats_parse(blk, 0, &c, &e), 0);
    cr_expect_eq(c.io_read_bytes, 4196);
    cr_expect_eq(c.io_write_bytes, 512);
    cr_expect_eq(c.mem_cgroup_bytes, -1);
    cr_assert_eq(docker_stats_parse(stopped, 0, &c, &e), 0);
    cr_expect_eq(c.cpu_ns, -1, "a stopped container's zero cpu is not a measurement");
    cr_expect_eq(c.pids, -1);
    cr_expect_lt(docker_stats_parse("not json", 0, &c, &e), 0);
    cr_expect_neq(strstr(e.msg, "not a JSON object"), NULL, "%s", e.msg);
}

Test(docker_parse, time)
{
    int64_t ns;
    cr_assert_eq(docker_parse_time("1970-01-01T00:00:01.5Z", &ns), 0);
    cr_expect_eq(ns, 1500000000LL);
    cr_assert_eq(docker_parse_time("2026-11-25T08:34:02.299924665Z", &ns), 0);
    cr_expect_eq(ns, 1795595642LL * 1000000000LL + 299924665LL);
    cr_assert_eq(docker_parse_time("2026-11-25T09:34:02+01:00", &ns), 0);
    cr_expect_eq(ns, 1795595642LL * 1000000000LL);
    cr_expect_lt(docker_parse_time("0001-01-01T00:00:00Z", &ns), 0);
    cr_expect_lt(docker_parse_time("yesterday", &ns), 0);
    cr_expect_lt(docker_parse_time(NULL, &ns), 0);
}

Test(docker_parse, resolve_host)
{
    char out[512];
    struct err e;
    err_clear(&e);
    cr_assert_eq(docker_resolve_host(NULL, NULL, out, sizeof(out), &e), 0);
    cr_expect_str_eq(out, "unix:///var/run/docker.sock");
    cr_assert_eq(docker_resolve_host(NULL, "unix:///run/other.sock", out, sizeof(out), &e), 0);
    cr_expect_str_eq(out, "unix:///run/other.sock");
    cr_assert_eq(docker_resolve_host("/tmp/d.sock", "unix:///run/other.sock", out, sizeof(out), &e), 0);
    cr_expect_str_eq(out, "unix:///tmp/d.sock");
    cr_assert_eq(docker_resolve_host("npipe:////./pipe/docker_engine", NULL, out, sizeof(out), &e), 0);
    cr_expect_str_eq(out, "npipe:////./pipe/docker_engine");
    cr_expect_lt(docker_resolve_host(NULL, "tcp://10.0.0.1:2375", out, sizeof(out), &e), 0);
    cr_expect_neq(strstr(e.msg, "DOCKER_HOST"), NULL, "%s", e.msg);
}

/* Every frame boundary, header split and stream interleaving. */
Test(docker_parse, demux_any_split)
{
    static const char frames[] = "\x01\x00\x00\x00\x00\x00\x00\x06hello\n"
                                 "\x02\x00\x00\x00\x00\x00\x00\x04oops"
                                 "\x01\x00\x00\x00\x00\x00\x00\x00"
                                 "\x01\x00\x00\x00\x00\x00\x00\x0fISOBENCH_READY\n";
    size_t total = sizeof(frames) - 1, cut;
    for (cut = 0; cut <= total; cut++) {
        struct docker_demux d;
        struct dk_buf out = { 0 }, err = { 0 };
        memset(&d, 0, sizeof(d));
        cr_assert_eq(docker_demux_feed(&d, frames, cut, &out, &err), 0);
        cr_assert_eq(docker_demux_feed(&d, frames + cut, total - cut, &out, &err), 0);
        cr_assert_str_eq(out.p, "hello\nISOBENCH_READY\n", "cut at %zu", cut);
        cr_assert_str_eq(err.p, "oops");
        dk_buf_free(&out);
        dk_buf_free(&err);
    }
    {
        struct docker_demux d;
        struct dk_buf out = { 0 };
        memset(&d, 0, sizeof(d));
        cr_expect_lt(docker_demux_feed(&d, "GARBAGE!", 8, &out, NULL), 0, "bad header rejected");
        dk_buf_free(&out);
    }
}

/* Feed a response in pieces of every size from 1 to its length. */
static void feed_all(const char *resp, int head_only, int want_status, const char *want_body,
                     int want_keep, int close_at_end)
{
    size_t len = strlen(resp), step;
    for (step = 1; step <= len; step++) {
        struct dk_http_parser p;
        struct dk_buf body = { 0 };
        struct err e;
        size_t off = 0;
        err_clear(&e);
        dk_http_parser_init(&p, head_only);
        while (off < len && p.state != DKH_DONE && !(head_only && p.head_done)) {
            size_t n = len - off < step ? len - off : step;
            long used = dk_http_feed(&p, resp + off, n, &body, &e);
            cr_assert_geq(used, 0, "step %zu: %s", step, e.msg);
            off += (size_t)used;
            if ((size_t)used < n)
                break;
        }
        if (close_at_end)
            cr_assert_eq(dk_http_eof(&p, &e), 0, "%s", e.msg);
        if (head_only)
            cr_assert(p.head_done, "step %zu", step);
        else
            cr_assert_eq(p.state, DKH_DONE, "step %zu", step);
        cr_assert_eq(p.status, want_status);
        cr_assert_str_eq(body.p ? body.p : "", want_body, "step %zu", step);
        cr_assert_eq(p.keep_alive, want_keep);
        dk_http_parser_free(&p);
        dk_buf_free(&body);
    }
}

Test(docker_http, parser)
{
    feed_all("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bcd\"}",
             0, 200, "{\"a\":\"bcd\"}", 1, 0);
    feed_all("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n1a;ext=1\r\n, world of chunked bodies!\r\n0\r\nX-Trailer: 1\r\n\r\n",
             0, 200, "hello, world of chunked bodies!", 1, 0);
    feed_all("HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n", 0, 204, "", 1, 0);
    feed_all("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", 0, 404, "no", 0, 0);
    feed_all("HTTP/1.0 200 OK\r\n\r\nuntil the end", 0, 200, "until the end", 0, 1);
    feed_all("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n", 1, 200, "", 0, 0);
    {
        struct dk_http_parser p;
        struct dk_buf body = { 0 };
        struct err e;
        dk_http_parser_init(&p, 0);
        cr_expect_lt(dk_http_feed(&p, "SSH-2.0-OpenSSH\r\n\r\n", 19, &body, &e), 0);
        dk_http_parser_free(&p);
        dk_http_parser_init(&p, 0);
        cr_expect_geq(dk_http_feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 42, &body, &e), 0);
        cr_expect_lt(dk_http_eof(&p, &e), 0, "a cut body is an error");
        dk_http_parser_free(&p);
        dk_buf_free(&body);
    }
}

/* ---- engine helpers ---- */

static int engine_up(void)
{
    struct dkt *t = NULL;
    struct dk_resp r = { 0 };
    struct err e;
    int ok;
    if (dkt_open("unix:///var/run/docker.sock", &t, &e) < 0)
        return 0;
    ok = dkt_call(t, "GET", DK_API "/_ping", NULL, NULL, 0, 3000, &r, &e) == 0 && r.status == 200;
    dk_resp_free(&r);
    dkt_close(t);
    return ok;
}

static int engine_has_runtime(const char *rt)
{
    struct dkt *t = NULL;
    struct dk_resp r = { 0 };
    struct err e;
    cJSON *info;
    int ok = 0;
    if (dkt_open("unix:///var/run/docker.sock", &t, &e) < 0)
        return 0;
    if (dkt_call(t, "GET", DK_API "/info", NULL, NULL, 0, 10000, &r, &e) == 0 &&
        (info = cJSON_Parse(r.body.p)) != NULL) {
        ok = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(info, "Runtimes"), rt) != NULL;
        cJSON_Delete(info);
    }
    dk_resp_free(&r);
    dkt_close(t);
    return ok;
}

/* Containers carrying the label isobench.run=<run_id>, as the engine lists them. */
static int count_labelled(const char *run_id)
{
    struct dkt *t = NULL;
    struct dk_resp r = { 0 };
    struct err e;
    char path[512];
    cJSON *list;
    int n = -1;
    cr_assert_eq(dkt_open("unix:///var/run/docker.sock", &t, &e), 0);
    snprintf(path, sizeof(path),
             DK_API "/containers/json?all=1&filters=%%7B%%22label%%22%%3A%%5B%%22isobench.run%%3D%s%%22%%5D%%7D",
             run_id);
    cr_assert_eq(dkt_call(t, "GET", path, NULL, NULL, 0, 10000, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.status, 200);
    list = cJSON_Parse(r.body.p);
    n = cJSON_GetArraySize(list);
    cJSON_Delete(list);
    dk_resp_free(&r);
    dkt_close(t);
    return n;
}

static void make_run_id(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "t%d-%s-%lld", (int)getpid(), what, (long long)(plat_now_ns() % 100000000));
}

static void setup_mode(struct scenario *s, struct mode *m, const char *name, const char *opts_json)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "test-docker");
    s->mem_limit_bytes = 256LL << 20;
    s->cpu_limit = 1.0;
    s->pids_limit = 128;
    s->ready_timeout_ms = 60000;
    s->repetitions = 1;
    memset(m, 0, sizeof(*m));
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->driver_name, sizeof(m->driver_name), "docker");
    m->drv = &driver_docker;
    m->options = opts_json ? cJSON_Parse(opts_json) : NULL;
    cr_assert(opts_json == NULL || m->options != NULL);
}

static void init_ctr(struct ctr *c, const struct mode *m, const struct scenario *s, const char *run_id,
                     int index, const char *const *argv)
{
    memset(c, 0, sizeof(*c));
    c->mode = m;
    c->scn = s;
    c->run_id = run_id;
    c->index = index;
    c->fleet_size = 3;
    c->argv = argv;
    snprintf(c->name, sizeof(c->name), "%s-%s-%d", run_id, m->name, index);
}

static const char *const idle_argv[] = { "/isobench-payload", "idle", NULL };

/* ---- the shared HTTP client against the real engine ---- */

struct raw_sock {
    int fd;
};

static int raw_write(void *ctx, const void *buf, size_t n, struct err *e)
{
    struct raw_sock *s = ctx;
    (void)e;
    return write(s->fd, buf, n) == (ssize_t)n ? 0 : -1;
}

static int raw_read(void *ctx, void *buf, size_t n, int timeout_ms, struct err *e)
{
    struct raw_sock *s = ctx;
    struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
    ssize_t r;
    (void)e;
    if (poll(&pfd, 1, timeout_ms) == 0)
        return 0;
    r = read(s->fd, buf, n);
    return r < 0 ? -1 : r == 0 ? DK_EOF : (int)r;
}

Test(docker_http, client_against_engine)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/var/run/docker.sock" };
    struct raw_sock rs;
    struct dk_io io = { &rs, raw_write, raw_read };
    struct dk_resp r = { 0 }, via_curl = { 0 };
    struct dkt *t = NULL;
    struct err e;
    int reusable, got_any;
    cJSON *a, *b;

    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    rs.fd = socket(AF_UNIX, SOCK_STREAM, 0);
    cr_assert_eq(connect(rs.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    /* Content-Length body, then a second request on the same connection. */
    cr_assert_eq(dk_http_exchange(&io, "GET", DK_API "/_ping", NULL, NULL, 0, 5000, &r, &reusable,
                                  &got_any, &e), 0, "%s", e.msg);
    cr_expect_eq(r.status, 200);
    cr_expect_str_eq(r.body.p, "OK");
    cr_expect(reusable);
    /* /info is several kB: the Go server sends it chunked. */
    cr_assert_eq(dk_http_exchange(&io, "GET", DK_API "/info", NULL, NULL, 0, 10000, &r, &reusable,
                                  &got_any, &e), 0, "%s", e.msg);
    cr_expect_eq(r.status, 200);
    a = cJSON_Parse(r.body.p);
    cr_assert_not_null(a, "body is JSON: %.80s", r.body.p);
    cr_assert_eq(dkt_open("unix:///var/run/docker.sock", &t, &e), 0);
    cr_assert_eq(dkt_call(t, "GET", DK_API "/info", NULL, NULL, 0, 10000, &via_curl, &e), 0);
    b = cJSON_Parse(via_curl.body.p);
    cr_expect_str_eq(cJSON_GetObjectItem(a, "ID")->valuestring, cJSON_GetObjectItem(b, "ID")->valuestring);
    /* A 404 with a JSON message. */
    cr_assert_eq(dk_http_exchange(&io, "GET", DK_API "/containers/isobench-no-such/json", NULL, NULL, 0,
                                  5000, &r, &reusable, &got_any, &e), 0, "%s", e.msg);
    cr_expect_eq(r.status, 404);
    cr_expect_neq(strstr(r.body.p, "No such container"), NULL, "%s", r.body.p);
    cJSON_Delete(a);
    cJSON_Delete(b);
    dk_resp_free(&r);
    dk_resp_free(&via_curl);
    dkt_close(t);
    close(rs.fd);
}

/* ---- options and clear errors ---- */

Test(docker_errors, unknown_option)
{
    struct scenario s;
    struct mode m;
    struct err e;
    setup_mode(&s, &m, "bad", "{\"runtime\":\"runc\",\"runtme\":\"runsc\"}");
    m.index = 3;
    err_clear(&e);
    cr_assert_lt(driver_docker.probe(&m, &e), 0);
    cr_expect_neq(strstr(e.msg, "modes[3].options.runtme"), NULL, "%s", e.msg);
    cJSON_Delete(m.options);
    setup_mode(&s, &m, "bad", "{\"isolation\":\"vm\"}");
    cr_assert_lt(driver_docker.probe(&m, &e), 0);
    cr_expect_neq(strstr(e.msg, "modes[0].options.isolation"), NULL, "%s", e.msg);
    cJSON_Delete(m.options);
}

Test(docker_errors, engine_not_reachable)
{
    struct scenario s;
    struct mode m;
    struct err e;
    setup_mode(&s, &m, "nowhere", "{\"socket\":\"unix:///nonexistent/isobench-docker.sock\"}");
    err_clear(&e);
    cr_assert_lt(driver_docker.probe(&m, &e), 0);
    cr_expect_neq(strstr(e.msg, "engine not reachable at unix:///nonexistent/isobench-docker.sock"), NULL,
                  "%s", e.msg);
    cJSON_Delete(m.options);
}

Test(docker_errors, runtime_not_registered)
{
    struct scenario s;
    struct mode m;
    struct err e;
    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    setup_mode(&s, &m, "kata", "{\"runtime\":\"kata-isobench-missing\"}");
    err_clear(&e);
    cr_assert_lt(driver_docker.probe(&m, &e), 0);
    cr_expect_neq(strstr(e.msg, "runtime 'kata-isobench-missing' not registered with the engine at "
                                "unix:///var/run/docker.sock (have: "), NULL, "%s", e.msg);
    cr_expect_neq(strstr(e.msg, "runc"), NULL, "lists what the engine has: %s", e.msg);
    cJSON_Delete(m.options);
}

Test(docker_errors, image_missing)
{
    struct scenario s;
    struct mode m;
    struct err e;
    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    setup_mode(&s, &m, "noimg", "{\"image\":\"isobench/no-such-image:never\"}");
    err_clear(&e);
    cr_assert_eq(driver_docker.probe(&m, &e), 0, "%s", e.msg);
    cr_assert_lt(driver_docker.mode_init(&m, &s, &e), 0);
    cr_expect_neq(strstr(e.msg, "image 'isobench/no-such-image:never' missing"), NULL, "%s", e.msg);
    cr_expect_null(m.drv_state);
    cJSON_Delete(m.options);
}

/* A container that never prints READY, and one that exits before it. */
Test(docker_errors, never_ready, .timeout = 300)
{
    static const char *const sleep_argv[] = { "/bin/sleep", "60", NULL };
    static const char *const false_argv[] = { "/bin/sh", "-c", "echo starting; echo broken >&2; exit 3", NULL };
    struct scenario s;
    struct mode m;
    struct ctr c;
    struct err e;
    char run_id[64], line[256];
    int64_t t;

    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    make_run_id(run_id, sizeof(run_id), "never");
    setup_mode(&s, &m, "runc", "{\"runtime\":\"runc\"}");
    err_clear(&e);
    cr_assert_eq(driver_docker.mode_init(&m, &s, &e), 0, "%s", e.msg);

    init_ctr(&c, &m, &s, run_id, 0, sleep_argv);
    c.create_ns = plat_now_ns();
    cr_assert_eq(driver_docker.create(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.start(&c, &e), 0, "%s", e.msg);
    cr_assert_lt(driver_docker.wait_output(&c, MARKER_READY, 1500, line, sizeof(line), &t, &e), 0);
    cr_expect_neq(strstr(e.msg, "no ISOBENCH_READY within 1500 ms"), NULL, "%s", e.msg);
    cr_expect_neq(strstr(e.msg, "running"), NULL, "says the container still runs: %s", e.msg);
    cr_assert_eq(driver_docker.stop(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.destroy(&c, &e), 0, "%s", e.msg);

    init_ctr(&c, &m, &s, run_id, 1, false_argv);
    c.create_ns = plat_now_ns();
    cr_assert_eq(driver_docker.create(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.start(&c, &e), 0, "%s", e.msg);
    cr_assert_lt(driver_docker.wait_output(&c, MARKER_READY, 30000, line, sizeof(line), &t, &e), 0);
    cr_expect_neq(strstr(e.msg, "output ended without ISOBENCH_READY"), NULL, "%s", e.msg);
    cr_expect_neq(strstr(e.msg, "exited with code 3"), NULL, "%s", e.msg);
    cr_expect_neq(strstr(e.msg, "last line: starting"), NULL, "%s", e.msg);
    cr_expect_neq(strstr(e.msg, "broken"), NULL, "stderr is shown: %s", e.msg);
    cr_assert_eq(driver_docker.stop(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.destroy(&c, &e), 0, "%s", e.msg);

    cr_expect_eq(count_labelled(run_id), 0);
    driver_docker.mode_fini(&m);
    cJSON_Delete(m.options);
}

/* cleanup(run_id) removes what a crashed run left behind, and only that. */
Test(docker_cleanup, leftovers, .timeout = 300)
{
    struct scenario s;
    struct mode m;
    struct ctr c;
    struct err e;
    char run_id[64];
    int removed = -1;
    struct dk_ctr *leak;

    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    make_run_id(run_id, sizeof(run_id), "leak");
    setup_mode(&s, &m, "runc", "{\"runtime\":\"runc\"}");
    err_clear(&e);
    cr_assert_eq(driver_docker.mode_init(&m, &s, &e), 0, "%s", e.msg);
    init_ctr(&c, &m, &s, run_id, 0, idle_argv);
    cr_assert_eq(driver_docker.create(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.start(&c, &e), 0, "%s", e.msg);
    /* "Crash": forget the container without stop/destroy. */
    leak = c.priv;
    c.priv = NULL;
    cr_assert_eq(count_labelled(run_id), 1);
    cr_assert_eq(driver_docker.cleanup("isobench-some-other-run", &removed, &e), 0, "%s", e.msg);
    cr_expect_eq(removed, 0);
    cr_assert_eq(driver_docker.cleanup(run_id, &removed, &e), 0, "%s", e.msg);
    cr_expect_eq(removed, 1);
    cr_expect_eq(count_labelled(run_id), 0);
    c.priv = leak;
    cr_assert_eq(driver_docker.destroy(&c, &e), 0, "destroy after cleanup is harmless: %s", e.msg);
    driver_docker.mode_fini(&m);
    cJSON_Delete(m.options);
}

/* ---- a fleet through the hooks, as the runner drives it ---- */

struct sampler {
    struct ctr *c;
    struct counters last;
    struct err e;
    int failures;
};

static void *sample_loop(void *arg)
{
    struct sampler *sm = arg;
    int i;
    err_clear(&sm->e);
    for (i = 0; i < 10; i++)
        if (driver_docker.sample(sm->c, &sm->last, &sm->e) < 0)
            sm->failures++;
    return NULL;
}

static void fleet(const char *runtime, unsigned want_iso)
{
    struct scenario s;
    struct mode m;
    struct ctr c[3];
    struct err e;
    struct counters k[3];
    char run_id[64], opts[128], ver[256], line[256];
    cJSON *facts;
    int i;

    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    require_or_skip(engine_has_runtime(runtime), "runtime %s not registered with the engine", runtime);
    make_run_id(run_id, sizeof(run_id), runtime);
    snprintf(opts, sizeof(opts), "{\"runtime\":\"%s\"}", runtime);
    setup_mode(&s, &m, runtime, opts);
    err_clear(&e);

    cr_assert_eq(driver_docker.probe(&m, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.mode_init(&m, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.isolation_of(&m), want_iso);
    cr_assert_eq(driver_docker.version(&m, ver, sizeof(ver), &e), 0, "%s", e.msg);
    cr_expect_neq(strstr(ver, runtime), NULL, "%s", ver);
    facts = cJSON_CreateObject();
    driver_docker.facts(&m, facts);
    cr_expect_str_eq(cJSON_GetObjectItem(facts, "runtime")->valuestring, runtime);
    cr_expect_str_eq(cJSON_GetObjectItem(facts, "os_type")->valuestring, "linux");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(facts, "sample_ms")));
    cr_expect_gt(cJSON_GetObjectItem(facts, "sample_ms")->valuedouble, 0);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(facts, "stats_oneshot_call_ms")));
    cr_expect_gt(cJSON_GetObjectItem(facts, "stats_oneshot_call_ms")->valuedouble, 0);
    {
        char *text = cJSON_PrintUnformatted(facts);
        cr_log_info("%s facts: %s", runtime, text);
        free(text);
    }
    cJSON_Delete(facts);

    for (i = 0; i < 3; i++) {
        init_ctr(&c[i], &m, &s, run_id, i, idle_argv);
        c[i].create_ns = plat_now_ns();
        cr_assert_eq(driver_docker.create(&c[i], &e), 0, "%s", e.msg);
        cr_assert_eq(driver_docker.start(&c[i], &e), 0, "%s", e.msg);
        cr_assert_eq(driver_docker.wait_output(&c[i], MARKER_READY, 60000, line, sizeof(line),
                                               &c[i].ready_ns, &e), 0, "%s", e.msg);
        cr_expect_str_eq(line, MARKER_READY);
        /* Start order: create <= exec (engine start time, when seen) <= ready, and in sequence. */
        cr_expect_gt(c[i].ready_ns, c[i].create_ns);
        if (c[i].exec_ns != 0) {
            cr_expect_gt(c[i].exec_ns, c[i].create_ns);
            cr_expect_leq(c[i].exec_ns, c[i].ready_ns);
        }
        if (i > 0)
            cr_expect_gt(c[i].create_ns, c[i - 1].ready_ns);
        cr_log_info("%s container %d: start %.1f ms (exec at %.1f ms)", runtime, i,
                    (c[i].ready_ns - c[i].create_ns) / 1e6,
                    c[i].exec_ns ? (c[i].exec_ns - c[i].create_ns) / 1e6 : -1.0);
    }
    cr_assert_eq(count_labelled(run_id), 3);
    for (i = 0; i < 3; i++) {
        cr_assert_eq(driver_docker.sample(&c[i], &k[i], &e), 0, "%s", e.msg);
        cr_log_info("%s container %d: pss %lld rss %lld cgroup %lld cpu_ns %lld pids %lld storage %lld", runtime, i,
                    (long long)k[i].mem_pss_bytes, (long long)k[i].mem_rss_bytes,
                    (long long)k[i].mem_cgroup_bytes, (long long)k[i].cpu_ns, (long long)k[i].pids,
                    (long long)k[i].storage_bytes);
        cr_expect_gt(k[i].mem_pss_bytes, 0);
        cr_expect_geq(k[i].mem_rss_bytes, k[i].mem_pss_bytes);
        cr_expect_gt(k[i].mem_cgroup_bytes, 0);
        cr_expect_gt(k[i].cpu_ns, 0);
        cr_expect_geq(k[i].pids, 1);
        cr_expect_geq(k[i].storage_bytes, 0);
        cr_expect_geq(k[i].io_read_bytes, 0);
        cr_expect_geq(k[i].io_write_bytes, 0);
        cr_expect_eq(k[i].mem_private_ws_bytes, -1);
        cr_expect_eq(k[i].mem_commit_bytes, -1);
    }
    /* The runner samples different containers from several threads at once. */
    {
        pthread_t th[3];
        struct sampler sm[3];
        for (i = 0; i < 3; i++) {
            sm[i].c = &c[i];
            sm[i].failures = 0;
            cr_assert_eq(pthread_create(&th[i], NULL, sample_loop, &sm[i]), 0);
        }
        for (i = 0; i < 3; i++) {
            pthread_join(th[i], NULL);
            cr_expect_eq(sm[i].failures, 0, "container %d: %s", i, sm[i].e.msg);
            cr_expect_geq(sm[i].last.cpu_ns, k[i].cpu_ns, "cpu time only grows");
        }
    }
    for (i = 0; i < 3; i++) {
        cr_assert_eq(driver_docker.stop(&c[i], &e), 0, "%s", e.msg);
        cr_assert_eq(driver_docker.stop(&c[i], &e), 0, "stop twice: %s", e.msg);
        cr_assert_eq(driver_docker.destroy(&c[i], &e), 0, "%s", e.msg);
        cr_assert_null(c[i].priv);
    }
    cr_expect_eq(count_labelled(run_id), 0, "no container with the run label remains");
    facts = cJSON_CreateObject();
    driver_docker.facts(&m, facts);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(facts, "sample_calls")));
    cr_expect_eq(cJSON_GetObjectItem(facts, "sample_calls")->valueint, 33);
    cJSON_Delete(facts);
    driver_docker.mode_fini(&m);
    cJSON_Delete(m.options);
}

/* What create asked the engine for, and a write that the storage counter sees. */
Test(docker_fleet, config_and_storage, .timeout = 300)
{
    static const char *const writer_argv[] = {
        "/bin/sh", "-c", "dd if=/dev/urandom of=/root/blob bs=1024 count=256 2>/dev/null; "
        "exec /isobench-payload idle", NULL };
    struct scenario s;
    struct mode m;
    struct ctr c;
    struct err e;
    struct counters k;
    struct dkt *t = NULL;
    struct dk_resp r = { 0 };
    char run_id[64], line[256], path[256];
    cJSON *j, *hc, *labels;
    int64_t t_ready;

    require_or_skip(engine_up(), "no Docker engine at /var/run/docker.sock");
    make_run_id(run_id, sizeof(run_id), "cfg");
    setup_mode(&s, &m, "runc", "{\"runtime\":\"runc\"}");
    err_clear(&e);
    cr_assert_eq(driver_docker.mode_init(&m, &s, &e), 0, "%s", e.msg);
    init_ctr(&c, &m, &s, run_id, 7, writer_argv);
    c.create_ns = plat_now_ns();
    cr_assert_eq(driver_docker.create(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.start(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.wait_output(&c, MARKER_READY, 60000, line, sizeof(line), &t_ready, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(driver_docker.sample(&c, &k, &e), 0, "%s", e.msg);
    cr_expect_geq(k.storage_bytes, 256 * 1024, "writable layer holds the 256 KiB written: %lld",
                  (long long)k.storage_bytes);

    cr_assert_eq(dkt_open("unix:///var/run/docker.sock", &t, &e), 0);
    snprintf(path, sizeof(path), DK_API "/containers/%s/json", c.name);
    cr_assert_eq(dkt_call(t, "GET", path, NULL, NULL, 0, 10000, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.status, 200);
    j = cJSON_Parse(r.body.p);
    hc = cJSON_GetObjectItem(j, "HostConfig");
    cr_expect_eq((long long)cJSON_GetObjectItem(hc, "Memory")->valuedouble, 256LL << 20);
    cr_expect_eq((long long)cJSON_GetObjectItem(hc, "NanoCpus")->valuedouble, 1000000000LL);
    cr_expect_eq((long long)cJSON_GetObjectItem(hc, "PidsLimit")->valuedouble, 128);
    cr_expect_str_eq(cJSON_GetObjectItem(hc, "NetworkMode")->valuestring, "none");
    cr_expect_str_eq(cJSON_GetObjectItem(hc, "Runtime")->valuestring, "runc");
    labels = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Config"), "Labels");
    cr_expect_str_eq(cJSON_GetObjectItem(labels, "isobench.run")->valuestring, run_id);
    cr_expect_str_eq(cJSON_GetObjectItem(labels, "isobench.mode")->valuestring, "runc");
    cr_expect_str_eq(cJSON_GetObjectItem(labels, "isobench.index")->valuestring, "7");
    cJSON_Delete(j);
    dk_resp_free(&r);
    dkt_close(t);

    cr_assert_eq(driver_docker.stop(&c, &e), 0, "%s", e.msg);
    cr_assert_eq(driver_docker.destroy(&c, &e), 0, "%s", e.msg);
    cr_expect_eq(count_labelled(run_id), 0);
    driver_docker.mode_fini(&m);
    cJSON_Delete(m.options);
}

Test(docker_fleet, runc, .timeout = 600)
{
    fleet("runc", ISO_PROCESS);
}

Test(docker_fleet, runsc, .timeout = 600)
{
    fleet("runsc", ISO_SANDBOX);
}
