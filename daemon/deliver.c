/*
 * deliver: see deliver.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "deliver.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"
#include "store.h"
#include "token.h"
#include "xmalloc.h"

#define BATCH 20 /* mails leased by one pass */
#define INTERVAL 30 /* seconds between passes */

struct deliver {
	const struct conf *conf;
	struct dbwrite dw;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool woken;
	bool stopping;
	time_t heartbeat;
};

struct lease {
	time_t now;
	struct outbox_mail *mails; /* owned */
	size_t n;
};

/* In one transaction: take the due mail and lease it. */
static int
lease_due(struct store *s, void *arg, char **cause)
{
	struct lease *l = arg;

	if (store_outbox_due(s, l->now, BATCH, &l->mails, &l->n) == -1) {
		*cause = xstrdup("cannot read the outbox");
		return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (store_outbox_lease(
			s, l->mails[i].id, l->now + OUTBOX_LEASE) == -1) {
			*cause = xstrdup("cannot lease a mail");
			return -1;
		}
		l->mails[i].attempts++;
	}
	return 0;
}

struct outcome {
	long long id;
	enum outbox_state state;
	time_t now;
	time_t next_at;
	const char *reason;
};

static int
record(struct store *s, void *arg, char **cause)
{
	struct outcome *o = arg;

	if (store_outbox_result(
		s, o->id, o->state, o->now, o->next_at, o->reason) == -1) {
		*cause = xstrdup("cannot record the delivery");
		return -1;
	}
	return 0;
}

/* Hand one mail over; fills the result and a reason (caller frees). */
static enum mail_result
send_one(const struct conf *cf, const struct outbox_mail *m, char **reason)
{
	struct mail_status st;
	const char *rcpt = m->recipient;
	char *cause = NULL;
	enum mail_result r;

	if (cf->smtp_host == NULL || cf->smtp_host[0] == '\0') {
		if (mail_spool(cf, m->message_id, m->data, m->len, &cause) ==
		    0) {
			*reason = NULL;
			return MAIL_SENT;
		}
		*reason = cause;
		return MAIL_DEFER;
	}
	memset(&st, 0, sizeof(st));
	if (mail_send(cf, m->message_id, m->data, m->len, &rcpt, 1, &st,
		&cause) == -1) {
		*reason = cause;
		return MAIL_DEFER;
	}
	r = st.result;
	*reason = st.reason;
	st.reason = NULL;
	mail_status_free(&st, 1);
	return r;
}

int
deliver_pass(const struct conf *cf, const struct dbwrite *dw, time_t now,
    struct deliver_counts *c, char **cause)
{
	struct lease l = {now, NULL, 0};
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (dbwrite_run(dw, lease_due, &l, cause) == -1) {
		store_outbox_free(l.mails, l.n);
		return -1;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct outbox_mail *m = &l.mails[i];
		struct outcome o;
		char *reason = NULL, *err = NULL;
		enum mail_result r;

		r = send_one(cf, m, &reason);
		o.id = m->id;
		o.now = clock_now();
		o.reason = reason;
		o.state = outbox_after(r, m->attempts, m->created, o.now,
		    token_random_u32(), &o.next_at);
		c->attempted++;
		switch (o.state) {
		case OUTBOX_SENT:
			c->sent++;
			log_info("mail %lld (%s): sent", m->id, m->kind);
			break;
		case OUTBOX_QUEUED:
			c->deferred++;
			log_warnx("mail %lld (%s): attempt %d deferred: %s",
			    m->id, m->kind, m->attempts,
			    reason != NULL ? reason : "no reason given");
			break;
		default:
			c->failed++;
			log_err("mail %lld (%s): failed for good: %s", m->id,
			    m->kind,
			    reason != NULL ? reason : "no reason given");
			break;
		}
		if (dbwrite_run(dw, record, &o, &err) == -1) {
			/* The lease runs out and the mail is tried again. */
			log_warnx("mail %lld: %s", m->id, err);
			free(err);
			rc = -1;
		}
		free(reason);
	}
	store_outbox_free(l.mails, l.n);
	if (rc == -1)
		*cause =
		    xstrdup("some delivery outcomes could not be recorded");
	return rc;
}

static void *
deliver_main(void *arg)
{
	struct deliver *d = arg;

	for (;;) {
		struct deliver_counts c;
		char *cause = NULL;
		struct timespec ts;

		pthread_mutex_lock(&d->lock);
		d->heartbeat = time(NULL);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += INTERVAL;
		while (!d->woken && !d->stopping)
			if (pthread_cond_timedwait(&d->wake, &d->lock, &ts) !=
			    0)
				break;
		d->woken = false;
		if (d->stopping) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		d->heartbeat = time(NULL);
		pthread_mutex_unlock(&d->lock);

		if (deliver_pass(d->conf, &d->dw, clock_now(), &c, &cause) ==
		    -1) {
			log_warnx("delivery: %s", cause);
			free(cause);
		}
	}
	return NULL;
}

struct deliver *
deliver_start(const struct conf *cf, struct writer *w)
{
	struct deliver *d = xcalloc(1, sizeof(*d));

	d->conf = cf;
	d->dw.writer = w;
	d->heartbeat = time(NULL);
	d->woken = true; /* a first pass at start-up */
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	if (pthread_create(&d->thread, NULL, deliver_main, d) != 0)
		fatalx("cannot start the delivery thread");
	return d;
}

void
deliver_wake(struct deliver *d)
{
	pthread_mutex_lock(&d->lock);
	d->woken = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

void
deliver_stop(struct deliver *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	free(d);
}

time_t
deliver_heartbeat(struct deliver *d)
{
	time_t t;

	pthread_mutex_lock(&d->lock);
	t = d->heartbeat;
	pthread_mutex_unlock(&d->lock);
	return t;
}
