/* JSON Patch, JSON Merge Patch and JSON Pointer (common/model/jsonpatch.h): the examples of
 * RFC 6902 appendix A, RFC 7396 appendix A and RFC 6901 section 5, and the failures a
 * json-patch trait reports (operation index and path). */
#include "coretest.h"

#include "model/jsonpatch.h"

static json_t *js(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad JSON in the test: %s: %s", text, je.text);
    return v;
}

/* Applies patch to doc; want is the expected document, or NULL when the patch must fail with
 * an error containing msg at operation index failed_at. */
static void patch_case(const char *doc, const char *patch, const char *want, size_t failed_at,
                       const char *msg)
{
    json_t *d = js(doc), *p = js(patch), *out = NULL;
    size_t failed = 99;
    char err[512] = "";
    int rc = jsonpatch_apply(d, p, &out, &failed, err, sizeof(err));

    if (want) {
        json_t *w = js(want);
        if (rc != 0)
            fail_msg("%s on %s: %s", patch, doc, err);
        if (!json_equal(out, w)) {
            char *got = json_dumps(out, JSON_SORT_KEYS | JSON_ENCODE_ANY);
            print_error("%s on %s: got %s, want %s\n", patch, doc, got, want);
            free(got);
            fail();
        }
        json_decref(w);
    } else {
        if (rc == 0)
            fail_msg("%s on %s: accepted, want an error", patch, doc);
        assert_null(out);
        assert_int_equal(failed, failed_at);
        ct_contains_at(__FILE__, __LINE__, err, msg);
    }
    /* the input is never changed, even by a patch that fails half way */
    json_t *again = js(doc);
    assert_true(json_equal(d, again));
    json_decref(again);
    json_decref(out);
    json_decref(d);
    json_decref(p);
}

static void rfc6902_examples_apply(void **state)
{
    (void)state;
    patch_case("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
               "{\"baz\":\"qux\",\"foo\":\"bar\"}", 0, NULL);
    patch_case("{\"foo\":[\"bar\",\"baz\"]}",
               "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
               "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", 0, NULL);
    patch_case("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
               "{\"foo\":\"bar\"}", 0, NULL);
    patch_case("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
               "{\"foo\":[\"bar\",\"baz\"]}", 0, NULL);
    patch_case("{\"baz\":\"qux\",\"foo\":\"bar\"}",
               "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
               "{\"baz\":\"boo\",\"foo\":\"bar\"}", 0, NULL);
    patch_case("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
               "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
               "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", 0,
               NULL);
    patch_case("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
               "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
               "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", 0, NULL);
    patch_case("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
               "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
               "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
               "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", 0, NULL);
    patch_case("{\"foo\":\"bar\"}",
               "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
               "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", 0, NULL);
    /* A.11: members an operation does not define are ignored */
    patch_case("{\"foo\":\"bar\"}",
               "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
               "{\"foo\":\"bar\",\"baz\":\"qux\"}", 0, NULL);
    /* A.14: ~01 is "~1", not "/" */
    patch_case("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
               "{\"/\":9,\"~1\":10}", 0, NULL);
    patch_case("{\"foo\":[\"bar\"]}",
               "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
               "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", 0, NULL);
}

static void copy_root_and_number_equality(void **state)
{
    (void)state;
    patch_case("{\"a\":{\"b\":[1]}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"}]",
               "{\"a\":{\"b\":[1]},\"c\":{\"b\":[1]}}", 0, NULL);
    patch_case("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]", "{\"b\":2}",
               0, NULL);
    patch_case("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[]}]", "[]", 0, NULL);
    patch_case("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0}]", "{\"a\":1}", 0,
               NULL);
    patch_case("{\"a\":{\"x\":1,\"y\":2}}",
               "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"y\":2,\"x\":1}}]",
               "{\"a\":{\"x\":1,\"y\":2}}", 0, NULL);
    patch_case("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]", "{\"a\":1}", 0,
               NULL);
}

