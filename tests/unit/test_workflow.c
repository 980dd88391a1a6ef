/* The workflow (docs/application.md): the default workflow generated from the policies, explicit
 * steps and modes, deploy and suspend step properties, timeouts, references, and the walkthrough's
 * three Applications rendered end to end. */
#include "coretest.h"

#define COMPS "components: [" WEB("", "{type: scaler, properties: {replicas: 3}}") "]"
#define T(name, clusters) "{name: " name ", type: topology, properties: {clusters: " clusters "}}"
#define O(name, replicas)                                                                          \
    "{name: " name ", type: override, properties: {components: [{type: webservice, traits: "       \
    "[{type: scaler, properties: {replicas: " replicas "}}]}]}}"

static void default_workflow_has_one_deploy_step_per_topology_in_spec_order(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{" COMPS ", policies: [" T("bj", "[beijing-1, beijing-2]") "," O(
        "ha", "5") "," T("aws", "[us-west-1]") "," O("big", "9") "]}"));
    assert_true(a->default_workflow);
    assert_int_equal(a->mode, WF_DAG);
    assert_int_equal(a->nsteps, 2);
    assert_string_equal(a->steps[0].name, "deploy-bj");
    assert_string_equal(a->steps[1].name, "deploy-aws");
    assert_int_equal(a->steps[0].type, STEP_DEPLOY);
    /* every override in spec order, then the topology */
    assert_at(a->steps[0].policies, "", "[ha, big, bj]");
    assert_at(a->steps[1].policies, "", "[ha, big, aws]");
    assert_at(a->workflow, "mode", "DAG");
    assert_int_equal(a->steps[0].parallelism, APP_DEFAULT_PARALLELISM);
    assert_true(a->steps[0].auto_run);
    assert_int_equal(json_array_size(a->steps[0].depends_on), 0);
    app_free(a);
}

static void default_step_name_may_exceed_63_characters_for_a_long_topology_name(void **state)
{
    (void)state;
    /* a 63-character policy name is valid, so "deploy-" + it must be too */
#define LONG63                                                                                     \
    "t"                                                                                            \
    "2345678901"                                                                                   \
    "2345678901"                                                                                   \
    "2345678901"                                                                                   \
    "2345678901"                                                                                   \
    "2345678901"                                                                                   \
    "2345678901"                                                                                   \
    "23"
    app *a = ct_parse(APP("{" COMPS ", policies: [" T(LONG63, "[beijing-1]") "]}"));
    assert_int_equal(strlen(LONG63), 63);
    assert_int_equal(strlen(a->steps[0].name), 70);
    assert_string_equal(a->steps[0].name, "deploy-" LONG63);
#undef LONG63
    app_free(a);
}

static void default_workflow_renders_dag_with_overrides_applied(void **state)
{
    (void)state;
    json_t *plan = ct_plan(
        APP("{" COMPS ", policies: [" T("bj", "[beijing-1]") "," O("ha", "5") "]}"), CT_REG);
    assert_at(plan, "workflow.mode", "DAG");
    assert_at(plan, "workflow.steps[0].name", "deploy-bj");
    assert_at(plan, "workflow.steps[0].policies", "[ha, bj]");
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "5");
    assert_at(plan, "application", "{name: app1, namespace: ns1}");
    json_decref(plan);
}

static void default_workflow_without_topology_deploys_to_local(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{" COMPS ", policies: [" O("ha", "5") "]}"));
    assert_int_equal(a->nsteps, 1);
    assert_string_equal(a->steps[0].name, "deploy");
    assert_at(a->steps[0].policies, "", "[ha]");
    app_free(a);
    json_t *plan = ct_plan(APP("{" COMPS ", policies: [" O("ha", "5") "]}"), CT_REG);
    assert_string_equal(ct_placements(plan, 0), "local/ns1");
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "5");
    json_decref(plan);
    /* no policies at all */
    plan = ct_plan(APP("{" COMPS "}"), CT_REG);
    assert_at(plan, "workflow.steps[0].name", "deploy");
    assert_at(plan, "workflow.steps[0].policies", "[]");
    assert_string_equal(ct_placements(plan, 0), "local/ns1");
    json_decref(plan);
}

