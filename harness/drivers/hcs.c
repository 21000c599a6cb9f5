/*
 * hcs.c - the `hcs` driver: Windows containers straight through the Host
 * Compute Service (computecore.dll), without Docker.
 *
 * Two isolation modes, chosen by the mode option "isolation":
 *   process  a Container compute system: a server silo sharing the host
 *            kernel, its image a chain of windowsfilter layer folders, its
 *            writable layer a per-container scratch VHDX prepared with
 *            computestorage.dll (hcs-notes 1a and 4);
 *   hyperv   a utility VM booted from the base layer's UtilityVM folder, the
 *            layers given to it over VSMB, the scratch VHDX over SCSI, and the
 *            container hosted inside it (hcs-notes 1b; unverified in public
 *            code since hcsshim dropped the HCS-managed guest connection).
 * Every HCS call is asynchronous: one operation per call, always waited for
 * with the mode's timeout, cancelled on timeout; failures become messages with
 * the HRESULT's name and the service's own error document (hcs_doc.c).
 *
 * computecore.dll, computestorage.dll, vmcompute.dll and virtdisk.dll are
 * loaded at run time, so isobench.exe runs where HCS is absent (wine, Windows
 * without the Containers feature) and `probe` says exactly which DLL or
 * entry point is missing. Counters come from the Statistics property (CPU,
 * commit, private working set, I/O), the scratch VHDX size on disk, and for
 * Hyper-V isolation the utility VM's vmmem process (PDH).
 *
 * On other platforms the driver registers with its unavailable_reason.
 */
#include "../driver.h"
#include "../scenario.h"
#include "hcs_doc.h"

#include <errno.h>
#include <string.h>

#ifndef _WIN32

static const char hcs_reason[] = "hcs: needs Windows (Host Compute Service, computecore.dll)";

static int hcs_unavailable(const struct mode *m, struct err *e)
{
    (void)m;
    return err_set(e, ENOSYS, "%s", hcs_reason);
}

static int hcs_no_ctr(struct ctr *c, struct err *e)
{
    (void)c;
    return err_set(e, ENOSYS, "%s", hcs_reason);
}

static int hcs_no_wait(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n, int64_t *t_ns,
                       struct err *e)
{
    (void)c, (void)marker, (void)timeout_ms, (void)buf, (void)n, (void)t_ns;
    return err_set(e, ENOSYS, "%s", hcs_reason);
}

static int hcs_no_sample(struct ctr *c, struct counters *out, struct err *e)
{
    (void)c;
    counters_unknown(out);
    return err_set(e, ENOSYS, "%s", hcs_reason);
}

static int hcs_no_destroy(struct ctr *c, struct err *e)
{
    (void)c, (void)e;
    return 0;
}

const struct driver driver_hcs = {
    .name = "hcs",
    .unavailable_reason = hcs_reason,
    .isolations = ISO_PROCESS | ISO_VM,
    .probe = hcs_unavailable,
    .create = hcs_no_ctr,
    .start = hcs_no_ctr,
    .wait_output = hcs_no_wait,
    .sample = hcs_no_sample,
    .stop = hcs_no_ctr,
    .destroy = hcs_no_destroy,
};

#else /* _WIN32 */

#include "../image.h"
#include "../plat.h"
#include "../plat_win.h"
#include "../counters/pdh_sampler.h"
#include "hcs_win.h"

#include <cjson/cJSON.h>
#include <computedefs.h>
#include <stddef.h>
#include <winsvc.h>
#include <sddl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <tlhelp32.h>
#include <virtdisk.h>

/* ---- run-time loaded entry points ---------------------------------------- */

typedef HCS_OPERATION(WINAPI *fn_create_operation)(const void *, HCS_OPERATION_COMPLETION);
typedef void(WINAPI *fn_close_operation)(HCS_OPERATION);
typedef HRESULT(WINAPI *fn_wait_result)(HCS_OPERATION, DWORD, PWSTR *);
typedef HRESULT(WINAPI *fn_wait_result_process)(HCS_OPERATION, DWORD, HCS_PROCESS_INFORMATION *, PWSTR *);
typedef HRESULT(WINAPI *fn_cancel_operation)(HCS_OPERATION);
typedef HRESULT(WINAPI *fn_create_system)(PCWSTR, PCWSTR, HCS_OPERATION, const SECURITY_DESCRIPTOR *, HCS_SYSTEM *);
typedef HRESULT(WINAPI *fn_open_system)(PCWSTR, DWORD, HCS_SYSTEM *);
typedef void(WINAPI *fn_close_system)(HCS_SYSTEM);
typedef HRESULT(WINAPI *fn_system_op)(HCS_SYSTEM, HCS_OPERATION, PCWSTR);
typedef HRESULT(WINAPI *fn_modify_system)(HCS_SYSTEM, HCS_OPERATION, PCWSTR, HANDLE);
typedef HRESULT(WINAPI *fn_enumerate)(PCWSTR, HCS_OPERATION);
typedef HRESULT(WINAPI *fn_create_process)(HCS_SYSTEM, PCWSTR, HCS_OPERATION, const SECURITY_DESCRIPTOR *, HCS_PROCESS *);
typedef HRESULT(WINAPI *fn_process_op)(HCS_PROCESS, HCS_OPERATION, PCWSTR);
typedef HRESULT(WINAPI *fn_get_process_info)(HCS_PROCESS, HCS_OPERATION);
typedef void(WINAPI *fn_close_process)(HCS_PROCESS);
typedef HRESULT(WINAPI *fn_grant_vm_access)(PCWSTR, PCWSTR);
typedef HRESULT(WINAPI *fn_layer_data_op)(PCWSTR, PCWSTR, PCWSTR);
typedef HRESULT(WINAPI *fn_attach_filter)(PCWSTR, PCWSTR);
typedef HRESULT(WINAPI *fn_detach_filter)(PCWSTR);
typedef HRESULT(WINAPI *fn_format_vhd)(HANDLE);
typedef HRESULT(WINAPI *fn_vhd_mount_path)(HANDLE, PWSTR *);
typedef HRESULT(WINAPI *fn_name_to_guid)(PCWSTR, GUID *);
typedef DWORD(WINAPI *fn_create_vdisk)(PVIRTUAL_STORAGE_TYPE, PCWSTR, VIRTUAL_DISK_ACCESS_MASK, PSECURITY_DESCRIPTOR,
                                       CREATE_VIRTUAL_DISK_FLAG, ULONG, PCREATE_VIRTUAL_DISK_PARAMETERS, LPOVERLAPPED,
                                       PHANDLE);
typedef DWORD(WINAPI *fn_open_vdisk)(PVIRTUAL_STORAGE_TYPE, PCWSTR, VIRTUAL_DISK_ACCESS_MASK, OPEN_VIRTUAL_DISK_FLAG,
                                     POPEN_VIRTUAL_DISK_PARAMETERS, PHANDLE);
typedef DWORD(WINAPI *fn_attach_vdisk)(HANDLE, PSECURITY_DESCRIPTOR, ATTACH_VIRTUAL_DISK_FLAG, ULONG,
                                       PATTACH_VIRTUAL_DISK_PARAMETERS, LPOVERLAPPED);
typedef DWORD(WINAPI *fn_detach_vdisk)(HANDLE, DETACH_VIRTUAL_DISK_FLAG, ULONG);

struct hcs_api {
    int loaded;        /* 1 ok, -1 failed (reason in why) */
    char why[512];
    fn_create_operation CreateOperation;
    fn_close_operation CloseOperation;
    fn_wait_result WaitForOperationResult;
    fn_wait_result_process WaitForOperationResultAndProcessInfo;
    fn_cancel_operation CancelOperation;
    fn_create_system CreateComputeSystem;
    fn_open_system OpenComputeSystem;
    fn_close_system CloseComputeSystem;
    fn_system_op StartComputeSystem, TerminateComputeSystem, GetComputeSystemProperties;
    fn_modify_system ModifyComputeSystem;
    fn_enumerate EnumerateComputeSystems;
    fn_create_process CreateProcess;
    fn_process_op TerminateProcess;
    fn_get_process_info GetProcessInfo;
    fn_close_process CloseProcess;
    fn_grant_vm_access GrantVmAccess;
    fn_layer_data_op InitializeWritableLayer;
    fn_attach_filter AttachLayerStorageFilter;
    fn_detach_filter DetachLayerStorageFilter;
    fn_format_vhd FormatWritableLayerVhd;
    fn_vhd_mount_path GetLayerVhdMountPath;
    fn_name_to_guid NameToGuid;    /* vmcompute.dll; NULL when absent */
    fn_create_vdisk CreateVirtualDisk;
    fn_open_vdisk OpenVirtualDisk;
    fn_attach_vdisk AttachVirtualDisk;
    fn_detach_vdisk DetachVirtualDisk;
};
static struct hcs_api api;

static SRWLOCK api_lock = SRWLOCK_INIT;

