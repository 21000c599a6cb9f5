/*
 * ns.c - the `ns` driver: native Linux namespaces, one cgroup and an
 * overlayfs root per container. No daemon, no runtime binary: the embedded
 * default and the baseline every other mode is compared with.
 *
 * create  makes <cache>/ns/runs/<run_id>/<name>/{upper,work,merged} and the
 *         cgroup "isobench/<run_id>/<name>" with the scenario's limits.
 * start   clone(CLONE_VM | CLONE_VFORK) on a small stack, like posix_spawn,
 *         into new pid, mount, uts and ipc namespaces (and net when the mode
 *         says "network": true). The child, still sharing our memory and
 *         while we are suspended, enters its cgroup (v1: writes "0" to each
 *         controller's tasks file; on v2 clone3 starts it inside the cgroup
 *         with CLONE_INTO_CGROUP instead; on v1 with a budget the
 *         launching thread waits in the budget's pids cgroup during the
 *         clone, so the clone is refused at the budget's pids.max rather
 *         than moved in past it), sets the hostname, makes every mount private, mounts
 *         the overlay (lower = a tiny layer of device nodes over the image
 *         rootfs, so /dev costs no extra mount), mounts a fresh /proc,
 *         pivot_root()s into the overlay, points stdin at /dev/null and
 *         stdout/stderr at a pipe to us, stores its CLOCK_MONOTONIC time in
 *         our memory and execs the workload. The overlay lives only in the
 *         container's mount namespace, so it vanishes with its last process
 *         and never leaks into the host's mount table.
 * wait_output reads the pipe line by line until the marker.
 * sample  reads the cgroup, sums PSS/RSS over the cgroup's processes and
 *         sizes the upper directory.
 * stop / destroy kill the pid namespace's init (which takes the namespace
 *         down), reap it, empty and remove the cgroup, remove the scratch
 *         directories; both are safe after any failed step.
 * cleanup finds what a crashed run left: cgroups under isobench/<run_id>,
 *         overlay mounts and directories under <cache>/ns/runs/<run_id>.
 *
 * On other platforms the driver registers with the reason it is missing.
 */
#define _GNU_SOURCE
#include "../driver.h"

#if defined(__linux__)

#include "../counters/cgroup.h"
#include "../counters/proc.h"
#include "../image.h"
#include "../plat.h"
#include "../scenario.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_STACK_SIZE (64 * 1024)
#define NS_LINE_MAX 4096
#define NS_KILL_TIMEOUT_MS 5000
#define NS_CGROUP_TOP "isobench"

/* ---- per-mode state ---- */

#define NS_LAUNCH_POOL 64
/* Low descriptor numbers reserved for the pipes of concurrent starts (see
   fd_slot_get): a start beyond that many at once clones the old way. */
#define NS_FD_SLOTS 32

struct ns_launch;

struct ns_mode {
    int network;            /* new network namespace (option "network") */
    enum cgroup_mode cg;
    char rootfs[4096];      /* the image: the overlay's bottom layer */
    char devlayer[4096];    /* dev/{null,zero,...}: the lower layer above the image */
    char scratch[4096];     /* <cache>/ns */
    char pids_home[512];    /* v1: our threads' pids cgroup, where a launching thread returns */
    int pids_home_fd;       /* v1 with a budget: its tasks file, and the budget's (-1 until */
    int pids_budget_fd;     /* the first start; opened once, written once per clone) */
    /* Signals whose disposition the child resets before exec: those not at
       SIG_DFL when the mode was set up, and the ones isobench catches or
       ignores (plat_catch_interrupts); one rt_sigaction each instead of 64. */
    sigset_t sig_reset;
    /* The run whose scratch directory (and cgroup, without a budget) this
       mode made: kept from one container to the next, so that one-at-a-time
       starts do not re-create them, and removed by mode_fini. */
    char kept_run[128];
    int kept_run_cg;
    /* Counter descriptors (see "counter descriptors" below): the quota of
       descriptors per counter file and how many are held (atomic: checked
       at every sample), and under pool_lock the fleet the quotas are for and
       the containers' parent cgroup in each counter's hierarchy (-1 until
       the first sample; ctr_dir_rel names it). */
    atomic_long ctr_quota[3], ctr_held[3], ctr_budget, ctr_total;
    long ctr_fleet;          /* the fleet the quotas are for; 0 before the first sample */
    int ctr_dirfd[3];
    char ctr_dir_rel[512];
    /* Launch areas not in use (one per concurrent start at most). */
    pthread_mutex_t pool_lock;
    struct ns_launch *pool[NS_LAUNCH_POOL];
    int npool;
    /* Descriptor slots (under pool_lock): low numbers held on /dev/null
       while free, each lent to one start for its pipe; slot_top is one
       above the highest, nslots 0 when they could not be reserved. */
    int slot_fd[NS_FD_SLOTS];
    int slot_busy[NS_FD_SLOTS];
    int nslots, slot_top, null_fd;
};

/* <cache>/ns: the scratch root of this driver. */
static void scratch_root(char *buf, size_t n)
{
    snprintf(buf, n, "%s/ns", image_cache_dir());
}

/* ---- per-container state ---- */

/*
 * What a container keeps for its whole life: about 200 bytes, so that a
 * fleet of 10,000 costs the harness little (issue 11: at most 4 KiB per
 * container in all). Paths are rebuilt from the run id and the container
 * name when needed; what only the launch needs lives in a struct ns_launch
 * borrowed for the duration of start().
 */
struct ns_ctr {
    const struct ns_mode *nm;
    int cg_created;
    int in_budget;           /* runcg is the run's budget: the runner removes it */
    int cgfd;                /* v2: the cgroup directory, for CLONE_INTO_CGROUP; else -1 */
    pid_t pid;               /* pid of the container's init in our namespace, -1 when none */
    int wstatus;             /* wait status once reaped */
    int reaped;
    int out_fd;              /* read end of the workload's stdout/stderr */
    int counters_tried;      /* the quotas checked for its fleet at the first cheap sample */
    struct cgroup_fds cfd;   /* counter files kept open for sampling */
    int64_t seen_cpu_ns;     /* CPU time at the last cheap sample */
    int64_t seen_pids;       /* pids.current when last read */
    int pids_reused;         /* samples since, -1 before the first */

    /* Line reader for wait_output: allocated while bytes are buffered,
       released when a marker consumed them all. */
    char *line;
    size_t used, cap;
    int64_t line_t_ns;       /* when the bytes completing the buffered data arrived */
    char last_line[120];     /* last non-marker line, for error messages */
};

/*
 * Shared with the child while we are suspended (CLONE_VFORK): a MAP_SHARED
 * mapping, so the child sees it and writes back both when it runs in our
 * memory (CLONE_VM) and when it is a copy (clone3 into a v2 cgroup). One is
 * borrowed from the mode's pool per start() and returned after the clone.
 */
struct ns_launch {
    const struct ns_mode *nm;
    char cgrel[512];
    char merged[4096];
    char overlay_opts[4096]; /* mount data for the overlay */
    char hostname[64];
    const char *const *argv;
    int child_out;
    int fd_top;              /* > 0: cloned sharing our descriptor table (CLONE_FILES); the
                                child keeps a copy of descriptors below this, see child_files */
    int child_in_cgroup;     /* started inside its cgroup: no cgroup_enter */
    int child_sighand_clear; /* the kernel already reset signal handlers */
    sigset_t sig_reset;      /* else these are reset by the child */
    volatile int child_failed;
    volatile int64_t child_exec_ns;
    struct err child_err;
    char stack[NS_STACK_SIZE];
};

/* The container's cgroup: <budget>/<name> with a budget, else
   isobench/<run_id>/<name> (the run's cgroup is kept until mode_fini). */
