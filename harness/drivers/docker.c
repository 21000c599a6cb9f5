/*
 * docker.c - the `docker` driver: containers through the Docker Engine HTTP
 * API (never the docker CLI).
 *
 * One mode is one engine configuration: an OCI runtime registered with the
 * engine on Linux (options.runtime: runc, runsc, kata...) or an isolation on
 * Windows (options.isolation: process, hyperv). Every container runs with no
 * network, the scenario's memory/CPU/pids limits, and the labels
 * isobench.run=<run id> and isobench.mode=<mode> so that cleanup finds
 * leftovers of a crashed run.
 *
 * Lifecycle: mode_init checks the engine, imports the busybox rootfs as the
 * image isobench/busybox when it is missing or stale (the image carries the
 * archive's checksum as a label), and runs one warm-up container through the
 * hooks below to check the whole path and time what sample() costs. create
 * creates the container and attaches to its stdout/stderr before it starts
 * (so no output is lost); wait_output reads the multiplexed attach stream
 * line by line; sample takes the newest object of the container's stats
 * stream (see "stats" below for why not one-shot calls), asks for the
 * writable layer's size and sums the PSS of the container's host processes.
 *
 * Platform-neutral: the transport (Unix socket with libcurl, or the Windows
 * named pipe) and the host-process counters live in docker_*_linux.c and
 * docker_http_win.c behind docker.h.
 */
#include "docker.h"
#include "../input.h"
#include "../image.h"
#include "../plat.h"
#include "../scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_IMAGE "isobench/busybox"
#define IMAGE_SUM_LABEL "isobench.rootfs_fnv64"
#define CALL_MS 30000          /* ordinary engine calls */
#define IMPORT_MS 300000       /* image import */
#define WARMUP_CALLS 5

/* ---- options and per-mode state ---- */

struct dk_opts {
    char runtime[64];
    char isolation[16];
    char socket[512];
    char image[256];
    int image_default;
};

struct dk_engine {
    char version[64];
    char api[16];
    char os_type[16];
    char default_isolation[16];  /* Windows engines */
    char default_runtime[64];
    char runtimes[512];          /* "runc, runsc" */
    char runtime_desc[512];      /* path and arguments of the mode's runtime */
    char runc_version[64];
    int windows;
};

struct dk_mode {
    struct dk_opts o;
    char host[512];
    struct dk_engine g;
    char image_id[80];
    int image_imported;
    /* measured on the warm-up container in mode_init (-1 = not measured) */
    double warmup_start_ms;
    double oneshot_stats_ms;     /* GET stats?stream=false&one-shot=true */
    double first_sample_ms;      /* sample() that opens the stats stream */
    double sample_ms;            /* sample() once the stream runs */
    double inspect_size_call_ms; /* GET /containers/{id}/json?size=1 */
    double host_mem_ms;          /* finding the shim and summing its tree */
    /* every sample() call, from any thread */
    atomic_llong sample_ns_total;
    atomic_llong sample_calls;
};

struct dk_line {
    char *text;
    int64_t t_ns;
};

struct dk_ctr {
    struct dkt *t;
    struct dkt_stream *s;
    char id[80];
    struct docker_demux dm;
    struct dk_buf out;          /* stdout bytes not yet split into lines */
    struct dk_buf err;          /* stderr, the tail kept for messages */
    struct dk_line *lines;      /* complete stdout lines not yet consumed */
    int nlines, caplines;
    char last_line[256];        /* last stdout line seen, for messages */
    int eof;
    long shim_pid;
    struct dkt_stream *stats;   /* GET stats?stream=1, one object per second */
    struct dk_buf stats_in;     /* bytes of the stream not yet split into lines */
    char *stats_last;           /* newest complete stats object */
    int64_t stats_last_ns;      /* its "read" time, ns since the epoch */
};

static const char *const known_options[] = { "runtime", "isolation", "socket", "image", NULL };

static int parse_options(const struct mode *m, struct dk_opts *o, struct err *e)
{
    const cJSON *it;

    memset(o, 0, sizeof(*o));
    snprintf(o->image, sizeof(o->image), "%s", DEFAULT_IMAGE);
    o->image_default = 1;
    if (m->options == NULL)
        return 0;
    if (!cJSON_IsObject(m->options))
        return err_set(e, EINVAL, "modes[%d].options: must be an object", m->index);
    cJSON_ArrayForEach(it, m->options) {
        int k, known = 0;
        const char *v;
        for (k = 0; known_options[k] != NULL; k++)
            if (strcmp(it->string, known_options[k]) == 0)
                known = 1;
        if (!known)
            return err_set(e, EINVAL,
                           "modes[%d].options.%s: unknown option for driver docker "
                           "(known: runtime, isolation, socket, image)",
                           m->index, it->string);
        v = cJSON_GetStringValue(it);
        if (v == NULL || v[0] == '\0')
            return err_set(e, EINVAL, "modes[%d].options.%s: must be a non-empty string", m->index,
                           it->string);
        if (strcmp(it->string, "runtime") == 0) {
            if (strlen(v) >= sizeof(o->runtime))
                return err_set(e, EINVAL, "modes[%d].options.runtime: too long", m->index);
            snprintf(o->runtime, sizeof(o->runtime), "%s", v);
        } else if (strcmp(it->string, "isolation") == 0) {
            if (strcmp(v, "process") != 0 && strcmp(v, "hyperv") != 0 && strcmp(v, "default") != 0)
                return err_set(e, EINVAL,
                               "modes[%d].options.isolation: '%s' is not process, hyperv or default",
                               m->index, v);
            snprintf(o->isolation, sizeof(o->isolation), "%s", v);
        } else if (strcmp(it->string, "socket") == 0) {
            if (strlen(v) >= sizeof(o->socket))
                return err_set(e, EINVAL, "modes[%d].options.socket: too long", m->index);
            snprintf(o->socket, sizeof(o->socket), "%s", v);
        } else {
            if (strlen(v) >= sizeof(o->image))
                return err_set(e, EINVAL, "modes[%d].options.image: too long", m->index);
            snprintf(o->image, sizeof(o->image), "%s", v);
            o->image_default = strcmp(v, DEFAULT_IMAGE) == 0;
        }
    }
    return 0;
}

/* ---- small helpers ---- */

static void url_encode(const char *in, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *in && o + 4 < n; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* The engine's {"message": "..."} or the raw body, trimmed. */
static void engine_message(const struct dk_resp *r, char *out, size_t n)
{
    cJSON *j = r->body.p ? cJSON_Parse(r->body.p) : NULL;
    const char *msg = j ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message")) : NULL;
    size_t len;
    snprintf(out, n, "%s", msg ? msg : (r->body.p ? r->body.p : ""));
    cJSON_Delete(j);
    len = strlen(out);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r' || out[len - 1] == ' '))
        out[--len] = '\0';
}

/* One call that must answer with one of the accepted statuses (0-terminated
   list, NULL = any 2xx). */
static int call(struct dkt *t, const char *method, const char *path, const char *ctype,
                const void *body, size_t blen, int timeout_ms, const int *ok, struct dk_resp *r,
                struct err *e)
{
    char msg[512];
    int i;

    if (dkt_call(t, method, path, ctype, body, blen, timeout_ms, r, e) < 0)
        return -1;
    if (ok == NULL) {
        if (r->status >= 200 && r->status <= 299)
            return 0;
    } else {
        for (i = 0; ok[i] != 0; i++)
            if (r->status == ok[i])
                return 0;
    }
    engine_message(r, msg, sizeof(msg));
    return err_set(e, EPROTO, "%s %s: HTTP %d: %s", method, path, r->status, msg);
}

static int64_t json_int(const cJSON *obj, const char *key, int *found)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    int64_t x;
    if (!cJSON_IsNumber(v)) {
        if (found)
            *found = 0;
        return -1;
    }
    /* a number no int64_t holds (1e30) is no value at all */
    if (input_to_i64(v->valuedouble, INT64_MIN, INT64_MAX, &x) < 0) {
        if (found)
            *found = 0;
        return -1;
    }
    if (found)
        *found = 1;
    return x;
}

