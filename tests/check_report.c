/*
 * check_report: decoding of JSON bodies and form fields, the whole-report
 * rules, error fields and messages, and the JSON encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "conf.h"
#include "report.h"
#include "testutil.h"

/* Indices in the test checklist. */
enum { SKADEGORELSE, KLOTTER, BRAND, VALD, NITEMS };

static struct indicator items[NITEMS] = {
    {"skadegorelse", NULL, NULL, NULL, NULL},
    {"klotter", NULL, NULL, NULL, NULL},
    {"brand", NULL, NULL, NULL, NULL},
    {"vald", NULL, NULL, NULL, NULL},
};
static const struct checklist cl = {NITEMS, items};

static const char *const hidden[] = {"lang", "csrf", NULL};

static const char *MSG_EMPTY_SV =
    "Fyll i minst en rad, eller välj Inget att rapportera.";
static const char *MSG_EMPTY_EN =
    "Fill in at least one row, or choose Nothing to report.";
static const char *MSG_RATING_SV = "Välj 0–3 eller lämna tomt.";
static const char *MSG_RATING_EN = "Choose 0–3 or leave it empty.";
static const char *MSG_COUNT_SV = "Ange ett heltal 0–10000.";
static const char *MSG_PLACE_LONG_SV = "Platsen får vara högst 200 tecken.";
static const char *MSG_UNKNOWN_IND_SV = "Okänd punkt i checklistan.";

static enum report_status
from_json(const char *body, struct report *r, struct report_errors *e)
{
	return report_from_json(body, strlen(body), &cl, r, e);
}

static enum report_status
form(struct report *r, const char *name, const char *value,
    struct report_errors *e)
{
	return report_form_field(r, &cl, name, value, strlen(value), hidden, e);
}

/* Exactly one error, on `field`, with the Swedish message `sv`. */
static void
expect_error(const struct report_errors *e, const char *field, const char *sv)
{
	ck_assert_uint_eq(e->n, 1);
	ck_assert_str_eq(e->e[0].field, field);
	if (sv != NULL)
		ck_assert_str_eq(e->e[0].sv, sv);
	ck_assert_ptr_nonnull(e->e[0].en);
	ck_assert_int_gt((int)strlen(e->e[0].en), 0);
}

/* A JSON body refused with one error on `field`. */
static void
expect_json_invalid(const char *body, const char *field, const char *sv)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_msg(from_json(body, &r, &e) == REPORT_INVALID, "%s", body);
	expect_error(&e, field, sv);
	report_clear(&r);
}

static void
expect_json_malformed(const char *body, size_t len)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(
	    report_from_json(body, len, &cl, &r, &e), REPORT_MALFORMED);
	expect_error(&e, "", NULL);
	report_clear(&r);
}

/* n copies of s. */
static char *
repeat(const char *s, size_t n)
{
	size_t len = strlen(s), i;
	char *out = malloc(len * n + 1);

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

static char *
json_dump(const struct report *r)
{
	json_t *o = report_to_json(r, &cl);
	char *s;

	ck_assert_ptr_nonnull(o);
	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(o);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_init)
{
	struct report r;
	int i;

	memset(&r, 0x55, sizeof(r));
	report_init(&r);
	ck_assert_str_eq(r.area, "");
	ck_assert(!r.has_period);
	ck_assert(!r.nothing);
	ck_assert_ptr_null(r.place);
	ck_assert_ptr_null(r.note);
	for (i = 0; i < INDICATORS_MAX; i++) {
		ck_assert_int_eq(r.ratings[i], RATING_NONE);
		ck_assert_int_eq(r.counts[i], COUNT_NONE);
	}
	report_clear(&r);
	report_clear(&r);
}
END_TEST

START_TEST(test_json_contract_example)
{
	const char *body =
	    "{\"area\": \"centrum\", \"period\": \"2026-W47\",\n"
	    " \"ratings\": {\"skadegorelse\": 2, \"klotter\": 0},\n"
	    " \"counts\":  {\"skadegorelse\": 3},\n"
	    " \"place\": \"Torget\", \"note\": \"Krossad busskur\", "
	    "\"nothing\": false}";
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(from_json(body, &r, &e), REPORT_OK);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_str_eq(r.area, "centrum");
	ck_assert(r.has_period);
	ck_assert_int_eq(r.period.kind, PERIOD_WEEK);
	ck_assert_int_eq(r.period.year, 2026);
	ck_assert_int_eq(r.period.num, 47);
	ck_assert_int_eq(r.ratings[SKADEGORELSE], 2);
	ck_assert_int_eq(r.ratings[KLOTTER], 0);
	ck_assert_int_eq(r.ratings[BRAND], RATING_NONE);
	ck_assert_int_eq(r.ratings[VALD], RATING_NONE);
	ck_assert_int_eq(r.counts[SKADEGORELSE], 3);
	ck_assert_int_eq(r.counts[KLOTTER], COUNT_NONE);
	ck_assert_int_eq(r.counts[BRAND], COUNT_NONE);
	ck_assert_str_eq(r.place, "Torget");
	ck_assert_str_eq(r.note, "Krossad busskur");
	ck_assert(!r.nothing);
	report_clear(&r);
}
END_TEST

START_TEST(test_json_current_period)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(from_json("{\"area\":\"norr-2\",\"ratings\":"
				   "{\"vald\":3}}",
			     &r, &e),
	    REPORT_OK);
	ck_assert(!r.has_period);
	ck_assert_str_eq(r.area, "norr-2");
	ck_assert_int_eq(r.ratings[VALD], 3);
	ck_assert_ptr_null(r.place);
	ck_assert_ptr_null(r.note);
	report_clear(&r);

	ck_assert_int_eq(from_json("{\"area\":\"norr\",\"period\":null,"
				   "\"ratings\":{\"vald\":1}}",
			     &r, &e),
	    REPORT_OK);
	ck_assert(!r.has_period);
	report_clear(&r);

	/* 2026 has 53 ISO weeks. */
	ck_assert_int_eq(from_json("{\"area\":\"norr\",\"period\":"
				   "\"2026-W53\",\"ratings\":{\"vald\":1}}",
			     &r, &e),
	    REPORT_OK);
	ck_assert(r.has_period);
	ck_assert_int_eq(r.period.num, 53);
	report_clear(&r);
}
END_TEST

