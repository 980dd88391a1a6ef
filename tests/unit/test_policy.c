/* topology and override policies (docs/application.md): placements against a cluster registry, and
 * every override rule, both directly on component lists and through whole plans. */
#include "coretest.h"

/* ---- topology ---- */

#define TOPO(props) "{name: t, type: topology, properties: " props "}"
#define ONE_WEB "[" WEB("", "") "]"

static void topology_clusters_keep_the_listed_order(void **state)
{
    (void)state;
    json_t *plan = ct_plan(APP("{components: " ONE_WEB ", policies: [" TOPO(
                               "{clusters: [us-west-1, beijing-2, beijing-1]}") "]}"),
                           CT_REG);
    assert_string_equal(ct_placements(plan, 0), "us-west-1/ns1,beijing-2/ns1,beijing-1/ns1");
    json_decref(plan);
}

static void topology_unknown_cluster_fails_with_cluster_not_found(void **state)
{
    (void)state;
    const char *e = ct_plan_err(APP("{components: " ONE_WEB ", policies: [" TOPO(
                                    "{clusters: [beijing-1, beijing-3]}") "]}"),
                                CT_REG);
    assert_contains(e, "spec.policies[0].properties.clusters[1]");
    assert_contains(e, "cluster \"beijing-3\" not found");
    assert_contains(e, "step \"deploy-t\"");
}

static void topology_label_selector_matches_all_pairs_ordered_by_name(void **state)
{
    (void)state;
    static const struct {
        const char *selector;
        const char *want;
    } cases[] = {
        {"{provider: Aliyun}", "beijing-1/ns1,beijing-2/ns1"},
        {"{provider: AWS}", "eu-1/ns1,us-west-1/ns1"},
        {"{provider: AWS, env: prod}", "us-west-1/ns1"},
        {"{env: staging}", "beijing-2/ns1,eu-1/ns1"},
        {"{region: cn-beijing, env: prod}", "beijing-1/ns1"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char yaml[1024];
        snprintf(yaml, sizeof(yaml),
                 APP("{components: " ONE_WEB
                     ", policies: [" TOPO("{clusterLabelSelector: %s}") "]}"),
                 cases[i].selector);
        json_t *plan = ct_plan(yaml, CT_REG);
        if (strcmp(ct_placements(plan, 0), cases[i].want) != 0) {
            print_error("selector %s: got %s, want %s\n", cases[i].selector, ct_placements(plan, 0),
                        cases[i].want);
            failures++;
        }
        json_decref(plan);
    }
    assert_int_equal(failures, 0);
}

static void topology_selector_without_match_fails_naming_the_labels(void **state)
{
    (void)state;
    const char *e = ct_plan_err(APP("{components: " ONE_WEB ", policies: [{name: p, type: "
                                    "topology, properties: {clusterLabelSelector: {provider: "
                                    "GCP}}}]}"),
                                CT_REG);
    assert_contains(e, "topology policy \"p\": no cluster matches labels provider=GCP");
    e = ct_plan_err(APP("{components: " ONE_WEB ", policies: [{name: p, type: topology, "
                        "properties: {clusterLabelSelector: {provider: AWS, region: cn-beijing}}}"
                        "]}"),
                    CT_REG);
    assert_contains(e, "topology policy \"p\": no cluster matches labels "
                       "provider=AWS,region=cn-beijing");
}

static void topology_allow_empty_gives_no_placement_instead_of_failing(void **state)
{
    (void)state;
    json_t *plan = ct_plan(APP("{components: " ONE_WEB ", policies: [" TOPO(
                               "{clusterLabelSelector: {provider: GCP}, allowEmpty: true}") "]}"),
                           CT_REG);
    assert_at(plan, "workflow.steps[0].placements", "[]");
    json_decref(plan);
}

static void topology_with_both_or_neither_form_is_a_validation_error(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [" TOPO(
                           "{clusters: [beijing-1], clusterLabelSelector: {provider: AWS}}") "]}"),
                       "spec.policies[0].properties", "not both");
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [" TOPO("{namespace: x}") "]}"),
                       "spec.policies[0].properties", "give clusters");
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [{name: t, type: topology}]}"),
                       "spec.policies[0].properties", "give clusters");
}

