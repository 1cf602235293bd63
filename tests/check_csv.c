/*
 * check_csv: RFC 4180 reading and writing, line numbers in errors, and
 * the round trip of awkward fields.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "testutil.h"

/* Read the next row and check its line and fields. */
static void
expect_row(struct csv_reader *r, long want_line, size_t want_n,
    const char *const *want)
{
	char **f = NULL, *cause = NULL;
	size_t n = 0, i;
	long line = 0;
	int rc;

	rc = csv_next(r, &f, &n, &line, &cause);
	ck_assert_msg(
	    rc == 1, "csv_next: %d (%s)", rc, cause != NULL ? cause : "");
	ck_assert_int_eq(line, want_line);
	ck_assert_uint_eq(n, want_n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(f[i], want[i]);
	csv_row_free(f, n);
}

static void
expect_end(struct csv_reader *r)
{
	char **f = NULL, *cause = NULL;
	size_t n = 99;
	long line = 0;

	ck_assert_int_eq(csv_next(r, &f, &n, &line, &cause), 0);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(n, 0);
}

static void
expect_error(struct csv_reader *r, const char *want)
{
	char **f = NULL, *cause = NULL;
	size_t n = 0;
	long line = 0;

	ck_assert_int_eq(csv_next(r, &f, &n, &line, &cause), -1);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

/* The whole of data must fail with exactly `want` after `rows` good rows. */
static void
expect_fails(const char *data, size_t len, int rows, const char *want)
{
	struct csv_reader *r = csv_reader_new(data, len);
	char **f, *cause;
	size_t n;
	long line;

	while (rows-- > 0) {
		cause = NULL;
		ck_assert_int_eq(csv_next(r, &f, &n, &line, &cause), 1);
		csv_row_free(f, n);
	}
	expect_error(r, want);
	/* The error stays. */
	expect_error(r, want);
	csv_reader_free(r);
}

START_TEST(test_simple_crlf)
{
	const char *data = "period,area,rating\r\n2026-W47,centrum,2\r\n";
	const char *h[] = {"period", "area", "rating"};
	const char *r1[] = {"2026-W47", "centrum", "2"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 3, h);
	expect_row(r, 2, 3, r1);
	expect_end(r);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_lf_only_no_final_newline)
{
	const char *data = "a,b\nc,d\ne,f";
	const char *r1[] = {"a", "b"}, *r2[] = {"c", "d"};
	const char *r3[] = {"e", "f"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 2, r1);
	expect_row(r, 2, 2, r2);
	expect_row(r, 3, 2, r3);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_lone_cr)
{
	const char *data = "a,b\rc,d\r";
	const char *r1[] = {"a", "b"}, *r2[] = {"c", "d"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 2, r1);
	expect_row(r, 2, 2, r2);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_empty_fields)
{
	const char *data = ",\r\na,,\r\n\"\"\r\n";
	const char *r1[] = {"", ""}, *r2[] = {"a", "", ""};
	const char *r3[] = {""};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 2, r1);
	expect_row(r, 2, 3, r2);
	expect_row(r, 3, 1, r3);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_quoted)
{
	const char *data =
	    "\"Skadegörelse, klotter\",\"sa \"\"hej\"\"\",\"\"\r\n"
	    "\"rad 1\r\nrad 2\nrad 3\",x\r\n"
	    "after,\"  space \"\r\n";
	const char *r1[] = {"Skadegörelse, klotter", "sa \"hej\"", ""};
	const char *r2[] = {"rad 1\r\nrad 2\nrad 3", "x"};
	const char *r3[] = {"after", "  space "};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 3, r1);
	expect_row(r, 2, 2, r2);
	/* The quoted field spanned lines 2-4. */
	expect_row(r, 5, 2, r3);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_spaces_kept)
{
	const char *data = " a , b\n";
	const char *r1[] = {" a ", " b"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 2, r1);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_bom)
{
	const char *data = "\xef\xbb\xbfperiod,area\r\nö,ä\r\n";
	const char *h[] = {"period", "area"}, *r1[] = {"ö", "ä"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 2, h);
	expect_row(r, 2, 2, r1);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_bom_only_at_start)
{
	/* A BOM later on is an ordinary (valid) character. */
	const char *data = "a\n\xef\xbb\xbf"
			   "b\n";
	const char *r1[] = {"a"},
		   *r2[] = {"\xef\xbb\xbf"
			    "b"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 1, 1, r1);
	expect_row(r, 2, 1, r2);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_blank_lines)
{
	const char *data = "\r\na,b\r\n\r\n\nc,d\r\n\r\n\n\r\n";
	const char *r1[] = {"a", "b"}, *r2[] = {"c", "d"};
	struct csv_reader *r = csv_reader_new(data, strlen(data));

	expect_row(r, 2, 2, r1);
	expect_row(r, 5, 2, r2);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_empty_input)
{
	struct csv_reader *r;

	r = csv_reader_new("", 0);
	expect_end(r);
	csv_reader_free(r);
	r = csv_reader_new("\xef\xbb\xbf", 3);
	expect_end(r);
	csv_reader_free(r);
	r = csv_reader_new("\n\n", 2);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_length_not_nul)
{
	/* Only data[0..len) is read. */
	const char *data = "a,b\nc,d\n";
	const char *r1[] = {"a", "b"}, *r2[] = {"c"};
	struct csv_reader *r = csv_reader_new(data, 5);

	expect_row(r, 1, 2, r1);
	expect_row(r, 2, 1, r2);
	expect_end(r);
	csv_reader_free(r);
}
END_TEST