static const char *json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_GetStringValue(v);
}

/* ---- pure parsers ---- */

int docker_parse_time(const char *s, int64_t *ns)
{
    int y, mo, d, h, mi, sec, consumed = 0;
    int64_t frac = 0, scale = 100000000, off = 0;
    const char *p;

    if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6 ||
        consumed != 19)
        return -1;
    if (y <= 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
        sec > 60)
        return -1;
    p = s + 19;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            frac += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || oh < 0 || oh > 23 || om < 0 || om > 59)
            return -1;
        off = ((int64_t)oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
    } else if (*p != 'Z') {
        return -1;
    }
    /* nanoseconds since 1970 fit an int64_t until 2262 */
    if (input_mul_i64(input_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off, 1000000000LL, ns) < 0 ||
        input_add_i64(*ns, frac, ns) < 0)
        return -1;
    return 0;
}

int docker_stats_parse(const char *json, int windows, struct counters *out, struct err *e)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *mem, *cpu, *pids, *storage, *blkio;
    int64_t read_ns, v;
    int found;

    counters_unknown(out);
    if (root == NULL || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return err_set(e, EPROTO, "stats: the engine's answer is not a JSON object");
    }
    /* A container that is not running answers with a zero "read" time and
       empty sections: nothing was measured. */
    if (docker_parse_time(json_str(root, "read"), &read_ns) < 0) {
        cJSON_Delete(root);
        return 0;
    }
    mem = cJSON_GetObjectItemCaseSensitive(root, "memory_stats");
    cpu = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "cpu_stats"), "cpu_usage");
    v = json_int(cpu, "total_usage", &found);
    if (found && (!windows || input_mul_i64(v, 100, &v) == 0)) /* Windows: 100 ns units */
        out->cpu_ns = v;
    if (windows) {
        out->mem_private_ws_bytes = json_int(mem, "privateworkingset", NULL);
        out->mem_commit_bytes = json_int(mem, "commitbytes", NULL);
        storage = cJSON_GetObjectItemCaseSensitive(root, "storage_stats");
        out->io_read_bytes = json_int(storage, "read_size_bytes", NULL);
        out->io_write_bytes = json_int(storage, "write_size_bytes", NULL);
        /* num_procs on Windows is the host's processor count, not processes. */
    } else {
        const cJSON *ent;
        out->mem_cgroup_bytes = json_int(mem, "usage", NULL);
        pids = cJSON_GetObjectItemCaseSensitive(root, "pids_stats");
        out->pids = json_int(pids, "current", NULL);
        blkio = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "blkio_stats"),
                                                 "io_service_bytes_recursive");
        if (cJSON_IsArray(blkio)) {
            out->io_read_bytes = 0;
            out->io_write_bytes = 0;
            cJSON_ArrayForEach(ent, blkio) {
                const char *op = json_str(ent, "op");
                int64_t val = json_int(ent, "value", &found);
                if (op == NULL || !found)
                    continue;
                /* cgroup v1 says "Read", v2 "read". */
                /* a negative or overflowing sum is no value (-1), never a wrapped one */
                if (op[0] == 'R' || op[0] == 'r') {
                    if (strcmp(op + 1, "ead") == 0 && out->io_read_bytes >= 0 &&
                        (val < 0 || input_add_i64(out->io_read_bytes, val, &out->io_read_bytes) < 0))
                        out->io_read_bytes = -1;
                } else if (op[0] == 'W' || op[0] == 'w') {
                    if (strcmp(op + 1, "rite") == 0 && out->io_write_bytes >= 0 &&
                        (val < 0 || input_add_i64(out->io_write_bytes, val, &out->io_write_bytes) < 0))
                        out->io_write_bytes = -1;
                }
            }
        }
    }
    cJSON_Delete(root);
    return 0;
}

int docker_demux_feed(struct docker_demux *d, const char *in, size_t n, struct dk_buf *out,
                      struct dk_buf *err)
{
    size_t i = 0;
    while (i < n) {
        if (d->hdr_len < 8) {
            d->hdr[d->hdr_len++] = (unsigned char)in[i++];
            if (d->hdr_len == 8) {
                d->stream = d->hdr[0];
                d->left = ((uint32_t)d->hdr[4] << 24) | ((uint32_t)d->hdr[5] << 16) |
                          ((uint32_t)d->hdr[6] << 8) | d->hdr[7];
                if (d->stream > 3 || d->hdr[1] || d->hdr[2] || d->hdr[3])
                    return -1;
                if (d->left == 0)
                    d->hdr_len = 0;
            }
        } else {
            size_t take = n - i;
            struct dk_buf *dst = d->stream == 2 ? err : out;
            if (take > d->left)
                take = d->left;
            if (dst != NULL && dk_buf_add(dst, in + i, take) < 0)
                return -1;
            i += take;
            d->left -= (uint32_t)take;
            if (d->left == 0)
                d->hdr_len = 0;
        }
    }
    return 0;
}

int docker_resolve_host(const char *option, const char *env, char *out, size_t n, struct err *e)
{
    const char *src = dkt_default_host();
    if (option != NULL && option[0] != '\0')
        src = option;
    else if (env != NULL && env[0] != '\0')
        src = env;
    if (src[0] == '/') {
        snprintf(out, n, "unix://%s", src);
        return 0;
    }
    if ((strncmp(src, "unix://", 7) == 0 && src[7] == '/') ||
        (strncmp(src, "npipe://", 8) == 0 && src[8] != '\0')) {
        if (strlen(src) >= n)
            return err_set(e, EINVAL, "docker: engine address too long: %s", src);
        snprintf(out, n, "%s", src);
        return 0;
    }
    return err_set(e, EINVAL,
                   "docker: engine address '%s' (%s): only unix:///path and npipe:////./pipe/name "
                   "are supported",
                   src, src == option ? "options.socket" : "DOCKER_HOST");
}

/* ---- engine checks shared by probe and mode_init ---- */

static int engine_check(const struct mode *m, const struct dk_opts *o, const char *host,
                        struct dkt *t, struct dk_engine *g, struct err *e)
{
    struct dk_resp r = { 0 };
    cJSON *info = NULL, *ver = NULL;
    const cJSON *rts, *rt, *comp;
    int rc = -1, have = 0;
    const char *s;

