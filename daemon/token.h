/*
 * token: personal tokens and other secrets, with libsodium.
 *
 * A token is 32 random bytes, written URL-safe base64 without padding
 * (43 characters). Only its SHA-256 is stored; the token itself is shown
 * once. Comparisons of hashes run in constant time.
 *
 * Callers: estctl (issuing), HTTP handlers (checking), sessions.
 */
#ifndef ESTD_TOKEN_H
#define ESTD_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_LEN 43
#define TOKEN_HASH_LEN 32
#define TOKEN_KEY_LEN 32
#define TOKEN_SALT_LEN 16

/* Initialise libsodium; returns 0 or -1. Call once before threads. */
int token_init(void);
/* A new token, NUL-terminated, into buf[TOKEN_LEN + 1]. */
void token_new(char *buf);
/*
 * SHA-256 of the token into hash. Returns 0, or -1 if the string is not
 * shaped like a token (wrong length or alphabet); hash is then filled
 * with the hash of the input anyway, so callers can keep their timing
 * the same on both paths.
 */
int token_hash(
    const char *token, size_t len, unsigned char hash[TOKEN_HASH_LEN]);
/*
 * SHA-256 of len bytes at data into out: for content hashes such as the
 * audit log's chain, not for secrets.
 */
void token_sha256(
    const void *data, size_t len, unsigned char out[TOKEN_HASH_LEN]);
/* 1 if equal, in constant time. */
int token_hash_equal(const unsigned char *, const unsigned char *);
/*
 * 1 if the two strings are equal. The time taken depends on their
 * lengths only, never on where they differ (CSRF tokens).
 */
int token_str_equal(const char *, const char *);
/* n random bytes as 2n lowercase hex characters plus NUL into buf. */
void token_random_hex(char *buf, size_t n);

/*
 * Personal links that mail can carry. A link's token is derived from a
 * per-person random salt (stored) and a secret key kept in a file beside
 * the database (never in it): HMAC-SHA256(key, salt), written like any
 * token. The database alone still reveals no link; the daemon, holding
 * the key, can put a person's link into their reminder and digest.
 *
 * token_key_load reads the 32-byte key file at `path`; with `create` it
 * makes one (mode 0600) when it does not exist. Returns 0, or -1 with
 * *cause (caller frees).
 */
int token_key_load(const char *path, int create,
    unsigned char key[TOKEN_KEY_LEN], char **cause);
void token_salt_new(unsigned char salt[TOKEN_SALT_LEN]);
/* The token of (key, salt), NUL-terminated, into buf[TOKEN_LEN + 1]. */
void token_derive(const unsigned char key[TOKEN_KEY_LEN],
    const unsigned char salt[TOKEN_SALT_LEN], char *buf);

/*
 * HMAC-SHA256 (RFC 2104) of len bytes at data under a key of any length
 * into out: the signature of webhook deliveries.
 */
void token_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[TOKEN_HASH_LEN]);

/* A uniformly random 32-bit number (jitter, not secrets). */
uint32_t token_random_u32(void);

#endif
