/*
 * progress.h - where a long run is, for the person waiting on it.
 *
 * One line per mode: the step, containers running / target, the launch rate
 * over the last seconds, the time spent in the mode, the ETA of the mode
 * (its own time per unit of work so far, extrapolated over what is left)
 * and the failures so far. On a terminal the lines are redrawn in place
 * (at most 5 times a second); otherwise (CI logs) a plain line is printed
 * for each mode that changed, at most every `period_ms`, and once when a
 * mode is done. The runner and the density fill both report through it;
 * updates are thread-safe and cheap when nothing is due.
 */
#ifndef ISOBENCH_PROGRESS_H
#define ISOBENCH_PROGRESS_H

#include <stdio.h>

struct progress;

struct progress_state {
    char step[64];      /* "rep 1/2 ramp 4", "starts 12/40", "teardown", "done" */
    int running;        /* containers of the mode up now */
    int target;         /* containers the step aims at */
    long launched;      /* containers launched by the mode so far */
    long failures;      /* failed containers of the mode so far */
    double done, total; /* units of work done and planned (ETA); total 0 = unknown */
};

/* f NULL = silent (every call is a no-op). live: redraw in place (a
   terminal). names: the modes, in the order of their lines. */
struct progress *progress_open(FILE *f, int live, int nmodes, const char *const *names, int period_ms);
void progress_set(struct progress *p, int mode, const struct progress_state *st);
/* Print the last state of every mode and free p. */
void progress_close(struct progress *p);
/* The line of one mode, as printed (for tests). elapsed_s and eta_s < 0 = unknown. */
void progress_format(char *buf, size_t n, const char *name, const struct progress_state *st, double rate,
                     double elapsed_s, double eta_s);

#endif
