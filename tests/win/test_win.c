/*
 * test_win.c - contract tests of the Windows build, run under wine64 by
 * scripts/test.d/windows.sh (Criterion does not exist for mingw, so this is a
 * plain program: one line per check, then "N passed, N failed"; the exit
 * status is non-zero when anything failed).
 *
 * What runs here for real: plat_win.c (clock, directories, the child process
 * with a stdout pipe and Windows argument quoting, disk space), host_win.c
 * (facts and samples), the PDH sampler against wine's pdh.dll, the hcs
 * driver's probe (it must load computecore.dll at run time and say why it
 * cannot), the platform-neutral HCS documents and typeperf import on Windows
 * paths. Where a real Windows host offers more (HCS present, vmcompute's
 * NameToGuid), the same checks go further; absent pieces are reported as
 * "skip" with the reason, never counted as passed.
 */
#include "driver.h"
#include "image.h"
#include "drivers/hcs_doc.h"
#include "drivers/hcs_win.h"
#include "pdh_sampler.h"
#include "plat.h"
#include "plat_win.h"
#include "typeperf.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed, skipped;

#define CHECK(cond, ...)                          \
    do {                                          \
        if (cond) {                               \
            passed++;                             \
            printf("ok    ");                     \
        } else {                                  \
            failed++;                             \
            printf("FAIL  ");                     \
        }                                         \
        printf(__VA_ARGS__);                      \
        printf("\n");                             \
    } while (0)

#define SKIP(...)                                 \
    do {                                          \
        skipped++;                                \
        printf("skip  ");                         \
        printf(__VA_ARGS__);                      \
        printf("\n");                             \
    } while (0)

static void test_clock(void)
{
    int64_t a = plat_now_ns(), b;
    double w = plat_wall_time();
    plat_sleep_ms(20);
    b = plat_now_ns();
    CHECK(b - a >= 15000000LL, "plat_now_ns advances across a 20 ms sleep (%.1f ms)", (b - a) / 1e6);
    CHECK(w > 1.6e9 && w < 4.1e9, "plat_wall_time is seconds since 1970 (%.0f)", w);
}

static void test_dirs(char *tmp, size_t n)
{
    wchar_t wtmp[MAX_PATH];
    char base[MAX_PATH * 3], deep[MAX_PATH * 3 + 64];
    int64_t fr = 0, tot = 0;
    struct err e;
    err_clear(&e);
    GetTempPathW(MAX_PATH, wtmp);
    win_utf8(wtmp, base, sizeof(base));
    snprintf(tmp, n, "%sisobench-test-win-%lu", base, (unsigned long)GetCurrentProcessId());
    snprintf(deep, sizeof(deep), "%s\\a/b\\c", tmp);
    CHECK(plat_mkdir_p(deep, &e) == 0, "plat_mkdir_p %s %s", deep, e.msg);
    CHECK(plat_exists(deep), "plat_exists after mkdir");
    CHECK(plat_mkdir_p(deep, &e) == 0, "plat_mkdir_p is idempotent %s", e.msg);
    CHECK(!plat_exists("C:\\no\\such\\isobench\\path"), "plat_exists is false for a missing path");
    CHECK(plat_disk_free(tmp, &fr, &tot, &e) == 0 && tot > 0 && fr >= 0 && fr <= tot,
          "plat_disk_free %lld of %lld bytes %s", (long long)fr, (long long)tot, e.msg);
}

