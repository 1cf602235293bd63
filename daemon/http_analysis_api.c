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
#include "xmalloc.h"

/*
 * The steering group and admins only; see auth_api_person. *person is
 * the caller's to clear (store_person_clear) when 0 is returned.
 */
static int
api_steering(struct http_request *req, struct app *app, struct person *person)
{
	return auth_api_person(app, req,
	    AUTH_ROLE(ROLE_STEERING) | AUTH_ROLE(ROLE_ADMIN),
	    "Analyserna är för styrgruppen och administratörer.",
	    "The analyses are for the steering group and admins.", person);
}

/* Reply with `doc` (a new reference, taken), reals as "1.9". */
static void
reply_analysis_json(struct http_request *req, json_t *doc)
{
	char *s;
	size_t len;

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
	char *csv, disp[80];

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
	struct app *app = arg;
	struct person person;
	struct period p;
	struct gathered_analysis g;
	struct store *s;
	const char *format = http_query(req, "format");
	char *cause = NULL;
	int rc;

	if (api_steering(req, app, &person) == -1)
		return;
	if (gather_analysis_period(http_param(req, "period"), &p) == -1 ||
	    !gather_analysis_begun(clock_now(), &p)) {
		http_reply_error(req, 404,
		    auth_msg(req,
			"Okänd period: ange ett kvartal, tertial eller år som "
			"2026-Q3, 2026-T2 eller 2026, som har börjat.",
			"Unknown period: give a quarter, tertial or year such "
			"as "
			"2026-Q3, 2026-T2 or 2026 that has begun."),
		    NULL);
		goto done;
	}
	if (format != NULL && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0) {
		http_reply_error(req, 400,
		    auth_msg(req,
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
		http_reply_error(req, 503,
		    auth_msg(req,
			"Databasen svarar inte just nu. Försök igen om en "
			"stund.",
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
