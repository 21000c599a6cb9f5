/*
 * oci_linux.c - the "oci" driver: runs an OCI runtime binary directly (runc,
 * runsc, or any runtime given by path) on a bundle it writes itself.
 *
 * Per container: an overlayfs (lower = the busybox image, upper/work = a
 * per-container writable layer) is mounted at <bundle>/rootfs, config.json is
 * written with cJSON (the equivalent of `runc spec`, minus the terminal, with
 * the scenario's limits and linux.cgroupsPath = /isobench/<run_id>/<name>),
 * then `runtime [global args] --root R create --bundle B --pid-file P <id>`
 * runs with stdin=/dev/null, stdout = a pipe the harness reads (with
 * terminal:false the runtime hands its own stdio to the container process)
 * and stderr = <dir>/create.log. start = `runtime ... start <id>`. stop =
 * SIGKILL to every process of the container through pidfds, waiting until
 * they are gone (what `kill <id> KILL` does for a one-container bundle,
 * without a runtime exec; `kill` and polling `state` are the fallback).
 * destroy = `delete --force <id>`, then the cgroup, the overlay and the
 * directories. The harness makes itself the child subreaper of the runtime's
 * daemons (runc's container init, runsc's sandbox and gofer), so it reaps
 * them at once: on a host whose init reaps orphans slowly, `runsc delete`
 * would otherwise poll a zombie sandbox for over a second.
 *
 * Measured: the cgroup the runtime created (memory, CPU, pids; runsc puts its
 * sandbox, gofer and their children in it too), and PSS/RSS summed over every
 * process that exists because of the container: the processes in that
 * cgroup, every process whose command line names the container's bundle
 * (runsc's sandbox and gofer), and all their descendants. ctr->exec_ns is the
 * moment `start` returned: runc has then released its init into execve, runsc
 * has launched the application inside the sandbox.
 *
 * Network: by default every container gets a new, empty network namespace
 * (loopback only), as `runc spec` and `docker run --network none` do; runsc
 * gets --network=none for it (runsc 2022-12 refuses to start a sandbox whose
 * fresh namespace has no interfaces: "cannot run with network enabled in root
 * network namespace"). Mode option "network": false shares the host's network
 * instead (runc: no network namespace; runsc: --network=host).
 *
 * Every runtime command runs by fork/execv from an argument array, never a
 * shell, and every wait is bounded. Where a run keeps its files is in oci.h.
 */
#define _GNU_SOURCE
#include "oci.h"
#include "oci_exec.h"
#include "../counters/cgroup.h"
#include "../counters/proc.h"
#include "../image.h"
#include "../plat.h"
#include "../scenario.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define OCI_MAX_ARGS 16
#define CMD_TIMEOUT_MS 60000   /* create, start, delete: generous, a loaded host is slow */
#define STOP_TIMEOUT_MS 15000  /* kill -> state "stopped" */
#define PROBE_TIMEOUT_MS 10000 /* --version */
#define CG_ROOT "/sys/fs/cgroup"

static const char *const search_path[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", NULL };

/* Per-mode state (mode->drv_state). */
struct oci_mode {
    char runtime[1024];          /* resolved path */
    char base[64];               /* basename: "runc", "runsc", ... */
    char *args[OCI_MAX_ARGS];    /* global args, runtime_args plus the network flag */
    int nargs;
    char root[1024];             /* "root" option, "" = per-run default */
    int network;                 /* 1 = own network namespace */
    unsigned isolation;
    char rootfs[1024];           /* overlay lower dir */
    enum cgroup_mode cg;
    pthread_mutex_t lock;        /* registration in the run's "runtimes" file */
    char registered_run[64];     /* run whose file already lists this mode */
};

/* Per-container state (ctr->priv). */
struct oci_ctr {
    char dir[1024];       /* <run dir>/<name> */
    char bundle[1100];
    char rootfs[1200];
    char upper[1100];
    char work[1100];
    char log[1100];
    char pidfile[1100];
    char root[1100];      /* runtime state root */
    char cgroup[256];     /* isobench/<run_id>/<name> */
    int out_fd;           /* read end of the container's stdout */
    pid_t init_pid;       /* runc: container init; runsc: sandbox */
    int kids[4];          /* pidfds of the runtime's daemons that became our children */
    int nkids;
    /* The processes found by command line (runsc's sandbox and gofer name
       the bundle): one /proc scan once the container is started, reused by
       every later sample and the teardown while each still names the bundle
       (one cmdline read per process), so a sample round costs O(processes)
       instead of a host-wide scan per container. */
    pid_t named[8];
    int nnamed;
    int named_valid;
    int mounted, created;
    char acc[4096];       /* stdout bytes not yet returned as a line */
    size_t used;
};

/* ---- small helpers ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

static int is_exec_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* A runtime name or path -> absolute path of an executable; never a shell. */
static int resolve_runtime(const char *name, char *out, size_t n, struct err *e)
{
    int i;
    if (strchr(name, '/') != NULL) {
        if (!is_exec_file(name))
            return err_set(e, ENOENT, "oci: runtime %s: not an executable file", name);
        snprintf(out, n, "%s", name);
        return 0;
    }
    for (i = 0; search_path[i] != NULL; i++) {
        snprintf(out, n, "%s/%s", search_path[i], name);
        if (is_exec_file(out))
            return 0;
    }
    return err_set(e, ENOENT, "oci: runtime \"%s\" not found in /usr/sbin:/usr/bin:/sbin:/bin:/usr/local/bin", name);
}

static unsigned isolation_of_base(const char *base, unsigned declared)
{
    if (strcmp(base, "runsc") == 0)
        return ISO_SANDBOX;
    if (strcmp(base, "runc") == 0 || strcmp(base, "crun") == 0 || strcmp(base, "youki") == 0)
        return ISO_PROCESS;
    return declared != 0 ? declared : ISO_PROCESS;
}

static int write_text(const char *path, const char *text, struct err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t len = strlen(text), off = 0;
    if (fd < 0)
        return err_sys(e, errno, "create %s", path);
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int saved = errno;
            close(fd);
            return err_sys(e, saved, "write %s", path);
        }
        off += (size_t)w;
    }
    if (close(fd) < 0)
        return err_sys(e, errno, "close %s", path);
    return 0;
}

/* Read at most n-1 bytes of a file; the last ones if it is longer. */
static int read_tail(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    off_t size;
    ssize_t r;
    buf[0] = '\0';
    if (fd < 0)
        return -1;
    size = lseek(fd, 0, SEEK_END);
    if (size > (off_t)(n - 1))
        lseek(fd, size - (off_t)(n - 1), SEEK_SET);
    else
        lseek(fd, 0, SEEK_SET);
    r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0)
        return -1;
    buf[r] = '\0';
    return (int)r;
}

/* ---- running the runtime ---- */

/*
 * argv for `runtime [global args] --root ROOT VERB [extra...] [ID] [TAIL]`
 * into argv[] (room for OCI_MAX_ARGS + 12 entries; extra has at most 6).
 */
