/*
 * image_win.c - image.h on Windows. The busybox rootfs and the static
 * isobench-payload are Linux artefacts: Windows modes name their image
 * themselves (hcs: a layer chain or a `docker inspect` file; docker: an image
 * reference), so these entry points say so instead of building anything.
 */
#include "image.h"

#include <errno.h>

int image_payload_binary(char *buf, size_t n, struct err *e)
{
    if (n > 0)
        buf[0] = '\0';
    return err_set(e, ENOSYS, "isobench-payload is a Linux program; on Windows the workload is a "
                              "command line inside the container image (hcs option \"command\")");
}

int image_ensure(const char *rootfs, struct err *e)
{
    return err_set(e, ENOSYS, "%s: the busybox image is Linux-only; Windows modes use Windows "
                              "container layers (hcs \"layers\"/\"image_inspect\") or a docker image",
                   rootfs);
}
