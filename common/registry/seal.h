/* Sealed credentials (seal_): AES-256-GCM (OpenSSL EVP) with a 32-byte key from a file that the
 * CLI, scheduler and workers share. A sealed blob is a JSON object
 *   {"alg":"AES-256-GCM","kid":"<8 hex: SHA-256 of the key>","nonce":b64,"data":b64,"tag":b64}
 * bound to a context string (the cluster name) as additional authenticated data. Nothing here
 * logs plain text. */
#ifndef VELA_SEAL_H
#define VELA_SEAL_H

#include <jansson.h>
#include <stddef.h>

#define SEAL_KEY_BYTES 32

typedef struct seal_key {
    unsigned char key[SEAL_KEY_BYTES];
    char kid[9]; /* first 4 bytes of SHA-256(key), hex: names the key without revealing it */
} seal_key;

/* The key file: path, else $VELA_SECRET_KEY_FILE, else ~/.vela/secret.key. Writes the chosen
 * path into buf. -1 when no path can be formed. */
int seal_key_path(const char *path, char *buf, size_t len);

/* Loads the key from the file (64 hex characters, optionally followed by a newline). When the
 * file does not exist and create is non-zero, creates it (and its folder, mode 0700) with 32
 * random bytes as hex, mode 0600. -1 with a message naming the file otherwise (unreadable,
 * malformed, readable by others is only warned about). */
int seal_key_load(const char *path, int create, seal_key *out, char *err, size_t errlen);

/* Seals plain (len bytes) bound to context (may be ""). Returns a new JSON object (caller
 * decrefs) or NULL with a message. */
json_t *seal_encrypt(const seal_key *k, const char *context, const void *plain, size_t len,
                     char *err, size_t errlen);

/* Opens a sealed object. On success *out (caller frees with seal_free_plain, which wipes it)
 * gets the plain text plus a NUL, *len its length. -1 with a clear message when sealed with
 * another key (the key ids differ), tampered with or bound to another context (authentication
 * fails), or malformed. */
int seal_decrypt(const seal_key *k, const char *context, const json_t *sealed, char **out,
                 size_t *len, char *err, size_t errlen);

/* Wipes a key held in memory. */
void seal_key_wipe(seal_key *k);

/* Wipes and frees plain text from seal_decrypt. */
void seal_free_plain(char *p, size_t len);

#endif