static void rt_argv(const struct oci_mode *om, const char *root, const char *verb, const char *const *extra,
                    const char *id, const char *tail, const char **argv)
{
    int k = 0, i;
    argv[k++] = om->runtime;
    for (i = 0; i < om->nargs; i++)
        argv[k++] = om->args[i];
    if (root != NULL) {
        argv[k++] = "--root";
        argv[k++] = root;
    }
    if (verb != NULL)
        argv[k++] = verb;
    for (i = 0; extra != NULL && extra[i] != NULL && i < 6; i++)
        argv[k++] = extra[i];
    if (id != NULL)
        argv[k++] = id;
    if (tail != NULL)
        argv[k++] = tail;
    argv[k] = NULL;
}

/* Run `runtime ... VERB [extra] ID`; errors read "oci: runsc VERB ID: <stderr tail>". */
static int rt_run(const struct oci_mode *om, const char *root, const char *verb, const char *const *extra,
                  const char *id, const char *tail, int timeout_ms, char *out, size_t outn, struct err *e)
{
    const char *argv[OCI_MAX_ARGS + 12];
    char what[256];
    rt_argv(om, root, verb, extra, id, tail, argv);
    snprintf(what, sizeof(what), "%s %s%s%s", om->base, verb, id ? " " : "", id ? id : "");
    return oci_run_capture(argv, what, timeout_ms, out, outn, e);
}

/* "created", "running", "stopped", ... from `state`; "" when it has no such container. */
static int rt_status(const struct oci_mode *om, const char *root, const char *id, char *status, size_t n,
                     struct err *e)
{
    char out[8192];
    cJSON *doc, *st;
    struct err e2;
    status[0] = '\0';
    err_clear(&e2);
    if (rt_run(om, root, "state", NULL, id, NULL, CMD_TIMEOUT_MS, out, sizeof(out), &e2) < 0) {
        if (strstr(e2.msg, "does not exist") != NULL || strstr(e2.msg, "not found") != NULL ||
            strstr(e2.msg, "no such") != NULL)
            return 0;
        *e = e2;
        return -1;
    }
    doc = cJSON_Parse(out);
    st = doc != NULL ? cJSON_GetObjectItemCaseSensitive(doc, "status") : NULL;
    if (!cJSON_IsString(st)) {
        cJSON_Delete(doc);
        return err_set(e, EPROTO, "oci: %s state %s: no status in its output", om->base, id);
    }
    snprintf(status, n, "%s", st->valuestring);
    cJSON_Delete(doc);
    return 0;
}

/* ---- paths, cgroups, mounts ---- */

void oci_run_dir(const char *run_id, char *buf, size_t n)
{
    if (run_id != NULL)
        snprintf(buf, n, "%s/oci/%s", image_cache_dir(), run_id);
    else
        snprintf(buf, n, "%s/oci", image_cache_dir());
}

static void default_root(const struct mode *m, const char *run_id, char *buf, size_t n)
{
    char dir[1024];
    oci_run_dir(run_id, dir, sizeof(dir));
    snprintf(buf, n, "%s/root-%s", dir, m->name);
}

/* Kill what is left in a container's cgroup and remove it everywhere. */
static int cgroup_clear(enum cgroup_mode cg, const char *rel, struct err *e)
{
    if (!cgroup_exists_anywhere(rel))
        return 0;
    if (cgroup_exists(cg, rel) && cgroup_kill_all(cg, rel, 5000, e) < 0)
        return -1;
    return cgroup_remove_everywhere(rel, e);
}

int oci_overlay_mount(const char *lower, const char *upper, const char *work, const char *target, struct err *e)
{
    char opts[4096];
    if (strpbrk(lower, ",:") || strpbrk(upper, ",:") || strpbrk(work, ",:"))
        return err_set(e, EINVAL, "overlay: paths must not contain ',' or ':' (%s, %s, %s)", lower, upper, work);
    if (plat_mkdir_p(upper, e) < 0 || plat_mkdir_p(work, e) < 0 || plat_mkdir_p(target, e) < 0)
        return -1;
    snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
    if (mount("overlay", target, "overlay", 0, opts) < 0)
        return err_sys(e, errno, "mount overlay at %s", target);
    return 0;
}

/* Is path a mount point (its device differs from its parent's)? */
static int is_mount_point(const char *path)
{
    char parent[2048];
    struct stat a, b;
    if (stat(path, &a) < 0)
        return 0;
    snprintf(parent, sizeof(parent), "%s/..", path);
    if (stat(parent, &b) < 0)
        return 0;
    return a.st_dev != b.st_dev;
}

static int unmount(const char *path, struct err *e)
{
    if (umount2(path, 0) == 0 || errno == EINVAL || errno == ENOENT)
        return 0;
    if (errno == EBUSY && umount2(path, MNT_DETACH) == 0)
        return 0;
    return err_sys(e, errno, "umount %s", path);
}

/* ---- options ---- */

static void mode_free(struct oci_mode *om)
{
    int i;
    if (om == NULL)
        return;
    for (i = 0; i < om->nargs; i++)
        free(om->args[i]);
    pthread_mutex_destroy(&om->lock);
    free(om);
}

static int add_arg(struct oci_mode *om, const char *a, const char *where, struct err *e)
{
    if (om->nargs >= OCI_MAX_ARGS - 1)
        return err_set(e, E2BIG, "%s: at most %d arguments", where, OCI_MAX_ARGS - 1);
    if (strpbrk(a, "\t\n") != NULL)
        return err_set(e, EINVAL, "%s: \"%s\": no tabs or newlines", where, a);
    om->args[om->nargs] = strdup(a);
    if (om->args[om->nargs] == NULL)
        return err_set(e, ENOMEM, "out of memory");
    om->nargs++;
    return 0;
}

static int has_flag(const struct oci_mode *om, const char *flag)
{
    size_t len = strlen(flag);
    int i;
    for (i = 0; i < om->nargs; i++)
        if (strncmp(om->args[i], flag, len) == 0 && (om->args[i][len] == '\0' || om->args[i][len] == '='))
            return 1;
    return 0;
}

