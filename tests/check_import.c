/*
 * check_import: CSV history import against a real SQLite database in a
 * temporary directory, with a hand-built three-indicator checklist.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "import.h"
#include "period.h"
#include "report.h"
#include "store.h"
#include "testutil.h"
#include "token.h"
#include "xmalloc.h"

/* 2026-11-22 (Sunday of 2026-W47) 12:00 +01:00 and the week before. */
#define W47_NOON 1795345200
#define W46_NOON 1794740400
/* 2026-06-14 (Sunday of 2026-W24) 12:00 +02:00, summer time. */
#define W24_NOON 1781431200

enum { SKADEGORELSE, KLOTTER, NEDSKRAPNING };

static char dir[64];
static struct store *s;
static struct checklist cl;
static long long anna, bo, karin;

static const char *const keys[] = {"skadegorelse", "klotter", "nedskrapning"};

static long long
add_person(const char *name, const char *email, enum role role,
    const char *area1, const char *area2)
{
	struct person p;
	unsigned char hash[TOKEN_HASH_LEN];
	char tok[TOKEN_LEN + 1], *cause = NULL, *areas[2];
	long long id;

	memset(&p, 0, sizeof(p));
	p.name = xstrdup(name);
	p.email = xstrdup(email);
	p.org = xstrdup("Bostadsbolaget");
	p.role = role;
	p.active = true;
	if (area1 != NULL)
		areas[p.n_areas++] = xstrdup(area1);
	if (area2 != NULL)
		areas[p.n_areas++] = xstrdup(area2);
	p.areas = areas;
	token_new(tok);
	token_hash(tok, strlen(tok), hash);
	id = store_person_add(s, &p, hash, &cause);
	ck_assert_msg(id > 0, "person_add: %s", cause ? cause : "?");
	free(p.name);
	free(p.email);
	free(p.org);
	while (p.n_areas > 0)
		free(areas[--p.n_areas]);
	return id;
}

static void
setup(void)
{
	char path[128], *cause = NULL;
	size_t i;

	strcpy(dir, "/tmp/check_import.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/estd.db", dir);
	ck_assert_int_eq(clock_init("Europe/Stockholm", &cause), 0);
	ck_assert_int_eq(token_init(), 0);
	s = store_open(path, STORE_WRITER, &cause);
	ck_assert_msg(s != NULL, "store_open: %s", cause ? cause : "?");
	ck_assert_int_eq(store_migrate(s, &cause), 0);

	cl.n = 3;
	cl.items = xcalloc(cl.n, sizeof(*cl.items));
	for (i = 0; i < cl.n; i++) {
		strcpy(cl.items[i].key, keys[i]);
		cl.items[i].sv = xstrdup(keys[i]);
		cl.items[i].en = xstrdup(keys[i]);
	}

	ck_assert_int_eq(store_area_add(s, "centrum", "Centrum", &cause), 0);
	ck_assert_int_eq(store_area_add(s, "norr", "Norr", &cause), 0);
	ck_assert_int_eq(store_area_add(s, "soder", "Söder", &cause), 0);
	anna = add_person("Anna Svensson", "anna@example.org", ROLE_REPORTER,
	    "centrum", "norr");
	bo = add_person(
	    "Bo Ek", "bo@example.org", ROLE_REPORTER, "centrum", NULL);
	karin = add_person("Karin Berg", "karin@example.org", ROLE_KEYFUNCTION,
	    "centrum", NULL);
}

static void
teardown(void)
{
	struct dirent *de;
	DIR *d;
	char path[384];
	size_t i;

	store_close(s);
	for (i = 0; i < cl.n; i++) {
		free(cl.items[i].sv);
		free(cl.items[i].en);
	}
	free(cl.items);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static enum import_status
run(const char *csv, const struct import_options *opts,
    struct import_result *res)
{
	enum import_status rc;
	char *cause = NULL;

	rc = import_csv(s, &cl, opts, csv, strlen(csv), res, &cause);
	ck_assert_msg(
	    rc != IMPORT_FAILED, "import failed: %s", cause ? cause : "?");
	free(cause);
	return rc;
}

/* The reports of a week label, latest revisions. */
static size_t
list(const char *label, const char *area, struct stored_report **out)
{
	struct period p;
	size_t n = 0;

	ck_assert_int_eq(period_parse(label, &p), 0);
	ck_assert_int_eq(store_report_list(s, &p, area, &cl, out, &n), 0);
	return n;
}

static const struct stored_report *
find(
    const struct stored_report *l, size_t n, const char *area, long long person)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].report.area, area) == 0 &&
		    l[i].person_id == person)
			return &l[i];
	ck_abort_msg("no report for %s by person %lld", area, person);
	return NULL;
}

