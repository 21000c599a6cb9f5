/*
 * paths.h - where isobench finds its own files (the scenarios, the payload
 * that runs inside containers) whatever the working directory is: from the
 * location of the running binary, never from the current folder.
 *
 * Data files (`rel` such as "scenarios/quick.json"), first match wins:
 *   1. $ISOBENCH_DATA_DIR/<rel>
 *   2. <bindir>/../share/isobench/<rel>   installed as /usr/bin/isobench ->
 *                                         /usr/share/isobench/scenarios/
 *   3. <bindir>/../../share/isobench/<rel>  installed as /usr/lib/isobench/isobench
 *                                         (the Debian package; /usr/bin/isobench is a
 *                                         symlink to it) -> /usr/share/isobench/
 *   4. <bindir>/<rel>                     Windows: scenarios\ next to isobench.exe
 *   5. <bindir>/../<rel>                  a build dir inside the source tree
 *                                         (<repo>/build/isobench -> <repo>/scenarios)
 *   6. <source tree>/<rel>                the tree this binary was built from
 *                                         (a build dir elsewhere)
 * The payload (isobench-payload, .exe on Windows), first match wins:
 *   1. $ISOBENCH_PAYLOAD
 *   2. <bindir>/isobench-payload          the build dir; Windows
 *   3. <bindir>/../lib/isobench/isobench-payload      installed (Debian)
 *   4. <bindir>/../libexec/isobench/isobench-payload  installed (other layouts)
 * <bindir> is the folder of the running executable with symbolic links
 * resolved (plat_self_dir).
 */
#ifndef ISOBENCH_PATHS_H
#define ISOBENCH_PATHS_H

#include <stddef.h>

#include "err.h"

/* Path of one of isobench's data files; the error lists every place tried. */
int paths_data_file(const char *rel, char *buf, size_t n, struct err *e);
/* Path of the payload binary. */
int paths_payload(char *buf, size_t n, struct err *e);
/* A scenario named on the command line: the path as given when it exists
   (relative to the working directory), else the same relative path, or
   scenarios/<arg>, among the data files. The error names the argument. */
int paths_scenario(const char *arg, char *buf, size_t n, struct err *e);

#endif
