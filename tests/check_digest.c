/*
 * check_digest: the key function's digest and the reporter's reminder,
 * rendered with the real templates of reporter-form/mail/.
 *
 * The fixture is the picture of 2026-W47 for a key function with three
 * areas, written out by hand as picture_to_json would give it:
 *
 *   Centrum  red, 3 of 4 reported (David Dahl missing). Skadegörelse 3
 *            (was 2: escalated), 5 events, flagged since 2026-W45 (3
 *            weeks). Klotter 2 (was 1: new in yellow). Nedskräpning 1
 *            (same). Two notes, one with "<script>" and "&".
 *   Åby      yellow, 1 of 1. Klotter 2 (same), 0 events, flagged this
 *            week (a new flag). Nedskräpning 1 (was 2: resolved).
 *   Norrby   green, 1 of 2 (Bo Berg missing). Skadegörelse 1 (was 3:
 *            resolved). A flag closed this week.
 *
 * The text and HTML are compared byte for byte with tests/golden/; on a
 * mismatch the actual output is written to build/golden/ for diffing.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "digest.h"
#include "flags.h"
#include "picture.h"
#include "report.h"
#include "store.h"
#include "testutil.h"
#include "tmpl.h"

#define MAIL_DIR "reporter-form/mail"
#define GOLDEN_DIR "tests/golden"
#define ACTUAL_DIR "build/golden"
#define URL "https://est.example/k/picture/2026-W47"

static char sv_skad[] = "Skadegörelse";
static char sv_klotter[] = "Klotter";
static char sv_nedskr[] = "Nedskräpning";
static char sv_brand[] = "Anlagda bränder";

static struct indicator items[] = {
    {.key = "skadegorelse", .sv = sv_skad},
    {.key = "klotter", .sv = sv_klotter},
    {.key = "nedskrapning", .sv = sv_nedskr},
    {.key = "brand", .sv = sv_brand},
};
static const struct checklist cl = {4, items};

static struct tmpl_set *set;

static void
setup(void)
{
	char *cause = NULL;

	set = tmpl_set_load(MAIL_DIR, &cause);
	if (set == NULL)
		ck_abort_msg("%s", cause);
}

static void
teardown(void)
{
	tmpl_set_free(set);
	set = NULL;
}

/* One indicator as picture_to_json writes it; score -1 for null. */
static json_t *
ind(const char *key, int score, int reports, int events, const char *level,
    const char *trend, bool flagged)
{
	return json_pack("{s:s, s:o, s:o, s:i, s:o, s:s, s:s, s:b}", "key", key,
	    "score", score < 0 ? json_null() : json_integer(score), "mean",
	    score < 0 ? json_null() : json_real(score), "reports", reports,
	    "events", events < 0 ? json_null() : json_integer(events), "level",
	    level, "trend", trend, "flagged", flagged);
}

static json_t *
area(const char *slug, const char *name, const char *status, int expected,
    int reported)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:[], s:[], s:[]}", "area",
	    slug, "name", name, "status", status, "reporters_expected",
	    expected, "reporters_reported", reported, "missing", "indicators",
	    "notes");
}

static void
add_ind(json_t *a, json_t *i)
{
	json_array_append_new(json_object_get(a, "indicators"), i);
}

static void
add_note(json_t *a, const char *place, const char *text)
{
	json_array_append_new(json_object_get(a, "notes"),
	    json_pack("{s:o, s:o}", "place",
		place != NULL ? json_string(place) : json_null(), "text",
		text != NULL ? json_string(text) : json_null()));
}

static void
add_missing(json_t *a, const char *name, const char *email)
{
	json_array_append_new(json_object_get(a, "missing"),
	    json_pack("{s:s, s:s}", "name", name, "email", email));
}

static void
add_flag(json_t *pic, const char *a, const char *indicator, const char *opened,
    const char *reason, const char *closed)
{
	json_t *f;

	f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "area", a, "indicator",
	    indicator, "opened", opened, "reason", reason, "reason_en", "",
	    "status", closed != NULL ? "closed" : "open");
	if (closed != NULL)
		json_object_set_new(f, "closed", json_string(closed));
	json_array_append_new(json_object_get(pic, "flags"), f);
}

static json_t *
picture(const char *period, const char *start, const char *end)
{
	return json_pack("{s:s, s:s, s:s, s:[], s:[]}", "period", period,
	    "start", start, "end", end, "areas", "flags");
}

