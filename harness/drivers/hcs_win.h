/*
 * hcs_win.h - what the Windows files of the `hcs` driver share (hcs.c:
 * loading, operations, modes, cleanup; hcs_ctr_win.c: one container;
 * hcs_host_win.c; hcs_v1_win.c). Include only under _WIN32.
 *
 *   - the computecore / computestorage / virtdisk entry points, loaded at
 *     run time (hcs_api), and blocking wrappers of HCS operations;
 *   - a mode's state (struct hcs_mode) and the container hooks;
 *   - HCS failures as messages (the HRESULT's name plus the service's own
 *     result document, hcs_doc.c);
 *   - the host side of Hyper-V isolation: the privileges isobench enables,
 *     the Windows build, the utility VM's vmmem process;
 *   - the schema-1 path through vmcompute.dll (dockerd's), used for Hyper-V
 *     isolation when the HCS-managed guest connection is missing.
 */
#ifndef ISOBENCH_HCS_WIN_H
#define ISOBENCH_HCS_WIN_H

#ifdef _WIN32
#include <windows.h>
#include <computedefs.h>
#include <stdint.h>
#include <virtdisk.h>

#include "../driver.h"
#include "../err.h"
#include "hcs_doc.h"

struct cJSON;

/* ---- entry points and operations (hcs.c) ---- */

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
extern struct hcs_api hcs_api;

/* A new operation handle; NULL with e set. */
HCS_OPERATION hcs_op_new(struct err *e);
/* Cancel a timed-out operation; -1 if HCS still holds it (then it is leaked). */
int hcs_op_abandon(HCS_OPERATION op);
/* A call that failed synchronously: the message with the operation's result
   document (ErrorEvents), then the operation closed. Returns -1. */
int hcs_op_fail_sync(HCS_OPERATION op, HRESULT hr, const char *what, struct err *e);
/* A cJSON document as UTF-16 (free()). */
wchar_t *hcs_json_wide(const struct cJSON *doc);
/* One operation on a compute system, waited for; *result (UTF-8, free()) when asked. */
int hcs_system_call(fn_system_op fn, HCS_SYSTEM sys, const char *options, int timeout_ms, char **result,
                    const char *what, struct err *e);
int hcs_create_system(const char *id, const struct cJSON *doc, int timeout_ms, HCS_SYSTEM *sys, struct err *e);
int hcs_modify_system(HCS_SYSTEM sys, const struct cJSON *req, int timeout_ms, const char *what, struct err *e);
/* Terminate; an already stopped or missing system is success. */
int hcs_terminate(HCS_SYSTEM sys, int timeout_ms, const char *what, struct err *e);
/* Delete the files of a folder, then the folder. */
void hcs_remove_dir_files(const char *dir);

/* ---- a mode (hcs.c) and its containers (hcs_ctr_win.c) ---- */

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

int hcs_create(struct ctr *c, struct err *e);
int hcs_start(struct ctr *c, struct err *e);
int hcs_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n, int64_t *t_ns,
                    struct err *e);
int hcs_sample(struct ctr *c, struct counters *out, struct err *e);
int hcs_stop(struct ctr *c, struct err *e);
int hcs_destroy(struct ctr *c, struct err *e);

/* ---- failures ---- */

/* e = "<what>: HCS_E_... (0x..., meaning): <result document's errors>". Returns -1. */
int hcs_fail(struct err *e, HRESULT hr, PWSTR doc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(ERR_PRINTF_ARCHETYPE, 4, 5)))
#endif
    ;
/* Free a result document HCS returned. */
void hcs_free_doc(PWSTR doc);

/* ---- host (hcs_host_win.c) ---- */

/* Enable hcs_privileges[] in the process token, once. Returns -1 (e names
   the privilege and what needs it) when a required one cannot be enabled;
   `notes` lists the optional ones that could not ("SeDebugPrivilege: ..."). */
int hcs_enable_privileges(char *notes, size_t n, struct err *e);
/* The Windows build number (RtlGetVersion), 0 when unknown. */
unsigned hcs_windows_build(void);

/* The vmmem process of one utility VM, found once by its account
   NT VIRTUAL MACHINE\<RuntimeId> (hcsshim internal/uvm/stats.go). */
struct hcs_vmmem {
    HANDLE h;            /* NULL until found */
    DWORD pid;
};
/* Find it among the vmmem processes PDH lists. -1 with the reason in e. */
int hcs_vmmem_find(struct hcs_vmmem *v, const char *runtime_id, struct err *e);
/* Its private working set (PDH "Working Set - Private", paired by
   occurrence), commit (PrivateUsage) and CPU time; -1 where unknown. */
void hcs_vmmem_read(const struct hcs_vmmem *v, int64_t *private_ws, int64_t *commit, int64_t *cpu_ns);
void hcs_vmmem_close(struct hcs_vmmem *v);

/* ---- schema 1 through vmcompute.dll (hcs_v1_win.c) ---- */

struct hcs_v1_system;
/* Load vmcompute.dll's v1 entry points; -1 with the reason when absent. */
int hcs_v1_load(struct err *e);
/* Create and start a compute system from a schema-1 document, waiting for
   each completion notification at most timeout_ms. */
int hcs_v1_create_start(const char *id, const char *doc, int timeout_ms, struct hcs_v1_system **out, struct err *e);
/* Start a process (ProcessParameters JSON); its stdout pipe in *out_pipe. */
int hcs_v1_create_process(struct hcs_v1_system *s, const char *params, HANDLE *out_pipe, struct err *e);
/* A property query; *result (UTF-8, free()) on success. */
int hcs_v1_properties(struct hcs_v1_system *s, const char *query, char **result, struct err *e);
int hcs_v1_terminate(struct hcs_v1_system *s, int timeout_ms, struct err *e);
void hcs_v1_close(struct hcs_v1_system *s);

#endif
#endif