static void deploying_to_local_fails_clearly_when_no_local_cluster_is_joined(void **state)
{
    (void)state;
    const char *e = ct_plan_err(APP("{" COMPS "}"), CT_REG_NO_LOCAL);
    assert_contains(e, "step \"deploy\"");
    assert_contains(e, "\"local\"");
    assert_contains(e, "not joined");
    /* an explicit deploy step without topology too */
    e = ct_plan_err(APP("{" COMPS ", workflow: {steps: [{name: s, type: deploy}]}}"),
                    CT_REG_NO_LOCAL);
    assert_contains(e, "\"local\"");
}

static void explicit_steps_default_to_step_by_step(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{" COMPS ", policies: [" T(
        "bj", "[beijing-1]") "], workflow: {steps: "
                             "[{name: one, type: deploy, properties: {policies: [bj]}}]}}"));
    assert_false(a->default_workflow);
    assert_int_equal(a->mode, WF_STEP_BY_STEP);
    assert_string_equal(wf_mode_name(a->mode), "StepByStep");
    app_free(a);
    a = ct_parse(APP("{" COMPS ", workflow: {mode: {steps: StepByStep}, steps: []}}"));
    assert_int_equal(a->mode, WF_STEP_BY_STEP);
    assert_int_equal(a->nsteps, 0);
    app_free(a);
}

static void workflow_mode_steps_dag_makes_a_dag(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{" COMPS ", workflow: {mode: {steps: DAG}, steps: [{name: a, type: "
                          "deploy}, {name: b, type: suspend, dependsOn: [a]}]}}"));
    assert_int_equal(a->mode, WF_DAG);
    assert_at(a->workflow, "mode", "DAG");
    assert_at(a->steps[1].depends_on, "", "[a]");
    app_free(a);
    json_t *plan = ct_plan(APP("{" COMPS ", workflow: {mode: {steps: DAG}, steps: [{name: a, "
                               "type: deploy}, {name: b, type: suspend, dependsOn: [a]}]}}"),
                           CT_REG);
    assert_at(plan, "workflow.mode", "DAG");
    assert_at(plan, "workflow.steps[1]", "{name: b, type: suspend, dependsOn: [a]}");
    assert_at(plan, "workflow.steps[0].dependsOn", "ABSENT");
    json_decref(plan);
    assert_parse_fails(APP("{" COMPS ", workflow: {mode: {steps: Parallel}, steps: []}}"),
                       "spec.workflow.mode.steps", "\"Parallel\" is not one of: DAG, StepByStep");
}

static void step_depends_on_must_name_an_existing_step_without_cycles(void **state)
{
    (void)state;
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend, dependsOn: "
                           "[zz]}]}}"),
                       "spec.workflow.steps[0].dependsOn[0]", "step \"zz\" not found");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend, dependsOn: "
                           "[a]}]}}"),
                       "spec.workflow.steps[0].dependsOn[0]", "cannot depend on itself");
    assert_parse_fails(APP("{" COMPS ", workflow: {mode: {steps: DAG}, steps: ["
                           "{name: a, type: suspend, dependsOn: [c]},"
                           "{name: b, type: suspend, dependsOn: [a]},"
                           "{name: c, type: suspend, dependsOn: [b]}]}}"),
                       "dependsOn", "cycle");
    app *a = ct_parse(APP("{" COMPS ", workflow: {mode: {steps: DAG}, steps: ["
                          "{name: a, type: suspend}, {name: b, type: suspend, dependsOn: [a]},"
                          "{name: c, type: suspend, dependsOn: [a, b]}]}}"));
    assert_at(a->steps[2].depends_on, "", "[a, b]");
    assert_non_null(app_step_find(a, "c"));
    assert_null(app_step_find(a, "d"));
    app_free(a);
}

static void component_depends_on_must_name_an_existing_component_without_cycles(void **state)
{
    (void)state;
    assert_parse_fails(APP("{components: [{name: a, type: worker, properties: {image: x}, "
                           "dependsOn: [b]}]}"),
                       "spec.components[0].dependsOn[0]", "component \"b\" not found");
    assert_parse_fails(APP("{components: [{name: a, type: worker, properties: {image: x}, "
                           "dependsOn: [b]}, {name: b, type: worker, properties: {image: x}, "
                           "dependsOn: [a]}]}"),
                       "dependsOn", "cycle");
}

