/*
 * plat_win.c - plat.h on Windows: QueryPerformanceCounter clock, directories
 * (CreateDirectoryW), Ctrl-C through SetConsoleCtrlHandler, running a bare host
 * process with its stdout on a pipe (CreateProcessW, never a shell), and free
 * disk space (GetDiskFreeSpaceExW). Paths are UTF-8 in isobench and UTF-16 at
 * the Win32 boundary.
 */
#include "plat.h"
#include "plat_win.h"

#include <psapi.h>

#include <errno.h>
#include <process.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wchar_t *win_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w;
    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(wchar_t));
    if (w == NULL)
        return NULL;
    if (MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) <= 0) {
        free(w);
        return NULL;
    }
    return w;
}

int win_utf8(const wchar_t *w, char *buf, size_t n)
{
    if (n == 0)
        return -1;
    buf[0] = '\0';
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)n, NULL, NULL) <= 0) {
        buf[n - 1] = '\0';
        return -1;
    }
    return 0;
}

char *win_utf8_dup(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (s != NULL && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) <= 0) {
        free(s);
        return NULL;
    }
    return s;
}

void win_error_text(DWORD code, char *buf, size_t n)
{
    wchar_t wbuf[512];
    DWORD len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                               0, wbuf, sizeof(wbuf) / sizeof(wbuf[0]), NULL);
    if (len == 0) {
        snprintf(buf, n, "error 0x%08lx", (unsigned long)code);
        return;
    }
    while (len > 0 && (wbuf[len - 1] == L'\n' || wbuf[len - 1] == L'\r' || wbuf[len - 1] == L' ' ||
                       wbuf[len - 1] == L'.'))
        wbuf[--len] = L'\0';
    win_utf8(wbuf, buf, n);
}

int err_win(struct err *e, DWORD code, const char *fmt, ...)
{
    va_list ap;
    size_t len;
    char text[512];

    if (e == NULL)
        return -1;
    e->code = (int)code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    win_error_text(code, text, sizeof(text));
    len = strlen(e->msg);
    if (len < sizeof(e->msg))
        snprintf(e->msg + len, sizeof(e->msg) - len, ": %s (0x%08lx)", text, (unsigned long)code);
    return -1;
}

/* One read on a worker thread: the bytes are timestamped the moment they
   arrive, and the caller can still bound the wait (CancelIoEx cancels an
   overlapped read, CancelSynchronousIo a blocking one). */
struct read_job {
    HANDLE h;
    char *buf;
    DWORD cap, got;
    BOOL ok;
    DWORD error;
    int64_t t_ns;
};

static DWORD WINAPI read_once(void *arg)
{
    struct read_job *j = arg;
    OVERLAPPED ov;
    memset(&ov, 0, sizeof(ov));
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    j->ok = ReadFile(j->h, j->buf, j->cap, &j->got, &ov);
    if (!j->ok && GetLastError() == ERROR_IO_PENDING)
        j->ok = GetOverlappedResult(j->h, &ov, &j->got, TRUE);
    j->error = j->ok ? 0 : GetLastError();
    j->t_ns = plat_now_ns();
    if (ov.hEvent != NULL)
        CloseHandle(ov.hEvent);
    return 0;
}