static void
assert_values(const struct stored_report *r, int r0, int r1, int r2, int c0,
    int c1, int c2)
{
	ck_assert_int_eq(r->report.ratings[SKADEGORELSE], r0);
	ck_assert_int_eq(r->report.ratings[KLOTTER], r1);
	ck_assert_int_eq(r->report.ratings[NEDSKRAPNING], r2);
	ck_assert_int_eq(r->report.counts[SKADEGORELSE], c0);
	ck_assert_int_eq(r->report.counts[KLOTTER], c1);
	ck_assert_int_eq(r->report.counts[NEDSKRAPNING], c2);
}

#define HEADER "period,area,reporter_email,indicator,rating,count,note\n"

static const char small[] = HEADER
    "2026-W47,centrum,anna@example.org,skadegorelse,2,3,Krossad busskur\n"
    "2026-W47,centrum,anna@example.org,klotter,0,,\n"
    "2026-W47,centrum,,klotter,1,,Tunnel\n"
    "2026-W47,norr,anna@example.org,nedskrapning,,4,Soptunnor\n"
    "2026-W47,centrum,,skadegorelse,3,,Tunnel\n"
    "2026-W47,centrum,anna@example.org,nedskrapning,1,,Krossad busskur\n"
    "2026-W47,centrum,anna@example.org,nedskrapning,,,Glas på perrongen\n"
    "2026-W46,centrum,bo@example.org,klotter,2,,\n";

/* Check the reports of `small` as stored, at the given revision. */
static void
check_small(int revision)
{
	struct stored_report *l = NULL;
	const struct stored_report *r;
	size_t n;

	n = list("2026-W47", NULL, &l);
	ck_assert_uint_eq(n, 3);

	r = find(l, n, "centrum", anna);
	assert_values(r, 2, 0, 1, 3, COUNT_NONE, COUNT_NONE);
	ck_assert_str_eq(r->report.note, "Krossad busskur\nGlas på perrongen");
	ck_assert_ptr_null(r->report.place);
	ck_assert(!r->report.nothing);
	ck_assert_str_eq(r->reporter_email, "anna@example.org");
	ck_assert_int_eq(r->revision, revision);
	ck_assert_int_eq((long long)r->submitted, W47_NOON);

	r = find(l, n, "centrum", 0);
	assert_values(r, 3, 1, RATING_NONE, COUNT_NONE, COUNT_NONE, COUNT_NONE);
	ck_assert_str_eq(r->report.note, "Tunnel");
	ck_assert_ptr_null(r->reporter_email);
	ck_assert_int_eq(r->revision, revision);
	ck_assert_int_eq((long long)r->submitted, W47_NOON);

	r = find(l, n, "norr", anna);
	assert_values(r, RATING_NONE, RATING_NONE, RATING_NONE, COUNT_NONE,
	    COUNT_NONE, 4);
	ck_assert_str_eq(r->report.note, "Soptunnor");
	ck_assert_int_eq(r->revision, revision);
	store_stored_reports_free(l, n);

	n = list("2026-W46", "centrum", &l);
	ck_assert_uint_eq(n, 1);
	r = find(l, n, "centrum", bo);
	assert_values(
	    r, RATING_NONE, 2, RATING_NONE, COUNT_NONE, COUNT_NONE, COUNT_NONE);
	ck_assert_ptr_null(r->report.note);
	ck_assert_int_eq((long long)r->submitted, W46_NOON);
	ck_assert_int_eq(r->revision, revision);
	store_stored_reports_free(l, n);
}

START_TEST(test_small_file)
{
	struct import_result res;

	ck_assert_int_eq(run(small, NULL, &res), IMPORT_OK);
	ck_assert_int_eq(res.rows, 8);
	ck_assert_int_eq(res.reports, 4);
	ck_assert_int_eq(res.periods, 2);
	ck_assert_int_eq(res.areas, 2);
	ck_assert_int_eq(res.n_errors, 0);
	ck_assert_uint_eq(res.n_messages, 0);
	import_result_clear(&res);
	ck_assert_int_eq(store_report_count(s), 4);
	check_small(1);
}
END_TEST

