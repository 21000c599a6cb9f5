/*
 * plat_posix.c - plat.h on Linux: clocks, directories, signals, and running a
 * bare host process for the CPU baseline (fork/execv, never a shell).
 */
#define _GNU_SOURCE
#include "plat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t plat_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

double plat_wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void plat_sleep_us(int64_t us)
{
    struct timespec ts;
    if (us <= 0)
        return;
    ts.tv_sec = (time_t)(us / 1000000);
    ts.tv_nsec = (long)(us % 1000000) * 1000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !plat_interrupted())
        ;
}

void plat_sleep_ms(int ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !plat_interrupted())
        ;
}

int plat_self_dir(char *buf, size_t n, struct err *e)
{
    char self[4096];
    char *slash;
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (len < 0)
        return err_sys(e, errno, "readlink /proc/self/exe");
    self[len] = '\0';
    slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(buf, n, "%s", slash == self ? "/" : self);
    return 0;
}

int plat_mkdir_p(const char *path, struct err *e)
{
    char buf[4096];
    size_t len = strlen(path);
    size_t i;

    if (len == 0 || len >= sizeof(buf))
        return err_set(e, EINVAL, "mkdir %s: bad path", path);
    memcpy(buf, path, len + 1);
    for (i = 1; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return err_sys(e, errno, "mkdir %s", buf);
            buf[i] = c;
        }
    }
    return 0;
}

int plat_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void plat_catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int plat_interrupted(void)
{
    return interrupted != 0;
}

int plat_run_marker(const char *const *argv, const char *marker, int timeout_ms,
                    char *buf, size_t n, struct err *e)
{
    int fds[2];
    pid_t pid;
    char acc[4096];
    size_t used = 0;
    int found = 0, rc = -1, status;
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return err_sys(e, errno, "pipe");
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return err_sys(e, errno, "fork");
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    while (!found) {
        struct pollfd p = { fds[0], POLLIN, 0 };
        int64_t left = (deadline - plat_now_ns()) / 1000000LL;
        ssize_t r;
        char *nl;
        if (left <= 0) {
            err_set(e, ETIMEDOUT, "%s: no '%s' line within %d ms", argv[0], marker, timeout_ms);
            goto out;
        }
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        r = read(fds[0], acc + used, sizeof(acc) - 1 - used);
        if (r <= 0) {
            err_set(e, EIO, "%s: exited without printing '%s'", argv[0], marker);
            goto out;
        }
        used += (size_t)r;
        acc[used] = '\0';
        while ((nl = strchr(acc, '\n')) != NULL) {
            *nl = '\0';
            if (strncmp(acc, marker, strlen(marker)) == 0) {
                snprintf(buf, n, "%s", acc);
                found = 1;
                break;
            }
            used -= (size_t)(nl + 1 - acc);
            memmove(acc, nl + 1, used + 1);
        }
        if (used >= sizeof(acc) - 1)
            used = 0;
    }
    rc = 0;
out:
    close(fds[0]);
    /* Workloads stay up after their marker (the cpu payload idles after its
       RESULT line): the caller has what it came for. */
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return rc;
}

int64_t plat_page_bytes(void)
{
    long v = sysconf(_SC_PAGESIZE);
    return v > 0 ? (int64_t)v : 4096;
}

int plat_disk_free(const char *path, int64_t *free_bytes, int64_t *total_bytes, struct err *e)
{
    struct statvfs sv;
    if (statvfs(path, &sv) < 0)
        return err_sys(e, errno, "statvfs %s", path);
    if (free_bytes)
        *free_bytes = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
    if (total_bytes)
        *total_bytes = (int64_t)sv.f_blocks * (int64_t)sv.f_frsize;
    return 0;
}

int plat_run_wait(const char *const *argv, int quiet, int *exit_code, struct err *e)
{
    int status;
    pid_t pid = fork();
    if (pid < 0)
        return err_sys(e, errno, "%s: fork", argv[0]);
    if (pid == 0) {
        if (quiet) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 1);
        }
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "%s: exec: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return err_sys(e, errno, "%s: waitpid", argv[0]);
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

int plat_self_exe(char *buf, size_t n, struct err *e)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    if (len < 0)
        return err_sys(e, errno, "readlink /proc/self/exe");
    buf[len] = '\0';
    return 0;
}

/* ---- isobench's own usage ---- */

int plat_self_usage(int64_t *rss_bytes, int64_t *anon_bytes, int64_t *cpu_ns)
{
    static int statm = -2;
    static long page;
    char buf[256];
    unsigned long long size, resident, shared;
    struct timespec ts;
    ssize_t r;

    *rss_bytes = *anon_bytes = *cpu_ns = -1;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
        *cpu_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    /* Opened once and re-read: the harness samples itself with every host sample. */
    if (statm == -2) {
        statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
        page = sysconf(_SC_PAGESIZE);
    }
    if (statm < 0)
        return -1;
    r = pread(statm, buf, sizeof(buf) - 1, 0);
    if (r <= 0)
        return -1;
    buf[r] = '\0';
    if (sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3)
        return -1;
    *rss_bytes = (int64_t)resident * page;
    *anon_bytes = (int64_t)(resident - (shared < resident ? shared : resident)) * page;
    return 0;
}

int64_t plat_thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long plat_raise_nofile(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    if ((rlim_t)want > rl.rlim_max) {
        struct rlimit hi = rl;
        hi.rlim_max = (rlim_t)want;
        hi.rlim_cur = (rlim_t)want;
        if (setrlimit(RLIMIT_NOFILE, &hi) == 0) /* needs CAP_SYS_RESOURCE, and want <= fs.nr_open */
            return want;
    }
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < (rlim_t)want) {
        rl.rlim_cur = (rlim_t)want < rl.rlim_max ? (rlim_t)want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    return (long)rl.rlim_cur;
}
