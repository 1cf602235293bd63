/*
 * check_analysis: the quarterly, tertial and yearly analysis.
 *
 * The fixture is 2026-Q1 (weeks 1-13), weekly, flag level 2, checklist
 * skadegörelse and klotter, worked out by hand:
 *
 *   Centrum  skadegörelse 3 in W01-W06, 1 in W07 (a second row of 0 for
 *            W07 merges into the highest), none after; 2025-Q4: 2 (W50),
 *            1 (W51); 2025-Q1: 0 (W05).
 *              -> mean 19/7 = 2.71, 6 elevated, 7 assessed; previous
 *                 3/2 = 1.50, 1 elevated; last year 0.00 (not null), 0;
 *                 trend over x = 0..6, y = 3 3 3 3 3 3 1:
 *                 (7*51 - 21*19) / (7*91 - 21^2) = -42/196 = -0.21.
 *            klotter 3 (W01), 2 (W02), none (W03), 1 (W04); 2025-Q1: 3
 *            (W10), 2 (W11).
 *              -> mean 6/3 = 2.00, 2 elevated; previous null, null; last
 *                 year 2.50, 2; trend over x = 0 1 3, y = 3 2 1:
 *                 (3*5 - 4*6) / (3*10 - 16) = -9/14 = -0.64.
 *            Statuses W01-W06 red, W07 green set yellow by a key
 *            function, W08-W13 grey: red 6, yellow 1, green 0, grey 6.
 *            Flags: skadegörelse opened W03, open (and an episode of
 *            2025-W30 to W35 before it); klotter 2025-W51 closed W02.
 *              -> open at end 1, opened in the quarter 1.
 *            need = 3*6 + 1 + 4*1 + 2*1 + (6 + 2)/2 = 29.00.
 *   Åby      skadegörelse 0 every week but 3 in W05 -> 3/13 = 0.23, 1
 *            elevated, trend (13*12 - 78*3) / (13*650 - 78^2) = -78/2366
 *            = -0.03; klotter none (previous 2.00 from 2025-W45). A grey
 *            assessment of W01 is no assessment. Green 12, red 1.
 *            need = 3*1 + (1 + 0)/2 = 3.50.
 *   Åsen, Ängby  no data: need 0, no means; Swedish order puts Åsen
 *            before Ängby (bytewise Ä would come first).
 *
 * Ranks: Centrum 1, Åby 2, Åsen 3, Ängby 4.
 *
 * Measures (window 4):
 *   9  Centrum klotter, W01: before 2025-W50..2026-W01 = 3 -> 3.00 (1);
 *      after W02..W05 = 2, -, 1, - -> 1.50 (2); addressed the klotter
 *      flag open since 2025-W51, closed W02.
 *   7  Centrum skadegörelse, W04: before W01..W04 = 3.00 (4); after
 *      W05..W08 = 3, 3, 1, - -> 2.33 (3); the skadegörelse flag, open.
 *   8  Åby, no indicator, W05: worst per week W02..W05 = 0 0 0 3 ->
 *      0.75 (4); after W06..W09 -> 0.00 (4); no flag.
 *   10 Centrum, no indicator, W13: before W10..W13 nothing -> null (0);
 *      after: cut at the end of the quarter -> null (0).
 *   A measure of 2025-W50 and one of an unknown area are left out.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "conf.h"
#include "csv.h"
#include "period.h"
#include "picture.h"
#include "report.h"
#include "store.h"
#include "testutil.h"

#define MAXROWS 128

static char sv_skad[] = "Skadegörelse";
static char sv_klotter[] = "Klotter";

static struct indicator items[2] = {
    {.key = "skadegorelse", .sv = sv_skad},
    {.key = "klotter", .sv = sv_klotter},
};
static const struct checklist cl = {2, items};

static char n_aby[] = "Åby";
static char n_angby[] = "Ängby";
static char n_centrum[] = "Centrum";
static char n_asen[] = "Åsen";

static char r_rad_sv[] = "3 veckor i rad";
static char r_rad_en[] = "3 weeks in a row";
static char r_av_sv[] = "4 av 6 veckor";
static char r_av_en[] = "4 of 6 weeks";
static char ack[] = "Väktare beställda";
static char w_vakt[] = "Extra väktare";
static char w_ljus[] = "Ny belysning";
static char w_san[] = "Sanering";
static char w_vandring[] = "Trygghetsvandring";
static char w_old[] = "Gammal insats";
static char p_torget[] = "Torget";
static char o_polisen[] = "Polisen";

static struct area areas[8];
static size_t n_areas;
static struct score_row scores[MAXROWS];
static size_t n_scores;
static struct flag_row flags[16];
static size_t n_flags;
static struct assessment assessments[16];
static size_t n_assessments;
static struct measure measures[16];
static size_t n_measures;
static struct analysis_coverage coverage[16];
static size_t n_coverage;

static void
reset(void)
{
	n_areas = n_scores = n_flags = n_assessments = n_measures = 0;
	n_coverage = 0;
}

static struct period
P(const char *label) {
	struct period p;

	ck_assert_msg(period_parse(label, &p) == 0, "%s", label);
	return p;
}

static void
add_area(const char *slug, char *name)
{
	struct area *a = &areas[n_areas++];

	memset(a, 0, sizeof(*a));
	snprintf(a->slug, sizeof(a->slug), "%s", slug);
	a->name = name;
}

static void
add_score(const char *area, const char *ind, const char *week, int v)
{
	struct score_row *r;

	ck_assert_uint_lt(n_scores, MAXROWS);
	r = &scores[n_scores++];
	memset(r, 0, sizeof(*r));
	snprintf(r->area, sizeof(r->area), "%s", area);
	snprintf(r->indicator, sizeof(r->indicator), "%s", ind);
	r->period = P(week);
	r->score = v;
}

/* closed NULL: still open. */
static void
add_flag(const char *area, const char *ind, const char *opened,
    const char *closed, char *reason_sv, char *reason_en, char *comment)
{
	struct flag_row *f = &flags[n_flags++];

	memset(f, 0, sizeof(*f));
	f->id = (long long)n_flags;
	snprintf(f->area, sizeof(f->area), "%s", area);
	snprintf(f->indicator, sizeof(f->indicator), "%s", ind);
	f->opened = P(opened);
	f->open = closed == NULL;
	if (closed != NULL)
		f->closed = P(closed);
	f->reason_sv = reason_sv;
	f->reason_en = reason_en;
	f->ack_comment = comment;
}

static void
add_assessment(const char *area, const char *week, enum level l)
{
	struct assessment *a = &assessments[n_assessments++];

	memset(a, 0, sizeof(*a));
	snprintf(a->area, sizeof(a->area), "%s", area);
	a->period = P(week);
	a->status = l;
}

