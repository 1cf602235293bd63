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
#define CHECKPOINT_EVERY 1000

struct job {
	struct job *next;
	writer_fn fn;
	void *arg;
	/* Results, written by the writer thread. */
	pthread_cond_t done_cv; /* signalled when done */
	bool done;
	int rc;
	char *cause; /* owned by the waiter after done */
};

struct writer {
	struct store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* jobs queued, or stopping */
	struct job *head, **tail;
	bool idle; /* waiting on `work` */
	bool stopping;
	/*
	 * Fault injection for the watchdog test: with ESTD_FAULT=writer-hang
	 * the thread stops answering at its first job, as a thread stuck in
	 * a broken disk would.
	 */
	bool fault_hang;
	struct writer_stats stats;
};

static void
run_job(struct writer *w, struct job *j)
{
	if (store_savepoint(w->store) == -1) {
		j->rc = -1;
		j->cause = xstrdup("the database refused a savepoint");
		return;
	}
	j->rc = j->fn(w->store, j->arg, &j->cause);
	if (j->rc == 0)
		store_release(w->store);
	else
		store_rollback_savepoint(w->store);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	unsigned long since_checkpoint = 0;

	for (;;) {
		struct job *batch, *j;
		unsigned long n = 0, ok = 0;
		struct timespec t0, t1;
		int rc;

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
		while (w->fault_hang && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->stopping && w->fault_hang) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		batch = w->head;
		w->head = NULL;
		w->tail = &w->head;
		w->stats.heartbeat = time(NULL);
		pthread_mutex_unlock(&w->lock);

		clock_gettime(CLOCK_MONOTONIC, &t0);
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
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (++since_checkpoint >= CHECKPOINT_EVERY) {
			store_checkpoint(w->store);
			since_checkpoint = 0;
		}

		pthread_mutex_lock(&w->lock);
		for (j = batch; j != NULL;) {
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
		w->stats.commit_seconds += (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

struct writer *
writer_start(const char *path, char **cause)
{
	struct writer *w = xcalloc(1, sizeof(*w));

	if ((w->store = store_open(path, STORE_WRITER, cause)) == NULL)
		goto fail;
	if (store_migrate(w->store, cause) == -1)
		goto fail;
	w->tail = &w->head;
	w->stats.heartbeat = time(NULL);
	w->fault_hang = getenv("ESTD_FAULT") != NULL &&
	    strcmp(getenv("ESTD_FAULT"), "writer-hang") == 0;
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
writer_run(struct writer *w, writer_fn fn, void *arg, char **cause)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.arg = arg;
	pthread_cond_init(&j.done_cv, NULL);

	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		pthread_cond_destroy(&j.done_cv);
		*cause = xstrdup("the server is shutting down");
		return -1;
	}
	/*
	 * The job lives on this thread's stack: it stays in the queue only
	 * until the writer marks it done, and this call returns after that.
	 */
	*w->tail = &j;
	/* cppcheck-suppress autoVariables */
	w->tail = &j.next;
	if (w->idle)
		pthread_cond_signal(&w->work);
	while (!j.done)
		pthread_cond_wait(&j.done_cv, &w->lock);
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&j.done_cv);

	if (j.rc == -1) {
		if (j.cause == NULL)
			j.cause =
			    xstrdup("the database did not take the change");
		*cause = j.cause;
	}
	return j.rc;
}

struct save_report {
	long long person_id;
	const struct report *report;
	const struct checklist *checklist;
	time_t submitted;
	const char *source;
	struct report_saved *saved;
};

/*
 * A report's own revision history (who, when, from where, all of it) is
 * its audit trail, so a save adds no separate audit entry: the writer's
 * time per report is what bounds durable submits a second.
 */
static int
save_report(struct store *s, void *arg, char **cause)
{
	struct save_report *a = arg;

	return store_report_save(s, a->person_id, a->report, a->checklist,
	    a->submitted, a->source, a->saved, cause);
}

int
writer_save_report(struct writer *w, long long person_id,
    const struct report *report, const struct checklist *checklist,
    time_t submitted, const char *source, struct report_saved *saved,
    char **cause)
{
	struct save_report a = {
	    person_id, report, checklist, submitted, source, saved};

	return writer_run(w, save_report, &a, cause);
}

void
writer_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

int
dbwrite_run(const struct dbwrite *dw, writer_fn fn, void *arg, char **cause)
{
	if (dw->writer != NULL)
		return writer_run(dw->writer, fn, arg, cause);
	if (store_begin(dw->store) == -1) {
		*cause = xstrdup("the database is busy; try again");
		return -1;
	}
	if (fn(dw->store, arg, cause) == -1) {
		store_rollback(dw->store);
		if (*cause == NULL)
			*cause =
			    xstrdup("the database did not take the change");
		return -1;
	}
	if (store_commit(dw->store) == -1) {
		store_rollback(dw->store);
		*cause = xstrdup("the database could not commit");
		return -1;
	}
	return 0;
}
