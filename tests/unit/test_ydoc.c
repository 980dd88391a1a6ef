/* YAML into jansson (ydoc_parse), positions of field paths (ydoc_locate), and the YAML writer
 * (yemit_json): scalar resolution, YAML features, limits against hostile input, and
 * round-trips through the writer, also as YAML 1.1 readers like kubectl see them. */
#include "base/jpool.h"
#include "coretest.h"

#include <unistd.h>

static char yerr[1024];

/* Parses text (the first len bytes; strlen when len is 0). NULL on failure, yerr set. */
static json_t *yparse_n(const char *text, size_t len)
{
    json_t *v = NULL;
    yerr[0] = '\0';
    if (ydoc_parse(text, len ? len : strlen(text), NULL, &v, yerr, sizeof(yerr)) < 0)
        return NULL;
    return v;
}
#define yparse(text) yparse_n(text, 0)

/* Asserts that text parses to the same tree as expected_json (strict JSON). */
#define assert_yaml_is(text, expected_json) ct_yaml_is(__FILE__, __LINE__, text, expected_json)
static void ct_yaml_is(const char *file, int line, const char *text, const char *expected_json)
{
    json_error_t je;
    json_t *want = json_loads(expected_json, JSON_DECODE_ANY, &je);
    json_t *got = yparse(text);
    if (!want) {
        print_error("test bug: %s: %s\n", expected_json, je.text);
        _fail(file, line);
    }
    if (!got || !json_equal(got, want)) {
        char *g = got ? vela_json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        print_error("yaml: %s\n  want %s\n  got  %s\n", text, expected_json, g ? g : yerr);
        free(g);
        json_decref(got);
        json_decref(want);
        _fail(file, line);
    }
    json_decref(got);
    json_decref(want);
}

#define assert_yaml_fails(text, needle)                                                            \
    do {                                                                                           \
        json_t *ct_v_ = yparse(text);                                                              \
        if (ct_v_) {                                                                               \
            json_decref(ct_v_);                                                                    \
            fail_msg("accepted: %s", text);                                                        \
        }                                                                                          \
        assert_contains(yerr, needle);                                                             \
    } while (0)

/* ---- scalars ---- */

static void plain_scalars_resolve_as_yaml_1_2_core_schema(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *json;
    } cases[] = {
        {"a: 8000", "{\"a\": 8000}"},
        {"a: -12", "{\"a\": -12}"},
        {"a: +7", "{\"a\": 7}"},
        {"a: 0x1F", "{\"a\": 31}"},
        {"a: 0o17", "{\"a\": 15}"},
        {"a: 1.5", "{\"a\": 1.5}"},
        {"a: 1e3", "{\"a\": 1000.0}"},
        {"a: true", "{\"a\": true}"},
        {"a: False", "{\"a\": false}"},
        {"a: null", "{\"a\": null}"},
        {"a: ~", "{\"a\": null}"},
        {"a:", "{\"a\": null}"},
        /* YAML 1.1 booleans and friends are strings in 1.2 */
        {"a: yes", "{\"a\": \"yes\"}"},
        {"a: off", "{\"a\": \"off\"}"},
        {"a: 1_000", "{\"a\": \"1_000\"}"},
        {"a: 12:30", "{\"a\": \"12:30\"}"},
        {"a: v1.2", "{\"a\": \"v1.2\"}"},
        {"a: 500m", "{\"a\": \"500m\"}"},
        {"a: 9223372036854775807", "{\"a\": 9223372036854775807}"},
        {"a: -9223372036854775808", "{\"a\": -9223372036854775808}"},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        json_t *got = yparse(cases[i].yaml);
        json_t *want = json_loads(cases[i].json, 0, NULL);
        if (!got || !json_equal(got, want)) {
            char *g = got ? vela_json_dumps(got, JSON_COMPACT) : NULL;
            print_error("%s: want %s, got %s\n", cases[i].yaml, cases[i].json, g ? g : yerr);
            free(g);
            failures++;
        }
        json_decref(got);
        json_decref(want);
    }
    assert_int_equal(failures, 0);
}

