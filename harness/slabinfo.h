/*
 * slabinfo.h - free objects in the kernel's slab caches (/proc/slabinfo),
 * recorded with every host-memory sample that feeds ramp.csv and
 * density.csv, so the capacity model can tell a container's kernel memory
 * from the free objects earlier fleets left behind.
 *
 * Why: most of what an ns or runsc container costs the host is kernel memory
 * in slab caches (network namespace, cgroups, proc and sysfs inodes,
 * dentries). /proc/meminfo's Slab counts slab pages, not objects, so when a
 * new container's objects are taken from free slots of partially filled
 * slabs that a torn-down fleet left, host memory in use does not grow: the
 * first containers of a ramp look cheaper than the ones that come after the
 * free slots are used up (four ns ramps of one host gave 418..975 KiB/ctr).
 *
 * Per cache, /proc/slabinfo (version 2.1, root only) gives active_objs,
 * num_objs, objsize, objperslab and pagesperslab. Every figure here is in
 * bytes of slab pages: an object takes pagesperslab x page size /
 * objperslab (its footprint), not objsize, because that is what a new slab
 * costs the host (meminfo Slab counts pages; a 4,928-byte net_namespace
 * takes 5,461 bytes of its 8-page slab). Counted in objsize, a ramp whose
 * first containers fill free slots and whose later ones allocate slabs
 * with their page waste looks curved (on the test host the page waste of
 * new slabs grew from 0 to 130 KiB per ns container over 500..5,000
 * containers, exactly as the free slots ran out).
 *
 * Free bytes = sum (num_objs - active_objs) x footprint, active bytes = sum
 * active_objs x footprint: together the caches' pages. Under SLUB "active"
 * counts every object not on a node's partial list as in use, so the free
 * slots of per-CPU slabs count as active: the free figure is a floor.
 * Reused bytes since a base snapshot = sum over caches present in both of
 * max(0, free_base - free_now) x footprint: the free slots a cache had at
 * the base that have been filled since. Per cache, so that the free slots
 * new partial slabs bring (part of a growing fleet's cost) do not hide the
 * reuse in another cache.
 *
 * The parser is a pure function of the text (tests feed fixtures); the
 * reader opens <proc_root>/slabinfo, which does not exist (or is not
 * readable) on other platforms or without root: then every figure is
 * unknown (-1) and nothing else changes.
 */
#ifndef ISOBENCH_SLABINFO_H
#define ISOBENCH_SLABINFO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct slab_cache {
    char name[64];
    int64_t active_objs, num_objs, objsize, objperslab, pagesperslab;
};

/* Every cache of one reading, in the kernel's order. */
struct slab_set {
    struct slab_cache *c;
    size_t n;
    int64_t page_bytes;     /* the page size the footprints are counted in */
};

/* Sums over a reading; -1 when unknown (no reading; reused_bytes: no base). */
struct slab_totals {
    int64_t free_bytes;    /* sum (num_objs - active_objs) x objsize */
    int64_t active_bytes;  /* sum active_objs x objsize */
    int64_t reused_bytes;  /* free slots of the base that are filled now, per cache */
};

/* Parse /proc/slabinfo text (version 2.1 header, then one line per cache:
   name active_objs num_objs objsize objperslab pagesperslab ...), pages of
   page_bytes. Replaces s's contents (free it with slab_set_free). Fails on
   another version or a malformed line, naming the line. */
int slabinfo_parse(const char *text, int64_t page_bytes, struct slab_set *s, struct err *e);

/* Read and parse <proc_root>/slabinfo (proc_root NULL = "/proc"), pages of
   the host's page size. */
int slabinfo_read(const char *proc_root, struct slab_set *s, struct err *e);

void slab_set_free(struct slab_set *s);

/* Totals of `now`; reused against `base` (NULL or empty: reused -1). now
   NULL or empty: every total -1. */
void slab_totals_of(const struct slab_set *now, const struct slab_set *base, struct slab_totals *t);

/* All three -1. */
void slab_totals_unknown(struct slab_totals *t);

#endif
