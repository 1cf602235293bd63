/*
 * The steering group's analysis end to end inside one process: a
 * quarter of history where Centrum is clearly worst and its vandalism
 * persists, Söder had a short episode and Norr is calm; then the
 * analyses API (JSON and CSV), the page, its charts and CSV, who may
 * see them, the summary in words, and the analysis mail the scheduler
 * queues with the CSV attached. The real server runs on port 0 over a
 * real SQLite file; libcurl drives it. Every figure is worked out by
 * hand in the comments.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "analysis.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "digest.h"
#include "gather_analysis.h"
#include "httptest.h"
#include "jobs.h"
#include "mime.h"
#include "server.h"
#include "store.h"
#include "testutil.h"
#include "tmpl.h"
#include "token.h"
#include "writer.h"
#include "xmalloc.h"

/*
 * Wednesday of 2026-W41. 2026-Q3 is W27-W39 (W40's Thursday is
 * 1 October). The digest of W40, the last closed week, is recorded as
 * sent, so the scheduler goes on to the analysis of 2026-Q3, which
 * closed one week before; not to the year 2025, long closed.
 */
#define NOW "2026-10-07T10:00:00+02:00"
#define NOW_T ((time_t)1791360000)

static char dir[] = "/tmp/estd-analysisweb-XXXXXX";
static char dbpath[256];
static struct conf *cf;
static struct server *srv;
static char stina_token[TOKEN_LEN + 1]; /* steering */
static char ada_token[TOKEN_LEN + 1]; /* admin */
static char per_token[TOKEN_LEN + 1]; /* key function */
static char anna_token[TOKEN_LEN + 1]; /* reporter */

/* One GET; `cookie` (or NULL) as the session, `auth` (or NULL) Bearer. */
static void
get(const char *path, const char *cookie, const char *auth, struct reply *r)
{
	char h[128];
	const char *hl[] = {h, NULL};

	if (auth != NULL)
		snprintf(h, sizeof(h), "Authorization: Bearer %s", auth);
	httptest_request(server_port(srv), "GET", path, cookie,
	    auth != NULL ? hl : NULL, NULL, 0, r);
}

/* GET /k/TOKEN: the redirect into *location (new string), the session id. */
static void
sign_in(const char *token, char *id, char **location)
{
	struct reply r;
	char path[128], *cookie;

	snprintf(path, sizeof(path), "/k/%s", token);
	get(path, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 303);
	*location = httptest_header(&r, "Location");
	/* "__Host-estd_session=ID; ..." over https. */
	cookie = httptest_header(&r, "Set-Cookie");
	ck_assert_ptr_nonnull(cookie);
	ck_assert_ptr_nonnull(strchr(cookie, '='));
	memcpy(id, strchr(cookie, '=') + 1, TOKEN_LEN);
	id[TOKEN_LEN] = '\0';
	ck_assert_int_eq(strchr(cookie, '=')[1 + TOKEN_LEN], ';');
	free(cookie);
	reply_clear(&r);
}

static long long
add_person(struct store *s, const char *name, const char *email, enum role role,
    const char *area, const unsigned char *key, char *token)
{
	struct person p;
	char *areas[] = {(char *)(uintptr_t)area};
	unsigned char hash[TOKEN_HASH_LEN], salt[TOKEN_SALT_LEN];
	char *cause = NULL;
	long long id;

	memset(&p, 0, sizeof(p));
	p.name = (char *)(uintptr_t)name;
	p.email = (char *)(uintptr_t)email;
	p.org = (char *)(uintptr_t) "Kommunen";
	p.role = role;
	p.active = true;
	p.all_areas = area == NULL;
	p.n_areas = area != NULL ? 1 : 0;
	p.areas = areas;
	/* A derived link, so the mail can carry it. */
	token_salt_new(salt);
	token_derive(key, salt, token);
	token_hash(token, TOKEN_LEN, hash);
	id = store_person_add(s, &p, hash, &cause);
	ck_assert_msg(id > 0, "%s", cause);
	ck_assert_int_eq(store_person_set_salt(s, id, salt, &cause), 0);
	return id;
}

/* A report of `person` for `week` of `year` with ratings "key=v,...". */
static void
add_report(struct store *s, long long person, const char *area, int year,
    int week, const char *ratings, bool nothing)
{
	struct report r;
	struct report_saved saved;
	char label[16], *copy, *item, *save = NULL;
	char *cause = NULL, *eq;
	int i;

	report_init(&r);
	snprintf(r.area, sizeof(r.area), "%s", area);
	snprintf(label, sizeof(label), "%d-W%02d", year, week);
	ck_assert_int_eq(period_parse(label, &r.period), 0);
	r.has_period = true;
	if (nothing) {
		r.nothing = true;
		for (i = 0; i < (int)cf->checklist.n; i++)
			r.ratings[i] = 0;
	}
	copy = xstrdup(ratings);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		eq = strchr(item, '=');
		*eq = '\0';
		i = conf_indicator_index(&cf->checklist, item);
		ck_assert_int_ge(i, 0);
		r.ratings[i] = atoi(eq + 1);
	}
	free(copy);
	ck_assert_msg(store_report_save(s, person, &r, &cf->checklist,
			  NOW_T - 86400, "import", &saved, &cause) == 0,
	    "%s", cause);
	report_clear(&r);
}

