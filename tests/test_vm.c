/*
 * test_vm.c - the vm driver: its pure helpers (kernel command line, QEMU
 * argv, KVM probe cache), the newc cpio writer, and real QEMU microVMs booted
 * under TCG with Debian's kernel (skipped when QEMU or the cached kernel is
 * missing; scripts/setup caches the kernel).
 */
#define _GNU_SOURCE
#include "support.h"

#include "cpio.h"
#include "driver.h"
#include "drivers/vm.h"
#include "image.h"
#include "plat.h"
#include "proc.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct driver driver_vm;

/* ---- kernel command line ---- */

Test(vm_cmdline, idle_and_exit)
{
    char buf[512];
    struct err e;
    cr_assert_eq(vm_kernel_cmdline("idle", 0, 0, buf, sizeof(buf), &e), 0);
    cr_assert(strstr(buf, "console=ttyS0") != NULL);
    cr_assert(strstr(buf, "isobench.workload=idle") != NULL);
    cr_assert(strstr(buf, "isobench.iters") == NULL);
    cr_assert_eq(vm_kernel_cmdline("exit", 7, 0, buf, sizeof(buf), &e), 0);
    cr_assert(strstr(buf, "isobench.workload=exit") != NULL);
    cr_assert(strstr(buf, "isobench.iters") == NULL, "iterations only matter to cpu");
}

Test(vm_cmdline, cpu_carries_iterations)
{
    char buf[512];
    struct err e;
    cr_assert_eq(vm_kernel_cmdline("cpu", 123456789, 0, buf, sizeof(buf), &e), 0);
    cr_assert(strstr(buf, "isobench.workload=cpu isobench.iters=123456789") != NULL, "%s", buf);
}

Test(vm_cmdline, tsc_rate_only_when_known)
{
    char buf[512];
    struct err e;
    cr_assert_eq(vm_kernel_cmdline("idle", 0, 2599996, buf, sizeof(buf), &e), 0);
    cr_assert(strstr(buf, " tsc_early_khz=2599996 ") != NULL, "%s", buf);
    cr_assert_eq(vm_kernel_cmdline("idle", 0, 0, buf, sizeof(buf), &e), 0);
    cr_assert(strstr(buf, "tsc_early_khz") == NULL, "%s", buf);
}

Test(vm_cmdline, rejects_what_init_cannot_run)
{
    char buf[512];
    struct err e;
    err_clear(&e);
    cr_assert_lt(vm_kernel_cmdline("sleep 5", 0, 0, buf, sizeof(buf), &e), 0);
    cr_assert(strstr(e.msg, "sleep 5") != NULL, "%s", e.msg);
    cr_assert_lt(vm_kernel_cmdline("cpu", 0, 0, buf, sizeof(buf), &e), 0);
    cr_assert_lt(vm_kernel_cmdline(NULL, 0, 0, buf, sizeof(buf), &e), 0);
    cr_assert_lt(vm_kernel_cmdline("idle", 0, 0, buf, 10, &e), 0, "truncation is an error");
}

/* ---- QEMU argv ---- */

static const char *arg_after(const struct vm_argv *a, const char *flag)
{
    int i;
    for (i = 0; i + 1 < a->argc; i++)
        if (strcmp(a->argv[i], flag) == 0)
            return a->argv[i + 1];
    return NULL;
}

static int has_arg(const struct vm_argv *a, const char *arg)
{
    int i;
    for (i = 0; i < a->argc; i++)
        if (strcmp(a->argv[i], arg) == 0)
            return 1;
    return 0;
}

static void sample_launch(struct vm_launch *l)
{
    memset(l, 0, sizeof(*l));
    l->qemu = "/usr/bin/qemu-system-x86_64";
    l->name = "isobench-RUN1-vm-0";
    l->accel = "tcg";
    l->kernel = "/cache/vm/vmlinuz";
    l->initrd = "/cache/vm/initramfs/x.cpio";
    l->disk = "/cache/vm/run/RUN1-vm-0/scratch.raw";
    l->cmdline = "console=ttyS0 quiet isobench.workload=idle";
    l->memory_mb = 128;
    l->vcpus = 2;
}