    memset(g, 0, sizeof(*g));
    if (dkt_call(t, "GET", DK_API "/_ping", NULL, NULL, 0, 5000, &r, e) < 0) {
        char why[ERR_MSG_MAX];
        snprintf(why, sizeof(why), "%s", e->msg);
        err_set(e, ECONNREFUSED, "docker: engine not reachable at %s: %s", host, why);
        goto out;
    }
    if (r.status != 200) {
        err_set(e, EPROTO, "docker: engine at %s answered /_ping with HTTP %d", host, r.status);
        goto out;
    }
    if (call(t, "GET", DK_API "/version", NULL, NULL, 0, CALL_MS, NULL, &r, e) < 0 ||
        (ver = cJSON_Parse(r.body.p)) == NULL) {
        err_wrap(e, "docker: engine at %s", host);
        goto out;
    }
    snprintf(g->version, sizeof(g->version), "%s", (s = json_str(ver, "Version")) ? s : "?");
    snprintf(g->api, sizeof(g->api), "%s", (s = json_str(ver, "ApiVersion")) ? s : "?");
    cJSON_ArrayForEach(comp, cJSON_GetObjectItemCaseSensitive(ver, "Components")) {
        const char *name = json_str(comp, "Name");
        if (name != NULL && strcmp(name, "runc") == 0 && (s = json_str(comp, "Version")) != NULL)
            snprintf(g->runc_version, sizeof(g->runc_version), "%s", s);
    }
    if (call(t, "GET", DK_API "/info", NULL, NULL, 0, CALL_MS, NULL, &r, e) < 0 ||
        (info = cJSON_Parse(r.body.p)) == NULL) {
        err_wrap(e, "docker: engine at %s", host);
        goto out;
    }
    snprintf(g->os_type, sizeof(g->os_type), "%s", (s = json_str(info, "OSType")) ? s : "linux");
    g->windows = strcmp(g->os_type, "windows") == 0;
    if ((s = json_str(info, "Isolation")) != NULL)
        snprintf(g->default_isolation, sizeof(g->default_isolation), "%s", s);
    if ((s = json_str(info, "DefaultRuntime")) != NULL)
        snprintf(g->default_runtime, sizeof(g->default_runtime), "%s", s);
    rts = cJSON_GetObjectItemCaseSensitive(info, "Runtimes");
    cJSON_ArrayForEach(rt, rts) {
        size_t len = strlen(g->runtimes);
        snprintf(g->runtimes + len, sizeof(g->runtimes) - len, "%s%s", len ? ", " : "", rt->string);
    }
    if (o->runtime[0] != '\0' && g->windows) {
        err_set(e, EINVAL, "docker: modes[%d].options.runtime is for Linux engines; the engine at %s "
                "runs Windows containers (use options.isolation)", m->index, host);
        goto out;
    }
    if (o->isolation[0] != '\0' && strcmp(o->isolation, "default") != 0 && !g->windows) {
        err_set(e, EINVAL, "docker: modes[%d].options.isolation=%s needs a Windows engine; the engine "
                "at %s runs %s containers (use options.runtime)", m->index, o->isolation, host,
                g->os_type);
        goto out;
    }
    if (!g->windows) {
        const char *want = o->runtime[0] ? o->runtime : g->default_runtime;
        const cJSON *mine = NULL;
        cJSON_ArrayForEach(rt, rts) if (strcmp(rt->string, want) == 0) {
            have = 1;
            mine = rt;
        }
        if (!have && o->runtime[0] != '\0') {
            err_set(e, ENOENT, "docker: runtime '%s' not registered with the engine at %s (have: %s)",
                    o->runtime, host, g->runtimes[0] ? g->runtimes : "none");
            goto out;
        }
        if (mine != NULL) {
            const cJSON *arg;
            size_t len;
            snprintf(g->runtime_desc, sizeof(g->runtime_desc), "%s",
                     (s = json_str(mine, "path")) ? s : want);
            cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(mine, "runtimeArgs")) {
                len = strlen(g->runtime_desc);
                if (cJSON_IsString(arg))
                    snprintf(g->runtime_desc + len, sizeof(g->runtime_desc) - len, " %s",
                             arg->valuestring);
            }
        }
    }
    rc = 0;
out:
    cJSON_Delete(info);
    cJSON_Delete(ver);
    dk_resp_free(&r);
    return rc;
}

static int resolve(const struct mode *m, struct dk_opts *o, char *host, size_t n, struct err *e)
{
    if (parse_options(m, o, e) < 0)
        return -1;
    return docker_resolve_host(o->socket, getenv("DOCKER_HOST"), host, n, e);
}

static int docker_probe(const struct mode *m, struct err *e)
{
    struct dk_opts o;
    struct dk_engine g;
    char host[512];
    struct dkt *t = NULL;
    int rc;

    if (resolve(m, &o, host, sizeof(host), e) < 0)
        return -1;
    if (dkt_open(host, &t, e) < 0)
        return err_wrap(e, "docker");
    rc = engine_check(m, &o, host, t, &g, e);
    dkt_close(t);
    return rc;
}

/* ---- image ---- */

static int image_inspect(struct dkt *t, const char *image, struct dk_resp *r, cJSON **out,
                         struct err *e)
{
    static const int ok[] = { 200, 404, 0 };
    char path[1024], enc[512];
    url_encode(image, enc, sizeof(enc));
    snprintf(path, sizeof(path), DK_API "/images/%s/json", enc);
    *out = NULL;
    if (call(t, "GET", path, NULL, NULL, 0, CALL_MS, ok, r, e) < 0)
        return -1;
    if (r->status == 404)
        return 0;
    *out = cJSON_Parse(r->body.p);
    return 0;
}

/* The import answers 200 and reports failure inside its JSON message stream. */
static int import_failed(const char *body, char *msg, size_t n)
{
    const char *p = strstr(body, "\"error\"");
    cJSON *j;
    const char *line;
    if (p == NULL)
        return 0;
    line = p;
    while (line > body && line[-1] != '\n')
        line--;
    j = cJSON_Parse(line);
    snprintf(msg, n, "%s", j && json_str(j, "error") ? json_str(j, "error") : line);
    cJSON_Delete(j);
    return 1;
}

static int ensure_image(struct dk_mode *st, const struct mode *m, const struct scenario *s,
                        struct dkt *t, struct err *e)
{
    struct dk_resp r = { 0 };
    struct dk_buf tar = { 0 };
    cJSON *img = NULL;
    uint64_t sum = 0;
    char want[32], path[1024], changes[128], enc[256], msg[512];
    const char *have, *id;
    int rc = -1;

