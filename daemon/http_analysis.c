/*
 * http_analysis: the steering group's analysis on the web. GET
 * /k/analysis (the latest closed quarter or tertial) and GET
 * /k/analysis/PERIOD (2026-Q3, 2026-T2, 2026) show the page; GET
 * /k/analysis/PERIOD/chart/AREA/INDICATOR.svg serves one chart of it
 * (image/svg+xml, for <img>: the page's CSP allows img-src 'self' and
 * nothing inline); GET /k/analysis/PERIOD/csv the figures as CSV
 * (contract §7), the same as the API's ?format=csv; GET
 * /static/analysis.css the page's stylesheet (public). Server-rendered,
 * no JavaScript, read only.
 *
 * Every request: a live session (401 otherwise), the steering group or
 * an admin (403: key functions have their picture), a quarter, tertial
 * or year that has begun (404).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "clock.h"
#include "dbpool.h"
#include "gather_analysis.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "session.h"
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
reply_error_page(struct http_request *req, struct app *app, int status)
{
	size_t len;
	char *html;

	html = page_error(app->pages, request_lang(req), status, &len);
	reply_html(req, status, html, len);
}

/*
 * The session's person if they may see analyses: 0 with *ws filled, or
 * -1 when it has answered (401 with the signed-out page, 403, 503). The
 * caller clears *ws either way.
 */
static int
steering_session(
    struct http_request *req, struct app *app, struct web_session *ws)
{
	enum auth_result ar;
	size_t len;
	char *html, *cookie;

	ar = auth_session(app, req, ws);
	if (ar == AUTH_ERROR) {
		reply_error_page(req, app, 503);
		return -1;
	}
	if (ar != AUTH_OK) {
		if (ws->had_cookie) {
			cookie = session_cookie(NULL, app->conf->base_url);
			http_add_header(req, "Set-Cookie", cookie);
			free(cookie);
		}
		html = page_signed_out(app->pages, request_lang(req), &len);
		reply_html(req, 401, html, len);
		return -1;
	}
	if (ws->person.role != ROLE_STEERING && ws->person.role != ROLE_ADMIN) {
		reply_error_page(req, app, 403);
		return -1;
	}
	return 0;
}

/* The span of the URL: 0, or -1 when it has answered 404. */
static int
url_span(struct http_request *req, struct app *app, struct period *p)
{
	if (gather_analysis_period(http_param(req, "period"), p) == -1 ||
	    !gather_analysis_begun(clock_now(), p)) {
		reply_error_page(req, app, 404);
		return -1;
	}
	return 0;
}

static void
render_analysis(struct http_request *req, struct app *app,
    const struct web_session *ws, const struct period *p)
{
	struct analysis_view v;
	struct gathered_analysis g;
	struct period prev, next;
	struct store *s;
	json_t *doc;
	char prev_label[PERIOD_LABEL_MAX];
	char next_label[PERIOD_LABEL_MAX];
	char *cause = NULL, *html;
	size_t len;
	int rc;

	s = dbpool_get(app->db);
	rc = gather_analysis(s, app->conf, p, &ws->person, &g, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx("analysis for person %lld: %s", ws->person.id, cause);
		free(cause);
		gather_analysis_clear(&g);
		reply_error_page(req, app, 503);
		return;
	}
	doc = gather_analysis_json(&g);
	period_prev(p, app->conf->fortnight_start, &prev);
	period_format(&prev, prev_label);
	period_next(p, app->conf->fortnight_start, &next);
	period_format(&next, next_label);

	memset(&v, 0, sizeof(v));
	v.lang = request_lang(req);
	v.person = &ws->person;
	v.analysis = doc;
	v.period_label = g.label;
	v.prev_label = prev_label;
	v.next_label =
	    gather_analysis_begun(clock_now(), &next) ? next_label : NULL;
	v.checklist = &app->conf->checklist;
	v.csrf = ws->session.csrf;
	if ((html = page_analysis(app->pages, &v, &len)) == NULL) {
		log_warnx("the templates have no analysis.html");
		reply_error_page(req, app, 500);
	} else
		reply_html(req, 200, html, len);
	json_decref(doc);
	gather_analysis_clear(&g);
}

/* The page's own stylesheet: public, like estd.css. */
void
handle_analysis_css(struct http_request *req, void *arg)
{
	struct app *app = arg;
	size_t len;
	const char *css = page_analysis_css(app->pages, &len);

	http_cacheable(req, 3600);
	http_reply(req, 200, "text/css; charset=utf-8", css, len);
}

void
handle_analysis_latest(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct period p;

	if (steering_session(req, app, &ws) == 0) {
		gather_analysis_latest(app->conf, clock_now(), &p);
		render_analysis(req, app, &ws, &p);
	}
	auth_session_clear(&ws);
}

void
handle_analysis_get(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct period p;

	if (steering_session(req, app, &ws) == 0 && url_span(req, app, &p) == 0)
		render_analysis(req, app, &ws, &p);
	auth_session_clear(&ws);
}

/*
 * The indicator key of "KEY.svg" into key[INDICATOR_KEY_MAX + 1]:
 * 0, or -1 when the name is not of that form.
 */
static int
chart_key(const char *name, char *key)
{
	size_t len, i;

	if (name == NULL || (len = strlen(name)) <= 4 ||
	    strcmp(name + len - 4, ".svg") != 0 || len - 4 > INDICATOR_KEY_MAX)
		return -1;
	for (i = 0; i < len - 4; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
			(name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return -1;
		key[i] = name[i];
	}
	key[i] = '\0';
	return 0;
}

void
handle_analysis_chart(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct period p;
	struct store *s;
	const char *area = http_param(req, "area");
	char key[INDICATOR_KEY_MAX + 1];
	char *svg = NULL, *cause = NULL;
	int rc;

	if (steering_session(req, app, &ws) == -1 ||
	    url_span(req, app, &p) == -1)
		goto done;
	if (area == NULL || !report_valid_slug(area) ||
	    chart_key(http_param(req, "chart"), key) == -1) {
		reply_error_page(req, app, 404);
		goto done;
	}
	s = dbpool_get(app->db);
	rc = gather_analysis_chart(
	    s, app->conf, &p, &ws.person, area, key, &svg, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx(
		    "analysis chart for person %lld: %s", ws.person.id, cause);
		free(cause);
		reply_error_page(req, app, 503);
	} else if (svg == NULL)
		reply_error_page(req, app, 404);
	else
		http_reply(req, 200, "image/svg+xml", svg, strlen(svg));
done:
	free(svg);
	auth_session_clear(&ws);
}

void
handle_analysis_csv(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct gathered_analysis g;
	struct period p;
	struct store *s;
	char *csv, *cause = NULL, disp[80];
	int rc;

	if (steering_session(req, app, &ws) == -1 ||
	    url_span(req, app, &p) == -1)
		goto done;
	s = dbpool_get(app->db);
	rc = gather_analysis(s, app->conf, &p, &ws.person, &g, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx(
		    "analysis CSV for person %lld: %s", ws.person.id, cause);
		free(cause);
		reply_error_page(req, app, 503);
	} else {
		csv = analysis_to_csv(g.analysis);
		snprintf(disp, sizeof(disp),
		    "attachment; "
		    "filename=\"analysis-%s.csv\"",
		    g.label);
		http_add_header(req, "Content-Disposition", disp);
		http_reply(
		    req, 200, "text/csv; charset=utf-8", csv, strlen(csv));
		free(csv);
	}
	gather_analysis_clear(&g);
done:
	auth_session_clear(&ws);
}
