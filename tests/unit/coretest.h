/* Helpers shared by the Application core's unit tests (test_app, test_policy, test_render,
 * test_workflow, test_ydoc, test_bad): parse or fail, render a plan against a fixed cluster
 * registry, and compare any part of a JSON tree with an expected value written as YAML. */
#ifndef VELA_CORETEST_H
#define VELA_CORETEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* cmocka's fail() (fail_msg) leaves the test with longjmp but is not declared noreturn; tell
 * clang's static analyzer, so it does not follow the path past a failure. */
#ifdef __clang_analyzer__
void _fail(const char *const file, const int line) __attribute__((analyzer_noreturn));
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/application.h"
#include "model/definitions.h"
#include "model/policy.h"
#include "model/render.h"
#include "base/util.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"

/* Not every test uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* An Application in flow-style YAML around a spec, e.g. APP("{components: [...]}"). */
#define APP_NS(ns, spec)                                                                           \
    "{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: app1, namespace: " ns  \
    "}, spec: " spec "}"
#define APP(spec) APP_NS("ns1", spec)
/* One webservice "web" with image nginx, and more properties/traits spliced in. */
#define WEB(extra_props, traits)                                                                   \
    "{name: web, type: webservice, properties: {image: nginx" extra_props "}, traits: [" traits "]}"

static char ct_err[4096];

/* ---- the fixed registry ----
 * Listed out of name order on purpose: label selection must sort by name. */
static json_t *ct_reg_labels[5];
static cluster_ref ct_reg_refs[5];

static const registry_view *ct_registry_impl(int with_local)
{
    static registry_view with, without;
    if (!ct_reg_labels[0]) {
        static const char *const names[] = {"us-west-1", "beijing-2", "beijing-1", "local", "eu-1"};
        static const char *const labels[] = {
            "{provider: AWS, region: us-west, env: prod}",
            "{provider: Aliyun, region: cn-beijing, env: staging}",
            "{provider: Aliyun, region: cn-beijing, env: prod}",
            "{}",
            "{provider: AWS, region: eu, env: staging}",
        };
        for (size_t i = 0; i < 5; i++) {
            char err[256];
            if (ydoc_parse(labels[i], strlen(labels[i]), NULL, &ct_reg_labels[i], err,
                           sizeof(err)) < 0)
                fail_msg("registry labels: %s", err);
            ct_reg_refs[i].name = names[i];
            ct_reg_refs[i].labels = ct_reg_labels[i];
        }
        /* "without": every cluster but "local" */
        static cluster_ref no_local[4];
        no_local[0] = ct_reg_refs[0];
        no_local[1] = ct_reg_refs[1];
        no_local[2] = ct_reg_refs[2];
        no_local[3] = ct_reg_refs[4];
        with = (registry_view){ct_reg_refs, 5, false};
        without = (registry_view){no_local, 4, false};
    }
    return with_local ? &with : &without;
}
/* us-west-1 (provider=AWS,region=us-west,env=prod), beijing-2 (Aliyun, cn-beijing, staging),
 * beijing-1 (Aliyun, cn-beijing, prod), local, eu-1 (AWS, eu, staging). */
#define CT_REG ct_registry_impl(1)
/* The same without "local". */
#define CT_REG_NO_LOCAL ct_registry_impl(0)

static void ct_registry_free(void)
{
    for (size_t i = 0; i < 5; i++) {
        json_decref(ct_reg_labels[i]);
        ct_reg_labels[i] = NULL;
    }
}

/* ---- parsing ---- */

static json_t *ct_yaml(const char *text)
{
    json_t *v = NULL;
    char err[512];
    if (ydoc_parse(text, strlen(text), NULL, &v, err, sizeof(err)) < 0)
        fail_msg("test bug: expected value does not parse: %s\n%s", err, text);
    return v;
}

#define ct_parse(yaml) ct_parse_at(__FILE__, __LINE__, yaml)
static app *ct_parse_at(const char *file, int line, const char *yaml)
{
    app *a = NULL;
    if (app_parse(yaml, strlen(yaml), &a, ct_err, sizeof(ct_err)) < 0) {
        print_error("app_parse failed: %s\n  input: %s\n", ct_err, yaml);
        _fail(file, line);
    }
    return a;
}

/* The error app_parse gives (fails the test when it succeeds). */
#define ct_parse_err(yaml) ct_parse_err_at(__FILE__, __LINE__, yaml)
static const char *ct_parse_err_at(const char *file, int line, const char *yaml)
{
    app *a = NULL;
    ct_err[0] = '\0';
    if (app_parse(yaml, strlen(yaml), &a, ct_err, sizeof(ct_err)) == 0) {
        app_free(a);
        print_error("app_parse accepted an invalid Application:\n  %s\n", yaml);
        _fail(file, line);
    }
    return ct_err;
}

#define assert_contains(haystack, needle) ct_contains_at(__FILE__, __LINE__, haystack, needle)
static void ct_contains_at(const char *file, int line, const char *haystack, const char *needle)
{
    if (!haystack || !strstr(haystack, needle)) {
        print_error("expected to contain: %s\n  got: %s\n", needle, haystack ? haystack : "(null)");
        _fail(file, line);
    }
}

#define assert_not_contains(haystack, needle) ct_ncontains_at(__FILE__, __LINE__, haystack, needle)
static void ct_ncontains_at(const char *file, int line, const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle)) {
        print_error("expected NOT to contain: %s\n  got: %s\n", needle, haystack);
        _fail(file, line);
    }
}