static void deploy_step_properties_default_parallelism_5_and_auto_true(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{" COMPS ", policies: [" T(
        "bj",
        "[beijing-1]") "], workflow: {steps: "
                       "[{name: a, type: deploy, properties: {policies: [bj]}},"
                       " {name: b, type: deploy, properties: {policies: [bj], parallelism: 2, "
                       "auto: false}}]}}"));
    assert_int_equal(a->steps[0].parallelism, 5);
    assert_true(a->steps[0].auto_run);
    assert_int_equal(a->steps[1].parallelism, 2);
    assert_false(a->steps[1].auto_run);
    assert_at(a->steps[1].policies, "", "[bj]");
    app_free(a);
    json_t *plan = ct_plan(
        APP("{" COMPS ", policies: [" T(
            "bj", "[beijing-1]") "], workflow: {"
                                 "steps: [{name: a, type: deploy, properties: {policies: [bj]}},"
                                 " {name: b, type: deploy, properties: {policies: [bj], "
                                 "parallelism: 2, auto: false}}]}}"),
        CT_REG);
    assert_at(plan, "workflow.steps[0].parallelism", "5");
    assert_at(plan, "workflow.steps[0].auto", "ABSENT");
    assert_at(plan, "workflow.steps[1].parallelism", "2");
    assert_at(plan, "workflow.steps[1].auto", "false");
    json_decref(plan);
}

static void deploy_step_properties_are_checked(void **state)
{
    (void)state;
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: deploy, properties: "
                           "{parallelism: 0}}]}}"),
                       "spec.workflow.steps[0].properties.parallelism", "out of range");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: deploy, properties: "
                           "{auto: \"no\"}}]}}"),
                       "spec.workflow.steps[0].properties.auto", "boolean");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: deploy, properties: "
                           "{policy: x}}]}}"),
                       "spec.workflow.steps[0].properties.policy", "unknown field \"policy\"",
                       "policies, parallelism, auto");
}

static void step_referencing_an_unknown_policy_fails_with_policy_not_found(void **state)
{
    (void)state;
    assert_parse_fails(
        APP("{" COMPS ", policies: [" T(
            "bj", "[beijing-1]") "], workflow: {steps: "
                                 "[{name: a, type: deploy, properties: {policies: [bj, nope]}}]}}"),
        "spec.workflow.steps[0].properties.policies[1]", "policy \"nope\" not found", "bj");
    /* placements resolved on an app whose step names a policy that is not there */
    app *a = ct_parse(APP("{" COMPS ", workflow: {steps: [{name: a, type: deploy}]}}"));
    json_t *names = json_pack("[s]", "ghost");
    app_step s = a->steps[0];
    s.policies = names;
    json_t *out = NULL;
    verr e;
    assert_int_equal(policy_placements(a, &s, CT_REG, &out, &e), -1);
    assert_contains(e.msg, "policy \"ghost\" not found");
    assert_null(out);
    json_decref(names);
    app_free(a);
}

static void suspend_step_waits_for_resume_or_its_duration(void **state)
{
    (void)state;
    app *a = ct_parse(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend},"
                          " {name: b, type: suspend, properties: {duration: 30s}}]}}"));
    assert_int_equal(a->steps[0].type, STEP_SUSPEND);
    assert_int_equal(a->steps[0].duration_ms, -1);
    assert_int_equal(a->steps[1].duration_ms, 30000);
    app_free(a);
    json_t *plan = ct_plan(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend},"
                               " {name: b, type: suspend, properties: {duration: 1m30s}}]}}"),
                           CT_REG);
    assert_at(plan, "workflow.steps[0]", "{name: a, type: suspend}");
    assert_at(plan, "workflow.steps[1]", "{name: b, type: suspend, durationMs: 90000}");
    json_decref(plan);
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend, properties: "
                           "{duration: soon}}]}}"),
                       "spec.workflow.steps[0].properties.duration", "\"soon\" is not a duration");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend, properties: "
                           "{policies: [x]}}]}}"),
                       "spec.workflow.steps[0].properties.policies", "unknown field");
}

