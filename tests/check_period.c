/*
 * check_period: the calendar of EST. Expected values are worked out by
 * hand from the calendar (2026-01-01 and 2026-10-01 are Thursdays, 2027
 * starts on a Friday, 2026, 2020 and 2015 have 53 ISO weeks), and one
 * brute-force walk over 1990-2040 compares every day with an independent
 * reference computed from the ordinal date.
 */
#include <stdbool.h>
#include <string.h>

#include "period.h"
#include "testutil.h"

#define D(y, m, d) period_days_from_civil((y), (m), (d))

static struct period
mk(enum period_kind kind, int year, int num)
{
	struct period p;

	p.kind = kind;
	p.year = year;
	p.num = num;
	return p;
}

static struct period
parsed(const char *label)
{
	struct period p;

	ck_assert_msg(period_parse(label, &p) == 0, "parse %s", label);
	return p;
}

#define ck_assert_period(p, k, y, n)                                           \
	do {                                                                   \
		ck_assert_int_eq((p).kind, (k));                               \
		ck_assert_int_eq((p).year, (y));                               \
		ck_assert_int_eq((p).num, (n));                                \
	} while (0)

#define ck_assert_label(p, s)                                                  \
	do {                                                                   \
		char lbl_[PERIOD_LABEL_MAX];                                   \
                                                                               \
		period_format(&(p), lbl_);                                     \
		ck_assert_str_eq(lbl_, (s));                                   \
	} while (0)

START_TEST(test_civil)
{
	struct civil c;

	ck_assert_int_eq(D(1970, 1, 1), 0);
	ck_assert_int_eq(D(1969, 12, 31), -1);
	ck_assert_int_eq(D(2000, 2, 29), 11016);
	ck_assert_int_eq(D(2026, 11, 16), 20773);
	ck_assert_int_eq(D(2026, 12, 28), 20815);
	ck_assert_int_eq(D(2100, 3, 1), 47541);
	ck_assert_int_eq(D(1600, 3, 1), -135080);
	ck_assert_int_eq(D(1, 1, 1), -719162);
	ck_assert_int_eq(D(9999, 12, 31), 2932896);

	period_civil_from_days(-1, &c);
	ck_assert_int_eq(c.year, 1969);
	ck_assert_int_eq(c.month, 12);
	ck_assert_int_eq(c.day, 31);
	period_civil_from_days(11016, &c);
	ck_assert_int_eq(c.year, 2000);
	ck_assert_int_eq(c.month, 2);
	ck_assert_int_eq(c.day, 29);
	period_civil_from_days(-135080, &c);
	ck_assert_int_eq(c.year, 1600);
	ck_assert_int_eq(c.month, 3);
	ck_assert_int_eq(c.day, 1);
	period_civil_from_days(2932896, &c);
	ck_assert_int_eq(c.year, 9999);
	ck_assert_int_eq(c.month, 12);
	ck_assert_int_eq(c.day, 31);
	/* 2100 is not a leap year: 28 February is followed by 1 March. */
	ck_assert_int_eq(D(2100, 3, 1) - D(2100, 2, 28), 1);
	ck_assert_int_eq(D(2000, 3, 1) - D(2000, 2, 28), 2);

	ck_assert_int_eq(period_weekday(0), 4); /* Thursday */
	ck_assert_int_eq(period_weekday(-1), 3);
	ck_assert_int_eq(period_weekday(-3), 1);
	ck_assert_int_eq(period_weekday(-4), 7);
	ck_assert_int_eq(period_weekday(20773), 1); /* 2026-11-16 */
	ck_assert_int_eq(period_weekday(D(2026, 10, 1)), 4);
	ck_assert_int_eq(period_weekday(D(2027, 1, 1)), 5);
	ck_assert_int_eq(period_weekday(D(1989, 1, 1)), 7);
	ck_assert_int_eq(period_weekday(D(1600, 3, 1)), 3);
}
END_TEST

START_TEST(test_weeks_in_year)
{
	ck_assert_int_eq(period_weeks_in_year(2026), 53);
	ck_assert_int_eq(period_weeks_in_year(2020), 53);
	ck_assert_int_eq(period_weeks_in_year(2015), 53);
	ck_assert_int_eq(period_weeks_in_year(2009), 53);
	ck_assert_int_eq(period_weeks_in_year(2004), 53);
	ck_assert_int_eq(period_weeks_in_year(2032), 53);
	ck_assert_int_eq(period_weeks_in_year(2025), 52);
	ck_assert_int_eq(period_weeks_in_year(2027), 52);
	ck_assert_int_eq(period_weeks_in_year(2021), 52);
	ck_assert_int_eq(period_weeks_in_year(2019), 52);
	ck_assert_int_eq(period_weeks_in_year(2024), 52);
}
END_TEST

