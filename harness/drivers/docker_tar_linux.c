/*
 * docker_tar_linux.c - pack the busybox rootfs as a ustar archive in memory,
 * for the docker driver's image import (POST /images/create?fromSrc=-).
 *
 * The archive depends on the rootfs's content only: entries in sorted order,
 * owner root, the files' own modes, every mtime 0 (image_ensure rebuilds the
 * rootfs whenever the payload is relinked, even unchanged). Its FNV-1a
 * checksum labels the imported image, so mode_init re-imports only when the
 * content changed. The
 * rootfs holds directories, regular files and symlinks only (image_linux.c);
 * anything else is an error rather than silently missing from the image.
 */
#define _GNU_SOURCE
#include "docker.h"
#include "../image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAR_BLOCK 512

static void octal(char *field, size_t width, unsigned long long v)
{
    /* width-1 digits and a NUL, as GNU tar writes them. */
    snprintf(field, width, "%0*llo", (int)width - 1, v);
}

static int tar_header(struct dk_buf *out, const char *name, const struct stat *st, char type,
                      const char *link, unsigned long long size, struct err *e)
{
    unsigned char h[TAR_BLOCK];
    size_t nl = strlen(name);
    unsigned sum = 0;
    int i;

    memset(h, 0, sizeof(h));
    if (nl <= 100) {
        memcpy(h, name, nl);
    } else {
        /* Split into prefix (<=155) '/' name (<=100). */
        const char *cut = name + nl - 101;
        while (*cut && *cut != '/')
            cut++;
        if (*cut != '/' || (size_t)(cut - name) > 155)
            return err_set(e, ENAMETOOLONG, "tar: path too long: %s", name);
        memcpy(h, cut + 1, strlen(cut + 1));
        memcpy(h + 345, name, (size_t)(cut - name));
    }
    if (link != NULL && strlen(link) > 100)
        return err_set(e, ENAMETOOLONG, "tar: link target too long: %s", link);
    octal((char *)h + 100, 8, st->st_mode & 07777);
    octal((char *)h + 108, 8, 0);
    octal((char *)h + 116, 8, 0);
    octal((char *)h + 124, 12, size);
    octal((char *)h + 136, 12, 0); /* content-only: a relinked payload is no change */
    h[156] = (unsigned char)type;
    if (link != NULL)
        memcpy(h + 157, link, strlen(link));
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "root", 4);
    memcpy(h + 297, "root", 4);
    memset(h + 148, ' ', 8);
    for (i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    if (dk_buf_add(out, h, sizeof(h)) < 0)
        return err_set(e, ENOMEM, "out of memory");
    return 0;
}

static int pad_block(struct dk_buf *out)
{
    static const char zero[TAR_BLOCK];
    size_t rem = out->len % TAR_BLOCK;
    return rem ? dk_buf_add(out, zero, TAR_BLOCK - rem) : 0;
}

static int add_file(struct dk_buf *out, const char *path, const char *name, const struct stat *st,
                    struct err *e)
{
    char buf[65536];
    int fd, rc = -1;
    ssize_t r;
    unsigned long long total = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(e, errno, "open %s", path);
    if (tar_header(out, name, st, '0', NULL, (unsigned long long)st->st_size, e) < 0)
        goto out;
    while ((r = read(fd, buf, sizeof(buf))) > 0) {
        if (dk_buf_add(out, buf, (size_t)r) < 0) {
            err_set(e, ENOMEM, "out of memory");
            goto out;
        }
        total += (unsigned long long)r;
    }
    if (r < 0) {
        err_sys(e, errno, "read %s", path);
        goto out;
    }
    if (total != (unsigned long long)st->st_size) {
        err_set(e, EIO, "%s changed while being packed", path);
        goto out;
    }
    if (pad_block(out) < 0) {
        err_set(e, ENOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pack directory `dir` (host path) whose archive name is `name` ("" = root). */
static int add_dir(struct dk_buf *out, const char *dir, const char *name, int depth, struct err *e)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = -1;

    if (depth > 64)
        return err_set(e, ELOOP, "%s: too deep", dir);
    d = opendir(dir);
    if (d == NULL)
        return err_sys(e, errno, "opendir %s", dir);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));
            if (nn == NULL) {
                err_set(e, ENOMEM, "out of memory");
                goto out;
            }
            names = nn;
            cap = cap ? cap * 2 : 64;
        }
        names[n] = strdup(de->d_name);
        if (names[n] == NULL) {
            err_set(e, ENOMEM, "out of memory");
            goto out;
        }
        n++;
    }
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        char path[4096], aname[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(aname, sizeof(aname), "%s%s", name, names[i]);
        if (lstat(path, &st) < 0) {
            err_sys(e, errno, "lstat %s", path);
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            char dname[4096];
            snprintf(dname, sizeof(dname), "%s/", aname);
            if (tar_header(out, dname, &st, '5', NULL, 0, e) < 0 ||
                add_dir(out, path, dname, depth + 1, e) < 0)
                goto out;
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t len = readlink(path, target, sizeof(target) - 1);
            if (len < 0) {
                err_sys(e, errno, "readlink %s", path);
                goto out;
            }
            target[len] = '\0';
            if (tar_header(out, aname, &st, '2', target, 0, e) < 0)
                goto out;
        } else if (S_ISREG(st.st_mode)) {
            if (add_file(out, path, aname, &st, e) < 0)
                goto out;
        } else {
            err_set(e, EINVAL, "%s: not a file, directory or symlink", path);
            goto out;
        }
    }
    rc = 0;
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int dk_rootfs_tar(const char *rootfs, struct dk_buf *tar, uint64_t *sum, struct err *e)
{
    static const char zero[2 * TAR_BLOCK];
    char dir[4096];
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    /* A scenario's own image is read-only input; only the cache is built. */
    if (rootfs == NULL || rootfs[0] == '\0') {
        image_default_rootfs(dir, sizeof(dir));
        if (image_ensure(dir, e) < 0)
            return -1;
    } else {
        snprintf(dir, sizeof(dir), "%s", rootfs);
        if (image_check_user(dir, "scenario image", e) < 0)
            return -1;
    }
    tar->len = 0;
    if (add_dir(tar, dir, "", 0, e) < 0)
        return err_wrap(e, "pack %s", dir);
    if (dk_buf_add(tar, zero, sizeof(zero)) < 0)
        return err_set(e, ENOMEM, "out of memory");
    for (i = 0; i < tar->len; i++) {
        h ^= (unsigned char)tar->p[i];
        h *= 1099511628211ULL;
    }
    *sum = h;
    return 0;
}
