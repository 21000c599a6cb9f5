/*
 * fuzz_scenario.c - scenario files (harness/scenario.c): scenario_parse()
 * and the resolved scenario written back as JSON, plus --budget strings.
 */
#include "fuzz.h"
#include "scenario.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct scenario *s = calloc(1, sizeof(*s));
    struct scn_budget b;
    struct err e;
    int64_t v;

    if (s == NULL)
        abort();
    if (scenario_parse(text, "fuzz.json", s, &e) == 0) {
        cJSON *j = scenario_to_json(s);
        cJSON_Delete(j);
        scenario_free(s);
    }
    parse_size(text, &v);
    if (size < 256)
        scenario_parse_budget(text, &b, &e);
    free(s);
    free(text);
    return 0;
}
