/*
 * http_picture_api: the picture and the flags as JSON (contract §5):
 * GET /api/v1/pictures/PERIOD and GET /api/v1/flags[?all=1], with the
 * personal token as "Authorization: Bearer". Key functions, the steering
 * group and admins only, and only their areas (gather.h says which).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dbpool.h"
#include "gather.h"
#include "handlers.h"
#include "log.h"
#include "ratelimit.h"
#include "xmalloc.h"

/* Swedish when the client prefers it, English otherwise. */
static const char *
msg(struct http_request *req, const char *sv, const char *en)
{
	const char *al = http_header(req, "Accept-Language");

	return al != NULL && strncmp(al, "sv", 2) == 0 ? sv : en;
}

/*
 * Check the bearer token and the role; answer a failure as JSON.
 * Returns 0 with *person filled (store_person_clear), or -1 when it has
 * answered.
 */
static int
api_reader(struct http_request *req, struct app *app, struct person *person)
{
	char	 retry[16];

	switch (auth_token(app, req, auth_bearer(req), person)) {
	case AUTH_OK:
		break;
	case AUTH_LIMITED:
		snprintf(retry, sizeof(retry), "%d",
		    ratelimit_retry_after(app->ratelimit,
		    http_client_addr(req), clock_now()));
		http_add_header(req, "Retry-After", retry);
		http_reply_error(req, 429, msg(req,
		    "För många misslyckade försök. Vänta en minut.",
		    "Too many failed attempts. Wait a minute and try again."),
		    NULL);
		return -1;
	case AUTH_ERROR:
		http_reply_error(req, 503, msg(req,
		    "Databasen svarar inte just nu. Försök igen om en stund.",
		    "The database is not answering. Try again shortly."),
		    NULL);
		return -1;
	default:
		http_add_header(req, "WWW-Authenticate", "Bearer");
		http_reply_error(req, 401, msg(req,
		    "Okänd, avstängd eller saknad nyckel: skicka "
		    "Authorization: Bearer och din personliga nyckel.",
		    "Unknown, disabled or missing token: send Authorization: "
		    "Bearer and your personal token."), NULL);
		return -1;
	}
	if (person->role == ROLE_REPORTER) {
		http_reply_error(req, 403, msg(req,
		    "Lägesbilden är för nyckelpersoner, styrgruppen och "
		    "administratörer.",
		    "The picture is for key functions, the steering group and "
		    "admins."), NULL);
		store_person_clear(person);
		return -1;
	}
	return 0;
}

/*
 * Reply with `doc` (a new reference, taken), its reals written as the
 * picture wants them ("1.67", not "1.6699999999999999").
 */
static void
reply_picture_json(struct http_request *req, json_t *doc)
{
	char	*s;
	size_t	 len;

	s = json_dumps(doc, JSON_COMPACT | PICTURE_JSON_REAL);
	json_decref(doc);
	if (s == NULL) {
		http_reply_error(req, 500, "cannot write the picture", NULL);
		return;
	}
	/* One line, like every other JSON answer. */
	len = strlen(s);
	s = xreallocarray(s, len + 2, 1);
	s[len++] = '\n';
	s[len] = '\0';
	http_reply(req, 200, "application/json; charset=utf-8", s, len);
	free(s);
}

void
handle_api_picture(struct http_request *req, void *arg)
{
	struct app	*app = arg;
	struct person	 person;
	struct period	 p, cur;
	struct gathered	 g;
	struct store	*s;
	char		*cause = NULL;
	int		 rc;

	if (api_reader(req, app, &person) == -1)
		return;
	gather_current(app->conf, clock_now(), &cur);
	if (gather_period(app->conf, http_param(req, "period"), &p) == -1 ||
	    period_first_day(&p) > period_first_day(&cur)) {
		http_reply_error(req, 404, msg(req,
		    "Okänd period: ange en vecka som 2026-W47, högst den "
		    "pågående.",
		    "Unknown period: give a week such as 2026-W47, no later "
		    "than the current one."), NULL);
		goto done;
	}
	s = dbpool_get(app->db);
	rc = gather(s, app->conf, &p, &person, &g, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx("picture for person %lld: %s", person.id, cause);
		free(cause);
		http_reply_error(req, 503, msg(req,
		    "Databasen svarar inte just nu. Försök igen om en stund.",
		    "The database is not answering. Try again shortly."),
		    NULL);
	} else
		reply_picture_json(req, gather_json(&g, true));
	gather_clear(&g);
done:
	store_person_clear(&person);
}

void
handle_api_flags(struct http_request *req, void *arg)
{
	struct app	*app = arg;
	struct person	 person;
	struct flag_row	*flags = NULL;
	struct store	*s;
	const char	*all = http_query(req, "all");
	size_t		 n = 0;
	int		 rc;

	if (api_reader(req, app, &person) == -1)
		return;
	s = dbpool_get(app->db);
	rc = gather_flags(s, &person, all != NULL && (strcmp(all, "1") == 0 ||
	    strcmp(all, "true") == 0), &flags, &n);
	dbpool_put(app->db, s);
	if (rc == -1)
		http_reply_error(req, 503, msg(req,
		    "Databasen svarar inte just nu. Försök igen om en stund.",
		    "The database is not answering. Try again shortly."),
		    NULL);
	else
		http_reply_json(req, 200, gather_flags_json(flags, n));
	store_flags_free(flags, n);
	store_person_clear(&person);
}
