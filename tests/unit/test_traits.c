/* The catalog traits' health judges (docs/application.md): what a worker reports for the live
 * object a trait outputs. Rendering is covered by the golden files (tests/golden/trait-*). */
#include "coretest.h"

struct trait_health_case {
    const char *props; /* YAML, or NULL */
    const char *live;  /* YAML, or NULL: the object does not exist */
    bool healthy;
    const char *msg;
};

/* Runs the cases through the trait's judge; returns the number of failures. */
static int run_trait_health(const char *type, const struct trait_health_case *cases, size_t n)
{
    const trait_def *def = trait_def_find(type);
    int failures = 0;
    assert_non_null(def);
    assert_non_null(def->health);
    for (size_t i = 0; i < n; i++) {
        json_t *props = cases[i].props ? ct_yaml(cases[i].props) : NULL;
        json_t *live = cases[i].live ? ct_yaml(cases[i].live) : NULL;
        health h = {live != NULL, ""};
        def->health(props, live, &h);
        if (h.healthy != cases[i].healthy || strcmp(h.msg, cases[i].msg) != 0) {
            print_error("%s case %zu: got healthy=%d msg=\"%s\", want %d \"%s\"\n", type, i,
                        h.healthy, h.msg, cases[i].healthy, cases[i].msg);
            failures++;
        }
        json_decref(props);
        json_decref(live);
    }
    return failures;
}

static void expose_load_balancer_is_healthy_once_it_has_an_ip(void **state)
{
    (void)state;
    static const struct trait_health_case cases[] = {
        {NULL, NULL, false, "Service not found"},
        {NULL, "{spec: {type: LoadBalancer}}", false, "ExternalIP: Pending"},
        {NULL, "{spec: {type: LoadBalancer}, status: {loadBalancer: {ingress: []}}}", false,
         "ExternalIP: Pending"},
        {NULL, "{spec: {type: LoadBalancer}, status: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}}",
         true, "ExternalIP: 1.2.3.4"},
        {NULL, "{spec: {type: ClusterIP, clusterIP: 10.0.0.7}}", true, "ClusterIP: 10.0.0.7"},
        {NULL, "{spec: {type: NodePort}}", true, ""},
    };
    assert_int_equal(run_trait_health("expose", cases, ARRAY_LEN(cases)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expose_load_balancer_is_healthy_once_it_has_an_ip),
    };
    return cmocka_run_group_tests(tests, ct_teardown_registry, NULL);
}
