/*
 * oci.h - what the oci driver (oci_linux.c) exposes besides its struct
 * driver: where a run keeps its bundles and state, and the two pieces of
 * bundle making that the benchmark (bench/bench_oci.c) reuses so that its
 * `runc run` baseline runs exactly the bundle the driver would write.
 *
 * Layout of one run, all under <cache>/oci/<run_id>/:
 *   runtimes              one line per runtime used: path, state root, global args (tab-separated)
 *   root-<mode>/          default state root (--root) of a mode
 *   <container>/bundle/   config.json and rootfs/ (overlayfs mount point)
 *   <container>/upper/, work/   the overlay's writable layer
 *   <container>/create.log      stderr of `create` and of the container
 * The container's cgroup is isobench/<run_id>/<container> in every hierarchy.
 */
#ifndef ISOBENCH_OCI_H
#define ISOBENCH_OCI_H

#include <stddef.h>

#include "../driver.h"

/* <cache>/oci/<run_id> (run_id NULL: <cache>/oci). */
void oci_run_dir(const char *run_id, char *buf, size_t n);

/* The config.json text the driver writes for container c (its mode must
   have been through mode_init); cgroups_path is linux.cgroupsPath. The
   caller frees the string. */
char *oci_config_text(const struct ctr *c, const char *cgroups_path, struct err *e);

/* Mount an overlayfs (lower read-only image, upper and work dirs, created
   if missing) at target. */
int oci_overlay_mount(const char *lower, const char *upper, const char *work, const char *target, struct err *e);

#endif