START_TEST(test_json_not_assessed)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(
	    from_json(
		"{\"area\":\"centrum\",\"ratings\":"
		"{\"klotter\":null,\"brand\":0},\"counts\":{\"brand\":null,"
		"\"vald\":0},\"place\":null,\"note\":null}",
		&r, &e),
	    REPORT_OK);
	ck_assert_int_eq(r.ratings[KLOTTER], RATING_NONE);
	ck_assert_int_eq(r.ratings[BRAND], 0);
	ck_assert_int_eq(r.ratings[SKADEGORELSE], RATING_NONE);
	ck_assert_int_eq(r.counts[BRAND], COUNT_NONE);
	ck_assert_int_eq(r.counts[VALD], 0);
	ck_assert_int_eq(r.ratings[VALD], RATING_NONE);
	report_clear(&r);
}
END_TEST

START_TEST(test_json_counts_without_rating)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(from_json("{\"area\":\"centrum\",\"counts\":"
				   "{\"klotter\":10000}}",
			     &r, &e),
	    REPORT_OK);
	ck_assert_int_eq(r.counts[KLOTTER], 10000);
	ck_assert_int_eq(r.ratings[KLOTTER], RATING_NONE);
	report_clear(&r);
}
END_TEST

START_TEST(test_json_malformed)
{
	static const char *const bodies[] = {
	    "",
	    "{",
	    "[1]",
	    "1",
	    "\"centrum\"",
	    "null",
	    "{\"area\":\"centrum\"} x",
	    "{'area':'centrum'}",
	    /* Escaped NUL, Latin-1 byte, overlong slash. */
	    "{\"note\":\"a\\u0000b\"}",
	    "{\"note\":\"Sk\xf6nt\"}",
	    "{\"note\":\"\xc0\xaf\"}",
	    /* Duplicate members, at the top and inside. */
	    "{\"area\":\"a\",\"area\":\"b\"}",
	    "{\"ratings\":{\"klotter\":1,\"klotter\":2}}",
	};
	const char nul_after[] = "{\"area\":\"centrum\"}\0";
	const char nul_inside[] = "{\"area\":\"cen\0trum\"}";
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		expect_json_malformed(bodies[i], strlen(bodies[i]));
	expect_json_malformed(nul_after, sizeof(nul_after) - 1);
	expect_json_malformed(nul_inside, sizeof(nul_inside) - 1);
	expect_json_malformed(NULL, 0);
}
END_TEST

START_TEST(test_json_malformed_message)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(from_json("[1]", &r, &e), REPORT_MALFORMED);
	ck_assert_str_eq(e.e[0].sv,
	    "Begäran kunde inte läsas: den ska vara ett JSON-objekt.");
	ck_assert_str_eq(e.e[0].en,
	    "The request could not be read: it must be a JSON object.");
	report_clear(&r);
}
END_TEST

START_TEST(test_json_unknown_member)
{
	expect_json_invalid("{\"area\":\"centrum\",\"ratings\":{\"klotter\":1},"
			    "\"colour\":\"red\"}",
	    "colour", "Okänt fält.");
	expect_json_invalid("{\"area\":\"centrum\",\"nothing\":true,"
			    "\"Area\":\"x\"}",
	    "Area", "Okänt fält.");
}
END_TEST

START_TEST(test_json_unknown_indicator)
{
	expect_json_invalid("{\"area\":\"centrum\",\"ratings\":{\"okand\":1}}",
	    "ratings.okand", MSG_UNKNOWN_IND_SV);
	expect_json_invalid("{\"area\":\"centrum\",\"ratings\":{\"klotter\":1},"
			    "\"counts\":{\"Klotter\":1}}",
	    "counts.Klotter", MSG_UNKNOWN_IND_SV);
}
END_TEST

START_TEST(test_json_bad_ratings)
{
	static const char *const bad[] = {
	    "4",
	    "-1",
	    "\"2\"",
	    "1.5",
	    "3.5",
	    "2.0",
	    "true",
	    "[2]",
	    "{}",
	    "1e0",
	    "99999999999",
	};
	char body[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
		    "{\"area\":\"centrum\","
		    "\"ratings\":{\"vald\":1,\"klotter\":%s}}",
		    bad[i]);
		expect_json_invalid(body, "ratings.klotter", MSG_RATING_SV);
	}
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"ratings\":[1]}", "ratings", NULL);
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"ratings\":null}", "ratings", NULL);
}
END_TEST

START_TEST(test_json_bad_counts)
{
	static const char *const bad[] = {
	    "-1",
	    "10001",
	    "\"3\"",
	    "2.5",
	    "false",
	    "1e3",
	};
	char body[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
		    "{\"area\":\"centrum\","
		    "\"counts\":{\"klotter\":%s}}",
		    bad[i]);
		expect_json_invalid(body, "counts.klotter", MSG_COUNT_SV);
	}
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"counts\":3}", "counts", NULL);
}
END_TEST