static void test_run_marker(void)
{
    wchar_t self[MAX_PATH];
    char exe[MAX_PATH * 3], line[512];
    const char *argv_ok[] = { exe, "--child", "two words", "quote\"inside", "trailing\\", NULL };
    const char *argv_silent[] = { exe, "--child-silent", NULL };
    const char *argv_missing[] = { "C:\\no\\such\\program.exe", NULL };
    struct err e;
    int64_t t0;
    err_clear(&e);
    GetModuleFileNameW(NULL, self, MAX_PATH);
    win_utf8(self, exe, sizeof(exe));
    CHECK(plat_run_marker(argv_ok, MARKER_READY, 30000, line, sizeof(line), &e) == 0, "plat_run_marker finds the marker %s",
          e.msg);
    CHECK(strcmp(line, MARKER_READY " argc=5 [two words] [quote\"inside] [trailing\\]") == 0,
          "arguments survive Windows quoting: %s", line);
    t0 = plat_now_ns();
    CHECK(plat_run_marker(argv_silent, MARKER_READY, 1500, line, sizeof(line), &e) < 0 &&
              (strstr(e.msg, "within 1500 ms") != NULL || strstr(e.msg, "exited without") != NULL),
          "a child that never prints the marker fails: %s", e.msg);
    CHECK((plat_now_ns() - t0) / 1000000LL < 15000, "and the wait is bounded");
    CHECK(plat_run_marker(argv_missing, MARKER_READY, 5000, line, sizeof(line), &e) < 0 &&
              strstr(e.msg, "CreateProcess C:\\no\\such\\program.exe") != NULL,
          "a missing program is a readable error: %s", e.msg);
}

struct writer {
    HANDLE h;
    int delay_ms;
    const char *text;
    int close_after;
    int64_t t_written;
};

static DWORD WINAPI write_later(void *arg)
{
    struct writer *w = arg;
    DWORD n;
    Sleep((DWORD)w->delay_ms);
    w->t_written = plat_now_ns();
    if (w->text != NULL)
        WriteFile(w->h, w->text, (DWORD)strlen(w->text), &n, NULL);
    if (w->close_after)
        CloseHandle(w->h);
    return 0;
}

/* The READY-line reader used for HCS process pipes (win_wait_line), on an
   anonymous pipe and on an overlapped named pipe like the ones HCS hands out. */
