/* AES-256-GCM sealing of credentials with OpenSSL EVP, and the key file. See seal.h. */
#include "registry/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"

#define SEAL_NONCE_BYTES 12
#define SEAL_TAG_BYTES 16
#define SEAL_MAX_PLAIN (8u << 20)

int seal_key_path(const char *path, char *buf, size_t len)
{
    int n;
    const char *env = getenv("VELA_SECRET_KEY_FILE");
    const char *home = getenv("HOME");
    if (path && *path)
        n = snprintf(buf, len, "%s", path);
    else if (env && *env)
        n = snprintf(buf, len, "%s", env);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.vela/secret.key", home);
    else
        return -1;
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void seal_kid(seal_key *k)
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(k->key, sizeof(k->key), d);
    snprintf(k->kid, sizeof(k->kid), "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
}

static int seal_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Creates the key file with O_EXCL (a concurrent creator wins and we read its key). */
static int seal_key_create(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
            return err_set(err, errlen, "cannot create folder \"%s\" for the secret key: %s", dir,
                           strerror(errno));
    }
    unsigned char raw[SEAL_KEY_BYTES];
    char hex[SEAL_KEY_BYTES * 2 + 2];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return err_set(err, errlen, "no random bytes for a new secret key");
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    hex[SEAL_KEY_BYTES * 2] = '\n';
    OPENSSL_cleanse(raw, sizeof(raw));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        OPENSSL_cleanse(hex, sizeof(hex));
        if (errno == EEXIST)
            return 0;
        return err_set(err, errlen, "cannot create secret key file \"%s\": %s", path,
                       strerror(errno));
    }
    ssize_t w = write(fd, hex, SEAL_KEY_BYTES * 2 + 1);
    OPENSSL_cleanse(hex, sizeof(hex));
    if (w != SEAL_KEY_BYTES * 2 + 1 || fsync(fd) < 0) {
        close(fd);
        unlink(path);
        return err_set(err, errlen, "cannot write secret key file \"%s\"", path);
    }
    close(fd);
    log_info("event=secret_key_created path=%s", path);
    return 0;
}

int seal_key_load(const char *path, int create, seal_key *out, char *err, size_t errlen)
{
    char p[4096];
    char buf[128];
    memset(out, 0, sizeof(*out));
    if (seal_key_path(path, p, sizeof(p)) < 0)
        return err_set(err, errlen, "no secret key file: set VELA_SECRET_KEY_FILE or HOME");
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (seal_key_create(p, err, errlen) < 0)
            return -1;
        fd = open(p, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return err_set(err, errlen, "cannot read secret key file \"%s\": %s%s", p, strerror(errno),
                       errno == ENOENT ? " (run 'vela cluster join' first or copy the key "
                                         "that joined the clusters)"
                                       : "");
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        log_warn("event=secret_key_permissions path=%s mode=%03o note=\"should be 0600\"", p,
                 (unsigned)(st.st_mode & 0777));
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    int rc = -1;
    if (n < SEAL_KEY_BYTES * 2) {
        err_set(err, errlen, "secret key file \"%s\" must hold 64 hex characters", p);
        goto cleanup;
    }
    for (ssize_t i = SEAL_KEY_BYTES * 2; i < n; i++) {
        if (buf[i] != '\n' && buf[i] != '\r' && buf[i] != ' ') {
            err_set(err, errlen, "secret key file \"%s\" must hold 64 hex characters", p);
            goto cleanup;
        }
    }
    for (int i = 0; i < SEAL_KEY_BYTES; i++) {
        int hi = seal_hexval(buf[2 * i]), lo = seal_hexval(buf[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            err_set(err, errlen, "secret key file \"%s\" must hold 64 hex characters", p);
            goto cleanup;
        }
        out->key[i] = (unsigned char)(hi << 4 | lo);
    }
    seal_kid(out);
    rc = 0;
cleanup:
    OPENSSL_cleanse(buf, sizeof(buf));
    if (rc < 0)
        OPENSSL_cleanse(out, sizeof(*out));
    return rc;
}

static char *seal_b64(const unsigned char *in, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return out;
}

/* Decodes standard base64 into a new buffer; -1 when malformed. */
static int seal_unb64(const char *in, unsigned char **out, size_t *len)
{
    size_t n = strlen(in);
    if (n % 4)
        return -1;
    unsigned char *buf = xmalloc(n / 4 * 3 + 1);
    int m = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
    if (m < 0) {
        free(buf);
        return -1;
    }
    /* EVP_DecodeBlock counts padding as zero bytes. */
    if (n >= 1 && in[n - 1] == '=')
        m--;
    if (n >= 2 && in[n - 2] == '=')
        m--;
    *out = buf;
    *len = (size_t)m;
    return 0;
}

json_t *seal_encrypt(const seal_key *k, const char *context, const void *plain, size_t len,
                     char *err, size_t errlen)
{
    unsigned char nonce[SEAL_NONCE_BYTES], tag[SEAL_TAG_BYTES];
    unsigned char *ct = NULL;
    char *b_nonce = NULL, *b_ct = NULL, *b_tag = NULL;
    json_t *res = NULL;
    int outl = 0, fl = 0;

    if (len > SEAL_MAX_PLAIN) {
        err_set(err, errlen, "credentials too large to seal (%zu bytes)", len);
        return NULL;
    }
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    ct = xmalloc(len + 16);
    if (!cx || RAND_bytes(nonce, sizeof(nonce)) != 1) {
        err_set(err, errlen, "cannot seal: OpenSSL has no cipher context or no random bytes");
        goto cleanup;
    }
    if (EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_BYTES, NULL) != 1 ||
        EVP_EncryptInit_ex(cx, NULL, NULL, k->key, nonce) != 1 ||
        EVP_EncryptUpdate(cx, NULL, &outl, (const unsigned char *)context, (int)strlen(context)) !=
            1 ||
        EVP_EncryptUpdate(cx, ct, &outl, plain, (int)len) != 1 ||
        EVP_EncryptFinal_ex(cx, ct + outl, &fl) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_BYTES, tag) != 1) {
        err_set(err, errlen, "AES-256-GCM encryption failed");
        goto cleanup;
    }
    b_nonce = seal_b64(nonce, sizeof(nonce));
    b_ct = seal_b64(ct, (size_t)(outl + fl));
    b_tag = seal_b64(tag, sizeof(tag));
    /* all ASCII: cannot fail */
    res = json_pack("{s:s, s:s, s:s, s:s, s:s}", "alg", "AES-256-GCM", "kid", k->kid, "nonce",
                    b_nonce, "data", b_ct, "tag", b_tag);
cleanup:
    EVP_CIPHER_CTX_free(cx);
    free(ct);
    free(b_nonce);
    free(b_ct);
    free(b_tag);
    return res;
}