START_TEST(test_week_of_day_edges)
{
	struct period w;

	period_week_of_day(D(2026, 12, 28), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 53);
	period_week_of_day(D(2027, 1, 3), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 53);
	period_week_of_day(D(2027, 1, 1), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 53);
	period_week_of_day(D(2027, 1, 4), &w);
	ck_assert_period(w, PERIOD_WEEK, 2027, 1);
	period_week_of_day(D(2020, 12, 31), &w);
	ck_assert_period(w, PERIOD_WEEK, 2020, 53);
	period_week_of_day(D(2021, 1, 3), &w);
	ck_assert_period(w, PERIOD_WEEK, 2020, 53);
	period_week_of_day(D(2021, 1, 4), &w);
	ck_assert_period(w, PERIOD_WEEK, 2021, 1);
	period_week_of_day(D(2018, 12, 31), &w);
	ck_assert_period(w, PERIOD_WEEK, 2019, 1);
	period_week_of_day(D(2018, 12, 30), &w);
	ck_assert_period(w, PERIOD_WEEK, 2018, 52);
	period_week_of_day(D(2024, 12, 30), &w);
	ck_assert_period(w, PERIOD_WEEK, 2025, 1);
	period_week_of_day(D(2024, 12, 29), &w);
	ck_assert_period(w, PERIOD_WEEK, 2024, 52);
	period_week_of_day(D(2025, 12, 29), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 1);
	period_week_of_day(D(2026, 1, 1), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 1);
	period_week_of_day(D(2016, 1, 3), &w);
	ck_assert_period(w, PERIOD_WEEK, 2015, 53);
	period_week_of_day(D(2026, 11, 22), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 47);
	period_week_of_day(D(2026, 11, 23), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 48);
	period_week_of_day(D(2026, 10, 1), &w);
	ck_assert_period(w, PERIOD_WEEK, 2026, 40);
}
END_TEST

START_TEST(test_week_days)
{
	struct period w;

	w = parsed("2026-W53");
	ck_assert_int_eq(period_first_day(&w), D(2026, 12, 28));
	ck_assert_int_eq(period_last_day(&w), D(2027, 1, 3));
	w = parsed("2027-W01");
	ck_assert_int_eq(period_first_day(&w), D(2027, 1, 4));
	ck_assert_int_eq(period_last_day(&w), D(2027, 1, 10));
	w = parsed("2020-W53");
	ck_assert_int_eq(period_first_day(&w), D(2020, 12, 28));
	ck_assert_int_eq(period_last_day(&w), D(2021, 1, 3));
	w = parsed("2015-W53");
	ck_assert_int_eq(period_first_day(&w), D(2015, 12, 28));
	ck_assert_int_eq(period_last_day(&w), D(2016, 1, 3));
	w = parsed("2021-W01");
	ck_assert_int_eq(period_first_day(&w), D(2021, 1, 4));
	w = parsed("2019-W01");
	ck_assert_int_eq(period_first_day(&w), D(2018, 12, 31));
	ck_assert_int_eq(period_last_day(&w), D(2019, 1, 6));
	w = parsed("2025-W01");
	ck_assert_int_eq(period_first_day(&w), D(2024, 12, 30));
	w = parsed("2026-W01");
	ck_assert_int_eq(period_first_day(&w), D(2025, 12, 29));
	ck_assert_int_eq(period_last_day(&w), D(2026, 1, 4));
	w = parsed("2026-W47");
	ck_assert_int_eq(period_first_day(&w), D(2026, 11, 16));
	ck_assert_int_eq(period_last_day(&w), D(2026, 11, 22));
}
END_TEST

START_TEST(test_parse_format)
{
	struct period p;

	p = parsed("2026-W47");
	ck_assert_period(p, PERIOD_WEEK, 2026, 47);
	ck_assert_label(p, "2026-W47");
	p = parsed("2026-W05");
	ck_assert_period(p, PERIOD_WEEK, 2026, 5);
	ck_assert_label(p, "2026-W05");
	p = parsed("2026-W53");
	ck_assert_period(p, PERIOD_WEEK, 2026, 53);
	p = parsed("2020-W53");
	ck_assert_period(p, PERIOD_WEEK, 2020, 53);
	p = parsed("2026-Q3");
	ck_assert_period(p, PERIOD_QUARTER, 2026, 3);
	ck_assert_label(p, "2026-Q3");
	p = parsed("2026-Q1");
	ck_assert_period(p, PERIOD_QUARTER, 2026, 1);
	p = parsed("2026-T2");
	ck_assert_period(p, PERIOD_TERTIAL, 2026, 2);
	ck_assert_label(p, "2026-T2");
	p = parsed("2026");
	ck_assert_period(p, PERIOD_YEAR, 2026, 0);
	ck_assert_label(p, "2026");

	/* A fortnight is labelled by its first week. */
	p = mk(PERIOD_FORTNIGHT, 2026, 47);
	ck_assert_label(p, "2026-W47");
	p = mk(PERIOD_FORTNIGHT, 2027, 1);
	ck_assert_label(p, "2027-W01");
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
	    "2026-W00",
	    "2026-W54",
	    "2025-W53",
	    "2027-W53",
	    "2026-W5",
	    "2026-Q5",
	    "2026-Q0",
	    "2026-T4",
	    "2026-T0",
	    "26-W01",
	    "2026-W47x",
	    "",
	    "2026-",
	    "2026-W",
	    "2026-w47",
	    "2026W47",
	    "2026-Q",
	    "2026-Q12",
	    "2026-T1 ",
	    " 2026",
	    "20266",
	    "2026-X1",
	    "202a",
	    "2026-W4a",
	    "0000",
	    "2026-W-1",
	};
	struct period p = mk(PERIOD_WEEK, 1999, 9);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(
		    period_parse(bad[i], &p) == -1, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(period_parse(NULL, &p), -1);
	/* A refused label leaves the period alone. */
	ck_assert_period(p, PERIOD_WEEK, 1999, 9);
}
END_TEST