static void
add_measure(long long id, const char *area, const char *week, const char *ind,
    char *what, char *place, char *who, long follow_up)
{
	struct measure *m = &measures[n_measures++];

	memset(m, 0, sizeof(*m));
	m->id = id;
	snprintf(m->area, sizeof(m->area), "%s", area);
	m->period = P(week);
	snprintf(m->indicator, sizeof(m->indicator), "%s", ind);
	m->what = what;
	m->place = place;
	m->who = who;
	m->follow_up = follow_up;
}

static void
add_coverage(const char *area, const char *week, int expected, int reported)
{
	struct analysis_coverage *c = &coverage[n_coverage++];

	c->area = area;
	c->period = P(week);
	c->expected = expected;
	c->reported = reported;
}

static void
input(struct analysis_input *in, const char *label, bool fortnightly,
    enum fortnight_parity parity)
{
	memset(in, 0, sizeof(*in));
	in->period = P(label);
	in->flag_level = 2;
	in->fortnightly = fortnightly;
	in->parity = parity;
	in->checklist = &cl;
	in->areas = areas;
	in->n_areas = n_areas;
	in->scores = scores;
	in->n_scores = n_scores;
	in->flags = flags;
	in->n_flags = n_flags;
	in->assessments = assessments;
	in->n_assessments = n_assessments;
	in->measures = measures;
	in->n_measures = n_measures;
	in->coverage = n_coverage > 0 ? coverage : NULL;
	in->n_coverage = n_coverage;
}

static void
fixture(struct analysis_input *in)
{
	char w[16];
	int k;

	reset();
	add_area("aby", n_aby);
	add_area("angby", n_angby);
	add_area("centrum", n_centrum);
	add_area("asen", n_asen);

	for (k = 1; k <= 6; k++) {
		snprintf(w, sizeof(w), "2026-W%02d", k);
		add_score("centrum", "skadegorelse", w, 3);
	}
	add_score("centrum", "skadegorelse", "2026-W07", 1);
	add_score("centrum", "skadegorelse", "2026-W07", 0);
	add_score("centrum", "skadegorelse", "2025-W50", 2);
	add_score("centrum", "skadegorelse", "2025-W51", 1);
	add_score("centrum", "skadegorelse", "2025-W05", 0);
	/* After the quarter: neither in it nor in a measure's window. */
	add_score("centrum", "skadegorelse", "2026-W14", 3);
	add_score("centrum", "klotter", "2026-W01", 3);
	add_score("centrum", "klotter", "2026-W02", 2);
	add_score("centrum", "klotter", "2026-W04", 1);
	add_score("centrum", "klotter", "2025-W10", 3);
	add_score("centrum", "klotter", "2025-W11", 2);
	/* Not in the checklist, not an area shown: ignored. */
	add_score("centrum", "brand", "2026-W10", 3);
	add_score("norrby", "klotter", "2026-W10", 3);
	for (k = 1; k <= 13; k++) {
		snprintf(w, sizeof(w), "2026-W%02d", k);
		add_score("aby", "skadegorelse", w, k == 5 ? 3 : 0);
	}
	add_score("aby", "klotter", "2025-W45", 2);

	add_assessment("centrum", "2026-W07", LEVEL_YELLOW);
	add_assessment("aby", "2026-W01", LEVEL_GREY);
	add_assessment("aby", "2026-W14", LEVEL_RED);

	add_flag("centrum", "skadegorelse", "2026-W03", NULL, r_rad_sv,
	    r_rad_en, ack);
	add_flag("centrum", "klotter", "2025-W51", "2026-W02", r_av_sv, r_av_en,
	    NULL);
	add_flag("centrum", "skadegorelse", "2025-W30", "2025-W35", r_rad_sv,
	    r_rad_en, NULL);
	add_flag("aby", "klotter", "2026-W14", NULL, r_rad_sv, r_rad_en, NULL);
	add_flag(
	    "norrby", "klotter", "2026-W02", NULL, r_rad_sv, r_rad_en, NULL);

	add_measure(7, "centrum", "2026-W04", "skadegorelse", w_vakt, p_torget,
	    o_polisen, period_days_from_civil(2026, 2, 16));
	add_measure(8, "aby", "2026-W05", "", w_ljus, NULL, NULL, -1);
	add_measure(9, "centrum", "2026-W01", "klotter", w_san, NULL, NULL, -1);
	add_measure(10, "centrum", "2026-W13", "", w_vandring, NULL, NULL, -1);
	add_measure(11, "centrum", "2025-W50", "", w_old, NULL, NULL, -1);
	add_measure(12, "norrby", "2026-W02", "", w_old, NULL, NULL, -1);

	add_coverage("centrum", "2026-W01", 2, 2);
	add_coverage("centrum", "2026-W02", 2, 1);
	add_coverage("centrum", "2026-W14", 2, 0);

	input(in, "2026-Q1", false, PARITY_ODD);
}

static struct analysis *
compile_ok(const struct analysis_input *in)
{
	struct analysis *an;
	char *cause = NULL;

	an = analysis_compile(in, &cause);
	ck_assert_msg(an != NULL, "%s", cause != NULL ? cause : "");
	ck_assert_ptr_null(cause);
	return an;
}

static json_t *
compile_json(const struct analysis_input *in)
{
	struct analysis *an = compile_ok(in);
	json_t *doc = analysis_to_json(an);

	analysis_free(an);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

static json_t *
area_of(json_t *doc, const char *slug)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "areas"), i,
	    a) if (strcmp(json_string_value(json_object_get(a, "area")),
		       slug) == 0) return a;
	ck_abort_msg("no area %s", slug);
	return NULL;
}

static json_t *
ind_of(json_t *area, const char *key)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(area, "indicators"), i,
	    o) if (strcmp(json_string_value(json_object_get(o, "key")), key) ==
	    0) return o;
	ck_abort_msg("no indicator %s", key);
	return NULL;
}

static void
assert_real(json_t *o, const char *member, double want)
{
	json_t *v = json_object_get(o, member);

	ck_assert_msg(json_is_real(v), "%s is not a real", member);
	ck_assert_double_eq_tol(json_real_value(v), want, 1e-9);
}

static void
assert_int(json_t *o, const char *member, long long want)
{
	json_t *v = json_object_get(o, member);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", member);
	ck_assert_int_eq(json_integer_value(v), want);
}

static void
assert_null(json_t *o, const char *member)
{
	json_t *v = json_object_get(o, member);

	ck_assert_msg(v != NULL && json_is_null(v), "%s is not null", member);
}

static void
assert_str(json_t *o, const char *member, const char *want)
{
	json_t *v = json_object_get(o, member);

	ck_assert_msg(json_is_string(v), "%s is not a string", member);
	ck_assert_str_eq(json_string_value(v), want);
}

static void
assert_bool(json_t *o, const char *member, bool want)
{
	json_t *v = json_object_get(o, member);

	ck_assert_msg(json_is_boolean(v), "%s is not a boolean", member);
	ck_assert_int_eq(json_is_true(v), want);
}