static void
add_area(json_t *pic, json_t *a)
{
	json_array_append_new(json_object_get(pic, "areas"), a);
}

/* The picture of the fixture (new reference). */
static json_t *
fixture(void)
{
	json_t *pic, *a;

	pic = picture("2026-W47", "2026-11-16", "2026-11-22");

	a = area("centrum", "Centrum", "red", 4, 3);
	add_missing(a, "David Dahl", "david@example.org");
	add_ind(a, ind("skadegorelse", 3, 3, 5, "red", "up", true));
	add_ind(a, ind("klotter", 2, 2, -1, "yellow", "up", false));
	add_ind(a, ind("nedskrapning", 1, 1, -1, "green", "same", false));
	add_ind(a, ind("brand", -1, 0, -1, "grey", "none", false));
	add_note(a, "Torget",
	    "Krossad busskur vid hållplatsen.\r\n"
	    "Glas på marken.");
	add_note(a, NULL,
	    "Klotter med texten <script>alert('x')</script> "
	    "på skylten & bänken.");
	add_area(pic, a);

	a = area("aby", "Åby", "yellow", 1, 1);
	add_ind(a, ind("skadegorelse", 0, 1, -1, "green", "same", false));
	add_ind(a, ind("klotter", 2, 1, 0, "yellow", "same", true));
	add_ind(a, ind("nedskrapning", 1, 1, -1, "green", "down", false));
	add_ind(a, ind("brand", -1, 0, -1, "grey", "none", false));
	add_note(a, "Skolgården", NULL);
	add_area(pic, a);

	a = area("norr", "Norrby", "green", 2, 1);
	add_missing(a, "Bo Berg", "bo@example.org");
	add_ind(a, ind("skadegorelse", 1, 1, -1, "green", "down", false));
	add_ind(a, ind("klotter", 0, 1, -1, "green", "same", false));
	add_ind(a, ind("nedskrapning", -1, 0, -1, "grey", "none", false));
	add_ind(a, ind("brand", -1, 0, -1, "grey", "none", false));
	add_area(pic, a);

	add_flag(
	    pic, "centrum", "skadegorelse", "2026-W45", "3 veckor i rad", NULL);
	add_flag(pic, "aby", "klotter", "2026-W47", "4 av 6 veckor", NULL);
	add_flag(pic, "norr", "skadegorelse", "2026-W40", "3 veckor i rad",
	    "2026-W47");
	return pic;
}

/* The previous week's picture of the same areas (new reference). */
static json_t *
fixture_previous(void)
{
	json_t *pic, *a;

	pic = picture("2026-W46", "2026-11-09", "2026-11-15");
	a = area("centrum", "Centrum", "yellow", 4, 4);
	add_ind(a, ind("skadegorelse", 2, 4, -1, "yellow", "same", true));
	add_ind(a, ind("klotter", 1, 2, -1, "green", "new", false));
	add_ind(a, ind("nedskrapning", 1, 1, -1, "green", "same", false));
	add_ind(a, ind("brand", -1, 0, -1, "grey", "none", false));
	add_area(pic, a);
	a = area("aby", "Åby", "yellow", 1, 1);
	add_ind(a, ind("skadegorelse", 0, 1, -1, "green", "same", false));
	add_ind(a, ind("klotter", 2, 1, -1, "yellow", "up", false));
	add_ind(a, ind("nedskrapning", 2, 1, -1, "yellow", "up", false));
	add_area(pic, a);
	a = area("norr", "Norrby", "red", 2, 2);
	add_ind(a, ind("skadegorelse", 3, 2, -1, "red", "same", false));
	add_ind(a, ind("klotter", 0, 1, -1, "green", "same", false));
	add_area(pic, a);
	return pic;
}

static void
input_init(struct digest_input *in, json_t *pic, json_t *prev)
{
	memset(in, 0, sizeof(*in));
	in->picture = pic;
	in->previous = prev;
	in->checklist = &cl;
	in->name = "Kim Nyckel";
	in->url = URL;
	in->week = "v. 47";
}

/* Render the fixture with its previous picture; fails the test on -1. */
static void
render_fixture(struct digest_mail *m, size_t max_areas, size_t max_lines)
{
	struct digest_input in;
	json_t *pic = fixture(), *prev = fixture_previous();
	char *cause = NULL;

	input_init(&in, pic, prev);
	in.max_areas = max_areas;
	in.max_lines = max_lines;
	if (digest_render(set, &in, m, &cause) == -1)
		ck_abort_msg("digest_render: %s", cause);
	json_decref(pic);
	json_decref(prev);
}

