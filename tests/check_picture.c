/*
 * check_picture: compiling and rendering the picture of one period.
 *
 * The fixture is a small municipality worked out by hand:
 *
 *   Centrum   Anna (skadegörelse 3, klotter 2, 2 events, Torget: Krossad
 *             busskur), Bo (skadegörelse 1, klotter 2, 3 events),
 *             Cecilia (skadegörelse 1, a note with <script>), an imported
 *             report (våld 0, place Parken). David has not reported.
 *             Previous period: skadegörelse 1, klotter 2, brand 2.
 *             -> skadegörelse 3 / 1.67 / 3 reports / 5 events / red / up,
 *                klotter 2 / 2.00 / same, brand none (trend none),
 *                våld 0 / new; status red; 3 of 4 reporters.
 *   Åby       Bo: klotter 2 with 0 events; computed yellow, set red by a
 *             key function. 1 of 1.
 *   Norrby    Cecilia: "inget att rapportera" with every rating left
 *             empty -> 0 everywhere; previous skadegörelse 3 (down),
 *             klotter 0 (same). Bo missing: 1 of 2.
 *   Östermalm nobody reported: grey, 0 of 2.
 *
 * Eva (inactive) and Kim (key function) are never expected reporters.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "flags.h"
#include "picture.h"
#include "report.h"
#include "store.h"
#include "testutil.h"

enum { SKAD, KLOTTER, BRAND, VALD, NITEMS };

static char sv_skad[] = "Skadegörelse";
static char sv_klotter[] = "Klotter";
static char sv_brand[] = "Anlagda bränder";
static char sv_vald[] = "Hot, våld, bråk eller rån";

static struct indicator items[NITEMS] = {
    {.key = "skadegorelse", .sv = sv_skad},
    {.key = "klotter", .sv = sv_klotter},
    {.key = "brand", .sv = sv_brand},
    {.key = "vald", .sv = sv_vald},
};
static const struct checklist cl = {NITEMS, items};

#define MAXREP 16
#define MAXAREA 8
#define MAXPEOPLE 8

static struct area areas[MAXAREA];
static size_t n_areas;
static struct stored_report cur[MAXREP], prev[MAXREP];
static size_t n_cur, n_prev;
static struct person people[MAXPEOPLE];
static size_t n_people;
static struct picture_flag flags[8];
static size_t n_flags;
static struct picture_status statuses[8];
static size_t n_statuses;

static void
add_area(const char *slug, const char *name)
{
	struct area *a = &areas[n_areas++];

	snprintf(a->slug, sizeof(a->slug), "%s", slug);
	a->name = strdup(name);
}

/* A person assigned to `area` (NULL: all areas). */
static void
add_person(long long id, const char *name, const char *email, enum role role,
    bool active, const char *area1, const char *area2)
{
	struct person *p = &people[n_people++];

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->name = strdup(name);
	p->email = strdup(email);
	p->role = role;
	p->active = active;
	p->all_areas = area1 == NULL;
	p->areas = calloc(2, sizeof(*p->areas));
	if (area1 != NULL)
		p->areas[p->n_areas++] = strdup(area1);
	if (area2 != NULL)
		p->areas[p->n_areas++] = strdup(area2);
}

/*
 * A stored report; ratings and counts in checklist order, -1 for not
 * assessed / not given.
 */
static struct stored_report *
add_report(struct stored_report *list, size_t *n, long long person_id,
    const char *area, const int ratings[NITEMS], const int counts[NITEMS],
    const char *place, const char *note, bool nothing)
{
	struct stored_report *sr = &list[(*n)++];
	size_t i;

	memset(sr, 0, sizeof(*sr));
	sr->id = (long long)*n;
	sr->person_id = person_id;
	sr->revision = 1;
	snprintf(sr->report.area, sizeof(sr->report.area), "%s", area);
	sr->report.has_period = true;
	for (i = 0; i < INDICATORS_MAX; i++) {
		sr->report.ratings[i] = RATING_NONE;
		sr->report.counts[i] = COUNT_NONE;
	}
	for (i = 0; i < NITEMS; i++) {
		if (ratings != NULL)
			sr->report.ratings[i] = ratings[i];
		if (counts != NULL)
			sr->report.counts[i] = counts[i];
	}
	sr->report.place = place != NULL ? strdup(place) : NULL;
	sr->report.note = note != NULL ? strdup(note) : NULL;
	sr->report.nothing = nothing;
	return sr;
}

static void
add_flag(const char *area, const char *indicator, const char *opened,
    const char *closed, const char *sv, const char *en)
{
	struct picture_flag *f = &flags[n_flags++];

	memset(f, 0, sizeof(*f));
	f->area = area;
	f->indicator = indicator;
	snprintf(f->episode.opened, sizeof(f->episode.opened), "%s", opened);
	snprintf(f->episode.closed, sizeof(f->episode.closed), "%s", closed);
	snprintf(f->episode.reason_sv, sizeof(f->episode.reason_sv), "%s", sv);
	snprintf(f->episode.reason_en, sizeof(f->episode.reason_en), "%s", en);
}

static void
add_status(const char *area, enum picture_level level, const char *comment,
    const char *set_by)
{
	struct picture_status *s = &statuses[n_statuses++];

	s->area = area;
	s->level = level;
	s->comment = comment;
	s->set_by = set_by;
}

