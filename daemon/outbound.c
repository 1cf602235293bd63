/*
 * outbound: see outbound.h.
 *
 * DESIGN. Each step reads what it needs in one short transaction, makes
 * its request with none open, and writes the outcome in another, the
 * way deliver does for mail: the writer thread (and through it every
 * report being saved) never waits on the network. A webhook delivery is
 * leased before its request, so a crash in the middle leaves it to be
 * tried again when the lease runs out, with the same event id; delivery
 * is therefore at least once, and receivers drop repeats by that id.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fetch.h"
#include "log.h"
#include "outbound.h"
#include "police.h"
#include "store.h"
#include "token.h"
#include "webhook.h"
#include "xmalloc.h"

#ifndef ESTD_VERSION
#define ESTD_VERSION "0"
#endif

/* When the police say 429 without a Retry-After, wait this long. */
#define POLICE_BACKOFF 900
/* The longest Retry-After honoured; a longer one is an error upstream. */
#define POLICE_MAX_WAIT (6 * 3600)
/* A webhook receiver's answer is not read beyond this. */
#define HOOK_ANSWER_MAX (64 * 1024)

char *
outbound_user_agent(const struct conf *cf)
{
	char *s;

	xasprintf(&s, "estd/%s (+%s)", ESTD_VERSION, cf->base_url);
	return s;
}

static bool
cancelled(const struct outbound_ctl *ctl)
{
	return ctl != NULL && ctl->cancel != NULL && ctl->cancel(ctl->arg);
}

static void
alive(const struct outbound_ctl *ctl)
{
	if (ctl != NULL && ctl->alive != NULL)
		ctl->alive(ctl->arg);
}

/* ---- The police. */

static int
state_read(struct store *s, void *arg, char **cause)
{
	if (store_police_state_get(s, arg) == -1) {
		*cause = xstrdup("cannot read the police poller's state");
		return -1;
	}
	return 0;
}

static int
state_write(struct store *s, void *arg, char **cause)
{
	if (store_police_state_set(s, arg) == -1) {
		*cause = xstrdup("cannot record the police poller's state");
		return -1;
	}
	return 0;
}

struct keep {
	const struct police_notice *notices;
	size_t n;
	const struct police_state *state;
	time_t now;
	struct outbound_police *r;
};

/* The notices and the poller's state, in one transaction. */
static int
keep_fn(struct store *s, void *arg, char **cause)
{
	struct keep *k = arg;
	enum police_change ch;

	k->r->added = k->r->updated = k->r->unchanged = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (store_police_upsert(s, &k->notices[i], k->now, &ch) == -1) {
			xasprintf(cause, "cannot keep police notice %lld",
			    k->notices[i].id);
			return -1;
		}
		if (ch == POLICE_NEW)
			k->r->added++;
		else if (ch == POLICE_UPDATED)
			k->r->updated++;
		else
			k->r->unchanged++;
	}
	return state_write(s, (void *)(uintptr_t)k->state, cause);
}

/* Replace *field by a copy of v (or NULL). */
static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? xstrdup(v) : NULL;
}

/*
 * Record a failed call (the state as it now is, with its error) and
 * hand the error to the caller. Returns -1.
 */
static int
poll_failed(
    const struct dbwrite *dw, struct police_state *st, char *why, char **cause)
{
	char *err = NULL;

	set_str(&st->last_error, why);
	if (dbwrite_run(dw, state_write, st, &err) == -1) {
		log_warnx("police: %s", err);
		free(err);
	}
	*cause = why;
	return -1;
}

/* A short, printable excerpt of an answer, for an error message. */
static void
excerpt(const char *body, size_t len, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < size && n < 120; i++)
		buf[n++] = isprint((unsigned char)body[i]) ? body[i] : ' ';
	buf[n] = '\0';
}