static void quoted_and_str_tagged_scalars_stay_strings(void **state)
{
    (void)state;
    assert_yaml_is("a: \"8000\"\nb: 'true'\nc: \"null\"\nd: !!str 42\ne: \"\"\nf: ''",
                   "{\"a\": \"8000\", \"b\": \"true\", \"c\": \"null\", \"d\": \"42\", \"e\": "
                   "\"\", \"f\": \"\"}");
    assert_yaml_is("a: !!int \"12\"\nb: !!bool \"true\"\nc: !!float \"2.5\"\nd: !!null ''",
                   "{\"a\": 12, \"b\": true, \"c\": 2.5, \"d\": null}");
    assert_yaml_fails("a: !!int abc", "1:4:");
    assert_yaml_fails("a: !custom x", "tag");
}

static void huge_integers_and_non_finite_numbers_are_errors(void **state)
{
    (void)state;
    assert_yaml_fails("a: 99999999999999999999", "1:4: integer 99999999999999999999 is out of "
                                                 "range");
    assert_yaml_fails("a: -9223372036854775809", "out of range");
    assert_yaml_fails("x:\n  a: .inf", "2:6: .inf cannot be represented in JSON");
    assert_yaml_fails("a: -.Inf", "cannot be represented");
    assert_yaml_fails("a: .nan", "cannot be represented");
    assert_yaml_fails("a: 1e400", "cannot be represented");
    assert_yaml_is("a: \".inf\"\nb: '1e400'", "{\"a\": \".inf\", \"b\": \"1e400\"}");
}

/* ---- YAML features ---- */

static void comments_are_ignored(void **state)
{
    (void)state;
    assert_yaml_is("# head\na: 1 # trailing\n# between\nb: [1, # in a flow\n 2]\n",
                   "{\"a\": 1, \"b\": [1, 2]}");
}

static void anchors_and_aliases_copy_the_node(void **state)
{
    (void)state;
    assert_yaml_is("base: &b {x: 1, y: [a, b]}\ncopy: *b\nitems: [&s hello, *s]",
                   "{\"base\": {\"x\": 1, \"y\": [\"a\", \"b\"]}, \"copy\": {\"x\": 1, \"y\": "
                   "[\"a\", \"b\"]}, \"items\": [\"hello\", \"hello\"]}");
    /* the copy is independent of the original */
    json_t *v = yparse("a: &x {k: 1}\nb: *x");
    assert_non_null(v);
    json_object_set_new(ct_get(v, "a"), "k", json_integer(2));
    assert_at(v, "b.k", "1");
    json_decref(v);
    assert_yaml_fails("a: *nope", "1:4: unknown anchor \"nope\"");
}

static void merge_keys_merge_mappings_with_own_keys_winning(void **state)
{
    (void)state;
    assert_yaml_is("d: &d {a: 1, b: 2}\nx:\n  <<: *d\n  b: 3\n  c: 4",
                   "{\"d\": {\"a\": 1, \"b\": 2}, \"x\": {\"a\": 1, \"b\": 3, \"c\": 4}}");
    /* own key before the merge key wins too */
    assert_yaml_is("d: &d {a: 1, b: 2}\nx:\n  b: 3\n  <<: *d",
                   "{\"d\": {\"a\": 1, \"b\": 2}, \"x\": {\"b\": 3, \"a\": 1}}");
    /* a list of mappings: earlier ones win */
    assert_yaml_is("p: &p {a: 1}\nq: &q {a: 2, b: 2}\nx: {<<: [*p, *q]}",
                   "{\"p\": {\"a\": 1}, \"q\": {\"a\": 2, \"b\": 2}, \"x\": {\"a\": 1, \"b\": 2}}");
    /* a quoted "<<" is an ordinary key */
    assert_yaml_is("x: {\"<<\": 1}", "{\"x\": {\"<<\": 1}}");
    assert_yaml_fails("x:\n  <<: 5", "merge key must be a mapping");
}