static void
setup(void)
{
	static const int anna[NITEMS] = {3, 2, -1, -1};
	static const int anna_n[NITEMS] = {2, -1, -1, -1};
	static const int bo[NITEMS] = {1, 2, -1, -1};
	static const int bo_n[NITEMS] = {3, -1, -1, -1};
	static const int cecilia[NITEMS] = {1, -1, -1, -1};
	static const int imported[NITEMS] = {-1, -1, -1, 0};
	static const int aby[NITEMS] = {-1, 2, -1, -1};
	static const int aby_n[NITEMS] = {-1, 0, -1, -1};
	static const int hidden[NITEMS] = {3, 3, 3, 3};
	static const int p_centrum[NITEMS] = {1, 2, 2, -1};
	static const int p_norr[NITEMS] = {3, 0, -1, -1};

	n_areas = n_cur = n_prev = n_people = n_flags = n_statuses = 0;
	add_area("oster", "Östermalm");
	add_area("norr", "Norrby");
	add_area("centrum", "Centrum");
	add_area("aby", "Åby");

	add_person(1, "Anna Ahl", "anna@example.org", ROLE_REPORTER, true,
	    "centrum", NULL);
	add_person(
	    2, "Bo Berg", "bo@example.org", ROLE_REPORTER, true, NULL, NULL);
	add_person(3, "Cecilia Ceder", "cecilia@example.org", ROLE_REPORTER,
	    true, "centrum", "norr");
	add_person(4, "David Dahl", "david@example.org", ROLE_REPORTER, true,
	    "centrum", NULL);
	add_person(5, "Eva Ek", "eva@example.org", ROLE_REPORTER, false,
	    "centrum", NULL);
	add_person(6, "Kim Nyckel", "kim@example.org", ROLE_KEYFUNCTION, true,
	    NULL, NULL);
	add_person(7, "Frida Falk", "frida@example.org", ROLE_REPORTER, true,
	    "oster", NULL);

	add_report(cur, &n_cur, 1, "centrum", anna, anna_n, "Torget",
	    "Krossad busskur", false);
	add_report(cur, &n_cur, 2, "centrum", bo, bo_n, NULL, NULL, false);
	add_report(cur, &n_cur, 3, "centrum", cecilia, NULL, NULL,
	    "<script>alert(1)</script>", false);
	add_report(
	    cur, &n_cur, 0, "centrum", imported, NULL, "Parken", NULL, false);
	add_report(cur, &n_cur, 2, "aby", aby, aby_n, NULL, NULL, false);
	add_report(cur, &n_cur, 3, "norr", NULL, NULL, NULL, NULL, true);
	/* An area the reader may not see. */
	add_report(cur, &n_cur, 2, "hidden", hidden, NULL, "Hemlig",
	    "Syns inte", false);

	add_report(
	    prev, &n_prev, 1, "centrum", p_centrum, NULL, NULL, NULL, false);
	add_report(prev, &n_prev, 2, "norr", p_norr, NULL, NULL, NULL, false);

	add_flag("centrum", "skadegorelse", "2026-W45", "", "3 veckor i rad",
	    "3 weeks in a row");
	add_flag("norr", "klotter", "2026-W40", "2026-W46", "4 av 6 veckor",
	    "4 of 6 weeks");
	add_flag("hidden", "klotter", "2026-W40", "", "3 veckor i rad",
	    "3 weeks in a row");
	add_flag("centrum", "gammal", "2026-W30", "", "5 veckor i rad",
	    "5 weeks in a row");
	add_flag(
	    "aby", "klotter", "2026-W46", "", "4 av 6 veckor", "4 of 6 weeks");

	add_status("aby", PICTURE_GREEN, "Lugnt", "Någon annan");
	add_status("aby", PICTURE_RED, "Oro kring skolan", "Kim Nyckel");
	add_status("norr", PICTURE_GREY, "ignored", NULL);
	add_status("hidden", PICTURE_RED, "ignored", NULL);
}

static void
free_reports(struct stored_report *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].report.place);
		free(list[i].report.note);
	}
}

static void
teardown(void)
{
	size_t i, j;

	for (i = 0; i < n_areas; i++)
		free(areas[i].name);
	for (i = 0; i < n_people; i++) {
		free(people[i].name);
		free(people[i].email);
		for (j = 0; j < people[i].n_areas; j++)
			free(people[i].areas[j]);
		free(people[i].areas);
	}
	free_reports(cur, n_cur);
	free_reports(prev, n_prev);
}

static void
input(struct picture_input *in)
{
	memset(in, 0, sizeof(*in));
	in->label = "2026-W47";
	in->start = "2026-11-16";
	in->end = "2026-11-22";
	in->checklist = &cl;
	in->areas = areas;
	in->n_areas = n_areas;
	in->reports = cur;
	in->n_reports = n_cur;
	in->previous = prev;
	in->n_previous = n_prev;
	in->people = people;
	in->n_people = n_people;
	in->flags = flags;
	in->n_flags = n_flags;
	in->statuses = statuses;
	in->n_statuses = n_statuses;
}

/* The fixture's picture as JSON; new reference. */
static json_t *
fixture_json(bool with_missing)
{
	struct picture_input in;
	struct picture *pic;
	json_t *doc;

	input(&in);
	pic = picture_compile(&in);
	doc = picture_to_json(pic, with_missing);
	picture_free(pic);
	return doc;
}