START_TEST(test_twice)
{
	struct import_result res;

	ck_assert_int_eq(run(small, NULL, &res), IMPORT_OK);
	import_result_clear(&res);
	ck_assert_int_eq(run(small, NULL, &res), IMPORT_OK);
	ck_assert_int_eq(res.reports, 4);
	import_result_clear(&res);
	ck_assert_int_eq(store_report_count(s), 4);
	check_small(2);
}
END_TEST

START_TEST(test_errors_nothing_written)
{
	struct import_result res;
	const char *csv =
	    HEADER "2026-W47,centrum,anna@example.org,skadegorelse,2,,\n"
		   "2026-W47,centrum,anna@example.org,klotter,5,,\n"
		   "2026-W47,norr,,klotter,1,,\n"
		   "2026-W47,norr,,brandd,1,,\n";

	ck_assert_int_eq(run(csv, NULL, &res), IMPORT_INVALID);
	ck_assert_int_eq(res.n_errors, 2);
	ck_assert_uint_eq(res.n_messages, 2);
	ck_assert_str_eq(res.messages[0],
	    "line 3: rating \"5\" for klotter must be 0–3 or empty");
	ck_assert_str_eq(
	    res.messages[1], "line 5: unknown indicator \"brandd\"");
	ck_assert_int_eq(res.rows, 4);
	ck_assert_int_eq(res.reports, 0);
	import_result_clear(&res);
	ck_assert_int_eq(store_report_count(s), 0);
}
END_TEST

START_TEST(test_error_kinds)
{
	struct import_result res;
	const char *csv =
	    HEADER "2026-W54,centrum,,klotter,1,,\n" /* 2 */
		   "2026-Q3,centrum,,klotter,1,,\n" /* 3 */
		   "2026-W47,väster,,klotter,1,,\n" /* 4 */
		   "2026-W47,centrum,eva@example.org,klotter,1,,\n" /* 5 */
		   "2026-W47,centrum,karin@example.org,klotter,1,,\n" /* 6 */
		   "2026-W47,norr,bo@example.org,klotter,1,,\n" /* 7 */
		   "2026-W47,centrum,,klotter,,10001,\n" /* 8 */
		   "2026-W47,centrum,,klotter,,,\n" /* 9 */
		   "2026-W47,centrum,,klotter,1\n" /* 10 */
		   "2026-W47,centrum,,klotter,1,,\n" /* 11 */
		   "2026-W47,centrum,,klotter,2,,\n" /* 12 */
		   "2026-W47,centrum,,skadegorelse,,2,\n" /* 13 */
		   "2026-W47,centrum,,skadegorelse,1,2,\n" /* 14 */
		   "2026-W47,,,klotter,1,,\n" /* 15 */
		   "2026-W47,centrum,,klotter,-1,x,\n"; /* 16 */
	static const char *const want[] = {
	    "line 2: period \"2026-W54\" is not a week like 2026-W47",
	    "line 3: period \"2026-Q3\" is not a week like 2026-W47",
	    "line 4: area \"väster\" does not exist",
	    "line 5: no person has the e-mail \"eva@example.org\" (add the "
	    "reporter first, or leave reporter_email empty)",
	    "line 6: karin@example.org is a keyfunction, not a reporter",
	    "line 7: bo@example.org does not report for area \"norr\"",
	    "line 8: count \"10001\" for klotter must be a whole number "
	    "0–10000 or empty",
	    "line 9: rating, count and note are all empty",
	    "line 10: 5 fields, expected 7 (period,area,reporter_email,"
	    "indicator,rating,count,note)",
	    "line 12: klotter is rated twice for 2026-W47, centrum, no "
	    "reporter (first on line 11)",
	    "line 14: skadegorelse is counted twice for 2026-W47, centrum, "
	    "no reporter (first on line 13)",
	    "line 15: area is empty",
	    "line 16: rating \"-1\" for klotter must be 0–3 or empty",
	    "line 16: count \"x\" for klotter must be a whole number "
	    "0–10000 or empty",
	};
	size_t i;

	ck_assert_int_eq(run(csv, NULL, &res), IMPORT_INVALID);
	ck_assert_int_eq(res.n_errors, (long)(sizeof(want) / sizeof(*want)));
	for (i = 0; i < sizeof(want) / sizeof(*want); i++)
		ck_assert_str_eq(res.messages[i], want[i]);
	import_result_clear(&res);
	ck_assert_int_eq(store_report_count(s), 0);
}
END_TEST