static void ctr_cgrel(const struct ctr *c, char *buf, size_t n)
{
    if (c->cgroup_parent != NULL)
        snprintf(buf, n, "%s/%s", c->cgroup_parent, c->name);
    else
        snprintf(buf, n, NS_CGROUP_TOP "/%s/%s", c->run_id, c->name);
}

/* <scratch>/runs/<run_id>[/<name>[/<leaf>]]. */
static void ctr_path(const struct ctr *c, const char *name, const char *leaf, char *buf, size_t n)
{
    const struct ns_mode *nm = c->mode->drv_state;
    snprintf(buf, n, "%s/runs/%s%s%s%s%s", nm->scratch, c->run_id, name ? "/" : "", name ? name : "",
             leaf ? "/" : "", leaf ? leaf : "");
}

static struct ns_launch *launch_get(struct ns_mode *nm)
{
    struct ns_launch *l = NULL;
    pthread_mutex_lock(&nm->pool_lock);
    if (nm->npool > 0)
        l = nm->pool[--nm->npool];
    pthread_mutex_unlock(&nm->pool_lock);
    if (l == NULL) {
        l = mmap(NULL, sizeof(*l), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (l == MAP_FAILED)
            return NULL;
    }
    return l;
}

static void launch_put(struct ns_mode *nm, struct ns_launch *l)
{
    pthread_mutex_lock(&nm->pool_lock);
    if (nm->npool < NS_LAUNCH_POOL) {
        nm->pool[nm->npool++] = l;
        l = NULL;
    }
    pthread_mutex_unlock(&nm->pool_lock);
    if (l != NULL)
        munmap(l, sizeof(*l));
}

/*
 * The descriptor table a container's init gets. A clone without CLONE_FILES
 * copies ours, sized to our highest descriptor: with a fleet's counter files
 * and pipes open that is up to 10,000 slots, 128 KiB of kernel memory in
 * every container (counted as the container's cost) and a copy per start.
 * So the start clones sharing our table (CLONE_FILES) and the child's first
 * act is close_range(slot_top, ~0U, CLOSE_RANGE_UNSHARE), which copies only
 * the descriptors below slot_top into a table of its own: the embedded one
 * of 64 slots when slot_top <= 64. The pipe's write end must be below it,
 * so each start borrows one of NS_FD_SLOTS low numbers reserved at mode
 * init (held on /dev/null while free) and dup3()s the pipe onto it.
 */
static void fd_slots_reserve(struct ns_mode *nm)
{
    int i;
    nm->nslots = nm->slot_top = 0;
    nm->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nm->null_fd < 0)
        return;
    for (i = 0; i < NS_FD_SLOTS; i++) {
        int fd = fcntl(nm->null_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            break;
        nm->slot_fd[nm->nslots] = fd;
        nm->slot_busy[nm->nslots++] = 0;
        if (fd + 1 > nm->slot_top)
            nm->slot_top = fd + 1;
    }
}

static void fd_slots_release(struct ns_mode *nm)
{
    while (nm->nslots > 0)
        close(nm->slot_fd[--nm->nslots]);
    if (nm->null_fd >= 0)
        close(nm->null_fd);
    nm->null_fd = -1;
}

/* Put the pipe's write end w on a free slot (closing w): the slot's index,
   or -1 with w untouched when none is free. */
static int fd_slot_get(struct ns_mode *nm, int w)
{
    int i, got = -1;
    pthread_mutex_lock(&nm->pool_lock);
    for (i = 0; i < nm->nslots && got < 0; i++)
        if (!nm->slot_busy[i]) {
            nm->slot_busy[i] = 1;
            got = i;
        }
    pthread_mutex_unlock(&nm->pool_lock);
    if (got < 0)
        return -1;
    if (dup3(w, nm->slot_fd[got], O_CLOEXEC) < 0) {
        pthread_mutex_lock(&nm->pool_lock);
        nm->slot_busy[got] = 0;
        pthread_mutex_unlock(&nm->pool_lock);
        return -1;
    }
    close(w);
    return got;
}

/* Back to /dev/null (which closes our copy of the pipe's write end). */
static void fd_slot_put(struct ns_mode *nm, int i)
{
    if (dup3(nm->null_fd, nm->slot_fd[i], O_CLOEXEC) < 0)
        close(nm->slot_fd[i]); /* the slot is lost, the pipe end is not */
    pthread_mutex_lock(&nm->pool_lock);
    nm->slot_busy[i] = 0;
    pthread_mutex_unlock(&nm->pool_lock);
}

static char *const ns_envp[] = {
    "PATH=/bin:/sbin:/usr/bin:/usr/sbin",
    "HOME=/root",
    "TERM=dumb",
    NULL,
};

/* Names become path components and overlay option values. */
static int check_name(const char *what, const char *s, struct err *e)
{
    if (s == NULL || s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
        strpbrk(s, "/,:\\\n") != NULL)
        return err_set(e, EINVAL, "ns: %s '%s' cannot name a directory and cgroup", what, s ? s : "");
    return 0;
}

/* ---- probe, options, version, facts ---- */

static int overlay_supported(void)
{
    char buf[8192];
    FILE *f = fopen("/proc/filesystems", "re");
    int found = 0;
    if (f == NULL)
        return 0;
    while (fgets(buf, sizeof(buf), f) != NULL) {
        char *tab = strrchr(buf, '\t');
        const char *name = tab ? tab + 1 : buf;
        if (strcmp(name, "overlay\n") == 0 || strcmp(name, "overlay") == 0)
            found = 1;
    }
    fclose(f);
    return found;
}

static int ns_probe(const struct mode *m, struct err *e)
{
    enum cgroup_mode cg = cgroup_detect();
    (void)m;
    if (geteuid() != 0)
        return err_set(e, EPERM, "ns: needs root for namespaces, cgroups and overlay mounts (running as uid %d)",
                       (int)geteuid());
    if (!overlay_supported())
        return err_set(e, ENODEV, "ns: overlayfs not available: 'overlay' is not in /proc/filesystems (modprobe overlay)");
    if (cgroup_check(cg, e) < 0)
        return err_wrap(e, "ns");
    return 0;
}

/* The signals a child must reset: every one not at SIG_DFL now, and those
   isobench catches or ignores whenever it does (see ns_mode.sig_reset). */
static void sig_reset_set(sigset_t *set)
{
    static const int always[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2 };
    struct sigaction sa;
    size_t i;
    int sig;
    sigemptyset(set);
    for (i = 0; i < sizeof(always) / sizeof(always[0]); i++)
        sigaddset(set, always[i]);
    for (sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL)
            sigaddset(set, sig);
}

static int ns_mode_init(struct mode *m, const struct scenario *s, struct err *e)
{
    struct ns_mode *nm;
    const cJSON *opt;
    char root[4096], path[4096];
    static const struct {
        const char *name;
        unsigned maj, min;
    } devs[] = { { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
                 { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 } };
    size_t i;

    if (m->options != NULL && !cJSON_IsObject(m->options))
        return err_set(e, EINVAL, "modes[%d].options: must be an object", m->index);
    nm = calloc(1, sizeof(*nm));
    if (nm == NULL)
        return err_set(e, ENOMEM, "ns: out of memory");
    cJSON_ArrayForEach(opt, m->options) {
        if (strcmp(opt->string, "network") == 0) {
            if (!cJSON_IsBool(opt)) {
                err_set(e, EINVAL, "modes[%d].options.network: must be true or false", m->index);
                goto fail;
            }
            nm->network = cJSON_IsTrue(opt);
        } else {
            err_set(e, EINVAL, "modes[%d].options.%s: unknown option", m->index, opt->string);
            goto fail;
        }
    }
    sig_reset_set(&nm->sig_reset);
    nm->pids_home_fd = nm->pids_budget_fd = -1;
    nm->ctr_dirfd[0] = nm->ctr_dirfd[1] = nm->ctr_dirfd[2] = -1;
    nm->cg = cgroup_detect();
    if (nm->cg != CGROUP_V2 && cgroup_v1_pids_own(nm->pids_home, sizeof(nm->pids_home)) < 0)
        nm->pids_home[0] = '\0';
    scratch_root(nm->scratch, sizeof(nm->scratch));
    pthread_mutex_init(&nm->pool_lock, NULL);
    fd_slots_reserve(nm);

    /* A scenario's own image must already exist; the default one is built on demand. */
    if (s != NULL && s->image[0] != '\0') {
        snprintf(nm->rootfs, sizeof(nm->rootfs), "%s", s->image);
        if (image_check_user(nm->rootfs, "scenario image", e) < 0) {
            err_wrap(e, "ns");
            goto fail;
        }
    } else {
        image_default_rootfs(nm->rootfs, sizeof(nm->rootfs));
        if (image_ensure(nm->rootfs, e) < 0) {
            err_wrap(e, "ns");
            goto fail;
        }
    }
    if (strpbrk(nm->rootfs, ",:\\") != NULL) {
        err_set(e, EINVAL, "ns: rootfs %s: ',', ':' and '\\' cannot appear in an overlay lower dir", nm->rootfs);
        goto fail;
    }

    /* The device layer: dev/ with the usual character devices, shared read-only
       by every container as the overlay's top lower layer. */
    scratch_root(root, sizeof(root));
    snprintf(nm->devlayer, sizeof(nm->devlayer), "%s/devlayer", root);
    snprintf(path, sizeof(path), "%s/dev", nm->devlayer);
    if (plat_mkdir_p(path, e) < 0) {
        err_wrap(e, "ns: device layer");
        goto fail;
    }
    for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
        snprintf(path, sizeof(path), "%s/dev/%s", nm->devlayer, devs[i].name);
        if (mknod(path, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) < 0 && errno != EEXIST) {
            err_sys(e, errno, "ns: mknod %s", path);
            goto fail;
        }
        chmod(path, 0666); /* mknod honours the umask */
    }
    m->drv_state = nm;
    return 0;
fail:
    fd_slots_release(nm);
    free(nm);
    return -1;
}

/* Remove the run directory (and cgroup) this mode kept; they stay while
   containers of another mode of the same run remain. */
static void forget_run(struct ns_mode *nm)
{
    char path[4096];
    if (nm->kept_run[0] == '\0')
        return;
    snprintf(path, sizeof(path), "%s/runs/%s", nm->scratch, nm->kept_run);
    rmdir(path);
    if (nm->kept_run_cg) {
        snprintf(path, sizeof(path), NS_CGROUP_TOP "/%s", nm->kept_run);
        cgroup_remove(nm->cg, path, NULL);
    }
    nm->kept_run[0] = '\0';
    nm->kept_run_cg = 0;
}

static void ns_mode_fini(struct mode *m)
{
    struct ns_mode *nm = m->drv_state;
    int i;
    if (nm != NULL) {
        forget_run(nm);
        if (nm->pids_home_fd >= 0)
            close(nm->pids_home_fd);
        if (nm->pids_budget_fd >= 0)
            close(nm->pids_budget_fd);
        for (i = 0; i < 3; i++)
            if (nm->ctr_dirfd[i] >= 0)
                close(nm->ctr_dirfd[i]);
        while (nm->npool > 0)
            munmap(nm->pool[--nm->npool], sizeof(struct ns_launch));
        fd_slots_release(nm);
        pthread_mutex_destroy(&nm->pool_lock);
    }
    free(m->drv_state);
    m->drv_state = NULL;
}

static int ns_version(const struct mode *m, char *buf, size_t n, struct err *e)
{
    struct utsname u;
    (void)m;
    if (uname(&u) < 0)
        return err_sys(e, errno, "uname");
    snprintf(buf, n, "linux %s", u.release);
    return 0;
}

static void ns_facts(const struct mode *m, cJSON *out)
{
    const struct ns_mode *nm = m->drv_state;
    cJSON_AddStringToObject(out, "cgroup", cgroup_mode_name(cgroup_detect()));
    cJSON_AddBoolToObject(out, "overlay", overlay_supported());
    cJSON_AddStringToObject(out, "launch", "clone(CLONE_VM|CLONE_VFORK), pivot_root into overlayfs");
    if (nm != NULL) {
        cJSON_AddBoolToObject(out, "network_namespace", nm->network);
        cJSON_AddStringToObject(out, "rootfs", nm->rootfs);
    }
}

static unsigned ns_isolation_of(const struct mode *m)
{
    (void)m;
    return ISO_PROCESS;
}

/* ---- create ---- */

/* mkdir, making the parents only when missing: the run directory exists
   after the run's first container, so this is usually one system call. */
static int mkdir_leaf_first(const char *path, struct err *e)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return err_sys(e, errno, "ns: mkdir %s", path);
    return plat_mkdir_p(path, e) < 0 ? err_wrap(e, "ns: scratch") : 0;
}