static void test_wait_line(void)
{
    struct win_line_buf *lb = calloc(1, sizeof(*lb));
    struct writer w;
    HANDLE rd, wr, th;
    char line[256];
    int64_t t = 0, t0;
    struct err e;
    int rc;
    err_clear(&e);

    CreatePipe(&rd, &wr, NULL, 0);
    memset(&w, 0, sizeof(w));
    w.h = wr;
    w.delay_ms = 200;
    w.text = "noise\r\nISOBENCH_READY\r\nISOBENCH_RESULT work_ns=1\r\n";
    th = CreateThread(NULL, 0, write_later, &w, 0, NULL);
    rc = win_wait_line(rd, lb, MARKER_READY, 10000, line, sizeof(line), &t, &e);
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    CHECK(rc == 0 && strcmp(line, MARKER_READY) == 0, "anonymous pipe: READY line read %s", e.msg);
    CHECK(t >= w.t_written && t - w.t_written < 1000000000LL, "its time is when the bytes arrived (+%.2f ms)",
          (t - w.t_written) / 1e6);
    t0 = t;
    rc = win_wait_line(rd, lb, MARKER_RESULT, 1000, line, sizeof(line), &t, &e);
    CHECK(rc == 0 && strcmp(line, MARKER_RESULT " work_ns=1") == 0 && t == t0,
          "a later line already buffered keeps its arrival time %s", e.msg);
    t0 = plat_now_ns();
    rc = win_wait_line(rd, lb, MARKER_READY, 300, line, sizeof(line), &t, &e);
    CHECK(rc < 0 && e.code == ETIMEDOUT && (plat_now_ns() - t0) / 1000000LL < 5000,
          "silence times out after 300 ms: %s", e.msg);
    memset(&w, 0, sizeof(w));
    w.h = wr;
    w.delay_ms = 50;
    w.close_after = 1;
    th = CreateThread(NULL, 0, write_later, &w, 0, NULL);
    rc = win_wait_line(rd, lb, MARKER_READY, 10000, line, sizeof(line), &t, &e);
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    CHECK(rc < 0 && e.code == EPIPE, "a closed writer is EPIPE: %s", e.msg);
    CloseHandle(rd);

    {
        wchar_t name[128];
        HANDLE srv, cli;
        memset(lb, 0, sizeof(*lb));
        err_clear(&e);
        _snwprintf(name, 128, L"\\\\.\\pipe\\isobench-test-%lu", (unsigned long)GetCurrentProcessId());
        name[127] = 0;
        srv = CreateNamedPipeW(name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096,
                               4096, 0, NULL);
        cli = CreateFileW(name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        CHECK(srv != INVALID_HANDLE_VALUE && cli != INVALID_HANDLE_VALUE, "overlapped named pipe created");
        if (srv == INVALID_HANDLE_VALUE || cli == INVALID_HANDLE_VALUE)
            goto out;
        memset(&w, 0, sizeof(w));
        w.h = cli;
        w.delay_ms = 150;
        w.text = "ISOBENCH_READY\n";
        th = CreateThread(NULL, 0, write_later, &w, 0, NULL);
        rc = win_wait_line(srv, lb, MARKER_READY, 10000, line, sizeof(line), &t, &e);
        WaitForSingleObject(th, INFINITE);
        CloseHandle(th);
        CHECK(rc == 0 && strcmp(line, MARKER_READY) == 0 && t >= w.t_written, "overlapped named pipe: READY read %s", e.msg);
        t0 = plat_now_ns();
        rc = win_wait_line(srv, lb, MARKER_READY, 300, line, sizeof(line), &t, &e);
        CHECK(rc < 0 && e.code == ETIMEDOUT && (plat_now_ns() - t0) / 1000000LL < 5000,
              "overlapped named pipe: the pending read is cancelled at the deadline: %s", e.msg);
        CloseHandle(cli);
        CloseHandle(srv);
    }
out:
    free(lb);
}

/* isobench-payload.exe: the workload of Windows containers and the bare baseline. */
static void test_payload(void)
{
    char payload[MAX_PATH * 3], line[512];
    const char *cpu[] = { payload, "cpu", "2000000", NULL };
    const char *ex[] = { payload, "exit", NULL };
    long long work = -1, cpu_ns = -1;
    struct err e;
    err_clear(&e);
    if (image_payload_binary(payload, sizeof(payload), &e) < 0) {
        CHECK(0, "image_payload_binary: %s", e.msg);
        return;
    }
    CHECK(strstr(payload, "isobench-payload.exe") != NULL, "payload next to the test program: %s", payload);
    CHECK(plat_run_marker(ex, MARKER_READY, 30000, line, sizeof(line), &e) == 0, "payload exit prints READY %s", e.msg);
    CHECK(plat_run_marker(cpu, MARKER_RESULT, 30000, line, sizeof(line), &e) == 0 &&
              sscanf(line, MARKER_RESULT " work_ns=%lld cpu_ns=%lld", &work, &cpu_ns) == 2 && work > 0 && cpu_ns >= 0,
          "payload cpu 2000000: %s %s", line, e.msg);
    /* the same xorshift64* loop as the Linux payload: same result for the same count */
    CHECK(strstr(line, "check=fbea5c0b0e311319") != NULL, "the busy work matches the Linux payload's (check=fbea5c0b0e311319)");
}

static void test_host(void)
{
    struct host_facts h;
    struct host_sample a, b;
    struct err e;
    double pct;
    volatile double x = 0;
    int i;
    err_clear(&e);
    CHECK(host_facts_get(&h, &e) == 0, "host_facts_get %s", e.msg);
    CHECK(h.hostname[0] != '\0', "hostname %s", h.hostname);
    CHECK(strstr(h.os, "Windows") != NULL, "os %s", h.os);
    CHECK(strncmp(h.kernel, "10.", 3) == 0 || strncmp(h.kernel, "6.", 2) == 0, "kernel %s", h.kernel);
    CHECK(strcmp(h.arch, "x86_64") == 0, "arch %s", h.arch);
    CHECK(h.cores > 0, "cores %d, cpu %s", h.cores, h.cpu_model);
    CHECK(h.mem_total_bytes > (64LL << 20), "mem_total_bytes %lld", (long long)h.mem_total_bytes);
    CHECK(strcmp(h.cgroup, "none") == 0, "cgroup %s", h.cgroup);
    CHECK(host_sample_get(&a, &e) == 0 && a.mem_available_bytes > 0 && a.mem_available_bytes <= a.mem_total_bytes,
          "host_sample_get: %lld of %lld bytes available", (long long)a.mem_available_bytes,
          (long long)a.mem_total_bytes);
    for (i = 0; i < 30000000; i++)
        x += i * 0.5;
    plat_sleep_ms(50);
    host_sample_get(&b, &e);
    pct = host_cpu_busy_pct(&a, &b);
    CHECK(b.cpu_total_ticks >= a.cpu_total_ticks && pct >= 0 && pct <= 100, "cpu busy %.1f%% between samples", pct);
}

static void test_pdh(void)
{
    struct pdh_sampler *s = NULL;
    char notes[2048];
    double v[PDH_MAX_COUNTERS];
    struct err e;
    int n = 0, i, rc;
    err_clear(&e);
    while (pdh_default_paths[n] != NULL)
        n++;
    rc = pdh_open(&s, pdh_default_paths, n, notes, sizeof(notes), &e);
    CHECK(rc == 0, "pdh_open over the %d default counters %s", n, e.msg);
    if (rc < 0)
        return;
    printf("      opened %d, skipped: %s\n", pdh_count(s), notes[0] ? notes : "none");
    CHECK(pdh_count(s) <= n, "missing counters are skipped, not errors");
    plat_sleep_ms(200);
    CHECK(pdh_sample(s, v, &e) == 0, "pdh_sample %s", e.msg);
    for (i = 0; i < pdh_count(s); i++)
        printf("      %s = %g\n", pdh_path(s, i), v[i]);
    pdh_close(s);
    {
        uint32_t pids[8];
        double vals[8];
        int k = -1;
        rc = pdh_process_counter("vmmem", "Working Set - Private", pids, vals, 8, &k, &e);
        CHECK(rc == 0 || e.msg[0] != '\0', "pdh_process_counter(vmmem): %d instance(s) %s", k, rc < 0 ? e.msg : "");
    }
}

static void test_hcs_probe(void)
{
    const struct driver *d = driver_find("hcs");
    struct err e;
    int rc;
    err_clear(&e);
    CHECK(d != NULL && d->unavailable_reason == NULL, "hcs is compiled in on Windows");
    if (d == NULL)
        return;
    rc = d->probe(NULL, &e);
    if (rc == 0) {
        SKIP("hcs probe succeeded: this host has the Host Compute Service (unavailable-path check not applicable)");
    } else {
        CHECK(strstr(e.msg, "computecore.dll") != NULL || strstr(e.msg, "HcsEnumerateComputeSystems") != NULL,
              "hcs probe says why it is unavailable: %s", e.msg);
    }
    CHECK(GetModuleHandleW(L"computecore.dll") == NULL || rc == 0,
          "isobench.exe does not import computecore.dll (loaded only on demand)");
}

/* The host side of Hyper-V isolation (hcs_host_win.c, hcs_v1_win.c): the
   privileges, the build, vmcompute.dll's schema-1 API, the vmmem lookup and
   PDH's per-process pairing against this very process. */
static void test_hcs_host(void)
{
    char notes[512];
    struct hcs_vmmem vm = { NULL, 0 };
    struct err e;
    unsigned build = hcs_windows_build();
    int rc;
    err_clear(&e);
    rc = hcs_enable_privileges(notes, sizeof(notes), &e);
    CHECK(rc == 0 || strstr(e.msg, "Privilege") != NULL, "privileges: %s%s%s", rc == 0 ? "enabled" : e.msg,
          notes[0] ? "; not enabled: " : "", notes);
    CHECK(build > 0, "Windows build %u (format handle: %s)", build,
          hcs_format_wants_file_handle(build) ? "file" : "virtual disk");
    rc = hcs_v1_load(&e);
    if (rc == 0)
        SKIP("vmcompute.dll has the schema-1 API here (absent-path check not applicable)");
    else
        CHECK(strstr(e.msg, "vmcompute.dll") != NULL, "schema 1 unavailable says why: %s", e.msg);
    rc = hcs_vmmem_find(&vm, "0F3C2C5B-8E5A-4C4B-9B0E-2F7A1D2C3B4A", &e);
    CHECK(rc < 0 && strstr(e.msg, "vmmem") != NULL, "a utility VM that does not exist has no vmmem: %s", e.msg);
    CHECK(hcs_vmmem_find(&vm, "", &e) < 0 && strstr(e.msg, "RuntimeId") != NULL, "no RuntimeId: %s", e.msg);
    {
        uint32_t pids[16];
        double vals[16];
        int n = 0, i, found = 0;
        rc = pdh_process_counter("test_win", "Working Set - Private", pids, vals, 16, &n, &e);
        for (i = 0; i < n; i++)
            found |= pids[i] == GetCurrentProcessId() && vals[i] > 0;
        if (rc == 0 && n > 0)
            CHECK(found, "PDH pairs this process's PID %lu with its private working set (%d instance(s))",
                  (unsigned long)GetCurrentProcessId(), n);
        else
            SKIP("PDH lists no \\Process(test_win*) instances here (%s)", rc < 0 ? e.msg : "none");
    }
}

/* Layer GUIDs HCS derived, as logged by hcsshim's NameToGuid in public issues
   (moby/moby#38000, microsoft/hcsshim#1072). */
static void test_name_to_guid(void)
{
    typedef HRESULT(WINAPI * name_to_guid_fn)(PCWSTR, GUID *);
    static const struct {
        const wchar_t *name;
        const char *guid;
    } known[] = {
        { L"4", "bd9c3ef9-f239-59b5-a27e-15c523b1d149" },
        { L"ecca0170f401bd3132a4b0fa72abea915e0f6ef94003dff5c00e6d3f93fc149b", "010df3e1-7918-5616-b7ed-f330ad22e0d8" },
        { L"7be5fa817a7ea239fa1b0e1a18f4587794dc8a043761eb25b7659026a9bdf0f1", "44ee543c-e9f7-5ac3-a463-d6dc23dde7ce" },
    };
    HMODULE m = LoadLibraryExW(L"vmcompute.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    name_to_guid_fn fn = NULL;
    size_t i;
    if (m != NULL) {
        FARPROC p = GetProcAddress(m, "NameToGuid");
        memcpy(&fn, &p, sizeof(p));
    }
    if (fn == NULL) {
        SKIP("NameToGuid: vmcompute.dll is absent here (wine / no Containers feature)");
        return;
    }
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        GUID g;
        char s[40];
        fn(known[i].name, &g);
        snprintf(s, sizeof(s), "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned long)g.Data1, g.Data2,
                 g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6],
                 g.Data4[7]);
        CHECK(strcmp(s, known[i].guid) == 0, "NameToGuid %ls = %s", known[i].name, s);
    }
}

