/*
 * fuzz_docker.c - what the docker engine sends back (harness/drivers):
 * the stats answer (Linux and Windows shapes), timestamps, the attach
 * stream demultiplexer and the HTTP/1.1 response parser (chunked and
 * length-delimited bodies). The first byte picks the Windows flag and
 * how the stream is cut into reads.
 */
#include "driver.h"
#include "drivers/docker.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct counters c;
    struct err e;
    struct docker_demux dm;
    struct dk_http_parser p;
    struct dk_buf out = { 0 }, errb = { 0 }, body = { 0 };
    char *text;
    int64_t ns;
    size_t off, step;

    if (size == 0)
        return 0;
    step = 1 + data[0] % 64;
    text = fuzz_text(data + 1, size - 1);
    docker_stats_parse(text, data[0] & 1, &c, &e);
    docker_parse_time(text, &ns);

    memset(&dm, 0, sizeof(dm));
    for (off = 1; off < size; off += step)
        docker_demux_feed(&dm, (const char *)data + off, size - off < step ? size - off : step, &out, &errb);

    dk_http_parser_init(&p, data[0] & 2);
    for (off = 1; off < size; off += step) {
        long used = dk_http_feed(&p, (const char *)data + off, size - off < step ? size - off : step, &body, &e);
        if (used < 0 || p.state == DKH_DONE || (p.stop_after_head && p.head_done))
            break;
    }
    if (p.state != DKH_DONE)
        dk_http_eof(&p, &e);
    dk_http_parser_free(&p);
    dk_buf_free(&out);
    dk_buf_free(&errb);
    dk_buf_free(&body);
    free(text);
    return 0;
}
