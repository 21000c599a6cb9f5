/*
 * oci_exec_linux.c - running runtime commands and ending processes for the
 * oci driver (see oci_exec.h): fork/execv with chosen stdio, waits bounded
 * by pidfds, stderr captured for error messages, and SIGKILL + reaping
 * through pidfds so that a reused pid is never hit.
 */
#define _GNU_SOURCE
#include "oci_exec.h"
#include "../plat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The last lines of a command's stderr, on one line, for an error message. */
void oci_tail_line(const char *text, char *out, size_t n)
{
    size_t len = strlen(text), start, i, o = 0;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\r'))
        len--;
    start = len > 300 ? len - 300 : 0;
    for (i = start; i < len && o + 4 < n; i++) {
        if (text[i] == '\n') {
            out[o++] = ' ';
            out[o++] = '|';
            out[o++] = ' ';
        } else if (text[i] != '\r') {
            out[o++] = text[i];
        }
    }
    out[o] = '\0';
}

int oci_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int oci_pidfd_kill(int fd)
{
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
#else
    (void)fd;
    errno = ENOSYS;
    return -1;
#endif
}

int oci_pidfd_exited(int fd)
{
    struct pollfd pf;
    pf.fd = fd;
    pf.events = POLLIN;
    pf.revents = 0;
    return poll(&pf, 1, 0) > 0;
}

/* Has the process behind a pidfd been reaped (by anyone)? A zombie can
   still be signalled; a reaped process cannot. */
static int pidfd_gone(int fd)
{
#ifdef SYS_pidfd_send_signal
    return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0 && errno == ESRCH;
#else
    (void)fd;
    return 1;
#endif
}

/* fork + execv with the given stdio; only async-signal-safe calls in the child. */
int oci_spawn(const char *const *argv, int fd0, int fd1, int fd2, pid_t *pid, struct err *e)
{
    pid_t p = fork();
    if (p < 0)
        return err_sys(e, errno, "fork");
    if (p == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* Copies above 2 first: one of the fds may itself be 0, 1 or 2
           (a harness started with a closed stdio). */
        int a = fcntl(fd0, F_DUPFD_CLOEXEC, 3), b = fcntl(fd1, F_DUPFD_CLOEXEC, 3), c = fcntl(fd2, F_DUPFD_CLOEXEC, 3);
        if (a < 0 || b < 0 || c < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 || dup2(c, 2) < 0)
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    *pid = p;
    return 0;
}

/* A non-blocking pipe read into a buffer while a child runs (keeps the tail). */
struct drain {
    int fd;
    char *buf;
    size_t n, used;
};

static void drain_read(struct drain *d)
{
    for (;;) {
        char tmp[4096];
        ssize_t r;
        if (d->fd < 0)
            return;
        r = read(d->fd, tmp, sizeof(tmp));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0) {
                close(d->fd);
                d->fd = -1;
            }
            return;
        }
        if (d->buf != NULL && d->n > 1) {
            size_t room = d->n - 1 - d->used;
            if ((size_t)r > room) {
                /* Keep the tail: errors are at the end. */
                size_t drop = (size_t)r - room;
                if (drop > d->used)
                    drop = d->used;
                memmove(d->buf, d->buf + drop, d->used - drop);
                d->used -= drop;
                room = d->n - 1 - d->used;
            }
            if ((size_t)r > room)
                r = (ssize_t)room;
            memcpy(d->buf + d->used, tmp, (size_t)r);
            d->used += (size_t)r;
            d->buf[d->used] = '\0';
        }
    }
}

/* Wait for a child at most timeout_ms; kill it when it overstays. While
   waiting, drain up to two non-blocking pipes into buffers. */
static int wait_drain(pid_t pid, int timeout_ms, struct drain *d, int nd, int *status, struct err *e)
{
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    int pfd = oci_pidfd_open(pid);
    int rc = 0, i;

    for (;;) {
        struct pollfd p[3];
        int np = 0;
        int64_t left;
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR) {
            rc = err_sys(e, errno, "waitpid %d", (int)pid);
            break;
        }
        left = (deadline - plat_now_ns() + 999999) / 1000000LL;
        if (left <= 0) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            rc = err_set(e, ETIMEDOUT, "no exit within %d ms (killed)", timeout_ms);
            break;
        }
        if (pfd >= 0) {
            p[np].fd = pfd;
            p[np].events = POLLIN;
            p[np++].revents = 0;
        } else if (left > 2) {
            left = 2; /* no pidfd: poll for the exit */
        }
        for (i = 0; i < nd; i++)
            if (d[i].fd >= 0) {
                p[np].fd = d[i].fd;
                p[np].events = POLLIN;
                p[np++].revents = 0;
            }
        if (poll(p, (nfds_t)np, (int)left) > 0)
            for (i = 0; i < nd; i++)
                drain_read(&d[i]);
    }
    if (pfd >= 0)
        close(pfd);
    /* Whatever the child wrote before exiting; a daemon it left behind may
       hold the pipes open, so never wait for EOF. */
    for (i = 0; i < nd; i++)
        drain_read(&d[i]);
    return rc;
}