static char *
slurp(const char *path)
{
	FILE *f;
	char *s;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/*
 * Compare with tests/golden/NAME; on a mismatch write the actual bytes
 * to build/golden/NAME and fail naming both files.
 */
static void
golden(const char *name, const char *actual)
{
	char gpath[256], apath[256];
	char *want;
	FILE *f;
	bool same;

	snprintf(gpath, sizeof(gpath), "%s/%s", GOLDEN_DIR, name);
	snprintf(apath, sizeof(apath), "%s/%s", ACTUAL_DIR, name);
	want = slurp(gpath);
	same = want != NULL && strcmp(want, actual) == 0;
	free(want);
	if (same)
		return;
	mkdir("build", 0777);
	mkdir(ACTUAL_DIR, 0777);
	if ((f = fopen(apath, "wb")) != NULL) {
		fputs(actual, f);
		fclose(f);
	}
	ck_abort_msg(
	    "%s differs from %s (diff -u %s %s)", apath, gpath, gpath, apath);
}

/* The number of times `needle` occurs in `hay`. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* a occurs in s, and before b. */
static void
assert_order(const char *s, const char *a, const char *b)
{
	const char *pa = strstr(s, a), *pb = strstr(s, b);

	ck_assert_msg(pa != NULL, "missing: %s", a);
	ck_assert_msg(pb != NULL, "missing: %s", b);
	ck_assert_msg(pa < pb, "\"%s\" is not before \"%s\"", a, b);
}

START_TEST(subject_exact)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	ck_assert_str_eq(m.subject, "Lägesbild v. 47: 1 rött, 1 gult område");
	digest_mail_clear(&m);
	ck_assert_ptr_null(m.subject);
	ck_assert_ptr_null(m.text);
	ck_assert_ptr_null(m.html);
}
END_TEST

START_TEST(text_golden)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	golden("digest.txt", m.text);
	digest_mail_clear(&m);
}
END_TEST

START_TEST(html_golden)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	golden("digest.html", m.html);
	digest_mail_clear(&m);
}
END_TEST

START_TEST(changes_first)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	/* The changes come before the areas, grouped, in area order. */
	assert_order(m.text, "Det här har ändrats", "Nytt i gult eller rött");
	assert_order(m.text,
	    "Nytt i gult eller rött läge:\n"
	    "- Centrum, Klotter: återkommande (2), förra perioden "
	    "enstaka (1).\n",
	    "Från gult till rött läge:\n"
	    "- Centrum, Skadegörelse: omfattande (3), förra perioden "
	    "återkommande (2).\n");
	assert_order(m.text, "Från gult till rött",
	    "Tillbaka i grönt läge:\n"
	    "- Åby, Nedskräpning: enstaka (1), förra perioden "
	    "återkommande (2).\n"
	    "- Norrby, Skadegörelse: enstaka (1), förra perioden "
	    "omfattande (3).\n");
	assert_order(m.text, "Tillbaka i grönt",
	    "Nya kvarstående problem:\n"
	    "- Åby, Klotter: 4 av 6 veckor.\n");
	assert_order(m.text, "Nya kvarstående problem", "Områden\n-------\n");
	/* Unchanged items and the closed flag are not changes. */
	ck_assert_ptr_null(strstr(m.text, "- Centrum, Nedskräpning"));
	ck_assert_ptr_null(strstr(m.text, "- Åby, Klotter: återkommande"));
	ck_assert_ptr_null(strstr(m.text, "2026-W40"));
	digest_mail_clear(&m);
}
END_TEST

