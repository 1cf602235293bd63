/*
 * http_report: the reporter's personal form, GET and POST /r/TOKEN, and
 * the receipt, GET /r/TOKEN/receipt. Server-rendered, no JavaScript.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "dbpool.h"
#include "form.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "privacy.h"
#include "ratelimit.h"
#include "submit.h"
#include "xmalloc.h"

/* Hidden fields the form carries that are not part of a report. */
static const char *const form_own_fields[] = {"lang", NULL};

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

void
handle_error_page(struct http_request *req, int status, void *arg)
{
	struct app *app = arg;
	size_t len;
	char *html;

	html = page_error(app->pages, request_lang(req), status, &len);
	reply_html(req, status, html, len);
}

/* Answer a failed token check; returns 1 if it answered. */
static int
reply_auth_failure(
    struct http_request *req, struct app *app, enum auth_result ar)
{
	char retry[16];

	switch (ar) {
	case AUTH_OK: return 0;
	case AUTH_LIMITED:
		snprintf(retry, sizeof(retry), "%d",
		    ratelimit_retry_after(
			app->ratelimit, http_client_addr(req), clock_now()));
		http_add_header(req, "Retry-After", retry);
		handle_error_page(req, 429, app);
		break;
	case AUTH_ERROR: handle_error_page(req, 503, app); break;
	default: handle_error_page(req, 401, app); break;
	}
	return 1;
}

/* The person's areas with their names (store_areas_free). */
static int
person_areas(
    struct store *s, const struct person *p, struct area **out, size_t *n)
{
	*out = xcalloc(p->n_areas + 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < p->n_areas; i++) {
		if (store_area_get(s, p->areas[i], &(*out)[*n]) == 0)
			(*n)++;
	}
	return *n > 0 ? 0 : -1;
}

struct form_periods {
	struct period p[2];
	char labels[2][PERIOD_LABEL_MAX];
	char descr[2][96];
	struct page_period view[2];
	size_t n;
};

static void
open_periods(struct app *app, const char *lang, struct form_periods *fp)
{
	fp->n = submit_open_periods(app->conf, clock_now(), fp->p);
	for (size_t i = 0; i < fp->n; i++) {
		period_format(&fp->p[i], fp->labels[i]);
		period_describe_parity(&fp->p[i], app->conf->fortnight_start,
		    lang, fp->descr[i], sizeof(fp->descr[i]));
		fp->view[i].period = fp->p[i];
		fp->view[i].label = fp->labels[i];
		fp->view[i].description = fp->descr[i];
	}
}

static size_t
pick_period(const struct form_periods *fp, const char *label)
{
	for (size_t i = 0; label != NULL && i < fp->n; i++)
		if (strcmp(fp->labels[i], label) == 0)
			return i;
	return 0;
}

static const char *
pick_area(const struct area *areas, size_t n, const char *slug)
{
	for (size_t i = 0; slug != NULL && i < n; i++)
		if (strcmp(areas[i].slug, slug) == 0)
			return areas[i].slug;
	return areas[0].slug;
}

/*
 * Render the form for `person`. `values` and `errs` come from a refused
 * POST (or are NULL); the stored report of the selected area and period
 * is shown otherwise.
 */
static void
render_form(struct http_request *req, struct app *app, const char *lang,
    const struct person *person, const char *want_area, const char *want_period,
    const struct report *values, const struct report_errors *errs, int status)
{
	struct store *s = dbpool_get(app->db);
	struct area *areas = NULL;
	size_t n_areas = 0, len;
	struct form_periods fp;
	struct stored_report stored;
	int have_stored;
	struct form_view v;
	char *action, *html;

	if (person_areas(s, person, &areas, &n_areas) == -1) {
		dbpool_put(app->db, s);
		store_areas_free(areas, n_areas);
		handle_error_page(req, 403, app);
		return;
	}
	open_periods(app, lang, &fp);
	memset(&v, 0, sizeof(v));
	v.lang = lang;
	v.person = person;
	v.areas = areas;
	v.n_areas = n_areas;
	v.area = pick_area(areas, n_areas, want_area);
	v.periods = fp.view;
	v.n_periods = fp.n;
	v.period_index = pick_period(&fp, want_period);
	v.checklist = &app->conf->checklist;
	memset(&stored, 0, sizeof(stored));
	have_stored =
	    store_report_get(s, person->id, v.area, &fp.p[v.period_index],
		&app->conf->checklist, &stored) == 0;
	dbpool_put(app->db, s);
	v.stored = have_stored ? &stored : NULL;
	v.values = values != NULL ? values
	    : have_stored         ? &stored.report
				  : NULL;
	v.errors = errs;
	xasprintf(&action, "/r/%s", http_param(req, "token"));
	v.action = action;
	html = page_form(app->pages, &v, &len);
	reply_html(req, status, html, len);
	free(action);
	if (have_stored)
		store_stored_report_clear(&stored);
	store_areas_free(areas, n_areas);
}

void
handle_form_get(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct person person;

	if (reply_auth_failure(req, app,
		auth_token(app, req, http_param(req, "token"), &person)))
		return;
	if (person.role != ROLE_REPORTER)
		handle_error_page(req, 403, app);
	else
		render_form(req, app, request_lang(req), &person,
		    http_query(req, "area"), http_query(req, "period"), NULL,
		    NULL, 200);
	store_person_clear(&person);
}

