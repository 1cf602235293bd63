/*
 * The key functions' web and the picture API: sign-in by personal link,
 * session cookie and expiry, the picture page narrowed to the person's
 * areas, the changes made there (joint assessment, measure, flag
 * acknowledgement) with their CSRF and cross-site checks, and the JSON
 * of /api/v1/pictures and /api/v1/flags. The real server runs in-process
 * on port 0 over a real SQLite file; libcurl drives it. Refused changes
 * must store nothing.
 */
#include <stdint.h>
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
#include "gather.h"
#include "server.h"
#include "session.h"
#include "store.h"
#include "testutil.h"
#include "token.h"
#include "xmalloc.h"

/* Wednesday of 2026-W47: the latest closed period is 2026-W46. */
#define NOW "2026-11-18T10:00:00+01:00"
#define NOW_T ((time_t)1794992400)

static char dir[] = "/tmp/estd-keyweb-XXXXXX";
static char dbpath[256];
static struct conf *cf;
static struct server *srv;
static char anna_token[TOKEN_LEN + 1]; /* reporter, centrum */
static char per_token[TOKEN_LEN + 1]; /* key, centrum */
static char nora_token[TOKEN_LEN + 1]; /* key, norr */
static char stina_token[TOKEN_LEN + 1]; /* steering, centrum */
static long long per_id;
static long long flag_centrum, flag_norr;

/*
 * One request; `cookie` (or NULL) is sent as "Cookie: estd_session=..",
 * `headers` is a NULL-terminated list of at most four (or NULL); a body
 * goes as a form. The reply is the caller's (reply_clear).
 */
static void
request(const char *method, const char *path, const char *cookie,
    const char *const *headers, const char *body, struct reply *r)
{
	const char *h[6];
	size_t n = 0;

	for (; headers != NULL && *headers != NULL; headers++) {
		ck_assert_uint_lt(n, 4);
		h[n++] = *headers;
	}
	if (body != NULL)
		h[n++] = "Content-Type: application/x-www-form-urlencoded";
	h[n] = NULL;
	httptest_request(server_port(srv), method, path, cookie, h, body,
	    body != NULL ? strlen(body) : 0, r);
}

/* GET /k/TOKEN; the session id of its cookie into id[TOKEN_LEN + 1]. */
static void
sign_in(const char *token, char *id)
{
	struct reply r;
	char path[128], *cookie, *loc;

	snprintf(path, sizeof(path), "/k/%s", token);
	request("GET", path, NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 303);
	loc = httptest_header(&r, "Location");
	/* The steering group lands on the analysis, the others on the picture. */
	ck_assert(
	    strcmp(loc, "/k/picture") == 0 || strcmp(loc, "/k/analysis") == 0);
	free(loc);
	cookie = httptest_header(&r, "Set-Cookie");
	ck_assert_ptr_nonnull(cookie);
	ck_assert_int_eq(strncmp(cookie, "estd_session=", 13), 0);
	memcpy(id, cookie + 13, TOKEN_LEN);
	id[TOKEN_LEN] = '\0';
	ck_assert_int_eq(cookie[13 + TOKEN_LEN], ';');
	free(cookie);
	reply_clear(&r);
}

/* The CSRF token of a page (64 hex characters) into csrf[65]. */
static void
page_csrf(const struct reply *r, char *csrf)
{
	const char *p = strstr(r->body.data, "name=\"csrf\" value=\"");

	ck_assert_ptr_nonnull(p);
	p += strlen("name=\"csrf\" value=\"");
	memcpy(csrf, p, 64);
	csrf[64] = '\0';
	ck_assert_int_eq(p[64], '"');
	ck_assert_uint_eq(strspn(csrf, "0123456789abcdef"), 64);
}

/* GET /k/picture[/PERIOD] with the session; the reply is the caller's. */
static void
get_picture(const char *id, const char *path, struct reply *r)
{
	request("GET", path, id, NULL, NULL, r);
}

/* Picture JSON of the API for a bearer token; status into *status. */
static json_t *
api_get(const char *token, const char *path, long *status)
{
	struct reply r;
	char auth[128];
	const char *h[] = {auth, NULL};
	json_t *doc;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	request("GET", path, NULL, h, NULL, &r);
	*status = r.status;
	HAS(r.headers.data, "application/json; charset=utf-8");
	doc = json_loads(r.body.data, 0, NULL);
	ck_assert_msg(doc != NULL, "not JSON: %s", r.body.data);
	reply_clear(&r);
	return doc;
}

static struct store *
open_store(void)
{
	char *cause = NULL;
	struct store *s = store_open(dbpath, STORE_READER, &cause);

	ck_assert_msg(s != NULL, "%s", cause);
	return s;
}

