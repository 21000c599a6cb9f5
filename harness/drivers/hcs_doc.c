/*
 * hcs_doc.c - JSON documents, options, statistics and error text for the
 * `hcs` driver (see hcs_doc.h). Plain C and cJSON only: this file builds and
 * is tested on Linux; hcs.c feeds its output to computecore.dll on Windows.
 *
 * Document shapes follow HCS schema 2.1 (Virtualization-Documentation
 * SchemaReference, hcsshim internal/hcs/schema2) as summarised in
 * shared/hcs-notes.md sections 1 to 4.
 */
#include "hcs_doc.h"
#include "../driver.h"
#include "../input.h"
#include "../scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, struct err *e)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (f == NULL) {
        err_sys(e, errno, "open %s", path);
        return NULL;
    }
    for (;;) {
        size_t r;
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap + 65536);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                err_set(e, ENOMEM, "read %s: out of memory", path);
                return NULL;
            }
            buf = nb;
            cap += 65536;
        }
        r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        err_sys(e, EIO, "read %s", path);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    /* a UTF-8 byte order mark (PowerShell's Out-File writes one) */
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        memmove(buf, buf + 3, len - 2);
    return buf;
}

const char *hcs_basename(const char *path)
{
    const char *end = path + strlen(path);
    const char *p;
    /* ignore trailing separators */
    while (end > path && (end[-1] == '\\' || end[-1] == '/'))
        end--;
    for (p = end; p > path; p--)
        if (p[-1] == '\\' || p[-1] == '/')
            break;
    return p;
}