static void
redirect_receipt(struct http_request *req, const char *lang,
    const struct report *r, unsigned masked)
{
	struct buf b = {0};
	char label[PERIOD_LABEL_MAX];

	period_format(&r->period, label);
	buf_printf(&b, "/r/%s/receipt?area=", http_param(req, "token"));
	form_encode(&b, r->area);
	buf_puts(&b, "&period=");
	form_encode(&b, label);
	buf_puts(&b, "&lang=");
	buf_puts(&b, lang);
	if (masked != 0)
		buf_printf(&b, "&masked=%u", masked);
	http_redirect(req, b.data);
	buf_reset(&b);
}

void
handle_form_post(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct person person;
	struct report r;
	struct report_errors errs;
	struct report_saved saved;
	struct form f = {0, NULL};
	const char *body, *type, *lang;
	char *cause = NULL, label[PERIOD_LABEL_MAX];
	size_t len;
	unsigned masked = 0;

	if (reply_auth_failure(req, app,
		auth_token(app, req, http_param(req, "token"), &person)))
		return;
	report_init(&r);
	memset(&errs, 0, sizeof(errs));
	if (person.role != ROLE_REPORTER) {
		handle_error_page(req, 403, app);
		goto done;
	}
	type = http_header(req, "Content-Type");
	body = http_body(req, &len);
	if (type == NULL ||
	    strncmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
	    form_decode(body, len, &f, &cause) == -1) {
		if (cause != NULL)
			log_info("form from person %lld refused: %s", person.id,
			    cause);
		handle_error_page(req, 400, app);
		goto done;
	}
	/* The language the form was shown in wins over the headers. */
	lang = form_get(&f, "lang", NULL);
	if (lang == NULL || (strcmp(lang, "sv") != 0 && strcmp(lang, "en")))
		lang = request_lang(req);
	for (size_t i = 0; i < f.n; i++)
		report_form_field(&r, &app->conf->checklist, f.fields[i].name,
		    f.fields[i].value, f.fields[i].len, form_own_fields, &errs);
	if (errs.n == 0)
		report_check(&r, &app->conf->checklist, false, &errs);
	if (errs.n == 0) {
		switch (submit_report(
		    app, &person, &r, "form", false, &errs, &saved, &masked)) {
		case SUBMIT_OK:
			log_info("report %lld revision %d stored (form)",
			    saved.id, saved.revision);
			redirect_receipt(req, lang, &r, masked);
			goto done;
		case SUBMIT_FORBIDDEN:
			handle_error_page(req, 403, app);
			goto done;
		case SUBMIT_UNAVAILABLE:
			handle_error_page(req, 503, app);
			goto done;
		case SUBMIT_INVALID: break;
		}
	}
	label[0] = '\0';
	if (r.has_period)
		period_format(&r.period, label);
	render_form(req, app, lang, &person, r.area, label, &r, &errs, 422);
done:
	free(cause);
	form_clear(&f);
	report_clear(&r);
	store_person_clear(&person);
}

void
handle_receipt(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct person person;
	struct period p;
	struct area area;
	struct stored_report stored;
	struct receipt_view v;
	struct store *s;
	const char *slug = http_query(req, "area");
	const char *label = http_query(req, "period");
	const char *lang = request_lang(req), *q;
	char descr[96], *action, *html;
	size_t len;
	int found;

	if (reply_auth_failure(req, app,
		auth_token(app, req, http_param(req, "token"), &person)))
		return;
	if (slug == NULL || label == NULL || period_parse(label, &p) == -1 ||
	    !store_person_has_area(&person, slug)) {
		handle_error_page(req, 404, app);
		store_person_clear(&person);
		return;
	}
	if (app->conf->cadence == CADENCE_FORTNIGHTLY)
		period_as_fortnight(&p, app->conf->fortnight_start);
	memset(&area, 0, sizeof(area));
	s = dbpool_get(app->db);
	found = store_area_get(s, slug, &area) == 0 &&
	    store_report_get(
		s, person.id, slug, &p, &app->conf->checklist, &stored) == 0;
	dbpool_put(app->db, s);
	if (!found) {
		handle_error_page(req, 404, app);
		goto done;
	}
	period_describe_parity(
	    &p, app->conf->fortnight_start, lang, descr, sizeof(descr));
	xasprintf(&action, "/r/%s", http_param(req, "token"));
	memset(&v, 0, sizeof(v));
	v.lang = lang;
	v.action = action;
	v.person = &person;
	v.area_name = area.name;
	v.period_description = descr;
	v.checklist = &app->conf->checklist;
	v.stored = &stored;
	v.submitted = NULL; /* page.c words it in the page's language */
	if ((q = http_query(req, "masked")) != NULL)
		v.masked = (unsigned)strtoul(q, NULL, 10) & PRIVACY_ALL;
	html = page_receipt(app->pages, &v, &len);
	reply_html(req, 200, html, len);
	free(action);
	store_stored_report_clear(&stored);
done:
	free(area.name);
	store_person_clear(&person);
}

void
handle_css(struct http_request *req, void *arg)
{
	struct app *app = arg;
	size_t len;
	const char *css = page_css(app->pages, &len);

	http_cacheable(req, 3600);
	http_reply(req, 200, "text/css; charset=utf-8", css, len);
}
