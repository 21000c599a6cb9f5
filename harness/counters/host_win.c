/*
 * host_win.c - host facts and host-wide counters on Windows: physical memory
 * from GlobalMemoryStatusEx, CPU busy time from GetSystemTimes (kernel time
 * includes idle time), the OS build from RtlGetVersion (GetVersionEx lies to
 * unmanifested programs), the product name, build revision and CPU model from
 * the registry, the host name from GetComputerNameExW.
 */
#include "../plat.h"
#include "../plat_win.h"

#include <stdio.h>
#include <string.h>

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

static void reg_string(HKEY root, const wchar_t *key, const wchar_t *name, char *out, size_t n)
{
    wchar_t buf[256];
    DWORD size = sizeof(buf);
    if (RegGetValueW(root, key, name, RRF_RT_REG_SZ, NULL, buf, &size) == ERROR_SUCCESS) {
        char tmp[256];
        char *p = tmp, *end;
        win_utf8(buf, tmp, sizeof(tmp));
        while (*p == ' ')
            p++;
        end = p + strlen(p);
        while (end > p && end[-1] == ' ')
            *--end = '\0';
        snprintf(out, n, "%s", p);
    }
}

static DWORD reg_dword(HKEY root, const wchar_t *key, const wchar_t *name)
{
    DWORD v = 0, size = sizeof(v);
    if (RegGetValueW(root, key, name, RRF_RT_REG_DWORD, NULL, &v, &size) != ERROR_SUCCESS)
        return 0;
    return v;
}

int host_facts_get(struct host_facts *h, struct err *e)
{
    static const wchar_t *cv = L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
    wchar_t name[128];
    DWORD len = sizeof(name) / sizeof(name[0]);
    OSVERSIONINFOW vi;
    SYSTEM_INFO si;
    struct host_sample s;
    char product[128] = "Windows";
    rtl_get_version_fn rtl_get_version;
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");

    memset(h, 0, sizeof(*h));
    if (GetComputerNameExW(ComputerNameDnsHostname, name, &len) ||
        (len = sizeof(name) / sizeof(name[0]), GetComputerNameW(name, &len)))
        win_utf8(name, h->hostname, sizeof(h->hostname));
    else
        snprintf(h->hostname, sizeof(h->hostname), "unknown");

    memset(&vi, 0, sizeof(vi));
    vi.dwOSVersionInfoSize = sizeof(vi);
    rtl_get_version = ntdll ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    if (rtl_get_version == NULL || rtl_get_version(&vi) != 0)
        return err_set(e, 0, "RtlGetVersion unavailable");
    reg_string(HKEY_LOCAL_MACHINE, cv, L"ProductName", product, sizeof(product));
    snprintf(h->os, sizeof(h->os), "%s %lu.%lu.%lu", product, (unsigned long)vi.dwMajorVersion,
             (unsigned long)vi.dwMinorVersion, (unsigned long)vi.dwBuildNumber);
    snprintf(h->kernel, sizeof(h->kernel), "%lu.%lu.%lu.%lu", (unsigned long)vi.dwMajorVersion,
             (unsigned long)vi.dwMinorVersion, (unsigned long)vi.dwBuildNumber,
             (unsigned long)reg_dword(HKEY_LOCAL_MACHINE, cv, L"UBR"));

    GetNativeSystemInfo(&si);
    switch (si.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_AMD64: snprintf(h->arch, sizeof(h->arch), "x86_64"); break;
    case PROCESSOR_ARCHITECTURE_ARM64: snprintf(h->arch, sizeof(h->arch), "aarch64"); break;
    case PROCESSOR_ARCHITECTURE_INTEL: snprintf(h->arch, sizeof(h->arch), "i686"); break;
    default: snprintf(h->arch, sizeof(h->arch), "unknown"); break;
    }
    snprintf(h->cpu_model, sizeof(h->cpu_model), "unknown");
    reg_string(HKEY_LOCAL_MACHINE, L"HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0",
               L"ProcessorNameString", h->cpu_model, sizeof(h->cpu_model));
    h->cores = (int)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    if (h->cores <= 0)
        h->cores = (int)si.dwNumberOfProcessors;
    if (host_sample_get(&s, e) < 0)
        return -1;
    h->mem_total_bytes = s.mem_total_bytes;
    snprintf(h->cgroup, sizeof(h->cgroup), "none");
    return 0;
}

static uint64_t ft64(FILETIME ft)
{
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

int host_sample_get(struct host_sample *s, struct err *e)
{
    MEMORYSTATUSEX ms;
    FILETIME idle, kernel, user;

    memset(s, 0, sizeof(*s));
    s->t_ns = plat_now_ns();
    ms.dwLength = sizeof(ms);
    if (!GlobalMemoryStatusEx(&ms))
        return err_win(e, GetLastError(), "GlobalMemoryStatusEx");
    s->mem_total_bytes = (int64_t)ms.ullTotalPhys;
    s->mem_available_bytes = (int64_t)ms.ullAvailPhys;
    if (!GetSystemTimes(&idle, &kernel, &user))
        return err_win(e, GetLastError(), "GetSystemTimes");
    /* 100 ns units summed over all processors; kernel time includes idle */
    s->cpu_total_ticks = ft64(kernel) + ft64(user);
    s->cpu_busy_ticks = s->cpu_total_ticks - ft64(idle);
    return 0;
}

double host_cpu_busy_pct(const struct host_sample *a, const struct host_sample *b)
{
    uint64_t total = b->cpu_total_ticks - a->cpu_total_ticks;
    uint64_t busy = b->cpu_busy_ticks - a->cpu_busy_ticks;
    if (b->cpu_total_ticks <= a->cpu_total_ticks)
        return 0.0;
    return 100.0 * (double)busy / (double)total;
}
