/*
 * token: personal tokens and other secrets, with libsodium. The only file
 * that includes <sodium.h>.
 *
 * Randomness comes from randombytes_buf (getrandom(2) underneath), the
 * hash is crypto_hash_sha256 and comparisons go through sodium_memcmp so
 * a hash lookup takes the same time whatever the bytes are.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sodium.h>

#include "log.h"
#include "token.h"
#include "xmalloc.h"

#define TOKEN_RAW_LEN 32

/* base64 of 32 bytes without padding is 43 characters. */
_Static_assert(TOKEN_LEN == 43, "token length must match 32 bytes");
_Static_assert(TOKEN_HASH_LEN == crypto_hash_sha256_BYTES,
    "token hash length must match SHA-256");
_Static_assert(TOKEN_HASH_LEN == crypto_auth_hmacsha256_BYTES,
    "an HMAC-SHA256 fills a token hash");

int
token_init(void)
{
	/* 1 means already initialised, which is fine too. */
	if (sodium_init() < 0)
		return -1;
	return 0;
}

/*
 * Write a new token into buf, which must hold TOKEN_LEN + 1 bytes. The
 * raw bytes are wiped; the caller should wipe buf once it is shown.
 */
void
token_new(char *buf)
{
	unsigned char raw[TOKEN_RAW_LEN];

	randombytes_buf(raw, sizeof(raw));
	if (sodium_bin2base64(buf, TOKEN_LEN + 1, raw, sizeof(raw),
		sodium_base64_VARIANT_URLSAFE_NO_PADDING) == NULL)
		fatalx("token_new: base64 encoding failed");
	sodium_memzero(raw, sizeof(raw));
}

/* 1 if c belongs to the URL-safe base64 alphabet. */
static int
token_char_ok(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
token_hash(const char *token, size_t len, unsigned char hash[TOKEN_HASH_LEN])
{
	size_t i;
	int bad = 0;

	/*
	 * Look at every character and always hash, so a malformed token
	 * costs about as much as a well-formed one that is not ours.
	 */
	if (len != TOKEN_LEN)
		bad = 1;
	for (i = 0; i < len; i++)
		bad |= !token_char_ok((unsigned char)token[i]);
	crypto_hash_sha256(
	    hash, (const unsigned char *)token, (unsigned long long)len);
	return bad ? -1 : 0;
}

void
token_sha256(const void *data, size_t len, unsigned char out[TOKEN_HASH_LEN])
{
	crypto_hash_sha256(out, data, (unsigned long long)len);
}

int
token_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return sodium_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}

int
token_str_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	/* The lengths are no secret: every CSRF token has the same one. */
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

/*
 * Write n random bytes as 2n lowercase hex characters and a NUL into
 * buf, which must hold 2n + 1 bytes.
 */
void
token_random_hex(char *buf, size_t n)
{
	unsigned char raw[64];
	size_t chunk, done = 0;

	/* In chunks, so any n works without a heap buffer. */
	do {
		chunk = n - done;
		if (chunk > sizeof(raw))
			chunk = sizeof(raw);
		randombytes_buf(raw, chunk);
		sodium_bin2hex(buf + 2 * done, 2 * chunk + 1, raw, chunk);
		done += chunk;
	} while (done < n);
	sodium_memzero(raw, sizeof(raw));
}

uint32_t
token_random_u32(void)
{
	return randombytes_random();
}

int
token_key_load(const char *path, int create, unsigned char key[TOKEN_KEY_LEN],
    char **cause)
{
	unsigned char fresh[TOKEN_KEY_LEN];
	char *tmp = NULL;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, key, TOKEN_KEY_LEN);
		close(fd);
		if (n != TOKEN_KEY_LEN) {
			xasprintf(cause, "key file %s: not a key of %d bytes",
			    path, TOKEN_KEY_LEN);
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT || !create) {
		xasprintf(cause, "key file %s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (run \"estctl init\")" : "");
		return -1;
	}
	/*
	 * Written whole under a unique temporary name, then linked into
	 * place: link(2) fails if another process made the key first, and
	 * then its key is the one to use.
	 */
	randombytes_buf(fresh, sizeof(fresh));
	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		xasprintf(cause, "key file %s: %s", path, strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0600) == -1 ||
	    write(fd, fresh, sizeof(fresh)) != (ssize_t)sizeof(fresh) ||
	    fsync(fd) == -1) {
		xasprintf(cause, "key file %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto done;
	}
	close(fd);
	if (link(tmp, path) == -1) {
		int saved = errno;

		unlink(tmp);
		if (saved == EEXIST) {
			rc = token_key_load(path, 0, key, cause);
			goto done;
		}
		xasprintf(cause, "key file %s: %s", path, strerror(saved));
		goto done;
	}
	unlink(tmp);
	memcpy(key, fresh, TOKEN_KEY_LEN);
	rc = 0;
done:
	sodium_memzero(fresh, sizeof(fresh));
	free(tmp);
	return rc;
}

void
token_salt_new(unsigned char salt[TOKEN_SALT_LEN])
{
	randombytes_buf(salt, TOKEN_SALT_LEN);
}

void
token_derive(const unsigned char key[TOKEN_KEY_LEN],
    const unsigned char salt[TOKEN_SALT_LEN], char *buf)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, salt, TOKEN_SALT_LEN, key);
	sodium_bin2base64(buf, TOKEN_LEN + 1, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(mac, sizeof(mac));
}

void
token_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[TOKEN_HASH_LEN])
{
	crypto_auth_hmacsha256_state st;

	/* Keys longer than a block are hashed first, as RFC 2104 says. */
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, data, (unsigned long long)len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}
