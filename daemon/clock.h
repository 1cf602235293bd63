/*
 * clock: the daemon's notion of "now", and local time.
 *
 * If ESTD_NOW is set (ISO 8601 with offset, "2026-11-23T08:00:00+01:00")
 * the clock starts at that instant when clock_init() runs and advances
 * with real time from there. Local time is the configured time zone:
 * clock_init() sets TZ for the process once, before any thread starts.
 *
 * Callers: orchestrators (main, estctl, sched) and HTTP handlers.
 */
#ifndef ESTD_CLOCK_H
#define ESTD_CLOCK_H

#include <time.h>

/*
 * Set the zone (a file under /usr/share/zoneinfo) and read ESTD_NOW
 * (empty counts as unset). Returns 0, or -1 with *cause (owned by the
 * caller) when the zone is unknown or ESTD_NOW is malformed; on failure
 * the zone and clock stay as they were.
 */
int clock_init(const char *timezone, char **cause);
/* Seconds since the epoch, ESTD_NOW-shifted. Thread-safe. */
time_t clock_now(void);
/* Days since 1970-01-01 of the local civil date at t. */
long clock_local_days(time_t t);
/*
 * The instant of local civil time (days, hour, minute), DST-correct. A
 * time that happens twice (autumn) gives the first; a time in the spring
 * gap is read with the offset before the gap, so Stockholm's 2026-03-29
 * 02:30 gives 03:30 CEST.
 */
time_t clock_local_instant(long days, int hour, int minute);
/* Format t as ISO 8601 with local offset: 2026-11-20T14:03:11+01:00. */
void clock_format_iso(time_t t, char *buf, unsigned long size);
/*
 * Parse ISO 8601 with offset ("Z" or "+hh:mm"); returns 0 or -1.
 */
int clock_parse_iso(const char *s, time_t *out);
/* Seconds east of UTC of local time at t (3600 in Swedish winter). */
int clock_utc_offset(time_t t);

#endif