static int copy_str(char *dst, size_t n, const char *src, const char *field, struct err *e)
{
    if (strlen(src) >= n)
        return err_set(e, EINVAL, "%s: longer than %zu characters", field, n - 1);
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

static int guid_valid(const char *s)
{
    int i;
    if (strlen(s) != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                     (s[i] >= 'A' && s[i] <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

int hcs_inspect_top_layer(const char *json, char *dir, size_t n, struct err *e)
{
    cJSON *doc = cJSON_Parse(json);
    const cJSON *obj, *gd, *name, *data, *d;
    int rc = -1;

    if (doc == NULL)
        return err_set(e, EINVAL, "not valid JSON (near \"%.20s\")",
                       cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
    obj = doc;
    if (cJSON_IsArray(doc)) {
        if (cJSON_GetArraySize(doc) != 1) {
            err_set(e, EINVAL, "expected the inspect output of exactly one image, got %d",
                    cJSON_GetArraySize(doc));
            goto out;
        }
        obj = cJSON_GetArrayItem(doc, 0);
    }
    gd = cJSON_GetObjectItemCaseSensitive(obj, "GraphDriver");
    if (!cJSON_IsObject(gd)) {
        err_set(e, EINVAL, "no GraphDriver object (is this `docker inspect` output?)");
        goto out;
    }
    name = cJSON_GetObjectItemCaseSensitive(gd, "Name");
    if (cJSON_IsString(name) && strcmp(name->valuestring, "windowsfilter") != 0) {
        err_set(e, EINVAL, "GraphDriver.Name is \"%s\": only windowsfilter images have Windows layer folders",
                name->valuestring);
        goto out;
    }
    data = cJSON_GetObjectItemCaseSensitive(gd, "Data");
    d = cJSON_IsObject(data) ? cJSON_GetObjectItemCaseSensitive(data, "dir") : NULL;
    if (!cJSON_IsString(d) || d->valuestring[0] == '\0') {
        err_set(e, EINVAL, "GraphDriver.Data.dir missing");
        goto out;
    }
    rc = copy_str(dir, n, d->valuestring, "GraphDriver.Data.dir", e);
out:
    cJSON_Delete(doc);
    return rc;
}

int hcs_layerchain_parse(const char *json, char paths[][HCS_PATH_MAX], int max, int *n, struct err *e)
{
    cJSON *doc = cJSON_Parse(json);
    const cJSON *it;
    int rc = -1, i = 0;

    *n = 0;
    if (doc == NULL)
        return err_set(e, EINVAL, "not valid JSON");
    if (cJSON_IsNull(doc)) { /* a base layer's chain is written as null */
        cJSON_Delete(doc);
        return 0;
    }
    if (!cJSON_IsArray(doc)) {
        err_set(e, EINVAL, "expected an array of layer folders");
        goto out;
    }
    cJSON_ArrayForEach(it, doc) {
        char field[32];
        if (!cJSON_IsString(it)) {
            err_set(e, EINVAL, "[%d]: expected a string", i);
            goto out;
        }
        if (i >= max) {
            err_set(e, E2BIG, "more than %d layers", max);
            goto out;
        }
        snprintf(field, sizeof(field), "[%d]", i);
        if (copy_str(paths[i], HCS_PATH_MAX, it->valuestring, field, e) < 0)
            goto out;
        i++;
    }
    *n = i;
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

int hcs_layers_from_inspect(const char *inspect_path, struct hcs_options *o, struct err *e)
{
    char *text, *chain_text;
    char top[HCS_PATH_MAX], chain_path[HCS_PATH_MAX + 32];
    static char parents[HCS_MAX_LAYERS][HCS_PATH_MAX];
    int nparents = 0, i;
    const char *sep;

    text = slurp(inspect_path, e);
    if (text == NULL)
        return -1;
    if (hcs_inspect_top_layer(text, top, sizeof(top), e) < 0) {
        free(text);
        return err_wrap(e, "%s", inspect_path);
    }
    free(text);
    sep = strchr(top, '\\') != NULL ? "\\" : "/";
    snprintf(chain_path, sizeof(chain_path), "%s%slayerchain.json", top, sep);
    chain_text = slurp(chain_path, e);
    if (chain_text == NULL) {
        if (e != NULL && e->code != ENOENT)
            return -1;
        /* no layerchain.json: the image is a single base layer */
        err_clear(e);
    } else {
        if (hcs_layerchain_parse(chain_text, parents, HCS_MAX_LAYERS - 1, &nparents, e) < 0) {
            free(chain_text);
            return err_wrap(e, "%s", chain_path);
        }
        free(chain_text);
    }
    memset(o->layers, 0, sizeof(o->layers));
    snprintf(o->layers[0].path, sizeof(o->layers[0].path), "%s", top);
    for (i = 0; i < nparents; i++)
        snprintf(o->layers[i + 1].path, sizeof(o->layers[i + 1].path), "%s", parents[i]);
    o->nlayers = nparents + 1;
    return 0;
}

static int opt_int(const cJSON *v, const char *field, int lo, int hi, int *out, struct err *e)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return err_set(e, EINVAL, "%s: expected an integer from %d to %d", field, lo, hi);
    *out = (int)v->valuedouble;
    return 0;
}

static int opt_str(const cJSON *v, const char *field, char *dst, size_t n, struct err *e)
{
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        return err_set(e, EINVAL, "%s: expected a non-empty string", field);
    return copy_str(dst, n, v->valuestring, field, e);
}

int hcs_options_parse(const cJSON *opts, int mode_index, struct hcs_options *o, struct err *e)
{
    const cJSON *it;
    char field[160];

    memset(o, 0, sizeof(*o));
    o->isolation = HCS_ISO_PROCESS;
    o->uvm_memory_mb = 1024;
    o->uvm_cpus = 2;
    o->scratch_size_gb = 20;
    o->timeout_ms = 120000;
    o->hv_schema = HCS_HV_AUTO;
    if (opts != NULL && !cJSON_IsObject(opts))
        return err_set(e, EINVAL, "modes[%d].options: expected an object", mode_index);
    cJSON_ArrayForEach(it, opts) {
        const char *k = it->string;
        snprintf(field, sizeof(field), "modes[%d].options.%s", mode_index, k);
        if (strcmp(k, "isolation") == 0) {
            if (cJSON_IsString(it) && strcmp(it->valuestring, "process") == 0)
                o->isolation = HCS_ISO_PROCESS;
            else if (cJSON_IsString(it) && strcmp(it->valuestring, "hyperv") == 0)
                o->isolation = HCS_ISO_HYPERV;
            else
                return err_set(e, EINVAL, "%s: expected \"process\" or \"hyperv\"", field);
        } else if (strcmp(k, "layers") == 0) {
            const cJSON *l;
            int i = 0;
            if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) == 0)
                return err_set(e, EINVAL, "%s: expected a non-empty array of layer folders (top-most first)",
                               field);
            if (cJSON_GetArraySize(it) > HCS_MAX_LAYERS)
                return err_set(e, EINVAL, "%s: more than %d layers", field, HCS_MAX_LAYERS);
            cJSON_ArrayForEach(l, it) {
                char lf[200];
                snprintf(lf, sizeof(lf), "%s[%d]", field, i);
                if (cJSON_IsString(l)) {
                    if (opt_str(l, lf, o->layers[i].path, sizeof(o->layers[i].path), e) < 0)
                        return -1;
                } else if (cJSON_IsObject(l)) {
                    const cJSON *p = cJSON_GetObjectItemCaseSensitive(l, "path");
                    const cJSON *id = cJSON_GetObjectItemCaseSensitive(l, "id");
                    const cJSON *x;
                    cJSON_ArrayForEach(x, l) {
                        if (strcmp(x->string, "path") != 0 && strcmp(x->string, "id") != 0)
                            return err_set(e, EINVAL, "%s.%s: unknown key (expected path, id)", lf, x->string);
                    }
                    if (opt_str(p, lf, o->layers[i].path, sizeof(o->layers[i].path), e) < 0)
                        return err_wrap(e, "path");
                    if (id != NULL) {
                        if (!cJSON_IsString(id) || !guid_valid(id->valuestring))
                            return err_set(e, EINVAL, "%s.id: expected a GUID like 6ba9cac1-7086-5ee9-a197-c465d3f50ad7", lf);
                        snprintf(o->layers[i].id, sizeof(o->layers[i].id), "%s", id->valuestring);
                    }
                } else {
                    return err_set(e, EINVAL, "%s: expected a folder path or {\"path\",\"id\"}", lf);
                }
                i++;
            }
            o->nlayers = i;
        } else if (strcmp(k, "image_inspect") == 0) {
            if (opt_str(it, field, o->image_inspect, sizeof(o->image_inspect), e) < 0)
                return -1;
        } else if (strcmp(k, "uvm_memory_mb") == 0) {
            if (opt_int(it, field, 256, 1048576, &o->uvm_memory_mb, e) < 0)
                return -1;
        } else if (strcmp(k, "uvm_cpus") == 0) {
            if (opt_int(it, field, 1, 1024, &o->uvm_cpus, e) < 0)
                return -1;
        } else if (strcmp(k, "command") == 0) {
            if (opt_str(it, field, o->command, sizeof(o->command), e) < 0)
                return -1;
        } else if (strcmp(k, "scratch_dir") == 0) {
            if (opt_str(it, field, o->scratch_dir, sizeof(o->scratch_dir), e) < 0)
                return -1;
        } else if (strcmp(k, "scratch_size_gb") == 0) {
            if (opt_int(it, field, 1, 65536, &o->scratch_size_gb, e) < 0)
                return -1;
        } else if (strcmp(k, "timeout_ms") == 0) {
            if (opt_int(it, field, 1000, 3600000, &o->timeout_ms, e) < 0)
                return -1;
        } else if (strcmp(k, "hyperv_schema") == 0) {
            int v;
            for (v = HCS_HV_AUTO; v <= HCS_HV_V1; v++)
                if (cJSON_IsString(it) && strcmp(it->valuestring, hcs_hv_schema_name((enum hcs_hv_schema)v)) == 0)
                    break;
            if (v > HCS_HV_V1)
                return err_set(e, EINVAL, "%s: expected \"auto\", \"v2\" or \"v1\"", field);
            o->hv_schema = (enum hcs_hv_schema)v;
        } else if (strcmp(k, "mapped_dirs") == 0) {
            const cJSON *m;
            int i = 0;
            if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) > HCS_MAX_MAPPED)
                return err_set(e, EINVAL, "%s: expected an array of at most %d {\"host\",\"container\",\"readonly\"}",
                               field, HCS_MAX_MAPPED);
            cJSON_ArrayForEach(m, it) {
                char mf[200];
                const cJSON *x;
                snprintf(mf, sizeof(mf), "%s[%d]", field, i);
                if (!cJSON_IsObject(m))
                    return err_set(e, EINVAL, "%s: expected an object", mf);
                o->mapped[i].readonly = 1;
                cJSON_ArrayForEach(x, m) {
                    if (strcmp(x->string, "host") == 0) {
                        if (opt_str(x, mf, o->mapped[i].host, sizeof(o->mapped[i].host), e) < 0)
                            return err_wrap(e, "host");
                    } else if (strcmp(x->string, "container") == 0) {
                        if (opt_str(x, mf, o->mapped[i].container, sizeof(o->mapped[i].container), e) < 0)
                            return err_wrap(e, "container");
                    } else if (strcmp(x->string, "readonly") == 0) {
                        if (!cJSON_IsBool(x))
                            return err_set(e, EINVAL, "%s.readonly: expected true or false", mf);
                        o->mapped[i].readonly = cJSON_IsTrue(x);
                    } else {
                        return err_set(e, EINVAL, "%s.%s: unknown key (expected host, container, readonly)", mf,
                                       x->string);
                    }
                }
                if (o->mapped[i].host[0] == '\0' || o->mapped[i].container[0] == '\0')
                    return err_set(e, EINVAL, "%s: needs both host and container", mf);
                i++;
            }
            o->nmapped = i;
        } else {
            return err_set(e, EINVAL,
                           "%s: unknown option (expected isolation, layers, image_inspect, uvm_memory_mb, "
                           "uvm_cpus, hyperv_schema, command, scratch_dir, scratch_size_gb, timeout_ms, mapped_dirs)",
                           field);
        }
    }
    if (o->nlayers > 0 && o->image_inspect[0] != '\0')
        return err_set(e, EINVAL, "modes[%d].options: give either \"layers\" or \"image_inspect\", not both",
                       mode_index);
    if (o->image_inspect[0] != '\0') {
        if (hcs_layers_from_inspect(o->image_inspect, o, e) < 0)
            return err_wrap(e, "modes[%d].options.image_inspect", mode_index);
    }
    if (o->nlayers == 0)
        return err_set(e, EINVAL,
                       "modes[%d].options: the hcs driver needs the image as \"layers\" (layer folders, "
                       "top-most first) or \"image_inspect\" (a `docker inspect` JSON file of a windowsfilter image)",
                       mode_index);
    o->uvm_memory_mb_requested = o->uvm_memory_mb;
    o->uvm_cpus_requested = o->uvm_cpus;
    return 0;
}

int hcs_processor_maximum(double cpus, int host_cores)
{
    double m;
    if (cpus <= 0 || host_cores <= 0)
        return 0;
    m = ceil(cpus * 10000.0 / host_cores);
    if (m < 1)
        m = 1;
    if (m > 10000)
        m = 10000;
    return (int)m;
}

int64_t hcs_memory_mb(int64_t bytes)
{
    if (bytes <= 0)
        return 0;
    return (bytes + 1048575) / 1048576;
}

static cJSON *schema_version(void)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "Major", HCS_SCHEMA_MAJOR);
    cJSON_AddNumberToObject(v, "Minor", HCS_SCHEMA_MINOR);
    return v;
}