static void
period_of(const char *label, struct period *p)
{
	ck_assert_int_eq(period_parse(label, p), 0);
}

/*
 * The history (2026-Q3 is W27-W39, 13 weeks; the flag level is 2):
 *
 * Centrum: vandalism 3 in W27-W33 and 2 in W34-W39, graffiti 1 every
 * week: red 7 weeks, yellow 6. Vandalism was 1 all through 2026-Q2
 * (previous mean 1.00) and 2 all through 2025-Q3 (last year 2.00).
 * Its flag opened in W29 is still open; an earlier episode ran
 * 2026-W10 to W14. A measure against vandalism was decided in W33.
 *
 * Söder: graffiti 2 in W27-W32, 0 in W33-W39: yellow 6, green 7; a
 * flag ran W29 to W34.
 *
 * Norr: "nothing to report" every week: green, except W30, which a key
 * function set to yellow.
 */
static void
seed(struct store *s, const unsigned char *key)
{
	struct period p, opened, closed;
	struct measure m;
	long long anna, bo, cilla, per, id;
	char *cause = NULL, scratch[TOKEN_LEN + 1];
	int w;

	ck_assert_int_eq(store_area_add(s, "centrum", "Centrum", &cause), 0);
	ck_assert_int_eq(store_area_add(s, "soder", "Söder", &cause), 0);
	ck_assert_int_eq(store_area_add(s, "norr", "Norr", &cause), 0);
	anna = add_person(s, "Anna Andersson", "anna@example.org",
	    ROLE_REPORTER, "centrum", key, anna_token);
	bo = add_person(s, "Bo Berg", "bo@example.org", ROLE_REPORTER, "norr",
	    key, scratch);
	cilla = add_person(s, "Cilla Sjö", "cilla@example.org", ROLE_REPORTER,
	    "soder", key, scratch);
	per = add_person(s, "Per Polis", "per@polisen.example",
	    ROLE_KEYFUNCTION, "centrum", key, per_token);
	add_person(s, "Stina Styr", "stina@example.org", ROLE_STEERING, NULL,
	    key, stina_token);
	add_person(s, "Ada Admin", "ada@example.org", ROLE_ADMIN, NULL, key,
	    ada_token);

	for (w = 27; w <= 39; w++) {
		add_report(s, anna, "centrum", 2026, w,
		    w <= 33 ? "skadegorelse=3,klotter=1"
			    : "skadegorelse=2,klotter=1",
		    false);
		add_report(s, cilla, "soder", 2026, w,
		    w <= 32 ? "klotter=2" : "klotter=0", false);
		add_report(s, bo, "norr", 2026, w, "", true);
		add_report(
		    s, anna, "centrum", 2025, w, "skadegorelse=2", false);
	}
	for (w = 14; w <= 26; w++)
		add_report(
		    s, anna, "centrum", 2026, w, "skadegorelse=1", false);

	period_of("2026-W10", &opened);
	period_of("2026-W14", &closed);
	id = store_flag_open(s, "centrum", "skadegorelse", &opened,
	    "3 veckor i rad", "3 weeks in a row", &cause);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(store_flag_close(s, id, &closed, &cause), 0);
	period_of("2026-W29", &opened);
	ck_assert_int_gt(store_flag_open(s, "centrum", "skadegorelse", &opened,
			     "3 veckor i rad", "3 weeks in a row", &cause),
	    0);
	period_of("2026-W34", &closed);
	id = store_flag_open(s, "soder", "klotter", &opened, "3 veckor i rad",
	    "3 weeks in a row", &cause);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(store_flag_close(s, id, &closed, &cause), 0);

	period_of("2026-W30", &p);
	ck_assert_int_eq(store_assessment_set(s, "norr", &p, LEVEL_YELLOW,
			     "Oro vid skolan", per, NOW_T - 86400 * 60, &cause),
	    0);

	memset(&m, 0, sizeof(m));
	snprintf(m.area, sizeof(m.area), "centrum");
	period_of("2026-W33", &m.period);
	snprintf(m.indicator, sizeof(m.indicator), "skadegorelse");
	m.what = (char *)(uintptr_t) "Extra belysning vid torget";
	m.who = (char *)(uintptr_t) "Fastighetsägaren";
	m.follow_up = -1;
	m.person_id = per;
	m.at = NOW_T - 86400 * 50;
	ck_assert_int_gt(store_measure_add(s, &m, &cause), 0);

	/* The digest of W40 has been sent: the analyses come next. */
	ck_assert_int_eq(
	    store_job_mark(s, "digest", "2026-W40", NOW_T - 86400 * 2), 0);
}

