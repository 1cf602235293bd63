/*
 * http_analysis_api: the analysis of a quarter, tertial or year as JSON
 * or CSV (contract §5-§7): GET /api/v1/analyses/PERIOD[?format=csv]
 * with the personal token as "Authorization: Bearer". The steering
 * group and admins only (403 for everyone else), every area.
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
api_steering(struct http_request *req, struct app *app,
    struct person *person)
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
	if (person->role != ROLE_STEERING && person->role != ROLE_ADMIN) {
		http_reply_error(req, 403, msg(req,
		    "Analyserna är för styrgruppen och administratörer.",
		    "The analyses are for the steering group and admins."),
		    NULL);
		store_person_clear(person);
		return -1;
	}
	return 0;
}

/* Reply with `doc` (a new reference, taken), reals as "1.9". */
static void
reply_analysis_json(struct http_request *req, json_t *doc)
{
	char	*s;
	size_t	 len;

	s = json_dumps(doc, JSON_COMPACT | ANALYSIS_JSON_REAL);
	json_decref(doc);
	if (s == NULL) {
		http_reply_error(req, 500, "cannot write the analysis", NULL);
		return;
	}
	len = strlen(s);
	s = xreallocarray(s, len + 2, 1);
	s[len++] = '\n';
	s[len] = '\0';
	http_reply(req, 200, "application/json; charset=utf-8", s, len);
	free(s);
}

static void
reply_analysis_csv(struct http_request *req, const struct gathered_analysis *g)
{
	char	*csv, disp[80];

	csv = analysis_to_csv(g->analysis);
	snprintf(disp, sizeof(disp), "attachment; filename=\"analysis-%s.csv\"",
	    g->label);
	http_add_header(req, "Content-Disposition", disp);
	http_reply(req, 200, "text/csv; charset=utf-8", csv, strlen(csv));
	free(csv);
}

void
handle_api_analysis(struct http_request *req, void *arg)
{
	struct app		*app = arg;
	struct person		 person;
	struct period		 p;
	struct gathered_analysis g;
	struct store		*s;
	const char		*format = http_query(req, "format");
	char			*cause = NULL;
	int			 rc;

	if (api_steering(req, app, &person) == -1)
		return;
	if (gather_analysis_period(http_param(req, "period"), &p) == -1 ||
	    !gather_analysis_begun(clock_now(), &p)) {
		http_reply_error(req, 404, msg(req,
		    "Okänd period: ange ett kvartal, tertial eller år som "
		    "2026-Q3, 2026-T2 eller 2026, som har börjat.",
		    "Unknown period: give a quarter, tertial or year such as "
		    "2026-Q3, 2026-T2 or 2026 that has begun."), NULL);
		goto done;
	}
	if (format != NULL && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0) {
		http_reply_error(req, 400, msg(req,
		    "Okänt format: ange format=json eller format=csv.",
		    "Unknown format: give format=json or format=csv."),
		    "format");
		goto done;
	}
	s = dbpool_get(app->db);
	rc = gather_analysis(s, app->conf, &p, &person, &g, &cause);
	dbpool_put(app->db, s);
	if (rc == -1) {
		log_warnx("analysis for person %lld: %s", person.id, cause);
		free(cause);
		http_reply_error(req, 503, msg(req,
		    "Databasen svarar inte just nu. Försök igen om en stund.",
		    "The database is not answering. Try again shortly."),
		    NULL);
	} else if (format != NULL && strcmp(format, "csv") == 0)
		reply_analysis_csv(req, &g);
	else
		reply_analysis_json(req, gather_analysis_json(&g));
	gather_analysis_clear(&g);
done:
	store_person_clear(&person);
}