static cJSON *system_header(void)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "Owner", HCS_OWNER);
    cJSON_AddItemToObject(d, "SchemaVersion", schema_version());
    cJSON_AddBoolToObject(d, "ShouldTerminateOnLastHandleClosed", 1);
    return d;
}

static cJSON *layer_array(const struct hcs_layer *layers, int n)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; i < n; i++) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "Id", layers[i].id);
        cJSON_AddStringToObject(l, "Path", layers[i].path);
        cJSON_AddItemToArray(a, l);
    }
    return a;
}

static cJSON *container_object(const struct hcs_container_spec *c)
{
    cJSON *ct = cJSON_CreateObject();
    cJSON *st, *x;
    int i;

    if (c->hostname != NULL && c->hostname[0] != '\0') {
        x = cJSON_AddObjectToObject(ct, "GuestOs");
        cJSON_AddStringToObject(x, "HostName", c->hostname);
    }
    st = cJSON_AddObjectToObject(ct, "Storage");
    cJSON_AddItemToObject(st, "Layers", layer_array(c->layers, c->nlayers));
    if (c->scratch_path != NULL)
        cJSON_AddStringToObject(st, "Path", c->scratch_path);
    if (c->nmapped > 0) {
        cJSON *md = cJSON_AddArrayToObject(ct, "MappedDirectories");
        for (i = 0; i < c->nmapped; i++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "HostPath", c->mapped[i].host);
            cJSON_AddStringToObject(m, "ContainerPath", c->mapped[i].container);
            cJSON_AddBoolToObject(m, "ReadOnly", c->mapped[i].readonly);
            cJSON_AddItemToArray(md, m);
        }
    }
    /* Count, Maximum and Weight are mutually exclusive. */
    if (c->processor_maximum > 0) {
        x = cJSON_AddObjectToObject(ct, "Processor");
        cJSON_AddNumberToObject(x, "Maximum", c->processor_maximum);
    } else if (c->processor_count > 0) {
        x = cJSON_AddObjectToObject(ct, "Processor");
        cJSON_AddNumberToObject(x, "Count", c->processor_count);
    }
    if (c->memory_mb > 0) {
        x = cJSON_AddObjectToObject(ct, "Memory");
        cJSON_AddNumberToObject(x, "SizeInMB", (double)c->memory_mb);
    }
    return ct;
}

