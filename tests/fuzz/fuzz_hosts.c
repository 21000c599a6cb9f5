/*
 * fuzz_hosts.c - hosts.json (capacity_parse_hosts) and compare thresholds
 * (cmp_load_thresholds), and the strict JSON and number helpers they share
 * (harness/input.c).
 */
#include "capacity.h"
#include "compare.h"
#include "fuzz.h"
#include "input.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct cap_host *hosts = NULL;
    struct cmp_opts o;
    struct err e;
    cJSON *j;
    double d;
    long l;
    int n = 0;

    if (capacity_parse_hosts(text, "hosts.json", &hosts, &n, &e) == 0)
        free(hosts);
    cmp_default_opts(&o);
    cmp_load_thresholds(text, "thresholds.json", &o, &e);
    j = input_json_parse(text, "fuzz.json", &e);
    cJSON_Delete(j);
    input_double(text, &d);
    input_size(text, &d);
    input_long(text, -1000, 1000, &l);
    input_parse_utc(text, &d);
    free(text);
    return 0;
}
