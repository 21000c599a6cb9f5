/*
 * cmd_drivers.c - `isobench drivers`: every registered driver, the isolation
 * modes it offers and, when it cannot run in this build, why.
 */
#include "commands.h"
#include "driver.h"

#include <stdio.h>
#include <string.h>

int cmd_drivers(int argc, char **argv)
{
    const struct driver *const *d;
    (void)argc;
    (void)argv;
    printf("%-8s %-22s %s\n", "driver", "isolation", "status");
    for (d = driver_list(); *d != NULL; d++) {
        char iso[64] = "";
        unsigned bit;
        for (bit = 1; bit <= ISO_VM; bit <<= 1)
            if ((*d)->isolations & bit) {
                if (iso[0])
                    strcat(iso, ",");
                strcat(iso, isolation_name(bit));
            }
        printf("%-8s %-22s %s\n", (*d)->name, iso,
               (*d)->unavailable_reason ? (*d)->unavailable_reason : "compiled in");
    }
    return 0;
}
