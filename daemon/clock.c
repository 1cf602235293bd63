/*
 * clock: "now" and local time for the daemon (see clock.h).
 *
 * DESIGN: clock_init() runs once in main() before any thread starts. It
 * sets TZ for the whole process and stores the ESTD_NOW shift in
 * clock_offset; afterwards both are only read, and localtime_r() is
 * thread-safe, so every function here may be called from any thread.
 *
 * Local civil time to instant (clock_local_instant) is resolved here
 * rather than left to mktime(3), whose choice in DST gaps and overlaps
 * the C standard leaves open:
 *  - a wall time that happens twice (Europe/Stockholm 2026-10-25 02:30)
 *    is the first of the two, the one still in summer time;
 *  - a wall time that never happens (2026-03-29 02:30) is read with the
 *    offset in force before the gap, so it lands as far after the gap as
 *    it was into it: 02:30 becomes 03:30 CEST, 02:00 becomes 03:00.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "period.h"
#include "xmalloc.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define DAY 86400L

/* Seconds added to the real time: ESTD_NOW minus the time at init. */
static time_t clock_offset;

/* The zone must be a compiled zone file, not a path out of the tree. */
static bool
zone_exists(const char *zone)
{
	char *path;
	struct stat sb;
	bool ok;

	if (*zone == '\0' || *zone == '/' || strstr(zone, "..") != NULL)
		return false;
	xasprintf(&path, "%s/%s", ZONEINFO, zone);
	ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	return ok;
}

int
clock_init(const char *zone, char **cause)
{
	const char *now;
	time_t start = 0;

	if (zone == NULL || !zone_exists(zone)) {
		xasprintf(cause, "unknown time zone \"%s\"",
		    zone == NULL ? "" : zone);
		return -1;
	}
	/* An empty ESTD_NOW is unset, so "ESTD_NOW= estd" runs on real time. */
	now = getenv("ESTD_NOW");
	if (now != NULL && *now != '\0' && clock_parse_iso(now, &start) == -1) {
		xasprintf(cause,
		    "ESTD_NOW \"%s\" is not a time: expected "
		    "ISO 8601 with offset, e.g. 2026-11-23T08:00:00+01:00",
		    now);
		return -1;
	}

	if (setenv("TZ", zone, 1) == -1) {
		xasprintf(cause, "cannot set time zone \"%s\"", zone);
		return -1;
	}
	tzset();
	if (now != NULL && *now != '\0')
		clock_offset = start - time(NULL);
	else
		clock_offset = 0;
	return 0;
}

time_t
clock_now(void)
{
	return time(NULL) + clock_offset;
}

/* Seconds east of UTC in the local zone at t. */
static long
gmtoff_at(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

long
clock_local_days(time_t t)
{
	struct tm tm;

	/* Only for years beyond int: count UTC days, rounding down. */
	if (localtime_r(&t, &tm) == NULL)
		return (long)(t / DAY - (t % DAY < 0));
	return period_days_from_civil(
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

time_t
clock_local_instant(long days, int hour, int minute)
{
	/* The wall time read as if it were UTC. */
	time_t wall = (time_t)days * DAY + hour * 3600L + minute * 60L;
	long before, after;
	time_t t_before, t_after;
	bool ok_before, ok_after;

	/*
	 * Zones change offset at most once in a few weeks, so the offsets a
	 * day either side are the only candidates. A candidate is right when
	 * the offset at the instant it gives is the one it assumed.
	 */
	before = gmtoff_at(wall - DAY);
	after = gmtoff_at(wall + DAY);
	t_before = wall - before;
	t_after = wall - after;
	ok_before = gmtoff_at(t_before) == before;
	ok_after = gmtoff_at(t_after) == after;

	if (ok_before && ok_after)
		return t_before < t_after ? t_before : t_after;
	if (ok_after)
		return t_after;
	/* Valid with the old offset, or in the gap: the old offset. */
	return t_before;
}

void
clock_format_iso(time_t t, char *buf, unsigned long size)
{
	struct tm tm;
	long off;
	char sign = '+';

	if (size == 0)
		return;
	if (localtime_r(&t, &tm) == NULL) {
		buf[0] = '\0';
		return;
	}
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, sign, off / 60, off % 60);
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

static int
month_days(int year, int month)
{
	static const int len[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap;

	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : len[month - 1];
}

/*
 * The RFC 3339 profile of ISO 8601, strictly: YYYY-MM-DDThh:mm:ss then
 * "Z" or "+hh:mm" / "-hh:mm". A leap second (ss = 60) is read as the
 * first second of the next minute.
 */
int
clock_parse_iso(const char *s, time_t *out)
{
	int year, month, day, hour, minute, second;
	int oh = 0, om = 0, sign = 1;
	long days;

	if (s == NULL)
		return -1;
	if (!digits(s, 4, &year) || s[4] != '-' || !digits(s + 5, 2, &month) ||
	    s[7] != '-' || !digits(s + 8, 2, &day) || s[10] != 'T' ||
	    !digits(s + 11, 2, &hour) || s[13] != ':' ||
	    !digits(s + 14, 2, &minute) || s[16] != ':' ||
	    !digits(s + 17, 2, &second))
		return -1;
	if (month < 1 || month > 12 || day < 1 ||
	    day > month_days(year, month) || hour > 23 || minute > 59 ||
	    second > 60)
		return -1;
	s += 19;
	if (s[0] == 'Z') {
		if (s[1] != '\0')
			return -1;
	} else if (s[0] == '+' || s[0] == '-') {
		sign = s[0] == '-' ? -1 : 1;
		if (!digits(s + 1, 2, &oh) || s[3] != ':' ||
		    !digits(s + 4, 2, &om) || s[6] != '\0' || oh > 23 ||
		    om > 59)
			return -1;
	} else
		return -1;

	days = period_days_from_civil(year, month, day);
	*out = (time_t)days * DAY + hour * 3600L + minute * 60L + second -
	    sign * (oh * 3600L + om * 60L);
	return 0;
}

int
clock_utc_offset(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)tm.tm_gmtoff;
}
