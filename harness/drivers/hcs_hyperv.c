/*
 * hcs_hyperv.c - the decisions the `hcs` driver makes for Hyper-V isolation
 * and for the host it runs on, kept free of Win32 calls so that they are
 * unit-tested on Linux (tests/test_hcs.c): option normalisation (even VM
 * memory, processors capped at the host's), CPU limits scaled to the
 * processors the container really has, the uppermost layer holding the
 * utility VM image, VSMB shares for mapped folders, the schema-1 Hyper-V
 * container document dockerd uses, the GuestConnection property check, the
 * WS2019 handle rule of HcsFormatWritableLayerVhd, the privilege list and
 * the vmmem account test. hcs.c (Windows) acts on their answers.
 *
 * Facts are from shared/hcs-notes.md, hcsshim (internal/hcs/schema1,
 * schema2/guest_connection_info.go, computestorage/format.go,
 * internal/uvm/stats.go) and moby (libcontainerd/local/local_windows.go).
 */
#include "hcs_doc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *hcs_hv_schema_name(enum hcs_hv_schema s)
{
    switch (s) {
    case HCS_HV_V2: return "v2";
    case HCS_HV_V1: return "v1";
    default: return "auto";
    }
}

static void note(char *notes, size_t n, const char *fmt, int a, int b, const char *why)
{
    size_t len = strlen(notes);
    if (len >= n)
        return;
    snprintf(notes + len, n - len, "%s", len ? "; " : "");
    len = strlen(notes);
    if (len < n)
        snprintf(notes + len, n - len, fmt, a, b, why);
}

void hcs_options_normalise(struct hcs_options *o, int host_logical, char *notes, size_t n)
{
    if (n > 0)
        notes[0] = '\0';
    if (o->uvm_memory_mb_requested == 0)
        o->uvm_memory_mb_requested = o->uvm_memory_mb;
    if (o->uvm_cpus_requested == 0)
        o->uvm_cpus_requested = o->uvm_cpus;
    if (o->uvm_memory_mb % 2 != 0) {
        note(notes, n, "uvm_memory_mb %d -> %d (%s)", o->uvm_memory_mb, o->uvm_memory_mb + 1,
             "HCS wants an even number of MB");
        o->uvm_memory_mb++;
    }
    if (host_logical > 0 && o->uvm_cpus > host_logical) {
        note(notes, n, "uvm_cpus %d -> %d (%s)", o->uvm_cpus, host_logical,
             "HCS refuses more processors than the host's logical processors");
        o->uvm_cpus = host_logical;
    }
}

int hcs_container_cpu_maximum(const struct hcs_options *o, double cpus, int host_cores)
{
    if (o->isolation == HCS_ISO_HYPERV)
        return hcs_processor_maximum(cpus, o->uvm_cpus);
    return hcs_processor_maximum(cpus, host_cores);
}

int hcs_uvm_layer_index(const struct hcs_layer *layers, int n, int (*has_uvm)(const char *path, void *ctx),
                        void *ctx)
{
    int i;
    for (i = 0; i < n; i++)
        if (has_uvm(layers[i].path, ctx))
            return i;
    return -1;
}

void hcs_vsmb_mapped(const struct hcs_mapped_dir *in, int n, struct hcs_mapped_dir *out, char shares[][16])
{
    int i;
    for (i = 0; i < n; i++) {
        snprintf(shares[i], 16, "m%d", i);
        out[i] = in[i];
        snprintf(out[i].host, sizeof(out[i].host), "%s%s", HCS_VSMB_PREFIX, shares[i]);
    }
}

cJSON *hcs_doc_v1_hyperv(const struct hcs_v1_spec *s)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *a, *x;
    int i;

    cJSON_AddStringToObject(d, "SystemType", "Container");
    cJSON_AddStringToObject(d, "Name", s->name);
    cJSON_AddStringToObject(d, "Owner", HCS_OWNER);
    if (s->hostname != NULL && s->hostname[0] != '\0')
        cJSON_AddStringToObject(d, "HostName", s->hostname);
    cJSON_AddStringToObject(d, "LayerFolderPath", s->layer_folder);
    a = cJSON_AddArrayToObject(d, "Layers");
    for (i = 0; i < s->nlayers; i++) {
        x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "ID", s->layers[i].id);
        cJSON_AddStringToObject(x, "Path", s->layers[i].path);
        cJSON_AddItemToArray(a, x);
    }
    cJSON_AddBoolToObject(d, "HvPartition", 1);
    x = cJSON_AddObjectToObject(d, "HvRuntime");
    cJSON_AddStringToObject(x, "ImagePath", s->uvm_image);
    if (s->processor_count > 0)
        cJSON_AddNumberToObject(d, "ProcessorCount", s->processor_count);
    if (s->processor_maximum > 0)
        cJSON_AddNumberToObject(d, "ProcessorMaximum", s->processor_maximum);
    if (s->memory_mb > 0)
        cJSON_AddNumberToObject(d, "MemoryMaximumInMB", (double)s->memory_mb);
    if (s->nmapped > 0) {
        a = cJSON_AddArrayToObject(d, "MappedDirectories");
        for (i = 0; i < s->nmapped; i++) {
            x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "HostPath", s->mapped[i].host);
            cJSON_AddStringToObject(x, "ContainerPath", s->mapped[i].container);
            cJSON_AddBoolToObject(x, "ReadOnly", s->mapped[i].readonly);
            cJSON_AddNumberToObject(x, "BandwidthMaximum", 0);
            cJSON_AddNumberToObject(x, "IOPSMaximum", 0);
            cJSON_AddBoolToObject(x, "CreateInUtilityVM", 0);
            cJSON_AddItemToArray(a, x);
        }
    }
    cJSON_AddBoolToObject(d, "TerminateOnLastHandleClosed", 1);
    return d;
}