START_TEST(areas_by_status)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic = fixture(), *areas, *green;
	char *cause = NULL;

	/* Green first in the document: the mail still shows red first. */
	areas = json_object_get(pic, "areas");
	green = json_incref(json_array_get(areas, 2));
	json_array_remove(areas, 2);
	json_array_insert_new(areas, 0, green);
	input_init(&in, pic, NULL);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	assert_order(m.text, "\nCentrum: rött läge\n", "\nÅby: gult läge\n");
	assert_order(m.text, "\nÅby: gult läge\n", "\nNorrby: grönt läge\n");
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(no_previous)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic = fixture();
	char *cause = NULL;

	input_init(&in, pic, NULL);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "Det här har ändrats\n"
	    "-------------------\n"
	    "Det finns ingen lägesbild från förra perioden att jämföra "
	    "med.\n\nNya kvarstående problem:\n- Åby, Klotter: 4 av 6 "
	    "veckor.\n"));
	ck_assert_ptr_null(strstr(m.text, "Nytt i gult"));
	ck_assert_ptr_null(strstr(m.text, "Tillbaka i grönt"));
	/* Without the previous score the trend has no "från". */
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - Skadegörelse: omfattande "
	    "(3), upp, 5 händelser.\n"));
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(nothing_changed)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic = fixture();
	char *cause = NULL;

	/* Compared with itself, less the flag opened this week. */
	json_array_remove(json_object_get(pic, "flags"), 1);
	input_init(&in, pic, pic);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "-------------------\n"
	    "Inget har gått till eller från gult eller rött läge sedan förra "
	    "perioden.\n\nOmråden\n"));
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(area_details)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\nCentrum: rött läge\n"
	    "  - Skadegörelse: omfattande (3), upp från 2, 5 händelser.\n"
	    "    Kvarstående sedan v. 45 (3 veckor), flaggat efter 3 veckor "
	    "i rad.\n"
	    "  - Klotter: återkommande (2), upp från 1.\n"
	    "  Rapportörerna skriver:\n"
	    "  - Torget: Krossad busskur vid hållplatsen.\n"
	    "    Glas på marken.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  3 av 4 rapportörer har "
	    "rapporterat.\n  Har inte rapporterat: David Dahl "
	    "<david@example.org>\n"));
	/* 0 events is not worth a word; a flag of this week is 1 week. */
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - Klotter: återkommande (2), "
	    "oförändrat.\n    Kvarstående sedan v. 47 (1 vecka), flaggat "
	    "efter 4 av 6 veckor.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - Skolgården\n"
	    "  1 av 1 rapportör har rapporterat.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\nNorrby: grönt läge\n"
	    "  Inget i gult eller rött läge.\n"
	    "  1 av 2 rapportörer har rapporterat.\n"
	    "  Har inte rapporterat: Bo Berg <bo@example.org>\n"));
	/* The link closes the mail, after every area. */
	assert_order(m.text, "Norrby: grönt läge", URL "\n");
	ck_assert_int_eq(count(m.html, "href=\"" URL "\""), 2);
	ck_assert_ptr_nonnull(strstr(m.html,
	    "<a href=\"mailto:david@example.org\" style=\"color:#1f4e79;\">"
	    "David Dahl</a>"));
	digest_mail_clear(&m);
}
END_TEST

START_TEST(cap_areas)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic, *a;
	char slug[16], name[32], *cause = NULL;
	int i;

	pic = picture("2026-W47", "2026-11-16", "2026-11-22");
	for (i = 0; i < 20; i++) {
		snprintf(slug, sizeof(slug), "omr-%02d", i + 1);
		snprintf(name, sizeof(name), "Område %02d", i + 1);
		a = area(slug, name, i < 2 ? "yellow" : "green", 1, 1);
		add_ind(a,
		    ind("klotter", i < 2 ? 2 : 1, 1, -1,
			i < 2 ? "yellow" : "green", "same", false));
		add_area(pic, a);
	}
	input_init(&in, pic, NULL);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_str_eq(m.subject, "Lägesbild v. 47: 2 gula områden");
	ck_assert_ptr_nonnull(strstr(m.text,
	    "för dina 20 områden:\n"
	    "2 i gult läge, 18 i grönt läge.\n"));
	/* Twelve areas (01-12) in full, then the count and the link. */
	ck_assert_int_eq(count(m.text, "\nOmråde "), 12);
	ck_assert_ptr_nonnull(strstr(m.text, "\nOmråde 12: grönt läge\n"));
	ck_assert_ptr_null(strstr(m.text, "Område 13"));
	assert_order(m.text,
	    "\n… och 8 områden till. Alla områden finns i "
	    "lägesbilden på webben.\n",
	    URL);
	ck_assert_int_eq(count(m.html, "<h3 "), 12);
	ck_assert_ptr_nonnull(strstr(m.html, "… och 8 områden till."));
	assert_order(m.html, "och 8 områden till", "href=\"" URL "\"");
	digest_mail_clear(&m);

	/* 19 areas beyond one: the singular. */
	in.max_areas = 19;
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_ptr_nonnull(strstr(m.text, "… och 1 område till."));
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(cap_lines)
{
	struct digest_mail m;

	/* Centrum's 2 lines fit; Åby's 1 more would not: 2 areas left. */
	render_fixture(&m, 0, 2);
	ck_assert_ptr_nonnull(strstr(m.text, "\nCentrum: rött läge\n"));
	ck_assert_ptr_null(strstr(m.text, "\nÅby: gult läge\n"));
	ck_assert_ptr_nonnull(strstr(m.text, "… och 2 områden till."));
	/* 5 changes, 2 shown. */
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\n… och 3 ändringar till i "
	    "lägesbilden på webben.\n"));
	ck_assert_ptr_null(strstr(m.text, "Tillbaka i grönt"));
	digest_mail_clear(&m);

	/* The first area alone is too long: it is cut, never left out. */
	render_fixture(&m, 0, 1);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\nCentrum: rött läge\n"
	    "  - Skadegörelse: omfattande (3), upp från 2, 5 händelser.\n"
	    "    Kvarstående sedan v. 45 (3 veckor), flaggat efter 3 veckor "
	    "i rad.\n"
	    "  … och 1 punkt till i lägesbilden på webben.\n"));
	ck_assert_ptr_nonnull(strstr(m.text, "… och 4 ändringar till"));
	ck_assert_ptr_nonnull(
	    strstr(m.html, "… och 1 punkt till i <a href=\"" URL "\""));
	digest_mail_clear(&m);
}
END_TEST