    if (image_inspect(t, st->o.image, &r, &img, e) < 0)
        goto out;
    if (!st->o.image_default) {
        if (img == NULL) {
            err_set(e, ENOENT, "docker: image '%s' missing from the engine at %s (pull or load it "
                    "first, or drop modes[%d].options.image to use %s)", st->o.image, st->host,
                    m->index, DEFAULT_IMAGE);
            goto out;
        }
        goto found;
    }
    if (st->g.windows) {
        err_set(e, EINVAL, "docker: the engine at %s runs Windows containers; the busybox image is "
                "Linux-only: set modes[%d].options.image to a Windows image with isobench-payload",
                st->host, m->index);
        goto out;
    }
    if (dk_rootfs_tar(s != NULL ? s->image : "", &tar, &sum, e) < 0) {
        err_wrap(e, "docker: image %s", DEFAULT_IMAGE);
        goto out;
    }
    snprintf(want, sizeof(want), "%016llx", (unsigned long long)sum);
    have = json_str(cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(img, "Config"), "Labels"),
                    IMAGE_SUM_LABEL);
    if (have != NULL && strcmp(have, want) == 0)
        goto found;
    snprintf(changes, sizeof(changes), "LABEL " IMAGE_SUM_LABEL "=%s", want);
    url_encode(changes, enc, sizeof(enc));
    snprintf(path, sizeof(path),
             DK_API "/images/create?fromSrc=-&repo=" DEFAULT_IMAGE "&tag=latest&changes=%s"
                    "&message=isobench%%20busybox%%20rootfs",
             enc);
    if (call(t, "POST", path, "application/x-tar", tar.p, tar.len, IMPORT_MS, NULL, &r, e) < 0) {
        err_wrap(e, "docker: import %s", DEFAULT_IMAGE);
        goto out;
    }
    if (import_failed(r.body.p, msg, sizeof(msg))) {
        err_set(e, EIO, "docker: import %s into the engine at %s: %s", DEFAULT_IMAGE, st->host, msg);
        goto out;
    }
    st->image_imported = 1;
    /* The stale image lost its tag: remove it unless a container still uses it. */
    if (img != NULL && (id = json_str(img, "Id")) != NULL) {
        struct dk_resp r2 = { 0 };
        struct err e2;
        snprintf(path, sizeof(path), DK_API "/images/%s", id);
        dkt_call(t, "DELETE", path, NULL, NULL, 0, CALL_MS, &r2, &e2);
        dk_resp_free(&r2);
    }
    cJSON_Delete(img);
    if (image_inspect(t, st->o.image, &r, &img, e) < 0)
        goto out;
    if (img == NULL) {
        err_set(e, ENOENT, "docker: image %s still missing after the import", DEFAULT_IMAGE);
        goto out;
    }
found:
    if ((id = json_str(img, "Id")) != NULL)
        snprintf(st->image_id, sizeof(st->image_id), "%s", id);
    rc = 0;
out:
    cJSON_Delete(img);
    dk_buf_free(&tar);
    dk_resp_free(&r);
    return rc;
}

/* ---- containers ---- */

static struct dk_mode *mode_state(const struct ctr *c, struct err *e)
{
    struct dk_mode *st = c->mode ? c->mode->drv_state : NULL;
    if (st == NULL)
        err_set(e, EINVAL, "docker: mode '%s' was not initialised (mode_init)",
                c->mode ? c->mode->name : "?");
    return st;
}

static void free_lines(struct dk_ctr *p)
{
    int i;
    for (i = 0; i < p->nlines; i++)
        free(p->lines[i].text);
    free(p->lines);
    p->lines = NULL;
    p->nlines = p->caplines = 0;
}

static void ctr_free(struct dk_ctr *p)
{
    if (p == NULL)
        return;
    dkt_stream_close(p->s);
    dkt_stream_close(p->stats);
    dk_buf_free(&p->stats_in);
    free(p->stats_last);
    dkt_close(p->t);
    dk_buf_free(&p->out);
    dk_buf_free(&p->err);
    free_lines(p);
    free(p);
}

static int docker_create(struct ctr *c, struct err *e)
{
    struct dk_mode *st = mode_state(c, e);
    const struct scenario *s = c->scn;
    struct dk_ctr *p;
    struct dk_resp r = { 0 };
    cJSON *body = NULL, *hc, *labels, *cmd, *res = NULL;
    char *text = NULL, path[1024], enc[300], idx[16];
    const char *id;
    int i, rc = -1;

    if (st == NULL)
        return -1;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return err_set(e, ENOMEM, "out of memory");
    c->priv = p;
    if (dkt_open(st->host, &p->t, e) < 0)
        goto out;

    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "Image", st->o.image);
    cmd = cJSON_AddArrayToObject(body, "Cmd");
    for (i = 0; c->argv != NULL && c->argv[i] != NULL; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(c->argv[i]));
    cJSON_AddBoolToObject(body, "AttachStdout", 1);
    cJSON_AddBoolToObject(body, "AttachStderr", 1);
    cJSON_AddBoolToObject(body, "Tty", 0);
    cJSON_AddBoolToObject(body, "OpenStdin", 0);
    cJSON_AddBoolToObject(body, "NetworkDisabled", 1);
    labels = cJSON_AddObjectToObject(body, "Labels");
    cJSON_AddStringToObject(labels, "isobench.run", c->run_id ? c->run_id : "");
    cJSON_AddStringToObject(labels, "isobench.mode", c->mode->name);
    snprintf(idx, sizeof(idx), "%d", c->index);
    cJSON_AddStringToObject(labels, "isobench.index", idx);
    hc = cJSON_AddObjectToObject(body, "HostConfig");
    cJSON_AddStringToObject(hc, "NetworkMode", "none");
    if (st->o.runtime[0] != '\0')
        cJSON_AddStringToObject(hc, "Runtime", st->o.runtime);
    if (st->o.isolation[0] != '\0')
        cJSON_AddStringToObject(hc, "Isolation", st->o.isolation);
    if (c->cgroup_parent != NULL) {
        char parent[300];
        snprintf(parent, sizeof(parent), "/%s", c->cgroup_parent);
        cJSON_AddStringToObject(hc, "CgroupParent", parent);
    }
    if (s != NULL && s->mem_limit_bytes > 0)
        cJSON_AddNumberToObject(hc, "Memory", (double)s->mem_limit_bytes);
    if (s != NULL && s->cpu_limit > 0)
        cJSON_AddNumberToObject(hc, "NanoCpus", (double)(int64_t)(s->cpu_limit * 1e9 + 0.5));
    if (s != NULL && s->pids_limit > 0 && !st->g.windows)
        cJSON_AddNumberToObject(hc, "PidsLimit", s->pids_limit);
    text = cJSON_PrintUnformatted(body);
    if (text == NULL) {
        err_set(e, ENOMEM, "out of memory");
        goto out;
    }
    url_encode(c->name, enc, sizeof(enc));
    snprintf(path, sizeof(path), DK_API "/containers/create?name=%s", enc);
    if (dkt_call(p->t, "POST", path, "application/json", text, strlen(text), CALL_MS, &r, e) < 0) {
        err_wrap(e, "docker: create");
        goto out;
    }
    if (r.status == 404) {
        char msg[512];
        engine_message(&r, msg, sizeof(msg));
        err_set(e, ENOENT, "docker: create: image '%s' missing from the engine at %s (%s)",
                st->o.image, st->host, msg);
        goto out;
    }
    if (r.status != 201) {
        char msg[512];
        engine_message(&r, msg, sizeof(msg));
        err_set(e, EPROTO, "docker: create %s: HTTP %d: %s", c->name, r.status, msg);
        goto out;
    }
    res = cJSON_Parse(r.body.p);
    id = json_str(res, "Id");
    if (id == NULL || strlen(id) >= sizeof(p->id)) {
        err_set(e, EPROTO, "docker: create %s: no container id in the answer", c->name);
        goto out;
    }
    snprintf(p->id, sizeof(p->id), "%s", id);

    /* Attach before start: the engine registers the attach before it sends
       the response head, so nothing the workload prints is lost. */
    snprintf(path, sizeof(path), DK_API "/containers/%s/attach?stream=1&stdout=1&stderr=1", p->id);
    if (dkt_stream_open(st->host, "POST", path, CALL_MS, &p->s, e) < 0) {
        err_wrap(e, "docker: attach %s", c->name);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(body);
    cJSON_Delete(res);
    free(text);
    dk_resp_free(&r);
    return rc;
}