Test(vm_argv, tcg_layout)
{
    struct vm_launch l;
    struct vm_argv a;
    struct err e;
    const char *drive;

    sample_launch(&l);
    cr_assert_eq(vm_qemu_argv(&l, &a, &e), 0, "%s", e.msg);
    cr_assert_str_eq(a.argv[0], "/usr/bin/qemu-system-x86_64");
    cr_assert_null(a.argv[a.argc]);
    cr_assert_str_eq(arg_after(&a, "-name"), "isobench-RUN1-vm-0");
    cr_assert(strncmp(arg_after(&a, "-M"), "microvm", 7) == 0);
    cr_assert_str_eq(arg_after(&a, "-accel"), "tcg");
    cr_assert_null(arg_after(&a, "-cpu"), "no -cpu host under TCG");
    cr_assert_str_eq(arg_after(&a, "-m"), "128");
    cr_assert_str_eq(arg_after(&a, "-smp"), "2");
    cr_assert_str_eq(arg_after(&a, "-kernel"), "/cache/vm/vmlinuz");
    cr_assert_str_eq(arg_after(&a, "-initrd"), "/cache/vm/initramfs/x.cpio");
    cr_assert_str_eq(arg_after(&a, "-append"), l.cmdline, "the command line is one argument");
    cr_assert_str_eq(arg_after(&a, "-serial"), "stdio");
    drive = arg_after(&a, "-drive");
    cr_assert_not_null(drive);
    cr_assert(strstr(drive, "file=/cache/vm/run/RUN1-vm-0/scratch.raw") != NULL, "%s", drive);
    cr_assert(strstr(drive, "format=raw") != NULL);
    cr_assert(strstr(arg_after(&a, "-device"), "virtio-blk-device") != NULL);
    cr_assert(has_arg(&a, "-nodefaults") && has_arg(&a, "-no-reboot"));
}

Test(vm_argv, kvm_uses_host_cpu_and_no_disk)
{
    struct vm_launch l;
    struct vm_argv a;
    struct err e;
    sample_launch(&l);
    l.accel = "kvm";
    l.disk = NULL;
    cr_assert_eq(vm_qemu_argv(&l, &a, &e), 0, "%s", e.msg);
    cr_assert_str_eq(arg_after(&a, "-accel"), "kvm");
    cr_assert_str_eq(arg_after(&a, "-cpu"), "host");
    cr_assert_null(arg_after(&a, "-drive"));
    cr_assert_null(arg_after(&a, "-device"));
}

Test(vm_argv, rejects_bad_input)
{
    struct vm_launch l;
    struct vm_argv a;
    struct err e;
    sample_launch(&l);
    l.accel = "hvf";
    cr_assert_lt(vm_qemu_argv(&l, &a, &e), 0);
    sample_launch(&l);
    l.disk = "/tmp/a,b.raw";
    cr_assert_lt(vm_qemu_argv(&l, &a, &e), 0);
    cr_assert(strstr(e.msg, "comma") != NULL, "%s", e.msg);
    sample_launch(&l);
    l.vcpus = 0;
    cr_assert_lt(vm_qemu_argv(&l, &a, &e), 0);
}

/* ---- KVM probe cache ---- */

Test(vm_probe_cache, key_changes_with_every_input)
{
    char base[1024], k[1024];
    vm_probe_key("/c/vmlinuz", 100, 200, "7.2.22", "6.1.0", base, sizeof(base));
    vm_probe_key("/c/vmlinuz", 100, 200, "7.2.22", "6.1.0", k, sizeof(k));
    cr_assert_str_eq(base, k, "the key is a pure function");
    vm_probe_key("/d/vmlinuz", 100, 200, "7.2.22", "6.1.0", k, sizeof(k));
    cr_assert_str_neq(base, k);
    vm_probe_key("/c/vmlinuz", 101, 200, "7.2.22", "6.1.0", k, sizeof(k));
    cr_assert_str_neq(base, k);
    vm_probe_key("/c/vmlinuz", 100, 201, "7.2.22", "6.1.0", k, sizeof(k));
    cr_assert_str_neq(base, k);
    vm_probe_key("/c/vmlinuz", 100, 200, "8.0.0", "6.1.0", k, sizeof(k));
    cr_assert_str_neq(base, k);
    vm_probe_key("/c/vmlinuz", 100, 200, "7.2.22", "6.18.44", k, sizeof(k));
    cr_assert_str_neq(base, k);
}