static HMODULE load_system_dll(const wchar_t *name)
{
    return LoadLibraryExW(name, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
}

/* Every entry point, by DLL: computecore.dll (the service), computestorage.dll
   (layers and scratch), virtdisk.dll (the scratch VHDX). */
static const wchar_t *const api_dlls[] = { L"computecore.dll", L"computestorage.dll", L"virtdisk.dll" };
static const char *const api_dll_names[] = { "computecore.dll", "computestorage.dll", "virtdisk.dll" };
#define API(dll, field, sym) { dll, sym, offsetof(struct hcs_api, field) }
static const struct {
    int dll;
    const char *sym;
    size_t off;
} api_syms[] = {
    API(0, CreateOperation, "HcsCreateOperation"),
    API(0, CloseOperation, "HcsCloseOperation"),
    API(0, WaitForOperationResult, "HcsWaitForOperationResult"),
    API(0, WaitForOperationResultAndProcessInfo, "HcsWaitForOperationResultAndProcessInfo"),
    API(0, CancelOperation, "HcsCancelOperation"),
    API(0, CreateComputeSystem, "HcsCreateComputeSystem"),
    API(0, OpenComputeSystem, "HcsOpenComputeSystem"),
    API(0, CloseComputeSystem, "HcsCloseComputeSystem"),
    API(0, StartComputeSystem, "HcsStartComputeSystem"),
    API(0, TerminateComputeSystem, "HcsTerminateComputeSystem"),
    API(0, GetComputeSystemProperties, "HcsGetComputeSystemProperties"),
    API(0, ModifyComputeSystem, "HcsModifyComputeSystem"),
    API(0, EnumerateComputeSystems, "HcsEnumerateComputeSystems"),
    API(0, CreateProcess, "HcsCreateProcess"),
    API(0, TerminateProcess, "HcsTerminateProcess"),
    API(0, GetProcessInfo, "HcsGetProcessInfo"),
    API(0, CloseProcess, "HcsCloseProcess"),
    API(0, GrantVmAccess, "HcsGrantVmAccess"),
    API(1, InitializeWritableLayer, "HcsInitializeWritableLayer"),
    API(1, AttachLayerStorageFilter, "HcsAttachLayerStorageFilter"),
    API(1, DetachLayerStorageFilter, "HcsDetachLayerStorageFilter"),
    API(1, FormatWritableLayerVhd, "HcsFormatWritableLayerVhd"),
    API(1, GetLayerVhdMountPath, "HcsGetLayerVhdMountPath"),
    API(2, CreateVirtualDisk, "CreateVirtualDisk"),
    API(2, OpenVirtualDisk, "OpenVirtualDisk"),
    API(2, AttachVirtualDisk, "AttachVirtualDisk"),
    API(2, DetachVirtualDisk, "DetachVirtualDisk"),
};
#undef API

static int api_load(struct err *e)
{
    HMODULE mods[3], vmc;
    char text[256];
    size_t i;

    AcquireSRWLockExclusive(&api_lock);
    if (api.loaded != 0)
        goto done;
    for (i = 0; i < 3; i++) {
        mods[i] = load_system_dll(api_dlls[i]);
        if (mods[i] == NULL) {
            win_error_text(GetLastError(), text, sizeof(text));
            if (i == 0)
                snprintf(api.why, sizeof(api.why),
                         "computecore.dll not loadable (%s): the Host Compute Service needs Windows 10 1809 / "
                         "Windows Server 2019 or later with the Containers feature enabled", text);
            else
                snprintf(api.why, sizeof(api.why), "%s not loadable (%s)", api_dll_names[i], text);
            goto fail;
        }
    }
    for (i = 0; i < sizeof(api_syms) / sizeof(api_syms[0]); i++) {
        FARPROC p = GetProcAddress(mods[api_syms[i].dll], api_syms[i].sym);
        if (p == NULL) {
            snprintf(api.why, sizeof(api.why), "%s has no %s (Windows too old for the HCS v2 API?)",
                     api_dll_names[api_syms[i].dll], api_syms[i].sym);
            goto fail;
        }
        memcpy((char *)&api + api_syms[i].off, &p, sizeof(p));
    }
    /* NameToGuid is the same algorithm HCS uses for layer ids; optional
       (only needed when a layer is given without its id). */
    vmc = load_system_dll(L"vmcompute.dll");
    if (vmc != NULL) {
        FARPROC p = GetProcAddress(vmc, "NameToGuid");
        memcpy(&api.NameToGuid, &p, sizeof(p));
    }
    api.loaded = 1;
    goto done;
fail:
    api.loaded = -1;
done:
    ReleaseSRWLockExclusive(&api_lock);
    if (api.loaded < 0)
        return err_set(e, ENOSYS, "hcs: %s", api.why);
    return 0;
}

/* ---- operations ----------------------------------------------------------- */

void hcs_free_doc(PWSTR doc)
{
    if (doc != NULL)
        LocalFree(doc);
}

/* Format a failed HRESULT with the result document into e. */
int hcs_fail(struct err *e, HRESULT hr, PWSTR doc, const char *fmt, ...)
{
    char what[256], sys[256], msg[ERR_MSG_MAX];
    char *doc8 = doc != NULL ? win_utf8_dup(doc) : NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    win_error_text((DWORD)hr, sys, sizeof(sys));
    hcs_error_format((uint32_t)hr, doc8, sys, msg, sizeof(msg));
    free(doc8);
    return err_set(e, EIO, "%s: %s", what, msg);
}

/* Cancel a timed-out operation and give it a moment to wind down; the handle
   is closed only once HCS is done with it (freeing it under a running call
   crashed computecore.dll for hcsshim). Returns -1 if it is still pending. */
static int op_abandon(HCS_OPERATION op)
{
    PWSTR doc = NULL;
    HRESULT hr;
    api.CancelOperation(op);
    hr = api.WaitForOperationResult(op, 10000, &doc);
    hcs_free_doc(doc);
    if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT)
        return -1; /* leak it rather than free it under HCS */
    api.CloseOperation(op);
    return 0;
}

/* Wait for an operation; on timeout cancel it and give it a moment to wind
   down (handles must not be freed while HCS still uses them). The result
   document is returned in *result (UTF-8, free()) when asked for. */
static int op_finish(HCS_OPERATION op, int timeout_ms, char **result, const char *what, struct err *e)
{
    PWSTR doc = NULL;
    HRESULT hr = api.WaitForOperationResult(op, (DWORD)timeout_ms, &doc);
    int rc = 0;
    if (result != NULL)
        *result = NULL;
    if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT) {
        hcs_free_doc(doc);
        if (op_abandon(op) < 0)
            return err_set(e, ETIMEDOUT, "%s: no answer within %d ms (cancelled; still pending)", what, timeout_ms);
        return err_set(e, ETIMEDOUT, "%s: no answer within %d ms (cancelled)", what, timeout_ms);
    }
    if (FAILED(hr))
        rc = hcs_fail(e, hr, doc, "%s", what);
    else if (result != NULL && doc != NULL)
        *result = win_utf8_dup(doc);
    hcs_free_doc(doc);
    api.CloseOperation(op);
    return rc;
}

static HCS_OPERATION op_new(struct err *e)
{
    HCS_OPERATION op = api.CreateOperation(NULL, NULL);
    if (op == NULL)
        err_win(e, GetLastError(), "HcsCreateOperation");
    return op;
}

/* A call that failed synchronously: its operation may still hold the
   service's result document (ErrorEvents); take it before closing. */
static int op_fail_sync(HCS_OPERATION op, HRESULT hr, const char *what, struct err *e)
{
    PWSTR doc = NULL;
    int rc;
    api.WaitForOperationResult(op, 0, &doc);
    rc = hcs_fail(e, hr, doc, "%s", what);
    hcs_free_doc(doc);
    api.CloseOperation(op);
    return rc;
}

static wchar_t *json_wide(const cJSON *doc)
{
    char *s = cJSON_PrintUnformatted(doc);
    wchar_t *w = s ? win_wide(s) : NULL;
    free(s);
    return w;
}

static int system_call(fn_system_op fn, HCS_SYSTEM sys, const char *options, int timeout_ms, char **result,
                       const char *what, struct err *e)
{
    HCS_OPERATION op = op_new(e);
    wchar_t *w = NULL;
    HRESULT hr;
    if (op == NULL)
        return -1;
    if (options != NULL && (w = win_wide(options)) == NULL) {
        api.CloseOperation(op);
        return err_set(e, EINVAL, "%s: bad options", what);
    }
    hr = fn(sys, op, w);
    free(w);
    if (FAILED(hr))
        return op_fail_sync(op, hr, what, e);
    return op_finish(op, timeout_ms, result, what, e);
}

static int create_system(const char *id, const cJSON *doc, int timeout_ms, HCS_SYSTEM *sys, struct err *e)
{
    HCS_OPERATION op = op_new(e);
    wchar_t *wid = win_wide(id), *wdoc = json_wide(doc);
    HRESULT hr;
    int rc = -1;
    *sys = NULL;
    if (op == NULL || wid == NULL || wdoc == NULL) {
        if (op != NULL)
            api.CloseOperation(op);
        if (op != NULL)
            err_set(e, ENOMEM, "HcsCreateComputeSystem %s: out of memory", id);
        goto out;
    }
    hr = api.CreateComputeSystem(wid, wdoc, op, NULL, sys);
    if (FAILED(hr)) {
        char what[192];
        snprintf(what, sizeof(what), "HcsCreateComputeSystem %s", id);
        op_fail_sync(op, hr, what, e);
        goto out;
    }
    rc = op_finish(op, timeout_ms, NULL, "HcsCreateComputeSystem", e);
out:
    free(wid);
    free(wdoc);
    return rc;
}