/* The run's directory (and cgroup) now exist: they stay until mode_fini. */
static void keep_run(const struct ctr *c)
{
    struct ns_mode *nm = c->mode->drv_state;
    pthread_mutex_lock(&nm->pool_lock);
    if (strcmp(nm->kept_run, c->run_id) != 0) {
        forget_run(nm);
        snprintf(nm->kept_run, sizeof(nm->kept_run), "%s", c->run_id);
    }
    if (c->cgroup_parent == NULL)
        nm->kept_run_cg = 1;
    pthread_mutex_unlock(&nm->pool_lock);
}

static int ns_create(struct ctr *c, struct err *e)
{
    const struct ns_mode *nm = c->mode ? c->mode->drv_state : NULL;
    const struct scenario *s = c->scn;
    struct ns_ctr *p;
    struct cgroup_limits lim;
    char path[4096], cgrel[512];

    if (nm == NULL)
        return err_set(e, EINVAL, "ns: mode_init was not called for this mode");
    if (check_name("run id", c->run_id, e) < 0 || check_name("container name", c->name, e) < 0)
        return -1;
    if (c->argv == NULL || c->argv[0] == NULL)
        return err_set(e, EINVAL, "ns: no workload command");
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return err_set(e, ENOMEM, "ns: out of memory");
    c->priv = p;
    p->nm = nm;
    p->cgfd = -1;
    p->pid = -1;
    p->out_fd = -1;
    p->cfd.mem = p->cfd.cpu = p->cfd.pids = -1;
    p->pids_reused = -1;

    ctr_path(c, c->name, NULL, path, sizeof(path));
    if (mkdir_leaf_first(path, e) < 0)
        return -1;
    keep_run(c);
    ctr_path(c, c->name, "upper", path, sizeof(path));
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return err_sys(e, errno, "ns: mkdir %s", path);
    ctr_path(c, c->name, "work", path, sizeof(path));
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return err_sys(e, errno, "ns: mkdir %s", path);
    ctr_path(c, c->name, "merged", path, sizeof(path));
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return err_sys(e, errno, "ns: mkdir %s", path);

    ctr_cgrel(c, cgrel, sizeof(cgrel));
    lim.mem_bytes = s ? s->mem_limit_bytes : 0;
    lim.cpus = s ? s->cpu_limit : 0;
    lim.pids = s ? s->pids_limit : 0;
    p->cg_created = 1; /* from here on, destroy removes whatever part exists */
    if (cgroup_create(nm->cg, cgrel, &lim, e) < 0)
        return err_wrap(e, "ns");
    if (nm->cg == CGROUP_V2 && (p->cgfd = cgroup_open_dir(nm->cg, cgrel, e)) < 0)
        return err_wrap(e, "ns");
    return 0;
}

/* ---- start: the child ---- */

static int loopback_up(struct err *e)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_sys(e, errno, "socket");
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)) {
        int saved = errno;
        close(fd);
        return err_sys(e, saved, "bring up lo");
    }
    close(fd);
    return 0;
}

/*
 * Runs on L->stack in our address space while the parent thread is
 * suspended; touches only *L and its own stack; reports failure through
 * L->child_err and exit status 127.
 */