/* The labels of a span, "W01 W02 ..." by week number only. */
static void
assert_periods(const char *span, bool fortnightly, enum fortnight_parity parity,
    int year, int first, int last, int step, size_t want_n)
{
	struct period p = P(span), out[ANALYSIS_PERIODS_MAX];
	size_t n, i;

	n = analysis_periods(&p, fortnightly, parity, out);
	ck_assert_msg(
	    n == want_n, "%s: %zu periods, want %zu", span, n, want_n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(out[i].year, year);
		ck_assert_int_eq(out[i].num, first + (int)i * step);
		ck_assert_int_eq(
		    out[i].kind, fortnightly ? PERIOD_FORTNIGHT : PERIOD_WEEK);
	}
	ck_assert_int_eq(out[n - 1].num, last);
}

START_TEST(test_periods)
{
	struct period w = P("2026-W47"), out[ANALYSIS_PERIODS_MAX];

	/* 2026-01-01 is a Thursday: W01 is in Q1; W13 holds 26 March. */
	assert_periods("2026-Q1", false, PARITY_ODD, 2026, 1, 13, 1, 13);
	/* 1 October 2026 is a Thursday (W40); 2026 has 53 weeks. */
	assert_periods("2026-Q4", false, PARITY_ODD, 2026, 40, 53, 1, 14);
	/* 2027-01-01 is a Friday (2026-W53); T1 ends with 29 April, W17. */
	assert_periods("2027-T1", false, PARITY_ODD, 2027, 1, 17, 1, 17);
	/* 1 May 2026 is a Friday: T2 runs W19 (7 May) to W35 (27 August). */
	assert_periods("2026-T2", false, PARITY_ODD, 2026, 19, 35, 1, 17);
	assert_periods("2026", false, PARITY_ODD, 2026, 1, 53, 1, 53);
	/* 2020 began on a Wednesday in a leap year: 53 weeks. */
	assert_periods("2020", false, PARITY_ODD, 2020, 1, 53, 1, 53);
	assert_periods("2025-Q4", false, PARITY_ODD, 2025, 40, 52, 1, 13);
	/* Fortnights from odd weeks: W01, W03, ..., W13 (W13-W14). */
	assert_periods("2026-Q1", true, PARITY_ODD, 2026, 1, 13, 2, 7);
	/*
	 * From even weeks: 2025-W52-2026-W01 belongs to 2025-Q4, so Q1 is
	 * W02, ..., W12 (W12-W13).
	 */
	assert_periods("2026-Q1", true, PARITY_EVEN, 2026, 2, 12, 2, 6);
	/* W52-W53 closes 2026 under even parity. */
	assert_periods("2026-Q4", true, PARITY_EVEN, 2026, 40, 52, 2, 7);

	ck_assert_uint_eq(analysis_periods(&w, false, PARITY_ODD, out), 0);
}
END_TEST

START_TEST(test_score_span)
{
	struct analysis_input in;
	struct period from, to;
	char a[PERIOD_LABEL_MAX], b[PERIOD_LABEL_MAX];

	reset();
	input(&in, "2026-Q1", false, PARITY_ODD);
	ck_assert_int_eq(analysis_score_span(&in, &from, &to), 0);
	period_format(&from, a);
	period_format(&to, b);
	ck_assert_str_eq(a, "2025-W01");
	ck_assert_str_eq(b, "2026-W13");

	input(&in, "2026", false, PARITY_ODD);
	ck_assert_int_eq(analysis_score_span(&in, &from, &to), 0);
	period_format(&from, a);
	period_format(&to, b);
	ck_assert_str_eq(a, "2025-W01");
	ck_assert_str_eq(b, "2026-W53");

	input(&in, "2027-T1", true, PARITY_EVEN);
	ck_assert_int_eq(analysis_score_span(&in, &from, &to), 0);
	ck_assert_int_eq(from.kind, PERIOD_FORTNIGHT);
	period_format(&from, a);
	period_format(&to, b);
	/* 2025-W52-2026-W01 is 2025's; 2027-W01 stands alone after W53. */
	ck_assert_str_eq(a, "2026-W02");
	ck_assert_str_eq(b, "2027-W16");

	input(&in, "2026-W10", false, PARITY_ODD);
	ck_assert_int_eq(analysis_score_span(&in, &from, &to), -1);
}
END_TEST

START_TEST(test_compile_refuses)
{
	struct analysis_input in;
	char *cause = NULL;

	reset();
	input(&in, "2026-W47", false, PARITY_ODD);
	ck_assert_ptr_null(analysis_compile(&in, &cause));
	ck_assert_str_eq(cause, "2026-W47 is not a quarter, tertial or year");
	free(cause);
	cause = NULL;

	input(&in, "2026-Q1", false, PARITY_ODD);
	in.flag_level = 4;
	ck_assert_ptr_null(analysis_compile(&in, &cause));
	ck_assert_str_eq(cause, "flag level 4 is outside 1-3");
	free(cause);
}
END_TEST

START_TEST(test_json_top)
{
	struct analysis_input in;
	json_t *doc, *periods;

	fixture(&in);
	doc = compile_json(&in);
	assert_str(doc, "period", "2026-Q1");
	assert_str(doc, "start", "2025-12-29");
	assert_str(doc, "end", "2026-03-29");
	assert_str(doc, "cadence", "weekly");
	assert_int(doc, "level", 2);
	assert_str(doc, "previous_period", "2025-Q4");
	assert_str(doc, "last_year_period", "2025-Q1");
	periods = json_object_get(doc, "periods");
	ck_assert_uint_eq(json_array_size(periods), 13);
	ck_assert_str_eq(
	    json_string_value(json_array_get(periods, 0)), "2026-W01");
	ck_assert_str_eq(
	    json_string_value(json_array_get(periods, 12)), "2026-W13");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "areas")), 4);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "flags")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "measures")), 4);
	json_decref(doc);
}
END_TEST

