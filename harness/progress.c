/*
 * progress.c - the progress lines (see progress.h).
 */
#include "progress.h"
#include "plat.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_PERIOD_MS 200
#define RATE_WINDOW_NS 2000000000LL  /* the rate covers the last 2 to 4 s */
#define RATE_MIN_NS 300000000LL
#define ETA_MIN_NS 1000000000LL      /* no ETA from less than a second of work */

struct mode_line {
    char name[64];
    struct progress_state st;
    int seen, changed, finished;
    int64_t active_ns;          /* time this mode was the one being updated */
    int64_t rate_ta, rate_tb;   /* launch-rate anchors: older, newer */
    long rate_na, rate_nb;      /* launched at those times */
    double rate;                /* containers/s since anchor a */
};

struct progress {
    FILE *f;
    int live, period_ms, nmodes, drawn;
    int current;                /* mode updated last, -1 none */
    int64_t since, last_print;
    pthread_mutex_t lock;
    struct mode_line *m;
};

struct progress *progress_open(FILE *f, int live, int nmodes, const char *const *names, int period_ms)
{
    struct progress *p;
    int i;

    if (f == NULL || nmodes <= 0)
        return NULL;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->m = calloc((size_t)nmodes, sizeof(*p->m));
    if (p->m == NULL) {
        free(p);
        return NULL;
    }
    p->f = f;
    p->live = live;
    p->period_ms = live ? LIVE_PERIOD_MS : period_ms;
    p->nmodes = nmodes;
    p->current = -1;
    for (i = 0; i < nmodes; i++) {
        snprintf(p->m[i].name, sizeof(p->m[i].name), "%s", names[i]);
        snprintf(p->m[i].st.step, sizeof(p->m[i].st.step), "waiting");
    }
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

static void fmt_dur(char *buf, size_t n, double s)
{
    if (s < 0)
        snprintf(buf, n, "-");
    else if (s < 60)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

void progress_format(char *buf, size_t n, const char *name, const struct progress_state *st, double rate,
                     double elapsed_s, double eta_s)
{
    char el[16], eta[16];
    fmt_dur(el, sizeof(el), elapsed_s);
    fmt_dur(eta, sizeof(eta), eta_s);
    snprintf(buf, n, "%-10s %-18s %5d/%-5d running  %6.1f/s  %6s elapsed  ETA %-6s  %ld failed", name, st->step,
             st->running, st->target, rate, el, eta, st->failures);
}

static void line_of(const struct progress *p, int i, int64_t now, char *buf, size_t n)
{
    const struct mode_line *l = &p->m[i];
    int64_t active_ns = l->active_ns + (i == p->current ? now - p->since : 0);
    double active = (double)active_ns / 1e9;
    double eta = -1;
    if (l->finished)
        eta = 0;
    else if (l->st.total > 0 && l->st.done > 0 && l->st.done <= l->st.total && active_ns >= ETA_MIN_NS)
        eta = active * (l->st.total - l->st.done) / l->st.done;
    progress_format(buf, n, l->name, &l->st, l->rate, l->seen ? active : -1, eta);
}

static void draw(struct progress *p, int64_t now, int all)
{
    char line[256];
    int i;
    if (p->live) {
        if (p->drawn)
            fprintf(p->f, "\033[%dA", p->nmodes);
        for (i = 0; i < p->nmodes; i++) {
            line_of(p, i, now, line, sizeof(line));
            fprintf(p->f, "\r\033[K%s\n", line);
        }
        p->drawn = 1;
    } else {
        for (i = 0; i < p->nmodes; i++)
            if (p->m[i].changed || (all && p->m[i].seen)) {
                line_of(p, i, now, line, sizeof(line));
                fprintf(p->f, "%s\n", line);
                p->m[i].changed = 0;
            }
    }
    fflush(p->f);
    p->last_print = now;
}

void progress_set(struct progress *p, int mode, const struct progress_state *st)
{
    struct mode_line *l;
    int64_t now;
    int finished_now;

    if (p == NULL || mode < 0 || mode >= p->nmodes)
        return;
    now = plat_now_ns();
    pthread_mutex_lock(&p->lock);
    l = &p->m[mode];
    if (p->current != mode) {
        if (p->current >= 0)
            p->m[p->current].active_ns += now - p->since;
        p->current = mode;
        p->since = now;
    }
    if (!l->seen) {
        l->seen = 1;
        l->rate_ta = l->rate_tb = now;
        l->rate_na = l->rate_nb = st->launched;
    }
    if (now - l->rate_tb >= RATE_WINDOW_NS) {
        l->rate_ta = l->rate_tb;
        l->rate_na = l->rate_nb;
        l->rate_tb = now;
        l->rate_nb = st->launched;
    }
    if (now - l->rate_ta >= RATE_MIN_NS)
        l->rate = (double)(st->launched - l->rate_na) / ((double)(now - l->rate_ta) / 1e9);
    finished_now = strcmp(st->step, "done") == 0 && !l->finished;
    l->finished = strcmp(st->step, "done") == 0;
    l->st = *st;
    l->changed = 1;
    if (finished_now || now - p->last_print >= (int64_t)p->period_ms * 1000000LL)
        draw(p, now, 0);
    pthread_mutex_unlock(&p->lock);
}

void progress_close(struct progress *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    if (p->current >= 0)
        p->m[p->current].active_ns += plat_now_ns() - p->since;
    p->current = -1;
    draw(p, plat_now_ns(), 0);
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_destroy(&p->lock);
    free(p->m);
    free(p);
}