static int modify_system(HCS_SYSTEM sys, const cJSON *req, int timeout_ms, const char *what, struct err *e)
{
    HCS_OPERATION op = op_new(e);
    wchar_t *w = json_wide(req);
    HRESULT hr;
    if (op == NULL || w == NULL) {
        if (op != NULL)
            api.CloseOperation(op);
        free(w);
        return op == NULL ? -1 : err_set(e, ENOMEM, "%s: out of memory", what);
    }
    hr = api.ModifyComputeSystem(sys, op, w, NULL);
    free(w);
    if (FAILED(hr))
        return op_fail_sync(op, hr, what, e);
    return op_finish(op, timeout_ms, NULL, what, e);
}

/* ---- mode state ----------------------------------------------------------- */

struct hcs_mode {
    struct hcs_options o;
    char scratch_root[HCS_PATH_MAX];
    char payload_dir[HCS_PATH_MAX];  /* host folder of isobench-payload.exe */
    int host_cores;
    unsigned build;                  /* Windows build (HcsFormatWritableLayerVhd's handle type) */
    int uvm_layer;                   /* Hyper-V: uppermost layer with a UtilityVM folder */
    char option_notes[512];          /* what hcs_options_normalise changed */
    char privilege_notes[512];       /* optional privileges that could not be enabled */
    /* changed while containers are created and sampled: under lock */
    SRWLOCK lock;
    enum hcs_hv_schema hv_used;      /* v2 or v1 once decided; auto until the first VM answers */
    char hv_reason[600];             /* why v1 was chosen automatically */
    char vmmem_note[600];            /* the first failed vmmem lookup */
    int vmmem_failures;
    char hosted_note[600];           /* the first failed Statistics query of a hosted container */
    int hosted_failures;
};

/* Record the first of a kind of failure, count them all. */
static void note_once(struct hcs_mode *st, char *note, size_t n, int *count, const char *ctr, const char *msg)
{
    AcquireSRWLockExclusive(&st->lock);
    if (note[0] == '\0')
        snprintf(note, n, "%s: %s", ctr, msg);
    (*count)++;
    ReleaseSRWLockExclusive(&st->lock);
}

static enum hcs_hv_schema hv_schema_now(struct hcs_mode *st)
{
    enum hcs_hv_schema s;
    AcquireSRWLockShared(&st->lock);
    s = st->hv_used;
    ReleaseSRWLockShared(&st->lock);
    return s;
}

/* auto: the first answer decides for the rest of the run */
static void hv_schema_decide(struct hcs_mode *st, enum hcs_hv_schema s, const char *why)
{
    AcquireSRWLockExclusive(&st->lock);
    if (st->hv_used == HCS_HV_AUTO) {
        st->hv_used = s;
        if (why != NULL)
            snprintf(st->hv_reason, sizeof(st->hv_reason), "%s", why);
    }
    ReleaseSRWLockExclusive(&st->lock);
}

static void guid_string(const GUID *g, char *buf, size_t n)
{
    snprintf(buf, n, "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned long)g->Data1, g->Data2,
             g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6],
             g->Data4[7]);
}

/* Layer ids as HCS derives them: NameToGuid(basename(folder)) ([HS] wclayer/layerid.go). */
static int resolve_layer_ids(struct hcs_options *o, struct err *e)
{
    int i;
    for (i = 0; i < o->nlayers; i++) {
        GUID g;
        wchar_t *w;
        HRESULT hr;
        if (o->layers[i].id[0] != '\0')
            continue;
        if (api.NameToGuid == NULL)
            return err_set(e, ENOSYS, "layer %s has no \"id\" and vmcompute.dll (NameToGuid) is not available",
                           o->layers[i].path);
        w = win_wide(hcs_basename(o->layers[i].path));
        if (w == NULL)
            return err_set(e, EINVAL, "layer %s: not UTF-8", o->layers[i].path);
        hr = api.NameToGuid(w, &g);
        free(w);
        if (FAILED(hr))
            return hcs_fail(e, hr, NULL, "NameToGuid %s", o->layers[i].path);
        guid_string(&g, o->layers[i].id, sizeof(o->layers[i].id));
    }
    return 0;
}

/* Hyper-V isolation needs Hyper-V itself: its management service (vmms)
   exists only when the Hyper-V feature is installed. */
static int hyperv_present(struct err *e)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    SC_HANDLE svc;
    if (scm == NULL)
        return 0; /* cannot tell: let HCS answer at create */
    svc = OpenServiceW(scm, L"vmms", SERVICE_QUERY_STATUS);
    if (svc == NULL) {
        DWORD code = GetLastError();
        CloseServiceHandle(scm);
        if (code == ERROR_SERVICE_DOES_NOT_EXIST)
            return err_set(e, ENOSYS, "hcs: hyperv isolation needs the Hyper-V feature (no vmms service): "
                                      "Install-WindowsFeature Hyper-V, or Enable-WindowsOptionalFeature -Online "
                                      "-FeatureName Microsoft-Hyper-V, then reboot");
        return 0;
    }
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return 0;
}

static int hcs_probe(const struct mode *m, struct err *e)
{
    HCS_OPERATION op;
    HRESULT hr;
    wchar_t *q;
    if (api_load(e) < 0)
        return -1;
    /* layer set-up and disk attach fail later, and less clearly, without these */
    if (hcs_enable_privileges(NULL, 0, e) < 0)
        return -1;
    if (m != NULL && m->options != NULL) {
        const cJSON *iso = cJSON_GetObjectItemCaseSensitive(m->options, "isolation");
        if (cJSON_IsString(iso) && strcmp(iso->valuestring, "hyperv") == 0 && hyperv_present(e) < 0)
            return -1;
    }
    /* Is the service there and are we allowed to talk to it? */
    op = op_new(e);
    if (op == NULL)
        return -1;
    q = win_wide(HCS_QUERY_ENUMERATE);
    hr = api.EnumerateComputeSystems(q, op);
    free(q);
    if (FAILED(hr))
        return op_fail_sync(op, hr, "hcs: HcsEnumerateComputeSystems (is the vmcompute service running?)", e);
    return op_finish(op, 30000, NULL, "hcs: HcsEnumerateComputeSystems", e);
}

static int has_uvm_folder(const char *layer, void *ctx)
{
    char p[HCS_PATH_MAX + 16];
    (void)ctx;
    snprintf(p, sizeof(p), "%s\\UtilityVM", layer);
    return plat_exists(p);
}

/* Hyper-V isolation: the utility VM image (the uppermost layer that has
   one, as dockerd picks it) and which way containers will be made. */
static int hyperv_init(struct hcs_mode *st, int index, struct err *e)
{
    char tmpl[HCS_PATH_MAX + 64];
    st->uvm_layer = hcs_uvm_layer_index(st->o.layers, st->o.nlayers, has_uvm_folder, NULL);
    if (st->uvm_layer < 0)
        return err_set(e, ENOENT, "modes[%d]: hyperv isolation needs a layer with a UtilityVM folder; none of the %d "
                       "layers has one (top %s, base %s)", index, st->o.nlayers, st->o.layers[0].path,
                       st->o.layers[st->o.nlayers - 1].path);
    st->hv_used = st->o.hv_schema;
    snprintf(tmpl, sizeof(tmpl), "%s\\UtilityVM\\SystemTemplate.vhdx", st->o.layers[st->uvm_layer].path);
    if (st->o.hv_schema != HCS_HV_V1 && !plat_exists(tmpl)) {
        if (st->o.hv_schema == HCS_HV_V2)
            return err_set(e, ENOENT, "modes[%d]: hyperv_schema v2 boots its own utility VM from %s, which is missing "
                           "(\"hyperv_schema\": \"v1\" lets HCS build the VM)", index, tmpl);
        st->hv_used = HCS_HV_V1;
        snprintf(st->hv_reason, sizeof(st->hv_reason), "auto: %s is missing, so schema 2 cannot boot a utility VM", tmpl);
    }
    if (st->hv_used == HCS_HV_V1 && hcs_v1_load(e) < 0)
        return err_wrap(e, "modes[%d]: hyperv_schema %s", index, hcs_hv_schema_name(st->o.hv_schema));
    return 0;
}

