/*
 * fuzz_hcs.c - what the Host Compute Service sends back
 * (harness/drivers/hcs_doc.c): statistics, result documents with errors,
 * the enumeration of compute systems, `docker inspect` output,
 * layerchain.json and the guest-connection answer. These parsers are
 * portable C, so they are fuzzed on Linux.
 */
#include "drivers/hcs_doc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    static char paths[HCS_MAX_LAYERS][HCS_PATH_MAX];
    static char ids[64][128];
    struct hcs_stats st;
    struct err e;
    char buf[512];
    uint32_t hr;
    int n;

    hcs_stats_parse(text, &st, &e);
    hcs_result_error_parse(text, &hr, buf, sizeof(buf));
    hcs_error_format(0x8037010Du, text, "system text", buf, sizeof(buf));
    hcs_enum_parse(text, "run", ids, 64, &n, &e);
    hcs_enum_parse(text, NULL, ids, 64, &n, &e);
    hcs_inspect_top_layer(text, buf, sizeof(buf), &e);
    hcs_layerchain_parse(text, paths, HCS_MAX_LAYERS - 1, &n, &e);
    hcs_guest_connection_parse(text, buf, sizeof(buf), &e);
    free(text);
    return 0;
}
