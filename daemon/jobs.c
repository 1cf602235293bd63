/*
 * jobs: see jobs.h.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "digest.h"
#include "flags.h"
#include "analysis.h"
#include "gather.h"
#include "gather_analysis.h"
#include "jobs.h"
#include "log.h"
#include "mime.h"
#include "picture.h"
#include "session.h"
#include "store.h"
#include "token.h"
#include "webhook.h"
#include "xmalloc.h"

/* The host part of Message-IDs: base_url's host. */
static void
mail_host(const struct conf *cf, char *host, size_t size)
{
	const char *p = strstr(cf->base_url, "://");
	size_t n;

	p = p != NULL ? p + 3 : cf->base_url;
	n = strcspn(p, ":/");
	if (n == 0 || n >= size)
		snprintf(host, size, "estd.invalid");
	else
		snprintf(host, size, "%.*s", (int)n, p);
}

struct queue_args {
	const char *kind;
	const char *dedup;
	const char *to; /* "Name <addr>" */
	const char *addr; /* addr alone */
	struct digest_mail *mail;
	time_t now;
};

/*
 * Build the message with its attachments (borrowed; n_att may be 0) and
 * queue it in the caller's transaction. Returns 1 queued, 0 already
 * queued earlier, -1 with *cause.
 */
static int
queue_mail_attached(struct store *s, const struct conf *cf,
    const struct queue_args *q, const struct mime_attachment *att, size_t n_att,
    char **cause)
{
	struct mime_message m;
	struct outbox_mail o;
	char host[128], seed[33], id[256], *data = NULL;
	size_t len;
	int added = 0;
	const char *to[1] = {q->to};

	mail_host(cf, host, sizeof(host));
	token_random_hex(seed, 16);
	snprintf(id, sizeof(id), "estd.%s.%s@%s", q->kind, seed, host);
	memset(&m, 0, sizeof(m));
	m.from = cf->smtp_from;
	m.to = to;
	m.n_to = 1;
	m.subject = q->mail->subject;
	m.date = q->now;
	m.utc_offset = clock_utc_offset(q->now);
	m.message_id = id;
	m.boundary_seed = seed;
	m.text = q->mail->text;
	m.html = q->mail->html;
	m.attachments = att;
	m.n_attachments = n_att;
	if (mime_build(&m, &data, &len, cause) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.message_id = id;
	o.kind = (char *)(uintptr_t)q->kind;
	o.dedup_key = (char *)(uintptr_t)q->dedup;
	o.recipient = (char *)(uintptr_t)q->addr;
	o.subject = q->mail->subject;
	o.data = data;
	o.len = len;
	o.state = OUTBOX_QUEUED;
	o.created = q->now;
	o.next_at = q->now;
	if (store_outbox_add(s, &o, &added, cause) == -1) {
		free(data);
		return -1;
	}
	free(data);
	return added;
}

/* The same without attachments. */
static int
queue_mail(struct store *s, const struct conf *cf, const struct queue_args *q,
    char **cause)
{
	return queue_mail_attached(s, cf, q, NULL, 0, cause);
}

/* 1 if some webhook is told about e. */
static bool
hooks_want(const struct conf *cf, enum hook_event e)
{
	for (size_t i = 0; i < cf->n_webhooks; i++)
		if (cf->webhooks[i].events & (1u << e))
			return true;
	return false;
}

/*
 * Queue event e for every webhook told about it, in the caller's
 * transaction, like mail: the delivery goes out only if what produced
 * it commits. `key` names what happened ("flag.opened:centrum:klotter:
 * 2026-W45"): it makes the event's id and, with the webhook's name, the
 * delivery's dedup key, so a step run again queues nothing twice. Each
 * webhook gets its own body (format, free text or not). `data` is
 * stolen. Returns 0, or -1 with *cause.
 */
static int
queue_event(struct store *s, const struct conf *cf, enum hook_event e,
    const char *key, json_t *data, time_t now, char **cause)
{
	const struct conf_webhook *w;
	struct webhook_row row;
	char id[WEBHOOK_ID_LEN + 1], created[40];
	char *dedup, *body;
	json_t *ev;
	size_t len;
	int added, rc = 0;

	if (!hooks_want(cf, e)) {
		json_decref(data);
		return 0;
	}
	webhook_event_id(cf->base_url, key, id);
	clock_format_iso(now, created, sizeof(created));
	ev = webhook_event(e, id, created, cf->base_url, data);
	for (size_t i = 0; i < cf->n_webhooks && rc == 0; i++) {
		w = &cf->webhooks[i];
		if (!(w->events & (1u << e)))
			continue;
		body = webhook_body(w, ev, &len);
		xasprintf(&dedup, "%s:%s", w->name, key);
		memset(&row, 0, sizeof(row));
		row.event_id = id;
		row.webhook = w->name;
		row.event = (char *)(uintptr_t)webhook_event_name(e);
		row.dedup_key = dedup;
		row.body = body;
		row.len = len;
		row.created = now;
		row.next_at = now;
		rc = store_webhook_add(s, &row, &added, cause);
		free(dedup);
		free(body);
	}
	json_decref(ev);
	return rc;
}

/* "BASE/k/picture/2026-W47" (new string). */
static char *
picture_url(const struct conf *cf, const struct period *p)
{
	char label[PERIOD_LABEL_MAX], *url;

	period_format(p, label);
	xasprintf(&url, "%s/k/picture/%s", cf->base_url, label);
	return url;
}

/*
 * flag.opened or flag.closed for a flag of rows[0]'s pair, in the
 * caller's transaction.
 */
static int
flag_event(struct store *s, const struct conf *cf, enum hook_event e,
    const struct score_row *pair, const struct flags_episode *ep,
    const struct period *upto, time_t now, char **cause)
{
	struct webhook_flag f;
	struct area a;
	char *key, *url;
	int i, rc, have_area;

	if (!hooks_want(cf, e))
		return 0;
	have_area = store_area_get(s, pair->area, &a) == 0;
	i = conf_indicator_index(&cf->checklist, pair->indicator);
	url = picture_url(cf, upto);
	memset(&f, 0, sizeof(f));
	f.area = pair->area;
	f.area_name = have_area ? a.name : pair->area;
	f.indicator = pair->indicator;
	f.indicator_name = i >= 0 ? cf->checklist.items[i].sv : pair->indicator;
	f.opened = ep->opened;
	f.closed = e == HOOK_FLAG_CLOSED ? ep->closed : NULL;
	f.reason = ep->reason_sv;
	f.reason_en = ep->reason_en;
	f.url = url;
	if (e == HOOK_FLAG_CLOSED)
		xasprintf(&key, "flag.closed:%s:%s:%s:%s", pair->area,
		    pair->indicator, ep->opened, ep->closed);
	else
		xasprintf(&key, "flag.opened:%s:%s:%s", pair->area,
		    pair->indicator, ep->opened);
	rc = queue_event(s, cf, e, key, webhook_flag_data(&f), now, cause);
	free(key);
	free(url);
	if (have_area)
		store_area_clear(&a);
	return rc;
}

/*
 * One (area, indicator) pair's score history, judged and reconciled
 * with its stored flags (see update_flags). Webhooks hear of a flag
 * opened that is still open, and of the closing of one stored open; an
 * episode that opened and ended before this run (history imported
 * late) is stored without telling them.
 */
static int
judge_pair(struct store *s, const struct conf *cf,
    const struct flags_rule *rule, const struct score_row *rows, size_t n,
    const struct period *upto, const struct flag_row *stored, size_t n_stored,
    time_t now, struct jobs_result *r, char **cause)
{
	struct flags_point *pts = NULL;
	char(*labels)[PERIOD_LABEL_MAX] = NULL;
	struct flags_history h;
	struct period p;
	size_t np = 0, cap = 0, k = 0;
	int rc = -1;

	memset(&h, 0, sizeof(h));
	/* Every reporting period from the first score to upto, gaps too. */
	p = rows[0].period;
	if (cf->cadence == CADENCE_FORTNIGHTLY)
		period_of_day(
		    period_first_day(&p), true, cf->fortnight_start, &p);
	while (period_cmp(&p, upto) <= 0) {
		int score = RATING_NONE;

		while (k < n &&
		    period_first_day(&rows[k].period) <=
			period_last_day_parity(&p, cf->fortnight_start)) {
			if (rows[k].score > score)
				score = rows[k].score;
			k++;
		}
		if (np == cap) {
			cap = cap ? cap * 2 : 64;
			pts = xreallocarray(pts, cap, sizeof(*pts));
			labels = xreallocarray(labels, cap, sizeof(*labels));
		}
		period_format(&p, labels[np]);
		pts[np].score = score;
		np++;
		period_next(&p, cf->fortnight_start, &p);
	}
	for (size_t i = 0; i < np; i++)
		pts[i].label = labels[i];
	if (flags_run(rule, pts, np, &h, cause) == -1)
		goto done;

	for (size_t e = 0; e < h.n; e++) {
		const struct flags_episode *ep = &h.episodes[e];
		const struct flag_row *have = NULL;
		struct period opened, closed;
		long long id;

		for (size_t i = 0; i < n_stored; i++) {
			char l[PERIOD_LABEL_MAX];

			period_format(&stored[i].opened, l);
			if (strcmp(stored[i].area, rows[0].area) == 0 &&
			    strcmp(stored[i].indicator, rows[0].indicator) ==
				0 &&
			    strcmp(l, ep->opened) == 0)
				have = &stored[i];
		}
		if (have == NULL) {
			if (period_parse(ep->opened, &opened) == -1)
				continue;
			if ((id = store_flag_open(s, rows[0].area,
				 rows[0].indicator, &opened, ep->reason_sv,
				 ep->reason_en, cause)) == -1)
				goto done;
			r->flags_opened++;
			if (ep->closed[0] == '\0') {
				if (flag_event(s, cf, HOOK_FLAG_OPENED,
					&rows[0], ep, upto, now, cause) == -1)
					goto done;
				continue;
			}
		} else if (!have->open || ep->closed[0] == '\0')
			continue;
		else
			id = have->id;
		if (period_parse(ep->closed, &closed) == -1)
			continue;
		if (store_flag_close(s, id, &closed, cause) == -1)
			goto done;
		r->flags_closed++;
		if (have != NULL &&
		    flag_event(s, cf, HOOK_FLAG_CLOSED, &rows[0], ep, upto, now,
			cause) == -1)
			goto done;
	}
	rc = 0;
done:
	flags_history_clear(&h);
	free(pts);
	free(labels);
	return rc;
}

/*
 * The flags of every (area, indicator) pair judged over the whole score
 * history up to `upto`, then reconciled with the stored flags: episodes
 * not yet stored are opened (and closed when they have ended), stored
 * open flags whose episode has ended are closed. Judging the whole
 * history each time makes the step idempotent and lets a late import
 * take effect at the next run.
 */
static int
update_flags(struct store *s, const struct conf *cf, const struct period *upto,
    time_t now, struct jobs_result *r, char **cause)
{
	struct flags_rule rule;
	struct score_row *rows = NULL;
	struct flag_row *stored = NULL;
	size_t n_rows = 0, n_stored = 0, i, j;
	struct period first;
	int rc = -1;

	flags_rule_from_conf(cf, &rule);
	if (flags_rule_check(&rule, cause) == -1)
		return -1;
	first.kind = PERIOD_WEEK;
	first.year = 2000;
	first.num = 1;
	if (store_scores(s, &first, upto, &rows, &n_rows) == -1 ||
	    store_flag_list(s, true, &stored, &n_stored) == -1) {
		*cause = xstrdup("cannot read the scores and flags");
		goto done;
	}
	for (i = 0; i < n_rows; i = j) {
		for (j = i;
		     j < n_rows && strcmp(rows[j].area, rows[i].area) == 0 &&
		     strcmp(rows[j].indicator, rows[i].indicator) == 0;
		     j++)
			;
		if (judge_pair(s, cf, &rule, rows + i, j - i, upto, stored,
			n_stored, now, r, cause) == -1)
			goto done;
	}
	rc = 0;
done:
	free(rows);
	store_flags_free(stored, n_stored);
	return rc;
}

/* "v. 47" or "v. 47–48" for the subject. */
static void
week_words(
    const struct conf *cf, const struct period *p, char *buf, size_t size)
{
	struct period last;

	period_week_of_day(
	    period_last_day_parity(p, cf->fortnight_start), &last);
	if (last.num != p->num)
		snprintf(buf, size, "v. %d\xe2\x80\x93%d", p->num, last.num);
	else
		snprintf(buf, size, "v. %d", p->num);
}

static bool
period_has_reports(
    struct store *s, const struct conf *cf, const struct period *p)
{
	struct stored_report *reps = NULL;
	size_t n = 0;

	if (store_report_list(s, p, NULL, &cf->checklist, &reps, &n) == -1)
		return true; /* let the digest say what it can */
	store_stored_reports_free(reps, n);
	return n > 0;
}

/*
 * The person's personal link ("BASE/r/TOKEN" for reporters, "BASE/k/TOKEN"
 * for everyone else), made from their salt and the key; a new string.
 * People whose link was issued without a salt get the site's address.
 */
static char *
personal_link(struct store *s, const struct conf *cf, const unsigned char *key,
    const struct person *p)
{
	unsigned char salt[TOKEN_SALT_LEN];
	char token[TOKEN_LEN + 1], *link;

	if (key == NULL || store_person_get_salt(s, p->id, salt) == -1)
		return xstrdup(cf->base_url);
	token_derive(key, salt, token);
	xasprintf(&link, "%s/%s/%s", cf->base_url,
	    p->role == ROLE_REPORTER ? "r" : "k", token);
	explicit_bzero(token, sizeof(token));
	return link;
}

struct digest_job {
	const struct conf *cf;
	const unsigned char *key;
	const struct tmpl_set *mail;
	const struct period *period;
	time_t now;
	bool force;
	bool dry_run;
	struct jobs_result *r;
};

/* One key function's digest, queued. */
static int
digest_one(
    struct store *s, struct digest_job *j, const struct person *p, char **cause)
{
	const struct conf *cf = j->cf;
	struct gathered now_g, prev_g;
	struct period prev;
	struct digest_input in;
	struct digest_mail mail;
	struct queue_args q;
	char label[PERIOD_LABEL_MAX], week[32];
	char *url = NULL, *dedup = NULL, *to = NULL;
	json_t *pic = NULL, *prevpic = NULL;
	int rc = -1, added;

	memset(&now_g, 0, sizeof(now_g));
	memset(&prev_g, 0, sizeof(prev_g));
	memset(&mail, 0, sizeof(mail));
	period_prev(j->period, cf->fortnight_start, &prev);
	if (gather(s, cf, j->period, p, &now_g, cause) == -1 ||
	    gather(s, cf, &prev, p, &prev_g, cause) == -1)
		goto done;
	if (now_g.n_areas == 0) {
		rc = 0;
		goto done;
	}
	pic = picture_to_json(now_g.picture, true);
	prevpic = picture_to_json(prev_g.picture, true);
	period_format(j->period, label);
	week_words(cf, j->period, week, sizeof(week));
	url = personal_link(s, cf, j->key, p);
	memset(&in, 0, sizeof(in));
	in.picture = pic;
	in.previous = prevpic;
	in.checklist = &cf->checklist;
	in.name = p->name;
	in.url = url;
	in.week = week;
	in.max_areas = 12;
	in.max_lines = 40;
	if (digest_render(j->mail, &in, &mail, cause) == -1)
		goto done;
	if (j->dry_run) {
		printf("To: %s <%s>\nSubject: %s\n\n%s\n", p->name, p->email,
		    mail.subject, mail.text);
		j->r->queued++;
		rc = 0;
		goto done;
	}
	xasprintf(&dedup, "digest:%s:%s", label, p->email);
	xasprintf(&to, "%s <%s>", p->name, p->email);
	q.kind = "digest";
	q.dedup = dedup;
	q.to = to;
	q.addr = p->email;
	q.mail = &mail;
	q.now = j->now;
	if ((added = queue_mail(s, cf, &q, cause)) == -1)
		goto done;
	j->r->queued += added;
	rc = 0;
done:
	json_decref(pic);
	json_decref(prevpic);
	gather_clear(&now_g);
	gather_clear(&prev_g);
	digest_mail_clear(&mail);
	free(url);
	free(dedup);
	free(to);
	return rc;
}

/*
 * picture.compiled (every area, no one's name) and digest.sent (the
 * digest mails have been queued: delivery is the outbox's business),
 * in the digest's transaction.
 */
static int
digest_events(
    struct store *s, struct digest_job *j, const char *label, char **cause)
{
	const struct conf *cf = j->cf;
	struct gathered g;
	json_t *pic;
	char *key, *url;
	int rc = 0;

	url = picture_url(cf, j->period);
	if (hooks_want(cf, HOOK_PICTURE_COMPILED)) {
		if ((rc = gather(s, cf, j->period, NULL, &g, cause)) == 0) {
			pic = picture_to_json(g.picture, false);
			xasprintf(&key, "picture.compiled:%s", label);
			rc = queue_event(s, cf, HOOK_PICTURE_COMPILED, key,
			    webhook_picture_data(pic, &cf->checklist, url),
			    j->now, cause);
			free(key);
			json_decref(pic);
		}
		gather_clear(&g);
	}
	if (rc == 0) {
		xasprintf(&key, "digest.sent:%s", label);
		rc = queue_event(s, cf, HOOK_DIGEST_SENT, key,
		    webhook_digest_data(label, j->r->queued, url), j->now,
		    cause);
		free(key);
	}
	free(url);
	return rc;
}

static int
digest_fn(struct store *s, void *arg, char **cause)
{
	struct digest_job *j = arg;
	struct person *people = NULL;
	size_t n = 0;
	char label[PERIOD_LABEL_MAX], *detail;
	int rc = -1, done;

	period_format(j->period, label);
	if ((done = store_job_done(s, "digest", label)) == -1) {
		*cause = xstrdup("cannot read the job log");
		return -1;
	}
	if (done && !j->force) {
		j->r->already_done = true;
		return 0;
	}
	if (!j->dry_run &&
	    update_flags(s, j->cf, j->period, j->now, j->r, cause) == -1)
		return -1;
	if (!j->force && !period_has_reports(s, j->cf, j->period)) {
		/* A period nobody reported for (a new installation, say). */
		j->r->no_reports = true;
		if (!j->dry_run &&
		    store_job_mark(s, "digest", label, j->now) == -1) {
			*cause = xstrdup("cannot record the digest");
			return -1;
		}
		return 0;
	}
	if (store_person_list(s, &people, &n) == -1) {
		*cause = xstrdup("cannot read the people");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!people[i].active || people[i].role != ROLE_KEYFUNCTION)
			continue;
		if (digest_one(s, j, &people[i], cause) == -1)
			goto done;
	}
	if (!j->dry_run && digest_events(s, j, label, cause) == -1)
		goto done;
	if (!j->dry_run) {
		xasprintf(&detail, "digest %s: %d mails", label, j->r->queued);
		if (store_job_mark(s, "digest", label, j->now) == -1 ||
		    store_audit(s, "estd", "digest.queue", detail) == -1) {
			free(detail);
			*cause = xstrdup("cannot record the digest");
			goto done;
		}
		free(detail);
	}
	rc = 0;
done:
	store_people_free(people, n);
	return rc;
}

