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
/* How a Hyper-V isolated container is made (option "hyperv_schema"):
   v2   a utility VM of our own (schema 2.1) and a container hosted in it
        through HCS's internal guest connection (unverified on WS2022);
   v1   one schema-1 Container document with HvPartition, HCS builds the VM
        itself (dockerd's path, through vmcompute.dll);
   auto v2 while the first utility VM answers the GuestConnection property,
        v1 from the first one that does not (recorded in run.json). */
enum hcs_hv_schema { HCS_HV_AUTO = 0, HCS_HV_V2 = 1, HCS_HV_V1 = 2 };

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
    enum hcs_hv_schema hv_schema;            /* Hyper-V: v2, v1 or auto (default auto) */
    int uvm_memory_mb_requested;             /* before hcs_options_normalise */
    int uvm_cpus_requested;
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
    const char *base_layer;       /* the uppermost layer with a UtilityVM folder:
                                     <it>\UtilityVM\Files is the VM's boot share */
    const char *scratch_vhdx;     /* copy of <it>\UtilityVM\SystemTemplate.vhdx */
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
/* ProcessParameters for HcsCreateProcess (both schemas), run as
   HCS_PROCESS_USER so the mapped payload folder is readable. */
#define HCS_PROCESS_USER "ContainerAdministrator"
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

/* ---- Hyper-V isolation: the pure decisions (hcs_hyperv.c) ---------------- */

const char *hcs_hv_schema_name(enum hcs_hv_schema s);

/* HCS rejects an odd uvm_memory_mb and more utility-VM processors than the
   host has logical processors: round the memory up to even MB, cap the
   processors at host_logical (when > 0). What changed is appended to notes
   ("uvm_memory_mb 1025 -> 1026 (HCS wants an even number of MB)"); the
   requested values stay in uvm_*_requested. */
void hcs_options_normalise(struct hcs_options *o, int host_logical, char *notes, size_t n);

/* Processor.Maximum of a container: `cpus` out of the processors the
   container actually runs on, the host's cores under process isolation and
   the utility VM's uvm_cpus under Hyper-V isolation (1 CPU of a 2-vCPU VM is
   5000, whatever the host has). 0 when cpus <= 0. */
int hcs_container_cpu_maximum(const struct hcs_options *o, double cpus, int host_cores);

/* Index of the uppermost layer (layers are top-most first) holding a
   UtilityVM folder, as dockerd picks the utility VM image; -1 when none.
   has_uvm(path, ctx) answers for one layer folder. */
int hcs_uvm_layer_index(const struct hcs_layer *layers, int n, int (*has_uvm)(const char *path, void *ctx),
                        void *ctx);

/* Under Hyper-V isolation (v2) host folders reach the hosted container only
   through VSMB shares of the utility VM: share i is named "m<i>" and the
   container's HostPath becomes HCS_VSMB_PREFIX "m<i>". out[] gets the
   rewritten entries, shares[i] the share names. */
void hcs_vsmb_mapped(const struct hcs_mapped_dir *in, int n, struct hcs_mapped_dir *out, char shares[][16]);

/* The schema-1 Hyper-V container document (dockerd's libcontainerd/local,
   hcsshim internal/hcs/schema1): SystemType Container, HvPartition true,
   HvRuntime.ImagePath the uppermost <layer>\UtilityVM, Layers [{ID,Path}]
   top-most first, LayerFolderPath the folder holding sandbox.vhdx. */
struct hcs_v1_spec {
    const char *name;              /* compute-system id */
    const char *hostname;          /* NULL = none */
    const char *layer_folder;      /* folder of the container's sandbox.vhdx */
    const struct hcs_layer *layers;
    int nlayers;
    const char *uvm_image;         /* <layer>\UtilityVM */
    const struct hcs_mapped_dir *mapped;
    int nmapped;
    int processor_count;           /* the VM's processors (uvm_cpus) */
    int processor_maximum;         /* 0 = no limit */
    int64_t memory_mb;             /* the VM's memory (MemoryMaximumInMB) */
};
struct cJSON *hcs_doc_v1_hyperv(const struct hcs_v1_spec *s);

/* The GuestConnection property of a started utility VM
   ({"PropertyTypes":["GuestConnection"]}): 1 when HCS holds a guest
   connection (GuestConnectionInfo with a protocol or schema versions),
   0 when it does not (why in detail), -1 on a malformed answer (e). */
#define HCS_QUERY_GUEST_CONNECTION "{\"PropertyTypes\":[\"GuestConnection\"]}"
int hcs_guest_connection_parse(const char *json, char *detail, size_t n, struct err *e);

/* HcsFormatWritableLayerVhd takes a CreateFile handle on Windows Server
   2019 (build 17763) and a virtdisk handle on later builds (hcsshim
   computestorage/format.go). */
#define HCS_BUILD_WS2019 17763u
int hcs_format_wants_file_handle(unsigned build);

/* Privileges isobench enables at start, with whether HCS work fails without
   them: layer set-up and disk attach need Backup, Restore and ManageVolume
   (hcsshim's shims run as SYSTEM, which holds them); Debug only lets the
   utility VM's vmmem process be opened (without it the VM's memory is unknown). */
struct hcs_privilege {
    const char *name;   /* "SeBackupPrivilege" */
    int required;
    const char *why;
};
extern const struct hcs_privilege hcs_privileges[];
extern const int hcs_nprivileges;

/* Is DOMAIN\USER the account a utility VM's vmmem process runs as
   (NT VIRTUAL MACHINE\<RuntimeId>, case-insensitive, braces ignored)? */
int hcs_vmmem_account_match(const char *domain, const char *user, const char *runtime_id);

#endif