START_TEST(test_means_and_nulls)
{
	struct analysis_input in;
	json_t *doc, *a, *i;

	fixture(&in);
	doc = compile_json(&in);

	a = area_of(doc, "centrum");
	i = ind_of(a, "skadegorelse");
	assert_real(i, "mean_score", 2.71);
	assert_int(i, "periods_elevated", 6);
	assert_int(i, "periods_assessed", 7);
	assert_real(i, "previous_mean_score", 1.5);
	assert_int(i, "previous_periods_elevated", 1);
	/* Last year had one 0: 0.00, not null. */
	assert_real(i, "last_year_mean_score", 0.0);
	assert_int(i, "last_year_periods_elevated", 0);
	assert_bool(i, "flagged", true);

	/* 3, 2, not assessed, 1 -> 2.00. */
	i = ind_of(a, "klotter");
	assert_real(i, "mean_score", 2.0);
	assert_int(i, "periods_elevated", 2);
	assert_int(i, "periods_assessed", 3);
	assert_null(i, "previous_mean_score");
	assert_null(i, "previous_periods_elevated");
	assert_real(i, "last_year_mean_score", 2.5);
	assert_int(i, "last_year_periods_elevated", 2);
	/* Its flag closed in W02: open at some time in the quarter. */
	assert_bool(i, "flagged", true);

	a = area_of(doc, "aby");
	i = ind_of(a, "skadegorelse");
	assert_real(i, "mean_score", 0.23);
	assert_int(i, "periods_elevated", 1);
	assert_int(i, "periods_assessed", 13);
	assert_null(i, "previous_mean_score");
	assert_null(i, "last_year_mean_score");
	assert_bool(i, "flagged", false);
	/* Nothing this quarter: null, never 0. */
	i = ind_of(a, "klotter");
	assert_null(i, "mean_score");
	assert_null(i, "periods_elevated");
	assert_int(i, "periods_assessed", 0);
	assert_real(i, "previous_mean_score", 2.0);
	assert_int(i, "previous_periods_elevated", 1);
	assert_null(i, "last_year_mean_score");
	assert_null(i, "last_year_periods_elevated");
	assert_null(i, "trend");
	/* Its flag opened after the quarter. */
	assert_bool(i, "flagged", false);

	a = area_of(doc, "asen");
	i = ind_of(a, "skadegorelse");
	assert_null(i, "mean_score");
	assert_null(i, "periods_elevated");
	assert_null(i, "previous_mean_score");
	assert_null(i, "last_year_mean_score");
	assert_null(i, "trend");
	json_decref(doc);
}
END_TEST

/* The whole indicator, to see member order and how the reals print. */
START_TEST(test_json_indicator_text)
{
	struct analysis_input in;
	json_t *doc;
	char *s;

	fixture(&in);
	doc = compile_json(&in);
	s = json_dumps(ind_of(area_of(doc, "centrum"), "skadegorelse"),
	    JSON_COMPACT | ANALYSIS_JSON_REAL);
	ck_assert_str_eq(s,
	    "{\"key\":\"skadegorelse\",\"mean_score\":2.71,"
	    "\"periods_elevated\":6,\"periods_assessed\":7,"
	    "\"previous_mean_score\":1.5,\"previous_periods_elevated\":1,"
	    "\"last_year_mean_score\":0.0,\"last_year_periods_elevated\":0,"
	    "\"trend\":-0.21,\"flagged\":true,"
	    "\"scores\":[3,3,3,3,3,3,1,null,null,null,null,null,null]}");
	free(s);
	s = json_dumps(ind_of(area_of(doc, "centrum"), "klotter"),
	    JSON_COMPACT | ANALYSIS_JSON_REAL);
	ck_assert_str_eq(s,
	    "{\"key\":\"klotter\",\"mean_score\":2.0,"
	    "\"periods_elevated\":2,\"periods_assessed\":3,"
	    "\"previous_mean_score\":null,"
	    "\"previous_periods_elevated\":null,"
	    "\"last_year_mean_score\":2.5,\"last_year_periods_elevated\":2,"
	    "\"trend\":-0.64,\"flagged\":true,"
	    "\"scores\":[3,2,null,1,null,null,null,null,null,null,null,null,"
	    "null]}");
	free(s);
	json_decref(doc);
}
END_TEST

START_TEST(test_trend_fixture)
{
	struct analysis_input in;
	json_t *doc;

	fixture(&in);
	doc = compile_json(&in);
	assert_real(
	    ind_of(area_of(doc, "centrum"), "skadegorelse"), "trend", -0.21);
	assert_real(ind_of(area_of(doc, "centrum"), "klotter"), "trend", -0.64);
	assert_real(
	    ind_of(area_of(doc, "aby"), "skadegorelse"), "trend", -0.03);
	json_decref(doc);
}
END_TEST

/* One area, skadegörelse only, the given scores from 2026-W01 on. */
static json_t *
series_trend(const int *v, size_t n)
{
	struct analysis_input in;
	json_t *doc, *t;
	char w[16];
	size_t i;

	reset();
	add_area("centrum", n_centrum);
	for (i = 0; i < n; i++) {
		if (v[i] < 0)
			continue;
		snprintf(w, sizeof(w), "2026-W%02zu", i + 1);
		add_score("centrum", "skadegorelse", w, v[i]);
	}
	input(&in, "2026-Q1", false, PARITY_ODD);
	doc = compile_json(&in);
	t = json_incref(json_object_get(
	    ind_of(area_of(doc, "centrum"), "skadegorelse"), "trend"));
	json_decref(doc);
	return t;
}

START_TEST(test_trend_slope)
{
	static const int up[] = {1, 2, 3};
	static const int flat[] = {3, 3, 3};
	static const int one[] = {-1, 2};
	static const int gap[] = {3, -1, 1};
	static const int down[] = {3, 2, 1, 0};
	json_t *t;

	t = series_trend(up, 3);
	ck_assert(json_is_real(t));
	ck_assert_double_eq_tol(json_real_value(t), 1.0, 1e-9);
	json_decref(t);

	t = series_trend(flat, 3);
	ck_assert(json_is_real(t));
	ck_assert_double_eq_tol(json_real_value(t), 0.0, 1e-9);
	/* 0, not -0: prints as 0.0. */
	ck_assert(!signbit(json_real_value(t)));
	json_decref(t);

	t = series_trend(one, 2);
	ck_assert(json_is_null(t));
	json_decref(t);

	t = series_trend(NULL, 0);
	ck_assert(json_is_null(t));
	json_decref(t);

	/* x = 0, 2: (2*2 - 2*4) / (2*4 - 4) = -1. */
	t = series_trend(gap, 3);
	ck_assert_double_eq_tol(json_real_value(t), -1.0, 1e-9);
	json_decref(t);

	t = series_trend(down, 4);
	ck_assert_double_eq_tol(json_real_value(t), -1.0, 1e-9);
	json_decref(t);
}
END_TEST

