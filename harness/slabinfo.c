/*
 * slabinfo.c - /proc/slabinfo: parse, read, and the free / active / reused
 * sums (see slabinfo.h for what they mean and why they are recorded).
 * Plain C I/O: on a platform without /proc the read fails and the caller
 * records unknown figures.
 */
#include "slabinfo.h"
#include "input.h"
#include "plat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void slab_set_free(struct slab_set *s)
{
    free(s->c);
    s->c = NULL;
    s->n = 0;
}

void slab_totals_unknown(struct slab_totals *t)
{
    t->free_bytes = t->active_bytes = t->reused_bytes = -1;
}

/* One cache line: "name active num objsize objperslab pagesperslab ..."
   (the rest is ignored). */
static int parse_line(const char *line, size_t len, long no, struct slab_cache *c, struct err *e)
{
    char buf[512];
    long long a, n, sz, per, pages;
    int used = 0;
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, line, len);
    buf[len] = '\0';
    if (sscanf(buf, "%63s %lld %lld %lld %lld %lld%n", c->name, &a, &n, &sz, &per, &pages, &used) != 6 ||
        used == 0 || a < 0 || n < a || sz <= 0 || per <= 0 || pages <= 0)
        return err_set(e, EINVAL, "slabinfo line %ld: expected 'name active_objs num_objs objsize objperslab "
                       "pagesperslab ...': '%.80s'", no, buf);
    c->active_objs = a;
    c->num_objs = n;
    c->objsize = sz;
    c->objperslab = per;
    c->pagesperslab = pages;
    return 0;
}

/* Bytes of slab pages that objs objects of cache c take. */
static int64_t footprint(const struct slab_cache *c, int64_t objs, int64_t page_bytes)
{
    return objs * c->pagesperslab * page_bytes / c->objperslab;
}

int slabinfo_parse(const char *text, int64_t page_bytes, struct slab_set *s, struct err *e)
{
    const char *p = text, *nl;
    size_t cap = 0;
    long no = 0;
    struct slab_set out = { NULL, 0, page_bytes };

    for (; *p != '\0'; p = nl + (*nl != '\0')) {
        size_t len;
        nl = strchr(p, '\n');
        if (nl == NULL)
            nl = p + strlen(p);
        len = (size_t)(nl - p);
        no++;
        if (no == 1) {
            if (strncmp(p, "slabinfo - version: 2.", 22) != 0) {
                err_set(e, EINVAL, "slabinfo line 1: not version 2.x: '%.*s'", (int)(len < 60 ? len : 60), p);
                goto fail;
            }
            continue;
        }
        if (len == 0 || p[0] == '#')
            continue;
        if (out.n == cap) {
            size_t c2 = cap ? cap * 2 : 256;
            struct slab_cache *n2 = realloc(out.c, c2 * sizeof(*n2));
            if (n2 == NULL) {
                err_set(e, ENOMEM, "slabinfo: out of memory");
                goto fail;
            }
            out.c = n2;
            cap = c2;
        }
        if (parse_line(p, len, no, &out.c[out.n], e) < 0)
            goto fail;
        out.n++;
    }
    if (no == 0) {
        err_set(e, EINVAL, "slabinfo: empty");
        goto fail;
    }
    slab_set_free(s);
    *s = out;
    return 0;
fail:
    free(out.c);
    return -1;
}

int slabinfo_read(const char *proc_root, struct slab_set *s, struct err *e)
{
    char path[1024], *buf = NULL;
    int rc;

    snprintf(path, sizeof(path), "%s/slabinfo", proc_root ? proc_root : "/proc");
    if (input_read_file(path, &buf, NULL, e) < 0)
        return -1;
    rc = slabinfo_parse(buf, plat_page_bytes(), s, e);
    free(buf);
    if (rc < 0)
        return err_wrap(e, "%s", path);
    return 0;
}

/* The base's cache of the same name: at the same index when the kernel's
   list did not change, else searched. */
static const struct slab_cache *base_of(const struct slab_set *base, size_t i, const char *name)
{
    size_t k;
    if (i < base->n && strcmp(base->c[i].name, name) == 0)
        return &base->c[i];
    for (k = 0; k < base->n; k++)
        if (strcmp(base->c[k].name, name) == 0)
            return &base->c[k];
    return NULL;
}

void slab_totals_of(const struct slab_set *now, const struct slab_set *base, struct slab_totals *t)
{
    size_t i;
    slab_totals_unknown(t);
    if (now == NULL || now->n == 0)
        return;
    t->free_bytes = t->active_bytes = 0;
    if (base != NULL && base->n > 0)
        t->reused_bytes = 0;
    for (i = 0; i < now->n; i++) {
        const struct slab_cache *c = &now->c[i], *b;
        int64_t free_now = c->num_objs - c->active_objs;
        t->free_bytes += footprint(c, free_now, now->page_bytes);
        t->active_bytes += footprint(c, c->active_objs, now->page_bytes);
        if (t->reused_bytes < 0 || (b = base_of(base, i, c->name)) == NULL)
            continue;
        if (b->num_objs - b->active_objs > free_now)
            t->reused_bytes += footprint(b, b->num_objs - b->active_objs - free_now, base->page_bytes);
    }
}