cJSON *hcs_doc_process_container(const struct hcs_container_spec *c)
{
    cJSON *d = system_header();
    cJSON_AddItemToObject(d, "Container", container_object(c));
    return d;
}

cJSON *hcs_doc_uvm(const struct hcs_uvm_spec *u)
{
    cJSON *d = system_header();
    cJSON *vm = cJSON_AddObjectToObject(d, "VirtualMachine");
    cJSON *x, *y, *dev, *shares, *share, *opt;
    char files[HCS_PATH_MAX + 32];

    cJSON_AddBoolToObject(vm, "StopOnReset", 1);
    x = cJSON_AddObjectToObject(vm, "Chipset");
    x = cJSON_AddObjectToObject(x, "Uefi");
    x = cJSON_AddObjectToObject(x, "BootThis");
    cJSON_AddStringToObject(x, "DevicePath", "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
    cJSON_AddStringToObject(x, "DeviceType", "VmbFs");
    x = cJSON_AddObjectToObject(vm, "ComputeTopology");
    y = cJSON_AddObjectToObject(x, "Memory");
    cJSON_AddNumberToObject(y, "SizeInMB", u->memory_mb);
    cJSON_AddBoolToObject(y, "AllowOvercommit", 1);
    cJSON_AddBoolToObject(y, "EnableHotHint", 1);
    y = cJSON_AddObjectToObject(x, "Processor");
    cJSON_AddNumberToObject(y, "Count", u->cpus);
    dev = cJSON_AddObjectToObject(vm, "Devices");
    x = cJSON_AddObjectToObject(dev, "Scsi");
    x = cJSON_AddObjectToObject(x, "0");
    x = cJSON_AddObjectToObject(x, "Attachments");
    x = cJSON_AddObjectToObject(x, "0");
    cJSON_AddStringToObject(x, "Type", "VirtualDisk");
    cJSON_AddStringToObject(x, "Path", u->scratch_vhdx);
    x = cJSON_AddObjectToObject(dev, "HvSocket");
    x = cJSON_AddObjectToObject(x, "HvSocketConfig");
    cJSON_AddStringToObject(x, "DefaultBindSecurityDescriptor", "D:P(A;;FA;;;SY)(A;;FA;;;BA)");
    x = cJSON_AddObjectToObject(dev, "VirtualSmb");
    cJSON_AddNumberToObject(x, "DirectFileMappingInMB", 1024);
    shares = cJSON_AddArrayToObject(x, "Shares");
    share = cJSON_CreateObject();
    cJSON_AddStringToObject(share, "Name", "os");
    snprintf(files, sizeof(files), "%s\\UtilityVM\\Files", u->base_layer);
    cJSON_AddStringToObject(share, "Path", files);
    opt = cJSON_AddObjectToObject(share, "Options");
    cJSON_AddBoolToObject(opt, "ReadOnly", 1);
    cJSON_AddBoolToObject(opt, "ShareRead", 1);
    cJSON_AddBoolToObject(opt, "CacheIo", 1);
    cJSON_AddBoolToObject(opt, "PseudoOplocks", 1);
    cJSON_AddBoolToObject(opt, "TakeBackupPrivilege", 1);
    cJSON_AddItemToArray(shares, share);
    cJSON_AddObjectToObject(vm, "GuestConnection");
    return d;
}

cJSON *hcs_doc_hosted_container(const char *uvm_id, const struct hcs_container_spec *c)
{
    cJSON *d = system_header();
    cJSON *hs;
    cJSON_AddStringToObject(d, "HostingSystemId", uvm_id);
    hs = cJSON_AddObjectToObject(d, "HostedSystem");
    cJSON_AddItemToObject(hs, "SchemaVersion", schema_version());
    cJSON_AddItemToObject(hs, "Container", container_object(c));
    return d;
}

cJSON *hcs_doc_vsmb_add(const char *share, const char *host_path)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *s, *o;
    cJSON_AddStringToObject(d, "ResourcePath", "VirtualMachine/Devices/VirtualSmb/Shares");
    cJSON_AddStringToObject(d, "RequestType", "Add");
    s = cJSON_AddObjectToObject(d, "Settings");
    cJSON_AddStringToObject(s, "Name", share);
    cJSON_AddStringToObject(s, "Path", host_path);
    o = cJSON_AddObjectToObject(s, "Options");
    cJSON_AddBoolToObject(o, "ReadOnly", 1);
    cJSON_AddBoolToObject(o, "ShareRead", 1);
    cJSON_AddBoolToObject(o, "CacheIo", 1);
    cJSON_AddBoolToObject(o, "PseudoOplocks", 1);
    cJSON_AddBoolToObject(o, "TakeBackupPrivilege", 1);
    return d;
}

