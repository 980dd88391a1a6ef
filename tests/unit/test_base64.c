/* Base64 (common/base/base64.c): the RFC 4648 test vectors both ways, every byte value and
 * length round-tripping, and the decoder refusing what is not padded standard base64 (bad
 * length, padding in the wrong place, characters outside the alphabet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/util.h"

/* RFC 4648 section 10. */
static const struct {
    const char *plain, *encoded;
} rfc_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void rfc4648_vectors_encode_and_decode(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(rfc_vectors); i++) {
        const char *plain = rfc_vectors[i].plain, *enc = rfc_vectors[i].encoded;
        char *got = base64_encode(plain, strlen(plain));
        if (strcmp(got, enc) != 0 || base64_encoded_len(strlen(plain)) != strlen(enc)) {
            print_error("encode \"%s\": got \"%s\", want \"%s\"\n", plain, got, enc);
            failures++;
        }
        free(got);
        unsigned char *dec = NULL;
        size_t n = 0;
        if (base64_decode(enc, strlen(enc), &dec, &n) != 0 || n != strlen(plain) ||
            memcmp(dec, plain, n) != 0 || dec[n] != '\0') {
            print_error("decode \"%s\": want \"%s\"\n", enc, plain);
            failures++;
        }
        free(dec);
    }
    assert_int_equal(failures, 0);
}

/* The whole alphabet ('+' and '/' included), NUL bytes, and every length up to 300. */
static void round_trip_every_byte_and_length(void **state)
{
    (void)state;
    unsigned char data[300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + 3);
    int failures = 0;
    for (size_t len = 0; len <= sizeof(data); len++) {
        char *enc = base64_encode(data, len);
        unsigned char *dec = NULL;
        size_t n = 0;
        if (strlen(enc) != base64_encoded_len(len) ||
            base64_decode(enc, strlen(enc), &dec, &n) != 0 || n != len ||
            memcmp(dec, data, len) != 0) {
            print_error("round trip of %zu bytes failed: \"%s\"\n", len, enc);
            failures++;
        }
        free(enc);
        free(dec);
    }
    assert_int_equal(failures, 0);

    unsigned char all[256];
    for (size_t i = 0; i < sizeof(all); i++)
        all[i] = (unsigned char)i;
    char *enc = base64_encode(all, sizeof(all));
    assert_non_null(strchr(enc, '+'));
    assert_non_null(strchr(enc, '/'));
    assert_string_equal(enc + strlen(enc) - 8, "/P3+/w==");
    free(enc);
    unsigned char *dec = NULL;
    size_t n = 0;
    assert_int_equal(base64_decode("+/+/", 4, &dec, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(dec, "\xfb\xff\xbf", 3);
    free(dec);
}

static void decode_refuses_malformed_input(void **state)
{
    (void)state;
    static const struct {
        const char *why, *in;
    } bad[] = {
        {"length not a multiple of 4", "Zg="},
        {"padding left out", "Zg"},
        {"one character", "Z"},
        {"five characters", "Zm9vY"},
        {"padding inside the last quantum", "Zm=v"},
        {"three padding characters", "Z==="},
        {"padding only", "===="},
        {"padding before more data", "Zg==Zm9v"},
        {"padding in the first of two quanta", "Zm8=Zm9v"},
        {"URL-safe alphabet '-'", "Zm9-"},
        {"URL-safe alphabet '_'", "Zm9_"},
        {"a space", "Zm9 "},
        {"a newline", "Zm9v\nZm9v"},
        {"a trailing newline", "Zm9vYmE\n"},
        {"a non-ASCII byte", "Zm9\xc3"},
        {"a dot", "Zm9v.A=="},
    };
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        unsigned char *dec = (unsigned char *)"untouched";
        size_t n = 12345;
        if (base64_decode(bad[i].in, strlen(bad[i].in), &dec, &n) != -1 ||
            strcmp((const char *)dec, "untouched") != 0 || n != 12345) {
            print_error("%s: \"%s\" was accepted\n", bad[i].why, bad[i].in);
            failures++;
        }
    }
    /* an embedded NUL is outside the alphabet too */
    unsigned char *dec = NULL;
    size_t n = 0;
    if (base64_decode("Zm\0v", 4, &dec, &n) != -1) {
        print_error("embedded NUL was accepted\n");
        failures++;
    }
    assert_int_equal(failures, 0);
}

/* Only the given length is read: a token inside a larger buffer decodes alone. */
static void decode_reads_only_len_characters(void **state)
{
    (void)state;
    unsigned char *dec = NULL;
    size_t n = 0;
    assert_int_equal(base64_decode("Zm9vYmFy!!!", 8, &dec, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal((const char *)dec, "foobar");
    free(dec);
    assert_int_equal(base64_decode("", 0, &dec, &n), 0);
    assert_int_equal(n, 0);
    assert_string_equal((const char *)dec, "");
    free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors_encode_and_decode),
        cmocka_unit_test(round_trip_every_byte_and_length),
        cmocka_unit_test(decode_refuses_malformed_input),
        cmocka_unit_test(decode_reads_only_len_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
