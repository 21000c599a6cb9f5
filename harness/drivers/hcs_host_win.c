/*
 * hcs_host_win.c - the host side of the `hcs` driver (Windows only): the
 * privileges isobench enables before it touches layers and disks, the
 * Windows build number (HcsFormatWritableLayerVhd changed its handle type
 * after WS2019), and the utility VM's vmmem process, whose private working
 * set, commit and CPU time are what a Hyper-V container costs the host.
 *
 * The vmmem process is found once per utility VM: among the processes PDH
 * lists as \Process(vmmem*), the one whose token user is
 * NT VIRTUAL MACHINE\<RuntimeId> (hcsshim internal/uvm/stats.go). PDH's
 * per-process arrays are paired by instance occurrence (pdh_pair_instances),
 * never by name, because duplicate processes share a name.
 */
#include "hcs_doc.h"
#include "hcs_win.h"
#include "../plat_win.h"
#include "../counters/pdh_sampler.h"

#include <errno.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static SRWLOCK priv_lock = SRWLOCK_INIT;
static int priv_done;          /* 1 ok, -1 a required one failed */
static char priv_notes[512];
static struct err priv_err;

/* Enable one privilege; 0, or the Win32 error (ERROR_NOT_ALL_ASSIGNED when
   the token does not hold it: not an administrator). */
static DWORD enable_one(HANDLE tok, const char *name)
{
    TOKEN_PRIVILEGES tp;
    wchar_t *w = win_wide(name);
    LUID luid;
    BOOL ok;
    if (w == NULL)
        return ERROR_OUTOFMEMORY;
    ok = LookupPrivilegeValueW(NULL, w, &luid);
    free(w);
    if (!ok)
        return GetLastError();
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Luid = luid;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    if (!AdjustTokenPrivileges(tok, FALSE, &tp, sizeof(tp), NULL, NULL))
        return GetLastError();
    /* success with ERROR_NOT_ALL_ASSIGNED: the token lacks it */
    return GetLastError();
}

int hcs_enable_privileges(char *notes, size_t n, struct err *e)
{
    HANDLE tok = NULL;
    int i;

    AcquireSRWLockExclusive(&priv_lock);
    if (priv_done != 0)
        goto done;
    err_clear(&priv_err);
    priv_notes[0] = '\0';
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &tok)) {
        err_win(&priv_err, GetLastError(), "hcs: OpenProcessToken (enabling %s)", hcs_privileges[0].name);
        priv_done = -1;
        goto done;
    }
    priv_done = 1;
    for (i = 0; i < hcs_nprivileges; i++) {
        DWORD rc = enable_one(tok, hcs_privileges[i].name);
        char text[160];
        size_t len;
        if (rc == ERROR_SUCCESS)
            continue;
        if (rc == ERROR_NOT_ALL_ASSIGNED)
            snprintf(text, sizeof(text), "not held by this process (run from an elevated prompt as Administrator)");
        else
            win_error_text(rc, text, sizeof(text));
        if (hcs_privileges[i].required) {
            if (priv_done > 0)
                err_set(&priv_err, EPERM, "hcs: %s cannot be enabled: %s; it is needed for %s", hcs_privileges[i].name,
                        text, hcs_privileges[i].why);
            priv_done = -1;
        }
        len = strlen(priv_notes);
        if (len < sizeof(priv_notes))
            snprintf(priv_notes + len, sizeof(priv_notes) - len, "%s%s: %s", len ? "; " : "", hcs_privileges[i].name,
                     text);
    }
    CloseHandle(tok);
done:
    if (n > 0)
        snprintf(notes, n, "%s", priv_notes);
    if (priv_done < 0 && e != NULL)
        *e = priv_err;
    i = priv_done;
    ReleaseSRWLockExclusive(&priv_lock);
    return i < 0 ? -1 : 0;
}

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

unsigned hcs_windows_build(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    rtl_get_version_fn fn = ntdll ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    OSVERSIONINFOW vi;
    memset(&vi, 0, sizeof(vi));
    vi.dwOSVersionInfoSize = sizeof(vi);
    if (fn == NULL || fn(&vi) != 0)
        return 0;
    return (unsigned)vi.dwBuildNumber;
}

/* Is pid a vmmem process running as NT VIRTUAL MACHINE\<runtime_id>? The
   handle stays open when it is. */
