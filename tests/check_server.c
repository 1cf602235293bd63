/*
 * HTTP tests: the real server in-process on port 0, a real SQLite file in
 * a temporary directory, driven by libcurl. Every status of contract §5
 * is provoked and its body checked; refused requests must store nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "httptest.h"
#include "server.h"
#include "store.h"
#include "testutil.h"
#include "token.h"
#include "xmalloc.h"

static char dir[] = "/tmp/estd-http-XXXXXX";
static char dbpath[256];
static struct conf *cf;
static struct server *srv;
static char reporter_token[TOKEN_LEN + 1];
static char key_token[TOKEN_LEN + 1];
static char disabled_token[TOKEN_LEN + 1];

/*
 * One request. `headers` is a NULL-terminated list or NULL. The reply's
 * buffers are the caller's (reply_clear).
 */
static void
request(const char *method, const char *path, const char *const *headers,
    const char *body, size_t len, struct reply *r)
{
	httptest_request(
	    server_port(srv), method, path, NULL, headers, body, len, r);
}

/* POST a JSON report with a bearer token; returns the status. */
static long
post_report(const char *token, const char *json, struct reply *r)
{
	char auth[128];
	const char *h[] = {auth, "Content-Type: application/json", NULL};

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	request("POST", "/api/v1/reports", h, json, strlen(json), r);
	return r->status;
}

static long long
reports_stored(void)
{
	char *cause = NULL;
	struct store *s = store_open(dbpath, STORE_READER, &cause);
	long long n;

	ck_assert_ptr_nonnull(s);
	n = store_report_count(s);
	store_close(s);
	return n;
}

static void
add_person(struct store *s, const char *email, enum role role, const char *area,
    char *token)
{
	struct person p;
	char *areas[] = {(char *)(uintptr_t)area};
	unsigned char hash[TOKEN_HASH_LEN];
	char *cause = NULL;

	memset(&p, 0, sizeof(p));
	p.name = (char *)(uintptr_t) "Test Person";
	p.email = (char *)(uintptr_t)email;
	p.org = (char *)(uintptr_t) "Bostadsbolaget";
	p.role = role;
	p.active = true;
	p.n_areas = 1;
	p.areas = areas;
	token_new(token);
	token_hash(token, strlen(token), hash);
	ck_assert_msg(store_person_add(s, &p, hash, &cause) > 0, "%s", cause);
}

/* A fresh database, config and server; the clock starts at `now`. */
static void
start(const char *now)
{
	char *cause = NULL;
	struct store *s;
	long long id;

	cf = httptest_conf(dir, dbpath, sizeof(dbpath), NULL, now);
	s = httptest_store(dbpath);
	ck_assert_int_eq(store_area_add(s, "centrum", "Centrum", &cause), 0);
	ck_assert_int_eq(store_area_add(s, "norr", "Norr", &cause), 0);
	add_person(
	    s, "anna@example.org", ROLE_REPORTER, "centrum", reporter_token);
	add_person(
	    s, "per@polisen.example", ROLE_KEYFUNCTION, "centrum", key_token);
	add_person(
	    s, "gone@example.org", ROLE_REPORTER, "centrum", disabled_token);
	id = store_person_id_by_email(s, "gone@example.org");
	ck_assert_int_eq(store_person_disable(s, id, &cause), 0);
	store_close(s);
	srv = httptest_start(cf);
}

static void
setup(void)
{
	/* Wednesday of 2026-W47: W46 is closed (its digest went Monday). */
	start("2026-11-18T10:00:00+01:00");
}

static void
teardown(void)
{
	httptest_stop(srv, cf, dir, "/tmp/estd-http-XXXXXX");
}

START_TEST(test_healthz)
{
	struct reply r;

	request("GET", "/healthz", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body.data, "{\"status\":\"ok\"}\n");
	ck_assert_ptr_nonnull(
	    strstr(r.headers.data, "application/json; charset=utf-8"));
	reply_clear(&r);
}
END_TEST

