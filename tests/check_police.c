/*
 * Tests of the police notice parser, links, request and counts. Times
 * are worked out by hand: 2026-11-20 08:05 +01:00 is 07:05 UTC, day
 * 20777 since 1970, so 20777 * 86400 + 25500 = 1795158300.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "police.h"
#include "testutil.h"

#define SITE "https://polisen.se"

/* Realistic answers: Swedish text, relative links, varied types. */
static const char sample[] =
    "[{\"id\": 612685, \"datetime\": \"2026-11-20 8:05:00 +01:00\","
    " \"name\": \"20 november 07.40, St\\u00f6ld, \\u00d6rebro\","
    " \"summary\": \"Misst\\u00e4nkt st\\u00f6ld i butik p\\u00e5 "
    "V\\u00e4ster.\","
    " \"url\": \"/aktuellt/handelser/2026/november/20/stold-orebro/\","
    " \"type\": \"St\\u00f6ld\","
    " \"location\": {\"name\": \"\\u00d6rebro\","
    "  \"gps\": \"59.27412,15.2066\"}},"
    " {\"id\": 612690, \"datetime\": \"2026-11-21 23:10:00 +01:00\","
    " \"name\": \"21 november 22.50, Sexualbrott, \\u00d6rebro\","
    " \"summary\": \"\", \"url\": \"https://polisen.se/x/\","
    " \"type\": \"Sexualbrott\", \"extra\": [1, 2],"
    " \"location\": {\"name\": \"\\u00d6rebro\","
    "  \"gps\": \"59.27412,15.2066\"}},"
    " {\"id\": 612700, \"datetime\": \"2026-11-22 12:00:00 +01:00\","
    " \"name\": \"22 november 11.30, Brand, Kumla\", \"summary\": \"Brand.\","
    " \"url\": \"aktuellt/kumla/\", \"type\": \"Brand\","
    " \"location\": {\"name\": \"Kumla\"}},"
    " {\"id\": 612685, \"datetime\": \"2026-11-20 9:15:00 +01:00\","
    " \"name\": \"20 november 07.40, St\\u00f6ld, \\u00d6rebro\","
    " \"summary\": \"Uppdatering: tv\\u00e5 personer gripna.\","
    " \"url\": \"/aktuellt/handelser/2026/november/20/stold-orebro/\","
    " \"type\": \"St\\u00f6ld\","
    " \"location\": {\"name\": \"\\u00d6rebro\","
    "  \"gps\": \"59.27412,15.2066\"}},"
    " {\"id\": 612701, \"datetime\": \"yesterday\", \"type\": \"Brand\","
    " \"location\": {\"name\": \"Kumla\"}},"
    " {\"id\": -3, \"datetime\": \"2026-11-22 12:00:00 +01:00\","
    " \"type\": \"Brand\", \"location\": {\"name\": \"Kumla\"}},"
    " {\"id\": 612702, \"datetime\": \"2026-11-22 12:00:00 +01:00\","
    " \"location\": {\"name\": \"Kumla\"}},"
    " \"not a notice\","
    " {\"id\": \"612703\", \"datetime\": \"2026-11-22T13:00:00Z\","
    " \"type\": \"St\\u00f6ld\", \"location\": {\"name\": \"\\u00f6rebro\"}}]";

START_TEST(test_datetime)
{
	time_t t;

	ck_assert_int_eq(police_datetime("2026-11-20 8:05:00 +01:00", &t), 0);
	ck_assert_int_eq(t, 1795158300);
	ck_assert_int_eq(police_datetime("2026-11-20 08:05:00 +01:00", &t), 0);
	ck_assert_int_eq(t, 1795158300);
	ck_assert_int_eq(police_datetime("2026-11-20 07:05:00 Z", &t), 0);
	ck_assert_int_eq(t, 1795158300);
	ck_assert_int_eq(police_datetime("2026-11-20T08:05+0100", &t), 0);
	ck_assert_int_eq(t, 1795158300);
	/* Summer time: +02:00. */
	ck_assert_int_eq(police_datetime("2026-06-01 23:59:59 +02:00", &t), 0);
	ck_assert_int_eq(t, 1780351199);
	ck_assert_int_eq(police_datetime("2026-11-20 8:05:00", &t), -1);
	ck_assert_int_eq(police_datetime("2026-11-20 24:05:00 +01:00", &t), -1);
	ck_assert_int_eq(police_datetime("2026-04-31 10:00:00 +02:00", &t), -1);
	ck_assert_int_eq(police_datetime("20 november 07.40", &t), -1);
	ck_assert_int_eq(
	    police_datetime("2026-11-20 8:05:00 +01:00 x", &t), -1);
	ck_assert_int_eq(police_datetime("", &t), -1);
}
END_TEST