/* Close fds lo..hi (none when lo > hi). */
static void close_between(int lo, int hi)
{
    int fd;
    if (lo > hi)
        return;
#if defined(SYS_close_range)
    if (syscall(SYS_close_range, (unsigned)lo, (unsigned)hi, 0U) == 0)
        return;
#endif
    for (fd = lo; fd <= hi; fd++)
        close(fd);
}

/* Cloned sharing our table (fd_top > 0): a table of our own with only the
   descriptors below fd_top (see fd_slots_reserve), of which only 0-2 and
   the pipe stay. Kernels before 5.9 lack CLOSE_RANGE_UNSHARE: a full copy. */
static int child_files(struct ns_launch *p, struct err *e)
{
    int rc = -1;
    if (p->fd_top <= 0)
        return 0;
#if defined(SYS_close_range)
    rc = (int)syscall(SYS_close_range, (unsigned)p->fd_top, ~0U, 2U /* CLOSE_RANGE_UNSHARE, Linux 5.9 */);
#endif
    if (rc < 0 && unshare(CLONE_FILES) < 0)
        return err_sys(e, errno, "unshare the descriptor table");
    close_between(3, p->child_out - 1);
    close_between(p->child_out + 1, p->fd_top - 1);
    return 0;
}

static int child_main(void *arg)
{
    struct ns_launch *p = arg;
    struct err *e = &p->child_err;
    sigset_t none;
    int sig, nullfd;

    /* First: until then every descriptor we touch is isobench's too. */
    if (child_files(p, e) < 0)
        goto fail;

    /* Our handlers must never run here: they would act on the parent's memory. */
    if (!p->child_sighand_clear)
        for (sig = 1; sig < NSIG; sig++)
            if (sigismember(&p->sig_reset, sig) == 1)
                signal(sig, SIG_DFL);

    if (!p->child_in_cgroup && cgroup_enter(p->nm->cg, p->cgrel, 0, e) < 0)
        goto fail;
    if (sethostname(p->hostname, strlen(p->hostname)) < 0) {
        err_sys(e, errno, "sethostname %s", p->hostname);
        goto fail;
    }
    if (p->nm->network && loopback_up(e) < 0)
        goto fail;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        err_sys(e, errno, "make / private");
        goto fail;
    }
    if (mount("overlay", p->merged, "overlay", 0, p->overlay_opts) < 0) {
        err_sys(e, errno, "mount overlay on %s (%s)", p->merged, p->overlay_opts);
        goto fail;
    }
    if (chdir(p->merged) < 0) {
        err_sys(e, errno, "chdir %s", p->merged);
        goto fail;
    }
    if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        err_sys(e, errno, "mount /proc");
        goto fail;
    }
    /* pivot_root(".", "."): the old root ends up stacked on "/" and is detached. */
    if (syscall(SYS_pivot_root, ".", ".") < 0) {
        err_sys(e, errno, "pivot_root %s", p->merged);
        goto fail;
    }
    if (umount2(".", MNT_DETACH) < 0) {
        err_sys(e, errno, "detach the old root");
        goto fail;
    }
    if (chdir("/") < 0) {
        err_sys(e, errno, "chdir /");
        goto fail;
    }
    nullfd = open("/dev/null", O_RDWR);
    if (nullfd < 0) {
        err_sys(e, errno, "open /dev/null in the container");
        goto fail;
    }
    if (dup2(nullfd, 0) < 0 || dup2(p->child_out, 1) < 0 || dup2(p->child_out, 2) < 0) {
        err_sys(e, errno, "dup2");
        goto fail;
    }
    if (nullfd > 2)
        close(nullfd);
    /* Descriptors isobench inherited without close-on-exec (a `flock`
       wrapper's lock, a CI runner's pipes) must not reach the workload. */
#if defined(SYS_close_range)
    syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC, Linux 5.11 */);
#endif
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    p->child_exec_ns = plat_now_ns();
    execve(p->argv[0], (char *const *)p->argv, ns_envp);
    err_sys(e, errno, "exec %s", p->argv[0]);
fail:
    p->child_failed = 1;
    _exit(127);
}

/* Reap the container's init, waiting at most timeout_ms. 0 when reaped.
   A pidfd (Linux 5.3+) wakes us the moment it exits; else 1 ms polls. */
static int reap(struct ns_ctr *p, int timeout_ms)
{
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    if (p->pid <= 0 || p->reaped)
        return 0;
#if defined(SYS_pidfd_open)
    if (waitpid(p->pid, &p->wstatus, WNOHANG) == p->pid) {
        p->reaped = 1;
        return 0;
    }
    {
        int pfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
        if (pfd >= 0) {
            struct pollfd x;
            x.fd = pfd;
            x.events = POLLIN;
            x.revents = 0;
            while (poll(&x, 1, timeout_ms) < 0 && errno == EINTR && plat_now_ns() < deadline)
                ;
            close(pfd);
        }
    }
#endif
    for (;;) {
        pid_t r = waitpid(p->pid, &p->wstatus, WNOHANG);
        if (r == p->pid || (r < 0 && errno == ECHILD)) {
            p->reaped = 1;
            return 0;
        }
        if (r < 0 && errno != EINTR)
            return -1;
        if (plat_now_ns() > deadline)
            return -1;
        plat_sleep_ms(1);
    }
}

#if defined(SYS_clone3)
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
/* The kernel's struct clone_args (linux/sched.h, v2 layout with cgroup). */
struct ns_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

/*
 * cgroup v2: clone3(CLONE_VFORK | CLONE_INTO_CGROUP), fork-like (our memory
 * copied, p shared through its MAP_SHARED mapping). The child is born in its
 * cgroup: no cgroup.procs write, whose global lock waits for an RCU grace
 * period. Returns the pid, 0 never (the child does not return), or -1 with
 * errno; ENOSYS/E2BIG mean an older kernel.
 */
static pid_t clone_into_cgroup(struct ns_launch *p, int cgfd, int nsflags)
{
    struct ns_clone_args ca;
    long r;
    memset(&ca, 0, sizeof(ca));
    ca.flags = (uint64_t)(unsigned)(nsflags | CLONE_VFORK) | CLONE_INTO_CGROUP | CLONE_CLEAR_SIGHAND;
    ca.exit_signal = SIGCHLD;
    ca.cgroup = (uint64_t)cgfd;
    p->child_in_cgroup = 1;
    p->child_sighand_clear = 1;
    r = syscall(SYS_clone3, &ca, sizeof(ca));
    if (r == 0)
        child_main(p); /* does not return */
    if (r < 0) {
        p->child_in_cgroup = 0;
        p->child_sighand_clear = 0;
    }
    return (pid_t)r;
}
#endif

/* Fill the launch area: everything the child needs, built before the clone. */
static int launch_prepare(const struct ctr *c, struct ns_launch *L, struct err *e)
{
    const struct ns_mode *nm = c->mode->drv_state;
    char upper[4096], work[4096];
    int len;

    L->nm = nm;
    L->argv = c->argv;
    L->sig_reset = nm->sig_reset;
    ctr_cgrel(c, L->cgrel, sizeof(L->cgrel));
    snprintf(L->hostname, sizeof(L->hostname), "%.63s", c->name);
    ctr_path(c, c->name, "merged", L->merged, sizeof(L->merged));
    ctr_path(c, c->name, "upper", upper, sizeof(upper));
    ctr_path(c, c->name, "work", work, sizeof(work));
    len = snprintf(L->overlay_opts, sizeof(L->overlay_opts), "lowerdir=%s:%s,upperdir=%s,workdir=%s",
                   nm->devlayer, nm->rootfs, upper, work);
    if (len < 0 || (size_t)len >= sizeof(L->overlay_opts))
        return err_set(e, ENAMETOOLONG, "ns: overlay options for %s longer than a page", L->merged);
    L->child_failed = 0;
    L->child_exec_ns = 0;
    L->child_in_cgroup = 0;
    L->child_sighand_clear = 0;
    err_clear(&L->child_err);
    return 0;
}