START_TEST(test_many_errors)
{
	struct import_result res;
	struct buf b = {NULL, 0, 0};
	int i;

	buf_puts(&b, HEADER);
	for (i = 0; i < 60; i++)
		buf_puts(&b, "2026-W47,centrum,,klotter,9,,\n");
	ck_assert_int_eq(run(b.data, NULL, &res), IMPORT_INVALID);
	ck_assert_int_eq(res.n_errors, 60);
	ck_assert_uint_eq(res.n_messages, IMPORT_ERRORS_MAX);
	ck_assert_str_eq(res.messages[0],
	    "line 2: rating \"9\" for klotter must be 0–3 or empty");
	ck_assert_str_eq(res.messages[IMPORT_ERRORS_MAX - 1],
	    "line 51: rating \"9\" for klotter must be 0–3 or empty");
	import_result_clear(&res);
	buf_reset(&b);
	ck_assert_int_eq(store_report_count(s), 0);
}
END_TEST

START_TEST(test_wrong_header)
{
	struct import_result res;

	ck_assert_int_eq(run("period,area,email,indicator,rating,count,note\n"
			     "2026-W47,centrum,,klotter,1,,\n",
			     NULL, &res),
	    IMPORT_INVALID);
	ck_assert_int_eq(res.n_errors, 1);
	ck_assert_str_eq(res.messages[0],
	    "line 1: the first line must be the "
	    "header \"period,area,reporter_email,indicator,rating,count,note\" "
	    "(column 3 is \"email\", expected \"reporter_email\")");
	import_result_clear(&res);

	ck_assert_int_eq(run("period,area,reporter_email,indicator,rating,"
			     "count\n",
			     NULL, &res),
	    IMPORT_INVALID);
	ck_assert_str_eq(res.messages[0],
	    "line 1: the first line must be the "
	    "header \"period,area,reporter_email,indicator,rating,count,note\" "
	    "(found 6 columns, expected 7)");
	import_result_clear(&res);

	ck_assert_int_eq(run("period;area;reporter_email;indicator;rating;"
			     "count;note\n2026-W47;centrum;;klotter;1;;\n",
			     NULL, &res),
	    IMPORT_INVALID);
	ck_assert_int_eq(res.n_errors, 1);
	ck_assert_str_eq(res.messages[0],
	    "line 1: the first line must be the "
	    "header \"period,area,reporter_email,indicator,rating,count,note\" "
	    "(this one is separated by semicolons: save the file as "
	    "comma-separated CSV)");
	import_result_clear(&res);

	ck_assert_int_eq(run("", NULL, &res), IMPORT_INVALID);
	ck_assert_str_eq(res.messages[0],
	    "line 1: the file is empty; the "
	    "first line must be the header \"period,area,reporter_email,"
	    "indicator,rating,count,note\"");
	import_result_clear(&res);
	ck_assert_int_eq(store_report_count(s), 0);

	/* A header alone is a valid, empty import. */
	ck_assert_int_eq(run(HEADER, NULL, &res), IMPORT_OK);
	ck_assert_int_eq(res.rows, 0);
	ck_assert_int_eq(res.reports, 0);
	import_result_clear(&res);
}
END_TEST

