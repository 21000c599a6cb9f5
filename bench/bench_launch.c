/*
 * bench_launch.c - how fast isobench launches and tears down ns containers.
 *
 * Through the runner's own pieces (run_begin, run_launch_to,
 * run_teardown_all: the same create -> start -> READY path, rows and
 * samples written to a scratch run directory), N idle ns containers are
 * launched at concurrency 1, 2, 4 and 8 (or the list given), then torn
 * down. For each it prints containers/s for launch and for teardown, the
 * CPU isobench itself used per launch, and where the rate saturates (the
 * first concurrency that adds less than 10 % over the previous one).
 *
 * usage: bench_launch [N] [BUDGET] [C1,C2,...]
 *   N       containers per step (default 250); above ~300 give a budget,
 *           e.g. "memory=4G,pids=2500", and hold /tmp/isobench-heavy.lock
 *   BUDGET  --budget syntax, or "-" for none
 * (root; the machine's other load shows in the figures: compare ratios)
 */
#define _GNU_SOURCE
#include "plat.h"
#include "runner.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "memory=2G,pids=1000,cpus=1" (the --budget syntax) as the scenario's
   budget object: {"memory":"2G","pids":1000,"cpus":1}. */
static void budget_json(const char *spec, char *out, size_t n)
{
    char buf[256], *tok, *save = NULL;
    size_t len = 0;
    snprintf(buf, sizeof(buf), "%s", spec);
    len += (size_t)snprintf(out + len, n - len, "{");
    for (tok = strtok_r(buf, ",", &save); tok != NULL && len < n; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        if (strcmp(tok, "memory") == 0)
            len += (size_t)snprintf(out + len, n - len, "%s\"memory\":\"%s\"", len > 1 ? "," : "", eq + 1);
        else
            len += (size_t)snprintf(out + len, n - len, "%s\"%s\":%s", len > 1 ? "," : "", tok, eq + 1);
    }
    if (len < n)
        snprintf(out + len, n - len, "}");
}

static int step(int n, int conc, const char *budget, double *launch_s, double *teardown_s, double *cpu_ms,
                int *failed)
{
    char bj[300];
    char text[1024], out[256];
    struct scenario s;
    struct run_result r;
    struct run_opts o;
    struct run_ctx *x;
    struct err e;
    int64_t t0, t1, t2, c0, c1, rss, anon;

    err_clear(&e);
    if (budget)
        budget_json(budget, bj, sizeof(bj));
    snprintf(text, sizeof(text),
             "{\"name\":\"bench-launch\",\"modes\":[{\"name\":\"ns\",\"driver\":\"ns\",\"baseline\":true}],"
             "\"fleet\":{\"size\":%d,\"concurrency\":%d},\"hold_ms\":0,\"settle_ms\":0%s%s}",
             n, conc, budget ? ",\"budget\":" : "", budget ? bj : "");
    if (scenario_parse(text, "bench_launch", &s, &e) < 0) {
        fprintf(stderr, "bench_launch: %s\n", e.msg);
        return -1;
    }
    snprintf(out, sizeof(out), "/tmp/isobench-bench-launch-%d", (int)getpid());
    memset(&o, 0, sizeof(o));
    o.out_dir = out;
    if (run_begin(&s, &o, &r, &x, &e) < 0 || run_mode_open(x, 0, n, &e) < 0 || !r.modes[0].available) {
        fprintf(stderr, "bench_launch: %s%s\n", e.msg, r.modes[0].reason);
        scenario_free(&s);
        return -1;
    }
    plat_self_usage(&rss, &anon, &c0);
    t0 = plat_now_ns();
    *failed = run_launch_to(x, n, n);
    t1 = plat_now_ns();
    plat_self_usage(&rss, &anon, &c1);
    run_teardown_all(x);
    t2 = plat_now_ns();
    run_mode_close(x);
    run_end(x, 0, &e);
    {
        size_t k;
        for (k = 0; k < r.modes[0].nrows; k++)
            if (strcmp(r.modes[0].rows[k].status, "failed") == 0) {
                fprintf(stderr, "bench_launch: first failure: %s\n", r.modes[0].rows[k].error);
                break;
            }
    }
    run_result_free(&r);
    scenario_free(&s);
    *launch_s = (double)(t1 - t0) / 1e9;
    *teardown_s = (double)(t2 - t1) / 1e9;
    *cpu_ms = (double)(c1 - c0) / 1e6 / n;
    {
        char cmd[400];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", out);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_launch: could not remove %s\n", out);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 250;
    const char *budget = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    char list[128];
    int conc[16], nc = 0, i, sat = -1;
    double prev = 0;
    char *tok, *save = NULL;

    snprintf(list, sizeof(list), "%s", argc > 3 ? argv[3] : "1,2,4,8");
    for (tok = strtok_r(list, ",", &save); tok != NULL && nc < 16; tok = strtok_r(NULL, ",", &save))
        conc[nc++] = atoi(tok);
    if (n < 1 || nc == 0) {
        fprintf(stderr, "usage: bench_launch [N] [BUDGET|-] [C1,C2,...]\n");
        return 2;
    }
    plat_catch_interrupts();
    printf("ns: %d idle containers per step, through the runner (create -> start -> READY, rows written)%s%s\n", n,
           budget ? ", budget " : "", budget ? budget : "");
    printf("  %11s %14s %16s %18s %8s\n", "concurrency", "launch ctr/s", "teardown ctr/s", "isobench CPU ms/ctr",
           "failed");
    for (i = 0; i < nc && !plat_interrupted(); i++) {
        double ls, ts, cpu, rate;
        int failed;
        if (step(n, conc[i], budget, &ls, &ts, &cpu, &failed) < 0)
            return 1;
        rate = n / ls;
        printf("  %11d %14.0f %16.0f %18.3f %8d\n", conc[i], rate, n / ts, cpu, failed);
        fflush(stdout);
        if (sat < 0 && i > 0 && rate < prev * 1.10)
            sat = conc[i - 1];
        if (rate > prev)
            prev = rate;
    }
    if (sat > 0)
        printf("saturates at concurrency %d (the next step adds less than 10 %%)\n", sat);
    else
        printf("no saturation within the concurrencies measured\n");
    return 0;
}
