/*
 * sched: see sched.h.
 *
 * DESIGN. The thread sleeps TICK seconds at a time (or until stopped),
 * then asks, for each kind of job, which period is due now and lets jobs
 * decide, inside a transaction, whether it was done already. No state is
 * kept in memory, so a restart, a clock jump or a DST change cannot skip
 * or repeat a job.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "clock.h"
#include "deliver.h"
#include "jobs.h"
#include "log.h"
#include "sched.h"
#include "xmalloc.h"

#define TICK	15

struct sched {
	const struct conf	*conf;
	struct dbwrite		 dw;
	struct deliver		*deliver;
	const struct tmpl_set	*mail;
	const unsigned char	*key;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	bool			 stopping;
	time_t			 heartbeat;
};

static void
current_period(const struct conf *cf, time_t now, struct period *p)
{
	period_of_day(clock_local_days(now), cf->cadence ==
	    CADENCE_FORTNIGHTLY, cf->fortnight_start, p);
}

void
sched_digest_period(const struct conf *cf, time_t now, struct period *p,
    time_t *at)
{
	struct period	cur, prev;

	current_period(cf, now, &cur);
	*at = clock_local_instant(period_first_day(&cur) +
	    cf->digest_at.wday - 1, cf->digest_at.hour, cf->digest_at.minute);
	period_prev(&cur, cf->fortnight_start, &prev);
	if (now >= *at) {
		*p = prev;
		return;
	}
	period_prev(&prev, cf->fortnight_start, p);
	*at = clock_local_instant(period_first_day(&prev) +
	    cf->digest_at.wday - 1, cf->digest_at.hour, cf->digest_at.minute);
}

int
sched_reminder_period(const struct conf *cf, time_t now, struct period *p,
    time_t *at)
{
	long	last_week;

	current_period(cf, now, p);
	last_week = period_last_day_parity(p, cf->fortnight_start) - 6;
	*at = clock_local_instant(last_week + cf->reminder_at.wday - 1,
	    cf->reminder_at.hour, cf->reminder_at.minute);
	return now >= *at;
}

static void
tick(struct sched *sc)
{
	const struct conf	*cf = sc->conf;
	time_t			 now = clock_now(), at;
	struct period		 p;
	struct jobs_result	 r;
	char			 label[PERIOD_LABEL_MAX], *cause = NULL;

	sched_digest_period(cf, now, &p, &at);
	period_format(&p, label);
	if (jobs_digest(cf, &sc->dw, sc->key, sc->mail, &p, now, false, false, &r,
	    &cause) == -1) {
		log_warnx("digest of %s: %s", label, cause);
		free(cause);
		cause = NULL;
	} else if (r.no_reports) {
		log_info("digest of %s: no reports, no digest sent", label);
	} else if (!r.already_done) {
		log_info("digest of %s: %d mails queued, %d flags opened, "
		    "%d closed", label, r.queued, r.flags_opened,
		    r.flags_closed);
		if (r.queued > 0)
			deliver_wake(sc->deliver);
	}

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
			if (pthread_cond_timedwait(&sc->wake, &sc->lock,
			    &ts) != 0)
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
