/*
 * vm.c - the vm driver: every container boots in its own QEMU microVM with
 * its own kernel, the Linux counterpart of Hyper-V isolation.
 *
 * Guest: Debian's own kernel (scripts/setup.d/vm-kernel.sh caches it as
 * <cache>/vm/vmlinuz, with the four virtio modules the scratch disk needs),
 * and an uncompressed initramfs packed in C (harness/cpio.h) from the busybox
 * image plus /init -> isobench-payload, whose init role runs the workload
 * named on the kernel command line, prints the READY marker on the serial
 * console and powers the VM off when the workload ends. Each VM gets a sparse
 * raw scratch disk standing for the writable layer (virtio-blk on
 * virtio-mmio); the guest claims one block of it.
 *
 * Host side: QEMU is exec'd with an argument vector (never a shell), its
 * serial console on a pipe that wait_output reads, its stderr in a log file.
 * KVM is used only after a bounded boot probe proved that it boots our kernel
 * to READY (nested hypervisors may hang a stock kernel); the verdict is cached
 * per host in <cache>/vm/kvm-probe-<hash>, otherwise TCG. The guest is told
 * the host TSC rate (tsc_early_khz): under TCG its own PIT calibration fails
 * on a busy host and the kernel hangs before init (half of all boots with two
 * VMs starting at once on the 2-core test machine). Counters: PSS, RSS and
 * CPU time of the QEMU process, the scratch disk's allocated bytes.
 *
 * Every resource is named after the container ("isobench-<run>-<mode>-<i>"
 * on QEMU's command line, <cache>/vm/run/<run>-<mode>-<i>/ on disk) so that
 * cleanup(run_id) finds leftovers. The pure helpers (command line, argv,
 * probe cache) are declared in vm.h and compiled on every platform; the
 * driver body is Linux only.
 */
#if !defined(_WIN32)
#define _GNU_SOURCE
#endif
#include "vm.h"
#include "../driver.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pure helpers (vm.h) ---- */