static void topology_namespace_defaults_to_the_application_namespace(void **state)
{
    (void)state;
    json_t *plan = ct_plan(
        APP("{components: " ONE_WEB ", policies: [" TOPO("{clusters: [beijing-1]}") "]}"), CT_REG);
    assert_string_equal(ct_placements(plan, 0), "beijing-1/ns1");
    json_decref(plan);
    plan = ct_plan(APP_NS("default", "{components: " ONE_WEB ", policies: [" TOPO(
                                         "{clusters: [beijing-1], namespace: prod}") "]}"),
                   CT_REG);
    assert_string_equal(ct_placements(plan, 0), "beijing-1/prod");
    json_decref(plan);
}

static void topology_placements_are_deduplicated_and_unions_keep_policy_order(void **state)
{
    (void)state;
    json_t *plan = ct_plan(
        APP("{components: " ONE_WEB ", policies: ["
            "{name: a, type: topology, properties: {clusters: [beijing-2, us-west-1]}},"
            "{name: b, type: topology, properties: {clusterLabelSelector: {provider: Aliyun}}},"
            "{name: c, type: topology, properties: {clusters: [beijing-2], namespace: other}}],"
            " workflow: {steps: [{name: s, type: deploy, properties: {policies: [a, b, c]}}]}}"),
        CT_REG);
    assert_string_equal(ct_placements(plan, 0),
                        "beijing-2/ns1,us-west-1/ns1,beijing-1/ns1,beijing-2/other");
    json_decref(plan);
}

static void topology_cluster_listed_twice_is_a_validation_error(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: " ONE_WEB
                           ", policies: [" TOPO("{clusters: [beijing-1, beijing-1]}") "]}"),
                       "spec.policies[0].properties.clusters[1]", "listed twice");
}

static void topology_against_an_open_registry_takes_listed_names_and_matches_no_labels(void **state)
{
    (void)state;
    registry_view open = {NULL, 0, true};
    json_t *plan = ct_plan(APP("{components: " ONE_WEB
                               ", policies: [" TOPO("{clusters: [anything, else]}") "]}"),
                           &open);
    assert_string_equal(ct_placements(plan, 0), "anything/ns1,else/ns1");
    json_decref(plan);
    const char *e = ct_plan_err(APP("{components: " ONE_WEB ", policies: [" TOPO(
                                    "{clusterLabelSelector: {provider: AWS}}") "]}"),
                                &open);
    assert_contains(e, "no cluster matches labels provider=AWS");
}

static void topology_selection_follows_the_registry_at_render_time(void **state)
{
    (void)state;
    /* the same Application, two registries: relabelling changes the placements */
    json_t *aws = ct_yaml("{provider: AWS}");
    json_t *none = ct_yaml("{}");
    cluster_ref before[] = {{"beijing-1", none}, {"us-west-1", none}};
    cluster_ref after[] = {{"beijing-1", none}, {"us-west-1", aws}};
    registry_view r1 = {before, 2, false}, r2 = {after, 2, false};
    const char *yaml = APP("{components: " ONE_WEB ", policies: [" TOPO(
        "{clusterLabelSelector: {provider: AWS}, allowEmpty: true}") "]}");
    json_t *p1 = ct_plan(yaml, &r1);
    json_t *p2 = ct_plan(yaml, &r2);
    assert_string_equal(ct_placements(p1, 0), "");
    assert_string_equal(ct_placements(p2, 0), "us-west-1/ns1");
    json_decref(p1);
    json_decref(p2);
    json_decref(aws);
    json_decref(none);
}

static void labels_match_needs_every_pair_of_the_selector(void **state)
{
    (void)state;
    json_t *labels = ct_yaml("{a: \"1\", b: \"2\"}");
    json_t *s1 = ct_yaml("{a: \"1\"}"), *s2 = ct_yaml("{a: \"1\", b: \"2\"}");
    json_t *s3 = ct_yaml("{a: \"1\", c: \"3\"}"), *s4 = ct_yaml("{a: \"2\"}");
    json_t *empty = ct_yaml("{}");
    assert_true(policy_labels_match(labels, s1));
    assert_true(policy_labels_match(labels, s2));
    assert_false(policy_labels_match(labels, s3));
    assert_false(policy_labels_match(labels, s4));
    assert_false(policy_labels_match(NULL, s1));
    assert_true(policy_labels_match(labels, empty));
    json_decref(labels);
    json_decref(s1);
    json_decref(s2);
    json_decref(s3);
    json_decref(s4);
    json_decref(empty);
}