START_TEST(test_json_area)
{
	char *forty = repeat("a", 40), *fortyone = repeat("b", 41);
	char body[256];
	struct report r;
	struct report_errors e = {0};

	expect_json_invalid("{\"area\":\"Centrum\",\"nothing\":true}", "area",
	    "Området finns inte. Välj ett område i listan.");
	expect_json_invalid("{\"area\":\"s\xc3\xb6"
			    "der\",\"nothing\":true}",
	    "area", NULL);
	expect_json_invalid(
	    "{\"area\":\"a b\",\"nothing\":true}", "area", NULL);
	expect_json_invalid("{\"area\":1,\"nothing\":true}", "area", NULL);
	expect_json_invalid("{\"area\":null,\"nothing\":true}", "area", NULL);
	expect_json_invalid("{\"nothing\":true}", "area", "Välj ett område.");
	expect_json_invalid(
	    "{\"area\":\"\",\"nothing\":true}", "area", "Välj ett område.");
	snprintf(
	    body, sizeof(body), "{\"area\":\"%s\",\"nothing\":true}", fortyone);
	expect_json_invalid(body, "area", NULL);
	snprintf(
	    body, sizeof(body), "{\"area\":\"%s\",\"nothing\":true}", forty);
	ck_assert_int_eq(from_json(body, &r, &e), REPORT_OK);
	ck_assert_str_eq(r.area, forty);
	report_clear(&r);
	free(forty);
	free(fortyone);
}
END_TEST

START_TEST(test_json_period)
{
	static const char *const bad[] = {
	    "\"2026-W54\"",
	    "\"2025-W53\"",
	    "\"2026-Q3\"",
	    "\"2026\"",
	    "\"2026-w47\"",
	    "\"2026-W7\"",
	    "\" 2026-W47\"",
	    "\"\"",
	    "202647",
	    "\"vecka 47\"",
	};
	char body[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
		    "{\"area\":\"centrum\","
		    "\"period\":%s,\"nothing\":true}",
		    bad[i]);
		expect_json_invalid(
		    body, "period", "Ogiltig vecka. Skriv den som 2026-W47.");
	}
}
END_TEST

START_TEST(test_json_place_length)
{
	char *ok = repeat("ö", 200), *too_long = repeat("ö", 201);
	char *body;
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_gt(asprintf(&body,
			     "{\"area\":\"centrum\","
			     "\"place\":\"%s\"}",
			     ok),
	    0);
	ck_assert_int_eq(from_json(body, &r, &e), REPORT_OK);
	ck_assert_str_eq(r.place, ok);
	ck_assert_uint_eq(strlen(r.place), 400);
	report_clear(&r);
	free(body);

	ck_assert_int_gt(asprintf(&body,
			     "{\"area\":\"centrum\","
			     "\"place\":\"%s\"}",
			     too_long),
	    0);
	expect_json_invalid(body, "place", MSG_PLACE_LONG_SV);
	free(body);

	/* 200 ASCII letters plus surrounding space is fine: trimmed first. */
	free(ok);
	ok = repeat("x", 200);
	ck_assert_int_gt(asprintf(&body,
			     "{\"area\":\"centrum\","
			     "\"place\":\"  %s \\n\"}",
			     ok),
	    0);
	ck_assert_int_eq(from_json(body, &r, &e), REPORT_OK);
	ck_assert_str_eq(r.place, ok);
	report_clear(&r);
	free(body);
	free(ok);
	free(too_long);
}
END_TEST

START_TEST(test_json_note_length)
{
	char *ok = repeat("å", 4000), *too_long = repeat("a", 4001);
	char *body;
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_gt(asprintf(&body,
			     "{\"area\":\"centrum\","
			     "\"note\":\"%s\"}",
			     ok),
	    0);
	ck_assert_int_eq(from_json(body, &r, &e), REPORT_OK);
	ck_assert_uint_eq(strlen(r.note), 8000);
	report_clear(&r);
	free(body);

	ck_assert_int_gt(asprintf(&body,
			     "{\"area\":\"centrum\","
			     "\"note\":\"%s\"}",
			     too_long),
	    0);
	expect_json_invalid(
	    body, "note", "Anteckningen får vara högst 4000 tecken.");
	free(body);
	free(ok);
	free(too_long);
}
END_TEST

START_TEST(test_json_control_chars)
{
	struct report r;
	struct report_errors e = {0};

	expect_json_invalid("{\"area\":\"centrum\",\"place\":\"Tor\\nget\"}",
	    "place", "Skriv platsen på en rad, utan specialtecken.");
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"place\":\"Tor\\tget\"}", "place", NULL);
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"place\":\"a\\u0085b\"}", "place", NULL);
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"place\":\"a\\u007fb\"}", "place", NULL);
	expect_json_invalid("{\"area\":\"centrum\",\"note\":\"a\\u0001b\"}",
	    "note", "Anteckningen innehåller otillåtna specialtecken.");
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"note\":\"a\\u001bb\"}", "note", NULL);
	expect_json_invalid("{\"area\":\"centrum\",\"place\":7}", "place",
	    "Platsen ska vara text.");
	expect_json_invalid("{\"area\":\"centrum\",\"note\":[]}", "note",
	    "Anteckningen ska vara text.");

	ck_assert_int_eq(from_json("{\"area\":\"centrum\",\"note\":"
				   "\" Rad 1\\r\\nRad 2\\n\\tindrag\\u2028 \"}",
			     &r, &e),
	    REPORT_OK);
	ck_assert_str_eq(r.note, "Rad 1\r\nRad 2\n\tindrag\xe2\x80\xa8");
	report_clear(&r);
}
END_TEST

