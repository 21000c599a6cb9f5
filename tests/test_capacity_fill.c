/*
 * test_capacity_fill.c - the capacity model against a real fill: a short ns
 * ramp (levels up to 10 % of the ceiling) in a small budget, `capacity` on
 * it, then `isobench density` in the same budget; the prediction must be
 * within 15 % of the measured ceiling with the same binding resource
 * (issue 10's acceptance, kept small for CI: 200 pids, 256 MiB). Needs root
 * (namespaces, cgroups).
 */
#define _POSIX_C_SOURCE 200809L
#include "capacity.h"
#include "rundir.h"
#include "support.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUDGET "memory=256M,pids=200"

/* Run the isobench binary with args (NULL-terminated); its exit status. */
static int isobench(char *const args[])
{
    return isobench_run_quiet(args);
}

Test(fill, short_ramp_predicts_the_budget_ceiling, .timeout = 600)
{
    char dir[] = "/tmp/isobench-test-capfill-XXXXXX";
    char scn[1100], ramp[1100], fill[1100];
    struct rundir r, d;
    struct cap_host h;
    struct cap_params p;
    struct cap_row *rows;
    struct err e;
    int n, rc;
    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(scn, sizeof(scn), "%s/ns.json", dir);
    snprintf(ramp, sizeof(ramp), "%s/ramp", dir);
    snprintf(fill, sizeof(fill), "%s/fill", dir);
    write_text_file(scn, "{\"name\": \"capfill\", \"modes\": [{\"name\": \"ns\", \"driver\": \"ns\"}],"
                    " \"fleet\": {\"ramp\": [4, 8, 12, 16, 20], \"concurrency\": 4},"
                    " \"hold_ms\": 300, \"settle_ms\": 200, \"sample_interval_ms\": 100}");
    {
        char *args[] = { "isobench", "run", scn, "--out", ramp, "--quiet", "--budget", BUDGET, NULL };
        cr_assert_eq(isobench(args), 0, "isobench run %s", scn);
    }
    cr_assert_eq(rundir_load(ramp, RD_CONTAINERS | RD_RAMP, &r, &e), 0, "%s", e.msg);
    capacity_default_params(&p);
    capacity_host_from_run(&r, &h);
    cr_assert(h.budget, "the budget is the host");
    cr_assert_eq(capacity_rows(&r, &h, 1, &p, &rows, &n, &e), 0, "%s", e.msg);
    cr_assert(rows[0].ok, "%s", rows[0].why);
    cr_assert_eq(rows[0].res.binding, CAP_CGROUP_PIDS, "binding %s", cap_resource_name(rows[0].res.binding));
    cr_assert(rows[0].res.expected <= 200);

    {
        /* the CPU guard off: other work on a shared host is not the fleet's load */
        char *args[] = { "isobench", "density", scn, "--out", fill, "--budget", BUDGET, "--cpu-max", "100",
                         "--quiet", NULL };
        rc = isobench(args);
    }
    require_or_skip(rc != 2, "isobench density is not in this build");
    cr_assert_eq(rc, 0, "isobench density %s", scn);
    cr_assert_eq(rundir_load(fill, RD_NO_SUMMARY, &d, &e), 0, "%s", e.msg);
    cr_assert(d.has_density, "%s/density.json", fill);
    capacity_rows_measured(rows, n, &d);
    cr_assert(!isnan(rows[0].measured), "density.json has mode ns");
    cr_assert(fabs(rows[0].error_pct) <= 15, "predicted %.0f, measured %.0f (%s)", rows[0].res.expected,
              rows[0].measured, rows[0].measured_binding);
    cr_assert(rows[0].same_binding, "predicted %s, measured %s", cap_resource_name(rows[0].res.binding),
              rows[0].measured_binding);
    free(rows);
    rundir_free(&r);
    rundir_free(&d);
    {
        char *args[] = { "/bin/rm", "-rf", dir, NULL };
        pid_t pid = fork();
        if (pid == 0) {
            execv(args[0], args);
            _exit(127);
        }
        waitpid(pid, NULL, 0);
    }
}
