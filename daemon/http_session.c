/*
 * http_session: web sessions of key functions, steering members and
 * admins. GET /k/TOKEN signs in and POST /k/logout signs out; every
 * other /k/ page finds its person through auth_session, and every change
 * passes auth_csrf.
 *
 * DESIGN. The personal link stays valid (it is the person's standing
 * link from the mail); opening it makes a new session each time, so a
 * mail scanner that fetches the link first costs one unused session and
 * leaves the person's own click working. The session id is a fresh
 * 256-bit token sent only in an HttpOnly, SameSite=Lax cookie; the store
 * keeps its SHA-256, so a copy of the database signs nobody in. The CSRF
 * token is a second random value of the session, put in every form and
 * compared in constant time; cross-site requests are refused before it
 * is even looked at (Sec-Fetch-Site). Sessions end after 30 minutes idle
 * or 12 hours (session.h); a disabled person's sessions are deleted with
 * them, and auth_session also checks the person is still active, so the
 * next request after a disable is refused either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dbpool.h"
#include "handlers.h"
#include "log.h"
#include "page.h"
#include "ratelimit.h"
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
reply_error_page(struct http_request *req, struct app *app, int status)
{
	size_t len;
	char *html;

	html = page_error(app->pages, request_lang(req), status, &len);
	http_reply(req, status, "text/html; charset=utf-8", html, len);
	free(html);
}

struct session_job {
	const unsigned char *hash;
	long long person_id;
	const char *actor; /* e-mail, for the audit */
	const char *csrf;
	time_t now;
};

static int
job_session_start(struct store *s, void *arg, char **cause)
{
	struct session_job *j = arg;
	char detail[48];

	if (store_session_create(s, j->hash, j->person_id, j->csrf, j->now) ==
	    -1) {
		*cause = xstrdup("cannot create the session");
		return -1;
	}
	snprintf(detail, sizeof(detail), "person %lld", j->person_id);
	if (store_audit(s, j->actor, "session.start", detail) == -1) {
		*cause = xstrdup("cannot write the audit entry");
		return -1;
	}
	return 0;
}

static int
job_session_end(struct store *s, void *arg, char **cause)
{
	struct session_job *j = arg;
	char detail[48];

	if (store_session_delete(s, j->hash) == -1) {
		*cause = xstrdup("cannot end the session");
		return -1;
	}
	if (j->actor == NULL)
		return 0; /* expired: nobody asked for it */
	snprintf(detail, sizeof(detail), "person %lld", j->person_id);
	if (store_audit(s, j->actor, "session.end", detail) == -1) {
		*cause = xstrdup("cannot write the audit entry");
		return -1;
	}
	return 0;
}

static int
job_session_touch(struct store *s, void *arg, char **cause)
{
	struct session_job *j = arg;

	/* A session deleted meanwhile (logout, disable) is no failure. */
	(void)store_session_touch(s, j->hash, j->now);
	(void)cause;
	return 0;
}

void
handle_signin(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct person person;
	struct session_job job;
	unsigned char hash[TOKEN_HASH_LEN];
	char id[TOKEN_LEN + 1], csrf[65], retry[16];
	char *cookie, *cause = NULL;

	switch (auth_token(app, req, http_param(req, "token"), &person)) {
	case AUTH_OK: break;
	case AUTH_LIMITED:
		snprintf(retry, sizeof(retry), "%d",
		    ratelimit_retry_after(
			app->ratelimit, http_client_addr(req), clock_now()));
		http_add_header(req, "Retry-After", retry);
		reply_error_page(req, app, 429);
		return;
	case AUTH_ERROR: reply_error_page(req, app, 503); return;
	default: reply_error_page(req, app, 401); return;
	}
	/* Reporters have their form at /r/; this link is not theirs. */
	if (person.role == ROLE_REPORTER) {
		reply_error_page(req, app, 403);
		store_person_clear(&person);
		return;
	}

	token_new(id);
	token_hash(id, strlen(id), hash);
	token_random_hex(csrf, 32);
	memset(&job, 0, sizeof(job));
	job.hash = hash;
	job.person_id = person.id;
	job.actor = person.email;
	job.csrf = csrf;
	job.now = clock_now();
	if (writer_run(app->writer, job_session_start, &job, &cause) == -1) {
		log_warnx(
		    "session of person %lld not started: %s", person.id, cause);
		free(cause);
		reply_error_page(req, app, 503);
		goto done;
	}
	log_info(
	    "person %lld signed in from %s", person.id, http_client_addr(req));
	cookie = session_cookie(id, app->conf->base_url);
	http_add_header(req, "Set-Cookie", cookie);
	freezero_str(cookie);
	/*
	 * Key functions (and admins) start at the latest picture, the
	 * steering group at the latest analysis (contract §5).
	 */
	http_redirect(
	    req, person.role == ROLE_STEERING ? "/k/analysis" : "/k/picture");
done:
	explicit_bzero(id, sizeof(id));
	explicit_bzero(csrf, sizeof(csrf));
	explicit_bzero(hash, sizeof(hash));
	store_person_clear(&person);
}