/* Borrowed: the area with this slug in a picture document. */
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

/* Borrowed: indicator number i of an area. */
static json_t *
ind_of(json_t *area, size_t i)
{
	json_t *ind = json_array_get(json_object_get(area, "indicators"), i);

	ck_assert_ptr_nonnull(ind);
	return ind;
}

/*
 * Compare member by member, naming the first path that differs; an
 * object must have exactly the expected members.
 */
static void
expect_json(json_t *got, json_t *want, const char *path)
{
	char sub[256];
	const char *key;
	json_t *v;
	size_t i;

	ck_assert_msg(got != NULL, "%s: missing", path);
	ck_assert_msg(json_typeof(got) == json_typeof(want),
	    "%s: type %d, want %d", path, json_typeof(got), json_typeof(want));
	if (json_is_object(want)) {
		json_object_foreach(want, key, v)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			expect_json(json_object_get(got, key), v, sub);
		}
		json_object_foreach(got, key, v)
		    ck_assert_msg(json_object_get(want, key) != NULL,
			"%s.%s: unexpected member", path, key);
		return;
	}
	if (json_is_array(want)) {
		ck_assert_msg(json_array_size(got) == json_array_size(want),
		    "%s: %zu elements, want %zu", path, json_array_size(got),
		    json_array_size(want));
		json_array_foreach(want, i, v)
		{
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			expect_json(json_array_get(got, i), v, sub);
		}
		return;
	}
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY);
		char *w = json_dumps(want, JSON_ENCODE_ANY);

		ck_abort_msg("%s: %s, want %s", path, g, w);
	}
}

static void
expect_indicator(json_t *ind, const char *key, json_t *score, json_t *mean,
    int reports, json_t *events, const char *level, const char *trend,
    bool flagged)
{
	json_t *want;

	want = json_pack("{s:s, s:o, s:o, s:i, s:o, s:s, s:s, s:b}", "key", key,
	    "score", score, "mean", mean, "reports", reports, "events", events,
	    "level", level, "trend", trend, "flagged", flagged);
	ck_assert_ptr_nonnull(want);
	expect_json(ind, want, key);
	json_decref(want);
}

START_TEST(test_indicator_figures)
{
	json_t *doc = fixture_json(false), *c;

	c = area_of(doc, "centrum");
	/* 3, 1, 1: highest 3, mean 5/3 = 1.67, 2 + 3 events, from 1. */
	expect_indicator(ind_of(c, SKAD), "skadegorelse", json_integer(3),
	    json_real(1.67), 3, json_integer(5), "red", "up", true);
	/* 2, 2 and one report without it: same as the previous 2. */
	expect_indicator(ind_of(c, KLOTTER), "klotter", json_integer(2),
	    json_real(2.0), 2, json_null(), "yellow", "same", false);
	/* Nobody assessed it now (2 before): null, never 0. */
	expect_indicator(ind_of(c, BRAND), "brand", json_null(), json_null(), 0,
	    json_null(), "grey", "none", false);
	/* Only the imported report, 0; nobody before. */
	expect_indicator(ind_of(c, VALD), "vald", json_integer(0),
	    json_real(0.0), 1, json_null(), "green", "new", false);
	ck_assert_str_eq(
	    json_string_value(json_object_get(c, "status")), "red");
	json_decref(doc);
}
END_TEST

START_TEST(test_nothing_to_report)
{
	json_t *doc = fixture_json(false), *n;

	n = area_of(doc, "norr");
	/* Every rating left empty by "nothing" counts 0; events stay null. */
	expect_indicator(ind_of(n, SKAD), "skadegorelse", json_integer(0),
	    json_real(0.0), 1, json_null(), "green", "down", false);
	expect_indicator(ind_of(n, KLOTTER), "klotter", json_integer(0),
	    json_real(0.0), 1, json_null(), "green", "same", false);
	expect_indicator(ind_of(n, BRAND), "brand", json_integer(0),
	    json_real(0.0), 1, json_null(), "green", "new", false);
	expect_indicator(ind_of(n, VALD), "vald", json_integer(0),
	    json_real(0.0), 1, json_null(), "green", "new", false);
	ck_assert_str_eq(
	    json_string_value(json_object_get(n, "status")), "green");
	json_decref(doc);
}
END_TEST