START_TEST(html_escapes)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	ck_assert_ptr_null(strstr(m.html, "<script"));
	ck_assert_ptr_nonnull(strstr(m.html,
	    "Klotter med texten "
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; på skylten "
	    "&amp; bänken."));
	/* The text part shows the note as written. */
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - Klotter med texten "
	    "<script>alert('x')</script> på skylten & bänken.\n"));
	/* Colour and word together, inline styles, no <style>. */
	ck_assert_ptr_nonnull(strstr(m.html,
	    "color:#ffffff;\">rött läge"
	    "</span></h3>"));
	ck_assert_ptr_null(strstr(m.html, "<style"));
	ck_assert_ptr_null(strstr(m.html, "<img"));
	ck_assert_ptr_null(strstr(m.html, "class="));
	ck_assert_ptr_nonnull(strstr(m.html, "max-width:640px"));
	digest_mail_clear(&m);
}
END_TEST

START_TEST(text_entities_kept)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic = fixture();
	char *cause = NULL;

	/* A note that itself holds an entity reads as written. */
	add_note(json_array_get(json_object_get(pic, "areas"), 2), "P&amp;R",
	    "&lt;b&gt; \"citat\"");
	input_init(&in, pic, NULL);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - P&amp;R: &lt;b&gt; "
	    "\"citat\"\n"));
	ck_assert_ptr_nonnull(strstr(m.html,
	    "<strong>P&amp;amp;R</strong>: "
	    "&amp;lt;b&amp;gt; &quot;citat&quot;"));
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(swedish_intact)
{
	struct digest_mail m;

	render_fixture(&m, 0, 0);
	ck_assert_ptr_nonnull(strstr(m.text, "Hej Kim Nyckel!\n"));
	ck_assert_ptr_nonnull(strstr(m.text, "\nÅby: gult läge\n"));
	ck_assert_ptr_nonnull(strstr(m.text, "Nedskräpning"));
	ck_assert_ptr_nonnull(strstr(m.html, ">Åby <span"));
	ck_assert_ptr_nonnull(strstr(m.html, "Glas på marken."));
	/* No character but the note's quote is written as an entity. */
	ck_assert_int_eq(count(m.html, "&#"), count(m.html, "&#39;"));
	ck_assert_ptr_nonnull(strstr(m.html, "<html lang=\"sv\">"));
	ck_assert_ptr_nonnull(strstr(m.html,
	    "<title>Lägesbild v. 47: 1 rött, "
	    "1 gult område</title>"));
	digest_mail_clear(&m);
}
END_TEST

/* The subject of a picture with the given area statuses. */
static void
subject_of(
    const char *const *statuses, const char *week, char *out, size_t size)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic;
	char slug[16], *cause = NULL;
	int i;

	pic = picture("2026-W47", "2026-11-16", "2026-11-29");
	for (i = 0; statuses[i] != NULL; i++) {
		snprintf(slug, sizeof(slug), "a%d", i);
		add_area(pic, area(slug, slug, statuses[i], 0, 0));
	}
	input_init(&in, pic, NULL);
	in.week = week;
	if (digest_render(set, &in, &m, &cause) == -1)
		ck_abort_msg("%s", cause);
	snprintf(out, size, "%s", m.subject);
	digest_mail_clear(&m);
	json_decref(pic);
}

