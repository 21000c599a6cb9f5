/*
 * pdh_win.c - the PDH sampler of pdh_sampler.h (Windows only).
 *
 * One PDH query holds every counter; PdhAddEnglishCounterW keeps the paths
 * language-independent. A counter that cannot be added (object absent, e.g.
 * no Hyper-V) becomes a note and is skipped. Wildcard instances are read with
 * PdhGetFormattedCounterArrayW and summed; per-process arrays are paired by
 * instance occurrence (pdh_pair_instances in pdh_paths.c).
 */
#include "pdh_sampler.h"
#include "../plat_win.h"

#include <errno.h>
#include <math.h>
#include <pdh.h>
#include <pdhmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pdh_sampler {
    PDH_HQUERY query;
    PDH_HCOUNTER counters[PDH_MAX_COUNTERS];
    char paths[PDH_MAX_COUNTERS][PDH_PATH_MAX];
    int wildcard[PDH_MAX_COUNTERS];
    int n;
};

static const char *pdh_status_name(PDH_STATUS st)
{
    switch ((DWORD)st) {
    case PDH_CSTATUS_NO_OBJECT: return "PDH_CSTATUS_NO_OBJECT: the counter object is not on this host";
    case PDH_CSTATUS_NO_COUNTER: return "PDH_CSTATUS_NO_COUNTER: no such counter";
    case PDH_CSTATUS_NO_INSTANCE: return "PDH_CSTATUS_NO_INSTANCE: no such instance (yet)";
    case PDH_CSTATUS_BAD_COUNTERNAME: return "PDH_CSTATUS_BAD_COUNTERNAME: malformed counter path";
    case PDH_INVALID_DATA: return "PDH_INVALID_DATA: no valid data";
    case PDH_NO_DATA: return "PDH_NO_DATA: no data";
    case PDH_CALC_NEGATIVE_DENOMINATOR: return "PDH_CALC_NEGATIVE_DENOMINATOR";
    default: return NULL;
    }
}

static void status_text(PDH_STATUS st, char *buf, size_t n)
{
    const char *name = pdh_status_name(st);
    if (name != NULL)
        snprintf(buf, n, "%s (0x%08lx)", name, (unsigned long)st);
    else
        snprintf(buf, n, "PDH status 0x%08lx", (unsigned long)st);
}

int pdh_open(struct pdh_sampler **out, const char *const *paths, int n, char *notes, size_t notes_n,
             struct err *e)
{
    struct pdh_sampler *s;
    PDH_STATUS st;
    int i;

    *out = NULL;
    if (notes_n > 0)
        notes[0] = '\0';
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return err_set(e, ENOMEM, "pdh: out of memory");
    st = PdhOpenQueryW(NULL, 0, &s->query);
    if (st != ERROR_SUCCESS) {
        char t[128];
        free(s);
        status_text(st, t, sizeof(t));
        return err_set(e, (int)st, "PdhOpenQuery: %s", t);
    }
    for (i = 0; i < n && s->n < PDH_MAX_COUNTERS; i++) {
        wchar_t *w = win_wide(paths[i]);
        PDH_HCOUNTER h;
        if (w == NULL)
            continue;
        st = PdhAddEnglishCounterW(s->query, w, 0, &h);
        free(w);
        if (st != ERROR_SUCCESS) {
            char t[128];
            size_t len = strlen(notes);
            status_text(st, t, sizeof(t));
            if (len < notes_n)
                snprintf(notes + len, notes_n - len, "%s%s: skipped, %s", len ? "; " : "", paths[i], t);
            continue;
        }
        s->counters[s->n] = h;
        snprintf(s->paths[s->n], PDH_PATH_MAX, "%s", paths[i]);
        s->wildcard[s->n] = strchr(paths[i], '*') != NULL;
        s->n++;
    }
    /* first collection: rate counters need a previous raw value */
    PdhCollectQueryData(s->query);
    *out = s;
    return 0;
}

int pdh_count(const struct pdh_sampler *s)
{
    return s ? s->n : 0;
}

const char *pdh_path(const struct pdh_sampler *s, int i)
{
    return (s != NULL && i >= 0 && i < s->n) ? s->paths[i] : NULL;
}

static double wildcard_sum(PDH_HCOUNTER h)
{
    DWORD size = 0, count = 0, i;
    PDH_FMT_COUNTERVALUE_ITEM_W *items;
    double sum = 0;
    int any = 0;
    PDH_STATUS st = PdhGetFormattedCounterArrayW(h, PDH_FMT_DOUBLE | PDH_FMT_NOCAP100, &size, &count, NULL);
    if (st != (PDH_STATUS)PDH_MORE_DATA || size == 0)
        return NAN;
    items = malloc(size);
    if (items == NULL)
        return NAN;
    st = PdhGetFormattedCounterArrayW(h, PDH_FMT_DOUBLE | PDH_FMT_NOCAP100, &size, &count, items);
    if (st == ERROR_SUCCESS)
        for (i = 0; i < count; i++)
            if (items[i].FmtValue.CStatus == PDH_CSTATUS_VALID_DATA || items[i].FmtValue.CStatus == PDH_CSTATUS_NEW_DATA) {
                sum += items[i].FmtValue.doubleValue;
                any = 1;
            }
    free(items);
    return any ? sum : NAN;
}

