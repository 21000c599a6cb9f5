/*
 * test_gate.c - the regression gate on real runs: two runs of the same ns
 * scenario are not a regression (exit 0), and a run of it with an injected
 * start delay is (exit 1). The thresholds file stands for a CI job's noise
 * floor: ns starts take a few ms, so run-to-run noise on a shared 2-core
 * machine is tens of percent; 30 ms injected on top is several times that.
 */
#include "proc.h"
#include "support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_isobench(const char *const *args)
{
    char bin[1024];
    const char *argv[16];
    int i, status;
    pid_t pid;

    bin_path(bin, sizeof(bin), "isobench");
    argv[0] = bin;
    for (i = 0; args[i] != NULL && i < 14; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "isobench %s died", args[0]);
    return WEXITSTATUS(status);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(gate, same_scenario_passes_injected_delay_fails, .timeout = 600)
{
    char dir[] = "/tmp/isobench-test-gate-XXXXXX";
    char scn[1100], slow[1100], thr[1100], a[1100], b[1100], c[1100];
    const char *body = "{\"name\":\"gate\",\"modes\":[{\"name\":\"ns\",\"driver\":\"ns\"}],"
                       "\"fleet\":{\"size\":12,\"concurrency\":1},\"hold_ms\":300,\"settle_ms\":100%s}";
    char text[512];

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/gate.json", dir);
    snprintf(slow, sizeof(slow), "%s/gate-slow.json", dir);
    snprintf(thr, sizeof(thr), "%s/thresholds.json", dir);
    snprintf(a, sizeof(a), "%s/a", dir);
    snprintf(b, sizeof(b), "%s/b", dir);
    snprintf(c, sizeof(c), "%s/c", dir);
    snprintf(text, sizeof(text), body, "");
    write_file(scn, text);
    snprintf(text, sizeof(text), body, ",\"start_delay_ms\":30");
    write_file(slow, text);
    write_file(thr, "{\"start_ms\":3.0,\"mem_pss_bytes\":0.5,\"mem_cgroup_bytes\":3.0,\"idle_cpu_pct\":10.0,"
                    "\"storage_bytes\":1.0,\"marginal_mem_bytes\":10.0}");
    {
        const char *r1[] = { "run", scn, "--out", a, "--quiet", NULL };
        const char *r2[] = { "run", scn, "--out", b, "--quiet", NULL };
        const char *r3[] = { "run", slow, "--out", c, "--quiet", NULL };
        const char *same[] = { "compare", a, b, "--thresholds", thr, NULL };
        const char *worse[] = { "compare", a, c, "--thresholds", thr, NULL };
        cr_assert_eq(run_isobench(r1), 0);
        cr_assert_eq(run_isobench(r2), 0);
        cr_assert_eq(run_isobench(r3), 0);
        cr_assert_eq(run_isobench(same), 0, "two runs of the same scenario flagged as a regression");
        cr_assert_eq(run_isobench(worse), 1, "a 30 ms injected start delay was not flagged");
    }
    dir_remove_tree(dir, NULL);
}
