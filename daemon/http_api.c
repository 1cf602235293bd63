/*
 * http_api: the JSON API (contract §5): GET /api/v1/checklist,
 * POST /api/v1/reports, and GET /healthz.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "dbpool.h"
#include "handlers.h"
#include "jobs.h"
#include "log.h"
#include "ratelimit.h"
#include "privacy.h"
#include "submit.h"
#include "writer.h"
#include "xmalloc.h"

/* Swedish when the client prefers it, English otherwise. */
static int
wants_swedish(struct http_request *req)
{
	return auth_msg(req, "sv", "en")[0] == 's';
}

void
handle_healthz(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct store *s = dbpool_get(app->db);
	int ok = store_ping(s) == 0;
	char *why = NULL;

	dbpool_put(app->db, s);
	if (!ok)
		http_reply_json(req, 503,
		    json_pack("{s:s,s:s}", "status", "unavailable", "error",
			"the database does not answer"));
	else if (app->health != NULL &&
	    app->health(app->health_ctx, &why) == -1)
		http_reply_json(req, 503,
		    json_pack("{s:s,s:s}", "status", "stuck", "error", why));
	else
		http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
	free(why);
}

/* 1 for a loopback peer: /metrics is for the local Prometheus only. */
static int
loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	    strncmp(addr, "::ffff:127.", 11) == 0;
}

void
handle_metrics(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct buf b = {NULL, 0, 0};
	struct writer_stats ws;
	struct store *s;
	struct flag_row *flags = NULL;
	struct stat st;
	long counts[4] = {0, 0, 0, 0}, oldest = 0;
	long long reports;
	size_t n_flags = 0;
	char *wal;
	long long bytes = 0;
	static const char *const states[] = {
	    "queued", "sending", "sent", "failed"};

	if (!loopback(http_client_addr(req))) {
		http_reply_error(req, 403,
		    "metrics are served to loopback "
		    "only",
		    NULL);
		return;
	}
	s = dbpool_get(app->db);
	reports = store_report_count(s);
	store_outbox_counts(s, clock_now(), counts, &oldest);
	store_flag_list(s, false, &flags, &n_flags);
	dbpool_put(app->db, s);
	store_flags_free(flags, n_flags);
	if (stat(app->conf->database, &st) == 0)
		bytes += st.st_size;
	xasprintf(&wal, "%s-wal", app->conf->database);
	if (stat(wal, &st) == 0)
		bytes += st.st_size;
	free(wal);
	writer_stats(app->writer, &ws);

	if (app->http != NULL)
		http_metrics(app->http, &b);
	buf_printf(&b,
	    "# HELP estd_reports_stored Reports in the database.\n"
	    "# TYPE estd_reports_stored gauge\n"
	    "estd_reports_stored %lld\n"
	    "# HELP estd_writer_commits_total Group commits of the writer.\n"
	    "# TYPE estd_writer_commits_total counter\n"
	    "estd_writer_commits_total %lu\n"
	    "# HELP estd_writer_jobs_total Changes committed (reports and "
	    "others).\n"
	    "# TYPE estd_writer_jobs_total counter\n"
	    "estd_writer_jobs_total %lu\n"
	    "# HELP estd_writer_jobs_failed_total Changes refused.\n"
	    "# TYPE estd_writer_jobs_failed_total counter\n"
	    "estd_writer_jobs_failed_total %lu\n"
	    "# HELP estd_writer_batch_max Largest group commit so far.\n"
	    "# TYPE estd_writer_batch_max gauge\n"
	    "estd_writer_batch_max %lu\n"
	    "# HELP estd_writer_commit_seconds Time in group commits.\n"
	    "# TYPE estd_writer_commit_seconds summary\n"
	    "estd_writer_commit_seconds_sum %.6f\n"
	    "estd_writer_commit_seconds_count %lu\n",
	    reports, ws.commits, ws.jobs, ws.failed, ws.max_batch,
	    ws.commit_seconds, ws.commits);
	buf_puts(&b,
	    "# HELP estd_outbox_mails Mails in the outbox by state.\n"
	    "# TYPE estd_outbox_mails gauge\n");
	for (int i = 0; i < 4; i++)
		buf_printf(&b, "estd_outbox_mails{state=\"%s\"} %ld\n",
		    states[i], counts[i]);
	buf_printf(&b,
	    "# HELP estd_outbox_oldest_seconds Age of the oldest mail "
	    "waiting.\n"
	    "# TYPE estd_outbox_oldest_seconds gauge\n"
	    "estd_outbox_oldest_seconds %ld\n"
	    "# HELP estd_flags_open Open persistence flags.\n"
	    "# TYPE estd_flags_open gauge\n"
	    "estd_flags_open %zu\n"
	    "# HELP estd_database_bytes Size of the database and its WAL.\n"
	    "# TYPE estd_database_bytes gauge\n"
	    "estd_database_bytes %lld\n"
	    "# HELP estd_backup_age_seconds Age of the newest scheduled backup "
	    "(-1: none or off).\n"
	    "# TYPE estd_backup_age_seconds gauge\n"
	    "estd_backup_age_seconds %lld\n"
	    "# HELP estd_uptime_seconds Seconds since estd started.\n"
	    "# TYPE estd_uptime_seconds gauge\n"
	    "estd_uptime_seconds %lld\n",
	    oldest, n_flags, bytes, jobs_backup_age(app->conf, clock_now()),
	    (long long)(clock_now() - app->started));
	http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data,
	    b.len);
	buf_reset(&b);
}