int
jobs_digest(const struct conf *cf, const struct dbwrite *dw,
    const unsigned char *key, const struct tmpl_set *mail,
    const struct period *p, time_t now, bool force, bool dry_run,
    struct jobs_result *r, char **cause)
{
	struct digest_job j = {cf, key, mail, p, now, force, dry_run, r};

	memset(r, 0, sizeof(*r));
	return dbwrite_run(dw, digest_fn, &j, cause);
}

struct remind_job {
	const struct conf *cf;
	const unsigned char *key;
	const struct tmpl_set *mail;
	const struct period *period;
	time_t now;
	struct jobs_result *r;
};

/* 1 if `p` has a report for `area` among the period's reports. */
static int
has_reported(
    const struct stored_report *reps, size_t n, long long id, const char *area)
{
	for (size_t i = 0; i < n; i++)
		if (reps[i].person_id == id &&
		    strcmp(reps[i].report.area, area) == 0)
			return 1;
	return 0;
}

static int
remind_one(struct store *s, struct remind_job *j, const struct person *p,
    const struct stored_report *reps, size_t n_reps, char **cause)
{
	const struct conf *cf = j->cf;
	const char **names;
	struct area a;
	struct digest_reminder in;
	struct digest_mail mail;
	struct queue_args q;
	size_t n = 0;
	char label[PERIOD_LABEL_MAX], words[96], week[32];
	char *dedup = NULL, *to = NULL, *url = NULL;
	int rc = -1, added;

	names = xcalloc(p->n_areas + 1, sizeof(*names));
	memset(&mail, 0, sizeof(mail));
	for (size_t i = 0; i < p->n_areas; i++) {
		if (has_reported(reps, n_reps, p->id, p->areas[i]))
			continue;
		if (store_area_get(s, p->areas[i], &a) == 0)
			names[n++] = a.name; /* freed below */
	}
	if (n == 0) {
		rc = 0;
		goto done;
	}
	period_format(j->period, label);
	period_describe_parity(
	    j->period, cf->fortnight_start, "sv", words, sizeof(words));
	snprintf(week, sizeof(week), "vecka %d", j->period->num);
	url = personal_link(s, cf, j->key, p);
	memset(&in, 0, sizeof(in));
	in.name = p->name;
	in.week = week;
	in.period = words;
	in.areas = names;
	in.n_areas = n;
	in.url = url;
	if (digest_render_reminder(j->mail, &in, &mail, cause) == -1)
		goto done;
	xasprintf(&dedup, "reminder:%s:%s", label, p->email);
	xasprintf(&to, "%s <%s>", p->name, p->email);
	q.kind = "reminder";
	q.dedup = dedup;
	q.to = to;
	q.addr = p->email;
	q.mail = &mail;
	q.now = j->now;
	if ((added = queue_mail(s, cf, &q, cause)) == -1)
		goto done;
	j->r->queued += added;
	rc = 0;
done:
	for (size_t i = 0; i < n; i++)
		free((char *)(uintptr_t)names[i]);
	free(names);
	digest_mail_clear(&mail);
	free(dedup);
	free(to);
	free(url);
	return rc;
}

