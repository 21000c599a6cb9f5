/*
 * test_hcs.c - the platform-neutral half of the hcs driver (hcs_doc.c):
 * compute-system documents checked field by field after a JSON round trip,
 * the Statistics response of shared/hcs-notes.md section 2 (and a sparse one
 * with omitted zero fields), HCS error documents and HRESULT names, the
 * enumerate filter used by cleanup, the windowsfilter layer chain from
 * `docker inspect` + layerchain.json, option validation, workload command
 * lines, and the PDH counter-path helpers. The Win32 half runs in
 * tests/win/test_win.c under wine.
 */
#include "driver.h"
#include "drivers/hcs_doc.h"
#include "pdh_sampler.h"
#include "scenario.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <sys/stat.h>
#include <unistd.h>

/* Serialise and parse back: what HCS would receive. */
static cJSON *round_trip(cJSON *doc)
{
    char *s = cJSON_PrintUnformatted(doc);
    cJSON *back = cJSON_Parse(s);
    cr_assert_not_null(back);
    free(s);
    cJSON_Delete(doc);
    return back;
}

static const cJSON *at(const cJSON *o, const char *path)
{
    char tok[128];
    const char *p = path;
    while (*p != '\0' && o != NULL) {
        size_t len = strcspn(p, ".");
        snprintf(tok, sizeof(tok), "%.*s", (int)len, p);
        if (cJSON_IsArray(o))
            o = cJSON_GetArrayItem(o, atoi(tok));
        else
            o = cJSON_GetObjectItemCaseSensitive(o, tok);
        p += len;
        if (*p == '.')
            p++;
    }
    return o;
}

static const char *str_at(const cJSON *o, const char *path)
{
    const cJSON *v = at(o, path);
    cr_assert(cJSON_IsString(v), "%s is not a string", path);
    return v->valuestring;
}

static double num_at(const cJSON *o, const char *path)
{
    const cJSON *v = at(o, path);
    cr_assert(cJSON_IsNumber(v), "%s is not a number", path);
    return v->valuedouble;
}

static const struct hcs_layer layers[] = {
    { "300b3ac0-b603-5367-9494-afec045dd369", "C:\\layers\\top" },
    { "6ba9cac1-7086-5ee9-a197-c465d3f50ad7", "C:\\layers\\base" },
};

Test(hcs_doc, process_container)
{
    struct hcs_mapped_dir md = { "C:\\data", "C:\\data", 1 };
    struct hcs_container_spec cs = { 0 };
    cJSON *d;
    cs.hostname = "c1";
    cs.layers = layers;
    cs.nlayers = 2;
    cs.scratch_path = "\\\\?\\Volume{baac0fd5-16b7-405b-9621-112aa8e3d973}\\";
    cs.mapped = &md;
    cs.nmapped = 1;
    cs.processor_maximum = hcs_processor_maximum(0.5, 1);
    cs.memory_mb = hcs_memory_mb(512LL << 20);
    d = round_trip(hcs_doc_process_container(&cs));
    cr_assert_str_eq(str_at(d, "Owner"), "isobench");
    cr_assert_eq(num_at(d, "SchemaVersion.Major"), 2);
    cr_assert_eq(num_at(d, "SchemaVersion.Minor"), 1);
    cr_assert(cJSON_IsTrue(at(d, "ShouldTerminateOnLastHandleClosed")));
    cr_assert_str_eq(str_at(d, "Container.GuestOs.HostName"), "c1");
    cr_assert_eq(cJSON_GetArraySize(at(d, "Container.Storage.Layers")), 2);
    cr_assert_str_eq(str_at(d, "Container.Storage.Layers.0.Id"), "300b3ac0-b603-5367-9494-afec045dd369");
    cr_assert_str_eq(str_at(d, "Container.Storage.Layers.0.Path"), "C:\\layers\\top");
    cr_assert_str_eq(str_at(d, "Container.Storage.Layers.1.Path"), "C:\\layers\\base");
    cr_assert_str_eq(str_at(d, "Container.Storage.Path"), "\\\\?\\Volume{baac0fd5-16b7-405b-9621-112aa8e3d973}\\");
    cr_assert_str_eq(str_at(d, "Container.MappedDirectories.0.HostPath"), "C:\\data");
    cr_assert(cJSON_IsTrue(at(d, "Container.MappedDirectories.0.ReadOnly")));
    cr_assert_eq(num_at(d, "Container.Processor.Maximum"), 5000);
    cr_assert_null(at(d, "Container.Processor.Count"), "Count and Maximum are exclusive");
    cr_assert_eq(num_at(d, "Container.Memory.SizeInMB"), 512);
    /* only one of Container, VirtualMachine, HostedSystem */
    cr_assert_null(at(d, "VirtualMachine"));
    cr_assert_null(at(d, "HostedSystem"));
    cJSON_Delete(d);
}

Test(hcs_doc, process_container_without_limits)
{
    struct hcs_container_spec cs = { 0 };
    cJSON *d;
    cs.layers = layers + 1;
    cs.nlayers = 1;
    cs.scratch_path = "\\\\?\\Volume{x}\\";
    d = round_trip(hcs_doc_process_container(&cs));
    cr_assert_null(at(d, "Container.Processor"));
    cr_assert_null(at(d, "Container.Memory"));
    cr_assert_null(at(d, "Container.MappedDirectories"));
    cr_assert_null(at(d, "Container.GuestOs"));
    cJSON_Delete(d);
}