static void multi_line_strings_keep_their_style_rules(void **state)
{
    (void)state;
    assert_yaml_is("a: |\n  l1\n  l2\nb: >\n  f1\n  f2\nc: |-\n  x\nd: \"q\\tq\\n\"\ne: plain\n  "
                   "continued",
                   "{\"a\": \"l1\\nl2\\n\", \"b\": \"f1 f2\\n\", \"c\": \"x\", \"d\": "
                   "\"q\\tq\\n\", \"e\": \"plain continued\"}");
}

static void json_documents_are_yaml(void **state)
{
    (void)state;
    assert_yaml_is("{\"a\": [1, 2.5, \"x\", true, null, {\"b\": \"8000\"}], \"c\": {}}",
                   "{\"a\": [1, 2.5, \"x\", true, null, {\"b\": \"8000\"}], \"c\": {}}");
    assert_yaml_is("[]", "[]");
    assert_yaml_is("\"just a string\"", "\"just a string\"");
}

static void unicode_is_kept(void **state)
{
    (void)state;
    assert_yaml_is("name: \"caf\\u00e9\"\nemoji: \xf0\x9f\x9a\x80\nzh: \xe5\x8c\x97\xe4\xba\xac",
                   "{\"name\": \"caf\\u00e9\", \"emoji\": \"\\ud83d\\ude80\", \"zh\": "
                   "\"\\u5317\\u4eac\"}");
}

/* ---- errors and limits ---- */

static void malformed_yaml_is_reported_with_line_and_column(void **state)
{
    (void)state;
    assert_yaml_fails("a: 1\nb: [1, 2\n", "invalid YAML");
    assert_yaml_fails("a: \"open\nb: 1\n", "3:1:"); /* the scanner reaches the end */
    assert_yaml_fails("a:\n  b: 1\n c: 2\n", "3:");
    assert_yaml_fails("a:\n\tb: 1\n", "2:1:");
    assert_yaml_fails("a: 1\na: 2\n", "2:1: duplicate key \"a\"");
    assert_yaml_fails("x:\n  y:\n    k: 1\n    k: 2\n", "4:5: duplicate key \"k\"");
}

static void empty_and_multiple_documents_are_errors(void **state)
{
    (void)state;
    assert_yaml_fails("", "the document is empty");
    assert_yaml_fails("# only a comment\n", "the document is empty");
    assert_yaml_fails("a: 1\n---\nb: 2\n", "2:1: expected one YAML document, found another");
    assert_yaml_is("---\na: 1\n...\n", "{\"a\": 1}");
}

static void parse_first_reads_the_first_document_and_ignores_the_rest(void **state)
{
    (void)state;
    static const char *const streams[] = {
        "a: 1\n---\nb: 2\n",          /* a second document */
        "---\na: 1\n...\n---\n- x\n", /* explicit markers, another kind */
        "a: 1\n---\nb: [unclosed\n",  /* the rest is not even read */
        "a: 1\n",                     /* only one */
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
        json_t *v = NULL;
        char err[256] = "";
        int rc = ydoc_parse_first(streams[i], strlen(streams[i]), NULL, &v, err, sizeof(err));
        if (rc != 0 || json_integer_value(json_object_get(v, "a")) != 1 ||
            json_object_size(v) != 1) {
            print_error("stream %zu: rc %d err \"%s\"\n", i, rc, err);
            failures++;
        }
        json_decref(v);
    }
    assert_int_equal(failures, 0);

    /* the first document itself is checked as ydoc_parse checks it */
    json_t *v = NULL;
    assert_int_equal(ydoc_parse_first("", 0, NULL, &v, yerr, sizeof(yerr)), -1);
    assert_non_null(strstr(yerr, "the document is empty"));
    assert_int_equal(ydoc_parse_first("a: 1\na: 2\n---\n", 14, NULL, &v, yerr, sizeof(yerr)), -1);
    assert_non_null(strstr(yerr, "2:1: duplicate key \"a\""));
    assert_int_equal(ydoc_parse_first("a: [1\n", 6, NULL, &v, yerr, sizeof(yerr)), -1);
    assert_null(v);
    /* and ydoc_parse still refuses a second document */
    assert_int_equal(ydoc_parse("a: 1\n---\nb: 2\n", 14, NULL, &v, yerr, sizeof(yerr)), -1);
}

