/* Standard base64 encoding and strict decoding (RFC 4648 section 4). Written here once so
 * that the programs need no OpenSSL for it and every decoder refuses the same inputs. */
#include "base/base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

char *base64_encode(const void *in, size_t len)
{
    const unsigned char *p = in;
    char *out = xmalloc(base64_encoded_len(len) + 1);
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = b64_alphabet[(v >> 6) & 63];
        *o++ = b64_alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = b64_alphabet[v >> 18];
        *o++ = b64_alphabet[(v >> 12) & 63];
        *o++ = (char)(i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=');
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

/* The 6-bit value of c, or -1 when c is not in the alphabet ('=' included). */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int base64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
    if (len % 4)
        return -1;
    /* Padding: one or two '=' ending the last quantum, nowhere else. */
    size_t pad = 0;
    if (len >= 4 && in[len - 1] == '=')
        pad = in[len - 2] == '=' ? 2 : 1;
    size_t n = len / 4 * 3 - pad;
    unsigned char *buf = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        size_t last = i + 4 == len ? pad : 0; /* '=' allowed in this quantum */
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = k >= 4 - last ? 0 : b64_value((unsigned char)in[i + k]);
            if (d < 0) {
                free(buf);
                return -1;
            }
            v = v << 6 | (uint32_t)d;
        }
        buf[o++] = (unsigned char)(v >> 16);
        if (last < 2)
            buf[o++] = (unsigned char)(v >> 8);
        if (last < 1)
            buf[o++] = (unsigned char)v;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}