static int hcs_mode_init(struct mode *m, const struct scenario *s, struct err *e)
{
    struct hcs_mode *st;
    (void)s;
    if (api_load(e) < 0)
        return -1;
    st = calloc(1, sizeof(*st));
    if (st == NULL)
        return err_set(e, ENOMEM, "hcs: out of memory");
    InitializeSRWLock(&st->lock);
    if (hcs_enable_privileges(st->privilege_notes, sizeof(st->privilege_notes), e) < 0 ||
        hcs_options_parse(m->options, m->index, &st->o, e) < 0 || resolve_layer_ids(&st->o, e) < 0)
        goto fail;
    st->host_cores = (int)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    st->build = hcs_windows_build();
    hcs_options_normalise(&st->o, st->host_cores, st->option_notes, sizeof(st->option_notes));
    if (st->o.scratch_dir[0] != '\0')
        snprintf(st->scratch_root, sizeof(st->scratch_root), "%s", st->o.scratch_dir);
    else
        snprintf(st->scratch_root, sizeof(st->scratch_root), "%s\\hcs", image_cache_dir());
    if (plat_mkdir_p(st->scratch_root, e) < 0)
        goto fail;
    if (st->o.nmapped >= HCS_MAX_MAPPED) {
        err_set(e, EINVAL, "modes[%d].options.mapped_dirs: at most %d (one more is the payload folder)", m->index,
                HCS_MAX_MAPPED - 1);
        goto fail;
    }
    {
        char payload[HCS_PATH_MAX];
        char *slash;
        if (image_payload_binary(payload, sizeof(payload), e) < 0) {
            if (st->o.command[0] == '\0')
                goto fail;
            err_clear(e); /* a custom command does not need it */
        } else {
            slash = strrchr(payload, '\\');
            if (slash != NULL)
                *slash = '\0';
            snprintf(st->payload_dir, sizeof(st->payload_dir), "%s", payload);
        }
    }
    if (st->o.isolation == HCS_ISO_HYPERV && hyperv_init(st, m->index, e) < 0)
        goto fail;
    m->drv_state = st;
    return 0;
fail:
    free(st);
    return -1;
}

static void hcs_mode_fini(struct mode *m)
{
    free(m->drv_state);
    m->drv_state = NULL;
}

static unsigned hcs_isolation_of(const struct mode *m)
{
    const struct hcs_mode *st = m->drv_state;
    if (st != NULL)
        return st->o.isolation == HCS_ISO_HYPERV ? ISO_VM : ISO_PROCESS;
    return m->isolation != 0 ? m->isolation : ISO_PROCESS;
}

static int hcs_version(const struct mode *m, char *buf, size_t n, struct err *e)
{
    struct host_facts h;
    (void)m;
    if (host_facts_get(&h, e) < 0)
        return -1;
    snprintf(buf, n, "HCS schema %d.%d on %s", HCS_SCHEMA_MAJOR, HCS_SCHEMA_MINOR, h.kernel);
    return 0;
}

static void hcs_facts(const struct mode *m, cJSON *out)
{
    const struct hcs_mode *st = m->drv_state;
    cJSON *layers;
    int i;
    if (st == NULL)
        return;
    cJSON_AddStringToObject(out, "isolation", st->o.isolation == HCS_ISO_HYPERV ? "hyperv" : "process");
    layers = cJSON_AddArrayToObject(out, "layers");
    for (i = 0; i < st->o.nlayers; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "id", st->o.layers[i].id);
        cJSON_AddStringToObject(l, "path", st->o.layers[i].path);
        cJSON_AddItemToArray(layers, l);
    }
    if (st->o.isolation == HCS_ISO_HYPERV) {
        struct hcs_mode *mst = m->drv_state;
        cJSON_AddNumberToObject(out, "uvm_memory_mb", st->o.uvm_memory_mb);
        cJSON_AddNumberToObject(out, "uvm_memory_mb_requested", st->o.uvm_memory_mb_requested);
        cJSON_AddNumberToObject(out, "uvm_cpus", st->o.uvm_cpus);
        cJSON_AddNumberToObject(out, "uvm_cpus_requested", st->o.uvm_cpus_requested);
        cJSON_AddStringToObject(out, "uvm_image", st->o.layers[st->uvm_layer].path);
        AcquireSRWLockShared(&mst->lock);
        cJSON_AddStringToObject(out, "hyperv_schema_requested", hcs_hv_schema_name(st->o.hv_schema));
        cJSON_AddStringToObject(out, "hyperv_schema", st->hv_used == HCS_HV_AUTO ? "undecided (no container made)"
                                                                                 : hcs_hv_schema_name(st->hv_used));
        if (st->hv_reason[0] != '\0')
            cJSON_AddStringToObject(out, "hyperv_schema_reason", st->hv_reason);
        cJSON_AddStringToObject(out, "vmmem_lookup", st->vmmem_note[0] ? st->vmmem_note : "ok");
        cJSON_AddNumberToObject(out, "vmmem_lookup_failures", st->vmmem_failures);
        if (st->hosted_failures > 0) {
            cJSON_AddStringToObject(out, "hosted_statistics", st->hosted_note);
            cJSON_AddNumberToObject(out, "hosted_statistics_failures", st->hosted_failures);
        }
        ReleaseSRWLockShared(&mst->lock);
        cJSON_AddStringToObject(out, "mem_scope", "utility VM: private working set and commit of its vmmem process "
                                                  "(guest kernel, services and container)");
        cJSON_AddStringToObject(out, "cpu_scope", "utility VM: its total run time");
    } else {
        cJSON_AddStringToObject(out, "mem_scope", "container: its job object (silo)");
        cJSON_AddStringToObject(out, "cpu_scope", "container: its job object (silo)");
    }
    if (st->option_notes[0] != '\0')
        cJSON_AddStringToObject(out, "option_notes", st->option_notes);
    cJSON_AddStringToObject(out, "privileges_not_enabled", st->privilege_notes);
    cJSON_AddNumberToObject(out, "windows_build", st->build);
    cJSON_AddStringToObject(out, "scratch_root", st->scratch_root);
    cJSON_AddStringToObject(out, "payload_dir", st->payload_dir);
    cJSON_AddNumberToObject(out, "scratch_size_gb", st->o.scratch_size_gb);
}

/* ---- one container -------------------------------------------------------- */

struct hcs_ctr {
    HCS_SYSTEM sys, uvm;
    HCS_PROCESS proc;
    HANDLE out;              /* the workload's stdout pipe */
    HANDLE vhd;              /* process isolation: the attached scratch disk */
    wchar_t *mount;          /* its volume path (LocalFree) */
    int filter_attached;
    char dir[HCS_PATH_MAX];
    char scratch[HCS_PATH_MAX + 32];
    char uvm_vhdx[HCS_PATH_MAX + 32];
    char uvm_id[128];
    char runtime_id[64];     /* the utility VM's RuntimeId: vmmem runs as NT VIRTUAL MACHINE\<it> */
    int uvm_started;         /* v2: the utility VM booted (later failures are the guest side's) */
    struct hcs_v1_system *v1; /* Hyper-V through schema 1 (vmcompute.dll) instead of sys/uvm */
    struct hcs_vmmem vmmem;  /* the utility VM's vmmem process, looked up once */
    int vmmem_tried;
    struct win_line_buf out_buf;
};

static int64_t file_size_on_disk(const char *path)
{
    wchar_t *w = win_wide(path);
    DWORD hi = 0, lo;
    if (w == NULL)
        return -1;
    lo = GetCompressedFileSizeW(w, &hi);
    free(w);
    if (lo == INVALID_FILE_SIZE && GetLastError() != NO_ERROR)
        return -1;
    return ((int64_t)hi << 32) | lo;
}

/* CREATE_VIRTUAL_DISK_PARAMETERS version 2 as the Windows SDK lays it out:
   mingw-w64's virtdisk.h (Debian 12) lacks PhysicalSectorSizeInBytes, which
   would shift every later field. */
struct vdisk_create_v2 {
    CREATE_VIRTUAL_DISK_VERSION Version;
    struct {
        GUID UniqueId;
        ULONGLONG MaximumSize;
        ULONG BlockSizeInBytes;
        ULONG SectorSizeInBytes;
        ULONG PhysicalSectorSizeInBytes;
        PCWSTR ParentPath;
        PCWSTR SourcePath;
        OPEN_VIRTUAL_DISK_FLAG OpenFlags;
        VIRTUAL_STORAGE_TYPE ParentVirtualStorageType;
        VIRTUAL_STORAGE_TYPE SourceVirtualStorageType;
        GUID ResiliencyGuid;
    } Version2;
};

static int create_vhdx(const char *path, int size_gb, HANDLE *h, struct err *e)
{
    VIRTUAL_STORAGE_TYPE vst = { VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT };
    struct vdisk_create_v2 p;
    wchar_t *w = win_wide(path);
    DWORD rc;
    if (w == NULL)
        return err_set(e, EINVAL, "%s: not UTF-8", path);
    memset(&p, 0, sizeof(p));
    p.Version = CREATE_VIRTUAL_DISK_VERSION_2;
    p.Version2.MaximumSize = (ULONGLONG)size_gb << 30;
    p.Version2.BlockSizeInBytes = 1 << 20;
    p.Version2.SectorSizeInBytes = 512;
    p.Version2.PhysicalSectorSizeInBytes = 512;
    rc = api.CreateVirtualDisk(&vst, w, VIRTUAL_DISK_ACCESS_NONE, NULL, CREATE_VIRTUAL_DISK_FLAG_NONE, 0,
                               (PCREATE_VIRTUAL_DISK_PARAMETERS)(void *)&p, NULL, h);
    free(w);
    if (rc != ERROR_SUCCESS)
        return err_win(e, rc, "CreateVirtualDisk %s", path);
    return 0;
}

