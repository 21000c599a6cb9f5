/*
 * cpio_posix.c - the newc cpio writer (see cpio.h). POSIX only: it walks host
 * directories with opendir/lstat and reads symlinks with readlink.
 */
#define _GNU_SOURCE
#include "cpio.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cpio_format_header(char out[CPIO_HEADER_LEN + 1], uint32_t ino, uint32_t mode,
                        uint32_t nlink, uint32_t filesize, uint32_t rdevmajor,
                        uint32_t rdevminor, uint32_t namesize)
{
    /* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
       rdevmajor, rdevminor, namesize, check */
    snprintf(out, CPIO_HEADER_LEN + 1,
             "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             (unsigned)ino, (unsigned)mode, 0u, 0u, (unsigned)nlink, 0u, (unsigned)filesize,
             0u, 0u, (unsigned)rdevmajor, (unsigned)rdevminor, (unsigned)namesize, 0u);
}

static int hex8(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < 8; i++) {
        char ch = p[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9')
            v |= (uint32_t)(ch - '0');
        else if (ch >= 'A' && ch <= 'F')
            v |= (uint32_t)(ch - 'A' + 10);
        else if (ch >= 'a' && ch <= 'f')
            v |= (uint32_t)(ch - 'a' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

int cpio_parse_header(const char *in, uint32_t *mode, uint32_t *filesize, uint32_t *namesize,
                      uint32_t *rdevmajor, uint32_t *rdevminor)
{
    uint32_t f[13];
    int i;
    if (strncmp(in, "070701", 6) != 0)
        return -1;
    for (i = 0; i < 13; i++)
        if (hex8(in + 6 + 8 * i, &f[i]) < 0)
            return -1;
    *mode = f[1];
    *filesize = f[6];
    *rdevmajor = f[9];
    *rdevminor = f[10];
    *namesize = f[11];
    return 0;
}

static int put(struct cpio *c, const void *buf, size_t n, struct err *e)
{
    if (n > 0 && fwrite(buf, 1, n, c->f) != n)
        return err_sys(e, errno, "write %s", c->path);
    c->offset += n;
    return 0;
}

static int pad(struct cpio *c, unsigned align, struct err *e)
{
    static const char zeros[512];
    size_t n = (size_t)((align - c->offset % align) % align);
    return put(c, zeros, n, e);
}

/* Header, name and padding; the caller writes filesize bytes of data and pads. */
static int entry(struct cpio *c, const char *name, uint32_t mode, uint32_t filesize,
                 uint32_t rmaj, uint32_t rmin, struct err *e)
{
    char hdr[CPIO_HEADER_LEN + 1];
    size_t namesize;

    while (name[0] == '/')
        name++;
    if (name[0] == '\0')
        name = ".";
    namesize = strlen(name) + 1;
    cpio_format_header(hdr, c->next_ino++, mode, (mode & 0170000u) == CPIO_S_IFDIR ? 2 : 1,
                       filesize, rmaj, rmin, (uint32_t)namesize);
    if (put(c, hdr, CPIO_HEADER_LEN, e) < 0 || put(c, name, namesize, e) < 0)
        return -1;
    return pad(c, 4, e);
}

int cpio_open(struct cpio *c, const char *path, struct err *e)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->next_ino = 1;
    c->f = fopen(path, "wbe");
    if (c->f == NULL)
        return err_sys(e, errno, "create %s", path);
    return 0;
}

int cpio_add_dir(struct cpio *c, const char *name, uint32_t perm, struct err *e)
{
    return entry(c, name, CPIO_S_IFDIR | (perm & 07777u), 0, 0, 0, e);
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target, struct err *e)
{
    size_t len = strlen(target);
    if (entry(c, name, CPIO_S_IFLNK | 0777u, (uint32_t)len, 0, 0, e) < 0 ||
        put(c, target, len, e) < 0)
        return -1;
    return pad(c, 4, e);
}

int cpio_add_chardev(struct cpio *c, const char *name, uint32_t perm, uint32_t major,
                     uint32_t minor, struct err *e)
{
    return entry(c, name, CPIO_S_IFCHR | (perm & 07777u), 0, major, minor, e);
}

int cpio_add_file(struct cpio *c, const char *name, const char *host_path, uint32_t perm,
                  struct err *e)
{
    FILE *in;
    struct stat st;
    char buf[65536];
    uint64_t left;
    int rc = -1;

    in = fopen(host_path, "rbe");
    if (in == NULL)
        return err_sys(e, errno, "open %s", host_path);
    if (fstat(fileno(in), &st) < 0) {
        err_sys(e, errno, "stat %s", host_path);
        goto out;
    }
    if (st.st_size > (off_t)UINT32_MAX) {
        err_set(e, EFBIG, "%s: too large for a newc archive", host_path);
        goto out;
    }
    if (entry(c, name, CPIO_S_IFREG | (perm & 07777u), (uint32_t)st.st_size, 0, 0, e) < 0)
        goto out;
    left = (uint64_t)st.st_size;
    while (left > 0) {
        size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);
        size_t got = fread(buf, 1, want, in);
        if (got == 0) {
            err_set(e, EIO, "read %s: file shrank while archiving", host_path);
            goto out;
        }
        if (put(c, buf, got, e) < 0)
            goto out;
        left -= got;
    }
    rc = pad(c, 4, e);
out:
    fclose(in);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the contents of host_dir (not host_dir itself), sorted by name so the
   archive does not depend on directory order. */
static int add_children(struct cpio *c, const char *host_dir, const char *prefix, struct err *e)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = -1;

    d = opendir(host_dir);
    if (d == NULL)
        return err_sys(e, errno, "opendir %s", host_dir);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **grown = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
            if (grown == NULL) {
                err_set(e, ENOMEM, "out of memory listing %s", host_dir);
                goto out;
            }
            names = grown;
        }
        if ((names[n] = strdup(de->d_name)) == NULL) {
            err_set(e, ENOMEM, "out of memory listing %s", host_dir);
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof(*names), name_cmp);
    for (i = 0; i < n; i++) {
        char host[4096], name[4096];
        struct stat st;
        snprintf(host, sizeof(host), "%s/%s", host_dir, names[i]);
        snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "/" : "", names[i]);
        if (lstat(host, &st) < 0) {
            err_sys(e, errno, "lstat %s", host);
            goto out;
        }
        if (S_ISDIR(st.st_mode)) {
            if (cpio_add_dir(c, name, st.st_mode, e) < 0 || add_children(c, host, name, e) < 0)
                goto out;
        } else if (S_ISREG(st.st_mode)) {
            if (cpio_add_file(c, name, host, st.st_mode, e) < 0)
                goto out;
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t len = readlink(host, target, sizeof(target) - 1);
            if (len < 0) {
                err_sys(e, errno, "readlink %s", host);
                goto out;
            }
            target[len] = '\0';
            if (cpio_add_symlink(c, name, target, e) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    closedir(d);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int cpio_add_tree(struct cpio *c, const char *host_dir, const char *prefix, struct err *e)
{
    if (prefix[0] != '\0' && cpio_add_dir(c, prefix, 0755, e) < 0)
        return -1;
    return add_children(c, host_dir, prefix, e);
}

int cpio_close(struct cpio *c, struct err *e)
{
    int rc = 0;
    if (c->f == NULL)
        return 0;
    if (entry(c, CPIO_TRAILER, 0, 0, 0, 0, e) < 0 || pad(c, 512, e) < 0)
        rc = -1;
    if (fclose(c->f) != 0 && rc == 0)
        rc = err_sys(e, errno, "close %s", c->path);
    c->f = NULL;
    return rc;
}

void cpio_abort(struct cpio *c)
{
    if (c->f != NULL)
        fclose(c->f);
    c->f = NULL;
}
