/*
 * report: one reporter's checklist for one area and period; validation
 * and normalisation of a submission from the form or the JSON API.
 * Pure: no I/O, no clock, no globals. Messages come in Swedish and
 * English, written for the person who must correct the input.
 *
 * Callers: HTTP handlers, submit, estctl import, store.
 */
#ifndef ESTD_REPORT_H
#define ESTD_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "period.h"

#define AREA_SLUG_MAX 40
#define PLACE_MAX 200 /* characters (code points) */
#define NOTE_MAX 4000 /* characters (code points) */
#define RATING_NONE (-1) /* not assessed: stored as absent */
#define COUNT_NONE (-1)
#define REPORT_ERRORS_MAX 16

struct report {
	char area[AREA_SLUG_MAX + 1]; /* "" until set */
	bool has_period; /* false: the current period */
	struct period period;
	int ratings[INDICATORS_MAX]; /* checklist order */
	int counts[INDICATORS_MAX];
	char *place; /* owned; NULL when empty */
	char *note; /* owned; NULL when empty */
	bool nothing; /* "inget att rapportera" */
};

struct report_error {
	char field[48]; /* "ratings.klotter", "r.klotter", "" */
	const char *sv; /* static message */
	const char *en;
};

struct report_errors {
	size_t n;
	struct report_error e[REPORT_ERRORS_MAX];
};

enum report_status {
	REPORT_OK = 0,
	REPORT_MALFORMED = -1, /* 400: not JSON, not an object, bad UTF-8 */
	REPORT_INVALID = -2, /* 422: a field is wrong; see errors */
};

/* Every rating and count unset, no text. */
void report_init(struct report *);
/* Free place and note; the struct itself belongs to the caller. */
void report_clear(struct report *);

/*
 * Decode a JSON body (contract §5). Unknown members, unknown indicators,
 * ratings outside 0-3, counts outside 0-10000, wrong types, over-long or
 * non-UTF-8 text are refused. Field names in errors use the JSON path
 * ("ratings.klotter"). On success the report is normalised as by
 * report_check. The report is initialised here and released by the
 * caller with report_clear whatever the result; errs is emptied first.
 * A MALFORMED body gets one error with an empty field.
 */
enum report_status report_from_json(const char *body, size_t len,
    const struct checklist *, struct report *, struct report_errors *);

/*
 * Take one form field (contract §5: area, period, r.KEY, n.KEY, place,
 * note, nothing, and the form's own hidden fields, which are ignored
 * when named in `ignored`, a NULL-terminated list). The value is not
 * NUL-terminated. Errors use the form's field names ("r.klotter").
 * Returns REPORT_OK or REPORT_INVALID (error appended).
 */
enum report_status report_form_field(struct report *, const struct checklist *,
    const char *name, const char *value, size_t len, const char *const *ignored,
    struct report_errors *);

/*
 * Whole-report rules after the fields are in: "nothing" sets every
 * rating to 0 and conflicts with any rating above 0; a report with no
 * rating, count, place or note and without "nothing" is refused; empty
 * text becomes NULL. `json_names` picks the field naming of errors.
 * Errors already in errs (from report_form_field) make the result
 * REPORT_INVALID, and stop an empty report from being blamed on input
 * that was refused rather than missing.
 */
enum report_status report_check(struct report *, const struct checklist *,
    bool json_names, struct report_errors *);

/*
 * The report as JSON (contract §6 member names: area, period, ratings,
 * counts, place, note, nothing), absent ratings left out. New reference.
 */
json_t *report_to_json(const struct report *, const struct checklist *);

/* 1 if s[0..len) is valid UTF-8 without NUL, else 0. */
int report_valid_utf8(const char *s, size_t len);
/* 1 if s is a valid area slug [a-z0-9-]{1,40}, else 0. */
int report_valid_slug(const char *s);
/* Append an error; beyond REPORT_ERRORS_MAX, or with errs NULL, dropped. */
void report_error_add(
    struct report_errors *, const char *field, const char *sv, const char *en);

#endif
