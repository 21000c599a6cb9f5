/*
 * test_scenario.c - scenario files: the shipped ones load, defaults resolve,
 * and a table of malformed documents each give a message naming the file and
 * the field.
 */
#include "scenario.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <glob.h>

Test(scenario, shipped_files_load)
{
    char pattern[1024];
    glob_t g;
    size_t i;
    src_path(pattern, sizeof(pattern), "scenarios/*.json");
    cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "no scenario files");
    for (i = 0; i < g.gl_pathc; i++) {
        struct scenario s;
        struct err e;
        err_clear(&e);
        cr_assert_eq(scenario_load(g.gl_pathv[i], &s, &e), 0, "%s: %s", g.gl_pathv[i], e.msg);
        cr_assert_gt(s.nmodes, 0);
        scenario_free(&s);
    }
    globfree(&g);
}

Test(scenario, defaults_and_values)
{
    struct scenario s;
    struct err e;
    const char *doc = "{\"name\":\"t\",\"modes\":[{\"name\":\"a\",\"driver\":\"ns\"},"
                      "{\"name\":\"b\",\"driver\":\"ns\",\"baseline\":true,\"options\":{\"network\":true}}],"
                      "\"fleet\":{\"ramp\":[1,2,4],\"concurrency\":3},\"workload\":{\"type\":\"cpu\","
                      "\"cpu_iterations\":1000},\"limits\":{\"memory\":\"64M\",\"cpus\":0.5,\"pids\":32}}";
    cr_assert_eq(scenario_parse(doc, "t.json", &s, &e), 0, "%s", e.msg);
    cr_assert_str_eq(s.name, "t");
    cr_assert_eq(s.nmodes, 2);
    cr_assert_eq(s.modes[0].baseline, 0);
    cr_assert_eq(s.modes[1].baseline, 1);
    cr_assert_not_null(s.modes[1].options);
    cr_assert_eq(s.nramp, 3);
    cr_assert_eq(s.ramp[2], 4);
    cr_assert_eq(s.concurrency, 3);
    cr_assert_eq(s.workload, WL_CPU);
    cr_assert_eq(s.cpu_iterations, 1000);
    cr_assert_eq(s.mem_limit_bytes, 64LL << 20);
    cr_assert_float_eq(s.cpu_limit, 0.5, 1e-12);
    cr_assert_eq(s.pids_limit, 32);
    cr_assert_eq(s.repetitions, 1);
    cr_assert_gt(s.hold_ms, 0);
    {
        cJSON *j = scenario_to_json(&s);
        char *txt = cJSON_PrintUnformatted(j);
        cr_assert_not_null(strstr(txt, "\"ramp\":[1,2,4]"));
        cJSON_free(txt);
        cJSON_Delete(j);
    }
    scenario_free(&s);
}

