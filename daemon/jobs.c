/*
 * jobs: see jobs.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "digest.h"
#include "flags.h"
#include "gather.h"
#include "jobs.h"
#include "log.h"
#include "mime.h"
#include "picture.h"
#include "store.h"
#include "token.h"
#include "xmalloc.h"

/* The host part of Message-IDs: base_url's host. */
static void
mail_host(const struct conf *cf, char *host, size_t size)
{
	const char	*p = strstr(cf->base_url, "://");
	size_t		 n;

	p = p != NULL ? p + 3 : cf->base_url;
	n = strcspn(p, ":/");
	if (n == 0 || n >= size)
		snprintf(host, size, "estd.invalid");
	else
		snprintf(host, size, "%.*s", (int)n, p);
}

struct queue_args {
	const char	*kind;
	const char	*dedup;
	const char	*to;		/* "Name <addr>" */
	const char	*addr;		/* addr alone */
	struct digest_mail *mail;
	time_t		 now;
};

/*
 * Build the message and queue it in the caller's transaction. Returns
 * 1 queued, 0 already queued earlier, -1 with *cause.
 */
static int
queue_mail(struct store *s, const struct conf *cf, const struct queue_args *q,
    char **cause)
{
	struct mime_message	 m;
	struct outbox_mail	 o;
	char			 host[128], seed[33], id[256], *data = NULL;
	size_t			 len;
	int			 added = 0;
	const char		*to[1] = { q->to };

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

/*
 * One (area, indicator) pair's score history, judged and reconciled
 * with its stored flags (see update_flags).
 */
static int
judge_pair(struct store *s, const struct conf *cf,
    const struct flags_rule *rule, const struct score_row *rows, size_t n,
    const struct period *upto, const struct flag_row *stored,
    size_t n_stored, struct jobs_result *r, char **cause)
{
	struct flags_point	*pts = NULL;
	char			(*labels)[PERIOD_LABEL_MAX] = NULL;
	struct flags_history	 h;
	struct period		 p;
	size_t			 np = 0, cap = 0, k = 0;
	int			 rc = -1;

	memset(&h, 0, sizeof(h));
	/* Every reporting period from the first score to upto, gaps too. */
	p = rows[0].period;
	if (cf->cadence == CADENCE_FORTNIGHTLY)
		period_of_day(period_first_day(&p), true, cf->fortnight_start,
		    &p);
	while (period_cmp(&p, upto) <= 0) {
		int score = RATING_NONE;

		while (k < n && period_first_day(&rows[k].period) <=
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
		const struct flags_episode	*ep = &h.episodes[e];
		const struct flag_row		*have = NULL;
		struct period			 opened, closed;
		long long			 id;

		for (size_t i = 0; i < n_stored; i++) {
			char l[PERIOD_LABEL_MAX];

			period_format(&stored[i].opened, l);
			if (strcmp(stored[i].area, rows[0].area) == 0 &&
			    strcmp(stored[i].indicator, rows[0].indicator) ==
			    0 && strcmp(l, ep->opened) == 0)
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
			if (ep->closed[0] == '\0')
				continue;
		} else if (!have->open || ep->closed[0] == '\0')
			continue;
		else
			id = have->id;
		if (period_parse(ep->closed, &closed) == -1)
			continue;
		if (store_flag_close(s, id, &closed, cause) == -1)
			goto done;
		r->flags_closed++;
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
update_flags(struct store *s, const struct conf *cf,
    const struct period *upto, struct jobs_result *r, char **cause)
{
	struct flags_rule	 rule;
	struct score_row	*rows = NULL;
	struct flag_row		*stored = NULL;
	size_t			 n_rows = 0, n_stored = 0, i, j;
	struct period		 first;
	int			 rc = -1;

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
		for (j = i; j < n_rows && strcmp(rows[j].area,
		    rows[i].area) == 0 && strcmp(rows[j].indicator,
		    rows[i].indicator) == 0; j++)
			;
		if (judge_pair(s, cf, &rule, rows + i, j - i, upto, stored,
		    n_stored, r, cause) == -1)
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
week_words(const struct conf *cf, const struct period *p, char *buf,
    size_t size)
{
	struct period last;

	period_week_of_day(period_last_day_parity(p, cf->fortnight_start),
	    &last);
	if (last.num != p->num)
		snprintf(buf, size, "v. %d\xe2\x80\x93%d", p->num, last.num);
	else
		snprintf(buf, size, "v. %d", p->num);
}

static bool
period_has_reports(struct store *s, const struct conf *cf,
    const struct period *p)
{
	struct stored_report	*reps = NULL;
	size_t			 n = 0;

	if (store_report_list(s, p, NULL, &cf->checklist, &reps, &n) == -1)
		return true;	/* let the digest say what it can */
	store_stored_reports_free(reps, n);
	return n > 0;
}

/*
 * The person's personal link ("BASE/r/TOKEN" for reporters, "BASE/k/TOKEN"
 * for everyone else), made from their salt and the key; a new string.
 * People whose link was issued without a salt get the site's address.
 */
static char *
personal_link(struct store *s, const struct conf *cf,
    const unsigned char *key, const struct person *p)
{
	unsigned char	 salt[TOKEN_SALT_LEN];
	char		 token[TOKEN_LEN + 1], *link;

	if (key == NULL || store_person_get_salt(s, p->id, salt) == -1)
		return xstrdup(cf->base_url);
	token_derive(key, salt, token);
	xasprintf(&link, "%s/%s/%s", cf->base_url,
	    p->role == ROLE_REPORTER ? "r" : "k", token);
	explicit_bzero(token, sizeof(token));
	return link;
}

struct digest_job {
	const struct conf	*cf;
	const unsigned char	*key;
	const struct tmpl_set	*mail;
	const struct period	*period;
	time_t			 now;
	bool			 force;
	bool			 dry_run;
	struct jobs_result	*r;
};

/* One key function's digest, queued. */
static int
digest_one(struct store *s, struct digest_job *j, const struct person *p,
    char **cause)
{
	const struct conf	*cf = j->cf;
	struct gathered		 now_g, prev_g;
	struct period		 prev;
	struct digest_input	 in;
	struct digest_mail	 mail;
	struct queue_args	 q;
	char			 label[PERIOD_LABEL_MAX], week[32];
	char			*url = NULL, *dedup = NULL, *to = NULL;
	json_t			*pic = NULL, *prevpic = NULL;
	int			 rc = -1, added;

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

static int
digest_fn(struct store *s, void *arg, char **cause)
{
	struct digest_job	*j = arg;
	struct person		*people = NULL;
	size_t			 n = 0;
	char			 label[PERIOD_LABEL_MAX], *detail;
	int			 rc = -1, done;

	period_format(j->period, label);
	if ((done = store_job_done(s, "digest", label)) == -1) {
		*cause = xstrdup("cannot read the job log");
		return -1;
	}
	if (done && !j->force) {
		j->r->already_done = true;
		return 0;
	}
	if (!j->dry_run && update_flags(s, j->cf, j->period, j->r,
	    cause) == -1)
		return -1;
	if (!j->force && !period_has_reports(s, j->cf, j->period)) {
		/* A period nobody reported for (a new installation, say). */
		j->r->no_reports = true;
		if (!j->dry_run && store_job_mark(s, "digest", label,
		    j->now) == -1) {
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
	if (!j->dry_run) {
		xasprintf(&detail, "digest %s: %d mails", label,
		    j->r->queued);
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
	struct digest_job j = { cf, key, mail, p, now, force, dry_run, r };

	memset(r, 0, sizeof(*r));
	return dbwrite_run(dw, digest_fn, &j, cause);
}

struct remind_job {
	const struct conf	*cf;
	const unsigned char	*key;
	const struct tmpl_set	*mail;
	const struct period	*period;
	time_t			 now;
	struct jobs_result	*r;
};

/* 1 if `p` has a report for `area` among the period's reports. */
static int
has_reported(const struct stored_report *reps, size_t n, long long id,
    const char *area)
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
	const struct conf	*cf = j->cf;
	const char		**names;
	struct area		 a;
	struct digest_reminder	 in;
	struct digest_mail	 mail;
	struct queue_args	 q;
	size_t			 n = 0;
	char			 label[PERIOD_LABEL_MAX], words[96], week[32];
	char			*dedup = NULL, *to = NULL, *url = NULL;
	int			 rc = -1, added;

	names = xcalloc(p->n_areas + 1, sizeof(*names));
	memset(&mail, 0, sizeof(mail));
	for (size_t i = 0; i < p->n_areas; i++) {
		if (has_reported(reps, n_reps, p->id, p->areas[i]))
			continue;
		if (store_area_get(s, p->areas[i], &a) == 0)
			names[n++] = a.name;	/* freed below */
	}
	if (n == 0) {
		rc = 0;
		goto done;
	}
	period_format(j->period, label);
	period_describe_parity(j->period, cf->fortnight_start, "sv", words,
	    sizeof(words));
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
	struct remind_job	*j = arg;
	struct person		*people = NULL;
	struct stored_report	*reps = NULL;
	size_t			 n = 0, n_reps = 0;
	char			 label[PERIOD_LABEL_MAX];
	int			 rc = -1, done;

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
	    store_report_list(s, j->period, NULL, &j->cf->checklist, &reps,
	    &n_reps) == -1) {
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
	struct remind_job j = { cf, key, mail, p, now, r };

	memset(r, 0, sizeof(*r));
	return dbwrite_run(dw, remind_fn, &j, cause);
}
