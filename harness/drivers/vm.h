/*
 * vm.h - the pure parts of the vm driver (harness/drivers/vm.c), exposed for
 * tests: the guest kernel command line, the QEMU argument vector, and the key
 * and file format of the per-host KVM boot-probe cache.
 *
 * The vm driver boots each container in its own QEMU microVM with Debian's
 * own kernel (cached by scripts/setup.d/vm-kernel.sh) and an initramfs packed
 * from the busybox image whose /init is isobench-payload's init role.
 */
#ifndef ISOBENCH_VM_H
#define ISOBENCH_VM_H

#include <stddef.h>
#include <stdint.h>

#include "../err.h"

#define VM_ARGV_MAX 64

/* Everything one QEMU launch needs. */
struct vm_launch {
    const char *qemu;      /* binary path */
    const char *name;      /* -name: "isobench-<container name>", carries the run id */
    const char *accel;     /* "kvm" or "tcg" */
    const char *kernel;
    const char *initrd;
    const char *disk;      /* scratch disk (raw); NULL = none */
    const char *cmdline;   /* from vm_kernel_cmdline */
    int memory_mb;
    int vcpus;
};

/* An argument vector and the storage its strings live in. */
struct vm_argv {
    char *argv[VM_ARGV_MAX];
    int argc;
    char store[8192];
    size_t used;
};

/*
 * Kernel command line for a guest running `workload` (idle, exit, cpu) with
 * `iters` busy-work units (cpu only). Fails on a workload name the guest init
 * would not understand. tsc_khz > 0 is passed as tsc_early_khz: under TCG the
 * guest's TSC runs at the host's rate, and without it the kernel calibrates
 * against the emulated PIT, which fails on a busy host ("tsc: Unable to
 * calibrate against PIT") and leaves the guest hung before init.
 */
int vm_kernel_cmdline(const char *workload, int64_t iters, int64_t tsc_khz, char *buf, size_t n,
                      struct err *e);

/* The QEMU argument vector (argv[0] = l->qemu, NULL-terminated). */
int vm_qemu_argv(const struct vm_launch *l, struct vm_argv *out, struct err *e);

/*
 * Key of a KVM boot-probe result: the guest kernel (path, size, mtime), the
 * QEMU version and the host kernel release. A probe is redone when any of
 * them changes.
 */
void vm_probe_key(const char *kernel_path, int64_t kernel_size, int64_t kernel_mtime,
                  const char *qemu_version, const char *host_release, char *buf, size_t n);

/* A cached probe result. */
struct vm_probe_result {
    int kvm_ok;            /* 1 = the guest reached READY under KVM */
    int64_t probe_ms;      /* how long the probe took */
    char reason[512];      /* why KVM is (not) used */
};

/* Serialise a probe result with its key ("key=...\nkvm_ok=...\n..."). */
int vm_probe_format(const char *key, const struct vm_probe_result *r, char *buf, size_t n);
/* Parse a cache file's text; returns 0 when it is well-formed and its key is
   `key`, -1 otherwise (a miss). */
int vm_probe_parse(const char *text, const char *key, struct vm_probe_result *r);

#endif
