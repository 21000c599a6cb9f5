/*
 * test_cgroup.c - the cgroup v1/v2 and /proc parsers and readers on fixture
 * files.
 *
 * tests/fixtures/cgroup-v1/ holds files copied from this project's test
 * machine (hybrid cgroups: a docker cgroup's memory, cpuacct and pids
 * files). tests/fixtures/cgroup-v2/ is laid out like one v2 cgroup directory:
 * cpu.stat starts from the machine's real unified-hierarchy cpu.stat, the
 * memory files are shaped from the kernel's cgroup-v2 format with the same
 * numbers as the v1 fixture. ISOBENCH_CGROUP_ROOT points the real readers
 * (cgroup_read, cgroup_pids, cgroup_check) at these trees, so the v2 code
 * paths run here although this host binds every controller to v1. The v2
 * writers run on a scratch tree of plain files. /proc fixtures: a real
 * smaps_rollup and the stat line of a process whose comm is "a) b (c".
 */
#define _GNU_SOURCE
#include "cgroup.h"
#include "plat.h"
#include "proc.h"
#include "support.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *rel)
{
    char path[4096];
    static char buf[65536];
    FILE *f;
    size_t n;
    src_path(path, sizeof(path), rel);
    f = fopen(path, "r");
    cr_assert_not_null(f, "fixture %s", path);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void use_fixture_root(const char *rel)
{
    char path[4096];
    setenv("ISOBENCH_CGROUP_ROOT", src_path(path, sizeof(path), rel), 1);
}

/* ---- pure parsers ---- */

Test(cgroup_parse, keyed_matches_whole_keys_at_line_starts)
{
    int64_t v = 0;
    cr_assert_eq(cgroup_parse_keyed("file_mapped 7\nfile 9\n", "file", &v), 0);
    cr_assert_eq(v, 9);
    cr_assert_eq(cgroup_parse_keyed("cache 0\ntotal_cache 5\n", "cache", &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(cgroup_parse_keyed("cache 0\ntotal_cache 5\n", "total_cache", &v), 0);
    cr_assert_eq(v, 5);
    cr_assert_eq(cgroup_parse_keyed("anon_thp 3\n", "anon", &v), -1);
    cr_assert_eq(cgroup_parse_keyed("", "anon", &v), -1);
}

Test(cgroup_parse, numbers_and_max)
{
    int64_t v = 0;
    cr_assert_eq(cgroup_parse_number("1531904\n", &v), 0);
    cr_assert_eq(v, 1531904);
    cr_assert_eq(cgroup_parse_number("max\n", &v), 0);
    cr_assert_eq(v, -1);
    cr_assert_eq(cgroup_parse_number("9223372036854771712\n", &v), 0);
    cr_assert_eq(v, 9223372036854771712LL);
    cr_assert_eq(cgroup_parse_number("\n", &v), -1);
    cr_assert_eq(cgroup_parse_number("garbage", &v), -1);
}

Test(cgroup_parse, words_of_cgroup_controllers)
{
    const char *text = "cpuset cpu io memory hugetlb pids rdma misc\n";
    cr_assert_eq(cgroup_parse_word(text, "cpu"), 0);
    cr_assert_eq(cgroup_parse_word(text, "memory"), 0);
    cr_assert_eq(cgroup_parse_word(text, "misc"), 0);
    cr_assert_eq(cgroup_parse_word("cpuset io\n", "cpu"), -1);
    cr_assert_eq(cgroup_parse_word("", "pids"), -1);
}

/* ---- v1 fixture files (copied from the test machine) ---- */

Test(cgroup_v1, fixture_files_parse)
{
    int64_t v = 0;
    const char *stat = slurp("tests/fixtures/cgroup-v1/memory/memory.stat");
    cr_assert_eq(cgroup_parse_keyed(stat, "total_cache", &v), 0);
    cr_assert_eq(v, 651264);
    cr_assert_eq(cgroup_parse_keyed(stat, "total_rss", &v), 0);
    cr_assert_eq(v, 45056);
    cr_assert_eq(cgroup_parse_keyed(stat, "cache", &v), 0);
    cr_assert_eq(v, 0, "'cache' must not match 'total_cache'");
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v1/memory/memory.usage_in_bytes"), &v), 0);
    cr_assert_eq(v, 1531904);
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v1/cpuacct/cpuacct.usage"), &v), 0);
    cr_assert_eq(v, 4541012808LL);
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v1/pids/pids.current"), &v), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v1/pids/pids.max"), &v), 0);
    cr_assert_eq(v, 128);
}