START_TEST(test_statuses)
{
	struct analysis_input in;
	json_t *doc, *a, *c, *st;
	static const char *const centrum[] = {
	    "red",
	    "red",
	    "red",
	    "red",
	    "red",
	    "red",
	    "yellow",
	    "grey",
	    "grey",
	    "grey",
	    "grey",
	    "grey",
	    "grey",
	};
	size_t k;

	fixture(&in);
	doc = compile_json(&in);
	a = area_of(doc, "centrum");
	st = json_object_get(a, "statuses");
	ck_assert_uint_eq(json_array_size(st), 13);
	for (k = 0; k < 13; k++)
		ck_assert_str_eq(
		    json_string_value(json_array_get(st, k)), centrum[k]);
	c = json_object_get(a, "status_counts");
	assert_int(c, "green", 0);
	assert_int(c, "yellow", 1);
	assert_int(c, "red", 6);
	assert_int(c, "grey", 6);

	/* The grey assessment of W01 is none: W01 stays green. */
	a = area_of(doc, "aby");
	st = json_object_get(a, "statuses");
	ck_assert_str_eq(json_string_value(json_array_get(st, 0)), "green");
	ck_assert_str_eq(json_string_value(json_array_get(st, 4)), "red");
	c = json_object_get(a, "status_counts");
	assert_int(c, "green", 12);
	assert_int(c, "yellow", 0);
	assert_int(c, "red", 1);
	assert_int(c, "grey", 0);

	c = json_object_get(area_of(doc, "angby"), "status_counts");
	assert_int(c, "grey", 13);
	json_decref(doc);
}
END_TEST

/* A key function's green overrides a red week, and changes the need. */
START_TEST(test_status_override)
{
	struct analysis_input in;
	json_t *doc, *a, *c;

	reset();
	add_area("centrum", n_centrum);
	add_score("centrum", "skadegorelse", "2026-W01", 3);
	add_score("centrum", "skadegorelse", "2026-W02", 3);
	add_assessment("centrum", "2026-W01", LEVEL_GREEN);
	add_assessment("centrum", "2026-W03", LEVEL_RED);
	input(&in, "2026-Q1", false, PARITY_ODD);
	doc = compile_json(&in);
	a = area_of(doc, "centrum");
	ck_assert_str_eq(json_string_value(
			     json_array_get(json_object_get(a, "statuses"), 0)),
	    "green");
	ck_assert_str_eq(json_string_value(
			     json_array_get(json_object_get(a, "statuses"), 2)),
	    "red");
	c = json_object_get(a, "status_counts");
	assert_int(c, "green", 1);
	assert_int(c, "red", 2);
	assert_int(c, "grey", 10);
	/* 3*2 red + (2 elevated)/2 indicators = 7. */
	assert_real(a, "need", 7.0);
	json_decref(doc);
}
END_TEST

START_TEST(test_ranking)
{
	struct analysis_input in;
	json_t *doc, *ranked;
	static const char *const order[] = {
	    "centrum",
	    "aby",
	    "asen",
	    "angby",
	};
	static const double need[] = {29.0, 3.5, 0.0, 0.0};
	size_t k;

	fixture(&in);
	doc = compile_json(&in);
	ranked = json_object_get(doc, "areas");
	for (k = 0; k < 4; k++) {
		assert_str(json_array_get(ranked, k), "area", order[k]);
		assert_int(json_array_get(ranked, k), "rank", (long long)k + 1);
		assert_real(json_array_get(ranked, k), "need", need[k]);
	}
	json_decref(doc);
}
END_TEST

/*
 * Equal need: the higher mean of means first, whatever the name; an area
 * with no score at all after one with scores of 0.
 */
START_TEST(test_ranking_ties)
{
	static char berga[] = "Berga", alby[] = "Alby", ceder[] = "Ceder";
	struct analysis_input in;
	json_t *doc, *ranked;

	reset();
	add_area("ceder", ceder);
	add_area("alby", alby);
	add_area("berga", berga);
	add_score("berga", "klotter", "2026-W01", 1);
	add_score("alby", "klotter", "2026-W01", 0);
	input(&in, "2026-Q1", false, PARITY_ODD);
	doc = compile_json(&in);
	ranked = json_object_get(doc, "areas");
	assert_str(json_array_get(ranked, 0), "area", "berga");
	assert_str(json_array_get(ranked, 1), "area", "alby");
	assert_str(json_array_get(ranked, 2), "area", "ceder");
	assert_real(json_array_get(ranked, 0), "need", 0.0);
	json_decref(doc);
}
END_TEST

/* Six red weeks and an open flag against one red week, nothing else. */
START_TEST(test_ranking_persistence)
{
	static char a_name[] = "Aspudden", b_name[] = "Bagarmossen";
	struct analysis_input in;
	json_t *doc, *ranked;
	char w[16];
	int k;

	reset();
	add_area("b", b_name);
	add_area("a", a_name);
	for (k = 1; k <= 6; k++) {
		snprintf(w, sizeof(w), "2026-W%02d", k);
		add_score("a", "klotter", w, 3);
	}
	add_score("b", "vald", "2026-W05", 3);
	add_score("b", "skadegorelse", "2026-W05", 3);
	add_score("b", "klotter", "2026-W05", 3);
	add_flag("a", "klotter", "2026-W03", NULL, r_rad_sv, r_rad_en, NULL);
	input(&in, "2026-Q1", false, PARITY_ODD);
	doc = compile_json(&in);
	ranked = json_object_get(doc, "areas");
	/* a: 18 + 4 + 2 + 6/2 = 27; b: 3 + (1 + 1)/2 = 4. */
	assert_str(json_array_get(ranked, 0), "area", "a");
	assert_real(json_array_get(ranked, 0), "need", 27.0);
	assert_str(json_array_get(ranked, 1), "area", "b");
	assert_real(json_array_get(ranked, 1), "need", 4.0);
	json_decref(doc);
}
END_TEST

START_TEST(test_flags)
{
	struct analysis_input in;
	json_t *doc, *fl, *f;

	fixture(&in);
	doc = compile_json(&in);
	fl = json_object_get(doc, "flags");
	ck_assert_uint_eq(json_array_size(fl), 2);

	f = json_array_get(fl, 0);
	ck_assert_uint_eq(json_object_size(f), 11);
	assert_str(f, "area", "centrum");
	assert_str(f, "indicator", "skadegorelse");
	assert_str(f, "opened", "2026-W03");
	assert_null(f, "closed");
	assert_str(f, "status", "open");
	assert_str(f, "reason", "3 veckor i rad");
	assert_str(f, "reason_en", "3 weeks in a row");
	assert_bool(f, "open_at_end", true);
	assert_bool(f, "opened_in_period", true);
	assert_int(f, "earlier_episodes", 1);
	assert_str(f, "comment", "Väktare beställda");

	f = json_array_get(fl, 1);
	assert_str(f, "area", "centrum");
	assert_str(f, "indicator", "klotter");
	assert_str(f, "opened", "2025-W51");
	assert_str(f, "closed", "2026-W02");
	assert_str(f, "status", "closed");
	assert_str(f, "reason", "4 av 6 veckor");
	assert_bool(f, "open_at_end", false);
	assert_bool(f, "opened_in_period", false);
	assert_int(f, "earlier_episodes", 0);
	assert_null(f, "comment");
	json_decref(doc);
}
END_TEST