/* Validate m->options and fill a new oci_mode (runtime resolved). */
static int parse_options(const struct mode *m, struct oci_mode **out, struct err *e)
{
    static const char *const keys[] = { "runtime", "runtime_args", "root", "network", NULL };
    const cJSON *opt = m->options, *v, *it;
    const char *runtime = "runc";
    struct oci_mode *om;
    char where[96];
    int i;

    *out = NULL;
    om = calloc(1, sizeof(*om));
    if (om == NULL)
        return err_set(e, ENOMEM, "out of memory");
    pthread_mutex_init(&om->lock, NULL);
    om->network = 1;
    if (opt != NULL) {
        cJSON_ArrayForEach(it, opt)
        {
            for (i = 0; keys[i] != NULL; i++)
                if (strcmp(it->string, keys[i]) == 0)
                    break;
            if (keys[i] == NULL) {
                err_set(e, EINVAL, "modes[%d].options.%s: unknown option (known: runtime, runtime_args, root, network)",
                        m->index, it->string);
                goto fail;
            }
        }
        v = cJSON_GetObjectItemCaseSensitive(opt, "runtime");
        if (v != NULL) {
            if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
                err_set(e, EINVAL, "modes[%d].options.runtime: expected a runtime name or path", m->index);
                goto fail;
            }
            runtime = v->valuestring;
        }
        v = cJSON_GetObjectItemCaseSensitive(opt, "root");
        if (v != NULL) {
            if (!cJSON_IsString(v) || v->valuestring[0] != '/' || strpbrk(v->valuestring, "\t\n")) {
                err_set(e, EINVAL, "modes[%d].options.root: expected an absolute directory path", m->index);
                goto fail;
            }
            snprintf(om->root, sizeof(om->root), "%s", v->valuestring);
        }
        v = cJSON_GetObjectItemCaseSensitive(opt, "network");
        if (v != NULL) {
            if (!cJSON_IsBool(v)) {
                err_set(e, EINVAL, "modes[%d].options.network: expected true or false", m->index);
                goto fail;
            }
            om->network = cJSON_IsTrue(v);
        }
    }
    if (resolve_runtime(runtime, om->runtime, sizeof(om->runtime), e) < 0)
        goto fail;
    snprintf(om->base, sizeof(om->base), "%s", base_name(om->runtime));
    v = opt != NULL ? cJSON_GetObjectItemCaseSensitive(opt, "runtime_args") : NULL;
    snprintf(where, sizeof(where), "modes[%d].options.runtime_args", m->index);
    if (v != NULL) {
        if (!cJSON_IsArray(v)) {
            err_set(e, EINVAL, "%s: expected an array of strings", where);
            goto fail;
        }
        cJSON_ArrayForEach(it, v)
        {
            if (!cJSON_IsString(it)) {
                err_set(e, EINVAL, "%s: expected an array of strings", where);
                goto fail;
            }
            if (add_arg(om, it->valuestring, where, e) < 0)
                goto fail;
        }
    } else if (strcmp(om->base, "runsc") == 0) {
        /* KVM cannot run a sandbox on this kind of host (nested PVM). */
        if (add_arg(om, "--platform=ptrace", where, e) < 0)
            goto fail;
    }
    if (strcmp(om->base, "runsc") == 0 && !has_flag(om, "--network") &&
        add_arg(om, om->network ? "--network=none" : "--network=host", where, e) < 0)
        goto fail;
    om->isolation = isolation_of_base(om->base, m->isolation);
    om->cg = cgroup_detect();
    *out = om;
    return 0;
fail:
    mode_free(om);
    return -1;
}

/* ---- hooks: probe, mode, facts ---- */

static int first_line_version(const struct oci_mode *om, char *buf, size_t n, struct err *e)
{
    const char *argv[3];
    char out[4096], what[96];
    char *nl;
    argv[0] = om->runtime;
    argv[1] = "--version";
    argv[2] = NULL;
    snprintf(what, sizeof(what), "%s --version", om->base);
    if (oci_run_capture(argv, what, PROBE_TIMEOUT_MS, out, sizeof(out), e) < 0)
        return -1;
    nl = strchr(out, '\n');
    if (nl != NULL)
        *nl = '\0';
    if (out[0] == '\0')
        return err_set(e, EPROTO, "oci: %s --version printed nothing", om->base);
    snprintf(buf, n, "%s", out);
    return 0;
}

static int oci_probe(const struct mode *m, struct err *e)
{
    struct oci_mode *om;
    char v[256];
    int rc;
    if (geteuid() != 0)
        return err_set(e, EPERM, "oci: needs root (overlay mounts, cgroups, the runtime itself)");
    if (cgroup_detect() == CGROUP_NONE)
        return err_set(e, ENOENT, "oci: no cgroup file system at " CG_ROOT);
    if (parse_options(m, &om, e) < 0)
        return -1;
    rc = first_line_version(om, v, sizeof(v), e);
    mode_free(om);
    return rc;
}

/*
 * The runtime's daemons (runc's container init, runsc's sandbox and gofer)
 * are orphaned when `create` exits: while an oci mode is initialised the
 * harness is their child subreaper, so destroy can reap them at once (see
 * kill_and_reap). Counted, so the last mode_fini gives it back.
 */
