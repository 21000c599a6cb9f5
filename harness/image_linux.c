/*
 * image_linux.c - build the busybox rootfs (see image.h).
 *
 * The rootfs is built in a temporary sibling directory and renamed into
 * place, so a concurrent or interrupted build never leaves half an image.
 */
#define _GNU_SOURCE
#include "image.h"
#include "plat.h"
#include "counters/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUSYBOX "/bin/busybox"

static int copy_file(const char *from, const char *to, mode_t mode, struct err *e)
{
    char buf[65536];
    int in, out, rc = -1;
    ssize_t r;

    in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_sys(e, errno, "open %s", from);
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0) {
        err_sys(e, errno, "create %s", to);
        goto out;
    }
    while ((r = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t)r) != r) {
            err_sys(e, errno, "write %s", to);
            goto out;
        }
    }
    if (r < 0) {
        err_sys(e, errno, "read %s", from);
        goto out;
    }
    rc = 0;
out:
    close(in);
    if (out >= 0)
        close(out);
    return rc;
}

/* `busybox --list-full` prints "bin/ls", "usr/sbin/chroot", ...: link each. */
static int link_applets(const char *root, struct err *e)
{
    int fds[2];
    pid_t pid;
    FILE *f;
    char line[256];
    int status, rc = 0;

    if (pipe(fds) < 0)
        return err_sys(e, errno, "pipe");
    pid = fork();
    if (pid < 0)
        return err_sys(e, errno, "fork");
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl(BUSYBOX, "busybox", "--list-full", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    while (f != NULL && fgets(line, sizeof(line), f)) {
        char path[4096], dir[4096], target[4096];
        size_t len = strlen(line);
        int depth = 0;
        const char *p;
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len == 0 || strcmp(line, "bin/busybox") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", root, line);
        snprintf(dir, sizeof(dir), "%s", path);
        if (plat_mkdir_p(dirname(dir), e) < 0) {
            rc = -1;
            break;
        }
        for (p = line; *p; p++)
            if (*p == '/')
                depth++;
        target[0] = '\0';
        while (depth-- > 0)
            strcat(target, "../");
        strcat(target, "bin/busybox");
        if (symlink(target, path) < 0 && errno != EEXIST) {
            rc = err_sys(e, errno, "symlink %s", path);
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        return err_set(e, EIO, "%s --list-full failed (is busybox-static installed?)", BUSYBOX);
    return rc;
}

static int image_build(const char *rootfs, struct err *e);

/* Whether isobench may (re)build `rootfs`: it does not exist yet, it holds
   the marker a previous build left, or it is the default cache path (caches
   built before the marker existed). Anything else belongs to the user. */
static int image_is_ours(const char *rootfs, struct err *e)
{
    char path[4096], def[4096];
    struct stat st;

    if (lstat(rootfs, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return err_sys(e, errno, "image %s", rootfs);
    }
    snprintf(path, sizeof(path), "%s/%s", rootfs, IMAGE_MARKER);
    if (S_ISDIR(st.st_mode) && plat_exists(path))
        return 0;
    image_default_rootfs(def, sizeof(def));
    if (S_ISDIR(st.st_mode) && strcmp(rootfs, def) == 0)
        return 0;
    return err_set(e, EEXIST, "image %s: exists and was not built by isobench; isobench only builds into "
                   "a new path or its own cache and never replaces other files", rootfs);
}

int image_check_user(const char *rootfs, const char *field, struct err *e)
{
    char real[4096], payload[4096];
    struct stat st;

    if (rootfs[0] == '\0')
        return err_set(e, EINVAL, "%s: empty path", field);
    if (stat(rootfs, &st) < 0)
        return err_sys(e, errno, "%s: %s", field, rootfs);
    if (!S_ISDIR(st.st_mode))
        return err_set(e, ENOTDIR, "%s: %s: not a directory", field, rootfs);
    if (realpath(rootfs, real) == NULL)
        return err_sys(e, errno, "%s: %s", field, rootfs);
    if (strcmp(real, "/") == 0)
        return err_set(e, EINVAL, "%s: %s: the root directory is not an image", field, rootfs);
    snprintf(payload, sizeof(payload), "%s%s", real, IMAGE_PAYLOAD_PATH);
    if (stat(payload, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
        return err_set(e, EINVAL, "%s: %s: not an isobench image (no executable %s in it; build one with "
                       "`isobench image DIR` or leave the field out to use the cache)", field, rootfs,
                       IMAGE_PAYLOAD_PATH);
    return 0;
}

/* Builds are serialized by an flock on "<rootfs>.lock", so parallel test
   processes and runs never see half an image. */
int image_ensure(const char *rootfs, struct err *e)
{
    char lockpath[4096], dir[4096];
    int fd, rc;

    if (image_is_ours(rootfs, e) < 0)
        return -1;
    snprintf(dir, sizeof(dir), "%s", rootfs);
    if (plat_mkdir_p(dirname(dir), e) < 0)
        return err_wrap(e, "image %s", rootfs);
    snprintf(lockpath, sizeof(lockpath), "%s.lock", rootfs);
    fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_sys(e, errno, "image: open %s", lockpath);
    if (flock(fd, LOCK_EX) < 0) {
        rc = err_sys(e, errno, "image: lock %s", lockpath);
        close(fd);
        return rc;
    }
    rc = image_build(rootfs, e);
    close(fd); /* releases the lock */
    return rc;
}

static int image_build(const char *rootfs, struct err *e)
{
    char payload[4096], tmp[4096], path[4096], stamp[4096];
    struct stat st_payload, st_stamp;
    static const char *dirs[] = { "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev",
                                  "tmp", "etc", "root", "run", "var/tmp", NULL };
    int i;

    if (image_payload_binary(payload, sizeof(payload), e) < 0)
        return err_wrap(e, "image");
    snprintf(stamp, sizeof(stamp), "%s%s", rootfs, IMAGE_PAYLOAD_PATH);
    /* Up to date: the same payload bytes (a rebuilt but identical payload
       must not replace an image that running containers use). */
    if (stat(payload, &st_payload) == 0 && stat(stamp, &st_stamp) == 0 &&
        st_stamp.st_size == st_payload.st_size &&
        (st_stamp.st_mtime >= st_payload.st_mtime || image_file_hash(stamp) == image_file_hash(payload)))
        return 0;
    if (!plat_exists(BUSYBOX))
        return err_set(e, ENOENT, "image: %s missing (apt-get install busybox-static)", BUSYBOX);

    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", rootfs, (int)getpid());
    if (dir_remove_tree(tmp, e) < 0 || plat_mkdir_p(tmp, e) < 0)
        return err_wrap(e, "image %s", rootfs);
    for (i = 0; dirs[i] != NULL; i++) {
        snprintf(path, sizeof(path), "%s/%s", tmp, dirs[i]);
        if (plat_mkdir_p(path, e) < 0)
            goto fail;
    }
    chmod(path, 01777);
    snprintf(path, sizeof(path), "%s/tmp", tmp);
    chmod(path, 01777);
    snprintf(path, sizeof(path), "%s/bin/busybox", tmp);
    if (copy_file(BUSYBOX, path, 0755, e) < 0)
        goto fail;
    if (link_applets(tmp, e) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s%s", tmp, IMAGE_PAYLOAD_PATH);
    if (copy_file(payload, path, 0755, e) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/etc/passwd", tmp);
    {
        FILE *f = fopen(path, "w");
        if (f == NULL) {
            err_sys(e, errno, "create %s", path);
            goto fail;
        }
        fputs("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/%s", tmp, IMAGE_MARKER);
    {
        FILE *f = fopen(path, "w");
        if (f == NULL) {
            err_sys(e, errno, "create %s", path);
            goto fail;
        }
        fputs("built by isobench image; isobench may replace this directory\n", f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/etc/group", tmp);
    {
        FILE *f = fopen(path, "w");
        if (f == NULL) {
            err_sys(e, errno, "create %s", path);
            goto fail;
        }
        fputs("root:x:0:\nnogroup:x:65534:\n", f);
        fclose(f);
    }
    if (dir_remove_tree(rootfs, e) < 0)
        goto fail;
    snprintf(path, sizeof(path), "%s", rootfs);
    if (plat_mkdir_p(dirname(path), e) < 0)
        goto fail;
    if (rename(tmp, rootfs) < 0) {
        err_sys(e, errno, "rename %s -> %s", tmp, rootfs);
        goto fail;
    }
    return 0;
fail:
    dir_remove_tree(tmp, NULL);
    return err_wrap(e, "image %s", rootfs);
}