START_TEST(test_json_blank_text)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(from_json("{\"area\":\"centrum\",\"place\":\"  \","
				   "\"note\":\"\",\"ratings\":{\"brand\":1}}",
			     &r, &e),
	    REPORT_OK);
	ck_assert_ptr_null(r.place);
	ck_assert_ptr_null(r.note);
	report_clear(&r);

	/* Only blank text: nothing was reported. */
	expect_json_invalid("{\"area\":\"centrum\",\"place\":\" \\t \","
			    "\"note\":\"\\n\"}",
	    "", MSG_EMPTY_SV);
}
END_TEST

START_TEST(test_json_nothing)
{
	struct report r;
	struct report_errors e = {0};
	int i;

	ck_assert_int_eq(
	    from_json("{\"area\":\"centrum\",\"nothing\":true}", &r, &e),
	    REPORT_OK);
	ck_assert(r.nothing);
	for (i = 0; i < NITEMS; i++) {
		ck_assert_int_eq(r.ratings[i], 0);
		ck_assert_int_eq(r.counts[i], COUNT_NONE);
	}
	/* Beyond the checklist nothing is touched. */
	ck_assert_int_eq(r.ratings[NITEMS], RATING_NONE);
	report_clear(&r);

	ck_assert_int_eq(
	    from_json("{\"area\":\"centrum\",\"nothing\":true,"
		      "\"ratings\":{\"klotter\":0},\"note\":\"Lugnt\"}",
		&r, &e),
	    REPORT_OK);
	ck_assert_int_eq(r.ratings[BRAND], 0);
	ck_assert_str_eq(r.note, "Lugnt");
	report_clear(&r);

	expect_json_invalid("{\"area\":\"centrum\",\"nothing\":true,"
			    "\"ratings\":{\"klotter\":2}}",
	    "nothing",
	    "Du valde Inget att rapportera men angav också en bedömning "
	    "över 0. Ändra det ena.");
	expect_json_invalid("{\"area\":\"centrum\",\"nothing\":\"true\"}",
	    "nothing", "Inget att rapportera ska vara sant eller falskt.");
	expect_json_invalid(
	    "{\"area\":\"centrum\",\"nothing\":1}", "nothing", NULL);
}
END_TEST

START_TEST(test_json_empty)
{
	struct report r;
	struct report_errors e = {0};

	ck_assert_int_eq(
	    from_json("{\"area\":\"centrum\"}", &r, &e), REPORT_INVALID);
	expect_error(&e, "", MSG_EMPTY_SV);
	ck_assert_str_eq(e.e[0].en, MSG_EMPTY_EN);
	report_clear(&r);

	expect_json_invalid("{\"area\":\"centrum\",\"nothing\":false,"
			    "\"ratings\":{\"klotter\":null},\"counts\":{}}",
	    "", MSG_EMPTY_SV);
	/* A refused rating is not also called an empty report. */
	expect_json_invalid("{\"area\":\"centrum\",\"ratings\":"
			    "{\"klotter\":4}}",
	    "ratings.klotter", MSG_RATING_SV);
}
END_TEST

START_TEST(test_json_many_errors)
{
	struct report r;
	struct report_errors e = {0};

	e.n = 5; /* emptied by report_from_json */
	ck_assert_int_eq(
	    from_json("{\"area\":\"Centrum\",\"period\":"
		      "\"2026-W54\",\"ratings\":{\"klotter\":4,\"okand\":1},"
		      "\"counts\":{\"brand\":-1},\"x\":1}",
		&r, &e),
	    REPORT_INVALID);
	ck_assert_uint_eq(e.n, 6);
	ck_assert_str_eq(e.e[0].field, "area");
	ck_assert_str_eq(e.e[1].field, "period");
	ck_assert_str_eq(e.e[2].field, "ratings.klotter");
	ck_assert_str_eq(e.e[3].field, "ratings.okand");
	ck_assert_str_eq(e.e[4].field, "counts.brand");
	ck_assert_str_eq(e.e[5].field, "x");
	ck_assert_str_eq(e.e[2].en, MSG_RATING_EN);
	report_clear(&r);
}
END_TEST

START_TEST(test_json_errors_capped)
{
	struct report r;
	struct report_errors e = {0};
	char body[512];
	size_t len;
	int i;

	len = (size_t)snprintf(body, sizeof(body), "{\"area\":\"centrum\"");
	for (i = 0; i < 30; i++)
		len += (size_t)snprintf(
		    body + len, sizeof(body) - len, ",\"u%d\":1", i);
	snprintf(body + len, sizeof(body) - len, "}");
	ck_assert_int_eq(from_json(body, &r, &e), REPORT_INVALID);
	ck_assert_uint_eq(e.n, REPORT_ERRORS_MAX);
	ck_assert_str_eq(e.e[0].field, "u0");
	ck_assert_str_eq(e.e[REPORT_ERRORS_MAX - 1].field, "u15");
	report_clear(&r);
	/* Adding to a full list or to none is harmless. */
	report_error_add(&e, "more", "a", "b");
	ck_assert_uint_eq(e.n, REPORT_ERRORS_MAX);
	report_error_add(NULL, "more", "a", "b");
}
END_TEST