Test(vm_probe_cache, round_trip_and_misses)
{
    char key[1024], other[1024], text[4096];
    struct vm_probe_result r, back;

    vm_probe_key("/c/vmlinuz", 100, 200, "7.2.22", "6.1.0", key, sizeof(key));
    vm_probe_key("/c/vmlinuz", 100, 200, "7.2.22", "6.2.0", other, sizeof(other));
    memset(&r, 0, sizeof(r));
    r.kvm_ok = 0;
    r.probe_ms = 20013;
    snprintf(r.reason, sizeof(r.reason), "kvm boot probe timed out after 20 s");
    cr_assert_eq(vm_probe_format(key, &r, text, sizeof(text)), 0);
    cr_assert_eq(vm_probe_parse(text, key, &back), 0, "%s", text);
    cr_assert_eq(back.kvm_ok, 0);
    cr_assert_eq(back.probe_ms, 20013);
    cr_assert_str_eq(back.reason, r.reason);
    cr_assert_lt(vm_probe_parse(text, other, &back), 0, "another host kernel is a miss");
    cr_assert_lt(vm_probe_parse("key=x\n", "x", &back), 0, "a truncated file is a miss");
    cr_assert_lt(vm_probe_parse("", key, &back), 0);
    r.kvm_ok = 1;
    cr_assert_eq(vm_probe_format(key, &r, text, sizeof(text)), 0);
    cr_assert_eq(vm_probe_parse(text, key, &back), 0);
    cr_assert_eq(back.kvm_ok, 1);
    snprintf(r.reason, sizeof(r.reason), "two\nlines");
    cr_assert_lt(vm_probe_format(key, &r, text, sizeof(text)), 0, "a newline would break the file");
}