cJSON *hcs_doc_scsi_add(int lun, const char *vhdx, const char *container_path)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *s, *g;
    char rp[96];
    snprintf(rp, sizeof(rp), "VirtualMachine/Devices/Scsi/0/Attachments/%d", lun);
    cJSON_AddStringToObject(d, "ResourcePath", rp);
    cJSON_AddStringToObject(d, "RequestType", "Add");
    s = cJSON_AddObjectToObject(d, "Settings");
    cJSON_AddStringToObject(s, "Type", "VirtualDisk");
    cJSON_AddStringToObject(s, "Path", vhdx);
    g = cJSON_AddObjectToObject(d, "GuestRequest");
    cJSON_AddStringToObject(g, "ResourceType", "MappedVirtualDisk");
    cJSON_AddStringToObject(g, "RequestType", "Add");
    s = cJSON_AddObjectToObject(g, "Settings");
    cJSON_AddStringToObject(s, "ContainerPath", container_path);
    cJSON_AddNumberToObject(s, "Lun", lun);
    return d;
}

cJSON *hcs_doc_combine_layers(const char *container_root, const struct hcs_layer *layers, int n)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *g = cJSON_AddObjectToObject(d, "GuestRequest");
    cJSON *s;
    cJSON_AddStringToObject(g, "ResourceType", "CombinedLayers");
    cJSON_AddStringToObject(g, "RequestType", "Add");
    s = cJSON_AddObjectToObject(g, "Settings");
    cJSON_AddStringToObject(s, "ContainerRootPath", container_root);
    cJSON_AddItemToObject(s, "Layers", layer_array(layers, n));
    /* no FilterType: WS2022's built-in guest service rejects it (HCS_E_INVALID_JSON) */
    return d;
}

cJSON *hcs_doc_layer_data(const struct hcs_layer *layers, int n)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddItemToObject(d, "SchemaVersion", schema_version());
    cJSON_AddItemToObject(d, "Layers", layer_array(layers, n));
    return d;
}

cJSON *hcs_doc_process_params(const char *command_line, int stdout_pipe)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *env;
    cJSON_AddStringToObject(d, "CommandLine", command_line);
    cJSON_AddStringToObject(d, "User", HCS_PROCESS_USER);
    cJSON_AddStringToObject(d, "WorkingDirectory", "C:\\");
    env = cJSON_AddObjectToObject(d, "Environment");
    cJSON_AddStringToObject(env, "PATH", "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\WindowsPowerShell\\v1.0");
    cJSON_AddBoolToObject(d, "CreateStdInPipe", 0);
    cJSON_AddBoolToObject(d, "CreateStdOutPipe", stdout_pipe);
    cJSON_AddBoolToObject(d, "CreateStdErrPipe", 0);
    return d;
}