static int argv_add(struct vm_argv *a, struct err *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int argv_add(struct vm_argv *a, struct err *e, const char *fmt, ...)
{
    va_list ap;
    int len;
    size_t room = sizeof(a->store) - a->used;

    if (a->argc >= VM_ARGV_MAX - 1)
        return err_set(e, E2BIG, "vm: too many QEMU arguments");
    va_start(ap, fmt);
    len = vsnprintf(a->store + a->used, room, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= room)
        return err_set(e, E2BIG, "vm: QEMU arguments too long");
    a->argv[a->argc++] = a->store + a->used;
    a->argv[a->argc] = NULL;
    a->used += (size_t)len + 1;
    return 0;
}

int vm_kernel_cmdline(const char *workload, int64_t iters, int64_t tsc_khz, char *buf, size_t n,
                      struct err *e)
{
    char tsc[48] = "";
    int len;
    if (workload == NULL ||
        (strcmp(workload, "idle") != 0 && strcmp(workload, "exit") != 0 &&
         strcmp(workload, "cpu") != 0))
        return err_set(e, EINVAL, "vm: workload '%s' is not one the guest init runs (idle, exit, cpu)",
                       workload ? workload : "(none)");
    if (strcmp(workload, "cpu") == 0 && iters <= 0)
        return err_set(e, EINVAL, "vm: workload cpu needs a positive iteration count");
    /* console on the first serial port (QEMU's stdout); quiet keeps kernel
       messages off it; panic=-1 reboots at once, which -no-reboot turns into
       QEMU exiting, so a broken guest fails fast instead of hanging. */
    if (tsc_khz > 0)
        snprintf(tsc, sizeof(tsc), " tsc_early_khz=%lld", (long long)tsc_khz);
    if (strcmp(workload, "cpu") == 0)
        len = snprintf(buf, n, "console=ttyS0 quiet panic=-1%s isobench.workload=%s isobench.iters=%lld",
                       tsc, workload, (long long)iters);
    else
        len = snprintf(buf, n, "console=ttyS0 quiet panic=-1%s isobench.workload=%s", tsc, workload);
    if (len < 0 || (size_t)len >= n)
        return err_set(e, E2BIG, "vm: kernel command line too long");
    return 0;
}

/* QEMU splits -drive and -M values at commas: refuse paths that carry one. */
static int plain_path(const char *what, const char *p, struct err *e)
{
    if (p == NULL || p[0] == '\0')
        return err_set(e, EINVAL, "vm: %s path is empty", what);
    if (strchr(p, ',') != NULL)
        return err_set(e, EINVAL, "vm: %s path '%s' contains a comma, which QEMU options cannot carry", what, p);
    return 0;
}

int vm_qemu_argv(const struct vm_launch *l, struct vm_argv *a, struct err *e)
{
    memset(a, 0, sizeof(*a));
    if (strcmp(l->accel, "kvm") != 0 && strcmp(l->accel, "tcg") != 0)
        return err_set(e, EINVAL, "vm: accelerator '%s' is neither kvm nor tcg", l->accel);
    if (l->memory_mb < 16 || l->vcpus < 1)
        return err_set(e, EINVAL, "vm: %d MiB / %d vCPUs is not a usable guest", l->memory_mb, l->vcpus);
    if (plain_path("kernel", l->kernel, e) < 0 || plain_path("initramfs", l->initrd, e) < 0 ||
        (l->disk != NULL && plain_path("scratch disk", l->disk, e) < 0))
        return -1;
    if (argv_add(a, e, "%s", l->qemu) < 0 ||
        argv_add(a, e, "-name") < 0 || argv_add(a, e, "%s", l->name) < 0 ||
        argv_add(a, e, "-M") < 0 || argv_add(a, e, "microvm,x-option-roms=off") < 0 ||
        argv_add(a, e, "-accel") < 0 || argv_add(a, e, "%s", l->accel) < 0)
        return -1;
    if (strcmp(l->accel, "kvm") == 0 &&
        (argv_add(a, e, "-cpu") < 0 || argv_add(a, e, "host") < 0))
        return -1;
    if (argv_add(a, e, "-m") < 0 || argv_add(a, e, "%d", l->memory_mb) < 0 ||
        argv_add(a, e, "-smp") < 0 || argv_add(a, e, "%d", l->vcpus) < 0 ||
        argv_add(a, e, "-nodefaults") < 0 || argv_add(a, e, "-no-user-config") < 0 ||
        argv_add(a, e, "-display") < 0 || argv_add(a, e, "none") < 0 ||
        argv_add(a, e, "-nic") < 0 || argv_add(a, e, "none") < 0 ||
        argv_add(a, e, "-no-reboot") < 0 ||
        argv_add(a, e, "-serial") < 0 || argv_add(a, e, "stdio") < 0 ||
        argv_add(a, e, "-kernel") < 0 || argv_add(a, e, "%s", l->kernel) < 0 ||
        argv_add(a, e, "-initrd") < 0 || argv_add(a, e, "%s", l->initrd) < 0 ||
        argv_add(a, e, "-append") < 0 || argv_add(a, e, "%s", l->cmdline) < 0)
        return -1;
    if (l->disk != NULL &&
        (argv_add(a, e, "-drive") < 0 ||
         argv_add(a, e, "id=scratch,file=%s,format=raw,if=none", l->disk) < 0 ||
         argv_add(a, e, "-device") < 0 || argv_add(a, e, "virtio-blk-device,drive=scratch") < 0))
        return -1;
    return 0;
}

void vm_probe_key(const char *kernel_path, int64_t kernel_size, int64_t kernel_mtime,
                  const char *qemu_version, const char *host_release, char *buf, size_t n)
{
    snprintf(buf, n, "kernel=%s size=%lld mtime=%lld qemu=%s host=%s", kernel_path,
             (long long)kernel_size, (long long)kernel_mtime, qemu_version, host_release);
}

int vm_probe_format(const char *key, const struct vm_probe_result *r, char *buf, size_t n)
{
    int len;
    if (strchr(key, '\n') != NULL || strchr(r->reason, '\n') != NULL)
        return -1;
    len = snprintf(buf, n, "key=%s\nkvm_ok=%d\nprobe_ms=%lld\nreason=%s\n", key, r->kvm_ok,
                   (long long)r->probe_ms, r->reason);
    return (len < 0 || (size_t)len >= n) ? -1 : 0;
}

/* The value of a "name=value" line of text, into out; -1 when absent. */
static int line_value(const char *text, const char *name, char *out, size_t n)
{
    size_t nlen = strlen(name);
    const char *p = text;
    while (p != NULL && *p) {
        if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            const char *v = p + nlen + 1;
            size_t len = strcspn(v, "\n");
            if (len >= n)
                len = n - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return 0;
        }
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return -1;
}

int vm_probe_parse(const char *text, const char *key, struct vm_probe_result *r)
{
    char got[2048], ok[8], ms[32];
    char *end;
    if (line_value(text, "key", got, sizeof(got)) < 0 || strcmp(got, key) != 0 ||
        line_value(text, "kvm_ok", ok, sizeof(ok)) < 0 ||
        line_value(text, "probe_ms", ms, sizeof(ms)) < 0 ||
        line_value(text, "reason", r->reason, sizeof(r->reason)) < 0)
        return -1;
    if (strcmp(ok, "0") != 0 && strcmp(ok, "1") != 0)
        return -1;
    r->kvm_ok = ok[0] == '1';
    r->probe_ms = strtoll(ms, &end, 10);
    if (end == ms || *end != '\0' || r->probe_ms < 0)
        return -1;
    return 0;
}

#if defined(_WIN32)

/* ---- Windows: registered, unavailable ---- */

const struct driver driver_vm = {
    .name = "vm",
    .unavailable_reason = "vm: QEMU microVMs are the Linux driver; on Windows the hcs driver "
                          "offers Hyper-V isolation",
    .isolations = ISO_VM,
};

#else

/* ---- Linux driver ---- */

#include "../cpio.h"
#include "../image.h"
#include "../plat.h"
#include "../scenario.h"
#include "../counters/proc.h"
#include "../counters/cgroup.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#define VM_DEFAULT_MEMORY_MB 256
#define VM_DEFAULT_VCPUS 1
#define VM_DEFAULT_DISK_MB 1024
#define VM_KVM_PROBE_MS 20000
#define VM_STOP_GRACE_MS 3000
#define VM_INITRAMFS_FORMAT "2" /* bump when the archive layout changes */

/* Guest modules, in load order, as the setup hook caches them. */
static const char *const vm_modules[] = { "virtio_ring.ko", "virtio.ko", "virtio_mmio.ko",
                                          "virtio_blk.ko", NULL };

struct vm_opts {
    char qemu[1024];
    char kernel[1024];
    int kernel_given;      /* options.kernel: no cached modules for it */
    int memory_mb;
    int vcpus;
    int disk_mb;
    char accel[8];         /* auto, kvm, tcg */
};

struct vm_mode {
    struct vm_opts o;
    char initrd[1024];
    int64_t initrd_bytes;
    char qemu_version[256];
    char accel[8];         /* in effect: kvm or tcg */
    char accel_reason[512];
    int64_t kvm_probe_ms;  /* -1 = no probe */
    int kvm_probe_cached;
    int64_t tsc_khz;       /* host TSC rate handed to the guest, 0 = unknown */
};

struct vm_ctr {
    pid_t pid;             /* 0 = not started; cleared once reaped */
    int out_fd;            /* QEMU's stdout: the guest's serial console */
    char dir[1024];
    char disk[1100];
    char log[1100];
    char name[160];
    char cmdline[512];
    char acc[8192];        /* console bytes not yet consumed as lines */
    size_t used;
    char last_line[256];   /* last console line, for error messages */
    int exited;
    int status;
    int64_t final_cpu_ns;  /* from wait4 once reaped, else -1 */
    char cgroup[300];      /* <budget>/<name> when the run has a budget, else "" */
    enum cgroup_mode cg;
};

static const char *vm_cache_dir(char *buf, size_t n, const char *sub)
{
    snprintf(buf, n, "%s/vm%s%s", image_cache_dir(), sub[0] ? "/" : "", sub);
    return buf;
}

/* First executable `name` in $PATH (or /usr/bin when PATH is unset). */
static void find_in_path(const char *name, char *out, size_t n)
{
    const char *path = getenv("PATH");
    char dir[1024];
    if (path == NULL || path[0] == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        char cand[2048];
        if (len > 0 && len < sizeof(dir)) {
            memcpy(dir, path, len);
            dir[len] = '\0';
            snprintf(cand, sizeof(cand), "%s/%s", dir, name);
            if (access(cand, X_OK) == 0) {
                snprintf(out, n, "%s", cand);
                return;
            }
        }
        path += len;
        if (*path == ':')
            path++;
    }
    snprintf(out, n, "/usr/bin/%s", name);
}

static int opt_int(const cJSON *it, int idx, int lo, int hi, int *out, struct err *e)
{
    if (!cJSON_IsNumber(it) || it->valuedouble < lo || it->valuedouble > hi ||
        it->valuedouble != (double)(int)it->valuedouble)
        return err_set(e, EINVAL, "modes[%d].options.%s: must be an integer from %d to %d", idx,
                       it->string, lo, hi);
    *out = (int)it->valuedouble;
    return 0;
}

static int opt_str(const cJSON *it, int idx, char *out, size_t n, struct err *e)
{
    if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
        return err_set(e, EINVAL, "modes[%d].options.%s: must be a non-empty string", idx, it->string);
    if (strlen(it->valuestring) >= n)
        return err_set(e, EINVAL, "modes[%d].options.%s: too long", idx, it->string);
    snprintf(out, n, "%s", it->valuestring);
    return 0;
}

/* Options of a vm mode, with defaults; unknown keys are errors. */
static int vm_opts_parse(const struct mode *m, struct vm_opts *o, struct err *e)
{
    const cJSON *it;
    char dir[1024];

    memset(o, 0, sizeof(*o));
    find_in_path("qemu-system-x86_64", o->qemu, sizeof(o->qemu));
    snprintf(o->kernel, sizeof(o->kernel), "%s", vm_cache_dir(dir, sizeof(dir), "vmlinuz"));
    o->memory_mb = VM_DEFAULT_MEMORY_MB;
    o->vcpus = VM_DEFAULT_VCPUS;
    o->disk_mb = VM_DEFAULT_DISK_MB;
    snprintf(o->accel, sizeof(o->accel), "auto");
    if (m->options == NULL)
        return 0;
    if (!cJSON_IsObject(m->options))
        return err_set(e, EINVAL, "modes[%d].options: must be an object", m->index);
    cJSON_ArrayForEach(it, m->options) {
        if (strcmp(it->string, "kernel") == 0) {
            if (opt_str(it, m->index, o->kernel, sizeof(o->kernel), e) < 0)
                return -1;
            o->kernel_given = 1;
        } else if (strcmp(it->string, "qemu") == 0) {
            if (opt_str(it, m->index, o->qemu, sizeof(o->qemu), e) < 0)
                return -1;
        } else if (strcmp(it->string, "memory_mb") == 0) {
            if (opt_int(it, m->index, 64, 1024 * 1024, &o->memory_mb, e) < 0)
                return -1;
        } else if (strcmp(it->string, "vcpus") == 0) {
            if (opt_int(it, m->index, 1, 255, &o->vcpus, e) < 0)
                return -1;
        } else if (strcmp(it->string, "disk_mb") == 0) {
            if (opt_int(it, m->index, 1, 1024 * 1024, &o->disk_mb, e) < 0)
                return -1;
        } else if (strcmp(it->string, "accel") == 0) {
            if (!cJSON_IsString(it) || (strcmp(it->valuestring, "auto") != 0 &&
                                        strcmp(it->valuestring, "kvm") != 0 &&
                                        strcmp(it->valuestring, "tcg") != 0))
                return err_set(e, EINVAL, "modes[%d].options.accel: must be \"auto\", \"kvm\" or \"tcg\"",
                               m->index);
            snprintf(o->accel, sizeof(o->accel), "%s", it->valuestring);
        } else {
            return err_set(e, EINVAL,
                           "modes[%d].options.%s: unknown option (vm knows kernel, qemu, memory_mb, "
                           "vcpus, disk_mb, accel)",
                           m->index, it->string);
        }
    }
    return 0;
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int read_text(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "re");
    size_t got;
    if (f == NULL)
        return -1;
    got = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[got] = '\0';
    return 0;
}

/* Write text to path through a temporary file and a rename. */
static int write_text(const char *path, const char *text, struct err *e)
{
    char tmp[1200];
    FILE *f;
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    f = fopen(tmp, "we");
    if (f == NULL)
        return err_sys(e, errno, "create %s", tmp);
    if (fputs(text, f) < 0 || fclose(f) != 0) {
        unlink(tmp);
        return err_sys(e, errno, "write %s", tmp);
    }
    if (rename(tmp, path) < 0) {
        int saved = errno;
        unlink(tmp);
        return err_sys(e, saved, "rename %s", tmp);
    }
    return 0;
}

static int qemu_version(const char *qemu, char *buf, size_t n, struct err *e)
{
    const char *argv[] = { qemu, "--version", NULL };
    char line[256];
    const char *prefix = "QEMU emulator version ";
    if (plat_run_marker(argv, prefix, 10000, line, sizeof(line), e) < 0)
        return err_wrap(e, "vm: %s --version", qemu);
    snprintf(buf, n, "%s", line + strlen(prefix));
    return 0;
}

/* ---- initramfs ---- */

static int stat_key(const char *path, char *buf, size_t n)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    snprintf(buf, n, "%s:%lld:%lld", path, (long long)st.st_size, (long long)st.st_mtime);
    return 0;
}