/* ---- override, directly on component lists ---- */

/* Applies override properties (YAML) to components (YAML); returns the result (new ref). */
#define override(comps, props) override_at(__FILE__, __LINE__, comps, props)
static json_t *override_at(const char *file, int line, const char *comps, const char *props)
{
    json_t *c = ct_yaml(comps), *p = ct_yaml(props);
    verr e;
    if (policy_override_apply(c, p, "spec.policies[0].properties", &e) < 0) {
        print_error("override failed: %s: %s\n", e.path, e.msg);
        json_decref(c);
        json_decref(p);
        _fail(file, line);
    }
    json_decref(p);
    return c;
}

#define THREE                                                                                      \
    "[{name: hello-world-server, type: webservice, properties: {image: a, port: 80}},"             \
    " {name: bg, type: worker, properties: {image: b}},"                                           \
    " {name: web2, type: webservice, properties: {image: c}}]"

static void override_without_name_merges_into_every_component(void **state)
{
    (void)state;
    json_t *c = override(THREE, "{components: [{properties: {cpu: \"1\"}}]}");
    assert_at(c, "[0].properties", "{image: a, port: 80, cpu: \"1\"}");
    assert_at(c, "[1].properties", "{image: b, cpu: \"1\"}");
    assert_at(c, "[2].properties", "{image: c, cpu: \"1\"}");
    json_decref(c);
}

static void override_without_name_with_type_merges_into_components_of_that_type(void **state)
{
    (void)state;
    json_t *c = override(THREE, "{components: [{type: webservice, traits: [{type: scaler, "
                                "properties: {replicas: 5}}]}]}");
    assert_at(c, "[0].traits", "[{type: scaler, properties: {replicas: 5}}]");
    assert_at(c, "[1].traits", "ABSENT");
    assert_at(c, "[2].traits", "[{type: scaler, properties: {replicas: 5}}]");
    assert_at(c, "[1]", "{name: bg, type: worker, properties: {image: b}}");
    json_decref(c);
}

static void override_name_glob_is_anchored_to_the_whole_component_name(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *matched; /* which of the three get cpu: "2", as "1,0,1" */
    } cases[] = {
        {"*server", "1,0,0"},    {"hello-*", "1,0,0"}, {"*", "1,1,1"},        {"web*", "0,0,1"},
        {"*-world-*", "1,0,0"},  {"h*r", "1,0,0"},     {"*server*", "1,0,0"}, {"b*g", "0,1,0"},
        {"*-server-*", "0,0,0"}, {"server*", "0,0,0"}, {"*hello", "0,0,0"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char props[256], got[16];
        snprintf(props, sizeof(props), "{components: [{name: \"%s\", properties: {cpu: \"2\"}}]}",
                 cases[i].name);
        json_t *c = override(THREE, props);
        snprintf(got, sizeof(got), "%d,%d,%d", ct_get(c, "[0].properties.cpu") != NULL,
                 ct_get(c, "[1].properties.cpu") != NULL, ct_get(c, "[2].properties.cpu") != NULL);
        if (strcmp(got, cases[i].matched) != 0 || json_array_size(c) != 3) {
            print_error("name %s: matched %s, want %s (%zu components)\n", cases[i].name, got,
                        cases[i].matched, json_array_size(c));
            failures++;
        }
        json_decref(c);
    }
    assert_int_equal(failures, 0);
}

static void override_name_server_does_not_match_hello_world_server(void **state)
{
    (void)state;
    /* unlike KubeVela's unanchored regex: `server` is a new component, needing a type */
    json_t *comps = ct_yaml(THREE);
    json_t *props = ct_yaml("{components: [{name: server, properties: {cpu: \"2\"}}]}");
    verr e;
    assert_int_equal(policy_override_apply(comps, props, "spec.policies[0].properties", &e), -1);
    assert_string_equal(e.path, "spec.policies[0].properties.components[0]");
    assert_contains(e.msg, "component \"server\" does not exist");
    assert_contains(e.msg, "no type");
    json_decref(comps);
    json_decref(props);

    json_t *c = override(THREE, "{components: [{name: server, type: worker, properties: "
                                "{image: s}}]}");
    assert_int_equal(json_array_size(c), 4);
    assert_at(c, "[0].properties", "{image: a, port: 80}");
    assert_at(c, "[3]", "{name: server, type: worker, properties: {image: s}, traits: []}");
    json_decref(c);
}