/* ---- cpio writer ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

/* Run argv, capture stdout into out. Returns the exit status. */
static int run_capture(const char *const *argv, char *out, size_t n)
{
    int fds[2], status;
    size_t used = 0;
    ssize_t r;
    pid_t pid;
    cr_assert_eq(pipe(fds), 0);
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    while (used < n - 1 && (r = read(fds[0], out + used, n - 1 - used)) > 0)
        used += (size_t)r;
    out[used] = '\0';
    close(fds[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void make_tree(char *root, size_t n)
{
    char path[1024];
    snprintf(root, n, "/tmp/isobench-test-cpio-%d", (int)getpid());
    dir_remove_tree(root, NULL);
    cr_assert_eq(mkdir(root, 0755), 0);
    snprintf(path, sizeof(path), "%s/bin", root);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/bin/tool", root);
    write_text_file(path, "#!tool\n123456");   /* 13 bytes: needs padding */
    chmod(path, 0755);
    snprintf(path, sizeof(path), "%s/bin/link", root);
    cr_assert_eq(symlink("tool", path), 0);
    snprintf(path, sizeof(path), "%s/empty", root);
    write_text_file(path, "");
}

Test(cpio, headers_parse_back)
{
    char root[256], archive[300];
    struct cpio c;
    struct err e;
    char *buf;
    size_t len, off = 0;
    int seen_tool = 0, seen_link = 0, seen_console = 0, seen_trailer = 0, seen_bin = 0;

    make_tree(root, sizeof(root));
    snprintf(archive, sizeof(archive), "%s.cpio", root);
    cr_assert_eq(cpio_open(&c, archive, &e), 0, "%s", e.msg);
    cr_assert_eq(cpio_add_tree(&c, root, "", &e), 0, "%s", e.msg);
    cr_assert_eq(cpio_add_chardev(&c, "dev/console", 0600, 5, 1, &e), 0);
    cr_assert_eq(cpio_close(&c, &e), 0, "%s", e.msg);

    buf = slurp(archive, &len);
    cr_assert_eq(len % 512, 0, "archive padded to 512 bytes");
    while (off + CPIO_HEADER_LEN <= len) {
        uint32_t mode, size, namesize, rmaj, rmin;
        const char *name, *data;
        cr_assert_eq(off % 4, 0);
        cr_assert_eq(cpio_parse_header(buf + off, &mode, &size, &namesize, &rmaj, &rmin), 0,
                     "header at %zu", off);
        name = buf + off + CPIO_HEADER_LEN;
        cr_assert_eq(name[namesize - 1], '\0');
        data = buf + ((off + CPIO_HEADER_LEN + namesize + 3) & ~(size_t)3);
        if (strcmp(name, CPIO_TRAILER) == 0) {
            seen_trailer = 1;
            break;
        }
        if (strcmp(name, "bin") == 0) {
            cr_assert_eq(mode & 0170000u, CPIO_S_IFDIR);
            cr_assert_eq(seen_tool + seen_link, 0, "a directory comes before its contents");
            seen_bin = 1;
        } else if (strcmp(name, "bin/tool") == 0) {
            cr_assert_eq(mode, CPIO_S_IFREG | 0755u);
            cr_assert_eq(size, 13);
            cr_assert_eq(memcmp(data, "#!tool\n123456", 13), 0);
            seen_tool = 1;
        } else if (strcmp(name, "bin/link") == 0) {
            cr_assert_eq(mode & 0170000u, CPIO_S_IFLNK);
            cr_assert_eq(size, 4);
            cr_assert_eq(memcmp(data, "tool", 4), 0);
            seen_link = 1;
        } else if (strcmp(name, "dev/console") == 0) {
            cr_assert_eq(mode, CPIO_S_IFCHR | 0600u);
            cr_assert_eq(rmaj, 5);
            cr_assert_eq(rmin, 1);
            seen_console = 1;
        }
        off = (size_t)(data - buf) + ((size + 3) & ~(uint32_t)3);
    }
    cr_assert(seen_bin && seen_tool && seen_link && seen_console && seen_trailer);
    free(buf);
    unlink(archive);
    dir_remove_tree(root, NULL);
}

Test(cpio, gnu_cpio_reads_it)
{
    char root[256], archive[300], out[4096];
    const char *argv[] = { "/usr/bin/cpio", "-t", "-v", "-F", archive, NULL };
    struct cpio c;
    struct err e;

    require_or_skip(access("/usr/bin/cpio", X_OK) == 0, "GNU cpio not installed (apt-get install cpio)");
    make_tree(root, sizeof(root));
    snprintf(archive, sizeof(archive), "%s.cpio", root);
    cr_assert_eq(cpio_open(&c, archive, &e), 0, "%s", e.msg);
    cr_assert_eq(cpio_add_tree(&c, root, "", &e), 0, "%s", e.msg);
    cr_assert_eq(cpio_add_symlink(&c, "init", "bin/tool", &e), 0);
    cr_assert_eq(cpio_close(&c, &e), 0);
    cr_assert_eq(run_capture(argv, out, sizeof(out)), 0, "cpio -t failed: %s", out);
    cr_assert(strstr(out, "bin/tool") != NULL, "%s", out);
    cr_assert(strstr(out, "bin/link -> tool") != NULL, "%s", out);
    cr_assert(strstr(out, "init -> bin/tool") != NULL, "%s", out);
    cr_assert(strstr(out, " 13 ") != NULL, "size of bin/tool: %s", out);
    unlink(archive);
    dir_remove_tree(root, NULL);
}

/* ---- options ---- */

static void mode_with(struct mode *m, const char *options_json)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->name, sizeof(m->name), "vm");
    snprintf(m->driver_name, sizeof(m->driver_name), "vm");
    m->index = 2;
    m->drv = &driver_vm;
    m->options = options_json ? cJSON_Parse(options_json) : NULL;
}

Test(vm_options, unknown_and_bad_values_name_the_field)
{
    struct mode m;
    struct err e;
    mode_with(&m, "{\"memory_mb\":128,\"bogus\":1}");
    err_clear(&e);
    cr_assert_lt(driver_vm.probe(&m, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.bogus") != NULL, "%s", e.msg);
    cJSON_Delete(m.options);
    mode_with(&m, "{\"accel\":\"xen\"}");
    cr_assert_lt(driver_vm.probe(&m, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.accel") != NULL, "%s", e.msg);
    cJSON_Delete(m.options);
    mode_with(&m, "{\"vcpus\":1.5}");
    cr_assert_lt(driver_vm.probe(&m, &e), 0);
    cr_assert(strstr(e.msg, "modes[2].options.vcpus") != NULL, "%s", e.msg);
    cJSON_Delete(m.options);
}

Test(vm_options, missing_kernel_says_run_setup)
{
    struct mode m;
    struct err e;
    mode_with(&m, "{\"kernel\":\"/nonexistent/vmlinuz\"}");
    err_clear(&e);
    if (access("/usr/bin/qemu-system-x86_64", X_OK) == 0) {
        cr_assert_lt(driver_vm.probe(&m, &e), 0);
        cr_assert(strstr(e.msg, "guest kernel missing at /nonexistent/vmlinuz; run scripts/setup") != NULL,
                  "%s", e.msg);
    }
    cJSON_Delete(m.options);
}

/* ---- real microVMs ---- */

/* Run id of the test in this process: a failed assertion still ends with
   the driver's own cleanup, so no QEMU outlives a test. */
static char current_run_id[64];

static void boot_fini(void)
{
    struct err e;
    int removed = 0;
    if (current_run_id[0] != '\0')
        driver_vm.cleanup(current_run_id, &removed, &e);
}

struct fixture {
    struct scenario scn;
    struct mode *m;
    char run_id[64];
};

static const char *const idle_argv[] = { IMAGE_PAYLOAD_PATH, "idle", NULL };
static const char *const exit_argv[] = { IMAGE_PAYLOAD_PATH, "exit", NULL };
static const char *const cpu_argv[] = { IMAGE_PAYLOAD_PATH, "cpu", "20000000", NULL };

static void need_vm(void)
{
    char kernel[1024];
    snprintf(kernel, sizeof(kernel), "%s/vm/vmlinuz", image_cache_dir());
    require_or_skip(access("/usr/bin/qemu-system-x86_64", X_OK) == 0,
                    "qemu-system-x86_64 missing (apt-get install qemu-system-x86)");
    require_or_skip(access(kernel, R_OK) == 0, "guest kernel not cached; run scripts/setup");
}

static void fixture_init(struct fixture *f, const char *options_json)
{
    struct err e;
    memset(f, 0, sizeof(*f));
    f->m = &f->scn.modes[0];
    f->scn.nmodes = 1;
    f->scn.workload = WL_IDLE;
    mode_with(f->m, options_json);
    f->m->index = 0;
    snprintf(f->run_id, sizeof(f->run_id), "tvm%dx%lld", (int)getpid(),
             (long long)(plat_now_ns() % 1000000));
    snprintf(current_run_id, sizeof(current_run_id), "%s", f->run_id);
    err_clear(&e);
    cr_assert_eq(driver_vm.probe(f->m, &e), 0, "probe: %s", e.msg);
    cr_assert_eq(driver_vm.mode_init(f->m, &f->scn, &e), 0, "mode_init: %s", e.msg);
}

static void fixture_fini(struct fixture *f)
{
    driver_vm.mode_fini(f->m);
    cJSON_Delete(f->m->options);
}

static void ctr_init(struct fixture *f, struct ctr *c, int index, const char *const *argv)
{
    memset(c, 0, sizeof(*c));
    c->mode = f->m;
    c->scn = &f->scn;
    c->run_id = f->run_id;
    c->index = index;
    c->fleet_size = 2;
    c->argv = argv;
    snprintf(c->name, sizeof(c->name), "%s-%s-%d", f->run_id, f->m->name, index);
}

static int qemu_count(const char *run_id)
{
    char needle[128];
    pid_t pids[64];
    int n = 64;
    struct err e;
    snprintf(needle, sizeof(needle), "-name isobench-%s", run_id);
    cr_assert_eq(proc_find_cmdline(needle, pids, &n, &e), 0);
    return n;
}

static int run_dir_exists(const struct ctr *c)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vm/run/%s", image_cache_dir(), c->name);
    return plat_exists(path);
}

Test(vm_boot, two_idle_vms_measured_and_cleaned, .timeout = 600, .fini = boot_fini)
{
    struct fixture f;
    struct ctr c[2];
    struct err e;
    cJSON *facts;
    int i;

    need_vm();
    fixture_init(&f, "{\"accel\":\"tcg\",\"memory_mb\":128}");
    facts = cJSON_CreateObject();
    driver_vm.facts(f.m, facts);
    cr_assert_str_eq(cJSON_GetObjectItem(facts, "accel")->valuestring, "tcg");
    cr_assert_not_null(cJSON_GetObjectItem(facts, "accel_reason"));
    cr_assert_eq(cJSON_GetObjectItem(facts, "guest_memory_bytes")->valuedouble, 128.0 * 1048576);
    cJSON_Delete(facts);

    for (i = 0; i < 2; i++) {
        ctr_init(&f, &c[i], i, idle_argv);
        c[i].create_ns = plat_now_ns();
        cr_assert_eq(driver_vm.create(&c[i], &e), 0, "create: %s", e.msg);
        cr_assert_eq(driver_vm.start(&c[i], &e), 0, "start: %s", e.msg);
    }
    for (i = 0; i < 2; i++) {
        char line[256];
        struct counters k;
        double start_ms;
        cr_assert_eq(driver_vm.wait_output(&c[i], MARKER_READY, 120000, line, sizeof(line),
                                           &c[i].ready_ns, &e), 0, "wait: %s", e.msg);
        cr_assert(strncmp(line, MARKER_READY, strlen(MARKER_READY)) == 0, "%s", line);
        start_ms = (double)(c[i].ready_ns - c[i].create_ns) / 1e6;
        cr_assert_gt(start_ms, 0.0);
        cr_assert_eq(driver_vm.sample(&c[i], &k, &e), 0, "sample: %s", e.msg);
        cr_assert_gt(k.mem_pss_bytes, 0);
        cr_assert_geq(k.mem_rss_bytes, k.mem_pss_bytes);
        cr_assert_gt(k.cpu_ns, 0);
        cr_assert_geq(k.storage_bytes, 0);
        cr_assert_eq(k.mem_cgroup_bytes, -1, "no cgroup: unknown, not zero");
        cr_log_info("vm %d: start %.0f ms, QEMU PSS %.1f MiB, RSS %.1f MiB, cpu %.2f s, scratch %lld bytes",
                    i, start_ms, k.mem_pss_bytes / 1048576.0, k.mem_rss_bytes / 1048576.0,
                    k.cpu_ns / 1e9, (long long)k.storage_bytes);
    }
    cr_assert_eq(qemu_count(f.run_id), 2);
    for (i = 0; i < 2; i++) {
        cr_assert_eq(driver_vm.stop(&c[i], &e), 0, "stop: %s", e.msg);
        cr_assert_eq(driver_vm.destroy(&c[i], &e), 0, "destroy: %s", e.msg);
        cr_assert_null(c[i].priv);
        cr_assert(!run_dir_exists(&c[i]), "files of %s left behind", c[i].name);
    }
    cr_assert_eq(qemu_count(f.run_id), 0, "a QEMU process outlived destroy");
    fixture_fini(&f);
}

Test(vm_boot, exit_workload_powers_off_by_itself, .timeout = 600, .fini = boot_fini)
{
    struct fixture f;
    struct ctr c;
    struct err e;
    struct counters k;
    char line[256];
    int64_t deadline;

    need_vm();
    fixture_init(&f, "{\"accel\":\"tcg\"}");
    ctr_init(&f, &c, 0, exit_argv);
    cr_assert_eq(driver_vm.create(&c, &e), 0, "create: %s", e.msg);
    cr_assert_eq(driver_vm.start(&c, &e), 0, "start: %s", e.msg);
    cr_assert_eq(driver_vm.wait_output(&c, MARKER_READY, 120000, line, sizeof(line), NULL, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(driver_vm.wait_output(&c, "isobench-init: workload exit exited status=0", 60000,
                                       line, sizeof(line), NULL, &e), 0, "%s", e.msg);
    /* The guest powers off: QEMU ends without being stopped. */
    deadline = plat_now_ns() + 60000000000LL;
    do {
        cr_assert_eq(driver_vm.sample(&c, &k, &e), 0, "%s", e.msg);
        if (k.pids == 0)
            break;
        plat_sleep_ms(50);
    } while (plat_now_ns() < deadline);
    cr_assert_eq(k.pids, 0, "QEMU still running after the guest's power-off");
    cr_assert_gt(k.cpu_ns, 0, "final CPU time from wait4");
    cr_assert_eq(driver_vm.stop(&c, &e), 0);
    cr_assert_eq(driver_vm.destroy(&c, &e), 0);
    cr_assert(!run_dir_exists(&c));
    fixture_fini(&f);
}

Test(vm_boot, cpu_workload_reports_result_and_disk_is_used, .timeout = 600, .fini = boot_fini)
{
    struct fixture f;
    struct ctr c;
    struct err e;
    struct counters k;
    char line[256];

    need_vm();
    fixture_init(&f, "{\"accel\":\"tcg\"}");
    ctr_init(&f, &c, 0, cpu_argv);
    cr_assert_eq(driver_vm.create(&c, &e), 0, "create: %s", e.msg);
    cr_assert_eq(driver_vm.start(&c, &e), 0, "start: %s", e.msg);
    cr_assert_eq(driver_vm.wait_output(&c, MARKER_READY, 120000, line, sizeof(line), NULL, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(driver_vm.wait_output(&c, MARKER_RESULT, 120000, line, sizeof(line), NULL, &e), 0,
                 "%s", e.msg);
    cr_assert(strstr(line, "work_ns=") != NULL && strstr(line, "check=") != NULL, "%s", line);
    cr_assert_eq(driver_vm.sample(&c, &k, &e), 0, "%s", e.msg);
    /* The guest init claims one block of the scratch disk when it sees it. */
    cr_assert_gt(k.storage_bytes, 0, "the guest wrote nothing to its scratch disk");
    cr_assert_eq(driver_vm.destroy(&c, &e), 0, "destroy without stop: %s", e.msg);
    cr_assert_eq(qemu_count(f.run_id), 0);
    fixture_fini(&f);
}

Test(vm_boot, kernel_option_boots_without_cached_modules, .timeout = 600, .fini = boot_fini)
{
    struct fixture f;
    struct ctr c;
    struct err e;
    struct counters k;
    char line[256], options[1200];

    need_vm();
    /* The cached modules belong to the cached kernel only: a kernel named in
       the options boots without them, so its guest never sees the disk. */
    snprintf(options, sizeof(options), "{\"accel\":\"tcg\",\"kernel\":\"%s/vm/vmlinuz\"}",
             image_cache_dir());
    fixture_init(&f, options);
    ctr_init(&f, &c, 0, idle_argv);
    cr_assert_eq(driver_vm.create(&c, &e), 0, "create: %s", e.msg);
    cr_assert_eq(driver_vm.start(&c, &e), 0, "start: %s", e.msg);
    cr_assert_eq(driver_vm.wait_output(&c, MARKER_READY, 120000, line, sizeof(line), NULL, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(driver_vm.sample(&c, &k, &e), 0, "%s", e.msg);
    cr_assert_eq(k.storage_bytes, 0, "nothing allocated on a disk the guest cannot see");
    cr_assert_gt(k.mem_pss_bytes, 0);
    cr_assert_eq(driver_vm.destroy(&c, &e), 0, "%s", e.msg);
    fixture_fini(&f);
}

Test(vm_boot, cleanup_finds_leftovers_by_run_id, .timeout = 600, .fini = boot_fini)
{
    struct fixture f;
    struct ctr c;
    struct err e;
    char line[256];
    int removed = 0;

    need_vm();
    fixture_init(&f, "{\"accel\":\"tcg\"}");
    ctr_init(&f, &c, 0, idle_argv);
    cr_assert_eq(driver_vm.create(&c, &e), 0, "create: %s", e.msg);
    cr_assert_eq(driver_vm.start(&c, &e), 0, "start: %s", e.msg);
    cr_assert_eq(driver_vm.wait_output(&c, MARKER_READY, 120000, line, sizeof(line), NULL, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(qemu_count(f.run_id), 1);
    /* As after a crash: nothing was stopped. */
    cr_assert_eq(driver_vm.cleanup(f.run_id, &removed, &e), 0, "%s", e.msg);
    cr_assert_geq(removed, 2, "one QEMU and one directory");
    cr_assert_eq(qemu_count(f.run_id), 0);
    cr_assert(!run_dir_exists(&c));
    cr_assert_eq(driver_vm.destroy(&c, &e), 0, "destroy after cleanup: %s", e.msg);
    fixture_fini(&f);
}

Test(vm_boot, auto_accel_records_the_probe, .timeout = 600, .fini = boot_fini)
{
    struct fixture f;
    cJSON *facts;
    const cJSON *accel, *reason;

    need_vm();
    fixture_init(&f, NULL);
    facts = cJSON_CreateObject();
    driver_vm.facts(f.m, facts);
    accel = cJSON_GetObjectItem(facts, "accel");
    reason = cJSON_GetObjectItem(facts, "accel_reason");
    cr_assert(cJSON_IsString(accel) && cJSON_IsString(reason));
    cr_assert(strcmp(accel->valuestring, "kvm") == 0 || strcmp(accel->valuestring, "tcg") == 0);
    cr_assert_gt(strlen(reason->valuestring), 0);
    if (access("/dev/kvm", R_OK | W_OK) == 0)
        cr_assert_not_null(cJSON_GetObjectItem(facts, "kvm_probe_ms"), "KVM present: it was probed");
    cr_log_info("accel %s: %s", accel->valuestring, reason->valuestring);
    cJSON_Delete(facts);
    fixture_fini(&f);
}