static int
remind_fn(struct store *s, void *arg, char **cause)
{
	struct remind_job *j = arg;
	struct person *people = NULL;
	struct stored_report *reps = NULL;
	size_t n = 0, n_reps = 0;
	char label[PERIOD_LABEL_MAX];
	int rc = -1, done;

	period_format(j->period, label);
	if ((done = store_job_done(s, "reminder", label)) == -1) {
		*cause = xstrdup("cannot read the job log");
		return -1;
	}
	if (done) {
		j->r->already_done = true;
		return 0;
	}
	if (store_person_list(s, &people, &n) == -1 ||
	    store_report_list(
		s, j->period, NULL, &j->cf->checklist, &reps, &n_reps) == -1) {
		*cause = xstrdup("cannot read the people and reports");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (!people[i].active || people[i].role != ROLE_REPORTER)
			continue;
		if (remind_one(s, j, &people[i], reps, n_reps, cause) == -1)
			goto done;
	}
	if (store_job_mark(s, "reminder", label, j->now) == -1) {
		*cause = xstrdup("cannot record the reminders");
		goto done;
	}
	rc = 0;
done:
	store_people_free(people, n);
	store_stored_reports_free(reps, n_reps);
	return rc;
}

int
jobs_remind(const struct conf *cf, const struct dbwrite *dw,
    const unsigned char *key, const struct tmpl_set *mail,
    const struct period *p, time_t now, struct jobs_result *r, char **cause)
{
	struct remind_job j = {cf, key, mail, p, now, r};

	memset(r, 0, sizeof(*r));
	return dbwrite_run(dw, remind_fn, &j, cause);
}