/* Asserts app_parse fails with an error containing each of the given substrings. */
#define assert_parse_fails(yaml, ...)                                                              \
    do {                                                                                           \
        const char *ct_e_ = ct_parse_err(yaml);                                                    \
        const char *ct_needles_[] = {__VA_ARGS__, NULL};                                           \
        for (size_t ct_i_ = 0; ct_needles_[ct_i_]; ct_i_++)                                        \
            assert_contains(ct_e_, ct_needles_[ct_i_]);                                            \
    } while (0)

/* ---- rendering ---- */

#define ct_plan(yaml, reg) ct_plan_at(__FILE__, __LINE__, yaml, reg)
static json_t *ct_plan_at(const char *file, int line, const char *yaml, const registry_view *reg)
{
    app *a = ct_parse_at(file, line, yaml);
    json_t *plan = NULL;
    verr e;
    if (render_plan(a, reg, &plan, &e) < 0) {
        verr_format(&e, ct_err, sizeof(ct_err));
        app_free(a);
        print_error("render_plan failed: %s\n  input: %s\n", ct_err, yaml);
        _fail(file, line);
    }
    app_free(a);
    return plan;
}

/* The "path: message" render_plan fails with (the app must parse). */
#define ct_plan_err(yaml, reg) ct_plan_err_at(__FILE__, __LINE__, yaml, reg)
static const char *ct_plan_err_at(const char *file, int line, const char *yaml,
                                  const registry_view *reg)
{
    app *a = ct_parse_at(file, line, yaml);
    json_t *plan = NULL;
    verr e;
    if (render_plan(a, reg, &plan, &e) == 0) {
        char *s = json_dumps(plan, JSON_COMPACT);
        print_error("render_plan accepted: %s\n  plan: %.2000s\n", yaml, s);
        free(s);
        json_decref(plan);
        app_free(a);
        _fail(file, line);
    }
    verr_format(&e, ct_err, sizeof(ct_err));
    app_free(a);
    return ct_err;
}

/* Follows a path like `workflow.steps[0].placements[1]["app.oam.dev/name"]` (ydoc syntax).
 * Borrowed result, NULL when absent. */
static json_t *ct_get(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    char key[256];
    while (cur && *p) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (p[0] == '[' && p[1] == '"') {
            const char *end = strstr(p + 2, "\"]");
            if (!end || (size_t)(end - p - 2) >= sizeof(key))
                return NULL;
            memcpy(key, p + 2, (size_t)(end - p - 2));
            key[end - p - 2] = '\0';
            cur = json_object_get(cur, key);
            p = end + 2;
        } else if (*p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);
            cur = json_array_get(cur, i);
            p = *end == ']' ? end + 1 : end;
        } else {
            size_t n = strcspn(p, ".[");
            if (n >= sizeof(key))
                return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            cur = json_object_get(cur, key);
            p += n;
        }
    }
    return cur;
}

/* Asserts that root at path equals the value written (as YAML) in expected; "~" or "null"
 * for JSON null, and the special word ABSENT for "no such field". */
#define assert_at(root, path, expected) ct_at(__FILE__, __LINE__, root, path, expected)
static void ct_at(const char *file, int line, json_t *root, const char *path, const char *expected)
{
    json_t *got = ct_get(root, path);
    if (strcmp(expected, "ABSENT") == 0) {
        if (got) {
            char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
            print_error("%s: expected absent, got %s\n", path, g);
            free(g);
            _fail(file, line);
        }
        return;
    }
    json_t *want = ct_yaml(expected);
    if (!got || !json_equal(got, want)) {
        char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
        print_error("%s:\n  expected %s\n  got      %s\n", path, w, g ? g : "(absent)");
        free(g);
        free(w);
        json_decref(want);
        _fail(file, line);
    }
    json_decref(want);
}

/* The first manifest of kind (and name, when not NULL) in a manifests array. Borrowed. */
static json_t *ct_find(json_t *manifests, const char *kind, const char *name)
{
    size_t i;
    json_t *m;
    json_array_foreach(manifests, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "kind")), kind) != 0)
            continue;
        if (!name || strcmp(json_string_value(ct_get(m, "metadata.name")), name) == 0)
            return m;
    }
    return NULL;
}

static size_t ct_count_kind(json_t *manifests, const char *kind)
{
    size_t i, n = 0;
    json_t *m;
    json_array_foreach(manifests, i, m) {
        if (strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0)
            n++;
    }
    return n;
}

/* Renders an Application whose only step deploys to "local" (no topology) and returns the
 * manifests of that placement (a new reference). */
#define ct_manifests(yaml) ct_manifests_at(__FILE__, __LINE__, yaml)
static json_t *ct_manifests_at(const char *file, int line, const char *yaml)
{
    json_t *plan = ct_plan_at(file, line, yaml, CT_REG);
    json_t *m = ct_get(plan, "workflow.steps[0].placements[0].manifests");
    if (!m) {
        json_decref(plan);
        print_error("no manifests in the first placement\n");
        _fail(file, line);
    }
    json_incref(m);
    json_decref(plan);
    return m;
}

/* The placements of step i as a compact "cluster/namespace,..." string (static buffer). */
static const char *ct_placements(json_t *plan, size_t step)
{
    static char buf[1024];
    char path[64];
    size_t i, len = 0;
    json_t *p;
    snprintf(path, sizeof(path), "workflow.steps[%zu].placements", step);
    buf[0] = '\0';
    json_array_foreach(ct_get(plan, path), i, p) {
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s/%s", i ? "," : "",
                                json_string_value(json_object_get(p, "cluster")),
                                json_string_value(json_object_get(p, "namespace")));
    }
    return buf;
}

static int ct_teardown_registry(void **state)
{
    (void)state;
    ct_registry_free();
    return 0;
}

#endif
