/* Render benchmark (make bench): parse + validate + render (a) the walkthrough's advanced.yaml for
 * one placement, many times, and (b) 100 components x 5 traits for 1,000 clusters. Prints
 * time per render, renders per second and peak RSS, and RSS after 10% and 100% of the
 * iterations of (a) to show that memory does not grow. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/alloc.h"
#include "base/jpool.h"
#include "model/application.h"
#include "model/render.h"
#include "base/util.h"
#include "base/strbuf.h"

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One iteration of (a): parse, validate, render the step that deploys to one cluster. */
static int bench_one(const char *buf, size_t len, const registry_view *reg, const char *step)
{
    app *a = NULL;
    json_t *placements = NULL;
    char err[1024];
    verr e;
    if (app_parse(buf, len, &a, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        return -1;
    }
    const app_step *s = app_step_find(a, step);
    if (!s || render_step(a, s, reg, &placements, &e) < 0 || json_array_size(placements) != 1) {
        fprintf(stderr, "error: rendering step %s: %s\n", step, s ? e.msg : "no such step");
        app_free(a);
        json_decref(placements);
        return -1;
    }
    json_decref(placements);
    app_free(a);
    return 0;
}

/* A positive count from the command line, at most max; -1 when it is not one. */
static long bench_count(const char *s, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v <= 0 || v > max)
        return -1;
    return v;
}

/* An Application of ncomp webservices, each with 5 traits, selecting clusters by label;
 * NULL when out of memory. */
static char *bench_big_app(int ncomp)
{
    strbuf sb;
    int bad = 0;
    strbuf_init(&sb, 0);
    bad |= strbuf_adds(&sb, "apiVersion: core.oam.dev/v1beta1\nkind: Application\n"
                            "metadata: {name: big-app, namespace: prod}\nspec:\n  components:\n");
    for (int i = 0; i < ncomp; i++)
        bad |= strbuf_addf(
            &sb,
            "    - name: svc-%d\n      type: webservice\n"
            "      properties: {image: \"registry.example.com/svc-%d:1.%d\", port: %d,\n"
            "        env: [{name: MODE, value: prod}], cpu: \"250m\", memory: 256Mi}\n"
            "      traits:\n"
            "        - {type: scaler, properties: {replicas: %d}}\n"
            "        - {type: gateway, properties: {domain: svc-%d.example.com, "
            "http: {\"/\": %d, \"/api\": %d}}}\n"
            "        - {type: labels, properties: {tier: backend, team: t%d}}\n"
            "        - {type: annotations, properties: {owner: team-%d}}\n"
            "        - {type: env, properties: {env: {LOG_LEVEL: info}}}\n",
            i, i, i, 8000 + i, 1 + i % 5, i, 8000 + i, 9000 + i, i % 7, i % 7);
    bad |= strbuf_adds(&sb, "  policies:\n    - name: all\n      type: topology\n"
                            "      properties: {clusterLabelSelector: {env: prod}}\n"
                            "    - name: ha\n      type: override\n"
                            "      properties: {components: [{type: webservice, traits: "
                            "[{type: scaler, properties: {replicas: 5}}]}]}\n");
    if (bad) {
        strbuf_release(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : "examples/advanced.yaml";
    long iters = argc > 2 ? bench_count(argv[2], LONG_MAX) : 100000;
    int nclusters = argc > 3 ? (int)bench_count(argv[3], INT_MAX) : 1000;
    int ncomp = argc > 4 ? (int)bench_count(argv[4], INT_MAX) : 100;
    char *buf = NULL, err[512];
    size_t len;
    int rc = 1;

    if (iters < 0 || nclusters < 0 || ncomp < 0) {
        fprintf(stderr, "error: usage: bench_render [FILE [ITERATIONS [CLUSTERS [COMPONENTS]]]]"
                        " with positive integer counts\n");
        return 2;
    }
    jpool_init(); /* as the programs do */
    if (read_file(file, 1 << 22, &buf, &len, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    /* (a) */
    json_t *aws = json_pack("{s:s}", "provider", "AWS");
    cluster_ref seed[] = {{"beijing-1", NULL}, {"beijing-2", NULL}, {"us-west-1", aws}};
    registry_view reg = {seed, 3, false};
    for (int i = 0; i < 1000; i++) /* warm-up */
        if (bench_one(buf, len, &reg, "deploy-aws") < 0)
            goto cleanup;
    long rss_10 = 0;
    int64_t t0 = now_us();
    for (long i = 0; i < iters; i++) {
        if (bench_one(buf, len, &reg, "deploy-aws") < 0)
            goto cleanup;
        if (i == iters / 10)
            rss_10 = rss_kb();
    }
    int64_t t1 = now_us();
    long rss_100 = rss_kb();
    double us = (double)(t1 - t0) / (double)iters;
    printf("render (a) %s, one placement: %ld renders, %.2f us/render, %.0f renders/s\n", file,
           iters, us, 1e6 / us);
    printf("render (a) RSS after 10%%: %ld KiB, after 100%%: %ld KiB, growth %ld KiB\n", rss_10,
           rss_100, rss_100 - rss_10);

    /* (b) */
    char *big = bench_big_app(ncomp);
    json_t *labels = json_pack("{s:s}", "env", "prod");
    cluster_ref *refs = xcalloc((size_t)nclusters, sizeof(*refs));
    char **names = xcalloc((size_t)nclusters, sizeof(char *));
    for (int i = 0; i < nclusters; i++) {
        names[i] = xmalloc(32);
        snprintf(names[i], 32, "cluster-%04d", i);
        refs[i].name = names[i];
        refs[i].labels = labels;
    }
    registry_view big_reg = {refs, (size_t)nclusters, false};
    int rounds = 5;
    size_t manifests = 0, placements_n = 0;
    int64_t t2 = now_us();
    for (int r = 0; r < rounds; r++) {
        app *a = NULL;
        json_t *placements = NULL;
        verr e;
        if (app_parse(big, strlen(big), &a, err, sizeof(err)) < 0) {
            fprintf(stderr, "error: big app: %s\n", err);
            goto cleanup_big;
        }
        if (render_step(a, &a->steps[0], &big_reg, &placements, &e) < 0) {
            fprintf(stderr, "error: big app: %s\n", e.msg);
            app_free(a);
            goto cleanup_big;
        }
        placements_n = json_array_size(placements);
        manifests = json_array_size(json_object_get(json_array_get(placements, 0), "manifests"));
        /* what the scheduler does per placement: serialise the task's manifests */
        for (size_t p = 0; p < placements_n; p++) {
            char *s = vela_json_dumps(json_array_get(placements, p), JSON_COMPACT);
            free(s);
        }
        json_decref(placements);
        app_free(a);
    }
    int64_t t3 = now_us();
    double ms = (double)(t3 - t2) / 1000.0 / rounds;
    printf("render (b) %d components x 5 traits for %zu clusters: %.1f ms per Application "
           "(%zu manifests per cluster, serialised per cluster), %.0f placements/s\n",
           ncomp, placements_n, ms, manifests, (double)placements_n / (ms / 1000.0));
    printf("peak RSS: %ld KiB\n", peak_rss_kb());
    rc = 0;
cleanup_big:
    for (int i = 0; names && i < nclusters; i++)
        free(names[i]);
    free(names);
    free(refs);
    json_decref(labels);
    free(big);
cleanup:
    json_decref(aws);
    free(buf);
    return rc;
}