/* A uint64 field: -1 when absent; an error when present but not a number. */
static int stat_field(const cJSON *obj, const char *path, const char *name, int64_t scale, int64_t *out,
                      struct err *e)
{
    const cJSON *v;
    *out = -1;
    if (obj == NULL)
        return 0;
    v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsNumber(v) || input_to_i64(v->valuedouble, 0, INT64_MAX, out) < 0 ||
        input_mul_i64(*out, scale, out) < 0) {
        *out = -1;
        return err_set(e, EINVAL, "Statistics.%s%s: expected a non-negative number below 2^63/%lld", path, name,
                       (long long)scale);
    }
    return 0;
}

static const cJSON *sub_object(const cJSON *obj, const char *name, struct err *e, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsObject(v)) {
        err_set(e, EINVAL, "Statistics.%s: expected an object", name);
        *bad = 1;
    }
    return cJSON_IsObject(v) ? v : NULL;
}

int hcs_stats_parse(const char *json, struct hcs_stats *st, struct err *e)
{
    cJSON *doc = cJSON_Parse(json);
    const cJSON *s, *p, *m, *io;
    int rc = -1, bad = 0;

    memset(st, 0xff, sizeof(*st)); /* every field -1 */
    if (doc == NULL)
        return err_set(e, EINVAL, "statistics: not valid JSON");
    if (!cJSON_IsObject(doc)) {
        err_set(e, EINVAL, "statistics: expected an object");
        goto out;
    }
    s = cJSON_GetObjectItemCaseSensitive(doc, "Statistics");
    if (s == NULL) {
        /* the bare Statistics object, or Properties without statistics */
        if (cJSON_GetObjectItemCaseSensitive(doc, "Processor") || cJSON_GetObjectItemCaseSensitive(doc, "Memory") ||
            cJSON_GetObjectItemCaseSensitive(doc, "Uptime100ns")) {
            s = doc;
        } else {
            err_set(e, EINVAL, "statistics: the response has no Statistics object");
            goto out;
        }
    }
    if (!cJSON_IsObject(s)) {
        err_set(e, EINVAL, "Statistics: expected an object");
        goto out;
    }
    p = sub_object(s, "Processor", e, &bad);
    m = sub_object(s, "Memory", e, &bad);
    io = sub_object(s, "Storage", e, &bad);
    if (bad)
        goto out;
    if (stat_field(s, "", "Uptime100ns", 100, &st->uptime_ns, e) < 0 ||
        stat_field(p, "Processor.", "TotalRuntime100ns", 100, &st->cpu_ns, e) < 0 ||
        stat_field(p, "Processor.", "RuntimeUser100ns", 100, &st->cpu_user_ns, e) < 0 ||
        stat_field(p, "Processor.", "RuntimeKernel100ns", 100, &st->cpu_kernel_ns, e) < 0 ||
        stat_field(m, "Memory.", "MemoryUsageCommitBytes", 1, &st->mem_commit_bytes, e) < 0 ||
        stat_field(m, "Memory.", "MemoryUsageCommitPeakBytes", 1, &st->mem_commit_peak_bytes, e) < 0 ||
        stat_field(m, "Memory.", "MemoryUsagePrivateWorkingSetBytes", 1, &st->mem_private_ws_bytes, e) < 0 ||
        stat_field(io, "Storage.", "ReadSizeBytes", 1, &st->io_read_bytes, e) < 0 ||
        stat_field(io, "Storage.", "WriteSizeBytes", 1, &st->io_write_bytes, e) < 0 ||
        stat_field(io, "Storage.", "ReadCountNormalized", 1, &st->io_read_count, e) < 0 ||
        stat_field(io, "Storage.", "WriteCountNormalized", 1, &st->io_write_count, e) < 0)
        goto out;
    /* hcsshim's structs are all omitempty: a present Processor object
       without a total means zero; fill it from the parts when present. */
    if (st->cpu_ns < 0 && st->cpu_user_ns >= 0 && st->cpu_kernel_ns >= 0 &&
        input_add_i64(st->cpu_user_ns, st->cpu_kernel_ns, &st->cpu_ns) < 0) {
        err_set(e, EINVAL, "Statistics.Processor: RuntimeUser100ns + RuntimeKernel100ns overflow");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

static const struct {
    uint32_t code;
    const char *name;
    const char *meaning;
} hresults[] = {
    { HCS_E_TERMINATED_DURING_START, "HCS_E_TERMINATED_DURING_START", "the compute system terminated while it was starting" },
    { HCS_E_IMAGE_MISMATCH, "HCS_E_IMAGE_MISMATCH", "the container operating system does not match the host (process isolation needs the same build; use hyperv isolation)" },
    { HCS_E_HYPERV_NOT_INSTALLED, "HCS_E_HYPERV_NOT_INSTALLED", "Hyper-V is not installed" },
    { HCS_E_INVALID_STATE, "HCS_E_INVALID_STATE", "the compute system is in a state that does not allow this call" },
    { HCS_E_UNEXPECTED_EXIT, "HCS_E_UNEXPECTED_EXIT", "the compute system exited unexpectedly" },
    { HCS_E_TERMINATED, "HCS_E_TERMINATED", "the compute system was terminated" },
    { HCS_E_CONNECT_FAILED, "HCS_E_CONNECT_FAILED", "could not connect to the guest compute service" },
    { HCS_E_CONNECTION_TIMEOUT, "HCS_E_CONNECTION_TIMEOUT", "timed out connecting to the guest compute service" },
    { HCS_E_CONNECTION_CLOSED, "HCS_E_CONNECTION_CLOSED", "the connection to the guest compute service was closed" },
    { HCS_E_INVALID_JSON, "HCS_E_INVALID_JSON", "the JSON document is invalid for this schema" },
    { HCS_E_SYSTEM_NOT_FOUND, "HCS_E_SYSTEM_NOT_FOUND", "no compute system with this id exists" },
    { HCS_E_SYSTEM_ALREADY_EXISTS, "HCS_E_SYSTEM_ALREADY_EXISTS", "a compute system with this id already exists" },
    { HCS_E_SYSTEM_ALREADY_STOPPED, "HCS_E_SYSTEM_ALREADY_STOPPED", "the compute system has already stopped" },
    { HCS_E_INVALID_LAYER, "HCS_E_INVALID_LAYER", "a container layer is invalid" },
    { HCS_E_SERVICE_NOT_AVAILABLE, "HCS_E_SERVICE_NOT_AVAILABLE", "the Host Compute Service (vmcompute) is not available" },
    { HCS_E_OPERATION_NOT_STARTED, "HCS_E_OPERATION_NOT_STARTED", "the operation has not started" },
    { HCS_E_OPERATION_ALREADY_STARTED, "HCS_E_OPERATION_ALREADY_STARTED", "the operation handle is already in use" },
    { HCS_E_OPERATION_PENDING, "HCS_E_OPERATION_PENDING", "the operation is still pending" },
    { HCS_E_OPERATION_TIMEOUT, "HCS_E_OPERATION_TIMEOUT", "the operation did not complete in time" },
    { HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET, "HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET", "a callback is already registered" },
    { HCS_E_ACCESS_DENIED, "HCS_E_ACCESS_DENIED", "access denied: run isobench from an elevated prompt as Administrator (Hyper-V Administrators is not enough: attaching the scratch disk needs an administrator)" },
    { HCS_E_GUEST_CRITICAL_ERROR, "HCS_E_GUEST_CRITICAL_ERROR", "the guest reported a critical error" },
    { HCS_E_PROCESS_INFO_NOT_AVAILABLE, "HCS_E_PROCESS_INFO_NOT_AVAILABLE", "process information is not available" },
    { HCS_E_SERVICE_DISCONNECT, "HCS_E_SERVICE_DISCONNECT", "the Host Compute Service disconnected" },
    { HCS_E_PROCESS_ALREADY_STOPPED, "HCS_E_PROCESS_ALREADY_STOPPED", "the process has already stopped" },
};

static int hresult_index(uint32_t hr)
{
    size_t i;
    /* the 0xC037xxxx form carries the same facility and code */
    if ((hr & 0xFFFF0000u) == 0xC0370000u)
        hr = (hr & 0x0000FFFFu) | 0x80370000u;
    for (i = 0; i < sizeof(hresults) / sizeof(hresults[0]); i++)
        if (hresults[i].code == hr)
            return (int)i;
    return -1;
}

const char *hcs_hresult_name(uint32_t hr)
{
    int i = hresult_index(hr);
    return i < 0 ? NULL : hresults[i].name;
}

const char *hcs_hresult_meaning(uint32_t hr)
{
    int i = hresult_index(hr);
    return i < 0 ? NULL : hresults[i].meaning;
}

int hcs_result_error_parse(const char *json, uint32_t *hr, char *buf, size_t n)
{
    cJSON *doc;
    const cJSON *err, *msg, *events, *ev;
    size_t len = 0;
    int found = 0;

    if (n > 0)
        buf[0] = '\0';
    if (json == NULL || json[0] == '\0')
        return -1;
    doc = cJSON_Parse(json);
    if (doc == NULL || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return -1;
    }
    err = cJSON_GetObjectItemCaseSensitive(doc, "Error");
    if (cJSON_IsNumber(err)) {
        /* written as a signed 32-bit number (-2143878899) or unsigned */
        int64_t v;
        if (input_to_i64(err->valuedouble, INT32_MIN, UINT32_MAX, &v) == 0 && (double)v == err->valuedouble) {
            if (hr != NULL)
                *hr = (uint32_t)(v < 0 ? v + 4294967296LL : v);
            found = 1;
        }
    }
    msg = cJSON_GetObjectItemCaseSensitive(doc, "ErrorMessage");
    if (cJSON_IsString(msg) && msg->valuestring[0] != '\0') {
        snprintf(buf, n, "%s", msg->valuestring);
        len = strlen(buf);
        found = 1;
    }
    events = cJSON_GetObjectItemCaseSensitive(doc, "ErrorEvents");
    if (cJSON_IsArray(events)) {
        int nev = 0, bracket = len > 0;
        cJSON_ArrayForEach(ev, events) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(ev, "Message");
            const cJSON *prov = cJSON_GetObjectItemCaseSensitive(ev, "Provider");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, "EventId");
            if (!cJSON_IsString(m) || m->valuestring[0] == '\0')
                continue;
            /* skip an event that only repeats the main message */
            if (cJSON_IsString(msg) && strcmp(m->valuestring, msg->valuestring) == 0)
                continue;
            if (len < n)
                snprintf(buf + len, n - len, "%s%s", nev == 0 ? (bracket ? " [" : "") : "; ", m->valuestring);
            len = strlen(buf);
            if (cJSON_IsNumber(id) && len < n)
                snprintf(buf + len, n - len, " (event %d%s%s)", id->valueint,
                         cJSON_IsString(prov) ? " from " : "", cJSON_IsString(prov) ? prov->valuestring : "");
            len = strlen(buf);
            nev++;
            found = 1;
        }
        if (nev > 0 && bracket && len < n)
            snprintf(buf + len, n - len, "]");
    }
    cJSON_Delete(doc);
    return found ? 0 : -1;
}

