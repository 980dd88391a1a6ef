/* The pure-ingress trait's health (common/model/traits/trait_pure_ingress.c): KubeVela's
 * custom status messages from the live Ingress. */
#include "coretest.h"

static void judge(const char *live_json, bool healthy, const char *msg)
{
    const trait_def *def = trait_def_find("pure-ingress");
    json_t *live = live_json ? json_loads(live_json, 0, NULL) : NULL;
    health h;

    assert_non_null(def);
    assert_true(live_json == NULL || live != NULL);
    def->health(NULL, live, &h);
    assert_int_equal(h.healthy, healthy);
    assert_string_equal(h.msg, msg);
    json_decref(live);
}

#define PURE_INGRESS_META                                                                          \
    "\"metadata\":{\"labels\":{\"app.oam.dev/name\":\"shop\"}},"                                   \
    "\"spec\":{\"rules\":[{\"host\":\"shop.example.com\"}]}"

static void messages_follow_the_load_balancer(void **state)
{
    (void)state;
    judge(NULL, false, "Ingress not found");
    judge("{" PURE_INGRESS_META "}", true,
          "No loadBalancer found, visiting by using 'vela port-forward shop --route'");
    judge("{" PURE_INGRESS_META ",\"status\":{\"loadBalancer\":{\"ingress\":[]}}}", true, "");
    judge("{" PURE_INGRESS_META
          ",\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"10.0.0.9\"}]}}}",
          true, "Visiting URL: shop.example.com, IP: 10.0.0.9");
    judge("{" PURE_INGRESS_META
          ",\"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":\"lb.example\"}]}}}",
          true, "Visiting URL: shop.example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_follow_the_load_balancer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