static void non_scalar_keys_are_errors(void **state)
{
    (void)state;
    assert_yaml_fails("? [a, b]\n: c\n", "1:3: a mapping key must be a plain string, not a "
                                         "mapping or list");
    assert_yaml_fails("? {a: 1}\n: c\n", "mapping key must be a plain string");
    assert_yaml_fails("k: &k x\n*k : y\n", "not a alias");
    /* scalar keys that look like other types are plain string keys */
    assert_yaml_is("1: a\ntrue: b\nnull: c", "{\"1\": \"a\", \"true\": \"b\", \"null\": \"c\"}");
}

static void nul_bytes_and_invalid_utf8_are_errors(void **state)
{
    (void)state;
    static const char nul_quoted[] = "a: \"x\\0y\"";
    assert_null(yparse(nul_quoted));
    assert_contains(yerr, "NUL");
    static const char raw_nul[] = "a: x\0y\n";
    assert_null(yparse_n(raw_nul, sizeof(raw_nul) - 1));
    assert_contains(yerr, "invalid");
    static const char bad_utf8[] = "a: \xff\xfe\xfd\n";
    assert_null(yparse(bad_utf8));
    assert_contains(yerr, "invalid input");
    static const char overlong[] = "a: \xc0\xaf\n";
    assert_null(yparse(overlong));
}

