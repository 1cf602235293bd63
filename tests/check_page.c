/*
 * Tests of the reporter's pages, rendered from the real reporter-form/
 * directory (the tests run from the top of the tree).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "page.h"
#include "testutil.h"

#define FORM_DIR "reporter-form"
/* 2026-11-20T14:03:00+01:00 */
#define SUBMITTED ((time_t)1795179780)

static char sv0[] = "Skadegörelse (t.ex. glaskross)";
static char en0[] = "Vandalism (e.g. broken glass)";
static char hsv0[] = "T.ex. krossat glas, förstörd utrustning";
static char hen0[] = "E.g. broken glass, damaged equipment";
static char sv1[] = "Klotter";
static char en1[] = "Graffiti";
static char sv2[] = "Anlagda bränder (bil, container, papperskorg)";
static char en2[] = "Arson (car, container, bin)";

static struct indicator items[3];
static struct checklist checklist = {3, items};

static char anna[] = "Anna Andersson";
static char centrum_slug[] = "centrum", norr_slug[] = "norr";
static char *two_slugs[] = {centrum_slug, norr_slug};
static char centrum_name[] = "Centrum";
static char norr_name[] = "Norr";

static struct page_period periods[2];
static struct area areas[2];
static struct person person;

static struct page_set *pages;

static void
setup(void)
{
	char *cause = NULL;

	/* Times on the pages are local; fix the zone for the test. */
	setenv("TZ", "CET-1", 1);
	tzset();

	memset(items, 0, sizeof(items));
	strcpy(items[0].key, "skadegorelse");
	items[0].sv = sv0;
	items[0].en = en0;
	items[0].help_sv = hsv0;
	items[0].help_en = hen0;
	strcpy(items[1].key, "klotter");
	items[1].sv = sv1;
	items[1].en = en1;
	strcpy(items[2].key, "brand");
	items[2].sv = sv2;
	items[2].en = en2;

	memset(periods, 0, sizeof(periods));
	periods[0].period.kind = PERIOD_WEEK;
	periods[0].period.year = 2026;
	periods[0].period.num = 47;
	periods[0].label = "2026-W47";
	periods[0].description = "vecka 47, 16–22 november";
	periods[1].period = periods[0].period;
	periods[1].period.num = 46;
	periods[1].label = "2026-W46";
	periods[1].description = "vecka 46, 9–15 november";

	memset(areas, 0, sizeof(areas));
	areas[0].id = 1;
	strcpy(areas[0].slug, "centrum");
	areas[0].name = centrum_name;
	areas[1].id = 2;
	strcpy(areas[1].slug, "norr");
	areas[1].name = norr_name;

	memset(&person, 0, sizeof(person));
	person.id = 7;
	person.name = anna;
	person.role = ROLE_REPORTER;
	person.active = true;
	person.n_areas = 1;
	person.areas = two_slugs;

	pages = page_load(FORM_DIR, &cause);
	ck_assert_msg(pages != NULL, "page_load: %s", cause ? cause : "?");
}

static void
teardown(void)
{
	page_free(pages);
	pages = NULL;
}

