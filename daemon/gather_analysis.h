/*
 * gather_analysis: the analysis of a quarter, tertial or year as one
 * reader may see it, read from the store and compiled (analysis.h). It
 * reads the areas, the scores of the three spans the analysis compares
 * (its own, the previous one and the same one last year), every flag,
 * the joint assessments of its reporting periods and the measures,
 * narrows the areas to the reader's (gather.h says whose) and calls
 * analysis_compile. Only reads: it runs on any store connection.
 *
 * Reporting coverage is not read (the analysis shows "coverage": null):
 * it would mean reading every report of up to 53 periods.
 *
 * Callers: estctl analysis, the analysis pages and API, jobs (the
 * analysis mail).
 */
#ifndef ESTD_GATHER_ANALYSIS_H
#define ESTD_GATHER_ANALYSIS_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "analysis.h"
#include "conf.h"
#include "period.h"
#include "store.h"

/* A compiled analysis and what was read for it; gather_analysis_clear. */
struct gathered_analysis {
	struct period period;
	char label[PERIOD_LABEL_MAX]; /* "2026-Q3" */
	struct analysis *analysis;
	bool any_reports; /* some report in the span itself */
};

/*
 * A quarter, tertial or year from its label ("2026-Q3", "2026-T2",
 * "2026"). Returns 0, or -1 for anything else.
 */
int gather_analysis_period(const char *label, struct period *);
/*
 * The latest analysis period closed at `now`, of the kind the
 * configuration mails ([periods] analysis): the one before the quarter
 * or tertial that holds the current reporting period.
 */
void gather_analysis_latest(const struct conf *, time_t now, struct period *);
/* 1 if the span has begun at `now` (its first day is today or before). */
bool gather_analysis_begun(time_t now, const struct period *);
/*
 * Gather and compile the analysis of `span` for `reader` (NULL: every
 * area) into *out, which the caller releases with gather_analysis_clear
 * whatever the result. Returns 0, or -1 with *cause (caller frees) when
 * the span is not a quarter, tertial or year or the database does not
 * answer.
 */
int gather_analysis(struct store *, const struct conf *,
    const struct period *span, const struct person *reader,
    struct gathered_analysis *out, char **cause);
void gather_analysis_clear(struct gathered_analysis *);
/*
 * The analysis as JSON (analysis_to_json) plus, per area,
 * "statuses_set": one boolean per period, true where a key function set
 * the status, and "charts": the keys of the indicators the page draws a
 * chart of (flagged in the span, or among the area's top indicators and
 * elevated at least once), in checklist order. A new reference; dump it
 * with ANALYSIS_JSON_REAL.
 */
json_t *gather_analysis_json(const struct gathered_analysis *);

/*
 * The chart of one indicator of one area over the span
 * (analysis_svg_chart), compiled from that area's reports of the span
 * alone: the chart shows nothing else, and a page with dozens of charts
 * must not read every area's scores once for each. Returns 0 with
 * *svg a new string (free(3)), or NULL when the area is not the
 * reader's or the indicator not in the checklist; -1 with *cause
 * (caller frees) when the database does not answer.
 */
int gather_analysis_chart(struct store *, const struct conf *,
    const struct period *span, const struct person *reader, const char *area,
    const char *indicator, char **svg, char **cause);

#endif