static size_t
assessments_stored(const char *period)
{
	struct store *s = open_store();
	struct assessment *list = NULL;
	struct period p;
	size_t n = 0;

	ck_assert_int_eq(period_parse(period, &p), 0);
	ck_assert_int_eq(store_assessment_list(s, &p, &list, &n), 0);
	store_assessments_free(list, n);
	store_close(s);
	return n;
}

static size_t
measures_stored(void)
{
	struct store *s = open_store();
	struct measure *list = NULL;
	size_t n = 0;

	ck_assert_int_eq(store_measure_list(s, NULL, NULL, &list, &n), 0);
	store_measures_free(list, n);
	store_close(s);
	return n;
}

static long long
add_person(struct store *s, const char *name, const char *email, enum role role,
    const char *area, char *token)
{
	struct person p;
	char *areas[] = {(char *)(uintptr_t)area};
	unsigned char hash[TOKEN_HASH_LEN];
	char tok[TOKEN_LEN + 1], *cause = NULL;
	long long id;

	memset(&p, 0, sizeof(p));
	p.name = (char *)(uintptr_t)name;
	p.email = (char *)(uintptr_t)email;
	p.org = (char *)(uintptr_t) "Kommunen";
	p.role = role;
	p.active = true;
	p.n_areas = 1;
	p.areas = areas;
	token_new(token != NULL ? token : tok);
	token_hash(token != NULL ? token : tok, TOKEN_LEN, hash);
	id = store_person_add(s, &p, hash, &cause);
	ck_assert_msg(id > 0, "%s", cause);
	return id;
}

/* Save a report of `person` with ratings "key=value,..." */
static void
add_report(struct store *s, long long person, const char *area,
    const char *period, const char *ratings, const char *place,
    const char *note)
{
	struct report r;
	struct report_saved saved;
	char *copy, *item, *save = NULL, *cause = NULL;
	char *eq;
	int i;

	report_init(&r);
	snprintf(r.area, sizeof(r.area), "%s", area);
	ck_assert_int_eq(period_parse(period, &r.period), 0);
	r.has_period = true;
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
	r.place = place != NULL ? xstrdup(place) : NULL;
	r.note = note != NULL ? xstrdup(note) : NULL;
	ck_assert_msg(store_report_save(s, person, &r, &cf->checklist,
			  NOW_T - 86400 * 5, "form", &saved, &cause) == 0,
	    "%s", cause);
	report_clear(&r);
}

/*
 * Areas centrum and norr. Reporters Anna and Cilla report for centrum
 * (Cilla has not reported W46), Bo for norr. Per is the key function of
 * centrum, Nora of norr, Stina is in the steering group (listed for
 * centrum, sees all). One open flag in each area.
 */
static void
start(const char *now)
{
	char *cause = NULL;
	struct period w45, w46;
	struct store *s;
	long long anna, bo;

	cf = httptest_conf(dir, dbpath, sizeof(dbpath), NULL, now);
	s = httptest_store(dbpath);
	ck_assert_int_eq(store_area_add(s, "centrum", "Centrum", &cause), 0);
	ck_assert_int_eq(store_area_add(s, "norr", "Norr", &cause), 0);
	anna = add_person(s, "Anna Andersson", "anna@example.org",
	    ROLE_REPORTER, "centrum", anna_token);
	add_person(s, "Cilla Carlsson", "cilla@example.org", ROLE_REPORTER,
	    "centrum", NULL);
	bo = add_person(
	    s, "Bo Berg", "bo@example.org", ROLE_REPORTER, "norr", NULL);
	per_id = add_person(s, "Per Polis", "per@polisen.example",
	    ROLE_KEYFUNCTION, "centrum", per_token);
	add_person(s, "Nora Norr", "nora@example.org", ROLE_KEYFUNCTION, "norr",
	    nora_token);
	add_person(s, "Stina Styr", "stina@example.org", ROLE_STEERING,
	    "centrum", stina_token);

	add_report(
	    s, anna, "centrum", "2026-W45", "skadegorelse=1", NULL, NULL);
	add_report(s, anna, "centrum", "2026-W46", "skadegorelse=3,klotter=1",
	    "Torget", "Krossad busskur");
	add_report(s, bo, "norr", "2026-W46", "klotter=2", NULL, "Norrnoten");
	ck_assert_int_eq(period_parse("2026-W45", &w45), 0);
	ck_assert_int_eq(period_parse("2026-W46", &w46), 0);
	flag_centrum = store_flag_open(s, "centrum", "skadegorelse", &w45,
	    "3 veckor i rad", "3 weeks in a row", &cause);
	ck_assert_int_gt(flag_centrum, 0);
	flag_norr = store_flag_open(s, "norr", "klotter", &w46, "4 av 6 veckor",
	    "4 of 6 weeks", &cause);
	ck_assert_int_gt(flag_norr, 0);
	store_close(s);
	srv = httptest_start(cf);
}

