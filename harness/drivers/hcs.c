/*
 * hcs.c - the `hcs` driver: Windows containers straight through the Host
 * Compute Service (computecore.dll), without Docker.
 *
 * Two isolation modes, chosen by the mode option "isolation":
 *   process  a Container compute system: a server silo sharing the host
 *            kernel, its image a chain of windowsfilter layer folders, its
 *            writable layer a per-container scratch VHDX prepared with
 *            computestorage.dll (hcs-notes 1a and 4);
 *   hyperv   schema 2: a utility VM booted from the uppermost UtilityVM
 *            folder, the layers given to it over VSMB, the scratch VHDX over
 *            SCSI, and the container hosted inside it through HCS's guest
 *            connection (hcs-notes 1b; unverified in public code since
 *            hcsshim dropped it, so the VM's GuestConnection property is
 *            checked first); or schema 1, dockerd's HvPartition document
 *            through vmcompute.dll (option hyperv_schema, auto by default).
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
 * This file holds the entry points, the operation wrappers, modes (options,
 * privileges, the Hyper-V path), probe, facts and cleanup; one container's
 * life is in hcs_ctr_win.c, the host side (privileges, vmmem) in
 * hcs_host_win.c, the schema-1 path in hcs_v1_win.c (hcs_win.h).
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

/* the entry points: struct hcs_api in hcs_win.h */
struct hcs_api hcs_api;

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
    if (hcs_api.loaded != 0)
        goto done;
    for (i = 0; i < 3; i++) {
        mods[i] = load_system_dll(api_dlls[i]);
        if (mods[i] == NULL) {
            win_error_text(GetLastError(), text, sizeof(text));
            if (i == 0)
                snprintf(hcs_api.why, sizeof(hcs_api.why),
                         "computecore.dll not loadable (%s): the Host Compute Service needs Windows 10 1809 / "
                         "Windows Server 2019 or later with the Containers feature enabled", text);
            else
                snprintf(hcs_api.why, sizeof(hcs_api.why), "%s not loadable (%s)", api_dll_names[i], text);
            goto fail;
        }
    }
    for (i = 0; i < sizeof(api_syms) / sizeof(api_syms[0]); i++) {
        FARPROC p = GetProcAddress(mods[api_syms[i].dll], api_syms[i].sym);
        if (p == NULL) {
            snprintf(hcs_api.why, sizeof(hcs_api.why), "%s has no %s (Windows too old for the HCS v2 API?)",
                     api_dll_names[api_syms[i].dll], api_syms[i].sym);
            goto fail;
        }
        memcpy((char *)&hcs_api + api_syms[i].off, &p, sizeof(p));
    }
    /* NameToGuid is the same algorithm HCS uses for layer ids; optional
       (only needed when a layer is given without its id). */
    vmc = load_system_dll(L"vmcompute.dll");
    if (vmc != NULL) {
        FARPROC p = GetProcAddress(vmc, "NameToGuid");
        memcpy(&hcs_api.NameToGuid, &p, sizeof(p));
    }
    hcs_api.loaded = 1;
    goto done;
fail:
    hcs_api.loaded = -1;
done:
    ReleaseSRWLockExclusive(&api_lock);
    if (hcs_api.loaded < 0)
        return err_set(e, ENOSYS, "hcs: %s", hcs_api.why);
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
int hcs_op_abandon(HCS_OPERATION op)
{
    PWSTR doc = NULL;
    HRESULT hr;
    hcs_api.CancelOperation(op);
    hr = hcs_api.WaitForOperationResult(op, 10000, &doc);
    hcs_free_doc(doc);
    if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT)
        return -1; /* leak it rather than free it under HCS */
    hcs_api.CloseOperation(op);
    return 0;
}

/* Wait for an operation; on timeout cancel it and give it a moment to wind
   down (handles must not be freed while HCS still uses them). The result
   document is returned in *result (UTF-8, free()) when asked for. */
static int op_finish(HCS_OPERATION op, int timeout_ms, char **result, const char *what, struct err *e)
{
    PWSTR doc = NULL;
    HRESULT hr = hcs_api.WaitForOperationResult(op, (DWORD)timeout_ms, &doc);
    int rc = 0;
    if (result != NULL)
        *result = NULL;
    if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT) {
        hcs_free_doc(doc);
        if (hcs_op_abandon(op) < 0)
            return err_set(e, ETIMEDOUT, "%s: no answer within %d ms (cancelled; still pending)", what, timeout_ms);
        return err_set(e, ETIMEDOUT, "%s: no answer within %d ms (cancelled)", what, timeout_ms);
    }
    if (FAILED(hr))
        rc = hcs_fail(e, hr, doc, "%s", what);
    else if (result != NULL && doc != NULL)
        *result = win_utf8_dup(doc);
    hcs_free_doc(doc);
    hcs_api.CloseOperation(op);
    return rc;
}

HCS_OPERATION hcs_op_new(struct err *e)
{
    HCS_OPERATION op = hcs_api.CreateOperation(NULL, NULL);
    if (op == NULL)
        err_win(e, GetLastError(), "HcsCreateOperation");
    return op;
}

/* A call that failed synchronously: its operation may still hold the
   service's result document (ErrorEvents); take it before closing. */
int hcs_op_fail_sync(HCS_OPERATION op, HRESULT hr, const char *what, struct err *e)
{
    PWSTR doc = NULL;
    int rc;
    hcs_api.WaitForOperationResult(op, 0, &doc);
    rc = hcs_fail(e, hr, doc, "%s", what);
    hcs_free_doc(doc);
    hcs_api.CloseOperation(op);
    return rc;
}

