/*
 * http_picture: the key functions' picture on the web. GET /k/picture
 * (the latest closed period) and GET /k/picture/PERIOD show the picture
 * of the person's areas; POST /k/picture/PERIOD/assessment sets an
 * area's joint assessment, POST /k/picture/PERIOD/measure records a
 * measure (insats) and POST /k/flags/ID/ack acknowledges a persisting
 * problem. Server-rendered, no JavaScript.
 *
 * Every change: a live session (401 otherwise), a form body (400), not
 * cross-site and the session's CSRF token (403), an area of the person's
 * own (403: key functions act on their areas; steering and admins on
 * all), valid fields (422, the page again with each error by its field),
 * then one writer job that stores the change with its audit entry (503
 * if the database does not take it), and 303 back to the picture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dbpool.h"
#include "gather.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "session.h"
#include "writer.h"
#include "xmalloc.h"

static const char *
request_lang(struct http_request *req)
{
	return page_pick_lang(
	    http_query(req, "lang"), http_header(req, "Accept-Language"));
}

static void
reply_html(struct http_request *req, int status, char *html, size_t len)
{
	http_reply(req, status, "text/html; charset=utf-8", html, len);
	free(html);
}

static void
reply_error_page(
    struct http_request *req, struct app *app, const char *lang, int status)
{
	size_t len;
	char *html;

	html = page_error(app->pages, lang, status, &len);
	reply_html(req, status, html, len);
}

/*
 * Answer a request without a live session: 401 with the page that says
 * how to sign in again (a dead cookie is cleared), or 503. Returns 1 if
 * it answered.
 */
static int
reply_no_session(struct http_request *req, struct app *app, enum auth_result ar,
    const struct web_session *ws)
{
	size_t len;
	char *html, *cookie;

	if (ar == AUTH_OK)
		return 0;
	if (ar == AUTH_ERROR) {
		reply_error_page(req, app, request_lang(req), 503);
		return 1;
	}
	if (ws->had_cookie) {
		cookie = session_cookie(NULL, app->conf->base_url);
		http_add_header(req, "Set-Cookie", cookie);
		free(cookie);
	}
	html = page_signed_out(app->pages, request_lang(req), &len);
	reply_html(req, 401, html, len);
	return 1;
}

/* 1 if p starts after the current period: nothing to see there yet. */
static int
in_future(struct app *app, const struct period *p)
{
	struct period cur;

	gather_current(app->conf, clock_now(), &cur);
	return period_first_day(p) > period_first_day(&cur);
}

/*
 * The picture of p for the session's person, with the forms. `refused`
 * (or NULL) is a change to show again with its errors.
 */
static void
render_picture(struct http_request *req, struct app *app,
    const struct web_session *ws, const char *lang, const struct period *p,
    const struct picture_refusal *refused, int status)
{
	struct picture_view v;
	struct gathered g;
	struct period prev, next;
	struct store *s;
	json_t *doc;
	char label[PERIOD_LABEL_MAX], descr[96];
	char prev_label[PERIOD_LABEL_MAX];
	char next_label[PERIOD_LABEL_MAX];
	char *cause = NULL, *html;
	size_t len;
	int rc;

	s = dbpool_get(app->db);
	rc = gather(s, app->conf, p, &ws->person, &g, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx("picture for person %lld: %s", ws->person.id, cause);
		free(cause);
		gather_clear(&g);
		reply_error_page(req, app, lang, 503);
		return;
	}
	doc = gather_json(&g, true);
	period_format(p, label);
	period_describe_parity(
	    p, app->conf->fortnight_start, lang, descr, sizeof(descr));
	period_prev(p, app->conf->fortnight_start, &prev);
	period_format(&prev, prev_label);
	period_next(p, app->conf->fortnight_start, &next);
	period_format(&next, next_label);

	memset(&v, 0, sizeof(v));
	v.lang = lang;
	v.person = &ws->person;
	v.picture = doc;
	v.period_label = label;
	v.period_description = descr;
	v.prev_label = prev_label;
	v.next_label = in_future(app, &next) ? NULL : next_label;
	v.checklist = &app->conf->checklist;
	v.csrf = ws->session.csrf;
	v.refused = refused;
	if ((html = page_picture(app->pages, &v, &len)) == NULL) {
		log_warnx("the templates have no picture.html");
		reply_error_page(req, app, lang, 500);
	} else
		reply_html(req, status, html, len);
	json_decref(doc);
	gather_clear(&g);
}