static void
setup(void)
{
	start(NOW);
}

static void
teardown(void)
{
	httptest_stop(srv, cf, dir, "/tmp/estd-keyweb-XXXXXX");
}

START_TEST(test_signin_cookie)
{
	struct reply r;
	char path[128], a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	char *cookie;

	snprintf(path, sizeof(path), "/k/%s", per_token);
	request("GET", path, NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 303);
	cookie = httptest_header(&r, "Set-Cookie");
	ck_assert_ptr_nonnull(cookie);
	HAS(cookie, "; Path=/; HttpOnly; SameSite=Lax");
	/* base_url is http://: no Secure, or the browser would drop it. */
	HASNT(cookie, "Secure");
	free(cookie);
	reply_clear(&r);

	/* Twice (a mail scanner first): two sessions, both work. */
	sign_in(per_token, a);
	sign_in(per_token, b);
	ck_assert_str_ne(a, b);
	get_picture(a, "/k/picture", &r);
	ck_assert_int_eq(r.status, 200);
	reply_clear(&r);
	get_picture(b, "/k/picture", &r);
	ck_assert_int_eq(r.status, 200);
	reply_clear(&r);

	/* Reporters use /r/; unknown links are refused; no cookie: 401. */
	snprintf(path, sizeof(path), "/k/%s", anna_token);
	request("GET", path, NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 403);
	HASNT(r.headers.data, "Set-Cookie");
	reply_clear(&r);
	request("GET", "/k/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
	    NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	HASNT(r.headers.data, "Set-Cookie");
	reply_clear(&r);
	get_picture(NULL, "/k/picture", &r);
	ck_assert_int_eq(r.status, 401);
	HAS(r.body.data, "Du är inte inloggad");
	reply_clear(&r);
	/* A forged id is no session. */
	get_picture(
	    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "/k/picture", &r);
	ck_assert_int_eq(r.status, 401);
	reply_clear(&r);
}
END_TEST

START_TEST(test_picture_page_own_areas)
{
	struct reply r;
	char id[TOKEN_LEN + 1];

	sign_in(per_token, id);
	get_picture(id, "/k/picture", &r);
	ck_assert_int_eq(r.status, 200);
	HAS(r.headers.data, "Content-Security-Policy: default-src 'none'");
	HAS(r.body.data, "<h1>Lägesbild vecka 46, 9–15 november</h1>");
	HAS(r.body.data, "Inloggad som Per Polis.");
	HAS(r.body.data, "id=\"area-centrum\"");
	HAS(r.body.data, "<span class=\"rating level-3\">Rött läge</span>");
	HAS(r.body.data, "Torget");
	HAS(r.body.data, "Krossad busskur");
	/* Coverage, and who to chase: key functions are inside. */
	HAS(r.body.data, "1 av 2 rapportörer har rapporterat.");
	HAS(r.body.data,
	    "<a href=\"mailto:cilla@example.org\">Cilla "
	    "Carlsson</a>");
	HAS(r.body.data, "Sedan 2026-W45: 3 veckor i rad.");
	HAS(r.body.data, "action=\"/k/picture/2026-W46/assessment\"");
	HAS(r.body.data, "action=\"/k/picture/2026-W46/measure\"");
	HAS(r.body.data, "href=\"/k/picture/2026-W45?lang=sv\"");
	HAS(r.body.data, "href=\"/k/picture/2026-W47?lang=sv\"");
	HASNT(r.body.data, "Norr");
	HASNT(r.body.data, "norr");
	HASNT(r.body.data, "4 av 6 veckor");
	reply_clear(&r);

	/* The current period has no next link; the future is not there. */
	get_picture(id, "/k/picture/2026-W47?lang=en", &r);
	ck_assert_int_eq(r.status, 200);
	HAS(r.body.data, "Situational picture, week 47, 16–22 November");
	HASNT(r.body.data, "2026-W48");
	reply_clear(&r);
	get_picture(id, "/k/picture/2026-W48", &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);
	get_picture(id, "/k/picture/2026-Q3", &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);

	/* Nora sees norr only; the steering group sees both. */
	sign_in(nora_token, id);
	get_picture(id, "/k/picture/2026-W46", &r);
	ck_assert_int_eq(r.status, 200);
	HAS(r.body.data, "Norrnoten");
	HAS(r.body.data, "4 av 6 veckor");
	HASNT(r.body.data, "Centrum");
	HASNT(r.body.data, "Torget");
	reply_clear(&r);
	sign_in(stina_token, id);
	get_picture(id, "/k/picture/2026-W46", &r);
	ck_assert_int_eq(r.status, 200);
	HAS(r.body.data, "Norrnoten");
	HAS(r.body.data, "Torget");
	reply_clear(&r);
}
END_TEST

START_TEST(test_api_picture)
{
	json_t *doc, *a, *ind, *flags;
	long status;

	doc = api_get(per_token, "/api/v1/pictures/2026-W46", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_str_eq(httptest_jstr(doc, "period"), "2026-W46");
	ck_assert_str_eq(httptest_jstr(doc, "start"), "2026-11-09");
	ck_assert_str_eq(httptest_jstr(doc, "end"), "2026-11-15");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "areas")), 1);
	ck_assert_ptr_null(httptest_area_of(doc, "norr"));
	a = httptest_area_of(doc, "centrum");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(httptest_jstr(a, "status"), "red");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_expected")), 2);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "reporters_reported")), 1);
	ind = json_array_get(json_object_get(a, "indicators"), 0);
	ck_assert_str_eq(httptest_jstr(ind, "key"), "skadegorelse");
	ck_assert_int_eq(json_integer_value(json_object_get(ind, "score")), 3);
	ck_assert_str_eq(httptest_jstr(ind, "trend"), "up");
	ck_assert(json_is_true(json_object_get(ind, "flagged")));
	ck_assert_uint_eq(json_array_size(json_object_get(a, "measures")), 0);
	flags = json_object_get(doc, "flags");
	ck_assert_uint_eq(json_array_size(flags), 1);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(flags, 0), "id")),
	    flag_centrum);
	ck_assert_str_eq(
	    httptest_jstr(json_array_get(flags, 0), "status"), "open");
	json_decref(doc);

	doc = api_get(stina_token, "/api/v1/pictures/2026-W46", &status);
	ck_assert_int_eq(status, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "areas")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "flags")), 2);
	json_decref(doc);

	/* Flags of the caller's areas. */
	doc = api_get(nora_token, "/api/v1/flags", &status);
	ck_assert_int_eq(status, 200);
	flags = json_object_get(doc, "flags");
	ck_assert_uint_eq(json_array_size(flags), 1);
	ck_assert_str_eq(
	    httptest_jstr(json_array_get(flags, 0), "area"), "norr");
	ck_assert_str_eq(
	    httptest_jstr(json_array_get(flags, 0), "reason"), "4 av 6 veckor");
	json_decref(doc);
}
END_TEST