int pdh_sample(struct pdh_sampler *s, double *values, struct err *e)
{
    PDH_STATUS st;
    int i;
    st = PdhCollectQueryData(s->query);
    if (st != ERROR_SUCCESS) {
        char t[128];
        status_text(st, t, sizeof(t));
        return err_set(e, (int)st, "PdhCollectQueryData: %s", t);
    }
    for (i = 0; i < s->n; i++) {
        PDH_FMT_COUNTERVALUE v;
        if (s->wildcard[i]) {
            values[i] = wildcard_sum(s->counters[i]);
            continue;
        }
        st = PdhGetFormattedCounterValue(s->counters[i], PDH_FMT_DOUBLE | PDH_FMT_NOCAP100, NULL, &v);
        values[i] = (st == ERROR_SUCCESS && (v.CStatus == PDH_CSTATUS_VALID_DATA || v.CStatus == PDH_CSTATUS_NEW_DATA))
                        ? v.doubleValue
                        : NAN;
    }
    return 0;
}

void pdh_close(struct pdh_sampler *s)
{
    if (s == NULL)
        return;
    PdhCloseQuery(s->query);
    free(s);
}

int pdh_process_counter(const char *prefix, const char *counter, uint32_t *pids, double *values, int max,
                        int *n, struct err *e)
{
    char p1[PDH_PATH_MAX], p2[PDH_PATH_MAX];
    wchar_t *w1 = NULL, *w2 = NULL;
    PDH_HQUERY q = NULL;
    PDH_HCOUNTER hid, hval;
    PDH_FMT_COUNTERVALUE_ITEM_W *ids = NULL, *vals = NULL;
    DWORD s1 = 0, c1 = 0, s2 = 0, c2 = 0, i, j;
    PDH_STATUS st;
    struct pdh_item *pi = NULL, *pv = NULL;
    char **n1 = NULL, **n2 = NULL;
    int rc = -1, count = 0;

    *n = 0;
    snprintf(p1, sizeof(p1), "\\Process(%s*)\\ID Process", prefix);
    snprintf(p2, sizeof(p2), "\\Process(%s*)\\%s", prefix, counter);
    w1 = win_wide(p1);
    w2 = win_wide(p2);
    if (w1 == NULL || w2 == NULL) {
        err_set(e, EINVAL, "pdh: bad counter name");
        goto out;
    }
    if ((st = PdhOpenQueryW(NULL, 0, &q)) != ERROR_SUCCESS || (st = PdhAddEnglishCounterW(q, w1, 0, &hid)) != ERROR_SUCCESS ||
        (st = PdhAddEnglishCounterW(q, w2, 0, &hval)) != ERROR_SUCCESS || (st = PdhCollectQueryData(q)) != ERROR_SUCCESS) {
        char t[128];
        status_text(st, t, sizeof(t));
        err_set(e, (int)st, "pdh %s: %s", p2, t);
        goto out;
    }
    st = PdhGetFormattedCounterArrayW(hid, PDH_FMT_LARGE, &s1, &c1, NULL);
    if (st != (PDH_STATUS)PDH_MORE_DATA) { /* no such process: zero instances */
        rc = 0;
        goto out;
    }
    st = PdhGetFormattedCounterArrayW(hval, PDH_FMT_DOUBLE | PDH_FMT_NOCAP100, &s2, &c2, NULL);
    if (st != (PDH_STATUS)PDH_MORE_DATA) {
        rc = 0;
        goto out;
    }
    ids = malloc(s1);
    vals = malloc(s2);
    if (ids == NULL || vals == NULL) {
        err_set(e, ENOMEM, "pdh: out of memory");
        goto out;
    }
    if (PdhGetFormattedCounterArrayW(hid, PDH_FMT_LARGE, &s1, &c1, ids) != ERROR_SUCCESS ||
        PdhGetFormattedCounterArrayW(hval, PDH_FMT_DOUBLE | PDH_FMT_NOCAP100, &s2, &c2, vals) != ERROR_SUCCESS) {
        rc = 0;
        goto out;
    }
    /* one collection, two arrays: pair by occurrence, not by name
       (duplicate processes share a name) */
    pi = calloc(c1 + 1, sizeof(*pi));
    pv = calloc(c2 + 1, sizeof(*pv));
    n1 = calloc(c1 + 1, sizeof(*n1));
    n2 = calloc(c2 + 1, sizeof(*n2));
    if (pi == NULL || pv == NULL || n1 == NULL || n2 == NULL) {
        err_set(e, ENOMEM, "pdh: out of memory");
        goto out;
    }
    for (i = 0; i < c1; i++) {
        n1[i] = win_utf8_dup(ids[i].szName);
        pi[i].name = n1[i];
        pi[i].valid = ids[i].FmtValue.CStatus == PDH_CSTATUS_VALID_DATA || ids[i].FmtValue.CStatus == PDH_CSTATUS_NEW_DATA;
        pi[i].value = (double)ids[i].FmtValue.largeValue;
    }
    for (j = 0; j < c2; j++) {
        n2[j] = win_utf8_dup(vals[j].szName);
        pv[j].name = n2[j];
        pv[j].valid = vals[j].FmtValue.CStatus == PDH_CSTATUS_VALID_DATA || vals[j].FmtValue.CStatus == PDH_CSTATUS_NEW_DATA;
        pv[j].value = vals[j].FmtValue.doubleValue;
    }
    count = pdh_pair_instances(pi, (int)c1, pv, (int)c2, pids, values, max);
    *n = count;
    rc = 0;
out:
    if (q != NULL)
        PdhCloseQuery(q);
    for (i = 0; n1 != NULL && i < c1; i++)
        free(n1[i]);
    for (j = 0; n2 != NULL && j < c2; j++)
        free(n2[j]);
    free(n1);
    free(n2);
    free(pi);
    free(pv);
    free(ids);
    free(vals);
    free(w1);
    free(w2);
    return rc;
}
