/*
 * hcs_v1_win.c - Hyper-V isolated containers the way dockerd makes them
 * (Windows only): one schema-1 Container document with HvPartition
 * (hcs_doc_v1_hyperv) handed to vmcompute.dll's original HCS API, which
 * builds and boots the utility VM itself and talks to the guest on its own.
 * This is the path that works on Windows Server 2022 without the
 * HCS-managed guest connection that the schema-2 path needs.
 *
 * The v1 calls answer synchronously or with HCS_E_OPERATION_PENDING
 * (0xC0370103); a pending call completes with a notification delivered to a
 * callback registered on the compute system (SystemCreateCompleted 2,
 * SystemStartCompleted 3, SystemExited 1; ServiceDisconnect 0x01000000 ends
 * every wait), as hcsshim's internal/hcs/callback.go and waithelper.go do.
 * Result documents are freed with CoTaskMemFree (hcsshim's interop).
 */
#include "hcs_doc.h"
#include "hcs_win.h"
#include "../plat_win.h"

#include <computedefs.h>
#include <stddef.h>
#include <errno.h>
#include <objbase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V1_PENDING ((HRESULT)0xC0370103u)
#define V1_SYSTEM_EXITED 1u
#define V1_CREATE_COMPLETED 2u
#define V1_START_COMPLETED 3u
#define V1_SERVICE_DISCONNECT 0x01000000u
#define V1_NOTIFY_SLOTS 16

typedef void(CALLBACK *v1_callback)(DWORD type, void *ctx, HRESULT status, PCWSTR data);
typedef HRESULT(WINAPI *fn_v1_create)(PCWSTR, PCWSTR, HANDLE, HCS_SYSTEM *, PWSTR *);
typedef HRESULT(WINAPI *fn_v1_system_op)(HCS_SYSTEM, PCWSTR, PWSTR *);
typedef HRESULT(WINAPI *fn_v1_props)(HCS_SYSTEM, PCWSTR, PWSTR *, PWSTR *);
typedef HRESULT(WINAPI *fn_v1_create_process)(HCS_SYSTEM, PCWSTR, HCS_PROCESS_INFORMATION *, HCS_PROCESS *, PWSTR *);
typedef HRESULT(WINAPI *fn_v1_close_process)(HCS_PROCESS);
typedef HRESULT(WINAPI *fn_v1_close_system)(HCS_SYSTEM);
typedef HRESULT(WINAPI *fn_v1_register)(HCS_SYSTEM, v1_callback, void *, HANDLE *);
typedef HRESULT(WINAPI *fn_v1_unregister)(HANDLE);

struct v1_api {
    int loaded; /* 1 ok, -1 failed */
    char why[256];
    fn_v1_create Create;
    fn_v1_system_op Start, Terminate;
    fn_v1_props Properties;
    fn_v1_create_process CreateProcess;
    fn_v1_close_process CloseProcess;
    fn_v1_close_system CloseSystem;
    fn_v1_register Register;
    fn_v1_unregister Unregister;
};
static struct v1_api v1;
static SRWLOCK v1_lock = SRWLOCK_INIT;

struct hcs_v1_system {
    HCS_SYSTEM h;
    HANDLE cb;
    HCS_PROCESS proc;
    CRITICAL_SECTION cs;
    CONDITION_VARIABLE cv;
    int seen[V1_NOTIFY_SLOTS];
    HRESULT status[V1_NOTIFY_SLOTS];
    char *data[V1_NOTIFY_SLOTS];
    int disconnected;
};

int hcs_v1_load(struct err *e)
{
    static const struct {
        const char *sym;
        size_t off;
    } syms[] = {
        { "HcsCreateComputeSystem", offsetof(struct v1_api, Create) },
        { "HcsStartComputeSystem", offsetof(struct v1_api, Start) },
        { "HcsTerminateComputeSystem", offsetof(struct v1_api, Terminate) },
        { "HcsGetComputeSystemProperties", offsetof(struct v1_api, Properties) },
        { "HcsCreateProcess", offsetof(struct v1_api, CreateProcess) },
        { "HcsCloseProcess", offsetof(struct v1_api, CloseProcess) },
        { "HcsCloseComputeSystem", offsetof(struct v1_api, CloseSystem) },
        { "HcsRegisterComputeSystemCallback", offsetof(struct v1_api, Register) },
        { "HcsUnregisterComputeSystemCallback", offsetof(struct v1_api, Unregister) },
    };
    HMODULE m;
    size_t i;
    AcquireSRWLockExclusive(&v1_lock);
    if (v1.loaded != 0)
        goto done;
    m = LoadLibraryExW(L"vmcompute.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (m == NULL) {
        char t[160];
        win_error_text(GetLastError(), t, sizeof(t));
        snprintf(v1.why, sizeof(v1.why), "vmcompute.dll not loadable (%s)", t);
        v1.loaded = -1;
        goto done;
    }
    for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        FARPROC p = GetProcAddress(m, syms[i].sym);
        if (p == NULL) {
            snprintf(v1.why, sizeof(v1.why), "vmcompute.dll has no %s", syms[i].sym);
            v1.loaded = -1;
            goto done;
        }
        memcpy((char *)&v1 + syms[i].off, &p, sizeof(p));
    }
    v1.loaded = 1;