Test(scenario, first_mode_is_baseline_by_default)
{
    struct scenario s;
    struct err e;
    cr_assert_eq(scenario_parse("{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"size\":5}}", "x.json", &s, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(s.modes[0].baseline, 1);
    cr_assert_str_eq(s.modes[0].name, "ns");
    cr_assert_eq(s.nramp, 1);
    cr_assert_eq(s.ramp[0], 5);
    scenario_free(&s);
}

Test(scenario, start_delay_fractional_per_scenario_and_mode)
{
    struct scenario s;
    struct err e;
    cr_assert_eq(scenario_parse("{\"modes\":[{\"driver\":\"ns\"},{\"driver\":\"ns\",\"name\":\"b\","
                                "\"start_delay_ms\":2.5}],\"start_delay_ms\":0.6}",
                                "x.json", &s, &e), 0, "%s", e.msg);
    cr_assert_float_eq(s.start_delay_ms, 0.6, 1e-12);
    cr_assert_float_eq(s.modes[0].start_delay_ms, -1, 1e-12); /* the scenario's */
    cr_assert_float_eq(s.modes[1].start_delay_ms, 2.5, 1e-12);
    scenario_free(&s);
}

struct bad_case {
    const char *doc;
    const char *message;
};

static const struct bad_case bad_cases[] = {
    { "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"size\":\"ten\"}}",
      "bad.json: fleet.size: expected a positive integer, got \"ten\"" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"size\":0}}", "bad.json: fleet.size: expected an integer from 1" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"holdms\":5}", "bad.json: holdms: unknown key" },
    { "{}", "bad.json: modes: missing" },
    { "{\"modes\":[]}", "bad.json: modes: expected a non-empty array, got []" },
    { "{\"modes\":[{\"driver\":\"nope\"}]}", "bad.json: modes[0].driver: unknown driver \"nope\"" },
    { "{\"modes\":[{\"name\":\"x\"}]}", "bad.json: modes[0].driver: missing" },
    { "{\"modes\":[{\"driver\":\"ns\",\"bogus\":1}]}", "bad.json: modes[0].bogus: unknown key" },
    { "{\"modes\":[{\"driver\":\"ns\"},{\"driver\":\"ns\"}]}", "bad.json: modes[1].name: \"ns\" is already" },
    { "{\"modes\":[{\"driver\":\"ns\",\"name\":\"a b\"}]}", "bad.json: modes[0].name: \"a b\": use letters" },
    { "{\"modes\":[{\"driver\":\"ns\",\"name\":\"a\",\"baseline\":true},{\"driver\":\"ns\",\"baseline\":true}]}",
      "bad.json: modes: only one mode may be the baseline" },
    { "{\"modes\":[{\"driver\":\"ns\",\"isolation\":\"chroot\"}]}", "bad.json: modes[0].isolation: expected one of" },
    { "{\"modes\":[{\"driver\":\"ns\",\"options\":[1]}]}", "bad.json: modes[0].options: expected an object" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"ramp\":[1,4,2]}}",
      "bad.json: fleet.ramp[2]: 2 is not larger than the level before (4)" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"fleet\":{\"ramp\":[1],\"size\":3}}", "bad.json: fleet: give either" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"limits\":{\"memory\":\"lots\"}}",
      "bad.json: limits.memory: expected a size such as" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"limits\":{\"cpus\":-1}}", "bad.json: limits.cpus: expected a positive" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"limits\":{\"disk\":1}}", "bad.json: limits.disk: unknown key" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"workload\":{\"type\":\"sleep\"}}",
      "bad.json: workload.type: expected one of \"idle\", \"exit\", \"cpu\", got \"sleep\"" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"hold_ms\":1.5}", "bad.json: hold_ms: expected an integer >= 0, got 1.5" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"name\":7}", "bad.json: name: expected a non-empty string, got 7" },
    { "{\"modes\": [\n  {\"driver\": \"ns\"\n", "bad.json:3:1: not valid JSON" },
    { "[1,2]", "bad.json: expected a JSON object at the top" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"start_delay_ms\":-1}",
      "bad.json: start_delay_ms: expected a number of ms from 0 to 600000" },
    { "{\"modes\":[{\"driver\":\"ns\",\"start_delay_ms\":\"1\"}]}",
      "bad.json: modes[0].start_delay_ms: expected a number of ms" },
    { "{\"modes\":[{\"driver\":\"ns\",\"starts\":-1}]}", "bad.json: modes[0].starts: expected" },
    { "{\"modes\":[{\"driver\":\"ns\"}],\"starts_target_ci\":1.5}",
      "bad.json: starts_target_ci: expected a fraction between 0 and 1" },
};

Test(scenario, starts_per_mode_default_and_override)
{
    struct scenario s;
    struct err e;
    err_clear(&e);
    cr_assert_eq(scenario_parse("{\"modes\":[{\"driver\":\"ns\"},{\"name\":\"b\",\"driver\":\"ns\",\"starts\":2}],"
                                "\"starts\":30,\"starts_target_ci\":0.1,\"starts_max_s\":10}",
                                "t.json", &s, &e),
                 0, "%s", e.msg);
    cr_assert_eq(s.modes[0].starts, 30, "the scenario's starts");
    cr_assert_eq(s.modes[1].starts, 2, "the mode's own");
    cr_assert_float_eq(s.starts_target_ci, 0.1, 1e-15);
    cr_assert_eq(s.starts_max_s, 10);
    scenario_free(&s);
}

Test(scenario, malformed_files_name_the_field)
{
    size_t i;
    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct scenario s;
        struct err e;
        err_clear(&e);
        cr_assert_lt(scenario_parse(bad_cases[i].doc, "bad.json", &s, &e), 0, "case %zu accepted: %s", i,
                     bad_cases[i].doc);
        cr_assert_not_null(strstr(e.msg, bad_cases[i].message), "case %zu: got \"%s\", want \"%s\"", i, e.msg,
                           bad_cases[i].message);
    }
}

Test(scenario, missing_file_names_it)
{
    struct scenario s;
    struct err e;
    cr_assert_lt(scenario_load("/nonexistent/x.json", &s, &e), 0);
    cr_assert_not_null(strstr(e.msg, "/nonexistent/x.json"));
}

Test(scenario, sizes)
{
    int64_t v;
    cr_assert_eq(parse_size("512M", &v), 0);
    cr_assert_eq(v, 512LL << 20);
    cr_assert_eq(parse_size("2G", &v), 0);
    cr_assert_eq(v, 2LL << 30);
    cr_assert_eq(parse_size("1.5GiB", &v), 0);
    cr_assert_eq(v, 3LL << 29);
    cr_assert_eq(parse_size("4096", &v), 0);
    cr_assert_eq(v, 4096);
    cr_assert_lt(parse_size("-1", &v), 0);
    cr_assert_lt(parse_size("12X", &v), 0);
    cr_assert_lt(parse_size("", &v), 0);
}

Test(scenario, budget_key_and_flag)
{
    struct scenario s;
    struct scn_budget b;
    struct err e;

    cr_assert_eq(scenario_parse("{\"modes\":[{\"driver\":\"ns\"}],\"budget\":{\"memory\":\"512M\",\"pids\":1000,"
                                "\"cpus\":1.5}}", "b.json", &s, &e), 0, "%s", e.msg);
    cr_assert(scenario_has_budget(&s));
    cr_assert_eq(s.budget.mem_bytes, 512LL << 20);
    cr_assert_eq(s.budget.pids, 1000);
    cr_assert_float_eq(s.budget.cpus, 1.5, 1e-9);
    scenario_free(&s);
    cr_assert_eq(scenario_parse("{\"modes\":[{\"driver\":\"ns\"}],\"budget\":{\"pids\":\"many\"}}", "b.json", &s, &e), -1);
    cr_assert(strstr(e.msg, "b.json") != NULL && strstr(e.msg, "budget.pids") != NULL, "%s", e.msg);
    cr_assert_eq(scenario_parse("{\"modes\":[{\"driver\":\"ns\"}],\"budget\":{\"disk\":1}}", "b.json", &s, &e), -1);
    cr_assert(strstr(e.msg, "budget") != NULL, "%s", e.msg);

    cr_assert_eq(scenario_parse_budget("memory=256M,pids=500", &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b.mem_bytes, 256LL << 20);
    cr_assert_eq(b.pids, 500);
    cr_assert_eq(b.cpus, 0);
    cr_assert_eq(scenario_parse_budget("cpus=0.5", &b, &e), 0, "%s", e.msg);
    cr_assert_float_eq(b.cpus, 0.5, 1e-9);
    cr_assert_eq(scenario_parse_budget("pids=0", &b, &e), -1);
    cr_assert(strstr(e.msg, "pids=0") != NULL, "%s", e.msg);
    cr_assert_eq(scenario_parse_budget("memory=lots", &b, &e), -1);
    cr_assert_eq(scenario_parse_budget("disk=1G", &b, &e), -1);
    cr_assert(strstr(e.msg, "disk") != NULL, "%s", e.msg);
    cr_assert_eq(scenario_parse_budget("pids", &b, &e), -1);
}