static int docker_start(struct ctr *c, struct err *e)
{
    static const int ok[] = { 204, 304, 0 };
    struct dk_ctr *p = c->priv;
    struct dk_resp r = { 0 };
    char path[256];
    int rc;

    if (p == NULL || p->id[0] == '\0')
        return err_set(e, EINVAL, "docker: start %s: not created", c->name);
    snprintf(path, sizeof(path), DK_API "/containers/%s/start", p->id);
    rc = call(p->t, "POST", path, NULL, NULL, 0, CALL_MS, ok, &r, e);
    if (rc < 0)
        err_wrap(e, "docker: start %s", c->name);
    dk_resp_free(&r);
    return rc;
}

static int stats_open(const struct dk_mode *st, struct dk_ctr *p, struct err *e);

/* Split complete stdout lines into the queue, stamped with their read time. */
static int queue_lines(struct dk_ctr *p, int64_t t_ns)
{
    char *nl;
    while ((nl = memchr(p->out.p, '\n', p->out.len)) != NULL) {
        size_t len = (size_t)(nl - p->out.p);
        char *text;
        if (len > 0 && p->out.p[len - 1] == '\r')
            len--;
        text = malloc(len + 1);
        if (text == NULL)
            return -1;
        memcpy(text, p->out.p, len);
        text[len] = '\0';
        if (p->nlines == p->caplines) {
            int cap = p->caplines ? p->caplines * 2 : 8;
            struct dk_line *nlines = realloc(p->lines, (size_t)cap * sizeof(*nlines));
            if (nlines == NULL) {
                free(text);
                return -1;
            }
            p->lines = nlines;
            p->caplines = cap;
        }
        p->lines[p->nlines].text = text;
        p->lines[p->nlines].t_ns = t_ns;
        p->nlines++;
        snprintf(p->last_line, sizeof(p->last_line), "%s", text);
        dk_buf_consume(&p->out, (size_t)(nl - p->out.p) + 1);
    }
    /* Keep only the tail of stderr: it is for messages. */
    if (p->err.len > 4096)
        dk_buf_consume(&p->err, p->err.len - 1024);
    return 0;
}

/* Pop the first queued line starting with marker (earlier lines are dropped). */
static int take_marker(struct dk_ctr *p, const char *marker, char *buf, size_t n, int64_t *t_ns)
{
    int i, found = -1, k;
    size_t ml = strlen(marker);
    for (i = 0; i < p->nlines; i++)
        if (strncmp(p->lines[i].text, marker, ml) == 0) {
            found = i;
            break;
        }
    if (found < 0)
        return 0;
    snprintf(buf, n, "%s", p->lines[found].text);
    *t_ns = p->lines[found].t_ns;
    for (i = 0; i <= found; i++)
        free(p->lines[i].text);
    for (k = 0, i = found + 1; i < p->nlines; i++, k++)
        p->lines[k] = p->lines[i];
    p->nlines -= found + 1;
    return 1;
}

/* Container state for messages: "exited with code 127" / "running". Uses
   its own connection: the runner may sample this container (p->t) from
   another thread while one waits for its output. */
static void describe_state(const struct dk_mode *st, struct dk_ctr *p, char *out, size_t n,
                           int64_t *started_ns)
{
    struct dk_resp r = { 0 };
    struct dkt *t = NULL;
    struct err e2;
    char path[256];
    cJSON *j = NULL;
    const cJSON *state;

    snprintf(out, n, "state unknown");
    snprintf(path, sizeof(path), DK_API "/containers/%s/json", p->id);
    if (st != NULL && dkt_open(st->host, &t, &e2) == 0 &&
        call(t, "GET", path, NULL, NULL, 0, CALL_MS, NULL, &r, &e2) == 0 &&
        (j = cJSON_Parse(r.body.p)) != NULL) {
        const char *status, *error;
        state = cJSON_GetObjectItemCaseSensitive(j, "State");
        status = json_str(state, "Status");
        error = json_str(state, "Error");
        if (status != NULL && strcmp(status, "exited") == 0)
            snprintf(out, n, "exited with code %lld%s%s", (long long)json_int(state, "ExitCode", NULL),
                     error && error[0] ? ": " : "", error ? error : "");
        else if (status != NULL)
            snprintf(out, n, "%s", status);
        if (started_ns != NULL && docker_parse_time(json_str(state, "StartedAt"), started_ns) < 0)
            *started_ns = 0;
    }
    cJSON_Delete(j);
    dk_resp_free(&r);
    dkt_close(t);
}

static int docker_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf,
                              size_t n, int64_t *t_ns, struct err *e)
{
    struct dk_ctr *p = c->priv;
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000;
    char chunk[16384], state[256];

    if (p == NULL || p->s == NULL)
        return err_set(e, EINVAL, "docker: wait %s: not created", c->name);
    for (;;) {
        int64_t left_ms, now;
        int got;
        if (take_marker(p, marker, buf, n, t_ns))
            break;
        if (p->eof) {
            describe_state(c->mode ? c->mode->drv_state : NULL, p, state, sizeof(state), NULL);
            return err_set(e, EPIPE, "docker: %s: output ended without %s (container %s)%s%s%s%s",
                           c->name, marker, state, p->last_line[0] ? "; last line: " : "",
                           p->last_line, p->err.len ? "; stderr: " : "", p->err.len ? p->err.p : "");
        }
        now = plat_now_ns();
        left_ms = (deadline - now) / 1000000;
        if (plat_interrupted())
            return err_set(e, EINTR, "docker: %s: interrupted while waiting for %s", c->name, marker);
        if (left_ms <= 0) {
            describe_state(c->mode ? c->mode->drv_state : NULL, p, state, sizeof(state), NULL);
            return err_set(e, ETIMEDOUT, "docker: %s: no %s within %d ms (container %s)%s%s%s%s",
                           c->name, marker, timeout_ms, state, p->last_line[0] ? "; last line: " : "",
                           p->last_line, p->err.len ? "; stderr: " : "", p->err.len ? p->err.p : "");
        }
        /* Short slices so an interrupt is noticed. */
        got = dkt_stream_read(p->s, chunk, sizeof(chunk), left_ms > 500 ? 500 : (int)left_ms, e);
        now = plat_now_ns();
        if (got == DK_EOF) {
            p->eof = 1;
            continue;
        }
        if (got < 0)
            return err_wrap(e, "docker: %s: attach stream", c->name);
        if (got == 0)
            continue;
        if (docker_demux_feed(&p->dm, chunk, (size_t)got, &p->out, &p->err) < 0)
            return err_set(e, EPROTO, "docker: %s: malformed attach stream", c->name);
        if (queue_lines(p, now) < 0)
            return err_set(e, ENOMEM, "out of memory");
    }
    /* The engine's own start time, mapped onto the monotonic clock, is the
       exec split when it falls between create and ready. */
    if (strcmp(marker, MARKER_READY) == 0) {
        int64_t started = 0;
        struct err e3;
        /* The stats stream starts now so the first sample need not wait for
           it; a failure here is retried by sample(). */
        if (p->stats == NULL && c->mode != NULL && c->mode->drv_state != NULL)
            stats_open(c->mode->drv_state, p, &e3);
        describe_state(c->mode ? c->mode->drv_state : NULL, p, state, sizeof(state), &started);
        if (started > 0) {
            int64_t mono = plat_now_ns() - (int64_t)(plat_wall_time() * 1e9) + started;
            if (mono > c->create_ns && mono <= *t_ns)
                c->exec_ns = mono;
        }
    }
    return 0;
}