START_TEST(test_measures)
{
	struct analysis_input in;
	json_t *doc, *ms, *m, *f;

	fixture(&in);
	doc = compile_json(&in);
	ms = json_object_get(doc, "measures");
	ck_assert_uint_eq(json_array_size(ms), 4);

	m = json_array_get(ms, 0);
	assert_int(m, "id", 9);
	assert_str(m, "area", "centrum");
	assert_str(m, "indicator", "klotter");
	assert_str(m, "period", "2026-W01");
	assert_str(m, "what", "Sanering");
	assert_null(m, "place");
	assert_null(m, "who");
	assert_null(m, "follow_up");
	assert_real(m, "mean_before", 3.0);
	assert_int(m, "periods_before", 1);
	assert_real(m, "mean_after", 1.5);
	assert_int(m, "periods_after", 2);
	f = json_object_get(m, "flag");
	assert_str(f, "opened", "2025-W51");
	assert_str(f, "status", "closed");
	assert_str(f, "closed", "2026-W02");
	assert_str(f, "reason", "4 av 6 veckor");

	m = json_array_get(ms, 1);
	ck_assert_uint_eq(json_object_size(m), 13);
	assert_int(m, "id", 7);
	assert_str(m, "indicator", "skadegorelse");
	assert_str(m, "period", "2026-W04");
	assert_str(m, "what", "Extra väktare");
	assert_str(m, "place", "Torget");
	assert_str(m, "who", "Polisen");
	assert_str(m, "follow_up", "2026-02-16");
	assert_real(m, "mean_before", 3.0);
	assert_int(m, "periods_before", 4);
	assert_real(m, "mean_after", 2.33);
	assert_int(m, "periods_after", 3);
	f = json_object_get(m, "flag");
	assert_str(f, "opened", "2026-W03");
	assert_str(f, "status", "open");
	assert_null(f, "closed");

	m = json_array_get(ms, 2);
	assert_int(m, "id", 8);
	assert_str(m, "area", "aby");
	assert_null(m, "indicator");
	assert_real(m, "mean_before", 0.75);
	assert_int(m, "periods_before", 4);
	assert_real(m, "mean_after", 0.0);
	assert_int(m, "periods_after", 4);
	assert_null(m, "flag");

	m = json_array_get(ms, 3);
	assert_int(m, "id", 10);
	assert_null(m, "mean_before");
	assert_int(m, "periods_before", 0);
	assert_null(m, "mean_after");
	assert_int(m, "periods_after", 0);
	assert_null(m, "flag");
	json_decref(doc);
}
END_TEST

START_TEST(test_area_extras)
{
	struct analysis_input in;
	json_t *doc, *a, *c, *top;

	fixture(&in);
	doc = compile_json(&in);
	a = area_of(doc, "centrum");
	assert_str(a, "name", "Centrum");
	c = json_object_get(a, "coverage");
	assert_int(c, "expected", 4);
	assert_int(c, "reported", 3);
	assert_int(c, "periods_short", 1);
	top = json_object_get(a, "top_indicators");
	ck_assert_uint_eq(json_array_size(top), 2);
	ck_assert_str_eq(
	    json_string_value(json_array_get(top, 0)), "skadegorelse");
	ck_assert_str_eq(json_string_value(json_array_get(top, 1)), "klotter");

	a = area_of(doc, "aby");
	assert_str(a, "name", "Åby");
	assert_null(a, "coverage");
	top = json_object_get(a, "top_indicators");
	ck_assert_uint_eq(json_array_size(top), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(
			      area_of(doc, "asen"), "top_indicators")),
	    0);
	json_decref(doc);
}
END_TEST

static const char fixture_csv[] =
    "period,area,indicator,mean_score,periods_elevated,"
    "previous_mean_score,last_year_mean_score,flagged\r\n"
    "2026-Q1,centrum,skadegorelse,2.71,6,1.50,0.00,true\r\n"
    "2026-Q1,centrum,klotter,2.00,2,,2.50,true\r\n"
    "2026-Q1,aby,skadegorelse,0.23,1,,,false\r\n"
    "2026-Q1,aby,klotter,,,2.00,,false\r\n"
    "2026-Q1,asen,skadegorelse,,,,,false\r\n"
    "2026-Q1,asen,klotter,,,,,false\r\n"
    "2026-Q1,angby,skadegorelse,,,,,false\r\n"
    "2026-Q1,angby,klotter,,,,,false\r\n";

START_TEST(test_csv)
{
	struct analysis_input in;
	struct analysis *an;
	char *csv;

	fixture(&in);
	an = compile_ok(&in);
	csv = analysis_to_csv(an);
	ck_assert_str_eq(csv, fixture_csv);
	free(csv);
	analysis_free(an);
}
END_TEST

START_TEST(test_csv_parses_back)
{
	static const char *const want[3][8] = {
	    {"period", "area", "indicator", "mean_score", "periods_elevated",
		"previous_mean_score", "last_year_mean_score", "flagged"},
	    {"2026-Q1", "centrum", "skadegorelse", "2.71", "6", "1.50", "0.00",
		"true"},
	    {"2026-Q1", "centrum", "klotter", "2.00", "2", "", "2.50", "true"},
	};
	struct analysis_input in;
	struct analysis *an;
	struct csv_reader *r;
	char *csv, **fields, *cause = NULL;
	size_t n, k, rows = 0;
	long line;

	fixture(&in);
	an = compile_ok(&in);
	csv = analysis_to_csv(an);
	r = csv_reader_new(csv, strlen(csv));
	while (csv_next(r, &fields, &n, &line, &cause) == 1) {
		ck_assert_uint_eq(n, 8);
		ck_assert_int_eq(line, (long)rows + 1);
		if (rows < 3)
			for (k = 0; k < 8; k++)
				ck_assert_str_eq(fields[k], want[rows][k]);
		csv_row_free(fields, n);
		rows++;
	}
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(rows, 9);
	csv_reader_free(r);
	free(csv);
	analysis_free(an);
}
END_TEST

/* Week labels under a fortnightly cadence count for their fortnight. */
START_TEST(test_fortnightly)
{
	struct analysis_input in;
	json_t *doc, *i, *periods;

	reset();
	add_area("centrum", n_centrum);
	add_score("centrum", "klotter", "2026-W01", 1);
	add_score("centrum", "klotter", "2026-W02", 3);
	add_score("centrum", "klotter", "2026-W13", 2);
	/* In 2025-Q4's fortnight W51-W52. */
	add_score("centrum", "klotter", "2025-W51", 2);
	add_assessment("centrum", "2026-W04", LEVEL_RED);
	input(&in, "2026-Q1", true, PARITY_ODD);
	doc = compile_json(&in);
	assert_str(doc, "cadence", "fortnightly");
	periods = json_object_get(doc, "periods");
	ck_assert_uint_eq(json_array_size(periods), 7);
	ck_assert_str_eq(
	    json_string_value(json_array_get(periods, 1)), "2026-W03");
	i = ind_of(area_of(doc, "centrum"), "klotter");
	/* W01 and W02 are one fortnight: its score is the higher, 3. */
	ck_assert_int_eq(
	    json_integer_value(json_array_get(json_object_get(i, "scores"), 0)),
	    3);
	ck_assert_int_eq(
	    json_integer_value(json_array_get(json_object_get(i, "scores"), 6)),
	    2);
	assert_real(i, "mean_score", 2.5);
	assert_int(i, "periods_elevated", 2);
	/* x = 0, 6: (2*12 - 6*5) / (2*36 - 36) = -6/36 = -0.17. */
	assert_real(i, "trend", -0.17);
	assert_real(i, "previous_mean_score", 2.0);
	/* W04 is in the fortnight W03-W04. */
	ck_assert_str_eq(
	    json_string_value(json_array_get(
		json_object_get(area_of(doc, "centrum"), "statuses"), 1)),
	    "red");
	json_decref(doc);
}
END_TEST

