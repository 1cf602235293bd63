/* Tests of the urlencoded decoder. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "testutil.h"

static struct form
decode_ok(const char *s)
{
	struct form f;
	char *cause = NULL;

	ck_assert_int_eq(form_decode(s, strlen(s), &f, &cause), 0);
	ck_assert_ptr_null(cause);
	return f;
}

static char *
decode_fail(const char *s, size_t len)
{
	struct form f;
	char *cause = NULL;

	ck_assert_int_eq(form_decode(s, len, &f, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_int_eq((int)f.n, 0);
	return cause;
}

START_TEST(test_basic)
{
	struct form f =
	    decode_ok("area=centrum&r.klotter=2&note=Krossad+busskur%21");
	size_t len;

	ck_assert_int_eq((int)f.n, 3);
	ck_assert_str_eq(form_get(&f, "area", NULL), "centrum");
	ck_assert_str_eq(form_get(&f, "r.klotter", &len), "2");
	ck_assert_int_eq((int)len, 1);
	ck_assert_str_eq(form_get(&f, "note", NULL), "Krossad busskur!");
	ck_assert_ptr_null(form_get(&f, "place", NULL));
	form_clear(&f);
}
END_TEST

START_TEST(test_utf8_and_empty)
{
	struct form f = decode_ok("place=Sk%C3%A4rg%C3%A5rd&nothing&x=&&y=1");
	size_t len;

	ck_assert_int_eq((int)f.n, 4);
	ck_assert_str_eq(form_get(&f, "place", NULL), "Skärgård");
	ck_assert_str_eq(form_get(&f, "nothing", &len), "");
	ck_assert_int_eq((int)len, 0);
	ck_assert_str_eq(form_get(&f, "x", NULL), "");
	ck_assert_str_eq(form_get(&f, "y", NULL), "1");
	form_clear(&f);
}
END_TEST

START_TEST(test_nul_value_keeps_length)
{
	struct form f = decode_ok("note=a%00b");
	size_t len;
	const char *v = form_get(&f, "note", &len);

	ck_assert_int_eq((int)len, 3);
	ck_assert_int_eq(v[1], '\0');
	ck_assert_int_eq(v[2], 'b');
	form_clear(&f);
}
END_TEST

START_TEST(test_rejections)
{
	char *c;
	char *big;
	struct buf b = {0};

	c = decode_fail("a=%4", 4);
	ck_assert_str_eq(c, "field \"a\": bad escape or over 8192 bytes");
	free(c);
	c = decode_fail("a=%zz", 5);
	free(c);
	c = decode_fail("=1", 2);
	ck_assert_str_eq(c, "field 1: empty name");
	free(c);
	c = decode_fail("a%20b=1", 7);
	ck_assert_str_eq(c, "field 1: bad name");
	free(c);
	for (int i = 0; i < 201; i++)
		buf_printf(&b, "f%d=1&", i);
	c = decode_fail(b.data, b.len);
	ck_assert_str_eq(c, "more than 200 fields");
	free(c);
	buf_reset(&b);
	big = malloc(8200);
	memcpy(big, "note=", 5);
	memset(big + 5, 'x', 8193);
	c = decode_fail(big, 5 + 8193);
	free(c);
	free(big);
}
END_TEST

START_TEST(test_encode)
{
	struct buf b = {0};

	form_encode(&b, "Norr & Söder/1");
	ck_assert_str_eq(b.data, "Norr%20%26%20S%C3%B6der%2F1");
	buf_reset(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("form");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_utf8_and_empty);
	tcase_add_test(tc, test_nul_value_keeps_length);
	tcase_add_test(tc, test_rejections);
	tcase_add_test(tc, test_encode);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