static void override_with_a_different_type_replaces_the_component(void **state)
{
    (void)state;
    json_t *c =
        override("[{name: web, type: webservice, properties: {image: a, port: 80, cpu: \"1\"},"
                 " traits: [{type: scaler, properties: {replicas: 3}},"
                 " {type: labels, properties: {a: b}}]}]",
                 "{components: [{name: web, type: worker, properties: {image: w},"
                 " traits: [{type: env, properties: {env: {K: v}}}, {type: scaler, disable: true},"
                 " {type: annotations, properties: {x: y}}]}]}");
    assert_at(c, "[0]",
              "{name: web, type: worker, properties: {image: w}, traits: ["
              "{type: env, properties: {env: {K: v}}},"
              "{type: annotations, properties: {x: y}}]}");
    json_decref(c);
}

static void override_with_the_same_type_merges(void **state)
{
    (void)state;
    json_t *c = override(THREE, "{components: [{name: bg, type: worker, properties: {cpu: "
                                "\"3\"}}]}");
    assert_at(c, "[1].type", "worker");
    assert_at(c, "[1].properties", "{image: b, cpu: \"3\"}");
    json_decref(c);
}

static void override_glob_without_match_appends_nothing(void **state)
{
    (void)state;
    json_t *c = override(THREE, "{components: [{name: \"db-*\", type: worker, properties: "
                                "{image: d}}]}");
    assert_int_equal(json_array_size(c), 3);
    json_decref(c);
}

static void override_appended_component_needs_a_valid_name(void **state)
{
    (void)state;
    json_t *comps = ct_yaml(THREE);
    json_t *props = ct_yaml("{components: [{name: Bad_Name, type: worker, properties: {image: "
                            "d}}]}");
    verr e;
    assert_int_equal(policy_override_apply(comps, props, "p", &e), -1);
    assert_contains(e.msg, "not a valid name");
    json_decref(comps);
    json_decref(props);
}

static void override_deep_merges_maps(void **state)
{
    (void)state;
    json_t *c = override("[{name: w, type: worker, properties: {image: a, labels: {x: \"1\", "
                         "y: \"2\"}, nested: {a: {b: 1, c: 2}}}}]",
                         "{components: [{name: w, properties: {labels: {y: \"3\", z: \"4\"}, "
                         "nested: {a: {c: 5, d: 6}}}}]}");
    assert_at(c, "[0].properties",
              "{image: a, labels: {x: \"1\", y: \"3\", z: \"4\"}, "
              "nested: {a: {b: 1, c: 5, d: 6}}}");
    json_decref(c);
}

static void override_list_in_patch_replaces_whole_list(void **state)
{
    (void)state;
    json_t *c = override("[{name: w, type: worker, properties: {image: a, cmd: [a, b, c], "
                         "env: [{name: A, value: \"1\"}, {name: B, value: \"2\"}]}}]",
                         "{components: [{name: w, properties: {cmd: [z], env: [{name: B, "
                         "value: \"9\"}]}}]}");
    assert_at(c, "[0].properties.cmd", "[z]");
    assert_at(c, "[0].properties.env", "[{name: B, value: \"9\"}]");
    json_decref(c);
}

static void override_scalar_in_patch_wins_even_zero_false_and_empty(void **state)
{
    (void)state;
    json_t *c = override("[{name: w, type: worker, properties: {image: a, n: 5, b: true, s: x, "
                         "m: {k: v}}}]",
                         "{components: [{name: w, properties: {n: 0, b: false, s: \"\", m: "
                         "scalar}}]}");
    assert_at(c, "[0].properties", "{image: a, n: 0, b: false, s: \"\", m: scalar}");
    json_decref(c);
    /* and a map replaces a scalar */
    c = override("[{name: w, type: worker, properties: {image: a, m: 1}}]",
                 "{components: [{name: w, properties: {m: {k: v}}}]}");
    assert_at(c, "[0].properties.m", "{k: v}");
    json_decref(c);
}

