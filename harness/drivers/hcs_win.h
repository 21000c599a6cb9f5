/*
 * hcs_win.h - what the Windows files of the `hcs` driver share (hcs.c,
 * hcs_host_win.c, hcs_v1_win.c). Include only under _WIN32.
 *
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
#include <stdint.h>

#include "../err.h"

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