int win_wait_line(HANDLE h, struct win_line_buf *lb, const char *marker, int timeout_ms, char *buf, size_t n,
                  int64_t *t_ns, struct err *e)
{
    char *acc = lb->acc;
    size_t cap = sizeof(lb->acc);
    size_t *used = &lb->used;
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    size_t mlen = strlen(marker);
    for (;;) {
        struct read_job j;
        HANDLE th;
        char *nl;
        int64_t left_ms;
        /* complete lines already buffered */
        while ((nl = memchr(acc, '\n', *used)) != NULL) {
            size_t len = (size_t)(nl - acc);
            int match;
            *nl = '\0';
            if (len > 0 && acc[len - 1] == '\r')
                acc[len - 1] = '\0';
            match = strncmp(acc, marker, mlen) == 0;
            if (match)
                snprintf(buf, n, "%s", acc);
            memmove(acc, nl + 1, *used - len - 1);
            *used -= len + 1;
            if (match) {
                *t_ns = lb->t_ns;
                return 0;
            }
        }
        if (*used >= cap - 1)
            *used = 0; /* an absurdly long line: drop it */
        left_ms = (deadline - plat_now_ns()) / 1000000LL;
        if (left_ms <= 0)
            return err_set(e, ETIMEDOUT, "no '%s' line within %d ms", marker, timeout_ms);
        memset(&j, 0, sizeof(j));
        j.h = h;
        j.buf = acc + *used;
        j.cap = (DWORD)(cap - 1 - *used);
        th = CreateThread(NULL, 64 * 1024, read_once, &j, 0, NULL);
        if (th == NULL)
            return err_win(e, GetLastError(), "CreateThread");
        if (WaitForSingleObject(th, (DWORD)left_ms) == WAIT_TIMEOUT) {
            CancelIoEx(h, NULL);
            CancelSynchronousIo(th);
            WaitForSingleObject(th, INFINITE);
            CloseHandle(th);
            if (j.got == 0)
                return err_set(e, ETIMEDOUT, "no '%s' line within %d ms", marker, timeout_ms);
        } else {
            CloseHandle(th);
        }
        if (!j.ok && j.got == 0) {
            if (j.error == ERROR_BROKEN_PIPE || j.error == ERROR_HANDLE_EOF || j.error == ERROR_PIPE_NOT_CONNECTED)
                return err_set(e, EPIPE, "stdout closed before a '%s' line", marker);
            return err_win(e, j.error, "read stdout");
        }
        if (j.ok && j.got == 0)
            return err_set(e, EPIPE, "stdout closed before a '%s' line", marker);
        *used += j.got;
        lb->t_ns = j.t_ns;
    }
}

int64_t plat_now_ns(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER c;
    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&c);
    /* split to avoid overflowing counter * 1e9 */
    return (int64_t)(c.QuadPart / freq.QuadPart) * 1000000000LL +
           (int64_t)(c.QuadPart % freq.QuadPart) * 1000000000LL / freq.QuadPart;
}

double plat_wall_time(void)
{
    FILETIME ft;
    ULARGE_INTEGER u;
    GetSystemTimePreciseAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    /* 100 ns ticks since 1601-01-01 -> seconds since 1970-01-01 */
    return (double)(u.QuadPart - 116444736000000000ULL) / 1e7;
}

void plat_sleep_us(int64_t us)
{
    if (us > 0)
        plat_sleep_ms((int)((us + 999) / 1000));
}

void plat_sleep_ms(int ms)
{
    while (ms > 0 && !plat_interrupted()) {
        int step = ms > 100 ? 100 : ms;
        Sleep((DWORD)step);
        ms -= step;
    }
}

int plat_self_dir(char *buf, size_t n, struct err *e)
{
    wchar_t self[MAX_PATH * 2];
    char path[MAX_PATH * 6];
    char *slash;
    DWORD len = GetModuleFileNameW(NULL, self, MAX_PATH * 2);

    if (len == 0 || len >= MAX_PATH * 2)
        return err_win(e, GetLastError(), "GetModuleFileName");
    win_utf8(self, path, sizeof(path));
    slash = strrchr(path, '\\');
    if (slash == NULL)
        slash = strrchr(path, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(buf, n, "%s", path);
    return 0;
}

int plat_mkdir_p(const char *path, struct err *e)
{
    char buf[4096];
    size_t len = strlen(path);
    size_t i, start = 1;

    if (len == 0 || len >= sizeof(buf))
        return err_set(e, EINVAL, "mkdir %s: bad path", path);
    memcpy(buf, path, len + 1);
    /* Never try to create a drive ("C:"), a UNC or \\?\ prefix. */
    if (len >= 2 && buf[1] == ':')
        start = 3;
    else if (strncmp(buf, "\\\\?\\", 4) == 0)
        start = (len >= 6 && buf[5] == ':') ? 7 : 4;
    for (i = start; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == '\\' || buf[i] == '\0') {
            char c = buf[i];
            wchar_t *w;
            buf[i] = '\0';
            w = win_wide(buf);
            if (w == NULL)
                return err_set(e, EINVAL, "mkdir %s: not UTF-8", buf);
            if (!CreateDirectoryW(w, NULL)) {
                DWORD code = GetLastError();
                DWORD attr = GetFileAttributesW(w);
                free(w);
                if (code != ERROR_ALREADY_EXISTS && code != ERROR_ACCESS_DENIED)
                    return err_win(e, code, "mkdir %s", buf);
                if (attr == INVALID_FILE_ATTRIBUTES || !(attr & FILE_ATTRIBUTE_DIRECTORY))
                    return err_win(e, code, "mkdir %s", buf);
            } else {
                free(w);
            }
            buf[i] = c;
        }
    }
    return 0;
}

