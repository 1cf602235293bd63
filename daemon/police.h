/*
 * police: the police's event notices (polisen.se/api/events, est-research
 * §6) read from the API's JSON, and counted by type for a picture. Pure:
 * no I/O, no clock, no globals.
 *
 * A notice is {id, datetime, name, summary, url, type, location {name,
 * gps}}. `datetime` is local time with its offset, "2026-11-20 8:05:00
 * +01:00" (the hour may have one digit). `url` is relative to the police
 * site and is made absolute here. Types are whatever the police send:
 * no list of them is kept. Positions (gps) are the centre of the
 * municipality or county, never where something happened, so notices
 * are counted per municipality and never put in an area.
 *
 * Callers: outbound (the poller), the store (rows), gather (counts for
 * the picture), estctl police.
 */
#ifndef ESTD_POLICE_H
#define ESTD_POLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Longest texts kept; a notice with a longer one is skipped. */
#define POLICE_TYPE_MAX 100
#define POLICE_LOCATION_MAX 200
#define POLICE_NAME_MAX 1000
#define POLICE_SUMMARY_MAX 10000
#define POLICE_URL_MAX 2000

/* One notice. Strings owned (police_notice_clear); NULL where noted. */
struct police_notice {
	long long id;
	time_t at; /* datetime, as an instant */
	char *datetime; /* as the police wrote it */
	char *name; /* "20 november 08.05, Stöld, Örebro" */
	char *summary;
	char *url; /* absolute; NULL if none or unusable */
	char *type;
	char *location;
	char *gps; /* "lat,lng"; may be NULL */
	/* Kept by the store, not in the API: */
	time_t first_seen;
	time_t updated; /* last changed here */
	int revision; /* 1, then + 1 for each update */
};

/* Notices of one type among those counted. type owned. */
struct police_count {
	char *type;
	long count;
};

/*
 * Parse an answer of the API: a JSON array of notices. `site` is
 * "scheme://host" (police_site) for relative links. A notice that is
 * not well formed (no id, a datetime that does not parse, no type or
 * location, a text too long) is skipped and counted in *skipped; one
 * id given twice keeps the later datetime. Returns 0 with a new array
 * (police_notices_free), or -1 with *cause (caller frees) when the body
 * is not a JSON array.
 */
int police_parse(const char *body, size_t len, const char *site,
    struct police_notice **out, size_t *n, size_t *skipped, char **cause);
void police_notice_clear(struct police_notice *);
void police_notices_free(struct police_notice *, size_t);

/*
 * "YYYY-MM-DD H:MM:SS +HH:MM" (hour of one or two digits, seconds
 * optional, offset +HH:MM, +HHMM or Z, a T instead of the blank
 * accepted) into *out. Returns 0 or -1.
 */
int police_datetime(const char *, time_t *out);

/* "https://polisen.se" of an API address: a new string, or NULL. */
char *police_site(const char *api_url);
/*
 * A notice's link made absolute with `site`: a new string, or NULL when
 * there is none or it holds blanks, quotes, <> or control characters.
 */
char *police_absolute_url(const char *site, const char *url);

/*
 * The configured locations ("Örebro, Örebro län"; commas or semicolons)
 * as a new array of new strings (police_locations_free), trimmed.
 * Returns how many.
 */
size_t police_locations(const char *value, char ***names);
void police_locations_free(char **, size_t);
/* 1 if the location is one of them (ASCII case ignored). */
bool police_location_match(const char *location, char *const *names, size_t n);

/*
 * The request: api_url with locationname=A;B (percent-encoded) added.
 * A new string.
 */
char *police_request_url(const char *api_url, char *const *names, size_t n);

/*
 * Count the notices of the locations by type into a new array
 * (police_counts_free): most frequent first, then by type. Returns the
 * number of notices counted.
 */
long police_count(const struct police_notice *, size_t, char *const *locations,
    size_t n_locations, struct police_count **out, size_t *n_out);
void police_counts_free(struct police_count *, size_t);

#endif
