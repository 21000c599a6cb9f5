/*
 * cmd_capacity.c - `isobench capacity RUN_DIR [options]`: containers per host
 * per mode from one run (model in capacity.c), as a table or JSON. With a
 * density result (density.json in RUN_DIR, or --measured DIR), the
 * prediction error against the measured ceiling.
 */
#include "render.h"
#include "commands.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: isobench capacity RUN_DIR [--hosts hosts.json] [--reserve-mem SIZE]\n"
            "         [--cpu-target F] [--start-slo-ms N] [--headroom F] [--pid-margin N]\n"
            "         [--tasks-in-use N] [--disk-free SIZE] [--whole-host]\n"
            "         [--measured DENSITY_RUN_DIR] [--json]\n");
    return 2;
}

int cmd_capacity(int argc, char **argv)
{
    const char *dir = NULL, *hosts_path = NULL, *measured = NULL;
    struct cap_params p;
    struct rundir r, dens;
    struct err e;
    struct cap_host *hosts = NULL, own;
    struct cap_row *rows = NULL;
    int nhosts = 0, nrows = 0, json = 0, i, rc = 2, loaded = 0, dloaded = 0, whole = 0;
    double disk_free = -1;

    capacity_default_params(&p);
    err_clear(&e);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = cap_parse_option(a, v, &p, &e);
        if (used < 0) {
            fprintf(stderr, "isobench capacity: %s\n", e.msg);
            return 2;
        } else if (used > 0) {
            i++;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--whole-host") == 0) {
            whole = 1;
        } else if (strcmp(a, "--measured") == 0 && v) {
            measured = v;
            i++;
        } else if (strcmp(a, "--hosts") == 0 && v) {
            hosts_path = v;
            i++;
        } else if (strcmp(a, "--disk-free") == 0 && v) {
            if (rd_parse_size(v, &disk_free) < 0) {
                fprintf(stderr, "isobench capacity: --disk-free: '%s' is not a size (e.g. 100G)\n", v);
                return 2;
            }
            i++;
        } else if (a[0] == '-' || dir != NULL) {
            return usage();
        } else {
            dir = a;
        }
    }
    if (dir == NULL)
        return usage();
    if (rundir_load(dir, RD_CONTAINERS | RD_RAMP, &r, &e) < 0) {
        fprintf(stderr, "isobench capacity: %s\n", e.msg);
        return 2;
    }
    loaded = 1;
    if (whole) {
        /* a ramp run in a budget (for safety), predicted for the host it ran on */
        r.budget.set = 0;
        r.limit[RDL_CG_PIDS_MAX] = r.limit[RDL_CG_MEM_MAX] = NAN;
    }
    if (measured != NULL) {
        if (rundir_load(measured, RD_NO_SUMMARY, &dens, &e) < 0) {
            fprintf(stderr, "isobench capacity: --measured: %s\n", e.msg);
            goto out;
        }
        dloaded = 1;
        if (!dens.has_density) {
            fprintf(stderr, "isobench capacity: --measured: %s has no density.json\n", measured);
            goto out;
        }
    }
    if (hosts_path == NULL && !json && disk_free < 0) {
        if (capacity_print_run(stdout, &r, dloaded ? &dens : NULL, &p, &e) < 0) {
            fprintf(stderr, "isobench capacity: %s\n", e.msg);
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (hosts_path != NULL) {
        char *text = NULL;
        if (rd_read_text(hosts_path, &text, NULL, &e) < 0 ||
            capacity_parse_hosts(text, hosts_path, &hosts, &nhosts, &e) < 0) {
            free(text);
            fprintf(stderr, "isobench capacity: %s\n", e.msg);
            goto out;
        }
        free(text);
        for (i = 0; i < nhosts; i++)
            capacity_host_limits_from_run(&r, &hosts[i]);
        if (disk_free >= 0) /* for hosts whose entry has no "disk" */
            for (i = 0; i < nhosts; i++)
                if (isnan(hosts[i].disk_free_bytes))
                    hosts[i].disk_free_bytes = disk_free;
    } else {
        capacity_host_from_run(&r, &own);
        if (disk_free >= 0)
            own.disk_free_bytes = disk_free;
        if (own.cores <= 0 || !(own.mem_bytes > 0)) {
            fprintf(stderr, "isobench capacity: %s/run.json: host cores or mem_total_bytes "
                    "missing; pass --hosts\n", dir);
            goto out;
        }
        hosts = &own;
        nhosts = 1;
    }
    if (capacity_rows(&r, hosts, nhosts, &p, &rows, &nrows, &e) < 0) {
        fprintf(stderr, "isobench capacity: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    if (hosts_path == NULL)
        capacity_rows_measured(rows, nrows, dloaded ? &dens : &r);
    if (json) {
        cJSON *j = capacity_rows_json(rows, nrows, &p);
        char *s;
        cJSON_AddStringToObject(j, "run_id", r.run_id);
        s = cJSON_Print(j);
        printf("%s\n", s);
        free(s);
        cJSON_Delete(j);
    } else {
        printf("run %s (%s)\n", r.run_id, dir);
        capacity_print_table(stdout, rows, nrows, &p);
        capacity_print_models(stdout, rows, nrows);
        capacity_print_measured(stdout, rows, nrows, 0);
    }
    rc = 0;
out:
    free(rows);
    if (hosts != &own)
        free(hosts);
    if (loaded)
        rundir_free(&r);
    if (dloaded)
        rundir_free(&dens);
    return rc;
}
