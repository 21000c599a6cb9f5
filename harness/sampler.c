/*
 * sampler.c - counter-set cadences and batched sample rows (see sampler.h).
 */
#include "sampler.h"
#include "driver.h"

#include <stdlib.h>
#include <string.h>

void sample_sched_start(struct sample_sched *s, int cheap_ms, int pss_ms, int64_t now)
{
    s->cheap_ns = (int64_t)(cheap_ms > 0 ? cheap_ms : 1) * 1000000LL;
    s->pss_ns = (int64_t)(pss_ms > 0 ? pss_ms : 0) * 1000000LL;
    s->next_cheap = now + s->cheap_ns;
    s->next_pss = s->pss_ns > 0 ? now + s->pss_ns : INT64_MAX;
    s->missed = 0;
}

static int advance(int64_t *next, int64_t period, int64_t now, int64_t *missed)
{
    if (period <= 0 || *next > now)
        return 0;
    *next += period;
    if (*next <= now) {
        int64_t skip = (now - *next) / period + 1;
        *missed += skip;
        *next += skip * period;
    }
    return 1;
}

unsigned sample_sched_due(struct sample_sched *s, int64_t now)
{
    unsigned sets = 0;
    if (advance(&s->next_cheap, s->cheap_ns, now, &s->missed))
        sets |= CSET_CHEAP;
    if (advance(&s->next_pss, s->pss_ns, now, &s->missed))
        sets |= CSET_PSS | CSET_STORAGE;
    return sets;
}

int64_t sample_sched_next(const struct sample_sched *s)
{
    return s->next_cheap < s->next_pss ? s->next_cheap : s->next_pss;
}

size_t sample_fmt_i64(char *out, int64_t v)
{
    char tmp[24];
    size_t n = 0, i;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    i = 0;
    if (v < 0)
        out[i++] = '-';
    while (n > 0)
        out[i++] = tmp[--n];
    return i;
}

size_t sample_fmt_ms1(char *out, int64_t ns)
{
    int64_t tenths = ns >= 0 ? (ns + 50000) / 100000 : -((-ns + 50000) / 100000);
    int64_t mag = tenths < 0 ? -tenths : tenths;
    size_t n = 0;
    if (tenths < 0)
        out[n++] = '-';
    n += sample_fmt_i64(out + n, mag / 10);
    out[n++] = '.';
    out[n++] = (char)('0' + mag % 10);
    return n;
}

void sample_batch_time(struct sample_batch *b, int64_t t_rel_ns)
{
    b->tlen = sample_fmt_ms1(b->t, t_rel_ns);
}

static int reserve(struct sample_batch *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    {
        size_t cap = b->cap ? b->cap : 16384;
        char *n2;
        while (cap < b->len + more)
            cap *= 2;
        n2 = realloc(b->buf, cap);
        if (n2 == NULL)
            return -1;
        b->buf = n2;
        b->cap = cap;
    }
    return 0;
}

/* A CSV field: as is, or quoted with inner quotes doubled. At most 2n+3 bytes. */
static size_t put_field(char *out, const char *s)
{
    size_t n = 0;
    out[n++] = ',';
    if (s == NULL)
        return n;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        size_t l = strlen(s);
        memcpy(out + n, s, l);
        return n + l;
    }
    out[n++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            out[n++] = '"';
        out[n++] = *s;
    }
    out[n++] = '"';
    return n;
}

void sample_batch_add(struct sample_batch *b, const char *scope, const char *mode, const char *container,
                      const char *counter, int64_t value)
{
    size_t need = b->tlen + 2 * (strlen(scope) + strlen(mode) + strlen(container) + strlen(counter)) + 12 + 24 + 2;
    char *p;
    if (reserve(b, need) < 0) {
        b->oom = 1;
        return;
    }
    p = b->buf + b->len;
    memcpy(p, b->t, b->tlen);
    p += b->tlen;
    p += put_field(p, scope);
    p += put_field(p, mode);
    p += put_field(p, container);
    p += put_field(p, counter);
    *p++ = ',';
    p += sample_fmt_i64(p, value);
    *p++ = '\n';
    b->len = (size_t)(p - b->buf);
    b->rows++;
}

void sample_batch_free(struct sample_batch *b)
{
    free(b->buf);
    memset(b, 0, sizeof(*b));
}