int hcs_guest_connection_parse(const char *json, char *detail, size_t n, struct err *e)
{
    cJSON *doc = cJSON_Parse(json != NULL ? json : "");
    const cJSON *gci, *vers, *proto;
    int rc;

    if (n > 0)
        detail[0] = '\0';
    if (doc == NULL || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return err_set(e, EINVAL, "GuestConnection property: not a JSON object");
    }
    gci = cJSON_GetObjectItemCaseSensitive(doc, "GuestConnectionInfo");
    if (gci == NULL || cJSON_IsNull(gci)) {
        snprintf(detail, n, "the answer has no GuestConnectionInfo: HCS holds no connection to the guest "
                            "compute service of the utility VM");
        rc = 0;
        goto out;
    }
    if (!cJSON_IsObject(gci)) {
        cJSON_Delete(doc);
        return err_set(e, EINVAL, "GuestConnection property: GuestConnectionInfo is not an object");
    }
    vers = cJSON_GetObjectItemCaseSensitive(gci, "SupportedSchemaVersions");
    proto = cJSON_GetObjectItemCaseSensitive(gci, "ProtocolVersion");
    if ((cJSON_IsArray(vers) && cJSON_GetArraySize(vers) > 0) || (cJSON_IsNumber(proto) && proto->valuedouble > 0)) {
        const cJSON *v = cJSON_IsArray(vers) ? cJSON_GetArrayItem(vers, cJSON_GetArraySize(vers) - 1) : NULL;
        const cJSON *maj = v ? cJSON_GetObjectItemCaseSensitive(v, "Major") : NULL;
        const cJSON *min = v ? cJSON_GetObjectItemCaseSensitive(v, "Minor") : NULL;
        if (cJSON_IsNumber(maj) && cJSON_IsNumber(min))
            snprintf(detail, n, "guest protocol %d, schema up to %d.%d", cJSON_IsNumber(proto) ? proto->valueint : 0,
                     maj->valueint, min->valueint);
        else
            snprintf(detail, n, "guest protocol %d", cJSON_IsNumber(proto) ? proto->valueint : 0);
        rc = 1;
    } else {
        snprintf(detail, n, "GuestConnectionInfo is empty (no protocol or schema versions): the guest compute "
                            "service did not connect");
        rc = 0;
    }
out:
    cJSON_Delete(doc);
    return rc;
}

int hcs_format_wants_file_handle(unsigned build)
{
    return build != 0 && build <= HCS_BUILD_WS2019;
}

const struct hcs_privilege hcs_privileges[] = {
    { "SeBackupPrivilege", 1, "reading image layers (layer set-up, VSMB shares)" },
    { "SeRestorePrivilege", 1, "writing the writable layer" },
    { "SeManageVolumePrivilege", 1, "formatting and attaching the scratch VHDX" },
    { "SeDebugPrivilege", 0, "opening the utility VM's vmmem process (its memory is unknown without it)" },
};
const int hcs_nprivileges = (int)(sizeof(hcs_privileges) / sizeof(hcs_privileges[0]));

static int eq_nocase(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* a GUID with or without braces: its inner text */
static void strip_braces(const char *s, const char **p, size_t *len)
{
    *p = s;
    *len = strlen(s);
    if (*len >= 2 && s[0] == '{' && s[*len - 1] == '}') {
        (*p)++;
        *len -= 2;
    }
}

int hcs_vmmem_account_match(const char *domain, const char *user, const char *runtime_id)
{
    const char *u, *r;
    size_t ul, rl;
    if (domain == NULL || user == NULL || runtime_id == NULL || runtime_id[0] == '\0')
        return 0;
    if (strlen(domain) != strlen("NT VIRTUAL MACHINE") || !eq_nocase(domain, "NT VIRTUAL MACHINE", strlen(domain)))
        return 0;
    strip_braces(user, &u, &ul);
    strip_braces(runtime_id, &r, &rl);
    return ul == rl && ul > 0 && eq_nocase(u, r, ul);
}