void hcs_error_format(uint32_t hr, const char *result_doc, const char *sys_text, char *buf, size_t n)
{
    const char *name = hcs_hresult_name(hr);
    char detail[768];
    uint32_t doc_hr = 0;
    size_t len;

    if (name != NULL)
        snprintf(buf, n, "%s (0x%08X, %s)", name, (unsigned)hr, hcs_hresult_meaning(hr));
    else if (sys_text != NULL && sys_text[0] != '\0')
        snprintf(buf, n, "%s (0x%08X)", sys_text, (unsigned)hr);
    else
        snprintf(buf, n, "HRESULT 0x%08X", (unsigned)hr);
    if (hcs_result_error_parse(result_doc, &doc_hr, detail, sizeof(detail)) == 0) {
        len = strlen(buf);
        if (detail[0] != '\0' && len < n)
            snprintf(buf + len, n - len, ": %s", detail);
        len = strlen(buf);
        if (doc_hr != 0 && doc_hr != hr && len < n) {
            const char *dn = hcs_hresult_name(doc_hr);
            if (dn != NULL)
                snprintf(buf + len, n - len, " (document: %s 0x%08X)", dn, (unsigned)doc_hr);
            else
                snprintf(buf + len, n - len, " (document: 0x%08X)", (unsigned)doc_hr);
        }
    }
}

