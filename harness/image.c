/*
 * image.c - where isobench keeps its caches (images, guest kernels, probe
 * results): $ISOBENCH_CACHE, else /var/cache/isobench on Linux and
 * %ProgramData%\isobench on Windows. Building the Linux image itself is in
 * image_linux.c.
 */
#include "image.h"
#include "paths.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

const char *image_cache_dir(void)
{
    const char *c = getenv("ISOBENCH_CACHE");
    if (c != NULL && c[0] != '\0')
        return c;
#ifdef _WIN32
    {
        static char buf[1024];
        const char *pd = getenv("ProgramData");
        snprintf(buf, sizeof(buf), "%s\\isobench", pd != NULL ? pd : "C:\\ProgramData");
        return buf;
    }
#else
    return "/var/cache/isobench";
#endif
}

uint64_t image_file_hash(const char *path)
{
    unsigned char chunk[65536];
    uint64_t h = 1469598103934665603ULL;
    size_t got, i;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return 0;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        for (i = 0; i < got; i++) {
            h ^= chunk[i];
            h *= 1099511628211ULL;
        }
    fclose(f);
    return h;
}

/* The default image is named by the payload it carries
   (<cache>/image/rootfs-<hash>), so two isobench builds on one host (an `ab`
   run of two binaries, two checkouts, a package next to a source build)
   each get their own image and never rebuild one another's under running
   containers. Without a payload the plain name is used (image_ensure then
   says the payload is missing). */
void image_default_rootfs(char *buf, size_t n)
{
    char payload[4096];
    struct err e;
    uint64_t h = 0;

    if (image_payload_binary(payload, sizeof(payload), &e) == 0)
        h = image_file_hash(payload);
    if (h == 0)
        snprintf(buf, n, "%s/image/rootfs", image_cache_dir());
    else
        snprintf(buf, n, "%s/image/rootfs-%016llx", image_cache_dir(), (unsigned long long)h);
}

int image_payload_binary(char *buf, size_t n, struct err *e)
{
    return paths_payload(buf, n, e);
}