START_TEST(test_not_assessed_is_not_zero)
{
	static const int three[NITEMS] = {3, -1, -1, -1};
	static const int other[NITEMS] = {-1, 1, -1, -1};
	static const int two[NITEMS] = {2, -1, -1, -1};
	static const int zeros[NITEMS] = {0, 0, 0, 0};
	struct picture_input in;
	struct picture *pic;
	json_t *doc, *a;

	free_reports(cur, n_cur);
	n_cur = 0;
	/* 3 and a report that left it empty: mean 3.00 of 1, not 1.50. */
	add_report(cur, &n_cur, 1, "centrum", three, NULL, NULL, NULL, false);
	add_report(cur, &n_cur, 4, "centrum", other, NULL, NULL, NULL, false);
	/* 2 and "nothing" with explicit zeros: mean 1.00 of 2. */
	add_report(cur, &n_cur, 3, "norr", two, NULL, NULL, NULL, false);
	add_report(cur, &n_cur, 2, "norr", zeros, NULL, NULL, NULL, true);
	input(&in);
	pic = picture_compile(&in);
	doc = picture_to_json(pic, false);

	a = area_of(doc, "centrum");
	expect_indicator(ind_of(a, SKAD), "skadegorelse", json_integer(3),
	    json_real(3.0), 1, json_null(), "red", "up", true);
	expect_indicator(ind_of(a, KLOTTER), "klotter", json_integer(1),
	    json_real(1.0), 1, json_null(), "green", "down", false);
	a = area_of(doc, "norr");
	expect_indicator(ind_of(a, SKAD), "skadegorelse", json_integer(2),
	    json_real(1.0), 2, json_null(), "yellow", "down", false);
	expect_indicator(ind_of(a, BRAND), "brand", json_integer(0),
	    json_real(0.0), 1, json_null(), "green", "new", false);
	/* Norrby is now yellow, Centrum still red; Åby has no reports. */
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status")), "yellow");
	a = area_of(doc, "aby");
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status_computed")), "grey");
	json_decref(doc);
	picture_free(pic);
}
END_TEST

START_TEST(test_mean_rounding)
{
	static const int r2[NITEMS] = {2, 2, 1, 0};
	static const int r1[NITEMS] = {1, 2, 1, 0};
	static const int r0[NITEMS] = {0, 3, 0, 0};
	struct picture_input in;
	struct picture *pic;
	json_t *doc, *a;
	char *s;

	free_reports(cur, n_cur);
	n_cur = 0;
	add_report(cur, &n_cur, 1, "centrum", r2, NULL, NULL, NULL, false);
	add_report(cur, &n_cur, 2, "centrum", r1, NULL, NULL, NULL, false);
	add_report(cur, &n_cur, 3, "centrum", r0, NULL, NULL, NULL, false);
	input(&in);
	pic = picture_compile(&in);
	doc = picture_to_json(pic, false);
	a = area_of(doc, "centrum");
	/* 3/3 = 1.00, 7/3 = 2.33, 2/3 = 0.67, 0/3 = 0.00. */
	ck_assert(
	    json_real_value(json_object_get(ind_of(a, SKAD), "mean")) == 1.0);
	ck_assert(json_real_value(
		      json_object_get(ind_of(a, KLOTTER), "mean")) == 2.33);
	ck_assert(
	    json_real_value(json_object_get(ind_of(a, BRAND), "mean")) == 0.67);
	ck_assert(
	    json_real_value(json_object_get(ind_of(a, VALD), "mean")) == 0.0);
	/* Dumped with PICTURE_JSON_REAL, the mean reads as written. */
	s = json_dumps(json_object_get(ind_of(a, KLOTTER), "mean"),
	    JSON_ENCODE_ANY | PICTURE_JSON_REAL);
	ck_assert_str_eq(s, "2.33");
	free(s);
	json_decref(doc);
	picture_free(pic);
}
END_TEST

START_TEST(test_coverage)
{
	json_t *doc = fixture_json(true), *plain = fixture_json(false), *a;
	json_t *want;

	/* Anna, Bo, Cecilia, David expected (Eva inactive, Kim not a
	 * reporter); the imported report is nobody's. */
	a = area_of(doc, "centrum");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_expected")), 4);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_reported")), 3);
	want = json_pack(
	    "[{s:s, s:s}]", "name", "David Dahl", "email", "david@example.org");
	expect_json(json_object_get(a, "missing"), want, "centrum.missing");
	json_decref(want);

	/* Bo (all areas) and Cecilia; Cecilia reported. */
	a = area_of(doc, "norr");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_expected")), 2);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_reported")), 1);
	/* Bo and Frida, nobody reported. */
	a = area_of(doc, "oster");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_expected")), 2);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_reported")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(a, "missing")), 2);
	a = area_of(doc, "aby");
	ck_assert_uint_eq(json_array_size(json_object_get(a, "missing")), 0);

	/* Without with_missing no name or address appears anywhere. */
	a = area_of(plain, "centrum");
	ck_assert_ptr_null(json_object_get(a, "missing"));
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_reported")), 3);
	{
		char *s = json_dumps(plain, 0);

		ck_assert_ptr_null(strstr(s, "@"));
		ck_assert_ptr_null(strstr(s, "David"));
		free(s);
	}
	json_decref(doc);
	json_decref(plain);
}
END_TEST

START_TEST(test_status_set)
{
	json_t *doc = fixture_json(false), *a;

	/* The later of the two statuses for Åby wins; computed is yellow. */
	a = area_of(doc, "aby");
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status")), "red");
	ck_assert_str_eq(json_string_value(json_object_get(a, "status_set_by")),
	    "Kim Nyckel");
	ck_assert_str_eq(json_string_value(json_object_get(a, "assessment")),
	    "Oro kring skolan");
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status_computed")), "yellow");
	/* A grey "assessment" is none: Norrby keeps its computed status. */
	a = area_of(doc, "norr");
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status")), "green");
	ck_assert_ptr_null(json_object_get(a, "status_set_by"));
	ck_assert_ptr_null(json_object_get(a, "assessment"));
	json_decref(doc);

	/* Setting a lower status than computed is the key function's call. */
	n_statuses = 0;
	add_status("centrum", PICTURE_GREEN, NULL, NULL);
	doc = fixture_json(false);
	a = area_of(doc, "centrum");
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status")), "green");
	ck_assert(json_is_null(json_object_get(a, "status_set_by")));
	ck_assert(json_is_null(json_object_get(a, "assessment")));
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "status_computed")), "red");
	json_decref(doc);
}
END_TEST