int
outbound_police_poll(const struct conf *cf, const struct dbwrite *dw,
    time_t now, bool force, const struct outbound_ctl *ctl,
    struct outbound_police *r, char **cause)
{
	struct police_state st;
	struct fetch_request req;
	struct fetch_response resp;
	struct police_notice *notices = NULL;
	struct keep k;
	enum fetch_error ferr;
	const char *headers[] = {"Accept: application/json", NULL};
	char **names = NULL, *url = NULL, *site = NULL;
	char *ua = NULL, *why = NULL, at[40], part[128];
	size_t n_names = 0, n = 0;
	time_t wait;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	memset(&resp, 0, sizeof(resp));
	if (!cf->police_enabled) {
		*cause = xstrdup("fetching police notices is not enabled "
				 "([police] enabled = false)");
		return -1;
	}
	if (dbwrite_run(dw, state_read, &st, cause) == -1)
		return -1;
	if (now < st.not_before) {
		r->next = st.not_before;
		rc = 0;
		goto done;
	}
	if (st.last_attempt != 0) {
		r->next = st.last_attempt +
		    (force ? OUTBOUND_POLICE_GAP : cf->police_interval);
		if (now < r->next && now >= st.last_attempt) {
			rc = 0;
			goto done;
		}
	}

	n_names = police_locations(cf->police_locations, &names);
	url = police_request_url(cf->police_url, names, n_names);
	site = police_site(cf->police_url);
	ua = outbound_user_agent(cf);
	/* Validators belong to the request they came with. */
	if (st.url == NULL || strcmp(st.url, url) != 0) {
		set_str(&st.etag, NULL);
		set_str(&st.last_modified, NULL);
		set_str(&st.url, url);
	}
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.headers = headers;
	req.user_agent = ua;
	req.timeout = cf->police_timeout;
	req.max_size = FETCH_MAX_SIZE;
	req.max_redirects = 3;
	req.if_none_match = st.etag;
	req.if_modified_since = st.last_modified;
	req.cancel = ctl != NULL ? ctl->cancel : NULL;
	req.cancel_arg = ctl != NULL ? ctl->arg : NULL;
	req.what = "police";

	r->called = true;
	st.last_attempt = now;
	r->next = now + cf->police_interval;
	if (fetch(&req, &resp, &ferr, &why) == -1) {
		alive(ctl);
		rc = poll_failed(dw, &st, why, cause);
		goto done;
	}
	alive(ctl);
	r->status = resp.status;
	if (resp.status == 429 || resp.status == 503) {
		wait = fetch_retry_after(resp.retry_after, now);
		if (wait == -1)
			wait = now +
			    (cf->police_interval > POLICE_BACKOFF
				    ? cf->police_interval
				    : POLICE_BACKOFF);
		if (wait > now + POLICE_MAX_WAIT)
			wait = now + POLICE_MAX_WAIT;
		st.not_before = wait;
		r->next = wait;
		clock_format_iso(wait, at, sizeof(at));
		xasprintf(&why,
		    "the police answered %ld (%s); no call before "
		    "%s%s",
		    resp.status,
		    resp.status == 429 ? "too many calls" : "unavailable", at,
		    resp.retry_after != NULL ? ", as their Retry-After asks"
					     : "");
		rc = poll_failed(dw, &st, why, cause);
		goto done;
	}
	if (resp.status == 304) {
		r->not_modified = true;
		st.last_success = now;
		set_str(&st.last_error, NULL);
		rc = dbwrite_run(dw, state_write, &st, cause);
		goto done;
	}
	if (resp.status != 200) {
		excerpt(resp.body, resp.len, part, sizeof(part));
		xasprintf(&why, "the police answered %ld%s%s", resp.status,
		    part[0] != '\0' ? ": " : "", part);
		rc = poll_failed(dw, &st, why, cause);
		goto done;
	}
	if (police_parse(resp.body, resp.len, site, &notices, &n, &r->malformed,
		&why) == -1) {
		char *msg;

		xasprintf(&msg, "the police's answer was not read: %s", why);
		free(why);
		/* Its validators must not stop the next full answer. */
		set_str(&st.etag, NULL);
		set_str(&st.last_modified, NULL);
		rc = poll_failed(dw, &st, msg, cause);
		goto done;
	}
	r->received = n;
	set_str(&st.etag, resp.etag);
	set_str(&st.last_modified, resp.last_modified);
	set_str(&st.last_error, NULL);
	st.last_success = now;
	k.notices = notices;
	k.n = n;
	k.state = &st;
	k.now = now;
	k.r = r;
	rc = dbwrite_run(dw, keep_fn, &k, cause);
done:
	police_notices_free(notices, n);
	police_locations_free(names, n_names);
	fetch_response_clear(&resp);
	store_police_state_clear(&st);
	free(url);
	free(site);
	free(ua);
	return rc;
}

