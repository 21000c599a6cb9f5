/*
 * image_win.c - image.h on Windows. The busybox rootfs is a Linux artefact:
 * Windows modes name their image themselves (hcs: a layer chain or a
 * `docker inspect` file; docker: an image reference), so image_ensure says so.
 * The payload is isobench-payload.exe next to isobench.exe (or
 * %ISOBENCH_PAYLOAD%; harness/paths.h): the hcs driver maps its folder into containers, and
 * the runner uses it for the bare-process CPU baseline.
 */
#include "image.h"
#include "plat.h"
#include "plat_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int image_ensure(const char *rootfs, struct err *e)
{
    return err_set(e, ENOSYS, "%s: the busybox image is Linux-only; Windows modes use Windows "
                              "container layers (hcs \"layers\"/\"image_inspect\") or a docker image",
                   rootfs);
}

int image_check_user(const char *rootfs, const char *field, struct err *e)
{
    return err_set(e, ENOSYS, "%s: %s: a rootfs directory image is Linux-only", field, rootfs);
}