done:
    ReleaseSRWLockExclusive(&v1_lock);
    if (v1.loaded < 0)
        return err_set(e, ENOSYS, "hcs (schema 1): %s", v1.why);
    return 0;
}

static void v1_free(PWSTR s)
{
    if (s != NULL)
        CoTaskMemFree(s);
}

static void CALLBACK v1_notify(DWORD type, void *ctx, HRESULT status, PCWSTR data)
{
    struct hcs_v1_system *s = ctx;
    EnterCriticalSection(&s->cs);
    if (type == V1_SERVICE_DISCONNECT) {
        s->disconnected = 1;
    } else if (type < V1_NOTIFY_SLOTS) {
        s->seen[type] = 1;
        s->status[type] = status;
        free(s->data[type]);
        s->data[type] = data != NULL ? win_utf8_dup(data) : NULL;
    }
    LeaveCriticalSection(&s->cs);
    WakeAllConditionVariable(&s->cv);
}

/* The outcome of a call: synchronous, or pending until notification `want`. */
static int v1_finish(struct hcs_v1_system *s, HRESULT hr, PWSTR result, DWORD want, int timeout_ms, const char *what,
                     struct err *e)
{
    ULONGLONG deadline = GetTickCount64() + (ULONGLONG)timeout_ms;
    int rc = 0;
    if (hr != V1_PENDING) {
        if (FAILED(hr))
            rc = hcs_fail(e, hr, result, "%s", what);
        v1_free(result);
        return rc;
    }
    v1_free(result);
    EnterCriticalSection(&s->cs);
    for (;;) {
        ULONGLONG now = GetTickCount64();
        if (s->seen[want]) {
            HRESULT st = s->status[want];
            s->seen[want] = 0;
            if (FAILED(st)) {
                wchar_t *w = s->data[want] != NULL ? win_wide(s->data[want]) : NULL;
                rc = hcs_fail(e, st, w, "%s", what);
                free(w);
            }
            break;
        }
        if (want != V1_SYSTEM_EXITED && s->seen[V1_SYSTEM_EXITED]) {
            rc = err_set(e, EIO, "%s: the compute system exited while waiting", what);
            break;
        }
        if (s->disconnected) {
            rc = err_set(e, EIO, "%s: the Host Compute Service disconnected", what);
            break;
        }
        if (now >= deadline) {
            rc = err_set(e, ETIMEDOUT, "%s: no completion within %d ms", what, timeout_ms);
            break;
        }
        SleepConditionVariableCS(&s->cv, &s->cs, (DWORD)(deadline - now));
    }
    LeaveCriticalSection(&s->cs);
    return rc;
}