START_TEST(test_metrics)
{
	struct reply r;

	ck_assert_int_eq(post_report(reporter_token,
			     "{\"area\":\"centrum\",\"nothing\":true}", &r),
	    201);
	reply_clear(&r);
	request("GET", "/metrics", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data, "\nestd_reports_stored 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "estd_http_requests_total{method=\"POST\","
	    "route=\"/api/v1/reports\",status=\"201\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(r.body.data, "estd_outbox_mails{state=\"failed\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(r.headers.data, "text/plain"));
	reply_clear(&r);
}
END_TEST

START_TEST(test_personal_data_masked)
{
	struct reply r;
	json_t *doc, *kinds;

	ck_assert_int_eq(
	    post_report(reporter_token,
		"{\"area\":\"centrum\",\"ratings\":{\"klotter\":1},"
		"\"note\":\"Ring 070-123 45 67 om 811218-9876\"}",
		&r),
	    201);
	doc = json_loads(r.body.data, 0, NULL);
	kinds = json_object_get(doc, "masked");
	ck_assert_int_eq((int)json_array_size(kinds), 2);
	json_decref(doc);
	reply_clear(&r);
	/* The personal identity number never reaches the database. */
	{
		char *cause = NULL;
		struct store *s = store_open(dbpath, STORE_READER, &cause);
		struct stored_report *reps = NULL;
		size_t n = 0;
		struct period p;

		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(period_parse("2026-W47", &p), 0);
		ck_assert_int_eq(
		    store_report_list(s, &p, NULL, &cf->checklist, &reps, &n),
		    0);
		ck_assert_int_eq((int)n, 1);
		ck_assert_ptr_null(strstr(reps[0].report.note, "9876"));
		ck_assert_ptr_null(strstr(reps[0].report.note, "45 67"));
		store_stored_reports_free(reps, n);
		store_close(s);
	}
}
END_TEST

START_TEST(test_404_405)
{
	struct reply r;
	json_t *doc;

	request("GET", "/api/v1/nothing-here", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	doc = json_loads(r.body.data, 0, NULL);
	ck_assert_str_eq(httptest_jstr(doc, "error"), "no such resource");
	json_decref(doc);
	reply_clear(&r);

	request("DELETE", "/api/v1/reports", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 405);
	reply_clear(&r);

	request("GET", "/nowhere", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_ptr_nonnull(strstr(r.headers.data, "text/html"));
	reply_clear(&r);
}
END_TEST

START_TEST(test_checklist)
{
	struct reply r;
	char auth[128];
	const char *h[] = {auth, NULL};
	json_t *doc, *items;

	request("GET", "/api/v1/checklist", NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 401);
	reply_clear(&r);

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key_token);
	request("GET", "/api/v1/checklist", h, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	doc = json_loads(r.body.data, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	items = json_object_get(doc, "indicators");
	ck_assert_int_eq((int)json_array_size(items), 13);
	ck_assert_str_eq(
	    httptest_jstr(json_array_get(items, 0), "key"), "skadegorelse");
	ck_assert_str_eq(
	    httptest_jstr(json_array_get(items, 0), "sv"), "Skadegörelse");
	ck_assert_int_eq(
	    (int)json_array_size(json_object_get(doc, "scale")), 4);
	json_decref(doc);
	reply_clear(&r);
}
END_TEST

START_TEST(test_report_created_then_replaced)
{
	struct reply r;
	json_t *doc;

	ck_assert_int_eq(
	    post_report(reporter_token,
		"{\"area\":\"centrum\",\"period\":\"2026-W47\","
		"\"ratings\":{\"skadegorelse\":2,\"klotter\":0},"
		"\"counts\":{\"skadegorelse\":3},\"place\":\"Torget\","
		"\"note\":\"Krossad busskur\",\"nothing\":false}",
		&r),
	    201);
	doc = json_loads(r.body.data, 0, NULL);
	ck_assert_str_eq(httptest_jstr(doc, "area"), "centrum");
	ck_assert_str_eq(httptest_jstr(doc, "period"), "2026-W47");
	ck_assert_int_gt(json_integer_value(json_object_get(doc, "id")), 0);
	json_decref(doc);
	reply_clear(&r);

	/* No period: the current one; the same triple is replaced. */
	ck_assert_int_eq(
	    post_report(reporter_token,
		"{\"area\":\"centrum\",\"ratings\":{\"klotter\":3}}", &r),
	    200);
	doc = json_loads(r.body.data, 0, NULL);
	ck_assert_str_eq(httptest_jstr(doc, "period"), "2026-W47");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(doc, "revision")), 2);
	json_decref(doc);
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 1);
}
END_TEST

struct refusal {
	const char *body;
	long status;
	const char *field;
};

START_TEST(test_report_refusals_store_nothing)
{
	static const struct refusal cases[] = {
	    {"{\"area\":", 400, NULL},
	    {"[1,2]", 400, NULL},
	    {"{\"area\":\"centrum\",\"colour\":\"red\"}", 422, "colour"},
	    {"{\"area\":\"centrum\",\"ratings\":{\"klotter\":4}}", 422,
		"ratings.klotter"},
	    {"{\"area\":\"centrum\",\"ratings\":{\"ufo\":1}}", 422,
		"ratings.ufo"},
	    {"{\"area\":\"centrum\",\"ratings\":{\"klotter\":\"2\"}}", 422,
		"ratings.klotter"},
	    {"{\"area\":\"centrum\",\"counts\":{\"klotter\":10001}}", 422,
		"counts.klotter"},
	    {"{\"area\":\"norr\",\"ratings\":{\"klotter\":1}}", 403, "area"},
	    {"{\"area\":\"centrum\",\"period\":\"2026-W46\","
	     "\"ratings\":{\"klotter\":1}}",
		422, "period"},
	    {"{\"area\":\"centrum\",\"period\":\"2026-W48\","
	     "\"ratings\":{\"klotter\":1}}",
		422, "period"},
	    {"{\"area\":\"centrum\"}", 422, NULL},
	};
	struct reply r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc;

		ck_assert_msg(post_report(reporter_token, cases[i].body, &r) ==
			cases[i].status,
		    "%s: got %ld, want %ld (%s)", cases[i].body, r.status,
		    cases[i].status, r.body.data);
		doc = json_loads(r.body.data, 0, NULL);
		ck_assert_msg(doc != NULL, "%s: not JSON", cases[i].body);
		ck_assert_ptr_nonnull(httptest_jstr(doc, "error"));
		if (cases[i].field != NULL)
			ck_assert_str_eq(
			    httptest_jstr(doc, "field"), cases[i].field);
		json_decref(doc);
		reply_clear(&r);
	}
	ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(test_report_invalid_utf8)
{
	struct reply r;

	ck_assert_int_eq(
	    post_report(reporter_token,
		"{\"area\":\"centrum\",\"note\":\"\xff\xfe\"}", &r),
	    400);
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(test_report_too_large)
{
	struct reply r;
	char auth[128];
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	char *big = xmalloc(70000);

	memset(big, ' ', 70000);
	big[0] = '{';
	big[69999] = '}';
	snprintf(
	    auth, sizeof(auth), "Authorization: Bearer %s", reporter_token);
	request("POST", "/api/v1/reports", h, big, 70000, &r);
	ck_assert_int_eq(r.status, 413);
	reply_clear(&r);
	free(big);
	ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(test_report_wrong_role_and_tokens)
{
	struct reply r;

	ck_assert_int_eq(post_report(key_token,
			     "{\"area\":\"centrum\",\"nothing\":true}", &r),
	    403);
	reply_clear(&r);
	ck_assert_int_eq(post_report(disabled_token,
			     "{\"area\":\"centrum\",\"nothing\":true}", &r),
	    401);
	reply_clear(&r);
	ck_assert_int_eq(post_report("not-a-token",
			     "{\"area\":\"centrum\",\"nothing\":true}", &r),
	    401);
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(test_rate_limit)
{
	struct reply r;
	char bad[TOKEN_LEN + 1];
	int i;

	token_new(bad);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(post_report(bad, "{}", &r), 401);
		reply_clear(&r);
	}
	ck_assert_int_eq(post_report(bad, "{}", &r), 429);
	ck_assert_ptr_nonnull(strstr(r.headers.data, "Retry-After:"));
	reply_clear(&r);
	/* Even a good token waits out the minute from that address. */
	ck_assert_int_eq(post_report(reporter_token,
			     "{\"area\":\"centrum\",\"nothing\":true}", &r),
	    429);
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 0);
}
END_TEST

START_TEST(test_form_round_trip)
{
	struct reply r;
	char path[128], *loc, *end;
	const char *h[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL};
	const char *body = "area=centrum&period=2026-W47&lang=sv"
			   "&r.skadegorelse=2&r.klotter=&n.skadegorelse=3"
			   "&place=Torget&note=Krossad+busskur+%3Cb%3E";

	snprintf(path, sizeof(path), "/r/%s", reporter_token);
	request("GET", path, NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data, "vecka 47"));
	ck_assert_ptr_nonnull(strstr(
	    r.headers.data, "Content-Security-Policy: default-src 'none'"));
	ck_assert_ptr_nonnull(
	    strstr(r.headers.data, "Referrer-Policy: no-referrer"));
	ck_assert_ptr_nonnull(
	    strstr(r.headers.data, "X-Content-Type-Options: nosniff"));
	reply_clear(&r);

	request("POST", path, h, body, strlen(body), &r);
	ck_assert_int_eq(r.status, 303);
	loc = strstr(r.headers.data, "Location: ");
	ck_assert_ptr_nonnull(loc);
	loc += 10;
	end = strpbrk(loc, "\r\n");
	*end = '\0';
	ck_assert_ptr_nonnull(strstr(loc,
	    "/receipt?area=centrum&period="
	    "2026-W47"));
	loc = xstrdup(loc);
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 1);

	request("GET", loc, NULL, NULL, 0, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body.data, "Torget"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "Krossad busskur &lt;b&gt;"));
	ck_assert_ptr_null(strstr(r.body.data, "<b>"));
	reply_clear(&r);
	free(loc);
}
END_TEST

START_TEST(test_form_errors_keep_values)
{
	struct reply r;
	char path[128];
	const char *h[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL};
	const char *body = "area=centrum&period=2026-W47&lang=en"
			   "&r.skadegorelse=7&r.klotter=2&place=Stora+torget";

	snprintf(path, sizeof(path), "/r/%s", reporter_token);
	request("POST", path, h, body, strlen(body), &r);
	ck_assert_int_eq(r.status, 422);
	ck_assert_ptr_nonnull(strstr(r.body.data, "Stora torget"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "aria-invalid=\"true\""));
	ck_assert_ptr_nonnull(strstr(r.body.data, "lang=\"en\""));
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 0);

	request("GET", "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
	    NULL, 0, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_ptr_nonnull(strstr(r.headers.data, "text/html"));
	reply_clear(&r);
}
END_TEST

START_TEST(test_previous_period_open_before_digest)
{
	struct reply r;

	/* Monday 07:00 of W47: W46 is still open until 08:00. */
	teardown();
	start("2026-11-16T07:00:00+01:00");
	ck_assert_int_eq(post_report(reporter_token,
			     "{\"area\":\"centrum\",\"period\":\"2026-W46\","
			     "\"nothing\":true}",
			     &r),
	    201);
	reply_clear(&r);
	ck_assert_int_eq(post_report(reporter_token,
			     "{\"area\":\"centrum\",\"period\":\"2026-W45\","
			     "\"nothing\":true}",
			     &r),
	    422);
	reply_clear(&r);
	ck_assert_int_eq(reports_stored(), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("server");
	TCase *tc = tcase_create("http");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_healthz);
	tcase_add_test(tc, test_404_405);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_personal_data_masked);
	tcase_add_test(tc, test_checklist);
	tcase_add_test(tc, test_report_created_then_replaced);
	tcase_add_test(tc, test_report_refusals_store_nothing);
	tcase_add_test(tc, test_report_invalid_utf8);
	tcase_add_test(tc, test_report_too_large);
	tcase_add_test(tc, test_report_wrong_role_and_tokens);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_form_round_trip);
	tcase_add_test(tc, test_form_errors_keep_values);
	tcase_add_test(tc, test_previous_period_open_before_digest);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