START_TEST(test_area_order)
{
	struct picture_input in;
	struct picture *pic;
	json_t *doc, *a;
	size_t i;
	static const char *const want[] = {
	    "c", "z", "ab", "al", "an", "e", "o"};

	teardown();
	n_areas = n_cur = n_prev = n_people = n_flags = n_statuses = 0;
	/* All grey: Swedish order, case folded, å ä ö after z. */
	add_area("o", "Östermalm");
	add_area("an", "Ängby");
	add_area("ab", "Åby");
	add_area("z", "zeta");
	add_area("al", "Älvängen");
	add_area("c", "Centrum");
	add_area("e", "Ödeby\xff"); /* not UTF-8: still sorted */
	input(&in);
	pic = picture_compile(&in);
	doc = picture_to_json(pic, false);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "areas")), 7);
	json_array_foreach(json_object_get(doc, "areas"), i, a)
	    ck_assert_str_eq(
		json_string_value(json_object_get(a, "area")), want[i]);
	json_decref(doc);
	picture_free(pic);

	/* Status first: red, yellow, green, grey, whatever the name. */
	teardown();
	setup();
	doc = fixture_json(false);
	json_array_foreach(json_object_get(doc, "areas"), i, a)
	{
		static const char *const order[] = {
		    "centrum", "aby", "norr", "oster"};

		ck_assert_str_eq(
		    json_string_value(json_object_get(a, "area")), order[i]);
	}
	json_decref(doc);
}
END_TEST

START_TEST(test_flags)
{
	json_t *doc = fixture_json(false), *want;

	/*
	 * Hidden's flag is left out; by area as shown (Centrum, Åby,
	 * Norrby), then checklist order with the unknown "gammal" last.
	 */
	want = json_loads(
	    "["
	    "{\"area\":\"centrum\",\"indicator\":\"skadegorelse\","
	    "\"opened\":\"2026-W45\",\"reason\":\"3 veckor i rad\","
	    "\"reason_en\":\"3 weeks in a row\",\"status\":\"open\"},"
	    "{\"area\":\"centrum\",\"indicator\":\"gammal\","
	    "\"opened\":\"2026-W30\",\"reason\":\"5 veckor i rad\","
	    "\"reason_en\":\"5 weeks in a row\",\"status\":\"open\"},"
	    "{\"area\":\"aby\",\"indicator\":\"klotter\","
	    "\"opened\":\"2026-W46\",\"reason\":\"4 av 6 veckor\","
	    "\"reason_en\":\"4 of 6 weeks\",\"status\":\"open\"},"
	    "{\"area\":\"norr\",\"indicator\":\"klotter\","
	    "\"opened\":\"2026-W40\",\"reason\":\"4 av 6 veckor\","
	    "\"reason_en\":\"4 of 6 weeks\",\"status\":\"closed\","
	    "\"closed\":\"2026-W46\"}]",
	    0, NULL);
	ck_assert_ptr_nonnull(want);
	expect_json(json_object_get(doc, "flags"), want, "flags");
	json_decref(want);

	/* Only open flags mark an indicator: Norrby's klotter closed. */
	ck_assert(json_is_false(
	    json_object_get(ind_of(area_of(doc, "norr"), KLOTTER), "flagged")));
	ck_assert(json_is_true(
	    json_object_get(ind_of(area_of(doc, "aby"), KLOTTER), "flagged")));
	json_decref(doc);
}
END_TEST