static int subreaper_hold(int take, struct err *e)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static int users;
    int rc = 0;
    pthread_mutex_lock(&lock);
    if (take) {
        if (users == 0 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
            rc = err_sys(e, errno, "oci: prctl(PR_SET_CHILD_SUBREAPER)");
        else
            users++;
    } else if (users > 0 && --users == 0) {
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int oci_mode_init(struct mode *m, const struct scenario *s, struct err *e)
{
    struct oci_mode *om;
    if (parse_options(m, &om, e) < 0)
        return -1;
    if (s->image[0] != '\0') {
        snprintf(om->rootfs, sizeof(om->rootfs), "%s", s->image);
        if (image_check_user(om->rootfs, "scenario image", e) < 0) {
            mode_free(om);
            return err_wrap(e, "oci");
        }
    } else {
        image_default_rootfs(om->rootfs, sizeof(om->rootfs));
        if (image_ensure(om->rootfs, e) < 0) {
            mode_free(om);
            return err_wrap(e, "oci: image");
        }
    }
    if (subreaper_hold(1, e) < 0) {
        mode_free(om);
        return -1;
    }
    /* A few descriptors per container (stdout pipe, pidfds): a fleet of
       hundreds needs more than the usual soft limit of 1024. */
    {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    if (om->root[0] != '\0' && plat_mkdir_p(om->root, e) < 0) {
        subreaper_hold(0, NULL);
        mode_free(om);
        return err_wrap(e, "oci: state root");
    }
    m->drv_state = om;
    return 0;
}

/* Remove what the mode leaves once every container is gone: its default
   state root, and the run directory when nothing else is in it. */
static void oci_mode_fini(struct mode *m)
{
    struct oci_mode *om = m->drv_state;
    if (om == NULL)
        return;
    if (om->registered_run[0] != '\0') {
        char dir[1024], path[2048];
        DIR *d;
        struct dirent *de;
        int others = 0;
        oci_run_dir(om->registered_run, dir, sizeof(dir));
        if (om->root[0] == '\0') {
            struct err e;
            default_root(m, om->registered_run, path, sizeof(path));
            if (dir_remove_tree(path, &e) < 0)
                others++;
        }
        d = opendir(dir);
        if (d != NULL) {
            while ((de = readdir(d)) != NULL)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    strcmp(de->d_name, "runtimes") != 0)
                    others++;
            closedir(d);
            if (others == 0) {
                snprintf(path, sizeof(path), "%s/runtimes", dir);
                unlink(path);
                rmdir(dir);
            }
        }
    }
    mode_free(om);
    m->drv_state = NULL;
    subreaper_hold(0, NULL);
}

static int oci_version(const struct mode *m, char *buf, size_t n, struct err *e)
{
    struct oci_mode *om = m->drv_state;
    int rc;
    if (om != NULL)
        return first_line_version(om, buf, n, e);
    if (parse_options(m, &om, e) < 0)
        return -1;
    rc = first_line_version(om, buf, n, e);
    mode_free(om);
    return rc;
}

static const char *platform_of(const struct oci_mode *om)
{
    int i;
    if (strcmp(om->base, "runsc") != 0)
        return "native";
    for (i = 0; i < om->nargs; i++)
        if (strncmp(om->args[i], "--platform=", 11) == 0)
            return om->args[i] + 11;
    return "runsc default";
}

static void oci_facts(const struct mode *m, cJSON *out)
{
    struct oci_mode *om = m->drv_state;
    cJSON *args;
    int i;
    if (om == NULL)
        return;
    cJSON_AddStringToObject(out, "runtime_path", om->runtime);
    args = cJSON_AddArrayToObject(out, "runtime_args");
    for (i = 0; i < om->nargs; i++)
        cJSON_AddItemToArray(args, cJSON_CreateString(om->args[i]));
    cJSON_AddStringToObject(out, "platform", platform_of(om));
    if (strcmp(om->base, "runsc") == 0)
        cJSON_AddStringToObject(out, "platform_note",
                                "gVisor on the ptrace platform: /dev/kvm cannot run a guest kernel on this kind of "
                                "host (nested PVM), so syscalls are intercepted with ptrace (slowest platform)");
    cJSON_AddStringToObject(out, "network", om->network ? "own namespace, loopback only" : "host");
    cJSON_AddStringToObject(out, "state_root", om->root[0] ? om->root : "per run: <cache>/oci/<run_id>/root-<mode>");
    cJSON_AddStringToObject(out, "rootfs", "overlayfs over the image, one writable layer per container");
    cJSON_AddStringToObject(out, "exec_ns", "when `start` returned");
    cJSON_AddStringToObject(out, "reaper", "isobench is the child subreaper of the runtime's daemons and reaps them on destroy");
    cJSON_AddStringToObject(out, "cgroup", cgroup_mode_name(om->cg));
}

static unsigned oci_isolation_of(const struct mode *m)
{
    const struct oci_mode *om = m->drv_state;
    const cJSON *v;
    if (om != NULL)
        return om->isolation;
    v = m->options != NULL ? cJSON_GetObjectItemCaseSensitive(m->options, "runtime") : NULL;
    return isolation_of_base(cJSON_IsString(v) ? base_name(v->valuestring) : "runc", m->isolation);
}

/* ---- the bundle ---- */

static cJSON *str_array(const char *const *items)
{
    cJSON *a = cJSON_CreateArray();
    int i;
    for (i = 0; items[i] != NULL; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
    return a;
}

static void add_mount(cJSON *mounts, const char *dest, const char *type, const char *source,
                      const char *const *options)
{
    cJSON *mnt = cJSON_CreateObject();
    cJSON_AddStringToObject(mnt, "destination", dest);
    cJSON_AddStringToObject(mnt, "type", type);
    cJSON_AddStringToObject(mnt, "source", source);
    if (options != NULL)
        cJSON_AddItemToObject(mnt, "options", str_array(options));
    cJSON_AddItemToArray(mounts, mnt);
}

char *oci_config_text(const struct ctr *c, const char *cgroups_path, struct err *e)
{
    static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
    static const char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
    static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
    static const char *const pts_opts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
                                            NULL };
    static const char *const shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
    static const char *const mq_opts[] = { "nosuid", "noexec", "nodev", NULL };
    static const char *const sys_opts[] = { "nosuid", "noexec", "nodev", "ro", NULL };
    static const char *const cg_opts[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
    static const char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                          "/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL };
    static const char *const ro_paths[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
                                            NULL };
    static const char *const ns_types[] = { "pid", "ipc", "uts", "mount", NULL };
    const struct oci_mode *om = c->mode->drv_state;
    const struct scenario *s = c->scn;
    cJSON *doc, *proc, *user, *capo, *rl, *r, *root, *mounts, *linux_, *res, *dev, *nss, *ns;
    char host[64];
    char *text;
    int i;

    if (om == NULL)
        return err_set(e, EINVAL, "oci: mode %s was not initialised", c->mode->name), NULL;
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "ociVersion", "1.0.2-dev");

    proc = cJSON_AddObjectToObject(doc, "process");
    cJSON_AddBoolToObject(proc, "terminal", 0);
    user = cJSON_AddObjectToObject(proc, "user");
    cJSON_AddNumberToObject(user, "uid", 0);
    cJSON_AddNumberToObject(user, "gid", 0);
    cJSON_AddItemToObject(proc, "args", str_array((const char *const *)c->argv));
    cJSON_AddItemToObject(proc, "env", str_array(env));
    cJSON_AddStringToObject(proc, "cwd", "/");
    capo = cJSON_AddObjectToObject(proc, "capabilities");
    cJSON_AddItemToObject(capo, "bounding", str_array(caps));
    cJSON_AddItemToObject(capo, "effective", str_array(caps));
    cJSON_AddItemToObject(capo, "permitted", str_array(caps));
    cJSON_AddItemToObject(capo, "ambient", str_array(caps));
    rl = cJSON_AddArrayToObject(proc, "rlimits");
    r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "type", "RLIMIT_NOFILE");
    cJSON_AddNumberToObject(r, "hard", 1024);
    cJSON_AddNumberToObject(r, "soft", 1024);
    cJSON_AddItemToArray(rl, r);
    cJSON_AddBoolToObject(proc, "noNewPrivileges", 1);

    root = cJSON_AddObjectToObject(doc, "root");
    cJSON_AddStringToObject(root, "path", "rootfs");
    cJSON_AddBoolToObject(root, "readonly", 0);
    snprintf(host, sizeof(host), "%s", c->name);
    cJSON_AddStringToObject(doc, "hostname", host);

    mounts = cJSON_AddArrayToObject(doc, "mounts");
    add_mount(mounts, "/proc", "proc", "proc", NULL);
    add_mount(mounts, "/dev", "tmpfs", "tmpfs", dev_opts);
    add_mount(mounts, "/dev/pts", "devpts", "devpts", pts_opts);
    add_mount(mounts, "/dev/shm", "tmpfs", "shm", shm_opts);
    add_mount(mounts, "/dev/mqueue", "mqueue", "mqueue", mq_opts);
    add_mount(mounts, "/sys", "sysfs", "sysfs", sys_opts);
    add_mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", cg_opts);

    linux_ = cJSON_AddObjectToObject(doc, "linux");
    res = cJSON_AddObjectToObject(linux_, "resources");
    dev = cJSON_CreateObject();
    cJSON_AddBoolToObject(dev, "allow", 0);
    cJSON_AddStringToObject(dev, "access", "rwm");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "devices"), dev);
    if (s != NULL && s->mem_limit_bytes > 0)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(res, "memory"), "limit", (double)s->mem_limit_bytes);
    if (s != NULL && s->cpu_limit > 0) {
        cJSON *cpu = cJSON_AddObjectToObject(res, "cpu");
        cJSON_AddNumberToObject(cpu, "quota", (double)(long long)(s->cpu_limit * 100000.0));
        cJSON_AddNumberToObject(cpu, "period", 100000);
    }
    if (s != NULL && s->pids_limit > 0)
        cJSON_AddNumberToObject(cJSON_AddObjectToObject(res, "pids"), "limit", s->pids_limit);
    cJSON_AddStringToObject(linux_, "cgroupsPath", cgroups_path);
    nss = cJSON_AddArrayToObject(linux_, "namespaces");
    for (i = 0; ns_types[i] != NULL; i++) {
        ns = cJSON_CreateObject();
        cJSON_AddStringToObject(ns, "type", ns_types[i]);
        cJSON_AddItemToArray(nss, ns);
    }
    if (om->network) {
        ns = cJSON_CreateObject();
        cJSON_AddStringToObject(ns, "type", "network");
        cJSON_AddItemToArray(nss, ns);
    }
    cJSON_AddItemToObject(linux_, "maskedPaths", str_array(masked));
    cJSON_AddItemToObject(linux_, "readonlyPaths", str_array(ro_paths));

    text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (text == NULL)
        err_set(e, ENOMEM, "oci: config.json: out of memory");
    return text;
}

