/*
 * writer: see writer.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "writer.h"
#include "xmalloc.h"

/* Checkpoint after this many commits even if SQLite did not. */
#define CHECKPOINT_EVERY	1000

struct job {
	struct job		*next;
	long long		 person_id;
	const char		*actor;
	const struct report	*report;
	const struct checklist	*checklist;
	time_t			 submitted;
	const char		*source;
	/* Results, written by the writer thread. */
	pthread_cond_t		 done_cv;	/* signalled when done */
	bool			 done;
	int			 rc;
	struct report_saved	 saved;
	char			*cause;		/* owned by the waiter after done */
};

struct writer {
	struct store		*store;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* jobs queued, or stopping */
	struct job		*head, **tail;
	bool			 idle;		/* waiting on `work` */
	bool			 stopping;
	struct writer_stats	 stats;
};

static void
run_job(struct writer *w, struct job *j)
{
	char	*detail = NULL;

	if (store_savepoint(w->store) == -1) {
		j->rc = -1;
		j->cause = xstrdup("the database refused a savepoint");
		return;
	}
	j->rc = store_report_save(w->store, j->person_id, j->report,
	    j->checklist, j->submitted, j->source, &j->saved, &j->cause);
	if (j->rc == 0) {
		char period[PERIOD_LABEL_MAX];

		period_format(&j->report->period, period);
		xasprintf(&detail, "report %lld revision %d area %s period %s",
		    j->saved.id, j->saved.revision, j->report->area, period);
		j->rc = store_audit(w->store, j->actor, "report.save", detail);
		free(detail);
		if (j->rc == -1)
			j->cause = xstrdup("the audit entry could not be written");
	}
	if (j->rc == 0)
		store_release(w->store);
	else
		store_rollback_savepoint(w->store);
}

static void *
writer_main(void *arg)
{
	struct writer	*w = arg;
	unsigned long	 since_checkpoint = 0;

	for (;;) {
		struct job	*batch, *j;
		unsigned long	 n = 0, ok = 0;
		int		 rc;

		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->stopping) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			w->stats.heartbeat = time(NULL);
			w->idle = true;
			pthread_cond_timedwait(&w->work, &w->lock, &ts);
			w->idle = false;
		}
		if (w->head == NULL && w->stopping) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		batch = w->head;
		w->head = NULL;
		w->tail = &w->head;
		w->stats.heartbeat = time(NULL);
		pthread_mutex_unlock(&w->lock);

		rc = store_begin(w->store);
		for (j = batch; j != NULL; j = j->next) {
			n++;
			if (rc == 0)
				run_job(w, j);
			else {
				j->rc = -1;
				j->cause = xstrdup("the database is busy");
			}
		}
		if (rc == 0 && store_commit(w->store) == -1) {
			store_rollback(w->store);
			for (j = batch; j != NULL; j = j->next) {
				if (j->rc == 0) {
					j->rc = -1;
					j->cause = xstrdup("the database could "
					    "not commit");
				}
			}
		}
		for (j = batch; j != NULL; j = j->next)
			if (j->rc == 0)
				ok++;
		if (++since_checkpoint >= CHECKPOINT_EVERY) {
			store_checkpoint(w->store);
			since_checkpoint = 0;
		}

		pthread_mutex_lock(&w->lock);
		for (j = batch; j != NULL; ) {
			struct job *next = j->next;

			/* Wake only this job's waiter; it owns j from here. */
			j->done = true;
			pthread_cond_signal(&j->done_cv);
			j = next;
		}
		w->stats.commits++;
		w->stats.jobs += ok;
		w->stats.failed += n - ok;
		if (n > w->stats.max_batch)
			w->stats.max_batch = n;
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

struct writer *
writer_start(const char *path, char **cause)
{
	struct writer	*w = xcalloc(1, sizeof(*w));

	if ((w->store = store_open(path, STORE_WRITER, cause)) == NULL)
		goto fail;
	if (store_migrate(w->store, cause) == -1)
		goto fail;
	w->tail = &w->head;
	w->stats.heartbeat = time(NULL);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		xasprintf(cause, "cannot start the writer thread");
		goto fail;
	}
	return w;
fail:
	if (w->store != NULL)
		store_close(w->store);
	free(w);
	return NULL;
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	store_checkpoint(w->store);
	store_close(w->store);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	free(w);
}

int
writer_save_report(struct writer *w, long long person_id, const char *actor,
    const struct report *report, const struct checklist *checklist,
    time_t submitted, const char *source, struct report_saved *saved,
    char **cause)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.person_id = person_id;
	j.actor = actor;
	j.report = report;
	j.checklist = checklist;
	j.submitted = submitted;
	j.source = source;
	pthread_cond_init(&j.done_cv, NULL);

	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		pthread_cond_destroy(&j.done_cv);
		*cause = xstrdup("the server is shutting down");
		return -1;
	}
	*w->tail = &j;
	w->tail = &j.next;
	if (w->idle)
		pthread_cond_signal(&w->work);
	while (!j.done)
		pthread_cond_wait(&j.done_cv, &w->lock);
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&j.done_cv);

	if (j.rc == 0)
		*saved = j.saved;
	else
		*cause = j.cause;
	return j.rc;
}

void
writer_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}