static const char *expected_json =
    "{\"period\":\"2026-W47\",\"start\":\"2026-11-16\","
    "\"end\":\"2026-11-22\",\"areas\":["
    "{\"area\":\"centrum\",\"name\":\"Centrum\",\"status\":\"red\","
    "\"reporters_expected\":4,\"reporters_reported\":3,"
    "\"missing\":[{\"name\":\"David Dahl\",\"email\":\"david@example.org\"}],"
    "\"indicators\":["
    "{\"key\":\"skadegorelse\",\"score\":3,\"mean\":1.67,\"reports\":3,"
    "\"events\":5,\"level\":\"red\",\"trend\":\"up\",\"flagged\":true},"
    "{\"key\":\"klotter\",\"score\":2,\"mean\":2.0,\"reports\":2,"
    "\"events\":null,\"level\":\"yellow\",\"trend\":\"same\","
    "\"flagged\":false},"
    "{\"key\":\"brand\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false},"
    "{\"key\":\"vald\",\"score\":0,\"mean\":0.0,\"reports\":1,"
    "\"events\":null,\"level\":\"green\",\"trend\":\"new\","
    "\"flagged\":false}],"
    "\"notes\":[{\"place\":\"Torget\",\"text\":\"Krossad busskur\"},"
    "{\"place\":null,\"text\":\"<script>alert(1)</script>\"},"
    "{\"place\":\"Parken\",\"text\":null}]},"
    "{\"area\":\"aby\",\"name\":\"Åby\",\"status\":\"red\","
    "\"status_set_by\":\"Kim Nyckel\",\"assessment\":\"Oro kring skolan\","
    "\"status_computed\":\"yellow\","
    "\"reporters_expected\":1,\"reporters_reported\":1,\"missing\":[],"
    "\"indicators\":["
    "{\"key\":\"skadegorelse\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false},"
    "{\"key\":\"klotter\",\"score\":2,\"mean\":2.0,\"reports\":1,"
    "\"events\":0,\"level\":\"yellow\",\"trend\":\"new\",\"flagged\":true},"
    "{\"key\":\"brand\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false},"
    "{\"key\":\"vald\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false}],\"notes\":[]},"
    "{\"area\":\"norr\",\"name\":\"Norrby\",\"status\":\"green\","
    "\"reporters_expected\":2,\"reporters_reported\":1,"
    "\"missing\":[{\"name\":\"Bo Berg\",\"email\":\"bo@example.org\"}],"
    "\"indicators\":["
    "{\"key\":\"skadegorelse\",\"score\":0,\"mean\":0.0,\"reports\":1,"
    "\"events\":null,\"level\":\"green\",\"trend\":\"down\","
    "\"flagged\":false},"
    "{\"key\":\"klotter\",\"score\":0,\"mean\":0.0,\"reports\":1,"
    "\"events\":null,\"level\":\"green\",\"trend\":\"same\","
    "\"flagged\":false},"
    "{\"key\":\"brand\",\"score\":0,\"mean\":0.0,\"reports\":1,"
    "\"events\":null,\"level\":\"green\",\"trend\":\"new\","
    "\"flagged\":false},"
    "{\"key\":\"vald\",\"score\":0,\"mean\":0.0,\"reports\":1,"
    "\"events\":null,\"level\":\"green\",\"trend\":\"new\","
    "\"flagged\":false}],\"notes\":[]},"
    "{\"area\":\"oster\",\"name\":\"Östermalm\",\"status\":\"grey\","
    "\"reporters_expected\":2,\"reporters_reported\":0,"
    "\"missing\":[{\"name\":\"Bo Berg\",\"email\":\"bo@example.org\"},"
    "{\"name\":\"Frida Falk\",\"email\":\"frida@example.org\"}],"
    "\"indicators\":["
    "{\"key\":\"skadegorelse\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false},"
    "{\"key\":\"klotter\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false},"
    "{\"key\":\"brand\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false},"
    "{\"key\":\"vald\",\"score\":null,\"mean\":null,\"reports\":0,"
    "\"events\":null,\"level\":\"grey\",\"trend\":\"none\","
    "\"flagged\":false}],\"notes\":[]}],"
    "\"flags\":["
    "{\"area\":\"centrum\",\"indicator\":\"skadegorelse\","
    "\"opened\":\"2026-W45\",\"reason\":\"3 veckor i rad\","
    "\"reason_en\":\"3 weeks in a row\",\"status\":\"open\"},"
    "{\"area\":\"centrum\",\"indicator\":\"gammal\","
    "\"opened\":\"2026-W30\",\"reason\":\"5 veckor i rad\","
    "\"reason_en\":\"5 weeks in a row\",\"status\":\"open\"},"
    "{\"area\":\"aby\",\"indicator\":\"klotter\","
    "\"opened\":\"2026-W46\",\"reason\":\"4 av 6 veckor\","
    "\"reason_en\":\"4 of 6 weeks\",\"status\":\"open\"},"
    "{\"area\":\"norr\",\"indicator\":\"klotter\","
    "\"opened\":\"2026-W40\",\"reason\":\"4 av 6 veckor\","
    "\"reason_en\":\"4 of 6 weeks\",\"status\":\"closed\","
    "\"closed\":\"2026-W46\"}]}";

START_TEST(test_json_whole)
{
	json_t *doc = fixture_json(true), *want;
	json_error_t err;
	const char *key;
	json_t *v;
	size_t i = 0;
	static const char *const order[] = {
	    "period", "start", "end", "areas", "flags"};

	want = json_loads(expected_json, 0, &err);
	ck_assert_msg(want != NULL, "%s", err.text);
	expect_json(doc, want, "$");
	/* Members in the contract's order. */
	json_object_foreach(doc, key, v) ck_assert_str_eq(key, order[i++]);
	json_decref(want);
	json_decref(doc);
}
END_TEST