static void test_hcs_doc(void)
{
    static const struct hcs_layer layers[] = { { "6ba9cac1-7086-5ee9-a197-c465d3f50ad7", "C:\\layers\\base" } };
    struct hcs_container_spec cs;
    struct hcs_stats st;
    struct err e;
    char msg[512], *s;
    cJSON *d;
    err_clear(&e);
    memset(&cs, 0, sizeof(cs));
    cs.layers = layers;
    cs.nlayers = 1;
    cs.scratch_path = "\\\\?\\Volume{baac0fd5-16b7-405b-9621-112aa8e3d973}\\";
    cs.memory_mb = 256;
    d = hcs_doc_process_container(&cs);
    s = cJSON_PrintUnformatted(d);
    CHECK(s != NULL && strstr(s, "\"Storage\":{\"Layers\":[{\"Id\":\"6ba9cac1-7086-5ee9-a197-c465d3f50ad7\",\"Path\":\"C:\\\\layers\\\\base\"}]") != NULL,
          "process-isolation document: %.120s...", s ? s : "(null)");
    free(s);
    cJSON_Delete(d);
    CHECK(hcs_stats_parse("{\"Statistics\":{\"Processor\":{\"TotalRuntime100ns\":31250000},"
                          "\"Memory\":{\"MemoryUsagePrivateWorkingSetBytes\":41943040}}}",
                          &st, &e) == 0 &&
              st.cpu_ns == 3125000000LL && st.mem_private_ws_bytes == 41943040 && st.mem_commit_bytes == -1,
          "statistics: cpu_ns %lld, private ws %lld, commit %lld", (long long)st.cpu_ns,
          (long long)st.mem_private_ws_bytes, (long long)st.mem_commit_bytes);
    {
        char sys[256];
        win_error_text(0x80070005, sys, sizeof(sys));
        hcs_error_format(0x80370101, "{\"Error\":-2143878911,\"ErrorMessage\":\"The container operating system does not match the host operating system.\"}",
                         sys, msg, sizeof(msg));
        CHECK(strncmp(msg, "HCS_E_IMAGE_MISMATCH (0x80370101", 32) == 0 && strstr(msg, "does not match the host operating system") != NULL,
              "error text: %s", msg);
        CHECK(sys[0] != '\0', "FormatMessage text for E_ACCESSDENIED: %s", sys);
    }
}

