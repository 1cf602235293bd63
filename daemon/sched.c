/*
 * sched: see sched.h.
 *
 * DESIGN. The thread sleeps TICK seconds at a time (or until stopped),
 * then asks, for each kind of job, which period is due now and lets jobs
 * decide, inside a transaction, whether it was done already. No state is
 * kept in memory, so a restart, a clock jump or a DST change cannot skip
 * or repeat a job. After the digest come the analyses of the quarter or
 * tertial and the year it closed. Retention runs once a local day; a
 * backup is due when the backup directory holds none younger than the
 * interval. The one thing remembered is when a failed backup may be
 * tried again, so a full disk is not retried (and logged) every tick.
 *
 * Last in each tick, the calls out over HTTP (outbound): the webhook
 * deliveries due, then the police notices when [police] interval has
 * passed. They run on this thread, never on an HTTP thread and never on
 * the delivery thread, so a slow receiver or police API cannot hold up
 * mail. Each request is bounded by its timeout (at most a minute), the
 * webhook pass by WEBHOOK_BUDGET, the heartbeat is renewed after each
 * request, and a request in flight is cut short when estd stops.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "clock.h"
#include "deliver.h"
#include "jobs.h"
#include "log.h"
#include "outbound.h"
#include "sched.h"
#include "xmalloc.h"

#define TICK 15
/* Webhook deliveries per tick, and the seconds a pass may take. */
#define WEBHOOK_BATCH 20
#define WEBHOOK_BUDGET 30
/* Seconds before a failed backup is tried again. */
#define BACKUP_RETRY 600

struct sched {
	const struct conf *conf;
	struct dbwrite dw;
	struct deliver *deliver;
	const struct tmpl_set *mail;
	const unsigned char *key;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	time_t heartbeat;
	time_t backup_retry; /* sched thread only */
};

static void
current_period(const struct conf *cf, time_t now, struct period *p)
{
	period_of_day(clock_local_days(now), cf->cadence == CADENCE_FORTNIGHTLY,
	    cf->fortnight_start, p);
}

void
sched_digest_period(
    const struct conf *cf, time_t now, struct period *p, time_t *at)
{
	struct period cur, prev;

	current_period(cf, now, &cur);
	*at =
	    clock_local_instant(period_first_day(&cur) + cf->digest_at.wday - 1,
		cf->digest_at.hour, cf->digest_at.minute);
	period_prev(&cur, cf->fortnight_start, &prev);
	if (now >= *at) {
		*p = prev;
		return;
	}
	period_prev(&prev, cf->fortnight_start, p);
	*at = clock_local_instant(
	    period_first_day(&prev) + cf->digest_at.wday - 1,
	    cf->digest_at.hour, cf->digest_at.minute);
}

int
sched_reminder_period(
    const struct conf *cf, time_t now, struct period *p, time_t *at)
{
	long last_week;

	current_period(cf, now, p);
	last_week = period_last_day_parity(p, cf->fortnight_start) - 6;
	*at = clock_local_instant(last_week + cf->reminder_at.wday - 1,
	    cf->reminder_at.hour, cf->reminder_at.minute);
	return now >= *at;
}

/* Retention, then the backup (so a backup holds no erased text). */
static void
housekeeping(struct sched *sc, time_t now)
{
	const struct conf *cf = sc->conf;
	struct jobs_retention_result rr;
	struct jobs_backup_result br;
	char *cause = NULL;

	if (jobs_retention(cf, &sc->dw, now, &rr, &cause) == -1) {
		log_warnx("retention: %s", cause);
		free(cause);
		cause = NULL;
	} else if (!rr.already_done &&
	    (rr.reports > 0 || rr.revisions > 0 || rr.audit_purged > 0))
		log_info("retention: erased the free text of %ld reports (%ld "
			 "revisions) of periods before %s; removed %lld audit "
			 "entries from before %s",
		    rr.reports, rr.revisions,
		    rr.text_before[0] != '\0' ? rr.text_before : "-",
		    rr.audit_purged,
		    rr.audit_before[0] != '\0' ? rr.audit_before : "-");

	if (now < sc->backup_retry)
		return;
	if (jobs_backup(cf, &sc->dw, now, &br, &cause) == -1) {
		log_warnx("backup: %s; trying again in %d minutes", cause,
		    BACKUP_RETRY / 60);
		free(cause);
		sc->backup_retry = now + BACKUP_RETRY;
	} else if (br.written) {
		log_info("backup: %s/%s written (quick_check ok, key copied)"
			 "%s%d old backups removed",
		    cf->backup_dir, br.name, br.removed > 0 ? ", " : "; ",
		    br.removed);
		sc->backup_retry = 0;
	}
}

/*
 * The analyses of the quarter or tertial and the year that the digest
 * of `digest` closed (or closed a few periods earlier: a daemon that
 * was down then sends them when it is back).
 */
static void
analyses(struct sched *sc, const struct period *digest, time_t now)
{
	const struct conf *cf = sc->conf;
	struct period spans[2];
	struct jobs_result r;
	char label[PERIOD_LABEL_MAX], *cause = NULL;
	int i, n;

	n = jobs_analysis_due(cf, digest, spans);
	for (i = 0; i < n; i++) {
		period_format(&spans[i], label);
		if (jobs_analysis(cf, &sc->dw, sc->key, sc->mail, &spans[i],
			now, false, &r, &cause) == -1) {
			log_warnx("analysis of %s: %s", label, cause);
			free(cause);
			cause = NULL;
		} else if (r.no_reports)
			log_info(
			    "analysis of %s: no reports, no mail sent", label);
		else if (!r.already_done) {
			log_info(
			    "analysis of %s: %d mails queued", label, r.queued);
			if (r.queued > 0)
				deliver_wake(sc->deliver);
		}
	}
}