START_TEST(test_json_long_field_name)
{
	char *key = repeat("ö", 60), *body;
	struct report r;
	struct report_errors e = {0};
	char *want;

	ck_assert_int_gt(asprintf(&body,
			     "{\"area\":\"centrum\",\"ratings\":"
			     "{\"%s\":1}}",
			     key),
	    0);
	ck_assert_int_eq(from_json(body, &r, &e), REPORT_INVALID);
	ck_assert_uint_eq(e.n, 1);
	/* Cut whole characters: 8 + 19 * 2 bytes. */
	free(key);
	key = repeat("ö", 19);
	ck_assert_int_gt(asprintf(&want, "ratings.%s", key), 0);
	ck_assert_str_eq(e.e[0].field, want);
	ck_assert_uint_eq(strlen(e.e[0].field), 46);
	report_clear(&r);
	free(want);
	free(key);
	free(body);
}
END_TEST

START_TEST(test_form_full)
{
	struct report r;
	struct report_errors e = {0};
	const char *value = "TorgetXYZ";

	report_init(&r);
	ck_assert_int_eq(form(&r, "lang", "sv", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "period", "2026-W47", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.skadegorelse", "2", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.klotter", "", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.brand", "0", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "n.skadegorelse", "3", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "n.klotter", "", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "n.vald", "007", &e), REPORT_OK);
	/* Not NUL-terminated: only len bytes count. */
	ck_assert_int_eq(
	    report_form_field(&r, &cl, "place", value, 6, hidden, &e),
	    REPORT_OK);
	ck_assert_int_eq(form(&r, "note", " Rad 1\r\nRad 2 ", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "nothing", "", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "csrf", "abc", &e), REPORT_OK);
	ck_assert_uint_eq(e.n, 0);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_OK);
	ck_assert_uint_eq(e.n, 0);

	ck_assert_str_eq(r.area, "centrum");
	ck_assert(r.has_period);
	ck_assert_int_eq(r.period.year, 2026);
	ck_assert_int_eq(r.period.num, 47);
	ck_assert_int_eq(r.ratings[SKADEGORELSE], 2);
	ck_assert_int_eq(r.ratings[KLOTTER], RATING_NONE);
	ck_assert_int_eq(r.ratings[BRAND], 0);
	ck_assert_int_eq(r.ratings[VALD], RATING_NONE);
	ck_assert_int_eq(r.counts[SKADEGORELSE], 3);
	ck_assert_int_eq(r.counts[KLOTTER], COUNT_NONE);
	ck_assert_int_eq(r.counts[BRAND], COUNT_NONE);
	ck_assert_int_eq(r.counts[VALD], 7);
	ck_assert_str_eq(r.place, "Torget");
	ck_assert_str_eq(r.note, "Rad 1\r\nRad 2");
	ck_assert(!r.nothing);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_later_replaces)
{
	struct report r;
	struct report_errors e = {0};

	report_init(&r);
	ck_assert_int_eq(form(&r, "r.klotter", "3", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.klotter", "", &e), REPORT_OK);
	ck_assert_int_eq(r.ratings[KLOTTER], RATING_NONE);
	ck_assert_int_eq(form(&r, "place", "A", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "place", "B", &e), REPORT_OK);
	ck_assert_str_eq(r.place, "B");
	ck_assert_int_eq(form(&r, "period", "2026-W47", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "period", "", &e), REPORT_OK);
	ck_assert(!r.has_period);
	ck_assert_uint_eq(e.n, 0);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_bad_rating)
{
	static const char *const bad[] = {
	    "4",
	    "-1",
	    " 2",
	    "2 ",
	    "10",
	    "1.5",
	    "x",
	    "+1",
	    "٣",
	};
	struct report r;
	struct report_errors e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		report_init(&r);
		e.n = 0;
		ck_assert_int_eq(form(&r, "r.klotter", "1", &e), REPORT_OK);
		ck_assert_int_eq(
		    form(&r, "r.klotter", bad[i], &e), REPORT_INVALID);
		expect_error(&e, "r.klotter", MSG_RATING_SV);
		/* The refused value is not stored. */
		ck_assert_int_eq(r.ratings[KLOTTER], 1);
		report_clear(&r);
	}
}
END_TEST

START_TEST(test_form_bad_count)
{
	static const char *const bad[] = {
	    "-1",
	    "+3",
	    " 3",
	    "3 ",
	    "10001",
	    "1e3",
	    "3.0",
	    "99999999999999",
	    "x",
	};
	struct report r;
	struct report_errors e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		report_init(&r);
		e.n = 0;
		ck_assert_int_eq(
		    form(&r, "n.klotter", bad[i], &e), REPORT_INVALID);
		expect_error(&e, "n.klotter", MSG_COUNT_SV);
		ck_assert_int_eq(r.counts[KLOTTER], COUNT_NONE);
		report_clear(&r);
	}
	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(form(&r, "n.klotter", "10000", &e), REPORT_OK);
	ck_assert_int_eq(r.counts[KLOTTER], 10000);
	ck_assert_int_eq(form(&r, "n.klotter", "0", &e), REPORT_OK);
	ck_assert_int_eq(r.counts[KLOTTER], 0);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_unknown)
{
	struct report r;
	struct report_errors e;

	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(form(&r, "colour", "red", &e), REPORT_INVALID);
	expect_error(&e, "colour", "Okänt fält i formuläret.");
	e.n = 0;
	ck_assert_int_eq(form(&r, "r.okand", "1", &e), REPORT_INVALID);
	expect_error(&e, "r.okand", MSG_UNKNOWN_IND_SV);
	e.n = 0;
	ck_assert_int_eq(form(&r, "n.okand", "", &e), REPORT_INVALID);
	expect_error(&e, "n.okand", MSG_UNKNOWN_IND_SV);
	e.n = 0;
	ck_assert_int_eq(form(&r, "r.", "1", &e), REPORT_INVALID);
	expect_error(&e, "r.", MSG_UNKNOWN_IND_SV);
	/* Hidden fields only when named. */
	e.n = 0;
	ck_assert_int_eq(report_form_field(&r, &cl, "lang", "sv", 2, NULL, &e),
	    REPORT_INVALID);
	expect_error(&e, "lang", NULL);
	/* A name that is not UTF-8 is cut before the bad byte. */
	e.n = 0;
	ck_assert_int_eq(form(&r,
			     "ab\xff"
			     "cd",
			     "1", &e),
	    REPORT_INVALID);
	expect_error(&e, "ab", NULL);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_bad_utf8)
{
	static const char *const bad[] = {
	    "Torg\xc3",
	    "\xc0\xaf",
	    "\xed\xa0\x80",
	    "\xf4\x90\x80\x80",
	    "Sk\xf6nt",
	    "\x80",
	};
	struct report r;
	struct report_errors e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		report_init(&r);
		e.n = 0;
		ck_assert_int_eq(form(&r, "place", bad[i], &e), REPORT_INVALID);
		expect_error(&e, "place",
		    "Texten innehåller ogiltiga tecken. Skriv den igen.");
		ck_assert_ptr_null(r.place);
		e.n = 0;
		ck_assert_int_eq(form(&r, "note", bad[i], &e), REPORT_INVALID);
		expect_error(&e, "note", NULL);
		e.n = 0;
		ck_assert_int_eq(form(&r, "area", bad[i], &e), REPORT_INVALID);
		expect_error(&e, "area", NULL);
		report_clear(&r);
	}
	/* A NUL byte inside the value. */
	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(
	    report_form_field(&r, &cl, "note", "a\0b", 3, hidden, &e),
	    REPORT_INVALID);
	expect_error(&e, "note", NULL);
	e.n = 0;
	ck_assert_int_eq(
	    report_form_field(&r, &cl, "area", "a\0b", 3, hidden, &e),
	    REPORT_INVALID);
	expect_error(&e, "area", NULL);
	e.n = 0;
	ck_assert_int_eq(
	    report_form_field(&r, &cl, "period", "2026-W4\0", 8, hidden, &e),
	    REPORT_INVALID);
	expect_error(&e, "period", NULL);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_area_period)
{
	struct report r;
	struct report_errors e;

	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(form(&r, "area", "Centrum", &e), REPORT_INVALID);
	expect_error(
	    &e, "area", "Området finns inte. Välj ett område i listan.");
	ck_assert_str_eq(r.area, "");
	e.n = 0;
	ck_assert_int_eq(
	    form(&r, "area", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &e),
	    REPORT_INVALID);
	expect_error(&e, "area", NULL);
	e.n = 0;
	ck_assert_int_eq(form(&r, "period", "2026-W54", &e), REPORT_INVALID);
	expect_error(&e, "period", "Ogiltig vecka. Skriv den som 2026-W47.");
	ck_assert(!r.has_period);
	e.n = 0;
	ck_assert_int_eq(
	    form(&r, "period", "2026-W47-extra-long", &e), REPORT_INVALID);
	expect_error(&e, "period", NULL);
	e.n = 0;
	ck_assert_int_eq(form(&r, "period", "2026-T2", &e), REPORT_INVALID);
	expect_error(&e, "period", NULL);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_place_length)
{
	char *ok = repeat("ö", 200);
	char *too_long = repeat("ö", 201);
	struct report r;
	struct report_errors e = {0};

	report_init(&r);
	ck_assert_int_eq(form(&r, "place", ok, &e), REPORT_OK);
	ck_assert_str_eq(r.place, ok);
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "place", too_long, &e), REPORT_INVALID);
	expect_error(&e, "place", MSG_PLACE_LONG_SV);
	/* Kept for the form shown again, but the report does not pass. */
	ck_assert_str_eq(r.place, too_long);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_INVALID);
	expect_error(&e, "place", MSG_PLACE_LONG_SV);
	e.n = 0;
	ck_assert_int_eq(form(&r, "place", "Tor\nget", &e), REPORT_INVALID);
	expect_error(&e, "place", NULL);
	ck_assert_str_eq(r.place, "Tor\nget");
	e.n = 0;
	ck_assert_int_eq(form(&r, "place", "   ", &e), REPORT_OK);
	ck_assert_ptr_null(r.place);
	report_clear(&r);
	free(ok);
	free(too_long);
}
END_TEST