START_TEST(subjects)
{
	static const char *const two_two[] = {
	    "red", "yellow", "red", "yellow", "green", NULL};
	static const char *const red[] = {"green", "red", NULL};
	static const char *const reds[] = {"red", "red", NULL};
	static const char *const green[] = {"green", "grey", NULL};
	static const char *const none[] = {NULL};
	char s[128];

	subject_of(two_two, "v. 47–48", s, sizeof(s));
	ck_assert_str_eq(s, "Lägesbild v. 47–48: 2 röda, 2 gula områden");
	subject_of(red, "v. 47", s, sizeof(s));
	ck_assert_str_eq(s, "Lägesbild v. 47: 1 rött område");
	subject_of(reds, "v. 47", s, sizeof(s));
	ck_assert_str_eq(s, "Lägesbild v. 47: 2 röda områden");
	subject_of(green, "v. 47", s, sizeof(s));
	ck_assert_str_eq(s, "Lägesbild v. 47: inga gula eller röda områden");
	subject_of(none, "v. 47", s, sizeof(s));
	ck_assert_str_eq(s, "Lägesbild v. 47: inga områden");
}
END_TEST

START_TEST(flag_duration)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic, *a;
	char *cause = NULL;

	/* Over a new year: 2026 has 53 weeks, so W51..2027-W02 is 5. */
	pic = picture("2027-W02", "2027-01-11", "2027-01-17");
	a = area("centrum", "Centrum", "red", 0, 0);
	add_ind(a, ind("skadegorelse", 3, 1, -1, "red", "same", true));
	add_area(pic, a);
	add_flag(
	    pic, "centrum", "skadegorelse", "2026-W51", "3 veckor i rad", NULL);
	input_init(&in, pic, NULL);
	in.name = NULL;
	in.week = "v. 2";
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "    Kvarstående sedan v. 51 "
	    "2026 (5 veckor), flaggat efter 3 veckor i rad.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "Hej!\n\nHär är lägesbilden för "
	    "v. 2 för ditt område.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\n  Inga rapportörer är kopplade "
	    "till området.\n"));
	digest_mail_clear(&m);
	json_decref(pic);

	/* A fortnight (W47-48) flagged since W45: 4 weeks to its end. */
	pic = picture("2026-W47", "2026-11-16", "2026-11-29");
	a = area("centrum", "Centrum", "red", 0, 0);
	add_ind(a, ind("skadegorelse", 1, 1, -1, "green", "down", true));
	add_area(pic, a);
	/* An open flag of an indicator the checklist no longer has. */
	add_flag(pic, "centrum", "skadegorelse", "2026-W45", "3 perioder i rad",
	    NULL);
	add_flag(pic, "centrum", "gammal", "2026-W43", "4 av 6 perioder", NULL);
	input_init(&in, pic, NULL);
	in.week = "v. 47–48";
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	/* A flagged indicator is shown even when it is green again. */
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - Skadegörelse: enstaka (1), "
	    "ned.\n    Kvarstående sedan v. 45 (4 veckor), flaggat efter 3 "
	    "perioder i rad.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "  - gammal: ej bedömt denna "
	    "period.\n    Kvarstående sedan v. 43 (6 veckor), flaggat efter 4 "
	    "av 6 perioder.\n"));
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(joint_assessment)
{
	struct digest_mail m;
	struct digest_input in;
	json_t *pic = fixture(), *a;
	char *cause = NULL;

	a = json_array_get(json_object_get(pic, "areas"), 1);
	json_object_set_new(a, "status", json_string("red"));
	json_object_set_new(a, "status_set_by", json_string("Kim Nyckel"));
	json_object_set_new(a, "assessment",
	    json_string("Oro inför helgen.\nExtra rondering."));
	json_object_set_new(a, "status_computed", json_string("yellow"));
	input_init(&in, pic, NULL);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_str_eq(m.subject, "Lägesbild v. 47: 2 röda områden");
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\nÅby: rött läge\n"
	    "  Gemensam bedömning av Kim Nyckel; rapporterna ger gult "
	    "läge.\n  Bedömning: Oro inför helgen.\n    Extra rondering.\n"));
	/* Same status, the picture's order: Centrum before Åby. */
	assert_order(m.text, "\nCentrum: rött läge", "\nÅby: rött läge");
	digest_mail_clear(&m);
	json_decref(pic);
}
END_TEST