enum auth_result
auth_session(struct app *app, struct http_request *req, struct web_session *ws)
{
	struct session_job job;
	struct store *s;
	char id[TOKEN_LEN + 1], *cause = NULL;
	time_t now = clock_now();
	int found, alive;

	memset(ws, 0, sizeof(*ws));
	if (session_cookie_id(http_header(req, "Cookie"), id) == -1)
		return AUTH_MISSING;
	ws->had_cookie = true;
	token_hash(id, strlen(id), ws->hash);
	explicit_bzero(id, sizeof(id));

	s = dbpool_get(app->db);
	found = store_session_get(s, ws->hash, &ws->session) == 0;
	if (!found && store_ping(s) == -1) {
		dbpool_put(app->db, s);
		return AUTH_ERROR;
	}
	alive = found && !session_expired(&ws->session, now) &&
	    store_person_get(s, ws->session.person_id, &ws->person) == 0 &&
	    ws->person.active && ws->person.role != ROLE_REPORTER;
	dbpool_put(app->db, s);

	memset(&job, 0, sizeof(job));
	job.hash = ws->hash;
	job.now = now;
	if (found && !alive) {
		/* Gone for good: drop it now rather than at the next sweep. */
		if (writer_run(app->writer, job_session_end, &job, &cause) ==
		    -1) {
			log_warnx("expired session not deleted: %s", cause);
			free(cause);
		}
	}
	if (!alive) {
		auth_session_clear(ws);
		ws->had_cookie = true;
		return AUTH_UNKNOWN;
	}
	if (session_touch_due(&ws->session, now)) {
		if (writer_run(app->writer, job_session_touch, &job, &cause) ==
		    -1) {
			log_warnx("session of person %lld not touched: %s",
			    ws->person.id, cause);
			free(cause);
		} else
			ws->session.last_seen = now;
	}
	return AUTH_OK;
}

void
auth_session_clear(struct web_session *ws)
{
	store_person_clear(&ws->person);
	explicit_bzero(ws, sizeof(*ws));
}

int
auth_csrf(struct http_request *req, const struct web_session *ws,
    const struct form *f)
{
	const char *site = http_header(req, "Sec-Fetch-Site");
	const char *given = form_get(f, "csrf", NULL);

	if (site != NULL && strcmp(site, "cross-site") == 0) {
		log_info("cross-site %s %s refused (person %lld)",
		    http_method(req), http_path(req), ws->person.id);
		return -1;
	}
	if (given == NULL || ws->session.csrf[0] == '\0' ||
	    !token_str_equal(given, ws->session.csrf)) {
		log_info("%s %s without the session's CSRF token refused "
			 "(person %lld)",
		    http_method(req), http_path(req), ws->person.id);
		return -1;
	}
	return 0;
}

void
handle_logout(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct web_session ws;
	struct session_job job;
	struct form f = {0, NULL};
	const char *body, *lang;
	char *cookie, *cause = NULL, *loc;
	size_t len;

	switch (auth_session(app, req, &ws)) {
	case AUTH_OK: break;
	case AUTH_ERROR: reply_error_page(req, app, 503); return;
	default:
		/* Already signed out: say so. */
		http_redirect(req, "/k/picture");
		auth_session_clear(&ws);
		return;
	}
	body = http_body(req, &len);
	if (form_decode(body, len, &f, &cause) == -1) {
		free(cause);
		reply_error_page(req, app, 400);
		goto done;
	}
	if (auth_csrf(req, &ws, &f) == -1) {
		reply_error_page(req, app, 403);
		goto done;
	}
	memset(&job, 0, sizeof(job));
	job.hash = ws.hash;
	job.person_id = ws.person.id;
	job.actor = ws.person.email;
	if (writer_run(app->writer, job_session_end, &job, &cause) == -1) {
		log_warnx("session of person %lld not ended: %s", ws.person.id,
		    cause);
		free(cause);
		reply_error_page(req, app, 503);
		goto done;
	}
	log_info("person %lld signed out", ws.person.id);
	cookie = session_cookie(NULL, app->conf->base_url);
	http_add_header(req, "Set-Cookie", cookie);
	free(cookie);
	lang = form_get(&f, "lang", NULL);
	lang = page_pick_lang(lang, http_header(req, "Accept-Language"));
	xasprintf(&loc, "/k/picture?lang=%s", lang);
	http_redirect(req, loc);
	free(loc);
done:
	form_clear(&f);
	auth_session_clear(&ws);
}