static void override_explicit_null_sets_null(void **state)
{
    (void)state;
    json_t *c = override("[{name: w, type: worker, properties: {image: a, cpu: \"1\", labels: "
                         "{a: b}}}]",
                         "{components: [{name: w, properties: {cpu: null, labels: ~}}]}");
    assert_at(c, "[0].properties", "{image: a, cpu: null, labels: null}");
    json_decref(c);
}

static void override_traits_merge_by_type_and_disable_removes(void **state)
{
    (void)state;
    json_t *c = override("[{name: w, type: webservice, properties: {image: a}, traits: ["
                         "{type: scaler, properties: {replicas: 3}},"
                         "{type: gateway, properties: {domain: a.com, http: {/: 80}}},"
                         "{type: labels, properties: {a: b}}]}]",
                         "{components: [{name: w, traits: ["
                         "{type: gateway, properties: {http: {/api: 81}}},"
                         "{type: scaler, disable: true},"
                         "{type: env, properties: {env: {K: v}}},"
                         "{type: annotations, disable: true},"
                         "{type: labels, properties: {c: d}},"
                         "{type: scaler, properties: {replicas: 9}}]}]}");
    /* gateway merged (http map deep-merged), scaler removed then re-added as new (last), env
     * appended, the disabled new annotations ignored, labels merged in place */
    assert_at(c, "[0].traits",
              "[{type: gateway, properties: {domain: a.com, http: {/: 80, /api: 81}}},"
              " {type: labels, properties: {a: b, c: d}},"
              " {type: env, properties: {env: {K: v}}},"
              " {type: scaler, properties: {replicas: 9}}]");
    json_decref(c);
}

static void override_new_traits_are_appended_in_patch_order(void **state)
{
    (void)state;
    json_t *c = override("[{name: w, type: worker, properties: {image: a}, traits: [{type: "
                         "labels, properties: {a: b}}]}]",
                         "{components: [{traits: [{type: scaler}, {type: env, properties: {env: "
                         "{A: b}}}, {type: annotations, properties: {x: y}}]}]}");
    assert_at(c, "[0].traits",
              "[{type: labels, properties: {a: b}}, {type: scaler},"
              " {type: env, properties: {env: {A: b}}}, {type: annotations, properties: {x: y}}]");
    json_decref(c);
}

static void override_selector_filters_components_keeping_their_order(void **state)
{
    (void)state;
    json_t *c = override(THREE, "{components: [{properties: {cpu: \"1\"}}]}");
    assert_int_equal(json_array_size(c), 3); /* absent: keeps all */
    json_decref(c);
    c = override(THREE, "{selector: []}");
    assert_at(c, "", "[]");
    json_decref(c);
    c = override(THREE, "{selector: [web2, hello-world-server, nope]}");
    assert_int_equal(json_array_size(c), 2);
    assert_at(c, "[0].name", "hello-world-server");
    assert_at(c, "[1].name", "web2");
    json_decref(c);
}

static void override_entries_apply_in_order(void **state)
{
    (void)state;
    json_t *c = override(THREE, "{components: [{properties: {cpu: \"1\"}}, {name: bg, "
                                "properties: {cpu: \"2\"}}, {type: worker, properties: {memory: "
                                "1Gi}}]}");
    assert_at(c, "[0].properties.cpu", "\"1\"");
    assert_at(c, "[1].properties", "{image: b, cpu: \"2\", memory: 1Gi}");
    json_decref(c);
}

static void policy_merge_is_a_deep_merge(void **state)
{
    (void)state;
    json_t *dst = ct_yaml("{a: {b: 1, c: [1, 2]}, d: x, e: {f: 1}}");
    json_t *patch = ct_yaml("{a: {c: [3], g: null}, d: {h: 1}, e: 2, i: true}");
    policy_merge(dst, patch);
    assert_at(dst, "", "{a: {b: 1, c: [3], g: null}, d: {h: 1}, e: 2, i: true}");
    /* the patch is copied, not shared */
    json_array_append_new(ct_get(patch, "a.c"), json_integer(4));
    assert_at(dst, "a.c", "[3]");
    json_decref(dst);
    json_decref(patch);
}

/* ---- override through plans ---- */

#define OVR_APP(policies, steps)                                                                   \
    APP("{components: [{name: hello-world-server, type: webservice, properties: {image: a,"        \
        " port: 80}, traits: [{type: scaler, properties: {replicas: 3}}]},"                        \
        " {name: bg, type: worker, properties: {image: b}}], policies: [" policies "]" steps "}")

