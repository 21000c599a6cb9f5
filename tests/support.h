/*
 * support.h - shared helpers for the Criterion tests.
 *
 * require_or_skip(): a test that needs something this host lacks (root, a
 * running dockerd, QEMU) skips with the reason, unless ISOBENCH_NO_SKIP=1 is
 * set (scripts/test sets it under CI, where everything must be present), in
 * which case the missing piece is a failure.
 */
#ifndef ISOBENCH_TEST_SUPPORT_H
#define ISOBENCH_TEST_SUPPORT_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define require_or_skip(cond, ...)                                   \
    do {                                                             \
        if (!(cond)) {                                               \
            const char *ns_ = getenv("ISOBENCH_NO_SKIP");            \
            if (ns_ != NULL && strcmp(ns_, "1") == 0)                \
                cr_assert_fail("required but missing: " __VA_ARGS__); \
            cr_skip_test(__VA_ARGS__);                               \
        }                                                            \
    } while (0)

/* Path of a file under the source tree. */
static inline const char *src_path(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", ISOBENCH_SOURCE_DIR, rel);
    return buf;
}

/* Path of a file under the build tree. */
static inline const char *bin_path(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", ISOBENCH_BINARY_DIR, rel);
    return buf;
}

/* Write TEXT to PATH (created or truncated). */
static inline void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "create %s", path);
    fputs(text, f);
    fclose(f);
}

/* Start the built isobench binary with ARGV (NULL-terminated; argv[0] is
   the program's name) in the background, its stdout and stderr sent to
   /dev/null: the child's pid, to waitpid() or signal. */
static inline pid_t isobench_spawn_quiet(char *const argv[])
{
    char bin[1024];
    pid_t pid;
    bin_path(bin, sizeof(bin), "isobench");
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

/* The same, waited for: its exit code, or -1 when it did not exit. */
static inline int isobench_run_quiet(char *const argv[])
{
    int status = -1;
    pid_t pid = isobench_spawn_quiet(argv);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The whole of a file as a NUL-terminated string (caller frees), or NULL
   when it cannot be read. */
static inline char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = calloc(1, (size_t)len + 1);
        if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* A fixture under the source tree; the test fails when it is missing. */
static inline char *read_fixture(const char *rel)
{
    char path[4096];
    char *text = read_text(src_path(path, sizeof(path), rel));
    cr_assert_not_null(text, "fixture %s", path);
    return text;
}

/* Run a subcommand's front end (cmd_capacity, cmd_hosts, ...) with its
   stdout captured into out; returns its exit code. */
static inline int run_cmd(int (*fn)(int, char **), char **argv, int argc, char *out, size_t outn)
{
    char path[] = "/tmp/isobench-test-out-XXXXXX";
    int fd = mkstemp(path), saved, rc;
    FILE *f;
    size_t got;
    fflush(stdout);
    saved = dup(1);
    dup2(fd, 1);
    rc = fn(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    f = fdopen(fd, "r");
    rewind(f);
    got = fread(out, 1, outn - 1, f);
    out[got] = '\0';
    fclose(f);
    unlink(path);
    return rc;
}

#endif