/* Record (once per run) which runtime and state root this mode uses, so that
   cleanup can ask that runtime about leftovers after a crash. */
static int register_runtime(struct oci_mode *om, const char *run_id, const char *root, struct err *e)
{
    char dir[1024], path[2048], line[4096];
    size_t len;
    int fd, i, rc = 0;

    pthread_mutex_lock(&om->lock);
    if (strcmp(om->registered_run, run_id) == 0)
        goto out;
    oci_run_dir(run_id, dir, sizeof(dir));
    if (plat_mkdir_p(dir, e) < 0 || plat_mkdir_p(root, e) < 0) {
        rc = -1;
        goto out;
    }
    len = (size_t)snprintf(line, sizeof(line), "%s\t%s", om->runtime, root);
    for (i = 0; i < om->nargs && len < sizeof(line); i++)
        len += (size_t)snprintf(line + len, sizeof(line) - len, "\t%s", om->args[i]);
    if (len + 2 >= sizeof(line)) {
        rc = err_set(e, E2BIG, "oci: runtime line too long");
        goto out;
    }
    line[len++] = '\n';
    line[len] = '\0';
    snprintf(path, sizeof(path), "%s/runtimes", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, len) != (ssize_t)len) {
        rc = err_sys(e, errno, "oci: write %s", path);
        if (fd >= 0)
            close(fd);
        goto out;
    }
    close(fd);
    snprintf(om->registered_run, sizeof(om->registered_run), "%s", run_id);
out:
    pthread_mutex_unlock(&om->lock);
    return rc;
}

/* ---- hooks: one container ---- */

static int read_pid_file(const char *path, pid_t *pid)
{
    char buf[32];
    if (read_tail(path, buf, sizeof(buf)) <= 0)
        return -1;
    *pid = (pid_t)atoi(buf);
    return *pid > 0 ? 0 : -1;
}

static void adopt_kids(const struct oci_mode *om, struct oci_ctr *p);

static int oci_create(struct ctr *c, struct err *e)
{
    struct oci_mode *om = c->mode->drv_state;
    struct oci_ctr *p;
    char run_dir[1024], cgpath[300], path[1300];
    const char *argv[OCI_MAX_ARGS + 12];
    const char *extra[5];
    char *config = NULL;
    int fds[2] = { -1, -1 }, null = -1, logfd = -1, status = 0, rc = -1;
    pid_t pid;

    if (om == NULL)
        return err_set(e, EINVAL, "oci: mode %s was not initialised", c->mode->name);
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return err_set(e, ENOMEM, "out of memory");
    p->out_fd = -1;
    c->priv = p;
    oci_run_dir(c->run_id, run_dir, sizeof(run_dir));
    snprintf(p->dir, sizeof(p->dir), "%s/%s", run_dir, c->name);
    snprintf(p->bundle, sizeof(p->bundle), "%s/bundle", p->dir);
    snprintf(p->rootfs, sizeof(p->rootfs), "%s/rootfs", p->bundle);
    snprintf(p->upper, sizeof(p->upper), "%s/upper", p->dir);
    snprintf(p->work, sizeof(p->work), "%s/work", p->dir);
    snprintf(p->log, sizeof(p->log), "%s/create.log", p->dir);
    snprintf(p->pidfile, sizeof(p->pidfile), "%s/pid", p->dir);
    if (om->root[0] != '\0')
        snprintf(p->root, sizeof(p->root), "%s", om->root);
    else
        default_root(c->mode, c->run_id, p->root, sizeof(p->root));
    if (c->cgroup_parent != NULL)
        snprintf(p->cgroup, sizeof(p->cgroup), "%s/%s", c->cgroup_parent, c->name);
    else
        snprintf(p->cgroup, sizeof(p->cgroup), "isobench/%s/%s", c->run_id, c->name);

    if (register_runtime(om, c->run_id, p->root, e) < 0)
        goto out;
    if (plat_mkdir_p(p->rootfs, e) < 0)
        goto out;
    if (oci_overlay_mount(om->rootfs, p->upper, p->work, p->rootfs, e) < 0)
        goto out;
    p->mounted = 1;
    snprintf(cgpath, sizeof(cgpath), "/%s", p->cgroup);
    config = oci_config_text(c, cgpath, e);
    if (config == NULL)
        goto out;
    snprintf(path, sizeof(path), "%s/config.json", p->bundle);
    if (write_text(path, config, e) < 0)
        goto out;

    null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    logfd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (null < 0 || logfd < 0) {
        err_sys(e, errno, "open %s", null < 0 ? "/dev/null" : p->log);
        goto out;
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        err_sys(e, errno, "pipe");
        goto out;
    }
    extra[0] = "--bundle";
    extra[1] = p->bundle;
    extra[2] = "--pid-file";
    extra[3] = p->pidfile;
    extra[4] = NULL;
    rt_argv(om, p->root, "create", extra, c->name, NULL, argv);
    /* From here on the runtime may have state for the container, even if
       create fails half-way: destroy must ask it to delete. */
    p->created = 1;
    if (oci_spawn(argv, null, fds[1], logfd, &pid, e) < 0)
        goto out;
    close(fds[1]);
    fds[1] = -1;
    if (oci_wait_child(pid, CMD_TIMEOUT_MS, &status, e) < 0) {
        err_wrap(e, "oci: %s create %s", om->base, c->name);
        adopt_kids(om, p);
        goto out;
    }
    /* Even a failed create may have left daemons behind: hold them. */
    adopt_kids(om, p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char logtail[2048], tail[400];
        read_tail(p->log, logtail, sizeof(logtail));
        oci_tail_line(logtail, tail, sizeof(tail));
        if (tail[0] != '\0')
            err_set(e, EIO, "oci: %s create %s: %s", om->base, c->name, tail);
        else if (WIFEXITED(status))
            err_set(e, EIO, "oci: %s create %s: exit status %d, no message", om->base, c->name, WEXITSTATUS(status));
        else
            err_set(e, EIO, "oci: %s create %s: killed by signal %d", om->base, c->name, WTERMSIG(status));
        goto out;
    }
    if (read_pid_file(p->pidfile, &p->init_pid) < 0) {
        err_set(e, EIO, "oci: %s create %s: no pid in %s", om->base, c->name, p->pidfile);
        goto out;
    }
    p->out_fd = fds[0];
    fds[0] = -1;
    rc = 0;
out:
    free(config);
    if (null >= 0)
        close(null);
    if (logfd >= 0)
        close(logfd);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    return rc;
}

static int oci_start(struct ctr *c, struct err *e)
{
    struct oci_mode *om = c->mode->drv_state;
    struct oci_ctr *p = c->priv;
    if (p == NULL || p->out_fd < 0)
        return err_set(e, EINVAL, "oci: start %s: not created", c->name);
    if (rt_run(om, p->root, "start", NULL, c->name, NULL, CMD_TIMEOUT_MS, NULL, 0, e) < 0)
        return -1;
    c->exec_ns = plat_now_ns();
    p->named_valid = 0; /* the next sample scans once more, now that it runs */
    return 0;
}