static void binary_garbage_never_crashes(void **state)
{
    (void)state;
    /* a fixed pseudo-random stream, cut at many lengths */
    unsigned char buf[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    int accepted = 0;
    for (size_t len = 1; len <= sizeof(buf); len = len * 3 / 2 + 1) {
        json_t *v = NULL;
        char err[512];
        /* a short run may be a valid plain scalar; never a valid Application */
        if (ydoc_parse((const char *)buf, len, NULL, &v, err, sizeof(err)) < 0)
            assert_true(err[0] != '\0');
        json_decref(v);
        app *a = NULL;
        if (app_parse((const char *)buf, len, &a, err, sizeof(err)) == 0)
            accepted++;
        app_free(a);
        int line, col;
        ydoc_locate((const char *)buf, len, "spec.components[0]", &line, &col);
    }
    assert_int_equal(accepted, 0);
}

static void document_size_is_limited(void **state)
{
    (void)state;
    size_t n = ydoc_default_limits.max_bytes + 10;
    char *big = malloc(n + 1);
    memcpy(big, "a: \"", 4);
    memset(big + 4, 'x', n - 5);
    big[n - 1] = '"';
    big[n] = '\0';
    json_t *v = NULL;
    char err[256];
    assert_int_equal(ydoc_parse(big, n, NULL, &v, err, sizeof(err)), -1);
    assert_contains(err, "more than the limit of 2097152");
    /* just under the limit is fine */
    size_t ok = ydoc_default_limits.max_bytes;
    big[ok - 1] = '"';
    assert_int_equal(ydoc_parse(big, ok, NULL, &v, err, sizeof(err)), 0);
    assert_int_equal(json_string_length(json_object_get(v, "a")), ok - 5);
    json_decref(v);
    free(big);
    /* smaller limits are honoured */
    ydoc_limits lim = {10, 64, 1000};
    assert_int_equal(ydoc_parse("a: 123456789", 12, &lim, &v, err, sizeof(err)), -1);
}

static char *nested(int depth, int flow_maps)
{
    size_t size = (size_t)depth * 8 + 16, len = 0;
    char *s = malloc(size);
    assert_non_null(s);
    for (int i = 0; i < depth; i++)
        len += (size_t)snprintf(s + len, size - len, "%s", flow_maps ? "{a: " : "[");
    len += (size_t)snprintf(s + len, size - len, "1");
    for (int i = 0; i < depth; i++)
        s[len++] = flow_maps ? '}' : ']';
    s[len] = '\0';
    return s;
}

static void nesting_deeper_than_64_is_an_error(void **state)
{
    (void)state;
    char *ok = nested(64, 0), *deep = nested(65, 0), *very = nested(100000, 1);
    json_t *v = yparse(ok);
    assert_non_null(v);
    json_decref(v);
    assert_null(yparse(deep));
    assert_contains(yerr, "nested deeper than 64 levels");
    assert_null(yparse(very));
    assert_contains(yerr, "nested deeper than 64 levels");
    free(ok);
    free(deep);
    free(very);
}

static void alias_bombs_hit_the_node_limit(void **state)
{
    (void)state;
    /* billion laughs: 9 levels of 9 aliases each = 9^9 nodes */
    char doc[2048];
    size_t len = (size_t)snprintf(doc, sizeof(doc), "a0: &a0 [lol]\n");
    for (int i = 1; i <= 9; i++) {
        len += (size_t)snprintf(doc + len, sizeof(doc) - len, "a%d: &a%d [", i, i);
        for (int j = 0; j < 9; j++)
            len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%s*a%d", j ? ", " : "", i - 1);
        len += (size_t)snprintf(doc + len, sizeof(doc) - len, "]\n");
    }
    assert_true(len < sizeof(doc));
    assert_null(yparse(doc));
    assert_contains(yerr, "more than 200000 nodes (aliases count each time they are used)");
    /* a modest reuse is fine */
    json_t *v = yparse("a: &a [1, 2, 3]\nb: [*a, *a, *a, *a]\n");
    assert_non_null(v);
    assert_int_equal(json_array_size(ct_get(v, "b")), 4);
    json_decref(v);
}

/* ---- ydoc_locate ---- */

static const char locate_doc[] = "apiVersion: core.oam.dev/v1beta1\n"           /* 1 */
                                 "spec:\n"                                      /* 2 */
                                 "  components:\n"                              /* 3 */
                                 "    - name: web\n"                            /* 4 */
                                 "      traits:\n"                              /* 5 */
                                 "        - type: scaler\n"                     /* 6 */
                                 "        - type: gateway\n"                    /* 7 */
                                 "          properties:\n"                      /* 8 */
                                 "            http:\n"                          /* 9 */
                                 "              \"/\": 8000\n"                  /* 10 */
                                 "              /api: 9000\n"                   /* 11 */
                                 "            labels: {a.b/c: x}\n"             /* 12 */
                                 "  policies: [{name: p, clusters: [x, y]}]\n"; /* 13 */

static void locate_gives_line_and_column_of_nested_paths(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int line, col;
    } cases[] = {
        {"apiVersion", 1, 1},
        {"spec", 2, 1},
        {"spec.components", 3, 3},
        {"spec.components[0]", 4, 7},
        {"spec.components[0].name", 4, 7},
        {"spec.components[0].traits[1]", 7, 11},
        {"spec.components[0].traits[1].type", 7, 11},
        {"spec.components[0].traits[1].properties.http", 9, 13},
        {"spec.components[0].traits[1].properties.http[\"/\"]", 10, 15},
        {"spec.components[0].traits[1].properties.http[\"/api\"]", 11, 15},
        {"spec.components[0].traits[1].properties.labels[\"a.b/c\"]", 12, 22},
        {"spec.policies[0].clusters[1]", 13, 38},
        {"", 1, 1},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int line = -1, col = -1;
        int rc = ydoc_locate(locate_doc, strlen(locate_doc), cases[i].path, &line, &col);
        if (rc != 0 || line != cases[i].line || col != cases[i].col) {
            print_error("%s: rc=%d at %d:%d, want %d:%d\n", cases[i].path, rc, line, col,
                        cases[i].line, cases[i].col);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void locate_of_a_missing_path_gives_the_deepest_ancestor(void **state)
{
    (void)state;
    int line, col;
    assert_int_equal(ydoc_locate(locate_doc, strlen(locate_doc),
                                 "spec.components[0].traits[1].properties.domain", &line, &col),
                     -1);
    assert_int_equal(line, 8);
    assert_int_equal(col, 11);
    assert_int_equal(ydoc_locate(locate_doc, strlen(locate_doc), "spec.components[5]", &line, &col),
                     -1);
    assert_int_equal(line, 3);
    /* a prefix that is not a path segment boundary is no ancestor */
    assert_int_equal(ydoc_locate(locate_doc, strlen(locate_doc), "specx", &line, &col), -1);
    assert_int_equal(line, 1);
    assert_int_equal(ydoc_locate("{{{", 3, "a", &line, &col), -1);
}

static void path_segments_quote_keys_with_special_characters(void **state)
{
    (void)state;
    char p[128];
    ydoc_path_key(p, sizeof(p), "", "spec");
    assert_string_equal(p, "spec");
    ydoc_path_key(p, sizeof(p), "spec", "components");
    assert_string_equal(p, "spec.components");
    ydoc_path_index(p, sizeof(p), "spec.components", 12);
    assert_string_equal(p, "spec.components[12]");
    ydoc_path_key(p, sizeof(p), "m", "app.oam.dev/name");
    assert_string_equal(p, "m[\"app.oam.dev/name\"]");
    ydoc_path_key(p, sizeof(p), "m", "q\"b\\s");
    assert_string_equal(p, "m[\"q\\\"b\\\\s\"]");
    ydoc_path_key(p, sizeof(p), "m", "");
    assert_string_equal(p, "m[\"\"]");
    /* building in place */
    snprintf(p, sizeof(p), "a");
    ydoc_path_key(p, sizeof(p), p, "b");
    ydoc_path_index(p, sizeof(p), p, 0);
    assert_string_equal(p, "a.b[0]");
    /* a tiny buffer truncates without overflowing */
    char tiny[8];
    ydoc_path_key(tiny, sizeof(tiny), "abcdef", "ghijkl");
    assert_true(strlen(tiny) < sizeof(tiny));
    ydoc_path_index(tiny, sizeof(tiny), "abcdef", 123456);
    assert_true(strlen(tiny) < sizeof(tiny));
}

/* ---- yemit_json ---- */

static char *emit(const json_t *v)
{
    strbuf sb;
    strbuf_init(&sb, 1 << 20);
    if (yemit_json(&sb, v) < 0)
        fail_msg("yemit_json failed");
    return strbuf_detach(&sb, NULL);
}

static const char *const roundtrip_values[] = {
    "{\"s\": \"8000\", \"t\": \"true\", \"n\": \"null\", \"e\": \"\", \"f\": \"1.5\", "
    "\"x\": \"0x1F\", \"inf\": \".inf\", \"tilde\": \"~\", \"neg\": \"-3\"}",
    "{\"yes\": \"yes\", \"no\": \"NO\", \"on\": \"on\", \"off\": \"Off\", \"y\": \"y\", "
    "\"n\": \"n\", \"us\": \"1_000\", \"sexa\": \"12:30\", \"bin\": \"0b101\", \"date\": "
    "\"2024-01-02\", \"eq\": \"=\", \"merge\": \"<<\"}",
    "{\"8000\": 1, \"true\": 2, \"null\": 3, \"\": 4, \"yes\": 5, \"<<\": 6}",
    "{\"i\": 8000, \"neg\": -1, \"big\": 9223372036854775807, \"r\": 1.5, \"r2\": 100.0, "
    "\"tiny\": 1e-300, \"b\": true, \"f\": false, \"z\": null}",
    "{\"colon\": \"a: b\", \"dash\": \"- x\", \"hash\": \"#c\", \"amp\": \"&a\", \"star\": "
    "\"*a\", \"bang\": \"!x\", \"pct\": \"%x\", \"at\": \"@x\", \"tick\": \"`x\", \"q\": "
    "\"'\\\"\", \"brace\": \"{a}\", \"brack\": \"[a]\", \"comma\": \"a, b\", \"lead\": \" x\", "
    "\"trail\": \"x \", \"qm\": \"? x\", \"pipe\": \"| x\", \"gt\": \"> x\"}",
    "{\"nl\": \"line1\\nline2\\n\", \"nl2\": \"a\\nb\", \"tab\": \"a\\tb\", \"cr\": \"a\\rb\", "
    "\"trailing_nl\": \"x\\n\\n\", \"lead_nl\": \"\\nx\", \"spaces_nl\": \"  indented\\nx\"}",
    "{\"u\": \"caf\\u00e9 \\u5317\\u4eac \\ud83d\\ude80\", \"ctl\": \"\\u0001\\u007f\", "
    "\"bom\": \"\\ufeffx\"}",
    "{\"empty_map\": {}, \"empty_list\": [], \"nested\": [[1, [2, []]], {\"a\": {\"b\": "
    "[{}]}}], \"list_of_maps\": [{\"a\": 1, \"b\": [1, 2]}, {\"c\": null}]}",
    "[1, \"two\", [3], {\"four\": 4}]",
    "\"just a string\"",
    "42",
};

static void emit_then_parse_gives_the_same_tree(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(roundtrip_values); i++) {
        json_error_t je;
        json_t *v = json_loads(roundtrip_values[i], JSON_DECODE_ANY, &je);
        if (!v)
            fail_msg("test bug in case %zu: %s", i, je.text);
        char *text = emit(v);
        json_t *back = yparse(text);
        if (!back || !json_equal(v, back)) {
            char *b = back ? vela_json_dumps(back, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
            print_error("case %zu: %s\n  emitted:\n%s\n  read back: %s\n", i, roundtrip_values[i],
                        text, b ? b : yerr);
            free(b);
            failures++;
        }
        json_decref(back);
        json_decref(v);
        free(text);
    }
    assert_int_equal(failures, 0);
}

static void emit_quotes_strings_that_would_read_back_as_other_types(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "port", "8000", "flag", "true", "nothing",
                          "null", "8000", 1, "word", "yes", "plain", "hello");
    char *text = emit(v);
    assert_contains(text, "port: \"8000\"\n");
    assert_contains(text, "flag: \"true\"\n");
    assert_contains(text, "nothing: \"null\"\n");
    assert_contains(text, "\"8000\": 1\n");
    assert_contains(text, "word: \"yes\"\n");
    assert_contains(text, "plain: hello\n");
    assert_true(strncmp(text, "---", 3) == 0);
    json_decref(v);
    free(text);
}

static void emit_writes_documents_that_a_yaml_1_1_reader_reads_back_the_same(void **state)
{
    (void)state;
    /* kubectl reads manifests as YAML 1.1 (yes/no/on/off are booleans there); PyYAML is a
     * YAML 1.1 reader too (python3-yaml): it must read every emitted value back the same. */
    const char *py = NULL;
    if (system("/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1") == 0)
        py = "/usr/bin/python3";
    else if (system("python3 -c 'import yaml' >/dev/null 2>&1") == 0)
        py = "python3";
    if (!py) {
        print_message("python3 with PyYAML not found; skipping the YAML 1.1 check\n");
        skip();
    }
    char dir[] = "/tmp/ydoc-test.XXXXXX", in[64], out[64], cmd[512];
    assert_non_null(mkdtemp(dir));
    snprintf(in, sizeof(in), "%s/docs.yaml", dir);
    snprintf(out, sizeof(out), "%s/docs.json", dir);
    /* every value as one document of a stream, read back in one go */
    json_t *want = json_array();
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    for (size_t i = 0; i < ARRAY_LEN(roundtrip_values); i++) {
        json_t *v = json_loads(roundtrip_values[i], JSON_DECODE_ANY, NULL);
        char *text = emit(v);
        fputs(text, f);
        free(text);
        json_array_append_new(want, v);
    }
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "%s -c 'import json,sys,yaml; json.dump(list(yaml.safe_load_all(open(sys.argv[1]))),"
             " open(sys.argv[2], \"w\"), default=str)' %s %s",
             py, in, out);
    assert_int_equal(system(cmd), 0);
    json_error_t je;
    json_t *got = json_load_file(out, 0, &je);
    assert_non_null(got);
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(roundtrip_values); i++) {
        if (!json_equal(json_array_get(want, i), json_array_get(got, i))) {
            char *g = vela_json_dumps(json_array_get(got, i), JSON_COMPACT | JSON_ENCODE_ANY);
            char *text = emit(json_array_get(want, i));
            print_error("case %zu: PyYAML reads\n%s  as %s\n", i, text, g ? g : "(nothing)");
            free(g);
            free(text);
            failures++;
        }
    }
    json_decref(want);
    json_decref(got);
    unlink(in);
    unlink(out);
    rmdir(dir);
    assert_int_equal(failures, 0);
}