START_TEST(test_parse)
{
	struct police_notice *p = NULL;
	size_t n = 0, skipped = 0;
	char *cause = NULL;

	ck_assert_int_eq(police_parse(sample, strlen(sample), SITE, &p, &n,
			     &skipped, &cause),
	    0);
	/* Five notices, four malformed, the updated one kept once. */
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(skipped, 4);

	ck_assert_int_eq(p[0].id, 612685);
	/* The update (9:15, single-digit hour) wins over 8:05. */
	ck_assert_int_eq(p[0].at, 1795158300 + 70 * 60);
	ck_assert_str_eq(p[0].datetime, "2026-11-20 9:15:00 +01:00");
	ck_assert_str_eq(
	    p[0].summary, "Uppdatering: tv\xc3\xa5 personer gripna.");
	ck_assert_str_eq(p[0].name,
	    "20 november 07.40, St\xc3\xb6ld, "
	    "\xc3\x96rebro");
	ck_assert_str_eq(p[0].type, "St\xc3\xb6ld");
	ck_assert_str_eq(p[0].location, "\xc3\x96rebro");
	ck_assert_str_eq(p[0].gps, "59.27412,15.2066");
	ck_assert_str_eq(p[0].url,
	    "https://polisen.se/aktuellt/handelser/"
	    "2026/november/20/stold-orebro/");

	/* A type never seen before is kept as it is. */
	ck_assert_int_eq(p[1].id, 612690);
	ck_assert_str_eq(p[1].type, "Sexualbrott");
	ck_assert_str_eq(p[1].summary, "");
	ck_assert_str_eq(p[1].url, "https://polisen.se/x/");

	ck_assert_int_eq(p[2].id, 612700);
	ck_assert_str_eq(p[2].url, "https://polisen.se/aktuellt/kumla/");
	ck_assert_ptr_null(p[2].gps);

	/* An id as a string, UTC. */
	ck_assert_int_eq(p[3].id, 612703);
	ck_assert_str_eq(p[3].name, "");
	ck_assert_ptr_null(p[3].url);
	police_notices_free(p, n);
}
END_TEST

