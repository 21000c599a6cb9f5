/*
 * host_linux.c - host facts and host-wide counters on Linux: MemAvailable
 * from /proc/meminfo, CPU busy ticks from the "cpu" line of /proc/stat, the
 * kernel and OS from uname and /etc/os-release, the cgroup mode.
 */
#define _GNU_SOURCE
#include "../plat.h"
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void first_match(const char *path, const char *key, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t klen = strlen(key);
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0) {
            char *v = line + klen;
            char *end;
            while (*v == ' ' || *v == '\t' || *v == ':' || *v == '=' || *v == '"')
                v++;
            end = v + strlen(v);
            while (end > v && (end[-1] == '\n' || end[-1] == '"' || end[-1] == ' '))
                *--end = '\0';
            snprintf(out, n, "%s", v);
            break;
        }
    }
    fclose(f);
}

int host_facts_get(struct host_facts *h, struct err *e)
{
    struct utsname u;
    struct host_sample s;

    memset(h, 0, sizeof(*h));
    if (uname(&u) < 0)
        return err_sys(e, errno, "uname");
    snprintf(h->hostname, sizeof(h->hostname), "%s", u.nodename);
    snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
    snprintf(h->arch, sizeof(h->arch), "%s", u.machine);
    snprintf(h->os, sizeof(h->os), "Linux");
    first_match("/etc/os-release", "PRETTY_NAME", h->os, sizeof(h->os));
    snprintf(h->cpu_model, sizeof(h->cpu_model), "unknown");
    first_match("/proc/cpuinfo", "model name", h->cpu_model, sizeof(h->cpu_model));
    h->cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (host_sample_get(&s, e) < 0)
        return -1;
    h->mem_total_bytes = s.mem_total_bytes;
    snprintf(h->cgroup, sizeof(h->cgroup), "%s", cgroup_mode_name(cgroup_detect()));
    return 0;
}

int host_sample_get(struct host_sample *s, struct err *e)
{
    FILE *f;
    char line[512];
    unsigned long long v[10] = { 0 };

    memset(s, 0, sizeof(*s));
    s->t_ns = plat_now_ns();
    f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return err_sys(e, errno, "open /proc/meminfo");
    while (fgets(line, sizeof(line), f)) {
        long long kb;
        if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
            s->mem_total_bytes = kb * 1024;
        else if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            s->mem_available_bytes = kb * 1024;
    }
    fclose(f);
    f = fopen("/proc/stat", "r");
    if (f == NULL)
        return err_sys(e, errno, "open /proc/stat");
    if (fgets(line, sizeof(line), f) == NULL ||
        sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) < 4) {
        fclose(f);
        return err_set(e, EINVAL, "/proc/stat: no cpu line");
    }
    fclose(f);
    /* user nice system idle iowait irq softirq steal (guest is inside user) */
    s->cpu_total_ticks = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    s->cpu_busy_ticks = s->cpu_total_ticks - v[3] - v[4];
    return 0;
}

double host_cpu_busy_pct(const struct host_sample *a, const struct host_sample *b)
{
    uint64_t total = b->cpu_total_ticks - a->cpu_total_ticks;
    uint64_t busy = b->cpu_busy_ticks - a->cpu_busy_ticks;
    if (b->cpu_total_ticks <= a->cpu_total_ticks)
        return 0.0;
    return 100.0 * (double)busy / (double)total;
}