/* Take the first complete line starting with marker out of the buffer,
   dropping the lines before it. 1 = found. */
static int take_line(struct oci_ctr *p, const char *marker, char *buf, size_t n)
{
    size_t mlen = strlen(marker);
    char *nl;
    while ((nl = memchr(p->acc, '\n', p->used)) != NULL) {
        size_t len = (size_t)(nl - p->acc);
        int hit = len >= mlen && strncmp(p->acc, marker, mlen) == 0;
        if (hit)
            snprintf(buf, n, "%.*s", (int)len, p->acc);
        p->used -= len + 1;
        memmove(p->acc, nl + 1, p->used);
        if (hit)
            return 1;
    }
    if (p->used == sizeof(p->acc))
        p->used = 0; /* an endless line: drop it */
    return 0;
}

static int oci_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n, int64_t *t_ns,
                           struct err *e)
{
    struct oci_ctr *p = c->priv;
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    int64_t stamp = plat_now_ns(); /* lines read by an earlier call count from now */

    if (p == NULL || p->out_fd < 0)
        return err_set(e, EINVAL, "oci: %s: no output to wait for", c->name);
    for (;;) {
        struct pollfd pf;
        int64_t left;
        ssize_t r;

        if (take_line(p, marker, buf, n)) {
            *t_ns = stamp;
            return 0;
        }
        left = (deadline - plat_now_ns() + 999999) / 1000000LL;
        if (left <= 0)
            return err_set(e, ETIMEDOUT, "oci: %s: no '%s' line within %d ms", c->name, marker, timeout_ms);
        pf.fd = p->out_fd;
        pf.events = POLLIN;
        pf.revents = 0;
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        r = read(p->out_fd, p->acc + p->used, sizeof(p->acc) - p->used);
        stamp = plat_now_ns();
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            char logtail[2048], tail[400];
            read_tail(p->log, logtail, sizeof(logtail));
            oci_tail_line(logtail, tail, sizeof(tail));
            return err_set(e, EIO, "oci: %s: exited without printing '%s'%s%s", c->name, marker,
                           tail[0] ? ": " : "", tail);
        }
        p->used += (size_t)r;
    }
}

/* Every process that exists because of the container: the cgroup's
   processes, those whose command line names the bundle (runsc's sandbox and
   gofer), the init from the pid file, and all their descendants. */

static void add_unique(pid_t *all, int *n, pid_t pid)
{
    int i;
    for (i = 0; i < *n; i++)
        if (all[i] == pid)
            return;
    if (*n < OCI_MAX_PIDS)
        all[(*n)++] = pid;
}

/* Are the processes found by command line at the last scan all still there
   and still naming the bundle (a pid reused by another process does not)? */
static int named_still_valid(const struct oci_ctr *p)
{
    int i;
    if (!p->named_valid)
        return 0;
    for (i = 0; i < p->nnamed; i++)
        if (!proc_cmdline_has(p->named[i], p->bundle))
            return 0;
    return 1;
}

static int container_pids(const struct oci_mode *om, struct oci_ctr *p, pid_t *all, int *nall, struct err *e)
{
    pid_t roots[OCI_MAX_PIDS], tree[OCI_MAX_PIDS];
    int nroots = 0, n, i, j;

    *nall = 0;
    n = OCI_MAX_PIDS;
    if (cgroup_pids(om->cg, p->cgroup, roots, &n, e) < 0)
        return -1;
    nroots = n;
    /* runsc's sandbox and gofer name the bundle ("--bundle=B", "--bundle B");
       ".../<name>/bundle" is part of no other container's path. */
    if (named_still_valid(p)) {
        for (i = 0; i < p->nnamed && nroots < OCI_MAX_PIDS; i++)
            roots[nroots++] = p->named[i];
    } else {
        n = OCI_MAX_PIDS - nroots;
        if (proc_find_cmdline(p->bundle, roots + nroots, &n, e) < 0)
            return -1;
        p->nnamed = 0;
        for (i = 0; i < n && i < (int)(sizeof(p->named) / sizeof(p->named[0])); i++)
            p->named[p->nnamed++] = roots[nroots + i];
        p->named_valid = n <= (int)(sizeof(p->named) / sizeof(p->named[0]));
        nroots += n;
    }
    if (p->init_pid > 0 && nroots < OCI_MAX_PIDS)
        roots[nroots++] = p->init_pid;
    for (i = 0; i < nroots; i++) {
        n = OCI_MAX_PIDS;
        if (proc_tree_pids(roots[i], tree, &n, e) < 0)
            return -1;
        for (j = 0; j < n; j++)
            add_unique(all, nall, tree[j]);
    }
    return 0;
}

static int oci_sample(struct ctr *c, struct counters *out, struct err *e)
{
    struct oci_mode *om = c->mode->drv_state;
    struct oci_ctr *p = c->priv;
    struct cgroup_stats st;
    struct proc_mem pm;
    pid_t pids[OCI_MAX_PIDS];
    int npids = 0, i, have_cg;
    int64_t storage;
    unsigned sets = c->sample_sets ? c->sample_sets : CSET_ALL;

    counters_unknown(out);
    if (p == NULL || !p->created)
        return err_set(e, EINVAL, "oci: sample %s: not created", c->name);
    have_cg = cgroup_read(om->cg, p->cgroup, &st, e) == 0;
    if (have_cg) {
        out->mem_cgroup_bytes = st.mem_usage_bytes;
        out->cpu_ns = st.cpu_ns;
        out->pids = st.pids;
    }
    /* Only the sets asked for: the cheap set counts the processes' threads
       (one stat read each), PSS and RSS walk their page tables. */
    memset(&pm, 0, sizeof(pm));
    if (container_pids(om, p, pids, &npids, e) < 0)
        return -1;
    for (i = 0; i < npids; i++) {
        if (!(sets & CSET_PSS))
            proc_threads_add(pids[i], &pm);
        else if (proc_mem_add(pids[i], &pm, e) < 0)
            return -1;
    }
    if (pm.nprocs > 0) {
        if (sets & CSET_PSS) {
            out->mem_pss_bytes = pm.pss_bytes;
            out->mem_rss_bytes = pm.rss_bytes;
            out->fds = pm.fds;
        }
        /* runtime helpers outside the cgroup (a gofer, a shim) hold pids too */
        if (pm.threads > out->pids)
            out->pids = pm.threads;
    }
    if (have_cg && (sets & CSET_PSS))
        out->kmem_bytes = st.kmem_bytes;
    out->mounts = 1; /* the rootfs overlay in the host's namespace */
    if ((sets & CSET_STORAGE) && dir_allocated_bytes(p->upper, &storage, e) == 0)
        out->storage_bytes = storage;
    if (!have_cg && pm.nprocs == 0)
        return err_set(e, ESRCH, "oci: %s: no cgroup and no process left", c->name);
    return 0;
}

/* Hold a pidfd on each process of the container that is now our child
   (orphaned by `create`, adopted as subreaper): once one exits it is a
   zombie that no /proc scan finds, and only we can reap it. */