/* ---- Webhooks. */

struct lease {
	time_t now;
	struct webhook_row *rows; /* owned */
	size_t n;
};

/* In one transaction: take the next due delivery, if any, and lease it. */
static int
lease_one(struct store *s, void *arg, char **cause)
{
	struct lease *l = arg;

	if (store_webhook_due(s, l->now, 1, &l->rows, &l->n) == -1) {
		*cause = xstrdup("cannot read the webhook outbox");
		return -1;
	}
	if (l->n == 0)
		return 0;
	if (store_webhook_lease(s, l->rows[0].id, l->now + WEBHOOK_LEASE) ==
	    -1) {
		*cause = xstrdup("cannot lease a webhook delivery");
		return -1;
	}
	l->rows[0].attempts++;
	return 0;
}

struct outcome {
	long long id;
	enum outbox_state state;
	time_t now;
	time_t next_at;
	long status;
	const char *error;
};

static int
record(struct store *s, void *arg, char **cause)
{
	struct outcome *o = arg;

	if (store_webhook_result(s, o->id, o->state, o->now, o->next_at,
		o->status, o->error) == -1) {
		*cause = xstrdup("cannot record a webhook delivery");
		return -1;
	}
	return 0;
}

/*
 * POST one delivery. Returns the HTTP status (0: no answer) with
 * *retry_after (0: none) and *error (caller frees; NULL on 2xx).
 */
static long
post(const struct conf *cf, const struct conf_webhook *w,
    const struct webhook_row *row, const struct outbound_ctl *ctl, time_t now,
    time_t *retry_after, char **error)
{
	struct fetch_request req;
	struct fetch_response resp;
	enum fetch_error ferr;
	char sig[WEBHOOK_SIG_LEN + 1], part[128];
	char *h_event, *h_id, *h_sig = NULL, *ua;
	const char *headers[5];
	size_t nh = 0;
	long status;

	*retry_after = 0;
	*error = NULL;
	xasprintf(&h_event, "X-Estd-Event: %s", row->event);
	xasprintf(&h_id, "X-Estd-Delivery: %s", row->event_id);
	headers[nh++] = "Content-Type: application/json; charset=utf-8";
	headers[nh++] = h_event;
	headers[nh++] = h_id;
	if (w->secret != NULL && w->secret[0] != '\0') {
		webhook_signature(w->secret, row->body, row->len, sig);
		xasprintf(&h_sig, "X-Estd-Signature: %s", sig);
		headers[nh++] = h_sig;
	}
	headers[nh] = NULL;
	ua = outbound_user_agent(cf);

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = w->url;
	req.headers = headers;
	req.body = row->body;
	req.body_len = row->len;
	req.user_agent = ua;
	req.timeout = w->timeout;
	req.max_size = HOOK_ANSWER_MAX;
	req.max_redirects = 0;
	req.cancel = ctl != NULL ? ctl->cancel : NULL;
	req.cancel_arg = ctl != NULL ? ctl->arg : NULL;
	req.what = "webhook";
	if (fetch(&req, &resp, &ferr, error) == -1)
		status = 0;
	else {
		status = resp.status;
		if ((status == 429 || status == 503) &&
		    (*retry_after = fetch_retry_after(resp.retry_after, now)) ==
			-1)
			*retry_after = 0;
		if (status >= 300 && status < 400)
			xasprintf(error,
			    "HTTP %ld: redirected to %s, not "
			    "followed; correct the url",
			    status,
			    resp.location != NULL ? resp.location : "?");
		else if (status < 200 || status >= 300) {
			excerpt(resp.body, resp.len, part, sizeof(part));
			xasprintf(error, "HTTP %ld%s%s", status,
			    part[0] != '\0' ? ": " : "", part);
		}
		fetch_response_clear(&resp);
	}
	if (h_sig != NULL)
		explicit_bzero(h_sig, strlen(h_sig));
	free(h_sig);
	free(h_event);
	free(h_id);
	free(ua);
	explicit_bzero(sig, sizeof(sig));
	return status;
}

