/*
 * image.h - the minimal Linux container image: a rootfs directory built from
 * Debian's busybox-static with every applet linked, plus isobench-payload.
 *
 * Built on demand into the cache (default
 * /var/cache/isobench/image/rootfs-<payload hash>, cache root overridable
 * with ISOBENCH_CACHE) by `isobench image` or scripts/build-image.
 * Drivers use it read-only: ns and oci as the overlayfs lower dir, docker by
 * importing it as a tarball, vm by packing it into an initramfs.
 */
#ifndef ISOBENCH_IMAGE_H
#define ISOBENCH_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Path inside the image where the payload lives. */
#define IMAGE_PAYLOAD_PATH "/isobench-payload"

/* Cache root: $ISOBENCH_CACHE or /var/cache/isobench. */
const char *image_cache_dir(void);
/* Default rootfs: <cache>/image/rootfs-<FNV-1a hash of the payload>, one
   per payload build, so builds never replace each other's image. */
void image_default_rootfs(char *buf, size_t n);
/* FNV-1a (64 bit) of a file's bytes; 0 when it cannot be read. */
uint64_t image_file_hash(const char *path);
/* Path of the isobench-payload binary (lookup order in paths.h). */
int image_payload_binary(char *buf, size_t n, struct err *e);
/* A file every image isobench builds holds: only such a directory (or the
   default cache path) is ever replaced. */
#define IMAGE_MARKER ".isobench-image"

/* Build the rootfs if it is missing or older than the payload binary. An
   existing directory is rebuilt only if isobench built it (IMAGE_MARKER) or
   it is the default cache path; anything else is an error, never removed. */
int image_ensure(const char *rootfs, struct err *e);
/* A user's image directory (scenario "image"): read-only input. It must be
   a directory other than "/" holding an executable IMAGE_PAYLOAD_PATH;
   errors name `field`. Linux only. */
int image_check_user(const char *rootfs, const char *field, struct err *e);

#endif
