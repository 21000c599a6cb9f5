/*
 * test_fleet.c - what `isobench hosts` needs for a fleet (scripts/fleet):
 * runs named by their --host-label (two "hosts" that are the same machine
 * stay apart), each host's fingerprint above the table, and hosts that left
 * no usable run (a host-failed.json from the playbook, a run that did not
 * complete) listed with their reason while the others still count.
 */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "hosts.h"
#include "rundir.h"
#include "support.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/isobench-test-fleet-XXXXXX";

static void setup_tmp(void)
{
    cr_assert_not_null(mkdtemp(tmp));
}

static void teardown_tmp(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

/* A copy of a fixture run under tmp/NAME with run.json's host.label and
   status set (NULL: left alone). */
static void copy_run(const char *fixture, const char *name, const char *label, const char *status,
                     char *dir, size_t n)
{
    char cmd[4096], path[2048], *text;
    cJSON *j;
    FILE *f;
    snprintf(dir, n, "%s/%s", tmp, name);
    snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/%s' '%s'", ISOBENCH_SOURCE_DIR, fixture, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(path, sizeof(path), "%s/run.json", dir);
    text = read_text(path);
    cr_assert_not_null(text);
    j = cJSON_Parse(text);
    free(text);
    if (label != NULL)
        cJSON_AddStringToObject(cJSON_GetObjectItem(j, "host"), "label", label);
    if (status != NULL)
        cJSON_ReplaceItemInObject(j, "status", cJSON_CreateString(status));
    text = cJSON_Print(j);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    cJSON_Delete(j);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_text_file(path, text);
}

TestSuite(fleet, .init = setup_tmp, .fini = teardown_tmp);

Test(fleet, labels_name_hosts_of_one_machine)
{
    char a[1024], b[1024], out[65536];
    char *argv[4];
    struct rundir r;
    struct err e;
    /* the same fixture twice: one machine, two labels */
    copy_run("run-base", "a", "rack1-node1", NULL, a, sizeof(a));
    copy_run("run-base", "b", "rack1-node2", NULL, b, sizeof(b));
    err_clear(&e);
    cr_assert_eq(rundir_load(a, 0, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(rundir_host_name(&r), "rack1-node1");
    cr_assert_str_eq(r.host.hostname, "bench-a"); /* the real hostname is kept */
    rundir_free(&r);
    argv[0] = "hosts";
    argv[1] = a;
    argv[2] = b;
    cr_assert_eq(run_cmd(cmd_hosts, argv, 3, out, sizeof(out)), 0, "%s", out);
    cr_assert(strstr(out, "rack1-node1: Intel(R) Xeon(R) Platinum 8370C") != NULL, "%s", out);
    cr_assert(strstr(out, "rack1-node2") != NULL && strstr(out, "runtimes: ") != NULL, "%s", out);
    cr_assert(strstr(out, "(ib") == NULL, "labels differ, no run id needed:\n%s", out);
}

Test(fleet, failed_hosts_are_named_and_the_others_count)
{
    char a[1024], b[1024], c[1024], out[65536];
    char *argv[5];
    copy_run("run-base", "a", "good", NULL, a, sizeof(a));
    copy_run("run-hostb", "b", "cut-short", "interrupted", b, sizeof(b));
    snprintf(c, sizeof(c), "%s/c", tmp);
    cr_assert_eq(mkdir(c, 0755), 0);
    write_file(c, RD_FAILED_FILE,
               "{\"host\": \"gone\", \"reason\": \"unreachable: ssh: connect to host 127.0.0.9 port 2299: Connection refused\"}");
    argv[0] = "hosts";
    argv[1] = a;
    argv[2] = b;
    argv[3] = c;
    cr_assert_eq(run_cmd(cmd_hosts, argv, 4, out, sizeof(out)), 0, "%s", out);
    cr_assert(strstr(out, "good: ") != NULL, "%s", out);
    cr_assert(strstr(out, "host failed: unreachable: ssh: connect to host 127.0.0.9") != NULL, "%s", out);
    cr_assert(strstr(out, "host failed: ") && strstr(out, "did not complete (status \"interrupted\")"), "%s", out);
    cr_assert(strstr(out, "most containers per GiB on good") != NULL, "%s", out);

    /* every host failed: nothing to compare */
    argv[1] = c;
    cr_assert_eq(run_cmd(cmd_hosts, argv, 2, out, sizeof(out)), 1);
    /* a malformed marker is an input error naming the file */
    write_file(c, RD_FAILED_FILE, "{\"host\": \"x\"}");
    argv[1] = a;
    argv[2] = c;
    cr_assert_eq(run_cmd(cmd_hosts, argv, 3, out, sizeof(out)), 2);
}

Test(fleet, density_runs_show_the_measured_ceiling)
{
    char a[1024], b[1024], path[1200], out[65536];
    char *argv[4];
    copy_run("run-density", "a", "filled", NULL, a, sizeof(a));
    /* `isobench density` writes no summary.json: hosts reads it all the same */
    copy_run("run-density", "b", "filled-nosummary", NULL, b, sizeof(b));
    snprintf(path, sizeof(path), "%s/summary.json", b);
    cr_assert_eq(unlink(path), 0);
    argv[0] = "hosts";
    argv[1] = a;
    argv[2] = b;
    cr_assert_eq(run_cmd(cmd_hosts, argv, 3, out, sizeof(out)), 0, "%s", out);
    cr_assert(strstr(out, "measured") != NULL, "%s", out);
    cr_assert(strstr(out, "996 cgroup_pids") != NULL, "ns ceiling from density.json:\n%s", out);
    cr_assert(strstr(out, "32 cgroup_pids") != NULL, "runsc ceiling from density.json:\n%s", out);
    cr_assert(strstr(out, "filled-nosummary") != NULL, "%s", out);
}