/* A form view of one area and one period, no values, in `lang`. */
static void
base_view(struct form_view *v, const char *lang)
{
	memset(v, 0, sizeof(*v));
	v->lang = lang;
	v->action = "/r/TOKEN";
	v->person = &person;
	v->areas = areas;
	v->n_areas = 1;
	v->area = "centrum";
	v->periods = periods;
	v->n_periods = 1;
	v->period_index = 0;
	v->checklist = &checklist;
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

#define HAS(html, s)                                                           \
	ck_assert_msg(strstr((html), (s)) != NULL, "missing: %s", (s))
#define HASNT(html, s)                                                         \
	ck_assert_msg(strstr((html), (s)) == NULL, "unexpected: %s", (s))

/*
 * What every page must be: a document in its language, the stylesheet
 * linked, one h1, the landmarks, and nothing the CSP would block. Every
 * id is unique and every id that aria-describedby or a label names
 * exists.
 */
static void
assert_page(const char *html, const char *lang)
{
	char want[64], id[128], ref[256], *tok, *save;
	const char *p, *q;
	json_t *ids = json_object();
	size_t n;

	snprintf(want, sizeof(want), "<html lang=\"%s\">", lang);
	ck_assert_msg(
	    strncmp(html, "<!DOCTYPE html>\n", 16) == 0, "no doctype first");
	HAS(html, want);
	HAS(html, "<meta charset=\"utf-8\">");
	HAS(html,
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">");
	HAS(html, "<link rel=\"stylesheet\" href=\"/static/estd.css\">");
	ck_assert_int_eq(count_of(html, "<h1"), 1);
	ck_assert_int_eq(count_of(html, "<title>"), 1);
	ck_assert_int_eq(count_of(html, "<header"), 1);
	ck_assert_int_eq(count_of(html, "<main id=\"main\">"), 1);
	ck_assert_int_eq(count_of(html, "<footer"), 1);
	HAS(html, "</html>\n");
	HASNT(html, "<script");
	HASNT(html, "<style");
	HASNT(html, "style=");
	HASNT(html, "javascript:");
	HASNT(html, " onclick");
	HASNT(html, "{{");

	for (p = html; (p = strstr(p, " id=\"")) != NULL; p = q) {
		p += 5;
		q = strchr(p, '"');
		n = (size_t)(q - p);
		ck_assert_uint_lt(n, sizeof(id));
		memcpy(id, p, n);
		id[n] = '\0';
		ck_assert_msg(
		    json_object_get(ids, id) == NULL, "duplicate id %s", id);
		json_object_set_new(ids, id, json_true());
	}
	for (p = html; (p = strstr(p, "aria-describedby=\"")) != NULL; p = q) {
		p += 18;
		q = strchr(p, '"');
		n = (size_t)(q - p);
		ck_assert_uint_lt(n, sizeof(ref));
		memcpy(ref, p, n);
		ref[n] = '\0';
		for (tok = strtok_r(ref, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			ck_assert_msg(json_object_get(ids, tok) != NULL,
			    "aria-describedby names unknown id %s", tok);
	}
	for (p = html; (p = strstr(p, "<label for=\"")) != NULL; p = q) {
		p += 12;
		q = strchr(p, '"');
		n = (size_t)(q - p);
		memcpy(id, p, n);
		id[n] = '\0';
		ck_assert_msg(json_object_get(ids, id) != NULL,
		    "label for unknown id %s", id);
	}
	for (p = html; (p = strstr(p, "class=\"choice")) != NULL; p = q) {
		q = strstr(p, "for=\"");
		ck_assert_ptr_nonnull(q);
		p = q + 5;
		q = strchr(p, '"');
		n = (size_t)(q - p);
		memcpy(id, p, n);
		id[n] = '\0';
		ck_assert_msg(json_object_get(ids, id) != NULL,
		    "label for unknown id %s", id);
	}
	json_decref(ids);
}

/*
 * The fieldset around `marker` (new string): from the "<fieldset" before
 * it to the "</fieldset>" after it.
 */
static char *
fieldset_of(const char *html, const char *marker)
{
	const char *m = strstr(html, marker), *start = NULL, *p, *end;

	ck_assert_msg(m != NULL, "missing: %s", marker);
	for (p = html; (p = strstr(p, "<fieldset")) != NULL && p < m; p++)
		start = p;
	ck_assert_ptr_nonnull(start);
	end = strstr(m, "</fieldset>");
	ck_assert_ptr_nonnull(end);
	return strndup(start, (size_t)(end - start));
}

/* The <div class="field..."> that holds the input with `id`. */
static char *
field_of(const char *html, const char *marker)
{
	const char *m = strstr(html, marker), *start = NULL, *p, *end;

	ck_assert_msg(m != NULL, "missing: %s", marker);
	for (p = html; (p = strstr(p, "<div class=\"field")) != NULL && p < m;
	     p++)
		start = p;
	ck_assert_ptr_nonnull(start);
	end = strstr(m, "</div>");
	ck_assert_ptr_nonnull(end);
	return strndup(start, (size_t)(end - start));
}

START_TEST(test_load)
{
	struct page_set *ps;
	const char *css;
	char *cause = NULL;
	size_t len;

	css = page_css(pages, &len);
	ck_assert_uint_eq(len, strlen(css));
	ck_assert_uint_gt(len, 1000);
	ck_assert_uint_lt(len, 8192);
	/* Place and note keep the reporter's line breaks. */
	HAS(css, ".text {\n\twhite-space: pre-wrap;");
	HAS(css, ":focus-visible");

	ps = page_load("/nonexistent/reporter-form", &cause);
	ck_assert_ptr_null(ps);
	ck_assert_str_eq(cause,
	    "/nonexistent/reporter-form: "
	    "No such file or directory");
	free(cause);
}
END_TEST

static char tmpdir[64];

static void
copy_file(const char *from, const char *to)
{
	char src[256], dst[256], buf[4096];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof(src), "%s/%s", FORM_DIR, from);
	snprintf(dst, sizeof(dst), "%s/%s", tmpdir, to);
	in = fopen(src, "r");
	ck_assert_ptr_nonnull(in);
	out = fopen(dst, "w");
	ck_assert_ptr_nonnull(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

/* Write i18n/LANG.json of the copy as the real one less member `drop`. */
static void
strings_without(const char *lang, const char *drop, const char *drop_sub)
{
	char path[256];
	json_t *t;

	snprintf(path, sizeof(path), "%s/i18n/%s.json", FORM_DIR, lang);
	t = json_load_file(path, 0, NULL);
	ck_assert_ptr_nonnull(t);
	if (drop_sub != NULL)
		json_object_del(json_object_get(t, drop), drop_sub);
	else if (drop != NULL)
		json_object_del(t, drop);
	snprintf(path, sizeof(path), "%s/i18n/%s.json", tmpdir, lang);
	ck_assert_int_eq(json_dump_file(t, path, JSON_INDENT(2)), 0);
	json_decref(t);
}

static const char *const form_files[] = {"head.html", "header.html",
    "footer.html", "form.html", "receipt.html", "error.html", "estd.css"};

static char *
load_copy_fails(void)
{
	struct page_set *ps;
	char *cause = NULL;

	ps = page_load(tmpdir, &cause);
	ck_assert_ptr_null(ps);
	ck_assert_ptr_nonnull(cause);
	return cause;
}

START_TEST(test_load_errors)
{
	struct page_set *ps;
	char path[256], want[256], *cause = NULL;
	size_t i;

	strcpy(tmpdir, "/tmp/check_page.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/i18n", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (i = 0; i < sizeof(form_files) / sizeof(form_files[0]); i++)
		copy_file(form_files[i], form_files[i]);
	strings_without("sv", NULL, NULL);
	strings_without("en", NULL, NULL);
	ps = page_load(tmpdir, &cause);
	ck_assert_msg(ps != NULL, "copy: %s", cause ? cause : "?");
	page_free(ps);

	/* A text missing in one language. */
	strings_without("en", "submit", NULL);
	cause = load_copy_fails();
	snprintf(want, sizeof(want), "%s/i18n/en.json: \"submit\" is missing",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(cause);
	strings_without("sv", "submit", NULL);
	ps = page_load(tmpdir, &cause);
	ck_assert_msg(ps != NULL, "both without: %s", cause ? cause : "?");
	page_free(ps);

	/* A text the program needs, missing in both. */
	strings_without("sv", "errors", "429");
	strings_without("en", "errors", "429");
	cause = load_copy_fails();
	snprintf(want, sizeof(want),
	    "%s/i18n/sv.json: \"errors.429\" needs "
	    "a \"title\" and a \"text\"",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(cause);
	strings_without("sv", NULL, NULL);
	strings_without("en", NULL, NULL);

	/* A broken template names its file and line. */
	snprintf(path, sizeof(path), "%s/receipt.html", tmpdir);
	ck_assert_int_eq(truncate(path, 0), 0);
	{
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fputs("{{>head}}\n<h1>{{#nothing}}x</h1>\n{{>footer}}\n", f);
		fclose(f);
	}
	cause = load_copy_fails();
	snprintf(want, sizeof(want),
	    "%s/receipt.html:2: section \"nothing\" "
	    "is not closed",
	    tmpdir);
	ck_assert_str_eq(cause, want);
	free(cause);

	/* A page the program renders must exist. */
	unlink(path);
	cause = load_copy_fails();
	snprintf(want, sizeof(want), "%s/receipt.html: missing", tmpdir);
	ck_assert_str_eq(cause, want);
	free(cause);

	for (i = 0; i < sizeof(form_files) / sizeof(form_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, form_files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/i18n/sv.json", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/i18n/en.json", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/i18n", tmpdir);
	rmdir(path);
	ck_assert_int_eq(rmdir(tmpdir), 0);
}
END_TEST

START_TEST(test_form_sv_default)
{
	struct form_view v;
	char *html;
	size_t len;

	base_view(&v, page_pick_lang(NULL, NULL));
	html = page_form(pages, &v, &len);
	ck_assert_uint_eq(len, strlen(html));
	assert_page(html, "sv");
	HAS(html, "<title>Rapportera läget – Centrum – EST lägesbild</title>");
	HAS(html, "<h1>Rapportera läget</h1>");
	HAS(html, "Hej Anna Andersson!");
	HAS(html, "<dt>Område</dt>\n<dd>Centrum</dd>");
	HAS(html, "<dd>vecka 47, 16–22 november</dd>");

	/* Every indicator, as a fieldset with its label as legend. */
	HAS(html, "<legend>Skadegörelse (t.ex. glaskross)</legend>");
	HAS(html, "<legend>Klotter</legend>");
	HAS(html,
	    "<legend>Anlagda bränder (bil, container, papperskorg)"
	    "</legend>");
	ck_assert_int_eq(count_of(html, "<fieldset"), 3);
	HAS(html,
	    "<fieldset class=\"indicator\" aria-describedby="
	    "\"help-skadegorelse\">\n<legend>");
	HAS(html,
	    "<p class=\"help\" id=\"help-skadegorelse\">T.ex. krossat "
	    "glas, förstörd utrustning</p>");
	HAS(html, "<fieldset class=\"indicator\">\n<legend>Klotter</legend>");

	/* Five choices each, "Ej bedömt" the default. */
	ck_assert_int_eq(count_of(html, "type=\"radio\""), 15);
	ck_assert_int_eq(count_of(html, " checked"), 3);
	HAS(html,
	    "<label class=\"choice level-0\" for=\"r-klotter-0\">"
	    "<input type=\"radio\" id=\"r-klotter-0\" name=\"r.klotter\" "
	    "value=\"0\"> <span>Inget observerat</span></label>");
	HAS(html, "value=\"1\"> <span>Enstaka</span>");
	HAS(html, "value=\"2\"> <span>Återkommande</span>");
	HAS(html, "value=\"3\"> <span>Omfattande</span>");
	HAS(html,
	    "<label class=\"choice level-none\" for=\"r-klotter-none\">"
	    "<input type=\"radio\" id=\"r-klotter-none\" name=\"r.klotter\" "
	    "value=\"\" checked> <span>Ej bedömt</span></label>");
	HAS(html,
	    "<label for=\"n-klotter\">Antal händelser (valfritt)"
	    "</label>");
	HAS(html,
	    "<input type=\"text\" id=\"n-klotter\" name=\"n.klotter\" "
	    "value=\"\" inputmode=\"numeric\" pattern=\"[0-9]*\"");

	/* One area, one period: no switcher, plain facts. */
	HASNT(html, "<select");
	HASNT(html, "method=\"get\"");

	/* "Inget att rapportera" in one tap. */
	HAS(html,
	    "<form class=\"nothing\" method=\"post\" action=\"/r/TOKEN\"");
	HAS(html,
	    "<button type=\"submit\" name=\"nothing\" value=\"1\" "
	    "class=\"secondary\" aria-describedby=\"nothing-hint\">"
	    "Inget att rapportera</button>");

	/* The report form and its hidden fields (both POST forms). */
	HAS(html,
	    "<form class=\"report\" method=\"post\" action=\"/r/TOKEN\" "
	    "enctype=\"application/x-www-form-urlencoded\"");
	ck_assert_int_eq(
	    count_of(html,
		"<input type=\"hidden\" name=\"area\" value=\"centrum\">"),
	    2);
	ck_assert_int_eq(
	    count_of(html,
		"<input type=\"hidden\" name=\"period\" value=\"2026-W47\">"),
	    2);
	ck_assert_int_eq(
	    count_of(
		html, "<input type=\"hidden\" name=\"lang\" value=\"sv\">"),
	    2);
	HAS(html,
	    "<button type=\"submit\" class=\"primary\">Skicka rapport"
	    "</button>");

	/* Free text, with the warning next to it and linked. */
	ck_assert_int_eq(
	    count_of(html,
		"Skriv inte namn, personnummer eller "
		"andra personuppgifter. Beskriv platser och situationer, inte "
		"personer."),
	    2);
	HAS(html, "<p class=\"warning\" id=\"place-warning\">Skriv inte namn");
	HAS(html,
	    "<input type=\"text\" id=\"place\" name=\"place\" value=\"\" "
	    "maxlength=\"200\" aria-describedby=\"place-warning\">");
	HAS(html,
	    "<textarea id=\"note\" name=\"note\" rows=\"5\" "
	    "maxlength=\"4000\" aria-describedby=\"note-warning\"></textarea>");

	/* The language link keeps area and period. */
	HAS(html,
	    "<a class=\"lang-switch\" href=\"?area=centrum&amp;"
	    "period=2026-W47&amp;lang=en\" hreflang=\"en\" lang=\"en\">"
	    "English</a>");

	HASNT(html, "role=\"alert\"");
	HASNT(html, "aria-invalid");
	HASNT(html, "Du har redan");
	free(html);
}
END_TEST

START_TEST(test_form_en)
{
	struct form_view v;
	char *html;

	base_view(&v, page_pick_lang("en", NULL));
	html = page_form(pages, &v, NULL);
	assert_page(html, "en");
	HAS(html,
	    "<title>Report the situation – Centrum – EST situational "
	    "picture</title>");
	HAS(html, "Hello Anna Andersson!");
	HAS(html, "<legend>Vandalism (e.g. broken glass)</legend>");
	HAS(html, "<legend>Graffiti</legend>");
	HAS(html, "<legend>Arson (car, container, bin)</legend>");
	HAS(html, "E.g. broken glass, damaged equipment");
	HAS(html, "<span>Nothing observed</span>");
	HAS(html, "<span>Isolated</span>");
	HAS(html, "<span>Recurring</span>");
	HAS(html, "<span>Extensive</span>");
	HAS(html, "<span>Not assessed</span>");
	HAS(html, "Number of events (optional)");
	HAS(html, ">Nothing to report</button>");
	HAS(html, ">Send report</button>");
	HAS(html,
	    "Do not write names, personal identity numbers or other "
	    "personal data. Describe places and situations, not people.");
	HAS(html, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	HAS(html,
	    "href=\"?area=centrum&amp;period=2026-W47&amp;lang=sv\" "
	    "hreflang=\"sv\" lang=\"sv\">Svenska</a>");
	HASNT(html, "Skicka rapport");
	HASNT(html, "Ej bedömt");
	free(html);
}
END_TEST

START_TEST(test_form_stored)
{
	struct form_view v;
	struct stored_report stored;
	char *html, *fs;

	memset(&stored, 0, sizeof(stored));
	report_init(&stored.report);
	strcpy(stored.report.area, "centrum");
	stored.report.has_period = true;
	stored.report.period = periods[0].period;
	stored.report.ratings[0] = 0;
	stored.report.ratings[1] = 2;
	stored.report.counts[1] = 3;
	stored.report.place = strdup("Torget");
	stored.report.note = strdup("Krossad busskur");
	stored.submitted = SUBMITTED;
	stored.revision = 2;
	stored.person_id = person.id;

	base_view(&v, "sv");
	v.stored = &stored;
	v.values = &stored.report;
	html = page_form(pages, &v, NULL);
	assert_page(html, "sv");
	HAS(html,
	    "<p class=\"notice\">Du har redan rapporterat för vecka 47, "
	    "16–22 november (version 2, skickad 20 november 14:03). Det du "
	    "skickar nu ersätter den.</p>");
	ck_assert_int_eq(count_of(html, " checked"), 3);
	HAS(html,
	    "id=\"r-skadegorelse-0\" name=\"r.skadegorelse\" "
	    "value=\"0\" checked>");
	HAS(html, "id=\"r-klotter-2\" name=\"r.klotter\" value=\"2\" checked>");
	HAS(html, "id=\"r-brand-none\" name=\"r.brand\" value=\"\" checked>");
	HASNT(html,
	    "id=\"r-klotter-none\" name=\"r.klotter\" value=\"\" "
	    "checked");
	HAS(html, "name=\"n.klotter\" value=\"3\"");
	HAS(html, "name=\"n.skadegorelse\" value=\"\"");
	HAS(html, "name=\"place\" value=\"Torget\"");
	HAS(html, ">Krossad busskur</textarea>");
	fs = fieldset_of(html, "<legend>Klotter</legend>");
	HAS(fs, "value=\"2\" checked> <span>Återkommande</span>");
	free(fs);
	free(html);

	base_view(&v, "en");
	v.stored = &stored;
	v.values = &stored.report;
	html = page_form(pages, &v, NULL);
	HAS(html,
	    "You have already reported for vecka 47, 16–22 november "
	    "(version 2, sent 20 November 14:03). What you send now replaces "
	    "it.");
	free(html);
	report_clear(&stored.report);
}
END_TEST

START_TEST(test_form_errors)
{
	struct form_view v;
	struct report values;
	struct report_errors errs;
	char *html, *fs;

	report_init(&values);
	strcpy(values.area, "centrum");
	values.ratings[0] = 1;
	values.note = strdup("Kvar efter felet");
	memset(&errs, 0, sizeof(errs));
	report_error_add(&errs, "r.klotter", "Välj 0–3 eller lämna tomt.",
	    "Choose 0–3 or leave it empty.");
	report_error_add(&errs, "n.brand", "Ange ett heltal 0–10000.",
	    "Enter a whole number 0–10000.");
	report_error_add(&errs, "place", "Platsen får vara högst 200 tecken.",
	    "The place may be at most 200 characters.");
	report_error_add(&errs, "", "Rapporten är tom.",
	    "The report is "
	    "empty.");

	base_view(&v, "sv");
	v.values = &values;
	v.errors = &errs;
	html = page_form(pages, &v, NULL);
	assert_page(html, "sv");
	HAS(html,
	    "<title>Fel: Rapportera läget – Centrum – EST lägesbild"
	    "</title>");

	/* The summary at the top, linking to each field. */
	HAS(html, "<div class=\"error-summary\" role=\"alert\"");
	ck_assert(strstr(html, "role=\"alert\"") <
	    strstr(html, "<form class=\"report\""));
	HAS(html,
	    "<li><a href=\"#r-klotter-0\">Klotter: Välj 0–3 eller lämna "
	    "tomt.</a></li>");
	HAS(html,
	    "<li><a href=\"#n-brand\">Anlagda bränder (bil, container, "
	    "papperskorg): Ange ett heltal 0–10000.</a></li>");
	HAS(html,
	    "<li><a href=\"#place\">Plats: Platsen får vara högst 200 "
	    "tecken.</a></li>");
	HAS(html, "<li>Rapporten är tom.</li>");

	/* The rating error inside its fieldset, linked from the radios. */
	fs = fieldset_of(html, "<legend>Klotter</legend>");
	HAS(fs, "<fieldset class=\"indicator invalid\">");
	HAS(fs,
	    "<p class=\"field-error\" id=\"error-r-klotter\"><span "
	    "class=\"visually-hidden\">Fel: </span>Välj 0–3 eller lämna "
	    "tomt.</p>");
	HAS(fs,
	    "<input type=\"radio\" id=\"r-klotter-0\" name=\"r.klotter\" "
	    "value=\"0\" aria-invalid=\"true\" "
	    "aria-describedby=\"error-r-klotter\">");
	ck_assert_int_eq(count_of(fs, "aria-invalid=\"true\""), 5);
	HAS(fs, "value=\"\" checked aria-invalid=\"true\"");
	free(fs);

	/* The count error in the fieldset of its indicator. */
	fs = fieldset_of(html, "<legend>Anlagda bränder");
	HAS(fs, "<p class=\"field-error\" id=\"error-n-brand\">");
	HAS(fs,
	    "name=\"n.brand\" value=\"\" inputmode=\"numeric\" "
	    "pattern=\"[0-9]*\" maxlength=\"5\" autocomplete=\"off\" "
	    "aria-invalid=\"true\" aria-describedby=\"error-n-brand\">");
	ck_assert_int_eq(count_of(fs, "aria-invalid=\"true\""), 1);
	free(fs);

	/* The untouched indicator keeps its submitted value, no error. */
	fs = fieldset_of(html, "<legend>Skadegörelse");
	HAS(fs, "value=\"1\" checked> <span>Enstaka</span>");
	HASNT(fs, "aria-invalid");
	HASNT(fs, "field-error");
	free(fs);

	/* The place error next to the place, described by warning and it. */
	fs = field_of(html, "id=\"place\"");
	HAS(fs, "<p class=\"field-error\" id=\"place-error\">");
	HAS(fs,
	    "aria-describedby=\"place-warning place-error\" "
	    "aria-invalid=\"true\">");
	free(fs);
	HAS(html, ">Kvar efter felet</textarea>");
	ck_assert_int_eq(count_of(html, "aria-invalid=\"true\""), 7);
	free(html);

	base_view(&v, "en");
	v.values = &values;
	v.errors = &errs;
	html = page_form(pages, &v, NULL);
	HAS(html, "<title>Error: Report the situation");
	HAS(html,
	    "<li><a href=\"#r-klotter-0\">Graffiti: Choose 0–3 or leave "
	    "it empty.</a></li>");
	HAS(html, "<li>The report is empty.</li>");
	free(html);
	report_clear(&values);
}
END_TEST

START_TEST(test_switcher)
{
	struct form_view v;
	char *html;

	/* Several areas and two periods: one GET form with both selects. */
	base_view(&v, "sv");
	v.n_areas = 2;
	v.area = "norr";
	v.n_periods = 2;
	html = page_form(pages, &v, NULL);
	assert_page(html, "sv");
	HAS(html,
	    "<form class=\"switcher\" method=\"get\" action=\"/r/TOKEN\">"
	    "\n<input type=\"hidden\" name=\"lang\" value=\"sv\">");
	HAS(html,
	    "<label for=\"area-select\">Område</label>\n"
	    "<select id=\"area-select\" name=\"area\">\n"
	    "<option value=\"centrum\">Centrum</option>\n"
	    "<option value=\"norr\" selected>Norr</option>\n</select>");
	HAS(html,
	    "<select id=\"period-select\" name=\"period\">\n"
	    "<option value=\"2026-W47\" selected>vecka 47, 16–22 november"
	    "</option>\n<option value=\"2026-W46\">vecka 46, 9–15 november"
	    "</option>\n</select>");
	HAS(html, ">Byt område</button>");
	HAS(html, "<title>Rapportera läget – Norr – EST lägesbild</title>");
	ck_assert_int_eq(
	    count_of(
		html, "<input type=\"hidden\" name=\"area\" value=\"norr\">"),
	    2);
	free(html);

	/* Previous period chosen. */
	v.period_index = 1;
	html = page_form(pages, &v, NULL);
	HAS(html, "<option value=\"2026-W46\" selected>");
	ck_assert_int_eq(
	    count_of(html,
		"<input type=\"hidden\" name=\"period\" value=\"2026-W46\">"),
	    2);
	free(html);

	/* One area, two periods: the period select alone. */
	base_view(&v, "sv");
	v.n_periods = 2;
	html = page_form(pages, &v, NULL);
	assert_page(html, "sv");
	HASNT(html, "name=\"area\" id=");
	HASNT(html, "<select id=\"area-select\"");
	HAS(html, "<select id=\"period-select\" name=\"period\">");
	HAS(html,
	    "<input type=\"hidden\" name=\"area\" value=\"centrum\">\n"
	    "<p><span class=\"term\">Område:</span> Centrum</p>");
	HAS(html, ">Byt period</button>");
	free(html);

	/* Several areas, one period. */
	base_view(&v, "en");
	v.n_areas = 2;
	html = page_form(pages, &v, NULL);
	HAS(html, "<select id=\"area-select\" name=\"area\">");
	HASNT(html, "<select id=\"period-select\"");
	HAS(html,
	    "<input type=\"hidden\" name=\"period\" value=\"2026-W47\">\n"
	    "<p><span class=\"term\">Period:</span> vecka 47, 16–22 november"
	    "</p>");
	HAS(html, ">Change area</button>");
	free(html);
}
END_TEST

START_TEST(test_escaping)
{
	struct form_view v;
	struct report values;
	struct area odd[1];
	struct person eve;
	char eve_name[] = "<b>Eve</b> & \"Co\"";
	char odd_name[] = "Öster & Väster <i>";
	char *html;

	memset(&eve, 0, sizeof(eve));
	eve.name = eve_name;
	memset(odd, 0, sizeof(odd));
	strcpy(odd[0].slug, "oster");
	odd[0].name = odd_name;
	report_init(&values);
	values.place = strdup("<script>alert(1)</script>");
	values.note = strdup("a & b\n\"quoted\" 'single' </textarea>");

	base_view(&v, "sv");
	v.person = &eve;
	v.areas = odd;
	v.area = "oster";
	v.values = &values;
	html = page_form(pages, &v, NULL);
	assert_page(html, "sv");
	HAS(html, "Hej &lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Co&quot;!");
	HAS(html, "<dd>Öster &amp; Väster &lt;i&gt;</dd>");
	HAS(html,
	    "<title>Rapportera läget – Öster &amp; Väster &lt;i&gt; – "
	    "EST lägesbild</title>");
	HAS(html, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;\"");
	HAS(html,
	    ">a &amp; b\n&quot;quoted&quot; &#39;single&#39; "
	    "&lt;/textarea&gt;</textarea>");
	HASNT(html, "<b>");
	HASNT(html, "<i>");
	free(html);
	report_clear(&values);
}
END_TEST

START_TEST(test_pick_lang)
{
	ck_assert_str_eq(page_pick_lang("en", NULL), "en");
	ck_assert_str_eq(page_pick_lang("sv", "en"), "sv");
	ck_assert_str_eq(page_pick_lang(NULL, "en-GB,en;q=0.9"), "en");
	ck_assert_str_eq(page_pick_lang(NULL, "sv-SE,en;q=0.5"), "sv");
	ck_assert_str_eq(page_pick_lang(NULL, NULL), "sv");
	ck_assert_str_eq(page_pick_lang("xx", "en"), "en");
	ck_assert_str_eq(page_pick_lang("EN", NULL), "en");
	ck_assert_str_eq(page_pick_lang("", "en"), "en");
	ck_assert_str_eq(page_pick_lang(NULL, ""), "sv");
	ck_assert_str_eq(page_pick_lang(NULL, "*"), "sv");
	ck_assert_str_eq(page_pick_lang(NULL, "fr"), "sv");
	ck_assert_str_eq(page_pick_lang(NULL, "en;q=0"), "sv");
	ck_assert_str_eq(page_pick_lang(NULL, "da, en;q=0.8, sv;q=0.9"), "sv");
	ck_assert_str_eq(
	    page_pick_lang(NULL, "fr-CA,fr;q=0.9,en-US;q=0.8,en;q=0.7"), "en");
	ck_assert_str_eq(page_pick_lang(NULL, "en-US;q=0.5, sv;q=0.50"), "en");
	ck_assert_str_eq(page_pick_lang(NULL, "svenska, english"), "sv");
}
END_TEST

static void
receipt_view(
    struct receipt_view *v, struct stored_report *stored, const char *lang)
{
	memset(stored, 0, sizeof(*stored));
	report_init(&stored->report);
	strcpy(stored->report.area, "centrum");
	stored->report.has_period = true;
	stored->report.period = periods[0].period;
	stored->report.ratings[0] = 0;
	stored->report.ratings[1] = 2;
	stored->report.counts[1] = 3;
	stored->report.counts[2] = 0;
	stored->report.place = strdup("Torget <norra delen>");
	stored->report.note = strdup("Rad ett\nRad <två> & \"tre\"");
	stored->submitted = SUBMITTED;
	stored->revision = 2;

	memset(v, 0, sizeof(*v));
	v->lang = lang;
	v->action = "/r/TOKEN";
	v->person = &person;
	v->area_name = "Centrum";
	v->period_description = "vecka 47, 16–22 november";
	v->checklist = &checklist;
	v->stored = stored;
	v->submitted = "20 november 14:03";
}

START_TEST(test_receipt)
{
	struct receipt_view v;
	struct stored_report stored;
	char *html;

	receipt_view(&v, &stored, "sv");
	html = page_receipt(pages, &v, NULL);
	assert_page(html, "sv");
	HAS(html, "<title>Rapporten är sparad – EST lägesbild</title>");
	HAS(html, "<h1>Tack! Rapporten är sparad.</h1>");
	HAS(html,
	    "<dt>Område</dt>\n<dd>Centrum</dd>\n<dt>Period</dt>\n"
	    "<dd>vecka 47, 16–22 november</dd>");
	HAS(html, "Version 2, skickad 20 november 14:03.");
	HAS(html,
	    "<tr><th scope=\"row\">Skadegörelse (t.ex. glaskross)</th>"
	    "<td><span class=\"rating level-0\">Inget observerat</span></td>"
	    "</tr>");
	HAS(html,
	    "<tr><th scope=\"row\">Klotter</th><td><span class=\"rating "
	    "level-2\">Återkommande</span><span class=\"events\">Antal: 3"
	    "</span></td></tr>");
	/* A count of 0 is an answer too. */
	HAS(html,
	    "<tr><th scope=\"row\">Anlagda bränder (bil, container, "
	    "papperskorg)</th><td><span class=\"rating level-none\">Ej "
	    "bedömt</span><span class=\"events\">Antal: 0</span></td></tr>");
	HAS(html, "<p class=\"text\">Torget &lt;norra delen&gt;</p>");
	HAS(html,
	    "<p class=\"text\">Rad ett\nRad &lt;två&gt; &amp; "
	    "&quot;tre&quot;</p>");
	HAS(html,
	    "<a href=\"/r/TOKEN?area=centrum&amp;period=2026-W47&amp;"
	    "lang=sv\">Ändra rapporten</a>");
	HASNT(html, "Rapportera för ett annat område");
	HAS(html,
	    "href=\"?area=centrum&amp;period=2026-W47&amp;lang=en\" "
	    "hreflang=\"en\"");
	HASNT(html, "inget att rapportera");
	free(html);

	/* Two areas: a link to the next one. */
	person.n_areas = 2;
	html = page_receipt(pages, &v, NULL);
	HAS(html,
	    "<a href=\"/r/TOKEN?area=norr&amp;period=2026-W47&amp;"
	    "lang=sv\">Rapportera för ett annat område</a>");
	free(html);
	person.n_areas = 1;

	/* "Nothing to report" says so instead of listing zeros. */
	stored.report.nothing = true;
	html = page_receipt(pages, &v, NULL);
	HAS(html, "Du rapporterade: inget att rapportera.");
	HASNT(html, "<table");
	free(html);
	report_clear(&stored.report);

	receipt_view(&v, &stored, "en");
	v.submitted = NULL;
	html = page_receipt(pages, &v, NULL);
	assert_page(html, "en");
	HAS(html, "<h1>Thank you! The report is saved.</h1>");
	HAS(html, "Version 2, sent 20 November 14:03.");
	HAS(html, ">Not assessed</span>");
	HAS(html, ">Recurring</span>");
	HAS(html, "<th scope=\"row\">Graffiti</th>");
	HAS(html, "lang=en\">Change the report</a>");
	free(html);
	report_clear(&stored.report);
}
END_TEST

START_TEST(test_error_pages)
{
	static const struct {
		int status;
		const char *lang;
		const char *title;
		const char *text;
	} cases[] = {
	    {401, "sv", "Länken fungerar inte",
		"Den personliga länken är "
		"okänd eller avstängd. Be samordnaren i din kommun om en "
		"ny länk."},
	    {401, "en", "The link does not work",
		"Ask the coordinator in "
		"your municipality for a new link."},
	    {403, "sv", "Inte tillåtet", "Ingenting sparades."},
	    {404, "sv", "Sidan finns inte", "hela din personliga länk"},
	    {413, "sv", "Rapporten är för lång", "Korta kommentaren"},
	    {429, "sv", "För många försök",
		"Vänta en minut och försök "
		"igen."},
	    {429, "en", "Too many attempts",
		"Wait a minute and try "
		"again."},
	    {500, "sv", "Något gick fel", "ingenting sparades"},
	    {503, "en", "The service is busy",
		"Try again in a few "
		"minutes."},
	    {400, "sv", "Formuläret kunde inte läsas",
		"ingenting "
		"sparades"},
	    {418, "sv", "Något gick fel", "Felkod: 418"},
	};
	char *html, want[256];
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		html = page_error(pages, cases[i].lang, cases[i].status, &len);
		ck_assert_uint_eq(len, strlen(html));
		assert_page(html, cases[i].lang);
		snprintf(want, sizeof(want), "<h1>%s</h1>", cases[i].title);
		HAS(html, want);
		snprintf(want, sizeof(want), "<title>%s – ", cases[i].title);
		HAS(html, want);
		HAS(html, cases[i].text);
		HAS(html, "href=\"?lang=");
		free(html);
	}
}
END_TEST

static Suite *
page_suite(void)
{
	Suite *s = suite_create("page");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_form_sv_default);
	tcase_add_test(tc, test_form_en);
	tcase_add_test(tc, test_form_stored);
	tcase_add_test(tc, test_form_errors);
	tcase_add_test(tc, test_switcher);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_pick_lang);
	tcase_add_test(tc, test_receipt);
	tcase_add_test(tc, test_error_pages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(page_suite());
}
