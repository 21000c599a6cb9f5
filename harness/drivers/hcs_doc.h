/*
 * hcs_doc.h - the platform-neutral half of the `hcs` driver: everything that
 * is JSON or text and can therefore be built and tested on any host.
 *
 *   - mode options ("isolation", "layers", "image_inspect", ...) validated
 *     into struct hcs_options, with the layer chain of a windowsfilter image
 *     read from `docker inspect` output plus the layer's layerchain.json;
 *   - compute-system documents (HCS schema 2.1) built with cJSON: a
 *     process-isolated Container, a Hyper-V utility VM, the container hosted
 *     in it, the HcsModifyComputeSystem requests that give the VM its layers
 *     and scratch disk, ProcessParameters, computestorage's layerData;
 *   - the Statistics property response turned into counters;
 *   - HCS failure documents and HRESULTs turned into readable messages;
 *   - HcsEnumerateComputeSystems output filtered to one run's leftovers;
 *   - the Windows command lines of the idle / exit / cpu workloads.
 * The Win32 half (computecore.dll calls) is in hcs.c under _WIN32.
 */
#ifndef ISOBENCH_HCS_DOC_H
#define ISOBENCH_HCS_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "../err.h"

struct cJSON;

#define HCS_OWNER "isobench"
#define HCS_SCHEMA_MAJOR 2
#define HCS_SCHEMA_MINOR 1
#define HCS_MAX_LAYERS 64
#define HCS_MAX_MAPPED 8
#define HCS_PATH_MAX 1024
/* The VSMB share GUID under which a utility VM sees host shares ([HS] internal/uvm/vsmb.go). */
#define HCS_VSMB_PREFIX "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\"
/* Where the folder holding isobench-payload.exe is mapped (read-only) in every container. */
#define HCS_PAYLOAD_DIR "C:\\isobench"
#define HCS_PAYLOAD_EXE HCS_PAYLOAD_DIR "\\isobench-payload.exe"

/* HRESULTs of the Host Compute Service (HCSHResult.md); winerror.h has none. */
#define HCS_E_TERMINATED_DURING_START 0x80370100u
#define HCS_E_IMAGE_MISMATCH 0x80370101u
#define HCS_E_HYPERV_NOT_INSTALLED 0x80370102u
#define HCS_E_INVALID_STATE 0x80370105u
#define HCS_E_UNEXPECTED_EXIT 0x80370106u
#define HCS_E_TERMINATED 0x80370107u
#define HCS_E_CONNECT_FAILED 0x80370108u
#define HCS_E_CONNECTION_TIMEOUT 0x80370109u
#define HCS_E_CONNECTION_CLOSED 0x8037010Au
#define HCS_E_INVALID_JSON 0x8037010Du
#define HCS_E_SYSTEM_NOT_FOUND 0x8037010Eu
#define HCS_E_SYSTEM_ALREADY_EXISTS 0x8037010Fu
#define HCS_E_SYSTEM_ALREADY_STOPPED 0x80370110u
#define HCS_E_INVALID_LAYER 0x80370112u
#define HCS_E_SERVICE_NOT_AVAILABLE 0x80370114u
#define HCS_E_OPERATION_NOT_STARTED 0x80370115u
#define HCS_E_OPERATION_ALREADY_STARTED 0x80370116u
#define HCS_E_OPERATION_PENDING 0x80370117u
#define HCS_E_OPERATION_TIMEOUT 0x80370118u
#define HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET 0x80370119u
#define HCS_E_ACCESS_DENIED 0x8037011Bu
#define HCS_E_GUEST_CRITICAL_ERROR 0x8037011Cu
#define HCS_E_PROCESS_INFO_NOT_AVAILABLE 0x8037011Du
#define HCS_E_SERVICE_DISCONNECT 0x8037011Eu
#define HCS_E_PROCESS_ALREADY_STOPPED 0x8037011Fu

enum hcs_isolation { HCS_ISO_PROCESS = 0, HCS_ISO_HYPERV = 1 };

struct hcs_layer {
    char id[40];                /* GUID; "" = derive with NameToGuid(basename(path)) at mode_init */
    char path[HCS_PATH_MAX];
};

struct hcs_mapped_dir {
    char host[HCS_PATH_MAX];
    char container[HCS_PATH_MAX];
    int readonly;
};

struct hcs_options {
    enum hcs_isolation isolation;
    struct hcs_layer layers[HCS_MAX_LAYERS]; /* top-most first, base layer last */
    int nlayers;
    char image_inspect[HCS_PATH_MAX];        /* source of the layers, when given */
    int uvm_memory_mb;                       /* Hyper-V: utility VM memory (default 1024) */
    int uvm_cpus;                            /* Hyper-V: utility VM processors (default 2) */
    char command[2048];                      /* "" = the workload's default command line */
    char scratch_dir[HCS_PATH_MAX];          /* "" = <cache>\hcs\<run id> */
    int scratch_size_gb;                     /* maximum size of each dynamic scratch VHDX (20) */
    struct hcs_mapped_dir mapped[HCS_MAX_MAPPED];
    int nmapped;
    int timeout_ms;                          /* every HCS operation wait (default 120000) */
};

/* Validate a mode's options object (NULL = defaults; then layers are missing,
   which is an error). Unknown keys are errors named "modes[i].options.key".
   "image_inspect" is resolved into layers here (files are read). */