START_TEST(errors)
{
	struct digest_mail m;
	struct digest_input in;
	struct tmpl_set *small;
	json_t *bad = json_pack("{s:s}", "period", "2026-W47");
	json_t *pic = fixture();
	char *cause = NULL;

	input_init(&in, bad, NULL);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), -1);
	ck_assert_str_eq(cause,
	    "the picture is not an object with an "
	    "\"areas\" array");
	ck_assert_ptr_null(m.subject);
	free(cause);
	in.picture = NULL;
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), -1);
	free(cause);

	ck_assert_int_eq(digest_check_templates(set, &cause), 0);
	ck_assert_ptr_null(cause);
	small =
	    tmpl_set_parse("digest-subject.txt", "Lägesbild {{week}}", &cause);
	ck_assert_ptr_nonnull(small);
	ck_assert_int_eq(digest_check_templates(small, &cause), -1);
	ck_assert_str_eq(cause, "no mail template \"digest.txt\"");
	free(cause);
	input_init(&in, pic, NULL);
	ck_assert_int_eq(digest_render(small, &in, &m, &cause), -1);
	ck_assert_str_eq(cause, "no mail template \"digest.txt\"");
	ck_assert_ptr_null(m.subject);
	ck_assert_ptr_null(m.text);
	free(cause);
	tmpl_set_free(small);
	json_decref(bad);
	json_decref(pic);
}
END_TEST

START_TEST(from_compiled_picture)
{
	static const int anna[4] = {3, 2, -1, -1};
	static const int prev[4] = {2, -1, -1, -1};
	struct area ar = {.id = 1, .slug = "centrum"};
	struct person people[2];
	struct stored_report cur, old;
	struct picture_flag fl;
	struct picture_input pin;
	struct picture *p;
	struct digest_mail m;
	struct digest_input in;
	json_t *pic, *ppic;
	char *areas_a[] = {ar.slug}, *cause = NULL;
	size_t i;

	ar.name = (char *)(uintptr_t) "Centrum";
	memset(people, 0, sizeof(people));
	people[0] = (struct person){.id = 1,
	    .name = (char *)(uintptr_t) "Anna Ahl",
	    .email = (char *)(uintptr_t) "anna@example.org",
	    .role = ROLE_REPORTER,
	    .active = true,
	    .n_areas = 1,
	    .areas = areas_a};
	people[1] = people[0];
	people[1].id = 2;
	people[1].name = (char *)(uintptr_t) "Bo Berg";
	people[1].email = (char *)(uintptr_t) "bo@example.org";
	memset(&cur, 0, sizeof(cur));
	cur.person_id = 1;
	snprintf(cur.report.area, sizeof(cur.report.area), "centrum");
	for (i = 0; i < INDICATORS_MAX; i++) {
		cur.report.ratings[i] = RATING_NONE;
		cur.report.counts[i] = COUNT_NONE;
	}
	old = cur;
	for (i = 0; i < 4; i++) {
		cur.report.ratings[i] = anna[i];
		old.report.ratings[i] = prev[i];
	}
	cur.report.place = (char *)(uintptr_t) "Torget";
	cur.report.note = (char *)(uintptr_t) "Krossad busskur";
	memset(&fl, 0, sizeof(fl));
	fl.area = "centrum";
	fl.indicator = "skadegorelse";
	snprintf(fl.episode.opened, sizeof(fl.episode.opened), "2026-W45");
	snprintf(fl.episode.reason_sv, sizeof(fl.episode.reason_sv),
	    "3 veckor i rad");

	memset(&pin, 0, sizeof(pin));
	pin.label = "2026-W46";
	pin.start = "2026-11-09";
	pin.end = "2026-11-15";
	pin.checklist = &cl;
	pin.areas = &ar;
	pin.n_areas = 1;
	pin.reports = &old;
	pin.n_reports = 1;
	pin.people = people;
	pin.n_people = 2;
	p = picture_compile(&pin);
	ppic = picture_to_json(p, true);
	picture_free(p);

	pin.label = "2026-W47";
	pin.start = "2026-11-16";
	pin.end = "2026-11-22";
	pin.reports = &cur;
	pin.previous = &old;
	pin.n_previous = 1;
	pin.flags = &fl;
	pin.n_flags = 1;
	p = picture_compile(&pin);
	pic = picture_to_json(p, true);
	picture_free(p);

	input_init(&in, pic, ppic);
	ck_assert_int_eq(digest_render(set, &in, &m, &cause), 0);
	ck_assert_str_eq(m.subject, "Lägesbild v. 47: 1 rött område");
	ck_assert_ptr_nonnull(strstr(m.text,
	    "\nCentrum: rött läge\n"
	    "  - Skadegörelse: omfattande (3), upp från 2.\n"
	    "    Kvarstående sedan v. 45 (3 veckor), flaggat efter 3 veckor "
	    "i rad.\n"
	    "  - Klotter: återkommande (2), ny.\n"
	    "  Rapportörerna skriver:\n"
	    "  - Torget: Krossad busskur\n"
	    "  1 av 2 rapportörer har rapporterat.\n"
	    "  Har inte rapporterat: Bo Berg <bo@example.org>\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "Nytt i gult eller rött läge:\n"
	    "- Centrum, Klotter: återkommande (2), förra perioden ej "
	    "bedömt.\n"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "Från gult till rött läge:\n"
	    "- Centrum, Skadegörelse: omfattande (3), förra perioden "
	    "återkommande (2).\n"));
	digest_mail_clear(&m);
	json_decref(pic);
	json_decref(ppic);
}
END_TEST