/* v1 with a budget: the tasks files a launching thread moves through, opened
   at the first start (one budget per run, so per mode). */
static int budget_tasks_open(const struct ctr *c, struct err *e)
{
    struct ns_mode *nm = c->mode->drv_state;
    int rc = 0;
    pthread_mutex_lock(&nm->pool_lock);
    if (nm->pids_home_fd < 0 && (nm->pids_home_fd = cgroup_v1_pids_tasks_open(nm->pids_home, e)) < 0)
        rc = -1;
    if (rc == 0 && nm->pids_budget_fd < 0 &&
        (nm->pids_budget_fd = cgroup_v1_pids_tasks_open(c->cgroup_parent, e)) < 0)
        rc = -1;
    pthread_mutex_unlock(&nm->pool_lock);
    return rc;
}

/* The clone was refused with EAGAIN while charged to the budget: name the
   budget's pids when they are what ran out (else pid_max, threads-max or
   RLIMIT_NPROC did). */
static int budget_refused(const struct ctr *c, struct err *e)
{
    int64_t mem_max, pids_max;
    struct cgroup_stats st;
    const struct ns_mode *nm = c->mode->drv_state;
    cgroup_read_limits(nm->cg, c->cgroup_parent, &mem_max, &pids_max);
    if (pids_max > 0 && cgroup_read(nm->cg, c->cgroup_parent, &st, NULL) == 0 && st.pids >= pids_max - 1)
        return err_set(e, EAGAIN, "ns: clone refused: the budget's pids are used up (%s pids.max %lld, pids.current "
                                  "%lld with the launching threads)",
                       c->cgroup_parent, (long long)pids_max, (long long)st.pids);
    return err_sys(e, EAGAIN, "ns: clone (budget %s pids.max %lld not reached: a host limit refused it)",
                   c->cgroup_parent, (long long)pids_max);
}

/* Our copy of the pipe's write end, after the clone: its slot back to /dev/null. */
static void child_out_close(struct ns_mode *nm, struct ns_launch *L, int slot)
{
    if (slot >= 0)
        fd_slot_put(nm, slot);
    else
        close(L->child_out);
}

static int ns_start(struct ctr *c, struct err *e)
{
    struct ns_ctr *p = c->priv;
    struct ns_mode *nm;
    struct ns_launch *L;
    int fds[2], nsflags, saved = 0, charged = 0, back = 0, slot;
    struct err be;
    sigset_t all, old;
    uintptr_t top;
    pid_t pid = -1;

    if (p == NULL)
        return err_set(e, EINVAL, "ns: start before create");
    if (p->pid > 0)
        return err_set(e, EBUSY, "ns: already started");
    nm = c->mode->drv_state;
    L = launch_get(nm);
    if (L == NULL)
        return err_sys(e, errno, "ns: mmap launch area");
    if (launch_prepare(c, L, e) < 0) {
        launch_put(nm, L);
        return -1;
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        launch_put(nm, L);
        return err_sys(e, errno, "ns: pipe");
    }
    /* The child dup2()s the write end onto 1 and 2: it must not already be one of them. */
    if (fds[1] <= 2) {
        int hi = fcntl(fds[1], F_DUPFD_CLOEXEC, 3);
        saved = errno;
        close(fds[1]);
        if (hi < 0) {
            close(fds[0]);
            launch_put(nm, L);
            return err_sys(e, saved, "ns: dup pipe");
        }
        fds[1] = hi;
    }
    p->out_fd = fds[0];
    /* On a low slot the child shares our table and copies only its bottom
       (fd_slots_reserve); without a free slot it gets a full copy. */
    slot = fd_slot_get(nm, fds[1]);
    L->child_out = slot >= 0 ? nm->slot_fd[slot] : fds[1];
    L->fd_top = slot >= 0 ? nm->slot_top : 0;

    nsflags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    if (nm->network)
        nsflags |= CLONE_NEWNET;
    if (slot >= 0)
        nsflags |= CLONE_FILES;
    top = ((uintptr_t)(L->stack + sizeof(L->stack))) & ~(uintptr_t)15;

    /* cgroup v1 and a budget: the clone must be charged to the budget's
       pids (moving the child in afterwards ignores pids.max), so this thread
       waits in the budget's pids cgroup for the clone's duration. */
    if (nm->cg != CGROUP_V2 && c->cgroup_parent != NULL) {
        if (budget_tasks_open(c, e) < 0 || cgroup_v1_tasks_enter(nm->pids_budget_fd, e) < 0) {
            child_out_close(nm, L, slot);
            launch_put(nm, L);
            return err_wrap(e, "ns: charge the clone to the budget %s", c->cgroup_parent);
        }
        charged = 1;
    }
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
#if defined(SYS_clone3)
    if (p->cgfd >= 0) {
        pid = clone_into_cgroup(L, p->cgfd, nsflags);
        saved = errno;
    }
    if (pid < 0 && (p->cgfd < 0 || saved == ENOSYS || saved == E2BIG))
#endif
    {
        pid = clone(child_main, (void *)top, nsflags | CLONE_VM | CLONE_VFORK | SIGCHLD, L);
        saved = errno;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (charged)
        back = cgroup_v1_tasks_enter(nm->pids_home_fd, &be);
    child_out_close(nm, L, slot);
    if (p->cgfd >= 0) {
        close(p->cgfd);
        p->cgfd = -1;
    }
    if (pid < 0) {
        launch_put(nm, L);
        if (saved == EAGAIN && charged)
            return budget_refused(c, e);
        return err_sys(e, saved, "ns: clone");
    }
    p->pid = pid;
    p->reaped = 0;
    if (back < 0) {
        *e = be;
        launch_put(nm, L);
        return err_wrap(e, "ns: after the clone of %s", c->name);
    }
    if (L->child_failed) {
        *e = L->child_err;
        launch_put(nm, L);
        reap(p, NS_KILL_TIMEOUT_MS);
        return err_wrap(e, "ns: container setup");
    }
    c->exec_ns = L->child_exec_ns;
    launch_put(nm, L);
    return 0;
}

/* ---- wait_output ---- */

static void describe_exit(struct ns_ctr *p, char *buf, size_t n)
{
    reap(p, 100);
    if (!p->reaped)
        snprintf(buf, n, "closed its output");
    else if (WIFEXITED(p->wstatus))
        snprintf(buf, n, "exited with status %d", WEXITSTATUS(p->wstatus));
    else if (WIFSIGNALED(p->wstatus))
        snprintf(buf, n, "was killed by signal %d", WTERMSIG(p->wstatus));
    else
        snprintf(buf, n, "ended");
}

/* Room for more bytes in the line buffer: allocate, grow up to NS_LINE_MAX,
   or (an endless line) drop what is buffered. */
static int line_room(struct ns_ctr *p, struct err *e)
{
    if (p->line == NULL) {
        p->cap = 256;
        p->used = 0;
        if ((p->line = malloc(p->cap)) == NULL)
            return err_set(e, ENOMEM, "ns: out of memory");
    } else if (p->used == p->cap && p->cap < NS_LINE_MAX) {
        char *n2 = realloc(p->line, p->cap * 2);
        if (n2 == NULL)
            return err_set(e, ENOMEM, "ns: out of memory");
        p->line = n2;
        p->cap *= 2;
    } else if (p->used == p->cap) {
        p->used = 0; /* an endless line: keep its tail */
    }
    return 0;
}

static void line_release(struct ns_ctr *p)
{
    free(p->line);
    p->line = NULL;
    p->used = p->cap = 0;
}

static int ns_wait_output(struct ctr *c, const char *marker, int timeout_ms, char *buf, size_t n,
                          int64_t *t_ns, struct err *e)
{
    struct ns_ctr *p = c->priv;
    int64_t deadline = plat_now_ns() + (int64_t)timeout_ms * 1000000LL;
    size_t mlen = strlen(marker);

    if (p == NULL || p->out_fd < 0)
        return err_set(e, EINVAL, "ns: wait_output before start");
    for (;;) {
        char *nl;
        ssize_t r;
        struct pollfd pfd;
        int64_t left;

        /* Consume complete lines already buffered. */
        while (p->line != NULL && (nl = memchr(p->line, '\n', p->used)) != NULL) {
            size_t llen = (size_t)(nl - p->line);
            int match = llen >= mlen && memcmp(p->line, marker, mlen) == 0;
            if (match) {
                snprintf(buf, n, "%.*s", (int)llen, p->line);
                *t_ns = p->line_t_ns;
            } else {
                snprintf(p->last_line, sizeof(p->last_line), "%.*s", (int)llen, p->line);
            }
            memmove(p->line, nl + 1, p->used - llen - 1);
            p->used -= llen + 1;
            if (match) {
                if (p->used == 0)
                    line_release(p);
                /* The idle workload writes nothing after READY: its pipe goes
                   back, so a large fleet does not hold one descriptor per
                   container (RLIMIT_NOFILE would bind before the host does). */
                if (strcmp(marker, MARKER_READY) == 0 && c->argv != NULL && c->argv[0] != NULL &&
                    c->argv[1] != NULL && strcmp(c->argv[1], "idle") == 0) {
                    close(p->out_fd);
                    p->out_fd = -1;
                }
                return 0;
            }
        }
        if (line_room(p, e) < 0)
            return -1;

        left = (deadline - plat_now_ns()) / 1000000LL;
        if (left <= 0)
            return err_set(e, ETIMEDOUT, "ns: no %s line within %d ms%s%s", marker, timeout_ms,
                           p->last_line[0] ? "; last output: " : "", p->last_line);
        pfd.fd = p->out_fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)(left > 1000000 ? 1000000 : left)) < 0) {
            if (errno == EINTR && !plat_interrupted())
                continue;
            return err_sys(e, errno, "ns: poll");
        }
        if (pfd.revents == 0)
            continue;
        r = read(p->out_fd, p->line + p->used, p->cap - p->used);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return err_sys(e, errno, "ns: read workload output");
        }
        if (r == 0) {
            char how[64];
            describe_exit(p, how, sizeof(how));
            return err_set(e, EPIPE, "ns: workload %s before printing %s%s%s", how, marker,
                           p->last_line[0] ? "; last output: " : "", p->last_line);
        }
        p->line_t_ns = plat_now_ns();
        p->used += (size_t)r;
    }
}

