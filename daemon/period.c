/*
 * period: civil dates, ISO 8601 week dates and the periods of EST built
 * on them (see period.h).
 *
 * Everything is integer arithmetic on days since 1970-01-01, so nothing
 * depends on TZ, the C library's calendar or the host's clock. The civil
 * conversions are Howard Hinnant's days_from_civil / civil_from_days,
 * exact for the whole proleptic Gregorian calendar.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "period.h"

#define EN_DASH "\u2013"

struct week {
	int year;
	int num;
};

static const char *const months_sv[12] = {
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
};

static const char *const months_en[12] = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
};

long
period_days_from_civil(int year, int month, int day)
{
	long y = (long)year - (month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy, doe;

	doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
period_civil_from_days(long days, struct civil *c)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe, doy, mp;

	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(yoe + era * 400 + (c->month <= 2));
}

int
period_weekday(long days)
{
	long r = days % 7;

	if (r < 0)
		r += 7;
	/* 1970-01-01 was a Thursday, ISO day 4. */
	return (int)((r + 3) % 7 + 1);
}

/* Monday of week 1 of ISO year `year`: the week that holds 4 January. */
static long
week1_monday(int year)
{
	long jan4 = period_days_from_civil(year, 1, 4);

	return jan4 - (period_weekday(jan4) - 1);
}

int
period_weeks_in_year(int year)
{
	return (int)((week1_monday(year + 1) - week1_monday(year)) / 7);
}

static long
week_monday(const struct week *w)
{
	return week1_monday(w->year) + 7L * (w->num - 1);
}

static void
week_of(long days, struct week *w)
{
	long thursday = days - period_weekday(days) + 4;
	struct civil c;

	period_civil_from_days(thursday, &c);
	w->year = c.year;
	w->num =
	    (int)((thursday - period_days_from_civil(c.year, 1, 1)) / 7 + 1);
}

static void
week_next(struct week *w)
{
	if (w->num < period_weeks_in_year(w->year))
		w->num++;
	else {
		w->year++;
		w->num = 1;
	}
}

static void
week_prev(struct week *w)
{
	if (w->num > 1)
		w->num--;
	else {
		w->year--;
		w->num = period_weeks_in_year(w->year);
	}
}

static bool
week_exists(int year, int num)
{
	return num >= 1 && num <= period_weeks_in_year(year);
}

static bool
has_parity(int num, enum fortnight_parity parity)
{
	return (num % 2 == 1) == (parity == PARITY_ODD);
}

/* The rule of period.h: parity P, or a predecessor that lacks it too. */
static bool
starts_fortnight(const struct week *w, enum fortnight_parity parity)
{
	struct week before = *w;

	if (has_parity(w->num, parity))
		return true;
	week_prev(&before);
	return !has_parity(before.num, parity);
}

/* 1 or 2: the weeks of the fortnight that starts with w. */
static int
fortnight_weeks(const struct week *w, enum fortnight_parity parity)
{
	struct week after = *w;

	week_next(&after);
	return starts_fortnight(&after, parity) ? 1 : 2;
}

/* The parity a fortnight starting with week `num` has in all but one case. */
static enum fortnight_parity
implied_parity(int num)
{
	return num % 2 == 1 ? PARITY_ODD : PARITY_EVEN;
}

/* Month (1-12) of the first month of quarter/tertial n, or of the year. */
static int
first_month(enum period_kind kind, int num)
{
	switch (kind) {
	case PERIOD_QUARTER: return 3 * (num - 1) + 1;
	case PERIOD_TERTIAL: return 4 * (num - 1) + 1;
	default: return 1;
	}
}

/*
 * Monday of the week holding the first Thursday of the month: the first
 * week of a quarter, tertial or year that starts with that month.
 */
static long
first_monday_from(int year, int month)
{
	long d;

	/* Month 13 is January of the next year. */
	if (month > 12) {
		year++;
		month -= 12;
	}
	d = period_days_from_civil(year, month, 1);
	d += (4 - period_weekday(d) + 7) % 7;
	return d - 3;
}

static int
span_months(enum period_kind kind)
{
	switch (kind) {
	case PERIOD_QUARTER: return 3;
	case PERIOD_TERTIAL: return 4;
	default: return 12;
	}
}

long
period_first_day(const struct period *p)
{
	struct week w;

	switch (p->kind) {
	case PERIOD_WEEK:
	case PERIOD_FORTNIGHT:
		w.year = p->year;
		w.num = p->num;
		return week_monday(&w);
	case PERIOD_QUARTER:
	case PERIOD_TERTIAL:
	case PERIOD_YEAR: break;
	}
	return first_monday_from(p->year, first_month(p->kind, p->num));
}

