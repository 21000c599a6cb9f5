/*
 * results_out.h - writing a run directory while the run happens.
 *
 * containers.csv, samples.csv and ramp.csv are appended and flushed row by
 * row (libcsv quotes the text fields), and run.json is rewritten atomically
 * (temporary file + rename) at the start and the end of the run, so an
 * interrupted run always leaves valid, parseable files.
 */
#ifndef ISOBENCH_RESULTS_OUT_H
#define ISOBENCH_RESULTS_OUT_H

#include <pthread.h>
#include <stdio.h>

#include "runner.h"

struct results_out {
    FILE *containers, *samples, *ramp;
    pthread_mutex_t lock;
    int locked_init;
};

int results_open(struct results_out *o, const char *dir, struct err *e);
void results_close(struct results_out *o);
int results_container_row(struct results_out *o, const struct run_result *r, const struct ctr_result *c);
int results_sample(struct results_out *o, double t_ms, const char *scope, const char *mode,
                   const char *container, const char *counter, double value);
/* Append preformatted samples.csv rows (harness/sampler.h) in one write. */
int results_samples_write(struct results_out *o, const char *text, size_t len);
int results_ramp_row(struct results_out *o, const struct run_result *r, const struct ramp_point *p);
/* Write (or rewrite) run.json. */
int results_write_run_json(const struct run_result *r, struct err *e);
/* Write summary.json (harness/summary.c builds it). */
int results_write_json_file(const char *dir, const char *name, struct cJSON *doc, struct err *e);

/* The containers.csv header, in order. */
extern const char *const containers_csv_columns[];

#endif