int hcs_enum_parse(const char *json, const char *run_id, char ids[][128], int max, int *n, struct err *e)
{
    cJSON *doc = cJSON_Parse(json);
    const cJSON *it;
    int pass, count = 0;

    *n = 0;
    if (doc == NULL)
        return err_set(e, EINVAL, "compute system list: not valid JSON");
    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        return err_set(e, EINVAL, "compute system list: expected an array");
    }
    /* pass 0: containers; pass 1: utility VMs */
    for (pass = 0; pass < 2; pass++) {
        cJSON_ArrayForEach(it, doc) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "Id");
            const cJSON *owner = cJSON_GetObjectItemCaseSensitive(it, "Owner");
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "SystemType");
            int is_vm;
            if (!cJSON_IsString(id) || !cJSON_IsString(owner) || strcmp(owner->valuestring, HCS_OWNER) != 0)
                continue;
            if (run_id != NULL && strstr(id->valuestring, run_id) == NULL)
                continue;
            is_vm = (cJSON_IsString(type) && strcmp(type->valuestring, "VirtualMachine") == 0);
            if (is_vm != pass)
                continue;
            if (count >= max)
                break;
            snprintf(ids[count], 128, "%s", id->valuestring);
            count++;
        }
    }
    cJSON_Delete(doc);
    *n = count;
    return 0;
}

int hcs_command_line(int workload, int64_t cpu_iterations, const char *override, char *buf, size_t n,
                     struct err *e)
{
    if (override != NULL && override[0] != '\0') {
        snprintf(buf, n, "%s", override);
        return 0;
    }
    switch (workload) {
    case WL_IDLE:
        snprintf(buf, n, "%s idle", HCS_PAYLOAD_EXE);
        return 0;
    case WL_EXIT:
        snprintf(buf, n, "%s exit", HCS_PAYLOAD_EXE);
        return 0;
    case WL_CPU:
        if (cpu_iterations <= 0)
            return err_set(e, EINVAL, "cpu workload: cpu_iterations must be positive");
        snprintf(buf, n, "%s cpu %lld", HCS_PAYLOAD_EXE, (long long)cpu_iterations);
        return 0;
    default:
        return err_set(e, EINVAL, "workload %d has no Windows command line", workload);
    }
}
