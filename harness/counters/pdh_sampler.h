/*
 * pdh_sampler.h - Windows performance counters (PDH) for isobench.
 *
 * A sampler over a list of counter paths (the defaults below, or a scenario's
 * own list): pdh_open() adds each path with PdhAddEnglishCounterW, so paths
 * are the English names whatever the display language; a counter the host
 * does not have (no Hyper-V, no vmmem process yet) is reported once in the
 * notes and skipped, never an error. pdh_sample() collects one value per
 * opened counter; wildcard paths ("\Process(vmmem*)\...") are summed over
 * their instances. Rate counters ("% Processor Time") need two collections:
 * the first sample after pdh_open reports them as NAN.
 *
 * The path helpers are platform-neutral (typeperf import uses them); the
 * sampler itself is in pdh_win.c and exists only in the Windows build.
 */
#ifndef ISOBENCH_PDH_SAMPLER_H
#define ISOBENCH_PDH_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "../err.h"

#define PDH_MAX_COUNTERS 32
#define PDH_PATH_MAX 256

/* The default host counters, NULL-terminated. */
extern const char *const pdh_default_paths[];

/* Split "\\HOST\Object(inst)\Counter" into host and "\Object(inst)\Counter".
   A path without a host prefix gives host "". Returns 0, or -1 when the text
   is not a counter path. */
int pdh_split_path(const char *full, char *host, size_t hn, char *counter, size_t cn);
/* Does the path look like "\Object[(instance)]\Counter"? */
int pdh_path_valid(const char *path);

struct cJSON;
/* A scenario's counter list ("pdh_counters": ["\\Memory\\Available MBytes", ...]):
   validated into paths[] (at most PDH_MAX_COUNTERS); `field` names the key in
   messages. A NULL item gives the defaults. */
int pdh_paths_from_json(const struct cJSON *item, const char *field, char paths[][PDH_PATH_MAX], int *n,
                        struct err *e);

/* One instance of a wildcard counter array from one collection
   (PdhGetFormattedCounterArray): its instance name, whether its value is
   valid, the value. */
struct pdh_item {
    const char *name;
    int valid;
    double value;
};
/* Pair the "ID Process" array of \Process(prefix*) with another counter's
   array of the same collection. PDH names duplicate processes either as the
   same bare name repeated ("vmmem", "vmmem") or with "#n" suffixes
   ("vmmem", "vmmem#1"), so instances pair by base name and occurrence
   (the n-th "vmmem" of one array with the n-th of the other), never by name
   alone. An instance whose PID or value is invalid, or has no partner, is
   left out. Returns the number of pairs written (at most max). */
int pdh_pair_instances(const struct pdh_item *ids, int nids, const struct pdh_item *vals, int nvals, uint32_t *pids,
                       double *values, int max);

#ifdef _WIN32
struct pdh_sampler;
/* Open a query over paths[0..n-1]. Missing counters are appended to notes
   ("\Hyper-V ...: not on this host (PDH_CSTATUS_NO_OBJECT); "). Fails only
   when PDH itself cannot be used. */
int pdh_open(struct pdh_sampler **out, const char *const *paths, int n, char *notes, size_t notes_n,
             struct err *e);
/* Number of counters actually opened and the path of the i-th. */
int pdh_count(const struct pdh_sampler *s);
const char *pdh_path(const struct pdh_sampler *s, int i);
/* Collect once; values[i] for the i-th opened counter (NAN when no value yet). */
int pdh_sample(struct pdh_sampler *s, double *values, struct err *e);
void pdh_close(struct pdh_sampler *s);

/* One counter of every process whose PDH instance name starts with `prefix`
   (e.g. "vmmem"): their process ids and values. */
int pdh_process_counter(const char *prefix, const char *counter, uint32_t *pids, double *values, int max,
                        int *n, struct err *e);
#endif

#endif
