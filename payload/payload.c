/*
 * payload.c - the workload that runs inside every Linux container and VM.
 *
 * A tiny static program (no libc surprises inside a busybox image) with one
 * job per first argument:
 *   idle            print the READY marker, then stay up until killed
 *   exit            print the READY marker and exit 0 (pure start cost)
 *   cpu ITERATIONS  print READY, run a fixed amount of integer busy work timed
 *                   with CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID, print
 *                   "ISOBENCH_RESULT work_ns=N cpu_ns=M check=X", stay up
 * The same binary run on the host gives the bare-process CPU baseline, so
 * container and host do exactly the same work.
 *
 * Inside a vm-driver guest the same binary is also /init of the initramfs
 * (role `init`, taken when it runs as PID 1 under the name /init; inside a
 * container it is PID 1 too, but named /isobench-payload): it mounts proc, sys and
 * devtmpfs, loads the virtio modules shipped in /lib/modules/isobench (in
 * the order of their file names) so the scratch disk appears as /dev/vda,
 * claims that disk by writing one labelled block, reads the workload from
 * the kernel command line (isobench.workload=idle|exit|cpu
 * isobench.iters=N), runs it in a child with the code above (the child
 * prints the READY marker on the serial console), reaps every orphan as PID
 * 1 must, reports "isobench-init: workload exited status=N" and powers the
 * VM off when the workload ends.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "roles.h"

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void say(const char *line)
{
    size_t len = strlen(line), off = 0;
    while (off < len) {
        ssize_t r = write(1, line + off, len - off);
        if (r <= 0)
            return;
        off += (size_t)r;
    }
}

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

static void stay_up(void)
{
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    for (;;)
        pause();
}

static int run_role(int argc, char **argv);

/* ---- init role: PID 1 of a vm-driver guest ---- */

#define INIT_MODULES_DIR "/lib/modules/isobench"
#define INIT_DISK "/dev/vda"

static void init_say(const char *fmt, const char *a, long long b)
{
    char line[512];
    snprintf(line, sizeof(line), fmt, a, b);
    say(line);
}

/* Value of `key=` on the kernel command line, or "" when absent. */
static void init_cmdline_value(const char *cmdline, const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    out[0] = '\0';
    while (*p) {
        size_t len;
        while (*p == ' ' || *p == '\n')
            p++;
        len = strcspn(p, " \n");
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t vlen = len - klen - 1;
            if (vlen >= n)
                vlen = n - 1;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = '\0';
            return;
        }
        p += len;
    }
}

static int init_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every module of INIT_MODULES_DIR, sorted by name (the image builder
   prefixes them with their load order); modules whose dependencies were not
   loaded yet are retried until a pass makes no progress. Returns how many
   were loaded. */
static int init_load_modules(void)
{
    char *names[32];
    int done[32] = { 0 }, errs[32] = { 0 };
    int n = 0, i, progress = 1, loaded = 0;
    DIR *d = opendir(INIT_MODULES_DIR);
    struct dirent *de;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL && n < 32)
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    if (n > 1)
        qsort(names, (size_t)n, sizeof(names[0]), init_name_cmp);
    while (progress) {
        progress = 0;
        for (i = 0; i < n; i++) {
            char path[512];
            int fd;
            if (done[i] || names[i] == NULL)
                continue;
            snprintf(path, sizeof(path), "%s/%s", INIT_MODULES_DIR, names[i]);
            fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            if (syscall(SYS_finit_module, fd, "", 0) == 0 || errno == EEXIST) {
                done[i] = 1;
                progress = 1;
                loaded++;
            } else {
                errs[i] = errno;
            }
            close(fd);
        }
    }
    for (i = 0; i < n; i++) {
        if (!done[i])
            init_say("isobench-init: module %s not loaded (errno %lld)\n", names[i], errs[i]);
        free(names[i]);
    }
    return loaded;
}

/* Claim the scratch disk standing for the writable layer: one 4 KiB block
   with a label, written through to the host file. The disk may take a moment
   to appear after its driver loaded: wait up to 1 s then, else look once. */
static void init_touch_disk(const char *workload, int wait)
{
    char block[4096];
    int fd = -1, tries;

    for (tries = 0; tries < (wait ? 100 : 1) && fd < 0; tries++) {
        fd = open(INIT_DISK, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            struct timespec ts = { 0, 10000000L };
            nanosleep(&ts, NULL);
        }
    }
    if (fd < 0) {
        say("isobench-init: no scratch disk at " INIT_DISK "\n");
        return;
    }
    memset(block, 0, sizeof(block));
    snprintf(block, sizeof(block), "isobench scratch layer, workload %s\n", workload);
    if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) || fsync(fd) < 0)
        init_say("isobench-init: write %s failed (errno %lld)\n", INIT_DISK, errno);
    close(fd);
}

static int init_main(void)
{
    char cmdline[4096], workload[32], iters[32];
    char *args[4];
    int fd, status = 0, n;
    pid_t child, w;

    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    /* The kernel opened /dev/console for us if the archive carries the node;
       otherwise open it now that devtmpfs is mounted. */
    if (fcntl(1, F_GETFD) < 0) {
        fd = open("/dev/console", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            if (fd > 2)
                close(fd);
        }
    }
    fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    n = fd >= 0 ? (int)read(fd, cmdline, sizeof(cmdline) - 1) : -1;
    if (fd >= 0)
        close(fd);
    cmdline[n > 0 ? n : 0] = '\0';
    init_cmdline_value(cmdline, "isobench.workload", workload, sizeof(workload));
    init_cmdline_value(cmdline, "isobench.iters", iters, sizeof(iters));
    if (workload[0] == '\0')
        snprintf(workload, sizeof(workload), "idle");

    init_touch_disk(workload, init_load_modules() > 0);

    args[0] = "isobench-payload";
    args[1] = workload;
    args[2] = iters[0] ? iters : NULL;
    args[3] = NULL;
    child = fork();
    if (child == 0)
        _exit(run_role(iters[0] ? 3 : 2, args));
    if (child < 0) {
        say("isobench-init: fork failed\n");
    } else {
        /* As PID 1, reap every orphan until the workload itself ends. */
        while ((w = wait(&status)) != child)
            if (w < 0 && errno != EINTR)
                break;
        init_say("isobench-init: workload %s exited status=%lld\n", workload,
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    sync();
    reboot(RB_POWER_OFF);
    /* Power-off refused: QEMU runs with -no-reboot, so a reboot ends it too. */
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
    base = base != NULL ? base + 1 : (argc > 0 ? argv[0] : "");
    if (getpid() == 1 && strcmp(base, "init") == 0)
        return init_main();
    if (argc >= 2 && strcmp(argv[1], "init") == 0) {
        say("isobench-payload: init runs only as PID 1 (the /init of a vm guest)\n");
        return 2;
    }
    return run_role(argc, argv);
}

static int64_t mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static int64_t proc_cpu_ns(void)
{
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static const struct payload_os os = { say, stay_up, mono_ns, proc_cpu_ns, "\n" };

/* The workload roles, shared by containers, the host baseline and vm guests. */
static int run_role(int argc, char **argv)
{
    return payload_run_role(argc, argv, &os);
}