int plat_exists(const char *path)
{
    wchar_t *w = win_wide(path);
    DWORD attr;
    if (w == NULL)
        return 0;
    attr = GetFileAttributesW(w);
    free(w);
    return attr != INVALID_FILE_ATTRIBUTES;
}

static volatile LONG interrupted;

static BOOL WINAPI on_ctrl(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        InterlockedExchange(&interrupted, 1);
        return TRUE;
    default:
        return FALSE;
    }
}

void plat_catch_interrupts(void)
{
    SetConsoleCtrlHandler(on_ctrl, TRUE);
}

int plat_interrupted(void)
{
    return InterlockedCompareExchange(&interrupted, 0, 0) != 0;
}

/* Append one argument to a command line with the quoting rules
   CommandLineToArgvW / the MSVC runtime use. Returns 0 or -1 (too long). */
static int append_arg(wchar_t *cmd, size_t cap, size_t *len, const wchar_t *arg)
{
    size_t n = *len;
    int quote = arg[0] == L'\0' || wcspbrk(arg, L" \t\n\v\"") != NULL;
    const wchar_t *p;
#define PUT(ch)                  \
    do {                         \
        if (n + 2 >= cap)        \
            return -1;           \
        cmd[n++] = (ch);         \
    } while (0)
    if (n > 0)
        PUT(L' ');
    if (quote)
        PUT(L'"');
    for (p = arg;; p++) {
        size_t backslashes = 0, k;
        while (*p == L'\\') {
            p++;
            backslashes++;
        }
        if (*p == L'\0') {
            /* double trailing backslashes before the closing quote */
            for (k = 0; k < (quote ? backslashes * 2 : backslashes); k++)
                PUT(L'\\');
            break;
        }
        if (*p == L'"') {
            for (k = 0; k < backslashes * 2 + 1; k++)
                PUT(L'\\');
            PUT(L'"');
        } else {
            for (k = 0; k < backslashes; k++)
                PUT(L'\\');
            PUT(*p);
        }
    }
    if (quote)
        PUT(L'"');
#undef PUT
    cmd[n] = L'\0';
    *len = n;
    return 0;
}

int plat_run_marker(const char *const *argv, const char *marker, int timeout_ms,
                    char *buf, size_t n, struct err *e)
{
    wchar_t cmd[8192];
    size_t cmdlen = 0;
    HANDLE rd = NULL, wr = NULL, nul = INVALID_HANDLE_VALUE;
    SECURITY_ATTRIBUTES sa;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *app = NULL;
    struct win_line_buf *lb = NULL;
    int64_t t_line;
    int rc = -1, started = 0, i;

    cmd[0] = L'\0';
    for (i = 0; argv[i] != NULL; i++) {
        wchar_t *w = win_wide(argv[i]);
        if (w == NULL)
            return err_set(e, EINVAL, "%s: argument %d is not UTF-8", argv[0], i);
        if (append_arg(cmd, sizeof(cmd) / sizeof(cmd[0]), &cmdlen, w) < 0) {
            free(w);
            return err_set(e, E2BIG, "%s: command line too long", argv[0]);
        }
        free(w);
    }
    app = win_wide(argv[0]);
    if (app == NULL)
        return err_set(e, EINVAL, "%s: not UTF-8", argv[0]);

    memset(&sa, 0, sizeof(sa));
    sa.nLength = sizeof(sa);
    sa.bInheritHandle = TRUE;
    if (!CreatePipe(&rd, &wr, &sa, 0)) {
        err_win(e, GetLastError(), "CreatePipe");
        goto out;
    }
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);

    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nul;
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    memset(&pi, 0, sizeof(pi));
    if (!CreateProcessW(app, cmd, NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL, &si, &pi)) {
        err_win(e, GetLastError(), "CreateProcess %s", argv[0]);
        goto out;
    }
    started = 1;
    CloseHandle(wr);
    wr = NULL;

    lb = calloc(1, sizeof(*lb));
    if (lb == NULL) {
        err_set(e, ENOMEM, "out of memory");
        goto out;
    }
    if (win_wait_line(rd, lb, marker, timeout_ms, buf, n, &t_line, e) < 0) {
        if (e != NULL && e->code == EPIPE)
            err_set(e, EIO, "%s: exited without printing '%s'", argv[0], marker);
        else
            err_wrap(e, "%s", argv[0]);
        goto out;
    }
    rc = 0;