static void adopt_kids(const struct oci_mode *om, struct oci_ctr *p)
{
    pid_t pids[OCI_MAX_PIDS];
    int n = 0, i;
    struct err e;
    pid_t self = getpid();

    if (container_pids(om, p, pids, &n, &e) < 0)
        return;
    for (i = 0; i < n && p->nkids < (int)(sizeof(p->kids) / sizeof(p->kids[0])); i++) {
        char path[64], buf[512];
        int64_t ut, st;
        pid_t ppid = 0;
        int fd;
        FILE *f;
        size_t r;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pids[i]);
        f = fopen(path, "re");
        if (f == NULL)
            continue;
        r = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[r] = '\0';
        if (proc_parse_stat_cpu(buf, &ut, &st, &ppid) < 0 || ppid != self)
            continue;
        fd = oci_pidfd_open(pids[i]);
        if (fd >= 0)
            p->kids[p->nkids++] = fd;
    }
}

/*
 * SIGKILL every process of the container and reap those that are ours, then
 * wait at most timeout_ms until all have exited. The harness is the child
 * subreaper of the runtime's daemons (mode_init), so runc's container init
 * and runsc's sandbox and gofer become its children when `create` exits;
 * reaping them at once is what lets `runsc delete` return in tens of ms
 * instead of polling a zombie until the host's init gets round to it (over
 * a second on this host). Each process is held by a pidfd, so a reused pid
 * is never signalled or reaped. Returns how many are still alive, or -1
 * when this kernel has no pidfds (nothing was done).
 */
static int kill_and_reap(const struct oci_mode *om, struct oci_ctr *p, int timeout_ms)
{
    pid_t pids[OCI_MAX_PIDS];
    int fds[OCI_MAX_PIDS];
    int n = 0, nf = 0, i, nosys = 0;
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    struct err e;

    if (container_pids(om, p, pids, &n, &e) < 0)
        n = 0;
    for (i = 0; i < n; i++) {
        int fd = oci_pidfd_open(pids[i]);
        if (fd >= 0)
            fds[nf++] = fd;
        else if (errno == ENOSYS)
            nosys = 1;
    }
    /* The adopted daemons, alive or zombie. */
    for (i = 0; i < p->nkids && nf < OCI_MAX_PIDS; i++)
        fds[nf++] = p->kids[i];
    p->nkids = 0;
    if (nosys && nf == 0)
        return -1;
    return oci_kill_reap_fds(fds, nf, deadline);
}

/*
 * Stop = SIGKILL every process that exists because of the container (runc:
 * the workload; runsc: the sandbox with the workload inside, and the gofer)
 * through pidfds, and wait until all have exited. That is what
 * `runtime kill <id> KILL` amounts to for a one-container bundle, without a
 * runtime exec per call (5 ms for runc, 20-25 ms for runsc, plus as many for
 * polling `state`); the runtime's own state then says "stopped" (the tests
 * check it). Without pidfds: `kill <id> KILL` and poll `state`.
 */
static int oci_stop(struct ctr *c, struct err *e)
{
    struct oci_mode *om = c->mode->drv_state;
    struct oci_ctr *p = c->priv;
    int64_t deadline;
    char status[32];
    struct err kill_err;
    int left;

    if (p == NULL || !p->created || om == NULL)
        return 0;
    left = kill_and_reap(om, p, STOP_TIMEOUT_MS);
    if (left == 0)
        return 0;
    if (left > 0)
        return err_set(e, ETIMEDOUT, "oci: %s: %d processes still alive %d ms after SIGKILL", c->name, left,
                       STOP_TIMEOUT_MS);
    /* A container that already exited refuses the signal: not an error by
       itself, `state` says whether it stopped. */
    err_clear(&kill_err);
    rt_run(om, p->root, "kill", NULL, c->name, "KILL", CMD_TIMEOUT_MS, NULL, 0, &kill_err);
    deadline = plat_now_ns() + (int64_t)STOP_TIMEOUT_MS * 1000000LL;
    for (;;) {
        if (rt_status(om, p->root, c->name, status, sizeof(status), e) < 0)
            return -1;
        if (status[0] == '\0' || strcmp(status, "stopped") == 0)
            return 0;
        if (plat_now_ns() > deadline)
            return err_set(e, ETIMEDOUT, "oci: %s: still %s %d ms after kill KILL%s%s", c->name, status,
                           STOP_TIMEOUT_MS, kill_err.msg[0] ? ": " : "", kill_err.msg);
        plat_sleep_ms(5);
    }
}

static int oci_destroy(struct ctr *c, struct err *e)
{
    struct oci_mode *om = c->mode->drv_state;
    struct oci_ctr *p = c->priv;
    const char *const force[] = { "--force", NULL };
    char parent[160];
    struct err e2;
    int rc = 0;

    if (p == NULL)
        return 0;
    if (p->out_fd >= 0) {
        close(p->out_fd);
        p->out_fd = -1;
    }
    if (p->created && om != NULL) {
        /* Whatever stop left (or all of it, when stop was not called). */
        kill_and_reap(om, p, STOP_TIMEOUT_MS);
        err_clear(&e2);
        if (rt_run(om, p->root, "delete", force, c->name, NULL, CMD_TIMEOUT_MS, NULL, 0, &e2) < 0) {
            char status[32];
            struct err e3;
            /* Gone already (create failed early) is fine. */
            if (rt_status(om, p->root, c->name, status, sizeof(status), &e3) < 0 || status[0] != '\0') {
                *e = e2;
                rc = -1;
            }
        }
    }
    /* The runtime removes its cgroup; a killed runtime may not have. */
    err_clear(&e2);
    if (cgroup_clear(om != NULL ? om->cg : cgroup_detect(), p->cgroup, &e2) < 0 && rc == 0) {
        *e = e2;
        rc = err_wrap(e, "oci: %s", c->name);
    }
    if (c->cgroup_parent == NULL) {
        snprintf(parent, sizeof(parent), "isobench/%s", c->run_id);
        cgroup_remove_everywhere(parent, &e2); /* busy while other containers of the run live */
    }
    if (p->mounted || is_mount_point(p->rootfs)) {
        err_clear(&e2);
        if (unmount(p->rootfs, &e2) < 0) {
            if (rc == 0) {
                *e = e2;
                rc = err_wrap(e, "oci: %s", c->name);
            }
        } else {
            p->mounted = 0;
        }
    }
    if (!p->mounted) {
        err_clear(&e2);
        if (dir_remove_tree(p->dir, &e2) < 0 && rc == 0) {
            *e = e2;
            rc = err_wrap(e, "oci: %s", c->name);
        }
    }
    free(p);
    c->priv = NULL;
    return rc;
}

/* ---- cleanup after a crash ---- */

/* Delete every container the runtime still lists under root whose id
   belongs to the run. */