static void step_timeout_defaults_to_10m_and_parses_durations(void **state)
{
    (void)state;
    static const struct {
        const char *timeout;
        int64_t ms; /* -1: invalid */
    } cases[] = {
        {NULL, 600000},  {"30s", 30000}, {"10m", 600000}, {"1h30m", 5400000}, {"500ms", 500},
        {"2h", 7200000}, {"1.5s", 1500}, {"ten", -1},     {"10", -1},         {"", -1},
        {"0s", -1},      {"-5s", -1},    {"10x", -1},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char yaml[512], t[64] = "";
        if (cases[i].timeout)
            snprintf(t, sizeof(t), ", timeout: \"%s\"", cases[i].timeout);
        snprintf(yaml, sizeof(yaml),
                 APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend%s}"
                     "]}}"),
                 t);
        app *a = NULL;
        char err[1024];
        int rc = app_parse(yaml, strlen(yaml), &a, err, sizeof(err));
        if (cases[i].ms < 0) {
            if (rc == 0 || !strstr(err, "spec.workflow.steps[0].timeout") ||
                !strstr(err, "is not a duration")) {
                print_error("timeout \"%s\": expected a duration error, got rc=%d %s\n",
                            cases[i].timeout, rc, rc ? err : "");
                failures++;
            }
        } else if (rc != 0 || a->steps[0].timeout_ms != cases[i].ms) {
            print_error("timeout %s: rc=%d %s, ms=%lld want %lld\n",
                        cases[i].timeout ? cases[i].timeout : "(default)", rc, rc ? err : "",
                        rc ? -1LL : (long long)a->steps[0].timeout_ms, (long long)cases[i].ms);
            failures++;
        }
        app_free(a);
    }
    assert_int_equal(failures, 0);
    assert_int_equal(APP_DEFAULT_STEP_TIMEOUT_MS, 600000);
}

static void unknown_step_type_lists_the_known_types(void **state)
{
    (void)state;
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: notification}]}}"),
                       "spec.workflow.steps[0].type", "unknown step type \"notification\"",
                       "deploy, suspend");
}

static void duplicate_step_names_are_an_error(void **state)
{
    (void)state;
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend}, {name: b, "
                           "type: suspend}, {name: a, type: deploy}]}}"),
                       "spec.workflow.steps[2].name", "duplicate step name \"a\"");
}

static void workflow_needs_steps_and_known_fields(void **state)
{
    (void)state;
    assert_parse_fails(APP("{" COMPS ", workflow: {mode: {steps: DAG}}}"), "spec.workflow.steps",
                       "required field \"steps\"");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [], ref: x}}"), "spec.workflow.ref",
                       "unknown field");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [], mode: {steps: DAG, other: x}}}"),
                       "spec.workflow.mode.other", "unknown field");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [{name: a, type: suspend, when: x}]}}"),
                       "spec.workflow.steps[0].when", "unknown field \"when\"");
    assert_parse_fails(APP("{" COMPS ", workflow: {steps: [a, b]}}"), "spec.workflow.steps[0]",
                       "expected a map");
}

/* ---- the walkthrough's three Applications ---- */

