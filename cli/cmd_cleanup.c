/*
 * cmd_cleanup.c - `isobench cleanup [RUN_ID]`: ask every available driver to
 * remove what crashed runs left behind (containers, cgroups, mounts, files).
 */
#include "budget.h"
#include "commands.h"
#include "driver.h"

#include <stdio.h>
#include <string.h>

int cmd_cleanup(int argc, char **argv)
{
    const struct driver *const *d;
    const char *run_id = argc > 1 ? argv[1] : NULL;
    int total = 0, failures = 0;

    for (d = driver_list(); *d != NULL; d++) {
        struct err e;
        int removed = 0;
        if ((*d)->unavailable_reason != NULL || (*d)->cleanup == NULL)
            continue;
        err_clear(&e);
        if ((*d)->cleanup(run_id, &removed, &e) < 0) {
            size_t len = strlen((*d)->name);
            /* Drivers usually name themselves first already. */
            if (strncmp(e.msg, (*d)->name, len) == 0 && e.msg[len] == ':')
                fprintf(stderr, "isobench cleanup: %s\n", e.msg);
            else
                fprintf(stderr, "isobench cleanup: %s: %s\n", (*d)->name, e.msg);
            failures++;
        }
        if (removed > 0)
            printf("%s: removed %d leftover(s)\n", (*d)->name, removed);
        total += removed;
    }
    /* The run's budget cgroup goes after every driver's containers. */
    {
        struct err e;
        int removed = 0;
        err_clear(&e);
        if (budget_cleanup(run_id, &removed, &e) < 0) {
            fprintf(stderr, "isobench cleanup: %s\n", e.msg);
            failures++;
        }
        if (removed > 0)
            printf("budget: removed %d cgroup(s)\n", removed);
        total += removed;
    }
        printf("cleanup%s%s: %d leftover(s) removed\n", run_id ? " of run " : "", run_id ? run_id : "", total);
    return failures ? 1 : 0;
}