static const char *expected_text =
    "Lägesbild 2026-W47 (2026-11-16 – 2026-11-22)\n"
    "\n"
    "Centrum: rött läge\n"
    "  Skadegörelse: omfattande (3), upp från 1. Medel 1,67 i 3 rapporter,"
    " 5 händelser. Kvarstående sedan 2026-W45 (3 veckor i rad).\n"
    "  Klotter: återkommande (2), oförändrat. Medel 2,00 i 2 rapporter.\n"
    "  Anteckningar:\n"
    "  - Torget: Krossad busskur\n"
    "  - <script>alert(1)</script>\n"
    "  - Parken\n"
    "  3 av 4 rapportörer har rapporterat.\n"
    "  Har inte rapporterat: David Dahl <david@example.org>\n"
    "\n"
    "Åby: rött läge (gemensam bedömning av Kim Nyckel; rapporterna ger"
    " gult läge)\n"
    "  Bedömning: Oro kring skolan\n"
    "  Klotter: återkommande (2), ej bedömt förra perioden. Medel 2,00 i"
    " 1 rapport, 0 händelser. Kvarstående sedan 2026-W46 (4 av 6 veckor).\n"
    "  1 av 1 rapportör har rapporterat.\n"
    "\n"
    "Norrby: grönt läge\n"
    "  Inget i gult eller rött läge.\n"
    "  1 av 2 rapportörer har rapporterat.\n"
    "  Har inte rapporterat: Bo Berg <bo@example.org>\n"
    "\n"
    "Östermalm: ej bedömt\n"
    "  Inga bedömningar denna period.\n"
    "  0 av 2 rapportörer har rapporterat.\n"
    "  Har inte rapporterat: Bo Berg <bo@example.org>, Frida Falk"
    " <frida@example.org>\n"
    "\n"
    "Kvarstående problem:\n"
    "  Centrum, Skadegörelse: sedan 2026-W45 (3 veckor i rad)\n"
    "  Centrum, gammal: sedan 2026-W30 (5 veckor i rad)\n"
    "  Åby, Klotter: sedan 2026-W46 (4 av 6 veckor)\n"
    "  Norrby, Klotter: sedan 2026-W40 (4 av 6 veckor), avslutat 2026-W46\n";

START_TEST(test_text)
{
	struct picture_input in;
	struct picture *pic;
	char *s;

	input(&in);
	pic = picture_compile(&in);
	s = picture_to_text(pic, true);
	ck_assert_str_eq(s, expected_text);
	free(s);

	/* Without the missing reporters: the same but for those lines. */
	s = picture_to_text(pic, false);
	ck_assert_ptr_null(strstr(s, "Har inte rapporterat"));
	ck_assert_ptr_null(strstr(s, "@"));
	ck_assert_ptr_nonnull(strstr(s,
	    "\n  3 av 4 rapportörer har "
	    "rapporterat.\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nNorrby: grönt läge\n"));
	free(s);
	picture_free(pic);
}
END_TEST

START_TEST(test_text_notes_and_flags)
{
	static const int low[NITEMS] = {1, -1, -1, -1};
	struct picture_input in;
	struct picture *pic;
	char *s;

	free_reports(cur, n_cur);
	n_cur = 0;
	/* Flagged but 1 now: shown with its flag; a two-line note. */
	add_report(cur, &n_cur, 1, "centrum", low, NULL, NULL,
	    "Rad ett\r\nrad två", false);
	input(&in);
	pic = picture_compile(&in);
	s = picture_to_text(pic, false);
	ck_assert_ptr_nonnull(strstr(s,
	    "\nCentrum: grönt läge\n"
	    "  Skadegörelse: enstaka (1), oförändrat. Medel 1,00 i 1 rapport."
	    " Kvarstående sedan 2026-W45 (3 veckor i rad).\n"
	    "  Anteckningar:\n"
	    "  - Rad ett\n"
	    "    rad två\n"
	    "  1 av 4 rapportörer har rapporterat.\n"));
	/* Åby: set red, no reports now, its flag still open. */
	ck_assert_ptr_nonnull(strstr(s,
	    "\nÅby: rött läge (gemensam "
	    "bedömning av Kim Nyckel; inga bedömningar i rapporterna)\n"
	    "  Bedömning: Oro kring skolan\n"
	    "  Klotter: ej bedömt denna period. Kvarstående sedan 2026-W46 "
	    "(4 av 6 veckor).\n"
	    "  0 av 1 rapportör har rapporterat.\n"));
	free(s);
	s = picture_to_html(pic, false);
	ck_assert_ptr_nonnull(strstr(s,
	    "<li><span class=\"note\">Rad ett<br>\n"
	    "rad två</span></li>"));
	free(s);
	picture_free(pic);
}
END_TEST

#define HTML_START                                                             \
	"<div class=\"picture\">\n<h2>Lägesbild 2026-W47</h2>\n"              \
	"<p class=\"period\">2026-11-16 – 2026-11-22</p>\n"                  \
	"<div class=\"area status-red\">\n<h3><span class=\"area-name\">"      \
	"Centrum</span> <span class=\"status status-red\">rött läge</span>"  \
	"</h3>\n"