/* ---- stats: one stream per container ----
 *
 * A one-shot stats call (stream=false&one-shot=true) waits for the engine's
 * stats collector, which visits its subscribers once a second: except when
 * the collector was idle, every call takes up to a second, and a runner that
 * samples N containers one after the other would need N seconds per round.
 * Instead each container keeps one GET stats?stream=1 connection, opened
 * when it is ready; the engine pushes one object per second into it, and
 * sample() takes the newest object that has arrived without waiting. The
 * engine does the same collection work as for one-shot calls at a 1 s
 * sampling interval (bench/bench_docker.c measures the engine's CPU per
 * container second against one one-shot call). */

#define STATS_STALE_NS 2500000000LL  /* newest object older than this: wait for one */
#define STATS_WAIT_MS 3000

static int stats_open(const struct dk_mode *st, struct dk_ctr *p, struct err *e)
{
    char path[256];
    snprintf(path, sizeof(path), DK_API "/containers/%s/stats?stream=1", p->id);
    return dkt_stream_open(st->host, "GET", path, CALL_MS, &p->stats, e);
}

/* Split complete lines of the stream; keep the newest object. */
static int stats_lines(struct dk_ctr *p)
{
    char *nl;
    while ((nl = memchr(p->stats_in.p, '\n', p->stats_in.len)) != NULL) {
        size_t len = (size_t)(nl - p->stats_in.p);
        const char *rd;
        if (len > 1) {
            char *line = malloc(len + 1);
            int64_t t;
            if (line == NULL)
                return -1;
            memcpy(line, p->stats_in.p, len);
            line[len] = '\0';
            free(p->stats_last);
            p->stats_last = line;
            rd = strstr(line, "\"read\":\"");
            p->stats_last_ns = rd != NULL && docker_parse_time(rd + 8, &t) == 0 ? t : 0;
        }
        dk_buf_consume(&p->stats_in, len + 1);
    }
    return 0;
}

static int stats_latest(const struct dk_mode *st, struct dk_ctr *p, struct err *e)
{
    char chunk[16384];
    int64_t deadline = plat_now_ns() + (int64_t)STATS_WAIT_MS * 1000000;
    int reopened = 0;

    for (;;) {
        int64_t wall = (int64_t)(plat_wall_time() * 1e9);
        int fresh = p->stats_last != NULL && p->stats_last_ns > 0 &&
                    wall - p->stats_last_ns < STATS_STALE_NS;
        int64_t left = (deadline - plat_now_ns()) / 1000000;
        int n;

        if (p->stats == NULL) {
            if (reopened)
                return err_set(e, EPIPE, "stats stream keeps closing");
            reopened = 1;
            if (stats_open(st, p, e) < 0)
                return -1;
        }
        /* Drain without waiting; wait only while nothing fresh has arrived. */
        n = dkt_stream_read(p->stats, chunk, sizeof(chunk), fresh ? 0 : (int)(left > 0 ? left : 0), e);
        if (n > 0) {
            if (dk_buf_add(&p->stats_in, chunk, (size_t)n) < 0 || stats_lines(p) < 0)
                return err_set(e, ENOMEM, "out of memory");
            continue;
        }
        if (n == DK_EOF || n < 0) {
            dkt_stream_close(p->stats);
            p->stats = NULL;
            p->stats_in.len = 0;
            if (n < 0 && reopened)
                return -1;
            continue;
        }
        /* Timed out (or nothing more to drain). */
        if (fresh)
            return 0;
        if (left <= 0) {
            if (p->stats_last != NULL)
                return 0; /* stale but real: the "read" time says how old */
            return err_set(e, ETIMEDOUT, "no stats from the engine within %d ms", STATS_WAIT_MS);
        }
    }
}

static int docker_sample(struct ctr *c, struct counters *out, struct err *e)
{
    static const int ok_inspect[] = { 200, 0 };
    struct dk_mode *st = mode_state(c, e);
    struct dk_ctr *p = c->priv;
    struct dk_resp r = { 0 };
    struct err e2;
    char path[256];
    cJSON *j = NULL;
    int64_t t0 = plat_now_ns(), pss, rss;
    int nprocs, found, rc = -1;

    counters_unknown(out);
    if (st == NULL)
        return -1;
    if (p == NULL || p->id[0] == '\0')
        return err_set(e, EINVAL, "docker: sample %s: not created", c->name);
    if (stats_latest(st, p, e) < 0) {
        err_wrap(e, "docker: stats %s", c->name);
        goto out;
    }
    if (docker_stats_parse(p->stats_last, st->g.windows, out, e) < 0) {
        err_wrap(e, "docker: %s", c->name);
        goto out;
    }
    snprintf(path, sizeof(path), DK_API "/containers/%s/json?size=1", p->id);
    if (call(p->t, "GET", path, NULL, NULL, 0, CALL_MS, ok_inspect, &r, e) < 0) {
        err_wrap(e, "docker: inspect %s", c->name);
        goto out;
    }
    j = cJSON_Parse(r.body.p);
    out->storage_bytes = json_int(j, "SizeRw", &found);
    if (!found)
        out->storage_bytes = -1;
    /* Host processes: unknown (not an error) where they cannot be seen. */
    if (dk_host_mem(p->id, &p->shim_pid, &pss, &rss, &nprocs, &e2) == 0) {
        out->mem_pss_bytes = pss;
        out->mem_rss_bytes = rss;
    }
    atomic_fetch_add(&st->sample_ns_total, (long long)(plat_now_ns() - t0));
    atomic_fetch_add(&st->sample_calls, 1);
    rc = 0;
out:
    cJSON_Delete(j);
    dk_resp_free(&r);
    return rc;
}

static int docker_stop(struct ctr *c, struct err *e)
{
    static const int ok[] = { 204, 304, 404, 409, 0 };
    struct dk_ctr *p = c->priv;
    struct dk_resp r = { 0 };
    char path[256];
    int rc;

    if (p == NULL || p->id[0] == '\0' || p->t == NULL)
        return 0;
    snprintf(path, sizeof(path), DK_API "/containers/%s/kill", p->id);
    rc = call(p->t, "POST", path, NULL, NULL, 0, CALL_MS, ok, &r, e);
    if (rc < 0)
        err_wrap(e, "docker: stop %s", c->name);
    dk_resp_free(&r);
    return rc;
}