/* ---- sample ---- */

/*
 * Counter descriptors. The cheap set reads three files per container;
 * a descriptor kept open saves the open and the close (on the test host a
 * pread costs 0.7 us, an open-read-close 4.5 to 6 us). But RLIMIT_NOFILE
 * counts them with every container's output pipe, and its hard limit cannot
 * always be raised (20,000 on the test host without CAP_SYS_RESOURCE, where
 * 10,000 containers hold 10,000 pipes). So counter descriptors take at most
 * half the limit, less NS_FD_RESERVE for isobench's own files, shared out
 * per file by quota for the fleet being launched (the container's ramp
 * level; without one, the scenario's largest fleet; without that, a third
 * of the budget per file): CPU time first (read every tick, and it decides
 * whether pids.current needs a read), then memory, then pids, each file's
 * quota what the files before it left at one per container. 10,000
 * containers under 20,000: CPU time kept for 9,744, memory and pids opened
 * per read; 1,000 or 3,000: all three kept. When the fleet grows, a
 * container holding a file past its new quota gives it back at its next
 * sample, and one without a file takes it when the quota has room, so each
 * level gets the best split its size allows. A file without a descriptor is
 * opened relative to the containers' parent cgroup, whose directory stays
 * open per hierarchy (two path components to walk, not seven), read once
 * and closed.
 */
#define NS_FD_RESERVE 256

static const enum cgroup_counter ctr_priority[3] = { CGROUP_CTR_CPU, CGROUP_CTR_MEM, CGROUP_CTR_PIDS };

/* The quotas for the fleet c belongs to, when that is not the one they are for. */
static void ctr_quota_update(struct ns_mode *nm, const struct ctr *c)
{
    const struct scenario *s = c->scn;
    struct rlimit rl;
    long fleet = c->fleet_size > 0 ? c->fleet_size : s != NULL && s->nramp > 0 ? s->ramp[s->nramp - 1] : -1;
    long budget, left;
    int i;
    pthread_mutex_lock(&nm->pool_lock);
    if (fleet != nm->ctr_fleet) {
        nm->ctr_fleet = fleet;
        budget = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                     ? (long)rl.rlim_cur / 2 - NS_FD_RESERVE
                     : 1L << 20;
        if (budget < 0)
            budget = 0;
        atomic_store(&nm->ctr_budget, budget);
        for (i = 0, left = budget; i < 3; i++) {
            long q = fleet > 0 ? (left < fleet ? left : fleet) : budget / 3;
            atomic_store(&nm->ctr_quota[ctr_priority[i]], q);
            left -= q;
        }
    }
    pthread_mutex_unlock(&nm->pool_lock);
}

/* The containers' parent cgroup: the budget, else isobench/<run_id>. */
static void ctr_parent(const struct ctr *c, char *buf, size_t n)
{
    if (c->cgroup_parent != NULL)
        snprintf(buf, n, "%s", c->cgroup_parent);
    else
        snprintf(buf, n, NS_CGROUP_TOP "/%s", c->run_id);
}

/* Under pool_lock: the parent's directory in counter k's hierarchy, or -1
   (not opened, or another parent than the one the directories are for: the
   caller opens by the full path). */
static int ctr_dirfd(struct ns_mode *nm, const struct ctr *c, enum cgroup_counter k)
{
    char parent[512];
    struct err e;
    ctr_parent(c, parent, sizeof(parent));
    if (nm->ctr_dir_rel[0] == '\0')
        snprintf(nm->ctr_dir_rel, sizeof(nm->ctr_dir_rel), "%s", parent);
    if (strcmp(nm->ctr_dir_rel, parent) != 0)
        return -1;
    if (nm->ctr_dirfd[k] < 0)
        nm->ctr_dirfd[k] = cgroup_counter_dir_open(nm->cg, parent, k, &e);
    return nm->ctr_dirfd[k];
}

/* Open counter k of c: relative to its parent's directory when there is one. */
static int ctr_open(struct ns_mode *nm, const struct ctr *c, enum cgroup_counter k)
{
    char rel[512];
    int dirfd;
    pthread_mutex_lock(&nm->pool_lock);
    dirfd = ctr_dirfd(nm, c, k);
    pthread_mutex_unlock(&nm->pool_lock);
    if (dirfd >= 0)
        return cgroup_counter_openat(nm->cg, dirfd, c->name, k);
    ctr_cgrel(c, rel, sizeof(rel));
    return cgroup_counter_open(nm->cg, rel, k);
}

/*
 * At every cheap sample: take the files whose quota has room and give
 * back those past it (CPU time, memory, pids in that order). Called by the
 * thread sampling c, the only one that reads its descriptors.
 */