/* HcsFormatWritableLayerVhd wants a CreateFile handle on WS2019 and the
   virtdisk handle on later builds ([HS] computestorage/format.go). *vhd is
   the virtdisk handle from create_vhdx; with reopen it is a virtdisk handle
   again afterwards (process isolation attaches it), else it is closed. */
static int format_scratch(const char *path, HANDLE *vhd, unsigned build, int reopen, struct err *e)
{
    HRESULT hr;
    HANDLE f;
    wchar_t *w;
    if (!hcs_format_wants_file_handle(build)) {
        hr = api.FormatWritableLayerVhd(*vhd);
        if (!reopen) {
            CloseHandle(*vhd);
            *vhd = INVALID_HANDLE_VALUE;
        }
        if (FAILED(hr))
            return hcs_fail(e, hr, NULL, "HcsFormatWritableLayerVhd %s (virtual-disk handle, build %u)", path, build);
        return 0;
    }
    CloseHandle(*vhd);
    *vhd = INVALID_HANDLE_VALUE;
    if ((w = win_wide(path)) == NULL)
        return err_set(e, EINVAL, "%s: not UTF-8", path);
    f = CreateFileW(w, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        free(w);
        return err_win(e, GetLastError(), "open %s to format it (WS2019 wants a file handle)", path);
    }
    hr = api.FormatWritableLayerVhd(f);
    CloseHandle(f);
    if (FAILED(hr)) {
        free(w);
        return hcs_fail(e, hr, NULL, "HcsFormatWritableLayerVhd %s (file handle, build %u)", path, build);
    }
    if (reopen) {
        VIRTUAL_STORAGE_TYPE vst = { VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT };
        OPEN_VIRTUAL_DISK_PARAMETERS op;
        DWORD rc;
        memset(&op, 0, sizeof(op));
        op.Version = OPEN_VIRTUAL_DISK_VERSION_2;
        rc = api.OpenVirtualDisk(&vst, w, VIRTUAL_DISK_ACCESS_NONE, OPEN_VIRTUAL_DISK_FLAG_NONE, &op, vhd);
        if (rc != ERROR_SUCCESS) {
            free(w);
            return err_win(e, rc, "OpenVirtualDisk %s", path);
        }
    }
    free(w);
    return 0;
}

/* Process isolation: a dynamic VHDX formatted as a writable layer, attached
   on the host (no drive letter), initialised over the image's layers and
   given the storage filter; its volume path becomes Storage.Path. */
static int scratch_prepare(struct hcs_ctr *p, const struct hcs_options *o, unsigned build, struct err *e)
{
    ATTACH_VIRTUAL_DISK_PARAMETERS ap;
    cJSON *ld = hcs_doc_layer_data(o->layers, o->nlayers);
    wchar_t *wld = json_wide(ld);
    HRESULT hr;
    DWORD rc;
    int ret = -1;

    cJSON_Delete(ld);
    if (wld == NULL)
        return err_set(e, ENOMEM, "layerData: out of memory");
    if (create_vhdx(p->scratch, o->scratch_size_gb, &p->vhd, e) < 0)
        goto out;
    if (format_scratch(p->scratch, &p->vhd, build, 1, e) < 0)
        goto out;
    memset(&ap, 0, sizeof(ap));
    ap.Version = ATTACH_VIRTUAL_DISK_VERSION_1;
    rc = api.AttachVirtualDisk(p->vhd, NULL, ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, 0, &ap, NULL);
    if (rc != ERROR_SUCCESS) {
        err_win(e, rc, "AttachVirtualDisk %s", p->scratch);
        goto out;
    }
    hr = api.GetLayerVhdMountPath(p->vhd, &p->mount);
    if (FAILED(hr)) {
        hcs_fail(e, hr, NULL, "HcsGetLayerVhdMountPath %s", p->scratch);
        goto out;
    }
    hr = api.InitializeWritableLayer(p->mount, wld, NULL);
    if (FAILED(hr)) {
        hcs_fail(e, hr, NULL, "HcsInitializeWritableLayer %s", p->scratch);
        goto out;
    }
    hr = api.AttachLayerStorageFilter(p->mount, wld);
    if (FAILED(hr)) {
        hcs_fail(e, hr, NULL, "HcsAttachLayerStorageFilter %s", p->scratch);
        goto out;
    }
    p->filter_attached = 1;
    ret = 0;
out:
    free(wld);
    return ret;
}

static int grant(const char *vm_id, const char *path, struct err *e)
{
    wchar_t *wid = win_wide(vm_id), *wp = win_wide(path);
    HRESULT hr = (wid && wp) ? api.GrantVmAccess(wid, wp) : E_OUTOFMEMORY;
    free(wid);
    free(wp);
    if (FAILED(hr))
        return hcs_fail(e, hr, NULL, "HcsGrantVmAccess %s", path);
    return 0;
}

/* The container's view: the mode's layers and mapped directories plus the
   payload folder at HCS_PAYLOAD_DIR (payload_host: its host path, or under
   Hyper-V isolation the VSMB path the utility VM sees). */
static void container_spec(const struct ctr *c, const struct hcs_mode *st, const char *payload_host,
                           struct hcs_mapped_dir *mapped, struct hcs_container_spec *cs)
{
    int n = st->o.nmapped;
    memset(cs, 0, sizeof(*cs));
    cs->hostname = NULL;
    cs->layers = st->o.layers;
    cs->nlayers = st->o.nlayers;
    memcpy(mapped, st->o.mapped, sizeof(st->o.mapped[0]) * (size_t)n);
    if (payload_host != NULL && payload_host[0] != '\0' && n < HCS_MAX_MAPPED) {
        snprintf(mapped[n].host, sizeof(mapped[n].host), "%s", payload_host);
        snprintf(mapped[n].container, sizeof(mapped[n].container), "%s", HCS_PAYLOAD_DIR);
        mapped[n].readonly = 1;
        n++;
    }
    cs->mapped = mapped;
    cs->nmapped = n;
    cs->processor_maximum = hcs_container_cpu_maximum(&st->o, c->scn->cpu_limit, st->host_cores);
    cs->memory_mb = hcs_memory_mb(c->scn->mem_limit_bytes);
}

static int create_process_isolated(struct ctr *c, struct hcs_ctr *p, const struct hcs_mode *st, struct err *e)
{
    struct hcs_container_spec cs;
    struct hcs_mapped_dir *mapped;
    char mount8[HCS_PATH_MAX];
    cJSON *doc;
    int rc;

    snprintf(p->scratch, sizeof(p->scratch), "%s\\sandbox.vhdx", p->dir);
    if (scratch_prepare(p, &st->o, st->build, e) < 0)
        return err_wrap(e, "scratch");
    win_utf8(p->mount, mount8, sizeof(mount8));
    mapped = calloc(HCS_MAX_MAPPED, sizeof(*mapped));
    if (mapped == NULL)
        return err_set(e, ENOMEM, "hcs: out of memory");
    container_spec(c, st, st->payload_dir, mapped, &cs);
    cs.scratch_path = mount8;
    doc = hcs_doc_process_container(&cs);
    free(mapped);
    rc = create_system(c->name, doc, st->o.timeout_ms, &p->sys, e);
    cJSON_Delete(doc);
    return rc;
}

/* RuntimeId from a properties answer: the account vmmem runs under. */
static void runtime_id_from(const char *doc, char *out, size_t n)
{
    cJSON *j = doc ? cJSON_Parse(doc) : NULL;
    const cJSON *rid = j ? cJSON_GetObjectItemCaseSensitive(j, "RuntimeId") : NULL;
    if (cJSON_IsString(rid))
        snprintf(out, n, "%s", rid->valuestring);
    cJSON_Delete(j);
}

static int uvm_runtime_id(struct hcs_ctr *p, int timeout_ms, struct err *e)
{
    char *doc = NULL;
    if (system_call(api.GetComputeSystemProperties, p->uvm, "{}", timeout_ms, &doc, "HcsGetComputeSystemProperties (utility VM)", e) < 0)
        return -1;
    runtime_id_from(doc, p->runtime_id, sizeof(p->runtime_id));
    free(doc);
    return 0;
}

/* Schema 2 talks to the guest through HCS's own guest connection: ask the
   started VM whether it has one, before anything depends on it. */
static int uvm_guest_connection(struct hcs_ctr *p, int timeout_ms, struct err *e)
{
    char *doc = NULL, detail[256];
    int rc;
    if (system_call(api.GetComputeSystemProperties, p->uvm, HCS_QUERY_GUEST_CONNECTION, timeout_ms, &doc,
                    "HcsGetComputeSystemProperties GuestConnection (utility VM)", e) < 0)
        return err_wrap(e, "utility VM %s", p->uvm_id);
    rc = hcs_guest_connection_parse(doc, detail, sizeof(detail), e);
    free(doc);
    if (rc < 0)
        return err_wrap(e, "utility VM %s", p->uvm_id);
    if (rc == 0)
        return err_set(e, ENOTCONN, "utility VM %s: %s; schema 2 needs HCS's internal guest connection to host the "
                       "container (set \"hyperv_schema\": \"v1\", dockerd's way)", p->uvm_id, detail);
    return 0;
}