START_TEST(test_html)
{
	struct picture_input in;
	struct picture *pic;
	char *s;

	input(&in);
	pic = picture_compile(&in);
	s = picture_to_html(pic, true);
	/* The note is text, never markup. */
	ck_assert_ptr_null(strstr(s, "<script>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<li><span class=\"note\">"
	    "&lt;script&gt;alert(1)&lt;/script&gt;</span></li>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<li><span class=\"place\">Torget"
	    "</span>: <span class=\"note\">Krossad busskur</span></li>"));
	ck_assert_ptr_nonnull(strstr(s, HTML_START));
	ck_assert(strncmp(s, HTML_START, strlen(HTML_START)) == 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "<tr class=\"level-red flagged\">"
	    "<th scope=\"row\">Skadegörelse</th><td class=\"score\">3</td>"
	    "<td class=\"mean\">1,67</td><td class=\"reports\">3</td>"
	    "<td class=\"events\">5</td><td class=\"trend trend-up\">upp från "
	    "1</td><td class=\"flag\">sedan 2026-W45 (3 veckor i rad)</td>"
	    "</tr>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<tr class=\"level-grey\">"
	    "<th scope=\"row\">Anlagda bränder</th><td class=\"score\">–</td>"
	    "<td class=\"mean\">–</td><td class=\"reports\">0</td>"
	    "<td class=\"events\">–</td><td class=\"trend trend-none\">ej "
	    "bedömt denna period</td><td class=\"flag\"></td></tr>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<p class=\"coverage\">3 av 4 "
	    "rapportörer har rapporterat.</p>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<p class=\"missing\">Har inte "
	    "rapporterat: <a href=\"mailto:david@example.org\">David Dahl"
	    "</a></p>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<p class=\"assessment\">Gemensam "
	    "bedömning av Kim Nyckel: Oro kring skolan "
	    "<span class=\"computed\">(rapporterna ger gult läge)</span></p>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<tr class=\"flag-closed\"><td>Norrby"
	    "</td><td>Klotter</td><td>2026-W40</td><td>4 av 6 veckor</td>"
	    "<td>2026-W46</td></tr>"));
	ck_assert_ptr_nonnull(strstr(s, "</table>\n</div>\n"));
	free(s);

	s = picture_to_html(pic, false);
	ck_assert_ptr_null(strstr(s, "mailto:"));
	ck_assert_ptr_null(strstr(s, "class=\"missing\""));
	free(s);
	picture_free(pic);
}
END_TEST

START_TEST(test_html_escapes_names)
{
	struct picture_input in;
	struct picture *pic;
	char *s;

	free(areas[0].name);
	areas[0].name = strdup("Öster & <Hamn>");
	n_statuses = 0;
	add_status("oster", PICTURE_YELLOW, "\"Vakt\" <b>kväll</b>", "K & K");
	input(&in);
	pic = picture_compile(&in);
	s = picture_to_html(pic, false);
	ck_assert_ptr_nonnull(strstr(s,
	    "<span class=\"area-name\">Öster "
	    "&amp; &lt;Hamn&gt;</span>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "Gemensam bedömning av K &amp; K: "
	    "&quot;Vakt&quot; &lt;b&gt;kväll&lt;/b&gt;"));
	ck_assert_ptr_null(strstr(s, "<b>"));
	free(s);
	picture_free(pic);
}
END_TEST

START_TEST(test_empty)
{
	struct picture_input in;
	struct picture *pic;
	json_t *doc, *want;
	char *s;

	memset(&in, 0, sizeof(in));
	in.label = "2026-W01";
	in.start = "2025-12-29";
	in.end = "2026-01-04";
	in.checklist = &cl;
	pic = picture_compile(&in);
	doc = picture_to_json(pic, true);
	want = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "period", "2026-W01",
	    "start", "2025-12-29", "end", "2026-01-04", "areas", "flags");
	expect_json(doc, want, "$");
	json_decref(want);
	json_decref(doc);
	s = picture_to_text(pic, true);
	ck_assert_str_eq(s,
	    "Lägesbild 2026-W01 (2025-12-29 – 2026-01-04)\n"
	    "\nInga områden.\n");
	free(s);
	s = picture_to_html(pic, true);
	ck_assert_ptr_nonnull(
	    strstr(s, "<p class=\"empty\">Inga områden.</p>"));
	free(s);
	picture_free(pic);
}
END_TEST

START_TEST(test_input_freed_after_compile)
{
	struct picture_input in;
	struct picture *pic;
	char *s;

	input(&in);
	pic = picture_compile(&in);
	/* The picture keeps its own copies. */
	teardown();
	n_areas = n_cur = n_prev = n_people = 0;
	s = picture_to_text(pic, true);
	ck_assert_str_eq(s, expected_text);
	free(s);
	picture_free(pic);
	setup();
}
END_TEST

START_TEST(test_level_names)
{
	enum picture_level l;

	ck_assert_str_eq(picture_level_name(PICTURE_GREY), "grey");
	ck_assert_str_eq(picture_level_name(PICTURE_GREEN), "green");
	ck_assert_str_eq(picture_level_name(PICTURE_YELLOW), "yellow");
	ck_assert_str_eq(picture_level_name(PICTURE_RED), "red");
	ck_assert_int_eq(picture_level_parse("yellow", &l), 0);
	ck_assert_int_eq(l, PICTURE_YELLOW);
	ck_assert_int_eq(picture_level_parse("red", &l), 0);
	ck_assert_int_eq(l, PICTURE_RED);
	ck_assert_int_eq(picture_level_parse("Red", &l), -1);
	ck_assert_int_eq(picture_level_parse("", &l), -1);
}
END_TEST

static Suite *
picture_suite(void)
{
	Suite *s = suite_create("picture");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_indicator_figures);
	tcase_add_test(tc, test_nothing_to_report);
	tcase_add_test(tc, test_not_assessed_is_not_zero);
	tcase_add_test(tc, test_mean_rounding);
	tcase_add_test(tc, test_coverage);
	tcase_add_test(tc, test_status_set);
	tcase_add_test(tc, test_area_order);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_json_whole);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_text_notes_and_flags);
	tcase_add_test(tc, test_html);
	tcase_add_test(tc, test_html_escapes_names);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_input_freed_after_compile);
	tcase_add_test(tc, test_level_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(picture_suite());
}
