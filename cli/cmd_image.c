/*
 * cmd_image.c - `isobench image [ROOTFS]`: build the busybox container image
 * if it is missing and print its path.
 */
#include "commands.h"
#include "image.h"

#include <stdio.h>

int cmd_image(int argc, char **argv)
{
    char rootfs[4096];
    struct err e;
    err_clear(&e);
    if (argc > 1)
        snprintf(rootfs, sizeof(rootfs), "%s", argv[1]);
    else
        image_default_rootfs(rootfs, sizeof(rootfs));
    if (image_ensure(rootfs, &e) < 0) {
        fprintf(stderr, "isobench image: %s\n", e.msg);
        return 1;
    }
    printf("%s\n", rootfs);
    return 0;
}