/* ---- Retention. */

/* A day number as "YYYY-MM-DD" into buf[11]. */
static void
day_label(long days, char *buf)
{
	struct civil c;
	char tmp[48];

	period_civil_from_days(days, &c);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", c.year, c.month, c.day);
	snprintf(buf, 11, "%.10s", tmp);
}

struct retention_job {
	const struct conf *cf;
	time_t now;
	struct jobs_retention_result *r;
};

static int
retention_fn(struct store *s, void *arg, char **cause)
{
	struct retention_job *j = arg;
	struct jobs_retention_result *r = j->r;
	const struct conf *cf = j->cf;
	struct buf detail = {NULL, 0, 0};
	char today[11];
	long day = clock_local_days(j->now);
	int done, rc = -1;

	day_label(day, today);
	if ((done = store_job_done(s, "retention", today)) == -1) {
		*cause = xstrdup("cannot read the job log");
		return -1;
	}
	if (done) {
		r->already_done = true;
		return 0;
	}
	if (cf->retention_free_text_days > 0) {
		day_label(day - cf->retention_free_text_days, r->text_before);
		if (store_retention_erase(s, day - cf->retention_free_text_days,
			j->now, &r->reports, &r->revisions, cause) == -1)
			goto done;
		if (r->reports > 0 || r->revisions > 0)
			buf_printf(&detail,
			    "erased free text of %ld reports "
			    "(%ld revisions) of periods before %s",
			    r->reports, r->revisions, r->text_before);
	}
	if (cf->retention_audit_days > 0) {
		day_label(day - cf->retention_audit_days, r->audit_before);
		if (store_audit_purge(s,
			clock_local_instant(
			    day - cf->retention_audit_days, 0, 0),
			j->now, &r->audit_purged, cause) == -1)
			goto done;
		if (r->audit_purged > 0)
			buf_printf(&detail,
			    "%sremoved %lld audit entries from "
			    "before %s",
			    detail.len > 0 ? "; " : "", r->audit_purged,
			    r->audit_before);
	}
	/* Sessions already refused as over are also swept away. */
	if (store_session_expire(
		s, j->now - SESSION_IDLE_MAX, j->now - SESSION_AGE_MAX) == -1) {
		*cause = xstrdup("cannot remove ended sessions");
		goto done;
	}
	/* Days with nothing to do leave the job log's row only. */
	if (detail.len > 0 &&
	    store_audit(s, "estd", "retention", detail.data) == -1) {
		*cause = xstrdup("cannot write the audit entry");
		goto done;
	}
	if (store_job_mark(s, "retention", today, j->now) == -1) {
		*cause = xstrdup("cannot record the retention job");
		goto done;
	}
	rc = 0;
done:
	buf_reset(&detail);
	return rc;
}