START_TEST(test_err_unterminated)
{
	const char *data = "a,b\r\nc,d\r\ne,f\r\ng,\"open\r\nmore\r\n";

	expect_fails(
	    data, strlen(data), 3, "line 4: unterminated quoted field");
}
END_TEST

START_TEST(test_err_after_quote)
{
	const char *data = "a\n\"x\"\"y\"\n\"ok\"z,b\n";

	expect_fails(data, strlen(data), 2,
	    "line 3: unexpected character after closing quote");
}
END_TEST

START_TEST(test_err_after_multiline_quote)
{
	/* Named by the line of the stray character, not of the row. */
	const char *data = "\"a\nb\" ,c\n";

	expect_fails(data, strlen(data), 0,
	    "line 2: unexpected character after closing quote");
}
END_TEST

START_TEST(test_err_quote_in_plain)
{
	const char *data = "a,b\nab\"c\",d\n";

	expect_fails(
	    data, strlen(data), 1, "line 2: quote inside unquoted field");
}
END_TEST

START_TEST(test_err_utf8)
{
	/* Latin-1 "ö" as many old exports write it. */
	const char *data = "a\nSkadeg\xf6relse\n";
	/* Overlong "/" and an encoded surrogate inside quotes. */
	const char *over = "\"\xc0\xaf\"\n";
	const char *surr = "x\n\n\"a\n\xed\xa0\x80\"\n";
	/* Truncated sequence at the very end. */
	const char *trunc = "ok\n\xc3";

	expect_fails(data, strlen(data), 1, "line 2: invalid UTF-8");
	expect_fails(over, strlen(over), 0, "line 1: invalid UTF-8");
	expect_fails(surr, strlen(surr), 1, "line 4: invalid UTF-8");
	expect_fails(trunc, strlen(trunc), 1, "line 2: invalid UTF-8");
}
END_TEST

START_TEST(test_err_nul)
{
	const char data[] = "a,b\nc,d\ne\0f\n";
	const char qdata[] = "\"a\nb\0\"\n";

	expect_fails(data, sizeof(data) - 1, 2, "line 3: NUL byte");
	expect_fails(qdata, sizeof(qdata) - 1, 0, "line 2: NUL byte");
}
END_TEST