static void ctr_balance(const struct ctr *c, struct ns_ctr *p)
{
    struct ns_mode *nm = c->mode->drv_state;
    int i;
    for (i = 0; i < 3; i++) {
        enum cgroup_counter k = ctr_priority[i];
        int *slot = cgroup_fds_slot(&p->cfd, k);
        long quota = atomic_load_explicit(&nm->ctr_quota[k], memory_order_relaxed);
        long budget = atomic_load_explicit(&nm->ctr_budget, memory_order_relaxed);
        if (*slot < 0 && atomic_load_explicit(&nm->ctr_held[k], memory_order_relaxed) < quota &&
            atomic_load_explicit(&nm->ctr_total, memory_order_relaxed) < budget) {
            /* The total too: after the fleet grew, a file's new room opens
               only as the others' old holders give theirs back. */
            long held = atomic_fetch_add(&nm->ctr_held[k], 1), total = atomic_fetch_add(&nm->ctr_total, 1);
            if (held >= quota || total >= budget || (*slot = ctr_open(nm, c, k)) < 0) {
                atomic_fetch_sub(&nm->ctr_held[k], 1);
                atomic_fetch_sub(&nm->ctr_total, 1);
            }
        } else if (*slot >= 0 && atomic_load_explicit(&nm->ctr_held[k], memory_order_relaxed) > quota) {
            close(*slot);
            *slot = -1;
            atomic_fetch_sub(&nm->ctr_held[k], 1);
            atomic_fetch_sub(&nm->ctr_total, 1);
        }
    }
}

/* At destroy: the descriptors go back to the quotas. */
static void ctr_give_back(struct ns_ctr *p)
{
    struct ns_mode *nm = (struct ns_mode *)p->nm;
    int k;
    for (k = CGROUP_CTR_MEM; k <= CGROUP_CTR_PIDS; k++) {
        int *slot = cgroup_fds_slot(&p->cfd, (enum cgroup_counter)k);
        if (*slot < 0)
            continue;
        close(*slot);
        *slot = -1;
        atomic_fetch_sub(&nm->ctr_held[k], 1);
        atomic_fetch_sub(&nm->ctr_total, 1);
    }
}

/*
 * The cheap set through the open counter files. pids.current is re-read
 * only when the container's CPU time moved since the last sample, and at
 * least every NS_PIDS_EVERY samples: a fork or an exit costs CPU time in
 * the cgroup, so an idle container whose CPU time stood still has the same
 * processes (a reading lags at most one sample behind a change, and
 * NS_PIDS_EVERY samples, 1 s at 10 Hz, behind a process moved in from
 * outside). An idle fleet costs 2.1 reads per container and tick, not 3.
 */
#define NS_PIDS_EVERY 10

/* Counter k through its kept descriptor, else opened for this read (into *tmp). */
static int ctr_fd(const struct ctr *c, struct ns_ctr *p, enum cgroup_counter k, struct cgroup_fds *tmp)
{
    int fd = *cgroup_fds_slot(&p->cfd, k);
    if (fd < 0)
        fd = *cgroup_fds_slot(tmp, k) = ctr_open((struct ns_mode *)p->nm, c, k);
    return fd;
}

static int read_counters(const struct ctr *c, struct ns_ctr *p, struct cgroup_stats *st, struct err *e)
{
    struct cgroup_fds rd, tmp = { -1, -1, -1 };
    int may_reuse = p->pids_reused >= 0 && p->pids_reused < NS_PIDS_EVERY - 1, rc;

    rd.mem = ctr_fd(c, p, CGROUP_CTR_MEM, &tmp);
    rd.cpu = ctr_fd(c, p, CGROUP_CTR_CPU, &tmp);
    rd.pids = may_reuse ? -1 : ctr_fd(c, p, CGROUP_CTR_PIDS, &tmp);
    if (rd.mem < 0 && rd.cpu < 0 && rd.pids < 0) {
        char rel[512];
        ctr_cgrel(c, rel, sizeof(rel));
        return err_sys(e, errno, "ns: cgroup %s: open counters", rel);
    }
    rc = cgroup_counters_read(p->nm->cg, &rd, st, e);
    if (rc == 0 && may_reuse && st->cpu_ns >= 0 && st->cpu_ns == p->seen_cpu_ns) {
        st->pids = p->seen_pids;
        p->pids_reused++;
    } else if (rc == 0) {
        if (may_reuse) {
            struct cgroup_fds only = { -1, -1, ctr_fd(c, p, CGROUP_CTR_PIDS, &tmp) };
            struct cgroup_stats st2;
            if ((rc = cgroup_counters_read(p->nm->cg, &only, &st2, e)) == 0)
                st->pids = st2.pids;
        }
        p->seen_pids = st->pids;
        p->pids_reused = 0;
    }
    cgroup_counters_close(&tmp);
    if (rc < 0)
        return err_wrap(e, "ns: cgroup counters of %s", c->name);
    p->seen_cpu_ns = st->cpu_ns;
    return 0;
}

/*
 * The cheap set re-reads the counter files opened at the first sample; PSS
 * and RSS read every process's smaps_rollup; storage walks the upper
 * directory. Only the sets in c->sample_sets are read (0 = all).
 */
static int ns_sample(struct ctr *c, struct counters *out, struct err *e)
{
    struct ns_ctr *p = c->priv;
    unsigned sets = c->sample_sets ? c->sample_sets : CSET_ALL;
    struct cgroup_stats st;
    char cgrel[512], path[4096];

    counters_unknown(out);
    if (p == NULL)
        return err_set(e, EINVAL, "ns: sample before create");
    cgrel[0] = '\0';
    if (sets & CSET_CHEAP) {
        if (!p->counters_tried) {
            p->counters_tried = 1;
            ctr_quota_update(c->mode->drv_state, c);
        }
        ctr_balance(c, p);
        if (read_counters(c, p, &st, e) < 0)
            return -1;
        out->mem_cgroup_bytes = st.mem_usage_bytes;
        out->cpu_ns = st.cpu_ns;
        out->pids = st.pids;
    }
    if ((sets & CSET_PSS) && cgrel[0] == '\0')
        ctr_cgrel(c, cgrel, sizeof(cgrel));
    if (sets & CSET_PSS) {
        pid_t pids[256];
        int n = 256, i;
        struct proc_mem pm;
        if (cgroup_pids(p->nm->cg, cgrel, pids, &n, e) < 0)
            return err_wrap(e, "ns");
        memset(&pm, 0, sizeof(pm));
        for (i = 0; i < n; i++)
            if (proc_mem_add(pids[i], &pm, e) < 0)
                return err_wrap(e, "ns");
        out->mem_pss_bytes = pm.pss_bytes;
        out->mem_rss_bytes = pm.rss_bytes;
        out->fds = pm.fds;
        out->mounts = 0; /* the overlay and /proc live in the container's own mount namespace */
        /* Kernel memory is not among the cheap counters: it comes with this slower set. */
        if (cgroup_read(p->nm->cg, cgrel, &st, e) == 0)
            out->kmem_bytes = st.kmem_bytes;
    }
    if (sets & CSET_STORAGE) {
        int64_t bytes;
        ctr_path(c, c->name, "upper", path, sizeof(path));
        if (dir_allocated_bytes(path, &bytes, e) < 0)
            return err_wrap(e, "ns: storage");
        out->storage_bytes = bytes;
    }
    return 0;
}

/* ---- stop, destroy ---- */

static int ns_stop(struct ctr *c, struct err *e)
{
    struct ns_ctr *p = c->priv;
    char cgrel[512];
    if (p == NULL)
        return 0;
    /* SIGKILL to a pid namespace's init kills every process in the namespace. */
    if (p->pid > 0 && !p->reaped) {
        kill(p->pid, SIGKILL);
        if (reap(p, NS_KILL_TIMEOUT_MS) < 0)
            return err_set(e, EBUSY, "ns: container init %d still alive %d ms after SIGKILL", (int)p->pid,
                           NS_KILL_TIMEOUT_MS);
    }
    ctr_cgrel(c, cgrel, sizeof(cgrel));
    if (p->cg_created && cgroup_kill_all(p->nm->cg, cgrel, NS_KILL_TIMEOUT_MS, e) < 0)
        return err_wrap(e, "ns");
    return 0;
}

/* The container's scratch directory: the five directories create and the
   overlay made, removed by name (5 system calls); anything else in them (a
   workload that wrote files) goes through the tree walk. */