static void
setup(void)
{
	char *cause = NULL;
	unsigned char key[TOKEN_KEY_LEN];
	struct store *s;

	cf = httptest_conf(dir, dbpath, sizeof(dbpath),
	    "base_url = https://est.example.se\n", NOW);
	ck_assert_msg(
	    token_key_load(cf->key_file, 1, key, &cause) == 0, "%s", cause);

	s = httptest_store(dbpath);
	ck_assert_int_eq(store_begin(s), 0);
	seed(s, key);
	ck_assert_int_eq(store_commit(s), 0);
	store_close(s);
	explicit_bzero(key, sizeof(key));
	srv = httptest_start(cf);
}

static void
teardown(void)
{
	httptest_stop(srv, cf, dir, "/tmp/estd-analysisweb-XXXXXX");
}

static json_t *
api_json(const char *path, const char *token, long *status)
{
	struct reply r;
	json_t *doc;

	get(path, NULL, token, &r);
	*status = r.status;
	HAS(r.headers.data, "application/json; charset=utf-8");
	doc = json_loads(r.body.data, 0, NULL);
	ck_assert_msg(doc != NULL, "not JSON: %s", r.body.data);
	reply_clear(&r);
	return doc;
}

static json_t *
indicator_of(json_t *area, const char *key)
{
	json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(area, "indicators"), i,
	    ind) if (strcmp(json_string_value(json_object_get(ind, "key")),
			 key) == 0) return ind;
	return NULL;
}

static double
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_number(v), "%s is not a number", key);
	return json_number_value(v);
}

#define NEAR(a, b)                                                             \
	ck_assert_msg((a) > (b)-0.001 && (a) < (b) + 0.001, "%f is not %f",    \
	    (double)(a), (double)(b))

START_TEST(test_api_json)
{
	json_t *doc, *a, *ind, *c;
	long status;

	doc = api_json("/api/v1/analyses/2026-Q3", stina_token, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(
	    json_string_value(json_object_get(doc, "period")), "2026-Q3");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "periods")), 13);
	ck_assert_str_eq(json_string_value(json_array_get(
			     json_object_get(doc, "periods"), 0)),
	    "2026-W27");

	/*
	 * Need, with 13 indicators: Centrum 3 x 7 red + 6 yellow + 4 x 1
	 * flag open at the end + 2 x 1 opened in the quarter + 13 elevated
	 * weeks / 13 = 34; Söder 6 + 2 + 6 / 13 = 8.46; Norr 1 (W30 set
	 * yellow).
	 */
	a = json_array_get(json_object_get(doc, "areas"), 0);
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "area")), "centrum");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "rank")), 1);
	NEAR(num(a, "need"), 34.0);
	c = json_object_get(a, "status_counts");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "red")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "yellow")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "green")), 0);
	/* Vandalism: (7 x 3 + 6 x 2) / 13 = 2.54, elevated all 13 weeks. */
	ind = indicator_of(a, "skadegorelse");
	NEAR(num(ind, "mean_score"), 2.54);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(ind, "periods_elevated")), 13);
	NEAR(num(ind, "previous_mean_score"), 1.0);
	NEAR(num(ind, "last_year_mean_score"), 2.0);
	/* Slope of 3,3,3,3,3,3,3,2,2,2,2,2,2: -273 / 2366 = -0.12. */
	NEAR(num(ind, "trend"), -0.12);
	ck_assert(json_is_true(json_object_get(ind, "flagged")));
	ind = indicator_of(a, "klotter");
	NEAR(num(ind, "mean_score"), 1.0);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(ind, "periods_elevated")), 0);
	ck_assert(json_is_null(json_object_get(ind, "previous_mean_score")));
	ind = indicator_of(a, "brand");
	ck_assert(json_is_null(json_object_get(ind, "mean_score")));

	a = json_array_get(json_object_get(doc, "areas"), 1);
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "area")), "soder");
	ck_assert_str_eq(
	    json_string_value(json_object_get(a, "name")), "Söder");
	NEAR(num(a, "need"), 8.46);
	/* Graffiti: 6 x 2 / 13 = 0.92; its flag ran in the quarter. */
	ind = indicator_of(a, "klotter");
	NEAR(num(ind, "mean_score"), 0.92);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(ind, "periods_elevated")), 6);
	ck_assert(json_is_true(json_object_get(ind, "flagged")));

	a = json_array_get(json_object_get(doc, "areas"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(a, "area")), "norr");
	NEAR(num(a, "need"), 1.0);
	c = json_object_get(a, "status_counts");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "green")), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "yellow")), 1);
	/* W30 is the fourth week; a key function set it. */
	ck_assert(json_is_true(
	    json_array_get(json_object_get(a, "statuses_set"), 3)));
	ck_assert(json_is_false(
	    json_array_get(json_object_get(a, "statuses_set"), 4)));
	ck_assert_str_eq(json_string_value(
			     json_array_get(json_object_get(a, "statuses"), 3)),
	    "yellow");

	/* The flags open at some time in the quarter, worst area first. */
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "flags")), 2);
	c = json_array_get(json_object_get(doc, "flags"), 0);
	ck_assert_str_eq(
	    json_string_value(json_object_get(c, "area")), "centrum");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(c, "earlier_episodes")), 1);
	ck_assert(json_is_true(json_object_get(c, "open_at_end")));

	/* Before: W30-W33, all 3; after: W34-W37, all 2. */
	c = json_array_get(json_object_get(doc, "measures"), 0);
	ck_assert_ptr_nonnull(c);
	NEAR(num(c, "mean_before"), 3.0);
	NEAR(num(c, "mean_after"), 2.0);
	json_decref(doc);

	/* An admin may read it too; the year so far as well. */
	doc = api_json(
	    "/api/v1/analyses/2026-Q3?format=json", ada_token, &status);
	ck_assert_int_eq(status, 200);
	json_decref(doc);
	doc = api_json("/api/v1/analyses/2026", stina_token, &status);
	ck_assert_int_eq(status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "periods")), 53);
	json_decref(doc);
}
END_TEST

