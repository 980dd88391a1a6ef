/* Helpers shared by the message codec tests (test_msg_task, test_msg_event, test_msg_status):
 * the bad-record corpus walker (tests/bad-records/<topic>/<case>.json or .bin must fail to
 * decode with an error containing <case>.err), reading test files, generated records too big
 * to commit, editing a record's field by path, and the checks run on edited records. */
#ifndef VELA_MSGTEST_H
#define VELA_MSGTEST_H

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

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/util.h"
#include "msg/schema.h"

/* Not every test uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* Decodes buf; 0 accepted, -1 refused with err. */
typedef int (*msgtest_decode_fn)(const char *buf, size_t len, char *err, size_t errlen);

static int msgtest_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static int msgtest_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bytes of a file as they are (malloc'd, NUL-terminated). */
static char *msgtest_slurp(const char *path, size_t *len)
{
    char *buf = NULL, err[256];
    if (read_file(path, 16u << 20, &buf, len, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return buf;
}

/* Cuts the line ends off the end of buf. */
static void msgtest_trim(char *buf, size_t *len)
{
    while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
        buf[--*len] = '\0';
}

/* The names of dir's .json and .bin files (strdup'd), sorted; returns how many. */
static size_t msgtest_list(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < max)
        if (msgtest_suffix(de->d_name, ".json") || msgtest_suffix(de->d_name, ".bin"))
            names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof(names[0]), msgtest_cmp);
    return n;
}

/* Runs every case of tests/bad-records/<sub>; returns the failures (each printed) and the
 * number of cases in *count. A case without .err, accepted, or failing with another error
 * is a failure. */
static int msgtest_corpus(const char *sub, msgtest_decode_fn decode, size_t *count)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/tests/bad-records/%s", VELA_SOURCE_DIR, sub);
    char *names[256];
    size_t n = msgtest_list(dir, names, ARRAY_LEN(names));
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024], errpath[1024], err[4096] = "";
        size_t len, elen;
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(errpath, sizeof(errpath), "%.*s.err",
                 (int)(strlen(path) - strlen(strrchr(path, '.'))), path);
        char *buf = msgtest_slurp(path, &len);
        /* an exact-size copy, so that ASan sees a read past the end */
        char *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        int rc = decode(copy, len, err, sizeof(err));
        if (stat(errpath, &st) < 0) {
            print_error("%s/%s: no .err file; the error is: %s\n", sub, names[i], err);
            failures++;
        } else {
            char *want = msgtest_slurp(errpath, &elen);
            msgtest_trim(want, &elen);
            if (rc == 0) {
                print_error("%s/%s: accepted, expected: %s\n", sub, names[i], want);
                failures++;
            } else if (elen == 0 || !strstr(err, want)) {
                print_error("%s/%s:\n  want: %s\n  got:  %s\n", sub, names[i], want, err);
                failures++;
            }
            free(want);
        }
        free(copy);
        free(buf);
        free(names[i]);
    }
    *count = n;
    print_message("%zu bad records in tests/bad-records/%s, %d failed\n", n, sub, failures);
    return failures;
}

/* {"schemaVersion":1,"<key>":"xxx...x"} with a string of n bytes (malloc'd, *len set). */
static char *msgtest_big_string_record(const char *key, size_t n, size_t *len)
{
    char head[128];
    int h = snprintf(head, sizeof(head), "{\"schemaVersion\":1,\"%s\":\"", key);
    char *buf = malloc((size_t)h + n + 3);
    memcpy(buf, head, (size_t)h);
    memset(buf + h, 'x', n);
    memcpy(buf + h + n, "\"}", 3);
    *len = (size_t)h + n + 2;
    return buf;
}

/* n nested arrays: [[[...]]] */
static char *msgtest_nested(size_t n, size_t *len)
{
    char *buf = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        buf[i] = '[';
        buf[2 * n - 1 - i] = ']';
    }
    buf[2 * n] = '\0';
    *len = 2 * n;
    return buf;
}

/* The object holding the field at path ("components[0].traits[1].type") and the field's
 * key in *key (a static buffer); for a path that ends in an index ("steps[0]") the array and
 * the index as text. Fails the test when the path is not in root. */