static void rfc6902_failures_name_the_operation(void **state)
{
    (void)state;
    /* A.9 */
    patch_case("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL,
               0, "operation 0 (test) at \"/baz\": test failed");
    /* A.12 */
    patch_case("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
               NULL, 0, "operation 0 (add) at \"/baz/bat\": no value at \"/baz\"");
    /* A.15 */
    patch_case("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]",
               NULL, 0, "test failed");
    /* atomic: the first operation's change is not kept */
    patch_case("{\"a\":1}",
               "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},{\"op\":\"remove\",\"path\":\"/c\"}]",
               NULL, 1, "operation 1 (remove) at \"/c\": no value at the path");
    patch_case("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":2}]", NULL, 0,
               "index 2 is out of range (the list has 1 elements)");
    patch_case("{\"a\":[1,2]}", "[{\"op\":\"remove\",\"path\":\"/a/01\"}]", NULL, 0,
               "\"01\" is not a list index");
    patch_case("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/-\"}]", NULL, 0,
               "\"-\" is not a list index");
    patch_case("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]", NULL, 0,
               "no value at the path");
    patch_case("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", NULL,
               0, "cannot be moved into itself");
    patch_case("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/b\"}]", NULL, 0,
               "\"from\" \"/x\" leads nowhere");
    patch_case("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL, 0,
               "the whole document cannot be removed");
    patch_case("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL, 0,
               "must be empty or start with \"/\"");
    patch_case("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/~2\"}]", NULL, 0,
               "\"~\" must be followed by 0 or 1");
    patch_case("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]", NULL, 0,
               "not an object or a list");
    /* shapes */
    patch_case("{}", "[{\"op\":\"merge\",\"path\":\"/a\"}]", NULL, 0,
               "unknown operation \"merge\"");
    patch_case("{}", "[{\"path\":\"/a\"}]", NULL, 0, "\"op\" is required");
    patch_case("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL, 0, "\"add\" needs a \"value\"");
    patch_case("{}", "[{\"op\":\"move\",\"path\":\"/a\"}]", NULL, 0, "needs a \"from\"");
    patch_case("{}", "[{\"op\":\"remove\"}]", NULL, 0, "needs a \"path\"");
    patch_case("{}", "[1]", NULL, 0, "an operation is an object");
}

static void rfc6901_pointers_resolve(void **state)
{
    (void)state;
    json_t *d = js("{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,\"e^f\":3,\"g|h\":4,"
                   "\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,\"m~n\":8}");
    static const struct {
        const char *pointer;
        int value;
    } cases[] = {{"/", 0},     {"/a~1b", 1}, {"/c%d", 2}, {"/e^f", 3}, {"/g|h", 4},
                 {"/i\\j", 5}, {"/k\"l", 6}, {"/ ", 7},   {"/m~0n", 8}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = jsonpatch_get(d, cases[i].pointer);
        if (!json_is_integer(v) || json_integer_value(v) != cases[i].value)
            fail_msg("pointer %s", cases[i].pointer);
    }
    assert_ptr_equal(jsonpatch_get(d, ""), d);
    assert_string_equal(json_string_value(jsonpatch_get(d, "/foo/0")), "bar");
    assert_null(jsonpatch_get(d, "/foo/2"));
    assert_null(jsonpatch_get(d, "/nope/x"));
    json_decref(d);
}

static void merge_case(const char *target, const char *patch, const char *want)
{
    json_t *t = js(target), *p = js(patch), *w = js(want);
    jsonpatch_merge(t, p);
    if (!json_equal(t, w)) {
        char *got = json_dumps(t, JSON_SORT_KEYS);
        print_error("merge %s into %s: got %s, want %s\n", patch, target, got, want);
        free(got);
        fail();
    }
    json_decref(t);
    json_decref(p);
    json_decref(w);
}

static void rfc7396_examples_merge(void **state)
{
    (void)state;
    merge_case("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    merge_case("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
    merge_case("{\"a\":\"b\"}", "{\"a\":null}", "{}");
    merge_case("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
    merge_case("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    merge_case("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
    merge_case("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
               "{\"a\":{\"b\":\"d\"}}");
    merge_case("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
    merge_case("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
    merge_case("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
    merge_case("{\"a\":\"x\"}", "{\"a\":{\"b\":null,\"c\":1}}", "{\"a\":{\"c\":1}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc6902_examples_apply),
        cmocka_unit_test(copy_root_and_number_equality),
        cmocka_unit_test(rfc6902_failures_name_the_operation),
        cmocka_unit_test(rfc6901_pointers_resolve),
        cmocka_unit_test(rfc7396_examples_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
