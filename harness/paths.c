/*
 * paths.c - isobench's own files, found from the binary's location (see
 * paths.h for the lookup order).
 */
#include "paths.h"
#include "plat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define PAYLOAD_NAME "isobench-payload.exe"
#else
#define PAYLOAD_NAME "isobench-payload"
#endif

#ifndef ISOBENCH_TREE
#define ISOBENCH_TREE ""
#endif

/* Try each "<dir><sep><rel>"; the tried paths are appended to `tried`. */
static int first_existing(const char *const *dirs, int ndirs, const char *rel, char *buf, size_t n, char *tried,
                          size_t ntried)
{
    int i;
    for (i = 0; i < ndirs; i++) {
        size_t used = strlen(tried);
        if (dirs[i] == NULL || dirs[i][0] == '\0')
            continue;
        snprintf(buf, n, "%s/%s", dirs[i], rel);
        if (plat_exists(buf))
            return 0;
        snprintf(tried + used, ntried - used, "%s%s", used ? ", " : "", buf);
    }
    return -1;
}

int paths_data_file(const char *rel, char *buf, size_t n, struct err *e)
{
    char self[2048], share[2100], share2[2100], up[2100], tried[4096] = "";
    const char *dirs[6];
    struct err ignore;

    if (plat_self_dir(self, sizeof(self), &ignore) < 0)
        self[0] = '\0';
    snprintf(share, sizeof(share), "%s/../share/isobench", self);
    snprintf(share2, sizeof(share2), "%s/../../share/isobench", self);
    snprintf(up, sizeof(up), "%s/..", self);
    dirs[0] = getenv("ISOBENCH_DATA_DIR");
    dirs[1] = self[0] ? share : NULL;
    dirs[2] = self[0] ? share2 : NULL;
    dirs[3] = self[0] ? self : NULL;
    dirs[4] = self[0] ? up : NULL;
    dirs[5] = ISOBENCH_TREE;
    if (first_existing(dirs, 6, rel, buf, n, tried, sizeof(tried)) == 0)
        return 0;
    return err_set(e, ENOENT, "%s: not found in %s (set ISOBENCH_DATA_DIR to the folder holding scenarios/)", rel,
                   tried[0] ? tried : "any data folder");
}

int paths_payload(char *buf, size_t n, struct err *e)
{
    char self[2048], lib[2100], libexec[2100], tried[4096] = "";
    const char *env = getenv("ISOBENCH_PAYLOAD");
    const char *dirs[3];

    if (env != NULL && env[0] != '\0') {
        snprintf(buf, n, "%s", env);
        if (!plat_exists(buf))
            return err_set(e, ENOENT, "ISOBENCH_PAYLOAD=%s: not found", env);
        return 0;
    }
    if (plat_self_dir(self, sizeof(self), e) < 0)
        return err_wrap(e, "finding %s", PAYLOAD_NAME);
    snprintf(lib, sizeof(lib), "%s/../lib/isobench", self);
    snprintf(libexec, sizeof(libexec), "%s/../libexec/isobench", self);
    dirs[0] = self;
    dirs[1] = lib;
    dirs[2] = libexec;
    if (first_existing(dirs, 3, PAYLOAD_NAME, buf, n, tried, sizeof(tried)) == 0)
        return 0;
    return err_set(e, ENOENT, "%s: not found in %s (build it next to isobench, or set ISOBENCH_PAYLOAD)",
                   PAYLOAD_NAME, tried);
}

int paths_scenario(const char *arg, char *buf, size_t n, struct err *e)
{
    char rel[1100];
    int absolute = arg[0] == '/' || arg[0] == '\\' || (arg[0] != '\0' && arg[1] == ':');

    if (plat_exists(arg) || absolute) {
        snprintf(buf, n, "%s", arg);
        return 0; /* scenario_load names the file when it cannot be read */
    }
    if (paths_data_file(arg, buf, n, e) == 0)
        return 0;
    snprintf(rel, sizeof(rel), "scenarios/%s", arg);
    if (strchr(arg, '/') == NULL && strchr(arg, '\\') == NULL && paths_data_file(rel, buf, n, e) == 0)
        return 0;
    return err_set(e, ENOENT, "%s: no such scenario file (relative to %s, or among isobench's scenarios)", arg,
                   "the working directory");
}
