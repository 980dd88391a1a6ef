/* Standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding), as Kubernetes uses it
 * in Secret data, protobuf bytes fields, list continue tokens and kubeconfig *-data fields.
 * No line breaks are written or accepted. */
#ifndef VELA_BASE64_H
#define VELA_BASE64_H

#include <stddef.h>

/* The length of the encoding of n bytes, without the terminating NUL. */
size_t base64_encoded_len(size_t n);

/* Encodes len bytes of in into a new NUL-terminated string (caller frees; running out of
 * memory aborts, base/alloc.h). */
char *base64_encode(const void *in, size_t len);

/* Decodes the len characters of in. Returns 0 with *out a new buffer (caller frees) of *outlen
 * bytes, followed by a NUL so that text can be used as a string, or -1 (nothing allocated)
 * when in is not padded base64: a length that is not a multiple of 4, a character outside the
 * alphabet (whitespace included), or '=' other than one or two at the very end. Bits left
 * over after the last byte are ignored, as Go's and OpenSSL's decoders do. */
int base64_decode(const char *in, size_t len, unsigned char **out, size_t *outlen);

#endif