out:
    if (started) {
        /* The payload stays up after its RESULT line (runner.c relies on
           this function to end it): whatever is still running goes now. */
        if (WaitForSingleObject(pi.hProcess, 0) != WAIT_OBJECT_0)
            TerminateProcess(pi.hProcess, 1);
        WaitForSingleObject(pi.hProcess, 5000);
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
    if (rd != NULL)
        CloseHandle(rd);
    if (wr != NULL)
        CloseHandle(wr);
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
    free(app);
    free(lb);
    return rc;
}

int64_t plat_page_bytes(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwPageSize > 0 ? (int64_t)si.dwPageSize : 4096;
}

int plat_disk_free(const char *path, int64_t *free_bytes, int64_t *total_bytes, struct err *e)
{
    ULARGE_INTEGER avail, total, freeb;
    wchar_t *w = win_wide(path);
    if (w == NULL)
        return err_set(e, EINVAL, "%s: not UTF-8", path);
    if (!GetDiskFreeSpaceExW(w, &avail, &total, &freeb)) {
        DWORD code = GetLastError();
        free(w);
        return err_win(e, code, "GetDiskFreeSpaceEx %s", path);
    }
    free(w);
    if (free_bytes)
        *free_bytes = (int64_t)avail.QuadPart;
    if (total_bytes)
        *total_bytes = (int64_t)total.QuadPart;
    return 0;
}

int plat_run_wait(const char *const *argv, int quiet, int *exit_code, struct err *e)
{
    intptr_t rc;
    (void)quiet;
    rc = _spawnv(_P_WAIT, argv[0], argv);
    if (rc < 0)
        return err_sys(e, errno, "%s: spawn", argv[0]);
    *exit_code = (int)rc;
    return 0;
}

int plat_self_exe(char *buf, size_t n, struct err *e)
{
    DWORD len = GetModuleFileNameA(NULL, buf, (DWORD)n);
    if (len == 0 || len >= n)
        return err_win(e, GetLastError(), "GetModuleFileName");
    return 0;
}

/* ---- isobench's own usage ---- */

static int64_t filetime_ns(FILETIME f)
{
    ULARGE_INTEGER u;
    u.LowPart = f.dwLowDateTime;
    u.HighPart = f.dwHighDateTime;
    return (int64_t)u.QuadPart * 100;
}

int plat_self_usage(int64_t *rss_bytes, int64_t *anon_bytes, int64_t *cpu_ns)
{
    PROCESS_MEMORY_COUNTERS_EX pmc;
    FILETIME c, x, k, u;
    *rss_bytes = *anon_bytes = *cpu_ns = -1;
    if (GetProcessTimes(GetCurrentProcess(), &c, &x, &k, &u))
        *cpu_ns = filetime_ns(k) + filetime_ns(u);
    memset(&pmc, 0, sizeof(pmc));
    if (!GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc)))
        return -1;
    *rss_bytes = (int64_t)pmc.WorkingSetSize;
    *anon_bytes = (int64_t)pmc.PrivateUsage; /* commit charged to the process */
    return 0;
}

int64_t plat_thread_cpu_ns(void)
{
    FILETIME c, x, k, u;
    if (!GetThreadTimes(GetCurrentThread(), &c, &x, &k, &u))
        return 0;
    return filetime_ns(k) + filetime_ns(u);
}

long plat_raise_nofile(long want)
{
    return want; /* Windows handles have no per-process limit of this kind */
}