static int remove_container(struct dkt *t, const char *id, struct err *e)
{
    static const int ok[] = { 204, 404, 0 };
    struct dk_resp r = { 0 };
    char path[256];
    int rc;
    snprintf(path, sizeof(path), DK_API "/containers/%s?force=1&v=1", id);
    rc = call(t, "DELETE", path, NULL, NULL, 0, CALL_MS, ok, &r, e);
    dk_resp_free(&r);
    return rc;
}

static int docker_destroy(struct ctr *c, struct err *e)
{
    struct dk_ctr *p = c->priv;
    int rc = 0;

    if (p == NULL)
        return 0;
    if (p->id[0] != '\0' && p->t != NULL && remove_container(p->t, p->id, e) < 0)
        rc = err_wrap(e, "docker: remove %s", c->name);
    ctr_free(p);
    c->priv = NULL;
    return rc;
}

/* ---- mode hooks ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One idle container through the driver's own hooks: proves image, runtime
   and attach work before the first measured container, and times what
   sample() costs (recorded in the mode's facts). */
static int warmup(struct mode *m, const struct scenario *s, struct dk_mode *st, struct err *e)
{
    static const char *const argv[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };
    struct ctr c;
    struct counters k;
    struct dk_resp r = { 0 };
    struct err e2;
    char line[256], path[256];
    double oneshot[1], samples[WARMUP_CALLS], inspect[WARMUP_CALLS], host[WARMUP_CALLS];
    int64_t t_ready = 0, t0, pss, rss;
    int i, nprocs, have_host = 1, rc = -1;
    struct dk_ctr *p;

    memset(&c, 0, sizeof(c));
    c.mode = m;
    c.scn = s;
    c.run_id = "warmup";
    c.argv = argv;
    snprintf(c.name, sizeof(c.name), "isobench-warmup-%lld", (long long)(plat_now_ns() % 1000000000000LL));
    c.create_ns = plat_now_ns();
    if (docker_create(&c, e) < 0 || docker_start(&c, e) < 0 ||
        docker_wait_output(&c, MARKER_READY, s && s->ready_timeout_ms > 0 ? s->ready_timeout_ms : 60000,
                           line, sizeof(line), &t_ready, e) < 0)
        goto out;
    st->warmup_start_ms = (double)(t_ready - c.create_ns) / 1e6;
    p = c.priv;
    t0 = plat_now_ns();
    if (docker_sample(&c, &k, e) < 0)
        goto out;
    st->first_sample_ms = (double)(plat_now_ns() - t0) / 1e6;
    for (i = 0; i < WARMUP_CALLS; i++) {
        t0 = plat_now_ns();
        if (docker_sample(&c, &k, e) < 0)
            goto out;
        samples[i] = (double)(plat_now_ns() - t0) / 1e6;
        snprintf(path, sizeof(path), DK_API "/containers/%s/json?size=1", p->id);
        t0 = plat_now_ns();
        if (call(p->t, "GET", path, NULL, NULL, 0, CALL_MS, NULL, &r, e) < 0)
            goto out;
        inspect[i] = (double)(plat_now_ns() - t0) / 1e6;
        t0 = plat_now_ns();
        p->shim_pid = 0; /* time the full search, as in a container's first sample */
        if (dk_host_mem(p->id, &p->shim_pid, &pss, &rss, &nprocs, &e2) < 0)
            have_host = 0;
        host[i] = (double)(plat_now_ns() - t0) / 1e6;
    }
    /* One one-shot call is enough to show its wait (up to a second each). */
    for (i = 0; i < 1; i++) {
        snprintf(path, sizeof(path), DK_API "/containers/%s/stats?stream=false&one-shot=true", p->id);
        t0 = plat_now_ns();
        if (call(p->t, "GET", path, NULL, NULL, 0, CALL_MS, NULL, &r, e) < 0)
            goto out;
        oneshot[i] = (double)(plat_now_ns() - t0) / 1e6;
    }
    st->sample_ms = median(samples, WARMUP_CALLS);
    st->inspect_size_call_ms = median(inspect, WARMUP_CALLS);
    st->host_mem_ms = have_host ? median(host, WARMUP_CALLS) : -1;
    st->oneshot_stats_ms = oneshot[0];
    /* The warm-up's samples are not the run's. */
    atomic_store(&st->sample_ns_total, 0);
    atomic_store(&st->sample_calls, 0);
    rc = 0;
out:
    if (rc < 0)
        err_wrap(e, "docker: warm-up container");
    docker_stop(&c, &e2);
    if (docker_destroy(&c, &e2) < 0 && rc == 0)
        rc = err_set(e, e2.code, "%s", e2.msg);
    dk_resp_free(&r);
    return rc;
}

static void docker_mode_fini(struct mode *m)
{
    free(m->drv_state);
    m->drv_state = NULL;
}

static int docker_mode_init(struct mode *m, const struct scenario *s, struct err *e)
{
    struct dk_mode *st;
    struct dkt *t = NULL;
    int rc = -1;

    st = calloc(1, sizeof(*st));
    if (st == NULL)
        return err_set(e, ENOMEM, "out of memory");
    st->warmup_start_ms = st->oneshot_stats_ms = st->first_sample_ms = st->sample_ms = -1;
    st->inspect_size_call_ms = st->host_mem_ms = -1;
    atomic_init(&st->sample_ns_total, 0);
    atomic_init(&st->sample_calls, 0);
    if (resolve(m, &st->o, st->host, sizeof(st->host), e) < 0)
        goto out;
    if (dkt_open(st->host, &t, e) < 0) {
        err_wrap(e, "docker");
        goto out;
    }
    if (engine_check(m, &st->o, st->host, t, &st->g, e) < 0)
        goto out;
    if (ensure_image(st, m, s, t, e) < 0)
        goto out;
    m->drv_state = st;
    /* Linux images only: a Windows image has its own payload path. */
    if (!st->g.windows && warmup(m, s, st, e) < 0)
        goto out;
    rc = 0;
out:
    dkt_close(t);
    if (rc < 0) {
        m->drv_state = NULL;
        free(st);
    }
    return rc;
}

static int docker_version(const struct mode *m, char *buf, size_t n, struct err *e)
{
    const struct dk_mode *st = m->drv_state;
    struct dk_mode tmp;
    struct dkt *t = NULL;

    if (st == NULL) {
        memset(&tmp, 0, sizeof(tmp));
        if (resolve(m, &tmp.o, tmp.host, sizeof(tmp.host), e) < 0 || dkt_open(tmp.host, &t, e) < 0)
            return -1;
        if (engine_check(m, &tmp.o, tmp.host, t, &tmp.g, e) < 0) {
            dkt_close(t);
            return -1;
        }
        dkt_close(t);
        st = &tmp;
    }
    if (st->g.windows) {
        snprintf(buf, n, "docker %s (API %s), isolation %s", st->g.version, st->g.api,
                 st->o.isolation[0] ? st->o.isolation : st->g.default_isolation);
    } else {
        const char *rt = st->o.runtime[0] ? st->o.runtime : st->g.default_runtime;
        if (strcmp(rt, "runc") == 0 && st->g.runc_version[0])
            snprintf(buf, n, "docker %s (API %s), runtime runc %s", st->g.version, st->g.api,
                     st->g.runc_version);
        else
            snprintf(buf, n, "docker %s (API %s), runtime %s (%s)", st->g.version, st->g.api, rt,
                     st->g.runtime_desc);
    }
    return 0;
}

