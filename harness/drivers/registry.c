/*
 * registry.c - the one explicit list of drivers, plus isolation names.
 *
 * Every driver is listed here on every platform; a driver that cannot work
 * on this build (hcs on Linux, ns on Windows) carries its unavailable_reason
 * instead of being left out, so `isobench drivers` can say why.
 */
#include "../driver.h"

#include <string.h>

extern const struct driver driver_ns;
extern const struct driver driver_oci;
extern const struct driver driver_docker;
extern const struct driver driver_vm;
extern const struct driver driver_hcs;

static const struct driver *const drivers[] = {
    &driver_ns,
    &driver_oci,
    &driver_docker,
    &driver_vm,
    &driver_hcs,
    NULL,
};

const struct driver *const *driver_list(void)
{
    return drivers;
}

const struct driver *driver_find(const char *name)
{
    int i;
    for (i = 0; drivers[i] != NULL; i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}

void counters_unknown(struct counters *c)
{
    c->mem_cgroup_bytes = -1;
    c->mem_pss_bytes = -1;
    c->mem_rss_bytes = -1;
    c->mem_private_ws_bytes = -1;
    c->mem_commit_bytes = -1;
    c->cpu_ns = -1;
    c->storage_bytes = -1;
    c->io_read_bytes = -1;
    c->io_write_bytes = -1;
    c->pids = -1;
    c->fds = -1;
    c->mounts = -1;
    c->kmem_bytes = -1;
}

static const struct {
    unsigned iso;
    const char *name;
} isolation_names[] = {
    { ISO_PROCESS, "process" },
    { ISO_SANDBOX, "sandbox" },
    { ISO_VM, "vm" },
};

const char *isolation_name(unsigned iso)
{
    size_t i;
    for (i = 0; i < sizeof(isolation_names) / sizeof(isolation_names[0]); i++)
        if (isolation_names[i].iso == iso)
            return isolation_names[i].name;
    return "unknown";
}

int isolation_parse(const char *s, unsigned *iso)
{
    size_t i;
    for (i = 0; i < sizeof(isolation_names) / sizeof(isolation_names[0]); i++)
        if (strcmp(isolation_names[i].name, s) == 0) {
            *iso = isolation_names[i].iso;
            return 0;
        }
    /* Windows' name for VM isolation. */
    if (strcmp(s, "hyperv") == 0) {
        *iso = ISO_VM;
        return 0;
    }
    return -1;
}
