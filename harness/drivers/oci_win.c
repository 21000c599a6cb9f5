/*
 * oci_win.c - the "oci" driver on Windows: OCI runtimes such as runc and
 * runsc run Linux containers on a Linux host only, so the driver registers
 * with the reason it is unavailable (the implementation is oci_linux.c).
 */
#include "../driver.h"

#include <stddef.h>

const struct driver driver_oci = {
    .name = "oci",
    .unavailable_reason = "OCI runtimes (runc, runsc) run on Linux hosts only",
    .isolations = ISO_PROCESS | ISO_SANDBOX,
};
