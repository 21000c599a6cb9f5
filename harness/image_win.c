/*
 * image_win.c - image.h on Windows. The busybox rootfs is a Linux artefact:
 * Windows modes name their image themselves (hcs: a layer chain or a
 * `docker inspect` file; docker: an image reference), so image_ensure says so.
 * The payload is isobench-payload.exe next to isobench.exe (or
 * %ISOBENCH_PAYLOAD%): the hcs driver maps its folder into containers, and
 * the runner uses it for the bare-process CPU baseline.
 */
#include "image.h"
#include "plat.h"
#include "plat_win.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int image_payload_binary(char *buf, size_t n, struct err *e)
{
    wchar_t self[MAX_PATH * 2];
    char path[MAX_PATH * 6];
    char *slash;
    const char *env = getenv("ISOBENCH_PAYLOAD");
    DWORD len;

    if (env != NULL && env[0] != '\0') {
        snprintf(buf, n, "%s", env);
        return 0;
    }
    len = GetModuleFileNameW(NULL, self, MAX_PATH * 2);
    if (len == 0 || len >= MAX_PATH * 2)
        return err_win(e, GetLastError(), "GetModuleFileName");
    win_utf8(self, path, sizeof(path));
    slash = strrchr(path, '\\');
    if (slash == NULL)
        slash = strrchr(path, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(buf, n, "%s\\isobench-payload.exe", path);
    if (!plat_exists(buf))
        return err_set(e, ENOENT, "%s: not found (it is built next to isobench.exe; or set ISOBENCH_PAYLOAD)", buf);
    return 0;
}

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
