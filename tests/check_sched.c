/*
 * Tests of the scheduler's calendar: which digest and reminder are due
 * at a given instant, weekly and fortnightly, across DST.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "sched.h"
#include "testutil.h"

static struct conf cf;

static void
setup(void)
{
	char *cause = NULL;

	memset(&cf, 0, sizeof(cf));
	cf.cadence = CADENCE_WEEKLY;
	cf.fortnight_start = PARITY_ODD;
	cf.digest_at.wday = 1;
	cf.digest_at.hour = 8;
	cf.reminder_at.wday = 5;
	cf.reminder_at.hour = 12;
	unsetenv("ESTD_NOW");
	ck_assert_int_eq(clock_init("Europe/Stockholm", &cause), 0);
}

static time_t
at(const char *iso)
{
	time_t t;

	ck_assert_int_eq(clock_parse_iso(iso, &t), 0);
	return t;
}

static void
digest_is(const char *now, const char *label, const char *when)
{
	struct period p;
	time_t t;
	char l[PERIOD_LABEL_MAX];

	sched_digest_period(&cf, at(now), &p, &t);
	period_format(&p, l);
	ck_assert_msg(
	    strcmp(l, label) == 0, "%s: digest %s, want %s", now, l, label);
	ck_assert_msg(t == at(when), "%s: digest instant wrong", now);
}

START_TEST(test_weekly_digest)
{
	/* Monday of W48 before 08:00: the last digest was W46's. */
	digest_is("2026-11-23T07:59:59+01:00", "2026-W46",
	    "2026-11-16T08:00:00+01:00");
	digest_is("2026-11-23T08:00:00+01:00", "2026-W47",
	    "2026-11-23T08:00:00+01:00");
	digest_is("2026-11-29T23:59:00+01:00", "2026-W47",
	    "2026-11-23T08:00:00+01:00");
	/* Over New Year with a week 53. */
	digest_is("2027-01-04T09:00:00+01:00", "2026-W53",
	    "2027-01-04T08:00:00+01:00");
	digest_is("2027-01-04T07:00:00+01:00", "2026-W52",
	    "2026-12-28T08:00:00+01:00");
	/* The Monday after summer time began: 08:00 is +02:00. */
	digest_is("2026-03-30T08:00:00+02:00", "2026-W13",
	    "2026-03-30T08:00:00+02:00");
	digest_is("2026-03-30T07:30:00+02:00", "2026-W12",
	    "2026-03-23T08:00:00+01:00");
	/* And after it ended. */
	digest_is("2026-10-26T08:00:00+01:00", "2026-W43",
	    "2026-10-26T08:00:00+01:00");
}
END_TEST

START_TEST(test_fortnightly_digest)
{
	cf.cadence = CADENCE_FORTNIGHTLY;
	/* W47 (odd) starts a fortnight; its digest is Monday of W49. */
	digest_is("2026-11-30T08:00:00+01:00", "2026-W47",
	    "2026-11-30T08:00:00+01:00");
	/* In the fortnight's second week the last digest was W45-46's. */
	digest_is("2026-11-23T09:00:00+01:00", "2026-W45",
	    "2026-11-16T08:00:00+01:00");
}
END_TEST

START_TEST(test_reminder)
{
	struct period p;
	time_t t;
	char l[PERIOD_LABEL_MAX];

	ck_assert_int_eq(
	    sched_reminder_period(&cf, at("2026-11-27T11:59:59+01:00"), &p, &t),
	    0);
	ck_assert_int_eq(
	    sched_reminder_period(&cf, at("2026-11-27T12:00:00+01:00"), &p, &t),
	    1);
	period_format(&p, l);
	ck_assert_str_eq(l, "2026-W48");
	ck_assert(t == at("2026-11-27T12:00:00+01:00"));
	/* Fortnightly: Friday of the fortnight's last week. */
	cf.cadence = CADENCE_FORTNIGHTLY;
	ck_assert_int_eq(
	    sched_reminder_period(&cf, at("2026-11-20T13:00:00+01:00"), &p, &t),
	    0);
	ck_assert_int_eq(
	    sched_reminder_period(&cf, at("2026-11-27T12:00:00+01:00"), &p, &t),
	    1);
	period_format(&p, l);
	ck_assert_str_eq(l, "2026-W47");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("calendar");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_weekly_digest);
	tcase_add_test(tc, test_fortnightly_digest);
	tcase_add_test(tc, test_reminder);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
