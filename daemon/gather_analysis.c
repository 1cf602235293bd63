/*
 * gather_analysis: see gather_analysis.h.
 *
 * DESIGN. The scores are the bulk of what an analysis reads, so only the
 * spans it compares are read: the same span last year, then the previous
 * span together with its own (the windows before a measure reach back
 * into the previous span, never further). For a quarter that is 39 of
 * the 65 weeks between last year's quarter and this one; for a year the
 * two spans touch and are read at once. Everything else is small: the
 * flags, the measures, and one query per reporting period for the joint
 * assessments.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gather.h"
#include "gather_analysis.h"
#include "xmalloc.h"

static bool
is_span(const struct period *p)
{
	return p->kind == PERIOD_QUARTER || p->kind == PERIOD_TERTIAL ||
	    p->kind == PERIOD_YEAR;
}

int
gather_analysis_period(const char *label, struct period *p)
{
	if (label == NULL || period_parse(label, p) == -1 || !is_span(p))
		return -1;
	return 0;
}

void
gather_analysis_latest(const struct conf *cf, time_t now, struct period *p)
{
	struct period cur, span;

	gather_current(cf, now, &cur);
	period_container(&cur,
	    cf->analysis == ANALYSIS_TERTIAL ? PERIOD_TERTIAL : PERIOD_QUARTER,
	    &span);
	period_prev(&span, cf->fortnight_start, p);
}

bool
gather_analysis_begun(time_t now, const struct period *p)
{
	return period_first_day(p) <= clock_local_days(now);
}

/*
 * Append the scores of [from, to] to *rows (a realloc'd array of *n).
 * Returns 0 or -1.
 */
static int
read_scores(struct store *s, const struct period *from, const struct period *to,
    struct score_row **rows, size_t *n)
{
	struct score_row *more = NULL;
	size_t n_more = 0;

	if (store_scores(s, from, to, &more, &n_more) == -1)
		return -1;
	if (*rows == NULL) {
		*rows = more;
		*n = n_more;
		return 0;
	}
	*rows = xreallocarray(*rows, *n + n_more + 1, sizeof(**rows));
	memcpy(*rows + *n, more, n_more * sizeof(*more));
	*n += n_more;
	free(more);
	return 0;
}

/* The scores the analysis of in->period compares (see DESIGN). */
static int
span_scores(struct store *s, const struct analysis_input *in,
    struct score_row **rows, size_t *n)
{
	struct period list[ANALYSIS_PERIODS_MAX], ly, prev;
	struct period ly_first, ly_last, prev_first, last, after_ly;
	size_t k;