Test(cgroup_v1, read_through_the_v1_paths)
{
    struct cgroup_stats st;
    struct err e;
    pid_t pids[8];
    int n = 8;
    err_clear(&e);
    use_fixture_root("tests/fixtures/cgroup-v1");
    cr_assert_eq(cgroup_read(CGROUP_HYBRID, ".", &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1531904);
    cr_assert_eq(st.mem_cache_bytes, 651264);
    cr_assert_eq(st.mem_anon_bytes, 45056);
    cr_assert_eq(st.cpu_ns, 4541012808LL);
    cr_assert_eq(st.pids, 1);
    cr_assert_eq(cgroup_pids(CGROUP_V1, ".", pids, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(pids[0], 7882);
}

Test(cgroup_v1, check_names_a_missing_controller)
{
    struct err e;
    err_clear(&e);
    use_fixture_root("tests/fixtures/cgroup-v1");
    /* The fixture holds no cgroup.procs for memory: not a mounted controller. */
    cr_assert_lt(cgroup_check(CGROUP_V1, &e), 0);
    cr_assert(strstr(e.msg, "'memory'") != NULL, "%s", e.msg);
    cr_assert_lt(cgroup_check(CGROUP_NONE, &e), 0);
}

/* ---- v2 fixture files (shaped from real v2 files) ---- */

Test(cgroup_v2, fixture_files_parse)
{
    int64_t v = 0;
    const char *stat = slurp("tests/fixtures/cgroup-v2/memory.stat");
    cr_assert_eq(cgroup_parse_keyed(stat, "anon", &v), 0);
    cr_assert_eq(v, 45056);
    cr_assert_eq(cgroup_parse_keyed(stat, "file", &v), 0);
    cr_assert_eq(v, 651264);
    cr_assert_eq(cgroup_parse_keyed(slurp("tests/fixtures/cgroup-v2/cpu.stat"), "usage_usec", &v), 0);
    cr_assert_eq(v, 4541012);
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v2/memory.current"), &v), 0);
    cr_assert_eq(v, 1531904);
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v2/memory.max"), &v), 0);
    cr_assert_eq(v, -1);
    cr_assert_eq(cgroup_parse_number(slurp("tests/fixtures/cgroup-v2/pids.max"), &v), 0);
    cr_assert_eq(v, -1);
}

Test(cgroup_v2, read_through_the_v2_paths)
{
    struct cgroup_stats st;
    struct err e;
    pid_t pids[8];
    int n = 8;
    err_clear(&e);
    use_fixture_root("tests/fixtures/cgroup-v2");
    cr_assert_eq(cgroup_read(CGROUP_V2, ".", &st, &e), 0, "%s", e.msg);
    cr_assert_eq(st.mem_usage_bytes, 1531904);
    cr_assert_eq(st.mem_cache_bytes, 651264);
    cr_assert_eq(st.mem_anon_bytes, 45056);
    cr_assert_eq(st.cpu_ns, 4541012000LL);
    cr_assert_eq(st.pids, 1);
    cr_assert_eq(cgroup_pids(CGROUP_V2, ".", pids, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(pids[0], 7882);
    cr_assert_eq(cgroup_check(CGROUP_V2, &e), 0, "%s", e.msg);
}

/* A scratch tree of plain files standing for a v2 hierarchy. */
static void touch(const char *dir, const char *name)
{
    char path[4096];
    int fd;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0, "create %s", path);
    close(fd);
}

static const char *contents(const char *dir, const char *name)
{
    static char buf[256];
    char path[4096];
    int fd;
    ssize_t n;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_RDONLY);
    cr_assert_geq(fd, 0, "open %s", path);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

Test(cgroup_v2, writers_on_a_scratch_tree)
{
    char root[] = "/tmp/isobench-cgv2-XXXXXX", dir[4096], mid[4096];
    struct cgroup_limits lim = { 64 << 20, 1.5, 100 };
    struct err e;
    char cmd_path[4096];

    err_clear(&e);
    cr_assert_not_null(mkdtemp(root));
    setenv("ISOBENCH_CGROUP_ROOT", root, 1);
    snprintf(mid, sizeof(mid), "%s/isobench/run1", root);
    snprintf(dir, sizeof(dir), "%s/ctr", mid);
    cr_assert_eq(plat_mkdir_p(dir, &e), 0, "%s", e.msg);
    touch(root, "cgroup.controllers");
    touch(root, "cgroup.subtree_control");
    snprintf(cmd_path, sizeof(cmd_path), "%s/isobench", root);
    touch(cmd_path, "cgroup.subtree_control");
    touch(mid, "cgroup.subtree_control");
    touch(dir, "memory.max");
    touch(dir, "cpu.max");
    touch(dir, "pids.max");
    touch(dir, "cgroup.procs");

    cr_assert_eq(cgroup_create(CGROUP_V2, "isobench/run1/ctr", &lim, &e), 0, "%s", e.msg);
    cr_assert_str_eq(contents(dir, "memory.max"), "67108864");
    cr_assert_str_eq(contents(dir, "cpu.max"), "150000 100000");
    cr_assert_str_eq(contents(dir, "pids.max"), "100");
    /* Three separate writes at offset 0 ("+memory", "+cpu", "+pids") leave the
       last one in front: one controller per write, in every ancestor. */
    cr_assert(strncmp(contents(root, "cgroup.subtree_control"), "+pids", 5) == 0);
    cr_assert(strncmp(contents(mid, "cgroup.subtree_control"), "+pids", 5) == 0);
    cr_assert(strncmp(contents(cmd_path, "cgroup.subtree_control"), "+pids", 5) == 0);
    cr_assert_eq(cgroup_enter(CGROUP_V2, "isobench/run1/ctr", 4242, &e), 0, "%s", e.msg);
    cr_assert_str_eq(contents(dir, "cgroup.procs"), "4242");
    cr_assert(cgroup_exists(CGROUP_V2, "isobench/run1/ctr"));

    /* The controllers file is empty: check names the first missing one. */
    cr_assert_lt(cgroup_check(CGROUP_V2, &e), 0);
    cr_assert(strstr(e.msg, "'memory'") != NULL, "%s", e.msg);

    unsetenv("ISOBENCH_CGROUP_ROOT");
    cr_assert_eq(dir_remove_tree(root, &e), 0, "%s", e.msg);
}

/* ---- /proc ---- */

Test(proc_parse, smaps_rollup_fixture)
{
    int64_t pss = 0, rss = 0;
    cr_assert_eq(proc_parse_smaps_rollup(slurp("tests/fixtures/proc/smaps_rollup"), &pss, &rss), 0);
    cr_assert_eq(pss, 261 * 1024);
    cr_assert_eq(rss, 1624 * 1024);
    /* Pss_Anon and friends must not be taken for Pss. */
    cr_assert_eq(proc_parse_smaps_rollup("Pss_Anon: 5 kB\nRss: 8 kB\n", &pss, &rss), -1);
    /* A kernel thread's empty rollup. */
    cr_assert_eq(proc_parse_smaps_rollup("", &pss, &rss), -1);
}

Test(proc_parse, stat_with_spaces_and_parentheses_in_comm)
{
    int64_t ut = 0, st = 0;
    pid_t ppid = 0;
    const char *text = slurp("tests/fixtures/proc/stat-odd-comm");
    cr_assert(strstr(text, "(a) b (c)") != NULL, "fixture comm is 'a) b (c'");
    cr_assert_eq(proc_parse_stat_cpu(text, &ut, &st, &ppid), 0);
    cr_assert_eq(ut, 30);
    cr_assert_eq(st, 44);
    cr_assert_eq(ppid, 8793);
    cr_assert_eq(proc_parse_stat_cpu("garbage", &ut, &st, &ppid), -1);
}
