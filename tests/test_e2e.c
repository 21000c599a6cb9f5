/*
 * test_e2e.c - one command from nothing to a decision, as a user runs it:
 * the built isobench runs the default scenario from a folder outside the
 * repository with a relative --out, and the run ends with the report
 * (report.html, report.md, metrics.txt, figures), the capacity table and
 * the path of report.html as the last line. Every CSV holds integers where
 * it holds bytes, nanoseconds or counts; percentiles are withheld below
 * their sample minimum (p95: 20, p99: 100) in summary.json and the table.
 * A relative scenario path, `--no-report` and `import typeperf FILE` with a
 * relative file work from that folder too.
 */
#include "support.h"
#include "proc.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run the isobench binary in `cwd` with argv (NULL-terminated, without the
   program), stdout and stderr into files in cwd; returns the exit status. */
static int run_in(const char *cwd, const char *const *args, const char *out_name, const char *err_name)
{
    char bin[1024];
    const char *argv[16];
    int n = 0, status;
    pid_t pid;

    bin_path(bin, sizeof(bin), "isobench");
    argv[n++] = "isobench";
    while (*args != NULL && n < 15)
        argv[n++] = *args++;
    argv[n] = NULL;
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int o, e;
        if (chdir(cwd) < 0)
            _exit(126);
        o = open(out_name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        e = open(err_name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0)
            _exit(126);
        dup2(o, 1);
        dup2(e, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *slurp(const char *dir, const char *name)
{
    char path[2048];
    char *t;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    t = read_text(path);
    cr_assert_not_null(t, "%s missing", path);
    return t;
}

/* The last non-empty line of text (modified in place). */
static const char *last_line(char *text)
{
    size_t n = strlen(text);
    char *p;
    while (n > 0 && text[n - 1] == '\n')
        text[--n] = '\0';
    p = strrchr(text, '\n');
    return p ? p + 1 : text;
}

static int file_exists(const char *dir, const char *name)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* ---- CSV columns that must hold integers ---- */

static int whole_by_name(const char *col)
{
    static const char *const counts[] = { "fleet_size", "index", "rep", "pids", "fds", "mounts", "running",
                                          "pids_in_use", "threads_in_use", NULL };
    size_t n = strlen(col);
    int i;
    if ((n > 6 && strcmp(col + n - 6, "_bytes") == 0) || (n > 3 && strcmp(col + n - 3, "_ns") == 0))
        return 1;
    for (i = 0; counts[i] != NULL; i++)
        if (strcmp(col, counts[i]) == 0)
            return 1;
    return 0;
}

static int is_integer(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

struct csv_check {
    const char *file;
    char head[40][48];
    int ncols, col, row;
    int value_col, counter_col;  /* samples.csv: the value is whole when the counter is */
    char counter[128];
    char cells[40][128];
    long checked_ints, checked_fracs;
};

static void check_cell(struct csv_check *c, int col, const char *v)
{
    const char *name = c->head[col];
    int whole;
    if (v[0] == '\0')
        return; /* unknown */
    if (col == c->value_col)
        whole = whole_by_name(c->counter);
    else
        whole = whole_by_name(name);
    if (whole) {
        cr_assert(is_integer(v), "%s row %d, %s%s%s: '%s' is not an integer", c->file, c->row, name,
                  col == c->value_col ? " of " : "", col == c->value_col ? c->counter : "", v);
        c->checked_ints++;
    } else if (strcmp(name, "t_ms") == 0 || strstr(name, "_ms") || strstr(name, "_pct") || col == c->value_col) {
        char *end;
        strtod(v, &end);
        cr_assert(*end == '\0', "%s row %d, %s: '%s' is not a number", c->file, c->row, name, v);
        c->checked_fracs++;
    }
}

static void on_field(void *s, size_t len, void *data)
{
    struct csv_check *c = data;
    char v[128];
    size_t n = len < sizeof(v) - 1 ? len : sizeof(v) - 1;
    memcpy(v, s ? (const char *)s : "", n);
    v[n] = '\0';
    if (c->row == 0) {
        if (c->ncols < 40)
            snprintf(c->head[c->ncols++], sizeof(c->head[0]), "%s", v);
    } else if (c->col < 40) {
        snprintf(c->cells[c->col], sizeof(c->cells[0]), "%s", v);
    }
    c->col++;
}

static void on_row(int ch, void *data)
{
    struct csv_check *c = data;
    int i;
    (void)ch;
    if (c->row == 0) {
        for (i = 0; i < c->ncols; i++) {
            if (strcmp(c->head[i], "value") == 0)
                c->value_col = i;
            if (strcmp(c->head[i], "counter") == 0)
                c->counter_col = i;
        }
    } else {
        if (c->counter_col >= 0)
            snprintf(c->counter, sizeof(c->counter), "%s", c->cells[c->counter_col]);
        for (i = 0; i < c->col && i < c->ncols; i++)
            check_cell(c, i, c->cells[i]);
    }
    c->row++;
    c->col = 0;
}

static void check_csv(const char *dir, const char *name, long min_ints)
{
    struct csv_check *c = calloc(1, sizeof(*c));
    struct csv_parser p;
    char path[2048], buf[8192];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    c->file = name;
    c->value_col = c->counter_col = -1;
    csv_init(&p, CSV_APPEND_NULL);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        cr_assert_eq(csv_parse(&p, buf, n, on_field, on_row, c), n, "%s: CSV syntax", path);
    csv_fini(&p, on_field, on_row, c);
    csv_free(&p);
    fclose(f);
    cr_assert_geq(c->checked_ints, min_ints, "%s: only %ld integer cells", name, c->checked_ints);
    free(c);
}

/* ---- summary.json: percentiles only from their sample minimum ---- */

/* Returns how many modes had a percentile withheld. */
static int check_percentiles(const char *run)
{
    char *text = slurp(run, "summary.json");
    cJSON *doc = cJSON_Parse(text), *m;
    int withheld95 = 0, shown95 = 0, withheld99 = 0, ci = 0;
    cr_assert_not_null(doc);
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(doc, "modes"))
    {
        const cJSON *st = cJSON_GetObjectItem(m, "start_ms");
        double n = cJSON_GetObjectItem(st, "count")->valuedouble;
        const cJSON *p95 = cJSON_GetObjectItem(st, "p95"), *p99 = cJSON_GetObjectItem(st, "p99");
        const cJSON *lo = cJSON_GetObjectItem(st, "p50_ci95_low"), *hi = cJSON_GetObjectItem(st, "p50_ci95_high");
        const char *name = cJSON_GetObjectItem(m, "name")->valuestring;
        if (n == 0)
            continue;
        if (n < 20) {
            cr_assert(cJSON_IsNull(p95), "%s: p95 from %g starts", name, n);
            withheld95++;
        } else {
            cr_assert(cJSON_IsNumber(p95), "%s: p95 missing with %g starts", name, n);
            shown95++;
        }
        if (n < 100) {
            cr_assert(cJSON_IsNull(p99), "%s: p99 from %g starts", name, n);
            withheld99++;
        }
        if (n >= 6) {
            double p50 = cJSON_GetObjectItem(st, "p50")->valuedouble;
            cr_assert(cJSON_IsNumber(lo) && cJSON_IsNumber(hi), "%s: no median CI from %g starts", name, n);
            cr_assert(lo->valuedouble <= p50 && p50 <= hi->valuedouble, "%s: CI [%g, %g] misses p50 %g", name,
                      lo->valuedouble, hi->valuedouble, p50);
            ci++;
        } else {
            cr_assert(cJSON_IsNull(lo) && cJSON_IsNull(hi), "%s: a median CI from %g starts", name, n);
        }
    }
    cr_assert_gt(shown95, 0, "the default scenario gathers 20+ starts for some mode");
    cr_assert_gt(ci, 0);
    cJSON_Delete(doc);
    free(text);
    return withheld95 + withheld99;
}

Test(e2e, default_scenario_from_another_folder, .timeout = 1200)
{
    char dir[] = "/tmp/isobench-e2e-XXXXXX";
    char run[1100], report[1200];
    const char *args[] = { "run", "--out", "out", NULL };
    char *out, *err, *runjson;
    const char *line;
    int rc;

    require_or_skip(geteuid() == 0, "needs root for namespaces, cgroups and the runtimes");
    cr_assert_not_null(mkdtemp(dir));
    rc = run_in(dir, args, "stdout.txt", "stderr.txt");
    out = slurp(dir, "stdout.txt");
    err = slurp(dir, "stderr.txt");
    cr_assert_eq(rc, 0, "isobench run exited %d\nstdout:\n%s\nstderr:\n%s", rc, out, err);
    cr_assert(strstr(out, "capacity of this host") != NULL, "the capacity table is printed:\n%s", out);
    cr_assert(strstr(err, " done ") != NULL, "progress lines on stderr (not a terminal):\n%s", err);
    line = last_line(out);
    cr_assert_str_eq(line, "out/report/report.html", "the last line names report.html");

    snprintf(run, sizeof(run), "%s/out", dir);
    snprintf(report, sizeof(report), "%s/out/report", dir);
    cr_assert(file_exists(dir, line), "%s/%s", dir, line);
    cr_assert(file_exists(report, "report.md"));
    cr_assert(file_exists(report, "metrics.txt"));
    cr_assert(file_exists(report, "start_cdf.svg"));
    cr_assert(file_exists(report, "start_cdf.png"));
    runjson = slurp(run, "run.json");
    {
        cJSON *j = cJSON_Parse(runjson);
        const cJSON *name = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "scenario"), "name");
        cr_assert(cJSON_IsString(name) && strcmp(name->valuestring, "quick") == 0,
                  "the default scenario, found from the binary's location");
        cJSON_Delete(j);
    }

    check_csv(run, "containers.csv", 100);
    check_csv(run, "ramp.csv", 3);
    check_csv(run, "samples.csv", 100);
    if (check_percentiles(run) > 0)
        cr_assert(strstr(out, "n too small") != NULL, "the table says why a percentile is missing:\n%s", out);
    free(runjson);
    free(out);
    free(err);
    dir_remove_tree(dir, NULL);
}

Test(e2e, relative_paths_from_another_folder, .timeout = 300)
{
    char dir[] = "/tmp/isobench-e2e-XXXXXX";
    char path[1100], fixture[1024], run[1100];
    const char *run_args[] = { "run", "tiny.json", "--out", "r", "--quiet", NULL };
    const char *norep_args[] = { "run", "tiny.json", "--out", "r2", "--quiet", "--no-report", NULL };
    const char *import_args[] = { "import", "typeperf", "log.csv", "--run", "r", NULL };
    const char *missing_args[] = { "run", "nothere.json", NULL };
    char *out, *err, *samples;
    FILE *f;
    int rc;

    require_or_skip(geteuid() == 0, "needs root for namespaces and cgroups");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/tiny.json", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"modes\": [{\"name\": \"ns\", \"driver\": \"ns\"}], \"starts\": 6, \"fleet\": {\"ramp\": [1]},"
          " \"hold_ms\": 100, \"settle_ms\": 0}\n", f);
    fclose(f);
    rc = run_in(dir, run_args, "out.txt", "err.txt");
    out = slurp(dir, "out.txt");
    err = slurp(dir, "err.txt");
    cr_assert_eq(rc, 0, "stdout:\n%s\nstderr:\n%s", out, err);
    cr_assert_str_eq(err, "", "--quiet: no progress");
    cr_assert_str_eq(last_line(out), "r/report/report.html");
    cr_assert(file_exists(dir, "r/report/report.html"));
    free(out);
    free(err);
    {
        /* The start statistics are the 6 one-at-a-time starts' (what the
           phase's CI rule judged), not pooled with the ramp's container. */
        char *sum = slurp(dir, "r/summary.json");
        cJSON *doc = cJSON_Parse(sum), *st;
        cr_assert_not_null(doc);
        st = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "modes"), 0), "start_ms");
        cr_assert_eq(cJSON_GetObjectItem(st, "count")->valueint, 6, "%s", sum);
        cJSON_Delete(doc);
        free(sum);
    }

    rc = run_in(dir, norep_args, "out.txt", "err.txt");
    out = slurp(dir, "out.txt");
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(!file_exists(dir, "r2/report/report.html"), "--no-report writes no report");
    cr_assert(strstr(last_line(out), "run directory: r2") != NULL, "%s", out);
    free(out);

    src_path(fixture, sizeof(fixture), "tests/fixtures/typeperf-basic.csv");
    snprintf(path, sizeof(path), "%s/log.csv", dir);
    {
        char *text = read_text(fixture);
        cr_assert_not_null(text);
        f = fopen(path, "w");
        fputs(text, f);
        fclose(f);
        free(text);
    }
    rc = run_in(dir, import_args, "out.txt", "err.txt");
    err = slurp(dir, "err.txt");
    cr_assert_eq(rc, 0, "import typeperf log.csv from its own folder: %s", err);
    free(err);
    snprintf(run, sizeof(run), "%s/r", dir);
    samples = slurp(run, "samples.csv");
    cr_assert(strstr(samples, "\\Memory\\Available MBytes") != NULL, "the log's samples were added");
    free(samples);

    rc = run_in(dir, missing_args, "out.txt", "err.txt");
    err = slurp(dir, "err.txt");
    cr_assert_eq(rc, 2);
    cr_assert(strstr(err, "nothere.json") != NULL, "the error names the scenario: %s", err);
    free(err);
    dir_remove_tree(dir, NULL);
}