long
period_last_day_parity(const struct period *p, enum fortnight_parity parity)
{
	struct week w;

	switch (p->kind) {
	case PERIOD_WEEK:
		w.year = p->year;
		w.num = p->num;
		return week_monday(&w) + 6;
	case PERIOD_FORTNIGHT:
		w.year = p->year;
		w.num = p->num;
		return week_monday(&w) + 7L * fortnight_weeks(&w, parity) - 1;
	case PERIOD_QUARTER:
	case PERIOD_TERTIAL:
	case PERIOD_YEAR: break;
	}
	/* The day before the first week of the span that follows. */
	return first_monday_from(p->year,
		   first_month(p->kind, p->num) + span_months(p->kind)) -
	    1;
}

long
period_last_day(const struct period *p)
{
	return period_last_day_parity(p, implied_parity(p->num));
}

/* Exactly n ASCII digits at s; their value in *out. */
static bool
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int
period_parse(const char *label, struct period *p)
{
	int year, num;

	if (label == NULL || !digits(label, 4, &year) || year < 1)
		return -1;
	if (label[4] == '\0') {
		p->kind = PERIOD_YEAR;
		p->year = year;
		p->num = 0;
		return 0;
	}
	if (label[4] != '-')
		return -1;
	switch (label[5]) {
	case 'W':
		if (!digits(label + 6, 2, &num) || label[8] != '\0' ||
		    !week_exists(year, num))
			return -1;
		p->kind = PERIOD_WEEK;
		break;
	case 'Q':
		if (!digits(label + 6, 1, &num) || label[7] != '\0' ||
		    num < 1 || num > 4)
			return -1;
		p->kind = PERIOD_QUARTER;
		break;
	case 'T':
		if (!digits(label + 6, 1, &num) || label[7] != '\0' ||
		    num < 1 || num > 3)
			return -1;
		p->kind = PERIOD_TERTIAL;
		break;
	default: return -1;
	}
	p->year = year;
	p->num = num;
	return 0;
}

void
period_format(const struct period *p, char *buf)
{
	switch (p->kind) {
	case PERIOD_WEEK:
	case PERIOD_FORTNIGHT:
		snprintf(buf, PERIOD_LABEL_MAX, "%04d-W%02d", p->year, p->num);
		break;
	case PERIOD_QUARTER:
		snprintf(buf, PERIOD_LABEL_MAX, "%04d-Q%d", p->year, p->num);
		break;
	case PERIOD_TERTIAL:
		snprintf(buf, PERIOD_LABEL_MAX, "%04d-T%d", p->year, p->num);
		break;
	case PERIOD_YEAR:
		snprintf(buf, PERIOD_LABEL_MAX, "%04d", p->year);
		break;
	}
}

void
period_week_of_day(long days, struct period *out)
{
	struct week w;

	week_of(days, &w);
	out->kind = PERIOD_WEEK;
	out->year = w.year;
	out->num = w.num;
}

void
period_of_day(long days, bool fortnightly, enum fortnight_parity parity,
    struct period *out)
{
	struct week w;

	week_of(days, &w);
	if (fortnightly) {
		if (!starts_fortnight(&w, parity))
			week_prev(&w);
		out->kind = PERIOD_FORTNIGHT;
	} else
		out->kind = PERIOD_WEEK;
	out->year = w.year;
	out->num = w.num;
}

int
period_as_fortnight(struct period *p, enum fortnight_parity parity)
{
	struct week w;

	if (p->kind != PERIOD_WEEK && p->kind != PERIOD_FORTNIGHT)
		return -1;
	if (!week_exists(p->year, p->num))
		return -1;
	w.year = p->year;
	w.num = p->num;
	if (!starts_fortnight(&w, parity))
		return -1;
	p->kind = PERIOD_FORTNIGHT;
	return 0;
}

/* Step an analysis period by one: `per` of them make a year. */
static void
step_span(const struct period *p, int per, int dir, struct period *out)
{
	*out = *p;
	out->num += dir;
	if (out->num < 1) {
		out->year--;
		out->num = per;
	} else if (out->num > per) {
		out->year++;
		out->num = 1;
	}
}

void
period_prev(
    const struct period *p, enum fortnight_parity parity, struct period *out)
{
	struct week w;

	switch (p->kind) {
	case PERIOD_WEEK:
	case PERIOD_FORTNIGHT:
		w.year = p->year;
		w.num = p->num;
		week_prev(&w);
		if (p->kind == PERIOD_FORTNIGHT &&
		    !starts_fortnight(&w, parity))
			week_prev(&w);
		out->kind = p->kind;
		out->year = w.year;
		out->num = w.num;
		break;
	case PERIOD_QUARTER: step_span(p, 4, -1, out); break;
	case PERIOD_TERTIAL: step_span(p, 3, -1, out); break;
	case PERIOD_YEAR:
		*out = *p;
		out->year--;
		break;
	}
}