static const char *const scale_sv[] = {
    "Inget observerat", "Enstaka", "Återkommande", "Omfattande"};
static const char *const scale_en[] = {
    "Nothing observed", "Isolated", "Recurring", "Extensive"};

void
handle_checklist(struct http_request *req, void *arg)
{
	struct app *app = arg;
	const struct checklist *cl = &app->conf->checklist;
	struct person person;
	json_t *scale, *items;

	if (auth_api_person(app, req,
		AUTH_ROLE(ROLE_REPORTER) | AUTH_ROLE(ROLE_KEYFUNCTION) |
		    AUTH_ROLE(ROLE_STEERING) | AUTH_ROLE(ROLE_ADMIN),
		"", "", &person) == -1)
		return;
	store_person_clear(&person);
	scale = json_array();
	for (int i = 0; i <= RATING_MAX; i++)
		json_array_append_new(scale,
		    json_pack("{s:i,s:s,s:s}", "value", i, "sv", scale_sv[i],
			"en", scale_en[i]));
	items = json_array();
	for (size_t i = 0; i < cl->n; i++) {
		const struct indicator *ind = &cl->items[i];
		json_t *o = json_pack("{s:s,s:s,s:s}", "key", ind->key, "sv",
		    ind->sv, "en", ind->en);

		if (ind->help_sv != NULL)
			json_object_set_new(
			    o, "help_sv", json_string(ind->help_sv));
		if (ind->help_en != NULL)
			json_object_set_new(
			    o, "help_en", json_string(ind->help_en));
		json_array_append_new(items, o);
	}
	http_reply_json(req, 200,
	    json_pack("{s:o,s:o,s:i,s:i}", "scale", scale, "indicators", items,
		"count_max", COUNT_MAX, "rating_max", RATING_MAX));
}

static void
reply_report_error(
    struct http_request *req, int status, const struct report_errors *errs)
{
	const struct report_error *e = &errs->e[0];

	http_reply_error(
	    req, status, wants_swedish(req) ? e->sv : e->en, e->field);
}

void
handle_reports_post(struct http_request *req, void *arg)
{
	struct app *app = arg;
	struct person person;
	struct report r;
	struct report_errors errs;
	struct report_saved saved;
	const char *body, *type;
	char label[PERIOD_LABEL_MAX];
	size_t len;
	enum report_status rs;
	unsigned masked = 0;
	json_t *doc;

	if (auth_api_person(app, req, AUTH_ROLE(ROLE_REPORTER),
		"Bara rapportörer kan skicka rapporter.",
		"Only reporters can submit reports.", &person) == -1)
		return;
	report_init(&r);
	memset(&errs, 0, sizeof(errs));
	type = http_header(req, "Content-Type");
	if (type == NULL || strncmp(type, "application/json", 16) != 0) {
		http_reply_error(req, 400,
		    auth_msg(req,
			"Skicka rapporten som JSON (Content-Type: "
			"application/json).",
			"Send the report as JSON (Content-Type: "
			"application/json)."),
		    NULL);
		goto done;
	}
	body = http_body(req, &len);
	rs = report_from_json(body, len, &app->conf->checklist, &r, &errs);
	if (rs == REPORT_MALFORMED) {
		if (errs.n > 0)
			reply_report_error(req, 400, &errs);
		else
			http_reply_error(req, 400,
			    auth_msg(req,
				"Kroppen är inte ett giltigt JSON-objekt.",
				"The body is not a valid JSON object."),
			    NULL);
		goto done;
	}
	if (rs == REPORT_INVALID) {
		reply_report_error(req, 422, &errs);
		goto done;
	}
	switch (submit_report(
	    app, &person, &r, "api", true, &errs, &saved, &masked)) {
	case SUBMIT_OK:
		period_format(&r.period, label);
		doc = json_pack("{s:I,s:s,s:s,s:i}", "id", (json_int_t)saved.id,
		    "area", r.area, "period", label, "revision",
		    saved.revision);
		if (masked != 0) {
			json_t *kinds = json_array();

			for (unsigned bit = 1; bit <= PRIVACY_ALL; bit <<= 1)
				if (masked & bit)
					json_array_append_new(kinds,
					    json_string(privacy_kind_name(bit,
						wants_swedish(req) ? "sv"
								   : "en")));
			json_object_set_new(doc, "masked", kinds);
		}
		http_reply_json(req, saved.created ? 201 : 200, doc);
		break;
	case SUBMIT_FORBIDDEN:
		http_reply_error(req, 403,
		    auth_msg(req, "Du rapporterar inte för det här området.",
			"You do not report for this area."),
		    "area");
		break;
	case SUBMIT_INVALID: reply_report_error(req, 422, &errs); break;
	case SUBMIT_UNAVAILABLE:
		http_reply_error(req, 503,
		    auth_msg(req,
			"Rapporten kunde inte sparas just nu. Försök igen.",
			"The report could not be stored right now. Try again."),
		    NULL);
		break;
	}
done:
	report_clear(&r);
	store_person_clear(&person);
}
