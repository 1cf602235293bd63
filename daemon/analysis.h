/*
 * analysis: the quarterly, tertial or yearly analysis (kvartalsanalys,
 * tertialanalys, årsanalys) for the steering group, compiled from the
 * period scores, flags, joint assessments and measures of a span of
 * reporting periods, and rendered as JSON (contract §6), CSV (contract
 * §7), plain data for the web page and mail, and SVG charts.
 * Pure: no I/O, no SQL, no clock, no globals.
 *
 * Periods. The analysis covers the reporting periods whose first week
 * has its Thursday in the quarter, tertial or year: weeks for a weekly
 * cadence, fortnights (named by their first week) for a fortnightly one.
 * "The previous period" is the quarter, tertial or year before; "last
 * year" the same quarter or tertial a year earlier (for a year both are
 * the year before). A score, assessment, measure or flag is placed in
 * the reporting period that holds the first day of the period it names,
 * so a week label given under a fortnightly cadence counts for its
 * fortnight.
 *
 * Figures per area and indicator, from the scores (the highest rating
 * of the pair in a period; a period nobody assessed has no score, never
 * 0):
 *
 *   mean_score        mean of the scores of the periods that have one,
 *                     2 decimals; null when no period has one
 *   periods_elevated  periods whose score is >= [flags] level; null when
 *                     no period has a score
 *   periods_assessed  periods that have a score
 *   previous_..., last_year_...   the same two for the previous period
 *                     and for the same period last year; null there when
 *                     that span has no score for the pair
 *   trend             least-squares slope of score against the period's
 *                     position (0, 1, 2, ...) over the assessed periods
 *                     of the analysis, in rating steps per period, 2
 *                     decimals; null with fewer than 2 assessed periods
 *   flagged           a flag of the pair was open at some time in the
 *                     analysis (opened in or before its last period, and
 *                     still open or closed in or after its first)
 *
 * Status of an area in a period: the joint assessment a key function set
 * for it, else the worst level of the period's scores (0-1 green, 2
 * yellow, 3 red, no score grey). An assessment of grey is no assessment.
 *
 * Flags listed: every episode open at some time in the analysis, with
 * when it opened and closed, its reason, the key function's comment and
 * how many episodes of the same pair opened before it.
 *
 * Measures listed: those decided on the picture of a period of the
 * analysis. For each, the mean score before and after the decision of
 * its area's indicator, or, when it names none, of the area's worst
 * indicator score per period. "Before" is the period it was decided on
 * and the ANALYSIS_MEASURE_WINDOW - 1 periods before it (these may lie
 * in the previous quarter); "after" is the ANALYSIS_MEASURE_WINDOW
 * periods that follow it, cut at the end of the analysis so that the
 * figures do not change when the analysis is compiled again later. A
 * measure that names an indicator addressed the flag of that pair that
 * was open when it was decided (opened in or before that period, not
 * closed by it), if any; the analysis shows whether that flag has
 * closed since.
 *
 * Ranking by need (rank 1 = most in need). For each area
 *
 *   need = 3 x periods with status red
 *        + 1 x periods with status yellow
 *        + 4 x flags of the area still open at the end of the analysis
 *        + 2 x flags of the area opened during the analysis
 *        + (sum over its indicators of periods_elevated)
 *          / (number of indicators in the checklist)
 *
 * Higher need ranks first. Ties go to the higher mean of the area's
 * indicator mean scores (an area with no score at all after every area
 * with one), then to the name in Swedish order (å, ä, ö after z), then
 * the slug. Red weeks weigh three times yellow ones and a flag that is
 * still open weighs more than a red week, so an area with recurring red
 * periods and persisting problems ranks above one with a single bad
 * week: 6 red weeks and an open flag opened in the quarter give at
 * least 3 x 6 + 4 + 2 = 24, one red week 3 plus a fraction.
 *
 * Only what is passed in is shown: the caller narrows areas to the
 * reader's; scores, flags, assessments, measures and coverage of other
 * areas, and scores of indicators not in the checklist, are ignored.
 *
 * Callers: estctl analysis, the analyses API handler, jobs (the
 * analysis mail), the analysis web page.
 */
#ifndef ESTD_ANALYSIS_H
#define ESTD_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "period.h"
#include "picture.h"
#include "store.h"

/* Reporting periods in the longest analysis: a 53-week year. */
#define ANALYSIS_PERIODS_MAX 53
/* Periods before and after a measure that its figures compare. */
#define ANALYSIS_MEASURE_WINDOW 4
/* Dump analysis JSON with these flags to print 2.71, not 2.7099999. */
#define ANALYSIS_JSON_REAL JSON_REAL_PRECISION(15)

