/*
 * http_picture_api: the picture and the flags as JSON (contract §5):
 * GET /api/v1/pictures/PERIOD and GET /api/v1/flags[?all=1], with the
 * personal token as "Authorization: Bearer". Key functions, the steering
 * group and admins only, and only their areas (gather.h says which).
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dbpool.h"
#include "gather.h"
#include "handlers.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Everyone but reporters; see auth_api_person. *person is the caller's
 * to clear (store_person_clear) when 0 is returned.
 */
static int
api_reader(struct http_request *req, struct app *app, struct person *person)
{
	return auth_api_person(app, req,
	    AUTH_ROLE(ROLE_KEYFUNCTION) | AUTH_ROLE(ROLE_STEERING) |
		AUTH_ROLE(ROLE_ADMIN),
	    "Lägesbilden är för nyckelpersoner, styrgruppen och "
	    "administratörer.",
	    "The picture is for key functions, the steering group and "
	    "admins.",
	    person);
}

/*
 * Reply with `doc` (a new reference, taken), its reals written as the
 * picture wants them ("1.67", not "1.6699999999999999").
 */
static void
reply_picture_json(struct http_request *req, json_t *doc)
{
	char *s;
	size_t len;

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
	struct app *app = arg;
	struct person person;
	struct period p, cur;
	struct gathered g;
	struct store *s;
	char *cause = NULL;
	int rc;

	if (api_reader(req, app, &person) == -1)
		return;
	gather_current(app->conf, clock_now(), &cur);
	if (gather_period(app->conf, http_param(req, "period"), &p) == -1 ||
	    period_first_day(&p) > period_first_day(&cur)) {
		http_reply_error(req, 404,
		    auth_msg(req,
			"Okänd period: ange en vecka som 2026-W47, högst den "
			"pågående.",
			"Unknown period: give a week such as 2026-W47, no "
			"later "
			"than the current one."),
		    NULL);
		goto done;
	}
	s = dbpool_get(app->db);
	rc = gather(s, app->conf, &p, &person, &g, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx("picture for person %lld: %s", person.id, cause);
		free(cause);
		http_reply_error(req, 503,
		    auth_msg(req,
			"Databasen svarar inte just nu. Försök igen om en "
			"stund.",
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
	struct app *app = arg;
	struct person person;
	struct flag_row *flags = NULL;
	struct store *s;
	const char *all = http_query(req, "all");
	size_t n = 0;
	int rc;

	if (api_reader(req, app, &person) == -1)
		return;
	s = dbpool_get(app->db);
	rc = gather_flags(s, &person,
	    all != NULL && (strcmp(all, "1") == 0 || strcmp(all, "true") == 0),
	    &flags, &n);
	dbpool_put(app->db, s);
	if (rc == -1)
		http_reply_error(req, 503,
		    auth_msg(req,
			"Databasen svarar inte just nu. Försök igen om en "
			"stund.",
			"The database is not answering. Try again shortly."),
		    NULL);
	else
		http_reply_json(req, 200, gather_flags_json(flags, n));
	store_flags_free(flags, n);
	store_person_clear(&person);
}