static json_t *msgtest_parent(json_t *root, const char *path, const char **key)
{
    static char last[128];
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = root;
    char *save = NULL;
    char *tok = strtok_r(buf, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        char *br = strchr(tok, '[');
        if (br)
            *br = '\0';
        if (!next && !br) {
            snprintf(last, sizeof(last), "%s", tok);
            *key = last;
            return cur;
        }
        cur = json_object_get(cur, tok);
        while (br) {
            char *after = strchr(br + 1, '[');
            if (!next && !after) { /* the field is an item */
                snprintf(last, sizeof(last), "%.*s", (int)strcspn(br + 1, "]"), br + 1);
                *key = last;
                return cur;
            }
            cur = json_array_get(cur, strtoul(br + 1, NULL, 10));
            br = after;
        }
        if (!cur)
            fail_msg("%s: not in the test's record", path);
        tok = next;
    }
    fail_msg("%s: empty path", path);
    return NULL;
}

/* The record with the field at path removed (value NULL) or replaced (value stolen), as
 * compact JSON (malloc'd). */
static char *msgtest_edit(const char *record, const char *path, json_t *value)
{
    json_error_t je;
    json_t *root = json_loads(record, 0, &je);
    if (!root)
        fail_msg("test record: %s", je.text);
    const char *key;
    json_t *parent = msgtest_parent(root, path, &key);
    int rc;
    if (json_is_array(parent))
        rc = value ? json_array_set_new(parent, strtoul(key, NULL, 10), value)
                   : json_array_remove(parent, strtoul(key, NULL, 10));
    else
        rc = value ? json_object_set_new(parent, key, value) : json_object_del(parent, key);
    if (rc < 0)
        fail_msg("%s: not in the test's record", path);
    char *out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return out;
}

/* ---- checks on records: each returns its failures (0 or 1), printed ---- */

/* Decoding s must fail with an error containing want. */
static int msgtest_refused(msgtest_decode_fn decode, const char *what, const char *s, size_t len,
                           const char *want)
{
    char err[1024] = "";
    if (decode(s, len, err, sizeof(err)) == 0) {
        print_error("%s: accepted, want \"%s\"\n", what, want);
        return 1;
    }
    if (!strstr(err, want)) {
        print_error("%s:\n  want: %s\n  got:  %s\n", what, want, err);
        return 1;
    }
    return 0;
}

/* record without the required field at path is refused: "<path>: missing (required
 * <type>)". */
static int msgtest_missing(msgtest_decode_fn decode, const char *record, const char *path,
                           const char *type)
{
    char *rec = msgtest_edit(record, path, NULL);
    char want[256];
    snprintf(want, sizeof(want), "%s: missing (required %s)", path, type);
    int failures = msgtest_refused(decode, path, rec, strlen(rec), want);
    free(rec);
    return failures;
}

/* record without the optional field at path still decodes. */
static int msgtest_optional(msgtest_decode_fn decode, const char *record, const char *path)
{
    char *rec = msgtest_edit(record, path, NULL);
    char err[512];
    int failures = 0;
    if (decode(rec, strlen(rec), err, sizeof(err)) < 0) {
        print_error("%s removed: %s\n", path, err);
        failures++;
    }
    free(rec);
    return failures;
}

/* record with the field at path set to value (JSON text) is refused with want. */
static int msgtest_wrong(msgtest_decode_fn decode, const char *record, const char *path,
                         const char *value, const char *want)
{
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    char *rec = msgtest_edit(record, path, v);
    int failures = msgtest_refused(decode, path, rec, strlen(rec), want);
    free(rec);
    return failures;
}

/* Every prefix of record is refused with a reason, and nothing crashes (ASan build): the
 * number of prefixes that are not. */
static int msgtest_truncations(msgtest_decode_fn decode, const char *record)
{
    size_t len = strlen(record);
    int failures = 0;
    for (size_t cut = 0; cut < len; cut++) {
        /* an exact-size copy, so that ASan sees a read past the end */
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, record, cut);
        char err[512] = "";
        if (decode(copy, cut, err, sizeof(err)) == 0 || !err[0]) {
            print_error("cut at %zu: accepted or no reason\n", cut);
            failures++;
        }
        free(copy);
    }
    return failures;
}

#endif
