/*
 * hcs_ctr_win.c - one container of the `hcs` driver (Windows only): its
 * scratch VHDX (formatted with the handle type the build wants), the
 * process-isolated Container, or under Hyper-V isolation either a utility VM
 * of our own with the container hosted in it (schema 2, after checking the
 * VM's GuestConnection property) or dockerd's schema-1 document through
 * vmcompute.dll, chosen per mode (hyperv_schema, auto switching once);
 * the workload process as ContainerAdministrator; samples (Hyper-V: the
 * utility VM first, its vmmem process for memory and commit, the hosted
 * container's statistics optional); stop and destroy.
 *
 * The mode, the HCS entry points and the operation wrappers are in hcs.c
 * (hcs_win.h).
 */
#include "../driver.h"
#include "../plat.h"
#include "../plat_win.h"
#include "../scenario.h"
#include "hcs_doc.h"
#include "hcs_win.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    rc = hcs_api.CreateVirtualDisk(&vst, w, VIRTUAL_DISK_ACCESS_NONE, NULL, CREATE_VIRTUAL_DISK_FLAG_NONE, 0,
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
        hr = hcs_api.FormatWritableLayerVhd(*vhd);
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
    hr = hcs_api.FormatWritableLayerVhd(f);
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
        rc = hcs_api.OpenVirtualDisk(&vst, w, VIRTUAL_DISK_ACCESS_NONE, OPEN_VIRTUAL_DISK_FLAG_NONE, &op, vhd);
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
    wchar_t *wld = hcs_json_wide(ld);
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
    rc = hcs_api.AttachVirtualDisk(p->vhd, NULL, ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, 0, &ap, NULL);
    if (rc != ERROR_SUCCESS) {
        err_win(e, rc, "AttachVirtualDisk %s", p->scratch);
        goto out;
    }
    hr = hcs_api.GetLayerVhdMountPath(p->vhd, &p->mount);
    if (FAILED(hr)) {
        hcs_fail(e, hr, NULL, "HcsGetLayerVhdMountPath %s", p->scratch);
        goto out;
    }
    hr = hcs_api.InitializeWritableLayer(p->mount, wld, NULL);
    if (FAILED(hr)) {
        hcs_fail(e, hr, NULL, "HcsInitializeWritableLayer %s", p->scratch);
        goto out;
    }
    hr = hcs_api.AttachLayerStorageFilter(p->mount, wld);
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
    HRESULT hr = (wid && wp) ? hcs_api.GrantVmAccess(wid, wp) : E_OUTOFMEMORY;
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
    rc = hcs_create_system(c->name, doc, st->o.timeout_ms, &p->sys, e);
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
    if (hcs_system_call(hcs_api.GetComputeSystemProperties, p->uvm, "{}", timeout_ms, &doc, "HcsGetComputeSystemProperties (utility VM)", e) < 0)
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
    if (hcs_system_call(hcs_api.GetComputeSystemProperties, p->uvm, HCS_QUERY_GUEST_CONNECTION, timeout_ms, &doc,
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
    rc = hcs_create_system(p->uvm_id, doc, st->o.timeout_ms, &p->uvm, e);
    cJSON_Delete(doc);
    if (rc < 0)
        return err_wrap(e, "utility VM");
    if (hcs_system_call(hcs_api.StartComputeSystem, p->uvm, NULL, st->o.timeout_ms, NULL, "HcsStartComputeSystem (utility VM)", e) < 0)
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
    rc = hcs_modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: add scratch disk", e);
    cJSON_Delete(doc);
    if (rc < 0)
        return -1;

    /* 3. each layer as a read-only VSMB share, then merged in the guest */
    for (i = 0; i < st->o.nlayers; i++) {
        char share[16];
        snprintf(share, sizeof(share), "s%d", i + 1);
        doc = hcs_doc_vsmb_add(share, st->o.layers[i].path);
        rc = hcs_modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: add layer share", e);
        cJSON_Delete(doc);
        if (rc < 0)
            return err_wrap(e, "%s", st->o.layers[i].path);
        snprintf(guest[i].id, sizeof(guest[i].id), "%s", st->o.layers[i].id);
        snprintf(guest[i].path, sizeof(guest[i].path), "%s%s", HCS_VSMB_PREFIX, share);
    }
    doc = hcs_doc_combine_layers(root, guest, st->o.nlayers);
    rc = hcs_modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: combine layers", e);
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
        rc = hcs_modify_system(p->uvm, doc, st->o.timeout_ms, "utility VM: add a mapped folder's share", e);
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
    rc = hcs_create_system(c->name, doc, st->o.timeout_ms, &p->sys, e);
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
        hcs_system_call(hcs_api.TerminateComputeSystem, p->sys, NULL, timeout_ms, NULL, "terminate", &e2);
        hcs_api.CloseComputeSystem(p->sys);
        p->sys = NULL;
    }
    if (p->uvm != NULL) {
        hcs_system_call(hcs_api.TerminateComputeSystem, p->uvm, NULL, timeout_ms, NULL, "terminate", &e2);
        hcs_api.CloseComputeSystem(p->uvm);
        p->uvm = NULL;
    }
    p->uvm_started = 0;
    p->runtime_id[0] = '\0';
    if (p->uvm_vhdx[0] != '\0') {
        /* schema 1 boots HCS's own VM: our copy of the template is unused */
        wchar_t *w = win_wide(p->uvm_vhdx);
        if (w != NULL)
            DeleteFileW(w);
        free(w);
        p->uvm_vhdx[0] = '\0';
    }
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

int hcs_create(struct ctr *c, struct err *e)
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

int hcs_start(struct ctr *c, struct err *e)
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
    wparams = hcs_json_wide(params);
    cJSON_Delete(params);
    if (wparams == NULL)
        return err_set(e, ENOMEM, "ProcessParameters: out of memory");
    if (hcs_system_call(hcs_api.StartComputeSystem, p->sys, NULL, st->o.timeout_ms, NULL, "HcsStartComputeSystem", e) < 0) {
        free(wparams);
        return -1;
    }
    op = hcs_op_new(e);
    if (op == NULL) {
        free(wparams);
        return -1;
    }
    hr = hcs_api.CreateProcess(p->sys, wparams, op, NULL, &p->proc);
    free(wparams);
    if (FAILED(hr))
        return hcs_op_fail_sync(op, hr, "HcsCreateProcess", e);
    memset(&pi, 0, sizeof(pi));
    hr = hcs_api.WaitForOperationResultAndProcessInfo(op, (DWORD)st->o.timeout_ms, &pi, &doc);
    if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT) {
        hcs_free_doc(doc);
        hcs_op_abandon(op);
        return err_set(e, ETIMEDOUT, "HcsCreateProcess: no answer within %d ms (cancelled)", st->o.timeout_ms);
    }
    hcs_api.CloseOperation(op);
    if (FAILED(hr) && p->proc != NULL) {
        /* WS2022 process isolation can report a false failure with a valid
           process handle: ask again ([HS] internal/hcs/v2/system.go). */
        HRESULT first = hr;
        PWSTR first_doc = doc;
        doc = NULL;
        op = hcs_op_new(e);
        if (op == NULL) {
            hcs_free_doc(first_doc);
            return -1;
        }
        hr = hcs_api.GetProcessInfo(p->proc, op);
        if (SUCCEEDED(hr))
            hr = hcs_api.WaitForOperationResultAndProcessInfo(op, (DWORD)st->o.timeout_ms, &pi, &doc);
        if ((uint32_t)hr == HCS_E_OPERATION_TIMEOUT)
            hcs_op_abandon(op);
        else
            hcs_api.CloseOperation(op);
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

int hcs_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n, int64_t *t_ns,
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
        rc = hcs_system_call(hcs_api.GetComputeSystemProperties, p->sys, HCS_QUERY_STATISTICS, timeout_ms, &doc,
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
        if (hcs_system_call(hcs_api.GetComputeSystemProperties, p->uvm, HCS_QUERY_STATISTICS, st->o.timeout_ms, &doc,
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

int hcs_sample(struct ctr *c, struct counters *out, struct err *e)
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

int hcs_stop(struct ctr *c, struct err *e)
{
    const struct hcs_mode *st = c->mode->drv_state;
    struct hcs_ctr *p = c->priv;
    int rc = 0;
    if (p == NULL)
        return 0;
    if (p->v1 != NULL)
        return hcs_v1_terminate(p->v1, st->o.timeout_ms, e);
    if (hcs_terminate(p->sys, st->o.timeout_ms, "HcsTerminateComputeSystem", e) < 0)
        rc = -1;
    if (hcs_terminate(p->uvm, st->o.timeout_ms, "HcsTerminateComputeSystem (utility VM)", rc < 0 ? NULL : e) < 0)
        rc = -1;
    return rc;
}

int hcs_destroy(struct ctr *c, struct err *e)
{
    struct hcs_ctr *p = c->priv;
    int rc = 0;
    if (p == NULL)
        return 0;
    if (p->out != INVALID_HANDLE_VALUE && p->out != NULL)
        CloseHandle(p->out);
    if (p->proc != NULL)
        hcs_api.CloseProcess(p->proc);
    if (p->sys != NULL)
        hcs_api.CloseComputeSystem(p->sys);
    if (p->uvm != NULL)
        hcs_api.CloseComputeSystem(p->uvm);
    hcs_v1_close(p->v1);
    hcs_vmmem_close(&p->vmmem);
    if (p->filter_attached) {
        HRESULT hr = hcs_api.DetachLayerStorageFilter(p->mount);
        if (FAILED(hr) && rc == 0)
            rc = hcs_fail(e, hr, NULL, "HcsDetachLayerStorageFilter %s", p->scratch);
    }
    if (p->mount != NULL)
        LocalFree(p->mount);
    if (p->vhd != INVALID_HANDLE_VALUE && p->vhd != NULL) {
        hcs_api.DetachVirtualDisk(p->vhd, DETACH_VIRTUAL_DISK_FLAG_NONE, 0);
        CloseHandle(p->vhd);
    }
    if (p->dir[0] != '\0')
        hcs_remove_dir_files(p->dir);
    free(p);
    c->priv = NULL;
    return rc;
}
