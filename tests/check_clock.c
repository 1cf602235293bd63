/*
 * check_clock: ESTD_NOW, the time zone and local time. Instants are
 * written out by hand: 2026-11-23T08:00:00+01:00 is 1795417200
 * (20780 days * 86400 + 7 h); Europe/Stockholm goes to summer time on
 * 2026-03-29 at 01:00 UTC and back on 2026-10-25 at 01:00 UTC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "period.h"
#include "testutil.h"

#define D(y, m, d) period_days_from_civil((y), (m), (d))

static void
init_zone(const char *zone)
{
	char *cause = NULL;

	ck_assert_msg(clock_init(zone, &cause) == 0, "%s: %s", zone,
	    cause == NULL ? "" : cause);
	ck_assert_ptr_null(cause);
}

/* Every test starts on real time in Stockholm. */
static void
setup(void)
{
	unsetenv("ESTD_NOW");
	init_zone("Europe/Stockholm");
}

static void
check_format(time_t t, const char *want)
{
	char buf[64];

	clock_format_iso(t, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

static time_t
parse(const char *s)
{
	time_t t;

	ck_assert_msg(clock_parse_iso(s, &t) == 0, "parse %s", s);
	return t;
}

START_TEST(test_parse)
{
	ck_assert_int_eq(parse("2026-11-23T08:00:00+01:00"), 1795417200);
	ck_assert_int_eq(parse("2026-11-23T07:00:00Z"), 1795417200);
	ck_assert_int_eq(parse("2026-11-23T02:30:00-04:30"), 1795417200);
	ck_assert_int_eq(parse("2026-07-01T12:00:00Z"), 1782907200);
	ck_assert_int_eq(parse("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(parse("1970-01-01T01:00:00+01:00"), 0);
	ck_assert_int_eq(parse("1969-12-31T23:59:59Z"), -1);
	ck_assert_int_eq(parse("2024-02-29T00:00:00Z"), 1709164800);
	/* A leap second runs into the next minute. */
	ck_assert_int_eq(parse("2016-12-31T23:59:60Z"), 1483228800);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
	    "",
	    "2026-11-23",
	    "2026-11-23T08:00:00",
	    "2026-11-23 08:00:00+01:00",
	    "2026-11-23T08:00+01:00",
	    "2026-11-23T08:00:00+0100",
	    "2026-11-23T08:00:00+1:00",
	    "2026-11-23T08:00:00+01",
	    "2026-11-23T08:00:00z",
	    "2026-11-23T08:00:00Zx",
	    "2026-11-23T08:00:00+01:00 ",
	    "2026-13-01T08:00:00Z",
	    "2026-00-10T08:00:00Z",
	    "2026-02-29T08:00:00Z",
	    "2026-04-31T08:00:00Z",
	    "2026-11-00T08:00:00Z",
	    "2026-11-23T24:00:00Z",
	    "2026-11-23T08:60:00Z",
	    "2026-11-23T08:00:61Z",
	    "2026-11-23T08:00:00+24:00",
	    "2026-11-23T08:00:00+01:60",
	    "26-11-23T08:00:00Z",
	    "2026-1-23T08:00:00Z",
	    "tomorrow",
	    "2026-11-23T08:00:00.5Z",
	};
	size_t i;
	time_t t = 42;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(clock_parse_iso(bad[i], &t) == -1,
		    "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(clock_parse_iso(NULL, &t), -1);
	ck_assert_int_eq(t, 42);
}
END_TEST

START_TEST(test_format)
{
	check_format(1795417200, "2026-11-23T08:00:00+01:00");
	check_format(
	    parse("2026-11-23T08:00:00+01:00"), "2026-11-23T08:00:00+01:00");
	check_format(
	    parse("2026-11-20T14:03:11+01:00"), "2026-11-20T14:03:11+01:00");
	/* Summer: the same clock reads +02:00. */
	check_format(1782907200, "2026-07-01T14:00:00+02:00");
	check_format(
	    parse("2026-06-15T08:00:00+02:00"), "2026-06-15T08:00:00+02:00");
	/* Either side of both transitions. */
	check_format(
	    parse("2026-03-29T00:59:59Z"), "2026-03-29T01:59:59+01:00");
	check_format(
	    parse("2026-03-29T01:00:00Z"), "2026-03-29T03:00:00+02:00");
	check_format(
	    parse("2026-10-25T00:59:59Z"), "2026-10-25T02:59:59+02:00");
	check_format(
	    parse("2026-10-25T01:00:00Z"), "2026-10-25T02:00:00+01:00");
}
END_TEST

START_TEST(test_format_other_zones)
{
	char buf[8];

	init_zone("UTC");
	check_format(1795417200, "2026-11-23T07:00:00+00:00");
	init_zone("America/New_York");
	check_format(1795417200, "2026-11-23T02:00:00-05:00");
	init_zone("Asia/Kolkata");
	check_format(1795417200, "2026-11-23T12:30:00+05:30");
	/* A short buffer is cut and terminated. */
	clock_format_iso(1795417200, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-11");
}
END_TEST

START_TEST(test_local_instant)
{
	time_t t;

	/* Monday 08:00 in winter and in summer. */
	t = clock_local_instant(D(2026, 11, 23), 8, 0);
	ck_assert_int_eq(t, 1795417200);
	check_format(t, "2026-11-23T08:00:00+01:00");
	t = clock_local_instant(D(2026, 6, 15), 8, 0);
	ck_assert_int_eq(t, 1781503200);
	check_format(t, "2026-06-15T08:00:00+02:00");
	t = clock_local_instant(D(2026, 11, 16), 0, 0);
	check_format(t, "2026-11-16T00:00:00+01:00");
	t = clock_local_instant(D(2026, 11, 22), 23, 59);
	check_format(t, "2026-11-22T23:59:00+01:00");
	/* Just before and after the spring gap. */
	t = clock_local_instant(D(2026, 3, 29), 1, 59);
	check_format(t, "2026-03-29T01:59:00+01:00");
	t = clock_local_instant(D(2026, 3, 29), 3, 0);
	check_format(t, "2026-03-29T03:00:00+02:00");
	t = clock_local_instant(D(2026, 10, 25), 3, 0);
	check_format(t, "2026-10-25T03:00:00+01:00");
	t = clock_local_instant(D(2026, 10, 25), 1, 59);
	check_format(t, "2026-10-25T01:59:00+02:00");
}
END_TEST

START_TEST(test_local_instant_gap)
{
	time_t t;

	/* 02:30 does not exist: read with +01:00, it is 03:30 CEST. */
	t = clock_local_instant(D(2026, 3, 29), 2, 30);
	ck_assert_int_eq(t, 1774747800);
	check_format(t, "2026-03-29T03:30:00+02:00");
	t = clock_local_instant(D(2026, 3, 29), 2, 0);
	check_format(t, "2026-03-29T03:00:00+02:00");
	t = clock_local_instant(D(2026, 3, 29), 2, 59);
	check_format(t, "2026-03-29T03:59:00+02:00");
}
END_TEST

START_TEST(test_local_instant_overlap)
{
	time_t t;

	/* 02:30 happens twice: the first, in summer time. */
	t = clock_local_instant(D(2026, 10, 25), 2, 30);
	ck_assert_int_eq(t, 1792888200);
	check_format(t, "2026-10-25T02:30:00+02:00");
	t = clock_local_instant(D(2026, 10, 25), 2, 0);
	check_format(t, "2026-10-25T02:00:00+02:00");
	t = clock_local_instant(D(2026, 10, 25), 2, 59);
	check_format(t, "2026-10-25T02:59:00+02:00");
}
END_TEST

START_TEST(test_local_instant_other_zones)
{
	init_zone("UTC");
	ck_assert_int_eq(
	    clock_local_instant(D(2026, 11, 23), 8, 0), 1795420800);
	init_zone("America/New_York");
	/* 2026-03-08 02:30 is in New York's gap: 03:30 EDT. */
	check_format(clock_local_instant(D(2026, 3, 8), 2, 30),
	    "2026-03-08T03:30:00-04:00");
	check_format(clock_local_instant(D(2026, 11, 1), 1, 30),
	    "2026-11-01T01:30:00-04:00");
}
END_TEST

START_TEST(test_local_days)
{
	/* Winter: local midnight is 23:00 UTC the day before. */
	ck_assert_int_eq(
	    clock_local_days(parse("2026-11-22T22:59:59Z")), D(2026, 11, 22));
	ck_assert_int_eq(
	    clock_local_days(parse("2026-11-22T23:00:00Z")), D(2026, 11, 23));
	ck_assert_int_eq(
	    clock_local_days(parse("2026-11-22T23:30:00Z")), D(2026, 11, 23));
	ck_assert_int_eq(clock_local_days(parse("2026-11-23T00:30:00+01:00")),
	    D(2026, 11, 23));
	ck_assert_int_eq(clock_local_days(parse("2026-11-23T00:30:00+02:00")),
	    D(2026, 11, 22));
	/* Summer: 22:00 UTC. */
	ck_assert_int_eq(
	    clock_local_days(parse("2026-06-14T21:59:59Z")), D(2026, 6, 14));
	ck_assert_int_eq(
	    clock_local_days(parse("2026-06-14T22:00:00Z")), D(2026, 6, 15));
	/* New Year's Eve, across the ISO week-year 2026/2027. */
	ck_assert_int_eq(
	    clock_local_days(parse("2026-12-31T23:00:00Z")), D(2027, 1, 1));
	ck_assert_int_eq(
	    clock_local_days(parse("2026-12-31T22:59:59Z")), D(2026, 12, 31));
	ck_assert_int_eq(clock_local_days(1795417200), 20780);

	init_zone("America/New_York");
	ck_assert_int_eq(
	    clock_local_days(parse("2026-11-23T04:59:59Z")), D(2026, 11, 22));
	ck_assert_int_eq(
	    clock_local_days(parse("2026-11-23T05:00:00Z")), D(2026, 11, 23));
}
END_TEST

START_TEST(test_now_real)
{
	time_t before = time(NULL), now = clock_now();

	ck_assert(now >= before && now <= time(NULL));
}
END_TEST

START_TEST(test_now_estd_now)
{
	time_t now;

	ck_assert_int_eq(setenv("ESTD_NOW", "2026-11-23T08:00:00+01:00", 1), 0);
	init_zone("Europe/Stockholm");
	now = clock_now();
	ck_assert_int_ge(now, 1795417200);
	ck_assert_int_le(now, 1795417200 + 2);
	ck_assert_int_eq(clock_local_days(now), D(2026, 11, 23));

	ck_assert_int_eq(setenv("ESTD_NOW", "2020-12-31T23:00:00Z", 1), 0);
	init_zone("Europe/Stockholm");
	now = clock_now();
	ck_assert_int_ge(now, 1609455600);
	ck_assert_int_le(now, 1609455600 + 2);
	ck_assert_int_eq(clock_local_days(now), D(2021, 1, 1));

	/* Empty is unset: back on real time. */
	ck_assert_int_eq(setenv("ESTD_NOW", "", 1), 0);
	init_zone("Europe/Stockholm");
	now = clock_now();
	ck_assert_int_le(labs((long)(now - time(NULL))), 1);
}
END_TEST

START_TEST(test_bad_zone)
{
	static const char *const bad[] = {
	    "Europe/Stockhlm",
	    "",
	    "Europe",
	    "Europe/",
	    "../zoneinfo/UTC",
	    "Europe/../UTC",
	    "/usr/share/zoneinfo/UTC",
	    "Nowhere",
	};
	char *cause = NULL;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(clock_init(bad[i], &cause) == -1,
		    "accepted \"%s\"", bad[i]);
		snprintf(
		    want, sizeof(want), "unknown time zone \"%s\"", bad[i]);
		ck_assert_str_eq(cause, want);
		free(cause);
		cause = NULL;
	}
	ck_assert_int_eq(clock_init(NULL, &cause), -1);
	ck_assert_str_eq(cause, "unknown time zone \"\"");
	free(cause);
	/* The zone in force before stays. */
	ck_assert_str_eq(getenv("TZ"), "Europe/Stockholm");
	check_format(1795417200, "2026-11-23T08:00:00+01:00");
}
END_TEST

START_TEST(test_bad_estd_now)
{
	char *cause = NULL;
	time_t now;

	ck_assert_int_eq(setenv("ESTD_NOW", "2026-11-23T08:00:00+01:00", 1), 0);
	init_zone("Europe/Stockholm");

	ck_assert_int_eq(setenv("ESTD_NOW", "2026-11-23 08:00", 1), 0);
	ck_assert_int_eq(clock_init("UTC", &cause), -1);
	ck_assert_str_eq(cause,
	    "ESTD_NOW \"2026-11-23 08:00\" is not a "
	    "time: expected ISO 8601 with offset, e.g. "
	    "2026-11-23T08:00:00+01:00");
	free(cause);
	cause = NULL;
	/* Nothing changed: still Stockholm, still the earlier start. */
	ck_assert_str_eq(getenv("TZ"), "Europe/Stockholm");
	now = clock_now();
	ck_assert_int_ge(now, 1795417200);
	ck_assert_int_le(now, 1795417200 + 2);

	ck_assert_int_eq(setenv("ESTD_NOW", "2026-11-23T08:00:00", 1), 0);
	ck_assert_int_eq(clock_init("Europe/Stockholm", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "ESTD_NOW"));
	ck_assert_ptr_nonnull(strstr(cause, "2026-11-23T08:00:00+01:00"));
	free(cause);
	cause = NULL;

	/* An unknown zone is named first. */
	ck_assert_int_eq(clock_init("Europe/Stockhlm", &cause), -1);
	ck_assert_str_eq(cause, "unknown time zone \"Europe/Stockhlm\"");
	free(cause);
	unsetenv("ESTD_NOW");
}
END_TEST

static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_other_zones);
	tcase_add_test(tc, test_local_instant);
	tcase_add_test(tc, test_local_instant_gap);
	tcase_add_test(tc, test_local_instant_overlap);
	tcase_add_test(tc, test_local_instant_other_zones);
	tcase_add_test(tc, test_local_days);
	tcase_add_test(tc, test_now_real);
	tcase_add_test(tc, test_now_estd_now);
	tcase_add_test(tc, test_bad_zone);
	tcase_add_test(tc, test_bad_estd_now);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(clock_suite());
}
