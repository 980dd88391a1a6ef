/* The document (docs/application.md): strict validation with field paths and line:col, names,
 * defaults, duplicate names, wrong types, and ordinary YAML features in Applications. */
#include "base/jpool.h"
#include "coretest.h"

/* A valid Application touching every level of the format, in block style, so that a line
 * inserted after line N lands at a known field path (see unknown_fields_*). */
static const char *const full_doc[] = {
    "apiVersion: core.oam.dev/v1beta1",          /* 1 */
    "kind: Application",                         /* 2 */
    "metadata:",                                 /* 3 */
    "  name: app1",                              /* 4 */
    "spec:",                                     /* 5 */
    "  components:",                             /* 6 */
    "    - name: web",                           /* 7 */
    "      type: webservice",                    /* 8 */
    "      properties:",                         /* 9 */
    "        image: nginx",                      /* 10 */
    "      traits:",                             /* 11 */
    "        - type: scaler",                    /* 12 */
    "          properties:",                     /* 13 */
    "            replicas: 2",                   /* 14 */
    "  policies:",                               /* 15 */
    "    - name: t",                             /* 16 */
    "      type: topology",                      /* 17 */
    "      properties:",                         /* 18 */
    "        clusters: [local]",                 /* 19 */
    "    - name: o",                             /* 20 */
    "      type: override",                      /* 21 */
    "      properties:",                         /* 22 */
    "        components:",                       /* 23 */
    "          - name: web",                     /* 24 */
    "            traits:",                       /* 25 */
    "              - type: scaler",              /* 26 */
    "                properties: {replicas: 3}", /* 27 */
    "  workflow:",                               /* 28 */
    "    mode:",                                 /* 29 */
    "      steps: DAG",                          /* 30 */
    "    steps:",                                /* 31 */
    "      - name: s",                           /* 32 */
    "        type: deploy",                      /* 33 */
    "        properties:",                       /* 34 */
    "          policies: [o, t]",                /* 35 */
    NULL,
};

/* full_doc with `extra` inserted after line `after` (0: before the first line) and line
 * `replace` (when > 0) replaced by `with`. Static buffer. */
static const char *full_doc_with(int after, const char *extra, int replace, const char *with)
{
    static char buf[4096];
    size_t len = 0;
    if (after == 0 && extra)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", extra);
    /* i counts up from 0, never negative (cppcheck takes after == i + 1 to allow i == -1) */
    /* cppcheck-suppress negativeIndex */
    for (int i = 0; full_doc[i]; i++) {
        const char *line = (replace == i + 1) ? with : full_doc[i];
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", line);
        if (after == i + 1 && extra)
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", extra);
    }
    return buf;
}

static void full_document_is_valid(void **state)
{
    (void)state;
    const char *doc = full_doc_with(-1, NULL, 0, NULL);
    json_t *plan = ct_plan(doc, CT_REG);
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "3");
    json_decref(plan);
}

