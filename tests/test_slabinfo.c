/*
 * test_slabinfo.c - /proc/slabinfo parsing and the free / active / reused
 * sums (harness/slabinfo.h) on fixture text: a version 2.1 file in the
 * fixture /proc tree as the empty-host base (bytes of slab pages, not objsize), a later reading with caches
 * reordered, added and removed, and malformed input.
 */
#include "plat.h"
#include "slabinfo.h"
#include "support.h"

static const char after_text[] =
    "slabinfo - version: 2.1\n"
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
    "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
    "dentry            120900 121100    192   21    1 : tunables    0    0    0 : slabdata   5767   5767      0\n"
    "net_namespace         56     56   4928    6    8 : tunables    0    0    0 : slabdata     10     10      0\n"
    "kernfs_node_cache  52100  52640    128   32    1 : tunables    0    0    0 : slabdata   1645   1645      0\n"
    "kmalloc-1k          3000   3000   1024   16    4 : tunables    0    0    0 : slabdata    188    188      0\n"
    "ns_extra               5     10    100   40    1 : tunables    0    0    0 : slabdata      1      1      0\n";

static void read_base(struct slab_set *base)
{
    char root[4096];
    struct err e;
    src_path(root, sizeof(root), "tests/fixtures/proc-limits");
    cr_assert_eq(slabinfo_read(root, base, &e), 0, "%s", e.msg);
}

Test(slabinfo, reads_the_fixture_and_sums_free_and_active_bytes)
{
    struct slab_set base = { NULL, 0, 0 };
    struct slab_totals t;

    read_base(&base);
    cr_assert_eq(base.n, 6);
    cr_assert_str_eq(base.c[0].name, "net_namespace");
    cr_assert_eq(base.c[0].active_objs, 40);
    cr_assert_eq(base.c[0].num_objs, 56);
    cr_assert_eq(base.c[0].objsize, 4928);
    cr_assert_str_eq(base.c[5].name, "btrfs_delayed_node");
    /* bytes of slab pages, objects x pagesperslab x 4096 / objperslab per
       cache: free 16 net_namespace (8-page slabs of 6: 87,381), 320
       kernfs_node_cache (128 each: 40,960), 1,000 dentry (21 per page:
       195,047); objsize (4,928 for net_namespace) is not what a slab costs */
    cr_assert_eq(base.page_bytes, plat_page_bytes());
    base.page_bytes = 4096;
    slab_totals_of(&base, &base, &t);
    cr_assert_eq(t.free_bytes, 87381 + 40960 + 195047);
    cr_assert_eq(t.active_bytes, 33356263);
    cr_assert_eq(t.reused_bytes, 0, "nothing is reused against itself");
    slab_totals_of(&base, NULL, &t);
    cr_assert_eq(t.reused_bytes, -1, "no base: reuse unknown");
    slab_set_free(&base);
}

Test(slabinfo, reuse_counts_per_cache_the_free_slots_filled_since_the_base)
{
    struct slab_set base = { NULL, 0, 0 }, now = { NULL, 0, 0 };
    struct slab_totals t;
    struct err e;

    read_base(&base);
    base.page_bytes = 4096;
    cr_assert_eq(slabinfo_parse(after_text, 4096, &now, &e), 0, "%s", e.msg);
    cr_assert_eq(now.n, 5);
    slab_totals_of(&now, &base, &t);
    /* dentry: free 1000 -> 200 (800 x 4096 / 21); net_namespace: 16 -> 0
       (16 x 8 x 4096 / 6); kernfs_node_cache's free slots grew (320 -> 540):
       no negative reuse hides the others; ns_extra has no base; bio-312 and
       btrfs_delayed_node are gone */
    cr_assert_eq(t.reused_bytes, 800 * 4096 / 21 + 16 * 8 * 4096 / 6);
    cr_assert_eq(t.free_bytes, 200 * 4096 / 21 + 540 * 128 + 5 * 4096 / 40);
    cr_assert_eq(t.active_bytes, 33628403);
    slab_set_free(&now);
    slab_set_free(&base);
}

Test(slabinfo, bad_input_is_an_error_naming_the_line)
{
    struct slab_set s = { NULL, 0, 0 };
    struct slab_totals t;
    char root[4096];
    struct err e;

    cr_assert_eq(slabinfo_parse("slabinfo - version: 1.1\nfoo 1 2 3 4 5\n", 4096, &s, &e), -1);
    cr_assert(strstr(e.msg, "version") != NULL, "%s", e.msg);
    cr_assert_eq(slabinfo_parse("slabinfo - version: 2.1\n# header\nfoo 1 2 3 4 1\nbar 5 x 7 1 1\n", 4096, &s, &e), -1);
    cr_assert(strstr(e.msg, "line 4") != NULL, "%s", e.msg);
    cr_assert_eq(slabinfo_parse("slabinfo - version: 2.1\nfoo 9 2 64 64 1\n", 4096, &s, &e), -1, "active > num");
    cr_assert_eq(slabinfo_parse("slabinfo - version: 2.1\nfoo 1 2 64\n", 4096, &s, &e), -1, "no objperslab");
    cr_assert_eq(slabinfo_parse("", 4096, &s, &e), -1);
    cr_assert_eq(s.n, 0, "a failed parse leaves the set as it was");
    /* a /proc without slabinfo (not root, another platform): an error, and
       totals of an empty set are unknown */
    src_path(root, sizeof(root), "tests/fixtures/proc");
    cr_assert_eq(slabinfo_read(root, &s, &e), -1);
    cr_assert(strstr(e.msg, "slabinfo") != NULL, "%s", e.msg);
    slab_totals_of(&s, NULL, &t);
    cr_assert_eq(t.free_bytes, -1);
    cr_assert_eq(t.active_bytes, -1);
    cr_assert_eq(t.reused_bytes, -1);
}
