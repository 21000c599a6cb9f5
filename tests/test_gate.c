/*
 * test_gate.c - the regression gate on real ns runs: A/A is not a
 * regression, an injected start delay is, through `compare` and `ab`; the
 * JUnit output is well-formed XML. The rates of both on the gate scenario
 * are measured by bench/gate_rates.sh (README, "CI gate"), not asserted
 * here: CI time stays a minute or two.
 */
#define _POSIX_C_SOURCE 200809L
#include "proc.h"
#include "support.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_isobench(const char *const *args)
{
    const char *argv[24];
    int i, rc;

    argv[0] = "isobench";
    for (i = 0; args[i] != NULL && i < 22; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    rc = isobench_run_quiet((char *const *)argv);
    cr_assert_geq(rc, 0, "isobench %s died", args[0]);
    return rc;
}

/* Run `xmllint --noout FILE`: 0 when the file is well-formed XML. */
static int xmllint(const char *file)
{
    int status;
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execlp("xmllint", "xmllint", "--noout", file, (char *)NULL);
        _exit(127);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_in_file(const char *path, const char *needle)
{
    char *text = NULL, *p;
    size_t cap = 0;
    int n = 0;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    cr_assert_geq(getdelim(&text, &cap, '\0', f), 0, "%s", path);
    fclose(f);
    for (p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    free(text);
    return n;
}

/*
 * A/A: two runs of the same scenario (6 repetitions; start_ms threshold
 * 150 %, the noise floor of a loaded CI host between two runs) and `ab` of
 * the scenario against itself (3 pairs; threshold 50 %: with 3 pairs on a
 * host at load 15 a 10 % threshold flagged once in four suite runs, the
 * alpha the gate allows, which a test cannot tolerate) are never a regression (exit 0, or
 * 3 when the host is too noisy to call a metric equivalent);
 * a run with 200 ms injected before each start (ns starts take 3-70 ms
 * on the loaded test host) is (exit 1); `isobench ab --until-decided` of
 * the scenario against its delayed copy is too, and its JUnit file is
 * well-formed XML with a <failure> for ns start_ms.
 */
Test(gate, aa_passes_injected_delay_fails_compare_and_ab, .timeout = 900)
{
    char dir[] = "/tmp/isobench-test-gate-XXXXXX";
    char scn[1100], slow[1100], a[1100], b[1100], c[1100], ab[1100], junit[1100], json[1100], thr[1100];
    char abaa_dir[1100], thr_ab[1100];
    const char *body = "{\"name\":\"gate\",\"modes\":[{\"name\":\"ns\",\"driver\":\"ns\"}],"
                       "\"fleet\":{\"ramp\":[4,8],\"concurrency\":1},\"hold_ms\":100,\"settle_ms\":50,"
                       "\"repetitions\":6%s}";
    char text[512];
    int rc;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    require_or_skip(access("/usr/bin/xmllint", X_OK) == 0, "needs xmllint (libxml2-utils)");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/gate.json", dir);
    snprintf(slow, sizeof(slow), "%s/gate-slow.json", dir);
    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/b", dir);
    snprintf(c, sizeof(c), "%s/c", dir);
    snprintf(ab, sizeof(ab), "%s/ab", dir);
    snprintf(junit, sizeof(junit), "%s/junit.xml", dir);
    snprintf(thr, sizeof(thr), "%s/thresholds.json", dir);
    snprintf(abaa_dir, sizeof(abaa_dir), "%s/ab-aa", dir);
    write_text_file(thr, "{\"start_ms\": 1.5}");
    snprintf(thr_ab, sizeof(thr_ab), "%s/thresholds-ab.json", dir);
    write_text_file(thr_ab, "{\"start_ms\": 0.5}");
    snprintf(json, sizeof(json), "%s/gate.json.out", dir);
    snprintf(text, sizeof(text), body, "");
    write_text_file(scn, text);
    snprintf(text, sizeof(text), body, ",\"start_delay_ms\":200");
    write_text_file(slow, text);
    {
        const char *r1[] = { "run", scn, "--out", a, "--quiet", NULL };
        const char *r2[] = { "run", scn, "--out", b, "--quiet", NULL };
        const char *r3[] = { "run", slow, "--out", c, "--quiet", NULL };
        /* a stored baseline sees the host's load change between two runs
           (ns starts of 20 ms in one run, 50 ms in the next happen here):
           the CI job's noise floor goes into the thresholds file */
        const char *same[] = { "compare", a, b, "--gate", "start_ms", "--thresholds", thr, NULL };
        /* interleaved on one host, pairs cancel that drift: a lower floor */
        const char *abaa[] = { "ab", scn, scn, "--out", abaa_dir, "--reps", "3", "--quiet", "--gate", "start_ms",
                               "--thresholds", thr_ab, NULL };
        const char *worse[] = { "compare", a, c, "--gate", "start_ms", "--json", json, NULL };
        const char *abx[] = { "ab", scn, slow, "--out", ab, "--reps", "3", "--until-decided", "--max-reps", "10", "--quiet", "--gate", "start_ms",
                              "--junit", junit, NULL };
        cr_assert_eq(run_isobench(r1), 0);
        cr_assert_eq(run_isobench(r2), 0);
        cr_assert_eq(run_isobench(r3), 0);
        rc = run_isobench(same);
        cr_assert(rc == 0 || rc == 3, "A/A: two runs of the same scenario gave exit %d", rc);
        rc = run_isobench(abaa);
        cr_assert(rc == 0 || rc == 3, "A/A: isobench ab of the scenario against itself gave exit %d", rc);
        cr_assert_eq(run_isobench(worse), 1, "a 200 ms injected start delay was not flagged");
        cr_assert_eq(count_in_file(json, "\"regression\""), 1);
        cr_assert_eq(run_isobench(abx), 1, "isobench ab did not flag a 200 ms injected start delay");
        cr_assert_eq(xmllint(junit), 0, "%s is not well-formed XML", junit);
        cr_assert_eq(count_in_file(junit, "<failure"), 1);
        cr_assert_eq(count_in_file(junit, "<testcase"), 7); /* ns x 7 metrics */
    }
    dir_remove_tree(dir, NULL);
}
