/*
 * http_auth: personal tokens on requests; see handlers.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "dbpool.h"
#include "handlers.h"
#include "log.h"
#include "ratelimit.h"
#include "token.h"

enum auth_result
auth_token(struct app *app, struct http_request *req, const char *token,
    struct person *out)
{
	const char *addr = http_client_addr(req);
	time_t now = clock_now();
	unsigned char hash[TOKEN_HASH_LEN];
	int shaped, found;
	struct store *s;

	memset(out, 0, sizeof(*out));
	if (ratelimit_blocked(app->ratelimit, addr, now))
		return AUTH_LIMITED;
	if (token == NULL || token[0] == '\0')
		return AUTH_MISSING;
	shaped = token_hash(token, strlen(token), hash) == 0;
	s = dbpool_get(app->db);
	found = store_person_by_token(s, hash, out) == 0;
	if (!found && store_ping(s) == -1) {
		dbpool_put(app->db, s);
		return AUTH_ERROR;
	}
	dbpool_put(app->db, s);
	if (found && shaped && out->active)
		return AUTH_OK;
	if (found)
		store_person_clear(out);
	ratelimit_fail(app->ratelimit, addr, now);
	log_info("unknown or disabled token from %s", addr);
	return AUTH_UNKNOWN;
}

const char *
auth_bearer(struct http_request *req)
{
	const char *h = http_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

const char *
auth_msg(struct http_request *req, const char *sv, const char *en)
{
	const char *al = http_header(req, "Accept-Language");

	return al != NULL && strncmp(al, "sv", 2) == 0 ? sv : en;
}

int
auth_api_person(struct app *app, struct http_request *req, unsigned int roles,
    const char *forbidden_sv, const char *forbidden_en, struct person *out)
{
	char retry[16];

	switch (auth_token(app, req, auth_bearer(req), out)) {
	case AUTH_OK: break;
	case AUTH_LIMITED:
		snprintf(retry, sizeof(retry), "%d",
		    ratelimit_retry_after(
			app->ratelimit, http_client_addr(req), clock_now()));
		http_add_header(req, "Retry-After", retry);
		http_reply_error(req, 429,
		    auth_msg(req,
			"För många misslyckade försök. Vänta en minut.",
			"Too many failed attempts. Wait a minute and try "
			"again."),
		    NULL);
		return -1;
	case AUTH_ERROR:
		http_reply_error(req, 503,
		    auth_msg(req,
			"Databasen svarar inte just nu. Försök igen om en "
			"stund.",
			"The database is not answering. Try again shortly."),
		    NULL);
		return -1;
	case AUTH_MISSING:
		http_add_header(req, "WWW-Authenticate", "Bearer");
		http_reply_error(req, 401,
		    auth_msg(req,
			"Personlig nyckel saknas: skicka Authorization: Bearer "
			"och din nyckel.",
			"Missing token: send Authorization: Bearer and your "
			"personal token."),
		    NULL);
		return -1;
	case AUTH_UNKNOWN:
		http_add_header(req, "WWW-Authenticate", "Bearer");
		http_reply_error(req, 401,
		    auth_msg(req,
			"Okänd eller avstängd nyckel. Be samordnaren om en ny "
			"länk.",
			"Unknown or disabled token. Ask your coordinator for a "
			"new link."),
		    NULL);
		return -1;
	}
	if ((roles & AUTH_ROLE(out->role)) == 0) {
		http_reply_error(
		    req, 403, auth_msg(req, forbidden_sv, forbidden_en), NULL);
		store_person_clear(out);
		return -1;
	}
	return 0;
}
