/* Property schemas (common/model/propspec.h): the kinds added for the trait catalog, a map
 * described by nested fields and a value of any type. */
#include "coretest.h"

#include "model/propspec.h"

static const prop_spec inner_fields[] = {
    {"port", PROP_INT, PROP_REQUIRED, NULL, NULL, 1, 65535},
    {"path", PROP_STRING, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const prop_spec outer_fields[] = {
    {"httpGet", PROP_OBJECT, 0, inner_fields, NULL, 0, 0},
    {"value", PROP_ANY, 0, NULL, NULL, 0, 0},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

/* Checks the properties written as YAML; returns prop_check's status, the message in e. */
static int check(const char *yaml, bool enforce_required, verr *e)
{
    json_t *v = ct_yaml(yaml);
    int rc = prop_check(v, outer_fields, "p", enforce_required, e);
    json_decref(v);
    return rc;
}

static void object_fields_are_checked_with_their_nested_path(void **state)
{
    (void)state;
    verr e;
    assert_int_equal(check("{httpGet: {port: 80, path: /}}", true, &e), 0);
    assert_int_equal(check("{httpGet: {port: 0}}", true, &e), -1);
    assert_string_equal(e.path, "p.httpGet.port");
    ct_contains_at(__FILE__, __LINE__, e.msg, "out of range");
    assert_int_equal(check("{httpGet: {port: 80, verb: GET}}", true, &e), -1);
    assert_string_equal(e.path, "p.httpGet.verb");
    ct_contains_at(__FILE__, __LINE__, e.msg, "unknown field \"verb\"; known fields: port, path");
}

static void object_required_fields_follow_enforce_required(void **state)
{
    (void)state;
    verr e;
    assert_int_equal(check("{httpGet: {path: /}}", true, &e), -1);
    assert_string_equal(e.path, "p.httpGet.port");
    ct_contains_at(__FILE__, __LINE__, e.msg, "required field \"port\" is missing");
    assert_int_equal(check("{httpGet: {path: /}}", false, &e), 0);
}

static void object_must_be_a_map(void **state)
{
    (void)state;
    verr e;
    assert_int_equal(check("{httpGet: [80]}", true, &e), -1);
    assert_string_equal(e.path, "p.httpGet");
    ct_contains_at(__FILE__, __LINE__, e.msg, "expected a map, got list");
}

static void any_takes_every_value(void **state)
{
    (void)state;
    verr e;
    static const char *const values[] = {"{value: 1}", "{value: x}", "{value: [1, {a: b}]}",
                                         "{value: {a: [true]}}", "{value: false}"};
    int failures = 0;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        failures += check(values[i], true, &e) != 0;
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_fields_are_checked_with_their_nested_path),
        cmocka_unit_test(object_required_fields_follow_enforce_required),
        cmocka_unit_test(object_must_be_a_map),
        cmocka_unit_test(any_takes_every_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