int
jobs_retention(const struct conf *cf, const struct dbwrite *dw, time_t now,
    struct jobs_retention_result *r, char **cause)
{
	struct retention_job j = {cf, now, r};
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = dbwrite_run(dw, retention_fn, &j, cause)) == -1) {
		/* The savepoint is gone: nothing of this was kept. */
		r->reports = r->revisions = 0;
		r->audit_purged = 0;
	}
	return rc;
}

/* ---- Backups. */

#define BACKUP_PREFIX "estd-"
#define BACKUP_SUFFIX ".db"
/* "estd-YYYYMMDD-HHMMSS.db" */
#define BACKUP_NAME_LEN 23
/* A backup this far in the future still counts (clock steps). */
#define BACKUP_SLACK 60

/* The name of a backup made at t, into name[BACKUP_NAME_LEN + 1]. */
static void
backup_name(time_t t, char *name)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(name, BACKUP_NAME_LEN + 1,
	    BACKUP_PREFIX "%Y%m%d-%H%M%S" BACKUP_SUFFIX, &tm);
}

/* The time in a backup's name; -1 if the name is not one of ours. */
static int
backup_time(const char *name, time_t *t)
{
	char again[BACKUP_NAME_LEN + 1];
	struct tm tm;
	int i;

	if (strlen(name) != BACKUP_NAME_LEN ||
	    strncmp(name, BACKUP_PREFIX, 5) != 0 || name[13] != '-' ||
	    strcmp(name + 20, BACKUP_SUFFIX) != 0)
		return -1;
	for (i = 5; i < 20; i++)
		if (i != 13 && (name[i] < '0' || name[i] > '9'))
			return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (name[5] - '0') * 1000 + (name[6] - '0') * 100 +
	    (name[7] - '0') * 10 + (name[8] - '0') - 1900;
	tm.tm_mon = (name[9] - '0') * 10 + (name[10] - '0') - 1;
	tm.tm_mday = (name[11] - '0') * 10 + (name[12] - '0');
	tm.tm_hour = (name[14] - '0') * 10 + (name[15] - '0');
	tm.tm_min = (name[16] - '0') * 10 + (name[17] - '0');
	tm.tm_sec = (name[18] - '0') * 10 + (name[19] - '0');
	if ((*t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* Only a real instant gives its own name back (no 31 June). */
	backup_name(*t, again);
	return strcmp(again, name) == 0 ? 0 : -1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The backups in dir, oldest first (names sort by time): *names is a
 * new array of new strings (free with names_free). Removes what a crash
 * of an earlier run left: hidden temporary files and key files without
 * their backup. Returns 0, or -1 with *cause.
 */
static int
backup_list(const char *dir, char ***names, size_t *n, char **cause)
{
	DIR *d;
	struct dirent *de;
	char **list = NULL, **keys = NULL, *p, *db;
	size_t nl = 0, nk = 0, i, len;
	time_t t;

	*names = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		xasprintf(
		    cause, "backup directory %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (backup_time(de->d_name, &t) == 0) {
			list = xreallocarray(list, nl + 1, sizeof(*list));
			list[nl++] = xstrdup(de->d_name);
		} else if (len == BACKUP_NAME_LEN + 4 &&
		    strcmp(de->d_name + BACKUP_NAME_LEN, ".key") == 0) {
			keys = xreallocarray(keys, nk + 1, sizeof(*keys));
			keys[nk++] = xstrdup(de->d_name);
		} else if (len == BACKUP_NAME_LEN + 5 && de->d_name[0] == '.' &&
		    strncmp(de->d_name + 1, BACKUP_PREFIX, 5) == 0 &&
		    strcmp(de->d_name + BACKUP_NAME_LEN + 1, ".tmp") == 0) {
			xasprintf(&p, "%s/%s", dir, de->d_name);
			if (unlink(p) == 0)
				log_info("backup: removed %s, left by an "
					 "interrupted backup",
				    p);
			free(p);
		}
	}
	closedir(d);
	if (nl > 0)
		qsort(list, nl, sizeof(*list), name_cmp);
	for (i = 0; i < nk; i++) {
		db = xstrndup(keys[i], BACKUP_NAME_LEN);
		if (backup_time(db, &t) == 0 &&
		    (nl == 0 ||
			bsearch(&db, list, nl, sizeof(*list), name_cmp) ==
			    NULL)) {
			xasprintf(&p, "%s/%s", dir, keys[i]);
			if (unlink(p) == 0)
				log_info("backup: removed %s, the key of no "
					 "backup",
				    p);
			free(p);
		}
		free(db);
		free(keys[i]);
	}
	free(keys);
	*names = list;
	*n = nl;
	return 0;
}

static void
names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
jobs_backup_key(const struct conf *cf, const char *backup, char **cause)
{
	unsigned char data[4096];
	char *to = NULL;
	ssize_t len;
	int in = -1, out = -1, rc = -1;

	xasprintf(&to, "%s.key", backup);
	if ((in = open(cf->key_file, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(
		    cause, "key file %s: %s", cf->key_file, strerror(errno));
		goto done;
	}
	/* A key is 32 bytes; anything that does not fit is not one. */
	if ((len = read(in, data, sizeof(data))) <= 0 ||
	    (size_t)len == sizeof(data)) {
		xasprintf(cause, "key file %s: %s", cf->key_file,
		    len == -1 ? strerror(errno) : "not a key file");
		goto done;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		xasprintf(cause, "%s: %s", to, strerror(errno));
		goto done;
	}
	if (write(out, data, (size_t)len) != len || fsync(out) == -1) {
		xasprintf(cause, "%s: %s", to, strerror(errno));
		close(out);
		out = -1;
		unlink(to);
		goto done;
	}
	rc = 0;
done:
	explicit_bzero(data, sizeof(data));
	if (in != -1)
		close(in);
	if (out != -1 && close(out) == -1 && rc == 0) {
		xasprintf(cause, "%s: %s", to, strerror(errno));
		unlink(to);
		rc = -1;
	}
	free(to);
	return rc;
}

/* Make a rename in dir durable. */
static int
sync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

struct backup_record {
	const char *name;
	time_t now;
};

static int
backup_record_fn(struct store *s, void *arg, char **cause)
{
	struct backup_record *b = arg;

	if (store_job_mark(s, "backup", b->name, b->now) == -1 ||
	    store_audit(s, "estd", "backup", b->name) == -1) {
		*cause = xstrdup("cannot record the backup");
		return -1;
	}
	return 0;
}

/* 1 if some backup in names[n] was made in (now - interval, now]. */
static int
backup_recent(const struct conf *cf, char **names, size_t n, time_t now)
{
	time_t t;

	for (size_t i = 0; i < n; i++) {
		if (backup_time(names[i], &t) == -1)
			continue;
		/* One from the future (the clock went back) does not count. */
		if (t > now - (time_t)cf->backup_interval_hours * 3600 &&
		    t <= now + BACKUP_SLACK)
			return 1;
	}
	return 0;
}

/* Write the backup `name` into dir with its key. */
static int
backup_write(const struct conf *cf, const char *name, char **cause)
{
	struct store *rd = NULL;
	char *path, *tmp, *key;
	int rc = -1;

	xasprintf(&path, "%s/%s", cf->backup_dir, name);
	xasprintf(&tmp, "%s/.%s.tmp", cf->backup_dir, name);
	xasprintf(&key, "%s.key", path);
	if (access(path, F_OK) == 0) {
		xasprintf(cause, "%s already exists", path);
		goto done;
	}
	if (jobs_backup_key(cf, path, cause) == -1)
		goto done;
	if ((rd = store_open(cf->database, STORE_READER, cause)) == NULL ||
	    store_backup(rd, tmp, cause) == -1) {
		unlink(key);
		goto done;
	}
	if (rename(tmp, path) == -1) {
		xasprintf(cause, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		unlink(key);
		goto done;
	}
	if (sync_dir(cf->backup_dir) == -1)
		log_warn(
		    "backup: cannot sync the directory %s", cf->backup_dir);
	rc = 0;
done:
	store_close(rd);
	free(path);
	free(tmp);
	free(key);
	return rc;
}

int
jobs_backup(const struct conf *cf, const struct dbwrite *dw, time_t now,
    struct jobs_backup_result *r, char **cause)
{
	struct backup_record rec;
	char **names = NULL, *p, *why = NULL;
	size_t n = 0, i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (cf->backup_dir[0] == '\0')
		return 0;
	if (mkdir(cf->backup_dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "backup directory %s: %s", cf->backup_dir,
		    strerror(errno));
		return -1;
	}
	if (backup_list(cf->backup_dir, &names, &n, cause) == -1)
		return -1;
	if (backup_recent(cf, names, n, now)) {
		rc = 0;
		goto done;
	}
	backup_name(now, r->name);
	if (backup_write(cf, r->name, cause) == -1)
		goto done;
	r->written = true;
	rec.name = r->name;
	rec.now = now;
	/* The directory is the record that counts; this one is history. */
	if (dbwrite_run(dw, backup_record_fn, &rec, &why) == -1) {
		log_warnx(
		    "backup: %s written but not recorded: %s", r->name, why);
		free(why);
		why = NULL;
	}

	/* The backup is made: a failure from here on is only logged. */
	names_free(names, n);
	if (backup_list(cf->backup_dir, &names, &n, &why) == -1) {
		log_warnx("backup: old backups not removed: %s", why);
		free(why);
	}
	for (i = 0;
	     n > (size_t)cf->backup_keep && i < n - (size_t)cf->backup_keep;
	     i++) {
		xasprintf(&p, "%s/%s", cf->backup_dir, names[i]);
		if (unlink(p) == -1)
			log_warn("backup: cannot remove %s", p);
		else
			r->removed++;
		free(p);
		xasprintf(&p, "%s/%s.key", cf->backup_dir, names[i]);
		if (unlink(p) == -1 && errno != ENOENT)
			log_warn("backup: cannot remove %s", p);
		free(p);
	}
	rc = 0;
done:
	names_free(names, n);
	return rc;
}

long long
jobs_backup_age(const struct conf *cf, time_t now)
{
	DIR *d;
	struct dirent *de;
	time_t t, newest = 0;
	int found = 0;

	if (cf->backup_dir[0] == '\0' || (d = opendir(cf->backup_dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (backup_time(de->d_name, &t) == -1 || t > now + BACKUP_SLACK)
			continue;
		if (!found || t > newest)
			newest = t;
		found = 1;
	}
	closedir(d);
	if (!found)
		return -1;
	return newest > now ? 0 : (long long)(now - newest);
}

/*
 * ---- The analysis mail: when a quarter or tertial ([periods]
 * analysis) and a year have closed, their analysis to the steering
 * group.
 */

/*
 * The span of `kind` whose analysis the digest of `digest` makes due:
 * the one `digest` ends, or the one before while `digest` is among the
 * first JOBS_ANALYSIS_LATE periods after it (the daemon was down when
 * it closed). Returns 1 with *out filled, or 0 when none is due.
 */
static int
closed_span(const struct conf *cf, const struct period *digest,
    enum period_kind kind, struct period *out)
{
	struct period c, list[ANALYSIS_PERIODS_MAX];
	size_t n, i;
	long day = period_first_day(digest);

	period_container(digest, kind, &c);
	n = analysis_periods(
	    &c, cf->cadence == CADENCE_FORTNIGHTLY, cf->fortnight_start, list);
	for (i = 0; i < n && period_first_day(&list[i]) != day; i++)
		;
	if (i == n)
		return 0;
	if (i == n - 1) {
		*out = c;
		return 1;
	}
	if (i < JOBS_ANALYSIS_LATE) {
		period_prev(&c, cf->fortnight_start, out);
		return 1;
	}
	return 0;
}

int
jobs_analysis_due(
    const struct conf *cf, const struct period *digest, struct period out[2])
{
	int n = 0;

	n += closed_span(cf, digest,
	    cf->analysis == ANALYSIS_TERTIAL ? PERIOD_TERTIAL : PERIOD_QUARTER,
	    &out[n]);
	n += closed_span(cf, digest, PERIOD_YEAR, &out[n]);
	return n;
}

struct analysis_job {
	const struct conf *cf;
	const unsigned char *key;
	const struct tmpl_set *mail;
	const struct period *span;
	time_t now;
	bool force;
	struct jobs_result *r;
	/* What every mail of the job shares. */
	char label[PERIOD_LABEL_MAX];
	char filename[64]; /* "analysis-2026-Q3.csv" */
	json_t *doc;
	const char *csv;
};

/* One member of the steering group's mail, queued. */
static int
analysis_one(struct store *s, struct analysis_job *j, const struct person *p,
    char **cause)
{
	struct digest_analysis in;
	struct digest_mail mail;
	struct mime_attachment att;
	struct queue_args q;
	char *url = NULL, *dedup = NULL, *to = NULL;
	int rc = -1, added;

	memset(&mail, 0, sizeof(mail));
	url = personal_link(s, j->cf, j->key, p);
	memset(&in, 0, sizeof(in));
	in.analysis = j->doc;
	in.checklist = &j->cf->checklist;
	in.name = p->name;
	in.url = url;
	in.attachment = j->filename;
	if (digest_render_analysis(j->mail, &in, &mail, cause) == -1)
		goto done;
	memset(&att, 0, sizeof(att));
	att.filename = j->filename;
	att.content_type = "text/csv; charset=utf-8";
	att.data = j->csv;
	att.len = strlen(j->csv);
	xasprintf(&dedup, "analysis:%s:%s", j->label, p->email);
	xasprintf(&to, "%s <%s>", p->name, p->email);
	memset(&q, 0, sizeof(q));
	q.kind = "analysis";
	q.dedup = dedup;
	q.to = to;
	q.addr = p->email;
	q.mail = &mail;
	q.now = j->now;
	if ((added = queue_mail_attached(s, j->cf, &q, &att, 1, cause)) == -1)
		goto done;
	j->r->queued += added;
	rc = 0;
done:
	digest_mail_clear(&mail);
	free(url);
	free(dedup);
	free(to);
	return rc;
}

/* analysis.ready, in the analysis's transaction. */
static int
analysis_event(struct store *s, const struct analysis_job *j, char **cause)
{
	char *key, *url;
	int rc;

	xasprintf(&key, "analysis.ready:%s", j->label);
	xasprintf(&url, "%s/k/analysis/%s", j->cf->base_url, j->label);
	rc = queue_event(s, j->cf, HOOK_ANALYSIS_READY, key,
	    webhook_analysis_data(j->label, url), j->now, cause);
	free(key);
	free(url);
	return rc;
}

static int
analysis_fn(struct store *s, void *arg, char **cause)
{
	struct analysis_job *j = arg;
	struct gathered_analysis g;
	struct person *people = NULL;
	size_t n = 0, i;
	char *csv = NULL, *detail;
	int rc = -1, done;

	if ((done = store_job_done(s, "analysis", j->label)) == -1) {
		*cause = xstrdup("cannot read the job log");
		return -1;
	}
	if (done && !j->force) {
		j->r->already_done = true;
		return 0;
	}
	/* Every area: the steering group oversees the municipality. */
	if (gather_analysis(s, j->cf, j->span, NULL, &g, cause) == -1)
		goto done;
	if (!g.any_reports && !j->force) {
		j->r->no_reports = true;
		if (store_job_mark(s, "analysis", j->label, j->now) == -1) {
			*cause = xstrdup("cannot record the analysis");
			goto done;
		}
		rc = 0;
		goto done;
	}
	if (store_person_list(s, &people, &n) == -1) {
		*cause = xstrdup("cannot read the people");
		goto done;
	}
	j->doc = analysis_to_json(g.analysis);
	j->csv = csv = analysis_to_csv(g.analysis);
	for (i = 0; i < n; i++) {
		if (!people[i].active || people[i].role != ROLE_STEERING)
			continue;
		if (analysis_one(s, j, &people[i], cause) == -1)
			goto done;
	}
	if (analysis_event(s, j, cause) == -1)
		goto done;
	xasprintf(&detail, "analysis %s: %d mails", j->label, j->r->queued);
	if (store_job_mark(s, "analysis", j->label, j->now) == -1 ||
	    store_audit(s, "estd", "analysis.queue", detail) == -1) {
		free(detail);
		*cause = xstrdup("cannot record the analysis");
		goto done;
	}
	free(detail);
	rc = 0;
done:
	json_decref(j->doc);
	j->doc = NULL;
	j->csv = NULL;
	free(csv);
	store_people_free(people, n);
	gather_analysis_clear(&g);
	return rc;
}

int
jobs_analysis(const struct conf *cf, const struct dbwrite *dw,
    const unsigned char *key, const struct tmpl_set *mail,
    const struct period *span, time_t now, bool force, struct jobs_result *r,
    char **cause)
{
	struct analysis_job j;

	memset(r, 0, sizeof(*r));
	memset(&j, 0, sizeof(j));
	j.cf = cf;
	j.key = key;
	j.mail = mail;
	j.span = span;
	j.now = now;
	j.force = force;
	j.r = r;
	period_format(span, j.label);
	snprintf(j.filename, sizeof(j.filename), "analysis-%s.csv", j.label);
	return dbwrite_run(dw, analysis_fn, &j, cause);
}