/* Schema 2: our own utility VM, the layers, scratch and mapped folders
   given to it, the container hosted inside it. */
static int create_hyperv_v2(struct ctr *c, struct hcs_ctr *p, const struct hcs_mode *st, struct hcs_layer *guest,
                            struct err *e)
{
    const char *base = st->o.layers[st->uvm_layer].path;
    char tmpl[HCS_PATH_MAX + 64], root[128];
    char shares[HCS_MAX_MAPPED][16];
    struct hcs_uvm_spec us;
    struct hcs_container_spec cs;
    struct hcs_mapped_dir *mapped = NULL, *vsmb = NULL;
    wchar_t *wt, *wd;
    HANDLE vhd = INVALID_HANDLE_VALUE;
    cJSON *doc;
    int i, rc = -1;
    BOOL copied;

    /* 1. the utility VM, from a copy of the uppermost UtilityVM's template disk */
    snprintf(p->uvm_id, sizeof(p->uvm_id), "%s-uvm", c->name);
    snprintf(tmpl, sizeof(tmpl), "%s\\UtilityVM\\SystemTemplate.vhdx", base);
    snprintf(p->uvm_vhdx, sizeof(p->uvm_vhdx), "%s\\uvm.vhdx", p->dir);
    wt = win_wide(tmpl);
    wd = win_wide(p->uvm_vhdx);
    copied = wt && wd && CopyFileW(wt, wd, TRUE);
    free(wt);
    free(wd);
    if (!copied)
        return err_win(e, GetLastError(), "copy %s", tmpl);
    if (grant(p->uvm_id, p->uvm_vhdx, e) < 0)
        return -1;
    us.base_layer = base;
    us.scratch_vhdx = p->uvm_vhdx;
    us.memory_mb = st->o.uvm_memory_mb;
    us.cpus = st->o.uvm_cpus;
    doc = hcs_doc_uvm(&us);
    rc = create_system(p->uvm_id, doc, st->o.timeout_ms, &p->uvm, e);
    cJSON_Delete(doc);
    if (rc < 0)
        return err_wrap(e, "utility VM");
    if (system_call(api.StartComputeSystem, p->uvm, NULL, st->o.timeout_ms, NULL, "HcsStartComputeSystem (utility VM)", e) < 0)
        return -1;
    p->uvm_started = 1;
    if (uvm_runtime_id(p, st->o.timeout_ms, e) < 0 || uvm_guest_connection(p, st->o.timeout_ms, e) < 0)
        return -1;

    /* 2. the container's scratch disk over SCSI, formatted on the host */
    snprintf(p->scratch, sizeof(p->scratch), "%s\\sandbox.vhdx", p->dir);
    if (create_vhdx(p->scratch, st->o.scratch_size_gb, &vhd, e) < 0 || format_scratch(p->scratch, &vhd, st->build, 0, e) < 0)
        return -1;
    if (grant(p->uvm_id, p->scratch, e) < 0)
        return -1;
    snprintf(root, sizeof(root), "C:\\c\\%d\\scratch", c->index);
    doc = hcs_doc_scsi_add(1, p->scratch, root);
    rc = modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: add scratch disk", e);
    cJSON_Delete(doc);
    if (rc < 0)
        return -1;

    /* 3. each layer as a read-only VSMB share, then merged in the guest */
    for (i = 0; i < st->o.nlayers; i++) {
        char share[16];
        snprintf(share, sizeof(share), "s%d", i + 1);
        doc = hcs_doc_vsmb_add(share, st->o.layers[i].path);
        rc = modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: add layer share", e);
        cJSON_Delete(doc);
        if (rc < 0)
            return err_wrap(e, "%s", st->o.layers[i].path);
        snprintf(guest[i].id, sizeof(guest[i].id), "%s", st->o.layers[i].id);
        snprintf(guest[i].path, sizeof(guest[i].path), "%s%s", HCS_VSMB_PREFIX, share);
    }
    doc = hcs_doc_combine_layers(root, guest, st->o.nlayers);
    rc = modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: combine layers", e);
    cJSON_Delete(doc);
    if (rc < 0)
        return -1;

    /* 4. the hosted container; every host folder (the payload's and the
       user's mapped_dirs) reaches it only through a VSMB share of the VM */
    mapped = calloc(HCS_MAX_MAPPED, sizeof(*mapped));
    vsmb = calloc(HCS_MAX_MAPPED, sizeof(*vsmb));
    if (mapped == NULL || vsmb == NULL) {
        rc = err_set(e, ENOMEM, "hcs: out of memory");
        goto out;
    }
    container_spec(c, st, st->payload_dir, mapped, &cs);
    hcs_vsmb_mapped(cs.mapped, cs.nmapped, vsmb, shares);
    for (i = 0; i < cs.nmapped; i++) {
        doc = hcs_doc_vsmb_add(shares[i], cs.mapped[i].host);
        if (!cs.mapped[i].readonly)
            cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "Settings"), "Options"), "ReadOnly",
                                      cJSON_CreateFalse());
        rc = modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: add a mapped folder's share", e);
        cJSON_Delete(doc);
        if (rc < 0) {
            err_wrap(e, "%s", cs.mapped[i].host);
            goto out;
        }
    }
    cs.mapped = vsmb;
    cs.layers = guest;
    cs.scratch_path = root;
    doc = hcs_doc_hosted_container(p->uvm_id, &cs);
    rc = create_system(c->name, doc, st->o.timeout_ms, &p->sys, e);
    cJSON_Delete(doc);
out:
    free(mapped);
    free(vsmb);
    return rc;
}

/* Schema 1 (dockerd's path): one document, HCS builds and boots the VM and
   shares the host folders itself. Created and started here; hcs_start only
   runs the workload. */
static int create_hyperv_v1(struct ctr *c, struct hcs_ctr *p, const struct hcs_mode *st, struct err *e)
{
    char image[HCS_PATH_MAX + 16];
    struct hcs_container_spec cs;
    struct hcs_mapped_dir *mapped;
    struct hcs_v1_spec v;
    HANDLE vhd = INVALID_HANDLE_VALUE;
    char *text, *doc = NULL;
    cJSON *d;
    int rc;

    snprintf(p->scratch, sizeof(p->scratch), "%s\\sandbox.vhdx", p->dir);
    if (!plat_exists(p->scratch) &&
        (create_vhdx(p->scratch, st->o.scratch_size_gb, &vhd, e) < 0 || format_scratch(p->scratch, &vhd, st->build, 0, e) < 0))
        return -1;
    mapped = calloc(HCS_MAX_MAPPED, sizeof(*mapped));
    if (mapped == NULL)
        return err_set(e, ENOMEM, "hcs: out of memory");
    container_spec(c, st, st->payload_dir, mapped, &cs);
    snprintf(image, sizeof(image), "%s\\UtilityVM", st->o.layers[st->uvm_layer].path);
    memset(&v, 0, sizeof(v));
    v.name = c->name;
    v.layer_folder = p->dir;
    v.layers = st->o.layers;
    v.nlayers = st->o.nlayers;
    v.uvm_image = image;
    v.mapped = cs.mapped;
    v.nmapped = cs.nmapped;
    v.processor_count = st->o.uvm_cpus;
    v.processor_maximum = cs.processor_maximum;
    v.memory_mb = st->o.uvm_memory_mb;
    d = hcs_doc_v1_hyperv(&v);
    text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    free(mapped);
    if (text == NULL)
        return err_set(e, ENOMEM, "hcs: out of memory");
    rc = hcs_v1_create_start(c->name, text, st->o.timeout_ms, &p->v1, e);
    free(text);
    if (rc < 0)
        return -1;
    /* the VM's RuntimeId, for its vmmem process (unverified for schema 1: a
       failed lookup is recorded, never guessed) */
    if (hcs_v1_properties(p->v1, "{}", &doc, e) == 0)
        runtime_id_from(doc, p->runtime_id, sizeof(p->runtime_id));
    free(doc);
    err_clear(e);
    return 0;
}

/* Undo a schema-2 attempt before falling back to schema 1. */
static void hyperv_v2_undo(struct hcs_ctr *p, int timeout_ms)
{
    struct err e2;
    if (p->sys != NULL) {
        system_call(api.TerminateComputeSystem, p->sys, NULL, timeout_ms, NULL, "terminate", &e2);
        api.CloseComputeSystem(p->sys);
        p->sys = NULL;
    }
    if (p->uvm != NULL) {
        system_call(api.TerminateComputeSystem, p->uvm, NULL, timeout_ms, NULL, "terminate", &e2);
        api.CloseComputeSystem(p->uvm);
        p->uvm = NULL;
    }
    p->uvm_started = 0;
    p->runtime_id[0] = '\0';
}