static void unknown_fields_at_every_level_name_the_path_line_and_column(void **state)
{
    (void)state;
    static const struct {
        int after, indent;
        const char *path;
    } cases[] = {
        {2, 0, "bogus"},
        {4, 2, "metadata.bogus"},
        {5, 2, "spec.bogus"},
        {8, 6, "spec.components[0].bogus"},
        {12, 10, "spec.components[0].traits[0].bogus"},
        {17, 6, "spec.policies[0].bogus"},
        {19, 8, "spec.policies[0].properties.bogus"},
        {22, 8, "spec.policies[1].properties.bogus"},
        {24, 12, "spec.policies[1].properties.components[0].bogus"},
        {26, 16, "spec.policies[1].properties.components[0].traits[0].bogus"},
        {28, 4, "spec.workflow.bogus"},
        {30, 6, "spec.workflow.mode.bogus"},
        {33, 8, "spec.workflow.steps[0].bogus"},
        {35, 10, "spec.workflow.steps[0].properties.bogus"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char extra[64], want[256];
        snprintf(extra, sizeof(extra), "%*sbogus: 1", cases[i].indent, "");
        const char *doc = full_doc_with(cases[i].after, extra, 0, NULL);
        snprintf(want, sizeof(want),
                 "%d:%d: %s: unknown field \"bogus\"; known fields: ", cases[i].after + 1,
                 cases[i].indent + 1, cases[i].path);
        app *a = NULL;
        char err[1024] = "";
        if (app_parse(doc, strlen(doc), &a, err, sizeof(err)) == 0 || !strstr(err, want)) {
            print_error("case %zu: want \"%s\"\n  got \"%s\"\n", i, want, err);
            failures++;
        }
        app_free(a);
    }
    assert_int_equal(failures, 0);
}

/* Errors point at the key of the offending field (or at the item, in a list). */
static void errors_name_the_line_and_column_of_the_offending_field(void **state)
{
    (void)state;
    static const struct {
        int line;
        const char *with;
        const char *want;
    } cases[] = {
        {8, "      type: helm", "8:7: spec.components[0].type: unknown component type \"helm\""},
        {12, "        - type: autoscaler",
         "12:11: spec.components[0].traits[0].type: unknown trait type"},
        {14, "            replicas: many",
         "14:13: spec.components[0].traits[0].properties.replicas: expected an integer, got "
         "string \"many\""},
        {17, "      type: placement",
         "17:7: spec.policies[0].type: unknown policy type \"placement\"; known types: "
         "override, topology"},
        {19, "        clusters: local",
         "19:9: spec.policies[0].properties.clusters: expected a "
         "list of strings"},
        {33, "        type: apply", "33:9: spec.workflow.steps[0].type: unknown step type"},
        {35, "          policies: [o, x]",
         "35:25: spec.workflow.steps[0].properties.policies[1]: policy \"x\" not found"},
        {30, "      steps: Serial", "30:7: spec.workflow.mode.steps: \"Serial\" is not one of"},
        {4, "  name: App_1", "4:3: metadata.name: application \"App_1\" is not a valid name"},
        {7, "    - name: Web", "7:7: spec.components[0].name: component \"Web\" is not a valid"},
        {32, "      - name: s!", "32:9: spec.workflow.steps[0].name: step \"s!\" is not"},
        {1, "apiVersion: v1", "1:1: apiVersion: \"v1\" is not supported; use core.oam.dev/v1beta1"},
        {2, "kind: Deployment", "2:1: kind: \"Deployment\" is not supported; use Application"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const char *doc = full_doc_with(-1, NULL, cases[i].line, cases[i].with);
        app *a = NULL;
        char err[1024] = "";
        if (app_parse(doc, strlen(doc), &a, err, sizeof(err)) == 0 || !strstr(err, cases[i].want)) {
            print_error("case %zu: want \"%s\"\n  got \"%s\"\n", i, cases[i].want, err);
            failures++;
        }
        app_free(a);
    }
    assert_int_equal(failures, 0);
}

static void namespace_defaults_to_default(void **state)
{
    (void)state;
    app *a = ct_parse("{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: "
                      "x}, spec: {components: []}}");
    assert_string_equal(a->ns, "default");
    assert_string_equal(a->name, "x");
    assert_at(a->doc, "metadata.namespace", "default");
    app_free(a);
    json_t *plan = ct_plan("{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: "
                           "x}, spec: {components: [" WEB("", "") "]}}",
                           CT_REG);
    assert_string_equal(ct_placements(plan, 0), "local/default");
    assert_at(plan,
              "workflow.steps[0].placements[0].manifests[0].metadata.labels[\"app.oam.dev/"
              "namespace\"]",
              "default");
    json_decref(plan);
}

static void names_must_be_dns_1123_labels(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "a",    "a-b",  "a1",
        "0abc", "a--b", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"};
    static const char *const invalid[] = {
        "A",       "a_b",
        "-a",      "a-",
        "a.b",     "a b",
        "\\u00e4", "\"\"",
        "ab/c",    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd"};
    /* where a name goes: app, component, policy, step, namespace */
    static const char *const where[] = {
        "{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: %s}, spec: "
        "{components: []}}",
        APP("{components: [{name: %s, type: worker, properties: {image: x}}]}"),
        APP("{components: [], policies: [{name: %s, type: topology, properties: {clusters: "
            "[a]}}]}"),
        APP("{components: [], workflow: {steps: [{name: %s, type: suspend}]}}"),
        APP_NS("%s", "{components: []}"),
    };
    static const char *const where_path[] = {"metadata.name", "spec.components[0].name",
                                             "spec.policies[0].name", "spec.workflow.steps[0].name",
                                             "metadata.namespace"};
    int failures = 0;
    assert_int_equal(strlen(valid[5]), 63);
    for (size_t w = 0; w < ARRAY_LEN(where); w++) {
        for (size_t i = 0; i < ARRAY_LEN(valid) + ARRAY_LEN(invalid); i++) {
            int ok = i < ARRAY_LEN(valid);
            const char *name = ok ? valid[i] : invalid[i - ARRAY_LEN(valid)];
            if (w == 2 && strcmp(name, "\"\"") == 0)
                continue; /* a policy with an empty name is named for it, as KubeVela does */
            char doc[1024], quoted[128], err[1024] = "";
            snprintf(quoted, sizeof(quoted), "%s%s%s", name[0] == '"' ? "" : "\"", name,
                     name[0] == '"' ? "" : "\"");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            snprintf(doc, sizeof(doc), where[w], quoted);
#pragma GCC diagnostic pop
            app *a = NULL;
            int rc = app_parse(doc, strlen(doc), &a, err, sizeof(err));
            app_free(a);
            if (ok && rc != 0) {
                print_error("%s = %s rejected: %s\n", where_path[w], name, err);
                failures++;
            } else if (!ok && (rc == 0 || !strstr(err, where_path[w]) ||
                               !strstr(err, "is not a valid name"))) {
                print_error("%s = %s: want an invalid-name error, got rc=%d %s\n", where_path[w],
                            name, rc, rc ? err : "");
                failures++;
            }
        }
    }
    assert_int_equal(failures, 0);
}

static void duplicate_names_are_errors(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [" WEB("", "") ", {name: w2, type: worker, properties: "
                                                        "{image: x}}, " WEB("", "") "]}"),
                       "spec.components[2].name", "duplicate component name \"web\"",
                       "spec.components[0]");
    assert_parse_fails(APP("{components: [], policies: [{name: p, type: topology, properties: "
                           "{clusters: [a]}}, {name: p, type: override, properties: {}}]}"),
                       "spec.policies[1].name", "duplicate policy name \"p\"");
    assert_parse_fails(APP("{components: [" WEB("", "{type: scaler}, {type: labels}, {type: "
                                                    "scaler, properties: {replicas: 2}}") "]}"),
                       "spec.components[0].traits[2].type", "duplicate trait \"scaler\"");
}

static void wrong_types_say_what_was_expected(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        const char *want;
    } cases[] = {
        {"[1, 2]", "an Application must be a map"},
        {"hello", "an Application must be a map"},
        {"{apiVersion: 1, kind: Application, metadata: {name: a}, spec: {components: []}}",
         "apiVersion: expected a string, got integer"},
        {"{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: [a], spec: "
         "{components: []}}",
         "metadata: expected a map, got list"},
        {APP("{components: {web: {type: worker}}}"), "spec.components: expected a list, got map"},
        {APP("{components: [web]}"), "spec.components[0]: expected a map, got string"},
        {APP("{components: [{name: web, type: worker, properties: [image]}]}"),
         "spec.components[0].properties: expected a map, got list"},
        {APP("{components: [{name: web, type: worker, properties: {image: 5}}]}"),
         "spec.components[0].properties.image: expected a string, got integer"},
        {APP("{components: [{name: web, type: webservice, properties: {image: a, port: \"80\"}}]}"),
         "spec.components[0].properties.port: expected an integer, got string \"80\""},
        {APP("{components: [{name: web, type: webservice, properties: {image: a, port: 80.5}}]}"),
         "port: expected an integer, got number"},
        {APP("{components: [{name: web, type: webservice, properties: {image: a, port: 70000}}]}"),
         "port: 70000 is out of range (1 to 65535)"},
        {APP("{components: [{name: web, type: worker, properties: {image: a, cmd: ls}}]}"),
         "cmd: expected a list of strings, got string \"ls\""},
        {APP("{components: [{name: web, type: worker, properties: {image: a, cmd: [ls, 1]}}]}"),
         "cmd[1]: expected a string, got integer"},
        {APP("{components: [{name: web, type: worker, properties: {image: a, env: [{name: A, "
             "value: 1}]}}]}"),
         "env[0].value: expected a string, got integer"},
        {APP("{components: [{name: web, type: webservice, properties: {image: a, "
             "imagePullPolicy: Sometimes}}]}"),
         "imagePullPolicy: \"Sometimes\" is not one of: Always, IfNotPresent, Never"},
        {APP("{components: [{name: web, type: worker, properties: {image: a}, traits: {type: "
             "scaler}}]}"),
         "spec.components[0].traits: expected a list, got map"},
        {APP("{components: [{name: web, type: worker, properties: {image: a}, dependsOn: b}]}"),
         "dependsOn: expected a list of strings"},
        {APP("{components: [], policies: {a: b}}"), "spec.policies: expected a list, got map"},
        {APP("{components: [], policies: [{name: t, type: topology, properties: {clusters: [a], "
             "allowEmpty: yes}}]}"),
         "allowEmpty: expected a boolean (true or false), got string \"yes\""},
        {APP("{components: [], policies: [{name: t, type: topology, properties: "
             "{clusterLabelSelector: {provider: 1}}}]}"),
         "clusterLabelSelector.provider: expected a string, got integer"},
        {APP("{components: [], workflow: [a]}"), "spec.workflow: expected a map, got list"},
        {APP("{components: [], workflow: {steps: [{name: s, type: suspend, timeout: 10}]}}"),
         "spec.workflow.steps[0].timeout: expected a string, got integer"},
        {APP("{components: [], policies: [{name: t, type: topology, properties: {clusters: [a], "
             "namespace: Prod}}]}"),
         "spec.policies[0].properties.namespace: namespace \"Prod\" is not a valid name"},
        {APP("{components: [{name: web, type: worker, properties: {image: \"\"}}]}"),
         "image: must not be empty"},
        {APP("{components: [{name: web, type: worker, properties: {image: a, cpu: [1]}}]}"),
         "cpu: expected a quantity"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        app *a = NULL;
        char err[1024] = "";
        if (app_parse(cases[i].doc, strlen(cases[i].doc), &a, err, sizeof(err)) == 0 ||
            !strstr(err, cases[i].want)) {
            print_error("case %zu: %s\n  want \"%s\"\n  got \"%s\"\n", i, cases[i].doc,
                        cases[i].want, err);
            failures++;
        }
        app_free(a);
    }
    assert_int_equal(failures, 0);
}

static void required_fields_are_named_when_missing(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        const char *want;
    } cases[] = {
        {"{kind: Application, metadata: {name: a}, spec: {components: []}}",
         "apiVersion: required field \"apiVersion\" is missing"},
        {"{apiVersion: core.oam.dev/v1beta1, metadata: {name: a}, spec: {components: []}}",
         "kind: required field"},
        {"{apiVersion: core.oam.dev/v1beta1, kind: Application, spec: {components: []}}",
         "metadata: required field"},
        {"{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: a}}",
         "spec: required field"},
        {"{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {namespace: a}, spec: "
         "{components: []}}",
         "metadata.name: required field"},
        {APP("{}"), "spec.components: required field"},
        {APP("{components: [{type: worker}]}"), "spec.components[0].name: required field"},
        {APP("{components: [{name: w}]}"), "spec.components[0].type: required field"},
        {APP("{components: [{name: w, type: worker, traits: [{properties: {}}]}]}"),
         "traits[0].type: required field"},
        {APP("{components: [], policies: [{name: p}]}"), "spec.policies[0].type: required"},
        {APP("{components: [], workflow: {steps: [{type: suspend}]}}"),
         "spec.workflow.steps[0].name: required"},
        {APP("{components: [], workflow: {steps: [{name: s}]}}"),
         "spec.workflow.steps[0].type: required"},
        {APP("{components: [{name: w, type: worker, properties: {image: a, env: [{value: b}]}}]}"),
         "env[0].name: required"},
        {APP("{components: [{name: w, type: webservice, properties: {image: a, ports: [{name: "
             "http}]}}]}"),
         "ports[0].port: required"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        app *a = NULL;
        char err[1024] = "";
        if (app_parse(cases[i].doc, strlen(cases[i].doc), &a, err, sizeof(err)) == 0 ||
            !strstr(err, cases[i].want)) {
            print_error("case %zu: %s\n  want \"%s\"\n  got \"%s\"\n", i, cases[i].doc,
                        cases[i].want, err);
            failures++;
        }
        app_free(a);
    }
    assert_int_equal(failures, 0);
}

static void metadata_labels_and_annotations_are_accepted(void **state)
{
    (void)state;
    app *a = ct_parse("{apiVersion: core.oam.dev/v1beta1, kind: Application, metadata: {name: a, "
                      "labels: {team: x}, annotations: {note: y}}, spec: {components: []}}");
    app_free(a);
}

static const char yaml_features[] = "# an Application using ordinary YAML features\n"
                                    "apiVersion: core.oam.dev/v1beta1   # trailing comment\n"
                                    "kind: Application\n"
                                    "metadata:\n"
                                    "  name: features\n"
                                    "spec:\n"
                                    "  components:\n"
                                    "    - name: web\n"
                                    "      type: webservice\n"
                                    "      properties: &common\n"
                                    "        image: nginx:1.25\n"
                                    "        env: &env\n"
                                    "          - name: GREETING\n"
                                    "            value: |\n"
                                    "              hello\n"
                                    "              world\n"
                                    "          - name: FOLDED\n"
                                    "            value: >-\n"
                                    "              one\n"
                                    "              two\n"
                                    "        labels: &labels {tier: front}\n"
                                    "    - name: web2\n"
                                    "      type: webservice\n"
                                    "      properties:\n"
                                    "        <<: *common\n"
                                    "        image: nginx:1.26   # own keys win over merged ones\n"
                                    "    - name: bg\n"
                                    "      type: worker\n"
                                    "      properties:\n"
                                    "        image: 'busybox'\n"
                                    "        env: *env\n"
                                    "        labels:\n"
                                    "          <<: [*labels, {tier: back, extra: x}]\n"
                                    "        cmd:\n"
                                    "          - \"sh\"\n"
                                    "          - -c\n"
                                    "          - |-\n"
                                    "            echo a\n"
                                    "            echo b\n";

static void yaml_comments_anchors_merge_keys_and_block_strings_work(void **state)
{
    (void)state;
    app *a = ct_parse(yaml_features);
    json_t *c = a->components;
    assert_at(c, "[0].properties.env[0].value", "\"hello\\nworld\\n\"");
    assert_at(c, "[0].properties.env[1].value", "one two");
    assert_at(c, "[1].properties.image", "\"nginx:1.26\"");
    assert_at(c, "[1].properties.labels", "{tier: front}");
    assert_at(c, "[1].properties.env",
              "[{name: GREETING, value: \"hello\\nworld\\n\"},"
              " {name: FOLDED, value: one two}]");
    assert_at(c, "[2].properties.env[0].name", "GREETING");
    /* the first mapping of a << list wins over later ones */
    assert_at(c, "[2].properties.labels", "{tier: front, extra: x}");
    assert_at(c, "[2].properties.cmd", "[sh, -c, \"echo a\\necho b\"]");
    app_free(a);
}

static void json_input_is_accepted_and_renders_like_yaml(void **state)
{
    (void)state;
    char path[512], err[256];
    char *yaml = NULL;
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/examples/intermediate.yaml", VELA_SOURCE_DIR);
    assert_int_equal(read_file(path, 1 << 20, &yaml, &len, err, sizeof(err)), 0);
    json_t *tree = NULL;
    assert_int_equal(ydoc_parse(yaml, len, NULL, &tree, err, sizeof(err)), 0);
    char *json = vela_json_dumps(tree, JSON_INDENT(2));
    json_t *p1 = ct_plan(yaml, CT_REG);
    json_t *p2 = ct_plan(json, CT_REG);
    assert_true(json_equal(p1, p2));
    json_decref(p1);
    json_decref(p2);
    free(json);
    json_decref(tree);
    free(yaml);
    /* compact JSON, errors still located */
    const char *bad = "{\"apiVersion\": \"core.oam.dev/v1beta1\", \"kind\": \"Application\",\n"
                      " \"metadata\": {\"name\": \"a\"},\n"
                      " \"spec\": {\"components\": [{\"name\": \"w\", \"type\": \"worker\",\n"
                      "   \"properties\": {\"image\": \"x\", \"cmd\": true}}]}}";
    assert_parse_fails(bad, "4:33: spec.components[0].properties.cmd: expected a list of strings");
}

/* KubeVela's parameters are open: a property no definition declares is ignored, with a
 * warning that names it; in a closed parameter (the env trait) it stays an error. */
static void undeclared_properties_are_warnings(void **state)
{
    (void)state;
    const char *doc = APP("{components: [{name: w, type: webservice, properties: {image: a, "
                          "foo: 1, ports: [{port: 80, bar: x}]},\n"
                          " traits: [{type: scaler, properties: {replicas: 2, min: 1}}]}]}");
    app *a = ct_parse(doc);
    assert_int_equal(json_array_size(a->warnings), 3);
    assert_at(a->warnings, "[0].path", "spec.components[0].properties.foo");
    assert_at(a->warnings, "[0].message", "not a property of webservice; ignored");
    assert_at(a->warnings, "[1].path", "spec.components[0].properties.ports[0].bar");
    assert_at(a->warnings, "[2].message", "not a property of scaler; ignored");
    assert_contains(json_string_value(json_object_get(json_array_get(a->warnings, 2), "text")),
                    "2:52: spec.components[0].traits[0].properties.min: not a property");
    app_free(a);
    json_t *plan = ct_plan(doc, CT_REG);
    json_t *c = NULL;
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "2");
    (void)c;
    json_decref(plan);
    assert_parse_fails(APP("{components: [{name: w, type: worker, properties: {image: a}, "
                           "traits: [{type: env, properties: {set: {A: b}}}]}]}"),
                       "spec.components[0].traits[0].properties.set: unknown field");
}

/* A policy without a name gets KubeVela's "<type>:auto-gen:<index>". */
static void unnamed_policies_are_named_like_kubevela(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{components: [{name: w, type: worker, properties: {image: a}}], "
                          "policies: [{name: p, type: override, properties: {}}, "
                          "{type: topology, properties: {clusters: [c]}}]}"));
    assert_non_null(app_policy(a, "topology:auto-gen:1"));
    assert_string_equal(a->steps[0].name, "deploy-topology:auto-gen:1");
    app_free(a);
}

static void one_bad_application_does_not_affect_the_next(void **state)
{
    (void)state;
    const char *good = APP("{components: [" WEB("", "") "]}");
    for (int i = 0; i < 3; i++) {
        ct_parse_err(APP("{components: [{name: web, type: nope}]}"));
        ct_parse_err("{{{{");
        app *a = ct_parse(good);
        app_free(a);
    }
}

static void app_from_json_reports_the_field_path(void **state)
{
    (void)state;
    json_t *doc = ct_yaml(APP("{components: [{name: w, type: worker, properties: {image: a, cmd: "
                              "1}}]}"));
    app *a = NULL;
    verr e;
    assert_int_equal(app_from_json(doc, &a, &e), -1); /* doc is consumed */
    assert_null(a);
    assert_string_equal(e.path, "spec.components[0].properties.cmd");
    assert_contains(e.msg, "expected a list of strings");
    char buf[1200];
    verr_format(&e, buf, sizeof(buf));
    assert_contains(buf, "spec.components[0].properties.cmd: expected");

    doc = ct_yaml(APP("{components: [{name: w, type: worker, properties: {image: a}}], "
                      "policies: [{name: p, type: topology, properties: {clusters: [c]}}]}"));
    assert_int_equal(app_from_json(doc, &a, &e), 0);
    assert_non_null(app_component(a, "w"));
    assert_null(app_component(a, "x"));
    assert_non_null(app_policy(a, "p"));
    assert_null(app_policy(a, "q"));
    app_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_document_is_valid),
        cmocka_unit_test(unknown_fields_at_every_level_name_the_path_line_and_column),
        cmocka_unit_test(errors_name_the_line_and_column_of_the_offending_field),
        cmocka_unit_test(namespace_defaults_to_default),
        cmocka_unit_test(names_must_be_dns_1123_labels),
        cmocka_unit_test(duplicate_names_are_errors),
        cmocka_unit_test(wrong_types_say_what_was_expected),
        cmocka_unit_test(required_fields_are_named_when_missing),
        cmocka_unit_test(metadata_labels_and_annotations_are_accepted),
        cmocka_unit_test(yaml_comments_anchors_merge_keys_and_block_strings_work),
        cmocka_unit_test(json_input_is_accepted_and_renders_like_yaml),
        cmocka_unit_test(one_bad_application_does_not_affect_the_next),
        cmocka_unit_test(app_from_json_reports_the_field_path),
        cmocka_unit_test(undeclared_properties_are_warnings),
        cmocka_unit_test(unnamed_policies_are_named_like_kubevela),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}