int oci_wait_child(pid_t pid, int timeout_ms, int *status, struct err *e)
{
    return wait_drain(pid, timeout_ms, NULL, 0, status, e);
}

/*
 * Run argv with stdin=/dev/null, stdout into out (may be NULL) and stderr
 * into errbuf; 0 when it exited 0, else -1 with "<what>: <stderr tail>".
 */
int oci_run_capture(const char *const *argv, const char *what, int timeout_ms, char *out, size_t outn,
                       struct err *e)
{
    int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 }, null = -1, status = 0, rc = -1;
    char errbuf[4096] = "";
    struct drain d[2];
    pid_t pid;

    if (out != NULL && outn > 0)
        out[0] = '\0';
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        return err_sys(e, errno, "oci: %s: open /dev/null", what);
    if (pipe2(opipe, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(epipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        err_sys(e, errno, "oci: %s: pipe", what);
        goto out;
    }
    if (oci_spawn(argv, null, opipe[1], epipe[1], &pid, e) < 0) {
        err_wrap(e, "oci: %s", what);
        goto out;
    }
    close(opipe[1]);
    close(epipe[1]);
    opipe[1] = epipe[1] = -1;
    d[0].fd = opipe[0];
    d[0].buf = out;
    d[0].n = out != NULL ? outn : 0;
    d[0].used = 0;
    d[1].fd = epipe[0];
    d[1].buf = errbuf;
    d[1].n = sizeof(errbuf);
    d[1].used = 0;
    opipe[0] = epipe[0] = -1; /* owned by d[] now */
    if (wait_drain(pid, timeout_ms, d, 2, &status, e) < 0) {
        err_wrap(e, "oci: %s", what);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char tail[400];
        oci_tail_line(errbuf, tail, sizeof(tail));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && tail[0] == '\0')
            err_set(e, ENOEXEC, "oci: %s: cannot execute %s", what, argv[0]);
        else if (tail[0] != '\0')
            err_set(e, EIO, "oci: %s: %s", what, tail);
        else if (WIFEXITED(status))
            err_set(e, EIO, "oci: %s: exit status %d", what, WEXITSTATUS(status));
        else
            err_set(e, EIO, "oci: %s: killed by signal %d", what, WTERMSIG(status));
    } else {
        rc = 0;
    }
    if (d[0].fd >= 0)
        close(d[0].fd);
    if (d[1].fd >= 0)
        close(d[1].fd);
out:
    if (null >= 0)
        close(null);
    if (opipe[0] >= 0)
        close(opipe[0]);
    if (opipe[1] >= 0)
        close(opipe[1]);
    if (epipe[0] >= 0)
        close(epipe[0]);
    if (epipe[1] >= 0)
        close(epipe[1]);
    return rc;
}

/*
 * SIGKILL the processes behind pidfds, wait until the deadline for all to
 * exit, and reap those that are (or become) our children: a process that
 * exits just before its parent (runsc's ptrace tracees, killed with the
 * sandbox) is handed to us as a zombie only once that parent is gone, so
 * each one is followed until it is reaped, by us or by its parent. Closes
 * the fds; returns how many have not exited.
 */
int oci_kill_reap_fds(int *fds, int nf, int64_t deadline)
{
    int i, alive = nf, pending = nf;
    for (i = 0; i < nf; i++)
        oci_pidfd_kill(fds[i]);
    for (;;) {
        struct pollfd pf[OCI_MAX_PIDS];
        int np = 0;
        alive = 0;
        for (i = 0; i < nf; i++) {
            siginfo_t si;
            if (fds[i] < 0)
                continue;
            if (!oci_pidfd_exited(fds[i])) {
                alive++;
                pf[np].fd = fds[i];
                pf[np].events = POLLIN;
                pf[np++].revents = 0;
                continue;
            }
            memset(&si, 0, sizeof(si));
            if ((waitid((idtype_t)P_PIDFD, (id_t)fds[i], &si, WEXITED | WNOHANG) == 0 && si.si_pid != 0) ||
                pidfd_gone(fds[i])) {
                close(fds[i]);
                fds[i] = -1;
                pending--;
            }
        }
        if (pending == 0 || plat_now_ns() >= deadline)
            break;
        if (np > 0)
            poll(pf, (nfds_t)np, 10);
        else
            plat_sleep_ms(1); /* exited, waiting for the zombie's new parent */
    }
    for (i = 0; i < nf; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return alive;
}