START_TEST(test_write_quoting)
{
	struct buf b = {NULL, 0, 0};
	const char *row[] = {"plain", "Skadegörelse, klotter", "\"citat\"",
	    "två\nrader", " lead", "trail ", "", "cr\r", NULL};

	csv_write_row(&b, row, 9);
	ck_assert_str_eq(b.data,
	    "plain,\"Skadegörelse, klotter\",\"\"\"citat\"\"\","
	    "\"två\nrader\",\" lead\",\"trail \",,\"cr\r\",\r\n");
	buf_reset(&b);
}
END_TEST

START_TEST(test_write_single_empty)
{
	struct buf b = {NULL, 0, 0};
	const char *row[] = {""};

	csv_write_row(&b, row, 1);
	ck_assert_str_eq(b.data, "\"\"\r\n");
	buf_reset(&b);
}
END_TEST

START_TEST(test_round_trip)
{
	const char *rows[][5] = {
	    {"period", "area", "indicator", "note", "count"},
	    {"2026-W47", "centrum", "skadegorelse", "Skadegörelse, klotter",
		"3"},
	    {"2026-W47", "söder", "klotter", "Han sa \"citat\" två gånger", ""},
	    {"2026-W48", "", "brand",
		"Rad ett\r\nRad två\nRad tre, "
		"\"slut\"",
		"0"},
	    {" ", "  inledande", "avslutande  ", "\"", ","},
	};
	struct buf b = {NULL, 0, 0};
	struct csv_reader *r;
	const char *one[] = {""};
	size_t i;
	long lines[] = {1, 2, 3, 4, 7};

	for (i = 0; i < 5; i++)
		csv_write_row(&b, rows[i], 5);
	csv_write_row(&b, one, 1);
	r = csv_reader_new(b.data, b.len);
	for (i = 0; i < 5; i++)
		expect_row(r, lines[i], 5, rows[i]);
	expect_row(r, 8, 1, one);
	expect_end(r);
	csv_reader_free(r);
	buf_reset(&b);
}
END_TEST

/* A field that starts with a byte order mark keeps it (a fuzz finding). */
START_TEST(test_bom_field_round_trip)
{
	const char *const in[] = {"a", "b"};
	const char *const bom[] = {"\xef\xbb\xbf"};
	struct buf b = {NULL, 0, 0};
	struct csv_reader *r;
	char **f, *cause = NULL;
	size_t n;
	long line;

	csv_write_row(&b, in, 2);
	csv_write_row(&b, bom, 1);
	ck_assert_str_eq(b.data, "a,b\r\n\"\xef\xbb\xbf\"\r\n");
	r = csv_reader_new(b.data, b.len);
	ck_assert_int_eq(csv_next(r, &f, &n, &line, &cause), 1);
	csv_row_free(f, n);
	ck_assert_int_eq(csv_next(r, &f, &n, &line, &cause), 1);
	ck_assert_int_eq((int)n, 1);
	ck_assert_str_eq(f[0], "\xef\xbb\xbf");
	csv_row_free(f, n);
	csv_reader_free(r);
	buf_reset(&b);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc;

	tc = tcase_create("read");
	tcase_add_test(tc, test_simple_crlf);
	tcase_add_test(tc, test_lf_only_no_final_newline);
	tcase_add_test(tc, test_lone_cr);
	tcase_add_test(tc, test_empty_fields);
	tcase_add_test(tc, test_quoted);
	tcase_add_test(tc, test_spaces_kept);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_bom_only_at_start);
	tcase_add_test(tc, test_blank_lines);
	tcase_add_test(tc, test_empty_input);
	tcase_add_test(tc, test_length_not_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_unterminated);
	tcase_add_test(tc, test_err_after_quote);
	tcase_add_test(tc, test_err_after_multiline_quote);
	tcase_add_test(tc, test_err_quote_in_plain);
	tcase_add_test(tc, test_err_utf8);
	tcase_add_test(tc, test_err_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_test(tc, test_write_quoting);
	tcase_add_test(tc, test_write_single_empty);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_bom_field_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(csv_suite());
}