int hcs_options_parse(const struct cJSON *opts, int mode_index, struct hcs_options *o, struct err *e);

/* `docker inspect IMAGE` output (an array of one object, or the object):
   GraphDriver.Name must be windowsfilter; GraphDriver.Data.dir is the top layer. */
int hcs_inspect_top_layer(const char *json, char *dir, size_t n, struct err *e);
/* <layer>\layerchain.json: a JSON array of the parent layer folders, nearest first. */
int hcs_layerchain_parse(const char *json, char paths[][HCS_PATH_MAX], int max, int *n, struct err *e);
/* Both together from files: fills o->layers (top first). */
int hcs_layers_from_inspect(const char *inspect_path, struct hcs_options *o, struct err *e);

/* Last path component, for either separator. */
const char *hcs_basename(const char *path);

/* Limits. Processor.Maximum is cycles per 10,000 of the whole host: cpus
   cores out of host_cores, clamped to 1..10000; 0 when cpus <= 0. */
int hcs_processor_maximum(double cpus, int host_cores);
/* Memory.SizeInMB from bytes, rounded up; 0 when bytes <= 0. */
int64_t hcs_memory_mb(int64_t bytes);

struct hcs_container_spec {
    const char *hostname;
    const struct hcs_layer *layers;
    int nlayers;
    const char *scratch_path;     /* process: scratch volume path; hosted: path inside the VM */
    const struct hcs_mapped_dir *mapped;
    int nmapped;
    int processor_maximum;        /* 0 = no limit */
    int processor_count;          /* 0 = unset (hosted containers) */
    int64_t memory_mb;            /* 0 = no limit */
};

/* Whole documents for HcsCreateComputeSystem (caller cJSON_Delete()s). */
struct cJSON *hcs_doc_process_container(const struct hcs_container_spec *c);
struct hcs_uvm_spec {
    const char *base_layer;       /* <base>\UtilityVM\Files is the VM's boot share */
    const char *scratch_vhdx;     /* copy of <base>\UtilityVM\SystemTemplate.vhdx */
    int memory_mb;
    int cpus;
};
struct cJSON *hcs_doc_uvm(const struct hcs_uvm_spec *u);
struct cJSON *hcs_doc_hosted_container(const char *uvm_id, const struct hcs_container_spec *c);

/* HcsModifyComputeSystem requests on a utility VM. */
struct cJSON *hcs_doc_vsmb_add(const char *share, const char *host_path);
struct cJSON *hcs_doc_scsi_add(int lun, const char *vhdx, const char *container_path);
struct cJSON *hcs_doc_combine_layers(const char *container_root, const struct hcs_layer *layers, int n);
/* computestorage layerData: {"SchemaVersion":{..},"Layers":[{"Id","Path"}]}. */
struct cJSON *hcs_doc_layer_data(const struct hcs_layer *layers, int n);
/* ProcessParameters for HcsCreateProcess. */
struct cJSON *hcs_doc_process_params(const char *command_line, int stdout_pipe);

#define HCS_QUERY_STATISTICS "{\"PropertyTypes\":[\"Statistics\"]}"
#define HCS_QUERY_ENUMERATE "{\"Owners\":[\"" HCS_OWNER "\"]}"

/* Counters from a Statistics response (the Properties object or the bare
   Statistics object). Absent fields stay -1; a field of the wrong type is an
   error naming it. */
struct hcs_stats {
    int64_t uptime_ns;
    int64_t cpu_ns, cpu_user_ns, cpu_kernel_ns;  /* Processor.*100ns x 100 */
    int64_t mem_commit_bytes, mem_commit_peak_bytes, mem_private_ws_bytes;
    int64_t io_read_bytes, io_write_bytes, io_read_count, io_write_count;
};
int hcs_stats_parse(const char *json, struct hcs_stats *st, struct err *e);

/* Name and meaning of an HCS HRESULT (0x8037xxxx and the 0xC037xxxx
   variants); NULL when it is not one. */
const char *hcs_hresult_name(uint32_t hr);
const char *hcs_hresult_meaning(uint32_t hr);
/* A failure result document (ResultError: Error, ErrorMessage, ErrorEvents)
   as one line; returns 0 and sets *hr (when present) or -1 if the document
   holds no error. */
int hcs_result_error_parse(const char *json, uint32_t *hr, char *buf, size_t n);
/* "HCS_E_INVALID_JSON (0x8037010D, the JSON document is invalid): <document message>".
   result_doc may be NULL or empty; sys_text (the system's own message, from
   FormatMessage on Windows) may be NULL. */
void hcs_error_format(uint32_t hr, const char *result_doc, const char *sys_text, char *buf, size_t n);

/* Ids of compute systems owned by isobench in an HcsEnumerateComputeSystems
   result, restricted to those containing run_id (NULL = all). Hosted
   containers come before utility VMs ("-uvm" ids) so they are terminated first. */
int hcs_enum_parse(const char *json, const char *run_id, char ids[][128], int max, int *n, struct err *e);

/* Command line run inside the container for a workload (enum workload in
   scenario.h): isobench-payload.exe from the mapped HCS_PAYLOAD_DIR, the
   same program and busy work as in Linux containers. `override` (the
   "command" option) wins when non-empty. */
int hcs_command_line(int workload, int64_t cpu_iterations, const char *override, char *buf, size_t n,
                     struct err *e);

#endif