START_TEST(test_year)
{
	struct analysis_input in;
	json_t *doc, *i;

	reset();
	add_area("centrum", n_centrum);
	add_score("centrum", "klotter", "2026-W53", 3);
	add_score("centrum", "klotter", "2026-W01", 1);
	add_score("centrum", "klotter", "2025-W52", 2);
	/* 2027-W01 starts on 2027-01-04: the year after. */
	add_score("centrum", "klotter", "2027-W01", 3);
	input(&in, "2026", false, PARITY_ODD);
	doc = compile_json(&in);
	assert_str(doc, "start", "2025-12-29");
	assert_str(doc, "end", "2027-01-03");
	assert_str(doc, "previous_period", "2025");
	assert_str(doc, "last_year_period", "2025");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "periods")), 53);
	i = ind_of(area_of(doc, "centrum"), "klotter");
	ck_assert_int_eq(json_integer_value(
			     json_array_get(json_object_get(i, "scores"), 52)),
	    3);
	assert_real(i, "mean_score", 2.0);
	assert_int(i, "periods_assessed", 2);
	assert_real(i, "previous_mean_score", 2.0);
	assert_real(i, "last_year_mean_score", 2.0);
	/* x = 0, 52: y 1 -> 3, slope 2/52 = 0.04. */
	assert_real(i, "trend", 0.04);
	json_decref(doc);
}
END_TEST

START_TEST(test_view)
{
	struct analysis_input in;
	struct analysis *an;
	struct analysis_area_view v;

	fixture(&in);
	an = compile_ok(&in);
	ck_assert_uint_eq(analysis_area_count(an), 4);
	ck_assert_int_eq(analysis_area_view(an, 0, &v), 0);
	ck_assert_str_eq(v.area, "centrum");
	ck_assert_str_eq(v.name, "Centrum");
	ck_assert_int_eq(v.rank, 1);
	ck_assert_double_eq_tol(v.need, 29.0, 1e-9);
	ck_assert_int_eq(v.status_counts[PICTURE_RED], 6);
	ck_assert_int_eq(v.status_counts[PICTURE_YELLOW], 1);
	ck_assert_int_eq(v.status_counts[PICTURE_GREY], 6);
	ck_assert_uint_eq(v.n_periods, 13);
	ck_assert_str_eq(v.periods[6], "2026-W07");
	ck_assert_int_eq(v.statuses[6], PICTURE_YELLOW);
	ck_assert(v.statuses_set[6]);
	ck_assert(!v.statuses_set[5]);
	ck_assert_int_eq(analysis_area_view(an, 3, &v), 0);
	ck_assert_str_eq(v.name, "Ängby");
	ck_assert_int_eq(v.rank, 4);
	ck_assert_int_eq(analysis_area_view(an, 4, &v), -1);
	analysis_free(an);
}
END_TEST

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