static int create_hyperv_isolated(struct ctr *c, struct hcs_ctr *p, struct hcs_mode *st, struct err *e)
{
    enum hcs_hv_schema now = hv_schema_now(st);
    struct hcs_layer *guest;
    int rc;
    if (now == HCS_HV_V1)
        return create_hyperv_v1(c, p, st, e);
    /* the layers as the utility VM sees them (heap: runner threads have small stacks) */
    guest = calloc(HCS_MAX_LAYERS, sizeof(*guest));
    if (guest == NULL)
        return err_set(e, ENOMEM, "hcs: out of memory");
    rc = create_hyperv_v2(c, p, st, guest, e);
    free(guest);
    if (rc == 0) {
        hv_schema_decide(st, HCS_HV_V2, NULL);
        return 0;
    }
    /* auto: the VM booted but the guest side failed: schema 1 from now on */
    if (now == HCS_HV_AUTO && p->uvm_started) {
        char why[ERR_MSG_MAX + 64];
        snprintf(why, sizeof(why), "auto: schema 2 failed on %s: %s", c->name, e->msg);
        hyperv_v2_undo(p, st->o.timeout_ms);
        hv_schema_decide(st, HCS_HV_V1, why);
        if (hv_schema_now(st) == HCS_HV_V1) {
            err_clear(e);
            if (hcs_v1_load(e) < 0)
                return err_wrap(e, "%s", why);
            return create_hyperv_v1(c, p, st, e);
        }
    }
    return -1;
}

static int hcs_create(struct ctr *c, struct err *e)
{
    struct hcs_mode *st = c->mode->drv_state;
    struct hcs_ctr *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return err_set(e, ENOMEM, "hcs: out of memory");
    p->vhd = INVALID_HANDLE_VALUE;
    p->out = INVALID_HANDLE_VALUE;
    c->priv = p;
    snprintf(p->dir, sizeof(p->dir), "%s\\%s", st->scratch_root, c->name);
    if (plat_mkdir_p(p->dir, e) < 0)
        return -1;
    if (st->o.isolation == HCS_ISO_HYPERV)
        return create_hyperv_isolated(c, p, st, e);
    return create_process_isolated(c, p, st, e);
}

static int hcs_start(struct ctr *c, struct err *e)
{
    const struct hcs_mode *st = c->mode->drv_state;
    struct hcs_ctr *p = c->priv;
    HCS_PROCESS_INFORMATION pi;
    HCS_OPERATION op;
    PWSTR doc = NULL;
    wchar_t *wparams;
    char cmd[4096];
    cJSON *params;
    HRESULT hr;

    if (hcs_command_line((int)c->scn->workload, c->scn->cpu_iterations, st->o.command, cmd, sizeof(cmd), e) < 0)
        return -1;
    params = hcs_doc_process_params(cmd, 1);
    if (p->v1 != NULL) {
        /* schema 1: created and started in hcs_create */
        char *text = cJSON_PrintUnformatted(params);
        int rc;
        cJSON_Delete(params);
        if (text == NULL)
            return err_set(e, ENOMEM, "ProcessParameters: out of memory");
        rc = hcs_v1_create_process(p->v1, text, &p->out, e);
        free(text);
        if (rc == 0)
            c->exec_ns = plat_now_ns();
        return rc;
    }
    wparams = json_wide(params);
    cJSON_Delete(params);
    if (wparams == NULL)
        return err_set(e, ENOMEM, "ProcessParameters: out of memory");
    if (system_call(api.StartComputeSystem, p->sys, NULL, st->o.timeout_ms, NULL, "HcsStartComputeSystem", e) < 0) {
        free(wparams);
        return -1;
    }
    op = op_new(e);
    if (op == NULL) {
        free(wparams);
        return -1;
    }
    hr = api.CreateProcess(p->sys, wparams, op, NULL, &p->proc);
    free(wparams);
    if (FAILED(hr))
        return op_fail_sync(op, hr, "HcsCreateProcess", e);
    memset(&pi, 0, sizeof(pi));
    hr = api.WaitForOperationResultAndProcessInfo(op, (DWORD)st->o.timeout_ms, &pi, &doc);
    if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT) {
        hcs_free_doc(doc);
        op_abandon(op);
        return err_set(e, ETIMEDOUT, "HcsCreateProcess: no answer within %d ms (cancelled)", st->o.timeout_ms);
    }
    api.CloseOperation(op);
    if (FAILED(hr) && p->proc != NULL) {
        /* WS2022 process isolation can report a false failure with a valid
           process handle: ask again ([HS] internal/hcs/v2/system.go). */
        HRESULT first = hr;
        PWSTR first_doc = doc;
        doc = NULL;
        op = op_new(e);
        if (op == NULL) {
            hcs_free_doc(first_doc);
            return -1;
        }
        hr = api.GetProcessInfo(p->proc, op);
        if (SUCCEEDED(hr))
            hr = api.WaitForOperationResultAndProcessInfo(op, (DWORD)st->o.timeout_ms, &pi, &doc);
        if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT)
            op_abandon(op);
        else
            api.CloseOperation(op);
        if (FAILED(hr)) {
            int rc = hcs_fail(e, first, first_doc, "HcsCreateProcess");
            hcs_free_doc(doc);
            hcs_free_doc(first_doc);
            return rc;
        }
        hcs_free_doc(first_doc);
    }
    if (FAILED(hr)) {
        int rc = hcs_fail(e, hr, doc, "HcsCreateProcess");
        hcs_free_doc(doc);
        return rc;
    }
    hcs_free_doc(doc);
    c->exec_ns = plat_now_ns();
    p->out = pi.StdOutput;
    if (p->out == NULL || p->out == INVALID_HANDLE_VALUE)
        return err_set(e, EIO, "HcsCreateProcess: no stdout pipe came back");
    return 0;
}

static int hcs_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n, int64_t *t_ns,
                           struct err *e)
{
    struct hcs_ctr *p = c->priv;
    if (p == NULL || p->out == INVALID_HANDLE_VALUE)
        return err_set(e, EINVAL, "hcs: the workload was not started");
    if (win_wait_line(p->out, &p->out_buf, marker, timeout_ms, buf, n, t_ns, e) < 0) {
        if (e != NULL && e->code == EPIPE)
            err_wrap(e, "the workload exited (does isobench-payload.exe start in this image? see the \"command\" option)");
        return -1;
    }
    return 0;
}

/* Statistics of the hosted container (v2) or the schema-1 container. */
static int container_statistics(struct hcs_ctr *p, int timeout_ms, struct hcs_stats *s, struct err *e)
{
    char *doc = NULL;
    int rc;
    if (p->v1 != NULL)
        rc = hcs_v1_properties(p->v1, HCS_QUERY_STATISTICS, &doc, e);
    else
        rc = system_call(api.GetComputeSystemProperties, p->sys, HCS_QUERY_STATISTICS, timeout_ms, &doc,
                         "HcsGetComputeSystemProperties", e);
    if (rc < 0)
        return -1;
    if (doc == NULL)
        return err_set(e, EIO, "HcsGetComputeSystemProperties: empty response");
    rc = hcs_stats_parse(doc, s, e);
    free(doc);
    return rc;
}

/* Hyper-V isolation: what the VM costs the host, read first and from the VM
   (schema 2: its Statistics for CPU; both: its vmmem process for memory and
   commit, and under schema 1 for CPU too); the hosted container's own
   statistics only add I/O, and losing them loses nothing else. A failed
   vmmem lookup leaves memory unknown (-1) with the reason in run.json. */
static int sample_hyperv(struct ctr *c, struct hcs_mode *st, struct hcs_ctr *p, struct counters *out, struct err *e)
{
    struct hcs_stats s;
    struct err e2;
    int64_t ws, commit, vm_cpu, sz;

    if (p->v1 == NULL) {
        char *doc = NULL;
        if (p->uvm == NULL)
            return err_set(e, EINVAL, "hcs: no utility VM");
        if (system_call(api.GetComputeSystemProperties, p->uvm, HCS_QUERY_STATISTICS, st->o.timeout_ms, &doc,
                        "HcsGetComputeSystemProperties (utility VM)", e) < 0)
            return -1;
        if (doc == NULL || hcs_stats_parse(doc, &s, e) < 0) {
            free(doc);
            return doc == NULL ? err_set(e, EIO, "utility VM %s: empty Statistics", p->uvm_id) : err_wrap(e, "utility VM %s", p->uvm_id);
        }
        free(doc);
        out->cpu_ns = s.cpu_ns;
    }
    if (!p->vmmem_tried) {
        p->vmmem_tried = 1;
        err_clear(&e2);
        if (hcs_vmmem_find(&p->vmmem, p->runtime_id, &e2) < 0)
            note_once(st, st->vmmem_note, sizeof(st->vmmem_note), &st->vmmem_failures, c->name, e2.msg);
    }
    hcs_vmmem_read(&p->vmmem, &ws, &commit, &vm_cpu);
    out->mem_private_ws_bytes = ws;
    out->mem_commit_bytes = commit;
    if (p->v1 != NULL)
        out->cpu_ns = vm_cpu;
    out->storage_bytes = file_size_on_disk(p->scratch);
    sz = p->uvm_vhdx[0] ? file_size_on_disk(p->uvm_vhdx) : 0;
    if (sz >= 0 && out->storage_bytes >= 0)
        out->storage_bytes += sz;
    err_clear(&e2);
    if (container_statistics(p, st->o.timeout_ms, &s, &e2) < 0) {
        note_once(st, st->hosted_note, sizeof(st->hosted_note), &st->hosted_failures, c->name, e2.msg);
    } else {
        out->io_read_bytes = s.io_read_bytes;
        out->io_write_bytes = s.io_write_bytes;
    }
    return 0;
}