Test(hcs_doc, utility_vm)
{
    struct hcs_uvm_spec u = { "C:\\layers\\base", "C:\\run\\uvm1\\uvm.vhdx", 1024, 2 };
    cJSON *d = round_trip(hcs_doc_uvm(&u));
    cr_assert_str_eq(str_at(d, "Owner"), "isobench");
    cr_assert_str_eq(str_at(d, "VirtualMachine.Chipset.Uefi.BootThis.DeviceType"), "VmbFs");
    cr_assert_str_eq(str_at(d, "VirtualMachine.Chipset.Uefi.BootThis.DevicePath"), "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
    cr_assert_eq(num_at(d, "VirtualMachine.ComputeTopology.Memory.SizeInMB"), 1024);
    cr_assert(cJSON_IsTrue(at(d, "VirtualMachine.ComputeTopology.Memory.AllowOvercommit")));
    cr_assert_eq(num_at(d, "VirtualMachine.ComputeTopology.Processor.Count"), 2);
    cr_assert_str_eq(str_at(d, "VirtualMachine.Devices.Scsi.0.Attachments.0.Path"), "C:\\run\\uvm1\\uvm.vhdx");
    cr_assert_str_eq(str_at(d, "VirtualMachine.Devices.Scsi.0.Attachments.0.Type"), "VirtualDisk");
    cr_assert_str_eq(str_at(d, "VirtualMachine.Devices.VirtualSmb.Shares.0.Name"), "os");
    cr_assert_str_eq(str_at(d, "VirtualMachine.Devices.VirtualSmb.Shares.0.Path"), "C:\\layers\\base\\UtilityVM\\Files");
    cr_assert(cJSON_IsTrue(at(d, "VirtualMachine.Devices.VirtualSmb.Shares.0.Options.ReadOnly")));
    cr_assert(cJSON_IsObject(at(d, "VirtualMachine.GuestConnection")));
    cr_assert_null(at(d, "Container"));
    cJSON_Delete(d);
}

Test(hcs_doc, hosted_container_and_modify_requests)
{
    struct hcs_layer guest = { "6ba9cac1-7086-5ee9-a197-c465d3f50ad7", HCS_VSMB_PREFIX "s1" };
    struct hcs_container_spec cs = { 0 };
    cJSON *d;
    cs.layers = &guest;
    cs.nlayers = 1;
    cs.scratch_path = "C:\\c\\1\\scratch";
    cs.processor_count = 1;
    cs.memory_mb = 512;
    d = round_trip(hcs_doc_hosted_container("uvm1", &cs));
    cr_assert_str_eq(str_at(d, "HostingSystemId"), "uvm1");
    cr_assert_eq(num_at(d, "HostedSystem.SchemaVersion.Major"), 2);
    cr_assert_str_eq(str_at(d, "HostedSystem.Container.Storage.Layers.0.Path"),
                     "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\s1");
    cr_assert_str_eq(str_at(d, "HostedSystem.Container.Storage.Path"), "C:\\c\\1\\scratch");
    cr_assert_eq(num_at(d, "HostedSystem.Container.Processor.Count"), 1);
    cr_assert_eq(num_at(d, "HostedSystem.Container.Memory.SizeInMB"), 512);
    cr_assert_null(at(d, "Container"));
    cJSON_Delete(d);

    d = round_trip(hcs_doc_vsmb_add("s1", "C:\\layers\\top"));
    cr_assert_str_eq(str_at(d, "ResourcePath"), "VirtualMachine/Devices/VirtualSmb/Shares");
    cr_assert_str_eq(str_at(d, "RequestType"), "Add");
    cr_assert_str_eq(str_at(d, "Settings.Name"), "s1");
    cr_assert_str_eq(str_at(d, "Settings.Path"), "C:\\layers\\top");
    cJSON_Delete(d);

    d = round_trip(hcs_doc_scsi_add(1, "C:\\run\\c1\\sandbox.vhdx", "C:\\c\\1\\scratch"));
    cr_assert_str_eq(str_at(d, "ResourcePath"), "VirtualMachine/Devices/Scsi/0/Attachments/1");
    cr_assert_str_eq(str_at(d, "Settings.Path"), "C:\\run\\c1\\sandbox.vhdx");
    cr_assert_str_eq(str_at(d, "GuestRequest.ResourceType"), "MappedVirtualDisk");
    cr_assert_eq(num_at(d, "GuestRequest.Settings.Lun"), 1);
    cJSON_Delete(d);

    d = round_trip(hcs_doc_combine_layers("C:\\c\\1\\scratch", &guest, 1));
    cr_assert_str_eq(str_at(d, "GuestRequest.ResourceType"), "CombinedLayers");
    cr_assert_str_eq(str_at(d, "GuestRequest.Settings.ContainerRootPath"), "C:\\c\\1\\scratch");
    cr_assert_str_eq(str_at(d, "GuestRequest.Settings.Layers.0.Id"), "6ba9cac1-7086-5ee9-a197-c465d3f50ad7");
    cr_assert_null(at(d, "GuestRequest.Settings.FilterType"), "WS2022 rejects FilterType");
    cJSON_Delete(d);
}

Test(hcs_doc, layer_data_and_process_parameters)
{
    cJSON *d = round_trip(hcs_doc_layer_data(layers, 2));
    cr_assert_eq(num_at(d, "SchemaVersion.Minor"), 1);
    cr_assert_str_eq(str_at(d, "Layers.1.Id"), "6ba9cac1-7086-5ee9-a197-c465d3f50ad7");
    cJSON_Delete(d);
    d = round_trip(hcs_doc_process_params("cmd.exe /c echo hi", 1));
    cr_assert_str_eq(str_at(d, "CommandLine"), "cmd.exe /c echo hi");
    cr_assert(cJSON_IsTrue(at(d, "CreateStdOutPipe")));
    cr_assert(cJSON_IsFalse(at(d, "CreateStdInPipe")));
    cr_assert(cJSON_IsFalse(at(d, "CreateStdErrPipe")));
    cr_assert_str_eq(str_at(d, "WorkingDirectory"), "C:\\");
    cJSON_Delete(d);
}

Test(hcs_doc, limits)
{
    cr_assert_eq(hcs_processor_maximum(0.5, 2), 2500);
    cr_assert_eq(hcs_processor_maximum(1, 3), 3334);
    cr_assert_eq(hcs_processor_maximum(8, 2), 10000);
    cr_assert_eq(hcs_processor_maximum(0, 2), 0);
    cr_assert_eq(hcs_processor_maximum(0.00001, 64), 1);
    cr_assert_eq(hcs_memory_mb(256LL << 20), 256);
    cr_assert_eq(hcs_memory_mb(1), 1);
    cr_assert_eq(hcs_memory_mb(0), 0);
}

Test(hcs_stats, notes_fixture)
{
    char *json = read_fixture("tests/fixtures/hcs-statistics.json");
    struct hcs_stats s;
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_stats_parse(json, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(s.uptime_ns, 4623456700LL);
    cr_assert_eq(s.cpu_ns, 3125000000LL);
    cr_assert_eq(s.cpu_user_ns, 1562500000LL);
    cr_assert_eq(s.cpu_kernel_ns, 1562500000LL);
    cr_assert_eq(s.mem_commit_bytes, 70123520);
    cr_assert_eq(s.mem_commit_peak_bytes, 91234304);
    cr_assert_eq(s.mem_private_ws_bytes, 41943040);
    cr_assert_eq(s.io_read_bytes, 48234496);
    cr_assert_eq(s.io_write_bytes, 5242880);
    cr_assert_eq(s.io_read_count, 1520);
    cr_assert_eq(s.io_write_count, 310);
    free(json);
}

Test(hcs_stats, omitted_fields_are_unknown)
{
    char *json = read_fixture("tests/fixtures/hcs-statistics-sparse.json");
    struct hcs_stats s;
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_stats_parse(json, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(s.cpu_ns, 150000, "total from user + kernel when TotalRuntime100ns is omitted");
    cr_assert_eq(s.mem_commit_bytes, 4096);
    cr_assert_eq(s.mem_private_ws_bytes, -1);
    cr_assert_eq(s.io_read_bytes, -1);
    cr_assert_eq(s.io_write_bytes, -1);
    cr_assert_eq(s.uptime_ns, -1);
    free(json);
    /* the bare Statistics object works too */
    cr_assert_eq(hcs_stats_parse("{\"Memory\":{\"MemoryUsagePrivateWorkingSetBytes\":8192}}", &s, &e), 0);
    cr_assert_eq(s.mem_private_ws_bytes, 8192);
    cr_assert_eq(s.cpu_ns, -1);
}

Test(hcs_stats, malformed)
{
    struct hcs_stats s;
    struct err e;
    err_clear(&e);
    cr_assert_lt(hcs_stats_parse("{\"Statistics\":{\"Memory\":{\"MemoryUsageCommitBytes\":\"70 MB\"}}}", &s, &e), 0);
    cr_assert(strstr(e.msg, "Statistics.Memory.MemoryUsageCommitBytes") != NULL, "%s", e.msg);
    cr_assert_lt(hcs_stats_parse("{\"Statistics\":{\"Processor\":[1,2]}}", &s, &e), 0);
    cr_assert(strstr(e.msg, "Statistics.Processor") != NULL, "%s", e.msg);
    cr_assert_lt(hcs_stats_parse("{\"Id\":\"c1\",\"SystemType\":\"Container\"}", &s, &e), 0);
    cr_assert(strstr(e.msg, "no Statistics") != NULL, "%s", e.msg);
    cr_assert_lt(hcs_stats_parse("{\"Statistics\":", &s, &e), 0);
}

Test(hcs_errors, hresult_table)
{
    cr_assert_str_eq(hcs_hresult_name(0x8037010D), "HCS_E_INVALID_JSON");
    cr_assert_str_eq(hcs_hresult_name(HCS_E_OPERATION_TIMEOUT), "HCS_E_OPERATION_TIMEOUT");
    cr_assert_str_eq(hcs_hresult_name(0xC0370101), "HCS_E_IMAGE_MISMATCH", "the 0xC037xxxx variant");
    cr_assert(strstr(hcs_hresult_meaning(0x80370101), "does not match the host") != NULL);
    cr_assert(strstr(hcs_hresult_meaning(HCS_E_ACCESS_DENIED), "Administrator") != NULL);
    cr_assert_null(hcs_hresult_name(0x80070005));
    cr_assert_null(hcs_hresult_name(0x80370199));
}

Test(hcs_errors, result_document)
{
    char *json = read_fixture("tests/fixtures/hcs-error.json");
    char msg[1024];
    uint32_t hr = 0;
    cr_assert_eq(hcs_result_error_parse(json, &hr, msg, sizeof(msg)), 0);
    cr_assert_eq(hr, 0x8037010Du, "Error is written as a signed number");
    cr_assert_str_eq(msg, "The JSON document is invalid. [Unknown field 'FilterType' in 'Settings' "
                          "(event 12001 from 17de5f6b-1a4e-4d1b-b1b2-7b2c9e2d1a10)]");
    cr_assert_lt(hcs_result_error_parse("{}", &hr, msg, sizeof(msg)), 0);
    cr_assert_lt(hcs_result_error_parse("not json", &hr, msg, sizeof(msg)), 0);
    cr_assert_lt(hcs_result_error_parse(NULL, &hr, msg, sizeof(msg)), 0);
    free(json);
}

Test(hcs_errors, formatted_message)
{
    char *json = read_fixture("tests/fixtures/hcs-error.json");
    char msg[1024];
    hcs_error_format(0x8037010D, json, "ignored system text", msg, sizeof(msg));
    cr_assert(strncmp(msg, "HCS_E_INVALID_JSON (0x8037010D, the JSON document is invalid for this schema): "
                           "The JSON document is invalid. [Unknown field",
                      strlen("HCS_E_INVALID_JSON (0x8037010D, the JSON document is invalid for this schema): "
                             "The JSON document is invalid. [Unknown field")) == 0,
              "%s", msg);
    /* a different HRESULT in the document is mentioned */
    hcs_error_format(HCS_E_UNEXPECTED_EXIT, json, NULL, msg, sizeof(msg));
    cr_assert(strstr(msg, "HCS_E_UNEXPECTED_EXIT") == msg, "%s", msg);
    cr_assert(strstr(msg, "(document: HCS_E_INVALID_JSON 0x8037010D)") != NULL, "%s", msg);
    /* not an HCS code: the system's text, else the number */
    hcs_error_format(0x80070005, NULL, "Access is denied", msg, sizeof(msg));
    cr_assert_str_eq(msg, "Access is denied (0x80070005)");
    hcs_error_format(0x80070005, "", NULL, msg, sizeof(msg));
    cr_assert_str_eq(msg, "HRESULT 0x80070005");
    free(json);
}

Test(hcs_cleanup, enumerate_filter)
{
    char *json = read_fixture("tests/fixtures/hcs-enumerate.json");
    char ids[8][128];
    int n = 0;
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_enum_parse(json, "ib0a1b2c3d", ids, 8, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(ids[0], "ib0a1b2c3d-proc-0");
    cr_assert_str_eq(ids[1], "ib0a1b2c3d-hv-0");
    cr_assert_str_eq(ids[2], "ib0a1b2c3d-hv-0-uvm", "utility VMs after the containers they host");
    cr_assert_eq(hcs_enum_parse(json, NULL, ids, 8, &n, &e), 0);
    cr_assert_eq(n, 4, "every isobench system, never docker's");
    cr_assert_lt(hcs_enum_parse("{\"Id\":1}", NULL, ids, 8, &n, &e), 0);
    free(json);
}

Test(hcs_image, inspect_top_layer)
{
    char *json = read_fixture("tests/fixtures/hcs-inspect-windowsfilter.json");
    char dir[1024];
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_inspect_top_layer(json, dir, sizeof(dir), &e), 0, "%s", e.msg);
    cr_assert_str_eq(dir, "C:\\ProgramData\\docker\\windowsfilter\\4e3c0eecb91d8fc28eda07ff06c6910a592b0ce4539476fb943b48e6934e9976");
    cr_assert_str_eq(hcs_basename(dir), "4e3c0eecb91d8fc28eda07ff06c6910a592b0ce4539476fb943b48e6934e9976");
    free(json);
    json = read_fixture("tests/fixtures/hcs-inspect-overlay.json");
    cr_assert_lt(hcs_inspect_top_layer(json, dir, sizeof(dir), &e), 0);
    cr_assert(strstr(e.msg, "overlay2") != NULL && strstr(e.msg, "windowsfilter") != NULL, "%s", e.msg);
    free(json);
    cr_assert_lt(hcs_inspect_top_layer("[{\"Id\":\"x\"}]", dir, sizeof(dir), &e), 0);
    cr_assert(strstr(e.msg, "GraphDriver") != NULL, "%s", e.msg);
    cr_assert_lt(hcs_inspect_top_layer("[{},{}]", dir, sizeof(dir), &e), 0);
}

Test(hcs_image, layerchain)
{
    char paths[4][HCS_PATH_MAX];
    int n = -1;
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_layerchain_parse("[\"C:\\\\wf\\\\b\",\"C:\\\\wf\\\\a\"]", paths, 4, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(paths[0], "C:\\wf\\b");
    cr_assert_str_eq(paths[1], "C:\\wf\\a");
    cr_assert_eq(hcs_layerchain_parse("null", paths, 4, &n, &e), 0);
    cr_assert_eq(n, 0);
    cr_assert_lt(hcs_layerchain_parse("[1]", paths, 4, &n, &e), 0);
    cr_assert(strstr(e.msg, "[0]") != NULL, "%s", e.msg);
    cr_assert_lt(hcs_layerchain_parse("[\"a\",\"b\",\"c\",\"d\",\"e\"]", paths, 4, &n, &e), 0);
}

Test(hcs_image, options_from_inspect_files)
{
    char dir[] = "/tmp/isobench-test-hcs-XXXXXX";
    char top[256], inspect[256], chain[300], text[1024], opts[512];
    struct hcs_options o;
    struct err e;
    cJSON *j;
    err_clear(&e);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(top, sizeof(top), "%s/toplayer", dir);
    cr_assert_eq(mkdir(top, 0755), 0);
    snprintf(inspect, sizeof(inspect), "%s/inspect.json", dir);
    snprintf(text, sizeof(text), "[{\"GraphDriver\":{\"Data\":{\"dir\":\"%s\"},\"Name\":\"windowsfilter\"}}]", top);
    write_text_file(inspect, text);
    snprintf(opts, sizeof(opts), "{\"isolation\":\"hyperv\",\"image_inspect\":\"%s\",\"uvm_memory_mb\":2048}", inspect);

    /* no layerchain.json: a base layer on its own */
    j = cJSON_Parse(opts);
    cr_assert_eq(hcs_options_parse(j, 0, &o, &e), 0, "%s", e.msg);
    cr_assert_eq(o.nlayers, 1);
    cr_assert_str_eq(o.layers[0].path, top);
    cr_assert_eq(o.isolation, HCS_ISO_HYPERV);
    cr_assert_eq(o.uvm_memory_mb, 2048);

    snprintf(chain, sizeof(chain), "%s/layerchain.json", top);
    write_text_file(chain, "[\"C:\\\\wf\\\\mid\",\"C:\\\\wf\\\\base\"]");
    cr_assert_eq(hcs_options_parse(j, 0, &o, &e), 0, "%s", e.msg);
    cr_assert_eq(o.nlayers, 3);
    cr_assert_str_eq(o.layers[0].path, top);
    cr_assert_str_eq(o.layers[1].path, "C:\\wf\\mid");
    cr_assert_str_eq(o.layers[2].path, "C:\\wf\\base");
    cr_assert_str_eq(o.layers[2].id, "", "ids come from NameToGuid on Windows");

    write_text_file(chain, "{\"not\":\"a chain\"}");
    cr_assert_lt(hcs_options_parse(j, 0, &o, &e), 0);
    cr_assert(strstr(e.msg, "modes[0].options.image_inspect") != NULL && strstr(e.msg, "layerchain.json") != NULL,
              "%s", e.msg);
    cJSON_Delete(j);
    unlink(chain);
    unlink(inspect);
    rmdir(top);
    rmdir(dir);
}

static int parse_opts(const char *text, struct hcs_options *o, struct err *e)
{
    cJSON *j = cJSON_Parse(text);
    int rc;
    cr_assert_not_null(j, "%s", text);
    rc = hcs_options_parse(j, 2, o, e);
    cJSON_Delete(j);
    return rc;
}

Test(hcs_options, validation)
{
    struct hcs_options o;
    struct err e;
    err_clear(&e);
    cr_assert_eq(parse_opts("{\"layers\":[\"C:\\\\l\\\\top\",{\"path\":\"C:\\\\l\\\\base\",\"id\":\"6ba9cac1-7086-5ee9-a197-c465d3f50ad7\"}],"
                            "\"command\":\"cmd /c echo ISOBENCH_READY\",\"mapped_dirs\":[{\"host\":\"C:\\\\d\",\"container\":\"C:\\\\d\"}]}",
                            &o, &e),
                 0, "%s", e.msg);
    cr_assert_eq(o.isolation, HCS_ISO_PROCESS);
    cr_assert_eq(o.nlayers, 2);
    cr_assert_str_eq(o.layers[1].id, "6ba9cac1-7086-5ee9-a197-c465d3f50ad7");
    cr_assert_str_eq(o.command, "cmd /c echo ISOBENCH_READY");
    cr_assert_eq(o.nmapped, 1);
    cr_assert_eq(o.mapped[0].readonly, 1);
    cr_assert_eq(o.uvm_memory_mb, 1024);
    cr_assert_eq(o.timeout_ms, 120000);

    cr_assert_lt(parse_opts("{\"layers\":[\"C:\\\\l\"],\"bogus\":1}", &o, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.bogus: unknown option") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{\"layers\":[\"C:\\\\l\"],\"isolation\":\"vm\"}", &o, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.isolation") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{}", &o, &e), 0);
    cr_assert(strstr(e.msg, "\"layers\"") != NULL && strstr(e.msg, "\"image_inspect\"") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{\"layers\":[\"C:\\\\l\"],\"image_inspect\":\"x.json\"}", &o, &e), 0);
    cr_assert(strstr(e.msg, "not both") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{\"layers\":[{\"path\":\"C:\\\\l\",\"id\":\"not-a-guid\"}]}", &o, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.layers[0].id") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{\"layers\":[]}", &o, &e), 0);
    cr_assert_lt(parse_opts("{\"layers\":[\"C:\\\\l\"],\"uvm_memory_mb\":64}", &o, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.uvm_memory_mb") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{\"layers\":[\"C:\\\\l\"],\"mapped_dirs\":[{\"host\":\"C:\\\\d\"}]}", &o, &e), 0);
    cr_assert(strstr(e.msg, "needs both") != NULL, "%s", e.msg);
    cr_assert_lt(parse_opts("{\"image_inspect\":\"/nonexistent/inspect.json\"}", &o, &e), 0);
    cr_assert(strstr(e.msg, "/nonexistent/inspect.json") != NULL, "%s", e.msg);
}

Test(hcs_workload, command_lines)
{
    char cmd[2048];
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_command_line(WL_IDLE, 0, NULL, cmd, sizeof(cmd), &e), 0);
    cr_assert_str_eq(cmd, "C:\\isobench\\isobench-payload.exe idle");
    cr_assert_eq(hcs_command_line(WL_EXIT, 0, "", cmd, sizeof(cmd), &e), 0);
    cr_assert_str_eq(cmd, "C:\\isobench\\isobench-payload.exe exit");
    cr_assert_eq(hcs_command_line(WL_CPU, 123456789, NULL, cmd, sizeof(cmd), &e), 0);
    cr_assert_str_eq(cmd, "C:\\isobench\\isobench-payload.exe cpu 123456789");
    cr_assert_lt(hcs_command_line(WL_CPU, 0, NULL, cmd, sizeof(cmd), &e), 0);
    cr_assert_eq(hcs_command_line(WL_CPU, 0, "cmd.exe /c echo ISOBENCH_READY", cmd, sizeof(cmd), &e), 0,
                 "an override needs no iterations");
    cr_assert_str_eq(cmd, "cmd.exe /c echo ISOBENCH_READY");
}

Test(hcs_driver, unavailable_off_windows)
{
    const struct driver *d = driver_find("hcs");
    struct err e;
    cr_assert_not_null(d);
    cr_assert_not_null(d->unavailable_reason);
    cr_assert_str_eq(d->unavailable_reason, "hcs: needs Windows (Host Compute Service, computecore.dll)");
    cr_assert_eq(d->isolations, ISO_PROCESS | ISO_VM);
    cr_assert_lt(d->probe(NULL, &e), 0);
    cr_assert(strstr(e.msg, "needs Windows") != NULL);
}

Test(pdh_paths, split_and_validate)
{
    char host[64], counter[256];
    cr_assert_eq(pdh_split_path("\\\\SQL01\\Memory\\Pages/sec", host, sizeof(host), counter, sizeof(counter)), 0);
    cr_assert_str_eq(host, "SQL01");
    cr_assert_str_eq(counter, "\\Memory\\Pages/sec");
    cr_assert_eq(pdh_split_path("\\\\SQL01\\PhysicalDisk(0 D:)\\% Disk Time", host, sizeof(host), counter,
                                sizeof(counter)),
                 0);
    cr_assert_str_eq(counter, "\\PhysicalDisk(0 D:)\\% Disk Time");
    cr_assert_eq(pdh_split_path("\\Processor(_Total)\\% Processor Time", host, sizeof(host), counter, sizeof(counter)), 0);
    cr_assert_str_eq(host, "");
    cr_assert_lt(pdh_split_path("(PDH-CSV 4.0) (UTC)(0)", host, sizeof(host), counter, sizeof(counter)), 0);
    cr_assert_lt(pdh_split_path("\\\\HOST", host, sizeof(host), counter, sizeof(counter)), 0);
    cr_assert_lt(pdh_split_path("\\Memory", host, sizeof(host), counter, sizeof(counter)), 0);
    cr_assert(pdh_path_valid(pdh_default_paths[0]));
    {
        int i;
        for (i = 0; pdh_default_paths[i] != NULL; i++)
            cr_assert(pdh_path_valid(pdh_default_paths[i]), "%s", pdh_default_paths[i]);
        cr_assert_eq(i, 7);
    }
}

Test(pdh_paths, scenario_list)
{
    char paths[PDH_MAX_COUNTERS][PDH_PATH_MAX];
    int n = 0;
    struct err e;
    cJSON *j;
    err_clear(&e);
    cr_assert_eq(pdh_paths_from_json(NULL, "pdh_counters", paths, &n, &e), 0);
    cr_assert_eq(n, 7);
    cr_assert_str_eq(paths[1], "\\Memory\\Committed Bytes", "commit binds Windows capacity");
    cr_assert_str_eq(paths[3], "\\Processor(_Total)\\% Processor Time");
    j = cJSON_Parse("[\"\\\\Memory\\\\Committed Bytes\",\"\\\\Hyper-V Dynamic Memory VM(*)\\\\Physical Memory\"]");
    cr_assert_eq(pdh_paths_from_json(j, "pdh_counters", paths, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(paths[1], "\\Hyper-V Dynamic Memory VM(*)\\Physical Memory");
    cJSON_Delete(j);
    j = cJSON_Parse("[\"\\\\Memory\\\\Committed Bytes\",\"Memory Committed Bytes\"]");
    cr_assert_lt(pdh_paths_from_json(j, "pdh_counters", paths, &n, &e), 0);
    cr_assert_str_eq(e.msg, "pdh_counters[1]: expected a counter path like \"\\Memory\\Available MBytes\"");
    cJSON_Delete(j);
}

/* ---- Hyper-V decisions and the pieces issue 13 made testable ---- */

Test(hcs_doc, process_runs_as_container_administrator)
{
    cJSON *d = round_trip(hcs_doc_process_params("cmd.exe /c echo hi", 1));
    cr_assert_str_eq(str_at(d, "User"), "ContainerAdministrator");
    cJSON_Delete(d);
}

static struct hcs_options hv_options(int mem, int cpus)
{
    struct hcs_options o;
    memset(&o, 0, sizeof(o));
    o.isolation = HCS_ISO_HYPERV;
    o.uvm_memory_mb = mem;
    o.uvm_cpus = cpus;
    o.uvm_memory_mb_requested = mem;
    o.uvm_cpus_requested = cpus;
    return o;
}

Test(hcs_hyperv, options_normalised)
{
    struct hcs_options o = hv_options(1025, 32);
    char notes[512];
    hcs_options_normalise(&o, 16, notes, sizeof(notes));
    cr_assert_eq(o.uvm_memory_mb, 1026);
    cr_assert_eq(o.uvm_cpus, 16);
    cr_assert_eq(o.uvm_memory_mb_requested, 1025);
    cr_assert_eq(o.uvm_cpus_requested, 32);
    cr_assert(strstr(notes, "uvm_memory_mb 1025 -> 1026") != NULL, "%s", notes);
    cr_assert(strstr(notes, "uvm_cpus 32 -> 16") != NULL, "%s", notes);

    o = hv_options(1024, 2);
    hcs_options_normalise(&o, 16, notes, sizeof(notes));
    cr_assert_eq(o.uvm_memory_mb, 1024);
    cr_assert_eq(o.uvm_cpus, 2);
    cr_assert_str_eq(notes, "", "nothing to change, nothing noted");
    o = hv_options(1024, 4);
    hcs_options_normalise(&o, 0, notes, sizeof(notes));
    cr_assert_eq(o.uvm_cpus, 4, "an unknown host count caps nothing");
}

Test(hcs_hyperv, cpu_limit_scaled_to_the_processors_the_container_has)
{
    struct hcs_options o = hv_options(1024, 2);
    /* issue 13: 1 CPU with 2 vCPUs on a 16-core host was 1/8 of a CPU (625) */
    cr_assert_eq(hcs_container_cpu_maximum(&o, 1.0, 16), 5000);
    cr_assert_eq(hcs_container_cpu_maximum(&o, 2.0, 16), 10000);
    cr_assert_eq(hcs_container_cpu_maximum(&o, 4.0, 16), 10000, "clamped to the whole VM");
    cr_assert_eq(hcs_container_cpu_maximum(&o, 0.5, 16), 2500);
    cr_assert_eq(hcs_container_cpu_maximum(&o, 0, 16), 0);
    o.isolation = HCS_ISO_PROCESS;
    cr_assert_eq(hcs_container_cpu_maximum(&o, 1.0, 16), 625, "process isolation: out of the host's cores");
}

static int has_uvm_fixture(const char *path, void *ctx)
{
    (void)ctx;
    return strstr(path, "uvm") != NULL;
}

Test(hcs_hyperv, uppermost_layer_with_a_utility_vm)
{
    static const struct hcs_layer chain[] = {
        { "", "C:\\l\\app" }, { "", "C:\\l\\update-uvm" }, { "", "C:\\l\\base-uvm" },
    };
    cr_assert_eq(hcs_uvm_layer_index(chain, 3, has_uvm_fixture, NULL), 1, "an update layer's UtilityVM wins over the base's");
    cr_assert_eq(hcs_uvm_layer_index(chain + 2, 1, has_uvm_fixture, NULL), 0);
    cr_assert_eq(hcs_uvm_layer_index(chain, 1, has_uvm_fixture, NULL), -1);
}

Test(hcs_hyperv, mapped_dirs_become_vsmb_shares)
{
    struct hcs_mapped_dir in[2] = { { "C:\\data", "C:\\data", 1 }, { "D:\\logs", "C:\\logs", 0 } };
    struct hcs_mapped_dir out[2];
    char shares[2][16];
    hcs_vsmb_mapped(in, 2, out, shares);
    cr_assert_str_eq(shares[0], "m0");
    cr_assert_str_eq(shares[1], "m1");
    cr_assert_str_eq(out[0].host, HCS_VSMB_PREFIX "m0");
    cr_assert_str_eq(out[1].host, "\\\\?\\VMSMB\\VSMB-{dcc079ae-60ba-4d07-847c-3493609c0870}\\m1");
    cr_assert_str_eq(out[1].container, "C:\\logs");
    cr_assert_eq(out[1].readonly, 0);
    cr_assert_str_eq(in[0].host, "C:\\data", "the input stays the host path (the share's source)");
}

Test(hcs_hyperv, schema1_document)
{
    struct hcs_mapped_dir md = { "C:\\isobench", "C:\\isobench", 1 };
    struct hcs_v1_spec s = { 0 };
    cJSON *d;
    s.name = "run1-hcs-hyperv-0";
    s.layer_folder = "C:\\ProgramData\\isobench\\hcs\\run1-hcs-hyperv-0";
    s.layers = layers;
    s.nlayers = 2;
    s.uvm_image = "C:\\layers\\base\\UtilityVM";
    s.mapped = &md;
    s.nmapped = 1;
    s.processor_count = 2;
    s.processor_maximum = 5000;
    s.memory_mb = 1024;
    d = round_trip(hcs_doc_v1_hyperv(&s));
    cr_assert_str_eq(str_at(d, "SystemType"), "Container");
    cr_assert_str_eq(str_at(d, "Name"), "run1-hcs-hyperv-0");
    cr_assert_str_eq(str_at(d, "Owner"), "isobench");
    cr_assert(cJSON_IsTrue(at(d, "HvPartition")));
    cr_assert_str_eq(str_at(d, "HvRuntime.ImagePath"), "C:\\layers\\base\\UtilityVM");
    cr_assert_str_eq(str_at(d, "LayerFolderPath"), "C:\\ProgramData\\isobench\\hcs\\run1-hcs-hyperv-0");
    cr_assert_str_eq(str_at(d, "Layers.0.ID"), "300b3ac0-b603-5367-9494-afec045dd369", "schema 1 spells it ID");
    cr_assert_str_eq(str_at(d, "Layers.1.Path"), "C:\\layers\\base");
    cr_assert_eq(num_at(d, "ProcessorCount"), 2);
    cr_assert_eq(num_at(d, "ProcessorMaximum"), 5000);
    cr_assert_eq(num_at(d, "MemoryMaximumInMB"), 1024);
    cr_assert_str_eq(str_at(d, "MappedDirectories.0.HostPath"), "C:\\isobench", "HCS shares host folders itself in v1");
    cr_assert(cJSON_IsTrue(at(d, "MappedDirectories.0.ReadOnly")));
    cr_assert(cJSON_IsTrue(at(d, "TerminateOnLastHandleClosed")));
    cr_assert_null(at(d, "SchemaVersion"), "no schema 2 header");
    cr_assert_null(at(d, "VolumePath"), "Hyper-V containers take no host volume");
    cJSON_Delete(d);
}

Test(hcs_hyperv, guest_connection_property)
{
    char detail[256];
    struct err e;
    err_clear(&e);
    cr_assert_eq(hcs_guest_connection_parse("{\"Id\":\"u\",\"GuestConnectionInfo\":{\"SupportedSchemaVersions\":"
                                            "[{\"Major\":2,\"Minor\":1},{\"Major\":2,\"Minor\":5}],\"ProtocolVersion\":4}}",
                                            detail, sizeof(detail), &e),
                 1);
    cr_assert_str_eq(detail, "guest protocol 4, schema up to 2.5");
    cr_assert_eq(hcs_guest_connection_parse("{\"Id\":\"u\",\"SystemType\":\"VirtualMachine\"}", detail, sizeof(detail), &e), 0);
    cr_assert(strstr(detail, "no GuestConnectionInfo") != NULL, "%s", detail);
    cr_assert_eq(hcs_guest_connection_parse("{\"GuestConnectionInfo\":{}}", detail, sizeof(detail), &e), 0);
    cr_assert(strstr(detail, "empty") != NULL, "%s", detail);
    cr_assert_lt(hcs_guest_connection_parse("{\"GuestConnectionInfo\":3}", detail, sizeof(detail), &e), 0);
    cr_assert_lt(hcs_guest_connection_parse("", detail, sizeof(detail), &e), 0);
}

Test(hcs_hyperv, hyperv_schema_option)
{
    struct hcs_options o;
    struct err e;
    err_clear(&e);
    cr_assert_eq(parse_opts("{\"layers\":[\"C:\\\\l\"],\"isolation\":\"hyperv\"}", &o, &e), 0, "%s", e.msg);
    cr_assert_eq(o.hv_schema, HCS_HV_AUTO);
    cr_assert_str_eq(hcs_hv_schema_name(o.hv_schema), "auto");
    cr_assert_eq(parse_opts("{\"layers\":[\"C:\\\\l\"],\"hyperv_schema\":\"v1\",\"uvm_memory_mb\":777}", &o, &e), 0, "%s", e.msg);
    cr_assert_eq(o.hv_schema, HCS_HV_V1);
    cr_assert_eq(o.uvm_memory_mb_requested, 777);
    cr_assert_lt(parse_opts("{\"layers\":[\"C:\\\\l\"],\"hyperv_schema\":\"v3\"}", &o, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.hyperv_schema") != NULL, "%s", e.msg);
}

Test(hcs_hyperv, format_handle_by_build)
{
    cr_assert(hcs_format_wants_file_handle(17763), "Windows Server 2019");
    cr_assert(!hcs_format_wants_file_handle(20348), "Windows Server 2022");
    cr_assert(!hcs_format_wants_file_handle(26100), "Windows Server 2025");
    cr_assert(!hcs_format_wants_file_handle(0), "unknown build: the current API");
}

Test(hcs_hyperv, privilege_list)
{
    const char *want[] = { "SeBackupPrivilege", "SeRestorePrivilege", "SeManageVolumePrivilege", "SeDebugPrivilege" };
    int i, required = 0;
    cr_assert_eq(hcs_nprivileges, 4);
    for (i = 0; i < hcs_nprivileges; i++) {
        cr_assert_str_eq(hcs_privileges[i].name, want[i]);
        cr_assert_not_null(hcs_privileges[i].why);
        required += hcs_privileges[i].required;
    }
    cr_assert_eq(required, 3);
    cr_assert_eq(hcs_privileges[3].required, 0, "without SeDebug only the VM's memory is unknown");
}

Test(hcs_hyperv, vmmem_account)
{
    const char *rid = "0F3C2C5B-8E5A-4C4B-9B0E-2F7A1D2C3B4A";
    cr_assert(hcs_vmmem_account_match("NT VIRTUAL MACHINE", "0f3c2c5b-8e5a-4c4b-9b0e-2f7a1d2c3b4a", rid));
    cr_assert(hcs_vmmem_account_match("nt virtual machine", "{0F3C2C5B-8E5A-4C4B-9B0E-2F7A1D2C3B4A}", rid));
    cr_assert(!hcs_vmmem_account_match("NT AUTHORITY", "0F3C2C5B-8E5A-4C4B-9B0E-2F7A1D2C3B4A", rid));
    cr_assert(!hcs_vmmem_account_match("NT VIRTUAL MACHINE", "11111111-8E5A-4C4B-9B0E-2F7A1D2C3B4A", rid));
    cr_assert(!hcs_vmmem_account_match("NT VIRTUAL MACHINE", "0F3C2C5B", rid));
    cr_assert(!hcs_vmmem_account_match("NT VIRTUAL MACHINE", rid, ""), "no RuntimeId: nothing matches");
}

Test(pdh_paths, pair_instances_by_occurrence)
{
    /* two vmmem processes reported as repeated bare names: pairing by name
       gave both the first one's value (issue 13) */
    struct pdh_item ids[] = { { "vmmem", 1, 4100 }, { "vmmem", 1, 5200 }, { "vmwp", 1, 900 } };
    struct pdh_item ws[] = { { "vmmem", 1, 300e6 }, { "vmmem", 1, 700e6 }, { "vmwp", 1, 20e6 } };
    uint32_t pids[8];
    double v[8];
    int n = pdh_pair_instances(ids, 3, ws, 3, pids, v, 8);
    cr_assert_eq(n, 3);
    cr_assert_eq(pids[0], 4100);
    cr_assert_eq(v[0], 300e6);
    cr_assert_eq(pids[1], 5200);
    cr_assert_eq(v[1], 700e6);
    cr_assert_eq(pids[2], 900);
    cr_assert_eq(v[2], 20e6);
}

Test(pdh_paths, pair_instances_with_suffixes_and_gaps)
{
    /* "#n" suffixes, the value array in another order, a process whose PID
       is gone and one with no value */
    struct pdh_item ids[] = { { "vmmem", 1, 4100 }, { "vmmem#1", 0, 0 }, { "vmmem#2", 1, 6300 }, { "vmmem#3", 1, 7400 } };
    struct pdh_item ws[] = { { "vmmem#2", 1, 222 }, { "vmmem", 1, 111 }, { "vmmem#1", 1, 999 }, { "vmmem#3", 0, 0 } };
    uint32_t pids[8];
    double v[8];
    int n = pdh_pair_instances(ids, 4, ws, 4, pids, v, 8);
    cr_assert_eq(n, 2);
    cr_assert_eq(pids[0], 4100);
    cr_assert_eq(v[0], 111);
    cr_assert_eq(pids[1], 6300);
    cr_assert_eq(v[1], 222);
    /* max respected; unmatched names left out */
    {
        struct pdh_item other[] = { { "vmwp", 1, 5 } };
        cr_assert_eq(pdh_pair_instances(ids, 4, ws, 4, pids, v, 1), 1);
        cr_assert_eq(pdh_pair_instances(ids, 4, other, 1, pids, v, 8), 0);
        cr_assert_eq(pdh_pair_instances(ids, 0, ws, 4, pids, v, 8), 0);
    }
}