START_TEST(test_form_nothing)
{
	struct report r;
	struct report_errors e = {0};
	int i;

	report_init(&r);
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "nothing", "1", &e), REPORT_OK);
	ck_assert(r.nothing);
	ck_assert_int_eq(form(&r, "r.klotter", "", &e), REPORT_OK);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_OK);
	for (i = 0; i < NITEMS; i++)
		ck_assert_int_eq(r.ratings[i], 0);
	report_clear(&r);

	report_init(&r);
	ck_assert_int_eq(form(&r, "nothing", "on", &e), REPORT_OK);
	ck_assert(r.nothing);
	ck_assert_int_eq(form(&r, "nothing", "", &e), REPORT_OK);
	ck_assert(!r.nothing);
	ck_assert_int_eq(form(&r, "nothing", "yes", &e), REPORT_INVALID);
	expect_error(&e, "nothing", NULL);
	report_clear(&r);

	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "nothing", "1", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.klotter", "2", &e), REPORT_OK);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_INVALID);
	expect_error(&e, "nothing", NULL);
	/* Left as given, for the form to show again. */
	ck_assert_int_eq(r.ratings[KLOTTER], 2);
	ck_assert_int_eq(r.ratings[BRAND], RATING_NONE);
	report_clear(&r);
}
END_TEST