void
handle_picture_latest(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct period p;

	if (reply_no_session(req, app, auth_session(app, req, &ws), &ws)) {
		auth_session_clear(&ws);
		return;
	}
	gather_latest(app->conf, clock_now(), &p);
	render_picture(req, app, &ws, request_lang(req), &p, NULL, 200);
	auth_session_clear(&ws);
}

void
handle_picture_get(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct period p;

	if (reply_no_session(req, app, auth_session(app, req, &ws), &ws)) {
		auth_session_clear(&ws);
		return;
	}
	if (gather_period(app->conf, http_param(req, "period"), &p) == -1 ||
	    in_future(app, &p))
		reply_error_page(req, app, request_lang(req), 404);
	else
		render_picture(req, app, &ws, request_lang(req), &p, NULL, 200);
	auth_session_clear(&ws);
}

/* What every change starts from. */
struct change {
	struct web_session ws;
	struct form f;
	const char *lang;
	struct period p;
	char label[PERIOD_LABEL_MAX];
	struct report_errors errs;
	struct page_field *values; /* the form's, borrowed */
};

/*
 * The checks every change passes before its own (see the top of the
 * file); the period is the URL's unless `period_field`, which reads it
 * from that form field (the latest period when absent). Returns 0, or -1
 * when it has answered. The caller ends with change_clear either way.
 */
static int
change_begin(struct http_request *req, struct app *app, struct change *c,
    const char *period_field)
{
	const char *type, *body, *label;
	char *cause = NULL;
	size_t len;

	memset(c, 0, sizeof(*c));
	c->lang = request_lang(req);
	if (reply_no_session(req, app, auth_session(app, req, &c->ws), &c->ws))
		return -1;
	type = http_header(req, "Content-Type");
	body = http_body(req, &len);
	if (type == NULL ||
	    strncmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
	    form_decode(body, len, &c->f, &cause) == -1) {
		if (cause != NULL)
			log_info("form from person %lld refused: %s",
			    c->ws.person.id, cause);
		free(cause);
		reply_error_page(req, app, c->lang, 400);
		return -1;
	}
	/* The language the page was shown in wins over the headers. */
	c->lang = page_pick_lang(
	    form_get(&c->f, "lang", NULL), http_header(req, "Accept-Language"));
	if (auth_csrf(req, &c->ws, &c->f) == -1) {
		reply_error_page(req, app, c->lang, 403);
		return -1;
	}
	label = period_field != NULL ? form_get(&c->f, period_field, NULL)
				     : http_param(req, "period");
	if (period_field != NULL && (label == NULL || *label == '\0'))
		gather_latest(app->conf, clock_now(), &c->p);
	else if (gather_period(app->conf, label, &c->p) == -1 ||
	    in_future(app, &c->p)) {
		reply_error_page(req, app, c->lang, 404);
		return -1;
	}
	period_format(&c->p, c->label);
	c->values = xcalloc(c->f.n + 1, sizeof(*c->values));
	for (size_t i = 0; i < c->f.n; i++) {
		c->values[i].name = c->f.fields[i].name;
		c->values[i].value = c->f.fields[i].value;
	}
	return 0;
}

static void
change_clear(struct change *c)
{
	free(c->values);
	form_clear(&c->f);
	auth_session_clear(&c->ws);
}

/* 1 if the person may act on the area: one of theirs, and it exists. */
static int
area_allowed(struct app *app, const struct person *p, const char *slug)
{
	struct store *s;
	struct area *areas = NULL;
	size_t n = 0, i;
	int ok = 0;

	if (slug == NULL || !report_valid_slug(slug))
		return 0;
	s = dbpool_get(app->db);
	if (gather_areas(s, p, &areas, &n) == 0)
		for (i = 0; i < n && !ok; i++)
			ok = strcmp(areas[i].slug, slug) == 0;
	dbpool_put(app->db, s);
	store_areas_free(areas, n);
	return ok;
}

