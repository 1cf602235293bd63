/* Tests of the outbox delivery policy. */
#include "outbox.h"
#include "testutil.h"

START_TEST(test_backoff_doubles_to_cap)
{
	const time_t now = 1000000;
	/* jitter 30 on a spread of 30 (10 % of 300) gives +0. */
	ck_assert_int_eq(outbox_retry_at(1, now, 30) - now, 300);
	ck_assert_int_eq(outbox_retry_at(2, now, 60) - now, 600);
	ck_assert_int_eq(outbox_retry_at(3, now, 120) - now, 1200);
	ck_assert_int_eq(outbox_retry_at(4, now, 240) - now, 2400);
	ck_assert_int_eq(outbox_retry_at(5, now, 400) - now, 4000);
	ck_assert_int_eq(outbox_retry_at(50, now, 400) - now, 4000);
	/* The jitter stays within ±10 %. */
	for (uint32_t j = 0; j < 1000; j++) {
		time_t d = outbox_retry_at(1, now, j * 7919u) - now;

		ck_assert(d >= 270 && d <= 330);
	}
}
END_TEST

START_TEST(test_states)
{
	time_t next, created = 1000, now = 2000;

	ck_assert_int_eq(
	    outbox_after(MAIL_SENT, 1, created, now, 0, &next), OUTBOX_SENT);
	ck_assert_int_eq(next, 0);
	/* 5xx: failed at once, never retried. */
	ck_assert_int_eq(
	    outbox_after(MAIL_FAIL, 1, created, now, 0, &next), OUTBOX_FAILED);
	/* 4xx or no connection: retried. */
	ck_assert_int_eq(outbox_after(MAIL_DEFER, 1, created, now, 30, &next),
	    OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 300);
	/* Still retried after 48 hours ... */
	now = created + 48 * 3600;
	ck_assert_int_eq(outbox_after(MAIL_DEFER, 40, created, now, 400, &next),
	    OUTBOX_QUEUED);
	ck_assert_int_eq(next, now + 4000);
	/* ... and given up after five days. */
	now = created + 5 * 24 * 3600;
	ck_assert_int_eq(outbox_after(MAIL_DEFER, 120, created, now, 0, &next),
	    OUTBOX_FAILED);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, test_backoff_doubles_to_cap);
	tcase_add_test(tc, test_states);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