/* Whether the scheduler is stopping: cuts short a request in flight. */
static bool
sched_stopping(void *arg)
{
	struct sched *sc = arg;
	bool stop;

	pthread_mutex_lock(&sc->lock);
	stop = sc->stopping;
	pthread_mutex_unlock(&sc->lock);
	return stop;
}

/* A request out has ended: the thread is alive. */
static void
sched_alive(void *arg)
{
	struct sched *sc = arg;

	pthread_mutex_lock(&sc->lock);
	sc->heartbeat = time(NULL);
	pthread_mutex_unlock(&sc->lock);
}

/* The webhook deliveries due, then the police notices if due. */
static void
outbound(struct sched *sc)
{
	const struct conf *cf = sc->conf;
	struct outbound_ctl ctl = {sched_stopping, sched_alive, sc};
	struct outbound_counts c;
	struct outbound_police r;
	char *cause = NULL;

	/* Also when none is configured: old deliveries are failed. */
	if (outbound_webhook_pass(cf, &sc->dw, WEBHOOK_BATCH, WEBHOOK_BUDGET,
		&ctl, &c, &cause) == -1) {
		log_warnx("webhooks: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (!cf->police_enabled || sched_stopping(sc))
		return;
	if (outbound_police_poll(
		cf, &sc->dw, clock_now(), false, &ctl, &r, &cause) == -1) {
		log_warnx("police: %s", cause);
		free(cause);
	} else if (r.called && r.not_modified)
		log_info("police: no new notices (not modified)");
	else if (r.called)
		log_info("police: %zu notices: %zu new, %zu updated, %zu "
			 "unchanged, %zu malformed and skipped",
		    r.received, r.added, r.updated, r.unchanged, r.malformed);
}

static void
tick(struct sched *sc)
{
	const struct conf *cf = sc->conf;
	time_t now = clock_now(), at;
	struct period p;
	struct jobs_result r;
	char label[PERIOD_LABEL_MAX], *cause = NULL;
	int digest_rc;

	sched_digest_period(cf, now, &p, &at);
	period_format(&p, label);
	if ((digest_rc = jobs_digest(cf, &sc->dw, sc->key, sc->mail, &p, now,
		 false, false, &r, &cause)) == -1) {
		log_warnx("digest of %s: %s", label, cause);
		free(cause);
		cause = NULL;
	} else if (r.no_reports) {
		log_info("digest of %s: no reports, no digest sent", label);
	} else if (!r.already_done) {
		log_info("digest of %s: %d mails queued, %d flags opened, "
			 "%d closed",
		    label, r.queued, r.flags_opened, r.flags_closed);
		if (r.queued > 0)
			deliver_wake(sc->deliver);
	}
	/* Only after the digest's flag step, which the analyses show. */
	if (digest_rc == 0)
		analyses(sc, &p, now);

	if (sched_reminder_period(cf, now, &p, &at)) {
		period_format(&p, label);
		if (jobs_remind(cf, &sc->dw, sc->key, sc->mail, &p, now, &r,
			&cause) == -1) {
			log_warnx("reminders for %s: %s", label, cause);
			free(cause);
		} else if (!r.already_done) {
			log_info("reminders for %s: %d mails queued", label,
			    r.queued);
			if (r.queued > 0)
				deliver_wake(sc->deliver);
		}
	}

	housekeeping(sc, now);
	outbound(sc);
}

static void *
sched_main(void *arg)
{
	struct sched *sc = arg;

	for (;;) {
		struct timespec ts;

		pthread_mutex_lock(&sc->lock);
		sc->heartbeat = time(NULL);
		if (sc->stopping) {
			pthread_mutex_unlock(&sc->lock);
			break;
		}
		pthread_mutex_unlock(&sc->lock);

		tick(sc);

		pthread_mutex_lock(&sc->lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += TICK;
		while (!sc->stopping)
			if (pthread_cond_timedwait(&sc->wake, &sc->lock, &ts) !=
			    0)
				break;
		pthread_mutex_unlock(&sc->lock);
	}
	return NULL;
}

struct sched *
sched_start(const struct conf *cf, struct writer *w, struct deliver *d,
    const struct tmpl_set *mail, const unsigned char *key)
{
	struct sched *sc = xcalloc(1, sizeof(*sc));

	sc->conf = cf;
	sc->dw.writer = w;
	sc->deliver = d;
	sc->mail = mail;
	sc->key = key;
	sc->heartbeat = time(NULL);
	pthread_mutex_init(&sc->lock, NULL);
	pthread_cond_init(&sc->wake, NULL);
	if (pthread_create(&sc->thread, NULL, sched_main, sc) != 0)
		fatalx("cannot start the scheduler thread");
	return sc;
}

void
sched_stop(struct sched *sc)
{
	if (sc == NULL)
		return;
	pthread_mutex_lock(&sc->lock);
	sc->stopping = true;
	pthread_cond_signal(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
	pthread_join(sc->thread, NULL);
	pthread_mutex_destroy(&sc->lock);
	pthread_cond_destroy(&sc->wake);
	free(sc);
}

time_t
sched_heartbeat(struct sched *sc)
{
	time_t t;

	pthread_mutex_lock(&sc->lock);
	t = sc->heartbeat;
	pthread_mutex_unlock(&sc->lock);
	return t;
}