START_TEST(test_week_prev_next)
{
	struct period p, q;

	p = parsed("2027-W01");
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_WEEK, 2026, 53);
	period_next(&q, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_WEEK, 2027, 1);
	p = parsed("2026-W01");
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_WEEK, 2025, 52);
	period_next(&q, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_WEEK, 2026, 1);
	p = parsed("2026-W52");
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_WEEK, 2026, 53);
	p = parsed("2021-W01");
	period_prev(&p, PARITY_EVEN, &q);
	ck_assert_period(q, PERIOD_WEEK, 2020, 53);
	p = parsed("2026-W47");
	period_next(&p, PARITY_EVEN, &q);
	ck_assert_period(q, PERIOD_WEEK, 2026, 48);
	period_prev(&p, PARITY_EVEN, &q);
	ck_assert_period(q, PERIOD_WEEK, 2026, 46);
}
END_TEST

START_TEST(test_analysis_days)
{
	struct period p;

	p = parsed("2026-Q1");
	ck_assert_int_eq(period_first_day(&p), D(2025, 12, 29));
	ck_assert_int_eq(period_last_day(&p), D(2026, 3, 29));
	p = parsed("2026-Q2");
	ck_assert_int_eq(period_first_day(&p), D(2026, 3, 30));
	ck_assert_int_eq(period_last_day(&p), D(2026, 6, 28));
	p = parsed("2026-Q3");
	ck_assert_int_eq(period_first_day(&p), D(2026, 6, 29));
	ck_assert_int_eq(period_last_day(&p), D(2026, 9, 27));
	p = parsed("2026-Q4");
	ck_assert_int_eq(period_first_day(&p), D(2026, 9, 28));
	ck_assert_int_eq(period_last_day(&p), D(2027, 1, 3));
	p = parsed("2027-Q1");
	ck_assert_int_eq(period_first_day(&p), D(2027, 1, 4));
	ck_assert_int_eq(period_last_day(&p), D(2027, 3, 28));
	/* 2027-10-01 is a Friday: Q3 2027 has 14 weeks, W26-W39. */
	p = parsed("2027-Q3");
	ck_assert_int_eq(period_first_day(&p), D(2027, 6, 28));
	ck_assert_int_eq(period_last_day(&p), D(2027, 10, 3));
	p = parsed("2020-Q4");
	ck_assert_int_eq(period_first_day(&p), D(2020, 9, 28));
	ck_assert_int_eq(period_last_day(&p), D(2021, 1, 3));

	p = parsed("2026-T1");
	ck_assert_int_eq(period_first_day(&p), D(2025, 12, 29));
	ck_assert_int_eq(period_last_day(&p), D(2026, 5, 3));
	p = parsed("2026-T2");
	ck_assert_int_eq(period_first_day(&p), D(2026, 5, 4));
	ck_assert_int_eq(period_last_day(&p), D(2026, 8, 30));
	p = parsed("2026-T3");
	ck_assert_int_eq(period_first_day(&p), D(2026, 8, 31));
	ck_assert_int_eq(period_last_day(&p), D(2027, 1, 3));
	p = parsed("2027-T1");
	ck_assert_int_eq(period_first_day(&p), D(2027, 1, 4));
	ck_assert_int_eq(period_last_day(&p), D(2027, 5, 2));

	p = parsed("2026");
	ck_assert_int_eq(period_first_day(&p), D(2025, 12, 29));
	ck_assert_int_eq(period_last_day(&p), D(2027, 1, 3));
	p = parsed("2027");
	ck_assert_int_eq(period_first_day(&p), D(2027, 1, 4));
	ck_assert_int_eq(period_last_day(&p), D(2028, 1, 2));
	p = parsed("2019");
	ck_assert_int_eq(period_first_day(&p), D(2018, 12, 31));
	ck_assert_int_eq(period_last_day(&p), D(2019, 12, 29));
}
END_TEST