wchar_t *hcs_json_wide(const cJSON *doc)
{
    char *s = cJSON_PrintUnformatted(doc);
    wchar_t *w = s ? win_wide(s) : NULL;
    free(s);
    return w;
}

int hcs_system_call(fn_system_op fn, HCS_SYSTEM sys, const char *options, int timeout_ms, char **result,
                       const char *what, struct err *e)
{
    HCS_OPERATION op = hcs_op_new(e);
    wchar_t *w = NULL;
    HRESULT hr;
    if (op == NULL)
        return -1;
    if (options != NULL && (w = win_wide(options)) == NULL) {
        hcs_api.CloseOperation(op);
        return err_set(e, EINVAL, "%s: bad options", what);
    }
    hr = fn(sys, op, w);
    free(w);
    if (FAILED(hr))
        return hcs_op_fail_sync(op, hr, what, e);
    return op_finish(op, timeout_ms, result, what, e);
}

int hcs_create_system(const char *id, const cJSON *doc, int timeout_ms, HCS_SYSTEM *sys, struct err *e)
{
    HCS_OPERATION op = hcs_op_new(e);
    wchar_t *wid = win_wide(id), *wdoc = hcs_json_wide(doc);
    HRESULT hr;
    int rc = -1;
    *sys = NULL;
    if (op == NULL || wid == NULL || wdoc == NULL) {
        if (op != NULL)
            hcs_api.CloseOperation(op);
        if (op != NULL)
            err_set(e, ENOMEM, "HcsCreateComputeSystem %s: out of memory", id);
        goto out;
    }
    hr = hcs_api.CreateComputeSystem(wid, wdoc, op, NULL, sys);
    if (FAILED(hr)) {
        char what[192];
        snprintf(what, sizeof(what), "HcsCreateComputeSystem %s", id);
        hcs_op_fail_sync(op, hr, what, e);
        goto out;
    }
    rc = op_finish(op, timeout_ms, NULL, "HcsCreateComputeSystem", e);
out:
    free(wid);
    free(wdoc);
    return rc;
}

int hcs_modify_system(HCS_SYSTEM sys, const cJSON *req, int timeout_ms, const char *what, struct err *e)
{
    HCS_OPERATION op = hcs_op_new(e);
    wchar_t *w = hcs_json_wide(req);
    HRESULT hr;
    if (op == NULL || w == NULL) {
        if (op != NULL)
            hcs_api.CloseOperation(op);
        free(w);
        return op == NULL ? -1 : err_set(e, ENOMEM, "%s: out of memory", what);
    }
    hr = hcs_api.ModifyComputeSystem(sys, op, w, NULL);
    free(w);
    if (FAILED(hr))
        return hcs_op_fail_sync(op, hr, what, e);
    return op_finish(op, timeout_ms, NULL, what, e);
}

/* ---- mode state ----------------------------------------------------------- */

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
        if (hcs_api.NameToGuid == NULL)
            return err_set(e, ENOSYS, "layer %s has no \"id\" and vmcompute.dll (NameToGuid) is not available",
                           o->layers[i].path);
        w = win_wide(hcs_basename(o->layers[i].path));
        if (w == NULL)
            return err_set(e, EINVAL, "layer %s: not UTF-8", o->layers[i].path);
        hr = hcs_api.NameToGuid(w, &g);
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
    op = hcs_op_new(e);
    if (op == NULL)
        return -1;
    q = win_wide(HCS_QUERY_ENUMERATE);
    hr = hcs_api.EnumerateComputeSystems(q, op);
    free(q);
    if (FAILED(hr))
        return hcs_op_fail_sync(op, hr, "hcs: HcsEnumerateComputeSystems (is the vmcompute service running?)", e);
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

int hcs_terminate(HCS_SYSTEM sys, int timeout_ms, const char *what, struct err *e)
{
    struct err e2;
    err_clear(&e2);
    if (sys == NULL)
        return 0;
    if (hcs_system_call(hcs_api.TerminateComputeSystem, sys, NULL, timeout_ms, NULL, what, &e2) < 0) {
        /* already stopped is fine */
        if (strstr(e2.msg, "ALREADY_STOPPED") != NULL || strstr(e2.msg, "SYSTEM_NOT_FOUND") != NULL)
            return 0;
        if (e != NULL)
            *e = e2;
        return -1;
    }
    return 0;
}

void hcs_remove_dir_files(const char *dir)
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
    op = hcs_op_new(e);
    if (op == NULL)
        return -1;
    q = win_wide(HCS_QUERY_ENUMERATE);
    hr = hcs_api.EnumerateComputeSystems(q, op);
    free(q);
    if (FAILED(hr))
        return hcs_op_fail_sync(op, hr, "HcsEnumerateComputeSystems", e);
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
        hr = wid ? hcs_api.OpenComputeSystem(wid, GENERIC_ALL, &sys) : E_OUTOFMEMORY;
        free(wid);
        if (FAILED(hr))
            continue;
        if (hcs_terminate(sys, 60000, ids[i], rc < 0 ? NULL : e) < 0)
            rc = -1;
        else
            (*removed)++;
        hcs_api.CloseComputeSystem(sys);
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
                if (wv != NULL && hcs_api.OpenVirtualDisk(&vst, wv, VIRTUAL_DISK_ACCESS_DETACH | VIRTUAL_DISK_ACCESS_GET_INFO,
                                                      OPEN_VIRTUAL_DISK_FLAG_NONE, NULL, &vh) == ERROR_SUCCESS) {
                    hcs_api.DetachVirtualDisk(vh, DETACH_VIRTUAL_DISK_FLAG_NONE, 0);
                    CloseHandle(vh);
                }
                free(wv);
            }
            hcs_remove_dir_files(dir);
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
