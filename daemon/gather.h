/*
 * gather: the picture of one period as one reader may see it, read from
 * the store and compiled. Reads the areas, the period's and the previous
 * period's reports, the people (for coverage), the flags, the joint
 * assessments and the measures, narrows them to the reader's areas and
 * calls picture_compile. Only reads: it runs on any store connection,
 * a reader connection of the daemon included.
 *
 * The reader's areas: everyone's own list; all areas for a person with
 * all_areas, for the steering group and for admins (who oversee the
 * whole municipality), and for no person at all (estctl, the scheduler).
 *
 * Flags on the picture of period P are the ones open during P: opened
 * in or before P and not closed before it. One closed in P is shown as
 * closed; one closed later is shown as it stood then, open.
 *
 * Callers: HTTP handlers, estctl, the scheduler.
 */
#ifndef ESTD_GATHER_H
#define ESTD_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "conf.h"
#include "flags.h"
#include "period.h"
#include "picture.h"
#include "store.h"

/* Everything gathered for one picture; owned, released by gather_clear. */
struct gathered {
	struct period period;
	char label[PERIOD_LABEL_MAX];
	char start[16]; /* "2026-11-16" */
	char end[16]; /* "2026-11-22" */
	struct area *areas; /* the reader's, by slug */
	size_t n_areas;
	struct flag_row *flags; /* as on the picture */
	size_t n_flags;
	struct measure *measures; /* decided on this picture */
	size_t n_measures;
	struct picture *picture;
};

/* 1 if the person sees every area (all_areas, steering, admin). */
bool gather_sees_all(const struct person *);
/*
 * The reader's areas (NULL: all), in the store's order, into a new
 * array (store_areas_free). Returns 0 or -1.
 */
int gather_areas(
    struct store *, const struct person *reader, struct area **, size_t *);
/*
 * A reporting period from its label ("2026-W47"): a week, or under a
 * fortnightly cadence the first week of a fortnight. Returns 0, or -1
 * when the label is malformed or names no reporting period.
 */
int gather_period(const struct conf *, const char *label, struct period *);
/* The reporting period running at `now`. */
void gather_current(const struct conf *, time_t now, struct period *);
/*
 * The latest closed period at `now`: the one before the current. Key
 * functions meet on it after the digest of Monday morning.
 */
void gather_latest(const struct conf *, time_t now, struct period *);
/* The first and last day of a reporting period, "YYYY-MM-DD". */
void gather_dates(
    const struct conf *, const struct period *, char start[16], char end[16]);

/*
 * Gather and compile the picture of `period` for `reader` (NULL: every
 * area) into *out, which the caller releases with gather_clear whatever
 * the result. Returns 0, or -1 with *cause (caller frees) when the
 * database does not answer.
 */
int gather(struct store *, const struct conf *, const struct period *,
    const struct person *reader, struct gathered *out, char **cause);
void gather_clear(struct gathered *);

/*
 * The picture as JSON (contract §6, picture_to_json with `with_missing`)
 * plus what only the store knows: per area "measures" [{id, indicator,
 * what, place, who, follow_up, by, at}], and per flag "id" and, once
 * acknowledged, "acknowledged" {by, at, comment}. A new reference; dump
 * it with PICTURE_JSON_REAL.
 */
json_t *gather_json(const struct gathered *, bool with_missing);

/*
 * The flags of the reader's areas (NULL reader: all), open ones only
 * unless `include_closed`, into a new array (store_flags_free).
 * Returns 0 or -1.
 */
int gather_flags(struct store *, const struct person *reader,
    bool include_closed, struct flag_row **, size_t *);
/*
 * {"flags": [{id, area, indicator, opened, reason, reason_en, status,
 * closed, acknowledged}]} of `flags`: a new reference.
 */
json_t *gather_flags_json(const struct flag_row *, size_t);
/* A flag row as the flags module's episode (reasons cut to fit). */
void gather_flag_episode(const struct flag_row *, struct flags_episode *);

#endif
