/*
 * oci_exec.h - how the oci driver runs runtime commands and ends processes
 * (oci_exec_linux.c). Programs run by fork/execv from an argument array,
 * never through a shell; every wait is bounded. Processes are held by
 * pidfds, so a signal or a wait never reaches a process that reused a pid.
 */
#ifndef ISOBENCH_OCI_EXEC_H
#define ISOBENCH_OCI_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../err.h"

#define OCI_MAX_PIDS 1024 /* processes of one container, at most */

/* fork + execv(argv[0]) with fd0/fd1/fd2 as its stdio. */
int oci_spawn(const char *const *argv, int fd0, int fd1, int fd2, pid_t *pid, struct err *e);
/* Wait at most timeout_ms for a child; SIGKILL and reap it when it overstays. */
int oci_wait_child(pid_t pid, int timeout_ms, int *status, struct err *e);
/*
 * Run argv with stdin=/dev/null, stdout into out (NULL: discarded) and
 * stderr kept for the message; 0 when it exits 0, else -1 with
 * "oci: <what>: <last lines of stderr>". A daemon the program leaves behind
 * holding its pipes does not hold the wait.
 */
int oci_run_capture(const char *const *argv, const char *what, int timeout_ms, char *out, size_t outn,
                    struct err *e);
/* The last ~300 bytes of a program's output, on one line. */
void oci_tail_line(const char *text, char *out, size_t n);

/* pidfd_open(2); -1 with errno (ENOSYS before Linux 5.3). */
int oci_pidfd_open(pid_t pid);
/* SIGKILL through a pidfd. */
int oci_pidfd_kill(int fd);
/* Has the process exited (it may still be an unreaped zombie)? */
int oci_pidfd_exited(int fd);
/*
 * SIGKILL the processes behind fds[0..nf), wait until the deadline
 * (plat_now_ns) for all to exit, and reap those that are or become our
 * children (a process that exits just before its parent reaches us as a
 * zombie only once that parent is gone). Closes the fds; returns how many
 * have not exited.
 */
int oci_kill_reap_fds(int *fds, int nf, int64_t deadline);

#endif