static void several_overrides_in_a_step_apply_in_the_order_the_step_lists_them(void **state)
{
    (void)state;
#define POLS                                                                                       \
    "{name: t, type: topology, properties: {clusters: [beijing-1]}},"                              \
    "{name: two, type: override, properties: {components: [{type: webservice, "                    \
    "traits: [{type: scaler, properties: {replicas: 2}}]}]}},"                                     \
    "{name: five, type: override, properties: {components: [{type: "                               \
    "webservice, traits: [{type: scaler, properties: {replicas: 5}}]}]}}"
    const char *full = OVR_APP(POLS, ", workflow: {steps: [{name: a, type: deploy, properties: "
                                     "{policies: [t, two, five]}}, {name: b, type: deploy, "
                                     "properties: {policies: [five, two, t]}}]}");
#undef POLS
    json_t *plan = ct_plan(full, CT_REG);
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "5");
    assert_at(plan, "workflow.steps[1].placements[0].manifests[0].spec.replicas", "2");
    json_decref(plan);
}

static void override_applies_to_every_placement_of_the_step_only(void **state)
{
    (void)state;
    json_t *plan = ct_plan(
        OVR_APP("{name: bj, type: topology, properties: {clusters: [beijing-1, beijing-2]}},"
                "{name: aws, type: topology, properties: {clusterLabelSelector: {provider: AWS}}},"
                "{name: ha, type: override, properties: {components: [{type: webservice, traits: "
                "[{type: scaler, properties: {replicas: 5}}]}]}}",
                ", workflow: {steps: [{name: deploy-bj, type: deploy, properties: {policies: "
                "[bj]}}, {name: deploy-aws, type: deploy, properties: {policies: [ha, aws]}}]}"),
        CT_REG);
    assert_string_equal(ct_placements(plan, 0), "beijing-1/ns1,beijing-2/ns1");
    assert_string_equal(ct_placements(plan, 1), "eu-1/ns1,us-west-1/ns1");
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "3");
    assert_at(plan, "workflow.steps[0].placements[1].manifests[0].spec.replicas", "3");
    assert_at(plan, "workflow.steps[1].placements[0].manifests[0].spec.replicas", "5");
    assert_at(plan, "workflow.steps[1].placements[1].manifests[0].spec.replicas", "5");
    json_decref(plan);
}

static void override_selector_limits_what_the_step_deploys(void **state)
{
    (void)state;
    json_t *plan = ct_plan(OVR_APP("{name: only-bg, type: override, properties: {selector: "
                                   "[bg]}}",
                                   ""),
                           CT_REG);
    assert_at(plan, "workflow.steps[0].placements[0].components",
              "[{name: bg, type: worker, traits: []}]");
    assert_int_equal(json_array_size(ct_get(plan, "workflow.steps[0].placements[0].manifests")), 1);
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].metadata.name", "bg");
    json_decref(plan);
}

static void override_result_is_validated_before_rendering(void **state)
{
    (void)state;
    /* a scaler merged into a task is invalid after the override */
    const char *e = ct_plan_err(
        APP("{components: [{name: t, type: task, properties: {image: b}}], policies: ["
            "{name: o, type: override, properties: {components: [{name: t, traits: [{type: "
            "scaler}]}]}}]}"),
        CT_REG);
    assert_contains(e, "component \"t\" after overrides");
    assert_contains(e, "does not apply to component type \"task\"");
    /* a property removed by a null that is required */
    e = ct_plan_err(APP("{components: [{name: w, type: worker, properties: {image: b}}], "
                        "policies: [{name: o, type: override, properties: {components: [{name: "
                        "w, properties: {image: null}}]}}]}"),
                    CT_REG);
    assert_contains(e, "required field \"image\"");
}

