/* Bad input, table-driven (jq.test style): every tests/bad/NAME.yaml (or NAME.bin) must fail
 * app_parse + render_plan against a fixed registry with an error containing the text of
 * tests/bad/NAME.err (line:col included where there is one), and never crash. Inputs too big
 * to commit (oversized, deeply nested, node floods) are generated here. */
#include "coretest.h"

#include <dirent.h>
#include <sys/stat.h>

/* Runs one input through the whole pipeline; returns 0 when it failed as it should (the
 * error, "LINE:COL: path: message" as `vela dry-run` gives it, is in err). */
static int run_pipeline(const char *buf, size_t len, char *err, size_t errlen)
{
    app *a = NULL;
    json_t *plan = NULL;
    verr e;
    int line = 0, col = 0;

    if (app_parse(buf, len, &a, err, errlen) < 0)
        return 0;
    if (render_plan(a, CT_REG, &plan, &e) == 0) {
        json_decref(plan);
        app_free(a);
        snprintf(err, errlen, "(accepted)");
        return -1;
    }
    app_free(a);
    if (e.path[0])
        ydoc_locate(buf, len, e.path, &line, &col);
    if (line > 0)
        snprintf(err, errlen, "%d:%d: %s: %s", line, col, e.path, e.msg);
    else
        verr_format(&e, err, errlen);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    char *buf = NULL, err[256];
    if (read_file(path, 8u << 20, &buf, len, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return buf;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void every_bad_input_fails_with_its_expected_error(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/tests/bad", VELA_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[512] = {0};
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < ARRAY_LEN(names)) {
        if (has_suffix(de->d_name, ".yaml") || has_suffix(de->d_name, ".bin"))
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);

    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024], errpath[1024], err[4096];
        size_t len, elen;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        /* NAME.yaml -> NAME.err (the suffix filter above guarantees the dot) */
        int stem = (int)(strrchr(path, '.') - path);
        snprintf(errpath, sizeof(errpath), "%.*s.err", stem, path);
        char *buf = slurp(path, &len);
        struct stat st;
        if (stat(errpath, &st) < 0) {
            run_pipeline(buf, len, err, sizeof(err));
            print_error("%s: no .err file; the error is: %s\n", names[i], err);
            failures++;
            free(buf);
            continue;
        }
        char *want = slurp(errpath, &elen);
        while (elen && (want[elen - 1] == '\n' || want[elen - 1] == '\r'))
            want[--elen] = '\0';
        if (run_pipeline(buf, len, err, sizeof(err)) < 0) {
            print_error("%s: accepted, expected an error containing: %s\n", names[i], want);
            failures++;
        } else if (elen == 0 || !strstr(err, want)) {
            print_error("%s:\n  want: %s\n  got:  %s\n", names[i], want, err);
            failures++;
        }
        free(want);
        free(buf);
    }
    print_message("%zu bad inputs from tests/bad, %d failed\n", n, failures);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    assert_true(n >= 30);
    assert_int_equal(failures, 0);
}

/* ---- generated inputs ---- */

#define APP_HEAD                                                                                   \
    "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: gen}\nspec:\n"          \
    "  components: []\n  x: "

static void expect_pipeline_error(const char *what, const char *buf, size_t len, const char *want)
{
    char err[4096];
    if (run_pipeline(buf, len, err, sizeof(err)) < 0)
        fail_msg("%s: accepted", what);
    if (!strstr(err, want))
        fail_msg("%s:\n  want: %s\n  got:  %s", what, want, err);
}

static void oversized_document_is_rejected(void **state)
{
    (void)state;
    /* a valid-looking Application of 2 MiB + 1 byte: a long comment at the end */
    size_t n = (2u << 20) + 1;
    char *buf = malloc(n);
    size_t head = (size_t)snprintf(buf, n, APP_HEAD "1\n#");
    memset(buf + head, 'x', n - head);
    expect_pipeline_error("oversized", buf, n,
                          "1:1: the document is 2097153 bytes, more than "
                          "the limit of 2097152");
    free(buf);
}

