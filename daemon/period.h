/*
 * period: the calendar of EST. Pure: no I/O, no globals, no clock.
 *
 * Days are civil dates (proleptic Gregorian) counted as days since
 * 1970-01-01. A reporting period is an ISO week ("2026-W47") or a
 * fortnight named by its first week; analysis periods are quarters
 * ("2026-Q3"), tertials ("2026-T2": T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec)
 * and years ("2026"). A week belongs to the quarter, tertial and year
 * that contain its Thursday.
 *
 * Fortnights: with parity P (odd or even), week W starts a fortnight when
 * its ISO number has parity P, or when the week before it also lacks
 * parity P (so it cannot continue a fortnight). A fortnight is its first
 * week plus the following week if that one does not start a fortnight.
 * Around a 53-week year this yields one one-week period, never three.
 *
 * Callers: everyone.
 */
#ifndef ESTD_PERIOD_H
#define ESTD_PERIOD_H

#include <stdbool.h>

enum period_kind {
	PERIOD_WEEK,
	PERIOD_FORTNIGHT,
	PERIOD_QUARTER,
	PERIOD_TERTIAL,
	PERIOD_YEAR,
};

enum fortnight_parity {
	PARITY_ODD,
	PARITY_EVEN,
};

struct period {
	enum period_kind kind;
	int year; /* ISO week-year for weeks/fortnights */
	int num; /* week 1-53, quarter 1-4, tertial 1-3, 0 */
};

struct civil {
	int year;
	int month; /* 1-12 */
	int day; /* 1-31 */
};

/* Longest label: "2026-W47" / "-123456-W01" guard. */
#define PERIOD_LABEL_MAX 16

/* Days since 1970-01-01 for a civil date and back. */
long period_days_from_civil(int year, int month, int day);
void period_civil_from_days(long days, struct civil *);
/* ISO weekday 1 (Monday) - 7 (Sunday). */
int period_weekday(long days);
/* Number of ISO weeks in ISO week-year `year` (52 or 53). */
int period_weeks_in_year(int year);

/*
 * Parse a label: "2026-W47" gives a PERIOD_WEEK, "2026-Q3",
 * "2026-T2", "2026". Returns 0, or -1 if the label is malformed or
 * names a week that does not exist (2026-W54, 2025-W53).
 */
int period_parse(const char *label, struct period *);
/* Write the label of p into buf (PERIOD_LABEL_MAX bytes). */
void period_format(const struct period *p, char *buf);

/* The ISO week containing the day. */
void period_week_of_day(long days, struct period *week);
/*
 * The reporting period (week or fortnight, per `fortnightly`) that
 * contains the day. Fortnights are returned with kind PERIOD_FORTNIGHT
 * and the number of their first week.
 */
void period_of_day(
    long days, bool fortnightly, enum fortnight_parity, struct period *);
/*
 * Validate that a week label names the start of a fortnight under the
 * parity; turns a PERIOD_WEEK into PERIOD_FORTNIGHT. Returns 0 or -1.
 */
int period_as_fortnight(struct period *, enum fortnight_parity);

/*
 * First and last day (inclusive) of any period. A quarter, tertial or
 * year covers the days of its weeks: Monday of its first week (the first
 * whose Thursday falls in it) to Sunday of its last, so 2026-Q4 runs
 * 2026-09-28 to 2027-01-03 and "2026" is the ISO week-year.
 *
 * The parity is not in struct period, so for a fortnight
 * period_last_day() assumes the parity of its first week's number. That
 * is exact for every fortnight but one: under PARITY_EVEN, week 1 after a
 * 53-week year (2027-W01) is a one-week fortnight, while under PARITY_ODD
 * the fortnight of that name has two weeks. Code that knows the parity
 * calls period_last_day_parity().
 */
long period_first_day(const struct period *);
long period_last_day(const struct period *);
long period_last_day_parity(const struct period *, enum fortnight_parity);

/* The reporting period just before / after p (same kind, same parity). */
void period_prev(
    const struct period *p, enum fortnight_parity, struct period *out);
void period_next(
    const struct period *p, enum fortnight_parity, struct period *out);

/* Compare: <0, 0, >0 by first day, then kind. */
int period_cmp(const struct period *, const struct period *);

/*
 * The analysis period (quarter, tertial or year, per `kind`) that a
 * week belongs to by the Thursday rule. A fortnight counts as its first
 * week. For any other `kind`, out is a copy of the week.
 */
void period_container(
    const struct period *week, enum period_kind kind, struct period *out);

/*
 * Describe a reporting period in words: "vecka 47, 16–22 november" (sv)
 * or "week 47, 16–22 November" (en); "vecka 47–48, 16–29 november" for a
 * fortnight; months named at both ends when they differ
 * ("30 december – 5 januari"). `lang` is "sv" or "en" (anything else
 * gives Swedish). Analysis periods read "kvartal 3 2026 (vecka 27–39)",
 * "tertial 2 2026 (vecka 19–35)", "år 2026" and in English
 * "quarter 3 2026 (weeks 27–39)", "year 2026". Writes at most `size`
 * bytes including the NUL.
 */
void period_describe(
    const struct period *, const char *lang, char *buf, unsigned long size);
/* As period_describe(), exact for fortnights (see period_last_day()). */
void period_describe_parity(const struct period *, enum fortnight_parity,
    const char *lang, char *buf, unsigned long size);

#endif
