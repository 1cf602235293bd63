/*
 * Tests of token: shape and randomness of new tokens, the SHA-256 of
 * token_hash against known vectors, refusal of malformed tokens, and the
 * hex helper.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "testutil.h"
#include "token.h"

/* Lowercase hex of a hash, for comparing with published vectors. */
static void
hex(const unsigned char *h, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int
urlsafe(const char *s)
{
	for (; *s != '\0'; s++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "abcdefghijklmnopqrstuvwxyz0123456789-_",
			*s) == NULL)
			return 0;
	return 1;
}

static void
setup(void)
{
	ck_assert_int_eq(token_init(), 0);
}

START_TEST(test_new_shape)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	memset(a, 'x', sizeof(a));
	token_new(a);
	token_new(b);
	ck_assert_uint_eq(strlen(a), 43);
	ck_assert_uint_eq(strlen(b), 43);
	ck_assert(urlsafe(a));
	ck_assert(urlsafe(b));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_new_hashes_clean)
{
	char t[TOKEN_LEN + 1];
	unsigned char h[TOKEN_HASH_LEN];
	int i;

	/* Every token we issue must pass our own shape check. */
	for (i = 0; i < 200; i++) {
		token_new(t);
		ck_assert_int_eq(token_hash(t, strlen(t), h), 0);
	}
}
END_TEST

START_TEST(test_hash_abc)
{
	unsigned char h[TOKEN_HASH_LEN];
	char x[2 * TOKEN_HASH_LEN + 1];

	/* "abc" is not shaped like a token: -1, but hashed all the same. */
	ck_assert_int_eq(token_hash("abc", 3, h), -1);
	hex(h, sizeof(h), x);
	ck_assert_str_eq(x,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_hash_empty)
{
	unsigned char h[TOKEN_HASH_LEN];
	char x[2 * TOKEN_HASH_LEN + 1];

	ck_assert_int_eq(token_hash("", 0, h), -1);
	hex(h, sizeof(h), x);
	ck_assert_str_eq(x,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_hash_shape)
{
	/* 43 characters from the alphabet, including - and _. */
	const char *good = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_Z";
	const char *plus = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123+_Z";
	const char *slsh = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123/_Z";
	const char *pad = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ01234_=";
	const char *nul = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_\0";
	const char *lng = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_ZZ";
	unsigned char h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];

	ck_assert_uint_eq(strlen(good), 43);
	ck_assert_int_eq(token_hash(good, 43, h1), 0);
	ck_assert_int_eq(token_hash(plus, 43, h2), -1);
	ck_assert_int_eq(token_hash(slsh, 43, h2), -1);
	ck_assert_int_eq(token_hash(pad, 43, h2), -1);
	/* One short, one long. */
	ck_assert_int_eq(token_hash(good, 42, h2), -1);
	ck_assert_int_eq(token_hash(lng, 44, h2), -1);
	/* A NUL inside the given length is not a token character. */
	ck_assert_int_eq(token_hash(nul, 43, h2), -1);
	/* Only len bytes are hashed: a prefix hashes differently. */
	token_hash(good, 42, h2);
	ck_assert_int_eq(token_hash_equal(h1, h2), 0);
}
END_TEST

START_TEST(test_hash_equal)
{
	unsigned char a[TOKEN_HASH_LEN], b[TOKEN_HASH_LEN];

	token_hash("abc", 3, a);
	token_hash("abc", 3, b);
	ck_assert_int_eq(token_hash_equal(a, b), 1);
	b[TOKEN_HASH_LEN - 1] ^= 1;
	ck_assert_int_eq(token_hash_equal(a, b), 0);
	b[TOKEN_HASH_LEN - 1] ^= 1;
	b[0] ^= 0x80;
	ck_assert_int_eq(token_hash_equal(a, b), 0);
}
END_TEST

START_TEST(test_random_hex)
{
	char a[33], b[33], big[2 * 200 + 1], empty[1] = {'x'};
	size_t i;

	token_random_hex(a, 16);
	token_random_hex(b, 16);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_str_ne(a, b);
	for (i = 0; i < 32; i++)
		ck_assert(strchr("0123456789abcdef", a[i]) != NULL);

	/* Longer than one internal chunk. */
	memset(big, 'x', sizeof(big));
	token_random_hex(big, 200);
	ck_assert_uint_eq(strlen(big), 400);
	for (i = 0; i < 400; i++)
		ck_assert(strchr("0123456789abcdef", big[i]) != NULL);

	token_random_hex(empty, 0);
	ck_assert_str_eq(empty, "");
}
END_TEST

static Suite *
token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_new_shape);
	tcase_add_test(tc, test_new_hashes_clean);
	tcase_add_test(tc, test_hash_abc);
	tcase_add_test(tc, test_hash_empty);
	tcase_add_test(tc, test_hash_shape);
	tcase_add_test(tc, test_hash_equal);
	tcase_add_test(tc, test_random_hex);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(token_suite());
}
