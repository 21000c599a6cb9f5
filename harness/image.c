/*
 * image.c - where isobench keeps its caches (images, guest kernels, probe
 * results): $ISOBENCH_CACHE, else /var/cache/isobench on Linux and
 * %ProgramData%\isobench on Windows. Building the Linux image itself is in
 * image_linux.c.
 */
#include "image.h"
#include "paths.h"

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

void image_default_rootfs(char *buf, size_t n)
{
    snprintf(buf, n, "%s/image/rootfs", image_cache_dir());
}

int image_payload_binary(char *buf, size_t n, struct err *e)
{
    return paths_payload(buf, n, e);
}