	*rows = NULL;
	*n = 0;
	ly = in->period;
	ly.year--;
	period_prev(&in->period, in->parity, &prev);
	if ((k = analysis_periods(&ly, in->fortnightly, in->parity, list)) == 0)
		return -1;
	ly_first = list[0];
	ly_last = list[k - 1];
	if ((k = analysis_periods(&prev, in->fortnightly, in->parity, list)) ==
	    0)
		return -1;
	prev_first = list[0];
	if ((k = analysis_periods(
		 &in->period, in->fortnightly, in->parity, list)) == 0)
		return -1;
	last = list[k - 1];
	period_next(&ly_last, in->parity, &after_ly);
	if (period_first_day(&after_ly) >= period_first_day(&prev_first))
		return read_scores(s, &ly_first, &last, rows, n);
	if (read_scores(s, &ly_first, &ly_last, rows, n) == -1 ||
	    read_scores(s, &prev_first, &last, rows, n) == -1) {
		free(*rows);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/*
 * The joint assessments of the span's reporting periods, in one new
 * array (store_assessments_free). Returns 0 or -1.
 */
static int
span_assessments(struct store *s, const struct period *list, size_t n_list,
    struct assessment **out, size_t *n)
{
	struct assessment *one = NULL;
	size_t n_one = 0, i;

	*out = NULL;
	*n = 0;
	for (i = 0; i < n_list; i++) {
		if (store_assessment_list(s, &list[i], &one, &n_one) == -1) {
			store_assessments_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		if (n_one > 0) {
			*out =
			    xreallocarray(*out, *n + n_one + 1, sizeof(**out));
			/* The strings move with the structs. */
			memcpy(*out + *n, one, n_one * sizeof(*one));
			*n += n_one;
		}
		free(one);
		one = NULL;
	}
	return 0;
}

/*
 * 1 if a score lies in the span's own periods; else whether any report
 * (one with only counts or a note has no score) was stored for them.
 */
static bool
span_has_reports(struct store *s, const struct conf *cf,
    const struct period *list, size_t n_list, const struct score_row *rows,
    size_t n_rows)
{
	struct stored_report *reps = NULL;
	size_t n_reps = 0, i;
	long first, last, day;

	first = period_first_day(&list[0]);
	last = period_last_day_parity(&list[n_list - 1], cf->fortnight_start);
	for (i = 0; i < n_rows; i++) {
		day = period_first_day(&rows[i].period);
		if (day >= first && day <= last)
			return true;
	}
	for (i = 0; i < n_list; i++) {
		if (store_report_list(s, &list[i], NULL, &cf->checklist, &reps,
			&n_reps) == -1)
			return true; /* let the analysis say what it can */
		store_stored_reports_free(reps, n_reps);
		if (n_reps > 0)
			return true;
	}
	return false;
}

int
gather_analysis(struct store *s, const struct conf *cf,
    const struct period *span, const struct person *reader,
    struct gathered_analysis *g, char **cause)
{
	struct analysis_input in;
	struct period list[ANALYSIS_PERIODS_MAX];
	struct area *areas = NULL;
	struct score_row *scores = NULL;
	struct flag_row *flags = NULL;
	struct assessment *assessments = NULL;
	struct measure *measures = NULL;
	size_t n_list, n_areas = 0, n_scores = 0;
	size_t n_flags = 0, n_assessments = 0;
	size_t n_measures = 0;
	const char *what = NULL;
	int rc = -1;

	memset(g, 0, sizeof(*g));
	g->period = *span;
	period_format(span, g->label);
	analysis_input_init(&in, cf, span);
	if ((n_list = analysis_periods(
		 span, in.fortnightly, in.parity, list)) == 0) {
		xasprintf(
		    cause, "%s is not a quarter, tertial or year", g->label);
		return -1;
	}

	if (gather_areas(s, reader, &areas, &n_areas) == -1)
		what = "the areas";
	else if (span_scores(s, &in, &scores, &n_scores) == -1)
		what = "the scores";
	else if (store_flag_list(s, true, &flags, &n_flags) == -1)
		what = "the flags";
	else if (span_assessments(
		     s, list, n_list, &assessments, &n_assessments) == -1)
		what = "the assessments";
	else if (store_measure_list(s, NULL, NULL, &measures, &n_measures) ==
	    -1)
		what = "the measures";
	if (what != NULL) {
		xasprintf(cause, "cannot read %s of %s", what, g->label);
		goto done;
	}

	in.areas = areas;
	in.n_areas = n_areas;
	in.scores = scores;
	in.n_scores = n_scores;
	in.flags = flags;
	in.n_flags = n_flags;
	in.assessments = assessments;
	in.n_assessments = n_assessments;
	in.measures = measures;
	in.n_measures = n_measures;
	if ((g->analysis = analysis_compile(&in, cause)) == NULL)
		goto done;
	g->any_reports =
	    span_has_reports(s, cf, list, n_list, scores, n_scores);
	rc = 0;
done:
	store_areas_free(areas, n_areas);
	free(scores);
	store_flags_free(flags, n_flags);
	store_assessments_free(assessments, n_assessments);
	store_measures_free(measures, n_measures);
	return rc;
}

void
gather_analysis_clear(struct gathered_analysis *g)
{
	analysis_free(g->analysis);
	memset(g, 0, sizeof(*g));
}

/*
 * The scores of one area over the span, read report by report: a few
 * reports a week instead of every area's ratings (see the header). Weeks
 * are read one by one over the span's days, so under a fortnightly
 * cadence a report filed under either week of a fortnight counts, as
 * store_scores has it. Into a new array (free(3)); 0 or -1.
 */
static int
area_scores(struct store *s, const struct conf *cf, const char *area,
    long first, long last, struct score_row **out, size_t *n)
{
	struct stored_report *reps = NULL;
	struct score_row *rows = NULL;
	struct period w;
	size_t n_reps = 0, n_rows = 0, i, k, j;
	long day;
	int v;

	*out = NULL;
	*n = 0;
	for (day = first; day <= last; day += 7) {
		period_week_of_day(day, &w);
		if (store_report_list(
			s, &w, area, &cf->checklist, &reps, &n_reps) == -1) {
			free(rows);
			return -1;
		}
		for (k = 0; k < cf->checklist.n && k < INDICATORS_MAX; k++) {
			v = RATING_NONE;
			for (i = 0; i < n_reps; i++)
				if (reps[i].report.ratings[k] != RATING_NONE &&
				    reps[i].report.ratings[k] > v)
					v = reps[i].report.ratings[k];
			if (v == RATING_NONE)
				continue;
			rows = xreallocarray(rows, n_rows + 1, sizeof(*rows));
			j = n_rows++;
			memset(&rows[j], 0, sizeof(rows[j]));
			snprintf(
			    rows[j].area, sizeof(rows[j].area), "%s", area);
			snprintf(rows[j].indicator, sizeof(rows[j].indicator),
			    "%s", cf->checklist.items[k].key);
			rows[j].period = w;
			rows[j].score = v;
		}
		store_stored_reports_free(reps, n_reps);
		reps = NULL;
		n_reps = 0;
	}
	*out = rows;
	*n = n_rows;
	return 0;
}

int
gather_analysis_chart(struct store *s, const struct conf *cf,
    const struct period *span, const struct person *reader, const char *area,
    const char *indicator, char **svg, char **cause)
{
	struct analysis_input in;
	struct analysis *an = NULL;
	struct period list[ANALYSIS_PERIODS_MAX];
	struct area *areas = NULL;
	struct score_row *scores = NULL;
	size_t n_list, n_areas = 0, n_scores = 0, i;
	char label[PERIOD_LABEL_MAX];
	int rc = -1;

	*svg = NULL;
	period_format(span, label);
	analysis_input_init(&in, cf, span);
	if ((n_list = analysis_periods(
		 span, in.fortnightly, in.parity, list)) == 0) {
		xasprintf(cause, "%s is not a quarter, tertial or year", label);
		return -1;
	}
	if (gather_areas(s, reader, &areas, &n_areas) == -1) {
		xasprintf(cause, "cannot read the areas");
		goto done;
	}
	for (i = 0; i < n_areas; i++)
		if (strcmp(areas[i].slug, area) == 0)
			break;
	if (i == n_areas ||
	    conf_indicator_index(&cf->checklist, indicator) == -1) {
		rc = 0;
		goto done;
	}
	if (area_scores(s, cf, area, period_first_day(&list[0]),
		period_last_day_parity(&list[n_list - 1], cf->fortnight_start),
		&scores, &n_scores) == -1) {
		xasprintf(cause, "cannot read the reports of %s", label);
		goto done;
	}
	in.areas = &areas[i];
	in.n_areas = 1;
	in.scores = scores;
	in.n_scores = n_scores;
	if ((an = analysis_compile(&in, cause)) == NULL)
		goto done;
	*svg = analysis_svg_chart(an, area, indicator);
	rc = 0;
done:
	analysis_free(an);
	store_areas_free(areas, n_areas);
	free(scores);
	return rc;
}

/* 1 if the JSON array of strings holds s. */
static bool
has_string(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_string(v) &&
	    strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/*
 * The indicators of an area worth a chart (new reference): flagged in
 * the span, or among its top indicators and elevated at least once. So
 * a page shows a handful of charts an area, not one per item that
 * touched the level once.
 */
static json_t *
chart_keys(json_t *area)
{
	json_t *keys = json_array(), *ind, *top;
	const char *key;
	size_t i;

	top = json_object_get(area, "top_indicators");
	json_array_foreach(json_object_get(area, "indicators"), i, ind)
	{
		if ((key = json_string_value(json_object_get(ind, "key"))) ==
		    NULL)
			continue;
		if (json_is_true(json_object_get(ind, "flagged")) ||
		    (has_string(top, key) &&
			json_integer_value(
			    json_object_get(ind, "periods_elevated")) > 0))
			json_array_append_new(keys, json_string(key));
	}
	return keys;
}

json_t *
gather_analysis_json(const struct gathered_analysis *g)
{
	struct analysis_area_view v;
	json_t *doc, *areas, *a, *set;
	size_t i, k;

	doc = analysis_to_json(g->analysis);
	areas = json_object_get(doc, "areas");
	/* Both are in rank order. */
	for (i = 0; (a = json_array_get(areas, i)) != NULL &&
	     analysis_area_view(g->analysis, i, &v) == 0;
	     i++) {
		set = json_array();
		for (k = 0; k < v.n_periods; k++)
			json_array_append_new(
			    set, json_boolean(v.statuses_set[k]));
		json_object_set_new(a, "statuses_set", set);
		json_object_set_new(a, "charts", chart_keys(a));
	}
	return doc;
}
