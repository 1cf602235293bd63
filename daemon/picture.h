/*
 * picture: the joint situational picture (gemensam lägesbild) of one
 * period, compiled from the reports and rendered as JSON (contract §6),
 * plain Swedish text (terminal, mail) and an HTML fragment (web, mail).
 * Pure: no I/O, no SQL, no clock, no globals.
 *
 * Per area and indicator: score = highest rating reported, mean = mean
 * of the assessed ratings (2 decimals), reports = reports that assessed
 * it, events = sum of the counts given (null when no report gave one),
 * level from the score (0-1 green, 2 yellow, 3 red, none grey), trend
 * against the previous period's score, flagged when an open flag names
 * the pair. A rating left empty is not assessed: it never counts as 0.
 * A report of "inget att rapportera" counts 0 for every indicator it
 * leaves empty. An area's status is its worst level, unless a key
 * function has set the joint assessment on the picture.
 *
 * Coverage: expected reporters are the active people with the reporter
 * role assigned to the area or to all areas; reporters_reported counts
 * those of them with a report for the area in the period (imported
 * reports of unknown reporters, and reports of people no longer
 * expected, are in the figures but not in the coverage).
 *
 * Only what is passed in is shown: the caller narrows the areas to the
 * reader's. Reports, flags and statuses of other areas are ignored.
 * Areas are ordered red, yellow, green, grey, then by name in Swedish
 * order (å, ä, ö after z).
 *
 * Police event notices (optional): the counts by type of the period's
 * notices for the configured municipalities or counties, with the
 * caveat that their positions are municipality or county centres. They
 * belong to no area and are shown beside the areas, never in one.
 *
 * The names and e-mail addresses of reporters who have not reported
 * appear only when a rendering is asked for them (with_missing), which
 * is for key functions inside the organisation and nothing sent outside.
 *
 * Callers: estctl picture, the picture API handler, digest, jobs.
 */
#ifndef ESTD_PICTURE_H
#define ESTD_PICTURE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "flags.h"
#include "police.h"
#include "store.h"

/*
 * jansson writes reals with 17 digits (1.67 as 1.6699999999999999, the
 * same number); dump picture JSON with these flags to print "1.67".
 */
#define PICTURE_JSON_REAL JSON_REAL_PRECISION(15)

/* In order of severity: the worst level is the largest. */
enum picture_level {
	PICTURE_GREY, /* nobody assessed */
	PICTURE_GREEN,
	PICTURE_YELLOW,
	PICTURE_RED,
};

/*
 * The joint assessment a key function set on an area's picture. A later
 * entry for the same area wins; PICTURE_GREY is not an assessment and
 * is ignored. Strings borrowed; comment and set_by may be NULL.
 */
struct picture_status {
	const char *area; /* slug */
	enum picture_level level;
	const char *comment;
	const char *set_by; /* who set it, as shown */
};

/*
 * A flag of one (area, indicator) pair from the flags module: an open
 * one (episode.closed empty) marks the indicator flagged; a closed one
 * is only listed. Strings borrowed.
 */
struct picture_flag {
	const char *area; /* slug */
	const char *indicator; /* checklist key */
	struct flags_episode episode;
};

/*
 * The police's notices of the period (police_count over the notices
 * dated in it). Borrowed.
 */
struct picture_police {
	char *const *locations;
	size_t n_locations;
	const struct police_count *counts;
	size_t n_counts;
	long total;
};

/*
 * Everything a picture is compiled from. All borrowed: the picture
 * copies what it keeps, so the input may be freed once it is compiled.
 * reports and previous are the latest revisions of this period's and
 * the previous period's reports, as store_report_list gives them, with
 * ratings in the order of `checklist`.
 */
struct picture_input {
	const char *label; /* "2026-W47" */
	const char *start; /* "2026-11-16" */
	const char *end; /* "2026-11-22" */
	const struct checklist *checklist;
	const struct area *areas;
	size_t n_areas;
	const struct stored_report *reports;
	size_t n_reports;
	const struct stored_report *previous;
	size_t n_previous;
	const struct person *people;
	size_t n_people;
	const struct picture_flag *flags;
	size_t n_flags;
	const struct picture_status *statuses;
	size_t n_statuses;
	const struct picture_police *police; /* NULL: not fetched */
};

struct picture;

/* A new picture (picture_free); never NULL. */
struct picture *picture_compile(const struct picture_input *);
void picture_free(struct picture *);

/*
 * The picture as contract §6 JSON: a new reference. Members beyond the
 * contract: per area "missing" [{name, email}] (only with_missing), and
 * when a key function set the status "status_set_by", "assessment" and
 * "status_computed"; per flag "reason_en" and, once closed, "closed";
 * with police notices "police_events" {locations, total, types [{type,
 * count}], note, note_en}.
 */
json_t *picture_to_json(const struct picture *, bool with_missing);
/* Plain Swedish text, UTF-8, "\n" line ends. New string (free(3)). */
char *picture_to_text(const struct picture *, bool with_missing);
/*
 * An HTML fragment (a <div class="picture">, every text escaped, class
 * names for styling). New string (free(3)).
 */
char *picture_to_html(const struct picture *, bool with_missing);

/* "green", "yellow", "red", "grey", and back (0, or -1 if unknown). */
const char *picture_level_name(enum picture_level);
int picture_level_parse(const char *, enum picture_level *);

/*
 * The level of a score (a rating, or RATING_NONE for nobody assessed):
 * 0-1 green, 2 yellow, 3 red, none grey. Also the analysis' rule.
 */
enum picture_level picture_score_level(int);

/*
 * strcmp(3)-like order of two UTF-8 names in Swedish: case folded, å ä
 * ö after z (æ with ä, ø with ö), é and è with e, ü with y, other
 * non-ASCII letters after those by code point; names that weigh the
 * same fall back to byte order. Used for areas here and in analysis.
 */
int picture_name_cmp(const char *, const char *);

#endif