/* The quarter, tertial and year of a week label. */
static void
check_container(const char *week, const char *quarter, const char *tertial,
    const char *year)
{
	struct period w = parsed(week), out;
	char lbl[PERIOD_LABEL_MAX];

	period_container(&w, PERIOD_QUARTER, &out);
	ck_assert_int_eq(out.kind, PERIOD_QUARTER);
	period_format(&out, lbl);
	ck_assert_msg(strcmp(lbl, quarter) == 0, "%s: quarter %s, want %s",
	    week, lbl, quarter);
	period_container(&w, PERIOD_TERTIAL, &out);
	ck_assert_int_eq(out.kind, PERIOD_TERTIAL);
	period_format(&out, lbl);
	ck_assert_msg(strcmp(lbl, tertial) == 0, "%s: tertial %s, want %s",
	    week, lbl, tertial);
	period_container(&w, PERIOD_YEAR, &out);
	ck_assert_int_eq(out.kind, PERIOD_YEAR);
	period_format(&out, lbl);
	ck_assert_msg(
	    strcmp(lbl, year) == 0, "%s: year %s, want %s", week, lbl, year);
}

START_TEST(test_container)
{
	struct period w, out;

	check_container("2026-W01", "2026-Q1", "2026-T1", "2026");
	check_container("2026-W13", "2026-Q1", "2026-T1", "2026");
	check_container("2026-W14", "2026-Q2", "2026-T1", "2026");
	check_container("2026-W18", "2026-Q2", "2026-T1", "2026");
	check_container("2026-W19", "2026-Q2", "2026-T2", "2026");
	check_container("2026-W26", "2026-Q2", "2026-T2", "2026");
	check_container("2026-W27", "2026-Q3", "2026-T2", "2026");
	check_container("2026-W35", "2026-Q3", "2026-T2", "2026");
	check_container("2026-W36", "2026-Q3", "2026-T3", "2026");
	check_container("2026-W39", "2026-Q3", "2026-T3", "2026");
	check_container("2026-W40", "2026-Q4", "2026-T3", "2026");
	check_container("2026-W53", "2026-Q4", "2026-T3", "2026");
	check_container("2027-W01", "2027-Q1", "2027-T1", "2027");
	check_container("2027-W12", "2027-Q1", "2027-T1", "2027");
	check_container("2027-W13", "2027-Q2", "2027-T1", "2027");
	check_container("2027-W39", "2027-Q3", "2027-T3", "2027");
	check_container("2027-W40", "2027-Q4", "2027-T3", "2027");
	check_container("2025-W01", "2025-Q1", "2025-T1", "2025");
	check_container("2019-W01", "2019-Q1", "2019-T1", "2019");
	check_container("2020-W53", "2020-Q4", "2020-T3", "2020");
	check_container("2015-W53", "2015-Q4", "2015-T3", "2015");
	check_container("2024-W52", "2024-Q4", "2024-T3", "2024");

	/* A fortnight counts as its first week; a week kind is a copy. */
	w = mk(PERIOD_FORTNIGHT, 2026, 13);
	period_container(&w, PERIOD_QUARTER, &out);
	ck_assert_period(out, PERIOD_QUARTER, 2026, 1);
	w = parsed("2026-W47");
	period_container(&w, PERIOD_WEEK, &out);
	ck_assert_period(out, PERIOD_WEEK, 2026, 47);
}
END_TEST

START_TEST(test_analysis_prev_next)
{
	struct period p, q;

	p = parsed("2026-Q1");
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_QUARTER, 2025, 4);
	p = parsed("2026-Q4");
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_QUARTER, 2027, 1);
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_QUARTER, 2026, 3);
	p = parsed("2026-T3");
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_TERTIAL, 2027, 1);
	p = parsed("2026-T1");
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_TERTIAL, 2025, 3);
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_TERTIAL, 2026, 2);
	p = parsed("2026");
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_YEAR, 2027, 0);
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_YEAR, 2025, 0);
}
END_TEST