static void test_typeperf(const char *tmp)
{
    const char *text = "\"(PDH-CSV 4.0) (Pacific Standard Time)(480)\",\"\\\\HV1\\Memory\\Available MBytes\",\"\\\\HV1\\Process(vmmem)\\Working Set - Private\"\r\n"
                       "\"01/15/2026 08:00:00.000\",\"2048\",\"268435456\"\r\n"
                       "\"01/15/2026 08:00:01.000\",\"2040\",\" \"\r\n";
    struct typeperf_log log;
    struct typeperf_import_result res;
    struct err e;
    char run[MAX_PATH * 3 + 32], path[MAX_PATH * 3 + 64];
    int rc;
    err_clear(&e);
    rc = typeperf_parse(text, strlen(text), "pst.csv", &log, &e);
    CHECK(rc == 0 && log.nrows == 2 && log.utc_offset_min == 480 && strcmp(log.host, "HV1") == 0,
          "typeperf parse on Windows %s", e.msg);
    if (rc < 0)
        return;
    snprintf(run, sizeof(run), "%s\\run", tmp);
    CHECK(typeperf_import(&log, "pst.csv", run, "hyperv", &res, &e) == 0 && res.samples == 3 && res.created,
          "typeperf import into %s: %zu samples %s", run, res.samples, e.msg);
    snprintf(path, sizeof(path), "%s\\samples.csv", run);
    CHECK(plat_exists(path), "samples.csv written");
    snprintf(path, sizeof(path), "%s\\run.json", run);
    CHECK(plat_exists(path), "run.json written");
    typeperf_free(&log);
}

