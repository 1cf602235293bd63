/*
 * http_auth: personal tokens on requests; see handlers.h.
 */
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
	const char	*addr = http_client_addr(req);
	time_t		 now = clock_now();
	unsigned char	 hash[TOKEN_HASH_LEN];
	int		 shaped, found;
	struct store	*s;

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