START_TEST(test_svg)
{
	struct analysis_input in;
	struct analysis *an;
	char *svg;

	fixture(&in);
	an = compile_ok(&in);
	svg = analysis_svg_chart(an, "centrum", "skadegorelse");
	ck_assert_ptr_nonnull(svg);
	ck_assert(strncmp(svg,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\""
		      " class=\"analysis-chart\" width=\"320\" height=\"140\"",
		      69) == 0);
	ck_assert_ptr_nonnull(strstr(svg,
	    " role=\"img\" aria-labelledby="
	    "\"chart-centrum-skadegorelse-title"
	    " chart-centrum-skadegorelse-desc\""));
	ck_assert_ptr_nonnull(strstr(svg,
	    "<title id=\"chart-centrum-skadegorelse-title\">Skadegörelse i"
	    " Centrum, kvartal 1 2026 (vecka 1\u201313)</title>"));
	ck_assert_ptr_nonnull(strstr(svg,
	    "<desc id=\"chart-centrum-"
	    "skadegorelse-desc\">Högsta bedömning (0\u20133) per vecka."
	    " v. 1: 3; v. 2: 3; v. 3: 3; v. 4: 3; v. 5: 3; v. 6: 3; v. 7: 1;"
	    " v. 8: ej bedömt;"));
	ck_assert_ptr_nonnull(strstr(svg,
	    "v. 13: ej bedömt. Förhöjt från"
	    " 2: 6 av 7 bedömda perioder. Medel 2,71.</desc>"));
	/* W01-W07: x = 30 + 280 i / 12; y = 110 - 30 score. */
	ck_assert_ptr_nonnull(strstr(svg,
	    "points=\"30.0,20.0 53.3,20.0"
	    " 76.7,20.0 100.0,20.0 123.3,20.0 146.7,20.0 170.0,80.0\""));
	ck_assert_uint_eq(count(svg, "<polyline"), 1);
	ck_assert_uint_eq(count(svg, "<circle"), 7);
	/* The level line at 2 and the axis labels 0-3. */
	ck_assert_ptr_nonnull(strstr(svg,
	    "<line class=\"level\" x1=\"30.0\""
	    " y1=\"50.0\" x2=\"310.0\" y2=\"50.0\""));
	ck_assert_ptr_nonnull(strstr(svg, "text-anchor=\"end\">3</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "text-anchor=\"end\">0</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">v. 13</text>"));
	ck_assert_ptr_null(strstr(svg, "<script"));
	ck_assert_str_eq(svg + strlen(svg) - 7, "</svg>\n");
	free(svg);

	/* klotter 3 2 - 1: a line W01-W02, a lone point at W04. */
	svg = analysis_svg_chart(an, "centrum", "klotter");
	ck_assert_uint_eq(count(svg, "<polyline"), 1);
	ck_assert_ptr_nonnull(strstr(svg, "points=\"30.0,20.0 53.3,50.0\""));
	ck_assert_uint_eq(count(svg, "<circle"), 3);
	ck_assert_ptr_nonnull(strstr(svg, "cx=\"100.0\" cy=\"80.0\""));
	free(svg);

	ck_assert_ptr_null(analysis_svg_chart(an, "centrum", "brand"));
	ck_assert_ptr_null(analysis_svg_chart(an, "norrby", "klotter"));
	analysis_free(an);
}
END_TEST

START_TEST(test_svg_escapes)
{
	static char evil[] = "<Torget & \"Parken\">";
	struct analysis_input in;
	struct analysis *an;
	char *svg;

	reset();
	add_area("torget", evil);
	input(&in, "2026-Q1", false, PARITY_ODD);
	an = compile_ok(&in);
	svg = analysis_svg_chart(an, "torget", "klotter");
	ck_assert_ptr_nonnull(strstr(svg,
	    "Klotter i &lt;Torget &amp; "
	    "&quot;Parken&quot;&gt;, kvartal"));
	ck_assert_ptr_null(strstr(svg, "<Torget"));
	ck_assert_uint_eq(count(svg, "<polyline"), 0);
	ck_assert_uint_eq(count(svg, "<circle"), 0);
	ck_assert_ptr_nonnull(strstr(svg, "0 av 0 bedömda perioder.</desc>"));
	free(svg);
	analysis_free(an);
}
END_TEST

/* The analysis keeps copies: the input may go before the renderings. */
START_TEST(test_input_freed_after_compile)
{
	struct analysis_input in;
	struct analysis *an;
	struct area *a;
	struct flag_row *f;
	struct measure *m;
	struct indicator *it;
	struct checklist *c;
	json_t *doc;
	char *csv;
	size_t i;

	fixture(&in);
	a = calloc(n_areas, sizeof(*a));
	for (i = 0; i < n_areas; i++) {
		a[i] = areas[i];
		a[i].name = strdup(areas[i].name);
	}
	f = calloc(n_flags, sizeof(*f));
	for (i = 0; i < n_flags; i++) {
		f[i] = flags[i];
		f[i].reason_sv = strdup(flags[i].reason_sv);
		f[i].reason_en = strdup(flags[i].reason_en);
		f[i].ack_comment = flags[i].ack_comment == NULL
		    ? NULL
		    : strdup(flags[i].ack_comment);
	}
	m = calloc(n_measures, sizeof(*m));
	for (i = 0; i < n_measures; i++) {
		m[i] = measures[i];
		m[i].what = strdup(measures[i].what);
		m[i].place = measures[i].place == NULL
		    ? NULL
		    : strdup(measures[i].place);
		m[i].who =
		    measures[i].who == NULL ? NULL : strdup(measures[i].who);
	}
	it = calloc(2, sizeof(*it));
	for (i = 0; i < 2; i++) {
		it[i] = items[i];
		it[i].sv = strdup(items[i].sv);
	}
	c = calloc(1, sizeof(*c));
	c->n = 2;
	c->items = it;
	in.areas = a;
	in.flags = f;
	in.measures = m;
	in.checklist = c;
	an = compile_ok(&in);
	for (i = 0; i < n_areas; i++)
		free(a[i].name);
	free(a);
	for (i = 0; i < n_flags; i++) {
		free(f[i].reason_sv);
		free(f[i].reason_en);
		free(f[i].ack_comment);
	}
	free(f);
	for (i = 0; i < n_measures; i++) {
		free(m[i].what);
		free(m[i].place);
		free(m[i].who);
	}
	free(m);
	for (i = 0; i < 2; i++)
		free(it[i].sv);
	free(it);
	free(c);

	csv = analysis_to_csv(an);
	ck_assert_str_eq(csv, fixture_csv);
	free(csv);
	doc = analysis_to_json(an);
	assert_str(json_array_get(json_object_get(doc, "flags"), 0), "comment",
	    "Väktare beställda");
	assert_str(json_array_get(json_object_get(doc, "measures"), 1), "what",
	    "Extra väktare");
	assert_str(
	    json_array_get(json_object_get(doc, "areas"), 1), "name", "Åby");
	json_decref(doc);
	csv = analysis_svg_chart(an, "centrum", "skadegorelse");
	ck_assert_ptr_nonnull(strstr(csv, "Skadegörelse i Centrum"));
	free(csv);
	analysis_free(an);
}
END_TEST

START_TEST(test_input_init)
{
	struct conf conf;
	struct analysis_input in;
	struct period p = P("2026-T2");

	memset(&conf, 0, sizeof(conf));
	conf.flag_level = 3;
	conf.cadence = CADENCE_FORTNIGHTLY;
	conf.fortnight_start = PARITY_EVEN;
	conf.checklist = cl;
	memset(&in, 0xff, sizeof(in));
	analysis_input_init(&in, &conf, &p);
	ck_assert_int_eq(in.period.kind, PERIOD_TERTIAL);
	ck_assert_int_eq(in.period.num, 2);
	ck_assert_int_eq(in.flag_level, 3);
	ck_assert(in.fortnightly);
	ck_assert_int_eq(in.parity, PARITY_EVEN);
	ck_assert_ptr_eq(in.checklist, &conf.checklist);
	ck_assert_uint_eq(in.n_scores, 0);
	ck_assert_ptr_null(in.coverage);
}
END_TEST

/* No areas, no checklist: an empty analysis, not a failure. */
START_TEST(test_empty)
{
	struct analysis_input in;
	struct analysis *an;
	json_t *doc;
	char *csv;

	reset();
	input(&in, "2026-Q2", false, PARITY_ODD);
	in.checklist = NULL;
	an = compile_ok(&in);
	doc = analysis_to_json(an);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "periods")), 13);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "areas")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "flags")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "measures")), 0);
	json_decref(doc);
	csv = analysis_to_csv(an);
	ck_assert_str_eq(csv,
	    "period,area,indicator,mean_score,"
	    "periods_elevated,previous_mean_score,last_year_mean_score,"
	    "flagged\r\n");
	free(csv);
	ck_assert_uint_eq(analysis_area_count(an), 0);
	analysis_free(an);
}
END_TEST

static Suite *
analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_periods);
	tcase_add_test(tc, test_score_span);
	tcase_add_test(tc, test_compile_refuses);
	tcase_add_test(tc, test_json_top);
	tcase_add_test(tc, test_means_and_nulls);
	tcase_add_test(tc, test_json_indicator_text);
	tcase_add_test(tc, test_trend_fixture);
	tcase_add_test(tc, test_trend_slope);
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_status_override);
	tcase_add_test(tc, test_ranking);
	tcase_add_test(tc, test_ranking_ties);
	tcase_add_test(tc, test_ranking_persistence);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_measures);
	tcase_add_test(tc, test_area_extras);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_csv_parses_back);
	tcase_add_test(tc, test_fortnightly);
	tcase_add_test(tc, test_year);
	tcase_add_test(tc, test_view);
	tcase_add_test(tc, test_svg);
	tcase_add_test(tc, test_svg_escapes);
	tcase_add_test(tc, test_input_freed_after_compile);
	tcase_add_test(tc, test_input_init);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(analysis_suite());
}