/* Back to the picture the change was made on, at `anchor` if given. */
static void
redirect_picture(
    struct http_request *req, const struct change *c, const char *anchor)
{
	char *loc;

	xasprintf(&loc, "/k/picture/%s?lang=%s%s%s", c->label, c->lang,
	    anchor != NULL ? "#" : "", anchor != NULL ? anchor : "");
	http_redirect(req, loc);
	free(loc);
}

static void
refuse(struct http_request *req, struct app *app, struct change *c,
    const char *form, const char *area, long long flag_id)
{
	struct picture_refusal r;

	memset(&r, 0, sizeof(r));
	r.form = form;
	r.area = area;
	r.flag_id = flag_id;
	r.values = c->values;
	r.n_values = c->f.n;
	r.errors = &c->errs;
	render_picture(req, app, &c->ws, c->lang, &c->p, &r, 422);
}

/*
 * A free-text field, trimmed, into *out (a new string, or NULL when
 * absent or blank). Line breaks only where `multiline`. Returns 0, or -1
 * with an error on the field.
 */
static int
text_field(const struct form *f, const char *name, size_t max, bool multiline,
    char **out, struct report_errors *errs)
{
	const unsigned char *p;
	const char *v;
	size_t len, chars = 0, start, end;

	*out = NULL;
	if ((v = form_get(f, name, &len)) == NULL)
		return 0;
	if (!report_valid_utf8(v, len)) {
		report_error_add(errs, name,
		    "Texten innehåller tecken som "
		    "inte kan sparas.",
		    "The text holds characters that "
		    "cannot be stored.");
		return -1;
	}
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if ((*p < 0x20 &&
			!(multiline &&
			    (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f) {
			report_error_add(errs, name,
			    multiline ? "Texten innehåller styrtecken."
				      : "Skriv texten på en rad.",
			    multiline ? "The text holds control characters."
				      : "Write the text on one line.");
			return -1;
		}
		if ((*p & 0xc0) != 0x80)
			chars++;
	}
	if (chars > max) {
		report_error_add(errs, name,
		    "Texten är för lång. Korta den "
		    "och försök igen.",
		    "The text is too long. Shorten it "
		    "and try again.");
		return -1;
	}
	for (start = 0; start < len && strchr(" \t\r\n", v[start]) != NULL;
	     start++)
		;
	for (end = len; end > start && strchr(" \t\r\n", v[end - 1]) != NULL;
	     end--)
		;
	if (end > start)
		*out = xstrndup(v + start, end - start);
	return 0;
}

struct assessment_job {
	const char *area;
	const struct period *period;
	enum level status;
	const char *comment;
	const struct person *person;
	time_t at;
};

static int
job_assessment(struct store *s, void *arg, char **cause)
{
	struct assessment_job *j = arg;
	char label[PERIOD_LABEL_MAX], detail[96];

	if (store_assessment_set(s, j->area, j->period, j->status, j->comment,
		j->person->id, j->at, cause) == -1)
		return -1;
	period_format(j->period, label);
	snprintf(detail, sizeof(detail), "%s %s %s", j->area, label,
	    store_level_name(j->status));
	if (store_audit(s, j->person->email, "assessment.set", detail) == -1) {
		*cause = xstrdup("cannot write the audit entry");
		return -1;
	}
	return 0;
}

void
handle_assessment_post(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct change c;
	struct assessment_job job;
	const char *area, *status;
	char *comment = NULL, *cause = NULL, *anchor;
	enum level level = LEVEL_GREY;

	if (change_begin(req, app, &c, NULL) == -1)
		goto done;
	area = form_get(&c.f, "area", NULL);
	if (!area_allowed(app, &c.ws.person, area)) {
		reply_error_page(req, app, c.lang, 403);
		goto done;
	}
	status = form_get(&c.f, "status", NULL);
	if (status == NULL || store_level_parse(status, &level) == -1 ||
	    level == LEVEL_GREY)
		report_error_add(&c.errs, "status",
		    "Välj grönt, gult eller "
		    "rött läge.",
		    "Choose green, yellow or red.");
	text_field(&c.f, "comment", PAGE_COMMENT_MAX, true, &comment, &c.errs);
	if (c.errs.n > 0) {
		refuse(req, app, &c, "assessment", area, 0);
		goto done;
	}
	memset(&job, 0, sizeof(job));
	job.area = area;
	job.period = &c.p;
	job.status = level;
	job.comment = comment;
	job.person = &c.ws.person;
	job.at = clock_now();
	if (writer_run(app->writer, job_assessment, &job, &cause) == -1) {
		log_warnx("assessment of %s %s by person %lld not stored: %s",
		    area, c.label, c.ws.person.id, cause);
		free(cause);
		reply_error_page(req, app, c.lang, 503);
		goto done;
	}
	log_info("assessment of %s %s set by person %lld", area, c.label,
	    c.ws.person.id);
	xasprintf(&anchor, "area-%s", area);
	redirect_picture(req, &c, anchor);
	free(anchor);
done:
	free(comment);
	change_clear(&c);
}

/* "2026-11-30" into a day number; -1 unless a real date of this era. */
static int
parse_day(const char *s, long *days)
{
	struct civil c;
	int y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 2000 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*days = period_days_from_civil(y, m, d);
	period_civil_from_days(*days, &c);
	return c.year == y && c.month == m && c.day == d ? 0 : -1;
}

struct measure_job {
	struct measure *m;
	const struct person *person;
};

static int
job_measure(struct store *s, void *arg, char **cause)
{
	struct measure_job *j = arg;
	char label[PERIOD_LABEL_MAX], detail[96];
	long long id;

	if ((id = store_measure_add(s, j->m, cause)) == -1)
		return -1;
	j->m->id = id;
	period_format(&j->m->period, label);
	snprintf(detail, sizeof(detail), "%s %s measure %lld", j->m->area,
	    label, id);
	if (store_audit(s, j->person->email, "measure.add", detail) == -1) {
		*cause = xstrdup("cannot write the audit entry");
		return -1;
	}
	return 0;
}

void
handle_measure_post(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct change c;
	struct measure m;
	struct measure_job job;
	const char *area, *day, *ind;
	char *what = NULL, *place = NULL, *who = NULL;
	char *cause = NULL, *anchor;

	memset(&m, 0, sizeof(m));
	if (change_begin(req, app, &c, NULL) == -1)
		goto done;
	area = form_get(&c.f, "area", NULL);
	if (!area_allowed(app, &c.ws.person, area)) {
		reply_error_page(req, app, c.lang, 403);
		goto done;
	}
	if (text_field(&c.f, "what", PAGE_WHAT_MAX, true, &what, &c.errs) ==
		0 &&
	    what == NULL)
		report_error_add(&c.errs, "what",
		    "Beskriv insatsen: vad som "
		    "ska göras.",
		    "Describe the measure: what will be done.");
	text_field(&c.f, "place", PLACE_MAX, false, &place, &c.errs);
	text_field(&c.f, "who", PAGE_WHO_MAX, false, &who, &c.errs);
	m.follow_up = -1;
	day = form_get(&c.f, "follow_up", NULL);
	if (day != NULL && *day != '\0' && parse_day(day, &m.follow_up) == -1)
		report_error_add(&c.errs, "follow_up",
		    "Skriv datumet som "
		    "ÅÅÅÅ-MM-DD, till exempel 2026-11-30.",
		    "Write the date as "
		    "YYYY-MM-DD, for example 2026-11-30.");
	ind = form_get(&c.f, "indicator", NULL);
	if (ind != NULL && *ind != '\0' &&
	    conf_indicator_index(&app->conf->checklist, ind) == -1)
		report_error_add(&c.errs, "indicator",
		    "Välj en punkt ur "
		    "checklistan, eller ingen.",
		    "Choose an item of the "
		    "checklist, or none.");
	if (c.errs.n > 0) {
		refuse(req, app, &c, "measure", area, 0);
		goto done;
	}
	snprintf(m.area, sizeof(m.area), "%s", area);
	m.period = c.p;
	if (ind != NULL)
		snprintf(m.indicator, sizeof(m.indicator), "%s", ind);
	m.what = what;
	m.place = place;
	m.who = who;
	m.person_id = c.ws.person.id;
	m.by_email = c.ws.person.email;
	m.at = clock_now();
	job.m = &m;
	job.person = &c.ws.person;
	if (writer_run(app->writer, job_measure, &job, &cause) == -1) {
		log_warnx("measure for %s %s by person %lld not stored: %s",
		    area, c.label, c.ws.person.id, cause);
		free(cause);
		reply_error_page(req, app, c.lang, 503);
		goto done;
	}
	log_info("measure %lld for %s %s recorded by person %lld", m.id, area,
	    c.label, c.ws.person.id);
	xasprintf(&anchor, "area-%s", area);
	redirect_picture(req, &c, anchor);
	free(anchor);
done:
	free(what);
	free(place);
	free(who);
	change_clear(&c);
}

/* The flag id of the URL, or -1. */
static long long
url_flag_id(struct http_request *req)
{
	const char *s = http_param(req, "id");
	char *end;
	long long id;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return -1;
	id = strtoll(s, &end, 10);
	return *end == '\0' ? id : -1;
}

struct ack_job {
	long long id;
	const char *comment;
	const struct person *person;
	time_t at;
};

static int
job_ack(struct store *s, void *arg, char **cause)
{
	struct ack_job *j = arg;
	char detail[48];

	if (store_flag_ack(s, j->id, j->person->id, j->comment, j->at, cause) ==
	    -1)
		return -1;
	snprintf(detail, sizeof(detail), "flag %lld", j->id);
	if (store_audit(s, j->person->email, "flag.ack", detail) == -1) {
		*cause = xstrdup("cannot write the audit entry");
		return -1;
	}
	return 0;
}

void
handle_flag_ack(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct change c;
	struct ack_job job;
	struct store *s;
	struct flag_row *flags = NULL;
	char area[AREA_SLUG_MAX + 1];
	char *comment = NULL, *cause = NULL;
	size_t n = 0, i;
	long long id;
	int rc;

	if (change_begin(req, app, &c, "period") == -1)
		goto done;
	if ((id = url_flag_id(req)) == -1) {
		reply_error_page(req, app, c.lang, 404);
		goto done;
	}
	area[0] = '\0';
	s = dbpool_get(app->db);
	rc = store_flag_list(s, true, &flags, &n);
	dbpool_put(app->db, s);
	if (rc == -1) {
		reply_error_page(req, app, c.lang, 503);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (flags[i].id == id)
			snprintf(area, sizeof(area), "%s", flags[i].area);
	store_flags_free(flags, n);
	if (area[0] == '\0') {
		reply_error_page(req, app, c.lang, 404);
		goto done;
	}
	if (!area_allowed(app, &c.ws.person, area)) {
		reply_error_page(req, app, c.lang, 403);
		goto done;
	}
	if (text_field(&c.f, "comment", PAGE_COMMENT_MAX, false, &comment,
		&c.errs) == -1) {
		refuse(req, app, &c, "ack", NULL, id);
		goto done;
	}
	memset(&job, 0, sizeof(job));
	job.id = id;
	job.comment = comment;
	job.person = &c.ws.person;
	job.at = clock_now();
	if (writer_run(app->writer, job_ack, &job, &cause) == -1) {
		log_warnx("flag %lld not acknowledged by person %lld: %s", id,
		    c.ws.person.id, cause);
		free(cause);
		reply_error_page(req, app, c.lang, 503);
		goto done;
	}
	log_info("flag %lld acknowledged by person %lld", id, c.ws.person.id);
	redirect_picture(req, &c, NULL);
done:
	free(comment);
	change_clear(&c);
}