START_TEST(test_form_empty)
{
	struct report r;
	struct report_errors e = {0};

	report_init(&r);
	ck_assert_int_eq(form(&r, "lang", "sv", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.klotter", "", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "n.klotter", "", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "place", " ", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "note", "", &e), REPORT_OK);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_INVALID);
	expect_error(&e, "", MSG_EMPTY_SV);
	report_clear(&r);

	/* With an earlier field error only that error is shown. */
	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.klotter", "5", &e), REPORT_INVALID);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_INVALID);
	expect_error(&e, "r.klotter", MSG_RATING_SV);
	report_clear(&r);

	/* No area chosen. */
	report_init(&r);
	e.n = 0;
	ck_assert_int_eq(form(&r, "r.klotter", "1", &e), REPORT_OK);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_INVALID);
	expect_error(&e, "area", "Välj ett område.");
	report_clear(&r);
}
END_TEST

START_TEST(test_check_direct)
{
	struct report r;
	struct report_errors e = {0};

	/* A report built by hand (estctl import) meets the same rules. */
	report_init(&r);
	strcpy(r.area, "centrum");
	r.ratings[KLOTTER] = 4;
	r.counts[BRAND] = -5;
	r.place = strdup("  \t Torget  ");
	r.note = strdup("   ");
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_INVALID);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_str_eq(e.e[0].field, "r.klotter");
	ck_assert_str_eq(e.e[1].field, "n.brand");
	ck_assert_str_eq(r.place, "Torget");
	ck_assert_ptr_null(r.note);

	e.n = 0;
	ck_assert_int_eq(report_check(&r, &cl, true, &e), REPORT_INVALID);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_str_eq(e.e[0].field, "ratings.klotter");
	ck_assert_str_eq(e.e[1].field, "counts.brand");

	r.ratings[KLOTTER] = 3;
	r.counts[BRAND] = 1;
	e.n = 0;
	ck_assert_int_eq(report_check(&r, &cl, true, &e), REPORT_OK);
	ck_assert_int_eq(report_check(&r, &cl, true, NULL), REPORT_OK);
	free(r.place);
	r.place = strdup("Tor\x01get");
	ck_assert_int_eq(report_check(&r, &cl, true, &e), REPORT_INVALID);
	expect_error(&e, "place", NULL);
	report_clear(&r);
}
END_TEST

START_TEST(test_to_json)
{
	struct report r;
	struct report_errors e = {0};
	char *s;

	ck_assert_int_eq(
	    from_json(
		"{\"area\":\"centrum\",\"period\":"
		"\"2026-W47\",\"ratings\":{\"skadegorelse\":2,\"klotter\":0,"
		"\"brand\":null},\"counts\":{\"skadegorelse\":3},\"place\":"
		"\"Torget\",\"nothing\":false}",
		&r, &e),
	    REPORT_OK);
	s = json_dump(&r);
	ck_assert_str_eq(s,
	    "{\"area\":\"centrum\",\"counts\":"
	    "{\"skadegorelse\":3},\"note\":null,\"nothing\":false,"
	    "\"period\":\"2026-W47\",\"place\":\"Torget\",\"ratings\":"
	    "{\"klotter\":0,\"skadegorelse\":2}}");
	free(s);
	report_clear(&r);

	ck_assert_int_eq(from_json("{\"area\":\"s-1\",\"nothing\":true,"
				   "\"note\":\"Åter lugnt\"}",
			     &r, &e),
	    REPORT_OK);
	s = json_dump(&r);
	ck_assert_str_eq(s,
	    "{\"area\":\"s-1\",\"counts\":{},"
	    "\"note\":\"Åter lugnt\",\"nothing\":true,\"place\":null,"
	    "\"ratings\":{\"brand\":0,\"klotter\":0,\"skadegorelse\":0,"
	    "\"vald\":0}}");
	free(s);
	report_clear(&r);
}
END_TEST

START_TEST(test_to_json_round_trip)
{
	struct report r, back;
	struct report_errors e = {0};
	char *s, *s2;
	int i;

	report_init(&r);
	ck_assert_int_eq(form(&r, "area", "centrum", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "period", "2027-W01", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "r.vald", "3", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "n.vald", "12", &e), REPORT_OK);
	ck_assert_int_eq(form(&r, "n.brand", "1", &e), REPORT_OK);
	ck_assert_int_eq(
	    form(&r, "note", "\"Citat\", ö\nny rad", &e), REPORT_OK);
	ck_assert_int_eq(report_check(&r, &cl, false, &e), REPORT_OK);
	s = json_dump(&r);
	ck_assert_int_eq(from_json(s, &back, &e), REPORT_OK);
	ck_assert_str_eq(back.area, r.area);
	ck_assert(back.has_period);
	ck_assert_int_eq(back.period.year, 2027);
	ck_assert_int_eq(back.period.num, 1);
	for (i = 0; i < NITEMS; i++) {
		ck_assert_int_eq(back.ratings[i], r.ratings[i]);
		ck_assert_int_eq(back.counts[i], r.counts[i]);
	}
	ck_assert_ptr_null(back.place);
	ck_assert_str_eq(back.note, "\"Citat\", ö\nny rad");
	s2 = json_dump(&back);
	ck_assert_str_eq(s, s2);
	free(s);
	free(s2);
	report_clear(&back);
	report_clear(&r);
}
END_TEST