static HANDLE vmmem_check(DWORD pid, const char *runtime_id, DWORD *why)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid);
    HANDLE tok = NULL;
    union {
        TOKEN_USER tu;
        char buf[512];
    } u;
    wchar_t name[128], domain[128];
    DWORD len = 0, nn = 128, dn = 128;
    SID_NAME_USE use;
    int match = 0;
    if (h == NULL) {
        *why = GetLastError();
        return NULL;
    }
    if (OpenProcessToken(h, TOKEN_QUERY, &tok) && GetTokenInformation(tok, TokenUser, u.buf, sizeof(u.buf), &len) &&
        LookupAccountSidW(NULL, u.tu.User.Sid, name, &nn, domain, &dn, &use)) {
        char n8[128], d8[128];
        win_utf8(name, n8, sizeof(n8));
        win_utf8(domain, d8, sizeof(d8));
        match = hcs_vmmem_account_match(d8, n8, runtime_id);
    } else {
        *why = GetLastError();
    }
    if (tok != NULL)
        CloseHandle(tok);
    if (!match) {
        CloseHandle(h);
        return NULL;
    }
    return h;
}

int hcs_vmmem_find(struct hcs_vmmem *v, const char *runtime_id, struct err *e)
{
    uint32_t pids[64];
    double vals[64];
    int n = 0, i, opened_none = 1;
    DWORD why = 0;

    if (v->h != NULL)
        return 0;
    if (runtime_id == NULL || runtime_id[0] == '\0')
        return err_set(e, ENOENT, "vmmem: the utility VM reported no RuntimeId");
    if (pdh_process_counter("vmmem", "Working Set - Private", pids, vals, 64, &n, e) < 0)
        return err_wrap(e, "vmmem of NT VIRTUAL MACHINE\\%s", runtime_id);
    for (i = 0; i < n; i++) {
        DWORD w = 0;
        HANDLE h = vmmem_check(pids[i], runtime_id, &w);
        if (w == 0)
            opened_none = 0;
        else
            why = w;
        if (h != NULL) {
            v->h = h;
            v->pid = pids[i];
            return 0;
        }
    }
    if (n == 0)
        return err_set(e, ENOENT, "vmmem: PDH lists no vmmem process (is the utility VM physically backed?)");
    if (opened_none && why != 0) {
        char t[160];
        win_error_text(why, t, sizeof(t));
        return err_set(e, EACCES, "vmmem: none of %d vmmem processes could be opened (%s; SeDebugPrivilege enabled?)",
                       n, t);
    }
    return err_set(e, ENOENT, "vmmem: none of %d vmmem processes runs as NT VIRTUAL MACHINE\\%s", n, runtime_id);
}

void hcs_vmmem_read(const struct hcs_vmmem *v, int64_t *private_ws, int64_t *commit, int64_t *cpu_ns)
{
    PROCESS_MEMORY_COUNTERS_EX pm;
    FILETIME c, x, k, u;
    uint32_t pids[64];
    double vals[64];
    int n = 0, i;
    struct err e;

    *private_ws = *commit = *cpu_ns = -1;
    if (v->h == NULL)
        return;
    if (pdh_process_counter("vmmem", "Working Set - Private", pids, vals, 64, &n, &e) == 0)
        for (i = 0; i < n; i++)
            if (pids[i] == v->pid)
                *private_ws = (int64_t)vals[i];
    memset(&pm, 0, sizeof(pm));
    pm.cb = sizeof(pm);
    if (GetProcessMemoryInfo(v->h, (PROCESS_MEMORY_COUNTERS *)&pm, sizeof(pm)))
        *commit = (int64_t)pm.PrivateUsage;
    if (GetProcessTimes(v->h, &c, &x, &k, &u)) {
        uint64_t kt = ((uint64_t)k.dwHighDateTime << 32) | k.dwLowDateTime;
        uint64_t ut = ((uint64_t)u.dwHighDateTime << 32) | u.dwLowDateTime;
        *cpu_ns = (int64_t)((kt + ut) * 100);
    }
}

void hcs_vmmem_close(struct hcs_vmmem *v)
{
    if (v->h != NULL)
        CloseHandle(v->h);
    v->h = NULL;
    v->pid = 0;
}