static char *read_example(const char *name, size_t *len)
{
    char path[512], err[256];
    char *buf = NULL;
    snprintf(path, sizeof(path), "%s/examples/%s", VELA_SOURCE_DIR, name);
    if (read_file(path, 1 << 20, &buf, len, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return buf;
}

static json_t *seed_plan(const char *name)
{
    size_t len;
    char *buf = read_example(name, &len);
    json_t *none = json_object(), *aws = json_pack("{s:s}", "provider", "AWS");
    cluster_ref refs[] = {{"beijing-1", none}, {"beijing-2", none}, {"us-west-1", aws}};
    registry_view reg = {refs, 3, false};
    app *a = NULL;
    json_t *plan = NULL;
    verr e;
    if (app_parse(buf, len, &a, ct_err, sizeof(ct_err)) < 0)
        fail_msg("%s: %s", name, ct_err);
    if (render_plan(a, &reg, &plan, &e) < 0)
        fail_msg("%s: %s: %s", name, e.path, e.msg);
    app_free(a);
    free(buf);
    json_decref(none);
    json_decref(aws);
    return plan;
}

static void seed_basic_deploys_to_beijing_1_and_beijing_2(void **state)
{
    (void)state;
    json_t *plan = seed_plan("basic.yaml");
    assert_at(plan, "workflow.mode", "DAG");
    assert_int_equal(json_array_size(ct_get(plan, "workflow.steps")), 1);
    assert_at(plan, "workflow.steps[0].name", "deploy-beijing-clusters");
    assert_string_equal(ct_placements(plan, 0), "beijing-1/default,beijing-2/default");
    assert_at(plan, "workflow.steps[0].placements[1].manifests[0].spec.replicas", "3");
    json_decref(plan);
}

static void seed_intermediate_adds_us_west_1_by_provider_label(void **state)
{
    (void)state;
    json_t *plan = seed_plan("intermediate.yaml");
    assert_at(plan, "workflow.mode", "DAG");
    assert_at(plan, "workflow.steps[1].name", "deploy-topology-aws");
    assert_string_equal(ct_placements(plan, 0), "beijing-1/default,beijing-2/default");
    assert_string_equal(ct_placements(plan, 1), "us-west-1/default");
    json_decref(plan);
}

static void seed_advanced_is_step_by_step_with_3_replicas_in_beijing_and_5_in_us_west(void **state)
{
    (void)state;
    json_t *plan = seed_plan("advanced.yaml");
    assert_at(plan, "workflow.mode", "StepByStep");
    assert_at(plan, "workflow.steps[0].name", "deploy-beijing");
    assert_at(plan, "workflow.steps[1].name", "deploy-aws");
    assert_string_equal(ct_placements(plan, 0), "beijing-1/default,beijing-2/default");
    assert_string_equal(ct_placements(plan, 1), "us-west-1/default");
    assert_at(plan, "workflow.steps[0].placements[0].manifests[0].spec.replicas", "3");
    assert_at(plan, "workflow.steps[0].placements[1].manifests[0].spec.replicas", "3");
    assert_at(plan, "workflow.steps[1].placements[0].manifests[0].spec.replicas", "5");
    json_decref(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_workflow_has_one_deploy_step_per_topology_in_spec_order),
        cmocka_unit_test(default_step_name_may_exceed_63_characters_for_a_long_topology_name),
        cmocka_unit_test(default_workflow_renders_dag_with_overrides_applied),
        cmocka_unit_test(default_workflow_without_topology_deploys_to_local),
        cmocka_unit_test(deploying_to_local_fails_clearly_when_no_local_cluster_is_joined),
        cmocka_unit_test(explicit_steps_default_to_step_by_step),
        cmocka_unit_test(workflow_mode_steps_dag_makes_a_dag),
        cmocka_unit_test(step_depends_on_must_name_an_existing_step_without_cycles),
        cmocka_unit_test(component_depends_on_must_name_an_existing_component_without_cycles),
        cmocka_unit_test(deploy_step_properties_default_parallelism_5_and_auto_true),
        cmocka_unit_test(deploy_step_properties_are_checked),
        cmocka_unit_test(step_referencing_an_unknown_policy_fails_with_policy_not_found),
        cmocka_unit_test(suspend_step_waits_for_resume_or_its_duration),
        cmocka_unit_test(step_timeout_defaults_to_10m_and_parses_durations),
        cmocka_unit_test(unknown_step_type_lists_the_known_types),
        cmocka_unit_test(duplicate_step_names_are_an_error),
        cmocka_unit_test(workflow_needs_steps_and_known_fields),
        cmocka_unit_test(seed_basic_deploys_to_beijing_1_and_beijing_2),
        cmocka_unit_test(seed_intermediate_adds_us_west_1_by_provider_label),
        cmocka_unit_test(seed_advanced_is_step_by_step_with_3_replicas_in_beijing_and_5_in_us_west),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}