/*
 * The initramfs for rootfs (with the guest modules of modules_dir, or none
 * when NULL), rebuilt when the payload, the modules or the archive layout
 * change: <cache>/vm/initramfs/<hash of rootfs and modules_dir>.cpio, its key
 * beside it in .key.
 */
static int initramfs_ensure(const char *rootfs, const char *modules_dir, char *out, size_t n,
                            int64_t *bytes, struct err *e)
{
    char dir[1024], key[8192], part[1200], path[1200], keyfile[1300], tmp[1300], old[8192];
    struct cpio c;
    struct stat st;
    size_t len;
    int i;

    snprintf(path, sizeof(path), "%s%s", rootfs, IMAGE_PAYLOAD_PATH);
    if (stat_key(path, part, sizeof(part)) < 0)
        return err_sys(e, errno, "vm: initramfs: %s", path);
    len = (size_t)snprintf(key, sizeof(key), "format=%s rootfs=%s payload=%s", VM_INITRAMFS_FORMAT,
                           rootfs, part);
    for (i = 0; modules_dir != NULL && vm_modules[i] != NULL && len < sizeof(key); i++) {
        snprintf(path, sizeof(path), "%s/%s", modules_dir, vm_modules[i]);
        if (stat_key(path, part, sizeof(part)) == 0)
            len += (size_t)snprintf(key + len, sizeof(key) - len, " module=%s", part);
    }
    vm_cache_dir(dir, sizeof(dir), "initramfs");
    if (plat_mkdir_p(dir, e) < 0)
        return err_wrap(e, "vm: initramfs");
    snprintf(part, sizeof(part), "%s|%s", rootfs, modules_dir ? modules_dir : "");
    snprintf(out, n, "%s/%016llx.cpio", dir, (unsigned long long)fnv1a64(part));
    snprintf(keyfile, sizeof(keyfile), "%s.key", out);
    if (read_text(keyfile, old, sizeof(old)) == 0 && strcmp(old, key) == 0 && stat(out, &st) == 0) {
        *bytes = (int64_t)st.st_size;
        return 0;
    }

    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
    if (cpio_open(&c, tmp, e) < 0)
        return err_wrap(e, "vm: initramfs");
    if (cpio_add_tree(&c, rootfs, "", e) < 0 ||
        cpio_add_symlink(&c, "init", &IMAGE_PAYLOAD_PATH[1], e) < 0 ||
        cpio_add_chardev(&c, "dev/console", 0600, 5, 1, e) < 0)
        goto fail;
    if (modules_dir != NULL) {
        if (cpio_add_dir(&c, "lib", 0755, e) < 0 || cpio_add_dir(&c, "lib/modules", 0755, e) < 0 ||
            cpio_add_dir(&c, "lib/modules/isobench", 0755, e) < 0)
            goto fail;
        for (i = 0; vm_modules[i] != NULL; i++) {
            char name[256];
            snprintf(path, sizeof(path), "%s/%s", modules_dir, vm_modules[i]);
            if (!plat_exists(path))
                continue;
            /* The guest init loads them sorted by name: prefix the order. */
            snprintf(name, sizeof(name), "lib/modules/isobench/%d-%s", i, vm_modules[i]);
            if (cpio_add_file(&c, name, path, 0644, e) < 0)
                goto fail;
        }
    }
    if (cpio_close(&c, e) < 0)
        goto fail_closed;
    if (rename(tmp, out) < 0) {
        err_sys(e, errno, "rename %s", tmp);
        goto fail_closed;
    }
    if (write_text(keyfile, key, e) < 0)
        return err_wrap(e, "vm: initramfs");
    if (stat(out, &st) == 0)
        *bytes = (int64_t)st.st_size;
    return 0;
fail:
    cpio_abort(&c);
fail_closed:
    unlink(tmp);
    return err_wrap(e, "vm: initramfs %s", out);
}