START_TEST(test_fortnight_odd)
{
	struct period p, q;

	/* Odd: W51+W52, then W53 alone (W01 is odd too), then W01+W02. */
	period_of_day(D(2026, 12, 21), true, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 51);
	ck_assert_int_eq(period_first_day(&p), D(2026, 12, 14));
	ck_assert_int_eq(
	    period_last_day_parity(&p, PARITY_ODD), D(2026, 12, 27));
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_FORTNIGHT, 2026, 53);
	ck_assert_int_eq(period_first_day(&q), D(2026, 12, 28));
	ck_assert_int_eq(period_last_day_parity(&q, PARITY_ODD), D(2027, 1, 3));
	ck_assert_int_eq(period_last_day(&q), D(2027, 1, 3));
	period_next(&q, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2027, 1);
	ck_assert_int_eq(period_first_day(&p), D(2027, 1, 4));
	ck_assert_int_eq(
	    period_last_day_parity(&p, PARITY_ODD), D(2027, 1, 17));
	ck_assert_int_eq(period_last_day(&p), D(2027, 1, 17));
	period_prev(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_FORTNIGHT, 2026, 53);
	period_prev(&q, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 51);

	period_of_day(D(2027, 1, 3), true, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 53);
	period_of_day(D(2027, 1, 17), true, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2027, 1);
	period_of_day(D(2027, 1, 18), true, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2027, 3);
	period_of_day(D(2026, 11, 29), true, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 47);
	ck_assert_int_eq(period_first_day(&p), D(2026, 11, 16));
	ck_assert_int_eq(period_last_day(&p), D(2026, 11, 29));

	/* After a 52-week year: 2025-W51+W52, 2026-W01+W02. */
	period_of_day(D(2025, 12, 28), true, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2025, 51);
	period_next(&p, PARITY_ODD, &q);
	ck_assert_period(q, PERIOD_FORTNIGHT, 2026, 1);
	ck_assert_int_eq(
	    period_last_day_parity(&q, PARITY_ODD), D(2026, 1, 11));

	/* Without cadence the week itself. */
	period_of_day(D(2027, 1, 3), false, PARITY_ODD, &p);
	ck_assert_period(p, PERIOD_WEEK, 2026, 53);
}
END_TEST

START_TEST(test_fortnight_even)
{
	struct period p, q;

	/* Even: W52+W53, then W01 alone (W53 lacked parity), W02+W03. */
	period_of_day(D(2027, 1, 3), true, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 52);
	ck_assert_int_eq(period_first_day(&p), D(2026, 12, 21));
	ck_assert_int_eq(
	    period_last_day_parity(&p, PARITY_EVEN), D(2027, 1, 3));
	ck_assert_int_eq(period_last_day(&p), D(2027, 1, 3));
	period_next(&p, PARITY_EVEN, &q);
	ck_assert_period(q, PERIOD_FORTNIGHT, 2027, 1);
	ck_assert_int_eq(period_first_day(&q), D(2027, 1, 4));
	ck_assert_int_eq(
	    period_last_day_parity(&q, PARITY_EVEN), D(2027, 1, 10));
	period_next(&q, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2027, 2);
	ck_assert_int_eq(period_first_day(&p), D(2027, 1, 11));
	ck_assert_int_eq(
	    period_last_day_parity(&p, PARITY_EVEN), D(2027, 1, 24));
	period_prev(&p, PARITY_EVEN, &q);
	ck_assert_period(q, PERIOD_FORTNIGHT, 2027, 1);
	period_prev(&q, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 52);

	period_of_day(D(2027, 1, 10), true, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2027, 1);
	period_of_day(D(2027, 1, 11), true, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2027, 2);
	period_of_day(D(2026, 12, 28), true, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 52);

	/* After a 52-week year the fortnight runs over New Year. */
	period_of_day(D(2026, 1, 4), true, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2025, 52);
	ck_assert_int_eq(period_first_day(&p), D(2025, 12, 22));
	ck_assert_int_eq(period_last_day(&p), D(2026, 1, 4));
	period_next(&p, PARITY_EVEN, &q);
	ck_assert_period(q, PERIOD_FORTNIGHT, 2026, 2);
	period_prev(&q, PARITY_EVEN, &p);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2025, 52);
}
END_TEST

START_TEST(test_as_fortnight)
{
	struct period p;

	p = parsed("2026-W47");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), 0);
	ck_assert_period(p, PERIOD_FORTNIGHT, 2026, 47);
	p = parsed("2026-W47");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), -1);
	ck_assert_period(p, PERIOD_WEEK, 2026, 47);
	p = parsed("2026-W48");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), -1);
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), 0);

	p = parsed("2026-W53");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), -1);
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), 0);
	p = parsed("2027-W01");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), 0);
	p = parsed("2027-W01");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), 0);
	p = parsed("2027-W02");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), 0);
	p = parsed("2027-W02");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), -1);
	/* After a 52-week year W01 continues W52 under even parity. */
	p = parsed("2026-W01");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), -1);
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), 0);

	p = mk(PERIOD_WEEK, 2025, 53);
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), -1);
	p = mk(PERIOD_WEEK, 2026, 0);
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_EVEN), -1);
	p = parsed("2026-Q3");
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), -1);
}
END_TEST

