/*
 * cpio.h - a writer for the "newc" cpio format, the format of a Linux
 * initramfs (see the kernel's Documentation/driver-api/early-userspace/
 * buffer-format.rst).
 *
 * The vm driver packs the busybox image plus its /init into an uncompressed
 * initramfs with it, so no cpio binary is needed and nothing runs through a
 * shell. Every entry is owned by root with mtime 0, so the same tree always
 * gives the same archive. Entries are written in the order they are added; a
 * directory must be added before what it contains (cpio_add_tree does).
 */
#ifndef ISOBENCH_CPIO_H
#define ISOBENCH_CPIO_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Mode bits as the newc format stores them (the same values as Linux's). */
#define CPIO_S_IFDIR 0040000u
#define CPIO_S_IFREG 0100000u
#define CPIO_S_IFLNK 0120000u
#define CPIO_S_IFCHR 0020000u

#define CPIO_HEADER_LEN 110
#define CPIO_TRAILER "TRAILER!!!"

struct cpio {
    FILE *f;
    uint32_t next_ino;
    uint64_t offset;   /* bytes written so far */
    char path[4096];   /* for messages */
};

/* Format one newc header (CPIO_HEADER_LEN chars plus a NUL) into out. Pure. */
void cpio_format_header(char out[CPIO_HEADER_LEN + 1], uint32_t ino, uint32_t mode,
                        uint32_t nlink, uint32_t filesize, uint32_t rdevmajor,
                        uint32_t rdevminor, uint32_t namesize);

/* Parse a header back (for tests and checks). Returns 0, or -1 when the magic
   or a field is malformed. */
int cpio_parse_header(const char *in, uint32_t *mode, uint32_t *filesize, uint32_t *namesize,
                      uint32_t *rdevmajor, uint32_t *rdevminor);

int cpio_open(struct cpio *c, const char *path, struct err *e);
int cpio_add_dir(struct cpio *c, const char *name, uint32_t perm, struct err *e);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target, struct err *e);
/* A character device node (e.g. dev/console, 5:1). */
int cpio_add_chardev(struct cpio *c, const char *name, uint32_t perm, uint32_t major,
                     uint32_t minor, struct err *e);
/* A regular file whose contents are read from host_path. */
int cpio_add_file(struct cpio *c, const char *name, const char *host_path, uint32_t perm,
                  struct err *e);
/* Everything under host_dir (directories, regular files, symlinks; other file
   types are skipped), named below `prefix` ("" for the archive root). */
int cpio_add_tree(struct cpio *c, const char *host_dir, const char *prefix, struct err *e);
/* Write the trailer, pad to 512 bytes and close. Always closes. */
int cpio_close(struct cpio *c, struct err *e);
/* Close and drop a half-written archive (error paths). */
void cpio_abort(struct cpio *c);

#endif