START_TEST(test_api_refusals)
{
	static const struct {
		const char *token;
		const char *path;
		long status;
	} cases[] = {
	    {anna_token, "/api/v1/pictures/2026-W46", 403},
	    {anna_token, "/api/v1/flags", 403},
	    {"not-a-token", "/api/v1/pictures/2026-W46", 401},
	    {per_token, "/api/v1/pictures/2026-W99", 404},
	    {per_token, "/api/v1/pictures/2026-W48", 404},
	    {per_token, "/api/v1/pictures/2026-Q3", 404},
	    {per_token, "/api/v1/pictures/soon", 404},
	};
	json_t *doc;
	long status;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = api_get(cases[i].token, cases[i].path, &status);
		ck_assert_msg(status == cases[i].status, "%s: %ld, want %ld",
		    cases[i].path, status, cases[i].status);
		ck_assert_ptr_nonnull(httptest_jstr(doc, "error"));
		json_decref(doc);
	}
}
END_TEST

START_TEST(test_assessment)
{
	struct reply r;
	char id[TOKEN_LEN + 1], csrf[65], body[512], *loc;
	const char *cross[] = {"Sec-Fetch-Site: cross-site", NULL};
	const char *same[] = {"Sec-Fetch-Site: same-origin", NULL};
	json_t *doc, *a;
	long status;

	sign_in(per_token, id);
	get_picture(id, "/k/picture", &r);
	page_csrf(&r, csrf);
	reply_clear(&r);

	/* No token, a wrong one, cross-site, another's area: nothing. */
	request("POST", "/k/picture/2026-W46/assessment", id, NULL,
	    "area=centrum&status=yellow", &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	request("POST", "/k/picture/2026-W46/assessment", id, NULL,
	    "area=centrum&status=yellow&csrf=00000000000000000000000000000000"
	    "00000000000000000000000000000000",
	    &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	snprintf(
	    body, sizeof(body), "area=centrum&status=yellow&csrf=%s", csrf);
	request("POST", "/k/picture/2026-W46/assessment", id, cross, body, &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	snprintf(body, sizeof(body), "area=norr&status=yellow&csrf=%s", csrf);
	request("POST", "/k/picture/2026-W46/assessment", id, NULL, body, &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	/* Another person's CSRF token is not this session's. */
	{
		char nid[TOKEN_LEN + 1], ncsrf[65];

		sign_in(nora_token, nid);
		get_picture(nid, "/k/picture", &r);
		page_csrf(&r, ncsrf);
		reply_clear(&r);
		snprintf(body, sizeof(body),
		    "area=centrum&status=yellow&"
		    "csrf=%s",
		    ncsrf);
		request("POST", "/k/picture/2026-W46/assessment", id, NULL,
		    body, &r);
		ck_assert_int_eq(r.status, 403);
		reply_clear(&r);
	}
	ck_assert_uint_eq(assessments_stored("2026-W46"), 0);

	/* Invalid: the page again, the error by the field, the text kept. */
	snprintf(body, sizeof(body),
	    "area=centrum&status=purple&"
	    "comment=Lugnare+nu&lang=sv&csrf=%s",
	    csrf);
	request("POST", "/k/picture/2026-W46/assessment", id, NULL, body, &r);
	ck_assert_int_eq(r.status, 422);
	HAS(r.body.data, "Välj grönt, gult eller rött läge.");
	HAS(r.body.data, "href=\"#assessment-centrum-status-green\"");
	HAS(r.body.data, "id=\"assessment-centrum-status-error\"");
	HAS(r.body.data, ">Lugnare nu</textarea>");
	HAS(r.body.data, "<title>Fel: ");
	/* The language link leads to the picture, not to the POST route. */
	HAS(r.body.data, "href=\"/k/picture/2026-W46?lang=en\" hreflang");
	reply_clear(&r);
	ck_assert_uint_eq(assessments_stored("2026-W46"), 0);

	/* Right token, same origin: stored, 303 back to the area. */
	snprintf(body, sizeof(body),
	    "area=centrum&status=yellow&"
	    "comment=Lugnare+nu&lang=sv&csrf=%s",
	    csrf);
	request("POST", "/k/picture/2026-W46/assessment", id, same, body, &r);
	ck_assert_int_eq(r.status, 303);
	loc = httptest_header(&r, "Location");
	ck_assert_str_eq(loc, "/k/picture/2026-W46?lang=sv#area-centrum");
	free(loc);
	reply_clear(&r);
	ck_assert_uint_eq(assessments_stored("2026-W46"), 1);

	doc = api_get(per_token, "/api/v1/pictures/2026-W46", &status);
	a = httptest_area_of(doc, "centrum");
	ck_assert_str_eq(httptest_jstr(a, "status"), "yellow");
	ck_assert_str_eq(httptest_jstr(a, "status_set_by"), "Per Polis");
	ck_assert_str_eq(httptest_jstr(a, "assessment"), "Lugnare nu");
	ck_assert_str_eq(httptest_jstr(a, "status_computed"), "red");
	json_decref(doc);

	get_picture(id, "/k/picture/2026-W46", &r);
	HAS(r.body.data,
	    "Gemensam bedömning av Per Polis. Rapporterna ger: "
	    "Rött läge.");
	HAS(r.body.data, "value=\"yellow\" checked");
	reply_clear(&r);
}
END_TEST

START_TEST(test_measure)
{
	struct reply r;
	char id[TOKEN_LEN + 1], csrf[65], body[512];
	json_t *doc, *m;
	long status;

	sign_in(per_token, id);
	get_picture(id, "/k/picture", &r);
	page_csrf(&r, csrf);
	reply_clear(&r);

	snprintf(body, sizeof(body),
	    "area=centrum&what=&place=Torget&"
	    "follow_up=2026-11-31&indicator=ufo&csrf=%s",
	    csrf);
	request("POST", "/k/picture/2026-W46/measure", id, NULL, body, &r);
	ck_assert_int_eq(r.status, 422);
	HAS(r.body.data, "Beskriv insatsen");
	HAS(r.body.data, "Skriv datumet som ÅÅÅÅ-MM-DD");
	HAS(r.body.data, "Välj en punkt ur checklistan");
	HAS(r.body.data,
	    "<input type=\"date\" id=\"measure-centrum-follow_up"
	    "\" name=\"follow_up\" value=\"2026-11-31\"");
	HAS(r.body.data, "aria-invalid=\"true\"");
	reply_clear(&r);
	ck_assert_uint_eq(measures_stored(), 0);

	snprintf(body, sizeof(body),
	    "area=centrum&what=Extra+patrull+"
	    "fredag+kv%%C3%%A4ll&place=Torget&who=Polisen&"
	    "follow_up=2026-11-30&indicator=skadegorelse&csrf=%s",
	    csrf);
	request("POST", "/k/picture/2026-W46/measure", id, NULL, body, &r);
	ck_assert_int_eq(r.status, 303);
	reply_clear(&r);
	ck_assert_uint_eq(measures_stored(), 1);

	get_picture(id, "/k/picture/2026-W46", &r);
	HAS(r.body.data, "Extra patrull fredag kväll");
	HAS(r.body.data,
	    "Plats: Torget · Ansvarig: Polisen · "
	    "Uppföljning: 2026-11-30 · Punkt: Skadegörelse");
	reply_clear(&r);

	doc = api_get(per_token, "/api/v1/pictures/2026-W46", &status);
	m = json_array_get(
	    json_object_get(httptest_area_of(doc, "centrum"), "measures"), 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(
	    httptest_jstr(m, "what"), "Extra patrull fredag kväll");
	ck_assert_str_eq(httptest_jstr(m, "who"), "Polisen");
	ck_assert_str_eq(httptest_jstr(m, "follow_up"), "2026-11-30");
	ck_assert_str_eq(httptest_jstr(m, "indicator"), "skadegorelse");
	ck_assert_str_eq(httptest_jstr(m, "by"), "per@polisen.example");
	json_decref(doc);

	/* The measure belongs to W46's picture, not W45's. */
	doc = api_get(per_token, "/api/v1/pictures/2026-W45", &status);
	ck_assert_uint_eq(json_array_size(json_object_get(
			      httptest_area_of(doc, "centrum"), "measures")),
	    0);
	json_decref(doc);
}
END_TEST

START_TEST(test_flag_ack)
{
	struct reply r;
	char id[TOKEN_LEN + 1], csrf[65], body[512], path[64];
	json_t *doc, *f, *ack;
	long status;

	sign_in(per_token, id);
	get_picture(id, "/k/picture", &r);
	page_csrf(&r, csrf);
	snprintf(
	    path, sizeof(path), "action=\"/k/flags/%lld/ack\"", flag_centrum);
	HAS(r.body.data, path);
	reply_clear(&r);

	/* Not his area's flag; no such flag. */
	snprintf(path, sizeof(path), "/k/flags/%lld/ack", flag_norr);
	snprintf(
	    body, sizeof(body), "comment=Nej&period=2026-W46&csrf=%s", csrf);
	request("POST", path, id, NULL, body, &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);
	request("POST", "/k/flags/9999/ack", id, NULL, body, &r);
	ck_assert_int_eq(r.status, 404);
	reply_clear(&r);

	snprintf(path, sizeof(path), "/k/flags/%lld/ack", flag_centrum);
	snprintf(body, sizeof(body),
	    "comment=Tas+upp+p%%C3%%A5+m%%C3%%B6tet&"
	    "period=2026-W46&lang=sv&csrf=%s",
	    csrf);
	request("POST", path, id, NULL, body, &r);
	ck_assert_int_eq(r.status, 303);
	reply_clear(&r);

	doc = api_get(per_token, "/api/v1/flags", &status);
	f = json_array_get(json_object_get(doc, "flags"), 0);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(f, "id")), flag_centrum);
	ack = json_object_get(f, "acknowledged");
	ck_assert_ptr_nonnull(ack);
	ck_assert_str_eq(httptest_jstr(ack, "by"), "per@polisen.example");
	ck_assert_str_eq(httptest_jstr(ack, "comment"), "Tas upp på mötet");
	json_decref(doc);
	doc = api_get(nora_token, "/api/v1/flags", &status);
	ck_assert_ptr_null(json_object_get(
	    json_array_get(json_object_get(doc, "flags"), 0), "acknowledged"));
	json_decref(doc);

	get_picture(id, "/k/picture", &r);
	HAS(r.body.data, "Kvitterat av per@polisen.example, 2026-11-18 10:");
	HAS(r.body.data, "Tas upp på mötet");
	snprintf(path, sizeof(path), "/k/flags/%lld/ack", flag_centrum);
	HASNT(r.body.data, path);
	reply_clear(&r);
}
END_TEST

START_TEST(test_disabled_person)
{
	struct reply r;
	struct store *s;
	char id[TOKEN_LEN + 1], *cause = NULL;

	sign_in(per_token, id);
	get_picture(id, "/k/picture", &r);
	ck_assert_int_eq(r.status, 200);
	reply_clear(&r);

	s = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(store_person_disable(s, per_id, &cause), 0);
	store_close(s);

	get_picture(id, "/k/picture", &r);
	ck_assert_int_eq(r.status, 401);
	HAS(r.body.data, "Du är inte inloggad");
	reply_clear(&r);
	request("GET", "/api/v1/flags", NULL, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	reply_clear(&r);
}
END_TEST

START_TEST(test_logout)
{
	struct reply r;
	char id[TOKEN_LEN + 1], csrf[65], body[128], *v;

	sign_in(per_token, id);
	get_picture(id, "/k/picture", &r);
	page_csrf(&r, csrf);
	reply_clear(&r);
	request("POST", "/k/logout", id, NULL, "lang=sv", &r);
	ck_assert_int_eq(r.status, 403);
	reply_clear(&r);

	snprintf(body, sizeof(body), "lang=en&csrf=%s", csrf);
	request("POST", "/k/logout", id, NULL, body, &r);
	ck_assert_int_eq(r.status, 303);
	v = httptest_header(&r, "Set-Cookie");
	ck_assert_str_eq(v,
	    "estd_session=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax");
	free(v);
	v = httptest_header(&r, "Location");
	ck_assert_str_eq(v, "/k/picture?lang=en");
	free(v);
	reply_clear(&r);
	get_picture(id, "/k/picture?lang=en", &r);
	ck_assert_int_eq(r.status, 401);
	HAS(r.body.data, "You are not signed in");
	reply_clear(&r);
}
END_TEST

/* Idle and absolute expiry, at the edges; touching once a minute. */
START_TEST(test_session_rules)
{
	struct session s;
	time_t t = NOW_T;

	memset(&s, 0, sizeof(s));
	s.created = t;
	s.last_seen = t;
	ck_assert(!session_expired(&s, t));
	ck_assert(!session_expired(&s, t + 29 * 60 + 59));
	ck_assert(session_expired(&s, t + 30 * 60));
	ck_assert(!session_touch_due(&s, t + 59));
	ck_assert(session_touch_due(&s, t + 60));
	/* Busy all day: the absolute limit still ends it at 12 h. */
	s.last_seen = t + 12 * 3600 - 60;
	ck_assert(!session_expired(&s, t + 12 * 3600 - 1));
	ck_assert(session_expired(&s, t + 12 * 3600));
	/* Times ahead of the clock: sign in again. */
	s.last_seen = t + 10;
	ck_assert(session_expired(&s, t));
}
END_TEST

START_TEST(test_cookie_parse)
{
	char id[TOKEN_LEN + 1];
	char *c;
	const char *good = "Q2xlYW4tdG9rZW4tb2YtZm9ydHktdGhyZWUtY2hhcnM";

	ck_assert_int_eq(session_cookie_id(NULL, id), -1);
	ck_assert_int_eq(session_cookie_id("", id), -1);
	ck_assert_int_eq(session_cookie_id("other=1", id), -1);
	ck_assert_int_eq(session_cookie_id("estd_session=short", id), -1);
	ck_assert_int_eq(session_cookie_id("xestd_session=Q2xlYW4tdG9rZW4tb2Y"
					   "tZm9ydHktdGhyZWUtY2hhcnM",
			     id),
	    -1);
	ck_assert_int_eq(session_cookie_id("estd_session=Q2xlYW4tdG9rZW4tb2Y"
					   "tZm9ydHktdGhyZWUtY2hhcnMX",
			     id),
	    -1);
	ck_assert_int_eq(session_cookie_id("a=b; estd_session=Q2xlYW4tdG9rZW"
					   "4tb2YtZm9ydHktdGhyZWUtY2hhcnM; c=d",
			     id),
	    0);
	ck_assert_str_eq(id, good);
	ck_assert_int_eq(
	    session_cookie_id("estd_session=; estd_session=Q2xl"
			      "YW4tdG9rZW4tb2YtZm9ydHktdGhyZWUtY2hhcnM",
		id),
	    0);
	ck_assert_str_eq(id, good);

	c = session_cookie(good, "https://est.example.org");
	ck_assert_str_eq(c,
	    "__Host-estd_session=Q2xlYW4tdG9rZW4tb2YtZm9ydHktdGhy"
	    "ZWUtY2hhcnM; Path=/; HttpOnly; SameSite=Lax; Secure");
	free(c);
	c = session_cookie(NULL, "http://127.0.0.1:8080");
	ck_assert_str_eq(c,
	    "estd_session=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax");
	free(c);

	ck_assert(token_str_equal("abc", "abc"));
	ck_assert(!token_str_equal("abc", "abd"));
	ck_assert(!token_str_equal("abc", "abcd"));
}
END_TEST

/* The clock moves on 31 minutes: the session is over, and deleted. */
START_TEST(test_session_expires)
{
	struct reply r;
	struct session sess;
	struct store *s;
	unsigned char hash[TOKEN_HASH_LEN];
	char id[TOKEN_LEN + 1], *cause = NULL, *cookie;
	time_t t0;

	sign_in(per_token, id);
	token_hash(id, TOKEN_LEN, hash);
	s = open_store();
	ck_assert_int_eq(store_session_get(s, hash, &sess), 0);
	store_close(s);
	t0 = sess.created;
	ck_assert_int_ge(t0, NOW_T);
	ck_assert_int_lt(t0, NOW_T + 60);
	ck_assert_int_eq(sess.person_id, per_id);

	/* 20 minutes on: still in, and last_seen is written. */
	setenv("ESTD_NOW", "2026-11-18T10:20:00+01:00", 1);
	ck_assert_int_eq(clock_init(cf->timezone, &cause), 0);
	get_picture(id, "/k/picture", &r);
	ck_assert_int_eq(r.status, 200);
	reply_clear(&r);
	s = open_store();
	ck_assert_int_eq(store_session_get(s, hash, &sess), 0);
	store_close(s);
	ck_assert_int_ge(sess.last_seen, NOW_T + 20 * 60);
	ck_assert_int_eq(sess.created, t0);

	/* 31 minutes after that: idle too long. */
	setenv("ESTD_NOW", "2026-11-18T10:51:00+01:00", 1);
	ck_assert_int_eq(clock_init(cf->timezone, &cause), 0);
	get_picture(id, "/k/picture", &r);
	ck_assert_int_eq(r.status, 401);
	cookie = httptest_header(&r, "Set-Cookie");
	ck_assert_ptr_nonnull(cookie);
	HAS(cookie, "Max-Age=0");
	free(cookie);
	reply_clear(&r);
	s = open_store();
	ck_assert_int_eq(store_session_get(s, hash, &sess), -1);
	store_close(s);
}
END_TEST

/* gather straight from the store: every area, flags as they stood. */
START_TEST(test_gather_flags_in_time)
{
	struct store *s;
	struct gathered g;
	struct period w46, w47;
	char *cause = NULL;

	s = store_open(dbpath, STORE_ADMIN, &cause);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(period_parse("2026-W46", &w46), 0);
	ck_assert_int_eq(period_parse("2026-W47", &w47), 0);
	ck_assert_int_eq(store_flag_close(s, flag_centrum, &w47, &cause), 0);

	ck_assert_int_eq(gather(s, cf, &w46, NULL, &g, &cause), 0);
	ck_assert_uint_eq(g.n_areas, 2);
	ck_assert_uint_eq(g.n_flags, 2);
	/* Closed in W47: in W46 it was open. */
	ck_assert(g.flags[0].open);
	ck_assert(g.flags[1].open);
	gather_clear(&g);

	ck_assert_int_eq(gather(s, cf, &w47, NULL, &g, &cause), 0);
	ck_assert_uint_eq(g.n_flags, 2);
	ck_assert_int_eq(g.flags[0].id, flag_centrum);
	ck_assert(!g.flags[0].open);
	gather_clear(&g);

	/* The open ones now: norr's only. */
	{
		struct flag_row *flags = NULL;
		size_t n = 0;

		ck_assert_int_eq(gather_flags(s, NULL, false, &flags, &n), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(flags[0].id, flag_norr);
		store_flags_free(flags, n);
		ck_assert_int_eq(gather_flags(s, NULL, true, &flags, &n), 0);
		ck_assert_uint_eq(n, 2);
		store_flags_free(flags, n);
	}
	store_close(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keyweb");
	TCase *tc = tcase_create("http");
	TCase *unit = tcase_create("rules");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_signin_cookie);
	tcase_add_test(tc, test_picture_page_own_areas);
	tcase_add_test(tc, test_api_picture);
	tcase_add_test(tc, test_api_refusals);
	tcase_add_test(tc, test_assessment);
	tcase_add_test(tc, test_measure);
	tcase_add_test(tc, test_flag_ack);
	tcase_add_test(tc, test_disabled_person);
	tcase_add_test(tc, test_logout);
	tcase_add_test(tc, test_session_expires);
	tcase_add_test(tc, test_gather_flags_in_time);
	suite_add_tcase(s, tc);
	tcase_add_test(unit, test_session_rules);
	tcase_add_test(unit, test_cookie_parse);
	suite_add_tcase(s, unit);
	return testutil_run(s);
}