static int hcs_sample(struct ctr *c, struct counters *out, struct err *e)
{
    struct hcs_mode *st = c->mode->drv_state;
    struct hcs_ctr *p = c->priv;
    struct hcs_stats s;

    counters_unknown(out);
    if (p == NULL || (p->sys == NULL && p->v1 == NULL))
        return err_set(e, EINVAL, "hcs: no compute system");
    if (st->o.isolation == HCS_ISO_HYPERV)
        return sample_hyperv(c, st, p, out, e);
    if (container_statistics(p, st->o.timeout_ms, &s, e) < 0)
        return -1;
    out->cpu_ns = s.cpu_ns;
    out->mem_commit_bytes = s.mem_commit_bytes;
    out->mem_private_ws_bytes = s.mem_private_ws_bytes;
    out->io_read_bytes = s.io_read_bytes;
    out->io_write_bytes = s.io_write_bytes;
    out->storage_bytes = file_size_on_disk(p->scratch);
    return 0;
}

static int terminate(HCS_SYSTEM sys, int timeout_ms, const char *what, struct err *e)
{
    struct err e2;
    err_clear(&e2);
    if (sys == NULL)
        return 0;
    if (system_call(api.TerminateComputeSystem, sys, NULL, timeout_ms, NULL, what, &e2) < 0) {
        /* already stopped is fine */
        if (strstr(e2.msg, "ALREADY_STOPPED") != NULL || strstr(e2.msg, "SYSTEM_NOT_FOUND") != NULL)
            return 0;
        if (e != NULL)
            *e = e2;
        return -1;
    }
    return 0;
}

static int hcs_stop(struct ctr *c, struct err *e)
{
    const struct hcs_mode *st = c->mode->drv_state;
    struct hcs_ctr *p = c->priv;
    int rc = 0;
    if (p == NULL)
        return 0;
    if (p->v1 != NULL)
        return hcs_v1_terminate(p->v1, st->o.timeout_ms, e);
    if (terminate(p->sys, st->o.timeout_ms, "HcsTerminateComputeSystem", e) < 0)
        rc = -1;
    if (terminate(p->uvm, st->o.timeout_ms, "HcsTerminateComputeSystem (utility VM)", rc < 0 ? NULL : e) < 0)
        rc = -1;
    return rc;
}

static void remove_dir_files(const char *dir)
{
    char pat[HCS_PATH_MAX + 8];
    wchar_t *wpat, *wdir;
    WIN32_FIND_DATAW fd;
    HANDLE h;
    snprintf(pat, sizeof(pat), "%s\\*", dir);
    wpat = win_wide(pat);
    wdir = win_wide(dir);
    if (wpat != NULL && wdir != NULL && (h = FindFirstFileW(wpat, &fd)) != INVALID_HANDLE_VALUE) {
        do {
            wchar_t full[HCS_PATH_MAX * 2];
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                continue;
            _snwprintf(full, sizeof(full) / sizeof(full[0]), L"%ls\\%ls", wdir, fd.cFileName);
            full[sizeof(full) / sizeof(full[0]) - 1] = L'\0';
            DeleteFileW(full);
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    if (wdir != NULL)
        RemoveDirectoryW(wdir);
    free(wpat);
    free(wdir);
}

static int hcs_destroy(struct ctr *c, struct err *e)
{
    struct hcs_ctr *p = c->priv;
    int rc = 0;
    if (p == NULL)
        return 0;
    if (p->out != INVALID_HANDLE_VALUE && p->out != NULL)
        CloseHandle(p->out);
    if (p->proc != NULL)
        api.CloseProcess(p->proc);
    if (p->sys != NULL)
        api.CloseComputeSystem(p->sys);
    if (p->uvm != NULL)
        api.CloseComputeSystem(p->uvm);
    hcs_v1_close(p->v1);
    hcs_vmmem_close(&p->vmmem);
    if (p->filter_attached) {
        HRESULT hr = api.DetachLayerStorageFilter(p->mount);
        if (FAILED(hr) && rc == 0)
            rc = hcs_fail(e, hr, NULL, "HcsDetachLayerStorageFilter %s", p->scratch);
    }
    if (p->mount != NULL)
        LocalFree(p->mount);
    if (p->vhd != INVALID_HANDLE_VALUE && p->vhd != NULL) {
        api.DetachVirtualDisk(p->vhd, DETACH_VIRTUAL_DISK_FLAG_NONE, 0);
        CloseHandle(p->vhd);
    }
    if (p->dir[0] != '\0')
        remove_dir_files(p->dir);
    free(p);
    c->priv = NULL;
    return rc;
}

/* Terminate every isobench compute system of the run (containers before
   their utility VMs) and remove the run's scratch folders. */
static int hcs_cleanup(const char *run_id, int *removed, struct err *e)
{
    HCS_OPERATION op;
    wchar_t *q;
    char *list = NULL;
    static char ids[256][128];
    int n = 0, i, rc = 0;
    HRESULT hr;
    char root[HCS_PATH_MAX], pat[HCS_PATH_MAX + 64];
    wchar_t *wpat;
    WIN32_FIND_DATAW fd;
    HANDLE fh;

    *removed = 0;
    if (api_load(e) < 0) {
        /* without the Host Compute Service nothing of ours can exist */
        err_clear(e);
        return 0;
    }
    op = op_new(e);
    if (op == NULL)
        return -1;
    q = win_wide(HCS_QUERY_ENUMERATE);
    hr = api.EnumerateComputeSystems(q, op);
    free(q);
    if (FAILED(hr))
        return op_fail_sync(op, hr, "HcsEnumerateComputeSystems", e);
    if (op_finish(op, 60000, &list, "HcsEnumerateComputeSystems", e) < 0)
        return -1;
    if (list != NULL && hcs_enum_parse(list, run_id, ids, 256, &n, e) < 0) {
        free(list);
        return -1;
    }
    free(list);
    for (i = 0; i < n; i++) {
        HCS_SYSTEM sys = NULL;
        wchar_t *wid = win_wide(ids[i]);
        hr = wid ? api.OpenComputeSystem(wid, GENERIC_ALL, &sys) : E_OUTOFMEMORY;
        free(wid);
        if (FAILED(hr))
            continue;
        if (terminate(sys, 60000, ids[i], rc < 0 ? NULL : e) < 0)
            rc = -1;
        else
            (*removed)++;
        api.CloseComputeSystem(sys);
    }
    /* scratch folders "<root>\<run id>-<mode>-<index>" of the default root */
    snprintf(root, sizeof(root), "%s\\hcs", image_cache_dir());
    snprintf(pat, sizeof(pat), "%s\\%s*", root, run_id != NULL ? run_id : "");
    wpat = win_wide(pat);
    if (wpat != NULL && (fh = FindFirstFileW(wpat, &fd)) != INVALID_HANDLE_VALUE) {
        do {
            char name[512], dir[HCS_PATH_MAX + 512], vhdx[HCS_PATH_MAX + 600];
            if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || fd.cFileName[0] == L'.')
                continue;
            win_utf8(fd.cFileName, name, sizeof(name));
            snprintf(dir, sizeof(dir), "%s\\%s", root, name);
            /* a scratch disk left attached by a crashed run */
            snprintf(vhdx, sizeof(vhdx), "%s\\sandbox.vhdx", dir);
            if (plat_exists(vhdx)) {
                VIRTUAL_STORAGE_TYPE vst = { VIRTUAL_STORAGE_TYPE_DEVICE_VHDX, VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT };
                wchar_t *wv = win_wide(vhdx);
                HANDLE vh;
                if (wv != NULL && api.OpenVirtualDisk(&vst, wv, VIRTUAL_DISK_ACCESS_DETACH | VIRTUAL_DISK_ACCESS_GET_INFO,
                                                      OPEN_VIRTUAL_DISK_FLAG_NONE, NULL, &vh) == ERROR_SUCCESS) {
                    api.DetachVirtualDisk(vh, DETACH_VIRTUAL_DISK_FLAG_NONE, 0);
                    CloseHandle(vh);
                }
                free(wv);
            }
            remove_dir_files(dir);
            (*removed)++;
        } while (FindNextFileW(fh, &fd));
        FindClose(fh);
    }
    free(wpat);
    return rc;
}

const struct driver driver_hcs = {
    .name = "hcs",
    .unavailable_reason = NULL,
    .isolations = ISO_PROCESS | ISO_VM,
    .probe = hcs_probe,
    .mode_init = hcs_mode_init,
    .mode_fini = hcs_mode_fini,
    .version = hcs_version,
    .facts = hcs_facts,
    .isolation_of = hcs_isolation_of,
    .create = hcs_create,
    .start = hcs_start,
    .wait_output = hcs_wait_output,
    .sample = hcs_sample,
    .stop = hcs_stop,
    .destroy = hcs_destroy,
    .cleanup = hcs_cleanup,
};

#endif /* _WIN32 */