/* ---- launching QEMU ---- */

/*
 * Fork and exec QEMU: stdin /dev/null, stdout a close-on-exec pipe whose read
 * end is returned in *out_fd, stderr the log file. QEMU gets its own process
 * group, so a Ctrl-C at the terminal reaches the runner, which stops it.
 */
static int vm_spawn(const struct vm_argv *a, const char *log_path, pid_t *pid, int *out_fd,
                    struct err *e)
{
    int fds[2], logfd, nullfd;
    pid_t p;

    logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logfd < 0)
        return err_sys(e, errno, "vm: create %s", log_path);
    nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nullfd < 0) {
        close(logfd);
        return err_sys(e, errno, "vm: open /dev/null");
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        close(logfd);
        close(nullfd);
        return err_sys(e, errno, "vm: pipe");
    }
    p = fork();
    if (p < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        close(logfd);
        close(nullfd);
        return err_sys(e, saved, "vm: fork");
    }
    if (p == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        setpgid(0, 0);
        dup2(nullfd, 0);
        dup2(fds[1], 1);
        dup2(logfd, 2);
        execv(a->argv[0], a->argv);
        _exit(127);
    }
    close(fds[1]);
    close(logfd);
    close(nullfd);
    *pid = p;
    *out_fd = fds[0];
    return 0;
}

