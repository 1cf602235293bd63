/*
 * writer: the daemon's one writer thread, with group commit.
 *
 * DESIGN. Every write of the daemon goes through here, on one SQLite
 * connection, so the database has exactly one writer and one
 * checkpointer. A handler hands over a job and waits; the thread takes
 * every job waiting at that moment, runs each in its own savepoint inside
 * one BEGIN IMMEDIATE transaction, commits once (one fsync for the whole
 * batch, synchronous=FULL), then wakes the waiters with their results. A
 * job that fails rolls back its savepoint alone; a failed COMMIT fails the
 * whole batch. A 2xx answer is therefore sent only after its COMMIT.
 *
 * Callers: main (start/stop), submit (report jobs).
 */
#ifndef ESTD_WRITER_H
#define ESTD_WRITER_H

#include <time.h>

#include "conf.h"
#include "report.h"
#include "store.h"

struct writer;

struct writer_stats {
	unsigned long commits; /* transactions committed */
	unsigned long jobs; /* jobs committed */
	unsigned long failed; /* jobs failed */
	unsigned long max_batch;
	double commit_seconds; /* sum over the commits */
	time_t heartbeat; /* last time the thread was alive */
};

/*
 * Open the writer connection on `path`, migrate the schema and start the
 * thread. Returns a new writer (writer_stop) or NULL with *cause.
 */
struct writer *writer_start(const char *path, char **cause);
/* Finish the jobs already queued, checkpoint, close, free. */
void writer_stop(struct writer *);
/*
 * Save one report durably: blocks until the batch holding it has
 * committed; the report's revision history is its audit trail.
 * Returns 0 with *saved filled, or -1 with *cause (caller frees).
 * `report` and `checklist` are borrowed until the call returns.
 */
int writer_save_report(struct writer *, long long person_id,
    const struct report *, const struct checklist *, time_t submitted,
    const char *source, struct report_saved *saved, char **cause);
/*
 * Run fn(store, arg, cause) durably in the writer thread, in its own
 * savepoint of the next group commit; blocks until that commit. fn
 * returns 0 or -1 with *cause set (then its savepoint is rolled back and
 * the -1 and cause are handed back here, owned by the caller). `arg` is
 * borrowed until the call returns.
 */
typedef int (*writer_fn)(struct store *, void *arg, char **cause);
int writer_run(struct writer *, writer_fn fn, void *arg, char **cause);
void writer_stats(struct writer *, struct writer_stats *);

/*
 * Where a module's durable changes go: through the writer thread in
 * estd, or straight into a BEGIN IMMEDIATE transaction of estctl's own
 * connection. Jobs and delivery take one, so the daemon and estctl run
 * the same code.
 */
struct dbwrite {
	struct writer *writer; /* estd */
	struct store *store; /* estctl, when writer is NULL */
};

int dbwrite_run(const struct dbwrite *, writer_fn fn, void *arg, char **cause);

#endif