int
outbound_webhook_pass(const struct conf *cf, const struct dbwrite *dw,
    int limit, int budget, const struct outbound_ctl *ctl,
    struct outbound_counts *c, char **cause)
{
	const struct conf_webhook *w;
	struct webhook_row *row;
	struct outcome o;
	time_t start = time(NULL), retry_after;
	char *error, *err = NULL;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < limit; i++) {
		struct lease l = {clock_now(), NULL, 0};

		if (cancelled(ctl) ||
		    (budget > 0 && time(NULL) - start >= budget))
			break;
		if (dbwrite_run(dw, lease_one, &l, cause) == -1) {
			store_webhooks_free(l.rows, l.n);
			return -1;
		}
		if (l.n == 0) {
			store_webhooks_free(l.rows, l.n);
			break;
		}
		row = &l.rows[0];
		memset(&o, 0, sizeof(o));
		o.id = row->id;
		if ((w = conf_webhook_find(cf, row->webhook)) == NULL) {
			error = NULL;
			xasprintf(&error,
			    "[webhook %s] is no longer in the "
			    "configuration",
			    row->webhook);
			o.state = OUTBOX_FAILED;
			o.now = clock_now();
		} else {
			o.status =
			    post(cf, w, row, ctl, l.now, &retry_after, &error);
			alive(ctl);
			o.now = clock_now();
			if (o.status == 0 && cancelled(ctl)) {
				/* Not the receiver's fault: as it was. */
				o.state = OUTBOX_QUEUED;
				o.next_at = o.now;
			} else
				o.state = webhook_after(o.status, row->attempts,
				    row->created, o.now, retry_after,
				    token_random_u32(), &o.next_at);
		}
		o.error = error;
		c->attempted++;
		switch (o.state) {
		case OUTBOX_SENT:
			c->sent++;
			log_info("webhook %lld (%s to %s): delivered, HTTP %ld",
			    row->id, row->event, row->webhook, o.status);
			break;
		case OUTBOX_QUEUED:
			c->deferred++;
			log_warnx("webhook %lld (%s to %s): attempt %d failed, "
				  "trying again later: %s",
			    row->id, row->event, row->webhook, row->attempts,
			    error != NULL ? error : "no reason given");
			break;
		default:
			c->failed++;
			log_err("webhook %lld (%s to %s): failed for good: %s",
			    row->id, row->event, row->webhook,
			    error != NULL ? error : "no reason given");
			break;
		}
		if (dbwrite_run(dw, record, &o, &err) == -1) {
			/* The lease runs out and it is tried again. */
			log_warnx("webhook %lld: %s", row->id, err);
			free(err);
			err = NULL;
			rc = -1;
		}
		free(error);
		store_webhooks_free(l.rows, l.n);
	}
	if (rc == -1)
		*cause = xstrdup("some webhook outcomes could not be recorded");
	return rc;
}