static void add_ms(cJSON *out, const char *key, double v)
{
    if (v >= 0)
        cJSON_AddNumberToObject(out, key, (double)(int64_t)(v * 1000 + 0.5) / 1000);
}

static unsigned docker_isolation_of(const struct mode *m);

static void docker_facts(const struct mode *m, cJSON *out)
{
    struct dk_mode *st = m->drv_state;
    long long calls;
    if (st == NULL)
        return;
    cJSON_AddStringToObject(out, "engine", st->host);
    cJSON_AddStringToObject(out, "engine_version", st->g.version);
    cJSON_AddStringToObject(out, "api_version", st->g.api);
    cJSON_AddStringToObject(out, "os_type", st->g.os_type);
    if (st->g.windows) {
        const char *iso = st->o.isolation[0] && strcmp(st->o.isolation, "default") != 0 ? st->o.isolation
                                                                                          : st->g.default_isolation;
        cJSON_AddStringToObject(out, "isolation", st->o.isolation[0] ? st->o.isolation : st->g.default_isolation);
        /* The engine's stats are the container's own, inside the utility VM
           under Hyper-V isolation: not the VM's cost, which hcs-hyperv
           reports. Labelled so a four-mode comparison does not mix them. */
        if (strcmp(iso, "hyperv") == 0) {
            cJSON_AddStringToObject(out, "mem_scope", "container inside the utility VM (engine stats): the VM's "
                                                      "kernel and services are not counted; compare with hcs-hyperv "
                                                      "only through the host-level marginal memory");
            cJSON_AddStringToObject(out, "cpu_scope", "container inside the utility VM (engine stats)");
        } else {
            cJSON_AddStringToObject(out, "mem_scope", "container: its job object (silo)");
            cJSON_AddStringToObject(out, "cpu_scope", "container: its job object (silo)");
        }
    } else {
        cJSON_AddStringToObject(out, "runtime", st->o.runtime[0] ? st->o.runtime : st->g.default_runtime);
        cJSON_AddStringToObject(out, "runtime_path", st->g.runtime_desc);
        cJSON_AddStringToObject(out, "isolation", isolation_name(docker_isolation_of(m)));
    }
    cJSON_AddStringToObject(out, "image", st->o.image);
    cJSON_AddStringToObject(out, "image_id", st->image_id);
    cJSON_AddBoolToObject(out, "image_imported", st->image_imported);
    add_ms(out, "warmup_start_ms", st->warmup_start_ms);
    add_ms(out, "stats_oneshot_call_ms", st->oneshot_stats_ms);
    add_ms(out, "first_sample_ms", st->first_sample_ms);
    add_ms(out, "sample_ms", st->sample_ms);
    add_ms(out, "inspect_size_call_ms", st->inspect_size_call_ms);
    add_ms(out, "host_mem_scan_ms", st->host_mem_ms);
    calls = atomic_load(&st->sample_calls);
    if (calls > 0) {
        cJSON_AddNumberToObject(out, "sample_calls", (double)calls);
        add_ms(out, "sample_ms_mean", (double)atomic_load(&st->sample_ns_total) / (double)calls / 1e6);
    }
}

static unsigned docker_isolation_of(const struct mode *m)
{
    const struct dk_mode *st = m->drv_state;
    struct dk_opts o;
    struct err e;
    const char *rt;

    if (st != NULL)
        o = st->o;
    else if (parse_options(m, &o, &e) < 0)
        return m->isolation ? m->isolation : ISO_PROCESS;
    if (st != NULL && st->g.windows) {
        const char *iso = o.isolation[0] && strcmp(o.isolation, "default") != 0 ? o.isolation
                                                                                 : st->g.default_isolation;
        return strcmp(iso, "hyperv") == 0 ? ISO_VM : ISO_PROCESS;
    }
    if (strcmp(o.isolation, "hyperv") == 0)
        return ISO_VM;
    if (strcmp(o.isolation, "process") == 0)
        return ISO_PROCESS;
    rt = o.runtime[0] ? o.runtime : (st != NULL ? st->g.default_runtime : "runc");
    if (strstr(rt, "runsc") != NULL || strstr(rt, "gvisor") != NULL)
        return ISO_SANDBOX;
    if (strstr(rt, "kata") != NULL || strstr(rt, "firecracker") != NULL)
        return ISO_VM;
    if (strstr(rt, "runc") != NULL || strstr(rt, "crun") != NULL)
        return ISO_PROCESS;
    return m->isolation ? m->isolation : ISO_PROCESS;
}

static int docker_cleanup(const char *run_id, int *removed, struct err *e)
{
    struct dkt *t = NULL;
    struct dk_resp r = { 0 };
    char host[512], filter[512], enc[1024], path[1200];
    cJSON *list = NULL, *it, *f, *labels;
    int rc = -1;

    *removed = 0;
    if (docker_resolve_host(NULL, getenv("DOCKER_HOST"), host, sizeof(host), e) < 0)
        return -1;
    if (dkt_open(host, &t, e) < 0)
        return err_wrap(e, "docker");
    f = cJSON_CreateObject();
    labels = cJSON_AddArrayToObject(f, "label");
    if (run_id != NULL)
        snprintf(filter, sizeof(filter), "isobench.run=%s", run_id);
    else
        snprintf(filter, sizeof(filter), "isobench.run");
    cJSON_AddItemToArray(labels, cJSON_CreateString(filter));
    {
        char *text = cJSON_PrintUnformatted(f);
        url_encode(text ? text : "{}", enc, sizeof(enc));
        free(text);
    }
    cJSON_Delete(f);
    snprintf(path, sizeof(path), DK_API "/containers/json?all=1&filters=%s", enc);
    if (call(t, "GET", path, NULL, NULL, 0, CALL_MS, NULL, &r, e) < 0) {
        err_wrap(e, "docker: cleanup"); /* the transport's message names the engine */
        goto out;
    }
    list = cJSON_Parse(r.body.p);
    rc = 0;
    cJSON_ArrayForEach(it, list) {
        const char *id = json_str(it, "Id");
        if (id == NULL)
            continue;
        if (remove_container(t, id, e) < 0) {
            err_wrap(e, "docker: cleanup: remove %.12s", id);
            rc = -1;
            continue;
        }
        (*removed)++;
    }
out:
    cJSON_Delete(list);
    dk_resp_free(&r);
    dkt_close(t);
    return rc;
}

const struct driver driver_docker = {
    .name = "docker",
    .unavailable_reason = NULL,
    .isolations = ISO_PROCESS | ISO_SANDBOX | ISO_VM,
    .probe = docker_probe,
    .mode_init = docker_mode_init,
    .mode_fini = docker_mode_fini,
    .version = docker_version,
    .facts = docker_facts,
    .isolation_of = docker_isolation_of,
    .create = docker_create,
    .start = docker_start,
    .wait_output = docker_wait_output,
    .sample = docker_sample,
    .stop = docker_stop,
    .destroy = docker_destroy,
    .cleanup = docker_cleanup,
};
