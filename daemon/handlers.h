/*
 * handlers: the HTTP handlers of estd, one file per resource
 * (http_report.c: the reporter's form; http_api.c: the JSON API and
 * health; http_session.c: signing key functions in and out;
 * http_picture.c: their picture pages and the changes made there;
 * http_picture_api.c: pictures and flags as JSON; http_analysis.c: the
 * steering group's analysis page, charts and CSV; http_analysis_api.c:
 * analyses as JSON or CSV), and the checks they
 * share (http_auth.c: tokens; http_session.c: sessions and CSRF). The
 * route table that binds them to paths is in routes.c.
 *
 * Handlers validate, write through the writer, and answer. They never
 * send mail, never call out over the network, never sleep.
 */
#ifndef ESTD_HANDLERS_H
#define ESTD_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "form.h"
#include "http.h"
#include "store.h"
#include "token.h"

enum auth_result {
	AUTH_OK,
	AUTH_MISSING, /* 401: no token given */
	AUTH_UNKNOWN, /* 401: unknown or disabled token */
	AUTH_LIMITED, /* 429: too many failures from this address */
	AUTH_ERROR, /* 503: the database did not answer */
};

/*
 * Look the token up (constant-time compare of its hash) and fill *out
 * (store_person_clear) with an active person. Failures count against the
 * client address.
 */
enum auth_result auth_token(
    struct app *, struct http_request *, const char *token, struct person *out);
/* The token of "Authorization: Bearer TOKEN", or NULL. */
const char *auth_bearer(struct http_request *);

/* The bit of a role in the role mask of auth_api_person. */
#define AUTH_ROLE(r) (1U << (r))

/*
 * The JSON APIs' check of "Authorization: Bearer": 0 with *out filled
 * (store_person_clear) when the token is an active person's whose role
 * is in `roles` (AUTH_ROLE bits). Else it answers as JSON in the
 * client's language (401, 403 with forbidden_sv or forbidden_en, 429
 * with Retry-After, 503) and returns -1 with nothing left in *out.
 */
int auth_api_person(struct app *, struct http_request *, unsigned int roles,
    const char *forbidden_sv, const char *forbidden_en, struct person *out);
/* sv when "Accept-Language" starts with "sv", else en; borrowed. */
const char *auth_msg(struct http_request *, const char *sv, const char *en);

/* A live web session and its person (auth_session_clear). */
struct web_session {
	struct person person;
	struct session session;
	unsigned char hash[TOKEN_HASH_LEN]; /* of the session id */
	bool had_cookie; /* a session cookie came, live or not */
};

/*
 * The session of the request's cookie, filled into *out when it is live
 * (not expired, its person active and not a reporter); its last_seen is
 * written at most once a minute. AUTH_MISSING or AUTH_UNKNOWN when there
 * is none, AUTH_ERROR when the database did not answer. *out is cleared
 * first and is the caller's to clear with auth_session_clear.
 */
enum auth_result auth_session(
    struct app *, struct http_request *, struct web_session *out);
void auth_session_clear(struct web_session *);
/*
 * 0 if a state-changing request may go ahead: it is not cross-site
 * (Sec-Fetch-Site) and the form's "csrf" field is the session's token,
 * compared in constant time; else -1 (answer 403).
 */
int auth_csrf(
    struct http_request *, const struct web_session *, const struct form *);

extern const struct http_route routes[];
extern const size_t n_routes;

void handle_form_get(struct http_request *, void *);
void handle_form_post(struct http_request *, void *);
void handle_receipt(struct http_request *, void *);
void handle_css(struct http_request *, void *);
void handle_error_page(struct http_request *, int status, void *);

void handle_healthz(struct http_request *, void *);
void handle_metrics(struct http_request *, void *);
void handle_checklist(struct http_request *, void *);
void handle_reports_post(struct http_request *, void *);

void handle_signin(struct http_request *, void *);
void handle_logout(struct http_request *, void *);
void handle_picture_latest(struct http_request *, void *);
void handle_picture_get(struct http_request *, void *);
void handle_assessment_post(struct http_request *, void *);
void handle_measure_post(struct http_request *, void *);
void handle_flag_ack(struct http_request *, void *);
void handle_api_picture(struct http_request *, void *);
void handle_api_flags(struct http_request *, void *);
void handle_analysis_css(struct http_request *, void *);
void handle_analysis_latest(struct http_request *, void *);
void handle_analysis_get(struct http_request *, void *);
void handle_analysis_chart(struct http_request *, void *);
void handle_analysis_csv(struct http_request *, void *);
void handle_api_analysis(struct http_request *, void *);

#endif