static int cleanup_runtime_line(char *line, const char *run_id, const char *run_dir, int *removed, struct err *e)
{
    struct oci_mode om;
    struct err ignored;
    char cdir[2048];
    char *fields[OCI_MAX_ARGS + 2], *save = NULL, *tok;
    char out[65536];
    const char *const quiet[] = { "--quiet", NULL };
    const char *const force[] = { "--force", NULL };
    int nf = 0, i, rc = 0;
    char *id, *next;

    memset(&om, 0, sizeof(om));
    for (tok = strtok_r(line, "\t\n", &save); tok != NULL && nf < OCI_MAX_ARGS + 2;
         tok = strtok_r(NULL, "\t\n", &save))
        fields[nf++] = tok;
    if (nf < 2 || !is_exec_file(fields[0]))
        return 0;
    snprintf(om.runtime, sizeof(om.runtime), "%s", fields[0]);
    snprintf(om.base, sizeof(om.base), "%s", base_name(fields[0]));
    for (i = 2; i < nf && om.nargs < OCI_MAX_ARGS - 1; i++)
        om.args[om.nargs++] = fields[i]; /* borrowed, never freed */
    if (!plat_exists(fields[1]))
        return 0;
    if (rt_run(&om, fields[1], "list", quiet, NULL, NULL, CMD_TIMEOUT_MS, out, sizeof(out), e) < 0)
        return -1;
    for (id = out; id != NULL && *id; id = next) {
        next = strchr(id, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (id[0] == '\0' || strncmp(id, run_id, strlen(run_id)) != 0)
            continue;
        err_clear(&ignored);
        rt_run(&om, fields[1], "kill", NULL, id, "KILL", CMD_TIMEOUT_MS, NULL, 0, &ignored);
        if (rt_run(&om, fields[1], "delete", force, id, NULL, CMD_TIMEOUT_MS, NULL, 0, e) < 0) {
            rc = -1;
            continue;
        }
        /* Counted once: a container whose directory is left is counted there. */
        snprintf(cdir, sizeof(cdir), "%s/%s", run_dir, id);
        if (!plat_exists(cdir))
            (*removed)++;
    }
    return rc;
}

static int cleanup_run(const char *run_id, int *removed, struct err *e)
{
    char dir[1024], path[2048], needle[1100];
    char *text = NULL;
    DIR *d;
    struct dirent *de;
    pid_t pids[OCI_MAX_PIDS];
    int n, i, rc = 0;
    enum cgroup_mode cg = cgroup_detect();
    struct stat st;
    struct err e2;

    oci_run_dir(run_id, dir, sizeof(dir));
    /* 1. processes that still name the run's directory (runsc sandboxes and
       gofers) and those in the run's container cgroups (runc's inits):
       killed first, so that the runtime finds them gone */
    {
        int fds[OCI_MAX_PIDS], nf = 0;
        snprintf(needle, sizeof(needle), "%s/", dir);
        n = OCI_MAX_PIDS;
        if (proc_find_cmdline(needle, pids, &n, &e2) < 0)
            n = 0;
        for (i = 0; i < n && nf < OCI_MAX_PIDS; i++)
            if (pids[i] != getpid() && (fds[nf] = oci_pidfd_open(pids[i])) >= 0)
                nf++;
        d = opendir(dir);
        while (d != NULL && (de = readdir(d)) != NULL) {
            char cgrel[512];
            if (de->d_name[0] == '.' || strcmp(de->d_name, "runtimes") == 0 || strncmp(de->d_name, "root-", 5) == 0)
                continue;
            snprintf(cgrel, sizeof(cgrel), "isobench/%s/%s", run_id, de->d_name);
            n = OCI_MAX_PIDS;
            if (cgroup_pids(cg, cgrel, pids, &n, &e2) < 0)
                n = 0;
            for (i = 0; i < n && nf < OCI_MAX_PIDS; i++)
                if ((fds[nf] = oci_pidfd_open(pids[i])) >= 0)
                    nf++;
        }
        if (d != NULL)
            closedir(d);
        oci_kill_reap_fds(fds, nf, plat_now_ns() + 5000LL * 1000000LL);
    }
    /* 2. ask every runtime the run used */
    snprintf(path, sizeof(path), "%s/runtimes", dir);
    if (stat(path, &st) == 0 && st.st_size > 0 && st.st_size < 1000000) {
        text = calloc(1, (size_t)st.st_size + 1);
        if (text != NULL && read_tail(path, text, (size_t)st.st_size + 1) > 0) {
            char *line, *next;
            for (line = text; line != NULL && *line; line = next) {
                next = strchr(line, '\n');
                if (next != NULL)
                    *next++ = '\0';
                err_clear(&e2);
                if (cleanup_runtime_line(line, run_id, dir, removed, &e2) < 0 && rc == 0) {
                    *e = e2;
                    rc = -1;
                }
            }
        }
        free(text);
    }
    /* 3. per container: cgroup, overlay, files */
    d = opendir(dir);
    while (d != NULL && (de = readdir(d)) != NULL) {
        char cgrel[512], cdir[1400], rootfs[1500];
        if (de->d_name[0] == '.' || strcmp(de->d_name, "runtimes") == 0)
            continue;
        snprintf(cdir, sizeof(cdir), "%s/%s", dir, de->d_name);
        if (strncmp(de->d_name, "root-", 5) != 0) {
            snprintf(cgrel, sizeof(cgrel), "isobench/%s/%s", run_id, de->d_name);
            err_clear(&e2);
            if (cgroup_clear(cg, cgrel, &e2) < 0 && rc == 0) {
                *e = e2;
                rc = -1;
            }
            snprintf(rootfs, sizeof(rootfs), "%s/bundle/rootfs", cdir);
            if (is_mount_point(rootfs) && unmount(rootfs, &e2) < 0 && rc == 0) {
                *e = e2;
                rc = -1;
            }
            (*removed)++;
        }
        if (!is_mount_point(cdir) && dir_remove_tree(cdir, &e2) < 0 && rc == 0) {
            *e = e2;
            rc = -1;
        }
    }
    if (d != NULL)
        closedir(d);
    /* The run's parent cgroup, left by runtimes that remove only their own. */
    snprintf(path, sizeof(path), "isobench/%s", run_id);
    cgroup_remove_everywhere(path, &e2);
    snprintf(path, sizeof(path), "%s/runtimes", dir);
    if (rc == 0) {
        unlink(path);
        rmdir(dir);
    }
    return rc;
}

static int oci_cleanup(const char *run_id, int *removed, struct err *e)
{
    char dir[1024];
    DIR *d;
    struct dirent *de;
    int rc = 0;

    *removed = 0;
    if (run_id != NULL) {
        if (strchr(run_id, '/') != NULL || strcmp(run_id, "..") == 0 || run_id[0] == '\0')
            return err_set(e, EINVAL, "oci: cleanup: bad run id \"%s\"", run_id);
        return cleanup_run(run_id, removed, e);
    }
    oci_run_dir(NULL, dir, sizeof(dir));
    d = opendir(dir);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        struct err e2;
        if (de->d_name[0] == '.')
            continue;
        err_clear(&e2);
        if (cleanup_run(de->d_name, removed, &e2) < 0 && rc == 0) {
            *e = e2;
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

const struct driver driver_oci = {
    .name = "oci",
    .unavailable_reason = NULL,
    .isolations = ISO_PROCESS | ISO_SANDBOX,
    .probe = oci_probe,
    .mode_init = oci_mode_init,
    .mode_fini = oci_mode_fini,
    .version = oci_version,
    .facts = oci_facts,
    .isolation_of = oci_isolation_of,
    .create = oci_create,
    .start = oci_start,
    .wait_output = oci_wait_output,
    .sample = oci_sample,
    .stop = oci_stop,
    .destroy = oci_destroy,
    .cleanup = oci_cleanup,
};