static void nesting_deeper_than_64_is_rejected(void **state)
{
    (void)state;
    static const int depths[] = {65, 200, 100000};
    for (size_t i = 0; i < ARRAY_LEN(depths); i++) {
        size_t n = strlen(APP_HEAD) + (size_t)depths[i] * 2 + 8;
        char *buf = malloc(n);
        assert_non_null(buf);
        size_t len = (size_t)snprintf(buf, n, "%s", APP_HEAD);
        for (int j = 0; j < depths[i]; j++)
            buf[len++] = '[';
        for (int j = 0; j < depths[i]; j++)
            buf[len++] = ']';
        buf[len++] = '\n';
        /* the root map is level 1, spec 2: the 63rd bracket (column 6 + 62) is level 65 */
        expect_pipeline_error("deep", buf, len, "6:68: document is nested deeper than 64 levels");
        free(buf);
    }
    /* block-style nesting, one mapping per line */
    strbuf sb;
    strbuf_init(&sb, 0);
    assert_int_equal(strbuf_adds(&sb, APP_HEAD "\n"), 0);
    for (int j = 0; j < 80; j++)
        assert_int_equal(strbuf_addf(&sb, "%*sk:\n", 4 + 2 * j, ""), 0);
    expect_pipeline_error("deep block", sb.data, sb.len, "nested deeper than 64 levels");
    strbuf_release(&sb);
}

static void node_flood_without_aliases_is_rejected(void **state)
{
    (void)state;
    /* 300,000 one-character items: under 2 MiB, over the node limit */
    size_t items = 300000;
    size_t n = strlen(APP_HEAD) + items * 2 + 8;
    char *buf = malloc(n);
    assert_non_null(buf);
    size_t len = (size_t)snprintf(buf, n, "%s", APP_HEAD "[");
    for (size_t j = 0; j < items; j++) {
        buf[len++] = '1';
        buf[len++] = ',';
    }
    buf[len - 1] = ']';
    buf[len++] = '\n';
    expect_pipeline_error("flood", buf, len, "document has more than 200000 nodes");
    free(buf);
}

static void truncations_of_a_valid_application_never_crash(void **state)
{
    (void)state;
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/examples/advanced.yaml", VELA_SOURCE_DIR);
    char *buf = slurp(path, &len);
    int accepted = 0;
    for (size_t cut = 0; cut < len; cut++) {
        char err[4096];
        /* a copy of exactly cut bytes, so ASan sees any read past the end */
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        if (run_pipeline(copy, cut, err, sizeof(err)) < 0)
            accepted++;
        else
            assert_true(err[0] != '\0');
        free(copy);
    }
    /* cutting inside the last step's policy list can still leave a valid document; the
     * point here is that nothing crashes and every rejection says why */
    print_message("%zu truncations, %d still valid\n", len, accepted);
    free(buf);
}

static void byte_mutations_of_a_valid_application_never_crash(void **state)
{
    (void)state;
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/examples/advanced.yaml", VELA_SOURCE_DIR);
    char *orig = slurp(path, &len);
    char *buf = malloc(len);
    static const char alphabet[] = ":-[]{}&*!|>'\"#,? \n\t0a\x80\xff";
    uint32_t x = 88172645u;
    int rejected = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, orig, len);
        for (int k = 0; k < 1 + round % 4; k++) { /* 1 to 4 bytes replaced */
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[x % len] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
        }
        char err[4096];
        if (run_pipeline(buf, len, err, sizeof(err)) == 0) {
            rejected++;
            assert_true(err[0] != '\0');
        }
    }
    print_message("3000 mutations, %d rejected\n", rejected);
    assert_true(rejected > 0);
    free(buf);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_bad_input_fails_with_its_expected_error),
        cmocka_unit_test(oversized_document_is_rejected),
        cmocka_unit_test(nesting_deeper_than_64_is_rejected),
        cmocka_unit_test(node_flood_without_aliases_is_rejected),
        cmocka_unit_test(truncations_of_a_valid_application_never_crash),
        cmocka_unit_test(byte_mutations_of_a_valid_application_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, ct_teardown_registry);
}