static void override_entry_is_validated_against_its_type(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [{name: o, type: override, "
                           "properties: {components: [{type: worker, properties: {cmd: 80}}]}}]}"),
                       "spec.policies[0].properties.components[0].properties.cmd",
                       "expected a list of strings");
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [{name: o, type: override, "
                           "properties: {components: [{type: cron}]}}]}"),
                       "spec.policies[0].properties.components[0].type",
                       "unknown component type \"cron\"");
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [{name: o, type: override, "
                           "properties: {components: [{traits: [{type: autoscaler}]}]}}]}"),
                       "spec.policies[0].properties.components[0].traits[0].type",
                       "unknown trait type \"autoscaler\"");
    assert_parse_fails(APP("{components: " ONE_WEB ", policies: [{name: o, type: override, "
                           "properties: {components: [{traits: [{type: scaler, disable: yes}]}]}}"
                           "]}"),
                       "traits[0].disable", "boolean");
    /* partial properties are fine in a patch (no image) */
    app *a = ct_parse(APP("{components: " ONE_WEB ", policies: [{name: o, type: override, "
                          "properties: {components: [{type: webservice, properties: {port: "
                          "80}}]}}]}"));
    app_free(a);
}

static void override_appending_a_component_renders_it(void **state)
{
    (void)state;
    json_t *plan = ct_plan(OVR_APP("{name: add, type: override, properties: {components: [{name: "
                                   "cache, type: worker, properties: {image: redis}}]}}",
                                   ""),
                           CT_REG);
    assert_at(plan, "workflow.steps[0].placements[0].components[2].name", "cache");
    assert_non_null(
        ct_find(ct_get(plan, "workflow.steps[0].placements[0].manifests"), "Deployment", "cache"));
    json_decref(plan);
    /* appended without a type: the step fails at render time */
    const char *e = ct_plan_err(OVR_APP("{name: add, type: override, properties: {components: "
                                        "[{name: cache, properties: {image: redis}}]}}",
                                        ""),
                                CT_REG);
    assert_contains(e, "component \"cache\" does not exist, and the entry has no type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(topology_clusters_keep_the_listed_order),
        cmocka_unit_test(topology_unknown_cluster_fails_with_cluster_not_found),
        cmocka_unit_test(topology_label_selector_matches_all_pairs_ordered_by_name),
        cmocka_unit_test(topology_selector_without_match_fails_naming_the_labels),
        cmocka_unit_test(topology_allow_empty_gives_no_placement_instead_of_failing),
        cmocka_unit_test(topology_with_both_or_neither_form_is_a_validation_error),
        cmocka_unit_test(topology_namespace_defaults_to_the_application_namespace),
        cmocka_unit_test(topology_placements_are_deduplicated_and_unions_keep_policy_order),
        cmocka_unit_test(topology_cluster_listed_twice_is_a_validation_error),
        cmocka_unit_test(
            topology_against_an_open_registry_takes_listed_names_and_matches_no_labels),
        cmocka_unit_test(topology_selection_follows_the_registry_at_render_time),
        cmocka_unit_test(labels_match_needs_every_pair_of_the_selector),
        cmocka_unit_test(override_without_name_merges_into_every_component),
        cmocka_unit_test(override_without_name_with_type_merges_into_components_of_that_type),
        cmocka_unit_test(override_name_glob_is_anchored_to_the_whole_component_name),
        cmocka_unit_test(override_name_server_does_not_match_hello_world_server),
        cmocka_unit_test(override_with_a_different_type_replaces_the_component),
        cmocka_unit_test(override_with_the_same_type_merges),
        cmocka_unit_test(override_glob_without_match_appends_nothing),
        cmocka_unit_test(override_appended_component_needs_a_valid_name),
        cmocka_unit_test(override_deep_merges_maps),
        cmocka_unit_test(override_list_in_patch_replaces_whole_list),
        cmocka_unit_test(override_scalar_in_patch_wins_even_zero_false_and_empty),
        cmocka_unit_test(override_explicit_null_sets_null),
        cmocka_unit_test(override_traits_merge_by_type_and_disable_removes),
        cmocka_unit_test(override_new_traits_are_appended_in_patch_order),
        cmocka_unit_test(override_selector_filters_components_keeping_their_order),
        cmocka_unit_test(override_entries_apply_in_order),
        cmocka_unit_test(policy_merge_is_a_deep_merge),
        cmocka_unit_test(several_overrides_in_a_step_apply_in_the_order_the_step_lists_them),
        cmocka_unit_test(override_applies_to_every_placement_of_the_step_only),
        cmocka_unit_test(override_selector_limits_what_the_step_deploys),
        cmocka_unit_test(override_result_is_validated_before_rendering),
        cmocka_unit_test(override_entry_is_validated_against_its_type),
        cmocka_unit_test(override_appending_a_component_renders_it),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}