START_TEST(test_quoted_fields)
{
	struct import_result res;
	struct stored_report *l = NULL;
	const struct stored_report *r;
	size_t n;

	ck_assert_int_eq(
	    run(HEADER
		"2026-W47,soder,,klotter,2,,\"Klotter på väggen, även på "
		"dörren\"\n"
		"\"2026-W47\",\"soder\",\"\",\"skadegorelse\",\"1\",\"2\","
		"\"Han sa \"\"hej\"\"\noch gick\"\n"
		"2026-W47,soder,,nedskrapning,0,,\"Klotter på väggen, även på "
		"dörren\"\n",
		NULL, &res),
	    IMPORT_OK);
	ck_assert_int_eq(res.rows, 3);
	ck_assert_int_eq(res.reports, 1);
	import_result_clear(&res);

	n = list("2026-W47", "soder", &l);
	ck_assert_uint_eq(n, 1);
	r = find(l, n, "soder", 0);
	assert_values(r, 1, 2, 0, 2, COUNT_NONE, COUNT_NONE);
	ck_assert_str_eq(r->report.note,
	    "Klotter på väggen, även på dörren\n"
	    "Han sa \"hej\"\noch gick");
	store_stored_reports_free(l, n);

	/* Lines are counted in the file, across quoted line breaks. */
	ck_assert_int_eq(
	    run(HEADER "2026-W46,soder,,klotter,2,,\"två\nrader\"\n"
		       "2026-W46,söder,,klotter,1,,\n"
		       "2026-W46,soder,,klotter,1,,\"inte \"slut\"\n",
		NULL, &res),
	    IMPORT_INVALID);
	ck_assert_int_eq(res.n_errors, 2);
	ck_assert_str_eq(
	    res.messages[0], "line 4: area \"söder\" does not exist");
	ck_assert_str_eq(res.messages[1],
	    "line 5: unexpected character after closing quote");
	import_result_clear(&res);
	ck_assert_int_eq(store_report_count(s), 1);
}
END_TEST

START_TEST(test_bom_crlf_spaces)
{
	struct import_result res;
	struct stored_report *l = NULL;
	const struct stored_report *r;
	size_t n;

	ck_assert_int_eq(
	    run("\xef\xbb\xbfperiod,area,reporter_email,"
		"indicator,rating,count,note\r\n"
		"2026-W24, norr ,anna@example.org,klotter, 3 ,,\r\n"
		"\r\n"
		"2026-W24,norr,anna@example.org,skadegorelse,1,0,  Trappan  "
		"\r\n",
		NULL, &res),
	    IMPORT_OK);
	ck_assert_int_eq(res.rows, 2);
	ck_assert_int_eq(res.reports, 1);
	ck_assert_int_eq(res.periods, 1);
	ck_assert_int_eq(res.areas, 1);
	import_result_clear(&res);

	n = list("2026-W24", NULL, &l);
	ck_assert_uint_eq(n, 1);
	r = find(l, n, "norr", anna);
	assert_values(r, 1, 3, RATING_NONE, 0, COUNT_NONE, COUNT_NONE);
	ck_assert_str_eq(r->report.note, "Trappan");
	ck_assert_int_eq((long long)r->submitted, W24_NOON);
	store_stored_reports_free(l, n);
}
END_TEST

START_TEST(test_fortnights)
{
	struct import_options opts;
	struct import_result res;
	struct stored_report *l = NULL;
	struct period p;
	size_t n = 0;

	memset(&opts, 0, sizeof(opts));
	opts.fortnightly = true;
	opts.parity = PARITY_ODD;
	ck_assert_int_eq(
	    run(HEADER "2026-W48,centrum,,klotter,1,,\n", &opts, &res),
	    IMPORT_INVALID);
	ck_assert_str_eq(res.messages[0],
	    "line 2: period \"2026-W48\" is not "
	    "the first week of a fortnight");
	import_result_clear(&res);

	ck_assert_int_eq(
	    run(HEADER "2026-W47,centrum,,klotter,1,,\n", &opts, &res),
	    IMPORT_OK);
	import_result_clear(&res);
	ck_assert_int_eq(period_parse("2026-W47", &p), 0);
	ck_assert_int_eq(period_as_fortnight(&p, PARITY_ODD), 0);
	ck_assert_int_eq(store_report_list(s, &p, NULL, &cl, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(l[0].report.ratings[KLOTTER], 1);
	/* Dated at noon on the last day of the fortnight, 2026-11-29. */
	ck_assert_int_eq((long long)l[0].submitted, W47_NOON + 7 * 86400);
	store_stored_reports_free(l, n);
}
END_TEST

static Suite *
import_suite(void)
{
	Suite *su = suite_create("import");
	TCase *tc = tcase_create("import");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_small_file);
	tcase_add_test(tc, test_twice);
	tcase_add_test(tc, test_errors_nothing_written);
	tcase_add_test(tc, test_error_kinds);
	tcase_add_test(tc, test_many_errors);
	tcase_add_test(tc, test_wrong_header);
	tcase_add_test(tc, test_quoted_fields);
	tcase_add_test(tc, test_bom_crlf_spaces);
	tcase_add_test(tc, test_fortnights);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return testutil_run(import_suite());
}