static int remove_scratch(const struct ctr *c, struct err *e)
{
    static const char *const leaves[] = { "upper", "work/work", "work", "merged", NULL };
    char path[4096];
    int i;
    for (i = 0; leaves[i] != NULL; i++) {
        ctr_path(c, c->name, leaves[i], path, sizeof(path));
        if (rmdir(path) < 0 && errno != ENOENT)
            break;
    }
    ctr_path(c, c->name, NULL, path, sizeof(path));
    if (leaves[i] == NULL && (rmdir(path) == 0 || errno == ENOENT))
        return 0;
    return dir_remove_tree(path, e);
}

static int ns_destroy(struct ctr *c, struct err *e)
{
    struct ns_ctr *p = c->priv;
    struct err tmp;
    char cgrel[512], path[4096];
    int rc = 0;

    if (p == NULL)
        return 0;
    if (ns_stop(c, e) < 0)
        rc = -1;
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->out_fd = -1;
    if (p->cgfd >= 0)
        close(p->cgfd);
    p->cgfd = -1;
    ctr_give_back(p);
    line_release(p);
    /* The cgroup goes before the directory, so that a crash in between
       leaves a directory for cleanup to find the cgroup by. */
    if (p->cg_created) {
        err_clear(&tmp);
        ctr_cgrel(c, cgrel, sizeof(cgrel));
        if (cgroup_remove(p->nm->cg, cgrel, &tmp) < 0 && rc == 0) {
            *e = tmp;
            rc = err_wrap(e, "ns");
        }
    }
    /* The overlay lives in the container's mount namespace; a host mount here
       would only come from an outside hand, but is not left behind either. */
    ctr_path(c, c->name, "merged", path, sizeof(path));
    if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && rc == 0)
        rc = err_sys(e, errno, "ns: umount %s", path);
    err_clear(&tmp);
    if (remove_scratch(c, &tmp) < 0 && rc == 0) {
        *e = tmp;
        rc = err_wrap(e, "ns");
    }
    free(p);
    c->priv = NULL;
    return rc;
}

/* ---- cleanup ---- */

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_mountinfo(char *s)
{
    char *w = s;
    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
            s[3] <= '7') {
            *w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 4;
        } else {
            *w++ = *s++;
        }
    }
    *w = '\0';
}

/* Unmount every mount point under prefix (deepest first). */
static int cleanup_mounts(const char *prefix, int *removed, struct err *e)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[8192];
    char (*points)[1024] = NULL;
    int n = 0, cap = 0, i, rc = 0;
    size_t plen = strlen(prefix);

    if (f == NULL)
        return err_sys(e, errno, "open /proc/self/mountinfo");
    while (fgets(line, sizeof(line), f) != NULL) {
        char mp[4096];
        /* id parent major:minor root mount-point ... */
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
            continue;
        unescape_mountinfo(mp);
        if (strncmp(mp, prefix, plen) != 0 || (mp[plen] != '/' && mp[plen] != '\0'))
            continue;
        if (n == cap) {
            void *np = realloc(points, (size_t)(cap ? cap * 2 : 16) * sizeof(*points));
            if (np == NULL) {
                rc = err_set(e, ENOMEM, "out of memory");
                goto out;
            }
            points = np;
            cap = cap ? cap * 2 : 16;
        }
        snprintf(points[n++], sizeof(points[0]), "%s", mp);
    }
    /* mountinfo lists parents before children: unmount in reverse. */
    for (i = n - 1; i >= 0; i--) {
        if (umount2(points[i], MNT_DETACH) == 0)
            (*removed)++;
        else if (errno != EINVAL && errno != ENOENT && rc == 0)
            rc = err_sys(e, errno, "umount %s", points[i]);
    }
out:
    fclose(f);
    free(points);
    return rc;
}

/*
 * One run's leftovers. What belongs to this driver is named by its scratch
 * directories (create makes the directory before the cgroup, destroy removes
 * the cgroup before the directory), so the cgroups of other drivers' modes
 * in the same run are left to their own cleanup.
 */
static int cleanup_run(enum cgroup_mode cg, const char *runs, const char *run, int *removed, struct err *e)
{
    char rundir[4096], path[4096], rel[1024], runcg[512];
    DIR *d;
    struct dirent *de;
    int rc = 0;

    snprintf(rundir, sizeof(rundir), "%s/%s", runs, run);
    snprintf(runcg, sizeof(runcg), NS_CGROUP_TOP "/%s", run);

    /* 1. Processes and cgroups: kill first, so nothing holds the mounts. */
    d = opendir(rundir);
    if (d == NULL)
        return errno == ENOENT ? 0 : err_sys(e, errno, "opendir %s", rundir);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(rel, sizeof(rel), "%s/%s", runcg, de->d_name);
        if (!cgroup_exists(cg, rel))
            continue;
        if (cgroup_kill_all(cg, rel, NS_KILL_TIMEOUT_MS, e) < 0 || cgroup_remove(cg, rel, e) < 0) {
            rc = -1;
            break;
        }
        (*removed)++;
    }
    closedir(d);
    if (rc < 0)
        return rc;

    /* 2. Mounts left in the host's namespace under the run's directory. */
    if (cleanup_mounts(rundir, removed, e) < 0)
        return -1;

    /* 3. Container directories, then the run's directory and cgroup (the
       cgroup stays while another driver's containers of the run remain). */
    d = opendir(rundir);
    if (d == NULL)
        return err_sys(e, errno, "opendir %s", rundir);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", rundir, de->d_name);
        if (dir_remove_tree(path, e) < 0) {
            rc = -1;
            break;
        }
        (*removed)++;
    }
    closedir(d);
    if (rc == 0 && rmdir(rundir) < 0 && errno != ENOENT)
        rc = err_sys(e, errno, "rmdir %s", rundir);
    cgroup_remove(cg, runcg, NULL);
    return rc;
}

/*
 * Leftovers of run_id (NULL: of every run under this cache's scratch root):
 * processes in the containers' cgroups are killed and the cgroups removed,
 * overlay mounts under the scratch directories unmounted, the directories
 * removed. *removed counts cgroups, mounts and container directories.
 */
static int ns_cleanup(const char *run_id, int *removed, struct err *e)
{
    enum cgroup_mode cg = cgroup_detect();
    char root[4096], runs[4096];
    DIR *d;
    struct dirent *de;
    int rc = 0;

    *removed = 0;
    scratch_root(root, sizeof(root));
    snprintf(runs, sizeof(runs), "%s/runs", root);
    if (run_id != NULL) {
        if (check_name("run id", run_id, e) < 0)
            return -1;
        return cleanup_run(cg, runs, run_id, removed, e) < 0 ? err_wrap(e, "ns: cleanup %s", run_id) : 0;
    }
    d = opendir(runs);
    if (d == NULL)
        return errno == ENOENT ? 0 : err_sys(e, errno, "ns: cleanup: opendir %s", runs);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (cleanup_run(cg, runs, de->d_name, removed, e) < 0) {
            rc = err_wrap(e, "ns: cleanup %s", de->d_name);
            break;
        }
    }
    closedir(d);
    return rc;
}

const struct driver driver_ns = {
    .name = "ns",
    .unavailable_reason = NULL,
    .isolations = ISO_PROCESS,
    .probe = ns_probe,
    .mode_init = ns_mode_init,
    .mode_fini = ns_mode_fini,
    .version = ns_version,
    .facts = ns_facts,
    .isolation_of = ns_isolation_of,
    .create = ns_create,
    .start = ns_start,
    .wait_output = ns_wait_output,
    .sample = ns_sample,
    .stop = ns_stop,
    .destroy = ns_destroy,
    .cleanup = ns_cleanup,
};

#else /* !__linux__ */

const struct driver driver_ns = {
    .name = "ns",
    .unavailable_reason = "Linux namespaces, cgroups and overlayfs do not exist on this platform",
    .isolations = ISO_PROCESS,
};

#endif