int seal_decrypt(const seal_key *k, const char *context, const json_t *sealed, char **out,
                 size_t *len, char *err, size_t errlen)
{
    const char *alg = NULL, *kid = NULL, *s_nonce = NULL, *s_data = NULL, *s_tag = NULL;
    unsigned char *nonce = NULL, *data = NULL, *tag = NULL;
    size_t nlen = 0, dlen = 0, tlen = 0;
    char *plain = NULL;
    int outl = 0, fl = 0, rc = -1;
    EVP_CIPHER_CTX *cx = NULL;

    *out = NULL;
    *len = 0;
    if (!json_is_object(sealed) ||
        json_unpack((json_t *)sealed, "{s:s, s:s, s:s, s:s, s:s}", "alg", &alg, "kid", &kid,
                    "nonce", &s_nonce, "data", &s_data, "tag", &s_tag) != 0)
        return err_set(err, errlen,
                       "sealed credentials are malformed (need alg, kid, nonce, "
                       "data, tag)");
    if (strcmp(alg, "AES-256-GCM") != 0)
        return err_set(err, errlen, "sealed credentials use unknown algorithm \"%s\"", alg);
    if (strcmp(kid, k->kid) != 0)
        return err_set(err, errlen,
                       "credentials were sealed with another secret key (key id %s, this key "
                       "is %s); set VELA_SECRET_KEY_FILE to the key file used at join",
                       kid, k->kid);
    if (seal_unb64(s_nonce, &nonce, &nlen) < 0 || seal_unb64(s_data, &data, &dlen) < 0 ||
        seal_unb64(s_tag, &tag, &tlen) < 0 || nlen != SEAL_NONCE_BYTES || tlen != SEAL_TAG_BYTES ||
        dlen > SEAL_MAX_PLAIN) {
        err_set(err, errlen, "sealed credentials are malformed (bad base64 or sizes)");
        goto cleanup;
    }
    cx = EVP_CIPHER_CTX_new();
    plain = xmalloc(dlen + 16 + 1);
    if (!cx) {
        err_set(err, errlen, "cannot open the sealed credentials: OpenSSL has no cipher context");
        goto cleanup;
    }
    if (EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_BYTES, NULL) != 1 ||
        EVP_DecryptInit_ex(cx, NULL, NULL, k->key, nonce) != 1 ||
        EVP_DecryptUpdate(cx, NULL, &outl, (const unsigned char *)context, (int)strlen(context)) !=
            1 ||
        EVP_DecryptUpdate(cx, (unsigned char *)plain, &outl, data, (int)dlen) != 1 ||
        EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_BYTES, tag) != 1 ||
        EVP_DecryptFinal_ex(cx, (unsigned char *)plain + outl, &fl) != 1) {
        err_set(err, errlen,
                "sealed credentials failed authentication: they were tampered "
                "with, corrupted, or belong to another record");
        goto cleanup;
    }
    plain[outl + fl] = '\0';
    *out = plain;
    *len = (size_t)(outl + fl);
    plain = NULL; /* now owned by the caller */
    rc = 0;
cleanup:
    EVP_CIPHER_CTX_free(cx);
    if (plain)
        seal_free_plain(plain, dlen + 16);
    free(nonce);
    free(data);
    free(tag);
    return rc;
}

void seal_free_plain(char *p, size_t len)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, len);
    free(p);
}

void seal_key_wipe(seal_key *k)
{
    OPENSSL_cleanse(k, sizeof(*k));
}