/* The last lines of a log file, flattened to one line, for error messages. */
static void log_tail(const char *path, char *out, size_t n)
{
    char buf[4096];
    FILE *f = fopen(path, "re");
    size_t got, i;
    long size;
    out[0] = '\0';
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
    got = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[got] = '\0';
    while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
        buf[--got] = '\0';
    for (i = 0; i < got; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    i = got > 300 ? got - 300 : 0;
    snprintf(out, n, "%s", buf + i);
}

static int64_t rusage_ns(const struct rusage *ru)
{
    return ((int64_t)ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000LL +
           ((int64_t)ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000LL;
}

/* Reap QEMU if it exited (block = wait for it). Returns 1 once reaped. */
static int vm_reap(struct vm_ctr *v, int block)
{
    struct rusage ru;
    int status;
    pid_t r;
    if (v->exited)
        return 1;
    if (v->pid <= 0)
        return 0;
    do
        r = wait4(v->pid, &status, block ? 0 : WNOHANG, &ru);
    while (r < 0 && errno == EINTR);
    if (r == v->pid || (r < 0 && errno == ECHILD)) {
        v->exited = 1;
        v->status = r == v->pid ? status : 0;
        v->final_cpu_ns = r == v->pid ? rusage_ns(&ru) : -1;
        return 1;
    }
    return 0;
}

/* Kill QEMU (SIGTERM, then SIGKILL after a grace period) and reap it. */
static void vm_kill(struct vm_ctr *v)
{
    int64_t deadline;
    if (v->pid <= 0 || vm_reap(v, 0))
        return;
    kill(v->pid, SIGTERM);
    deadline = plat_now_ns() + (int64_t)VM_STOP_GRACE_MS * 1000000LL;
    while (!vm_reap(v, 0) && plat_now_ns() < deadline)
        plat_sleep_ms(10);
    if (!v->exited) {
        kill(v->pid, SIGKILL);
        vm_reap(v, 1);
    }
}

static void describe_exit(const struct vm_ctr *v, char *out, size_t n)
{
    if (!v->exited)
        snprintf(out, n, "running");
    else if (WIFEXITED(v->status))
        snprintf(out, n, "exit status %d%s", WEXITSTATUS(v->status),
                 WEXITSTATUS(v->status) == 127 ? " (could not exec QEMU)" : "");
    else if (WIFSIGNALED(v->status))
        snprintf(out, n, "killed by signal %d", WTERMSIG(v->status));
    else
        snprintf(out, n, "status 0x%x", (unsigned)v->status);
}

/*
 * Read console lines until one contains `marker` (serial output ends lines
 * with \r\n, and kernel messages may share a line, so the line is taken from
 * the marker on). Lines after the marker stay buffered for the next call.
 */
static int vm_wait_line(struct vm_ctr *v, const char *marker, int timeout_ms, char *buf, size_t n,
                        int64_t *t_ns, struct err *e)
{
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;

    for (;;) {
        char *nl, *hit;
        struct pollfd p;
        int64_t left;
        ssize_t r;

        while ((nl = memchr(v->acc, '\n', v->used)) != NULL) {
            size_t len = (size_t)(nl - v->acc);
            *nl = '\0';
            if (len > 0 && v->acc[len - 1] == '\r')
                v->acc[len - 1] = '\0';
            hit = strstr(v->acc, marker);
            if (v->acc[0] != '\0')
                snprintf(v->last_line, sizeof(v->last_line), "%s", v->acc);
            if (hit != NULL) {
                snprintf(buf, n, "%s", hit);
                if (t_ns != NULL)
                    *t_ns = plat_now_ns();
            }
            v->used -= len + 1;
            memmove(v->acc, nl + 1, v->used);
            if (hit != NULL)
                return 0;
        }
        if (v->used >= sizeof(v->acc) - 1) /* a line longer than the buffer: drop it */
            v->used = 0;
        if (v->out_fd < 0) {
            char how[96], tail[512];
            vm_reap(v, 1);
            describe_exit(v, how, sizeof(how));
            log_tail(v->log, tail, sizeof(tail));
            return err_set(e, EIO, "vm: QEMU ended (%s) before printing '%s'; last console line: '%s'; "
                           "qemu log: %s", how, marker, v->last_line, tail[0] ? tail : "(empty)");
        }
        left = (deadline - plat_now_ns()) / 1000000LL;
        if (left <= 0)
            return err_set(e, ETIMEDOUT, "vm: no '%s' on the serial console within %d ms "
                           "(last console line: '%s')", marker, timeout_ms, v->last_line);
        if (plat_interrupted())
            return err_set(e, EINTR, "vm: interrupted while waiting for '%s'", marker);
        p.fd = v->out_fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, left > 200 ? 200 : (int)left) <= 0)
            continue;
        r = read(v->out_fd, v->acc + v->used, sizeof(v->acc) - 1 - v->used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(v->out_fd);
            v->out_fd = -1;
            continue;
        }
        v->used += (size_t)r;
    }
}

/* ---- host TSC rate ---- */

#if defined(__x86_64__) || defined(__i386__)
static int64_t raw_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One (time, TSC) pair: the tightest of a few brackets, so that being
   preempted between the two reads does not skew it. */
static void tsc_pair(int64_t *ns, uint64_t *tsc)
{
    int64_t best = -1;
    int i;
    for (i = 0; i < 5; i++) {
        int64_t a = raw_ns();
        uint64_t t = __rdtsc();
        int64_t b = raw_ns();
        if (best < 0 || b - a < best) {
            best = b - a;
            *ns = a + (b - a) / 2;
            *tsc = t;
        }
    }
}

/* The host TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW over 50 ms. */
static int64_t host_tsc_khz(void)
{
    int64_t n0, n1;
    uint64_t t0, t1;
    tsc_pair(&n0, &t0);
    plat_sleep_ms(50);
    tsc_pair(&n1, &t1);
    if (n1 <= n0 || t1 <= t0)
        return 0;
    return (int64_t)((double)(t1 - t0) * 1e6 / (double)(n1 - n0));
}
#else
static int64_t host_tsc_khz(void)
{
    return 0;
}
#endif

/* ---- KVM boot probe ---- */

static void host_release(char *buf, size_t n)
{
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(buf, n, "%s", u.release);
    else
        snprintf(buf, n, "unknown");
}

/* Boot the guest once under KVM with the exit workload, bounded. */
static void kvm_boot_probe(const struct vm_mode *vm, struct vm_probe_result *r)
{
    struct vm_launch l;
    struct vm_argv a;
    struct vm_ctr v;
    struct err e;
    char cmdline[512], name[64], line[256];
    int64_t t0 = plat_now_ns();

    memset(r, 0, sizeof(*r));
    memset(&v, 0, sizeof(v));
    v.out_fd = -1;
    err_clear(&e);
    snprintf(name, sizeof(name), "isobench-kvmprobe-%d", (int)getpid());
    vm_cache_dir(v.log, sizeof(v.log), "kvm-probe.log");
    memset(&l, 0, sizeof(l));
    l.qemu = vm->o.qemu;
    l.name = name;
    l.accel = "kvm";
    l.kernel = vm->o.kernel;
    l.initrd = vm->initrd;
    l.cmdline = cmdline;
    l.memory_mb = vm->o.memory_mb;
    l.vcpus = 1;
    if (vm_kernel_cmdline("exit", 0, vm->tsc_khz, cmdline, sizeof(cmdline), &e) < 0 ||
        vm_qemu_argv(&l, &a, &e) < 0 || vm_spawn(&a, v.log, &v.pid, &v.out_fd, &e) < 0) {
        snprintf(r->reason, sizeof(r->reason), "kvm boot probe could not start QEMU: %s", e.msg);
        goto out;
    }
    if (vm_wait_line(&v, MARKER_READY, VM_KVM_PROBE_MS, line, sizeof(line), NULL, &e) == 0) {
        r->kvm_ok = 1;
        snprintf(r->reason, sizeof(r->reason), "kvm boot probe reached %s in %lld ms", MARKER_READY,
                 (long long)((plat_now_ns() - t0) / 1000000LL));
    } else if (e.code == ETIMEDOUT) {
        snprintf(r->reason, sizeof(r->reason),
                 "kvm boot probe timed out after %d s: /dev/kvm present but the guest kernel did "
                 "not reach init", VM_KVM_PROBE_MS / 1000);
    } else {
        snprintf(r->reason, sizeof(r->reason), "kvm boot probe failed: %s", e.msg);
    }
out:
    vm_kill(&v);
    if (v.out_fd >= 0)
        close(v.out_fd);
    r->probe_ms = (plat_now_ns() - t0) / 1000000LL;
    for (char *p = r->reason; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

/* Decide the accelerator for a mode: forced, or KVM only after a probe. */
static int choose_accel(struct vm_mode *vm, struct err *e)
{
    char key[2048], release[128], path[1100], text[4096];
    struct vm_probe_result r;
    struct stat st;
    int fd;

    vm->kvm_probe_ms = -1;
    if (strcmp(vm->o.accel, "tcg") == 0) {
        snprintf(vm->accel, sizeof(vm->accel), "tcg");
        snprintf(vm->accel_reason, sizeof(vm->accel_reason), "options.accel is \"tcg\"");
        return 0;
    }
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (strcmp(vm->o.accel, "kvm") == 0)
            return err_sys(e, errno, "vm: options.accel is \"kvm\" but /dev/kvm cannot be opened");
        snprintf(vm->accel, sizeof(vm->accel), "tcg");
        snprintf(vm->accel_reason, sizeof(vm->accel_reason), "/dev/kvm cannot be opened: %s",
                 strerror(errno));
        return 0;
    }
    close(fd);
    if (strcmp(vm->o.accel, "kvm") == 0) {
        snprintf(vm->accel, sizeof(vm->accel), "kvm");
        snprintf(vm->accel_reason, sizeof(vm->accel_reason), "options.accel is \"kvm\" (not probed)");
        return 0;
    }
    if (stat(vm->o.kernel, &st) < 0)
        return err_sys(e, errno, "vm: guest kernel %s", vm->o.kernel);
    host_release(release, sizeof(release));
    vm_probe_key(vm->o.kernel, (int64_t)st.st_size, (int64_t)st.st_mtime, vm->qemu_version, release,
                 key, sizeof(key));
    snprintf(path, sizeof(path), "%s/vm/kvm-probe-%016llx", image_cache_dir(),
             (unsigned long long)fnv1a64(key));
    if (read_text(path, text, sizeof(text)) == 0 && vm_probe_parse(text, key, &r) == 0) {
        vm->kvm_probe_cached = 1;
    } else {
        kvm_boot_probe(vm, &r);
        if (vm_probe_format(key, &r, text, sizeof(text)) == 0)
            write_text(path, text, NULL); /* a cache that cannot be written only costs a re-probe */
    }
    vm->kvm_probe_ms = r.probe_ms;
    snprintf(vm->accel, sizeof(vm->accel), "%s", r.kvm_ok ? "kvm" : "tcg");
    snprintf(vm->accel_reason, sizeof(vm->accel_reason), "%s", r.reason);
    return 0;
}

/* ---- driver hooks ---- */

static int vm_probe(const struct mode *m, struct err *e)
{
    struct vm_opts o;
    char payload[1024], rootfs[1024];

    if (vm_opts_parse(m, &o, e) < 0)
        return -1;
    if (access(o.qemu, X_OK) < 0)
        return err_set(e, ENOENT, "vm: QEMU not found at %s (apt-get install qemu-system-x86)", o.qemu);
    if (!plat_exists(o.kernel))
        return err_set(e, ENOENT, "vm: guest kernel missing at %s; run scripts/setup", o.kernel);
    if (image_payload_binary(payload, sizeof(payload), e) < 0)
        return err_wrap(e, "vm: initramfs cannot be built");
    image_default_rootfs(rootfs, sizeof(rootfs));
    if (!plat_exists(rootfs) && !plat_exists("/bin/busybox"))
        return err_set(e, ENOENT, "vm: initramfs cannot be built: no image at %s and no /bin/busybox "
                       "(apt-get install busybox-static)", rootfs);
    return 0;
}

static int vm_mode_init(struct mode *m, const struct scenario *s, struct err *e)
{
    struct vm_mode *vm;
    char rootfs[1024], modules[1024];

    vm = calloc(1, sizeof(*vm));
    if (vm == NULL)
        return err_set(e, ENOMEM, "vm: out of memory");
    if (vm_opts_parse(m, &vm->o, e) < 0)
        goto fail;
    /* A scenario's own image is read-only input; only the cache is built. */
    if (s != NULL && s->image[0] != '\0') {
        snprintf(rootfs, sizeof(rootfs), "%s", s->image);
        if (image_check_user(rootfs, "scenario image", e) < 0) {
            err_wrap(e, "vm");
            goto fail;
        }
    } else {
        image_default_rootfs(rootfs, sizeof(rootfs));
        if (image_ensure(rootfs, e) < 0)
            goto fail;
    }
    /* The cached modules belong to the cached kernel only. */
    vm_cache_dir(modules, sizeof(modules), "modules");
    if (initramfs_ensure(rootfs, vm->o.kernel_given ? NULL : modules, vm->initrd, sizeof(vm->initrd),
                         &vm->initrd_bytes, e) < 0)
        goto fail;
    if (qemu_version(vm->o.qemu, vm->qemu_version, sizeof(vm->qemu_version), e) < 0)
        goto fail;
    vm->tsc_khz = host_tsc_khz();
    if (choose_accel(vm, e) < 0)
        goto fail;
    m->drv_state = vm;
    return 0;
fail:
    free(vm);
    return -1;
}

static void vm_mode_fini(struct mode *m)
{
    free(m->drv_state);
    m->drv_state = NULL;
}

static int vm_version(const struct mode *m, char *buf, size_t n, struct err *e)
{
    const struct vm_mode *vm = m->drv_state;
    struct vm_opts o;
    char v[256];
    if (vm != NULL) {
        snprintf(buf, n, "QEMU %s", vm->qemu_version);
        return 0;
    }
    if (vm_opts_parse(m, &o, e) < 0 || qemu_version(o.qemu, v, sizeof(v), e) < 0)
        return -1;
    snprintf(buf, n, "QEMU %s", v);
    return 0;
}

static void vm_facts(const struct mode *m, cJSON *out)
{
    const struct vm_mode *vm = m->drv_state;
    if (vm == NULL)
        return;
    cJSON_AddStringToObject(out, "accel", vm->accel);
    cJSON_AddStringToObject(out, "accel_reason", vm->accel_reason);
    if (vm->kvm_probe_ms >= 0) {
        cJSON_AddNumberToObject(out, "kvm_probe_ms", (double)vm->kvm_probe_ms);
        cJSON_AddBoolToObject(out, "kvm_probe_cached", vm->kvm_probe_cached);
    }
    cJSON_AddNumberToObject(out, "guest_memory_bytes", (double)vm->o.memory_mb * 1048576.0);
    cJSON_AddNumberToObject(out, "vcpus", vm->o.vcpus);
    cJSON_AddNumberToObject(out, "scratch_disk_bytes", (double)vm->o.disk_mb * 1048576.0);
    cJSON_AddStringToObject(out, "qemu", vm->o.qemu);
    cJSON_AddStringToObject(out, "kernel", vm->o.kernel);
    cJSON_AddStringToObject(out, "initramfs", vm->initrd);
    cJSON_AddNumberToObject(out, "initramfs_bytes", (double)vm->initrd_bytes);
    cJSON_AddStringToObject(out, "machine", "microvm");
    if (vm->tsc_khz > 0)
        cJSON_AddNumberToObject(out, "guest_tsc_khz", (double)vm->tsc_khz);
}

static unsigned vm_isolation_of(const struct mode *m)
{
    (void)m;
    return ISO_VM;
}

/* Workload name and iterations from the container's argv
   ("/isobench-payload cpu N"), or from the scenario when argv is NULL. */
static int ctr_workload(const struct ctr *c, char *name, size_t n, int64_t *iters, struct err *e)
{
    *iters = 0;
    if (c->argv != NULL && c->argv[0] != NULL) {
        const char *base = strrchr(c->argv[0], '/');
        base = base ? base + 1 : c->argv[0];
        if (strcmp(base, &IMAGE_PAYLOAD_PATH[1]) != 0 || c->argv[1] == NULL)
            return err_set(e, EINVAL, "vm: the guest runs only %s (idle, exit, cpu N), not '%s'",
                           IMAGE_PAYLOAD_PATH, c->argv[0]);
        snprintf(name, n, "%s", c->argv[1]);
        if (c->argv[2] != NULL)
            *iters = strtoll(c->argv[2], NULL, 10);
        return 0;
    }
    if (c->scn == NULL)
        return err_set(e, EINVAL, "vm: container has neither argv nor scenario");
    switch (c->scn->workload) {
    case WL_IDLE:
        snprintf(name, n, "idle");
        break;
    case WL_EXIT:
        snprintf(name, n, "exit");
        break;
    case WL_CPU:
        snprintf(name, n, "cpu");
        *iters = c->scn->cpu_iterations;
        break;
    }
    return 0;
}

static int vm_create(struct ctr *c, struct err *e)
{
    const struct vm_mode *vm = c->mode->drv_state;
    struct vm_ctr *v;
    char workload[32], rundir[1024];
    int64_t iters;
    int fd;

    if (vm == NULL)
        return err_set(e, EINVAL, "vm: mode %s was not initialised", c->mode->name);
    v = calloc(1, sizeof(*v));
    if (v == NULL)
        return err_set(e, ENOMEM, "vm: out of memory");
    v->out_fd = -1;
    v->final_cpu_ns = -1;
    c->priv = v;
    if (ctr_workload(c, workload, sizeof(workload), &iters, e) < 0 ||
        vm_kernel_cmdline(workload, iters, vm->tsc_khz, v->cmdline, sizeof(v->cmdline), e) < 0)
        return -1;
    snprintf(v->name, sizeof(v->name), "isobench-%s", c->name);
    vm_cache_dir(rundir, sizeof(rundir), "run");
    snprintf(v->dir, sizeof(v->dir), "%s/%s", rundir, c->name);
    snprintf(v->disk, sizeof(v->disk), "%s/scratch.raw", v->dir);
    snprintf(v->log, sizeof(v->log), "%s/qemu.log", v->dir);
    if (plat_mkdir_p(v->dir, e) < 0)
        return err_wrap(e, "vm");
    if (c->cgroup_parent != NULL) {
        /* The run's budget holds the QEMU process, in a cgroup of its own
           (cgroup v2 allows no processes in an inner node). */
        struct cgroup_limits none = { 0, 0, 0 };
        v->cg = cgroup_detect();
        snprintf(v->cgroup, sizeof(v->cgroup), "%s/%s", c->cgroup_parent, c->name);
        if (cgroup_create(v->cg, v->cgroup, &none, e) < 0)
            return err_wrap(e, "vm");
    }
    /* Sparse: nothing is allocated until the guest writes. */
    fd = open(v->disk, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_sys(e, errno, "vm: create %s", v->disk);
    if (ftruncate(fd, (off_t)vm->o.disk_mb * 1048576) < 0) {
        int saved = errno;
        close(fd);
        return err_sys(e, saved, "vm: size %s", v->disk);
    }
    close(fd);
    return 0;
}

static int vm_start(struct ctr *c, struct err *e)
{
    const struct vm_mode *vm = c->mode->drv_state;
    struct vm_ctr *v = c->priv;
    struct vm_launch l;
    struct vm_argv a;

    if (v == NULL)
        return err_set(e, EINVAL, "vm: start before create");
    memset(&l, 0, sizeof(l));
    l.qemu = vm->o.qemu;
    l.name = v->name;
    l.accel = vm->accel;
    l.kernel = vm->o.kernel;
    l.initrd = vm->initrd;
    l.disk = v->disk;
    l.cmdline = v->cmdline;
    l.memory_mb = vm->o.memory_mb;
    l.vcpus = vm->o.vcpus;
    if (vm_qemu_argv(&l, &a, e) < 0 || vm_spawn(&a, v->log, &v->pid, &v->out_fd, e) < 0)
        return -1;
    /* Moved in right after fork: QEMU allocates guest memory after exec. */
    if (v->cgroup[0] != '\0' && cgroup_enter(v->cg, v->cgroup, v->pid, e) < 0)
        return err_wrap(e, "vm: budget");
    return 0;
}

static int vm_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n,
                          int64_t *t_ns, struct err *e)
{
    struct vm_ctr *v = c->priv;
    if (v == NULL || v->pid <= 0)
        return err_set(e, EINVAL, "vm: wait_output before start");
    return vm_wait_line(v, marker, timeout_ms, buf, n, t_ns, e);
}

static int vm_sample(struct ctr *c, struct counters *out, struct err *e)
{
    struct vm_ctr *v = c->priv;
    struct proc_mem pm;
    struct stat st;

    counters_unknown(out);
    if (v == NULL)
        return err_set(e, EINVAL, "vm: sample before create");
    if (stat(v->disk, &st) == 0)
        out->storage_bytes = (int64_t)st.st_blocks * 512;
    if (v->pid <= 0)
        return 0;
    if (vm_reap(v, 0)) {
        /* The guest powered off (exit workload): only the final CPU time is left. */
        out->cpu_ns = v->final_cpu_ns;
        out->pids = 0;
        return 0;
    }
    memset(&pm, 0, sizeof(pm));
    if (proc_mem_add(v->pid, &pm, e) < 0)
        return err_wrap(e, "vm: sample QEMU %d", (int)v->pid);
    if (pm.nprocs > 0) {
        out->mem_pss_bytes = pm.pss_bytes;
        out->mem_rss_bytes = pm.rss_bytes;
        out->cpu_ns = pm.cpu_ns;
        out->pids = pm.threads; /* QEMU's threads: each holds a pid */
        out->fds = pm.fds;
        out->mounts = 0;
    }
    return 0;
}

static int vm_stop(struct ctr *c, struct err *e)
{
    struct vm_ctr *v = c->priv;
    (void)e;
    if (v == NULL)
        return 0;
    vm_kill(v);
    if (v->out_fd >= 0) {
        close(v->out_fd);
        v->out_fd = -1;
    }
    return 0;
}

static int vm_destroy(struct ctr *c, struct err *e)
{
    struct vm_ctr *v = c->priv;
    int rc = 0;
    if (v == NULL)
        return 0;
    vm_stop(c, e);
    if (v->cgroup[0] != '\0') {
        struct err e2;
        err_clear(&e2);
        if ((cgroup_kill_all(v->cg, v->cgroup, 5000, &e2) < 0 || cgroup_remove(v->cg, v->cgroup, &e2) < 0) &&
            rc == 0) {
            *e = e2;
            rc = err_wrap(e, "vm");
        }
    }
    if (v->dir[0] != '\0' && dir_remove_tree(v->dir, e) < 0 && rc == 0)
        rc = err_wrap(e, "vm");
    free(v);
    c->priv = NULL;
    return rc;
}

static int is_qemu(pid_t pid)
{
    char path[64], comm[64];
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    if (read_text(path, comm, sizeof(comm)) < 0)
        return 0;
    return strncmp(comm, "qemu", 4) == 0;
}

static int vm_cleanup(const char *run_id, int *removed, struct err *e)
{
    char needle[256], rundir[1024];
    pid_t pids[512];
    int n = 512, i;
    DIR *d;
    struct dirent *de;

    /* QEMU processes: their command line carries "-name isobench-<run_id>-...". */
    snprintf(needle, sizeof(needle), "-name isobench-%s", run_id ? run_id : "");
    if (proc_find_cmdline(needle, pids, &n, e) < 0)
        return err_wrap(e, "vm: cleanup");
    for (i = 0; i < n; i++) {
        int64_t deadline;
        int status;
        if (pids[i] == getpid() || !is_qemu(pids[i]))
            continue;
        if (kill(pids[i], SIGKILL) < 0)
            continue;
        deadline = plat_now_ns() + 2000000000LL;
        while (plat_now_ns() < deadline) {
            char path[64];
            /* Reaps it if it is our own child; otherwise init does. */
            waitpid(pids[i], &status, WNOHANG);
            snprintf(path, sizeof(path), "/proc/%d", (int)pids[i]);
            if (!plat_exists(path))
                break;
            plat_sleep_ms(10);
        }
        (*removed)++;
    }
    /* Per-VM directories: <cache>/vm/run/<run_id>-<mode>-<i>. */
    vm_cache_dir(rundir, sizeof(rundir), "run");
    d = opendir(rundir);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[2048];
        if (de->d_name[0] == '.')
            continue;
        if (run_id != NULL && (strncmp(de->d_name, run_id, strlen(run_id)) != 0 ||
                               de->d_name[strlen(run_id)] != '-'))
            continue;
        snprintf(path, sizeof(path), "%s/%s", rundir, de->d_name);
        if (dir_remove_tree(path, e) < 0) {
            closedir(d);
            return err_wrap(e, "vm: cleanup");
        }
        (*removed)++;
    }
    closedir(d);
    return 0;
}

const struct driver driver_vm = {
    .name = "vm",
    .unavailable_reason = NULL,
    .isolations = ISO_VM,
    .probe = vm_probe,
    .mode_init = vm_mode_init,
    .mode_fini = vm_mode_fini,
    .version = vm_version,
    .facts = vm_facts,
    .isolation_of = vm_isolation_of,
    .create = vm_create,
    .start = vm_start,
    .wait_output = vm_wait_output,
    .sample = vm_sample,
    .stop = vm_stop,
    .destroy = vm_destroy,
    .cleanup = vm_cleanup,
};

#endif