static void emit_of_a_rendered_plan_round_trips(void **state)
{
    (void)state;
    json_t *m = ct_manifests(APP("{components: [" WEB(
        ", port: 8000, env: [{name: A, value: "
        "\"8000\"}, {name: B, value: \"yes\"}]",
        "{type: gateway, properties: {domain: a.example.com, http: {/: 8000}}},"
        "{type: labels, properties: {version: \"2\"}}") "]}"));
    size_t i;
    json_t *o;
    json_array_foreach(m, i, o) {
        char *text = emit(o);
        json_t *back = yparse(text);
        if (!back || !json_equal(back, o))
            fail_msg("manifest %zu does not round-trip:\n%s", i, text);
        json_decref(back);
        free(text);
    }
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_scalars_resolve_as_yaml_1_2_core_schema),
        cmocka_unit_test(quoted_and_str_tagged_scalars_stay_strings),
        cmocka_unit_test(huge_integers_and_non_finite_numbers_are_errors),
        cmocka_unit_test(comments_are_ignored),
        cmocka_unit_test(anchors_and_aliases_copy_the_node),
        cmocka_unit_test(merge_keys_merge_mappings_with_own_keys_winning),
        cmocka_unit_test(multi_line_strings_keep_their_style_rules),
        cmocka_unit_test(json_documents_are_yaml),
        cmocka_unit_test(unicode_is_kept),
        cmocka_unit_test(malformed_yaml_is_reported_with_line_and_column),
        cmocka_unit_test(empty_and_multiple_documents_are_errors),
        cmocka_unit_test(parse_first_reads_the_first_document_and_ignores_the_rest),
        cmocka_unit_test(non_scalar_keys_are_errors),
        cmocka_unit_test(nul_bytes_and_invalid_utf8_are_errors),
        cmocka_unit_test(binary_garbage_never_crashes),
        cmocka_unit_test(document_size_is_limited),
        cmocka_unit_test(nesting_deeper_than_64_is_an_error),
        cmocka_unit_test(alias_bombs_hit_the_node_limit),
        cmocka_unit_test(locate_gives_line_and_column_of_nested_paths),
        cmocka_unit_test(locate_of_a_missing_path_gives_the_deepest_ancestor),
        cmocka_unit_test(path_segments_quote_keys_with_special_characters),
        cmocka_unit_test(emit_then_parse_gives_the_same_tree),
        cmocka_unit_test(emit_quotes_strings_that_would_read_back_as_other_types),
        cmocka_unit_test(emit_writes_documents_that_a_yaml_1_1_reader_reads_back_the_same),
        cmocka_unit_test(emit_of_a_rendered_plan_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}
