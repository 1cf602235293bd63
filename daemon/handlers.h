/*
 * handlers: the HTTP handlers of estd, one file per resource
 * (http_report.c: the reporter's form; http_api.c: the JSON API and
 * health), and the token check they share (http_auth.c). The route table
 * that binds them to paths is in routes.c.
 *
 * Handlers validate, write through the writer, and answer. They never
 * send mail, never call out over the network, never sleep.
 */
#ifndef ESTD_HANDLERS_H
#define ESTD_HANDLERS_H

#include <stddef.h>

#include "app.h"
#include "http.h"
#include "store.h"

enum auth_result {
	AUTH_OK,
	AUTH_MISSING,	/* 401: no token given */
	AUTH_UNKNOWN,	/* 401: unknown or disabled token */
	AUTH_LIMITED,	/* 429: too many failures from this address */
	AUTH_ERROR,	/* 503: the database did not answer */
};

/*
 * Look the token up (constant-time compare of its hash) and fill *out
 * (store_person_clear) with an active person. Failures count against the
 * client address.
 */
enum auth_result auth_token(struct app *, struct http_request *,
	    const char *token, struct person *out);
/* The token of "Authorization: Bearer TOKEN", or NULL. */
const char	*auth_bearer(struct http_request *);

extern const struct http_route	routes[];
extern const size_t		n_routes;

void	handle_form_get(struct http_request *, void *);
void	handle_form_post(struct http_request *, void *);
void	handle_receipt(struct http_request *, void *);
void	handle_css(struct http_request *, void *);
void	handle_error_page(struct http_request *, int status, void *);

void	handle_healthz(struct http_request *, void *);
void	handle_checklist(struct http_request *, void *);
void	handle_reports_post(struct http_request *, void *);

#endif