START_TEST(test_valid_utf8)
{
	ck_assert_int_eq(report_valid_utf8("", 0), 1);
	ck_assert_int_eq(report_valid_utf8("åäö ÅÄÖ", 13), 1);
	ck_assert_int_eq(report_valid_utf8("\x7f", 1), 1);
	/* U+D7FF and U+E000 either side of the surrogates. */
	ck_assert_int_eq(report_valid_utf8("\xed\x9f\xbf", 3), 1);
	ck_assert_int_eq(report_valid_utf8("\xee\x80\x80", 3), 1);
	ck_assert_int_eq(report_valid_utf8("\xf0\x9f\x98\x80", 4), 1);
	ck_assert_int_eq(report_valid_utf8("\xf4\x8f\xbf\xbf", 4), 1);
	/* NUL, overlongs, surrogates, above U+10FFFF, broken sequences. */
	ck_assert_int_eq(report_valid_utf8("a\0b", 3), 0);
	ck_assert_int_eq(report_valid_utf8("\xc0\x80", 2), 0);
	ck_assert_int_eq(report_valid_utf8("\xc1\xbf", 2), 0);
	ck_assert_int_eq(report_valid_utf8("\xe0\x80\xaf", 3), 0);
	ck_assert_int_eq(report_valid_utf8("\xe0\x9f\xbf", 3), 0);
	ck_assert_int_eq(report_valid_utf8("\xf0\x80\x80\xaf", 4), 0);
	ck_assert_int_eq(report_valid_utf8("\xf0\x8f\xbf\xbf", 4), 0);
	ck_assert_int_eq(report_valid_utf8("\xed\xa0\x80", 3), 0);
	ck_assert_int_eq(report_valid_utf8("\xed\xbf\xbf", 3), 0);
	ck_assert_int_eq(report_valid_utf8("\xf4\x90\x80\x80", 4), 0);
	ck_assert_int_eq(report_valid_utf8("\xf5\x80\x80\x80", 4), 0);
	ck_assert_int_eq(report_valid_utf8("\xff", 1), 0);
	ck_assert_int_eq(report_valid_utf8("\x80", 1), 0);
	ck_assert_int_eq(report_valid_utf8("\xe2\x82", 2), 0);
	ck_assert_int_eq(report_valid_utf8("\xe2\x82\xac", 2), 0);
	ck_assert_int_eq(report_valid_utf8("\xc3\xa5\xc3", 3), 0);
	ck_assert_int_eq(report_valid_utf8("\xc3"
					   "a",
			     2),
	    0);
}
END_TEST

START_TEST(test_valid_slug)
{
	char *forty = repeat("z", 40), *fortyone = repeat("z", 41);

	ck_assert_int_eq(report_valid_slug("centrum"), 1);
	ck_assert_int_eq(report_valid_slug("norr-2"), 1);
	ck_assert_int_eq(report_valid_slug("a"), 1);
	ck_assert_int_eq(report_valid_slug("0"), 1);
	ck_assert_int_eq(report_valid_slug(forty), 1);
	ck_assert_int_eq(report_valid_slug(""), 0);
	ck_assert_int_eq(report_valid_slug(fortyone), 0);
	ck_assert_int_eq(report_valid_slug("Centrum"), 0);
	ck_assert_int_eq(report_valid_slug("söder"), 0);
	ck_assert_int_eq(report_valid_slug("a_b"), 0);
	ck_assert_int_eq(report_valid_slug("a b"), 0);
	ck_assert_int_eq(report_valid_slug("a/b"), 0);
	free(forty);
	free(fortyone);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc;

	tc = tcase_create("json");
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_json_contract_example);
	tcase_add_test(tc, test_json_current_period);
	tcase_add_test(tc, test_json_not_assessed);
	tcase_add_test(tc, test_json_counts_without_rating);
	tcase_add_test(tc, test_json_malformed);
	tcase_add_test(tc, test_json_malformed_message);
	tcase_add_test(tc, test_json_unknown_member);
	tcase_add_test(tc, test_json_unknown_indicator);
	tcase_add_test(tc, test_json_bad_ratings);
	tcase_add_test(tc, test_json_bad_counts);
	tcase_add_test(tc, test_json_area);
	tcase_add_test(tc, test_json_period);
	tcase_add_test(tc, test_json_place_length);
	tcase_add_test(tc, test_json_note_length);
	tcase_add_test(tc, test_json_control_chars);
	tcase_add_test(tc, test_json_blank_text);
	tcase_add_test(tc, test_json_nothing);
	tcase_add_test(tc, test_json_empty);
	tcase_add_test(tc, test_json_many_errors);
	tcase_add_test(tc, test_json_errors_capped);
	tcase_add_test(tc, test_json_long_field_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("form");
	tcase_add_test(tc, test_form_full);
	tcase_add_test(tc, test_form_later_replaces);
	tcase_add_test(tc, test_form_bad_rating);
	tcase_add_test(tc, test_form_bad_count);
	tcase_add_test(tc, test_form_unknown);
	tcase_add_test(tc, test_form_bad_utf8);
	tcase_add_test(tc, test_form_area_period);
	tcase_add_test(tc, test_form_place_length);
	tcase_add_test(tc, test_form_nothing);
	tcase_add_test(tc, test_form_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_test(tc, test_check_direct);
	tcase_add_test(tc, test_to_json);
	tcase_add_test(tc, test_to_json_round_trip);
	tcase_add_test(tc, test_valid_utf8);
	tcase_add_test(tc, test_valid_slug);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testutil_run(report_suite());
}