/*
 * Reporters expected and reported for an area in a reporting period,
 * as the picture counts them. Optional: without them the JSON shows
 * "coverage": null. area borrowed.
 */
struct analysis_coverage {
	const char *area; /* slug */
	struct period period; /* week or fortnight */
	int expected;
	int reported;
};

/*
 * Everything an analysis is compiled from; all borrowed, and copied
 * where kept, so the input may be freed once it is compiled.
 *
 * scores must cover the analysis, the previous period and the same
 * period last year: store_scores() between the two periods that
 * analysis_score_span() gives. flags: every episode (store_flag_list
 * with closed ones). assessments: those of the periods analysis_periods()
 * lists. measures: at least those decided in the analysis.
 */
struct analysis_input {
	struct period period; /* Q, T or year */
	int flag_level; /* 1-3 */
	bool fortnightly;
	enum fortnight_parity parity;
	const struct checklist *checklist;
	const struct area *areas;
	size_t n_areas;
	const struct score_row *scores;
	size_t n_scores;
	const struct flag_row *flags;
	size_t n_flags;
	const struct assessment *assessments;
	size_t n_assessments;
	const struct measure *measures;
	size_t n_measures;
	const struct analysis_coverage *coverage; /* may be NULL */
	size_t n_coverage;
};

/*
 * One area of a compiled analysis as plain data for pages and mail:
 * every pointer borrowed from the analysis and valid until
 * analysis_free().
 */
struct analysis_area_view {
	const char *area; /* slug */
	const char *name;
	int rank; /* 1 = most in need */
	double need; /* 2 decimals */
	int status_counts[PICTURE_RED + 1];
	/* by enum picture_level */
	size_t n_periods;
	const char *const *periods; /* labels */
	const enum picture_level *statuses; /* one per period */
	const bool *statuses_set; /* by a key function */
};

struct analysis;

/*
 * Zero *in and fill period, flag level, cadence, parity and checklist
 * from the configuration (both borrowed).
 */
void analysis_input_init(
    struct analysis_input *in, const struct conf *, const struct period *);

/*
 * The reporting periods of a quarter, tertial or year in order, written
 * to out; returns how many (0 for any other kind of period).
 */
size_t analysis_periods(const struct period *, bool fortnightly,
    enum fortnight_parity, struct period out[ANALYSIS_PERIODS_MAX]);

/*
 * The first and last reporting period whose scores the analysis of
 * in->period needs (from the same period last year to its own end).
 * Returns 0, or -1 if in->period is not a quarter, tertial or year.
 */
int analysis_score_span(
    const struct analysis_input *in, struct period *from, struct period *to);

/*
 * A new analysis (analysis_free), or NULL with *cause (caller frees)
 * when the period is not a quarter, tertial or year or the flag level
 * lies outside 1-3.
 */
struct analysis *analysis_compile(const struct analysis_input *, char **cause);
void analysis_free(struct analysis *);

/*
 * Contract §6 JSON: a new reference. Members beyond the contract: top
 * level "start", "end" (dates), "cadence", "level", "previous_period",
 * "last_year_period"; per area "need", "statuses" (one per period, as
 * "periods"), "coverage" ({expected, reported, periods_short} or null),
 * "top_indicators" (up to three keys, highest mean score first, mean
 * above 0); per indicator "periods_assessed", "scores" (one per period,
 * null where not assessed), "previous_periods_elevated",
 * "last_year_periods_elevated", "trend"; "flags" and "measures" as
 * described above.
 */
json_t *analysis_to_json(const struct analysis *);

/*
 * Contract §7 CSV: header, then one row per area (in rank order) and
 * indicator (checklist order); null as an empty field, decimals with a
 * dot and 2 decimals, flagged as true/false, CRLF line ends. A new
 * string (free(3)).
 */
char *analysis_to_csv(const struct analysis *);

/*
 * The areas in rank order: how many, and the i-th (0 and *out filled,
 * or -1 if i is out of range).
 */
size_t analysis_area_count(const struct analysis *);
int analysis_area_view(
    const struct analysis *, size_t i, struct analysis_area_view *out);

/*
 * An SVG line chart (320 x 140, no script) of one indicator's scores in
 * one area across the periods: axis 0-3, a dashed line at the flag
 * level, lines broken where a period was not assessed, and a <title>
 * and <desc> in Swedish that say the same in words for screen readers.
 * A new string (free(3)), or NULL if the area or indicator is not in
 * the analysis.
 */
char *analysis_svg_chart(
    const struct analysis *, const char *area, const char *indicator);

#endif
