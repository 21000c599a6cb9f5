/*
 * test_report.c - `isobench report` on the fixture runs: every figure is
 * written as PNG and SVG, the SVGs have their axes, tick labels, axis titles
 * and one coloured series (or bar) per mode; report.html is self-contained
 * (inline SVG, no http(s) src/href) and warns about TCG; report.md has the
 * comparison table; metrics.txt is OpenMetrics ending in "# EOF". With a
 * density run: the density figures with the measured and predicted ceilings
 * marked, and the predicted-vs-measured table.
 */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "plotlayer.h"
#include "render.h"
#include "rundir.h"
#include "support.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char outdir[256];

static void fixture(char *buf, size_t n, const char *name)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "tests/fixtures/%s", name);
    src_path(buf, n, rel);
}

static char *slurp(const char *dir, const char *name)
{
    char path[512];
    char *text = NULL;
    struct err e;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    cr_assert_eq(rd_read_text(path, &text, NULL, &e), 0, "%s", e.msg);
    return text;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

static void rm_rf(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[512];
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void make_report(const char *run2)
{
    char a[1024], b[1024];
    char *argv[6];
    int argc = 0, saved, null;
    snprintf(outdir, sizeof(outdir), "/tmp/isobench-test-report-XXXXXX");
    cr_assert_not_null(mkdtemp(outdir));
    fixture(a, sizeof(a), "run-base");
    argv[argc++] = "report";
    argv[argc++] = a;
    if (run2 != NULL) {
        fixture(b, sizeof(b), run2);
        argv[argc++] = b;
    }
    argv[argc++] = "--out";
    argv[argc++] = outdir;
    fflush(stdout);
    saved = dup(1);
    null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    cr_assert_eq(cmd_report(argc, argv), 0);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(null);
}

static void cleanup(void)
{
    rm_rf(outdir);
}



Test(report, every_figure_png_and_svg, .fini = cleanup)
{
    int k;
    make_report(NULL);
    for (k = 0; k < FIG_DENSITY_MEM; k++) { /* no density.csv: no density figures */
        char path[512];
        struct stat st;
        FILE *f;
        unsigned char magic[8];
        snprintf(path, sizeof(path), "%s/%s.png", outdir, report_fig_name((enum report_fig)k));
        cr_assert_eq(stat(path, &st), 0, "%s missing", path);
        f = fopen(path, "rb");
        cr_assert_eq(fread(magic, 1, 8, f), 8);
        fclose(f);
        cr_assert(memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0, "%s is not a PNG", path);
        snprintf(path, sizeof(path), "%s/%s.svg", outdir, report_fig_name((enum report_fig)k));
        cr_assert_eq(stat(path, &st), 0, "%s missing", path);
        cr_assert(st.st_size > 1000);
    }
}

Test(report, svg_structure, .fini = cleanup)
{
    const char *modes[] = { "ns", "runsc", "vm" };
    char *svg;
    int m, k;
    make_report(NULL);

    svg = slurp(outdir, "start_cdf.svg");
    cr_assert(strstr(svg, "<svg") != NULL);
    cr_assert(strstr(svg, ">start latency (ms, log scale)<") != NULL, "x axis title");
    cr_assert(strstr(svg, ">fraction of starts<") != NULL, "y axis title");
    cr_assert(strstr(svg, ">Container start latency (CDF)<") != NULL, "title");
    /* log x axis: decade tick labels */
    cr_assert(strstr(svg, ">1<") && strstr(svg, ">10<") && strstr(svg, ">100<") && strstr(svg, ">1000<"));
    cr_assert(strstr(svg, ">0.0<") && strstr(svg, ">1.0<"), "y tick labels");
    for (m = 0; m < 3; m++) {
        char lab[32], stroke[32];
        snprintf(lab, sizeof(lab), ">%s<", modes[m]);
        cr_assert_eq(count(svg, lab), 1, "legend entry for %s", modes[m]);
        /* one series per mode in its palette colour: the curve and the legend line */
        snprintf(stroke, sizeof(stroke), "stroke=\"%s\"", plot_color_hex(m));
        cr_assert_eq(count(svg, stroke), 2, "series of %s", modes[m]);
    }
    free(svg);

    svg = slurp(outdir, "memory_vs_containers.svg");
    cr_assert(strstr(svg, "MiB") != NULL);
    cr_assert(strstr(svg, ">containers running<") != NULL);
    for (m = 0; m < 3; m++) {
        char fill[32];
        snprintf(fill, sizeof(fill), "fill=\"%s\"", plot_color_hex(m));
        cr_assert(count(svg, fill) >= 6, "ramp points of %s", modes[m]); /* 2 reps x 3 levels */
    }
    free(svg);

    svg = slurp(outdir, "capacity.svg");
    for (m = 0; m < 3; m++) {
        char lab[32];
        snprintf(lab, sizeof(lab), ">%s<", modes[m]);
        cr_assert_eq(count(svg, lab), 1, "bar label %s", modes[m]);
    }
    cr_assert(strstr(svg, "(cpu)<") != NULL, "binding resource marked");
    free(svg);

    for (k = 0; k < FIG_DENSITY_MEM; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.svg", report_fig_name((enum report_fig)k));
        svg = slurp(outdir, name);
        cr_assert(count(svg, "<text") >= 8, "%s has axis text", name);
        free(svg);
    }
}

Test(report, html_self_contained, .fini = cleanup)
{
    char *html;
    make_report(NULL);
    html = slurp(outdir, "report.html");
    cr_assert_eq(count(html, "<svg"), FIG_DENSITY_MEM, "every figure inlined");
    cr_assert_null(strstr(html, "src=\"http"));
    cr_assert_null(strstr(html, "href=\"http"));
    cr_assert_null(strstr(html, "src='http"));
    cr_assert_null(strstr(html, "<img"));
    cr_assert_null(strstr(html, "<link"));
    cr_assert_null(strstr(html, "<script"));
    cr_assert_null(strstr(html, "<?xml"), "XML prologue dropped");
    cr_assert(strstr(html, "TCG") && strstr(html, "not KVM numbers"));
    cr_assert(strstr(html, "runsc:") != NULL && strstr(html, "× start") != NULL);
    cr_assert(strstr(html, "Intel(R) Xeon(R)") != NULL, "host facts");
    cr_assert(strstr(html, "accel=tcg") != NULL, "mode facts");
    free(html);
}

Test(report, markdown_and_openmetrics, .fini = cleanup)
{
    char *md, *om, *line;
    size_t n;
    make_report(NULL);
    md = slurp(outdir, "report.md");
    cr_assert(strstr(md, "| mode | driver |") != NULL);
    cr_assert(strstr(md, "| runsc | docker | sandbox |") != NULL);
    cr_assert(strstr(md, "- runsc: ") != NULL);
    free(md);
    om = slurp(outdir, "metrics.txt");
    n = strlen(om);
    cr_assert(n > 6 && strcmp(om + n - 6, "# EOF\n") == 0, "ends with # EOF");
    cr_assert_eq(count(om, "# EOF"), 1);
    cr_assert(strstr(om, "# TYPE isobench_start_latency_seconds gauge\n") != NULL);
    cr_assert(strstr(om, "# UNIT isobench_start_latency_seconds seconds\n") != NULL);
    cr_assert(strstr(om, "# HELP isobench_start_latency_seconds ") != NULL);
    cr_assert(strstr(om, "isobench_start_latency_seconds{mode=\"runsc\",driver=\"docker\","
                         "isolation=\"sandbox\",host=\"bench-a\",stat=\"p50\"} ") != NULL);
    /* every sample line belongs to the family declared last */
    for (line = om; *line; line = strchr(line, '\n') + 1) {
        static char family[128];
        if (strncmp(line, "# TYPE ", 7) == 0)
            sscanf(line + 7, "%127s", family);
        else if (line[0] != '#')
            cr_assert(strncmp(line, family, strlen(family)) == 0, "sample outside its family: %.60s", line);
    }
    free(om);
}

Test(report, two_runs_a_mode_keeps_its_colour, .fini = cleanup)
{
    char *svg;
    int m;
    make_report("run-hostb");
    svg = slurp(outdir, "start_cdf.svg");
    cr_assert(strstr(svg, ">runsc @ bench-b<") != NULL, "label names the host");
    cr_assert(strstr(svg, ">ns @ bench-a<") != NULL);
    for (m = 0; m < 3; m++) {
        char stroke[32];
        snprintf(stroke, sizeof(stroke), "stroke=\"%s\"", plot_color_hex(m));
        /* two curves and two legend lines per mode, one palette colour */
        cr_assert_eq(count(svg, stroke), 4, "colour %d", m);
    }
    cr_assert(strstr(svg, "stroke-dasharray=\"1") != NULL, "the second run is dashed");
    free(svg);
}

Test(report, unavailable_mode, .fini = cleanup)
{
    char a[1024], *argv[4], *html, *svg;
    int saved, null;
    snprintf(outdir, sizeof(outdir), "/tmp/isobench-test-report-XXXXXX");
    cr_assert_not_null(mkdtemp(outdir));
    fixture(a, sizeof(a), "run-unavail");
    argv[0] = "report";
    argv[1] = a;
    argv[2] = "--out";
    argv[3] = outdir;
    fflush(stdout);
    saved = dup(1);
    null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    cr_assert_eq(cmd_report(4, argv), 0);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(null);
    html = slurp(outdir, "report.html");
    cr_assert(strstr(html, "unavailable: qemu-system-x86_64 not found") != NULL);
    free(html);
    svg = slurp(outdir, "capacity.svg");
    cr_assert(strstr(svg, ">unavailable<") != NULL);
    free(svg);
}

Test(report, density_figures_and_predicted_vs_measured, .fini = cleanup)
{
    char *svg, *md, *html;
    int k;
    make_report("run-density");
    for (k = FIG_DENSITY_MEM; k < FIG_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.svg", report_fig_name((enum report_fig)k));
        svg = slurp(outdir, name);
        cr_assert(count(svg, "<text") >= 8, "%s has axis text", name);
        cr_assert(strstr(svg, "ceiling 996 (cgroup_pids)") != NULL, "%s marks the ceiling", name);
        cr_assert(strstr(svg, "predicted 1000 (cgroup_pids)") != NULL, "%s marks the prediction", name);
        free(svg);
    }
    md = slurp(outdir, "report.md");
    cr_assert(strstr(md, "| ns @") != NULL || strstr(md, "| ns |") != NULL, "%s", md);
    cr_assert(strstr(md, "measured ceiling") != NULL, "%s", md);
    cr_assert(strstr(md, "| 996 | cgroup_pids | +0.4 % |") != NULL, "%s", md);
    free(md);
    html = slurp(outdir, "report.html");
    cr_assert(strstr(html, "Predicted vs measured ceiling") != NULL);
    cr_assert_eq(count(html, "<svg"), FIG_COUNT, "every figure inlined");
    free(html);
}