static void remove_tree(const char *dir)
{
    wchar_t *w = win_wide(dir);
    wchar_t pat[MAX_PATH * 2];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    if (w == NULL)
        return;
    _snwprintf(pat, MAX_PATH * 2, L"%ls\\*", w);
    pat[MAX_PATH * 2 - 1] = 0;
    h = FindFirstFileW(pat, &fd);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            char sub[MAX_PATH * 3], name[MAX_PATH * 3];
            if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
                continue;
            win_utf8(fd.cFileName, name, sizeof(name));
            snprintf(sub, sizeof(sub), "%s\\%s", dir, name);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                remove_tree(sub);
            } else {
                wchar_t *ws = win_wide(sub);
                if (ws != NULL)
                    DeleteFileW(ws);
                free(ws);
            }
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    RemoveDirectoryW(w);
    free(w);
}

int main(int argc, char **argv)
{
    char tmp[MAX_PATH * 3];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 2 && strcmp(argv[1], "--child") == 0) {
        int i;
        printf("noise before the marker\n");
        printf(MARKER_READY " argc=%d", argc);
        for (i = 2; i < argc; i++)
            printf(" [%s]", argv[i]);
        printf("\n");
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--child-silent") == 0) {
        Sleep(5000);
        return 0;
    }
    test_clock();
    test_dirs(tmp, sizeof(tmp));
    test_run_marker();
    test_wait_line();
    test_payload();
    test_host();
    test_pdh();
    test_hcs_probe();
    test_hcs_host();
    test_name_to_guid();
    test_hcs_doc();
    test_typeperf(tmp);
    remove_tree(tmp);
    CHECK(!plat_exists(tmp), "test directory removed");
    printf("%d skipped\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
