/* Sealed credentials: the key file (created 0600 as hex, reloaded identically, malformed ones
 * refused), the AES-256-GCM round trip, and the failures a user must see clearly: tampered
 * data, tag or nonce, another record's context, another key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jpool.h"
#include "registry/seal.h"

static char tmpdir[64];

static int setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vela-seal-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_tmp(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* "seal - a missing key file is created with mode 0600 as 64 hex characters" */
static void test_key_created_0600_hex(void **state)
{
    char path[128], err[256];
    seal_key k1, k2;
    path_in_tmp(path, sizeof(path), "sub/dir/secret.key");
    /* the folder is created too */
    char dir[128];
    path_in_tmp(dir, sizeof(dir), "sub");
    mkdir(dir, 0700);
    assert_int_equal(seal_key_load(path, 1, &k1, err, sizeof(err)), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65);
    FILE *f = fopen(path, "r");
    char hex[80] = "";
    assert_non_null(fgets(hex, sizeof(hex), f));
    fclose(f);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 64);
    /* reloading gives the same key */
    assert_int_equal(seal_key_load(path, 0, &k2, err, sizeof(err)), 0);
    assert_memory_equal(k1.key, k2.key, SEAL_KEY_BYTES);
    assert_string_equal(k1.kid, k2.kid);
}

/* "seal - a missing key file without create, and malformed ones, give clear errors" */
static void test_key_errors(void **state)
{
    char path[128], err[256];
    seal_key k;
    static const struct {
        const char *content;
        const char *expect;
    } cases[] = {
        {NULL, "cannot read secret key file"},
        {"short\n", "must hold 64 hex characters"},
        {"zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
         "must hold 64 hex characters"},
        {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-extra",
         "must hold 64 hex characters"},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "bad%zu.key", i);
        path_in_tmp(path, sizeof(path), name);
        if (cases[i].content)
            write_text(path, cases[i].content);
        err[0] = '\0';
        if (seal_key_load(path, 0, &k, err, sizeof(err)) != -1 || !strstr(err, cases[i].expect) ||
            !strstr(err, path)) {
            fprintf(stderr, "case %zu: err=\"%s\"\n", i, err);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    /* a valid hex key with a trailing newline loads */
    path_in_tmp(path, sizeof(path), "good.key");
    write_text(path, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    assert_int_equal(seal_key_load(path, 0, &k, err, sizeof(err)), 0);
    assert_int_equal(k.key[0], 0x01);
    assert_int_equal(k.key[31], 0xef);
}

static void load_key(const char *name, seal_key *k)
{
    char path[128], err[256];
    path_in_tmp(path, sizeof(path), name);
    assert_int_equal(seal_key_load(path, 1, k, err, sizeof(err)), 0);
}

static const char secret[] = "{\"token\":\"s3cr3t-token\",\"key\":\"-----BEGIN PRIVATE KEY-----\"}";

/* "seal - sealing then opening gives the plain text back, and the blob does not contain it" */
static void test_round_trip(void **state)
{
    seal_key k;
    char err[256];
    load_key("rt.key", &k);
    json_t *s = seal_encrypt(&k, "beijing-1", secret, strlen(secret), err, sizeof(err));
    assert_non_null(s);
    char *dump = vela_json_dumps(s, JSON_COMPACT);
    assert_null(strstr(dump, "s3cr3t"));
    assert_null(strstr(dump, "BEGIN"));
    assert_non_null(strstr(dump, "\"alg\":\"AES-256-GCM\""));
    free(dump);
    char *plain;
    size_t len;
    assert_int_equal(seal_decrypt(&k, "beijing-1", s, &plain, &len, err, sizeof(err)), 0);
    assert_int_equal(len, strlen(secret));
    assert_string_equal(plain, secret);
    seal_free_plain(plain, len);
    /* two seals of the same text differ (fresh nonce) */
    json_t *s2 = seal_encrypt(&k, "beijing-1", secret, strlen(secret), err, sizeof(err));
    assert_false(json_equal(s, s2));
    json_decref(s2);
    json_decref(s);
}

/* Flips one base64 character of field in a copy of sealed. */
static json_t *tamper(const json_t *sealed, const char *field)
{
    json_t *c = json_deep_copy(sealed);
    char *v = strdup(json_string_value(json_object_get(c, field)));
    v[2] = v[2] == 'A' ? 'B' : 'A';
    json_object_set_new(c, field, json_string(v));
    free(v);
    return c;
}

/* "seal - tampered data, tag or nonce, or another record's context, are rejected" */
static void test_tamper_rejected(void **state)
{
    seal_key k;
    char err[256];
    load_key("tamper.key", &k);
    json_t *s = seal_encrypt(&k, "us-west-1", secret, strlen(secret), err, sizeof(err));
    assert_non_null(s);
    static const char *const fields[] = {"data", "tag", "nonce"};
    int failures = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *t = tamper(s, fields[i]);
        char *plain = NULL;
        size_t len;
        err[0] = '\0';
        if (seal_decrypt(&k, "us-west-1", t, &plain, &len, err, sizeof(err)) != -1 || plain ||
            !strstr(err, "tampered")) {
            fprintf(stderr, "field %s: err=\"%s\"\n", fields[i], err);
            failures++;
        }
        json_decref(t);
    }
    assert_int_equal(failures, 0);
    char *plain = NULL;
    size_t len;
    /* bound to the cluster name: moving it to another record fails */
    assert_int_equal(seal_decrypt(&k, "beijing-1", s, &plain, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "tampered"));
    /* malformed base64 */
    json_t *m = json_deep_copy(s);
    json_object_set_new(m, "data", json_string("!!!"));
    assert_int_equal(seal_decrypt(&k, "us-west-1", m, &plain, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "malformed"));
    json_decref(m);
    json_decref(s);
}

/* "seal - opening with another key says which key ids differ" */
static void test_wrong_key(void **state)
{
    seal_key a, b;
    char err[256];
    load_key("a.key", &a);
    load_key("b.key", &b);
    assert_string_not_equal(a.kid, b.kid);
    json_t *s = seal_encrypt(&a, "c", secret, strlen(secret), err, sizeof(err));
    char *plain = NULL;
    size_t len;
    assert_int_equal(seal_decrypt(&b, "c", s, &plain, &len, err, sizeof(err)), -1);
    assert_null(plain);
    assert_non_null(strstr(err, "another secret key"));
    assert_non_null(strstr(err, a.kid));
    assert_non_null(strstr(err, "VELA_SECRET_KEY_FILE"));
    /* a forged key id does not help: authentication still fails */
    json_object_set_new(s, "kid", json_string(b.kid));
    assert_int_equal(seal_decrypt(&b, "c", s, &plain, &len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "tampered"));
    json_decref(s);
}

/* "seal - the key path comes from the argument, then VELA_SECRET_KEY_FILE, then HOME" */
static void test_key_path(void **state)
{
    char buf[256];
    setenv("VELA_SECRET_KEY_FILE", "/x/env.key", 1);
    assert_int_equal(seal_key_path("/x/arg.key", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/x/arg.key");
    assert_int_equal(seal_key_path(NULL, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/x/env.key");
    unsetenv("VELA_SECRET_KEY_FILE");
    setenv("HOME", "/home/u", 1);
    assert_int_equal(seal_key_path(NULL, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "/home/u/.vela/secret.key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_created_0600_hex),
        cmocka_unit_test(test_key_errors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tamper_rejected),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_key_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