START_TEST(test_parse_bad)
{
	struct police_notice *p = NULL;
	size_t n = 5, skipped = 5;
	char *cause = NULL;
	static const char truncated[] = "[{\"id\": 612685, "
					"\"datetime\": \"2026-11-20 8:05:00 "
					"+01:00\", \"na";

	ck_assert_int_eq(
	    police_parse("{not json", 9, SITE, &p, &n, &skipped, &cause), -1);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(strstr(cause, "not JSON: "));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(police_parse(truncated, strlen(truncated), SITE, &p,
			     &n, &skipped, &cause),
	    -1);
	ck_assert_ptr_nonnull(strstr(cause, "not JSON: "));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(police_parse("{\"error\": \"busy\"}", 17, SITE, &p, &n,
			     &skipped, &cause),
	    -1);
	ck_assert_str_eq(cause,
	    "expected a JSON array of notices, got an "
	    "object");
	free(cause);
	cause = NULL;
	ck_assert_int_eq(
	    police_parse("", 0, SITE, &p, &n, &skipped, &cause), -1);
	free(cause);
	cause = NULL;
	/* An empty array is a good answer with nothing in it. */
	ck_assert_int_eq(
	    police_parse("[]", 2, SITE, &p, &n, &skipped, &cause), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(skipped, 0);
	police_notices_free(p, n);
	/* A NUL inside a text, a name too long: skipped. */
	{
		char *big = malloc(POLICE_NAME_MAX + 200);
		char *doc = malloc(POLICE_NAME_MAX + 400);

		memset(big, 'x', POLICE_NAME_MAX + 1);
		big[POLICE_NAME_MAX + 1] = '\0';
		snprintf(doc, POLICE_NAME_MAX + 400,
		    "[{\"id\": 1, "
		    "\"datetime\": \"2026-11-20 8:05:00 +01:00\", "
		    "\"type\": \"A\\u0000B\", \"location\": {\"name\": "
		    "\"X\"}}, {\"id\": 2, "
		    "\"datetime\": \"2026-11-20 8:05:00 +01:00\", \"type\": "
		    "\"A\", \"name\": \"%s\", \"location\": {\"name\": "
		    "\"X\"}}]",
		    big);
		ck_assert_int_eq(police_parse(doc, strlen(doc), SITE, &p, &n,
				     &skipped, &cause),
		    0);
		ck_assert_uint_eq(n, 0);
		ck_assert_uint_eq(skipped, 2);
		police_notices_free(p, n);
		free(big);
		free(doc);
	}
}
END_TEST

START_TEST(test_links)
{
	char *s;

	s = police_site("https://polisen.se/api/events?x=1");
	ck_assert_str_eq(s, "https://polisen.se");
	free(s);
	s = police_site("http://127.0.0.1:8081/api/events");
	ck_assert_str_eq(s, "http://127.0.0.1:8081");
	free(s);
	ck_assert_ptr_null(police_site("polisen.se/api"));

	s = police_absolute_url(SITE, "/a/b/");
	ck_assert_str_eq(s, "https://polisen.se/a/b/");
	free(s);
	s = police_absolute_url(SITE, "a/b/");
	ck_assert_str_eq(s, "https://polisen.se/a/b/");
	free(s);
	s = police_absolute_url(SITE, "//cdn.polisen.se/a");
	ck_assert_str_eq(s, "https://cdn.polisen.se/a");
	free(s);
	s = police_absolute_url(SITE, "HTTPS://polisen.se/c");
	ck_assert_str_eq(s, "HTTPS://polisen.se/c");
	free(s);
	ck_assert_ptr_null(police_absolute_url(SITE, "javascript:alert(1)"));
	ck_assert_ptr_null(police_absolute_url(SITE, "/a b"));
	ck_assert_ptr_null(police_absolute_url(SITE, "/a\"><script>"));
	ck_assert_ptr_null(police_absolute_url(SITE, ""));
	ck_assert_ptr_null(police_absolute_url(SITE, NULL));
}
END_TEST

START_TEST(test_locations_and_request)
{
	char **names = NULL, *url;
	size_t n;

	n = police_locations(" \xc3\x96rebro , \xc3\x96rebro l\xc3\xa4n;"
			     "Kumla,,",
	    &names);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(names[0], "\xc3\x96rebro");
	ck_assert_str_eq(names[1], "\xc3\x96rebro l\xc3\xa4n");
	ck_assert_str_eq(names[2], "Kumla");
	ck_assert(police_location_match("\xc3\x96rebro", names, n));
	ck_assert(police_location_match("KUMLA", names, n));
	ck_assert(!police_location_match("Lindesberg", names, n));
	ck_assert(!police_location_match(NULL, names, n));

	url = police_request_url("https://polisen.se/api/events", names, n);
	ck_assert_str_eq(url,
	    "https://polisen.se/api/events?locationname="
	    "%C3%96rebro;%C3%96rebro%20l%C3%A4n;Kumla");
	free(url);
	url = police_request_url("http://h/e?a=1", names, 1);
	ck_assert_str_eq(url, "http://h/e?a=1&locationname=%C3%96rebro");
	free(url);
	url = police_request_url("http://h/e", NULL, 0);
	ck_assert_str_eq(url, "http://h/e");
	free(url);
	police_locations_free(names, n);
	ck_assert_uint_eq(police_locations("", &names), 0);
	ck_assert_ptr_null(names);
}
END_TEST

START_TEST(test_count)
{
	struct police_notice *p = NULL;
	struct police_count *c = NULL;
	size_t n = 0, skipped, nc = 0;
	char *cause = NULL, **names = NULL;
	size_t nn;
	long total;

	ck_assert_int_eq(police_parse(sample, strlen(sample), SITE, &p, &n,
			     &skipped, &cause),
	    0);
	nn = police_locations("\xc3\x96rebro", &names);
	total = police_count(p, n, names, nn, &c, &nc);
	/*
	 * Örebro: one Stöld and one Sexualbrott; "örebro" is another name
	 * (only ASCII case is ignored).
	 */
	ck_assert_int_eq(total, 2);
	ck_assert_uint_eq(nc, 2);
	police_counts_free(c, nc);
	police_locations_free(names, nn);

	nn = police_locations("\xc3\x96rebro, Kumla", &names);
	total = police_count(p, n, names, nn, &c, &nc);
	/* Brand, Sexualbrott and Stöld once each: by count, then type. */
	ck_assert_int_eq(total, 3);
	ck_assert_uint_eq(nc, 3);
	ck_assert_str_eq(c[0].type, "Brand");
	ck_assert_int_eq(c[0].count, 1);
	ck_assert_str_eq(c[1].type, "Sexualbrott");
	ck_assert_str_eq(c[2].type, "St\xc3\xb6ld");
	police_counts_free(c, nc);
	police_locations_free(names, nn);

	total = police_count(p, n, NULL, 0, &c, &nc);
	ck_assert_int_eq(total, 0);
	ck_assert_uint_eq(nc, 0);
	ck_assert_ptr_null(c);
	police_notices_free(p, n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("police");
	TCase *tc = tcase_create("notices");

	tcase_add_test(tc, test_datetime);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_links);
	tcase_add_test(tc, test_locations_and_request);
	tcase_add_test(tc, test_count);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