int hcs_v1_create_start(const char *id, const char *doc, int timeout_ms, struct hcs_v1_system **out, struct err *e)
{
    struct hcs_v1_system *s;
    wchar_t *wid = NULL, *wdoc = NULL;
    PWSTR result = NULL;
    HRESULT hr;
    char what[192];

    *out = NULL;
    if (hcs_v1_load(e) < 0)
        return -1;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return err_set(e, ENOMEM, "hcs (schema 1) %s: out of memory", id);
    InitializeCriticalSection(&s->cs);
    InitializeConditionVariable(&s->cv);
    *out = s;
    wid = win_wide(id);
    wdoc = win_wide(doc);
    if (wid == NULL || wdoc == NULL) {
        free(wid);
        free(wdoc);
        return err_set(e, ENOMEM, "hcs (schema 1) %s: out of memory", id);
    }
    hr = v1.Create(wid, wdoc, NULL, &s->h, &result);
    free(wid);
    free(wdoc);
    snprintf(what, sizeof(what), "HcsCreateComputeSystem (schema 1, vmcompute.dll) %s", id);
    if (hr != V1_PENDING && FAILED(hr)) {
        int rc = hcs_fail(e, hr, result, "%s", what);
        v1_free(result);
        return rc;
    }
    if (s->h != NULL && FAILED(v1.Register(s->h, v1_notify, s, &s->cb))) {
        v1_free(result);
        return err_set(e, EIO, "%s: HcsRegisterComputeSystemCallback failed", what);
    }
    if (v1_finish(s, hr, result, V1_CREATE_COMPLETED, timeout_ms, what, e) < 0)
        return -1;
    result = NULL;
    hr = v1.Start(s->h, NULL, &result);
    snprintf(what, sizeof(what), "HcsStartComputeSystem (schema 1) %s", id);
    return v1_finish(s, hr, result, V1_START_COMPLETED, timeout_ms, what, e);
}

int hcs_v1_create_process(struct hcs_v1_system *s, const char *params, HANDLE *out_pipe, struct err *e)
{
    HCS_PROCESS_INFORMATION pi;
    wchar_t *w = win_wide(params);
    PWSTR result = NULL;
    HRESULT hr;
    *out_pipe = INVALID_HANDLE_VALUE;
    if (w == NULL)
        return err_set(e, ENOMEM, "HcsCreateProcess (schema 1): out of memory");
    memset(&pi, 0, sizeof(pi));
    hr = v1.CreateProcess(s->h, w, &pi, &s->proc, &result);
    free(w);
    if (FAILED(hr)) {
        int rc = hcs_fail(e, hr, result, "HcsCreateProcess (schema 1)");
        v1_free(result);
        return rc;
    }
    v1_free(result);
    if (pi.StdOutput == NULL || pi.StdOutput == INVALID_HANDLE_VALUE)
        return err_set(e, EIO, "HcsCreateProcess (schema 1): no stdout pipe came back");
    *out_pipe = pi.StdOutput;
    return 0;
}

int hcs_v1_properties(struct hcs_v1_system *s, const char *query, char **out, struct err *e)
{
    wchar_t *w = win_wide(query);
    PWSTR props = NULL, result = NULL;
    HRESULT hr;
    *out = NULL;
    if (w == NULL)
        return err_set(e, ENOMEM, "HcsGetComputeSystemProperties (schema 1): out of memory");
    hr = v1.Properties(s->h, w, &props, &result);
    free(w);
    if (FAILED(hr)) {
        int rc = hcs_fail(e, hr, result, "HcsGetComputeSystemProperties (schema 1)");
        v1_free(props);
        v1_free(result);
        return rc;
    }
    if (props != NULL)
        *out = win_utf8_dup(props);
    v1_free(props);
    v1_free(result);
    if (*out == NULL)
        return err_set(e, EIO, "HcsGetComputeSystemProperties (schema 1): empty answer");
    return 0;
}

int hcs_v1_terminate(struct hcs_v1_system *s, int timeout_ms, struct err *e)
{
    PWSTR result = NULL;
    HRESULT hr;
    if (s == NULL || s->h == NULL)
        return 0;
    EnterCriticalSection(&s->cs);
    if (s->seen[V1_SYSTEM_EXITED]) {
        LeaveCriticalSection(&s->cs);
        return 0;
    }
    LeaveCriticalSection(&s->cs);
    hr = v1.Terminate(s->h, NULL, &result);
    if ((uint32_t)hr == HCS_E_SYSTEM_ALREADY_STOPPED || (uint32_t)hr == (HCS_E_SYSTEM_ALREADY_STOPPED | 0x40000000u)) {
        v1_free(result);
        return 0;
    }
    return v1_finish(s, hr, result, V1_SYSTEM_EXITED, timeout_ms, "HcsTerminateComputeSystem (schema 1)", e);
}

void hcs_v1_close(struct hcs_v1_system *s)
{
    int i;
    if (s == NULL)
        return;
    if (s->proc != NULL)
        v1.CloseProcess(s->proc);
    if (s->cb != NULL)
        v1.Unregister(s->cb); /* no callback runs after this returns */
    if (s->h != NULL)
        v1.CloseSystem(s->h);
    for (i = 0; i < V1_NOTIFY_SLOTS; i++)
        free(s->data[i]);
    DeleteCriticalSection(&s->cs);
    free(s);
}