static const char *const two_areas[] = {"Centrum", "Åby & Hagen"};

static void
reminder_init(struct digest_reminder *r, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->name = "Anna Ahl";
	r->week = "vecka 47";
	r->period = "vecka 47, 16–22 november";
	r->areas = two_areas;
	r->n_areas = n;
	r->url = "https://est.example/r/AbC123";
}

START_TEST(reminder_golden)
{
	struct digest_reminder r;
	struct digest_mail m;
	char *cause = NULL;

	reminder_init(&r, 2);
	ck_assert_int_eq(digest_render_reminder(set, &r, &m, &cause), 0);
	ck_assert_str_eq(m.subject, "Påminnelse: rapportera för vecka 47");
	golden("reminder.txt", m.text);
	ck_assert_ptr_nonnull(strstr(m.html,
	    "<td style=\"padding:2px 0 2px "
	    "10px;border-left:3px solid #1f4e79;font-weight:bold;\">"
	    "Åby &amp; Hagen</td>"));
	ck_assert_int_eq(
	    count(m.html, "href=\"https://est.example/r/AbC123\""), 2);
	ck_assert_ptr_nonnull(strstr(m.html,
	    "<title>Påminnelse: rapportera "
	    "för vecka 47</title>"));
	ck_assert_ptr_nonnull(strstr(m.html, "bortse från det här mejlet"));
	digest_mail_clear(&m);
}
END_TEST

START_TEST(reminder_one_area)
{
	struct digest_reminder r;
	struct digest_mail m;
	char *cause = NULL;

	reminder_init(&r, 1);
	r.name = NULL;
	ck_assert_int_eq(digest_render_reminder(set, &r, &m, &cause), 0);
	ck_assert_ptr_nonnull(strstr(m.text,
	    "Hej!\n\nVi har ännu ingen "
	    "rapport från dig för vecka 47, 16–22 november, för Centrum.\n"
	    "\nRapportera här, det tar ett par minuter:\n"
	    "https://est.example/r/AbC123\n"));
	ck_assert_ptr_null(strstr(m.text, "Åby"));
	ck_assert_ptr_nonnull(strstr(m.text,
	    "Har du redan rapporterat kan du "
	    "bortse från det här mejlet.\n"));
	ck_assert_ptr_nonnull(strstr(m.html, "för <strong>Centrum</strong>."));
	digest_mail_clear(&m);
}
END_TEST

static Suite *
digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc;

	tc = tcase_create("digest");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, subject_exact);
	tcase_add_test(tc, text_golden);
	tcase_add_test(tc, html_golden);
	tcase_add_test(tc, changes_first);
	tcase_add_test(tc, areas_by_status);
	tcase_add_test(tc, no_previous);
	tcase_add_test(tc, nothing_changed);
	tcase_add_test(tc, area_details);
	tcase_add_test(tc, cap_areas);
	tcase_add_test(tc, cap_lines);
	tcase_add_test(tc, html_escapes);
	tcase_add_test(tc, text_entities_kept);
	tcase_add_test(tc, swedish_intact);
	tcase_add_test(tc, subjects);
	tcase_add_test(tc, flag_duration);
	tcase_add_test(tc, joint_assessment);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, from_compiled_picture);
	suite_add_tcase(s, tc);

	tc = tcase_create("reminder");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reminder_golden);
	tcase_add_test(tc, reminder_one_area);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(digest_suite());
}