START_TEST(test_api_refused)
{
	static const char *const bad[] = {
	    "2026-W40", "2026-Q5", "2027-Q1", "2026-T4", "kvartal", "2026-Q3x"};
	json_t *doc;
	long status;
	size_t i;

	/* Key functions and reporters: 403; nobody: 401. */
	doc = api_json("/api/v1/analyses/2026-Q3", per_token, &status);
	ck_assert_int_eq(status, 403);
	HAS(json_string_value(json_object_get(doc, "error")), "steering group");
	json_decref(doc);
	doc = api_json("/api/v1/analyses/2026-Q3", anna_token, &status);
	ck_assert_int_eq(status, 403);
	json_decref(doc);
	doc = api_json("/api/v1/analyses/2026-Q3", NULL, &status);
	ck_assert_int_eq(status, 401);
	json_decref(doc);
	/* Not a quarter, tertial or year, or not begun: 404. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "/api/v1/analyses/%s", bad[i]);
		doc = api_json(path, stina_token, &status);
		ck_assert_msg(status == 404, "%s: %ld", bad[i], status);
		json_decref(doc);
	}
	doc = api_json(
	    "/api/v1/analyses/2026-Q3?format=xml", stina_token, &status);
	ck_assert_int_eq(status, 400);
	json_decref(doc);
}
END_TEST

/* Split CSV text (no quoted fields here: slugs and numbers) into rows. */
static size_t
csv_rows(const char *text, char rows[64][8][32])
{
	const char *p = text, *end;
	size_t n = 0, f;

	while (*p != '\0' && n < 64) {
		end = strstr(p, "\r\n");
		ck_assert_msg(end != NULL, "a row without CRLF");
		for (f = 0; f < 8; f++) {
			size_t len = strcspn(p, ",\r");

			ck_assert_uint_lt(len, 32);
			memcpy(rows[n][f], p, len);
			rows[n][f][len] = '\0';
			p += len;
			if (*p == ',')
				p++;
		}
		ck_assert_msg(p == end, "more than 8 fields");
		p = end + 2;
		n++;
	}
	return n;
}

/* The CSV and the JSON say the same, row by row. */
static void
csv_agrees(const char *csv, json_t *doc)
{
	static char rows[64][8][32];
	json_t *a, *ind, *v;
	char want[32];
	size_t n, i;

	n = csv_rows(csv, rows);
	/* Header, then 3 areas x 13 indicators, worst area first. */
	ck_assert_uint_eq(n, 1 + 3 * 13);
	ck_assert_str_eq(rows[0][0], "period");
	ck_assert_str_eq(rows[0][7], "flagged");
	ck_assert_str_eq(rows[1][1], "centrum");
	ck_assert_str_eq(rows[14][1], "soder");
	ck_assert_str_eq(rows[27][1], "norr");
	for (i = 1; i < n; i++) {
		ck_assert_str_eq(rows[i][0], "2026-Q3");
		a = httptest_area_of(doc, rows[i][1]);
		ck_assert_ptr_nonnull(a);
		ind = indicator_of(a, rows[i][2]);
		ck_assert_ptr_nonnull(ind);
		v = json_object_get(ind, "mean_score");
		if (json_is_null(v))
			want[0] = '\0';
		else
			snprintf(
			    want, sizeof(want), "%.2f", json_number_value(v));
		ck_assert_str_eq(rows[i][3], want);
		v = json_object_get(ind, "periods_elevated");
		if (json_is_null(v))
			want[0] = '\0';
		else
			snprintf(want, sizeof(want), "%lld",
			    (long long)json_integer_value(v));
		ck_assert_str_eq(rows[i][4], want);
		ck_assert_str_eq(rows[i][7],
		    json_is_true(json_object_get(ind, "flagged")) ? "true"
								  : "false");
	}
	/* And the hand-worked row. */
	ck_assert_str_eq(rows[1][2], "skadegorelse");
	ck_assert_str_eq(rows[1][3], "2.54");
	ck_assert_str_eq(rows[1][4], "13");
	ck_assert_str_eq(rows[1][5], "1.00");
	ck_assert_str_eq(rows[1][6], "2.00");
	ck_assert_str_eq(rows[1][7], "true");
}

START_TEST(test_csv_agrees)
{
	struct reply r, w;
	json_t *doc;
	char *type, *disp, id[TOKEN_LEN + 1], *loc;
	long status;

	doc = api_json("/api/v1/analyses/2026-Q3", stina_token, &status);
	get("/api/v1/analyses/2026-Q3?format=csv", NULL, stina_token, &r);
	ck_assert_int_eq(r.status, 200);
	type = httptest_header(&r, "Content-Type");
	ck_assert_str_eq(type, "text/csv; charset=utf-8");
	disp = httptest_header(&r, "Content-Disposition");
	ck_assert_str_eq(disp, "attachment; filename=\"analysis-2026-Q3.csv\"");
	free(type);
	free(disp);
	csv_agrees(r.body.data, doc);

	/* The page's CSV link gives the same bytes. */
	sign_in(stina_token, id, &loc);
	free(loc);
	get("/k/analysis/2026-Q3/csv", id, NULL, &w);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(w.body.data, r.body.data);
	disp = httptest_header(&w, "Content-Disposition");
	ck_assert_str_eq(disp, "attachment; filename=\"analysis-2026-Q3.csv\"");
	free(disp);
	reply_clear(&w);
	reply_clear(&r);
	json_decref(doc);
}
END_TEST

/* The position of `s` in the page, or a failure. */
static size_t
pos(const char *page, const char *s)
{
	const char *p = strstr(page, s);

	ck_assert_msg(p != NULL, "missing \"%s\"", s);
	return (size_t)(p - page);
}

START_TEST(test_page)
{
	struct reply r;
	char id[TOKEN_LEN + 1], *loc;

	/* The steering group lands on the latest closed quarter. */
	sign_in(stina_token, id, &loc);
	ck_assert_str_eq(loc, "/k/analysis");
	free(loc);
	get("/k/analysis", id, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	HAS(r.body.data, "<h1>Kvartalsanalys, kvartal 3 2026 (vecka 27");
	HAS(r.body.data,
	    "<link rel=\"stylesheet\" href=\"/static/estd.css\">\n"
	    "<link rel=\"stylesheet\" href=\"/static/analysis.css\">");
	/* The ranking, as the API has it. */
	ck_assert_uint_lt(pos(r.body.data, "<a href=\"#area-centrum\">Centrum"),
	    pos(r.body.data, "<a href=\"#area-soder\">Söder"));
	ck_assert_uint_lt(pos(r.body.data, "<a href=\"#area-soder\">Söder"),
	    pos(r.body.data, "<a href=\"#area-norr\">Norr"));
	HAS(r.body.data,
	    "<td>1</td><th scope=\"row\"><a "
	    "href=\"#area-centrum\">Centrum</a></th><td>34,00</td><td>7</td>"
	    "<td>6</td><td>0</td><td>0</td><td>1</td>");
	HAS(r.body.data, "Söder</a></th><td>8,46</td>");
	/* Figures: mean, previous, last year, elevated, trend. */
	HAS(r.body.data,
	    "Skadegörelse</span> <strong>(Kvarstående)</strong>"
	    "</th><td>2,54</td><td>1,00</td><td>2,00</td><td>13 / 13</td>"
	    "<td>\xe2\x88\x92"
	    "0,12</td>");
	/* The strip: symbols and words, the key function's week marked. */
	HAS(r.body.data,
	    "<td class=\"strip-red\"><span aria-hidden=\"true\">"
	    "\xe2\x97\x8f</span><span class=\"visually-hidden\">Rött läge"
	    "</span></td>");
	HAS(r.body.data,
	    "<td class=\"strip-yellow strip-set\"><span "
	    "aria-hidden=\"true\">\xe2\x97\x90*</span><span "
	    "class=\"visually-hidden\">Gult läge, satt av nyckelperson</span>");
	/* Charts of the elevated indicators, with words for them. */
	HAS(r.body.data,
	    "<img src=\"/k/analysis/2026-Q3/chart/centrum/"
	    "skadegorelse.svg\" width=\"320\" height=\"140\" alt=\"Diagram: "
	    "Skadegörelse i Centrum, högsta bedömning per period. Medel 2,54, "
	    "förhöjt 13 av 13 bedömda veckor.\"");
	HAS(r.body.data, "/k/analysis/2026-Q3/chart/soder/klotter.svg");
	HASNT(r.body.data, "/chart/centrum/klotter.svg");
	HASNT(r.body.data, "/chart/norr/");
	HAS(r.body.data,
	    "<tr><th scope=\"row\">2026-W27</th><td>Omfattande "
	    "(3)</td></tr>");
	/* Flags with their history, the measure with before and after. */
	HAS(r.body.data, "Sedan 2026-W29: 3 veckor i rad.");
	HAS(r.body.data, "Har varit kvarstående en gång tidigare.");
	HAS(r.body.data, "Avslutat 2026-W34.");
	HAS(r.body.data, "Extra belysning vid torget");
	HAS(r.body.data,
	    "Medel före: 3,00 (4 veckor), efter: 2,00 (4 "
	    "veckor).");
	HAS(r.body.data, "href=\"/k/analysis/2026-Q3/csv\"");
	HAS(r.body.data, "href=\"/k/analysis/2026-Q2?lang=sv\" rel=\"prev\"");
	HAS(r.body.data, "href=\"/k/analysis/2026-Q4?lang=sv\" rel=\"next\"");
	reply_clear(&r);

	/* In English, with the same figures. */
	get("/k/analysis/2026-Q3?lang=en", id, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	HAS(r.body.data, "<h1>Quarterly analysis, quarter 3 2026");
	HAS(r.body.data, "Centrum</a></th><td>34.00</td>");
	HAS(r.body.data, "Vandalism");
	reply_clear(&r);

	/* The current quarter has begun; the next has not. */
	get("/k/analysis/2026-Q4", id, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	HASNT(r.body.data, "rel=\"next\"");
	reply_clear(&r);
	get("/k/analysis/2027-Q1", id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);
	get("/k/analysis/2026-W40", id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);
}
END_TEST

START_TEST(test_page_refused)
{
	struct reply r;
	char id[TOKEN_LEN + 1], *loc, *type;

	/* The page's own stylesheet is public, like estd.css. */
	get("/static/analysis.css", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	type = httptest_header(&r, "Content-Type");
	ck_assert_str_eq(type, "text/css; charset=utf-8");
	free(type);
	HAS(r.body.data, "@media print");
	HAS(r.body.data, ".analysis-area { break-before: page;");
	reply_clear(&r);
	/* No session: the signed-out page. */
	get("/k/analysis", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	reply_clear(&r);
	/* Key functions start at their picture and may not see analyses. */
	sign_in(per_token, id, &loc);
	ck_assert_str_eq(loc, "/k/picture");
	free(loc);
	get("/k/analysis", id, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	get("/k/analysis/2026-Q3/chart/centrum/skadegorelse.svg", id, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	get("/k/analysis/2026-Q3/csv", id, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	/* Admins start at the picture and may see analyses. */
	sign_in(ada_token, id, &loc);
	ck_assert_str_eq(loc, "/k/picture");
	free(loc);
	get("/k/analysis/2026-Q3", id, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	reply_clear(&r);
}
END_TEST

START_TEST(test_chart)
{
	struct reply r;
	char id[TOKEN_LEN + 1], *loc, *type;

	sign_in(stina_token, id, &loc);
	free(loc);
	get("/k/analysis/2026-Q3/chart/centrum/skadegorelse.svg", id, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	type = httptest_header(&r, "Content-Type");
	ck_assert_str_eq(type, "image/svg+xml");
	free(type);
	ck_assert_int_eq(strncmp(r.body.data,
			     "<svg xmlns=\"http://www.w3.org/"
			     "2000/svg\"",
			     39),
	    0);
	HAS(r.body.data,
	    "<title id=\"chart-centrum-skadegorelse-title\">"
	    "Skadegörelse i Centrum, kvartal 3 2026 (vecka 27");
	HAS(r.body.data, "v. 27: 3; ");
	HAS(r.body.data, "v. 39: 2. ");
	HAS(r.body.data,
	    "Förhöjt från 2: 13 av 13 bedömda perioder. Medel "
	    "2,54.");
	HASNT(r.body.data, "<script");
	reply_clear(&r);

	/* Unknown area, indicator or name: 404. */
	get("/k/analysis/2026-Q3/chart/vaster/skadegorelse.svg", id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);
	get("/k/analysis/2026-Q3/chart/centrum/okand.svg", id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);
	get("/k/analysis/2026-Q3/chart/centrum/skadegorelse.png", id, NULL, &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);
}
END_TEST

/* The summary in words, as estctl prints it and the mail includes it. */
START_TEST(test_summary_text)
{
	struct gathered_analysis g;
	struct digest_analysis in;
	struct tmpl_set *mail;
	struct store *s;
	struct period p;
	json_t *doc;
	char *text, *cause = NULL, mdir[512], cwd[256];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(mdir, sizeof(mdir), "%s/reporter-form/mail", cwd);
	mail = tmpl_set_load(mdir, &cause);
	ck_assert_msg(mail != NULL, "%s", cause);
	s = store_open(dbpath, STORE_READER, &cause);
	ck_assert_ptr_nonnull(s);
	period_of("2026-Q3", &p);
	ck_assert_int_eq(gather_analysis(s, cf, &p, NULL, &g, &cause), 0);
	ck_assert(g.any_reports);
	doc = analysis_to_json(g.analysis);
	memset(&in, 0, sizeof(in));
	in.analysis = doc;
	in.checklist = &cf->checklist;
	in.max_areas = SIZE_MAX;
	text = digest_analysis_text(mail, &in, &cause);
	ck_assert_msg(text != NULL, "%s", cause);
	HAS(text,
	    "Kvartalsanalys, kvartal 3 2026 (vecka 27\xe2\x80\x93"
	    "39)\n");
	HAS(text,
	    "\n1. Centrum (behov 34,00): rött 7, gult 6, grönt 0, ej "
	    "bedömt 0 av 13 veckor; 1 kvarstående problem.\n"
	    "   Högst medel: Skadegörelse, Klotter.\n"
	    "2. Söder (behov 8,46): rött 0, gult 6, grönt 7, ej bedömt 0 av 13 "
	    "veckor; inga kvarstående problem.\n");
	HAS(text, "\n3. Norr (behov 1,00)");
	HAS(text,
	    "\n- Centrum, Skadegörelse: sedan v. 29, flaggat efter 3 "
	    "veckor i rad (nytt under perioden). Kvarstående 1 gång "
	    "tidigare.\n");
	HASNT(text, "Söder, Klotter: sedan");
	HAS(text,
	    "\n- Centrum, Skadegörelse: medel 1,00 \xe2\x86\x92 2,54 "
	    "(upp).\n");
	free(text);
	json_decref(doc);
	gather_analysis_clear(&g);
	store_close(s);
	tmpl_set_free(mail);
}
END_TEST

/* The contents of the spooled message that holds `needle` (new). */
static char *
spooled(const char *needle)
{
	char path[512], *data, *found = NULL;
	struct dirent *e;
	DIR *d;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/outbox", dir);
	if ((d = opendir(path)) == NULL)
		return NULL;
	while (found == NULL && (e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".eml") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/outbox/%s", dir, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		data = xcalloc((size_t)len + 1, 1);
		if (fread(data, 1, (size_t)len, f) == (size_t)len &&
		    strstr(data, needle) != NULL)
			found = data;
		else
			free(data);
		fclose(f);
	}
	closedir(d);
	return found;
}

static int
analysis_mails(void)
{
	struct store *s;
	struct outbox_mail *m = NULL;
	size_t n = 0, i;
	int count = 0;
	char *cause = NULL;

	s = store_open(dbpath, STORE_READER, &cause);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_outbox_list(s, 0, &m, &n), 0);
	for (i = 0; i < n; i++)
		if (strcmp(m[i].kind, "analysis") == 0 &&
		    m[i].state == OUTBOX_SENT)
			count++;
	store_outbox_free(m, n);
	store_close(s);
	return count;
}

START_TEST(test_mail)
{
	struct reply r;
	struct buf b = {NULL, 0, 0};
	struct store *s;
	struct dbwrite dw;
	struct jobs_result res;
	struct tmpl_set *mail;
	struct period p, spans[2];
	char *msg, *cause = NULL, *want, cwd[256];
	char mdir[512];
	int i;

	/* The scheduler mails 2026-Q3 to Stina, once. */
	for (i = 0; i < 200 && analysis_mails() < 1; i++)
		usleep(100 * 1000);
	usleep(500 * 1000);
	ck_assert_int_eq(analysis_mails(), 1);
	msg = spooled("analysis-2026-Q3.csv");
	ck_assert_ptr_nonnull(msg);
	HAS(msg, "To: Stina Styr <stina@example.org>");
	/* "Kvartalsanalys kvartal 3 2026: 1 kvarstående problem" */
	HAS(msg, "Subject: =?UTF-8?");
	HAS(msg, "Content-Type: multipart/mixed");
	HAS(msg, "Content-Type: text/csv; charset=utf-8");
	HAS(msg, "filename=\"analysis-2026-Q3.csv\"");
	/* Swedish in the text part, quoted-printable. */
	HAS(msg, "S=C3=B6der");
	HAS(msg, "https://est.example.se/k/");
	HAS(msg, stina_token);
	/* The attachment is the API's CSV. */
	get("/api/v1/analyses/2026-Q3?format=csv", NULL, stina_token, &r);
	mime_base64_encode(&b, r.body.data, r.body.len);
	want = buf_take(&b, NULL);
	HAS(msg, want);
	free(want);
	free(msg);
	reply_clear(&r);

	/* Again, by hand: done already; forced, nothing queued twice. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(mdir, sizeof(mdir), "%s/reporter-form/mail", cwd);
	mail = tmpl_set_load(mdir, &cause);
	ck_assert_ptr_nonnull(mail);
	s = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_ptr_nonnull(s);
	memset(&dw, 0, sizeof(dw));
	dw.store = s;
	period_of("2026-Q3", &p);
	ck_assert_int_eq(
	    jobs_analysis(cf, &dw, NULL, mail, &p, NOW_T, false, &res, &cause),
	    0);
	ck_assert(res.already_done);
	ck_assert_int_eq(res.queued, 0);
	ck_assert_int_eq(
	    jobs_analysis(cf, &dw, NULL, mail, &p, NOW_T, true, &res, &cause),
	    0);
	ck_assert(!res.already_done);
	ck_assert_int_eq(res.queued, 0);
	/* A span nobody reported in: recorded, no mail. */
	period_of("2024-Q1", &p);
	ck_assert_int_eq(
	    jobs_analysis(cf, &dw, NULL, mail, &p, NOW_T, false, &res, &cause),
	    0);
	ck_assert(res.no_reports);
	ck_assert_int_eq(res.queued, 0);
	ck_assert_int_eq(store_job_done(s, "analysis", "2024-Q1"), 1);
	ck_assert_int_eq(store_job_done(s, "analysis", "2026-Q3"), 1);
	ck_assert_int_eq(store_job_done(s, "analysis", "2025"), 0);
	store_close(s);
	tmpl_set_free(mail);
	ck_assert_int_eq(analysis_mails(), 1);

	/*
	 * Which spans a digest closes: the one it ends, or the one before
	 * during the first 4 weeks of the next.
	 */
	period_of("2026-W39", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 1);
	ck_assert_int_eq(spans[0].kind, PERIOD_QUARTER);
	ck_assert_int_eq(spans[0].year, 2026);
	ck_assert_int_eq(spans[0].num, 3);
	period_of("2026-W38", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 0);
	period_of("2026-W43", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 1);
	ck_assert_int_eq(spans[0].num, 3);
	period_of("2026-W44", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 0);
	/* 2026 has 53 weeks: W53 ends Q4 and the year. */
	period_of("2026-W53", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 2);
	ck_assert_int_eq(spans[0].num, 4);
	ck_assert_int_eq(spans[1].kind, PERIOD_YEAR);
	ck_assert_int_eq(spans[1].year, 2026);
	period_of("2027-W02", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 2);
	ck_assert_int_eq(spans[0].year, 2026);
	ck_assert_int_eq(spans[0].num, 4);
	ck_assert_int_eq(spans[1].year, 2026);
	/* Tertials: T2 is W19-W35 (Thursdays 7 May to 27 August). */
	cf->analysis = ANALYSIS_TERTIAL;
	period_of("2026-W35", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 1);
	ck_assert_int_eq(spans[0].kind, PERIOD_TERTIAL);
	ck_assert_int_eq(spans[0].num, 2);
	period_of("2026-W36", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 1);
	ck_assert_int_eq(spans[0].num, 2);
	period_of("2026-W34", &p);
	ck_assert_int_eq(jobs_analysis_due(cf, &p, spans), 0);
	cf->analysis = ANALYSIS_QUARTER;
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("analysisweb");
	TCase *tc = tcase_create("analysisweb");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_api_json);
	tcase_add_test(tc, test_api_refused);
	tcase_add_test(tc, test_csv_agrees);
	tcase_add_test(tc, test_page);
	tcase_add_test(tc, test_page_refused);
	tcase_add_test(tc, test_chart);
	tcase_add_test(tc, test_summary_text);
	tcase_add_test(tc, test_mail);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = testutil_run(suite());
	curl_global_cleanup();
	return rc;
}