START_TEST(test_cmp)
{
	struct period a, b;

	a = parsed("2026-W53");
	b = parsed("2027-W01");
	ck_assert_int_lt(period_cmp(&a, &b), 0);
	ck_assert_int_gt(period_cmp(&b, &a), 0);
	b = parsed("2026-W53");
	ck_assert_int_eq(period_cmp(&a, &b), 0);
	a = parsed("2025-W52");
	b = parsed("2026-W01");
	ck_assert_int_lt(period_cmp(&a, &b), 0);
	/* Same first day: the week sorts before its quarter and year. */
	a = parsed("2026-W01");
	b = parsed("2026-Q1");
	ck_assert_int_lt(period_cmp(&a, &b), 0);
	ck_assert_int_gt(period_cmp(&b, &a), 0);
	a = parsed("2026-T1");
	b = parsed("2026");
	ck_assert_int_lt(period_cmp(&a, &b), 0);
	a = parsed("2026-Q4");
	b = parsed("2027-Q1");
	ck_assert_int_lt(period_cmp(&a, &b), 0);
	a = mk(PERIOD_FORTNIGHT, 2026, 47);
	b = parsed("2026-W47");
	ck_assert_int_gt(period_cmp(&a, &b), 0);
}
END_TEST

static void
check_describe(struct period p, enum fortnight_parity parity, const char *lang,
    const char *want)
{
	char buf[128];

	period_describe_parity(&p, parity, lang, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

START_TEST(test_describe)
{
	struct period p;
	char buf[128];

	p = parsed("2026-W47");
	check_describe(p, PARITY_ODD, "sv", "vecka 47, 16\u201322 november");
	check_describe(p, PARITY_ODD, "en", "week 47, 16\u201322 November");
	period_describe(&p, "sv", buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "vecka 47, 16\xe2\x80\x93"
	    "22 november");
	period_describe(&p, "fi", buf, sizeof(buf));
	ck_assert_str_eq(buf, "vecka 47, 16\u201322 november");

	p = parsed("2026-W01");
	check_describe(
	    p, PARITY_ODD, "sv", "vecka 1, 29 december \u2013 4 januari");
	check_describe(
	    p, PARITY_ODD, "en", "week 1, 29 December \u2013 4 January");
	p = parsed("2026-W53");
	check_describe(
	    p, PARITY_ODD, "sv", "vecka 53, 28 december \u2013 3 januari");
	p = parsed("2027-W01");
	check_describe(p, PARITY_ODD, "sv", "vecka 1, 4\u201310 januari");
	p = parsed("2026-W05");
	check_describe(
	    p, PARITY_ODD, "sv", "vecka 5, 26 januari \u2013 1 februari");

	p = mk(PERIOD_FORTNIGHT, 2026, 47);
	check_describe(
	    p, PARITY_ODD, "sv", "vecka 47\u201348, 16\u201329 november");
	check_describe(
	    p, PARITY_ODD, "en", "weeks 47\u201348, 16\u201329 November");
	period_describe(&p, "sv", buf, sizeof(buf));
	ck_assert_str_eq(buf, "vecka 47\u201348, 16\u201329 november");
	p = mk(PERIOD_FORTNIGHT, 2026, 53);
	check_describe(
	    p, PARITY_ODD, "sv", "vecka 53, 28 december \u2013 3 januari");
	p = mk(PERIOD_FORTNIGHT, 2026, 52);
	check_describe(p, PARITY_EVEN, "sv",
	    "vecka 52\u201353, 21 december \u2013 3 januari");
	p = mk(PERIOD_FORTNIGHT, 2027, 1);
	check_describe(p, PARITY_EVEN, "sv", "vecka 1, 4\u201310 januari");
	check_describe(
	    p, PARITY_ODD, "sv", "vecka 1\u20132, 4\u201317 januari");
	p = mk(PERIOD_FORTNIGHT, 2025, 52);
	check_describe(p, PARITY_EVEN, "en",
	    "weeks 52\u20131, 22 December \u2013 4 January");

	p = parsed("2026-Q3");
	check_describe(
	    p, PARITY_ODD, "sv", "kvartal 3 2026 (vecka 27\u201339)");
	check_describe(
	    p, PARITY_ODD, "en", "quarter 3 2026 (weeks 27\u201339)");
	p = parsed("2026-Q4");
	check_describe(
	    p, PARITY_ODD, "sv", "kvartal 4 2026 (vecka 40\u201353)");
	p = parsed("2027-Q1");
	check_describe(p, PARITY_ODD, "en", "quarter 1 2027 (weeks 1\u201312)");
	p = parsed("2026-T2");
	check_describe(
	    p, PARITY_ODD, "sv", "tertial 2 2026 (vecka 19\u201335)");
	check_describe(
	    p, PARITY_ODD, "en", "tertial 2 2026 (weeks 19\u201335)");
	p = parsed("2026");
	check_describe(p, PARITY_ODD, "sv", "\u00e5r 2026");
	check_describe(p, PARITY_ODD, "en", "year 2026");
}
END_TEST

START_TEST(test_describe_truncates)
{
	struct period p = parsed("2026-W47");
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	period_describe(&p, "sv", buf, 10);
	ck_assert_str_eq(buf, "vecka 47,");
	ck_assert_int_eq(buf[10], 'x');
	/* "vecka 47, 16" then the dash's three bytes: cut to whole chars. */
	period_describe(&p, "sv", buf, 14);
	ck_assert_str_eq(buf, "vecka 47, 16");
	period_describe(&p, "sv", buf, 15);
	ck_assert_str_eq(buf, "vecka 47, 16");
	period_describe(&p, "sv", buf, 16);
	ck_assert_str_eq(buf, "vecka 47, 16\u2013");
	buf[0] = 'x';
	period_describe(&p, "sv", buf, 0);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/*
 * Reference for the brute-force walk: the ordinal-date rule of ISO 8601
 * (week = (day of year - weekday + 10) / 7, with week 0 and week 53 of a
 * 52-week year moved to the neighbouring year). A year has 53 weeks when
 * it starts on a Thursday, or is a leap year starting on a Wednesday.
 */
static bool
ref_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
ref_month_days(int y, int m)
{
	static const int len[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && ref_leap(y) ? 29 : len[m - 1];
}

static int
ref_weeks(int y, int jan1)
{
	return jan1 == 4 || (ref_leap(y) && jan1 == 3) ? 53 : 52;
}

static void
ref_week(int y, int doy, int wd, int jan1, int *wy, int *wn)
{
	int w = (doy - wd + 10) / 7;
	int jan1_prev;

	jan1_prev =
	    ((jan1 - 1 - (ref_leap(y - 1) ? 366 : 365)) % 7 + 7) % 7 + 1;
	*wy = y;
	*wn = w;
	if (w < 1) {
		*wy = y - 1;
		*wn = ref_weeks(y - 1, jan1_prev);
	} else if (w > ref_weeks(y, jan1)) {
		*wy = y + 1;
		*wn = 1;
	}
}

/* One-week fortnights happen only around week 53. */
static int
ref_fortnight_weeks(const struct period *f, enum fortnight_parity parity)
{
	if (parity == PARITY_ODD && f->num == 53)
		return 1;
	if (parity == PARITY_EVEN && f->num == 1 &&
	    period_weeks_in_year(f->year - 1) == 53)
		return 1;
	return 2;
}

static void
check_fortnight_day(
    long n, enum fortnight_parity parity, const struct period *week)
{
	struct period f, g, h;
	long first, last;

	period_of_day(n, true, parity, &f);
	ck_assert_int_eq(f.kind, PERIOD_FORTNIGHT);
	first = period_first_day(&f);
	last = period_last_day_parity(&f, parity);
	ck_assert(first <= n && n <= last);
	ck_assert_int_eq(period_weekday(first), 1);
	ck_assert_int_eq(last - first + 1, 7 * ref_fortnight_weeks(&f, parity));
	/* The fortnight is named by the week it starts with. */
	g = mk(PERIOD_WEEK, f.year, f.num);
	ck_assert_int_eq(period_as_fortnight(&g, parity), 0);
	if (n - first >= 7) {
		g = *week;
		ck_assert_int_eq(period_as_fortnight(&g, parity), -1);
	}
	if (n == first) {
		period_next(&f, parity, &g);
		ck_assert_int_eq(period_first_day(&g), last + 1);
		period_prev(&g, parity, &h);
		ck_assert_period(h, PERIOD_FORTNIGHT, f.year, f.num);
		period_prev(&f, parity, &g);
		ck_assert_int_eq(period_last_day_parity(&g, parity), first - 1);
		period_next(&g, parity, &h);
		ck_assert_period(h, PERIOD_FORTNIGHT, f.year, f.num);
	}
	/* Without the parity only the even-parity week 1 is misread. */
	if (ref_fortnight_weeks(&f, parity) == 2 || parity == PARITY_ODD)
		ck_assert_int_eq(period_last_day(&f), last);
}

static void
check_span_day(long n, const struct period *week, enum period_kind kind)
{
	struct period c, d;
	long first, last;

	period_container(week, kind, &c);
	first = period_first_day(&c);
	last = period_last_day(&c);
	ck_assert(first <= n && n <= last);
	ck_assert_int_eq(period_weekday(first), 1);
	ck_assert_int_eq(period_weekday(last), 7);
	if (n == first) {
		period_prev(&c, PARITY_ODD, &d);
		ck_assert_int_eq(period_last_day(&d), n - 1);
		period_next(&d, PARITY_ODD, &c);
		ck_assert_int_eq(period_first_day(&c), n);
	}
}

START_TEST(test_brute_force)
{
	int y = 1989, m = 1, d = 1, wd = 7, doy = 1, jan1 = 7;
	int wy, wn, checked = 0, mondays = 0;
	long n = D(1989, 1, 1);
	struct period w, prev_week, p, q;
	struct civil c;
	char lbl[PERIOD_LABEL_MAX];
	bool have_prev = false;

	ck_assert_int_eq(n, 6940);
	while (y <= 2040) {
		if (y >= 1990) {
			checked++;
			ck_assert_int_eq(D(y, m, d), n);
			period_civil_from_days(n, &c);
			ck_assert(c.year == y && c.month == m && c.day == d);
			ck_assert_int_eq(period_weekday(n), wd);

			ref_week(y, doy, wd, jan1, &wy, &wn);
			period_week_of_day(n, &w);
			ck_assert_msg(w.kind == PERIOD_WEEK && w.year == wy &&
				w.num == wn,
			    "%d-%02d-%02d: %d-W%02d, want "
			    "%d-W%02d",
			    y, m, d, w.year, w.num, wy, wn);
			ck_assert_int_eq(period_first_day(&w), n - (wd - 1));
			ck_assert_int_eq(period_last_day(&w), n + (7 - wd));

			period_format(&w, lbl);
			ck_assert_int_eq(period_parse(lbl, &p), 0);
			ck_assert_period(p, PERIOD_WEEK, wy, wn);

			period_of_day(n, false, PARITY_EVEN, &p);
			ck_assert_period(p, PERIOD_WEEK, wy, wn);

			if (wd == 1) {
				mondays++;
				if (have_prev) {
					period_next(&prev_week, PARITY_ODD, &q);
					ck_assert_period(
					    q, PERIOD_WEEK, wy, wn);
					period_prev(&w, PARITY_EVEN, &q);
					ck_assert_period(q, PERIOD_WEEK,
					    prev_week.year, prev_week.num);
				}
				prev_week = w;
				have_prev = true;
			}
			/* The Thursday decides quarter, tertial and year. */
			if (wd == 4) {
				period_container(&w, PERIOD_QUARTER, &p);
				ck_assert_period(
				    p, PERIOD_QUARTER, y, (m - 1) / 3 + 1);
				period_container(&w, PERIOD_TERTIAL, &p);
				ck_assert_period(
				    p, PERIOD_TERTIAL, y, (m - 1) / 4 + 1);
				period_container(&w, PERIOD_YEAR, &p);
				ck_assert_period(p, PERIOD_YEAR, y, 0);
				ck_assert_int_eq(wy, y);
			}
			check_span_day(n, &w, PERIOD_QUARTER);
			check_span_day(n, &w, PERIOD_TERTIAL);
			check_span_day(n, &w, PERIOD_YEAR);
			check_fortnight_day(n, PARITY_ODD, &w);
			check_fortnight_day(n, PARITY_EVEN, &w);
		}

		/* Step the reference calendar by one day. */
		n++;
		wd = wd % 7 + 1;
		doy++;
		if (++d > ref_month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
				doy = 1;
				jan1 = wd;
			}
		}
	}
	/* 1990-01-01 .. 2040-12-31 */
	ck_assert_int_eq(checked, D(2041, 1, 1) - D(1990, 1, 1));
	ck_assert_int_eq(checked, 18628);
	ck_assert_int_eq(mondays, 2662);
}
END_TEST

START_TEST(test_weeks_in_year_reference)
{
	int y, jan1;

	/* 1600-01-01 was a Saturday. */
	jan1 = 6;
	ck_assert_int_eq(period_weekday(D(1600, 1, 1)), jan1);
	for (y = 1600; y <= 2400; y++) {
		ck_assert_msg(
		    period_weeks_in_year(y) == ref_weeks(y, jan1), "%d", y);
		jan1 = (jan1 - 1 + (ref_leap(y) ? 366 : 365)) % 7 + 1;
	}
}
END_TEST

static Suite *
period_suite(void)
{
	Suite *s = suite_create("period");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_civil);
	tcase_add_test(tc, test_weeks_in_year);
	tcase_add_test(tc, test_week_of_day_edges);
	tcase_add_test(tc, test_week_days);
	tcase_add_test(tc, test_parse_format);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_week_prev_next);
	tcase_add_test(tc, test_analysis_days);
	tcase_add_test(tc, test_container);
	tcase_add_test(tc, test_analysis_prev_next);
	tcase_add_test(tc, test_fortnight_odd);
	tcase_add_test(tc, test_fortnight_even);
	tcase_add_test(tc, test_as_fortnight);
	tcase_add_test(tc, test_cmp);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_truncates);
	tcase_add_test(tc, test_weeks_in_year_reference);
	suite_add_tcase(s, tc);

	/* The walk is long under valgrind. */
	tc = tcase_create("brute-force");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_brute_force);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(period_suite());
}