void
period_next(
    const struct period *p, enum fortnight_parity parity, struct period *out)
{
	struct week w;
	int n;

	switch (p->kind) {
	case PERIOD_WEEK:
	case PERIOD_FORTNIGHT:
		w.year = p->year;
		w.num = p->num;
		n = p->kind == PERIOD_FORTNIGHT ? fortnight_weeks(&w, parity)
						: 1;
		while (n-- > 0)
			week_next(&w);
		out->kind = p->kind;
		out->year = w.year;
		out->num = w.num;
		break;
	case PERIOD_QUARTER: step_span(p, 4, 1, out); break;
	case PERIOD_TERTIAL: step_span(p, 3, 1, out); break;
	case PERIOD_YEAR:
		*out = *p;
		out->year++;
		break;
	}
}

int
period_cmp(const struct period *a, const struct period *b)
{
	long da = period_first_day(a), db = period_first_day(b);

	if (da != db)
		return da < db ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return 0;
}

void
period_container(
    const struct period *week, enum period_kind kind, struct period *out)
{
	struct week w;
	struct civil thu;

	w.year = week->year;
	w.num = week->num;
	period_civil_from_days(week_monday(&w) + 3, &thu);
	out->kind = kind;
	out->year = thu.year;
	switch (kind) {
	case PERIOD_QUARTER: out->num = (thu.month - 1) / 3 + 1; break;
	case PERIOD_TERTIAL: out->num = (thu.month - 1) / 4 + 1; break;
	case PERIOD_YEAR: out->num = 0; break;
	case PERIOD_WEEK:
	case PERIOD_FORTNIGHT: *out = *week; break;
	}
}

/*
 * snprintf cuts bytes; when it has cut a description short, drop a
 * partial UTF-8 sequence at the end so the text stays valid UTF-8.
 */
static void
trim_utf8(char *buf, unsigned long size, int n)
{
	unsigned long len, i;
	unsigned char lead;
	unsigned long need;

	if (n < 0 || (unsigned long)n < size)
		return;
	len = size - 1;
	i = len;
	while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)buf[i - 1];
	if ((lead & 0x80) == 0)
		return;
	if ((lead & 0xe0) == 0xc0)
		need = 2;
	else if ((lead & 0xf0) == 0xe0)
		need = 3;
	else
		need = 4;
	if (len - (i - 1) < need)
		buf[i - 1] = '\0';
}

/*
 * "16–22 november", or "29 december – 4 januari" across months. The year
 * is left out: the week number and the context say which one it is.
 */
static void
describe_days(long first, long last, const char *const *months, char *buf,
    unsigned long size)
{
	struct civil a, b;

	period_civil_from_days(first, &a);
	period_civil_from_days(last, &b);
	if (a.month == b.month && a.year == b.year)
		snprintf(buf, size, "%d" EN_DASH "%d %s", a.day, b.day,
		    months[b.month - 1]);
	else
		snprintf(buf, size, "%d %s " EN_DASH " %d %s", a.day,
		    months[a.month - 1], b.day, months[b.month - 1]);
}

void
period_describe_parity(const struct period *p, enum fortnight_parity parity,
    const char *lang, char *buf, unsigned long size)
{
	bool en = lang != NULL && strcmp(lang, "en") == 0;
	const char *const *months = en ? months_en : months_sv;
	char days[64];
	long first, last;
	struct week a, b;
	const char *what;
	int n;

	if (size == 0)
		return;
	first = period_first_day(p);
	last = period_last_day_parity(p, parity);
	week_of(first, &a);
	week_of(last, &b);

	switch (p->kind) {
	case PERIOD_WEEK:
	case PERIOD_FORTNIGHT:
		describe_days(first, last, months, days, sizeof(days));
		if (a.num == b.num && a.year == b.year)
			n = snprintf(buf, size, "%s %d, %s",
			    en ? "week" : "vecka", a.num, days);
		else
			n = snprintf(buf, size, "%s %d" EN_DASH "%d, %s",
			    en ? "weeks" : "vecka", a.num, b.num, days);
		break;
	case PERIOD_QUARTER:
	case PERIOD_TERTIAL:
		what = p->kind == PERIOD_TERTIAL ? "tertial"
		    : en                         ? "quarter"
						 : "kvartal";
		n = snprintf(buf, size, "%s %d %d (%s %d" EN_DASH "%d)", what,
		    p->num, p->year, en ? "weeks" : "vecka", a.num, b.num);
		break;
	case PERIOD_YEAR:
	default:
		n = snprintf(buf, size, "%s %d", en ? "year" : "år", p->year);
		break;
	}
	trim_utf8(buf, size, n);
}

void
period_describe(
    const struct period *p, const char *lang, char *buf, unsigned long size)
{
	period_describe_parity(p, implied_parity(p->num), lang, buf, size);
}
